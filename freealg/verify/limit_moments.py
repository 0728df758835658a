r"""Limit moments ``φ(p)`` of the freeness engine against the empirical ``tr p``
at several widths (:func:`moments`), with constant or plug-in predictions.
"""

from __future__ import annotations

import numpy as np

from .._utils.progress import ProgressCallback, check_progress
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, UnknownSymbolError
from ._common import _check_trials, _check_widths, _rng, _to_float
from .evaluation import _empirical_moments, _eval_trace, _matrix_table, _terms_of
from .momentcheck import MomentCheck, MomentChecks, _row


_LAW_SYMBOL = None


def _law_symbol_re():
    global _LAW_SYMBOL
    if _LAW_SYMBOL is None:
        import re

        _LAW_SYMBOL = re.compile(r"^(m|kappa)_(\d+)\(([A-Za-z][A-Za-z0-9_]*)\)$")
    return _LAW_SYMBOL


class _Prediction:
    """A constant prediction, or a plug-in one: a sympy expression in the law
    symbols ``m_k(X)`` / ``kappa_k(X)``, evaluated per trial at the empirical
    moments ``tr(X^k)`` of the sampled ``X``."""

    def __init__(self, expr, model, predicted, plugin):
        self.plugin = ()
        if predicted is not None:
            self.value = _to_float(predicted, "predicted")
            self.exact = predicted
            return
        if model is None:
            raise InvalidArgumentError(
                "give a FreeModel (model=...) or a known limit (predicted=...)"
            )
        exact = model.moment(expr)
        self.exact = exact
        free = getattr(exact, "free_symbols", set()) if type(exact).__module__.startswith("sympy") else set()
        if not free:
            val = _to_float(exact, f"the predicted limit of {expr}")
            if isinstance(val, complex):
                raise InvalidArgumentError(f"the predicted limit of {expr} is complex: {exact}")
            self.value = val
            return
        if not plugin:
            names = ", ".join(sorted(str(x) for x in free))
            raise InvalidArgumentError(
                f"the prediction {exact} of {expr} is symbolic (symbols {names}); give the "
                "laws to the model, substitute numbers, or use plugin=True to insert the "
                "empirical laws of the sampled matrices"
            )
        import sympy

        pat = _law_symbol_re()
        syms, needs = [], []
        for sym in sorted(free, key=str):
            m = pat.match(str(sym))
            if m is None:
                raise InvalidArgumentError(
                    f"the prediction of {expr} contains the symbol {sym}, which is not a law "
                    "symbol m_k(X) or kappa_k(X): substitute a number for it first"
                )
            syms.append(sym)
            needs.append((m.group(1), int(m.group(2)), m.group(3)))
        self.value = None
        self.syms = syms
        self.needs = needs
        self.plugin = tuple(sorted({x for _, _, x in needs}))
        self.fun = sympy.lambdify(syms, exact, modules="math")

    def __call__(self, table):
        if self.value is not None:
            return self.value
        cache = {}
        args = []
        for kind, k, name in self.needs:
            if name not in table:
                raise UnknownSymbolError(
                    f"plug-in prediction needs the empirical law of {name}, but the sampler "
                    f"gave no matrix for it (given: {', '.join(sorted(table))})"
                )
            mom = cache.get(name)
            kmax = max(kk for _, kk, nn in self.needs if nn == name)
            if mom is None:
                mom = cache[name] = _empirical_moments(table[name], kmax)
            if kind == "m":
                args.append(mom[k - 1])
            else:
                from ..cumulants import free_cumulants

                args.append(float(free_cumulants(list(mom))[k - 1]))
        return float(self.fun(*args))


