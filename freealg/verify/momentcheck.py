r"""The result of one moment comparison (:class:`MomentCheck`): the table of
widths, the weighted fits of the error against ``1/N`` and ``1/N²`` and the
measured rate (see the :mod:`freealg.verify` docstring for the statistics).
"""

from __future__ import annotations

import math

import numpy as np

from ._common import P_ACCEPT, ROUNDING, Z_RESOLVED, _chi2_sf


def _fit_rates(widths, err, se):
    """Weighted fits of the error against ``c/N``, ``c/N²``, ``c1/N + c2/N²``
    and zero, plus the free slope of ``log|err|`` on resolved widths."""
    n = np.asarray(widths, dtype=float)
    err = np.asarray(err, dtype=float)
    se = np.asarray(se, dtype=float)
    k = len(n)
    w = 1.0 / se**2
    z = err / se
    out = {}
    chi0 = float(np.sum(z**2))
    out["zero"] = {"chi2": chi0, "dof": k, "p": _chi2_sf(chi0, k)}
    for name, p in (("1/N", 1.0), ("1/N^2", 2.0)):
        x = n ** (-p)
        c = float(np.sum(w * x * err) / np.sum(w * x * x))
        c_se = float(1.0 / math.sqrt(np.sum(w * x * x)))
        chi = float(np.sum(w * (err - c * x) ** 2))
        out[name] = {"c": c, "c_stderr": c_se, "chi2": chi, "dof": k - 1,
                     "p": _chi2_sf(chi, k - 1)}
    if k >= 3:
        x = np.stack([1.0 / n, 1.0 / n**2], axis=1)
        a = x.T @ (w[:, None] * x)
        coef = np.linalg.solve(a, x.T @ (w * err))
        cov = np.linalg.inv(a)
        chi = float(np.sum(w * (err - x @ coef) ** 2))
        out["1/N+1/N^2"] = {"c": [float(coef[0]), float(coef[1])],
                            "c_stderr": [float(math.sqrt(cov[0, 0])), float(math.sqrt(cov[1, 1]))],
                            "chi2": chi, "dof": k - 2, "p": _chi2_sf(chi, k - 2)}
    resolved = np.abs(z) >= Z_RESOLVED
    slope = slope_se = None
    if np.count_nonzero(resolved) >= 2:
        xs = np.log(n[resolved])
        ys = np.log(np.abs(err[resolved]))
        ws = z[resolved] ** 2
        xm = np.sum(ws * xs) / np.sum(ws)
        sxx = np.sum(ws * (xs - xm) ** 2)
        if sxx > 0:
            ym = np.sum(ws * ys) / np.sum(ws)
            slope = float(np.sum(ws * (xs - xm) * (ys - ym)) / sxx)
            slope_se = float(1.0 / math.sqrt(sxx))
    out["slope"] = slope
    out["slope_stderr"] = slope_se
    out["resolved"] = [int(v) for v in n[resolved]]
    return out


def _classify(fit):
    """(rate, verdict) from the fits."""
    if fit["zero"]["p"] > P_ACCEPT:
        return ("not resolved",
                "the errors are within statistical noise at every width (chi2/dof = "
                f"{fit['zero']['chi2'] / fit['zero']['dof']:.2f}); the limit agrees, but the "
                "rate needs more trials or smaller widths")
    ok1 = fit["1/N"]["p"] > P_ACCEPT
    ok2 = fit["1/N^2"]["p"] > P_ACCEPT
    slope, sse = fit["slope"], fit["slope_stderr"]
    if ok1 and not ok2:
        return "1/N", "the error vanishes like 1/N (c/N fits, c/N^2 is rejected)"
    if ok2 and not ok1:
        return "1/N^2", "the error vanishes like 1/N^2 (c/N^2 fits, c/N is rejected)"
    if ok1 and ok2:
        if slope is not None and sse is not None:
            if abs(slope + 1) <= 2 * sse < abs(slope + 2):
                return "1/N", "both fits acceptable; the free slope favours 1/N"
            if abs(slope + 2) <= 2 * sse < abs(slope + 1):
                return "1/N^2", "both fits acceptable; the free slope favours 1/N^2"
        return ("1/N or 1/N^2",
                "the error vanishes, but 1/N and 1/N^2 both fit: use more trials or a wider "
                "range of widths to tell them apart")
    two = fit.get("1/N+1/N^2")
    if two is not None and two["p"] > P_ACCEPT:
        c1, s1 = two["c"][0], two["c_stderr"][0]
        if abs(c1) > 3 * s1:
            return "1/N", "the error vanishes like 1/N, with a visible 1/N^2 correction"
        return "1/N^2", "the error vanishes like 1/N^2 (the 1/N coefficient is consistent with 0)"
    msg = "neither c/N nor c/N^2 fits the errors"
    if slope is not None:
        msg += f" (free slope {slope:.2f} ± {sse:.2f})"
    return "no fit", msg + ": the prediction may be wrong, or higher-order terms dominate"


