r"""The freeness engine: limit traces of noncommutative polynomials in free
families of random matrices.

Declare families that are free from one another in a :class:`FreeModel`
(Haar orthogonal, Ginibre, self-adjoint with a law, a commuting family of
diagonal matrices, deterministic matrices), then ask for
``model.moment(tr(p))`` (the limit value: exact, float or a sympy
expression) or ``model.expand(tr(p))`` (the sum over the contributing
non-crossing partitions).

Algorithm
---------
A word is first normalised with the relations inside each family (Haar:
``W Wᵀ = Wᵀ W = s² I``; diagonal letters commute) and put in cyclic canonical
form (least rotation of the word or its transpose: the memo key).  If several
families occur, the family ``F`` with the fewest runs is chosen and the word
is read cyclically as ``a_1 b_1 ⋯ a_n b_n`` with the ``a_i`` maximal runs of
``F`` (elements of ``F``'s algebra) and the ``b_i`` the products in between.
Then (Nica–Speicher, docs/theory.md §2)

    φ(a_1 b_1 ⋯ a_n b_n) = Σ_{π ∈ NC(n)} κ_π[a_1, …, a_n] φ_{K(π)}[b_1, …, b_n],

with ``K(π) = P_π^{-1} ∘ γ`` the Kreweras complement; the ``φ`` of each
Kreweras block is a trace of a word with one family fewer, computed by the
same recursion and memoised.  Only partitions with ``κ_π[a] ≠ 0`` are
generated (block by block, pruning zero cumulants); NC(total word length) is
never enumerated.  For many runs (``n > 4``) the same sum is evaluated
grouped by the block ``V`` of ``π`` containing 1 (``strategy="first_block"``):
``φ = Σ_V κ(a_V) Π_j φ(b_{v_j} a_{v_j+1} ⋯ b_{v_{j+1}−1})``, the gap words
memoised too, ``2^{n−1}`` blocks instead of ``Cat(n)`` partitions.  The joint cumulants of the ``a_i`` come from ``F``'s own
moments by Möbius inversion, and ``F``'s moments from its cumulants by the
moment-cumulant formula (Haar: the R-diagonal rule
``κ_{2k}(O, Oᵀ, …) = (−1)^{k−1} Cat_{k−1}`` on alternating blocks only).

Law symbols
-----------
A self-adjoint letter ``A`` with no law given gets symbolic moments: the
sympy symbols named ``m_k(A)`` (``moment_symbol(A, k)``); with
``symbolic="cumulants"`` the free cumulants are the symbols ``kappa_k(A)``
(``cumulant_symbol(A, k)``).  They are plain ``sympy.Symbol`` objects (no
assumptions), so ``sympy.Symbol("m_2(A)")`` is the same symbol;
:func:`freealg.latex` prints them as ``m_{2}(A)`` and ``\kappa_{2}(A)``.

Examples
--------
Two free self-adjoint letters with symbolic laws:

>>> from freealg import FreeModel, nc_symbols, tr
>>> a, b = nc_symbols("a b", selfadjoint=True)
>>> model = FreeModel().selfadjoint(a).selfadjoint(b)
>>> model.moment(tr(a * b * a * b))
-m_1(a)**2*m_1(b)**2 + m_1(a)**2*m_2(b) + m_1(b)**2*m_2(a)

A product of two Ginibre matrices: ``tr((W2 W1 W1ᵀ W2ᵀ)^2)`` is the
Fuss–Catalan number ``binom(6, 2)/5 = 3``:

>>> W1, W2 = nc_symbols("W1 W2")
>>> m = FreeModel().ginibre(W1).ginibre(W2)
>>> J = W2 * W1
>>> m.moment(tr((J * J.T) ** 2))
3
"""

from __future__ import annotations

from . import families as fam
from .engine import STRATEGIES, Engine
from .expansion import ExpansionTerm, MomentExpansion, combine
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, InvalidSequenceError, ModelError, NCPolynomialError, UnknownSymbolError
from ..nc.ncpoly import Letter, NCPoly, Trace, tr

__all__ = ["FreeModel", "MomentExpansion", "ExpansionTerm", "moment_symbol", "cumulant_symbol"]


# ---------------------------------------------------------------------------
# law symbols
# ---------------------------------------------------------------------------


def _letter_name(A):
    if isinstance(A, str):
        return A
    if isinstance(A, Letter):
        return A.name
    if isinstance(A, NCPoly) and A.letter is not None:
        return A.letter.name
    raise InvalidArgumentError(f"expected a letter (from nc_symbols) or a name; got {A!r}")


