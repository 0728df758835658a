"""Glorot (Xavier) initialisation: the spec, the sampler, and universality of
the Jacobian spectrum (the theory uses the Gaussian law of equal variance)."""

import math
from fractions import Fraction

import numpy as np
import pytest

import freealg
from freealg.errors import InvalidArgumentError
from freealg.simulate import sample_network


def _fuss_catalan(L, n):
    """Moments of MP^{⊠L}: binom((L+1)n, n)/(Ln + 1) (Haagerup–Möller)."""
    return Fraction(math.comb((L + 1) * n, n), L * n + 1)


def test_glorot_variance_and_family():
    net = freealg.MLP(2, "relu", init="glorot_uniform", sigma_w=3)
    assert net.weight_family == "gaussian"
    # 2/(n_in + n_out) times the gain squared
    assert net.weight_variance(10, 30) == Fraction(9 * 2, 40)
    assert freealg.MLP(2, "relu", init="orthogonal").weight_family == "orthogonal"
    with pytest.raises(InvalidArgumentError, match="unequal widths"):
        freealg.MLP(2, "relu", init="glorot_normal", widths=(10, 20, 10))
    with pytest.raises(InvalidArgumentError, match="glorot_uniform"):
        freealg.MLP(2, "relu", init="glorot")


@pytest.mark.parametrize("init", ["glorot_uniform", "glorot_normal"])
def test_glorot_sampler_entry_law(init):
    # rectangular layers are sampled with the true Glorot variance 2/(n_in + n_out)
    # (a duck-typed spec; freealg.MLP itself refuses unequal Glorot widths)
    class Spec:
        depth, activation, sigma_w, sigma_b = 1, freealg.get_activation("linear"), 1.0, 0.0
        widths, ratios = (600, 200), None
    Spec.init = init
    w = sample_network(Spec(), rng=np.random.default_rng(3)).weights[0]
    var = 2.0 / 800
    # 120000 i.i.d. entries: the sample variance has relative standard error
    # sqrt((m4/var^2 - 1)/n) <= sqrt(2/120000) = 0.0041; 5 standard errors
    assert abs(w.var() / var - 1) < 5 * math.sqrt(2 / w.size)
    if init == "glorot_uniform":
        a = math.sqrt(6.0 / 800)
        assert np.abs(w).max() <= a
        # uniform on [-a, a]: E w^4 / var^2 = 9/5 (Gaussian: 3).  Standard error of
        # the sample kurtosis: sqrt(E w^8/(E w^4)^2 - 1)/sqrt(n) relative = 0.0039
        # (uniform), 0.0094 (Gaussian), plus twice the variance's 0.0041: about 0.018
        # and 0.05 absolute; the bounds are 3 standard errors
        assert abs(np.mean(w ** 4) / w.var() ** 2 - 1.8) < 0.055
    else:
        assert abs(np.mean(w ** 4) / w.var() ** 2 - 3.0) < 0.15


@pytest.mark.parametrize("act", ["relu", "hardtanh"])
def test_glorot_theory_is_gaussian_theory(act):
    g = freealg.MLP(3, act, init="gaussian", sigma_w=2)
    for init in ("glorot_uniform", "glorot_normal"):
        n = g.replace(init=init)
        assert n.jacobian_law().moments(3) == g.jacobian_law().moments(3)
        assert n.fim_law(q_in=1).moments(3) == g.fim_law(q_in=1).moments(3)


def test_glorot_universality_linear_jacobian():
    """Moments of J Jᵀ (J = W_3 W_2 W_1, linear net, gain 1) at width 400 for
    uniform and Gaussian Glorot entries agree with each other and with the
    Fuss–Catalan moments 1, 4, 22 of MP^{⊠3} that the theory gives."""
    L, N, T = 3, 400, 8
    law_moments = freealg.MLP(L, "linear", init="glorot_uniform", sigma_w=1).jacobian_law().moments(3)
    assert [Fraction(str(v)) for v in law_moments] == [_fuss_catalan(L, n) for n in (1, 2, 3)]
    stats = {}
    for init in ("glorot_uniform", "glorot_normal"):
        net = freealg.MLP(L, "linear", init=init, sigma_w=1)
        rng = np.random.default_rng(2024)
        rows = []
        for _ in range(T):
            W = sample_network(net, N, rng).weights
            J = W[2] @ W[1] @ W[0]
            ev = np.linalg.eigvalsh(J @ J.T)
            rows.append([np.mean(ev ** k) for k in (1, 2, 3)])
        rows = np.array(rows)
        stats[init] = (rows.mean(0), rows.std(0, ddof=1) / math.sqrt(T))
    # Tolerance: 4 standard errors of the trial mean (the trace statistics
    # fluctuate at O(1/N); the standard error is estimated from the T trials)
    # plus an allowance for the O(1/N) bias of E tr (J Jᵀ)^k at finite N.
    # The bias is exactly 0 for k = 1 (E tr JJᵀ = prod of variances x N = 1 for any
    # entry law); for one Wishart factor E tr (W Wᵀ)^2 = 2 + (m4 - 2)/N with
    # m4 = 3 (Gaussian) or 9/5 (uniform), and the L factors of a product add such
    # terms, so we allow k^2 L m_k / N (0.12 for k = 2, 1.5 for k = 3 at N = 400;
    # over 20 trials per init the measured biases were within one standard error,
    # at most 0.005 for k = 2 and 0.1 for k = 3).
    for k in (1, 2, 3):
        mk = float(law_moments[k - 1])
        bias = 0.0 if k == 1 else k * k * L * mk / N
        mu, mn = stats["glorot_uniform"][0][k - 1], stats["glorot_normal"][0][k - 1]
        su, sn = stats["glorot_uniform"][1][k - 1], stats["glorot_normal"][1][k - 1]
        assert abs(mu - mk) <= 4 * su + bias, (k, mu, mk, su)
        assert abs(mn - mk) <= 4 * sn + bias, (k, mn, mk, sn)
        assert abs(mu - mn) <= 4 * math.hypot(su, sn) + bias, (k, mu, mn)