class MomentCheck:
    """Result of :func:`moments` for one expression: a table of widths with
    the predicted value, mean, standard error, error and z-score, and the
    measured convergence rate.

    Attributes
    ----------
    expr : str
    predicted : float or None
        The limit; None for a plug-in check (the prediction then depends on
        the sample, see ``rows[i]["predicted"]``).
    exact : object
        The prediction as the model returned it (a sympy expression in the
        law symbols for a plug-in check).
    rows : list of dict
        ``width, trials, mean, predicted, stderr, error, z`` per width.
    fit : dict
        The weighted fits (``"zero"``, ``"1/N"``, ``"1/N^2"``,
        ``"1/N+1/N^2"``, ``"slope"``, ``"slope_stderr"``).
    rate : str
        ``"1/N"``, ``"1/N^2"``, ``"1/N or 1/N^2"``, ``"not resolved"``
        (errors within noise), ``"exact"`` (errors at rounding level) or
        ``"no fit"`` (the errors do not vanish like a power of ``1/N``).
    verdict : str
        One sentence explaining ``rate``.
    expected_rate : str or None
    plugin : tuple of str
        Letters whose law was replaced by the empirical one in each trial.

    Parameters
    ----------
    expr : str
        The expression, as printed.
    predicted : float or None
        The limit (None for a plug-in check).
    exact : object
        The prediction as the model returned it.
    rows : list of dict
        One row per width with at least the keys ``width``, ``trials``,
        ``mean``, ``predicted``, ``stderr``, ``error`` and ``z`` (optionally
        ``stderr_eff``, the Student-t-widened SE used by the fits, and
        ``exact``, true when the error is at rounding level).
    expected_rate : {"1/N", "1/N^2"} or None, default None
        The rate :attr:`consistent` tests against.
    plugin : iterable of str, default ()
        Letters whose law was replaced by the empirical one.

    Raises
    ------
    KeyError
        If a row lacks ``width``, ``error`` or ``stderr``.  Built by
        :func:`moments`, which fills every key; nothing else is validated.

    Examples
    --------
    ``O Oᵀ = I`` exactly for a Haar orthogonal ``O``, so the check finds an
    identity at finite ``N`` (no statistics, no p-value):

    >>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
    >>> O = nc_symbols("O")
    >>> res = verify.moments(tr(O * O.T), FreeModel().haar_orthogonal(O),
    ...                      lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
    ...                      widths=[4, 8], trials=3)
    >>> res.predicted, res.rate, res.p_value, res.consistent
    (1.0, 'exact', None, True)
    """

    def __init__(self, expr, predicted, exact, rows, expected_rate=None, plugin=()):
        self.expr = expr
        self.predicted = predicted
        self.exact = exact
        self.rows = rows
        self.expected_rate = expected_rate
        self.plugin = tuple(plugin)
        self.fit = _fit_rates([r["width"] for r in rows], [r["error"] for r in rows],
                              [r.get("stderr_eff", r["stderr"]) for r in rows])
        if rows and all(r.get("exact") for r in rows):
            self.rate = "exact"
            self.verdict = ("the trace equals the prediction up to rounding at every width "
                            "(an identity at finite N)")
        else:
            self.rate, self.verdict = _classify(self.fit)

    @property
    def slope(self):
        """Fitted slope of ``log|error|`` against ``log N`` (None if fewer than
        two widths resolve the error)."""
        return self.fit["slope"]

    @property
    def p_value(self):
        """The p-value of the hypothesis "the error vanishes as ``N → ∞``":
        the largest χ² p-value among the vanishing models ``0``, ``c/N``,
        ``c/N²`` and ``c₁/N + c₂/N²`` (models with no degree of freedom left
        are skipped).  None when the rate is ``"exact"`` (an identity at
        finite ``N``, no statistics).  This is the number :func:`decide`
        compares with its threshold."""
        if self.rate == "exact":
            return None
        ps = [self.fit[k]["p"] for k in ("zero", "1/N", "1/N^2", "1/N+1/N^2")
              if k in self.fit and self.fit[k]["dof"] >= 1]
        ps = [p for p in ps if p == p]
        return max(ps) if ps else 1.0

    @property
    def consistent(self):
        """True if the errors fit the expected rate (or, without one, if some
        vanishing rate fits)."""
        if self.rate == "no fit":
            return False
        if self.expected_rate is None or self.rate in ("not resolved", "exact"):
            return True
        key = self.expected_rate
        return self.fit[key]["p"] > P_ACCEPT or self.rate == key

    def to_dict(self):
        """A JSON-serialisable dict of the table and the fits.

        Returns
        -------
        dict
            Keys ``expr``, ``predicted``, ``exact`` (as a string),
            ``plugin``, ``rows``, ``fit``, ``rate``, ``verdict``,
            ``expected_rate`` and ``consistent``.

        Examples
        --------
        >>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
        >>> O = nc_symbols("O")
        >>> res = verify.moments(tr(O * O.T), FreeModel().haar_orthogonal(O),
        ...                      lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
        ...                      widths=[4, 8], trials=3)
        >>> d = res.to_dict()
        >>> d["rate"], [r["width"] for r in d["rows"]]
        ('exact', [4, 8])
        """
        return {
            "expr": self.expr,
            "predicted": self.predicted,
            "exact": str(self.exact),
            "plugin": list(self.plugin),
            "rows": [dict(r) for r in self.rows],
            "fit": self.fit,
            "rate": self.rate,
            "verdict": self.verdict,
            "expected_rate": self.expected_rate,
            "consistent": self.consistent,
        }

    def __str__(self):
        if self.plugin:
            lines = [f"{self.expr}: predicted {self.exact}, with the empirical law of "
                     f"{', '.join(self.plugin)} in each trial"]
        else:
            lines = [f"{self.expr}: predicted {self.exact} = {self.predicted:.10g}"]
        lines.append(f"{'width':>7} {'trials':>7} {'mean':>14} {'predicted':>14} {'stderr':>10} "
                     f"{'error':>11} {'z':>7}")
        for r in self.rows:
            lines.append(
                f"{r['width']:>7d} {r['trials']:>7d} {r['mean']:>14.8g} {r['predicted']:>14.8g} "
                f"{r['stderr']:>10.3g} {r['error']:>+11.3e} {r['z']:>7.2f}"
            )
        f = self.fit
        parts = []
        if f["slope"] is not None:
            parts.append(f"|error| ~ N^({f['slope']:.2f} ± {f['slope_stderr']:.2f})")
        for key in ("1/N", "1/N^2"):
            d = max(f[key]["dof"], 1)
            parts.append(f"c{key[1:]}: chi2/dof = {f[key]['chi2'] / d:.2f} (p = {f[key]['p']:.2g})")
        lines.append("fit: " + "; ".join(parts))
        lines.append(f"rate: {self.rate} -- {self.verdict}")
        if self.expected_rate is not None:
            lines.append(f"expected {self.expected_rate}: "
                         + ("consistent" if self.consistent else "NOT consistent"))
        return "\n".join(lines)

    def __repr__(self):
        pred = "plug-in" if self.predicted is None else f"{self.predicted:.6g}"
        return f"<MomentCheck {self.expr}: predicted {pred}, rate {self.rate}>"


