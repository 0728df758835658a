"""One return type per method across every law class (issue 13): an instance
of every law class, each method's return type, and the relations between the
methods (``pdf(x) == density(x).density``, ``mean() == moments(1)[0]``,
``var() == m_2 − m_1²``, the kinds of ``support()``/``atoms()``)."""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
import pytest
import sympy

import freealg as fa
from freealg.density.result import DensityResult
from freealg._utils.mpctx import mpmath
from freealg.dnn.ck_law import conjugate_kernel_law
from freealg.dnn.depth_limit import depth_limit_law
from freealg.functional import free_mul_law

R = sympy.Rational

# (name, factory, kind of support()/atoms()): "exact" (named law, exact
# parameters: closed-form edges and atoms), "float" (float parameters or a
# quadrature law: Python floats), "located" (edges found numerically: Python
# floats; atoms exact when the law has exact parameters, e.g. Belinschi's
# masses of a ⊠-product or the exact atoms of a rational curve)
LAWS = [
    ("Semicircle", lambda: fa.Semicircle(0, 1), "exact"),
    ("Semicircle-float", lambda: fa.Semicircle(0.5, 1.5), "float"),
    ("MarchenkoPastur", lambda: fa.MarchenkoPastur(R(1, 2)), "exact"),
    ("MarchenkoPastur-float", lambda: fa.MarchenkoPastur(0.5), "float"),
    ("PointMass", lambda: fa.PointMass(3), "exact"),
    ("Atomic", lambda: fa.Atomic([0, 2], [R(1, 4), R(3, 4)]), "exact"),
    ("Bernoulli", lambda: fa.Bernoulli(R(1, 4)), "exact"),
    ("Bernoulli-float", lambda: fa.Bernoulli(0.25), "float"),
    ("FussCatalan", lambda: fa.FussCatalan(2), "exact"),
    ("Arcsine", lambda: fa.Arcsine(-2, 2), "exact"),
    ("ActivationDerivativeLaw", lambda: fa.activation_derivative_law("tanh", 1, dps=15), "float"),
    ("SpectralCurve", lambda: fa.MarchenkoPastur(R(1, 2)).curve(), "located"),
    ("FreeMulLaw", lambda: free_mul_law([fa.MarchenkoPastur(1)], [2]), "located"),
    ("FreeMulLaw-atoms", lambda: free_mul_law([fa.Bernoulli(Fraction(3, 5)), fa.MarchenkoPastur(1)]), "located"),
    ("JacobianLaw", lambda: fa.MLP(3, "hardtanh", sigma_w=1.2, sigma_b=0.05).jacobian_law(), "float"),
    ("FisherLaw", lambda: fa.MLP(3, "relu", sigma_w=2 ** 0.5).fim_law(), "float"),
    ("ConjugateKernelLaw", lambda: conjugate_kernel_law([Fraction(1, 2)] * 2, Fraction(1, 2)), "located"),
    ("DepthLimitLaw", lambda: depth_limit_law(jumps=[(0, 1)]), "located"),
]


def _is_exact(v):
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool) or (
        isinstance(v, sympy.Basic) and v.is_number and not v.has(sympy.Float))


def _is_number(v):
    return (_is_exact(v) or type(v) is float or isinstance(v, mpmath.mpf)
            or (isinstance(v, sympy.Basic) and v.is_number))


@pytest.fixture(scope="module", params=LAWS, ids=[n for n, *_ in LAWS])
def case(request):
    name, make, kind = request.param
    return name, make(), kind


