r"""Activation functions and their Gaussian expectations (low level).

An :class:`Activation` bundles ``phi`` and ``phi'`` in three number kinds
(docs/conventions.md): vectorised numpy functions for floats, mpmath functions for
high-precision quadrature, and a sympy expression in one variable.  On top it
knows the Gaussian expectations the mean-field theory needs (docs/theory.md §4):

* ``E[phi(h)]``, ``E[phi(h)^2]``, ``E[phi'(h)]``, ``E[phi'(h)^2]`` and the
  moments ``E[phi'(h)^{2k}]`` for ``h ~ N(0, q)``, i.e. ``∫Dz f(√q z)`` with
  ``Dz`` the standard Gaussian measure;
* closed forms where they exist (linear, relu, leaky_relu, hardtanh, erf) and
  mpmath quadrature otherwise, at a requested precision ``dps``;
* for piecewise-linear activations the exact law of ``phi'(h)^2``
  (docs/theory.md §4: relu gives Bernoulli(1/2), hard-tanh gives Bernoulli(p) with
  ``p = erf(1/√(2q))``), see :meth:`Activation.dphi_values_probabilities`.

Conventions at the kinks (a set of Gaussian measure zero): ``relu'(0) = 0``,
``hardtanh'(±1) = 0``, ``leaky_relu'(0) = slope``.

This module is low level: it imports nothing from freealg except
:mod:`freealg.errors` and the argument checkers of
:mod:`freealg._utils.validate`.

Examples
--------
>>> from freealg.activations import get_activation, gaussian_expectation
>>> relu = get_activation("relu")
>>> relu.phi([-1.0, 2.0])
array([0., 2.])
>>> relu.gaussian_expectation("phi2", 3)      # E relu(h)^2 = q/2, exact
3/2
>>> relu.dphi_values_probabilities()
[(0, 1/2), (1, 1/2)]
>>> import mpmath
>>> gaussian_expectation(lambda h: h**4, 2)   # E h^4 = 3 q^2
mpf('12.0')
"""

from __future__ import annotations

from ._utils.symbolic import sympify_safe
import math
import numbers
from fractions import Fraction

from ._utils.mpctx import lambdify_modules, mpmath, user_function
import numpy as np
import sympy as sp

from ._utils.validate import (
    MAX_DPS,
    MAX_MOMENT_ORDER,
    check_choice,
    check_dps,
    check_finite_array,
    check_int,
    check_real,
    describe,
)
from .errors import FloatRangeError, InvalidArgumentError, InvalidArgumentTypeError, UnknownActivationError

__all__ = ["Activation", "get_activation", "gaussian_expectation", "ACTIVATION_NAMES",
           "FloatRangeError"]

#: Names accepted by :func:`get_activation` (``swish`` is an alias of ``silu``).
ACTIVATION_NAMES = (
    "linear",
    "relu",
    "leaky_relu",
    "hardtanh",
    "tanh",
    "erf",
    "sigmoid",
    "silu",
    "gelu",
)
_ALIASES = {"swish": "silu"}

_X = sp.Symbol("x", real=True)
_Q = sp.Symbol("q", positive=True)


# ---------------------------------------------------------------------------
# numpy erf (numpy has none; scipy is not a dependency): a numba ufunc built on
# first use, never at import.
# ---------------------------------------------------------------------------

_ERF_UFUNC = None


def _np_erf(x):
    global _ERF_UFUNC
    if _ERF_UFUNC is None:
        import numba

        @numba.vectorize(["float64(float64)"], cache=True)
        def _erf(v):  # pragma: no cover - compiled
            return math.erf(v)

        _ERF_UFUNC = _erf
    return _ERF_UFUNC(np.asarray(x, dtype=float))


# ---------------------------------------------------------------------------
# number kinds
# ---------------------------------------------------------------------------


def _kind(q):
    """'exact' (int, Fraction, sympy), 'mp' (mpmath) or 'float' for a value
    already accepted by :func:`_check_q`."""
    if isinstance(q, sp.Basic):
        return "exact"
    if isinstance(q, (int, Fraction, np.integer)):
        return "exact"
    if isinstance(q, (mpmath.mpf,)):
        return "mp"
    return "float"


def _to_sympy(q):
    if isinstance(q, Fraction):
        return sp.Rational(q.numerator, q.denominator)
    if isinstance(q, np.integer):
        return sp.Integer(int(q))
    return sympify_safe(q)


def _check_q(q, name="q"):
    """Validate a variance: real, finite, >= 0 (symbols are accepted), with
    the shared checker :func:`freealg._utils.validate.check_real`."""
    try:
        check_real(q, name, nonnegative=True, allow_symbol=True)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError as exc:
        if "finite" in str(exc):
            raise InvalidArgumentError(
                f"{exc}. A non-finite variance means the forward pass diverged: use a "
                "smaller sigma_w or fewer layers."
            ) from None
        raise InvalidArgumentError(f"{exc} ({name} is a variance)") from None
    kind = _kind(q)
    if kind == "exact":
        return kind, _to_sympy(q)
    return kind, q


def _check_dps(dps, name="dps"):
    # internal callers add a few guard digits to a user's dps (<= MAX_DPS)
    if dps is None:
        raise InvalidArgumentTypeError(f"{name} must be a positive integer (mpmath digits); got None")
    return check_dps(dps, name, maximum=MAX_DPS + 64)


class _MpBackend:
    """mpmath functions at the current working precision."""

    sqrt = staticmethod(mpmath.sqrt)
    erf = staticmethod(mpmath.erf)
    exp = staticmethod(mpmath.exp)
    asin = staticmethod(mpmath.asin)

    @property
    def pi(self):
        return +mpmath.pi

    @staticmethod
    def num(v):
        return mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator


class _SpBackend:
    sqrt = staticmethod(sp.sqrt)
    erf = staticmethod(sp.erf)
    exp = staticmethod(sp.exp)
    asin = staticmethod(sp.asin)
    pi = sp.pi

    @staticmethod
    def num(v):
        return _to_sympy(v)


_MP = _MpBackend()
_SP = _SpBackend()


# ---------------------------------------------------------------------------
# the Gaussian quadrature
# ---------------------------------------------------------------------------


def gaussian_expectation(f, q, *, dps=15, breakpoints=()):
    r"""``E[f(h)]`` for ``h ~ N(0, q)``, i.e. ``∫Dz f(√q z)``, by mpmath quadrature.

    ``∫Dz g(z) = (2π)^{-1/2} ∫ g(z) e^{-z²/2} dz`` (standard Gaussian
    measure, the ``Dz`` of docs/theory.md §4).  The integral is computed by
    tanh–sinh quadrature (``mpmath.quad``) at ``dps + 10`` digits, with the
    real line split at ``0``, at ``±1, ±3, ±10`` in units of ``h`` (where the
    standard activations change shape) and at the given ``breakpoints`` (kinks
    of ``f``, in units of ``h``), and rounded to ``dps`` digits.

    Parameters
    ----------
    f : callable or sympy expression
        Function of one real variable accepting mpmath numbers; a sympy
        expression in one symbol is lambdified with mpmath.
    q : real >= 0
        Variance of ``h``.  ``q = 0`` gives ``f(0)``.
    dps : int
        Decimal digits of the result.
    breakpoints : iterable of real
        Points ``h`` where ``f`` has a kink or a jump (e.g. ``(-1, 1)`` for
        hard-tanh); splitting there keeps full accuracy.

    Returns
    -------
    mpmath.mpf

    Raises
    ------
    InvalidArgumentError
        If ``q`` is negative, not finite or symbolic, ``dps`` is not a
        positive integer, ``f`` is not callable (or a sympy expression with
        more than one symbol), a breakpoint is not finite; or the integral is
        not finite.  Wrong types raise the subclass
        ``InvalidArgumentTypeError``.
    TooLargeError
        If ``dps`` exceeds the supported maximum.

    Examples
    --------
    ``E[h²] = q`` and ``E[|h|] = √(2q/π)``:

    >>> gaussian_expectation(lambda h: h**2, 3)
    mpf('3.0')
    >>> import mpmath
    >>> v = gaussian_expectation(abs, 1, dps=30, breakpoints=[0])
    >>> print(mpmath.nstr(v, 25))        # sqrt(2/pi) = 0.79788456080286535587989211...
    0.7978845608028653558798921
    """
    dps = _check_dps(dps)
    kind, qv = _check_q(q)
    if not (callable(f) or isinstance(f, sp.Basic)):
        raise InvalidArgumentTypeError(
            f"f must be a callable of one real variable or a sympy expression; got "
            f"{describe(f)} of type {type(f).__name__}"
        )
    if isinstance(breakpoints, (str, bytes)) or not hasattr(breakpoints, "__iter__"):
        raise InvalidArgumentTypeError(
            f"breakpoints must be a sequence of real numbers; got {describe(breakpoints)} "
            f"of type {type(breakpoints).__name__}"
        )
    breakpoints = [check_real(b, f"breakpoints[{i}]") for i, b in enumerate(breakpoints)]
    if isinstance(f, sp.Basic):
        free = sorted(f.free_symbols, key=str)
        if len(free) > 1:
            raise InvalidArgumentError(
                f"a sympy integrand must have at most one free symbol; {f} has {free}"
            )
        if free:
            f = sp.lambdify(free[0], f, modules=lambdify_modules())
        else:
            const = f
            f = lambda h, _c=const: mpmath.mpf(sp.N(_c, dps + 10))  # noqa: E731
    if not callable(f):
        raise InvalidArgumentError(
            f"f must be a callable of one real variable (or a sympy expression); got {f!r}"
        )
    f = user_function(f, dps=dps)
    with mpmath.workdps(dps + 10):
        if kind == "exact":
            if not qv.is_number:
                raise InvalidArgumentError(
                    f"gaussian_expectation integrates numerically; q = {qv} is symbolic. "
                    "Substitute a number, or use Activation.gaussian_expectation for a "
                    "closed form in q."
                )
            qm = mpmath.mpf(sp.N(qv, dps + 15))
        else:
            qm = mpmath.mpf(qv)
        if qm == 0:
            val = mpmath.mpf(f(mpmath.mpf(0)))
        else:
            s = mpmath.sqrt(qm)
            # split points on both scales: the Gaussian's (|z| = 1, 3, 10) and the
            # activation's (|h| = 1, 3, 10, i.e. z = c / sqrt(q)) and the kinks.  Points
            # of the h-scale beyond zmax, where the Gaussian weight is below the working
            # precision, are dropped: at q = 1e-300 they sit at |z| ~ 1e150, and a panel
            # [0, 1e150] holding all the mass near z = 0 was integrated to ~1e-22582
            # instead of 1.
            zmax = mpmath.sqrt(2 * (mpmath.mp.dps + 10) * mpmath.log(10)) + 2
            pts = {mpmath.mpf(0)}
            for c in (1, 3, 10):
                pts.add(mpmath.mpf(c))
                pts.add(-mpmath.mpf(c))
            for c in (1, 3, 10):
                if mpmath.mpf(c) / s <= zmax:
                    pts.add(mpmath.mpf(c) / s)
                    pts.add(-mpmath.mpf(c) / s)
            for b in breakpoints:
                b = mpmath.mpf(b)
                if not mpmath.isfinite(b):
                    raise InvalidArgumentError(f"breakpoints must be finite; got {b}")
                if abs(b / s) <= zmax:
                    pts.add(b / s)
            nodes = [-mpmath.inf] + sorted(pts) + [mpmath.inf]
            norm = 1 / mpmath.sqrt(2 * mpmath.pi)

            def integrand(z):
                return f(s * z) * mpmath.exp(-z * z / 2)

            # mpmath.quad stops on an absolute error estimate: at q = 1e-40 the integrand
            # of E[h^2] is ~1e-40 and the first tanh-sinh level (relative error 2.4e-6)
            # was accepted.  Integrate the integrand divided by its size in the bulk.
            scale = max(abs(integrand(mpmath.mpf(t))) for t in (0, 0.5, -0.5, 1, -1, 2, -2, 3, -3))
            if not scale or not mpmath.isfinite(scale):
                scale = mpmath.mpf(1)
            val = mpmath.quad(lambda z: integrand(z) / scale, nodes) * scale * norm
            # the Gaussian weight must dominate far out (e^{-1250} at |z| = 50);
            # otherwise tanh-sinh returns a finite number for a divergent integral
            tail = max(abs(integrand(mpmath.mpf(50))), abs(integrand(mpmath.mpf(-50))))
            bulk = max(1, abs(integrand(mpmath.mpf(0))), abs(integrand(mpmath.mpf(1))),
                       abs(integrand(mpmath.mpf(-1))))
            if not mpmath.isfinite(tail) or tail > mpmath.mpf(10) ** (-dps - 10) * bulk:
                raise InvalidArgumentError(
                    f"the Gaussian expectation diverges for q = {q}: |f(h)| e^(-h^2/(2q)) is "
                    f"{mpmath.nstr(tail, 5)} at h = ±50 sqrt(q). f must grow slower than "
                    "exp(h^2 / (2q))."
                )
        if not mpmath.isfinite(val):
            raise InvalidArgumentError(
                f"the Gaussian expectation is not finite (got {val}) for q = {q}: "
                "the integrand grows too fast or is singular"
            )
    with mpmath.workdps(dps):
        return +val


