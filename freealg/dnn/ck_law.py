r"""Limit spectrum of the conjugate kernel of an MLP (Fan & Wang, NeurIPS 2020).

For ``X_ℓ = σ(W_ℓ X_{ℓ−1})/√d_ℓ`` with standard Gaussian ``W_ℓ``
(``d_ℓ × d_{ℓ−1}``), ``n`` inputs whose Gram matrix ``X_0ᵀX_0`` has limit
spectrum ``μ_0`` (``δ_1`` for orthonormal-ish inputs), ``n/d_ℓ → γ_ℓ`` and
``σ`` normalised (``E σ(ξ) = 0``, ``E σ(ξ)² = 1``, Fan & Wang 2020,
Assumption 3.2), the spectrum of the ``n × n`` conjugate kernel
``X_ℓᵀX_ℓ`` converges to (Fan & Wang 2020, Theorem 3.4)::

    μ_ℓ = MP_{γ_ℓ} ⊠ ((1 − b_ℓ²) + b_ℓ² μ_{ℓ−1}),    b_ℓ = E σ_ℓ'(ξ),

with ``MP_γ`` the Marchenko–Pastur law of mean 1 and variance ``γ``
(``MarchenkoPastur(rate=1/γ, jump=γ)``).

Engine.  The affine image ``ν = a + s μ`` (``a = 1 − b²``, ``s = b²``) has
``G_ν(z) = G_μ((z − a)/s)/s``, exact moments
``m_k(ν) = Σ_j C(k,j) a^{k−j} s^j m_j(μ)`` and atoms ``a + s·(atoms of μ)``;
it has no closed S-transform, so it enters the ⊠ engine of
:mod:`freealg.functional` through its Cauchy transform (one subordination
unknown per layer).  ``μ_ℓ`` is then a :class:`freealg.functional.FreeMulLaw`
whose density is certified like any other (mass, contour moments against the
exact moments, atoms, sign of ``Im G``).  Special cases: ``b = 0`` gives
``ν = δ_1`` and ``μ_ℓ = MP_{γ_ℓ}``; ``b² = 1`` gives ``ν = μ_{ℓ−1}`` and the
Marchenko–Pastur factors multiply directly.

The moments of :class:`ConjugateKernelLaw` come from the Fan–Wang moment
recursion :func:`freealg.dnn.kernels.conjugate_kernel_moments` (exact for
exact ``γ``, ``b``); the engine law computes them independently from the
factors' S-series (the tests compare the two).
"""

from __future__ import annotations

import math

import numpy as np

from ..laws.interface import LawMethods
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ..density.subordination import FreeMulLaw

__all__ = ["ConjugateKernelLaw", "conjugate_kernel_law", "mlp_conjugate_kernel_law"]


class _AffineFactor:
    """The law of ``a + s X`` (``s > 0``) for a factor ``X`` with ``moments``,
    ``cauchy`` and ``atoms``: a ⊠-factor entering through its Cauchy
    transform ``G(z) = G_X((z − a)/s)/s``."""

    def __init__(self, base, a, s):
        from .ck_moments import _affine_moments

        self.base, self.a, self.s = base, a, s
        self.af, self.sf = float(a), float(s)
        self._aff = _affine_moments

    def moments(self, n):
        return self._aff(list(self.base.moments(n)), self.a, self.s)

    def atoms(self):
        return [(self.a + self.s * loc, m) for loc, m in self.base.atoms() if m != 0]

    def cauchy(self, z):
        """``G_X((z − a)/s)/s``; ``nan`` where ``z`` is not finite (the ⊠
        engine marks such points failed and never uses the value)."""
        z = np.asarray(z, complex)
        with np.errstate(all="ignore"):
            zeta = (z - self.af) / self.sf
        out = np.full(zeta.shape, np.nan + 0j)
        good = np.isfinite(zeta)
        if np.any(good):
            out[good] = np.asarray(self.base.cauchy(zeta[good]), complex).ravel() / self.sf
        return out

    def __repr__(self):
        return f"Affine({self.af:g} + {self.sf:g}·{self.base!r})"


