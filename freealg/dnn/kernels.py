r"""Infinite-width kernels of an MLP (docs/theory.md §7; Lee et al. 2018, Jacot et al. 2018).

Input normalisation: the rows of ``X`` are inputs ``x ∈ R^{n_0}`` and the
input kernel is ``K^0(x, x') = x·x'/n_0``.  Pre-activation covariances
(the NNGP kernels) then follow (Lee et al. 2018)::

    Σ^1(x, x') = σ_w² K^0(x, x') + σ_b²,
    Σ^{ℓ+1}(x, x') = σ_w² E[phi(u) phi(u')] + σ_b²,   (u, u') ~ N(0, Σ^ℓ restricted to {x, x'}),

and the output ``f = h_L`` is a centred Gaussian process with covariance
``Σ^L``.  The neural tangent kernel in the NTK parameterisation
(``h_ℓ = σ_w W_ℓ x_{ℓ−1}/√n_{ℓ−1} + σ_b b_ℓ`` with standard normal ``W``,
``b``; Jacot et al. 2018) is::

    Θ^1 = Σ^1,    Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² Θ^ℓ E[phi'(u) phi'(u')],

and ``Θ^L`` is the output NTK.  The Gaussian expectations use closed forms
for relu/leaky_relu (arc-cosine), erf (arcsin) and linear, and otherwise
:meth:`freealg.activations.Activation.gaussian_expectation_2d` on all pairs
of a layer at once: Mehler's expansion over Hermite coefficients computed
once per input (certified truncation), and a 2-D product rule for the pairs
it cannot certify (correlations near 1 at large variance); relative error
``<= 1e-12`` against mpmath.  Identical inputs get exactly the diagonal.

Also here: the GP posterior (:func:`nngp_posterior`), NTK gradient-flow
predictions (:func:`ntk_predict`) and the Fan–Wang conjugate-kernel
recursion on moment sequences (:func:`conjugate_kernel_moments`).
"""

from __future__ import annotations

import math
from collections import namedtuple
from fractions import Fraction

import numpy as np

from .._utils.validate import (
    MAX_MOMENT_ORDER,
    check_finite_array,
    check_int,
    check_real,
    describe,
)
from ..activations import FloatRangeError
from ..cumulants import free_mul_moments
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError
from ._mf_engine import _Eng, _check_net, _guarded, _range_error, _sig

#: Largest number of inputs (rows of X) of a kernel matrix: an n x n float64
#: matrix and the 2-D quadrature's per-pair work must fit comfortably.
MAX_KERNEL_ROWS = 20_000
#: Largest number of times in one :func:`ntk_predict` call (one eigen-solve
#: product per time).
MAX_TIMES = 100_000

__all__ = [
    "nngp_kernel",
    "ntk_kernel",
    "nngp_posterior",
    "ntk_predict",
    "NTKPrediction",
    "conjugate_kernel_moments",
    "mlp_conjugate_kernel_moments",
    "mp_moments",
]


def _inputs(X, name, n0=None):
    if isinstance(X, (str, bytes)):
        raise InvalidArgumentTypeError(f"{name} must be a 2-D array of floats; got a string")
    try:
        X = check_finite_array(X, name)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(f"{name} has non-finite entries") from None
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InvalidArgumentError(
            f"{name} must be a 2-D array whose rows are inputs; got shape {X.shape}"
        )
    if X.shape[0] > MAX_KERNEL_ROWS:
        raise TooLargeError(
            f"{name} has {X.shape[0]} rows, more than the supported {MAX_KERNEL_ROWS} for an "
            "n x n kernel matrix; split the inputs into blocks and call the kernel per block "
            "(kernel(X_block, X2_block))"
        )
    if n0 is not None and X.shape[1] != n0:
        raise InvalidArgumentError(
            f"{name} has {X.shape[1]} columns but the net's input width is n_0 = {n0}"
        )
    return X


def _e2(act, which, s11, s12, s22, symmetric):
    """E2 over a matrix of pairs; on the numeric path only the strict upper
    triangle of a symmetric matrix is computed (the diagonal is left 0: the
    caller pins it to the 1-D diagonal recursion)."""
    if act.closed_form_2d or not symmetric:
        return act.gaussian_expectation_2d(which, s11[:, None], s12, s22[None, :])
    n = s12.shape[0]
    iu, ju = np.triu_indices(n, k=1)
    out = np.zeros((n, n))
    if iu.size:
        vals = act.gaussian_expectation_2d(which, s11[iu], s12[iu, ju], s22[ju])
        out[iu, ju] = vals
        out[ju, iu] = vals
    return out


def _finite_layer(net, ell, *arrays):
    """Every array finite, else an error naming the layer (float overflow)."""
    for a in arrays:
        if a is not None and not np.all(np.isfinite(a)):
            raise _range_error(
                net, f"the layer-{ell} kernel overflows float64 (inf/nan entries)",
                hint=_KERNEL_HINT)


