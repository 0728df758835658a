"""Tests of the certified density engine for algebraic curves (freealg.density).

Independent truths used here: closed forms (semicircle, Marchenko-Pastur,
Bernoulli), the Haagerup-Moller parametrisation of MP^{⊠L} (docs/theory.md §2)
evaluated in mpmath, Fuss-Catalan moments, mpmath quadrature of a density
against 1/(z - x), and Belinschi's atom formula for free projections.
"""

from __future__ import annotations

import warnings
from math import comb

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import freealg
from freealg.density import (
    DensityResult,
    branch_cauchy,
    curve_atoms,
    curve_density,
    curve_support,
)
from freealg.errors import (
    BranchError,
    CertificationError,
    CertificationWarning,
    InvalidArgumentError,
)

z, G = sympy.symbols("z G")
SEMI = G**2 - z * G + 1  # semicircle, variance 1
MP1 = z * G**2 - z * G + 1  # Marchenko-Pastur, ratio 1


def mp_power(L):
    """MP^{⊠L}: S = (1 + w)^-L, w = zG - 1, chi(w) = 1/z."""
    return (z * G) ** (L + 1) - z * (z * G - 1)


def hm_reference(L, theta, dps=40):
    """(x, rho) of MP^{⊠L} from the Haagerup-Moller parametrisation in mpmath."""
    s = L + 1
    xs, rs = [], []
    with mpmath.workdps(dps):
        for t in theta:
            t = mpmath.mpf(t)
            x = mpmath.sin(s * t) ** s / (mpmath.sin(t) * mpmath.sin((s - 1) * t) ** (s - 1))
            r = mpmath.sin(t) ** 2 * mpmath.sin((s - 1) * t) ** (s - 2) / mpmath.sin(s * t) ** (s - 1) / mpmath.pi
            xs.append(x)
            rs.append(r)
    return xs, rs


def hm_bulk_check(L, density_fn, n=200):
    """Max relative error in the bulk (theta (L+1)/pi in [0.01, 0.99]) and at
    tiny x (theta close to pi/(L+1), down to x ~ 1e-300)."""
    s = L + 1
    theta = np.pi / s * np.linspace(0.01, 0.99, n)
    # tiny x: theta -> pi/s; x ~ (s (pi/s - theta))^s
    tiny = np.pi / s - np.array([1e-3, 1e-6, 1e-12]) * np.pi / s
    xs_mp, rs_mp = hm_reference(L, np.concatenate([theta, tiny]))
    x = np.array([float(v) for v in xs_mp])
    keep = x > 1e-300
    x = x[keep]
    rho = np.array([float(v) for v in rs_mp])[keep]
    # rho at the float x (not at the mp x): first-order correction
    dens = density_fn(x)
    return np.max(np.abs(dens / rho - 1)), x


# ---------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------


def test_semicircle_density_closed_form():
    x = np.linspace(-3, 3, 61)
    res = curve_density(SEMI, z, G, x)
    exact = np.where(np.abs(x) < 2, np.sqrt(np.clip(4 - x**2, 0, None)) / (2 * np.pi), 0.0)
    edge = np.abs(np.abs(x) - 2) < 1e-12
    assert np.max(np.abs(res.density - exact)[~edge]) < 1e-13
    # at the edges the value is a limit, good to its stated uncertainty
    assert np.all(np.abs(res.density - exact)[edge] <= res.error[edge])
    assert np.all(res.error[edge] < 1e-8)
    assert res.support == [(-2.0, 2.0)]
    assert res.atoms == []
    ev = res.evidence
    assert ev.ok and ev.im_sign_ok
    assert ev.mass_error < 1e-12
    # Catalan moments m_2k = Cat_k, odd ones 0
    assert ev.moments_exact[:6] == [0.0, 1.0, 0.0, 2.0, 0.0, 5.0]
    assert max(ev.moment_errors) < 1e-12


def test_semicircle_outside_support_is_exactly_zero():
    res = curve_density(SEMI, z, G, [2.5, -7.0, 100.0])
    assert list(res.density) == [0.0, 0.0, 0.0]
    assert list(res.error) == [0.0, 0.0, 0.0]


