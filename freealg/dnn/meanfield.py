r"""Mean-field theory of random deep networks (docs/theory.md §4; Poole et al. 2016).

For an :class:`~freealg.dnn.mlp.MLP` with activation ``phi``, weight scale
``σ_w`` and bias scale ``σ_b`` (Poole et al. 2016; Schoenholz et al. 2017;
Karakida–Akaho–Amari 2019).  ``Dz`` is the standard Gaussian measure and
``h ~ N(0, q)`` means ``h = √q z``.

* q-map (pre-activation variance ``q^ℓ = ‖h_ℓ‖²/n_ℓ``)::

      q^1 = σ_w² q_in + σ_b²,      q^ℓ = σ_w² ∫Dz phi(√q^{ℓ-1} z)² + σ_b²,

  with ``q_in = ‖x_0‖²/n_0``; ``q*`` is its limit (the fixed point reached
  from ``q^1``).
* ``χ = σ_w² ∫Dz phi'(√q* z)²``: ordered (χ < 1), critical (χ = 1, the
  edge of chaos), chaotic (χ > 1).
* c-map (two inputs at the fixed point): ``c ↦ (σ_w² ∫Dz_1Dz_2 phi(u_1)
  phi(u_2) + σ_b²)/q*`` with ``u_1 = √q* z_1``, ``u_2 = √q* (c z_1 +
  √(1−c²) z_2)``; its slope at ``c = 1`` is ``χ``.
* Depth scales (Schoenholz et al. 2017, eqs. 7–9): near the fixed points
  ``|q^ℓ − q*| ~ e^{−ℓ/ξ_q}`` and ``|c^ℓ − c*| ~ e^{−ℓ/ξ_c}`` with

      ξ_q^{-1} = −ln(χ_1 + σ_w² ∫Dz phi''(√q* z) phi(√q* z)),
      ξ_c^{-1} = −ln(σ_w² ∫Dz_1Dz_2 phi'(u_1*) phi'(u_2*)),

  where ``u*`` are taken at ``(q*, c*)``.  The first bracket is the slope of
  the q-map at ``q*``, computed without ``phi''`` by Stein's lemma as
  ``σ_w² E[h phi(h) phi'(h)]/q*``; the second is the slope of the c-map at
  ``c*`` (equal to ``χ`` in the ordered phase, where ``c* = 1``).
  Both are infinite when the slope is ``>= 1`` (at criticality ``ξ_c = ∞``).
* Backprop (gradient independence assumption): ``q̃^ℓ = Σ_i (∂f/∂h_{ℓ,i})²``
  for one output unit of ``f = h_L``: ``q̃^L = 1``,
  ``q̃^ℓ = q̃^{ℓ+1} σ_w² ∫Dz phi'(√q^ℓ z)²``.
* Karakida–Akaho–Amari (KAA) FIM for ``T`` inputs ``x(t)`` with i.i.d.
  ``N(0, 1)`` entries (so ``q̂^0 = 1``, ``q̂^0_st = 0``)::

      κ₁ = Σ_{ℓ=1}^L q̃^ℓ q̂^{ℓ-1} / (L−1),    κ₂ = Σ_{ℓ=1}^L q̃^ℓ_st q̂^{ℓ-1}_st / (L−1),
      λ_max ≈ (L − 1)((T − 1)/T κ₂ + κ₁/T) M,

  with ``q̂^ℓ = ‖x_ℓ(t)‖²/M``, ``q̂^ℓ_st = x_ℓ(s)·x_ℓ(t)/M`` (post-activation)
  and ``q̃^ℓ_st = Σ_i δ^ℓ_i(s) δ^ℓ_i(t)``.

Number kinds: every function takes ``dps``.  ``dps=None`` (default) computes
in floats with closed forms or vectorised Gauss–Legendre quadrature
(relative accuracy about ``1e-12``); an integer ``dps`` computes with mpmath
at that precision and returns ``mpmath.mpf``.  The float engine never returns
a value that overflowed: ``σ_w²`` and ``σ_b²`` must be normal floats
(``1.5e-154 <= σ_w, σ_b <= 1.3e154``, or ``σ_b = 0``) and every variance must
stay below about ``1e308``; otherwise a
:class:`~freealg.errors.FloatRangeError` (an ``InvalidArgumentError``)
names the network and suggests ``dps=30``, whose mpmath numbers have no
exponent limit.  The only infinities returned are documented ones: a
divergent ``q*`` (:func:`q_star`) and an infinite depth scale
(:func:`depth_scales`).  Two-input quantities (c-map,
``c*``, ``ξ_c``, KAA ``κ₂``) at an integer ``dps`` need 2-D quadrature: fast
for relu/leaky_relu/linear/erf (closed forms), seconds for hardtanh, and
10–100 s per expectation for the other smooth activations.  :func:`critical_sigma_w`
returns an exact sympy number for the positively homogeneous activations
(linear, relu, leaky_relu) at ``σ_b = 0``.
"""

