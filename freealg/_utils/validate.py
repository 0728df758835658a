"""Argument validation shared by every public entry point.

Each checker takes the value and the parameter's public name, and either
returns the value in a canonical form or raises a
:class:`~freealg.errors.FreealgError` subclass whose message names the
parameter, the bad value, why it is bad and what to do instead:

- the wrong *type* raises :class:`~freealg.errors.InvalidArgumentTypeError`
  (an ``InvalidArgumentError`` that is also a ``TypeError``);
- a value outside the domain raises
  :class:`~freealg.errors.InvalidArgumentError`;
- a size that would not finish (or not fit) raises
  :class:`~freealg.errors.TooLargeError` *before* any work starts.

The numeric kind is never changed: an int stays an int, a ``Fraction`` or
sympy ``Rational`` stays exact, a float stays a float.

Examples
--------
>>> from freealg._utils.validate import check_int, check_real
>>> check_int(3, "depth", minimum=1)
3
>>> check_real(0.5, "sigma_b", nonnegative=True)
0.5
>>> check_int("3", "depth")
Traceback (most recent call last):
...
freealg.errors.InvalidArgumentTypeError: depth must be an integer; got '3' of type str
"""

from __future__ import annotations

import math
import numbers
import operator
from fractions import Fraction

import numpy as np

from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

__all__ = [
    "MAX_DEPTH",
    "MAX_DPS",
    "MAX_MOMENT_ORDER",
    "check_int",
    "check_real",
    "check_dps",
    "check_finite_array",
    "check_point",
    "check_choice",
    "check_instance",
    "describe",
    "shorten",
]

#: Largest network depth accepted anywhere (layer data is stored per layer).
MAX_DEPTH = 100_000
#: Largest number of mpmath digits accepted for a ``dps`` argument.
MAX_DPS = 1_000
#: Largest moment order an exact series computation accepts by default.
MAX_MOMENT_ORDER = 2_000


#: Longest expression (a curve, a law's repr) quoted whole in an error message.
MESSAGE_EXPR_LIMIT = 160


