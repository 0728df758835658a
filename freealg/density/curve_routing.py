"""Routing a curve of high degree to the ⊠ engine (private).

A curve ``P(z, G) = 0`` of S-transform form (degree 1 in ``z`` once ``G =
(1 + w)/z``) is the law of one factor with a rational S-transform; above
:data:`CURVE_MAX_DEGREE` in ``G``, :func:`freealg.density.curve_density`
evaluates it with :func:`freealg.density.subordination.free_mul_law`, whose
cost does not grow with the degree.
"""

from __future__ import annotations

import numpy as np

from .result import _report_failures


#: Highest degree in ``G`` that :func:`curve_density` follows on the curve
#: itself (``engine="auto"``).  Measured (benchmarks/bench_density.py, hard-tanh
#: and ReLU Jacobian curves ``S = c^L ((1 + w)/(p + w))^L``, ``(1 + 2w)^-L``):
#: degree 9 certified in ~2 s, degree 33 uncertified after minutes (the atom
#: search alone: 141 s for hard-tanh, > 5 min for ReLU), while the functional
#: engine takes < 1 s at every degree.
CURVE_MAX_DEGREE = 12


class _RationalS:
    """The law of a curve ``P(z, G) = 0`` of S-transform form (``P`` is of
    degree 1 in ``z`` once ``G = (1 + w)/z``), as a factor of
    :func:`freealg.functional.free_mul_law`: ``S(w)`` rational, the exact
    moments those of the curve (its series at infinity, ``moments``), atoms
    from the pole of ``S`` and its limit at infinity (see :meth:`atoms`)."""

    def __init__(self, S, w, moments):
        import sympy

        self.expr, self.w = S, w
        self._f = sympy.lambdify(w, S, "numpy")
        self._moments = moments

    def s_transform(self, w):
        import sympy

        if isinstance(w, sympy.Basic):
            return self.expr.subs(self.w, w)
        return self._f(np.asarray(w, complex))

    def moments(self, n):
        """Exact ``m_1..m_n``: the curve's (``SpectralCurve.moments``), so the
        certificate checks the S-transform read off the curve against it."""
        return list(self._moments(n))

    def cauchy(self, z):  # pragma: no cover - closed factor: the engine uses s_transform
        raise NotImplementedError("a curve factor enters through its S-transform")

    def atoms(self):
        """``(0, 1 + w0)`` for the largest real pole ``w0`` of ``S`` in
        ``(-1, 0)`` (``chi -> -oo`` there: the kernel's mass), and ``(1/s_oo,
        1 - s_1/s_oo)`` when ``S(w) = s_oo + s_1/w + O(w^-2)`` with ``s_oo >
        0`` and that mass positive (``psi`` has a pole at ``1/a`` of residue
        ``-mass/a``; Belinschi's rule for products of Bernoulli and point
        masses).  The certificate's mass and atom-residue checks test them."""
        import sympy

        w = self.w
        out = []
        num, den = sympy.fraction(sympy.cancel(self.expr))
        pd, pn = sympy.Poly(den, w), sympy.Poly(num, w)
        poles = [r for r in pd.sqf_part().real_roots() if -1 < r < 0]
        if poles:
            out.append((sympy.Integer(0), 1 + max(poles)))
        if pn.degree() == pd.degree():
            an, bn = pn.all_coeffs(), pd.all_coeffs()
            s_inf = an[0] / bn[0]
            if s_inf > 0:
                a1 = an[1] if len(an) > 1 else 0
                b1 = bn[1] if len(bn) > 1 else 0
                s1 = (a1 - s_inf * b1) / bn[0]
                mass = 1 - s1 / s_inf
                if mass > 0:
                    out.append((1 / s_inf, mass))
        return out

    def pieces(self):
        """``[(piece, power)]``: ``S = c prod f_i^{k_i}`` as factors with
        ``S_i = f_i`` (the constant in the first), so that the engine takes
        ``k_i log f_i`` instead of evaluating an expanded power."""
        import sympy

        num, den = sympy.fraction(sympy.cancel(self.expr))
        cn, fn = sympy.factor_list(num, self.w)
        cd, fd = sympy.factor_list(den, self.w)
        out = [(_SPiece(cn / cd, self.w), 1)]
        out += [(_SPiece(f, self.w), int(k)) for f, k in fn]
        out += [(_SPiece(1 / f, self.w), int(k)) for f, k in fd]
        return out


