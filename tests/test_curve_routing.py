"""High-degree ⊠ curves are routed to the functional engine (issue 11).

Checked against a second algorithm (the curve engine itself at a low
degree, forced) and the exact data of the law (Belinschi's atom at 0, the
moments of the S-transform series against the curve's own series).
"""

import numpy as np
import sympy

from freealg.density import curve as density
from freealg.density import curve_routing

z, G = sympy.symbols("z G")


def _relu(L):
    w = z * G - 1
    return sympy.expand(z * w - (1 + w) * (1 + 2 * w) ** L)


def _hardtanh(L):
    w, p = z * G - 1, sympy.Rational(3, 4)
    return sympy.expand(z * w * (1 + w) ** (L - 1) * p**L - (p + w) ** L)


def _moments_from_s(S, w, n):
    """``m_1..m_n`` of the law with S-transform ``S`` (second algorithm): the
    Taylor series of ``S``, ``chi(w) = w S(w)/(1 + w)``, ``psi`` its
    compositional inverse, ``psi = sum_k m_k z^k``."""
    from freealg._utils import series

    N = n + 1
    s = sympy.series(S, w, 0, N).removeO()
    s = [sympy.Rational(s.coeff(w, k)) for k in range(N)]
    c, acc = [sympy.Integer(0)] * (N + 1), sympy.Integer(0)
    for k in range(N):
        acc = s[k] - acc
        c[k + 1] = acc
    return list(series.reverse(c, N + 1)[1:N])


def test_routed_factor_exact_data_match_the_curve():
    from freealg.curves import SpectralCurve

    for P, atom0 in ((_relu(5), sympy.Rational(1, 2)), (_hardtanh(5), sympy.Rational(1, 4))):
        f, deg = curve_routing._functional_route(P, z, G, force=True)
        assert deg == sympy.degree(P, G)
        # the S-transform read off the curve against the curve's own series
        assert _moments_from_s(f.expr, f.w, 6) == SpectralCurve(P, z, G).moments(6) == f.moments(6)
        assert (0, atom0) in f.atoms()
    # hard-tanh at L = 2: the top atom of Belinschi's rule, mass 1 - L (1 - p) = 1/2
    f, _ = curve_routing._functional_route(_hardtanh(2), z, G, force=True)
    assert (sympy.Rational(16, 9), sympy.Rational(1, 2)) in f.atoms()


def test_forced_functional_route_matches_the_curve_engine():
    P = _relu(4)
    x = np.linspace(0.05, 20, 60)
    a = density.curve_density(P, z, G, x, engine="curve")
    b = density.curve_density(P, z, G, x, engine="functional")
    assert a.evidence.engine == "curve" and b.evidence.engine == "functional"
    assert any("routed" in n for n in b.evidence.notes)
    assert np.allclose(a.density, b.density, rtol=1e-9, atol=1e-12 * np.max(a.density))


def test_high_degree_curve_is_routed_and_certified():
    P = _hardtanh(32)  # degree 32 in G
    x = np.linspace(0.01, 30, 200)
    res = density.curve_density(P, z, G, x)  # strict: raises unless certified
    assert res.evidence.engine == "functional"
    assert "curve degree 32 in G > 12" in res.evidence.notes[-1]
    assert res.atoms_exact == [(0, sympy.Rational(1, 4))]
    assert abs(res.evidence.mass_continuous - 0.75) < 1e-9


def test_spectral_curve_density_routes_with_its_moments():
    """SpectralCurve.density passes its exact moments: they match the routed
    law's S-series moments, so the route is taken; the density agrees with the
    explicit functional law of the same product (MP(2) ⊠ Bernoulli(1/2))^⊠16."""
    from freealg.curves import SpectralCurve
    from freealg.functional import free_mul_law
    from freealg.laws import Bernoulli, MarchenkoPastur

    P = _relu(16)
    x = np.linspace(0.05, 40, 50)
    res = SpectralCurve(P, z, G).density(x)
    assert res.evidence.engine == "functional"
    ref = free_mul_law([MarchenkoPastur(1, 2), Bernoulli(sympy.Rational(1, 2))], [16, 16]).density(x)
    assert np.allclose(res.density, ref.density, rtol=1e-9, atol=1e-13 * np.max(ref.density))
