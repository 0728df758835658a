r"""The check of the one-sample FIM spectrum and its top atom
(:func:`check_fim_spectrum`, docs/theory.md §6).
"""

from __future__ import annotations

import math

import numpy as np

from .._utils.progress import check_jobs, check_progress, map_tasks
from ..errors import InvalidArgumentError
from ._common import _param_text, MAX_MOMENTS, _check_count, _check_q0, _check_trials, _check_widths, _rng
from .momentcheck import MomentCheck, _checks_from, _compact_table, _row
from .spectra import _TheoryCDF, spectrum
from .network import _meanfield, _net_params, _uniform_widths
from .report import CheckReport, decide
from .limits import _fim_moments, _top_atom, _w_law_moments
from .trials import _fim_trial, _trial_seeds


def check_fim_spectrum(net=None, *, widths=(50, 100, 200), trials=40, q0=1.0, n_moments=4,
                       law=None, rng=0, progress=None, n_jobs=1, executor=None, cache_dir=None):
    r"""Spectrum of the one-sample FIM / NTK ``Θ_L`` of sampled networks
    against the spectral recursion of docs/theory.md §6, and its top atom.

    * Moments of ``μ_L`` (``μ_1 = δ_{q_0}``, ``μ_{ℓ+1} = q_ℓ + μ_{W_{ℓ+1}ᵀW_{ℓ+1}}
      ⊠ ν_ℓ ⊠ μ_ℓ``; ``μ_{WᵀW} = δ_{σ_w²}`` for orthogonal weights, as in
      docs/theory.md §6, and ``σ_w² MP(1)`` for Gaussian ones) against the
      eigenvalues of ``Θ_L``, with the limit ``q_ℓ``, ``ν_ℓ`` and with the
      empirical ones of each sample (plug-in), each with the rate analysis of
      :func:`moments`.
    * For orthogonal weights and ``φ'² ∈ {0, 1}`` (ReLU, hard-tanh): the top
      atom of ``μ_L`` at ``a_L = Σ_ℓ σ_w^{2(L−1−ℓ)} q_ℓ`` with mass
      ``1 − Σ_{ℓ<L} (1 − p_ℓ)`` (atoms of ``⊠``: ``μ({a}) + ν({1}) − 1``).  At
      finite ``N`` it is an exactly repeated eigenvalue: its location is the
      same sum with the empirical ``q̂_ℓ = ‖x_ℓ‖²/M`` and its multiplicity is
      ``N − Σ_ℓ #{i: (D_ℓ)_ii = 0}`` (an intersection of subspaces in general
      position); both are checked exactly, and the mass against the limit.
    * The Kolmogorov distance to ``law`` if given (an object with a density).

    Parameters
    ----------
    net : freealg.MLP
        The network (required despite the ``None`` default), with equal
        layer widths (no ``widths=``, equal ``ratios``).
    widths : sequence of int, default (50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M``.
    n_moments : int, default 4
        Number of moments ``tr(X^k)``, ``k = 1..n_moments``, compared;
        ``1 <= n_moments <= MAX_MOMENTS`` (200).
    law : law or None, default None
        A law of ``Θ_L`` with ``density`` (and ``atoms``/``support``) for
        the Kolmogorov / Lévy distances, e.g. ``net.fim_law(q_in=q0)``.
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.

    Returns
    -------
    CheckReport

    Other Parameters
    ----------------
    n_jobs : int, optional
        Local processes for the sampled networks (``-1``: every core).
    executor : concurrent.futures executor or dask.distributed.Client, optional
        Run the sampled networks there.  Every trial has its own seed drawn
        from ``rng``, so the report is identical for any ``n_jobs`` or
        executor.
    progress : None, bool or callable, optional
        A tqdm bar (``None``: when standard error is a terminal), or a
        callable ``progress(done, total)``.
    cache_dir : str or path, optional
        Keep each sampled network's result on disk and reuse it on a rerun
        with the same parameters and seed (pickles, keyed by the task and the
        package version; use a directory only you write to).

    Raises
    ------
    InvalidArgumentError
        If ``net`` is None or fixes unequal widths; if a width or trial
        count is out of range (see above), ``q0 < 0`` or ``n_jobs = 0``.
    InvalidArgumentTypeError
        If an argument has the wrong type (a non-integer width, trial count
        or ``n_moments``, a ``net`` that is not an MLP specification, an
        ``rng`` that is neither a Generator nor a seed, a ``progress`` that is
        not allowed, ...).
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH``, more than
        ``MAX_TRIALS`` trials or ``MAX_MOMENTS`` moments, before any
        sampling.
    UnknownActivationError
        For an unknown activation name.
    InvalidLawError
        If ``law``'s density is negative on its support.

    Examples
    --------
    ReLU, orthogonal ``σ_w = 1``, ``L = 2``, ``q_0 = 1``: ``q_1 = 1/2`` and
    ``μ_2 = q_1 + ν_1`` with ``ν_1`` Bernoulli(1/2), i.e. atoms of mass 1/2
    at 0.5 and 1.5 (moments 1 and 1.25):

    >>> import freealg
    >>> from freealg import verify
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    >>> rep = verify.check_fim_spectrum(net, widths=(8, 16), trials=3, n_moments=2, progress=False)
    >>> rep.data["top_atom"], rep.data["theory_moments"]
    ((1.5, 0.5), [1.0, 1.25])
    """
    if net is None:
        raise InvalidArgumentError("check_fim_spectrum needs an MLP specification net=")

    act, init, sw, sb, depth = _net_params(net)
    _uniform_widths(net, "check_fim_spectrum")
    _check_q0(q0)
    rng = _rng(rng)
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    n = _check_count(n_moments, "n_moments", 1, MAX_MOMENTS,
                     "high empirical moments are dominated by the largest eigenvalue")
    check_progress(progress)
    check_jobs(n_jobs, executor)
    s2 = sw * sw
    qh, qx = _meanfield(net, q0)
    wl = _w_law_moments(init, s2, n)
    limit = _fim_moments(qx, [wl] * depth,
                         [[float(v) for v in act.dphi2_moments(float(q), n)] for q in qh[:-1]], n)
    atom = _top_atom(net, q0)
    parts, summary, missing = [], [], []
    data = {"theory_moments": limit, "top_atom": atom, "widths": {}}
    run = {"widths": widths, "trials": trials, "q0": q0, "init": init, "s2": s2, "n": n, "depth": depth,
           "n_jobs": n_jobs, "executor": executor, "cache_dir": cache_dir}
    emp, plug, ks, masses, exact_ok = _sweep_fim(net, run, rng, law, atom is not None, progress)
    lim, pl = _checks_from(lambda k: f"tr(Theta_{depth}^{k})", widths, emp, plug, limit,
                           ("q", "D", "W^T W"))
    text = _compact_table(f"moments of Theta_L (L = {depth})", lim, pl)
    tests, identities = list(lim) + list(pl), []
    if atom is not None:
        atom_check, atom_text = _atom_part(atom, widths, masses)
        tests.append(atom_check)
        identities.append(("finite-N top-atom location and multiplicity N - #zeros(D)", exact_ok))
        text += atom_text
    if ks:
        text += ("\nKolmogorov / Lévy distance to the law (atoms of Theta_L sit at the "
                 "sample's q-hat, so Kolmogorov jumps by their mass; Lévy does not): "
                 + ", ".join(f"{ks[N]['ks']:.3g} / {ks[N]['levy']:.3g} (N={N})" for N in widths))
    parts.append({"text": text, "rows": lim.rows})
    rel = [max(abs(c.rows[i]["error"] / c.predicted) for c in lim) for i in range(len(widths))]
    summary.append("max relative moment error " + ", ".join(f"{r:.2e} (N={N})" for r, N in zip(rel, widths))
                   + f"; rates vs limit {[c.rate for c in lim]}, vs plug-in {[c.rate for c in pl]}")
    if atom is not None:
        summary.append(f"top atom: limit mass {atom[1]:.6g} at {atom[0]:.6g}; finite-N "
                       "location/multiplicity identity " + ("holds" if exact_ok else "FAILS"))
        data["top_atom_empirical"] = {N: {"mass": masses[N][0], "stderr": masses[N][1],
                                          "finite_N": [list(f) for f in masses[N][2]]}
                                      for N in widths}
    if law is None:
        missing.append("Kolmogorov distance (no law with a density given)")
    data["limit"], data["plugin"], data["ks"] = lim.to_dict(), pl.to_dict(), ks
    claim = (f"{init} weights, {act.name}, sigma_w = {_param_text(net.sigma_w)}, sigma_b = {_param_text(net.sigma_b)}, depth {depth}, "
             f"q0 = {q0}: spectrum of the one-sample FIM Theta_L")
    return CheckReport("one-sample FIM spectrum", claim, parts, summary, decide(tests, identities),
                       data, missing)


