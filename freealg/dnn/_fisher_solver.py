r"""Solver of the one-sample FIM recursion (private; the law is
:mod:`freealg.dnn.fisher`).

Two routes to ``G_{μ_L}(z)``:

* **the explicit chain** (every factor with a closed S-transform: Bernoulli
  ``ν`` of relu / hard-tanh / step, point masses, ``MP`` for Gaussian weights).
  Read bottom-up, the subordination system is one explicit map
  ``x = X(ξ_1)`` of the subordination point ``ξ_1`` of ``μ_1 = δ_{q_0}``
  (:class:`_Chain`), so ``G(z)`` needs one complex unknown at any depth:
  ``X(ξ_1) = z`` is continued from ``z = x + i∞`` by
  :func:`freealg.density.continuation.descend` with the numba kernels below (the
  layer loop inside the kernel, first and second derivatives by forward
  propagation, Herglotz guards at every level).  The support edges are the
  real critical values of ``X`` and ``λ_max`` is the first of them met from
  ``ξ_1 = +∞`` (:meth:`_FimEngine.lambda_max`: a bracketed root of ``X'``).
* **the coupled system** (a smooth ``ν`` enters through its Cauchy
  transform; one to two unknowns per layer, :class:`_FimProblem`), solved by
  Newton's method on the whole system.

References: Hayase and Karakida, "The spectrum of Fisher information of deep
networks achieving dynamical isometry", AISTATS 2021 (arXiv:2006.07814);
Belinschi and Bercovici, "A new approach to subordination results in free
probability", J. Anal. Math. 101 (2007) (subordination for ⊠).
"""

from __future__ import annotations

import math

import numpy as np

from ..density.continuation import EPS, descend
from ..errors import CertificationError
from ._layer_data import to_float
from ._spectra import numeric_factor

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
        U = U.copy()
        n = U.shape[0]
        conv = np.zeros(n, bool)
        failed = np.zeros(n, bool)
        err = np.full(n, np.inf)
        resid = np.full(n, np.inf)
        dprev = np.full(n, np.inf)
        act = np.arange(n)
        for _ in range(maxit):
            if act.size == 0:
                break
            Ua, za = U[act], z[act]
            R, Jm, _, scale, _ = self._system(Ua, za)
            with np.errstate(all="ignore"):
                res = np.max(np.abs(R) / scale, axis=1)
                good = np.all(np.isfinite(Jm.reshape(len(act), -1)), axis=1) & np.all(np.isfinite(R), axis=1)
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
            bad = ~np.all(np.isfinite(D), axis=1)
            ok = ~bad
            U[act[ok]] = Ua[ok] + D[ok]
            ad = np.abs(D[:, 0])
            w0 = np.abs(Ua[:, 0])
            rel = np.max(np.abs(D) / (np.abs(Ua) + 1e-300), axis=1)
            floor = 8 * EPS * np.maximum(w0, 1e-300)
            # converged: a step at rounding level, or stagnation with the
            # residual at rounding level (near a singular edge the Newton
            # matrix has condition ~ 1/y and fewer digits are attainable;
            # the last step is then the error bound)
            done = ok & ((rel <= 4 * EPS) | (ad <= floor)
                         | ((ad >= 0.5 * dprev[act]) & ((rel <= 1e-10) | (res <= 1e-11))))
            err[act] = np.maximum(ad, floor)
            resid[act] = res
            dprev[act] = ad
            conv[act[done]] = True
            failed[act[bad]] = True
            act = act[~(done | bad)]
        # final residual at the accepted points
        R, _, _, scale, _ = self._system(U, z)
        with np.errstate(all="ignore"):
            resid = np.max(np.abs(R) / scale, axis=1)
        return U, conv & ~failed, 2 * err, resid

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


# ---------------------------------------------------------------------------
# the explicit chain (every factor with a closed S-transform)
# ---------------------------------------------------------------------------

def _kernels():
    """The numba kernels (:mod:`freealg.dnn._fisher_kernels`), imported on first use."""
    from . import _fisher_kernels as k

    return k.chain_eval, k.chain_newton, k.chain_real


