"""mpmath Gaussian quadrature: ``E[f(h)]`` for ``h ~ N(0, q)`` (the public
:func:`gaussian_expectation`) and the 2-D expectations ``E[f(u) f(v)]`` of a
centred Gaussian pair at a requested precision."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from .._utils.mpctx import lambdify_modules, mpmath, user_function
from .._utils.validate import check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._numbers import _check_dps, _check_q
from .closed_forms import _MPT, _closed2_generic
from .quadrature_np import _SOFT

# ---------------------------------------------------------------------------
# the Gaussian quadrature
# ---------------------------------------------------------------------------


def gaussian_expectation(f, q, *, dps=15, breakpoints=()):
    r"""``E[f(h)]`` for ``h ~ N(0, q)``, i.e. ``∫Dz f(√q z)``, by mpmath quadrature.

    ``∫Dz g(z) = (2π)^{-1/2} ∫ g(z) e^{-z²/2} dz`` (standard Gaussian
    measure, the ``Dz`` of docs/theory.md §4).  The integral is computed by
    tanh–sinh quadrature (``mpmath.quad``) at ``dps + 10`` digits, with the
    real line split at ``0``, at ``±1, ±3, ±10`` in units of ``h`` (where the
    standard activations change shape) and at the given ``breakpoints`` (kinks
    of ``f``, in units of ``h``), and rounded to ``dps`` digits.

    Parameters
    ----------
    f : callable or sympy expression
        Function of one real variable accepting mpmath numbers; a sympy
        expression in one symbol is lambdified with mpmath.
    q : real >= 0
        Variance of ``h``.  ``q = 0`` gives ``f(0)``.
    dps : int
        Decimal digits of the result.
    breakpoints : iterable of real
        Points ``h`` where ``f`` has a kink or a jump (e.g. ``(-1, 1)`` for
        hard-tanh); splitting there keeps full accuracy.

    Returns
    -------
    mpmath.mpf

    Raises
    ------
    InvalidArgumentError
        If ``q`` is negative, not finite or symbolic, ``dps`` is not a
        positive integer, ``f`` is not callable (or a sympy expression with
        more than one symbol), a breakpoint is not finite; or the integral is
        not finite.  Wrong types raise the subclass
        ``InvalidArgumentTypeError``.
    TooLargeError
        If ``dps`` exceeds the supported maximum.

    Examples
    --------
    ``E[h²] = q`` and ``E[|h|] = √(2q/π)``:

    >>> gaussian_expectation(lambda h: h**2, 3)
    mpf('3.0')
    >>> import mpmath
    >>> v = gaussian_expectation(abs, 1, dps=30, breakpoints=[0])
    >>> print(mpmath.nstr(v, 25))        # sqrt(2/pi) = 0.79788456080286535587989211...
    0.7978845608028653558798921
    """
    dps = _check_dps(dps)
    kind, qv = _check_q(q)
    f, breakpoints = _integrand(f, breakpoints, dps)
    with mpmath.workdps(dps + 10):
        if kind == "exact":
            if not qv.is_number:
                raise InvalidArgumentError(
                    f"gaussian_expectation integrates numerically; q = {qv} is symbolic. "
                    "Substitute a number, or use Activation.gaussian_expectation for a "
                    "closed form in q."
                )
            qm = mpmath.mpf(sp.N(qv, dps + 15))
        else:
            qm = mpmath.mpf(qv)
        if qm == 0:
            val = mpmath.mpf(f(mpmath.mpf(0)))
        else:
            val = _integrate(f, mpmath.sqrt(qm), breakpoints, q, dps)
        if not mpmath.isfinite(val):
            raise InvalidArgumentError(
                f"the Gaussian expectation is not finite (got {val}) for q = {q}: "
                "the integrand grows too fast or is singular"
            )
    with mpmath.workdps(dps):
        return +val


def _integrand(f, breakpoints, dps):
    """Check ``f`` and ``breakpoints`` of :func:`gaussian_expectation`: ``f`` a
    callable (wrapped by ``user_function``) or a sympy expression in at most one
    symbol (lambdified with mpmath), the breakpoints finite reals."""
    if not (callable(f) or isinstance(f, sp.Basic)):
        raise InvalidArgumentTypeError(
            f"f must be a callable of one real variable or a sympy expression; got "
            f"{describe(f)} of type {type(f).__name__}"
        )
    if isinstance(breakpoints, (str, bytes)) or not hasattr(breakpoints, "__iter__"):
        raise InvalidArgumentTypeError(
            f"breakpoints must be a sequence of real numbers; got {describe(breakpoints)} "
            f"of type {type(breakpoints).__name__}"
        )
    breakpoints = [check_real(b, f"breakpoints[{i}]") for i, b in enumerate(breakpoints)]
    if isinstance(f, sp.Basic):
        free = sorted(f.free_symbols, key=str)
        if len(free) > 1:
            raise InvalidArgumentError(
                f"a sympy integrand must have at most one free symbol; {f} has {free}"
            )
        if free:
            f = sp.lambdify(free[0], f, modules=lambdify_modules())
        else:
            const = f
            f = lambda h, _c=const: mpmath.mpf(sp.N(_c, dps + 10))  # noqa: E731
    if not callable(f):
        raise InvalidArgumentError(
            f"f must be a callable of one real variable (or a sympy expression); got {f!r}"
        )
    return user_function(f, dps=dps), breakpoints


def _split_points(s, breakpoints):
    """Panel edges in ``z`` for ``h = s z``, at the working precision.

    Split points on both scales: the Gaussian's (|z| = 1, 3, 10) and the
    activation's (|h| = 1, 3, 10, i.e. z = c / sqrt(q)) and the kinks.  Points
    of the h-scale beyond zmax, where the Gaussian weight is below the working
    precision, are dropped: at q = 1e-300 they sit at |z| ~ 1e150, and a panel
    [0, 1e150] holding all the mass near z = 0 was integrated to ~1e-22582
    instead of 1.
    """
    zmax = mpmath.sqrt(2 * (mpmath.mp.dps + 10) * mpmath.log(10)) + 2
    pts = {mpmath.mpf(0)}
    for c in (1, 3, 10):
        pts.add(mpmath.mpf(c))
        pts.add(-mpmath.mpf(c))
    for c in (1, 3, 10):
        if mpmath.mpf(c) / s <= zmax:
            pts.add(mpmath.mpf(c) / s)
            pts.add(-mpmath.mpf(c) / s)
    for b in breakpoints:
        b = mpmath.mpf(b)
        if not mpmath.isfinite(b):
            raise InvalidArgumentError(f"breakpoints must be finite; got {b}")
        if abs(b / s) <= zmax:
            pts.add(b / s)
    return [-mpmath.inf] + sorted(pts) + [mpmath.inf]


def _integrate(f, s, breakpoints, q, dps):
    """``∫Dz f(s z)`` by tanh–sinh on the panels of :func:`_split_points`, scaled
    to the integrand's size in the bulk; a divergent integral is refused."""
    nodes = _split_points(s, breakpoints)
    norm = 1 / mpmath.sqrt(2 * mpmath.pi)

    def integrand(z):
        return f(s * z) * mpmath.exp(-z * z / 2)

    # mpmath.quad stops on an absolute error estimate: at q = 1e-40 the integrand
    # of E[h^2] is ~1e-40 and the first tanh-sinh level (relative error 2.4e-6)
    # was accepted.  Integrate the integrand divided by its size in the bulk.
    scale = max(abs(integrand(mpmath.mpf(t))) for t in (0, 0.5, -0.5, 1, -1, 2, -2, 3, -3))
    if not scale or not mpmath.isfinite(scale):
        scale = mpmath.mpf(1)
    val = mpmath.quad(lambda z: integrand(z) / scale, nodes) * scale * norm
    # the Gaussian weight must dominate far out (e^{-1250} at |z| = 50);
    # otherwise tanh-sinh returns a finite number for a divergent integral
    tail = max(abs(integrand(mpmath.mpf(50))), abs(integrand(mpmath.mpf(-50))))
    bulk = max(1, abs(integrand(mpmath.mpf(0))), abs(integrand(mpmath.mpf(1))),
               abs(integrand(mpmath.mpf(-1))))
    if not mpmath.isfinite(tail) or tail > mpmath.mpf(10) ** (-dps - 10) * bulk:
        raise InvalidArgumentError(
            f"the Gaussian expectation diverges for q = {q}: |f(h)| e^(-h^2/(2q)) is "
            f"{mpmath.nstr(tail, 5)} at h = ±50 sqrt(q). f must grow slower than "
            "exp(h^2 / (2q))."
        )
    return val


