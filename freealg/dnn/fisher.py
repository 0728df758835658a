r"""The spectrum of the one-sample Fisher information matrix (conditional FIM,
equivalently the one-sample NTK) of a random MLP (docs/theory.md §6;
Hayase–Karakida, arXiv:2006.07814; Karakida–Akaho–Amari 2019).

Setting: square layers of width ``M``, one input ``x_0``, output
``f = h_L ∈ R^M``, parameters ``θ`` = the weight entries.  With
``q_ℓ = ‖x_ℓ‖²/M``

    Θ_1 = q_0 I,   Θ_{ℓ+1} = q_ℓ I + W_{ℓ+1} D_ℓ Θ_ℓ D_ℓ W_{ℓ+1}ᵀ,
    J_θ J_θᵀ = M Θ_L                 (J_θ = ∂f/∂θ, an M × P matrix),

so the non-zero eigenvalues of the conditional FIM ``F = J_θᵀ J_θ`` (``P × P``)
are ``M`` times those of ``Θ_L`` (:meth:`freealg.simulate.NetworkInstance.fim_one_sample`
checks this identity on sampled networks).  :func:`fim_law` returns the
limit law ``μ_L`` of the eigenvalues of ``Θ_L``, by the recursion

    μ_1 = δ_{q_0},
    μ_{ℓ+1} = (x ↦ q_ℓ + σ_w² x)_* (ν_ℓ ⊠ μ_ℓ)                (orthogonal init),
    μ_{ℓ+1} = (x ↦ q_ℓ + x)_* (MP(1, σ_w²) ⊠ ν_ℓ ⊠ μ_ℓ)       (Gaussian init),

with ``ν_ℓ`` the law of ``D_ℓ² = φ'(h_ℓ)²``.

Which ``q_ℓ`` and ``ν_ℓ``.  ``q_in=None`` (default): the input sits at the
fixed point of the mean-field recursion (``σ_w² q_0 + σ_b² = q*``), so every
layer has pre-activation variance ``q^ℓ = q*``, ``ν_ℓ = ν*`` and
``q_ℓ = q̂* = E φ(√q* z)²``.  With ``q_in = ‖x_0‖²/M``: ``q_0 = q_in`` and
``q^ℓ``, ``q_ℓ = q̂^ℓ`` follow :meth:`freealg.MLP.q_sequence` and
:meth:`freealg.MLP.qhat_sequence`, ``ν_ℓ`` at ``q^ℓ``.

Facts (all checked by the tests):

* mean: ``m_1(μ_{ℓ+1}) = q_ℓ + χ_ℓ m_1(μ_ℓ)``, ``χ_ℓ = σ_w² E φ'(h_ℓ)²``, so on
  the critical line at the fixed point ``m_1(μ_L) = Σ_{ℓ<L} q_ℓ = L q̂*``:
  linear in depth;
* atoms (orthogonal init, ``ν_ℓ`` = Bernoulli(``α_ℓ``)): Belinschi's rule for
  ⊠ gives the top atom at ``t_L``, ``t_1 = q_0``, ``t_{ℓ+1} = q_ℓ + σ_w² t_ℓ``,
  with mass ``max(0, 1 − Σ_{ℓ<L} (1 − α_ℓ))`` (``1 − (L − 1)(1 − α)`` for one
  ``α``), and ``1 − α_{L−1}`` at ``q_{L−1}`` (the kernel of ``D_{L−1}``);
* under dynamical isometry (``α → 1``, ``σ_w → 1``) the spectrum concentrates
  at ``λ_max ≈ L q̂*``, so gradient descent on the loss
  ``(1/2M) ‖f − y‖²`` is stable only for ``η < 2/λ_max(Θ_L)`` (the
  ``η ∝ 1/L`` line of Hayase–Karakida); for the unnormalised loss ``½‖f − y‖²`` the Hessian is
  ``F`` itself and the bound is ``2/(M λ_max(Θ_L))``
  (:meth:`FisherLaw.learning_rate_bound`).

Numerics.  The density, support, ``λ_max`` and Cauchy transform come from a
functional-equation solver for the whole recursion (no spectral curve: its
degree doubles with every layer).  At level ``k`` the product
``P_k = ν_k ⊠ μ_k`` (times ``MP`` for Gaussian init) is written with
subordination: ``w_k = y_k G_{P_k}(y_k) − 1``, the subordination point of
``μ_k`` is ``ξ_k = y_k Π_j S_j(w_k)`` (product over the other factors) and

    ξ_k (w_{k−1} − w_k)/(1 + w_k) + q_{k−1} = 0      (w_0 = 0),
    y_{k−1} = (ξ_k − q_{k−1})/c_{k−1},   y_{L−1} = (z − q_{L−1})/c_{L−1},

with ``c = σ_w²`` (orthogonal) or ``1`` (Gaussian); a factor without a closed
S-transform (a smooth ``ν``) adds an unknown ``ζ_k`` with
``ζ_k G_ν(ζ_k) = 1 + w_k``.  Then ``G_{μ_L}(z) = (1 + w_{L−1})/(z − q_{L−1})``.
The system (one to two unknowns per layer) is solved by Newton's method with
the vertical continuation of the density engine from ``z = x + i∞``
(:mod:`freealg._continuation`), with Herglotz guards at every level
(``Im ξ_k ≥ 0``, ``Im w_k ≤ 0``, ``Im(y_k w_k) ≤ 0``); every density carries
the evidence of :func:`freealg.density.curve_density` against the exact
moments.  For two hidden layers (``L = 3``) with Bernoulli ``ν`` the closed
form curve is :meth:`FisherLaw.curve` (:func:`freealg.fim_two_layer_curve`).

Examples
--------
Critical ReLU, orthogonal weights, input at the fixed point (``q̂* = 1``):

>>> import sympy, freealg
>>> law = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law()
>>> law.q, law.mean()                       # mean Σ q_ℓ = L q̂*
([1, 1, 1], 3)
>>> law.atoms()                             # 1/2 at q_2; the top atom has mass 1 − 2·(1/2) = 0
[(1, 1/2)]
>>> law.curve().degree                      # the two-hidden-layer closed form
2
"""

