"""Natural-gradient dynamics in the NTK regime (freealg.dnn.ngd;
Karakida & Osawa, NeurIPS 2020; Amari 1998).

Independent truths:

* the closed forms against direct iteration of the linear recursion
  ``f_{t+1} = f_t − η Θ̄ (f_t − y)``;
* a finite-width ReLU network (``freealg.simulate.NetworkInstance``, whose
  ``parameter_jacobian`` is exact backprop algebra) trained by the exact NGD
  step ``Δθ = −η Jᵀ(JJᵀ)⁻¹(f − y)`` (the ρ → 0 limit of
  ``(JᵀJ/N + ρI)⁻¹ Jᵀ(f − y)/N`` by the push-through identity);
* the ``Θ̄`` of layer-wise, K-FAC and unit-wise Fisher approximations built
  from that network's Jacobian blocks and Kronecker factors.

Tolerances: one NGD step moves the parameters by ``O(1/√M)`` relative to
their scale, so the network departs from its linearisation by ``O(1/√M)``
per step (Lee et al. 2019, Karakida & Osawa 2020).  The trajectory checks
use ``3/√M`` times the initial residual, and check that the error shrinks
with the width.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

import freealg
from freealg.dnn import (ngd_alpha, ngd_converges, ngd_optimal_eta,
                         ngd_train_predictions)
from freealg.errors import FloatRangeError, FreealgError, InvalidArgumentError
from freealg.simulate import NetworkInstance

N, D = 6, 10  # training inputs, input dimension (D >= N: linearly independent inputs)


# ---------------------------------------------------------------------------
# closed forms vs the linear recursion
# ---------------------------------------------------------------------------

def _iterate(theta_train, theta_test_train, y, f0, f0_test, eta, steps):
    f, g, out = f0.copy(), f0_test.copy(), []
    for t in range(steps + 1):
        out.append((f.copy(), g.copy()))
        r = f - y
        f = f - eta * theta_train @ r
        g = g - eta * theta_test_train @ r
    return out


@pytest.mark.parametrize("alpha,eta", [(3.0, 0.1), (3.0, 1 / 3), (1.0, 1.5), (4.0, 0.45)])
def test_closed_form_matches_iteration(alpha, eta):
    rng = np.random.default_rng(1)
    y, f0, f0t = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(3)
    kxX = rng.standard_normal((3, 5))
    runs = _iterate(alpha * np.eye(5), kxX, y, f0, f0t, eta, 12)
    pred = ngd_train_predictions(kxX, alpha, y, f0, f0t, eta, list(range(13)))
    for t, (f, g) in enumerate(runs):
        np.testing.assert_allclose(pred.train[t], f, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(pred.test[t], g, rtol=1e-12, atol=1e-12)
    single = ngd_train_predictions(kxX, alpha, y, f0, f0t, eta, 7)
    np.testing.assert_allclose(single.train, pred.train[7], rtol=0, atol=0)


def test_one_step_at_eta_one_over_alpha_and_divergence():
    rng = np.random.default_rng(2)
    y, f0, f0t = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(2)
    kxX = rng.standard_normal((2, 4))
    alpha = 5
    eta = ngd_optimal_eta(alpha)
    assert eta == Fraction(1, 5)
    p = ngd_train_predictions(kxX, alpha, y, f0, f0t, eta, [1, 2, 10])
    np.testing.assert_allclose(p.train, np.tile(y, (3, 1)), rtol=0, atol=1e-15)
    # test outputs are frozen after one step too, at f0' + Θ̄(x', x)(y − f0)/α
    np.testing.assert_allclose(p.test, np.tile(f0t + kxX @ (y - f0) / alpha, (3, 1)), atol=1e-14)
    # divergence for ηα > 2: the residual grows like |1 − ηα|^t, as the iteration does
    eta = 2.2 / alpha
    assert not ngd_converges(eta, alpha)
    runs = _iterate(alpha * np.eye(4), kxX, y, f0, f0t, eta, 30)
    p = ngd_train_predictions(kxX, alpha, y, f0, f0t, eta, 30)
    np.testing.assert_allclose(p.train, runs[-1][0], rtol=1e-10)
    assert np.linalg.norm(p.train - y) / np.linalg.norm(f0 - y) == pytest.approx(1.2 ** 30, rel=1e-10)
    with pytest.raises(FloatRangeError, match="diverges"):
        ngd_train_predictions(kxX, alpha, y, f0, f0t, eta, 10**6)


def test_converges_boundaries():
    assert ngd_converges(Fraction(1, 3), 3) and ngd_converges(Fraction(199, 300), 3)
    assert not ngd_converges(Fraction(2, 3), 3)      # ηα = 2: oscillates forever
    assert not ngd_converges(0, 3) and not ngd_converges(-0.1, 3)
    assert ngd_optimal_eta(2.5) == 0.4 and isinstance(ngd_optimal_eta(2.5), float)


def test_alpha_values_and_refusals():
    assert ngd_alpha("exact", depth=4) == 1
    assert ngd_alpha("layer", depth=4) == 4
    assert ngd_alpha("kfac", depth=4, n_samples=5) == 16
    assert ngd_alpha("unit", depth=3, width=200) == 200
    assert ngd_alpha("unit", depth=2, width=5) == Fraction(5, 2)
    with pytest.raises(InvalidArgumentError, match="method must be one of"):
        ngd_alpha("diag", depth=3)
    with pytest.raises(InvalidArgumentError, match="n_samples is required"):
        ngd_alpha("kfac", depth=3)
    with pytest.raises(InvalidArgumentError, match="n_samples=20 > width=10"):
        ngd_alpha("kfac", depth=3, n_samples=20, width=10)
    assert ngd_alpha("kfac", depth=3, n_samples=10, width=10) == 21
    with pytest.raises(InvalidArgumentError, match="width"):
        ngd_alpha("exact", depth=3, width=0)
    with pytest.raises(InvalidArgumentError, match="width is required"):
        ngd_alpha("unit", depth=3)
    with pytest.raises(InvalidArgumentError, match="relu"):
        ngd_alpha("unit", depth=3, width=100, activation="tanh")
    with pytest.raises(InvalidArgumentError, match="depth >= 2"):
        ngd_alpha("unit", depth=1, width=100)
    with pytest.raises(FreealgError, match="depth"):
        ngd_alpha("layer", depth=0)
    with pytest.raises(TypeError):
        ngd_alpha("layer", depth=2.0)


def test_prediction_input_errors():
    with pytest.raises(InvalidArgumentError, match="theta_bar_test_train must have shape"):
        ngd_train_predictions([[1.0]], 1, [0.0, 1.0], [0.0, 0.0], [0.0], 0.5, 1)
    with pytest.raises(InvalidArgumentError, match="f0_train"):
        ngd_train_predictions([[1.0, 0.0]], 1, [0.0, 1.0], [0.0], [0.0], 0.5, 1)
    with pytest.raises(InvalidArgumentError, match="alpha"):
        ngd_train_predictions([[1.0, 0.0]], 0, [0.0, 1.0], [0.0, 0.0], [0.0], 0.5, 1)
    with pytest.raises(InvalidArgumentError, match="y"):
        ngd_train_predictions([[1.0, 0.0]], 1, [np.nan, 1.0], [0.0, 0.0], [0.0], 0.5, 1)
    with pytest.raises(InvalidArgumentError, match="steps"):
        ngd_train_predictions([[1.0, 0.0]], 1, [0.0, 1.0], [0.0, 0.0], [0.0], 0.5, -1)


# ---------------------------------------------------------------------------
# a finite-width ReLU network
# ---------------------------------------------------------------------------

def _network(width, depth, rng):
    """ReLU MLP D -> M -> ... -> M -> 1, fan-in Gaussian weights (σ_w² = 2
    for the hidden layers, 1 for the readout), no biases."""
    widths = [D] + [width] * (depth - 1) + [1]
    weights = [rng.standard_normal((b, a)) * math.sqrt((2.0 if ell < depth - 1 else 1.0) / a)
               for ell, (a, b) in enumerate(zip(widths[:-1], widths[1:]))]
    biases = [np.zeros(b) for b in widths[1:]]
    return NetworkInstance(freealg.MLP(depth, "relu"), weights, biases)


def _data(rng):
    X = rng.standard_normal((N, D))
    X *= math.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)  # ‖x‖²/D = 1
    y = rng.choice([-1.0, 1.0], N)
    return X, y


def _jac(inst, X):
    return np.concatenate([inst.parameter_jacobian(x) for x in X], axis=0)  # (N, P)


def _out(inst, X):
    return inst.output(X.T).ravel()


def _layer_slices(inst):
    sl, pos = [], 0
    for w in inst.weights:
        sl.append(slice(pos, pos + w.size))
        pos += w.size
    return sl


def _train(inst, X, y, eta, steps, precond, Xtest=None):
    """Run NGD, Δθ = −η · precond(J, f − y); return the training outputs
    (and the outputs on ``Xtest`` if given)."""
    fs = [_out(inst, X)]
    gs = [] if Xtest is None else [_out(inst, Xtest)]
    theta = inst.flat_parameters()
    for _ in range(steps):
        J = _jac(inst, X)
        theta = theta - eta * precond(inst, J, fs[-1] - y)
        inst = inst.with_parameters(theta)
        fs.append(_out(inst, X))
        if Xtest is not None:
            gs.append(_out(inst, Xtest))
    return np.array(fs) if Xtest is None else (np.array(fs), np.array(gs))


def _exact(inst, J, r):
    return J.T @ np.linalg.solve(J @ J.T, r)


def _layerwise(inst, J, r):
    out = np.zeros(J.shape[1])
    for s in _layer_slices(inst):
        Jl = J[:, s]
        out[s] = Jl.T @ np.linalg.solve(Jl @ Jl.T, r)
    return out


def _theta_bar_layer(inst, J):
    return sum(J[:, s] @ J[:, s].T @ np.linalg.inv(J[:, s] @ J[:, s].T) for s in _layer_slices(inst))


@pytest.mark.parametrize("eta_kind", ["one_step", "slow"])
def test_exact_ngd_network_follows_prediction(eta_kind):
    depth, steps = 3, 4
    errs = []
    for width in (100, 400):
        rng = np.random.default_rng(7)
        X, y = _data(rng)
        Xt, _ = _data(rng)
        Xt = Xt[:3]
        inst = _network(width, depth, rng)
        alpha = ngd_alpha("exact", depth=depth)
        eta = float(ngd_optimal_eta(alpha)) if eta_kind == "one_step" else 0.4
        # Θ̄(x′, x) = J(x′) F⁺ J(x)ᵀ / N = J(x′) Jᵀ (J Jᵀ)⁻¹ at initialisation
        J = _jac(inst, X)
        kxX = _jac(inst, Xt) @ J.T @ np.linalg.inv(J @ J.T)
        fs, gs = _train(inst, X, y, eta, steps, _exact, Xtest=Xt)
        f0 = fs[0]
        pred = ngd_train_predictions(kxX, alpha, y, f0, gs[0], eta, list(range(steps + 1)))
        r0 = np.abs(f0 - y).max()
        err = np.abs(fs - pred.train).max() / r0
        assert err < 3 / math.sqrt(width), (width, err)
        err_test = np.abs(gs - pred.test).max() / r0
        assert err_test < 3 / math.sqrt(width), (width, err_test)
        errs.append(err)
    assert errs[1] < errs[0]  # the linearisation error shrinks with the width


def test_exact_ngd_step_is_the_damping_limit():
    # (JᵀJ/N + ρI)⁻¹ Jᵀ r/N (the damped NGD step, P × P solve) → Jᵀ(JJᵀ)⁻¹ r as ρ → 0
    rng = np.random.default_rng(9)
    X, y = _data(rng)
    inst = _network(12, 2, rng)            # P = 10·12 + 12 = 132 parameters
    J = _jac(inst, X)
    r = _out(inst, X) - y
    P = J.shape[1]
    target = _exact(inst, J, r)
    lam = np.linalg.eigvalsh(J @ J.T)
    lam_min, lam_max = lam[0], lam[-1]
    # push-through: the damped step is Jᵀ(JJᵀ + NρI)⁻¹ r, within Nρ/λ_min(JJᵀ) (relative) of the
    # limit; the P × P solve itself loses about cond·eps ≈ (λ_max/(Nρ))·1e-16, negligible here
    for rho in (1e-2, 1e-4, 1e-6):
        damped = np.linalg.solve(J.T @ J / N + rho * np.eye(P), J.T @ r / N)
        rel = np.linalg.norm(damped - target) / np.linalg.norm(target)
        assert rel < N * rho / lam_min + 1e-9, (rho, rel)
        assert rel > 0.1 * N * rho / lam_max  # a real O(ρ) gap: the damping does act
    # and its function-space effect on the training set: J Δθ = r (Θ̄ = I)
    np.testing.assert_allclose(J @ target, r, atol=1e-10)


def test_layerwise_ngd_isotropy_and_one_step():
    depth, width = 3, 300
    rng = np.random.default_rng(11)
    X, y = _data(rng)
    inst = _network(width, depth, rng)
    J = _jac(inst, X)
    alpha = ngd_alpha("layer", depth=depth)
    # Θ̄ = Σ_ℓ J_ℓ (J_ℓᵀ J_ℓ)⁺ J_ℓᵀ = Σ_ℓ I: an algebraic identity (rounding only)
    np.testing.assert_allclose(_theta_bar_layer(inst, J), alpha * np.eye(N), atol=1e-9)
    fs = _train(inst, X, y, float(ngd_optimal_eta(alpha)), 2, _layerwise)
    r0 = np.abs(fs[0] - y).max()
    assert np.abs(fs[1] - y).max() < 3 / math.sqrt(width) * r0
    assert np.abs(fs[2] - y).max() < 3 / math.sqrt(width) * np.abs(fs[1] - y).max() + 1e-12


def _layer_signals(inst, X):
    """Layer inputs X_{ℓ−1} (M_{ℓ−1} × N) and backward signals Δ_ℓ = ∂f/∂h_ℓ (M_ℓ × N)."""
    fp = inst.forward(X.T)
    L = inst.depth
    deltas = [None] * L
    deltas[L - 1] = np.ones((1, X.shape[0]))
    for ell in range(L - 2, -1, -1):
        deltas[ell] = (inst.weights[ell + 1].T @ deltas[ell + 1]) * (fp.h[ell] > 0)
    return fp.x[:-1], deltas


def _proj(J):
    """The projector J(JᵀJ)⁺Jᵀ = J J⁺ onto the column space of J (N × K)."""
    return J @ np.linalg.pinv(J)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_kfac_isotropy_constant(depth):
    # K-FAC block ℓ: G_ℓ = (X Xᵀ/N) ⊗ (Δ Δᵀ/N); Θ̄ = Σ_ℓ J_ℓ G_ℓ⁺ J_ℓᵀ / N, computed here
    # from the Kronecker factors' pseudo-inverses on the explicit Jacobian blocks.
    width = 120
    rng = np.random.default_rng(5)
    X, y = _data(rng)
    inst = _network(width, depth, rng)
    J = _jac(inst, X)
    xs, deltas = _layer_signals(inst, X)
    theta_bar = np.zeros((N, N))
    for ell, s in enumerate(_layer_slices(inst)):
        A = xs[ell] @ xs[ell].T / N
        B = deltas[ell] @ deltas[ell].T / N
        # G⁺ = A⁺ ⊗ B⁺; J_ℓ row n is vec(δ_n x_nᵀ) (row-major: B-index outer)
        Jl = J[:, s]
        np.testing.assert_allclose(Jl, np.einsum("in,jn->nij", deltas[ell], xs[ell]).reshape(N, -1),
                                   atol=1e-12)  # the Jacobian really is δ ⊗ x
        # (A⁺ ⊗ B⁺) vec(δ xᵀ) = vec(B⁺ δ xᵀ A⁺) (A, B symmetric)
        Gp_Jt = (np.linalg.pinv(B) @ Jl.reshape(N, B.shape[0], A.shape[0]) @ np.linalg.pinv(A)
                 ).reshape(N, -1)
        theta_bar += Jl @ Gp_Jt.T / N
    np.testing.assert_allclose(theta_bar, ngd_alpha("kfac", depth=depth, n_samples=N) * np.eye(N),
                               atol=1e-8)
    # the readout's K-FAC block is the exact one (Δ_L is a row of ones), so N·L does not hold for C = 1
    assert not np.allclose(theta_bar, N * depth * np.eye(N))


def _theta_bar_unit(inst, X):
    """Unit-wise Θ̄ = Σ_units J_u (J_uᵀJ_u)⁺ J_uᵀ, one block per unit's incoming weights."""
    xs, deltas = _layer_signals(inst, X)
    theta_bar = np.zeros((X.shape[0], X.shape[0]))
    for ell in range(inst.depth):
        for i in range(deltas[ell].shape[0]):
            Ji = deltas[ell][i][:, None] * xs[ell].T   # (N, M_{ℓ−1}): ∂f/∂(W_ℓ)_{i,:}
            theta_bar += _proj(Ji)
    return theta_bar