def test_mp_density_and_hard_edge():
    # MP(1): rho(x) = sqrt(x (4 - x)) / (2 pi x), infinite at 0
    x = np.array([0.0, 1e-12, 0.5, 1.0, 3.9, 4.0 + 1e-9, 5.0])
    res = curve_density(MP1, z, G, x)
    inner = (x > 0) & (x < 4)
    exact = np.sqrt(x[inner] * (4 - x[inner])) / (2 * np.pi * x[inner])
    assert np.max(np.abs(res.density[inner] / exact - 1)) < 1e-12
    assert res.density[0] == np.inf  # x^{-1/2} hard edge
    assert res.density[-1] == 0.0 and res.density[-2] == 0.0


@pytest.mark.parametrize("zz", [2j, 1 + 0.5j, -3 + 1e-3j, 4.5 + 1e-8j, 10 + 20j])
def test_branch_cauchy_mp_against_quadrature(zz):
    # G(z) = int rho(x) / (z - x) dx with the MP(1) density, in mpmath
    with mpmath.workdps(30):
        f = lambda t: mpmath.sqrt(t * (4 - t)) / (2 * mpmath.pi * t) / (zz - t)  # noqa: E731
        pts = sorted({0, 1, 2, 3, 4, min(max(zz.real, 0), 4)})
        ref = complex(mpmath.quad(f, pts))
    got = complex(branch_cauchy(MP1, z, G, [zz])[0])
    assert abs(got - ref) < 1e-12 * max(1, abs(ref))


@settings(max_examples=25, deadline=None)
@given(st.floats(-5, 5), st.floats(1e-6, 10))
def test_branch_cauchy_semicircle_property(xr, yi):
    zz = complex(xr, yi)
    exact = (zz - np.sqrt(zz - 2) * np.sqrt(zz + 2)) / 2  # principal roots: G ~ 1/z
    got = branch_cauchy(SEMI, z, G, [zz, zz.conjugate()])
    assert abs(got[0] - exact) <= 1e-12 * max(1.0, abs(exact))
    assert got[1] == np.conj(got[0])


def test_branch_cauchy_is_not_largest_imaginary_root():
    # MP ⊠ MP ⊠ MP at x = 2: physical Im G = -0.218..., the largest |Im| root is
    # -0.4367 + 0.5778i (the rule of the published tool)
    P = mp_power(3)
    g = complex(branch_cauchy(P, z, G, [2.0])[0])
    roots = np.roots([2.0**4, 0, 0, -(2.0**2), 2.0])
    largest = roots[np.argmax(np.abs(roots.imag))]
    assert abs(g - complex(0.4367045799029246, -0.2181594489485711)) < 1e-12
    assert abs(largest.imag) > 2 * abs(g.imag)
    # and the HM density agrees with the physical branch: rho = 0.06944...
    err, _ = hm_bulk_check(3, lambda x: curve_density(P, z, G, x).density, n=20)
    assert err < 1e-10


def test_branch_cauchy_mpmath_precision():
    vals = branch_cauchy(SEMI, z, G, [0.5 + 0.25j], dps=50)
    with mpmath.workdps(60):
        zz = mpmath.mpc(0.5, 0.25)
        exact = (zz - mpmath.sqrt(zz - 2) * mpmath.sqrt(zz + 2)) / 2
        assert abs(vals[0] - exact) < mpmath.mpf(10) ** -48


# ---------------------------------------------------------------------------
# MP^{⊠L} against Haagerup-Moller
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("L", [2, 3, 8])
def test_mp_power_against_haagerup_moller(L):
    P = mp_power(L)
    err, x = hm_bulk_check(L, lambda xx: curve_density(P, z, G, xx).density)
    assert err <= 1e-10
    assert x.min() < 1e-30  # the approach to 0 is covered
    res = curve_density(P, z, G, [1.0])
    ev = res.evidence
    # mass 1 including the x^{-L/(L+1)} part near 0 (contour detour there)
    assert ev.ok and ev.mass_error < 1e-10
    # exact moments from the series at infinity are Fuss-Catalan
    fc = [comb((L + 1) * n, n) / (L * n + 1) for n in range(1, 9)]
    assert ev.moments_exact == fc
    b = (L + 1) ** (L + 1) / L**L
    assert res.support == [(0.0, pytest.approx(b, rel=1e-14))]


