"""Tests of SpectralCurve and the curve algebra (⊞, ⊠, powers, affine,
inversion), the Jacobian and FIM closed forms, against independent truths:
closed-form curves, the moment-sequence route (freealg.cumulants), known
formulas (Fuss–Catalan, inverse Wishart moments, PSG variance), and a
finite-N simulation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import freealg
from freealg import (
    Arcsine,
    Atomic,
    Bernoulli,
    FussCatalan,
    MarchenkoPastur,
    PointMass,
    Semicircle,
    SpectralCurve,
    fim_curve,
    fim_two_layer_curve,
    free_add,
    free_mul,
    free_power,
    jacobian_curve,
)
from freealg.laws.convolution_moments import add_moments, mul_moments
from freealg.laws.elimination import _select
from freealg.cumulants import free_add_moments, free_mul_moments
from freealg.errors import (
    BranchError,
    InvalidArgumentError,
    InvalidLawError,
    TransformUndefinedError,
)

R = sympy.Rational
z, G = sympy.symbols("z G")


def _fr(seq):
    return [Fraction(str(v)) for v in seq]


# --------------------------------------------------------------------------- the curve object


def test_curve_moments_from_series_and_normal_form():
    c = SpectralCurve(-3 * (G**2 - z * G + 1))            # content and sign removed
    assert c.polynomial == G**2 - G * z + 1
    assert c.moments(8) == [0, 1, 0, 2, 0, 5, 0, 14]
    assert c.degree == 2 and c.degree_z == 1
    assert c.discriminant() == (z - 2) * (z + 2)
    assert c.edge_candidates() == [-2, 2]


def test_from_stieltjes_theory_example():
    # docs/theory.md §3: MP^{⊠2} is m^3 z^2 - m z - 1 = 0 in terms of m = -G
    m = sympy.Symbol("m")
    c = SpectralCurve.from_stieltjes(m**3 * z**2 - m * z - 1, z, m)
    assert c == FussCatalan(2).curve()
    assert c.moments(5) == [1, 3, 12, 55, 273]


def test_no_branch_errors():
    with pytest.raises(BranchError, match="G ~ 1/z"):
        SpectralCurve(G**2 - z * G + 2)
    with pytest.raises(BranchError, match="m = -G"):
        SpectralCurve(z * G + 1)                    # the curve of -1/z, i.e. m instead of G
    with pytest.raises(InvalidArgumentError, match="cannot find the variable G"):
        SpectralCurve(z**2 + 1)
    with pytest.raises(InvalidArgumentError, match="does not involve G"):
        SpectralCurve(z**2 + 1, z, G)


def test_symbolic_curve_moments_and_subs():
    s = sympy.Symbol("sigma", positive=True)
    c = SpectralCurve(s**2 * G**2 - z * G + 1)
    assert c.moments(4) == [0, s**2, 0, 2 * s**4]
    with pytest.raises(InvalidArgumentError, match="substitute"):
        c.cauchy(1j)
    assert c.subs(s, 2) == Semicircle(0, 4).curve()


def test_matches_moments_and_select_decoy():
    # a decoy factor with its own branch G ~ 1/z (MP) next to the semicircle
    P = (G**2 - z * G + 1) * (z * G**2 - z * G + 1)
    c = _select(P, lambda n: Semicircle().moments(n), "test")
    assert c == Semicircle().curve()
    c = _select(P, lambda n: MarchenkoPastur().moments(n), "test")
    assert c == MarchenkoPastur().curve()
    with pytest.raises(BranchError, match="reproduces"):
        _select(P, lambda n: Arcsine().moments(n), "test")
    simp = SpectralCurve((G**2 - z * G + 1) * (G - 5) * (z + 1), check=False).simplify()
    assert simp == Semicircle().curve()
    with pytest.raises(BranchError, match="2 irreducible factors"):
        SpectralCurve(P, check=False).simplify()


def test_latex_and_repr():
    c = FussCatalan(3).curve()
    assert c.latex() == "G^{4} z^{3} - G z + 1 = 0"
    assert freealg.latex(c) == c.latex()
    assert repr(c) == "SpectralCurve(G**4*z**3 - G*z + 1)"
    assert "disc" in Semicircle().curve().report()


# --------------------------------------------------------------------------- MP^{⊠L}


@pytest.mark.parametrize("L", [2, 3, 4, 6, 8])
def test_mp_power_is_fuss_catalan(L):
    c = free_power(MarchenkoPastur(), L)
    assert c.degree == L + 1
    assert c.polynomial == z**L * G ** (L + 1) - z * G + 1
    assert c.moments(5) == [math.comb((L + 1) * n, n) // (L * n + 1) for n in range(1, 6)]
    # iterated two-factor products give the same curve
    if L <= 4:
        d = MarchenkoPastur().curve()
        for _ in range(L - 1):
            d = free_mul(d, MarchenkoPastur())
        assert d == c


def test_fuss_catalan_curve_density_matches_haagerup_moller():
    fc = FussCatalan(2)
    x = np.array([0.3, 1.0, 2.5, 5.0, 6.5])
    res = fc.curve().density(x)
    assert res.evidence.ok
    assert np.allclose(res.density, fc.pdf(x), rtol=1e-9, atol=1e-12)
    assert fc.curve().support(exact=True) == [(0, R(27, 4))]


# --------------------------------------------------------------------------- ⊞


def test_free_add_rational_and_substitution_routes():
    assert free_add(Semicircle(), Semicircle()) == Semicircle(0, 2).curve()
    assert free_add(Semicircle(1, 1), MarchenkoPastur(2)).moments(6) == _sympy(
        free_add_moments(Semicircle(1, 1).moments(6), MarchenkoPastur(2).moments(6)))
    c = free_add(Semicircle(), Bernoulli(R(1, 2)))     # one substitution
    assert c.degree == 3
    assert c.moments(8) == _sympy(free_add_moments(_fr(Semicircle().moments(8)), [Fraction(1, 2)] * 8))


def test_free_add_resultant_two_projections_is_arcsine():
    # Bernoulli(1/2) ⊞ Bernoulli(1/2) is the arcsine law on [0, 2]
    c = free_add(Bernoulli(R(1, 2)), Bernoulli(R(1, 2)))
    assert c == Arcsine(0, 2).curve()
    assert c.irreducible


def test_free_add_resultant_general():
    a = Atomic([0, 1], [R(1, 3), R(2, 3)])
    b = Atomic([-1, 2], [R(1, 4), R(3, 4)])
    c = free_add(a, b)
    assert c.moments(8) == _sympy(free_add_moments(_fr(a.moments(8)), _fr(b.moments(8))))
    assert sympy.factor_list(c.polynomial)[1][0][1] == 1 and len(sympy.factor_list(c.polynomial)[1]) == 1


def _sympy(seq):
    return [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.sympify(v)
            for v in seq]


# --------------------------------------------------------------------------- ⊠


def test_free_mul_routes_agree_with_moment_route():
    a = Atomic([1, 2], [R(1, 2), R(1, 2)])
    b = Atomic([1, 3], [R(1, 3), R(2, 3)])
    c = free_mul(a, b)                                  # resultant route
    assert c.moments(8) == _sympy(free_mul_moments(_fr(a.moments(8)), _fr(b.moments(8))))
    assert len(sympy.factor_list(c.polynomial)[1]) == 1
    d = free_mul(Bernoulli(R(1, 3)), a)                 # substitution route
    assert d.moments(8) == _sympy(free_mul_moments([Fraction(1, 3)] * 8, _fr(a.moments(8))))
    e = free_mul(Bernoulli(R(1, 3)), MarchenkoPastur(2))  # rational route
    assert e.moments(8) == _sympy(free_mul_moments([Fraction(1, 3)] * 8, _fr(MarchenkoPastur(2).moments(8))))


def test_free_power_of_two_atom_law_one_resultant():
    a = Atomic([1, 3], [R(2, 3), R(1, 3)])
    c = free_power(a, 6)
    ref = _fr(a.moments(8))
    m = ref
    for _ in range(5):
        m = free_mul_moments(m, ref)
    assert c.moments(8) == _sympy(m)
    assert c.degree == 6        # degree L: linear in L (one resultant, no blow-up)


def test_free_mul_mean_zero_rejected():
    with pytest.raises(TransformUndefinedError, match="mean m_1 = 0"):
        free_mul(Semicircle(), MarchenkoPastur())
    with pytest.raises(TransformUndefinedError):
        free_power(Semicircle(), 2)


def test_free_mul_bad_input():
    with pytest.raises(InvalidArgumentError, match="PointMass"):
        free_mul(MarchenkoPastur(), 2)


@settings(max_examples=10, deadline=None)
@given(st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=20),
       st.fractions(min_value=Fraction(1, 20), max_value=4, max_denominator=20))
def test_free_mul_commutes_and_matches_moments(p, lam):
    a, b = Bernoulli(R(p.numerator, p.denominator)), MarchenkoPastur(R(lam.numerator, lam.denominator))
    c1, c2 = free_mul(a, b), free_mul(b, a)
    assert c1 == c2
    assert c1.moments(6) == _sympy(free_mul_moments([p] * 6, _fr(b.moments(6))))


@settings(max_examples=10, deadline=None)
@given(st.fractions(min_value=Fraction(1, 20), max_value=Fraction(19, 20), max_denominator=20),
       st.fractions(min_value=Fraction(1, 10), max_value=3, max_denominator=10))
def test_free_add_commutes(p, v):
    a, b = Bernoulli(R(p.numerator, p.denominator)), Semicircle(0, R(v.numerator, v.denominator))
    assert free_add(a, b) == free_add(b, a)


def test_symbolic_moment_routes_agree_with_cumulants_module():
    p, s = sympy.symbols("p s", positive=True)
    seqs = [[p] * 5, MarchenkoPastur(s).moments(5)]
    ref = free_mul_moments(seqs[0], seqs[1], check=False)
    assert [sympy.expand(a - b) for a, b in zip(mul_moments(seqs, 5), ref)] == [0] * 5
    ref = free_add_moments(seqs[0], seqs[1], check=False)
    assert [sympy.expand(a - b) for a, b in zip(add_moments(seqs, 5), ref)] == [0] * 5


# --------------------------------------------------------------------------- affine / inversion


def test_affine_and_inversion():
    c = MarchenkoPastur(2).curve().affine(1, 3)
    m = MarchenkoPastur(2).moments(3)
    assert c.moments(3) == [sympy.expand(sum(math.comb(k, j) * 3**j * (m[j - 1] if j else 1)
                                             for j in range(k + 1))) for k in (1, 2, 3)]
    assert Semicircle(1, 2).curve().affine(3, -2) == Semicircle(1, 8).curve()
    # inverse Wishart: E[1/X] = 1/(λ−1), E[1/X²] = λ/(λ−1)³ for MP(λ), λ > 1
    lam = R(4)
    assert MarchenkoPastur(lam).curve().invert().moments(2) == [1 / (lam - 1), lam / (lam - 1) ** 3]
    with pytest.raises(InvalidLawError, match="atom"):
        Bernoulli(R(1, 2)).curve().invert()


# --------------------------------------------------------------------------- Jacobians


@pytest.mark.parametrize("weights, s1", [("gaussian", -1), ("orthogonal", 0)])
def test_jacobian_psg_mean_and_variance_formula(weights, s1):
    # docs/theory.md §5: m_1 = chi^L, Var = L m_1^2 (mu_2/mu_1^2 - 1 - s_1); Bernoulli: mu_2/mu_1^2 = 1/p
    p, L = R(1, 3), 4
    sw = sympy.sqrt(R(3, 2))
    c = jacobian_curve(L, Bernoulli(p), sigma_w=sw, weights=weights, convention="psg")
    m1, m2 = c.moments(2)
    chi = sw**2 * p
    assert m1 == chi**L
    assert sympy.simplify(m2 - m1**2 - L * m1**2 * (1 / p - 1 - s1)) == 0
    assert c.degree == (L + 1 if weights == "gaussian" else L)


@pytest.mark.parametrize("weights", ["gaussian", "orthogonal"])
@pytest.mark.parametrize("convention", ["preactivation", "psg"])
def test_jacobian_moments_equal_moment_route(weights, convention):
    p, L = R(2, 5), 3
    c = jacobian_curve(L, Bernoulli(p), sigma_w=2, weights=weights, convention=convention)
    w = _fr(MarchenkoPastur(1, 4).moments(6)) if weights == "gaussian" else [Fraction(4) ** k for k in range(1, 7)]
    seq = w
    for _ in range(L - 1):
        seq = free_mul_moments(seq, w)
    for _ in range(L if convention == "psg" else L - 1):
        seq = free_mul_moments(seq, [Fraction(2, 5)] * 6)
    assert c.moments(6) == _sympy(seq)


def test_jacobian_degree_linear_in_depth_symbolic():
    p, s = sympy.symbols("p sigma_w", positive=True)
    for L in (2, 5):
        c = jacobian_curve(L, Bernoulli(p), sigma_w=s, weights="gaussian", convention="preactivation")
        assert c.degree == L + 1 and c.degree_z == L
        assert c.moments(1) == [p ** (L - 1) * s ** (2 * L)]
    c = jacobian_curve(4, Bernoulli(p), sigma_w=s, weights="orthogonal", convention="psg")
    assert c.degree == 4


@pytest.mark.slow
def test_jacobian_degree_linear_in_depth_symbolic_deep():
    p, s = sympy.symbols("p sigma_w", positive=True)
    for L in (9, 16):
        c = jacobian_curve(L, Bernoulli(p), sigma_w=s, weights="gaussian", convention="psg")
        assert c.degree == L + 1
        assert c.moments(1) == [p**L * s ** (2 * L)]


def test_jacobian_deep_numeric_build():
    c = jacobian_curve(32, Bernoulli(R(1, 2)), sigma_w=sympy.sqrt(2), convention="psg")
    assert c.degree == 33 and c.moments(1) == [1]


def test_jacobian_orthogonal_relu_density_is_certified():
    c = jacobian_curve(2, Bernoulli(R(1, 2)), sigma_w=sympy.sqrt(2), weights="orthogonal",
                       convention="psg")
    res = c.density(np.linspace(0.1, 3.9, 7))
    assert res.evidence.ok
    atoms = c.atoms(exact=True)
    # ν⊠ν for Bernoulli(1/2) has an atom at 0 of mass 1/2 (two free projections)
    assert atoms[0] == (0, R(1, 2))


# --------------------------------------------------------------------------- FIM


def test_fim_two_layer_symbolic_closed_form():
    c = fim_two_layer_curve()
    a1, a2 = sympy.symbols("alpha_1 alpha_2", positive=True)
    q0, q1, q2 = sympy.symbols("q_0 q_1 q_2", positive=True)
    s = sympy.Symbol("sigma_w", positive=True)
    assert c.degree == 2
    # mean: q_2 + σ² α_2 q_1 + σ⁴ α_1 α_2 q_0 (one step of the recursion per layer)
    assert sympy.expand(c.moments(1)[0] - (q2 + s**2 * a2 * q1 + s**4 * a1 * a2 * q0)) == 0
    atoms = dict((sympy.simplify(a), ms) for a, ms in c.atom_candidates())
    assert atoms[q2] == [1 - a2]
    assert sympy.expand(atoms[q2 + s**2 * q1][0] - (a2 - a1)) == 0
    assert sympy.expand(atoms[sympy.expand(q2 + s**2 * q1 + s**4 * q0)][0] - (a1 + a2 - 1)) == 0
    edges = c.edge_candidates()
    centre = q2 + s**2 * q1 + s**4 * q0 * (a1 + a2 - 2 * a1 * a2)
    half = 2 * s**4 * q0 * sympy.sqrt(a1 * a2 * (1 - a1) * (1 - a2))
    for e in (centre - half, centre + half):
        assert any(sympy.simplify(sympy.expand(e - f)) == 0 for f in edges)


def test_fim_two_layer_moments_against_moment_route_at_a_point():
    vals = dict(a1=R(1, 3), a2=R(3, 5), s=R(3, 2), q=(R(1), R(2), R(1, 2)))
    c = fim_two_layer_curve(alpha=(vals["a1"], vals["a2"]), sigma_w=vals["s"], q=vals["q"])
    s2 = vals["s"] ** 2
    q0, q1, q2 = vals["q"]
    mu2 = _fr(Atomic([q1, q1 + s2 * q0], [1 - vals["a1"], vals["a1"]]).moments(6))
    prod = free_mul_moments([Fraction(3, 5)] * 6, mu2)
    # pushforward x -> q2 + s2 x by the binomial formula
    ref = [sum(math.comb(k, j) * Fraction(str(s2)) ** j * (prod[j - 1] if j else 1)
               * Fraction(str(q2)) ** (k - j) for j in range(k + 1)) for k in range(1, 7)]
    assert c.moments(6) == _sympy(ref)


@pytest.mark.slow
def test_fim_relu_numeric_edges_and_atoms():
    c = fim_two_layer_curve("relu", sigma_w=1, q=(1, 1, 1))
    # α = 1/2: support [q2 + q1, q2 + q1 + 4 α(1−α) q0] = [2, 3]; atom 1/2 at q2 = 1
    assert c.support(exact=True) == [(2, 3)]
    assert c.atoms(exact=True) == [(1, R(1, 2))]
    assert "= 0" in c.report()


def test_fim_hardtanh_is_exact_in_erf():
    c = fim_two_layer_curve("hardtanh", sigma_w=1, q=(1, 1, 1))
    a = sympy.erf(1 / sympy.sqrt(2))               # pre-activation variance q̂ = σ² q + 0 = 1
    assert sympy.simplify(c.moments(1)[0] - (1 + a + a**2)) == 0


def test_fim_gaussian_weights_and_general_recursion():
    nu = Bernoulli(R(1, 2))
    c = fim_curve([nu, nu], [1, 1, 1], sigma_w=1, weights="gaussian")
    # μ2 = 1 + MP(1/2, 1) ⊠ δ_1 ; μ3 = 1 + MP(1/2,1) ⊠ μ2 : check the mean m_1 = 1 + (1/2)(1 + 1/2)
    assert c.moments(1) == [R(7, 4)]
    with pytest.raises(InvalidArgumentError, match="len"):
        fim_curve([nu], [1, 2, 3])


def test_fim_two_layer_simulation():
    # finite-N check with Haar orthogonal weights and independent Bernoulli D's:
    # the spectral moments of Θ_3 converge at rate O(1/N); tolerance 5 % at N = 400
    rng = np.random.default_rng(0)
    N = 400
    q0, q1, q2, a1, a2 = 1.0, 1.0, 0.5, 0.5, 0.7

    def haar(n):
        qm, r = np.linalg.qr(rng.standard_normal((n, n)))
        return qm * np.sign(np.diag(r))

    ms = np.zeros(2)
    reps = 4
    for _ in range(reps):
        D1 = np.diag(rng.random(N) < a1).astype(float)
        D2 = np.diag(rng.random(N) < a2).astype(float)
        W2, W3 = haar(N), haar(N)
        T2 = q1 * np.eye(N) + W2 @ D1 * q0 @ D1 @ W2.T
        T3 = q2 * np.eye(N) + W3 @ D2 @ T2 @ D2 @ W3.T
        ev = np.linalg.eigvalsh(T3)
        ms += [ev.mean(), (ev**2).mean()]
    ms /= reps
    c = fim_two_layer_curve(alpha=(R(1, 2), R(7, 10)), sigma_w=1, q=(1, 1, R(1, 2)))
    exact = [float(v) for v in c.moments(2)]
    assert abs(ms[0] - exact[0]) < 0.05 * exact[0]
    assert abs(ms[1] - exact[1]) < 0.05 * exact[1]


def test_elimination_route_agrees_with_substitution_route():
    # force the resultant route on a product that also has a substitution route
    from freealg.laws.elimination import _mul_two_algebraic

    a = Atomic([1, 3], [R(1, 4), R(3, 4)])
    b = Bernoulli(R(2, 5))
    sub = free_mul(b, a)                                     # one substitution
    res = _mul_two_algebraic(a.curve(), b.curve(), [(a, 1), (b, 1)])   # one resultant
    assert sub == res


def test_jacobian_simulation_orthogonal_relu():
    # PSG Jacobian J = D2 W2 D1 W1 with Haar W (σ_w² = 2) and independent Bernoulli(1/2) D's.
    # Normalised-trace moments of JJᵀ concentrate with O(1/N) bias and O(1/N) fluctuations;
    # N = 400 and 3 repetitions keep both well below the 5 % tolerance.
    rng = np.random.default_rng(1)
    N, reps = 400, 3

    def haar(n):
        qm, r = np.linalg.qr(rng.standard_normal((n, n)))
        return qm * np.sign(np.diag(r))

    ms = np.zeros(2)
    for _ in range(reps):
        J = np.eye(N)
        for _ in range(2):
            D = np.diag((rng.random(N) < 0.5).astype(float))
            J = D @ (np.sqrt(2) * haar(N)) @ J
        ev = np.linalg.eigvalsh(J @ J.T)
        ms += [ev.mean(), (ev**2).mean()]
    ms /= reps
    c = jacobian_curve(2, Bernoulli(R(1, 2)), sigma_w=sympy.sqrt(2), weights="orthogonal",
                       convention="psg")
    exact = [float(v) for v in c.moments(2)]       # m_1 = χ² = 1, m_2 = 1 + 2·(2 − 1) = 3
    assert exact == [1.0, 3.0]
    assert abs(ms[0] - exact[0]) < 0.05 * exact[0]
    assert abs(ms[1] - exact[1]) < 0.05 * exact[1]


def test_law_invert_and_factored_latex():
    assert PointMass(4).invert().moments(2) == [R(1, 4), R(1, 16)]
    tex = fim_two_layer_curve().latex()
    assert tex.startswith("G^{2}") and tex.endswith("= 0")


def test_numeric_algebraic_transforms_match_series():
    from freealg.cumulants import free_cumulants, s_transform_coefficients

    a = Atomic([1, 3], [R(1, 2), R(1, 2)])
    w = 0.1
    ms = [float(x) for x in a.moments(40)]
    s_ser = sum(c * w**k for k, c in enumerate(s_transform_coefficients(ms)))
    r_ser = sum(c * w**k for k, c in enumerate(free_cumulants(ms)))
    assert abs(a.s_transform(w) - s_ser) < 1e-12
    assert abs(a.r_transform(w) - r_ser) < 1e-12
    with pytest.raises(TransformUndefinedError, match="s_polynomial"):
        a.s_transform()
    with pytest.raises(freealg.errors.ConvergenceError):
        a.s_transform(5.0)
