r"""The empirical Fisher information of a sampled finite-width network.

:func:`empirical_fim_eigenvalues` computes the non-zero spectrum of
``F = (1/T) Σ_t J_tᵀ Q_t J_t`` through the dual ``CT × CT`` Gram matrix, for the
squared loss (``Q_t = I``) and the softmax cross-entropy loss
(``Q_t = diag(g) − g gᵀ``); it is the finite-width check of the mean-field
statistics of :mod:`freealg.dnn.kaa` (Karakida, Akaho & Amari, AISTATS 2019
and NeurIPS 2019), from which it is also importable.
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_finite_array
from ..errors import FloatRangeError, InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

__all__ = ["empirical_fim_eigenvalues", "MAX_GRAM"]

#: Largest ``C·T`` (outputs × samples) for which the dual ``CT × CT`` Gram
#: matrix of the empirical FIM is formed and diagonalised.
MAX_GRAM = 8000


def _softmax_q(logits):
    """``Q_t = diag(g) − g gᵀ`` with ``g = softmax(f(t))``, shape ``(T, C, C)``."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    g = e / e.sum(axis=1, keepdims=True)
    return g[:, :, None] * np.eye(g.shape[1])[None] - g[:, :, None] * g[:, None, :]


def _psd_sqrt(q):
    """Symmetric square roots of the PSD blocks ``q`` (shape ``(T, C, C)``)."""
    w, v = np.linalg.eigh(q)
    scale = np.max(np.abs(w), axis=1, keepdims=True)
    if np.any(w < -1e-12 * np.maximum(scale, 1.0)):
        raise FloatRangeError("softmax covariance block with a negative eigenvalue beyond rounding")
    w = np.where(w < 0, 0.0, w)  # rounding below 1e-12 of the block's scale
    return np.einsum("tij,tj,tkj->tik", v, np.sqrt(w), v)


def _logits_array(logits, name="logits"):
    arr = check_finite_array(logits, name)
    if arr.ndim != 2:
        raise InvalidArgumentError(
            f"{name} must be a 2-D array of shape (T, C) (one row of C logits per sample); "
            f"got shape {arr.shape}")
    return arr


