"""The subordination equation of a ⊠ product as a continuation problem (private).

:class:`_MulProblem` states ``lg(1 + w) - lg(z w) - sum_j L_j log S_j(w) = 0``
in the unknown ``v = log(z G)`` (and one subordination point per factor that
enters through its Cauchy transform) for the shared vertical continuation
:func:`freealg.density.continuation.descend`; the equations are derived in
:mod:`freealg.density.subordination`.
"""

from __future__ import annotations

import numpy as np

from .continuation import EPS, newton_loop
from .mul_factors import _lg


def _log1p(w):
    """``log(1 + w)`` accurate for small complex ``w`` (Kahan's trick)."""
    u = 1.0 + w
    with np.errstate(all="ignore"):
        out = np.log(u) * (w / (u - 1.0))
    return np.where(u == 1.0, w, out)


class _MulProblem:
    """Continuation problem for ``v = log(z G) = lg(1 + w)`` (and the zetas).

    The primary unknown is ``v`` rather than ``w``: ``w = expm1(v)`` and
    ``1 + w = exp(v)`` are then both accurate, at infinity (``w -> 0``) and at
    a hard edge at 0 (``1 + w = zG -> 0``).
    """

    def __init__(self, law):
        self.law = law
        self.closed = law._closed
        self.viac = law._viac
        self.nvar = 1 + len(self.viac)

    def _parts(self, U, z, err=None):
        """F, dF/dv (reduced), d2F/dv2 (approx.), rounding scale, the zeta
        equations and the branch guards at ``U = [v, zeta...]``."""
        v = U[:, 0]
        e = 0.0 if err is None else err
        with np.errstate(all="ignore"):
            u = np.exp(v)
            w = np.expm1(v)
            lzw = _lg(z * w)
            F = v - lzw
            Fv = 1 - u / w
            Fvv = u / w**2
            Fabs = 2 + np.abs(v) + np.abs(lzw)
            # branch guards (up to rounding and the error e of v): 1 + w and
            # z w in the closed lower half plane
            guard = (v.imag <= 1e-12 * np.abs(v) + e) & (v.imag >= -np.pi - e) & (
                np.imag(z * w) <= np.abs(z * w) * (1e-12 + e * np.abs(u / w))
            )
            for f in self.closed:
                S, dl, ddl = f.eval(w, u)
                q = u / S
                logS = v - _lg(q)
                F = F - f.L * logS
                Fv = Fv - f.L * dl * u
                Fvv = Fvv - f.L * (ddl * u * u + dl * u)
                Fabs = Fabs + f.L * (2 + np.abs(logS))
                guard &= np.imag(q) <= np.abs(q) * (1e-12 + e * np.abs(1 - dl * u))
            E, a, Fz = [], [], []
            self._eerr = []
            for j, f in enumerate(self.viac):
                zeta = U[:, 1 + j]
                F = F - f.L * (v - _lg(zeta * w))
                Fv = Fv - f.L * (1 - u / w)
                Fvv = Fvv - f.L * u / w**2
                Fabs = Fabs + f.L * (2 + np.abs(v) + np.abs(_lg(zeta * w)))
                if f.has_psi:
                    # zeta G - 1 summed directly: far from the factor's range
                    # zeta G = 1 + O(m_1/zeta) and lg(zeta G) would cancel
                    psi, dpsi, perr, zG = f.law.psi_and_derivative(zeta)
                    small = np.abs(psi) < 0.5
                    E.append(np.where(small, _log1p(psi), _lg(zG)) - v)
                    a.append(dpsi / zG)
                    self._eerr.append(perr / np.abs(zG) + 4 * EPS * (np.where(small, np.abs(psi), 1.0)
                                                                   + np.abs(v)))
                else:
                    G, dG = f.eval(zeta)
                    E.append(_lg(zeta * G) - v)
                    a.append(1 / zeta + dG / G)
                    self._eerr.append(4 * EPS + f.rel_error(zeta))
                Fz.append(f.L / zeta)
                guard &= np.imag(zeta) >= -np.abs(zeta) * (1e-12 + e * np.abs(u / w))
            Feff = Fv.copy()
            for j in range(len(self.viac)):
                Feff = Feff + Fz[j] / a[j]
        return F, Fv, Fvv, Fabs, E, a, Fz, Feff, guard

    # -- interface
    def start(self, z):
        law = self.law
        u = 1.0 / z
        w = np.zeros_like(z)
        for mk in law._mom_float[:10][::-1]:
            w = (w + mk) * u
        cols = [_log1p(w)]
        for f in self.viac:
            S = np.zeros_like(w)
            for c in f.s_series[::-1]:
                S = S * w + c
            cols.append((1 + w) / (w * S))
        return np.stack(cols, axis=1)

    def newton(self, U, z, maxit=40):
        return newton_loop(U, z, self._newton_step, maxit)

    def _newton_step(self, Ua, za, dprev):
        """One Newton correction at the active points (the ``step`` of
        :func:`~freealg.density.continuation.newton_loop`): the zetas are
        eliminated, ``dv = -(F - sum_j Fz_j E_j / a_j) / F_eff``."""
        F, _, _, Fabs, E, a, Fz, Feff, _ = self._parts(Ua, za)
        with np.errstate(all="ignore"):
            num = F.copy()
            for j in range(len(E)):
                num = num - Fz[j] * E[j] / a[j]
            dv = -num / Feff
            steps = [dv]
            for j in range(len(E)):
                steps.append(-(E[j] - dv) / a[j])
            D = np.stack(steps, axis=1)
            ad = np.abs(dv)
            v = Ua[:, 0]
            floor = 4 * EPS * Fabs / np.abs(Feff) + 2 * EPS * np.abs(v)
            for j in range(len(self.viac)):
                # error of the zeta equation (rounding and the factor's own
                # accuracy) through the elimination: dv = Fz dE/(a Feff)
                floor = floor + np.abs(Fz[j] / a[j]) * self._eerr[j] / np.abs(Feff)
            res = np.abs(F) / Fabs
            for j in range(len(E)):
                res = np.maximum(res, np.abs(E[j]))
        adv = ad
        if len(E):
            # the zetas must settle too (relative steps; this decides
            # convergence only: the error of v is its own step, far from
            # nu's range zeta is ill-conditioned (relative error ~ eps
            # |zeta|/m_1) while v is not)
            zrel = np.max(np.abs(D[:, 1:]) / np.abs(Ua[:, 1:]), axis=1)
            ad = np.maximum(ad, np.where(zrel <= 4 * EPS, 0.0, zrel * (1 + np.abs(v))))
        done = (ad <= floor) | ((ad >= 0.5 * dprev) & (ad <= 1e-9 * (1 + np.abs(v))))
        return D, ad, np.maximum(adv, floor), res, done

    def log_tangent(self, U, z):
        _, _, _, _, _, a, _, Feff, _ = self._parts(U, z)
        v = U[:, 0]
        with np.errstate(all="ignore"):
            cols = [1 / (v * Feff)]
            for j in range(len(a)):
                cols.append(1 / (Feff * a[j] * U[:, 1 + j]))
        return np.stack(cols, axis=1)

    def radius(self, U, z):
        return self.assess(U, z, None)[0]

    def guard(self, U, z, err):
        return self._parts(U, z, err)[-1]

    def assess(self, U, z, err):
        """``(radius, guard)`` from one evaluation; the radius is
        ``|F_v / F_vv|`` (distance to the nearest other root of the local
        quadratic model)."""
        _, _, Fvv, _, _, a, _, Feff, guard = self._parts(U, z, err)
        with np.errstate(all="ignore"):
            if self.viac:
                # the total second derivative where it is numerically resolved
                # (two difference steps agree to 10%); else the explicit part
                # alone (a smaller radius: slower, never less safe)
                F1, F2 = Fvv, Fvv
                for j, f in enumerate(self.viac):
                    c1, c2 = self._zeta_curvature(f, U[:, 1 + j], a[j], 1e-3)
                    F1, F2 = F1 + c1, F2 + c2
                good = np.isfinite(F1) & (np.abs(F1 - F2) <= 0.1 * np.abs(F1))
                Fvv = np.where(good, F1, Fvv)
            r = np.abs(Feff / Fvv)
        return np.where(np.isfinite(r), r, np.inf), guard

    @staticmethod
    def _zeta_curvature(f, zeta, a, step):
        """The part of the total ``d^2 F / dv^2`` that comes from ``zeta(v)``
        (``zeta G(zeta) = e^v``, ``dzeta/dv = 1/a``): ``F_eff`` holds
        ``L/B`` with ``B = zeta a = 1 + zeta G'/G``, whose derivative is
        ``-L B'(zeta)/(a B^2)``, ``B' = G'/G + zeta (G''/G - (G'/G)^2)``.
        Without it the basin radius ``|F_eff/F_vv|`` of a deep product is
        ~L times too small (the explicit ``-L u/w^2`` nearly cancels against
        it) and the continuation takes ~L times too many steps.  ``G''`` by
        central differences of ``G'`` with steps ``h = step |G/G'|`` and
        ``2h`` (a small fraction of the distance to the nearest
        singularity), Richardson-extrapolated.  Returns the term from the
        extrapolated ``G''`` and from the step ``h`` alone (their difference
        is the caller's error estimate)."""
        G, dG = f.eval(zeta)
        h = step * np.abs(G / dG)
        d2 = []
        for hh in (h, 2 * h):
            _, dGp = f.eval(zeta + hh)
            _, dGm = f.eval(zeta - hh)
            d2.append((dGp - dGm) / (2 * hh))
        r1 = dG / G
        B = 1 + zeta * r1
        out = []
        for d2G in ((4 * d2[0] - d2[1]) / 3, d2[0]):
            dB = r1 + zeta * (d2G / G - r1 * r1)
            out.append(-f.L * dB / (a * B * B))
        return out


