"""The depth figure: one critical hard-tanh network's Jacobian spectrum at
L = 2, 3, 4, 8, 32, 128, 512, 2048, 8192 (Pennington, Schoenholz & Ganguli
2017/2018 [PSG17, PSG18]; docs/theory.md §5).

The network: hard-tanh, orthogonal weights, σ_b = 0.05 and σ_w from
``critical_sigma_w`` (a float: the input users give).  Theory: the certified
density of ``J Jᵀ`` from ``net.jacobian_law()`` at every depth (each must pass
its evidence: residual, sign of Im G, mass, contour moments, atom residues),
with its atoms.  Simulation, where it is feasible (L ≤ 128): the eigenvalues
of ``J Jᵀ`` of finite networks of width N; their first moment against the
law's (the mean ``σ_w^{2L} p^{L−1}`` is exact in expectation at any width for
orthogonal weights only up to O(1/N) from the D's, so the check allows
``4 L/N`` relative, the size of the finite-width correction of a product of L
layers).  The atoms of finite networks are checked exactly in
``examples/hardtanh_spectra_depth.py``.

Run:  python examples/depth_figure.py [--quick] [--plot out.png]
"""

import argparse
import time

import numpy as np

import freealg
from freealg import simulate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="L = 2, 8, 512 and a smaller simulation")
    ap.add_argument("--plot", metavar="FILE", help="write the figure (png, pdf or svg)")
    args = ap.parse_args()
    depths = (2, 8, 512) if args.quick else (2, 3, 4, 8, 32, 128, 512, 2048, 8192)
    width, trials = (150, 2) if args.quick else (300, 3)
    sigma_b = 0.05
    sw = float(freealg.critical_sigma_w("hardtanh", sigma_b))
    rng = np.random.default_rng(11)
    print(f"hard-tanh, orthogonal, critical: sigma_w = {sw!r}, sigma_b = {sigma_b}; "
          f"simulation for L <= 128 at width {width}, {trials} networks\n")
    print(f"{'L':>5} | {'law+density s':>13} {'certified':>9} {'atom at 0':>10} | "
          f"{'m1 theory':>10} {'m1 sim':>10}")
    ok, total, results = True, 0.0, {}
    for L in depths:
        net = freealg.MLP(L, "hardtanh", init="orthogonal", sigma_w=sw, sigma_b=sigma_b)
        t = time.perf_counter()
        law = net.jacobian_law()
        sup = law.support()
        res = law
        cert = True
        if sup:
            top = float(sup[-1][1])
            res = law.density(np.geomspace(1e-6 * top, top, 400))
            cert = bool(res.evidence.ok)
        dt = time.perf_counter() - t
        total += dt
        ok &= cert
        results[L] = res
        atoms = {float(a): float(m) for a, m in law.atoms()}
        m1 = float(law.mean())
        line = f"{L:>5} | {dt:13.2f} {'yes' if cert else 'NO':>9} {atoms.get(0.0, 0.0):10.5f} | {m1:10.5f}"
        if L <= 128:
            q0 = (float(net.q_star()) - sigma_b**2) / sw**2
            evs = []
            for _ in range(trials):
                inst = simulate.sample_network(net, width, rng)
                x0 = simulate.random_input(width, rng, q0)
                J = inst.input_jacobian(x0)
                evs.append(np.linalg.eigvalsh(J @ J.T))
            evs = np.concatenate(evs)
            m1s = float(np.mean(evs))
            ok &= abs(m1s - m1) <= 4 * L / width * m1
            line += f" {m1s:10.5f}"
            if sup:
                results[L] = res
        print(line)
    print(f"\ntheory for all depths: {total:.1f} s")
    if args.plot:
        from freealg import plot

        ax = plot.plot_spectra_across_depths(results, per_log_x=True,
                                             title=f"hard-tanh, orthogonal, σ_w = {sw:.6g}, σ_b = 0.05")
        plot.savefig(ax, args.plot)
        print(f"figure: {args.plot}")
    print(f"agreement: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
