r"""Constants, argument checks and small number helpers shared by the verification modules.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._utils.numbers import to_float
from .._utils.validate import MAX_DEPTH, check_int, check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError


P_ACCEPT = 0.01
#: Family-wise false-alarm rate of a check report's verdict: that of one
#: two-sided 3-sigma test, ``2(1 − Φ(3)) = 0.0027`` (:func:`decide`).
FAMILY_ALPHA = 0.0027
#: |z| from which the error at one width counts as resolved.
Z_RESOLVED = 2.0
#: Relative size below which an error is floating-point rounding.
ROUNDING = 1e-12
#: Largest width a check samples (an N x N float64 matrix and O(N^3) work per trial).
MAX_WIDTH = 20_000
#: Largest number of trials per width.
MAX_TRIALS = 100_000
#: Largest number of compared moments / quadrature nodes.
MAX_MOMENTS = 200
MAX_GRID = 1_000_000


def _rng(rng):
    """A private Generator (never numpy's or Python's global random state)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(check_int(rng, "rng", minimum=0))
    raise InvalidArgumentTypeError(
        f"rng must be a numpy Generator or an integer seed >= 0; got {describe(rng)} of type "
        f"{type(rng).__name__}"
    )


def _check_count(value, name, minimum, maximum, hint):
    """A bounded integer argument (the shared checker), resource bound first."""
    return check_int(value, name, minimum=minimum, maximum=maximum, hint=hint)


def _to_float(c, what="value"):
    """A number (int, Fraction, float, mpmath, numeric sympy) as a Python float
    or complex; a symbolic value is an error naming its symbols."""
    return to_float(c, what, complex_ok=True)


def _chi2_sf(x, dof):
    """Survival function of the chi-square law (regularised upper gamma)."""
    if dof <= 0:
        return float("nan")
    from .._utils.mpctx import mpmath

    return float(mpmath.gammainc(dof / 2.0, x / 2.0, mpmath.inf, regularized=True))


def _check_widths(widths):
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise InvalidArgumentTypeError(
            f"widths must be a list of positive integers; got {describe(widths)} of type "
            f"{type(widths).__name__}")
    widths = list(widths)
    if len(widths) > 100:
        raise TooLargeError(f"widths lists {len(widths)} widths; at most 100 are supported")
    try:
        widths = [_check_count(w, f"widths[{i}]", 1, MAX_WIDTH,
                               f"a check samples N x N matrices with O(N^3) work per trial; use "
                               f"widths <= {MAX_WIDTH} (the error fits need only a few widths)")
                  for i, w in enumerate(widths)]
    except (InvalidArgumentTypeError, TooLargeError):
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(f"widths must be a non-empty list of positive integers; got {widths!r}") from None
    if not widths:
        raise InvalidArgumentError(f"widths must be a non-empty list of positive integers; got {widths!r}")
    if len(set(widths)) != len(widths):
        raise InvalidArgumentError(f"widths must be distinct; got {widths!r}")
    return widths


def _check_trials(trials, widths):
    hint = f"use trials <= {MAX_TRIALS} (the standard error falls like 1/sqrt(trials))"
    if isinstance(trials, (numbers.Integral, np.integer)) and not isinstance(trials, (bool, np.bool_)):
        trials = [_check_count(trials, "trials", None, MAX_TRIALS, hint)] * len(widths)
    else:
        if isinstance(trials, (str, bytes)) or not hasattr(trials, "__iter__"):
            raise InvalidArgumentTypeError(
                f"trials must be an integer or one integer per width; got {describe(trials)} of "
                f"type {type(trials).__name__}")
        trials = [_check_count(t, f"trials[{i}]", None, MAX_TRIALS, hint)
                  for i, t in enumerate(trials)]
        if len(trials) != len(widths):
            raise InvalidArgumentError(
                f"trials has {len(trials)} entries for {len(widths)} widths; give one per width"
            )
    if any(t < 2 for t in trials):
        raise InvalidArgumentError(
            f"trials must be >= 2 per width (a standard error needs two samples); got {trials}"
        )
    return trials


def _check_q0(q0):
    """The input variance ``q0 = ||x_0||^2/M``: a finite real >= 0."""
    return check_real(q0, "q0", nonnegative=True)


def _check_depths(depths):
    if isinstance(depths, (str, bytes)) or not hasattr(depths, "__iter__"):
        raise InvalidArgumentTypeError(
            f"depths must be a list of positive integers; got {describe(depths)} of type "
            f"{type(depths).__name__}")
    depths = list(depths)
    if not depths or len(depths) > 100:
        raise InvalidArgumentError(f"depths must list 1 to 100 depths; got {len(depths)}")
    return [_check_count(L, f"depths[{i}]", 1, MAX_DEPTH,
                         "each trial multiplies depth many N x N matrices")
            for i, L in enumerate(depths)]


def _z_of_p(p):
    """Two-sided normal quantile ``|z|`` with tail ``p`` (``inf`` for ``p = 0``)."""
    if p >= 1:
        return 0.0
    if p <= 0:
        return math.inf
    from .._utils.mpctx import mpmath

    # 1 - p must keep p's digits: enough precision for tiny tails
    with mpmath.workdps(20 + int(max(0.0, -math.log10(p)))):
        return float(mpmath.sqrt(2) * mpmath.erfinv(1 - mpmath.mpf(p)))


def _param_text(v):
    """A network parameter for a claim line: exact values as typed
    (``sqrt(2)``, ``3/2``), floats with repr."""
    return str(v) if not isinstance(v, float) else repr(v)
