"""Sampling a finite-width network: :func:`sample_network` draws the weights and
biases of an :class:`freealg.MLP` specification at a given width and returns a
:class:`~freealg.simulate.NetworkInstance`."""

from __future__ import annotations

import math

import numpy as np

from ._checks import _check_bytes, _check_real, _check_rng
from .ensembles import haar_orthogonal
from .instance import NetworkInstance
from .network import _entry_law, _layer_widths, _net_attr


def sample_network(net, width=None, rng=None):
    r"""Draw the weights and biases of a finite-width network from an MLP
    specification (docs/theory.md §1).

    Layer ``ℓ = 1..L`` maps width ``M_{ℓ−1}`` to ``M_ℓ``:

    * Gaussian init: ``(W_ℓ)_ij ~ N(0, σ_w²/M_{ℓ−1})`` (fan-in);
    * Glorot inits: i.i.d. entries of variance ``σ_w² · 2/(M_{ℓ−1} + M_ℓ)``,
      uniform on ``[−a, a]``, ``a = σ_w √(6/(M_{ℓ−1} + M_ℓ))``
      (``"glorot_uniform"``) or centred Gaussian (``"glorot_normal"``);
    * orthogonal init: ``W_ℓ = σ_w O`` with ``O`` Haar orthogonal
      (:func:`haar_orthogonal`); for a rectangular layer ``O`` is the
      ``M_ℓ × M_{ℓ−1}`` corner of a Haar matrix of size ``max(M_ℓ, M_{ℓ−1})``
      multiplied by ``sqrt(max(1, M_ℓ/M_{ℓ−1}))``, so that in both inits the
      entries have variance ``σ_w²/M_{ℓ−1}`` and the mean-field recursion is
      the same;
    * ``b_ℓ ~ N(0, σ_b²)`` (zero when ``σ_b = 0``).

    The widths are ``net.widths`` if the specification fixes them (then
    ``width`` must be None or ``M_0``), else ``M_ℓ = round(r_ℓ · width)`` with
    the relative widths ``net.ratios`` (``r_0 = 1``; all equal by default).

    Parameters
    ----------
    net : freealg.MLP
        Specification with ``depth``, ``activation`` (an
        :class:`freealg.Activation`), ``init``, ``sigma_w``, ``sigma_b`` and
        optionally ``widths``/``ratios`` and ``jacobian_convention``.
    width : int, optional
        Input width ``M_0`` (required unless ``net`` fixes the widths).
    rng : numpy.random.Generator
        Source of randomness (required despite the ``None`` default).

    Returns
    -------
    NetworkInstance

    Raises
    ------
    InvalidArgumentTypeError
        If ``rng`` is not a ``numpy.random.Generator`` (also when omitted),
        or ``width`` is not an integer.
    InvalidArgumentError
        If ``net`` lacks a needed attribute, has an unknown ``init``, negative
        ``sigma_w``/``sigma_b``, or ``widths``/``ratios`` of the wrong length;
        if ``width`` is missing (the specification fixes no widths), ``< 1``,
        or differs from fixed ``net.widths[0]``.
    TooLargeError
        If a width exceeds ``MAX_SIZE`` or the weights need more than
        ``MAX_BYTES`` (4 GiB), before anything is drawn.

    Examples
    --------
    >>> import numpy as np
    >>> import freealg
    >>> net = freealg.MLP(depth=3, activation="tanh", init="orthogonal", sigma_w=1.5, sigma_b=0.1)
    >>> inst = sample_network(net, 50, np.random.default_rng(0))
    >>> inst.widths, [W.shape for W in inst.weights]
    ((50, 50, 50, 50), [(50, 50), (50, 50), (50, 50)])
    >>> np.allclose(inst.weights[0] @ inst.weights[0].T, 1.5**2 * np.eye(50))
    True
    """
    rng = _check_rng(rng)
    widths = _layer_widths(net, width)
    depth = int(_net_attr(net, "depth"))
    init = _entry_law(net)
    sw = _check_real(_net_attr(net, "sigma_w"), "sigma_w", nonnegative=True)
    sb = _check_real(_net_attr(net, "sigma_b"), "sigma_b", nonnegative=True)
    # all weights are kept, plus the Haar/Gaussian draw of the largest layer
    big = max(max(a, b) for a, b in zip(widths[:-1], widths[1:]))
    _check_bytes(8 * sum(a * b for a, b in zip(widths[:-1], widths[1:])) + 4 * 8 * big * big,
                 f"sample_network(widths={widths if len(widths) <= 6 else widths[:3] + ('...',)})")
    weights, biases = [], []
    for ell in range(1, depth + 1):
        fan_out, fan_in = widths[ell], widths[ell - 1]
        if init == "gaussian":
            w = (sw / math.sqrt(fan_in)) * rng.standard_normal((fan_out, fan_in))
        elif init == "glorot_normal":
            w = (sw * math.sqrt(2.0 / (fan_in + fan_out))) * rng.standard_normal((fan_out, fan_in))
        elif init == "glorot_uniform":
            a = sw * math.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-a, a, (fan_out, fan_in))
        else:
            o = haar_orthogonal(max(fan_out, fan_in), rng)[:fan_out, :fan_in]
            w = sw * math.sqrt(max(1.0, fan_out / fan_in)) * o
        b = sb * rng.standard_normal(fan_out) if sb > 0 else np.zeros(fan_out)
        weights.append(w)
        biases.append(b)
    return NetworkInstance(net, weights, biases)


