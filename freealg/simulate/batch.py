r"""The conditional FIM of a small batch of inputs, through its ``MT × MT`` Gram
matrix (docs/theory.md §6).
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._checks import _check_bytes
from .instance import NetworkInstance

__all__ = ["fim_batch"]


def fim_batch(instance, xs):
    r"""The batch Fisher / NTK Gram matrix ``Θ^{(T)}`` of ``T`` inputs.

    For inputs ``x^{(1)}, ..., x^{(T)}`` the block ``(s, t)`` is

    ``Θ_{st} = Σ_ℓ (x_{ℓ−1}^{(s)} · x_{ℓ−1}^{(t)} / M_{ℓ−1}) B_ℓ^{(s)} B_ℓ^{(t)ᵀ}``,

    with ``B_ℓ = ∂h_L/∂h_ℓ = W_L D_{L−1} ⋯ W_{ℓ+1} D_ℓ`` at each input, so the
    diagonal blocks are the one-sample matrices ``Θ_L(x^{(t)})``
    (:meth:`NetworkInstance.fim_one_sample`).  With all widths equal to ``M``
    and ``θ`` the weight entries, ``M Θ_{st} = J_s J_tᵀ`` (``J_t`` the parameter
    Jacobian at ``x^{(t)}``): the non-zero eigenvalues of ``Θ^{(T)}/T`` are those
    of ``M`` times the conditional FIM ``F = (1/T) Σ_t J_tᵀ J_t`` of the batch.
    ``T = 1`` gives ``Θ_L``.

    Parameters
    ----------
    instance : NetworkInstance
        A sampled network (:func:`freealg.simulate.sample_network`).
    xs : array_like of shape ``(T, M_0)``
        The batch, one input per row, ``1 <= T``.

    Returns
    -------
    ndarray of shape ``(M_L T, M_L T)``
        Symmetric; block ``(s, t)`` is ``Θ_{st}``.

    Raises
    ------
    InvalidArgumentTypeError
        If ``instance`` is not a :class:`NetworkInstance` or ``xs`` is not
        numeric.
    InvalidArgumentError
        If ``xs`` is not 2-d with ``M_0`` columns, or has non-finite entries.
    TooLargeError
        If the matrix would need more than ``MAX_BYTES``.

    Examples
    --------
    Two inputs of a 2-layer ReLU net with fixed weights.  The diagonal blocks
    are the one-sample matrices (4.5 at ``x = (1, 2)``); the off-diagonal one is
    ``ρ_0 B_1 B_1'ᵀ + ρ_1 = (1/2)(0·1 + 1·1) + (0·1 + 2·2)/2 = 2.5`` with
    ``B_1 = W_2 D_1 = (0, 1)`` and ``(1, 1)``, ``x_1 = (0, 2)`` and ``(1, 2)``:

    >>> import numpy as np, freealg
    >>> from freealg.simulate import NetworkInstance, fim_batch
    >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
    >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
    >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
    >>> fim_batch(inst, [[1.0, 2.0], [1.0, 0.0]])
    array([[4.5, 2.5],
           [2.5, 3.5]])
    """
    if not isinstance(instance, NetworkInstance):
        raise InvalidArgumentTypeError(
            f"instance must be a freealg.simulate.NetworkInstance; got {describe(instance)} of type "
            f"{type(instance).__name__}")
    try:
        arr = np.asarray(xs, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"xs must be a numeric array of shape (T, M_0); got {describe(xs)}") from None
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] != instance.widths[0]:
        raise InvalidArgumentError(
            f"xs must have shape (T, {instance.widths[0]}) with T >= 1; got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgumentError("xs has non-finite entries")
    T, m = arr.shape[0], instance.widths[-1]
    _check_bytes(8 * (m * T) ** 2, f"fim_batch ({m * T} x {m * T} matrix)")
    xs_l, bs_l = [], []
    for x in arr:
        fp = instance.forward(x)
        diags = [np.asarray(instance.activation.dphi(h), dtype=float) for h in fp.h]
        xs_l.append(fp.x)
        bs_l.append(instance._backward_factors(diags))
    out = np.zeros((m * T, m * T))
    for s in range(T):
        for t in range(s, T):
            block = np.zeros((m, m))
            for ell in range(instance.depth):
                rho = float(xs_l[s][ell] @ xs_l[t][ell]) / xs_l[s][ell].shape[0]
                block += rho * (bs_l[s][ell] @ bs_l[t][ell].T)
            out[s * m:(s + 1) * m, t * m:(t + 1) * m] = block
            out[t * m:(t + 1) * m, s * m:(s + 1) * m] = block.T
    return out
