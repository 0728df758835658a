r"""The continuous named laws: semicircle, free Poisson (Marchenko–Pastur),
Fuss–Catalan and arcsine (private; re-exported by :mod:`freealg.laws`).

Conventions as in :mod:`freealg.laws` (docs/theory.md §1–§3).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .._utils.validate import MAX_DEPTH, check_dps
from ..errors import InvalidArgumentError
from ._kinds import W, _apply, _check_int, _check_order, _complex_points, _exact, _finite_values, _f, _mp, _MPNS, _pole_error, _real_points, _keeps_float_kind, _sign, _sqrt_pair
from .base import Law
from .discrete import PointMass
from ._closed import _closed_form
from ._kinds import _centred_sqrt, _mp_map, _wrap


__all__ = ["Semicircle", "MarchenkoPastur", "FussCatalan", "Arcsine"]


class Semicircle(Law):
    r"""Wigner's semicircle law of mean ``a`` and variance ``v``.

    Only ``κ_1 = a`` and ``κ_2 = v`` are non-zero; ``R(w) = a + v w``;
    density ``√(4v − (x − a)²)/(2πv)`` on ``[a − 2√v, a + 2√v]``;
    curve ``v G² − (z − a) G + 1 = 0``.

    Parameters
    ----------
    mean : number or sympy expression, optional
        The mean ``a`` (default 0).
    variance : number or sympy expression, optional
        The variance ``v > 0`` (default 1).  A float parameter makes a float
        law.

    Raises
    ------
    InvalidArgumentError
        If a numeric ``variance <= 0`` (use :class:`PointMass` for
        variance 0), or a parameter is not finite or not real.
    InvalidArgumentTypeError
        If a parameter is not a number or a sympy expression.

    Examples
    --------
    >>> Semicircle(mean=0, variance=1).moments(6)
    [0, 1, 0, 2, 0, 5]
    >>> round(Semicircle().pdf(0.0), 12)               # 1/π
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
        self._set_kind({"mean": mean, "variance": variance})

    def _moments(self, n):
        a, v = self._params["mean"], self._params["variance"]
        out = []
        for k in range(1, n + 1):
            out.append(sum(math.comb(k, 2 * j) * a ** (k - 2 * j) * math.comb(2 * j, j) / (j + 1) * v**j
                           for j in range(k // 2 + 1)))
        return out

    def _exact_free_cumulants(self, n):
        n = _check_order(n)
        a, v = self._params["mean"], self._params["variance"]
        return ([a, v] + [sympy.Integer(0)] * max(0, n - 2))[:n]

    def _r_rational(self):
        return self._params["mean"] + self._params["variance"] * W

    def _s_closed(self):
        a, v = self._params["mean"], self._params["variance"]
        # v S^2 w + a S - 1 = 0 with S(0) = 1/a
        return 2 / (a * (1 + sympy.sqrt(1 + 4 * v * W / a**2)))

    def curve(self, exact=False):
        """``v G² − (z − a) G + 1 = 0`` (``exact=True`` for a float law: see
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
        >>> Semicircle(1, 2).curve()
        SpectralCurve(2*G**2 - G*z + G + 1)
        """
        from .curves import SpectralCurve

        self._check_curve_kind(exact)
        return SpectralCurve.from_r_transform(self._r_rational(), law=self._exact_twin())

    def _edges(self):
        a, v = self._params["mean"], self._params["variance"]
        return a - 2 * sympy.sqrt(v), a + 2 * sympy.sqrt(v)

    def cauchy(self, z, dps=None):
        r"""``G(z) = 2/((z − a) + √(z − a + 2√v)·√(z − a − 2√v))``.

        This is ``((z − a) − √(…)√(…))/(2v)`` with the cancellation removed
        (the two forms agree; on the physical branch the denominator has
        modulus ``≥ 2√v``), so it stays accurate for any ``v > 0`` that a
        float can hold, down to ``5e-324``.

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
            with :meth:`subs`); when a float64 value
            overflows (a law of extreme scale: pass ``dps``).
        InvalidArgumentTypeError
            For a non-numeric ``z`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> complex(Semicircle().cauchy(2.5))              # (2.5 − √(2.25))/2
        (0.5+0j)
        """
        self._require_numeric("cauchy")
        a, v = self._params["mean"], self._params["variance"]
        lo, hi = self._edges()
        half = 2 * sympy.sqrt(v)
        if dps is None:
            af, l, h, hf = _f(a), _f(lo), _f(hi), _f(half)
            zz = _complex_points(z, "z")
            with np.errstate(over="ignore", invalid="ignore"):
                den = (zz - af) + _centred_sqrt(np, zz, af, hf, l, h)
                out = 2.0 / den
            return _wrap(_finite_values(out, zz, self, "cauchy"))
        am, l, h, hm = (_mp(t, dps) for t in (a, lo, hi, half))
        return _apply(z, dps, None,
                      lambda t: 2 / ((t - am) + _centred_sqrt(_MPNS, t, am, hm, l, h)))

    @_closed_form
    def density(self, x, dps=None):
        r"""``√(4 − t²)/(2π√v)`` with ``t = (x − a)/√v``; 0 outside and at the
        (soft) edges ``a ± 2√v``.

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
        >>> Semicircle(0, 4).pdf([0.0, 4.0, 5.0])
        array([0.15915494, 0.        , 0.        ])
        """
        self._require_numeric("density")
        a, v = self._params["mean"], self._params["variance"]
        sd = sympy.sqrt(v)
        if dps is None:
            xx = _real_points(x, "x")
            af, sf = _f(a), _f(sd)
            with np.errstate(over="ignore", invalid="ignore"):
                t = (xx - af) / sf
                val = np.sqrt(np.abs(2 - t)) * np.sqrt(np.abs(2 + t)) / (2 * np.pi) / sf
            return _wrap(_finite_values(np.where(np.abs(t) < 2, val, 0.0), xx, self, "density"))
        from .._utils.mpctx import mpmath
        am, sm = _mp(a, dps), _mp(sd, dps)

        def f(x):
            t = (x - am) / sm
            return mpmath.sqrt((2 - t) * (2 + t)) / (2 * mpmath.pi * sm) if abs(t) < 2 else mpmath.mpf(0)

        return _mp_map(x, dps, f)

    def support(self):
        self._require_numeric("support")
        return self._pairs_kind([self._edges()])

    def atoms(self):
        return []

    @_keeps_float_kind
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

    Parameters
    ----------
    rate : number or sympy expression, optional
        The rate ``λ > 0`` (default 1; the aspect ratio of ``WᵀW``).
    jump : number or sympy expression, optional
        The jump size ``α ≠ 0`` (default 1; the scale).  A float parameter
        makes a float law.

    Raises
    ------
    InvalidArgumentError
        If a numeric ``rate <= 0`` or ``jump == 0`` (use
        ``PointMass(0)``), or a parameter is not finite or not real.
    InvalidArgumentTypeError
        If a parameter is not a number or a sympy expression.

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
        self._set_kind({"rate": rate, "jump": jump})

    def _moments(self, n):
        lam, alpha = self._params["rate"], self._params["jump"]
        out = []
        for k in range(1, n + 1):
            nar = sum(sympy.Integer(math.comb(k, j) * math.comb(k, j - 1) // k) * lam**j
                      for j in range(1, k + 1))
            out.append(alpha**k * nar)
        return out

    def _exact_free_cumulants(self, n):
        n = _check_order(n)
        lam, alpha = self._params["rate"], self._params["jump"]
        return [lam * alpha**k for k in range(1, n + 1)]

    def _r_rational(self):
        lam, alpha = self._params["rate"], self._params["jump"]
        return lam * alpha / (1 - alpha * W)

    def _s_rational(self):
        lam, alpha = self._params["rate"], self._params["jump"]
        return 1 / (alpha * (lam + W))

    def curve(self, exact=False):
        """``α z G² − (z + α(1 − λ)) G + 1 = 0`` (``exact=True`` for a float
        law: see :meth:`Law.curve`).

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
        >>> MarchenkoPastur(0.5).curve(exact=True)      # 0.5 is exactly 1/2
        SpectralCurve(2*G**2*z - 2*G*z - G + 2)
        """
        from .curves import SpectralCurve

        self._check_curve_kind(exact)
        return SpectralCurve.from_r_transform(self._r_rational(), law=self._exact_twin())

    def _edges(self):
        lam, alpha = self._params["rate"], self._params["jump"]
        return alpha * (1 - sympy.sqrt(lam)) ** 2, alpha * (1 + sympy.sqrt(lam)) ** 2

    def cauchy(self, z, dps=None):
        r"""``G(z) = (z + α(1 − λ) − S)/(2αz) = 2/(z + α(1 − λ) + S)``,
        ``S = √(z − a)√(z − b)``.

        Each point uses the form without cancellation (the two numerators
        multiply to ``4αz``), so extreme rates and jumps stay accurate.  At
        the atom ``z = 0`` (``λ < 1``), and at the hard edge ``z = 0`` where
        ``G`` is unbounded (``λ = 1``), ``G`` has no value: that point raises
        :class:`~freealg.errors.InvalidArgumentError` (evaluate at ``i·ε``).

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
            with :meth:`subs`); at ``z = 0`` for
            ``λ <= 1`` (the atom or the hard edge); when a float64 value
            overflows (a law of extreme scale: pass ``dps``).
        InvalidArgumentTypeError
            For a non-numeric ``z`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> g = complex(MarchenkoPastur(2).cauchy(-1.0))   # root 1 − √2 of −G² + 2G + 1
        >>> round(g.real, 12), g.imag == 0
        (-0.414213562373, True)
        """
        self._require_numeric("cauchy")
        lam, alpha = self._params["rate"], self._params["jump"]
        lo, hi = sorted(self._edges(), key=_f)
        c = alpha * (1 - lam)
        ctr, half = alpha * (1 + lam), 2 * abs(alpha) * sympy.sqrt(lam)
        # z = 0 is the atom (λ < 1) or the hard edge where G is unbounded (λ = 1)
        pole = _sign(lam - 1) <= 0
        if dps is None:
            cf, af, l, h = _f(c), _f(alpha), _f(lo), _f(hi)
            ctf, hf = _f(ctr), _f(half)
            zz = _complex_points(z, "z")
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                S = _centred_sqrt(np, zz, ctf, hf, l, h)
                n1 = zz + cf - S
                n2 = zz + cf + S
                g1 = n1 / (2 * af) / zz
                g2 = 2.0 / n2
                out = np.where(np.abs(n1) >= np.abs(n2), g1, g2)
            if pole and (zz == 0).any():
                raise _pole_error(self, 0j, "an atom" if _sign(lam - 1) < 0 else "the hard edge")
            out = _finite_values(out, zz, self, "cauchy")
            return _wrap(out)
        cm, am, l, h, ctm, hm = (_mp(t, dps) for t in (c, alpha, lo, hi, ctr, half))

        def g(t):
            S = _centred_sqrt(_MPNS, t, ctm, hm, l, h)
            n1, n2 = t + cm - S, t + cm + S
            if t == 0 and pole:
                raise _pole_error(self, t, "an atom" if _sign(lam - 1) < 0 else "the hard edge")
            return n1 / (2 * am * t) if abs(n1) >= abs(n2) and t != 0 else 2 / n2

        return _apply(z, dps, None, g)

    @_closed_form
    def density(self, x, dps=None):
        r"""``√((b − x)(x − a))/(2π|α||x|)`` on ``[a, b]``, 0 outside.

        The soft edges give 0.  For ``λ = 1`` the edge at 0 is hard (the
        density diverges like ``x^{-1/2}``) and the value there is ``+inf``.
        For ``λ < 1`` the point 0 carries the atom of mass ``1 − λ``
        (:meth:`atoms`) and the value there is ``nan``.

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
        >>> MarchenkoPastur(rate=0.5).pdf([0.0, 1.0, 10.0])
        array([      nan, 0.2105422, 0.       ])
        >>> MarchenkoPastur().pdf(0.0)              # hard edge at 0 for rate 1
        inf
        """
        self._require_numeric("density")
        lam, alpha = self._params["rate"], self._params["jump"]
        # the square of the half-width 2|α|√λ and the centre α(1 + λ)
        w = 2 * abs(alpha) * sympy.sqrt(lam)
        ctr = alpha * (1 + lam)
        at0 = _sign(lam - 1)
        if dps is None:
            xx = _real_points(x, "x")
            wf, cf, af = _f(w), _f(ctr), abs(_f(alpha))
            sg = 1.0 if _f(alpha) > 0 else -1.0
            near = _f(alpha * (1 - sympy.sqrt(lam)) ** 2)  # the edge nearer 0
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                d = xx - cf
                far = wf - sg * d
                # the factor vanishing at the edge nearer 0: x − e directly when
                # that edge is well separated from the centre (λ near 1: the hard
                # edge at 0 is exact), else w ± d (λ tiny: the float edge would
                # have lost the width)
                nf = np.abs(xx - near) if abs(near) <= abs(cf) / 2 else wf + sg * d
                val = np.sqrt(np.abs(far)) * np.sqrt(np.abs(nf)) / np.abs(xx) / (2 * np.pi) / af
            out = np.where(np.abs(d) < wf, val, 0.0)
            out = _finite_values(out, xx, self, "density", (xx == 0) if at0 <= 0 else None)
            if at0 < 0:
                out = np.where(xx == 0, np.nan, out)
            elif at0 == 0:
                out = np.where(xx == 0, np.inf, out)
            return _wrap(out)
        from .._utils.mpctx import mpmath
        wm, cm, am = _mp(w, dps), _mp(ctr, dps), abs(_mp(alpha, dps))

        def f(x):
            if x == 0 and at0 <= 0:
                return mpmath.nan if at0 < 0 else mpmath.inf
            d = x - cm
            return (mpmath.sqrt((wm - d) * (wm + d)) / (2 * mpmath.pi * am * abs(x))
                    if abs(d) < wm else mpmath.mpf(0))

        return _mp_map(x, dps, f)

    def support(self):
        self._require_numeric("support")
        return self._pairs_kind([tuple(sorted(self._edges(), key=_f))])

    def atoms(self):
        lam = self._params["rate"]
        s = _sign(lam - 1)
        if s is None:
            self._require_numeric("atoms")
        return self._pairs_kind([(sympy.Integer(0), 1 - lam)] if s < 0 else [])


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
        if dps is None:
            zz = _complex_points(z, "z")
            af, bf = _f(a), _f(b)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                out = 1.0 / _sqrt_pair(np, zz, af, bf)
            edge = (zz == af) | (zz == bf)
            if edge.any():
                raise _pole_error(self, zz.ravel()[int(np.flatnonzero(edge.ravel())[0])], "a hard edge")
            return _wrap(_finite_values(out, zz, self, "cauchy"))
        am, bm = _mp(a, dps), _mp(b, dps)

        def g(t):
            if t in (am, bm):
                raise _pole_error(self, t, "a hard edge")
            return 1 / _sqrt_pair(_MPNS, t, am, bm)

        return _apply(z, dps, None, g)

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
        if dps is None:
            xx = _real_points(x, "x")
            af, bf = _f(a), _f(b)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                val = 1.0 / np.sqrt(np.abs(xx - af)) / np.sqrt(np.abs(bf - xx)) / np.pi
            out = np.where((xx > af) & (xx < bf), val, 0.0)
            edge = (xx == af) | (xx == bf)
            return _wrap(np.where(edge, np.inf, _finite_values(out, xx, self, "density", edge)))
        from .._utils.mpctx import mpmath
        am, bm = _mp(a, dps), _mp(b, dps)

        def f(t):
            if t == am or t == bm:
                return mpmath.inf
            return 1 / (mpmath.pi * mpmath.sqrt((t - am) * (bm - t))) if am < t < bm else mpmath.mpf(0)

        return _mp_map(x, dps, f)

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