def shorten(text, limit=MESSAGE_EXPR_LIMIT, how=None):
    """``text`` capped at about ``limit`` characters for a message.

    The one helper every message uses to quote a long expression (a
    spectral curve with 90-digit coefficients, a law's ``repr``): the start
    and the end are kept, the middle is replaced by a note giving the full
    length and, with ``how``, how to get the whole object.

    Examples
    --------
    >>> shorten("x" * 10)
    'xxxxxxxxxx'
    >>> shorten("P(z, G) = " + "9" * 300 + "*G", 60, how="curve.polynomial")
    'P(z, G) = 99999999999999999999 ...[312 characters; the whole: curve.polynomial]... 999999999999999999*G'
    """
    text = str(text)
    if len(text) <= limit:
        return text
    head = max(1, (2 * limit) // 3 - 10)
    tail = max(1, limit - head - 10)
    note = f"{len(text):,} characters" + (f"; the whole: {how}" if how else "")
    return f"{text[:head]} ...[{note}]... {text[-tail:]}"


def describe(value, limit=60, how=None):
    """``repr(value)`` shortened to about ``limit`` characters, for messages
    (:func:`shorten`; ``how`` says how to get the whole object)."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    if len(text) > limit:
        if how is None:
            return text[: limit - 3] + "..."
        return shorten(text, limit, how)
    return text


def _type_error(name, expected, value):
    return InvalidArgumentTypeError(
        f"{name} must be {expected}; got {describe(value)} of type {type(value).__name__}"
    )


def check_int(value, name, *, minimum=None, maximum=None, hint=""):
    """Return ``value`` as a Python ``int``.

    Accepts ``int``, numpy integers and objects with ``__index__`` (not
    ``bool``).  ``maximum`` is a resource bound: exceeding it raises
    :class:`~freealg.errors.TooLargeError` with ``hint`` appended (say what is
    possible instead).

    Examples
    --------
    >>> check_int(5, "n", minimum=0)
    5
    >>> check_int(-1, "n", minimum=0)
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: n must be an integer >= 0; got -1
    """
    if isinstance(value, (bool, np.bool_)):
        raise _type_error(name, "an integer", value)
    try:
        out = operator.index(value)
    except TypeError:
        raise _type_error(name, "an integer", value) from None
    if minimum is not None and out < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}; got {out}")
    if maximum is not None and out > maximum:
        shown = out if out < 10**12 else f"~1e{len(str(out)) - 1}"
        raise TooLargeError(
            f"{name} = {shown} is larger than the supported maximum {maximum}"
            + (f"; {hint}" if hint else "")
        )
    return int(out)


def _is_sympy(value):
    try:
        import sympy
    except ImportError:  # pragma: no cover
        return False
    return isinstance(value, sympy.Basic)


def check_real(value, name, *, positive=False, nonnegative=False, allow_symbol=False,
               minimum=None, maximum=None):
    """Return a finite real ``value`` unchanged (its numeric kind kept).

    Accepts ``int``, ``Fraction``, ``float``, numpy reals, ``mpmath.mpf`` and
    real sympy numbers (and sympy symbols when ``allow_symbol``).  Rejects
    ``bool``, strings, complex numbers, NaN and infinities.

    Examples
    --------
    >>> from fractions import Fraction
    >>> check_real(Fraction(1, 3), "c", positive=True)
    Fraction(1, 3)
    >>> check_real(float("nan"), "sigma_w")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: sigma_w must be a finite real number; got nan
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise _type_error(name, "a real number", value)
    if _is_sympy(value):
        if not value.is_number:
            if allow_symbol:
                return value
            raise InvalidArgumentTypeError(
                f"{name} must be a real number; got the symbolic expression {describe(value)}"
                " (substitute numbers for its symbols)"
            )
        if value.is_real is False:
            raise InvalidArgumentError(f"{name} must be real; got {describe(value)}")
        fv = _float_of_finite(value) if value.is_finite is not False else math.inf
    else:
        from .mpctx import mpmath

        if isinstance(value, mpmath.mpf):  # any context (see _utils/mpctx.py); also a numbers.Real
            fv = _float_of_finite(value) if mpmath.isfinite(value) else math.inf
        elif isinstance(value, Fraction):
            fv = _float_of_finite(value)
        elif isinstance(value, numbers.Real):
            fv = float(value) if not isinstance(value, int) else None
        else:
            raise _type_error(name, "a real number", value)
        if isinstance(value, int):
            # huge ints are finite and exact; compare without converting
            if positive and not value > 0:
                raise InvalidArgumentError(f"{name} must be > 0; got {value}")
            if nonnegative and value < 0:
                raise InvalidArgumentError(f"{name} must be >= 0; got {value}")
            _bounds(value, value, name, minimum, maximum)
            return value
    if not math.isfinite(fv):
        raise InvalidArgumentError(f"{name} must be a finite real number; got {describe(value)}")
    if positive and not fv > 0:
        raise InvalidArgumentError(f"{name} must be > 0; got {describe(value)}")
    if nonnegative and fv < 0:
        raise InvalidArgumentError(f"{name} must be >= 0; got {describe(value)}")
    _bounds(value, fv, name, minimum, maximum)
    return value


def _float_of_finite(value):
    """float() of a finite mpmath/sympy number, saturated at the float64 maximum
    (mpf('1e600') is finite; only the comparison needs a float)."""
    try:
        fv = float(value)
    except OverflowError:  # a huge Fraction
        fv = math.inf if value > 0 else -math.inf
    return fv if math.isfinite(fv) else math.copysign(float(np.finfo(float).max), fv)


def _bounds(value, fv, name, minimum, maximum):
    if minimum is not None and fv < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum}; got {describe(value)}")
    if maximum is not None and fv > maximum:
        raise InvalidArgumentError(f"{name} must be <= {maximum}; got {describe(value)}")


def check_dps(dps, name="dps", *, maximum=MAX_DPS):
    """Return a digit count ``1 <= dps <= maximum`` (``None`` passes through).

    Examples
    --------
    >>> check_dps(30)
    30
    >>> check_dps(10**6)
    Traceback (most recent call last):
    ...
    freealg.errors.TooLargeError: dps = 1000000 is larger than the supported maximum 1000; ...
    """
    if dps is None:
        return None
    return check_int(dps, name, minimum=1, maximum=maximum,
                     hint="certification needs tens of digits, not millions; pass dps <= "
                          f"{maximum}")


