r"""Algebraic spectral curves ``P(z, G) = 0``.

A law is *algebraic* when its Cauchy transform ``G(z) = ∫ dμ(x)/(z − x)``
satisfies a polynomial equation ``P(z, G(z)) = 0``.  :class:`SpectralCurve`
holds ``P`` exactly (a sympy polynomial, parameters kept symbolic) and
implements the law protocol of :mod:`freealg.laws`:

* exact moments from the series of the physical branch at ∞
  (``G = 1/z + m_1/z² + …``, computed by Newton iteration on power series);
* the S- and R-curves, the discriminant, support-edge and atom candidates in
  closed form;
* numerics (``cauchy``, ``density``, ``support``, ``atoms``) delegated to the
  density engine :mod:`freealg.density`, which certifies against the exact
  moments.

Conventions (docs/theory.md §1, §3): ``G`` is the Cauchy transform with
``G ~ 1/z`` at ∞ and ``Im G < 0`` for ``Im z > 0``.  Tools that use the
Stieltjes transform ``m(z) = ∫ dμ/(x − z) = −G(z)`` must convert:
``SpectralCurve.from_stieltjes(Q, z, m)`` substitutes ``m = −G``.

The polynomial is stored in a normal form: denominators cleared, the content
(the gcd of the coefficients, including factors in the parameters only)
removed, and the leading coefficient made positive.  The operations
(:func:`free_add`, :func:`free_mul`, :func:`free_power`,
:meth:`SpectralCurve.affine`, :meth:`SpectralCurve.invert`) live in
:mod:`freealg.laws.elimination` and are re-exported here.

Examples
--------
>>> from freealg import SpectralCurve, FussCatalan
>>> import sympy
>>> z, G = sympy.symbols("z G")
>>> mp2 = SpectralCurve(z**2 * G**3 - z * G + 1)
>>> mp2.moments(4)                               # Fuss–Catalan: binom(3n, n)/(2n + 1)
[1, 3, 12, 55]
>>> mp2 == FussCatalan(2).curve()
True
"""

from __future__ import annotations

from fractions import Fraction

from .._utils.symbolic import sympify_safe
from .._utils.validate import check_point, describe, shorten
import numpy as np
import sympy

from ..errors import BranchError, ConvergenceError, InvalidArgumentError, FloatRangeError, InvalidArgumentTypeError, TransformUndefinedError
from .analysis import G, Z, _CurveAnalysis
from .base import Law
from ._kinds import W, _check_order, _finite_transform
from .._utils import detsympy as _ds, series as _series

__all__ = ["SpectralCurve", "Z", "G"]
S_SYM = sympy.Symbol("S")


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


def _to_mp(v):
    """An exact/sympy/float number as an mpmath number at the working precision."""
    from .._utils.mpctx import mpmath
    v = sympify_safe(v)
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / int(v.q)
    if v.is_real:
        return mpmath.mpf(str(sympy.N(v, mpmath.mp.dps + 10)))
    re, im = v.as_real_imag()
    return mpmath.mpc(_to_mp(re), _to_mp(im))


def _numeric_w(w):
    try:
        wv = complex(w)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"w must be a number or None; got {w!r} of type {type(w).__name__}"
        ) from None
    if not (np.isfinite(wv.real) and np.isfinite(wv.imag)):
        raise InvalidArgumentError(f"w must be finite; got {w!r}")
    return wv


def _finite_complex(value, which, w):
    out = complex(value)
    if not (np.isfinite(out.real) and np.isfinite(out.imag)):
        raise InvalidArgumentError(
            f"the {which}-transform at w = {w} is {sympy.N(value, 6) if isinstance(value, sympy.Basic) else value}, "
            "beyond the float64 range; rescale the law (or use the exact expression at w = None)"
        )
    return out
R_SYM = sympy.Symbol("R")


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


