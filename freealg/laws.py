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
    ``S`` and ``R`` of THEORY.md §1; with ``w`` omitted, a sympy expression in
    the symbol ``w``.

Conventions (THEORY.md §1): ``G`` is the Cauchy transform (users of the
Stieltjes transform ``m = −G`` must convert); ``R`` satisfies
``G(R(w) + 1/w) = w``; ``S(w) = χ(w)(1 + w)/w`` with ``χ`` the inverse of
``ψ(z) = Σ m_n z^n``.

Parameters are kept exact: ints and ``Fraction`` become sympy rationals, a
Python ``float`` becomes the rational of its shortest decimal representation
(``0.3 -> 3/10``) so that curves stay exact, and sympy symbols stay symbolic.
Numeric methods (``cauchy``, ``density``, ...) then need numeric parameters:
substitute first with :meth:`Law.subs`.

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

import math
import numbers
from fractions import Fraction

import numpy as np
import sympy

from .errors import (
    InvalidArgumentError,
    InvalidLawError,
    NotAlgebraicError,
    TransformUndefinedError,
)

__all__ = [
    "Law",
    "Semicircle",
    "MarchenkoPastur",
    "PointMass",
    "Atomic",
    "Bernoulli",
    "FussCatalan",
    "Arcsine",
    "ActivationDerivativeLaw",
    "activation_derivative_law",
]

W = sympy.Symbol("w")


# ---------------------------------------------------------------------------
# exact parameters and numeric evaluation helpers
# ---------------------------------------------------------------------------


