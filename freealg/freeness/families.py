r"""Run-time families of the freeness engine (private).

A *family* is a set of letters whose joint law is known; distinct families
are free.  The engine works with words of integer *codes* (one code per letter
and one per transposed letter; a self-adjoint letter has one code for both).
Each family knows

* ``normalise(run)``: the algebraic relations inside the family (``O Oᵀ = I``
  for Haar orthogonal ``O``; commutation for diagonal letters), returning a
  scalar factor and a shorter word;
* ``letter_cumulant(atoms)``: the joint free cumulant of letters
  (docs/theory.md §2: Haar ``κ_{2k}(O, Oᵀ, …) = (−1)^{k−1} Cat_{k−1}`` on
  alternating blocks, Ginibre ``κ_2(W, Wᵀ) = κ_2(Wᵀ, W) = v``, a self-adjoint
  law's free cumulants, Möbius inversion for the commuting diagonal family);
* ``moment(word)``: the trace of a word of its own letters, from the
  moment-cumulant formula (``φ(w) = Σ_{V ∋ 1} κ(w_V) Π φ(gaps)``, memoised on
  sub-words) or, for self-adjoint and diagonal families, directly from the
  given moments;
* ``element_cumulant(elements)``: the joint free cumulant of *products* of
  its letters (runs of a word), by Möbius inversion of
  ``φ(e_1⋯e_m) = Σ_{V ∋ 1} κ(e_V) Π φ(gaps)``.

Scalars live in a :class:`Domain`: ``Fraction`` (exact), ``float``, mpmath, or
a sympy polynomial ring (symbolic) for speed.
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import math
from fractions import Fraction

from ..errors import ModelError

__all__ = ["Domain", "Law", "HaarFamily", "GinibreFamily", "SelfAdjointFamily", "DiagonalFamily"]


# ---------------------------------------------------------------------------
# scalar domains
# ---------------------------------------------------------------------------


class Domain:
    """Scalar arithmetic of one engine run.

    ``kind`` is 'exact' (``Fraction``), 'float', 'mpmath' or 'sympy' (elements
    of a sympy ``PolyRing`` built by ``sring`` from every scalar of the model,
    so that non-polynomial parts such as ``1/s`` or ``sqrt(q)`` become
    generators).  ``values`` are the given raw scalars converted, in order;
    values derived later are computed inside the domain with ``+ - *`` only.
    """

    def __init__(self, kind, raw_values=()):
        self.kind = kind
        self.ring = None
        raw_values = list(raw_values)
        if kind == "sympy":
            import sympy
            from sympy.polys.rings import sring

            vals = [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction)
                    else sympify_safe(v) for v in raw_values]
            vals.append(sympy.Integer(1))
            if any(v.has(sympy.Float) for v in vals):
                ring, elems = sring(vals)
            else:
                ring, elems = sring(vals, domain=sympy.QQ)
            self.ring = ring
            self.zero, self.one = ring.zero, ring.one
            self.values = list(elems[:-1])
        else:
            if kind == "exact":
                self.zero, self.one = Fraction(0), Fraction(1)
            elif kind == "mpmath":
                from .._utils.mpctx import mpmath

                self.zero, self.one = mpmath.mpf(0), mpmath.mpf(1)
            else:
                self.zero, self.one = 0.0, 1.0
            self.values = [self._conv(v) for v in raw_values]

    def _conv(self, x):
        if self.kind == "exact":
            if isinstance(x, Fraction):
                return Fraction(int(x.numerator), int(x.denominator))
            if type(x).__module__.startswith("sympy"):
                return Fraction(int(x.p), int(x.q))
            return Fraction(int(x))
        if self.kind == "mpmath":
            from .._utils.mpctx import mpmath

            if isinstance(x, Fraction):
                return mpmath.mpf(x.numerator) / x.denominator
            return mpmath.mpmathify(x)
        if isinstance(x, Fraction):
            return x.numerator / x.denominator
        return complex(x) if isinstance(x, complex) else float(x)

    def integer(self, n):
        """The integer ``n`` as a domain element."""
        return self.one * n

    def out(self, x):
        """Convert an engine value out: int/Fraction, float, mpmath or an
        expanded sympy expression."""
        if self.kind == "sympy":
            import sympy

            return sympy.expand(x.as_expr())
        if self.kind == "exact":
            return x.numerator if x.denominator == 1 else x
        return x


def moments_from_cumulants_in(kappa, dom):
    """``m_1..m_n`` from free cumulants with domain arithmetic only:
    ``m_k = sum_{s=1}^k kappa_s [z^{k-s}] M(z)^s`` (docs/theory.md §2)."""
    from ..combinatorics.cumulants import _moments_of_free_cumulants

    return _moments_of_free_cumulants(list(kappa), dom.one)


def cumulants_from_moments_in(moments, dom):
    """Free cumulants ``kappa_1..kappa_n`` from moments, domain arithmetic only."""
    from ..combinatorics.cumulants import _free_cumulants_of

    return _free_cumulants_of(list(moments), dom.one)


def catalan(n):
    return math.comb(2 * n, n) // (n + 1)


def subsets_with_first(m):
    """Index tuples ``(0, ...)`` of all subsets of ``range(m)`` containing 0."""
    for mask in range(1 << (m - 1)):
        yield (0,) + tuple(i + 1 for i in range(m - 1) if mask >> i & 1)


def short_product(first, factors, zero):
    """``first · Π factors`` with the factors computed lazily (an iterable),
    stopping at the first zero factor (then ``zero``)."""
    prod = first
    for v in factors:
        if v == 0:
            return zero
        prod = prod * v
    return prod


def first_block_sum(blocks, cumulant, factors, zero, visit=None):
    """``Σ_V κ(V) Π factors(V)`` over ``blocks`` (the blocks ``V`` containing
    the first point), skipping zero cumulants and stopping a product at its
    first zero factor; ``visit()`` is called once per block with ``κ(V) ≠ 0``."""
    total = zero
    for V in blocks:
        k = cumulant(V)
        if k == 0:
            continue
        if visit is not None:
            visit()
        term = short_product(k, factors(V), zero)
        if term != 0:
            total = total + term
    return total


def gaps(V, n):
    """Maximal non-empty intervals ``(a, b)`` of ``range(n)`` strictly between
    consecutive points of ``V`` and after its last point (``V[0] == 0``)."""
    out = []
    ends = list(V) + [n]
    for a, b in zip(ends[:-1], ends[1:]):
        if b > a + 1:
            out.append((a + 1, b))
    return out


# ---------------------------------------------------------------------------
# laws of self-adjoint letters
# ---------------------------------------------------------------------------


class Law:
    """Moments and free cumulants of one self-adjoint letter, in a domain.

    Given either ``moments`` or ``cumulants`` (lists of domain elements,
    order one first, possibly fewer than a word needs: then :meth:`moment`
    raises ModelError); the other sequence is derived in the domain.
    """

    def __init__(self, name, dom, moments=None, cumulants=None, source="moments"):
        self.name = name
        self.dom = dom
        self.source = source
        if cumulants is not None:
            self._k = list(cumulants)
            self._m = moments_from_cumulants_in(self._k, dom)
        else:
            self._m = list(moments)
            self._k = None

    def moment(self, n):
        if n == 0:
            return self.dom.one
        if n > len(self._m):
            raise ModelError(
                f"the law of {self.name} was given with {len(self._m)} {self.source} but "
                f"this trace needs its moment m_{n}: pass at least {n} {self.source}, a "
                "callable k -> value, or leave the law symbolic"
            )
        return self._m[n - 1]

    def cumulant(self, n):
        if self._k is None or len(self._k) < n:
            self.moment(n)  # raises if too few moments
            self._k = cumulants_from_moments_in(self._m[:n], self.dom)
        return self._k[n - 1]


# ---------------------------------------------------------------------------
# families
# ---------------------------------------------------------------------------


class Family:
    """Base class: generic moment-cumulant and Möbius recursions."""

    kind = "family"
    selfadjoint_letters = True

    def __init__(self, index, letters, codes, tcode, dom):
        self.index = index
        self.letters = letters  # ncpoly.Letter objects
        self.codes = codes  # list of codes (plain, transposed) per letter
        self.tcode = tcode  # global transpose map (list)
        self.dom = dom
        self._mc = {}
        self._phi = {}
        self._ec = {}

    # -- relations ------------------------------------------------------------

    def normalise(self, run):
        return self.dom.one, run

    def normalise_cyclic(self, word):
        return self.normalise(word)

    def canon(self, word):
        """Least rotation of ``word`` or of its transpose."""
        n = len(word)
        if n <= 1:
            return word
        t = self.tcode
        tw = tuple(t[c] for c in reversed(word))
        return min(min(word[i:] + word[:i] for i in range(n)),
                   min(tw[i:] + tw[:i] for i in range(n)))

    # -- letter level -----------------------------------------------------------

    def letter_cumulant(self, atoms):
        raise NotImplementedError

    def candidate_blocks(self, atoms):
        """Index tuples ``V ∋ 0`` into ``atoms`` whose letter cumulant may be
        non-zero (default: all subsets containing 0)."""
        return subsets_with_first(len(atoms))

    def mc_moment(self, word):
        """``φ(word)`` by the first-block moment-cumulant recursion with the
        family's letter cumulants, memoised on sub-words."""
        if not word:
            return self.dom.one
        val = self._mc.get(word)
        if val is not None:
            return val
        n = len(word)
        total = first_block_sum(self.candidate_blocks(word),
                                lambda V: self.letter_cumulant(tuple(word[i] for i in V)),
                                lambda V: (self.mc_moment(word[a:b]) for a, b in gaps(V, n)),
                                self.dom.zero)
        self._mc[word] = total
        return total

    # -- element level ----------------------------------------------------------

    def moment(self, word):
        """Trace of a normalised word of this family."""
        return self.mc_moment(word)

    def phi(self, word):
        """Trace of any word of this family (normalised, memoised)."""
        if not word:
            return self.dom.one
        c, w = self.normalise_cyclic(word)
        if c == 0:
            return self.dom.zero
        if not w:
            return c
        key = self.canon(w)
        val = self._phi.get(key)
        if val is None:
            val = self.moment(key)
            self._phi[key] = val
        return c * val

    def element_cumulant(self, elems):
        """Joint free cumulant of the elements (tuples of codes = products)."""
        m = len(elems)
        if m == 1:
            return self.phi(elems[0])
        val = self._ec.get(elems)
        if val is not None:
            return val
        total = self.phi(sum(elems, ()))
        for V in subsets_with_first(m):
            if len(V) == m:
                continue
            kv = self.element_cumulant(tuple(elems[i] for i in V))
            if kv == 0:
                continue
            term = kv
            for a, b in gaps(V, m):
                g = self.phi(sum(elems[a:b], ()))
                if g == 0:
                    term = self.dom.zero
                    break
                term = term * g
            if term != 0:
                total = total - term
        self._ec[elems] = total
        return total

    # -- labels -------------------------------------------------------------------

    def atom_name(self, code):
        for letter, (c, ct) in zip(self.letters, self.codes):
            if code == c:
                return letter.name
            if code == ct:
                return letter.name + ".T"
        raise KeyError(code)  # pragma: no cover - engine invariant

    def cumulant_label(self, atoms):
        names = [self.atom_name(c) for c in atoms]
        if len(set(names)) == 1 and self.selfadjoint_letters:
            inner = names[0]
        else:
            inner = ",".join(names)
        return f"kappa_{len(atoms)}({inner})"


