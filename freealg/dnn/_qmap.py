r"""The q-map, its fixed point ``q*``, ``χ`` and the phase (docs/theory.md §4).

Poole et al. (2016); Schoenholz et al. (2017).  Public through
:mod:`freealg.dnn.meanfield`, whose docstring states the formulas.
"""

from __future__ import annotations

from .._utils.mpctx import mpmath

from .._utils.validate import check_real
from ..errors import ConvergenceError
from ._mf_engine import _Eng, _bracket_root, _check_q_in, _guarded, _sig


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
