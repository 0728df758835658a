"""Hardening of the deep-network layer, the activations, simulation and
verification (issue 10): no silent NaN/inf, bounded work, typed argument
errors naming the parameter, no global random state.

Every numeric regression is checked against an independent value: a closed
form evaluated with mpmath at high precision, or a root of the closed-form
fixed-point equation found by ``mpmath.findroot``.
"""

from __future__ import annotations

import math
import random
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import freealg
from freealg import simulate, verify
from freealg.activations import FloatRangeError, gaussian_expectation, get_activation
from freealg.dnn import critical_line, critical_sigma_w
from freealg.dnn.kernels import conjugate_kernel_moments, mp_moments
from freealg.dnn.polynomials import free_model
from freealg.laws import MarchenkoPastur
from freealg.errors import (
    FreealgError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    TooLargeError,
)

MLP = freealg.MLP


def _finite(v):
    if v is None or isinstance(v, (str, bool)):
        return True
    if isinstance(v, dict):
        return all(_finite(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return all(_finite(x) for x in v)
    if isinstance(v, np.ndarray):
        if v.dtype == bool:
            return True
        return bool(np.all(np.isfinite(v.astype(float))))
    return math.isfinite(float(v))


# ---------------------------------------------------------------------------
# 1. silent NaN / inf
# ---------------------------------------------------------------------------


def _erf_qstar_mp(sw, sb=0, dps=40):
    """q* of an erf net from the closed form E erf(h)^2 = (2/pi) asin(2q/(1+2q))."""
    with mpmath.workdps(dps):
        w2, b2 = mpmath.mpf(sw) ** 2, mpmath.mpf(sb) ** 2

        def g(q):
            return w2 * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)) + b2 - q

        return mpmath.findroot(g, w2 + b2)


def test_erf_qstar_at_sigma_w_1e154_is_finite_and_right():
    # before: InvalidArgumentError "q must be finite and >= 0; got [inf]" (2 q^1 overflowed)
    got = MLP(3, "erf", sigma_w=1e154).q_star()
    assert math.isfinite(got)
    assert got == pytest.approx(float(_erf_qstar_mp(1e154)), rel=1e-13)


def test_erf_qstar_beyond_float_range_with_mpmath():
    # sigma_w = 1e300: the float engine refuses (sigma_w**2 overflows) and
    # names the workable range; dps=30 computes it
    net = MLP(3, "erf", sigma_w=1e300)
    with pytest.raises(FloatRangeError, match=r"sigma_w\*\*2.*1\.3e154.*dps=30"):
        net.q_star()
    v = net.q_star(dps=30)
    with mpmath.workdps(30):
        assert abs(v / _erf_qstar_mp(1e300) - 1) < mpmath.mpf(10) ** -25


@pytest.mark.parametrize("sw", [1e-300, 1e300])
def test_relu_overflowing_sigma_w_raises_instead_of_overflowerror(sw):
    # before: a bare OverflowError from sigma_w ** 2
    net = MLP(3, "relu", sigma_w=sw)
    for f in (net.q_star, net.chi, net.depth_scales, lambda: net.q_sequence(1.0)):
        with pytest.raises(FloatRangeError, match="sigma_w"):
            f()
    # the mpmath engine has no overflow: chi = sigma_w^2 / 2 exactly
    with mpmath.workdps(30):
        assert net.chi(dps=30) == mpmath.mpf(sw) ** 2 / 2


def test_underflowing_sigma_w_is_refused_not_zero():
    # before: chi = 0.0 and depth scales xi = 0.0 (sigma_w**2 = 1e-600 underflowed)
    net = MLP(3, "tanh", sigma_w=1e-300, sigma_b=0.1)
    with pytest.raises(FloatRangeError, match="sigma_w"):
        net.depth_scales()
    # independent value: q* -> sigma_b^2 (the weights vanish), chi = sigma_w^2 E[sech^4]
    ch = net.chi(dps=20)
    with mpmath.workdps(30):
        q = mpmath.mpf("0.1") ** 2
        e = mpmath.quad(lambda z: mpmath.sech(mpmath.sqrt(q) * z) ** 4 * mpmath.npdf(z),
                        [-mpmath.inf, 0, mpmath.inf])
        assert abs(ch / (mpmath.mpf("1e-300") ** 2 * e) - 1) < mpmath.mpf(10) ** -15


