r"""The infinite-depth limit of Jacobian spectra: free multiplicative
infinitely divisible laws on ``(0, ∞)``.

With orthogonal weights at criticality the law of ``J Jᵀ`` is a free
multiplicative product of ``L`` per-layer laws of mean 1,
``μ_{JJᵀ} = ⊠_ℓ ν̃_ℓ`` (``ν̃_ℓ`` the law of ``σ_w² φ'(h_ℓ)²``; docs/theory.md §5;
PSG).  For a fixed per-layer law its variance grows like ``L``
(``Var = L m_1² (μ_2/μ_1² − 1)``), so the spectrum has no limit.  It does have
one in the *scaling* where every layer is close to an isometry: ``ν̃ = ν̃_L``
with ``L (ν̃_L − δ_1)`` converging (the dynamical-isometry regime).  Then, by
the limit theorems for infinitesimal arrays (Bercovici–Voiculescu 1993,
Bercovici–Pata 1999), ``ν̃_L^{⊠L}`` converges to the ⊠-infinitely divisible
law with S-transform

    S(w) = exp(u(w)) / m,
    u(w) = −w [ v + Σ_j a_j (x_j − 1)² / (1 + w (1 − x_j)) ],

where ``m`` is the mean, ``v >= 0`` the *Gaussian* part (per-layer
fluctuations of vanishing size: ``v = lim L Var ν̃_L`` when the layer
fluctuations shrink) and ``a_j >= 0`` the rates of *jumps* to ``x_j``
(``L ν̃_L({x_j}) → a_j``; hard-tanh near ``q* = 0`` has ``D² = 0`` with
probability ``1 − p`` and ``L (1 − p) → a``: a jump to 0).  The formula is the
first-order expansion ``S_{ν̃}(w) = 1 − ∫ (x − 1)/(1 + w(1 − x)) d(ν̃ − δ_1)(x)
+ …`` summed over the layers, with the mean kept at 1.

:func:`depth_limit_law` returns that law: exact moments (Lagrange inversion of
``χ(w) = w S(w)/(1 + w)``), mean and variance (``m²(v + Σ a_j (x_j − 1)²)``),
and the certified density of the functional-equation engine
(:func:`freealg.functional.free_mul_law`).

Examples
--------
Pure Gaussian part ``v``: ``m_n = (1/n) Σ_k C(n, k) (n v)^{n−1−k}/(n−1−k)!``,
so ``m_2 = 1 + v`` and ``m_3 = 1 + 3v + 3v²/2``:

>>> from freealg.dnn.depth_limit import depth_limit_law
>>> depth_limit_law(v=1).moments(3)
[1, 2, 11/2]
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from ..laws.interface import LawMethods
from .._utils.numbers import to_mpf, to_sympy
from .._utils.validate import MAX_MOMENT_ORDER, check_int, check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["DepthLimitLaw", "depth_limit_law"]


def _num(value, name, *, positive=False):
    """A finite real as a sympy number: exact input stays exact, a float a Float."""
    check_real(value, name, positive=positive, nonnegative=not positive)
    return to_sympy(value, name)


def _mp(x):
    """A sympy number as an mpmath number at the working precision."""
    return to_mpf(x)


class _Kernel:
    """The factor handed to the functional engine: the S-transform in closed
    form (sympy-capable), exact moments, no atoms."""

    def __init__(self, law):
        self._law = law

    def s_transform(self, w):
        return self._law.s_transform(w)

    def moments(self, n):
        return self._law.moments(n)

    def atoms(self):
        return []

    def cauchy(self, z):  # the engine uses s_transform; this factor has no other form
        raise NotImplementedError("the depth-limit law enters through its S-transform")


class DepthLimitLaw(LawMethods):
    r"""A free multiplicative infinitely divisible law on ``(0, ∞)`` with
    ``S(w) = exp(u(w))/m``, ``u(w) = −w [v + Σ_j a_j (x_j − 1)²/(1 + w(1 − x_j))]``
    (module docstring).  Build it with :func:`depth_limit_law`.

    Attributes
    ----------
    v : sympy number
        Gaussian part.
    jumps : tuple of (x, a)
        Jump locations and rates.
    mean_value : sympy number
        ``m``.

    Parameters
    ----------
    v : sympy number >= 0
        Gaussian part.
    jumps : tuple of (sympy number, sympy number)
        ``(x_j, a_j)`` pairs: jump locations ``x_j >= 0``, ``x_j != 1``, and
        rates ``a_j > 0``.
    mean : sympy number > 0
        The mean ``m``.

    Raises
    ------
    InvalidArgumentError
        ``v < 0``, ``mean <= 0``, a jump at ``x = 1``, a negative location or
        rate, or a non-finite number.
    InvalidArgumentTypeError
        Non-numeric parameters, or ``jumps`` not a sequence of pairs.

    Examples
    --------
    >>> import sympy
    >>> from freealg.dnn import DepthLimitLaw
    >>> law = DepthLimitLaw(sympy.Integer(1), (), sympy.Integer(2))   # = depth_limit_law(v=1, mean=2)
    >>> law.moments(2), law.variance()                  # m_2 = m²(1 + v), Var = m² v
    ([2, 8], 4)
    """

    def __init__(self, v, jumps, mean):
        v, jumps, mean = _check_args(v, jumps, mean)
        self.v = v
        self.jumps = jumps
        self.mean_value = mean
        self._moments = []
        self._engine = None

    def __repr__(self):
        j = ", ".join(f"({x}, {a})" for x, a in self.jumps)
        return f"DepthLimitLaw(v={self.v}, jumps=[{j}], mean={self.mean_value})"

    # -- transforms ---------------------------------------------------------------
    def _u(self, w):
        tot = self.v
        for x, a in self.jumps:
            tot = tot + a * (x - 1) ** 2 / (1 + w * (1 - x))
        return -w * tot

    def s_transform(self, w):
        r"""``S(w) = exp(u(w))/m`` at ``w`` (a sympy symbol or number, an
        mpmath number, or a numpy array).

        Parameters
        ----------
        w : sympy expression, mpmath number, or complex/real array_like
            Where to evaluate.

        Returns
        -------
        sympy expression, mpmath number or numpy complex array
            In the kind of ``w`` (numbers and arrays give complex128).

        Raises
        ------
        TypeError
            A ``w`` that numpy cannot convert to complex (e.g. a string).

        Examples
        --------
        Pure Gaussian part ``v = 1``: ``S(w) = exp(−w)``:

        >>> import sympy
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> law = depth_limit_law(v=1)
        >>> law.s_transform(sympy.Symbol("w"))
        exp(-w)
        >>> complex(law.s_transform(0.5)) == complex(sympy.exp(-0.5))
        True
        """
        if isinstance(w, sympy.Basic):
            return sympy.exp(self._u(w)) / self.mean_value
        if type(w).__module__.startswith("mpmath"):
            from .._utils.mpctx import mpmath

            tot = _mp(self.v)
            for x, a in self.jumps:
                tot += _mp(a) * (_mp(x) - 1) ** 2 / (1 + w * (1 - _mp(x)))
            return mpmath.exp(-w * tot) / _mp(self.mean_value)
        ww = np.asarray(w, dtype=complex)
        tot = float(self.v) + 0 * ww
        for x, a in self.jumps:
            tot = tot + float(a) * (float(x) - 1) ** 2 / (1 + ww * (1 - float(x)))
        return np.exp(-ww * tot) / float(self.mean_value)

    # -- moments ------------------------------------------------------------------
    def _series_u(self, n):
        """Coefficients ``g_0..g_n`` of ``−u(w)`` (``g_0 = 0``)."""
        g = [sympy.Integer(0)] * (n + 1)
        for k in range(n):  # −u = w [v + Σ a_j d_j² Σ_k (−(1 − x_j))^k w^k]
            c = self.v if k == 0 else sympy.Integer(0)
            for x, a in self.jumps:
                c = c + a * (x - 1) ** 2 * (-(1 - x)) ** k
            g[k + 1] = c
        return g

    def moments(self, n):
        r"""Moments ``m_1..m_n``, exact for exact parameters: by Lagrange
        inversion, ``m_n = (m^n / n) [w^{n−1}] (1 + w)^n exp(−n u(w))``.

        Parameters
        ----------
        n : int, 1 <= n <= 2000
            Number of moments.

        Returns
        -------
        list of sympy numbers
            ``[m_1, …, m_n]`` (sympy Floats for float parameters).

        Raises
        ------
        InvalidArgumentTypeError
            A non-integer ``n``.
        InvalidArgumentError
            ``n < 1``.
        TooLargeError
            ``n > 2000``.

        Examples
        --------
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> depth_limit_law(jumps=[(0, 1)]).moments(3)    # a jump to 0 at rate 1
        [1, 2, 9/2]
        """
        n = check_int(n, "n", minimum=1, maximum=MAX_MOMENT_ORDER,
                      hint="exact moment series are computed up to that order")
        if len(self._moments) < n:
            g = self._series_u(n)
            out = []
            for k in range(1, n + 1):
                # e = exp(k g) to order k − 1: e_0 = 1, e_j = (1/j) Σ_i i (k g_i) e_{j−i}
                e = [sympy.Integer(1)] + [sympy.Integer(0)] * (k - 1)
                for j in range(1, k):
                    e[j] = sum((i * k * g[i] * e[j - i] for i in range(1, j + 1)),
                               sympy.Integer(0)) / j
                coef = sum((sympy.binomial(k, i) * e[k - 1 - i] for i in range(0, k)),
                           sympy.Integer(0))
                out.append(self.mean_value ** k * coef / k)
            self._moments = out
        return list(self._moments[:n])

    def mean(self):
        """``m``.

        Returns
        -------
        sympy number
            The mean (exact for exact input).

        Examples
        --------
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> depth_limit_law(v=1, mean=3).mean()
        3
        """
        return self.mean_value

    def variance(self):
        r"""``m² (v + Σ_j a_j (x_j − 1)²)`` (``S'(0)/S(0) = −(v + Σ a_j (x_j − 1)²)``).

        Returns
        -------
        sympy number
            The variance (exact for exact input).

        Examples
        --------
        ``m = 2``, ``v = 1/2`` and a jump to 3 at rate 1: ``4 (1/2 + 4) = 18``:

        >>> from fractions import Fraction
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> depth_limit_law(v=Fraction(1, 2), jumps=[(3, 1)], mean=2).variance()
        18
        """
        tot = self.v + sum((a * (x - 1) ** 2 for x, a in self.jumps), sympy.Integer(0))
        return self.mean_value ** 2 * tot

    # -- numerics (functional engine) ----------------------------------------------
    def _law(self):
        if self._engine is None:
            from ..density.subordination import free_mul_law

            self._engine = free_mul_law([_Kernel(self)], powers=[1])
        return self._engine

    def atoms(self):
        """``[]``: a ⊠-infinitely divisible law on ``(0, ∞)`` has no atom.

        Returns
        -------
        list
            Always empty.

        Examples
        --------
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> depth_limit_law(v=1).atoms()
        []
        """
        return []

    def cauchy(self, z):
        """``G(z)`` (functional-equation engine).

        Parameters
        ----------
        z : complex or array_like of complex
            Evaluation points, ``z != 0`` (``Im z < 0`` by conjugation; real
            ``z`` gives the boundary value ``G(x + i0)``).

        Returns
        -------
        numpy.ndarray of complex
            ``G(z) = ∫ dμ(x)/(z − x)``, of the shape of ``z``.

        Raises
        ------
        InvalidArgumentTypeError
            A non-numeric ``z``.
        InvalidArgumentError
            A non-finite ``z`` or ``z = 0``.
        ConvergenceError
            Where the numerical continuation fails.

        Examples
        --------
        Total mass 1: ``z G(z) → 1`` far away:

        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> G = depth_limit_law(v=1).cauchy(1e6)
        >>> bool(abs(G * 1e6 - 1) < 1e-5)
        True
        """
        return self._law().cauchy(z)

    def density(self, x, **kwargs):
        """Certified density (:meth:`freealg.functional.FreeMulLaw.density`).

        Parameters
        ----------
        x : real or array_like of reals
            Grid points.
        **kwargs
            ``dps`` (None or 15..1000, mpmath polishing), ``strict`` (bool,
            default True), ``n_moments`` (0..200, default 8), ``mass_tol``
            (default 1e-9), ``moment_tol`` (default 1e-8).

        Returns
        -------
        DensityResult
            ``density``, ``atoms``, ``support`` and ``evidence``.

        Raises
        ------
        CertificationError
            A check of the evidence fails and ``strict`` is true.
        InvalidArgumentTypeError
            A non-numeric ``x`` or a non-bool ``strict``.
        InvalidArgumentError
            An empty or non-finite ``x``, or bad tolerances.
        TooLargeError
            ``dps > 1000`` or ``n_moments > 200``.

        Examples
        --------
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> res = depth_limit_law(v=1).density([1.0])
        >>> bool(res.evidence.ok), bool(res.density[0] > 0)
        (True, True)
        """
        return self._law().density(x, **kwargs)

    def support(self):
        """Support intervals (:meth:`freealg.functional.FreeMulLaw.support`).

        Returns
        -------
        list of (float, float)
            Intervals where the density is certifiably positive at double
            precision (the law lives on ``(0, ∞)``).

        Examples
        --------
        >>> from freealg.dnn.depth_limit import depth_limit_law
        >>> [(round(a, 6), round(b, 6)) for a, b in depth_limit_law(v=1).support()]
        [(0.075739, 4.857178)]
        """
        return self._law().support()


def depth_limit_law(v=0, jumps=(), mean=1):
    r"""The infinite-depth limit of ``⊠_{ℓ≤L} ν̃_L`` when ``L (ν̃_L − δ_1)``
    converges: the ⊠-infinitely divisible law with
    ``S(w) = exp(−w [v + Σ_j a_j (x_j − 1)²/(1 + w(1 − x_j))]) / m``
    (module docstring).

    Parameters
    ----------
    v : real >= 0
        Gaussian part: ``lim L Var ν̃_L`` for per-layer fluctuations that
        shrink to 0 (smooth activations as ``q* → 0``).
    jumps : sequence of (x, a)
        Jumps of the per-layer law away from 1: ``L ν̃_L({x}) → a`` with
        ``x >= 0``, ``x != 1``, ``a >= 0`` (hard-tanh near ``q* = 0``: ``x = 0``,
        ``a = lim L (1 − p)``).
    mean : real > 0
        The mean ``m`` (the product of the layers' means; 1 at criticality).

    Returns
    -------
    DepthLimitLaw

    Raises
    ------
    InvalidArgumentError
        A negative ``v`` or rate, a jump at 1 (that is no jump), a negative
        location, a non-positive mean.
    InvalidArgumentTypeError
        ``jumps`` not a sequence of pairs.

    Examples
    --------
    Jumps to 0 at rate 1 (hard-tanh layers switched off with probability
    ``1/L``): mean 1, variance ``1 · (0 − 1)² = 1``:

    >>> from freealg.dnn.depth_limit import depth_limit_law
    >>> law = depth_limit_law(jumps=[(0, 1)])
    >>> law.mean(), law.variance(), law.moments(4)
    (1, 1, [1, 2, 9/2, 32/3])
    """
    return DepthLimitLaw(v, jumps, mean)


def _check_args(v, jumps, mean):
    """``(v, jumps, m)`` converted and validated (zero-rate jumps dropped)."""
    v = _num(v, "v")
    m = _num(mean, "mean", positive=True)
    if isinstance(jumps, (str, bytes, dict)) or not hasattr(jumps, "__iter__"):
        raise InvalidArgumentTypeError(
            f"jumps must be a sequence of (location, rate) pairs; got {describe(jumps)} of type "
            f"{type(jumps).__name__}")
    out = []
    for i, item in enumerate(jumps):
        if isinstance(item, (str, bytes)) or not hasattr(item, "__len__") or len(item) != 2:
            raise InvalidArgumentTypeError(
                f"jumps[{i}] must be a pair (location x, rate a); got {describe(item)}")
        x = _num(item[0], f"jumps[{i}] location")
        a = _num(item[1], f"jumps[{i}] rate")
        if x == 1:
            raise InvalidArgumentError(
                f"jumps[{i}] is at x = 1, which is no jump (the layers' mean); put small "
                "fluctuations around 1 into the Gaussian part v")
        if a != 0:
            out.append((x, a))
    return v, tuple(out), m
