"""Benchmark of the certified density engine (issue 5).

Prints, for 1000-point grids, the median wall time and the maximal error of

* MP^{⊠L} (L = 2, 8, 32, 128, 1024) against the exact Haagerup-Moller density:
  - ``free_mul_law([MP], [L]).density(x)`` (functional equation),
  - ``curve_density((zG)^(L+1) - z(zG - 1), z, G, x)`` (algebraic curve),
  - the plain baseline: ``numpy.roots`` of P(x + 1e-9 i, .) at every grid
    point, keeping the root of largest |Im G|;
* Jacobian spectra of hard-tanh networks with orthogonal weights
  (⊠ of sigma_w^2 delta and Bernoulli(p)) and ReLU networks with Gaussian
  weights (⊠ of scaled Marchenko-Pastur and Bernoulli(1/2)), at the edge of
  chaos (m_1 = 1): time, evidence (mass, moments), and the distance between
  the two engines and to the baseline (no closed form exists).

``curve_density`` routes a curve of degree > ``density.CURVE_MAX_DEGREE``
(12) in ``G`` that is of S-transform form to the functional engine (issue 11:
at L = 32 the curve route took minutes and failed its certification); such
entries of the "curve" columns are marked ``(f)``, the engine being read from
``result.evidence.engine``.

All times include the evidence (support, atoms, mass quadrature, contour
moments, residues) and a fresh law or curve each run (no caches).

Usage: ``python benchmarks/bench_density.py [--quick] [--reps N]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import sympy

from freealg import density
from freealg.density import algebraic as _curve
from freealg.functional import free_mul_law


class MP:
    def __init__(self, c=1):
        self.c = Fraction(c)

    def moments(self, n):
        return [Fraction(comb(2 * k, k), k + 1) * self.c**k for k in range(1, n + 1)]

    def cauchy(self, z):
        u = np.asarray(z, complex) / float(self.c)
        return (u - np.sqrt(u) * np.sqrt(u - 4)) / (2 * u) / float(self.c)

    def s_transform(self, w):
        return 1 / (float(self.c) * (1 + w))

    def atoms(self):
        return []


class Bernoulli:
    def __init__(self, p):
        self.p = Fraction(p)

    def moments(self, n):
        return [self.p] * n

    def cauchy(self, z):
        z = np.asarray(z, complex)
        return (1 - float(self.p)) / z + float(self.p) / (z - 1)

    def s_transform(self, w):
        return (1 + w) / (float(self.p) + w)

    def atoms(self):
        return [(0, 1 - self.p), (1, self.p)]


class Point:
    def __init__(self, c):
        self.c = Fraction(c)

    def moments(self, n):
        return [self.c**k for k in range(1, n + 1)]

    def cauchy(self, z):
        return 1 / (np.asarray(z, complex) - float(self.c))

    def s_transform(self, w):
        return 1 / float(self.c) + 0 * w

    def atoms(self):
        return [(self.c, Fraction(1))]


def hm_grid(L, n=1000):
    """Exact (x, rho) of MP^{⊠L} on a Haagerup-Moller theta grid (mpmath)."""
    s = L + 1
    theta = np.pi / s * (np.arange(n) + 0.5) / n
    xs, rs = [], []
    with mpmath.workdps(30):
        for t in theta:
            t = mpmath.mpf(t)
            x = mpmath.sin(s * t) ** s / (mpmath.sin(t) * mpmath.sin((s - 1) * t) ** (s - 1))
            r = mpmath.sin(t) ** 2 * mpmath.sin((s - 1) * t) ** (s - 2) / mpmath.sin(s * t) ** (s - 1) / mpmath.pi
            xs.append(float(x))
            rs.append(float(r))
    x, rho = np.array(xs), np.array(rs)
    bulk = (theta * s / np.pi > 0.01) & (theta * s / np.pi < 0.99) & (x > 1e-300)
    return x, rho, bulk


def baseline_roots(coeffs_at, x, eps=1e-9):
    """numpy.roots at every point, root of largest |Im| (the rule to avoid)."""
    out = np.empty(x.size)
    for k, xv in enumerate(x):
        try:
            r = np.roots(coeffs_at(complex(xv, eps)))
            out[k] = np.max(np.abs(r.imag)) / np.pi
        except np.linalg.LinAlgError:  # companion matrix overflow: counted as a failure
            out[k] = np.nan
    return out


def timed(fn, reps):
    ts, out = [], None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def fresh_curve_density(P, z, G, x):
    from freealg.density import curve as _dc

    _dc._curve_of.cache_clear()  # a fresh SpectralCurve (normal form, series, candidates)
    _dc._raw_engine.cache_clear()
    _curve.curve_engine.cache_clear()
    return density.curve_density(P, z, G, x, strict=False)


def rel_err(a, b, mask):
    """Max relative error on mask (a NaN -- a failed point -- counts as inf)."""
    with np.errstate(all="ignore"):
        e = np.abs(a[mask] / b[mask] - 1)
    return float(np.max(np.where(np.isnan(e), np.inf, e)))


def bench_mp(Ls, reps, curve_max_L, base_max_L):
    z, G = sympy.symbols("z G")
    print("MP^{⊠L}, 1000 points; max relative error in the bulk (theta (L+1)/pi in [0.01, 0.99])")
    print(f"{'L':>6} | {'functional s':>12} {'err':>8} | {'curve s':>9} {'err':>8} | "
          f"{'np.roots s':>10} {'err':>8} | speedup vs roots")
    for L in Ls:
        x, rho, bulk = hm_grid(L)
        tf, rf = timed(lambda: free_mul_law([MP()], [L]).density(x, strict=False), reps if L < 1024 else 1)
        ef = rel_err(rf.density, rho, bulk)
        if L <= curve_max_L:
            P = (z * G) ** (L + 1) - z * (z * G - 1)
            tc, rc = timed(lambda: fresh_curve_density(P, z, G, x), 1)
            ec = f"{rel_err(rc.density, rho, bulk):8.1e}"
            tcs = f"{tc:5.2f}" + (" (f)" if rc.evidence.engine == "functional" else "    ")
            curve_ok = rc.evidence.ok
        else:
            tcs, ec = f"{'-':>9}", f"{'-':>8}"
            curve_ok = True

        def coeffs(zz, L=L):
            # (zG)^(L+1) - z^2 G + z, scaled by its largest coefficient (logs)
            lc = np.array([(L + 1) * np.log(zz), np.log(-zz * zz), np.log(zz)])
            lc = np.exp(lc - lc.real.max())
            c = np.zeros(L + 2, complex)
            c[0], c[-2], c[-1] = lc
            return c

        if L <= base_max_L:
            tb, rb = timed(lambda: baseline_roots(coeffs, x), 1)
            eb = rel_err(rb, rho, bulk)
            speed = f"{tb / tf:6.1f}x"
            tbs, ebs = f"{tb:10.2f}", f"{eb:8.1e}"
        else:
            k = 20
            tb, _ = timed(lambda: baseline_roots(coeffs, x[:: x.size // k]), 1)
            tbs, ebs, speed = f"~{tb * x.size / k:9.0f}", f"{'(skip)':>8}", "(estimated)"
        print(f"{L:>6} | {tf:12.2f} {ef:8.1e} | {tcs} {ec} | {tbs} {ebs} | {speed}"
              + ("" if rf.evidence.ok else "  [evidence FAILED]")
              + ("" if curve_ok else "  [curve evidence FAILED]"))


def jacobian_curve(kind, L, z, G):
    w = z * G - 1
    if kind == "hard-tanh/orthogonal":  # S = (3/4)^L ((1 + w)/(3/4 + w))^L, sigma_w^2 = 4/3
        p = sympy.Rational(3, 4)
        return sympy.expand(z * w * (1 + w) ** (L - 1) * p**L - (p + w) ** L)
    # ReLU/Gaussian, sigma_w^2 = 2: S = 2^-L (1 + w)^-L ((1 + w)/(1/2 + w))^L = (1 + 2w)^-L
    return sympy.expand(z * w - (1 + w) * (1 + 2 * w) ** L)


def bench_jacobians(Ls, reps, curve_max_L, base_max_L):
    z, G = sympy.symbols("z G")
    cases = {
        "hard-tanh/orthogonal": lambda L: free_mul_law([Point(Fraction(4, 3)), Bernoulli(Fraction(3, 4))], [L, L]),
        "ReLU/Gaussian": lambda L: free_mul_law([MP(2), Bernoulli(Fraction(1, 2))], [L, L]),
    }
    for name, make in cases.items():
        print(f"\n{name} Jacobian JJ^T at chi = 1, 1000 points (no closed form: engines compared)")
        print(f"{'L':>6} | {'functional s':>12} {'mass err':>9} {'mom err':>8} | {'curve s':>9} "
              f"{'|diff|/max':>10} | {'np.roots s':>10} {'|diff|/max':>10}")
        for L in Ls:
            law = make(L)
            hi = law.support()[-1][1]
            x = np.linspace(hi * 1e-3, hi * 0.999, 1000)
            tf, rf = timed(lambda: make(L).density(x, strict=False), reps if L < 1024 else 1)
            ev = rf.evidence
            scale = np.max(rf.density)
            if L <= curve_max_L:
                P = jacobian_curve(name, L, z, G)
                tc, rc = timed(lambda: fresh_curve_density(P, z, G, x), 1)
                dc = f"{np.max(np.abs(rc.density - rf.density)) / scale:10.1e}"
                tcs = f"{tc:5.2f}" + (" (f)" if rc.evidence.engine == "functional" else "    ")
                if not rc.evidence.ok:
                    dc += " [curve evidence FAILED]"
            else:
                tcs, dc = f"{'-':>9}", f"{'-':>10}"
            if L <= base_max_L:
                Pp = sympy.Poly(jacobian_curve(name, L, z, G), G)
                cf = [sympy.lambdify(z, c, "numpy") for c in Pp.all_coeffs()]
                tb, rb = timed(lambda: baseline_roots(lambda zz: np.array([f(zz) for f in cf], complex), x), 1)
                db = f"{np.max(np.abs(rb - rf.density)) / scale:10.1e}"
                tbs = f"{tb:10.2f}"
            else:
                tbs, db = f"{'-':>10}", f"{'-':>10}"
            print(f"{L:>6} | {tf:12.2f} {ev.mass_error:9.1e} {max(ev.moment_errors):8.1e} | {tcs} {dc} | {tbs} {db}"
                  + ("" if ev.ok else "  [evidence FAILED]"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="L up to 128 only")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    Ls = [2, 8, 32, 128] if args.quick else [2, 8, 32, 128, 1024]
    bench_mp(Ls, args.reps, curve_max_L=128 if args.quick else 1024, base_max_L=128)
    bench_jacobians(Ls, args.reps, curve_max_L=32, base_max_L=32)


if __name__ == "__main__":
    main()
