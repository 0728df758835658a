r"""The number engine of the mean-field layer: floats (``dps=None``) or mpmath.

``_Eng`` evaluates Gaussian expectations of an activation in float64 (with
overflow detection, :class:`~freealg.errors.FloatRangeError`) or in mpmath at
``dps`` digits; ``_guarded`` re-raises a float overflow naming the network;
``_bracket_root`` refines a bracketed root (Illinois / bisection).  Shared by
:mod:`freealg.dnn.meanfield`, :mod:`freealg.dnn.kernels`, :mod:`freealg.dnn.kaa`,
:mod:`freealg.dnn.criticality` and :mod:`freealg.dnn.polynomials`.
"""

from __future__ import annotations

import functools
import math

from .._utils.mpctx import mpmath
import numpy as np

from .._utils.numbers import to_mpf
from .._utils.validate import check_dps, describe
from ..activations import FloatRangeError
from ..errors import ConvergenceError, InvalidArgumentTypeError


# ---------------------------------------------------------------------------
# number engine: floats (dps=None) or mpmath at dps digits
# ---------------------------------------------------------------------------


#: Smallest normal float64: a square below it has lost its relative precision.
_TINY = np.finfo(float).tiny

_FLOAT_RANGE_HINT = (
    "the float engine (dps=None) needs sigma_w**2 and sigma_b**2 to be normal floats "
    "(1.5e-154 <= sigma_w, sigma_b <= 1.3e154, or sigma_b = 0) and every variance q "
    "below ~1e308; pass dps=30 to compute with mpmath, which has no overflow"
)


def _range_error(net, detail, hint=_FLOAT_RANGE_HINT):
    return FloatRangeError(f"{net!r}: {detail}; {hint}")


def _guarded(fn):
    """Public mean-field functions: a float64 overflow anywhere below (a
    Python ``OverflowError`` or a :class:`FloatRangeError` from the
    activation's quadrature) is re-raised naming the network's parameters,
    never returned as inf/nan."""
    @functools.wraps(fn)
    def wrapper(net, *args, **kwargs):
        _check_net(net)
        try:
            return fn(net, *args, **kwargs)
        except FloatRangeError as exc:
            text = str(exc)
            if text.startswith(repr(net)):
                raise
            if _FLOAT_RANGE_HINT in text:
                raise FloatRangeError(f"{net!r}: {text}") from None
            raise _range_error(net, f"a float64 computation overflowed ({text})") from None
        except OverflowError as exc:
            raise _range_error(net, f"a float64 computation overflowed ({exc})") from None
    return wrapper


def _check_net(net):
    from .mlp import MLP

    if not isinstance(net, MLP):
        raise InvalidArgumentTypeError(
            f"net must be a freealg.MLP; got {describe(net)} of type {type(net).__name__}"
        )


