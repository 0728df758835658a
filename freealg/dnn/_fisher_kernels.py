"""numba kernels of the explicit FIM chain ``x = X(ξ_1)`` (private; imported
on first use by :mod:`freealg.dnn._fisher_solver`, never at ``import freealg``).

One level, bottom-up (``q = q_{k−1}``, ``q' = q_k``)::

    w_k = (ξ_k w_{k−1} + q)/(ξ_k − q),   y_k = ξ_k R_k(w_k),   ξ_{k+1} = q' + c y_k,

with ``R_k = 1/S_k = Kinv_k (p_k + w)^{[has p]} (1 + w)^{−e_k}``.  Derivatives
in ``ξ_1`` by forward propagation; the layer loop runs inside the kernel.
"""

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy")
def _inv(a):  # pragma: no cover - compiled
    """``1/a`` (numba's complex division raises at 0; this gives inf/nan)."""
    r = a.real * a.real + a.imag * a.imag
    return complex(a.real / r, -a.imag / r)


@numba.njit(cache=True, error_model="numpy")
def _small_im(a, tol):  # pragma: no cover - compiled
    """``|Im a| <= tol |a|`` without a square root (nan: False)."""
    return a.imag * a.imag <= tol * tol * (a.real * a.real + a.imag * a.imag)


@numba.njit(cache=True, error_model="numpy")
def _power_factor(R, opw, inv, e):  # pragma: no cover - compiled
    """``R (1 + w)^{−e}`` by repeated products (``opw = 1 + w``, ``inv`` its
    reciprocal) and its log-derivative ``−e/(1 + w)``; real or complex."""
    if e > 0:
        for _ in range(e):
            R = R * inv
    elif e < 0:
        for _ in range(-e):
            R = R * opw
    return R, -e * inv


@numba.njit(cache=True, error_model="numpy")
def _R(w, Kinv, e, p, hasp):  # pragma: no cover - compiled
    """``R = 1/S``, ``R'/R`` and ``(R''/R)`` at ``w``."""
    opw = 1.0 + w
    inv = _inv(opw)
    R, l1 = _power_factor(Kinv + 0j, opw, inv, e)
    l2 = e * inv * inv
    if hasp:
        ip = _inv(p + w)
        R = R * (p + w)
        l1 = l1 + ip
        l2 = l2 - ip * ip
    return R, l1, l2


@numba.njit(cache=True, error_model="numpy")
def _moebius(xi, dxi, wp, dwp, q, den):  # pragma: no cover - compiled
    """``w_k = (ξ_k w_{k−1} + q)/(ξ_k − q)`` and its ``ξ_1``-derivative
    (``den = 1/(ξ_k − q)``, computed by the caller in its arithmetic)."""
    w = (xi * wp + q) * den
    return w, (dxi * wp + xi * dwp - w * dxi) * den


@numba.njit(cache=True, error_model="numpy")
def _advance(xi, dxi, dw, R, l1, qn, c):  # pragma: no cover - compiled
    """``y_k = ξ_k R_k(w_k)`` and ``ξ_{k+1} = q' + c y_k`` with its
    ``ξ_1``-derivative (``l1 = R'/R``): ``(ξ_{k+1}, ξ_{k+1}', y_k)``."""
    y = xi * R
    dy = dxi * R + xi * R * l1 * dw
    return qn + c * y, c * dy, y


