r"""Law helpers of the spectrum checks: a caching law proxy, exact twins of
float laws (curves take exact numbers only), and the display of a curve.
"""

from __future__ import annotations

from ._common import _to_float


def _exact_law(law):
    """A float law as the exact law at its floats' binary values (curves are
    built from exact laws only)."""
    from ..laws import Law

    return law._exact_twin() if isinstance(law, Law) else law


def _numeric_law(law):
    """A Bernoulli/Atomic law with exact irrational parameters (erf(...))
    replaced by floats (float laws: exact curves only with ``curve(exact=True)``)."""
    from ..laws import Atomic, Bernoulli, PointMass

    if isinstance(law, Bernoulli):
        if _is_rational(law.p):
            return law  # exact stays exact
        return Bernoulli(float(_to_float(law.p)))
    if isinstance(law, PointMass):
        return law
    if isinstance(law, Atomic):
        return Atomic([float(_to_float(v)) for v in law.points],
                      [float(_to_float(w)) for w in law.weights])
    return law


def _is_rational(v):
    import sympy

    from fractions import Fraction

    return isinstance(v, (int, Fraction)) or (isinstance(v, sympy.Basic) and v.is_Rational)


class _CachedLaw:
    """A law proxy that computes ``atoms()``, ``support()`` and ``moments(n)``
    once (they can be expensive for a spectral curve)."""

    def __init__(self, law):
        self._law = law
        self._atoms = self._support = None
        self._moments = {}

    def atoms(self):
        if self._atoms is None:
            self._atoms = self._law.atoms()
        return self._atoms

    def support(self):
        if self._support is None:
            self._support = self._law.support()
        return self._support

    def moments(self, n):
        if n not in self._moments:
            self._moments[n] = self._law.moments(n)
        return self._moments[n]

    def density(self, x, **kwargs):
        return self._law.density(x, **kwargs)

    def __getattr__(self, name):
        return getattr(self._law, name)

    def __repr__(self):
        return repr(self._law)


def _display_polynomial(poly):
    """``P(z, G)`` divided by its leading coefficient, with 8-digit float
    coefficients (the exact curve has rationals with long decimals)."""
    if poly is None:
        return "?"
    import sympy

    from ..laws.curves import G, Z

    try:
        lc = sympy.Poly(poly, G, Z).LC()
    except sympy.PolynomialError:
        return str(poly)
    return str(sympy.N(sympy.expand(poly / lc), 8))
