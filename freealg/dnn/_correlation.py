r"""The c-map, its fixed point ``c*`` and the depth scales (docs/theory.md §4).

Schoenholz et al. (2017), eqs. 7–9.  Public through :mod:`freealg.dnn.meanfield`,
whose docstring states the formulas.
"""

from __future__ import annotations

from collections import namedtuple

from .._utils.mpctx import mpmath

from .._utils.validate import check_real
from ..errors import ConvergenceError, InvalidArgumentError
from ._mf_engine import _Eng, _bracket_root, _check_q_in, _guarded, _sig
from ._qmap import chi, q_star


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
