"""FisherLaw.lambda_min / condition_number / mean against closed forms and the
spectral curve (a second algorithm)."""

import math

import numpy as np
import pytest
import sympy

import freealg


@pytest.mark.parametrize("sw,q_in", [(1, 1), (sympy.Rational(3, 2), 2), (sympy.sqrt(2), sympy.Rational(1, 3))])
def test_two_layer_orthogonal_is_exact(sw, q_in):
    # L = 2, orthogonal: μ_2 = q_1 + σ_w² q_0 Bernoulli(α): atoms q_1 and q_1 + σ_w² q_0,
    # so κ = 1 + σ_w² q_0 / q_1 exactly; ReLU (σ_b = 0): q_1 = σ_w² q_0 / 2, κ = 3.
    law = freealg.MLP(2, "relu", "orthogonal", sw).fim_law(q_in=q_in)
    assert law.condition_number() == 3
    assert law.lambda_min() == sympy.nsimplify(sw ** 2 * q_in / 2)
    assert law.mean() == sympy.nsimplify(sw ** 2 * q_in / 2 + sw ** 2 * q_in / 2)


def test_two_layer_gaussian_free_poisson_closed_form():
    # Gaussian weights: MP(1, σ²) ⊠ Bernoulli(p) is free Poisson of rate p (S = 1/(p + w)),
    # so μ_2 = q_1 + σ_w² q_0 FreePoisson(p): atom 1 − p at q_1 and the bulk
    # q_1 + σ_w² q_0 [(1 − √p)², (1 + √p)²].  The atom is the lowest point.
    sw, sb = 1.3, 0.1
    for init in ("gaussian", "glorot_normal"):
        law = freealg.MLP(2, "hardtanh", init, sw, sb).fim_law(q_in=1)
        q1 = float(law.q[1])
        p = math.erf(1 / math.sqrt(2 * (sw ** 2 + sb ** 2)))
        lo = q1 + sw ** 2 * (1 - math.sqrt(p)) ** 2
        hi = q1 + sw ** 2 * (1 + math.sqrt(p)) ** 2
        (a, b), = law.support()
        # support edges: bisection to ~1e-12 relative in the engine
        assert a == pytest.approx(lo, rel=1e-9) and b == pytest.approx(hi, rel=1e-9)
        assert law.lambda_min() == pytest.approx(q1, rel=1e-15)
        assert law.condition_number() == pytest.approx(hi / q1, rel=1e-9)
    # ReLU at σ_w = √2, q_0 = q_1 = 1: κ = (1 + 2(1 + 1/√2)²)/1 = 4 + 2√2
    law = freealg.MLP(2, "relu", "gaussian", sympy.sqrt(2)).fim_law(q_in=1)
    assert law.condition_number() == pytest.approx(4 + 2 * math.sqrt(2), rel=1e-9)


def test_three_layer_against_curve():
    # critical ReLU, two hidden layers, orthogonal: atom 1/2 at q̂* = 1 and bulk [3, 7]
    # (docs/dnn_spectra.md); the curve engine (discriminant roots + branch tracking)
    # is an independent second algorithm for the same extremes
    law = freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law()
    curve = law.curve()
    pts = [e for iv in curve.support() for e in iv] + [float(a) for a, m in curve.atoms() if m != 0]
    assert law.lambda_min() == pytest.approx(min(pts), rel=1e-12)
    assert law.condition_number() == pytest.approx(max(pts) / min(pts), rel=1e-9)
    assert law.condition_number() == pytest.approx(7, rel=1e-9)
    # hard-tanh off the critical line: atoms at q_2, inside and above the bulk
    law = freealg.MLP(3, "hardtanh", "orthogonal", 1, 0).fim_law(q_in=1)
    curve = law.curve(exact=True)  # hard-tanh's mean-field q's are floats: their binary values
    pts = [e for iv in curve.support() for e in iv] + [float(a) for a, m in curve.atoms() if m != 0]
    assert law.lambda_min() == pytest.approx(min(pts), rel=1e-9)
    assert law.condition_number() == pytest.approx(max(pts) / min(pts), rel=1e-9)


def test_mean_against_finite_width_trace():
    # tr Θ_L = tr(J_θ J_θᵀ)/M² on sampled networks; the limit is law.mean() = Σ q_ℓ = 3.
    # The statistic fluctuates at O(1/√M) (the q_ℓ = ‖x_ℓ‖²/M of one input do) and its
    # finite-M bias is O(1/M); 5 standard errors of the mean over the trials cover both
    # (the bias allowance 3/M = 0.025 at M = 120 is below one standard error, 0.17 here).
    from freealg.simulate import random_input, sample_network

    net = freealg.MLP(3, "relu", "orthogonal", 2 ** 0.5)
    law = net.fim_law(q_in=1)
    M, T = 120, 8
    rng = np.random.default_rng(5)
    vals = []
    for _ in range(T):
        inst = sample_network(net, M, rng)
        J = inst.parameter_jacobian(random_input(M, rng, 1.0))
        vals.append(np.sum(J * J) / M ** 2)
    mean, se = np.mean(vals), np.std(vals, ddof=1) / math.sqrt(T)
    assert abs(mean - float(law.mean())) <= 5 * se + 3 / M, (mean, se)
