"""Regression tests for issue 10 ("no silent wrong answer, no crash"), second pass.

Each bad input found by the fuzz survey (benchmarks/fuzz_survey.py) is refused
with a FreealgError subclass whose message names the parameter; next to it, a
valid neighbouring call is checked against an independent value (a closed form
worked out by hand, mpmath at high precision, a second algorithm or a counting
identity).
"""

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
    FreeModel,
    MarchenkoPastur,
    MLP,
    PointMass,
    Semicircle,
    SpectralCurve,
    cumulant_from_moments,
    curve_density,
    fim_curve,
    fim_two_layer_curve,
    get_activation,
    jacobian_curve,
    moment_from_cumulants,
    nc_symbols,
    tr,
)
from freealg.errors import (
    FloatRangeError,
    FreealgError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    TooLargeError,
    TransformUndefinedError,
)
from freealg._utils.validate import check_finite_array, check_point

R = sympy.Rational
NAN, INF = float("nan"), float("inf")
z_, G_ = sympy.symbols("z G")


# --------------------------------------------------------------------------- the shared converters


@pytest.mark.parametrize("bad, cls, msg", [
    (True, InvalidArgumentTypeError, r"w must be .* got True of type bool"),
    (b"1", InvalidArgumentTypeError, r"w must be .* of type bytes"),
    ({"a": 1}, InvalidArgumentTypeError, r"w must be .* of type dict"),
    (object(), InvalidArgumentTypeError, r"w must be .* of type object"),
    ([[0.0, 1.0], [2.0]], InvalidArgumentTypeError, r"w must be .*rectangular.*ragged"),
    (["a", "b"], InvalidArgumentTypeError, r"w must be"),
    (NAN, InvalidArgumentError, r"w must be finite; got nan"),
    (complex(1, INF), InvalidArgumentError, r"w must be finite"),
    ([NAN, 0.0], InvalidArgumentError, r"w must be finite; entry 0"),
    (sympy.zoo, InvalidArgumentError, r"w must be finite"),
    (sympy.true, InvalidArgumentTypeError, r"w must be"),
])
def test_check_point_refuses_by_name(bad, cls, msg):
    with pytest.raises(cls, match=msg):
        check_point(bad, "w")


def test_check_point_keeps_valid_kinds():
    assert check_point(None, "w") is None
    assert check_point(R(1, 3), "w") == R(1, 3)
    assert check_point(Fraction(1, 3), "w") == Fraction(1, 3)
    assert check_point(0.25, "w") == 0.25 and isinstance(check_point(0.25, "w"), float)
    assert check_point("1/2", "w") == R(1, 2)
    assert check_point(10**400, "w") == 10**400          # a huge int is finite and exact
    np.testing.assert_array_equal(check_point([0.5, 1], "w"), np.array([0.5, 1.0], dtype=complex))
    with pytest.raises(InvalidArgumentTypeError, match=r"w must be a single number"):
        check_point([1, 2], "w", allow_array=False)


@pytest.mark.parametrize("bad, cls, msg", [
    ([[0.0, 1.0], [2.0]], InvalidArgumentTypeError, r"x must be .*rectangular"),
    (True, InvalidArgumentTypeError, r"x must be .* of type bool"),
    ("1", InvalidArgumentTypeError, r"x must be .* of type str"),   # was silently 1.0
    (None, InvalidArgumentTypeError, r"x must be .* NoneType"),
    ([None, 1.0], InvalidArgumentTypeError, r"x must be numbers; entry 0 is None"),
    ([1 + 1j], InvalidArgumentError, r"x must be real; entry 0"),
    (np.array([2 + 1e-9j]), InvalidArgumentError, r"x must be real"),  # was silently 2.0
    ([0.0, INF], InvalidArgumentError, r"x must be finite; entry 1 is inf"),
])
def test_check_finite_array_refuses_by_name(bad, cls, msg):
    with pytest.raises(cls, match=msg):
        check_finite_array(bad, "x")


def test_check_finite_array_neighbours():
    np.testing.assert_array_equal(check_finite_array(np.array([2 + 0j]), "x"), [2.0])
    np.testing.assert_array_equal(check_finite_array([Fraction(1, 4), sympy.Rational(1, 2)], "x"),
                                  [0.25, 0.5])


# --------------------------------------------------------------------------- transforms of laws


