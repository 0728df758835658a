"""The one-sample Fisher information of a two-hidden-layer network in closed
form (Hayase & Karakida 2021 [HK21]; Karakida, Akaho & Amari 2019 [KAA19]).

Theory: ``mu_1 = delta_{q_0}``, ``mu_{l+1} = (q_l + sigma_w^2 .)_*(nu_l ⊠ mu_l)``
with Bernoulli ``nu_l`` (hard-tanh), so ``mu_3`` solves a quadratic equation
``P(z, G) = 0``: printed in LaTeX with its support edges (from the discriminant)
and atoms with masses.  Simulation: the eigenvalues of ``Theta_3`` of sampled
orthogonal networks (the actual D's of a forward pass), compared through the
atoms (location and fraction), the moments and the Levy distance of the CDFs.

Run:  python examples/fim_two_layer.py [--quick]
"""

import argparse

import numpy as np

import freealg
from freealg import simulate, verify


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    widths, trials = ((100, 200), 4) if args.quick else ((100, 200, 400), 6)
    sigma_w, sigma_b, q0 = 1.0, 0.0, 0.5
    net = freealg.MLP(3, "hardtanh", init="orthogonal", sigma_w=sigma_w, sigma_b=sigma_b)
    print("closed form of mu_3 in the parameters (alpha_l = fraction of active units of layer l):")
    print(freealg.fim_two_layer_curve().report())
    qhat = [float(v) for v in net.qhat_sequence(q0)][:3]  # q_0, q_1, q_2 = ||x_l||^2/M
    # float q's: the exact curve of their binary values, asked for explicitly
    curve = freealg.fim_two_layer_curve("hardtanh", sigma_w=sigma_w, q=tuple(qhat), sigma_b=sigma_b,
                                        exact=True)
    print("\nhard-tanh, orthogonal weights, sigma_w = 1, sigma_b = 0, q_0 = 0.5")
    print(f"q_l = ||x_l||^2/M: {', '.join(f'{v:.6f}' for v in qhat)}")
    print("support:", ", ".join(f"[{float(a):.6f}, {float(b):.6f}]" for a, b in curve.support()))
    atoms = curve.atoms()
    print("atoms:  ", ", ".join(f"{float(m):.6f} at {float(a):.6f}" for a, m in atoms))
    top = max(atoms, key=lambda a: float(a[0]))

    # simulation: the top eigenvalue of Theta_3 and its multiplicity
    rng = np.random.default_rng(5)
    N = widths[-1]
    fracs = []
    for _ in range(trials):
        inst = simulate.sample_network(net, N, rng)
        x = simulate.random_input(N, rng, q0)
        ev = np.linalg.eigvalsh(inst.fim_one_sample(x))
        fracs.append(np.mean(np.abs(ev - ev.max()) < 1e-8 * ev.max()))
    frac = float(np.mean(fracs))
    # the multiplicity of the top eigenvalue is N minus the units switched off in the
    # two D's; its fraction fluctuates like a binomial proportion: sd ~ sqrt(m(1-m)/N)
    sd = np.sqrt(float(top[1]) * (1 - float(top[1])) / (N * trials))
    z_top = abs(frac - float(top[1])) / sd
    print(f"simulated top-eigenvalue fraction at width {N}: {frac:.4f} (theory {float(top[1]):.4f}, |z| = {z_top:.2f})")

    report = verify.check_two_layer_fim("hardtanh", sigma_w, sigma_b, q0=q0, widths=widths, trials=trials,
                                        rng=7, with_density=not args.quick)
    print()
    print(report)
    ok = report.passed and z_top < 4
    print(f"\nagreement: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