def test_q_sequence_overflow_names_the_layer():
    net = MLP(40, "relu", sigma_w=1e10)  # q^l = 1e20 (5e19)^(l-1): beyond 1e308 at l = 16
    with pytest.raises(FloatRangeError, match=r"q\^\d+"):
        net.q_sequence(1.0)


@pytest.mark.parametrize("q", [1e-300, 1.0, 1e150, 1e300, 1.7e308])
def test_erf_closed_forms_no_overflow(q):
    # before: phi2 = nan and dphi = 0.0 at q = 1e308 (1 + 2q overflowed)
    erf = get_activation("erf")
    with mpmath.workdps(40):
        qm = mpmath.mpf(q)
        exact = {
            "phi2": 2 / mpmath.pi * mpmath.asin(2 * qm / (1 + 2 * qm)),
            "dphi": 2 / mpmath.sqrt(mpmath.pi) / mpmath.sqrt(1 + 2 * qm),
            "dphi2": 4 / mpmath.pi / mpmath.sqrt(1 + 4 * qm),
        }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for which, v in exact.items():
            assert erf.gaussian_expectation_np(which, q) == pytest.approx(float(v), rel=1e-14)


@pytest.mark.parametrize("s", [1.0, 1e200, 1e300])
def test_2d_closed_forms_at_huge_variances(s):
    # before: relu gave inf and erf gave 0.0 at s = 1e200 (s11 * s22 overflowed)
    s12 = 0.5 * s
    with mpmath.workdps(40):
        a, c = mpmath.mpf(s), mpmath.mpf(s12)
        th = mpmath.acos(c / a)
        relu_phi = a * (mpmath.sin(th) + (mpmath.pi - th) * mpmath.cos(th)) / (2 * mpmath.pi)
        relu_dphi = (mpmath.pi - th) / (2 * mpmath.pi)
        erf_phi = 2 / mpmath.pi * mpmath.asin(2 * c / (1 + 2 * a))
        erf_dphi = 4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) ** 2 - 4 * c * c)
    relu, erf = get_activation("relu"), get_activation("erf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(relu.gaussian_expectation_2d("phi", s, s12, s)) == pytest.approx(float(relu_phi), rel=1e-13)
        assert float(relu.gaussian_expectation_2d("dphi", s, s12, s)) == pytest.approx(float(relu_dphi), rel=1e-13)
        assert float(erf.gaussian_expectation_2d("phi", s, s12, s)) == pytest.approx(float(erf_phi), rel=1e-13)
        assert float(erf.gaussian_expectation_2d("dphi", s, s12, s)) == pytest.approx(float(erf_dphi), rel=1e-12)


def test_quadrature_overflow_raises_float_range_error():
    gelu = get_activation("gelu")
    # E gelu(h)^2 at q = 1e308 overflows float64 inside the quadrature (h^2 ~ 81 q)
    with pytest.raises(FloatRangeError, match=r"q = 1e\+308.*dps"):
        gelu.gaussian_expectation_np("phi2", 1e308)
    # a moderate q stays a float and agrees with mpmath: E[gelu(h)^2] / q -> 1/2 - ... at large q
    v = gelu.gaussian_expectation_np("phi2", 1e300)
    assert v == pytest.approx(float(gelu.gaussian_expectation("phi2", mpmath.mpf(1e300), dps=20)),
                              rel=1e-12)


def test_gelu_qstar_overflow_names_sigma_w():
    with pytest.raises(FloatRangeError, match=r"sigma_w=1e\+154.*dps=30"):
        MLP(3, "gelu", sigma_w=1e154).q_star()


def test_critical_sigma_w_large_bias():
    # before: "no edge of chaos" for sigma_b > ~1.3e8 (the search stopped at q = 2^54)
    sb = 1e10
    with mpmath.workdps(40):
        b2 = mpmath.mpf(sb) ** 2

        def h(q):
            return q - (2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q))) / (
                4 / mpmath.pi / mpmath.sqrt(1 + 4 * q)) - b2

        q = mpmath.findroot(h, b2)
        sw = 1 / mpmath.sqrt(4 / mpmath.pi / mpmath.sqrt(1 + 4 * q))
    assert critical_sigma_w("erf", sb) == pytest.approx(float(sw), rel=1e-12)
    d = critical_line("erf", [0.0, sb])
    assert d["exists"].all()
    assert d["sigma_w"][1] == pytest.approx(float(sw), rel=1e-12)


