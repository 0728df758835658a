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

from .._utils.public import public_methods
from ..laws.interface import LawMethods
from ..errors import CertificationError, InvalidArgumentError, TooLargeError

__all__ = ["NTKLaw", "neural_tangent_kernel_law", "mlp_ntk_law"]

MAX_LAYERS = 200  # Newton on one unknown per layer: O(L^3) per point


from ._ntk_solver import _coefficients, _series_moments, _solve, _System
from ._ntk_spectrum import _NTKSpectrum


# ---------------------------------------------------------------------------
# the law
# ---------------------------------------------------------------------------


@public_methods
class NTKLaw(_NTKSpectrum, LawMethods):
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
