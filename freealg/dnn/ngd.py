r"""Natural-gradient dynamics of wide networks in the NTK regime.

Natural gradient descent (NGD, Amari 1998) on the squared loss
``ℒ(θ) = (1/2N) Σ_n (f(x_n; θ) − y_n)²`` over ``N`` training inputs, one
output (``C = 1``), updates ``θ ← θ − η G⁻¹ ∇ℒ`` with ``∇ℒ = Jᵀ(f − y)/N``
(``J`` the ``N × P`` parameter Jacobian on the training set) and a
Fisher-type matrix ``G``.  Linearised around the initial parameters (the
NTK regime: widths → ∞), the outputs follow

    ``f_{t+1} = f_t − η Θ̄ (f_t − y)``,  ``Θ̄ = J G⁻¹ Jᵀ / N``,

and on a test input ``x′`` the outputs move by ``−η Θ̄(x′, x)(f_t − y)``.
Karakida & Osawa (2020) show that for the exact Fisher information and for
several of its approximations ``Θ̄`` is *isotropic* on the training set,
``Θ̄ = α I``, so every training residual contracts by the same factor
``1 − ηα`` per step and ``η = 1/α`` converges in one step.
:func:`ngd_alpha` gives ``α``, :func:`ngd_train_predictions` the closed-form
trajectory, :func:`ngd_converges` and :func:`ngd_optimal_eta` the step-size
condition.

Conventions (they fix the values of ``α``):

* ``G`` is normalised by ``N``: the exact Fisher information (Gauss–Newton
  matrix of the squared loss, ``C = 1``) is ``F = JᵀJ/N``; an approximation
  replaces blocks of ``F``.  Inverses are the damping limit ``ρ → 0`` of
  ``(G + ρI)⁻¹`` applied to vectors in the range of ``Jᵀ``, i.e. the
  pseudo-inverse (needs ``N ≤`` the number of parameters of each block and
  the Gram matrices ``J_b J_bᵀ`` of the blocks invertible).
* ``L`` counts the trained weight matrices ``W_1..W_L`` including the
  readout ``W_L`` (``L − 1`` hidden layers of width ``M``); a bias, if
  trained, belongs to the block of its layer.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._utils.validate import (
    MAX_DEPTH,
    check_choice,
    check_finite_array,
    check_int,
    check_real,
    describe,
)
from ..errors import FloatRangeError, InvalidArgumentError
from ._records import result_record

__all__ = [
    "NGD_METHODS",
    "NGDPrediction",
    "ngd_alpha",
    "ngd_converges",
    "ngd_optimal_eta",
    "ngd_train_predictions",
]

#: The Fisher approximations :func:`ngd_alpha` knows.
NGD_METHODS = ("exact", "layer", "kfac", "unit")

#: Largest number of NGD steps :func:`ngd_train_predictions` evaluates in one call.
MAX_STEPS = 10**9

NGDPrediction = result_record(
    "NGDPrediction",
    ["train", "test"],
    """Outputs of NGD after ``t`` steps (:func:`ngd_train_predictions`).

``train`` has shape ``(N,)`` (or ``(T, N)`` for ``T`` step counts), ``test``
shape ``(N′,)`` (or ``(T, N′)``).

Parameters
----------
train : numpy.ndarray
    Outputs on the training inputs.
test : numpy.ndarray
    Outputs on the test inputs.
""",
    """
