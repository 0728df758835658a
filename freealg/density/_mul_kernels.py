"""numba kernels of the ⊠ equation for rational S-transforms (private;
imported on first use by :class:`freealg.density.mul_equation._RationalMulProblem`,
never at ``import freealg``).

The equation of :mod:`freealg.density.mul_equation` in the unknown ``p =
lg(u - c)`` (``u = 1 + w = zG``; ``c = 0``: ``p = v = log u``, with ``w =
expm1(v)``) when every factor has ``S = k prod (t - r_i)^{+-1}`` in ``t = u -
c`` (the roots of :meth:`freealg.density.mul_factors._Closed.shifted`)::

    F = lg(u) - lg(z w) - sum_j L_j (lg(u) - lg(u / S_j)),

with ``dF/dp`` and ``d^2F/dp^2`` from ``t d/dt log(t - r) = t/(t - r)`` and
``(t d/dt)^2 log(t - r) = -t r/(t - r)^2``.  One compiled loop per point
replaces the vectorised numpy passes of the Python problem (whose cost on a
1000-point grid is Python overhead, not arithmetic); the arithmetic, the
stopping rule and the error bounds are those of
:meth:`freealg.density.mul_equation._MulProblem._newton_step`.
"""

import cmath
import math

import numba
import numpy as np

_EPS = float(np.finfo(float).eps)


@numba.njit(cache=True, error_model="numpy")
def _lg(u):  # pragma: no cover - compiled
    """``Log(i u) - i pi/2`` (cut on the positive imaginary axis)."""
    return cmath.log(1j * u) - 0.5j * math.pi


@numba.njit(cache=True, error_model="numpy")
def _div(a, b):  # pragma: no cover - compiled
    """``a / b`` for complex ``b`` (numba's complex division raises at 0;
    this gives a non-finite value, which fails the step as in numpy)."""
    if b.real == 0.0 and b.imag == 0.0:
        return complex(np.inf, np.nan)
    return a / b


@numba.njit(cache=True, error_model="numpy")
def _need(a, b, scale):  # pragma: no cover - compiled
    """The least error ``e >= 0``-tolerance with ``a <= b + e scale`` (``-inf``
    when it holds outright, ``inf`` when no finite ``e`` does)."""
    if a <= b:
        return -np.inf
    if not (a > b):
        return np.nan  # nan data: never holds
    return (a - b) / scale if scale > 0 else np.inf


@numba.njit(cache=True, error_model="numpy")
def _eval(p, z, c, L, k, roots, sgn, start):  # pragma: no cover - compiled
    """``F, F_p, F_pp, Fabs`` (rounding scale) at one point, and the least
    error ``e`` of ``p`` with which the branch guards hold (``guard(e) =
    need <= e``): ``1 + w`` in the closed lower half plane with ``Im lg(1 +
    w)`` in ``[-pi, 0]``, ``z w`` and each factor's ``(1 + w)/S`` in the
    closed lower half plane, each up to ``1e-12`` relative and the
    propagated error ``e``."""
    if c == 0.0:
        # u = e^p and w = expm1(p) from one exp, sin and cos (and expm1)
        ea = math.exp(p.real)
        cb = math.cos(p.imag)
        sb = math.sin(p.imag)
        sh = math.sin(0.5 * p.imag)
        u = complex(ea * cb, ea * sb)
        t = u
        w = complex(math.expm1(p.real) * cb - 2.0 * sh * sh, ea * sb)
        v = p
    else:
        t = cmath.exp(p)
        u = c + t
        w = t - (1.0 - c)
        v = _lg(u)
    zw = z * w
    lzw = _lg(zw)
    F = v - lzw
    tu = _div(t, u)
    tw = _div(t, w)
    Fp = tu - tw
    Fpp = tu * _div(c, u) + tw * _div(1.0 - c, w)
    Fabs = 2.0 + abs(v) + abs(lzw)
    if c != 0.0:
        Fabs += abs(tw)  # the rounding of w = t - (1 - c) in lg(z w)
    atu = abs(tu)
    need = max(_need(v.imag, 1e-12 * abs(v), atu), _need(-math.pi - v.imag, 0.0, atu))
    azw = abs(zw)
    need = max(need, _need(zw.imag, 1e-12 * azw, azw * abs(tw)))
    for j in range(L.size):
        S = k[j]
        g1 = 0j
        g2 = 0j
        for i in range(start[j], start[j + 1]):
            r = roots[i]
            d = t - r
            if sgn[i] > 0:
                S = S * d
                g1 += _div(t, d)
                g2 -= _div(t * r, d * d)
            else:
                S = _div(S, d)
                g1 -= _div(t, d)
                g2 += _div(t * r, d * d)
        q = _div(u, S)
        logS = v - _lg(q)
        F -= L[j] * logS
        Fp -= L[j] * g1
        Fpp -= L[j] * g2
        Fabs += L[j] * (2.0 + abs(logS))
        aq = abs(q)
        need = max(need, _need(q.imag, 1e-12 * aq, aq * abs(tu - g1)))
    return F, Fp, Fpp, Fabs, need


