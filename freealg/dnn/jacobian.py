r"""The spectrum of ``J Jᵀ`` for the input–output Jacobian of a random MLP
(docs/theory.md §1, §5; Pennington–Schoenholz–Ganguli).

Under asymptotic freeness of the weights and the ``D``'s (proved for Haar
orthogonal weights by Collins–Hayase, arXiv:2103.13466; for Gaussian ones by
Hanin–Nica, Pastur, Yang)

    μ_{JJᵀ} = ⊠_ℓ μ_{W_ℓᵀW_ℓ} ⊠ ⊠_{ℓ ∈ d_layers} ν_ℓ,
    S_{JJᵀ}(w) = Π_ℓ S_{W_ℓᵀW_ℓ}(w) · Π_ℓ S_{ν_ℓ}(w),

with ``μ_{WᵀW} = MP(1, σ_w²)`` (Gaussian init, ``S = 1/(σ_w²(1 + w))``) or
``δ_{σ_w²}`` (orthogonal init, ``S = 1/σ_w²``) and ``ν_ℓ`` the law of
``D_ℓ² = φ'(h_ℓ)²``.  Which ``D``'s enter is the Jacobian convention of the
net (:attr:`freealg.MLP.jacobian_convention`):

* ``"preactivation"`` (default): ``J = ∂h_L/∂x_0 = W_L D_{L−1} ⋯ D_1 W_1``:
  ``L`` weight factors and ``L − 1`` factors ``ν``;
* ``"psg"``: ``J = ∂x_L/∂x_0 = D_L W_L ⋯ D_1 W_1``: ``L`` of each.

The laws ``ν_ℓ`` are taken at the fixed point ``q*`` for every layer
(``q_in=None``, the default: PSG's setting) or along the finite-depth
sequence ``q^ℓ`` from an input with ``‖x_0‖²/n_0 = q_in``.

Rectangular Gaussian layers (``W_ℓ`` of size ``n_ℓ × n_{ℓ−1}``, entries of
variance ``σ_w²/n_{ℓ−1}``): the law of ``W X Wᵀ`` on ``R^{n_ℓ}`` for ``X`` on
``R^{n_{ℓ−1}}`` free from ``W`` has ``S(w) = S_X(r w)/(σ_w²(1 + r w))``,
``r = n_ℓ/n_{ℓ−1}`` (Marchenko–Pastur with ratio), so that on ``R^{n_L}``

    S_{JJᵀ}(w) = Π_ℓ 1/(σ_w²(1 + R_ℓ w)) · Π_{ℓ ∈ d_layers} S_{ν_ℓ}(R'_ℓ w),
    R_ℓ = n_L/n_{ℓ−1},  R'_ℓ = n_L/n_ℓ.

Variance (docs/theory.md §5).  Writing ``S(w) = S(0)(1 + s_1 w + …)``, a law has
``Var/m_1² = −s_1`` and ``s_1`` adds over ⊠ factors; ``ν`` contributes
``s_1 = 1 − μ_2/μ_1²`` (``μ_k = E φ'(h)^{2k}``) and ``WᵀW`` contributes
``s_1 = −1`` (Gaussian) or ``0`` (orthogonal), or ``−R_ℓ`` for a rectangular
Gaussian layer.  Hence

    Var_{JJᵀ} = m_1² [ Σ_{ℓ∈d_layers} R'_ℓ (μ_2^ℓ/(μ_1^ℓ)² − 1) − Σ_ℓ R_ℓ s_1^W ],
    m_1 = σ_w^{2L} Π_{ℓ∈d_layers} μ_1^ℓ,

which for square layers at the fixed point is PSG's
``Var = L m_1² (μ_2/μ_1² − 1 − s_1)`` in the ``"psg"`` convention (``L``
factors ``D``) and ``m_1² ((L − 1)(μ_2/μ_1² − 1) − L s_1)`` in the ``"preactivation"``
convention (``L − 1`` factors ``D``); at the fixed point ``m_1 = χ^L``
(psg) or ``σ_w² χ^{L−1}`` (preactivation).

Examples
--------
Critical ReLU with orthogonal weights, PSG convention, depth 2:
``JJᵀ ~ (2 · Bernoulli(1/2))^{⊠2}``, mean ``χ² = 1`` and variance
``2 (2 − 1 − 0) = 2``:

>>> import sympy, freealg
>>> net = freealg.MLP(2, "relu", sigma_w=sympy.sqrt(2), jacobian_convention="psg")
>>> law = net.jacobian_law()
>>> law.moments(3)
[1, 3, 10]
>>> law.variance(), law.variance_closed_form()
(2, 2)
>>> law.atoms()
[(0, 1/2)]
"""

