"""The MLP's free model: traces from the freeness engine against the
S-transform route (free_mul_moments of the layer factors, docs/theory.md §5) and the
FIM recursion polynomial against its definition."""

import math
from fractions import Fraction

import pytest
import sympy

import freealg
from freealg.dnn.polynomials import d_moments, fim_polynomial, free_model, jacobian_polynomial


def _point(c, n):
    return [c**k for k in range(1, n + 1)]


def _mp(v, n):
    # Marchenko–Pastur of ratio 1 scaled by v: moments v^k Cat_k
    return [v**k * (math.comb(2 * k, k) // (k + 1)) for k in range(1, n + 1)]


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("convention", ["preactivation", "psg"])
def test_relu_jacobian_moments_equal_s_transform_route(init, convention):
    L, n = 3, 4
    sw = sympy.sqrt(2)
    net = freealg.MLP(L, "relu", init=init, sigma_w=sw, jacobian_convention=convention)
    model, names = free_model(net)
    J = names["J"]
    got = [sympy.nsimplify(model.moment(freealg.tr((J * J.T) ** k))) for k in range(1, n + 1)]
    # mu_{JJ^T} = ⊠ of L laws of W^T W and len(d_layers) Bernoulli(1/2) laws (D^2 = D)
    w = _point(2, n) if init == "orthogonal" else _mp(2, n)
    m = w
    for _ in range(L - 1):
        m = freealg.free_mul_moments(m, w)
    for _ in net.d_layers:
        m = freealg.free_mul_moments(m, [Fraction(1, 2)] * n)
    assert got == [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v for v in m]


def test_hardtanh_uses_q_star_bernoulli():
    net = freealg.MLP(2, "hardtanh", sigma_w=1.2, sigma_b=0.1)
    p = float(net.d2_atoms()[1][1])  # P(phi'^2 = 1) at q*
    mom = d_moments(net, 1)
    assert float(mom(1)) == pytest.approx(p, rel=1e-12) and float(mom(3)) == pytest.approx(p, rel=1e-12)
    model, names = free_model(net)
    J = names["J"]
    t2 = float(model.moment(freealg.tr((J * J.T) ** 2)))
    # L = 2 seed: JJ^T has the law of sigma_w^4 * Bernoulli(p): second moment sigma_w^8 p
    assert t2 == pytest.approx(1.2**8 * p, rel=1e-12)


def test_tanh_quadrature_moments_and_trace():
    net = freealg.MLP(2, "tanh", sigma_w=1.1, sigma_b=0.05)
    mom = d_moments(net, 1)
    q = net.q_star()
    # independent quadrature: composite trapezoid on a wide grid (Gaussian tails < 1e-20)
    import numpy as np

    z = np.linspace(-12, 12, 200001)
    w = np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    d = 1 - np.tanh(math.sqrt(q) * z) ** 2
    for k in (1, 2, 4):
        assert mom(k) == pytest.approx(np.trapezoid(w * d**k, z), rel=1e-10)
    model, names = free_model(net)
    J = names["J"]
    got = model.moment(freealg.tr((J * J.T) ** 2))
    # seed L = 2 orthogonal: JJ^T ~ sigma_w^4 D^2, so tr((JJ^T)^2) = sigma_w^8 E[phi'^4]
    assert got == pytest.approx(1.1**8 * mom(4), rel=1e-10)


def test_fim_polynomial_recursion_and_trace():
    net = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2))
    q0, q1, q2 = sympy.symbols("q_0 q_1 q_2")
    theta = fim_polynomial(net)
    W1, W2, W3 = freealg.nc_symbols("W1 W2 W3")
    D1, D2 = freealg.nc_symbols("D1 D2", selfadjoint=True)
    I = freealg.I
    expected = q2 * I + W3 * D2 * (q1 * I + W2 * D1 * (q0 * I) * D1 * W2.T) * D2 * W3.T
    assert theta == expected
    model, names = free_model(net)
    # tr(Theta_3) = q2 + sigma_w^2 alpha (q1 + sigma_w^2 alpha q0), alpha = 1/2, sigma_w^2 = 2
    assert sympy.expand(model.moment(freealg.tr(theta)) - (q2 + q1 + q0)) == 0
    with pytest.raises(freealg.InvalidArgumentError):
        fim_polynomial(net, q=[1, 2])


