r"""What the density engine reads from a :class:`~freealg.laws.curves.SpectralCurve`
(private mixin): the curve it evaluates (numeric constants, the physical part
of ``P``), the exact real points where the branch structure can change (real
roots of the discriminant and of the leading coefficient), and the translated
curve ``P(a + z, G)`` used next to an atom ``a``.  Everything is computed once
and cached on the curve; :mod:`freealg.density.algebraic` holds only the
numeric view (float and mpmath coefficient arrays) of this one model.

Examples
--------
>>> import sympy
>>> from freealg import SpectralCurve
>>> z, G = sympy.symbols("z G")
>>> c = SpectralCurve(z * (z*G**2 - z*G + 1), check=False)    # a factor free of G
>>> c._engine_curve()
SpectralCurve(G**2*z - G*z + 1)
>>> c._engine_curve()._real_candidates()
[0, 4]
"""

from __future__ import annotations

import functools

import sympy

from .._utils import detsympy as _ds
from ..errors import BranchError, InvalidArgumentError
from .analysis import G, Z

__all__ = []

_SQUAREFREE_MAX_DEGREE = 64  # the bivariate gcd with P_G up to this degree in G
_FACTOR_MAX_DEGREE = 24  # the factorisation (physical factor) up to this degree
_EXACT_DISC_MAX_DEGREE = 64  # exact discriminant up to this degree in G (any sparsity)
_EXACT_DISC_MAX_SPARSE = 2048  # ... and up to this degree for curves with <= 8 terms


class _CurveModel:
    """Methods of :class:`SpectralCurve` that the density engine reads; see
    the module docstring.  The curve holds ``_poly`` and ``_numeric_cache``."""

    def _engine(self):
        self._require_numeric("numerical evaluation of the curve")
        from ..density import curve as density

        return density

    def _cached(self, key, compute):
        cache = self._numeric_cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def _numeric_polynomial(self):
        """``P`` for the density engine: itself when no coefficient holds a
        transcendental constant, else with each such constant of the
        coefficient domain (e.g. ``erf(1/2)``) replaced by a 30-digit rational
        approximation.  Substituting the constant (not each coefficient)
        keeps every algebraic relation between the coefficients, so the
        structure of the curve (double roots of the discriminant, atoms) is
        unchanged; the values move by ``O(1e-30)``.  Exact edges and atoms are
        taken from the exact polynomial (``support(exact=True)``,
        ``atoms(exact=True)``)."""
        def compute():
            consts = set()
            for c in self._poly.coeffs():
                c = self._poly.domain.to_sympy(c) if not isinstance(c, sympy.Basic) else c
                consts |= {a for a in sympy.preorder_traversal(c)
                           if isinstance(a, (sympy.Function, sympy.NumberSymbol))}
            if not consts:
                return self.polynomial
            out = self.polynomial.subs({a: sympy.Rational(str(sympy.N(a, 30))) for a in consts})
            return sympy.expand(out)

        return self._cached("numeric_poly", compute)

    def _engine_curve(self):
        """The curve the density engine evaluates: :meth:`_numeric_polynomial`
        reduced to its physical part (factors free of ``G`` removed, square-free
        up to degree 64 in ``G``, and up to degree 24 the one irreducible factor
        with a branch ``G ~ 1/z``); ``self`` when nothing changes.

        Raises :class:`InvalidArgumentError` for symbolic parameters or a
        coefficient that is not a real number, :class:`BranchError` when no
        factor, or several, carry the branch ``G ~ 1/z``."""
        return self._cached("engine_curve", lambda: _physical_part(self))

    def _real_candidates(self):
        """Sorted exact real roots of ``disc_G P`` and of the leading
        coefficient (``None`` when the degree is too high for the exact
        discriminant, or the coefficients are floats)."""
        return self._cached("real_candidates", lambda: _exact_candidates(self))

    def _lead_real_roots(self):
        """Sorted exact real zeros of the leading coefficient of ``P`` in ``G``
        (the possible atoms and the singular points of the boundary value)."""
        def compute():
            lead = sympy.Poly(sympy.Poly(self.polynomial, G).LC(), Z)
            return _real_roots(lead)

        return self._cached("lead_roots", compute)

    def _shifted(self, a):
        """The curve ``P(a + z, G)`` of the law translated by ``-a`` (``a`` a
        sympy ``Rational``), for evaluation next to ``a`` without cancellation.
        Translation by a rational is an automorphism of ``Q[z][G]``: the result
        is again content-free, square-free with the same factors, so it is
        not reduced again, and its exact candidates are this curve's minus
        ``a`` (not recomputed: with the huge rationals of a float-derived
        location they cost seconds)."""
        def compute():
            poly = sympy.Poly(sympy.expand(self.polynomial.subs(Z, Z + a)), G, Z)
            out = type(self)(poly.as_expr(), Z, G, _irreducible=self._irreducible)
            cands = self._numeric_cache.get("real_candidates")
            if cands is not None:
                out._numeric_cache["real_candidates"] = [
                    sympy.Integer(0) if v == a else v - a for v in cands]
            out._numeric_cache["engine_curve"] = out
            return out

        return self._cached(("shifted", a), compute)