def moment_symbol(A, k):
    """The sympy symbol ``m_k(A)`` of a symbolic law (named exactly so).

    This is the symbol :meth:`FreeModel.moment` uses for a letter declared
    without numeric moments; substitute into results with it.

    Parameters
    ----------
    A : NCPoly, Letter or str
        A single letter from :func:`nc_symbols`, or its name.
    k : int
        The moment order, ``k >= 1``.

    Returns
    -------
    sympy.Symbol
        The symbol named ``m_k(NAME)``.

    Raises
    ------
    InvalidArgumentError
        If ``A`` is not a letter or a name, or ``k < 1``.
    InvalidArgumentTypeError
        If ``k`` is not an integer.

    Examples
    --------
    >>> from freealg import nc_symbols
    >>> moment_symbol(nc_symbols("D1"), 2)
    m_2(D1)
    """
    import sympy

    from .._utils.validate import check_int

    return sympy.Symbol(f"m_{check_int(k, 'k', minimum=1)}({_letter_name(A)})")


def cumulant_symbol(A, k):
    """The sympy symbol ``kappa_k(A)`` of a law given by symbolic cumulants.

    Used for letters declared with ``symbolic="cumulants"`` and no data.

    Parameters
    ----------
    A : NCPoly, Letter or str
        A single letter from :func:`nc_symbols`, or its name.
    k : int
        The cumulant order, ``k >= 1``.

    Returns
    -------
    sympy.Symbol
        The symbol named ``kappa_k(NAME)``.

    Raises
    ------
    InvalidArgumentError
        If ``A`` is not a letter or a name, or ``k < 1``.
    InvalidArgumentTypeError
        If ``k`` is not an integer.

    Examples
    --------
    >>> cumulant_symbol("A", 3)
    kappa_3(A)
    """
    import sympy

    from .._utils.validate import check_int

    return sympy.Symbol(f"kappa_{check_int(k, 'k', minimum=1)}({_letter_name(A)})")


# ---------------------------------------------------------------------------
# declarations
# ---------------------------------------------------------------------------


def _check_seq(seq, what):
    """Validate a finite law sequence; return its values (and kind)."""
    from ..combinatorics._kinds import _prepare

    kind, _, (vals,) = _prepare(seq, names=[what])
    return list(seq), kind


class _LawSpec:
    """The law of one self-adjoint letter as declared by the user."""

    def __init__(self, name, moments, cumulants, symbolic):
        if moments is not None and cumulants is not None:
            raise ModelError(
                f"give the law of {name} by moments or by cumulants, not both"
            )
        if symbolic not in ("moments", "cumulants"):
            raise InvalidArgumentError(
                f"symbolic must be 'moments' or 'cumulants'; got {symbolic!r}"
            )
        self.name = name
        self.symbolic = symbolic
        self.source = "cumulants" if cumulants is not None else "moments"
        data = moments if moments is not None else cumulants
        self.fn = None
        self.seq = None
        if data is None:
            self.source = symbolic
        elif callable(getattr(data, "moments", None)) and cumulants is None:
            self.fn = lambda n, d=data: list(d.moments(n))
        elif callable(data):
            self.fn = lambda n, d=data: [d(k) for k in range(1, n + 1)]
        else:
            if isinstance(data, (str, bytes, dict)):
                raise InvalidSequenceError(
                    f"the {self.source} of {name} must be a sequence starting at order 1, "
                    f"a callable k -> value, or None (symbolic); got {data!r}"
                )
            self.seq, kind = _check_seq(data, f"{self.source} of {name}")
            if kind != "sympy":
                self._check_positive(self.seq)

    def _check_positive(self, vals):
        """Hankel conditions of numeric law data (InvalidLawError if violated)."""
        from ..cumulants import check_moment_sequence, moments_from_free_cumulants

        m = vals if self.source == "moments" else moments_from_free_cumulants(vals)
        check_moment_sequence(m, name=f"moments of {self.name}")

    def raw(self, n):
        """The given sequence (moments or free cumulants, per ``self.source``)
        up to order n, fewer if the law was given with fewer values."""
        if self.seq is None and self.fn is None:
            sym = moment_symbol if self.source == "moments" else cumulant_symbol
            return [sym(self.name, k) for k in range(1, n + 1)]
        if self.fn is not None:
            vals = list(self.fn(n)) if n else []
            if vals:
                _, kind = _check_seq(vals, f"{self.source} of {self.name}")
                if kind != "sympy":
                    self._check_positive(vals)
            return vals
        return list(self.seq[:n])


