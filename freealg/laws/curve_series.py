"""The series of the physical branch of a spectral curve at infinity:
``H = zG = Σ h_k z^{-k}`` by Newton iteration on power series over the
fraction field of the coefficients, hence the exact moments of the law and
the test whether given moments lie on the curve.  :class:`SpectralCurve`
inherits these methods.

Examples
--------
>>> import sympy
>>> from freealg import SpectralCurve
>>> z, G = sympy.symbols("z G")
>>> SpectralCurve(G**2 - z*G + 1).moments(4)
[0, 1, 0, 2]
"""

from __future__ import annotations

import sympy

from .._utils import series as _series
from .._utils.symbolic import sympify_safe
from .._utils.validate import shorten
from ..errors import BranchError
from .analysis import G
from ._kinds import _check_order
from .curve_polynomial import _check_moment_list, _clean, _normalise

__all__ = []


class _CurveSeries:
    """The branch ``G ~ 1/z`` at infinity as a power series (methods of
    :class:`~freealg.laws.curves.SpectralCurve`; the curve holds ``_poly``,
    ``_rows`` and ``_series_cache``)."""

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
        return _eval_rows(rows, d, H, N, K.zero, K.one, K.convert, deriv)

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
                self._numeric_cache.clear()  # discriminant, candidates: of the old P
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
        self._check_branch()
        K, rows, d = self._field_rows()
        H = _newton_series(rows, d, N, K.zero, K.one, K.convert)
        self._series_cache = H
        return H[:N]

    def _float_moments(self, n):
        """Moments ``m_1..m_n`` as floats, for start values and scales of the
        density engine: the Newton iteration of :meth:`_series` run in mpmath
        at 40, 80, 160, 320 digits until two precisions agree to ``1e-14``
        (relative to ``R^k``, ``R`` the moment scale); the exact series is the
        fallback.  Cached on the curve (the exact series of a curve with the
        huge rationals of float-derived data costs seconds to minutes)."""
        key = ("float_moments", n)
        if key not in self._numeric_cache:
            self._numeric_cache[key] = _float_series(self, n)
        return list(self._numeric_cache[key])

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
        >>> from freealg import SpectralCurve
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


def _eval_rows(rows, d, H, N, zero, one, num, deriv=False):
    """``F(u, H) = Σ_i f_i(u) H^i`` (or ``∂F/∂H`` with ``deriv``) mod ``u^N``
    by Horner's rule; ``rows[i]`` holds the coefficients of ``f_i`` and ``num``
    maps an integer into the coefficient ring (a sympy domain or mpmath)."""
    lo = 1 if deriv else 0
    nz = [i for i in range(lo, d + 1) if any(rows[i][:N])]
    if len(nz) * max(1, d.bit_length()) < d:
        # few non-zero rows (e.g. (zG)^(L+1) - z(zG - 1)): the powers of H by
        # binary exponentiation instead of d Horner steps
        acc = [zero] * N
        for i in nz:
            term = _series.mul(rows[i][:N], _power(H, i - lo, N, zero, one), N)
            fac = num(i) if deriv else one
            for k in range(N):
                if term[k]:
                    acc[k] = acc[k] + (fac * term[k] if deriv else term[k])
        return acc
    acc = [zero] * N
    for i in range(d, lo - 1, -1):
        acc = _series.mul(acc, H, N)
        row = rows[i]
        fac = num(i) if deriv else one
        for k in range(min(len(row), N)):
            if row[k]:
                acc[k] = acc[k] + (fac * row[k] if deriv else row[k])
    return acc


def _power(H, k, N, zero, one):
    """``H^k`` mod ``u^N`` by binary exponentiation (element-generic)."""
    out = [one] + [zero] * (N - 1)
    base = list(H[:N]) + [zero] * (N - len(H))
    while k:
        if k & 1:
            out = _series.mul(out, base, N)
        k >>= 1
        if k:
            base = _series.mul(base, base, N)
    return out


def _newton_series(rows, d, N, zero, one, num):
    """``H = 1 + h_1 u + ... + h_{N-1} u^{N-1}`` solving ``F(u, H) = 0`` by
    Newton's iteration on power series (the number of correct terms doubles
    per step); element-generic: exact over a sympy domain, or in mpmath."""
    H = [one]
    prec = 1
    while prec < N:
        prec2 = min(2 * prec, N)
        Hp = H + [zero] * (prec2 - len(H))
        F = _eval_rows(rows, d, Hp, prec2, zero, one, num)
        FH = _eval_rows(rows, d, Hp, prec2, zero, one, num, deriv=True)
        delta = _series.mul(F, _series.inv(FH, prec2), prec2)
        H = [Hp[k] - delta[k] for k in range(prec2)]
        prec = prec2
    return H


def _float_series(curve, n):
    """See :meth:`_CurveSeries._float_moments`."""
    from .._utils.mpctx import mpmath

    curve._check_branch()
    K, rows, d = curve._field_rows()
    prev = None
    for dps in (40, 80, 160, 320):
        with mpmath.workdps(dps):
            if K.is_QQ or K.is_ZZ:
                def conv(c):
                    return mpmath.mpf(int(K.numer(c))) / int(K.denom(c))
            else:
                def conv(c):
                    return mpmath.mpmathify(sympy.N(K.to_sympy(c), dps + 5))
            zero, one = mpmath.mpf(0), mpmath.mpf(1)
            mrows = [[conv(c) if c else zero for c in row] for row in rows]
            H = _newton_series(mrows, d, n + 1, zero, one, mpmath.mpf)
            vals = [float(v) for v in H[1:]]
        if prev is not None:
            nz = [abs(v) ** (1.0 / k) for k, v in enumerate(vals, 1) if v != 0]
            R = max(nz) if nz else 1.0
            if all(abs(v - w) <= 1e-14 * R**k for k, (v, w) in enumerate(zip(vals, prev), 1)):
                return [0.0 if abs(v) <= 1e-25 * R**k else v for k, v in enumerate(vals, 1)]
        prev = vals
    return [float(m) for m in curve.moments(n)]  # pragma: no cover - mpmath agreed above
