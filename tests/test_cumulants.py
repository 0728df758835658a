"""Tests of freealg.cumulants against closed forms (semicircle, free Poisson /
Narayana, Fuss–Catalan), a second algorithm (sums over NC(n) with the
Kreweras complement), and round trips."""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import freealg
from freealg.combinatorics import _reference as ref
from freealg.errors import (
    FreealgError,
    InvalidLawError,
    InvalidSequenceError,
    TransformUndefinedError,
)


def catalan(n):
    return math.comb(2 * n, n) // (n + 1)


def narayana_moment(n, lam):
    return sum(Fraction(math.comb(n, k) * math.comb(n, k - 1), n) * lam**k for k in range(1, n + 1))


def fuss_catalan(n, L):
    return math.comb((L + 1) * n, n) // (L * n + 1)


# ---------------------------------------------------------------- closed forms


def test_semicircle_only_kappa2():
    t = Fraction(3, 2)
    moments = [0 if n % 2 else catalan(n // 2) * t ** (n // 2) for n in range(1, 13)]
    kappa = freealg.free_cumulants(moments)
    assert kappa == [0, t] + [0] * 10


@pytest.mark.parametrize("lam", [1, 2, Fraction(1, 3)])
def test_free_poisson_narayana(lam):
    n = 10
    kappa = [lam] * n
    moments = freealg.moments_from_free_cumulants(kappa)
    assert moments == [narayana_moment(k, lam) for k in range(1, n + 1)]
    assert freealg.free_cumulants(moments) == [lam] * n


def test_free_poisson_symbolic_narayana():
    lam = sympy.Symbol("lambda", positive=True)
    moments = freealg.moments_from_free_cumulants([lam] * 5)
    expected = [
        sum(sympy.Rational(math.comb(n, k) * math.comb(n, k - 1), n) * lam**k for k in range(1, n + 1))
        for n in range(1, 6)
    ]
    assert [sympy.expand(m - e) for m, e in zip(moments, expected)] == [0] * 5


@pytest.mark.parametrize("L", [2, 3, 4])
def test_mp_power_fuss_catalan(L):
    cat = [catalan(n) for n in range(1, 11)]
    m = cat
    for _ in range(L - 1):
        m = freealg.free_mul_moments(m, cat)
    assert m == [fuss_catalan(n, L) for n in range(1, 11)]


def test_issue_values():
    cat = [catalan(n) for n in range(1, 6)]
    mm = freealg.free_mul_moments(cat, cat)
    assert mm == [1, 3, 12, 55, 273]
    assert freealg.free_mul_moments(mm, cat) == [1, 4, 22, 140, 969]


def test_free_projections():
    a, b = sympy.symbols("alpha beta", positive=True)
    m = freealg.free_mul_moments([a] * 3, [b] * 3)
    assert sympy.expand(m[1] - (a * b**2 + a**2 * b - a**2 * b**2)) == 0
    # and numerically with exact rationals
    al, be = Fraction(1, 3), Fraction(2, 5)
    m = freealg.free_mul_moments([al] * 3, [be] * 3)
    assert m[1] == al * be**2 + al**2 * be - al**2 * be**2


def test_boolean_and_classical_known_values():
    # boolean cumulants of Catalan moments are Cat_{n-1}
    assert freealg.boolean_cumulants([catalan(n) for n in range(1, 9)]) == [
        catalan(n - 1) for n in range(1, 9)
    ]
    # Gaussian: only c_2; Poisson(1): Bell numbers
    gauss = [0 if n % 2 else math.prod(range(1, n, 2)) for n in range(1, 11)]
    assert freealg.classical_cumulants(gauss) == [0, 1] + [0] * 8
    bell = [1, 2, 5, 15, 52, 203, 877]
    assert freealg.moments_from_classical_cumulants([1] * 7) == bell
    # boolean: Bernoulli(p) has b_1 = p and b_n = p(1-p)^0 ... check via 1/(1-B) = M by hand:
    p = Fraction(1, 4)
    b = freealg.boolean_cumulants([p] * 6)
    # M = 1 + p z/(1-z)  =>  B = 1 - 1/M = p z / (1 - (1-p) z)  =>  b_n = p (1-p)^{n-1}
    assert b == [p * (1 - p) ** (n - 1) for n in range(1, 7)]


# ---------------------------------------------------------------- round trips


rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)


@settings(max_examples=60, deadline=None)
@given(st.lists(rationals, min_size=1, max_size=12))
def test_free_round_trip(seq):
    assert freealg.moments_from_free_cumulants(freealg.free_cumulants(seq)) == seq
    assert freealg.free_cumulants(freealg.moments_from_free_cumulants(seq)) == seq


@settings(max_examples=60, deadline=None)
@given(st.lists(rationals, min_size=1, max_size=12))
def test_boolean_and_classical_round_trip(seq):
    assert freealg.moments_from_boolean_cumulants(freealg.boolean_cumulants(seq)) == seq
    assert freealg.moments_from_classical_cumulants(freealg.classical_cumulants(seq)) == seq


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=1, max_size=9))
def test_free_cumulants_match_nc_sum_second_algorithm(seq):
    # m_n = sum_{pi in NC(n)} prod_B kappa_|B|  evaluated by enumeration
    kappa = seq
    moments = freealg.moments_from_free_cumulants(kappa)
    for n in range(1, len(kappa) + 1):
        assert moments[n - 1] == ref.nc_block_sum_py(n, kappa)


