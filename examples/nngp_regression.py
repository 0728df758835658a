"""NNGP regression (Lee et al., ICLR 2018 [LBN+18]).

Theory: the infinite-width NNGP kernel of a deep ReLU network
(``net.nngp_kernel``, arc-cosine recursion) and the GP posterior mean and
variance on test inputs (``net.nngp_posterior``).
Simulation: the empirical kernel of sampled finite-width networks (average of
``h_L(x)·h_L(x')/M`` over networks) and the posterior computed with it.

Run:  python examples/nngp_regression.py [--quick]
"""

import argparse

import numpy as np

import freealg
from freealg import simulate


def circle_inputs(t, width):
    """Points on a circle embedded in R^width with x·x'/width = cos(t - t')."""
    X = np.zeros((len(t), width))
    X[:, 0] = np.cos(t)
    X[:, 1] = np.sin(t)
    return X * np.sqrt(width)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    width, nets = (256, 30) if args.quick else (1024, 40)
    rng = np.random.default_rng(1)
    net = freealg.MLP(3, "relu", init="gaussian", sigma_w=2**0.5, sigma_b=0.1)
    t_train = np.linspace(-2.5, 2.5, 7)
    y_train = np.sin(2 * t_train) + 0.3 * t_train
    t_test = np.linspace(-2.2, 2.2, 5)
    X, Xs = circle_inputs(t_train, width), circle_inputs(t_test, width)
    noise = 1e-2

    K_theory = net.nngp_kernel(np.vstack([X, Xs]))
    # empirical kernel: each output unit of each network is one draw of f
    allX = np.vstack([X, Xs])
    per_net = []
    for _ in range(nets):
        inst = simulate.sample_network(net, width, rng)
        H = np.stack([inst.forward(x).h[-1] for x in allX])
        per_net.append(H @ H.T / width)
    per_net = np.array(per_net)
    K_emp = per_net.mean(axis=0)
    # The units of one network share its hidden layers, so the statistical error is
    # measured from the spread over networks (standard error per entry).  On top, the
    # finite-width bias of the kernel recursion is O(depth/width).
    se = per_net.std(axis=0, ddof=1) / np.sqrt(nets)
    scale = np.sqrt(np.outer(np.diag(K_theory), np.diag(K_theory)))
    z = np.abs(K_emp - K_theory) / np.hypot(se, net.depth / width * scale)
    kerr = np.max(np.abs(K_emp - K_theory) / scale)

    mean_th, var_th = net.nngp_posterior(X, y_train, Xs, noise=noise)
    n = len(X)
    Kxx = K_emp[:n, :n] + noise * np.eye(n)
    ks = K_emp[n:, :n]
    mean_emp = ks @ np.linalg.solve(Kxx, y_train)
    var_emp = np.diag(K_emp[n:, n:]) - np.einsum("ij,ji->i", ks, np.linalg.solve(Kxx, ks.T))

    print(f"ReLU MLP, depth {net.depth}, sigma_w^2 = 2, sigma_b = 0.1; {nets} networks of width {width}\n")
    print(f"kernel: max relative error of the simulated kernel = {kerr:.4f}; "
          f"largest |z| over entries = {z.max():.2f} (|z| < 4 required)")
    print(f"\n{'t*':>6} {'mean (theory)':>14} {'mean (sim)':>11} {'sd (theory)':>12} {'sd (sim)':>9}")
    for i, t in enumerate(t_test):
        print(f"{t:6.2f} {mean_th[i]:14.5f} {mean_emp[i]:11.5f} {np.sqrt(max(var_th[i], 0)):12.5f} "
              f"{np.sqrt(max(var_emp[i], 0)):9.5f}")
    # the posterior mean is a smooth function of the kernel: a relative kernel error e
    # moves it by at most ~ cond(K) * e * max|y| (first-order perturbation bound)
    mean_err = np.max(np.abs(mean_emp - mean_th)) / (np.max(np.abs(y_train)))
    bound = np.linalg.cond(Kxx) * kerr
    ok = z.max() < 4 and mean_err < bound
    print(f"\nposterior mean: max difference / max|y| = {mean_err:.4f} "
          f"(perturbation bound cond(K) x kernel error = {bound:.3g})")
    print(f"agreement: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
