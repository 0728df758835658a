"""Jacobian spectra of critical networks with float σ's, the inputs users give.

Hard-tanh with orthogonal weights (σ_b = 0.05, σ_w = critical_sigma_w(...), a
float) and ReLU with Gaussian weights (σ_b = 0, σ_w = float(√2)) at depths
L = 2 … 8192: the time to build the law, its support, and a certified density
on 1000 points from 0 to 1.05 × the top edge (CPU seconds, median of ``--reps`` fresh laws
after one warm-up), with the evidence.  Baseline in the same run: the same law
built from the exact rationals ``Fraction(float)`` of the float parameters
(the exact-input route, whose moment series grow with the depth), at the
depths where it finishes in reasonable time (``--baseline-max-L``).

Usage: ``python benchmarks/bench_critical_line.py [--reps N] [--quick]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from fractions import Fraction

import numpy as np

import freealg


def run(net, reps):
    ts = {"law": [], "support": [], "density": []}
    res = None
    for _ in range(reps):
        t0 = time.process_time()
        law = net.jacobian_law()
        t1 = time.process_time()
        sup = law.support()
        t2 = time.process_time()
        top = float(sup[-1][1]) if sup else 2.0
        x = np.linspace(0.0, 1.05 * top, 1000)
        res = law.density(x) if sup else None
        t3 = time.process_time()
        ts["law"].append(t1 - t0)
        ts["support"].append(t2 - t1)
        ts["density"].append(t3 - t2)
    med = {k: statistics.median(v) for k, v in ts.items()}
    ok = True if res is None else bool(res.evidence.ok)
    return med, ok, res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="L = 2, 8, 32, 512 only")
    ap.add_argument("--baseline-max-L", type=int, default=32)
    args = ap.parse_args()
    Ls = [2, 8, 32, 512] if args.quick else [2, 8, 32, 128, 512, 2048, 8192]
    sw_ht = float(freealg.critical_sigma_w("hardtanh", sigma_b=0.05))
    cases = {
        "hard-tanh/orthogonal, sigma_b = 0.05": dict(activation="hardtanh", init="orthogonal",
                                                    sigma_w=sw_ht, sigma_b=0.05),
        "ReLU/Gaussian, sigma_b = 0": dict(activation="relu", init="gaussian",
                                          sigma_w=float(np.sqrt(2.0)), sigma_b=0.0),
    }
    freealg.MLP(2, "relu", sigma_w=2 ** 0.5).jacobian_law().density(np.linspace(0.1, 3, 10))  # warm
    for name, kw in cases.items():
        print(f"\n{name}: sigma_w = {kw['sigma_w']!r} (float); 1000 points; median of {args.reps}")
        print(f"{'L':>6} | {'law s':>7} {'support s':>9} {'density s':>9} {'total s':>8} ok | "
              f"{'exact-input total s':>19}  ratio")
        for L in Ls:
            net = freealg.MLP(L, **kw)
            med, ok, _ = run(net, args.reps)
            tot = sum(med.values())
            base = ""
            if L <= args.baseline_max_L:
                exact = dict(kw, sigma_w=Fraction(kw["sigma_w"]), sigma_b=Fraction(kw["sigma_b"]))
                bmed, bok, _ = run(freealg.MLP(L, **exact), 1)
                btot = sum(bmed.values())
                base = f"{btot:19.2f}  {btot / tot:5.1f}x" + ("" if bok else " [FAILED]")
            print(f"{L:>6} | {med['law']:7.3f} {med['support']:9.3f} {med['density']:9.3f} "
                  f"{tot:8.3f} {'Y' if ok else 'N'}  | {base}")


if __name__ == "__main__":
    main()