class _MPNum:
    """Float evaluation of a :class:`freealg.MarchenkoPastur` law (rate ``λ``,
    jump ``α > 0``) for use as the base of an affine factor:
    ``G(z) = 2/(z + α(1 − λ) + S) = (z + α(1 − λ) − S)/(2αz)``,
    ``S = √(z − lo)√(z − hi)`` (principal roots: ``S ~ z`` at infinity, the
    boundary value from above on the axis), the form without cancellation at
    each point.  Moments and atoms are the law's (exact)."""

    def __init__(self, law):
        self.law = law
        lam, alpha = float(law.parameters["rate"]), float(law.parameters["jump"])
        self.c, self.alpha = alpha * (1 - lam), alpha
        self.lo, self.hi = alpha * (1 - math.sqrt(lam)) ** 2, alpha * (1 + math.sqrt(lam)) ** 2

    def moments(self, n):
        return self.law.moments(n)

    def atoms(self):
        return self.law.atoms()

    def cauchy(self, z):
        z = np.asarray(z, complex)
        with np.errstate(all="ignore"):
            S = np.sqrt(z - self.lo) * np.sqrt(z - self.hi)
            n1, n2 = z + self.c - S, z + self.c + S
            return np.where(np.abs(n1) >= np.abs(n2), n1 / (2 * self.alpha * z), 2.0 / n2)

    def __repr__(self):
        return repr(self.law)


def _mp(gamma, jump_scale=1):
    from ..laws import MarchenkoPastur

    return MarchenkoPastur(rate=1 / gamma, jump=gamma * jump_scale)


def _gamma_list(gammas):
    from .ck_moments import _seq
    from .._utils.validate import check_real

    gl = _seq(gammas, "gammas")
    if not gl:
        raise InvalidArgumentError("gammas must list at least one layer (n_samples / width)")
    if len(gl) > 1000:
        from ..errors import TooLargeError

        raise TooLargeError(
            f"gammas lists {len(gl)} layers; the law nests one Cauchy-transform factor per layer "
            "and is supported up to 1000 layers (use conjugate_kernel_moments for the moments "
            "of deeper nets)")
    return [check_real(g, f"gammas[{i}]", positive=True) for i, g in enumerate(gl)]


