r"""Named probability laws with exact moments, transforms and spectral curves.

Every law follows one protocol (shared with :class:`freealg.SpectralCurve`):

``moments(n)``
    ``m_1, ..., m_n`` (exact sympy numbers/expressions when the parameters are
    exact or symbolic).
``free_cumulants(n)``, ``mean()``, ``variance()``
``cauchy(z, dps=None)``
    ``G(z) = ∫ dμ(x) / (z − x)`` on the physical branch (``G ~ 1/z`` at ∞,
    ``Im G < 0`` for ``Im z > 0``), vectorised over numpy arrays; with ``dps``
    the values are mpmath numbers at that precision.
``density(x, dps=None)``
    Density of the absolutely continuous part.
``support()``, ``atoms()``
    Intervals ``(a, b)`` of the absolutely continuous part and
    ``(location, mass)`` pairs of the atoms.
``curve()``
    The algebraic spectral curve ``P(z, G) = 0`` (:class:`SpectralCurve`).
``s_transform(w)``, ``r_transform(w)``
    ``S`` and ``R`` of docs/theory.md §1; with ``w`` omitted, a sympy expression in
    the symbol ``w``.

Conventions (docs/theory.md §1): ``G`` is the Cauchy transform (users of the
Stieltjes transform ``m = −G`` must convert); ``R`` satisfies
``G(R(w) + 1/w) = w``; ``S(w) = χ(w)(1 + w)/w`` with ``χ`` the inverse of
``ψ(z) = Σ m_n z^n``.

Number kinds: exact input stays exact, a float stays a float, a symbol stays
a symbol.  Ints, ``Fraction`` and sympy numbers (rationals, ``sqrt(2)``, ...)
give exact results.  A law with a Python, numpy or sympy float parameter is a
*float law*: it keeps the float as given (``repr`` shows
``MarchenkoPastur(rate=0.3, jump=1)``), and its ``moments``,
``free_cumulants``, ``mean``, ``variance``, ``support``, ``atoms``,
``cauchy`` and ``density`` are floats (mpmath numbers with ``dps``).  They are
computed from the exact binary value of each float (``0.3`` is
``5404319552844595/2**54``) and rounded once at the end, so they are the
correctly rounded values of the law at the parameters actually passed; the
float is never replaced by a nearby decimal fraction.  The exact spectral
curve of a float law is built only on request: ``curve(exact=True)`` (the
curve of the law with parameters ``sympy.Rational(float)``, the exact dyadic
values); ``curve()`` raises and names that option.  A law with symbolic
parameters keeps them symbolic; numeric methods (``cauchy``, ``density``,
...) then need numbers: substitute first with :meth:`Law.subs`.

Examples
--------
>>> from freealg import Semicircle, MarchenkoPastur, Bernoulli
>>> Semicircle().moments(6)
[0, 1, 0, 2, 0, 5]
>>> MarchenkoPastur(rate=2).moments(3)          # Narayana polynomials at 2
[2, 6, 22]
>>> Bernoulli(sympy.Rational(1, 3)).s_transform()
(w + 1)/(w + 1/3)
"""

from __future__ import annotations

from .interface import LawMethods
from .._utils.public import public_methods
from .._utils.symbolic import sympify_safe

import numpy as np
import sympy

from .._utils.validate import check_dps
from ..errors import InvalidArgumentError, NotAlgebraicError
from ._kinds import _any_float, _complex_points, _float_param_error, _floatify, _hashable, _real_points, _shown, _src, _to_float
from ._transforms import LawTransforms

__all__ = ["Law"]




# ---------------------------------------------------------------------------
# the base class
# ---------------------------------------------------------------------------


