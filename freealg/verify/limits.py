r"""Limit laws of the checked spectra: the S-transform recursions on moment
sequences for ``J Jᵀ`` and the one-sample FIM (docs/theory.md §5, §6), the top
atom of the FIM law, and the exact spectral curves of both.
"""

from __future__ import annotations

import math

from ..errors import InvalidArgumentError
from .network import _meanfield, _net_params, _net_with
from ._lawtools import _exact_law, _numeric_law


def _w_law_moments(init, s2, n):
    """Moments of ``μ_{WᵀW}``: ``δ_{σ_w²}`` (orthogonal) or ``σ_w² MP(1)``
    (Gaussian: Catalan numbers)."""
    if init == "orthogonal":
        return [s2**k for k in range(1, n + 1)]
    return [s2**k * math.comb(2 * k, k) / (k + 1) for k in range(1, n + 1)]


def _jac_moments(w_list, nu_list, n):
    """Moments of ``⊠_ℓ μ_{W_ℓᵀW_ℓ} ⊠ ⊠_ℓ ν_ℓ`` from moment sequences."""
    from ..cumulants import free_mul_moments

    moms = list(w_list[0][:n])
    try:
        for seq in list(w_list[1:]) + list(nu_list):
            moms = free_mul_moments(moms, seq[:n], check=False)
        out = [float(v) for v in moms]
    except OverflowError:
        out = [math.inf]
    return _finite_moments(out, "Jacobian", "sigma_w or the depth")


def _fim_moments(q_list, w_list, nu_list, n):
    """Moments of ``μ_L``: ``μ_1 = δ_{q_0}``, ``μ_{ℓ+1} = q_ℓ + μ_{W_{ℓ+1}ᵀW_{ℓ+1}}
    ⊠ ν_ℓ ⊠ μ_ℓ``."""
    from ..cumulants import free_mul_moments

    try:
        mu = [q_list[0] ** k for k in range(1, n + 1)]
        for ell in range(1, len(q_list)):
            prod = free_mul_moments(free_mul_moments(mu, nu_list[ell - 1][:n], check=False),
                                    w_list[ell][:n], check=False)
            q = q_list[ell]
            mu = [sum(math.comb(k, j) * q ** (k - j) * (prod[j - 1] if j else 1.0)
                      for j in range(k + 1)) for k in range(1, n + 1)]
        out = [float(v) for v in mu]
    except OverflowError:  # float ** raises where * gives inf
        out = [math.inf]
    return _finite_moments(out, "FIM", f"the input variance q0 (here q_0 = {q_list[0]:.3g})")


def _finite_moments(values, what, knob):
    """``values`` (float moments of a limit law) if all finite, else
    :class:`FloatRangeError` instead of an inf/nan table."""
    from ..errors import FloatRangeError

    if all(math.isfinite(v) for v in values):
        return values
    raise FloatRangeError(
        f"the limit moments of the {what} spectrum exceed the float64 range; reduce {knob} "
        "(the spectrum scales with it) or ask for fewer moments (n_moments)"
    )


def _jacobian_curve(net, L, q0, convention):
    """The exact spectral curve of ``μ_{JJᵀ}`` at the fixed point for a
    piecewise-linear activation: ``σ_w^{2L} · (MP^{⊠L} ⊠) ν^{⊠n_D}`` with ``ν``
    the (Bernoulli) law of ``φ'(h)²`` (free powers and products of curves)."""
    from ..laws.elimination import affine, free_mul, free_power
    from ..laws import FussCatalan, PointMass, activation_derivative_law

    act, init, sw, _, _ = _net_params(net)
    qh, _ = _meanfield(_net_with(net, depth=int(L)), q0)
    if max(qh) - min(qh) > 1e-9 * max(qh):
        raise InvalidArgumentError(
            "the automatic Jacobian law needs the input at the fixed point (all q^l equal); "
            "use q0=None"
        )
    if not act.piecewise_linear:
        raise InvalidArgumentError(
            f"no algebraic Jacobian law for the smooth activation {act.name}"
        )
    n_d = L if convention == "psg" else L - 1
    nu = _exact_law(_numeric_law(activation_derivative_law(act, float(qh[0]))))
    law = free_power(nu, n_d) if n_d >= 2 else (nu if n_d == 1 else PointMass(1))
    if init == "gaussian":
        fc = FussCatalan(L) if L >= 2 else None
        from ..laws import MarchenkoPastur

        w = fc if fc is not None else MarchenkoPastur()
        law = w if (n_d == 0 or isinstance(law, PointMass)) else free_mul(law, w)
    from sympy import Rational

    return affine(law, shift=0, scale=Rational(float(sw) ** (2 * L)))


def _top_atom(net, q0):
    """Top atom (location, mass) of ``μ_L`` for orthogonal weights and
    ``φ'² ∈ {0, 1}``, else None."""
    act, init, sw, _, depth = _net_params(net)
    if init != "orthogonal" or not act.piecewise_linear:
        return None
    qh, qx = _meanfield(net, q0)
    s2 = sw * sw
    loc, mass = qx[0], 1.0
    for ell in range(1, depth):
        vals = act.dphi_values_probabilities(float(qh[ell - 1]))
        if any(float(v) not in (0.0, 1.0) for v, _ in vals):
            return None
        p = sum(float(pr) for v, pr in vals if float(v) == 1.0)
        loc, mass = qx[ell] + s2 * loc, mass + p - 1.0
    return loc, max(mass, 0.0)


def _two_layer_fim_curve(net, q0):
    """The spectral curve of ``μ_3`` (two hidden layers; [HK21],
    docs/theory.md, "Deep networks") built from exact laws with
    :mod:`freealg.curves` (⊠ and affine maps):
    ``μ_1 = δ_{q_0}``, ``μ_{ℓ+1} = q_ℓ + μ_{WᵀW} ⊠ ν_ℓ ⊠ μ_ℓ`` with ``ν_ℓ``
    the exact (Bernoulli) law of ``φ'(h_ℓ)²``.

    The parameters are the exact layer data of :meth:`freealg.MLP.fim_law`:
    an exact ``σ_w`` (``sqrt(2)``, ``3/2``) and ``q0`` stay exact, so that
    coincident special points of the curve (a hard edge on a zero of the
    leading coefficient) stay coincident; a float enters at its exact binary
    value (``sympy.Rational(float)``).  Building the
    curve from ``float(σ_w)² = 2.0000000000000004`` instead gave coefficients
    of 90 digits and edges split by 1e-15 from the poles they sit on."""
    from ..laws.elimination import affine, free_mul
    from ..laws import MarchenkoPastur, PointMass

    law = net.fim_law(q_in=q0)
    s2 = law.sigma_w2
    w_law = PointMass(s2) if law.init == "orthogonal" else MarchenkoPastur(rate=1, jump=s2)
    mu = PointMass(law.q[0])
    for ell in range(1, net.depth):
        nu = _numeric_law(law.nus[ell - 1])
        # float laws (hard-tanh's q-dependent nu) enter at their binary values
        prod = free_mul(free_mul(_exact_law(nu), _exact_law(mu)), _exact_law(w_law))
        mu = affine(prod, shift=law.q[ell], scale=1)
    return mu
