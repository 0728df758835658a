r"""The small-batch conditional FIM against the one-sample law
(:func:`check_batch_fim`, docs/theory.md §6).
"""

from __future__ import annotations

import numpy as np

from .._utils.progress import Progress, check_progress
from .._utils.validate import check_instance, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._common import _check_count, _check_q0, _check_trials, _check_widths, _rng
from .momentcheck import MomentCheck, _row
from .network import _uniform_widths
from .report import CheckReport, decide

#: Largest batch size: the Gram matrix has ``N T`` rows.
MAX_BATCH = 64


def check_batch_fim(net=None, *, batch_sizes=(1, 2, 4, 8), widths=(40, 80, 160), trials=12, q0=1.0,
                    rng=0, progress=None):
    r"""The conditional FIM of a small batch of ``T`` inputs against the
    one-sample FIM law ``μ_L`` (Hayase & Karakida 2021: the spectrum of the FIM
    with a small batch "has the same property as the single-input version":
    it concentrates around the depth point).

    For ``T`` i.i.d. inputs of variance ``q0`` the batch Gram matrix
    ``Θ^{(T)}`` (:func:`freealg.simulate.fim_batch`, ``N T × N T``) has the
    one-sample matrices ``Θ_L(x^{(t)})`` as diagonal blocks, and the non-zero
    eigenvalues of ``Θ^{(T)}/T`` are those of ``N`` times the conditional FIM
    ``(1/T) Σ_t J_tᵀ J_t``.  This check

    * **decides** (with the rate analysis and decision rule of the other
      checks) that the mean eigenvalue ``tr Θ^{(T)}/(N T)`` tends to ``m_1`` of
      ``μ_L`` for every ``T``: the trace is the average of one-sample traces,
      so the batch spectrum stays centred where the one-sample one is;
    * **measures**, at the largest width, how the shape of the batch spectrum
      compares with the one-sample spectrum (``T = 1``, same width): the
      two-sample Kolmogorov distance, the relative spread ``sd/mean`` (that of
      ``μ_L`` alongside), and the fraction of eigenvalues inside the central
      90 % interval of the one-sample spectrum.  No limit law
      for ``T > 1`` is claimed (the off-diagonal blocks couple the inputs
      through the correlation map of the hidden layers); the numbers show how
      close "the same property" is for this network.

    Parameters
    ----------
    net : freealg.MLP
        The network (required despite the ``None`` default), with equal layer
        widths.
    batch_sizes : sequence of int, default (1, 2, 4, 8)
        The batch sizes ``T``, each ``1 <= T <= 64``.
    widths : sequence of int, default (40, 80, 160)
        The widths ``N`` (at least two, for the rate analysis of the mean).
    trials : int or sequence of int, default 12
        Networks sampled per width (each with its own batch), ``>= 2``.
    q0 : real >= 0, default 1.0
        Input variance ``‖x‖²/N`` of every input.
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0``.
    progress : None, bool or callable, optional
        ``None``: a bar in a terminal; ``True``/``False``: force it on/off; a
        callable ``progress(done, total)``.

    Returns
    -------
    CheckReport
        ``data["batch"][T]`` holds ``mean``, ``ks`` (to the one-sample
        spectrum), ``spread`` and ``inside90`` at the largest width;
        ``data["law_spread"]`` is the spread of ``μ_L`` and
        ``data["interval90"]`` the one-sample central 90 % interval.

    Raises
    ------
    InvalidArgumentTypeError
        If ``net`` is not an MLP, or an argument has the wrong type.
    InvalidArgumentError
        If the net fixes unequal widths, a batch size is below 1, or widths
        and trials are out of range.
    TooLargeError
        For a batch size above 64, or widths / trials above the limits of
        :func:`check_fim_spectrum`.

    Examples
    --------
    >>> import freealg
    >>> from freealg import verify
    >>> net = freealg.MLP(3, "hardtanh", init="orthogonal", sigma_w=1.0, sigma_b=0.1)
    >>> rep = verify.check_batch_fim(net, batch_sizes=(1, 2), widths=(20, 40), trials=3,
    ...                              progress=False)
    >>> sorted(rep.data["batch"])
    [1, 2]
    """
    from ..dnn.mlp import MLP
    from ..simulate import fim_batch, random_input, sample_network

    check_instance(net, "net", MLP, "an MLP, e.g. freealg.MLP(3, 'hardtanh', init='orthogonal')")
    _uniform_widths(net, "check_batch_fim")
    ts = _check_batches(batch_sizes)
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    q0 = float(_check_q0(q0))
    progress = check_progress(progress)
    gen = _rng(rng)
    law = net.fim_law(q_in=q0)
    m1 = float(law.moments(1)[0])
    means = {T: {} for T in ts}
    top = {T: [] for T in ts}
    with Progress(len(ts) * sum(trials), "verify batch fim", progress) as bar:
        for N, n_tr in zip(widths, trials):
            for T in ts:
                vals = []
                for _ in range(n_tr):
                    inst = sample_network(net, N, gen)
                    xs = np.stack([random_input(N, gen, q0) for _ in range(T)])
                    ev = np.linalg.eigvalsh(fim_batch(inst, xs))
                    vals.append(float(np.mean(ev)))
                    if N == widths[-1]:
                        top[T].append(ev)
                    bar.update()
                means[T][N] = vals
    checks = [MomentCheck(f"mean eigenvalue, T = {T}", m1, m1,
                          [_row(N, means[T][N], np.full(len(means[T][N]), m1)) for N in widths])
              for T in ts]
    ref = top[1] if 1 in top else [np.linalg.eigvalsh(fim_batch(sample_network(net, widths[-1], gen),
                                                                 random_input(widths[-1], gen, q0)[None, :]))
                                    for _ in range(trials[-1])]
    shape, lines = _shape_table(law, top, ref)
    decision = decide(checks)
    text = [f"mean eigenvalue tr Θ^(T)/(N T) against m_1(μ_L) = {m1:.6g} (decided):"]
    text += [f"  T = {c.expr.rsplit('= ', 1)[1]:>2}: N = {widths[-1]} error {c.rows[-1]['error']:+.2e} "
             f"(z = {c.rows[-1]['z']:.1f}), rate {c.rate}" for c in checks]
    text += ["shape at N = %d against the one-sample spectrum (measured, not decided):"
             % widths[-1]] + lines
    return CheckReport(
        "Small-batch conditional FIM against the one-sample law",
        "the FIM of a small batch concentrates where the one-sample FIM does (Hayase & Karakida "
        "2021); decided: the mean eigenvalue tends to m_1 of μ_L for every batch size",
        checks, text, decision,
        data={"batch": shape["batch"], "law_spread": shape["law_spread"],
              "interval90": shape["interval90"], "m1": m1})


