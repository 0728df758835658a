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

from .._utils.symbolic import sympify_safe
from .._utils.validate import check_point, describe
import numpy as np
import sympy

from ..errors import InvalidArgumentError, FloatRangeError, InvalidArgumentTypeError
from .analysis import G, Z, _CurveAnalysis
from .base import Law
from .curve_model import _CurveModel
from .curve_polynomial import _normalise, _read_polynomial, _to_poly
from .curve_series import _CurveSeries
from .curve_transforms import _CurveTransforms
from .._utils import detsympy as _ds

__all__ = ["SpectralCurve", "Z", "G"]


class SpectralCurve(_CurveTransforms, _CurveSeries, _CurveModel, _CurveAnalysis, Law):
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
        self._irreducible = _irreducible
        self._series_cache = None
        self._numeric_cache = {}
        if check:
            self._check_branch()

    @property
    def irreducible(self):
        """``True`` when ``P`` is known to be irreducible (set once by the
        constructions that prove it), else ``None``."""
        return self._irreducible

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
            from ..printing import latex

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


def __getattr__(name):
    if name in ("free_add", "free_mul", "free_power"):
        from . import elimination as _elimination

        return getattr(_elimination, name)
    raise AttributeError(name)
