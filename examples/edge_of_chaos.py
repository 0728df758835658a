"""The edge of chaos (Poole et al. 2016; Schoenholz et al. 2017 [PLR+16, SGGS17]).

Theory: mean-field q*, chi and the c-map fixed point c* of a random tanh
network (freealg.MLP), on both sides of the critical line chi = 1, and the
correlation after exactly ``depth`` layers (the c-map iterated along the
q-sequence from the input).
Simulation: wide random networks propagate two inputs of correlation c_0; after
``depth`` layers their pre-activation correlation is measured, averaged over
networks, and compared with c* (ordered phase: c -> 1; chaotic: c -> c* < 1).

Run:  python examples/edge_of_chaos.py [--quick]
"""

import argparse

import numpy as np

import freealg
from freealg import simulate


def simulated_correlation(net, width, depth, trials, rng, c0=0.3, q0=1.0):
    """Correlation of the last pre-activations for two inputs of correlation c0."""
    vals = []
    for _ in range(trials):
        inst = simulate.sample_network(net, width, rng)
        u = rng.standard_normal(width)
        v = rng.standard_normal(width)
        v -= (v @ u) / (u @ u) * u
        u *= np.sqrt(q0 * width) / np.linalg.norm(u)
        v *= np.sqrt(q0 * width) / np.linalg.norm(v)
        xa = u
        xb = c0 * u + np.sqrt(1 - c0**2) * v
        ha = inst.forward(xa).h[-1]
        hb = inst.forward(xb).h[-1]
        vals.append(ha @ hb / np.sqrt((ha @ ha) * (hb @ hb)))
    vals = np.array(vals)
    return vals.mean(), vals.std(ddof=1) / np.sqrt(len(vals))


def theory_correlation(net, depth, c0=0.3, q0=1.0):
    """Iterate the mean-field maps: c^1 = (sigma_w^2 c0 q0 + sigma_b^2) / q^1,
    then c^l = c_map(c^{l-1}) at q^{l-1}."""
    qs = [float(v) for v in net.q_sequence(q0)]
    sw2, sb2 = float(net.sigma_w) ** 2, float(net.sigma_b) ** 2
    c = (sw2 * c0 * q0 + sb2) / qs[0]
    for ell in range(1, depth):
        c = float(net.c_map(c, q=qs[ell - 1]))
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    width, depth, trials = (300, 30, 6) if args.quick else (1000, 50, 10)
    rng = np.random.default_rng(0)
    sigma_b = 0.3
    sw_crit = float(freealg.critical_sigma_w("tanh", sigma_b))
    print(f"tanh, sigma_b = {sigma_b}: critical sigma_w = {sw_crit:.6f} (chi = 1)")
    print(f"simulation: width {width}, depth {depth}, {trials} networks per point\n")
    print(f"{'sigma_w':>8} {'chi':>8} {'phase':>9} {'c*':>9} {'c_L theory':>11} {'c_L sim':>10} {'stderr':>9} {'|z|':>6}")
    worst = 0.0
    for factor in (0.7, 1.5, 2.5):
        sw = factor * sw_crit
        net = freealg.MLP(depth, "tanh", init="gaussian", sigma_w=sw, sigma_b=sigma_b)
        chi = float(net.chi())
        cstar = float(net.c_star())
        c_th = theory_correlation(net, depth)
        c_sim, se = simulated_correlation(net, width, depth, trials, rng)
        # se: the spread over networks (finite-width fluctuations, O(1/sqrt(width))
        # each); the finite-width bias of the mean-field maps is O(1/width), added in
        # quadrature so that a near-deterministic case (c -> 1) is not judged on se alone
        se_tot = np.hypot(se, 1.0 / width)
        z = abs(c_sim - c_th) / se_tot
        worst = max(worst, z)
        print(f"{sw:8.4f} {chi:8.4f} {net.phase():>9} {cstar:9.5f} {c_th:11.5f} {c_sim:10.5f} {se_tot:9.2e} {z:6.2f}")
    ok = worst < 4
    print(f"\nagreement: {'yes' if ok else 'NO'} (largest |z| = {worst:.2f}; |z| < 4 required)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
