r"""The edge of chaos: critical ``σ_w`` and phase-diagram data (docs/theory.md §4).

On the critical line ``χ = σ_w² ∫Dz phi'(√q* z)² = 1``.
"""

from __future__ import annotations

import math

from .._utils.mpctx import mpmath
import numpy as np

from .._utils.validate import check_finite_array, describe
from ..activations import FloatRangeError, get_activation
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError
from ._mf_engine import _FLOAT_RANGE_HINT, _bracket_root, _Eng

#: Largest number of sigma_b grid points in :func:`critical_line` (one root
#: solve each).
MAX_GRID = 100_000

__all__ = ["critical_sigma_w", "critical_line"]


# ---------------------------------------------------------------------------


def _critical(act, sb, eng):
    """(sigma_w, q*) with chi = 1 at q*, or None if no edge of chaos."""
    sb2 = eng.num(sb) * eng.num(sb)
    if not eng.mp and not (math.isfinite(sb2) and (sb == 0 or sb2 >= np.finfo(float).tiny)):
        raise FloatRangeError(
            f"sigma_b**2 = {describe(sb)}**2 is outside the normal float64 range; {_FLOAT_RANGE_HINT}"
        )
    if act.positively_homogeneous:
        if sb2 != 0:
            return None
        c2 = eng.E(act, "dphi2", eng.num(1))
        return 1 / c2 ** eng.num(0.5), eng.num(0)

    # on the line: sigma_w^2 = 1/E[phi'^2](q) and q = sigma_w^2 E[phi^2](q) + sigma_b^2
    def h(q):
        d2 = eng.E(act, "dphi2", q)
        if d2 == 0:
            return eng.inf
        return q - eng.E(act, "phi2", q) / d2 - sb2

    zero = eng.num(0)
    h0 = h(zero)
    if h0 == 0:
        q = zero
    else:
        lo, hlo = zero, h0
        if hlo > 0:
            return None
        hi = eng.num(1) / 64
        if sb2 > hi:
            # h(sb2) = -E[phi^2]/E[phi'^2] <= 0: start the search at q = sigma_b^2
            # (60 doublings from 1/64 stop at 2^54 and missed large sigma_b)
            hsb = h(sb2)
            if hsb >= 0:
                return _finish(act, _bracket_root(h, lo, hlo, sb2, hsb, eng), eng)
            lo, hlo, hi = sb2, hsb, 2 * sb2
        q = None
        for _ in range(60):
            if not eng.mp and not math.isfinite(hi):
                raise FloatRangeError(
                    f"the critical q* for sigma_b = {describe(sb)} is beyond the float64 range; "
                    f"{_FLOAT_RANGE_HINT}"
                )
            hhi = h(hi)
            if hhi >= 0:
                q = _bracket_root(h, lo, hlo, hi, hhi, eng)
                break
            lo, hlo = hi, hhi
            hi = 2 * hi
        if q is None:
            return None
    return _finish(act, q, eng)


def _finish(act, q, eng):
    d2 = eng.E(act, "dphi2", q)
    if d2 <= 0:
        return None
    return 1 / d2 ** eng.num(0.5), q


def critical_sigma_w(activation, sigma_b=0.0, *, dps=None, **activation_params):
    r"""The ``σ_w`` on the edge of chaos: ``χ(σ_w, σ_b) = 1`` at ``q*``.

    On the critical line ``σ_w² = 1/∫Dz phi'(√q z)²`` where ``q`` solves
    ``q = ∫Dz phi(√q z)² / ∫Dz phi'(√q z)² + σ_b²`` (the fixed-point
    equation with ``χ = 1`` substituted); this 1-D equation is bracketed from
    ``q = 0`` upwards and solved to full precision.

    * relu, leaky_relu(a), linear: the q-map is linear, so the edge of chaos
      exists only at ``σ_b = 0``: ``σ_w = √2`` (relu), ``√(2/(1 + a²))``,
      ``1``.  For ``σ_b > 0`` there is none (``χ = 1`` makes ``q^ℓ`` grow
      without bound) and an error is raised.
    * tanh, hardtanh (``σ_w = 1`` at ``σ_b = 0``), erf (``√π/2``), ...

    Parameters
    ----------
    activation : str, sympy expression or Activation
        See :func:`freealg.get_activation`.
    sigma_b : real >= 0, optional
        Bias standard deviation (default ``0.0``).
    dps : int or None, optional
        ``None``: float (exact sympy for the homogeneous activations when
        ``σ_b`` is an exact zero, e.g. the int ``0``); an integer
        ``1..1000``: ``mpmath.mpf`` at that many digits.
    **activation_params
        Parameters of a named activation, e.g. ``slope=0.5`` for
        ``'leaky_relu'``.

    Returns
    -------
    float, mpmath.mpf or sympy expression
        The critical ``σ_w``.

    Raises
    ------
    InvalidArgumentError
        When the activation has no edge of chaos at this ``σ_b`` (e.g.
        relu with ``σ_b > 0``), ``σ_b < 0`` or not finite, or unexpected
        activation parameters.
    InvalidArgumentTypeError
        A non-numeric ``σ_b`` or a non-integer ``dps``.
    UnknownActivationError
        An unknown activation name.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float computation overflows (``σ_b²`` outside the normal
        float64 range, or a critical ``q*`` beyond it); pass ``dps``.

    Examples
    --------
    >>> import freealg
    >>> freealg.critical_sigma_w("relu", 0)
    sqrt(2)
    >>> import sympy
    >>> freealg.critical_sigma_w("leaky_relu", 0, slope=sympy.Rational(1, 2))   # √(2/(1 + 1/4))
    2*sqrt(10)/5
    >>> freealg.critical_sigma_w("tanh", 0.0)
    1.0
    >>> round(freealg.critical_sigma_w("erf", 0.0), 14)    # sqrt(pi)/2
    0.88622692545276
    """
    act = get_activation(activation, **activation_params)
    from .mlp import _check_real
    _check_real(sigma_b, "sigma_b", nonnegative=True)
    eng = _Eng(dps)
    if dps is None and act.positively_homogeneous and sigma_b == 0 and (
            isinstance(sigma_b, int) or type(sigma_b).__module__.startswith(("sympy", "fractions"))):
        import sympy
        c2 = act.gaussian_expectation("dphi2", 1)  # exact when the slope is exact
        if isinstance(c2, sympy.Basic) and c2.is_Rational:
            return sympy.sqrt(1 / c2)
    with eng.ctx():
        try:
            res = _critical(act, sigma_b, eng)
        except OverflowError as exc:
            raise FloatRangeError(f"critical_sigma_w overflowed ({exc}); {_FLOAT_RANGE_HINT}") from None
        if res is None:
            why = ("its q-map is linear (q -> chi q + sigma_b^2), so at chi = 1 the variance grows "
                   "without bound; the edge of chaos is the single point sigma_b = 0"
                   if act.positively_homogeneous else
                   "q - E[phi^2]/E[phi'^2] never reaches sigma_b^2")
            raise InvalidArgumentError(
                f"{act!r} has no edge of chaos at sigma_b = {sigma_b!r}: {why}"
            )
        return eng.done(res[0])