class _Eng:
    def __init__(self, dps):
        dps = check_dps(dps)
        self.dps = None if dps is None else int(dps)
        self.mp = dps is not None

    def chk(self, v, net, what):
        """``v``, checked finite in float mode (mpmath has no overflow)."""
        if not self.mp and not math.isfinite(v):
            raise _range_error(net, f"{what} is {v} in float64")
        return v

    def square(self, v, net, name):
        """``v**2`` in the engine's kind; in float mode it must be 0 or a
        normal float (an overflow or an underflow is an error, not inf/0)."""
        x = self.num(v)
        if self.mp:
            return x * x
        x2 = x * x
        if not math.isfinite(x2) or (x != 0 and x2 < _TINY):
            raise _range_error(net, f"{name}**2 = {describe(v)}**2 is outside the normal float64 range")
        return x2

    def ctx(self):
        return mpmath.workdps(self.dps + 8) if self.mp else _Null()

    def num(self, v):
        if self.mp:
            return to_mpf(v, dps=self.dps)
        try:
            out = float(v)
        except OverflowError:  # a huge exact int or Fraction
            raise FloatRangeError(
                f"{describe(v)} is beyond the float64 range (~1.8e308); {_FLOAT_RANGE_HINT}"
            ) from None
        if not math.isfinite(out) and not isinstance(v, (float, np.floating)):
            # a finite but huge sympy number or mpf (a float inf is the documented
            # divergent q* and is compared, not computed with)
            raise FloatRangeError(
                f"{describe(v)} is beyond the float64 range (~1.8e308); {_FLOAT_RANGE_HINT}"
            )
        return out

    @property
    def inf(self):
        return mpmath.inf if self.mp else math.inf

    def log(self, v):
        return mpmath.log(v) if self.mp else math.log(v)

    def E(self, act, which, q):
        if self.mp:
            return act.gaussian_expectation(which, mpmath.mpf(q), dps=self.dps + 5)
        return float(act.gaussian_expectation_np(which, q))

    def E2(self, act, which, s11, s12, s22):
        if self.mp:
            return act.gaussian_expectation_2d(which, s11, s12, s22, dps=self.dps + 5)
        return float(act.gaussian_expectation_2d(which, s11, s12, s22))

    def E_fun(self, act, f_np, f_mp, q):
        from ..activations import gaussian_expectation
        from ..activations._numbers import _finite_np
        from ..activations.quadrature_np import _expect1_np
        if self.mp:
            return gaussian_expectation(f_mp, mpmath.mpf(q), dps=self.dps + 5, breakpoints=act.breakpoints)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            out = _expect1_np(f_np, np.asarray(q, dtype=float), act.breakpoints)
        return float(_finite_np(out, f"a Gaussian expectation for {act!r}", q))

    def done(self, v, *, allow_inf=False):
        """The result in the engine's kind.  ``allow_inf`` only where +inf is
        a documented answer (a divergent q*, an infinite depth scale); a NaN
        or an unexpected infinity is an error in both kinds."""
        if self.mp:
            with mpmath.workdps(self.dps):
                out = +v
            ok = mpmath.isfinite(out) or (allow_inf and out == mpmath.inf)
        else:
            out = float(v)
            ok = math.isfinite(out) or (allow_inf and out == math.inf)
        if not ok:
            raise FloatRangeError(f"a mean-field result is {out}; {_FLOAT_RANGE_HINT}")
        return out

    def xtol(self, x):
        if self.mp:
            return mpmath.mpf(10) ** (-(self.dps + 4)) * max(abs(x), mpmath.mpf(10) ** (-self.dps))
        return 4e-16 * max(abs(x), 1e-300)


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _bracket_root(g, a, fa, b, fb, eng, maxit=400):
    """Root of g in [a, b] with fa*fb <= 0: Illinois steps, with a bisection
    whenever the bracket fails to halve over two steps."""
    if fa == 0:
        return a
    if fb == 0:
        return b
    if fa * fb > 0:
        raise ConvergenceError(f"internal: no sign change on [{a}, {b}]")
    width_old = abs(b - a)
    side = 0
    for it in range(maxit):
        if abs(b - a) <= eng.xtol(b):
            break
        if it % 3 == 2 and abs(b - a) > width_old / 2:
            c = (a + b) / 2
            width_old = abs(b - a)
        else:
            c = (a * fb - b * fa) / (fb - fa)
            if not (min(a, b) < c < max(a, b)):
                c = (a + b) / 2
        fc = g(c)
        if fc == 0:
            return c
        if fc * fb < 0:
            a, fa = b, fb
            b, fb = c, fc
            side = 0
        else:
            b, fb = c, fc
            if side == 1:
                fa = fa / 2
            side = 1
    return b if abs(fb) <= abs(fa) else a


def _sig(net, eng):
    return eng.square(net.sigma_w, net, "sigma_w"), eng.square(net.sigma_b, net, "sigma_b")


def _check_q_in(q_in, name="q_in"):
    """A variance >= 0 (the shared checker, via the activations module)."""
    from ..activations._numbers import _check_q
    _check_q(q_in, name)
    return q_in


_KERNEL_HINT = ("the kernels are computed in float64: keep sigma_w**2 and sigma_b**2 normal "
                "floats (1.5e-154 <= sigma_w, sigma_b <= 1.3e154) and every Sigma^l below "
                "~1e308 (fewer layers, a smaller sigma_w in the chaotic phase, or rescaled "
                "inputs)")


def _sig_float(net):
    try:
        return _sig(net, _Eng(None))
    except FloatRangeError as exc:
        detail = str(exc).split("; the float engine")[0]
        raise FloatRangeError(f"{detail}; {_KERNEL_HINT}") from None
