r"""Karakida–Akaho–Amari mean-field Fisher information (AISTATS 2019).

See :func:`fim_meanfield`; the definitions of the order parameters are in
the :mod:`freealg.dnn.meanfield` module docstring.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from .._utils.validate import check_int, check_real
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from .meanfield import _Eng, _check_q_in, _guarded, _sig

__all__ = ["fim_meanfield", "KAAResult"]


KAAResult = namedtuple(
    "KAAResult",
    ["kappa1", "kappa2", "lambda_max_per_M", "lambda_max", "lr_bound",
     "q", "q_st", "qhat", "qhat_st", "qtilde", "qtilde_st"],
)
KAAResult.__doc__ = """Karakida–Akaho–Amari mean-field FIM quantities.

Attributes
----------
kappa1, kappa2
    The order parameters κ₁, κ₂.
lambda_max_per_M
    ``(L − 1)((T − 1)/T κ₂ + κ₁/T)``.
lambda_max
    ``lambda_max_per_M × M`` (None if M was not given).
lr_bound
    ``2 / lambda_max``, the GD stability bound on the learning rate (None without M;
    +inf when lambda_max = 0, i.e. the loss is flat and no learning rate is unstable).
q, q_st
    Pre-activation ``[q^1..q^L]``, ``[q^1_st..q^L_st]``.
qhat, qhat_st
    Post-activation ``[q̂^0..q̂^{L−1}]``, ``[q̂^0_st..q̂^{L−1}_st]``.
qtilde, qtilde_st
    Backprop ``[q̃^1..q̃^L]``, ``[q̃^1_st..q̃^L_st]``.
"""


@_guarded
def fim_meanfield(net, T, *, M=None, q_in=1, q_in_st=0, dps=None):
    r"""Mean-field Fisher information of Karakida, Akaho & Amari (AISTATS 2019).

    Order parameters (module docstring): forward
    ``q^ℓ = σ_w² q̂^{ℓ−1} + σ_b²``, ``q^ℓ_st = σ_w² q̂^{ℓ−1}_st + σ_b²``,
    ``q̂^ℓ = E[phi(u)²]``, ``q̂^ℓ_st = E[phi(u) phi(v)]`` with
    ``(u, v)`` of covariance ``[[q^ℓ, q^ℓ_st], [q^ℓ_st, q^ℓ]]``; backward
    ``q̃^L = q̃^L_st = 1``, ``q̃^ℓ = σ_w² q̃^{ℓ+1} E[phi'(u)²]``,
    ``q̃^ℓ_st = σ_w² q̃^{ℓ+1}_st E[phi'(u) phi'(v)]``.  Then
    ``κ₁ = Σ_{ℓ=1}^L q̃^ℓ q̂^{ℓ−1}/(L−1)``, ``κ₂ = Σ_ℓ q̃^ℓ_st q̂^{ℓ−1}_st/(L−1)``
    and ``λ_max ≈ (L − 1)((T − 1)/T κ₂ + κ₁/T) M``.

    The Gram matrix of the ``T`` per-sample gradients is, to leading order in
    ``M``, ``M (L−1)[(κ₁ − κ₂) I + κ₂ 11ᵀ]``; the FIM ``(1/T) Σ_t ∇f∇fᵀ``
    shares its non-zero spectrum with ``1/T`` times that Gram matrix, whose top
    eigenvalue is the formula above.  Biases contribute ``O(1)`` and are
    neglected, as in KAA.

    Parameters
    ----------
    T : int >= 1
        Number of training inputs.
    M : int, optional
        Width; ``lambda_max`` and ``lr_bound = 2/λ_max`` need it.
    q_in, q_in_st : real
        ``q̂^0 = ‖x‖²/n_0`` and ``q̂^0_st = x(s)·x(t)/n_0``; the KAA inputs
        ``x_i ~ N(0, 1)`` give ``1`` and ``0`` (the defaults).
    dps : int or None

    Returns
    -------
    KAAResult

    Raises
    ------
    InvalidArgumentError
        For ``L = 1`` (``κ`` divide by ``L − 1``), ``T < 1`` or ``M < 1``.

    Examples
    --------
    Linear network, ``σ_w = 1, σ_b = 0``: ``q̂ = q̃ = 1`` and ``q̂_st = 0``
    so ``κ₁ = L/(L−1)``, ``κ₂ = 0``, ``λ_max = L M / T``:

    >>> import freealg
    >>> r = freealg.MLP(3, "linear", sigma_w=1.0).fim_meanfield(T=4, M=100)
    >>> r.kappa1, r.kappa2, r.lambda_max, r.lr_bound
    (1.5, 0.0, 75.0, 0.02666666666666667)
    """
    L = net.depth
    if L < 2:
        raise InvalidArgumentError(
            "the KAA order parameters divide by L - 1; need depth >= 2, got depth = 1"
        )
    for value, name, what in ((T, "T", "number of samples"), (M, "M", "width")):
        if value is None and name == "M":
            continue
        try:
            check_int(value, name, minimum=1)
        except InvalidArgumentTypeError:
            raise
        except InvalidArgumentError:
            raise InvalidArgumentError(
                f"{name} ({what}) must be a positive integer; got {value!r}") from None
    _check_q_in(q_in)
    qis = float(check_real(q_in_st, "q_in_st"))
    if abs(qis) > float(q_in) * (1 + 1e-12):
        raise InvalidArgumentError(
            f"q_in_st must satisfy |q_in_st| <= q_in (a covariance); got {q_in_st!r} with q_in = {q_in!r}"
        )
    eng = _Eng(dps)
    act = net.activation
    with eng.ctx():
        sw2, sb2 = _sig(net, eng)
        qhat, qhat_st = [eng.num(q_in)], [eng.num(q_in_st)]
        q, q_st = [], []
        for ell in range(1, L + 1):
            a = sw2 * qhat[-1] + sb2
            b = sw2 * qhat_st[-1] + sb2
            q.append(a)
            q_st.append(b)
            if ell < L:
                qhat.append(eng.E(act, "phi2", a))
                qhat_st.append(eng.E2(act, "phi", a, b, a))
        qt, qt_st = [eng.num(1)], [eng.num(1)]
        for ell in range(L - 1, 0, -1):
            a, b = q[ell - 1], q_st[ell - 1]
            qt.append(qt[-1] * sw2 * eng.E(act, "dphi2", a))
            qt_st.append(qt_st[-1] * sw2 * eng.E2(act, "dphi", a, b, a))
        qt.reverse()
        qt_st.reverse()
        k1 = sum(qt[i] * qhat[i] for i in range(L)) / (L - 1)
        k2 = sum(qt_st[i] * qhat_st[i] for i in range(L)) / (L - 1)
        Tn = eng.num(T)
        per_m = (L - 1) * ((Tn - 1) / Tn * k2 + k1 / Tn)
        lam = per_m * eng.num(M) if M is not None else None
        lr = 2 / lam if lam is not None and lam != 0 else (eng.inf if lam == 0 else None)
        d = eng.done
        return KAAResult(d(k1), d(k2), d(per_m), None if lam is None else d(lam),
                         None if lr is None else d(lr, allow_inf=lam == 0),
                         [d(v) for v in q], [d(v) for v in q_st],
                         [d(v) for v in qhat], [d(v) for v in qhat_st],
                         [d(v) for v in qt], [d(v) for v in qt_st])
