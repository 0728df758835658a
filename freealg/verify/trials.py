r"""One sampled network per task, for the parallel sweeps of the spectrum
checks: per-trial seeds, the trial functions (module level, picklable) and
the empirical moments they compute.
"""

from __future__ import annotations

import numpy as np

from .evaluation import _empirical_moments
from .limits import _fim_moments, _jac_moments


def _empirical_w_moments(w, init, s2, n):
    if init == "orthogonal" and w.shape[0] == w.shape[1]:
        return [s2**k for k in range(1, n + 1)]
    a = w.T @ w
    return _empirical_moments(("m", a), n)


def _empirical_d2_moments(d, n):
    d2 = d * d
    out, p = [], np.ones_like(d2)
    for _ in range(n):
        p = p * d2
        out.append(float(np.mean(p)))
    return out


def _spectral_moments(ev, n):
    out, p = [], np.ones_like(ev)
    for _ in range(n):
        p = p * ev
        out.append(float(np.mean(p)))
    return out


def _trial_seeds(rng, count):
    """Independent seeds for ``count`` trials drawn from ``rng`` (one call):
    each trial has its own generator, so the results are the same whether the
    trials run serially, in processes or on a cluster, in any order."""
    root = np.random.SeedSequence([int(v) for v in rng.integers(0, 2**63, size=4)])
    return root.spawn(count)


class _Offset:
    """``progress(done, total)`` seen through an offset (several task maps
    reporting to one callback)."""

    def __new__(cls, progress, offset, total):
        if progress is None or isinstance(progress, bool):
            return progress
        self = super().__new__(cls)
        self.progress, self.offset, self.total = progress, offset, total
        return self

    def __call__(self, done, _total):
        self.progress(self.offset + done, self.total)


def _jacobian_trial(task):
    """One sampled network of :func:`check_jacobian_spectrum` (module level,
    picklable): eigenvalues of ``J Jᵀ``, their moments, the plug-in moments."""
    from ..simulate import random_input, sample_network

    net, N, seed, q0, convention, init, s2, n, n_d = task
    rng = np.random.default_rng(seed)
    inst = sample_network(net, N, rng)
    x0 = random_input(N, rng, q0)
    diags = inst.dphi(x0)
    sv = np.linalg.svd(inst.input_jacobian(x0, convention), compute_uv=False)
    ev = sv**2
    return (ev, _spectral_moments(ev, n),
            _jac_moments([_empirical_w_moments(w, init, s2, n) for w in inst.weights],
                         [_empirical_d2_moments(d, n) for d in diags[:n_d]], n))


def _fim_trial(task):
    """One sampled network of :func:`check_fim_spectrum` (module level,
    picklable): eigenvalues of ``Θ_L``, their moments, the plug-in moments and
    the finite-N top atom ``(location, multiplicity, N − #zeros(D))``."""
    from ..simulate import random_input, sample_network

    net, N, seed, q0, init, s2, n, depth, with_atom = task
    rng = np.random.default_rng(seed)
    inst = sample_network(net, N, rng)
    x0 = random_input(N, rng, q0)
    ev = np.linalg.eigvalsh(inst.fim_one_sample(x0))
    qs = inst.q(x0)
    diags = inst.dphi(x0)
    e_row = _spectral_moments(ev, n)
    p_row = _fim_moments(qs, [_empirical_w_moments(w, init, s2, n) for w in inst.weights],
                         [_empirical_d2_moments(d, n) for d in diags[:-1]], n)
    atom_row = None
    if with_atom:
        loc, zeros = qs[0], 0
        for ell in range(1, depth):
            loc = qs[ell] + s2 * loc
            zeros += int(np.count_nonzero(diags[ell - 1] == 0))
        mult = int(np.count_nonzero(np.abs(ev - loc) <= 1e-9 * max(1.0, abs(loc))))
        atom_row = (loc, mult, max(0, N - zeros))
    return ev, e_row, p_row, atom_row
