"""Hardening of the lower layers (issue 10): no silent NaN/inf from finite
input, errors a user can act on, size limits before work.

Every check compares with an independent number: the closed form evaluated
by mpmath at high precision, exact rational arithmetic, a second
parametrisation, or a moment identity.
"""

from fractions import Fraction

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings, HealthCheck
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
    activation_derivative_law,
    nc_symbols,
)
from freealg import cumulants as cm
from freealg.errors import (
    FreealgError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidSequenceError,
    TooLargeError,
    TransformUndefinedError,
)

R = sympy.Rational


# --------------------------------------------------------------------------- 1. removable points


@pytest.mark.parametrize("p", [R(1, 3), R(0), R(1), 0.3, R(1, 10**30)])
def test_bernoulli_r_transform_at_zero_is_kappa1(p):
    law = Bernoulli(p)
    k1 = law._exact_free_cumulants(1)[0]
    if isinstance(p, float):
        assert law.r_transform(0) == float(k1) == p
    else:
        assert law.r_transform(0) == k1
    m1 = law.mean()                                      # a float law has a float mean
    r0 = law.r_transform(0)                              # ... and a float R(0), computed in
    assert r0 == m1                                      # floats (a Python complex, as S gives)
    assert isinstance(r0, complex) == isinstance(p, float)
    # and near 0 the closed form agrees with the series Σ κ_n w^{n-1}
    # (free cumulants from the exact moments by the moment-cumulant recursion)
    kap = cm.free_cumulants([sympy.Rational(sympy.sympify(law.p))] * 12)
    w = R(1, 1000)
    series = sum(k * w**i for i, k in enumerate(kap))
    val = law.r_transform(w)
    # exact for exact p; for a float p, a float (rounded once)
    assert abs(float(val - series)) < (1e-16 * abs(float(series)) if isinstance(p, float) else 1e-25)


def test_bernoulli_r_transform_small_w_has_no_cancellation():
    # the old form (w − 1 + √(…))/(2w) lost every digit at w = 1e-17 in float
    law = Bernoulli(R(1, 3))
    fn = sympy.lambdify(sympy.Symbol("w"), law.r_transform(), "numpy")
    for w in (1e-17, 1e-10, 1e-5):
        with mpmath.workdps(50):
            ww = mpmath.mpf(w)
            p = mpmath.mpf(1) / 3
            exact = (ww - 1 + mpmath.sqrt((1 - ww) ** 2 + 4 * p * ww)) / (2 * ww)
        assert abs(fn(w) - float(exact)) <= 1e-15 * float(exact)


@pytest.mark.parametrize(
    "law",
    [Semicircle(1, 2), MarchenkoPastur(R(1, 2), 3), PointMass(5), Arcsine(1, 3),
     Atomic([1, 2], [R(1, 4), R(3, 4)]), Bernoulli(R(1, 5)), FussCatalan(3)],
)
def test_transforms_at_zero_are_kappa1_and_inverse_mean(law):
    m1 = law.mean()
    assert complex(law.r_transform(0)) == pytest.approx(float(m1), rel=1e-14, abs=0)
    assert complex(law.s_transform(0)) == pytest.approx(1 / float(m1), rel=1e-14, abs=0)


# --------------------------------------------------------------------------- 2. sequence overflow

_SEQ_FUNCS = [
    cm.free_cumulants, cm.moments_from_free_cumulants, cm.boolean_cumulants,
    cm.moments_from_boolean_cumulants, cm.classical_cumulants,
    cm.moments_from_classical_cumulants,
]


@pytest.mark.parametrize("fn", _SEQ_FUNCS, ids=lambda f: f.__name__)
def test_float_overflow_raises_naming_size_and_order(fn):
    with pytest.raises(InvalidSequenceError, match=r"overflow.*1e\+200.*order 2"):
        fn([1e200] * 3)


@pytest.mark.parametrize("fn", [cm.free_add_moments, cm.free_mul_moments],
                         ids=lambda f: f.__name__)
def test_float_overflow_in_convolutions_raises(fn):
    with pytest.raises(InvalidSequenceError, match="overflow"):
        fn([1e200] * 3, [1e200] * 3, check=False)


