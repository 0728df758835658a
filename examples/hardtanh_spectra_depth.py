"""Hard-tanh networks with orthogonal weights: the Jacobian spectrum across
depth (Pennington, Schoenholz & Ganguli 2017/2018).

Theory: mu_{JJᵀ} = sigma_w^{2L} · Bernoulli(p)^{⊠(L−1)} (seed convention),
p = erf(1/sqrt(2 q*)), computed by the functional-equation engine
(``free_mul_law``) with certified evidence: an atom 1 − p at 0, an atom
max(0, 1 − (L − 1)(1 − p)) at sigma_w^{2L}, and a continuous part.
Simulation: the eigenvalues of J Jᵀ of finite networks (actual D's from a
forward pass at the fixed point): the fraction of eigenvalues at each atom and
the first moments.

Run:  python examples/hardtanh_spectra_depth.py [--quick] [--plot out.png]
"""

import argparse

import numpy as np

import freealg
from freealg import simulate


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--plot", metavar="PNG")
    args = ap.parse_args()
    depths = (2, 8) if args.quick else (2, 8, 32)
    width, trials = (200, 3) if args.quick else (400, 4)
    sigma_b = 0.05
    sw = float(freealg.critical_sigma_w("hardtanh", sigma_b))
    rng = np.random.default_rng(4)
    print(f"hard-tanh, orthogonal, edge of chaos: sigma_w = {sw:.6f}, sigma_b = {sigma_b}; "
          f"simulation width {width}, {trials} networks\n")
    ok = True
    results = {}
    for L in depths:
        net = freealg.MLP(L, "hardtanh", init="orthogonal", sigma_w=sw, sigma_b=sigma_b)
        p = float(dict((float(v), float(q)) for v, q in net.d2_atoms())[1.0])
        law = freealg.free_mul_law([freealg.Bernoulli(p), freealg.PointMass(sw**2)], powers=[L - 1, L])
        atoms = [(float(a), float(m)) for a, m in law.atoms()]
        support = law.support()
        hi = max([b for _, b in support] + [a for a, _ in atoms]) * 1.05
        res = law.density(np.linspace(hi * 1e-4, hi, 300))
        results[L] = res
        ok &= bool(res.evidence.ok)
        # simulation
        q0 = (float(net.q_star()) - sigma_b**2) / sw**2
        evs = []
        for _ in range(trials):
            inst = simulate.sample_network(net, width, rng)
            J = inst.input_jacobian(simulate.random_input(width, rng, q0))
            evs.append(np.linalg.eigvalsh(J @ J.T))
        evs = np.concatenate(evs)
        print(f"L = {L}: support of the continuous part {[(round(float(a), 4), round(float(b), 4)) for a, b in support]}, "
              f"density evidence {'certified' if res.evidence.ok else 'FAILED'}")
        print(f"  {'atom at':>10} {'theory mass':>12} {'simulated':>10} {'|z|':>6}")
        for a, m in atoms:
            frac = float(np.mean(np.abs(evs - a) <= 1e-8 * max(1.0, a)))
            # eigenvalue counts at an atom are set by the numbers of active units; their
            # fraction fluctuates like a binomial proportion over width*trials eigenvalues
            sd = max(np.sqrt(m * (1 - m) / evs.size), 1.0 / evs.size)
            z = abs(frac - m) / sd
            ok &= z < 4
            print(f"  {a:10.5f} {m:12.5f} {frac:10.5f} {z:6.2f}")
        m_th = [float(v) for v in law.moments(2)]
        m_sim = [float(np.mean(evs)), float(np.mean(evs**2))]
        print(f"  moments m1, m2: theory {m_th[0]:.5f}, {m_th[1]:.5f}; simulation {m_sim[0]:.5f}, {m_sim[1]:.5f}")
        # finite-width corrections O(L/width) relative
        ok &= all(abs(a - b) <= 4 * L / width * abs(b) + 1e-12 for a, b in zip(m_sim, m_th))
    if args.plot:
        from freealg import plot

        plot.savefig(plot.plot_spectra_across_depths(results, logx=False), args.plot)
        print(f"\nfigure: {args.plot}")
    print(f"\nagreement: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