def moments(expr, model=None, sampler=None, widths=(25, 50, 100, 200), trials=20, rng=None, *,
            predicted=None, plugin=False, expected_rate=None, progress=None):
    r"""Compare the limit ``φ(p)`` of the freeness engine with the empirical
    ``tr p`` at several widths.

    For each width ``N`` and each of ``T`` trials, ``sampler(N, rng)`` draws a
    dict ``letter name -> matrix`` (or vector, for a diagonal) and
    :func:`evaluate` computes ``tr p`` (its real part: the canonical form of a
    trace identifies ``tr w`` with ``tr w* = conj tr w``).  The table gives
    the mean, its standard error ``s/√T``, the error ``mean − φ(p)`` and
    ``z = error/SE``; the fits give the rate at which the error vanishes
    (see the module docstring).

    *Plug-in mode* (``plugin=True``): letters declared in the model without a
    law (symbolic ``m_k(X)``, ``kappa_k(X)``) get, in each trial, the
    empirical moments ``tr(X^k)`` of the sampled ``X``; the statistic is then
    ``tr p − φ(p)|_{empirical marginals}``.  This tests freeness itself,
    separately from the convergence of the marginal laws: the trace of a
    diagonal matrix with i.i.d. entries fluctuates like ``N^{-1/2}``, which
    otherwise hides the ``O(1/N)`` freeness corrections.

    Parameters
    ----------
    expr : Trace or NCPoly, or a list of them
        ``tr(p)`` (a polynomial is traced).  With a list, every expression is
        evaluated on the same samples and a :class:`MomentChecks` is returned.
    model : FreeModel, optional
        Gives the prediction ``model.moment(expr)``.
    sampler : callable ``(width, rng) -> dict``
    widths : sequence of int
    trials : int or sequence of int (one per width)
    rng : numpy Generator or int seed (default seed 0: reproducible)
    predicted : number, optional
        A known limit, used instead of ``model`` (with a list of expressions,
        a list of limits).
    plugin : bool
        Insert the empirical laws of symbolically declared letters.
    expected_rate : {"1/N", "1/N^2"}, optional
        If given, :attr:`MomentCheck.consistent` says whether the data fit it.
    progress : None, bool or callable, optional
        ``None`` (default): a bar in a terminal; ``True``/``False``: force it
        on/off; a callable ``progress(done, total)`` is called after every
        trial.

    Returns
    -------
    MomentCheck or MomentChecks

    Raises
    ------
    InvalidArgumentTypeError
        If ``sampler`` or ``progress`` is not callable, ``widths``/``trials``
        are not integers (or lists of them), ``rng`` is neither a Generator
        nor an int seed, or ``expr`` is not a trace or polynomial.
    InvalidArgumentError
        If ``widths`` is empty, has a width ``< 1`` or repeated widths;
        ``trials < 2`` or not one per width; ``expr`` is an empty list;
        neither ``model`` nor ``predicted`` is given; the prediction is
        symbolic without ``plugin=True`` (or has symbols that are not law
        symbols) or complex; ``expected_rate`` is invalid; a matrix shape
        does not fit; or the sampler gives non-finite traces.
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH`` (20000) or
        more than ``MAX_TRIALS`` (100000) trials, before any sampling.
    UnknownSymbolError
        If a letter of ``expr`` (or of a plug-in law) has no matrix in the
        sampler's dict, or is not declared in ``model``.

    Examples
    --------
    Real Wishart: ``E tr W² = λ² + λ + λ/N`` (the ``1/N`` is the real-Gaussian
    correction), limit ``λ² + λ = 2`` for ``λ = 1``:

    >>> import numpy as np
    >>> from freealg import FreeModel, nc_symbols, tr, simulate
    >>> X = nc_symbols("X")
    >>> model = FreeModel().ginibre(X)
    >>> res = moments(tr((X * X.T) ** 2), model, lambda n, rng: {"X": simulate.ginibre(n, rng)},
    ...               widths=[5, 10, 20, 40], trials=400, rng=3)
    >>> res.predicted, res.rate
    (2.0, '1/N')
    """
    progress = ProgressCallback("limit moments", check_progress(progress))
    _check_trials(trials, _check_widths(widths))  # cheap checks before any model work
    _rng(rng)
    if sampler is None or not callable(sampler):
        raise InvalidArgumentTypeError(
            "sampler must be a callable (width, rng) -> dict of matrices; got "
            f"{sampler!r}"
        )
    single = not isinstance(expr, (list, tuple))
    exprs = [expr] if single else list(expr)
    if not exprs:
        raise InvalidArgumentError("expr is an empty list")
    from ..nc.ncpoly import NCPoly, tr as _tr

    exprs = [_tr(e) if isinstance(e, NCPoly) else e for e in exprs]
    for e in exprs:
        _terms_of(e)
    if predicted is not None and not single:
        if len(predicted) != len(exprs):
            raise InvalidArgumentError("predicted must have one value per expression")
        preds = [_Prediction(e, model, p, plugin) for e, p in zip(exprs, predicted)]
    else:
        preds = [_Prediction(e, model, predicted, plugin) for e in exprs]
    if expected_rate not in (None, "1/N", "1/N^2"):
        raise InvalidArgumentError(f"expected_rate must be '1/N', '1/N^2' or None; got {expected_rate!r}")
    out = _run_moments(exprs, [preds], sampler, widths, trials, rng, expected_rate, progress)[0]
    return out[0] if single else out


def _run_moments(exprs, variants, sampler, widths, trials, rng, expected_rate, progress):
    """Evaluate ``exprs`` on shared samples against several prediction sets
    (``variants``: lists of :class:`_Prediction`, one per expression)."""
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    rng = _rng(rng)
    total = sum(trials)
    done = 0
    nv, ne = len(variants), len(exprs)
    data = []
    for n, t in zip(widths, trials):
        vals = np.empty((ne, t))
        pvals = np.empty((nv, ne, t))
        for i in range(t):
            table = _matrix_table(sampler(n, rng))
            for j, e in enumerate(exprs):
                v = _eval_trace(_terms_of(e)[1], table)
                vals[j, i] = v.real if isinstance(v, complex) else v
                for a, preds in enumerate(variants):
                    pvals[a, j, i] = preds[j](table)
            done += 1
            if progress is not None:
                progress(done, total)
        if not (np.all(np.isfinite(vals)) and np.all(np.isfinite(pvals))):
            raise InvalidArgumentError(
                f"the sampler produced non-finite traces at width {n}: check its scaling"
            )
        data.append((n, t, vals, pvals))
    results = []
    for a, preds in enumerate(variants):
        checks = MomentChecks()
        for j, (e, pred) in enumerate(zip(exprs, preds)):
            rows = []
            for n, t, vals, pvals in data:
                rows.append(_row(n, vals[j], pvals[a, j]))
            checks.append(MomentCheck(str(e), pred.value, pred.exact, rows, expected_rate,
                                      pred.plugin))
        results.append(checks)
    return results
