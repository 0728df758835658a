"""Vectorised float64 Gaussian quadrature: composite Gauss–Legendre panels for
the 1-D expectations, a Mehler (Hermite) expansion and a product rule for the
2-D ones, and the covariance determinant in double-double."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidArgumentError

_ZMAX = 9.0
# 1-D: 12 nodes per panel (the bare Gaussian moments are exact to 1e-15);
# 2-D: 10 nodes per panel and fewer split points (cost ~ nodes^2 per pair)
_GLN = 12
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(_GLN)
_GLN2 = 10
_GL2_NODES, _GL2_WEIGHTS = np.polynomial.legendre.leggauss(_GLN2)
# split points in units of h: the standard activations change shape on the
# scale |h| ~ 1 and saturate like e^{-2|h|} (tanh) up to |h| ~ 20
_SOFT = (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 4.0, -4.0, 7.0, -7.0, 12.0, -12.0, 20.0, -20.0)
_FAR = (28.0, -28.0, 40.0, -40.0)
_SOFT2 = (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 4.0, -4.0, 8.0, -8.0)
_UNIFORM = np.linspace(-_ZMAX, _ZMAX, 9)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _panel_rule(edges, rule=None):
    """Gauss–Legendre nodes/weights on sorted panel edges (..., K+1)."""
    xs, ws = rule if rule is not None else (_GL_NODES, _GL_WEIGHTS)
    a = edges[..., :-1, None]
    b = edges[..., 1:, None]
    half = 0.5 * (b - a)
    nodes = (half * xs + 0.5 * (a + b)).reshape(*edges.shape[:-1], -1)
    weights = (half * ws).reshape(*edges.shape[:-1], -1)
    return nodes, weights


def _edges(points, lead_shape):
    """Sorted panel edges: uniform grid plus the given split points (in z),
    clipped to [-Z, Z]; coincident or clipped points give empty panels."""
    uni = np.broadcast_to(_UNIFORM, (*lead_shape, _UNIFORM.size))
    allp = np.concatenate([uni, np.clip(points, -_ZMAX, _ZMAX)], axis=-1)
    return np.sort(allp, axis=-1)


def _expect1_np(fun, q, breakpoints, far=False):
    q = np.asarray(q, dtype=float)
    shape = q.shape
    qf = q.ravel()
    s = np.sqrt(qf)
    # far: also split at ±28, ±40, as the 2-D rules, for activations whose
    # derivative is still above 1e-13 of its size at |h| = 20 (the e^{-|h|}
    # tails of sigmoid and silu: E[silu'(h)^2] at q = 1e6 was off by 7e-11
    # without them); the others keep their panels, and so their bits
    hs = np.array(list(_SOFT) + (list(_FAR) if far else []) + [float(b) for b in breakpoints])
    with np.errstate(divide="ignore", invalid="ignore"):
        pts = hs[None, :] / s[:, None]
    pts = np.where(np.isfinite(pts), pts, 0.0)
    nodes, weights = _panel_rule(_edges(pts, (qf.size,)))
    vals = fun(s[:, None] * nodes)
    out = np.sum(weights * np.exp(-0.5 * nodes * nodes) * vals, axis=-1) * _INV_SQRT_2PI
    # q = 0: the rule above integrates the constant f(0) to 1 - 2e-19
    zero = qf == 0
    if np.any(zero):
        out[zero] = fun(np.zeros(1))[0]
    return out.reshape(shape)


# --- 2-D Gaussian expectations E[f(u) f(v)] (float path) -------------------
#
# Two algorithms, both vectorised over all pairs:
#
# 1. Mehler's expansion.  With u = √s11 z, v = √s22 z', corr(z, z') = ρ and
#    the orthonormal Hermite polynomials h_k = He_k/√k!,
#        E[f(u) f(v)] = Σ_k ρ^k α_k(s11) α_k(s22),  α_k(s) = E[f(√s Z) h_k(Z)].
#    The α_k are 1-D integrals per *distinct variance* (n of them for an n x n
#    kernel matrix), the sum a Horner loop per pair (numba, _quad_kernels) to
#    the lowest order its bound allows: 512 in a first pass, 1024 and 2048
#    for the pairs still open (nearly parallel inputs at variances ~10..140,
#    where the α_k of tanh or gelu decay slowly).  Truncation after
#    k = K is bounded by Cauchy–Schwarz and Parseval (up to the quadrature
#    error of the α_k, ~1e-16 of √E f²; measured against mpmath in the tests):
#        |Σ_{k>K} ρ^k α_k β_k| <= |ρ|^{K+1} √(t(s11) t(s22)),
#        t(s) = E[f(√s Z)²] − Σ_{k<=K} α_k(s)²,
#    and a pair is accepted only when that bound is below _MEHLER_REL of the
#    value (or below _MEHLER_ABS of √(E f(u)² E f(v)²) when the value is ~0).
# 2. Every other pair (|ρ| near 1 with a rough f(√s ·), e.g. tanh at large
#    variance): the conditional decomposition u = √s11 z1, v = a z1 + c z2,
#    a = s12/√s11, c = √(det/s11), det = s11 s22 − s12² in double-double (so c
#    is accurate to a few ulps even for ρ = 1 − 1e-12), with composite
#    12-point Gauss–Legendre rules in z1 and z2 split where f(√s11 z1), the
#    smoothed inner expectation (scale max(1, c)/|a| in z1) and f(a z1 + c z2)
#    change shape (h = 0, ±0.5, …, ±20: the splits of the 1-D rule, whose
#    accuracy is ~1e-16, and ±28, ±40 for the slow e^{-|h|} tails).
#    c = 0 (ρ = ±1) is the exact 1-D integral E[f(√s11 z) f(a z)].  For a
#    smooth f and small c (nearly equal inputs) the inner expectation is a
#    Gauss–Hermite rule in z2 instead, certified by a second order (below).
# split points (h units) of the 2-D rules: those of the 1-D rule, extended to
# ±40 for the e^{-|h|} tails of sigmoid' and silu' (e^{-40} ~ 4e-18)
_SOFT_2D = _SOFT + _FAR
_MEHLER_Z = 12.0          # α_k truncation: error <= sup|f| e^{-Z²/4} ~ 2e-16 sup|f|
_MEHLER_STEP = 0.2        # panel width at order 512: h_k, k <= 512, oscillates on ~0.2
_MEHLER_KMAX = 512
# further passes for the pairs the first leaves uncertified (|ρ| near 1 at
# variances ~10..100, where the α_k of a smooth f decay slowly): orders 1024
# and 2048 on panels of width 0.2 √(512/K) (h_k oscillates on ~1/√k)
_MEHLER_KPASSES = (1024, 2048)
_MEHLER_CONV = 0.1        # ... for variances whose tail at 512 is below this of E f²
_MEHLER_REL = 1e-13
_MEHLER_ABS = 1e-17
_MEHLER_TARGET = 1e-17    # per-pair order: the lowest with bound <= this of the scale


_MEHLER_BUCKET = 4         # variances within a factor 2^(1/4) share one node set


def _hermite_project(z, F, K, block=256):
    """``A[k, u] = Σ_n h_k(z_n) F[u, n]``, k = 0..K (orthonormal Hermite
    polynomials h_k by their three-term recurrence, in the numba kernel
    :func:`._quad_kernels.hermite_block`), ``block`` rows of the table at a
    time, each block one matrix product."""
    from ._quad_kernels import hermite_block

    A = np.empty((K + 1, F.shape[0]))
    z = np.ascontiguousarray(z, dtype=float)
    prev, cur = np.zeros_like(z), np.ones_like(z)
    H = np.empty((min(block, K + 1), z.size))
    for k in range(0, K + 1, block):
        m = min(block, K + 1 - k)
        hermite_block(z, k, prev, cur, H[:m])
        A[k:k + m] = H[:m] @ F.T
    return A


def _bucket_nodes(b, s, breakpoints, hs, step):
    """Composite 12-point Gauss–Legendre nodes and Gaussian weights on
    |z| <= _MEHLER_Z, panels of width <= step, split at h/√s for the bucket's
    variance (kinks) or both ends of the bucket (smooth f)."""
    uni = np.linspace(-_MEHLER_Z, _MEHLER_Z, int(round(2 * _MEHLER_Z / step)) + 1)
    if b == np.iinfo(np.int64).min:
        pts = np.zeros(1)
    elif breakpoints:
        pts = hs / math.sqrt(s[b])
    else:
        ends = np.array([2.0 ** (b / _MEHLER_BUCKET), 2.0 ** ((b + 1) / _MEHLER_BUCKET)])
        with np.errstate(over="ignore", under="ignore"):
            pts = (hs[None, :] / np.sqrt(ends)[:, None]).ravel()
        pts = pts[np.isfinite(pts)]
    edges = np.unique(np.concatenate([uni, np.clip(pts, -_MEHLER_Z, _MEHLER_Z)]))
    z, w = _panel_rule(edges)
    return z, w * np.exp(-0.5 * z * z) * _INV_SQRT_2PI


def _mehler_coeffs(f, s, breakpoints, K=_MEHLER_KMAX, step=_MEHLER_STEP):
    """α_k(s), k = 0..Kc (array (Kc+1, U)), the truncation orders (array), the
    tails t(s) = E f² − Σ_{k<=order} α_k² (plus a rounding allowance) at
    those orders (array (orders, U)) and E f², for the distinct variances ``s``.

    For a smooth ``f`` the variances are grouped in buckets
    [2^(b/4), 2^((b+1)/4)); one bucket shares a composite 12-point
    Gauss–Legendre rule on |z| <= _MEHLER_Z with panels of width <= ``step``,
    split at h/√s for both ends of the bucket (h = 0, ±0.5, …, ±40), so the
    Hermite table is built once per bucket and the projections are one matrix
    product.  An ``f`` with kinks gets one rule per variance, split exactly at
    the kinks.  Kc <= K is the lowest order at which every tail is at rounding
    level."""
    U = s.size
    A = np.empty((K + 1, U))
    e2 = np.empty(U)
    hs = np.array(list(_SOFT_2D) + [float(b) for b in breakpoints])
    pos = s > 0
    bucket = np.full(U, np.iinfo(np.int64).min)
    if breakpoints:
        # kinks: the panels must split exactly at them, one node set per variance
        bucket[pos] = np.flatnonzero(pos)
    else:
        with np.errstate(divide="ignore"):
            bucket[pos] = np.floor(np.log2(s[pos]) * _MEHLER_BUCKET).astype(np.int64)
    for b in np.unique(bucket):
        sel = np.flatnonzero(bucket == b)
        z, W = _bucket_nodes(b, s, breakpoints, hs, step)
        fz = f(np.sqrt(s[sel])[:, None] * z)                 # (u, N)
        F = fz * W
        e2[sel] = np.einsum("un,un->u", F, fz)
        A[:, sel] = _hermite_project(z, F, K)
    # tails t_K = Σ_{K<k<=Kmax} α_k² + (E f² − Σ_{k<=Kmax} α_k²): the sum of
    # the small terms is formed directly, the one cancelling difference once,
    # with a rounding allowance of 1e-15 E f²
    sq = A * A
    rest = np.maximum(e2 - np.sum(sq, axis=0), 0.0)
    upper = np.cumsum(sq[::-1], axis=0)[::-1]          # upper[k] = Σ_{j>=k} α_j²
    orders = list(range(15, K, 16)) + [K]
    tails = np.array([(upper[k + 1] if k < K else 0.0) + rest + 1e-15 * e2 for k in orders])
    small = [i for i in range(len(orders)) if np.all(tails[i] <= 2e-15 * e2)]
    last = small[0] if small else len(orders) - 1
    return A[: orders[last] + 1], np.array(orders[: last + 1]), tails[: last + 1], e2


def _mehler_sum(coeffs, i1, i2, rho):
    """(values, accepted) of Mehler's series for the pairs (i1, i2) of the
    variances of ``coeffs`` (the numba kernel of :mod:`._quad_kernels`)."""
    from ._quad_kernels import mehler_sums

    A, orders, tails, e2 = coeffs
    out = np.empty(rho.size)
    ok = np.empty(rho.size, dtype=np.bool_)
    with np.errstate(divide="ignore"):
        logt = np.log(tails.T)
    mehler_sums(np.ascontiguousarray(A.T), np.ascontiguousarray(logt), orders.astype(np.int64),
                e2, i1.astype(np.int64), i2.astype(np.int64), np.ascontiguousarray(rho, dtype=float),
                _MEHLER_REL, _MEHLER_ABS, _MEHLER_TARGET, out, ok)
    return out, ok


def _mehler_np(f, s11, s22, rho, breakpoints):
    """Mehler sums for flat pair arrays; returns (values, accepted mask).
    Each pair is summed to the lowest order whose bound |ρ|^{K+1} √(t t) is at
    rounding level.  Pairs still uncertified at order 512 with a smooth ``f``
    get further passes at orders 1024 and 2048 (each for the variances of the
    pairs still open whose tail at 512 is below _MEHLER_CONV of E f²)."""
    su, inv = np.unique(np.concatenate([s11, s22]), return_inverse=True)
    i1, i2 = inv[: s11.size], inv[s11.size:]
    coeffs = _mehler_coeffs(f, su, breakpoints)
    out, ok = _mehler_sum(coeffs, i1, i2, rho)
    if breakpoints:
        return out, ok
    _, _, tails, e2 = coeffs
    conv = tails[-1] <= _MEHLER_CONV * np.where(e2 > 0, e2, 1.0)
    for K in _MEHLER_KPASSES:
        bad = np.flatnonzero(~ok)
        cand = bad[conv[i1[bad]] & conv[i2[bad]]]
        if not cand.size:
            break
        need, inv2 = np.unique(np.concatenate([i1[cand], i2[cand]]), return_inverse=True)
        hi = _mehler_coeffs(f, su[need], breakpoints, K=K,
                            step=_MEHLER_STEP * math.sqrt(_MEHLER_KMAX / K))
        v2, ok2 = _mehler_sum(hi, inv2[: cand.size], inv2[cand.size:], rho[cand])
        out[cand[ok2]] = v2[ok2]
        ok[cand[ok2]] = True
    return out, ok


def _two_prod(a, b):
    """a*b = p + e exactly (Dekker; numpy arrays, |a|, |b| <= ~1e150)."""
    p = a * b
    sp_ = 134217729.0
    ca, cb = sp_ * a, sp_ * b
    ah = ca - (ca - a)
    al = a - ah
    bh = cb - (cb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _cov_det_scaled(s11, s12, s22):
    """(d, ex) with s11 s22 − s12² = d 4^ex, d >= 0 accurate to a few ulps:
    the entries are scaled by 2^-ex (exact) and the products are formed in
    double-double (Dekker), so the cancellation near |ρ| = 1 costs nothing."""
    m = np.maximum(np.maximum(s11, s22), np.abs(s12))
    ex = np.frexp(np.where(m > 0, m, 1.0))[1]
    a, b, c = (np.ldexp(v, -ex) for v in (s11, s22, s12))
    p1, e1 = _two_prod(a, b)
    p2, e2 = _two_prod(c, c)
    return np.maximum((p1 - p2) + (e1 - e2), 0.0), ex


def _cov_det(s11, s12, s22):
    """s11 s22 − s12² (>= 0) accurate to a few ulps of the result."""
    d, ex = _cov_det_scaled(s11, s12, s22)
    with np.errstate(over="ignore"):
        return np.ldexp(d, 2 * ex)


def _sqrt_cov_det(s11, s12, s22, shift=0.0):
    """√((s11 + shift)(s22 + shift) − s12²) without overflow, accurate near
    |ρ| = 1: det + shift (s11 + s22) + shift², every term >= 0."""
    d, ex = _cov_det_scaled(s11, s12, s22)
    if shift:
        d = d + shift * (np.ldexp(s11, -ex) + np.ldexp(s22, -ex)) * np.ldexp(1.0, -ex) \
            + shift * shift * np.ldexp(1.0, -2 * ex)
    return np.ldexp(np.sqrt(d), ex)


# the inner expectation E_z2[f(m + c z2)] for small c (nearly parallel inputs):
# Gauss–Hermite rules of _GH_LO and _GH_HI nodes (f analytic in a strip of
# half-width ~1 in h: the error decays like a power (c/strip)^(2n) n!), used
# for c <= _GH_CMAX when the two agree to _GH_TOL of √(E f(u)² E f(v)²)
# (summed over the outer rule); else the composite rule
_GH_LO, _GH_HI = 20, 30
_GH_CMAX = 0.5
_GH_TOL = 4e-16


def _gh_rule(n):
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w * _INV_SQRT_2PI


def _outer_rule(f, r11, r12, r22, hs):
    """The outer z1 rule of the product rule for a chunk of pairs: (a, c, z1,
    W1, f(√s11 z1)) with W1 the Gaussian-weighted Gauss–Legendre weights."""
    sq = np.sqrt(r11)
    a = r12 / sq
    c = np.sqrt(_cov_det(r11, r12, r22) / r11)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p1 = hs[None, :] / sq[:, None]
        # the inner expectation, as a function of z1, changes on max(1, c)/|a|
        p2 = hs[None, :] * (np.maximum(c, 1.0) / np.abs(a))[:, None]
    p2 = np.where(np.isfinite(p2), p2, 0.0)
    z1, w1 = _panel_rule(_edges(np.concatenate([p1, p2], axis=-1), (r11.size,)))
    W1 = w1 * np.exp(-0.5 * z1 * z1) * _INV_SQRT_2PI
    return a, c, z1, W1, f(sq[:, None] * z1)


def _product_gh(f, s11, s12, s22, idx, hs, out, chunk):
    """The product rule with the Gauss–Hermite inner rules for the pairs
    ``idx``; writes the certified ones into ``out`` and returns the others."""
    rules = [_gh_rule(_GH_LO), _gh_rule(_GH_HI)]
    n1 = (_UNIFORM.size + 2 * hs.size - 1) * _GLN
    step = max(1, chunk // (n1 * (_GH_LO + _GH_HI)))
    failed = []
    for start in range(0, idx.size, step):
        sel = idx[start:start + step]
        a, c, z1, W1, fu = _outer_rule(f, s11[sel], s12[sel], s22[sel], hs)
        m = (a[:, None] * z1)[:, :, None]
        lo, hi = (f(m + c[:, None, None] * z) @ w for z, w in rules)
        err = np.sum(np.abs(W1 * fu) * np.abs(lo - hi), axis=-1)
        scale = np.sqrt(np.sum(W1 * fu * fu, axis=-1) * np.sum(W1 * hi * hi, axis=-1))
        good = err <= _GH_TOL * scale
        out[sel[good]] = np.sum(W1 * fu * hi, axis=-1)[good]
        failed.append(sel[~good])
    return np.concatenate(failed) if failed else idx[:0]


def _product_np(f, s11, s12, s22, breakpoints, chunk=1_000_000):
    """E[f(u) f(v)] by the conditional product rule (algorithm 2 above); for a
    smooth f and small c the inner expectation by Gauss–Hermite where two
    orders agree."""
    P = s11.size
    out = np.empty(P)
    hs = np.array(list(_SOFT_2D) + [float(b) for b in breakpoints])
    zero1 = s11 == 0
    if np.any(zero1):   # u = 0: E = f(0) E f(v)
        out[zero1] = f(np.zeros(1))[0] * _expect1_np(f, s22[zero1], breakpoints)
    idx = np.flatnonzero(~zero1)
    if not breakpoints and idx.size:
        c = np.sqrt(_cov_det(s11[idx], s12[idx], s22[idx]) / s11[idx])
        small = (c > 0) & (c <= _GH_CMAX)
        if np.any(small):
            rest = _product_gh(f, s11, s12, s22, idx[small], hs, out, chunk)
            idx = np.sort(np.concatenate([idx[~small], rest]))
    n1 = (_UNIFORM.size + 2 * hs.size - 1) * _GLN
    n2 = (_UNIFORM.size + hs.size - 1) * _GLN
    step = max(1, chunk // (n1 * n2))
    for start in range(0, idx.size, step):
        sel = idx[start:start + step]
        a, c, z1, W1, fu = _outer_rule(f, s11[sel], s12[sel], s22[sel], hs)
        az = a[:, None] * z1                      # (p, n)
        flat = c == 0
        inner = np.empty_like(az)
        if np.any(flat):
            inner[flat] = f(az[flat])
        if not np.all(flat):
            nz = ~flat
            cc = c[nz][:, None, None]
            m = az[nz][:, :, None]
            pts2 = (hs[None, None, :] - m) / cc
            z2, w2 = _panel_rule(_edges(pts2, m.shape[:2]))   # (p, n, k)
            inner[nz] = np.sum(w2 * np.exp(-0.5 * z2 * z2) * f(m + cc * z2), axis=-1) * _INV_SQRT_2PI
        out[sel] = np.sum(W1 * fu * inner, axis=-1)
    return out


def _expect2_np(f, s11, s12, s22, breakpoints, rho=None):
    """E[f(u) f(v)] for broadcast arrays of covariances: Mehler where its
    truncation bound is certified, the product rule elsewhere."""
    shape = s11.shape
    s11, s12, s22 = (np.ravel(v).astype(float) for v in (s11, s12, s22))
    if rho is None:
        rho = _check_cov_np(s11, s12, s22)
    rho = np.ravel(rho)
    out, ok = _mehler_np(f, s11, s22, rho, breakpoints)
    bad = np.flatnonzero(~ok)
    if bad.size:
        out[bad] = _product_np(f, s11[bad], s12[bad], s22[bad], breakpoints)
    return out.reshape(shape)


def _check_cov_np(s11, s12, s22):
    """The correlation ``s12/√(s11 s22)`` of a covariance, computed without
    forming ``s11 s22`` (which overflows for variances above ~1e154)."""
    bad = ~(np.isfinite(s11) & np.isfinite(s12) & np.isfinite(s22))
    if np.any(bad):
        raise InvalidArgumentError("covariance entries must be finite; got a non-finite entry")
    if np.any(s11 < 0) or np.any(s22 < 0):
        raise InvalidArgumentError("variances s11, s22 must be >= 0")
    with np.errstate(under="ignore", over="ignore"):
        prod = s11 * s22
        # √(s11 s22) in one rounding where the product is a normal float (so
        # that rho = 1 exactly for equal inputs), split otherwise
        normal = np.isfinite(prod) & (prod >= np.finfo(float).tiny)
        sq = np.where(normal, np.sqrt(np.where(normal, prod, 1.0)), np.sqrt(s11) * np.sqrt(s22))
    pos = sq > 0
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        rho = np.where(pos, s12 / np.where(pos, sq, 1.0), 0.0)
    # s12^2 <= s11 s22 up to a relative rounding of 1e-12
    excess = np.where(pos, np.abs(rho) > 1 + 5e-13, np.abs(s12) > 1e-150)
    if np.any(excess):
        i = int(np.flatnonzero(excess.ravel())[0])
        raise InvalidArgumentError(
            f"not a covariance: s12^2 > s11 s22 (s11 = {s11.ravel()[i]!r}, "
            f"s12 = {s12.ravel()[i]!r}, s22 = {s22.ravel()[i]!r})"
        )
    # |rho| may exceed 1 by rounding only (checked above)
    return np.clip(rho, -1.0, 1.0)