class _RationalMulProblem(_MulProblem):
    """The equation for closed factors with rational S-transforms, in the
    unknown ``p = lg(u - c)`` (``u = 1 + w = zG``), solved by the numba
    kernels of :mod:`freealg.density._mul_kernels` (one compiled loop per
    point instead of numpy passes whose cost is Python overhead).

    ``c = 0``: ``p = v = log u``, the unknown of :class:`_MulProblem` (same
    equation, stopping rule and error bounds).  ``c > 0``, the mass of an
    atom of the product at 0: as ``z -> 0`` next to it ``u -> c`` linearly in
    ``z``, and the factor that carries the atom has its pole (or zero) of
    ``S`` exactly at ``u = c`` (Belinschi: the product's mass at 0 is the
    largest factor's).  In ``v`` that is a logarithmic singularity of the
    equation at distance ``|u - c|/c ~ |z|`` from the root: the basin
    shrinks with ``z``, the log-log predictor is of order zero (``v`` is
    nearly constant), the walk creeps down by factors ~2 and float64 stops
    at ``|u - c| ~ 1e-12`` (the ReLU support scan fell back to mpmath).  In
    ``p`` the singular term is ``-L p`` (linear), the factors are evaluated
    in ``t = e^p = u - c`` with ``u = c + t`` substituted exactly (the roots
    of :meth:`~freealg.density.mul_factors._Closed.shifted`, no cancellation
    in ``u - c``) and ``p ~ log z``: steps as long as far from the atom.  The
    price is ``w = t - (1 - c)``, which cancels where ``w -> 0`` (``|z|`` far
    beyond the support); its rounding enters the error bound through
    ``Fabs``.  Far out ``p`` tends to the constant ``lg(1 - c)`` (no power
    law): :meth:`predict` also tries the log-log predictor in ``v``.
    """

    def __init__(self, law, c, roots):
        super().__init__(law)
        assert not self.viac
        from . import _mul_kernels

        self._k = _mul_kernels
        self.c = float(c)
        L, k, rr, sg, start = [], [], [], [], [0]
        for f, (kj, rn, rd) in zip(self.closed, roots):
            L.append(float(f.L))
            k.append(complex(kj))
            rr.extend(complex(r) for r in rn)
            sg.extend([1.0] * len(rn))
            rr.extend(complex(r) for r in rd)
            sg.extend([-1.0] * len(rd))
            start.append(len(rr))
        self._args = (self.c, np.array(L, float), np.array(k, complex), np.array(rr, complex),
                      np.array(sg, float), np.array(start, np.int64))

    def newton(self, U, z, maxit=40):
        P, conv, err, res = self._k.newton(np.ascontiguousarray(U[:, 0]), np.asarray(z, complex),
                                           maxit, *self._args)
        return P[:, None], conv, err, res

    def correct(self, U, z):
        """Newton's method from ``U``, then radius, guards and log tangent at
        the result (one compiled pass): ``(U, conv, err, resid, radius,
        guard, tangent)``."""
        P, conv, err, res, rad, guard, tan = self._k.correct(
            np.ascontiguousarray(U[:, 0]), np.asarray(z, complex), 40, *self._args)
        return P[:, None], conv, err, res, rad, guard, tan[:, None]

    def log_tangent(self, U, z):
        return self._k.tangent(np.ascontiguousarray(U[:, 0]), np.asarray(z, complex), *self._args)[:, None]

    def assess(self, U, z, err):
        e = np.zeros(z.shape) if err is None else np.array(np.broadcast_to(err, z.shape), float)
        return self._k.assess(np.ascontiguousarray(U[:, 0]), np.asarray(z, complex),
                              np.ascontiguousarray(e), *self._args)

    def radius(self, U, z):
        return self.assess(U, z, None)[0]

    def guard(self, U, z, err):
        return self.assess(U, z, err)[1]

    def predict(self, U0, s, z0, z1, y0, y1, Up, yp, xa):
        """The predictor of a step, compiled
        (:func:`freealg.density._mul_kernels.predict`): the log-log one or,
        where it gives a smaller Newton step, the power fit along the
        vertical line or (``c > 0``) the log-log predictor in ``v``."""
        c = np.ascontiguousarray
        return self._k.predict(c(U0[:, 0]), c(s[:, 0]), c(z0), c(z1), c(y0, float), c(y1, float),
                               c(Up[:, 0]), c(yp, float), c(xa, float), *self._args)[:, None]

    def start(self, z):
        v = super().start(z)
        if self.c == 0.0:
            return v
        with np.errstate(all="ignore"):
            return _lg(np.expm1(v) + (1.0 - self.c))

    def to_u(self, p):
        """``u = zG`` and ``|du/dp|`` (the scale of the error of ``p``)."""
        with np.errstate(all="ignore"):
            t = np.exp(p)
        return self.c + t, np.abs(t)


def _rational_problem(law):
    """The compiled :class:`_RationalMulProblem` of ``law`` when every factor
    has a rational symbolic S-transform (in ``lg(u - c)`` next to an atom of
    mass ``c`` at 0, else in ``log u``); ``None`` otherwise (the numpy
    :class:`_MulProblem` then walks)."""
    if law._viac or not law._closed:
        return None
    try:
        c = next((m for a, m in law.atoms() if a == 0), 0)
        cf = float(c)
    except (TypeError, ValueError):  # a mass that is not a number
        return None
    if not 0 <= cf < 1:
        return None
    c = c if cf > 0 else 0
    roots = [f.shifted(c) for f in law._closed]
    if any(r is None for r in roots):
        return None
    return _RationalMulProblem(law, c, roots)
