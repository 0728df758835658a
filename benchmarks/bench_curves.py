"""Build times of spectral curves (issue 4).

Prints medians over repeats and ratios against a baseline run in the same
process: the naive construction of MP^{⊠L} by L − 1 successive resultants
(what a polynomial-method tool without closed S-transforms does), against
the one-substitution construction from S^L used by freealg.

Run:  python benchmarks/bench_curves.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import time

import sympy

from freealg import Atomic, Bernoulli, MarchenkoPastur, free_mul, free_power, jacobian_curve
from freealg.laws.elimination import _mul_two_algebraic

R = sympy.Rational


def median_time(fn, repeats=3):
    times = []
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def naive_mp_power(L):
    """MP^{⊠L} by L − 1 resultants with exact factor selection (baseline)."""
    mp = MarchenkoPastur()
    cur = mp.curve()
    done = [(mp, 1)]
    for k in range(2, L + 1):
        done = [(mp, k)]
        cur = _mul_two_algebraic(cur, mp.curve(), done)
    return cur


def main(quick=False):
    depths = [2, 4, 8, 16] if quick else [2, 4, 8, 16, 32, 64]
    print("L-layer Jacobian, Bernoulli(1/2) D's, Gaussian weights, PSG convention (numeric)")
    print(f"{'L':>4} {'degree':>7} {'median s':>10}")
    for L in depths:
        t, c = median_time(lambda: jacobian_curve(L, Bernoulli(R(1, 2)), sigma_w=sympy.sqrt(2),
                                                   weights="gaussian", convention="psg"))
        print(f"{L:>4} {c.degree:>7} {t:>10.3f}")

    print("\nsame, symbolic p and sigma_w (moments checked symbolically + at random points)")
    p, s = sympy.symbols("p sigma_w", positive=True)
    for L in ([2, 4, 8] if quick else [2, 4, 8, 16, 32]):
        t, c = median_time(lambda: jacobian_curve(L, Bernoulli(p), sigma_w=s, weights="gaussian",
                                                   convention="psg"), repeats=1)
        print(f"{L:>4} {c.degree:>7} {t:>10.3f}")

    print("\nMP^{⊠L}: one substitution from S^L vs L-1 successive resultants (baseline)")
    print(f"{'L':>4} {'freealg s':>10} {'baseline s':>11} {'ratio':>7}")
    for L in ([2, 4, 6] if quick else [2, 4, 6, 8]):
        t1, c1 = median_time(lambda: free_power(MarchenkoPastur(), L))
        t2, c2 = median_time(lambda: naive_mp_power(L), repeats=1)
        assert c1 == c2
        print(f"{L:>4} {t1:>10.3f} {t2:>11.3f} {t2 / t1:>7.1f}")
    print("  (reference: a published polynomial-method tool built MP^{⊠8} in 0.63 s)")

    print("\n⊠-products of two-atom laws")
    a = Atomic([1, 3], [R(2, 3), R(1, 3)])
    t, c = median_time(lambda: free_power(a, 6))
    print(f"  a^(⊠6), one resultant S^6 = T:          {t:8.3f} s, degree {c.degree}")
    laws = [Atomic([1, k + 2], [R(1, 2), R(1, 2)]) for k in range(6)]
    n_distinct = 3 if quick else 4
    t, c = median_time(lambda: free_mul(*laws[:n_distinct]), repeats=1)
    print(f"  {n_distinct} distinct two-atom laws, successive resultants: {t:8.3f} s, degree {c.degree}")
    print("  (reference: the published tool needed 63 s for a 6-fold product of two-atom laws)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
