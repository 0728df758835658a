r"""The independent route of the curve operations: ⊞ and ⊠ (and ⊠-powers)
computed on exact moment sequences, and the check of an eliminated curve
against them (:mod:`freealg.laws.elimination` returns no curve that fails it).

The moments live in a polynomial ring over QQ whose generators are the
parameters, so a symbolic law is checked as a function of its parameters
(first moments) and at random rational parameter points (more moments).

Examples
--------
>>> import sympy
>>> from freealg.laws.convolution_moments import add_moments, mul_moments
>>> add_moments([[0, 1, 0, 2], [0, 1, 0, 2]], 4)      # semicircle ⊞ semicircle
[0, 2, 0, 8]
>>> mul_moments([[1, 2, 5], [1, 2, 5]], 3)            # MP ⊠ MP: Fuss–Catalan
[1, 3, 12]
"""

from __future__ import annotations

import sympy

from .._utils.symbolic import sympify_safe
from .base import Law
from ..errors import BranchError, InvalidArgumentError, InvalidLawError

__all__ = ["add_moments", "mul_moments"]

_N_CHECK = 8  # moments compared for every numeric result
_N_SYMBOLIC = 5  # moments compared as functions of symbolic parameters


def _moments(law, n):
    """Exact moments of a law (whatever its parameters' kind) or a curve."""
    return law._exact_moments(n) if isinstance(law, Law) else law.moments(n)


def _all_rational(seqs):
    return all(isinstance(v, sympy.Basic) and v.is_Rational for s in seqs for v in s)


# Division-free exact arithmetic: moments live in a polynomial ring over QQ
# whose generators are the parameters (and constants such as erf(1/2), which
# are treated as free generators: the final conversion back to sympy is a ring
# homomorphism, so identities proved in the free ring hold after it).  The only
# division of the S-route, by the mean m_1, is replaced by a generator
# mu = 1/m_1 that is eliminated exactly at the end.


def _ring(seqs, n_mu=0):
    mus = [sympy.Dummy(f"mu{i}") for i in range(n_mu)]
    flat = [sympify_safe(v) for s in seqs for v in s]
    R, elems = sympy.polys.rings.sring(flat + mus, domain=sympy.QQ)
    out, k = [], 0
    for s in seqs:
        out.append(elems[k:k + len(s)])
        k += len(s)
    return R, out, elems[k:]


def _eliminate_mu(E, mu, m1):
    """Reduce ``E`` modulo ``mu·m1 − 1`` (the result is free of ``mu``)."""
    e = E.degree(mu)
    if e <= 0:
        return E
    num = sum((E.coeff_wrt(mu, k) * m1 ** (e - k) for k in range(e + 1)), E.ring.zero)
    return num.exquo(m1**e)


def add_moments(seqs, n):
    """Exact moments ``m_1..m_n`` of the ⊞ of laws with moment sequences ``seqs``."""
    from ..combinatorics.cumulants import _free_cumulants_of, _moments_of_free_cumulants
    from ..cumulants import free_add_moments

    seqs = [[sympify_safe(v) for v in s[:n]] for s in seqs]
    if _all_rational(seqs):
        out = seqs[0]
        for s in seqs[1:]:
            out = free_add_moments(out, s, check=False)
        return [sympify_safe(v) for v in out]
    R, conv, _ = _ring(seqs)
    kap = [R.zero] * n
    for m in conv:
        kap = [x + y for x, y in zip(kap, _free_cumulants_of(list(m[:n]), R.one))]
    return [sympy.expand(v.as_expr()) for v in _moments_of_free_cumulants(kap, R.one)]