def test_density_is_a_density_result_and_pdf_its_values(case):
    name, law, _ = case
    pts = [float(a) for iv in law.support() for a in iv] + [float(a) for a, _ in law.atoms()]
    lo, hi = min(pts), max(pts)
    # inside the support (and at an atom when there is one) and outside
    x = np.unique(np.concatenate([np.linspace(lo, hi, 7)[1:-1], [hi + 1.0],
                                  [float(a) for a, _ in law.atoms()]]))
    res = law.density(x)
    assert type(res) is DensityResult, name
    assert isinstance(res.density, np.ndarray) and res.density.dtype == float
    assert res.density.shape == x.shape and res.at_atom.shape == x.shape
    assert res.evidence.ok, res.evidence.summary()
    pdf = law.pdf(x)
    assert isinstance(pdf, np.ndarray) and pdf.dtype == float
    # nan exactly at the atom points, the same values everywhere else
    assert np.array_equal(np.isnan(pdf), res.at_atom)
    assert np.array_equal(pdf[~res.at_atom], res.density[~res.at_atom])
    assert type(law.pdf(float(x[0]))) is float
    # outside the closed support: 0
    assert res.density[x == hi + 1.0][0] == 0.0


def test_support_atoms_kinds(case):
    name, law, kind = case
    sup, ats = law.support(), law.atoms()
    assert isinstance(sup, list) and isinstance(ats, list)
    for pair in sup + ats:
        assert isinstance(pair, tuple) and len(pair) == 2
    for which, pairs in (("support", sup), ("atoms", ats)):
        for v in (u for pair in pairs for u in pair):
            if kind == "exact":
                assert _is_exact(v), (name, which, v, type(v))
            elif kind == "float" or which == "support":
                assert type(v) is float, (name, which, v, type(v))
            else:
                assert _is_exact(v) or type(v) is float, (name, which, v, type(v))
        if kind == "located" and which == "atoms" and pairs:
            # one kind per law: all exact or all floats
            assert len({_is_exact(u) for pair in pairs for u in pair}) == 1, (name, pairs)
    for a, b in sup:
        assert float(a) < float(b)
    mass = sum(float(m) for _, m in ats)
    assert 0 <= mass <= 1 + 1e-12


def test_moments_mean_var(case):
    name, law, kind = case
    ms = law.moments(2)
    assert isinstance(ms, list) and len(ms) == 2 and all(_is_number(v) for v in ms), (name, ms)
    m1, m2 = ms
    assert law.mean() == m1
    v = law.var()
    assert _is_number(v)
    if kind == "exact":  # exact in, exact out: the identity holds exactly
        assert _is_exact(v) and sympy.simplify(v - (m2 - m1 ** 2)) == 0
    else:
        assert abs(float(v) - float(m2 - m1 * m1)) <= 1e-12 * max(1.0, abs(float(m2)))
    # the variance agrees with the density's mass picture: m_1 inside the hull
    pts = [float(a) for iv in law.support() for a in iv] + [float(a) for a, _ in law.atoms()]
    assert min(pts) - 1e-9 <= float(m1) <= max(pts) + 1e-9


def test_closed_form_evidence_is_a_second_formula():
    # the error bound of a closed form is its distance to -Im G(x + i0)/pi,
    # checked here against 40-digit mpmath of the same law (independent truth)
    law = fa.MarchenkoPastur(R(1, 3))
    x = np.linspace(0.05, 2.2, 40)
    res = law.density(x)
    ref = law.density(x, dps=40).density_mp
    for k in range(x.size):
        assert abs(res.density[k] - float(ref[k])) <= res.error[k] + 1e-300
    assert 0 < res.evidence.max_rel_error < 1e-13
    G = res.cauchy[np.isfinite(res.cauchy)]
    assert np.all(G.imag <= 0)


def test_density_mp_with_dps_and_pdf_float():
    law = fa.Semicircle(0, 1)
    res = law.density([0.0, 1.0], dps=40)
    with mpmath.workdps(40):
        assert abs(res.density_mp[0] - 1 / mpmath.pi) < mpmath.mpf(10) ** -38
        assert abs(res.density_mp[1] - mpmath.sqrt(3) / (2 * mpmath.pi)) < mpmath.mpf(10) ** -38
    # the floats are the mpmath values rounded once; pdf is the float formula
    assert res.density.dtype == float and res.density[0] == float(res.density_mp[0])
    assert abs(res.density[0] - law.pdf(0.0)) <= 4e-16 * res.density[0]


def test_closed_form_density_arguments_checked():
    from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError

    with pytest.raises(InvalidArgumentTypeError, match="strict"):
        fa.Semicircle().density([0.0], strict="no")
    with pytest.raises(InvalidArgumentError, match="x"):
        fa.Arcsine().density([0.0, float("nan")])


