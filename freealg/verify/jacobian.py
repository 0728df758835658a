r"""The check of the spectrum of ``J Jᵀ`` across depth
(:func:`check_jacobian_spectrum`, docs/theory.md §5).
"""

from __future__ import annotations

import numpy as np

from .._utils.progress import check_jobs, check_progress, map_tasks
from ..dnn._conventions import check_convention
from ..errors import InvalidArgumentError
from ._common import _param_text, MAX_MOMENTS, _check_count, _check_depths, _check_q0, _check_trials, _check_widths, _rng
from .momentcheck import _checks_from, _compact_table
from .spectra import _TheoryCDF, spectrum
from .network import _fixed_point_q0, _meanfield, _net_params, _net_with, _uniform_widths
from .report import CheckReport, decide
from .limits import _jac_moments, _jacobian_curve, _w_law_moments
from .trials import _Offset, _jacobian_trial, _trial_seeds
from ._lawtools import _CachedLaw


def check_jacobian_spectrum(net=None, depths=(2, 8, 32), *, widths=(50, 100, 200), trials=40,
                            q0=None, convention=None, n_moments=4, law=None, rng=0, progress=None,
                            n_jobs=1, executor=None, cache_dir=None):
    r"""Spectrum of ``J Jᵀ`` of sampled networks at several depths against
    the free-probability prediction (docs/theory.md §5, PSG).

    For each depth ``L`` and width ``N``, ``trials`` networks are sampled
    with an input at the fixed point (``q0=None``: ``σ_w² q0 + σ_b² = q*``) or
    with ``‖x_0‖²/M = q0``, and the moments ``tr((J Jᵀ)^k)`` are compared with

    * the limit ``⊠_ℓ μ_{W_ℓᵀW_ℓ} ⊠ ⊠_ℓ ν_ℓ`` (S-transform products on
      moment sequences; ``ν_ℓ`` the law of ``φ'(h_ℓ)²`` at the mean-field
      variance ``q^ℓ`` of layer ``ℓ``);
    * the same free product with the *empirical* laws of each sample's
      ``D_ℓ²`` and ``W_ℓᵀW_ℓ`` (plug-in), which isolates the freeness error
      from the ``O(N^{-1/2})`` fluctuations of the layer laws;
    * the Kolmogorov and Lévy distances to ``law(L)`` when a callable
      ``law`` returning a law with a density is given, or with
      ``law="auto"`` to the exact spectral curve ``σ_w^{2L} (MP^{⊠L} ⊠)
      ν^{⊠n_D}`` (piecewise-linear activations at the fixed point; the
      certified density of a deep curve is expensive: minutes at ``L = 32``).

    Each moment gets the rate analysis of :func:`moments`.

    Parameters
    ----------
    net : freealg.MLP
        The network (required despite the ``None`` default), with equal
        layer widths (no ``widths=``, equal ``ratios``); its ``depth`` is
        replaced by each of ``depths``.
    depths : sequence of int, default (2, 8, 32)
        1 to 100 depths ``L``, each ``1 <= L <= MAX_DEPTH``.
    widths : sequence of int, default (50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    q0 : real >= 0 or None, default None
        Input variance ``‖x_0‖²/M``; None puts the input at the fixed point
        ``σ_w² q0 + σ_b² = q*`` of the variance map.
    convention : {"preactivation", "psg"} or None, default None
        Jacobian convention (``J = W_L D_{L−1} ⋯ W_1`` or ``D_L W_L ⋯ W_1``);
        None takes ``net.jacobian_convention`` (else ``"preactivation"``).
    n_moments : int, default 4
        Number of moments ``tr(X^k)``, ``k = 1..n_moments``, compared;
        ``1 <= n_moments <= MAX_MOMENTS`` (200).
    law : None, "auto" or callable, default None
        Also compute Kolmogorov / Lévy distances: ``law(L)`` returns a law
        with a density; ``"auto"`` builds the exact spectral curve
        (piecewise-linear activations at the fixed point; a depth where it
        cannot is listed in ``missing``).
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.

    Returns
    -------
    CheckReport
        ``passed`` by the rule of :func:`decide` over the moments' rate
        fits (:attr:`MomentCheck.p_value`), for the limit and the plug-in
        predictions, at every depth.

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
        If ``net`` is None or fixes unequal widths; if a depth, width or
        trial count is out of range (see above), ``q0 < 0``, ``convention``
        or ``law`` is not one of the allowed values, or ``n_jobs = 0``.
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
    ConvergenceError
        If ``q0=None`` and the variance map has no attracting fixed point
        (pass ``q0`` explicitly).

    Examples
    --------
    ReLU, orthogonal ``σ_w = 2``, ``L = 2`` (preactivation convention): ``J Jᵀ`` has
    the law of ``σ_w⁴ D_1²``, so the limit moments are ``16^k / 2``:

    >>> import freealg
    >>> from freealg import verify
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=2.0, sigma_b=0.0)
    >>> rep = verify.check_jacobian_spectrum(net, depths=(2,), widths=(8, 16), trials=3,
    ...                                      q0=1.0, n_moments=2, progress=False)
    >>> [c["predicted"] for c in rep.data["depths"][2]["limit"]["checks"]]
    [8.0, 128.0]
    """
    if net is None:
        raise InvalidArgumentError("check_jacobian_spectrum needs an MLP specification net=")

    act, init, sw, sb, _ = _net_params(net)
    depths = _check_depths(depths)
    if q0 is not None:
        _check_q0(q0)
    check_progress(progress)
    check_jobs(n_jobs, executor)
    if convention is not None:
        convention = check_convention(convention)
    _uniform_widths(net, "check_jacobian_spectrum")
    convention = convention or getattr(net, "jacobian_convention", None) or "preactivation"
    if q0 is None:
        q0 = _fixed_point_q0(net)
    rng = _rng(rng)
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    n = _check_count(n_moments, "n_moments", 1, MAX_MOMENTS,
                     "high empirical moments are dominated by the largest eigenvalue")
    run = {"widths": widths, "trials": trials, "q0": q0, "convention": convention, "init": init,
           "s2": sw * sw, "n": n, "n_jobs": n_jobs, "executor": executor, "cache_dir": cache_dir}
    parts, summary, data, missing = [], [], {"depths": {}}, []
    tests = []
    total = len(depths) * sum(trials)
    done = 0
    for L in depths:
        netL = _net_with(net, depth=int(L))
        limit = _depth_limit(netL, act, L, run)
        lawL = _depth_law(net, L, q0, convention, law, missing)
        emp, plug, ks = _sweep_depth(netL, L, run, rng, lawL, _Offset(progress, done, total))
        done += sum(trials)
        lim, pl = _checks_from(lambda k, L=L: f"L={L}: tr((J J^T)^{k})", widths, emp, plug,
                               limit, ("D", "W^T W"))
        text, line = _depth_text(L, convention, widths, lim, pl, ks)
        parts.append({"text": text, "rows": lim.rows})
        tests.extend(list(lim) + list(pl))
        data["depths"][int(L)] = {"limit": lim.to_dict(), "plugin": pl.to_dict(), "ks": ks}
        summary.append(line)
    if law is None:
        missing.append("Kolmogorov distance (no law with a density given; pass law='auto' "
                       "or law=lambda L: ...)")
    claim = (f"{init} weights, {act.name}, sigma_w = {_param_text(net.sigma_w)}, sigma_b = {_param_text(net.sigma_b)}, q0 = {q0:.6g}, "
             f"{convention} convention: mu_JJ^T = free product of the layer laws")
    return CheckReport("Jacobian spectrum across depth", claim, parts, summary, decide(tests), data,
                       missing)


