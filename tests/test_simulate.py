"""Tests of freealg.simulate: ensembles against exact finite-n moments, and
finite-width networks against finite differences and explicit Jacobians.

Statistical tolerances: every Monte-Carlo assertion is of the form
|mean - exact| < 5 * SE, where SE is the standard error of the mean estimated
from the samples.  With a fixed seed the test is deterministic; the 5-sigma
threshold means a correct implementation would fail for fewer than 1 in 10^6
seeds, while the bugs these tests target (a missing sign correction, a wrong
variance, a missing factor 2 on the GOE diagonal) shift the mean by tens of SE.
"""

import math

import numpy as np
import pytest

import freealg
from freealg import simulate
from freealg.errors import InvalidArgumentError


def _mc_close(samples, exact, nsig=5.0):
    samples = np.asarray(samples, dtype=float)
    se = samples.std(ddof=1) / math.sqrt(samples.size)
    z = (samples.mean() - exact) / se
    assert abs(z) < nsig, f"mean {samples.mean()} vs exact {exact}: z = {z:.2f} (SE {se:.3g})"
    return z


def _net(depth=3, activation="tanh", init="orthogonal", sigma_w=1.3, sigma_b=0.2, **kw):
    return freealg.MLP(depth=depth, activation=activation, init=init,
                       sigma_w=sigma_w, sigma_b=sigma_b, **kw)


# ---------------------------------------------------------------------------
# Haar orthogonal / unitary
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7, 30])
def test_haar_orthogonal_is_orthogonal(n):
    o = simulate.haar_orthogonal(n, np.random.default_rng(n))
    assert o.shape == (n, n)
    np.testing.assert_allclose(o @ o.T, np.eye(n), atol=1e-12)
    np.testing.assert_allclose(o.T @ o, np.eye(n), atol=1e-12)


def test_haar_orthogonal_entry_law():
    # For Haar O in O(n): E O_11 = 0, E[n O_11^2] = 1 and E[O_11^4] = 3/(n(n+2))
    # exactly.  Without the sign correction numpy's Householder QR returns
    # Q_11 < 0 always, so E O_11 = 0 is the test of the correction (it would
    # fail by ~ sqrt(T) * 0.8 / 1 ~ 35 SE).
    n, T = 6, 2000
    rng = np.random.default_rng(11)
    o11 = np.array([simulate.haar_orthogonal(n, rng)[0, 0] for _ in range(T)])
    _mc_close(math.sqrt(n) * o11, 0.0)
    _mc_close(n * o11**2, 1.0)
    _mc_close(o11**4, 3.0 / (n * (n + 2)))
    # left and right invariance: a fixed rotation V does not change the law of
    # (V O)_11 and (O V)_11 (both must still satisfy E[n X^2] = 1, E X = 0 and
    # have the right 4th moment)
    v = simulate.haar_orthogonal(n, np.random.default_rng(99))
    vo = np.array([(v @ simulate.haar_orthogonal(n, rng) @ v.T)[0, 0] for _ in range(T)])
    _mc_close(math.sqrt(n) * vo, 0.0)
    _mc_close(n * vo**2, 1.0)
    _mc_close(vo**4, 3.0 / (n * (n + 2)))


def test_haar_orthogonal_trace_moments():
    # Diaconis-Shahshahani: for n >= 2k, E Tr(O^j) = 1 (j even) or 0 (j odd),
    # j <= k.  So tr(O^j) = Tr(O^j)/n -> 0 with an O(1/n) correction.
    n, T = 10, 3000
    rng = np.random.default_rng(12)
    traces = np.array([[np.trace(np.linalg.matrix_power(o, j)) for j in (1, 2, 3, 4)]
                       for o in (simulate.haar_orthogonal(n, rng) for _ in range(T))])
    for j, col in zip((1, 2, 3, 4), traces.T):
        _mc_close(col, 1.0 if j % 2 == 0 else 0.0)
    # Var Tr(O) = 1 (exact for n >= 2): second moment of a centred quantity
    _mc_close(traces[:, 0] ** 2, 1.0)


def test_haar_unitary():
    n, T = 5, 3000
    rng = np.random.default_rng(13)
    u = simulate.haar_unitary(n, rng)
    np.testing.assert_allclose(u.conj().T @ u, np.eye(n), atol=1e-12)
    # E Tr U^k = 0 for k >= 1 and E |Tr U|^2 = 1 (n >= 1), E|Tr U^2|^2 = 2 (n >= 2)
    tr1, tr2 = [], []
    for _ in range(T):
        u = simulate.haar_unitary(n, rng)
        tr1.append(np.trace(u))
        tr2.append(np.trace(u @ u))
    tr1, tr2 = np.array(tr1), np.array(tr2)
    _mc_close(tr1.real, 0.0)
    _mc_close(tr2.imag, 0.0)
    _mc_close(np.abs(tr1) ** 2, 1.0)
    _mc_close(np.abs(tr2) ** 2, 2.0)


