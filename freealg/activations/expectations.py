"""The Gaussian expectations of an :class:`~freealg.activations.Activation`: a
mixin with the 1-D expectations in three number kinds, the moments and the
exact law of ``phi'(h)^2``, and the vectorised float and 2-D engines."""

from __future__ import annotations

from fractions import Fraction
import functools
import math

import numpy as np
import sympy as sp

from .._utils.mpctx import mpmath
from .._utils.symbolic import sympify_safe
from .._utils.validate import (
    MAX_MOMENT_ORDER,
    check_choice,
    check_finite_array,
    check_int,
    check_real,
)
from ..errors import InvalidArgumentError
from ._numbers import _MP, _Q, _SP, _check_dps, _check_q, _finite_np, _float_result
from .closed_forms import _closed2_np, _closed_np
from .quadrature import _expect2_mp, gaussian_expectation
from .quadrature_np import _check_cov_np, _expect1_np, _expect2_np

_WHICH = ("phi", "phi2", "dphi", "dphi2")


class _GaussianExpectations:
    """The Gaussian expectations of an activation, mixed into
    :class:`~freealg.activations.Activation` (which supplies ``name``, ``params``,
    ``breakpoints``, ``piecewise_linear``, the numpy/mpmath callables and the
    closed forms)."""

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
        at the kinks of ``phi`` and at ``h = 0, ±0.5, ±1, ±2, ±4, ±7, ±12, ±20`` (and
        ``±28, ±40`` where ``phi'`` still changes beyond ``|h| = 20``, as for
        sigmoid and silu).  Accuracy
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
                ell = _h_scale(self)
                far = _slow_tails(self, ell)
                if ell == 1.0:
                    out = _expect1_np(fun, q, self.breakpoints, far)
                else:   # E g(√q Z) = E g(ℓ √(q/ℓ²) Z): the rules' panels on g(ℓ ·)
                    out = _expect1_np(lambda y: fun(ell * y), q / (ell * ell),
                                      tuple(b / ell for b in self.breakpoints), far)
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
        ``k <= 512``, and up to 2048 for the pairs still open), computed once
        per distinct variance, wherever its
        truncation bound ``|ρ|^{K+1} √(t(s11) t(s22))`` (Cauchy–Schwarz with
        the Parseval tails ``t(s) = E phi² − Σ_{k<=K} α_k²``) is below
        ``1e-13`` of the value; the remaining pairs (``|ρ|`` near 1 at large
        variance, kinks) by a conditional product rule ``u = √s11 z1``,
        ``v = a z1 + c z2`` with ``c = √(det/s11)`` accurate to a few ulps,
        composite Gauss–Legendre panels split where ``phi`` changes shape on
        its own scale and on the scale of the smoothed inner expectation (for
        a smooth ``phi`` and ``c <= 0.5`` the inner expectation by 20- and
        30-node Gauss–Hermite rules where the two agree to ``4e-16`` of the
        scale), and the exact 1-D integral at ``c = 0`` (``ρ = ±1``).  Measured against
        mpmath (tests/test_dnn_kernels.py) for tanh, gelu: relative error
        ``<= 1e-12`` (absolute, in units of ``√(E phi(u)² E phi(v)²)``, where
        the value is 0 or far below that scale) for variances ``1e-3 … 1e6`` and ``ρ`` up to 1;
        also sigmoid, silu, and a custom ``tanh(10 x)`` (the panels assume
        that ``phi`` changes shape on ``|h| ~ 1``; a custom expression whose
        functions have polynomial arguments with coefficients above 1 is
        integrated as ``phi(ℓ y)`` with the covariance in units of ``ℓ²``,
        ``ℓ`` a power of 2 read off those coefficients).
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
                    ell = _h_scale(self)
                    if ell == 1.0:
                        out = _expect2_np(f, s11, s12, s22, self.breakpoints, rho)
                    else:   # the covariance in units of ℓ² (exact: ℓ is a power of 2)
                        i2 = 1.0 / (ell * ell)
                        out = _expect2_np(lambda y: f(ell * y), s11 * i2, s12 * i2, s22 * i2,
                                          tuple(b / ell for b in self.breakpoints), rho)
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


@functools.lru_cache(maxsize=256)
def _h_scale_of(expr, symbol):
    k = 1.0
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, sp.Function):
            continue
        for arg in node.args:
            if not arg.has(symbol) or not arg.is_polynomial(symbol):
                continue
            for (j,), a in sp.Poly(arg, symbol).terms():
                if j >= 1 and a.is_number:
                    k = max(k, float(abs(a)) ** (1.0 / j))
    return 2.0 ** -math.ceil(math.log2(k)) if k > 1 else 1.0


def _h_scale(act):
    """The scale ``ℓ <= 1`` (a power of 2) on which the float rules integrate
    ``phi``: their panels assume that ``phi`` changes shape on ``|h| ~ 1``, as
    the named activations do; for a custom expression, ``2^-m`` with
    ``2^m >= |a_j|^(1/j)`` for every polynomial argument ``Σ a_j x^j`` of its
    functions (``tanh(10 x)``: 1/16), and the rules run on ``phi(ℓ y)`` with
    the variances in units of ``ℓ²``."""
    if act.name != "custom":
        return 1.0
    return _h_scale_of(act.expr, act.symbol)



def _slow_tails(act, ell=1.0):
    """Whether ``phi'(ell h)`` still changes by more than ``1e-13`` of its size
    between ``|h| = 20`` and ``|h| = 40`` (``e^{-|h|}`` tails: sigmoid, silu;
    polynomial growth), so that the 1-D rule must split its panels out to
    ``|h| = 40``; tanh (``e^{-2|h|}``) and gelu (Gaussian tails) do not.
    Cached on the activation (it depends on ``phi'`` and ``ell`` only)."""
    cache = act.__dict__.setdefault("_slow_tails_cache", {})
    if ell not in cache:
        h = ell * np.array([-40.0, -20.0, 20.0, 40.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
        with np.errstate(all="ignore"):
            d = np.asarray(act.dphi(h), dtype=float)
        change = max(abs(d[1] - d[0]), abs(d[3] - d[2]))
        cache[ell] = bool(not np.all(np.isfinite(d))
                          or change > 1e-13 * max(float(np.max(np.abs(d))), 1e-300))
    return cache[ell]