def _exact(value, name):
    """Convert a parameter to an exact sympy object (floats via their repr)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise InvalidArgumentError(f"{name} must be a number or a sympy expression; got {value!r}")
    if isinstance(value, sympy.Basic):
        if value.is_number:
            if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                raise InvalidArgumentError(f"{name} must be finite; got {value}")
            if isinstance(value, sympy.Float):
                return sympy.Rational(str(value))
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise InvalidArgumentError(f"{name} must be finite; got {value!r}")
        return sympy.Rational(repr(float(value)))
    mod = type(value).__module__
    if mod.startswith("mpmath"):
        import mpmath

        if isinstance(value, mpmath.mpf):
            if not mpmath.isfinite(value):
                raise InvalidArgumentError(f"{name} must be finite; got {value!r}")
            man, exp = value.man_exp
            return sympy.Integer(man) * sympy.Integer(2) ** exp
    if isinstance(value, numbers.Complex):
        raise InvalidArgumentError(f"{name} must be real; got {value!r}")
    raise InvalidArgumentError(
        f"{name} must be an int, Fraction, float, mpmath or sympy number/expression; "
        f"got {value!r} of type {type(value).__name__}"
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
    import mpmath

    with mpmath.workdps(dps + 10):
        return mpmath.mpf(sympy.N(expr, dps + 10))


def _f(expr):
    return float(sympy.N(expr, 20))


def _check_int(n, name="n", minimum=1):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}; got {n!r}")
    return int(n)


def _apply(z, dps, np_fun, mp_fun):
    """Evaluate a closed form on numpy (``dps`` None) or elementwise in mpmath."""
    if dps is None:
        arr = np.asarray(z)
        out = np_fun(arr.astype(complex) if np.iscomplexobj(arr) or arr.dtype.kind != "O" else arr.astype(complex))
        return out
    import mpmath

    dps = _check_int(dps, "dps")
    arr = np.asarray(z, dtype=object)
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
        import mpmath

        return mpmath.sqrt(x)


# ---------------------------------------------------------------------------
# the base class
# ---------------------------------------------------------------------------


class Law:
    r"""Base class of probability laws on the real line.

    Subclasses set ``_params`` (an ordered dict of exact sympy parameters) and
    implement ``_moments(n)``; closed forms override the other methods.  The
    defaults go through :meth:`curve` (exact algebra) and the density engine
    (numerics).

    See the module docstring for the protocol and conventions.
    """

    _params: dict

    # -- parameters -----------------------------------------------------------
    @property
    def parameters(self):
        """The parameters as an ordered ``{name: sympy value}`` dict."""
        return dict(self._params)

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

        Examples
        --------
        >>> import sympy
        >>> v = sympy.Symbol("v", positive=True)
        >>> Semicircle(variance=v).subs({v: 4}).moments(2)
        [0, 4]
        """
        new = {}
        for k, v in self._params.items():
            if isinstance(v, (list, tuple)):
                new[k] = type(v)(sympy.sympify(u).subs(*args, **kwargs) for u in v)
            else:
                new[k] = sympy.sympify(v).subs(*args, **kwargs)
        return type(self)(**new)

    def _require_numeric(self, what):
        syms = self.free_symbols
        if syms:
            names = ", ".join(sorted(str(s) for s in syms))
            raise InvalidArgumentError(
                f"{what} needs numeric parameters, but {self!r} has symbolic parameters "
                f"{{{names}}}; substitute numbers first, e.g. law.subs({{{sorted(syms, key=str)[0]}: 1}})"
            )

    # -- moments ----------------------------------------------------------------
    def moments(self, n):
        """Exact moments ``m_1, ..., m_n``.

        Examples
        --------
        >>> PointMass(3).moments(3)
        [3, 9, 27]
        """
        n = _check_int(n, "n", 0)
        if n == 0:
            return []
        return [sympy.expand(v) if isinstance(v, sympy.Basic) else v for v in self._moments(n)]

    def _moments(self, n):  # pragma: no cover - abstract
        raise NotImplementedError

    def free_cumulants(self, n):
        """Free cumulants ``κ_1, ..., κ_n`` (exact).

        Examples
        --------
        >>> MarchenkoPastur(rate=2, jump=3).free_cumulants(3)     # κ_n = λ α^n
        [6, 18, 54]
        """
        from .cumulants import free_cumulants

        n = _check_int(n, "n", 0)
        if n == 0:
            return []
        return [sympy.expand(sympy.sympify(v)) for v in free_cumulants(self.moments(n))]

    def mean(self):
        """The mean ``m_1``.

        Examples
        --------
        >>> Bernoulli(sympy.Rational(1, 4)).mean()
        1/4
        """
        return self.moments(1)[0]

    def variance(self):
        """``m_2 − m_1²``.

        Examples
        --------
        >>> Arcsine(-2, 2).variance()
        2
        """
        m1, m2 = self.moments(2)
        return sympy.factor(sympy.expand(m2 - m1**2))

    # -- transforms -------------------------------------------------------------
    def _s_rational(self):
        """The S-transform as a rational sympy function of ``W``, or None."""
        return None

    def _r_rational(self):
        """The R-transform as a rational sympy function of ``W``, or None."""
        return None

    def s_transform(self, w=None):
        r"""The S-transform ``S(w) = χ(w)(1 + w)/w`` (THEORY.md §1).

        Parameters
        ----------
        w : number, sympy expression or None
            Where to evaluate; ``None`` returns an expression in ``Symbol('w')``.

        Raises
        ------
        TransformUndefinedError
            When ``m_1 = 0``.

        Examples
        --------
        >>> MarchenkoPastur(rate=2).s_transform()
        1/(w + 2)
        """
        m1 = self.mean()
        if m1 == 0:
            raise TransformUndefinedError(
                f"the S-transform of {self!r} does not exist: its mean m_1 = 0. "
                "⊠ needs laws with non-zero mean (shift the law, or use moments)"
            )
        S = self._s_rational()
        if S is None:
            S = self._s_closed()
        if S is None:
            S = self.curve().s_transform()
        return S if w is None else sympy.sympify(S).subs(W, w)

    def _s_closed(self):
        return None

    def r_transform(self, w=None):
        r"""The R-transform, ``G(R(w) + 1/w) = w``, ``R(w) = Σ κ_n w^{n−1}``.

        Examples
        --------
        >>> Semicircle(mean=1, variance=2).r_transform()
        2*w + 1
        """
        R = self._r_rational()
        if R is None:
            R = self._r_closed()
        if R is None:
            R = self.curve().r_transform()
        return R if w is None else sympy.sympify(R).subs(W, w)

    def _r_closed(self):
        return None

    # -- curve and numerics -----------------------------------------------------
    def curve(self):
        """The algebraic spectral curve ``P(z, G) = 0`` of this law."""
        raise NotAlgebraicError(f"{self!r} has no algebraic spectral curve")

    def cauchy(self, z, dps=None):
        """Cauchy transform on the physical branch (via the curve by default)."""
        self._require_numeric("cauchy")
        return self.curve().cauchy(z, dps=dps)

    def density(self, x, dps=None):
        """Density of the absolutely continuous part (via the curve by default)."""
        self._require_numeric("density")
        res = self.curve().density(x, dps=dps)
        return res.density if hasattr(res, "density") else res

    def support(self):
        """Intervals of the absolutely continuous part (via the curve by default)."""
        self._require_numeric("support")
        return self.curve().support()

    def atoms(self):
        """Atoms ``(location, mass)`` (via the curve by default)."""
        self._require_numeric("atoms")
        return self.curve().atoms()

    def affine(self, shift=0, scale=1):
        r"""Law of ``shift + scale·X``: a curve in general.

        Examples
        --------
        >>> Bernoulli(sympy.Rational(1, 2)).affine(1, 2).moments(2)     # atoms 1, 3
        [2, 5]
        """
        return self.curve().affine(shift, scale)

    # -- printing and identity ------------------------------------------------
    def _key(self):
        return (type(self).__name__, tuple((k, _hashable(v)) for k, v in self._params.items()))

    def __eq__(self, other):
        return isinstance(other, Law) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        inner = ", ".join(f"{k}={_fmt(v)}" for k, v in self._params.items())
        return f"{type(self).__name__}({inner})"

    def _latex_name(self, printer=None):
        lat = (printer.doprint if printer is not None else sympy.latex)
        inner = ", ".join(lat(sympy.sympify(v)) if not isinstance(v, (list, tuple))
                          else "(" + ", ".join(lat(u) for u in v) + ")"
                          for v in self._params.values())
        return rf"\mathrm{{{type(self).__name__}}}\left({inner}\right)"

    def _latex(self, printer=None):
        return self._latex_name(printer)

    def latex(self):
        """LaTeX name of the law, e.g. ``\\mathrm{Semicircle}\\left(0, 1\\right)``."""
        return self._latex()

    def _repr_latex_(self):
        return f"${self._latex()}$"


def _hashable(v):
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(u) for u in v)
    return sympy.srepr(v) if isinstance(v, sympy.Basic) else v


def _fmt(v):
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(u) for u in v) + "]"
    return str(v)


# ---------------------------------------------------------------------------
# named laws
# ---------------------------------------------------------------------------


