"""Tests of freealg.verify.

Independent truths used here:
* evaluate(): direct numpy products;
* the rate classifier: synthetic errors that are exactly c/N, c/N^2, constant
  or zero;
* moments(): exact finite-N expectations -- E Tr(O^2) = 1 for Haar orthogonal
  O (Diaconis-Shahshahani), E tr(U A U* B U A U* B) = -1/(N^2 - 1) for Haar
  unitary U and A = B = diag(+-1) (Weingarten calculus), E tr H^4 = 2 + 1/N^2
  for the GUE (Harer-Zagier);
* spectrum(): samples placed at the exact quantiles of a law with a closed-form
  CDF, for which the Kolmogorov distance is exactly 1/(2n);
* the network theory: the S-transform route (cumulants.free_mul_moments) against
  the freeness engine (FreeModel) on the same words, and exact finite-N
  identities of orthogonal networks.

Statistical assertions use |z| < 5 or the rate classification, whose p-value
threshold is 1% per model; each test uses a fixed seed, so it is deterministic.
"""

import json
import math

import numpy as np
import pytest

import freealg
from freealg import FreeModel, nc_symbols, simulate, tr, verify
from freealg.errors import InvalidArgumentError, UnknownSymbolError
from freealg.verify import limits as vlimits, network as vnetwork, spectra as vspectrum


def _net(depth=2, activation="hardtanh", init="orthogonal", sigma_w=1.1, sigma_b=0.1):
    return freealg.MLP(depth=depth, activation=activation, init=init, sigma_w=sigma_w,
                       sigma_b=sigma_b)


# ---------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------


def test_evaluate_against_numpy():
    rng = np.random.default_rng(0)
    A, B, C = nc_symbols("A B C")
    a, b = rng.standard_normal((5, 5)), rng.standard_normal((5, 5))
    c = rng.standard_normal(5)  # a diagonal, given as a vector
    m = {"A": a, "B": b, "C": c}
    cm = np.diag(c)
    p = 2 * A * B.T * C - 3 * B * B + 1
    want = 2 * a @ b.T @ cm - 3 * b @ b + np.eye(5)
    np.testing.assert_allclose(verify.evaluate(p, m), want)
    assert verify.evaluate(tr(p), m) == pytest.approx(np.trace(want) / 5)
    # long word with the prefix cache, and the letters themselves as keys
    w = tr((A * C * A.T) ** 3)
    x = a @ cm @ a.T
    assert verify.evaluate(w, {A: a, C: c}) == pytest.approx(np.trace(x @ x @ x) / 5)
    # powers of a primitive word are evaluated by binary powering: check k = 2..7
    y = a @ b
    for k in range(2, 8):
        want = np.trace(np.linalg.matrix_power(y, k)) / 5
        assert verify.evaluate(tr((A * B) ** k), m) == pytest.approx(want, rel=1e-10)
        assert verify.evaluate(tr(A**k), m) == pytest.approx(np.trace(np.linalg.matrix_power(a, k)) / 5,
                                                              rel=1e-10)


def test_evaluate_rectangular_and_complex():
    rng = np.random.default_rng(1)
    X = nc_symbols("X", shape=("N", "M"))
    x = rng.standard_normal((3, 7))
    # tr of the 3 x 3 product is normalised by 3
    assert verify.evaluate(tr(X * X.T), {"X": x}) == pytest.approx(np.sum(x * x) / 3)
    # (ncpoly rotates tr(X.T X) to tr(X X.T), which changes the normalisation
    # for rectangular X; the polynomial itself evaluates to the 7 x 7 product)
    np.testing.assert_allclose(verify.evaluate(X.T * X, {"X": x}), x.T @ x)
    # .T is the adjoint: tr(U U*) = 1 for unitary U
    U = nc_symbols("U")
    u = simulate.haar_unitary(4, rng)
    assert verify.evaluate(tr(U * U.T), {"U": u}) == pytest.approx(1.0)


def test_evaluate_errors():
    A, B = nc_symbols("A B")
    with pytest.raises(UnknownSymbolError, match="B"):
        verify.evaluate(tr(A * B), {"A": np.eye(2)})
    with pytest.raises(InvalidArgumentError, match="shape mismatch"):
        verify.evaluate(A * B, {"A": np.eye(2), "B": np.eye(3)})
    import sympy

    s = sympy.Symbol("s")
    with pytest.raises(InvalidArgumentError, match="symbolic"):
        verify.evaluate(tr(s * A), {"A": np.eye(2)})
    with pytest.raises(InvalidArgumentError, match="trace"):
        verify.evaluate("tr(A)", {"A": np.eye(2)})