def test_critical_sigma_w_overflowing_bias():
    with pytest.raises(FloatRangeError, match="sigma_b"):
        critical_sigma_w("tanh", 1e300)


def test_kernels_overflow_names_layer():
    net = MLP(3, "relu", sigma_w=1e150)  # Sigma^l = (sigma_w^2/2)^(l-1) sigma_w^2: beyond 1e308
    with pytest.raises(FloatRangeError, match="layer-2"):
        net.nngp_kernel(np.eye(2) * 2 ** 0.5)


_ACTS = ["relu", "tanh", "erf", "hardtanh", "linear", "gelu"]
_SW = [1e-300, 1e-154, 1e154, 1e300, 0.7, 1.5]
_SB = [0.0, 1e300, 0.2]
_Q = [0.0, 1e-300, 1e300, 1.0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(act=st.sampled_from(_ACTS), sw=st.sampled_from(_SW), sb=st.sampled_from(_SB),
       q=st.sampled_from(_Q))
def test_sweep_meanfield_finite_or_freealg_error(act, sw, sb, q):
    """Every mean-field / kernel / KAA entry point at extreme accepted
    parameters returns finite numbers (+inf only where documented) or raises
    a FreealgError; never a bare OverflowError, a NaN or a RuntimeWarning."""
    net = MLP(3, act, sigma_w=sw, sigma_b=sb)
    calls = [
        ("q_star", lambda: net.q_star(), True),
        ("q_star(q_in)", lambda: net.q_star(q_in=q), True),
        ("chi", lambda: net.chi(), False),
        ("chi(q)", lambda: net.chi(q=q), False),
        ("q_map", lambda: net.q_map(q), False),
        ("q_sequence", lambda: net.q_sequence(q), False),
        ("qhat_sequence", lambda: net.qhat_sequence(q), False),
        ("c_map", lambda: net.c_map(0.5, q=q if q > 0 else 1.0), False),
        ("c_star", lambda: net.c_star(), False),
        ("depth_scales", lambda: net.depth_scales()[2:], False),
        ("backprop_norms", lambda: net.backprop_norms(q_in=q), False),
        ("d2_moments", lambda: net.d2_moments(2, layer=2, q_in=q), False),
        ("fim_meanfield", lambda: net.fim_meanfield(3, M=100, q_in=q if q > 0 else 1), False),
        ("nngp", lambda: net.nngp_kernel(np.array([[1.0, 0.0], [0.6, 0.8]])), False),
        ("ntk", lambda: net.ntk_kernel(np.array([[1.0, 0.0], [0.6, 0.8]])), False),
    ]
    for name, f, inf_ok in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                v = f()
            except FreealgError:
                continue
        if inf_ok and v == math.inf:
            continue
        assert _finite(v), (name, act, sw, sb, q, v)


@settings(max_examples=40, deadline=None)
@given(act=st.sampled_from(_ACTS + ["sigmoid"]), q=st.sampled_from(_Q + [1e308]),
       which=st.sampled_from(["phi", "phi2", "dphi", "dphi2"]))
def test_sweep_activation_numeric_methods(act, q, which):
    a = get_activation(act)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for f in (lambda: a.gaussian_expectation_np(which, q),
                  lambda: a.gaussian_expectation(which, q),
                  lambda: a.dphi2_moments(q, 2),
                  lambda: a.gaussian_expectation_2d(which[:4].rstrip("2") if which.endswith("2") else which,
                                                    q, q / 2, q)):
            try:
                v = f()
            except FreealgError:
                continue
            assert _finite(v), (act, q, which, v)


def test_kaa_lr_bound_inf_only_when_flat():
    # lambda_max = 0 (q_in = 0, no bias): the documented lr_bound = +inf; otherwise finite
    r = MLP(3, "tanh", sigma_w=1.2).fim_meanfield(3, M=10, q_in=0)
    assert r.lambda_max == 0 and r.lr_bound == math.inf
    r = MLP(3, "linear", sigma_w=1.0).fim_meanfield(4, M=100)
    assert r.lr_bound == pytest.approx(2 / 75)  # lambda_max = L M / T (docstring example)


# ---------------------------------------------------------------------------
# 2. bounded work
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [10**30, 10**6])
def test_depth_bounded_before_work(depth):
    # before: MLP(depth=10**30) built a tuple of 10**30 ratios (never returned)
    with pytest.raises(TooLargeError, match="depth.*100000"):
        MLP(depth, "tanh")