# ---------------------------------------------------------------------------
# the Activation class
# ---------------------------------------------------------------------------

_WHICH = ("phi", "phi2", "dphi", "dphi2")


class Activation:
    r"""An activation function ``phi`` with ``phi'`` and Gaussian expectations.

    Build one with :func:`get_activation`; do not call the constructor.

    Attributes
    ----------
    name : str
        ``'relu'``, ``'leaky_relu'``, ... or ``'custom'`` for a sympy
        expression.
    params : dict
        Parameters (``{'slope': a}`` for leaky_relu, else empty).
    symbol : sympy.Symbol
        The variable of :attr:`expr`.
    expr, dexpr : sympy.Expr
        ``phi`` and ``phi'`` as sympy expressions (``Max``/``Min``/
        ``Piecewise`` for the piecewise ones).
    piecewise_linear : bool
        True for linear, relu, leaky_relu, hardtanh: then ``phi'(h)^2`` takes
        finitely many values and :meth:`dphi_values_probabilities` gives its
        law exactly.
    breakpoints : tuple
        Kinks of ``phi`` (``(0,)`` for relu, ``(-1, 1)`` for hardtanh).
    positively_homogeneous : bool
        ``phi(c x) = c phi(x)`` for ``c > 0`` (linear, relu, leaky_relu): then
        the law of ``phi'(h)`` does not depend on ``q``, and ``q = 0`` is read
        as the limit ``q -> 0+``.

    Parameters
    ----------
    name : str
        A name of :data:`ACTIVATION_NAMES` or ``'custom'``.
    expr : sympy.Expr
        ``phi`` as a sympy expression in ``symbol``.
    symbol : sympy.Symbol
        The variable of ``expr``.
    params : dict or None, default None
        Parameters of the named activation (``{'slope': a}`` for leaky_relu).
    phi_np, dphi_np : callable
        ``phi`` and ``phi'`` on float64 arrays.
    phi_mp, dphi_mp : callable
        ``phi`` and ``phi'`` on mpmath scalars.
    breakpoints : tuple of real, default ()
        Kinks of ``phi`` (quadrature split points).
    piecewise_linear, positively_homogeneous : bool, default False
        See the attributes of the same names.
    closed : dict or None, default None
        Closed forms ``{which: f(q, backend)}`` of the Gaussian expectations
        (``which`` in ``'phi', 'phi2', 'dphi', 'dphi2'``).
    dphi2_law : callable or None, default None
        ``(q, backend) -> [(value, probability), ...]``, the law of
        ``phi'(h)^2`` for piecewise-linear activations.
    dphi2_moment : callable or None, default None
        ``(q, k, backend) -> E[phi'(h)^(2k)]`` in closed form.

    Raises
    ------
    KeyError
        If ``name`` is neither ``'custom'`` nor a built-in name.  The
        constructor validates nothing else; use :func:`get_activation`.

    Examples
    --------
    >>> from freealg.activations import get_activation
    >>> th = get_activation("tanh")
    >>> th.dphi(0.0)
    np.float64(1.0)
    >>> th.expr, th.dexpr
    (tanh(x), 1 - tanh(x)**2)
    >>> float(th.gaussian_expectation("dphi2", 0.0))
    1.0
    """

    def __init__(self, name, expr, symbol, *, params=None, phi_np=None, dphi_np=None,
                 phi_mp=None, dphi_mp=None, breakpoints=(), piecewise_linear=False,
                 positively_homogeneous=False, closed=None, dphi2_law=None,
                 dphi2_moment=None):
        self.name = name
        self.params = dict(params or {})
        self.symbol = symbol
        self.expr = expr
        self.dexpr = sp.diff(expr, symbol) if name == "custom" else _DEXPR[name](symbol, self.params)
        self.breakpoints = tuple(breakpoints)
        self.piecewise_linear = bool(piecewise_linear)
        self.positively_homogeneous = bool(positively_homogeneous)
        self._phi_np = phi_np
        self._dphi_np = dphi_np
        self._phi_mp = phi_mp
        self._dphi_mp = dphi_mp
        self._closed = dict(closed or {})
        self._dphi2_law = dphi2_law
        self._dphi2_moment = dphi2_moment

    # -- evaluation -----------------------------------------------------
    def phi(self, x):
        """``phi(x)``, vectorised over a numpy float array.

        Also the instance's ``__call__``.

        Parameters
        ----------
        x : float or array_like of float
            Finite real points.

        Returns
        -------
        numpy.ndarray or numpy.float64
            ``phi(x)`` in float64, of the shape of ``x``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric (None, bool, text, ragged).
        InvalidArgumentError
            If an entry is NaN, infinite or complex.

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> relu = get_activation("relu")
        >>> relu([-1.0, 2.0])
        array([0., 2.])
        """
        return self._phi_np(_float_array(x, "x"))

    __call__ = phi

    def dphi(self, x):
        """``phi'(x)``, vectorised over a numpy float array.

        Parameters
        ----------
        x : float or array_like of float
            Finite real points.

        Returns
        -------
        numpy.ndarray or numpy.float64
            ``phi'(x)`` in float64, of the shape of ``x``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric (None, bool, text, ragged).
        InvalidArgumentError
            If an entry is NaN, infinite or complex.

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> get_activation("relu").dphi([-1.0, 2.0])
        array([0., 1.])
        """
        return self._dphi_np(_float_array(x, "x"))

    def phi_mp(self, x):
        """``phi(x)`` for an mpmath scalar, at the current mpmath precision.

        Parameters
        ----------
        x : mpmath.mpf or real number
            A non-mpmath real is converted with ``mpmath.mpf``.

        Returns
        -------
        mpmath.mpf
            ``phi(x)``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not a real number.
        InvalidArgumentError
            If ``x`` is NaN or infinite.

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> get_activation("tanh").phi_mp(0)
        mpf('0.0')
        """
        return self._phi_mp(x if isinstance(x, mpmath.mpf) else mpmath.mpf(check_real(x, "x")))

    def dphi_mp(self, x):
        """``phi'(x)`` for an mpmath scalar, at the current mpmath precision.

        Parameters
        ----------
        x : mpmath.mpf or real number
            A non-mpmath real is converted with ``mpmath.mpf``.

        Returns
        -------
        mpmath.mpf
            ``phi'(x)``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not a real number.
        InvalidArgumentError
            If ``x`` is NaN or infinite.

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> get_activation("relu").dphi_mp(2)
        mpf('1.0')
        """
        return self._dphi_mp(x if isinstance(x, mpmath.mpf) else mpmath.mpf(check_real(x, "x")))

    # -- identity -----------------------------------------------------
    def _key(self):
        if self.name == "custom":
            return ("custom", sp.srepr(self.expr), self.breakpoints)
        return (self.name, tuple(sorted((k, str(v)) for k, v in self.params.items())))

    def __eq__(self, other):
        return isinstance(other, Activation) and self._key() == other._key()

    def __reduce__(self):
        # pickled by its definition (the lambdified callables are rebuilt), so
        # that activations travel to worker processes and dask clusters
        return (_rebuild_activation, (self.expr if self.name == "custom" else self.name, self.params))

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.name == "custom":
            return f"Activation({self.expr})"
        if self.params:
            inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
            return f"Activation('{self.name}', {inner})"
        return f"Activation('{self.name}')"

    def _repr_latex_(self):
        return f"$\\phi({sp.latex(self.symbol)}) = {sp.latex(self.expr)}$"

    # -- Gaussian expectations ---------------------------------------------
    def gaussian_expectation(self, which, q, *, dps=15):
        r"""``E[g(h)]`` for ``h ~ N(0, q)`` with ``g`` one of ``phi``, ``phi^2``,
        ``phi'``, ``phi'^2``.

        Closed forms (exact in ``q``) for linear, relu, leaky_relu, hardtanh and
        erf; mpmath quadrature (:func:`gaussian_expectation`) otherwise.

        Parameters
        ----------
        which : {'phi', 'phi2', 'dphi', 'dphi2'}
            ``g = phi``, ``phi^2``, ``phi'`` or ``phi'^2``.
        q : real >= 0 or sympy expression
            Variance of ``h``.
        dps : int, default 15
            Digits for mpmath evaluation.

        Returns
        -------
        number
            Of the kind of ``q``: exact ``q`` (int, Fraction, sympy) gives a
            sympy expression when a closed form exists and an ``mpmath.mpf``
            otherwise; ``mpmath.mpf`` gives ``mpf``; ``float`` gives ``float``.

        Raises
        ------
        InvalidArgumentError
            If ``which`` is not one of the four names, ``q`` is negative or
            not finite, or ``q`` is symbolic and no closed form exists.
        InvalidArgumentTypeError
            If ``which`` is not a str, ``q`` not a real number or sympy
            expression, or ``dps`` not an integer.
        TooLargeError
            If ``dps`` exceeds the supported maximum.
        FloatRangeError
            If ``q`` is a float and the value leaves the float64 range.

        Examples
        --------
        Hard-tanh: ``E[phi'(h)^2] = P(|h| < 1) = erf(1/√(2q))``:

        >>> from freealg.activations import get_activation
        >>> ht = get_activation("hardtanh")
        >>> ht.gaussian_expectation("dphi2", 2)
        erf(1/2)
        >>> round(ht.gaussian_expectation("dphi2", 2.0), 12)
        0.520499877813
        """
        check_choice(which, "which", _WHICH)
        dps = _check_dps(dps)
        kind, qv = _check_q(q)
        closed = self._closed.get(which)
        if closed is not None:
            if kind == "exact":
                return sp.simplify(closed(qv, _SP)) if qv.is_number else closed(qv, _SP)
            with mpmath.workdps(dps + 5):
                val = closed(mpmath.mpf(qv), _MP)
            with mpmath.workdps(dps):
                val = +val
            return _float_result(val, f"E[{which}] of {self!r}", q) if kind == "float" else val
        if kind == "exact" and not qv.is_number:
            raise InvalidArgumentError(
                f"no closed form of E[{which}] for {self!r}; substitute a number for q = {qv}"
            )
        fun = {
            "phi": self._phi_mp,
            "phi2": lambda h: self._phi_mp(h) ** 2,
            "dphi": self._dphi_mp,
            "dphi2": lambda h: self._dphi_mp(h) ** 2,
        }[which]
        val = gaussian_expectation(fun, qv, dps=dps, breakpoints=self.breakpoints)
        return _float_result(val, f"E[{which}] of {self!r}", q) if kind == "float" else val

    def dphi2_moments(self, q, n, *, dps=15):
        r"""Moments ``mu_k = E[phi'(h)^{2k}]``, ``k = 1..n``, for ``h ~ N(0, q)``.

        These are the moments of the law ``nu`` of ``D²`` (docs/theory.md §4–5).
        Exact for piecewise-linear activations and erf
        (``E[erf'(h)^{2k}] = (4/π)^k / √(1 + 4kq)``), quadrature otherwise.
        Number kinds as in :meth:`gaussian_expectation`.

        Parameters
        ----------
        q : real >= 0 or sympy expression
            Variance of ``h`` (symbolic only where a closed form exists).
        n : int
            Number of moments, ``1 <= n <= MAX_MOMENT_ORDER`` (2000).
        dps : int, default 15
            Digits for mpmath evaluation.

        Returns
        -------
        list
            ``[mu_1, ..., mu_n]``: sympy for exact ``q`` (closed forms),
            float for float ``q``, ``mpmath.mpf`` otherwise.

        Raises
        ------
        InvalidArgumentError
            If ``n < 1``, ``q`` is negative or not finite, or ``q`` is
            symbolic and no closed form exists.
        InvalidArgumentTypeError
            If ``n`` or ``dps`` is not an integer, or ``q`` not a real number
            or sympy expression.
        TooLargeError
            If ``n > 2000`` or ``dps`` exceeds the supported maximum.
        FloatRangeError
            If ``q`` is a float and a moment leaves the float64 range.

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> get_activation("relu").dphi2_moments(1, 3)
        [1/2, 1/2, 1/2]
        >>> get_activation("erf").dphi2_moments(0, 2)
        [4/pi, 16/pi**2]
        """
        n = check_int(n, "n", minimum=1, maximum=MAX_MOMENT_ORDER,
                      hint="each moment is one quadrature; ask for fewer moments")
        dps = _check_dps(dps)
        kind, qv = _check_q(q)
        if self.piecewise_linear:
            law = self.dphi_values_probabilities(q)
            return [sum((p * v ** k for v, p in law), 0 * law[0][1]) for k in range(1, n + 1)]
        if self._dphi2_moment is not None:
            if kind == "exact":
                return [sp.simplify(self._dphi2_moment(qv, k, _SP)) for k in range(1, n + 1)]
            out = []
            with mpmath.workdps(dps + 5):
                for k in range(1, n + 1):
                    out.append(self._dphi2_moment(mpmath.mpf(qv), k, _MP))
            with mpmath.workdps(dps):
                out = [+v for v in out]
            return ([_float_result(v, f"E[phi'^{2 * k}] of {self!r}", q)
                     for k, v in enumerate(out, 1)] if kind == "float" else out)
        if kind == "exact" and not qv.is_number:
            raise InvalidArgumentError(
                f"no closed form of E[phi'^(2k)] for {self!r}; substitute a number for q = {qv}"
            )
        out = [
            gaussian_expectation(lambda h, k=k: self._dphi_mp(h) ** (2 * k), qv, dps=dps,
                                 breakpoints=self.breakpoints)
            for k in range(1, n + 1)
        ]
        return ([_float_result(v, f"E[phi'^{2 * k}] of {self!r}", q)
                 for k, v in enumerate(out, 1)] if kind == "float" else out)

    def dphi_values_probabilities(self, q=None):
        r"""Exact law of ``phi'(h)^2``, ``h ~ N(0, q)``, for piecewise-linear ``phi``.

        Returns a list of ``(value, probability)`` pairs sorted by value, atoms
        of zero probability dropped:

        * linear: ``[(1, 1)]``;
        * relu: ``[(0, 1/2), (1, 1/2)]`` (any ``q > 0``; ``q = 0`` is read as
          ``q -> 0+``);
        * leaky_relu(a): ``[(a², 1/2), (1, 1/2)]`` (one atom if ``a² = 1``);
        * hardtanh: ``[(0, 1 − p), (1, p)]`` with ``p = erf(1/√(2q))``.

        Parameters
        ----------
        q : real >= 0, sympy expression, or None
            ``None`` means a positive sympy symbol ``q`` (the law as a
            function of ``q``).

        Returns
        -------
        list of (value, probability)
            Sympy numbers/expressions for exact or ``None`` ``q``, ``float``
            for float ``q``, ``mpmath.mpf`` for mpmath ``q``.

        Raises
        ------
        InvalidArgumentError
            For an activation that is not piecewise linear (its ``phi'(h)^2``
            has a continuous law; use :meth:`dphi2_moments`).

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> get_activation("hardtanh").dphi_values_probabilities()
        [(0, 1 - erf(sqrt(2)/(2*sqrt(q)))), (1, erf(sqrt(2)/(2*sqrt(q))))]
        >>> get_activation("leaky_relu", slope=0.5).dphi_values_probabilities(1.0)
        [(0.25, 0.5), (1.0, 0.5)]
        """
        if not self.piecewise_linear:
            raise InvalidArgumentError(
                f"{self!r} is not piecewise linear: phi'(h)^2 has a continuous law, not "
                "finitely many atoms. Use dphi2_moments(q, n) for its moments."
            )
        if q is None:
            kind, qv = "exact", _Q
        else:
            kind, qv = _check_q(q)
        if kind == "exact":
            law = self._dphi2_law(qv, _SP)
            law = [(sp.nsimplify(v) if isinstance(v, (int, Fraction)) else sympify_safe(v),
                    sympify_safe(p)) for v, p in law]
        else:
            with mpmath.workdps(mpmath.mp.dps + 5):
                law = [(mpmath.mpf(v), p) for v, p in self._dphi2_law(mpmath.mpf(qv), _MP)]
            law = [(v, +mpmath.mpf(p)) for v, p in law]
            if kind == "float":
                law = [(float(v), float(p)) for v, p in law]
        merged = {}
        order = []
        for v, p in law:
            key = v
            if key in merged:
                merged[key] = merged[key] + p
            else:
                merged[key] = p
                order.append(key)
        out = [(v, merged[v]) for v in order if merged[v] != 0]
        try:
            out.sort(key=lambda vp: float(vp[0]))
        except TypeError:
            pass  # symbolic values (a symbolic slope): keep the given order
        return out

    # -- fast float engines (used by freealg.dnn) ------------------------------
    @property
    def closed_form_2d(self):
        """True when :meth:`gaussian_expectation_2d` has a closed form
        (linear, relu, leaky_relu, erf)."""
        return self.name in ("linear", "relu", "leaky_relu", "erf")

    def gaussian_expectation_np(self, which, q):
        r"""Vectorised float version of :meth:`gaussian_expectation`.

        ``q`` may be an array of variances; closed forms where they exist,
        otherwise a composite 12-point Gauss–Legendre rule on
        ``z ∈ [-9, 9]`` (Gaussian tail mass ``< 1e-18``) whose panels are split
        at the kinks of ``phi`` and at ``h = 0, ±0.5, ±1, ±2, ±4, ±7, ±12, ±20``.  Accuracy
        about ``1e-14`` for the named activations; use the mpmath method for
        more digits.

        Parameters
        ----------
        which : {'phi', 'phi2', 'dphi', 'dphi2'}
            ``g = phi``, ``phi^2``, ``phi'`` or ``phi'^2``.
        q : float or array_like of float
            Variances ``>= 0``.

        Returns
        -------
        numpy.ndarray
            float64 ``E[g(h)]``, of the shape of ``q``.

        Raises
        ------
        InvalidArgumentError
            If ``which`` is not one of the four names, or an entry of ``q`` is
            negative, NaN or infinite.
        InvalidArgumentTypeError
            If ``which`` is not a str or ``q`` is not numeric.
        FloatRangeError
            If a value overflows float64 (use the mpmath method).

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> get_activation("relu").gaussian_expectation_np("phi2", [1.0, 4.0])
        array([0.5, 2. ])
        """
        check_choice(which, "which", _WHICH)
        q = check_finite_array(q, "q")
        if np.any(q < 0):
            raise InvalidArgumentError(
                f"q is a variance and must be >= 0; got {q[q < 0].ravel()[:3]}"
            )
        # intermediate overflow (cosh of a huge argument, h**2 beyond 1e308) is
        # allowed where it gives the right limit; the result is checked below
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            out = _closed_np(self, which, q)
            if out is None:
                fun = {
                    "phi": self.phi,
                    "phi2": lambda h: self.phi(h) ** 2,
                    "dphi": self.dphi,
                    "dphi2": lambda h: self.dphi(h) ** 2,
                }[which]
                out = _expect1_np(fun, q, self.breakpoints)
        return _finite_np(out, f"E[{which}] of {self!r}", q)


    def gaussian_expectation_2d(self, which, s11, s12, s22, *, dps=None):
        r"""``E[phi(u) phi(v)]`` or ``E[phi'(u) phi'(v)]`` for a centred Gaussian
        pair ``(u, v)`` with covariance ``[[s11, s12], [s12, s22]]``.

        Closed forms (docs/theory.md, "Deep networks"; Cho & Saul 2009,
        Williams 1997), written with ``det = s11 s22 − s12²`` formed in
        double-double so that nothing cancels near ``|ρ| = 1``:

        * relu (arc-cosine kernels), with ``θ = atan2(√det, s12)`` (the angle
          ``acos ρ`` without its loss of half the digits at ``ρ → 1``):
          ``E[φφ] = (√det + (π − θ) s12) / (2π)``,
          ``E[φ'φ'] = (π − θ) / (2π)``;
        * leaky_relu(a): ``a s12 + (1 − a)² E_relu[φφ]`` and
          ``a + (1 − a)² (π − θ)/(2π)``;
        * erf (arcsine kernel), with ``D = (s11 + ½)(s22 + ½) − s12²``:
          ``E[φφ] = (2/π) asin(s12/√((s11 + ½)(s22 + ½))) = (2/π) atan2(s12, √D)``,
          ``E[φ'φ'] = (2/π)/√D``;
        * linear: ``s12`` and ``1``.

        Otherwise, with ``dps=None`` (floats, vectorised over all pairs at once):
        Mehler's expansion ``Σ_k ρ^k α_k(s11) α_k(s22)`` with
        ``α_k(s) = E[phi(√s Z) h_k(Z)]`` (orthonormal Hermite ``h_k``,
        ``k <= 512``), computed once per distinct variance, wherever its
        truncation bound ``|ρ|^{K+1} √(t(s11) t(s22))`` (Cauchy–Schwarz with
        the Parseval tails ``t(s) = E phi² − Σ_{k<=K} α_k²``) is below
        ``1e-13`` of the value; the remaining pairs (``|ρ|`` near 1 at large
        variance, kinks) by a conditional product rule ``u = √s11 z1``,
        ``v = a z1 + c z2`` with ``c = √(det/s11)`` accurate to a few ulps,
        composite Gauss–Legendre panels split where ``phi`` changes shape on
        its own scale and on the scale of the smoothed inner expectation, and
        the exact 1-D integral at ``c = 0`` (``ρ = ±1``).  Measured against
        mpmath (tests/test_dnn_kernels.py) for tanh, gelu: relative error
        ``<= 1e-12`` (absolute, in units of ``√(E phi(u)² E phi(v)²)``, where
        the value is 0 or far below that scale) for variances ``1e-3 … 1e6`` and ``ρ`` up to 1.
        With ``dps`` an integer, mpmath (scalar arguments only):
        for piecewise-linear activations a 1-D tanh–sinh quadrature over a
        closed-form inner expectation (seconds), for smooth ones a composite
        Gauss–Legendre product rule at ``dps`` digits (slow: 10–100 s per
        value at ``dps = 20``).

        Parameters
        ----------
        which : {'phi', 'dphi'}
        s11, s12, s22 : float or array (broadcast together)
            Must be a covariance: ``s11, s22 >= 0`` and ``s12² <= s11 s22``
            (up to rounding, ``1e-12`` relative).
        dps : int or None, default None
            None: float64 engines, vectorised.  An integer: mpmath at that
            many digits, scalar arguments only (slow for smooth activations).

        Returns
        -------
        numpy.ndarray or mpmath.mpf
            float64 values of the broadcast shape for ``dps=None``; one
            ``mpmath.mpf`` otherwise.

        Raises
        ------
        InvalidArgumentError
            If ``which`` is not ``'phi'``/``'dphi'``, an entry is not finite,
            a variance is negative, or ``s12² > s11 s22``.
        InvalidArgumentTypeError
            If an argument is not numeric, or ``dps`` not an integer.
        TooLargeError
            If ``dps`` exceeds the supported maximum.
        FloatRangeError
            If a float64 value overflows (use ``dps``).

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> relu = get_activation("relu")
        >>> float(relu.gaussian_expectation_2d("phi", 1.0, 0.0, 1.0))   # 1/(2π)
        0.15915494309189535
        >>> float(relu.gaussian_expectation_2d("dphi", 1.0, 0.0, 1.0))
        0.25
        """
        check_choice(which, "which", ("phi", "dphi"))
        if dps is None:
            s11, s12, s22 = np.broadcast_arrays(*(check_finite_array(v, name)
                                                  for v, name in ((s11, "s11"), (s12, "s12"),
                                                                  (s22, "s22"))))
            rho = _check_cov_np(s11, s12, s22)
            with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
                out = _closed2_np(self, which, s11, s12, s22, rho)
                if out is None:
                    f = self.phi if which == "phi" else self.dphi
                    out = _expect2_np(f, s11, s12, s22, self.breakpoints, rho)
            return _finite_np(out, f"E[{which}(u) {which}(v)] of {self!r}", s11, s22)
        dps = _check_dps(dps)
        for v, name in ((s11, "s11"), (s12, "s12"), (s22, "s22")):
            check_real(v, name)
        return _expect2_mp(self, which, s11, s12, s22, dps)

    def qmap_slope_at_zero(self):
        r"""``lim_{q→0+} d/dq E[phi(√q z)²] = phi'(0)² + phi(0) phi''(0)``
        (Price's theorem), with ``phi''`` from the sympy expression.  For a
        positively homogeneous ``phi`` it is ``E[phi'(z)²]``.

        Returns
        -------
        float
            The slope of the q-map at ``q = 0``.

        Examples
        --------
        ``relu``: ``E[1{z > 0}] = 1/2``; ``tanh``: ``tanh'(0)² = 1``;
        ``sigmoid``: ``sigmoid'(0)² = 1/16`` (``sigmoid''(0) = 0``):

        >>> from freealg.activations import get_activation
        >>> [get_activation(a).qmap_slope_at_zero() for a in ("relu", "tanh", "sigmoid")]
        [0.5, 1.0, 0.0625]
        """
        if self.positively_homogeneous:
            return float(self.gaussian_expectation("dphi2", 1.0))
        x = self.symbol
        d2 = sp.diff(self.dexpr, x)
        v0 = float(sp.N(self.expr.subs(x, 0)))
        d0 = float(sp.N(self.dexpr.subs(x, 0)))
        dd0 = float(sp.N(d2.subs(x, 0))) if v0 != 0 else 0.0
        return d0 * d0 + v0 * dd0


