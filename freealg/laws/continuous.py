r"""The semicircle and free Poisson (Marchenko–Pastur) laws (private; re-exported
by :mod:`freealg.laws`); the Fuss–Catalan and arcsine laws are in
:mod:`freealg.laws.fuss_catalan` and :mod:`freealg.laws.arcsine`.

Conventions as in :mod:`freealg.laws` (docs/theory.md §1–§3).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from ..errors import InvalidArgumentError
from ._kinds import W, _check_order, _exact, _f, _MPNS, _pole_error, _keeps_float_kind, _sign, _centred_sqrt, _eval_by_kind
from .base import Law
from .discrete import PointMass
from ._closed import _closed_form


__all__ = ["Semicircle", "MarchenkoPastur"]


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
        return _eval_by_kind(
            self, z, dps, (a, half, lo, hi), "cauchy",
            lambda zz, a, hf, l, h: 2.0 / ((zz - a) + _centred_sqrt(np, zz, a, hf, l, h)),
            lambda t, a, hm, l, h: 2 / ((t - a) + _centred_sqrt(_MPNS, t, a, hm, l, h)))

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
        from .._utils.mpctx import mpmath

        def f_np(xx, af, sf):
            t = (xx - af) / sf
            val = np.sqrt(np.abs(2 - t)) * np.sqrt(np.abs(2 + t)) / (2 * np.pi) / sf
            return np.where(np.abs(t) < 2, val, 0.0)

        def f_mp(x, am, sm):
            t = (x - am) / sm
            return mpmath.sqrt((2 - t) * (2 + t)) / (2 * mpmath.pi * sm) if abs(t) < 2 else mpmath.mpf(0)

        return _eval_by_kind(self, x, dps, (a, sd), "density", f_np, f_mp)

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

        def g_np(zz, cf, af, l, h, ctf, hf):
            S = _centred_sqrt(np, zz, ctf, hf, l, h)
            n1 = zz + cf - S
            n2 = zz + cf + S
            g1 = n1 / (2 * af) / zz
            g2 = 2.0 / n2
            if pole and (zz == 0).any():
                raise _pole_error(self, 0j, "an atom" if _sign(lam - 1) < 0 else "the hard edge")
            return np.where(np.abs(n1) >= np.abs(n2), g1, g2)

        def g_mp(t, cm, am, l, h, ctm, hm):
            S = _centred_sqrt(_MPNS, t, ctm, hm, l, h)
            n1, n2 = t + cm - S, t + cm + S
            if t == 0 and pole:
                raise _pole_error(self, t, "an atom" if _sign(lam - 1) < 0 else "the hard edge")
            return n1 / (2 * am * t) if abs(n1) >= abs(n2) and t != 0 else 2 / n2

        return _eval_by_kind(self, z, dps, (c, alpha, lo, hi, ctr, half), "cauchy", g_np, g_mp)

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
        from .._utils.mpctx import mpmath
        near = alpha * (1 - sympy.sqrt(lam)) ** 2  # the edge nearer 0

        def f_np(xx, wf, cf, af, near):
            sg = 1.0 if af > 0 else -1.0
            af = abs(af)
            d = xx - cf
            far = wf - sg * d
            # the factor vanishing at the edge nearer 0: x − e directly when
            # that edge is well separated from the centre (λ near 1: the hard
            # edge at 0 is exact), else w ± d (λ tiny: the float edge would
            # have lost the width)
            nf = np.abs(xx - near) if abs(near) <= abs(cf) / 2 else wf + sg * d
            val = np.sqrt(np.abs(far)) * np.sqrt(np.abs(nf)) / np.abs(xx) / (2 * np.pi) / af
            out = np.where(np.abs(d) < wf, val, 0.0)
            if at0 < 0:
                out = np.where(xx == 0, np.nan, out)
            elif at0 == 0:
                out = np.where(xx == 0, np.inf, out)
            return out

        def f_mp(x, wm, cm, am, near):
            am = abs(am)
            if x == 0 and at0 <= 0:
                return mpmath.nan if at0 < 0 else mpmath.inf
            d = x - cm
            return (mpmath.sqrt((wm - d) * (wm + d)) / (2 * mpmath.pi * am * abs(x))
                    if abs(d) < wm else mpmath.mpf(0))

        return _eval_by_kind(self, x, dps, (w, ctr, alpha, near), "density", f_np, f_mp,
                             special=(lambda xx, *_: xx == 0) if at0 <= 0 else None)

    def support(self):
        self._require_numeric("support")
        return self._pairs_kind([tuple(sorted(self._edges(), key=_f))])

    def atoms(self):
        lam = self._params["rate"]
        s = _sign(lam - 1)
        if s is None:
            self._require_numeric("atoms")
        return self._pairs_kind([(sympy.Integer(0), 1 - lam)] if s < 0 else [])
