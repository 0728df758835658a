r"""Limit spectrum of the multi-sample neural tangent kernel of an MLP
(Fan & Wang, "Spectra of the conjugate kernel and neural tangent kernel for
linear-width neural networks", NeurIPS 2020).

Model (Fan–Wang normalisation).  ``X_0`` is ``d_0 × n`` with orthonormal
columns (input Gram spectrum ``δ_1``), ``X_ℓ = σ_ℓ(W_ℓ X_{ℓ−1})/√d_ℓ``
(``ℓ = 1..L``) with standard Gaussian ``W_ℓ`` (``d_ℓ × d_{ℓ−1}``), output
``f(x) = wᵀ x_L`` with a standard Gaussian ``w``, ``n/d_ℓ → γ_ℓ``, and every
``σ_ℓ`` normalised: ``E σ_ℓ(ξ) = 0`` (centred), ``E σ_ℓ(ξ)² = 1``.  The NTK
is the ``n × n`` Gram matrix of the parameter gradient of ``f`` over the
``n`` inputs (gradients in ``W_1, …, W_L, w``)::

    K^NTK = X_LᵀX_L + Σ_{ℓ=1}^{L} (S_ℓᵀS_ℓ) ⊙ (X_{ℓ−1}ᵀX_{ℓ−1}),

``S_ℓ`` the ``d_ℓ × n`` matrix of ``∂f/∂(W_ℓ X_{ℓ−1})``.  With
``b_ℓ = E σ_ℓ'(ξ)`` and ``a_ℓ = E σ_ℓ'(ξ)²``, ``S_ℓᵀS_ℓ`` has diagonal
``Π_{j≥ℓ} a_j`` and off-diagonal entries ``Π_{j≥ℓ} b_j²`` up to vanishing
corrections, so that (Fan & Wang 2020, §3.3) the spectrum of ``K^NTK`` has
the same limit as that of::

    r_+ I + Σ_{k=0}^{L} r_k X_kᵀX_k,   r_k = Π_{j=k+1}^{L} b_j²,
    r_+ = Σ_{k=0}^{L−1} (Π_{j=k+1}^{L} a_j − Π_{j=k+1}^{L} b_j²).

Recursion (Stieltjes transform ``s(z) = tr (K − z)^{−1}``, ``Im s > 0`` for
``Im z > 0``; the Cauchy transform is ``G = −s``).  Conditionally on the
first ``ℓ − 1`` layers the rows of ``√d_ℓ X_ℓ`` are i.i.d. with covariance
``Φ_ℓ = b_ℓ² X_{ℓ−1}ᵀX_{ℓ−1} + (1 − b_ℓ²) I`` (Fan & Wang 2020, Lemma on
the linearisation of ``σ``), so for any ``A`` independent of ``W_ℓ`` the
deterministic equivalent of a sample covariance gives::

    tr (A + c X_ℓᵀX_ℓ − z)^{−1} = tr (A − z + w Φ_ℓ)^{−1},  w = c/(1 + c δ),
    δ = γ_ℓ tr(Φ_ℓ (A − z + w Φ_ℓ)^{−1}),
    tr(X_ℓᵀX_ℓ (A + c X_ℓᵀX_ℓ − z)^{−1}) = δ/(γ_ℓ (1 + c δ)).

Applied top-down with ``A = Σ_{k<ℓ} c_k X_kᵀX_k`` this is a recursion on the
coefficient vector (the "vector-valued arguments"): starting from
``z_L = z`` and ``c = (r_0, …, r_L)``, level ``ℓ = L, …, 1`` sets
``w_ℓ = c_ℓ/(1 + c_ℓ δ_ℓ)``, ``z_{ℓ−1} = z_ℓ − (1 − b_ℓ²) w_ℓ`` and
``c_{ℓ−1} ← c_{ℓ−1} + b_ℓ² w_ℓ``; at the bottom (``X_0ᵀX_0 = I``)
``s_0 = t_0 = 1/(c_0 − z_0)``; then bottom-up ``s_ℓ = s_0`` and
``t_ℓ = δ_ℓ/(γ_ℓ (1 + c_ℓ δ_ℓ))`` (``t_ℓ = tr(X_ℓᵀX_ℓ Q)``), and the ``L``
unknowns solve::

    δ_ℓ = γ_ℓ (b_ℓ² t_{ℓ−1} + (1 − b_ℓ²) s_{ℓ−1}),   ℓ = 1..L,

with ``s(z) = s_0``.  For ``r = (0, …, 0, 1)`` (the conjugate kernel) it
reduces to the Fan–Wang CK law ``MP_γ ⊠ ((1 − b²) + b² μ_{L−1})``, and for
``L = 1`` to an affine image of ``MP_{γ_1}`` (both checked in the tests).

Numerical method.  Newton's method on the ``L`` equations (Jacobian by
forward-mode differentiation of the recursion), continued down the vertical
line ``x + i y`` from ``y = Y_0`` (where ``δ_ℓ ≈ −γ_ℓ/z`` starts it) in
geometric steps to ``y = 10⁻¹⁰ × scale`` and then to ``y = 0``, where the
equations hold for the boundary value ``s(x + i0)`` itself.  Branch guards
along the path: ``Im δ_ℓ ≥ 0`` and ``Im s ≥ 0`` (both are traces of
resolvents against positive matrices).  The error bound of a value is the
size of the last Newton correction propagated to ``s`` plus the rounding
bound ``ε · cond(J)``; a point whose Newton iteration does not converge is a
tracking failure (never a value).  The support is found by a scan of the
density on a grid covering ``[r_+ + r_0, r_+ + r_0 + Σ_{k≥1} r_k Π_{j≤k}
(1 + √γ_j)²]`` (a bound on the spectrum) refined by bisection; every density
carries the evidence of a Gauss–Legendre quadrature of the density on the
support (edges mapped by ``x = a + (b − a)(1 − cos θ)/2``): total mass with
the atom, and the first moments against the exact moments.

Moments are exact for exact inputs: the same recursion solved as formal
power series in ``1/z`` (a second algorithm; the tests also check ``m_1``
against the infinite-width NTK diagonal and ``m_2`` against a closed
formula in the CK moments).

Limits.  Orthonormal inputs only (``μ_0 = δ_1``).  A law with a hard edge
(a divergent density at the bottom of the spectrum: ``b_L = 0`` with
``γ_L = 1``, square linear layers) fails the quadrature check, so
``density`` raises :class:`~freealg.errors.CertificationError` there.

Atom.  ``K ≥ r_+ + r_0``; the kernel of ``Σ_{k≥1, r_k>0} r_k X_kᵀX_k`` has
dimension ``n − min(n, rank)`` with ``rank/n = 1/γ_{k*} + Σ_{k>k*, b_k² < 1}
1/γ_k`` (``k*`` the first layer with ``r_{k*} > 0``; a layer with
``b² < 1`` adds ``d_k`` fresh directions, a linear one none), so there is an
atom at ``r_+ + r_0`` of mass ``max(0, 1 − rank/n)``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..laws.interface import LawMethods
from ..errors import (CertificationError, CertificationWarning, InvalidArgumentError,
                      InvalidArgumentTypeError, TooLargeError)

__all__ = ["NTKLaw", "neural_tangent_kernel_law", "mlp_ntk_law"]

MAX_LAYERS = 200  # Newton on one unknown per layer: O(L^3) per point


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


# ---------------------------------------------------------------------------
# the law
# ---------------------------------------------------------------------------


class NTKLaw(LawMethods):
    r"""The limit spectrum of the multi-sample NTK of an MLP on orthonormal
    inputs (model, recursion and numerical method: module docstring of
    :mod:`freealg.dnn.ntk_law`), multiplied by ``scale``.

    Methods ``moments`` (exact for exact parameters), ``mean``, ``atoms``,
    ``support``, ``cauchy``, ``density`` (a :class:`freealg.DensityResult`
    with evidence) and the shared ``pdf``, ``cdf``, ``quantile``,
    ``sample``.  Build it with :func:`neural_tangent_kernel_law` or
    :meth:`freealg.dnn.MLP.ntk_law`.

    Parameters
    ----------
    gammas : list of positive reals
        ``γ_ℓ = n / d_ℓ``, one per hidden layer.
    bs, as_ : lists of reals
        ``b_ℓ = E σ_ℓ'(ξ)`` and ``a_ℓ = E σ_ℓ'(ξ)²`` (checked by
        :func:`neural_tangent_kernel_law`, not here).
    scale : positive real, optional
        Multiplies the kernel (``q^L`` for an MLP).

    Raises
    ------
    CertificationError
        From ``density``, ``support`` or ``cauchy`` when the recursion fails.

    Attributes
    ----------
    r : list
        ``r_0..r_L``, the weights of ``X_kᵀX_k``.
    r_plus : number
        The shift ``r_+``.

    Examples
    --------
    One hidden layer: ``r_+ + r_0 + X_1ᵀX_1`` with ``X_1ᵀX_1 ~ MP_γ``:

    >>> from fractions import Fraction
    >>> from freealg.dnn import neural_tangent_kernel_law
    >>> law = neural_tangent_kernel_law([Fraction(1, 2)], Fraction(1, 2), Fraction(1, 2))
    >>> law.r, law.r_plus
    ([Fraction(1, 4), 1], Fraction(1, 4))
    >>> law.moments(2)
    [Fraction(3, 2), Fraction(11, 4)]
    """

    def __init__(self, gammas, bs, as_, scale=1):
        self.gammas, self.bs, self.as_, self.scale = list(gammas), list(bs), list(as_), scale
        self.r, self.r_plus = _coefficients(self.bs, self.as_)
        self._system = _System(self.gammas, self.bs, self.r)
        self._sf = float(scale)
        self._shift = float(self.r_plus) + float(self.r[0])
        self._cache = {}

    def __repr__(self):
        f = lambda vs: ", ".join(f"{float(v):g}" for v in vs)  # noqa: E731
        sc = f", scale={float(self.scale):g}" if self.scale != 1 else ""
        return f"NTKLaw(gammas=[{f(self.gammas)}], b=[{f(self.bs)}], a=[{f(self.as_)}]{sc})"

    # -- exact ---------------------------------------------------------------
    def moments(self, n):
        """Moments ``m_1..m_n`` (exact for exact ``γ``, ``b``, ``a``, ``scale``).

        Parameters
        ----------
        n : int

        Returns
        -------
        list

        Raises
        ------
        InvalidArgumentError
            ``n`` not a positive integer.

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> neural_tangent_kernel_law([1, 1], 1, 1).moments(2)     # linear net: X_0ᵀX_0 + X_1ᵀX_1 + X_2ᵀX_2
        [3, 14]
        """
        from .ck_moments import _affine_moments, _check_n

        n = _check_n(n)
        m = _series_moments(n, self.gammas, self.bs, self.r)
        m = _affine_moments(m, self.r_plus, 1)
        m = [self.scale ** (k + 1) * v for k, v in enumerate(m)]
        for k, v in enumerate(m):
            if isinstance(v, float) and not math.isfinite(v):
                from ..errors import FloatRangeError

                raise FloatRangeError(
                    f"the NTK moment m_{k + 1} overflows float64 ({v}); the parameters "
                    f"(gammas, b, a, scale = {float(self.scale):g}) are too large for float "
                    "moments: pass exact numbers (Fraction) or ask for fewer moments")
        params = self.gammas + self.bs + self.as_ + [self.scale]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in params):
            m = [int(v) if isinstance(v, Fraction) and v.denominator == 1 else v for v in m]
        return m

    def mean(self):
        """``m_1 = scale · (r_+ + Σ_k r_k)`` (the diagonal of the NTK).

        Returns
        -------
        number

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> neural_tangent_kernel_law([0.5, 0.5], 0.5, 0.5).mean()    # 1 + a + a^2
        1.75
        """
        return self.scale * (self.r_plus + sum(self.r))

    def atoms(self):
        """``[(r_+ + r_0, mass)]`` times ``scale`` when the kernel of the
        non-trivial part has positive dimension (module docstring), else
        ``[]``.

        Returns
        -------
        list of (float, float)

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> neural_tangent_kernel_law([4], 0.5, 0.5).atoms()    # X_1ᵀX_1 of rank n/4
        [(0.5, 0.75)]
        """
        L = len(self.gammas)
        ks = [k for k in range(1, L + 1) if self.r[k] != 0]
        kstar = ks[0]
        rank = 1 / float(self.gammas[kstar - 1]) + sum(
            1 / float(self.gammas[k - 1]) for k in ks[1:] if float(self.bs[k - 1]) ** 2 < 1)
        mass = 1.0 - rank
        if mass <= 1e-15:
            return []
        return [(self._sf * self._shift, mass)]

    # -- numerics ------------------------------------------------------------
    def _s(self, z):
        """``s(z)`` of the unshifted, unscaled kernel ``Σ r_k X_kᵀX_k``."""
        return _solve(self._system, z)

    def cauchy(self, z):
        """``G(z) = −s(z)`` at complex ``z`` (``Im z ≥ 0``; real ``z``: the
        boundary value ``G(x + i0)``).

        Parameters
        ----------
        z : complex or array_like

        Returns
        -------
        ndarray of complex

        Raises
        ------
        CertificationError
            Newton's method did not converge, or a branch guard failed, at
            some point.

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> law = neural_tangent_kernel_law([0.5], 0.5, 0.5)     # 0.5 + MP_{1/2}
        >>> round(abs(complex(law.cauchy(1e6j)) * 1e6j), 6)      # G ~ 1/z
        1.0
        """
        z = np.asarray(z, complex)
        if np.any(z.imag < 0):
            raise InvalidArgumentError("cauchy needs Im z >= 0 (use G(conj z) = conj G(z) below the axis)")
        w = (z.ravel() / self._sf) - float(self.r_plus)
        s, err, ok = self._s(w)
        if not np.all(ok):
            k = int(np.flatnonzero(~ok)[0])
            raise CertificationError(
                f"the NTK recursion did not converge on the physical branch at z = {z.ravel()[k]!r}")
        return (-s / self._sf).reshape(z.shape)

    def _rho(self, x):
        """Density of the unscaled law at real ``x`` (shifted by ``r_+``)."""
        s, err, ok = self._s(np.asarray(x, float) - float(self.r_plus))
        return s.imag / np.pi, err / np.pi, ok, s

    def _bounds(self):
        lo = self._shift
        g = [float(v) for v in self.gammas]
        up, cap = 0.0, 1.0
        for k in range(1, len(g) + 1):
            cap *= (1 + math.sqrt(g[k - 1])) ** 2
            up += float(self.r[k]) * cap
        return lo, lo + up

    def _support_unscaled(self):
        if "support" in self._cache:
            return self._cache["support"]
        lo, hi = self._bounds()
        span = hi - lo
        xs = lo + span * np.linspace(0, 1, 801)[1:]
        rho, err, ok, _ = self._rho(xs)
        if np.mean(ok) < 0.9:
            raise CertificationError("the NTK recursion failed on the support scan grid")
        rho = np.where(ok, rho, 0.0)
        top = float(np.max(rho))
        thr = 1e-9 * top

        ins = rho > thr
        # brackets [out, in] of every edge; all refined together by 16-section
        brackets = []  # (outside point, inside point)
        runs = []
        k = 0
        while k < xs.size:
            if not ins[k]:
                k += 1
                continue
            j = k
            while j + 1 < xs.size and ins[j + 1]:
                j += 1
            runs.append(len(brackets))
            brackets.append([xs[k - 1] if k > 0 else lo, xs[k]])
            brackets.append([xs[j + 1] if j + 1 < xs.size else hi, xs[j]])
            k = j + 1
        br = np.array(brackets, float).reshape(-1, 2)
        frac = np.arange(1, 16) / 16.0
        for _ in range(14):  # 16^-14 of the grid step: below 1e-15 relative
            if br.size == 0 or np.all(np.abs(br[:, 1] - br[:, 0]) <= 1e-14 * np.maximum(1.0, np.abs(br[:, 1]))):
                break
            pts = br[:, :1] + frac[None, :] * (br[:, 1:] - br[:, :1])  # from outside to inside
            r, e, o, _ = self._rho(pts.ravel())
            # a point where Newton fails is next to an edge (a square-root
            # branch point, rho < thr there): it counts as outside
            inn = (o & (r > thr)).reshape(pts.shape)
            for i in range(br.shape[0]):
                row = inn[i]
                first = int(np.argmax(row)) if row.any() else 15
                lo_pt = br[i, 0] if first == 0 else pts[i, first - 1]
                hi_pt = br[i, 1] if first == 15 else pts[i, first]
                br[i] = (lo_pt, hi_pt)
        ivs = [(float(br[i, 1]), float(br[i + 1, 1])) for i in runs]
        self._cache["support"] = ivs
        return ivs

    def support(self):
        """Intervals of the absolutely continuous part, found by a scan on
        a grid of 800 points over a bound of the spectrum, refined by
        16-section to the points where Newton's method still converges at
        ``y = 0`` (about ``1e-9`` relative of a square-root edge; an
        interval narrower than the grid step may be missed).

        Returns
        -------
        list of (float, float)

        Raises
        ------
        CertificationError
            The recursion failed during the scan.

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> [(round(a, 9), round(b, 9)) for a, b in neural_tangent_kernel_law([0.5], 0.5, 0.5).support()]
        [(0.585786438, 3.414213562)]
        """
        return [(a * self._sf, b * self._sf) for a, b in self._support_unscaled()]

    def _checks(self):
        """Quadrature of the density on the support: mass and moments."""
        if "checks" in self._cache:
            return self._cache["checks"]
        ivs = self._support_unscaled()
        K = 4
        ok = True
        # θ ∈ [0, π] with x = a + (b − a)(1 − cos θ)/2 (square-root edges become
        # smooth), panels graded geometrically towards both edges (an edge can
        # be steep on a small scale) and split adaptively where two
        # Gauss–Legendre rules (24 and 16 points) differ (the density can
        # have narrow features, e.g. a near-gap); the sum of the remaining
        # differences is the quadrature error estimate
        half = 0.5 * np.pi * 2.0 ** -np.arange(0, 20)[::-1]
        edges = np.concatenate([[0.0], half[:-1], [0.5 * np.pi], np.pi - half[::-1][1:], [np.pi]])
        edges = np.unique(np.concatenate([edges, np.linspace(0, np.pi, 9)]))
        rules = [np.polynomial.legendre.leggauss(n) for n in (24, 16)]
        mom = np.zeros(K + 1)
        qerr = 0.0
        for a, b in ivs:
            panels = np.c_[edges[:-1], edges[1:]]
            for _round in range(12):
                vals = []
                for t, w in rules:
                    mid, hw = panels.mean(axis=1)[:, None], 0.5 * (panels[:, 1] - panels[:, 0])[:, None]
                    th, wt = mid + hw * t, hw * w
                    x = a + 0.5 * (b - a) * (1 - np.cos(th))
                    jac = 0.5 * (b - a) * np.sin(th) * wt
                    rho, err, good, _ = self._rho(x.ravel())
                    rho, good = rho.reshape(x.shape), good.reshape(x.shape)
                    # Newton may fail within ~1e-9 of an edge (a branch point),
                    # where rho ~ 1e-4 and the node weight ~ sin θ ~ 1e-5:
                    # such nodes count 0 (their mass is below 1e-12)
                    near = (np.minimum(x - a, b - x) <= 1e-8 * (b - a)) & ~good
                    ok &= bool(np.all(good | near))
                    rho = np.where(near, 0.0, rho)
                    vals.append(np.stack([np.sum(jac * rho * x ** k, axis=1) for k in range(K + 1)], 1))
                diff = np.abs(vals[0][:, 0] - vals[1][:, 0])
                split = diff > 1e-12
                keep = ~split | (_round == 11)
                mom += vals[0][keep].sum(axis=0)
                qerr += float(diff[keep].sum())
                if not np.any(~keep):
                    break
                if np.sum(~keep) > 512:  # not converging (e.g. a hard edge): stop, the error stays
                    mom += vals[0][~keep].sum(axis=0)
                    qerr += float(diff[~keep].sum())
                    break
                p = panels[~keep]
                m = p.mean(axis=1)
                panels = np.r_[np.c_[p[:, 0], m], np.c_[m, p[:, 1]]]
        atoms = [(loc / self._sf, m) for loc, m in self.atoms()]
        matoms = sum(m for _, m in atoms)
        for loc, m in atoms:
            mom[1:] += m * loc ** np.arange(1, K + 1)
        mom[0] += matoms
        exact = [float(v) / self._sf ** (k + 1) for k, v in enumerate(self.moments(K))]
        merr = [abs(mom[k + 1] - exact[k]) / abs(exact[k]) for k in range(K)]
        out = dict(mass_c=float(mom[0] - matoms), mass_atoms=matoms, mass_err=abs(mom[0] - 1),
                   qerr=qerr, moments_exact=exact, moments_quad=[float(v) for v in mom[1:]],
                   merr=merr, ok=ok)
        self._cache["checks"] = out
        return out

    def density(self, x, *, strict=True, mass_tol=1e-8, moment_tol=1e-7):
        r"""Density of the absolutely continuous part, with evidence.

        ``0`` outside the support and at its (soft) edges, ``nan`` exactly at
        the atom (flagged in ``at_atom``).  The evidence holds the largest
        residual, the branch guards, the error bounds, and the total mass
        and moments ``m_1..m_4`` from a quadrature of the density against
        the exact moments.

        Parameters
        ----------
        x : float or array_like of float
        strict : bool
            Raise :class:`~freealg.errors.CertificationError` when a check
            fails (else a :class:`~freealg.errors.CertificationWarning` and
            ``evidence.ok = False``).
        mass_tol, moment_tol : float
            Tolerances of the mass and of the relative moment errors.

        Returns
        -------
        DensityResult

        Raises
        ------
        CertificationError
            A failed check under ``strict``.

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> res = neural_tangent_kernel_law([0.5, 0.5], 0.6, 0.5).density([2.0, 100.0])
        >>> bool(res.evidence.ok), bool(res.density[0] > 0), float(res.density[1])
        (True, True, 0.0)
        """
        import warnings

        from ..density.result import DensityEvidence, DensityResult, _as_grid

        xg = _as_grid(x)
        flat = xg.ravel() / self._sf
        rho, err, ok, s = self._rho(flat)
        ivs = self._support_unscaled()
        inside = np.zeros(flat.size, bool)
        for a, b in ivs:
            inside |= (flat > a) & (flat < b)
        atoms = self.atoms()
        at_atom = np.zeros(flat.size, bool)
        for loc, _m in atoms:
            at_atom |= flat == loc / self._sf
        failures = []
        notes = ["moments_contour holds the quadrature moments of the density plus atoms"]
        # next to a square-root edge Newton at y = 0 may not converge: there
        # the value is Im s(x + iη)/π at η = 1e-10 × scale, with the error
        # bound 2|Im s(x + iη) − Im s(x + 2iη)|/π (the O(η) smoothing)
        retry = inside & ~ok & ~at_atom
        if retry.any():
            lo, hi = self._bounds()
            eta = 1e-10 * max(1.0, hi)
            z = flat[retry] - float(self.r_plus)
            s1, _e1, o1 = _solve(self._system, z + 1j * eta)
            s2, _e2, o2 = _solve(self._system, z + 2j * eta)
            good = o1 & o2
            idx = np.flatnonzero(retry)[good]
            rho[idx] = s1[good].imag / np.pi
            err[idx] = 2 * np.abs((s1[good] - s2[good]).imag) / np.pi
            s[idx] = s1[good]
            ok[idx] = True
            if idx.size:
                notes.append(f"{idx.size} points next to an edge evaluated at Im z = {eta:.1e}")
        n_track = int(np.sum(~ok & ~at_atom))
        if n_track:
            failures.append(f"{n_track} points where Newton's method did not converge on the physical branch")
        dens = np.where(inside, rho, 0.0)
        e = np.where(inside, err, 0.0)
        neg = inside & (dens < -e)
        if neg.any():
            failures.append(f"{int(neg.sum())} negative density values beyond their error bound")
        dens = np.where(inside & (dens < 0), 0.0, dens)
        unc = inside & ok & (e > 1e-8 * np.abs(dens)) & (e > 1e-12 * np.abs(s) / np.pi)
        if unc.any():
            failures.append(f"{int(unc.sum())} values with error bound above 1e-8 relative")
        # outside the support the boundary value must be real
        outs = ~inside & ok & ~at_atom
        span = max((b - a for a, b in ivs), default=1.0)
        for a, b in ivs:  # the edges are numerical (~1e-9 relative): not checked next to them
            outs &= (np.abs(flat - a) > 1e-6 * span) & (np.abs(flat - b) > 1e-6 * span)
        if np.any(rho[outs] > 1e-9 * max(1.0, float(np.max(rho, initial=0.0)))):
            failures.append("Im s > 0 outside the computed support (an interval was missed)")
        dens = np.where(at_atom, np.nan, dens / self._sf)
        e = np.where(at_atom, np.nan, e / self._sf)
        ch = self._checks()
        if not ch["ok"]:
            failures.append("the recursion failed at a quadrature node")
        if not ch["mass_err"] <= mass_tol:
            failures.append(f"total mass off by {ch['mass_err']:.2e} (tol {mass_tol:g})")
        if not max(ch["merr"]) <= moment_tol:
            failures.append(f"quadrature moments off by {max(ch['merr']):.2e} relative (tol {moment_tol:g})")
        G = np.where(at_atom, np.inf + 0j, -s / self._sf)
        fin = dens[np.isfinite(dens) & (dens > 0)]
        efin = e[np.isfinite(dens) & (dens > 0)]
        ev = DensityEvidence(
            ok=not failures, failures=failures, method="ntk-recursion (Newton continuation)",
            n_points=int(flat.size), max_residual=0.0, residual_tol=1e-12, im_sign_ok=not neg.any(),
            max_im=0.0, mass_continuous=ch["mass_c"], mass_atoms=ch["mass_atoms"],
            mass_error=ch["mass_err"], mass_tol=mass_tol, mass_quadrature_error=ch["qerr"],
            moments_exact=ch["moments_exact"], moments_contour=ch["moments_quad"],
            moment_errors=ch["merr"], moment_tol=[moment_tol] * len(ch["merr"]), atom_checks=[],
            max_rel_error=float(np.max(efin / fin)) if fin.size else 0.0,
            max_abs_error=float(np.max(efin)) if efin.size else 0.0, n_negative=int(neg.sum()),
            n_uncertified=int(unc.sum()),
            atom_points=[(loc, m, int(np.sum(at_atom))) for loc, m in atoms if np.any(at_atom)],
            refined=0, dps=None, tracking_failures=n_track, notes=notes)
        if failures:
            msg = "NTK density failed its checks: " + "; ".join(failures)
            if strict:
                raise CertificationError(msg)
            warnings.warn(msg, CertificationWarning, stacklevel=2)
        return DensityResult(xg, dens.reshape(xg.shape), G.reshape(xg.shape), e.reshape(xg.shape),
                             atoms, atoms, self.support(), ev, at_atom=at_atom.reshape(xg.shape))


# ---------------------------------------------------------------------------
# constructors
# ---------------------------------------------------------------------------


def _layer_list(values, name, L):
    from .ck_moments import _seq

    vals = _seq(values, name)
    if not np.ndim(values):
        vals = vals * L
    if len(vals) != L:
        raise InvalidArgumentError(f"{name} has {len(vals)} entries but gammas has {L}")
    return vals


def neural_tangent_kernel_law(gammas, b, a):
    r"""The Fan–Wang limit law of the multi-sample NTK (module docstring of
    :mod:`freealg.dnn.ntk_law`) on orthonormal inputs.

    Parameters
    ----------
    gammas : positive real or sequence (one per hidden layer)
        ``γ_ℓ = n / d_ℓ`` (samples over width).
    b : real or sequence
        ``b_ℓ = E σ_ℓ'(ξ)`` of the normalised activation (``E σ = 0``,
        ``E σ² = 1``; centre the activation first, ``σ − E σ``).
    a : real or sequence
        ``a_ℓ = E σ_ℓ'(ξ)²``, ``b_ℓ² ≤ a_ℓ``.

    Returns
    -------
    NTKLaw

    Raises
    ------
    InvalidArgumentError
        A ``γ`` not positive, ``b² > 1`` or ``b² > a``, lengths that differ.
    TooLargeError
        More than 200 layers (one Newton unknown per layer).

    Examples
    --------
    >>> from freealg.dnn import neural_tangent_kernel_law
    >>> law = neural_tangent_kernel_law([0.5, 0.5], 0.8, 1.0)
    >>> [round(float(v), 12) for v in law.moments(2)]
    [3.0, 10.3192]
    """
    from .ck_moments import _seq
    from .._utils.validate import check_real

    gl = _seq(gammas, "gammas")
    if not gl:
        raise InvalidArgumentError("gammas must list at least one hidden layer (n_samples / width)")
    if len(gl) > MAX_LAYERS:
        raise TooLargeError(
            f"gammas lists {len(gl)} layers; the NTK law solves one Newton unknown per layer and "
            f"is supported up to {MAX_LAYERS} layers (the CK law conjugate_kernel_law and "
            "conjugate_kernel_moments go deeper)")
    gl = [check_real(g, f"gammas[{i}]", positive=True) for i, g in enumerate(gl)]
    bl = _layer_list(b, "b", len(gl))
    al = _layer_list(a, "a", len(gl))
    for i, (bb, aa) in enumerate(zip(bl, al)):
        if abs(float(bb)) > 1 + 1e-12:
            raise InvalidArgumentError(
                f"b[{i}] = {bb!r}: b = E sigma'(xi) of a normalised activation has b^2 <= 1")
        if float(aa) < float(bb) ** 2 * (1 - 1e-12) or float(aa) <= 0:
            raise InvalidArgumentError(
                f"a[{i}] = {aa!r} must be > 0 and >= b[{i}]^2 = {float(bb) ** 2:g} "
                "(a = E sigma'(xi)^2 >= (E sigma'(xi))^2)")
    law = NTKLaw(gl, bl, al)
    if not all(math.isfinite(float(v)) for v in law.r + [law.r_plus]):
        raise InvalidArgumentError(
            f"the NTK coefficients overflow float64 (r_+ = {float(law.r_plus)!r}) for a = {a!r}; "
            "a = E sigma'(xi)^2 of a normalised activation is O(1): check the normalisation")
    return law


def _ntk_parameters(net, *, gammas, n_samples, q_in, centre):
    """``(γ, b, a, q^L)`` of the hidden layers of an MLP (float)."""
    from .ck_moments import _ck_parameters, _sig_float

    gl, bs, qhat = _ck_parameters(net, gammas=gammas, n_samples=n_samples, q_in=q_in, dps=None,
                                  centre=centre)
    act = net.activation
    sw2 = float(_sig_float(net)[0])
    q = sw2 * float(q_in)
    as_ = []
    for ell in range(len(gl)):
        ed2 = float(act.gaussian_expectation("dphi2", q))
        as_.append(q * ed2 / float(qhat[ell]))
        q = sw2 * float(qhat[ell])  # q^{ℓ+1} = σ_w² q̂^ℓ (σ_b = 0; centred when centre=True)
    return gl, bs, as_, q


def mlp_ntk_law(net, *, gammas=None, n_samples=None, q_in=1, centre=False):
    r"""Limit spectrum of the empirical NTK of an MLP (NTK parametrisation,
    Gaussian weights, ``σ_b = 0``, scalar output) on ``N`` orthonormal
    inputs of equal norm ``‖x‖²/n_0 = q_in``.

    ``Θ = Σ_{ℓ=1}^{L} (σ_w²/n_{ℓ−1}) (δ_ℓ·δ_ℓ')(x_{ℓ−1}·x_{ℓ−1}')`` with
    ``δ_ℓ = ∂f/∂h_ℓ`` (the kernel whose infinite-width limit is
    :func:`freealg.dnn.kernels.ntk_kernel`).  Writing ``h_ℓ = √q^ℓ ξ`` and
    ``σ_ℓ(ξ) = phi(√q^ℓ ξ)/√q̂^ℓ`` it is ``q^L`` times the Fan–Wang NTK of
    the ``L − 1`` hidden layers with ``b_ℓ = √q^ℓ E phi'(h_ℓ)/√q̂^ℓ`` and
    ``a_ℓ = q^ℓ E phi'(h_ℓ)²/q̂^ℓ``.

    Centring.  Fan & Wang (2020) assume ``E σ(ξ) = 0``.  With
    ``centre=False`` the activation must be centred at every layer (tanh,
    erf, linear; checked); with ``centre=True`` any activation (relu
    included) is accepted and the law is that of the network whose activation
    is ``phi(h) − E phi(h_ℓ)`` at every layer (the uncentred network has a
    low-rank mean term that at depth > 2 also changes the bulk).

    Parameters
    ----------
    net : MLP
        Depth ``L ≥ 2``.
    gammas : sequence of L − 1 positive reals, or a scalar
        ``γ_ℓ = N / n_ℓ``; or give ``n_samples = N`` with the net's widths.
    n_samples : int, optional
    q_in : real > 0
    centre : bool

    Returns
    -------
    NTKLaw

    Raises
    ------
    InvalidArgumentError
        Biases, an uncentred activation without ``centre=True``, a depth-1
        net, bad ``gammas``, a non-Gaussian init.
    TooLargeError
        More than 200 hidden layers (checked first).

    Examples
    --------
    The mean is the diagonal of the infinite-width NTK:

    >>> import freealg, numpy as np
    >>> net = freealg.MLP(3, "tanh", init="gaussian", sigma_w=1.5)
    >>> law = net.ntk_law(gammas=0.5)
    >>> X = np.eye(4) * 2.0                      # ‖x‖²/n_0 = 1
    >>> round(float(law.mean()), 10) == round(float(net.ntk_kernel(X)[0, 0]), 10)
    True
    """
    if net.weight_family != "gaussian":
        raise InvalidArgumentError(
            f"the Fan–Wang NTK law is for i.i.d. (Gaussian-class) weights; got init={net.init!r}. "
            "Build the net with init='gaussian'")
    if net.depth - 1 > MAX_LAYERS:
        raise TooLargeError(
            f"the NTK law solves one Newton unknown per hidden layer and is supported up to "
            f"{MAX_LAYERS} hidden layers; the net has {net.depth - 1} (the moments of the "
            "conjugate kernel, net.conjugate_kernel_moments, go deeper)")
    gl, bs, as_, qL = _ntk_parameters(net, gammas=gammas, n_samples=n_samples, q_in=q_in,
                                      centre=centre)
    return NTKLaw(gl, bs, as_, scale=qL)


class _CKRecursion(NTKLaw):
    """The conjugate-kernel law ``scale · μ_L`` (orthonormal inputs) evaluated
    by the recursion of this module with ``r = (0, …, 0, 1)``, ``r_+ = 0``:
    ``L`` Newton unknowns instead of ``L`` nested continuations of the ⊠
    engine.  Atoms and exact moments are the caller's (Belinschi's rule and
    the Fan–Wang moment recursion of :class:`ConjugateKernelLaw`)."""

    def __init__(self, gammas, bs, scale, atoms, moments):
        self.gammas, self.bs, self.scale = list(gammas), list(bs), scale
        self.as_ = [b * b for b in self.bs]  # unused: r is set directly
        self.r, self.r_plus = [0] * len(self.gammas) + [1], 0
        self._system = _System(self.gammas, self.bs, self.r)
        self._sf = float(scale)
        self._shift = 0.0
        self._cache = {}
        self._atoms_fn, self._moments_fn = atoms, moments

    def atoms(self):
        return [(float(a), float(m)) for a, m in self._atoms_fn() if float(m) > 0]

    def moments(self, n):
        return self._moments_fn(n)