@pytest.mark.slow
@pytest.mark.parametrize("L", [32, 128])
def test_mp_power_against_haagerup_moller_deep(L):
    P = mp_power(L)
    err, _ = hm_bulk_check(L, lambda xx: curve_density(P, z, G, xx).density)
    assert err <= 1e-10


def test_support_exact_and_atoms_exact():
    assert curve_support(mp_power(2), z, G, exact=True) == [(0, sympy.Rational(27, 4))]
    lam = sympy.Rational(1, 2)  # MP of rate 1/2: atom 1/2 at 0, bulk (1 -+ sqrt(lam))^2
    P = z * G**2 - (z + 1 - lam) * G + 1
    lo, hi = curve_support(P, z, G, exact=True)[0]
    assert sympy.simplify(lo - (1 - sympy.sqrt(lam)) ** 2) == 0
    assert sympy.simplify(hi - (1 + sympy.sqrt(lam)) ** 2) == 0
    assert curve_atoms(P, z, G) == [(0, lam)]
    p = sympy.Rational(2, 7)
    bern = z * (z - 1) * G - (z - 1 + p)
    assert curve_atoms(bern, z, G) == [(0, 1 - p), (1, p)]
    assert curve_support(bern, z, G) == []


def test_bernoulli_all_atoms_evidence():
    p = sympy.Rational(1, 3)
    res = curve_density(z * (z - 1) * G - (z - 1 + p), z, G, [-1.0, 0.5, 2.0])
    assert res.atoms == [(0.0, 2 / 3), (1.0, 1 / 3)]
    assert list(res.density) == [0.0, 0.0, 0.0]
    ev = res.evidence
    assert ev.ok and ev.mass_continuous == 0.0
    # residues of G at the atoms, extrapolated numerically
    for loc, mass, est, unc in ev.atom_checks:
        assert abs(est - mass) < 1e-9


def test_free_projections_curve_atoms_match_belinschi():
    # PQP for free projections of traces p, q: atom 1 - min(p, q) at 0 and
    # p + q - 1 at 1 when positive (Bernoulli(p) ⊠ Bernoulli(q)); here the
    # curve of Bern(p)^{⊠2}: z w (1 + w) = (p + w)^2, w = zG - 1
    p = sympy.Rational(3, 4)
    w = z * G - 1
    P = sympy.expand(z * w * (1 + w) - (p + w) ** 2)
    assert curve_atoms(P, z, G) == [(0, 1 - p), (1, 2 * p - 1)]
    res = curve_density(P, z, G, np.linspace(0.01, 0.99, 5))
    lam = float(2 * p - 2 * p * p)  # edges p+q-2pq -+ sqrt(4pq(1-p)(1-q)), p = q
    rad = float(sympy.sqrt(4 * p**4 * (1 - p) ** 2 / p**2))
    assert res.support == [(pytest.approx(lam - rad, abs=1e-14), pytest.approx(lam + rad, rel=1e-14))]
    assert res.evidence.ok


def test_dps_returns_mpmath_values():
    res = curve_density(SEMI, z, G, [0.3, 1.7], dps=40)
    assert len(res.density_mp) == 2
    with mpmath.workdps(45):
        for x, v in zip([0.3, 1.7], res.density_mp):
            exact = mpmath.sqrt(4 - mpmath.mpf(x) ** 2) / (2 * mpmath.pi)
            assert abs(v - exact) < mpmath.mpf(10) ** -38


# ---------------------------------------------------------------------------
# evidence and errors
# ---------------------------------------------------------------------------


def test_failed_check_raises_or_warns():
    wrong = [0, 1, 0, 2.5]  # m_4 of the semicircle is 2, not 2.5
    with pytest.raises(CertificationError, match="m_4"):
        curve_density(SEMI, z, G, [0.0], exact_moments=wrong)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = curve_density(SEMI, z, G, [0.0], exact_moments=wrong, strict=False)
    assert any(issubclass(r.category, CertificationWarning) for r in rec)
    assert isinstance(res, DensityResult)
    assert not res.evidence.ok and "m_4" in res.evidence.failures[0]
    assert abs(res.density[0] - 1 / np.pi) < 1e-14


