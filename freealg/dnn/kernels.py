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
predictions (:func:`ntk_predict`) and, re-exported from
:mod:`freealg.dnn.ck_moments`, the Fan–Wang conjugate-kernel recursion on
moment sequences (:func:`conjugate_kernel_moments`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._utils.progress import Progress, check_progress
from .._utils.validate import check_finite_array, check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError
from ._mf_engine import _KERNEL_HINT, _guarded, _range_error, _sig_float
from .ck_moments import conjugate_kernel_moments, mlp_conjugate_kernel_moments, mp_moments

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


#: Pairs per block of a layer's 2-D Gaussian expectations: the unit of work of
#: the progress bar.  The blocks do not depend on the bar (the values with and
#: without one are the same bits); a kernel of at most 707 inputs is one block.
_PAIR_BLOCK = 250_000


def _pair_blocks(act, n, m, symmetric):
    """The blocks of pairs of a layer: slices of the strict upper triangle
    (``np.triu_indices(n, 1)``, row-major) on the numeric path of a symmetric
    kernel, else slices of rows of the ``n x m`` matrix."""
    if act.closed_form_2d or not symmetric:
        rows = max(1, _PAIR_BLOCK // max(m, 1))
        return "rows", [slice(a, min(a + rows, n)) for a in range(0, n, rows)]
    npairs = n * (n - 1) // 2
    return "pairs", [slice(a, min(a + _PAIR_BLOCK, npairs)) for a in range(0, npairs, _PAIR_BLOCK)]


def _e2(act, whiches, s11, s12, s22, blocks, bar):
    """``{which: E2 over the matrix of pairs}`` for each of ``whiches``
    (``'phi'``, ``'dphi'``), one block of pairs at a time (``blocks`` from
    :func:`_pair_blocks`; ``bar`` advanced once per block).  On the numeric
    path of a symmetric matrix only the strict upper triangle is computed (the
    diagonal is left 0: the caller pins it to the 1-D diagonal recursion)."""
    kind, slices = blocks
    n, m = s12.shape
    out = {w: np.zeros((n, m)) for w in whiches}
    iu, ju = np.triu_indices(n, k=1) if kind == "pairs" else (None, None)
    for sl in slices:
        for w in whiches:
            if kind == "rows":
                out[w][sl] = act.gaussian_expectation_2d(w, s11[sl, None], s12[sl], s22[None, :])
            else:
                i, j = iu[sl], ju[sl]
                vals = act.gaussian_expectation_2d(w, s11[i], s12[i, j], s22[j])
                out[w][i, j] = vals
                out[w][j, i] = vals
        bar.update()
    return out


def _finite_layer(net, ell, *arrays):
    """Every array finite, else an error naming the layer (float overflow)."""
    for a in arrays:
        if a is not None and not np.all(np.isfinite(a)):
            raise _range_error(
                net, f"the layer-{ell} kernel overflows float64 (inf/nan entries)",
                hint=_KERNEL_HINT)



def _propagate(net, X, X2, ntk, progress=None):
    """Σ^L(X, X2) (and Θ^L): the 2-D expectations of the pairs of a layer in
    vectorised blocks (:func:`_pair_blocks`), with a progress bar over layers
    x blocks (``progress`` as in :class:`freealg._utils.progress.Progress`;
    by default only when the work lasts more than 2 s).  Identical inputs
    (equal rows, also across X and X2)
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
    blocks = _pair_blocks(act, *s12.shape, sym)
    what = "ntk_kernel" if ntk else "nngp_kernel"
    # a bar over layers x blocks of pairs; by default (None) it appears only
    # when the work lasts more than 2 s, at once when asked for (True)
    with Progress((net.depth - 1) * len(blocks[1]), what, progress,
                  delay=2.0 if progress is None else 0.0) as bar:
        for ell in range(2, net.depth + 1):
            e2 = _e2(act, ("phi", "dphi") if ntk else ("phi",), s11, s12, s22, blocks, bar)
            s11, s12, s22, th, thd = _layer(net, ell, e2, s11, s22, th, thd, sym, ii, jj)
    return s12, th


def _layer(net, ell, e2, s11, s22, th, thd, sym, ii, jj):
    """One layer of the recursion from its 2-D expectations ``e2``."""
    act = net.activation
    sw2, sb2 = _sig_float(net)
    ntk = th is not None
    ephi = e2["phi"]
    if ntk:
        edphi = e2["dphi"]
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
    return s11, new12, s22, th, thd


@_guarded
def nngp_kernel(net, X, X2=None, *, progress=None):
    r"""The NNGP kernel ``Σ^L(x, x')`` of the output ``f = h_L``.

    Parameters
    ----------
    net : MLP
    X : array (n, n_0)
        Rows are inputs; ``K^0 = x·x'/n_0`` (module docstring).
    X2 : array (m, n_0), optional
        Second set of inputs; default ``X`` (then the result is symmetric).
    progress : None, bool or callable, optional
        A tqdm bar over layers x blocks of input pairs: ``None`` (default)
        shows one in a terminal when the work lasts more than 2 s, ``True``
        always (needs tqdm), ``False`` never; a callable is called as
        ``progress(done, total)``.  The values do not depend on it.

    Returns
    -------
    numpy.ndarray of shape (n, m)

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, inputs that are not numeric arrays
        (e.g. a string), or ``progress`` not None, a bool or a callable.
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
    return _propagate(net, X, X2, ntk=False, progress=check_progress(progress))[0]


@_guarded
def ntk_kernel(net, X, X2=None, *, progress=None):
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
    progress : None, bool or callable, optional
        As in :func:`nngp_kernel`.

    Returns
    -------
    numpy.ndarray of shape (n, m)

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, inputs that are not numeric arrays
        (e.g. a string), or ``progress`` not None, a bool or a callable.
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
    return _propagate(net, X, X2, ntk=True, progress=check_progress(progress))[1]


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
    ts, scalar_t = _check_times(t)
    X, Y, Xstar, F0 = _prediction_inputs(net, X, Y, Xstar, f0, ts)
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
        F0s, TV = _test_setup(net, X, Y, Xstar, f0, f0_star, V)
    for tt in ts:
        frac, ratio = _flow_factors(lam, tt, eta, tiny, Xstar is not None)
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


def _check_times(t):
    """The times of :func:`ntk_predict` as a 1-D float array, and whether ``t``
    was a scalar; a string, a non-numeric value, NaN or a negative time is refused."""
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
    return ts, scalar_t


def _prediction_inputs(net, X, Y, Xstar, f0, ts):
    """Checked ``(X, Y, Xstar, F0)`` of :func:`ntk_predict`; the size of the
    predictions (times × outputs) is bounded before any kernel is computed."""
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
    return X, Y, Xstar, F0


def _test_setup(net, X, Y, Xstar, f0, f0_star, V):
    """The initial test outputs ``F0s`` and ``Θ(x*, X) V`` (``V``: the NTK's
    eigenvectors) for the test predictions of :func:`ntk_predict`."""
    Xs = _inputs(Xstar, "Xstar", X.shape[1])
    if f0 is not None and f0_star is None:
        raise InvalidArgumentError("f0 was given: also give f0_star, the initial outputs on Xstar")
    F0s = (np.zeros((Xs.shape[0],) + Y.shape[1:]) if f0_star is None
           else check_finite_array(f0_star, "f0_star"))
    if F0s.shape != (Xs.shape[0],) + Y.shape[1:]:
        raise InvalidArgumentError(
            f"f0_star must have shape {(Xs.shape[0],) + Y.shape[1:]}; got {F0s.shape}"
        )
    return F0s, ntk_kernel(net, Xs, X) @ V


def _flow_factors(lam, tt, eta, tiny, has_test):
    """Per NTK eigenvalue ``λ`` at time ``tt``: the trained fraction
    ``1 − e^{−ηλt}`` (train outputs) and ``(1 − e^{−ηλt})/λ`` (test outputs;
    ``ηt`` on the null space); at ``t = inf`` these are ``1`` and ``1/λ``."""
    if np.isinf(tt):
        frac = np.ones_like(lam)
        if has_test and np.any(lam <= tiny):
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
    return frac, ratio