def test_n200_exact_is_integer_and_correct():
    # all free cumulants one <-> Catalan moments, at order 200 exactly
    cat = [catalan(n) for n in range(1, 201)]
    assert freealg.free_cumulants(cat) == [1] * 200


# ---------------------------------------------------------------- number kinds


def test_number_kinds_preserved():
    k = freealg.free_cumulants([Fraction(1, 2), Fraction(1, 3)])
    assert all(isinstance(v, Fraction) for v in k)
    assert k == [Fraction(1, 2), Fraction(1, 3) - Fraction(1, 4)]
    k = freealg.free_cumulants([1.0, 2.0, 5.0])
    assert all(isinstance(v, float) for v in k) and k == [1.0, 1.0, 1.0]
    k = freealg.free_cumulants([mpmath.mpf(1), mpmath.mpf(2), mpmath.mpf(5)])
    assert all(isinstance(v, mpmath.mpf) for v in k) and k == [1, 1, 1]
    k = freealg.free_cumulants([sympy.Rational(1, 2), sympy.Integer(1)])
    assert all(isinstance(v, sympy.Basic) for v in k)
    assert k == [sympy.Rational(1, 2), sympy.Rational(3, 4)]
    # mixed Fraction + sympy -> sympy, exact
    k = freealg.free_cumulants([Fraction(1, 2), sympy.Integer(1)])
    assert k == [sympy.Rational(1, 2), sympy.Rational(3, 4)]
    # numpy scalars are accepted
    assert freealg.free_cumulants(np.array([1, 2, 5])) == [1, 1, 1]
    assert freealg.free_cumulants(np.array([1.0, 2.0, 5.0])) == [1.0, 1.0, 1.0]


def test_mpmath_high_precision():
    with mpmath.workdps(50):
        third = mpmath.mpf(1) / 3
        m = freealg.moments_from_free_cumulants([third] * 6)
        exact = [narayana_moment(n, Fraction(1, 3)) for n in range(1, 7)]
        for a, b in zip(m, exact):
            assert abs(a - mpmath.mpf(b.numerator) / b.denominator) < mpmath.mpf(10) ** -45


# ---------------------------------------------------------------- multivariate


def test_moment_from_cumulants_matches_nc_enumeration():
    # random joint cumulants on a two-letter alphabet, compared with an explicit
    # sum over NC(n) (materialised) for n <= 8
    rng = np.random.default_rng(7)
    table = {}

    def kappa(block):
        if block not in table:
            table[block] = Fraction(int(rng.integers(-3, 4)), int(rng.integers(1, 4)))
        return table[block]

    for word in ["ab", "aab", "abab", "aabba", "abbaab", "ababbaba"]:
        got = freealg.moment_from_cumulants(word, kappa)
        total = 0
        for row in freealg.noncrossing_partitions(len(word)):
            prod = Fraction(1)
            for blk in freealg.partition_blocks(row):
                prod *= kappa(tuple(word[i] for i in blk))
            total += prod
        assert got == total, word


def test_cumulant_from_moments_is_inverse_and_matches_moebius():
    rng = np.random.default_rng(3)
    table = {}

    def kappa(block):
        if block not in table:
            table[block] = int(rng.integers(-3, 4))
        return table[block]

    def phi(w):
        return freealg.moment_from_cumulants(w, kappa)

    for word in ["a", "ab", "abb", "abab", "aabab", "abcab"]:
        assert freealg.cumulant_from_moments(word, phi) == kappa(tuple(word))
        # second route: Möbius sum over NC(n)
        total = 0
        for row in freealg.noncrossing_partitions(len(word)):
            prod = 1
            for blk in freealg.partition_blocks(row):
                prod *= phi(tuple(word[i] for i in blk))
            total += freealg.moebius(row) * prod
        assert total == kappa(tuple(word))


