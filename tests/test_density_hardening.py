"""Regression tests for wrong densities that used to be reported with
``evidence.ok == True`` (issue 10), the density convention at atoms and hard
edges, and deep hard-tanh Jacobian laws (issues 10, 11).

Independent truths: the roots of ``P(x, G)`` at the exact binary value of ``x``
from ``mpmath.polyroots`` at 100 digits; the Haagerup-Moller parametrisation
of ``MP^{⊠L}`` solved in mpmath; Belinschi's atom rule; PSG's variance
formula ``Var = L m_1^2 (mu_2/mu_1^2 - 1 - s_1)``; the monotone bound
``mu({0}) <= Re(i eps G(i eps))``.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import pytest
import sympy

import freealg
from freealg import free_mul_law
from freealg.density import curve_density
from freealg.density.result import certified_density
from freealg.density.curve import _engine
from freealg.errors import CertificationError

z, G = sympy.symbols("z G")


def _quadratic_truth(P, x):
    """Density at the exact binary value of ``x`` of a curve of degree 2 in
    ``G``: its two roots are a conjugate pair inside the support (the physical
    one has ``Im G < 0``) and real outside."""
    coeffs = sympy.Poly(P.subs(z, sympy.Rational(x)), G).all_coeffs()
    with mpmath.workdps(100):
        cs = [mpmath.mpf(sympy.Rational(c).p) / sympy.Rational(c).q for c in coeffs]
        roots = mpmath.polyroots(cs, maxsteps=200, extraprec=400)
        return float(max(max(-mpmath.im(r) for r in roots), 0) / mpmath.pi)


# ---------------------------------------------------------------------------
# 1. a soft edge next to the singular point 0
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lam, want", [(sympy.Rational(10001, 10000), 1.0272968e-05),
                                       (sympy.Rational(1000001, 10**6), 0.00196545)])
def test_soft_edge_next_to_zero_is_the_value_at_the_double(lam, want):
    # Used to give -2.55 (exact 1.03e-5) and 147658 (exact 0.00197) with
    # max_rel_error 0: the point was treated as "the edge" and the limit was
    # sampled at offsets ~1e-4 of the global scale, straddling the singular
    # point 0 at distance 2.5e-9.
    law = freealg.MarchenkoPastur(lam)
    P = law.curve().polynomial
    a = float(law.support()[0][0])
    res = curve_density(P, z, G, [a])
    truth = _quadratic_truth(P, a)
    assert truth == pytest.approx(want, rel=1e-5)   # the numbers of the report
    assert res.evidence.ok
    assert abs(res.density[0] - truth) <= 1e-12 * truth
    assert abs(res.density[0] - truth) <= res.error[0] + 1e-15 * truth
    assert 0 < res.evidence.max_rel_error < 1e-10


def test_exact_edges_are_limits_soft_zero_hard_inf():
    # MP(1): rho = sqrt(x (4 - x)) / (2 pi x): soft edge at 4 (limit 0), hard
    # edge x^(-1/2) at 0 (limit +inf); the doubles next to 4 are ordinary points
    P = z * G**2 - z * G + 1
    x = [0.0, 4.0, np.nextafter(4.0, 0.0), np.nextafter(4.0, 5.0)]
    res = curve_density(P, z, G, x)
    assert res.evidence.ok
    assert res.density[0] == np.inf and res.density[1] == 0.0 and res.density[3] == 0.0
    truth = _quadratic_truth(P, x[2])
    assert abs(res.density[2] - truth) <= 1e-12 * truth
    assert not res.at_atom.any()


# ---------------------------------------------------------------------------
# 2. atoms: nan, flagged, not a failure
# ---------------------------------------------------------------------------


def _critical_hardtanh(L, convention="psg"):
    sw = freealg.critical_sigma_w("hardtanh", 0.05)
    return freealg.MLP(L, "hardtanh", "orthogonal", sigma_w=sw, sigma_b=0.05,
                       jacobian_convention=convention)


@pytest.mark.parametrize("L", [2, 3])
def test_atom_at_zero_of_psg_jacobian_curves_is_nan_and_flagged(L):
    # Used to return -1545.6 (error 4e6), inf, or -277 ... 440 with evidence.ok True.
    for net in (freealg.MLP(L, "relu", "orthogonal", sympy.sqrt(2), jacobian_convention="psg"),
                _critical_hardtanh(L)):
        law = net.jacobian_law()
        (a0, m0) = law.atoms()[0]
        assert a0 == 0
        P = law.curve(exact=True).polynomial      # float σ's: their binary values
        P = P.subs({s: z for s in P.free_symbols if s.name == "z"}).subs(
            {s: G for s in P.free_symbols if s.name == "G"})
        res = curve_density(P, z, G, [0.0, 0.5 * law.support()[0][1]])
        assert res.evidence.ok
        assert np.isnan(res.density[0]) and res.at_atom.tolist() == [True, False]
        assert np.isfinite(res.density[1]) and res.density[1] > 0
        # Belinschi: the kernel has mass max_l nu_l({0}) (1/2 for ReLU, 1 - p for hard-tanh)
        ((loc, mass, count),) = res.evidence.atom_points
        assert loc == 0.0 and count == 1 and mass == pytest.approx(float(m0), rel=1e-15)
        # the functional engine behind JacobianLaw.density agrees
        res2 = law.density([0.0])
        assert np.isnan(res2.density[0]) and res2.at_atom[0] and res2.evidence.ok


# ---------------------------------------------------------------------------
# 3. the functional engine at its own support edges
# ---------------------------------------------------------------------------


class _MP:
    def moments(self, n):
        return [Fraction(comb(2 * k, k), k + 1) for k in range(1, n + 1)]

    def cauchy(self, z):
        z = np.asarray(z, complex)
        return (z - np.sqrt(z) * np.sqrt(z - 4)) / (2 * z)

    def s_transform(self, w):
        return 1 / (1 + w)

    def atoms(self):
        return []


def _hm_density(L, x):
    """Density of MP^{⊠L} at the exact value of x (Haagerup-Moller, s = L + 1,
    theta -> 0 at the right edge s^s/(s - 1)^(s - 1)), in mpmath."""
    s = L + 1
    with mpmath.workdps(60):
        xm = mpmath.mpf(x)
        edge = mpmath.mpf(s) ** s / mpmath.mpf(s - 1) ** (s - 1)
        if xm >= edge:
            return 0.0

        def xt(t):
            return mpmath.sin(s * t) ** s / (mpmath.sin(t) * mpmath.sin((s - 1) * t) ** (s - 1))

        # near the edge x(theta) = edge - c theta^2 + ...: start from that
        c = (edge - xt(mpmath.mpf("1e-10"))) / mpmath.mpf("1e-20")
        t = mpmath.findroot(lambda t: xt(t) - xm, mpmath.sqrt((edge - xm) / c))
        rho = (mpmath.sin(t) ** 2 * mpmath.sin((s - 1) * t) ** (s - 2)
               / (mpmath.pi * mpmath.sin(s * t) ** (s - 1)))
        return float(rho)


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_functional_density_at_its_own_support_edge(L):
    # The scan edge is a double within ~1e-13 of the branch point; it used to
    # be evaluated "as a limit" with samples ~1e-4 of the global scale away
    # (-2.2e-4 where the truth was +2.6e-5), or the float continuation failed.
    law = free_mul_law([_MP()], [L])
    e = law.support()[0][1]
    xs = [e, np.nextafter(e, 0.0), e * (1 - 1e-12)]
    res = law.density(xs)                        # strict: certified or raises
    assert res.evidence.ok
    for k, x in enumerate(xs):
        truth = _hm_density(L, x)
        assert res.density[k] >= 0
        assert abs(res.density[k] - truth) <= 1e-10 * truth + 1e-15
        assert abs(res.density[k] - truth) <= res.error[k] + 1e-12 * truth + 1e-16


@pytest.mark.parametrize("L", [2, 3])
def test_hardtanh_jacobian_density_at_its_support_edge_against_its_curve(L):
    # used to give 3.3e-10 +- 3.9e-8 and -4.4e-11 with max_rel_error 0
    law = _critical_hardtanh(L, "preactivation" if L == 3 else "psg").jacobian_law()
    P = law.curve(exact=True).polynomial      # float σ's: their binary values
    P = P.subs({s: z for s in P.free_symbols if s.name == "z"}).subs(
        {s: G for s in P.free_symbols if s.name == "G"})
    if sympy.Poly(P, G).degree() != 2:
        pytest.skip("quadratic truth only")
    e = law.support()[0][1]
    xs = [e, e * (1 - 1e-9), 0.5 * e]
    res = law.density(xs)
    assert res.evidence.ok
    for k, x in enumerate(xs):
        truth = _quadratic_truth(P, x)
        assert abs(res.density[k] - truth) <= 1e-10 * truth + 1e-14


# ---------------------------------------------------------------------------
# 5. the certification gate
# ---------------------------------------------------------------------------


class _Corrupt:
    """The semicircle engine with the boundary value at x = 1 replaced."""

    def __init__(self, G1, err1):
        self.eng = _engine(G**2 - z * G + 1, z, G)
        self.G1, self.err1 = G1, err1
        for k in ("scale", "singular", "special", "atoms", "support", "is_real",
                  "exact_moments", "limit_points"):
            setattr(self, k, getattr(self.eng, k))

    def values(self, x, y):
        Gv, err, res, ok, rad = self.eng.values(x, y)
        hit = (np.asarray(x) == 1.0) & (np.asarray(y) == 0)
        Gv, err = Gv.copy(), err.copy()
        Gv[hit], err[hit] = self.G1, self.err1
        return Gv, err, res, ok, rad

    def refine(self, x, G, err, radius, dps):
        return None  # no polishing: the gate must catch the value as it is


def test_a_negative_density_is_a_failed_check():
    eng = _Corrupt(0.5 + 1e-6j, 1e-12)             # rho(1) = -3.2e-7, bound 3.2e-13
    with pytest.raises(CertificationError, match="negative density"):
        certified_density(eng, [0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = certified_density(eng, [0.0, 1.0], strict=False)
    assert not res.evidence.ok and res.evidence.n_negative == 1


def test_a_value_with_a_large_error_bound_is_refused_not_reported_exact():
    truth = np.sqrt(3) / 2
    eng = _Corrupt(complex(0.5, -truth * (1 + 1e-3)), 1e-3)   # 1e-3 relative
    with pytest.raises(CertificationError, match="not certified"):
        certified_density(eng, [0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = certified_density(eng, [0.0, 1.0], strict=False)
    assert res.evidence.n_uncertified == 1
    assert res.evidence.max_rel_error > 1e-4      # reported, never 0


def test_a_negative_value_within_its_bound_is_zero():
    eng = _Corrupt(complex(0.5, 1e-20), 1e-15)     # rho = -3e-21, bound 3e-16
    res = certified_density(eng, [1.0])
    # not a certified value of the semicircle (1e-15 truncation of the truth
    # is the point: the gate sees -3e-21 +- 3e-16 -> 0 within its bound)
    assert res.density[0] == 0.0 and res.error[0] == pytest.approx(1e-15 / np.pi)


# ---------------------------------------------------------------------------
# 6. deep hard-tanh Jacobians (issues 10 and 11)
# ---------------------------------------------------------------------------


def test_depth_500_hardtanh_jacobian_moments_and_support():
    # moments(2) used to be a 16000-digit rational whose repr raised ValueError;
    # support() did not finish in 150 s (24 exact moments of the product)
    net = _critical_hardtanh(500)
    law = net.jacobian_law()
    m1, m2 = law.moments(2)
    repr(m1), repr(m2)
    nu = law.nus[0]
    p = float(dict(nu.atoms())[1])
    s2 = float(law.layers.sigma_w2)
    L = 500
    chi = s2 * p
    assert float(m1) == pytest.approx(chi**L, rel=1e-12)
    # PSG: Var = L m1^2 (mu_2/mu_1^2 - 1 - s_1), mu_k = p (Bernoulli), s_1 = 0
    assert float(m2 - m1**2) == pytest.approx(L * float(m1) ** 2 * (1 / p - 1), rel=1e-12)
    sup = law.support()
    assert len(sup) == 1 and sup[0][0] == 0.0 and sup[0][1] > 1


@pytest.mark.parametrize("L", [20, 10000])
def test_deep_hardtanh_jacobian_atoms_by_belinschi(L):
    # atoms() multiplied the float-derived rational sigma_w^2 one layer at a
    # time and converted each location with sympy.N: 82 s at L = 2000 and no
    # end at L = 10^4.  Belinschi: mass 1 - p at 0 and 1 - L (1 - p) at
    # sigma_w^(2L) while positive.
    law = _critical_hardtanh(L).jacobian_law()
    p = sympy.Rational(dict(law.nus[0].atoms())[1])    # float data: the float p, exactly
    s2 = law.layers.sigma_w2                           # the float σ_w**2, exactly
    want = [(0, 1 - p)] + ([(s2**L, 1 - L * (1 - p))] if 1 - L * (1 - p) > 0 else [])
    # float σ's give float atoms: the exact values rounded once
    assert law.atoms() == [(float(a), float(m)) for a, m in want]


@pytest.mark.parametrize("L", [512])
def test_deep_atom_check_is_honest_about_slow_convergence(L):
    # issue 11: at L = 512 the residue extrapolation claimed 0.0201 +- 6e-4
    # against Belinschi's mass 0.0175 (a false failure): the remainder decays
    # like 1/log(1/eps), not like a power, and Aitken is biased
    law = _critical_hardtanh(L).jacobian_law()
    res = law.density([0.0, 0.5])
    ev = res.evidence
    assert ev.ok and np.isnan(res.density[0]) and res.at_atom[0]
    ((loc, mass, est, unc),) = [c for c in ev.atom_checks if c[0] == 0.0]
    assert abs(est - mass) <= 3 * unc
    # the rigorous side: f(eps) = Re(i eps G(i eps)) decreases to mu({0})
    eng = law._backend_obj()._engine()
    eps = eng.scale * 10.0 ** -np.arange(4.0, 200.0, 40.0)
    Gv, err, _, ok, _ = eng.values(np.zeros(eps.size), eps)
    f = (1j * eps * Gv).real
    assert ok.all() and np.all(np.diff(f) < 0) and np.all(f + eps * err >= mass)
