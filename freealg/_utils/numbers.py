"""The one converter between the number kinds of freealg (private).

freealg computes with three kinds of numbers (docs/conventions.md): *exact*
(``int``, ``fractions.Fraction``, sympy numbers and symbols), *arbitrary
precision* (mpmath) and *fast floats* (Python and numpy floats).  This module
classifies a value (:func:`kind`, :func:`kind_of`, :func:`is_rational`,
:func:`is_exact`) and
converts it (:func:`to_float`, :func:`to_mpf`, :func:`to_sympy`); every
conversion of a number to another kind goes through it, so a symbol or a
value beyond the float range fails with the same named error everywhere:

* a symbolic value (free symbols) raises
  :class:`~freealg.errors.InvalidArgumentError` naming its symbols;
* a value whose float would be ``inf`` or ``nan`` raises
  :class:`~freealg.errors.InvalidArgumentError` ("beyond the float64 range");
* a value that is not a number raises
  :class:`~freealg.errors.InvalidArgumentTypeError`.

Exact rationals convert to the correctly rounded float (integer division, no
detour through a decimal expansion); other exact numbers are evaluated with 30
significant digits before rounding.

Examples
--------
>>> from fractions import Fraction
>>> import sympy
>>> from freealg._utils.numbers import kind_of, to_float
>>> kind_of([1, Fraction(1, 2)]), kind_of([1, 0.5]), kind_of([sympy.sqrt(2), 0.5])
('exact', 'float', 'sympy')
>>> to_float(sympy.Rational(1, 3)) == 1 / 3
True
>>> to_float(sympy.Symbol("s") + 1, "sigma_w")
Traceback (most recent call last):
...
freealg.errors.InvalidArgumentError: sigma_w s + 1 is symbolic (free symbols: s); substitute numbers first, e.g. expr.subs({s: 1.0})
"""

from __future__ import annotations

import math
import numbers as _numbers
from fractions import Fraction

import numpy as np

from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from .validate import describe

__all__ = ["KINDS", "kind", "kind_of", "is_rational", "is_exact", "to_float", "to_mpf", "to_sympy", "to_plain"]

#: The kinds :func:`kind` returns, from the one that wins a mix to the one that yields.
KINDS = ("sympy", "mpmath", "float", "exact")

#: Significant digits of the evaluation of an exact non-rational number before rounding.
EVAL_DIGITS = 30


def _library(v):
    mod = type(v).__module__
    return "sympy" if mod.startswith("sympy") else "mpmath" if mod.startswith("mpmath") else None


def kind(v):
    """The kind of one scalar: ``"exact"``, ``"float"``, ``"mpmath"``, ``"sympy"`` or None.

    ``"sympy"`` is every sympy object (numbers, symbols, expressions),
    ``"mpmath"`` every mpmath number, ``"float"`` Python and numpy floats and
    complex numbers (and numpy arrays of them), ``"exact"`` ``int``,
    ``Fraction`` and numpy integers; anything else is None.
    """
    lib = _library(v)
    if lib:
        return lib
    if isinstance(v, (int, Fraction, np.integer)):
        return "exact"
    if isinstance(v, (float, complex, np.floating, np.complexfloating)):
        return "float"
    if getattr(getattr(v, "dtype", None), "kind", None) in ("f", "c"):
        return "float"
    return None


def kind_of(values, order=KINDS, default="exact", classify=kind):
    """The kind of a mix of scalars: the first kind of ``order`` among theirs.

    ``classify`` gives each value's kind (:func:`kind` by default; a value
    it returns None for counts as ``default``).  With the default ``order``
    a sympy value makes the mix sympy, else an mpmath one mpmath, else a
    float one float; only exact values stay exact.  An empty mix is the
    last kind of ``order``.
    """
    found = {classify(v) or default for v in values}
    for k in order:
        if k in found:
            return k
    return order[-1]


def is_rational(v):
    """Whether ``v`` is an exact rational: ``int``, ``Fraction``, numpy integer or sympy Rational.

    A bool is not a number here.
    """
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, Fraction, np.integer)):
        return True
    return _library(v) == "sympy" and bool(getattr(v, "is_Rational", False))