def test_overflow_values_are_exact_with_exact_or_mpmath_input():
    # the same input as exact ints gives the exact answer; mpmath (unbounded
    # exponent) agrees with it
    big = 10**200
    exact = cm.free_cumulants([big] * 3)
    assert exact == [big, big - big**2, big - 3 * big**2 + 2 * big**3]
    with mpmath.workdps(30):
        mp = cm.free_cumulants([mpmath.mpf(10) ** 200] * 3)
        for a, b in zip(mp, exact):
            assert abs(a - b) <= abs(b) * mpmath.mpf(10) ** -25


def test_int_too_large_for_float_in_a_float_sequence():
    with pytest.raises(InvalidSequenceError, match="1e400"):
        cm.classical_cumulants([1.0, 2.0, 10**400])


def test_sequence_entry_of_wrong_type_is_a_type_error():
    with pytest.raises(InvalidArgumentTypeError, match=r"moments\[1\].*'x'"):
        cm.free_cumulants([1, "x"])
    with pytest.raises(InvalidSequenceError):
        cm.free_cumulants([1, "x"])


def test_sequence_length_limit_before_work():
    with pytest.raises(TooLargeError, match="at most"):
        cm.free_cumulants([1] * 10**6)


# --------------------------------------------------------------------------- 3. extreme parameters


def _mpq(x):
    """The exact binary value of a float parameter, as an mpmath number (a
    float law is the law at that value, not at the float's shortest decimal)."""
    q = sympy.Rational(float(x))
    return mpmath.mpf(int(q.p)) / int(q.q)


def _mp_semicircle_cauchy(a, v, z):
    """The textbook form ((z − a) − √(z − a + 2√v)√(z − a − 2√v))/(2v); its
    cancellation (relative v/z² ~ 1e-924 here) is absorbed by 1200 digits."""
    a, v, z = _mpq(a), _mpq(v), mpmath.mpc(z)
    s = mpmath.sqrt(v)
    return ((z - a) - mpmath.sqrt(z - a + 2 * s) * mpmath.sqrt(z - a - 2 * s)) / (2 * v)


@pytest.mark.parametrize("v", [5e-324, 1e-300, 1e154, 1e300])
def test_semicircle_extreme_variance_against_mpmath(v):
    law = Semicircle(0, v)
    with mpmath.workdps(1200):
        for z in (1 + 1j, complex(3 * math.sqrt(v), 0.5 * math.sqrt(v)), 1e300 + 1j):
            want = complex(_mp_semicircle_cauchy(0, v, z))
            got = complex(law.cauchy(z))
            assert abs(got - want) <= 1e-13 * abs(want), (v, z, got, want)
        sd = mpmath.sqrt(_mpq(v))
        for t in (0, 1, -1.9):
            x = float(t * sd)
            want = mpmath.sqrt(4 * sd**2 - mpmath.mpf(x) ** 2) / (2 * mpmath.pi * sd**2)
            assert law.pdf(float(x)) == pytest.approx(float(want), rel=1e-12, abs=0)


def test_marchenko_pastur_extreme_parameters_against_mpmath():
    # (a float x can sit inside a support of width 4α√λ only if that width is
    # above the float spacing at the centre α(1 + λ): λ = 2^996 needs α = 2^-996,
    # whose product is exactly 1 in binary (that of the floats 1e300 and 1e-300
    # is 1 + 7.8e-17, which puts the support of width 4e-150 between two floats)
    for lam, alpha in ((1e-300, 1.0), (0.5, 1e300), (2.0, 1e-300), (2.0**996, 2.0**-996)):
        law = MarchenkoPastur(lam, alpha)
        with mpmath.workdps(700):
            L, A = _mpq(lam), _mpq(alpha)
            lo, hi = A * (1 - mpmath.sqrt(L)) ** 2, A * (1 + mpmath.sqrt(L)) ** 2
            for x in (A * (1 + L), A * (1 + L) + A * mpmath.sqrt(L)):
                xf = float(x)
                want = mpmath.sqrt((hi - xf) * (xf - lo)) / (2 * mpmath.pi * A * xf)
                assert law.pdf(xf) == pytest.approx(float(want), rel=1e-9, abs=0), (lam, alpha)
                z = complex(xf, float(A) * 1e-3)
                zz = mpmath.mpc(z)
                S = mpmath.sqrt(zz - lo) * mpmath.sqrt(zz - hi)
                want_g = complex((zz + A * (1 - L) - S) / (2 * A * zz))
                assert abs(complex(law.cauchy(z)) - want_g) <= 1e-10 * abs(want_g)


