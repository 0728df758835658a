"""Fan–Wang multi-sample NTK law (freealg.dnn.ntk_law): closed form at depth 1,
the CK special case against the ⊠ engine, exact moments against the CK
moment recursion and closed formulas, the atom against a rank count, and
finite networks (tanh, centred relu) simulated at n = 1000."""

from fractions import Fraction

import numpy as np
import pytest

import freealg
from freealg.dnn import ConjugateKernelLaw, NTKLaw, conjugate_kernel_moments, neural_tangent_kernel_law
from freealg.dnn._ntk_solver import _series_moments, _solve, _System
from freealg.errors import InvalidArgumentError, TooLargeError


@pytest.mark.parametrize("gamma", [0.5, 3.0])
def test_depth_one_is_shifted_marchenko_pastur(gamma):
    # one hidden layer: K = r_+ + r_0 I + X_1ᵀX_1 with X_1ᵀX_1 ~ MP_γ, i.e.
    # r_+ + r_0 + MarchenkoPastur(rate 1/γ, jump γ); r_0 = b², r_+ = a − b²
    b, a = 0.6, 0.8
    law = neural_tangent_kernel_law([gamma], b, a)
    shift = a
    mp = freealg.MarchenkoPastur(rate=1 / gamma, jump=gamma)
    lo, hi = (float(e) for e in mp.support()[0])
    x = np.linspace(lo, hi, 23)[1:-1]
    res = law.density(x + shift)
    assert res.evidence.ok
    np.testing.assert_allclose(res.density, mp.pdf(x), rtol=1e-9, atol=1e-12)
    (l2, h2), = law.support()
    assert abs(l2 - (lo + shift)) < 1e-9 and abs(h2 - (hi + shift)) < 1e-9
    assert law.atoms() == ([(shift, 1 - 1 / gamma)] if gamma > 1 else [])
    m = law.moments(4)
    ref = freealg.dnn.ck_moments._affine_moments([float(v) for v in mp.moments(4)], shift, 1)
    np.testing.assert_allclose([float(v) for v in m], ref, rtol=1e-13)


def test_ck_special_case_against_free_multiplicative_engine():
    # r = (0, 0, 1): the recursion must give the Fan–Wang CK law, which
    # ConjugateKernelLaw evaluates by a different algorithm (⊠ subordination
    # with an affine factor, freealg.functional)
    g, b = [0.5, 0.25], [0.6, 0.8]
    ck = ConjugateKernelLaw(g, b)
    (lo, hi), = ck.support()
    x = np.linspace(lo, hi, 19)[1:-1]
    s, err, ok = _solve(_System(g, b, [0, 0, 1]), x.astype(complex))
    assert ok.all()
    ref = ck.density(x)
    np.testing.assert_allclose(s.imag / np.pi, ref.density, rtol=1e-8, atol=1e-11)
    assert np.all(err / np.pi < 1e-8 * np.abs(s.imag / np.pi) + 1e-13)
    # exact moments: power series of the recursion vs the S-transform recursion
    gq, bq = [Fraction(1, 2), Fraction(1, 3), Fraction(2, 3)], [Fraction(1, 2), Fraction(3, 5), Fraction(1, 3)]
    assert _series_moments(6, gq, bq, [0, 0, 0, 1]) == conjugate_kernel_moments(6, gq, bq)[-1]


def _m2_closed(gammas, bs, r):
    """tr((Σ r_k C_k)²) from tr(C_k²) (the CK recursion) and
    tr(C_j C_k) = b_k² tr(C_j C_{k−1}) + (1 − b_k²) tr C_j for j < k (the
    covariance of the rows of X_k is b_k² C_{k−1} + (1 − b_k²) I and the
    Wishart factor has mean 1, free from C_j)."""
    L = len(gammas)
    ck2 = [1] + [conjugate_kernel_moments(2, gammas[:k], bs[:k])[-1][1] for k in range(1, L + 1)]

    def cross(j, k):
        if j == k:
            return ck2[k]
        return bs[k - 1] ** 2 * cross(j, k - 1) + (1 - bs[k - 1] ** 2)

    return sum(r[j] * r[k] * cross(min(j, k), max(j, k)) for j in range(L + 1) for k in range(L + 1))


def test_exact_moments_against_closed_formulas():
    g = [Fraction(1, 2), Fraction(1, 3), Fraction(2, 3)]
    b = [Fraction(1, 2), Fraction(3, 5), Fraction(1, 3)]
    a = [Fraction(1, 2), Fraction(4, 5), Fraction(1, 2)]
    law = neural_tangent_kernel_law(g, b, a)
    m = law.moments(5)
    assert all(isinstance(v, Fraction) for v in m)
    # m_1: the diagonal of the NTK, Σ_{ℓ=0}^{L} Π_{j>ℓ} a_j
    assert m[0] == 1 + a[2] + a[2] * a[1] + a[2] * a[1] * a[0]
    # m_2 from the CK second moments
    mk2 = _m2_closed(g, b, law.r)
    rp = law.r_plus
    assert m[1] == mk2 + 2 * rp * sum(law.r) + rp ** 2
    # the quadrature moments of the density agree (evidence), float parameters
    lawf = neural_tangent_kernel_law([float(v) for v in g], [float(v) for v in b], [float(v) for v in a])
    (lo, hi), = lawf.support()
    res = lawf.density(np.linspace(lo, hi, 7)[1:-1])
    assert res.evidence.ok
    np.testing.assert_allclose(res.evidence.moments_contour, [float(v) for v in m[:4]], rtol=1e-7)
    assert abs(res.evidence.mass_continuous - 1) < 1e-8


