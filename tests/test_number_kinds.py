"""Number kinds (issue 11): exact input stays exact, a float stays a float, a
symbol stays a symbol; a float is never replaced by a nearby decimal fraction.

Independent truth for a float law: the exact law at the float's exact binary
value ``sympy.Rational(x)`` (exact moments, exact edges and atoms, mpmath at 50
digits for ``cauchy``/``density``), and the exact law at the decimal the user
meant (``3/10``), which differs from the float by ~1e-16 relative.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from sympy import Rational as R

import freealg
from freealg import (
    Arcsine,
    Atomic,
    Bernoulli,
    FussCatalan,
    MarchenkoPastur,
    PointMass,
    Semicircle,
)
from freealg.errors import InvalidArgumentError

REL = 1e-13

# (constructor, float parameters, the decimals they stand for, real points for
# density, complex points for cauchy)
CASES = [
    (PointMass, (0.3,), (R(3, 10),), [0.0, 1.0], [1j, 2 + 0.5j]),
    (Bernoulli, (0.3,), (R(3, 10),), [0.5, 2.0], [1j, 0.5 + 0.1j]),
    (Semicircle, (0.1, 2.7), (R(1, 10), R(27, 10)), [-1.3, 0.2, 2.9], [1j, 3 + 0.2j]),
    (MarchenkoPastur, (0.3, 1.7), (R(3, 10), R(17, 10)), [0.5, 1.1, 3.3], [1j, 2 + 0.1j]),
    (MarchenkoPastur, (2.6,), (R(26, 10),), [0.5, 3.3, 7.1], [1j, 2 + 0.1j]),
    (Arcsine, (-0.7, 1.9), (R(-7, 10), R(19, 10)), [-0.2, 0.6, 1.8], [1j, 2.5 + 0.1j]),
]
IDS = [f"{c.__name__}{p}" for c, p, *_ in CASES]


def _close(got, want, rel=REL):
    want = complex(want)
    return abs(complex(got) - want) <= rel * max(abs(want), 1e-300)


@pytest.mark.parametrize("cls, fl, dec, xs, zs", CASES, ids=IDS)
def test_float_law_returns_floats_matching_the_exact_law(cls, fl, dec, xs, zs):
    law = cls(*fl)
    binary = cls(*[R(v) for v in fl])        # the exact law at the floats' binary values
    meant = cls(*dec)                        # the exact law at the decimals
    assert not binary._float and not meant._float and law._float
    for name in ("moments", "free_cumulants"):
        got = getattr(law, name)(6)
        assert all(type(v) is float for v in got), (name, got)
        for g, b, m in zip(got, getattr(binary, name)(6), getattr(meant, name)(6)):
            assert g == float(b)                 # correctly rounded from the exact value
            assert _close(g, sympy.N(m, 30)) or abs(g - float(m)) <= 1e-15
    for name in ("mean", "variance"):
        got = getattr(law, name)()
        assert type(got) is float and got == float(getattr(binary, name)())
    for name in ("support", "atoms"):
        got, want = getattr(law, name)(), getattr(binary, name)()
        assert len(got) == len(want)
        for gp, wp in zip(got, want):
            assert all(type(v) is float for v in gp), (name, got)
            assert all(_close(g, sympy.N(w, 30)) or g == w == 0 for g, w in zip(gp, wp))
    # cauchy and density (closed forms) against the exact law in mpmath at 50 digits
    g = law.cauchy(np.array(zs))
    assert g.dtype == complex
    gw = binary.cauchy(np.array(zs, dtype=object), dps=50)
    assert all(_close(a, b) for a, b in zip(g, gw))
    d = law.density(np.array(xs)).density
    assert d.dtype == float
    dw = binary.density(np.array(xs, dtype=object), dps=50).density_mp
    assert all(_close(a, b) or a == b == 0 for a, b in zip(d, dw))


@pytest.mark.parametrize("cls, fl, dec, xs, zs", CASES, ids=IDS)
def test_float_law_repr_shows_the_float_and_round_trips(cls, fl, dec, xs, zs):
    law = cls(*fl)
    text = repr(law)
    for v in fl:
        assert repr(v) in text
    assert "Rational" not in text
    ns = dict(vars(freealg))
    ns.update(vars(sympy))
    back = eval(text, ns)  # noqa: S307 - our own repr
    assert back == law and back._float
    # the exact law keeps its exact repr, and is a different law
    assert "Rational" in repr(cls(*dec)) and cls(*dec) != law


@pytest.mark.parametrize("cls, fl, dec, xs, zs", CASES, ids=IDS)
def test_float_law_curve_only_with_exact_true(cls, fl, dec, xs, zs):
    law = cls(*fl)
    with pytest.raises(InvalidArgumentError, match=r"curve\(exact=True\)"):
        law.curve()
    c = law.curve(exact=True)
    want = cls(*[R(v) for v in fl]).curve()   # the dyadic values, not the decimals
    assert c == want
    assert c.polynomial == want.polynomial
    if any(R(v) != d for v, d in zip(fl, dec)):
        assert c.polynomial != cls(*dec).curve().polynomial
    # the curve's exact moments are those of the binary values
    assert c.moments(3) == cls(*[R(v) for v in fl]).moments(3)


def test_exact_dyadic_value_is_the_floats_binary_value():
    assert MarchenkoPastur(0.3)._params["rate"] == R(5404319552844595, 2**54)
    assert MarchenkoPastur(0.5).curve(exact=True) == MarchenkoPastur(R(1, 2)).curve()
    # a sympy Float is a float too
    assert repr(MarchenkoPastur(sympy.Float(0.3))) == "MarchenkoPastur(rate=0.3, jump=1)"


def test_the_motivating_example():
    law = freealg.MarchenkoPastur(0.3)
    assert repr(law) == "MarchenkoPastur(rate=0.3, jump=1)"
    ((lo, hi),) = law.support()
    assert type(lo) is float and type(hi) is float
    with mpmath.workdps(40):
        lam = mpmath.mpf(0.3)
        assert lo == float((1 - mpmath.sqrt(lam)) ** 2) and hi == float((1 + mpmath.sqrt(lam)) ** 2)
    assert law.atoms() == [(0.0, float(1 - R(0.3)))]


def test_exact_and_symbolic_parameters_keep_their_kind():
    assert MarchenkoPastur(R(3, 10)).support() == [((1 - sympy.sqrt(30) / 10) ** 2,
                                                    (1 + sympy.sqrt(30) / 10) ** 2)]
    assert MarchenkoPastur(R(3, 10)).moments(2) == [R(3, 10), R(39, 100)]
    assert Semicircle(0, sympy.sqrt(2)).moments(2) == [0, sympy.sqrt(2)]
    x = sympy.Symbol("x")
    law = Semicircle(x, 0.3)                     # a symbol stays a symbol, the float a float
    m = law.moments(3)
    assert m[0] == x and m[1] == x**2 + sympy.Float(0.3)
    assert all(f.is_Float for f in m[2].atoms(sympy.Number) if not f.is_Integer)
    assert "Rational" not in repr(law) and "0.3" in repr(law)
    assert FussCatalan(2).moments(3) == [1, 3, 12]


def test_float_transforms_are_float_expressions():
    S = MarchenkoPastur(0.3).s_transform()
    assert S == 1 / (sympy.Symbol("w") + sympy.Float(0.3))
    # sqrt stays a square root (exponents keep their kind)
    S = Semicircle(0.1, 2.0).s_transform()
    assert S.has(sympy.sqrt(sympy.Symbol("w") * 800 + 1).func) and not S.has(sympy.Float(0.5))
    # numeric w: the same numbers as the exact law at the binary values
    w = 0.2
    assert _close(Semicircle(0.1, 2.0).s_transform(w), Semicircle(R(0.1), 2).s_transform(w))


def test_atomic_float_weights():
    law = Atomic([0, 1, 2], [0.1, 0.2, 0.7])      # sums to 1 only up to rounding
    assert repr(law) == "Atomic(points=[0.0, 1.0, 2.0], weights=[0.1, 0.2, 0.7])"
    assert all(type(v) is float for v in law.moments(3))
    assert law.moments(1)[0] == pytest.approx(1.6, rel=1e-15, abs=0)
    with pytest.raises(freealg.errors.InvalidLawError, match=r"sum 1\.1"):
        Atomic([0, 1], [0.5, 0.6])


def test_affine_image_of_a_float_law_is_a_float_law():
    img = PointMass(0.5).affine(1, 2)
    assert repr(img) == "PointMass(a=2.0)" and img.atoms() == [(2.0, 1.0)]
    img = Bernoulli(0.3).affine(1, 2)
    assert img._float and all(type(v) is float for v in img.moments(2))


# --------------------------------------------------------------------------- network laws


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
def test_jacobian_law_from_float_sigmas_gives_float_moments(init):
    net_f = freealg.MLP(3, "relu", init, sigma_w=1.3, sigma_b=0.1)
    net_e = freealg.MLP(3, "relu", init, sigma_w=R(13, 10), sigma_b=R(1, 10))
    lf, le = net_f.jacobian_law(), net_e.jacobian_law()
    mf, me = lf.moments(6), le.moments(6)
    assert all(type(v) is float for v in mf)
    assert all(isinstance(v, sympy.Rational) for v in me)
    for a, b in zip(mf, me):
        assert abs(a - float(b)) <= 1e-12 * abs(float(b))
    assert type(lf.variance()) is float
    assert lf.variance() == pytest.approx(float(le.variance()), rel=1e-12, abs=0)
    assert lf.variance_closed_form() == pytest.approx(float(le.variance_closed_form()), rel=1e-12)
    for (a, m), (ae, me_) in zip(lf.atoms(), le.atoms()):
        assert type(a) is float and type(m) is float
        assert a == pytest.approx(float(ae), rel=1e-12, abs=1e-300) and m == float(me_)
    assert repr(lf.weight_law).count("1.69") == 1


def test_jacobian_law_float_moments_are_the_binary_values_rounded_once():
    # a float σ_w is the law at σ_w's binary value: the exact law at sympy.Rational(σ_w)
    sw = 1.3
    lf = freealg.MLP(2, "relu", "gaussian", sigma_w=sw).jacobian_law()
    s2 = R(sw * sw)                              # the float σ_w**2, exactly
    mp = MarchenkoPastur(1, s2)
    exact = freealg.jacobian_curve(2, Bernoulli(R(1, 2)), sigma_w=sympy.sqrt(s2))
    want = exact.moments(5)
    assert lf.moments(5) == pytest.approx([float(v) for v in want], rel=1e-15, abs=0)
    assert mp.moments(1)[0] == s2


def test_jacobian_curve_of_float_data_only_on_request():
    net = freealg.MLP(3, "relu", "orthogonal", sigma_w=1.5)
    law = net.jacobian_law()
    with pytest.raises(InvalidArgumentError, match=r"curve\(exact=True\)"):
        law.curve()
    c = law.curve(exact=True)
    exact = freealg.MLP(3, "relu", "orthogonal", sigma_w=R(3, 2)).jacobian_law().curve()
    assert c == exact
    with pytest.raises(InvalidArgumentError, match="exact=True"):
        freealg.jacobian_curve(2, Bernoulli(R(1, 2)), sigma_w=1.5, weights="orthogonal")
    with pytest.raises(InvalidArgumentError, match="exact=True"):
        freealg.jacobian_curve(2, Bernoulli(0.25), sigma_w=1, weights="orthogonal")
    c2 = freealg.jacobian_curve(2, Bernoulli(0.3), sigma_w=1.5, weights="orthogonal", exact=True)
    assert c2 == freealg.jacobian_curve(2, Bernoulli(R(0.3)), sigma_w=R(3, 2), weights="orthogonal")


def test_weight_law_and_activation_law_keep_the_float_kind():
    assert repr(freealg.weight_law("orthogonal", 1.5)) == "PointMass(a=2.25)"
    assert freealg.weight_law("orthogonal", R(3, 2)) == PointMass(R(9, 4))
    nu = freealg.activation_derivative_law("hardtanh", 2.0)
    assert isinstance(nu, Bernoulli) and type(nu.p) is float
    assert nu.p == pytest.approx(math.erf(1 / math.sqrt(2 * 2.0)), rel=1e-15)
    assert freealg.activation_derivative_law("hardtanh", 2) == Bernoulli(sympy.erf(R(1, 2)))
    assert freealg.activation_derivative_law("relu", 2.0) == Bernoulli(R(1, 2))


def test_fisher_law_from_float_sigmas_gives_float_moments():
    net_f = freealg.MLP(3, "relu", sigma_w=1.3, sigma_b=0.1)
    net_e = freealg.MLP(3, "relu", sigma_w=R(13, 10), sigma_b=R(1, 10))
    lf, le = net_f.fim_law(q_in=1), net_e.fim_law(q_in=1)
    mf, me = lf.moments(5), le.moments(5)
    assert all(type(v) is float for v in mf)
    for a, b in zip(mf, me):
        assert abs(a - float(b)) <= 1e-12 * abs(float(b))
    at = lf.atoms()
    assert all(type(a) is float and type(m) is float for a, m in at)
    assert [(pytest.approx(float(a), rel=1e-12), float(m)) for a, m in le.atoms()] == at
    with pytest.raises(InvalidArgumentError, match=r"curve\(exact=True\)"):
        lf.curve()
    assert lf.curve(exact=True).moments(2) == pytest.approx([float(v) for v in me[:2]], rel=1e-12)


def test_hardtanh_critical_line_with_float_sigmas_is_certified():
    # the path of /tmp/crit.py at a small depth: float σ's, orthogonal weights
    sw = float(freealg.critical_sigma_w("hardtanh", sigma_b=0.05))
    law = freealg.MLP(6, "hardtanh", sigma_w=sw, sigma_b=0.05, init="orthogonal").jacobian_law()
    assert all(type(v) is float for v in law.moments(4))
    assert all(type(a) is float and type(m) is float for a, m in law.atoms())
    ((lo, hi),) = law.support()
    r = law.density(np.linspace(lo, hi * 1.05, 60))
    assert r.evidence.ok


def test_cli_spectrum_of_float_sigmas_labels_the_binary_curve(capsys):
    import json

    from freealg.cli import main

    assert main(["spectrum", "--depth", "2", "--sigma-w", "1.5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "--exact-curve" in data["curve"] and "curve_note" not in data   # not unasked
    assert main(["spectrum", "--depth", "2", "--sigma-w", "1.5", "--exact-curve", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "binary values" in data["curve_note"]
    assert main(["spectrum", "--depth", "2", "--sigma-w", "3/2", "--json"]) == 0
    exact = json.loads(capsys.readouterr().out)
    assert "curve_note" not in exact
    assert data["curve"] == exact["curve"]          # 1.5 is exactly 3/2


def test_curve_operations_on_float_laws_name_the_exact_option():
    with pytest.raises(InvalidArgumentError, match=r"law\.curve\(exact=True\)\.invert\(\)"):
        MarchenkoPastur(2.5).invert()
    with pytest.raises(InvalidArgumentError, match=r"law\.curve\(exact=True\)\.affine"):
        MarchenkoPastur(0.3).affine(1, 2)
    with pytest.raises(InvalidArgumentError, match=r"curve\(exact=True\)"):
        freealg.free_add(MarchenkoPastur(0.3), Semicircle())
    # asked for explicitly, the binary values are used
    c = freealg.free_add(MarchenkoPastur(0.5).curve(exact=True), Semicircle())
    assert c == freealg.free_add(MarchenkoPastur(R(1, 2)), Semicircle())
    assert MarchenkoPastur(2.5).curve(exact=True).invert() == MarchenkoPastur(R(5, 2)).curve().invert()
    # closed-form affine images stay float laws
    img = Semicircle(0.5, 2.0).affine(1, 2)
    assert img._float and repr(img) == "Semicircle(mean=2.0, variance=8.0)"
    # an exact curve takes no float shift or scale (it would be made rational)
    with pytest.raises(InvalidArgumentError, match=r"sympy\.Rational\(0\.3\)"):
        Semicircle().curve().affine(0.3, 1)
    assert Semicircle().curve().affine(R(0.5), 2) == Semicircle(R(1, 2), 4).curve()


def test_transforms_keep_the_kind_of_the_point():
    # an exact law at an exact point (a Python int too) gives an exact value, as
    # r_transform did; S used to turn the int into a complex float. A float point
    # gives a Python complex for both transforms (R gave a sympy Float).
    import sympy

    import freealg

    mp = freealg.MarchenkoPastur(2)  # S(w) = 1/(2 + w), R(w) = 2/(1 - w)
    assert mp.s_transform(1) == sympy.Rational(1, 3) and isinstance(mp.s_transform(1), sympy.Rational)
    assert mp.r_transform(sympy.Rational(1, 4)) == sympy.Rational(8, 3)
    assert isinstance(mp.r_transform(0.25), complex) and abs(mp.r_transform(0.25) - 8 / 3) < 1e-15
    assert isinstance(mp.s_transform(0.5), complex) and abs(mp.s_transform(0.5) - 0.4) < 1e-15
    # a float law stays in floats at an int point
    f = freealg.MarchenkoPastur(0.3)
    assert isinstance(f.s_transform(1), complex) and abs(f.s_transform(1) - 1 / 1.3) < 1e-15