from __future__ import annotations

import numpy as np
import sympy

from .._utils.public import public_methods
from .._utils import detsympy as _ds
from ..laws.interface import LawMethods
from ..errors import InvalidArgumentError, NotAlgebraicError
from ._jacobian_spectrum import _JacobianSpectrum
from .._utils.numbers import to_mpf
from ._layer_data import _exact, _float_out, layer_data
from ._spectra import (
    _MAX_EXACT_DIGITS,
    _count_equal,
    _exact_digits,
    product_atoms,
    series_product_moments,
)
from .isometry import IsometrySummary, _IsometryMethod

__all__ = ["JacobianLaw", "IsometrySummary", "jacobian_law"]


@public_methods
class JacobianLaw(_JacobianSpectrum, _IsometryMethod, LawMethods):
    r"""The law ``μ_{JJᵀ}`` of an MLP's input–output Jacobian (module docstring).

    Build it with :meth:`freealg.MLP.jacobian_law` (or :func:`jacobian_law`).

    The law protocol of :mod:`freealg.laws`: :meth:`moments` (exact),
    :meth:`mean`, :meth:`variance`, :meth:`cauchy`, :meth:`density`
    (certified, with evidence), :meth:`support`, :meth:`atoms`, :meth:`curve`
    (the algebraic spectral curve when every ``ν`` is atomic), plus
    :meth:`variance_closed_form`, :meth:`lambda_max` and :meth:`isometry`.

    Numerics: square layers go through the functional-equation engine
    (:func:`freealg.functional.free_mul_law`; its cost does not grow with the
    depth); rectangular layers through the spectral curve and the density
    engine.

    Attributes
    ----------
    net : MLP
    convention : str
    layers : LayerData
        ``q^ℓ``, ``q_ℓ`` and ``ν_ℓ`` per layer.
    d_layers : tuple of int
        Layers whose ``D`` is in ``J``.
    nus : list of Law
        ``ν_ℓ`` for ``ℓ`` in ``d_layers``.
    weight_law : Law
        ``μ_{WᵀW}`` for square layers (``None`` for rectangular ones).
    algebraic : bool
        Every ``ν`` is atomic, so the law has a spectral curve.

    Parameters
    ----------
    net : MLP
    q_in : real >= 0, optional
        ``‖x_0‖²/n_0`` of the input: follow the finite-depth sequence
        ``q^ℓ``; default every layer at the fixed point ``q*``.
    convention : {'preactivation', 'psg'}, optional
        Default ``net.jacobian_convention``.
    dps : int, optional
        Digits (1..1000, default 30) for the moments of a smooth
        activation's ``ν`` and for float data.

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` is not an :class:`MLP`, or a non-integer ``dps``.
    InvalidArgumentError
        An unknown convention, rectangular layers with orthogonal init, a
        divergent ``q*`` of an unbounded activation (pass ``q_in``), or a
        bad ``q_in``.
    TooLargeError
        ``dps > 1000``.

    Examples
    --------
    Gaussian linear net of depth 2: ``JJᵀ ~ MP ⊠ MP``, Fuss–Catalan moments:

    >>> import freealg
    >>> from freealg.dnn import JacobianLaw
    >>> JacobianLaw(freealg.MLP(2, "linear", "gaussian", 1)).moments(3)
    [1, 3, 12]
    """

    def __init__(self, net, *, q_in=None, convention=None, dps=30):
        from ..laws import MarchenkoPastur, PointMass
        from .._utils.validate import check_dps, check_instance
        from ._conventions import check_convention
        from .mlp import MLP

        check_instance(net, "net", MLP, "an MLP, e.g. freealg.MLP(3, 'relu')")
        dps = check_dps(dps)
        self.net = net
        conv = net.jacobian_convention if convention is None else check_convention(convention)
        self.convention = conv
        self.dps = dps
        L = net.depth
        self.layers = layer_data(net, q_in, dps=dps)
        self.q_in = q_in
        self.d_layers = tuple(range(1, (L if conv == "psg" else L - 1) + 1))
        self.nus = [self.layers.nus[ell - 1] for ell in self.d_layers]
        s2 = self.layers.sigma_w2
        self.square = net.is_square
        if not self.square and net.weight_family != "gaussian":
            raise InvalidArgumentError(
                f"{net!r} has rectangular layers (ratios {tuple(str(r) for r in net.ratios)}) with "
                "orthogonal init; the spectral theory here covers rectangular layers only for "
                "Gaussian init (Marchenko–Pastur with ratio). Use init='gaussian' or equal widths."
            )
        #: float kind (a float σ, or q's from the mean-field floats, and atomic ν's):
        #: numbers out are floats
        self.float_kind = self.layers.float_kind
        w_float = self.float_kind or isinstance(net.sigma_w, (float, np.floating))
        if self.square:
            self.weight_law = MarchenkoPastur(1, s2) if net.weight_family == "gaussian" else PointMass(s2)
            if w_float:
                self.weight_law._mark_float()
            self._w_scales = [sympy.Integer(1)] * L
            self._d_scales = [sympy.Integer(1)] * len(self.d_layers)
        else:
            self.weight_law = None
            r = [_exact(v, "ratio") for v in net.ratios]
            self._w_scales = [r[L] / r[ell - 1] for ell in range(1, L + 1)]
            self._d_scales = [r[L] / r[ell] for ell in self.d_layers]
            self._mp = MarchenkoPastur(1, s2)
            if w_float:
                self._mp._mark_float()
        from ..laws import ActivationDerivativeLaw

        self.algebraic = not any(isinstance(v, ActivationDerivativeLaw) for v in self.nus)
        self._moments = []
        self._curve = None
        self._backend = None
        self._support = None

    def __repr__(self):
        return (f"JacobianLaw({self.net!r}, convention={self.convention!r}"
                + (f", q_in={self.q_in!r}" if self.q_in is not None else "") + ")")

    # ------------------------------------------------------------ exact side
    def _specs(self, n):
        """``(moments, power, scale)`` of the ⊠ factors (exact moments; for
        float laws those of the floats' binary values)."""
        specs = []
        if self.square:
            specs.append((self.weight_law._exact_moments(n), self.net.depth, 1))
            for nu, k in _count_equal(self.nus):
                specs.append((nu._exact_moments(n), k, 1))
        else:
            mw = self._mp._exact_moments(n)
            for c in self._w_scales:
                specs.append((mw, 1, c))
            for nu, c in zip(self.nus, self._d_scales):
                specs.append((nu._exact_moments(n), 1, c))
        return specs

    def moments(self, n):
        r"""Moments ``m_1..m_n`` of ``μ_{JJᵀ}`` (S-transform series of the
        factors): exact sympy numbers for exact data (exact ``σ``'s, ReLU-like
        activations), Python floats for float data (:attr:`float_kind`: a float
        ``σ_w``/``σ_b``/``q_in``, or ``q``'s from the mean field as for hard-tanh),
        computed in mpmath at ``dps`` digits from the exact binary values of the
        floats and rounded once.  A smooth activation's ``ν`` is an mpmath law:
        the moments are then mpmath numbers at ``dps`` digits.  Exact data whose
        moments would have more than 4000 digits are also computed in mpmath
        (and returned as mpmath numbers).

        Parameters
        ----------
        n : int >= 1
            Number of moments.

        Returns
        -------
        list
            ``[m_1, …, m_n]``: sympy numbers, Python floats or mpmath numbers
            (see above).

        Raises
        ------
        InvalidArgumentTypeError
            ``n`` not an integer.
        InvalidArgumentError
            ``n < 0``.
        TooLargeError
            ``n`` above ``MAX_MOMENT_ORDER`` (checked before any work).

        Examples
        --------
        Gaussian ReLU at criticality, preactivation convention, depth 2: ``S = 1/(4(1 +
        w)²)·(1 + w)/(1/2 + w)`` has mean ``σ_w² χ = 2``:

        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", "gaussian", sympy.sqrt(2)).jacobian_law().moments(2)
        [2, 16]
        >>> freealg.MLP(2, "relu", "gaussian", 2 ** 0.5).jacobian_law().moments(2)   # floats
        [2.000000000000001, 16.000000000000014]
        """
        from ..laws._kinds import _check_order

        n = _check_order(n)
        if n == 0:
            return []
        if len(self._moments) < n:
            from .._utils.mpctx import mpmath

            specs = self._specs(n)
            if self.float_kind or _exact_digits(specs, n) > _MAX_EXACT_DIGITS:
                # float-derived rational data (e.g. sigma_w = critical_sigma_w(...))
                # raised to the depth: the exact moments would have more digits
                # than Python prints (int -> str limit) and cost minutes; they
                # are computed in mpmath at dps digits instead
                with mpmath.workdps(self.dps + 20):
                    specs = [([to_mpf(v) for v in m], L, to_mpf(c)) for m, L, c in specs]
                    vals = series_product_moments(specs, n)
                with mpmath.workdps(self.dps):
                    self._moments = [+v for v in vals]
                if self.float_kind:
                    self._moments = [_float_out(v, "a moment", self) for v in self._moments]
            else:
                with mpmath.workdps(self.dps):
                    self._moments = series_product_moments(specs, n)
        return list(self._moments[:n])

    def mean(self):
        """``m_1 = σ_w^{2L} Π_ℓ μ_1^ℓ`` (``χ^L`` at the fixed point, psg).

        Returns
        -------
        number
            In the kind of :meth:`moments` (exact, float or mpmath).

        Examples
        --------
        Critical relu, preactivation convention: ``σ_w² χ^{L−1} = 2``:

        >>> import sympy, freealg
        >>> freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).jacobian_law().mean()
        2
        """
        return self.moments(1)[0]

    def variance(self):
        """``m_2 − m_1²`` from the exact moments.

        Returns
        -------
        number
            In the kind of :meth:`moments` (float data: computed in mpmath,
            then rounded once).

        Examples
        --------
        ``MP ⊠ MP``: ``m_2 − m_1² = 3 − 1``:

        >>> import freealg
        >>> freealg.MLP(2, "linear", "gaussian", 1).jacobian_law().variance()
        2
        """
        if self.float_kind:  # from the mpmath moments (no cancellation in floats)
            from .._utils.mpctx import mpmath

            with mpmath.workdps(self.dps + 20):
                specs = [([to_mpf(v) for v in m], L, to_mpf(c)) for m, L, c in self._specs(2)]
                m1, m2 = series_product_moments(specs, 2)
                return _float_out(m2 - m1**2, "the variance", self)
        m1, m2 = self.moments(2)
        return m2 - m1**2

    def variance_closed_form(self):
        r"""The closed form of the variance (module docstring):
        ``m_1² [Σ_ℓ R'_ℓ (μ_2^ℓ/(μ_1^ℓ)² − 1) − Σ_ℓ R_ℓ s_1^W]``, computed from
        the first two moments of each ``ν_ℓ`` and ``s_1^W`` only — PSG's
        ``L m_1²(μ_2/μ_1² − 1 − s_1)`` for square layers at the fixed point in
        the ``"psg"`` convention.

        Returns
        -------
        number
            Exact (sympy) for exact data, a float for float data; it equals
            :meth:`variance` (an independent check of the moments).

        Raises
        ------
        InvalidArgumentError
            The float value overflows float64 (float data).

        Examples
        --------
        Gaussian linear net of depth 2: ``s_1^W = −1`` per layer, no ``ν``:
        ``1 · (1 + 1) = 2``:

        >>> import freealg
        >>> law = freealg.MLP(2, "linear", "gaussian", 1).jacobian_law()
        >>> law.variance_closed_form(), law.variance()
        (2, 2)
        """
        s1w = -1 if self.net.weight_family == "gaussian" else 0
        tot = -s1w * sum(self._w_scales)
        if self.float_kind:
            from .._utils.mpctx import mpmath

            with mpmath.workdps(self.dps + 20):
                specs = [([to_mpf(v) for v in m], L, to_mpf(c)) for m, L, c in self._specs(1)]
                m1 = series_product_moments(specs, 1)[0]
                tot = to_mpf(tot)
                for nu, c in zip(self.nus, self._d_scales):
                    mu1, mu2 = (to_mpf(v) for v in nu._exact_moments(2))
                    tot = tot + to_mpf(c) * (mu2 / mu1**2 - 1)
                return _float_out(m1**2 * tot, "the variance", self)
        m1 = self.mean()
        for nu, c in zip(self.nus, self._d_scales):
            mu1, mu2 = nu.moments(2)
            tot = tot + c * (mu2 / mu1**2 - 1)
        v = m1**2 * tot
        if isinstance(v, sympy.Basic):
            v = sympy.expand(v) if v.is_Rational else _ds.simplify(v)
        return v

    def curve(self, exact=False):
        r"""The spectral curve ``P(z, G) = 0`` (:class:`freealg.SpectralCurve`).

        Square layers: :func:`freealg.jacobian_curve` (degree ``L + 1`` in
        ``G`` for Gaussian weights, ``L`` for orthogonal ones, with one ``ν``
        for all layers).  Rectangular layers: one substitution of the rational
        S-transform of the module docstring.

        Parameters
        ----------
        exact : bool
            Needed for float data (:attr:`float_kind`): the curve is then built
            from the exact binary values of the floats (``σ_w**2`` and the
            ``ν``'s probabilities as ``sympy.Rational(float)``).  Without it
            float data raise instead of being silently made rational.

        Returns
        -------
        SpectralCurve
            The polynomial ``P(z, G)`` (cached).

        Raises
        ------
        NotAlgebraicError
            For a smooth activation (``ν`` has no curve).
        InvalidArgumentError
            For float data without ``exact=True``.

        Examples
        --------
        >>> import sympy, freealg
        >>> net = freealg.MLP(2, "relu", "orthogonal", sigma_w=1.5)
        >>> net.jacobian_law().curve(exact=True)   # (81/16) Bernoulli(1/2): 1.5**2 = 9/4 exactly
        SpectralCurve(32*G*z**2 - 162*G*z - 32*z + 81)
        """
        if not self.algebraic:
            raise NotAlgebraicError(
                f"the Jacobian law of {self.net!r} has no spectral curve: the law of D^2 of "
                f"{self.net.activation!r} is continuous and not algebraic. Use moments(), "
                "density() (functional-equation engine) instead."
            )
        if self.float_kind and not exact:
            from ..errors import InvalidArgumentError as _IAE

            raise _IAE(
                f"the Jacobian law of {self.net!r} has float data (float sigma's or mean-field "
                "q's), so its exact spectral curve is built only on request: call "
                "curve(exact=True) to build it from the floats' exact binary values "
                "(sympy.Rational(float)), or pass exact sigma's (ints, sympy.Rational, sympy.sqrt)"
            )
        if self._curve is None:
            if self.square:
                from .curves import jacobian_curve

                nus = [nu._exact_twin() for nu in self.nus]
                self._curve = jacobian_curve(
                    self.net.depth, nus if nus else [], sigma_w=sympy.sqrt(self.layers.sigma_w2),
                    weights=self.net.weight_family, convention=self.convention)
            else:
                from ..laws.curves import SpectralCurve
                from ..laws._kinds import W

                S = sympy.Integer(1)
                for c in self._w_scales:
                    S = S / (self.layers.sigma_w2 * (1 + c * W))
                for nu, c in zip(self.nus, self._d_scales):
                    s = nu._exact_twin()._s_rational()
                    if s is None:
                        raise NotAlgebraicError(
                            f"rectangular layers need a rational S-transform of nu; {nu!r} has none"
                        )
                    S = S * s.subs(W, c * W)
                self._curve = SpectralCurve.from_s_transform(sympy.cancel(S))
        return self._curve

    def atoms(self):
        r"""Atoms ``(location, mass)`` (exact).

        Square layers: Belinschi's rule for ⊠ (:func:`product_atoms`): the
        kernel has mass ``max_ℓ ν_ℓ({0})``; orthogonal weights and
        ``ν_ℓ = Bernoulli(p_ℓ)`` also give ``max(0, 1 − Σ_ℓ (1 − p_ℓ))`` at
        ``σ_w^{2L}``.  Rectangular layers: from the spectral curve.

        Returns
        -------
        list of (location, mass)
            Exact sympy numbers, or floats for float data.

        Examples
        --------
        Critical relu, psg convention, depth 2: half of the mass in the kernel:

        >>> import sympy, freealg
        >>> net = freealg.MLP(2, "relu", sigma_w=sympy.sqrt(2), jacobian_convention="psg")
        >>> net.jacobian_law().atoms()
        [(0, 1/2)]
        """
        if self.square:
            out = product_atoms([self.weight_law] * self.net.depth + list(self.nus))
        else:
            out = [(a, m) for a, m in self._backend_obj().atoms()]
        if self.float_kind:
            out = [(_float_out(a, "an atom location", self), _float_out(m, "an atom mass", self))
                   for a, m in out]
        return out