def test_arcsine_wide_and_narrow_supports():
    wide = Arcsine(-1e300, 1e300)
    assert wide.pdf(0.0) == pytest.approx(1 / (math.pi * 1e300), rel=1e-14, abs=0)
    narrow = Arcsine(-1e-300, 1e-300)
    assert narrow.pdf(0.0) == pytest.approx(1e300 / math.pi, rel=1e-14, abs=0)


def test_unrepresentable_values_raise_instead_of_inf():
    # the density of a law of width ~1e-323 is ~1e322: beyond float64
    with pytest.raises(InvalidArgumentError, match="float64 range"):
        MarchenkoPastur(1, 5e-324).density(1e-323)
    with pytest.raises(InvalidArgumentError, match="float64 range"):
        PointMass(5e-324).cauchy(0j)
    # ... and the mpmath path gives the value: 1/(2π α) at x = 2α
    v = MarchenkoPastur(1, 5e-324).density(1e-323, dps=30).density_mp[0]
    assert mpmath.isfinite(v) and v > mpmath.mpf("1e322")


def test_s_transform_overflow_and_pole_raise():
    with pytest.raises(TransformUndefinedError, match="float64"):
        Bernoulli(5e-324).s_transform(0.0)
    with pytest.raises(TransformUndefinedError):
        Bernoulli(R(1, 2)).s_transform(-0.5)       # pole of (1 + w)/(p + w)
    # an exact parameter beyond the numpy range of the lambdified form: mpmath redo
    assert Semicircle(1e-300, 1).s_transform(0.0) == pytest.approx(1e300, rel=1e-14, abs=0)


_EXTREME = [1e-300, 5e-324, 1e300, 1e154, 0.5, 3.0]


def _laws():
    out = []
    for v in _EXTREME:
        out += [Semicircle(0, v), Semicircle(v, 1), MarchenkoPastur(v),
                MarchenkoPastur(1, v), MarchenkoPastur(0.5, v), PointMass(v),
                Atomic([0, v], [0.5, 0.5]), Arcsine(-v, v)]
        if v <= 1:
            out.append(Bernoulli(v))
    return out + [FussCatalan(1), FussCatalan(3)]


_LAWS = _laws()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(_LAWS) - 1),
       st.one_of(st.sampled_from([0.0, 1e300, -1e300, 1e-300, 5e-324, 2.0, -2.0, 1.0]),
                 st.floats(allow_nan=False, allow_infinity=False)),
       st.sampled_from([0.0, 1e-300, 1.0, 1e300]))
def test_no_silent_nan_or_inf(i, x, y):
    """A value is finite, or ``nan`` exactly at an atom, or ``+inf`` exactly at
    a hard edge, or a FreealgError is raised."""
    law = _LAWS[i]
    atoms = [float(a) for a, _ in law.atoms()]
    edges = [float(e) for iv in law.support() for e in iv]
    try:
        d = law.pdf(float(x))
    except FreealgError:
        d = None
    if d is not None and not math.isfinite(d):
        assert (math.isnan(d) and x in atoms) or (d == math.inf and x in edges), (law, x, d)
    try:
        g = complex(law.cauchy(complex(x, y)))
    except FreealgError:
        g = None
    if g is not None and not (math.isfinite(g.real) and math.isfinite(g.imag)):
        assert y == 0 and (x in atoms or x in edges), (law, x, y, g)


# --------------------------------------------------------------------------- 4. density convention


@pytest.mark.parametrize("law", [Semicircle(), MarchenkoPastur(R(1, 2)), Arcsine(), FussCatalan(2),
                                 Bernoulli(R(1, 2)), PointMass(1), Atomic([0, 1], [R(1, 2), R(1, 2)])])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_x_raises_naming_the_entry(law, bad):
    with pytest.raises(InvalidArgumentError, match=r"x must be finite; entry 1"):
        law.density([0.5, bad])
    with pytest.raises(InvalidArgumentError, match=r"z must be finite; entry 1"):
        law.cauchy([0.5j, complex(bad, 1)])