class ConjugateKernelLaw(LawMethods):
    r"""The limit spectrum of the conjugate kernel of the last layer
    (Fan–Wang recursion, module docstring of :mod:`freealg.dnn.ck_law`),
    multiplied by ``scale`` (``q̂`` of the last hidden layer for an MLP).

    Methods ``moments`` (exact, Fan–Wang recursion), ``atoms``, ``support``,
    ``cauchy``, ``density`` (certified) and the shared ``pdf``, ``cdf``,
    ``quantile``, ``sample``.  Build it with :func:`conjugate_kernel_law` or
    :meth:`freealg.dnn.MLP.conjugate_kernel_law`.

    Parameters
    ----------
    gammas : sequence of positive reals
        ``γ_ℓ = n / d_ℓ`` (samples over width), one per layer.
    bs : sequence of reals
        ``b_ℓ = E σ_ℓ'(ξ)`` of the normalised activation, ``b_ℓ² <= 1``,
        one per layer.
    mu0 : law, optional
        Limit spectrum of the input Gram matrix (an object with
        ``moments(n)``, ``cauchy(z)`` and ``atoms()``); default ``δ_1``.
    scale : real > 0, optional
        Factor applied to the last layer's law (``q̂^{L−1}`` for an MLP;
        default 1): the moments are multiplied by ``scale^k``.

    Raises
    ------
    InvalidArgumentError
        No layer, a ``γ`` that is not positive, ``b² > 1``, ``gammas`` and
        ``bs`` of different lengths, ``scale <= 0``, or a ``mu0`` whose mean
        is not positive.
    InvalidArgumentTypeError
        Non-numeric ``gammas``, ``bs`` or ``scale``; a ``mu0`` that is a
        sequence or lacks ``moments``, ``cauchy`` or ``atoms``.
    TooLargeError
        More than 1000 layers.

    Examples
    --------
    ``b = 0`` forgets the input: one layer of ``MP_γ`` (mean 1, variance ``γ``):

    >>> from freealg.dnn import conjugate_kernel_law
    >>> law = conjugate_kernel_law([0.5, 0.25], 0)
    >>> law.moments(2)
    [1.0, 1.25]
    """

    def __init__(self, gammas, bs, mu0=None, scale=1):
        gammas, bs, mu0, scale = _check_law_args(gammas, bs, mu0, scale)
        self.gammas, self.bs, self.mu0, self.scale = gammas, bs, mu0, scale
        cur = [] if mu0 is None else [mu0]  # factors whose ⊠ is μ_{ℓ−1}; [] = δ_1
        last = len(self.gammas) - 1
        for ell, (g, b) in enumerate(zip(self.gammas, self.bs)):
            mp = _mp(g, scale if ell == last else 1)
            b2 = b * b
            if not cur or float(b2) == 0:
                cur = [mp]  # ν = δ_1 (μ_{ℓ−1} = δ_1, or b = 0 forgets it)
            elif b2 == 1:
                cur = [mp] + cur  # ν = μ_{ℓ−1}
            else:
                base = cur[0] if len(cur) == 1 else FreeMulLaw(cur)
                if type(base).__name__ == "MarchenkoPastur":
                    base = _MPNum(base)
                cur = [mp, _AffineFactor(base, 1 - b2, b2)]
        self._law = FreeMulLaw(cur)
        # depth >= 3 on orthonormal inputs: the ⊠ engine nests one
        # continuation per layer (minutes per grid); the Stieltjes recursion
        # of freealg.dnn.ntk_law with r = (0, ..., 0, 1) solves the same law
        # with one Newton unknown per layer (tests compare the two)
        self._fast = None
        # (not with a hard edge at 0: gamma_L = 1, or a linear layer b^2 = 1,
        # where the axis quadrature of the recursion's evidence does not apply)
        if (mu0 is None and len(self.gammas) >= 3 and float(self.gammas[-1]) != 1
                and all(float(b) ** 2 < 1 for b in self.bs)):
            from .ntk_law import _CKRecursion

            self._fast = _CKRecursion(self.gammas, self.bs, scale, self._law.atoms, self.moments)

    def __repr__(self):
        g = ", ".join(f"{float(v):g}" for v in self.gammas)
        b = ", ".join(f"{float(v):g}" for v in self.bs)
        sc = f", scale={float(self.scale):g}" if self.scale != 1 else ""
        mu0 = "" if self.mu0 is None else f", mu0={self.mu0!r}"
        return f"ConjugateKernelLaw(gammas=[{g}], b=[{b}]{mu0}{sc})"

    @property
    def engine_law(self):
        """The :class:`freealg.functional.FreeMulLaw` that evaluates the law."""
        return self._law

    def moments(self, n):
        """Moments ``m_1..m_n`` by the Fan–Wang recursion
        (:func:`freealg.dnn.kernels.conjugate_kernel_moments`), times
        ``scale^k``; exact for exact ``γ``, ``b`` and ``scale``.

        Parameters
        ----------
        n : int, 1 <= n <= 2000
            Number of moments.

        Returns
        -------
        list
            ``[m_1, …, m_n]``: ints/``Fraction``/sympy numbers for exact
            data, floats otherwise.

        Raises
        ------
        InvalidArgumentTypeError
            A non-integer ``n``.
        InvalidArgumentError
            ``n < 1``; ``b² > 1`` or ``gammas`` and ``bs`` of different
            lengths (not checked by the constructor).
        TooLargeError
            ``n > 2000``.

        Examples
        --------
        One layer with ``b = 0`` is ``MP_{1/2}``, scaled by 2: moments
        ``2·1`` and ``4·(1 + γ)``:

        >>> from fractions import Fraction
        >>> from freealg.dnn import ConjugateKernelLaw
        >>> ConjugateKernelLaw([Fraction(1, 2)], [0], scale=2).moments(2)
        [Fraction(2, 1), Fraction(6, 1)]
        """
        from .ck_moments import _check_n, conjugate_kernel_moments

        n = _check_n(n)
        mu0 = None if self.mu0 is None else list(self.mu0.moments(n))
        ms = conjugate_kernel_moments(n, self.gammas, self.bs, mu0)[-1]
        return [self.scale ** (k + 1) * m for k, m in enumerate(ms)]

    def mean(self):
        """``m_1`` (the scale times the mean of ``μ_0``).

        Returns
        -------
        number
            Exact for exact data, float otherwise.

        Examples
        --------
        >>> from freealg.dnn import ConjugateKernelLaw
        >>> ConjugateKernelLaw([2], [0]).mean()
        1
        """
        return self.moments(1)[0]

    def atoms(self):
        """Atoms ``[(location, mass)]`` (Belinschi's rule on the factors).

        Returns
        -------
        list of (float, float)
            Locations and masses of the atoms (empty when there are none).

        Examples
        --------
        ``MP_γ`` with ``γ = 2 > 1`` has mass ``1 − 1/γ`` at 0:

        >>> from freealg.dnn import ConjugateKernelLaw
        >>> ConjugateKernelLaw([2], [0]).atoms()
        [(0.0, 0.5)]
        """
        return self._law.atoms()

    def support(self):
        """Intervals of the absolutely continuous part
        (:meth:`freealg.functional.FreeMulLaw.support`; at depth >= 3 on
        orthonormal inputs :meth:`freealg.dnn.NTKLaw.support` of the
        recursion).

        Returns
        -------
        list of (float, float)
            Where the density is certifiably positive at double precision.

        Examples
        --------
        ``2 · MP_{1/2}``: ``[2(1 − √(1/2))², 2(1 + √(1/2))²]``:

        >>> from fractions import Fraction
        >>> from freealg.dnn import ConjugateKernelLaw
        >>> [(round(a, 10), round(b, 10)) for a, b in
        ...  ConjugateKernelLaw([Fraction(1, 2)], [0], scale=2).support()]
        [(0.1715728753, 5.8284271247)]
        """
        if self._fast is not None:
            return self._fast.support()
        return self._law.support()

    def cauchy(self, z):
        """``G(z)`` at complex ``z`` (real ``z != 0``: the boundary value
        ``G(x + i0)``).

        Parameters
        ----------
        z : complex or array_like of complex
            Evaluation points, ``z != 0`` (``Im z < 0`` by conjugation).

        Returns
        -------
        numpy.ndarray of complex
            ``G(z) = ∫ dμ(x)/(z − x)``, of the shape of ``z``.

        Raises
        ------
        InvalidArgumentTypeError
            A non-numeric ``z``.
        InvalidArgumentError
            A non-finite ``z`` or ``z = 0``.
        ConvergenceError
            Where the numerical continuation fails.

        Examples
        --------
        ``G(z) ~ 1/z`` far away:

        >>> from freealg.dnn import ConjugateKernelLaw
        >>> G = ConjugateKernelLaw([0.5, 0.5], [0.6, 0.6]).cauchy(1e6)
        >>> bool(abs(G * 1e6 - 1) < 1e-5)
        True
        """
        if self._fast is not None and np.all(np.imag(np.asarray(z, complex)) >= 0):
            return self._fast.cauchy(z)
        return self._law.cauchy(z)

    def density(self, x, **kwargs):
        """Certified density (a :class:`freealg.DensityResult`; keywords of
        :meth:`freealg.functional.FreeMulLaw.density`).  At depth >= 3 on
        orthonormal inputs (no ``mu0``), with ``γ_L != 1`` and every
        ``b² < 1`` (no hard edge at 0), and without ``dps`` or
        ``n_moments``, the values come from the Stieltjes recursion of
        :mod:`freealg.dnn.ntk_law` (one Newton unknown per layer; seconds
        instead of minutes), with its evidence: adaptive quadrature mass and
        moments ``m_1..m_4`` against the exact moments.

        Parameters
        ----------
        x : real or array_like of reals
            Grid points.
        **kwargs
            ``dps`` (None or 15..1000, mpmath polishing), ``strict`` (bool,
            default True), ``n_moments`` (0..200, default 8), ``mass_tol``
            (default 1e-9), ``moment_tol`` (default 1e-8).

        Returns
        -------
        DensityResult
            ``density`` of the continuous part (``nan`` at atoms), ``atoms``,
            ``support`` and ``evidence``.

        Raises
        ------
        CertificationError
            A check of the evidence fails and ``strict`` is true.
        InvalidArgumentTypeError
            A non-numeric ``x`` or a non-bool ``strict``.
        InvalidArgumentError
            An empty or non-finite ``x``, or bad tolerances.
        TooLargeError
            ``dps > 1000`` or ``n_moments > 200``.

        Examples
        --------
        >>> from freealg.dnn import conjugate_kernel_law
        >>> law = conjugate_kernel_law([0.5, 0.5], 0.6)
        >>> res = law.density([0.5, 1.0])
        >>> bool(res.evidence.ok), bool(res.density[1] > 0)
        (True, True)
        """
        if self._fast is not None and kwargs.get("dps") is None and set(kwargs) <= {
                "dps", "strict", "mass_tol", "moment_tol"}:
            kw = {k: v for k, v in kwargs.items() if k != "dps"}
            return self._fast.density(x, **kw)
        return self._law.density(x, **kwargs)


