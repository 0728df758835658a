r"""The check of asymptotic freeness of the layerwise Jacobian factors
(:func:`check_asymptotic_freeness`, docs/theory.md §5).
"""

from __future__ import annotations

from .._utils.progress import ProgressCallback, check_progress
from .._utils.validate import describe
from ..errors import InvalidArgumentTypeError
from ._common import _param_text, _check_q0
from .limit_moments import _Prediction, _run_moments
from .network import _make_net, _net_params, _uniform_widths, network_letters, network_model, network_sampler
from .report import CheckReport, decide


def check_asymptotic_freeness(init="orthogonal", activation="hardtanh", sigma_w=1.0, sigma_b=0.0,
                              depth=2, *, net=None, q0=1.0, words=None,
                              widths=(25, 50, 100, 200), trials=40, rng=0, progress=None):
    r"""Asymptotic freeness of the layerwise Jacobian factors (PSG; proved
    for Haar orthogonal weights by Collins–Hayase, docs/theory.md §5).

    Samples actual networks: the ``D_ℓ = diag(φ'(h_ℓ))`` come from the
    forward pass of an input with ``‖x_0‖²/M = q0`` through the sampled
    weights (they depend on the ``W``'s), and compares mixed moments of
    ``W_ℓ`` and ``D_ℓ`` with the prediction of :func:`network_model` (``W``'s
    and the ``D`` family free) at several widths, with the convergence rate.

    Parameters
    ----------
    init : {"orthogonal", "gaussian", "glorot_uniform", "glorot_normal"}, default "orthogonal"
        Weight initialisation of the MLP built when ``net`` is None.
    activation : str, sympy expression or Activation, default "hardtanh"
        Its activation (see :func:`freealg.get_activation`).
    sigma_w : real > 0, default 1.0
        Its weight scale ``σ_w``.
    sigma_b : real >= 0, default 0.0
        Its bias standard deviation ``σ_b``.
    depth : int, default 2
        Its number of weight layers ``L >= 1``.
    net : freealg.MLP, optional
        The network instead of the five parameters above (which are then
        ignored); it must have equal layer widths (no ``widths=``, equal
        ``ratios``).
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M``.
    words : list of Trace or NCPoly, optional
        Traces in the letters of :func:`network_letters` (a polynomial is
        traced); default: moments of ``J Jᵀ`` (preactivation and PSG conventions) and
        two words in which ``D_ℓ`` meets the ``W_ℓ`` it depends on.
    widths : sequence of int, default (25, 50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.
    progress : None, bool or callable, optional
        ``None`` (default): a bar in a terminal; ``True``/``False``: force it
        on/off; a callable ``progress(done, total)`` is called after every
        trial.

    Returns
    -------
    CheckReport
        ``parts`` is a :class:`MomentChecks`; ``passed`` by the rule of
        :func:`decide` over every word's :attr:`MomentCheck.p_value` (limit
        and plug-in).

    Raises
    ------
    InvalidArgumentError
        If an MLP parameter is out of range (``σ_w <= 0``, ``σ_b < 0``,
        ``depth < 1``, unknown init), ``net`` fixes unequal widths, ``q0 <
        0``, ``trials < 2``, or ``widths`` is empty, repeats a width or has
        one ``< 1``; if a word's prediction is symbolic or complex.
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
    UnknownSymbolError
        If a word uses a letter beyond the network's depth.

    Examples
    --------
    ReLU derivatives are Bernoulli(1/2); if the ``D``'s are free from the
    orthogonal ``W``'s, ``tr(W D Wᵀ D) -> tr(D)² = 1/4``, and with the
    sample's own law of ``D`` (plug-in) ``m_1(D1)²``:

    >>> from freealg import tr, verify
    >>> (W1, W2), (D1, D2) = verify.network_letters(2)
    >>> rep = verify.check_asymptotic_freeness(activation="relu", widths=(8, 16), trials=3,
    ...                                        words=[tr(W1 * D1 * W1.T * D1)])
    >>> rep.parts[0].predicted, rep.parts[1].exact
    (0.25, 1.0*m_1(D1)**2)
    """
    from ..nc.ncpoly import tr as _tr

    net = _make_net(net, init, activation, sigma_w, sigma_b, depth)
    act, init, sw, sb, depth = _net_params(net)
    _check_q0(q0)
    progress = ProgressCallback("asymptotic freeness", check_progress(progress))
    if words is not None and (isinstance(words, (str, bytes)) or not hasattr(words, "__iter__")):
        raise InvalidArgumentTypeError(
            f"words must be a list of traces; got {describe(words)} of type {type(words).__name__}")
    _uniform_widths(net, "check_asymptotic_freeness")
    ws, ds = network_letters(depth)
    if words is None:
        J = ws[0]
        for ell in range(1, depth):
            J = ws[ell] * ds[ell - 1] * J
        P = ds[depth - 1] * J
        words = [_tr(J * J.T), _tr((J * J.T) ** 2), _tr((J * J.T) ** 3),
                 _tr(P * P.T), _tr((P * P.T) ** 2),
                 _tr(ws[0] * ds[0] * ws[0].T * ds[0])]
        if depth >= 2:
            words.append(_tr(ws[1] * ds[0] * ws[1].T * ds[1] * ws[1] * ds[0] * ws[1].T * ds[1]))
    from ..nc.ncpoly import NCPoly

    words = [_tr(w) if isinstance(w, NCPoly) else w for w in words]
    limit_model = network_model(net, q0)
    plug_model = network_model(net, q0, symbolic_d=True)
    variants = [[_Prediction(w, limit_model, None, False) for w in words],
                [_Prediction(w, plug_model, None, True) for w in words]]
    limit, plug = _run_moments(words, variants, network_sampler(net, q0), widths, trials, rng,
                               None, progress)
    summary = [f"{'word':<44} {'limit':>10} {'err(Nmax)':>10} {'z':>6} {'rate':>13} | "
               f"{'plug-in err':>11} {'z':>6} {'rate':>13}"]
    for c, d in zip(limit, plug):
        lc, ld = c.rows[-1], d.rows[-1]
        name = c.expr if len(c.expr) <= 44 else c.expr[:41] + "..."
        summary.append(
            f"{name:<44} {c.predicted:>10.6g} {lc['error']:>+10.2e} {lc['z']:>6.1f} {c.rate:>13} | "
            f"{ld['error']:>+11.2e} {ld['z']:>6.1f} {d.rate:>13}"
        )
    passed = decide(list(limit) + list(plug))
    claim = (f"{init} weights (sigma_w = {_param_text(net.sigma_w)}), {act.name}, sigma_b = {_param_text(net.sigma_b)}, depth {depth}, "
             f"q0 = {q0}: the D's of the forward pass are asymptotically free from the W's.\n"
             "First tables: tr p against its limit. Second tables (plug-in): tr p against the "
             "free prediction with the empirical laws of the D's of the same sample, which "
             "isolates the freeness error from the O(N^-1/2) fluctuation of the D laws.")
    return CheckReport("asymptotic freeness of W and D", claim, list(limit) + list(plug), summary,
                       passed, data={"limit": limit.to_dict(), "plugin": plug.to_dict()})