class _SPiece:
    """One factor ``f(w)`` of a rational S-transform (see :meth:`_RationalS.pieces`)."""

    def __init__(self, expr, w):
        import sympy

        self.expr, self.w = expr, w
        self._f = sympy.lambdify(w, expr, "numpy")

    def s_transform(self, w):
        import sympy

        if isinstance(w, sympy.Basic):
            return self.expr.subs(self.w, w)
        return np.asarray(self._f(np.asarray(w, complex)), complex) * np.ones_like(np.asarray(w, complex))


def _functional_route(P, z, G, *, force=False, moments=None):
    """``(factor, degree)`` when ``P`` is of S-transform form and its degree
    in ``G`` exceeds :data:`CURVE_MAX_DEGREE` (any degree when ``force``);
    ``None`` otherwise.  ``moments`` (``n -> m_1..m_n``) are the curve's
    exact moments, by default those of ``SpectralCurve(P, z, G)``."""
    import sympy

    from .._utils.symbolic import sympify_safe

    expr = sympify_safe(P)
    if not isinstance(expr, sympy.Expr) or not expr.free_symbols <= {z, G}:
        return None
    try:
        deg = sympy.Poly(expr, G).degree()
    except sympy.PolynomialError:
        return None
    if not force and deg <= CURVE_MAX_DEGREE:
        return None
    w = sympy.Symbol("w_r")
    num = sympy.numer(sympy.together(expr.subs(G, (1 + w) / z)))
    try:
        pz = sympy.Poly(sympy.expand(num), z)
    except sympy.PolynomialError:
        return None
    # strip a power of z, then degree 1 in z: z A(w) + B(w) = 0
    k = min(m[0] for m in pz.monoms())
    if pz.degree() - k != 1:
        return None
    A = pz.coeff_monomial(z ** (k + 1))
    B = pz.coeff_monomial(z**k)
    if A == 0 or B == 0 or not all(c.is_Rational for c in sympy.Poly(A * B, w).coeffs()):
        return None
    # x(w) = -B/A = (1 + w)/(w S(w))
    S = sympy.cancel(-(1 + w) * A / (w * B))
    S0 = S.subs(w, 0)
    if not (S0.is_finite and S0.is_positive):
        return None
    if moments is None:
        from ..laws.curves import SpectralCurve

        moments = SpectralCurve(expr, z, G, check=False).moments
    return _RationalS(S, w, moments), deg


def _same_moments(mine, given):
    """The routed law's exact moments equal ``given`` (exactly, or to
    ``1e-25`` relative for inexact entries)."""
    import sympy

    from .._utils.symbolic import sympify_safe

    for a, b in zip(mine, given):
        b = sympify_safe(b)
        if b.is_Rational:
            if sympy.Rational(a) != b:
                return False
        elif not abs(sympy.N(a - b, 40)) <= sympy.Float("1e-25") * abs(sympy.N(a, 40)):
            return False
    return True


def _routed_density(routed, x, **kw):
    """The density of a routed curve by the functional engine, its evidence
    saying so (``evidence.engine``, a note)."""
    import warnings

    from ..errors import CertificationWarning
    from .subordination import free_mul_law

    factor, deg = routed
    strict = kw.pop("strict")
    del kw["exact_moments"]  # equal to the factor's (checked by the caller)
    law = free_mul_law([factor], [1])
    from .mul_factors import _Closed

    # S = c prod f_i^k_i: the engine takes k_i log f_i (an expanded power of
    # degree ~L loses every digit near its roots)
    law._closed = [_Closed(piece, k) for piece, k in factor.pieces()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CertificationWarning)
        res = law.density(x, strict=False, **kw)
    ev = res.evidence
    ev.engine = "functional"
    reason = (f"curve degree {deg} in G > {CURVE_MAX_DEGREE}: routed to the subordination "
              "(functional-equation) engine through the curve's rational S-transform; "
              "curve_density(..., engine='curve') follows the curve itself")
    ev.notes = list(ev.notes or []) + [reason]
    _report_failures(ev, strict, stacklevel=3)
    return res
