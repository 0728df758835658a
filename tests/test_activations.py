"""Tests of freealg.activations against independent truths.

Independent references used here:
* numpy composite Gauss-Legendre for smooth integrands -- a different
  quadrature from the library's mpmath tanh-sinh;
* textbook closed forms (half-normal moments, normal cdf);
* central finite differences of ``phi`` for ``phi'``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import freealg
from freealg.activations import ACTIVATION_NAMES, Activation, gaussian_expectation, get_activation
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError, UnknownActivationError

SMOOTH = ["tanh", "erf", "sigmoid", "silu", "gelu"]


_GL_X, _GL_W = np.polynomial.legendre.leggauss(30)


def gh_expect(f, q, panels=240, zmax=12.0):
    """E f(sqrt(q) z) by composite 30-point Gauss-Legendre on [-12, 12] with 240
    panels (independent of mpmath's tanh-sinh).  The truncated Gaussian mass
    is ~1e-32; each panel of width 0.1 resolves integrands analytic in a strip
    of half-width >~ 0.05, so the rule is accurate to ~1e-14 here.
    Panel edges include 0 and +-1/sqrt(q) when they fall on the grid only by
    accident, so kinked integrands are NOT integrated by this helper."""
    edges = np.linspace(-zmax, zmax, panels + 1)
    a, b = edges[:-1, None], edges[1:, None]
    z = (0.5 * (b - a) * _GL_X[None, :] + 0.5 * (a + b)).ravel()
    w = (0.5 * (b - a) * _GL_W[None, :]).ravel()
    return float(np.sum(w * np.exp(-0.5 * z * z) * f(np.sqrt(q) * z)) / np.sqrt(2 * np.pi))


def test_public_surface():
    assert freealg.get_activation is get_activation
    assert freealg.Activation is Activation
    assert freealg.gaussian_expectation is gaussian_expectation


@pytest.mark.parametrize("name", ACTIVATION_NAMES + ("swish",))
def test_phi_matches_sympy_expr_and_dphi_matches_finite_difference(name):
    a = get_activation(name)
    x = np.array([-2.7, -1.3, -0.4, 0.35, 0.9, 1.6, 3.1])  # away from kinks
    f = sp.lambdify(a.symbol, a.expr, modules="mpmath")
    df = sp.lambdify(a.symbol, a.dexpr, modules="mpmath")
    for xi, v, dv in zip(x, a.phi(x), a.dphi(x)):
        assert v == pytest.approx(float(f(xi)), abs=1e-14)
        assert dv == pytest.approx(float(df(xi)), abs=1e-13)
        # mpmath versions agree with numpy versions
        assert float(a.phi_mp(xi)) == pytest.approx(v, abs=1e-14)
        assert float(a.dphi_mp(xi)) == pytest.approx(dv, abs=1e-13)
        # central difference, h = 1e-5: truncation error ~ h^2 |phi'''| < 1e-9
        h = 1e-5
        fd = (a.phi(xi + h) - a.phi(xi - h)) / (2 * h)
        assert dv == pytest.approx(float(fd), abs=1e-8)


def test_swish_is_silu():
    assert get_activation("swish") == get_activation("silu")
    assert get_activation("ReLU") == get_activation("relu")


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("q", [0.05, 0.8, 3.0])
def test_gaussian_expectations_smooth_vs_gauss_hermite(name, q):
    a = get_activation(name)
    ref = {
        "phi": gh_expect(a.phi, q),
        "phi2": gh_expect(lambda h: a.phi(h) ** 2, q),
        "dphi": gh_expect(a.dphi, q),
        "dphi2": gh_expect(lambda h: a.dphi(h) ** 2, q),
    }
    for which, r in ref.items():
        # the composite Gauss-Legendre reference is accurate to ~1e-14 here
        assert a.gaussian_expectation(which, q) == pytest.approx(r, abs=1e-11)


def test_relu_closed_forms_exact():
    a = get_activation("relu")
    q = sp.Symbol("q", positive=True)
    assert a.gaussian_expectation("phi2", q) == q / 2
    assert sp.simplify(a.gaussian_expectation("phi", q) - sp.sqrt(q) / sp.sqrt(2 * sp.pi)) == 0
    assert a.gaussian_expectation("dphi2", 5) == sp.Rational(1, 2)
    assert a.gaussian_expectation("phi2", Fraction(3, 4)) == sp.Rational(3, 8)
    # float path against half-normal moment E[h; h>0] = sqrt(q / 2pi)
    assert a.gaussian_expectation("phi", 2.5) == pytest.approx(math.sqrt(2.5 / (2 * math.pi)), rel=1e-15)


@pytest.mark.parametrize("q", [0.1, 1.0, 4.0])
def test_piecewise_closed_forms_vs_split_quadrature(q):
    # independent: the library's own mpmath quadrature with breakpoints vs closed forms
    for name, params in [("relu", {}), ("leaky_relu", {"slope": 0.2}), ("hardtanh", {}), ("linear", {})]:
        a = get_activation(name, **params)
        funcs = {
            "phi": a.phi_mp,
            "phi2": lambda h: a.phi_mp(h) ** 2,
            "dphi": a.dphi_mp,
            "dphi2": lambda h: a.dphi_mp(h) ** 2,
        }
        for which, f in funcs.items():
            num = gaussian_expectation(f, q, dps=30, breakpoints=a.breakpoints)
            closed = a.gaussian_expectation(which, mpmath.mpf(q), dps=30)
            assert mpmath.almosteq(num, closed, 1e-25), (name, which)


def test_hardtanh_law_and_moments():
    a = get_activation("hardtanh")
    law = a.dphi_values_probabilities(2)
    p = sp.erf(sp.Rational(1, 2))
    assert law == [(0, 1 - p), (1, p)]
    # float: p = P(|h| < 1) = erf(1 / sqrt(2 q)) via math.erf
    lf = a.dphi_values_probabilities(0.5)
    assert lf[1][1] == pytest.approx(math.erf(1.0), rel=1e-15)
    assert lf[0][1] + lf[1][1] == pytest.approx(1.0, rel=1e-15)
    # q = 0: h = 0 inside (-1, 1)
    assert a.dphi_values_probabilities(0) == [(1, 1)]
    # moments of a Bernoulli are all p
    assert a.dphi2_moments(0.5, 3) == pytest.approx([math.erf(1.0)] * 3, rel=1e-14)
    # E hardtanh(h)^2 by Gauss-Hermite on a huge grid is slow to converge at the kinks;
    # use Monte-Carlo-free truth: E[h^2; |h|<1] + P(|h|>1) with the erf/pdf formula
    q = 0.5
    a_ = 1 / math.sqrt(q)
    truth = q * (math.erf(a_ / math.sqrt(2)) - 2 * a_ * math.exp(-a_ * a_ / 2) / math.sqrt(2 * math.pi)) + (
        1 - math.erf(a_ / math.sqrt(2))
    )
    assert a.gaussian_expectation("phi2", q) == pytest.approx(truth, rel=1e-14)


def test_relu_leaky_linear_laws():
    assert get_activation("relu").dphi_values_probabilities(3) == [(0, sp.Rational(1, 2)), (1, sp.Rational(1, 2))]
    assert get_activation("relu").dphi_values_probabilities(0) == [(0, sp.Rational(1, 2)), (1, sp.Rational(1, 2))]
    assert get_activation("linear").dphi_values_probabilities(1.0) == [(1.0, 1.0)]
    lk = get_activation("leaky_relu", slope=Fraction(1, 3)).dphi_values_probabilities()
    assert lk == [(sp.Rational(1, 9), sp.Rational(1, 2)), (1, sp.Rational(1, 2))]
    # slope -1 is |x|: phi'^2 = 1 always (atoms merged)
    assert get_activation("leaky_relu", slope=-1).dphi_values_probabilities(1) == [(1, 1)]
    with pytest.raises(InvalidArgumentError, match="not piecewise linear"):
        get_activation("tanh").dphi_values_probabilities(1.0)


def test_erf_closed_forms():
    a = get_activation("erf")
    q = 0.37
    assert a.gaussian_expectation("phi2", q) == pytest.approx(gh_expect(lambda h: a.phi(h) ** 2, q), abs=1e-13)
    mom = a.dphi2_moments(q, 4)
    for k, m in enumerate(mom, start=1):
        assert m == pytest.approx(gh_expect(lambda h: a.dphi(h) ** (2 * k), q), rel=1e-12)
    assert a.gaussian_expectation("dphi2", sp.Rational(1, 4)) == 4 / (sp.pi * sp.sqrt(2))


def test_smooth_dphi2_moments_vs_gauss_hermite():
    a = get_activation("tanh")
    mom = a.dphi2_moments(0.6, 3)
    for k, m in enumerate(mom, start=1):
        assert m == pytest.approx(gh_expect(lambda h: a.dphi(h) ** (2 * k), 0.6), rel=1e-12)


def test_gaussian_expectation_high_precision_and_q0():
    # E h^4 = 3 q^2 exactly; E cos(h) = exp(-q/2)
    assert gaussian_expectation(lambda h: h ** 4, Fraction(1, 2)) == mpmath.mpf("0.75")
    v = gaussian_expectation(mpmath.cos, 2, dps=40)
    with mpmath.workdps(40):
        assert mpmath.almosteq(v, mpmath.exp(-1), 1e-38)
    assert gaussian_expectation(mpmath.cos, 0) == 1
    x = sp.Symbol("t")
    assert gaussian_expectation(x ** 2, 3) == 3


def test_custom_expression():
    x = sp.Symbol("u")
    a = get_activation(sp.tanh(x) + x / 10, name="tanh+lin")
    assert a.name == "custom"
    u = a.symbol  # the library differentiates along a real symbol of the same name
    assert u.name == "u" and u.is_real
    assert sp.simplify(a.dexpr - (1 - sp.tanh(u) ** 2 + sp.Rational(1, 10))) == 0
    t = get_activation("tanh")
    # E[phi'^2] = E[(tanh' + 1/10)^2] by GH
    ref = gh_expect(lambda h: (t.dphi(h) + 0.1) ** 2, 0.9)
    assert a.gaussian_expectation("dphi2", 0.9) == pytest.approx(ref, abs=1e-12)
    assert a.phi(np.array([0.5, 1.0])) == pytest.approx(np.tanh([0.5, 1.0]) + np.array([0.05, 0.1]))
    # a constant derivative still broadcasts
    lin = get_activation(2 * x)
    assert lin.dphi(np.zeros(3)).tolist() == [2.0, 2.0, 2.0]
    # kinked custom activation with breakpoints: |u| gives E|h| = sqrt(2q/pi)
    ab = get_activation(sp.Abs(x), breakpoints=[0])
    assert float(ab.gaussian_expectation("phi", 1.0)) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-14)


def test_bad_input():
    with pytest.raises(UnknownActivationError, match="valid names: linear, relu"):
        get_activation("softplus")
    with pytest.raises(InvalidArgumentTypeError, match="activation must be a name"):
        get_activation(3)
    with pytest.raises(InvalidArgumentError, match="slope"):
        get_activation("leaky_relu", slope=float("nan"))
    with pytest.raises(InvalidArgumentError, match="unexpected parameters"):
        get_activation("relu", slope=0.1)
    x, y = sp.symbols("x y")
    with pytest.raises(InvalidArgumentError, match="exactly one variable"):
        get_activation(x * y)
    with pytest.raises(InvalidArgumentError, match="real and finite"):
        get_activation(sp.sqrt(x))
    a = get_activation("tanh")
    with pytest.raises(InvalidArgumentError, match=">= 0"):
        a.gaussian_expectation("phi2", -1.0)
    with pytest.raises(InvalidArgumentError, match="finite"):
        a.gaussian_expectation("phi2", float("inf"))
    with pytest.raises(InvalidArgumentError, match="which"):
        a.gaussian_expectation("phi3", 1.0)
    with pytest.raises(InvalidArgumentError, match="dps"):
        gaussian_expectation(abs, 1, dps=0)
    with pytest.raises(InvalidArgumentError, match="callable"):
        gaussian_expectation(3, 1)
    with pytest.raises(InvalidArgumentError, match="diverges"):
        gaussian_expectation(lambda h: mpmath.exp(h * h), 1)


@pytest.mark.parametrize("q", [1e-300, 1e-40, 1e-20, 1.0, 1e6])
def test_gaussian_expectation_tiny_and_huge_variance_against_closed_forms(q):
    # E[1] = 1, E[h^2] = q, E[|h|] = sqrt(2q/pi) exactly.  At q = 1e-300 the split
    # points of the h-scale sat at |z| ~ 1e150 and E[1] came out ~1e-22582; at
    # q = 1e-40 mpmath.quad's absolute stopping rule accepted E[h^2] with relative
    # error 2.4e-6.  30 digits are requested, so 1e-25 relative is a fair bound.
    from freealg._utils.mpctx import mpmath as mpm

    with mpm.workdps(40):
        qm = mpm.mpf(q)
        exact_abs = mpm.sqrt(2 * qm / mpm.pi)
        one = gaussian_expectation(lambda h: 1, q, dps=30)
        sq = gaussian_expectation(lambda h: h * h, q, dps=30)
        ab = gaussian_expectation(lambda h: abs(h), q, dps=30)
        assert abs(one - 1) < mpm.mpf(10) ** -25
        assert abs(sq / qm - 1) < mpm.mpf(10) ** -25
        assert abs(ab / exact_abs - 1) < mpm.mpf(10) ** -25


def test_tanh_derivative_law_at_tiny_variance_is_near_the_point_mass_at_one():
    # phi'(h)^2 = sech(h)^4 = 1 - 2 h^2 + O(h^4): at q = 1e-40 the law is the point
    # mass at 1 up to 2q = 2e-40; the moments were [0.0, 0.0] before.
    from freealg import activation_derivative_law

    m1, m2 = activation_derivative_law("tanh", 1e-40).moments(2)
    assert abs(float(m1) - 1) < 1e-15 and abs(float(m2) - 1) < 1e-15


def test_custom_activation_pickle_keeps_breakpoints_and_label():
    # __reduce__ passed only (expr, params): the breakpoints (which split the
    # quadratures at kinks) and the label were lost in worker processes
    import pickle

    import sympy

    x = sympy.Symbol("x")
    act = freealg.get_activation(sympy.Abs(x) + x / 3, breakpoints=[0], name="vee")
    back = pickle.loads(pickle.dumps(act))
    assert back == act
    assert back.breakpoints == (0,) and back.label == "vee"
    # the rebuilt activation computes the same expectation: E|z| + 0 = sqrt(2/pi)
    assert float(back.gaussian_expectation("phi", 1)) == pytest.approx((2 / 3.141592653589793) ** 0.5, rel=1e-12)
