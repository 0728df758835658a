"""Hard-tanh networks with orthogonal weights: the Jacobian spectrum across
depth (Pennington, Schoenholz & Ganguli 2017/2018 [PSG17, PSG18]; docs/theory.md, "Deep networks").

Theory: mu_{JJᵀ} = sigma_w^{2L} · Bernoulli(p)^{⊠(L−1)} (J = W_L D_{L−1} ⋯ D_1 W_1),
p = erf(1/sqrt(2 q*)), computed by the functional-equation engine
(``free_mul_law``) with certified evidence: an atom 1 − p at 0, an atom
max(0, 1 − (L − 1)(1 − p)) at sigma_w^{2L}, and a continuous part.
Simulation: the eigenvalues of J Jᵀ of finite networks (actual D's from a
forward pass at the fixed point): the first moments, and the atoms.

The atoms of a finite network are exact: with z_ℓ = #zeros of D_ℓ (inactive
units), J Jᵀ has the eigenvalue 0 with multiplicity max_ℓ z_ℓ (its kernel is
the largest of the kernels of the D's, subspaces in general position) and the
eigenvalue sigma_w^{2L} with multiplicity N − Σ_ℓ z_ℓ (the intersection of the
active subspaces).  Both identities are checked in every network.  The limit
masses 1 − p and 1 − (L − 1)(1 − p) are then checked through the z_ℓ, each
Binomial(N, 1 − p) in the limit.  Note that the atom at 0 of a finite
network, max_ℓ z_ℓ / N, is biased upwards by about sqrt(2 p (1 − p) log L / N)
(the maximum of L − 1 binomial counts), so it is compared with 1 − p through
the mean of the z_ℓ, not directly; and that its eigenvalues are counted by
the numerical rank of J, not by |λ| <= 1e-8: at depth 32 the continuous part
itself has eigenvalues far below 1e-8 (products of 31 projections).

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
        evs, zeros, kernel, top_mult = [], [], [], []
        top = sw ** (2 * L)
        for _ in range(trials):
            inst = simulate.sample_network(net, width, rng)
            x0 = simulate.random_input(width, rng, q0)
            J = inst.input_jacobian(x0)
            evs.append(np.linalg.eigvalsh(J @ J.T))
            # z_l = #inactive units of D_1 .. D_{L-1} (J = W_L D_{L-1} ... D_1 W_1)
            z = [int(np.count_nonzero(d == 0)) for d in inst.dphi(x0)[: L - 1]]
            zeros.append(z)
            kernel.append(width - int(np.linalg.matrix_rank(J)))
            top_mult.append(int(np.count_nonzero(np.abs(evs[-1] - top) <= 1e-8 * top)))
            # the exact finite-N multiplicities (module docstring)
            ok &= kernel[-1] == max(z) and top_mult[-1] == max(0, width - sum(z))
        evs = np.concatenate(evs)
        zeros = np.array(zeros, dtype=float)
        print(f"L = {L}: support of the continuous part {[(round(float(a), 4), round(float(b), 4)) for a, b in support]}, "
              f"density evidence {'certified' if res.evidence.ok else 'FAILED'}")
        print(f"  finite-N multiplicities: dim ker J = max_l z_l in {sum(k == max(z) for k, z in zip(kernel, zeros))}/"
              f"{trials} networks, mult(sigma_w^2L) = N - sum_l z_l in "
              f"{sum(t == max(0, width - int(sum(z))) for t, z in zip(top_mult, zeros))}/{trials}")
        print(f"  {'atom at':>10} {'theory mass':>12} {'finite-N':>10} {'estimate':>10} {'|z|':>6}")
        # the z_l are Binomial(N, 1 - p) in the limit (independent across layers
        # and networks up to O(1/N)): the estimates of the limit masses below
        # and their standard deviations follow from that
        n_l = zeros.size  # (L - 1) * trials counts
        for a, m in atoms:
            if a == 0.0:
                finite = float(np.mean(kernel)) / width
                est = float(np.mean(zeros)) / width
                sd = np.sqrt(m * (1 - m) / (width * n_l))
            else:
                finite = float(np.mean(top_mult)) / width
                est = 1.0 - float(np.mean(zeros.sum(axis=1))) / width
                sd = np.sqrt((L - 1) * (1 - p) * p / (width * trials))
            sd = max(sd, 1.0 / (width * trials))
            zs = abs(est - m) / sd
            ok &= zs < 4
            print(f"  {a:10.5f} {m:12.5f} {finite:10.5f} {est:10.5f} {zs:6.2f}")
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