def test_density_values_at_atoms_and_edges():
    # nan exactly at atoms (listed by atoms()), +inf at hard edges, 0 at soft edges
    d = MarchenkoPastur(R(1, 2)).pdf([0.0, float((1 - math.sqrt(0.5)) ** 2)])
    assert math.isnan(d[0]) and MarchenkoPastur(R(1, 2)).atoms() == [(0, R(1, 2))]
    assert Arcsine(-2, 2).pdf(2.0) == math.inf == Arcsine(-2, 2).pdf(-2.0)
    assert MarchenkoPastur(1).pdf(0.0) == math.inf
    assert MarchenkoPastur(1).pdf(4.0) == 0.0
    assert Semicircle().pdf(2.0) == 0.0 == Semicircle().pdf(-2.0)
    assert FussCatalan(2).pdf(0.0) == math.inf
    assert FussCatalan(2).pdf(6.75) == 0.0
    b = Bernoulli(R(1, 3)).pdf([0.0, 0.5, 1.0])
    assert np.isnan(b[0]) and b[1] == 0 and np.isnan(b[2])
    # the Cauchy transform has no value at an atom (a pole): refused, never nan
    with pytest.raises(InvalidArgumentError, match=r"z = .*2.* is an atom of PointMass"):
        PointMass(2).cauchy(2.0)
    # mpmath path follows the same convention
    assert Arcsine(-2, 2).density(2, dps=20).density_mp[0] == mpmath.inf
    assert mpmath.isnan(MarchenkoPastur(R(1, 2)).density(0, dps=20).density_mp[0])


def test_density_value_near_hard_edge_matches_closed_form():
    # the hard-edge +inf is the limit: the value just inside is large and exact
    # (x + 2 is exact in float, so the closed form at the same x is the truth)
    x = -2 + 1e-12
    want = 1 / (math.pi * math.sqrt((x + 2) * (2 - x)))
    assert Arcsine().pdf(float(x)) == pytest.approx(want, rel=1e-14, abs=0)


# --------------------------------------------------------------------------- 5. Fuss-Catalan


def _fc_mpmath(L, x, dps=50):
    """Haagerup–Möller parametrisation solved independently: findroot on
    log x(θ) at ``dps`` digits (Anderson bracketing), then ρ(θ)."""
    s = L + 1
    with mpmath.workdps(dps):
        x = mpmath.mpf(x)

        def logx(t):
            return (s * mpmath.log(mpmath.sin(s * t)) - mpmath.log(mpmath.sin(t))
                    - (s - 1) * mpmath.log(mpmath.sin((s - 1) * t)))

        a = mpmath.pi / s * mpmath.mpf(10) ** -30
        b = mpmath.pi / s * (1 - mpmath.mpf(10) ** -30)
        th = mpmath.findroot(lambda t: logx(t) - mpmath.log(x), (a, b), solver="anderson")
        return (mpmath.sin(th) ** 2 * mpmath.sin((s - 1) * th) ** (s - 2)
                / (mpmath.pi * mpmath.sin(s * th) ** (s - 1)))


@pytest.mark.parametrize("L", [2, 1024, 10000])
def test_fuss_catalan_density_large_L_against_mpmath(L):
    law = FussCatalan(L)
    edge = float(law.support()[0][1])
    x = np.linspace(0, edge, 1002)[1:-1]
    d = law.pdf(x)
    assert np.all(np.isfinite(d)) and np.all(d > 0)      # was 273 (766) NaN for L = 1024 (10^4)
    # 1e-11 relative (abs=0: the values near the soft edge are ~1e-11 in size)
    for i in (0, 1, 50, 272, 500, 800, 900, 990, 999):
        want = float(_fc_mpmath(L, x[i]))
        assert d[i] == pytest.approx(want, rel=1e-11, abs=0), (L, i)


def _simpson(y, x):
    """Composite Simpson rule on an odd number of equispaced points."""
    h = x[1] - x[0]
    return h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum())


@pytest.mark.parametrize("L", [1024, 10000])
def test_fuss_catalan_first_two_moments_large_L(L):
    # ∫ x ρ = m_1 = 1 and ∫ x² ρ = m_2 = L + 1 (binom(2s, 2)/(2L + 1)).  Bulk in
    # u = log x, the soft edge with x = edge (1 − t²) (smooth integrand).
    law = FussCatalan(L)
    edge = float(law.support()[0][1])
    u = np.linspace(math.log(edge) - 80, math.log(edge * (1 - 0.04)), 40001)
    xb = np.exp(u)
    t = np.linspace(0, 0.2, 4001)
    xe = edge * (1 - t**2)
    db, de = law.pdf(xb), law.pdf(xe)
    for k, want in ((1, 1.0), (2, L + 1.0)):
        bulk = _simpson(xb ** (k + 1) * db, u)
        tail = _simpson(xe**k * de * 2 * edge * t, t)
        assert bulk + tail == pytest.approx(want, rel=1e-6, abs=0), (L, k)


