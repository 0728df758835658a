"""One law interface: pdf / cdf / quantile / sample / var on every kind of law,
checked against closed forms, mpmath quadrature of closed-form densities, the
Haagerup-Moller parametrisation of MP^{⊠2}, and exact atoms."""

from __future__ import annotations

import numpy as np
import pytest

import freealg as fa
from freealg._utils.mpctx import mpmath
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError
from freealg.functional import free_mul_law


def _semicircle_cdf(t):
    t = mpmath.mpf(t)
    if t <= -2:
        return 0.0
    if t >= 2:
        return 1.0
    return float(0.5 + t * mpmath.sqrt(4 - t * t) / (4 * mpmath.pi) + mpmath.asin(t / 2) / mpmath.pi)


def test_semicircle_cdf_closed_form():
    law = fa.Semicircle(0, 1)
    x = np.array([-3, -2, -1.999999, -1, 0, 0.5, 1.9999, 2, 3.0])
    F, err = law.cdf(x, return_error=True)
    exact = np.array([_semicircle_cdf(t) for t in x])
    # closed form in 30-digit mpmath; the quadrature is good to ~1e-15
    assert np.max(np.abs(F - exact)) < 1e-13
    assert np.all(err < 1e-12)
    assert isinstance(law.cdf(0.0), float)


def test_semicircle_quantile_inverts_closed_form():
    law = fa.Semicircle(0, 1)
    p = np.array([1e-6, 0.1, 0.5, 0.9, 1 - 1e-6])
    q = law.quantile(p)
    # independent check: the closed-form CDF at the quantiles
    assert np.max(np.abs(np.array([_semicircle_cdf(t) for t in q]) - p)) < 1e-12


def test_marchenko_pastur_with_atom_cdf_against_mpmath_quad():
    law = fa.MarchenkoPastur(0.5)  # atom 1/2 at 0, density on [(1-1/sqrt2)^2, (1+1/sqrt2)^2]
    a, b = (float(v) for v in law.support()[0])
    xs = [-1.0, 0.0, 0.01, 0.5, 1.0, 2.5, 2.9, 3.0]
    F = law.cdf(xs)
    for t, f in zip(xs, F):
        atom = 0.5 if t >= 0 else 0.0
        with mpmath.workdps(30):
            cont = mpmath.quad(lambda u: law.pdf(float(u)), [a, min(t, b)]) if t > a else 0
        assert abs(f - (atom + float(cont))) < 1e-12, t


def _hm_cdf(L, x):
    """F(x) of MP^{⊠L} from the Haagerup-Moller parametrisation
    x(θ) = sin^s(sθ)/(sin θ sin^{s-1}((s-1)θ)), s = L + 1, decreasing on (0, π/s),
    ρ dx = ρ(θ) x'(θ) dθ: F(x(θ)) = ∫_θ^{π/s} ρ(φ)|x'(φ)| dφ (30-digit mpmath)."""
    s = L + 1
    with mpmath.workdps(30):
        X = lambda t: mpmath.sin(s * t) ** s / (mpmath.sin(t) * mpmath.sin((s - 1) * t) ** (s - 1))
        R = lambda t: (mpmath.sin(t) ** 2 * mpmath.sin((s - 1) * t) ** (s - 2)
                       / mpmath.sin(s * t) ** (s - 1) / mpmath.pi)
        top = mpmath.pi / s
        lo, hi = mpmath.mpf(0), top  # x(θ) decreases from the top edge to 0: bisect
        for _ in range(110):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if X(mid) > x else (lo, mid)
        th = (lo + hi) / 2
        return float(mpmath.quad(lambda t: -R(t) * mpmath.diff(X, t), [th, top]))


@pytest.mark.parametrize("L", [2, 5])
def test_mp_power_cdf_against_haagerup_moller(L):
    law = free_mul_law([fa.MarchenkoPastur(1)], [L])
    xs = [1e-8, 1e-3, 0.5, 1.0, 3.0]
    F = law.cdf(xs)
    ref = [_hm_cdf(L, x) for x in xs]
    # includes the hard edge at 0 (density ~ x^{-L/(L+1)}), whose mass comes
    # from the Cauchy transform on a semicircle
    assert np.max(np.abs(F - ref)) < 1e-9
    top = float(law.support()[-1][1])
    assert abs(law.cdf(top) - 1) < 1e-9


def test_discrete_laws_exact():
    b = fa.Bernoulli(0.25)
    assert b.cdf([-1.0, 0.0, 0.5, 1.0]).tolist() == [0.0, 0.75, 0.75, 1.0]
    # Q(p) = inf{x: F(x) >= p}: the atom at 0 holds p in (0, 3/4]
    assert b.quantile([0.5, 0.75, 0.76, 1.0]).tolist() == [0.0, 0.0, 1.0, 1.0]
    pm = fa.PointMass(3)
    assert pm.cdf([2.9, 3.0]).tolist() == [0.0, 1.0]
    assert pm.quantile(0.3) == 3.0
    s = b.sample(4000, rng=0)
    # 4000 Bernoulli(1/4) draws: the count of ones has sd sqrt(4000*3/16) ~ 27;
    # 5 sd is a bound a correct sampler exceeds with probability ~6e-7
    assert abs(np.sum(s == 1) - 1000) < 5 * 27.4
    assert set(s.tolist()) == {0.0, 1.0}


