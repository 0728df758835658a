"""Vectorised predictor-corrector continuation down vertical lines (private).

Both density engines (algebraic curves in :mod:`freealg.density`, functional
equations in :mod:`freealg.functional`) compute the physical branch at a point
``z = x + i y`` (``y >= 0``) the same way: start high above the point, at
``x + i Y0`` where the branch is known from its expansion at infinity
(``G ~ 1/z``), and walk straight down to ``x + i y`` with adaptive geometric
steps in ``y``.  The physical branch is analytic in the upper half plane, so
this path is an analytic continuation from ``i oo``.  Each step

* predicts the new value on log-log axes, ``u1 = u0 (z1/z0)**s`` with
  ``s = z0 u0'(z0) / u0`` (exact for power laws, so both ``G ~ 1/z`` far away
  and ``G ~ z**(-alpha)`` at a hard edge are followed with large steps),
* corrects it with Newton's method (iteration cap, rounding-aware stopping),
* accepts it only if the correction stays inside a fraction ``kappa`` of the
  basin radius the problem reports (for polynomials ``0.219/gamma`` from
  Smale's gamma, a lower bound on the distance to any other root) and the
  branch guards hold (``Im G <= 0`` and the like); otherwise the step is
  shortened.  Easy steps lengthen the next one (up to a factor ``fmax``).

To reach the real axis (``y = 0``) the walk jumps from ``x + i y`` to ``x``
once ``y`` is small against ``|x|`` and the predicted change is a small
fraction of the basin radius; a rejected jump is retried after further steps.

A problem object supplies ``nvar`` (number of complex unknowns, the first one
is the "primary" variable whose basin is checked) and the methods
``start(z)``, ``newton(U, z)``, ``log_tangent(U, z)``, ``radius(U, z)`` and
``guard(U, z, err)``; optionally ``correct(U, z)`` (Newton, then radius,
guards and log tangent at the result in one pass) and ``predict(U0, s, z0,
z1, y0, y1, Up, yp, xa)`` (its own predictor, see :func:`_predict`); see
:class:`Problem`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Problem", "Track", "descend", "newton_loop", "EPS"]

EPS = float(np.finfo(float).eps)

# status codes
OK = 0
START_FAILED = 1
STEP_UNDERFLOW = 2
MAX_ROUNDS = 3
INSEPARABLE = 4

STATUS_TEXT = {
    OK: "ok",
    START_FAILED: "no certified start near z = i*inf",
    STEP_UNDERFLOW: "step size underflow (the basin check or a branch guard kept failing)",
    MAX_ROUNDS: "iteration cap reached",
    INSEPARABLE: "roots closer than the float64 error (needs mpmath)",
}


class Problem:  # pragma: no cover - documentation of the interface
    """Interface of a continuation problem (all methods vectorised over points).

    ``U`` is a complex array of shape ``(n, nvar)``; ``z`` has shape ``(n,)``.
    """

    nvar = 1

    def start(self, z):
        """Initial guess at points far above the axis (from the series at oo)."""

    def newton(self, U, z):
        """Newton's method from ``U``; returns ``(U, converged, err, resid)``:
        ``err`` bounds the absolute error of the primary variable, ``resid``
        is a relative backward residual."""

    def log_tangent(self, U, z):
        """Logarithmic derivative ``z U'(z) / U`` along the branch (scale
        free, so it does not overflow where ``U`` is huge)."""

    def radius(self, U, z):
        """Basin radius of the primary variable (distance within which no
        other solution lies, or a conservative estimate of it)."""

    def guard(self, U, z, err):
        """Boolean array: the branch conditions hold."""


class Track:
    """Result of :func:`descend` (arrays of length ``n``)."""

    def __init__(self, n, nvar):
        self.U = np.zeros((n, nvar), complex)
        self.err = np.full(n, np.inf)
        self.resid = np.full(n, np.inf)
        self.radius = np.zeros(n)
        self.status = np.full(n, START_FAILED, dtype=np.int8)
        self.y = np.full(n, np.nan)
        self.steps = np.zeros(n, dtype=np.int64)
        self.rejected = np.zeros(n, dtype=np.int64)
        self.s = None  # log tangent at U (problems with ``correct``)

    @property
    def ok(self):
        return self.status == OK

    def failures(self, z):
        """Human-readable list of failed points."""
        out = []
        for k in np.nonzero(self.status != OK)[0][:5]:
            out.append(f"z = {complex(z[k]):.6g}: {STATUS_TEXT[int(self.status[k])]}")
        return out


def newton_loop(U, z, step, maxit=40):
    """Vectorised Newton iteration over the points that have not converged.

    The one driver of the engines' ``newton`` methods: each engine supplies
    its own equations through ``step``, the loop keeps the active set and the
    bookkeeping.

    Parameters
    ----------
    U : complex ndarray, shape ``(n, nvar)``
        Starting values (not modified).
    z : complex ndarray, shape ``(n,)``
        The points.
    step : callable
        ``step(Ua, za, dprev) -> (D, ad, err, res, done)`` at the active
        points: the Newton correction ``D`` (added to ``Ua``), its size ``ad``
        (remembered as ``dprev`` for the next call), the error bound ``err``
        and relative residual ``res`` of the corrected value, and the
        convergence test ``done`` (boolean).  A correction with a non-finite
        entry fails the point.
    maxit : int, optional
        Iteration cap.

    Returns
    -------
    U, converged, err, resid : ndarrays
        The iterates, which points converged, their error bounds and
        residuals (``inf`` where never evaluated).
    """
    U = U.copy()
    n = U.shape[0]
    conv = np.zeros(n, bool)
    failed = np.zeros(n, bool)
    err = np.full(n, np.inf)
    resid = np.full(n, np.inf)
    dprev = np.full(n, np.inf)
    act = np.arange(n)
    for _ in range(maxit):
        if act.size == 0:
            break
        D, ad, e, res, done = step(U[act], z[act], dprev[act])
        bad = ~np.all(np.isfinite(D), axis=1)
        ok = ~bad
        U[act[ok]] = U[act[ok]] + D[ok]
        done = ok & done
        err[act] = e
        resid[act] = res
        dprev[act] = ad
        conv[act[done]] = True
        failed[act[bad]] = True
        act = act[~(done | bad)]
    return U, conv & ~failed, err, resid


def _loglog_predict(U0, s, z0, z1):
    """Log-log predictor ``U0 (z1/z0)**s`` with ``s = z U'/U``; first order
    (``U0 (1 + s (z1 - z0)/z0)``) where ``z1 == 0``."""
    zero_target = z1 == 0
    with np.errstate(all="ignore"):
        lz = np.log(np.where(zero_target, 1.0, z1) / z0)
        pred = U0 * np.exp(s * lz[:, None])
        euler = U0 * (1.0 + s * ((z1 - z0) / z0)[:, None])
    return np.where(zero_target[:, None], euler, pred)


def _predict(problem, walk, idx, U0, s, z0, z1, y0, y1):
    """The predictor of one step: the problem's own ``predict`` when it has
    one (given the last accepted state before ``U0`` as ``Up, yp`` and the
    scale ``|x|``, e.g. the compiled selection of
    :func:`freealg.density._mul_kernels.predict`), else the log-log one.
    (The branch guards and the basin test of the corrected value decide
    acceptance as for any predictor.)"""
    if hasattr(problem, "predict"):
        return problem.predict(U0, s, z0, z1, y0, y1, walk.Uprev[idx], walk.yprev[idx], walk.xa[idx])
    return _loglog_predict(U0, s, z0, z1)


def _assess(problem, U, z, err):
    """``(radius, guard)``, in one call when the problem offers ``assess``."""
    if hasattr(problem, "assess"):
        return problem.assess(U, z, err)
    return problem.radius(U, z), problem.guard(U, z, err)


def descend(problem, x, y_end, *, Y0, xscale, kappa=0.25, fmax=1e3, max_rounds=4000,
            max_steps=600):
    """Continue the physical branch from ``x + i*Y0`` down to ``x + i*y_end``.

    Parameters
    ----------
    problem : Problem
    x, y_end : 1-D float arrays (``y_end >= 0``; ``0`` means the boundary
        value on the real axis)
    Y0 : float
        Start height (far above the support).
    xscale : float
        Length scale used for the jump test at ``x = 0``.

    Returns
    -------
    Track
    """
    x = np.asarray(x, float)
    y_end = np.asarray(y_end, float)
    n = x.size
    tr = Track(n, problem.nvar)
    if n == 0:
        return tr
    active = _start(problem, tr, x, y_end, Y0, kappa)
    walk = _Walk(x, y_end, xscale, kappa, fmax)
    walk.Uprev = np.zeros_like(tr.U)
    rounds = 0
    while active.any():
        rounds += 1
        if rounds > max_rounds:
            tr.status[active] = MAX_ROUNDS
            break
        _round(problem, tr, walk, active, max_steps)
    return tr


def _start(problem, tr, x, y_end, Y0, kappa):
    """Certified start at ``x + i max(Y0, 4 y_end)`` from the series at
    infinity (Newton, basin and guards); fills ``tr`` and returns the points
    that still have to walk down."""
    y = np.maximum(Y0, 4.0 * y_end)
    z = x + 1j * y
    guess = problem.start(z)
    if hasattr(problem, "correct"):
        U, conv, err, resid, r, guard, tr.s = problem.correct(guess, z)
    else:
        U, conv, err, resid = problem.newton(guess.copy(), z)
        r, guard = _assess(problem, U, z, err)
    good = conv & guard & (np.abs(U[:, 0] - guess[:, 0]) <= kappa * r)
    tr.U[:] = U
    tr.err[:] = err
    tr.resid[:] = resid
    tr.radius[:] = r
    tr.y[:] = y
    tr.status[:] = np.where(good, OK, START_FAILED)
    return good & (y > y_end)


class _Walk:
    """The walk's fixed data and its per-point step state: the step factor
    ``f`` (``y1 = y0 / f``) and ``nojump`` (a rejected jump to the axis is not
    retried before the next accepted step)."""

    def __init__(self, x, y_end, xscale, kappa, fmax):
        n = x.size
        self.x, self.y_end, self.kappa, self.fmax = x, y_end, kappa, fmax
        self.f = np.full(n, 8.0)
        self.nojump = np.zeros(n, bool)
        self.xa = np.where(x != 0, np.abs(x), 1e-2 * xscale)
        # the previous accepted state (for a problem's own predictor)
        self.Uprev = None
        self.yprev = np.full(n, np.nan)


def _next_heights(walk, idx, y0, z0, s, U0, r0):
    """Target heights ``y1`` of one step at the points ``idx``, and which of
    them jump to the axis (``jump``; ``forced`` when the step would underflow
    anyway): a jump once ``y`` is small against ``|x|`` and the predicted
    change is a small fraction of the basin radius."""
    kappa, xa = walk.kappa, walk.xa[idx]
    ye = walk.y_end[idx]
    y1 = y0 / walk.f[idx]
    to_axis = ye == 0
    forced = to_axis & (y1 < 1e-17 * xa)
    jump = forced | (
        to_axis
        & (y0 <= 1e-2 * xa)
        & (np.abs(s[:, 0] * U0[:, 0]) * (y0 / np.abs(z0)) <= 0.05 * kappa * r0)
        & ~walk.nojump[idx]
    )
    y1 = np.where(jump, 0.0, y1)
    y1 = np.where(~to_axis & (y1 <= ye * (1 + 1e-12)), ye, y1)
    return y1, jump, forced


def _round(problem, tr, walk, active, max_steps):
    """One predictor-corrector step at every active point: accepted steps
    move ``tr`` down and lengthen the next step, rejected ones shorten it;
    points that arrive or fail leave ``active``."""
    x, kappa, f, nojump = walk.x, walk.kappa, walk.f, walk.nojump
    idx = np.nonzero(active)[0]
    y0 = tr.y[idx]
    U0 = tr.U[idx]
    z0 = x[idx] + 1j * y0
    fused = hasattr(problem, "correct")
    s = tr.s[idx] if fused else problem.log_tangent(U0, z0)
    y1, jump, forced = _next_heights(walk, idx, y0, z0, s, U0, tr.radius[idx])
    z1 = x[idx] + 1j * y1
    pred = _predict(problem, walk, idx, U0, s, z0, z1, y0, y1)
    if fused:
        U1, conv, err, resid, r1, guard, s1 = problem.correct(pred, z1)
    else:
        U1, conv, err, resid = problem.newton(pred.copy(), z1)
        r1, guard = _assess(problem, U1, z1, err)
    dist = np.abs(U1[:, 0] - pred[:, 0])
    finite = np.all(np.isfinite(U1), axis=1)
    # a correction bigger than the basin, a broken guard, or a float64
    # value with no correct digits (cancellation) rejects the step
    accurate = err <= 1e-4 * np.abs(U1[:, 0])
    acc = conv & finite & accurate & guard & (dist <= kappa * r1)
    easy = dist <= 0.01 * kappa * r1
    ia = idx[acc]
    walk.Uprev[ia] = U0[acc]
    walk.yprev[ia] = y0[acc]
    tr.U[ia] = U1[acc]
    if fused:
        tr.s[ia] = s1[acc]
    tr.err[ia] = err[acc]
    tr.resid[ia] = resid[acc]
    tr.radius[ia] = r1[acc]
    tr.y[ia] = y1[acc]
    tr.steps[ia] += 1
    fa = f[ia]
    f[ia] = np.where(easy[acc], np.minimum(fa * fa, walk.fmax), np.minimum(2 * fa, walk.fmax))
    nojump[ia] = False
    rej = ~acc
    ir = idx[rej]
    tr.rejected[ir] += 1
    # a rejected jump keeps the step factor and is not retried until
    # the next accepted step; a rejected ordinary step is shortened
    f[ir] = np.where(jump[rej] & ~forced[rej], f[ir], np.sqrt(f[ir]))
    nojump[ir] |= jump[rej]
    done = ia[tr.y[ia] <= walk.y_end[ia]]
    active[done] = False
    under = ir[f[ir] < 1.0 + 1e-4]
    tr.status[under] = STEP_UNDERFLOW
    active[under] = False
    # float64 cannot tell the root from its neighbours: give up early
    insep = idx[conv & finite & (err > kappa * r1) & ~jump]
    tr.status[insep] = INSEPARABLE
    active[insep] = False
    cap = idx[tr.steps[idx] + tr.rejected[idx] >= max_steps]
    tr.status[cap[active[cap]]] = MAX_ROUNDS
    active[cap] = False