# ---------------------------------------------------------------------------
# the rate classifier on synthetic errors
# ---------------------------------------------------------------------------


def _synthetic(errs, se):
    rows = [{"width": n, "trials": 100, "mean": e, "predicted": 0.0, "stderr": se, "error": e,
             "z": e / se} for n, e in errs]
    return verify.MomentCheck("synthetic", 0.0, 0, rows)


def test_rate_classifier():
    ns = [10, 20, 40, 80, 160]
    assert _synthetic([(n, 3.0 / n) for n in ns], 1e-4).rate == "1/N"
    c2 = _synthetic([(n, 30.0 / n**2) for n in ns], 1e-5)
    assert c2.rate == "1/N^2"
    assert c2.fit["slope"] == pytest.approx(-2.0, abs=1e-6)
    assert c2.fit["1/N^2"]["c"] == pytest.approx(30.0)
    # c1/N + c2/N^2 with both visible: leading order 1/N
    assert _synthetic([(n, 1.0 / n + 20.0 / n**2) for n in ns], 1e-5).rate == "1/N"
    # an error that does not vanish: the prediction is wrong
    bad = _synthetic([(n, 0.1) for n in ns], 1e-3)
    assert bad.rate == "no fit" and not bad.consistent
    # errors within noise
    assert _synthetic([(n, 1e-4 * (-1) ** n) for n in ns], 1e-3).rate == "not resolved"


# ---------------------------------------------------------------------------
# moments against exact finite-N expectations
# ---------------------------------------------------------------------------


def test_moments_haar_orthogonal_one_over_n():
    # E tr(O^2) = 1/N exactly; the limit (Haar unitary) is 0
    O = nc_symbols("O")
    model = FreeModel().haar_orthogonal(O)
    res = verify.moments(tr(O * O), model, lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
                         widths=[8, 16, 32, 64], trials=300, rng=1, expected_rate="1/N")
    assert res.predicted == 0.0
    assert res.rate == "1/N" and res.consistent
    c, se = res.fit["1/N"]["c"], res.fit["1/N"]["c_stderr"]
    assert abs(c - 1.0) < 5 * se  # the exact coefficient is 1
    assert res.fit["slope"] == pytest.approx(-1.0, abs=5 * res.fit["slope_stderr"])
    text = str(res)
    assert "rate: 1/N" in text and "width" in text
    json.dumps(res.to_dict())


def _pm_diag(n):
    return np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


def test_moments_unitary_vs_orthogonal_rates():
    # A = B = diag(+-1): phi(u a u* b u a u* b) = 0 for free a, b with
    # phi(a) = phi(b) = 0, phi(a^2) = phi(b^2) = 1.  Haar unitary: exactly
    # -1/(N^2 - 1) (Weingarten), an O(1/N^2) error; Haar orthogonal: O(1/N).
    U, A, B = nc_symbols("U A B")
    model = (FreeModel().haar_orthogonal(U).deterministic(A, [0, 1, 0, 1])
             .deterministic(B, [0, 1, 0, 1]))
    expr = tr(U * A * U.T * B * U * A * U.T * B)

    def sampler(kind):
        def s(n, rng):
            u = simulate.haar_unitary(n, rng) if kind == "u" else simulate.haar_orthogonal(n, rng)
            return {"U": u, "A": _pm_diag(n), "B": _pm_diag(n)}
        return s

    widths, trials = [4, 8, 16, 32], [2000, 1000, 400, 200]
    uni = verify.moments(expr, model, sampler("u"), widths=widths, trials=trials, rng=3)
    assert uni.predicted == 0.0
    assert uni.rate == "1/N^2"
    c, se = uni.fit["1/N^2"]["c"], uni.fit["1/N^2"]["c_stderr"]
    assert abs(c + 1.0) < 5 * se  # -1/(N^2 - 1) = -1/N^2 + O(1/N^4)
    orth = verify.moments(expr, model, sampler("o"), widths=widths, trials=trials, rng=3)
    assert orth.rate == "1/N"