from __future__ import annotations

from .._law_api import LawMethods
from .._utils.symbolic import sympify_safe
import math

import numpy as np
import sympy

from .._continuation import EPS, descend
from ..errors import (
    CertificationError,
    ConvergenceError,
    InvalidArgumentError,
    NotAlgebraicError,
    TooLargeError,
)
from ._spectra import (
    layer_data,
    numeric_factor,
    product_atoms,
    series_product_moments,
    to_float,
)

__all__ = ["FisherLaw", "fim_law"]

_GUARD_TOL = 1e-11


def _shift_scale_moments(m, q, c, n):
    """Moments of ``q + c X`` from those of ``X`` (same number kind as ``m``)."""
    if any(type(v).__module__.startswith("mpmath") for v in m[:n]):
        from .._utils.mpctx import mpmath

        if isinstance(q, sympy.Basic):
            q = mpmath.mpf(sympy.N(q, mpmath.mp.dps + 10))
        if isinstance(c, sympy.Basic):
            c = mpmath.mpf(sympy.N(c, mpmath.mp.dps + 10))
    out = []
    for k in range(1, n + 1):
        tot = q**k
        for j in range(1, k + 1):
            tot = tot + math.comb(k, j) * q ** (k - j) * c**j * m[j - 1]
        out.append(sympy.expand(tot) if isinstance(tot, sympy.Basic) else tot)
    return out