class _Spec:
    def __init__(self, kind, letters, **params):
        self.kind = kind
        self.letters = letters
        self.params = params


# ---------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------


def _one_letter(x, method):
    if isinstance(x, Letter):
        return x
    if isinstance(x, NCPoly):
        lt = x.letter
        if lt is not None:
            return lt
        if len(x._terms) == 1:
            (w, c), = x._terms.items()
            if len(w) == 1 and w[0][1] and c == 1:
                raise ModelError(
                    f"{method}() needs the letter {w[0][0].name} itself, not its transpose "
                    f"{x}; the transpose belongs to the same family automatically"
                )
    raise ModelError(f"{method}() needs a single letter from nc_symbols; got {x!r}")


def _check_word_lengths(words):
    """TooLargeError before any work for words longer than MAX_MOMENT_ORDER."""
    from .._utils.validate import MAX_MOMENT_ORDER, check_int

    longest = max((len(w) for w, _, _ in words), default=0)
    check_int(longest, "the longest word's length", minimum=0, maximum=MAX_MOMENT_ORDER,
              hint="the free-moment recursion is polynomial but not linear in the word "
                   "length; split the trace or ask for shorter words")


def _check_param(x, what, positive=False):
    """A real parameter (number or sympy expression) through the shared
    checker, then normalised like an NC coefficient."""
    from .._utils.validate import check_real
    from ..nc.ncpoly import _as_scalar

    if isinstance(x, complex):
        raise InvalidArgumentError(f"{what} must be real; got {x!r}")
    v = check_real(x, what, positive=positive, allow_symbol=True)
    return _as_scalar(v, what)