def test_s_transform_points_refused_and_value_at_neighbour():
    b = Bernoulli(R(1, 3))
    for bad, cls in [(True, InvalidArgumentTypeError), ([NAN, 0.0], InvalidArgumentError),
                     ([], None), (INF, InvalidArgumentError), ([INF], InvalidArgumentError)]:
        if cls is None:   # an empty array is a valid (empty) evaluation
            assert b.s_transform(w=bad).shape == (0,)
            continue
        with pytest.raises(cls, match=r"\bw must"):
            b.s_transform(w=bad)
    # Bernoulli(p): psi(z) = p z/(1 - z), chi(w) = w/(p + w), S = (1 + w)/(p + w)
    assert b.s_transform(R(1, 2)) == R(3, 2) / (R(1, 2) + R(1, 3))
    np.testing.assert_allclose(b.s_transform([0.5, 1.0]), [1.5 / (0.5 + 1 / 3), 2 / (1 + 1 / 3)],
                               rtol=1e-14)


def test_atomic_s_transform_refuses_bool_and_inf_and_matches_mpmath():
    law = Atomic([1, 2], [R(1, 2), R(1, 2)])
    with pytest.raises(InvalidArgumentTypeError, match=r"w must be .*bool"):
        law.s_transform(w=True)
    with pytest.raises(InvalidArgumentError, match=r"w must be finite"):
        law.s_transform(w=INF)
    with pytest.raises(InvalidArgumentError, match=r"w must be finite"):
        law.s_transform(w=complex(1, INF))
    # independent: invert psi(z) = sum_i w_i a_i z/(1 - a_i z) with mpmath near 0
    with mpmath.workdps(30):
        w = mpmath.mpf("0.5")
        chi = mpmath.findroot(lambda t: t / (2 * (1 - t)) + t / (1 - 2 * t) - w, mpmath.mpf("0.2"))
        want = complex(chi * (1 + w) / w)
    got = complex(law.s_transform(0.5))
    assert abs(got - want) < 1e-12


def test_r_transform_points_refused_and_pole_is_an_error():
    mp = MarchenkoPastur(rate=2)
    with pytest.raises(InvalidArgumentTypeError, match=r"w must .*rectangular"):
        mp.r_transform(w=[[0.0, 1.0], [2.0]])
    with pytest.raises(InvalidArgumentTypeError, match=r"w must .*dict"):
        mp.r_transform(w={"a": 1})
    with pytest.raises(InvalidArgumentTypeError, match=r"w must .*object"):
        PointMass(1).r_transform(w=object())
    with pytest.raises(TransformUndefinedError, match=r"not defined at w = 1"):
        mp.r_transform(1)                               # R = 2/(1 - w): a pole
    # free Poisson of rate lambda: kappa_n = lambda, R(w) = lambda/(1 - w)
    assert mp.r_transform(R(1, 2)) == 4
    np.testing.assert_allclose(mp.r_transform([0.1, 0.2]), [2 / 0.9, 2 / 0.8], rtol=1e-14)


def test_curve_transforms_and_evaluate():
    c = MarchenkoPastur(1).curve()                      # R(w) = 1/(1 - w)
    with pytest.raises(InvalidArgumentTypeError, match=r"w must .*bytes"):
        c.r_transform(w=b"1")                           # was sympified to 1: zoo
    with pytest.raises(TransformUndefinedError, match=r"R-transform .* not defined at w = 1"):
        c.r_transform(w=1)
    with pytest.raises(InvalidArgumentError, match=r"w must be finite"):
        c.s_transform(w=NAN)
    with pytest.raises(InvalidArgumentTypeError, match=r"w must .*dict"):
        c.s_transform(w={"a": 1})
    assert c.r_transform(R(1, 2)) == 2
    np.testing.assert_allclose(c.r_transform([0.5, 0.25]), [2, 4 / 3], rtol=1e-14)
    # MP(1): S(w) = 1/(1 + w)
    np.testing.assert_allclose(c.s_transform([0.5]), [1 / 1.5], rtol=1e-14)
    sc = SpectralCurve(G_**2 - z_ * G_ + 1, z_, G_)
    for args, cls, name in [((NAN, 0.5), InvalidArgumentError, "z"),
                            ((INF, 0.5), InvalidArgumentError, "z"),
                            ((1 + 1j, complex(1, INF)), InvalidArgumentError, "g"),
                            ((1 + 1j, {}), InvalidArgumentTypeError, "g"),
                            ((1 + 1j, [[0.0, 1.0], [2.0]]), InvalidArgumentTypeError, "g")]:
        with pytest.raises(cls, match=rf"\b{name} must"):
            sc.evaluate(*args)
    # P(z, g) = g^2 - z g + 1 by hand
    assert sc.evaluate(R(5, 2), 2) == 0
    np.testing.assert_allclose(sc.evaluate([1, 2], 0.5), [0.25 - 0.5 + 1, 0.25 - 1 + 1])