@pytest.mark.parametrize("L", [1, 2, 8])
def test_fuss_catalan_total_mass_small_L(L):
    law = FussCatalan(L)
    edge = float(law.support()[0][1])
    # mass below x0 is ~x0^(1/(L+1)): start at log x0 = log(edge) − 30 (L + 1)
    u = np.linspace(math.log(edge) - 30 * (L + 1), math.log(edge * (1 - 0.04)), 100001)
    t = np.linspace(0, 0.2, 4001)
    xe = edge * (1 - t**2)
    mass = (_simpson(np.exp(u) * law.pdf(np.exp(u)), u)
            + _simpson(law.pdf(xe) * 2 * edge * t, t))
    assert mass == pytest.approx(1.0, abs=1e-9)


# --------------------------------------------------------------------------- 6. types and sizes


@pytest.mark.parametrize("call", [
    lambda: Semicircle().moments(10**6),
    lambda: Semicircle().free_cumulants(10**6),
    lambda: MarchenkoPastur().curve().moments(10**6),
    lambda: Semicircle().cauchy(1j, dps=10**6),
    lambda: Arcsine().density(0.0, dps=10**6),
    lambda: FussCatalan(10**6),
    lambda: freealg.free_power(MarchenkoPastur(), 10**6),
    lambda: activation_derivative_law("erf", 0, dps=10**6),
])
def test_too_large_before_work(call):
    with pytest.raises(TooLargeError):
        call()


def test_nc_sizes_before_work():
    a, b = nc_symbols("a b", selfadjoint=True)
    with pytest.raises(TooLargeError):
        a ** (10**6)
    with pytest.raises(TooLargeError, match="words"):
        (a + b) ** 60
    assert len(((freealg.I + a) ** 30)._terms) == 31     # (I + a)^30 has 31 words: allowed
    m = freealg.FreeModel().selfadjoint(a, [0, 1, 0, 2])
    with pytest.raises(TooLargeError):
        m.moment(freealg.tr(a**1000 * a**1500))


@pytest.mark.parametrize("call, name", [
    (lambda: Semicircle("0", 1), "mean"),
    (lambda: MarchenkoPastur(rate=[1]), "rate"),
    (lambda: Semicircle().moments(2.0), "n"),
    (lambda: Semicircle().moments("3"), "n"),
    (lambda: FussCatalan(2.5), "L"),
    (lambda: Semicircle().density(0.0, dps="30"), "dps"),
    (lambda: freealg.free_add(1, Semicircle()), "argument 0"),
    (lambda: freealg.FreeModel().haar_orthogonal(nc_symbols("W"), "x"), "scale"),
])
def test_wrong_types_raise_invalid_argument_type_error(call, name):
    with pytest.raises(InvalidArgumentTypeError, match=name) as info:
        call()
    assert isinstance(info.value, TypeError)


def test_narrow_supports_far_from_zero_keep_their_width():
    # Semicircle(1, 1e-300): edges 1 ∓ 2e-150 both round to 1.0; the centred
    # form keeps the width.  G(1 + iε) → −i/√v for ε ≪ √v (closed form at 0).
    g = complex(Semicircle(1, 1e-300).cauchy(complex(1, 1e-160)))
    assert g.imag == pytest.approx(-1e150, rel=1e-9, abs=0) and abs(g.real) < 1e141
    # MP(λ = 1e300, α = 1e-300): centre 1, half-width 2e-150: ρ(1) = 1/(π·1e-150)·…
    law = MarchenkoPastur(1e300, 1e-300)
    with mpmath.workdps(700):
        L, A = _mpq(1e300), _mpq(1e-300)
        want = 2 * A * mpmath.sqrt(L) / (2 * mpmath.pi * A * 1)    # √(w²)/(2π α x) at x = centre ≈ 1
    assert law.pdf(1.0) == pytest.approx(float(want), rel=1e-9, abs=0)
    assert complex(law.cauchy(complex(1, 1e-160))).imag == pytest.approx(-math.pi * float(want), rel=1e-9, abs=0)


