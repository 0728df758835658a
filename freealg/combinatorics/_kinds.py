"""Number kinds of moment and cumulant sequences (private).

Validation of the sequences :mod:`freealg.combinatorics` converts, and the
rules that keep their number kind: exact inputs (``int``,
``fractions.Fraction``, sympy numbers and symbols) give exact outputs, mpmath
inputs give mpmath numbers, floats give floats; integer inputs give ``int``
outputs when every output is an integer, else ``Fraction``.  Float overflow
is detected and raised (:func:`_float_guard`), never returned as inf/nan.
"""

from __future__ import annotations

import functools
import math
import numbers
from fractions import Fraction

from .._utils.numbers import kind_of
from .._utils.symbolic import sympify_safe
from .._utils.validate import MAX_MOMENT_ORDER, describe
from ..errors import InvalidArgumentTypeError, InvalidSequenceError, TooLargeError


def _is_sympy(x):
    return type(x).__module__.startswith("sympy")


def _is_mpmath(x):
    return type(x).__module__.startswith("mpmath")


def _kind_of(values):
    """Classify a list of scalars: 'sympy', 'mpmath', 'float' or 'exact'."""
    return kind_of(values)


class _EntryTypeError(InvalidSequenceError, InvalidArgumentTypeError):
    """A sequence entry of the wrong type: an :class:`InvalidSequenceError`
    and an :class:`InvalidArgumentTypeError` (hence also a ``TypeError``)."""


def _check_scalar(v, name, i):
    if _is_sympy(v) or _is_mpmath(v) or (
        isinstance(v, numbers.Number) and not isinstance(v, bool)
        and type(v).__name__ != "bool_"
    ):
        return
    raise _EntryTypeError(
        f"{name}[{i}] (order {i + 1}) must be a number (int, Fraction, float, "
        f"mpmath or sympy); got {describe(v)} of type {type(v).__name__}"
    )


def _overflow_message(func, what, size, order):
    where = f" at order {order}" if order is not None else ""
    return (
        f"overflow in {func}: {what} of size {size} exceed the float64 range{where}; "
        "pass exact ints/Fractions (or mpmath numbers) or rescale the law "
        "(moments of c·X are c^k m_k)"
    )


def _size(seqs):
    """The largest absolute entry of the input sequences, for messages."""
    best, huge = 0.0, None
    for seq in seqs:
        if not isinstance(seq, (list, tuple)):
            continue
        for v in seq:
            try:
                best = max(best, abs(complex(v)))
            except OverflowError:  # an int (or Fraction) beyond the float range
                digits = len(str(abs(int(v)))) - 1
                huge = digits if huge is None else max(huge, digits)
            except (TypeError, ValueError):
                continue
    return f"~1e{huge}" if huge is not None else f"{best:.3g}"


def _float_guard(what):
    """Decorator: float arithmetic that overflows raises
    :class:`InvalidSequenceError` (Python floats overflow silently to ``inf``
    and then ``nan``; an ``int`` too large for a float raises OverflowError)."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                out = fn(*args, **kwargs)
            except OverflowError:
                raise InvalidSequenceError(
                    _overflow_message(fn.__name__, what, _size(args[:2]), None)
                ) from None
            for k, v in enumerate(out):
                if isinstance(v, (float, complex)) and not (
                    math.isfinite(v.real) and math.isfinite(v.imag)
                ):
                    raise InvalidSequenceError(
                        _overflow_message(fn.__name__, what, _size(args[:2]), k + 1)
                    )
            return out

        return wrapper

    return deco


def _prepare(*seqs, names=None):
    """Validate sequences and convert them to one common number kind.

    Returns ``(kind, all_int, converted_seqs)``.
    """
    names = names or ["sequence"] * len(seqs)
    flat = []
    lists = []
    for seq, name in zip(seqs, names):
        if isinstance(seq, (str, bytes)):
            raise InvalidSequenceError(f"{name} must be a sequence of numbers; got the string {seq!r}")
        try:
            lst = list(seq)
        except TypeError:
            raise InvalidSequenceError(
                f"{name} must be a sequence of numbers starting at order 1; got {seq!r}"
            ) from None
        if not lst:
            raise InvalidSequenceError(
                f"{name} is empty; pass at least one value (order 1 first)"
            )
        if len(lst) > MAX_MOMENT_ORDER:
            raise TooLargeError(
                f"{name} has {len(lst)} values, more than the supported maximum "
                f"{MAX_MOMENT_ORDER} (the conversions cost O(n^3) operations); pass at most "
                f"{MAX_MOMENT_ORDER} orders"
            )
        for i, v in enumerate(lst):
            _check_scalar(v, name, i)
        lists.append(lst)
        flat.extend(lst)
    kind = _kind_of(flat)
    all_int = kind == "exact" and all(
        isinstance(v, int) or (hasattr(v, "dtype") and v.dtype.kind in "iu") for v in flat
    )
    conv = [_convert(lst, kind, name) for lst, name in zip(lists, names)]
    return kind, all_int, conv


def _convert(lst, kind, name):
    if kind == "sympy":
        import sympy

        return [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympify_safe(v)
                for v in lst]
    if kind == "mpmath":
        from .._utils.mpctx import mpmath

        out = []
        for v in lst:
            if isinstance(v, Fraction):
                out.append(mpmath.mpf(v.numerator) / v.denominator)
            else:
                out.append(mpmath.mpmathify(v))
        return out
    if kind == "float":
        out = []
        for i, v in enumerate(lst):
            c = complex(v)
            if not (math.isfinite(c.real) and math.isfinite(c.imag)):
                raise InvalidSequenceError(f"{name}[{i}] (order {i + 1}) is not finite: {v!r}")
            out.append(c.real if c.imag == 0 and not isinstance(v, complex) else c)
        return out
    out = []
    for v in lst:
        if isinstance(v, Fraction):
            out.append(v)
        else:
            out.append(int(v) if not isinstance(v, numbers.Rational) else Fraction(v))
    return out


def _finish(values, kind, all_int):
    """Normalise outputs: ints stay ints when possible; sympy gets expanded."""
    if kind == "sympy":
        import sympy

        return [sympy.expand(v) for v in values]
    if kind == "exact":
        fr = [Fraction(v) for v in values]
        if all_int and all(f.denominator == 1 for f in fr):
            return [int(f) for f in fr]
        return fr
    return list(values)


def _one(kind):
    if kind == "sympy":
        import sympy

        return sympy.Integer(1)
    if kind == "mpmath":
        from .._utils.mpctx import mpmath

        return mpmath.mpf(1)
    if kind == "float":
        return 1.0
    return 1


def _field(values, kind):
    """Elements that support exact division (ints become Fractions)."""
    if kind == "exact":
        return [Fraction(v) for v in values]
    return list(values)
