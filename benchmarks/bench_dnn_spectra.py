"""Benchmark of the deep-network spectra (freealg.dnn.jacobian, freealg.dnn.fisher).

Prints medians of wall times and ratios against baselines run in the same process:

1. Jacobian density of an orthogonal hard-tanh network (psg convention, critical line at
   sigma_b = 0.05) on 50 points: the functional-equation engine (what JacobianLaw.density uses)
   against the density engine on the spectral curve (degree L in G).
2. One-sample FIM density (orthogonal hard-tanh, 30 points): the subordination-system solver
   (FisherLaw.density) against the curve engine on fim_curve (degree 2^(L-2)); deeper nets only
   with the solver (the curve has degree 64 at L = 8).
3. Exact Jacobian moments m_1..m_6 (critical ReLU, depth 4): S-transform series
   (JacobianLaw.moments) against the freeness engine (dnn.polynomials.free_model).

Usage: python benchmarks/bench_dnn_spectra.py [--quick]
"""

import statistics
import sys
import time

import numpy as np
import sympy

import freealg
from freealg.dnn.polynomials import free_model


def timed(fn, repeats):
    out = []
    res = None
    for _ in range(repeats):
        t = time.perf_counter()
        res = fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out), res


def main(quick=False):
    sw = float(freealg.critical_sigma_w("hardtanh", 0.05))
    print("1. Jacobian density, orthogonal hard-tanh (psg), 50 points")
    print(f"{'L':>4} {'functional [s]':>15} {'curve engine [s]':>17} {'ratio':>7} {'max |diff|':>11}")
    for L in ([2, 4] if quick else [2, 4, 8]):
        net = freealg.MLP(L, "hardtanh", "orthogonal", sw, 0.05, jacobian_convention="psg")
        x = np.linspace(0.02, 1.0, 50)

        def fun():
            return net.jacobian_law().density(x)

        def cur():
            return net.jacobian_law().curve().density(x)

        tf, a = timed(fun, 1 if L > 4 else 3)
        tc, b = timed(cur, 1)
        print(f"{L:>4} {tf:>15.2f} {tc:>17.2f} {tc / tf:>7.1f} {np.max(np.abs(a.density - b.density)):>11.1e}")

    print("\n2. one-sample FIM density, orthogonal hard-tanh, 30 points")
    print(f"{'L':>4} {'solver [s]':>11} {'curve engine [s]':>17} {'ratio':>7} {'max |diff|':>11} {'evidence':>9}")
    for L in ([3, 4] if quick else [3, 4, 8, 16]):
        net = freealg.MLP(L, "hardtanh", "orthogonal", sw, 0.05)
        law0 = net.fim_law()
        hi = 1.05 * law0.lambda_max()
        x = np.linspace(0.01, hi, 30)

        def sol():
            return net.fim_law().density(x, strict=False)

        ts, a = timed(sol, 1)
        if L <= 4:
            def cur():
                return net.fim_law().curve().density(x, strict=False)

            tc, b = timed(cur, 1)
            d = np.abs(a.density - b.density)
            if not np.all(np.isfinite(d)):
                raise SystemExit(f"non-finite density difference at L = {L}: {d}")
            diff = float(np.max(d))
            print(f"{L:>4} {ts:>11.2f} {tc:>17.2f} {tc / ts:>7.1f} {diff:>11.1e} {str(a.evidence.ok):>9}")
        else:
            print(f"{L:>4} {ts:>11.2f} {'(degree ' + str(2 ** (L - 2)) + ')':>17} {'-':>7} {'-':>11} "
                  f"{str(a.evidence.ok):>9}")

    print("\n3. exact Jacobian moments m_1..m_6, critical ReLU, depth 4")
    net = freealg.MLP(4, "relu", "gaussian", sympy.sqrt(2), jacobian_convention="psg")

    def series():
        return net.jacobian_law().moments(6)

    def engine():
        model, names = free_model(net)
        J = names["J"]
        return [sympy.nsimplify(model.moment(freealg.tr((J * J.T) ** k))) for k in range(1, 7)]

    t1, m1 = timed(series, 3)
    t2, m2 = timed(engine, 1)
    print(f"S-series {t1 * 1e3:.1f} ms, freeness engine {t2 * 1e3:.1f} ms, ratio {t2 / t1:.0f}, "
          f"equal: {m1 == m2}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
