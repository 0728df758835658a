"""NNGP + NTK kernel matrices for smooth activations (tanh, gelu), L = 3.

Prints medians over repeats of ``net.nngp_kernel(X)`` + ``net.ntk_kernel(X)``
(six 2-D Gaussian-expectation calls on all input pairs) for the current code,
and a ratio against a baseline run in the same script: the previous algorithm,
kept below as a plain reference copy (``_old_expect2_np``: the per-pair 2-D
composite Gauss–Legendre product rule, 10 nodes per panel, ~3.6·10⁴
evaluations of phi per pair).  The baseline is run on fewer inputs
(``--n-baseline``, default 40) because its cost is ~0.5 ms per pair and call;
its time at ``--n`` inputs is extrapolated by the number of pairs (the cost is
linear in the pairs), and the agreement of the two on the small set is printed.

Run:  OPENBLAS_NUM_THREADS=1 python benchmarks/bench_kernels.py [--n 500] [--repeat 3]
"""

import argparse
import math
import statistics
import time

import numpy as np

import freealg.activations.expectations as E  # the module whose _expect2_np the kernels call
import freealg.activations.quadrature_np as A
from freealg.dnn import MLP

# ---------------------------------------------------------------------------
# baseline: a plain copy of the previous _expect2_np (before the Mehler path)
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


def median_time(fn, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def both(net, X):
    return net.nngp_kernel(X), net.ntk_kernel(X)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="inputs for the current code")
    ap.add_argument("--n-baseline", type=int, default=40, help="inputs for the baseline")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    X_iid = rng.standard_normal((args.n, 20))
    # nearly parallel inputs: correlations 0.96..0.999, where the Mehler series
    # converges slowly (many terms; before order 512, many pairs on the product rule)
    # (200 of them: at 500, sigma_w = 4, most pairs still need the product rule
    # and the current code is no faster than the baseline, ~230 s)
    X_par = rng.standard_normal((1, 20)) + 0.2 * rng.standard_normal((min(args.n, 200), 20))
    pairs_b = args.n_baseline * (args.n_baseline + 1) / 2
    new_impl = E._expect2_np
    print(f"L = 3, inputs in R^20; NNGP + NTK; median of {args.repeat}")
    for act, sw, sb, X, label in (("tanh", 1.4, 0.1, X_iid, "iid inputs"),
                                  ("gelu", 1.4, 0.1, X_iid, "iid inputs"),
                                  ("tanh", 4.0, 0.5, X_par, "nearly parallel inputs")):
        Xb = X[: args.n_baseline]
        n = X.shape[0]
        pairs = n * (n + 1) / 2
        net = MLP(3, act, sigma_w=sw, sigma_b=sb)
        both(net, X[:5])  # warm-up (compiled helpers, caches)
        t_new = median_time(lambda: both(net, X), args.repeat)
        t_new_b = median_time(lambda: both(net, Xb), args.repeat)
        K_new, T_new = both(net, Xb)
        E._expect2_np = _old_expect2_np
        try:
            t_old_b = median_time(lambda: both(net, Xb), max(1, min(args.repeat, 2)))
            K_old, T_old = both(net, Xb)
        finally:
            E._expect2_np = new_impl
        diff = max(np.max(np.abs(K_new - K_old) / np.abs(K_new).max()),
                   np.max(np.abs(T_new - T_old) / np.abs(T_new).max()))
        t_old_extrap = t_old_b * pairs / pairs_b
        print(f"{act:5s} sigma_w = {sw}, sigma_b = {sb}, {label}:")
        print(f"    n = {n}: {t_new:7.2f} s  |  n = {args.n_baseline}: current "
              f"{t_new_b * 1e3:7.1f} ms, baseline {t_old_b:6.2f} s, ratio {t_old_b / t_new_b:6.0f}x  |  "
              f"baseline extrapolated to n = {n}: {t_old_extrap:6.0f} s "
              f"(ratio {t_old_extrap / t_new:5.0f}x)  |  max |new - old| / max|K| = {diff:.1e}")


if __name__ == "__main__":
    main()
