r"""The continuous named laws: semicircle, free Poisson (Marchenko–Pastur),
Fuss–Catalan and arcsine (private; re-exported by :mod:`freealg.laws`).

Conventions as in :mod:`freealg.laws` (THEORY.md §1–§3).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .errors import InvalidArgumentError
from .laws import (
    W,
    Law,
    PointMass,
    _apply,
    _check_int,
    _exact,
    _f,
    _mp,
    _MPNS,
    _sign,
    _sqrt_pair,
)

__all__ = ["Semicircle", "MarchenkoPastur", "FussCatalan", "Arcsine"]


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
        from ._utils.mpctx import mpmath

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
        from ._utils.mpctx import mpmath

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
        from ._utils.mpctx import mpmath

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

    def _density_np(self, x):
        """float64 path: vectorised bisection for θ (x(θ) is decreasing)."""
        s = self.L + 1
        xx = np.asarray(x, dtype=float)
        edge = s**s / (s - 1) ** (s - 1)
        inside = (xx > 0) & (xx < edge)
        lo = np.zeros_like(xx)
        hi = np.full_like(xx, np.pi / s)
        for _ in range(60):
            mid = (lo + hi) / 2
            with np.errstate(divide="ignore", invalid="ignore"):
                xm = np.sin(s * mid) ** s / (np.sin(mid) * np.sin((s - 1) * mid) ** (s - 1))
            up = xm > xx
            lo = np.where(up, mid, lo)
            hi = np.where(up, hi, mid)
        th = (lo + hi) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = (np.sin(th) ** 2 * np.sin((s - 1) * th) ** (s - 2)
                   / (np.pi * np.sin(s * th) ** (s - 1)))
        out = np.where(inside, rho, 0.0)
        return out[()] if out.ndim == 0 else out

    def density(self, x, dps=None):
        from ._utils.mpctx import mpmath

        if dps is None:
            return self._density_np(x)
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
        from ._utils.mpctx import mpmath

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
