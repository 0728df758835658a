r"""Mean-field theory of random deep networks (docs/theory.md §4; Poole et al. 2016).

For an :class:`~freealg.dnn.mlp.MLP` with activation ``phi``, weight scale
``σ_w`` and bias scale ``σ_b`` (Poole et al. 2016; Schoenholz et al. 2017;
Karakida–Akaho–Amari 2019).  ``Dz`` is the standard Gaussian measure and
``h ~ N(0, q)`` means ``h = √q z``.

* q-map (pre-activation variance ``q^ℓ = ‖h_ℓ‖²/n_ℓ``)::

      q^1 = σ_w² q_in + σ_b²,      q^ℓ = σ_w² ∫Dz phi(√q^{ℓ-1} z)² + σ_b²,

  with ``q_in = ‖x_0‖²/n_0``; ``q*`` is its limit (the fixed point reached
  from ``q^1``).
* ``χ = σ_w² ∫Dz phi'(√q* z)²``: ordered (χ < 1), critical (χ = 1, the
  edge of chaos), chaotic (χ > 1).
* c-map (two inputs at the fixed point): ``c ↦ (σ_w² ∫Dz_1Dz_2 phi(u_1)
  phi(u_2) + σ_b²)/q*`` with ``u_1 = √q* z_1``, ``u_2 = √q* (c z_1 +
  √(1−c²) z_2)``; its slope at ``c = 1`` is ``χ``.
* Depth scales (Schoenholz et al. 2017, eqs. 7–9): near the fixed points
  ``|q^ℓ − q*| ~ e^{−ℓ/ξ_q}`` and ``|c^ℓ − c*| ~ e^{−ℓ/ξ_c}`` with

      ξ_q^{-1} = −ln(χ_1 + σ_w² ∫Dz phi''(√q* z) phi(√q* z)),
      ξ_c^{-1} = −ln(σ_w² ∫Dz_1Dz_2 phi'(u_1*) phi'(u_2*)),

  where ``u*`` are taken at ``(q*, c*)``.  The first bracket is the slope of
  the q-map at ``q*``, computed without ``phi''`` by Stein's lemma as
  ``σ_w² E[h phi(h) phi'(h)]/q*``; the second is the slope of the c-map at
  ``c*`` (equal to ``χ`` in the ordered phase, where ``c* = 1``).
  Both are infinite when the slope is ``>= 1`` (at criticality ``ξ_c = ∞``).
* Backprop (gradient independence assumption): ``q̃^ℓ = Σ_i (∂f/∂h_{ℓ,i})²``
  for one output unit of ``f = h_L``: ``q̃^L = 1``,
  ``q̃^ℓ = q̃^{ℓ+1} σ_w² ∫Dz phi'(√q^ℓ z)²``.
* Karakida–Akaho–Amari (KAA) FIM for ``T`` inputs ``x(t)`` with i.i.d.
  ``N(0, 1)`` entries (so ``q̂^0 = 1``, ``q̂^0_st = 0``)::

      κ₁ = Σ_{ℓ=1}^L q̃^ℓ q̂^{ℓ-1} / (L−1),    κ₂ = Σ_{ℓ=1}^L q̃^ℓ_st q̂^{ℓ-1}_st / (L−1),
      λ_max ≈ (L − 1)((T − 1)/T κ₂ + κ₁/T) M,

  with ``q̂^ℓ = ‖x_ℓ(t)‖²/M``, ``q̂^ℓ_st = x_ℓ(s)·x_ℓ(t)/M`` (post-activation)
  and ``q̃^ℓ_st = Σ_i δ^ℓ_i(s) δ^ℓ_i(t)``.

Number kinds: every function takes ``dps``.  ``dps=None`` (default) computes
in floats with closed forms or vectorised Gauss–Legendre quadrature
(relative accuracy about ``1e-12``); an integer ``dps`` computes with mpmath
at that precision and returns ``mpmath.mpf``.  The float engine never returns
a value that overflowed: ``σ_w²`` and ``σ_b²`` must be normal floats
(``1.5e-154 <= σ_w, σ_b <= 1.3e154``, or ``σ_b = 0``) and every variance must
stay below about ``1e308``; otherwise a
:class:`~freealg.errors.FloatRangeError` (an ``InvalidArgumentError``)
names the network and suggests ``dps=30``, whose mpmath numbers have no
exponent limit.  The only infinities returned are documented ones: a
divergent ``q*`` (:func:`q_star`) and an infinite depth scale
(:func:`depth_scales`).  Two-input quantities (c-map,
``c*``, ``ξ_c``, KAA ``κ₂``) at an integer ``dps`` need 2-D quadrature: fast
for relu/leaky_relu/linear/erf (closed forms), seconds for hardtanh, and
10–100 s per expectation for the other smooth activations.  :func:`critical_sigma_w`
returns an exact sympy number for the positively homogeneous activations
(linear, relu, leaky_relu) at ``σ_b = 0``.
"""

from ._qmap import chi, phase, q_map, q_sequence, q_star, qhat_sequence
from ._correlation import DepthScales, c_map, c_star, depth_scales  # noqa: F401  (DepthScales: the result type)
from ._backprop import backprop_norms, d2_atoms, d2_moments

import numpy as np


