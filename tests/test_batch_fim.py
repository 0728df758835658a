"""The small-batch conditional FIM (freealg.simulate.fim_batch, verify.check_batch_fim)."""
import numpy as np
import pytest

import freealg
from freealg import simulate, verify
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError


@pytest.mark.parametrize("act,init", [("relu", "gaussian"), ("tanh", "orthogonal")])
def test_batch_gram_against_the_parameter_jacobians(act, init):
    # independent algorithm: the non-zero eigenvalues of sum_t J_t^T J_t (explicit
    # parameter Jacobians, P x P) are those of M times the batch Gram matrix
    rng = np.random.default_rng(3)
    net = freealg.MLP(3, act, init=init, sigma_w=1.3, sigma_b=0.2)
    M, T = 12, 3
    inst = simulate.sample_network(net, M, rng)
    xs = np.stack([simulate.random_input(M, rng, 1.0) for _ in range(T)])
    G = simulate.fim_batch(inst, xs)
    # the diagonal blocks are the one-sample matrices
    for t in range(T):
        np.testing.assert_allclose(G[t * M:(t + 1) * M, t * M:(t + 1) * M], inst.fim_one_sample(xs[t]),
                                   rtol=1e-12, atol=1e-12)
    F = sum(J.T @ J for J in (inst.parameter_jacobian(x) for x in xs))
    top = np.sort(np.linalg.eigvalsh(F))[-M * T:]
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(M * G)), top, rtol=1e-9, atol=1e-9)


def test_fim_batch_checks_its_input():
    rng = np.random.default_rng(0)
    inst = simulate.sample_network(freealg.MLP(2, "relu"), 4, rng)
    with pytest.raises(InvalidArgumentTypeError):
        simulate.fim_batch("net", np.zeros((1, 4)))
    with pytest.raises(InvalidArgumentError, match=r"shape \(T, 4\)"):
        simulate.fim_batch(inst, np.zeros(4))
    with pytest.raises(InvalidArgumentError, match="non-finite"):
        simulate.fim_batch(inst, np.full((2, 4), np.nan))


def test_check_batch_fim_mean_and_shape():
    # the mean eigenvalue of the batch Gram matrix is the average of one-sample
    # traces, so it tends to m_1 of the one-sample law for every T (decided);
    # T = 1 is the one-sample spectrum itself (KS distance 0 to the reference)
    net = freealg.MLP(3, "hardtanh", init="orthogonal", sigma_w=1.0, sigma_b=0.1)
    rep = verify.check_batch_fim(net, batch_sizes=(1, 2, 4), widths=(16, 32), trials=4,
                                 progress=False)
    assert rep.passed, str(rep)
    m1 = float(net.fim_law(q_in=1.0).moments(1)[0])
    assert rep.data["m1"] == pytest.approx(m1, rel=1e-12)
    assert rep.data["batch"][1]["ks"] == 0.0
    for T in (1, 2, 4):
        row = rep.data["batch"][T]
        # the pooled mean at N = 32 is within 10 % of m_1: a loose bound on finite-N
        # bias plus noise (the decided test above uses the standard errors)
        assert abs(row["mean"] - m1) < 0.1 * m1
        assert 0 < row["spread"] and 0 <= row["inside90"] <= 1


def test_check_batch_fim_arguments():
    net = freealg.MLP(2, "relu")
    with pytest.raises(TooLargeError):
        verify.check_batch_fim(net, batch_sizes=(1, 65), widths=(8, 16), trials=2, progress=False)
    with pytest.raises(InvalidArgumentError):
        verify.check_batch_fim(net, batch_sizes=(0,), widths=(8, 16), trials=2, progress=False)
    with pytest.raises(InvalidArgumentTypeError):
        verify.check_batch_fim("relu", progress=False)