def test_jacobian_polynomial_conventions():
    J, names = jacobian_polynomial(freealg.MLP(3, "relu"))
    assert J == names["W3"] * names["D2"] * names["W2"] * names["D1"] * names["W1"]
    J, names = jacobian_polynomial(freealg.MLP(2, "relu", jacobian_convention="psg"))
    assert J == names["D2"] * names["W2"] * names["D1"] * names["W1"]


def test_symbolic_model():
    s = sympy.Symbol("sigma_w", positive=True)
    model, names = free_model(freealg.MLP(2, "relu"), symbolic=True, sigma_w=s)
    J = names["J"]
    got = model.moment(freealg.tr(J * J.T))
    assert sympy.simplify(got - s**4 * freealg.moment_symbol(names["D1"], 2)) == 0


@pytest.mark.parametrize("init, expected", [("orthogonal", [1, 1, 1]), ("gaussian", [1, 4, 22])])
def test_hardtanh_at_zero_variance_uses_the_limit_law(init, expected):
    # sigma_b = 0, sigma_w = 1: q* = 0, and the law of hardtanh'(h) is its q -> 0+
    # limit, the point mass at 1 (substituting q = 0 into erf(1/sqrt(2q)) gave nan).
    # So J = W3 W2 W1: orthogonal -> JJ^T = I; Gaussian -> MP^{⊠3}, whose moments are
    # the Fuss-Catalan numbers binom(4k, k)/(3k + 1) = 1, 4, 22.
    from freealg import MLP, tr
    from freealg.dnn.polynomials import free_model

    net = MLP(depth=3, activation="hardtanh", init=init, sigma_w=1.0, sigma_b=0)
    model, names = free_model(net)
    J = names["J"]
    got = [model.moment(tr((J * J.T) ** k)) for k in (1, 2, 3)]
    assert [float(v) for v in got] == expected


@pytest.mark.parametrize("dps", [None, 40])
def test_hardtanh_float_moments_evaluate_the_erf(dps):
    # exact=False used to raise TypeError (sympy.Float of the unevaluated
    # 1 - erf(...)); D is Bernoulli(p) on {0, 1} with p = P(|h| < 1) = erf(1/sqrt(2q))
    from freealg._utils.mpctx import mpmath

    net = freealg.MLP(3, "hardtanh", sigma_w=1.2, sigma_b=0.3)
    q = net.q_star(dps=dps)
    m = d_moments(net, 1, exact=False, dps=dps)
    digits = 14 if dps is None else 35
    with mpmath.workdps(60):
        p = mpmath.erf(1 / mpmath.sqrt(2 * mpmath.mpf(q)))
        for k in (1, 2, 5):
            assert isinstance(m(k), sympy.Float)
            assert abs(mpmath.mpf(m(k)) - p) < mpmath.mpf(10) ** -digits * p
        assert abs(mpmath.mpf(m(0)) - 1) < mpmath.mpf(10) ** -digits
        if dps is None:  # q and the arithmetic on it carry guard digits: correctly rounded
            assert float(m(1)) == float(p)
            net2 = freealg.MLP(3, "hardtanh", sigma_w=1.2)
            q1 = net2.q_sequence(2.7 / 1.44)[0]  # the float 2.7, where 15-digit arithmetic was 1 ulp off
            m2 = d_moments(net2, 1, q_in=2.7 / 1.44, exact=False)
            assert float(m2(1)) == float(mpmath.erf(1 / mpmath.sqrt(2 * mpmath.mpf(q1))))


def test_negative_slope_keeps_the_sign_of_phi_prime():
    # leaky relu with slope -1/2: phi' takes the values -1/2 and 1, so the odd
    # moments of D are not those of |phi'| (the square root of the law of
    # phi'^2 gave E[|phi'|] = 3/4 instead of 1/4); truth by mpmath quadrature
    from freealg._utils.mpctx import mpmath

    act = freealg.get_activation("leaky_relu", slope=sympy.Rational(-1, 2))
    net = freealg.MLP(3, act, sigma_w=1)
    m = d_moments(net, 2, q_in=sympy.Rational(3, 2))
    mf = d_moments(net, 2, q_in=sympy.Rational(3, 2), exact=False)
    for k in range(0, 6):
        truth = mpmath.quad(lambda z: act.dphi_mp(z) ** k * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        assert abs(mpmath.mpf(sympy.N(m(k), 30)) - truth) < 1e-14
        assert abs(float(mf(k)) - float(truth)) < 1e-14
    assert m(1) == sympy.Rational(1, 4) and m(3) == sympy.Rational(7, 16)
