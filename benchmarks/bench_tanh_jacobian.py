"""Benchmark: Jacobian spectrum of a tanh network at the critical line (issue 11).

For L = 8 and 64, Gaussian and orthogonal weights, sigma_b = 0.05 and the float
sigma_w of ``critical_sigma_w("tanh", sigma_b=0.05)``: the median over repeats
of ``law.support()`` plus the certified ``law.density(x)`` on 1000 points of
``[0, 1.05 b]`` (b the right edge), each from a cold start (the per-(activation,
q) caches of the moments of nu and of its quadrature emptied), in wall time and
in CPU time of this process (the machine these figures come from is shared:
wall time there is several times the CPU time).

Baseline.  The route before issue 11 is not kept callable (it evaluated the
2304-node Gauss-Legendre rule of nu for every point, G and G' in two passes,
and the moments of nu by one adaptive mpmath quadrature each, recomputed for
1, 10 and 24 moments).  Figures measured with it at the start of the work, same
script and machine, wall time (load ~1.5-10 on 2 cores, hence the spread):

    L = 8 gaussian      support 16-73 s   density 11-52 s   certified
    L = 8 orthogonal    support 60 s      density 41 s      certification FAILED (x = 0)
    L = 64 gaussian     support 284 s     density 279 s     certification FAILED (3 points at the edge)

and a cProfile of L = 8 gaussian: 7.5 s in the mpmath moments of nu, 13 s (support) +
16 s (density) in the 2304-node sums, half of it a second pass for G'.

After the right-edge fix (``--quick``, cold caches, CPU seconds of this
process; support + density): L = 8 gaussian 0.61 + 1.23, L = 8 orthogonal
3.91 + 0.54, L = 64 gaussian 0.90 + 1.35, L = 64 orthogonal 3.52 + 0.69, all
certified (L = 64 gaussian had failed at the edge: the edge was placed 2.6e-8
relative inside the support and the zeta equation cancelled ~2 digits).

``--ablation`` also times the density with the Gauss rules of nu switched off
(every point through the 2304-node rule, G and G' still in one pass): the
in-process ratio for that part of the change.

Usage: python benchmarks/bench_tanh_jacobian.py [--quick] [--ablation]
"""

import statistics
import sys
import time

import numpy as np

import freealg
import freealg.laws  # noqa: F401  (before its private half: laws re-exports from it)
from freealg.laws import activation as _activation_law
from freealg.dnn import _smooth_factor, _spectra


def cold():
    _activation_law._MOMENTS.clear()
    _spectra._NU_FACTORS.clear()


def run(L, init, sw):
    cold()
    law = freealg.MLP(L, "tanh", sigma_w=sw, sigma_b=0.05, init=init).jacobian_law()
    w0, c0 = time.perf_counter(), time.process_time()
    sup = law.support()
    w1, c1 = time.perf_counter(), time.process_time()
    x = np.linspace(0, sup[-1][1] * 1.05, 1000)
    res = law.density(x, strict=False)
    w2, c2 = time.perf_counter(), time.process_time()
    return (w1 - w0, c1 - c0, w2 - w1, c2 - c1), res


def main(quick=False, ablation=False):
    import warnings

    warnings.simplefilter("ignore")
    sw = float(freealg.critical_sigma_w("tanh", sigma_b=0.05))
    reps = 1 if quick else 3
    print("tanh Jacobian, sigma_b = 0.05, critical sigma_w = %.12g, 1000-point density" % sw)
    print(f"{'L':>4} {'init':>11} {'support wall/cpu [s]':>21} {'density wall/cpu [s]':>21} "
          f"{'total cpu':>10} {'certified':>10}")
    for L in (8, 64):
        for init in ("gaussian", "orthogonal"):
            times, res = [], None
            for _ in range(reps):
                t, res = run(L, init, sw)
                times.append(t)
            m = [statistics.median(v) for v in zip(*times)]
            ev = res.evidence
            note = "yes" if ev.ok else "NO: " + "; ".join(ev.failures)[:60]
            print(f"{L:>4} {init:>11} {m[0]:>10.2f}/{m[1]:<10.2f} {m[2]:>10.2f}/{m[3]:<10.2f} "
                  f"{m[1] + m[3]:>10.2f} {note:>10}")
            if ablation:
                sizes = _smooth_factor._SmoothNuFactor.GAUSS_SIZES
                try:
                    _smooth_factor._SmoothNuFactor.GAUSS_SIZES = ()
                    t_off, _ = run(L, init, sw)
                finally:
                    _smooth_factor._SmoothNuFactor.GAUSS_SIZES = sizes
                    cold()
                print(f"{'':>16} without Gauss rules of nu: density cpu {t_off[3]:.2f} s "
                      f"(ratio {t_off[3] / m[3]:.1f})")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv, ablation="--ablation" in sys.argv)