@numba.njit(cache=True, error_model="numpy")
def newton(P, Z, maxit, c, L, k, roots, sgn, start):  # pragma: no cover - compiled
    """Newton's method at every point (the loop and stopping rule of
    :func:`freealg.density.continuation.newton_loop` with the step of
    ``_MulProblem._newton_step``): ``(P, converged, err, resid)``."""
    out, conv, err, res, rad, guard, tan = correct(P, Z, maxit, c, L, k, roots, sgn, start)
    return out, conv, err, res


@numba.njit(cache=True, error_model="numpy")
def assess(P, Z, E, c, L, k, roots, sgn, start):  # pragma: no cover - compiled
    """Basin radius ``|F_p / F_pp|`` (``inf`` where not finite) and guards."""
    n = P.size
    rad = np.empty(n)
    guard = np.empty(n, np.bool_)
    for i in range(n):
        F, Fp, Fpp, Fabs, need = _eval(P[i], Z[i], c, L, k, roots, sgn, start)
        r = abs(_div(Fp, Fpp))
        rad[i] = r if math.isfinite(r) else np.inf
        guard[i] = need <= E[i]
    return rad, guard


@numba.njit(cache=True, error_model="numpy")
def tangent(P, Z, c, L, k, roots, sgn, start):  # pragma: no cover - compiled
    """Log tangent ``z p'/p = 1/(p F_p)`` (``F_z = -1/z``)."""
    n = P.size
    out = np.empty(n, np.complex128)
    for i in range(n):
        F, Fp, Fpp, Fabs, need = _eval(P[i], Z[i], c, L, k, roots, sgn, start)
        out[i] = _div(1.0 + 0j, P[i] * Fp)
    return out


@numba.njit(cache=True, error_model="numpy")
def correct(P, Z, maxit, c, L, k, roots, sgn, start):  # pragma: no cover - compiled
    """Newton's method at every point (the loop and stopping rule of
    :func:`freealg.density.continuation.newton_loop` with the step of
    ``_MulProblem._newton_step``), and at a converged value the basin
    radius, the guards (with its error bound) and the log tangent of the
    next step: ``(P, converged, err, resid, radius, guard, tangent)``.

    These come from the last Newton evaluation, at the iterate before the
    final correction, which is below the error bound ``err`` by the
    stopping rule; the guards are taken with the tolerance ``err``, which
    covers that correction."""
    n = P.size
    out = P.copy()
    conv = np.zeros(n, np.bool_)
    err = np.full(n, np.inf)
    res = np.full(n, np.inf)
    rad = np.full(n, np.inf)
    guard = np.zeros(n, np.bool_)
    tan = np.full(n, np.nan + 0j)
    for i in range(n):
        p = P[i]
        z = Z[i]
        dprev = np.inf
        for _ in range(maxit):
            F, Fp, Fpp, Fabs, need = _eval(p, z, c, L, k, roots, sgn, start)
            dv = _div(-F, Fp)
            ad = abs(dv)
            floor = 4.0 * _EPS * Fabs / abs(Fp) + 2.0 * _EPS * abs(p)
            err[i] = max(ad, floor)
            res[i] = abs(F) / Fabs
            if not (math.isfinite(dv.real) and math.isfinite(dv.imag)):
                break
            done = (ad <= floor) or (ad >= 0.5 * dprev and ad <= 1e-9 * (1.0 + abs(p)))
            p = p + dv
            dprev = ad
            if done:
                conv[i] = True
                r = abs(_div(Fp, Fpp))
                rad[i] = r if math.isfinite(r) else np.inf
                guard[i] = need <= err[i]
                tan[i] = _div(1.0 + 0j, p * Fp)
                break
        out[i] = p
    return out, conv, err, res, rad, guard, tan