class PointMass(Law):
    r"""The point mass ``δ_a``: ``G(z) = 1/(z − a)``, ``R(w) = a``, ``S(w) = 1/a``.

    The law of ``σ²·OᵀO`` (orthogonal weights) is ``PointMass(σ²)``.

    Examples
    --------
    >>> PointMass(2).curve()
    SpectralCurve(G*z - 2*G - 1)
    >>> complex(PointMass(2).cauchy(3.0))
    (1+0j)
    """

    def __init__(self, a=0):
        self._params = {"a": _exact(a, "a")}

    def _moments(self, n):
        a = self._params["a"]
        return [a**k for k in range(1, n + 1)]

    def free_cumulants(self, n):
        n = _check_int(n, "n", 0)
        return [self._params["a"]] + [sympy.Integer(0)] * (n - 1) if n else []

    def _s_rational(self):
        a = self._params["a"]
        return None if a == 0 else 1 / a

    def _r_rational(self):
        return self._params["a"]

    def curve(self):
        from .curves import SpectralCurve

        return SpectralCurve.from_r_transform(self._params["a"], law=self)

    def cauchy(self, z, dps=None):
        self._require_numeric("cauchy")
        a = self._params["a"]
        if dps is None:
            return 1.0 / (np.asarray(z, dtype=complex) - _f(a))
        am = _mp(a, dps)
        return _apply(z, dps, None, lambda v: 1 / (v - am))

    def density(self, x, dps=None):
        return np.zeros_like(np.asarray(x, dtype=float))

    def support(self):
        return []

    def atoms(self):
        return [(self._params["a"], sympy.Integer(1))]

    def affine(self, shift=0, scale=1):
        return PointMass(_exact(shift, "shift") + _exact(scale, "scale") * self._params["a"])


class Atomic(Law):
    r"""A finitely supported law ``Σ_i w_i δ_{a_i}``.

    ``G(z) = Σ_i w_i / (z − a_i)``, so the curve is linear in ``G``:
    ``Π_i (z − a_i) G − Σ_i w_i Π_{j≠i}(z − a_j) = 0``.

    Parameters
    ----------
    points : sequence
        Distinct locations (repeated points are merged, their weights added).
    weights : sequence
        Non-negative, summing to one (exactly, for exact weights).

    Raises
    ------
    InvalidLawError
        If a weight is negative or the weights do not sum to one.

    Examples
    --------
    >>> mu = Atomic([0, 2], [sympy.Rational(1, 4), sympy.Rational(3, 4)])
    >>> mu.moments(3)
    [3/2, 3, 6]
    >>> Atomic([0, 1], [0.5, 0.6])
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidLawError: Atomic weights must sum to 1; got sum 11/10 (weights [1/2, 3/5]): not a probability measure. Normalise the weights (divide by their sum).
    """

    def __init__(self, points, weights):
        pts = [_exact(p, f"points[{i}]") for i, p in enumerate(points)]
        wts = [_exact(v, f"weights[{i}]") for i, v in enumerate(weights)]
        if len(pts) != len(wts) or not pts:
            raise InvalidLawError(
                f"Atomic needs as many weights as points (at least one); got {len(pts)} points "
                f"and {len(wts)} weights"
            )
        for i, v in enumerate(wts):
            s = _sign(v)
            if s is not None and s < 0:
                raise InvalidLawError(
                    f"Atomic weight weights[{i}] = {v} is negative: not a probability measure"
                )
        total = sympy.simplify(sum(wts))
        if total != 1 and (_is_numeric(total) or sympy.expand(total - 1) != 0):
            raise InvalidLawError(
                f"Atomic weights must sum to 1; got sum {total} (weights {_fmt(wts)}): not a "
                "probability measure. Normalise the weights (divide by their sum)."
            )
        merged = {}
        order = []
        for p, v in zip(pts, wts):
            key = sympy.simplify(p)
            if key in merged:
                merged[key] += v
            else:
                merged[key] = v
                order.append(key)
        pts = [p for p in order if merged[p] != 0]
        wts = [merged[p] for p in pts]
        try:
            idx = sorted(range(len(pts)), key=lambda i: float(pts[i]))
            pts = [pts[i] for i in idx]
            wts = [wts[i] for i in idx]
        except TypeError:
            pass  # symbolic points keep their order
        self._params = {"points": tuple(pts), "weights": tuple(wts)}

    def subs(self, *args, **kwargs):
        pts = [sympy.sympify(p).subs(*args, **kwargs) for p in self._params["points"]]
        wts = [sympy.sympify(v).subs(*args, **kwargs) for v in self._params["weights"]]
        return Atomic(pts, wts)

    @property
    def points(self):
        return list(self._params["points"])

    @property
    def weights(self):
        return list(self._params["weights"])

    def _moments(self, n):
        return [sum(v * p**k for p, v in zip(self.points, self.weights)) for k in range(1, n + 1)]

    def curve(self):
        from .curves import SpectralCurve, Z, G

        pts, wts = self.points, self.weights
        lead = sympy.Mul(*[(Z - a) for a in pts])
        rest = sum(v * sympy.Mul(*[(Z - b) for j, b in enumerate(pts) if j != i])
                   for i, v in enumerate(wts))
        return SpectralCurve(lead * G - rest, law=self)

    def cauchy(self, z, dps=None):
        self._require_numeric("cauchy")
        if dps is None:
            zz = np.asarray(z, dtype=complex)
            out = np.zeros_like(zz)
            for p, v in zip(self.points, self.weights):
                out = out + _f(v) / (zz - _f(p))
            return out
        pm = [(_mp(p, dps), _mp(v, dps)) for p, v in zip(self.points, self.weights)]
        return _apply(z, dps, None, lambda t: sum(v / (t - p) for p, v in pm))

    def density(self, x, dps=None):
        return np.zeros_like(np.asarray(x, dtype=float))

    def support(self):
        return []

    def atoms(self):
        return list(zip(self.points, self.weights))

    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        return Atomic([s + c * p for p in self.points], self.weights)

    def __repr__(self):
        return f"Atomic(points={_fmt(self.points)}, weights={_fmt(self.weights)})"


