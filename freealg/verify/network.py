r"""The free model of an MLP at initialisation and samplers of actual networks
(:func:`network_letters`, :func:`network_model`, :func:`network_sampler`),
with the MLP parameters and mean-field variances the checks use.
"""

from __future__ import annotations

import math

import numpy as np

from .._utils.validate import MAX_DEPTH, check_int, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._common import _check_q0, _to_float


def _net_activation(net):
    act = getattr(net, "activation", None)
    if act is None:
        raise InvalidArgumentTypeError(
            f"net must be an MLP specification (freealg.MLP); got {describe(net)} of type "
            f"{type(net).__name__}")
    if isinstance(act, str):
        from ..activations import get_activation

        act = get_activation(act)
    return act


def _net_params(net):
    from ..simulate.network import _init_name

    act = _net_activation(net)
    sw = _to_float(getattr(net, "sigma_w"), "sigma_w")
    sb = _to_float(getattr(net, "sigma_b"), "sigma_b")
    return act, _init_name(net), float(sw), float(sb), int(getattr(net, "depth"))


def _net_with(net, **changes):
    """A copy of the MLP spec with some fields changed (depth, ...)."""
    for meth in ("replace", "with_params", "copy"):
        f = getattr(net, meth, None)
        if callable(f):
            try:
                return f(**changes)
            except TypeError:
                continue
    import dataclasses

    if dataclasses.is_dataclass(net):
        return dataclasses.replace(net, **changes)
    kwargs = {}
    for key in ("depth", "activation", "init", "sigma_w", "sigma_b", "jacobian_convention"):
        if hasattr(net, key):
            kwargs[key] = getattr(net, key)
    kwargs.update(changes)
    return type(net)(**kwargs)


def _uniform_widths(net, what):
    if getattr(net, "widths", None) is not None:
        raise InvalidArgumentError(
            f"{what} sweeps the width, but the MLP fixes widths={net.widths}; build it "
            "without widths="
        )
    ratios = getattr(net, "ratios", None)
    if ratios is not None and len(set(float(r) for r in ratios)) != 1:
        raise InvalidArgumentError(
            f"{what} needs an MLP with equal layer widths; got ratios "
            f"{tuple(str(r) for r in ratios)} (the free model here is the square N x N one)"
        )


def _meanfield(net, q0):
    r"""Layer variances of the mean-field theory for an input with
    ``‖x_0‖²/M = q0`` (docs/theory.md §4, §6).

    ``q^1 = σ_w² q_0 + σ_b²``, ``q^{ℓ+1} = σ_w² E[φ(h)²] + σ_b²`` with
    ``h ~ N(0, q^ℓ)``; and ``q_ℓ = lim ‖x_ℓ‖²/M = E[φ(h_ℓ)²]`` (``q_0 =
    q0``), the ``q_ℓ`` of the FIM recursion.

    Returns
    -------
    (qh, qx) : lists of float
        ``qh = [q^1, ..., q^L]`` (pre-activation variances),
        ``qx = [q_0, ..., q_{L−1}]``.

    Examples
    --------
    ReLU with ``σ_w² = 2``, ``σ_b = 0`` keeps the variance: ``E relu(h)² = q/2``.

    >>> import freealg
    >>> net = freealg.MLP(depth=3, activation="relu", init="gaussian", sigma_w=2**0.5, sigma_b=0)
    >>> qh, qx = _meanfield(net, 1.5)
    >>> [round(v, 12) for v in qh], [round(v, 12) for v in qx]
    ([3.0, 3.0, 3.0], [1.5, 1.5, 1.5])
    """
    from ..dnn.meanfield import q_sequence, qhat_sequence

    _, _, _, _, depth = _net_params(net)
    q0 = _to_float(q0, "q0")
    if q0 < 0:
        raise InvalidArgumentError(f"q0 = ||x_0||^2/M must be >= 0; got {q0}")
    qh = [float(v) for v in q_sequence(net, q0)]
    qx = [float(v) for v in qhat_sequence(net, q0)][:depth]
    return qh, qx