_KERNEL_HINT = ("the kernels are computed in float64: keep sigma_w**2 and sigma_b**2 normal "
                "floats (1.5e-154 <= sigma_w, sigma_b <= 1.3e154) and every Sigma^l below "
                "~1e308 (fewer layers, a smaller sigma_w in the chaotic phase, or rescaled "
                "inputs)")


def _sig_float(net):
    try:
        return _sig(net, _Eng(None))
    except FloatRangeError as exc:
        detail = str(exc).split("; the float engine")[0]
        raise FloatRangeError(f"{detail}; {_KERNEL_HINT}") from None


def _propagate(net, X, X2, ntk):
    """Σ^L(X, X2) (and Θ^L): the 2-D expectations of all pairs of a layer in
    one vectorised call.  Identical inputs (equal rows, also across X and X2)
    get exactly the diagonal recursion: their correlation is 1, and an
    off-by-one-ulp ``x·x'`` would otherwise move ``θ = acos ρ`` by ~1e-8 in
    the arc-cosine kernels."""
    act = net.activation
    sw2, sb2 = _sig_float(net)
    n0 = net.widths[0] if net.widths is not None else None
    X = _inputs(X, "X", n0)
    sym = X2 is None
    X2 = X if sym else _inputs(X2, "X2", n0 if n0 is not None else X.shape[1])
    if X2.shape[1] != X.shape[1]:
        raise InvalidArgumentError(
            f"X and X2 must have the same number of columns; got {X.shape[1]} and {X2.shape[1]}"
        )
    d = X.shape[1]
    # group identical rows: their norms come from one computation, and their
    # pairs (i, j) are pinned to the diagonal recursion below
    rows, inv = np.unique(X if sym else np.vstack([X, X2]), axis=0, return_inverse=True)
    inv = np.ravel(inv)
    g1 = inv[: X.shape[0]]
    g2 = g1 if sym else inv[X.shape[0]:]
    ii, jj = np.nonzero(g1[:, None] == g2[None, :])
    with np.errstate(over="ignore", invalid="ignore"):
        norms = sw2 * np.einsum("ij,ij->i", rows, rows) / d + sb2
        s11 = norms[g1]
        s22 = s11 if sym else norms[g2]
        s12 = sw2 * (X @ X2.T) / d + sb2
    _finite_layer(net, 1, s11, s22, s12)
    if sym:
        s12 = 0.5 * (s12 + s12.T)   # exact symmetry
    s12[ii, jj] = s11[ii]
    th = s12.copy() if ntk else None
    thd = s11.copy()                 # Θ^ℓ(x_i, x_i), for the pinned pairs
    for ell in range(2, net.depth + 1):
        ephi = _e2(act, "phi", s11, s12, s22, sym)
        if ntk:
            edphi = _e2(act, "dphi", s11, s12, s22, sym)
            dd = act.gaussian_expectation_np("dphi2", s11)
        with np.errstate(over="ignore", invalid="ignore"):
            new12 = sw2 * ephi + sb2
            new11 = sw2 * act.gaussian_expectation_np("phi2", s11) + sb2
            s22 = new11 if sym else sw2 * act.gaussian_expectation_np("phi2", s22) + sb2
            if ntk:
                th = new12 + sw2 * th * edphi
                thd = new11 + sw2 * thd * dd
        s11 = new11
        new12[ii, jj] = s11[ii]
        if ntk:
            th[ii, jj] = thd[ii]
        _finite_layer(net, ell, new12, s11, s22, th, thd)
        s12 = new12
    return s12, th


@_guarded
def nngp_kernel(net, X, X2=None):
    r"""The NNGP kernel ``Σ^L(x, x')`` of the output ``f = h_L``.

    Parameters
    ----------
    net : MLP
    X : array (n, n_0)
        Rows are inputs; ``K^0 = x·x'/n_0`` (module docstring).
    X2 : array (m, n_0), optional
        Second set of inputs; default ``X`` (then the result is symmetric).

    Returns
    -------
    numpy.ndarray of shape (n, m)

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, or inputs that are not numeric arrays
        (e.g. a string).
    InvalidArgumentError
        Non-finite entries, an empty or non-2-D array, a number of columns
        different from ``n_0`` (when the net has widths) or between ``X``
        and ``X2``.
    TooLargeError
        More than 20000 rows.
    FloatRangeError
        A layer's kernel overflows float64.

    Examples
    --------
    One hidden relu layer, ``σ_w² = 2``, unit-norm inputs at 90°: the
    arc-cosine kernel ``2 · (1/2π)(sin θ + (π − θ) cos θ) = 1/π``:

    >>> import freealg, numpy as np
    >>> net = freealg.MLP(2, "relu", sigma_w=2 ** 0.5)
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]) * np.sqrt(2)   # x·x/n_0 = 1
    >>> np.round(net.nngp_kernel(X), 12)
    array([[2.        , 0.63661977],
           [0.63661977, 2.        ]])
    """
    return _propagate(net, X, X2, ntk=False)[0]


