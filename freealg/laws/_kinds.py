"""Number kinds of the laws: exact parameters, float laws, and the evaluation of a
closed form in float64 (numpy) or in mpmath by the kind of its input; the
point checks and the source text (``repr``) of exact parameters."""
from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np
import sympy

from .._utils.numbers import to_float as _to_float, to_mpf  # the one converter of number kinds
from .._utils.validate import MAX_MOMENT_ORDER, check_dps, check_finite_array, check_int, check_mp_entries, describe
from .._utils.validate import _array_of
from ..errors import FreealgError, InvalidArgumentError, InvalidArgumentTypeError, TransformUndefinedError

W = sympy.Symbol("w")


# ---------------------------------------------------------------------------
# exact parameters and numeric evaluation helpers
# ---------------------------------------------------------------------------


def _exact(value, name):
    """Convert a parameter to an exact sympy object.

    A float (Python, numpy or sympy ``Float``) becomes its exact binary value
    ``sympy.Rational(float)`` (``0.3 -> 5404319552844595/18014398509481984``),
    never a nearby decimal fraction; whether the law keeps the float kind is
    recorded separately (:meth:`Law._set_kind`)."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes)):
        raise InvalidArgumentTypeError(
            f"{name} must be a number or a sympy expression; got {describe(value)} of type "
            f"{type(value).__name__}"
        )
    if isinstance(value, sympy.Basic):
        if value.is_number:
            if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                raise InvalidArgumentError(f"{name} must be finite; got {value}")
            if isinstance(value, sympy.Float):
                return sympy.Rational(value)
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise InvalidArgumentError(f"{name} must be finite; got {value!r}")
        return sympy.Rational(float(value))
    mod = type(value).__module__
    if mod.startswith("mpmath"):
        from .._utils.mpctx import mpmath

        if isinstance(value, mpmath.mpf):
            if not mpmath.isfinite(value):
                raise InvalidArgumentError(f"{name} must be finite; got {value!r}")
            man, exp = value.man_exp
            return sympy.Integer(man) * sympy.Integer(2) ** exp
    if isinstance(value, numbers.Complex):
        raise InvalidArgumentError(f"{name} must be real; got {value!r}")
    raise InvalidArgumentTypeError(
        f"{name} must be an int, Fraction, float, mpmath or sympy number/expression; "
        f"got {describe(value)} of type {type(value).__name__}"
    )


def _keeps_float_kind(method):
    """Decorator for ``affine``: the image of a float law (or by a float shift
    or scale) is a float law too."""
    import functools

    @functools.wraps(method)
    def wrapper(self, shift=0, scale=1):
        out = method(self, shift, scale)
        if callable(getattr(out, "_mark_float", None)) and (self._float or _any_float(shift, scale)) and not out._float:
            out._mark_float()
        return out

    return wrapper


def _is_float_kind(v):
    """True for a Python, numpy or sympy float (a float parameter)."""
    return isinstance(v, (float, np.floating, sympy.Float))


def _any_float(*values):
    """True when one of the values (or of the entries of a sequence value) is a float."""
    for v in values:
        if isinstance(v, (list, tuple)):
            if _any_float(*v):
                return True
        elif _is_float_kind(v):
            return True
    return False




def _floatify(expr):
    """``expr`` with its non-integer rational numbers written as sympy floats
    (the float kind of an expression of a float law)."""
    if isinstance(expr, (list, tuple)):
        return type(expr)(_floatify(u) for u in expr)
    if not isinstance(expr, sympy.Basic):
        return expr
    if expr.is_number and expr.is_real is not False and not expr.has(sympy.I):
        try:
            return sympy.Float(_to_float(expr))
        except (TypeError, ValueError):
            pass
    return _floatify_tree(expr)


def _floatify_tree(e):
    if e.is_Rational:
        return e if e.is_Integer else sympy.Float(_to_float(e))
    if e.is_Pow:  # exponents keep their exact kind (sqrt stays sqrt)
        return sympy.Pow(_floatify_tree(e.base), e.exp)
    if e.args:
        return e.func(*[_floatify_tree(a) for a in e.args])
    return e


def _shown(raw, exact):
    """A parameter as shown by a float law: the float as given, else the exact value."""
    if isinstance(exact, tuple) and isinstance(raw, (list, tuple)) and len(raw) == len(exact):
        return tuple(_shown(r, e) for r, e in zip(raw, exact))
    if _is_float_kind(raw):
        return float(raw)
    return exact


def _float_param_error(law, what="curve()", option="curve(exact=True)"):
    """The error of an exact construction asked of a float law."""
    return InvalidArgumentError(
        f"{law!r} has float parameters, so its exact spectral curve is built only on request: "
        f"{what} needs that curve and would have to replace each float by a rational. Call "
        f"{option} to use each "
        "float's exact binary value (sympy.Rational(0.3) = 5404319552844595/18014398509481984), "
        "or build the law from exact parameters (ints, Fraction, sympy.Rational(3, 10))"
    )


def _is_numeric(expr):
    return not getattr(expr, "free_symbols", set())


def _sign(expr):
    """+1, -1, 0 for a numeric real sympy expression; None when symbolic."""
    if not _is_numeric(expr):
        return None
    if expr == 0:
        return 0
    return 1 if float(sympy.re(sympy.N(expr, 30))) > 0 else -1


def _mp(expr, dps):
    from .._utils.mpctx import mpmath

    dps = check_dps(dps)
    with mpmath.workdps(dps + 10):
        return to_mpf(expr)


def _f(expr):
    return _to_float(expr)


def _check_int(n, name="n", minimum=1, maximum=None, hint=""):
    """An integer parameter (InvalidArgumentTypeError / InvalidArgumentError /
    TooLargeError from :func:`freealg._utils.validate.check_int`)."""
    return check_int(n, name, minimum=minimum, maximum=maximum, hint=hint)


def _check_order(n, name="n"):
    """A number of moments ``0 <= n <= MAX_MOMENT_ORDER`` (checked before any work)."""
    return check_int(n, name, minimum=0, maximum=MAX_MOMENT_ORDER,
                     hint="exact moments of higher order do not fit in time or memory; ask for "
                          f"at most {MAX_MOMENT_ORDER} (or use a float recursion on the curve)")


def _real_points(x, name="x"):
    """``x`` as a float array with finite entries (InvalidArgumentError naming
    the first non-finite entry); mpmath/object inputs are checked entrywise."""
    arr = np.asarray(x, dtype=object) if _has_mp(x) else _array_of(x, name, float)
    if arr.dtype == object:
        check_mp_entries(arr, name, "real numbers")
        if not _has_mp(x):  # Python ints beyond int64 (10**30): floats, like any number
            return arr.astype(float)
        return arr
    if arr.dtype.kind == "c":
        bad = arr.imag != 0
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            raise InvalidArgumentError(
                f"{name} must be real (density is evaluated on the real line); entry {i} is "
                f"{arr.ravel()[i]}; use cauchy(z) off the axis"
            )
        arr = arr.real
    return check_finite_array(arr, name)


def _complex_points(z, name="z"):
    """``z`` checked for finiteness (numpy complex array, or an object array of
    mpmath numbers)."""
    if _has_mp(z):
        return check_mp_entries(z, name)
    return check_finite_array(z, name, dtype=complex)


def _has_mp(x):
    if type(x).__module__.startswith("mpmath"):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype == object
    if isinstance(x, (list, tuple)):
        return any(_has_mp(v) for v in x)
    return False


def _finite_values(out, pts, law, what, special=None):
    """Raise if ``out`` has a non-finite entry outside the ``special`` mask
    (atoms and hard edges, whose ``nan``/``inf`` values are the documented
    convention): a float64 overflow of a value that exists (a law of extreme
    scale), never returned silently."""
    out = np.asarray(out)
    bad = ~np.isfinite(out)
    if special is not None:
        bad &= ~np.asarray(special, dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        p = np.asarray(pts).ravel()[i] if np.size(pts) > 1 else np.asarray(pts).ravel()[0]
        raise InvalidArgumentError(
            f"{law!r}.{what} at entry {i} ({p}) exceeds the float64 range: the law's scale is "
            "too extreme for float64 there; pass dps=30 for an mpmath value, or rescale the law "
            "(affine(0, c))"
        )
    return out


def _at_points(x, locations):
    """Boolean mask of the entries of the float array ``x`` equal to one of
    ``locations`` (atom locations, hard edges)."""
    mask = np.zeros(np.shape(x), dtype=bool)
    for loc in locations:
        mask |= np.asarray(x) == loc
    return mask


def _pole_error(law, z, what="an atom"):
    """The error for a Cauchy transform asked exactly at a pole of ``G``.

    At an atom ``a`` (mass ``m``) ``G(z) ~ m/(z − a)`` is unbounded, and at a
    hard edge ``G`` is unbounded too: there is no value, finite or infinite
    with a direction, to return (the density convention of docs/density.md
    flags such points in ``density``; ``cauchy`` refuses them, like
    :meth:`SpectralCurve.cauchy` at a zero of the leading coefficient)."""
    why = ("a pole of the Cauchy transform G (G ~ mass/(z - a))" if what == "an atom"
           else "a point where the Cauchy transform G is unbounded")
    return InvalidArgumentError(
        f"z = {z} is {what} of {law!r}: {why}, so it has no value there; evaluate at "
        "z + i*eps off the real axis (density(x) gives the absolutely continuous part, "
        "law.atoms() the atoms and their masses)"
    )


def _apply(z, dps, np_fun, mp_fun):
    """Evaluate a closed form elementwise in mpmath at ``dps`` digits (the
    numpy path, ``dps is None``, calls ``np_fun`` on a complex array)."""
    if dps is None:
        return np_fun(np.asarray(z, dtype=complex))
    from .._utils.mpctx import mpmath

    dps = check_dps(dps)
    arr = check_mp_entries(z, "z")
    with mpmath.workdps(dps):
        flat = [mp_fun(mpmath.mpmathify(v)) for v in arr.ravel()]
        res = np.empty(len(flat), dtype=object)
        res[:] = [+v for v in flat]
    if arr.ndim == 0:
        return res[0]
    return res.reshape(arr.shape)


def _sqrt_pair(xp, z, a, b):
    """``sqrt(z - a) * sqrt(z - b)``: analytic off ``[a, b]``, ``~ z`` at ∞."""
    return xp.sqrt(z - a) * xp.sqrt(z - b)


class _MPNS:
    """mpmath namespace shim for the closed forms."""

    @staticmethod
    def sqrt(x):
        from .._utils.mpctx import mpmath

        return mpmath.sqrt(x)


def _centred_sqrt(xp, z, centre, half, lo, hi):
    """``√(z − lo)·√(z − hi)`` for ``[lo, hi] = centre ∓ half``, each factor
    formed from whichever of ``z − edge`` and ``(z − centre) ± half`` keeps the
    digits: an edge far from the centre relative to its own size (the hard
    edge 0 of MP(1)) is exact as a float, while for a support narrower than
    the float spacing at its centre only the centred form keeps the width."""
    d = z - centre
    f_lo = z - lo if abs(lo) <= abs(centre) / 2 else d + half
    f_hi = z - hi if abs(hi) <= abs(centre) / 2 else d - half
    return xp.sqrt(f_lo) * xp.sqrt(f_hi)


def _wrap(out):
    return out[()] if np.ndim(out) == 0 else out


def _mp_map(x, dps, fun):
    """Apply ``fun`` to every (checked, finite) entry of ``x`` at ``dps`` digits."""
    from .._utils.mpctx import mpmath
    arr = _real_points(x, "x")
    dps = check_dps(dps)
    with mpmath.workdps(dps + 10):
        vals = [fun(mpmath.mpf(mpmath.mpmathify(v).real)) for v in arr.ravel()]
    with mpmath.workdps(dps):
        out = np.empty(len(vals), dtype=object)
        out[:] = [+v for v in vals]
    return out[0] if arr.ndim == 0 else out.reshape(arr.shape)


def _eval_by_kind(law, x, dps, params, what, np_fun, mp_fun, special=None):
    """Evaluate a closed form of ``law`` at ``x`` in the kind of the call.

    With ``dps=None``: ``np_fun(points, *floats)`` on the checked float64 points
    (complex for ``what="cauchy"``, real for ``"density"``), the exact
    ``params`` rounded once to float64, under ``np.errstate`` (an overflow is
    caught after: a non-finite value outside the ``special(points)`` mask
    raises, :func:`_finite_values`).  Else ``mp_fun(t, *mpfs)`` at each point
    in mpmath, the ``params`` evaluated at ``dps + 10`` digits
    (:func:`_mp_map` for a density, :func:`_apply` for ``G``)."""
    if dps is None:
        pts = _complex_points(x, "z") if what == "cauchy" else _real_points(x, "x")
        fl = [_f(p) for p in params]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np_fun(pts, *fl)
        return _wrap(_finite_values(out, pts, law, what, None if special is None else special(pts, *fl)))
    mp = [_mp(p, dps) for p in params]
    if what == "cauchy":
        return _apply(x, dps, None, lambda t: mp_fun(t, *mp))
    return _mp_map(x, dps, lambda t: mp_fun(t, *mp))


def _finite_transform(out, owner, which, w):
    """``out``, the exact transform at the (checked, finite) point ``w``, unless
    it is ``nan``/``zoo``/``oo``: a pole or branch point of the closed form,
    raised as :class:`TransformUndefinedError` instead of returned."""
    if isinstance(out, sympy.Basic) and out.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise TransformUndefinedError(
            f"the {which}-transform of {owner!r} is not defined at w = {w} (a pole or branch "
            "point of its closed form); evaluate it at another w, e.g. a smaller |w|"
        )
    return out


def _hashable(v):
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(u) for u in v)
    return sympy.srepr(v) if isinstance(v, sympy.Basic) else v


def _fmt(v):
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(u) for u in v) + "]"
    return str(v)


def _src(v):
    """Text that evaluates (with ``from sympy import *``) to the exact value:
    ``Rational(1, 3)`` rather than ``1/3``; ``srepr`` when the short form would
    not round-trip (e.g. a rational power)."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_src(u) for u in v) + "]"
    if not isinstance(v, sympy.Basic):
        return repr(v)
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Rational(self, e):
            return f"Rational({e.p}, {e.q})"

    text = _Printer().doprint(v)
    # Round-trip check without eval (a Symbol's name is arbitrary text): the plain
    # printer's output must parse back to v with the safe grammar; the Rational-style
    # text differs from it only in how rationals are spelled.
    from .._utils.safeparse import parse_symbolic

    try:
        back = parse_symbolic(str(v), "repr", {str(sym): sym for sym in v.free_symbols})
    except FreealgError:
        back = None
    if back is not None and back == v:
        return text
    return sympy.srepr(v)
