r"""Closed-form spectral curves of deep networks (docs/theory.md §5, §6).

* :func:`jacobian_curve` — the law of ``JJᵀ`` for an ``L``-layer network,
  ``S_{JJᵀ} = Π_ℓ S_{WᵀW} S_{D_ℓ²}`` under asymptotic freeness, in both
  Jacobian conventions of docs/theory.md §1:

  - ``convention="preactivation"``: ``J = ∂h_L/∂x_0 = W_L D_{L−1} ⋯ D_1 W_1``
    (``L`` weight factors, ``L − 1`` factors ``D``);
  - ``convention="psg"`` (Pennington–Schoenholz–Ganguli):
    ``J = ∂x_L/∂x_0 = D_L W_L ⋯ D_1 W_1`` (``L`` of each).

  ``S_{WᵀW} = 1/(σ_w²(1 + w))`` for Gaussian weights (``WᵀW ~ MP(1, σ_w²)``)
  and ``1/σ_w²`` for orthogonal weights (``WᵀW = σ_w² I``).  With Bernoulli
  ``ν`` (ReLU, hard-tanh) every factor has a rational S-transform, so the
  curve is one substitution and its degree in ``G`` is ``L + 1`` (Gaussian)
  or ``L`` (orthogonal): linear in depth.

* :func:`fim_curve` — the one-sample Fisher-information (NTK) spectrum by the
  recursion ``μ_1 = δ_{q_0}``,
  ``μ_{ℓ+1} = (x ↦ q_ℓ + σ_w² x)_* (ν_ℓ ⊠ μ_ℓ)`` (orthogonal weights), or
  ``μ_{ℓ+1} = (x ↦ q_ℓ + x)_* (MP(1, σ_w²) ⊠ ν_ℓ ⊠ μ_ℓ)`` (Gaussian weights,
  where ``W A Wᵀ`` has the law ``μ_{WᵀW} ⊠ μ_A``).
* :func:`fim_two_layer_curve` — its two-hidden-layer case ``μ_3`` for ReLU or
  hard-tanh, symbolic or numeric.

Examples
--------
>>> import sympy
>>> from freealg import jacobian_curve, Bernoulli
>>> p, s = sympy.symbols("p sigma_w", positive=True)
>>> c = jacobian_curve(3, Bernoulli(p), sigma_w=s, weights="gaussian", convention="psg")
>>> c.degree
4
>>> c.moments(1)                       # m_1 = χ^L with χ = σ_w² p
[p**3*sigma_w**6]
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import sympy

from .._utils.validate import check_choice, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ..laws import Bernoulli, Law, MarchenkoPastur, PointMass
from ..laws._kinds import _any_float, _check_int, _exact, _float_param_error
from ._conventions import check_convention

__all__ = ["jacobian_curve", "fim_curve", "fim_two_layer_curve", "weight_law"]


def weight_law(weights="gaussian", sigma_w=1):
    r"""The law of ``WᵀW``: ``MarchenkoPastur(1, σ_w²)`` for Gaussian weights
    (``S = 1/(σ_w²(1 + w))``), ``PointMass(σ_w²)`` for orthogonal ones
    (``S = 1/σ_w²``).

    Parameters
    ----------
    weights : {"gaussian", "orthogonal"}, optional
        The weight ensemble (default ``"gaussian"``).
    sigma_w : number or sympy expression, optional
        The weight scale ``σ_w`` (default 1).  A float gives a float law.

    Returns
    -------
    MarchenkoPastur or PointMass
        ``MarchenkoPastur(1, σ_w²)`` or ``PointMass(σ_w²)``.

    Raises
    ------
    InvalidArgumentError
        If ``weights`` is not ``"gaussian"`` or ``"orthogonal"``, or
        ``sigma_w`` is not finite or not real (or ``σ_w = 0`` for Gaussian
        weights: a Marchenko–Pastur jump must be non-zero).
    InvalidArgumentTypeError
        If ``sigma_w`` is not a number or a sympy expression, or ``weights``
        is not a string.

    Examples
    --------
    >>> weight_law("gaussian", 2).s_transform()
    1/(4*w + 4)
    >>> weight_law("orthogonal", 2)
    PointMass(a=4)
    >>> weight_law("orthogonal", 1.5)          # a float σ_w gives a float law
    PointMass(a=2.25)
    """
    check_choice(weights, "weights", ("gaussian", "orthogonal"))
    s2 = _exact(sigma_w, "sigma_w") ** 2
    law = MarchenkoPastur(1, s2) if weights == "gaussian" else PointMass(s2)
    return law._mark_float() if _any_float(sigma_w) else law


#: Largest number of layers for which the exact Jacobian curve is built (its
#: degree in G is about L + 1; depth 200 takes a few seconds).
MAX_CURVE_LAYERS = 256


def _sequence(value, name, what):
    """``value`` as a list when it is a list or tuple, else a typed error."""
    from .._utils.validate import describe

    if not isinstance(value, (list, tuple)):
        raise InvalidArgumentTypeError(
            f"{name} must be a list of {what}; got {describe(value)} of type {type(value).__name__}"
        )
    return list(value)


def _per_layer(value, count, name):
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise InvalidArgumentError(f"{name} needs {count} entries; got {len(value)}")
        return list(value)
    return [value] * count


def _exact_laws(laws, exact, what):
    """The exact twins of float laws when ``exact`` (else raise for a float law)."""
    out = []
    for v in laws:
        if isinstance(v, Law) and v._float:
            if not exact:
                raise _float_param_error(v, what, what.replace("(...)", "(..., exact=True)"))
            v = v._exact_twin()
        out.append(v)
    return out


def _exact_values(values, exact, what):
    """Exact values of parameters (floats only with ``exact=True``: their binary values)."""
    vals = list(values)
    if not exact and _any_float(*vals):
        raise InvalidArgumentError(
            f"{what} got float parameters {[v for v in vals if _any_float(v)]}: an exact curve "
            "from floats is built only on request. Pass exact=True to use the floats' exact "
            "binary values (sympy.Rational(float)), or pass exact numbers (sympy.Rational, "
            "sympy.sqrt)"
        )
    return vals


def jacobian_curve(L, nu, *, sigma_w=1, weights="gaussian", convention="preactivation", exact=False):
    r"""Spectral curve of ``JJᵀ`` for an ``L``-layer network.

    Parameters
    ----------
    L : int
        Number of layers (weight matrices).
    nu : Law or list of Law
        The law of ``D_ℓ²`` (e.g. ``Bernoulli(p)``, see
        :func:`freealg.activation_derivative_law`), one for all layers or one
        per ``D`` factor (``L`` for ``"psg"``, ``L − 1`` for ``"preactivation"``).
    sigma_w : number or symbol, or list
        Weight scale ``σ_w`` (per layer if a list).
    weights : {"gaussian", "orthogonal"}
    convention : {"preactivation", "psg"}
        Which Jacobian (module docstring).
    exact : bool
        Needed when ``sigma_w`` or a ``ν`` is a float: the curve then uses the
        floats' exact binary values (``sympy.Rational(float)``); without it
        float input raises rather than being silently made rational.

    Returns
    -------
    SpectralCurve
        Checked against the exact moments of the product (moment route).

    Raises
    ------
    InvalidArgumentTypeError
        If ``L`` is not an integer, ``sigma_w`` is not a number or a sympy
        expression, or a ``nu`` is not a law.
    InvalidArgumentError
        If ``L < 1``; ``convention`` or ``weights`` is not one of its
        choices; a list has the wrong length; a float
        is given without ``exact=True``.
    TooLargeError
        If ``L > 256`` (the exact curve would be too costly; use
        ``MLP(...).jacobian_law()``).
    TransformUndefinedError
        If a factor has mean 0 (no S-transform).

    Examples
    --------
    Preactivation convention, Gaussian ReLU network of depth 2 at ``σ_w² = 2``:
    ``S = 1/(4 (1 + w)(1/2 + w))``, mean ``χ^L/p = (σ_w² p)^2/p = 2``.

    >>> import sympy
    >>> from freealg import Bernoulli
    >>> c = jacobian_curve(2, Bernoulli(sympy.Rational(1, 2)), sigma_w=sympy.sqrt(2))
    >>> c.moments(2), c.degree
    ([2, 16], 3)
    """
    from ..laws.elimination import free_mul

    L = _check_int(L, "L", 1, maximum=MAX_CURVE_LAYERS,
                   hint="the exact curve has degree about L + 1 in G and its elimination grows "
                        "quadratically with it; for deeper networks use the numeric law "
                        "(MLP(...).jacobian_law(): moments, density, lambda_max)")
    convention = check_convention(convention)
    nd = L if convention == "psg" else L - 1
    nus = _per_layer(nu, nd, "nu") if nd else []
    for v in nus:
        if not isinstance(v, Law):
            raise InvalidArgumentTypeError(
                f"nu must be a freealg law (e.g. Bernoulli(p)); got {describe(v)} of type "
                f"{type(v).__name__}")
    nus = _exact_laws(nus, exact, "jacobian_curve(...)")
    sig = [_exact(s, "sigma_w") for s in _exact_values(_per_layer(sigma_w, L, "sigma_w"), exact,
                                                      "jacobian_curve")]
    factors = [weight_law(weights, s) for s in sig] + nus
    return free_mul(*factors)


def fim_curve(nus, q, *, sigma_w=1, weights="orthogonal", exact=False):
    r"""Spectral curve of the one-sample FIM/NTK ``μ_L`` (docs/theory.md §6).

    Parameters
    ----------
    nus : list of Law
        ``ν_1, …, ν_{L−1}`` (laws of ``D_ℓ²``).
    q : list
        ``q_0, …, q_{L−1}`` with ``q_ℓ = ‖x_ℓ‖²/M``.
    sigma_w : number, symbol or list
        ``σ_w`` (or ``σ_2, …, σ_L`` per layer).
    weights : {"orthogonal", "gaussian"}
    exact : bool
        Needed for float input (``σ_w``, ``q`` or a float ``ν``): the curve then
        uses the floats' exact binary values (``sympy.Rational(float)``).

    Returns
    -------
    Law
        ``μ_L``: a :class:`SpectralCurve` in general (an exact atomic law for
        ``L ≤ 2``).

    Raises
    ------
    InvalidArgumentTypeError
        If ``nus`` or ``q`` is not a list or tuple, an entry of ``nus`` is
        not a law, or a parameter is not a number or a sympy expression.
    InvalidArgumentError
        If ``len(q) != len(nus) + 1``, a per-layer ``sigma_w`` list has the
        wrong length, ``weights`` is not one of its choices, or a float is
        given without ``exact=True``.
    TransformUndefinedError
        If a law in a ⊠-product has mean 0.

    Examples
    --------
    One hidden layer: ``μ_2 = (1 − α) δ_{q_1} + α δ_{q_1 + σ_w² q_0}``:

    >>> from freealg import Bernoulli
    >>> import sympy
    >>> fim_curve([Bernoulli(sympy.Rational(1, 2))], [1, 2], sigma_w=1)
    Atomic(points=[2, 3], weights=[Rational(1, 2), Rational(1, 2)])
    """
    from ..laws.elimination import free_mul

    nus = _sequence(nus, "nus", "laws nu_1..nu_(L-1) (e.g. [Bernoulli(p)])")
    for i, v in enumerate(nus):
        if not isinstance(v, Law):
            raise InvalidArgumentTypeError(
                f"nus[{i}] must be a law (e.g. Bernoulli(p)); got {v!r:.60} of type {type(v).__name__}")
    q = _sequence(q, "q", "numbers q_0..q_(L-1)")
    if len(q) != len(nus) + 1:
        raise InvalidArgumentError(
            f"fim_curve needs len(q) = len(nus) + 1 (q_0..q_(L-1) and nu_1..nu_(L-1)); got "
            f"{len(q)} and {len(nus)}"
        )
    nus = _exact_laws(nus, exact, "fim_curve(...)")
    q = [_exact(v, f"q[{i}]") for i, v in enumerate(_exact_values(q, exact, "fim_curve"))]
    sig = _exact_values(_per_layer(sigma_w, len(nus), "sigma_w"), exact, "fim_curve")
    mu = PointMass(q[0])
    for ell, (nu, s) in enumerate(zip(nus, sig), start=1):
        s2 = _exact(s, "sigma_w") ** 2
        if isinstance(mu, PointMass):
            prod = nu.affine(0, mu.parameters["a"])
        else:
            prod = free_mul(nu, mu)
        if weights == "orthogonal":
            mu = prod.affine(q[ell], s2)
        elif weights == "gaussian":
            mu = free_mul(MarchenkoPastur(1, s2), prod).affine(q[ell], 1)
        else:
            raise InvalidArgumentError(f"weights must be 'orthogonal' or 'gaussian'; got {weights!r}")
    return mu


def _tall(v):
    """True for an exact rational whose numerator or denominator exceeds 10^40."""
    v = sympify_safe(v)
    return bool(v.is_Rational) and max(abs(int(v.p)), int(v.q)) > 10**40


_ALPHA = sympy.symbols("alpha_1 alpha_2", positive=True)
_Q = sympy.symbols("q_0 q_1 q_2", positive=True)
_SIGMA = sympy.Symbol("sigma_w", positive=True)


def fim_two_layer_curve(activation=None, *, alpha=None, sigma_w=None, q=None, sigma_b=0,
                        weights="orthogonal", exact=False):
    r"""The two-hidden-layer one-sample FIM spectrum ``μ_3`` (docs/theory.md §6).

    ``μ_2 = (1 − α_1) δ_{q_1} + α_1 δ_{q_1 + σ_w² q_0}`` and
    ``μ_3 = (x ↦ q_2 + σ_w² x)_* (Bernoulli(α_2) ⊠ μ_2)``, where
    ``α_ℓ = P(φ'(h_ℓ)² = 1)`` is the fraction of active units of layer ℓ.
    For orthogonal weights the curve has degree 2 in ``G``; its support
    edges are the roots of a quadratic factor of the discriminant,
    ``q_2 + σ_w² q_1 + σ_w⁴ q_0 (α_1 + α_2 − 2α_1α_2 ± 2√(α_1α_2(1−α_1)(1−α_2)))``,
    and its atoms are ``1 − α_2`` at ``q_2``, ``α_2 − α_1`` at
    ``q_2 + σ_w² q_1`` and ``α_1 + α_2 − 1`` at ``q_2 + σ_w² (q_1 + σ_w² q_0)``
    (each present when positive); see :meth:`SpectralCurve.report`.

    Parameters
    ----------
    activation : {"relu", "hardtanh", None}
        ReLU gives ``α_ℓ = 1/2``; hard-tanh gives ``α_ℓ = erf(1/√(2 q̂_ℓ))``
        with the pre-activation variance ``q̂_ℓ = σ_w² q_{ℓ−1} + σ_b²``.
        ``None`` keeps ``α`` free (symbols ``α_1, α_2`` unless given).
    alpha : pair, optional
        ``(α_1, α_2)`` (overrides ``activation``).
    sigma_w : number or symbol
        Default the positive symbol ``σ_w``.
    q : triple
        ``(q_0, q_1, q_2)``, ``q_ℓ = ‖x_ℓ‖²/M``; default symbols.
    sigma_b : number or symbol
        Bias scale (hard-tanh only enters through ``q̂_ℓ``).
    weights : {"orthogonal", "gaussian"}
    exact : bool
        Needed for float input: the curve then uses the floats' exact binary
        values (``sympy.Rational(float)``).

    Returns
    -------
    Law
        ``μ_3``, a :class:`SpectralCurve` (symbolic in the parameters left
        free).

    Raises
    ------
    InvalidArgumentError
        If ``q`` does not have three entries, the activation's ``φ'²`` is not
        Bernoulli (use :func:`fim_curve` with
        :func:`activation_derivative_law`), ``weights`` is not one of its
        choices, or a float is given without ``exact=True``.
    InvalidArgumentTypeError
        If ``q`` is not a list or tuple, or a parameter is not a number or a
        sympy expression.
    UnknownActivationError
        If ``activation`` names no known activation.

    Examples
    --------
    >>> c = fim_two_layer_curve("relu", sigma_w=1, q=(1, 1, 1))
    >>> c.moments(2)             # mean q_2 + σ²α_2 q_1 + σ⁴α_1α_2 q_0 = 1 + 1/2 + 1/4
    [7/4, 59/16]
    >>> c.degree
    2
    """
    from ..activations import get_activation

    q_in = None if q is None else _sequence(q, "q", "three numbers (q_0, q_1, q_2)")  # typed first
    _exact_values([sigma_w, sigma_b] + list(q_in or []) + (list(alpha) if isinstance(alpha, (list, tuple))
                                                           else [alpha]), exact, "fim_two_layer_curve")
    s = _SIGMA if sigma_w is None else _exact(sigma_w, "sigma_w")
    qs = list(_Q if q is None else [_exact(v, f"q[{i}]")
                                    for i, v in enumerate(_sequence(q, "q", "three numbers (q_0, q_1, q_2)"))])
    if len(qs) != 3:
        raise InvalidArgumentError(f"q must be (q_0, q_1, q_2); got {q!r}")
    if alpha is not None:
        a = list(alpha) if isinstance(alpha, (list, tuple)) else [alpha, alpha]
        a = [_exact(v, "alpha") for v in a]
    elif activation is None:
        a = list(_ALPHA)
    else:
        act = get_activation(activation)
        sb2 = _exact(sigma_b, "sigma_b") ** 2
        a = []
        for ell in (1, 2):
            qhat = s**2 * qs[ell - 1] + sb2
            law = act.dphi_values_probabilities(qhat) if act.piecewise_linear else None
            if law is None or [v for v, _ in law if v not in (0, 1)]:
                raise InvalidArgumentError(
                    f"fim_two_layer_curve needs an activation whose phi'^2 is Bernoulli (relu, "
                    f"hardtanh); got {act!r}. Use fim_curve with activation_derivative_law for others."
                )
            a.append(sum((p for v, p in law if v == 1), sympy.Integer(0)))
    if all((sympify_safe(v).is_Rational and not _tall(v)) or isinstance(v, sympy.Symbol) for v in a):
        return fim_curve([Bernoulli(v) for v in a], qs, sigma_w=s, weights=weights)
    # α = erf(...) (hard-tanh), or a rational of huge height (the float 1e-300 is
    # 10^-300 exactly, and the elimination with it takes minutes): the curve is
    # polynomial in α, so build it with symbols α_ℓ (fast domain arithmetic) and
    # substitute the exact values after
    c = fim_curve([Bernoulli(v) for v in _ALPHA], qs, sigma_w=s, weights=weights)
    return c.subs({sym: v for sym, v in zip(_ALPHA, a)})
