"""Benchmarks of the mean-field and kernel layer (freealg.activations, freealg.dnn).

Prints medians over repeats and ratios against a baseline run in the same process:
* 1-D Gaussian expectation: vectorised float rule vs mpmath tanh-sinh (per value);
* q* for tanh: float engine vs mpmath at 30 digits;
* NNGP kernel on n inputs: relu closed form vs tanh 2-D quadrature (per pair);
* critical line for tanh over 20 values of sigma_b.

Run:  python benchmarks/bench_dnn.py
"""

import statistics
import time

import mpmath
import numpy as np

import freealg
from freealg.dnn import MLP, critical_line


def median_time(fn, repeat=5):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    tanh = freealg.get_activation("tanh")
    tanh.gaussian_expectation_np("phi2", 1.0)  # warm-up
    qs = np.linspace(0.01, 10, 1000)
    t_np = median_time(lambda: tanh.gaussian_expectation_np("phi2", qs)) / qs.size
    t_mp = median_time(lambda: [tanh.gaussian_expectation("phi2", mpmath.mpf(q)) for q in qs[:10]], 3) / 10
    print(f"E[tanh(h)^2]: float rule {t_np * 1e6:8.1f} us/value, mpmath quad {t_mp * 1e6:8.1f} us/value, "
          f"ratio {t_mp / t_np:7.0f}x")

    def qstar(dps):
        net = MLP(3, "tanh", sigma_w=1.5, sigma_b=0.3)  # fresh object: no cache
        return net.q_star(dps=dps)

    t_f = median_time(lambda: qstar(None))
    t_m = median_time(lambda: qstar(30), 3)
    print(f"q* tanh: float {t_f * 1e3:8.2f} ms, dps=30 {t_m * 1e3:8.1f} ms, ratio {t_m / t_f:6.0f}x")

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 20))
    relu = MLP(3, "relu", sigma_w=1.4, sigma_b=0.1)
    th = MLP(3, "tanh", sigma_w=1.4, sigma_b=0.1)
    pairs = 60 * 61 / 2
    t_r = median_time(lambda: relu.ntk_kernel(X))
    t_t = median_time(lambda: th.ntk_kernel(X), 3)
    print(f"NTK 60 inputs, L=3: relu closed form {t_r * 1e3:8.2f} ms, tanh quadrature {t_t * 1e3:8.1f} ms "
          f"({t_t / pairs * 1e6:6.0f} us/pair), ratio {t_t / t_r:6.0f}x")

    sbs = np.linspace(0, 1, 20)
    t_c = median_time(lambda: critical_line("tanh", sbs), 3)
    print(f"critical line tanh, 20 sigma_b: {t_c * 1e3:8.1f} ms ({t_c / 20 * 1e3:6.1f} ms/point)")


if __name__ == "__main__":
    main()
