"""Spectra of deep networks (freealg.dnn.jacobian, freealg.dnn.fisher) against
independent truths: the freeness engine (dnn.polynomials.free_model), chained
free_mul_moments, the PSG variance closed form, Belinschi's atom rule written
out by hand, the closed-form two-hidden-layer curve and the density engine of
algebraic curves, and finite-width simulations (freealg.simulate)."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

import freealg
from freealg.dnn.polynomials import free_model
from freealg.simulate import random_input, sample_network

SQ2 = sympy.sqrt(2)


def _f(v):
    return float(sympy.N(v, 30)) if isinstance(v, sympy.Basic) else float(v)


def _hardtanh(sb=0.1):
    return float(freealg.critical_sigma_w("hardtanh", sb)), sb


# ---------------------------------------------------------------------------
# Jacobian: exact moments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("convention", ["preactivation", "psg"])
def test_jacobian_moments_equal_freeness_engine_relu(init, convention):
    # the freeness engine expands tr((J J^T)^k) over non-crossing partitions of
    # the letters W_l, D_l: a route independent of the S-transform series
    net = freealg.MLP(3, "relu", init, SQ2, jacobian_convention=convention)
    law = net.jacobian_law()
    model, names = free_model(net)
    J = names["J"]
    want = [sympy.nsimplify(model.moment(freealg.tr((J * J.T) ** k))) for k in range(1, 5)]
    assert law.moments(4) == want


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
def test_jacobian_moments_equal_freeness_engine_hardtanh(init):
    sw, sb = _hardtanh()
    net = freealg.MLP(2, "hardtanh", init, sw, sb, jacobian_convention="psg")
    model, names = free_model(net)
    J = names["J"]
    want = [float(model.moment(freealg.tr((J * J.T) ** k))) for k in range(1, 4)]
    got = [_f(v) for v in net.jacobian_law().moments(3)]
    # the law uses p = erf(1/sqrt(2 q*)) rounded to the nearest double and made
    # rational; the free model uses the float directly: agreement to rounding
    assert got == pytest.approx(want, rel=1e-12)


def test_jacobian_moments_tanh_against_chained_free_mul_moments():
    sw, sb = float(freealg.critical_sigma_w("tanh", 0.1)), 0.1
    net = freealg.MLP(3, "tanh", "gaussian", sw, sb, jacobian_convention="preactivation")
    got = [float(v) for v in net.jacobian_law().moments(4)]
    nu = [float(v) for v in net.d2_moments(4)]
    s2 = sw * sw
    w = [s2**k * math.comb(2 * k, k) / (k + 1) for k in range(1, 5)]  # MP(1, sigma_w^2)
    m = w
    for _ in range(2):
        m = freealg.free_mul_moments(m, w, check=False)
    for _ in range(2):  # preactivation convention: L - 1 = 2 factors D
        m = freealg.free_mul_moments(m, nu, check=False)
    assert got == pytest.approx([float(v) for v in m], rel=1e-12)


def test_jacobian_q_in_follows_the_layers():
    # hard-tanh away from the fixed point: every D_l has its own Bernoulli(p_l)
    net = freealg.MLP(3, "hardtanh", "orthogonal", 1.0, 0.0, jacobian_convention="psg")
    law = net.jacobian_law(q_in=2.0)
    qs = net.q_sequence(2.0)
    ps = [math.erf(1 / math.sqrt(2 * q)) for q in qs]
    assert [_f(nu.p) for nu in law.nus] == pytest.approx(ps, rel=1e-14)
    # orthogonal, sigma_w = 1: m_k = tr((D_3 D_2 D_1)^2k-ish) -> mean prod p_l
    assert _f(law.mean()) == pytest.approx(ps[0] * ps[1] * ps[2], rel=1e-13)


# ---------------------------------------------------------------------------
# Jacobian: the PSG variance closed form (docs/theory.md §5)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("act", ["relu", "hardtanh"])
@pytest.mark.parametrize("L", [2, 5])
def test_variance_equals_psg_closed_form(init, act, L):
    if act == "relu":
        sw, sb = SQ2, 0
    else:
        sw, sb = _hardtanh()
    net = freealg.MLP(L, act, init, sw, sb, jacobian_convention="psg")
    law = net.jacobian_law()
    mu1, mu2 = (float(v) for v in net.d2_moments(2))
    chi = float(net.chi())
    m1 = chi**L  # docs/theory.md §5: m_1 = chi^L
    psg = L * m1**2 * (mu2 / mu1**2 - 1 - net.weight_s1)
    assert _f(law.mean()) == pytest.approx(m1, rel=1e-12)
    assert _f(law.variance()) == pytest.approx(psg, rel=1e-12)
    assert _f(law.variance_closed_form()) == pytest.approx(psg, rel=1e-12)


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
def test_variance_seed_convention_counts_L_minus_1_Ds(init):
    # seed: L weight factors, L - 1 factors D: Var/m_1^2 = (L-1)(mu2/mu1^2 - 1) - L s_1
    L = 4
    net = freealg.MLP(L, "relu", init, SQ2)
    law = net.jacobian_law()
    m1 = 2  # sigma_w^2 chi^(L-1)
    expect = m1**2 * ((L - 1) * (Fraction(1, 2) / Fraction(1, 4) - 1) - L * net.weight_s1)
    assert law.mean() == m1
    assert law.variance() == expect == law.variance_closed_form()


# ---------------------------------------------------------------------------
# Jacobian: curve, density, atoms
# ---------------------------------------------------------------------------


def test_jacobian_density_functional_engine_equals_curve_engine():
    net = freealg.MLP(3, "relu", "orthogonal", SQ2, jacobian_convention="psg")
    law = net.jacobian_law()
    x = np.array([0.3, 1.0, 2.5, 5.0])
    a = law.density(x)
    b = law.curve().density(x)
    assert a.evidence.ok and b.evidence.ok
    assert np.allclose(a.density, b.density, rtol=1e-9, atol=0)
    assert law.curve().degree == 3  # orthogonal psg: degree L
    (lo, hi), = law.support()
    (clo, chi_), = law.curve().support()
    assert hi == pytest.approx(chi_, rel=1e-10)


def test_jacobian_atoms_belinschi():
    # orthogonal hard-tanh, psg: kernel mass max(1 - p) = 1 - p, and the atom
    # max(0, 1 - L(1 - p)) at sigma_w^(2L) (all D_l = 1 on a common subspace)
    sw, sb = _hardtanh(0.05)
    L = 4
    net = freealg.MLP(L, "hardtanh", "orthogonal", sw, sb, jacobian_convention="psg")
    law = net.jacobian_law()
    p = _f(law.nus[0].p)
    at = [(_f(a), _f(m)) for a, m in law.atoms()]
    assert at[0] == pytest.approx((0.0, 1 - p), rel=1e-14)
    assert at[1] == pytest.approx((sw ** (2 * L), 1 - L * (1 - p)), rel=1e-12)
    assert law.lambda_max() == pytest.approx(sw ** (2 * L), rel=1e-12)


def test_rectangular_gaussian_one_layer_is_marchenko_pastur():
    # W (n1 x n0), entries N(0, s^2/n0): W W^T ~ MP(rate n0/n1, jump s^2 n1/n0)
    net = freealg.MLP(1, "relu", "gaussian", 1.5, 0, ratios=(2, 3))
    law = net.jacobian_law()
    mp = freealg.MarchenkoPastur(sympy.Rational(2, 3), sympy.Rational(9, 4) * sympy.Rational(3, 2))
    # a float σ_w gives floats (1.5 is exactly 3/2: the correctly rounded exact moments)
    got = law.moments(4)
    assert all(type(v) is float for v in got) and got == [float(v) for v in mp.moments(4)]


def test_rectangular_gaussian_relu_against_simulation():
    net = freealg.MLP(2, "relu", "gaussian", 1.3, 0, ratios=(1, 1.5, 0.75))
    law = net.jacobian_law()
    want = [_f(v) for v in law.moments(3)]
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(16):
        inst = sample_network(net, 240, rng)  # widths (240, 360, 180)
        x0 = random_input(240, rng)
        J = inst.input_jacobian(x0)
        ev = np.linalg.eigvalsh(J @ J.T)
        rows.append([np.mean(ev**k) for k in (1, 2, 3)])
    rows = np.array(rows)
    mean, se = rows.mean(axis=0), rows.std(axis=0, ddof=1) / math.sqrt(len(rows))
    # tolerance: 4 standard errors of the sample mean (a single network's
    # moments fluctuate by ~10% at this width: the fraction of active ReLUs
    # is a sum of ~300 coin flips) plus the O(1/N) finite-width bias
    # (measured below 2% at N = 200 with 30 samples)
    for k in range(3):
        assert abs(mean[k] - want[k]) <= 4 * se[k] + 0.03 * want[k]


def test_rectangular_curve_and_moments_agree():
    net = freealg.MLP(2, "relu", "gaussian", SQ2, 0, ratios=(1, 2, 1))
    law = net.jacobian_law()
    assert law.curve().matches_moments(law.moments(6))


# ---------------------------------------------------------------------------
# Jacobian: dynamical isometry
# ---------------------------------------------------------------------------


def test_isometry_exact_for_hardtanh_at_zero_bias():
    s = freealg.MLP(12, "hardtanh", "orthogonal", 1, 0, jacobian_convention="psg").jacobian_law().isometry()
    assert (s.mean, s.variance, s.lambda_max, s.mass_near_center) == (1.0, 0.0, 1.0, 1.0)


def test_isometry_non_critical_raises_or_is_documented():
    law = freealg.MLP(3, "relu", "orthogonal", 1.2).jacobian_law()
    with pytest.raises(freealg.InvalidArgumentError, match="not on the critical line"):
        law.isometry()
    s = law.isometry(require_critical=False)
    assert not s.critical
    # preactivation convention: m_1 = sigma_w^2 chi^(L-1), chi = sigma_w^2 / 2
    assert s.mean == pytest.approx(1.44 * 0.72**2, rel=1e-12)
    with pytest.raises(freealg.InvalidArgumentError, match="q_in"):
        freealg.MLP(3, "relu", "orthogonal", SQ2).jacobian_law(q_in=1).isometry()


def test_isometry_window_mass_against_simulation():
    # orthogonal hard-tanh near sigma_b = 0: a large atom at sigma_w^(2L) ~ 1.02 and
    # a bulk; fraction of eigenvalues of J J^T in [0.9, 1.1]
    sw, sb = _hardtanh(0.05)
    L, N, T = 3, 300, 4
    net = freealg.MLP(L, "hardtanh", "orthogonal", sw, sb, jacobian_convention="psg")
    s = net.jacobian_law().isometry(window=0.1)
    q0 = _f(net.jacobian_law().layers.post[0])
    rng = np.random.default_rng(7)
    frac = []
    for _ in range(T):
        inst = sample_network(net, N, rng)
        J = inst.input_jacobian(random_input(N, rng, q0))
        ev = np.linalg.eigvalsh(J @ J.T)
        frac.append(np.mean((ev >= 0.9) & (ev <= 1.1)))
    # tolerance: the atom's finite-N mass fluctuates like a binomial count of the
    # zeros of L diagonals, sd sqrt(L p (1-p)/N) ~ 0.014 per sample; 4 sd of the mean
    sd = math.sqrt(L * 0.02 / N) / math.sqrt(T)
    assert abs(np.mean(frac) - s.mass_near_center) <= 4 * sd + 2.0 / N


# ---------------------------------------------------------------------------
# FIM: moments, mean, atoms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
def test_fim_moments_equal_freeness_engine(init):
    net = freealg.MLP(4, "relu", init, SQ2)
    law = net.fim_law(q_in=Fraction(3, 2))
    model, names = free_model(net)
    theta = names["Theta"]
    qs = sympy.symbols("q_0:4")
    sub = dict(zip(qs, law.q))
    want = [sympy.nsimplify(sympy.expand(model.moment(freealg.tr(theta**k)).subs(sub))) for k in range(1, 4)]
    assert law.moments(3) == want
    assert law.q == [sympy.Rational(3, 2)] * 4  # relu at sigma_w^2 = 2 keeps q_l


@pytest.mark.parametrize("act", ["relu", "hardtanh", "tanh"])
def test_fim_mean_linear_in_depth_at_criticality(act):
    if act == "relu":
        sw, sb = SQ2, 0
    else:
        sw, sb = float(freealg.critical_sigma_w(act, 0.1)), 0.1
    means = []
    for L in range(1, 6):
        law = freealg.MLP(L, act, "orthogonal", sw, sb).fim_law()
        qhat = _f(law.q[0])
        assert all(_f(v) == pytest.approx(qhat, rel=1e-14) for v in law.q)
        means.append(_f(law.mean()))
        assert _f(law.mean_closed_form()) == pytest.approx(means[-1], rel=1e-12)
    # m_1(mu_L) = sum_{l<L} q_l = L q-hat at the fixed point
    assert means == pytest.approx([L * qhat for L in range(1, 6)], rel=1e-12)


@pytest.mark.parametrize("L", [2, 3, 5, 8, 12])
def test_fim_top_atom_formula(L):
    sw, sb = _hardtanh(0.05)
    net = freealg.MLP(L, "hardtanh", "orthogonal", sw, sb)
    law = net.fim_law()
    q = [_f(v) for v in law.q]
    alpha = _f(net.d2_atoms()[1][1])
    t = q[0]
    for ell in range(1, L):
        t = q[ell] + sw**2 * t  # t_L = q_{L-1} + sigma_w^2 t_{L-1}
    mass = max(0.0, 1 - (L - 1) * (1 - alpha))
    loc, m = law.top_atom()
    assert (_f(loc), _f(m)) == pytest.approx((t, mass), rel=1e-12)
    atoms = {round(_f(a), 12): _f(mm) for a, mm in law.atoms()}
    if mass > 0:
        assert atoms[round(t, 12)] == pytest.approx(mass, rel=1e-12)
    else:
        assert round(t, 12) not in atoms
    # the kernel of D_{L-1}: mass 1 - alpha at q_{L-1}
    if L > 1:
        assert atoms[round(q[-1], 12)] == pytest.approx(1 - alpha, rel=1e-12)


def test_fim_top_atom_against_simulation():
    # at finite width the top atom is an exactly repeated eigenvalue of Theta_L at
    # t_L computed with the sampled q_l; its multiplicity fraction estimates the mass
    sw, sb = _hardtanh(0.05)
    L, N, T = 4, 300, 3
    net = freealg.MLP(L, "hardtanh", "orthogonal", sw, sb)
    loc, mass = (_f(v) for v in net.fim_law().top_atom())
    q0 = _f(net.fim_law().q[0])
    rng = np.random.default_rng(3)
    fr, locs = [], []
    for _ in range(T):
        inst = sample_network(net, N, rng)
        x0 = random_input(N, rng, q0)
        ev = np.linalg.eigvalsh(inst.fim_one_sample(x0))
        qs = inst.q(x0)
        t = qs[0]
        for ell in range(1, L):
            t = qs[ell] + sw**2 * t
        locs.append(t)
        fr.append(np.mean(np.abs(ev - t) <= 1e-9 * t))
    # location: the sampled q_l fluctuate by O(N^-1/2) around q-hat*
    assert np.mean(locs) == pytest.approx(loc, rel=0.02)
    # mass: binomial fluctuation of the zero counts of L - 1 diagonals
    sd = math.sqrt((L - 1) * (1 - mass) / N / T + 1e-12)
    assert abs(np.mean(fr) - mass) <= 5 * sd + 1.0 / N


# ---------------------------------------------------------------------------
# FIM: density, support, lambda_max, two-hidden-layer curve
# ---------------------------------------------------------------------------


def test_fim_two_hidden_layers_relu_closed_form():
    law = freealg.MLP(3, "relu", "orthogonal", SQ2).fim_law()
    c = law.curve()
    assert c.degree == 2
    assert c == freealg.fim_two_layer_curve("relu", sigma_w=SQ2, q=(1, 1, 1))
    # edges q2 + s q1 + s^2 q0 (a1 + a2 - 2 a1 a2 +- 2 sqrt(a1 a2 (1-a1)(1-a2))) = 3 +- 4 (1/2 +- 1/2)
    assert law.support() == [pytest.approx((3.0, 7.0), rel=1e-12)]
    assert law.lambda_max() == pytest.approx(7.0, rel=1e-12)
    assert law.learning_rate_bound() == pytest.approx(2 / 7, rel=1e-12)
    assert law.learning_rate_bound(M=100) == pytest.approx(2 / 700, rel=1e-12)
    # the subordination solver against the curve's physical branch (density engine)
    z = np.array([2.0, 3.5, 5.0, 6.9]) + 1e-9j
    assert np.allclose(law.cauchy(z), c.cauchy(z), rtol=1e-9)
    assert np.allclose(law.cauchy(z.conj()), c.cauchy(z).conj(), rtol=1e-9)


def test_fim_hardtanh_two_layer_density_equals_curve():
    sw, sb = _hardtanh(0.1)
    law = freealg.MLP(3, "hardtanh", "orthogonal", sw, sb).fim_law()
    c = law.curve(exact=True)          # float σ's: the curve of their binary values
    (lo, hi), = law.support()
    x = np.linspace(lo, hi, 7)[1:-1]
    a = law.density(x)
    assert a.evidence.ok
    # boundary values of the curve's physical branch, just above the axis
    assert np.allclose(a.density, -c.cauchy(x + 1e-12j).imag / np.pi, rtol=1e-8)
    # support edges against the closed form of fim_two_layer_curve's docstring
    a1, a2 = (_f(v.p) for v in law.nus)
    q0, q1, q2 = (_f(v) for v in law.q)
    s = sw * sw
    r = 2 * math.sqrt(a1 * a2 * (1 - a1) * (1 - a2))
    base = q2 + s * q1
    assert (lo, hi) == pytest.approx((base + s * s * q0 * (a1 + a2 - 2 * a1 * a2 - r),
                                      base + s * s * q0 * (a1 + a2 - 2 * a1 * a2 + r)), rel=1e-10)


def test_fim_two_layer_against_independent_closed_form_density():
    # the closed forms of an independent derivation of mu_3 (S-transform elimination,
    # checked there against Kreweras moments and simulation): with s = sigma_w^2,
    # c = s^2 q_0, t_2 = q_1 + s q_0 and lambda_pm = (sqrt(a1(1-a2)) pm sqrt(a2(1-a1)))^2,
    # edges z_pm = q_2 + s q_1 + c lambda_pm,
    # rho = sqrt((x - z_-)(z_+ - x)) / (2 pi (x - q_2 - s q_1)(q_2 + s t_2 - x)),
    # atoms 1 - a2 at q_2, max(0, a2 - a1) at q_2 + s q_1, max(0, a1 + a2 - 1) at q_2 + s t_2.
    # Hard-tanh off the fixed point (q_in) gives a1 != a2, so all three atoms appear.
    law = freealg.MLP(3, "hardtanh", "orthogonal", 1.2, 0.1).fim_law(q_in=0.8)
    q0, q1, q2 = (_f(v) for v in law.q)
    a1, a2 = (_f(v.p) for v in law.nus)
    s = 1.44
    c, t2 = s * s * q0, q1 + s * q0
    lm = (math.sqrt(a1 * (1 - a2)) - math.sqrt(a2 * (1 - a1))) ** 2
    lp = (math.sqrt(a1 * (1 - a2)) + math.sqrt(a2 * (1 - a1))) ** 2
    zm, zp = q2 + s * q1 + c * lm, q2 + s * q1 + c * lp
    assert law.support() == [pytest.approx((zm, zp), rel=1e-12)]
    x = np.linspace(zm, zp, 9)[1:-1]
    rho = np.sqrt((x - zm) * (zp - x)) / (2 * np.pi * (x - q2 - s * q1) * (q2 + s * t2 - x))
    res = law.density(x)
    assert res.evidence.ok
    assert np.allclose(res.density, rho, rtol=1e-12)
    want = [(q2, 1 - a2), (q2 + s * q1, max(0.0, a2 - a1)), (q2 + s * t2, max(0.0, a1 + a2 - 1))]
    got = [(_f(a), _f(m)) for a, m in law.atoms()]
    assert got == [pytest.approx(w, rel=1e-12) for w in want]


def test_fim_gaussian_relu_moments_and_edge_against_simulation():
    net = freealg.MLP(3, "relu", "gaussian", SQ2)
    law = net.fim_law()
    want = [_f(v) for v in law.moments(3)]
    lam = law.lambda_max()
    rng = np.random.default_rng(5)
    rows, tops = [], []
    for _ in range(4):
        inst = sample_network(net, 300, rng)
        ev = np.linalg.eigvalsh(inst.fim_one_sample(random_input(300, rng, 1.0)))
        rows.append([np.mean(ev**k) for k in (1, 2, 3)])
        tops.append(ev[-1])
    rows = np.array(rows)
    mean, se = rows.mean(axis=0), rows.std(axis=0, ddof=1) / 2
    for k in range(3):  # 4 standard errors + O(1/N) bias (measured < 2%)
        assert abs(mean[k] - want[k]) <= 4 * se[k] + 0.03 * want[k]
    # the largest eigenvalue sits within the O(N^(-2/3)) Tracy-Widom window of the edge
    assert np.mean(tops) == pytest.approx(lam, rel=0.06)


def test_fim_q_in_sequence_and_purely_atomic_case():
    net = freealg.MLP(2, "relu", "orthogonal", 1)
    law = net.fim_law(q_in=1)
    assert law.q == [1, sympy.Rational(1, 2)]
    assert law.atoms() == [(sympy.Rational(1, 2), sympy.Rational(1, 2)), (sympy.Rational(3, 2), sympy.Rational(1, 2))]
    assert law.purely_atomic and law.support() == [] and law.lambda_max() == 1.5
    with pytest.raises(freealg.InvalidArgumentError, match="purely atomic"):
        law.density([1.0])
    one = freealg.MLP(1, "relu", sigma_w=1).fim_law(q_in=2)
    assert one.moments(2) == [2, 4] and one.lambda_max() == 2


# ---------------------------------------------------------------------------
# smooth activations (functional equations; slow)
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_jacobian_tanh_density_certified_and_simulated():
    sw, sb = float(freealg.critical_sigma_w("tanh", 0.1)), 0.1
    net = freealg.MLP(4, "tanh", "orthogonal", sw, sb, jacobian_convention="psg")
    law = net.jacobian_law()
    with pytest.raises(freealg.NotAlgebraicError):
        law.curve()
    res = law.density(np.linspace(0.05, 2.5, 12))
    assert res.evidence.ok
    s = law.isometry()
    q0 = _f(law.layers.post[0])
    rng = np.random.default_rng(11)
    frac = []
    for _ in range(4):
        inst = sample_network(net, 300, rng)
        J = inst.input_jacobian(random_input(300, rng, q0))
        ev = np.linalg.eigvalsh(J @ J.T)
        frac.append(np.mean((ev >= 0.9) & (ev <= 1.1)))
    assert np.mean(frac) == pytest.approx(s.mass_near_center, abs=0.02)


@pytest.mark.slow
def test_fim_tanh_density_certified_and_simulated():
    sw, sb = float(freealg.critical_sigma_w("tanh", 0.1)), 0.1
    net = freealg.MLP(3, "tanh", "orthogonal", sw, sb)
    law = net.fim_law()
    with pytest.raises(freealg.NotAlgebraicError):
        law.curve()
    res = law.density(np.linspace(0.2, 0.8, 10))
    assert res.evidence.ok
    lam = law.lambda_max()
    rng = np.random.default_rng(2)
    tops = []
    for _ in range(3):
        inst = sample_network(net, 300, rng)
        tops.append(np.linalg.eigvalsh(inst.fim_one_sample(random_input(300, rng, _f(law.q[0]))))[-1])
    assert np.mean(tops) == pytest.approx(lam, rel=0.05)


@pytest.mark.slow
def test_fim_deep_hardtanh_certified():
    sw, sb = _hardtanh(0.1)
    law = freealg.MLP(8, "hardtanh", "orthogonal", sw, sb).fim_law()
    res = law.density(np.linspace(0.3, 2.4, 30))
    assert res.evidence.ok and res.evidence.mass_error < 1e-9


@pytest.mark.slow
def test_fim_depth16_hardtanh_certified_with_near_folds():
    # At depth 16 the bulk pieces of layers 7..11 merge into one interval whose
    # density dips at four points on a scale ~3e-4 (complex folds of the
    # subordination system just off the axis).  A quadrature graded only towards
    # the interval ends was off by 2.04e-5; the panels are now halved where the
    # two Gauss rules disagree.  Truth: the continuous
    # mass is 1 minus the exact atoms, 1 - (1 - 15(1 - a)) - (1 - a) = 14(1 - a)
    # with a = P(|h| < 1) (Belinschi's rule written out by hand).
    sw = float(freealg.critical_sigma_w("hardtanh", 0.05))
    law = freealg.MLP(16, "hardtanh", "orthogonal", sw, 0.05).fim_law()
    kernel = min(_f(m) for _, m in law.atoms())
    res = law.density(np.linspace(0.01, 1.05 * law.lambda_max(), 30))
    assert res.evidence.ok and res.evidence.mass_error < 1e-9
    assert res.evidence.mass_continuous == pytest.approx(14 * kernel, abs=1e-12)
    from freealg.dnn._fisher_solver import _FimEngine

    eng = _FimEngine(law)
    near = eng.near_folds()
    assert len(near) == 4
    # each near-fold sits at a dip of the density: its minimum on e +- 6e-3
    # (49 points) is interior and within 2e-3 of e
    t = np.linspace(-6e-3, 6e-3, 49)
    x = np.concatenate([e + t for e in near])
    G, _, _, ok, _ = eng.values(x, np.zeros_like(x))
    d = (-G.imag / np.pi).reshape(-1, t.size)
    j = np.argmin(d, axis=1)
    assert ok.all() and np.all((j > 0) & (j < t.size - 1)) and np.all(np.abs(t[j]) < 2e-3)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


def test_bad_input():
    with pytest.raises(freealg.InvalidArgumentError, match="rectangular"):
        freealg.MLP(2, "relu", "orthogonal", SQ2, ratios=(1, 2, 1)).jacobian_law()
    with pytest.raises(freealg.InvalidArgumentError, match="equal widths"):
        freealg.MLP(2, "relu", "gaussian", SQ2, ratios=(1, 2, 1)).fim_law()
    with pytest.raises(freealg.InvalidArgumentError, match="q_in"):
        freealg.MLP(3, "relu", "orthogonal", 1.2).fim_law()  # q* = 0: Theta_L = 0
    with pytest.raises(freealg.InvalidArgumentError, match="diverges"):
        freealg.MLP(3, "relu", "orthogonal", 1.6).fim_law()  # q* = oo
    with pytest.raises(freealg.InvalidArgumentError, match="q_in"):
        freealg.MLP(3, "relu").jacobian_law(q_in=-1)
    with pytest.raises(freealg.InvalidArgumentError, match="convention"):
        freealg.MLP(3, "relu").jacobian_law(convention="pennington")
    with pytest.raises(freealg.InvalidArgumentError, match="window"):
        freealg.MLP(3, "hardtanh", sigma_w=1).jacobian_law().isometry(window=0)
    with pytest.raises(freealg.TooLargeError, match="degree"):
        freealg.MLP(8, "relu", "orthogonal", SQ2).fim_law().curve()
    with pytest.raises(freealg.InvalidArgumentError, match="positive integer"):
        freealg.MLP(3, "relu", sigma_w=SQ2).fim_law().learning_rate_bound(M=0)
    # moments(0) is [] as for every law (it used to raise here only)
    assert freealg.MLP(3, "relu").jacobian_law().moments(0) == []
    with pytest.raises(freealg.InvalidArgumentError):
        freealg.MLP(3, "relu").jacobian_law().moments(-1)


def test_fim_depth_two_smooth_activation_is_an_affine_copy_of_nu():
    # depth 2, orthogonal: mu_2 = q_1 + sigma_w^2 q_0 nu_1 exactly, so its density is
    # rho(x) = rho_nu((x - q_1)/c)/c with c = sigma_w^2 q_0, rho_nu from ActivationDerivativeLaw
    # (mpmath change of variables), and lambda_max = q_1 + c max(nu) = q_1 + c (tanh'(0)^2 = 1).
    # Before: the subordination point (z - q_1)/c reached the real axis, where the quadrature
    # Cauchy transform of nu has no boundary value: support() was [] and lambda_max() crashed.
    law = freealg.MLP(2, "tanh", "orthogonal", sigma_b=0.05).fim_law()
    q0, q1 = (_f(v) for v in law.q)
    c = _f(law.sigma_w2) * q0
    (lo, hi), = law.support()
    assert hi == pytest.approx(q1 + c, rel=1e-10)
    assert lo > q1
    assert law.lambda_max() == pytest.approx(q1 + c, rel=1e-10)
    x = q1 + c * np.array([0.3, 0.6, 0.9, 0.99])
    res = law.density(x)                          # strict: certified (mass, moments, Im G)
    nu = law.nus[0]
    want = np.array([nu.pdf((v - q1) / c) / c for v in x])
    assert np.allclose(res.density, want, rtol=1e-8)
