"""Mean-field layer (freealg.dnn: MLP, meanfield) against independent truths.

Independent references written here, sharing no code with the library:
* ``gl_expect``: composite 40-point Gauss-Legendre quadrature in z on [-11, 11]
  with panels split at the activation's kinks (numpy only);
* fixed points by plain iteration / bisection written in the test;
* closed forms (relu, erf) typed in from the literature;
* a finite-width random network simulated with numpy for the KAA quantities.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy

import freealg
from freealg.dnn import MLP, critical_line, critical_sigma_w
from freealg.errors import InvalidArgumentError, UnknownActivationError

_X40, _W40 = np.polynomial.legendre.leggauss(40)

# the activations written out independently of freealg.activations
PHI = {
    "relu": (lambda h: np.maximum(h, 0), lambda h: (h > 0) * 1.0, (0.0,)),
    "hardtanh": (lambda h: np.clip(h, -1, 1), lambda h: (np.abs(h) < 1) * 1.0, (-1.0, 1.0)),
    "tanh": (np.tanh, lambda h: 1 - np.tanh(h) ** 2, ()),
    "erf": (
        np.vectorize(math.erf),
        lambda h: 2 / math.sqrt(math.pi) * np.exp(-h * h),
        (),
    ),
}


def gl_expect(f, q, kinks=(), zmax=11.0, panels=44):
    """E f(sqrt(q) z), z ~ N(0,1): composite Gauss-Legendre, split at kinks/sqrt(q)
    (so piecewise-smooth integrands are integrated to ~1e-15)."""
    edges = list(np.linspace(-zmax, zmax, panels + 1))
    if q > 0:
        edges += [k / math.sqrt(q) for k in kinks if abs(k / math.sqrt(q)) < zmax]
    edges += [k for k in np.linspace(-1, 1, 9) / max(math.sqrt(q), 1e-300) if abs(k) < zmax]
    edges = np.unique(edges)
    a, b = edges[:-1, None], edges[1:, None]
    z = (0.5 * (b - a) * _X40 + 0.5 * (a + b)).ravel()
    w = (0.5 * (b - a) * _W40).ravel()
    return float(np.sum(w * np.exp(-z * z / 2) * f(math.sqrt(q) * z)) / math.sqrt(2 * math.pi))


def ref_qmap(name, sw, sb, q):
    phi, _, k = PHI[name]
    return sw * sw * gl_expect(lambda h: phi(h) ** 2, q, k) + sb * sb


def ref_qstar(name, sw, sb, q0=1.0, iters=3000):
    q = q0
    for _ in range(iters):
        q = ref_qmap(name, sw, sb, q)
    return q


def ref_chi(name, sw, q):
    _, dphi, k = PHI[name]
    return sw * sw * gl_expect(lambda h: dphi(h) ** 2, q, k)


CASES = [
    ("relu", 1.2, 0.3),
    ("hardtanh", 1.3, 0.2),
    ("hardtanh", 2.0, 0.5),
    ("tanh", 1.5, 0.3),
    ("tanh", 1.1, 0.05),
    ("erf", 1.0, 0.4),
    ("erf", 0.7, 0.2),
]


@pytest.mark.parametrize("name,sw,sb", CASES)
def test_qstar_and_chi_against_independent_quadrature(name, sw, sb):
    net = MLP(3, name, sigma_w=sw, sigma_b=sb)
    qs = net.q_star()
    # the test's own fixed-point iteration converges geometrically (rate chi_q < 0.9 here)
    ref = ref_qstar(name, sw, sb, iters=400)
    assert qs == pytest.approx(ref, rel=1e-11)
    assert net.chi() == pytest.approx(ref_chi(name, sw, ref), rel=1e-11)
    # and the fixed-point equation itself
    assert ref_qmap(name, sw, sb, qs) == pytest.approx(qs, rel=1e-12)


def test_closed_forms_relu_and_erf():
    # relu: q* = sigma_b^2 / (1 - sigma_w^2/2), chi = sigma_w^2/2
    net = MLP(2, "relu", sigma_w=1.2, sigma_b=0.3)
    assert net.q_star() == pytest.approx(0.09 / (1 - 0.72), rel=1e-15)
    assert net.chi() == pytest.approx(0.72, rel=1e-15)
    # erf: q = sw^2 (2/pi) asin(2q/(1+2q)) + sb^2, chi = sw^2 (4/pi)/sqrt(1+4q)
    sw, sb = 1.7, 0.25
    net = MLP(2, "erf", sigma_w=sw, sigma_b=sb)
    with mpmath.workdps(40):
        # the binary doubles 1.7 and 0.25, squared in mpmath (as the library does)
        w2, b2 = mpmath.mpf(sw) ** 2, mpmath.mpf(sb) ** 2
        q = mpmath.findroot(lambda q: w2 * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)) + b2 - q, 1)
        ch = w2 * 4 / mpmath.pi / mpmath.sqrt(1 + 4 * q)
    assert net.q_star() == pytest.approx(float(q), rel=1e-13)
    assert net.chi() == pytest.approx(float(ch), rel=1e-13)
    # high precision path
    v = net.q_star(dps=30)
    assert isinstance(v, mpmath.mpf)
    with mpmath.workdps(30):
        assert abs(v - q) < mpmath.mpf(10) ** -27


def test_qstar_special_cases():
    assert MLP(2, "tanh", sigma_w=0.9).q_star() == 0.0  # ordered, centred, no bias
    assert MLP(2, "tanh", sigma_w=1.0).q_star() == 0.0  # critical: power-law decay to 0
    assert MLP(2, "relu", sigma_w=1.5, sigma_b=0.1).q_star() == math.inf  # chi > 1, bias > 0
    assert MLP(2, "relu", sigma_w=2 ** 0.5).q_star(q_in=3.0) == pytest.approx(6.0)  # every q fixed
    # hard-tanh at sigma_w = 1: q^l decays to 0 (like exp(-1/2q) per layer), q* = 0
    assert MLP(2, "hardtanh", sigma_w=1.0).q_star() == 0.0
    # gelu without bias, sigma_w^2 gelu'(0)^2 = 0.5625 < 1: two attractors (0 and inf);
    # check the direction of the flow with the test's own quadrature
    gelu = np.vectorize(lambda h: 0.5 * h * (1 + math.erf(h / math.sqrt(2))))
    net = MLP(2, "gelu", sigma_w=1.5)
    for q_in, expect in ((0.1, 0.0), (1.0, math.inf)):
        q = 2.25 * q_in
        for _ in range(60):
            q = 2.25 * gl_expect(lambda h: gelu(h) ** 2, q)
        assert (q < 1e-6) if expect == 0 else (q > 1e3)
        assert net.q_star(q_in=q_in) == expect
    # chaotic tanh without bias: a positive fixed point
    q = MLP(2, "tanh", sigma_w=2.0).q_star()
    assert q > 0 and ref_qmap("tanh", 2.0, 0.0, q) == pytest.approx(q, rel=1e-12)


def ref_qstar_bisect(name, sw, sb):
    """q* as the root of qmap(q) - q on [sb^2, sw^2 max phi^2 + sb^2] (bounded phi)."""
    lo, hi = sb * sb, sw * sw + sb * sb + 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if ref_qmap(name, sw, sb, mid) > mid:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def ref_critical(name, sb):
    """Nested bisection: on sigma_w of chi(q*(sigma_w)) - 1 (increasing in sigma_w
    here), with q* itself by bisection."""
    lo, hi = 0.5, 3.0
    for _ in range(42):
        mid = 0.5 * (lo + hi)
        if ref_chi(name, mid, ref_qstar_bisect(name, mid, sb)) > 1:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def test_critical_sigma_w_zero_bias_closed_forms():
    import sympy

    assert critical_sigma_w("relu", 0) == sympy.sqrt(2)
    assert critical_sigma_w("relu", 0.0) == pytest.approx(math.sqrt(2), rel=1e-15)
    assert critical_sigma_w("leaky_relu", 0, slope=sympy.Rational(1, 2)) == sympy.sqrt(sympy.Rational(8, 5))
    assert critical_sigma_w("linear", 0) == 1
    # a float slope gives a float answer sqrt(2/(1 + a^2))
    assert critical_sigma_w("leaky_relu", 0, slope=0.1) == pytest.approx(math.sqrt(2 / 1.01), rel=1e-14)
    assert critical_sigma_w("tanh", 0.0) == pytest.approx(1.0, abs=1e-14)
    assert critical_sigma_w("hardtanh", 0.0) == pytest.approx(1.0, abs=1e-14)
    assert critical_sigma_w("erf", 0.0) == pytest.approx(math.sqrt(math.pi) / 2, rel=1e-14)
    # the relu critical point is (sqrt 2, 0): chi = 1 there, and no edge of chaos for sigma_b > 0
    assert MLP(3, "relu", sigma_w=2 ** 0.5, sigma_b=0.0).phase() == "critical"
    with pytest.raises(InvalidArgumentError, match="no edge of chaos"):
        critical_sigma_w("relu", 0.1)


@pytest.mark.parametrize("name,sb", [("tanh", 0.3), ("hardtanh", 0.2), ("erf", 0.5)])
def test_critical_sigma_w_against_independent_bisection(name, sb):
    sw = critical_sigma_w(name, sb)
    ref = ref_critical(name, sb)
    # outer bisection to 2.5 * 2^-42 ~ 6e-13; near the line chi - 1 is a smooth
    # function of sigma_w with slope ~1, so the reference is good to ~1e-12
    assert sw == pytest.approx(ref, rel=1e-10)
    net = MLP(4, name, sigma_w=sw, sigma_b=sb)
    assert net.chi() == pytest.approx(1.0, abs=1e-11)


def test_critical_line_data():
    d = critical_line("tanh", [0.0, 0.1, 0.3])
    assert d["exists"].all()
    assert d["sigma_w"][0] == pytest.approx(1.0, abs=1e-13)
    assert np.all(np.diff(d["sigma_w"]) > 0)  # sigma_w^crit grows with sigma_b
    for sb, sw, q in zip(d["sigma_b"], d["sigma_w"], d["q_star"]):
        net = MLP(2, "tanh", sigma_w=sw, sigma_b=sb)
        assert net.q_star() == pytest.approx(q, rel=1e-9, abs=1e-14)
    r = critical_line("relu", [0.0, 0.2])
    assert r["exists"].tolist() == [True, False]
    assert math.isnan(r["sigma_w"][1])


def test_q_sequence_and_backprop_norms():
    net = MLP(4, "tanh", sigma_w=1.3, sigma_b=0.2)
    qs = net.q_sequence(2.0)
    ref = [1.3 ** 2 * 2.0 + 0.04]
    for _ in range(3):
        ref.append(ref_qmap("tanh", 1.3, 0.2, ref[-1]))
    assert qs == pytest.approx(ref, rel=1e-12)
    qh = net.qhat_sequence(2.0)
    assert qh[0] == 2.0
    assert qh[1:] == pytest.approx([gl_expect(lambda h: np.tanh(h) ** 2, q) for q in ref], rel=1e-12)
    bn = net.backprop_norms(q_in=2.0)
    assert bn[-1] == 1.0
    # q~^l = q~^{l+1} chi(q^l)
    for ell in range(3):
        assert bn[ell] == pytest.approx(bn[ell + 1] * ref_chi("tanh", 1.3, ref[ell]), rel=1e-12)
    # at the fixed point q~^l = chi^(L-l)
    ch = net.chi()
    assert net.backprop_norms() == pytest.approx([ch ** 3, ch ** 2, ch, 1.0], rel=1e-12)


def test_c_map_and_c_star_erf_closed_form():
    # erf: c-map(c) = (sw^2 (2/pi) asin(2 q c/(1 + 2q)) + sb^2)/q at q = q*
    sw, sb = 2.5, 0.3
    net = MLP(3, "erf", sigma_w=sw, sigma_b=sb)
    q = net.q_star()

    def cmap(c):
        return (sw ** 2 * 2 / math.pi * math.asin(2 * q * c / (1 + 2 * q)) + sb ** 2) / q

    for c in (0.0, 0.3, 0.9, 1.0):
        assert net.c_map(c) == pytest.approx(cmap(c), rel=1e-13)
    assert net.chi() > 1
    c = 0.5
    for _ in range(2000):  # the stable fixed point, by iteration
        c = cmap(c)
    assert net.c_star() == pytest.approx(c, rel=1e-12)
    # ordered phase: c* = 1
    assert MLP(3, "erf", sigma_w=0.7, sigma_b=0.3).c_star() == 1.0


def test_c_star_tanh_against_2d_quadrature():
    sw, sb = 1.8, 0.2
    net = MLP(3, "tanh", sigma_w=sw, sigma_b=sb)
    q = net.q_star()
    z, w = np.polynomial.hermite_e.hermegauss(120)  # smooth integrand, q ~ 1: ~1e-10
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    W = np.outer(w, w) / (2 * math.pi)

    def cmap(c):
        u1 = math.sqrt(q) * Z1
        u2 = math.sqrt(q) * (c * Z1 + math.sqrt(1 - c * c) * Z2)
        return (sw ** 2 * np.sum(W * np.tanh(u1) * np.tanh(u2)) + sb ** 2) / q

    cs = net.c_star()
    assert cs < 1
    assert cmap(cs) == pytest.approx(cs, abs=1e-9)


def test_depth_scales_match_iteration():
    # xi_q: |q^l - q*| ~ exp(-l/xi_q); xi_c: |c^l - c*| ~ exp(-l/xi_c)
    sw, sb = 1.2, 0.3
    net = MLP(3, "erf", sigma_w=sw, sigma_b=sb)
    ds = net.depth_scales()
    qs = net.q_star()
    # slope of the q-map by a central difference of the test's quadrature
    h = 1e-5
    slope = (ref_qmap("erf", sw, sb, qs + h) - ref_qmap("erf", sw, sb, qs - h)) / (2 * h)
    assert ds.chi_q == pytest.approx(slope, rel=1e-8)
    assert ds.xi_q == pytest.approx(-1 / math.log(slope), rel=1e-7)
    # ordered phase: c* = 1 and chi_c = chi
    assert ds.chi_c == pytest.approx(net.chi(), rel=1e-14)
    # chaotic phase: the c-map slope at c* (erf closed form derivative)
    sw, sb = 2.5, 0.3
    net = MLP(3, "erf", sigma_w=sw, sigma_b=sb)
    q, cs = net.q_star(), net.c_star()
    a = 2 * q / (1 + 2 * q)
    slope_c = sw ** 2 * 2 / math.pi * a / math.sqrt(1 - (a * cs) ** 2) / q
    ds = net.depth_scales()
    assert ds.chi_c == pytest.approx(slope_c, rel=1e-10)
    assert ds.xi_c == pytest.approx(-1 / math.log(slope_c), rel=1e-10)
    # criticality: xi_c = inf
    crit = MLP(3, "tanh", sigma_w=critical_sigma_w("tanh", 0.2), sigma_b=0.2)
    assert crit.depth_scales().xi_c > 1e9


def test_d2_law():
    net = MLP(3, "hardtanh", sigma_w=1.3, sigma_b=0.2)
    q = net.q_star()
    p = math.erf(1 / math.sqrt(2 * q))
    atoms = net.d2_atoms()
    assert atoms[0][0] == 0.0 and atoms[1][0] == 1.0
    assert atoms[1][1] == pytest.approx(p, rel=1e-14)
    assert net.d2_moments(3) == pytest.approx([p, p, p], rel=1e-13)
    assert MLP(2, "relu", sigma_w=1.0).d2_atoms(symbolic=True)[1][1] == sympy.Rational(1, 2)
    hs = net.d2_atoms(symbolic=True)[1][1]  # erf(1/sqrt(2q)) in the symbol q
    assert float(hs.subs(next(iter(hs.free_symbols)), q)) == pytest.approx(p, rel=1e-14)
    t = MLP(3, "tanh", sigma_w=1.2, sigma_b=0.1)
    qt = t.q_star()
    m = t.d2_moments(2)
    assert m[1] == pytest.approx(gl_expect(lambda h: (1 - np.tanh(h) ** 2) ** 4, qt), rel=1e-12)
    with pytest.raises(InvalidArgumentError, match="not piecewise linear"):
        t.d2_atoms()


def _simulate_kaa(net, M, T, rng):
    """One random net at width M: per-sample gradients of the single output
    w.r.t. the weights, their Gram matrix, and the order parameters."""
    act = net.activation
    L = net.depth
    sw, sb = float(net.sigma_w), float(net.sigma_b)
    X = rng.standard_normal((M, T))
    Ws = [rng.standard_normal((M, M)) * sw / math.sqrt(M) for _ in range(L - 1)]
    Ws.append(rng.standard_normal((1, M)) * sw / math.sqrt(M))
    bs = [rng.standard_normal((M, 1)) * sb for _ in range(L - 1)] + [rng.standard_normal((1, 1)) * sb]
    hs, us = [X], []
    for ell in range(L):
        u = Ws[ell] @ hs[-1] + bs[ell]
        us.append(u)
        hs.append(act.phi(u))
    deltas = [None] * L
    deltas[L - 1] = np.ones((1, T))
    for ell in range(L - 2, -1, -1):
        deltas[ell] = act.dphi(us[ell]) * (Ws[ell + 1].T @ deltas[ell + 1])
    G = sum((deltas[ell].T @ deltas[ell]) * (hs[ell].T @ hs[ell]) for ell in range(L))
    return np.linalg.eigvalsh(G / T)[-1]


@pytest.mark.parametrize("name,sw,sb", [("tanh", 1.3, 0.5), ("relu", 1.2, 0.3)])
def test_kaa_lambda_max_against_wide_network(name, sw, sb):
    net = MLP(3, name, init="gaussian", sigma_w=sw, sigma_b=sb)
    M, T = 1500, 4
    r = net.fim_meanfield(T, M=M)
    rng = np.random.default_rng(1234)
    ratios = [_simulate_kaa(net, M, T, rng) / r.lambda_max for _ in range(6)]
    # single-net fluctuations are O(1/sqrt(M)) ~ 2.5% (measured sd ~ 2-3%); the mean of
    # six nets has sd ~ 1.2%, so 5% is ~4 sigma
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.05)
    assert r.lr_bound == pytest.approx(2 / r.lambda_max)


def test_kaa_pieces_direct():
    # pieces by the test's own quadrature: qhat^1 = E phi(u)^2 at q^1 = sw^2 + sb^2,
    # qhat_st^1 = E phi(u)phi(v) with covariance sb^2 (inputs uncorrelated)
    sw, sb = 1.3, 0.5
    net = MLP(3, "erf", sigma_w=sw, sigma_b=sb)
    r = net.fim_meanfield(5)
    q1, q1st = sw ** 2 + sb ** 2, sb ** 2
    assert r.q[0] == pytest.approx(q1) and r.q_st[0] == pytest.approx(q1st)
    assert r.qhat[1] == pytest.approx(2 / math.pi * math.asin(2 * q1 / (1 + 2 * q1)), rel=1e-13)
    assert r.qhat_st[1] == pytest.approx(2 / math.pi * math.asin(2 * q1st / (1 + 2 * q1)), rel=1e-13)
    q2, q2st = r.q[1], r.q_st[1]
    assert q2 == pytest.approx(sw ** 2 * r.qhat[1] + sb ** 2)
    d = (1 + 2 * q2) ** 2
    assert r.qtilde[1] == pytest.approx(sw ** 2 * 4 / math.pi / math.sqrt(1 + 4 * q2), rel=1e-13)
    assert r.qtilde_st[1] == pytest.approx(sw ** 2 * 4 / math.pi / math.sqrt(d - 4 * q2st ** 2), rel=1e-13)
    k1 = sum(a * b for a, b in zip(r.qtilde, r.qhat)) / 2
    k2 = sum(a * b for a, b in zip(r.qtilde_st, r.qhat_st)) / 2
    assert r.kappa1 == pytest.approx(k1) and r.kappa2 == pytest.approx(k2)
    assert r.lambda_max_per_M == pytest.approx(2 * (4 / 5 * k2 + k1 / 5))
    assert r.lambda_max is None and r.lr_bound is None


def test_mlp_spec_and_conventions():
    net = MLP(4, "relu", init="Gaussian", sigma_w=1.0, sigma_b=0.0, widths=(10, 20, 20, 40, 5))
    assert net.init == "gaussian" and net.weight_s1 == -1
    assert net.jacobian_convention == "preactivation" and net.d_layers == (1, 2, 3)
    assert net.layer_ratios == (2, 1, 2, pytest.approx(0.125))
    psg = net.replace(jacobian_convention="psg", widths=None)
    assert psg.d_layers == (1, 2, 3, 4) and psg.is_square
    assert MLP(2, "tanh", ratios=(1, 2, 3)).ratios[2] == 3
    assert net == MLP(4, "relu", init="gaussian", sigma_w=1.0, widths=(10, 20, 20, 40, 5))
    assert "widths" in repr(net)
    assert freealg.dnn.MLP is MLP and freealg.MLP is MLP


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        (dict(depth=0, activation="relu"), InvalidArgumentError, "depth"),
        (dict(depth=2.5, activation="relu"), InvalidArgumentError, "depth"),
        (dict(depth=2, activation="softsign"), UnknownActivationError, "valid names"),
        (dict(depth=2, activation="relu", sigma_w=0.0), InvalidArgumentError, "sigma_w"),
        (dict(depth=2, activation="relu", sigma_w=-1.0), InvalidArgumentError, "sigma_w"),
        (dict(depth=2, activation="relu", sigma_w=float("nan")), InvalidArgumentError, "finite"),
        (dict(depth=2, activation="relu", sigma_b=float("inf")), InvalidArgumentError, "finite"),
        (dict(depth=2, activation="relu", sigma_b=-0.1), InvalidArgumentError, "sigma_b"),
        (dict(depth=2, activation="relu", init="xavier"), InvalidArgumentError, "init"),
        (dict(depth=2, activation="relu", widths=(3, 0, 2)), InvalidArgumentError, "positive"),
        (dict(depth=2, activation="relu", widths=(3, 2)), InvalidArgumentError, "widths"),
        (dict(depth=2, activation="relu", ratios=(1, -1, 1)), InvalidArgumentError, "ratios"),
        (dict(depth=2, activation="relu", jacobian_convention="jacot"), InvalidArgumentError, "convention"),
    ],
)
def test_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        MLP(**kwargs)


def test_bad_input_methods():
    net = MLP(3, "tanh", sigma_w=1.2)
    with pytest.raises(InvalidArgumentError, match="correlation"):
        net.c_map(1.5)
    with pytest.raises(InvalidArgumentError, match=">= 0"):
        net.q_map(-1.0)
    with pytest.raises(InvalidArgumentError, match="depth >= 2"):
        MLP(1, "tanh").fim_meanfield(3)
    with pytest.raises(InvalidArgumentError, match="dps"):
        net.q_star(dps=0)
    with pytest.raises(InvalidArgumentError, match="layer"):
        net.d2_moments(2, layer=7, q_in=1.0)


def test_jacobian_convention_names_and_the_older_spelling():
    # "preactivation" (J = W_L D_{L-1} ... D_1 W_1: L - 1 factors D) and "psg" (L factors D);
    # "seed" is the older spelling of "preactivation" and gives the same network
    from freealg.errors import InvalidArgumentError

    pre = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2))
    old = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2), jacobian_convention="Seed")
    psg = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2), jacobian_convention="psg")
    assert pre.jacobian_convention == old.jacobian_convention == "preactivation"
    assert pre == old and pre.d_layers == (1, 2) and psg.d_layers == (1, 2, 3)
    # orthogonal ReLU at sigma_w^2 = 2: m_1 = tr(J J^T) = sigma_w^{2L} E[phi'^2]^{#D} = 8 (1/2)^{#D}
    assert pre.jacobian_law().moments(1) == [2] and psg.jacobian_law().moments(1) == [1]
    with pytest.raises(InvalidArgumentError, match="jacobian_convention.*'preactivation', 'psg'"):
        freealg.MLP(3, "relu", jacobian_convention="pre")
