"""Tests of the ``freealg`` command line (in-process and as a console script)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from freealg.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cumulants_table_and_json(capsys):
    code, out, _ = run(capsys, "cumulants", "1", "2", "5", "14")
    assert code == 0
    rows = [line.split() for line in out.strip().splitlines()[1:]]
    assert [r[-1] for r in rows] == ["1", "1", "1", "1"]
    code, out, _ = run(capsys, "cumulants", "1/2", "1/3", "--json")
    data = json.loads(out)
    # kappa_2 = m_2 - m_1^2 = 1/3 - 1/4
    assert [v["exact"] for v in data["cumulants"]] == ["1/2", "1/12"]
    assert [v["float"] for v in data["cumulants"]] == [0.5, 1 / 12]


def test_boolean_and_classical_kinds(capsys):
    _, out, _ = run(capsys, "cumulants", "0", "1", "0", "3", "--kind", "classical", "--json")
    assert [v["exact"] for v in json.loads(out)["cumulants"]] == ["0", "1", "0", "0"]
    _, out, _ = run(capsys, "moments", "--cumulants", "1", "1", "2", "5", "--kind", "boolean", "--json")
    assert [v["exact"] for v in json.loads(out)["moments"]] == ["1", "2", "5", "14"]


def test_moments_from_cumulants(capsys):
    code, out, _ = run(capsys, "moments", "--cumulants", "1", "1", "1", "1", "--json")
    assert code == 0
    assert [v["float"] for v in json.loads(out)["moments"]] == [1.0, 2.0, 5.0, 14.0]


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["cumulants", "1", "abc"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert 'm_2: cannot parse "abc"' in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["moments"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["nosuchcommand"])
    assert exc.value.code == 2


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "freealg" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "cumulants" in capsys.readouterr().out


def test_demo_passes(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "FAIL" not in out
    assert "1, 3, 12, 55, 273" in out


@pytest.mark.skipif(shutil.which("freealg") is None, reason="console script not installed")
def test_console_script():
    res = subprocess.run(["freealg", "cumulants", "1", "2", "5"], capture_output=True, text=True, check=True)
    assert res.stdout.split()[-1] == "1"
    res = subprocess.run([sys.executable, "-m", "freealg.cli", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and "freealg" in res.stdout


def test_meanfield_relu_critical_point(capsys):
    code, out, _ = run(capsys, "meanfield", "--activation", "relu", "--json")
    data = json.loads(out)
    assert code == 0
    # the relu edge of chaos is (sigma_w, sigma_b) = (sqrt 2, 0): chi = 1, c* = 1
    assert data["critical_sigma_w"] == {"exact": "sqrt(2)", "float": pytest.approx(2**0.5, rel=1e-15)}
    assert data["chi"]["float"] == pytest.approx(1.0, abs=1e-12) and data["phase"] == "critical"
    assert data["c_star"]["float"] == 1
    # the depth scales diverge at the edge of chaos: +infinity, spelled "oo"
    assert data["xi_q"] == {"exact": "oo", "float": None}


def test_meanfield_tanh_matches_library(capsys):
    import freealg

    _, out, _ = run(capsys, "meanfield", "--activation", "tanh", "--sigma-w", "1.2", "--sigma-b", "0.05", "--json")
    data = json.loads(out)
    net = freealg.MLP(1, "tanh", sigma_w=1.2, sigma_b=0.05)
    assert data["q_star"]["float"] == pytest.approx(float(net.q_star()), rel=1e-14)
    assert data["chi"]["float"] == pytest.approx(float(net.chi()), rel=1e-14)
    assert data["phase"] == "chaotic"


def test_meanfield_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "phase.png"
    code, out, _ = run(capsys, "meanfield", "--activation", "erf", "--sigma-b", "0.1", "--plot", str(png), "--json")
    assert code == 0 and png.stat().st_size > 1000


def test_moments_expression_relu_exact(capsys):
    # preactivation convention, L = 3, orthogonal, sigma_w = sqrt 2: J J^T ~ ⊠ of two Bernoulli(1/2)
    # scaled by sigma_w^6 = 8; ⊠ of Bernoulli(1/2)^2 has moments phi((pq)^k): 1/4, 3/16, 5/32
    code, out, _ = run(capsys, "moments", "tr((J J^T)^3)", "--depth", "3", "--sigma-w", "sqrt(2)", "--json")
    data = json.loads(out)
    from fractions import Fraction

    import freealg

    m = freealg.free_mul_moments([Fraction(1, 2)] * 3, [Fraction(1, 2)] * 3)
    assert data["value"]["exact"] == str(8**3 * m[2])
    code, out, _ = run(capsys, "moments", "tr(J J^T)", "--depth", "3", "--sigma-w", "sqrt(2)", "--latex", "--json")
    assert json.loads(out)["latex"].endswith("= 2")


def test_moments_expression_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["moments", "tr(K)", "--depth", "2"])
    assert exc.value.code == 2
    assert "unknown name 'K'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["moments", "J J^T", "--depth", "2"])
    assert exc.value.code == 2 and "not a trace" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["moments", "tr(J)"])
    assert exc.value.code == 2 and "--depth" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["moments", "tr(J J^T)", "--depth", "0"])
    assert exc.value.code == 2


def test_latex_command(capsys):
    code, out, _ = run(capsys, "latex", "tr(W1 D1)", "--depth", "2")
    assert out.strip() == r"\operatorname{tr}\left(D_{1} W_{1}\right)"


def test_verify_freeness_small(capsys):
    # small widths and few trials keep this fast; the verdict compares the
    # simulated traces with the freeness prediction within their standard errors
    code, out, err = run(capsys, "verify", "freeness", "--activation", "hardtanh", "--sigma-w", "1.2",
                         "--sigma-b", "0.1", "--widths", "16", "32", "--trials", "10", "--json", "--progress")
    data = json.loads(out)
    assert code == 0 and data["passed"] is True
    assert "10/20" in err or "20/20" in err  # the progress bar was drawn


def test_verify_bad_widths(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["verify", "freeness", "--widths", "0", "10"])
    assert exc.value.code == 2 and "--widths" in capsys.readouterr().err


def test_spectrum_relu_matches_freeness_engine(capsys):
    import sympy

    import freealg
    from freealg.dnn.polynomials import free_model

    code, out, _ = run(capsys, "spectrum", "--depth", "3", "--sigma-w", "sqrt(2)", "--json")
    data = json.loads(out)
    model, names = free_model(freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)))
    J = names["J"]
    for k in (1, 2, 3):
        assert data["moments"][k - 1]["exact"] == str(model.moment(freealg.tr((J * J.T) ** k)))
    assert data["curve_degree"] >= 2 and data["curve"].endswith("= 0")


def test_spectrum_smooth_activation_has_no_curve(capsys):
    code, out, _ = run(capsys, "spectrum", "--depth", "2", "--activation", "tanh", "--sigma-b", "0.05", "--json")
    data = json.loads(out)
    assert data["curve"] is None and data["curve_note"].startswith("none")
    assert data["variance"]["float"] > 0


def test_fim_top_atom_and_mean(capsys):
    # two hidden layers, relu, sigma_w = 1, q_0 = 1: q_l = |x_l|^2/M halves per layer
    # (E relu(h)^2 = var/2), alpha = 1/2, so mean = q2 + a q1 + a^2 q0 and the top
    # atom t_3 = q2 + q1 + q0 has mass 1 - 2(1 - 1/2) = 0: no top atom
    code, out, _ = run(capsys, "fim", "--depth", "3", "--sigma-w", "1", "--q-in", "1", "--json")
    data = json.loads(out)
    assert [v["exact"] for v in data["q"]] == ["1", "1/2", "1/4"]
    assert data["mean"] == {"exact": "3/4", "float": 0.25 + 0.5 * 0.5 + 0.25 * 1.0}
    assert data["top_atom"] is None and data["top_atom_note"].startswith("none")
    # hard-tanh near the edge of chaos: a top atom with mass 1 - (L-1)(1-alpha)
    code, out, _ = run(capsys, "fim", "--depth", "4", "--activation", "hardtanh", "--sigma-b", "0.05", "--json")
    data = json.loads(out)
    a = [v["float"] for v in data["alpha"]]
    q = [v["float"] for v in data["q"]]
    import freealg

    sw2 = float(freealg.critical_sigma_w("hardtanh", 0.05)) ** 2
    t = q[0]
    for ell in range(1, 4):
        t = q[ell] + sw2 * t
    assert data["top_atom"]["location"]["float"] == pytest.approx(t, rel=1e-13)
    assert data["top_atom"]["mass"]["float"] == pytest.approx(1 - sum(1 - x for x in a), rel=1e-13)
    assert data["learning_rate_bound"]["float"] == pytest.approx(2 / t, rel=1e-13)


# ---------------------------------------------------------------------------
# issue 10: every error is one line on stderr, exit 2, never a traceback
# ---------------------------------------------------------------------------


def _strict_json(text):
    """json.loads that refuses NaN / Infinity (not valid JSON)."""
    def bad(const):
        raise AssertionError(f"bare {const} in JSON output")

    return json.loads(text, parse_constant=bad)


def _error_run(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    assert exc.value.code == 2, (argv, out, err)
    assert err.startswith("freealg: error: ") and err.count("\n") == 1, (argv, err)
    assert "Traceback" not in err
    return out, err


_FAILING_RUNS = [
    # the library reports the float range itself (FloatRangeError), not a bare OverflowError
    (["meanfield", "--sigma-w", "1e300"], "FloatRangeError"),
    (["meanfield", "--activation", "tanh", "--sigma-b", "1e200"], "FloatRangeError"),
    (["spectrum", "--depth", "2", "--sigma-w", "1e300"], "FloatRangeError"),
    (["fim", "--depth", "2", "--sigma-b", "1e300"], "FloatRangeError"),
    (["meanfield", "--plot", "{tmp}/missing/dir/x.png"], "InvalidArgumentError"),
    (["meanfield", "--plot", "{tmp}"], "InvalidArgumentError"),
    (["meanfield", "--plot", "{tmp}/x.unknownformat"], "InvalidArgumentError"),
    (["verify", "freeness", "--seed", "-1", "--widths", "10", "20", "--trials", "2"], "InvalidArgumentError"),
    (["verify", "freeness", "--seed", "0.5"], "InvalidArgumentTypeError"),
    (["verify", "freeness", "--widths", "1e8"], "TooLargeError"),
    (["verify", "freeness", "--widths", "100000000"], "TooLargeError"),
    (["spectrum", "--depth", "1000000"], "TooLargeError"),
    (["spectrum", "--depth", "0"], "InvalidArgumentError"),
    (["spectrum", "--depth", "2", "--sigma-w", "10**10**10"], "TooLargeError"),
    (["spectrum", "--depth", "2", "--sigma-w", "-1"], "InvalidArgumentError"),
    # the library itself refuses the float overflow (before the CLI's own non-finite check)
    (["cumulants", "1e200", "1e200", "1e200"], "InvalidSequenceError"),
    (["cumulants", "1", "--kind", "nope"], "UsageError"),
    (["cumulants"], "UsageError"),
    (["moments"], "UsageError"),
    (["nosuchcommand"], "UsageError"),
    (["moments", "tr(J^100000)", "--depth", "2"], "TooLargeError"),
]


@pytest.mark.parametrize("argv, kind", _FAILING_RUNS, ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_errors_are_one_line_exit_2_and_json(argv, kind, capsys, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    t0 = __import__("time").perf_counter()
    out, _ = _error_run(capsys, argv)
    assert out == ""  # nothing half-printed
    out, err = _error_run(capsys, argv + ["--json"])
    error = _strict_json(out)["error"]
    assert error["type"] == kind
    assert error["message"] and error["message"] in err
    assert __import__("time").perf_counter() - t0 < 30
    assert list(tmp_path.iterdir()) == []  # no plot file written on failure


def test_plot_path_checked_before_computing(capsys, tmp_path, monkeypatch):
    import freealg.cli.networks as cli

    called = []
    monkeypatch.setattr(cli, "_cmd_spectrum", lambda args: called.append(args) or 0)
    _error_run(capsys, ["spectrum", "--depth", "8", "--plot", str(tmp_path / "no" / "p.png")])
    assert called == []
    if os.geteuid() != 0:  # root may write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            _, err = _error_run(capsys, ["spectrum", "--depth", "8", "--plot", str(ro / "p.png")])
            assert "not writable" in err
        finally:
            ro.chmod(0o700)
        assert called == []


def test_internal_bug_is_one_line_unless_debug(capsys, monkeypatch):
    import freealg.cli.algebra as cli

    def boom(args):
        return 1 / 0

    monkeypatch.setattr(cli, "_cmd_cumulants", boom)
    monkeypatch.delenv("FREEALG_DEBUG", raising=False)
    out, err = _error_run(capsys, ["cumulants", "1", "--json"])
    assert "bug" in err and "--debug" in err and "ZeroDivisionError" in err
    assert _strict_json(out)["error"]["type"] == "ZeroDivisionError"
    for argv, env in ((["cumulants", "1", "--debug"], None), (["--debug", "cumulants", "1"], None),
                      (["cumulants", "1"], "1")):
        if env:
            monkeypatch.setenv("FREEALG_DEBUG", env)
        with pytest.raises(SystemExit) as exc:
            main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2
        assert "Traceback" in err and err.strip().splitlines()[-1].startswith("freealg: error:")


def test_non_finite_results_are_refused_in_tables_and_json(capsys, monkeypatch):
    # The library refuses float overflow itself (InvalidSequenceError); the CLI's own
    # guard is the second line of defence for any command whose result is not finite:
    # make the library return a NaN and check the table and JSON refuse it.
    import freealg.cumulants as C

    monkeypatch.setattr(C, "free_cumulants", lambda seq: [1.0, float("nan")])
    out, err = _error_run(capsys, ["cumulants", "1", "2"])
    assert "not a finite number" in err
    out, err = _error_run(capsys, ["cumulants", "1", "2", "--json"])
    assert _strict_json(out)["error"]["type"] == "NonFiniteResultError"
    monkeypatch.undo()
    # the same sequence given exactly has an exact, finite answer (closed form
    # kappa_1 = m_1, kappa_2 = m_2 - m_1^2, kappa_3 = m_3 - 3 m_1 m_2 + 2 m_1^3)
    m = 10**200
    code, out, _ = run(capsys, "cumulants", str(m), str(m), str(m), "--json")
    assert code == 0
    # exact, with no float64 value ("float": null) beyond the float range
    assert _strict_json(out)["cumulants"] == [
        {"exact": str(m), "float": 1e200},
        *({"exact": str(v), "float": None} for v in (m - m**2, m - 3 * m * m + 2 * m**3))]


def test_depth_scales_at_criticality_are_inf_in_words(capsys):
    code, out, _ = run(capsys, "meanfield", "--json")
    data = _strict_json(out)
    assert code == 0 and data["xi_c"] == {"exact": "oo", "float": None}


def test_exact_inputs_stay_exact(capsys):
    code, out, _ = run(capsys, "meanfield", "--sigma-w", "3/2", "--sigma-b", "1/10", "--json")
    data = _strict_json(out)
    assert data["sigma_w"]["exact"] == "3/2" and data["sigma_b"]["exact"] == "1/10"
    # relu with sigma_w^2 = 9/4 > 2: the variance map q -> 9/8 q + 1/100 has no fixed point
    assert data["q_star"] == {"exact": "oo", "float": None} and data["chi"]["float"] == 9 / 8
    code, out, _ = run(capsys, "meanfield", "--sigma-w", "1.5", "--sigma-b", "0.1", "--json")
    data = _strict_json(out)
    assert data["sigma_w"] == {"exact": None, "float": 1.5}
    assert data["sigma_b"] == {"exact": None, "float": 0.1}


def test_activation_text_matches_named_activation(capsys):
    import freealg

    _, out, _ = run(capsys, "meanfield", "--activation", "tanh(x)", "--sigma-w", "1.2",
                    "--sigma-b", "0.05", "--json")
    data = _strict_json(out)
    net = freealg.MLP(1, "tanh", sigma_w=1.2, sigma_b=0.05)
    assert data["q_star"]["float"] == pytest.approx(float(net.q_star()), rel=1e-10)
    assert data["chi"]["float"] == pytest.approx(float(net.chi()), rel=1e-10)


def test_deep_spectrum_does_not_hang(capsys):
    # the curve elimination grows like depth^3 (depth 1000 did not finish in minutes);
    # past depth 256 it is skipped with a reason, the exact moments are still given
    import time

    t0 = time.perf_counter()
    code, out, _ = run(capsys, "spectrum", "--depth", "1000", "--json")
    data = _strict_json(out)
    assert code == 0 and data["curve"] is None and "not computed" in data["curve_note"]
    # relu at sigma_w = sqrt 2: variance of J J^T from the moments vs its closed form
    assert data["variance"]["float"] == pytest.approx(data["variance_closed_form"]["float"], rel=1e-12)
    assert time.perf_counter() - t0 < 60


def test_json_exact_field_is_null_for_float_networks(capsys):
    # hard-tanh with the default float sigma_w = 1.0: the trace is a float, so "exact" is null;
    # with sigma_w = 1 exact and linear activation, tr((J J^T)^3) = 1 exactly (J orthogonal)
    _, out, _ = run(capsys, "moments", "tr((J J^T)^3)", "--depth", "3", "--activation", "hardtanh",
                    "--json")
    value = json.loads(out)["value"]
    assert value["exact"] is None and value["float"] == pytest.approx(1.0, abs=1e-12)
    _, out, _ = run(capsys, "moments", "tr((J J^T)^3)", "--depth", "3", "--activation", "linear",
                    "--sigma-w", "1", "--json")
    assert json.loads(out)["value"] == {"exact": "1", "float": 1.0}


def test_spectrum_plot_title_names_the_network(capsys, monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    import freealg.plot as fplot

    seen = {}
    monkeypatch.setattr(fplot, "savefig", lambda ax, path: seen.setdefault("title", ax.get_title()))
    code, _, _ = run(capsys, "spectrum", "--depth", "3", "--activation", "relu", "--sigma-w", "sqrt(2)",
                     "--plot", str(tmp_path / "s.png"))
    assert code == 0
    assert seen["title"] == "relu, orthogonal init, σ_w = 1.41421, σ_b = 0, L = 3"


def test_float_network_curve_only_on_request(capsys):
    # hard-tanh's critical sigma_w is a float: no 100-digit curve unless --exact-curve; with it,
    # the curve's moments are the law's (checked through the series at infinity)
    import sympy

    import freealg

    args = ["spectrum", "--depth", "3", "--activation", "hardtanh", "--sigma-b", "0.1", "--json"]
    _, out, _ = run(capsys, *args)
    doc = json.loads(out)
    assert "--exact-curve" in doc["curve"] and "curve_degree" not in doc
    _, out, _ = run(capsys, *args, "--exact-curve")
    doc = json.loads(out)
    z, G = sympy.symbols("z G")
    curve = freealg.SpectralCurve(sympy.sympify(doc["curve"].removesuffix(" = 0")), z, G)
    assert doc["curve_degree"] == curve.degree
    ms = [float(m) for m in curve.moments(3)]
    assert ms == pytest.approx([m["float"] for m in doc["moments"][:3]], rel=1e-12)


# --------------------------------------------------------------------------
# exact values printed exactly, numerical ones said to be numerical (issue 13)
# --------------------------------------------------------------------------


def test_meanfield_relu_exact_closed_forms(capsys):
    import sympy

    code, out, _ = run(capsys, "meanfield", "--activation", "relu", "--sigma-w", "sqrt(2)")
    lines = dict(line.split(None, 1) if not line.startswith("critical") else ("critical", line.split(None, 2)[2])
                 for line in out.strip().splitlines())
    assert code == 0 and lines["chi"].strip() == "1" and lines["critical"].strip() == "sqrt(2)"
    assert lines["q*"].strip() == "2" and "numerical" not in out
    _, out, _ = run(capsys, "meanfield", "--activation", "relu", "--sigma-w", "sqrt(2)", "--json")
    data = _strict_json(out)
    assert data["chi"] == {"exact": "1", "float": 1.0}
    assert data["q_star"] == {"exact": "2", "float": 2.0}        # q^1 = sigma_w^2 q_in at chi = 1
    assert data["critical_sigma_w"] == {"exact": "sqrt(2)", "float": 2 ** 0.5}
    # ordered relu, sigma_w = 1, sigma_b = 1/2: chi = 1/2, q* = sigma_b^2/(1 - chi) = 1/2,
    # xi = -1/ln chi = 1/ln 2; the library's float engine is the second algorithm
    import freealg

    _, out, _ = run(capsys, "meanfield", "--activation", "relu", "--sigma-w", "1", "--sigma-b", "1/2", "--json")
    data = _strict_json(out)
    assert data["chi"]["exact"] == "1/2" and data["q_star"]["exact"] == "1/2" and data["phase"] == "ordered"
    assert sympy.sympify(data["xi_q"]["exact"]) == 1 / sympy.log(2)
    net = freealg.MLP(1, "relu", sigma_w=1.0, sigma_b=0.5)
    assert data["xi_q"]["float"] == pytest.approx(net.depth_scales().xi_q, rel=1e-12)
    assert data["q_star"]["float"] == pytest.approx(net.q_star(), rel=1e-12)


def test_meanfield_hardtanh_is_numerical_and_matches_library(capsys):
    import freealg

    code, out, _ = run(capsys, "meanfield", "--activation", "hardtanh", "--sigma-w", "1.2", "--sigma-b", "0.1")
    assert code == 0
    for name in ("q*", "chi", "c*", "xi_q", "critical sigma_w"):
        row = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert row.endswith("(numerical)"), row
    _, out, _ = run(capsys, "meanfield", "--activation", "hardtanh", "--sigma-w", "1.2", "--sigma-b", "0.1", "--json")
    data = _strict_json(out)
    net = freealg.MLP(1, "hardtanh", sigma_w=1.2, sigma_b=0.1)
    for key, ref in (("q_star", net.q_star()), ("chi", net.chi()), ("c_star", net.c_star()),
                     ("critical_sigma_w", freealg.critical_sigma_w("hardtanh", 0.1))):
        assert data[key]["exact"] is None and isinstance(data[key]["float"], float)
        assert data[key]["float"] == pytest.approx(float(ref), rel=1e-12, abs=1e-12)
        assert data[key]["note"].startswith("numerical")


def test_fim_and_spectrum_lambda_max_exact(capsys):
    import sympy

    import freealg

    # critical relu, depth 3: the FIM bulk is [3, 7], lambda_max = 7, the bound 2/7
    code, out, _ = run(capsys, "fim", "--depth", "3", "--activation", "relu", "--sigma-w", "sqrt(2)", "--json")
    data = _strict_json(out)
    assert code == 0 and data["lambda_max"] == {"exact": "7", "float": 7.0}
    assert data["learning_rate_bound"] == {"exact": "2/7", "float": 2 / 7}
    # Gaussian relu, depth 2: lambda_max is an algebraic number of degree 2, a root of
    # the discriminant of the curve in G, and the library's float to 1e-12
    code, out, _ = run(capsys, "spectrum", "--depth", "2", "--activation", "relu", "--sigma-w", "sqrt(2)",
                       "--init", "gaussian", "--density", "--json")
    data = _strict_json(out)
    exact = sympy.sympify(data["lambda_max"]["exact"])
    assert exact == (71 + 17 * sympy.sqrt(17)) / 8
    law = freealg.MLP(2, "relu", init="gaussian", sigma_w=sympy.sqrt(2), sigma_b=0).jacobian_law()
    curve = law.curve(exact=True)
    from freealg.laws.curves import G, Z
    disc = sympy.discriminant(curve.polynomial, G)
    assert sympy.simplify(disc.subs(Z, exact)) == 0
    assert float(exact) == pytest.approx(law.lambda_max(), rel=1e-12)
    assert data["chi"] == {"exact": "1", "float": 1.0}
    # hard-tanh: a float, said to be numerical, equal to the library's
    _, out, _ = run(capsys, "fim", "--depth", "3", "--activation", "hardtanh", "--sigma-b", "0.1", "--json")
    data = _strict_json(out)
    ref = freealg.MLP(3, "hardtanh", sigma_w=freealg.critical_sigma_w("hardtanh", 0.1), sigma_b=0.1).fim_law()
    assert data["lambda_max"]["exact"] is None and data["lambda_max"]["note"].startswith("numerical")
    assert data["lambda_max"]["float"] == pytest.approx(ref.lambda_max(), rel=1e-12)


def test_verify_claim_prints_exact_parameters_as_given(capsys):
    _, out, _ = run(capsys, "verify", "jacobian", "--trials", "2", "--widths", "8", "16", "--depths", "2",
                    "--sigma-w", "sqrt(2)", "--no-progress")
    assert "sigma_w = sqrt(2), sigma_b = 0," in out and "1.4142135623730951" not in out