@pytest.mark.slow
def test_moments_gue_fourth_moment_slow():
    # E tr H^4 = 2 + 1/N^2 (GUE); 1/N is excluded
    H = nc_symbols("H", selfadjoint=True)
    model = FreeModel().selfadjoint(H, [0, 1, 0, 2])
    gue = lambda n, rng: {"H": simulate.wigner(n, rng, field="complex")}  # noqa: E731
    res = verify.moments(tr(H**4), model, gue, widths=[2, 3, 4, 6, 8], trials=40000, rng=2)
    assert res.rate == "1/N^2"
    c, se = res.fit["1/N^2"]["c"], res.fit["1/N^2"]["c_stderr"]
    assert abs(c - 1.0) < 5 * se


def test_moments_several_exprs_exact_and_predicted():
    O = nc_symbols("O")
    model = FreeModel().haar_orthogonal(O, scale=2)
    samp = lambda n, rng: {"O": 2 * simulate.haar_orthogonal(n, rng)}  # noqa: E731
    res = verify.moments([tr(O * O.T), O * O.T * O * O.T], model, samp, widths=[5, 10],
                         trials=3, rng=0)
    assert isinstance(res, verify.MomentChecks) and len(res) == 2
    # O O^T = 4 I exactly: the errors are rounding, the rate "exact"
    assert [c.predicted for c in res] == [4.0, 16.0]
    assert all(c.rate == "exact" for c in res)
    assert len(res.rows) == 4
    # a known limit instead of a model
    r = verify.moments(tr(O * O), None, samp, widths=[5, 10], trials=3, rng=0, predicted=0)
    assert r.predicted == 0.0


def test_moments_plugin_mode():
    # tr(O A O^T A) -> m_1(A)^2 for A free from O.  With A = diag of i.i.d.
    # uniform(0, 1) entries, tr(A) fluctuates like N^-1/2 around 1/2; the
    # plug-in prediction uses the empirical m_1(A) of each sample, so its error
    # is the O(1/N) freeness correction only: E[tr(O A O^T A)] =
    # (N m_1^2 + (m_2 - m_1^2) N/(N-1) ... ) -- we just check it is much smaller
    # than the limit error and consistent with a vanishing rate.
    O, A = nc_symbols("O A")
    A = nc_symbols("A", selfadjoint=True)
    symbolic = FreeModel().haar_orthogonal(O).diagonal([A])
    samp = lambda n, rng: {"O": simulate.haar_orthogonal(n, rng), "A": rng.random(n)}  # noqa: E731
    expr = tr(O * A * O.T * A)
    plug = verify.moments(expr, symbolic, samp, widths=[16, 32, 64], trials=60, rng=5, plugin=True)
    assert plug.predicted is None and plug.plugin == ("A",)
    assert "m_1(A)**2" in str(plug.exact)
    assert plug.rate != "no fit"
    limit = FreeModel().haar_orthogonal(O).diagonal([A], moments=[0.5, 1 / 3, 0.25, 0.2])
    full = verify.moments(expr, limit, samp, widths=[16, 32, 64], trials=60, rng=5)
    assert full.predicted == pytest.approx(0.25)
    # same samples (same seed): the plug-in standard error is far smaller
    for rp, rf in zip(plug.rows, full.rows):
        assert rp["mean"] == rf["mean"]
        assert rp["stderr"] < 0.5 * rf["stderr"]
    with pytest.raises(InvalidArgumentError, match="plugin=True"):
        verify.moments(expr, symbolic, samp, widths=[4, 8], trials=2)


def test_moments_errors():
    O = nc_symbols("O")
    model = FreeModel().haar_orthogonal(O)
    samp = lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)}  # noqa: E731
    with pytest.raises(InvalidArgumentError, match="sampler"):
        verify.moments(tr(O * O), model, None)
    with pytest.raises(InvalidArgumentError, match="trials"):
        verify.moments(tr(O * O), model, samp, widths=[4], trials=1)
    with pytest.raises(InvalidArgumentError, match="widths"):
        verify.moments(tr(O * O), model, samp, widths=[4, 0], trials=3)
    with pytest.raises(InvalidArgumentError, match="expected_rate"):
        verify.moments(tr(O * O), model, samp, widths=[4, 8], trials=3, expected_rate="1/N^3")
    with pytest.raises(InvalidArgumentError, match="model"):
        verify.moments(tr(O * O), None, samp, widths=[4, 8], trials=3)