class _Chain:
    r"""The recursion as one explicit map ``x = X(ξ_1)`` (every factor with a
    closed S-transform: Bernoulli, point mass, ``MP``; module docstring).

    Bottom-up, ``w_1 = q_0/(ξ_1 − q_0)``,
    ``w_k = (ξ_k w_{k−1} + q_{k−1})/(ξ_k − q_{k−1})``, ``y_k = ξ_k/S_k(w_k)``,
    ``ξ_{k+1} = q_k + c y_k`` and ``X(ξ_1) = q_{L−1} + c y_{L−1}``; then
    ``G(z) = (1 + w_{L−1})/(z − q_{L−1})`` at the solution of ``X(ξ_1) = z``.
    Each ``1/S_k`` is ``K_k (p_k + w)^{[has p]} (1 + w)^{−e_k}``.
    """

    def __init__(self, qs, c, K, e, p, hasp):  # noqa: D107
        self.qs = np.asarray(qs, float)
        self.c = float(c)
        self.K = np.asarray(K, float)     # 1/S = K (p + w)^hasp (1 + w)^(-e)
        self.e = np.asarray(e, np.int64)
        self.p = np.asarray(p, float)
        self.hasp = np.asarray(hasp, bool)
        self.q0 = float(self.qs[0])
        self.qtop = float(self.qs[-1])

    @classmethod
    def from_levels(cls, levels, q_top, c_top):
        """From the levels of :class:`_FimProblem` (top first); ``None`` when
        a factor has no closed S-transform of the supported forms."""
        K, e, p, hasp, qs = [], [], [], [], []
        for lev in levels[::-1]:
            if lev.via is not None or lev.c_prev != c_top:
                return None
            Kk, ek, pk, hp = 1.0, 0, 0.0, False
            for f in lev.closed:
                nm = type(f).__name__
                if nm == "_BernoulliFactor" and not hp:
                    ek, pk, hp = ek + 1, float(to_float(f.p)), True
                elif nm == "_MPFactor":
                    ek, Kk = ek - 1, Kk * f.sf
                elif nm == "_PointFactor":
                    Kk = Kk * float(to_float(f.a))
                else:
                    return None
            K.append(Kk)
            e.append(ek)
            p.append(pk)
            hasp.append(hp)
            qs.append(lev.q_prev)
        qs.append(q_top)
        # 1/S = K (p + w)^hasp (1 + w)^(-e): Bernoulli S = (1 + w)/(p + w)
        # (e = 1, K = 1), MP(1, s) S = 1/(s (1 + w)) (e = -1, K = s), δ_a S = 1/a (K = a)
        return cls(qs, c_top, K, e, p, hasp)

    def args(self):
        return (self.qs, self.c, self.K, self.e, self.p, self.hasp)

    def eval(self, xi1, tol=_GUARD_TOL):
        """``(X, X', X'', w_top, w_top', guard)`` at complex ``ξ_1``."""
        ev = _kernels()[0]
        xi1 = np.ascontiguousarray(np.asarray(xi1, complex).ravel())
        with np.errstate(all="ignore"):
            return ev(xi1, *self.args(), tol)

    def newton(self, xi0, z, maxit=40):
        nw = _kernels()[1]
        xi0 = np.ascontiguousarray(np.asarray(xi0, complex).ravel())
        z = np.ascontiguousarray(np.asarray(z, complex).ravel())
        with np.errstate(all="ignore"):
            return nw(xi0, z, *self.args(), maxit, EPS)

    def x_real(self, xi1):
        """``(X, X')`` at real ``ξ_1`` (floats; ``nan`` where undefined)."""
        xi1 = np.ascontiguousarray(np.asarray(xi1, float).ravel())
        with np.errstate(all="ignore"):
            return _kernels()[2](xi1, *self.args())

    # -- mpmath form (high-precision checks of the edge equation) -------------
    def mp_eval(self, xi1):
        """``(X, X', w_top, w_top')`` in mpmath at the working precision (the
        same recursion, in plain Python with mpmath numbers)."""
        from .._utils.mpctx import mpmath

        xi, dxi = mpmath.mpmathify(xi1), mpmath.mpf(1)
        wp, dwp = mpmath.mpf(0), mpmath.mpf(0)
        c = mpmath.mpf(self.c)
        for k in range(self.K.size):
            q = mpmath.mpf(self.qs[k])
            den = xi - q
            w = (xi * wp + q) / den
            dw = (dxi * wp + xi * dwp - w * dxi) / den
            ek = int(self.e[k])
            R = (1 + w) ** (-ek) * mpmath.mpf(self.K[k])
            l1 = -ek / (1 + w)
            if self.hasp[k]:
                pk = mpmath.mpf(self.p[k])
                R = R * (pk + w)
                l1 = l1 + 1 / (pk + w)
            y = xi * R
            dy = dxi * R + xi * R * l1 * dw
            xi, dxi = mpmath.mpf(self.qs[k + 1]) + c * y, c * dy
            wp, dwp = w, dw
        return xi, dxi, wp, dwp