def _depth_limit(netL, act, L, run):
    """The limit moments of ``μ_{JJᵀ}`` at depth ``L``: the free product of the
    weight laws and the laws ``ν_ℓ`` of ``φ'(h_ℓ)²`` at the mean-field
    variances (the first ``n_D`` layers carry a ``D``)."""
    n = run["n"]
    qh, _ = _meanfield(netL, run["q0"])
    n_d = L if run["convention"] == "psg" else L - 1
    wl = _w_law_moments(run["init"], run["s2"], n)
    return _jac_moments([wl] * L, [[float(v) for v in act.dphi2_moments(float(q), n)]
                                   for q in qh[:n_d]], n)


def _depth_law(net, L, q0, convention, law, missing):
    """The law of ``J Jᵀ`` at depth ``L`` for the distances, or None: the exact
    curve (``law="auto"``; a depth where it cannot be built is listed in
    ``missing``), ``law(L)`` for a callable, None without a law."""
    if law == "auto":
        try:
            return _CachedLaw(_jacobian_curve(net, int(L), q0, convention))
        except (InvalidArgumentError, ImportError) as exc:
            missing.append(f"L = {L}: no automatic law ({exc})")
            return None
    if callable(law):
        return law(L)
    if law is not None:
        raise InvalidArgumentError(f"law must be None, 'auto' or a callable L -> law; got {law!r}")
    return None


def _sweep_depth(netL, L, run, rng, lawL, progress):
    """Sample the networks of depth ``L`` (one task per trial, seeds from
    ``rng``): per width, the ``(trials, n)`` arrays of empirical and plug-in
    moments, and the Kolmogorov / Lévy distances to ``lawL`` if given."""
    widths, trials = run["widths"], run["trials"]
    n_d = L if run["convention"] == "psg" else L - 1
    cdfL = _TheoryCDF(lawL) if lawL is not None else None
    emp, plug, ks = {}, {}, {}
    tasks = [(netL, N, seed, run["q0"], run["convention"], run["init"], run["s2"], run["n"], n_d)
             for N, seed in zip([N for N, T in zip(widths, trials) for _ in range(T)],
                                _trial_seeds(rng, sum(trials)))]
    results = iter(map_tasks(_jacobian_trial, tasks, n_jobs=run["n_jobs"], executor=run["executor"],
                             progress=progress, desc=f"verify jacobian L={L}",
                             cache_dir=run["cache_dir"]))
    for N, T in zip(widths, trials):
        e_rows, p_rows, evs = [], [], []
        for _ in range(T):
            ev, e_row, p_row = next(results)
            evs.append(ev)
            e_rows.append(e_row)
            p_rows.append(p_row)
        emp[N], plug[N] = np.array(e_rows), np.array(p_rows)
        if lawL is not None:
            sc = spectrum(lawL, evs, n_moments=0, _cdf=cdfL)
            ks[N] = {"ks": sc.ks, "levy": sc.levy}
    return emp, plug, ks


def _depth_text(L, convention, widths, lim, pl, ks):
    """The table of depth ``L`` (with the distances, if any) and its summary
    line."""
    text = _compact_table(f"L = {L}: moments of J J^T ({convention} convention)", lim, pl)
    if ks:
        text += "\nKolmogorov / Lévy distance to the limit law: " + ", ".join(
            f"{ks[N]['ks']:.3g} / {ks[N]['levy']:.3g} (N={N})" for N in widths)
    rel = [max(abs(c.rows[i]["error"] / c.predicted) for c in lim) for i in range(len(widths))]
    line = (f"L = {L}: max relative moment error "
            + ", ".join(f"{r:.2e} (N={N})" for r, N in zip(rel, widths))
            + f"; rates vs limit {[c.rate for c in lim]}, vs plug-in {[c.rate for c in pl]}")
    return text, line
