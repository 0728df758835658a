"""The ``--json`` schema of every subcommand (docs/cli.md, "JSON output"), the
``verify two-layer-fim`` command (issue 13) and the capping of long
expressions in messages."""

import json
import math
import re

import numpy as np
import pytest
import sympy

from freealg import verify
from freealg.verify import _lawtools, limits as vlimits, spectra as vspectrum
from freealg.cli import main

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _strict(text):
    def bad(token):
        raise ValueError(f"non-JSON constant {token} in the output")

    return json.loads(text, parse_constant=bad)


def _keys(obj, path=""):
    """Every dict key with its path, recursively."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k, f"{path}/{k}"
            yield from _keys(v, f"{path}/{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _keys(v, f"{path}[{i}]")


def _numbers(obj):
    """Every number object {"exact", "float"} in a document."""
    if isinstance(obj, dict):
        if set(obj) >= {"exact", "float"} and set(obj) <= {"exact", "float", "note"}:
            yield obj
        else:
            for v in obj.values():
                yield from _numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _numbers(v)


def _run_json(capsys, argv):
    try:
        code = main(argv + ["--json"])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr().out
    return code, _strict(out)


COMMANDS = [
    (["cumulants", "1", "2", "5", "14"], "cumulants"),
    (["cumulants", "0.5", "1/3"], "cumulants"),
    (["moments", "--cumulants", "1", "1", "1"], "moments"),
    (["moments", "tr((J J^T)^2)", "--depth", "2", "--sigma-w", "sqrt(2)", "--latex"], "moments"),
    (["meanfield", "--activation", "relu"], "meanfield"),
    (["meanfield", "--activation", "tanh", "--sigma-w", "1.2", "--sigma-b", "0.05"], "meanfield"),
    (["latex", "tr(Theta^2)", "--depth", "2", "--value"], "latex"),
    (["spectrum", "--depth", "3"], "spectrum"),
    (["spectrum", "--depth", "2", "--activation", "tanh", "--sigma-b", "0.05"], "spectrum"),
    (["fim", "--depth", "3"], "fim"),
    (["fim", "--depth", "3", "--activation", "hardtanh", "--sigma-b", "0.05"], "fim"),
    (["verify", "freeness", "--widths", "8", "16", "--trials", "2"], "verify"),
    (["verify", "jacobian", "--depths", "2", "3", "--widths", "8", "16", "--trials", "2"], "verify"),
    (["verify", "fim", "--depth", "3", "--widths", "8", "16", "--trials", "2"], "verify"),
    (["verify", "two-layer-fim", "--widths", "8", "16", "--trials", "2", "--no-density"], "verify"),
    (["spectrum", "--depth", "2", "--sigma-w", "10**10**10"], None),  # an error document
]


@pytest.mark.parametrize("argv,command", COMMANDS, ids=[" ".join(a[:2]) for a, _ in COMMANDS])
def test_json_schema(capsys, argv, command):
    code, doc = _run_json(capsys, argv)
    assert doc["schema_version"] == 1
    bad = [(k, p) for k, p in _keys(doc) if not SNAKE.match(k)]
    assert not bad, bad
    if command is None:
        assert code == 2 and set(doc) == {"error", "schema_version"}
        assert set(doc["error"]) == {"type", "message"}
        return
    assert code in (0, 1) and doc["command"] == command
    for num in _numbers(doc):
        assert num["exact"] is None or isinstance(num["exact"], str)
        assert num["float"] is None or (isinstance(num["float"], (int, float))
                                        and math.isfinite(num["float"]))
        if num["exact"] not in (None, "oo") and num["float"] is not None:
            # the exact text and the float agree (an independent parse of the text)
            assert float(sympy.sympify(num["exact"])) == pytest.approx(num["float"], rel=1e-15)


def test_demo_json_schema(capsys):
    code, doc = _run_json(capsys, ["demo"])
    assert code == 0 and doc["schema_version"] == 1 and doc["command"] == "demo"
    assert doc["passed"] is True and all(step["ok"] for step in doc["steps"])
    assert all(SNAKE.match(k) for k, _ in _keys(doc))
    # Catalan-type moments of MP ⊠ MP: binom(3n, n)/(2n + 1), exactly
    mpmp = next(s for s in doc["steps"] if "MP \u22a0 MP" in s["title"])
    assert [int(v["exact"]) for v in mpmp["result"]] == [
        math.comb(3 * n, n) // (2 * n + 1) for n in range(1, len(mpmp["result"]) + 1)]


def test_json_exact_only_for_exact_inputs(capsys):
    # exact inputs: exact values, checked against closed forms; q_l of relu at
    # sigma_w = 1 halves per layer, and the fim mean is sum_l q_l prod alpha
    _, doc = _run_json(capsys, ["fim", "--depth", "3", "--sigma-w", "1", "--q-in", "1"])
    assert [v["exact"] for v in doc["q"]] == ["1", "1/2", "1/4"]
    assert doc["mean"]["exact"] == "3/4"
    # a float input: floats only (the rationals the library carries are not exact results)
    _, doc = _run_json(capsys, ["fim", "--depth", "3", "--sigma-w", "1.0", "--q-in", "1"])
    assert all(v["exact"] is None for v in doc["q"]) and doc["mean"]["float"] == 0.75
    # hard-tanh: alpha = erf(...) is irrational, never "exact" digits of a float
    _, doc = _run_json(capsys, ["fim", "--depth", "3", "--activation", "hardtanh", "--sigma-w", "1",
                                "--q-in", "1"])
    assert all(v["exact"] is None for v in doc["alpha"])
    assert doc["alpha"][0]["float"] == pytest.approx(math.erf(1 / math.sqrt(2)), rel=1e-12)


def test_verify_report_tables_are_lists(capsys):
    _, doc = _run_json(capsys, ["verify", "jacobian", "--depths", "2", "3", "--widths", "8", "16",
                                "--trials", "2"])
    depths = doc["data"]["depths"]
    assert isinstance(depths, list) and [d["depth"] for d in depths] == [2, 3]
    fit = depths[0]["limit"]["checks"][0]["fit"]
    assert {"zero", "inv_n", "inv_n2"} <= set(fit)


# ---------------------------------------------------------------------------
# verify two-layer-fim (issue 13)
# ---------------------------------------------------------------------------


def test_two_layer_fim_relu_curve_is_the_exact_closed_form():
    # exact sigma_w = sqrt(2): the curve has small integer coefficients and is
    # the closed form of freealg.fim_two_layer_curve (an independent derivation)
    import freealg
    from freealg.curves import G, Z

    rep = verify.check_two_layer_fim("relu", sympy.sqrt(2), 0, widths=(16, 32), trials=2,
                                     with_density=False, rng=0)
    closed = freealg.fim_two_layer_curve("relu", sigma_w=sympy.sqrt(2), q=(1, 1, 1)).polynomial
    mine = sympy.sympify(rep.data["curve"], locals={"G": G, "z": Z})
    assert sympy.simplify(mine * sympy.Poly(closed, G, Z).LC()
                          - closed * sympy.Poly(mine, G, Z).LC()) == 0
    assert max(abs(c) for c in sympy.Poly(mine, G, Z).coeffs()) < 100
    assert rep.data["curve_moments"] == [3.0, 14.0, 78.0, 466.0]
    assert rep.passed, str(rep)


def test_two_layer_fim_hard_edge_cdf_against_arcsine():
    # relu, orthogonal, sigma_w = sqrt 2, q0 = 1: mu_3 = 1/2 delta_1 + 1/2 arcsine[3, 7]
    # (the density diverges at both edges: +inf there by the density convention).
    # The theory CDF used for the Kolmogorov distance against the closed form
    # F(x) = 1/2 + (1/pi) arcsin(sqrt((x - 3)/4)) on [3, 7].
    import freealg

    net = freealg.MLP(3, "relu", init="orthogonal", sigma_w=sympy.sqrt(2), sigma_b=0)
    curve = vlimits._two_layer_fim_curve(net, 1)
    x = np.array([3.0 + 1e-9, 3.5, 4.0, 5.0, 6.0, 6.9, 7.0 - 1e-9])
    want = 0.5 + np.arcsin(np.sqrt((x - 3) / 4)) / np.pi
    cdf = vspectrum._TheoryCDF(_lawtools._CachedLaw(curve))
    # between its 513 nodes the CDF is interpolated linearly: node spacing up to
    # dx = 4 * s'(1/2) / 512 = 0.021, error <= dx^2/8 max|rho'| ~ 3e-6 on [3.5, 6.9]
    np.testing.assert_allclose(cdf(x), want, atol=1e-5)
    # and without the edge nodes the quadrature would have refused the law (+inf there)
    assert np.isposinf(curve.density(np.array([3.0]), strict=False).density[0])
    assert abs(cdf.mass - 1) < 1e-6
    assert cdf.edge_nodes >= 2 and cdf.edge_mass_bound < 1e-6


@pytest.mark.parametrize("activation,init", [
    ("relu", "orthogonal"), ("relu", "gaussian"), ("hardtanh", "orthogonal"),
    ("hardtanh", "gaussian"), ("tanh", "orthogonal"), ("tanh", "gaussian")])
def test_cli_two_layer_fim_gives_a_verdict(capsys, activation, init):
    argv = ["verify", "two-layer-fim", "--activation", activation, "--init", init,
            "--widths", "16", "32", "--trials", "2", "--q0", "1/2"]
    if activation != "relu" or init != "orthogonal":
        argv.append("--no-density")  # the density path is the default case, tested below
    code, doc = _run_json(capsys, argv)
    assert code in (0, 1), doc
    assert doc["passed"] is (code == 0)
    assert "q0 = 1/2" in doc["claim"]
    if activation == "tanh":
        assert doc["data"]["curve"] is None and any("smooth" in m for m in doc["missing"])
    else:
        assert "G" in doc["data"]["curve"]


def test_cli_two_layer_fim_default_runs(capsys):
    # the documented default (relu, orthogonal, critical sigma_w = sqrt(2)):
    # it failed with a 1,900-character message before
    try:
        code = main(["verify", "two-layer-fim", "--widths", "16", "32", "--trials", "2"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code in (0, 1) and "verdict:" in out
    assert "error" not in err
    assert "sigma_w = sqrt(2)" in out


def test_cli_verify_offers_every_parameter_of_check_two_layer_fim():
    import inspect

    from freealg.cli import build_parser

    params = set(inspect.signature(verify.check_two_layer_fim).parameters)
    # net is the Python alternative to the four network options; progress the bar
    cli_for = {"activation": "--activation", "sigma_w": "--sigma-w", "sigma_b": "--sigma-b",
               "init": "--init", "q0": "--q0", "widths": "--widths", "trials": "--trials",
               "n_moments": "--n-moments", "rng": "--seed", "with_density": "--no-density",
               "progress": "--progress", "n_jobs": "--jobs", "cache_dir": "--cache-dir",
               "executor": None,  # a dask Client or executor object: Python only
               "net": None}
    assert params == set(cli_for)
    help_text = build_parser()._subparsers._group_actions[0].choices["verify"].format_help()
    for opt in filter(None, cli_for.values()):
        assert opt in help_text, opt


def test_cli_bad_q0(capsys):
    code, doc = _run_json(capsys, ["verify", "two-layer-fim", "--q0", "-1"])
    assert code == 2 and "--q0" in doc["error"]["message"]


# ---------------------------------------------------------------------------
# long expressions in messages
# ---------------------------------------------------------------------------


def test_shorten_keeps_both_ends_and_says_how():
    from freealg._utils.validate import shorten

    text = "SpectralCurve(" + "9" * 1900 + "*G - 1)"
    short = shorten(text, 160, how="curve.polynomial")
    assert len(short) < 260 and short.startswith("SpectralCurve(9") and short.endswith("*G - 1)")
    assert f"{len(text):,} characters" in short and "curve.polynomial" in short
    assert shorten("abc", 160) == "abc"


def test_long_curve_in_a_message_is_capped():
    big = str(10**90 + 7)
    name = vspectrum._law_name(_Named("SpectralCurve(" + big * 20 + "*G)"))
    assert len(name) < 260 and ".polynomial" in name and name.endswith("*G)")


class _Named:
    polynomial = None

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def test_cli_error_message_is_capped(capsys, monkeypatch):
    from freealg import cumulants as C
    from freealg.errors import InvalidLawError

    def boom(seq):
        raise InvalidLawError("the density of SpectralCurve(" + "1234567890" * 190 + "*G) is bad")

    monkeypatch.setattr(C, "free_cumulants", boom)
    code, doc = _run_json(capsys, ["cumulants", "1", "2"])
    msg = doc["error"]["message"]
    assert code == 2 and len(msg) < 500 and "--debug" in msg and msg.endswith("is bad")


def test_curve_branch_error_quotes_a_capped_polynomial():
    from freealg.curves import G, SpectralCurve, Z
    from freealg.errors import BranchError

    b = 10**90 + 7
    # terms of lower order at infinity (G ~ c/z) with 91-digit coefficients: ~2,000 characters
    poly = 2 * G * Z - 1 + sum((b + 2 * k) * G**k for k in range(2, 22))
    assert len(str(poly)) > 1900
    with pytest.raises(BranchError) as info:
        SpectralCurve(poly).moments(2)
    msg = str(info.value)
    # the leading-order equation 2c - 1 = 0 is still said; the polynomial is capped
    assert "2*c - 1 = 0" in msg and "curve.polynomial" in msg
    assert len(msg) < 600