def test_jacobian_law_cdf_and_quantile():
    sw = float(fa.critical_sigma_w("hardtanh", sigma_b=0.05))
    law = fa.MLP(4, "hardtanh", sigma_w=sw, sigma_b=0.05).jacobian_law()
    atoms = [(float(a), float(m)) for a, m in law.atoms()]
    top = float(law.support()[-1][1])
    F = law.cdf([-1.0, 0.0, top, max(a for a, _ in atoms) + 1])
    # exact atom masses (Belinschi) on the left; the continuous mass plus
    # every atom on the right
    assert F[0] == 0.0
    assert abs(F[1] - dict(atoms)[0.0]) < 1e-12
    assert abs(F[3] - 1) < 1e-9
    p = np.array([0.02, 0.04])
    q = law.quantile(p)
    assert np.all((q > 0) & (q < top))
    assert np.max(np.abs(law.cdf(q) - p)) < 1e-9


def test_fim_law_is_half_atom_half_arcsine():
    # ReLU, sigma_w^2 = 2, L = 3: the one-sample FIM law is (1/2) delta_1 plus
    # (1/2) arcsine on [3, 7] (its moments match; checked in the FIM tests).
    # (sigma_w = float(sqrt 2) puts the atom at 1 + 2e-16: test just right of it)
    law = fa.MLP(3, "relu", sigma_w=2 ** 0.5).fim_law()
    xs = np.array([0.5, 1.0 + 1e-9, 4.0, 5.0, 6.9])
    arcs = lambda t: 0.5 + np.arcsin((t - 5) / 2) / np.pi
    ref = np.where(xs < 1, 0, 0.5) + 0.5 * np.where(xs > 3, arcs(np.clip(xs, 3, 7)), 0)
    assert np.max(np.abs(law.cdf(xs) - ref)) < 1e-9
    q = law.quantile(0.75)
    assert abs(q - 5.0) < 1e-9


def test_pdf_scalar_and_scipy_quad():
    law = fa.Semicircle(0, 1)
    v = law.pdf(0.0)
    assert isinstance(v, float) and abs(v - 1 / np.pi) < 1e-15
    integrate = pytest.importorskip("scipy.integrate")
    val, _ = integrate.quad(law.pdf, -1.0, 1.5)
    assert abs(val - (law.cdf(1.5) - law.cdf(-1.0))) < 1e-10
    mp2 = free_mul_law([fa.MarchenkoPastur(1)], [2])
    val, _ = integrate.quad(mp2.pdf, 1.0, 3.0, epsabs=1e-11)
    assert abs(val - (mp2.cdf(3.0) - mp2.cdf(1.0))) < 1e-9
    # network laws too: the Jacobian and FIM laws of a critical ReLU net; scipy's adaptive
    # quadrature of pdf against the law's own cdf (its quadrature of the certified density)
    import sympy

    net = fa.MLP(3, "relu", sigma_w=sympy.sqrt(2))
    for law in (net.jacobian_law(), net.fim_law()):
        (a, b), = [(float(u), float(v)) for u, v in law.support()]
        lo, hi = a + 0.2 * (b - a), a + 0.7 * (b - a)
        val, _ = integrate.quad(law.pdf, lo, hi, epsabs=1e-11, limit=200)
        assert abs(val - float(law.cdf(hi) - law.cdf(lo))) < 1e-9


def test_sample_kolmogorov_distance():
    law = fa.Semicircle(0, 1)
    for n in (2000, 6000):  # exact quantiles, then the interpolated table
        s = np.sort(law.sample(n, rng=np.random.default_rng(7)))
        F = np.array([_semicircle_cdf(t) for t in s])
        emp_hi = np.arange(1, n + 1) / n
        D = max(np.max(emp_hi - F), np.max(F - (emp_hi - 1 / n)))
        # Kolmogorov: P(sqrt(n) D > 1.95) ~ 0.001; the interpolated sampler
        # adds at most 1/4096 (docstring of sample)
        assert D < 1.95 / np.sqrt(n) + 1 / 4096


def test_mean_variance_on_products():
    law = free_mul_law([fa.MarchenkoPastur(1)], [3])
    # MP^{⊠3}: Fuss-Catalan moments 1, 4 -> variance 3
    assert law.mean() == 1 and law.variance() == 3 and law.var() == 3


@pytest.mark.parametrize("bad", [float("nan"), [0.0, float("inf")]])
def test_bad_points_raise(bad):
    with pytest.raises(InvalidArgumentError, match="x must be finite"):
        fa.Semicircle(0, 1).cdf(bad)