class MomentChecks(list):
    """A list of :class:`MomentCheck` (one per expression) that prints as one
    report.

    Returned by :func:`moments` for a list of expressions.

    Parameters
    ----------
    iterable : iterable of MomentCheck, optional
        The checks (as for ``list``); empty by default.

    Raises
    ------
    TypeError
        If ``iterable`` is not iterable (as for ``list``).

    Examples
    --------
    >>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
    >>> O = nc_symbols("O")
    >>> res = verify.moments([tr(O * O.T), tr(O * O.T * O * O.T)], FreeModel().haar_orthogonal(O),
    ...                      lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
    ...                      widths=[4, 8], trials=3)
    >>> type(res).__name__, [c.rate for c in res], len(res.rows)
    ('MomentChecks', ['exact', 'exact'], 4)
    """

    @property
    def rows(self):
        """All rows of all checks, each with an added ``expr`` key."""
        return [dict(r, expr=c.expr) for c in self for r in c.rows]

    def to_dict(self):
        """A JSON-serialisable dict ``{"checks": [check.to_dict(), ...]}``.

        Returns
        -------
        dict
            One :meth:`MomentCheck.to_dict` per check, under ``"checks"``.

        Examples
        --------
        >>> from freealg.verify import MomentChecks
        >>> MomentChecks().to_dict()
        {'checks': []}
        """
        return {"checks": [c.to_dict() for c in self]}

    def __str__(self):
        return "\n\n".join(str(c) for c in self)


