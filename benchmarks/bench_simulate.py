"""Benchmarks of freealg.simulate and freealg.verify.

Prints medians (ms) and ratios against baselines run in the same process:

* haar_orthogonal(n) against a bare Gaussian draw + QR (the sign correction's
  overhead) and against ginibre(n);
* verify.evaluate of tr((J J^T)^3) (one 9-letter word, expanded by the
  canonical form) against a hand-written numpy product;
* evaluate with diagonal letters given as vectors against the same letters as
  dense diagonal matrices;
* NetworkInstance.fim_one_sample against parameter_jacobian + J J^T (the
  identity M Theta = J J^T, computed the expensive way).

Run:  OPENBLAS_NUM_THREADS=1 python benchmarks/bench_simulate.py
(multi-threaded OpenBLAS on a loaded machine makes small QRs erratic).
"""

import statistics
import sys
import time

import numpy as np

import freealg
from freealg import nc_symbols, simulate, tr, verify


def median_ms(f, repeat=7, number=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            f()
        times.append((time.perf_counter() - t) / number * 1e3)
    return statistics.median(times)


def row(name, t, base=None, base_name=""):
    ratio = f"  x{t / base:6.2f} vs {base_name}" if base else ""
    print(f"  {name:<44} {t:9.3f} ms{ratio}")


def main():
    rng = np.random.default_rng(0)
    print("ensembles")
    for n in (100, 400):
        base = median_ms(lambda: np.linalg.qr(rng.standard_normal((n, n))))
        row(f"Gaussian + QR, n={n} (baseline)", base)
        row(f"haar_orthogonal, n={n}", median_ms(lambda: simulate.haar_orthogonal(n, rng)),
            base, "Gaussian + QR")
        row(f"ginibre, n={n}", median_ms(lambda: simulate.ginibre(n, rng)), base, "Gaussian + QR")

    print("evaluate tr((J J^T)^3), J = W2 D1 W1")
    W1, W2 = nc_symbols("W1 W2")
    D1 = nc_symbols("D1", selfadjoint=True)
    J = W2 * D1 * W1
    expr = tr((J * J.T) ** 3)
    for n in (100, 400):
        w1, w2 = simulate.haar_orthogonal(n, rng), simulate.haar_orthogonal(n, rng)
        d = rng.random(n)
        dm = np.diag(d)

        def hand():
            j = w2 @ (d[:, None] * w1)
            a = j @ j.T
            return np.trace(a @ a @ a) / n

        base = median_ms(hand)
        row(f"numpy by hand, n={n} (baseline)", base)
        row(f"verify.evaluate, D as vector, n={n}",
            median_ms(lambda: verify.evaluate(expr, {"W1": w1, "W2": w2, "D1": d})), base, "by hand")
        row(f"verify.evaluate, D as dense matrix, n={n}",
            median_ms(lambda: verify.evaluate(expr, {"W1": w1, "W2": w2, "D1": dm})), base, "by hand")

    print("one-sample FIM, depth 4")
    net = freealg.MLP(4, "tanh", init="gaussian", sigma_w=1.2, sigma_b=0.1)
    for n in (32, 64):
        inst = simulate.sample_network(net, n, rng)
        x = simulate.random_input(n, rng)

        def via_jacobian():
            jt = inst.parameter_jacobian(x)
            return jt @ jt.T / n

        base = median_ms(via_jacobian, repeat=5, number=1)
        row(f"parameter_jacobian J J^T / M, n={n} (baseline)", base)
        row(f"fim_one_sample recursion, n={n}", median_ms(lambda: inst.fim_one_sample(x)), base,
            "J J^T / M")
    return 0


if __name__ == "__main__":
    sys.exit(main())