def test_bad_quantile_and_rng():
    with pytest.raises(InvalidArgumentError, match=r"p must lie in \[0, 1\]"):
        fa.Semicircle(0, 1).quantile(1.5)
    with pytest.raises(InvalidArgumentTypeError, match="rng"):
        fa.Semicircle(0, 1).sample(3, rng="seed")


def test_notebook_display():
    # every field is computed by the law itself; the HTML shows those values
    html = fa.Semicircle(0, 1)._repr_html_()
    assert "Semicircle(mean=0, variance=1)" in html and "[(-2, 2)]" in html and "$" in html
    net = fa.MLP(3, "relu", sigma_w=2 ** 0.5)
    assert "critical" in net._repr_html_()
    law = free_mul_law([fa.MarchenkoPastur(1)], [2])
    # MP^{⊠2}: Fuss-Catalan moments 1, 3, so variance 2
    assert "<th style='text-align:left'>variance</th><td style='text-align:left'>2</td>" in law._repr_html_()
    res = law.density(np.linspace(0.5, 3.0, 5))
    assert "evidence ok" in res._repr_html_()
    # a field that cannot be computed shows its error instead of raising
    sym = fa.Semicircle(0, __import__("sympy").Symbol("v", positive=True))
    assert "unavailable" in sym._repr_html_()


def test_large_sample_from_the_cdf_table_with_an_atom():
    # MP(1/2): atom 1/2 at 0 plus a continuous part; 20000 draws use the
    # certified CDF table (cells of mass <= 1/4096; atoms sent to their location)
    law = fa.MarchenkoPastur(0.5)
    n = 20000
    s = law.sample(n, rng=np.random.default_rng(3))
    k0 = int(np.sum(s == 0.0))
    # binomial(n, 1/2): sd sqrt(n)/2 ~ 71; 5 sd
    assert abs(k0 - n / 2) < 5 * 71
    cont = np.sort(s[s != 0.0])
    a, b = (float(v) for v in law.support()[0])
    assert np.all((cont >= a) & (cont <= b))
    # Kolmogorov distance of the continuous draws against the closed-form CDF
    # (mpmath quadrature of the density, 30 digits), conditioned on x > 0
    xs = cont[:: max(1, cont.size // 40)]
    with mpmath.workdps(30):
        ref = np.array([float(2 * mpmath.quad(lambda u: law.pdf(float(u)), [a, t])) for t in xs])
    emp = np.searchsorted(cont, xs, side="right") / cont.size
    # P(sqrt(m) D > 1.95) ~ 0.001 for m ~ 10000 draws; the table adds <= 2/4096
    assert np.max(np.abs(emp - ref)) < 1.95 / np.sqrt(cont.size) + 2 / 4096


def test_activation_derivative_law_cdf_is_a_gaussian_measure():
    # nu = law of f(Z) = phi'(sqrt(q) Z)^2: F(y) = P(f(Z) <= y) directly (it used
    # to integrate the density and failed its own error gate for tanh).
    # tanh: f = sech^4(sqrt(q) z) is even and decreasing in |z|, so
    # F(y) = P(|Z| >= asech(y^(1/4))/sqrt(q)) = erfc(asech(y^(1/4)) / sqrt(2 q)).
    for q in (1, 2.5):
        law = fa.activation_derivative_law("tanh", q)
        ys = [0.01, 0.1, 0.5, 0.9, 0.999]
        F = law.cdf(ys)
        for y, v in zip(ys, F):
            exact = float(mpmath.erfc(mpmath.asech(mpmath.mpf(y) ** 0.25) / mpmath.sqrt(2 * q)))
            assert abs(v - exact) < 1e-10, (q, y, v, exact)
        assert law.cdf(1.0) == 1.0 and law.cdf(-0.5) == 0.0
        # quantile inverts it
        p = np.array([0.1, 0.37, 0.8])
        np.testing.assert_allclose(law.cdf(law.quantile(p)), p, atol=1e-9)
    # gelu (f not monotone in |z|: phi' exceeds 1): a second algorithm, a Riemann sum of
    # the Gaussian density over {f <= y} on a 1e-5 grid (error <= a few 1e-6)
    law = fa.activation_derivative_law("gelu", 2)
    act = fa.get_activation("gelu")
    z = np.linspace(-9, 9, 1_800_001)
    w = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi) * (z[1] - z[0])
    f = act.dphi(np.sqrt(2) * z) ** 2
    for y in (0.2, 0.8, 1.0, 1.2):
        assert abs(law.cdf(y) - float(np.sum(w[f <= y]))) < 2e-5


def test_activation_derivative_law_cdf_needs_numbers():
    import sympy

    v = sympy.Symbol("v", positive=True)
    with pytest.raises(InvalidArgumentError, match="substitute numbers"):
        fa.ActivationDerivativeLaw("tanh", v).cdf(0.5)
