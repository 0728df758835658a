r"""The arcsine law on an interval (private; re-exported by :mod:`freealg.laws`).

Conventions as in :mod:`freealg.laws` (docs/theory.md §1–§3).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from ..errors import InvalidArgumentError
from ._kinds import _exact, _MPNS, _pole_error, _keeps_float_kind, _sign, _sqrt_pair, _eval_by_kind
from .base import Law
from .discrete import PointMass
from ._closed import _closed_form


__all__ = ["Arcsine"]


class Arcsine(Law):
    r"""The arcsine law on ``[a, b]``: density ``1/(π√((x − a)(b − x)))``.

    ``G(z) = 1/√((z − a)(z − b))``; curve ``(z − a)(z − b) G² − 1 = 0``.
    Moments: with ``c = (a+b)/2``, ``r = (b−a)/2``,
    ``m_n = Σ_j binom(n, 2j) c^{n−2j} r^{2j} binom(2j, j)/4^j``.

    Parameters
    ----------
    a : number or sympy expression, optional
        The left edge (default −2).
    b : number or sympy expression, optional
        The right edge, ``b > a`` (default 2).  A float parameter makes a
        float law.

    Raises
    ------
    InvalidArgumentError
        If numeric edges have ``b <= a``, or an edge is not finite or not
        real.
    InvalidArgumentTypeError
        If an edge is not a number or a sympy expression.

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
        self._set_kind({"a": a, "b": b})

    def _moments(self, n):
        a, b = self._params["a"], self._params["b"]
        c, r = (a + b) / 2, (b - a) / 2
        return [sum(math.comb(k, 2 * j) * c ** (k - 2 * j) * r ** (2 * j)
                    * sympy.Rational(math.comb(2 * j, j), 4**j) for j in range(k // 2 + 1))
                for k in range(1, n + 1)]

    def curve(self, exact=False):
        """``(z − a)(z − b) G² − 1 = 0`` (``exact=True`` for a float law: see
        :meth:`Law.curve`).

        Parameters
        ----------
        exact : bool, optional
            Must be ``True`` for a float law (see :meth:`Law.curve`).

        Returns
        -------
        SpectralCurve
            The curve, with this law attached.

        Raises
        ------
        InvalidArgumentError
            For a float law without ``exact=True``.

        Examples
        --------
        >>> Arcsine(0, 1).curve()
        SpectralCurve(G**2*z**2 - G**2*z - 1)
        """
        from .curves import SpectralCurve, Z, G

        self._check_curve_kind(exact)
        a, b = self._params["a"], self._params["b"]
        return SpectralCurve((Z - a) * (Z - b) * G**2 - 1, law=self._exact_twin())

    def cauchy(self, z, dps=None):
        """``1/(√(z − a)√(z − b))``.  Exactly at the hard edges ``a``, ``b``
        ``G`` is unbounded: those points raise
        :class:`~freealg.errors.InvalidArgumentError` (evaluate at ``a + i·ε``).

        Parameters
        ----------
        z : complex or array_like of complex
            Points; real points outside the support give real ``G``.
        dps : int or None, optional
            ``None`` (default) for numpy complex128 values; ``1 <= dps <=
            1000`` for mpmath values at that many digits.

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, else a complex array (mpmath
            ``mpc`` numbers, in an object array for an array ``z``, with
            ``dps``).

        Raises
        ------
        InvalidArgumentError
            For a non-finite ``z``, or symbolic parameters (substitute first
            with :meth:`subs`); exactly at a
            hard edge ``a`` or ``b``; when a float64 value
            overflows (a law of extreme scale: pass ``dps``).
        InvalidArgumentTypeError
            For a non-numeric ``z`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> complex(Arcsine(0, 1).cauchy(2.0))             # 1/√(2·1)
        (0.7071067811865475+0j)
        """
        self._require_numeric("cauchy")
        a, b = self._params["a"], self._params["b"]

        def g_np(zz, af, bf):
            edge = (zz == af) | (zz == bf)
            if edge.any():
                raise _pole_error(self, zz.ravel()[int(np.flatnonzero(edge.ravel())[0])], "a hard edge")
            return 1.0 / _sqrt_pair(np, zz, af, bf)

        def g_mp(t, am, bm):
            if t in (am, bm):
                raise _pole_error(self, t, "a hard edge")
            return 1 / _sqrt_pair(_MPNS, t, am, bm)

        return _eval_by_kind(self, z, dps, (a, b), "cauchy", g_np, g_mp)

    @_closed_form
    def density(self, x, dps=None):
        r"""``1/(π√(x − a)√(b − x))`` on ``(a, b)``, 0 outside; ``+inf`` at the
        hard edges ``a`` and ``b`` (the limit from inside).

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` (default) for float64 values; ``1 <= dps <= 1000`` for
            mpmath values at that many digits.

        Returns
        -------
        float or ndarray of float
            A 0-d value for a scalar ``x``, else an array of the shape of
            ``x`` (mpmath numbers with ``dps``).

        Raises
        ------
        InvalidArgumentError
            If an entry of ``x`` is not finite, or symbolic parameters (substitute first with :meth:`subs`) or not real.
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> Arcsine(-2, 2).pdf([-2.0, 0.0, 3.0])
        array([       inf, 0.15915494, 0.        ])
        """
        self._require_numeric("density")
        a, b = self._params["a"], self._params["b"]
        from .._utils.mpctx import mpmath

        def f_np(xx, af, bf):
            val = 1.0 / np.sqrt(np.abs(xx - af)) / np.sqrt(np.abs(bf - xx)) / np.pi
            out = np.where((xx > af) & (xx < bf), val, 0.0)
            return np.where((xx == af) | (xx == bf), np.inf, out)

        def f_mp(t, am, bm):
            if t == am or t == bm:
                return mpmath.inf
            return 1 / (mpmath.pi * mpmath.sqrt((t - am) * (bm - t))) if am < t < bm else mpmath.mpf(0)

        return _eval_by_kind(self, x, dps, (a, b), "density", f_np, f_mp,
                             special=lambda xx, af, bf: (xx == af) | (xx == bf))

    def support(self):
        self._require_numeric("support")
        return self._pairs_kind([(self._params["a"], self._params["b"])])

    def atoms(self):
        return []

    @_keeps_float_kind
    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        if c == 0:
            return PointMass(s)
        ends = [s + c * self._params["a"], s + c * self._params["b"]]
        if _sign(c) is not None and _sign(c) < 0:
            ends.reverse()
        return Arcsine(*ends)