def _check_engine_input(curve):
    """Named errors for a curve the density engine cannot evaluate."""
    syms = curve.free_symbols
    if syms:
        names = ", ".join(sorted(str(s) for s in syms))
        raise InvalidArgumentError(
            f"the curve P(z, G) = {curve.polynomial} has free symbols {names} besides z and G; "
            f"substitute numbers first, e.g. curve.subs({{{names.split(', ')[0]}: 2}})"
        )
    poly = curve.poly
    for c in poly.coeffs():
        c = poly.domain.to_sympy(c) if not isinstance(c, sympy.Basic) else c
        if not c.is_number:
            raise InvalidArgumentError(f"coefficient {c} of P is not a number")
        if c.is_real is False or (c.is_real is None and abs(complex(sympy.N(c)).imag) > 0):
            raise InvalidArgumentError(
                f"coefficient {c} of P is not real; the curve of a probability "
                "measure has real coefficients (up to a common factor)"
            )


def _physical_part(curve):
    """See :meth:`_CurveModel._engine_curve`."""
    _check_engine_input(curve)
    expr = curve._numeric_polynomial()
    changed = expr is not curve.polynomial
    # content in z (a factor without G vanishes identically at its zeros)
    cont = functools.reduce(sympy.gcd, sympy.Poly(expr, G).coeffs())
    if cont.free_symbols:
        expr, changed = sympy.cancel(expr / cont), True
    poly = sympy.Poly(expr, G, Z)
    # repeated factors (for high degree only when the series at infinity shows
    # a repeated physical branch, which SpectralCurve removes itself: the
    # bivariate gcd is expensive)
    if poly.degree(G) <= _SQUAREFREE_MAX_DEGREE:
        g = sympy.gcd(poly, poly.diff(G))
        if g.degree(G) > 0:
            poly, changed = sympy.Poly(sympy.quo(poly, g), G, Z), True
    # split off factors without a branch ~ 1/z (only when cheap)
    if poly.degree(G) <= _FACTOR_MAX_DEGREE:
        n_with_G, cands = _branch_factors(type(curve), poly.as_expr(), shortcut=True)
        if n_with_G > 1:
            poly, changed = _unique_branch_factor(cands, curve.polynomial)._poly, True
    if not changed:
        curve._check_branch()
        return curve
    out = type(curve)(poly.as_expr(), Z, G)  # a SpectralCurve
    out._numeric_cache["engine_curve"] = out
    return out


def _branch_factors(curve_cls, expr, shortcut=False):
    """``(number of irreducible factors involving G, [the curves of those
    involving z and G that have an isolated branch G ~ 1/z at infinity])``:
    the one rule for which factor of ``P`` is the law's.  With ``shortcut``,
    a single factor involving ``G`` is not made a curve (``(1, [])``)."""
    _, facs = _ds.factor_list(expr)
    withG = [f for f, _ in facs if f.has(G)]
    if shortcut and len(withG) == 1:
        return 1, []  # nothing to choose (the caller keeps P)
    out = []
    for f in withG:
        if f.has(Z):
            try:
                out.append(curve_cls(f, Z, G))
            except BranchError:
                continue
    return len(withG), out


def _unique_branch_factor(cands, expr):
    """The one candidate of :func:`_branch_factors`, or a :class:`BranchError`."""
    if len(cands) != 1:
        raise BranchError(
            f"{len(cands)} irreducible factors of {expr} have a branch G ~ 1/z at "
            "infinity, so the curve does not determine the law; "
            + ("" if cands else "it is not the curve of a probability law")
            + ("select the factor with exact moments (SpectralCurve.matches_moments)" if cands else "")
        )
    return cands[0]


def _real_roots(q):
    """Exact real roots of a polynomial ``q`` in ``z`` (0 exactly, the others as
    ``Rational``/``CRootOf``), sorted, without repetition.  Over an algebraic
    number field (e.g. ``sqrt(2)`` in the coefficients) the roots of the
    linear factors are exact and the other factors contribute the real roots
    of their norm over ``Q`` (a superset: harmless for candidates)."""
    if q.degree() <= 0:
        return []
    roots = set()
    (k,), rest = q.terms_gcd()
    if k > 0:
        roots.add(sympy.Integer(0))
    if rest.degree() > 0:
        if rest.domain.is_EX:
            rest = sympy.Poly(rest.as_expr(), Z, extension=True)
        if rest.domain.is_AlgebraicField:
            roots.update(_real_roots_algebraic(rest))
        else:
            roots.update(rest.sqf_part().real_roots())
    return sorted(roots, key=lambda r: float(sympy.N(r, 30)))


def _real_roots_algebraic(q):
    """Real roots of ``q`` over an algebraic number field (see :func:`_real_roots`)."""
    out = []
    for f, _ in q.factor_list()[1]:
        if f.degree() == 1:
            a, b = (f.domain.to_sympy(c) for c in f.rep.to_list())
            r = sympy.radsimp(-b / a)
            if abs(sympy.im(sympy.N(r, 50))) <= sympy.Float("1e-40"):
                out.append(r)
        elif f.degree() > 1:
            out.extend(sympy.Poly(f.norm().as_expr(), Z).sqf_part().real_roots())
    return out


def _exact_candidates(curve):
    """See :meth:`_CurveModel._real_candidates`."""
    sparse = len(curve.poly.terms()) <= 8
    if curve.degree > (_EXACT_DISC_MAX_SPARSE if sparse else _EXACT_DISC_MAX_DEGREE):
        return None
    if curve.polynomial.has(sympy.Float):
        return None  # inexact coefficients: no exact discriminant, use the numeric scan
    roots = set(curve._lead_real_roots())
    if curve.degree >= 2:
        roots.update(_real_roots(sympy.Poly(curve.discriminant(factor=False), Z)))
    return sorted(roots, key=lambda r: float(sympy.N(r, 30)))