def test_atom_against_rank_count():
    # γ = (4, 4), 0 < b² < 1: Σ_k r_k X_kᵀX_k − r_0 has rank n(1/4 + 1/4), so
    # an atom of mass 1/2 at r_+ + r_0; the residue lim η Im s(a + iη) of the
    # numerical solution must agree (an independent count)
    law = neural_tangent_kernel_law([4, 4], 0.5, 0.5)
    (loc, mass), = law.atoms()
    assert mass == pytest.approx(0.5, abs=1e-15)
    a = loc - float(law.r_plus)
    for eta in (1e-3, 1e-5):
        s, _, ok = _solve(law._system, np.array([a + 1j * eta]))
        assert ok.all()
        assert abs(eta * s.imag[0] - mass) < 50 * eta
    res = law.density([loc, loc + 1.0])
    assert res.at_atom.tolist() == [True, False] and np.isnan(res.density[0])
    assert res.evidence.ok
    # total mass: continuous + atom
    assert abs(res.evidence.mass_continuous + res.evidence.mass_atoms - 1) < 1e-8


def _network_ntk(rng, phi, dphi, n, widths, sigma_w, centres=None):
    """Eigenvalues of the empirical NTK (NTK parametrisation, σ_b = 0, scalar
    output) of a random MLP on n exactly orthonormal inputs with
    ‖x‖²/n_0 = 1.  The output weights are drawn on the sphere of radius
    √n_{L−1} (same limit as Gaussian ones; it removes a global χ²_{n_{L−1}}
    scale factor of relative size √(2/n_{L−1}) that is a finite-width
    artefact, not part of the law)."""
    n0 = widths[0]
    Q, _ = np.linalg.qr(rng.standard_normal((n0, n)))
    xs, hs, Ws = [np.sqrt(n0) * Q], [], []
    for ell, (d_in, d_out) in enumerate(zip(widths[:-2], widths[1:-1])):
        W = sigma_w * rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)
        h = W @ xs[-1]
        Ws.append(W)
        hs.append(h)
        c = 0.0 if centres is None else centres[ell]
        xs.append(phi(h) - c)
    v = rng.standard_normal(widths[-2])
    WL = sigma_w * v / np.linalg.norm(v)  # σ_w × (a unit vector), i.e. σ_w/√n_{L−1} × (norm √n_{L−1})
    # δ_L = 1; δ_ℓ = phi'(h_ℓ) ⊙ (W_{ℓ+1}ᵀ δ_{ℓ+1})
    delta = dphi(hs[-1]) * WL[:, None]
    K = sigma_w ** 2 / widths[-2] * (xs[-1].T @ xs[-1])  # gradient in W_L
    for ell in range(len(hs), 0, -1):  # gradient in W_ℓ: (σ_w²/n_{ℓ−1}) (δᵀδ) ⊙ (xᵀx)
        K += sigma_w ** 2 / widths[ell - 1] * (delta.T @ delta) * (xs[ell - 1].T @ xs[ell - 1])
        if ell > 1:
            delta = dphi(hs[ell - 2]) * (Ws[ell - 1].T @ delta)
    return np.linalg.eigvalsh(K)


def _ks(eigs, law, grid):
    emp = np.searchsorted(np.sort(eigs), grid, side="right") / eigs.size
    return float(np.max(np.abs(emp - law.cdf(grid))))


# tolerance of the Kolmogorov distance on a grid: the DKW bound
# sqrt(log(2/α)/(2n)) at α = 1e-3 (0.062 for n = 1000; spectral ECDFs
# fluctuate far less than i.i.d. ones, so this is conservative) plus a
# finite-size allowance 1/√n = 0.032 for the O(n^{-1/2}) corrections of the
# linear-width limit (Fan & Wang 2020) at finite width
N_SIM = 1000
KS_TOL = np.sqrt(np.log(2 / 1e-3) / (2 * N_SIM)) + 1 / np.sqrt(N_SIM)