# ---------------------------------------------------------------------------
# spectrum
# ---------------------------------------------------------------------------


def _semicircle_cdf(x):
    return 0.5 + x * math.sqrt(4 - x * x) / (4 * math.pi) + math.asin(x / 2) / math.pi


def _quantiles(cdf, lo, hi, n):
    out = []
    for i in range(n):
        target = (i + 0.5) / n
        a, b = lo, hi
        for _ in range(80):
            mid = 0.5 * (a + b)
            if cdf(mid) < target:
                a = mid
            else:
                b = mid
        out.append(0.5 * (a + b))
    return np.array(out)


def test_spectrum_exact_quantiles_semicircle():
    from freealg.laws import Semicircle

    n = 500
    q = _quantiles(_semicircle_cdf, -2.0, 2.0, n)
    res = verify.spectrum(Semicircle(), q)
    # mid-quantile samples have Kolmogorov distance exactly 1/(2n); the
    # quadrature of the density (513 nodes) adds < 1e-5
    assert res.ks == pytest.approx(1 / (2 * n), abs=1e-5)
    # Levy distance <= Kolmogorov distance; for a density bounded by 1/pi it is
    # at least ks / (1 + 1/pi)
    assert res.ks / (1 + 1 / math.pi) - 1e-6 <= res.levy <= res.ks + 1e-9
    assert res.mass == pytest.approx(1.0, abs=1e-6)
    assert [r["theory"] for r in res.rows] == [0.0, 1.0, 0.0, 2.0]
    assert res.rows[1]["mean"] == pytest.approx(1.0, abs=1e-2)