@numba.njit(cache=True, error_model="numpy")
def chain_eval(xi1, qs, c, Kinv, e, p, hasp, tol):  # pragma: no cover - compiled
    """``X, X', X'', w_top, w_top'`` and the Herglotz guards at every ``ξ_1``."""
    n = xi1.size
    nl = Kinv.size
    X = np.empty(n, np.complex128)
    dX = np.empty(n, np.complex128)
    d2X = np.empty(n, np.complex128)
    W = np.empty(n, np.complex128)
    dW = np.empty(n, np.complex128)
    guard = np.ones(n, np.bool_)
    for i in range(n):
        xi = xi1[i]
        dxi = 1.0 + 0j
        d2xi = 0j
        wp = 0j
        dwp = 0j
        d2wp = 0j
        g = True
        for k in range(nl):
            if not (xi.imag >= 0.0 or _small_im(xi, tol)):
                g = False
            q = qs[k]
            den = _inv(xi - q)
            w, dw = _moebius(xi, dxi, wp, dwp, q, den)
            d2w = (d2xi * wp + 2.0 * dxi * dwp + xi * d2wp - 2.0 * dw * dxi - w * d2xi) * den
            R, l1, l2 = _R(w, Kinv[k], e[k], p[k], hasp[k])
            R1 = R * l1
            Rx = R1 * dw
            Rxx = R * (l1 * l1 + l2) * dw * dw + R1 * d2w
            y = xi * R
            dy = dxi * R + xi * Rx
            d2y = d2xi * R + 2.0 * dxi * Rx + xi * Rxx
            # Herglotz guards of the level
            a = 1.0 + w
            if not (a.imag <= 0.0 or _small_im(a, tol)):
                g = False
            a = y * w
            if not (a.imag <= 0.0 or _small_im(a, tol)):
                g = False
            xi = qs[k + 1] + c * y
            dxi = c * dy
            d2xi = c * d2y
            wp = w
            dwp = dw
            d2wp = d2w
        X[i] = xi
        dX[i] = dxi
        d2X[i] = d2xi
        W[i] = wp
        dW[i] = dwp
        guard[i] = g
    return X, dX, d2X, W, dW, guard


@numba.njit(cache=True, error_model="numpy")
def chain_newton(xi0, z, qs, c, Kinv, e, p, hasp, maxit, eps):  # pragma: no cover - compiled
    """Newton's method on ``X(ξ_1) = z`` at every point: ``(ξ_1, converged,
    error bound of ξ_1, relative residual)``."""
    n = xi0.size
    nl = Kinv.size
    XI = xi0.copy()
    conv = np.zeros(n, np.bool_)
    err = np.full(n, np.inf)
    res = np.full(n, np.inf)
    for i in range(n):
        xi1 = xi0[i]
        dprev = np.inf
        for _ in range(maxit):
            xi = xi1
            dxi = 1.0 + 0j
            wp = 0j
            dwp = 0j
            y = 0j
            for k in range(nl):
                q = qs[k]
                w, dw = _moebius(xi, dxi, wp, dwp, q, _inv(xi - q))
                R, l1, _ = _R(w, Kinv[k], e[k], p[k], hasp[k])
                xi, dxi, y = _advance(xi, dxi, dw, R, l1, qs[k + 1], c)
                wp = w
                dwp = dw
            f = xi - z[i]
            if not (np.isfinite(f.real) and np.isfinite(f.imag) and np.isfinite(dxi.real)
                    and np.isfinite(dxi.imag)) or dxi == 0:
                break
            r = abs(f) / (abs(qs[nl]) + abs(c * y))
            d = -f * _inv(dxi)
            ad = abs(d)
            res[i] = r
            floor = 8.0 * eps * abs(xi1)
            # converged: a step at rounding level, or stagnation with the
            # residual at rounding level (next to a fold, where X' -> 0 and
            # fewer digits are attainable: the last step bounds the error)
            if ad <= floor or (ad >= 0.5 * dprev and r <= 1e-12):
                conv[i] = True
                err[i] = 2.0 * max(ad, floor)
                XI[i] = xi1 + d
                break
            xi1 = xi1 + d
            dprev = ad
        if not conv[i]:
            XI[i] = xi1
    return XI, conv, err, res


@numba.njit(cache=True, error_model="numpy")
def chain_real(xi1, qs, c, Kinv, e, p, hasp):  # pragma: no cover - compiled
    """``X, X'`` at real ``ξ_1`` in real arithmetic (the scan for folds)."""
    n = xi1.size
    nl = Kinv.size
    X = np.empty(n)
    dX = np.empty(n)
    for i in range(n):
        xi = xi1[i]
        dxi = 1.0
        wp = 0.0
        dwp = 0.0
        for k in range(nl):
            q = qs[k]
            w, dw = _moebius(xi, dxi, wp, dwp, q, 1.0 / (xi - q))
            opw = 1.0 + w
            R, l1 = _power_factor(Kinv[k], opw, 1.0 / opw, e[k])
            if hasp[k]:
                R = R * (p[k] + w)
                l1 = l1 + 1.0 / (p[k] + w)
            xi, dxi, _ = _advance(xi, dxi, dw, R, l1, qs[k + 1], c)
            wp = w
            dwp = dw
        X[i] = xi
        dX[i] = dxi
    return X, dX
