"""Numeric adapters of the elementary factor laws (private).

The numeric side of a law for the functional-equation engine
(:func:`freealg.functional.free_mul_law`) and the one-sample FIM solver:
vectorised Cauchy transforms and S-transforms of atomic, Bernoulli,
point-mass and Marchenko–Pastur factors, the float/mpmath conversion of exact
numbers used in their inner loops, and the shared Cauchy-sum kernels.  The
smooth ``ν`` factor is in :mod:`freealg.dnn._smooth_factor`; the dispatcher
:func:`freealg.dnn._spectra.numeric_factor` picks the adapter.
"""

from __future__ import annotations

import numpy as np
import sympy

from .._utils.symbolic import sympify_safe
from ..errors import InvalidArgumentError
from .._utils.numbers import to_float, to_mpf


def _is_mp(w):
    return type(w).__module__.startswith("mpmath")


_NUM_CACHE = {}
_MP_CACHE = {}


def _num(v, w):
    """Exact number ``v`` as a float, or as mpmath when ``w`` is mpmath
    (float conversions cached: the engines call this in their inner loops)."""
    if _is_mp(w):
        from .._utils.mpctx import mpmath

        key = (v, mpmath.mp.prec)  # sympy.N costs ~0.1 ms: cached per precision
        try:
            return _MP_CACHE[key]
        except (KeyError, TypeError):
            out = to_mpf(v)
            if len(_MP_CACHE) < 4096:
                try:
                    _MP_CACHE[key] = out
                except TypeError:
                    pass
            return out
    try:
        return _NUM_CACHE[v]
    except (KeyError, TypeError):
        f = to_float(v)
        if len(_NUM_CACHE) < 4096:
            try:
                _NUM_CACHE[v] = f
            except TypeError:
                pass
        return f


EPS = float(np.finfo(float).eps)


class _AtomicFactor:
    """Finitely many atoms: ``G(z) = Σ m/(z − a)`` (no closed S in general)."""

    def __init__(self, law):
        self.law = law
        self._atoms = [(a, m) for a, m in law.atoms() if m != 0]
        self.points = np.array([to_float(a) for a, _ in self._atoms])
        self.masses = np.array([to_float(m) for _, m in self._atoms])

    def moments(self, n):
        return self.law.moments(n)

    def atoms(self):
        return list(self._atoms)

    def cauchy(self, z):
        z = np.asarray(z, complex)
        out = np.zeros_like(z)
        with np.errstate(all="ignore"):
            for a, m in zip(self.points, self.masses):
                out = out + m / (z - a)
        return out

    def cauchy_derivative(self, z):
        z = np.asarray(z, complex)
        out = np.zeros_like(z)
        with np.errstate(all="ignore"):
            for a, m in zip(self.points, self.masses):
                out = out - m / (z - a) ** 2
        return out

    def cauchy_and_derivative(self, z):
        return self.cauchy(z), self.cauchy_derivative(z)

    def cauchy_boundary(self, x):
        """``(G(x + i0), error)`` at real ``x``: the real sum ``Σ m/(x − a)``
        (infinite at an atom), error ``8 eps Σ |m/(x − a)|``."""
        x = np.asarray(x, float)
        G = np.zeros(x.shape, complex)
        tot = np.zeros(x.shape)
        with np.errstate(all="ignore"):
            for a, m in zip(self.points, self.masses):
                t = m / (x - a)
                G = G + t
                tot = tot + np.abs(t)
        return G, 8 * np.finfo(float).eps * tot

    def __repr__(self):
        return f"{type(self).__name__}({self.law!r})"


class _BernoulliFactor(_AtomicFactor):
    """Bernoulli(p): ``S(w) = (1 + w)/(p + w)``."""

    def __init__(self, law):
        super().__init__(law)
        self.p = law.p

    def s_transform(self, w):
        p = _num(self.p, w)
        return (1 + w) / (p + w)

    def s_transform_derivative(self, w):
        p = _num(self.p, w)
        return (p - 1) / (p + w) ** 2


class _PointFactor(_AtomicFactor):
    """δ_a: ``S = 1/a`` (no derivative method: it is 0)."""

    def __init__(self, law):
        super().__init__(law)
        self.a = law.parameters["a"]

    def s_transform(self, w):
        if isinstance(w, sympy.Basic):
            # the constant in closed form: the ⊠ engine then uses S' = 0
            # exactly instead of numerical differentiation
            return 1 / sympify_safe(self.a)
        a = _num(self.a, w)
        if _is_mp(w):
            return 1 / a + 0 * w
        return np.ones_like(np.asarray(w, complex)) / a


class _MPFactor:
    """Marchenko–Pastur ``MP(1, s)`` (the law of ``WᵀW``, Gaussian square
    layer): ``S(w) = 1/(s(1 + w))``."""

    def __init__(self, law):
        self.law = law
        lam = law.parameters["rate"]
        if lam != 1:
            raise InvalidArgumentError(f"only MP of rate 1 is used here; got {law!r}")
        self.s = law.parameters["jump"]
        self.sf = to_float(self.s)

    def moments(self, n):
        return self.law.moments(n)

    def atoms(self):
        return []

    def cauchy(self, z):
        z = np.asarray(z, complex) / self.sf
        with np.errstate(all="ignore"):
            g = (z - np.sqrt(z) * np.sqrt(z - 4)) / (2 * z)
        return g / self.sf

    def s_transform(self, w):
        s = _num(self.s, w)
        return 1 / (s * (1 + w))

    def s_transform_derivative(self, w):
        s = _num(self.s, w)
        return -1 / (s * (1 + w) ** 2)

    def __repr__(self):
        return f"_MPFactor({self.law!r})"


def _cauchy_sums(z, f, w):
    """``Σ w/(z − f)`` and ``−Σ w/(z − f)²`` for complex ``z`` (1-D) and real
    nodes ``f``, in real arithmetic (numpy's complex division and complex-by-real
    matrix products are several times slower)."""
    a = z.real[:, None] - f[None, :]
    b = z.imag[:, None]
    den = 1.0 / (a * a + b * b)
    ad = a * den
    g = ad @ w - 1j * (b[:, 0] * (den @ w))
    ad2 = ad * den
    dg = -(((a * ad2) - (b * b) * (den * den)) @ w) + 2j * (b[:, 0] * (ad2 @ w))
    return g, dg


def _cauchy_rows(z, F, W):
    """Row-wise ``Σ_k W_jk/(z_j − F_jk)`` and ``−Σ_k W_jk/(z_j − F_jk)²``."""
    a = z.real[:, None] - F
    b = z.imag[:, None]
    den = 1.0 / (a * a + b * b)
    ad = a * den
    g = (ad * W).sum(axis=1) - 1j * (b[:, 0] * (den * W).sum(axis=1))
    ad2 = ad * den
    dg = -(((a * ad2) - (b * b) * (den * den)) * W).sum(axis=1) + 2j * (b[:, 0] * (ad2 * W).sum(axis=1))
    return g, dg