# --------------------------------------------------------------------------- Cauchy transform at atoms


def test_cauchy_at_an_atom_is_refused_not_nan():
    with pytest.raises(InvalidArgumentError, match=r"z = .*1.* is an atom of PointMass.*pole"):
        PointMass(1).cauchy([1, 2])
    with pytest.raises(InvalidArgumentError, match=r"is an atom"):
        PointMass(1).cauchy(1, dps=20)
    with pytest.raises(InvalidArgumentTypeError, match=r"z must .*bool"):
        PointMass(1).cauchy(True)                        # True == 1 was the atom: nan
    with pytest.raises(InvalidArgumentTypeError, match=r"z must .*bool"):
        Bernoulli(R(1, 2)).cauchy(True)
    with pytest.raises(InvalidArgumentError, match=r"is an atom of Atomic"):
        Atomic([0, 2], [R(1, 2), R(1, 2)]).cauchy([1.0, 2.0])
    # neighbours: G(z) = sum w_i/(z - a_i) by hand
    assert complex(PointMass(1).cauchy(2)) == 1
    np.testing.assert_allclose(Atomic([0, 2], [0.5, 0.5]).cauchy([1.0, 3.0]), [0.5 - 0.5, 0.5 / 3 + 0.5])


def test_cauchy_at_the_mp_atom_and_arcsine_edge_refused_residue_near_it():
    mp = MarchenkoPastur(R(1, 2))
    with pytest.raises(InvalidArgumentError, match=r"z = 0j is an atom of MarchenkoPastur"):
        mp.cauchy([0.0, 1.0])
    with pytest.raises(InvalidArgumentError, match=r"is the hard edge of MarchenkoPastur"):
        MarchenkoPastur(1).cauchy(0.0)
    with pytest.raises(InvalidArgumentError, match=r"is a hard edge of Arcsine"):
        Arcsine(-2, 2).cauchy(2.0)
    with pytest.raises(InvalidArgumentError, match=r"is a hard edge of Arcsine"):
        Arcsine(-2, 2).cauchy(-2, dps=20)
    # just above the atom: -i eps G(i eps) tends to the atom mass 1 - lambda = 1/2
    eps = 1e-9
    assert abs(complex(mp.cauchy(1j * eps)) * 1j * eps - 0.5) < 1e-4
    # just above the arcsine edge: 1/sqrt((z - 2)(z + 2)) in mpmath
    zz = mpmath.mpc(2, 1e-6)
    want = complex(1 / (mpmath.sqrt(zz - 2) * mpmath.sqrt(zz + 2)))
    assert abs(complex(Arcsine(-2, 2).cauchy(complex(zz))) - want) < 1e-9 * abs(want)


# --------------------------------------------------------------------------- densities on grids


def test_density_grids_refuse_ragged_complex_and_objects():
    for law in (Bernoulli(R(1, 2)), MarchenkoPastur(R(1, 2)), Semicircle()):
        with pytest.raises(InvalidArgumentTypeError, match=r"x must .*rectangular"):
            law.density([[0.0, 1.0], [2.0]])
    c = Semicircle().curve()
    with pytest.raises(InvalidArgumentError, match=r"x must be real"):
        c.density(complex(NAN, 1))
    with pytest.raises(InvalidArgumentTypeError, match=r"x must .*dict"):
        c.density({"a": 1})
    with pytest.raises(InvalidArgumentTypeError, match=r"z must .*dict"):
        c.cauchy({})
    with pytest.raises(InvalidArgumentTypeError, match=r"z must .*rectangular"):
        c.cauchy([[0.0, 1.0], [2.0]])
    # neighbours: semicircle density sqrt(4 - x^2)/(2 pi); a rectangular 2-D grid works
    np.testing.assert_allclose(Semicircle().pdf([[0.0, 1.0], [2.0, 3.0]]),
                               [[1 / math.pi, math.sqrt(3) / (2 * math.pi)], [0.0, 0.0]], atol=1e-15)
    d = Bernoulli(R(1, 2)).pdf([[0.0, 0.5], [1.0, 2.0]])
    assert np.isnan(d[0, 0]) and np.isnan(d[1, 0]) and d[0, 1] == 0 and d[1, 1] == 0