def test_unitwise_relu_isotropy_improves_with_width():
    # Θ̄ is exactly diagonal (each unit's projector is diag(1[unit active on x_n]) for linearly
    # independent layer inputs) with entries 1 + #active hidden units ≈ M(L − 1)/2 ± O(√M).
    depth, widths, seeds = 3, (50, 1600), (3, 4, 5)
    rel = {w: [] for w in widths}
    for width in widths:
        for seed in seeds:
            rng = np.random.default_rng(seed)
            X, y = _data(rng)
            inst = _network(width, depth, rng)
            theta_bar = _theta_bar_unit(inst, X)
            assert np.abs(theta_bar - np.diag(np.diag(theta_bar))).max() < 1e-8
            alpha = float(ngd_alpha("unit", depth=depth, width=width))
            r = np.abs(np.diag(theta_bar) / alpha - 1).max()
            # active counts ~ Binomial((L − 1)M, 1/2): sd/α = 1/√((L − 1)M); ±4 sd, + the readout's 1
            assert r < 4 / math.sqrt((depth - 1) * width) + 1 / alpha, (width, seed, r)
            rel[width].append(r)
    # 32× the width: the relative error shrinks (√32 ≈ 5.7 expected; asserted: at least 2×)
    assert np.mean(rel[widths[1]]) < np.mean(rel[widths[0]]) / 2, rel


