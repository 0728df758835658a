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
from .declarations import _check_word_lengths, _Declarations, cumulant_symbol, moment_symbol
from ..errors import InvalidArgumentError, NCPolynomialError, UnknownSymbolError
from ..nc.ncpoly import NCPoly, Trace, tr

__all__ = ["FreeModel", "MomentExpansion", "ExpansionTerm", "moment_symbol", "cumulant_symbol"]


class FreeModel(_Declarations):
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