# ---------------------------------------------------------------------------
_MP_GL_CACHE = {}


def _mp_gauss_legendre(n):
    """n-point Gauss–Legendre nodes/weights on [-1, 1] at the current
    precision (Newton refinement of numpy's nodes), cached."""
    key = (n, mpmath.mp.prec)
    if key not in _MP_GL_CACHE:
        x0, _ = np.polynomial.legendre.leggauss(n)
        nodes, weights = [], []
        for g in x0:
            x = mpmath.mpf(g)
            for _ in range(100):
                p = mpmath.legendre(n, x)
                dp = n * (x * p - mpmath.legendre(n - 1, x)) / (x * x - 1)
                dx = p / dp
                x -= dx
                if abs(dx) < mpmath.mpf(2) ** (-mpmath.mp.prec + 4):
                    break
            dp = n * (x * mpmath.legendre(n, x) - mpmath.legendre(n - 1, x)) / (x * x - 1)
            nodes.append(x)
            weights.append(2 / ((1 - x * x) * dp * dp))
        _MP_GL_CACHE[key] = (nodes, weights)
    return _MP_GL_CACHE[key]


def _mp_panel_rule(points, zmax, n):
    edges = sorted({p for p in points if -zmax < p < zmax} | {-zmax, zmax})
    # uniform refinement: no panel wider than 2
    fine = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        k = int(mpmath.ceil((hi - lo) / 2))
        for j in range(k):
            fine.append((lo + (hi - lo) * j / k, lo + (hi - lo) * (j + 1) / k))
    xs, ws = _mp_gauss_legendre(n)
    nodes, weights = [], []
    for lo, hi in fine:
        half = (hi - lo) / 2
        mid = (hi + lo) / 2
        for x, w in zip(xs, ws):
            nodes.append(mid + half * x)
            weights.append(half * w)
    return nodes, weights


