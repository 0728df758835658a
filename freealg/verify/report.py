r"""Reports of the ready checks and their one decision rule: :func:`decide`
(Bonferroni at the level of one two-sided 3-sigma test), :class:`Decision`
and :class:`CheckReport`.
"""

from __future__ import annotations

from .._utils.validate import check_real
from ..errors import InvalidArgumentError
from ._common import FAMILY_ALPHA, _z_of_p
from .momentcheck import MomentCheck


class Decision:
    """The verdict of a check report under the rule of :func:`decide`.

    Attributes
    ----------
    passed : bool
    m : int
        Number of statistical tests (rows of the report that carry a
        p-value).
    alpha : float
        Family-wise level (:data:`FAMILY_ALPHA`).
    p_threshold : float
        ``alpha / m`` (Bonferroni).
    z_threshold : float
        ``Φ⁻¹(1 − alpha/(2m))``: a test fails when its ``|z| >`` this.
    tests : list of (label, p, abs_z)
    identities : list of (label, bool)
        Deterministic finite-``N`` identities (no statistics): each must hold.
    failed : list of str
        Labels of the failed tests and identities.
    worst : (label, p, abs_z) or None
        The test with the smallest p-value.

    Parameters
    ----------
    tests : iterable of (label, p)
        Statistical tests with their two-sided p-values in ``[0, 1]``.
    identities : iterable of (label, bool)
        Exact finite-``N`` identities and whether each holds.
    alpha : float
        Family-wise level in ``(0, 1)``.

    Raises
    ------
    TypeError, ValueError
        If a p-value cannot be converted with ``float``.  The constructor
        does not check ranges: use :func:`decide`, which validates.

    Examples
    --------
    One test at ``p = 0.01 >= 0.0027``: the threshold is the 3-sigma one.

    >>> from freealg.verify import Decision
    >>> d = Decision([("m_1", 0.01)], [("O O^T = I", True)], 0.0027)
    >>> d.passed, d.m, round(d.z_threshold, 2)
    (True, 1, 3.0)
    """

    def __init__(self, tests, identities, alpha):
        self.tests = [(str(lab), float(p), _z_of_p(float(p))) for lab, p in tests]
        self.identities = [(str(lab), bool(ok)) for lab, ok in identities]
        self.alpha = float(alpha)
        self.m = len(self.tests)
        self.p_threshold = self.alpha / max(self.m, 1)
        self.z_threshold = _z_of_p(self.p_threshold)
        self.failed = ([lab for lab, p, _ in self.tests if p < self.p_threshold]
                       + [lab for lab, ok in self.identities if not ok])
        self.passed = not self.failed
        self.worst = min(self.tests, key=lambda t: t[1]) if self.tests else None

    @property
    def rule(self):
        """The decision rule, in words, with this report's numbers."""
        return (f"decision rule: AGREES iff each of the m = {self.m} statistical tests has two-sided "
                f"p >= {self.alpha:g}/m = {self.p_threshold:.3g} (|z| <= {self.z_threshold:.2f}; "
                f"Bonferroni, family-wise level {self.alpha:g} = one 3-sigma test) and each of the "
                f"{len(self.identities)} exact identities holds. A test per compared quantity (each "
                "'rate' line): the chi-square fit of its errors at all widths to 0, c/N, c/N^2 or "
                "c1/N + c2/N^2 (row z-scores are Student-t with trials - 1 degrees of freedom and "
                "enter through the fit)")

    def __str__(self):
        lines = [self.rule]
        if self.worst is not None:
            lab, p, z = self.worst
            lines.append(f"smallest p: {p:.3g} (|z| = {z:.2f}) for {lab}")
        if self.failed:
            lines.append("failed: " + "; ".join(self.failed))
        return "\n".join(lines)

    def to_dict(self):
        """A JSON-serialisable dict of the decision.

        Returns
        -------
        dict
            Keys ``passed``, ``m``, ``alpha``, ``p_threshold``,
            ``z_threshold``, ``tests``, ``identities`` and ``failed``.

        Examples
        --------
        >>> from freealg.verify import decide
        >>> d = decide([("a", 0.5)], [("b", False)]).to_dict()
        >>> d["passed"], d["m"], d["failed"]
        (False, 1, ['b'])
        """
        return {"passed": self.passed, "m": self.m, "alpha": self.alpha,
                "p_threshold": self.p_threshold, "z_threshold": self.z_threshold,
                "tests": [list(t) for t in self.tests],
                "identities": [list(t) for t in self.identities], "failed": list(self.failed)}

    def __repr__(self):
        return (f"<Decision {'AGREES' if self.passed else 'DISAGREES'}: m = {self.m}, "
                f"|z| <= {self.z_threshold:.2f}, {len(self.failed)} failed>")


