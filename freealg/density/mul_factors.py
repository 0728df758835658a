"""Factors of a free multiplicative convolution (private).

A factor of :func:`freealg.density.subordination.free_mul_law` enters the
equation either through its S-transform (:class:`_Closed`, differentiated
exactly when it accepts a sympy symbol) or through its Cauchy transform
(:class:`_ViaCauchy`, one extra unknown: the subordination point).  The
factor protocol itself is described in :mod:`freealg.density.subordination`.
"""

from __future__ import annotations

import numpy as np

from .._utils.symbolic import sympify_safe
from .._utils.validate import MAX_DEPTH, check_int, describe
from .continuation import EPS
from ..errors import InvalidArgumentError, InvalidArgumentTypeError


def _lg(u):
    """Logarithm with its cut on the positive imaginary axis (continuous on
    the closed lower half plane), ``lg(1) = 0``."""
    return np.log(1j * u) - 0.5j * np.pi


def _circle_derivs(f, w, h):
    """First and second derivative of an analytic ``f`` by the 4-point rule
    on a circle of radius ``h`` (errors ``O(h^4)``, ``O(h^2)``)."""
    f0 = f(w)
    fp, fm = f(w + h), f(w - h)
    fi, fmi = f(w + 1j * h), f(w - 1j * h)
    d1 = ((fp - fm) - 1j * (fi - fmi)) / (4 * h)
    d2 = ((fp + fm) - (fi + fmi)) / (2 * h * h)
    return f0, d1, d2


_SYMBOLIC_CACHE = {}  # srepr of S(w_s) -> _symbolic_forms (a law per call re-derives the same S)
_SHIFTED_CACHE = {}  # (srepr of S(u_s), repr of c) -> _shifted_roots


def _symbolic_forms(expr, wsym, usym):
    """``(S in u = 1 + w, no float constants, numpy (S, S', S''), mpmath (S,
    S', S''))`` of the symbolic S-transform ``expr`` in ``wsym``."""
    import sympy

    e_u = sympy.cancel(expr.subs(wsym, usym - 1))
    d1 = sympy.diff(e_u, usym)
    d2 = sympy.diff(d1, usym)
    # no float constants: the mpmath form is exact at any precision
    exact = not e_u.atoms(sympy.Float)
    sym = tuple(sympy.lambdify(usym, e, "numpy") for e in (e_u, d1, d2))
    from .._utils.mpctx import lambdify_modules

    # S, S', S'' in u = 1 + w for mpmath (the derivatives serve Newton's
    # method and the basin radius of the mpmath continuation)
    sym_mp = tuple(sympy.lambdify(usym, e, lambdify_modules()) for e in (e_u, d1, d2))
    return e_u, exact, sym, sym_mp