def _expect2_mp_product(f, sq, a, c, breakpoints, dps):
    """E[f(sq z1) f(a z1 + c z2)] with a composite Gauss–Legendre rule on
    |z| <= Z, Z^2/2 = (dps + 5) ln 10, panels split at h = 0, ±0.5, ±1, ±2,
    ±4, ±7, ±12, ±20 and the kinks, no panel wider than 2."""
    zmax = mpmath.sqrt(2 * (dps + 5) * mpmath.log(10))
    n = max(12, int(dps))
    hs = [mpmath.mpf(h) for h in _SOFT] + [mpmath.mpf(b) for b in breakpoints]
    z1s, w1s = _mp_panel_rule([h / sq for h in hs], zmax, n)
    norm = 1 / (2 * mpmath.pi)
    total = mpmath.mpf(0)
    for z1, w1 in zip(z1s, w1s):
        g1 = w1 * f(sq * z1) * mpmath.exp(-z1 * z1 / 2)
        if g1 == 0:
            continue
        m = a * z1
        if c == 0:
            total += g1 * f(m) * mpmath.sqrt(2 * mpmath.pi)
            continue
        z2s, w2s = _mp_panel_rule([(h - m) / c for h in hs], zmax, n)
        inner = mpmath.fsum(w2 * f(m + c * z2) * mpmath.exp(-z2 * z2 / 2) for z2, w2 in zip(z2s, w2s))
        total += g1 * inner
    return total * norm


