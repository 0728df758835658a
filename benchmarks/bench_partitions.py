"""Benchmark: NC(n) enumeration, streamed NC sums, exact moment->cumulant
conversion, first-call JIT time and import time.

Run:  python benchmarks/bench_partitions.py [--quick]

Prints medians and the ratio against a pure-Python enumerator run in the
same process (freealg.combinatorics._reference.noncrossing_partitions_py, the same stack
rule written in plain Python).
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import freealg
from freealg.combinatorics import _reference as ref


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fresh_process_seconds(code, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (for a smoke run)")
    args = ap.parse_args()
    quick = args.quick

    print("== import and JIT ==")
    imp = statistics.median(
        fresh_process_seconds("import time; t=time.perf_counter(); import freealg; "
                              "assert time.perf_counter()-t < 60") for _ in range(3)
    )
    base = statistics.median(fresh_process_seconds("pass") for _ in range(3))
    print(f"import freealg (fresh process, minus bare interpreter): {imp - base:.3f} s")
    with tempfile.TemporaryDirectory() as cache:
        cold = fresh_process_seconds(
            "import freealg; freealg.noncrossing_partitions(3); freealg.noncrossing_sum(3, [1.0]*3)",
            {"NUMBA_CACHE_DIR": cache},
        )
        warm = fresh_process_seconds(
            "import freealg; freealg.noncrossing_partitions(3); freealg.noncrossing_sum(3, [1.0]*3)",
            {"NUMBA_CACHE_DIR": cache},
        )
    print(f"first call, empty numba cache (compile): {cold - base:.2f} s; with cache: {warm - base:.2f} s")

    print("\n== NC(n) materialised (numba) vs pure Python ==")
    freealg.noncrossing_partitions(4)
    freealg.noncrossing_sum(4, np.ones(4))
    py_rates = {}
    for n in (10, 11, 12):
        t = median_time(lambda: ref.noncrossing_partitions_py(n), 3)
        py_rates[n] = freealg.catalan(n) / t
        print(f"pure Python  n={n:2d}: {py_rates[n] / 1e6:8.3f} M partitions/s")
    py_rate = max(py_rates.values())
    n = 12
    t = median_time(lambda: np.array(ref.noncrossing_partitions_py(n), dtype=np.int8), 3)
    py_arr_rate = freealg.catalan(n) / t
    print(f"pure Python to an int8 array (same output as the library) n={n}: "
          f"{py_arr_rate / 1e6:.3f} M partitions/s")
    sizes = range(12, 15) if quick else range(12, 18)
    for n in sizes:
        rep = 3 if n <= 15 else 1
        t = median_time(lambda: freealg.noncrossing_partitions(n), rep)
        rate = freealg.catalan(n) / t
        print(f"numba        n={n:2d}: {rate / 1e6:8.1f} M partitions/s   "
              f"({t:.3f} s, {rate / py_rate:5.0f}x pure-Python tuples, "
              f"{rate / py_arr_rate:5.0f}x pure-Python array)")

    print("\n== streamed sum over NC(n) of prod_B w(|B|) ==")
    py_stream = {}
    for n in (10, 11):
        w = [1.0] * n
        t = median_time(lambda: ref.nc_block_sum_py(n, w), 1)
        py_stream[n] = freealg.catalan(n) / t
        print(f"pure Python  n={n:2d}: {py_stream[n] / 1e6:8.3f} M partitions/s")
    py_srate = max(py_stream.values())
    for n in ((14, 15) if quick else (14, 16, 18)):
        w = np.linspace(0.5, 1.5, n)
        t = median_time(lambda: freealg.noncrossing_sum(n, w), 1 if n == 18 else 3)
        rate = freealg.catalan(n) / t
        print(f"numba        n={n:2d}: {rate / 1e6:8.1f} M partitions/s   "
              f"({t:.3f} s, {rate / py_srate:6.0f}x pure Python)")

    print("\n== exact moments -> free cumulants (O(n^3) recursion) ==")
    for n in ((50, 100) if quick else (100, 200)):
        cat = [math.comb(2 * k, k) // (k + 1) for k in range(1, n + 1)]
        t = median_time(lambda: freealg.free_cumulants(cat), 1 if n == 200 else 3)
        print(f"n={n}: {t:.2f} s (Catalan moments, exact integers)")
        fr = [freealg.cumulants.Fraction(1, k + 1) for k in range(n)]  # uniform[0,1]
        t = median_time(lambda: freealg.free_cumulants(fr), 1)
        print(f"n={n}: {t:.2f} s (uniform[0,1] moments 1/(k+1), exact fractions)")


if __name__ == "__main__":
    main()