from __future__ import annotations

import functools
import math
from collections import namedtuple

from .._utils.mpctx import mpmath
import numpy as np

from .._utils.validate import MAX_MOMENT_ORDER, check_dps, check_int, check_real, describe
from ..activations import FloatRangeError
from ..errors import ConvergenceError, InvalidArgumentError, InvalidArgumentTypeError

__all__ = [
    "q_map",
    "q_sequence",
    "qhat_sequence",
    "q_star",
    "chi",
    "phase",
    "c_map",
    "c_star",
    "depth_scales",
    "backprop_norms",
    "d2_moments",
    "d2_atoms",
]


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
            if hasattr(v, "numerator") and hasattr(v, "denominator") and not isinstance(v, (int, float)):
                return mpmath.mpf(int(v.numerator)) / int(v.denominator)
            try:
                return mpmath.mpf(v)
            except (TypeError, ValueError):
                import sympy
                return mpmath.mpf(sympy.N(v, self.dps + 10))
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


# ---------------------------------------------------------------------------
# q-map and fixed point
# ---------------------------------------------------------------------------


@_guarded
def q_map(net, q, *, dps=None):
    r"""``q ↦ σ_w² ∫Dz phi(√q z)² + σ_b²``.

    Parameters
    ----------
    net : MLP
        The network.
    q : real >= 0
        Pre-activation variance of the previous layer.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    float or mpmath.mpf
        The next layer's pre-activation variance.

    Raises
    ------
    InvalidArgumentError
        ``q < 0`` or not finite, ``dps < 1``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    ReLU: ``σ_w² q / 2 + σ_b²``:

    >>> import freealg
    >>> freealg.MLP(3, "relu", sigma_w=1.0, sigma_b=0.5).q_map(2.0)
    1.25
    """
    eng = _Eng(dps)
    _check_q_in(q, "q")
    with eng.ctx():
        sw2, sb2 = _sig(net, eng)
        return eng.done(sw2 * eng.E(net.activation, "phi2", eng.num(q)) + sb2)


@_guarded
def q_sequence(net, q_in, *, dps=None):
    r"""Pre-activation variances ``[q^1, …, q^L]`` from ``q_in = ‖x_0‖²/n_0``:
    ``q^1 = σ_w² q_in + σ_b²`` and ``q^ℓ = q_map(q^{ℓ−1})``.

    Parameters
    ----------
    net : MLP
        The network.
    q_in : real >= 0
        ``‖x_0‖²/n_0`` of the input.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    list of float or mpmath.mpf
        The ``L`` pre-activation variances.

    Raises
    ------
    InvalidArgumentError
        ``q_in < 0`` or not finite, ``dps < 1``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "relu", sigma_w=2.0, sigma_b=0.0).q_sequence(1.0)
    [4.0, 8.0, 16.0]
    """
    eng = _Eng(dps)
    _check_q_in(q_in)
    with eng.ctx():
        sw2, sb2 = _sig(net, eng)
        q = eng.chk(sw2 * eng.num(q_in) + sb2, net, f"q^1 (from q_in = {q_in!r})")
        out = [q]
        for ell in range(2, net.depth + 1):
            q = eng.chk(sw2 * eng.E(net.activation, "phi2", q) + sb2, net, f"q^{ell}")
            out.append(q)
        return [eng.done(v) for v in out]