def _linear_pieces(act, which):
    """[(lo, hi, slope, intercept)] of phi (which='phi') or of phi' on the
    intervals between the kinks of a piecewise-linear activation."""
    bps = sorted(mpmath.mpf(b) for b in act.breakpoints)
    edges = [-mpmath.inf] + bps + [mpmath.inf]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo == -mpmath.inf and hi == mpmath.inf:
            mid = mpmath.mpf(0)
        elif lo == -mpmath.inf:
            mid = hi - 1
        elif hi == mpmath.inf:
            mid = lo + 1
        else:
            mid = (lo + hi) / 2
        if which == "phi":
            slope = act._dphi_mp(mid)
            out.append((lo, hi, slope, act._phi_mp(mid) - slope * mid))
        else:
            out.append((lo, hi, mpmath.mpf(0), act._dphi_mp(mid)))
    return out


def _piecewise_gauss_mean(pieces, m, c):
    """E[f(m + c Z)], Z ~ N(0, 1), for f = slope*x + intercept on each piece:
    sum of slope (m P + c (pdf(l) - pdf(u))) + intercept P over the pieces."""
    total = mpmath.mpf(0)
    for lo, hi, slope, icpt in pieces:
        lz = (lo - m) / c if lo != -mpmath.inf else -mpmath.inf
        uz = (hi - m) / c if hi != mpmath.inf else mpmath.inf
        P = mpmath.ncdf(uz) - mpmath.ncdf(lz)
        pl = mpmath.npdf(lz) if lz != -mpmath.inf else 0
        pu = mpmath.npdf(uz) if uz != mpmath.inf else 0
        total += slope * (m * P + c * (pl - pu)) + icpt * P
    return total


def _expect2_mp(act, which, s11, s12, s22, dps):
    with mpmath.workdps(dps + 10):
        s11, s12, s22 = (mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator
                         for v in (s11, s12, s22))
        for v in (s11, s12, s22):
            if not mpmath.isfinite(v):
                raise InvalidArgumentError("covariance entries must be finite")
        if s11 < 0 or s22 < 0:
            raise InvalidArgumentError("variances s11, s22 must be >= 0")
        prod = s11 * s22
        if s12 * s12 - prod > mpmath.mpf(10) ** (-dps) * max(prod, 1):
            raise InvalidArgumentError(f"not a covariance: s12^2 > s11 s22 ({s12}, {s11}, {s22})")
        rho = s12 / mpmath.sqrt(prod) if prod > 0 else mpmath.mpf(0)
        rho = max(mpmath.mpf(-1), min(mpmath.mpf(1), rho))
        val = _closed2_generic(act, which, s11, s12, s22, rho, _MPT)
        if val is None:
            f = act._phi_mp if which == "phi" else act._dphi_mp
            if s11 == 0:
                val = f(mpmath.mpf(0)) * gaussian_expectation(f, s22, dps=dps + 5,
                                                               breakpoints=act.breakpoints)
            else:
                sq = mpmath.sqrt(s11)
                a = s12 / sq
                c2 = max(s22 - s12 * s12 / s11, mpmath.mpf(0))
                c = mpmath.sqrt(c2)
                pieces = _linear_pieces(act, which) if act.piecewise_linear else None

                if pieces is not None:
                    # inner expectation in closed form, outer by tanh-sinh
                    def inner(z1):
                        m = a * z1
                        if c == 0:
                            return f(m)
                        return _piecewise_gauss_mean(pieces, m, c)

                    pts1 = sorted({mpmath.mpf(b) / sq for b in act.breakpoints} | {mpmath.mpf(0)})
                    val = mpmath.quad(lambda z1: f(sq * z1) * inner(z1) * mpmath.exp(-z1 * z1 / 2),
                                      [-mpmath.inf] + pts1 + [mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)
                else:
                    # smooth f: a fixed composite Gauss-Legendre product rule
                    # (nested adaptive quadrature would take minutes)
                    val = _expect2_mp_product(f, sq, a, c, act.breakpoints, dps)
    with mpmath.workdps(dps):
        return +val