def _fixed_point_q0(net):
    """``q0`` with ``σ_w² q0 + σ_b² = q*`` (the input sits at the fixed point).

    ``q*`` is the fixed point of ``q ↦ σ_w² E[φ(√q z)²] + σ_b²`` that the
    forward pass reaches from an input with ``‖x_0‖²/n_0 = 1``, i.e. from
    ``q^1 = σ_w² + σ_b²``: the one mean-field implementation,
    :func:`freealg.dnn.meanfield.q_star` with ``q_in = 1`` (docs/theory.md §4).
    Where every ``q`` is fixed (relu-like ``χ = 1``, ``σ_b = 0``) the input
    ``q0 = 1`` itself; an ordered bounded ``φ`` with ``σ_b = 0`` gives ``q0 = 0``.
    A variance growing without bound (``q* = inf``) raises ConvergenceError.
    """
    from ..dnn.meanfield import q_star
    from ..errors import ConvergenceError

    _, _, sw, sb, _ = _net_params(net)
    q = float(q_star(net, q_in=1))
    if not math.isfinite(q):
        raise ConvergenceError(
            f"the variance map of {net!r} has no attracting fixed point q* reachable from "
            "q_in = ||x_0||^2/n_0 = 1 (the forward pass explodes); pass q0 explicitly"
        )
    # q* >= sigma_b^2 exactly (the q-map is sigma_b^2 plus a non-negative term);
    # a difference below zero is the rounding of q*, not a negative variance
    return max(0.0, (q - sb * sb) / (sw * sw))


_DMOM_CACHE = {}


def _d_moments(act, q, n):
    """``E[φ'(h)^k]``, ``k = 1..n``, ``h ~ N(0, q)`` (floats, cached).

    Exact for piecewise-linear activations with ``φ' ≥ 0`` (the law of ``φ'``
    is atomic), mpmath quadrature otherwise."""
    from ..dnn.polynomials import _d_moment_function

    key = (act.name, repr(sorted(getattr(act, "params", {}).items())), float(q))
    have = _DMOM_CACHE.get(key, [])
    if len(have) >= n:
        return have[:n]
    mom = _d_moment_function(act, float(q), exact=False)
    new = list(have) + [float(mom(k)) for k in range(len(have) + 1, n + 1)]
    _DMOM_CACHE[key] = new
    return new[:n]


class _LazyMoments:
    """``k -> E[φ'(h)^k]`` computed on demand (for FreeModel.diagonal)."""

    def __init__(self, act, q):
        self.act, self.q = act, q

    def __call__(self, k):
        return _d_moments(self.act, self.q, int(k))[int(k) - 1]


def network_letters(depth):
    """The letters ``W1..WL`` and (self-adjoint) ``D1..DL`` used by
    :func:`network_model` and :func:`network_sampler`, as two tuples.

    Parameters
    ----------
    depth : int
        Number of layers ``L``, ``1 <= depth <= MAX_DEPTH`` (100000).

    Returns
    -------
    tuple of tuple of NCPoly
        ``((W1, ..., WL), (D1, ..., DL))``; the ``D``'s are self-adjoint.

    Raises
    ------
    InvalidArgumentTypeError
        If ``depth`` is not an integer.
    InvalidArgumentError
        If ``depth < 1``.
    TooLargeError
        If ``depth > MAX_DEPTH``.

    Examples
    --------
    >>> network_letters(2)
    ((W1, W2), (D1, D2))
    """
    from ..nc.symbols import nc_symbols

    depth = check_int(depth, "depth", minimum=1, maximum=MAX_DEPTH,
                      hint="a network has one W and one D letter per layer")

    ws = nc_symbols(" ".join(f"W{i}" for i in range(1, depth + 1)))
    ds = nc_symbols(" ".join(f"D{i}" for i in range(1, depth + 1)), selfadjoint=True)
    ws = ws if isinstance(ws, tuple) else (ws,)
    ds = ds if isinstance(ds, tuple) else (ds,)
    return tuple(ws), tuple(ds)