@_guarded
def ntk_kernel(net, X, X2=None):
    r"""The neural tangent kernel ``Θ^L(x, x')`` (NTK parameterisation).

    Same arguments as :func:`nngp_kernel`.  For ``L = 1`` it equals the NNGP
    kernel ``σ_w² x·x'/n_0 + σ_b²``.

    Parameters
    ----------
    net : MLP
    X : array (n, n_0)
        Rows are inputs; ``K^0 = x·x'/n_0``.
    X2 : array (m, n_0), optional
        Second set of inputs; default ``X``.

    Returns
    -------
    numpy.ndarray of shape (n, m)

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, or inputs that are not numeric arrays
        (e.g. a string).
    InvalidArgumentError
        Non-finite entries, an empty or non-2-D array, a number of columns
        different from ``n_0`` (when the net has widths) or between ``X``
        and ``X2``.
    TooLargeError
        More than 20000 rows.
    FloatRangeError
        A layer's kernel overflows float64.

    Examples
    --------
    Linear net: ``Σ^ℓ = σ_w^{2ℓ} K^0`` and ``Θ^L = L σ_w^{2L} K^0`` for ``σ_b = 0``:

    >>> import freealg, numpy as np
    >>> net = freealg.MLP(3, "linear", sigma_w=1.0)
    >>> net.ntk_kernel(np.array([[1.0, 2.0]]))
    array([[7.5]])
    """
    return _propagate(net, X, X2, ntk=True)[1]


def _kernel_diag(net, X, ntk):
    """Diagonal of the NNGP (and NTK) kernel, by the 1-D recursion."""
    act = net.activation
    sw2, sb2 = _sig_float(net)
    with np.errstate(over="ignore", invalid="ignore"):
        s = sw2 * np.einsum("ij,ij->i", X, X) / X.shape[1] + sb2
    _finite_layer(net, 1, s)
    th = s.copy()
    for ell in range(2, net.depth + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            new = sw2 * act.gaussian_expectation_np("phi2", s) + sb2
            if ntk:
                th = new + sw2 * th * act.gaussian_expectation_np("dphi2", s)
        _finite_layer(net, ell, new, th)
        s = new
    return th if ntk else s


@_guarded
def nngp_posterior(net, X, Y, Xstar, *, noise=0.0, full_cov=False):
    r"""Posterior of the NNGP (exact Bayesian inference with the infinitely
    wide network as prior; Lee et al. 2018).

    With ``K = Σ^L(X, X) + noise·I``, ``k* = Σ^L(X*, X)``::

        mean = k* K^{-1} Y,     var = Σ^L(x*, x*) − k* K^{-1} k*ᵀ.

    Parameters
    ----------
    net : MLP
    X : array (n, n_0)
        Training inputs (rows).
    Y : array (n,) or (n, k)
        Training targets.
    Xstar : array (m, n_0)
        Test inputs.
    noise : float >= 0
        Observation-noise variance added to the diagonal.
    full_cov : bool
        Return the full ``m × m`` posterior covariance instead of its diagonal.

    Returns
    -------
    mean : array (m,) or (m, k)
    var : array (m,) or (m, m)
        Up to rounding (``~1e-15`` negative values at training inputs when
        ``noise = 0``).

    Raises
    ------
    InvalidArgumentError
        If ``K`` is not positive definite (duplicate inputs with
        ``noise = 0``): use ``noise > 0``.

    Examples
    --------
    Interpolation at a training input with ``noise = 0``:

    >>> import freealg, numpy as np
    >>> net = freealg.MLP(2, "erf", sigma_w=1.5, sigma_b=0.1)
    >>> X = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> mean, var = net.nngp_posterior(X, np.array([1.0, -1.0]), X[:1])
    >>> np.round(mean, 10), bool(abs(var[0]) < 1e-12)
    (array([1.]), True)
    """
    try:
        noise = float(check_real(noise, "noise", nonnegative=True))
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"noise is a variance and must be finite and >= 0; got {noise!r}") from None
    if not isinstance(full_cov, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"full_cov must be True or False; got {describe(full_cov)}")
    n0 = net.widths[0] if net.widths is not None else None
    X = _inputs(X, "X", n0)
    Xs = _inputs(Xstar, "Xstar", X.shape[1])
    try:
        Y = check_finite_array(Y, "Y")
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError("Y has non-finite entries") from None
    if Y.shape[:1] != (X.shape[0],) or Y.ndim > 2:
        raise InvalidArgumentError(
            f"Y must have shape (n,) or (n, k) with n = {X.shape[0]} rows of X; got {Y.shape}"
        )
    K = nngp_kernel(net, X) + noise * np.eye(X.shape[0])
    try:
        C = np.linalg.cholesky(K)
    except np.linalg.LinAlgError as exc:
        raise InvalidArgumentError(
            "K(X, X) + noise I is not positive definite (duplicate or collinear inputs with "
            f"noise = {noise}); pass noise > 0"
        ) from exc
    ks = nngp_kernel(net, Xs, X)  # (m, n)

    def solve(B):
        return np.linalg.solve(C.T, np.linalg.solve(C, B))

    mean = ks @ solve(Y)
    A = solve(ks.T)  # (n, m) = K^{-1} k*^T
    if full_cov:
        var = nngp_kernel(net, Xs) - ks @ A
    else:
        var = _kernel_diag(net, Xs, ntk=False) - np.einsum("ij,ji->i", ks, A)
    return mean, var


