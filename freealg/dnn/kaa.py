r"""Karakida–Akaho–Amari mean-field Fisher information (AISTATS 2019).

See :func:`fim_meanfield`; the definitions of the order parameters are in
the :mod:`freealg.dnn.meanfield` module docstring.  The empirical FIM of a
sampled network (:func:`empirical_fim_eigenvalues`, with ``MAX_GRAM``) lives
in :mod:`freealg.dnn.empirical_fim` and is importable from here.
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_int, check_real
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError
from ._records import result_record
from ._mf_engine import _Eng, _check_q_in, _guarded, _sig
from .empirical_fim import MAX_GRAM, _logits_array, _psd_sqrt, _softmax_q, empirical_fim_eigenvalues

__all__ = ["fim_meanfield", "KAAResult", "fim_meanfield_outputs", "KAAOutputsResult",
           "fim_mean_subtracted_bounds", "KAAMeanSubtractedResult",
           "empirical_fim_eigenvalues", "fim_meanfield_cross_entropy"]


KAAResult = result_record(
    "KAAResult",
    ["kappa1", "kappa2", "lambda_max_per_M", "lambda_max", "lr_bound",
     "q", "q_st", "qhat", "qhat_st", "qtilde", "qtilde_st"],
    """Karakida–Akaho–Amari mean-field FIM quantities.

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
""",
    """
Linear network, ``σ_w = 1``: ``κ₁ = L/(L − 1) = 3/2``, ``κ₂ = 0``:

>>> import freealg
>>> r = freealg.MLP(3, "linear", sigma_w=1.0).fim_meanfield(T=4, M=100)
>>> r.kappa1, r.kappa2, r.lambda_max_per_M, r.lambda_max
(1.5, 0.0, 0.75, 75.0)
>>> r.qtilde
[1.0, 1.0, 1.0]
""",
    built_by="fim_meanfield",
)


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
    net : freealg.MLP
        Depth ``L >= 2``.
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


# ---------------------------------------------------------------------------
# Extensions: C outputs, last-layer mean subtraction, cross-entropy loss
# (Karakida, Akaho & Amari, AISTATS 2019 and NeurIPS 2019)
# ---------------------------------------------------------------------------

KAAOutputsResult = result_record(
    "KAAOutputsResult",
    ["C", "alpha", "kappa1", "kappa2", "lambda_max_per_M", "lambda_max", "degeneracy",
     "mean_eigenvalue", "second_moment", "lr_bound"],
    """Mean-field FIM statistics of a network with ``C`` outputs.

Attributes
----------
C
    Number of outputs.
alpha
    ``α = L − 1`` (equal widths ``M`` for the input and hidden layers).
kappa1, kappa2
    The order parameters κ₁, κ₂ (as in :func:`fim_meanfield`).
lambda_max_per_M, lambda_max
    ``α((T − 1)/T κ₂ + κ₁/T)`` and that times ``M``; the same as for ``C = 1``.
degeneracy
    ``C``: the largest eigenvalue is ``C``-fold degenerate to leading order.
mean_eigenvalue
    ``m_λ = C κ₁ / M`` (None without M).
second_moment
    ``s_λ = C α((T − 1)/T κ₂² + κ₁²/T)`` (independent of M to leading order).
lr_bound
    ``2 / lambda_max`` (None without M, +inf when lambda_max = 0).
""",
    """