def _sweep_fim(net, run, rng, law, with_atom, progress):
    """Sample the networks (one task per trial, seeds from ``rng``).

    Returns, per width, the ``(trials, n)`` arrays of empirical and plug-in
    moments, the Kolmogorov / Lévy distances to ``law`` (if given), the top
    atom's empirical masses ``(mean, stderr, finite-N rows, masses)`` (if
    ``with_atom``), and whether the finite-``N`` location and multiplicity
    of the top atom were exact in every trial."""
    widths, trials, depth = run["widths"], run["trials"], run["depth"]
    emp, plug, ks, masses, exact_ok = {}, {}, {}, {}, True
    cdf_law = None
    tasks = [(net, N, seed, run["q0"], run["init"], run["s2"], run["n"], depth, with_atom)
             for N, seed in zip([N for N, T in zip(widths, trials) for _ in range(T)],
                                _trial_seeds(rng, sum(trials)))]
    results = iter(map_tasks(_fim_trial, tasks, n_jobs=run["n_jobs"], executor=run["executor"],
                             progress=progress, desc="verify fim", cache_dir=run["cache_dir"]))
    for N, T in zip(widths, trials):
        e_rows, p_rows, evs, mass_n, fin = [], [], [], [], []
        for _ in range(T):
            ev, e_row, p_row, atom_row = next(results)
            evs.append(ev)
            e_rows.append(e_row)
            p_rows.append(p_row)
            if atom_row is not None:
                loc, mult, want = atom_row
                fin.append(atom_row)
                # with want = 0 an eigenvalue may still sit at loc by accident of rounding: allow 1
                exact_ok = exact_ok and (mult == want or (want == 0 and mult <= 1))
                mass_n.append(mult / N)
        emp[N], plug[N] = np.array(e_rows), np.array(p_rows)
        if law is not None:
            if cdf_law is None:
                cdf_law = _TheoryCDF(law)
            sc = spectrum(law, evs, n_moments=0, _cdf=cdf_law)
            ks[N] = {"ks": sc.ks, "levy": sc.levy}
        if with_atom:
            masses[N] = (float(np.mean(mass_n)), float(np.std(mass_n, ddof=1) / math.sqrt(T)), fin,
                         list(mass_n))
    return emp, plug, ks, masses, exact_ok


def _atom_part(atom, widths, masses):
    """The empirical top-atom mass against the limit, with the rate analysis
    of the moments (it must approach the limit like a power of ``1/N``), and
    its lines of the report's table."""
    atom_check = MomentCheck("top atom mass", atom[1], atom[1],
                             [_row(N, masses[N][3], np.full(len(masses[N][3]), atom[1]))
                              for N in widths])
    text = f"\ntop atom: limit mass {atom[1]:.6g} at {atom[0]:.6g}"
    for N, r in zip(widths, atom_check.rows):
        mm, se, fin = masses[N][:3]
        hits = sum(m == w for _, m, w in fin)
        text += (f"\n  N = {N}: empirical mass {mm:.5g} ± {se:.2g} (z = {r['z']:.1f}); finite-N "
                 f"location and multiplicity N - #zeros(D) exact in {hits}/{len(fin)} trials")
    text += f"\n  rate of the mass vs limit: {atom_check.rate}"
    return atom_check, text