>>> import numpy as np
>>> from freealg.dnn import NGDPrediction
>>> p = NGDPrediction(train=np.array([1.0, -1.0]), test=np.array([0.5]))
>>> p.train, p.test
(array([ 1., -1.]), array([0.5]))
""",
)


def ngd_alpha(method, *, depth, width=None, n_samples=None, activation="relu"):
    r"""The isotropy constant ``α`` of ``Θ̄ = J G⁻¹ Jᵀ / N = α I`` on the
    training set (Karakida & Osawa 2020), one output ``C = 1``.

    ========== ======================= ==========================================
    method     ``G``                   ``α``
    ========== ======================= ==========================================
    "exact"    ``F = JᵀJ/N``           ``1``
    "layer"    blocks ``J_ℓᵀJ_ℓ/N``    ``L``
    "kfac"     ``A_{ℓ−1} ⊗ B_ℓ``       ``N(L − 1) + 1``
    "unit"     blocks per unit         ``M(L − 1)/2`` (ReLU, leading order)
    ========== ======================= ==========================================

    Why (with the pseudo-inverse, see the module notes):

    * exact: ``J(JᵀJ)⁺Jᵀ`` is the projector onto the range of ``J``, the
      identity when ``JJᵀ`` is invertible — at any width;
    * layer-wise: the sum of ``L`` such projectors, ``J_ℓ(J_ℓᵀJ_ℓ)⁺J_ℓᵀ = I``
      when each ``J_ℓJ_ℓᵀ`` is invertible — an algebraic identity;
    * K-FAC (Martens & Grosse 2015): ``A_{ℓ−1} = X_{ℓ−1}X_{ℓ−1}ᵀ/N`` (layer
      inputs as columns) and ``B_ℓ = Δ_ℓΔ_ℓᵀ/N`` (backward signals
      ``∂f/∂h_ℓ``); layer ``ℓ`` contributes ``N (P_X ∘ P_Δ)`` with the
      ``N × N`` projectors ``P_X = Xᵀ(XXᵀ)⁺X``, ``P_Δ = Δᵀ(ΔΔᵀ)⁺Δ``.  For a
      hidden layer both are ``I`` when ``N ≤ M`` (and ``N ≤ M_0`` with
      linearly independent inputs for ``ℓ = 1``), giving ``N I``; for the
      readout ``Δ_L`` is the row of ones, ``P_Δ = 11ᵀ/N``, and the block is
      exact, giving ``I``.  Hence ``α = N(L − 1) + 1`` for ``C = 1`` (the
      ``NL`` one reads off counting the readout like a hidden layer does not
      hold for a single output: the test suite computes the K-FAC ``Θ̄`` of
      a finite network and finds ``N(L − 1) + 1``);
    * unit-wise (one block per unit's incoming weights, ReLU): the block of
      hidden unit ``i`` gives the projector ``diag(1[h_i(x_n) > 0])``, so
      ``Θ̄`` is diagonal with entries ``1 + #{active hidden units on x_n}``,
      of mean ``M(L − 1)/2 + 1`` (each ReLU unit is active with probability
      1/2) and relative spread ``O(1/√M)``.  The value returned is the
      paper's leading order ``M(L − 1)/2``; isotropy holds only as
      ``M → ∞``.

    Parameters
    ----------
    method : {"exact", "layer", "kfac", "unit"}
    depth : int
        ``L``, the number of trained weight matrices (readout included).
    width : int, optional
        ``M``, the hidden width; required for ``"unit"``; with ``"kfac"``
        it is checked that ``N ≤ M``.
    n_samples : int, optional
        ``N``, the number of training inputs; required for ``"kfac"``.
    activation : str
        Only checked for ``"unit"``, where only ``"relu"`` is covered.

    Returns
    -------
    int or fractions.Fraction
        Exact: an ``int``, or a ``Fraction`` when ``M(L − 1)`` is odd.

    Raises
    ------
    InvalidArgumentError
        An unknown method, a missing ``width`` / ``n_samples``,
        ``"kfac"`` with ``n_samples > width``, a
        non-ReLU activation with ``"unit"``, or ``"unit"`` with ``depth = 1``
        (no hidden units: the paper's formula gives ``α = 0``); ``depth``,
        ``width`` or ``n_samples`` below 1.
    InvalidArgumentTypeError
        A ``method`` that is not a string, or a non-integer ``depth``,
        ``width`` or ``n_samples``.
    TooLargeError
        ``depth > 100000``.

    Examples
    --------
    >>> from freealg.dnn import ngd_alpha
    >>> ngd_alpha("exact", depth=3), ngd_alpha("layer", depth=3)
    (1, 3)
    >>> ngd_alpha("kfac", depth=3, n_samples=6)          # 6·2 + 1
    13
    >>> ngd_alpha("unit", depth=3, width=301)            # 301·2/2
    301
    >>> ngd_alpha("unit", depth=2, width=301)            # 301·1/2
    Fraction(301, 2)

    References
    ----------
    R. Karakida and K. Osawa, "Understanding approximate Fisher information
    for fast convergence of natural gradient descent in wide neural
    networks", NeurIPS 2020.  S. Amari, "Natural gradient works efficiently
    in learning", Neural Computation 10 (1998).
    """
    method = check_choice(method, "method", NGD_METHODS)
    depth = check_int(depth, "depth", minimum=1, maximum=MAX_DEPTH,
                      hint="the NTK-regime values need no deeper network")
    if width is not None:
        width = check_int(width, "width", minimum=1)
    if method == "exact":
        return 1
    if method == "layer":
        return depth
    if method == "kfac":
        if n_samples is None:
            raise InvalidArgumentError(
                "n_samples is required for method='kfac': the K-FAC isotropy constant "
                "N(L - 1) + 1 depends on the number N of training inputs; pass n_samples=N"
            )
        n = check_int(n_samples, "n_samples", minimum=1)
        if width is not None and depth > 1 and n > width:
            raise InvalidArgumentError(
                f"method='kfac' with n_samples={n} > width={width}: the Kronecker factors of a hidden "
                "layer have rank <= M < N, so Theta_bar is not isotropic (the result needs N <= M); "
                "use method='layer' (alpha = L) or more width"
            )
        return n * (depth - 1) + 1
    # unit-wise
    if width is None:
        raise InvalidArgumentError(
            "width is required for method='unit': the unit-wise isotropy constant M(L - 1)/2 "
            "grows with the hidden width M; pass width=M"
        )
    m = width
    if not isinstance(activation, str) or activation.lower() != "relu":
        raise InvalidArgumentError(
            f"method='unit' is covered for activation='relu' only (each unit active with "
            f"probability 1/2 gives alpha = M(L - 1)/2); got activation={describe(activation)}. "
            "Use method='exact' or 'layer', which hold for any activation"
        )
    if depth < 2:
        raise InvalidArgumentError(
            "method='unit' needs depth >= 2 (at least one hidden layer): with depth=1 the "
            "formula M(L - 1)/2 gives alpha = 0, while the single readout block is the exact "
            "Fisher information (use method='exact', alpha = 1)"
        )
    value = Fraction(m * (depth - 1), 2)
    return int(value) if value.denominator == 1 else value


def ngd_converges(eta, alpha):
    r"""Whether NGD with ``Θ̄ = αI`` converges on the training set:
    ``0 < ηα < 2`` (the residual factor ``|1 − ηα| < 1``).

    At ``ηα = 2`` the residual flips sign forever without shrinking; above it
    it grows geometrically.

    Parameters
    ----------
    eta : real
        The learning rate ``η``.
    alpha : real, > 0
        The isotropy constant (:func:`ngd_alpha`).

    Returns
    -------
    bool

    Raises
    ------
    InvalidArgumentTypeError
        A non-numeric ``eta`` or ``alpha``.
    InvalidArgumentError
        A non-finite ``eta`` or ``alpha``, or ``alpha <= 0``.

    Examples
    --------
    >>> from freealg.dnn import ngd_converges
    >>> ngd_converges(0.5, 3), ngd_converges(2/3, 3), ngd_converges(1, 3)
    (True, False, False)
    """
    eta = check_real(eta, "eta")
    alpha = check_real(alpha, "alpha", positive=True)
    prod = eta * alpha
    return bool(0 < prod < 2)


def ngd_optimal_eta(alpha):
    r"""The one-step learning rate ``η = 1/α``: then ``1 − ηα = 0`` and the
    training outputs equal ``y`` after one step (in the NTK limit).

    Exact input stays exact (an ``int`` gives a ``Fraction``).

    Parameters
    ----------
    alpha : real > 0
        The isotropy constant (:func:`ngd_alpha`).

    Returns
    -------
    fractions.Fraction, float or sympy number
        ``1/α`` in the kind of ``α`` (an ``int`` gives a ``Fraction``).

    Raises
    ------
    InvalidArgumentTypeError
        A non-numeric ``alpha``.
    InvalidArgumentError
        ``alpha <= 0`` or not finite.

    Examples
    --------
    >>> from freealg.dnn import ngd_optimal_eta
    >>> ngd_optimal_eta(3), ngd_optimal_eta(2.5)
    (Fraction(1, 3), 0.4)
    """
    alpha = check_real(alpha, "alpha", positive=True)
    if isinstance(alpha, int):
        return Fraction(1, alpha)
    return 1 / alpha


def _check_steps(steps):
    if isinstance(steps, (list, tuple, np.ndarray)):
        arr = np.asarray(steps)
        if arr.ndim != 1 or arr.size == 0:
            raise InvalidArgumentError(
                f"steps must be an integer or a non-empty 1-D sequence of integers; got shape {arr.shape}"
            )
        return [check_int(s, f"steps[{k}]", minimum=0, maximum=MAX_STEPS) for k, s in enumerate(arr.tolist())], True
    return [check_int(steps, "steps", minimum=0, maximum=MAX_STEPS)], False


def ngd_train_predictions(theta_bar_test_train, alpha, y, f0_train, f0_test, eta, steps):
    r"""The NGD function-space trajectory with ``Θ̄ = αI`` on the training set.

    Solving ``f_{t+1} = f_t − η Θ̄ (f_t − y)`` (module notes) with
    ``Θ̄(x, x) = αI``:

    * training set: ``f_t = y + (1 − ηα)^t (f_0 − y)``;
    * test inputs: ``f_t(x′) = f_0(x′) + Θ̄(x′, x) Θ̄⁻¹ (I − (I − ηΘ̄)^t)(y − f_0)
      = f_0(x′) + Θ̄(x′, x)(y − f_0) (1 − (1 − ηα)^t)/α``.

    Parameters
    ----------
    theta_bar_test_train : array_like, shape ``(N′, N)``
        ``Θ̄(x′, x) = J(x′) G⁻¹ J(x)ᵀ / N`` between test and training inputs.
    alpha : real, > 0
        ``Θ̄(x, x) = αI`` (:func:`ngd_alpha`).
    y, f0_train : array_like, shape ``(N,)``
        Targets and initial outputs on the training inputs.
    f0_test : array_like, shape ``(N′,)``
        Initial outputs on the test inputs.
    eta : real
        Learning rate.
    steps : int or 1-D sequence of int
        Number(s) of NGD steps ``t ≥ 0``.

    Returns
    -------
    NGDPrediction
        ``(train, test)``; with a sequence of ``T`` step counts the arrays
        gain a leading axis of length ``T``.

    Raises
    ------
    FloatRangeError
        ``|1 − ηα|^t`` overflows float64 (a divergent ``η`` run for many
        steps): check :func:`ngd_converges` or lower ``steps``.
    InvalidArgumentError
        ``alpha <= 0``, non-finite numbers, arrays of mismatched shapes
        (``y`` not 1-D, ``f0_train`` not of the shape of ``y``,
        ``theta_bar_test_train`` not ``(len(f0_test), len(y))``), or a
        negative or empty ``steps``.
    InvalidArgumentTypeError
        Non-numeric arrays, ``alpha`` or ``eta``, or non-integer steps.
    TooLargeError
        A step count above ``10**9``.

    Examples
    --------
    Two training points, ``α = 2``, ``η = 1/4`` (factor ``1 − ηα = 1/2``):

    >>> import numpy as np
    >>> from freealg.dnn import ngd_train_predictions
    >>> p = ngd_train_predictions([[1.0, 0.0]], 2, y=[1.0, -1.0], f0_train=[0.0, 0.0],
    ...                           f0_test=[0.5], eta=0.25, steps=[0, 1, 2])
    >>> p.train                 # y + (1/2)^t (f0 - y)
    array([[ 0.  ,  0.  ],
           [ 0.5 , -0.5 ],
           [ 0.75, -0.75]])
    >>> p.test.ravel()          # 0.5 + 1·(1 - 0)·(1 - (1/2)^t)/2
    array([0.5  , 0.75 , 0.875])
    """
    alpha = check_real(alpha, "alpha", positive=True)
    eta = check_real(eta, "eta")
    y = check_finite_array(y, "y")
    f0_train = check_finite_array(f0_train, "f0_train")
    f0_test = check_finite_array(f0_test, "f0_test")
    kxX = check_finite_array(theta_bar_test_train, "theta_bar_test_train")
    if y.ndim != 1:
        raise InvalidArgumentError(f"y must be 1-D (one output per training input); got shape {y.shape}")
    n = y.shape[0]
    if f0_train.shape != (n,):
        raise InvalidArgumentError(f"f0_train must have the shape of y, ({n},); got {f0_train.shape}")
    if f0_test.ndim != 1:
        raise InvalidArgumentError(f"f0_test must be 1-D; got shape {f0_test.shape}")
    if kxX.shape != (f0_test.shape[0], n):
        raise InvalidArgumentError(
            f"theta_bar_test_train must have shape (len(f0_test), len(y)) = ({f0_test.shape[0]}, {n}); "
            f"got {kxX.shape}"
        )
    step_list, many = _check_steps(steps)
    a, e = float(alpha), float(eta)
    r = 1.0 - e * a
    factors = []
    for t in step_list:
        if r != 0 and abs(r) > 1 and t * math.log(abs(r)) > 700:
            raise FloatRangeError(
                f"(1 - eta*alpha)^t = ({r!r})^{t} overflows float64 (eta={eta!r}, alpha={alpha!r}): "
                f"the run diverges (eta*alpha = {e * a!r} is not in (0, 2)); use fewer steps or "
                "a learning rate with ngd_converges(eta, alpha) true"
            )
        factors.append(r ** t)
    fac = np.array(factors)
    resid = f0_train - y
    train = y[None, :] + fac[:, None] * resid[None, :]
    test = f0_test[None, :] - (kxX @ resid)[None, :] * ((1.0 - fac) / a)[:, None]
    if not (np.isfinite(train).all() and np.isfinite(test).all()):
        raise FloatRangeError(
            "the NGD predictions overflow float64 (inputs too large for the divergent run); "
            "use fewer steps or rescale y and f0"
        )
    if not many:
        return NGDPrediction(train[0], test[0])
    return NGDPrediction(train, test)