>>> import freealg
>>> from freealg.dnn.kaa import fim_meanfield_outputs
>>> r = fim_meanfield_outputs(freealg.MLP(3, "linear"), T=4, C=10, M=100)
>>> r.C, r.alpha, r.kappa1, r.degeneracy
(10, 2, 1.5, 10)
""",
    built_by="fim_meanfield_outputs",
)


def _check_count(value, name, what):
    try:
        return check_int(value, name, minimum=1)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"{name} ({what}) must be a positive integer; got {value!r}") from None


def fim_meanfield_outputs(net, T, C, *, M=None, q_in=1, q_in_st=0, dps=None):
    r"""Mean-field FIM statistics with ``C`` outputs (Karakida, Akaho & Amari, AISTATS 2019).

    The FIM of a network with ``C`` linear outputs ``f_k = u_k^L`` on ``T``
    inputs is ``F = (1/T) Σ_t J_tᵀ J_t`` (``J_t`` the ``C × P`` parameter
    Jacobian at input ``t``).  Its non-zero spectrum is that of the dual
    ``CT × CT`` Gram matrix ``G/T``, ``G_{(s,k),(t,k')} = ∇f_k(s)·∇f_{k'}(t)``;
    to leading order in ``M``, ``G = M α[(κ₁ − κ₂) I_T + κ₂ 11ᵀ] ⊗ I_C``
    (different outputs have orthogonal gradients up to ``O(√M)``).  Hence

    * ``λ_max ≈ α((T − 1)/T κ₂ + κ₁/T) M``, ``C``-fold degenerate, with the
      eigenvectors ``E_t[∇f_k]``, ``k = 1..C``; the next eigenvalues are
      ``α(κ₁ − κ₂) M/T`` (``C(T − 1)``-fold);
    * ``m_λ = Tr F / P ≈ C κ₁ / M`` (``P ≈ α M²`` weights);
    * ``s_λ = Tr F² / P ≈ C α((T − 1)/T κ₂² + κ₁²/T)``.

    Relative corrections: ``O(1/√M)`` from the fluctuations of the Gram
    entries at finite width and ``O(1/M)`` from the biases and the last layer.

    Parameters
    ----------
    net : freealg.MLP
        Depth ``L ≥ 2``; widths ``M_0 = … = M_{L−1} = M`` are assumed.
    T, C : int >= 1
        Number of inputs and of outputs.
    M : int, optional
        Width (``lambda_max``, ``mean_eigenvalue`` and ``lr_bound`` need it).
    q_in, q_in_st, dps
        As in :func:`fim_meanfield`.

    Returns
    -------
    KAAOutputsResult

    Raises
    ------
    InvalidArgumentError
        ``depth = 1`` (κ divides by ``L − 1``), a count (``T``, ``C``, ``M``)
        below 1, ``q_in < 0`` or ``|q_in_st| > q_in``.
    InvalidArgumentTypeError
        A non-integer count, non-numeric ``q_in``/``q_in_st``, or ``net``
        not an :class:`freealg.MLP`.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine overflows; pass ``dps``.

    Examples
    --------
    Linear network, ``σ_w = 1``: ``κ₁ = L/(L−1)``, ``κ₂ = 0``:

    >>> import freealg
    >>> from freealg.dnn.kaa import fim_meanfield_outputs
    >>> r = fim_meanfield_outputs(freealg.MLP(3, "linear"), T=4, C=10, M=100)
    >>> r.lambda_max, r.degeneracy, r.mean_eigenvalue, r.second_moment
    (75.0, 10, 0.15, 11.25)
    """
    C = _check_count(C, "C", "number of outputs")
    base = fim_meanfield(net, T, M=M, q_in=q_in, q_in_st=q_in_st, dps=dps)
    k1, k2 = base.kappa1, base.kappa2
    alpha = net.depth - 1
    mean = C * k1 / M if M is not None else None
    second = C * alpha * ((T - 1) * k2 * k2 + k1 * k1) / T
    return KAAOutputsResult(C, alpha, k1, k2, base.lambda_max_per_M, base.lambda_max, C,
                            mean, second, base.lr_bound)


KAAMeanSubtractedResult = result_record(
    "KAAMeanSubtractedResult",
    ["rho", "lower", "upper", "lambda_max_plain", "lr_necessary", "lr_sufficient"],
    """Bounds on λ_max of the FIM with last-layer mean subtraction.

Attributes
----------
rho
    ``ρ = M/T``.
lower, upper
    ``ρα(κ₁ − κ₂) + c₁ ≤ λ_max ≤ √((Cα²ρ(κ₁ − κ₂)² + c₂) M)``.
lambda_max_plain
    ``α((T − 1)/T κ₂ + κ₁/T) M``, the leading λ_max without normalisation.
lr_necessary
    ``2 / lower``: gradient descent can only be stable for ``η < 2/λ_max ≤ 2/lower``.
lr_sufficient
    ``2 / upper``: every ``η < 2/upper`` satisfies the stability condition ``η < 2/λ_max``.
""",
    """
>>> import freealg
>>> from freealg.dnn.kaa import fim_mean_subtracted_bounds
>>> b = fim_mean_subtracted_bounds(freealg.MLP(3, "linear"), T=25, C=1, M=100)
>>> b.lr_necessary, b.lr_sufficient                  # 2/12, 2/60
(0.16666666666666666, 0.03333333333333333)
""",
    built_by="fim_mean_subtracted_bounds",
)


def fim_mean_subtracted_bounds(net, T, C, M, *, c1=0, c2=0, q_in=1, q_in_st=0, dps=None):
    r"""λ_max bounds with mean subtraction in the last layer
    (Karakida, Akaho & Amari, NeurIPS 2019, "The normalization method for
    alleviating pathological sharpness in wide neural networks").

    The outputs are replaced by ``f̄_k(t) = f_k(t) − (1/T) Σ_s f_k(s)`` (batch
    normalisation of the last layer with its mean subtraction only).  The mean
    gradients ``E_t[∇f̄_k]`` vanish, which removes the ``O(M)`` outliers, and

        ``ρα(κ₁ − κ₂) + c₁ ≤ λ_max ≤ √((C α² ρ (κ₁ − κ₂)² + c₂) M)``,
        ``ρ = M/T``,

    for ``M`` and ``T`` large at fixed ``ρ``: ``λ_max`` drops from ``Θ(M)`` to
    at most ``O(√M)``.  Mechanism: to leading order the centred Gram matrix is
    ``M α (κ₁ − κ₂)(I_T − 11ᵀ/T) ⊗ I_C``, whose non-zero eigenvalues divided by
    ``T`` all equal ``ρα(κ₁ − κ₂)``; the lower bound is ``Σλ²/Σλ`` and the
    upper one ``√(Σλ²)``.  ``c₁, c₂ ≥ 0`` are constants independent of ``M``
    (the ``O(√M)`` fluctuations of the Gram entries).  With the defaults
    ``c₁ = c₂ = 0`` the lower value is the leading term (a valid lower bound
    since ``c₁ ≥ 0``); the upper value is then the leading term only and is not
    guaranteed; pass an estimate of ``c₂`` for a strict bound.

    Parameters
    ----------
    net : freealg.MLP
        Depth ``L ≥ 2``.
    T, C, M : int >= 1
        Samples, outputs, width.
    c1, c2 : real >= 0
        The constants of the bounds.
    q_in, q_in_st, dps
        As in :func:`fim_meanfield`.

    Returns
    -------
    KAAMeanSubtractedResult

    Raises
    ------
    InvalidArgumentError
        ``depth = 1`` (κ divides by ``L − 1``), a count (``T``, ``C``, ``M``)
        below 1, ``q_in < 0`` or ``|q_in_st| > q_in``, ``c1 < 0`` or ``c2 < 0``.
    InvalidArgumentTypeError
        A non-integer count, non-numeric ``q_in``/``q_in_st``, or ``net``
        not an :class:`freealg.MLP`.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine overflows; pass ``dps``.

    Examples
    --------
    Linear network (``κ₁ − κ₂ = 3/2``), ``M = 100``, ``T = 25`` (``ρ = 4``):

    >>> import freealg
    >>> from freealg.dnn.kaa import fim_mean_subtracted_bounds
    >>> b = fim_mean_subtracted_bounds(freealg.MLP(3, "linear"), T=25, C=1, M=100)
    >>> b.rho, b.lower, b.upper, b.lambda_max_plain
    (4.0, 12.0, 60.0, 12.0)
    """
    C = _check_count(C, "C", "number of outputs")
    M = _check_count(M, "M", "width")
    c1 = check_real(c1, "c1", nonnegative=True)
    c2 = check_real(c2, "c2", nonnegative=True)
    base = fim_meanfield(net, T, M=M, q_in=q_in, q_in_st=q_in_st, dps=dps)
    alpha = net.depth - 1
    gap = base.kappa1 - base.kappa2
    rho = base.kappa1 * 0 + M / T  # keeps the numeric kind of the order parameters
    lower = rho * alpha * gap + c1
    upper = ((C * alpha * alpha * rho * gap * gap + c2) * M) ** 0.5
    inf = base.kappa1 * 0 + float("inf")
    return KAAMeanSubtractedResult(rho, lower, upper, base.lambda_max,
                                   2 / lower if lower != 0 else inf,
                                   2 / upper if upper != 0 else inf)


def fim_meanfield_cross_entropy(net, logits, M, *, q_in=1, q_in_st=0, dps=None):
    r"""Leading-order (in ``M``) FIM eigenvalues for the cross-entropy loss,
    given the network's logits on the ``T`` inputs.

    For the softmax output ``g = softmax(f)`` the FIM is
    ``F = (1/T) Σ_t J_tᵀ Q_t J_t`` with ``Q_t = diag(g(t)) − g(t)g(t)ᵀ``
    (Karakida, Akaho & Amari, "Pathological spectra of the Fisher information
    metric and its variants in deep neural networks", arXiv:1910.05992: the
    largest ``C`` eigenvalues are ``O(M)``).  Replacing the Gram matrix
    ``J Jᵀ`` by its mean-field value ``M α[(κ₁ − κ₂) I_T + κ₂ 11ᵀ] ⊗ I_C``
    (as in :func:`fim_meanfield_outputs`) gives the non-zero spectrum of
    ``(M α / T) Q^{1/2}[(κ₁ − κ₂) I + κ₂ (11ᵀ ⊗ I_C)] Q^{1/2}``,
    ``Q = ⊕_t Q_t``: every eigenvalue is proportional to ``M`` at fixed logits.
    Because ``Q_t 1 = 0`` the leading ``κ₂`` part has rank ``C − 1``, with
    eigenvalues ``M α κ₂ eig(Q̄)``, ``Q̄ = (1/T) Σ_t Q_t``, to which the
    ``(κ₁ − κ₂)/T`` part adds ``O(M/T)``.  The logits are ``O(1)`` random
    quantities at initialisation, so this is a conditional statement; relative
    corrections are ``O(1/√M)``.

    Parameters
    ----------
    net : freealg.MLP
        Depth ``L ≥ 2``.
    logits : array of shape ``(T, C)``
    M : int >= 1
        Width.
    q_in, q_in_st, dps
        As in :func:`fim_meanfield` (the order parameters are computed in
        floats for the eigenproblem).

    Returns
    -------
    ndarray
        The ``C·T`` eigenvalues in decreasing order.

    Raises
    ------
    InvalidArgumentError
        ``depth = 1`` (κ divides by ``L − 1``), a count (``T``, ``C``, ``M``)
        below 1, ``q_in < 0`` or ``|q_in_st| > q_in``, or ``logits``
        that is not a 2-D array of finite numbers.
    InvalidArgumentTypeError
        A non-integer count, non-numeric ``q_in``/``q_in_st``, or ``net``
        not an :class:`freealg.MLP`.
    TooLargeError
        ``dps > 1000`` or ``C·T > MAX_GRAM`` (8000).
    FloatRangeError
        The float engine overflows; pass ``dps``.

    Examples
    --------
    Linear network (``κ₁ = 3/2``, ``κ₂ = 0``) with one sample of zero logits,
    ``C = 2``: ``Q = [[1/4, −1/4], [−1/4, 1/4]]`` so the eigenvalues are
    ``M α κ₁ · (1/2, 0)``:

    >>> import freealg
    >>> from freealg.dnn.kaa import fim_meanfield_cross_entropy
    >>> fim_meanfield_cross_entropy(freealg.MLP(3, "linear"), [[0.0, 0.0]], M=100).round(12)
    array([150.,   0.])
    """
    arr = _logits_array(logits)
    T, C = arr.shape
    if C * T > MAX_GRAM:
        raise TooLargeError(
            f"C*T = {C * T} exceeds MAX_GRAM = {MAX_GRAM}; use fewer samples or outputs")
    base = fim_meanfield(net, T, M=M, q_in=q_in, q_in_st=q_in_st, dps=dps)
    k1, k2 = float(base.kappa1), float(base.kappa2)
    alpha = net.depth - 1
    g0 = np.kron((k1 - k2) * np.eye(T) + k2 * np.ones((T, T)), np.eye(C))
    r = _psd_sqrt(_softmax_q(arr))
    rb = np.zeros((T * C, T * C))
    for t in range(T):
        rb[t * C:(t + 1) * C, t * C:(t + 1) * C] = r[t]
    mat = rb @ g0 @ rb
    lam = np.linalg.eigvalsh((mat + mat.T) / 2) * (M * alpha / T)
    return lam[::-1].copy()