class _Level:
    """Numeric data of one level ``k`` of the recursion."""

    def __init__(self, k, closed, via, q_prev, c_prev, moments):  # noqa: D107
        self.k = k
        self.closed = closed          # factors with s_transform
        self.via = via                # factor entering through G (or None)
        self.q_prev = q_prev          # q_{k-1}
        self.c_prev = c_prev          # c_{k-1} (scale of mu_k = q_{k-1} + c P_{k-1})
        self.mom = moments            # float moments of P_k (for the start)
        if via is not None:
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
        """Every factor has a closed S-transform: then the real points of the
        system are an explicit curve ``x(ξ_1)`` (:meth:`x_of_xi`)."""
        return all(lev.via is None for lev in self.levels)

    def x_of_xi(self, xi1, *, with_w=False):
        r"""The real point ``x`` whose subordination point of ``μ_1 = δ_{q_0}``
        is ``ξ_1`` (closed factors only): bottom-up, ``w_1 = q_0/(ξ_1 − q_0)``,
        ``w_k = (ξ_k w_{k−1} + q_{k−1})/(ξ_k − q_{k−1})``,
        ``y_k = ξ_k/S_k(w_k)``, ``ξ_{k+1} = q_k + c y_k``, ``x = q_{L−1} + c y_{L−1}``."""
        xi = np.asarray(xi1, float)
        wprev = np.zeros_like(xi)
        with np.errstate(all="ignore"):
            for li in range(len(self.levels) - 1, -1, -1):
                lev = self.levels[li]
                qp = lev.q_prev
                w = (xi * wprev + qp) / (xi - qp)
                S = np.ones_like(xi)
                for f in lev.closed:
                    S = S * np.asarray(f.s_transform(w + 0j), complex).real
                y = xi / S
                c = lev.c_prev if li > 0 else self.c_top
                nxt = (self.levels[li - 1].q_prev if li > 0 else self.q_top) + c * y
                xi, wprev = nxt, w
        return (xi, wprev) if with_w else xi

    def edge_candidates(self):
        """Real critical values of ``x(ξ_1)`` (the folds of the system): the
        candidates for the support edges, as ``[(x_e, G(x_e))]``."""
        if getattr(self, "_edges", None) is None:
            self._edges = self._edge_candidates()
        return self._edges

    def _edge_candidates(self):
        q0 = self.levels[-1].q_prev
        big = 1e8 * max(1.0, abs(q0))
        grid = np.concatenate([
            q0 - np.geomspace(big, 1e-10 * max(1.0, abs(q0)), 4000),
            q0 + np.geomspace(1e-10 * max(1.0, abs(q0)), big, 4000),
        ])
        x = self.x_of_xi(grid)
        dx = np.diff(x)
        out = []
        ok = np.isfinite(dx[:-1]) & np.isfinite(dx[1:])
        for i in np.nonzero(ok & (np.sign(dx[:-1]) * np.sign(dx[1:]) < 0))[0]:
            a, b = grid[i], grid[i + 2]
            # golden-section search for the extremum of x on [a, b]
            sgn = 1.0 if dx[i] > 0 else -1.0  # maximum if x increases first
            g = (math.sqrt(5) - 1) / 2
            for _ in range(200):
                c1, c2 = b - g * (b - a), a + g * (b - a)
                f1, f2 = sgn * self.x_of_xi(c1), sgn * self.x_of_xi(c2)
                if f1 > f2:
                    b = c2
                else:
                    a = c1
                if b - a <= 1e-15 * max(abs(a), abs(b)):
                    break
            e, w = self.x_of_xi(np.array([0.5 * (a + b)]), with_w=True)
            e, w = float(e[0]), float(w[0])
            if math.isfinite(e) and abs(e) < 1e6 * max(1.0, abs(self.q_top)) * (1 + self.c_top) ** len(self.levels):
                if not any(abs(e - u) <= 1e-9 * max(1.0, abs(e)) for u, _ in out):
                    out.append((e, (1 + w) / (e - self.q_top)))
        self._near = self._near_fold_values(grid, x, dx, [e for e, _ in out])
        return sorted(out)

    def near_folds(self):
        r"""Real shadows of complex folds close to the axis: the values
        ``x(ξ_1)`` at the local minima of ``|dx/d log|ξ_1 − q_0||`` where ``x``
        keeps its sign of variation (closed factors only).

        A fold ``x_c = x(ξ_c)`` with ``ξ_c`` just off the real axis is a
        branch point of the continued boundary value at distance
        ``≈ |Im x_c|`` from the axis: the density is analytic there but
        varies on that scale (at depth 16, hard-tanh, the merged bulk pieces
        have dips of width ``~3e-4``), so a quadrature has to be graded
        towards ``Re x_c``, which the real near-fold locates."""
        self.edge_candidates()
        return list(self._near)

    def _near_fold_values(self, grid, x, dx, folds):
        a = np.abs(dx)
        ok = np.isfinite(dx)
        q0 = self.levels[-1].q_prev
        out = []
        for i in range(1, dx.size - 1):
            if not (ok[i - 1] and ok[i] and ok[i + 1] and a[i] < a[i - 1] and a[i] < a[i + 1]):
                continue
            if not (np.sign(dx[i - 1]) == np.sign(dx[i]) == np.sign(dx[i + 1]) != 0):
                continue
            lo, hi = grid[i - 1], grid[i + 2]
            if (lo - q0) * (hi - q0) <= 0:
                continue  # the seam of the two half-grids at ξ_1 = q_0 (x → the top atom)

            def slope(t):
                h = 1e-7 * abs(t - q0)
                return abs(float(self.x_of_xi(np.array([t + h]))[0] - self.x_of_xi(np.array([t - h]))[0]) / h)

            g = (math.sqrt(5) - 1) / 2
            for _ in range(100):
                c1, c2 = hi - g * (hi - lo), lo + g * (hi - lo)
                if slope(c1) < slope(c2):
                    hi = c2
                else:
                    lo = c1
                if hi - lo <= 1e-12 * max(abs(lo), abs(hi)):
                    break
            e = float(self.x_of_xi(np.array([0.5 * (lo + hi)]))[0])
            if math.isfinite(e) and not any(abs(e - u) <= 1e-9 * max(1.0, abs(e)) for u in out + list(folds)):
                out.append(e)
        return sorted(out)

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