# ---------------------------------------------------------------------------
# vectorised float quadrature
# ---------------------------------------------------------------------------


def _float_result(val, what, q):
    """``float(val)`` of an mpmath result for a float input, checked finite."""
    out = float(val)
    if not math.isfinite(out):
        raise FloatRangeError(
            f"{what} at q = {q!r} is {mpmath.nstr(val, 6)}, outside the float64 range; pass q "
            "as mpmath.mpf (or an exact number) to get an mpmath result"
        )
    return out


def _float_array(x, name):
    """``x`` as a float array of finite entries; a non-numeric input (``None``,
    bool, text, ragged) is a typed error naming it, NaN/inf an
    InvalidArgumentError (never a silent ``nan`` result)."""
    return check_finite_array(x, name)


def _finite_np(out, what, q, q2=None):
    """``out`` if every entry is finite; otherwise an error naming the
    variance at which float64 overflowed (never a silent inf/nan)."""
    arr = np.asarray(out, dtype=float)
    bad = ~np.isfinite(arr)
    if not bad.any():
        return out
    qq = np.broadcast_to(np.asarray(q, dtype=float), arr.shape)
    if q2 is not None:
        qq = np.maximum(qq, np.broadcast_to(np.asarray(q2, dtype=float), arr.shape))
    i = int(np.flatnonzero(bad.ravel())[0])
    raise FloatRangeError(
        f"{what} at the variance q = {float(qq.ravel()[i])!r} is {arr.ravel()[i]} in float64 "
        "(the value or the quadrature overflows the float range ~1.8e308); use a smaller "
        "variance, or the mpmath path (gaussian_expectation(..., dps=...)), which has no "
        "overflow"
    )