def mul_moments(seqs, n, powers=None):
    """Exact moments ``m_1..m_n`` of ``⊠_i law_i^{⊠k_i}`` (S-route, division-free)."""
    from .._utils import series as _series
    from ..combinatorics.convolution import _moments_of_s_series
    from ..cumulants import free_mul_moments

    seqs = [[sympify_safe(v) for v in s[:n]] for s in seqs]
    powers = list(powers or [1] * len(seqs))
    if _all_rational(seqs) and all(p == 1 for p in powers):
        out = seqs[0]
        for s in seqs[1:]:
            out = free_mul_moments(out, s, check=True)
        return [sympify_safe(v) for v in out]
    R, conv, mus = _ring(seqs, len(seqs))
    T = [R.one] + [R.zero] * (n - 1)
    for m, mu, k in zip(conv, mus, powers):
        phi = [R.zero, R.one] + [m[j - 1] * mu**j for j in range(2, n + 1)]
        inv = _series.reverse(phi, n + 1)          # phi^{-1}(w)
        ti = [inv[j + 1] + (inv[j] if j else R.zero) for j in range(n)]   # (1 + w) phi^{-1}(w)/w
        for _ in range(k):
            T = _series.mul(T, ti, n)
    g = [R.zero] + _moments_of_s_series(T, n)      # reverse of w T(w)/(1 + w)
    c_inv = R.one
    for m, k in zip(conv, powers):
        c_inv *= m[0] ** k                          # 1/c = Π m1^k
    out = []
    for j in range(1, n + 1):
        E = g[j] * c_inv**j
        for m, mu in zip(conv, mus):
            E = _eliminate_mu(E, mu, m[0])
        out.append(sympy.expand(E.as_expr()))
    return out


def _random_points(laws, k=2, seed=0):
    """``k`` random rational parameter points (values in (0, 1)) at which every
    law in ``laws`` is a valid law."""
    import random

    syms = set()
    for x in laws:
        syms |= x.free_symbols
    syms = sorted(syms, key=str)
    rng = random.Random(seed)
    pts = []
    for _ in range(200):
        pt = {s: sympy.Rational(rng.randrange(1, 2**20), 2**20 + rng.randrange(1, 97)) for s in syms}
        try:
            subs = [x.subs(pt) for x in laws]
        except (InvalidArgumentError, InvalidLawError):
            continue
        pts.append((pt, subs))
        if len(pts) == k:
            return pts
    raise InvalidArgumentError(
        f"could not find parameter values in (0, 1) for {syms} at which the laws are valid"
    )


def _route(what, seqs, n, powers):
    return add_moments(seqs, n) if what == "free_add" else mul_moments(seqs, n, powers)


def _verified(curve, laws, what):
    """Check a result against the moments of the result computed independently
    on moment sequences (``laws``: laws or ``(law, power)`` pairs).

    Numeric parameters: the first ``_N_CHECK`` moments, exactly.  Symbolic
    parameters: the first ``_N_SYMBOLIC`` moments exactly as functions of the
    parameters, and the first ``_N_CHECK`` exactly at two random rational
    parameter points.
    """
    pairs = [(x, 1) for x in laws] if what == "free_add" else _group(laws)
    powers = [k for _, k in pairs]
    symbolic = any(x.free_symbols for x, _ in pairs)
    n = _N_SYMBOLIC if symbolic else _N_CHECK
    ms = _route(what, [_moments(x, n) for x, _ in pairs], n, powers)
    ok = curve.matches_moments(ms)
    if ok and symbolic:
        for pt, subs in _random_points([x for x, _ in pairs]):
            ms = _route(what, [_moments(x, _N_CHECK) for x in subs], _N_CHECK, powers)
            if not curve.subs(pt).matches_moments(ms):
                ok = False
                break
    if not ok:
        raise BranchError(
            f"{what}: the curve does not reproduce the exact moments {ms[:4]}... of the result "
            "(an input curve is probably not the curve of its law or is reducible: check it, or "
            "call curve.simplify() first)"
        )
    return curve


def _group(laws):
    """Group equal laws: ``[(law, multiplicity)]`` in first-seen order; an
    item may be a ``(law, power)`` pair, whose power is added."""
    out = []
    for x in laws:
        x, k = x if isinstance(x, tuple) else (x, 1)
        for i, (y, j) in enumerate(out):
            if y == x:
                out[i] = (y, j + k)
                break
        else:
            out.append((x, k))
    return out