@pytest.mark.parametrize("law", [
    MarchenkoPastur(R(1, 3)), Bernoulli(0.3), Atomic([0, 2], [R(1, 4), R(3, 4)]),
    PointMass(2 ** R(1, 3)), Arcsine(-1, sympy.sqrt(2)), FussCatalan(3), Semicircle(R(-1, 2), 3),
    activation_derivative_law("hardtanh", 2),
])
def test_repr_evaluates_to_the_same_law(law):
    ns = {k: getattr(sympy, k) for k in dir(sympy) if not k.startswith("_")}
    ns.update({k: getattr(freealg, k) for k in freealg.__all__})
    assert eval(repr(law), ns) == law          # noqa: S307
    assert repr(MarchenkoPastur(R(1, 3))) == "MarchenkoPastur(rate=Rational(1, 3), jump=1)"


def test_expand_max_terms_is_checked():
    a = nc_symbols("a", selfadjoint=True)
    m = freealg.FreeModel().selfadjoint(a, [0, 1, 0, 2])
    with pytest.raises(InvalidArgumentTypeError, match="max_terms"):
        m.expand(freealg.tr(a**2), max_terms="10")
    with pytest.raises(TooLargeError, match="max_terms"):
        m.expand(freealg.tr(a**2), max_terms=10**9)
    assert m.expand(freealg.tr(a**4)).value == 2      # Catalan: NC pairings of 4 points


def test_r_transform_on_arrays_and_non_finite_w():
    law = Bernoulli(R(3, 10))
    got = law.r_transform(np.array([0.0, 0.1]))
    want = [0.3, float(law.r_transform(R(1, 10)))]
    assert np.allclose(got, want, rtol=1e-15, atol=0)
    with pytest.raises(InvalidArgumentError, match="w must be finite"):
        law.r_transform(float("nan"))
    with pytest.raises(InvalidArgumentError, match="w must be finite"):
        law.s_transform(float("inf"))


def test_nc_coefficient_of_wrong_type():
    a = nc_symbols("a", selfadjoint=True)
    with pytest.raises(InvalidArgumentTypeError, match="str"):
        a + "x"
    with pytest.raises(freealg.errors.NCPolynomialError):
        a * None


# --------------------------------------------------------------------------- 7. numeric kinds


def test_float_parameters_give_float_moments():
    lam = 0.3
    m = MarchenkoPastur(lam).moments(3)
    assert all(type(v) is float for v in m)
    # Narayana polynomials in float arithmetic: λ, λ + λ², λ + 3λ² + λ³
    assert m == pytest.approx([lam, lam + lam**2, lam + 3 * lam**2 + lam**3], rel=1e-15, abs=0)
    k = MarchenkoPastur(lam, 2.0).free_cumulants(3)
    assert all(type(v) is float for v in k) and k == pytest.approx([0.6, 1.2, 2.4], rel=1e-15, abs=0)
    assert type(Bernoulli(0.25).mean()) is float and type(Semicircle(0.5, 2.0).variance()) is float
    # exact parameters stay exact, symbols symbolic
    assert MarchenkoPastur(R(3, 10)).moments(2) == [R(3, 10), R(39, 100)]
    lam_s = sympy.Symbol("lam", positive=True)
    assert MarchenkoPastur(lam_s).moments(2) == [lam_s, lam_s**2 + lam_s]
    # the exact curve is built only on request, from the float's exact binary value
    with pytest.raises(InvalidArgumentError, match=r"curve\(exact=True\)"):
        MarchenkoPastur(lam).curve()
    d = sympy.Rational(lam)                              # the dyadic 0.3 really is
    assert d != R(3, 10) and float(d) == lam
    assert MarchenkoPastur(lam).curve(exact=True).moments(2) == [d, d + d**2]


def test_affine_images_keep_the_float_kind():
    img = Semicircle(0.5, 2.0).affine(1, 2)            # mean 2, variance 8
    assert img.moments(2) == [2.0, 12.0] and all(type(v) is float for v in img.moments(2))
    assert Bernoulli(R(1, 2)).affine(0.5, 1).moments(1) == [1.0]
    assert Bernoulli(R(1, 2)).affine(1, 2).moments(1) == [2]