def test_bad_input():
    a = sympy.Symbol("a")
    with pytest.raises(InvalidArgumentError, match="free symbols a"):
        curve_density(G**2 - a * z * G + 1, z, G, [0.0])
    with pytest.raises(BranchError, match="1/z"):
        curve_density(G**2 + 1, z, G, [0.0])
    with pytest.raises(InvalidArgumentError, match="not real"):
        curve_density(G**2 - sympy.I * z * G + 1, z, G, [0.0])
    with pytest.raises(InvalidArgumentError, match="finite"):
        curve_density(SEMI, z, G, [np.nan])
    with pytest.raises(InvalidArgumentError, match="dps"):
        curve_density(SEMI, z, G, [0.0], dps=5)
    with pytest.raises(InvalidArgumentError, match="leading coefficient"):
        branch_cauchy(MP1, z, G, [0.0])


def test_exports():
    assert freealg.curve_density is curve_density
    assert freealg.branch_cauchy is branch_cauchy
    assert "free_mul_law" in freealg.__all__


@pytest.mark.slow
def test_two_hidden_layer_fim_curve():
    # Hayase-Karakida FIM, two hidden layers, orthogonal weights, Bernoulli
    # nu's with alpha = (1/3, 3/4), sigma_w = 1, q = (1, 1, 1): atoms 1 - a2 at
    # q2, a2 - a1 at q2 + q1, a1 + a2 - 1 at q2 + q1 + q0; edges
    # q2 + q1 + q0 (a1 + a2 - 2 a1 a2 -+ 2 sqrt(a1 a2 (1 - a1)(1 - a2)))
    closed_forms = pytest.importorskip("freealg.closed_forms")
    a1, a2 = sympy.Rational(1, 3), sympy.Rational(3, 4)
    c = closed_forms.fim_two_layer_curve(alpha=(a1, a2), sigma_w=1, q=(1, 1, 1))
    P = c.polynomial
    zc, Gc = sympy.Symbol("z"), sympy.Symbol("G")
    P = P.subs({s: zc for s in P.free_symbols if s.name == "z"}).subs(
        {s: Gc for s in P.free_symbols if s.name == "G"})
    x = np.linspace(0.5, 3.5, 31)
    res = curve_density(P, zc, Gc, x)
    assert res.evidence.ok
    assert res.atoms_exact == [(1, 1 - a2), (2, a2 - a1), (3, a1 + a2 - 1)]
    r = 2 * sympy.sqrt(a1 * a2 * (1 - a1) * (1 - a2))
    lo, hi = curve_support(P, zc, Gc, exact=True)[0]
    assert sympy.simplify(lo - (2 + a1 + a2 - 2 * a1 * a2 - r)) == 0
    assert sympy.simplify(hi - (2 + a1 + a2 - 2 * a1 * a2 + r)) == 0
    # at the atoms the density is undefined (docs/density.md): nan, flagged, not a failure
    hit = np.isin(x, [1.0, 2.0, 3.0])
    assert res.at_atom.tolist() == hit.tolist() and np.all(np.isnan(res.density[hit]))
    assert not np.any(np.isnan(res.density[~hit]))
    assert [p[:2] for p in res.evidence.atom_points] == [(1.0, 0.25), (2.0, 5 / 12), (3.0, 1 / 12)]
    # and vanishes next to the atom at 1, outside the bulk
    assert list(curve_density(P, zc, Gc, [1 - 1e-9, 1 + 1e-9]).density) == [0.0, 0.0]


def test_points_within_1e_13_of_a_square_root_edge():
    # Two-hidden-layer hard-tanh FIM off the fixed point: a square-root edge at e ~ 0.6828 and
    # points 3e-14 ... 1e-6 inside it, where the two coalescing roots are ~1e-4 apart and float64
    # continuation cannot separate them. Truth: the roots of P(x, G) at the exact binary value of
    # each x from mpmath.polyroots at 100 digits (the physical one has the most negative Im G).
    # Such points used to be evaluated "as a limit" at x itself, which gave inf or half the value.
    from freealg.curves import G as GS, Z as ZS

    law = freealg.MLP(3, "hardtanh", "orthogonal", 1.0, 0.0).fim_law(q_in=0.5)
    c = law.curve(exact=True)                 # float data: the curve of their binary values
    edge = c.support()[0][0]
    xs = np.array([edge + 3e-14, edge + 6e-14, edge + 1e-13, edge + 1e-12, edge + 1e-6])
    res = c.density(xs)                       # strict: raises unless certified
    P = c._numeric_polynomial()
    with mpmath.workdps(100):
        for k, x in enumerate(xs):
            coeffs = sympy.Poly(P.subs(ZS, sympy.Rational(x)), GS).all_coeffs()
            roots = mpmath.polyroots([mpmath.mpf(sympy.Rational(v).p) / sympy.Rational(v).q
                                      for v in coeffs], maxsteps=400, extraprec=600)
            truth = float(max(-mpmath.im(r) for r in roots) / mpmath.pi)
            assert truth > 0
            assert abs(res.density[k] - truth) <= max(res.error[k], 1e-15 * truth)
            assert abs(res.density[k] - truth) <= 1e-12 * truth


