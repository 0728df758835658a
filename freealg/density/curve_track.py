"""Tracking the physical branch of an algebraic curve (private): the
vectorised continuation problem of :func:`freealg.density.continuation.descend`
(:class:`CurveProblem`, :func:`track`) and the scalar mpmath continuation
(:func:`mp_descend`) where float64 cannot separate the roots.
"""

from __future__ import annotations

import numpy as np

from .algebraic import _SEP
from .continuation import EPS, descend, newton_loop


# ---------------------------------------------------------------------------
# continuation problem
# ---------------------------------------------------------------------------


class CurveProblem:
    """The physical root ``G`` of ``P(z, .)``, for :func:`descend`."""

    nvar = 1

    def __init__(self, curve):
        self.c = curve

    def start(self, z):
        m = self.c.start_moments
        u = 1.0 / z
        acc = np.zeros_like(z)
        for mk in m[::-1]:
            acc = (acc + mk) * u
        return ((1.0 + acc) * u)[:, None]

    def newton(self, U, z, maxit=40):
        c = self.c

        def step(Ua, za, dprev):
            G = Ua[:, 0]
            P, PG, _, A, _, _ = c.evaluate(za, G)
            with np.errstate(all="ignore"):
                d = P / PG
                ad = np.abs(d)
                floor = 8 * EPS * A / np.abs(PG) + 2 * EPS * np.abs(G)
                res = np.abs(P) / A
                done = (ad <= floor) | ((ad >= 0.5 * dprev) & (ad <= 1e-9 * np.abs(G - d)))
            return -d[:, None], ad, np.maximum(ad, floor), res, done

        return newton_loop(U[:, :1], z, step, maxit)

    def log_tangent(self, U, z):
        # z G'/G = -(z P_z)/(G P_G) = -sum(i t) / sum(e t), scale free
        t, _ = self.c._terms(z, U[:, 0])
        with np.errstate(all="ignore"):
            return (-(self.c.i[None, :] * t).sum(axis=1) / (self.c.e[None, :] * t).sum(axis=1))[:, None]

    def radius(self, U, z):
        return self.c.separation(z, U[:, 0])

    def guard(self, U, z, err):
        G = U[:, 0]
        return G.imag <= 8 * EPS * np.abs(G) + err


def track(curve, x, y):
    """Physical branch at ``x + i y`` (``y >= 0``) by vertical continuation."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    hull = max(curve.scale, 1e-300)
    Y0 = 64.0 * max(hull, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
    return descend(CurveProblem(curve), x, y, Y0=Y0, xscale=hull)


# ---------------------------------------------------------------------------
# mpmath continuation (fallback where float64 cannot separate the roots)
# ---------------------------------------------------------------------------


def _mp_sep(curve, cs, zz, G):
    """``0.219 / gamma`` with Smale's gamma computed exactly in mpmath."""
    from .._utils.mpctx import mpmath

    emax = int(curve.groups[-1])
    if emax < 2:
        return mpmath.inf
    A = {}
    for (e, i, _), c in zip(curve.exact_terms, cs):
        A[e] = A.get(e, 0) + c * zz**i
    f1 = sum(e * a * G ** (e - 1) for e, a in A.items() if e >= 1)
    if f1 == 0:
        return mpmath.mpf(0)
    best = mpmath.mpf(0)
    for k in range(2, emax + 1):
        fk = sum(mpmath.binomial(e, k) * a * G ** (e - k) for e, a in A.items() if e >= k)
        if fk != 0:
            best = max(best, (abs(fk) / abs(f1)) ** (mpmath.mpf(1) / (k - 1)))
    return _SEP / best if best else mpmath.inf


def mp_descend(curve, x, y_start, G_start, targets, *, dps=30, kappa=0.25, max_steps=1500,
               max_dps=240):
    """Scalar continuation in mpmath from ``x + i y_start`` (where ``G_start``
    is the certified physical value) down through the heights ``targets``
    (visited in decreasing order; ``0`` is the real axis).

    The working precision grows (up to ``max_dps``) whenever the rounding
    error of Newton's method is not well inside the separation of the roots.
    Returns a list of ``(G, ok, radius)`` per target (mpmath values).
    """
    from .._utils.mpctx import mpmath

    order = sorted(range(len(targets)), key=lambda k: -float(targets[k]))
    out = [None] * len(targets)
    old = mpmath.mp.dps
    try:
        work = dps + 10
        mpmath.mp.dps = work
        cs = curve.mp_coeffs(work)
        x = mpmath.mpf(x)
        y = mpmath.mpf(y_start)
        G = mpmath.mpc(G_start)

        def newton(zz, G):
            tol = mpmath.mpf(10) ** (-(work - 5))
            zp = curve.mp_powers(zz)
            for _ in range(200):
                P, PG, _, A = curve.mp_eval(cs, zz, G, zp)
                if PG == 0:
                    return G, False, mpmath.inf
                d = P / PG
                G -= d
                floor = abs(A / PG) * mpmath.mpf(10) ** (-(work - 3))
                if abs(d) <= tol * abs(G) or abs(d) <= floor:
                    return G, True, floor + abs(d)
            return G, False, mpmath.inf

        G, ok, err = newton(mpmath.mpc(x, y), G)
        r = _mp_sep(curve, cs, mpmath.mpc(x, y), G) if ok else mpmath.mpf(0)
        if not ok:
            return [(G, False, r) for _ in targets]
        f = mpmath.mpf(4)
        steps = 0
        for k in order:
            y_end = mpmath.mpf(targets[k])
            nojump = False
            while y > y_end and steps < max_steps:
                steps += 1
                z0 = mpmath.mpc(x, y)
                _, PG, zPz, _ = curve.mp_eval(cs, z0, G)
                s = -zPz / (G * PG)
                y1 = y / f
                jump = False
                if (y_end == 0 and x != 0 and not nojump and y <= abs(x) / 100
                        and abs(s * G) * y / abs(z0) <= 0.05 * kappa * r):
                    y1, jump = mpmath.mpf(0), True
                if y_end > 0 and y1 <= y_end:
                    y1 = y_end
                z1 = mpmath.mpc(x, y1)
                if z1 == 0:
                    pred = G * (1 + s * (z1 - z0) / z0)
                else:
                    pred = G * mpmath.exp(s * mpmath.log(z1 / z0))
                G1, conv, err = newton(z1, pred)
                r1 = _mp_sep(curve, cs, z1, G1) if conv else mpmath.mpf(0)
                if conv and err > 1e-3 * kappa * r1 and work < max_dps and not jump:
                    # not enough digits to tell the roots apart: raise the precision
                    work = min(2 * work, max_dps)
                    mpmath.mp.dps = work
                    cs = curve.mp_coeffs(work)
                    G, _, _ = newton(z0, G)
                    continue
                if conv and abs(G1 - pred) <= kappa * r1 and mpmath.im(G1) <= err:
                    easy = abs(G1 - pred) <= 0.01 * kappa * r1
                    G, y, r = G1, y1, r1
                    f = min(f * f if easy else 2 * f, mpmath.mpf(1000))
                    nojump = False
                elif jump:
                    nojump = True
                else:
                    f = mpmath.sqrt(f)
                    if f < 1 + mpmath.mpf(10) ** -6:
                        break
            out[k] = (+G, bool(y <= y_end), r)
        return out
    finally:
        mpmath.mp.dps = old