def test_cli_text_prints_exact_values_exactly(capsys):
    # an exact network (relu, sigma_w = 3/2): the table shows the exact moments
    # and atoms, not their floats; a float sigma_w shows floats
    from freealg.cli import main

    net = fa.MLP(2, "relu", sigma_w=Fraction(3, 2))
    law = net.jacobian_law()
    assert main(["spectrum", "--depth", "2", "--activation", "relu", "--sigma-w", "3/2"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("  ")[0]: line.split("  ", 1)[1].strip() for line in out.splitlines() if "  " in line}
    m = law.moments(2)
    assert rows["m_1"] == str(m[0]) and rows["m_2"] == str(m[1]) and "/" in rows["m_1"]
    assert rows["variance"] == str(law.variance())
    assert rows["atoms"] == "[" + ", ".join(f"[{a}, {w}]" for a, w in law.atoms()) + "]"
    assert main(["spectrum", "--depth", "2", "--activation", "relu", "--sigma-w", "1.5"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("  ")[0]: line.split("  ", 1)[1].strip() for line in out.splitlines() if "  " in line}
    assert rows["m_1"] == repr(float(m[0]))


def test_fuss_catalan_next_to_the_soft_edge_is_polished():
    # the float64 Haagerup-Moller formula loses ~1e-8 relative within 1e-7 of
    # the edge 27/4; density() sees the disagreement with -Im G/pi and polishes
    # in mpmath: every value within its bound of the 40-digit closed form
    law = fa.FussCatalan(2)
    x = 6.75 - np.array([6.0776631e-8, 1e-8, 1e-4, 0.0])
    res = law.density(x)
    ref = law.density(x, dps=40).density_mp
    assert res.evidence.ok and res.evidence.refined >= 1
    for k in range(x.size):
        assert abs(res.density[k] - float(ref[k])) <= res.error[k] + 1e-300, (x[k], res.density[k], ref[k])
    assert abs(res.cauchy[-1] - 2 / 9) < 1e-12  # G(27/4) = 2/9 (the limit from above at the edge)


def test_laws_and_curves_are_immutable():
    # a law is a value: rebinding a parameter would leave its caches and repr
    # describing another law, so public attributes are read-only after construction
    import freealg
    from freealg.errors import ImmutableLawError

    cases = [freealg.MarchenkoPastur(1), freealg.MarchenkoPastur(1).curve(),
             freealg.MLP(2, "relu").jacobian_law(),
             freealg.free_mul_law([freealg.MarchenkoPastur(1), freealg.MarchenkoPastur(1)])]
    for law in cases:
        before = repr(law)
        with pytest.raises(ImmutableLawError):
            law.rate = 5
        with pytest.raises(AttributeError):  # ImmutableLawError is an AttributeError too
            law.anything = 1
        assert repr(law) == before
    law = freealg.MarchenkoPastur(1)
    law.moments(4)  # private caches are still set by the law's own methods
    assert law.moments(3) == [1, 2, 5]  # MP(1): Catalan numbers


def test_moments_argument_checked_like_every_law():
    # FreeMulLaw and JacobianLaw had their own checks: a non-integer n was an
    # InvalidArgumentError, n = 0 was refused, and there was no upper bound
    import freealg
    from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

    for law in (freealg.free_mul_law([freealg.MarchenkoPastur(1)], powers=[2]),
                freealg.MLP(2, "relu").jacobian_law(), freealg.MarchenkoPastur(1)):
        assert law.moments(0) == []
        with pytest.raises(InvalidArgumentTypeError):
            law.moments(1.5)
        with pytest.raises(InvalidArgumentError):
            law.moments(-1)
        with pytest.raises(TooLargeError):
            law.moments(10**7)
    # MP ⊠ MP: Fuss–Catalan numbers 1, 3, 12
    assert freealg.free_mul_law([freealg.MarchenkoPastur(1)], powers=[2]).moments(3) == [1, 3, 12]