def test_widths_bounded():
    with pytest.raises(TooLargeError, match=r"widths\[1\]"):
        MLP(2, "tanh", widths=(3, 10**30, 2))


def test_simulation_refuses_before_allocating():
    rng = np.random.default_rng(0)
    net = MLP(2, "tanh")
    with pytest.raises(TooLargeError, match="GiB"):
        simulate.sample_network(net, 10**8, rng)
    with pytest.raises(TooLargeError, match="GiB"):
        simulate.haar_orthogonal(10**6, rng)
    with pytest.raises(TooLargeError, match="GiB"):
        simulate.ginibre(10**5, rng)
    with pytest.raises(TooLargeError, match="GiB"):
        simulate.wishart(10**5, rng)
    with pytest.raises(TooLargeError):
        simulate.random_input(10**12, rng)
    inst = simulate.sample_network(MLP(2, "tanh", widths=(3, 4, 5)), rng=rng)
    assert inst.widths == (3, 4, 5)


@pytest.mark.parametrize("call", [
    lambda: MLP(2, "tanh").q_star(dps=10**6),
    lambda: gaussian_expectation(abs, 1, dps=10**6),
    lambda: get_activation("tanh").dphi2_moments(1.0, 10**6),
    lambda: MLP(2, "tanh").d2_moments(10**6),
    lambda: mp_moments(10**6, 1),
    lambda: conjugate_kernel_moments(10**6, [1], 0),
    lambda: critical_line("erf", np.zeros(10**6)),
    lambda: verify.moments([], None, lambda n, rng: {}, widths=[10], trials=10**6),
    lambda: verify.check_fim_spectrum(MLP(2, "relu"), widths=[10**6]),
    lambda: verify.check_jacobian_spectrum(MLP(2, "relu"), depths=[10**6]),
    lambda: verify.spectrum(MarchenkoPastur(rate=0.5), [1.0], n_grid=10**7),
    lambda: MLP(2, "relu").ntk_predict(np.eye(2), [1.0, 2.0], np.zeros(10**6)),
])
def test_huge_sizes_rejected_before_work(call):
    with pytest.raises(TooLargeError):
        call()


# ---------------------------------------------------------------------------
# 3. types: InvalidArgumentTypeError naming the parameter
# ---------------------------------------------------------------------------