def test_simulation_two_hidden_layers_tanh():
    n, d, sw = N_SIM, 2000, 1.5
    net = freealg.MLP(3, "tanh", init="gaussian", sigma_w=sw)
    law = net.ntk_law(gammas=Fraction(n, d))
    assert isinstance(law, NTKLaw)
    eigs = _network_ntk(np.random.default_rng(11), np.tanh, lambda h: 1 - np.tanh(h) ** 2, n,
                        [1000, d, d, 1], sw)
    (lo, hi), = law.support()
    grid = np.linspace(lo, hi, 41)[1:-1]
    ks = _ks(eigs, law, grid)
    assert ks < KS_TOL, (ks, KS_TOL)
    # moments of the simulated kernel: relative deviations of m_k are
    # O(k/√d) (finite-width corrections of the layer norms, ~√(2/d) = 0.032
    # each); tolerance 3k/√d
    m = [float(v) for v in law.moments(3)]
    emp = [float(np.mean(eigs ** k)) for k in (1, 2, 3)]
    for k in range(3):
        assert abs(emp[k] / m[k] - 1) < 3 * (k + 1) / np.sqrt(d), (k + 1, emp[k], m[k])
    # power: the law without the diagonal shift r_+ (the spectrum moved down
    # by scale·r_+) is rejected
    shift = float(law.r_plus * law.scale)
    emp_cdf = np.searchsorted(np.sort(eigs), grid, side="right") / n
    assert float(np.max(np.abs(emp_cdf - law.cdf(grid + shift)))) > KS_TOL


def test_simulation_centred_relu():
    # relu with the centring of Fan & Wang (2020): every layer subtracts
    # E relu(h_ℓ) = √(q^ℓ/2π); Var relu(h) = q/2 − q/2π and q^{ℓ+1} = σ_w² Var
    # (closed forms, independent of the library)
    n, d, sw = N_SIM, 2000, 1.4
    net = freealg.MLP(3, "relu", init="gaussian", sigma_w=sw)
    with pytest.raises(InvalidArgumentError, match="centre=True"):
        net.ntk_law(gammas=Fraction(n, d))
    law = net.ntk_law(gammas=Fraction(n, d), centre=True)
    q1 = sw ** 2
    q2 = sw ** 2 * (q1 / 2 - q1 / (2 * np.pi))
    centres = [np.sqrt(q1 / (2 * np.pi)), np.sqrt(q2 / (2 * np.pi))]
    eigs = _network_ntk(np.random.default_rng(5), lambda h: np.maximum(h, 0),
                        lambda h: (h > 0).astype(float), n, [1000, d, d, 1], sw, centres)
    (lo, hi), = law.support()
    ks = _ks(eigs, law, np.linspace(lo, hi, 41)[1:-1])
    assert ks < KS_TOL, (ks, KS_TOL)
    # mean: Σ_ℓ q^ℓ Π_{j≥ℓ} χ_j with χ = σ_w²/2 for relu (closed form)
    q3 = sw ** 2 * (q2 / 2 - q2 / (2 * np.pi))
    chi = sw ** 2 / 2
    assert float(law.mean()) == pytest.approx(q3 + q2 * chi + q1 * chi ** 2, rel=1e-12)


def test_mean_is_infinite_width_ntk_diagonal():
    net = freealg.MLP(4, "erf", init="gaussian", sigma_w=1.3)
    law = net.ntk_law(gammas=[0.5, 1.0, 2.0])
    X = np.eye(3) * np.sqrt(3.0)  # ‖x‖²/n_0 = 1
    assert float(law.mean()) == pytest.approx(float(net.ntk_kernel(X)[0, 0]), rel=1e-12)


def test_bad_inputs():
    with pytest.raises(InvalidArgumentError, match="a\\[0\\]"):
        neural_tangent_kernel_law([0.5], 0.8, 0.5)  # a < b²
    with pytest.raises(InvalidArgumentError, match="b\\[0\\]"):
        neural_tangent_kernel_law([0.5], 1.5, 3.0)
    with pytest.raises(InvalidArgumentError):
        neural_tangent_kernel_law([-0.5], 0.5, 0.5)
    with pytest.raises(InvalidArgumentError, match="entries"):
        neural_tangent_kernel_law([0.5, 0.5], [0.5], 0.5)
    with pytest.raises(TooLargeError, match="200"):
        neural_tangent_kernel_law([0.5] * 201, 0.5, 0.5)
    with pytest.raises(InvalidArgumentError, match="b\\[0\\]"):
        neural_tangent_kernel_law([0.5], 1e308, 1e308)  # no OverflowError from b²
    with pytest.raises(InvalidArgumentError, match="overflow"):
        neural_tangent_kernel_law([0.5, 0.5], 0.5, 1e200)
    with pytest.raises(InvalidArgumentError, match="overflows"):
        neural_tangent_kernel_law([1e200, 1e200], 0.5, 0.5).moments(3)
    with pytest.raises(InvalidArgumentError, match="init='gaussian'"):
        freealg.MLP(3, "tanh").ntk_law(gammas=0.5)


def test_too_deep_net_refused_before_work():
    with pytest.raises(TooLargeError, match="200"):
        freealg.MLP(100_000, "tanh", init="gaussian").ntk_law(gammas=0.5)