class _FimEngine:
    """Adapter of a :class:`FisherLaw` to :func:`freealg.density.certified_density`."""

    def __init__(self, law):
        self.law = law
        self.problem = law._problem()
        self.scale = law._scale
        self._residues = law._residues
        self.push = self._find_pushforward()

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

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if self.push is not None:
            return self._push_values(x, y)
        Y0 = 256.0 * max(self.scale, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
        tr = descend(self.problem, x, y, Y0=Y0, xscale=self.scale)
        z = x + 1j * y
        U, terr, resid, ok, trad = tr.U, tr.err, tr.resid, tr.ok.copy(), tr.radius
        extra = np.zeros(x.size)
        G_edge = {}
        if self.problem.explicit and np.any(~ok & (y == 0)):
            # exactly at a support edge (a fold of the system, where the Newton
            # matrix is singular): the explicit real parametrisation gives G
            edges = self.problem.edge_candidates()
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
        if self.problem.explicit:
            # folds where G diverges (arcsine-type edges): the density is infinite there
            pts |= {float(e) for e, g in self.problem.edge_candidates() if abs(g) * self.scale > 1e6}
        return sorted(pts)

    def singular(self):
        """Atoms, ``q_{L−1}``, divergent folds, and the near-folds inside the
        support (:meth:`_FimProblem.near_folds`): the density is analytic at
        a near-fold but varies on the scale of its distance to a complex
        branch point, so the mass quadrature grades its panels towards it."""
        pts = set(self._base_singular())
        if self.problem.explicit:
            sup = self.support()
            for e in self.problem.near_folds():
                if any(a + 1e-9 * abs(a) < e < b - 1e-9 * abs(b) for a, b in sup) and not any(
                        abs(e - p) <= 1e-9 * max(1.0, abs(p)) for p in pts):
                    pts.add(e)
        return sorted(pts)

    def special(self):
        """Support edges, atom locations and folds: boundary values there are
        taken as limits by the density engine."""
        pts = {p for iv in self.support() for p in iv} | set(self.singular())
        if self.problem.explicit:
            pts |= {float(e) for e, _ in self.problem.edge_candidates()}
        return sorted(pts)

    def exact_moments(self, K):
        return self.law.moments(K)

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

        cands = [e for e, _ in self.problem.edge_candidates()] if self.problem.explicit else []
        grid = np.linspace(0.0, hi, 401 if self.problem.explicit else 201)[1:]
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


class FisherLaw(LawMethods):
    r"""The law ``μ_L`` of the eigenvalues of the one-sample FIM/NTK ``Θ_L``
    (module docstring).  Build it with :meth:`freealg.MLP.fim_law`.

    Attributes
    ----------
    net : MLP
    q : list
        ``q_0, …, q_{L−1}`` (exact numbers; ``q_ℓ = ‖x_ℓ‖²/M``).
    nus : list of Law
        ``ν_1, …, ν_{L−1}``.
    sigma_w2 : sympy number
    layers : LayerData
    """

    def __init__(self, net, *, q_in=None, dps=30):
        from .._utils.validate import check_dps, check_instance
        from .mlp import MLP

        check_instance(net, "net", MLP, "an MLP, e.g. freealg.MLP(3, 'relu')")
        dps = check_dps(dps)
        if not net.is_square:
            raise InvalidArgumentError(
                f"{net!r} has rectangular layers (ratios {tuple(str(r) for r in net.ratios)}); the "
                "one-sample FIM recursion Θ_(l+1) = q_l I + W D Θ D Wᵀ with J_θ J_θᵀ = M Θ_L "
                "(docs/theory.md §6) is for equal widths. Use equal widths."
            )
        self.net = net
        self.dps = dps
        self.q_in = q_in
        L = net.depth
        self.layers = layer_data(net, q_in, dps=dps, need_finite=True)
        self.q = list(self.layers.post[:L])
        self.nus = list(self.layers.nus[: L - 1])
        self.sigma_w2 = self.layers.sigma_w2
        self.init = net.weight_family
        self._qf = [to_float(v) for v in self.q]
        self._moments = []
        self._atoms = None
        self._support = None
        self._residues = {}
        self._curve = None
        self._numeric = None
        self._scale_value = None

    @property
    def _scale(self):
        """Length scale of the support (from 24 moments)."""
        if self._scale_value is None:
            m = [float(v) for v in self._numeric_levels()[0][-1]]
            roots = [abs(m[k]) ** (1.0 / (k + 1)) for k in range(24) if m[k] > 0]
            ratios = [m[k + 1] / m[k] for k in range(23) if m[k] > 0]
            self._scale_value = float(max(roots + ratios))
        return self._scale_value

    def _numeric_levels(self):
        """24 moments of every level in mpmath (30 digits), for the numerics
        (start values of the continuation, scale): exact big rationals are
        not needed there and get slow with depth."""
        if self._numeric is None:
            self._numeric = self._levels_moments(24, numeric=True)
        return self._numeric

    def __repr__(self):
        return f"FisherLaw({self.net!r}" + (f", q_in={self.q_in!r}" if self.q_in is not None else "") + ")"

    # ------------------------------------------------------------ exact side
    def _factor_laws(self, k):
        """Laws multiplied at level ``k`` (besides ``μ_k``)."""
        from ..laws import MarchenkoPastur

        out = [self.nus[k - 1]]
        if self.init == "gaussian":
            out.append(MarchenkoPastur(1, self.sigma_w2))
        return out

    def _c(self):
        return self.sigma_w2 if self.init == "orthogonal" else sympy.Integer(1)

    def _levels_moments(self, n, numeric=False):
        """Moments of ``μ_1..μ_L`` and ``P_1..P_{L−1}`` (exact, or mpmath at 30
        digits when ``numeric``)."""
        from .._utils.mpctx import mpmath

        c = self._c()
        L = self.net.depth
        with mpmath.workdps(self.dps if not numeric else 30):
            if numeric:
                def cv(v):
                    return mpmath.mpf(sympy.N(v, 40)) if isinstance(v, sympy.Basic) else mpmath.mpf(v)
            else:
                def cv(v):
                    return v
            q = [cv(v) for v in self.q]
            c = cv(c)
            mu = [[q[0] ** k for k in range(1, n + 1)]]
            P = []
            for k in range(1, L):
                specs = [(mu[-1], 1, 1)] + [([cv(v) for v in f.moments(n)], 1, 1) for f in self._factor_laws(k)]
                pk = series_product_moments(specs, n)
                P.append(pk)
                mu.append(_shift_scale_moments(pk, q[k], c, n))
        return mu, P

    def moments(self, n):
        r"""Exact moments ``m_1..m_n`` of ``μ_L`` (S-transform series through the
        recursion; mpmath at ``dps`` digits for smooth activations).

        Examples
        --------
        >>> import sympy, freealg
        >>> law = freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1)
        >>> law.q                                   # q_0 = 1, q_1 = E relu(h_1)^2 = 1/2
        [1, 1/2]
        >>> law.moments(2)                          # atoms 1/2 at q_1 and 1/2 at q_1 + q_0
        [1, 5/4]
        """
        from .._utils.validate import MAX_MOMENT_ORDER, check_int

        n = check_int(n, "n", minimum=0, maximum=MAX_MOMENT_ORDER,
                      hint="exact moment series are computed up to that order")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidArgumentError(f"n must be a positive integer; got {n!r}")
        n = int(n)
        if len(self._moments) < n:
            if self.layers.float_kind:  # float data: floats out (from 30-digit mpmath)
                mu, _ = self._levels_moments(n, numeric=True)
                self._moments = [to_float(v) for v in mu[-1]]
            else:
                mu, _ = self._levels_moments(n)
                self._moments = mu[-1]
        return list(self._moments[:n])

    def mean(self):
        r"""The mean ``m_1(μ_L) = tr Θ_L = Σ_ℓ q_ℓ Π_{k>ℓ} χ_k`` (exact);
        ``Σ_ℓ q_ℓ`` on the critical line.  The FIM ``J_θᵀJ_θ`` has trace
        ``M² m_1`` (``J_θJ_θᵀ = MΘ_L``).

        Examples
        --------
        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).mean()    # (1/2 + 3/2)/2
        1
        >>> freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law().mean()   # 3 q̂*, q̂* = 1
        3
        """
        return self.moments(1)[0]

    def mean_closed_form(self):
        r"""``Σ_{ℓ=0}^{L−1} q_ℓ Π_{k=ℓ+1}^{L−1} χ_k`` with ``χ_k = σ_w² E φ'(h_k)²``
        (from the first moments of the ``ν_k`` only)."""
        tot = 0
        L = self.net.depth
        for ell in range(L):
            t = self.q[ell]
            for k in range(ell + 1, L):
                t = t * self.sigma_w2 * self.nus[k - 1].moments(1)[0]
            tot = tot + t
        return sympy.nsimplify(tot) if isinstance(tot, sympy.Basic) and tot.is_Rational else tot

    def variance(self):
        """``m_2 − m_1²``."""
        m1, m2 = self.moments(2)
        return m2 - m1**2

    def atoms(self):
        r"""Atoms ``(location, mass)`` of ``μ_L`` (exact), by Belinschi's rule for
        ⊠ through the recursion."""
        if self._atoms is None:
            c = self._c()
            cur = [(self.q[0], sympy.Integer(1))]
            for k in range(1, self.net.depth):
                prod = product_atoms([cur] + self._factor_laws(k))
                cur = [(sympy.nsimplify(self.q[k] + c * a) if (self.q[k] + c * a).is_Rational
                        else self.q[k] + c * a, m) for a, m in prod]
            self._atoms = sorted(cur, key=lambda t: to_float(t[0]))
        if self.layers.float_kind:  # float data: floats out
            return [(to_float(a), to_float(m)) for a, m in self._atoms]
        return list(self._atoms)

    def top_atom(self):
        r"""The top atom predicted in closed form: ``(t_L, mass)`` with
        ``t_1 = q_0``, ``t_{ℓ+1} = q_ℓ + σ_w² v_ℓ t_ℓ`` and mass
        ``max(0, 1 − Σ_{ℓ<L} (1 − ν_ℓ({v_ℓ})))``, ``v_ℓ`` the largest atom of
        ``ν_ℓ`` (``v = 1``, ``ν({1}) = α`` for relu/hard-tanh).  ``None`` when it
        does not apply (Gaussian weights: ``MP`` has no atoms; a smooth
        ``ν``).  A mass of 0 means the atom is absent (``atoms()`` omits it).
        """
        from ..laws import ActivationDerivativeLaw

        if self.init != "orthogonal" or any(isinstance(v, ActivationDerivativeLaw) for v in self.nus):
            return None
        t = self.q[0]
        defect = sympy.Integer(0)
        for k in range(1, self.net.depth):
            at = [(sympify_safe(a), sympify_safe(m)) for a, m in self.nus[k - 1].atoms() if m != 0]
            v, mv = max(at, key=lambda am: to_float(am[0]))
            t = self.q[k] + self.sigma_w2 * v * t
            defect = defect + (1 - mv)
        mass = 1 - defect
        return (sympy.nsimplify(t) if t.is_Rational else t,
                mass if (mass > 0) is sympy.true or (mass.is_positive) else sympy.Integer(0))

    def curve(self, *, max_degree=16, exact=False):
        r"""The spectral curve of ``μ_L`` (:func:`freealg.fim_curve`); for
        ``L = 3`` this is the two-hidden-layer closed form
        (:func:`freealg.fim_two_layer_curve`), degree 2 in ``G`` for orthogonal
        weights.  The degree doubles with every further layer
        (``2^{L−2}`` orthogonal).

        ``exact=True`` is needed for float data (a float ``σ``, or hard-tanh
        ``ν``'s): the curve then uses the floats' exact binary values.

        Raises
        ------
        NotAlgebraicError
            For a smooth activation.
        InvalidArgumentError
            For float data without ``exact=True``.
        TooLargeError
            When the degree would exceed ``max_degree`` (use the numerics:
            :meth:`density`, :meth:`support`, :meth:`lambda_max`).
        """
        from ..laws import ActivationDerivativeLaw
        from .._utils.validate import check_int

        max_degree = check_int(max_degree, "max_degree", minimum=1)
        if any(isinstance(v, ActivationDerivativeLaw) for v in self.nus):
            raise NotAlgebraicError(
                f"the FIM law of {self.net!r} has no spectral curve: the law of D^2 of "
                f"{self.net.activation!r} is not algebraic. Use moments(), density(), lambda_max()."
            )
        L = self.net.depth
        deg = 2 ** max(L - 2, 0) * (1 if self.init == "orthogonal" else 2)
        if deg > max_degree:
            raise TooLargeError(
                f"the FIM curve of depth {L} has degree about {deg} in G (it doubles with every "
                f"layer), above max_degree={max_degree}; use density()/support()/lambda_max() "
                "(functional-equation solver), or raise max_degree"
            )
        if self.layers.float_kind and not exact:
            from ..laws import _float_param_error

            raise _float_param_error(self, "curve()", "curve(exact=True)")
        if self._curve is None:
            from ..closed_forms import fim_curve, fim_two_layer_curve
            from ..laws import Bernoulli

            if L == 3 and all(isinstance(v, Bernoulli) for v in self.nus):
                self._curve = fim_two_layer_curve(
                    alpha=[v._params["p"] for v in self.nus], sigma_w=sympy.sqrt(self.sigma_w2),
                    q=self.q, weights=self.init)
            else:
                self._curve = fim_curve([v._exact_twin() for v in self.nus], self.q,
                                        sigma_w=sympy.sqrt(self.sigma_w2), weights=self.init)
        return self._curve

    # --------------------------------------------------------------- numerics
    @property
    def purely_atomic(self):
        """True when the atoms carry all the mass (``L <= 2`` with orthogonal
        weights and atomic ``ν``)."""
        self.atoms()
        return sum(m for _, m in self._atoms) == 1

    def _problem(self):
        c = to_float(self._c())
        L = self.net.depth
        mu, P = self._numeric_levels()
        levels = []
        for k in range(L - 1, 0, -1):
            closed, via = [], None
            for law in self._factor_laws(k):
                f = numeric_factor(law)
                if hasattr(f, "s_transform"):
                    closed.append(f)
                else:
                    via = f
            levels.append(_Level(k, closed, via, self._qf[k - 1], c,
                                 np.array([to_float(v) for v in P[k - 1][:24]])))
        return _FimProblem(levels, self._qf[-1], c)

    def _check_numeric(self, what):
        if self.net.depth == 1 or self.purely_atomic:
            raise InvalidArgumentError(
                f"{what}: μ_L of {self.net!r} is purely atomic ({self.atoms()}); it has no "
                "continuous part. Use atoms()."
            )

    def cauchy(self, z):
        r"""``G(z)`` of ``μ_L`` at complex ``z`` (vectorised; lower half plane by
        conjugation; real ``z`` off the atoms gives ``G(x + i0)``)."""
        from .._utils.validate import check_finite_array

        zz = check_finite_array(z, "z", dtype=complex)
        if self.net.depth == 1 or self.purely_atomic:
            out = np.zeros_like(zz)
            for a, m in self.atoms():
                out = out + to_float(m) / (zz - to_float(a))
            return out
        flat = zz.ravel()
        lower = flat.imag < 0
        w = np.where(lower, flat.conj(), flat)
        G, _, _, ok, _ = _FimEngine(self).values(w.real, w.imag)
        if not np.all(ok):
            raise ConvergenceError(
                f"continuation failed at z = {complex(w[~ok][0]):.6g} ({int(np.sum(~ok))} points)")
        return np.where(lower, G.conj(), G).reshape(zz.shape)

    def density(self, x, *, strict=True, n_moments=8, mass_tol=1e-9, moment_tol=1e-8):
        r"""Certified density of the continuous part on ``x``
        (:class:`freealg.density.DensityResult` with evidence: residual,
        ``Im G <= 0``, total mass with the exact atoms, contour moments against
        :meth:`moments`, atom residues)."""
        from ..density import certified_density

        self._check_numeric("density")
        return certified_density(
            _FimEngine(self), x, strict=strict, n_moments=n_moments, mass_tol=mass_tol,
            moment_tol=moment_tol,
            method="one-sample FIM recursion (subordination system), vertical continuation")

    def support(self):
        r"""Intervals of the continuous part (scan of the density sign, edges
        refined by bisection)."""
        if self.net.depth == 1 or self.purely_atomic:
            return []
        return _FimEngine(self).support()

    def lambda_max(self):
        r"""``λ_max(Θ_L)`` in the limit: the right edge of the support or the
        largest atom, whichever is larger (float).  The FIM ``J_θᵀJ_θ`` of a
        width-``M`` network has ``λ_max = M λ_max(Θ_L)``."""
        pts = [b for _, b in self.support()] + [to_float(a) for a, m in self.atoms() if m != 0]
        if not pts:
            raise CertificationError(
                f"lambda_max of the FIM law of {self.net!r}: no support interval and no atom was "
                "found (the density scan found no point where the density is certifiably positive); "
                "the spectrum cannot be empty, so this is a failure of the numerics, not a result"
            )
        return max(pts)

    def learning_rate_bound(self, M=None):
        r"""The largest stable gradient-descent step near a global minimum,
        ``η < 2/λ_max`` (LeCun–Kanter–Solla 1991; docs/theory.md §6).

        ``M=None``: the loss ``(1/2M) ‖f − y‖²`` of Karakida–Akaho–Amari (Hessian =
        ``M⁻¹ J_θᵀJ_θ``, non-zero spectrum that of ``Θ_L``), bound
        ``2/λ_max(Θ_L)``.  ``M`` given: the loss ``½‖f − y‖²`` (Hessian =
        the FIM), bound ``2/(M λ_max(Θ_L))``.
        """
        lm = self.lambda_max()
        if M is None:
            return 2.0 / lm
        if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
            raise InvalidArgumentError(f"M must be a positive integer width; got {M!r}")
        return 2.0 / (int(M) * lm)

    # ------------------------------------------- spectral range (self-contained)
    def _nonzero_extremes(self):
        """``(λ_min⁺, λ_max, exact)`` over the non-zero spectrum of ``μ_L``:
        atoms of positive mass at non-zero locations and the continuous
        support (:meth:`atoms`, :meth:`support`); ``exact`` when both come from
        atoms of a purely atomic law."""
        pts = [(a, True) for a, m in self.atoms() if m != 0 and a != 0]
        if self.net.depth > 1 and not self.purely_atomic:
            for lo, hi in self.support():
                pts += [(lo, False), (hi, False)]
        pts = [(a, e) for a, e in pts if to_float(a) > 0]
        if not pts:
            raise CertificationError(
                f"the FIM law of {self.net!r}: no non-zero atom and no support interval was "
                "found; the spectrum cannot be empty, so this is a failure of the numerics")
        lo = min(pts, key=lambda t: to_float(t[0]))
        hi = max(pts, key=lambda t: to_float(t[0]))
        return lo[0], hi[0], self.purely_atomic

    def lambda_min(self):
        r"""The smallest non-zero point ``λ_min⁺`` of the spectrum of ``Θ_L`` in
        the limit: the lowest non-zero atom or the left edge of the lowest
        support interval, whichever is smaller.

        The FIM ``J_θᵀJ_θ`` (``P × P``, ``P ≫ M``) has the eigenvalue 0 with
        multiplicity at least ``P − M``; its non-zero eigenvalues are ``M``
        times those of ``Θ_L``, so ``M λ_min⁺`` is its smallest non-zero
        eigenvalue.

        Returns
        -------
        sympy number (purely atomic law: exact) or float (a continuous part:
        the edges are numerical)

        Examples
        --------
        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).lambda_min()   # atoms 1/2, 3/2
        1/2
        >>> law = freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law()
        >>> law.atoms(), law.lambda_min()      # atom 1 below the bulk [3, 7]
        ([(1, 1/2)], 1.0)
        """
        lo, _, exact = self._nonzero_extremes()
        return lo if exact else to_float(lo)

    def condition_number(self):
        r"""Condition number ``κ = λ_max / λ_min⁺`` of the limit spectrum of
        ``Θ_L`` over its non-zero part (``κ >= 1``).

        Convention: zero eigenvalues are excluded (the FIM ``J_θᵀJ_θ`` is
        singular, with the non-zero spectrum ``M · spec(Θ_L)``, so ``κ`` is the
        same for ``Θ_L``, the NTK ``J_θJ_θᵀ = MΘ_L`` and the FIM, and does not
        depend on ``M``); ``λ_min⁺`` and ``λ_max`` range over the atoms of
        positive mass and the continuous support (:meth:`lambda_min`,
        :meth:`lambda_max`).  ``1/κ = λ_min⁺/λ_max`` is the ratio of the
        slowest to the fastest rate of gradient flow on the loss
        ``(1/2M)‖f − y‖²`` near a global minimum.

        Returns
        -------
        sympy number (purely atomic law: exact) or float

        Examples
        --------
        Two layers, ReLU, ``σ_w = 1``, ``q_0 = 1``: atoms ``q_1 = 1/2`` and
        ``q_1 + σ_w² q_0 = 3/2``, so ``κ = 3``.  Critical ReLU with two hidden
        layers: an atom at ``q̂* = 1`` and the bulk ``[3, 7]``, so ``κ = 7``.

        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).condition_number()
        3
        >>> law = freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law()
        >>> round(law.condition_number(), 10)
        7.0
        """
        lo, hi, exact = self._nonzero_extremes()
        if exact:
            r = sympify_safe(hi) / sympify_safe(lo)
            return sympy.nsimplify(r) if r.is_Rational else r
        return to_float(hi) / to_float(lo)


def fim_law(net, *, q_in=None, dps=30):
    r"""The limit law of the eigenvalues of the one-sample FIM/NTK ``Θ_L``
    (:class:`FisherLaw`; module docstring).

    Parameters
    ----------
    net : freealg.MLP
        Square layers.
    q_in : real > 0, optional
        ``‖x_0‖²/M`` of the input; default: the input at the fixed point.
    dps : int
        Digits for the moments of a smooth activation's ``ν``.

    Raises
    ------
    InvalidArgumentError
        Rectangular layers; a fixed point ``q* = 0`` (``Θ_L = 0``) or
        ``q* = ∞`` (pass ``q_in``).
    """
    return FisherLaw(net, q_in=q_in, dps=dps)
