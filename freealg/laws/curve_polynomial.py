"""The curve polynomial ``P(z, G)`` of a :class:`~freealg.laws.curves.SpectralCurve`:
reading what the user gives (an expression, an equation, a Poly or text,
with its variables), the normal form (denominators cleared, content removed,
leading coefficient positive), and the polynomial helpers of the transform
coordinates (the S- and R-curves).

Examples
--------
>>> import sympy
>>> from freealg.laws.curve_polynomial import _normalise, _to_poly
>>> from freealg.laws.analysis import G, Z
>>> _normalise(_to_poly(-2 * G**2 + 2 * Z * G - 2, (G, Z))).as_expr()
G**2 - G*z + 1
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from .._utils import detsympy as _ds
from .._utils.symbolic import sympify_safe
from .._utils.validate import check_point, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from .analysis import Z
from ._kinds import W, _check_order

__all__ = []

S_SYM = sympy.Symbol("S")
R_SYM = sympy.Symbol("R")


def _transform_expr(expr, name, w):
    """A transform given as a sympy expression, a number or text (parsed safely) in ``w``."""
    if not isinstance(w, sympy.Symbol):
        raise InvalidArgumentTypeError(f"w must be a sympy Symbol; got {w!r:.60} of type {type(w).__name__}")
    if isinstance(expr, (list, tuple, dict, set)) or not (
            isinstance(expr, (str, sympy.Basic, int, float, Fraction)) or hasattr(expr, "_sympy_")):
        raise InvalidArgumentTypeError(
            f"{name} must be a sympy expression in {w}, a number or text; got {expr!r:.60} of "
            f"type {type(expr).__name__}"
        )
    out = sympify_safe(expr, name, {str(w): w})
    if not isinstance(out, sympy.Expr):
        raise InvalidArgumentTypeError(f"{name} must be an expression; got {out!r:.60}")
    return out


def _to_poly(expr, gens):
    """A Poly in ``gens``; algebraic numbers go to an algebraic field, other
    transcendental constants (erf(1/2), pi) become generators of the domain."""
    poly = sympy.Poly(expr, *gens)
    if poly.domain.is_EX:
        try:
            poly = sympy.Poly(expr, *gens, extension=True)
        except (sympy.polys.polyerrors.PolynomialError, NotImplementedError):
            poly = sympy.Poly(expr, *gens)
    return poly


def _normalise(poly):
    """Clear denominators, remove the content, make the leading coefficient positive."""
    if poly.is_zero:
        raise InvalidArgumentError("the curve polynomial is identically zero")
    if poly.domain.is_Field and not poly.domain.is_EX:
        _, poly = poly.clear_denoms(convert=True)
    if not poly.domain.is_EX:
        _, poly = poly.primitive()
    lc = poly.LC()
    lce = poly.domain.to_sympy(lc) if not isinstance(lc, sympy.Basic) else lc
    if lce.could_extract_minus_sign():
        poly = -poly
    return poly


def _read_polynomial(polynomial, z, g, gname="G"):
    if isinstance(polynomial, sympy.Poly):
        expr = polynomial.as_expr()
    else:
        expr = sympify_safe(polynomial, "polynomial")
    if isinstance(expr, sympy.Equality):
        expr = expr.lhs - expr.rhs
    if not isinstance(expr, sympy.Expr):
        raise InvalidArgumentError(f"a curve polynomial must be a sympy expression; got {polynomial!r}")
    syms = {s.name: s for s in expr.free_symbols}
    z = _symbol_arg(z, "z", syms)
    g = _symbol_arg(g, gname, syms)
    if z is None:
        z = syms.get("z", Z)
    if g is None:
        g = syms.get("G")
        if g is None:
            raise InvalidArgumentError(
                f"cannot find the variable G in {expr}; pass the symbols, e.g. SpectralCurve(P, z, G) "
                "(for the Stieltjes transform m = -G use SpectralCurve.from_stieltjes)"
            )
    clash = [s for s in expr.free_symbols if s.name in ("z", "G") and s not in (z, g)]
    if clash:
        raise InvalidArgumentError(
            f"parameter symbols {clash} have the reserved names 'z'/'G'; rename them"
        )
    num, den = sympy.fraction(sympy.together(expr))
    if den.has(z) or den.has(g):
        expr = num
    return sympy.expand(expr), z, g


def _symbol_arg(value, name, syms):
    """A curve variable given as ``None``, a sympy ``Symbol`` or its name (the
    symbol of that name in the expression when there is one)."""
    if value is None or isinstance(value, sympy.Symbol):
        return value
    if isinstance(value, str) and value.isidentifier():
        return syms.get(value, sympy.Symbol(value))
    raise InvalidArgumentTypeError(
        f"{name} must be a sympy Symbol or its name; got {describe(value)} of type "
        f"{type(value).__name__}"
    )


def _check_moment_list(moments, name):
    """A list of exact or numeric moments ``m_1..m_n``: a sequence of finite
    numbers or sympy expressions, ``n <= MAX_MOMENT_ORDER`` (checked before
    any work)."""
    if isinstance(moments, np.ndarray):
        moments = moments.tolist()
    if not isinstance(moments, (list, tuple)):
        raise InvalidArgumentTypeError(
            f"{name} must be a list of numbers m_1, ..., m_n; got {describe(moments)} of type "
            f"{type(moments).__name__}"
        )
    _check_order(len(moments), f"len({name})")
    out = []
    for i, m in enumerate(moments):
        v = check_point(m, f"{name}[{i}]", allow_none=False, allow_array=False)
        out.append(v)
    return out


def _split_one_plus_w(B):
    """``B = (1 + w)^i · B'`` with ``B'(−1) ≠ 0``."""
    i = 0
    poly = sympy.Poly(B, W)
    one = sympy.Poly(1 + W, W)
    while poly.degree() > 0:
        q, r = poly.div(one)
        if not r.is_zero:
            break
        poly = q
        i += 1
    return i, poly.as_expr()


def _factored_subs(expr, wz):
    """Substitute ``w = zG − 1`` factor by factor, keeping powers unexpanded."""
    c, fs = _ds.factor_list(expr, W) if expr.has(W) else (expr, [])
    out = c
    for f, k in fs:
        out = out * sympy.expand(f.subs(W, wz)) ** k
    return out


def _strip_monovariate(expr, x, y, positive=True):
    """Remove factors not involving both ``x`` and ``y`` (contents); with
    ``positive``, make the leading coefficient in ``x`` positive."""
    px = sympy.Poly(sympy.expand(expr), x)
    if not px.domain.is_EX:
        _, px = px.primitive()
    py = sympy.Poly(px.as_expr(), y)
    if not py.domain.is_EX:
        _, py = py.primitive()
    e = sympy.expand(py.as_expr())
    if not positive:
        return e
    lead = sympy.Poly(e, x, y).LC()
    if sympify_safe(lead).could_extract_minus_sign():
        e = -e
    return e


def _clean(v):
    v = sympy.cancel(v)
    n, d = sympy.fraction(v)
    if d == 1:
        return sympy.expand(n)
    return v
