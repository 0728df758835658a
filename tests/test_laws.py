"""Tests of freealg.laws against independent truths (closed forms, quadrature
of the closed-form density, the cumulant module, Gaussian integrals)."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

import freealg
from freealg import (
    Arcsine,
    Atomic,
    Bernoulli,
    FussCatalan,
    MarchenkoPastur,
    PointMass,
    Semicircle,
    activation_derivative_law,
)
from freealg.cumulants import (
    free_cumulants,
    free_mul_moments,
    moments_from_free_cumulants,
    s_transform_coefficients,
)
from freealg.errors import (
    InvalidArgumentError,
    InvalidLawError,
    NotAlgebraicError,
    TransformUndefinedError,
)

R = sympy.Rational


def _quad_moments(law, lo, hi, n, singular=()):
    """Moments of the continuous part by mpmath quadrature of the closed-form density."""
    pts = [lo, *singular, hi]
    return [mpmath.quad(lambda x, k=k: x**k * law.pdf(float(x)), pts) for k in range(n + 1)]


# --------------------------------------------------------------------------- semicircle


def test_semicircle_moments_are_catalan_and_cumulants():
    # m_{2k} = Cat_k v^k for the centred law (closed form, docs/theory.md §2)
    v = R(3, 2)
    m = Semicircle(0, v).moments(8)
    assert m == [0, v, 0, 2 * v**2, 0, 5 * v**3, 0, 14 * v**4]
    # shifted: free cumulants are (a, v, 0, ...) — check through the cumulant module
    law = Semicircle(R(1, 3), v)
    assert free_cumulants([Fraction(str(x)) for x in law.moments(6)]) == [
        Fraction(1, 3), Fraction(3, 2), 0, 0, 0, 0]
    assert law.free_cumulants(4) == [R(1, 3), v, 0, 0]


def test_semicircle_density_and_cauchy_against_quadrature():
    law = Semicircle(1, 2)
    lo, hi = 1 - 2 * math.sqrt(2), 1 + 2 * math.sqrt(2)
    mom = _quad_moments(law, lo, hi, 3)
    assert abs(mom[0] - 1) < 1e-10
    assert all(abs(mom[k] - float(law.moments(3)[k - 1])) < 1e-9 for k in (1, 2, 3))
    for z in (0.3 + 0.7j, -2 + 0.1j, 5 + 2j):
        num = mpmath.quad(lambda x: law.pdf(float(x)) / (z - x), [lo, hi])
        assert abs(complex(law.cauchy(z)) - complex(num)) < 1e-9
    # Im G < 0 in the upper half-plane, G ~ 1/z
    zs = np.array([0.1 + 1e-3j, 10 + 1j, -3 + 0.5j])
    assert np.all(law.cauchy(zs).imag < 0)
    assert abs(law.cauchy(1e6 + 0j) * 1e6 - 1) < 1e-5


def test_semicircle_mpmath_cauchy_agrees_with_numpy():
    law = Semicircle()
    g = law.cauchy(0.5 + 0.25j, dps=40)
    assert isinstance(g, mpmath.mpc)
    assert abs(complex(g) - complex(law.cauchy(0.5 + 0.25j))) < 1e-14
    # G solves G^2 - zG + 1 = 0 to 40 digits
    with mpmath.workdps(40):
        z = mpmath.mpc("0.5", "0.25")
        assert abs(g**2 - z * g + 1) < mpmath.mpf(10) ** -35


# --------------------------------------------------------------------------- MP


def test_mp_moments_narayana_and_cumulants():
    lam, alpha = R(2, 5), R(3)
    law = MarchenkoPastur(lam, alpha)
    # kappa_n = lam alpha^n, moments from the cumulant module (independent route)
    ref = moments_from_free_cumulants([Fraction(2, 5) * 3**k for k in range(1, 7)])
    assert law.moments(6) == [R(x.numerator, x.denominator) for x in ref]
    assert law.free_cumulants(3) == [lam * alpha, lam * alpha**2, lam * alpha**3]


def test_mp_density_mass_and_atom():
    law = MarchenkoPastur(R(1, 2), 2)
    (lo, hi), = law.support()
    assert law.atoms() == [(0, R(1, 2))]
    mom = _quad_moments(law, float(lo), float(hi), 2)
    assert abs(mom[0] + 0.5 - 1) < 1e-9                   # continuous mass + atom = 1
    assert abs(mom[1] - float(law.moments(1)[0])) < 1e-9    # the atom at 0 adds nothing
    for z in (1 + 1j, 0.2 + 0.05j, -1 + 0.3j):
        num = mpmath.quad(lambda x: law.pdf(float(x)) / (z - x), [float(lo), float(hi)])
        assert abs(complex(law.cauchy(z)) - (complex(num) + 0.5 / z)) < 1e-8


def test_mp_s_transform_matches_series():
    law = MarchenkoPastur(R(3), R(1, 2))
    S = law.s_transform()
    ser = sympy.series(S, freealg.laws._kinds.W, 0, 5).removeO()
    coeffs = [ser.coeff(freealg.laws._kinds.W, k) for k in range(5)]
    ms = [Fraction(str(x)) for x in law.moments(5)]
    assert [Fraction(str(c)) for c in coeffs] == s_transform_coefficients(ms)


# --------------------------------------------------------------------------- atomic


def test_atomic_and_bernoulli():
    mu = Atomic([2, 0, 2], [R(1, 4), R(1, 2), R(1, 4)])     # repeated point merged
    assert mu.atoms() == [(0, R(1, 2)), (2, R(1, 2))]
    assert mu.moments(3) == [1, 2, 4]
    assert complex(mu.cauchy(1j)) == pytest.approx(complex(0.5 / 1j + 0.5 / (1j - 2)))
    b = Bernoulli(R(1, 3))
    assert b.moments(4) == [R(1, 3)] * 4
    ser = sympy.series(b.s_transform(), freealg.laws._kinds.W, 0, 4).removeO()
    assert [Fraction(str(ser.coeff(freealg.laws._kinds.W, k))) for k in range(4)] == \
        s_transform_coefficients([Fraction(1, 3)] * 4)
    # the R-transform closed form reproduces the free cumulants
    rser = sympy.series(b.r_transform(), freealg.laws._kinds.W, 0, 4).removeO()
    assert [rser.coeff(freealg.laws._kinds.W, k) for k in range(4)] == b.free_cumulants(4)


@pytest.mark.parametrize("points, weights, what", [
    ([0, 1], [0.5, 0.6], r"sum 1\.1 \(weights \[0\.5, 0\.6\]\)"),
    ([0, 1], [R(3, 2), R(-1, 2)], "negative"),
    ([0, 1], [1], "as many weights"),
])
def test_atomic_rejects_non_probability(points, weights, what):
    with pytest.raises(InvalidLawError, match=what):
        Atomic(points, weights)


def test_bernoulli_rejects_bad_p():
    with pytest.raises(InvalidLawError, match="must lie in"):
        Bernoulli(R(3, 2))


# --------------------------------------------------------------------------- Fuss–Catalan


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_fuss_catalan_moments_equal_iterated_products(L):
    mp = [Fraction(math.comb(2 * k, k), k + 1) for k in range(1, 7)]
    ref = mp
    for _ in range(L - 1):
        ref = free_mul_moments(ref, mp)
    assert FussCatalan(L).moments(6) == [int(x) for x in ref]


def test_fuss_catalan_hm_density_integrates_to_one_and_gives_moments():
    fc = FussCatalan(2)
    edge = 27 / 4
    mom = [mpmath.quad(lambda x, k=k: x**k * fc.pdf(float(x)), [0, 0.01, 1, edge])
           for k in range(3)]
    # the x^{-2/3} singularity at 0 limits quadrature accuracy
    assert abs(mom[0] - 1) < 1e-6
    assert abs(mom[1] - 1) < 1e-6
    assert abs(mom[2] - 3) < 1e-6


def test_fuss_catalan_density_mpmath():
    v = FussCatalan(1).density(2.0, dps=30).density_mp[0]       # MP(1): sqrt(x(4-x))/(2 pi x)
    with mpmath.workdps(30):
        ref = mpmath.sqrt(2 * 2) / (2 * mpmath.pi * 2)
        assert abs(v - ref) < mpmath.mpf(10) ** -25


# --------------------------------------------------------------------------- arcsine


def test_arcsine_moments_and_cauchy_against_quadrature():
    law = Arcsine(-1, 3)
    # x = 1 - 2 cos(t) removes the endpoint singularities: dx = 2 sin(t) dt
    # (30 digits: 2 - 2 cos t ~ t^2 cancels digits near the edges).  The
    # range stops at t = 1e-14 from each end: nearer, x rounds onto the edge
    # itself, where the density is +inf (hard edge); the mass left out is
    # 2e-14/pi (the integrand is bounded by 1/pi times a polynomial).
    eps = mpmath.mpf("1e-14")
    with mpmath.workdps(30):
        mom = [mpmath.quad(lambda t, k=k: (1 - 2 * mpmath.cos(t)) ** k
                           * law.density(1 - 2 * mpmath.cos(t), dps=30).density_mp[0] * 2 * mpmath.sin(t),
                           [eps, mpmath.pi - eps]) for k in range(5)]
    assert abs(mom[0] - 1) < 1e-12
    for k in range(1, 5):
        assert abs(mom[k] - float(law.moments(4)[k - 1])) < 1e-11
    z = 0.5 + 0.5j
    num = mpmath.quad(lambda t: law.pdf(float(1 - 2 * mpmath.cos(t))) * 2 * mpmath.sin(t)
                      / (z - (1 - 2 * mpmath.cos(t))), [1e-7, mpmath.pi - 1e-7])
    assert abs(complex(law.cauchy(z)) - complex(num)) < 1e-7


# --------------------------------------------------------------------------- affine / symbolic / errors


def test_affine_laws_keep_closed_forms():
    assert Semicircle(1, 2).affine(3, -2) == Semicircle(1, 8)
    assert Arcsine(0, 1).affine(1, -1) == Arcsine(0, 1)
    assert PointMass(2).affine(1, 3) == PointMass(7)
    m = Bernoulli(R(1, 4)).affine(1, 2).moments(3)     # atoms 1 (3/4), 3 (1/4)
    assert m == [R(3, 4) + R(3, 4), R(3, 4) + R(9, 4), R(3, 4) + R(27, 4)]


def test_symbolic_parameters_need_subs():
    v = sympy.Symbol("v", positive=True)
    law = Semicircle(0, v)
    assert law.moments(4) == [0, v, 0, 2 * v**2]
    with pytest.raises(InvalidArgumentError, match="substitute"):
        law.cauchy(1j)
    assert law.subs({v: 4}).moments(2) == [0, 4]


def test_s_transform_of_mean_zero_law_is_undefined():
    with pytest.raises(TransformUndefinedError, match="m_1 = 0"):
        Semicircle().s_transform()


def test_bad_parameters():
    with pytest.raises(InvalidArgumentError):
        Semicircle(0, -1)
    with pytest.raises(InvalidArgumentError):
        MarchenkoPastur(0)
    with pytest.raises(InvalidArgumentError):
        Arcsine(2, 1)
    with pytest.raises(InvalidArgumentError, match="finite"):
        PointMass(float("nan"))


def test_float_parameters_stay_floats():
    # a float parameter is kept as given, never replaced by the decimal 3/10
    law = Bernoulli(0.3)
    assert law.p == 0.3 and type(law.p) is float and repr(law) == "Bernoulli(0.3)"
    assert law._params["p"] == sympy.Rational(0.3) != R(3, 10)   # its exact binary value


# --------------------------------------------------------------------------- activation laws


def test_relu_and_hardtanh_laws_are_exact_bernoulli():
    assert activation_derivative_law("relu", 2) == Bernoulli(R(1, 2))
    q = R(1, 2)
    law = activation_derivative_law("hardtanh", q)
    assert isinstance(law, Bernoulli)
    # independent: P(|sqrt(q) z| < 1) by Gaussian quadrature
    p_num = mpmath.quad(mpmath.npdf, [-1 / mpmath.sqrt(q), 1 / mpmath.sqrt(q)])
    assert abs(float(law.p) - float(p_num)) < 1e-14
    assert activation_derivative_law("linear", 1) == PointMass(1)


def test_smooth_activation_law_moments_cauchy_density():
    q = 1
    law = activation_derivative_law("tanh", q, dps=20)
    with mpmath.workdps(20):
        ref = [mpmath.quad(lambda z, k=k: mpmath.sech(z) ** (4 * k) * mpmath.npdf(z),
                           [-mpmath.inf, 0, mpmath.inf]) for k in (1, 2)]
        assert all(abs(a - b) < mpmath.mpf(10) ** -15 for a, b in zip(law.moments(2), ref))
        zeta = mpmath.mpc(0.5, 0.3)
        g = mpmath.quad(lambda z: mpmath.npdf(z) / (zeta - mpmath.sech(z) ** 4),
                        [-mpmath.inf, 0, mpmath.inf])
    assert abs(complex(law.cauchy(0.5 + 0.3j)) - complex(g)) < 1e-12
    # density: F(y) = P(sech^4 z <= y) = erfc(arccosh(y^(-1/4))/sqrt(2)), rho = F'
    for y in (0.2, 0.7):
        F = lambda t: mpmath.erfc(mpmath.acosh(t ** -0.25) / mpmath.sqrt(2))
        assert abs(law.pdf(float(y)) - float(mpmath.diff(F, y))) < 1e-8
    with pytest.raises(NotAlgebraicError, match="not algebraic"):
        law.curve()
    with pytest.raises(NotAlgebraicError):
        freealg.free_mul(law, Bernoulli(R(1, 2)))


def test_law_latex_and_repr():
    assert repr(MarchenkoPastur(2, 1)) == "MarchenkoPastur(rate=2, jump=1)"
    assert freealg.latex(Semicircle()) == r"\mathrm{Semicircle}\left(0, 1\right)"


def test_s_transform_numeric_vectorised_and_free_mul_law():
    # the S-transform of a law evaluates on numpy arrays (as the functional engine
    # needs): Bernoulli(p) has S(w) = (1 + w)/(p + w)
    import numpy as np

    from freealg import Bernoulli, PointMass, free_mul_law

    p = 0.9
    w = np.array([0.1 + 0.2j, 1.0, -0.3j])
    assert np.allclose(Bernoulli(p).s_transform(w), (1 + w) / (p + w), rtol=1e-15)
    assert Bernoulli(p).s_transform(0.5) == pytest.approx(1.5 / 1.4, rel=1e-15)
    # ⊠ of seven Bernoulli(p) and a point mass c: atoms 1 - p at 0 and
    # max(0, 1 - 7(1 - p)) at c (free product of projections)
    c = 1.5
    law = free_mul_law([Bernoulli(p), PointMass(c)], powers=[7, 1])
    atoms = {round(float(a), 12): float(m) for a, m in law.atoms()}
    assert atoms[0.0] == pytest.approx(1 - p, rel=1e-12)
    assert atoms[c] == pytest.approx(1 - 7 * (1 - p), rel=1e-9)
