"""Declaring the families of a :class:`~freealg.freeness.model.FreeModel`:
the law symbols ``m_k(A)`` / ``kappa_k(A)``, the law of one self-adjoint
letter as given by the user, the argument checks, and the declaration
methods (Haar orthogonal, Ginibre, self-adjoint, deterministic, diagonal)
that :class:`FreeModel` inherits.

Examples
--------
>>> from freealg.freeness.declarations import moment_symbol
>>> moment_symbol("A", 3)
m_3(A)
"""

from __future__ import annotations

from ..errors import InvalidArgumentError, InvalidArgumentTypeError, InvalidSequenceError, ModelError
from ..nc.ncpoly import Letter, NCPoly
from ..nc.substitution import _single_letter, _transposed_letter

__all__ = ["moment_symbol", "cumulant_symbol"]


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
    lt = _single_letter(x)
    if lt is not None:
        return lt
    tl = _transposed_letter(x)
    if tl is not None:
        raise ModelError(
            f"{method}() needs the letter {tl.name} itself, not its transpose "
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


class _Declarations:
    """The declaration methods of :class:`FreeModel` (each returns the model,
    so declarations chain); the state (``_specs``, ``_letters``, ``_names``,
    ``_engine``) is set up by ``FreeModel.__init__``."""

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
