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
    assert "'abc' is not a number" in capsys.readouterr().err
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