_TYPE_CASES = [
    ("depth", lambda: MLP("3", "tanh")),
    ("depth", lambda: MLP(2.0, "tanh")),
    ("sigma_w", lambda: MLP(2, "tanh", sigma_w="1")),
    ("sigma_b", lambda: MLP(2, "tanh", sigma_b=[0.1])),
    ("init", lambda: MLP(2, "tanh", init=None)),
    ("jacobian_convention", lambda: MLP(2, "tanh", jacobian_convention=1)),
    ("widths", lambda: MLP(2, "tanh", widths=5)),
    ("widths[1]", lambda: MLP(2, "tanh", widths=(3, 4.0, 5))),
    ("activation", lambda: MLP(2, 3)),
    ("activation", lambda: get_activation(None)),
    ("slope", lambda: get_activation("leaky_relu", slope="a")),
    ("q", lambda: MLP(2, "tanh").q_map("1")),
    ("q_in", lambda: MLP(2, "tanh").q_sequence(None)),
    ("q_in", lambda: MLP(2, "tanh").q_star(q_in="1")),
    ("dps", lambda: MLP(2, "tanh").q_star(dps=2.5)),
    ("c", lambda: MLP(2, "tanh").c_map("0.5", q=1.0)),
    ("tol", lambda: MLP(2, "tanh").phase(tol="x")),
    ("n", lambda: MLP(2, "tanh").d2_moments(2.0)),
    ("layer", lambda: MLP(2, "tanh").d2_moments(2, layer="1")),
    ("T", lambda: MLP(2, "tanh").fim_meanfield(2.0)),
    ("M", lambda: MLP(2, "tanh").fim_meanfield(2, M="10")),
    ("q_in_st", lambda: MLP(2, "tanh").fim_meanfield(2, q_in_st="0")),
    ("net", lambda: freealg.dnn.meanfield.q_star("net")),
    ("X", lambda: MLP(2, "tanh").nngp_kernel("abc")),
    ("X", lambda: MLP(2, "tanh").ntk_kernel([["a", "b"]])),
    ("noise", lambda: MLP(2, "tanh").nngp_posterior(np.eye(2), [1.0, 2.0], np.eye(2), noise="0")),
    ("eta", lambda: MLP(2, "tanh").ntk_predict(np.eye(2), [1.0, 2.0], 1.0, eta="1")),
    ("t", lambda: MLP(2, "tanh").ntk_predict(np.eye(2), [1.0, 2.0], "1")),
    ("n", lambda: MLP(3, "tanh").conjugate_kernel_moments(2.0, gammas=1)),
    ("sigma_b", lambda: critical_sigma_w("tanh", "0")),
    ("sigma_b", lambda: critical_line("tanh", "0")),
    ("n", lambda: conjugate_kernel_moments("3", [1], 0)),
    ("gammas[0]", lambda: conjugate_kernel_moments(3, ["1"], 0)),
    ("gamma", lambda: mp_moments(3, "1")),
    ("f", lambda: gaussian_expectation(3, 1.0)),
    ("q", lambda: gaussian_expectation(abs, "1")),
    ("breakpoints", lambda: gaussian_expectation(abs, 1.0, breakpoints=0)),
    ("which", lambda: get_activation("tanh").gaussian_expectation(2, 1.0)),
    ("q", lambda: get_activation("tanh").gaussian_expectation_np("phi", "x")),
    ("s12", lambda: get_activation("tanh").gaussian_expectation_2d("phi", 1.0, "x", 1.0)),
    ("rng", lambda: simulate.haar_orthogonal(3, 0)),
    ("n", lambda: simulate.haar_orthogonal(3.0, np.random.default_rng(0))),
    ("variance", lambda: simulate.ginibre(3, np.random.default_rng(0), variance="1")),
    ("field", lambda: simulate.wigner(3, np.random.default_rng(0), field=1)),
    ("q0", lambda: simulate.random_input(3, np.random.default_rng(0), q0=None)),
    ("width", lambda: simulate.sample_network(MLP(2, "tanh"), "3", np.random.default_rng(0))),
    ("rng", lambda: verify.moments([], None, lambda n, rng: {}, rng="preactivation")),
    ("sampler", lambda: verify.moments([], None, 3)),
    ("widths", lambda: verify.moments([], None, lambda n, rng: {}, widths=10)),
    ("trials", lambda: verify.moments([], None, lambda n, rng: {}, widths=[10], trials=2.5)),
    ("n_moments", lambda: verify.spectrum(MarchenkoPastur(rate=0.5), [1.0], n_moments="4")),
    ("law", lambda: verify.spectrum(None, [1.0])),
    ("samples", lambda: verify.spectrum(MarchenkoPastur(rate=0.5), None)),
    ("dps", lambda: gaussian_expectation(abs, 1.0, dps=None)),
    ("sigma_w", lambda: free_model(MLP(2, "relu"), sigma_w="a")),
    ("q0", lambda: verify.check_fim_spectrum(MLP(2, "relu"), q0="1")),
    ("depths", lambda: verify.check_jacobian_spectrum(MLP(2, "relu"), depths=3)),
    ("net", lambda: verify.check_fim_spectrum(object())),
]


