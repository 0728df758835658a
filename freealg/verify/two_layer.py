r"""The check of the two-hidden-layer closed form of the one-sample FIM spectrum
(:func:`check_two_layer_fim`, docs/theory.md §6).
"""

from __future__ import annotations

import numpy as np

from .._utils.progress import check_jobs, check_progress
from .._utils.validate import describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._common import _param_text, MAX_MOMENTS, _check_count, _check_q0, _to_float
from .network import _make_net, _meanfield, _net_params
from .report import CheckReport, decide
from .limits import _fim_moments, _top_atom, _two_layer_fim_curve, _w_law_moments
from .fim import check_fim_spectrum
from ._lawtools import _CachedLaw, _display_polynomial


def check_two_layer_fim(activation="hardtanh", sigma_w=1.0, sigma_b=0.0, *, init="orthogonal",
                        net=None, q0=1.0, widths=(50, 100, 200), trials=40, n_moments=4, rng=0,
                        with_density=True, progress=None, n_jobs=1, executor=None, cache_dir=None):
    r"""The two-hidden-layer (``L = 3``) closed form of the one-sample FIM
    spectrum (docs/theory.md §6) against sampled networks.

    For hard-tanh / ReLU the theory law is the exact spectral curve of
    ``μ_3`` built with :mod:`freealg.curves` (``ν_1, ν_2`` Bernoulli, ``μ_2``
    two atoms, ``μ_3`` algebraic of low degree) from the exact layer data of
    :meth:`freealg.MLP.fim_law` (an exact ``sigma_w`` such as
    ``sympy.sqrt(2)`` stays exact).  Compared: its exact moments against the
    S-transform recursion in floats (two independent algorithms) and against
    the eigenvalues of ``Θ_3`` at each width (via :func:`check_fim_spectrum`,
    with the top atom), and -- when the density engine
    (:mod:`freealg.density`) is available and ``with_density`` -- its atoms
    against the atom rule of free products and its certified density through
    the Kolmogorov and Lévy distances (a few seconds).

    For a smooth activation (tanh, erf, ...) the law of ``φ'(h)²`` is
    continuous and ``μ_3`` has no algebraic curve: the check is then that of
    :func:`check_fim_spectrum` at depth 3 (moments of the spectral recursion
    against the eigenvalues, limit and plug-in), and the report says that
    the closed form and the distance to a density were not checked.

    Parameters
    ----------
    activation : str, sympy expression or Activation, default "hardtanh"
        ``"hardtanh"``, ``"relu"`` (closed form), or a smooth activation.
    sigma_w : real > 0, default 1.0
        Weight scale; an exact value (``sympy.sqrt(2)``, ``Fraction(3, 2)``)
        stays exact in the curve.
    sigma_b : real >= 0, default 0.0
        Bias standard deviation, exact values kept likewise.
    init : {"orthogonal", "gaussian"}, default "orthogonal"
        Weight initialisation.
    net : freealg.MLP, optional
        A depth-3 network instead of the four parameters above.
    q0 : real >= 0, default 1.0
        ``‖x_0‖²/M`` of the input.
    widths : sequence of int, default (50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    n_moments : int, default 4
        Number of moments ``tr(X^k)``, ``k = 1..n_moments``, compared;
        ``1 <= n_moments <= MAX_MOMENTS`` (200).
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.
    with_density : bool, default True
        Also compare the certified density (Kolmogorov / Lévy distances) and
        the atoms of the curve (a few seconds).
    progress : None, bool or callable, default None
        A tqdm bar (``None``: when standard error is a terminal), or a
        callable ``progress(done, total)``.
    n_jobs : int, default 1
        Local processes for the sampled networks (``-1``: every core).
    executor : concurrent.futures executor or dask.distributed.Client, optional
        Run the sampled networks there (same results as serially).
    cache_dir : str or path, optional
        Reuse sampled results stored on disk (see :func:`check_fim_spectrum`).

    Returns
    -------
    CheckReport
        ``report.data["curve"]`` is the whole polynomial ``P(z, G)`` (the
        report prints it with rounded coefficients).

    Raises
    ------
    InvalidArgumentError
        If ``depth`` of ``net`` is not 3, ``net`` fixes unequal widths, an
        MLP parameter, width, trial count or ``q0`` is out of range, or
        ``n_jobs = 0``.
    InvalidArgumentTypeError
        If an argument has the wrong type (a non-integer width, trial count
        or ``n_moments``, a ``net`` that is not an MLP specification, an
        ``rng`` that is neither a Generator nor a seed, a ``progress`` that is
        not allowed, a ``with_density`` that is not a bool, ...).
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH``, more than
        ``MAX_TRIALS`` trials or ``MAX_MOMENTS`` moments, before any
        sampling.
    UnknownActivationError
        For an unknown activation name.

    Examples
    --------
    >>> import sympy
    >>> rep = check_two_layer_fim("relu", sympy.sqrt(2), 0, widths=(16, 32), trials=2,
    ...                           with_density=False)
    >>> rep.data["curve"]
    'G**2*z**4 - 12*G**2*z**3 + 42*G**2*z**2 - 52*G**2*z + 21*G**2 - G*z**3 + 11*G*z**2 - 31*G*z + 21*G - 2*z + 5'
    >>> rep.data["curve_moments"]
    [3.0, 14.0, 78.0, 466.0]
    """
    net = _make_net(net, init, activation, sigma_w, sigma_b, 3)
    act, init, sw, sb, depth = _net_params(net)
    n_moments = _check_count(n_moments, "n_moments", 1, MAX_MOMENTS,
                             "high empirical moments are dominated by the largest eigenvalue")
    _check_q0(q0)
    if not isinstance(with_density, (bool, np.bool_)):
        raise InvalidArgumentTypeError(
            f"with_density must be True or False; got {describe(with_density)} of type "
            f"{type(with_density).__name__}")
    check_progress(progress)
    check_jobs(n_jobs, executor)
    if depth != 3:
        raise InvalidArgumentError(f"the two-hidden-layer check needs depth 3; got depth {depth}")
    params = (f"{init} weights, {act.name}, sigma_w = {_param_text(net.sigma_w)}, sigma_b = "
              f"{_param_text(net.sigma_b)}, q0 = {_param_text(q0)}")
    sweep = {"widths": widths, "trials": trials, "q0": q0, "n_moments": n_moments, "rng": rng,
             "progress": progress, "n_jobs": n_jobs, "executor": executor, "cache_dir": cache_dir}
    if not act.piecewise_linear:
        return _smooth_report(net, act, params, sweep)
    curve = _two_layer_fim_curve(net, q0)
    exact = [_to_float(v, "moment") for v in curve.moments(n_moments)]
    qh, qx = _meanfield(net, q0)
    s2 = sw * sw
    rec = _fim_moments(qx, [_w_law_moments(init, s2, n_moments)] * 3,
                       [[float(v) for v in act.dphi2_moments(float(q), n_moments)] for q in qh[:2]],
                       n_moments)
    rel = max(abs(a - b) / abs(b) for a, b in zip(exact, rec))
    missing, law, atom_text, atoms_ok = _curve_atoms(net, q0, curve, with_density)
    rep = check_fim_spectrum(net, law=law, **sweep)
    poly = getattr(curve, "polynomial", None)
    shown = _display_polynomial(poly)
    header = {"text": f"closed form (coefficients rounded for display): {shown} = 0\n"
                      f"exact moments of the curve {[f'{v:.10g}' for v in exact]}\n"
                      f"S-transform recursion      {[f'{v:.10g}' for v in rec]}\n"
                      f"max relative difference {rel:.2e}",
              "rows": []}
    if atom_text:
        header["text"] += "\n" + atom_text
    agree = rel < 1e-9 and atoms_ok
    summary = [f"curve moments vs S-transform recursion: max relative difference {rel:.2e}"
               + (" (agree)" if agree else " (DISAGREE)")] + rep.summary
    data = dict(rep.data, curve=str(poly), curve_moments=exact, recursion_moments=rec)
    claim = f"{params}: the two-hidden-layer FIM spectrum mu_3 is algebraic (closed form below)"
    verdict = decide([t[:2] for t in rep.decision.tests], rep.decision.identities + [
        ("curve moments = S-transform recursion (rel. 1e-9)", rel < 1e-9),
        ("top atom of the curve = atom rule of free products", atoms_ok)])
    return CheckReport("two-hidden-layer FIM closed form", claim, [header] + rep.parts, summary,
                       verdict, data, missing + [m for m in rep.missing if "no law" not in m])