def decide(tests, identities=(), *, alpha=FAMILY_ALPHA):
    r"""The verdict of a check report: one rule for every ready check.

    A report holds ``m`` statistical tests, each reduced to a two-sided
    p-value (for a :class:`MomentCheck`: :attr:`MomentCheck.p_value`, the
    χ² p-value of "the error vanishes like a power of ``1/N``"; a single
    z-score ``z`` gives ``p = 2(1 − Φ(|z|))``), and deterministic identities
    that hold exactly at finite ``N``.  It AGREES iff every test has
    ``p ≥ alpha/m`` -- equivalently ``|z| ≤ Φ⁻¹(1 − alpha/(2m))`` -- and every
    identity holds.  With ``alpha = 0.0027`` (the two-sided tail of one
    3-sigma test) this is a Bonferroni correction: when the theory is right,
    a report of any size DISAGREES with probability at most 0.27%.  The
    threshold is 3.00 for ``m = 1``, 3.46 for ``m = 5``, 3.64 for ``m = 10``
    and 3.82 for ``m = 20``.

    Parameters
    ----------
    tests : iterable of (label, p) or MomentCheck
        A MomentCheck counts with its :attr:`~MomentCheck.p_value` (an
        ``"exact"`` check counts as an identity).
    identities : iterable of (label, bool), default ()
        Exact identities; each must hold.
    alpha : float in (0, 1), default ``FAMILY_ALPHA`` (0.0027)
        Family-wise level.

    Returns
    -------
    Decision

    Raises
    ------
    InvalidArgumentTypeError
        If ``alpha`` or a p-value is not a real number.
    InvalidArgumentError
        If ``alpha`` is not in ``(0, 1)`` or a p-value not in ``[0, 1]``.
    TypeError, ValueError
        If a test is neither a :class:`MomentCheck` nor a pair.

    Examples
    --------
    Four tests: the threshold is ``Φ⁻¹(1 − 0.0027/8) = 3.40``, so ``|z| = 3.2``
    (``p = 0.0014``) passes and ``|z| = 3.5`` (``p = 0.00047``) would not:

    >>> from freealg import verify
    >>> d = verify.decide([("a", 0.5), ("b", 0.2), ("c", 0.9), ("d", 0.0014)])
    >>> d.passed, round(d.z_threshold, 2), round(d.p_threshold, 6)
    (True, 3.4, 0.000675)
    >>> verify.decide([("a", 0.5), ("b", 0.2), ("c", 0.9), ("d", 0.00047)]).failed
    ['d']
    >>> verify.decide([("a", 0.5)], [("multiplicity = N - #zeros", False)]).passed
    False
    """
    a = check_real(alpha, "alpha", positive=True)
    if not 0 < float(a) < 1:
        raise InvalidArgumentError(f"alpha must be a probability in (0, 1); got {alpha!r}")
    ts, ids = [], list(identities)
    for t in tests:
        if isinstance(t, MomentCheck):
            p = t.p_value
            if p is None:
                ids.append((f"{t.expr} (exact at finite N)", True))
            else:
                label = t.expr + (" [plug-in]" if t.plugin else "")
                ts.append((label, p))
        else:
            lab, p = t
            p = float(check_real(p, f"p-value of {lab}", nonnegative=True))
            if p > 1:
                raise InvalidArgumentError(f"p-value of {lab} must be in [0, 1]; got {p!r}")
            ts.append((lab, p))
    return Decision(ts, ids, float(a))