# ---------------------------------------------------------------------------
# atoms of deep Jacobian curves with float-derived (huge rational) data
# ---------------------------------------------------------------------------


def _hardtanh_jacobian_atoms_by_hand(L):
    # (sigma_w^2 delta_1) ⊠ Bernoulli(p)^{⊠L} with orthogonal weights: Belinschi's rule by hand,
    # from the inputs (sigma_w^2 and p) only: mass 1 - p at 0 (max of the nu's kernels) and
    # 1 - L (1 - p) at sigma_w^{2L}; float sigma's: exact in the floats' binary values
    sw = float(freealg.critical_sigma_w("hardtanh", 0.05))
    net = freealg.MLP(L, "hardtanh", "orthogonal", sw, 0.05, jacobian_convention="psg")
    law = net.jacobian_law()
    ((w2, one),) = law.weight_law.atoms()
    assert one == 1 and w2 == sw * sw            # a float law: the float σ_w**2
    nu = dict(law.nus[0].atoms())
    assert all(dict(n.atoms()) == nu for n in law.nus)
    w2, p = sympy.Rational(w2), sympy.Rational(nu[1])
    truth = [(sympy.Integer(0), 1 - p), (w2**L, 1 - L * (1 - p))]
    return law, truth


def test_atoms_of_a_five_layer_hardtanh_jacobian_curve():
    # Used to return only the atom at 0: the curve translated to the atom at sigma_w^{10} had
    # integer coefficients ~1e401 (denominators cleared), whose float logarithms were inf, so every
    # value near the atom was NaN and the undecided candidate was dropped without a word.
    law, truth = _hardtanh_jacobian_atoms_by_hand(5)
    # float σ's: the atoms are floats, the exact values rounded once
    assert law.atoms() == [(float(a), float(m)) for a, m in truth]
    c = law.curve(exact=True)
    assert c.atoms() == truth                    # exact: the curve has rational coefficients
    res = c.density(np.array([0.5, 1.0]))        # strict: raises unless certified
    ev = res.evidence
    # total mass: continuous part by quadrature + the two atoms = 1 (mass_tol 1e-9)
    assert ev.mass_error <= ev.mass_tol
    assert abs(ev.mass_continuous - (1 - float(truth[0][1]) - float(truth[1][1]))) <= 1e-9
    # the residues of G at the atoms agree with Belinschi's masses
    for (a, m, est, unc), (ta, tm) in zip(ev.atom_checks, truth):
        assert abs(a - float(ta)) <= 1e-15 * max(1.0, abs(a))
        assert abs(est - float(tm)) <= max(1e-8, 3 * unc)


@pytest.mark.slow
def test_atoms_of_an_eight_layer_hardtanh_jacobian_curve():
    # The reported case (degree-8 curve): 758 s and the atom at sigma_w^{16} (mass 0.86) missing.
    law, truth = _hardtanh_jacobian_atoms_by_hand(8)
    c = law.curve(exact=True)
    assert c.atoms() == truth
    ev = c.density(np.array([0.5, 1.0])).evidence
    assert ev.mass_error <= ev.mass_tol
    assert abs(ev.mass_atoms - float(truth[0][1] + truth[1][1])) <= 1e-15


def test_atoms_of_a_curve_with_coefficients_beyond_float_range():
    # (3/4) delta_0 + (1/4) delta_1 times 10^400: the same curve, but its coefficients overflow a
    # double. Both atoms used to be dropped silently (curve_atoms returned []).
    p = sympy.Rational(1, 4)
    P = 10**400 * (z * (z - 1) * G - (z - 1 + p))
    assert curve_atoms(P, z, G) == [(0, 1 - p), (1, p)]
    res = curve_density(P, z, G, np.array([0.5, 2.0]))
    assert res.evidence.ok and res.atoms == [(0.0, 0.75), (1.0, 0.25)]
    assert res.density.tolist() == [0.0, 0.0]