def _check_law_args(gammas, bs, mu0, scale):
    """The constructor's checks (the builders check the same before calling it)."""
    from .._utils.validate import check_real
    from .ck_moments import _seq, conjugate_kernel_moments

    gl = _gamma_list(gammas)
    bl = _seq(bs, "bs")
    if len(bl) != len(gl):
        raise InvalidArgumentError(
            f"bs must give one b = E[phi'] per layer: {len(gl)} gammas but {len(bl)} bs")
    conjugate_kernel_moments(1, gl, bl)  # the recursion's own checks of gammas and b
    scale = check_real(scale, "scale", positive=True)
    return gl, bl, _check_mu0(mu0), scale


def _check_mu0(mu0):
    if mu0 is None:
        return None
    if isinstance(mu0, (list, tuple, np.ndarray)):
        raise InvalidArgumentTypeError(
            "mu0 must be a law (an object with moments(n), cauchy(z) and atoms(), e.g. "
            "freealg.MarchenkoPastur(...)); got a sequence. Moments alone do not determine the "
            "density: use conjugate_kernel_moments for moment sequences")
    for meth in ("moments", "cauchy", "atoms"):
        if not callable(getattr(mu0, meth, None)):
            raise InvalidArgumentTypeError(
                f"mu0 must be a law with moments(n), cauchy(z) and atoms(); {type(mu0).__name__} "
                f"has no {meth}()")
    m1 = float(mu0.moments(1)[0])
    if not (math.isfinite(m1) and m1 > 0):
        raise InvalidArgumentError(f"mu0 must be a law on [0, inf) with mean > 0; its mean is {m1}")
    return mu0