def is_exact(v):
    """Whether ``v`` is an exact number: a rational (:func:`is_rational`) or a sympy
    number with no float in it and no free symbol (``sqrt(2)``, ``pi``)."""
    if is_rational(v):
        return True
    if _library(v) != "sympy" or not getattr(v, "is_number", False) or v.has_free():
        return False
    return not any(getattr(u, "is_Float", False) for u in v.atoms())


def _symbolic(v, what):
    free = sorted(str(s) for s in getattr(v, "free_symbols", ()))
    if free:
        return InvalidArgumentError(
            f"{what} {v} is symbolic (free symbols: {', '.join(free)}); substitute numbers first, "
            f"e.g. expr.subs({{{free[0]}: 1.0}})")
    return None


def _ratio(p, q):
    try:
        return int(p) / int(q)  # correctly rounded, also for huge integers
    except OverflowError:
        return math.inf if (p > 0) == (q > 0) else -math.inf


def to_float(v, what="value", *, complex_ok=False):
    """``v`` as a Python float (or complex, with ``complex_ok``), finite.

    Parameters
    ----------
    v : int, Fraction, float, complex, numpy scalar, mpmath or sympy number
        The value.
    what : str, optional
        Its name in error messages.
    complex_ok : bool, optional
        Return a ``complex`` for a value with a non-zero imaginary part
        (default: such a value is an error).

    Returns
    -------
    float or complex
        The nearest float; a complex only with ``complex_ok`` and a non-zero
        imaginary part.

    Raises
    ------
    InvalidArgumentTypeError
        If ``v`` is not a number (a bool, a string, ...).
    InvalidArgumentError
        If ``v`` is symbolic, non-real without ``complex_ok``, or its float is
        not finite.

    Examples
    --------
    >>> import sympy
    >>> to_float(sympy.sqrt(2))
    1.4142135623730951
    >>> to_float(sympy.Integer(10) ** 400, "q")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: q 1.00000000000000...+400 is beyond the float64 range; pass exact parameters (ints, Rational) for an exact value
    """
    out = _raw_float(v, what)
    if not (math.isfinite(out.real) and math.isfinite(out.imag)):
        if isinstance(v, (float, complex, np.floating, np.complexfloating)) or getattr(v, "is_finite", None) is False:
            raise InvalidArgumentError(f"{what} must be finite; got {v!r}")
        shown = _shown(v)
        raise InvalidArgumentError(f"{what} {shown} is beyond the float64 range; pass exact parameters "
                                   f"(ints, Rational) for an exact value")
    if isinstance(out, complex):
        if out.imag == 0:
            out = out.real
        elif not complex_ok:
            raise InvalidArgumentError(f"{what} {describe(v)} is not real (imaginary part {out.imag!r}); "
                                       f"pass a real number")
    return out


def _raw_float(v, what):
    """``float(v)`` or ``complex(v)`` for every number kind (may be inf or nan)."""
    if isinstance(v, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"{what} must be a number; got {v!r}")
    if isinstance(v, (float, np.floating)):
        return float(v)
    if isinstance(v, (int, np.integer)):
        return _ratio(v, 1)
    if isinstance(v, Fraction):
        return _ratio(v.numerator, v.denominator)
    if isinstance(v, (complex, np.complexfloating)):
        return complex(v)
    lib = _library(v)
    if lib == "mpmath":
        return complex(v) if getattr(v, "imag", 0) != 0 else float(v)
    if lib == "sympy":
        error = _symbolic(v, what)
        if error is not None:
            raise error
        if getattr(v, "is_Rational", False):
            return _ratio(v.p, v.q)
        import sympy

        try:
            return complex(sympy.N(v, EVAL_DIGITS))
        except (TypeError, ValueError):
            raise InvalidArgumentTypeError(
                f"{what} must be a number; got {describe(v)} of type {type(v).__name__}") from None
    if isinstance(v, _numbers.Number) or hasattr(v, "__float__"):
        try:
            return float(v)
        except (TypeError, ValueError, OverflowError):
            pass
    raise InvalidArgumentTypeError(f"{what} must be a number; got {describe(v)} of type {type(v).__name__}")


