"""Tests of the ``freealg`` command line (in-process and as a console script)."""

import json
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
    assert data["cumulants"] == ["1/2", "1/12"]


def test_boolean_and_classical_kinds(capsys):
    _, out, _ = run(capsys, "cumulants", "0", "1", "0", "3", "--kind", "classical", "--json")
    assert json.loads(out)["cumulants"] == [0, 1, 0, 0]
    _, out, _ = run(capsys, "moments", "--cumulants", "1", "1", "2", "5", "--kind", "boolean", "--json")
    assert json.loads(out)["moments"] == [1, 2, 5, 14]


def test_moments_from_cumulants(capsys):
    code, out, _ = run(capsys, "moments", "--cumulants", "1", "1", "1", "1", "--json")
    assert code == 0
    assert json.loads(out)["moments"] == [1, 2, 5, 14]


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
    assert data["critical sigma_w"] == pytest.approx(2**0.5, rel=1e-15)
    assert data["chi"] == pytest.approx(1.0, abs=1e-12) and data["phase"] == "critical"
    assert data["c*"] == 1


def test_meanfield_tanh_matches_library(capsys):
    import freealg

    _, out, _ = run(capsys, "meanfield", "--activation", "tanh", "--sigma-w", "1.2", "--sigma-b", "0.05", "--json")
    data = json.loads(out)
    net = freealg.MLP(1, "tanh", sigma_w=1.2, sigma_b=0.05)
    assert data["q*"] == pytest.approx(float(net.q_star()), rel=1e-14)
    assert data["chi"] == pytest.approx(float(net.chi()), rel=1e-14)
    assert data["phase"] == "chaotic"


def test_meanfield_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "phase.png"
    code, out, _ = run(capsys, "meanfield", "--activation", "erf", "--sigma-b", "0.1", "--plot", str(png), "--json")
    assert code == 0 and png.stat().st_size > 1000


def test_moments_expression_relu_exact(capsys):
    # seed convention, L = 3, orthogonal, sigma_w = sqrt 2: J J^T ~ ⊠ of two Bernoulli(1/2)
    # scaled by sigma_w^6 = 8; ⊠ of Bernoulli(1/2)^2 has moments phi((pq)^k): 1/4, 3/16, 5/32
    code, out, _ = run(capsys, "moments", "tr((J J^T)^3)", "--depth", "3", "--sigma-w", "sqrt(2)", "--json")
    data = json.loads(out)
    import freealg

    m = freealg.free_mul_moments([freealg.cumulants.Fraction(1, 2)] * 3, [freealg.cumulants.Fraction(1, 2)] * 3)
    assert data["value"] == 8**3 * m[2]
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
        assert data[f"m_{k}"] == pytest.approx(float(model.moment(freealg.tr((J * J.T) ** k))), rel=1e-12)
    assert data["curve degree"] >= 2 and data["curve"].endswith("= 0")


def test_spectrum_smooth_activation_has_no_curve(capsys):
    code, out, _ = run(capsys, "spectrum", "--depth", "2", "--activation", "tanh", "--sigma-b", "0.05", "--json")
    data = json.loads(out)
    assert data["curve"].startswith("none")
    assert data["variance"] > 0


def test_fim_top_atom_and_mean(capsys):
    # two hidden layers, relu, sigma_w = 1, q_0 = 1: q_l = |x_l|^2/M halves per layer
    # (E relu(h)^2 = var/2), alpha = 1/2, so mean = q2 + a q1 + a^2 q0 and the top
    # atom t_3 = q2 + q1 + q0 has mass 1 - 2(1 - 1/2) = 0: no top atom
    code, out, _ = run(capsys, "fim", "--depth", "3", "--sigma-w", "1", "--q-in", "1", "--json")
    data = json.loads(out)
    assert data["q_l = |x_l|^2/M"] == [1.0, 0.5, 0.25]
    assert data["mean"] == pytest.approx(0.25 + 0.5 * 0.5 + 0.25 * 1.0, rel=1e-14)
    assert str(data["top atom"]).startswith("none")
    # hard-tanh near the edge of chaos: a top atom with mass 1 - (L-1)(1-alpha)
    code, out, _ = run(capsys, "fim", "--depth", "4", "--activation", "hardtanh", "--sigma-b", "0.05", "--json")
    data = json.loads(out)
    a = data["alpha_l (active fraction)"]
    q = data["q_l = |x_l|^2/M"]
    import freealg

    sw2 = float(freealg.critical_sigma_w("hardtanh", 0.05)) ** 2
    t = q[0]
    for ell in range(1, 4):
        t = q[ell] + sw2 * t
    assert data["top atom"] == pytest.approx(t, rel=1e-13)
    assert data["top atom mass"] == pytest.approx(1 - sum(1 - x for x in a), rel=1e-13)
    assert data["learning-rate bound 2/lambda_max"] == pytest.approx(2 / t, rel=1e-13)