_ZMAX = 9.0
# 1-D: 12 nodes per panel (the bare Gaussian moments are exact to 1e-15);
# 2-D: 10 nodes per panel and fewer split points (cost ~ nodes^2 per pair)
_GLN = 12
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(_GLN)
_GLN2 = 10
_GL2_NODES, _GL2_WEIGHTS = np.polynomial.legendre.leggauss(_GLN2)
# split points in units of h: the standard activations change shape on the
# scale |h| ~ 1 and saturate like e^{-2|h|} (tanh) up to |h| ~ 20
_SOFT = (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 4.0, -4.0, 7.0, -7.0, 12.0, -12.0, 20.0, -20.0)
_SOFT2 = (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 4.0, -4.0, 8.0, -8.0)
_UNIFORM = np.linspace(-_ZMAX, _ZMAX, 9)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _panel_rule(edges, rule=None):
    """Gauss–Legendre nodes/weights on sorted panel edges (..., K+1)."""
    xs, ws = rule if rule is not None else (_GL_NODES, _GL_WEIGHTS)
    a = edges[..., :-1, None]
    b = edges[..., 1:, None]
    half = 0.5 * (b - a)
    nodes = (half * xs + 0.5 * (a + b)).reshape(*edges.shape[:-1], -1)
    weights = (half * ws).reshape(*edges.shape[:-1], -1)
    return nodes, weights


def _edges(points, lead_shape):
    """Sorted panel edges: uniform grid plus the given split points (in z),
    clipped to [-Z, Z]; coincident or clipped points give empty panels."""
    uni = np.broadcast_to(_UNIFORM, (*lead_shape, _UNIFORM.size))
    allp = np.concatenate([uni, np.clip(points, -_ZMAX, _ZMAX)], axis=-1)
    return np.sort(allp, axis=-1)


def _expect1_np(fun, q, breakpoints):
    q = np.asarray(q, dtype=float)
    shape = q.shape
    qf = q.ravel()
    s = np.sqrt(qf)
    hs = np.array(list(_SOFT) + [float(b) for b in breakpoints])
    with np.errstate(divide="ignore", invalid="ignore"):
        pts = hs[None, :] / s[:, None]
    pts = np.where(np.isfinite(pts), pts, 0.0)
    nodes, weights = _panel_rule(_edges(pts, (qf.size,)))
    vals = fun(s[:, None] * nodes)
    out = np.sum(weights * np.exp(-0.5 * nodes * nodes) * vals, axis=-1) * _INV_SQRT_2PI
    # q = 0: the rule above integrates the constant f(0) to 1 - 2e-19
    zero = qf == 0
    if np.any(zero):
        out[zero] = fun(np.zeros(1))[0]
    return out.reshape(shape)


