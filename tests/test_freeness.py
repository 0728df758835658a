"""The freeness engine against independent truths.

* closed forms: tr(abab) for free a, b; free projections; Fuss–Catalan
  moments of Ginibre products; Haar words (1 iff as many O as Oᵀ);
  semicircle and free Poisson moments;
* a second algorithm: the S-transform route ``free_mul_moments`` (docs/theory.md §5:
  ``μ_{JJᵀ} = ⊠`` of the factors) and the spectral FIM recursion (docs/theory.md §6);
* a third route inside the module: ``expand`` sums letter-level cumulants over
  NC(word) with no family relations and no Kreweras recursion;
* finite-N simulation (numpy) with a stated tolerance.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import freealg
from freealg import (
    FreeModel,
    I,
    cumulant_symbol,
    free_mul_moments,
    moment_symbol,
    nc_symbols,
    tr,
)
from freealg.errors import (
    FreealgError,
    InvalidArgumentError,
    InvalidLawError,
    ModelError,
    TooLargeError,
    UnknownSymbolError,
)
from freealg.freeness.engine import kreweras_blocks as _kreweras
from freealg.partitions import kreweras_complement, noncrossing_partitions, partition_blocks


def fuss_catalan(L, k):
    return math.comb((L + 1) * k, k) // (L * k + 1)


def network(L, *, kind="haar", scale=1, moments=None, psg=False):
    """Model and Jacobian J = W_L D_{L-1} ... D_1 W_1 (preactivation convention) or,
    with psg=True, J = D_L W_L ... D_1 W_1."""
    Ws = [nc_symbols(f"W{i}") for i in range(1, L + 1)]
    Ds = [nc_symbols(f"D{i}", selfadjoint=True) for i in range(1, L + 1)]
    model = FreeModel()
    for W in Ws:
        if kind == "haar":
            model.haar_orthogonal(W, scale=scale)
        else:
            model.ginibre(W, variance=scale ** 2)
    nD = L if psg else L - 1
    if nD:
        model.diagonal(Ds[:nD], moments=moments)
    J = Ws[0]
    for l in range(1, L):
        J = Ws[l] * Ds[l - 1] * J
    if psg:
        J = Ds[L - 1] * J
    return model, J


def boxtimes(*seqs):
    out = seqs[0]
    for s in seqs[1:]:
        out = free_mul_moments(out, s, check=False)
    return out


# ---------------------------------------------------------------------------
# the "must show" identities
# ---------------------------------------------------------------------------


def test_abab_symbolic_identity():
    a, b = nc_symbols("a b", selfadjoint=True)
    model = FreeModel().selfadjoint(a).selfadjoint(b)
    m = lambda x, k: moment_symbol(x, k)  # noqa: E731
    expected = m(a, 2) * m(b, 1) ** 2 + m(a, 1) ** 2 * m(b, 2) - m(a, 1) ** 2 * m(b, 1) ** 2
    assert sympy.expand(model.moment(tr(a * b * a * b)) - expected) == 0
    # the names are plain sympy symbols
    assert moment_symbol(a, 2) == sympy.Symbol("m_2(a)")


def test_free_projections():
    al, be = sympy.symbols("alpha beta")
    P, Q = nc_symbols("P Q", selfadjoint=True)
    model = FreeModel().selfadjoint(P, moments=lambda k: al).selfadjoint(Q, moments=lambda k: be)
    got = model.moment(tr(P * Q * P * Q))
    assert sympy.expand(got - (al * be ** 2 + al ** 2 * be - al ** 2 * be ** 2)) == 0
    # exact numbers
    model = FreeModel().selfadjoint(P, [Fraction(1, 3)] * 4).selfadjoint(Q, [Fraction(1, 2)] * 4)
    a, b = Fraction(1, 3), Fraction(1, 2)
    assert model.moment(tr(P * Q * P * Q)) == a * b ** 2 + a ** 2 * b - a ** 2 * b ** 2


@pytest.mark.parametrize("L", [2, 3])
@pytest.mark.parametrize("p", [Fraction(1, 2), Fraction(1, 3)])
def test_haar_bernoulli_network_equals_s_transform_route(L, p):
    # D Bernoulli(p): D^2 = D, so nu = law(D^2) = Bernoulli(p) and
    # mu_{JJ^T} = boxtimes over l of (delta_{s^2} for W_l^T W_l, nu_l)
    model, J = network(L, moments=lambda k: p)
    nu = [p] * 4
    ref = boxtimes(*([nu] * (L - 1))) if L > 2 else nu
    for k in range(1, 5):
        got = model.moment(tr((J * J.T) ** k))
        assert got == ref[k - 1]
        assert isinstance(got, (int, Fraction))


@pytest.mark.parametrize("L", [2, 3])
def test_haar_network_symbolic_scale_and_law(L):
    # symbolic sigma_w and a symbolic law of D: nu_l has moments m_{2j}(D_l)
    s = sympy.Symbol("sigma_w")
    model, J = network(L, scale=s)
    point = [s ** (2 * j) for j in range(1, 5)]                 # W^T W = s^2 I
    nus = [[moment_symbol(f"D{l}", 2 * j) for j in range(1, 5)] for l in range(1, L)]
    ref = boxtimes(point, *sum(([nu, point] for nu in nus), []))
    for k in range(1, 5):
        got = model.moment(tr((J * J.T) ** k))
        assert sympy.cancel(got - ref[k - 1]) == 0


def test_psg_convention_with_a_general_law():
    # D law: uniform on {0, 1, 2}; nu = law(D^2) has m_j(nu) = m_{2j}(D)
    mD = [Fraction(sum(x ** k for x in (0, 1, 2)), 3) for k in range(1, 9)]
    nu = [mD[2 * j - 1] for j in range(1, 5)]
    model, J = network(2, moments=mD, psg=True)
    ref = boxtimes(nu, nu)
    assert [model.moment(tr((J * J.T) ** k)) for k in range(1, 5)] == ref


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_ginibre_linear_network_fuss_catalan(L):
    Ws = [nc_symbols(f"W{i}") for i in range(1, L + 1)]
    model = FreeModel()
    J = I
    for W in Ws:
        model.ginibre(W)
        J = W * J
    got = [model.moment(tr((J * J.T) ** k)) for k in range(1, 5)]
    assert got == [fuss_catalan(L, k) for k in range(1, 5)]


def test_ginibre_network_with_bernoulli_d_equals_s_transform_route():
    # Ginibre W: W^T W is free Poisson (Catalan moments, variance 1)
    p = Fraction(1, 2)
    model, J = network(3, kind="ginibre", moments=lambda k: p)
    mp = [1, 2, 5, 14]
    ref = boxtimes(mp, [p] * 4, mp, [p] * 4, mp)
    assert [model.moment(tr((J * J.T) ** k)) for k in range(1, 5)] == ref


def _affine_push(moments, q, c):
    """Moments of q + c X from those of X (binomial expansion)."""
    full = [1] + list(moments)
    return [sympy.expand(sum(math.comb(k, j) * q ** (k - j) * c ** j * full[j] for j in range(k + 1)))
            for k in range(1, len(moments) + 1)]


@pytest.mark.parametrize("n", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_fim_recursion_two_hidden_layers(n):
    # Theta_{l+1} = q_l I + W_{l+1} D_l Theta_l D_l W_{l+1}^T, Theta_1 = q_0 I,
    # against mu_{l+1} = (q_l + sigma_w^2 .)_* (nu_l boxtimes mu_l)  (docs/theory.md §6).
    # tr(Theta_3^k) for k <= n; n = 3 is slow only because the S-transform
    # route produces large unsimplified rational functions for sympy.cancel.
    q0, q1, q2, s = sympy.symbols("q_0 q_1 q_2 sigma_w", positive=True)
    W2, W3 = nc_symbols("W2 W3")
    D1, D2 = nc_symbols("D1 D2", selfadjoint=True)
    model = FreeModel().haar_orthogonal(W2, scale=s).haar_orthogonal(W3, scale=s).diagonal([D1, D2])
    T1 = q0 * I
    T2 = q1 * I + W2 * D1 * T1 * D1 * W2.T
    T3 = q2 * I + W3 * D2 * T2 * D2 * W3.T
    nu1 = [moment_symbol(D1, 2 * j) for j in range(1, n + 1)]
    nu2 = [moment_symbol(D2, 2 * j) for j in range(1, n + 1)]
    mu1 = [q0 ** j for j in range(1, n + 1)]
    mu2 = _affine_push(free_mul_moments(nu1, mu1, check=False), q1, s ** 2)
    mu3 = _affine_push(free_mul_moments(nu2, mu2, check=False), q2, s ** 2)
    for k in range(1, n + 1):
        got = model.moment(tr(T3 ** k))
        assert sympy.cancel(got - mu3[k - 1]) == 0, k
    # the mean is linear in the q's (docs/theory.md §6)
    assert sympy.expand(model.moment(tr(T3)) - (q2 + s ** 2 * nu2[0] * (q1 + s ** 2 * nu1[0] * q0))) == 0


# ---------------------------------------------------------------------------
# families on their own
# ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=8))
def test_haar_words_closed_form(bits):
    # for Haar O: tr(word) = 1 if #O == #O^T else 0; with W = s O, times s^len
    W = nc_symbols("W")
    model = FreeModel().haar_orthogonal(W, scale=2)
    p = I
    for b in bits:
        p = p * (W.T if b else W)
    expected = 2 ** len(bits) if 2 * sum(bits) == len(bits) else 0
    assert model.moment(tr(p)) == expected
    # the letter-level R-diagonal expansion (no O O^T = I relation) agrees
    assert model.expand(tr(p)).value == expected


def test_ginibre_family_moments():
    W = nc_symbols("W")
    v = sympy.Symbol("v", positive=True)
    model = FreeModel().ginibre(W, variance=v)
    for k in range(1, 6):
        cat = math.comb(2 * k, k) // (k + 1)
        assert sympy.expand(model.moment(tr((W * W.T) ** k)) - cat * v ** k) == 0
    assert model.moment(tr(W ** 3)) == 0
    assert sympy.expand(model.moment(tr(W ** 2 * W.T ** 2)) - v ** 2) == 0   # one nested pairing


def test_selfadjoint_laws_from_cumulants_callables_and_objects():
    A = nc_symbols("A", selfadjoint=True)
    semicircle = FreeModel().selfadjoint(A, cumulants=lambda k: 1 if k == 2 else 0)
    assert [semicircle.moment(tr(A ** k)) for k in (2, 4, 6)] == [1, 2, 5]

    class Law:
        def moments(self, n):
            return [math.comb(2 * k, k) // (k + 1) for k in range(1, n + 1)]

    mp = FreeModel().selfadjoint(A, moments=Law())
    assert mp.moment(tr(A ** 5)) == 42
    k1, k2, k3 = (cumulant_symbol(A, j) for j in (1, 2, 3))
    sym = FreeModel().selfadjoint(A, symbolic="cumulants")
    assert sympy.expand(sym.moment(tr(A ** 3)) - (k3 + 3 * k1 * k2 + k1 ** 3)) == 0


def test_diagonal_family_is_commutative_and_classically_independent():
    D1, D2 = nc_symbols("D1 D2", selfadjoint=True)
    model = FreeModel().diagonal([D1, D2], moments={D1: [1, 2, 5, 14], D2: [2, 5, 13, 35]})
    # phi(D1 D2 D1 D2) = E[d1^2] E[d2^2] for commuting independent entries
    assert model.moment(tr(D1 * D2 * D1 * D2)) == 2 * 5
    assert model.moment(tr(D1 ** 3 * D2)) == 5 * 2
    # not free: free variables would give m2 m1^2 + m1^2 m2 - m1^2 m1^2
    assert 2 * 4 + 1 * 5 - 4 != 10


def test_deterministic_conjugated_by_haar():
    # E tr(U A U^T B U A U^T B) -> m2(A) m1(B)^2 + m1(A)^2 m2(B) - m1(A)^2 m1(B)^2
    U, A, B = nc_symbols("U A B")
    mA, mB = [1, 3, 9, 27], [2, 5, 14, 42]
    model = FreeModel().haar_orthogonal(U).deterministic(A, moments=mA).deterministic(B, moments=mB)
    X = U * A * U.T * B
    expected = mA[1] * mB[0] ** 2 + mA[0] ** 2 * mB[1] - mA[0] ** 2 * mB[0] ** 2
    assert model.moment(tr(X * X)) == expected


# ---------------------------------------------------------------------------
# two routes inside the module; Kreweras
# ---------------------------------------------------------------------------

_W, _G, _A, _D1, _D2 = nc_symbols("W G A D1 D2", selfadjoint="A D1 D2")
_MIXED = (FreeModel().haar_orthogonal(_W, scale=2).ginibre(_G, variance=3)
          .selfadjoint(_A, moments=lambda k: Fraction(1 + 3 ** k, 2))      # (delta_1 + delta_3)/2
          .diagonal([_D1, _D2], moments={_D1: freealg.catalan, _D2: lambda k: Fraction(1, 2)}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([_W, _W.T, _G, _G.T, _A, _D1, _D2]), min_size=1, max_size=9))
def test_expansion_equals_kreweras_recursion(letters):
    p = I
    for x in letters:
        p = p * x
    assert _MIXED.expand(tr(p)).value == _MIXED.moment(tr(p))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([_W, _W.T, _G, _G.T, _A, _D1, _D2]), min_size=1, max_size=14))
def test_strategies_agree(letters):
    p = I
    for x in letters:
        p = p * x
    values = []
    for strategy in ("kreweras", "first_block", "auto"):
        model = (FreeModel(strategy=strategy).haar_orthogonal(_W, scale=2).ginibre(_G, variance=3)
                 .selfadjoint(_A, moments=lambda k: Fraction(1 + 3 ** k, 2))
                 .diagonal([_D1, _D2], moments={_D1: lambda k: freealg.catalan(k),
                                               _D2: lambda k: Fraction(1, 2)}))
        values.append(model.moment(tr(p)))
    assert values[0] == values[1] == values[2]


@pytest.mark.parametrize("strategy", ["kreweras", "first_block"])
def test_alternating_word_equals_boxtimes(strategy):
    # a free Poisson (Catalan moments), b Bernoulli(1/3): phi((ab)^n) are the
    # moments of MP boxtimes Bernoulli, by the S-transform route
    a, b = nc_symbols("a b", selfadjoint=True)
    n = 8
    model = (FreeModel(strategy=strategy)
             .selfadjoint(a, moments=[freealg.catalan(k) for k in range(1, n + 1)])
             .selfadjoint(b, moments=[Fraction(1, 3)] * n))
    ref = free_mul_moments([freealg.catalan(k) for k in range(1, n + 1)], [Fraction(1, 3)] * n)
    assert [model.moment(tr((a * b) ** k)) for k in range(1, n + 1)] == ref


@pytest.mark.parametrize("n", range(1, 8))
def test_kreweras_matches_partitions_module(n):
    for row in noncrossing_partitions(n):
        blocks = partition_blocks(row)
        mine = sorted(_kreweras(blocks, n))
        ref = sorted(partition_blocks(kreweras_complement(row)))
        assert mine == ref


def test_partitions_visited_far_below_catalan_of_word_length():
    model, J = network(4, moments=[Fraction(1, 2)] * 8, psg=True)
    p = (J * J.T) ** 4
    assert p.degree() == 64
    assert model.moment(tr(p)) == boxtimes(*([[Fraction(1, 2)] * 4] * 4))[3]
    assert 0 < model.last_stats["partitions"] < 10 ** 4 < freealg.catalan(64)


def test_number_kinds():
    A, B = nc_symbols("A B", selfadjoint=True)
    exact = FreeModel().selfadjoint(A, [1, 2]).selfadjoint(B, [Fraction(1, 2), 1])
    floats = FreeModel().selfadjoint(A, [1.0, 2.0]).selfadjoint(B, [0.5, 1.0])
    t = tr(A * B * A * B)
    e = exact.moment(t)
    assert isinstance(e, Fraction) and e == 2 * Fraction(1, 4) + 1 - Fraction(1, 4)
    f = floats.moment(t)
    assert isinstance(f, float) and f == pytest.approx(float(e), rel=1e-14)
    # numpy inputs come out as Python numbers; mpmath stays mpmath
    npm = FreeModel().selfadjoint(A, np.array([1, 2])).selfadjoint(B, np.array([3, 10]))
    assert type(npm.moment(t)) is int and npm.moment(t) == 2 * 9 + 1 * 10 - 9
    import mpmath

    mpm = FreeModel().selfadjoint(A, [mpmath.mpf(1), mpmath.mpf(2)]).selfadjoint(B, [0.5, 1])
    assert isinstance(mpm.moment(t), mpmath.mpf) and mpm.moment(t) == mpmath.mpf(5) / 4
    # a float coefficient makes the result float, never a Fraction of a float
    assert isinstance(exact.moment(0.5 * t), float) and exact.moment(0.5 * t) == 0.625
    # symbolic coefficients with exact laws give sympy
    q = sympy.Symbol("q")
    assert sympy.expand(exact.moment(q * t + 1) - (q * sympy.Rational(5, 4) + 1)) == 0


def test_moment_of_polynomial_constants_and_linearity():
    A, B = nc_symbols("A B", selfadjoint=True)
    model = FreeModel().selfadjoint(A, [1, 2, 5, 14]).selfadjoint(B, [0, 1, 0, 2])
    assert model.moment(tr((A + B) ** 2)) == 2 + 0 + 1
    assert model.moment((A + B) ** 2) == 3          # a polynomial is traced
    assert model.moment(7) == 7
    assert model.moment(tr(A) * 3 - 2 * tr(B ** 2)) == 3 - 2


# ---------------------------------------------------------------------------
# finite N
# ---------------------------------------------------------------------------


def _haar(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def test_finite_n_haar_network():
    # J = W3 D2 W2 D1 W1, W Haar orthogonal, D with exactly N/2 ones at random
    # places (so tr D^k = 1/2 exactly and the only randomness is in the W's).
    # Linear statistics of such products fluctuate by O(1/N) (std ~7e-4 per
    # sample measured at N = 200, so ~1.5e-3 at N = 100) and the
    # orthogonal-ensemble bias is O(1/N); tolerance 0.01 = 1/N covers both
    # with a margin of > 10 standard errors of the 4-sample mean.
    rng = np.random.default_rng(7)
    n, reps = 100, 4
    model, J = network(3, moments=[Fraction(1, 2)] * 8)
    exact = [model.moment(tr((J * J.T) ** k)) for k in (1, 2, 3)]
    sims = []
    for _ in range(reps):
        W = [_haar(rng, n) for _ in range(3)]
        d = []
        for _ in range(2):
            x = np.zeros(n)
            x[rng.permutation(n)[: n // 2]] = 1.0
            d.append(x)
        Jm = W[2] @ (d[1][:, None] * W[1]) @ (d[0][:, None] * W[0])
        M = Jm @ Jm.T
        sims.append([np.trace(np.linalg.matrix_power(M, k)) / n for k in (1, 2, 3)])
    mean = np.mean(sims, axis=0)
    assert np.allclose(mean, [float(x) for x in exact], atol=0.01)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


def test_unknown_letter():
    W, V = nc_symbols("W V")
    model = FreeModel().haar_orthogonal(W)
    with pytest.raises(UnknownSymbolError, match="V is not in the model"):
        model.moment(tr(W * V))
    # same name, different letter (self-adjoint flag)
    Ws = nc_symbols("W", selfadjoint=True)
    with pytest.raises(UnknownSymbolError, match="different"):
        model.moment(tr(Ws * Ws))


def test_letter_declared_twice():
    W, D = nc_symbols("W D")
    model = FreeModel().haar_orthogonal(W)
    with pytest.raises(ModelError, match="already declared"):
        model.ginibre(W)
    with pytest.raises(ModelError, match="listed twice"):
        FreeModel().diagonal([D, D])


def test_non_square_letter():
    R = nc_symbols("R", shape=("N", "M"))
    with pytest.raises(ModelError, match="non-square"):
        FreeModel().ginibre(R)


@pytest.mark.parametrize(
    "bad, exc",
    [
        (lambda W, A: FreeModel().haar_orthogonal(W.T), ModelError),
        (lambda W, A: FreeModel().haar_orthogonal(A), ModelError),
        (lambda W, A: FreeModel().haar_orthogonal(W * W), ModelError),
        (lambda W, A: FreeModel().ginibre(W, variance=-1), InvalidArgumentError),
        (lambda W, A: FreeModel().haar_orthogonal(W, scale="big"), InvalidArgumentError),
        (lambda W, A: FreeModel().selfadjoint(A, moments=[1], cumulants=[1]), ModelError),
        (lambda W, A: FreeModel().selfadjoint(A, moments=[1, 0.5]), InvalidLawError),
        (lambda W, A: FreeModel().selfadjoint(A, moments="abc"), FreealgError),
        (lambda W, A: FreeModel().selfadjoint(A, symbolic="both"), InvalidArgumentError),
        (lambda W, A: FreeModel().diagonal([A], moments={W: [1]}), ModelError),
        (lambda W, A: FreeModel().selfadjoint(A, [1, 2]).moment(tr(A ** 3)), ModelError),
        (lambda W, A: FreeModel().selfadjoint(A, [1, 2]).moment("A"), InvalidArgumentError),
        (lambda W, A: FreeModel().ginibre(W).expand(tr((W * W.T) ** 8), max_terms=100), TooLargeError),
    ],
)
def test_bad_model_input(bad, exc):
    W = nc_symbols("W")
    A = nc_symbols("A", selfadjoint=True)
    with pytest.raises(exc) as info:
        bad(W, A)
    assert isinstance(info.value, FreealgError)


def test_non_polynomial_input_is_rejected_before_the_model():
    W = nc_symbols("W")
    with pytest.raises(freealg.NCPolynomialError):
        FreeModel().haar_orthogonal(W).moment(tr(W ** -1))


def test_non_polynomial_symbolic_parameters():
    # 1/s and sqrt(q) become generators of the internal polynomial ring
    s, q = sympy.symbols("s q", positive=True)
    A, B = nc_symbols("A B", selfadjoint=True)
    model = (FreeModel().selfadjoint(A, moments=[1 / s, 2 / s ** 2, 5 / s ** 3, 14 / s ** 4])
             .selfadjoint(B, moments=[sympy.sqrt(q), q, q ** sympy.Rational(3, 2), q ** 2]))
    # m2(A) m1(B)^2 + m1(A)^2 m2(B) - m1(A)^2 m1(B)^2 = 2q/s^2 + q/s^2 - q/s^2
    assert sympy.simplify(model.moment(tr(A * B * A * B)) - 2 * q / s ** 2) == 0
    assert sympy.simplify(model.expand(tr(A * B * A * B)).value - 2 * q / s ** 2) == 0
    model = FreeModel().selfadjoint(A, cumulants=[1 / s] * 4)       # free Poisson, rate 1/s
    # m_3 = Narayana: lam + 3 lam^2 + lam^3 with lam = 1/s
    assert sympy.simplify(model.moment(tr(A ** 3)) - (1 / s + 3 / s ** 2 + 1 / s ** 3)) == 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=5), min_size=1, max_size=7))
def test_in_domain_conversions_match_cumulants_module(seq):
    from freealg.freeness import families as fam
    from freealg.cumulants import free_cumulants, moments_from_free_cumulants

    dom = fam.Domain("exact", seq)
    assert fam.cumulants_from_moments_in(dom.values, dom) == free_cumulants(seq)
    assert fam.moments_from_cumulants_in(dom.values, dom) == moments_from_free_cumulants(seq)