__all__ = [
    "meanfield_closed_form",
    "q_map",
    "q_sequence",
    "qhat_sequence",
    "q_star",
    "chi",
    "phase",
    "c_map",
    "c_star",
    "depth_scales",
    "backprop_norms",
    "d2_moments",
    "d2_atoms",
]


def _exact_number(v):
    """``v`` as an exact sympy number, or None for a float (or anything inexact)."""
    import sympy

    from .._utils.symbolic import sympify_safe

    if isinstance(v, (bool, str, bytes)) or v is None:
        return None
    if isinstance(v, (float, np.floating)) or type(v).__module__.startswith("mpmath"):
        return None
    try:
        e = sympify_safe(v)
    except Exception:  # noqa: BLE001 - not a number: no closed form to give
        return None
    if not isinstance(e, sympy.Basic) or not e.is_number or e.has(sympy.Float) or not e.is_real:
        return None
    return e


def meanfield_closed_form(net, *, q_in=1):
    r"""The mean-field quantities of ``net`` in closed form (exact sympy
    numbers), where one exists: a positively homogeneous activation (linear,
    relu, leaky_relu with an exact slope) and exact ``σ_w``, ``σ_b``, ``q_in``.

    For such ``phi``, ``E[phi(√q z)²] = c q`` and ``E[phi'(√q z)²] = c`` with
    ``c = E[phi'(z)²]`` (relu ``1/2``, linear ``1``, leaky_relu
    ``(1 + a²)/2``), so the q-map is linear, ``q ↦ χ q + σ_b²`` with
    ``χ = σ_w² c`` (Poole et al. 2016; Schoenholz et al. 2017):

    * ``q* = σ_b²/(1 − χ)`` for ``χ < 1``; ``q* = q^1 = σ_w² q_in`` at
      ``χ = 1, σ_b = 0`` (every ``q`` is fixed); ``∞`` otherwise (``0`` when
      also ``q^1 = 0``);
    * ``c* = 1`` wherever ``q*`` is finite and positive or ``χ <= 1``, the
      c-map's slope there is ``χ_c = χ`` and the q-map's is ``χ_q = χ``;
    * the depth scales ``ξ_q = ξ_c = −1/ln χ`` for ``χ < 1``, ``∞`` for
      ``χ >= 1``.

    The same quantities as :func:`q_star`, :func:`chi`, :func:`c_star` and
    :func:`depth_scales` (which compute them in floats or mpmath), but exact.

    Parameters
    ----------
    net : MLP
        The network.
    q_in : real >= 0, optional
        Input ``‖x_0‖²/n_0`` (default 1); it matters only at ``χ = 1, σ_b = 0``.

    Returns
    -------
    dict or None
        ``{"q_star", "chi", "c_star", "chi_q", "chi_c", "xi_q", "xi_c"}``:
        sympy numbers (``sympy.oo`` for an infinite one; ``c_star`` is None
        where the c-map has no fixed point to report); None when no closed
        form applies (an activation that is not positively homogeneous, a
        float parameter, a float leaky_relu slope).

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` not an :class:`~freealg.MLP`.

    Examples
    --------
    Critical relu: ``σ_w = √2``, ``σ_b = 0`` (an exact zero; the default ``0.0`` is a float):

    >>> import sympy, freealg
    >>> from freealg.dnn.meanfield import meanfield_closed_form
    >>> mf = meanfield_closed_form(freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2), sigma_b=0))
    >>> mf["chi"], mf["q_star"], mf["c_star"], mf["xi_q"]
    (1, 2, 1, oo)
    >>> meanfield_closed_form(freealg.MLP(3, "relu", sigma_w=1, sigma_b=sympy.Rational(1, 2)))["xi_q"]
    1/log(2)
    >>> meanfield_closed_form(freealg.MLP(3, "tanh", sigma_w=1, sigma_b=0)) is None
    True
    """
    import sympy

    from ..errors import InvalidArgumentTypeError
    from .mlp import MLP

    if not isinstance(net, MLP):
        raise InvalidArgumentTypeError(f"net must be an MLP; got {type(net).__name__}")
    act = net.activation
    sw, sb, q0 = (_exact_number(v) for v in (net.sigma_w, net.sigma_b, q_in))
    if not act.positively_homogeneous or sw is None or sb is None or q0 is None:
        return None
    c = act.gaussian_expectation("dphi2", 1)  # exact when the activation's slope is exact
    if not (isinstance(c, sympy.Basic) and c.is_Rational):
        return None
    chi = sympy.simplify(sw**2 * c)
    sb2 = sympy.simplify(sb**2)
    if not (chi.is_comparable and sb2.is_comparable):
        return None
    q1 = sympy.simplify(sw**2 * q0 + sb2)
    if chi < 1:
        q = sympy.simplify(sb2 / (1 - chi))
    elif chi == 1 and sb2 == 0:
        q = q1
    elif sb2 == 0 and q1 == 0:
        q = sympy.Integer(0)
    else:
        q = sympy.oo
    c_star = sympy.Integer(1) if (q != sympy.oo and (q > 0 or chi <= 1)) else None
    xi = sympy.simplify(-1 / sympy.log(chi)) if chi < 1 else sympy.oo
    return {"q_star": q, "chi": chi, "c_star": c_star, "chi_q": chi, "chi_c": chi, "xi_q": xi, "xi_c": xi}