class FreeModel:
    """A set of families of random matrices, free from one another.

    Every declaration method returns the model, so declarations chain.

    Parameters
    ----------
    strategy : {"auto", "kreweras", "first_block"}
        How each reduction evaluates ``Σ_{π∈NC(n)} κ_π[a] φ_{K(π)}[b]``: as
        written (Kreweras), grouped by the first block, or Kreweras for up to
        4 runs and first-block above (default).  All give the same value.

    Raises
    ------
    InvalidArgumentError
        If ``strategy`` is not one of the three names.

    Attributes
    ----------
    last_stats : dict
        Counters of the last :meth:`moment` call: ``reductions`` (multi-family
        words reduced), ``partitions`` (partitions or first blocks with
        non-zero cumulant visited), ``catalan`` (sum of ``Cat(n)`` over the
        reductions), ``family_moments``, ``memo`` (memoised words).

    Examples
    --------
    Orthogonal weights ``W_l = s O_l`` and ReLU-like Bernoulli(1/2) diagonal
    derivatives: ``tr(J Jᵀ)`` for ``J = W2 D1 W1`` is ``s^4 / 2``.

    >>> import sympy
    >>> from freealg import FreeModel, nc_symbols, tr
    >>> W1, W2, D1 = nc_symbols("W1 W2 D1", selfadjoint="D1")
    >>> s = sympy.Symbol("s")
    >>> model = (FreeModel().haar_orthogonal(W1, scale=s).haar_orthogonal(W2, scale=s)
    ...          .diagonal([D1], moments={D1: lambda k: sympy.Rational(1, 2)}))
    >>> J = W2 * D1 * W1
    >>> model.moment(tr(J * J.T))
    s**4/2
    """

    def __init__(self, *, strategy="auto"):
        if strategy not in STRATEGIES:
            raise InvalidArgumentError(f"strategy must be one of {STRATEGIES}; got {strategy!r}")
        self.strategy = strategy
        self._specs = []
        self._letters = {}  # Letter -> spec index
        self._names = {}  # name -> Letter
        self._engine = None
        self.last_stats = {}

    # -- declarations ---------------------------------------------------------------

    def _register(self, letters, spec, method):
        seen = set()
        for lt in letters:
            if lt in seen:
                raise ModelError(f"{method}(): the letter {lt.name} is listed twice")
            seen.add(lt)
            if lt in self._letters or lt.name in self._names:
                prev = self._specs[self._letters[self._names[lt.name]]]
                raise ModelError(
                    f"the letter {lt.name} is already declared in the family "
                    f"{prev.kind}({', '.join(x.name for x in prev.letters)}); a letter "
                    "belongs to exactly one family (use a new FreeModel to change it)"
                )
            if not lt.is_square:
                raise ModelError(
                    f"{method}(): the letter {lt.name} has the non-square shape "
                    f"{lt.shape[0]}x{lt.shape[1]}; the free model needs square N x N letters"
                )
        idx = len(self._specs)
        self._specs.append(spec)
        for lt in letters:
            self._letters[lt] = idx
            self._names[lt.name] = lt
        self._engine = None
        return self

    def haar_orthogonal(self, W, scale=1):
        """Declare ``W = scale * O`` with ``O`` Haar orthogonal.

        ``{O, Oᵀ}`` is R-diagonal: ``κ_{2k}(O, Oᵀ, …) = (−1)^{k−1} Cat_{k−1}``
        on alternating arguments, all other cumulants zero; ``W Wᵀ = scale² I``.
        ``scale`` may be a number or a sympy expression (``sigma_w``).

        Parameters
        ----------
        W : NCPoly or Letter
            A square, non-self-adjoint letter from :func:`nc_symbols`; its
            transpose ``W.T`` belongs to the same family automatically.
        scale : real number or sympy expression, default 1
            The factor ``s`` in ``W = s O`` (any finite real, or a symbol).

        Returns
        -------
        FreeModel
            ``self``, so declarations chain.

        Raises
        ------
        ModelError
            If the letter is not a single plain letter from :func:`nc_symbols`
            (e.g. a transpose or a sum), is not square, or is already
            declared in this model.  Also if the letter was created self-adjoint.
        InvalidArgumentError
            If ``scale`` is complex, NaN or infinite.
        InvalidArgumentTypeError
            If ``scale`` is not a number or sympy expression (e.g. a string).

        Examples
        --------
        ``W Wᵀ = s² I`` and ``tr(W²) -> 0``:

        >>> from freealg import FreeModel, nc_symbols, tr
        >>> W = nc_symbols("W")
        >>> m = FreeModel().haar_orthogonal(W, scale=2)
        >>> m.moment(tr(W * W.T)), m.moment(tr(W * W))
        (4, 0)
        """
        lt = _one_letter(W, "haar_orthogonal")
        if lt.selfadjoint:
            raise ModelError(
                f"haar_orthogonal(): {lt.name} was created self-adjoint, but a Haar "
                "orthogonal matrix is not symmetric; create it without selfadjoint"
            )
        s = _check_param(scale, "scale")
        return self._register([lt], _Spec("haar_orthogonal", [lt], scale=s), "haar_orthogonal")

    def ginibre(self, W, variance=1):
        """Declare a Ginibre (circular) ``W`` of variance ``v``: entries of
        variance ``v/N``, only ``κ_2(W, Wᵀ) = κ_2(Wᵀ, W) = v``; so ``tr(W Wᵀ) = v``.

        Parameters
        ----------
        W : NCPoly or Letter
            A square, non-self-adjoint letter from :func:`nc_symbols`.
        variance : positive real number or sympy expression, default 1
            ``v > 0`` (a symbol is accepted as is).

        Returns
        -------
        FreeModel
            ``self``, so declarations chain.

        Raises
        ------
        ModelError
            If the letter is not a single plain letter from :func:`nc_symbols`
            (e.g. a transpose or a sum), is not square, or is already
            declared in this model.  Also if the letter was created self-adjoint.
        InvalidArgumentError
            If ``variance`` is not a finite real ``> 0``.
        InvalidArgumentTypeError
            If ``variance`` is not a number or sympy expression.

        Examples
        --------
        ``W Wᵀ / v`` is free Poisson of rate one (moments ``1, 2, 5, ...``):

        >>> from freealg import FreeModel, nc_symbols, tr
        >>> W = nc_symbols("W")
        >>> m = FreeModel().ginibre(W, variance=3)
        >>> m.moment(tr(W * W.T)), m.moment(tr(W * W.T * W * W.T))
        (3, 18)
        """
        lt = _one_letter(W, "ginibre")
        if lt.selfadjoint:
            raise ModelError(
                f"ginibre(): {lt.name} was created self-adjoint, but a Ginibre matrix is "
                "not symmetric; create it without selfadjoint (or use selfadjoint() with "
                "semicircle cumulants [0, v])"
            )
        v = _check_param(variance, "variance", positive=True)
        return self._register([lt], _Spec("ginibre", [lt], variance=v), "ginibre")

    def selfadjoint(self, A, moments=None, cumulants=None, *, symbolic="moments"):
        """Declare a self-adjoint ``A`` with a law.

        The model treats ``A.T`` as ``A``.

        Parameters
        ----------
        A : NCPoly or Letter
            A square letter from :func:`nc_symbols` (usually created
            self-adjoint).
        moments, cumulants : sequence, callable or None
            ``m_1, m_2, …`` or free cumulants ``κ_1, κ_2, …`` (numbers or sympy
            expressions), or a callable ``k -> value``, or an object with a
            ``moments(n)`` method.  At most one of them.
        symbolic : {"moments", "cumulants"}
            When neither is given: results are in the symbols ``m_k(A)``
            (default) or ``kappa_k(A)``.

        Returns
        -------
        FreeModel
            ``self``, so declarations chain.

        Raises
        ------
        ModelError
            If the letter is not a single plain letter from :func:`nc_symbols`
            (e.g. a transpose or a sum), is not square, or is already
            declared in this model.  Also if both ``moments`` and ``cumulants`` are given.
        InvalidArgumentError
            If ``symbolic`` is not ``"moments"`` or ``"cumulants"``.
        InvalidSequenceError
            If a law sequence is empty, a string or dict, or has a
            non-numeric or non-finite entry.
        InvalidLawError
            If numeric moments (or the moments of numeric cumulants) fail a
            Hankel condition, i.e. are not the moments of a probability
            measure.
        TooLargeError
            If a sequence has more than ``MAX_MOMENT_ORDER`` (2000) values.

        Examples
        --------
        The standard semicircle (free cumulants ``0, 1, 0, 0``) has
        ``m_4 = Cat_2 = 2``; without data the result is symbolic:

        >>> from freealg import FreeModel, nc_symbols, tr
        >>> A = nc_symbols("A", selfadjoint=True)
        >>> FreeModel().selfadjoint(A, cumulants=[0, 1, 0, 0]).moment(tr(A**4))
        2
        >>> FreeModel().selfadjoint(A, symbolic="cumulants").moment(tr(A**2))
        kappa_1(A)**2 + kappa_2(A)
        """
        lt = _one_letter(A, "selfadjoint")
        law = _LawSpec(lt.name, moments, cumulants, symbolic)
        return self._register([lt], _Spec("selfadjoint", [lt], law=law), "selfadjoint")

    def deterministic(self, A, moments=None, *, symbolic="moments"):
        """Declare a deterministic symmetric ``A`` whose limit law has the given
        moments (symbolic ``m_k(A)`` if None); it is free from every other
        family (e.g. Haar-rotated ones).

        Parameters
        ----------
        A : NCPoly or Letter
            A square letter from :func:`nc_symbols`.
        moments : sequence, callable or None, default None
            ``m_1, m_2, ...`` of its limit spectral law (numbers or sympy
            expressions), a callable ``k -> m_k``, an object with a
            ``moments(n)`` method, or None for the symbols ``m_k(A)``.
        symbolic : {"moments", "cumulants"}, default "moments"
            Symbols used when ``moments`` is None: ``m_k(A)`` or
            ``kappa_k(A)``.

        Returns
        -------
        FreeModel
            ``self``, so declarations chain.

        Raises
        ------
        ModelError
            If the letter is not a single plain letter from :func:`nc_symbols`
            (e.g. a transpose or a sum), is not square, or is already
            declared in this model.
        InvalidArgumentError
            If ``symbolic`` is not ``"moments"`` or ``"cumulants"``.
        InvalidSequenceError
            If a law sequence is empty, a string or dict, or has a
            non-numeric or non-finite entry.
        InvalidLawError
            If numeric moments (or the moments of numeric cumulants) fail a
            Hankel condition, i.e. are not the moments of a probability
            measure.
        TooLargeError
            If a sequence has more than ``MAX_MOMENT_ORDER`` (2000) values.

        Examples
        --------
        ``A`` free from a Haar orthogonal ``O``: ``tr(A O A Oᵀ) -> m_1(A)²``.

        >>> from freealg import FreeModel, nc_symbols, tr
        >>> A = nc_symbols("A", selfadjoint=True)
        >>> W = nc_symbols("W")
        >>> FreeModel().deterministic(A).haar_orthogonal(W).moment(tr(A * W * A * W.T))
        m_1(A)**2
        """
        lt = _one_letter(A, "deterministic")
        law = _LawSpec(lt.name, moments, None, symbolic)
        return self._register([lt], _Spec("deterministic", [lt], law=law), "deterministic")

    def diagonal(self, letters, moments=None, *, symbolic="moments"):
        """Declare a commuting family of diagonal matrices ``D_1, …, D_r`` with
        independent entries (classical independence inside the family, as the
        ``D_l = diag(φ'(h_l))`` of an MLP); the family is free from the rest.
        The model treats ``D.T`` as ``D``.

        Parameters
        ----------
        letters : letter or sequence of letters
            One square letter from :func:`nc_symbols`, or a list/tuple of
            them (at least one).
        moments : dict, sequence, callable or None
            ``{D1: [m_1, m_2, …], …}`` (missing letters are symbolic), or one
            sequence / callable used for every letter, or None (all symbolic
            ``m_k(D)``).
        symbolic : {"moments", "cumulants"}, default "moments"
            Symbols used for letters without data: ``m_k(D)`` or
            ``kappa_k(D)``.

        Returns
        -------
        FreeModel
            ``self``, so declarations chain.

        Raises
        ------
        InvalidArgumentTypeError
            If ``letters`` is neither a letter nor a list/tuple.
        ModelError
            If the letter is not a single plain letter from :func:`nc_symbols`
            (e.g. a transpose or a sum), is not square, or is already
            declared in this model.  Also for an empty list, a letter listed
            twice, or a ``moments`` key that is not among ``letters``.
        InvalidArgumentError
            If ``symbolic`` is not ``"moments"`` or ``"cumulants"``.
        InvalidSequenceError
            If a law sequence is empty, a string or dict, or has a
            non-numeric or non-finite entry.
        InvalidLawError
            If numeric moments (or the moments of numeric cumulants) fail a
            Hankel condition, i.e. are not the moments of a probability
            measure.
        TooLargeError
            If a sequence has more than ``MAX_MOMENT_ORDER`` (2000) values.

        Examples
        --------
        Entries are classically independent inside the family:
        ``tr(D1 D2 D1 D2) = E[d1² d2²] = m_2(D1) m_2(D2)``.

        >>> from freealg import FreeModel, nc_symbols, tr
        >>> D1, D2 = nc_symbols("D1 D2", selfadjoint=True)
        >>> FreeModel().diagonal([D1, D2], moments={D1: [1, 2]}).moment(tr(D1 * D2 * D1 * D2))
        2*m_2(D2)
        """
        if isinstance(letters, (NCPoly, Letter)):
            letters = [letters]
        if not isinstance(letters, (list, tuple)):
            raise InvalidArgumentTypeError(
                f"diagonal() needs a letter from nc_symbols or a list of them; got {letters!r:.60} "
                f"of type {type(letters).__name__}"
            )
        lts = [_one_letter(x, "diagonal") for x in letters]
        if not lts:
            raise ModelError("diagonal() needs at least one letter")
        if isinstance(moments, dict):
            by = {}
            for key, val in moments.items():
                name = _letter_name(key) if not isinstance(key, NCPoly) else _one_letter(key, "diagonal").name
                if name not in [x.name for x in lts]:
                    raise ModelError(
                        f"diagonal(): moments given for {name}, which is not among the "
                        f"letters {[x.name for x in lts]}"
                    )
                by[name] = val
            laws = [_LawSpec(x.name, by.get(x.name), None, symbolic) for x in lts]
        else:
            laws = [_LawSpec(x.name, moments, None, symbolic) for x in lts]
        return self._register(lts, _Spec("diagonal", lts, laws=laws), "diagonal")

    # -- introspection ---------------------------------------------------------------

    @property
    def letters(self):
        """Declared letters (as one-letter polynomials), in declaration order."""
        from ..nc.ncpoly import _letter_poly

        return tuple(_letter_poly(lt) for lt in self._letters)

    def __repr__(self):
        parts = []
        for s in self._specs:
            names = ", ".join(x.name for x in s.letters)
            extra = ""
            if s.kind == "haar_orthogonal" and s.params["scale"] != 1:
                extra = f", scale={s.params['scale']}"
            if s.kind == "ginibre" and s.params["variance"] != 1:
                extra = f", variance={s.params['variance']}"
            parts.append(f"{s.kind}({names}{extra})")
        return "FreeModel(" + ", ".join(parts) + ")"

    # -- compilation -------------------------------------------------------------------

    def _codes(self):
        """Code tables: (letter, transposed) -> code, family of code, transpose map."""
        amap, fam_of, tcode, per_spec = {}, [], [], []
        for idx, s in enumerate(self._specs):
            codes = []
            for lt in s.letters:
                c = len(fam_of)
                fam_of.append(idx)
                if s.kind in ("haar_orthogonal", "ginibre"):
                    fam_of.append(idx)
                    tcode.extend([c + 1, c])
                    amap[(lt, False)], amap[(lt, True)] = c, c + 1
                    codes.append((c, c + 1))
                else:
                    tcode.append(c)
                    amap[(lt, False)] = amap[(lt, True)] = c
                    codes.append((c, c))
            per_spec.append(codes)
        return amap, fam_of, tcode, per_spec

    def _word_codes(self, word, amap):
        out = []
        for atom in word:
            c = amap.get(atom)
            if c is None:
                lt = atom[0]
                known = ", ".join(self._names) or "none"
                hint = ""
                if lt.name in self._names:
                    hint = (f" (a letter named {lt.name} is declared, but with different "
                            "self-adjointness or shape)")
                raise UnknownSymbolError(
                    f"the letter {lt.name} is not in the model{hint}; declare it with "
                    "haar_orthogonal(), ginibre(), selfadjoint(), diagonal() or "
                    f"deterministic() (known letters: {known})"
                )
            out.append(c)
        return tuple(out)

    def _engine_for(self, orders):
        eng = self._engine
        if eng is not None and all(orders.get(i, 0) <= eng.orders.get(i, 0) for i in orders):
            return eng
        if eng is not None:
            orders = {i: max(orders.get(i, 0), eng.orders.get(i, 0)) for i in set(orders) | set(eng.orders)}
        amap, fam_of, tcode, per_spec = self._codes()
        raw = []  # per spec: scale, variance, or a list of law sequences
        flat = []
        for idx, s in enumerate(self._specs):
            n = orders.get(idx, 0)
            if s.kind == "haar_orthogonal":
                raw.append(s.params["scale"])
                flat.append(s.params["scale"])
            elif s.kind == "ginibre":
                raw.append(s.params["variance"])
                flat.append(s.params["variance"])
            else:
                laws = [s.params["law"]] if "law" in s.params else s.params["laws"]
                data = [law.raw(n) for law in laws]
                raw.append(data)
                for seq in data:
                    flat.extend(seq)
        from ..combinatorics._kinds import _kind_of

        dom = fam.Domain(_kind_of(flat) if flat else "exact", flat)
        values = iter(dom.values)  # converted scalars, in the order of flat

        def take(k):
            return [next(values) for _ in range(k)]

        def law(name, seq, spec):
            conv = take(len(seq))
            if spec.source == "cumulants":
                return fam.Law(name, dom, cumulants=conv, source="cumulants")
            return fam.Law(name, dom, moments=conv, source="moments")

        families = []
        for idx, s in enumerate(self._specs):
            args = (idx, s.letters, per_spec[idx], tcode, dom)
            if s.kind == "haar_orthogonal":
                families.append(fam.HaarFamily(*args, take(1)[0]))
            elif s.kind == "ginibre":
                families.append(fam.GinibreFamily(*args, take(1)[0]))
            elif s.kind in ("selfadjoint", "deterministic"):
                (seq,) = raw[idx]
                families.append(fam.SelfAdjointFamily(
                    *args, law(s.letters[0].name, seq, s.params["law"]), kind=s.kind))
            else:
                laws = {}
                for lt, codes, seq, ls in zip(s.letters, per_spec[idx], raw[idx], s.params["laws"]):
                    laws[codes[0]] = law(lt.name, seq, ls)
                families.append(fam.DiagonalFamily(*args, laws))
        eng = Engine(families, fam_of, tcode, dom, dict(orders), self.strategy)
        eng.amap = amap
        self._engine = eng
        return eng

    def _prepare(self, t, what):
        if isinstance(t, NCPoly):
            t = tr(t)
        elif not isinstance(t, Trace):
            from ..nc.ncpoly import _as_scalar

            try:
                c = _as_scalar(t)
            except (NCPolynomialError, InvalidArgumentError):
                raise InvalidArgumentError(
                    f"{what}() needs a trace tr(p) (or a polynomial p); got {t!r}"
                ) from None
            t = Trace({(): c} if c != 0 else {})
        amap, fam_of, _, _ = self._codes()
        words = []
        orders = {}
        for w, c in t._terms.items():
            codes = self._word_codes(w, amap)
            counts = {}
            for x in codes:
                counts[fam_of[x]] = counts.get(fam_of[x], 0) + 1
            for f, k in counts.items():
                orders[f] = max(orders.get(f, 0), k)
            words.append((w, c, codes))
        return t, words, orders

    # -- evaluation -----------------------------------------------------------------------

    def moment(self, t):
        """The large-N limit of a trace: ``φ(p) = lim tr(p)``.

        Parameters
        ----------
        t : Trace or NCPoly
            ``tr(p)`` (a polynomial ``p`` is traced automatically).

        Returns
        -------
        int, Fraction, float, mpmath or sympy expression
            Exact inputs give an exact result; symbolic parameters, laws or
            coefficients give an expanded sympy expression.

        Raises
        ------
        UnknownSymbolError
            A letter not declared in the model.
        ModelError
            A law with too few moments for this trace.
        InvalidArgumentError
            If ``t`` is neither a trace, a polynomial nor a scalar.
        TooLargeError
            If a word is longer than ``MAX_MOMENT_ORDER`` (2000).

        Examples
        --------
        >>> from freealg import FreeModel, nc_symbols, tr, I
        >>> P, Q = nc_symbols("P Q", selfadjoint=True)
        >>> m = FreeModel().selfadjoint(P, [1, 1, 1, 1]).selfadjoint(Q, [0, 1, 0, 2])
        >>> m.moment(tr((P + Q) ** 2)), m.moment(tr(2 * I))
        (2, 2)
        """
        t, words, orders = self._prepare(t, "moment")
        _check_word_lengths(words)
        eng = self._engine_for(orders)
        before = dict(eng.stats)
        vals = []
        for w, c, codes in words:
            vals.append((c, eng.dom.out(eng.phi(codes))))
        self.last_stats = {k: eng.stats[k] - before[k] for k in eng.stats}
        self.last_stats["memo"] = len(eng._memo)
        return combine(vals, eng.dom.kind)

    def expand(self, t, *, max_terms=20000):
        """The moment as a sum over non-crossing partitions of each word.

        ``φ(x_1 ⋯ x_n) = Σ_{π ∈ NC(n)} Π_{B ∈ π} κ(x_B)``: only partitions whose
        blocks each lie in one family (mixed cumulants of free families vanish)
        and whose cumulants are non-zero appear.  Each term lists the
        partition and the cumulants it uses; ``.value`` is the sum, which
        equals :meth:`moment` (computed here by a different route: no family
        relations, no Kreweras recursion).

        Parameters
        ----------
        t : Trace or NCPoly
            ``tr(p)`` (a polynomial ``p`` is traced automatically; a scalar
            is a constant trace).
        max_terms : int, default 20000
            Most contributing partitions listed per word, ``1 <= max_terms
            <= 10**7``.

        Returns
        -------
        MomentExpansion
            The terms (iterable, ``len``) and their total ``.value``.

        Raises
        ------
        TooLargeError
            If a word has more than ``max_terms`` contributing partitions, if
            ``max_terms > 10**7``, or if a word is longer than
            ``MAX_MOMENT_ORDER`` (2000).
        InvalidArgumentError
            If ``t`` is not a trace, polynomial or scalar, or ``max_terms < 1``.
        InvalidArgumentTypeError
            If ``max_terms`` is not an integer.
        UnknownSymbolError
            If a letter is not declared in the model.
        ModelError
            If a law was given with too few moments for the trace.

        Examples
        --------
        >>> from freealg import FreeModel, nc_symbols, tr
        >>> W, D = nc_symbols("W D", selfadjoint="D")
        >>> m = FreeModel().haar_orthogonal(W).diagonal([D], moments=[1, 2])
        >>> e = m.expand(tr(W * D * W.T * D))
        >>> print(e)
        tr(D*W*D*W.T) = sum over 1 non-crossing partition:
          {1}{2,4}{3}: kappa_1(D) * kappa_2(W,W.T) * kappa_1(D) = 1
        <BLANKLINE>
        """
        from .._utils.validate import check_int

        max_terms = check_int(max_terms, "max_terms", minimum=1, maximum=10**7,
                              hint="a listing of more partitions does not fit in memory; "
                                   "use moment() for the value")
        t, words, orders = self._prepare(t, "expand")
        _check_word_lengths(words)
        eng = self._engine_for(orders)
        dom = eng.dom
        terms = []
        for w, c, codes in words:
            if not codes:
                terms.append(ExpansionTerm(w, c, (), (), combine([(c, 1)], dom.kind)))
                continue
            parts = eng.letter_partitions(codes, max_terms)
            for blocks, ks in parts:
                labels = []
                val = dom.one
                order = sorted(range(len(blocks)), key=lambda i: blocks[i])
                blocks = [blocks[i] for i in order]
                ks = [ks[i] for i in order]
                for B, k in zip(blocks, ks):
                    atoms = tuple(codes[i] for i in B)
                    F = eng.fams[eng.fam_of[atoms[0]]]
                    labels.append((F.cumulant_label(atoms), dom.out(k)))
                    val = val * k
                pblocks = tuple(tuple(i + 1 for i in B) for B in blocks)
                terms.append(ExpansionTerm(w, c, pblocks, tuple(labels),
                                           combine([(c, dom.out(val))], dom.kind)))
        return MomentExpansion(t, terms, dom.kind)