def _smooth_report(net, act, params, sweep):
    """The report for a smooth activation: no algebraic curve, so the check
    of :func:`check_fim_spectrum` at depth 3 (``sweep``: its arguments), with
    the closed form and the distance to a density listed as not checked."""
    rep = check_fim_spectrum(net, **sweep)
    note = (f"no closed form: the law of {act.name}'(h)^2 is continuous, so mu_3 is not "
            "algebraic (the curve exists for hard-tanh and ReLU only); checked: the moments of "
            "the spectral recursion against the eigenvalues of Theta_3")
    missing = [f"closed-form curve and distance to the density ({act.name} is smooth; the "
               "density of mu_3 is freealg.MLP(3, activation, ...).fim_law(q_in=q0).density(x), "
               "the functional-equation engine, about a minute)"]
    claim = f"{params}: the two-hidden-layer FIM spectrum mu_3 (spectral recursion)"
    return CheckReport("two-hidden-layer FIM spectrum", claim,
                       [{"text": note, "rows": []}] + rep.parts, [note] + rep.summary,
                       rep.decision if rep.decision is not None else rep.passed,
                       dict(rep.data, curve=None), missing + [
                           m for m in rep.missing if "no law" not in m
                           and "Kolmogorov" not in m])


def _curve_atoms(net, q0, curve, with_density):
    """The curve as the law of the distances, and its atoms against the atom
    rule of free products (:func:`_top_atom`), when the density engine is
    available and ``with_density``.

    Returns
    -------
    (missing, law, atom_text, atoms_ok)
        The parts not checked, the law (None when not compared), the lines
        on the curve's atoms and support, and whether its top atom agrees."""
    missing, law, atom_text, atoms_ok = [], None, "", True
    try:
        import importlib

        importlib.import_module("..density", __package__)
    except ImportError:
        missing.append("density and atoms of the closed form (freealg.density, the density "
                       "engine, is not available): Kolmogorov distance not computed")
    else:
        if not with_density:
            missing.append("density, atoms and Kolmogorov/Lévy distance of the closed form "
                           "(with_density=False)")
    if with_density and not missing:
        law = _CachedLaw(curve)
        atoms = [(float(_to_float(a)), float(_to_float(m))) for a, m in law.atoms()]
        support = [(float(_to_float(a)), float(_to_float(b))) for a, b in law.support()]
        atom_text = ("curve atoms: " + ", ".join(f"{m:.6g} at {a:.6g}" for a, m in atoms)
                     + "; support " + ", ".join(f"[{a:.6g}, {b:.6g}]" for a, b in support))
        top = _top_atom(net, q0)
        if top is not None and top[1] > 0:
            near = [(a, m) for a, m in atoms if abs(a - top[0]) <= 1e-9 * max(1.0, abs(top[0]))]
            atoms_ok = bool(near) and abs(near[0][1] - top[1]) <= 1e-9
            atom_text += (f"\ntop atom of the curve vs the atom rule of free products "
                          f"(mass {top[1]:.10g} at {top[0]:.10g}): "
                          + ("agree" if atoms_ok else "DISAGREE"))
    return missing, law, atom_text, atoms_ok