def network_model(net, q0=1.0, *, symbolic_d=False):
    r"""The free model of an MLP at initialisation (the asymptotic-freeness
    claim, docs/theory.md §5).

    ``W_ℓ``: Haar orthogonal scaled by ``σ_w`` (orthogonal init) or Ginibre of
    variance ``σ_w²`` (Gaussian init), free from each other and from the
    ``D``'s; ``D_1..D_L``: one commuting diagonal family with independent
    entries, ``tr(D_ℓ^k) = E[φ'(h_ℓ)^k]``, ``h_ℓ ~ N(0, q^ℓ)`` with the
    mean-field variances of :func:`meanfield_variances`.  With
    ``symbolic_d=True`` the ``D`` laws are left symbolic (``m_k(D1)``, ...),
    for the plug-in mode of :func:`moments`.

    Parameters
    ----------
    net : freealg.MLP
        The network specification (depth, activation, init, ``σ_w``,
        ``σ_b``); Gaussian and Glorot inits give Ginibre letters.
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M`` that starts the mean-field recursion.
    symbolic_d : bool, default False
        Leave the laws of the ``D``'s symbolic.

    Returns
    -------
    FreeModel
        With the letters of :func:`network_letters` ``(net.depth)``.

    Raises
    ------
    InvalidArgumentTypeError
        If ``net`` is not an MLP specification (no ``activation``), ``q0``
        is not a real number, or ``symbolic_d`` is not a bool.
    InvalidArgumentError
        If ``q0`` is negative or not finite, or ``net`` has an unknown init.
    UnknownActivationError
        If ``net.activation`` is an unknown name.

    Examples
    --------
    ReLU, orthogonal weights: ``tr(J Jᵀ) = σ_w⁴ E[φ'(h_1)²] = σ_w⁴/2`` for
    ``J = W_2 D_1 W_1``:

    >>> import freealg
    >>> from freealg import tr
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=2, sigma_b=0)
    >>> (W1, W2), (D1, D2) = network_letters(2)
    >>> J = W2 * D1 * W1
    >>> network_model(net).moment(tr(J * J.T))
    8.0
    """
    _check_q0(q0)
    if not isinstance(symbolic_d, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"symbolic_d must be True or False; got {describe(symbolic_d)}")
    from ..freeness.model import FreeModel

    act, init, sw, _, depth = _net_params(net)
    qh, _ = _meanfield(net, q0)
    ws, ds = network_letters(depth)
    model = FreeModel()
    for w in ws:
        if init == "orthogonal":
            model = model.haar_orthogonal(w, scale=sw)
        else:
            model = model.ginibre(w, variance=sw * sw)
    if symbolic_d:
        return model.diagonal(list(ds))
    return model.diagonal(list(ds), moments={d: _LazyMoments(act, q) for d, q in zip(ds, qh)})


def network_sampler(net, q0=1.0):
    r"""A sampler for :func:`moments`: ``(width, rng) -> {"W1": W_1, ...,
    "D1": φ'(h_1), ...}`` from an *actual* network and forward pass.

    Each call samples a network (:func:`freealg.simulate.sample_network`) and an
    input ``x_0`` with ``‖x_0‖²/M = q0``, runs the forward pass and returns the
    weights and the diagonals of the ``D_ℓ`` (as vectors), so the ``D``'s carry
    their true dependence on the ``W``'s.

    Parameters
    ----------
    net : freealg.MLP
        The network specification; it must not fix the widths (the sampler
        takes the width as its argument).
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M``.

    Returns
    -------
    callable
        ``sampler(width, rng) -> dict`` mapping ``"W1".."WL"`` to the weight
        matrices and ``"D1".."DL"`` to the vectors ``φ'(h_ℓ)``.

    Raises
    ------
    InvalidArgumentTypeError
        If ``net`` is not an MLP specification (no ``activation``), or
        ``q0`` is not a real number.
    InvalidArgumentError
        If ``q0`` is negative or not finite, or ``net`` has an unknown init.
    UnknownActivationError
        If ``net.activation`` is an unknown name.

    Examples
    --------
    ReLU derivatives are 0 or 1, and ``W_1`` is orthogonal:

    >>> import numpy as np
    >>> import freealg
    >>> from freealg.verify import network_sampler
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    >>> m = network_sampler(net)(4, np.random.default_rng(0))
    >>> sorted(m), set(m["D1"].tolist()) <= {0.0, 1.0}, np.allclose(m["W1"] @ m["W1"].T, np.eye(4))
    (['D1', 'D2', 'W1', 'W2'], True, True)
    """
    _check_q0(q0)
    from ..simulate import random_input, sample_network

    _net_params(net)

    def sampler(width, rng):
        inst = sample_network(net, width, rng)
        x0 = random_input(inst.widths[0], rng, q0)
        out = {f"W{i}": w for i, w in enumerate(inst.weights, start=1)}
        out.update({f"D{i}": d for i, d in enumerate(inst.dphi(x0), start=1)})
        return out

    return sampler


# ---------------------------------------------------------------------------
# ready checks of the source documents' claims


def _make_net(net, init, activation, sigma_w, sigma_b, depth):
    if net is not None:
        return net
    import freealg

    return freealg.MLP(depth=depth, activation=activation, init=init, sigma_w=sigma_w,
                       sigma_b=sigma_b)