class _ChainProblem:
    """Continuation problem (:func:`freealg.density.continuation.descend`) of the
    scalar equation ``X(ξ_1) = z`` (one unknown, whatever the depth)."""

    nvar = 1

    def __init__(self, chain):  # noqa: D107
        self.chain = chain
        self._cache = None

    def _eval(self, U):
        c = self._cache
        if c is not None and c[0].shape == U.shape and np.array_equal(c[0], U):
            return c[1]
        out = self.chain.eval(U[:, 0])
        self._cache = (U.copy(), out)
        return out

    def start(self, z):
        """Far above the support ``X`` is close to affine: the guess from the
        slope at a large real ``ξ_1``, polished by Newton's method (the
        continuation then checks ``G ~ 1/z`` there through its first step)."""
        ch = self.chain
        z = np.asarray(z, complex)
        ref = ch.q0 + np.max(np.abs(z)) + 1.0
        X, dX = ch.x_real(np.array([ref]))
        with np.errstate(all="ignore"):
            guess = ref + (z - X[0]) / dX[0]
        xi, conv, _, _ = ch.newton(guess, z, maxit=60)
        # the branch at infinity: G = (1 + w_top)/(z − q_top) ~ 1/z
        W = ch.eval(xi)[3]
        with np.errstate(all="ignore"):
            ok = conv & (np.abs(z * (1 + W) / (z - ch.qtop) - 1) <= 0.1)
        return np.where(ok, xi, np.nan)[:, None]

    def newton(self, U, z):
        xi, conv, err, res = self.chain.newton(U[:, 0], z)
        return xi[:, None], conv, err, res

    def log_tangent(self, U, z):
        _, dX, _, _, _, _ = self._eval(U)
        with np.errstate(all="ignore"):
            return (z / (dX * U[:, 0]))[:, None]

    def _radius(self, U, dX, d2X):
        xi = U[:, 0]
        with np.errstate(all="ignore"):
            # |X'/X''|: half the distance to the nearest other solution of
            # X(ξ) = z for the local quadratic model (a fold is where it closes)
            r = np.abs(dX) / np.abs(d2X)
            r = np.where(np.isfinite(r), r, np.inf)
            return 0.5 * np.minimum(np.abs(xi - self.chain.q0), r)

    def radius(self, U, z):
        _, dX, d2X, _, _, _ = self._eval(U)
        return self._radius(U, dX, d2X)

    def guard(self, U, z, err):
        return self._eval(U)[-1]

    def assess(self, U, z, err):
        _, dX, d2X, _, _, g = self._eval(U)
        return self._radius(U, dX, d2X), g