class _Closed:
    """A factor entering through its S-transform.

    When ``s_transform`` accepts a sympy symbol, ``S`` is rewritten in
    ``u = 1 + w`` and differentiated exactly (no cancellation near ``w = -1``,
    where ``S`` of a law without an atom at 0 is singular and which the branch
    approaches at a hard edge at 0); otherwise ``S`` is evaluated as given and
    differentiated numerically.
    """

    def __init__(self, law, power):
        self.law = law
        self.L = power
        self.has_deriv = callable(getattr(law, "s_transform_derivative", None))
        self.sym = None
        self.expr_u = None
        self.sym_exact = False
        self._symbolic()

    def _symbolic(self):
        import sympy

        wsym, usym = sympy.symbols("w_s u_s")
        try:
            expr = sympify_safe(self.law.s_transform(wsym))
        except (TypeError, ValueError, AttributeError, sympy.SympifyError):
            return
        if not isinstance(expr, sympy.Expr) or not expr.free_symbols <= {wsym}:
            return
        key = sympy.srepr(expr)
        if key not in _SYMBOLIC_CACHE:
            if len(_SYMBOLIC_CACHE) >= 256:
                _SYMBOLIC_CACHE.clear()
            _SYMBOLIC_CACHE[key] = _symbolic_forms(expr, wsym, usym)
        self.expr_u, self.sym_exact, self.sym, self.sym_mp = _SYMBOLIC_CACHE[key]

    def S(self, w):
        return np.asarray(self.law.s_transform(w), dtype=complex)

    def eval(self, w, u):
        """``S, S'/S, (S'/S)'`` at ``w`` (``u = 1 + w`` given accurately)."""
        with np.errstate(all="ignore"):
            if self.sym is not None:
                f0, f1, f2 = self.sym
                ones = np.ones_like(u)
                S = f0(u) * ones
                dl = f1(u) * ones / S
                ddl = f2(u) * ones / S - dl * dl
                return S, dl, ddl
            if self.has_deriv:
                S = self.S(w)
                dS = np.asarray(self.law.s_transform_derivative(w), dtype=complex)
                h = 1e-4 * np.maximum(np.abs(S / dS), 1e-300)
                _, _, d2 = _circle_derivs(self.S, w, h)
            else:
                # radius adapted to the distance |S/S'| to the nearest zero or
                # pole of S (a tiny first radius cannot jump over a pole)
                h = 1e-8 * (1.0 + np.abs(w))
                for _ in range(2):
                    S, dS, d2 = _circle_derivs(self.S, w, h)
                    hn = 1e-3 * np.minimum(np.abs(S / dS), 1.0 + np.abs(w))
                    h = np.where(np.isfinite(hn) & (hn > 0), hn, h)
                S, dS, d2 = _circle_derivs(self.S, w, h)
            dl = dS / S
            ddl = d2 / S - dl * dl
        return S, dl, ddl

    def shifted(self, c):
        """``(k, num_roots, den_roots)`` of ``S = k prod (t - r_i) / prod (t -
        s_j)`` in ``t = u - c`` (the rational symbolic form shifted by ``c``
        with sympy's exact polynomial shift, so a pole or zero of ``S`` at
        ``u = c`` sits at ``t = 0`` and costs no digits), or ``None`` when
        the form is not rational.  ``c`` is exact or a float."""
        if self.expr_u is None:
            return None
        import sympy

        key = (sympy.srepr(self.expr_u), repr(c))
        if key not in _SHIFTED_CACHE:
            if len(_SHIFTED_CACHE) >= 256:
                _SHIFTED_CACHE.clear()
            _SHIFTED_CACHE[key] = _shifted_roots(self.expr_u, c)
        return _SHIFTED_CACHE[key]

    def S_mp(self, w):
        """``S`` at an mpmath ``w``: the law's own ``s_transform`` when it
        returns an mpmath number (its parameters at the working precision:
        the symbolic form may hold them rounded to doubles, which moves a
        density near an edge by ~1e-16 / distance), else the symbolic form.
        A symbolic form without float constants is exact at any precision
        and used directly (a law's own ``s_transform`` may recompute its
        parameters on every call)."""
        from .._utils.mpctx import mpmath
        if self.sym_exact:
            return mpmath.mpmathify(self.sym_mp[0](1 + w))
        try:
            v = self.law.s_transform(w)
        except (TypeError, ValueError, AttributeError, ZeroDivisionError):
            v = None
        if v is not None and type(v).__module__.startswith("mpmath"):
            return v
        if self.sym is not None:
            return mpmath.mpmathify(self.sym_mp[0](1 + w))
        return mpmath.mpmathify(self.law.s_transform(w))


def _shifted_roots(expr_u, c):
    """``(k, num_roots, den_roots)`` of the rational ``expr_u`` in ``u_s``
    shifted to ``t = u - c`` (see :meth:`_Closed.shifted`), ``None`` when it
    is not a ratio of polynomials."""
    import sympy

    usym = sympy.Symbol("u_s")  # the symbol of _Closed.expr_u
    num, den = sympy.fraction(expr_u)
    tsym = sympy.Symbol("t_s")
    try:
        if not (num.is_polynomial(usym) and den.is_polynomial(usym)):
            return None
        # u = c + t substituted and expanded exactly (Poly of the shifted form)
        cs = sympify_safe(c)
        cn = [complex(v) for v in sympy.Poly(num.subs(usym, cs + tsym), tsym).all_coeffs()]
        cd = [complex(v) for v in sympy.Poly(den.subs(usym, cs + tsym), tsym).all_coeffs()]
    except (sympy.PolynomialError, TypeError, ValueError):
        return None
    if not (cn and cd and cd[0] != 0 and all(np.isfinite(cn + cd))):
        return None
    return cn[0] / cd[0], np.roots(cn), np.roots(cd)