def _array_of(values, name, dtype):
    """``np.asarray(values)`` with wrong types reported by name: bool, text,
    bytes, mappings, sets, ``None`` and ragged nested sequences."""
    if values is None or isinstance(values, (bool, np.bool_, str, bytes, dict, set, frozenset)):
        raise _type_error(name, f"a number or an array of {np.dtype(dtype).name} numbers", values)
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):  # ragged nesting (numpy >= 1.24), broken __array__
        raise InvalidArgumentTypeError(
            f"{name} must be a number or a rectangular array of numbers; got {describe(values)} "
            "(a ragged nested sequence or a non-numeric object)"
        ) from None
    if arr.dtype.kind in "bUSVMm":
        raise _type_error(name, f"a number or an array of {np.dtype(dtype).name} numbers", values)
    return arr


def check_finite_array(values, name, *, dtype=float):
    """Return ``values`` as a numpy array of ``dtype`` with only finite entries.

    Rejects, naming ``name``: ``bool`` values and arrays, text and bytes,
    mappings, ``None``, ragged nested sequences and non-numeric entries
    (:class:`~freealg.errors.InvalidArgumentTypeError`); NaN and infinities,
    and complex entries with a non-zero imaginary part when ``dtype`` is
    real (:class:`~freealg.errors.InvalidArgumentError`).

    Examples
    --------
    >>> check_finite_array([0.0, 1.5], "x")
    array([0. , 1.5])
    >>> check_finite_array([0.0, float("nan")], "x")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: x must be finite; entry 1 is nan
    >>> check_finite_array([[0.0, 1.0], [2.0]], "x")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentTypeError: x must be a number or a rectangular array of numbers; got [[0.0, 1.0], [2.0]] (a ragged nested sequence or a non-numeric object)
    """
    raw = _array_of(values, name, dtype)
    real = np.dtype(dtype).kind in "fiu"
    if raw.dtype == object:
        for i, v in enumerate(raw.ravel()):
            if v is None or isinstance(v, (bool, np.bool_, str, bytes)):
                raise InvalidArgumentTypeError(
                    f"{name} must be numbers; entry {i} is {describe(v)} of type {type(v).__name__}"
                )
    if real and raw.dtype.kind == "c":
        nz = raw.imag != 0  # nan and inf imaginary parts too
        if nz.any():
            idx = int(np.flatnonzero(nz.ravel())[0])
            raise InvalidArgumentError(
                f"{name} must be real; entry {idx} is {raw.ravel()[idx]} (a complex number)"
            )
        raw = raw.real
    try:
        arr = np.asarray(raw, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise _type_error(name, f"an array of {np.dtype(dtype).name} numbers", values) from None
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = int(np.flatnonzero(bad.ravel())[0])
        raise InvalidArgumentError(f"{name} must be finite; entry {idx} is {arr.ravel()[idx]}")
    return arr


def check_mp_entries(values, name, what="numbers"):
    """``values`` as an object array whose entries are finite mpmath-convertible
    numbers (InvalidArgumentTypeError / InvalidArgumentError naming the first
    bad entry); the entrywise check for mpmath inputs.

    Examples
    --------
    >>> check_mp_entries([1, 2.5], "x").tolist()
    [1, 2.5]
    """
    from .mpctx import mpmath

    arr = np.asarray(values, dtype=object)
    for i, v in enumerate(arr.ravel()):
        try:
            mv = mpmath.mpmathify(v)
        except (TypeError, ValueError):
            raise InvalidArgumentTypeError(
                f"{name} must be {what}; entry {i} is {describe(v)} of type {type(v).__name__}"
            ) from None
        if not mpmath.isfinite(mv):
            raise InvalidArgumentError(f"{name} must be finite; entry {i} is {v}")
    return arr


def check_point(value, name, *, symbols=None, allow_none=True, allow_array=True):
    """Check a transform or evaluation point (``w``, ``z``, ``G``).

    The one converter behind ``Law.s_transform``/``r_transform``,
    ``SpectralCurve.evaluate`` and the curve transforms.  Returns

    - ``None`` (when ``allow_none``);
    - a sympy expression: text is parsed by the safe grammar (``symbols``
      names the allowed symbols); a sympy *number* must be finite;
    - a finite scalar number unchanged in kind (``int``, ``Fraction``,
      ``float``, ``complex``, numpy scalars, mpmath numbers);
    - a numpy complex array of finite entries (from a list, tuple or array;
      only when ``allow_array``), or an object array of finite mpmath
      numbers.

    Raises
    ------
    InvalidArgumentTypeError
        For ``bool``, bytes, mappings, sets, sympy non-expressions (booleans,
        containers), ragged or non-numeric arrays, or an array where only a
        scalar is accepted.
    InvalidArgumentError
        For NaN or an infinity (a scalar, an entry, or a sympy ``oo``/``zoo``).

    Examples
    --------
    >>> from freealg._utils.validate import check_point
    >>> check_point(0.5, "w")
    0.5
    >>> check_point([0.5, 1], "w")
    array([0.5+0.j, 1. +0.j])
    >>> check_point(True, "w")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentTypeError: w must be a number, an array of numbers or a sympy expression; got True of type bool
    >>> check_point(float("inf"), "w")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: w must be finite; got inf
    """
    expected = ("a number, an array of numbers or a sympy expression" if allow_array
                else "a number or a sympy expression")
    if value is None:
        if allow_none:
            return None
        raise _type_error(name, expected, value)
    if isinstance(value, (bool, np.bool_, bytes, dict, set, frozenset)):
        raise _type_error(name, expected, value)
    if isinstance(value, str):
        from .symbolic import sympify_safe

        value = sympify_safe(value, name, symbols)
    if _is_sympy(value):
        import sympy

        if not isinstance(value, sympy.Expr):  # BooleanTrue, Dict, Tuple, sets, relations
            raise _type_error(name, expected, value)
        if value.is_number and value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise InvalidArgumentError(f"{name} must be finite; got {describe(value)}")
        return value
    from .mpctx import mpmath

    if isinstance(value, (mpmath.mpf, mpmath.mpc)):
        if not mpmath.isfinite(value):
            raise InvalidArgumentError(f"{name} must be finite; got {describe(value)}")
        return value
    if isinstance(value, numbers.Number):
        if isinstance(value, numbers.Integral):
            return value
        if isinstance(value, Fraction):
            return value
        try:
            c = complex(value)
        except (TypeError, ValueError, OverflowError):
            raise _type_error(name, expected, value) from None
        if not (math.isfinite(c.real) and math.isfinite(c.imag)):
            raise InvalidArgumentError(f"{name} must be finite; got {describe(value)}")
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        if not allow_array:
            raise InvalidArgumentTypeError(
                f"{name} must be a single number or a sympy expression here; got the sequence "
                f"{describe(value)} (evaluate one point at a time)"
            )
        raw = _array_of(value, name, complex)
        if raw.dtype == object and any(isinstance(v, (mpmath.mpf, mpmath.mpc)) for v in raw.ravel()):
            return check_mp_entries(raw, name)
        return check_finite_array(raw, name, dtype=complex)
    raise _type_error(name, expected, value)


def check_instance(value, name, cls, expected):
    """Return ``value`` if it is an instance of ``cls``; otherwise raise
    :class:`~freealg.errors.InvalidArgumentTypeError` saying what was
    ``expected`` (e.g. ``"an MLP, e.g. freealg.MLP(3, 'relu')"``).

    Examples
    --------
    >>> check_instance(3, "n", int, "an int")
    3
    >>> check_instance("3", "n", int, "an int")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentTypeError: n must be an int; got '3' of type str
    """
    if not isinstance(value, cls):
        raise _type_error(name, expected, value)
    return value


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices`` (strings compared exactly).

    Examples
    --------
    >>> check_choice("psg", "convention", ("preactivation", "psg"))
    'psg'
    """
    if not isinstance(value, str):
        raise _type_error(name, f"one of {', '.join(map(repr, choices))}", value)
    if value not in choices:
        raise InvalidArgumentError(
            f"{name} must be one of {', '.join(map(repr, choices))}; got {describe(value)}"
        )
    return value
