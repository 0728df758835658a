"""Dynamical isometry: orthogonal versus Gaussian initialisation
(Pennington, Schoenholz & Ganguli 2017/2018 [PSG17, PSG18]; docs/theory.md, "Deep networks").

A hard-tanh network on the critical line (chi = 1) with small sigma_b, so that
q* is small and almost every unit is in the linear region.  Theory: the moments
of J Jᵀ = ⊠ of the layer laws (point mass sigma_w² for orthogonal weights,
sigma_w²·MP for Gaussian ones, Bernoulli(p) for D², p = erf(1/sqrt(2 q*))),
computed exactly on moment sequences.  Simulation: finite-width networks with an
input at the fixed point, the actual D's of the forward pass, and the empirical
spectrum of J Jᵀ.  The spectrum's variance stays O(1) for orthogonal weights
and grows linearly with depth for Gaussian ones.

Run:  python examples/dynamical_isometry.py [--quick]
"""

import argparse
import math

import numpy as np

import freealg
from freealg import simulate


def theory_moments(net, n=2):
    p = float(net.d2_atoms()[1][1])  # P(phi'^2 = 1) at q*
    sw2 = float(net.sigma_w) ** 2
    if net.init == "orthogonal":
        w = [sw2**k for k in range(1, n + 1)]
    else:
        w = [sw2**k * math.comb(2 * k, k) / (k + 1) for k in range(1, n + 1)]
    m = w
    for _ in range(net.depth - 1):
        m = freealg.free_mul_moments(m, w, check=False)
    for _ in net.d_layers:
        m = freealg.free_mul_moments(m, [p] * n, check=False)
    return m


def psg_variance(net):
    """Closed form: normalised variances add under ⊠, so with m_1 = sigma_w^{2L} p^{L-1}
    Var = m_1^2 [L (-s_1) + (L - 1)(mu_2/mu_1^2 - 1)], s_1 = -1 (Gaussian) or 0
    (orthogonal), mu_2/mu_1^2 = 1/p for Bernoulli(p) D² (J = W_L D_{L-1} ... D_1 W_1: L weight
    factors, L - 1 D factors; PSG write L of each)."""
    p = float(net.d2_atoms()[1][1])
    L = net.depth
    m1 = float(net.sigma_w) ** (2 * L) * p ** len(net.d_layers)
    return m1**2 * (L * (-net.weight_s1) + len(net.d_layers) * (1 / p - 1))


def simulated_moments(net, width, trials, rng, n=2):
    q0 = (float(net.q_star()) - float(net.sigma_b) ** 2) / float(net.sigma_w) ** 2
    out = []
    for _ in range(trials):
        inst = simulate.sample_network(net, width, rng)
        x = simulate.random_input(width, rng, q0)
        J = inst.input_jacobian(x)
        ev = np.linalg.eigvalsh(J @ J.T)
        out.append([np.mean(ev**k) for k in range(1, n + 1)])
    out = np.array(out)
    return out.mean(axis=0), out.std(axis=0, ddof=1) / np.sqrt(trials)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    depths = (2, 8, 32) if not args.quick else (2, 8)
    width, trials = (400, 6) if not args.quick else (200, 4)
    rng = np.random.default_rng(3)
    sigma_b = 0.05
    sw = float(freealg.critical_sigma_w("hardtanh", sigma_b))
    print(f"hard-tanh at the edge of chaos: sigma_b = {sigma_b}, sigma_w = {sw:.6f}")
    print(f"simulation: width {width}, {trials} networks per depth\n")
    print(f"{'init':>10} {'L':>3} {'var theory':>11} {'var PSG':>9} {'var sim':>10} {'m2 theory':>10} {'m2 sim':>10} {'stderr':>8} {'|z|':>5}")
    worst = 0.0
    closed_ok = True
    variances = {}
    for init in ("orthogonal", "gaussian"):
        for L in depths:
            net = freealg.MLP(L, "hardtanh", init=init, sigma_w=sw, sigma_b=sigma_b)
            m1, m2 = theory_moments(net)
            sim, se = simulated_moments(net, width, trials, rng)
            var_th, var_sim = m2 - m1**2, sim[1] - sim[0] ** 2
            # finite-width corrections to tr((JJ^T)^2) are O(L/N) relative (one per
            # layer); add that to the statistical error before judging
            tol = math.hypot(se[1], L / width * m2)
            z = abs(sim[1] - m2) / tol
            worst = max(worst, z)
            var_psg = psg_variance(net)
            closed_ok = closed_ok and abs(var_psg - var_th) <= 1e-9 * abs(var_th)
            variances[init, L] = var_th
            print(f"{init:>10} {L:3d} {var_th:11.4f} {var_psg:9.4f} {var_sim:10.4f} {m2:10.4f} {sim[1]:10.4f} "
                  f"{tol:8.4f} {z:5.2f}")
    ratio = min(variances["gaussian", L] / variances["orthogonal", L] for L in depths)
    print(f"\nGaussian / orthogonal variance: at least x{ratio:.1f} at every depth; the "
          "Gaussian variance grows like L (sigma_w^4L * L), the orthogonal one like L (1/p - 1) "
          "with 1/p - 1 small: dynamical isometry needs orthogonal weights")
    ok = worst < 4 and closed_ok and ratio > 10
    print(f"agreement: {'yes' if ok else 'NO'} (largest |z| = {worst:.2f}; PSG closed form "
          f"{'matches' if closed_ok else 'DIFFERS'})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