def _kfac(inst, J, r, X):
    """K-FAC step G⁺ Jᵀ r / N, G = ⊕_ℓ (X Xᵀ/N) ⊗ (Δ Δᵀ/N) (pseudo-inverses)."""
    xs, deltas = _layer_signals(inst, X)
    out = np.zeros(J.shape[1])
    for ell, s in enumerate(_layer_slices(inst)):
        A = xs[ell] @ xs[ell].T / N
        B = deltas[ell] @ deltas[ell].T / N
        grad = (J[:, s].T @ r / N).reshape(B.shape[0], A.shape[0])
        out[s] = (np.linalg.pinv(B) @ grad @ np.linalg.pinv(A)).ravel()
    return out


def test_kfac_ngd_one_step_at_eta_one_over_alpha():
    depth, width = 3, 300
    rng = np.random.default_rng(13)
    X, y = _data(rng)
    inst = _network(width, depth, rng)
    alpha = ngd_alpha("kfac", depth=depth, n_samples=N)
    fs = _train(inst, X, y, float(ngd_optimal_eta(alpha)), 1, lambda i, J, r: _kfac(i, J, r, X))
    r0 = np.abs(fs[0] - y).max()
    assert np.abs(fs[1] - y).max() < 3 / math.sqrt(width) * r0
    # the N·L rate would leave the residual factor 1 − (N(L − 1) + 1)/(NL) = 5/18 of it
    wrong = _train(inst, X, y, 1.0 / (N * depth), 1, lambda i, J, r: _kfac(i, J, r, X))
    np.testing.assert_allclose(wrong[1] - y, (1 - alpha / (N * depth)) * (fs[0] - y),
                               atol=3 / math.sqrt(width) * r0)
