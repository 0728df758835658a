r"""The Fuss–Catalan law (free Bessel law): the free multiplicative power of the
free Poisson law (private; re-exported by :mod:`freealg.laws`).

Conventions as in :mod:`freealg.laws` (docs/theory.md §1–§3).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .._utils.validate import MAX_DEPTH, check_dps
from ._kinds import W, _check_int, _real_points, _mp_map, _wrap
from .base import Law
from ._closed import _closed_form


__all__ = ["FussCatalan"]


class FussCatalan(Law):
    r"""The Fuss–Catalan law ``MP(1)^{⊠L}`` (free product of ``L`` free Poisson
    laws of rate one).

    Moments ``binom((L+1)n, n)/(Ln + 1)``; ``S(w) = (1 + w)^{−L}``; curve
    ``z^L G^{L+1} − z G + 1 = 0`` (for ``L = 2``, with ``m = −G``:
    ``m³z² − mz − 1 = 0``, docs/theory.md §3).  The density uses the
    Haagerup–Möller parametrisation (``s = L + 1``, ``θ ∈ (0, π/s)``)
    ``x(θ) = sin(sθ)^s / (sin θ sin((s−1)θ)^{s−1})``,
    ``ρ = sin²θ sin((s−1)θ)^{s−2} / (π sin(sθ)^{s−1})``, on
    ``[0, s^s/(s−1)^{s−1}]``.

    Parameters
    ----------
    L : int, optional
        The number of factors, ``1 <= L <= 100000`` (default 2; ``L = 1``
        is ``MarchenkoPastur(1)``).

    Raises
    ------
    InvalidArgumentTypeError
        If ``L`` is not an integer.
    InvalidArgumentError
        If ``L < 1``.
    TooLargeError
        If ``L > 100000``.

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
        self._params = {"L": sympy.Integer(_check_int(
            L, "L", 1, maximum=MAX_DEPTH,
            hint="a product of more free Poisson laws than a network has layers"))}

    @property
    def L(self):
        """The number ``L`` of free Poisson factors (an int)."""
        return int(self._params["L"])

    def subs(self, *args, **kwargs):
        return self

    def _moments(self, n):
        L = self.L
        return [sympy.Integer(math.comb((L + 1) * k, k) // (L * k + 1)) for k in range(1, n + 1)]

    def _s_rational(self):
        return 1 / (1 + W) ** self.L

    def curve(self, exact=False):
        """``z^L G^{L+1} − z G + 1 = 0`` (``exact`` is accepted for the protocol).

        Parameters
        ----------
        exact : bool, optional
            Ignored (the law has an exact integer parameter).

        Returns
        -------
        SpectralCurve
            The curve from ``S(w) = (1 + w)^{−L}``, with this law attached.

        Raises
        ------
        None
            ``exact`` is ignored and the curve always exists: nothing is
            raised.

        Examples
        --------
        >>> FussCatalan(3).curve()
        SpectralCurve(G**4*z**3 - G*z + 1)
        """
        from .curves import SpectralCurve

        return SpectralCurve.from_s_transform(self._s_rational(), law=self)

    def support(self):
        s = self.L + 1
        return [(sympy.Integer(0), sympy.Rational(s**s, (s - 1) ** (s - 1)))]

    def atoms(self):
        return []

    def _theta(self, x, dps):
        """Solve ``x(θ) = x`` for θ ∈ (0, π/s) (x(θ) decreases from the edge to 0)."""
        from .._utils.mpctx import mpmath

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

    @staticmethod
    def _logs(s, t, mode):
        r"""``(log x, log ρ)`` of the Haagerup–Möller parametrisation.

        ``mode = "u"``: ``θ = π/s − e^t`` (accurate as ``x → 0``, where
        ``sin(sθ) = sin(s e^t)``); ``mode = "theta"``: ``θ = e^t`` (accurate
        near the soft edge).  With ``r = sin(sθ)/sin((s−1)θ)``,
        ``x = r^{s−1} sin(sθ)/sin θ`` and ``ρ = sin²θ r^{−(s−2)}/(π sin(sθ))``;
        ``log r = log1p(r − 1)`` with ``r − 1 = −2 sin²(θ/2) + sin θ cot((s−1)θ)``
        when ``r`` is near 1, so the factor ``s − 1`` multiplies a small
        accurate number instead of a difference of large logarithms.
        """
        a = np.pi / s
        if mode == "u":
            u = np.exp(t)
            th = a - u
            v = a + (s - 1) * u  # (s−1)θ = π − v
            sin_m, cos_m = np.sin(v), -np.cos(v)
            sin_s = np.sin(s * u)
        else:
            th = np.exp(t)
            sin_m, cos_m = np.sin((s - 1) * th), np.cos((s - 1) * th)
            sin_s = np.sin(s * th)
        sin_t = np.sin(th)
        r1 = -2 * np.sin(th / 2) ** 2 + sin_t * cos_m / sin_m
        with np.errstate(invalid="ignore", divide="ignore"):
            log_r = np.where(np.abs(r1) < 0.5, np.log1p(np.maximum(r1, -0.5)),
                             np.log(sin_s) - np.log(sin_m))
        lsin_t, lsin_s = np.log(sin_t), np.log(sin_s)
        log_x = (s - 1) * log_r + lsin_s - lsin_t
        log_rho = 2 * lsin_t - math.log(math.pi) - lsin_s - (s - 2) * log_r
        return log_x, log_rho

    def _density_np(self, x):
        r"""float64 path, in logarithms (no overflow or underflow for any ``L``).

        ``log x(θ)`` decreases in θ; it is inverted by bisection in
        ``log(π/s − θ)`` on the half ``θ > π/(2s)`` (small ``x``) and in
        ``log θ`` on ``θ < π/(2s)`` (up to the soft edge), 64 steps each, with
        the cancellation-free forms of :meth:`_logs`.
        """
        s = self.L + 1
        xx = _real_points(x, "x")
        log_edge = s * math.log(s) - (s - 1) * math.log(s - 1)
        inside = (xx > 0) & (np.log(np.where(xx > 0, xx, 1.0)) < log_edge)
        target = np.log(np.where(inside, xx, 1.0))
        log_half = math.log(math.pi / (2 * s))
        x_half = float(self._logs(s, np.array(log_half), "theta")[0])
        near = target > x_half  # θ < π/(2s)
        log_rho = np.empty(xx.shape)
        for mode, sel in (("u", ~near), ("theta", near)):
            if not sel.any():
                continue
            tg = target[sel]
            # u = π/s − θ from e^{−700}·π/(2s) (x < 1e-600) up to π/(2s); θ from
            # e^{−60}·π/(2s) (x within 1e-30 of the edge) up to π/(2s)
            lo = np.full(tg.shape, log_half - (700.0 if mode == "u" else 60.0))
            hi = np.full(tg.shape, log_half)
            for _ in range(64):
                mid = (lo + hi) / 2
                lx = self._logs(s, mid, mode)[0]
                # x grows with u (mode "u") and falls with θ (mode "theta")
                big = lx > tg
                if mode == "u":
                    hi, lo = np.where(big, mid, hi), np.where(big, lo, mid)
                else:
                    lo, hi = np.where(big, mid, lo), np.where(big, hi, mid)
            log_rho[sel] = self._logs(s, (lo + hi) / 2, mode)[1]
        with np.errstate(over="ignore"):
            rho = np.exp(log_rho)
        out = np.where(inside, rho, 0.0)
        out = np.where(xx == 0, np.inf, out)  # hard edge: ρ ~ x^{−L/(L+1)}
        return _wrap(out)

    @_closed_form
    def density(self, x, dps=None):
        r"""Density on ``[0, s^s/(s−1)^{s−1}]`` (``s = L + 1``), 0 outside.

        The right edge is soft (value 0); at the left edge ``x = 0`` the
        density diverges like ``x^{−L/(L+1)}`` and the value is ``+inf``.
        Accurate for ``L`` up to ``10^4`` and beyond (evaluated in logarithms).

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
            If an entry of ``x`` is not finite or not real.
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> FussCatalan(2).pdf([0.0, 1.0, 7.0])
        array([       inf, 0.17897913, 0.        ])
        """
        from .._utils.mpctx import mpmath
        if dps is None:
            return self._density_np(x)
        s = self.L + 1
        edge = mpmath.mpf(s) ** s / mpmath.mpf(s - 1) ** (s - 1)
        work = check_dps(dps)

        def f(t):
            with mpmath.workdps(work + 10):
                if t == 0:
                    return mpmath.inf
                if t < 0 or t >= edge:
                    return mpmath.mpf(0)
                th = self._theta(t, work)
                return (mpmath.sin(th) ** 2 * mpmath.sin((s - 1) * th) ** (s - 2)
                        / (mpmath.pi * mpmath.sin(s * th) ** (s - 1)))

        return _mp_map(x, work, f)