@numba.njit(cache=True, error_model="numpy")
def _loglog(p0, s, z0, z1):  # pragma: no cover - compiled
    """The log-log predictor ``p0 (z1/z0)^s`` (first order where ``z1 = 0``)."""
    if z1.real == 0.0 and z1.imag == 0.0:
        return p0 * (1.0 + s * _div(z1 - z0, z0))
    return p0 * cmath.exp(s * cmath.log(_div(z1, z0)))


@numba.njit(cache=True, error_model="numpy")
def _power_fit(p0, s, z0, y0, y1, pp, yp):  # pragma: no cover - compiled
    """Predictor along the vertical line from the last two accepted states:
    ``p(y) = A + B y^alpha`` through ``(yp, pp)`` and ``(y0, p0)`` with the
    slope ``dp/dy = i s p0/z0`` at ``y0`` (``alpha`` real).  Exact for ``p -
    p_e ~ (z - z_e)^(1/2)`` while ``y`` is far above the distance of the line
    to a square-root edge ``z_e``, and for ``p`` linear in ``y`` below it,
    where the log-log predictor (a power law in ``z``, not in ``z - z_e``)
    creeps by factors ~2.  ``nan`` where there is no real ``alpha`` in
    ``[0.05, 4]``."""
    nan = complex(np.nan, np.nan)
    dudy = 1j * s * _div(p0, z0)
    r = yp / y0
    if not r > 1.0:
        return nan
    lr = math.log(r)
    Q = _div(p0 - pp, dudy * y0)
    q = Q.real
    if not (abs(Q.imag) <= 0.05 * abs(Q) and q < -lr and math.isfinite(q)):
        return nan
    a = 0.5
    for _ in range(8):
        ra = math.exp(a * lr)
        g = (1.0 - ra) / a - q
        dg = (-ra * lr * a - (1.0 - ra)) / (a * a)
        a = min(max(a - g / dg, 0.02), 8.0)
    ra = math.exp(a * lr)
    if not (abs((1.0 - ra) / a - q) <= 1e-6 * abs(q) and 0.05 <= a <= 4.0):
        return nan
    return p0 + dudy * y0 / a * ((y1 / y0) ** a - 1.0)


@numba.njit(cache=True, error_model="numpy")
def predict(P0, S, Z0, Z1, Y0, Y1, PP, YP, XA, c, L, k, roots, sgn, start):  # pragma: no cover - compiled
    """The predictor of a step of :func:`freealg.density.continuation.descend`
    at every point: the log-log one, and the best by Newton step size of it,
    the power fit (with a history, ``y0 <= |x|/4``) and, for ``c > 0``, the
    log-log predictor in ``v = lg(u)`` mapped to ``p``."""
    n = P0.size
    out = np.empty(n, np.complex128)
    for i in range(n):
        p0 = P0[i]
        s = S[i]
        best = _loglog(p0, s, Z0[i], Z1[i])
        cands = 0
        fit = complex(np.nan, np.nan)
        if math.isfinite(YP[i]) and Y0[i] <= 0.25 * XA[i]:
            fit = _power_fit(p0, s, Z0[i], Y0[i], Y1[i], PP[i], YP[i])
            if math.isfinite(fit.real) and math.isfinite(fit.imag):
                cands += 1
        pv = complex(np.nan, np.nan)
        if c != 0.0:
            t0 = cmath.exp(p0)
            u0 = c + t0
            v0 = _lg(u0)
            sv = _div(t0, u0) * s * _div(p0, v0)
            pv = _lg(cmath.exp(_loglog(v0, sv, Z0[i], Z1[i])) - c)
            if math.isfinite(pv.real) and math.isfinite(pv.imag):
                cands += 1
        if cands:
            F, Fp, Fpp, Fabs, need = _eval(best, Z1[i], c, L, k, roots, sgn, start)
            size = abs(_div(F, Fp))
            if not math.isfinite(size):
                size = np.inf
            for cand in (fit, pv):
                if not (math.isfinite(cand.real) and math.isfinite(cand.imag)):
                    continue
                F, Fp, Fpp, Fabs, need = _eval(cand, Z1[i], c, L, k, roots, sgn, start)
                sz = abs(_div(F, Fp))
                if math.isfinite(sz) and sz < size:
                    best = cand
                    size = sz
        out[i] = best
    return out