def test_free_projections_multivariate():
    a, b = sympy.symbols("alpha beta")
    kp = freealg.free_cumulants([a] * 4)
    kq = freealg.free_cumulants([b] * 4)

    def kappa(block):
        if set(block) == {"p"}:
            return kp[len(block) - 1]
        if set(block) == {"q"}:
            return kq[len(block) - 1]
        return 0

    got = freealg.moment_from_cumulants("pqpq", kappa)
    assert sympy.expand(got - (a * b**2 + a**2 * b - a**2 * b**2)) == 0


# ---------------------------------------------------------------- convolutions


def test_free_add_semicircles_and_poissons():
    sc = [0, 1, 0, 2, 0, 5, 0, 14]
    assert freealg.free_add_moments(sc, sc) == [0 if n % 2 else catalan(n // 2) * 2 ** (n // 2) for n in range(1, 9)]
    # free Poisson rates add
    m1 = freealg.moments_from_free_cumulants([1] * 8)
    m2 = freealg.moments_from_free_cumulants([2] * 8)
    assert freealg.free_add_moments(m1, m2) == [narayana_moment(n, 3) for n in range(1, 9)]


def test_free_mul_matches_kreweras_formula():
    # phi((ab)^n) = sum_{pi in NC(n)} kappa_pi[a] m_{K(pi)}[b]  (second algorithm)
    ma = [Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)]  # projection
    mb = [1, 3, 11, 45, 197, 903]  # little Schröder numbers; check=False: only the algebra is compared
    ka = freealg.free_cumulants(ma)
    got = freealg.free_mul_moments(ma, mb, check=False)
    for n in range(1, 7):
        P = freealg.noncrossing_partitions(n)
        K = freealg.kreweras_complements(P)
        total = Fraction(0)
        for p, k in zip(P, K):
            prod = Fraction(1)
            for s in np.bincount(p.astype(int)):
                prod *= ka[s - 1]
            for s in np.bincount(k.astype(int)):
                prod *= ([1] + mb)[s]
            total += prod
        assert got[n - 1] == total


def test_free_mul_commutative_exact():
    ma = [Fraction(1, 2), Fraction(1, 3), Fraction(1, 4), Fraction(1, 5)]  # uniform[0,1]
    mb = [catalan(n) for n in range(1, 5)]
    assert freealg.free_mul_moments(ma, mb) == freealg.free_mul_moments(mb, ma)


def test_s_transform_of_free_poisson():
    lam = Fraction(2)
    m = [narayana_moment(n, lam) for n in range(1, 7)]
    s = freealg.s_transform_coefficients(m)
    # S(w) = 1/(lam + w) = sum (-1)^k w^k / lam^{k+1}
    assert s == [Fraction((-1) ** k) / lam ** (k + 1) for k in range(6)]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "bad",
    [[], "1 2 3", None, [1, "x"], [1, None], [True, 1], [1, float("nan")], 5],
)
def test_bad_sequences(bad):
    with pytest.raises(InvalidSequenceError):
        freealg.free_cumulants(bad)


def test_hankel_failures_name_the_condition():
    with pytest.raises(InvalidLawError, match="variance m_2 - m_1"):
        freealg.free_add_moments([1, Fraction(1, 2)], [0, 1])
    # m_4 < m_2^2 for a symmetric law: H_2 fails
    with pytest.raises(InvalidLawError, match="H_2"):
        freealg.check_moment_sequence([0, 1, 0, Fraction(1, 2)])
    # negative mean is fine on R but not on [0, inf)
    freealg.check_moment_sequence([-1, 1])
    with pytest.raises(InvalidLawError, match=r"\[0, inf\)"):
        freealg.check_moment_sequence([-1, 1], support="positive")
    # both factors off [0, inf) are refused by free_mul_moments
    with pytest.raises(InvalidLawError):
        freealg.free_mul_moments([-1, 2], [-1, 2])
    # but allowed when asked not to check
    freealg.free_mul_moments([-1, 2], [-1, 2], check=False)


def test_point_masses_and_degenerate_hankel():
    # a point mass has singular Hankel matrices: it must pass
    freealg.check_moment_sequence([2, 4, 8, 16, 32, 64])
    freealg.check_moment_sequence([Fraction(1, 2)] * 8, support="positive")


def test_s_transform_needs_nonzero_mean():
    with pytest.raises(TransformUndefinedError, match="m_1 = 0"):
        freealg.free_mul_moments([0, 1, 0, 2], [1, 2, 5, 14])
    with pytest.raises(TransformUndefinedError):
        freealg.s_transform_coefficients([0, 1])