@_guarded
def qhat_sequence(net, q_in, *, dps=None):
    r"""Post-activation second moments ``[q̂^0, …, q̂^L]``: ``q̂^0 = q_in``,
    ``q̂^ℓ = ∫Dz phi(√q^ℓ z)²`` (``q̂^ℓ = ‖x_ℓ‖²/n_ℓ`` in the wide limit).

    Parameters
    ----------
    net : MLP
        The network.
    q_in : real >= 0
        ``‖x_0‖²/n_0`` of the input.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    list of float or mpmath.mpf
        The ``L + 1`` post-activation second moments.

    Raises
    ------
    InvalidArgumentError
        ``q_in < 0`` or not finite, ``dps < 1``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(2, "relu", sigma_w=2.0).qhat_sequence(1.0)
    [1.0, 2.0, 4.0]
    """
    eng = _Eng(dps)
    qs = q_sequence(net, q_in, dps=dps)
    with eng.ctx():
        return [eng.done(eng.num(q_in))] + [eng.done(eng.E(net.activation, "phi2", eng.num(q))) for q in qs]


def _q_star(net, eng, q_in):
    act = net.activation
    sw2, sb2 = _sig(net, eng)
    q1 = eng.chk(sw2 * eng.num(q_in) + sb2, net, f"q^1 = sigma_w^2 q_in + sigma_b^2 (q_in = {q_in!r})")
    if act.positively_homogeneous:
        # the q-map is linear: q -> chi q + sigma_b^2
        c2 = eng.E(act, "dphi2", eng.num(1))
        ch = sw2 * c2
        tol = eng.num(1e-12) if not eng.mp else mpmath.mpf(10) ** (-eng.dps)
        if sb2 == 0 and abs(ch - 1) <= tol:
            return q1  # chi = 1 up to rounding (sigma_w = 2**0.5): every q is fixed
        if ch < 1:
            return sb2 / (1 - ch)
        if sb2 == 0 and q1 == 0:
            return q1
        return eng.inf

    def g(q):
        return sw2 * eng.E(act, "phi2", q) + sb2 - q

    # q = 0 is a fixed point when sigma_b = 0 and phi(0) = 0; it attracts when
    # the slope sigma_w^2 phi'(0)^2 is < 1 (or = 1 with the map below the diagonal)
    zero_attracts = False
    if sb2 == 0 and act.phi_mp(0) == 0:
        zero_attracts = sw2 * eng.num(act.qmap_slope_at_zero()) <= 1
    # below this q the quadrature's relative rounding (~1e-16 q) can flip the
    # sign of g = O(q^2) near a marginal zero fixed point
    floor = q1 * (eng.num(1e-10) if not eng.mp else mpmath.mpf(10) ** (-(eng.dps // 2 + 5)))
    g1 = g(q1)
    if g1 == 0:
        return q1
    if g1 < 0:
        # iterates decrease: largest root below q1; g(0) >= 0 always
        hi, ghi = q1, g1
        lo = q1 / 2
        noise = eng.num(1e-14) if not eng.mp else mpmath.mpf(10) ** (-(eng.dps + 2))
        for _ in range(80):
            if zero_attracts and lo < floor:
                return eng.num(0)
            glo = g(lo)
            # with q = 0 attracting, a positive fixed point must show a g >= 0
            # above rounding (hard-tanh at sigma_w = 1: g ~ -exp(-1/2q) underflows)
            if glo > (noise * lo if zero_attracts else 0) or (glo == 0 and not zero_attracts):
                return _bracket_root(g, lo, glo, hi, ghi, eng)
            hi, ghi = lo, glo
            lo = lo / 2
        g0 = g(eng.num(0))
        if g0 == 0:
            return eng.num(0)
        return _bracket_root(g, eng.num(0), g0, hi, ghi, eng)
    lo, glo = q1, g1
    hi = 2 * q1 if q1 > 0 else eng.num(1)
    for _ in range(60):
        ghi = g(hi)
        if ghi <= 0:
            return _bracket_root(g, lo, glo, hi, ghi, eng)
        lo, glo = hi, ghi
        hi = eng.chk(2 * hi, net, "the upper bracket of q* (the q-map is still above the "
                                  "diagonal beyond 1e308)")
    return eng.inf


@_guarded
def q_star(net, *, q_in=1, dps=None):
    r"""The fixed point ``q*`` of the q-map reached from ``q^1 = σ_w² q_in + σ_b²``.

    For the usual activations the stable fixed point is unique and
    ``q_in`` does not matter.  Special cases (documented answers):

    * positively homogeneous ``phi`` (linear, relu, leaky_relu): the q-map is
      ``q ↦ χ q + σ_b²``; ``q* = σ_b²/(1 − χ)`` for ``χ < 1``; ``q* = ∞``
      (returned as ``inf``) when ``χ >= 1`` and ``σ_b > 0`` (the variance
      grows without bound); at ``χ = 1, σ_b = 0`` (up to a relative rounding
      of ``1e-12``, so that ``σ_w = 2**0.5`` counts for relu) every ``q`` is
      fixed and ``q* = q^1``.
    * centred bounded ``phi`` with ``σ_b = 0`` in the ordered phase: ``q* = 0``.

    Raises :class:`~freealg.errors.FloatRangeError` when the float
    engine would overflow (e.g. ``σ_w = 1e300``, or a q-map that is still
    above the diagonal beyond ``1e308``); ``dps=30`` computes such cases.

    The q-map is assumed increasing (true for the named activations); the
    root is bracketed and refined by Illinois/bisection to full precision.
    When the q-map has several attractors the answer depends on ``q_in``:
    e.g. gelu or silu with ``σ_b = 0`` and ``σ_w² φ'(0)² < 1`` decay to
    ``q* = 0`` from small inputs and grow to ``∞`` from large ones.

    Parameters
    ----------
    net : MLP
        The network.
    q_in : real >= 0, optional
        Input ``‖x_0‖²/n_0`` the iteration starts from (default 1); it
        matters only when the q-map has several attractors.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    float or mpmath.mpf
        ``q*``; ``inf`` when the variance grows without bound.

    Raises
    ------
    InvalidArgumentError
        ``q_in < 0`` or not finite, ``dps < 1``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "relu", sigma_w=1.0, sigma_b=1.0).q_star()    # 1/(1 - 1/2)
    2.0
    >>> freealg.MLP(3, "tanh", sigma_w=0.9, sigma_b=0.0).q_star()
    0.0
    >>> round(freealg.MLP(3, "erf", sigma_w=2.0, sigma_b=0.0).q_star(), 10)
    2.5114980217
    """
    eng = _Eng(dps)
    _check_q_in(q_in)
    key = ("q_star", eng.dps, str(q_in))
    if key not in net._cache:
        with eng.ctx():
            # +inf is the documented answer for a variance growing without bound
            net._cache[key] = eng.done(_q_star(net, eng, q_in), allow_inf=True)
    return net._cache[key]


@_guarded
def chi(net, *, q=None, dps=None):
    r"""``χ = σ_w² ∫Dz phi'(√q z)²`` at ``q = q*`` (default) or a given ``q``.

    Parameters
    ----------
    net : MLP
        The network.
    q : real >= 0, optional
        Variance at which ``χ`` is evaluated; default ``q*``.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    float or mpmath.mpf
        ``χ`` (< 1 ordered, 1 critical, > 1 chaotic).

    Raises
    ------
    InvalidArgumentError
        ``q < 0`` or not finite, ``dps < 1``.
    ConvergenceError
        ``q = None`` and ``q*`` is infinite for an activation that is not
        positively homogeneous (``χ`` at the fixed point is undefined).
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> round(freealg.MLP(3, "relu", sigma_w=2 ** 0.5).chi(), 14)
    1.0
    >>> freealg.MLP(3, "hardtanh", sigma_w=1.0, sigma_b=0.0).chi()   # q* = 0
    1.0
    """
    eng = _Eng(dps)
    if q is None:
        q = q_star(net, dps=dps)
    else:
        _check_q_in(q, "q")
    with eng.ctx():
        sw2, _ = _sig(net, eng)
        act = net.activation
        qv = eng.num(q)
        if not (qv < eng.inf):
            if act.positively_homogeneous:
                qv = eng.num(1)
            else:
                raise ConvergenceError(
                    f"q* is infinite for {net!r} (the variance grows without bound from "
                    "q_in = 1): chi at the fixed point is undefined; pass q=..., or use "
                    "q_star(q_in=...) with a smaller input norm if another fixed point attracts"
                )
        return eng.done(sw2 * eng.E(act, "dphi2", qv))


@_guarded
def phase(net, *, tol=1e-9):
    """``'ordered'``, ``'critical'`` or ``'chaotic'`` by ``χ`` (float) with
    ``|χ − 1| <= tol`` read as critical.

    Parameters
    ----------
    net : MLP
        The network.
    tol : real >= 0, optional
        Tolerance on ``|χ − 1|`` (float ``χ``) read as critical; default ``1e-9``.

    Returns
    -------
    str
        ``'ordered'``, ``'critical'`` or ``'chaotic'``.

    Raises
    ------
    InvalidArgumentTypeError
        A non-numeric ``tol``.
    InvalidArgumentError
        ``tol < 0`` or not finite.
    ConvergenceError
        ``q*`` is infinite for an activation that is not positively
        homogeneous (``χ`` is undefined).
    FloatRangeError
        The float engine would overflow.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(2, "relu", sigma_w=1.0).phase(), freealg.MLP(2, "relu", sigma_w=2 ** 0.5).phase()
    ('ordered', 'critical')
    """
    check_real(tol, "tol", nonnegative=True)
    x = chi(net)
    if abs(x - 1) <= tol:
        return "critical"
    return "ordered" if x < 1 else "chaotic"


# ---------------------------------------------------------------------------
# c-map
# ---------------------------------------------------------------------------


def _c_map(net, eng, c, q):
    sw2, sb2 = _sig(net, eng)
    act = net.activation
    qn = sw2 * eng.E(act, "phi2", q) + sb2
    if qn == 0:
        raise InvalidArgumentError(
            "the c-map is undefined at q = 0 with sigma_b = 0 (both signals vanish); "
            "use sigma_b > 0 or a chaotic sigma_w"
        )
    return (sw2 * eng.E2(act, "phi", q, c * q, q) + sb2) / qn


@_guarded
def c_map(net, c, *, q=None, dps=None):
    r"""``c ↦ (σ_w² ∫Dz_1Dz_2 phi(u_1) phi(u_2) + σ_b²) / q'`` with
    ``u_1 = √q z_1``, ``u_2 = √q (c z_1 + √(1 − c²) z_2)`` and
    ``q' = q_map(q)`` (``= q*`` at the default ``q = q*``).

    Parameters
    ----------
    net : MLP
        The network.
    c : real in [-1, 1]
        Input correlation.
    q : real >= 0, optional
        Variance of both inputs; default ``q*``.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    float or mpmath.mpf
        The output correlation.

    Raises
    ------
    InvalidArgumentError
        ``c`` outside ``[-1, 1]``, ``q < 0``, ``q*`` infinite (pass
        ``q``), or ``q_map(q) = 0`` (``q = 0`` with ``σ_b = 0``).
    ConvergenceError
        ``q = None`` and ``q*`` is infinite for an activation that is not
        positively homogeneous.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    ReLU at ``σ_w² = 2, σ_b = 0`` (any ``q``): ``c ↦ (√(1−c²) + (π − arccos c) c)/π``;
    ``c = 0`` maps to ``1/π``:

    >>> import freealg
    >>> net = freealg.MLP(3, "relu", sigma_w=2 ** 0.5)
    >>> round(net.c_map(0.0, q=1.0), 15)
    0.318309886183791
    """
    eng = _Eng(dps)
    if not -1 <= float(check_real(c, "c")) <= 1:
        raise InvalidArgumentError(f"c is a correlation and must lie in [-1, 1]; got {c!r}")
    if q is None:
        q = q_star(net, dps=dps)
        if not (eng.num(q) < eng.inf):
            raise InvalidArgumentError(f"q* is infinite for {net!r}; pass q explicitly")
    else:
        _check_q_in(q, "q")
    with eng.ctx():
        return eng.done(_c_map(net, eng, eng.num(c), eng.num(q)))


def _c_star(net, eng, q, ch):
    # chi within rounding of 1 (e.g. relu with sigma_w = 2**0.5) is the critical
    # case, c* = 1, with the same tolerance _q_star uses for the critical line
    tol = eng.num(1e-12) if not eng.mp else mpmath.mpf(10) ** (-eng.dps)
    if ch <= 1 + tol:
        return eng.num(1)

    def g(c):
        return _c_map(net, eng, c, q) - c

    # largest root below 1: g < 0 just below 1 in the chaotic phase; g(0) >= 0
    hi = None
    for d in (1e-2, 1e-3, 1e-4, 1e-6):
        c = 1 - eng.num(d)
        gc = g(c)
        if gc < 0:
            hi, ghi = c, gc
            break
    if hi is None:  # pragma: no cover - chi > 1 guarantees g < 0 near 1
        raise ConvergenceError(f"could not bracket c* below 1 for {net!r} (chi = {ch})")
    grid = [eng.num(v) / 10 for v in range(9, -1, -1)]
    for c in grid:
        if c >= hi:
            continue
        gc = g(c)
        if gc >= 0:
            return _bracket_root(g, c, gc, hi, ghi, eng)
        hi, ghi = c, gc
    raise ConvergenceError(f"no fixed point of the c-map in [0, 1) for {net!r}")  # pragma: no cover


@_guarded
def c_star(net, *, dps=None):
    r"""The stable fixed point ``c*`` of the c-map at ``q*``.

    ``c* = 1`` in the ordered phase and at criticality (``χ <= 1``); in the
    chaotic phase the largest root of ``c_map(c) = c`` in ``[0, 1)`` (the
    attractor of iterates starting near 1), e.g. ``c* = 0`` for an odd
    ``phi`` with ``σ_b = 0``.

    Parameters
    ----------
    net : MLP
        The network.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    float or mpmath.mpf

    Raises
    ------
    InvalidArgumentError
        ``q*`` is infinite (no c-map fixed point), or ``dps < 1``.
    ConvergenceError
        ``q*`` is infinite for an activation that is not positively
        homogeneous (raised by :meth:`chi`).
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "tanh", sigma_w=0.8, sigma_b=0.1).c_star()
    1.0
    >>> freealg.MLP(3, "erf", sigma_w=2.0, sigma_b=0.0).c_star()
    0.0
    """
    eng = _Eng(dps)
    key = ("c_star", eng.dps)
    if key not in net._cache:
        q = q_star(net, dps=dps)
        ch = chi(net, dps=dps)
        if not (eng.num(q) < eng.inf):
            raise InvalidArgumentError(f"q* is infinite for {net!r}: no c-map fixed point")
        with eng.ctx():
            net._cache[key] = eng.done(_c_star(net, eng, eng.num(q), eng.num(ch)))
    return net._cache[key]


DepthScales = namedtuple("DepthScales", ["xi_q", "xi_c", "chi_q", "chi_c"])


@_guarded
def depth_scales(net, *, dps=None):
    r"""Depth scales ``(ξ_q, ξ_c)`` of Schoenholz et al. (module docstring).

    Parameters
    ----------
    net : MLP
        The network.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    DepthScales
        Named tuple ``(xi_q, xi_c, chi_q, chi_c)``: ``chi_q`` is the slope of
        the q-map at ``q*``, ``chi_c`` the slope of the c-map at ``c*``, and
        ``ξ = −1/ln(slope)`` (``inf`` when the slope is ``>= 1``, ``0`` when it
        is ``0``).

    Raises
    ------
    InvalidArgumentError
        ``dps < 1``.
    ConvergenceError
        ``q*`` is infinite for an activation that is not positively
        homogeneous.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    ReLU, ``σ_b > 0``: the q-map is linear with slope ``χ = σ_w²/2``:

    >>> import freealg, math
    >>> ds = freealg.MLP(3, "relu", sigma_w=1.0, sigma_b=0.3).depth_scales()
    >>> ds.chi_q, ds.chi_c
    (0.5, 0.5)
    >>> ds.xi_q == -1 / math.log(0.5)
    True
    """
    eng = _Eng(dps)
    q = q_star(net, dps=dps)
    ch = chi(net, dps=dps)
    cs = c_star(net, dps=dps) if eng.num(q) < eng.inf else None
    act = net.activation
    with eng.ctx():
        sw2, _ = _sig(net, eng)
        qv = eng.num(q)
        if act.positively_homogeneous:
            chi_q = eng.num(ch)
        elif qv == 0:
            chi_q = sw2 * eng.num(act.qmap_slope_at_zero())
        else:
            # Stein: d/dq E[phi(h)^2] = E[h phi(h) phi'(h)] / q
            ehpp = eng.E_fun(act, lambda h: h * act.phi(h) * act.dphi(h),
                             lambda h: h * act.phi_mp(h) * act.dphi_mp(h), qv)
            chi_q = sw2 * ehpp / qv
        if cs is None or eng.num(cs) == 1:
            chi_c = eng.num(ch)
        else:
            chi_c = sw2 * eng.E2(act, "dphi", qv, eng.num(cs) * qv, qv)

        def xi(s):
            if s >= 1:
                return eng.inf
            if s <= 0:
                return eng.num(0)
            return -1 / eng.log(s)

        # xi = +inf (slope >= 1) is documented
        return DepthScales(eng.done(xi(chi_q), allow_inf=True), eng.done(xi(chi_c), allow_inf=True),
                           eng.done(chi_q), eng.done(chi_c))


# ---------------------------------------------------------------------------
# backprop
# ---------------------------------------------------------------------------


def _layer_qs(net, eng, q_in):
    """Pre-activation variances q^1..q^L (at q* if q_in is None)."""
    if q_in is None:
        qs = q_star(net, dps=eng.dps)
        if not (eng.num(qs) < eng.inf):
            raise InvalidArgumentError(
                f"q* is infinite for {net!r}; pass q_in to follow the finite-depth sequence"
            )
        return [eng.num(qs)] * net.depth
    return [eng.num(v) for v in q_sequence(net, q_in, dps=eng.dps)]


@_guarded
def backprop_norms(net, *, q_in=None, dps=None):
    r"""Gradient norms ``[q̃^1, …, q̃^L]`` (Schoenholz et al. 2017).

    ``q̃^ℓ = Σ_i (∂f/∂h_{ℓ,i})²`` for one output unit of ``f = h_L`` (so
    ``q̃^L = 1``), and ``q̃^ℓ = q̃^{ℓ+1} σ_w² ∫Dz phi'(√q^ℓ z)²`` under the
    gradient independence assumption.  ``q^ℓ`` is the forward variance from
    ``q_in`` (``None``: every layer at ``q*``, then ``q̃^ℓ = χ^{L−ℓ}``).

    Parameters
    ----------
    net : MLP
        The network.
    q_in : real >= 0, optional
        Follow the forward variances from this input ``‖x_0‖²/n_0``;
        default ``None``: every layer at ``q*`` (then ``q̃^ℓ = χ^{L−ℓ}``).
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    list of float or mpmath.mpf
        The ``L`` squared gradient norms, last one 1.

    Raises
    ------
    InvalidArgumentError
        ``q_in < 0``; ``q_in=None`` with ``q*`` infinite (pass ``q_in``);
        ``dps < 1``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-numeric argument or a
        non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    FloatRangeError
        The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
        or a variance beyond ``1e308``); pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(4, "relu", sigma_w=1.0).backprop_norms()
    [0.125, 0.25, 0.5, 1.0]
    """
    eng = _Eng(dps)
    with eng.ctx():
        qs = _layer_qs(net, eng, q_in)
        sw2, _ = _sig(net, eng)
        out = [eng.num(1)]
        for ell in range(net.depth - 1, 0, -1):
            out.append(out[-1] * sw2 * eng.E(net.activation, "dphi2", qs[ell - 1]))
        return [eng.done(v) for v in reversed(out)]


# ---------------------------------------------------------------------------
# the law of D^2
# ---------------------------------------------------------------------------


def _layer_q(net, layer, q_in, dps):
    if layer is None:
        if q_in is not None:
            raise InvalidArgumentError("q_in needs a layer index (layer=1..L)")
        return q_star(net, dps=dps)
    ell = check_int(layer, "layer")
    if not 1 <= ell <= net.depth:
        raise InvalidArgumentError(f"layer must be an integer in 1..{net.depth}; got {layer!r}")
    layer = ell
    if q_in is None:
        return q_star(net, dps=dps)
    return q_sequence(net, q_in, dps=dps)[layer - 1]


@_guarded
def d2_moments(net, n, *, layer=None, q_in=None, dps=None):
    r"""Moments ``μ_k = ∫Dz phi'(√q z)^{2k}``, ``k = 1..n``, of the law ``nu``
    of ``D_ℓ²`` (docs/theory.md §4–5), at ``q = q*`` (default) or at layer
    ``layer`` of the sequence from ``q_in``.

    Parameters
    ----------
    net : MLP
        The network.
    n : int, 1 <= n <= 2000
        Number of moments.
    layer : int in 1..L, optional
        Layer ``ℓ``; needed with ``q_in``.
    q_in : real >= 0, optional
        Input ``‖x_0‖²/n_0`` of the finite-depth sequence; default: the
        fixed point ``q*``.
    dps : int or None, optional
        ``None`` (default): float engine, the result is a ``float``; an
        integer ``1..1000``: mpmath at that many digits, the result is an
        ``mpmath.mpf``.

    Returns
    -------
    list of float or mpmath.mpf
        ``[μ_1, …, μ_n]``.

    Raises
    ------
    InvalidArgumentError
        ``n < 1``, ``layer`` outside ``1..L``, ``q_in`` without ``layer``,
        ``q_in < 0`` or ``dps < 1``.
    TooLargeError
        ``n > 2000`` or ``dps > 1000``.
    InvalidArgumentTypeError
        A non-integer ``n``, ``layer`` or ``dps``.
    FloatRangeError
        The float engine would overflow; pass ``dps=30``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "erf", sigma_w=0.8).d2_moments(2)     # q* = 0: (4/π)^k
    [1.2732395447351628, 1.6211389382774044]
    """
    n = check_int(n, "n", minimum=1, maximum=MAX_MOMENT_ORDER,
                  hint="each moment is one quadrature; ask for fewer moments")
    eng = _Eng(dps)
    q = _layer_q(net, layer, q_in, dps)
    act = net.activation
    with eng.ctx():
        qv = eng.num(q)
        if not (qv < eng.inf):
            if act.positively_homogeneous:
                qv = eng.num(1)
            else:  # pragma: no cover
                raise InvalidArgumentError(f"q* is infinite for {net!r}")
        vals = act.dphi2_moments(qv, n, dps=(eng.dps or 15) + 5)
        return [eng.done(v) for v in vals]


@_guarded
def d2_atoms(net, *, layer=None, q_in=None, symbolic=False):
    r"""Exact law of ``D_ℓ²`` for a piecewise-linear activation: a list of
    ``(value, probability)`` (relu: Bernoulli(1/2); hard-tanh:
    Bernoulli(p), ``p = erf(1/√(2q*))``), in floats at ``q*`` (or at layer
    ``layer`` from ``q_in``).  ``symbolic=True`` returns the law as sympy
    expressions in a positive symbol ``q`` (constants for relu).

    Parameters
    ----------
    net : MLP
        The network.
    layer : int in 1..L, optional
        Layer ``ℓ``; needed with ``q_in``.
    q_in : real >= 0, optional
        Input of the finite-depth sequence; default: ``q*``.
    symbolic : bool, optional
        ``True``: the law as sympy expressions in a positive symbol ``q``
        (``layer`` and ``q_in`` are then not used).

    Returns
    -------
    list of (value, probability)
        Floats at the chosen ``q``, or sympy expressions with
        ``symbolic=True``.

    Raises
    ------
    InvalidArgumentError
        A non-piecewise-linear activation (use :meth:`d2_moments`),
        ``layer`` outside ``1..L`` or ``q_in`` without ``layer``.
    InvalidArgumentTypeError
        A non-bool ``symbolic`` or a non-integer ``layer``.

    Examples
    --------
    >>> import freealg
    >>> freealg.MLP(3, "relu", sigma_w=1.0).d2_atoms()
    [(0.0, 0.5), (1.0, 0.5)]
    """
    act = net.activation
    if not act.piecewise_linear:
        raise InvalidArgumentError(
            f"{act!r} is not piecewise linear: D² has a continuous law; use d2_moments"
        )
    if not isinstance(symbolic, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"symbolic must be True or False; got {describe(symbolic)}")
    if symbolic:
        return act.dphi_values_probabilities(None)
    q = _layer_q(net, layer, q_in, None)
    if act.positively_homogeneous:
        q = 1.0
    return act.dphi_values_probabilities(float(q))