def test_curve_density_exact_moments_checked():
    P = G_**2 - z_ * G_ + 1
    with pytest.raises(InvalidArgumentTypeError, match=r"exact_moments\[0\] must be a real number"):
        curve_density(P, z_, G_, [0.0, 1.0], exact_moments=[None])
    with pytest.raises(InvalidArgumentTypeError, match=r"exact_moments\[0\]"):
        curve_density(P, z_, G_, [0.0, 1.0], exact_moments=[1 + 1j, 2])
    with pytest.raises(InvalidArgumentTypeError, match=r"exact_moments must be a list"):
        curve_density(P, z_, G_, [0.0, 1.0], exact_moments=1 + 2j)
    with pytest.raises(InvalidArgumentTypeError, match=r"x must"):
        curve_density(P, z_, G_, object())
    res = curve_density(P, z_, G_, [0.0], exact_moments=[0, 1])
    assert res.density[0] == pytest.approx(1 / math.pi, rel=1e-13)


def test_report_n_moments_checked():
    c = Semicircle().curve()
    for bad, cls in [("3", InvalidArgumentTypeError), ({"a": 1}, InvalidArgumentTypeError),
                     (NAN, InvalidArgumentTypeError), (10**9, TooLargeError)]:
        with pytest.raises(cls, match=r"n_moments"):
            c.report(n_moments=bad)
    assert "m_{1..4} = 0, 1, 0, 2" in c.report(n_moments=4)     # Catalan numbers


# --------------------------------------------------------------------------- curve construction


def test_curve_arguments_checked():
    with pytest.raises(InvalidArgumentTypeError, match=r"polynomial must be"):
        SpectralCurve(object(), z=z_, G=G_)
    with pytest.raises(InvalidArgumentTypeError, match=r"law must be None or a law"):
        SpectralCurve(G_**2 - z_ * G_ + 1, z=z_, G=G_, law=NAN)
    with pytest.raises(InvalidArgumentTypeError, match=r"law must be None or a law"):
        SpectralCurve.from_r_transform("1/(1-w)", law=NAN)
    with pytest.raises(InvalidArgumentTypeError, match=r"z must be a sympy Symbol or its name"):
        SpectralCurve.from_stieltjes("m**2+x*m+1", [0, 99], "m")
    with pytest.raises(InvalidArgumentTypeError, match=r"m must be a sympy Symbol or its name"):
        SpectralCurve.from_stieltjes("m**2+x*m+1", "x", [-1])
    # m = -G: m^2 + x m + 1 = 0 is the semicircle curve G^2 - zG + 1 (Catalan moments)
    c = SpectralCurve.from_stieltjes("m**2+x*m+1", "x", "m")
    assert c.moments(4) == [0, 1, 0, 2]
    law = Semicircle()
    assert SpectralCurve(G_**2 - z_ * G_ + 1, z_, G_, law=law).source is law


