"""Exact side of a ⊠ product (private): its moments from the factors'
S-series and its atoms by Belinschi's rule.
"""

from __future__ import annotations

from fractions import Fraction

from .._utils import series as _series
from .._utils.symbolic import sympify_safe
from ..errors import InvalidLawError


def _exactify(values):
    """Common exact type for moment lists (Fraction when rational)."""
    out = []
    for v in values:
        if isinstance(v, bool):
            raise InvalidLawError(f"moment {v!r} is not a number")
        if isinstance(v, (int, Fraction)):
            out.append(Fraction(v))
        elif type(v).__module__.startswith("sympy") and getattr(v, "is_Rational", False):
            out.append(Fraction(int(v.p), int(v.q)))
        else:
            return None
    return out


def _product_moments(factors, powers, n, numeric_dps=None):
    """Moments of ``⊠ mu_j^{⊠ L_j}`` from the S-series (exact for exact data).

    ``numeric_dps``: compute in mpmath at that precision instead (the float
    moments for scales and start values: with float-derived rational data the
    exact numbers of a depth-500 product have ~10^5 digits and Fraction
    arithmetic on them takes minutes)."""
    from ..combinatorics.convolution import _moments_of_s_series
    from ..cumulants import s_transform_coefficients

    seqs = [list(f.moments(n)) for f in factors]
    exact = [_exactify(s) for s in seqs] if numeric_dps is None else [None]
    if numeric_dps is not None:
        from .._utils.mpctx import mpmath
        with mpmath.workdps(numeric_dps):
            def conv1(v):
                if isinstance(v, Fraction):
                    return mpmath.mpf(v.numerator) / v.denominator
                if getattr(v, "is_Rational", False):
                    return mpmath.mpf(int(v.p)) / int(v.q)
                if type(v).__module__.startswith("sympy") and not getattr(v, "is_Float", False):
                    import sympy

                    # an exact irrational (sqrt(2), pi): its value at the working precision
                    v = sympy.N(v, numeric_dps + 10)
                return mpmath.mpmathify(v)

            conv = [[conv1(v) for v in s] for s in seqs]
            return _product_moments([_Seq(s) for s in conv], powers, n)
    if all(e is not None for e in exact):
        seqs = exact
        one, zero = Fraction(1), Fraction(0)
    else:
        kinds = {type(v).__module__.split(".")[0] for s in seqs for v in s}
        if "sympy" in kinds:
            import sympy

            seqs = [[sympify_safe(v) for v in s] for s in seqs]
            one, zero = sympy.Integer(1), sympy.Integer(0)
        elif "mpmath" in kinds:
            from .._utils.mpctx import mpmath

            seqs = [[mpmath.mpmathify(v) for v in s] for s in seqs]
            one, zero = mpmath.mpf(1), mpmath.mpf(0)
        else:
            seqs = [[float(v) for v in s] for s in seqs]
            one, zero = 1.0, 0.0
    S = [one] + [zero] * (n - 1)
    for seq, L in zip(seqs, powers):
        s = s_transform_coefficients(seq[:n])
        if isinstance(one, Fraction):
            s = [Fraction(v) for v in s]
        S = _series.mul(S, _series.power(s, L, n), n)
    out = _moments_of_s_series(S, n)
    if isinstance(one, Fraction):
        out = [int(v) if v.denominator == 1 else v for v in out]
    return out


class _Seq:
    """A fixed moment sequence posing as a factor (for :func:`_product_moments`)."""

    def __init__(self, seq):
        self.seq = list(seq)

    def moments(self, n):
        return self.seq[:n]


def _product_atoms(factors, powers):
    """Atoms by Belinschi's rule: ``(mu ⊠ nu)({0}) = max(mu({0}), nu({0}))``,
    and for ``a > 0``: ``mu({u}) + nu({v}) - 1`` at ``a = u v`` when positive."""
    cur = None
    for f, L in zip(factors, powers):
        at = [(a, m) for a, m in f.atoms() if m != 0]
        if len(at) == 1 and at[0][1] == 1 and at[0][0] != 0:
            # a point mass: delta_a^{⊠L} = delta_{a^L} (one power instead of
            # L products of ever longer rationals)
            at, L = [(at[0][0] ** L, at[0][1])], 1
        for _ in range(L):
            if cur is None:
                cur = list(at)
                continue
            nxt = belinschi_step(cur, at)
            if nxt == cur:
                # a fixed point of the step with this factor: the remaining
                # powers change nothing (e.g. no atoms at all, MP^{⊠L}; the
                # step is a function of (cur, at) alone)
                break
            cur = nxt
    return cur or []


def belinschi_step(cur, at, *, zero=0, positive=None, product=None, key=None):
    """Atoms of ``mu ⊠ nu`` from the atoms of ``mu`` (``cur``) and ``nu``
    (``at``), both lists of ``(location, mass)`` on ``[0, oo)``: Belinschi's
    rule, ``(mu ⊠ nu)({0}) = max(mu({0}), nu({0}))`` and, for ``a > 0``,
    ``(mu ⊠ nu)({a}) = sum_{u v = a} max(0, mu({u}) + nu({v}) - 1)``
    (S. T. Belinschi, "The atoms of the free multiplicative convolution of
    two probability distributions", Integral Equations Operator Theory 46
    (2003)).

    The number kind is the caller's: ``zero`` is its zero (location and
    default mass), ``positive(mass)`` decides ``mass > 0`` (default the
    comparison), ``product(u, v)`` forms the location ``u v`` (default the
    product) and ``key`` sorts the locations (default themselves).  Returns
    the atoms sorted by location, the one at 0 first.
    """
    positive = positive or (lambda m: m > 0)
    product = product or (lambda u, v: u * v)
    key = key or (lambda a: a)
    z = max([m for a, m in cur if a == 0] + [m for a, m in at if a == 0] + [zero])
    new = {}
    for u, mu in cur:
        if u == 0:
            continue
        for v, mv in at:
            if v == 0:
                continue
            mass = mu + mv - 1
            if positive(mass):
                uv = product(u, v)
                new[uv] = new.get(uv, 0) + mass
    return ([(zero, z)] if z != 0 else []) + sorted(new.items(), key=lambda t: key(t[0]))
