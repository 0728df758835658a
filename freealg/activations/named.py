"""The table of named activations.

One :class:`_Spec` per name: its aliases and parameters, ``phi`` and ``phi'`` as
sympy expressions, the numpy and mpmath callables, the kinks, and the closed
forms of ``E[phi]``, ``E[phi^2]``, ``E[phi']``, ``E[phi'^2]`` (and the law or the
moments of ``phi'(h)^2``) where they exist.
:func:`~freealg.activations.get_activation` looks names up in :data:`_SPECS`;
adding an activation is adding a row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from .._utils.mpctx import mpmath
from .._utils.validate import check_real
from ._numbers import _MP, _np_erf, _to_sympy
from .closed_forms import (
    _erf_closed,
    _erf_dphi2_moment,
    _hardtanh_closed,
    _hardtanh_law,
    _leaky_relu_law,
    _linear_closed,
    _linear_law,
    _relu_closed,
    _relu_law,
)


def _sigmoid_np(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _sigmoid_mp(x):
    return 1 / (1 + mpmath.exp(-x))


_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


def _dexpr_linear(x, p):
    return sp.Integer(1)


def _dexpr_relu(x, p):
    return sp.Piecewise((sp.Integer(1), x > 0), (sp.Integer(0), True))


def _dexpr_leaky(x, p):
    return sp.Piecewise((sp.Integer(1), x > 0), (p["slope"], True))


def _dexpr_hardtanh(x, p):
    return sp.Piecewise((sp.Integer(1), (x > -1) & (x < 1)), (sp.Integer(0), True))


def _dexpr_diff(name):
    def f(x, p):
        return sp.diff(_EXPR[name](x, p), x)
    return f


_EXPR = {
    "linear": lambda x, p: x,
    "relu": lambda x, p: sp.Max(0, x),
    "leaky_relu": lambda x, p: sp.Piecewise((x, x >= 0), (p["slope"] * x, True)),
    "hardtanh": lambda x, p: sp.Max(-1, sp.Min(1, x)),
    "tanh": lambda x, p: sp.tanh(x),
    "erf": lambda x, p: sp.erf(x),
    "sigmoid": lambda x, p: 1 / (1 + sp.exp(-x)),
    "silu": lambda x, p: x / (1 + sp.exp(-x)),
    "gelu": lambda x, p: x * (1 + sp.erf(x / sp.sqrt(2))) / 2,
}

_DEXPR = {
    "linear": _dexpr_linear,
    "relu": _dexpr_relu,
    "leaky_relu": _dexpr_leaky,
    "hardtanh": _dexpr_hardtanh,
    "tanh": lambda x, p: 1 - sp.tanh(x) ** 2,
    "erf": _dexpr_diff("erf"),
    "sigmoid": _dexpr_diff("sigmoid"),
    "silu": _dexpr_diff("silu"),
    "gelu": _dexpr_diff("gelu"),
}


def _check_slope(slope):
    """A finite real leaky_relu slope (the shared checker; exact kinds kept)."""
    slope = check_real(slope, "slope")
    if isinstance(slope, sp.Basic):
        slope = _to_sympy(slope)
    return slope


# -- numpy and mpmath callables of each named activation: params -> dict ----


def _linear_numerics(params):
    return dict(phi_np=lambda v: v.copy(), dphi_np=lambda v: np.ones_like(v),
                phi_mp=lambda v: v, dphi_mp=lambda v: mpmath.mpf(1))


def _relu_numerics(params):
    return dict(phi_np=lambda v: np.maximum(v, 0.0),
                dphi_np=lambda v: (v > 0).astype(float),
                phi_mp=lambda v: v if v > 0 else mpmath.mpf(0),
                dphi_mp=lambda v: mpmath.mpf(1) if v > 0 else mpmath.mpf(0))


def _leaky_relu_numerics(params):
    a = params["slope"]
    af = float(a)
    return dict(phi_np=lambda v: np.where(v >= 0, v, af * v),
                dphi_np=lambda v: np.where(v > 0, 1.0, af),
                phi_mp=lambda v: v if v >= 0 else _MP.num(a) * v,
                dphi_mp=lambda v: mpmath.mpf(1) if v > 0 else _MP.num(a))


def _hardtanh_numerics(params):
    return dict(phi_np=lambda v: np.clip(v, -1.0, 1.0),
                dphi_np=lambda v: ((v > -1) & (v < 1)).astype(float),
                phi_mp=lambda v: max(mpmath.mpf(-1), min(mpmath.mpf(1), v)),
                dphi_mp=lambda v: mpmath.mpf(1) if -1 < v < 1 else mpmath.mpf(0))


def _tanh_numerics(params):
    return dict(phi_np=np.tanh, dphi_np=lambda v: 1.0 / np.cosh(v) ** 2,
                phi_mp=mpmath.tanh, dphi_mp=lambda v: mpmath.sech(v) ** 2)


def _erf_numerics(params):
    return dict(phi_np=_np_erf, dphi_np=lambda v: _TWO_OVER_SQRTPI * np.exp(-v * v),
                phi_mp=mpmath.erf, dphi_mp=lambda v: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-v * v))


def _sigmoid_numerics(params):
    def ds_np(v):
        s = _sigmoid_np(v)
        return s * (1.0 - s)

    def ds_mp(v):
        s = _sigmoid_mp(v)
        return s * (1 - s)

    return dict(phi_np=_sigmoid_np, dphi_np=ds_np, phi_mp=_sigmoid_mp, dphi_mp=ds_mp)


def _silu_numerics(params):
    def dsilu_np(v):
        s = _sigmoid_np(v)
        return s * (1.0 + v * (1.0 - s))

    def dsilu_mp(v):
        s = _sigmoid_mp(v)
        return s * (1 + v * (1 - s))

    return dict(phi_np=lambda v: v * _sigmoid_np(v), dphi_np=dsilu_np,
                phi_mp=lambda v: v * _sigmoid_mp(v), dphi_mp=dsilu_mp)


def _gelu_numerics(params):
    def gelu_np(v):
        return 0.5 * v * (1.0 + _np_erf(v * _INV_SQRT2))

    def dgelu_np(v):
        return 0.5 * (1.0 + _np_erf(v * _INV_SQRT2)) + v * _INV_SQRT2PI * np.exp(-0.5 * v * v)

    def gelu_mp(v):
        return v * (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2

    def dgelu_mp(v):
        return (1 + mpmath.erf(v / mpmath.sqrt(2))) / 2 + v * mpmath.npdf(v)

    return dict(phi_np=gelu_np, dphi_np=dgelu_np, phi_mp=gelu_mp, dphi_mp=dgelu_mp)


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)


class _Spec:
    """One named activation.

    ``expr``/``dexpr`` map ``(x, params)`` to ``phi``/``phi'`` in sympy;
    ``numerics`` maps ``params`` to the numpy and mpmath callables; ``params``
    lists ``(name, default, checker)``; ``closed`` maps ``params`` to the closed
    forms ``{which: f(q, backend)}``; ``dphi2_law`` maps ``params`` to the law of
    ``phi'(h)^2`` (piecewise-linear activations); ``dphi2_moment`` is
    ``(q, k, backend) -> E[phi'(h)^(2k)]``.
    """

    name: str
    expr: Callable
    dexpr: Callable
    numerics: Callable
    aliases: tuple = ()
    params: tuple = ()
    breakpoints: tuple = ()
    piecewise_linear: bool = False
    positively_homogeneous: bool = False
    closed: Callable | None = None
    dphi2_law: Callable | None = None
    dphi2_moment: Callable | None = None

    def check_params(self, params):
        """The parameters with defaults filled in, each through its checker
        (the caller has rejected unknown names)."""
        return {p: check(params.get(p, default)) for p, default, check in self.params}

    def activation_kwargs(self, params):
        """Keyword arguments of :class:`~freealg.activations.Activation` for
        checked ``params``."""
        kw = dict(params=params, closed=self.closed(params) if self.closed else {},
                  dphi2_law=self.dphi2_law(params) if self.dphi2_law else None,
                  breakpoints=self.breakpoints, piecewise_linear=self.piecewise_linear,
                  positively_homogeneous=self.positively_homogeneous)
        if self.dphi2_moment is not None:
            kw["dphi2_moment"] = self.dphi2_moment
        kw.update(self.numerics(params))
        return kw


_TABLE = (
    _Spec("linear", _EXPR["linear"], _DEXPR["linear"], _linear_numerics,
          piecewise_linear=True, positively_homogeneous=True,
          closed=_linear_closed, dphi2_law=_linear_law),
    _Spec("relu", _EXPR["relu"], _DEXPR["relu"], _relu_numerics, breakpoints=(0,),
          piecewise_linear=True, positively_homogeneous=True,
          closed=_relu_closed, dphi2_law=_relu_law),
    _Spec("leaky_relu", _EXPR["leaky_relu"], _DEXPR["leaky_relu"], _leaky_relu_numerics,
          params=(("slope", 0.01, _check_slope),), breakpoints=(0,),
          piecewise_linear=True, positively_homogeneous=True,
          closed=_relu_closed, dphi2_law=_leaky_relu_law),
    _Spec("hardtanh", _EXPR["hardtanh"], _DEXPR["hardtanh"], _hardtanh_numerics,
          breakpoints=(-1, 1), piecewise_linear=True,
          closed=_hardtanh_closed, dphi2_law=_hardtanh_law),
    _Spec("tanh", _EXPR["tanh"], _DEXPR["tanh"], _tanh_numerics),
    _Spec("erf", _EXPR["erf"], _DEXPR["erf"], _erf_numerics,
          closed=_erf_closed, dphi2_moment=_erf_dphi2_moment),
    _Spec("sigmoid", _EXPR["sigmoid"], _DEXPR["sigmoid"], _sigmoid_numerics),
    _Spec("silu", _EXPR["silu"], _DEXPR["silu"], _silu_numerics, aliases=("swish",)),
    _Spec("gelu", _EXPR["gelu"], _DEXPR["gelu"], _gelu_numerics),
)

#: name -> its :class:`_Spec`
_SPECS = {spec.name: spec for spec in _TABLE}

#: Names accepted by :func:`get_activation` (``swish`` is an alias of ``silu``).
ACTIVATION_NAMES = tuple(spec.name for spec in _TABLE)
_ALIASES = {alias: spec.name for spec in _TABLE for alias in spec.aliases}