class Bernoulli(Atomic):
    r"""The Bernoulli law ``(1 − p) δ_0 + p δ_1`` (the law of a projection of
    trace ``p``; for ReLU, ``D² ~ Bernoulli(1/2)``).

    ``S(w) = (1 + w)/(p + w)`` (THEORY.md §2).

    Examples
    --------
    >>> import sympy
    >>> p = sympy.Symbol("p", positive=True)
    >>> Bernoulli(p).moments(3)
    [p, p, p]
    >>> Bernoulli(p).s_transform()
    (w + 1)/(p + w)
    >>> Bernoulli(p).curve()
    SpectralCurve(G*z**2 - G*z - p - z + 1)
    """

    def __init__(self, p):
        pe = _exact(p, "p")
        s0, s1 = _sign(pe), _sign(pe - 1)
        if (s0 is not None and s0 < 0) or (s1 is not None and s1 > 0):
            raise InvalidLawError(f"Bernoulli parameter p = {pe} must lie in [0, 1]")
        Law.__init__(self)
        self._params = {"p": pe}

    @property
    def p(self):
        return self._params["p"]

    @property
    def points(self):
        return [sympy.Integer(0), sympy.Integer(1)]

    @property
    def weights(self):
        return [1 - self.p, self.p]

    def subs(self, *args, **kwargs):
        return Bernoulli(sympy.sympify(self.p).subs(*args, **kwargs))

    def _moments(self, n):
        return [self.p] * n

    def _s_rational(self):
        return None if self.p == 0 else (1 + W) / (self.p + W)

    def _r_closed(self):
        p = self.p
        return (W - 1 + sympy.sqrt((1 - W) ** 2 + 4 * p * W)) / (2 * W)

    def atoms(self):
        return [(a, m) for a, m in zip(self.points, self.weights) if m != 0]

    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        return Atomic([s, s + c], [1 - self.p, self.p])

    def __repr__(self):
        return f"Bernoulli({_fmt(self.p)})"