# --- 2-D Gaussian expectations E[f(u) f(v)] (float path) -------------------
#
# Two algorithms, both vectorised over all pairs:
#
# 1. Mehler's expansion.  With u = √s11 z, v = √s22 z', corr(z, z') = ρ and
#    the orthonormal Hermite polynomials h_k = He_k/√k!,
#        E[f(u) f(v)] = Σ_k ρ^k α_k(s11) α_k(s22),  α_k(s) = E[f(√s Z) h_k(Z)].
#    The α_k are 1-D integrals per *distinct variance* (n of them for an n x n
#    kernel matrix), the sum is a Horner loop over the pairs.  Truncation after
#    k = K is bounded by Cauchy–Schwarz and Parseval (up to the quadrature
#    error of the α_k, ~1e-16 of √E f²; measured against mpmath in the tests):
#        |Σ_{k>K} ρ^k α_k β_k| <= |ρ|^{K+1} √(t(s11) t(s22)),
#        t(s) = E[f(√s Z)²] − Σ_{k<=K} α_k(s)²,
#    and a pair is accepted only when that bound is below _MEHLER_REL of the
#    value (or below _MEHLER_ABS of √(E f(u)² E f(v)²) when the value is ~0).
# 2. Every other pair (|ρ| near 1 with a rough f(√s ·), e.g. tanh at large
#    variance): the conditional decomposition u = √s11 z1, v = a z1 + c z2,
#    a = s12/√s11, c = √(det/s11), det = s11 s22 − s12² in double-double (so c
#    is accurate to a few ulps even for ρ = 1 − 1e-12), with composite
#    12-point Gauss–Legendre rules in z1 and z2 split where f(√s11 z1), the
#    smoothed inner expectation (scale max(1, c)/|a| in z1) and f(a z1 + c z2)
#    change shape (h = 0, ±0.5, …, ±20: the splits of the 1-D rule, whose
#    accuracy is ~1e-16, and ±28, ±40 for the slow e^{-|h|} tails).
#    c = 0 (ρ = ±1) is the exact 1-D integral E[f(√s11 z) f(a z)].
# split points (h units) of the 2-D rules: those of the 1-D rule, extended to
# ±40 for the e^{-|h|} tails of sigmoid' and silu' (e^{-40} ~ 4e-18)
_SOFT_2D = _SOFT + (28.0, -28.0, 40.0, -40.0)
_MEHLER_Z = 12.0          # α_k truncation: error <= sup|f| e^{-Z²/4} ~ 2e-16 sup|f|
_MEHLER_STEP = 0.2        # panel width: h_k, k <= 512, oscillates on ~0.2
_MEHLER_KMAX = 512
_MEHLER_REL = 1e-13
_MEHLER_ABS = 1e-17


_MEHLER_BUCKET = 4         # variances within a factor 2^(1/4) share one node set


def _hermite_table(z, K):
    """h_k(z), k = 0..K (orthonormal Hermite polynomials), array (K+1, N)."""
    H = np.empty((K + 1, z.size))
    H[0] = 1.0
    if K:
        H[1] = z
    for k in range(1, K):
        H[k + 1] = (z * H[k] - math.sqrt(k) * H[k - 1]) / math.sqrt(k + 1)
    return H


def _mehler_coeffs(f, s, breakpoints):
    """α_k(s), k = 0..K (array (K+1, U)), the tails t(s) = E f² − Σ α_k²
    (plus a rounding allowance) and E f², for the distinct variances ``s``.

    For a smooth ``f`` the variances are grouped in buckets
    [2^(b/4), 2^((b+1)/4)); one bucket shares a composite 12-point
    Gauss–Legendre rule on |z| <= _MEHLER_Z with panels of width <=
    _MEHLER_STEP, split at h/√s for both ends of the bucket (h = 0, ±0.5, …,
    ±40), so the Hermite table is built once per bucket and
    the projections are one matrix product.  An ``f`` with kinks gets one rule
    per variance, split exactly at the kinks."""
    U = s.size
    K = _MEHLER_KMAX
    A = np.empty((K + 1, U))
    e2 = np.empty(U)
    hs = np.array(list(_SOFT_2D) + [float(b) for b in breakpoints])
    uni = np.linspace(-_MEHLER_Z, _MEHLER_Z, int(round(2 * _MEHLER_Z / _MEHLER_STEP)) + 1)
    pos = s > 0
    bucket = np.full(U, np.iinfo(np.int64).min)
    if breakpoints:
        # kinks: the panels must split exactly at them, one node set per variance
        bucket[pos] = np.flatnonzero(pos)
    else:
        with np.errstate(divide="ignore"):
            bucket[pos] = np.floor(np.log2(s[pos]) * _MEHLER_BUCKET).astype(np.int64)
    for b in np.unique(bucket):
        sel = np.flatnonzero(bucket == b)
        if b == np.iinfo(np.int64).min:
            pts = np.zeros(1)
        elif breakpoints:
            pts = hs / math.sqrt(s[b])
        else:
            ends = np.array([2.0 ** (b / _MEHLER_BUCKET), 2.0 ** ((b + 1) / _MEHLER_BUCKET)])
            with np.errstate(over="ignore", under="ignore"):
                pts = (hs[None, :] / np.sqrt(ends)[:, None]).ravel()
            pts = pts[np.isfinite(pts)]
        edges = np.unique(np.concatenate([uni, np.clip(pts, -_MEHLER_Z, _MEHLER_Z)]))
        z, w = _panel_rule(edges)
        W = w * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        fz = f(np.sqrt(s[sel])[:, None] * z)                 # (u, N)
        F = fz * W
        e2[sel] = np.einsum("un,un->u", F, fz)
        A[:, sel] = _hermite_table(z, K) @ F.T
    # tails t_K = Σ_{K<k<=Kmax} α_k² + (E f² − Σ_{k<=Kmax} α_k²): the sum of
    # the small terms is formed directly, the one cancelling difference once,
    # with a rounding allowance of 1e-15 E f²
    sq = A * A
    rest = np.maximum(e2 - np.sum(sq, axis=0), 0.0)
    upper = np.cumsum(sq[::-1], axis=0)[::-1]          # upper[k] = Σ_{j>=k} α_j²
    orders = list(range(15, K, 16)) + [K]
    tails = {k: (upper[k + 1] if k < K else 0.0) + rest + 1e-15 * e2 for k in orders}
    small = [k for k in orders if np.all(tails[k] <= 2e-15 * e2)]
    Kc = small[0] if small else orders[-1]
    return A[: Kc + 1], {k: t for k, t in tails.items() if k <= Kc}, e2


def _mehler_np(f, s11, s22, rho, breakpoints, chunk=250_000):
    """Mehler sums for flat pair arrays; returns (values, accepted mask).
    Pairs are grouped by |ρ|; a group is summed to the lowest order whose
    bound |ρ|^{K+1} √(t t) is at rounding level for its largest |ρ|."""
    su, inv = np.unique(np.concatenate([s11, s22]), return_inverse=True)
    i1, i2 = inv[: s11.size], inv[s11.size:]
    A, tails, e2 = _mehler_coeffs(f, su, breakpoints)
    orders = sorted(tails)
    rel_tail = {k: float(np.max(tails[k] / np.where(e2 > 0, e2, 1.0))) for k in orders}
    out = np.empty(s11.size)
    ok = np.empty(s11.size, dtype=bool)
    ar = np.abs(rho)
    group_edges = (0.0, 0.25, 0.5, 0.7, 0.85, 0.95, 1.0)
    grp = np.searchsorted(group_edges[1:-1], ar, side="right")
    for g in range(len(group_edges) - 1):
        gsel = np.flatnonzero(grp == g)
        if not gsel.size:
            continue
        rmax = float(ar[gsel].max())
        K = next((k for k in orders if rmax ** (k + 1) * rel_tail[k] <= 1e-17), orders[-1])
        tail = tails[K]
        for start in range(0, gsel.size, chunk):
            sl = gsel[start:start + chunk]
            r, j1, j2 = rho[sl], i1[sl], i2[sl]
            acc = A[K, j1] * A[K, j2]
            for k in range(K - 1, -1, -1):
                acc = acc * r + A[k, j1] * A[k, j2]
            bound = np.abs(r) ** (K + 1) * np.sqrt(tail[j1] * tail[j2])
            out[sl] = acc
            ok[sl] = (bound <= _MEHLER_REL * np.abs(acc)) | (
                bound <= _MEHLER_ABS * np.sqrt(e2[j1] * e2[j2]))
    return out, ok


