"""The discrete laws: point masses, finitely supported (atomic) laws and
Bernoulli laws."""
from __future__ import annotations


import numpy as np
import sympy

from .._utils import detsympy as _ds
from .._utils.symbolic import sympify_safe
from .._utils.validate import check_dps
from .._utils.validate import describe as _describe
from ..errors import InvalidArgumentTypeError, InvalidLawError

from .base import Law
from ._closed import _closed_form
from ._kinds import W, _any_float, _apply, _at_points, _check_order, _complex_points, _exact, _f, _finite_values, _fmt, _is_numeric, _keeps_float_kind, _mp, _pole_error, _real_points, _sign, _src, _to_float

__all__ = ["PointMass", "Atomic", "Bernoulli"]


def _atomic_cauchy(law, points, weights, z, dps):
    """``Σ w_i/(z − a_i)``; a point exactly at an atom (a pole) raises
    :class:`InvalidArgumentError` (see :func:`_pole_error`)."""
    if dps is None:
        zz = _complex_points(z, "z").astype(complex)
        out = np.zeros_like(zz)
        hit = np.zeros(zz.shape, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for p, v in zip(points, weights):
                d = zz - _f(p)
                hit |= d == 0
                out = out + _f(v) / np.where(d == 0, 1, d)
        if hit.any():
            raise _pole_error(law, zz.ravel()[int(np.flatnonzero(hit.ravel())[0])])
        out = _finite_values(out, zz, law, "cauchy")
        return out[()] if out.ndim == 0 else out
    _complex_points(z, "z")
    pm = [(_mp(p, dps), _mp(v, dps)) for p, v in zip(points, weights)]

    def f(t):
        if any(t == p for p, _ in pm):
            raise _pole_error(law, t)
        return sum(v / (t - p) for p, v in pm)

    return _apply(z, dps, None, f)


def _atomic_density(atoms, x, dps):
    """Zero density with ``nan`` exactly at the atom locations."""
    arr = _real_points(x, "x")
    if dps is not None:
        from .._utils.mpctx import mpmath
        dps = check_dps(dps)
        locs = [_mp(a, dps) for a, _ in atoms]
        with mpmath.workdps(dps):
            vals = [mpmath.nan if any(mpmath.mpmathify(v) == a for a in locs) else mpmath.mpf(0)
                    for v in arr.ravel()]
        out = np.empty(len(vals), dtype=object)
        out[:] = vals
        return out[0] if arr.ndim == 0 else out.reshape(arr.shape)
    out = np.where(_at_points(arr, [_f(a) for a, _ in atoms]), np.nan, 0.0)
    return out[()] if out.ndim == 0 else out


class PointMass(Law):
    r"""The point mass ``δ_a``: ``G(z) = 1/(z − a)``, ``R(w) = a``, ``S(w) = 1/a``.

    The law of ``σ²·OᵀO`` (orthogonal weights) is ``PointMass(σ²)``.

    Parameters
    ----------
    a : number or sympy expression, optional
        The location (default 0).  A float makes a float law.

    Raises
    ------
    InvalidArgumentError
        If ``a`` is not finite or not real.
    InvalidArgumentTypeError
        If ``a`` is not a number or a sympy expression.

    Examples
    --------
    >>> PointMass(2).curve()
    SpectralCurve(G*z - 2*G - 1)
    >>> complex(PointMass(2).cauchy(3.0))
    (1+0j)
    """

    def __init__(self, a=0):
        self._params = {"a": _exact(a, "a")}
        self._set_kind({"a": a})

    def _moments(self, n):
        a = self._params["a"]
        return [a**k for k in range(1, n + 1)]

    def _exact_free_cumulants(self, n):
        n = _check_order(n)
        return [self._params["a"]] + [sympy.Integer(0)] * (n - 1) if n else []

    def _s_rational(self):
        a = self._params["a"]
        return None if a == 0 else 1 / a

    def _r_rational(self):
        return self._params["a"]

    def curve(self, exact=False):
        """``G(z − a) − 1 = 0`` (``exact=True`` for a float law: see :meth:`Law.curve`).

        Parameters
        ----------
        exact : bool, optional
            Must be ``True`` for a float law (see :meth:`Law.curve`).

        Returns
        -------
        SpectralCurve
            The curve, linear in ``G``.

        Raises
        ------
        InvalidArgumentError
            For a float law without ``exact=True``.

        Examples
        --------
        >>> PointMass(3).curve()
        SpectralCurve(G*z - 3*G - 1)
        """
        from .curves import SpectralCurve

        self._check_curve_kind(exact)
        return SpectralCurve.from_r_transform(self._params["a"], law=self._exact_twin())

    def cauchy(self, z, dps=None):
        """``1/(z − a)``.

        Parameters
        ----------
        z : complex or array_like of complex
            Points off the atoms.
        dps : int or None, optional
            ``None`` for numpy complex values; ``1 <= dps <= 1000`` for
            mpmath values at that many digits.

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, else a complex array (mpmath
            ``mpc`` numbers with ``dps``).

        Raises
        ------
        InvalidArgumentError
            Exactly at the atom ``z = a``, a pole of ``G`` (evaluate at
            ``a + i·ε``; the mass is in :meth:`atoms`); for a non-finite ``z``.
        InvalidArgumentTypeError
            For a ``bool``, text or another non-numeric ``z``.

        Examples
        --------
        >>> complex(PointMass(1).cauchy(3.0))
        (0.5+0j)
        """
        self._require_numeric("cauchy")
        return _atomic_cauchy(self, [self._params["a"]], [sympy.Integer(1)], z, dps)

    @_closed_form
    def density(self, x, dps=None):
        """Zero (no absolutely continuous part), ``nan`` exactly at the atom.

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` for float64 values; ``1 <= dps <= 1000`` for mpmath
            values at that many digits.

        Returns
        -------
        float or ndarray of float
            Zeros, with ``nan`` at the atom locations (mpmath numbers with
            ``dps``).

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or symbolic parameters
            (substitute first with :meth:`subs`).
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> PointMass(1).pdf([0.0, 1.0])
        array([ 0., nan])
        """
        self._require_numeric("density")
        return _atomic_density(self._exact_twin().atoms(), x, dps)

    def support(self):
        return []

    def atoms(self):
        return self._pairs_kind([(self._params["a"], sympy.Integer(1))])

    @_keeps_float_kind
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
        Non-negative, summing to one (exactly, for exact weights).  A float
        point or weight makes a float law (points and weights shown and
        returned as floats); float weights summing to one up to their
        rounding (``[0.1, 0.2, 0.7]``) are normalised exactly.

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
    freealg.errors.InvalidLawError: Atomic weights must sum to 1; got sum 1.1 (weights [0.5, 0.6]): not a probability measure. Normalise the weights (divide by their sum).
    """

    def __init__(self, points, weights):
        for arg, what in ((points, "points"), (weights, "weights")):
            if isinstance(arg, (str, bytes, dict)) or not hasattr(arg, "__iter__"):
                raise InvalidArgumentTypeError(
                    f"Atomic {what} must be a sequence of numbers; got {_describe(arg)} of type "
                    f"{type(arg).__name__}"
                )
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
        total = _ds.simplify(sum(wts))
        if (total != 1 and _any_float(*weights) and _is_numeric(total)
                and abs(_to_float(total - 1)) <= 4 * len(wts) * np.finfo(float).eps):
            # float weights summing to 1 up to their rounding: normalised exactly
            # (the floats shown by the law stay as given)
            wts = [v / total for v in wts]
            total = sympy.Integer(1)
        if total != 1 and (_is_numeric(total) or sympy.expand(total - 1) != 0):
            shown = (f"{_to_float(total)!r} (weights {list(weights)!r})"
                     if _any_float(*weights) and _is_numeric(total) else f"{total} (weights {_fmt(wts)})")
            raise InvalidLawError(
                f"Atomic weights must sum to 1; got sum {shown}: not a "
                "probability measure. Normalise the weights (divide by their sum)."
            )
        merged = {}
        order = []
        for p, v in zip(pts, wts):
            key = _ds.simplify(p)
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
        if _any_float(*points, *weights):
            self._mark_float()

    def subs(self, *args, **kwargs):
        pts = [sympify_safe(p).subs(*sympify_safe(args), **kwargs) for p in self.points]
        wts = [sympify_safe(v).subs(*sympify_safe(args), **kwargs) for v in self.weights]
        return Atomic(pts, wts)

    def _exact_twin(self):
        return Atomic(self._pts(), self._wts()) if self._float else self

    def _pts(self):
        """The exact locations."""
        return list(self._params["points"])

    def _wts(self):
        """The exact weights."""
        return list(self._params["weights"])

    @property
    def points(self):
        """The locations (floats for a float law)."""
        return self._as_kind(self._pts())

    @property
    def weights(self):
        """The weights (floats for a float law)."""
        return self._as_kind(self._wts())

    def _moments(self, n):
        return [sum(v * p**k for p, v in zip(self._pts(), self._wts())) for k in range(1, n + 1)]

    def curve(self, exact=False):
        """``Π(z − a_i) G − Σ w_i Π_{j≠i}(z − a_j) = 0`` (``exact=True`` for a
        float law: see :meth:`Law.curve`).

        Parameters
        ----------
        exact : bool, optional
            Must be ``True`` for a float law (see :meth:`Law.curve`).

        Returns
        -------
        SpectralCurve
            The curve, linear in ``G``.

        Raises
        ------
        InvalidArgumentError
            For a float law without ``exact=True``.

        Examples
        --------
        >>> Atomic([0, 1], [sympy.Rational(1, 2), sympy.Rational(1, 2)]).curve()
        SpectralCurve(2*G*z**2 - 2*G*z - 2*z + 1)
        """
        from .curves import SpectralCurve, Z, G

        self._check_curve_kind(exact)
        pts, wts = self._pts(), self._wts()
        lead = sympy.Mul(*[(Z - a) for a in pts])
        rest = sum(v * sympy.Mul(*[(Z - b) for j, b in enumerate(pts) if j != i])
                   for i, v in enumerate(wts))
        return SpectralCurve(lead * G - rest, law=self._exact_twin())

    def cauchy(self, z, dps=None):
        """``Σ w_i/(z − a_i)``.

        Parameters
        ----------
        z : complex or array_like of complex
            Points off the atoms.
        dps : int or None, optional
            ``None`` for numpy complex values; ``1 <= dps <= 1000`` for
            mpmath values at that many digits.

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, else a complex array (mpmath
            ``mpc`` numbers with ``dps``).

        Raises
        ------
        InvalidArgumentError
            Exactly at an atom ``a_i``, a pole of ``G`` (evaluate at
            ``a_i + i·ε``; the masses are in :meth:`atoms`); for a non-finite ``z``.
        InvalidArgumentTypeError
            For a ``bool``, text or another non-numeric ``z``.

        Examples
        --------
        >>> complex(Atomic([0, 2], [0.5, 0.5]).cauchy(1j))     # 0.5/i + 0.5/(i − 2)
        (-0.2-0.6j)
        """
        self._require_numeric("cauchy")
        pairs = [(p, v) for p, v in zip(self._pts(), self._wts()) if v != 0]
        return _atomic_cauchy(self, [p for p, _ in pairs], [v for _, v in pairs], z, dps)

    @_closed_form
    def density(self, x, dps=None):
        """Zero (no absolutely continuous part), ``nan`` exactly at the atoms
        (:meth:`atoms` lists them).

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` for float64 values; ``1 <= dps <= 1000`` for mpmath
            values at that many digits.

        Returns
        -------
        float or ndarray of float
            Zeros, with ``nan`` at the atom locations (mpmath numbers with
            ``dps``).

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or symbolic parameters
            (substitute first with :meth:`subs`).
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> Bernoulli(0.5).pdf([0.0, 0.5, 1.0])
        array([nan,  0., nan])
        """
        self._require_numeric("density")
        return _atomic_density(self._exact_atoms(), x, dps)

    def support(self):
        return []

    def _exact_atoms(self):
        return list(zip(self._pts(), self._wts()))

    def atoms(self):
        return self._pairs_kind(self._exact_atoms())

    @_keeps_float_kind
    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        return Atomic([s + c * p for p in self._pts()], self._wts())

    def __repr__(self):
        prm = self.parameters
        return f"Atomic(points={_src(list(prm['points']))}, weights={_src(list(prm['weights']))})"


class Bernoulli(Atomic):
    r"""The Bernoulli law ``(1 − p) δ_0 + p δ_1`` (the law of a projection of
    trace ``p``; for ReLU, ``D² ~ Bernoulli(1/2)``).

    ``S(w) = (1 + w)/(p + w)`` (docs/theory.md §2).

    Parameters
    ----------
    p : number or sympy expression
        The mass of the atom at 1, in ``[0, 1]``.  A float makes a float law.

    Raises
    ------
    InvalidLawError
        If a numeric ``p`` lies outside ``[0, 1]``.
    InvalidArgumentError
        If ``p`` is not finite or not real.
    InvalidArgumentTypeError
        If ``p`` is not a number or a sympy expression.

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
        self._set_kind({"p": p})

    @property
    def p(self):
        """The probability of the atom at 1 (a float for a float law)."""
        return self.parameters["p"]

    def _pts(self):
        return [sympy.Integer(0), sympy.Integer(1)]

    def _wts(self):
        return [1 - self._params["p"], self._params["p"]]

    def _exact_twin(self):
        return Bernoulli(self._params["p"]) if self._float else self

    def subs(self, *args, **kwargs):
        return Bernoulli(sympify_safe(self.p).subs(*sympify_safe(args), **kwargs))

    def _moments(self, n):
        return [self._params["p"]] * n

    def _s_rational(self):
        p = self._params["p"]
        return None if p == 0 else (1 + W) / (p + W)

    def _r_closed(self):
        # R(w) = (w − 1 + √((1 − w)² + 4pw))/(2w), written without the removable
        # singularity at w = 0 (and without its cancellation for small |w|)
        p = self._params["p"]
        return 2 * p / (1 - W + sympy.sqrt((1 - W) ** 2 + 4 * p * W))

    def _exact_atoms(self):
        return [(a, m) for a, m in zip(self._pts(), self._wts()) if m != 0]

    @_keeps_float_kind
    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        p = self._params["p"]
        return Atomic([s, s + c], [1 - p, p])

    def __repr__(self):
        return f"Bernoulli({_src(self.p)})"
