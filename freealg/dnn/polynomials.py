r"""An MLP's Jacobian and one-sample FIM as noncommutative polynomials, with
the free model of its layerwise Jacobians (docs/theory.md §1, §5, §6).

Letters: ``W1 … WL`` (weights) and ``D1 … D_L`` (self-adjoint diagonal
``D_ℓ = diag(φ'(h_ℓ))``).  The Jacobian follows ``net.jacobian_convention``:

* ``"preactivation"`` (default): ``J = W_L D_{L−1} ⋯ D_1 W_1``;
* ``"psg"``: ``J = D_L W_L ⋯ D_1 W_1``.

The free model declares each ``W_ℓ`` Haar orthogonal with scale ``σ_w``
(orthogonal init) or Ginibre with variance ``σ_w²`` (Gaussian init), free
from each other and from the family ``{D_ℓ}``; inside that family the
``D_ℓ`` are commuting diagonal matrices with independent entries whose law
is that of ``φ'(√q_ℓ z)``, ``z ~ N(0, 1)``, at ``q_ℓ = q*`` (or along the
finite-depth sequence from ``q_in``).  For relu and hard-tanh the law is
exact (Bernoulli); for smooth activations its moments come from Gaussian
quadrature.

Examples
--------
ReLU at the edge of chaos with orthogonal weights, ``L = 2`` (preactivation
convention): ``J Jᵀ = W_2 D_1 W_1 W_1ᵀ D_1 W_2ᵀ = σ_w² W_2 D_1² W_2ᵀ`` has
the law of ``σ_w⁴ D_1² = 4·Bernoulli(1/2)``, so its moments are ``4^k/2``:

>>> import sympy, freealg
>>> from freealg.dnn.polynomials import free_model
>>> net = freealg.MLP(2, "relu", sigma_w=sympy.sqrt(2))
>>> model, names = free_model(net)
>>> J = names["J"]
>>> model.moment(freealg.tr(J * J.T)), model.moment(freealg.tr((J * J.T) ** 2))
(2, 8)
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe

import numpy as np

from .._utils.validate import check_int, check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._mf_engine import _Eng, _guarded

__all__ = ["jacobian_polynomial", "fim_polynomial", "free_model", "d_moments"]


def _letters(net):
    from ..nc.symbols import nc_symbols

    L = net.depth
    Ws = [nc_symbols(f"W{i}") for i in range(1, L + 1)]
    Ds = [nc_symbols(f"D{i}", selfadjoint=True) for i in range(1, L + 1)]
    return Ws, Ds


@_guarded
def jacobian_polynomial(net, letters=None):
    """The input–output Jacobian of ``net`` as a polynomial in its letters.

    Returns ``(J, names)`` where ``names`` maps ``"W1"…``, ``"D1"…`` and
    ``"J"`` to polynomials.

    Parameters
    ----------
    net : freealg.MLP
        Its depth and ``jacobian_convention`` fix the word.
    letters : (list, list), optional
        ``(Ws, Ds)``: the letters ``W_1..W_L`` and self-adjoint
        ``D_1..D_L`` to use (noncommutative symbols of
        :func:`freealg.nc_symbols`); default fresh ``W1…``, ``D1…``.

    Returns
    -------
    J : noncommutative polynomial
        ``W_L D_{L−1} ⋯ D_1 W_1`` (preactivation) or ``D_L W_L ⋯ D_1 W_1`` (psg).
    names : dict
        ``{"W1": …, "D1": …, "J": J}``.

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` is not a :class:`freealg.MLP`.

    Examples
    --------
    >>> import freealg
    >>> from freealg.dnn.polynomials import jacobian_polynomial
    >>> jacobian_polynomial(freealg.MLP(3, "relu"))[0]
    W3*D2*W2*D1*W1
    >>> jacobian_polynomial(freealg.MLP(3, "relu", jacobian_convention="psg"))[0]
    D3*W3*D2*W2*D1*W1
    """
    from ..nc.ncpoly import I

    Ws, Ds = letters or _letters(net)
    J = I
    for ell in range(1, net.depth + 1):
        J = Ws[ell - 1] * J
        if ell in net.d_layers:
            J = Ds[ell - 1] * J
    names = {f"W{i + 1}": w for i, w in enumerate(Ws)}
    names.update({f"D{i + 1}": d for i, d in enumerate(Ds)})
    names["J"] = J
    return J, names


@_guarded
def fim_polynomial(net, q=None, letters=None):
    r"""The one-sample FIM ``Θ_L`` as a polynomial (docs/theory.md §6).

    ``Θ_1 = q_0 I``, ``Θ_{ℓ+1} = q_ℓ I + W_{ℓ+1} D_ℓ Θ_ℓ D_ℓ W_{ℓ+1}ᵀ``.
    ``q`` is the sequence ``q_0 … q_{L−1}`` (numbers or sympy symbols);
    by default the symbols ``q_0 … q_{L−1}``.

    Parameters
    ----------
    net : freealg.MLP
        Only its depth ``L`` is used.
    q : sequence of L numbers or sympy expressions, optional
        ``q_ℓ = ‖x_ℓ‖²/M``; default the symbols ``q_0 … q_{L−1}``.
    letters : (list, list), optional
        ``(Ws, Ds)``: the letters ``W_1..W_L`` and self-adjoint
        ``D_1..D_L`` to use (noncommutative symbols of
        :func:`freealg.nc_symbols`); default fresh ``W1…``, ``D1…``.

    Returns
    -------
    noncommutative polynomial
        ``Θ_L``.

    Raises
    ------
    InvalidArgumentError
        ``q`` without exactly ``L`` entries.
    InvalidArgumentTypeError
        ``net`` is not a :class:`freealg.MLP`.

    Examples
    --------
    >>> import freealg
    >>> from freealg.dnn.polynomials import fim_polynomial
    >>> fim_polynomial(freealg.MLP(2, "relu"))
    q_0*W2*D1**2*W2.T + q_1*I
    >>> fim_polynomial(freealg.MLP(2, "relu"), q=[1, 2])
    W2*D1**2*W2.T + 2*I
    """
    import sympy

    from ..nc.ncpoly import I

    Ws, Ds = letters or _letters(net)
    L = net.depth
    if q is None:
        q = sympy.symbols(f"q_0:{L}")
    q = list(q)
    if len(q) != L:
        raise InvalidArgumentError(f"q must have L = {L} entries q_0..q_{L - 1}; got {len(q)}")
    theta = q[0] * I
    for ell in range(1, L):
        W, D = Ws[ell], Ds[ell - 1]
        theta = q[ell] * I + W * D * theta * D * W.T
    return theta


def _dphi_law(act, qsym):
    """The law ``[(value, probability)]`` of ``φ'(h)``, ``h ~ N(0, q)``, of a
    piecewise-linear activation, probabilities as expressions in ``qsym``.

    ``φ' ≥ 0`` everywhere: the square roots of the law of ``φ'²``
    (:meth:`freealg.Activation.dphi_values_probabilities`).  A negative slope
    (e.g. leaky relu with ``slope < 0``): ``φ'²`` forgets the sign, so the law
    is read off the pieces between the breakpoints ``b_i``, each slope with
    ``P(b_i < h < b_{i+1}) = (erf(b_{i+1}/√(2q)) − erf(b_i/√(2q)))/2``.
    """
    import sympy

    bps = sorted(sympify_safe(b) for b in act.breakpoints)
    edges = [-sympy.oo] + bps + [sympy.oo]
    pieces = []
    for a, b in zip(edges[:-1], edges[1:]):
        if a.is_finite and b.is_finite:
            mid = (a + b) / 2
        else:
            mid = b - 1 if b.is_finite else (a + 1 if a.is_finite else sympy.Integer(0))
        pieces.append((a, b, sympy.nsimplify(act.dexpr.subs(act.symbol, mid))))
    if all(not (v < 0) for _, _, v in pieces):
        return [(sympy.sqrt(sympify_safe(v)), p) for v, p in act.dphi_values_probabilities(None)]

    def cdf2(t):
        return sympy.sign(t) if t.is_infinite else sympy.erf(t / sympy.sqrt(2 * qsym))

    law = {}
    for a, b, v in pieces:
        law[v] = law.get(v, 0) + (cdf2(b) - cdf2(a)) / 2
    return list(law.items())


@_guarded
def d_moments(net, layer, *, q_in=None, exact=True, dps=None):
    """Moments of ``D_ℓ`` (not ``D_ℓ²``): ``k -> E[φ'(√q_ℓ z)^k]``.

    Piecewise-linear activations give exact values (sympy) when ``exact``;
    smooth ones are computed by quadrature (floats, or mpmath at ``dps``).

    Parameters
    ----------
    net : freealg.MLP
    layer : int in 1..L
        The layer ``ℓ``.
    q_in : real >= 0, optional
        Follow the finite-depth sequence from this input variance; default
        ``q_ℓ = q*``.
    exact : bool, optional
        Piecewise-linear activations: exact sympy moments (default) or
        sympy Floats.
    dps : int or None, optional
        ``None``: float quadrature; an integer ``1..1000``: mpmath digits.

    Returns
    -------
    callable
        ``k ↦ E[φ'(√q_ℓ z)^k]`` for integers ``k >= 0`` (smooth activations
        cache the values).

    Raises
    ------
    InvalidArgumentError
        ``layer`` outside ``1..L``, ``q_in < 0`` or ``dps < 1`` (for a
        smooth activation the returned function raises it for ``k < 0``).
    InvalidArgumentTypeError
        ``net`` is not a :class:`freealg.MLP`, or a non-integer ``layer``
        or ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine overflows; pass ``dps``.

    Examples
    --------
    ReLU: ``D`` is Bernoulli(1/2); erf at ``q* = 0``: ``φ'(0) = 2/√π``:

    >>> import freealg
    >>> from freealg.dnn.polynomials import d_moments
    >>> m = d_moments(freealg.MLP(3, "relu", sigma_w=1.0), 1)
    >>> m(1), m(2)
    (1/2, 1/2)
    >>> m = d_moments(freealg.MLP(3, "erf", sigma_w=0.8), 1)
    >>> round(m(1), 12), round(m(2), 12)         # 2/√π, 4/π
    (1.128379167096, 1.273239544735)
    """
    _Eng(dps)  # checks dps
    ell = check_int(layer, "layer")
    if not 1 <= ell <= net.depth:
        raise InvalidArgumentError(f"layer must be an integer in 1..{net.depth}; got {layer!r}")
    layer = ell
    act = net.activation
    if q_in is None:
        q = net.q_star(dps=dps)
    else:
        q = net.q_sequence(q_in, dps=dps)[layer - 1]
    return _d_moment_function(act, q, exact=exact, dps=dps)


def _d_moment_function(act, q, *, exact=True, dps=None):
    """``k ↦ E[φ'(√q z)^k]`` of the activation ``act`` at the variance ``q``:
    the law of a ``D`` of the free model of an MLP (:func:`d_moments`; also
    the ``D`` laws of :func:`freealg.verify.network_model`).  Arguments as in
    :func:`d_moments`, already checked."""
    import sympy

    if act.piecewise_linear:
        qsym = sympy.Symbol("q", positive=True)
        law = _dphi_law(act, qsym)
        out = []
        for value, prob in law:
            value, prob = sympify_safe(value), sympify_safe(prob)
            if prob.free_symbols and q == 0:
                # q = 0 (e.g. sigma_b = 0 in the ordered phase: q* = 0): the law of
                # phi'(h) is its limit as q -> 0+ (hard-tanh: P(|h| < 1) = erf(1/sqrt(2q)) -> 1);
                # substituting q = 0 gave erf(zoo) = nan
                prob = sympy.limit(prob, qsym, 0, "+")
            elif prob.free_symbols and not exact:
                # float kind: q (its exact binary value) and the arithmetic on
                # it carry 10 guard digits, the expression (hard-tanh's
                # 1 - erf(...): sympy.Float() of it raised TypeError) is
                # evaluated, then rounded once to the working precision
                n = (dps or 15) + 10
                prob = sympy.Float(prob.subs(qsym, sympy.Float(q, n)).evalf(n), dps or 15)
            elif prob.free_symbols:
                prob = prob.subs(qsym, q if isinstance(q, sympy.Basic) else sympy.Float(q))
            out.append((value, prob))

        def mom(k):
            return sympy.nsimplify(sum(p * v**k for v, p in out)) if exact and not any(
                isinstance(p, sympy.Float) for _, p in out) else sum(p * v**k for v, p in out)

        return mom
    from ..activations import gaussian_expectation

    cache = {}

    def mom(k):
        if k not in cache:
            kk = check_int(k, "k", minimum=0)
            cache[k] = gaussian_expectation(lambda x: act.dphi_mp(x) ** kk, q, dps=dps or 15)
            if dps is None:
                from ..activations._numbers import _float_result

                cache[k] = _float_result(cache[k], f"E[phi'^{kk}] of {act!r}", q)
        return cache[k]

    return mom


@_guarded
def free_model(net, *, q_in=None, symbolic=False, sigma_w=None, dps=None):
    """A :class:`freealg.FreeModel` for the layerwise Jacobians of ``net``.

    Parameters
    ----------
    net : freealg.MLP
        Square layers only.
    q_in : float, optional
        Follow the finite-depth sequence ``q^ℓ`` from this input variance;
        default: every layer at ``q*``.
    symbolic : bool
        Leave the laws of the ``D_ℓ`` symbolic (``m_k(D1)``, …).
    sigma_w : number or sympy expression, optional
        Weight scale to use instead of ``net.sigma_w`` (e.g. a symbol).
    dps : int or None, optional
        Precision of the moments of a smooth activation's ``D_ℓ``
        (:func:`d_moments`).

    Returns
    -------
    (FreeModel, dict)
        The model and the names ``W1…``, ``D1…``, ``J``, ``Theta`` (the
        one-sample FIM with symbolic ``q_ℓ``) and ``I``.

    Raises
    ------
    InvalidArgumentError
        Rectangular layers, ``sigma_w <= 0``, or a bad ``q_in``/``dps``.
    InvalidArgumentTypeError
        ``net`` is not a :class:`freealg.MLP`, a non-bool ``symbolic`` or
        a non-numeric ``sigma_w``.
    TooLargeError
        ``dps > 1000``.

    Examples
    --------
    Critical relu, orthogonal weights, ``L = 2``: ``tr JJᵀ = σ_w⁴/2 = 2``:

    >>> import sympy, freealg
    >>> from freealg.dnn.polynomials import free_model
    >>> model, names = free_model(freealg.MLP(2, "relu", sigma_w=sympy.sqrt(2)))
    >>> J = names["J"]
    >>> model.moment(freealg.tr(J * J.T))
    2
    """
    from ..freeness.model import FreeModel
    from ..nc.ncpoly import I

    _Eng(dps)  # checks dps
    if sigma_w is not None:
        check_real(sigma_w, "sigma_w", positive=True, allow_symbol=True)
    if not isinstance(symbolic, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"symbolic must be True or False; got {describe(symbolic)}")
    if not net.is_square:
        raise InvalidArgumentError(
            f"free_model needs square layers; {net!r} has widths ratios {net.layer_ratios}. "
            "Rectangular Gaussian layers are handled by the spectral laws (Marchenko–Pastur with ratio)."
        )
    letters = _letters(net)
    Ws, Ds = letters
    J, names = jacobian_polynomial(net, letters)
    names["Theta"] = fim_polynomial(net, letters=letters)
    names["I"] = I
    sw = net.sigma_w if sigma_w is None else sigma_w
    model = FreeModel()
    for W in Ws:
        if net.weight_family == "orthogonal":
            model.haar_orthogonal(W, scale=sw)
        else:
            model.ginibre(W, variance=sw**2)
    if symbolic:
        model.diagonal(Ds)
    else:
        model.diagonal(Ds, moments={D: d_moments(net, i + 1, q_in=q_in, dps=dps) for i, D in enumerate(Ds)})
    return model, names