def _two_prod(a, b):
    """a*b = p + e exactly (Dekker; numpy arrays, |a|, |b| <= ~1e150)."""
    p = a * b
    sp_ = 134217729.0
    ca, cb = sp_ * a, sp_ * b
    ah = ca - (ca - a)
    al = a - ah
    bh = cb - (cb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _cov_det_scaled(s11, s12, s22):
    """(d, ex) with s11 s22 − s12² = d 4^ex, d >= 0 accurate to a few ulps:
    the entries are scaled by 2^-ex (exact) and the products are formed in
    double-double (Dekker), so the cancellation near |ρ| = 1 costs nothing."""
    m = np.maximum(np.maximum(s11, s22), np.abs(s12))
    ex = np.frexp(np.where(m > 0, m, 1.0))[1]
    a, b, c = (np.ldexp(v, -ex) for v in (s11, s22, s12))
    p1, e1 = _two_prod(a, b)
    p2, e2 = _two_prod(c, c)
    return np.maximum((p1 - p2) + (e1 - e2), 0.0), ex


def _cov_det(s11, s12, s22):
    """s11 s22 − s12² (>= 0) accurate to a few ulps of the result."""
    d, ex = _cov_det_scaled(s11, s12, s22)
    with np.errstate(over="ignore"):
        return np.ldexp(d, 2 * ex)


def _sqrt_cov_det(s11, s12, s22, shift=0.0):
    """√((s11 + shift)(s22 + shift) − s12²) without overflow, accurate near
    |ρ| = 1: det + shift (s11 + s22) + shift², every term >= 0."""
    d, ex = _cov_det_scaled(s11, s12, s22)
    if shift:
        d = d + shift * (np.ldexp(s11, -ex) + np.ldexp(s22, -ex)) * np.ldexp(1.0, -ex) \
            + shift * shift * np.ldexp(1.0, -2 * ex)
    return np.ldexp(np.sqrt(d), ex)


def _product_np(f, s11, s12, s22, breakpoints, chunk=1_000_000):
    """E[f(u) f(v)] by the conditional product rule (algorithm 2 above)."""
    P = s11.size
    out = np.empty(P)
    hs = np.array(list(_SOFT_2D) + [float(b) for b in breakpoints])
    zero1 = s11 == 0
    if np.any(zero1):   # u = 0: E = f(0) E f(v)
        out[zero1] = f(np.zeros(1))[0] * _expect1_np(f, s22[zero1], breakpoints)
    idx = np.flatnonzero(~zero1)
    n1 = (_UNIFORM.size + 2 * hs.size - 1) * _GLN
    n2 = (_UNIFORM.size + hs.size - 1) * _GLN
    step = max(1, chunk // (n1 * n2))
    for start in range(0, idx.size, step):
        sel = idx[start:start + step]
        r11, r12, r22 = s11[sel], s12[sel], s22[sel]
        sq = np.sqrt(r11)
        a = r12 / sq
        c = np.sqrt(_cov_det(r11, r12, r22) / r11)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p1 = hs[None, :] / sq[:, None]
            # the inner expectation, as a function of z1, changes on max(1, c)/|a|
            p2 = hs[None, :] * (np.maximum(c, 1.0) / np.abs(a))[:, None]
        p2 = np.where(np.isfinite(p2), p2, 0.0)
        z1, w1 = _panel_rule(_edges(np.concatenate([p1, p2], axis=-1), (sel.size,)))
        g1 = f(sq[:, None] * z1) * w1 * np.exp(-0.5 * z1 * z1) * _INV_SQRT_2PI
        az = a[:, None] * z1                      # (p, n)
        flat = c == 0
        inner = np.empty_like(az)
        if np.any(flat):
            inner[flat] = f(az[flat])
        if not np.all(flat):
            nz = ~flat
            cc = c[nz][:, None, None]
            m = az[nz][:, :, None]
            pts2 = (hs[None, None, :] - m) / cc
            z2, w2 = _panel_rule(_edges(pts2, m.shape[:2]))   # (p, n, k)
            inner[nz] = np.sum(w2 * np.exp(-0.5 * z2 * z2) * f(m + cc * z2), axis=-1) * _INV_SQRT_2PI
        out[sel] = np.sum(g1 * inner, axis=-1)
    return out


def _expect2_np(f, s11, s12, s22, breakpoints, rho=None):
    """E[f(u) f(v)] for broadcast arrays of covariances: Mehler where its
    truncation bound is certified, the product rule elsewhere."""
    shape = s11.shape
    s11, s12, s22 = (np.ravel(v).astype(float) for v in (s11, s12, s22))
    if rho is None:
        rho = _check_cov_np(s11, s12, s22)
    rho = np.ravel(rho)
    out, ok = _mehler_np(f, s11, s22, rho, breakpoints)
    bad = np.flatnonzero(~ok)
    if bad.size:
        out[bad] = _product_np(f, s11[bad], s12[bad], s22[bad], breakpoints)
    return out.reshape(shape)


def _check_cov_np(s11, s12, s22):
    """The correlation ``s12/√(s11 s22)`` of a covariance, computed without
    forming ``s11 s22`` (which overflows for variances above ~1e154)."""
    bad = ~(np.isfinite(s11) & np.isfinite(s12) & np.isfinite(s22))
    if np.any(bad):
        raise InvalidArgumentError("covariance entries must be finite; got a non-finite entry")
    if np.any(s11 < 0) or np.any(s22 < 0):
        raise InvalidArgumentError("variances s11, s22 must be >= 0")
    with np.errstate(under="ignore", over="ignore"):
        prod = s11 * s22
        # √(s11 s22) in one rounding where the product is a normal float (so
        # that rho = 1 exactly for equal inputs), split otherwise
        normal = np.isfinite(prod) & (prod >= np.finfo(float).tiny)
        sq = np.where(normal, np.sqrt(np.where(normal, prod, 1.0)), np.sqrt(s11) * np.sqrt(s22))
    pos = sq > 0
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        rho = np.where(pos, s12 / np.where(pos, sq, 1.0), 0.0)
    # s12^2 <= s11 s22 up to a relative rounding of 1e-12
    excess = np.where(pos, np.abs(rho) > 1 + 5e-13, np.abs(s12) > 1e-150)
    if np.any(excess):
        i = int(np.flatnonzero(excess.ravel())[0])
        raise InvalidArgumentError(
            f"not a covariance: s12^2 > s11 s22 (s11 = {s11.ravel()[i]!r}, "
            f"s12 = {s12.ravel()[i]!r}, s22 = {s22.ravel()[i]!r})"
        )
    # |rho| may exceed 1 by rounding only (checked above)
    return np.clip(rho, -1.0, 1.0)


def _closed_np(act, which, q):
    name = act.name
    if name == "linear":
        return {"phi": np.zeros_like(q), "phi2": q.copy(), "dphi": np.ones_like(q),
                "dphi2": np.ones_like(q)}[which]
    if name in ("relu", "leaky_relu"):
        a = float(act.params.get("slope", 0.0))
        return {
            "phi": (1 - a) * np.sqrt(q / (2 * np.pi)),
            "phi2": q * (1 + a * a) / 2,
            "dphi": np.full_like(q, (1 + a) / 2),
            "dphi2": np.full_like(q, (1 + a * a) / 2),
        }[which]
    if name == "hardtanh":
        if which == "phi":
            return np.zeros_like(q)
        pos = q > 0
        qp = np.where(pos, q, 1.0)
        p = _np_erf(1.0 / np.sqrt(2.0 * qp))
        if which in ("dphi", "dphi2"):
            return np.where(pos, p, 1.0)
        aa = 1.0 / np.sqrt(qp)
        val = qp * (p - 2.0 * aa * np.exp(-0.5 * aa * aa) * _INV_SQRT_2PI) + (1.0 - p)
        return np.where(pos, val, 0.0)
    if name == "erf":
        return {
            "phi": np.zeros_like(q),
            # 2q/(1 + 2q), (1 + 2q)^(-1/2), (1 + 4q)^(-1/2) rewritten so that
            # no intermediate overflows for q up to the float maximum
            "phi2": 2 / np.pi * np.arcsin(q / (0.5 + q)),
            "dphi": math.sqrt(2 / np.pi) / np.sqrt(0.5 + q),
            "dphi2": 2 / np.pi / np.sqrt(0.25 + q),
        }[which]
    return None


def _relu_pieces(s11, s12, s22, B):
    """Arc-cosine pieces k1 = E[relu(u) relu(v)], k0 = P(u > 0, v > 0), with
    θ = atan2(√det, s12) (det = s11 s22 − s12², accurate near ρ = ±1, where
    acos(ρ) would lose half the digits) and k1 = (√det + (π − θ) s12)/(2π);
    θ = π/2 when a variance is 0 (u or v is the constant 0)."""
    sdet = B.sqrt_det(s11, s12, s22, 0)
    if B is _NpTrig:
        theta = np.where((s11 > 0) & (s22 > 0), np.arctan2(sdet, s12), 0.5 * np.pi)
    else:
        theta = B.atan2(sdet, s12) if s11 * s22 > 0 else B.pi / 2
    k1 = (sdet + (B.pi - theta) * s12) / (2 * B.pi)
    k0 = (B.pi - theta) / (2 * B.pi)
    return k1, k0


class _NpTrig:
    num = staticmethod(float)
    sqrt = staticmethod(np.sqrt)
    atan2 = staticmethod(np.arctan2)
    sqrt_det = staticmethod(_sqrt_cov_det)
    pi = np.pi


def _closed2_generic(act, which, s11, s12, s22, rho, B):
    name = act.name
    if name == "linear":
        return s12 if which == "phi" else s12 * 0 + 1
    if name in ("relu", "leaky_relu"):
        a = act.params.get("slope", 0)
        a = B.num(a)
        k1, k0 = _relu_pieces(s11, s12, s22, B)
        if which == "phi":
            return a * s12 + (1 - a) ** 2 * k1
        return a + (1 - a) ** 2 * k0
    if name == "erf":
        # with D = (s11 + 1/2)(s22 + 1/2) − s12² (accurate near |ρ| = 1):
        # E[φφ] = (2/π) asin(s12/√((s11 + ½)(s22 + ½))) = (2/π) atan2(s12, √D),
        # E[φ'φ'] = (4/π)/√((1 + 2 s11)(1 + 2 s22) − 4 s12²) = (2/π)/√D
        sd = B.sqrt_det(s11, s12, s22, B.num(0.5))
        if which == "phi":
            return 2 / B.pi * B.atan2(s12, sd)
        return 2 / B.pi / sd
    return None


def _closed2_np(act, which, s11, s12, s22, rho):
    return _closed2_generic(act, which, s11, s12, s22, rho, _NpTrig)


class _MpTrig(_MpBackend):
    atan2 = staticmethod(mpmath.atan2)

    @staticmethod
    def sqrt_det(s11, s12, s22, shift):
        return mpmath.sqrt(max((s11 + shift) * (s22 + shift) - s12 * s12, 0))


_MPT = _MpTrig()


_MP_GL_CACHE = {}


def _mp_gauss_legendre(n):
    """n-point Gauss–Legendre nodes/weights on [-1, 1] at the current
    precision (Newton refinement of numpy's nodes), cached."""
    key = (n, mpmath.mp.prec)
    if key not in _MP_GL_CACHE:
        x0, _ = np.polynomial.legendre.leggauss(n)
        nodes, weights = [], []
        for g in x0:
            x = mpmath.mpf(g)
            for _ in range(100):
                p = mpmath.legendre(n, x)
                dp = n * (x * p - mpmath.legendre(n - 1, x)) / (x * x - 1)
                dx = p / dp
                x -= dx
                if abs(dx) < mpmath.mpf(2) ** (-mpmath.mp.prec + 4):
                    break
            dp = n * (x * mpmath.legendre(n, x) - mpmath.legendre(n - 1, x)) / (x * x - 1)
            nodes.append(x)
            weights.append(2 / ((1 - x * x) * dp * dp))
        _MP_GL_CACHE[key] = (nodes, weights)
    return _MP_GL_CACHE[key]


def _mp_panel_rule(points, zmax, n):
    edges = sorted({p for p in points if -zmax < p < zmax} | {-zmax, zmax})
    # uniform refinement: no panel wider than 2
    fine = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        k = int(mpmath.ceil((hi - lo) / 2))
        for j in range(k):
            fine.append((lo + (hi - lo) * j / k, lo + (hi - lo) * (j + 1) / k))
    xs, ws = _mp_gauss_legendre(n)
    nodes, weights = [], []
    for lo, hi in fine:
        half = (hi - lo) / 2
        mid = (hi + lo) / 2
        for x, w in zip(xs, ws):
            nodes.append(mid + half * x)
            weights.append(half * w)
    return nodes, weights


def _expect2_mp_product(f, sq, a, c, breakpoints, dps):
    """E[f(sq z1) f(a z1 + c z2)] with a composite Gauss–Legendre rule on
    |z| <= Z, Z^2/2 = (dps + 5) ln 10, panels split at h = 0, ±0.5, ±1, ±2,
    ±4, ±7, ±12, ±20 and the kinks, no panel wider than 2."""
    zmax = mpmath.sqrt(2 * (dps + 5) * mpmath.log(10))
    n = max(12, int(dps))
    hs = [mpmath.mpf(h) for h in _SOFT] + [mpmath.mpf(b) for b in breakpoints]
    z1s, w1s = _mp_panel_rule([h / sq for h in hs], zmax, n)
    norm = 1 / (2 * mpmath.pi)
    total = mpmath.mpf(0)
    for z1, w1 in zip(z1s, w1s):
        g1 = w1 * f(sq * z1) * mpmath.exp(-z1 * z1 / 2)
        if g1 == 0:
            continue
        m = a * z1
        if c == 0:
            total += g1 * f(m) * mpmath.sqrt(2 * mpmath.pi)
            continue
        z2s, w2s = _mp_panel_rule([(h - m) / c for h in hs], zmax, n)
        inner = mpmath.fsum(w2 * f(m + c * z2) * mpmath.exp(-z2 * z2 / 2) for z2, w2 in zip(z2s, w2s))
        total += g1 * inner
    return total * norm


def _linear_pieces(act, which):
    """[(lo, hi, slope, intercept)] of phi (which='phi') or of phi' on the
    intervals between the kinks of a piecewise-linear activation."""
    bps = sorted(mpmath.mpf(b) for b in act.breakpoints)
    edges = [-mpmath.inf] + bps + [mpmath.inf]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo == -mpmath.inf and hi == mpmath.inf:
            mid = mpmath.mpf(0)
        elif lo == -mpmath.inf:
            mid = hi - 1
        elif hi == mpmath.inf:
            mid = lo + 1
        else:
            mid = (lo + hi) / 2
        if which == "phi":
            slope = act._dphi_mp(mid)
            out.append((lo, hi, slope, act._phi_mp(mid) - slope * mid))
        else:
            out.append((lo, hi, mpmath.mpf(0), act._dphi_mp(mid)))
    return out


def _piecewise_gauss_mean(pieces, m, c):
    """E[f(m + c Z)], Z ~ N(0, 1), for f = slope*x + intercept on each piece:
    sum of slope (m P + c (pdf(l) - pdf(u))) + intercept P over the pieces."""
    total = mpmath.mpf(0)
    for lo, hi, slope, icpt in pieces:
        lz = (lo - m) / c if lo != -mpmath.inf else -mpmath.inf
        uz = (hi - m) / c if hi != mpmath.inf else mpmath.inf
        P = mpmath.ncdf(uz) - mpmath.ncdf(lz)
        pl = mpmath.npdf(lz) if lz != -mpmath.inf else 0
        pu = mpmath.npdf(uz) if uz != mpmath.inf else 0
        total += slope * (m * P + c * (pl - pu)) + icpt * P
    return total


def _expect2_mp(act, which, s11, s12, s22, dps):
    with mpmath.workdps(dps + 10):
        s11, s12, s22 = (mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator
                         for v in (s11, s12, s22))
        for v in (s11, s12, s22):
            if not mpmath.isfinite(v):
                raise InvalidArgumentError("covariance entries must be finite")
        if s11 < 0 or s22 < 0:
            raise InvalidArgumentError("variances s11, s22 must be >= 0")
        prod = s11 * s22
        if s12 * s12 - prod > mpmath.mpf(10) ** (-dps) * max(prod, 1):
            raise InvalidArgumentError(f"not a covariance: s12^2 > s11 s22 ({s12}, {s11}, {s22})")
        rho = s12 / mpmath.sqrt(prod) if prod > 0 else mpmath.mpf(0)
        rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
        val = _closed2_generic(act, which, s11, s12, s22, rho, _MPT)
        if val is None:
            f = act._phi_mp if which == "phi" else act._dphi_mp
            if s11 == 0:
                val = f(mpmath.mpf(0)) * gaussian_expectation(f, s22, dps=dps + 5,
                                                               breakpoints=act.breakpoints)
            else:
                sq = mpmath.sqrt(s11)
                a = s12 / sq
                c2 = max(s22 - s12 * s12 / s11, mpmath.mpf(0))
                c = mpmath.sqrt(c2)
                pieces = _linear_pieces(act, which) if act.piecewise_linear else None

                if pieces is not None:
                    # inner expectation in closed form, outer by tanh-sinh
                    def inner(z1):
                        m = a * z1
                        if c == 0:
                            return f(m)
                        return _piecewise_gauss_mean(pieces, m, c)

                    pts1 = sorted({mpmath.mpf(b) / sq for b in act.breakpoints} | {mpmath.mpf(0)})
                    val = mpmath.quad(lambda z1: f(sq * z1) * inner(z1) * mpmath.exp(-z1 * z1 / 2),
                                      [-mpmath.inf] + pts1 + [mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)
                else:
                    # smooth f: a fixed composite Gauss-Legendre product rule
                    # (nested adaptive quadrature would take minutes)
                    val = _expect2_mp_product(f, sq, a, c, act.breakpoints, dps)
    with mpmath.workdps(dps):
        return +val


# ---------------------------------------------------------------------------
# the named activations
# ---------------------------------------------------------------------------

def _sigmoid_np(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _sigmoid_mp(x):
    return 1 / (1 + mpmath.exp(-x))


_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


def _dexpr_linear(x, p):
    return sp.Integer(1)


def _dexpr_relu(x, p):
    return sp.Piecewise((sp.Integer(1), x > 0), (sp.Integer(0), True))


def _dexpr_leaky(x, p):
    return sp.Piecewise((sp.Integer(1), x > 0), (p["slope"], True))


def _dexpr_hardtanh(x, p):
    return sp.Piecewise((sp.Integer(1), (x > -1) & (x < 1)), (sp.Integer(0), True))


def _dexpr_diff(name):
    def f(x, p):
        return sp.diff(_EXPR[name](x, p), x)
    return f


_EXPR = {
    "linear": lambda x, p: x,
    "relu": lambda x, p: sp.Max(0, x),
    "leaky_relu": lambda x, p: sp.Piecewise((x, x >= 0), (p["slope"] * x, True)),
    "hardtanh": lambda x, p: sp.Max(-1, sp.Min(1, x)),
    "tanh": lambda x, p: sp.tanh(x),
    "erf": lambda x, p: sp.erf(x),
    "sigmoid": lambda x, p: 1 / (1 + sp.exp(-x)),
    "silu": lambda x, p: x / (1 + sp.exp(-x)),
    "gelu": lambda x, p: x * (1 + sp.erf(x / sp.sqrt(2))) / 2,
}

_DEXPR = {
    "linear": _dexpr_linear,
    "relu": _dexpr_relu,
    "leaky_relu": _dexpr_leaky,
    "hardtanh": _dexpr_hardtanh,
    "tanh": lambda x, p: 1 - sp.tanh(x) ** 2,
    "erf": _dexpr_diff("erf"),
    "sigmoid": _dexpr_diff("sigmoid"),
    "silu": _dexpr_diff("silu"),
    "gelu": _dexpr_diff("gelu"),
}


def _hardtanh_p(q, B):
    return B.erf(1 / B.sqrt(2 * q))


def _hardtanh_phi2(q, B):
    # E[h^2; |h| < 1] + P(|h| > 1), h = sqrt(q) z, a = 1/sqrt(q):
    # E[z^2; |z| < a] = erf(a/sqrt2) - 2 a pdf(a)
    p = _hardtanh_p(q, B)
    a = 1 / B.sqrt(q)
    pdf = B.exp(-a * a / 2) / B.sqrt(2 * B.pi)
    return q * (p - 2 * a * pdf) + (1 - p)


def _closed_forms(name, params):
    """which -> f(q, backend).  For q = 0 the hard-tanh forms are handled
    separately (1/sqrt(q) blows up)."""
    if name == "linear":
        return {
            "phi": lambda q, B: 0 * q,
            "phi2": lambda q, B: q,
            "dphi": lambda q, B: 0 * q + 1,
            "dphi2": lambda q, B: 0 * q + 1,
        }
    if name in ("relu", "leaky_relu"):
        a = params.get("slope", 0)

        def phi(q, B):
            return (1 - B.num(a)) * B.sqrt(q / (2 * B.pi))

        def phi2(q, B):
            return q * (1 + B.num(a) ** 2) / 2

        def dphi(q, B):
            return (1 + B.num(a)) / 2 + 0 * q

        def dphi2(q, B):
            return (1 + B.num(a) ** 2) / 2 + 0 * q

        return {"phi": phi, "phi2": phi2, "dphi": dphi, "dphi2": dphi2}
    if name == "hardtanh":
        def guard(f, at0):
            def g(q, B):
                if q == 0:
                    return B.num(at0)
                return f(q, B)
            return g

        return {
            "phi": lambda q, B: 0 * q,
            "phi2": guard(_hardtanh_phi2, 0),
            "dphi": guard(_hardtanh_p, 1),
            "dphi2": guard(_hardtanh_p, 1),
        }
    if name == "erf":
        return {
            "phi": lambda q, B: 0 * q,
            # E erf(u)erf(v) = (2/pi) asin(2 s12 / sqrt((1+2 s11)(1+2 s22)))
            "phi2": lambda q, B: 2 / B.pi * B.asin(2 * q / (1 + 2 * q)),
            # erf'(x) = (2/sqrt(pi)) exp(-x^2); E exp(-a h^2) = (1 + 2 a q)^(-1/2)
            "dphi": lambda q, B: 2 / B.sqrt(B.pi) / B.sqrt(1 + 2 * q),
            "dphi2": lambda q, B: 4 / B.pi / B.sqrt(1 + 4 * q),
        }
    return {}


def _dphi2_law(name, params):
    if name == "linear":
        return lambda q, B: [(1, B.num(1))]
    if name == "relu":
        return lambda q, B: [(0, B.num(Fraction(1, 2))), (1, B.num(Fraction(1, 2)))]
    if name == "leaky_relu":
        a = params["slope"]
        return lambda q, B: [(B.num(a) ** 2, B.num(Fraction(1, 2))),
                             (1, B.num(Fraction(1, 2)))]
    if name == "hardtanh":
        def law(q, B):
            if q == 0:
                return [(0, B.num(0)), (1, B.num(1))]
            p = _hardtanh_p(q, B)
            return [(0, 1 - p), (1, p)]
        return law
    return None


def _build_named(name, params):
    x = _X
    expr = _EXPR[name](x, params)
    kw = dict(params=params, closed=_closed_forms(name, params), dphi2_law=_dphi2_law(name, params))
    if name == "linear":
        kw.update(phi_np=lambda v: v.copy(), dphi_np=lambda v: np.ones_like(v),
                  phi_mp=lambda v: v, dphi_mp=lambda v: mpmath.mpf(1),
                  piecewise_linear=True, positively_homogeneous=True)
    elif name == "relu":
        kw.update(phi_np=lambda v: np.maximum(v, 0.0),
                  dphi_np=lambda v: (v > 0).astype(float),
                  phi_mp=lambda v: v if v > 0 else mpmath.mpf(0),
                  dphi_mp=lambda v: mpmath.mpf(1) if v > 0 else mpmath.mpf(0),
                  breakpoints=(0,), piecewise_linear=True, positively_homogeneous=True)
    elif name == "leaky_relu":
        a = params["slope"]
        af = float(a)
        kw.update(phi_np=lambda v: np.where(v >= 0, v, af * v),
                  dphi_np=lambda v: np.where(v > 0, 1.0, af),
                  phi_mp=lambda v: v if v >= 0 else _MP.num(a) * v,
                  dphi_mp=lambda v: mpmath.mpf(1) if v > 0 else _MP.num(a),
                  breakpoints=(0,), piecewise_linear=True, positively_homogeneous=True)
    elif name == "hardtanh":
        kw.update(phi_np=lambda v: np.clip(v, -1.0, 1.0),
                  dphi_np=lambda v: ((v > -1) & (v < 1)).astype(float),
                  phi_mp=lambda v: max(mpmath.mpf(-1), min(mpmath.mpf(1), v)),
                  dphi_mp=lambda v: mpmath.mpf(1) if -1 < v < 1 else mpmath.mpf(0),
                  breakpoints=(-1, 1), piecewise_linear=True)
    elif name == "tanh":
        kw.update(phi_np=np.tanh, dphi_np=lambda v: 1.0 / np.cosh(v) ** 2,
                  phi_mp=mpmath.tanh, dphi_mp=lambda v: mpmath.sech(v) ** 2)
    elif name == "erf":
        kw.update(phi_np=_np_erf, dphi_np=lambda v: _TWO_OVER_SQRTPI * np.exp(-v * v),
                  phi_mp=mpmath.erf, dphi_mp=lambda v: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-v * v),
                  dphi2_moment=lambda q, k, B: (4 / B.pi) ** k / B.sqrt(1 + 4 * k * q))
    elif name == "sigmoid":
        def ds_np(v):
            s = _sigmoid_np(v)
            return s * (1.0 - s)

        def ds_mp(v):
            s = _sigmoid_mp(v)
            return s * (1 - s)

        kw.update(phi_np=_sigmoid_np, dphi_np=ds_np, phi_mp=_sigmoid_mp, dphi_mp=ds_mp)
    elif name == "silu":
        def dsilu_np(v):
            s = _sigmoid_np(v)
            return s * (1.0 + v * (1.0 - s))

        def dsilu_mp(v):
            s = _sigmoid_mp(v)
            return s * (1 + v * (1 - s))

        kw.update(phi_np=lambda v: v * _sigmoid_np(v), dphi_np=dsilu_np,
                  phi_mp=lambda v: v * _sigmoid_mp(v), dphi_mp=dsilu_mp)
    elif name == "gelu":
        def gelu_np(v):
            return 0.5 * v * (1.0 + _np_erf(v * _INV_SQRT2))

        def dgelu_np(v):
            return 0.5 * (1.0 + _np_erf(v * _INV_SQRT2)) + v * _INV_SQRT2PI * np.exp(-0.5 * v * v)

        def gelu_mp(v):
            return v * (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2

        def dgelu_mp(v):
            return (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2 + v * mpmath.npdf(v)

        kw.update(phi_np=gelu_np, dphi_np=dgelu_np, phi_mp=gelu_mp, dphi_mp=dgelu_mp)
    return Activation(name, expr, x, **kw)


def _check_slope(slope):
    """A finite real leaky_relu slope (the shared checker; exact kinds kept)."""
    slope = check_real(slope, "slope")
    if isinstance(slope, sp.Basic):
        slope = _to_sympy(slope)
    return slope


def _custom(expr, breakpoints=None, name=None):
    free = sorted(expr.free_symbols, key=str)
    if len(free) != 1:
        raise InvalidArgumentError(
            f"a custom activation must be a sympy expression in exactly one variable; "
            f"{expr} has free symbols {free}. Substitute numbers for parameters first."
        )
    x0 = free[0]
    # differentiate along the real line: a plain Symbol would give
    # d|x|/dx in terms of re(x), im(x)
    x = sp.Symbol(x0.name, real=True)
    expr = expr.subs(x0, x)
    dexpr = sp.diff(expr, x)
    phi_np = sp.lambdify(x, expr, modules="numpy")
    dphi_np_raw = sp.lambdify(x, dexpr, modules="numpy")
    phi_mp = sp.lambdify(x, expr, modules=lambdify_modules())
    dphi_mp = sp.lambdify(x, dexpr, modules=lambdify_modules())

    def dphi_np(v):
        out = dphi_np_raw(v)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(v)).copy()

    def phi_np_b(v):
        out = phi_np(v)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(v)).copy()

    # sanity: real and finite at a few points
    for t in (-1.5, -0.3, 0.7, 2.0):
        try:
            val = complex(expr.subs(x, t).evalf())
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"custom activation {expr} cannot be evaluated at x = {t}: {exc}"
            ) from exc
        if val.imag != 0 or not math.isfinite(val.real):
            raise InvalidArgumentError(
                f"custom activation {expr} must be real and finite on the real line; "
                f"at x = {t} it is {val}"
            )
    bps = tuple(breakpoints or ())
    for b in bps:
        if not math.isfinite(float(b)):
            raise InvalidArgumentError(f"breakpoints must be finite; got {b!r}")
    act = Activation(
        "custom", expr, x, phi_np=phi_np_b, dphi_np=dphi_np,
        phi_mp=lambda v: _real_mp(phi_mp(v), expr),
        dphi_mp=lambda v: _real_mp(dphi_mp(v), dexpr),
        breakpoints=bps,
    )
    if name is not None:
        act.label = str(name)
    return act


def _real_mp(v, expr):
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise InvalidArgumentError(f"custom activation {expr} took the complex value {v}")
        return v.real
    return mpmath.mpf(v)


def _rebuild_activation(name_or_expr, params):
    return get_activation(name_or_expr, **params)


def get_activation(name_or_expr, **params):
    r"""Return an :class:`Activation` by name or from a sympy expression.

    Definitions: ``gelu(x) = x Φ(x)`` (exact, with the normal cdf, not the tanh
    approximation); ``silu(x) = x sigmoid(x)``; ``hardtanh = clip(x, -1, 1)``.

    Parameters
    ----------
    name_or_expr : str, sympy.Expr or Activation
        One of ``linear``, ``relu``, ``leaky_relu``, ``hardtanh``, ``tanh``,
        ``erf``, ``sigmoid``, ``silu`` (alias ``swish``), ``gelu`` (case
        insensitive); or a sympy expression in one variable (``phi'`` is
        derived symbolically and both are lambdified for numpy and mpmath),
        or the text of one in ``x`` (``"tanh(x) + x/10"``; numbers, ``pi``,
        ``e``, ``+ - * / ^``, ``sqrt exp log tanh sinh cosh sin cos atan erf
        abs max min``);
        an :class:`Activation` is returned unchanged.
    **params
        ``slope`` for ``leaky_relu`` (default ``0.01``).  For a sympy
        expression: ``breakpoints`` (kinks, used to split quadratures) and
        ``name`` (a label).

    Returns
    -------
    Activation
        The activation (the same object if an :class:`Activation` is given).

    Raises
    ------
    UnknownActivationError
        For an unknown name (the message lists the valid names), or text that
        does not parse as an expression in ``x``.
    TooLargeError
        For expression text beyond the parser's size limits (e.g. a huge
        exponent), raised before any work.
    InvalidArgumentTypeError
        If ``name_or_expr`` is not a str, sympy expression or Activation.
    InvalidArgumentError
        For unexpected or invalid parameters, or an expression that is not in
        exactly one variable.

    Examples
    --------
    >>> import sympy
    >>> from freealg.activations import get_activation
    >>> x = sympy.Symbol("x")
    >>> cube = get_activation(x + x**3 / 3)
    >>> cube.dexpr
    x**2 + 1
    >>> cube.gaussian_expectation("dphi", 1)         # E[1 + h^2] = 2
    mpf('2.0')
    >>> get_activation("softmax")
    Traceback (most recent call last):
    ...
    freealg.errors.UnknownActivationError: unknown activation 'softmax'; valid names: linear, relu, leaky_relu, hardtanh, tanh, erf, sigmoid, silu, swish, gelu (or pass a sympy expression in one variable, or text such as 'tanh(x) + x/10')

    Text that is not a name is read as a function of ``x`` by a whitelisted
    parser (never ``eval``/``sympify``):

    >>> get_activation("tanh(x) + x/10").dexpr
    11/10 - tanh(x)**2
    """
    if not isinstance(name_or_expr, (str, Activation, sp.Basic)):
        raise InvalidArgumentTypeError(
            f"activation must be a name (str), a sympy expression in one variable or an "
            f"Activation; got {describe(name_or_expr)} of type {type(name_or_expr).__name__}. "
            f"Valid names: {_valid_names()}"
        )
    if isinstance(name_or_expr, Activation):
        if params:
            raise InvalidArgumentError(
                f"parameters {sorted(params)} given with an Activation object {name_or_expr!r}"
            )
        return name_or_expr
    if isinstance(name_or_expr, sp.Basic):
        extra = set(params) - {"breakpoints", "name"}
        if extra:
            raise InvalidArgumentError(
                f"unexpected parameters {sorted(extra)} for a sympy activation; "
                "allowed: breakpoints, name"
            )
        return _custom(name_or_expr, **params)
    if not isinstance(name_or_expr, str):
        raise UnknownActivationError(
            f"an activation is a name (str) or a sympy expression; got {name_or_expr!r} "
            f"of type {type(name_or_expr).__name__}. Valid names: {_valid_names()}"
        )
    key = name_or_expr.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ACTIVATION_NAMES:
        if not (any(c in name_or_expr for c in "()+-*/^") or name_or_expr.strip() == "x"):
            raise UnknownActivationError(
                f"unknown activation {name_or_expr!r}; valid names: {_valid_names()} "
                "(or pass a sympy expression in one variable, or text such as 'tanh(x) + x/10')"
            )
        # text of a function of x: the whitelisted parser, never sympify/eval
        from ._utils.safeparse import parse_function
        from .errors import TooLargeError

        extra = set(params) - {"breakpoints", "name"}
        if extra:
            raise InvalidArgumentError(
                f"unexpected parameters {sorted(extra)} for an activation expression; "
                "allowed: breakpoints, name"
            )
        try:
            expr = parse_function(name_or_expr, "x", name="activation")
        except TooLargeError:
            raise
        except InvalidArgumentError as exc:
            raise UnknownActivationError(
                f"{name_or_expr!r} is neither an activation name ({_valid_names()}) nor an "
                f"expression in x: {exc}"
            ) from None
        params.setdefault("name", name_or_expr.strip())
        return _custom(expr, **params)
    allowed = {"slope"} if key == "leaky_relu" else set()
    extra = set(params) - allowed
    if extra:
        raise InvalidArgumentError(
            f"unexpected parameters {sorted(extra)} for activation {key!r}; "
            + ("it takes only 'slope'" if allowed else "it takes none")
        )
    if key == "leaky_relu":
        params = {"slope": _check_slope(params.get("slope", 0.01))}
    return _build_named(key, params)


def _valid_names():
    names = list(ACTIVATION_NAMES)
    names.insert(names.index("silu") + 1, "swish")
    return ", ".join(names)
