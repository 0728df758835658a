"""Reference copy (for benchmarks/bench_kernels.py only) of freealg/activations/quadrature_np.py as it
was before the Mehler passes at orders 1024 and 2048 and the Gauss–Hermite inner rule (main at
ec2a04b).  Not used by the package.

Vectorised float64 Gaussian quadrature: composite Gauss–Legendre panels for
the 1-D expectations, a Mehler (Hermite) expansion and a product rule for the
2-D ones, and the covariance determinant in double-double."""

from __future__ import annotations

import math

import numpy as np

from freealg.errors import InvalidArgumentError

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


def _expect1_np(fun, q, breakpoints):
    q = np.asarray(q, dtype=float)
    shape = q.shape
    qf = q.ravel()
    s = np.sqrt(qf)
    hs = np.array(list(_SOFT) + [float(b) for b in breakpoints])
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
#    kernel matrix), the sum is a Horner loop over the pairs.  Truncation after
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
#    c = 0 (ρ = ±1) is the exact 1-D integral E[f(√s11 z) f(a z)].
# split points (h units) of the 2-D rules: those of the 1-D rule, extended to
# ±40 for the e^{-|h|} tails of sigmoid' and silu' (e^{-40} ~ 4e-18)
_SOFT_2D = _SOFT + (28.0, -28.0, 40.0, -40.0)
_MEHLER_Z = 12.0          # α_k truncation: error <= sup|f| e^{-Z²/4} ~ 2e-16 sup|f|
_MEHLER_STEP = 0.2        # panel width: h_k, k <= 512, oscillates on ~0.2
_MEHLER_KMAX = 512
_MEHLER_REL = 1e-13
_MEHLER_ABS = 1e-17


_MEHLER_BUCKET = 4         # variances within a factor 2^(1/4) share one node set


def _hermite_table(z, K):
    """h_k(z), k = 0..K (orthonormal Hermite polynomials), array (K+1, N)."""
    H = np.empty((K + 1, z.size))
    H[0] = 1.0
    if K:
        H[1] = z
    for k in range(1, K):
        H[k + 1] = (z * H[k] - math.sqrt(k) * H[k - 1]) / math.sqrt(k + 1)
    return H


def _mehler_coeffs(f, s, breakpoints):
    """α_k(s), k = 0..K (array (K+1, U)), the tails t(s) = E f² − Σ α_k²
    (plus a rounding allowance) and E f², for the distinct variances ``s``.

    For a smooth ``f`` the variances are grouped in buckets
    [2^(b/4), 2^((b+1)/4)); one bucket shares a composite 12-point
    Gauss–Legendre rule on |z| <= _MEHLER_Z with panels of width <=
    _MEHLER_STEP, split at h/√s for both ends of the bucket (h = 0, ±0.5, …,
    ±40), so the Hermite table is built once per bucket and
    the projections are one matrix product.  An ``f`` with kinks gets one rule
    per variance, split exactly at the kinks."""
    U = s.size
    K = _MEHLER_KMAX
    A = np.empty((K + 1, U))
    e2 = np.empty(U)
    hs = np.array(list(_SOFT_2D) + [float(b) for b in breakpoints])
    uni = np.linspace(-_MEHLER_Z, _MEHLER_Z, int(round(2 * _MEHLER_Z / _MEHLER_STEP)) + 1)
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
        W = w * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        fz = f(np.sqrt(s[sel])[:, None] * z)                 # (u, N)
        F = fz * W
        e2[sel] = np.einsum("un,un->u", F, fz)
        A[:, sel] = _hermite_table(z, K) @ F.T
    # tails t_K = Σ_{K<k<=Kmax} α_k² + (E f² − Σ_{k<=Kmax} α_k²): the sum of
    # the small terms is formed directly, the one cancelling difference once,
    # with a rounding allowance of 1e-15 E f²
    sq = A * A
    rest = np.maximum(e2 - np.sum(sq, axis=0), 0.0)
    upper = np.cumsum(sq[::-1], axis=0)[::-1]          # upper[k] = Σ_{j>=k} α_j²
    orders = list(range(15, K, 16)) + [K]
    tails = {k: (upper[k + 1] if k < K else 0.0) + rest + 1e-15 * e2 for k in orders}
    small = [k for k in orders if np.all(tails[k] <= 2e-15 * e2)]
    Kc = small[0] if small else orders[-1]
    return A[: Kc + 1], {k: t for k, t in tails.items() if k <= Kc}, e2