class SpectralCurve(_CurveAnalysis, Law):
    r"""An algebraic spectral curve ``P(z, G) = 0`` for the Cauchy transform ``G``.

    Parameters
    ----------
    polynomial : sympy expression, Equality or Poly
        ``P(z, G)`` (an equation ``lhs = rhs`` is read as ``lhs − rhs``; a
        rational expression is replaced by its numerator).  Coefficients may
        contain parameters (symbols).
    z, G : sympy.Symbol, optional
        The variables, default the symbols named ``z`` and ``G``.
    check : bool
        Check that a branch ``G ~ 1/z`` at ∞ exists (default True).
    law : Law or None, optional
        The law this curve was built from (kept as ``source``; the named
        laws pass themselves), or ``None``.
    _s, _r, _display, _irreducible : optional
        Internal: a known rational S- or R-transform, a factored display
        form of ``P``, and whether ``P`` is known to be irreducible (set by
        the constructors :meth:`from_s_transform`, :meth:`from_r_transform`
        and the operations; not for users).

    Raises
    ------
    BranchError
        If no root of ``P(z, G) = 0`` behaves like ``1/z`` at ∞ (then ``P`` is
        not the curve of a probability law).
    InvalidArgumentError
        If ``P`` does not involve ``G``, is identically zero, the variables
        cannot be found, or a parameter symbol is named ``z`` or ``G``.
    InvalidArgumentTypeError
        If ``z``/``G`` is not a Symbol or a name, ``law`` is not a law, or
        ``polynomial`` is not an expression (text is parsed by the safe
        grammar).

    Attributes
    ----------
    polynomial : sympy.Expr
        The normalised ``P(z, G)`` in the module symbols ``z`` and ``G``.
    degree : int
        Degree in ``G`` (the number of branches).
    degree_z : int
        Degree in ``z``.

    Examples
    --------
    The semicircle: ``G² − zG + 1 = 0``.

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> sc = SpectralCurve(G**2 - z*G + 1)
    >>> sc.moments(6), sc.degree
    ([0, 1, 0, 2, 0, 5], 2)
    >>> sc.discriminant()
    (z - 2)*(z + 2)
    >>> SpectralCurve(G**2 - z*G + 2)
    Traceback (most recent call last):
    ...
    freealg.errors.BranchError: no branch of P(z, G) = G**2 - G*z + 2 = 0 behaves like G ~ 1/z at infinity: writing G ~ c/z, the leading-order equation is 2 - c = 0, which has no root c = 1 (a probability law has total mass 1). Check the polynomial, and that it is written for G (the Cauchy transform), not m = -G (use SpectralCurve.from_stieltjes).
    """

    def __init__(self, polynomial, z=None, G=None, *, check=True, law=None,
                 _s=None, _r=None, _display=None, _irreducible=None):
        expr, zs, gs = _read_polynomial(polynomial, z, G)
        if zs != Z or gs != globals()["G"]:
            expr = expr.subs({zs: Z, gs: globals()["G"]}, simultaneous=True)
        if not expr.has(globals()["G"]):
            raise InvalidArgumentError(
                f"the curve polynomial {expr} does not involve G; a spectral curve is an "
                "equation P(z, G) = 0 for the Cauchy transform G"
            )
        if law is not None and not (isinstance(law, Law) or callable(getattr(law, "moments", None))):
            raise InvalidArgumentTypeError(
                f"law must be None or a law (an object with moments(n), e.g. a freealg Law); "
                f"got {describe(law)} of type {type(law).__name__}"
            )
        poly = _normalise(_to_poly(expr, (globals()["G"], Z)))
        self._poly = poly
        self._params = {}
        self.source = law
        self._s = _s
        self._r = _r
        self._display = _display
        self.irreducible = _irreducible
        self._series_cache = None
        self._numeric_cache = {}
        if check:
            self._check_branch()

    # -- construction helpers ---------------------------------------------------
    @classmethod
    def from_stieltjes(cls, polynomial, z, m, **kwargs):
        r"""Curve from an equation ``Q(z, m) = 0`` for the Stieltjes transform
        ``m = ∫ dμ/(x − z) = −G`` (substitutes ``m = −G``).

        Parameters
        ----------
        polynomial : sympy expression, Equality, Poly or text
            ``Q(z, m)``.
        z, m : sympy.Symbol or str
            The variables of ``Q`` (a name picks the symbol of that name).
        **kwargs
            Passed to the constructor (``check``, ``law``).

        Returns
        -------
        SpectralCurve
            The curve ``Q(z, −G) = 0`` in normal form.

        Raises
        ------
        BranchError
            If no branch ``G ~ 1/z`` exists (e.g. ``Q`` was written for
            ``G``, not ``m``).
        InvalidArgumentError
            If ``Q`` does not involve ``m`` or is not an expression.
        InvalidArgumentTypeError
            If ``z`` or ``m`` is neither a Symbol nor a name.

        Examples
        --------
        docs/theory.md §3: ``MP^{⊠2}`` is ``m³z² − mz − 1 = 0`` in terms of ``m``:

        >>> import sympy
        >>> z, m = sympy.symbols("z m")
        >>> SpectralCurve.from_stieltjes(m**3 * z**2 - m*z - 1, z, m)
        SpectralCurve(G**3*z**2 - G*z + 1)
        """
        expr, zs, ms = _read_polynomial(polynomial, z, m, "m")
        return cls(expr.subs({zs: Z, ms: -G}, simultaneous=True), **kwargs)

    @classmethod
    def from_r_transform(cls, R, w=None, *, law=None):
        r"""Curve of the law whose R-transform is the rational function ``R(w)``.

        With ``R = A/B``, ``G(R(w) + 1/w) = w`` gives
        ``z G B(G) − G A(G) − B(G) = 0``, linear in ``z``, hence irreducible.

        Parameters
        ----------
        R : sympy expression, number or text
            A rational function of ``w`` without a pole at ``w = 0``
            (``R(0) = m_1``).
        w : sympy.Symbol, optional
            The variable of ``R`` (default ``Symbol('w')``).
        law : Law or None, optional
            The law to attach (see the class parameters).

        Returns
        -------
        SpectralCurve
            The irreducible curve, remembering ``R``.

        Raises
        ------
        TransformUndefinedError
            If ``R`` has a pole at ``w = 0``.
        InvalidArgumentTypeError
            If ``w`` is not a Symbol or ``R`` is not an expression, number or
            text.
        BranchError
            If the resulting curve has no branch ``G ~ 1/z``.

        Examples
        --------
        Free Poisson of rate 1: ``R(w) = 1/(1 − w)``:

        >>> import sympy
        >>> w = sympy.Symbol("w")
        >>> SpectralCurve.from_r_transform(1 / (1 - w), w)
        SpectralCurve(G**2*z - G*z + 1)
        """
        w = W if w is None else w
        R = sympy.cancel(_transform_expr(R, "R", w).subs(w, W))
        A, B = sympy.fraction(R)
        if B.subs(W, 0) == 0:
            raise TransformUndefinedError(f"R(w) = {R} has a pole at w = 0: not an R-transform")
        A, B = A.subs(W, G), B.subs(W, G)
        disp = G * A + B - Z * G * B
        return cls(sympy.expand(disp), law=law, _r=_ds.factor(R), _display=disp, _irreducible=True)

    @classmethod
    def from_s_transform(cls, S, w=None, *, law=None):
        r"""Curve of the law whose S-transform is the rational function ``S(w)``.

        With ``w = zG − 1`` (so that ``ψ(1/z) = w``) and ``S = A/B``,
        ``S = G/(zG − 1)`` gives ``G B(w) − w A(w) = 0``: one substitution.
        Factors of ``G`` (from ``(1 + w) = zG`` dividing ``A``) are removed;
        the rest is irreducible because ``(w, G) ↦ (z, G) = ((1 + w)/G, G)``
        is birational.

        Parameters
        ----------
        S : sympy expression, number or text
            A rational function of ``w``, finite and non-zero at ``w = 0``
            (``S(0) = 1/m_1``).
        w : sympy.Symbol, optional
            The variable of ``S`` (default ``Symbol('w')``).
        law : Law or None, optional
            The law to attach (see the class parameters).

        Returns
        -------
        SpectralCurve
            The irreducible curve, remembering ``S``.

        Raises
        ------
        TransformUndefinedError
            If ``S(0)`` is 0 or infinite (no law of finite non-zero mean).
        InvalidArgumentTypeError
            If ``w`` is not a Symbol or ``S`` is not an expression, number or
            text.
        BranchError
            If the resulting curve has no branch ``G ~ 1/z``.

        Examples
        --------
        ``MP^{⊠L}`` has ``S = (1 + w)^{−L}``; for ``L = 3``:

        >>> import sympy
        >>> w = sympy.Symbol("w")
        >>> SpectralCurve.from_s_transform(1 / (1 + w)**3, w)
        SpectralCurve(G**4*z**3 - G*z + 1)
        """
        w = W if w is None else w
        S = sympy.cancel(_transform_expr(S, "S", w).subs(w, W))
        A, B = sympy.fraction(S)
        if A.subs(W, 0) == 0 or B.subs(W, 0) == 0:
            raise TransformUndefinedError(
                f"S(w) = {S} is 0 or infinite at w = 0, so it is not the S-transform of a law "
                "with finite non-zero mean"
            )
        i, Bp = _split_one_plus_w(B)
        j, Ap = _split_one_plus_w(A)
        k = min(1 + i, j)
        wz = Z * G - 1
        t1 = G ** (1 + i - k) * Z**i * _factored_subs(Bp, wz)
        t2 = wz * Z**j * G ** (j - k) * _factored_subs(Ap, wz)
        disp = t1 - t2
        return cls(sympy.expand(disp), law=law, _s=_ds.factor(S), _display=disp, _irreducible=True)

    # -- basic attributes ---------------------------------------------------
    @property
    def polynomial(self):
        """``P(z, G)`` as a sympy expression (normal form)."""
        return self._poly.as_expr()

    @property
    def poly(self):
        """``P`` as a sympy ``Poly`` in ``(G, z)``."""
        return self._poly

    @property
    def degree(self):
        """Degree of ``P`` in ``G`` (number of branches)."""
        return self._poly.degree(G)

    @property
    def degree_z(self):
        """Degree of ``P`` in ``z``."""
        return self._poly.degree(Z)

    @property
    def free_symbols(self):
        """The parameter symbols of ``P`` (all symbols but ``z`` and ``G``), a set."""
        return self.polynomial.free_symbols - {Z, G}

    @property
    def parameters(self):
        """The parameters (symbols other than ``z``, ``G``) as a sorted list."""
        return sorted(self.free_symbols, key=str)

    def subs(self, *args, **kwargs):
        """Substitute values for parameters; returns a new curve.

        Parameters
        ----------
        *args
            As for :meth:`sympy.Basic.subs`: ``{symbol: value}``, a list of
            pairs, or ``old, new``.
        **kwargs
            Passed to :meth:`sympy.Basic.subs`.

        Returns
        -------
        SpectralCurve
            The curve with the values substituted (known rational transforms
            substituted too).

        Raises
        ------
        BranchError
            If the substituted polynomial has no branch ``G ~ 1/z`` (values
            for which it is not the curve of a law).
        InvalidArgumentError
            If the substitution makes ``P`` free of ``G`` or identically zero.

        Examples
        --------
        >>> import sympy
        >>> p = sympy.Symbol("p")
        >>> from freealg import Bernoulli
        >>> Bernoulli(p).curve().subs(p, sympy.Rational(1, 2))
        SpectralCurve(2*G*z**2 - 2*G*z - 2*z + 1)
        """
        new = self.polynomial.subs(*sympify_safe(args), **kwargs)
        s = None if self._s is None else sympify_safe(self._s).subs(*sympify_safe(args), **kwargs)
        r = None if self._r is None else sympify_safe(self._r).subs(*sympify_safe(args), **kwargs)
        d = None if self._display is None else self._display.subs(*sympify_safe(args), **kwargs)
        return SpectralCurve(new, _s=s, _r=r, _display=d)

    def evaluate(self, z, g):
        """``P(z, g)``: exact (sympy) at numbers or expressions, a complex numpy
        array when ``z`` or ``g`` is a list or an array (broadcast together).

        Parameters
        ----------
        z : number, sympy expression, text, list or array
            The first variable (text may use the symbols ``z`` and ``G``).
        g : number, sympy expression, text, list or array
            The value put in for ``G``.

        Returns
        -------
        sympy expression or ndarray of complex
            The exact value for scalar arguments, a complex array of the
            broadcast shape for list/array arguments.

        Raises
        ------
        InvalidArgumentError
            For a non-finite ``z`` or ``g`` (or entry); for arrays, when the
            curve has symbolic parameters or the value leaves the float64 range.
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> import sympy
        >>> z, G = sympy.symbols("z G")
        >>> c = SpectralCurve(G**2 - z*G + 1, z, G)
        >>> c.evaluate(sympy.Rational(5, 2), 2)
        0
        >>> c.evaluate([2.5, 3.0], 2.0)
        array([ 0.+0.j, -1.+0.j])
        """
        syms = {"z": Z, "G": G}
        z = check_point(z, "z", symbols=syms, allow_none=False)
        g = check_point(g, "g", symbols=syms, allow_none=False)
        if isinstance(z, np.ndarray) or isinstance(g, np.ndarray):
            if self.free_symbols:
                raise InvalidArgumentError(
                    f"evaluate at arrays needs numeric parameters; substitute numbers for "
                    f"{sorted(map(str, self.free_symbols))} first (curve.subs(...))"
                )
            zz, gg = (np.asarray(v, dtype=complex) for v in (z, g))
            f = sympy.lambdify((Z, G), self.polynomial, "numpy")
            with np.errstate(all="ignore"):
                out = np.asarray(f(*np.broadcast_arrays(zz, gg)), dtype=complex)
            out = np.broadcast_to(out, np.broadcast_shapes(zz.shape, gg.shape)).copy()
            if not np.all(np.isfinite(out)):
                raise FloatRangeError(
                    "P(z, g) exceeds the float64 range at some of the points; evaluate them "
                    "exactly (one sympy number at a time)"
                )
            return out
        return self.polynomial.subs({Z: z, G: g}, simultaneous=True)

    def curve(self):
        """The curve itself (law protocol).

        Returns
        -------
        SpectralCurve
            ``self``.

        Examples
        --------
        >>> from freealg import FussCatalan
        >>> c = FussCatalan(2).curve()
        >>> c.curve() is c
        True
        """
        return self

    # -- series at infinity -----------------------------------------------------
    def _field_rows(self):
        """``F(u, H) = u^e P(1/u, uH) = Σ_i f_i(u) H^i`` over the fraction field."""
        if getattr(self, "_rows", None) is None:
            K = self._poly.domain.get_field() if not self._poly.domain.is_Field else self._poly.domain
            poly = self._poly.set_domain(K)
            terms = poly.rep.terms()
            e = max(j - i for (i, j), _ in terms)
            deg_u = max(i - j + e for (i, j), _ in terms)
            d = max(i for (i, _), _ in terms)
            rows = [[K.zero] * (deg_u + 1) for _ in range(d + 1)]
            for (i, j), c in terms:
                rows[i][i - j + e] = rows[i][i - j + e] + c
            self._rows = (K, rows, d)
        return self._rows

    def _eval_F(self, H, N, deriv=False):
        K, rows, d = self._field_rows()
        zero = K.zero
        acc = [zero] * N
        lo = 0 if not deriv else 1
        for i in range(d, lo - 1, -1):
            acc = _series.mul(acc, H, N)
            row = rows[i]
            fac = K.convert(i) if deriv else K.one
            for k in range(min(len(row), N)):
                if row[k]:
                    acc[k] = acc[k] + (fac * row[k] if deriv else row[k])
        return acc

    def _leading(self):
        K, rows, d = self._field_rows()
        f0 = [rows[i][0] for i in range(d + 1)]
        F0 = sum(f0, K.zero)
        FH0 = sum((K.convert(i) * f0[i] for i in range(1, d + 1)), K.zero)
        return f0, F0, FH0

    def _check_branch(self):
        f0, F0, FH0 = self._leading()
        K = self._field_rows()[0]
        if F0:
            c = sympy.Symbol("c")
            eq = sympy.expand(sum(K.to_sympy(v) * c**i for i, v in enumerate(f0)))
            raise BranchError(
                f"no branch of P(z, G) = {shorten(self.polynomial, how='curve.polynomial')} = 0 "
                "behaves like G ~ 1/z at infinity: "
                f"writing G ~ c/z, the leading-order equation is {eq} = 0, which has no root c = 1 "
                "(a probability law has total mass 1). Check the polynomial, and that it is written "
                "for G (the Cauchy transform), not m = -G (use SpectralCurve.from_stieltjes)."
            )
        if not FH0:
            sqf = _normalise(self._poly.sqf_part())
            if sqf.degree(G) < self._poly.degree(G):
                self._poly = sqf
                self._rows = None
                return self._check_branch()
            raise BranchError(
                f"the branch G ~ 1/z of P(z, G) = {shorten(self.polynomial, how='curve.polynomial')} "
                "= 0 is not isolated at infinity "
                "(c = 1 is a multiple root of the leading-order equation), so its moments are not "
                "determined by P; factor P (curve.simplify()) and keep the physical factor"
            )

    def _series(self, N):
        """Coefficients ``h_0..h_{N-1}`` of ``H = zG = Σ h_k z^{-k}`` in the field."""
        cache = self._series_cache
        if cache is not None and len(cache) >= N:
            return cache[:N]
        K = self._field_rows()[0]
        self._check_branch()
        H = [K.one]
        prec = 1
        while prec < N:
            prec2 = min(2 * prec, N)
            Hp = H + [K.zero] * (prec2 - len(H))
            F = self._eval_F(Hp, prec2)
            FH = self._eval_F(Hp, prec2, deriv=True)
            delta = _series.mul(F, _series.inv(FH, prec2), prec2)
            H = [Hp[k] - delta[k] for k in range(prec2)]
            prec = prec2
        self._series_cache = H
        return H[:N]

    def moments(self, n):
        r"""Exact moments ``m_1, …, m_n`` from the series of the physical branch
        ``G = Σ_{k≥0} m_k z^{−k−1}`` at ∞ (Newton iteration on power series).

        Parameters
        ----------
        n : int
            Number of moments, ``0 <= n <= 2000``.

        Returns
        -------
        list of sympy expressions
            ``[m_1, ..., m_n]``, exact (rational functions of the parameters
            of ``P``).

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``.
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        >>> import sympy
        >>> z, G, s = sympy.symbols("z G sigma")
        >>> SpectralCurve(s**2 * G**2 - z*G + 1).moments(4)      # semicircle of variance σ²
        [0, sigma**2, 0, 2*sigma**4]
        """
        n = _check_order(n)
        if n == 0:
            return []
        K = self._field_rows()[0]
        H = self._series(n + 1)
        return [_clean(K.to_sympy(h)) for h in H[1:]]

    def _series_residual(self, moments):
        """``F(u, H)`` mod ``u^{n+1}`` for ``H = 1 + Σ m_k u^k`` (zero iff the
        moments lie on this curve to that order)."""
        K = self._field_rows()[0]
        H = [K.one] + [K.from_sympy(sympify_safe(m)) for m in moments]
        return self._eval_F(H, len(H))

    def matches_moments(self, moments):
        """True when the exact moments ``m_1..m_n`` satisfy ``P`` to order ``n``.

        Parameters
        ----------
        moments : list, tuple or ndarray
            ``[m_1, ..., m_n]``: exact numbers, floats or sympy expressions,
            ``n <= 2000``.

        Returns
        -------
        bool
            Whether the series ``G = 1/z + Σ m_k/z^{k+1}`` satisfies ``P``
            to that order (``False`` also when a moment is not in the
            coefficient field of ``P``).

        Raises
        ------
        InvalidArgumentTypeError
            If ``moments`` is not a sequence, or an entry is not a number or
            an expression.
        InvalidArgumentError
            If an entry is not finite.
        TooLargeError
            If more than 2000 moments are given.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur().curve().matches_moments([1, 2, 5, 14])
        True
        >>> MarchenkoPastur().curve().matches_moments([1, 2, 5, 15])
        False
        """
        moments = _check_moment_list(moments, "moments")
        try:
            res = self._series_residual(moments)
        except sympy.polys.polyerrors.CoercionFailed:
            return False
        return all(not r for r in res)

    def mean(self):
        """The mean ``m_1`` from the series of ``G`` at infinity.

        Returns
        -------
        sympy expression
            Exact (in the parameters of ``P``).

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(3).curve().mean()
        3
        """
        return self.moments(1)[0]

    # -- transforms -------------------------------------------------------------
    def _s_rational(self):
        if self._s is None:
            Q = self.s_polynomial()
            if sympy.degree(Q, S_SYM) == 1:
                a, b = sympy.Poly(Q, S_SYM).all_coeffs()
                self._s = _ds.factor(sympy.cancel(-b / a))
        return self._s

    def _r_rational(self):
        if self._r is None:
            Q = self.r_polynomial()
            if sympy.degree(Q, R_SYM) == 1:
                a, b = sympy.Poly(Q, R_SYM).all_coeffs()
                self._r = _ds.factor(sympy.cancel(-b / a))
        return self._r

    def s_polynomial(self):
        r"""The S-curve ``Q(w, S) = 0`` satisfied by the S-transform: the numerator
        of ``P((1 + w)/(S w), S w)`` with factors free of ``S`` or of ``w`` removed.

        Returns
        -------
        sympy expression
            ``Q(w, S)`` in the symbols ``w`` and ``S``, leading coefficient
            in ``S`` positive.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=2).curve().s_polynomial()     # S = 1/(2 + w)
        S*w + 2*S - 1
        """
        expr = self.polynomial.subs({Z: (1 + W) / (S_SYM * W), G: S_SYM * W}, simultaneous=True)
        return _strip_monovariate(sympy.numer(sympy.together(expr)), S_SYM, W)

    def r_polynomial(self):
        r"""The R-curve ``Q(w, R) = 0``: numerator of ``P(R + 1/w, w)``.

        Returns
        -------
        sympy expression
            ``Q(w, R)`` in the symbols ``w`` and ``R``.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle(variance=2).curve().r_polynomial()     # R = 2w
        R - 2*w
        """
        expr = self.polynomial.subs({Z: R_SYM + 1 / W, G: W}, simultaneous=True)
        return _strip_monovariate(sympy.numer(sympy.together(expr)), R_SYM, W)

    def s_transform(self, w=None):
        r"""The S-transform: exact when rational; numeric (series-guided root of
        the S-curve) at a numeric ``w`` otherwise.

        Parameters
        ----------
        w : number, array, sympy expression, text or None
            ``None`` for the closed form in ``Symbol('w')`` (rational
            transforms only); a number (small ``|w|``, inside the disc where
            the 24-term series selects the branch) for a value; a list or
            array entrywise.

        Returns
        -------
        sympy expression, complex or ndarray of complex
            The rational closed form (or its exact value at an exact ``w``);
            a Python complex for a numeric ``w`` on a non-rational transform;
            a complex array for an array ``w``.

        Raises
        ------
        TransformUndefinedError
            If the mean is 0 (``S`` only); if the transform is not rational
            and ``w`` is ``None`` or symbolic (use :meth:`s_polynomial`); at
            a pole of the closed form.
        ConvergenceError
            If ``w`` is too far from 0 for the series that selects the branch.
        InvalidArgumentError
            For a non-finite ``w``, a value beyond float64, or symbolic
            parameters with a numeric ``w``.
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> from freealg import FussCatalan
        >>> FussCatalan(3).curve().s_transform()
        (w + 1)**(-3)
        """
        return self._transform(w, "S")

    def r_transform(self, w=None):
        r"""The R-transform: exact when rational; numeric otherwise (see
        :meth:`s_transform`).

        Parameters
        ----------
        w : number, array, sympy expression, text or None
            As in :meth:`s_transform`.

        Returns
        -------
        sympy expression, complex or ndarray of complex
            As in :meth:`s_transform`.

        Raises
        ------
        TransformUndefinedError
            If the transform is not rational and ``w`` is ``None`` or
            symbolic (use :meth:`r_polynomial`); at a pole of the closed form.
        ConvergenceError
            If ``w`` is too far from 0 for the series that selects the branch.
        InvalidArgumentError
            For a non-finite ``w``, a value beyond float64, or symbolic
            parameters with a numeric ``w``.
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur().curve().r_transform()
        -1/(w - 1)
        """
        return self._transform(w, "R")

    def _transform(self, w, which):
        w = check_point(w, "w", symbols={"w": W})
        if isinstance(w, np.ndarray):  # entrywise, a complex array back
            flat = [complex(self._transform(v, which)) for v in w.ravel()]
            return np.array(flat, dtype=complex).reshape(w.shape)
        rat = self._s_rational() if which == "S" else self._r_rational()
        if which == "S" and self.mean() == 0:
            raise TransformUndefinedError(
                "the S-transform does not exist: this law has mean m_1 = 0"
            )
        if rat is not None:
            return rat if w is None else _finite_transform(rat.subs(W, w), self, which, w)
        sym = S_SYM if which == "S" else R_SYM
        Q = self.s_polynomial() if which == "S" else self.r_polynomial()
        if w is None or (isinstance(w, sympy.Basic) and not w.is_number):
            raise TransformUndefinedError(
                f"the {which}-transform of this law is algebraic of degree {sympy.degree(Q, sym)}, "
                f"not rational, so it has no single closed form; use the {which}-curve "
                f"{'s_polynomial' if which == 'S' else 'r_polynomial'}() = {Q} = 0, or pass a "
                "numeric w (small |w|) to evaluate it"
            )
        self._require_numeric(f"{which}-transform")
        from .._utils.mpctx import mpmath
        from ..cumulants import free_cumulants, s_transform_coefficients

        wv = _numeric_w(w)
        if wv == 0:  # removable: R(0) = κ_1 = m_1, S(0) = 1/m_1
            m1 = sympify_safe(self.mean())
            return _finite_complex(m1 if which == "R" else 1 / m1, which, w)
        # The branch is the root of Q(w, ·) nearest the 24-term series at w.  All
        # of it runs in mpmath (30 digits, unbounded exponent), so laws of any
        # scale work; the value is converted to complex at the end.
        n = 24
        with mpmath.workdps(30):
            ms = [_to_mp(v) for v in self.moments(n)]
            coeffs = s_transform_coefficients(ms) if which == "S" else free_cumulants(ms)
            wm = mpmath.mpc(wv)
            approx = sum(c * wm**k for k, c in enumerate(coeffs))
            # a float w enters at its exact binary value (never a nearby "nice" rational)
            poly = sympy.Poly(Q.subs(W, sympy.Rational(float(w)) if isinstance(w, (float, np.floating))
                                     else w), sym)
            pc = [_to_mp(c) for c in poly.all_coeffs()]
            try:
                roots = mpmath.polyroots(pc, maxsteps=200, extraprec=60)
                best = min(roots, key=lambda r: abs(r - approx))
            except mpmath.NoConvergence:  # coefficients of wildly different sizes:
                best = approx  # Newton from the series value; checked below
            # polyroots is accurate relative to the largest root; polish the
            # chosen one (a simple root) by Newton steps on Q(w, ·)
            dpc = [c * (len(pc) - 1 - i) for i, c in enumerate(pc[:-1])]
            for _ in range(8):
                d = mpmath.polyval(dpc, best)
                if d == 0:
                    break
                best = best - mpmath.polyval(pc, best) / d
            tail = abs(coeffs[-1] * wm ** (n - 1)) + abs(coeffs[-2] * wm ** (n - 2))
            scale = max(abs(best), abs(coeffs[0]))
            if abs(best - approx) > 1e-6 * scale or tail > 1e-8 * scale:
                raise ConvergenceError(
                    f"w = {w} is too far from 0 for the series that selects the branch of the "
                    f"{which}-transform (24-term series residual {float(abs(best - approx)):.3g}); "
                    "use a smaller |w|"
                )
        return _finite_complex(best, which, w)

    # -- algebra ----------------------------------------------------------------
    def affine(self, shift=0, scale=1):
        r"""Curve of the pushforward ``x ↦ shift + scale·x``:
        ``G_new(z) = G((z − shift)/scale)/scale``, i.e. ``P((z − shift)/scale, scale·G)``.

        Parameters
        ----------
        shift : exact number or sympy expression, optional
            Default 0.  A float is refused (the curve is exact).
        scale : exact number or sympy expression, optional
            Default 1; ``scale = 0`` gives the curve of ``δ_shift``.

        Returns
        -------
        SpectralCurve
            The image curve (irreducible when this one is).

        Raises
        ------
        InvalidArgumentError
            If ``shift`` or ``scale`` is a float (pass
            ``sympy.Rational(x)``), not finite or not real.
        InvalidArgumentTypeError
            If ``shift`` or ``scale`` is not a number or an expression.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur().curve().affine(1, 2).moments(2)     # 1 + 2X: mean 3, m_2 = 1 + 4 + 4·2
        [3, 13]
        """
        from .elimination import affine

        return affine(self, shift, scale)

    def invert(self):
        r"""Curve of the law of ``1/X`` (needs no atom at 0):
        ``G_inv(z) = 1/z − G(1/z)/z²``.

        Returns
        -------
        SpectralCurve
            The curve of the law of ``1/X``.

        Raises
        ------
        InvalidLawError
            If the law has (or, for symbolic parameters, may have) an atom at
            0.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=4).curve().invert().moments(1)    # E[1/X] = 1/(λ − 1)
        [1/3]
        """
        from .elimination import invert

        return invert(self)

    def simplify(self):
        r"""A simplified equivalent curve: the physical irreducible factor of
        ``P`` (selected by its series at ∞), content removed, coefficients
        simplified.

        Returns
        -------
        SpectralCurve
            The physical factor, marked irreducible.

        Raises
        ------
        BranchError
            If no factor, or more than one, has a branch ``G ~ 1/z`` (select
            with :meth:`matches_moments`).

        Examples
        --------
        >>> import sympy
        >>> z, G = sympy.symbols("z G")
        >>> SpectralCurve((G**2 - z*G + 1) * (G - 5), check=False).simplify()
        SpectralCurve(G**2 - G*z + 1)
        """
        from .elimination import physical_factor

        return physical_factor(self)

    # -- printing -----------------------------------------------------------------
    def latex(self, compact=True, *, wrap=None, digits=None):
        r"""LaTeX of the equation ``P(z, G) = 0``.

        ``compact=True`` uses the construction's factored form when there is
        one (e.g. ``z^{3} G^{4} − (zG − 1) = 0``), else ``P`` as a polynomial
        in ``G`` with factored coefficients; ``compact=False`` prints ``P``
        collected in powers of ``G``.  ``wrap`` (characters per row) and
        ``digits`` (float coefficients) are those of :func:`freealg.latex`.

        Parameters
        ----------
        compact : bool, optional
            Factored display form (default True) or ``P`` collected in ``G``.
        wrap : int or None, optional
            Characters per row of an ``aligned`` block, ``>= 16``.
        digits : int or None, optional
            Significant digits of float coefficients, ``1 <= digits <= 1000``.

        Returns
        -------
        str
            LaTeX of ``P(z, G) = 0`` (no surrounding ``$``).

        Raises
        ------
        InvalidArgumentError
            If ``wrap < 16`` or ``digits < 1``.
        InvalidArgumentTypeError
            If ``wrap`` or ``digits`` is not an integer.
        TooLargeError
            If ``wrap`` or ``digits`` exceeds its maximum.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle().curve().latex()
        'G^{2} - G z + 1 = 0'
        """
        if wrap is not None or digits is not None:
            from .._latex import latex

            return latex(self, wrap=wrap, digits=digits)
        return self._latex(None, compact=compact)

    def _latex(self, printer=None, compact=True):
        lat = printer.doprint if printer is not None else sympy.latex
        if compact and self._display is not None:
            body = lat(self._display)
        elif compact:
            poly = sympy.Poly(self.polynomial, G)
            terms = [_ds.factor(c) * G**k for (k,), c in zip(poly.monoms(), poly.coeffs())]
            body = lat(sympy.Add(*terms))
        else:
            body = lat(sympy.collect(self.polynomial, G))
        return f"{body} = 0"

    def _repr_latex_(self):
        return f"${self._latex()}$"

    def __repr__(self):
        return f"SpectralCurve({self.polynomial})"

    __str__ = __repr__

    def _key(self):
        return ("SpectralCurve", sympy.srepr(self.polynomial))

    def __eq__(self, other):
        if not isinstance(other, SpectralCurve):
            return NotImplemented
        return sympy.expand(self.polynomial - other.polynomial) == 0

    def __hash__(self):
        return hash(self._key())

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


def _strip_monovariate(expr, x, y):
    """Remove factors not involving both ``x`` and ``y`` (contents); make the
    leading coefficient in ``x`` positive."""
    px = sympy.Poly(sympy.expand(expr), x)
    if not px.domain.is_EX:
        _, px = px.primitive()
    py = sympy.Poly(px.as_expr(), y)
    if not py.domain.is_EX:
        _, py = py.primitive()
    e = sympy.expand(py.as_expr())
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


def __getattr__(name):
    if name in ("free_add", "free_mul", "free_power"):
        from . import elimination as _elimination

        return getattr(_elimination, name)
    raise AttributeError(name)
