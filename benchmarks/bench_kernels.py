"""NNGP + NTK kernel matrices for smooth activations (tanh, gelu), L = 3.

Prints medians over repeats of ``net.nngp_kernel(X)`` + ``net.ntk_kernel(X)``
(six 2-D Gaussian-expectation calls on all input pairs) for the current code,
and ratios against two baselines run in the same script on fewer inputs
(``--n-baseline``, default 40), with the agreement of each with the current
code on the small set.  The time of ``previous`` on all ``--n`` inputs is
measured where it sends no pair to its product rule on the small set (its cost
is then per call), else extrapolated by the number of pairs (the product rule
dominates and is linear in the pairs), like that of ``v0``:

* ``previous``: the code before the Mehler passes at orders 1024/2048 and the
  Gauss–Hermite inner rule (a verbatim copy, ``benchmarks/_prev_quadrature_np.py``);
* ``v0``: the per-pair 2-D composite Gauss–Legendre product rule of the first
  release (``_old_expect2_np`` below, 10 nodes per panel, ~3.6·10⁴
  evaluations of phi per pair).

Cases: 500 iid inputs, and 500 nearly parallel ones (a common direction plus
0.2 times noise: correlations ~0.96..0.999 at the first layer) at
sigma_w = 4 (variances ~10..140, where Mehler's series needs 1000..2000 terms)
and at sigma_w = 1.4.

Run:  OPENBLAS_NUM_THREADS=1 python benchmarks/bench_kernels.py [--n 500] [--repeat 3]
"""

import argparse
import math
import os
import statistics
import sys
import time

import numpy as np

import freealg.activations.expectations as E  # the module whose _expect2_np the kernels call
import freealg.activations.quadrature_np as A
from freealg.dnn import MLP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _prev_quadrature_np as PREV  # noqa: E402

# ---------------------------------------------------------------------------
# baseline v0: a plain copy of the first _expect2_np (before the Mehler path)
# ---------------------------------------------------------------------------
_OLD_GLN2 = 10
_OLD_GL2 = np.polynomial.legendre.leggauss(_OLD_GLN2)
_OLD_SOFT2 = (0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 4.0, -4.0, 8.0, -8.0)


