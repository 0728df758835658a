"""MP^{⊠L} on 1000 points: freealg against a plain Newton continuation.

The baseline is the simplest fast method a user would write (it stands in for
the "Newton lilypads" code, which is kept out of the project): on the curve
``(1 + w)^{L+1} = z w`` of ``MP^{⊠L}`` (``w = z G − 1``), sweep the grid from
right to left at height ``z = x + i 1e-9 x_max`` and solve each point by
Newton's method started from the previous solution, compiled with numba.  It
has no evidence and no branch control.

freealg is timed two ways on the same grid:

* ``values``: the bare vertical continuation (``law._engine().values``),
  G on the axis without evidence, comparable to the baseline;
* ``density``: the full certified call (support, atoms, mass by quadrature,
  contour moments against the exact moments, residues, polishing).

Each is a fresh law (no caches), CPU seconds (``time.process_time``: the machine
may be shared), median of ``--reps`` runs; the baseline is
timed after one warm-up call (numba compile excluded).  Errors are maximal
relative errors against the exact Haagerup–Møller density in the bulk
(``θ (L+1)/π ∈ [0.01, 0.99]``).

Usage: ``python benchmarks/bench_mp_power.py [--reps N] [--quick]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba
import numpy as np

import freealg
from freealg.functional import free_mul_law

from bench_density import hm_grid as _hm_grid  # same folder: the one Haagerup-Moller grid


def hm_grid(L, n=1000):
    """Exact (x, rho, bulk mask) of MP^{⊠L}, sorted by x (bench_density's grid)."""
    x, rho, bulk = _hm_grid(L, n)
    order = np.argsort(x)
    return x[order], rho[order], bulk[order]


@numba.njit(cache=True)
def _newton_sweep(x, L, eps):
    """Baseline: right-to-left sweep, Newton on (1 + w)^(L+1) - z w = 0."""
    n = x.size
    out = np.empty(n)
    z = complex(x[-1] * 1.5, eps)
    w = 1.0 / z  # w ~ m_1 / z at infinity
    for _ in range(100):  # settle at the start point
        f = (1 + w) ** (L + 1) - z * w
        d = (L + 1) * (1 + w) ** L - z
        w -= f / d
    for k in range(n - 1, -1, -1):
        z = complex(x[k], eps)
        for _ in range(50):
            f = (1 + w) ** (L + 1) - z * w
            d = (L + 1) * (1 + w) ** L - z
            step = f / d
            w -= step
            if abs(step) <= 1e-14 * abs(w):
                break
        G = (1 + w) / z
        out[k] = -G.imag / np.pi
    return out


def rel_err(a, b, mask):
    with np.errstate(all="ignore"):
        e = np.abs(a[mask] / b[mask] - 1)
    return float(np.max(np.where(np.isnan(e), np.inf, e)))


def timed(fn, reps):
    ts, out = [], None
    for _ in range(reps):
        t = time.process_time()
        out = fn()
        ts.append(time.process_time() - t)
    return statistics.median(ts), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="L = 2, 8, 32 only")
    args = ap.parse_args()
    Ls = [2, 8, 32] if args.quick else [2, 4, 8, 16, 32, 1000, 10000]
    mp1 = freealg.MarchenkoPastur(1)
    _newton_sweep(np.linspace(0.1, 1.0, 4), 2, 1e-9)  # compile
    free_mul_law([mp1], [2]).density(np.linspace(0.1, 6.0, 50))  # warm imports and caches
    print("MP^{⊠L}, 1000 points; max relative error in the bulk against Haagerup-Moller")
    print(f"{'L':>6} | {'Newton s':>9} {'err':>8} | {'values s':>9} {'err':>8} | "
          f"{'density s':>9} {'err':>8} ok | density/Newton  values/Newton")
    for L in Ls:
        x, rho, bulk = hm_grid(L)
        top = float(x.max())
        tb, rb = timed(lambda: _newton_sweep(x, L, 1e-9 * top), args.reps)
        eb = rel_err(rb, rho, bulk)

        def raw():
            G = free_mul_law([mp1], [L])._engine().values(x, np.zeros_like(x))[0]
            return -G.imag / np.pi

        tv, rv = timed(raw, args.reps)
        ev = rel_err(rv, rho, bulk)
        td, rd = timed(lambda: free_mul_law([mp1], [L]).density(x, strict=False), args.reps)
        ed = rel_err(rd.density, rho, bulk)
        print(f"{L:>6} | {tb:9.4f} {eb:8.1e} | {tv:9.3f} {ev:8.1e} | {td:9.3f} {ed:8.1e} "
              f"{'Y' if rd.evidence.ok else 'N'}  | {td / tb:12.0f}x  {tv / tb:12.0f}x")
    print("\nper-call cost of a certified density (MP^{⊠2}, fresh law; median)")
    for n in (1, 10, 100, 1000, 10000):
        xx = np.linspace(0.01, 6.7, n)
        t, _ = timed(lambda: free_mul_law([mp1], [2]).density(xx), args.reps)
        print(f"  {n:>6} points: {t:.3f} s")


if __name__ == "__main__":
    main()