def _mehler_np(f, s11, s22, rho, breakpoints, chunk=250_000):
    """Mehler sums for flat pair arrays; returns (values, accepted mask).
    Pairs are grouped by |ρ|; a group is summed to the lowest order whose
    bound |ρ|^{K+1} √(t t) is at rounding level for its largest |ρ|."""
    su, inv = np.unique(np.concatenate([s11, s22]), return_inverse=True)
    i1, i2 = inv[: s11.size], inv[s11.size:]
    A, tails, e2 = _mehler_coeffs(f, su, breakpoints)
    orders = sorted(tails)
    rel_tail = {k: float(np.max(tails[k] / np.where(e2 > 0, e2, 1.0))) for k in orders}
    out = np.empty(s11.size)
    ok = np.empty(s11.size, dtype=bool)
    ar = np.abs(rho)
    group_edges = (0.0, 0.25, 0.5, 0.7, 0.85, 0.95, 1.0)
    grp = np.searchsorted(group_edges[1:-1], ar, side="right")
    for g in range(len(group_edges) - 1):
        gsel = np.flatnonzero(grp == g)
        if not gsel.size:
            continue
        rmax = float(ar[gsel].max())
        K = next((k for k in orders if rmax ** (k + 1) * rel_tail[k] <= 1e-17), orders[-1])
        tail = tails[K]
        for start in range(0, gsel.size, chunk):
            sl = gsel[start:start + chunk]
            r, j1, j2 = rho[sl], i1[sl], i2[sl]
            acc = A[K, j1] * A[K, j2]
            for k in range(K - 1, -1, -1):
                acc = acc * r + A[k, j1] * A[k, j2]
            bound = np.abs(r) ** (K + 1) * np.sqrt(tail[j1] * tail[j2])
            out[sl] = acc
            ok[sl] = (bound <= _MEHLER_REL * np.abs(acc)) | (
                bound <= _MEHLER_ABS * np.sqrt(e2[j1] * e2[j2]))
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


def _product_np(f, s11, s12, s22, breakpoints, chunk=1_000_000):
    """E[f(u) f(v)] by the conditional product rule (algorithm 2 above)."""
    P = s11.size
    out = np.empty(P)
    hs = np.array(list(_SOFT_2D) + [float(b) for b in breakpoints])
    zero1 = s11 == 0
    if np.any(zero1):   # u = 0: E = f(0) E f(v)
        out[zero1] = f(np.zeros(1))[0] * _expect1_np(f, s22[zero1], breakpoints)
    idx = np.flatnonzero(~zero1)
    n1 = (_UNIFORM.size + 2 * hs.size - 1) * _GLN
    n2 = (_UNIFORM.size + hs.size - 1) * _GLN
    step = max(1, chunk // (n1 * n2))
    for start in range(0, idx.size, step):
        sel = idx[start:start + step]
        r11, r12, r22 = s11[sel], s12[sel], s22[sel]
        sq = np.sqrt(r11)
        a = r12 / sq
        c = np.sqrt(_cov_det(r11, r12, r22) / r11)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p1 = hs[None, :] / sq[:, None]
            # the inner expectation, as a function of z1, changes on max(1, c)/|a|
            p2 = hs[None, :] * (np.maximum(c, 1.0) / np.abs(a))[:, None]
        p2 = np.where(np.isfinite(p2), p2, 0.0)
        z1, w1 = _panel_rule(_edges(np.concatenate([p1, p2], axis=-1), (sel.size,)))
        g1 = f(sq[:, None] * z1) * w1 * np.exp(-0.5 * z1 * z1) * _INV_SQRT_2PI
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
        out[sel] = np.sum(g1 * inner, axis=-1)
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


