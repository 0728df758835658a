r"""The coupled subordination system of the one-sample FIM recursion (private).

:class:`_FimProblem`: one to two complex unknowns per layer (a smooth ``ν``
enters through its Cauchy transform), with the continuation interface
(start values, residual, Newton's method on the whole system, Herglotz guards)
that :func:`freealg.density.continuation.descend` drives from
:class:`freealg.dnn._fisher_solver._FimEngine`; :class:`_Level` is one layer of
it.  The law is :mod:`freealg.dnn.fisher`.

Reference: Belinschi and Bercovici, "A new approach to subordination results
in free probability", J. Anal. Math. 101 (2007) (subordination for ⊠).
"""

from __future__ import annotations

import numpy as np

from ..density.continuation import EPS, newton_loop
from ._layer_data import to_float

_GUARD_TOL = 1e-11


class _Level:
    """Numeric data of one level ``k`` of the recursion."""

    def __init__(self, k, closed, via, q_prev, c_prev, moments):  # noqa: D107
        self.k = k
        self.closed = closed          # factors with s_transform
        self.via = via                # factor entering through G (or None)
        self.q_prev = q_prev          # q_{k-1}
        self.c_prev = c_prev          # c_{k-1} (scale of mu_k = q_{k-1} + c P_{k-1})
        self.mom = moments            # float moments of P_k (for the start)
        if via is not None and moments is not None:
            from ..cumulants import s_transform_coefficients

            self.s_series = np.array([complex(to_float(v)) for v in s_transform_coefficients(
                [to_float(v) for v in via.moments(12)])])


def _dS(f, w):
    """``S, S'`` of a closed factor (analytic derivative when offered)."""
    S = np.asarray(f.s_transform(w), complex)
    if hasattr(f, "s_transform_derivative"):
        return S, np.asarray(f.s_transform_derivative(w), complex)
    return S, np.zeros_like(S)  # point masses: constant S