class _ViaCauchy:
    """A factor entering through its Cauchy transform (extra unknown zeta)."""

    def __init__(self, law, power):
        self.law = law
        self.L = power
        self.has_deriv = callable(getattr(law, "cauchy_derivative", None))
        self.has_both = callable(getattr(law, "cauchy_and_derivative", None))
        # psi(zeta) = zeta G - 1, psi' and its error, summed without cancellation
        self.has_psi = callable(getattr(law, "psi_and_derivative", None))

    def G(self, z):
        return np.asarray(self.law.cauchy(z), dtype=complex)

    def rel_error(self, zeta):
        """Relative accuracy of ``G`` at ``zeta``: the law's
        ``cauchy_rel_error(zeta)`` when it has one, else ``16 eps`` (a
        closed-form Cauchy transform in float64)."""
        fn = getattr(self.law, "cauchy_rel_error", None)
        if callable(fn):
            return np.asarray(fn(zeta), float)
        return 16 * EPS

    def eval(self, zeta):
        """``G, G'`` at ``zeta``: ``cauchy_and_derivative`` (one pass) or
        ``cauchy_derivative`` when the law has them, else a central difference
        with step ``1e-7 |zeta|`` (relative error ~1e-9, enough for Newton's
        method; the solution itself does not depend on it)."""
        with np.errstate(all="ignore"):
            if self.has_both:
                G, dG = self.law.cauchy_and_derivative(zeta)
                return np.asarray(G, dtype=complex), np.asarray(dG, dtype=complex)
            G = self.G(zeta)
            if self.has_deriv:
                return G, np.asarray(self.law.cauchy_derivative(zeta), dtype=complex)
            h = 1e-7 * np.abs(zeta)
            dG = (self.G(zeta + h) - self.G(zeta - h)) / (2 * h)
        return G, dG


def _check_factors(factors, powers):
    """Validate the arguments of :class:`~freealg.density.subordination.FreeMulLaw`.

    Returns the factors as a list and the powers as a list of ``int`` (all 1
    by default); raises as documented there (bad types, empty factors,
    powers of the wrong length or out of range, a missing protocol method).
    """
    if not callable(getattr(factors, "moments", None)) and (
            isinstance(factors, (str, bytes, dict)) or not hasattr(factors, "__iter__")):
        raise InvalidArgumentTypeError(
            f"factors must be a law or a sequence of laws; got {describe(factors)} of type "
            f"{type(factors).__name__}"
        )
    if powers is not None and (isinstance(powers, (str, bytes, dict)) or not hasattr(powers, "__iter__")):
        powers = [powers]  # one power for one factor
    factors = [factors] if callable(getattr(factors, "moments", None)) else list(factors)
    if powers is not None:
        powers = [check_int(L, f"powers[{i}]", minimum=1, maximum=MAX_DEPTH,
                            hint=f"powers up to {MAX_DEPTH} are supported")
                  for i, L in enumerate(powers)]
    if not factors:
        raise InvalidArgumentError("factors is empty; pass at least one law")
    if powers is None:
        powers = [1] * len(factors)
    powers = list(powers)
    if len(powers) != len(factors):
        raise InvalidArgumentError(
            f"powers has {len(powers)} entries but there are {len(factors)} factors"
        )
    for L in powers:
        if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 1:
            raise InvalidArgumentError(f"powers must be integers >= 1; got {L!r}")
    for k, f in enumerate(factors):
        for meth in ("moments", "cauchy", "atoms"):
            if not callable(getattr(f, meth, None)):
                raise InvalidArgumentError(
                    f"factor {k} ({type(f).__name__}) has no method {meth}(); a factor "
                    "needs moments(n), cauchy(z), atoms() and optionally s_transform(w)"
                )
    return factors, [int(L) for L in powers]
