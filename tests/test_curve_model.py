"""One curve model (issue 12): the density engine consumes the ``SpectralCurve``.

The engine reads the normal form, the series at infinity and the exact
candidate edges and atoms from the one ``SpectralCurve`` (computed once, cached
on the curve); ``freealg.density.algebraic`` keeps only the numeric view.
Independent truths: the Narayana closed form of the Marchenko-Pastur moments,
the semicircle density ``sqrt(4 - x^2)/(2 pi)``, and the candidates of the
translated curve recomputed from scratch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from freealg import SpectralCurve
from freealg.density import algebraic, curve as density_curve
from freealg.density.curve import curve_density
from freealg.errors import BranchError, InvalidArgumentError
from freealg.laws import curve_model, curve_polynomial, curve_series, curves

z, G = sympy.symbols("z G")
R = sympy.Rational


def _narayana(lam, k):
    """``m_k`` of Marchenko-Pastur with rate ``lam`` (variance 1): the Narayana polynomial."""
    return sum(R(math.comb(k, j) * math.comb(k, j - 1), k) * lam**j for j in range(1, k + 1))


def _clear_engine_caches():
    density_curve._curve_of.cache_clear()
    density_curve._raw_engine.cache_clear()
    algebraic.curve_engine.cache_clear()


def test_one_density_call_normalises_once_and_expands_the_series_once(monkeypatch):
    calls = {"normalise": 0, "exact series": 0, "mpmath series": 0}
    real_normalise = curve_polynomial._normalise
    real_newton = curve_series._newton_series

    def normalise(poly):
        calls["normalise"] += 1
        return real_normalise(poly)

    def newton(rows, d, N, zero, one, num):
        calls["mpmath series" if type(zero).__module__.startswith("mpmath") else "exact series"] += 1
        return real_newton(rows, d, N, zero, one, num)

    for mod in (curve_polynomial, curves, curve_series):
        if hasattr(mod, "_normalise"):
            monkeypatch.setattr(mod, "_normalise", normalise)
    monkeypatch.setattr(curve_series, "_newton_series", newton)
    _clear_engine_caches()
    lam = R(5, 7)   # a law no other test uses (fresh engine caches)
    c = SpectralCurve(z * G**2 - (z + 1 - lam) * G + 1, z, G)   # Marchenko-Pastur, rate lam
    x = np.array([0.5, 1.0, 2.0, 9.0])
    res = c.density(x)
    assert res.evidence.ok
    # one normal form (the constructor's), one exact series (the 8 moments
    # certified), the float moments by the same Newton code in mpmath
    assert calls["normalise"] == 1
    assert calls["exact series"] == 1
    assert 2 <= calls["mpmath series"] <= 4
    # the engine runs on this very curve object, and reads its moments
    eng = density_curve._raw_engine(c._engine_curve())
    assert eng.curve.spectral is c
    got = eng.exact_moments(12)
    assert got == c.moments(12)
    assert got == [_narayana(lam, k) for k in range(1, 13)]
    assert eng.curve.start_moments.tolist() == [float(v) for v in got[:10]]
    # a second density call normalises nothing and expands no series again
    before = dict(calls)
    c.density(np.array([1.5]))
    assert calls == before


def test_the_density_module_has_no_second_normaliser_series_or_candidate_finder():
    for name in ("_normalise", "_series_at_infinity", "_series_newton", "_float_moments",
                 "_exact_candidates", "_has_physical_branch", "_translated_moments"):
        assert not hasattr(algebraic, name), name


def test_float_moments_of_an_irrational_curve_are_the_rounded_exact_moments():
    s2 = sympy.sqrt(3)
    c = SpectralCurve(s2 * G**2 - z * G + 1)        # semicircle of variance sqrt(3): Catalan * 3^(k/4)
    exact = c.moments(12)
    assert exact == [0 if k % 2 else math.comb(k, k // 2) // (k // 2 + 1) * s2 ** (k // 2)
                     for k in range(1, 13)]
    assert c._float_moments(12) == pytest.approx([float(v) for v in exact], rel=2e-16, abs=0)


@pytest.mark.parametrize("P", [
    z * (G**2 - z * G + 1),                    # content free of G: P(0, G) = 0 for every G
    (G**2 - z * G + 1) * (G - 5),              # a factor without a branch G ~ 1/z
    (G**2 - z * G + 1) * (G - 5) ** 2 * (z + 3),
])
def test_the_engine_evaluates_the_physical_part(P):
    c = SpectralCurve(P, check=False)
    assert c._engine_curve() == SpectralCurve(G**2 - z * G + 1)
    x = np.array([-1.5, 0.0, 0.7, 2.5])
    res = curve_density(P, z, G, x)
    want = np.sqrt(np.clip(4 - x**2, 0, None)) / (2 * np.pi)
    assert res.evidence.ok
    np.testing.assert_allclose(res.density, want, rtol=1e-12, atol=1e-300)


def test_several_or_no_physical_factors_are_named_errors():
    with pytest.raises(BranchError, match="2 irreducible factors"):
        SpectralCurve((G**2 - z * G + 1) * (z * G - 1), check=False)._engine_curve()
    with pytest.raises(InvalidArgumentError, match="free symbols a"):
        SpectralCurve(sympy.Symbol("a") * G**2 - z * G + 1)._engine_curve()


def test_translated_curve_carries_the_exact_candidates():
    # MP of rate 1/2 shifted by 1: an atom 1/2 at 1, edges 1 + (1 ± 1/√2)²
    lam = R(1, 2)
    c = SpectralCurve(z * G**2 - (z + 1 - lam) * G + 1).affine(1)
    base = c._engine_curve()
    cands = base._real_candidates()
    assert sympy.Integer(1) in cands
    sh = base._shifted(sympy.Integer(1))
    carried = sh._real_candidates()
    fresh = SpectralCurve(sh.polynomial)._real_candidates()     # recomputed from scratch
    assert carried == fresh
    assert carried[cands.index(1)] == 0 and carried == [v - 1 for v in cands]
    assert sh.moments(4) == [_narayana(lam, k) for k in range(1, 5)]     # the law of X again


def test_curves_with_algebraic_coefficients_get_exact_candidates_and_densities():
    # the exact real roots over Q(sqrt 2) (linear factors exact, the rest from the norm); this
    # raised NotImplementedError ("sorted roots not supported over EX") before
    v = sympy.sqrt(2)                        # semicircle of variance sqrt(2): edges ±2·2^(1/4)
    c = SpectralCurve(v * G**2 - z * G + 1)
    e = 2 * sympy.root(2, 4)
    assert c._engine_curve()._real_candidates() == [-e, e]
    assert c.support(exact=True) == [(-e, e)]
    x = np.array([0.0, 1.0, 2.3, 5.0])
    vf = float(v)
    want = np.sqrt(np.clip(4 * vf - x**2, 0, None)) / (2 * np.pi * vf)
    res = c.density(x)
    assert res.evidence.ok
    np.testing.assert_allclose(res.density, want, rtol=1e-12, atol=1e-300)
    lam = 1 / sympy.sqrt(2)                  # Marchenko-Pastur of irrational rate: atom 1 - lam at 0
    mp = SpectralCurve(z * G**2 - (z + 1 - lam) * G + 1)
    assert mp.atoms(exact=True) == [(0, 1 - lam)]
    a, b = (1 - float(lam) ** 0.5) ** 2, (1 + float(lam) ** 0.5) ** 2
    x = np.array([0.5, 1.0, 3.0])
    res = mp.density(x)
    assert res.evidence.ok
    np.testing.assert_allclose(res.density, np.sqrt((b - x) * (x - a)) / (2 * np.pi * x), rtol=1e-12)