class HaarFamily(Family):
    """``W = s O``, O Haar orthogonal: ``{O, Oᵀ}`` is R-diagonal with
    ``κ_{2k}(O, Oᵀ, …, O, Oᵀ) = κ_{2k}(Oᵀ, O, …) = (−1)^{k−1} Cat_{k−1}``;
    hence ``κ_{2k}(W, Wᵀ, …) = s^{2k} (−1)^{k−1} Cat_{k−1}``, and
    ``W Wᵀ = Wᵀ W = s² I``."""

    kind = "haar_orthogonal"
    selfadjoint_letters = False

    def __init__(self, index, letters, codes, tcode, dom, scale):
        super().__init__(index, letters, codes, tcode, dom)
        self.s = scale
        self.s2 = self.s * self.s
        self._pow = {}

    def _spow(self, n):
        v = self._pow.get(n)
        if v is None:
            v = self.dom.one
            for _ in range(n):
                v = v * self.s
            self._pow[n] = v
        return v

    def normalise(self, run):
        t = self.tcode
        stack = []
        pairs = 0
        for c in run:
            if stack and stack[-1] == t[c]:
                stack.pop()
                pairs += 1
            else:
                stack.append(c)
        return self._spow(2 * pairs), tuple(stack)

    def normalise_cyclic(self, word):
        coeff, w = self.normalise(word)
        t = self.tcode
        pairs = 0
        lo, hi = 0, len(w)
        while hi - lo >= 2 and w[lo] == t[w[hi - 1]]:
            lo += 1
            hi -= 1
            pairs += 1
        if pairs:
            coeff = coeff * self._spow(2 * pairs)
        return coeff, w[lo:hi]

    def letter_cumulant(self, atoms):
        n = len(atoms)
        if n % 2:
            return self.dom.zero
        t = self.tcode
        for i in range(n - 1):
            if atoms[i + 1] != t[atoms[i]] or atoms[i] == atoms[i + 1]:
                return self.dom.zero
        k = n // 2
        v = self._spow(n) * self.dom.integer(catalan(k - 1))
        return -v if k % 2 == 0 else v

    def candidate_blocks(self, atoms):
        """Alternating blocks ``0 = i_0 < i_1 < …`` (letter, transpose, letter,
        …) of even size."""
        t = self.tcode
        n = len(atoms)
        out = []

        def grow(block, last):
            want = t[atoms[last]]
            for j in range(last + 1, n):
                if atoms[j] == want:
                    nb = block + (j,)
                    if len(nb) % 2 == 0:
                        out.append(nb)
                    grow(nb, j)

        if t[atoms[0]] != atoms[0]:
            grow((0,), 0)
        return out


