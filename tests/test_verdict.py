"""The decision rule of check reports (verify.decide): Bonferroni at the
family-wise level of one two-sided 3-sigma test."""

import math
from statistics import NormalDist

import numpy as np
import pytest

from freealg import verify
from freealg.errors import InvalidArgumentError


def _check(errs, se, trials=100, name="synthetic"):
    rows = [{"width": n, "trials": trials, "mean": e, "predicted": 0.0, "stderr": se, "error": e,
             "z": e / se} for n, e in errs]
    return verify.MomentCheck(name, 0.0, 0, rows)


@pytest.mark.parametrize("m", [1, 2, 5, 10, 20, 100])
def test_threshold_is_bonferroni(m):
    d = verify.decide([(f"t{i}", 0.5) for i in range(m)])
    # independent quantile: the standard library's normal inverse CDF
    want = NormalDist().inv_cdf(1 - 0.0027 / (2 * m))
    assert d.z_threshold == pytest.approx(want, rel=1e-9)
    assert d.p_threshold == pytest.approx(0.0027 / m, rel=1e-15)
    assert f"m = {m} " in d.rule and "Bonferroni" in d.rule
    if m == 1:
        assert d.z_threshold == pytest.approx(3.0, abs=1e-4)  # 2(1 - Phi(3)) = 0.0026998


def test_synthetic_table_known_decisions():
    ns = [25, 50, 100, 200]
    good_1n = _check([(n, 3.0 / n) for n in ns], 1e-3, name="1/N")            # c/N fits exactly
    good_noise = _check([(n, 1e-4 * (-1) ** n) for n in ns], 1e-3, name="noise")
    bad = _check([(n, 0.05) for n in ns], 1e-3, name="offset")               # wrong limit: 50 SE
    exact = _check([(n, 0.0) for n in ns], 1e-3, name="exact")
    exact.rows = [dict(r, exact=True) for r in exact.rows]
    exact.rate = "exact"
    assert good_1n.p_value > 0.5 and good_noise.p_value > 0.5 and bad.p_value < 1e-12
    assert exact.p_value is None
    assert verify.decide([good_1n, good_noise]).passed
    d = verify.decide([good_1n, good_noise, bad, exact])
    assert not d.passed and d.failed == ["offset"] and d.m == 3
    assert d.identities == [("exact (exact at finite N)", True)]
    # a p-value between the family-wise thresholds of m = 1 (0.0027) and m = 2 (0.00135)
    assert verify.decide([("x", 0.002)]).passed is False
    assert verify.decide([("x", 0.003)]).passed is True
    assert verify.decide([("x", 0.002), ("y", 0.9)]).passed is True
    assert verify.decide([("x", 0.001), ("y", 0.9)]).passed is False


def test_identities_are_required():
    assert not verify.decide([], [("multiplicity", False)]).passed
    assert verify.decide([], [("multiplicity", True)]).passed


def test_errors():
    with pytest.raises(InvalidArgumentError, match="alpha"):
        verify.decide([("a", 0.5)], alpha=1.5)
    with pytest.raises(InvalidArgumentError, match="p-value of a"):
        verify.decide([("a", 1.5)])


def test_false_alarm_rate_under_the_null_and_power():
    # 200 synthetic reports of m = 5 quantities whose errors are c/N plus Gaussian
    # noise of the stated SE (the theory is right): the rule's family-wise false-
    # alarm probability is <= 0.0027 (the p-value of the true model is uniform and
    # the test uses the largest p among the vanishing models), so the number of
    # DISAGREES is Binomial(200, <= 0.0027), mean <= 0.54; P(> 5) < 1e-4.  A wrong
    # limit (an offset of 12 SE at every width) must be caught in every report up to
    # a few: the rate fits can absorb part of a constant offset with the c1/N +
    # c2/N^2 model (measured: 89% caught at 8 SE, 100% at 12 SE).
    rng = np.random.default_rng(11)
    ns = [25, 50, 100, 200]
    alarms = caught = 0
    for _ in range(200):
        checks = [_check([(n, 2.0 / n + 1e-3 * rng.standard_normal()) for n in ns], 1e-3)
                  for _ in range(5)]
        alarms += not verify.decide(checks).passed
        wrong = _check([(n, 12e-3 + 1e-3 * rng.standard_normal()) for n in ns], 1e-3)
        caught += not verify.decide(checks[:4] + [wrong]).passed
    assert alarms <= 5
    assert caught >= 196


def test_report_states_the_rule():
    d = verify.decide([_check([(n, 3.0 / n) for n in (25, 50, 100)], 1e-3)])
    rep = verify.CheckReport("t", "claim", [], [], d)
    text = str(rep)
    assert "decision rule: AGREES iff each of the m = 1 statistical tests" in text
    assert text.endswith("verdict: AGREES")
    assert rep.to_dict()["decision"]["z_threshold"] == pytest.approx(3.0, abs=1e-4)


def test_default_trials_resolve_the_plugin_rate():
    # the seeds' two-hidden-layer FIM (hard-tanh, orthogonal, sigma_w = 1, q0 = 1): with
    # the default 40 trials per width the plug-in freeness error of every moment is
    # resolved and fitted by c/N (the O(1/N) correction of real Haar ensembles); the
    # top-atom mass enters the verdict as a test; the finite-N identity holds
    import freealg

    net = freealg.MLP(3, "hardtanh", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    rep = verify.check_fim_spectrum(net)
    plug = rep.data["plugin"]["checks"]
    # resolved, and c/N among the accepted fits (with a given seed the fit may
    # not tell c/N from c/N^2 at these widths: "1/N or 1/N^2")
    assert all("1/N" in c["rate"].split(" or ") for c in plug), str(rep)
    d = rep.decision
    assert d.m == 9 and any(lab == "top atom mass" for lab, _, _ in d.tests)
    assert d.identities == [("finite-N top-atom location and multiplicity N - #zeros(D)", True)]
    assert rep.passed, str(rep)
    assert "decision rule: AGREES iff each of the m = 9" in str(rep)


@pytest.mark.parametrize("p", [0.3, 0.0027, 1e-10, 1e-30, 1e-200])
def test_reported_z_is_the_two_sided_quantile(p):
    # |z| with 2(1 - Phi(|z|)) = erfc(|z|/sqrt 2) = p (math.erfc: independent of mpmath)
    (_, _, z), = verify.decide([("t", p)]).tests
    assert math.erfc(z / math.sqrt(2)) == pytest.approx(p, rel=1e-9)
