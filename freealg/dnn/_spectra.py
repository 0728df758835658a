r"""Shared pieces of the spectral laws of deep networks (private).

Used by :mod:`freealg.dnn.jacobian` and :mod:`freealg.dnn.fisher`:

* :func:`layer_data` — the per-layer mean-field data of an :class:`MLP`:
  pre-activation variances ``q^ℓ``, post-activation second moments
  ``q_ℓ = ‖x_ℓ‖²/M`` and the laws ``ν_ℓ`` of ``D_ℓ² = φ'(h_ℓ)²``, either at the
  fixed point (``q_in=None``) or along the finite-depth sequence from
  ``q_in = ‖x_0‖²/n_0``;
* numeric adapters of laws for the functional-equation engine
  (:func:`freealg.functional.free_mul_law`) and for the one-sample FIM solver:
  vectorised Cauchy transforms (a fast Gauss–Legendre rule for the law of
  ``φ'(√q z)²`` of a smooth activation) and S-transforms;
* :func:`product_atoms` — the atoms of ``⊠`` products (Belinschi);
* :func:`window_mass` — ``μ([a, b])`` from boundary values of ``G``.

Number kinds (exact stays exact, a float stays a float).  Positively
homogeneous activations (relu, leaky relu, linear) with exact ``σ_w``,
``σ_b`` and ``q_in`` keep everything exact: the ``q``'s follow from the
linear q-map in exact arithmetic.  A float ``σ_w``, ``σ_b`` or ``q_in``, or an
activation whose ``q``'s come from the mean-field module as floats (hard-tanh,
smooth activations), makes the data *float kind* (:attr:`LayerData.float_kind`;
``σ_b = 0.0``, the default, is exactly zero and enters no number, so it does not):
the ``q``'s and ``σ_w²`` are held as the exact binary values of those floats
(:func:`freealg.laws._exact`, never a nearby decimal fraction), the weight
laws and the ``ν``'s are float laws (a hard-tanh ``ν`` is ``Bernoulli(p)`` with
the float ``p = erf(1/√(2q))``), and the network laws built on them return
floats.  Their exact curves are built only on request (``curve(exact=True)``).
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import math
from fractions import Fraction

import numpy as np
import sympy

from .._utils import detsympy as _ds
from ..errors import InvalidArgumentError

__all__ = [
    "LayerData",
    "layer_data",
    "numeric_factor",
    "product_atoms",
    "window_mass",
    "to_float",
]


def to_float(v):
    """A real number of any kind as a Python float."""
    if isinstance(v, (int, float, Fraction, np.floating, np.integer)):
        return float(v)
    if isinstance(v, sympy.Basic):
        if v.is_Rational:
            # correctly rounded integer division (sympy.N of a rational with
            # 10^5 digits takes 0.2 s)
            try:
                return int(v.p) / int(v.q)
            except OverflowError:
                pass
        return float(sympy.N(v, 20))
    return float(v)


def _exact(v, name):
    from ..laws._kinds import _exact as ex

    return ex(v, name)


def _is_float(v):
    return isinstance(v, (float, np.floating))


# ---------------------------------------------------------------------------
# per-layer mean-field data
# ---------------------------------------------------------------------------


class LayerData:
    """Mean-field data of a network along its depth.

    Attributes
    ----------
    pre : list
        ``[q^1, …, q^L]``, pre-activation variances (exact sympy numbers;
        ``sympy.oo`` when the fixed point diverges).
    post : list
        ``[q_0, …, q_L]``, ``q_ℓ = E φ(h_ℓ)² = lim ‖x_ℓ‖²/M`` (``q_0`` the input).
    nus : list of Law
        ``[ν_1, …, ν_L]``, the law of ``φ'(h_ℓ)²``.
    fixed_point : bool
        Every layer at ``q*`` (``q_in=None``).
    sigma_w2 : sympy number
        ``σ_w²`` (exact; the binary value of the float ``σ_w**2`` for a float σ_w).
    float_kind : bool
        The data come from floats (module docstring) and every ``ν`` is
        atomic: laws built on them return floats.  (With a smooth activation
        the ``ν``'s are mpmath laws and the numbers stay mpmath at ``dps``.)
    """

    def __init__(self, pre, post, nus, fixed_point, sigma_w2, q_in, float_kind=False):
        self.pre = pre
        self.post = post
        self.nus = nus
        self.fixed_point = fixed_point
        self.sigma_w2 = sigma_w2
        self.q_in = q_in
        self.float_kind = float_kind

    def __repr__(self):
        return (f"LayerData(pre={self.pre}, post={self.post}, nus={self.nus}, "
                f"fixed_point={self.fixed_point})")


def _square(v, name):
    """``v²`` exact; a float is squared in floating point first (a float
    parameter ``σ_w²``, held as its exact binary value)."""
    if _is_float(v):
        try:
            return _exact(float(v) ** 2, name + "^2")
        except OverflowError:
            from ..errors import FloatRangeError

            raise FloatRangeError(
                f"{name} = {v!r}: its square overflows float64; pass an exact number "
                "(Fraction, sympy.Rational) or a value below 1e154") from None
    return _exact(v, name) ** 2


def _check_q_in(q_in):
    if q_in is None:
        return None
    if isinstance(q_in, bool):
        raise InvalidArgumentError(f"q_in must be a real number >= 0 (‖x_0‖²/n_0); got {q_in!r}")
    try:
        v = to_float(q_in)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"q_in must be a real number >= 0 (‖x_0‖²/n_0); got {q_in!r}") from exc
    if not math.isfinite(v) or v < 0:
        raise InvalidArgumentError(
            f"q_in must be a finite real number >= 0 (‖x_0‖²/n_0); got {q_in!r}")
    return q_in


def _nu_piecewise(act, q):
    """Law of φ'(h)², h ~ N(0, q), for a piecewise-linear activation: exact when
    the activation is positively homogeneous (the law does not depend on q) or
    q = 0, else a float law (the probabilities are floats of the float q)."""
    from ..laws import Atomic, Bernoulli, PointMass

    if act.positively_homogeneous:
        law = act.dphi_values_probabilities(sympy.Integer(1))
        vals = [_exact(v, "phi'^2 value") if not isinstance(v, sympy.Basic) else v for v, _ in law]
        probs = [sympify_safe(p) for _, p in law]
    else:
        qf = to_float(q)
        if qf == 0:
            law = act.dphi_values_probabilities(sympy.Integer(0))
            vals = [sympify_safe(v) for v, _ in law]
            probs = [sympify_safe(p) for _, p in law]
        else:
            law = act.dphi_values_probabilities(qf)
            vals = [to_float(v) for v, _ in law]
            probs = [to_float(p) for _, p in law]
    pairs = [(v, p) for v, p in zip(vals, probs) if p != 0]
    if len(pairs) == 1:
        return PointMass(pairs[0][0])
    if len(pairs) == 2 and pairs[0][0] == 0 and pairs[1][0] == 1:
        return Bernoulli(pairs[1][1])
    return Atomic([v for v, _ in pairs], [p for _, p in pairs])


def _nu(act, q, dps):
    from ..laws import activation_derivative_law

    if act.piecewise_linear:
        return _nu_piecewise(act, q)
    return activation_derivative_law(act, q, dps=dps)


def layer_data(net, q_in=None, *, dps=30, need_finite=False):
    r"""Per-layer ``q^ℓ``, ``q_ℓ`` and ``ν_ℓ`` of ``net`` (module docstring).

    ``q_in=None``: every layer at the fixed point ``q*`` of the q-map, with the
    input at the fixed point too (``σ_w² q_0 + σ_b² = q*``, i.e. ``q_0 = q̂*``).
    Otherwise ``q^1 = σ_w² q_in + σ_b²``, ``q^{ℓ+1} = σ_w² q_ℓ + σ_b²``,
    ``q_ℓ = E φ(√q^ℓ z)²``.

    ``need_finite``: raise when some ``q`` is infinite or when all ``q_ℓ``
    vanish (the FIM needs them).
    """
    act = net.activation
    L = net.depth
    q_in = _check_q_in(q_in)
    # σ_b = 0.0 (the default) is exactly zero and enters no number
    float_kind = (_is_float(net.sigma_w) or (_is_float(net.sigma_b) and net.sigma_b != 0)
                  or _is_float(q_in))
    sw2 = _square(net.sigma_w, "sigma_w")
    sb2 = _square(net.sigma_b, "sigma_b")
    if act.positively_homogeneous:
        c2 = sympify_safe(act.gaussian_expectation("phi2", sympy.Integer(1)))
        slope = sw2 * c2  # the q-map is q -> slope q + sb2
        # a float sigma_w (e.g. float(critical_sigma_w("relu"))) is critical
        # within rounding: follow the mean-field module's phase (tol 1e-9)
        critical = _ds.simplify(slope - 1) == 0 or (
            (_is_float(net.sigma_w) or _is_float(net.sigma_b)) and net.phase() == "critical")
        if q_in is None:
            if sb2 == 0:
                if critical:
                    qs = sw2  # q* = q^1 from the default input q_in = 1 (MLP.q_star)
                elif (slope - 1).is_negative:
                    qs = sympy.Integer(0)
                else:
                    qs = sympy.oo
            else:
                qs = sb2 / (1 - slope) if (slope - 1).is_negative and not critical else sympy.oo
            pre = [qs] * L
            post = [c2 * qs if qs is not sympy.oo else sympy.oo] * (L + 1)
        else:
            q0 = _exact(q_in, "q_in")
            pre, post = [], [q0]
            for _ in range(L):
                v = sw2 * post[-1] + sb2
                pre.append(v if v.is_Rational else _ds.simplify(v))
                post.append(c2 * pre[-1])
    else:
        if q_in is None:
            qs = net.q_star(dps=None)
            qs_f = to_float(qs)
            if not math.isfinite(qs_f):
                pre = [sympy.oo] * L
                post = [sympy.oo] * (L + 1)
            else:
                qh = to_float(act.gaussian_expectation("phi2", qs_f))
                pre = [_exact(qs_f, "q*")] * L
                post = [_exact(qh, "q̂*")] * (L + 1)
        else:
            qf = [to_float(v) for v in net.q_sequence(to_float(q_in))]
            qhf = [to_float(v) for v in net.qhat_sequence(to_float(q_in))]
            pre = [_exact(v, "q") if math.isfinite(v) else sympy.oo for v in qf]
            post = [_exact(q_in, "q_in")] + [_exact(v, "q") if math.isfinite(v) else sympy.oo
                                              for v in qhf[1:]]
    if any(v is sympy.oo for v in pre) and not act.positively_homogeneous:
        raise InvalidArgumentError(
            f"the forward variance of {net!r} diverges (q* = oo: chaotic phase of an unbounded "
            "activation), so the law of D^2 is undefined; pass q_in= to follow a finite-depth "
            "sequence from a given input"
        )
    if need_finite:
        if any(v is sympy.oo for v in post):
            raise InvalidArgumentError(
                f"the forward variance of {net!r} diverges (q* = oo: the q-map slope "
                f"σ_w² E[φ(z)²] >= 1 with σ_b > 0, or > 1); the FIM law needs finite "
                "q_ℓ = ‖x_ℓ‖²/M: pass q_in= to follow a finite-depth sequence"
            )
        if all(v == 0 for v in post[:L]):
            raise InvalidArgumentError(
                f"every q_ℓ = ‖x_ℓ‖²/M of {net!r} is 0 (the fixed point is q* = 0), so the "
                "one-sample FIM Θ_L vanishes; pass q_in= > 0 to follow a finite-depth sequence"
            )
    # the q's of other activations are floats from the mean field: their ν's take them as floats
    nus = [_nu(act, (pre[ell] if act.positively_homogeneous else to_float(pre[ell]))
               if pre[ell] is not sympy.oo else 1, dps) for ell in range(L)]
    float_kind = float_kind or any(nu._float for nu in nus)
    # a smooth activation's ν is an mpmath law (moments at dps digits): laws built
    # on it keep returning mpmath numbers at the requested dps
    from ..laws import ActivationDerivativeLaw

    float_kind = float_kind and not any(isinstance(nu, ActivationDerivativeLaw) for nu in nus)
    return LayerData(pre, post, nus, q_in is None, sw2, q_in, float_kind)


# ---------------------------------------------------------------------------
# numeric adapters
# ---------------------------------------------------------------------------


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
            out = mpmath.mpf(sympy.N(v, mpmath.mp.dps + 10))
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


class _SmoothNuFactor:
    r"""The law ``ν`` of ``φ'(√q z)²`` of a smooth activation.

    Moments from the law (mpmath quadrature at its ``dps``).  The Cauchy
    transform ``G(ζ) = E[1/(ζ − f(z))]``, ``f(z) = φ'(√q z)²``, by composite
    Gauss–Legendre rules in ``z`` on ``[−T, T]`` (``T = 9``: the Gaussian tail
    beyond is ``< 2e-19``), 16 nodes per panel.  The integrand has poles where
    ``f(z) = ζ``, at distance ``d`` from the real ``z`` axis; a panel of width
    ``h`` has relative error about ``(2d/h + √(1 + 4d²/h²))^{−32}``.  Base
    panels have ``h = 1/8`` (enough when ``ζ`` is ``≳ 0.1 max|f'|`` away from
    the range of ``f``); otherwise, around each real point ``c`` near a pole
    (a crossing ``f(c) = Re ζ`` or a local extremum of ``f`` next to
    ``Re ζ``), the base panels within ``1/4`` are replaced by panels graded
    geometrically towards ``c`` with smallest width ``d/2``
    (``d = dist/|f'(c)|``, or ``√(2 dist/|f''(c)|)`` at an extremum), so the
    cost grows only like ``log(1/d)``.  Measured relative accuracy (against
    a uniform rule with ``h = 2^{−16}`` and, on the axis, against the
    pushforward density of ``ν``): ``~1e-13`` for ``Im ζ ≥ 1e-4``, then
    rounding-limited: the values ``f(z)`` carry a few ulps of ``max f``, and
    next to a pole they enter as ``1/(ζ − f(z))`` with ``|ζ − f| ~ Im ζ``,
    so the relative error is up to ``~4 ε max f/Im ζ`` (measured against
    mpmath: ``2.6e-9`` at ``Im ζ = 1e-8`` for tanh, bound ``8.9e-8``).

    Away from the range of ``f`` (the common case in the continuation of a
    product, where the subordination point is far from ``[min f, max f]``)
    this 2304-node rule is replaced by ``N``-point Gauss rules of the same
    discretised measure (``N = 16, 48, 128``; Jacobi matrix by Lanczos with
    full reorthogonalisation, built once per factor).  A rule is used only
    where its a-priori error bound is below ``1e-15 |G|``: for ``1/(ζ − u)``
    on ``[a, b] = [min f, max f]`` the Chebyshev coefficients are
    ``2 σ^k/(r s)`` (``r = (b − a)/2``, ``w = (ζ − (a + b)/2)/r``,
    ``s = √(w² − 1)``, ``|σ| = 1/ρ``, ``ρ = |w + s| > 1``), and a Gauss rule
    exact to degree ``2N − 1`` for a probability measure errs by at most
    twice the tail, ``4 ρ^{1−2N}/(r |s| (ρ − 1))`` (Trefethen, *Approximation
    Theory and Approximation Practice*, ch. 8 and 19).  ``|G|`` is bounded
    below by the 16-point value minus its bound.  Rounding (the rules come
    from a symmetric eigenproblem) adds a few ``1e-15 |G|`` (measured
    ``≤ 3e-15`` against the base rule, ``≤ 1e-14`` against mpmath in
    tests/test_tanh_jacobian.py).
    """

    T = 9.0
    ORDER = 16
    H = 0.125
    GAUSS_SIZES = (16, 48, 128)
    GAUSS_TOL = 1e-15

    def __init__(self, law):
        self.law = law
        self.act = law.activation
        self.q = to_float(law.parameters["q"])
        self.sq = math.sqrt(self.q)
        t, w = np.polynomial.legendre.leggauss(self.ORDER)
        self._t, self._w = t, w
        self.edges = np.arange(-self.T, self.T + self.H / 2, self.H)
        self.nodes, self.weights = self._panels(self.edges)
        self.fnodes = self.f(self.nodes)
        self.pivot, self._deficit = self._pivot()
        self.fsnodes = self.fs(self.nodes)
        norm = self.weights.sum()
        self.weights = self.weights / norm  # exact normalisation of the mass
        self._norm = norm
        u = np.linspace(-self.T, self.T, 4001)
        fu = self.f(u)
        self.u, self.fu = u, fu
        du = u[1] - u[0]
        self.slope = max(float(np.max(np.abs(np.diff(fu)) / du)), 1e-12)
        self.fmin, self.fmax = float(np.min(fu)), float(np.max(fu))
        # local extrema of f, refined by golden-section search
        d = np.diff(fu)
        ext = []
        for i in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
            a, b = u[i], u[i + 2]
            sgn = 1.0 if d[i] > 0 else -1.0
            g = (math.sqrt(5) - 1) / 2
            for _ in range(80):
                c1, c2 = b - g * (b - a), a + g * (b - a)
                if sgn * self.f(c1) > sgn * self.f(c2):
                    b = c2
                else:
                    a = c1
            c = 0.5 * (a + b)
            h = 1e-4
            curv = abs(float(self.f(c + h) - 2 * self.f(c) + self.f(c - h))) / h**2
            ext.append((c, float(self.f(c)), max(curv, 1e-12)))
        self.extrema = ext
        self._gauss = self._gauss_rules()

    def _gauss_rules(self):
        """``[(N, nodes, weights)]``: Gauss rules of the discretised measure
        ``Σ weights δ_fnodes`` for ``N`` in :attr:`GAUSS_SIZES` (Lanczos with
        full reorthogonalisation on ``diag(fnodes)``, start ``√weights``)."""
        x, w = self.fnodes, self.weights
        nmax = min(max(self.GAUSS_SIZES, default=0), np.unique(x).size // 2)
        Q = np.zeros((nmax, x.size))
        q = np.sqrt(w)
        q = q / np.linalg.norm(q)
        alpha, beta = np.zeros(nmax), np.zeros(nmax)
        qprev, b = np.zeros_like(q), 0.0
        for j in range(nmax):
            Q[j] = q
            v = x * q - b * qprev
            alpha[j] = q @ v
            v = v - alpha[j] * q
            for _ in range(2):
                v = v - Q[:j + 1].T @ (Q[:j + 1] @ v)
            b = float(np.linalg.norm(v))
            beta[j] = b
            if not b > 0:
                nmax = j + 1
                break
            qprev, q = q, v / b
        rules = []
        for N in self.GAUSS_SIZES:
            if N > nmax:
                break
            T = np.diag(alpha[:N]) + np.diag(beta[:N - 1], 1) + np.diag(beta[:N - 1], -1)
            th, V = np.linalg.eigh(T)
            rules.append((N, th, V[0] ** 2))
        self._ga, self._gb = float(np.min(x)), float(np.max(x))
        return rules

    def _gauss_bound(self, z, N):
        """A-priori error bound of the ``N``-point Gauss rule for ``G(z)``
        (see the class docstring); ``inf`` on ``[min f, max f]``."""
        lrho, pre = self._bound_parts(z)
        with np.errstate(all="ignore"):
            return np.where(lrho > 0, pre * np.exp(-(2 * N - 1) * lrho), np.inf)

    def _bound_parts(self, z):
        """``(log ρ, 4/(r |s| (ρ − 1)))`` of the Gauss-rule bound at ``z``."""
        r = 0.5 * (self._gb - self._ga)
        w = (z - 0.5 * (self._ga + self._gb)) / r
        s = np.sqrt(w - 1) * np.sqrt(w + 1)
        s = np.where(np.abs(w + s) >= np.abs(w - s), s, -s)
        rho = np.abs(w + s)
        with np.errstate(all="ignore"):
            return np.log(rho), 4 / (r * np.abs(s) * (rho - 1))

    def _gauss_sums(self, flat):
        """``(G, G', done)``: Gauss-rule values where their bound is below
        ``GAUSS_TOL |G|`` (``done``), else untouched zeros."""
        G = np.zeros(flat.shape, complex)
        dG = np.zeros(flat.shape, complex)
        done = np.zeros(flat.shape, bool)
        if not self._gauss or flat.size == 0:
            return G, dG, done
        N0, t0, w0 = self._gauss[0]
        g0, d0 = _cauchy_sums(flat, t0, w0)
        lrho, pre = self._bound_parts(flat)
        with np.errstate(all="ignore"):
            lower = np.abs(g0) - np.where(lrho > 0, pre * np.exp(-(2 * N0 - 1) * lrho), np.inf)
            # bound_N <= tol |G|  <=>  (2N - 1) log rho >= log(pre / (tol lower))
            need = np.where(lower > 0, np.log(pre / (self.GAUSS_TOL * lower)), np.inf)
        for N, t, w in self._gauss:
            sel = ~done & (lrho > 0) & ((2 * N - 1) * lrho >= need)
            if not sel.any():
                continue
            if N == N0:
                G[sel], dG[sel] = g0[sel], d0[sel]
            else:
                G[sel], dG[sel] = _cauchy_sums(flat[sel], t, w)
            done |= sel
        return G, dG, done

    def f(self, z):
        return np.asarray(self.act.dphi(self.sq * np.asarray(z, float)), float) ** 2

    def _pivot(self):
        """``(p, d)``: ``p = max f`` and ``d(z) = p − f(z)`` computed to full
        relative accuracy, where the activation has such a form (tanh:
        ``1 − sech⁴ = tanh² (1 + sech²)``; erf: ``−(4/π) expm1(−2h²)``);
        ``(0, None)`` otherwise.  Next to the top of the range, ``ζ − f(z)``
        is then ``(ζ − p) + d(z)`` without cancellation (else ``f`` carries
        ``ε`` absolute error against a difference of size ``|ζ − p|``, which
        the subordination point of a deep product approaches to ~1e-8)."""
        name = getattr(self.act, "name", None)
        if name == "tanh":
            def d(z):
                h = self.sq * np.asarray(z, float)
                t = np.tanh(h)
                return t * t * (1 + 1 / np.cosh(h) ** 2)
            return 1.0, d
        if name == "erf":
            def d(z):
                h = self.sq * np.asarray(z, float)
                return -(4 / math.pi) * np.expm1(-2 * h * h)
            return 4 / math.pi, d
        return 0.0, None

    def fs(self, z):
        """``f(z) − p`` (accurately next to ``p``, see :meth:`_pivot`)."""
        if self._deficit is None:
            return self.f(z)
        return -self._deficit(z)

    def _panels(self, breaks):
        a, b = breaks[:-1, None], breaks[1:, None]
        z = (0.5 * (b - a) * self._t[None, :] + 0.5 * (a + b)).ravel()
        w = (0.5 * (b - a) * self._w[None, :]).ravel() * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return z, w

    def moments(self, n):
        return self.law.moments(n)

    def atoms(self):
        return []

    def _centers(self, zeta, dist):
        """Real points near the poles of ``1/(ζ_j − f(z))`` with pole distances,
        for an array of ``ζ_j``: a list (one per ``ζ_j``) of ``[(c, d)]``.
        The crossings ``f(c) = Re ζ_j`` come from :meth:`_crossings`."""
        r = zeta.real
        m = r.size
        out = [[] for _ in range(m)]
        jj, c = self._crossings(r)
        if jj.size:
            rr = r[jj]
            h = 1e-6
            der = np.abs(self.f(c + h) - self.f(c - h)) / (2 * h)
            with np.errstate(divide="ignore"):
                dd = np.where(der > 0, dist[jj] / der, np.inf)
            for ce, fe, curv in self.extrema:  # a crossing next to an extremum
                near = np.abs(ce - c) < 0.25
                alt = np.sqrt(2 * np.maximum(np.abs(fe - rr), dist[jj]) / curv)
                dd = np.where(near, np.minimum(dd, alt), dd)
            for j, cc, d in zip(jj, c, dd):
                out[j].append((float(cc), float(d)))
        for ce, fe, curv in self.extrema:
            gap = np.abs(fe - r)
            for j in np.nonzero(gap < self.slope * 2 * self.H)[0]:
                out[j].append((ce, math.sqrt(2 * max(gap[j], dist[j]) / curv)))
        return out

    def _breaks(self, cs):
        """Removed base panels and graded breaks for one ``ζ``'s centres."""
        e = self.edges
        remove = np.zeros(e.size - 1, bool)
        for c, d in cs:
            remove |= (e[1:] > c - 2 * self.H) & (e[:-1] < c + 2 * self.H)
        brs = []
        idx = np.nonzero(remove)[0]
        if idx.size:
            starts = idx[np.r_[True, np.diff(idx) > 1]]
            ends = idx[np.r_[np.diff(idx) > 1, True]]
            for i0, i1 in zip(starts, ends):
                A, B = e[i0], e[i1 + 1]
                pts = [A, B]
                for c, d in cs:
                    if A < c < B:
                        pts.append(c)
                        h = max(0.5 * d, 1e-13)
                        k = h
                        while c - k > A:
                            pts.append(c - k)
                            k *= 2
                        k = h
                        while c + k < B:
                            pts.append(c + k)
                            k *= 2
                brs.append(np.unique(np.array(pts)))
        return remove, brs

    def _sums(self, z):
        z = np.asarray(z, complex)
        flat = z.ravel()
        re = flat.real
        gap = np.maximum(np.maximum(self.fmin - re, re - self.fmax), 0.0)
        dist = np.maximum(np.abs(flat.imag), gap)
        step = max(1, 2_000_000 // self.fnodes.size)
        with np.errstate(all="ignore"):
            G, dG, far = self._gauss_sums(flat)
            rest = np.nonzero(~far)[0]
            for i in range(0, rest.size, step):
                k = rest[i:i + step]
                G[k], dG[k] = _cauchy_sums(flat[k] - self.pivot, self.fsnodes, self.weights)
            fj = np.nonzero((dist < self.slope * self.H) & ~far)[0]
            if fj.size:
                # near a pole: subtract the base panels around it and add
                # graded panels, all points at once (rows padded with weight 0)
                cents = self._centers(flat[fj], dist[fj])
                rem_idx, add_z, add_w = [], [], []
                for cs in cents:
                    cs = [(c, d) for c, d in cs if d < self.H]
                    remove, brs = self._breaks(cs)
                    rem_idx.append(np.nonzero(np.repeat(remove, self.ORDER))[0])
                    zs = [self._panels(br) for br in brs]
                    add_z.append(np.concatenate([a for a, _ in zs]) if zs else np.zeros(0))
                    add_w.append(np.concatenate([b for _, b in zs]) / self._norm if zs else np.zeros(0))
                nr = max(v.size for v in rem_idx)
                na = max(v.size for v in add_z)
                m = fj.size
                if nr:
                    R = np.zeros((m, nr), int)
                    WR = np.zeros((m, nr))
                    for k, v in enumerate(rem_idx):
                        R[k, :v.size] = v
                        WR[k, :v.size] = self.weights[v]
                    g, dg = _cauchy_rows(flat[fj] - self.pivot, self.fsnodes[R], WR)
                    G[fj] -= g
                    dG[fj] -= dg
                if na:
                    Z = np.zeros((m, na))
                    WA = np.zeros((m, na))
                    for k, (a, b) in enumerate(zip(add_z, add_w)):
                        Z[k, :a.size] = a
                        WA[k, :b.size] = b
                    g, dg = _cauchy_rows(flat[fj] - self.pivot, self.fs(Z.ravel()).reshape(Z.shape), WA)
                    G[fj] += g
                    dG[fj] += dg
        return G.reshape(z.shape), dG.reshape(z.shape)

    def cauchy(self, z):
        return self._sums(z)[0]

    #: relative accuracy where the Gauss rules of ``ν`` are used: their a-priori
    #: bound (``GAUSS_TOL``) plus rounding (measured ``≤ 3e-15`` against the
    #: base rule and ``≤ 1e-14`` against mpmath in tests/test_tanh_jacobian.py)
    GAUSS_REL = 1e-14

    def cauchy_rel_error(self, z):
        """Relative error bound of :meth:`cauchy` off the axis (without
        evaluating it): ``GAUSS_REL`` where a Gauss rule of ``ν`` meets its
        bound (the selection of :meth:`_gauss_sums`), else ``2e-13 +
        4 ε max f/d`` with ``d`` the distance of ``ζ`` to the range
        ``[min f, max f]`` (the accuracy of the class docstring: discretisation
        error, then rounding of ``f`` next to a pole)."""
        z = np.asarray(z, complex)
        flat = z.ravel()
        gap = np.maximum(np.maximum(self.fmin - flat.real, flat.real - self.fmax), 0.0)
        d = np.hypot(flat.imag, gap)
        with np.errstate(divide="ignore"):
            rel = 2e-13 + 4 * EPS * self.fmax / d
        if self._gauss and flat.size:
            N0, t0, w0 = self._gauss[0]
            g0, _ = _cauchy_sums(flat, t0, w0)
            lrho, pre = self._bound_parts(flat)
            with np.errstate(all="ignore"):
                lower = np.abs(g0) - np.where(lrho > 0, pre * np.exp(-(2 * N0 - 1) * lrho), np.inf)
                need = np.where(lower > 0, np.log(pre / (self.GAUSS_TOL * lower)), np.inf)
            Nmax = self._gauss[-1][0]
            rel = np.where((lrho > 0) & ((2 * Nmax - 1) * lrho >= need), self.GAUSS_REL, rel)
        return rel.reshape(z.shape)

    def cauchy_error(self, z):
        """Error bound of :meth:`cauchy` off the axis: ``|G|`` times
        :meth:`cauchy_rel_error`."""
        z = np.asarray(z, complex)
        return np.abs(self.cauchy(z)) * self.cauchy_rel_error(z)

    def _crossings(self, r):
        """Real solutions ``c`` of ``f(c) = r_j`` in ``[−T, T]`` (sign changes
        of ``f − r_j`` on the scan grid, bisected to rounding): ``(jj, c)``."""
        s = self.fu[None, :] - r[:, None]
        neg = s < 0
        jj, ii = np.nonzero(neg[:, :-1] != neg[:, 1:])
        a, b = self.u[ii].copy(), self.u[ii + 1].copy()
        rr = r[jj]
        fa = self.f(a) - rr
        for _ in range(60):
            mid = 0.5 * (a + b)
            fm = self.f(mid) - rr
            left = (fa < 0) != (fm < 0)
            b = np.where(left, mid, b)
            a = np.where(left, a, mid)
            fa = np.where(left, fa, fm)
        return jj, 0.5 * (a + b)

    def _fprime(self, c):
        """``f'(c)`` by Richardson-extrapolated 5-point differences, with an
        error estimate (difference of the two stencils plus rounding)."""
        h = 2e-3 / max(1.0, self.sq)

        def d5(h):
            return (self.f(c - 2 * h) - 8 * self.f(c - h) + 8 * self.f(c + h) - self.f(c + 2 * h)) / (12 * h)

        d1, d2 = d5(h), d5(h / 2)
        d = d2 + (d2 - d1) / 15
        err = np.abs(d2 - d1) / 15 + 8 * EPS * np.abs(self.f(c)) / h
        return d, err

    def cauchy_boundary(self, x):
        r"""Boundary value ``(G(x + i0), error)`` at real ``x`` (1-D).

        ``Im G(x + i0) = −π ρ(x)`` with the pushforward density ``ρ(x) =
        Σ_{f(c) = x} ϕ(c)/|f'(c)|`` (crossings bisected to rounding, ``f'`` by
        extrapolated differences).  ``Re G`` is the principal value
        ``PV ∫ ϕ(z)/(x − f(z)) dz``: on ``[c − r, c + r]`` around each
        crossing the symmetric pairs ``g(c + t) + g(c − t)`` (analytic in
        ``t``: the poles' residues cancel), ``r`` at most ``0.4`` times the
        distance to the other crossings, extrema and ``±T``; elsewhere
        Gauss–Legendre panels graded geometrically towards the excluded
        intervals (width ``r 2^k`` at distance ``r 2^k``) and towards
        extrema whose value is near ``x``.  The error is the difference of
        16- and 12-node rules plus rounding and the error of ``f'``; it is
        ``1e-14 … 1e-11 |G|`` in the bulk, growing near the critical
        values (measured against the mpmath pushforward density and, for
        ``Re G``, against polynomial extrapolation of the off-axis values to
        ``y = 0``, in tests/test_functional.py).  ``G`` is infinite where ``f'(c) = 0``
        (an edge of the support at a critical value of ``f``).
        """
        x = np.asarray(x, float).ravel()
        n = x.size
        G = np.zeros(n, complex)
        err = np.zeros(n)
        if n == 0:
            return G, err
        jj, cc = self._crossings(x)
        fp, fperr = self._fprime(cc) if cc.size else (cc, cc)
        phic = np.exp(-0.5 * cc * cc) / math.sqrt(2 * math.pi) / self._norm
        with np.errstate(all="ignore"):
            dens = phic / np.abs(fp)
            derr = phic * fperr / fp**2 + 4 * EPS * dens
        t16, w16 = self._t, self._w
        t12, w12 = np.polynomial.legendre.leggauss(12)
        ext = np.array([e[0] for e in self.extrema])
        with np.errstate(all="ignore"):
            for j in range(n):
                xj = x[j]
                sel = jj == j
                cs = cc[sel]
                rho = float(np.sum(dens[sel]))
                rerr = float(np.sum(derr[sel]))
                # exclusion radii
                rs = []
                for k, c in enumerate(cs):
                    d = [self.H, 0.4 * (self.T - abs(c))]
                    others = np.delete(cs, k)
                    if others.size:
                        d.append(0.4 * float(np.min(np.abs(others - c))))
                    if ext.size:
                        d.append(0.4 * float(np.min(np.abs(ext - c))))
                    rs.append(max(min(d), 0.0))
                pts = [self.edges]
                for c, r in zip(cs, rs):
                    if r <= 0:
                        continue
                    k = r
                    g = []
                    while k < 4 * self.H:
                        g += [c - k, c + k]
                        k *= 2
                    pts.append(np.array(g))
                for ce, fe, curv in self.extrema:
                    gap = abs(fe - xj)
                    if gap < self.slope * 2 * self.H:
                        h = max(0.5 * math.sqrt(2 * gap / curv), 1e-13)
                        g, k = [ce], h
                        while k < 2 * self.H:
                            g += [ce - k, ce + k]
                            k *= 2
                        pts.append(np.array(g))
                br = np.unique(np.clip(np.concatenate(pts), -self.T, self.T))
                keep = np.ones(br.size, bool)
                for c, r in zip(cs, rs):
                    keep &= ~((br > c - r) & (br < c + r))
                br = br[keep]
                mid = 0.5 * (br[:-1] + br[1:])
                use = np.ones(mid.size, bool)
                for c, r in zip(cs, rs):
                    use &= ~((mid > c - r) & (mid < c + r))
                a, b = br[:-1][use], br[1:][use]
                vals = []
                for t, w in ((t16, w16), (t12, w12)):
                    z = (0.5 * (b - a)[:, None] * t[None, :] + 0.5 * (a + b)[:, None]).ravel()
                    wz = (0.5 * (b - a)[:, None] * w[None, :]).ravel() * np.exp(-0.5 * z * z)
                    terms = wz / (xj - self.f(z))
                    tot, mag = float(np.sum(terms)), float(np.sum(np.abs(terms)))
                    for c, r in zip(cs, rs):
                        if r <= 0:
                            continue
                        tt = np.concatenate([0.25 * r * (t + 1), 0.25 * r * (t + 3)])
                        wt = np.concatenate([0.25 * r * w, 0.25 * r * w])
                        zp, zm = c + tt, c - tt
                        pair = wt * (np.exp(-0.5 * zp * zp) / (xj - self.f(zp))
                                     + np.exp(-0.5 * zm * zm) / (xj - self.f(zm)))
                        tot += float(np.sum(pair))
                        mag += float(np.sum(np.abs(wt * np.exp(-0.5 * zp * zp) / (xj - self.f(zp))))) * 2
                    vals.append((tot, mag))
                c0 = 1 / (math.sqrt(2 * math.pi) * self._norm)
                re = vals[0][0] * c0
                G[j] = complex(re, -math.pi * rho)
                err[j] = (abs(vals[0][0] - vals[1][0]) + 64 * EPS * vals[0][1]) * c0 + math.pi * rerr
        return G, err

    def cauchy_derivative(self, z):
        return self._sums(z)[1]

    def cauchy_and_derivative(self, z):
        return self._sums(z)

    def psi_and_derivative(self, z):
        r"""``(ψ, ψ', error of ψ, ζ G)`` with ``ψ(ζ) = ζ G(ζ) − 1 = E[f/(ζ − f)]``
        (``ζ G`` itself is returned too: where it is small, ``1 + ψ`` would
        cancel).

        Far from the range of ``f`` (where a Gauss rule of ``ν`` is used)
        ``ψ ≈ m_1/ζ`` is small and ``ζ G − 1`` would lose ``log10|ζ/m_1|``
        digits to cancellation; there ``ψ`` and ``ψ' = −E[f/(ζ − f)²]`` are
        summed directly with the weights ``w_k t_k`` (positive terms, no
        cancellation).  Error: the rule's a-priori bound times ``|ζ|`` (the
        integrand is ``−1 + ζ/(ζ − u)``) plus rounding ``(N + 4) ε Σ|terms|``.
        Elsewhere ``ζ G − 1`` with the error ``(2e-13 + 4 ε) |ζ G|``: the
        discretisation accuracy of the class docstring; its rounding term
        ``4 ε max f/d`` next to a pole (a worst case that weights every node
        alike, while the poles near the ends of the range sit in the Gaussian
        tail) is not propagated, as before this error term existed.
        """
        z = np.asarray(z, complex)
        flat = z.ravel()
        G, dG = self._sums(flat)
        with np.errstate(all="ignore"):
            psi = flat * G - 1
            dpsi = G + flat * dG
            err = (2e-13 + 4 * EPS) * np.abs(flat * G)
        if self._gauss and flat.size:
            N0, t0, w0 = self._gauss[0]
            g0, _ = _cauchy_sums(flat, t0, w0)
            lrho, pre = self._bound_parts(flat)
            with np.errstate(all="ignore"):
                lower = np.abs(g0) - np.where(lrho > 0, pre * np.exp(-(2 * N0 - 1) * lrho), np.inf)
                need = np.where(lower > 0, np.log(pre / (self.GAUSS_TOL * lower)), np.inf)
            done = np.zeros(flat.size, bool)
            for N, t, w in self._gauss:
                sel = ~done & (lrho > 0) & ((2 * N - 1) * lrho >= need)
                if not sel.any():
                    continue
                zs = flat[sel]
                p_, dp_ = _cauchy_sums(zs, t, w * t)
                with np.errstate(all="ignore"):
                    mag = (1 / np.abs(zs[:, None] - t[None, :])) @ (w * np.abs(t))
                    bnd = np.abs(zs) * pre[sel] * np.exp(-(2 * N - 1) * lrho[sel])
                psi[sel], dpsi[sel] = p_, dp_
                err[sel] = bnd + (N + 4) * EPS * mag
                done |= sel
        zG = np.where(np.abs(psi) < 0.5, 1 + psi, flat * G)
        return psi.reshape(z.shape), dpsi.reshape(z.shape), err.reshape(z.shape), zG.reshape(z.shape)

    def __repr__(self):
        return f"_SmoothNuFactor({self.law!r})"


_NU_FACTORS = {}


def numeric_factor(law):
    """The numeric adapter of a law used by the engines (see the classes)."""
    from ..laws import ActivationDerivativeLaw, Atomic, Bernoulli, MarchenkoPastur, PointMass

    if isinstance(law, Bernoulli):
        return _BernoulliFactor(law)
    if isinstance(law, PointMass):
        return _PointFactor(law)
    if isinstance(law, Atomic):
        return _AtomicFactor(law)
    if isinstance(law, MarchenkoPastur):
        return _MPFactor(law)
    if isinstance(law, ActivationDerivativeLaw):
        # one quadrature (fine rule, Gauss rules) per (activation, q, dps)
        key = law._key()
        f = _NU_FACTORS.get(key)
        if f is None:
            if len(_NU_FACTORS) > 32:
                _NU_FACTORS.clear()
            f = _NU_FACTORS[key] = _SmoothNuFactor(law)
        return f
    raise InvalidArgumentError(f"no numeric adapter for {law!r}")  # pragma: no cover


# ---------------------------------------------------------------------------
# atoms of products
# ---------------------------------------------------------------------------


def _law_atoms(law):
    from ..laws import ActivationDerivativeLaw, MarchenkoPastur

    if isinstance(law, MarchenkoPastur):
        lam = law._params["rate"]
        return [(sympy.Integer(0), 1 - lam)] if (lam - 1).is_negative else []
    if isinstance(law, ActivationDerivativeLaw):
        return []
    # the exact atoms (the binary values of a float law's floats): the network
    # laws round their atoms once, at the end
    return [(sympify_safe(a), sympify_safe(m)) for a, m in law._exact_twin().atoms() if m != 0]


def _count_equal(values):
    """``[(value, multiplicity)]`` of a list of sympy numbers, in order of
    first appearance (equality, not hashing of huge rationals)."""
    out = []
    for v in values:
        for pair in out:
            if pair[0] == v:
                pair[1] += 1
                break
        else:
            out.append([v, 1])
    return out


def product_atoms(laws):
    r"""Atoms of ``⊠_j μ_j`` for laws on ``[0, ∞)`` (Belinschi 2003), each
    given as a law or as its list of atoms ``[(location, mass)]``:
    ``(μ ⊠ ν)({0}) = max(μ({0}), ν({0}))`` and, for ``a > 0``,
    ``(μ ⊠ ν)({a}) = Σ_{uv = a} max(0, μ({u}) + ν({v}) − 1)``.

    Examples
    --------
    >>> from freealg import Bernoulli, PointMass
    >>> import sympy
    >>> product_atoms([Bernoulli(sympy.Rational(9, 10))] * 3 + [PointMass(2)])
    [(0, 1/10), (2, 7/10)]
    """
    cur = None
    ats = [list(law) if isinstance(law, (list, tuple)) else _law_atoms(law) for law in laws]
    # point masses delta_a (a != 0) first, as one delta at the product of the
    # a's (repeated ones by a power): multiplying the locations one layer at a
    # time costs O(L^2) digits for float-derived rationals (82 s at L = 2000)
    points = [at[0][0] for at in ats if len(at) == 1 and at[0][1] == 1 and at[0][0] != 0]
    rest = [at for at in ats if not (len(at) == 1 and at[0][1] == 1 and at[0][0] != 0)]
    if points:
        loc = sympy.Integer(1)
        for a, k in _count_equal(points):
            loc = loc * a**k
        loc = loc if loc.is_Rational else _ds.simplify(loc)
        ats = [[(loc, sympy.Integer(1))]] + rest
    prev = None
    for at in ats:
        if cur is None:
            cur = at
            continue
        if prev is not None and at == prev and all(a == 0 for a, _ in cur):
            # only the kernel is left and this factor was just applied: applying
            # it again changes nothing (max of the same masses at 0)
            continue
        prev = at
        zero = max([m for a, m in cur if a == 0] + [m for a, m in at if a == 0] + [sympy.Integer(0)])
        new = {}
        for u, mu in cur:
            if u == 0:
                continue
            for v, mv in at:
                if v == 0:
                    continue
                mass = mu + mv - 1
                if sympify_safe(mass).is_positive:
                    uv = u if v == 1 else (v if u == 1 else u * v)
                    key = uv if uv.is_Rational else _ds.simplify(uv)
                    new[key] = new.get(key, 0) + mass
        cur = ([(sympy.Integer(0), zero)] if zero != 0 else []) + sorted(new.items(), key=lambda t: to_float(t[0]))
    return cur or []


# ---------------------------------------------------------------------------
# mass in a window
# ---------------------------------------------------------------------------


def window_mass(values, support, atoms, a, b):
    r"""``μ([a, b])``: the atoms inside plus the continuous mass of
    ``support ∩ [a, b]``, ``∫ ρ``, ``ρ(x) = −Im G(x + i0)/π``, by composite
    Gauss–Legendre rules on a mesh graded geometrically towards the support
    edges inside the window (square-root or power singularities of ``ρ``).

    ``values(x)`` returns boundary values ``G(x + i0)``.  Returns
    ``(mass, error_estimate)`` (difference of a 16- and a 10-node rule).
    """
    from ..density import certify as _certify

    cont_hi = cont_lo = 0.0
    for lo, hi in support:
        u, v = max(lo, a), min(hi, b)
        if not v > u:
            continue
        length = v - u
        du = 1e-13 * max(1.0, abs(u)) if u == lo else 0.25 * length
        dv = 1e-13 * max(1.0, abs(v)) if v == hi else 0.25 * length
        br = _certify._graded_breaks(u, v, du, dv)
        for n, acc in ((16, "hi"), (10, "lo")):
            x, w = _certify._panel_nodes(br, n)
            rho = -np.asarray(values(x)).imag / np.pi
            val = float(np.dot(rho, w))
            if acc == "hi":
                cont_hi += val
            else:
                cont_lo += val
    at = sum(to_float(m) for x, m in atoms if a <= to_float(x) <= b)
    return cont_hi + at, abs(cont_hi - cont_lo)


# ---------------------------------------------------------------------------
# moments of ⊠ products with rescaled arguments
# ---------------------------------------------------------------------------


def _kind(values):
    kinds = set()
    for v in values:
        if type(v).__module__.startswith("mpmath"):
            kinds.add("mpmath")
        elif isinstance(v, (int, Fraction, np.integer)) or (isinstance(v, sympy.Basic) and v.is_Rational):
            kinds.add("fraction")
        elif isinstance(v, (float, np.floating)):
            kinds.add("float")
        else:
            kinds.add("sympy")
    for k in ("mpmath", "float", "sympy"):
        if k in kinds:
            return k
    return "fraction"


def _convert(v, kind):
    if kind == "fraction":
        if isinstance(v, sympy.Basic):
            return Fraction(int(v.p), int(v.q))
        return Fraction(v)
    if kind == "mpmath":
        from .._utils.mpctx import mpmath

        if isinstance(v, sympy.Basic):
            return mpmath.mpf(sympy.N(v, mpmath.mp.dps + 10))
        if isinstance(v, Fraction):
            return mpmath.mpf(v.numerator) / v.denominator
        return mpmath.mpf(v)
    if kind == "float":
        return to_float(v)
    return sympy.nsimplify(v) if isinstance(v, Fraction) else sympify_safe(v)


def _back(v, kind):
    if kind == "fraction":
        return sympy.Rational(v.numerator, v.denominator)
    if kind == "sympy":
        return sympy.expand(v)
    return v


def series_product_moments(specs, n):
    r"""Moments ``m_1..m_n`` of the law with S-transform
    ``S(w) = Π_j S_j(c_j w)^{L_j}``.

    ``specs`` is a list of ``(moments_j, L_j, c_j)`` with ``moments_j`` the
    moments ``m_1..m_n`` of the law ``j``.  ``c_j = 1`` is the ⊠-power
    ``μ_j^{⊠ L_j}``; ``c_j ≠ 1`` enters rectangular layers.  Exact inputs
    (ints, Fractions, sympy rationals) give sympy rationals; mpmath gives
    mpmath; other sympy expressions stay symbolic.
    """
    from .._utils import series as _series
    from ..combinatorics.convolution import _moments_of_s_series
    from ..cumulants import s_transform_coefficients

    allv = [v for m, _, c in specs for v in list(m[:n]) + [c]]
    kind = _kind(allv)
    one = _convert(1, kind)
    zero = one * 0
    S = [one] + [zero] * (n - 1)
    for m, L, c in specs:
        seq = [_convert(v, kind) for v in m[:n]]
        s = s_transform_coefficients(seq)
        s = [_convert(v, kind) if kind == "fraction" else v for v in s]
        cc = _convert(c, kind)
        if cc != one:
            s = [v * cc**k for k, v in enumerate(s)]
        S = _series.mul(S, _series.power(s, L, n) if L != 1 else s, n)
    return [_back(v, kind) for v in _moments_of_s_series(S, n)]  # χ(w) = w S(w)/(1 + w), ψ = χ^{<-1>}