NTKPrediction = namedtuple("NTKPrediction", ["train", "test"])


@_guarded
def ntk_predict(net, X, Y, t, *, Xstar=None, eta=1.0, f0=None, f0_star=None):
    r"""Gradient-flow predictions of the infinitely wide network (NTK regime).

    For the squared loss and learning rate ``η``, the outputs follow
    ``df_t/dt = η Θ (y − f_t)`` with ``Θ = Θ^L(X, X)`` (Jacot et al. 2018;
    Lee et al. 2019), so::

        f_t(X)  = f_0(X)  + (I − e^{−ηΘt}) (Y − f_0(X)),
        f_t(x*) = f_0(x*) + Θ(x*, X) Θ^{-1} (I − e^{−ηΘt}) (Y − f_0(X)).

    With ``f0 = None`` the initial outputs are 0, which gives the mean
    prediction over random initialisations.  ``t = inf`` gives kernel
    (ridgeless) regression with the NTK.

    Parameters
    ----------
    net : MLP
    X, Y : training inputs (n, n_0) and targets (n,) or (n, k)
    t : float >= 0, ``inf`` or 1-D array of such times
    Xstar : test inputs (m, n_0), optional
    eta : float > 0
    f0, f0_star : initial outputs on X and Xstar (same shape as Y rows);
        ``f0_star`` is required when ``f0`` and ``Xstar`` are given.

    Returns
    -------
    NTKPrediction
        ``(train, test)``; for an array ``t`` a leading time axis is added;
        ``test`` is ``None`` without ``Xstar``.

    Raises
    ------
    InvalidArgumentError
        For bad times/shapes, or ``t = inf`` with a singular NTK.

    Examples
    --------
    At ``t = 0`` nothing has moved; at ``t = inf`` the training data are fitted:

    >>> import freealg, numpy as np
    >>> net = freealg.MLP(3, "relu", sigma_w=1.4, sigma_b=0.1)
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> Y = np.array([1.0, 0.0, -1.0])
    >>> p = net.ntk_predict(X, Y, [0.0, np.inf])
    >>> np.round(p.train, 10) + 0.0
    array([[ 0.,  0.,  0.],
           [ 1.,  0., -1.]])
    """
    try:
        eta = float(check_real(eta, "eta", positive=True))
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"eta (learning rate) must be finite and > 0; got {eta!r}") from None
    if isinstance(t, (str, bytes)):
        raise InvalidArgumentTypeError(f"t must be a time >= 0 (or inf) or a 1-D array of them; got {t!r}")
    try:
        ts = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"t must be a time >= 0 (or inf) or a 1-D array of them; got {describe(t)} of type "
            f"{type(t).__name__}") from None
    scalar_t = ts.ndim == 0
    ts = np.atleast_1d(ts)
    if ts.ndim != 1 or np.any(np.isnan(ts)) or np.any(ts < 0):
        raise InvalidArgumentError(f"t must be a time >= 0 (or inf) or a 1-D array of them; got {t!r}")
    n0 = net.widths[0] if net.widths is not None else None
    X = _inputs(X, "X", n0)
    Y = check_finite_array(Y, "Y")
    if Y.shape[:1] != (X.shape[0],) or Y.ndim > 2:
        raise InvalidArgumentError(
            f"Y must be finite with shape (n,) or (n, k), n = {X.shape[0]}; got {Y.shape}"
        )
    if Xstar is not None:
        Xstar = _inputs(Xstar, "Xstar", n0)  # checked (type, shape, finite) before it is sized
    out_bytes = 8 * ts.size * Y.size * (1 + (0 if Xstar is None else Xstar.shape[0] / X.shape[0]))
    if ts.size > MAX_TIMES or out_bytes > 4 * 2**30:
        raise TooLargeError(
            f"t lists {ts.size} times (at most {MAX_TIMES}, and at most 4 GiB of predictions; "
            f"these would take {out_bytes / 2**30:.3g} GiB); ask for fewer times"
        )
    F0 = np.zeros_like(Y) if f0 is None else check_finite_array(f0, "f0")
    if F0.shape != Y.shape:
        raise InvalidArgumentError(f"f0 must have the shape of Y {Y.shape}; got {F0.shape}")
    theta = ntk_kernel(net, X)
    lam, V = np.linalg.eigh(theta)
    top = max(abs(lam[-1]), 1e-300)
    if lam[0] < -1e-10 * top:
        raise InvalidArgumentError(  # pragma: no cover - an NTK is PSD
            f"the NTK has a negative eigenvalue {lam[0]} (relative {lam[0] / top}); not a kernel"
        )
    lam = np.maximum(lam, 0.0)  # rounding-level negatives only (checked above)
    tiny = 1e-13 * top
    R = V.T @ (Y - F0).reshape(len(Y), -1)  # residual in the eigenbasis, (n, k)
    train, test = [], []
    if Xstar is not None:
        Xs = _inputs(Xstar, "Xstar", X.shape[1])
        if f0 is not None and f0_star is None:
            raise InvalidArgumentError("f0 was given: also give f0_star, the initial outputs on Xstar")
        F0s = (np.zeros((Xs.shape[0],) + Y.shape[1:]) if f0_star is None
               else check_finite_array(f0_star, "f0_star"))
        if F0s.shape != (Xs.shape[0],) + Y.shape[1:]:
            raise InvalidArgumentError(
                f"f0_star must have shape {(Xs.shape[0],) + Y.shape[1:]}; got {F0s.shape}"
            )
        theta_s = ntk_kernel(net, Xs, X)
        TV = theta_s @ V
    for tt in ts:
        if np.isinf(tt):
            frac = np.ones_like(lam)
            if Xstar is not None and np.any(lam <= tiny):
                raise InvalidArgumentError(
                    "the NTK Θ(X, X) is singular (duplicate inputs?): the t = inf test prediction "
                    "Θ(x*, X) Θ^{-1} (Y − f0) is undefined; use a finite t"
                )
            with np.errstate(divide="ignore"):
                ratio = np.where(lam > tiny, 1.0 / np.where(lam > tiny, lam, 1.0), 0.0)
        else:
            x = eta * tt * lam
            frac = -np.expm1(-x)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(lam > tiny, frac / np.where(lam > tiny, lam, 1.0), eta * tt)
        train.append(F0 + (V @ (frac[:, None] * R)).reshape(Y.shape))
        if Xstar is not None:
            test.append(F0s + (TV @ (ratio[:, None] * R)).reshape(F0s.shape))
    for arr in train + test:
        if not np.all(np.isfinite(arr)):
            raise _range_error(net, "the NTK prediction overflows float64 (inf/nan entries)",
                               hint="rescale Y, f0 or the inputs")
    if scalar_t:
        return NTKPrediction(train[0], test[0] if test else None)
    return NTKPrediction(np.array(train), np.array(test) if test else None)