def test_spectrum_atoms_marchenko_pastur():
    # MP(rate 1/2): atom 1/2 at 0, density on [(1 - 1/sqrt2)^2, (1 + 1/sqrt2)^2].
    # Samples: n/2 exact zeros (with rounding noise 1e-14) and the mid-quantiles
    # of the continuous part: Kolmogorov distance 1/(2n) again.
    from freealg.laws import MarchenkoPastur

    law = MarchenkoPastur(rate=0.5)
    a, b = [float(v) for v in law.support()[0]]
    cont = vspectrum._TheoryCDF(law)

    def f(x):  # CDF of the continuous part alone, normalised
        return (float(cont(np.array([x]))[0]) - 0.5) / 0.5

    n = 400
    q = _quantiles(f, a, b, n // 2)
    rng = np.random.default_rng(0)
    samples = np.concatenate([1e-14 * rng.standard_normal(n // 2), q])
    res = verify.spectrum(law, samples)
    assert res.atoms[0][:2] == (0.0, 0.5) and res.atoms[0][2] == 0.5
    assert res.ks == pytest.approx(1 / (2 * n), abs=1e-4)
    # shifting the atom by 1e-3 breaks the Kolmogorov distance (a jump of 1/2)
    # but not the Levy distance (<= the shift + the continuous-part error)
    shifted = verify.spectrum(law, samples + np.where(samples < 1e-6, 1e-3, 0.0))
    assert shifted.ks > 0.49 and shifted.levy < 2e-3


def test_spectrum_of_simulated_wishart():
    from freealg.laws import MarchenkoPastur

    rng = np.random.default_rng(3)
    ev = [np.linalg.eigvalsh(simulate.wishart(300, rng, rate=2.0)) for _ in range(4)]
    res = verify.spectrum(MarchenkoPastur(rate=2.0), ev, n_moments=3)
    # eigenvalues are rigid: the Kolmogorov distance is O(1/N) (~0.003 here),
    # far below the 1/sqrt(1200) ~ 0.03 of i.i.d. samples
    assert res.ks < 0.01
    for r in res.rows:  # Narayana 2, 6, 22; real-Wishart bias O(1/N) ~ 1% relative
        assert abs(r["error"]) < 0.02 * r["theory"]
    assert "Kolmogorov" in str(res)
    json.dumps(res.to_dict())


def test_spectrum_with_cdf_method_and_errors():
    class Uniform:
        def cdf(self, x):
            return np.clip(x, 0, 1)

        def atoms(self):
            return []

        def moments(self, n):
            return [1 / (k + 1) for k in range(1, n + 1)]

    q = (np.arange(100) + 0.5) / 100
    res = verify.spectrum(Uniform(), q, n_moments=2)
    assert res.ks == pytest.approx(0.005)
    with pytest.raises(InvalidArgumentError, match="eigenvalues"):
        verify.spectrum(Uniform(), np.zeros((2, 2, 2)))
    with pytest.raises(InvalidArgumentError, match="real"):
        verify.spectrum(Uniform(), np.array([1j, 2.0]))


# ---------------------------------------------------------------------------
# networks
# ---------------------------------------------------------------------------


def test_meanfield_is_the_dnn_recursion_against_a_closed_form():
    # hard-tanh: E[phi(h)^2] = q (erf(a) - 2 a exp(-a^2)/sqrt(pi)) + 1 - erf(a), a = 1/sqrt(2q)
    # (a truncated second moment of N(0, q)); verify's layer variances are those of
    # freealg.dnn.meanfield (one recursion, no copy) and match this closed form
    def e_phi2(q):
        a = 1.0 / math.sqrt(2.0 * q)
        return q * (math.erf(a) - 2.0 * a * math.exp(-a * a) / math.sqrt(math.pi)) + 1.0 - math.erf(a)

    sw, sb, q0 = 1.3, 0.2, 0.8
    net = _net(depth=4, activation="hardtanh", init="orthogonal", sigma_w=sw, sigma_b=sb)
    qh, qx = vnetwork._meanfield(net, q0)
    want_qh, want_qx = [], [q0]
    for ell in range(4):
        want_qh.append(sw * sw * want_qx[-1] + sb * sb)
        want_qx.append(e_phi2(want_qh[-1]))
    assert qh == pytest.approx(want_qh, rel=1e-12)
    assert qx == pytest.approx(want_qx[:4], rel=1e-12)
    assert qh == net.q_sequence(q0) and qx == net.qhat_sequence(q0)[:4]


def test_meanfield_and_network_model():
    net = _net(depth=3, activation="relu", init="gaussian", sigma_w=math.sqrt(2), sigma_b=0)
    qh, qx = vnetwork._meanfield(net, 1.5)
    assert qh == pytest.approx([3.0, 3.0, 3.0]) and qx == pytest.approx([1.5, 1.5, 1.5])
    # ReLU, orthogonal: tr(J J^T) = s^4 E[phi'^2] = s^4 / 2; Gaussian init the same
    # (tr(W W^T) = s^2), and tr((J J^T)^2) = s^8 (phi(d^4) * 2 ... ) checked by the
    # S-transform route below
    for init in ("orthogonal", "gaussian"):
        net = _net(depth=2, activation="relu", init=init, sigma_w=2.0, sigma_b=0.0)
        (W1, W2), (D1, D2) = verify.network_letters(2)
        J = W2 * D1 * W1
        assert verify.network_model(net).moment(tr(J * J.T)) == pytest.approx(8.0)


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("convention", ["preactivation", "psg"])
def test_jacobian_theory_matches_freeness_engine(init, convention):
    # two independent algorithms: S-transform products on moment sequences
    # (cumulants.free_mul_moments) and the NC-partition engine on the words
    net = _net(depth=3, activation="hardtanh", init=init, sigma_w=1.2, sigma_b=0.2)
    act, init_, sw, sb, depth = vnetwork._net_params(net)
    qh, _ = vnetwork._meanfield(net, 0.7)
    n_d = 3 if convention == "psg" else 2
    s_route = vlimits._jac_moments(
        [vlimits._w_law_moments(init, sw * sw, 3)] * 3,
        [[float(v) for v in act.dphi2_moments(q, 3)] for q in qh[:n_d]], 3)
    (W1, W2, W3), (D1, D2, D3) = verify.network_letters(3)
    J = W3 * D2 * W2 * D1 * W1
    if convention == "psg":
        J = D3 * J
    model = verify.network_model(net, 0.7)
    engine = [float(model.moment(tr((J * J.T) ** k))) for k in (1, 2, 3)]
    np.testing.assert_allclose(s_route, engine, rtol=1e-10)


def test_fim_theory_matches_freeness_engine():
    # Theta_3 = q_2 I + W3 D2 (q_1 I + q_0 W2 D1^2 W2^T) D2 W3^T, letters free
    net = _net(depth=3, activation="hardtanh", init="gaussian", sigma_w=1.3, sigma_b=0.1)
    act, _, sw, _, _ = vnetwork._net_params(net)
    qh, qx = vnetwork._meanfield(net, 0.8)
    nus = [[float(v) for v in act.dphi2_moments(q, 3)] for q in qh[:2]]
    s_route = vlimits._fim_moments(qx, [vlimits._w_law_moments("gaussian", sw * sw, 3)] * 3, nus, 3)
    (W1, W2, W3), (D1, D2, D3) = verify.network_letters(3)
    from freealg import I

    theta2 = qx[1] * I + qx[0] * W2 * D1 * D1 * W2.T
    theta3 = qx[2] * I + W3 * D2 * theta2 * D2 * W3.T
    model = verify.network_model(net, 0.8)
    engine = [float(model.moment(tr(theta3**k))) for k in (1, 2, 3)]
    np.testing.assert_allclose(s_route, engine, rtol=1e-10)


def test_check_asymptotic_freeness_runs_and_agrees():
    rep = verify.check_asymptotic_freeness("orthogonal", "hardtanh", sigma_w=1.2, sigma_b=0.1,
                                           depth=2, widths=(16, 32, 64), trials=12, rng=1)
    assert rep.passed, str(rep)
    assert len(rep.parts) == 14  # 7 words, limit and plug-in
    # tr(J J^T) = s^4 tr(D1^2) exactly for orthogonal weights: the plug-in
    # prediction 2.0736 m_2(D1) is an identity at finite N
    assert rep.parts[7].rate == "exact"
    assert "verdict: AGREES" in str(rep)
    json.dumps(rep.to_dict())


@pytest.mark.slow
def test_check_asymptotic_freeness_gaussian_slow():
    rep = verify.check_asymptotic_freeness("gaussian", "tanh", sigma_w=1.3, sigma_b=0.1, depth=3,
                                           widths=(32, 64, 128, 256), trials=40, rng=2)
    assert rep.passed, str(rep)


def test_check_fim_spectrum_top_atom():
    # hard-tanh, orthogonal: phi'^2 in {0, 1}; the top atom of Theta_L is an
    # exact repeated eigenvalue (location from the empirical q's, multiplicity
    # N - #zeros of the D's) -- an identity checked in every trial
    net = _net(depth=4, activation="hardtanh", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    rep = verify.check_fim_spectrum(net, widths=(32, 64, 128), trials=6, q0=0.2, rng=4)
    assert rep.data["top_atom"] is not None
    loc, mass = rep.data["top_atom"]
    # limit: p_l = erf(1/sqrt(2 q^l)) and mass = 1 - sum_l (1 - p_l)
    qh, qx = vnetwork._meanfield(net, 0.2)
    ps = [math.erf(1 / math.sqrt(2 * q)) for q in qh[:3]]
    assert mass == pytest.approx(1 - sum(1 - p for p in ps))
    assert loc == pytest.approx(qx[3] + qx[2] + qx[1] + qx[0])
    assert "identity holds" in "\n".join(rep.summary)
    for N, d in rep.data["top_atom_empirical"].items():
        assert all(m == w for _, m, w in d["finite_N"])
        # mass = 1 - (fraction of zeros): binomial fluctuation, SE ~ 0.02/sqrt(N)
        assert abs(d["mass"] - mass) < 5 * max(d["stderr"], 1e-3)
    assert rep.passed, str(rep)


def test_check_jacobian_spectrum_small():
    net = _net(depth=2, activation="hardtanh", init="orthogonal", sigma_w=1.05, sigma_b=0.05)
    rep = verify.check_jacobian_spectrum(net, depths=(2, 4), widths=(32, 64), trials=4, rng=0)
    assert rep.passed, str(rep)
    # depth 2, orthogonal: J J^T = s^4 O D1^2 O^T, so the plug-in prediction
    # (empirical law of D1^2) is exact at finite N
    assert all(c["rate"] == "exact" for c in rep.data["depths"][2]["plugin"]["checks"])
    assert rep.missing  # no law with a density was given


def test_check_jacobian_spectrum_with_law():
    # linear network, Gaussian init, depth 2: J J^T = W2 W1 W1^T W2^T has the
    # Fuss-Catalan law of order 2 (scaled by sigma_w^4 = 1), known in closed
    # form: the Kolmogorov distance must shrink with the width
    from freealg.laws import FussCatalan

    net = _net(depth=2, activation="linear", init="gaussian", sigma_w=1.0, sigma_b=0.0)
    rep = verify.check_jacobian_spectrum(net, depths=(2,), widths=(50, 200), trials=3, q0=1.0,
                                         law=lambda L: FussCatalan(L), rng=0)
    ks = rep.data["depths"][2]["ks"]
    assert ks[200]["ks"] < ks[50]["ks"] and ks[200]["ks"] < 0.03
    assert ks[200]["levy"] <= ks[200]["ks"]
    assert rep.passed, str(rep)


def test_network_freeness_error_vanishes_like_one_over_n():
    # The Must-show claim: for an actual orthogonal hard-tanh network, the
    # plug-in error of the words where D2 meets the W2 it depends on is
    # resolved (|z| ~ 4-6 at N = 128) and vanishes like 1/N (c/N fits, c/N^2
    # rejected, free slope ~ -1); the words that are identities at finite N
    # (tr((J J^T)^k) = s^(4k) tr(D1^(2k))) come out "exact".
    rep = verify.check_asymptotic_freeness("orthogonal", "hardtanh", sigma_w=1.2, sigma_b=0.1,
                                           depth=2, widths=(16, 32, 64, 128), trials=60, rng=7)
    assert rep.passed, str(rep)
    plug = rep.parts[7:]
    assert [c.rate for c in plug[:3]] == ["exact"] * 3
    ones = [c for c in plug if c.rate == "1/N"]
    assert len(ones) >= 2, str(rep)
    for c in ones:
        assert c.fit["1/N"]["p"] > 0.01 and c.fit["1/N^2"]["p"] < 0.01
        assert abs(c.fit["slope"] + 1) < 3 * c.fit["slope_stderr"] + 0.1
        # the error shrinks: |error| at the largest width < half that at the smallest
        assert abs(c.rows[-1]["error"]) < 0.5 * abs(c.rows[0]["error"])


def test_check_two_layer_fim_moments():
    # exact moments of the L = 3 curve (curves.free_mul / affine) against the
    # S-transform recursion: two algorithms, agreement to rounding
    rep = verify.check_two_layer_fim("hardtanh", 1.0, 0.0, q0=0.5, widths=(32, 64), trials=3,
                                     with_density=False, rng=0)
    np.testing.assert_allclose(rep.data["curve_moments"], rep.data["recursion_moments"], rtol=1e-12)
    assert rep.passed, str(rep)
    assert any("with_density=False" in m for m in rep.missing)
    # a smooth activation has no closed form: the report says so and checks the moments
    rep = verify.check_two_layer_fim("tanh", 1.0, 0.0, widths=(16, 32), trials=2, with_density=False)
    assert rep.data["curve"] is None and any("smooth" in m for m in rep.missing)


@pytest.mark.slow
def test_check_two_layer_fim_density_slow():
    rep = verify.check_two_layer_fim("hardtanh", 1.0, 0.0, q0=0.5, widths=(50, 200), trials=4,
                                     rng=0)
    assert rep.passed, str(rep)
    text = str(rep)
    assert "top atom of the curve vs the atom rule of free products" in text and "agree" in text
    levy = [rep.data["ks"][N]["levy"] for N in (50, 200)]
    assert max(levy) < 0.1


def test_moment_checks_take_progress_like_the_other_checks():
    # check_asymptotic_freeness and verify.moments accepted only a callable or None;
    # like the spectrum checks they now take a bool too (False: no bar)
    from freealg.errors import InvalidArgumentTypeError

    seen = []
    rep = verify.check_asymptotic_freeness(net=freealg.MLP(2, "relu"), widths=(8, 16), trials=2, progress=False)
    assert rep.parts
    verify.check_asymptotic_freeness(net=freealg.MLP(2, "relu"), widths=(8, 16), trials=2,
                                     progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    with pytest.raises(InvalidArgumentTypeError):
        verify.check_asymptotic_freeness(net=freealg.MLP(2, "relu"), widths=(8, 16), trials=2, progress="yes")