class _FimProblem:
    """Continuation problem for the whole recursion (module docstring)."""

    def __init__(self, levels, q_top, c_top):
        self.levels = levels          # index 0 = top level K
        self.q_top = q_top
        self.c_top = c_top
        idx = 0
        self.iw, self.iz = [], []
        for lev in levels:
            self.iw.append(idx)
            idx += 1
            if lev.via is not None:
                self.iz.append(idx)
                idx += 1
            else:
                self.iz.append(None)
        self.nvar = idx

    @property
    def explicit(self):
        """Every factor has a closed S-transform: then the system is the
        explicit chain ``x = X(ξ_1)`` (:class:`_Chain`)."""
        return all(lev.via is None for lev in self.levels)

    # -- the system and its derivatives ------------------------------------
    def _system(self, U, z, want_jac=True):
        """``(R, J, R_z, scale, guard)`` at ``(U, z)``; the last evaluation
        with the Jacobian is cached (Newton's final check, the basin/guard
        assessment and the next tangent all ask for the same point)."""
        c = getattr(self, "_cache", None)
        if c is not None and c[0].shape == U.shape and np.array_equal(c[0], U) and np.array_equal(c[1], z):
            return c[2]
        out = self._system_eval(U, z)
        self._cache = (U.copy(), z.copy(), out)
        return out

    def _system_eval(self, U, z, want_jac=True):
        n = U.shape[0]
        nv = self.nvar
        R = np.zeros((n, nv), complex)
        Rz = np.zeros((n, nv), complex)
        Jm = np.zeros((n, nv, nv), complex) if want_jac else None
        scale = np.ones((n, nv))
        guard = np.ones(n, bool)
        y = (z - self.q_top) / self.c_top
        dy = np.zeros((n, nv), complex)
        dyz = np.full(n, 1 / self.c_top, complex)
        tol = _GUARD_TOL
        with np.errstate(all="ignore"):
            for li, lev in enumerate(self.levels):
                iw, iz = self.iw[li], self.iz[li]
                w = U[:, iw]
                # T = S_tot/(1 + w): the factor (1 + w) of S would make w = -1 a
                # spurious root (xi = 0) of the equation, so it is divided out
                T = 1 / (1 + w)
                dl_w = -1 / (1 + w)
                for f in lev.closed:
                    S, dS = _dS(f, w)
                    T = T * S
                    dl_w = dl_w + dS / S
                if iz is not None:
                    zeta = U[:, iz]
                    T = T * (1 + w) / (zeta * w)
                    dl_w = dl_w + 1 / (1 + w) - 1 / w
                    dl_z = -1 / zeta
                A = y * T
                dA = T[:, None] * dy
                dA[:, iw] += A * dl_w
                if iz is not None:
                    dA[:, iz] += A * dl_z
                dAz = T * dyz
                xi = A * (1 + w)
                dxi = dA * (1 + w)[:, None]
                dxi[:, iw] += A
                dxiz = dAz * (1 + w)
                if li + 1 < len(self.levels):
                    iwp = self.iw[li + 1]
                    wp = U[:, iwp]
                else:
                    iwp, wp = None, np.zeros(n, complex)
                qp = lev.q_prev
                # E_k = xi (w_{k-1} - w_k)/(1 + w_k) + q_{k-1}
                R[:, iw] = A * (wp - w) + qp
                scale[:, iw] = np.abs(A) * (np.abs(wp) + np.abs(w)) + abs(qp)
                Rz[:, iw] = dAz * (wp - w)
                if want_jac:
                    Jm[:, iw, :] = dA * (wp - w)[:, None]
                    Jm[:, iw, iw] += -A
                    if iwp is not None:
                        Jm[:, iw, iwp] += A
                if iz is not None:
                    G, dG = lev.via.cauchy_and_derivative(zeta)
                    H = zeta * G - (1 + w)
                    R[:, iz] = H
                    scale[:, iz] = np.abs(zeta * G) + np.abs(1 + w)
                    if want_jac:
                        Jm[:, iz, iz] = G + zeta * dG
                        Jm[:, iz, iw] = -1
                    guard &= zeta.imag >= -tol * np.abs(zeta)
                    guard &= (zeta * w).imag <= tol * np.abs(zeta * w)
                # Herglotz guards of this level
                guard &= (1 + w).imag <= tol * np.abs(1 + w)
                guard &= (y * w).imag <= tol * np.abs(y * w)
                guard &= xi.imag >= -tol * np.abs(xi)
                # next level
                if li + 1 < len(self.levels):
                    c = lev.c_prev
                    y = (xi - qp) / c
                    dy = dxi / c
                    dyz = dxiz / c
        return R, Jm, Rz, scale, guard

    # -- the continuation interface ----------------------------------------
    def start(self, z):
        n = z.size
        U = np.zeros((n, self.nvar), complex)
        y = (z - self.q_top) / self.c_top
        with np.errstate(all="ignore"):
            for li, lev in enumerate(self.levels):
                u = 1.0 / y
                w = np.zeros(n, complex)
                for mk in lev.mom[::-1]:
                    w = (w + mk) * u
                U[:, self.iw[li]] = w
                St = np.ones(n, complex)
                for f in lev.closed:
                    St = St * np.asarray(f.s_transform(w), complex)
                if self.iz[li] is not None:
                    s = lev.s_series
                    Sv = np.zeros(n, complex)
                    for cf in s[::-1]:
                        Sv = Sv * w + cf
                    zeta = (1 + w) / (w * Sv)
                    U[:, self.iz[li]] = zeta
                    St = St * Sv
                xi = y * St
                y = (xi - lev.q_prev) / lev.c_prev
        return U

    def newton(self, U, z, maxit=40):
        U, conv, err, _ = newton_loop(U, z, self._newton_step, maxit)
        # final residual at the accepted points
        R, _, _, scale, _ = self._system(U, z)
        with np.errstate(all="ignore"):
            resid = np.max(np.abs(R) / scale, axis=1)
        return U, conv, 2 * err, resid

    def _newton_step(self, Ua, za, dprev):
        """One Newton correction of the whole system at the active points
        (the ``step`` of :func:`freealg.density.continuation.newton_loop`)."""
        R, Jm, _, scale, _ = self._system(Ua, za)
        with np.errstate(all="ignore"):
            res = np.max(np.abs(R) / scale, axis=1)
            good = np.all(np.isfinite(Jm.reshape(len(Ua), -1)), axis=1) & np.all(np.isfinite(R), axis=1)
            D = np.full(Ua.shape, np.nan, complex)
            if good.any():
                try:
                    D[good] = -np.linalg.solve(Jm[good], R[good][..., None])[..., 0]
                except np.linalg.LinAlgError:
                    for j in np.nonzero(good)[0]:
                        try:
                            D[j] = -np.linalg.solve(Jm[j], R[j])
                        except np.linalg.LinAlgError:
                            pass
        ad = np.abs(D[:, 0])
        w0 = np.abs(Ua[:, 0])
        rel = np.max(np.abs(D) / (np.abs(Ua) + 1e-300), axis=1)
        floor = 8 * EPS * np.maximum(w0, 1e-300)
        # converged: a step at rounding level, or stagnation with the
        # residual at rounding level (near a singular edge the Newton
        # matrix has condition ~ 1/y and fewer digits are attainable;
        # the last step is then the error bound)
        done = ((rel <= 4 * EPS) | (ad <= floor)
                | ((ad >= 0.5 * dprev) & ((rel <= 1e-10) | (res <= 1e-11))))
        return D, ad, np.maximum(ad, floor), res, done

    def log_tangent(self, U, z):
        R, Jm, Rz, _, _ = self._system(U, z)
        with np.errstate(all="ignore"):
            try:
                dU = -np.linalg.solve(Jm, Rz[..., None])[..., 0]
            except np.linalg.LinAlgError:
                dU = np.zeros_like(U)
                for j in range(U.shape[0]):
                    try:
                        dU[j] = -np.linalg.solve(Jm[j], Rz[j])
                    except np.linalg.LinAlgError:
                        dU[j] = np.nan
            return z[:, None] * dU / U

    def _radius(self, U):
        lev = self.levels[0]
        w = U[:, 0]
        d = np.abs(w)
        for f in lev.closed:
            p = getattr(f, "p", None)
            if p is not None:
                d = np.minimum(d, np.abs(to_float(p) + w))
        return 0.5 * d

    def radius(self, U, z):
        return self._radius(U)

    def guard(self, U, z, err):
        return self._system(U, z, want_jac=False)[-1]

    def assess(self, U, z, err):
        return self._radius(U), self._system(U, z, want_jac=False)[-1]