def _shown(v):
    if _library(v) == "sympy":
        import sympy

        return sympy.N(v, 15)
    if _library(v) == "mpmath":
        from .mpctx import mpmath

        return mpmath.nstr(v, 15)
    return describe(v)


def to_mpf(v, what="value", dps=None):
    """``v`` as an mpmath number at the working precision (exact input rounded once).

    Parameters
    ----------
    v : int, Fraction, float, mpmath or sympy number
        The value; an exact one is evaluated with ``dps + 10`` digits.
    what : str, optional
        Its name in error messages.
    dps : int, optional
        The digits of the evaluation of a non-rational exact value (default
        the working precision ``mpmath.mp.dps``).

    Returns
    -------
    mpmath.mpf or mpmath.mpc
        The value.

    Raises
    ------
    InvalidArgumentError
        If ``v`` is symbolic.
    InvalidArgumentTypeError
        If ``v`` is not a number.

    Examples
    --------
    >>> import sympy
    >>> from freealg._utils.mpctx import mpmath
    >>> with mpmath.workdps(30):
    ...     print(to_mpf(sympy.Rational(1, 3)))
    0.333333333333333333333333333333
    """
    from .mpctx import mpmath

    if isinstance(v, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"{what} must be a number; got {v!r}")
    lib = _library(v)
    if lib == "sympy":
        error = _symbolic(v, what)
        if error is not None:
            raise error
        if v.is_Rational:
            return mpmath.mpf(int(v.p)) / int(v.q)
        import sympy

        return +mpmath.mpmathify(sympy.N(v, (dps or mpmath.mp.dps) + 10))  # + rounds once
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    if isinstance(v, np.integer):
        return mpmath.mpf(int(v))
    try:
        return +mpmath.mpmathify(v)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"{what} must be a number; got {describe(v)} of type {type(v).__name__}") from None


def to_sympy(v, what="value"):
    """``v`` as a sympy number in its kind: exact stays exact, a float becomes a ``Float``.

    Parameters
    ----------
    v : int, Fraction, float or sympy expression
        The value.
    what : str, optional
        Its name in error messages.

    Returns
    -------
    sympy.Expr
        ``Integer``/``Rational`` for exact input, ``Float`` for a float, the
        expression itself for a sympy one.

    Raises
    ------
    InvalidArgumentTypeError
        If ``v`` is not a number or expression.

    Examples
    --------
    >>> from fractions import Fraction
    >>> to_sympy(Fraction(1, 3)), to_sympy(0.5)
    (1/3, 0.500000000000000)
    """
    import sympy

    from .symbolic import sympify_safe

    if _library(v) == "sympy":
        return v
    if isinstance(v, (float, np.floating)):
        return sympy.Float(float(v))
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, np.integer):
        return sympy.Integer(int(v))
    return sympify_safe(v, what)


def to_plain(v):
    """``v`` as a plain Python scalar for JSON and tables, in its kind.

    An integer sympy number becomes an ``int``, a rational one a
    ``Fraction``, another numeric sympy value a ``float`` (a non-real one, or
    one with free symbols, its text), an mpmath real a ``float``, a numpy
    scalar its Python value; anything else is returned unchanged.

    Parameters
    ----------
    v : object
        The value to show.

    Returns
    -------
    int, Fraction, float, str or object
        The plain value.

    Raises
    ------
    InvalidArgumentTypeError
        If ``v`` is a sympy number with no numeric value (``zoo``).

    Examples
    --------
    >>> import sympy
    >>> to_plain(sympy.Integer(3)), to_plain(sympy.Rational(1, 3)), to_plain(sympy.Symbol("s"))
    (3, Fraction(1, 3), 's')
    """
    lib = _library(v)
    if lib == "sympy":
        if v.is_Integer:
            return int(v)
        if v.is_Rational:
            return Fraction(int(v.p), int(v.q))
        if v.is_number:
            out = complex(_raw_float(v, "value"))
            return out.real if out.imag == 0 else str(v)
        return str(v)
    if hasattr(v, "item"):
        return v.item()
    if lib == "mpmath" and hasattr(v, "_mpf_"):  # a real mpmath number
        return float(v)
    return v
