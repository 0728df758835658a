r"""The explicit chain of the one-sample FIM recursion (private).

When every factor has a closed S-transform (Bernoulli ``ν`` of relu /
hard-tanh / step, point masses, ``MP`` for Gaussian weights), the
subordination system read bottom-up is one explicit map ``x = X(ξ_1)`` of the
subordination point ``ξ_1`` of ``μ_1 = δ_{q_0}`` (:class:`_Chain`, evaluated
by the numba kernels of :mod:`freealg.dnn._fisher_kernels`);
:class:`_ChainProblem` is its continuation problem, driven from
:class:`freealg.dnn._fisher_solver._FimEngine`.

Reference: Hayase and Karakida, "The spectrum of Fisher information of deep
networks achieving dynamical isometry", AISTATS 2021 (arXiv:2006.07814).
"""

from __future__ import annotations

import numpy as np

from ..density.continuation import EPS
from ._fisher_system import _GUARD_TOL
from ._layer_data import to_float


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
