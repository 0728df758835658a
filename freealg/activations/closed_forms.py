"""Closed forms of the Gaussian expectations of the named activations, in the
sympy/mpmath backends (1-D) and in numpy and the trigonometric backends (1-D and
2-D arc-cosine and arcsine kernels)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._utils.mpctx import mpmath
from ._numbers import _MpBackend, _np_erf
from .quadrature_np import _INV_SQRT_2PI, _sqrt_cov_det


def _closed_np(act, which, q):
    name = act.name
    if name == "linear":
        return {"phi": np.zeros_like(q), "phi2": q.copy(), "dphi": np.ones_like(q),
                "dphi2": np.ones_like(q)}[which]
    if name in ("relu", "leaky_relu"):
        a = float(act.params.get("slope", 0.0))
        return {
            "phi": (1 - a) * np.sqrt(q / (2 * np.pi)),
            "phi2": q * (1 + a * a) / 2,
            "dphi": np.full_like(q, (1 + a) / 2),
            "dphi2": np.full_like(q, (1 + a * a) / 2),
        }[which]
    if name == "hardtanh":
        if which == "phi":
            return np.zeros_like(q)
        pos = q > 0
        qp = np.where(pos, q, 1.0)
        p = _np_erf(1.0 / np.sqrt(2.0 * qp))
        if which in ("dphi", "dphi2"):
            return np.where(pos, p, 1.0)
        aa = 1.0 / np.sqrt(qp)
        val = qp * (p - 2.0 * aa * np.exp(-0.5 * aa * aa) * _INV_SQRT_2PI) + (1.0 - p)
        return np.where(pos, val, 0.0)
    if name == "erf":
        return {
            "phi": np.zeros_like(q),
            # 2q/(1 + 2q), (1 + 2q)^(-1/2), (1 + 4q)^(-1/2) rewritten so that
            # no intermediate overflows for q up to the float maximum
            "phi2": 2 / np.pi * np.arcsin(q / (0.5 + q)),
            "dphi": math.sqrt(2 / np.pi) / np.sqrt(0.5 + q),
            "dphi2": 2 / np.pi / np.sqrt(0.25 + q),
        }[which]
    return None


def _relu_pieces(s11, s12, s22, B):
    """Arc-cosine pieces k1 = E[relu(u) relu(v)], k0 = P(u > 0, v > 0), with
    θ = atan2(√det, s12) (det = s11 s22 − s12², accurate near ρ = ±1, where
    acos(ρ) would lose half the digits) and k1 = (√det + (π − θ) s12)/(2π);
    θ = π/2 when a variance is 0 (u or v is the constant 0)."""
    sdet = B.sqrt_det(s11, s12, s22, 0)
    if B is _NpTrig:
        theta = np.where((s11 > 0) & (s22 > 0), np.arctan2(sdet, s12), 0.5 * np.pi)
    else:
        theta = B.atan2(sdet, s12) if s11 * s22 > 0 else B.pi / 2
    k1 = (sdet + (B.pi - theta) * s12) / (2 * B.pi)
    k0 = (B.pi - theta) / (2 * B.pi)
    return k1, k0


class _NpTrig:
    num = staticmethod(float)
    sqrt = staticmethod(np.sqrt)
    atan2 = staticmethod(np.arctan2)
    sqrt_det = staticmethod(_sqrt_cov_det)
    pi = np.pi


def _closed2_generic(act, which, s11, s12, s22, rho, B):
    name = act.name
    if name == "linear":
        return s12 if which == "phi" else s12 * 0 + 1
    if name in ("relu", "leaky_relu"):
        a = act.params.get("slope", 0)
        a = B.num(a)
        k1, k0 = _relu_pieces(s11, s12, s22, B)
        if which == "phi":
            return a * s12 + (1 - a) ** 2 * k1
        return a + (1 - a) ** 2 * k0
    if name == "erf":
        # with D = (s11 + 1/2)(s22 + 1/2) − s12² (accurate near |ρ| = 1):
        # E[φφ] = (2/π) asin(s12/√((s11 + ½)(s22 + ½))) = (2/π) atan2(s12, √D),
        # E[φ'φ'] = (4/π)/√((1 + 2 s11)(1 + 2 s22) − 4 s12²) = (2/π)/√D
        sd = B.sqrt_det(s11, s12, s22, B.num(0.5))
        if which == "phi":
            return 2 / B.pi * B.atan2(s12, sd)
        return 2 / B.pi / sd
    return None


def _closed2_np(act, which, s11, s12, s22, rho):
    return _closed2_generic(act, which, s11, s12, s22, rho, _NpTrig)


class _MpTrig(_MpBackend):
    atan2 = staticmethod(mpmath.atan2)

    @staticmethod
    def sqrt_det(s11, s12, s22, shift):
        return mpmath.sqrt(max((s11 + shift) * (s22 + shift) - s12 * s12, 0))


_MPT = _MpTrig()


def _hardtanh_p(q, B):
    return B.erf(1 / B.sqrt(2 * q))


def _hardtanh_phi2(q, B):
    # E[h^2; |h| < 1] + P(|h| > 1), h = sqrt(q) z, a = 1/sqrt(q):
    # E[z^2; |z| < a] = erf(a/sqrt2) - 2 a pdf(a)
    p = _hardtanh_p(q, B)
    a = 1 / B.sqrt(q)
    pdf = B.exp(-a * a / 2) / B.sqrt(2 * B.pi)
    return q * (p - 2 * a * pdf) + (1 - p)


# -- the closed forms of the table in freealg.activations.named: each maps the
# parameters to {which: f(q, backend)} or to the law of phi'(h)^2


def _linear_closed(params):
    """Closed forms of linear: ``E[h] = 0``, ``E[h²] = q``, ``E[1] = 1``."""
    return {
        "phi": lambda q, B: 0 * q,
        "phi2": lambda q, B: q,
        "dphi": lambda q, B: 0 * q + 1,
        "dphi2": lambda q, B: 0 * q + 1,
    }


def _relu_closed(params):
    """Closed forms of relu and leaky_relu (slope ``a``, 0 for relu)."""
    a = params.get("slope", 0)

    def phi(q, B):
        return (1 - B.num(a)) * B.sqrt(q / (2 * B.pi))

    def phi2(q, B):
        return q * (1 + B.num(a) ** 2) / 2

    def dphi(q, B):
        return (1 + B.num(a)) / 2 + 0 * q

    def dphi2(q, B):
        return (1 + B.num(a) ** 2) / 2 + 0 * q

    return {"phi": phi, "phi2": phi2, "dphi": dphi, "dphi2": dphi2}


def _hardtanh_closed(params):
    """Closed forms of hardtanh.  For q = 0 the value is given separately
    (1/sqrt(q) blows up)."""
    def guard(f, at0):
        def g(q, B):
            if q == 0:
                return B.num(at0)
            return f(q, B)
        return g

    return {
        "phi": lambda q, B: 0 * q,
        "phi2": guard(_hardtanh_phi2, 0),
        "dphi": guard(_hardtanh_p, 1),
        "dphi2": guard(_hardtanh_p, 1),
    }


def _erf_closed(params):
    """Closed forms of erf (the arcsine kernel)."""
    return {
        "phi": lambda q, B: 0 * q,
        # E erf(u)erf(v) = (2/pi) asin(2 s12 / sqrt((1+2 s11)(1+2 s22)))
        "phi2": lambda q, B: 2 / B.pi * B.asin(2 * q / (1 + 2 * q)),
        # erf'(x) = (2/sqrt(pi)) exp(-x^2); E exp(-a h^2) = (1 + 2 a q)^(-1/2)
        "dphi": lambda q, B: 2 / B.sqrt(B.pi) / B.sqrt(1 + 2 * q),
        "dphi2": lambda q, B: 4 / B.pi / B.sqrt(1 + 4 * q),
    }


def _erf_dphi2_moment(q, k, B):
    """``E[erf'(h)^(2k)] = (4/π)^k (1 + 4kq)^(-1/2)``."""
    return (4 / B.pi) ** k / B.sqrt(1 + 4 * k * q)


def _linear_law(params):
    """Law of ``phi'(h)^2`` for linear: the point mass at 1."""
    return lambda q, B: [(1, B.num(1))]


def _relu_law(params):
    """Law of ``phi'(h)^2`` for relu: Bernoulli(1/2)."""
    return lambda q, B: [(0, B.num(Fraction(1, 2))), (1, B.num(Fraction(1, 2)))]


def _leaky_relu_law(params):
    """Law of ``phi'(h)^2`` for leaky_relu(a): ``a²`` or 1 with probability 1/2."""
    a = params["slope"]
    return lambda q, B: [(B.num(a) ** 2, B.num(Fraction(1, 2))),
                         (1, B.num(Fraction(1, 2)))]


def _hardtanh_law(params):
    """Law of ``phi'(h)^2`` for hardtanh: Bernoulli(p), ``p = erf(1/√(2q))``."""
    def law(q, B):
        if q == 0:
            return [(0, B.num(0)), (1, B.num(1))]
        p = _hardtanh_p(q, B)
        return [(0, 1 - p), (1, p)]
    return law
