"""Number kinds of the activations package: the kind of a variance (exact, mpmath,
float), the sympy and mpmath backends the closed forms are written against, the
numpy ``erf`` ufunc and the float-result checks (never a silent inf/nan)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from .._utils.mpctx import mpmath
from .._utils.numbers import kind as _value_kind
from .._utils.symbolic import sympify_safe
from .._utils.validate import MAX_DPS, check_dps, check_finite_array, check_real
from ..errors import FloatRangeError, InvalidArgumentError, InvalidArgumentTypeError

_X = sp.Symbol("x", real=True)
_Q = sp.Symbol("q", positive=True)


# ---------------------------------------------------------------------------
# numpy erf (numpy has none; scipy is not a dependency): a numba ufunc built on
# first use, never at import.
# ---------------------------------------------------------------------------

_ERF_UFUNC = None


def _np_erf(x):
    global _ERF_UFUNC
    if _ERF_UFUNC is None:
        import numba

        @numba.vectorize(["float64(float64)"], cache=True)
        def _erf(v):  # pragma: no cover - compiled
            return math.erf(v)

        _ERF_UFUNC = _erf
    return _ERF_UFUNC(np.asarray(x, dtype=float))


# ---------------------------------------------------------------------------
# number kinds
# ---------------------------------------------------------------------------


def _kind(q):
    """'exact' (int, Fraction, sympy), 'mp' (mpmath) or 'float' for a value
    already accepted by :func:`_check_q`."""
    return {"exact": "exact", "sympy": "exact", "mpmath": "mp"}.get(_value_kind(q), "float")


def _to_sympy(q):
    if isinstance(q, Fraction):
        return sp.Rational(q.numerator, q.denominator)
    if isinstance(q, np.integer):
        return sp.Integer(int(q))
    return sympify_safe(q)


def _check_q(q, name="q"):
    """Validate a variance: real, finite, >= 0 (symbols are accepted), with
    the shared checker :func:`freealg._utils.validate.check_real`."""
    try:
        check_real(q, name, nonnegative=True, allow_symbol=True)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError as exc:
        if "finite" in str(exc):
            raise InvalidArgumentError(
                f"{exc}. A non-finite variance means the forward pass diverged: use a "
                "smaller sigma_w or fewer layers."
            ) from None
        raise InvalidArgumentError(f"{exc} ({name} is a variance)") from None
    kind = _kind(q)
    if kind == "exact":
        return kind, _to_sympy(q)
    return kind, q


def _check_dps(dps, name="dps"):
    # internal callers add a few guard digits to a user's dps (<= MAX_DPS)
    if dps is None:
        raise InvalidArgumentTypeError(f"{name} must be a positive integer (mpmath digits); got None")
    return check_dps(dps, name, maximum=MAX_DPS + 64)


class _MpBackend:
    """mpmath functions at the current working precision."""

    sqrt = staticmethod(mpmath.sqrt)
    erf = staticmethod(mpmath.erf)
    exp = staticmethod(mpmath.exp)
    asin = staticmethod(mpmath.asin)

    @property
    def pi(self):
        return +mpmath.pi

    @staticmethod
    def num(v):
        return mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator


class _SpBackend:
    sqrt = staticmethod(sp.sqrt)
    erf = staticmethod(sp.erf)
    exp = staticmethod(sp.exp)
    asin = staticmethod(sp.asin)
    pi = sp.pi

    @staticmethod
    def num(v):
        return _to_sympy(v)


_MP = _MpBackend()
_SP = _SpBackend()


def _float_result(val, what, q):
    """``float(val)`` of an mpmath result for a float input, checked finite."""
    out = float(val)
    if not math.isfinite(out):
        raise FloatRangeError(
            f"{what} at q = {q!r} is {mpmath.nstr(val, 6)}, outside the float64 range; pass q "
            "as mpmath.mpf (or an exact number) to get an mpmath result"
        )
    return out


def _float_array(x, name):
    """``x`` as a float array of finite entries; a non-numeric input (``None``,
    bool, text, ragged) is a typed error naming it, NaN/inf an
    InvalidArgumentError (never a silent ``nan`` result)."""
    return check_finite_array(x, name)


def _finite_np(out, what, q, q2=None):
    """``out`` if every entry is finite; otherwise an error naming the
    variance at which float64 overflowed (never a silent inf/nan)."""
    arr = np.asarray(out, dtype=float)
    bad = ~np.isfinite(arr)
    if not bad.any():
        return out
    qq = np.broadcast_to(np.asarray(q, dtype=float), arr.shape)
    if q2 is not None:
        qq = np.maximum(qq, np.broadcast_to(np.asarray(q2, dtype=float), arr.shape))
    i = int(np.flatnonzero(bad.ravel())[0])
    raise FloatRangeError(
        f"{what} at the variance q = {float(qq.ravel()[i])!r} is {arr.ravel()[i]} in float64 "
        "(the value or the quadrature overflows the float range ~1.8e308); use a smaller "
        "variance, or the mpmath path (gaussian_expectation(..., dps=...)), which has no "
        "overflow"
    )