@public_methods
class Law(LawTransforms, LawMethods):
    r"""Base class of probability laws on the real line.

    Subclasses set ``_params`` (an ordered dict of exact sympy parameters) and
    implement ``_moments(n)``; closed forms override the other methods.  The
    defaults go through :meth:`curve` (exact algebra) and the density engine
    (numerics).

    See the module docstring for the protocol and conventions.  ``Law``
    itself takes no parameters and is not instantiated: build a named law
    (:class:`Semicircle`, :class:`MarchenkoPastur`, :class:`PointMass`,
    :class:`Atomic`, :class:`Bernoulli`, :class:`FussCatalan`,
    :class:`Arcsine`, :class:`ActivationDerivativeLaw`).

    Raises
    ------
    InvalidArgumentError
        From a subclass constructor, for a parameter outside its domain (a
        non-positive variance, a rate ``<= 0``, a non-finite number).
    InvalidArgumentTypeError
        From a subclass constructor, for a parameter that is not a number or
        a sympy expression (a ``bool``, text, ``None``).

    Examples
    --------
    >>> from freealg import Law, Semicircle
    >>> isinstance(Semicircle(), Law)
    True
    >>> Semicircle().moments(4)
    [0, 1, 0, 2]
    """

    _params: dict

    # -- parameters -----------------------------------------------------------
    @property
    def parameters(self):
        """The parameters as an ordered ``{name: value}`` dict: exact sympy
        values, or the floats as given for a float law.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(0.3).parameters
        {'rate': 0.3, 'jump': 1}
        """
        return dict(self._given if self._float else self._params)

    @property
    def free_symbols(self):
        """Sympy symbols among the parameters."""
        out = set()
        for v in self._params.values():
            if isinstance(v, sympy.Basic):
                out |= v.free_symbols
            elif isinstance(v, (list, tuple)):
                for u in v:
                    out |= getattr(u, "free_symbols", set())
        return out

    @property
    def is_symbolic(self):
        """True when some parameter is a sympy symbol (numerics need ``subs``)."""
        return bool(self.free_symbols)

    def subs(self, *args, **kwargs):
        """Substitute values for symbolic parameters (sympy ``subs`` semantics).

        Parameters
        ----------
        *args
            As for :meth:`sympy.Basic.subs`: a ``{symbol: value}`` mapping,
            a list of ``(symbol, value)`` pairs, or ``symbol, value``.
        **kwargs
            Passed to :meth:`sympy.Basic.subs` (e.g. ``simultaneous=True``).

        Returns
        -------
        Law
            A new law of the same class with the substituted parameters (the
            law itself for a law without symbolic parameters, such as
            :class:`FussCatalan`).

        Raises
        ------
        InvalidArgumentError
            If a substituted parameter leaves the law's domain (e.g. a
            non-positive variance).
        InvalidLawError
            If substituted weights do not make a probability measure
            (:class:`Atomic`, :class:`Bernoulli`).
        InvalidArgumentTypeError
            If a substituted value is not a number or a sympy expression.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> import sympy
        >>> v = sympy.Symbol("v", positive=True)
        >>> Semicircle(variance=v).subs({v: 4}).moments(2)
        [0, 4]
        """
        new = {}
        for k, v in self.parameters.items():
            if isinstance(v, (list, tuple)):
                new[k] = type(v)(sympify_safe(u).subs(*sympify_safe(args), **kwargs) for u in v)
            else:
                new[k] = sympify_safe(v).subs(*sympify_safe(args), **kwargs)
        return type(self)(**new)

    def _require_numeric(self, what):
        syms = self.free_symbols
        if syms:
            names = ", ".join(sorted(str(s) for s in syms))
            raise InvalidArgumentError(
                f"{what} needs numeric parameters, but {self!r} has symbolic parameters "
                f"{{{names}}}; substitute numbers first, e.g. law.subs({{{sorted(syms, key=str)[0]}: 1}})"
            )

    # -- number kind ------------------------------------------------------------
    #: True for a float law (a parameter was given as a Python, numpy or sympy
    #: float): its numbers are floats, computed from the exact binary values of
    #: the floats kept in ``_params``; ``_given`` holds the parameters as given.
    _float = False
    _given = None

    def _set_kind(self, given):
        """Record the number kind from the parameters ``given`` by the caller
        (``{name: raw value}``; ``_params`` already holds the exact values)."""
        self._float = _any_float(*given.values())
        if self._float:
            self._given = {k: _shown(given[k], v) if k in given else v
                           for k, v in self._params.items()}
        return self

    def _mark_float(self):
        """Make this (derived) law a float law: numeric parameters shown as floats."""
        def shown(v):
            if isinstance(v, tuple):
                return tuple(shown(u) for u in v)
            f = _floatify(v)
            return float(f) if isinstance(f, sympy.Float) else f

        self._float = True
        self._given = {k: shown(v) for k, v in self._params.items()}
        return self

    def _exact_twin(self):
        """The law with the exact (binary) values of a float law's parameters."""
        if not self._float:
            return self
        return type(self)(**self._params)

    def _as_kind(self, values):
        """Floats for a float law (sympy floats in a symbolic expression), the
        exact values otherwise."""
        if not self._float:
            return values
        if self.is_symbolic:
            return [_floatify(v) for v in values]
        return [_to_float(v, f"a number of {self!r}") for v in values]

    def _pairs_kind(self, pairs):
        """``support()``/``atoms()`` pairs in the kind of the law."""
        pairs = list(pairs)
        if not self._float:
            return pairs
        return [tuple(self._as_kind(list(p))) for p in pairs]

    def _expr_kind(self, expr):
        """A transform expression in the kind of the law."""
        return _floatify(expr) if self._float else expr

    def curve(self, exact=False):
        """The algebraic spectral curve ``P(z, G) = 0`` of this law.

        Parameters
        ----------
        exact : bool
            Needed for a float law: its curve is that of the law with the
            exact binary values ``sympy.Rational(float)`` of its float
            parameters (``0.5 -> 1/2``, ``0.3 -> 5404319552844595/2**54``).
            Without it a float law raises (its curve would silently replace
            the floats by rationals).  Exact and symbolic laws ignore it.

        Returns
        -------
        SpectralCurve
            The curve, with this law (its exact twin for a float law)
            attached, so the curve's numerics agree with the law.

        Raises
        ------
        InvalidArgumentError
            For a float law called without ``exact=True``.
        NotAlgebraicError
            For a law without an algebraic curve (the base class).

        Examples
        --------
        >>> from freealg import Semicircle, MarchenkoPastur
        >>> Semicircle().curve()
        SpectralCurve(G**2 - G*z + 1)
        >>> MarchenkoPastur(0.5).curve(exact=True)      # 0.5 is exactly 1/2
        SpectralCurve(2*G**2*z - 2*G*z - G + 2)
        """
        raise NotAlgebraicError(f"{self!r} has no algebraic spectral curve")

    def _check_curve_kind(self, exact):
        """Raise for ``curve()`` of a float law without ``exact=True``."""
        if self._float and not exact:
            raise _float_param_error(self)

    def _numeric_curve(self):
        """The curve the default numerics go through (the exact twin's curve
        for a float law: the numbers are then rounded to floats)."""
        return self._exact_twin().curve()

    def cauchy(self, z, dps=None):
        """Cauchy transform on the physical branch (via the curve by default).

        ``G(z) = ∫ dμ(x)/(z − x)`` with ``G ~ 1/z`` at infinity and
        ``Im G < 0`` for ``Im z > 0`` (the Stieltjes transform is ``−G``).

        Parameters
        ----------
        z : complex or array_like of complex
            Points; on the real axis outside the support ``G`` is real.
        dps : int or None, optional
            ``None`` (default) for numpy complex128 values; else mpmath values
            at that many digits, ``dps <= 1000`` (``dps >= 15`` for laws
            computed through their curve, ``dps >= 1`` for closed forms).

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, a complex array for an array;
            mpmath ``mpc`` numbers (an object array) with ``dps``.

        Raises
        ------
        InvalidArgumentError
            For a non-finite ``z``; for symbolic parameters (substitute first
            with :meth:`subs`); at a pole of ``G`` (an atom, or a hard edge
            where ``G`` is unbounded), where there is no value.
        InvalidArgumentTypeError
            For a ``bool``, text or another non-numeric ``z``, or a
            non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.
        BranchError, ConvergenceError
            When the curve's physical branch cannot be followed to ``z``
            (curve-based laws).

        Examples
        --------
        >>> from freealg import FussCatalan
        >>> g = complex(FussCatalan(2).cauchy(-1.0))      # real root of G³ + G + 1 = 0
        >>> round(g.real, 12), abs(g.imag) < 1e-12
        (-0.682327803828, True)
        """
        self._require_numeric("cauchy")
        _complex_points(z, "z")
        return self._numeric_curve().cauchy(z, dps=check_dps(dps))

    def density(self, x, dps=None, *, strict=True):
        """Density of the absolutely continuous part with its evidence (via the
        curve by default; closed-form laws evaluate their formula and check it
        against ``-Im G(x + i0)/π``).  ``pdf(x)`` gives the values alone.

        The project convention (docs/density.md): 0 outside the closed
        support and at a soft edge, ``+inf`` at a hard edge where the density
        diverges, ``nan`` exactly at an atom location (:meth:`atoms`).

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` (default) for float64 values; else mpmath values at that
            many digits (``density_mp`` of the result), ``dps <= 1000``
            (``dps >= 15`` for laws computed through their curve, ``dps >= 1``
            for closed forms).
        strict : bool, optional
            ``True`` (default): raise when a value fails its certification;
            ``False``: return it flagged in the evidence.

        Returns
        -------
        DensityResult
            ``.density`` holds the float values (``pdf(x)``), ``.evidence``
            the checks, ``.density_mp`` the mpmath values with ``dps``.

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or symbolic parameters
            (substitute first with :meth:`subs`).
        InvalidArgumentTypeError
            For a non-numeric ``x``, a non-integer ``dps`` or a non-bool ``strict``.
        TooLargeError
            If ``dps > 1000``.
        CertificationError
            With ``strict=True``, when a value fails its certification checks.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle().density([0.0, 2.0, 3.0]).density     # 1/π, soft edge, outside
        array([0.31830989, 0.        , 0.        ])
        """
        self._require_numeric("density")
        _real_points(x, "x")
        return self._numeric_curve().density(x, dps=check_dps(dps), strict=strict)

    def _density_values(self, x, dps=None):
        """The density values alone (the fast path of :meth:`pdf` and the CDF):
        the closed form itself when the law has one, else ``density(x)``'s values
        (mpmath values with ``dps``)."""
        values = getattr(type(self).density, "_values", None)
        if values is not None:
            return values(self, x, dps)
        res = self.density(x, dps=dps)
        if dps is not None and res.density_mp is not None:
            out = np.empty(len(res.density_mp), dtype=object)
            out[:] = list(res.density_mp)
            return out.reshape(np.shape(res.density))
        return res.density

    def support(self):
        """Intervals of the absolutely continuous part (via the curve by default).

        Returns
        -------
        list of tuple
            ``[(a, b), ...]`` sorted intervals: exact sympy edges for an exact
            law, floats for a float law; ``[]`` for a purely atomic law.

        Raises
        ------
        InvalidArgumentError
            When the edges depend on symbolic parameters that must be numbers
            (substitute first with :meth:`subs`).

        Examples
        --------
        >>> from freealg import Semicircle, PointMass
        >>> Semicircle(0, 4).support()
        [(-4, 4)]
        >>> PointMass(2).support()
        []
        """
        self._require_numeric("support")
        return self._pairs_kind(self._numeric_curve().support())

    def atoms(self):
        """Atoms ``(location, mass)`` (via the curve by default).

        Returns
        -------
        list of tuple
            ``[(location, mass), ...]``: exact sympy values for an exact law,
            floats for a float law; ``[]`` when there is no atom.

        Raises
        ------
        InvalidArgumentError
            When whether an atom exists depends on symbolic parameters
            (substitute first with :meth:`subs`).

        Examples
        --------
        >>> import sympy
        >>> from freealg import MarchenkoPastur, Atomic, PointMass
        >>> MarchenkoPastur(sympy.Rational(1, 2)).atoms()     # mass 1 − λ at 0
        [(0, 1/2)]
        >>> Atomic([0, 2], [sympy.Rational(1, 4), sympy.Rational(3, 4)]).atoms()
        [(0, 1/4), (2, 3/4)]
        >>> PointMass(0.5).atoms()
        [(0.5, 1.0)]
        """
        self._require_numeric("atoms")
        return self._pairs_kind(self._numeric_curve().atoms())

    def affine(self, shift=0, scale=1):
        r"""Law of ``shift + scale·X``: a curve in general.

        Families closed under affine maps return a named law (``PointMass``,
        ``Atomic``, ``Semicircle``, ``Arcsine``; ``scale = 0`` gives the
        point mass at ``shift``); other laws return the
        :class:`SpectralCurve` of the image.

        Parameters
        ----------
        shift : number or sympy expression, optional
            Added after scaling (default 0).
        scale : number or sympy expression, optional
            Multiplier (default 1).

        Returns
        -------
        Law or SpectralCurve
            The image law; a float law (or a float ``shift``/``scale``) gives
            a float law.

        Raises
        ------
        InvalidArgumentError
            For a non-finite or complex ``shift``/``scale``; for a float law
            whose image must go through its curve (use
            ``law.curve(exact=True).affine(shift, scale)``).
        InvalidArgumentTypeError
            For a ``shift``/``scale`` that is not a number or a sympy
            expression.
        NotAlgebraicError
            For a law without an algebraic curve and no affine closed form
            (:class:`ActivationDerivativeLaw`).

        Examples
        --------
        >>> from freealg import Bernoulli
        >>> Bernoulli(sympy.Rational(1, 2)).affine(1, 2).moments(2)     # atoms 1, 3
        [2, 5]
        """
        if self._float:
            raise _float_param_error(self, "affine()", "law.curve(exact=True).affine(shift, scale)")
        return self.curve().affine(shift, scale)

    def invert(self):
        r"""Law of ``1/X`` as a curve (needs no atom at 0; see
        :meth:`SpectralCurve.invert`).

        Returns
        -------
        SpectralCurve
            The curve of the law of ``1/X``.

        Raises
        ------
        InvalidArgumentError
            For a float law (use ``law.curve(exact=True).invert()``), or, from
            :meth:`SpectralCurve.invert`, a law with an atom at 0.
        NotAlgebraicError
            For a law without an algebraic curve.

        Examples
        --------
        >>> from freealg import PointMass
        >>> PointMass(4).invert().moments(2)
        [1/4, 1/16]
        """
        if self._float:
            raise _float_param_error(self, "invert()", "law.curve(exact=True).invert()")
        return self.curve().invert()

    # -- printing and identity ------------------------------------------------
    def _key(self):
        return (type(self).__name__, self._float,
                tuple((k, _hashable(v)) for k, v in self._params.items()))

    def __eq__(self, other):
        return isinstance(other, Law) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        """Text that evaluates to the same law (``from freealg import *`` and
        ``from sympy import *``), e.g. ``MarchenkoPastur(rate=Rational(1, 3), jump=1)``;
        a float law shows its floats as given (``MarchenkoPastur(rate=0.3, jump=1)``)."""
        inner = ", ".join(f"{k}={_src(v)}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({inner})"

    def _latex_name(self, printer=None):
        lat = (printer.doprint if printer is not None else sympy.latex)
        inner = ", ".join(lat(sympify_safe(v)) if not isinstance(v, (list, tuple))
                          else "(" + ", ".join(lat(u) for u in v) + ")"
                          for v in self.parameters.values())
        return rf"\mathrm{{{type(self).__name__}}}\left({inner}\right)"

    def _latex(self, printer=None):
        return self._latex_name(printer)

    def latex(self):
        """LaTeX name of the law, e.g. ``\\mathrm{Semicircle}\\left(0, 1\\right)``.

        Returns
        -------
        str
            LaTeX source (no surrounding ``$``).

        Examples
        --------
        >>> from freealg import Semicircle
        >>> print(Semicircle().latex())
        \\mathrm{Semicircle}\\left(0, 1\\right)
        """
        return self._latex()

    def _repr_latex_(self):
        return f"${self._latex()}$"