def _row(n, v, pv):
    """One table row from the per-trial values ``v`` and predictions ``pv``."""
    v = np.asarray(v, dtype=float)
    pv = np.asarray(pv, dtype=float)
    t = v.size
    diff = v - pv
    se = float(np.std(diff, ddof=1) / math.sqrt(t))
    err = float(np.mean(diff))
    # rounding floor: float64 products of ~N^3 flops carry relative errors
    # ~1e-15; an error below 1e-12 of the scale is rounding (e.g.
    # tr(J J^T) = s^4 tr(D^2) exactly for orthogonal W)
    floor = ROUNDING * max(1.0, float(np.mean(np.abs(v))))
    exact = abs(err) <= floor and se <= floor
    se = max(se, floor)
    z = err / se
    return {"width": int(n), "trials": int(t), "mean": float(np.mean(v)),
            "predicted": float(np.mean(pv)), "stderr": se, "error": err, "z": z,
            "stderr_eff": se * _t_inflation(z, t - 1), "exact": exact}


def _t_inflation(z, dof):
    """Factor ``|z| / |z_eff|`` mapping a Student-t statistic with ``dof``
    degrees of freedom (the standard error is itself estimated from the
    trials) to the normal quantile of the same tail probability, so that the
    chi-square fits stay valid for few trials."""
    if dof >= 200 or z == 0 or not math.isfinite(z):
        return 1.0
    from .._utils.mpctx import mpmath

    t2 = z * z
    p = mpmath.betainc(dof / 2.0, 0.5, 0, dof / (dof + t2), regularized=True)  # P(|T| > |z|)
    if p <= 0:
        return 1.0
    z_eff = float(mpmath.sqrt(2) * mpmath.erfinv(1 - p))
    if z_eff <= 0:
        return 1.0
    return max(1.0, abs(z) / z_eff)


def _compact_table(title, limit_checks, plug_checks):
    lines = [title,
             f"{'k':>3} {'width':>6} {'trials':>6} {'empirical':>13} {'limit':>13} {'rel.err':>10} "
             f"{'z':>6} | {'plug-in rel.err':>15} {'z':>6}"]
    for k, (c, d) in enumerate(zip(limit_checks, plug_checks), start=1):
        for r, q in zip(c.rows, d.rows):
            rel = r["error"] / c.predicted if c.predicted else float("nan")
            prel = q["error"] / q["predicted"] if q["predicted"] else float("nan")
            lines.append(f"{k:>3d} {r['width']:>6d} {r['trials']:>6d} {r['mean']:>13.7g} "
                         f"{c.predicted:>13.7g} {rel:>+10.2e} {r['z']:>6.1f} | {prel:>+15.2e} "
                         f"{q['z']:>6.1f}")
        lines.append(f"    rate vs limit: {c.rate}; vs plug-in: {d.rate}")
    return "\n".join(lines)


def _checks_from(label, widths, emp, plug, limit, plugin_letters):
    """MomentCheck lists (limit, plug-in) for moments k = 1..n from per-width
    arrays ``emp[N]``, ``plug[N]`` of shape (trials, n)."""
    n = len(limit)
    lim, pl = MomentChecks(), MomentChecks()
    for k in range(n):
        rows_l = [_row(N, emp[N][:, k], np.full(emp[N].shape[0], limit[k])) for N in widths]
        rows_p = [_row(N, emp[N][:, k], plug[N][:, k]) for N in widths]
        lim.append(MomentCheck(label(k + 1), limit[k], limit[k], rows_l))
        pl.append(MomentCheck(label(k + 1), None, "free prediction with the empirical layer laws",
                              rows_p, plugin=plugin_letters))
    return lim, pl
