"""Finite-width random networks, the pieces below the sampler: random inputs,
the forward-pass record and the readers of an :class:`freealg.MLP`
specification (widths, weight init, entry law)."""

from __future__ import annotations

import math

from ..errors import InvalidArgumentError
from ._checks import _check_bytes, _check_real, _check_rng, _check_size


def random_input(width, rng, q0=1.0):
    r"""A random input ``x_0`` of dimension ``width`` with exactly
    ``‖x_0‖²/width = q0`` (a uniformly random direction, rescaled).

    Parameters
    ----------
    width : int >= 1
        Dimension ``M_0``.
    rng : numpy.random.Generator
        Source of randomness.
    q0 : float >= 0, default 1.0
        The input "variance" ``q_0 = ‖x_0‖²/M_0`` of docs/theory.md §6.

    Returns
    -------
    ndarray of shape (width,), float64
        ``x_0`` with ``x_0 @ x_0 = q0 * width`` (up to rounding).

    Raises
    ------
    InvalidArgumentTypeError
        If ``width`` is not an integer, ``q0`` not a real number, or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If ``width < 1`` or ``q0`` is negative or not finite.
    TooLargeError
        If ``width`` exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> x = random_input(10, np.random.default_rng(0), q0=2.0)
    >>> round(float(x @ x) / 10, 12)
    2.0
    """
    width = _check_size(width, "width")
    rng = _check_rng(rng)
    q0 = _check_real(q0, "q0", nonnegative=True)
    _check_bytes(2 * 8 * width, f"random_input(width={width})")
    z = rng.standard_normal(width)
    return z * math.sqrt(q0 * width / float(z @ z))


# ---------------------------------------------------------------------------
# finite-width networks
# ---------------------------------------------------------------------------


class ForwardPass:
    """The pre-activations and activations of one forward pass.

    Returned by :meth:`NetworkInstance.forward`.

    Parameters
    ----------
    h : list of ndarray
        The pre-activations ``[h_1, ..., h_L]``.
    x : list of ndarray
        The activations ``[x_0, x_1, ..., x_L]``.

    Raises
    ------
    IndexError
        Only later, from :attr:`output` when ``h`` is empty: the constructor
        stores its arguments without validation.

    Attributes
    ----------
    h : list of ndarray
        ``[h_1, ..., h_L]`` (``h[ℓ-1]`` is ``h_ℓ``).
    x : list of ndarray
        ``[x_0, x_1, ..., x_L]`` with ``x_ℓ = φ(h_ℓ)``.
    output : ndarray
        ``f = h_L``.

    Examples
    --------
    >>> import numpy as np
    >>> fp = ForwardPass([np.array([-1.0, 2.0])], [np.array([1.0]), np.array([0.0, 2.0])])
    >>> fp.output
    array([-1.,  2.])
    """

    __slots__ = ("h", "x")

    def __init__(self, h, x):
        self.h = h
        self.x = x

    @property
    def output(self):
        """The network output ``f = h_L`` (the last pre-activation)."""
        return self.h[-1]

    def __repr__(self):
        return f"ForwardPass(depth={len(self.h)}, widths={[v.shape[0] for v in self.x]})"


def _net_attr(net, name, default=None, required=True):
    if hasattr(net, name):
        return getattr(net, name)
    if required:
        raise InvalidArgumentError(
            f"net must be an MLP specification (freealg.MLP) with attribute {name!r}; "
            f"got {net!r} of type {type(net).__name__}"
        )
    return default


def _layer_widths(net, width):
    """Widths ``(M_0, ..., M_L)`` of a sample of ``net`` at input width ``width``."""
    depth = int(_net_attr(net, "depth"))
    widths = _net_attr(net, "widths", None, required=False)
    ratios = _net_attr(net, "ratios", None, required=False)
    if widths is not None:
        widths = tuple(int(w) for w in widths)
        if len(widths) != depth + 1:
            raise InvalidArgumentError(
                f"net.widths must list depth + 1 = {depth + 1} widths M_0..M_L; got {widths}"
            )
        if width is not None and _check_size(width, "width") != widths[0]:
            raise InvalidArgumentError(
                f"the MLP fixes the widths {widths}; got width={width!r}. Pass width=None, "
                "or build the MLP with ratios= (or neither) to choose the width here."
            )
        return widths
    if width is None:
        raise InvalidArgumentError(
            "width is required: the MLP specification does not fix the layer widths"
        )
    width = _check_size(width, "width")
    if ratios is not None:
        ratios = tuple(float(r) for r in ratios)
        if len(ratios) != depth + 1:
            raise InvalidArgumentError(
                f"net.ratios must list depth + 1 = {depth + 1} ratios; got {ratios}"
            )
        return tuple(max(1, int(round(r / ratios[0] * width))) for r in ratios)
    return (width,) * (depth + 1)


def _entry_law(net):
    """The sampled weight law: 'gaussian', 'orthogonal', 'glorot_uniform' or
    'glorot_normal'."""
    init = _net_attr(net, "init")
    name = getattr(init, "name", init)
    name = str(name).lower()
    if name in ("gaussian", "gauss", "normal"):
        return "gaussian"
    if name in ("orthogonal", "haar", "haar_orthogonal"):
        return "orthogonal"
    if name in ("glorot_uniform", "glorot_normal"):
        return name
    raise InvalidArgumentError(
        f"unknown init {init!r}: sample_network knows 'gaussian', 'orthogonal', "
        "'glorot_uniform' and 'glorot_normal'"
    )


def _init_name(net):
    """The universality class used by the infinite-width theory:
    'gaussian' (i.i.d. entries, including the Glorot inits) or 'orthogonal'."""
    law = _entry_law(net)
    return "orthogonal" if law == "orthogonal" else "gaussian"