def _critical_point(task):
    """One grid point of :func:`critical_line` (module level: picklable)."""
    act, sb, dps = task
    eng = _Eng(dps)
    with eng.ctx():
        res = _critical(act, sb, eng)
        if res is None:
            return None
        return eng.done(res[0]), eng.done(res[1])


def critical_line(activation, sigma_b, *, dps=None, n_jobs=1, executor=None, progress=None,
                  **activation_params):
    r"""Phase-diagram data: the critical ``σ_w`` over a grid of ``σ_b``.

    Parameters
    ----------
    activation : str, sympy expression or Activation
    sigma_b : array-like of reals >= 0
        The grid of bias standard deviations (a scalar is one point; at
        most 100000 points).
    dps : int or None, optional
        ``None`` (default): float64 arrays; an integer ``1..1000``: object
        arrays of ``mpmath.mpf`` at that many digits.
    n_jobs : int, optional
        Local processes for the grid points (``-1``: every core; default 1).
    executor : concurrent.futures executor or dask.distributed.Client, optional
        Run the grid points there instead (the results are identical).
    progress : None, bool or callable, optional
        A tqdm bar (``None``: when standard error is a terminal), or a
        callable ``progress(done, total)``.
    **activation_params
        Parameters of a named activation, e.g. ``slope=0.5`` for
        ``'leaky_relu'``.

    Returns
    -------
    dict
        ``sigma_b``, ``sigma_w`` (critical, ``nan`` where no edge of chaos
        exists, flagged by ``exists``), ``q_star`` (``q*`` on the line) and
        ``exists`` (bool array), all numpy arrays (object arrays of mpf when
        ``dps`` is given).  The ordered phase lies below the curve
        (``σ_w < σ_w^crit``), the chaotic phase above.

    Raises
    ------
    InvalidArgumentTypeError
        A non-numeric ``sigma_b`` (e.g. a string), a non-integer ``dps``,
        or a bad ``n_jobs`` / ``progress``.
    InvalidArgumentError
        A negative or non-finite ``sigma_b``, a grid that is not 1-D,
        ``n_jobs = 0``, or unexpected activation parameters.
    UnknownActivationError
        An unknown activation name.
    TooLargeError
        More than 100000 grid points, or ``dps > 1000``.
    FloatRangeError
        The float computation overflows at a grid point; pass ``dps``.

    Examples
    --------
    >>> import freealg
    >>> d = freealg.critical_line("relu", [0.0, 0.5])
    >>> d["sigma_w"], d["exists"]
    (array([1.41421356,        nan]), array([ True, False]))
    """
    act = get_activation(activation, **activation_params)
    eng = _Eng(dps)
    if isinstance(sigma_b, (str, bytes)):
        raise InvalidArgumentTypeError(
            f"sigma_b must be a real number or an array of them; got {describe(sigma_b)} of type str"
        )
    if dps is None:
        sbs = np.atleast_1d(check_finite_array(sigma_b, "sigma_b"))
    else:
        sbs = np.atleast_1d(np.asarray(sigma_b, dtype=object))
    if sbs.ndim != 1:
        raise InvalidArgumentError(f"sigma_b must be a number or a 1-D array; got shape {sbs.shape}")
    if sbs.size > MAX_GRID:
        raise TooLargeError(
            f"sigma_b has {sbs.size} grid points, more than the supported maximum {MAX_GRID} "
            "(one root solve each); use a coarser grid"
        )
    from .._utils.progress import map_tasks
    from .mlp import _check_real

    with eng.ctx():
        for sb in sbs:
            _check_real(sb if dps is not None else float(sb), "sigma_b", nonnegative=True)
    results = map_tasks(_critical_point, [(act, sb, dps) for sb in sbs], n_jobs=n_jobs,
                        executor=executor, progress=progress, desc="critical line")
    sw, qs, ok = [], [], []
    with eng.ctx():
        for res in results:
            if res is None:
                sw.append(math.nan if dps is None else mpmath.nan)
                qs.append(math.nan if dps is None else mpmath.nan)
                ok.append(False)
            else:
                sw.append(res[0])
                qs.append(res[1])
                ok.append(True)
    dt = float if dps is None else object
    return {"sigma_b": sbs, "sigma_w": np.array(sw, dtype=dt), "q_star": np.array(qs, dtype=dt),
            "exists": np.array(ok, dtype=bool)}