def jacobian_law(net, *, q_in=None, convention=None, dps=30):
    r"""The law of ``J Jᵀ`` for the input–output Jacobian of ``net``
    (:class:`JacobianLaw`; module docstring for the formulas).

    Parameters
    ----------
    net : freealg.MLP
    q_in : real >= 0, optional
        ``‖x_0‖²/n_0`` of the input: follow the finite-depth sequence ``q^ℓ``;
        default every layer at the fixed point ``q*``.
    convention : {'preactivation', 'psg'}, optional
        Default ``net.jacobian_convention``.
    dps : int
        Digits for the moments of a smooth activation's ``ν``.

    Returns
    -------
    JacobianLaw

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` is not an :class:`MLP`, or a non-integer ``dps``.
    InvalidArgumentError
        An unknown convention, rectangular layers with orthogonal init, a
        divergent ``q*`` of an unbounded activation (pass ``q_in``), or a
        bad ``q_in``.
    TooLargeError
        ``dps > 1000``.

    Examples
    --------
    >>> import freealg
    >>> law = freealg.MLP(3, "relu", "orthogonal", sigma_w=2 ** 0.5).jacobian_law()
    >>> [round(float(v), 12) for v in law.moments(2)]   # m_1 = σ_w² χ² = 2 (preactivation convention)
    [2.0, 12.0]
    """
    return JacobianLaw(net, q_in=q_in, convention=convention, dps=dps)