class CheckReport:
    """Result of a ready check: a title, the claim, tables, a summary and a
    verdict.

    Attributes
    ----------
    title, claim : str
    parts : list
        :class:`MomentCheck`, :class:`SpectrumCheck` or dict tables.
    summary : list of str
    passed : bool
    decision : Decision or None
        How ``passed`` was decided (:func:`decide`: the rule, the number of
        tests, the threshold, the worst test); printed with the verdict.
    data : dict
        Machine-readable figures (used by :meth:`to_dict`).
    missing : list of str
        Parts that could not be checked because a dependency is missing.

    Parameters
    ----------
    title, claim : str
        Heading and the claim checked.
    parts : list
        The tables (see the attribute).
    summary : list of str
        Summary lines.
    passed : bool or Decision
        The verdict; a :class:`Decision` is kept as ``decision`` and gives
        ``passed``.
    data : dict, optional
        Machine-readable figures (default empty).
    missing : iterable of str, default ()
        Parts not checked.

    Raises
    ------
    None
        The constructor stores its arguments without validation; reports
        come from the ready checks.

    Examples
    --------
    >>> from freealg.verify import CheckReport, decide
    >>> rep = CheckReport("demo", "a claim", [], ["one line"], decide([("t", 0.5)]))
    >>> rep.passed, rep.decision.m, rep.to_dict()["summary"]
    (True, 1, ['one line'])
    """

    def __init__(self, title, claim, parts, summary, passed, data=None, missing=()):
        self.title = title
        self.claim = claim
        self.parts = parts
        self.summary = summary
        self.decision = passed if isinstance(passed, Decision) else None
        self.passed = self.decision.passed if self.decision is not None else bool(passed)
        self.data = data or {}
        self.missing = list(missing)

    @property
    def rows(self):
        """The table rows of all parts, concatenated."""
        out = []
        for p in self.parts:
            if hasattr(p, "rows"):
                out.extend(p.rows if isinstance(p.rows, list) else [])
            elif isinstance(p, dict):
                out.extend(p.get("rows", []))
        return out

    def to_dict(self):
        """A JSON-serialisable dict of the whole report.

        Returns
        -------
        dict
            Keys ``title``, ``claim``, ``passed``, ``decision`` (a dict or
            None), ``summary``, ``missing``, ``data`` and ``parts`` (each
            part through its own ``to_dict`` when it has one).

        Examples
        --------
        >>> from freealg.verify import CheckReport
        >>> d = CheckReport("demo", "a claim", [{"text": "t", "rows": []}], [], True).to_dict()
        >>> d["passed"], d["decision"], d["parts"]
        (True, None, [{'text': 't', 'rows': []}])
        """
        parts = []
        for p in self.parts:
            parts.append(p.to_dict() if hasattr(p, "to_dict") else p)
        return {"title": self.title, "claim": self.claim, "passed": self.passed,
                "decision": None if self.decision is None else self.decision.to_dict(),
                "summary": list(self.summary), "missing": self.missing,
                "data": self.data, "parts": parts}

    def __str__(self):
        bar = "=" * len(self.title)
        lines = [self.title, bar, self.claim, ""]
        for p in self.parts:
            lines.append(p["text"] if isinstance(p, dict) else str(p))
            lines.append("")
        lines.extend(self.summary)
        for m in self.missing:
            lines.append(f"not checked: {m}")
        if self.decision is not None:
            lines.append(str(self.decision))
        lines.append("verdict: " + ("AGREES" if self.passed else "DISAGREES"))
        return "\n".join(lines)

    def __repr__(self):
        return f"<CheckReport {self.title!r}: {'agrees' if self.passed else 'disagrees'}>"