def test_matches_moments_checked():
    c = MarchenkoPastur().curve()
    with pytest.raises(InvalidArgumentTypeError, match=r"moments\[0\] must be"):
        c.matches_moments([None])
    with pytest.raises(TooLargeError, match=r"len\(moments\) = 100000"):
        c.matches_moments([1] * 100_000)
    with pytest.raises(InvalidArgumentError, match=r"moments\[1\] must be finite"):
        c.matches_moments([1, NAN])
    # MP(1) moments are the Catalan numbers
    assert c.matches_moments([math.comb(2 * k, k) // (k + 1) for k in range(1, 12)])
    assert not c.matches_moments([1, 2, 5, 15])


# --------------------------------------------------------------------------- integer/size parameters


def test_dps_and_net_checked_for_jacobian_and_fim_laws():
    net = MLP(2, "relu", sigma_w=sympy.sqrt(2), jacobian_convention="preactivation")
    for bad, cls in [(NAN, InvalidArgumentTypeError), (INF, InvalidArgumentTypeError),
                     ("30", InvalidArgumentTypeError), (10**6, TooLargeError), (0, InvalidArgumentError)]:
        with pytest.raises(cls, match=r"dps"):
            net.jacobian_law(dps=bad)
        with pytest.raises(cls, match=r"dps"):
            net.fim_law(dps=bad)
    for bad in (3, "semicircle", [1, 2], object(), b"1"):
        with pytest.raises(InvalidArgumentTypeError, match=r"net must be an MLP"):
            freealg.JacobianLaw(bad)
        with pytest.raises(InvalidArgumentTypeError, match=r"net must be an MLP"):
            freealg.FisherLaw(bad)
    # preactivation convention J = W2 D1 W1: tr JJ^T -> sigma_w^4 E[phi'^2] = 4 * 1/2 (ReLU)
    assert float(net.jacobian_law(dps=20).moments(1)[0]) == pytest.approx(2, rel=1e-12)


def test_fim_curve_max_degree_checked():
    law = MLP(3, "relu", sigma_w=1).fim_law(q_in=1)
    for bad in ("3", 1 + 2j, 2.0, True):
        with pytest.raises(InvalidArgumentTypeError, match=r"max_degree must be an integer"):
            law.curve(max_degree=bad)
    with pytest.raises(InvalidArgumentError, match=r"max_degree must be an integer >= 1"):
        law.curve(max_degree=0)
    # mean of mu_3 (docs of fim_two_layer_curve): q_2 + s^2 a_2 q_1 + s^4 a_1 a_2 q_0, a = 1/2
    q0, q1, q2 = (sympy.nsimplify(v) for v in law.q)
    assert sympy.simplify(law.curve(max_degree=64).moments(1)[0] - (q2 + q1 / 2 + q0 / 4)) == 0


def test_jacobian_curve_depth_bounded_before_work():
    b = Bernoulli(R(1, 2))
    for L in (2**63, 10**6, 257):
        with pytest.raises(TooLargeError, match=r"L = .* larger than the supported maximum 256"):
            jacobian_curve(L, b)
    # second algorithm: moments of MP(1, 2) ⊠ MP(1, 2) ⊠ Bernoulli(1/2) by free_mul_moments
    from freealg.cumulants import free_mul_moments

    mp2 = MarchenkoPastur(1, 2).moments(3)
    want = free_mul_moments(free_mul_moments(mp2, mp2), b.moments(3))
    assert jacobian_curve(2, b, sigma_w=sympy.sqrt(2)).moments(3) == want


def test_fim_curves_typed_arguments_and_huge_exact_scale():
    b = Bernoulli(R(1, 2))
    with pytest.raises(InvalidArgumentTypeError, match=r"nus must be a list of laws"):
        fim_curve(3, [1, 1, 1])
    with pytest.raises(InvalidArgumentTypeError, match=r"nus\[1\] must be a law"):
        fim_curve([b, 2], [1, 1, 1])
    with pytest.raises(InvalidArgumentTypeError, match=r"q must be a list"):
        fim_curve([b, b], object())
    with pytest.raises(InvalidArgumentTypeError, match=r"q must be a list of three numbers"):
        fim_two_layer_curve(activation="relu", sigma_w=1.5, q=object())
    with pytest.raises(InvalidArgumentTypeError, match=r"activation must be"):
        fim_two_layer_curve(activation=b"1", sigma_w=sympy.Rational(3, 2), q=(1, 1, 1))
    # sigma_w = 1e300 at its exact binary value (exact=True; a 600-digit s^4): the mean
    # is q_2 + s^2 a q_1 + s^4 a^2 q_0 with q = 1, a = 1/2 (was a ValueError from str())
    s = sympy.Rational(1e300)
    assert fim_curve([b, b], [1, 1, 1], sigma_w=1e300, exact=True).moments(1)[0] == 1 + s**2 / 2 + s**4 / 4


def test_ntk_predict_checks_xstar_before_sizing():
    net = MLP(2, "relu", sigma_w=1.4, widths=[2, 8, 1])
    X, Y = [[1.0, 0.0], [0.0, 1.0]], [1.0, -1.0]
    for bad in ("", object(), [[NAN, 0.0]]):
        with pytest.raises(InvalidArgumentError, match=r"Xstar"):
            net.ntk_predict(X, Y, 1.0, Xstar=bad)
    # at t = inf the NTK prediction interpolates the training data (kernel regression)
    out = net.ntk_predict(X, Y, INF, Xstar=X)
    np.testing.assert_allclose(np.ravel(out.test), Y, atol=1e-9)
    np.testing.assert_allclose(np.ravel(out.train), Y, atol=1e-9)


# --------------------------------------------------------------------------- moments and cumulants by word


def _catalan_phi(word):
    n = len(word)
    return 0 if n % 2 else math.comb(n, n // 2) // (n // 2 + 1)


def test_word_front_ends_fail_fast():
    kappa2 = lambda block: 1 if len(block) == 2 else 0  # noqa: E731
    with pytest.raises(TooLargeError, match=r"len\(word\) = 120 .* maximum 16"):
        moment_from_cumulants("relu" * 30, kappa2)      # was a RecursionError
    with pytest.raises(TooLargeError, match=r"len\(word\) = 21 .* maximum 13"):
        cumulant_from_moments("exp(exp(exp(exp(x))))", _catalan_phi)   # was a timeout
    with pytest.raises(TooLargeError, match=r"len\(word\)"):
        moment_from_cumulants("a" * 100_000, kappa2)
    with pytest.raises(InvalidArgumentError, match=r"word is empty"):
        cumulant_from_moments("", _catalan_phi)         # was 'negative shift count'
    for bad in (None, {}, NAN, "3", 10**30):
        with pytest.raises(InvalidArgumentTypeError, match=r"kappa must be a callable"):
            moment_from_cumulants("ab", bad)
        with pytest.raises(InvalidArgumentTypeError, match=r"phi must be a callable"):
            cumulant_from_moments("ab", bad)
    with pytest.raises(InvalidArgumentTypeError, match=r"word must be a str or a list"):
        moment_from_cumulants(None, kappa2)
    with pytest.raises(InvalidArgumentTypeError, match=r"word\[0\] must be a hashable"):
        moment_from_cumulants([[1], [2]], kappa2)
    # counting identities at the largest accepted lengths: the semicircle
    # (kappa_2 = 1 only) has m_16 = #NC pairings of 16 points = Catalan(8)
    assert moment_from_cumulants("a" * 16, kappa2) == 1430
    assert moment_from_cumulants("", kappa2) == 1
    # and its free cumulants from Catalan moments: kappa_2 = 1, kappa_12 = 0
    assert cumulant_from_moments("aa", _catalan_phi) == 1
    assert cumulant_from_moments("a" * 12, _catalan_phi) == 0


def test_symbol_orders_checked():
    from freealg.freeness import cumulant_symbol, moment_symbol

    a, = (nc_symbols("a"),)
    for bad, cls in [(INF, InvalidArgumentTypeError), (None, InvalidArgumentTypeError),
                     (1 + 2j, InvalidArgumentTypeError), ({}, InvalidArgumentTypeError),
                     (0, InvalidArgumentError)]:
        with pytest.raises(cls, match=r"\bk must be an integer"):
            moment_symbol(a, bad)
        with pytest.raises(cls, match=r"\bk must be an integer"):
            cumulant_symbol("A", bad)
    assert moment_symbol(a, 2) == sympy.Symbol("m_2(a)")
    assert cumulant_symbol("A", 3) == sympy.Symbol("kappa_3(A)")


def test_letters_traces_and_diagonal_checked():
    from freealg.ncpoly import Letter, Trace

    for kw, name in [({"shape": INF}, "shape"), ({"shape": True}, "shape"),
                     ({"shape": 10**30}, "shape"), ({"selfadjoint": [True]}, "selfadjoint")]:
        with pytest.raises(InvalidArgumentTypeError, match=rf"{name} must be"):
            Letter("x", **kw)
    for bad in (True, NAN, [1, 2], -1):
        with pytest.raises(InvalidArgumentTypeError, match=r"terms must be None or a dict"):
            Trace(terms=bad)
    for bad in (None, object(), 1 + 2j):
        with pytest.raises(InvalidArgumentTypeError, match=r"diagonal\(\) needs a letter"):
            FreeModel().diagonal(bad, moments=[1, 2])
    assert Letter("x", shape=("N", "M")).shape == ("N", "M")
    # a diagonal letter with moments m_k: tr(D^2) = m_2
    D, = (nc_symbols("D", selfadjoint=True),)
    assert FreeModel().diagonal(D, moments=[1, 3]).moment(tr(D * D)) == 3
    A, B = nc_symbols("A B")
    assert tr(A * B) + tr(B * A) == 2 * tr(A * B)


# --------------------------------------------------------------------------- verify and activations


def test_network_letters_sizes_checked():
    from freealg import verify

    with pytest.raises(TooLargeError, match=r"depth = 1000000000 .* maximum 100000"):
        verify.network_letters(10**9)
    for bad in (3.0, INF, {}, object(), 1e300):
        with pytest.raises(InvalidArgumentTypeError, match=r"depth must be an integer"):
            verify.network_letters(bad)
    ws, ds = verify.network_letters(2)
    assert [str(w) for w in ws] == ["W1", "W2"] and [str(d) for d in ds] == ["D1", "D2"]
    assert ds[0].T == ds[0] and ws[0].T != ws[0]


def test_fim_spectrum_overflow_is_an_error():
    from freealg import verify

    net = MLP(2, "tanh", sigma_w=1.2)
    with pytest.raises(FloatRangeError, match=r"q0"):
        verify.check_fim_spectrum(net=net, widths=[8, 16], trials=2, q0=1e154)


def test_activation_points_checked():
    act = get_activation("tanh")
    with pytest.raises(InvalidArgumentError, match=r"x must be finite; entry 0 is nan"):
        act.dphi([NAN, 0.0])
    with pytest.raises(InvalidArgumentTypeError, match=r"x must be .*NoneType"):
        act(None)
    # tanh' = 1 - tanh^2
    np.testing.assert_allclose(act.dphi([0.5, 0.0]), [1 - math.tanh(0.5) ** 2, 1.0], rtol=1e-15)


def test_free_mul_law_points_checked():
    law = freealg.free_mul_law([MarchenkoPastur(1), MarchenkoPastur(1)])
    for bad, cls in [("", InvalidArgumentTypeError), ({}, InvalidArgumentTypeError),
                     (object(), InvalidArgumentTypeError), ([[0.0, 1.0], [2.0]], InvalidArgumentTypeError)]:
        with pytest.raises(cls, match=r"\bw must"):
            law.s_transform(bad)
    with pytest.raises(InvalidArgumentTypeError, match=r"\bx must"):
        law.density(object())
    # MP(1) ⊠ MP(1): S(w) = 1/(1 + w)^2
    np.testing.assert_allclose(law.s_transform([0.5, 1.0]), [1 / 2.25, 0.25], rtol=1e-14)


def test_errors_are_freealg_errors():
    # the classes used above are all FreealgError subclasses (one except clause)
    for cls in (InvalidArgumentError, InvalidArgumentTypeError, TooLargeError,
                TransformUndefinedError, FloatRangeError):
        assert issubclass(cls, FreealgError)


def test_fim_two_layer_curve_with_a_tiny_float_alpha_is_fast_and_exact():
    # alpha = 1e-300 at its binary value (exact=True); the curve is built with symbols and
    # the value substituted.  Second algorithm: the moments of
    # mu_3 = q_2 + s^2 (Bernoulli(a_2) ⊠ mu_2), mu_2 = (1 - a_1) δ_{q_1} + a_1 δ_{q_1 + s^2 q_0},
    # by the exact free multiplicative moment recursion.
    from freealg.cumulants import free_mul_moments

    a = sympy.Rational(1e-300)                                # the float's binary value
    s2 = sympy.Rational(9, 4)                                 # sigma_w = 1.5 (exact in binary)
    c = fim_two_layer_curve(activation="relu", alpha=1e-300, sigma_w=1.5, q=(1, 1, 1), exact=True)
    mu2 = Atomic([1, 1 + s2], [1 - a, a]).moments(3)
    prod = free_mul_moments(Bernoulli(a).moments(3), mu2)
    want = [sum(math.comb(k, j) * s2**j * (prod[j - 1] if j else 1) for j in range(k + 1))
            for k in range(1, 4)]                            # moments of 1 + s^2 X
    assert c.moments(3) == want
