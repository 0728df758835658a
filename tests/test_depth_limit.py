"""The infinite-depth limit of critical orthogonal Jacobian spectra
(freealg.dnn.depth_limit) against closed forms and exact finite-depth products."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

import freealg
from freealg.dnn.depth_limit import depth_limit_law
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError
from freealg.functional import free_mul_law
from freealg.laws import Atomic


def test_gaussian_part_lagrange_closed_form():
    # S = exp(-v w)/m: m_n = (m^n/n) sum_k C(n, k) (n v)^(n-1-k)/(n-1-k)!
    v, m = sympy.Rational(1, 3), sympy.Integer(2)
    law = depth_limit_law(v=v, mean=m)
    want = [m**n * sum(sympy.binomial(n, k) * (n * v) ** (n - 1 - k) / sympy.factorial(n - 1 - k)
                       for k in range(n)) / n for n in range(1, 9)]
    assert law.moments(8) == want
    assert law.variance() == want[1] - want[0] ** 2 == m**2 * v


def test_jump_limit_of_exact_products():
    # nu_L: mass 1 - p at 0, p at 1/p (mean 1), p = 1 - 1/L: L (nu_L - delta_1) -> a jump
    # to 0 at rate 1.  The exact moments of nu_L^{⊠L} (S-transform power) approach the
    # limit with an error ~ c/L: halving when L doubles.
    lim = [float(v) for v in depth_limit_law(jumps=[(0, 1)]).moments(4)]
    assert lim == [1.0, 2.0, 4.5, pytest.approx(32 / 3)]
    errs = []
    for L in (50, 100, 200, 400):
        p = 1 - Fraction(1, L)
        fm = free_mul_law([Atomic([0, 1 / p], [1 - p, p])], powers=[L]).moments(4)
        errs.append(abs(float(fm[3]) - lim[3]))
    ratios = [errs[i] / errs[i + 1] for i in range(3)]
    assert all(1.9 < r < 2.1 for r in ratios), (errs, ratios)
    assert errs[-1] < 0.05


def test_gaussian_limit_of_exact_products():
    # two-point layers 1 +- sqrt(v/L): L Var = v, fluctuations shrink: S -> exp(-v w)
    v = Fraction(1, 2)
    lim = [float(x) for x in depth_limit_law(v=v).moments(4)]
    errs = []
    for L in (64, 256):
        d = math.sqrt(v / L)
        fm = free_mul_law([Atomic([1 - d, 1 + d], [0.5, 0.5])], powers=[L]).moments(4)
        errs.append(max(abs(float(a) - b) for a, b in zip(fm, lim)))
    assert errs[1] < errs[0] / 3.5 and errs[1] < 0.01, errs   # O(1/L): ratio 4


@pytest.mark.parametrize("sigma_b", [0.1, 0.05, 0.02])
def test_critical_hardtanh_network(sigma_b):
    # orthogonal hard-tanh on the critical line sigma_w^2 p = 1 (q* -> 0 as sigma_b -> 0):
    # J Jᵀ (preactivation convention) has law sigma_w^2 (sigma_w^2 nu)^{⊠(L-1)}, nu = Bernoulli(p).
    # With L - 1 = round(1/(1 - p)) layers the jump rate is a = (L - 1)(1 - p) ~ 1 and the
    # accompanying infinitely divisible law differs by O(a^2 (1 - p)) -> 0.
    sw = freealg.critical_sigma_w("hardtanh", sigma_b)
    net = freealg.MLP(3, "hardtanh", "orthogonal", sw, sigma_b)
    (z0, q0), (one, p) = net.d2_atoms()
    assert z0 == 0 and one == 1
    p = float(p)
    n_d = round(1 / (1 - p))
    law = net.replace(depth=n_d + 1).jacobian_law()
    limit = depth_limit_law(jumps=[(0, n_d * (1 - p))], mean=float(sw) ** 2)
    got = [float(x) for x in law.moments(4)]
    want = [float(x) for x in limit.moments(4)]
    rel = max(abs(a - b) / b for a, b in zip(got, want))
    # measured: 0.079 (sigma_b = 0.1, 1 - p = 0.049), 0.027 (0.05, 0.017), 0.0059 (0.02, 0.0039)
    assert rel < 2 * (1 - p), (rel, 1 - p)


def test_density_and_edges_gaussian():
    # z(w) = (1 + w) e^{v w}/w, edges at the critical points v w^2 + v w - 1 = 0
    v = 1.0
    law = depth_limit_law(v=v)
    (a, b), = law.support()
    ws = [(-v + s * math.sqrt(v * v + 4 * v)) / (2 * v) for s in (-1, 1)]
    edges = sorted((1 + w) * math.exp(v * w) / w for w in ws)
    assert a == pytest.approx(edges[0], rel=1e-9) and b == pytest.approx(edges[1], rel=1e-9)
    res = law.density([0.5, 1.0, 2.0])
    assert res.evidence.ok and np.all(res.density > 0)


def test_errors():
    with pytest.raises(InvalidArgumentError, match="v"):
        depth_limit_law(v=-1)
    with pytest.raises(InvalidArgumentError, match="no jump"):
        depth_limit_law(jumps=[(1, 0.5)])
    with pytest.raises(InvalidArgumentError, match="mean"):
        depth_limit_law(mean=0)
    with pytest.raises(InvalidArgumentTypeError, match="jumps"):
        depth_limit_law(jumps=3)
    with pytest.raises(InvalidArgumentError, match="rate"):
        depth_limit_law(jumps=[(0, -1)])


def test_constructor_validates_like_the_builder():
    # DepthLimitLaw(...) used to store its arguments unchecked
    from freealg.dnn import DepthLimitLaw
    from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError

    for args in [(-1, (), 1), (1, (), 0), (1, [(1, 2)], 1)]:
        with pytest.raises(InvalidArgumentError):
            DepthLimitLaw(*args)
    with pytest.raises(InvalidArgumentTypeError):
        DepthLimitLaw(1, "ab", 1)
    # Var = m² v for the pure Gaussian part: v = 1, m = 2 gives 4
    assert DepthLimitLaw(1, (), 2).variance() == 4