# ---------------------------------------------------------------------------
# Fan–Wang conjugate-kernel recursion on moments
# ---------------------------------------------------------------------------


def _is_exact(v):
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool) or type(v).__module__.startswith("sympy")


def mp_moments(n, gamma):
    r"""Moments ``m_1..m_n`` of the Marchenko–Pastur law ``MP_γ`` (ratio γ,
    variance 1): the limit spectrum of ``(1/d) GᵀG`` for ``G`` of size
    ``d × n`` with i.i.d. standard entries and ``n/d → γ``.
    ``m_k = Σ_{j=1}^k N(k, j) γ^{j−1}`` (Narayana numbers); it is the free
    Poisson law of rate ``1/γ`` and jump ``γ`` (docs/theory.md §2).

    Parameters
    ----------
    n : int, 1 <= n <= 2000
        Number of moments.
    gamma : real > 0
        The ratio ``γ``; exact (int, ``Fraction``, sympy) input gives exact
        moments, a float gives floats.

    Returns
    -------
    list
        ``[m_1, …, m_n]`` in the kind of ``gamma`` (``m_1 = 1``).

    Raises
    ------
    InvalidArgumentTypeError
        A non-integer ``n`` or a non-numeric ``gamma``.
    InvalidArgumentError
        ``n < 1``, or ``gamma <= 0`` or not finite.
    TooLargeError
        ``n > 2000``.
    FloatRangeError
        The float moments overflow (large float ``gamma`` and ``n``); pass
        ``gamma`` as an exact number.

    Examples
    --------
    >>> from fractions import Fraction
    >>> mp_moments(4, 1)
    [1, 2, 5, 14]
    >>> mp_moments(3, Fraction(1, 2))
    [Fraction(1, 1), Fraction(3, 2), Fraction(11, 4)]
    """
    n = _check_n(n)
    g = gamma
    try:
        check_real(g, "gamma", positive=True)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"gamma = n_samples/width must be finite and > 0; got {gamma!r}") from None
    out = []
    try:
        for k in range(1, n + 1):
            s = 0
            for j in range(1, k + 1):
                s = s + (math.comb(k, j) * math.comb(k, j - 1) // k) * g ** (j - 1)
            out.append(s)
    except OverflowError:
        raise FloatRangeError(
            f"the Marchenko-Pastur moments with gamma = {gamma!r} overflow float64 at order {k}; "
            "pass gamma as an exact number (Fraction, sympy.Rational) for exact moments") from None
    return out


def _check_n(n):
    """The number of moments: a positive int, bounded (the recursions are O(n^2)+)."""
    try:
        return check_int(n, "n", minimum=1, maximum=MAX_MOMENT_ORDER,
                         hint="the moment recursions are quadratic in n; ask for fewer moments")
    except (InvalidArgumentTypeError, TooLargeError):
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(f"n must be a positive integer; got {n!r}") from None


def _seq(values, name):
    """A scalar or a 1-D sequence of real numbers, as a list (kinds kept)."""
    if isinstance(values, (str, bytes)):
        raise InvalidArgumentTypeError(
            f"{name} must be a real number or a sequence of them; got {describe(values)} of type str")
    vals = list(values) if np.ndim(values) else [values]
    return [check_real(v, f"{name}[{i}]") for i, v in enumerate(vals)]


def _affine_moments(m, a, s):
    """Moments of a + s X from those of X (m_0 = 1 implicit)."""
    full = [1] + list(m)
    out = []
    for k in range(1, len(m) + 1):
        out.append(sum(math.comb(k, j) * a ** (k - j) * s ** j * full[j] for j in range(k + 1)))
    return out


def conjugate_kernel_moments(n, gammas, b, mu0=None):
    r"""Moments of the conjugate-kernel spectra by the Fan–Wang recursion.

    Fan & Wang (NeurIPS 2020, Thm 3.4): for ``X_ℓ = σ(W_ℓ X_{ℓ−1})/√d_ℓ``
    with standard Gaussian ``W_ℓ`` (``d_ℓ × d_{ℓ−1}``), ``n`` inputs whose
    columns are (approximately) orthonormal-norm, ``n/d_ℓ → γ_ℓ``, and
    ``σ`` normalised (``E σ(ξ) = 0``, ``E σ(ξ)² = 1``), the spectrum of the
    ``n × n`` conjugate kernel ``X_ℓᵀX_ℓ`` converges to::

        μ_ℓ = MP_{γ_ℓ} ⊠ ((1 − b²) + b² μ_{ℓ−1}),    b = E σ'(ξ),

    where ``μ_0`` is the input Gram spectrum.  The moments are computed
    exactly from moment sequences: the affine pushforward
    ``m_k(a + sX) = Σ_j C(k,j) a^{k−j} s^j m_j(X)`` and
    :func:`freealg.free_mul_moments`.  Exact inputs (int, Fraction, sympy)
    give exact moments.

    Parameters
    ----------
    n : int
        Number of moments.
    gammas : sequence of positive reals (one per layer) or a scalar
        Ratios ``γ_ℓ = n_samples / d_ℓ``.
    b : real or sequence (one per layer)
        ``b_ℓ = E σ_ℓ'(ξ)``, ``b² <= 1``.
    mu0 : sequence, optional
        Moments ``m_1..m_n`` of ``μ_0``; default ``δ_1`` (orthonormal inputs).

    Returns
    -------
    list of lists
        ``[moments of μ_1, …, moments of μ_L]``.

    Raises
    ------
    InvalidArgumentTypeError
        A non-integer ``n`` or non-numeric ``gammas``, ``b`` or ``mu0``.
    InvalidArgumentError
        ``n < 1``; an empty ``gammas`` or a ``γ <= 0``; ``b`` of another
        length than ``gammas``; ``b² > 1`` or a non-finite ``b``; ``mu0``
        with fewer than ``n`` moments, non-finite moments or ``m_1 <= 0``.
    TooLargeError
        ``n > 2000`` or more than 100000 layers.

    Examples
    --------
    ``b = 1`` (linear) and ``γ = 1``: ``MP^{⊠ℓ}`` with Fuss–Catalan moments:

    >>> conjugate_kernel_moments(4, [1, 1], 1)
    [[1, 2, 5, 14], [1, 3, 12, 55]]

    ``b = 0``: each layer forgets its input and is ``MP_γ``:

    >>> conjugate_kernel_moments(3, [2, 2], 0)[1] == mp_moments(3, 2)
    True
    """
    n = _check_n(n)
    gl = _seq(gammas, "gammas")
    if not gl:
        raise InvalidArgumentError("gammas must list at least one layer")
    for i, g in enumerate(gl):
        check_real(g, f"gammas[{i}]", positive=True)
    if len(gl) > 100_000:
        raise TooLargeError(f"gammas lists {len(gl)} layers, more than the supported maximum 100000")
    bl = _seq(b, "b")
    if not np.ndim(b):
        bl = bl * len(gl)
    if len(bl) != len(gl):
        raise InvalidArgumentError(f"b has {len(bl)} entries but gammas has {len(gl)}")
    for i, bb in enumerate(bl):
        bf = float(bb)
        if not math.isfinite(bf) or bf * bf > 1 + 1e-12:
            raise InvalidArgumentError(
                f"b_{i + 1} = E sigma'(xi) must be finite with b^2 <= 1 (normalised activation); got {bb!r}"
            )
    if mu0 is None:
        mu = [1] * n
    else:
        mu = _seq(mu0, "mu0")
        if len(mu) < n:
            raise InvalidArgumentError(f"mu0 needs at least n = {n} moments; got {len(mu)}")
        mu = mu[:n]
        if not all(math.isfinite(float(v)) for v in mu) or float(mu[0]) <= 0:
            raise InvalidArgumentError("mu0 must be finite moments of a law on [0, inf) with m_1 > 0")
    out = []
    for g, bb in zip(gl, bl):
        b2 = bb * bb
        shifted = _affine_moments(mu, 1 - b2, b2)
        exact = all(_is_exact(v) for v in [g, bb] + list(mu))
        mu = free_mul_moments(mp_moments(n, g), shifted, check=exact)
        out.append(mu)
    return out


def _ck_parameters(net, *, gammas, n_samples, q_in, dps, centre):
    """``(γ_ℓ, b_ℓ, q̂_ℓ)`` of the hidden layers ``ℓ = 1..L−1`` for the Fan–Wang
    recursion (shared by the moments and :mod:`freealg.dnn.ck_law`).

    ``centre=False``: the activation must be centred (``E phi(h_ℓ) = 0``),
    else InvalidArgumentError.  ``centre=True``: every layer uses the centred
    activation ``phi(h) − E phi(h_ℓ)`` (Fan & Wang 2020, Assumption 3.2), so
    ``q^{ℓ+1} = σ_w² Var phi(h_ℓ)``, ``q̂^ℓ = Var phi(h_ℓ)`` and
    ``b_ℓ = √q^ℓ E phi'(h_ℓ)/√q̂^ℓ`` (the derivative is unchanged by the shift).
    """
    from . import meanfield

    _check_net(net)
    if not isinstance(centre, (bool, np.bool_)):
        raise InvalidArgumentTypeError(
            f"centre must be True or False; got {describe(centre)} of type {type(centre).__name__}")
    if dps is not None:
        _Eng(dps)  # checks dps
    L = net.depth
    if L < 2:
        raise InvalidArgumentError("a depth-1 net has no hidden layer, hence no conjugate kernel")
    if float(net.sigma_b) != 0:
        raise InvalidArgumentError(
            f"the Fan–Wang recursion assumes no biases; got sigma_b = {net.sigma_b!r}"
        )
    if float(check_real(q_in, "q_in")) <= 0:
        raise InvalidArgumentError(f"q_in must be > 0; got {q_in!r}")
    if gammas is None:
        if n_samples is None or net.widths is None:
            raise InvalidArgumentError("give gammas (N / n_ell per hidden layer), or n_samples with net widths")
        gammas = [Fraction(check_int(n_samples, "n_samples", minimum=1), w) for w in net.widths[1:L]]
    gl = _seq(gammas, "gammas")
    if not np.ndim(gammas):
        gl = gl * (L - 1)
    if len(gl) != L - 1:
        raise InvalidArgumentError(f"gammas needs one entry per hidden layer ({L - 1}); got {len(gl)}")
    act = net.activation
    kw = {"dps": dps + 5} if dps is not None else {}
    if centre:
        sw2 = _sig_float(net)[0] if dps is None else _sig(net, _Eng(dps))[0]
        q = sw2 * q_in if dps is not None else float(sw2) * float(q_in)
        qs = []
        for ell in range(1, L):
            qs.append(q)
            qv = q if dps is not None else float(q)
            var = (act.gaussian_expectation("phi2", qv, **kw)
                   - act.gaussian_expectation("phi", qv, **kw) ** 2)
            q = sw2 * var
            if not math.isfinite(float(q)):
                raise _range_error(net, f"q^{ell + 1} overflows float64", hint=_KERNEL_HINT)
    else:
        qs = meanfield.q_sequence(net, q_in, dps=dps)[: L - 1]
    bs, scale = [], []
    for q in qs:
        qv = q if dps is not None else float(q)
        e1 = act.gaussian_expectation("phi", qv, **kw)
        e2 = act.gaussian_expectation("phi2", qv, **kw)
        ed = act.gaussian_expectation("dphi", qv, **kw)
        if centre:
            e2 = e2 - e1 * e1
            e1 = 0 * e1
        if e2 == 0 or float(e2) <= 0:
            raise InvalidArgumentError("the features vanish (Var phi(h) = 0): no conjugate kernel")
        if abs(float(e1)) > 1e-10 * math.sqrt(float(e2)):
            raise InvalidArgumentError(
                f"{act!r} is not centred at q = {float(q):.6g}: E phi(h) = {float(e1):.6g} != 0. "
                "The Fan–Wang recursion needs E phi(h) = 0: use an odd activation such as "
                "tanh/erf, or centre=True for the network with centred activations "
                "phi(h) - E phi(h) (Fan & Wang 2020, Assumption 3.2)"
            )
        bs.append(q ** 0.5 * ed / e2 ** 0.5)
        scale.append(e2)
    if dps is None:
        bs = [float(v) for v in bs]
        scale = [float(v) for v in scale]
    return gl, bs, scale


@_guarded
def mlp_conjugate_kernel_moments(net, n, *, gammas=None, n_samples=None, mu0=None, q_in=1, dps=None,
                                 centre=False):
    r"""Moments of the conjugate-kernel spectra of the hidden layers of an MLP.

    The layer-``ℓ`` conjugate kernel is the ``N × N`` Gram matrix
    ``CK_ℓ = (1/n_ℓ) Φ_ℓᵀ Φ_ℓ`` of the features ``x_ℓ = phi(h_ℓ)`` of
    ``N`` inputs with equal norms ``‖x‖²/n_0 = q_in`` (``ℓ = 1..L−1``,
    Gaussian weights, ``σ_b = 0``).  Writing ``h_ℓ = √q^ℓ ξ`` and
    ``σ_ℓ(ξ) = phi(√q^ℓ ξ)/√q̂^ℓ`` (normalised), the Fan–Wang recursion
    applies with ``b_ℓ = √q^ℓ E[phi'(h_ℓ)]/√q̂^ℓ`` and
    ``CK_ℓ = q̂^ℓ × (Fan–Wang kernel)``, so the k-th moment is
    ``(q̂^ℓ)^k m_k(μ_ℓ)``.

    Parameters
    ----------
    net : MLP
        Needs ``σ_b = 0`` and a centred activation (``E phi(h) = 0``, e.g.
        tanh, erf, hardtanh, linear); relu is not centred (its kernel has a
        rank-one spike outside this recursion).
    n : int
        Number of moments.
    gammas : sequence of L − 1 positive reals, or a scalar
        ``γ_ℓ = N / n_ℓ``.  Alternatively give ``n_samples = N`` and use the
        net's ``widths``.
    mu0 : moments of the spectrum of the normalised input Gram matrix
        (default ``δ_1``: orthonormal inputs).
    q_in : real > 0
    dps : None or int (precision of ``b_ℓ`` and ``q̂^ℓ``)
    centre : bool, optional
        ``True``: the moments of the network whose activation is centred at
        every layer, ``phi(h) − E phi(h_ℓ)`` (Fan & Wang 2020, Assumption
        3.2; any activation, e.g. relu); then ``q̂^ℓ = Var phi(h_ℓ)`` and
        ``q^{ℓ+1} = σ_w² q̂^ℓ``.  Default ``False``: the activation itself
        must be centred.
    n_samples : int >= 1, optional
        ``N``, with the net's ``widths``, when ``gammas`` is not given.

    Returns
    -------
    list of L − 1 moment lists.

    Raises
    ------
    InvalidArgumentError
        ``depth = 1`` (no hidden layer), ``σ_b != 0``, ``q_in <= 0``, an
        activation that is not centred with ``centre=False``, vanishing
        features, neither ``gammas`` nor ``n_samples`` with widths,
        ``gammas`` of the wrong length or not positive, or a bad ``mu0``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-bool ``centre`` or non-numeric
        parameters.
    TooLargeError
        ``n > 2000`` or ``dps > 1000``.
    FloatRangeError
        A forward variance overflows float64.

    Examples
    --------
    Linear net, ``σ_w = 1``, ``γ = 1``: Fuss–Catalan moments:

    >>> import freealg
    >>> freealg.MLP(3, "linear", init="gaussian").conjugate_kernel_moments(3, gammas=1)
    [[1.0, 2.0, 5.0], [1.0, 3.0, 12.0]]
    """
    n = _check_n(n)
    gl, bs, scale = _ck_parameters(net, gammas=gammas, n_samples=n_samples, q_in=q_in, dps=dps,
                                   centre=centre)
    normalised = conjugate_kernel_moments(n, gl, bs, mu0)
    return [[s ** (k + 1) * m for k, m in enumerate(ms)] for s, ms in zip(scale, normalised)]