class Semicircle(Law):
    r"""Wigner's semicircle law of mean ``a`` and variance ``v``.

    Only ``κ_1 = a`` and ``κ_2 = v`` are non-zero; ``R(w) = a + v w``;
    density ``√(4v − (x − a)²)/(2πv)`` on ``[a − 2√v, a + 2√v]``;
    curve ``v G² − (z − a) G + 1 = 0``.

    Examples
    --------
    >>> Semicircle(mean=0, variance=1).moments(6)
    [0, 1, 0, 2, 0, 5]
    >>> round(float(Semicircle().density(0.0)), 12)         # 1/π
    0.318309886184
    >>> complex(Semicircle().cauchy(2.0))                   # (2 − √0)/2 at the edge
    (1+0j)
    """

    def __init__(self, mean=0, variance=1):
        a, v = _exact(mean, "mean"), _exact(variance, "variance")
        s = _sign(v)
        if s is not None and s <= 0:
            raise InvalidArgumentError(
                f"Semicircle variance must be > 0; got {v} (use PointMass(mean) for variance 0)"
            )
        self._params = {"mean": a, "variance": v}

    def _moments(self, n):
        a, v = self._params["mean"], self._params["variance"]
        out = []
        for k in range(1, n + 1):
            out.append(sum(math.comb(k, 2 * j) * a ** (k - 2 * j) * math.comb(2 * j, j) / (j + 1) * v**j
                           for j in range(k // 2 + 1)))
        return out

    def free_cumulants(self, n):
        n = _check_int(n, "n", 0)
        a, v = self._params["mean"], self._params["variance"]
        return ([a, v] + [sympy.Integer(0)] * max(0, n - 2))[:n]

    def _r_rational(self):
        return self._params["mean"] + self._params["variance"] * W

    def _s_closed(self):
        a, v = self._params["mean"], self._params["variance"]
        # v S^2 w + a S - 1 = 0 with S(0) = 1/a
        return 2 / (a * (1 + sympy.sqrt(1 + 4 * v * W / a**2)))

    def curve(self):
        from .curves import SpectralCurve

        return SpectralCurve.from_r_transform(self._r_rational(), law=self)

    def _edges(self):
        a, v = self._params["mean"], self._params["variance"]
        return a - 2 * sympy.sqrt(v), a + 2 * sympy.sqrt(v)

    def cauchy(self, z, dps=None):
        self._require_numeric("cauchy")
        a, v = self._params["mean"], self._params["variance"]
        lo, hi = self._edges()
        if dps is None:
            af, vf, l, h = _f(a), _f(v), _f(lo), _f(hi)
            zz = np.asarray(z, dtype=complex)
            return ((zz - af) - _sqrt_pair(np, zz, l, h)) / (2 * vf)
        am, vm, l, h = (_mp(t, dps) for t in (a, v, lo, hi))
        return _apply(z, dps, None, lambda t: ((t - am) - _sqrt_pair(_MPNS, t, l, h)) / (2 * vm))

    def density(self, x, dps=None):
        self._require_numeric("density")
        a, v = self._params["mean"], self._params["variance"]
        if dps is None:
            xx = np.asarray(x, dtype=float)
            r2 = 4 * _f(v) - (xx - _f(a)) ** 2
            return np.where(r2 > 0, np.sqrt(np.abs(r2)), 0.0) / (2 * np.pi * _f(v))
        import mpmath

        am, vm = _mp(a, dps), _mp(v, dps)

        def f(t):
            r2 = 4 * vm - (t.real - am) ** 2
            return mpmath.sqrt(r2) / (2 * mpmath.pi * vm) if r2 > 0 else mpmath.mpf(0)

        return _apply(x, dps, None, f)

    def support(self):
        self._require_numeric("support")
        return [self._edges()]

    def atoms(self):
        return []

    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        if c == 0:
            return PointMass(s)
        return Semicircle(s + c * self._params["mean"], c**2 * self._params["variance"])


class MarchenkoPastur(Law):
    r"""The free Poisson (Marchenko–Pastur) law of rate ``λ`` and jump ``α``.

    ``κ_n = λ α^n``; ``R(w) = λα/(1 − αw)``; ``S(w) = 1/(α(λ + w))``;
    curve ``α z G² − (z + α(1 − λ)) G + 1 = 0``.  The moments are
    ``m_n = α^n Σ_k N(n, k) λ^k`` (Narayana numbers).  For ``λ < 1`` there
    is an atom ``1 − λ`` at 0; the continuous part lives on
    ``[α(1 − √λ)², α(1 + √λ)²]`` with density
    ``√((b − x)(x − a))/(2π α x)``.

    The law of ``WᵀW`` for Gaussian weights of variance ``σ_w²/M`` (square)
    is ``MarchenkoPastur(1, σ_w²)``.

    Examples
    --------
    >>> MarchenkoPastur().moments(5)               # Catalan numbers
    [1, 2, 5, 14, 42]
    >>> MarchenkoPastur(rate=sympy.Rational(1, 2)).atoms()
    [(0, 1/2)]
    """

    def __init__(self, rate=1, jump=1):
        lam, alpha = _exact(rate, "rate"), _exact(jump, "jump")
        if _sign(lam) is not None and _sign(lam) <= 0:
            raise InvalidArgumentError(f"MarchenkoPastur rate must be > 0; got {lam}")
        if _sign(alpha) is not None and _sign(alpha) == 0:
            raise InvalidArgumentError(
                f"MarchenkoPastur jump must be non-zero; got {alpha} (use PointMass(0))"
            )
        self._params = {"rate": lam, "jump": alpha}

    def _moments(self, n):
        lam, alpha = self._params["rate"], self._params["jump"]
        out = []
        for k in range(1, n + 1):
            nar = sum(sympy.Integer(math.comb(k, j) * math.comb(k, j - 1) // k) * lam**j
                      for j in range(1, k + 1))
            out.append(alpha**k * nar)
        return out

    def free_cumulants(self, n):
        n = _check_int(n, "n", 0)
        lam, alpha = self._params["rate"], self._params["jump"]
        return [lam * alpha**k for k in range(1, n + 1)]

    def _r_rational(self):
        lam, alpha = self._params["rate"], self._params["jump"]
        return lam * alpha / (1 - alpha * W)

    def _s_rational(self):
        lam, alpha = self._params["rate"], self._params["jump"]
        return 1 / (alpha * (lam + W))

    def curve(self):
        from .curves import SpectralCurve

        return SpectralCurve.from_r_transform(self._r_rational(), law=self)

    def _edges(self):
        lam, alpha = self._params["rate"], self._params["jump"]
        return alpha * (1 - sympy.sqrt(lam)) ** 2, alpha * (1 + sympy.sqrt(lam)) ** 2

    def cauchy(self, z, dps=None):
        self._require_numeric("cauchy")
        lam, alpha = self._params["rate"], self._params["jump"]
        lo, hi = sorted(self._edges(), key=_f)
        if dps is None:
            lf, af, l, h = _f(lam), _f(alpha), _f(lo), _f(hi)
            zz = np.asarray(z, dtype=complex)
            return (zz + af * (1 - lf) - _sqrt_pair(np, zz, l, h)) / (2 * af * zz)
        lm, am, l, h = (_mp(t, dps) for t in (lam, alpha, lo, hi))
        return _apply(z, dps, None,
                      lambda t: (t + am * (1 - lm) - _sqrt_pair(_MPNS, t, l, h)) / (2 * am * t))

    def density(self, x, dps=None):
        self._require_numeric("density")
        alpha = self._params["jump"]
        lo, hi = sorted(self._edges(), key=_f)
        if dps is None:
            xx = np.asarray(x, dtype=float)
            r = (_f(hi) - xx) * (xx - _f(lo))
            with np.errstate(divide="ignore", invalid="ignore"):
                val = np.sqrt(np.abs(r)) / (2 * np.pi * abs(_f(alpha)) * np.abs(xx))
            return np.where(r > 0, val, 0.0)
        import mpmath

        l, h, am = _mp(lo, dps), _mp(hi, dps), _mp(alpha, dps)

        def f(t):
            r = (h - t.real) * (t.real - l)
            return mpmath.sqrt(r) / (2 * mpmath.pi * abs(am) * abs(t.real)) if r > 0 else mpmath.mpf(0)

        return _apply(x, dps, None, f)

    def support(self):
        self._require_numeric("support")
        return [tuple(sorted(self._edges(), key=_f))]

    def atoms(self):
        lam = self._params["rate"]
        s = _sign(lam - 1)
        if s is None:
            self._require_numeric("atoms")
        return [(sympy.Integer(0), 1 - lam)] if s < 0 else []


class FussCatalan(Law):
    r"""The Fuss–Catalan law ``MP(1)^{⊠L}`` (free product of ``L`` free Poisson
    laws of rate one).

    Moments ``binom((L+1)n, n)/(Ln + 1)``; ``S(w) = (1 + w)^{−L}``; curve
    ``z^L G^{L+1} − z G + 1 = 0`` (for ``L = 2``, with ``m = −G``:
    ``m³z² − mz − 1 = 0``, THEORY.md §3).  The density uses the
    Haagerup–Möller parametrisation (``s = L + 1``, ``θ ∈ (0, π/s)``)
    ``x(θ) = sin(sθ)^s / (sin θ sin((s−1)θ)^{s−1})``,
    ``ρ = sin²θ sin((s−1)θ)^{s−2} / (π sin(sθ)^{s−1})``, on
    ``[0, s^s/(s−1)^{s−1}]``.

    Examples
    --------
    >>> FussCatalan(2).moments(4)
    [1, 3, 12, 55]
    >>> FussCatalan(2).curve()
    SpectralCurve(G**3*z**2 - G*z + 1)
    >>> FussCatalan(2).support()
    [(0, 27/4)]
    """

    def __init__(self, L=2):
        if isinstance(L, sympy.Integer):
            L = int(L)
        self._params = {"L": sympy.Integer(_check_int(L, "L", 1))}

    @property
    def L(self):
        return int(self._params["L"])

    def subs(self, *args, **kwargs):
        return self

    def _moments(self, n):
        L = self.L
        return [sympy.Integer(math.comb((L + 1) * k, k) // (L * k + 1)) for k in range(1, n + 1)]

    def _s_rational(self):
        return 1 / (1 + W) ** self.L

    def curve(self):
        from .curves import SpectralCurve

        return SpectralCurve.from_s_transform(self._s_rational(), law=self)

    def support(self):
        s = self.L + 1
        return [(sympy.Integer(0), sympy.Rational(s**s, (s - 1) ** (s - 1)))]

    def atoms(self):
        return []

    def _theta(self, x, dps):
        """Solve ``x(θ) = x`` for θ ∈ (0, π/s) (x(θ) decreases from the edge to 0)."""
        import mpmath

        s = self.L + 1
        with mpmath.workdps(dps + 10):
            def xt(t):
                return mpmath.sin(s * t) ** s / (mpmath.sin(t) * mpmath.sin((s - 1) * t) ** (s - 1))

            lo, hi = mpmath.mpf(0), mpmath.pi / s
            for _ in range(int(3.4 * (dps + 10)) + 20):
                mid = (lo + hi) / 2
                if xt(mid) > x:
                    lo = mid
                else:
                    hi = mid
            return (lo + hi) / 2

    def density(self, x, dps=None):
        import mpmath

        s = self.L + 1
        edge = mpmath.mpf(s) ** s / mpmath.mpf(s - 1) ** (s - 1)
        work = 20 if dps is None else _check_int(dps, "dps")

        def f(t):
            with mpmath.workdps(work + 10):
                t = mpmath.mpf(t)
                if t <= 0 or t >= edge:
                    return mpmath.mpf(0)
                th = self._theta(t, work)
                val = (mpmath.sin(th) ** 2 * mpmath.sin((s - 1) * th) ** (s - 2)
                       / (mpmath.pi * mpmath.sin(s * th) ** (s - 1)))
            with mpmath.workdps(work):
                return +val

        arr = np.asarray(x, dtype=float if dps is None else object)
        vals = [f(v) for v in arr.ravel()]
        if dps is None:
            out = np.array([float(v) for v in vals], dtype=float)
        else:
            out = np.empty(len(vals), dtype=object)
            out[:] = vals
        return out[0] if arr.ndim == 0 else out.reshape(arr.shape)


class Arcsine(Law):
    r"""The arcsine law on ``[a, b]``: density ``1/(π√((x − a)(b − x)))``.

    ``G(z) = 1/√((z − a)(z − b))``; curve ``(z − a)(z − b) G² − 1 = 0``.
    Moments: with ``c = (a+b)/2``, ``r = (b−a)/2``,
    ``m_n = Σ_j binom(n, 2j) c^{n−2j} r^{2j} binom(2j, j)/4^j``.

    Examples
    --------
    >>> Arcsine(-2, 2).moments(4)          # central binomial coefficients
    [0, 2, 0, 6]
    >>> complex(Arcsine(-2, 2).cauchy(2.5))         # 1/√(0.5·4.5)
    (0.6666666666666666+0j)
    """

    def __init__(self, a=-2, b=2):
        ae, be = _exact(a, "a"), _exact(b, "b")
        s = _sign(be - ae)
        if s is not None and s <= 0:
            raise InvalidArgumentError(f"Arcsine needs a < b; got a = {ae}, b = {be}")
        self._params = {"a": ae, "b": be}

    def _moments(self, n):
        a, b = self._params["a"], self._params["b"]
        c, r = (a + b) / 2, (b - a) / 2
        return [sum(math.comb(k, 2 * j) * c ** (k - 2 * j) * r ** (2 * j)
                    * sympy.Rational(math.comb(2 * j, j), 4**j) for j in range(k // 2 + 1))
                for k in range(1, n + 1)]

    def curve(self):
        from .curves import SpectralCurve, Z, G

        a, b = self._params["a"], self._params["b"]
        return SpectralCurve((Z - a) * (Z - b) * G**2 - 1, law=self)

    def cauchy(self, z, dps=None):
        self._require_numeric("cauchy")
        a, b = self._params["a"], self._params["b"]
        if dps is None:
            zz = np.asarray(z, dtype=complex)
            return 1.0 / _sqrt_pair(np, zz, _f(a), _f(b))
        am, bm = _mp(a, dps), _mp(b, dps)
        return _apply(z, dps, None, lambda t: 1 / _sqrt_pair(_MPNS, t, am, bm))

    def density(self, x, dps=None):
        self._require_numeric("density")
        a, b = self._params["a"], self._params["b"]
        if dps is None:
            xx = np.asarray(x, dtype=float)
            r = (xx - _f(a)) * (_f(b) - xx)
            with np.errstate(divide="ignore", invalid="ignore"):
                val = 1.0 / (np.pi * np.sqrt(np.abs(r)))
            return np.where(r > 0, val, 0.0)
        import mpmath

        am, bm = _mp(a, dps), _mp(b, dps)

        def f(t):
            r = (t.real - am) * (bm - t.real)
            return 1 / (mpmath.pi * mpmath.sqrt(r)) if r > 0 else mpmath.mpf(0)

        return _apply(x, dps, None, f)

    def support(self):
        self._require_numeric("support")
        return [(self._params["a"], self._params["b"])]

    def atoms(self):
        return []

    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        if c == 0:
            return PointMass(s)
        ends = [s + c * self._params["a"], s + c * self._params["b"]]
        if _sign(c) is not None and _sign(c) < 0:
            ends.reverse()
        return Arcsine(*ends)


# ---------------------------------------------------------------------------
# laws of activation derivatives
# ---------------------------------------------------------------------------


class ActivationDerivativeLaw(Law):
    r"""The law ``ν`` of ``φ'(√q z)²``, ``z ~ N(0, 1)``, for a smooth activation.

    Not algebraic: :meth:`curve` raises :class:`NotAlgebraicError`.  Moments
    ``E[φ'(√q z)^{2k}]`` and the Cauchy transform ``E[1/(ζ − φ'(√q z)²)]`` are
    Gaussian integrals evaluated by mpmath quadrature at ``dps`` digits (closed
    forms where the activation module has them, e.g. erf).  The density is the
    pushforward ``Σ_{ζ: f(ζ)=y} ϕ(ζ)/|f'(ζ)|`` of the standard normal density
    ``ϕ`` under ``f(ζ) = φ'(√q ζ)²``, with preimages found by bisection.

    Build it with :func:`activation_derivative_law`.

    Examples
    --------
    >>> nu = activation_derivative_law("erf", 0)          # φ'(0)² = 4/π: a point mass
    >>> nu
    PointMass(a=4/pi)
    >>> nu = activation_derivative_law("tanh", 1, dps=20)
    >>> round(float(nu.mean()), 10)                      # E[sech⁴ z]
    0.4644029024
    """

    def __init__(self, activation, q, dps=30):
        from .activations import Activation, get_activation

        act = activation if isinstance(activation, Activation) else get_activation(activation)
        self.activation = act
        self.dps = _check_int(dps, "dps")
        qe = _exact(q, "q")
        if _sign(qe) is not None and _sign(qe) < 0:
            raise InvalidArgumentError(f"q must be >= 0 (a variance); got {qe}")
        self._params = {"q": qe}
        self._cache = []

    def subs(self, *args, **kwargs):
        return ActivationDerivativeLaw(self.activation, sympy.sympify(self._params["q"]).subs(*args, **kwargs),
                                       dps=self.dps)

    def _key(self):
        return ("ActivationDerivativeLaw", self.activation._key(), sympy.srepr(self._params["q"]), self.dps)

    def __repr__(self):
        return f"ActivationDerivativeLaw({self.activation!r}, q={_fmt(self._params['q'])}, dps={self.dps})"

    def _moments(self, n):
        self._require_numeric("moments of a non-algebraic law")
        if len(self._cache) < n:
            q = self._params["q"]
            import mpmath

            with mpmath.workdps(self.dps + 5):
                qm = mpmath.mpf(sympy.N(q, self.dps + 10))
                vals = self.activation.dphi2_moments(qm, n, dps=self.dps + 5)
            with mpmath.workdps(self.dps):
                self._cache = [+mpmath.mpf(v) for v in vals]
        return list(self._cache[:n])

    def moments(self, n):
        """Moments ``E[φ'(√q z)^{2k}]`` as mpmath numbers at ``dps`` digits."""
        n = _check_int(n, "n", 0)
        return self._moments(n) if n else []

    def free_cumulants(self, n):
        from .cumulants import free_cumulants
        import mpmath

        with mpmath.workdps(self.dps):
            return free_cumulants(self.moments(n))

    def variance(self):
        import mpmath

        m1, m2 = self.moments(2)
        with mpmath.workdps(self.dps):
            return m2 - m1**2

    def curve(self):
        raise NotAlgebraicError(
            f"the law of phi'(sqrt(q) z)^2 for {self.activation!r} is not algebraic: its Cauchy "
            "transform satisfies no polynomial equation P(z, G) = 0 (it is a Gaussian integral of "
            "a transcendental function). Use moments(n) (exact-to-dps quadrature), cauchy(z), or a "
            "piecewise-linear activation (relu, hardtanh) whose law is Bernoulli."
        )

    def s_transform(self, w=None):
        raise NotAlgebraicError(
            f"{self!r} has no closed-form S-transform; use "
            "freealg.s_transform_coefficients(law.moments(n)) for its series"
        )

    def r_transform(self, w=None):
        raise NotAlgebraicError(
            f"{self!r} has no closed-form R-transform; its series coefficients are "
            "law.free_cumulants(n)"
        )

    def _f(self, t):
        return self.activation.dphi_mp(t) ** 2

    def cauchy(self, z, dps=None):
        """``E[1/(ζ − φ'(√q z)²)]`` by mpmath quadrature (accurate off the real axis)."""
        self._require_numeric("cauchy")
        from .activations import gaussian_expectation
        import mpmath

        work = self.dps if dps is None else _check_int(dps, "dps")
        q = self._params["q"]
        arr = np.asarray(z, dtype=object if dps is not None else complex)
        out = []
        with mpmath.workdps(work + 5):
            qm = mpmath.mpf(sympy.N(q, work + 10))
            for v in arr.ravel():
                zv = mpmath.mpmathify(v)
                if zv.imag == 0 and (mpmath.mpf(0) <= zv.real <= self._sup_bound()):
                    raise InvalidArgumentError(
                        f"cauchy({v}) is on the support: pass a point off the real axis"
                    )
                re = gaussian_expectation(lambda t: mpmath.re(1 / (zv - self._f(t))), qm, dps=work,
                                          breakpoints=self.activation.breakpoints)
                im = gaussian_expectation(lambda t: mpmath.im(1 / (zv - self._f(t))), qm, dps=work,
                                          breakpoints=self.activation.breakpoints)
                out.append(mpmath.mpc(re, im))
        if dps is None:
            res = np.array([complex(v) for v in out], dtype=complex)
        else:
            res = np.empty(len(out), dtype=object)
            res[:] = out
        return res[0] if arr.ndim == 0 else res.reshape(arr.shape)

    def _sup_bound(self):
        import mpmath

        lo, hi = self._range()
        return hi

    def _range(self):
        """Numerical range ``[inf f, sup f]`` of ``f(ζ) = φ'(√q ζ)²``."""
        if getattr(self, "_range_cache", None) is not None:
            return self._range_cache
        import mpmath

        q = self._params["q"]
        with mpmath.workdps(30):
            s = mpmath.sqrt(mpmath.mpf(sympy.N(q, 40)))
            grid = [mpmath.mpf(k) / 50 for k in range(-2000, 2001)]  # ζ in [-40, 40]
            vals = [self._f(s * t) for t in grid]
            lo, hi = min(vals), max(vals)
        self._range_cache = (lo, hi)
        return self._range_cache

    def support(self):
        self._require_numeric("support")
        if self._params["q"] == 0:
            return []
        lo, hi = self._range()
        return [(float(lo), float(hi))]

    def atoms(self):
        self._require_numeric("atoms")
        if self._params["q"] == 0:
            import mpmath

            return [(self._f(mpmath.mpf(0)), sympy.Integer(1))]
        return []

    def density(self, x, dps=None):
        r"""Pushforward density of ``N(0, 1)`` under ``ζ ↦ φ'(√q ζ)²``."""
        self._require_numeric("density")
        import mpmath

        work = 20 if dps is None else _check_int(dps, "dps")
        q = self._params["q"]
        arr = np.asarray(x, dtype=float if dps is None else object)
        out = []
        with mpmath.workdps(work + 10):
            s = mpmath.sqrt(mpmath.mpf(sympy.N(q, work + 20)))
            grid = [mpmath.mpf(k) / 25 for k in range(-500, 501)]  # ζ ∈ [-20, 20]
            fg = [self._f(s * t) for t in grid]
            for y in arr.ravel():
                y = mpmath.mpf(y)
                total = mpmath.mpf(0)
                for i in range(len(grid) - 1):
                    a, b = fg[i] - y, fg[i + 1] - y
                    if a == 0 or a * b < 0:
                        lo, hi = grid[i], grid[i + 1]
                        for _ in range(int(3.4 * (work + 10))):
                            mid = (lo + hi) / 2
                            if (self._f(s * lo) - y) * (self._f(s * mid) - y) <= 0:
                                hi = mid
                            else:
                                lo = mid
                        t = (lo + hi) / 2
                        der = mpmath.diff(lambda u: self._f(s * u), t)
                        if der != 0:
                            total += mpmath.npdf(t) / abs(der)
                out.append(total)
        if dps is None:
            res = np.array([float(v) for v in out])
        else:
            with mpmath.workdps(work):
                res = np.empty(len(out), dtype=object)
                res[:] = [+v for v in out]
        return res[0] if arr.ndim == 0 else res.reshape(arr.shape)


def activation_derivative_law(activation, q, *, dps=30):
    r"""The law ``ν`` of ``φ'(√q z)²``, ``z ~ N(0, 1)`` (the law of ``D²``,
    THEORY.md §4).

    * ReLU: ``Bernoulli(1/2)``; hard-tanh: ``Bernoulli(p)``,
      ``p = erf(1/√(2q))`` (exact); other piecewise-linear activations: an
      exact :class:`Atomic` law (a :class:`PointMass` when there is one value).
    * Smooth activations (tanh, erf, SiLU, ...): an
      :class:`ActivationDerivativeLaw` computed by quadrature at ``dps``
      digits, with no spectral curve (not algebraic).

    Parameters
    ----------
    activation : str or Activation
        A name understood by :func:`freealg.get_activation`.
    q : number or sympy expression
        The variance of the pre-activation (``q* `` at the fixed point).
    dps : int
        Digits for quadrature (smooth activations only).

    Examples
    --------
    >>> activation_derivative_law("relu", 1)
    Bernoulli(1/2)
    >>> activation_derivative_law("hardtanh", 2)
    Bernoulli(erf(1/2))
    >>> activation_derivative_law("linear", 1)
    PointMass(a=1)
    """
    from .activations import Activation, get_activation

    act = activation if isinstance(activation, Activation) else get_activation(activation)
    if act.piecewise_linear:
        qe = _exact(q, "q") if not isinstance(q, (float, np.floating)) else _exact(q, "q")
        law = act.dphi_values_probabilities(qe)
        vals = [sympy.sympify(v) for v, _ in law]
        probs = [sympy.sympify(p) for _, p in law]
        if len(vals) == 1:
            return PointMass(vals[0])
        if len(vals) == 2 and vals[0] == 0 and vals[1] == 1:
            return Bernoulli(probs[1])
        return Atomic(vals, probs)
    qe = _exact(q, "q")
    if qe == 0:
        import mpmath

        with mpmath.workdps(dps + 10):
            v = act.dphi_mp(mpmath.mpf(0)) ** 2
        expr = act.dexpr.subs(act.symbol, 0) ** 2
        return PointMass(sympy.nsimplify(expr) if expr.is_number else _exact(v, "phi'(0)^2"))
    return ActivationDerivativeLaw(act, qe, dps=dps)
