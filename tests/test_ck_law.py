"""Fan–Wang conjugate-kernel law (freealg.dnn.ck_law): closed form at depth 1,
exact moments against the moment recursion and the ⊠ engine's S-series,
density moments by quadrature, and a finite-network simulation."""

from fractions import Fraction

import numpy as np
import pytest

import freealg
from freealg.dnn import ConjugateKernelLaw, conjugate_kernel_law, conjugate_kernel_moments
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_depth_one_is_scaled_marchenko_pastur(gamma):
    # one hidden layer on orthonormal inputs: CK = q̂ · MP_γ, i.e. the closed
    # form MarchenkoPastur(rate = 1/γ, jump = q̂ γ) (an affine image of MP_γ)
    net = freealg.MLP(2, "tanh", sigma_w=1.3)
    law = net.conjugate_kernel_law(gammas=gamma)
    qhat = float(net.conjugate_kernel_moments(1, gammas=gamma)[0][0])  # m_1 = q̂ (δ_1 input)
    ref = freealg.MarchenkoPastur(rate=1 / gamma, jump=qhat * gamma)
    lo, hi = (float(e) for e in ref.support()[0])
    x = np.linspace(lo, hi, 25)[1:-1]
    res = law.density(x)
    assert res.evidence.ok
    np.testing.assert_allclose(res.density, ref.pdf(x), rtol=1e-9, atol=1e-12)
    (a, b), = law.support()
    assert abs(a - lo) <= 1e-9 * hi and abs(b - hi) <= 1e-9 * hi
    ats = [(float(p), float(m)) for p, m in law.atoms() if m != 0]
    assert ats == ([(0.0, 1 - 1 / gamma)] if gamma > 1 else [])


def test_moments_exact_equal_recursion_and_engine():
    g = [Fraction(1, 2), Fraction(1, 3), Fraction(2, 3)]
    b = [Fraction(1, 2), Fraction(3, 5), Fraction(1, 3)]
    law = conjugate_kernel_law(g, b)
    m = law.moments(6)
    assert m == conjugate_kernel_moments(6, g, b)[-1]
    assert all(isinstance(v, (int, Fraction)) for v in m)
    # independent: the S-series of the ⊠ factors (MP and affine images)
    assert [Fraction(v) for v in law.engine_law.moments(6)] == [Fraction(v) for v in m]


def test_density_moments_by_quadrature():
    law = conjugate_kernel_law([0.5, 0.5], 0.6)
    (lo, hi), = law.support()
    assert law.atoms() == []
    # x = lo + (hi - lo)(1 - cos t)/2 removes the square-root edges
    t, w = np.polynomial.legendre.leggauss(48)
    th = 0.5 * np.pi * (t + 1)
    x = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
    jac = 0.25 * np.pi * (hi - lo) * np.sin(th) * w
    res = law.density(x)
    assert res.evidence.ok
    exact = [1.0] + [float(v) for v in law.moments(4)]
    got = [float(np.sum(jac * res.density * x ** k)) for k in range(5)]
    np.testing.assert_allclose(got, exact, rtol=1e-7)


def _network_ck(rng, phi, n, widths, sigma_w):
    """Eigenvalues of the last hidden layer's CK of a random net (σ_b = 0) on n
    exactly orthonormal inputs scaled to ‖x‖²/n_0 = 1: X_0 = √n_0 Q[:, :n]."""
    n0 = widths[0]
    Q, _ = np.linalg.qr(rng.standard_normal((n0, n)))
    x = np.sqrt(n0) * Q
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        W = rng.standard_normal((d_out, d_in))
        x = phi(sigma_w * (W @ x) / np.sqrt(d_in))
    ck = x.T @ x / widths[-1]
    return np.linalg.eigvalsh(ck)


def _kolmogorov_on_grid(eigs, law, grid):
    F = law.cdf(grid)
    emp = np.searchsorted(np.sort(eigs), grid, side="right") / eigs.size
    return float(np.max(np.abs(emp - F)))


def test_simulation_two_hidden_layers_tanh():
    n, d = 1000, 2000  # n inputs, hidden widths d: γ = 1/2
    net = freealg.MLP(3, "tanh", sigma_w=1.5)
    law = net.conjugate_kernel_law(gammas=Fraction(n, d))
    eigs = _network_ck(np.random.default_rng(7), np.tanh, n, [1000, d, d], 1.5)
    (lo, hi), = law.support()
    grid = np.linspace(lo, hi, 41)[1:-1]
    ks = _kolmogorov_on_grid(eigs, law, grid)
    # tolerance: the DKW bound sqrt(log(2/α)/(2n)) at α = 1e-3 (0.062 for
    # n = 1000; spectral ECDFs fluctuate far less than iid ones, so this is
    # conservative) plus a finite-size allowance 1/√n = 0.032 for the O(n^{-1/2})
    # corrections of Fan & Wang (2020, Thm 3.4) at finite width
    tol = np.sqrt(np.log(2 / 1e-3) / (2 * n)) + 1 / np.sqrt(n)
    assert ks < tol, (ks, tol)
    # power: the law without the layer-1 memory (b = 0, i.e. q̂·MP_γ) is rejected
    wrong = conjugate_kernel_law([Fraction(n, d)], 0)
    qhat = float(law.mean())
    ks_wrong = float(np.max(np.abs(
        np.searchsorted(np.sort(eigs), grid, side="right") / n - wrong.cdf(grid / qhat))))
    assert ks_wrong > tol, (ks_wrong, tol)