def conjugate_kernel_law(gammas, b, mu0=None):
    r"""The Fan–Wang limit law ``μ_L`` of the conjugate kernel ``X_LᵀX_L``.

    Parameters
    ----------
    gammas : positive real or sequence (one per layer)
        ``γ_ℓ = n / d_ℓ`` (samples over width).
    b : real or sequence (one per layer)
        ``b_ℓ = E σ_ℓ'(ξ)`` of the normalised activation (``E σ = 0``,
        ``E σ² = 1``), ``b² <= 1``.
    mu0 : law, optional
        Limit spectrum of the input Gram matrix ``X_0ᵀX_0``, a law on
        ``[0, ∞)`` with ``moments``, ``cauchy`` and ``atoms`` (default
        ``δ_1``: orthonormal inputs).

    Returns
    -------
    ConjugateKernelLaw

    Raises
    ------
    InvalidArgumentError
        A ``γ`` not positive, ``b² > 1``, or lengths that differ; an empty
        ``gammas``; a ``mu0`` whose mean is not positive.
    InvalidArgumentTypeError
        Non-numeric ``gammas`` or ``b``; a ``mu0`` that is a sequence of
        moments or lacks ``moments``, ``cauchy`` or ``atoms``.
    TooLargeError
        More than 1000 layers (use :func:`conjugate_kernel_moments` for
        the moments of deeper nets).

    Examples
    --------
    One layer on orthonormal inputs is ``MP_γ``; two layers:

    >>> from fractions import Fraction
    >>> law = conjugate_kernel_law([Fraction(1, 2)] * 2, Fraction(1, 2))
    >>> law.moments(3)
    [Fraction(1, 1), Fraction(49, 32), Fraction(741, 256)]
    >>> law.support()                           # doctest: +ELLIPSIS
    [(0.0824578..., 3.05325...)]
    """
    from .ck_moments import _seq, conjugate_kernel_moments

    gl = _gamma_list(gammas)
    bl = _seq(b, "b")
    if not np.ndim(b):
        bl = bl * len(gl)
    conjugate_kernel_moments(1, gl, bl)  # the recursion's own checks of gammas and b
    return ConjugateKernelLaw(gl, bl, _check_mu0(mu0))


