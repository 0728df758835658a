r"""Solver of the multi-sample NTK recursion of Fan and Wang (private; the law
is :mod:`freealg.dnn.ntk_law`).

The recursion coefficients, the exact moments by power series, and the
system of one complex unknown per layer (:class:`_System`) with its
vectorised Newton continuation (:func:`_solve`).

Reference: Fan and Wang, "Spectra of the conjugate kernel and neural tangent
kernel for linear-width neural networks", NeurIPS 2020.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


# ---------------------------------------------------------------------------
# coefficients and exact moments
# ---------------------------------------------------------------------------


def _prod(vals):
    out = 1
    for v in vals:
        out = out * v
    return out


def _coefficients(bs, as_):
    """``(r_0..r_L, r_+)`` of the linearised NTK (module docstring)."""
    L = len(bs)
    b2 = [b * b for b in bs]
    r = [_prod(b2[k:]) for k in range(L + 1)]  # r_k = prod_{j>k} b_j^2 (b2[j-1] = b_j^2)
    rplus = sum((_prod(as_[k:]) - r[k] for k in range(L)), 0)
    return r, rplus


def _smul(p, q, N):
    out = [0] * N
    for i, pi in enumerate(p[:N]):
        if pi == 0:
            continue
        for j in range(min(len(q), N - i)):
            out[i + j] = out[i + j] + pi * q[j]
    return out


def _sinv(p, N):
    """1/p for a series with p[0] != 0."""
    out = [0] * N
    out[0] = 1 / p[0] if not isinstance(p[0], int) else Fraction(1, p[0])
    for k in range(1, N):
        acc = 0
        for j in range(1, min(k, len(p) - 1) + 1):
            acc = acc + p[j] * out[k - j]
        out[k] = -acc * out[0]
    return out


def _sadd(p, q):
    n = max(len(p), len(q))
    return [(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)]


def _sscale(p, c):
    return [c * v for v in p]


def _series_moments(n, gammas, bs, r):
    """Moments ``m_1..m_n`` of ``Σ_k r_k X_kᵀX_k`` (without ``r_+``) by the
    recursion solved as formal power series in ``u = 1/z``: ``s = −Σ m_k
    u^{k+1}``; each fixed-point sweep fixes one more coefficient."""
    L = len(gammas)
    N = n + 2  # coefficients u^0 .. u^{n+1}
    b2 = [b * b for b in bs]
    deltas = [[0] * N for _ in range(L)]
    s = None
    for _ in range(n + 2):
        c = [[rk] + [0] * (N - 1) for rk in r]
        c_at = [None] * (L + 1)
        shift = [0] * N  # Σ w_ℓ (1 − b_ℓ²)
        for k in range(L, 0, -1):
            ck = c[k]
            c_at[k] = ck
            w = _smul(ck, _sinv(_sadd([1], _smul(ck, deltas[k - 1], N)), N), N)
            shift = _sadd(shift, _sscale(w, 1 - b2[k - 1]))
            c[k - 1] = _sadd(c[k - 1], _sscale(w, b2[k - 1]))
        A = _sadd(c[0], shift)
        # s = 1/(c_0 − z_0) = −u/(1 − u A)
        den = _sadd([1], _sscale([0] + A[: N - 1], -1))
        s = [0] + _sscale(_sinv(den, N), -1)[: N - 1]
        tau = s
        new = []
        for k in range(1, L + 1):
            g = gammas[k - 1]
            new.append(_sscale(_sadd(_sscale(tau, b2[k - 1]), _sscale(s, 1 - b2[k - 1])), g))
            d = new[-1]
            tau = _smul(d, _sinv(_sadd([1], _smul(c_at[k], d, N)), N), N)
            tau = _sscale(tau, 1 / g if not isinstance(g, int) else Fraction(1, g))
        deltas = new
    return [-s[k + 1] for k in range(1, n + 1)]


# ---------------------------------------------------------------------------
# numerical solver
# ---------------------------------------------------------------------------


class _System:
    """The ``L`` equations for ``δ_1..δ_L`` at points ``z`` (vectorised), with
    the Jacobian and ``∂s/∂δ`` by forward-mode differentiation."""

    def __init__(self, gammas, bs, r):
        self.g = np.array([float(v) for v in gammas])
        self.b2 = np.array([float(v) ** 2 for v in bs])
        self.r = [float(v) for v in r]
        self.L = len(gammas)

    def __call__(self, z, d):
        # rows of failed points are nan (flagged by the caller, never returned as values)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return self._eval(z, d)

    def _eval(self, z, d):
        P, L = z.size, self.L
        b2, g = self.b2, self.g
        zk = z.astype(complex)
        zg = np.zeros((P, L), complex)
        c = [np.full(P, rk, complex) for rk in self.r]
        cg = [np.zeros((P, L), complex) for _ in self.r]
        c_at = [None] * (L + 1)
        eye = np.eye(L)
        for k in range(L, 0, -1):
            ck, ckg = c[k], cg[k]
            c_at[k] = (ck, ckg)
            dk = d[:, k - 1]
            den = 1 + ck * dk
            w = ck / den
            wg = (ckg * den[:, None] - ck[:, None] * (ckg * dk[:, None] + ck[:, None] * eye[k - 1])) \
                / den[:, None] ** 2
            zk = zk - w * (1 - b2[k - 1])
            zg = zg - wg * (1 - b2[k - 1])
            c[k - 1] = c[k - 1] + w * b2[k - 1]
            cg[k - 1] = cg[k - 1] + wg * b2[k - 1]
        s = 1 / (c[0] - zk)
        sg = -(cg[0] - zg) * s[:, None] ** 2
        tau, taug = s, sg
        res = np.empty((P, L), complex)
        J = np.empty((P, L, L), complex)
        taus = np.empty((P, L + 1), complex)
        taus[:, 0] = tau
        for k in range(1, L + 1):
            res[:, k - 1] = d[:, k - 1] - g[k - 1] * (b2[k - 1] * tau + (1 - b2[k - 1]) * s)
            J[:, k - 1, :] = -g[k - 1] * (b2[k - 1] * taug + (1 - b2[k - 1]) * sg)
            J[:, k - 1, k - 1] += 1
            ck, ckg = c_at[k]
            dk = d[:, k - 1]
            den = g[k - 1] * (1 + ck * dk)
            deng = g[k - 1] * (ckg * dk[:, None] + ck[:, None] * eye[k - 1])
            tau = dk / den
            taug = (eye[k - 1] * den[:, None] - dk[:, None] * deng) / den[:, None] ** 2
            taus[:, k] = tau
        return res, s, sg, J, taus


def _solve(system, z, *, y_stop=None, tol=1e-12, maxit=40):
    """``s(z)`` on the physical branch for complex ``z`` (``Im z ≥ 0``; real
    ``z``: the boundary value ``s(x + i0)``), by Newton continuation down the
    vertical line from ``x + i Y_0``.  Returns ``(s, err, ok)``."""
    z = np.asarray(z, complex).ravel()
    x, yt = z.real, np.maximum(z.imag, 0.0)
    P, L = z.size, system.L
    scale = max(1.0, sum(abs(v) for v in system.r), float(np.max(np.abs(x))) if P else 1.0)
    Y0 = 10.0 * (scale + float(np.max(system.g)))
    ymin = 1e-10 * scale if y_stop is None else y_stop
    ok = np.ones(P, bool)
    d = -(system.g[None, :]) / (x + 1j * Y0)[:, None]
    ys = Y0 * 0.5 ** np.arange(0, 200)
    ys = ys[ys > ymin]
    last_step = np.zeros(P)
    for y in list(ys) + [None]:
        yy = yt if y is None else np.maximum(y, yt)
        zz = x + 1j * yy
        conv = np.zeros(P, bool)
        size = np.full(P, np.inf)
        act = np.flatnonzero(ok)
        # at y = 0 near a square-root edge Newton converges only linearly
        for _ in range(maxit if y is not None else 4 * maxit):
            if act.size == 0:
                break
            res, _s, _sg, J, _t = system(zz[act], d[act])
            with np.errstate(all="ignore"):
                step = np.linalg.solve(J, res[..., None])[..., 0]
            fin = np.all(np.isfinite(step), axis=1)
            d[act] = d[act] - np.where(fin[:, None], step, np.nan)
            size[act] = np.where(fin, np.max(np.abs(step), axis=1), np.inf)
            done = ~fin | (size[act] <= tol * (1 + np.max(np.abs(d[act]), axis=1)))
            conv[act[done & fin]] = True
            act = act[~done]
        res, s, sg, J, taus = system(zz, d)
        bad = ~conv | ~np.all(np.isfinite(d), axis=1)
        if y is None:  # the boundary value: a converged linear tail is accepted with its error
            bad &= ~(np.isfinite(size) & (size <= 1e-9 * (1 + np.max(np.abs(d), axis=1))))
        # branch guards: traces of resolvents against positive matrices
        fl = 1e-10 * (1 + np.abs(d))
        bad |= np.any(d.imag < -fl, axis=1) | (s.imag < -1e-10 * (1 + np.abs(s)))
        bad |= np.any(taus.imag < -1e-10 * (1 + np.abs(taus)), axis=1)
        ok &= ~bad
        d[~ok] = np.nan
        last_step = size
    # two more Newton steps at the target: the size of the last one bounds
    # the error left after it (quadratic convergence; linear at an edge)
    zz = x + 1j * yt
    for _ in range(2):
        act = np.flatnonzero(ok)
        if act.size == 0:
            break
        res, _s, _sg, J, _t = system(zz[act], d[act])
        with np.errstate(all="ignore"):
            step = np.linalg.solve(J, res[..., None])[..., 0]
        d[act] = d[act] - step
        last_step[act] = np.max(np.abs(step), axis=1)
    res, s, sg, J, taus = system(zz, d)
    err = np.full(P, np.inf)
    if ok.any():
        with np.errstate(all="ignore"):
            cond = np.linalg.cond(J[ok])
            dsd = np.max(np.abs(sg[ok]), axis=1)
            err[ok] = dsd * last_step[ok] + 4 * np.finfo(float).eps * cond * (
                np.abs(s[ok]) + dsd * np.max(np.abs(d[ok]), axis=1))
    ok &= np.isfinite(s) & np.isfinite(err)
    return s, err, ok
