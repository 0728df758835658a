r"""Backprop norms and the law of ``D²`` (docs/theory.md §4, §5).

Under the gradient independence assumption ``q̃^L = 1``,
``q̃^ℓ = q̃^{ℓ+1} σ_w² ∫Dz phi'(√q^ℓ z)²``; the law ``ν_ℓ`` of ``D_ℓ²`` is the
law of ``phi'(√q^ℓ z)²``.  Public through :mod:`freealg.dnn.meanfield`.
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import MAX_MOMENT_ORDER, check_int, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._mf_engine import _Eng, _guarded, _sig
from ._qmap import q_sequence, q_star


# ---------------------------------------------------------------------------
# backprop
# ---------------------------------------------------------------------------


def _layer_qs(net, eng, q_in):
    """Pre-activation variances q^1..q^L (at q* if q_in is None)."""
    if q_in is None:
        qs = q_star(net, dps=eng.dps)
        if not (eng.num(qs) < eng.inf):
            raise InvalidArgumentError(
                f"q* is infinite for {net!r}; pass q_in to follow the finite-depth sequence"
            )
        return [eng.num(qs)] * net.depth
    return [eng.num(v) for v in q_sequence(net, q_in, dps=eng.dps)]


@_guarded
def backprop_norms(net, *, q_in=None, dps=None):
    r"""Gradient norms ``[q̃^1, …, q̃^L]`` (Schoenholz et al. 2017).

    ``q̃^ℓ = Σ_i (∂f/∂h_{ℓ,i})²`` for one output unit of ``f = h_L`` (so
    ``q̃^L = 1``), and ``q̃^ℓ = q̃^{ℓ+1} σ_w² ∫Dz phi'(√q^ℓ z)²`` under the
    gradient independence assumption.  ``q^ℓ`` is the forward variance from
    ``q_in`` (``None``: every layer at ``q*``, then ``q̃^ℓ = χ^{L−ℓ}``).

    Parameters
    ----------
    net : MLP
        The network.
    q_in : real >= 0, optional
        Follow the forward variances from this input ``‖x_0‖²/n_0``;
        default ``None``: every layer at ``q*`` (then ``q̃^ℓ = χ^{L−ℓ}``).
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    list of float or mpmath.mpf
        The ``L`` squared gradient norms, last one 1.

    Raises
    ------
    InvalidArgumentError
        ``q_in < 0``; ``q_in=None`` with ``q*`` infinite (pass ``q_in``);
        ``dps < 1``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(4, "relu", sigma_w=1.0).backprop_norms()
    [0.125, 0.25, 0.5, 1.0]
    """
    eng = _Eng(dps)
    with eng.ctx():
        qs = _layer_qs(net, eng, q_in)
        sw2, _ = _sig(net, eng)
        out = [eng.num(1)]
        for ell in range(net.depth - 1, 0, -1):
            out.append(out[-1] * sw2 * eng.E(net.activation, "dphi2", qs[ell - 1]))
        return [eng.done(v) for v in reversed(out)]


# ---------------------------------------------------------------------------
# the law of D^2
# ---------------------------------------------------------------------------


def _layer_q(net, layer, q_in, dps):
    if layer is None:
        if q_in is not None:
            raise InvalidArgumentError("q_in needs a layer index (layer=1..L)")
        return q_star(net, dps=dps)
    ell = check_int(layer, "layer")
    if not 1 <= ell <= net.depth:
        raise InvalidArgumentError(f"layer must be an integer in 1..{net.depth}; got {layer!r}")
    layer = ell
    if q_in is None:
        return q_star(net, dps=dps)
    return q_sequence(net, q_in, dps=dps)[layer - 1]


@_guarded
def d2_moments(net, n, *, layer=None, q_in=None, dps=None):
    r"""Moments ``μ_k = ∫Dz phi'(√q z)^{2k}``, ``k = 1..n``, of the law ``nu``
    of ``D_ℓ²`` (docs/theory.md §4–5), at ``q = q*`` (default) or at layer
    ``layer`` of the sequence from ``q_in``.

    Parameters
    ----------
    net : MLP
        The network.
    n : int, 1 <= n <= 2000
        Number of moments.
    layer : int in 1..L, optional
        Layer ``ℓ``; needed with ``q_in``.
    q_in : real >= 0, optional
        Input ``‖x_0‖²/n_0`` of the finite-depth sequence; default: the
        fixed point ``q*``.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    list of float or mpmath.mpf
        ``[μ_1, …, μ_n]``.

    Raises
    ------
    InvalidArgumentError
        ``n < 1``, ``layer`` outside ``1..L``, ``q_in`` without ``layer``,
        ``q_in < 0`` or ``dps < 1``.
    TooLargeError
        ``n > 2000`` or ``dps > 1000``.
    InvalidArgumentTypeError
        A non-integer ``n``, ``layer`` or ``dps``.
    FloatRangeError
        The float engine would overflow; pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "erf", sigma_w=0.8).d2_moments(2)     # q* = 0: (4/π)^k
    [1.2732395447351628, 1.6211389382774044]
    """
    n = check_int(n, "n", minimum=1, maximum=MAX_MOMENT_ORDER,
                  hint="each moment is one quadrature; ask for fewer moments")
    eng = _Eng(dps)
    q = _layer_q(net, layer, q_in, dps)
    act = net.activation
    with eng.ctx():
        qv = eng.num(q)
        if not (qv < eng.inf):
            if act.positively_homogeneous:
                qv = eng.num(1)
            else:  # pragma: no cover
                raise InvalidArgumentError(f"q* is infinite for {net!r}")
        vals = act.dphi2_moments(qv, n, dps=(eng.dps or 15) + 5)
        return [eng.done(v) for v in vals]


@_guarded
def d2_atoms(net, *, layer=None, q_in=None, symbolic=False):
    r"""Exact law of ``D_ℓ²`` for a piecewise-linear activation: a list of
    ``(value, probability)`` (relu: Bernoulli(1/2); hard-tanh:
    Bernoulli(p), ``p = erf(1/√(2q*))``), in floats at ``q*`` (or at layer
    ``layer`` from ``q_in``).  ``symbolic=True`` returns the law as sympy
    expressions in a positive symbol ``q`` (constants for relu).

    Parameters
    ----------
    net : MLP
        The network.
    layer : int in 1..L, optional
        Layer ``ℓ``; needed with ``q_in``.
    q_in : real >= 0, optional
        Input of the finite-depth sequence; default: ``q*``.
    symbolic : bool, optional
        ``True``: the law as sympy expressions in a positive symbol ``q``
        (``layer`` and ``q_in`` are then not used).

    Returns
    -------
    list of (value, probability)
        Floats at the chosen ``q``, or sympy expressions with
        ``symbolic=True``.

    Raises
    ------
    InvalidArgumentError
        A non-piecewise-linear activation (use :meth:`d2_moments`),
        ``layer`` outside ``1..L`` or ``q_in`` without ``layer``.
    InvalidArgumentTypeError
        A non-bool ``symbolic`` or a non-integer ``layer``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "relu", sigma_w=1.0).d2_atoms()
    [(0.0, 0.5), (1.0, 0.5)]
    """
    act = net.activation
    if not act.piecewise_linear:
        raise InvalidArgumentError(
            f"{act!r} is not piecewise linear: D² has a continuous law; use d2_moments"
        )
    if not isinstance(symbolic, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"symbolic must be True or False; got {describe(symbolic)}")
    if symbolic:
        return act.dphi_values_probabilities(None)
    q = _layer_q(net, layer, q_in, None)
    if act.positively_homogeneous:
        q = 1.0
    return act.dphi_values_probabilities(float(q))