class _FimEngine:
    """Adapter of a :class:`FisherLaw` to :func:`freealg.density.certified_density`."""

    def __init__(self, law):
        self.law = law
        self._residues = law._residues
        self.push = self._find_pushforward()
        problem = law._problem(moments=False)
        self.chain = (_Chain.from_levels(problem.levels, problem.q_top, problem.c_top)
                      if problem.explicit and self.push is None else None)
        if self.chain is not None:
            # the explicit chain: no level moments, and the length scale is
            # λ_max itself (a bracketed root of X', no density scan)
            self.problem = problem
            self.cproblem = _ChainProblem(self.chain)
            self.scale = self.lambda_max()
            # a square-root fold is an ordinary point: the boundary value there
            # is the real value of the chain at the fold (the density is 0),
            # not a limit; only atoms, q_{L-1} and divergent folds are limits
            self.limit_points = self._base_singular
        else:
            self.problem = law._problem()
            self.cproblem = None
            self.scale = law._scale

    # -- the real structure of the explicit chain --------------------------
    _NGRID = 20000

    def _side_grid(self, side):
        """``ξ_1 − q_0 = side · t`` with ``t`` geometric from the affine regime
        of ``X`` (``d log|X| / d log t = 1`` to 1%) down to ``1e-12`` (scaled)."""
        ch = self.chain
        s0 = max(1.0, abs(ch.q0))
        top = 1e8
        while top < 1e250:
            X, dX = ch.x_real(np.array([ch.q0 + side * top * s0]))
            a = side * dX[0] * top * s0 / X[0] if X[0] != 0 else np.nan
            if np.isfinite(a) and abs(a - 1) <= 1e-2:
                break
            top *= 1e8
        return s0 * np.geomspace(top, 1e-12, self._NGRID + int(round(np.log10(top / 1e8))) * 1000)

    def _scan_side(self, side, first=False):
        """Fold brackets and near-fold points on one side of ``q_0``, from the
        far end inwards, in chunks; ``first``: stop at the first chunk with a
        fold (the right edge, :meth:`lambda_max`).  Returns ``(brackets,
        near)`` with ``brackets = (lo, hi)`` arrays (``X'`` changes sign on
        each) and ``near`` the points ``ξ_1`` of near-folds."""
        ch = self.chain
        t = self._side_grid(side)
        g = ch.q0 + side * t
        m, chunk = 1, 2000
        lo, hi, near = [], [], []
        gr = (math.sqrt(5) - 1) / 2
        for start in range(0, g.size - 1, chunk):
            # the chunk with m points of overlap on each side (window of the minima)
            i0, i1 = max(start - m, 0), min(start + chunk + m + 1, g.size)
            gg, tt = g[i0:i1], t[i0:i1]
            X, dX = ch.x_real(gg)
            fin = np.isfinite(X) & np.isfinite(dX)
            sg = np.sign(dX)
            own = np.zeros(gg.size - 1, bool)
            own[start - i0: min(start + chunk, g.size - 1) - i0] = True
            i = np.nonzero(own & fin[:-1] & fin[1:] & (sg[:-1] * sg[1:] < 0))[0]
            clo, chi = list(gg[i]), list(gg[i + 1])
            # local minima of |X'| (per log step, relative to X) deeper than
            # rounding (a fold pair inside one cell shows as one), searched by
            # golden section for a sign change of X'
            with np.errstate(all="ignore"):
                rel = np.abs(dX) * tt / np.abs(X)
            j = np.arange(1, gg.size - 1)
            j = j[own[j]]
            okj = (fin[j - 1] & fin[j] & fin[j + 1] & (sg[j - 1] == sg[j]) & (sg[j] == sg[j + 1]) & (sg[j] != 0)
                   & (rel[j] <= (1 - 1e-6) * np.minimum(rel[j - 1], rel[j + 1])))
            j = j[okj]
            if j.size:
                a_, b_ = gg[j - 1].copy(), gg[j + 1].copy()
                sgn = sg[j]
                for _ in range(100):
                    c1, c2 = b_ - gr * (b_ - a_), a_ + gr * (b_ - a_)
                    left = sgn * ch.x_real(c1)[1] < sgn * ch.x_real(c2)[1]
                    b_ = np.where(left, c2, b_)
                    a_ = np.where(left, a_, c1)
                xm = 0.5 * (a_ + b_)
                pair = sgn * ch.x_real(xm)[1] < 0
                for k in np.nonzero(pair)[0]:
                    clo += [gg[j[k] - 1], xm[k]]
                    chi += [xm[k], gg[j[k] + 1]]
                near += list(xm[~pair])
            lo += clo
            hi += chi
            if first and clo:
                break
        return np.array(lo, float), np.array(hi, float), np.array(near, float)

    def _close_brackets(self, lo, hi):
        """Roots of ``X'`` in the brackets (vectorised bisection): ``(ξ, X(ξ))``."""
        ch = self.chain
        if lo.size == 0:
            return []
        flo = np.sign(ch.x_real(lo)[1])
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            same = np.sign(ch.x_real(mid)[1]) == flo
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        xs = 0.5 * (lo + hi)
        Xs = ch.x_real(xs)[0]
        return [(float(a), float(b)) for a, b in zip(xs, Xs) if np.isfinite(b)]

    def _real_scan(self):
        """Real critical points of ``X`` (folds: support-edge candidates,
        ``[(ξ, X(ξ))]``) and the values of ``X`` at real near-folds, on both
        sides of the pole ``ξ_1 = q_0`` (cached; :meth:`_scan_side`)."""
        if getattr(self, "_scan", None) is not None:
            return self._scan
        folds, near = [], []
        for side in (1.0, -1.0):
            lo, hi, nr = self._scan_side(side)
            folds += self._close_brackets(lo, hi)
            if nr.size:
                Xn = self.chain.x_real(nr)[0]
                near += [float(v) for v in Xn[np.isfinite(Xn)]]
        self._scan = (sorted(folds, key=lambda t: -t[0]), sorted(near))
        return self._scan

    def _chain_edges(self):
        """``[(x_e, G(x_e))]`` at the folds of the explicit chain."""
        ch = self.chain
        out = []
        bound = 1e6 * max(1.0, abs(ch.qtop)) * (1 + ch.c) ** max(ch.K.size, 1)
        for xi, e in self._real_scan()[0]:
            if not (math.isfinite(e) and abs(e) < bound):
                continue
            if any(abs(e - u) <= 1e-9 * max(1.0, abs(e)) for u, _ in out):
                continue
            w = ch.eval(np.array([xi + 0j]))[3][0].real
            out.append((e, (1 + w) / (e - ch.qtop)))
        return sorted(out)

    def edge_candidates(self):
        """Real critical values of ``X`` (the folds: candidate support edges),
        ``[(x_e, G(x_e))]``."""
        if self.chain is None:
            return []
        if getattr(self, "_edges", None) is None:
            self._edges = self._chain_edges()
        return list(self._edges)

    def near_folds(self):
        r"""Real shadows of complex folds close to the axis: ``X(ξ_1)`` at the
        genuine local minima of ``|X'|`` on the real line where ``X`` keeps its
        direction.  A fold ``X(ξ_c)`` with ``ξ_c`` just off the real axis is a
        branch point of the boundary value at distance ``≈ |Im X(ξ_c)|``: the
        density is analytic there but varies on that scale, so the mass
        quadrature is graded towards it."""
        if self.chain is None:
            return []
        out = []
        folds = [e for e, _ in self.edge_candidates()]
        for e in self._real_scan()[1]:
            if not any(abs(e - u) <= 1e-9 * max(1.0, abs(e)) for u in out + folds):
                out.append(e)
        return out

    def lambda_max(self):
        r"""``λ_max``: the largest of the bulk's right edge and the atoms.

        On ``(λ_max, ∞)`` the physical ``ξ_1(x)`` is real and increasing with
        ``ξ_1 → +∞`` as ``x → ∞`` (``G ~ 1/x``), so the right edge is the
        critical value ``X(ξ*)`` at the largest critical point ``ξ* > q_0``
        of ``X`` (the first fold met from ``+∞``: a bracketed root of ``X'``,
        :meth:`_real_scan`).  With no critical point above ``q_0``, ``X``
        decreases to the top atom ``X(q_0^+) = t_L``, which is then the
        largest point of the spectrum."""
        if getattr(self, "_lmax", None) is not None:
            return self._lmax
        ch = self.chain
        # the first chunks from +oo down to the first fold (or the whole side)
        lo, hi, _ = self._scan_side(1.0, first=True)
        up = self._close_brackets(lo, hi)
        atoms = [to_float(a) for a, m in self.law.atoms() if m != 0]
        cands = list(atoms)
        if up:
            xi, e = max(up)
            cands.append(e)
        else:
            t = float(ch.x_real(np.array([ch.q0 + 1e-12 * max(1.0, abs(ch.q0))]))[0][0])
            if not any(abs(t - a) <= 1e-6 * max(1.0, abs(a)) for a in atoms):
                raise CertificationError(
                    f"lambda_max of the FIM law of {self.law.net!r}: X(xi_1) has no critical point "
                    f"above q_0 = {ch.q0:.6g} and its limit {t:.6g} at q_0 is not an atom of the law "
                    f"({atoms}); the numerics failed, this is not a result")
        self._lmax = float(max(cands))
        return self._lmax

    def _find_pushforward(self):
        """``(factor, c, q)`` when ``μ_L`` is the affine image ``q + c ν`` of a
        smooth ``ν``: depth 2 with orthogonal weights, ``μ_2 = q_1 + σ_w² q_0 ν_1``.
        The subordination point of ``ν_1`` is then ``(z − q_1)/c`` itself and
        reaches the real axis with ``z``, where the quadrature Cauchy transform
        of ``ν`` has no boundary value; ``G(z) = G_ν((z − q)/c)/c`` is evaluated
        directly with ``ν``'s boundary values.  ``None`` otherwise."""
        from ..laws import ActivationDerivativeLaw

        law = self.law
        if law.net.depth != 2 or law.init != "orthogonal" or not isinstance(law.nus[0], ActivationDerivativeLaw):
            return None
        f = numeric_factor(law.nus[0])
        c = to_float(law.sigma_w2) * law._qf[0]
        return f, c, law._qf[1]

    def _push_values(self, x, y):
        f, c, q = self.push
        G = np.zeros(x.shape, complex)
        err = np.zeros(x.shape)
        on = y == 0
        if np.any(~on):
            zeta = (x[~on] - q + 1j * y[~on]) / c
            g = np.asarray(f.cauchy(zeta), complex)
            e = np.asarray(f.cauchy_error(zeta), float)
            G[~on], err[~on] = g / c, e / c
        if np.any(on):
            g, e = f.cauchy_boundary((x[on] - q) / c)
            with np.errstate(all="ignore"):
                G[on], err[on] = np.asarray(g, complex) / c, np.asarray(e, float) / c
        with np.errstate(all="ignore"):
            ok = np.isfinite(G) & np.isfinite(err)
        # no equation is solved: residual 0, basin radius infinite
        return G, err, np.zeros(x.shape), ok, np.full(x.shape, np.inf)

    def _chain_values(self, x, y):
        """Boundary values by the explicit chain (one unknown ``ξ_1``)."""
        ch = self.chain
        Y0 = 256.0 * max(self.scale, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
        tr = descend(self.cproblem, x, y, Y0=Y0, xscale=self.scale)
        z = x + 1j * y
        xi, terr, resid, ok, trad = tr.U[:, 0].copy(), tr.err.copy(), tr.resid.copy(), tr.ok.copy(), tr.radius.copy()
        extra = np.zeros(x.size)
        G_edge = {}
        if np.any(~ok & (y == 0)):
            # exactly at a support edge (a fold of X, where Newton's matrix is
            # singular): the value of the real parametrisation there
            edges = self.edge_candidates()
            for i in np.nonzero(~ok & (y == 0))[0]:
                for e, g in edges:
                    if abs(x[i] - e) <= 1e-12 * max(1.0, abs(e)):
                        G_edge[int(i)] = g if abs(g) * self.scale <= 1e6 else complex(0.0, -np.inf)
                        ok[i] = True
        retry = np.nonzero(~ok & (y == 0))[0]
        if retry.size:
            # a point at a square-root edge to the resolution of the walk: the
            # value at x + i eps, eps = 1e-14 scale, with the a-priori error
            # O(sqrt(eps)) of a square-root edge added to the bound
            eps = 1e-14 * self.scale
            tr2 = descend(self.cproblem, x[retry], np.full(retry.size, eps), Y0=Y0, xscale=self.scale)
            good = tr2.ok
            idx = retry[good]
            xi[idx], terr[idx], resid[idx], trad[idx] = (tr2.U[good, 0], tr2.err[good], tr2.resid[good],
                                                         tr2.radius[good])
            ok[idx] = True
            z = z.copy()
            z[idx] = x[idx] + 1j * eps
            extra[idx] = 1e-7
        _, _, _, W, dW, _ = ch.eval(xi)
        qt = ch.qtop
        with np.errstate(all="ignore"):
            G = (1 + W) / (z - qt)
            dG = np.abs(dW) / np.abs(z - qt)
            # error of ξ_1 carried to G, plus the rounding of the chain
            # (about one unit per level in w_top)
            err = dG * terr + (8.0 * EPS * ch.K.size) * np.abs(1 + W) / np.abs(z - qt) + extra * np.abs(G)
            rad = dG * trad
        G = np.where(ok, G, np.nan)
        if retry.size:
            G[extra > 0] = G[extra > 0].real + 1j * np.minimum(G[extra > 0].imag, 0.0)
        for i, g in G_edge.items():
            G[i] = g
            err[i] = 1e-8 * abs(g) if np.isfinite(g) else 0.0
            resid[i] = 0.0
            rad[i] = np.inf
        return G, err, resid, ok, rad

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if self.push is not None:
            return self._push_values(x, y)
        if self.chain is not None:
            return self._chain_values(x, y)
        Y0 = 256.0 * max(self.scale, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
        tr = descend(self.problem, x, y, Y0=Y0, xscale=self.scale)
        z = x + 1j * y
        U, terr, resid, ok, trad = tr.U, tr.err, tr.resid, tr.ok.copy(), tr.radius
        extra = np.zeros(x.size)
        G_edge = {}
        if self.chain is not None and np.any(~ok & (y == 0)):
            # exactly at a support edge (a fold of the system, where the Newton
            # matrix is singular): the explicit real parametrisation gives G
            edges = self.edge_candidates()
            for i in np.nonzero(~ok & (y == 0))[0]:
                for e, g in edges:
                    if abs(x[i] - e) <= 1e-12 * max(1.0, abs(e)):
                        # a finite fold value, or a divergent (arcsine-type) edge
                        G_edge[int(i)] = g if abs(g) * self.scale <= 1e6 else complex(0.0, -np.inf)
                        ok[i] = True
        retry = np.nonzero(~ok & (y == 0))[0]
        if retry.size:
            # a point exactly at a square-root edge (a fold of the system: the
            # Newton matrix is singular there): take the value at x + i eps,
            # eps = 1e-14 scale, and add the a-priori error O(sqrt(eps)) of a
            # square-root edge to the error bound
            eps = 1e-14 * self.scale
            tr2 = descend(self.problem, x[retry], np.full(retry.size, eps), Y0=Y0, xscale=self.scale)
            good = tr2.ok
            idx = retry[good]
            U = U.copy()
            U[idx] = tr2.U[good]
            terr = terr.copy()
            terr[idx] = tr2.err[good]
            resid = resid.copy()
            resid[idx] = tr2.resid[good]
            trad = trad.copy()
            trad[idx] = tr2.radius[good]
            ok[idx] = True
            z = z.copy()
            z[idx] = x[idx] + 1j * eps
            extra[idx] = 1e-7
        w = U[:, 0]
        qt = self.law._qf[-1]
        with np.errstate(all="ignore"):
            G = (1 + w) / (z - qt)
            err = terr / np.abs(z - qt) + extra * np.abs(G)
            rad = trad / np.abs(z - qt)
        if retry.size:
            G[extra > 0] = G[extra > 0].real + 1j * np.minimum(G[extra > 0].imag, 0.0)
        for i, g in G_edge.items():
            G[i] = g
            err[i] = 1e-8 * abs(g) if np.isfinite(g) else 0.0
            resid[i] = 0.0
            rad[i] = np.inf
        return G, err, resid, ok, rad

    def is_real(self, x, G, err, radius):
        with np.errstate(invalid="ignore"):
            return np.isfinite(G) & (np.abs(G.imag) <= err + 8 * EPS * np.abs(G)) & (radius > 4 * err)

    def refine(self, x, G, err, radius, dps):
        return None

    def _base_singular(self):
        pts = {float(to_float(a)) for a, _ in self.law.atoms()} | {float(self.law._qf[-1])}
        if self.chain is not None:
            # folds where G diverges (arcsine-type edges): the density is infinite there
            pts |= {float(e) for e, g in self.edge_candidates() if abs(g) * self.scale > 1e6}
        return sorted(pts)

    def singular(self):
        """Atoms, ``q_{L−1}`` and divergent folds.  (The near-folds,
        :meth:`near_folds`, are not singular: the density is analytic there,
        and the mass quadrature halves its panels where its two rules
        disagree, :func:`freealg.density.certify.mass_quadrature`.)"""
        return self._base_singular()

    def special(self):
        """Support edges, atom locations and folds: boundary values there are
        taken as limits by the density engine."""
        pts = {p for iv in self.support() for p in iv} | set(self.singular())
        if self.chain is not None:
            pts |= {float(e) for e, _ in self.edge_candidates()}
        return sorted(pts)

    def exact_moments(self, K):
        """Reference moments of the certificate: mpmath at 30 digits
        (:meth:`FisherLaw._moments_mp`), the exact ones when already computed."""
        return self.law._moments_mp(K)

    def atoms(self):
        ex = self.law.atoms()
        return ex, [(to_float(a), to_float(m)) for a, m in ex]

    def _positive(self, xs):
        G, err, _, ok, rad = self.values(xs, np.zeros_like(xs))
        return ok & ~self.is_real(xs, G, err, rad) & (G.imag < 0)

    def support(self):
        """Bulk intervals: sign scan of the density on 400 points, each sign
        change resolved by the unique fold of the explicit real
        parametrisation inside it (closed factors) or by 64-section to
        ``1e-11`` relative."""
        if self.law._support is not None:
            return list(self.law._support)
        sing = np.array(self._base_singular())
        hi = 4.0 * self.scale

        def positive(xs):
            xs = np.asarray(xs, float)
            near = np.any(np.abs(xs[:, None] - sing[None, :]) <= 1e-12 * np.maximum(1.0, np.abs(sing)), axis=1)
            xs = np.where(near, xs * (1 + 1e-11), xs)
            return self._positive(xs)

        cands = [e for e, _ in self.edge_candidates()] if self.chain is not None else []
        grid = np.linspace(0.0, hi, 401 if self.chain is not None else 201)[1:]
        if cands:
            # every edge is a fold value: the density has one sign between
            # consecutive candidates, so test one point in each gap as well
            pts = sorted(set([0.0] + [e for e in cands if 0 < e < hi] + [hi]))
            mids = [0.5 * (a + b) for a, b in zip(pts[:-1], pts[1:]) if b > a]
            grid = np.union1d(grid, np.array(mids))
        pos = positive(grid)
        edges = []
        ch = np.nonzero(pos[:-1] != pos[1:])[0]
        for i in ch:
            a, b, lp = grid[i], grid[i + 1], bool(pos[i])
            inside = [e for e in cands if a <= e <= b]
            if len(inside) == 1:
                edges.append((inside[0], lp))
                continue
            K = 63
            for _ in range(8):
                if b - a <= 1e-11 * max(abs(a), abs(b)):
                    break
                pts = a + (b - a) * np.arange(1, K + 1) / (K + 1)
                pm = positive(pts)
                j = int(np.argmax(pm != lp)) if np.any(pm != lp) else K
                lo_pts = np.concatenate([[a], pts])
                hi_pts = np.concatenate([pts, [b]])
                a, b = lo_pts[j], hi_pts[j]
            edges.append((0.5 * (a + b), lp))
        out, start = [], (0.0 if pos[0] else None)
        for e, lp in edges:
            if not lp:
                start = e
            else:
                out.append((start, e))
                start = None
        if start is not None:
            out.append((start, hi))
        self.law._support = [(float(u), float(v)) for u, v in out]
        return list(self.law._support)