class GinibreFamily(Family):
    """Ginibre (circular) ``W`` of variance ``v``: the only non-zero free
    cumulants are ``κ_2(W, Wᵀ) = κ_2(Wᵀ, W) = v``."""

    kind = "ginibre"
    selfadjoint_letters = False

    def __init__(self, index, letters, codes, tcode, dom, variance):
        super().__init__(index, letters, codes, tcode, dom)
        self.v = variance

    def letter_cumulant(self, atoms):
        if len(atoms) == 2 and atoms[1] == self.tcode[atoms[0]] and atoms[0] != atoms[1]:
            return self.v
        return self.dom.zero

    def candidate_blocks(self, atoms):
        want = self.tcode[atoms[0]]
        if want == atoms[0]:
            return []
        return [(0, j) for j in range(1, len(atoms)) if atoms[j] == want]


class SelfAdjointFamily(Family):
    """One self-adjoint letter ``A`` with a law (moments or free cumulants,
    numeric or symbolic).  Words are powers ``A^n``: ``φ(A^n) = m_n``."""

    kind = "selfadjoint"

    def __init__(self, index, letters, codes, tcode, dom, law, kind="selfadjoint"):
        super().__init__(index, letters, codes, tcode, dom)
        self.law = law
        self.kind = kind

    def canon(self, word):
        return word

    def moment(self, word):
        return self.law.moment(len(word))

    def letter_cumulant(self, atoms):
        return self.law.cumulant(len(atoms))


class DiagonalFamily(Family):
    """Commuting diagonal letters ``D_1, …, D_r`` with classically independent
    entries: ``φ(D_1^{e_1} ⋯ D_r^{e_r}) = Π_i m_{e_i}(D_i)`` in any order.  The
    joint free cumulants (for expansions) come from Möbius inversion."""

    kind = "diagonal"

    def __init__(self, index, letters, codes, tcode, dom, laws):
        super().__init__(index, letters, codes, tcode, dom)
        self.laws = laws  # code -> Law

    def normalise(self, run):
        return self.dom.one, tuple(sorted(run))

    def canon(self, word):
        return tuple(sorted(word))

    def moment(self, word):
        counts = {}
        for c in word:
            counts[c] = counts.get(c, 0) + 1
        val = self.dom.one
        for c, e in counts.items():
            m = self.laws[c].moment(e)
            if m == 0:
                return self.dom.zero
            val = val * m
        return val

    def letter_cumulant(self, atoms):
        if len(set(atoms)) == 1:
            return self.laws[atoms[0]].cumulant(len(atoms))
        return self.element_cumulant(tuple((c,) for c in atoms))