@pytest.mark.parametrize("name,call", _TYPE_CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(_TYPE_CASES)])
def test_wrong_types_name_the_parameter(name, call):
    with pytest.raises(InvalidArgumentTypeError) as info:
        call()
    assert isinstance(info.value, TypeError) and isinstance(info.value, FreealgError)
    assert name in str(info.value)


def test_plot_argument_types():
    pytest.importorskip("matplotlib")
    from freealg import plot

    class Law:
        def density(self, x):
            return np.ones_like(x)

        def atoms(self):
            return []

        def support(self):
            return [(0.0, 1.0)]

    cases = [
        ("bins", lambda: plot.plot_density(Law(), bins=2.5)),
        ("x", lambda: plot.plot_density(Law(), x="abc")),
        ("show_atoms", lambda: plot.plot_density(Law(), show_atoms="yes")),
        ("ax", lambda: plot.plot_density(Law(), ax=3)),
        ("color", lambda: plot.plot_density(Law(), color="notacolor")),
        ("obj", lambda: plot.plot_density(None)),
        ("results", lambda: plot.plot_spectra_across_depths([Law()])),
        ("sigma_b", lambda: plot.plot_phase_diagram("a", [1.0])),
        ("path", lambda: plot.savefig(None, 3)),
    ]
    for name, call in cases:
        with pytest.raises(InvalidArgumentTypeError, match=name):
            call()
    with pytest.raises(InvalidArgumentError, match="no finite entry"):
        plot.plot_phase_diagram([0.5], [float("nan")])


def test_bad_values_still_value_errors():
    # a wrong value (not type) stays an InvalidArgumentError that is not a TypeError
    with pytest.raises(InvalidArgumentError) as info:
        MLP(0, "tanh")
    assert not isinstance(info.value, TypeError)
    with pytest.raises(InvalidArgumentError, match="seed >= 0|>= 0"):
        verify.moments([], None, lambda n, rng: {}, rng=-1)


# ---------------------------------------------------------------------------
# 4. random state
# ---------------------------------------------------------------------------


def test_global_random_state_untouched():
    np.random.seed(12345)
    random.seed(6789)
    np_state = np.random.get_state()
    py_state = random.getstate()
    net = MLP(2, "relu", init="gaussian", sigma_w=2 ** 0.5)
    inst = simulate.sample_network(net, 20, np.random.default_rng(1))
    inst.fim_one_sample(simulate.random_input(20, np.random.default_rng(2)))
    simulate.wigner(10, np.random.default_rng(3))
    from freealg import FreeModel, nc_symbols, tr

    X = nc_symbols("X")
    verify.moments(tr(X * X.T), FreeModel().ginibre(X),
                   lambda n, rng: {"X": simulate.ginibre(n, rng)}, widths=[4, 8], trials=3)
    verify.check_fim_spectrum(net, widths=[8, 16], trials=2, n_moments=2)
    after_np = np.random.get_state()
    assert after_np[0] == np_state[0]
    assert np.array_equal(after_np[1], np_state[1]) and after_np[2:] == np_state[2:]
    assert random.getstate() == py_state
    # and the calls are reproducible from their own seeds
    a = verify.moments(tr(X * X.T), FreeModel().ginibre(X),
                       lambda n, rng: {"X": simulate.ginibre(n, rng)}, widths=[4, 8], trials=3, rng=5)
    b = verify.moments(tr(X * X.T), FreeModel().ginibre(X),
                       lambda n, rng: {"X": simulate.ginibre(n, rng)}, widths=[4, 8], trials=3, rng=5)
    assert [r["mean"] for r in a.rows] == [r["mean"] for r in b.rows]


def test_replace_depth_refuses_unequal_widths():
    # a new depth silently dropped explicit unequal widths (the copy had equal widths)
    import freealg
    from freealg.errors import InvalidArgumentError

    net = freealg.MLP(3, "relu", widths=[10, 20, 30, 40])
    with pytest.raises(InvalidArgumentError, match="unequal widths"):
        net.replace(depth=4)
    assert net.replace(depth=4, widths=[10, 20, 30, 40, 50]).widths == (10, 20, 30, 40, 50)
    assert net.replace(sigma_w=2).widths == (10, 20, 30, 40)
    assert freealg.MLP(3, "relu", widths=[8] * 4).replace(depth=5).depth == 5