# ---------------------------------------------------------------------------
# Ginibre, Wigner, Wishart against exact finite-n moments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["real", "complex"])
def test_ginibre_moments(field):
    # X n x n with E|X_ij|^2 = v/n.  Exact: E tr(X X*) = v;
    # E tr((X X*)^2) = v^2 (2 + 1/n) (real; the 1/n is the non-orientable
    # Wick pairing) and 2 v^2 (complex).
    n, v, T = 6, 0.7, 4000
    rng = np.random.default_rng(21)
    t1, t2 = [], []
    for _ in range(T):
        x = simulate.ginibre(n, rng, variance=v, field=field)
        a = x @ x.conj().T
        t1.append(np.trace(a).real / n)
        t2.append(np.trace(a @ a).real / n)
    _mc_close(t1, v)
    _mc_close(t2, v**2 * (2 + 1 / n) if field == "real" else 2 * v**2)
    x = simulate.ginibre(3, rng, m=5, field=field)
    assert x.shape == (3, 5)
    assert np.iscomplexobj(x) == (field == "complex")


@pytest.mark.parametrize("field,exact2,exact4", [
    # E tr H^2 / v: GOE 1 + 1/n (the diagonal has variance 2v/n), GUE 1;
    # genus expansion of E tr H^4 / v^2 (semicircle limit 2):
    # GOE 2 + 5/n + 5/n^2, GUE 2 + 1/n^2 (Harer-Zagier)
    ("real", lambda n: 1 + 1 / n, lambda n: 2 + 5 / n + 5 / n**2),
    ("complex", lambda n: 1.0, lambda n: 2 + 1 / n**2),
])
def test_wigner_moments(field, exact2, exact4):
    n, v, T = 5, 1.5, 6000
    rng = np.random.default_rng(31)
    t2, t4 = [], []
    for _ in range(T):
        h = simulate.wigner(n, rng, variance=v, field=field)
        h2 = h @ h
        t2.append(np.trace(h2).real / n)
        t4.append(np.trace(h2 @ h2).real / n)
    np.testing.assert_allclose(h, h.conj().T)
    _mc_close(t2, v * exact2(n))
    _mc_close(t4, v**2 * exact4(n))


@pytest.mark.parametrize("field", ["real", "complex"])
def test_wishart_moments(field):
    # W = X X*, X n x m, E|X_ij|^2 = v/n, lambda = m/n.  Exact:
    # E tr W = lambda v, E tr W^2 = v^2 (lambda^2 + lambda + lambda/n) (real),
    # v^2 (lambda^2 + lambda) (complex): the limit is MarchenkoPastur(rate=lambda, jump=v)
    n, m, v, T = 4, 6, 2.0, 4000
    lam = m / n
    rng = np.random.default_rng(41)
    t1, t2 = [], []
    for _ in range(T):
        w = simulate.wishart(n, rng, variance=v, m=m, field=field)
        t1.append(np.trace(w).real / n)
        t2.append(np.trace(w @ w).real / n)
    _mc_close(t1, lam * v)
    extra = lam / n if field == "real" else 0.0
    _mc_close(t2, v**2 * (lam**2 + lam + extra))
    assert np.all(np.linalg.eigvalsh(w) > -1e-12)
    assert simulate.wishart(10, rng, rate=0.5).shape == (10, 10)


def test_wishart_limit_is_marchenko_pastur():
    # large n: tr W^k approaches the free Poisson moments (Narayana polynomials
    # at rate 2: 2, 6, 22); fluctuations are O(1/n) and the real-Ginibre bias is
    # O(1/n), so at n = 400 a 2% relative tolerance is ~ 10x the expected error.
    w = simulate.wishart(400, np.random.default_rng(5), rate=2.0)
    ev = np.linalg.eigvalsh(w)
    moments = [float(np.mean(ev**k)) for k in (1, 2, 3)]
    np.testing.assert_allclose(moments, [2, 6, 22], rtol=0.02)


def test_random_input():
    x = simulate.random_input(17, np.random.default_rng(0), q0=0.3)
    assert x.shape == (17,)
    assert float(x @ x) / 17 == pytest.approx(0.3, rel=1e-12)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "4", True])