def _check_batches(batch_sizes):
    """Batch sizes: distinct integers ``1 <= T <= MAX_BATCH``, sorted."""
    if isinstance(batch_sizes, (str, bytes)) or not hasattr(batch_sizes, "__iter__"):
        raise InvalidArgumentTypeError(
            f"batch_sizes must be a list of positive integers; got {describe(batch_sizes)}")
    out = sorted({_check_count(t, "batch size", 1, MAX_BATCH,
                               f"the Gram matrix has N T rows; use T <= {MAX_BATCH}")
                  for t in batch_sizes})
    if not out:
        raise InvalidArgumentError("batch_sizes must list at least one batch size")
    return out


def _ks2(a, b):
    """Two-sample Kolmogorov distance ``sup_x |F_a(x) − F_b(x)|``."""
    a, b = np.sort(a), np.sort(b)
    x = np.concatenate([a, b])
    fa = np.searchsorted(a, x, side="right") / a.size
    fb = np.searchsorted(b, x, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def _shape_table(law, top, ref):
    """Spread, two-sample Kolmogorov distance to the one-sample spectrum and
    mass in its central 90 % interval, for the pooled batch spectra (largest
    width).  The comparison is with the one-sample eigenvalues of the same
    width: at finite ``N`` an atom of ``μ_L`` sits at the empirical
    ``q̂``-sum, so a distance to the limit law itself mostly measures that
    offset."""
    m = [float(v) for v in law.moments(2)]
    law_spread = float(np.sqrt(max(m[1] - m[0] ** 2, 0.0)) / m[0])
    ref = np.concatenate(ref)
    lo, hi = (float(v) for v in np.quantile(ref, [0.05, 0.95]))
    tol = 1e-9 * max(abs(lo), abs(hi), 1.0)  # eigenvalues on an atom at an end count as inside
    out, lines = {}, []
    lines.append(f"  μ_L: spread sd/mean {law_spread:.4g}; one-sample spectrum: spread "
                 f"{np.std(ref) / np.mean(ref):.4g}, central 90% interval [{lo:.5g}, {hi:.5g}]")
    for T, evs in top.items():
        pooled = np.concatenate(evs)
        mean = float(np.mean(pooled))
        spread = float(np.std(pooled) / mean)
        inside = float(np.mean((pooled >= lo - tol) & (pooled <= hi + tol)))
        ks = _ks2(pooled, ref)
        out[T] = {"mean": mean, "ks": ks, "spread": spread, "inside90": inside}
        lines.append(f"  T = {T:>2}: KS to the one-sample spectrum {ks:.3f}, spread {spread:.4g}, "
                     f"inside its 90% interval {inside:.3f}")
    return {"batch": out, "law_spread": law_spread, "interval90": (lo, hi)}, lines