def mlp_conjugate_kernel_law(net, *, gammas=None, n_samples=None, mu0=None, q_in=1, centre=False):
    r"""Limit spectrum of the conjugate kernel ``CK = (1/n_{L−1}) Φᵀ Φ`` of
    the last hidden layer of an MLP (``N`` inputs, Gaussian weights, no
    biases).

    With ``h_ℓ = √q^ℓ ξ`` and the normalised activation
    ``σ_ℓ(ξ) = (phi(√q^ℓ ξ) − E phi)/√q̂^ℓ``, the Fan–Wang recursion applies
    with ``b_ℓ = √q^ℓ E phi'(h_ℓ)/√q̂^ℓ`` and ``CK = q̂^{L−1} × X_{L−1}ᵀX_{L−1}``
    (the parameters of :func:`freealg.dnn.kernels.mlp_conjugate_kernel_moments`).

    Centring.  Fan & Wang (2020, Assumption 3.2) assume ``E σ(ξ) = 0``.  With
    ``centre=False`` (default) the activation must be centred at every layer
    (``E phi(h_ℓ) = 0``, checked: e.g. tanh, erf, linear); relu is refused.
    With ``centre=True`` any activation is accepted and the law is that of the
    network whose activation is centred at every layer, ``phi(h) − E
    phi(h_ℓ)`` (so ``q̂^ℓ = Var phi(h_ℓ)``, ``q^{ℓ+1} = σ_w² q̂^ℓ``); the
    uncentred network differs by a low-rank mean term that at depth > 1 also
    changes the bulk.

    Parameters
    ----------
    net : MLP
    gammas : sequence of L − 1 positive reals, or a scalar
        ``γ_ℓ = N / n_ℓ``; or give ``n_samples = N`` with the net's widths.
    n_samples : int, optional
    mu0 : law, optional
        Spectrum of the normalised input Gram matrix (default ``δ_1``).
    q_in : real > 0
        ``‖x‖²/n_0`` of every input.
    centre : bool

    Returns
    -------
    ConjugateKernelLaw

    Raises
    ------
    InvalidArgumentError
        ``depth = 1`` (no hidden layer), ``σ_b != 0``, ``q_in <= 0``, an
        activation that is not centred with ``centre=False``, vanishing
        features, neither ``gammas`` nor ``n_samples`` with widths,
        ``gammas`` of the wrong length or not positive, or a ``mu0`` whose
        mean is not positive.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-bool ``centre``, non-numeric
        parameters, or a ``mu0`` that is a sequence or lacks ``moments``,
        ``cauchy`` or ``atoms``.
    FloatRangeError
        A forward variance overflows float64.

    Examples
    --------
    >>> import freealg
    >>> net = freealg.MLP(3, "tanh", sigma_w=1.2)
    >>> law = net.conjugate_kernel_law(gammas=0.5)
    >>> [round(float(m), 10) for m in law.moments(2)] == [
    ...     round(float(m), 10) for m in net.conjugate_kernel_moments(2, gammas=0.5)[-1]]
    True
    """
    from .ck_moments import _ck_parameters

    gl, bs, scale = _ck_parameters(net, gammas=gammas, n_samples=n_samples, q_in=q_in, dps=None,
                                   centre=centre)
    return ConjugateKernelLaw(gl, bs, _check_mu0(mu0), scale=scale[-1])