def test_bad_sizes(bad):
    with pytest.raises(InvalidArgumentError, match="positive integer"):
        simulate.haar_orthogonal(bad, np.random.default_rng(0))


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidArgumentError, match="numpy Generator"):
        simulate.ginibre(3, 0)
    with pytest.raises(InvalidArgumentError, match="variance"):
        simulate.ginibre(3, rng, variance=-1)
    with pytest.raises(InvalidArgumentError, match="finite"):
        simulate.wigner(3, rng, variance=float("nan"))
    with pytest.raises(InvalidArgumentError, match="field"):
        simulate.wishart(3, rng, field="quaternion")
    with pytest.raises(InvalidArgumentError, match="rounds to 0"):
        simulate.wishart(3, rng, rate=0.1)


# ---------------------------------------------------------------------------
# finite-width networks
# ---------------------------------------------------------------------------


def _fd_input_jacobian(inst, x, convention, eps=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = eps
        fp, fm = inst.forward(x + e), inst.forward(x - e)
        if convention == "preactivation":
            cols.append((fp.h[-1] - fm.h[-1]) / (2 * eps))
        else:
            cols.append((fp.x[-1] - fm.x[-1]) / (2 * eps))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("activation", ["tanh", "erf", "relu", "hardtanh"])
@pytest.mark.parametrize("init", ["gaussian", "orthogonal"])
def test_input_jacobian_finite_differences(activation, init):
    # central differences have error O(eps^2 * phi''') ~ 1e-12 for smooth phi;
    # for relu / hard-tanh the function is piecewise linear and the difference
    # is exact unless a pre-activation lies within eps*|dh| ~ 1e-6 of a kink
    # (probability ~ 1e-5 per unit: excluded for this fixed seed).
    net = _net(depth=4, activation=activation, init=init, sigma_w=1.4, sigma_b=0.3)
    rng = np.random.default_rng(7)
    inst = simulate.sample_network(net, 12, rng)
    x = simulate.random_input(12, rng, q0=1.0)
    for convention in ("preactivation", "psg"):
        j = inst.input_jacobian(x, convention=convention)
        np.testing.assert_allclose(j, _fd_input_jacobian(inst, x, convention), atol=1e-7)


def test_jacobian_structure():
    net = _net(depth=3, activation="tanh", sigma_w=1.1, sigma_b=0.0)
    rng = np.random.default_rng(8)
    inst = simulate.sample_network(net, 9, rng)
    x = simulate.random_input(9, rng)
    fp = inst.forward(x)
    d = inst.D(x)
    assert len(d) == 3 and len(fp.h) == 3 and len(fp.x) == 4
    np.testing.assert_allclose(np.diag(d[0]), 1 - np.tanh(fp.h[0]) ** 2)
    w = inst.weights
    np.testing.assert_allclose(inst.input_jacobian(x, "preactivation"), w[2] @ d[1] @ w[1] @ d[0] @ w[0])
    np.testing.assert_allclose(inst.input_jacobian(x, "psg"), d[2] @ w[2] @ d[1] @ w[1] @ d[0] @ w[0])
    np.testing.assert_allclose(fp.h[0], w[0] @ x)  # sigma_b = 0: zero biases
    np.testing.assert_allclose(fp.x[3], np.tanh(fp.h[2]))
    # batch forward agrees column by column
    xb = np.stack([x, 2 * x], axis=1)
    np.testing.assert_allclose(inst.forward(xb).output[:, 1], inst.output(2 * x))


def test_weight_laws():
    rng = np.random.default_rng(9)
    inst = simulate.sample_network(_net(init="orthogonal", sigma_w=1.7), 20, rng)
    for w in inst.weights:
        np.testing.assert_allclose(w @ w.T, 1.7**2 * np.eye(20), atol=1e-12)
    # Gaussian: entries N(0, sigma_w^2 / M); 3 * 400 * 400 entries give the
    # variance to a relative SE of sqrt(2 / 480000) ~ 0.2%, we allow 1%.
    inst = simulate.sample_network(_net(init="gaussian", sigma_w=1.7, sigma_b=0.5), 400, rng)
    allw = np.concatenate([w.ravel() for w in inst.weights])
    assert np.var(allw) * 400 == pytest.approx(1.7**2, rel=0.01)
    allb = np.concatenate(inst.biases)  # 1200 biases: relative SE of var ~ 4%, allow 20%
    assert np.var(allb) == pytest.approx(0.25, rel=0.2)


def test_fim_equals_parameter_jacobian_gram():
    # M Theta_L = J_theta J_theta^T exactly (weights only, equal widths), and
    # with the biases when Theta uses q_l + 1/M (documented in fim_one_sample)
    for activation, init in [("tanh", "gaussian"), ("relu", "orthogonal"), ("hardtanh", "gaussian")]:
        net = _net(depth=4, activation=activation, init=init, sigma_w=1.2, sigma_b=0.4)
        rng = np.random.default_rng(10)
        M = 8
        inst = simulate.sample_network(net, M, rng)
        x = simulate.random_input(M, rng, q0=0.8)
        for biases in (False, True):
            jt = inst.parameter_jacobian(x, biases=biases)
            theta = inst.fim_one_sample(x, biases=biases)
            np.testing.assert_allclose(M * theta, jt @ jt.T, rtol=1e-12, atol=1e-12)
        # the bias contribution is not zero: the two Thetas differ
        assert not np.allclose(inst.fim_one_sample(x), inst.fim_one_sample(x, biases=True))


def test_fim_recursion_by_hand():
    # L = 2: Theta_2 = q_1 I + q_0 W_2 D_1 D_1 W_2^T
    net = _net(depth=2, activation="tanh", init="gaussian", sigma_w=1.0, sigma_b=0.1)
    rng = np.random.default_rng(3)
    inst = simulate.sample_network(net, 6, rng)
    x = simulate.random_input(6, rng, q0=1.5)
    q0, q1 = inst.q(x)
    assert q0 == pytest.approx(1.5)
    w2, d1 = inst.weights[1], inst.D(x)[0]
    np.testing.assert_allclose(inst.fim_one_sample(x), q1 * np.eye(6) + q0 * w2 @ d1 @ d1 @ w2.T)


def test_parameter_jacobian_finite_differences():
    net = _net(depth=3, activation="tanh", init="gaussian", sigma_w=1.3, sigma_b=0.5)
    rng = np.random.default_rng(4)
    inst = simulate.sample_network(net, 5, rng)
    x = simulate.random_input(5, rng)
    theta = inst.flat_parameters(biases=True)
    jt = inst.parameter_jacobian(x, biases=True)
    assert jt.shape == (5, theta.size) == (5, 3 * 25 + 3 * 5)
    eps = 1e-6
    fd = np.empty_like(jt)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = eps
        fp = inst.with_parameters(theta + e, biases=True).output(x)
        fm = inst.with_parameters(theta - e, biases=True).output(x)
        fd[:, k] = (fp - fm) / (2 * eps)
    # central differences of a smooth (tanh) map: truncation ~ eps^2 ~ 1e-12,
    # rounding ~ 1e-16 / eps ~ 1e-10
    np.testing.assert_allclose(jt, fd, atol=1e-8)


def test_rectangular_widths():
    net = _net(depth=3, activation="tanh", init="orthogonal", sigma_w=1.0, sigma_b=0.0,
               ratios=(1.0, 2.0, 0.5, 1.0))
    rng = np.random.default_rng(6)
    inst = simulate.sample_network(net, 6, rng)
    assert inst.widths == (6, 12, 3, 6)
    w1, w2 = inst.weights[0], inst.weights[1]
    # expanding layer: W^T W = (M_1/M_0) I; contracting: W W^T = I
    np.testing.assert_allclose(w1.T @ w1, 2.0 * np.eye(6), atol=1e-12)
    np.testing.assert_allclose(w2 @ w2.T, np.eye(3), atol=1e-12)
    x = simulate.random_input(6, rng)
    np.testing.assert_allclose(inst.input_jacobian(x), _fd_input_jacobian(inst, x, "preactivation"), atol=1e-7)


def test_network_errors():
    rng = np.random.default_rng(0)
    inst = simulate.sample_network(_net(), 4, rng)
    with pytest.raises(InvalidArgumentError, match="shape"):
        inst.forward(np.ones(5))
    with pytest.raises(InvalidArgumentError, match="convention"):
        inst.input_jacobian(np.ones(4), convention="pennington")
    with pytest.raises(InvalidArgumentError, match="MLP"):
        simulate.sample_network(object(), 4, rng)
    with pytest.raises(InvalidArgumentError, match="numpy Generator"):
        simulate.sample_network(_net(), 4, 3)


def test_fixed_widths():
    net = _net(depth=2, activation="relu", init="gaussian", sigma_w=1.0, sigma_b=0.0,
               widths=(4, 7, 3))
    rng = np.random.default_rng(2)
    inst = simulate.sample_network(net, None, rng)
    assert inst.widths == (4, 7, 3) and inst.width == 4
    assert [w.shape for w in inst.weights] == [(7, 4), (3, 7)]
    with pytest.raises(InvalidArgumentError, match="fixes the widths"):
        simulate.sample_network(net, 5, rng)
    with pytest.raises(InvalidArgumentError, match="width is required"):
        simulate.sample_network(_net(), None, rng)


def test_network_instance_names_a_one_dimensional_first_weight():
    # a 1-d W_1 used to fail with a bare IndexError before the shape check
    from freealg.errors import InvalidArgumentError

    net = freealg.MLP(1, "relu")
    with pytest.raises(InvalidArgumentError, match=r"W_1 has shape \(3,\)"):
        simulate.NetworkInstance(net, [np.zeros(3)], [np.zeros(3)])