def _old_expect2_np(f, s11, s12, s22, breakpoints, rho=None, chunk=2_000_000):
    shape = s11.shape
    s11, s12, s22 = (np.ravel(v).astype(float) for v in (s11, s12, s22))
    P = s11.size
    out = np.empty(P)
    hs = np.array(list(_OLD_SOFT2) + [float(b) for b in breakpoints])
    zero1 = s11 == 0
    if np.any(zero1):
        out[zero1] = f(np.zeros(1))[0] * A._expect1_np(f, s22[zero1], breakpoints)
    idx = np.flatnonzero(~zero1)
    n_out = (A._UNIFORM.size + hs.size - 1) * _OLD_GLN2
    step = max(1, chunk // (n_out * n_out))
    for start in range(0, idx.size, step):
        sel = idx[start:start + step]
        r11, r12, r22 = s11[sel], s12[sel], s22[sel]
        sq = np.sqrt(r11)
        a = r12 / sq
        rr = np.clip(a / np.where(r22 > 0, np.sqrt(r22), 1.0), -1.0, 1.0)
        c = np.sqrt(r22) * np.sqrt(np.maximum((1.0 - rr) * (1.0 + rr), 0.0))
        pts1 = hs[None, :] / sq[:, None]
        z1, w1 = A._panel_rule(A._edges(pts1, (sel.size,)), _OLD_GL2)
        g1 = f(sq[:, None] * z1) * w1 * np.exp(-0.5 * z1 * z1)
        csafe = np.maximum(c, 1e-300)[:, None, None]
        az = a[:, None, None] * z1[:, :, None]
        with np.errstate(over="ignore", invalid="ignore"):
            pts2 = (hs[None, None, :] - az) / csafe
        z2, w2 = A._panel_rule(A._edges(pts2, z1.shape), _OLD_GL2)
        v = az + c[:, None, None] * z2
        inner = np.sum(w2 * np.exp(-0.5 * z2 * z2) * f(v), axis=-1)
        out[sel] = np.sum(g1 * inner, axis=-1) / (2.0 * math.pi)
    return out.reshape(shape)


_PRODUCT_PAIRS = [0]
_prev_product = PREV._product_np


def _counting_product(f, s11, *args, **kwargs):
    _PRODUCT_PAIRS[0] += s11.size
    return _prev_product(f, s11, *args, **kwargs)


PREV._product_np = _counting_product


def median_time(fn, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def both(net, X):
    return net.nngp_kernel(X), net.ntk_kernel(X)


def _with(impl, fn):
    saved = E._expect2_np
    E._expect2_np = impl
    try:
        return fn()
    finally:
        E._expect2_np = saved


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="inputs for the current code")
    ap.add_argument("--n-baseline", type=int, default=40, help="inputs for the baselines")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-v0", action="store_true", help="skip the first-release baseline")
    ap.add_argument("--cases", default="123456", help="which cases to run (digits 1..6)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    X_iid = rng.standard_normal((args.n, 20))
    X_par = rng.standard_normal((1, 20)) + 0.2 * rng.standard_normal((args.n, 20))
    nb = args.n_baseline
    pairs_b = nb * (nb + 1) / 2
    baselines = [("previous", PREV._expect2_np)] + ([] if args.no_v0 else [("v0", _old_expect2_np)])
    print(f"L = 3, inputs in R^20; NNGP + NTK; median of {args.repeat} (baselines: 1 run)")
    case = 0
    for act, sw, sb, X, label in (("tanh", 1.4, 0.1, X_iid, "iid"),
                                  ("gelu", 1.4, 0.1, X_iid, "iid"),
                                  ("tanh", 4.0, 0.5, X_par, "nearly parallel"),
                                  ("gelu", 4.0, 0.5, X_par, "nearly parallel"),
                                  ("tanh", 1.4, 0.5, X_par, "nearly parallel"),
                                  ("gelu", 1.4, 0.5, X_par, "nearly parallel")):
        case += 1
        if str(case) not in args.cases:
            continue
        Xb = X[:nb]
        n = X.shape[0]
        pairs = n * (n + 1) / 2
        net = MLP(3, act, sigma_w=sw, sigma_b=sb)
        both(net, X[:5])  # warm-up (compiled helpers, caches)
        t_new = median_time(lambda: both(net, X), args.repeat)
        t_new_b = median_time(lambda: both(net, Xb), args.repeat)
        K_new, T_new = both(net, Xb)
        print(f"{act:5s} sigma_w = {sw}, sigma_b = {sb}, {n} {label} inputs: {t_new:7.2f} s "
              f"(n = {nb}: {t_new_b * 1e3:7.1f} ms)", flush=True)
        for name, impl in baselines:
            t_old_b = _with(impl, lambda: median_time(lambda: both(net, Xb), 1))
            _PRODUCT_PAIRS[0] = 0
            K_old, T_old = _with(impl, lambda: both(net, Xb))
            diff = max(np.max(np.abs(K_new - K_old) / np.abs(K_new).max()),
                       np.max(np.abs(T_new - T_old) / np.abs(T_new).max()))
            if name == "previous" and _PRODUCT_PAIRS[0] == 0:
                # no pair on the product rule: the cost is per call, measure it
                t_full = _with(impl, lambda: median_time(lambda: both(net, X), 1))
                full = f"measured at n = {n}: {t_full:7.2f} s (ratio {t_full / t_new:6.1f}x)"
            else:
                # dominated by the per-pair product rule: linear in the pairs
                t_old_extrap = t_old_b * pairs / pairs_b
                full = f"extrapolated to n = {n}: ~{t_old_extrap:6.0f} s (ratio ~{t_old_extrap / t_new:5.0f}x)"
            print(f"    {name:8s}: n = {nb}: {t_old_b:7.2f} s (ratio {t_old_b / t_new_b:6.1f}x)  |  {full}  |  "
                  f"max |new - old| / max|K| = {diff:.1e}", flush=True)

if __name__ == "__main__":
    main()