def test_simulation_centred_relu():
    # relu with the centring of Fan & Wang (2020, Assumption 3.2): every layer
    # subtracts E relu(h_ℓ) = √(q^ℓ/2π); Var relu(h) = q/2 − q/2π and
    # q^{ℓ+1} = σ_w² Var (closed forms, independent of the library)
    n, d, sw = 1000, 2000, 1.4
    law = freealg.MLP(3, "relu", sigma_w=sw).conjugate_kernel_law(gammas=Fraction(n, d), centre=True)
    q1 = sw ** 2
    q2 = sw ** 2 * (q1 / 2 - q1 / (2 * np.pi))
    means = iter([np.sqrt(q1 / (2 * np.pi)), np.sqrt(q2 / (2 * np.pi))])
    eigs = _network_ck(np.random.default_rng(3), lambda h: np.maximum(h, 0) - next(means),
                       n, [1000, d, d], sw)
    (lo, hi), = law.support()
    ks = _kolmogorov_on_grid(eigs, law, np.linspace(lo, hi, 41)[1:-1])
    tol = np.sqrt(np.log(2 / 1e-3) / (2 * n)) + 1 / np.sqrt(n)  # as in the tanh test
    assert ks < tol, (ks, tol)


def test_relu_refused_unless_centred():
    net = freealg.MLP(3, "relu", sigma_w=1.4)
    with pytest.raises(InvalidArgumentError, match="centre=True"):
        net.conjugate_kernel_law(gammas=0.5)
    law = net.conjugate_kernel_law(gammas=0.5, centre=True)
    m = net.conjugate_kernel_moments(3, gammas=0.5, centre=True)[-1]
    np.testing.assert_allclose([float(v) for v in law.moments(3)], [float(v) for v in m], rtol=1e-14)
    assert isinstance(law, ConjugateKernelLaw)


def test_bad_inputs():
    with pytest.raises(InvalidArgumentError, match="b"):
        conjugate_kernel_law([0.5], 1.5)
    with pytest.raises(InvalidArgumentError):
        conjugate_kernel_law([-0.5], 0.5)
    with pytest.raises(InvalidArgumentTypeError, match="centre"):
        freealg.MLP(3, "tanh").conjugate_kernel_law(gammas=0.5, centre="yes")
    with pytest.raises(InvalidArgumentTypeError, match="mu0"):
        conjugate_kernel_law([0.5], 0.5, mu0=[1, 1, 1])


def test_depth_three_fast_path_agrees_with_product_engine():
    # depth >= 3 (orthonormal inputs) evaluates by the Stieltjes recursion of
    # freealg.dnn.ntk_law; the ⊠ engine (nested subordination, an independent
    # algorithm) must give the same boundary values
    g, b = [0.5, 0.5, 0.5], [0.6, 0.6, 0.6]
    law = conjugate_kernel_law(g, b)
    x = np.array([0.5, 1.5])
    res = law.density(x)
    assert res.evidence.ok
    ref = -np.asarray(law.engine_law.cauchy(x.astype(complex))).imag / np.pi
    np.testing.assert_allclose(res.density, ref, rtol=1e-9)
    # quadrature mass and moments of the fast density against the exact
    # Fan–Wang moments (evidence)
    assert max(res.evidence.moment_errors) < 1e-10
    assert abs(res.evidence.mass_continuous + res.evidence.mass_atoms - 1) < 1e-10


def test_depth_four_with_atom_fast_path():
    # γ_4 = 2 > 1: an atom 1/2 at 0 (Belinschi's rule on the factors); the
    # quadrature mass of the continuous part must be the rest, and the
    # moments the exact ones
    law = conjugate_kernel_law([Fraction(1, 2), Fraction(1, 2), Fraction(1, 3), 2], Fraction(1, 2))
    assert [(float(a), float(m)) for a, m in law.atoms() if m != 0] == [(0.0, 0.5)]
    (lo, hi), = law.support()
    res = law.density(np.linspace(lo, hi, 7)[1:-1])
    assert res.evidence.ok
    assert abs(res.evidence.mass_continuous - 0.5) < 1e-10
    exact = [float(v) for v in conjugate_kernel_moments(4, law.gammas, law.bs)[-1]]
    np.testing.assert_allclose(res.evidence.moments_contour, exact, rtol=1e-10)


def test_simulation_three_hidden_layers_tanh():
    # depth 3: the fast path (Stieltjes recursion) against a finite network
    n, d = 1000, 2000
    net = freealg.MLP(4, "tanh", sigma_w=1.5)
    law = net.conjugate_kernel_law(gammas=Fraction(n, d))
    eigs = _network_ck(np.random.default_rng(9), np.tanh, n, [1000, d, d, d], 1.5)
    (lo, hi), = law.support()
    ks = _kolmogorov_on_grid(eigs, law, np.linspace(lo, hi, 41)[1:-1])
    tol = np.sqrt(np.log(2 / 1e-3) / (2 * n)) + 1 / np.sqrt(n)  # as in the two-layer test
    assert ks < tol, (ks, tol)


def test_constructor_checks_its_arguments():
    # the constructor used to accept b^2 > 1 and silently zip unequal lists;
    # it now runs the builder's checks itself
    from freealg.dnn import ConjugateKernelLaw
    from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError

    with pytest.raises(InvalidArgumentError, match="2 gammas but 1 bs"):
        ConjugateKernelLaw([0.5, 0.5], [0.3])
    with pytest.raises(InvalidArgumentError):
        ConjugateKernelLaw([0.5], [1.5])  # b^2 > 1
    with pytest.raises(InvalidArgumentError, match="scale"):
        ConjugateKernelLaw([0.5], [0.3], scale=-1)
    with pytest.raises(InvalidArgumentTypeError):
        ConjugateKernelLaw(["a"], [0.3])
    # a valid law: one layer with b = 0 is MP_γ (mean 1, variance γ)
    assert ConjugateKernelLaw([0.25], [0]).moments(2) == [1.0, 1.25]