def test_error_hierarchy():
    assert issubclass(InvalidSequenceError, FreealgError)
    assert issubclass(InvalidLawError, ValueError)


# ------------------------------------------- the one implementation (issue 12)
# moments <-> free cumulants, the S-series -> moments step of ⊠ and the power
# series live once (freealg/combinatorics, freealg/_series.py); their callers
# in other modules run the same code on their own element kinds.


def test_free_cumulant_core_on_polynomial_ring_elements():
    # division-free core on sympy ring elements (as _elimination and the
    # freeness domains use it) == the public route on sympy expressions
    from freealg.combinatorics.cumulants import _free_cumulants_of, _moments_of_free_cumulants

    R, a, b = sympy.polys.rings.ring("a,b", sympy.QQ)
    m = [a, a**2 + b, a**3 + 3 * a * b, a**4 + 6 * a**2 * b + 2 * b**2, a * b**2 + 7]
    kap = _free_cumulants_of(m, R.one)
    expr = [v.as_expr() for v in m]
    assert [k.as_expr() for k in kap] == freealg.free_cumulants(expr)
    assert _moments_of_free_cumulants(kap, R.one) == m
    # the semicircle of mean a and variance b: kappa = (a, b, 0, 0)
    assert kap[:4] == [a, b, R.zero, R.zero]


def test_free_cumulant_core_keeps_mpmath_and_matches_catalan():
    from freealg.combinatorics.cumulants import _moments_of_free_cumulants

    with mpmath.workdps(40):
        out = _moments_of_free_cumulants([mpmath.mpf(1)] * 12, mpmath.mpf(1))
        assert all(isinstance(v, mpmath.mpf) for v in out)
        assert [int(v) for v in out] == [catalan(n) for n in range(1, 13)]


def test_s_series_products_give_fuss_catalan_in_every_kind():
    # MP(1)^{⊠ L} has the Fuss–Catalan moments binom((L+1)n, n)/(Ln + 1):
    # the three ⊠ routes (free_mul_moments, functional's product moments, the
    # dnn S-series products) share _moments_of_s_series
    from freealg.dnn._spectra import series_product_moments
    from freealg.density.mul_exact import _product_moments, _Seq

    n = 9
    cat = [catalan(k) for k in range(1, n + 1)]
    fc = [fuss_catalan(k, 3) for k in range(1, n + 1)]
    assert freealg.free_mul_moments(freealg.free_mul_moments(cat, cat), cat) == fc
    assert _product_moments([_Seq(cat)], [3], n) == fc
    assert series_product_moments([(cat, 3, 1)], n) == fc
    assert series_product_moments([(cat, 1, 1), (cat, 2, 1)], n) == fc
    with mpmath.workdps(30):
        got = _product_moments([_Seq([mpmath.mpf(v) for v in cat])], [3], n)
        assert all(isinstance(v, mpmath.mpf) for v in got)
        assert max(abs(g - f) / f for g, f in zip(got, fc)) < mpmath.mpf(10) ** -25
    got = freealg.free_mul_moments([float(v) for v in cat], [float(v) for v in cat])
    assert all(type(v) is float for v in got)
    assert got == pytest.approx([fuss_catalan(k, 2) for k in range(1, n + 1)], rel=1e-12)


def test_ring_route_of_free_powers_matches_repeated_free_mul():
    # _elimination.mul_moments (power series over a polynomial ring, via
    # _series and _moments_of_s_series) against free_mul_moments applied twice
    from freealg.laws.convolution_moments import mul_moments

    p = sympy.Symbol("p", positive=True)
    lam = sympy.Rational(3, 2)
    mp = freealg.MarchenkoPastur(lam).moments(5)
    ber = [p] * 5
    ref2 = freealg.free_mul_moments(ber, freealg.free_mul_moments(mp, mp, check=False), check=False)
    got = mul_moments([ber, mp], 5, [1, 2])
    assert [sympy.expand(a - b) for a, b in zip(got, ref2)] == [0] * 5


def test_series_inverse_over_an_algebraic_field():
    # curves.py runs its Newton iteration with _series over a sympy domain
    # whose elements (ANP) refuse 1 / a0
    from freealg._utils import series as _series

    K = sympy.QQ.algebraic_field(sympy.sqrt(2))
    a = [K.convert(1 + sympy.sqrt(2)), K.convert(3), K.one]
    inv = _series.inv(a, 6)
    assert _series.mul(a, inv, 6) == [K.one] + [K.zero] * 5