def _undecided_atom_curve(monkeypatch, residue):
    # a curve used by no other test (the engine caches its atoms), with the residue
    # extrapolation replaced by ``residue``
    from freealg.density import curve_engine as _curve_engine

    monkeypatch.setattr(_curve_engine, "_residue", lambda eng, a, s: residue)
    q = sympy.Rational(3, 11)
    return z * (z - 1) * G - (z - 1 + q), q


@pytest.mark.parametrize("residue", [(0.5, 1e-12), (0.2727, 1e-9)])
def test_a_contradicting_residue_is_an_error_not_a_dropped_atom(monkeypatch, residue):
    # a conclusive residue that is neither 0 nor the candidate mass 3/11 = 0.27272727...
    # (tolerance max(1e-6, 10 unc)) contradicts the Newton polygon
    from freealg.density import curve_engine as _curve_engine

    P, q = _undecided_atom_curve(monkeypatch, residue)
    why = "matches none of"
    try:
        with pytest.raises(CertificationError) as info:
            curve_atoms(P, z, G)
        msg = str(info.value)
        assert "x = 1 " in msg and why in msg and "0.272727272727" in msg
        # the density certificate carries the same failure (a warning when not strict)
        with pytest.warns(CertificationWarning, match="neither confirmed nor refuted"):
            res = curve_density(P, z, G, np.array([0.5]), strict=False)
        assert not res.evidence.ok
        assert any("x = 1 " in f for f in res.evidence.failures)
    finally:
        _curve_engine._engine.cache_clear()
        _curve_engine._shifted_engine.cache_clear()


def test_an_unreachable_branch_near_a_candidate_atom_is_an_error(monkeypatch):
    # residue extrapolation failed and the physical branch cannot be computed next to the
    # candidate: the atom at 1 can be neither confirmed nor refuted -> CertificationError
    from freealg.density import curve_engine as _curve_engine

    P, q = _undecided_atom_curve(monkeypatch, (float("nan"), float("inf")))
    real_shifted = _curve_engine._CurveEngine.shifted

    class _Blind:
        def __init__(self, eng):
            self.curve = eng.curve

        def values(self, x, y):
            n = np.asarray(x).size
            nan = np.full(n, np.nan)
            return nan.astype(complex), nan, nan, np.zeros(n, bool), nan

    monkeypatch.setattr(_curve_engine._CurveEngine, "shifted",
                        lambda self, a, a_exact=None: _Blind(real_shifted(self, a, a_exact)))
    try:
        with pytest.raises(CertificationError, match=r"x = 1 .*mass\(es\) 0.272727272727.*could not be computed"):
            curve_atoms(P, z, G)
    finally:
        _curve_engine._engine.cache_clear()
        _curve_engine._shifted_engine.cache_clear()


def test_the_monotone_bound_on_atoms_used_to_refute_candidates():
    # f(eps) = Re(i eps G(a + i eps)) = ∫ eps²/((x - a)² + eps²) dμ decreases to μ({a}), so a
    # candidate mass above f(eps) is refuted. Closed form for (3/4) δ_0 + (1/4) δ_1 at a = 1:
    # f(eps) = 1/4 + (3/4) eps²/(1 + eps²), computed by the engine on the translated curve.
    from freealg.density import curve as _density_curve, curve_engine as _curve_engine

    q = sympy.Rational(1, 4)
    eng = _density_curve._engine(z * (z - 1) * G - (z - 1 + q), z, G)
    eps = _curve_engine._BOUND_EPS * 1.0
    Gv, err, _, ok, _ = eng.shifted(1.0).values(np.zeros(eps.size), eps)
    f = (1j * eps * Gv).real
    assert ok.all()
    assert np.allclose(f, 0.25 + 0.75 * eps**2 / (1 + eps**2), rtol=1e-14, atol=0)
    # with its error bound (as the engine uses it) f is never below the atom's mass
    assert np.all(f + eps * err >= 0.25)