def empirical_fim_eigenvalues(inst, X, *, loss="mse", mean_subtract=False, biases=False):
    r"""Non-zero spectrum of the empirical FIM of a sampled network.

    ``F = (1/T) Σ_t J_tᵀ Q_t J_t`` with ``J_t = ∂f(x_t)/∂θ`` (``C × P``, the
    weights and, with ``biases``, the biases of all layers), ``Q_t = I_C`` for
    the squared loss and ``Q_t = diag(g) − g gᵀ``, ``g = softmax(f(x_t))``, for
    the cross-entropy loss.  With ``mean_subtract`` the outputs are centred
    over the batch, ``f̄_k(t) = f_k(t) − (1/T) Σ_s f_k(s)`` (last-layer mean
    subtraction, Karakida, Akaho & Amari, NeurIPS 2019), so ``J_t`` becomes
    ``J_t − (1/T) Σ_s J_s``.  The ``P × P`` matrix is never formed: the
    eigenvalues are those of the ``CT × CT`` matrix
    ``(1/T) Q^{1/2} J Jᵀ Q^{1/2}``, with ``J Jᵀ`` assembled layer by layer from
    ``B_ℓ(s) B_ℓ(t)ᵀ (x_{ℓ−1}(s)·x_{ℓ−1}(t))`` (notation of
    :meth:`freealg.simulate.NetworkInstance.parameter_jacobian`).

    Parameters
    ----------
    inst : freealg.simulate.NetworkInstance
    X : array of shape ``(M_0, T)``
        The ``T`` inputs as columns.
    loss : {"mse", "cross_entropy"}
    mean_subtract : bool
    biases : bool

    Returns
    -------
    ndarray
        The ``C·T`` eigenvalues of the dual matrix, in decreasing order (the
        non-zero spectrum of ``F`` followed by zeros and rounding-size values).

    Raises
    ------
    TooLargeError
        If ``C·T > MAX_GRAM``.

    Examples
    --------
    >>> import numpy as np, freealg
    >>> from freealg import simulate
    >>> from freealg.dnn.kaa import empirical_fim_eigenvalues
    >>> rng = np.random.default_rng(0)
    >>> net = freealg.MLP(2, "linear", init="gaussian", widths=(20, 20, 1))
    >>> inst = simulate.sample_network(net, rng=rng)
    >>> X = rng.standard_normal((20, 1))
    >>> lam = empirical_fim_eigenvalues(inst, X)
    >>> x1 = inst.forward(X[:, 0]).x[1]
    >>> bool(np.isclose(lam[0], X[:, 0] @ X[:, 0] * (inst.weights[1] ** 2).sum() + x1 @ x1))
    True
    """
    from ..simulate import NetworkInstance
    from .._utils.validate import check_choice
    if not isinstance(inst, NetworkInstance):
        raise InvalidArgumentTypeError(
            f"inst must be a freealg.simulate.NetworkInstance (from simulate.sample_network); "
            f"got {type(inst).__name__}")
    loss = check_choice(loss, "loss", ("mse", "cross_entropy"))
    for flag, name in ((mean_subtract, "mean_subtract"), (biases, "biases")):
        if not isinstance(flag, (bool, np.bool_)):
            raise InvalidArgumentTypeError(f"{name} must be True or False; got {flag!r}")
    X = check_finite_array(X, "X")
    if X.ndim != 2 or X.shape[0] != inst.widths[0] or X.shape[1] < 1:
        raise InvalidArgumentError(
            f"X must have shape (M_0, T) = ({inst.widths[0]}, T) with T >= 1 (inputs as "
            f"columns); got shape {X.shape}")
    C, T = inst.widths[-1], X.shape[1]
    if C * T > MAX_GRAM:
        raise TooLargeError(
            f"C*T = {C}*{T} = {C * T} exceeds MAX_GRAM = {MAX_GRAM} (a dense C*T x C*T "
            "eigenproblem); use fewer samples or outputs")
    with np.errstate(over="raise", invalid="raise"):
        try:
            fp = inst.forward(X)
            L = inst.depth
            diags = [np.asarray(inst.activation.dphi(h), dtype=float) for h in fp.h]
            # B[t] = ∂f/∂h_ℓ at sample t, shape (T, C, M_ℓ); start with B_L = I_C
            b = np.broadcast_to(np.eye(C), (T, C, C))
            gram = np.zeros((T, C, T, C))
            for ell in range(L, 0, -1):
                xs = fp.x[ell - 1]                      # (M_{ℓ-1}, T)
                bb = np.einsum("sim,tjm->sitj", b, b)
                gram += bb * (xs.T @ xs)[:, None, :, None]
                if biases:
                    gram += bb
                if ell > 1:
                    b = (b @ inst.weights[ell - 1]) * diags[ell - 2].T[:, None, :]
        except FloatingPointError:
            raise FloatRangeError(
                "float64 overflow in the forward/backward pass of the sampled network; "
                "use smaller weights, inputs or depth") from None
        gram = gram.reshape(T * C, T * C)
        if mean_subtract:
            p = np.kron(np.eye(T) - np.full((T, T), 1.0 / T), np.eye(C))
            gram = p @ gram @ p
        if loss == "cross_entropy":
            out = fp.output.T                           # (T, C)
            r = _psd_sqrt(_softmax_q(out))
            rb = np.zeros((T * C, T * C))
            for t in range(T):
                rb[t * C:(t + 1) * C, t * C:(t + 1) * C] = r[t]
            gram = rb @ gram @ rb
        lam = np.linalg.eigvalsh((gram + gram.T) / (2 * T))
    if not np.all(np.isfinite(lam)):
        raise FloatRangeError("non-finite FIM eigenvalue (float64 overflow)")
    return lam[::-1].copy()
