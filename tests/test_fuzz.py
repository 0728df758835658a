"""Bounded fuzz pass over the public API and the command line (issue 10).

The contract: bad input raises a :class:`freealg.FreealgError` subclass and
nothing else; no NaN / infinity is returned (outside the density convention:
``+inf`` at a hard edge, ``nan`` at a flagged atom); no call hangs; nothing
crashes the interpreter; no string argument is executed as code.

Every call runs in a child process (``_fuzz_support.WorkerPool``) with a time
limit, so a hang fails one example as ``timeout`` instead of blocking the
run, and a segfault fails it as ``crash``.  The argument pools, the target
catalogue and the result walker are shared with ``benchmarks/fuzz_survey.py``
(the full survey); this module runs a small deterministic slice of it.

Determinism: hypothesis is derandomized (fixed examples, no database) and
does not shrink (a shrink step may cost a full time limit; the first failing
example is reported as found).  No assertion is on wall time: the per-call
bound below only separates "hangs" from "slow", and is far above what any
case in the slice needs when it behaves.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import _fuzz_support as fz

#: Per-call time limit.  The slowest call of the slice when it behaves takes
#: about 3 s on the 2-core CI machine (a certified Fisher-law density, or the
#: first numba call of a fresh worker loading its cache); 20 s is a wide margin
#: for a loaded machine, and a genuine hang (an unbounded loop on a huge size)
#: runs far past it.
CALL_TIMEOUT = 20.0

FUZZ = settings(
    max_examples=8,
    derandomize=True,
    database=None,
    # a backstop above CALL_TIMEOUT + a worker restart; the worker's own limit
    # fires first and reports the hang as a "timeout" outcome
    deadline=timedelta(seconds=90),
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)

#: A representative slice of the survey's targets, a few per area.
TARGETS = [
    # partitions (the numba kernels also get the subprocess test below)
    "catalan", "noncrossing_partitions", "noncrossing_sum", "is_noncrossing", "kreweras_complement", "moebius",
    "partition_blocks", "format_partition",
    # cumulants and laws
    "free_cumulants", "moments_from_free_cumulants", "boolean_cumulants", "classical_cumulants",
    "free_add_moments", "free_mul_moments", "s_transform_coefficients", "check_moment_sequence",
    "Semicircle", "MarchenkoPastur", "Bernoulli", "Atomic", "FussCatalan", "Arcsine", "PointMass",
    "Semicircle.moments", "Semicircle.cauchy", "MarchenkoPastur.density", "Bernoulli.free_cumulants",
    "Arcsine.density", "Atomic.affine", "free_power", "weight_law", "SpectralCurve.moments",
    "nc_symbols", "tr", "FreeModel_ab.moment", "FreeModel.selfadjoint",
    # dnn, activations, simulation
    "MLP", "get_activation", "critical_sigma_w", "activation_derivative_law", "gaussian_expectation",
    "conjugate_kernel_moments", "jacobian_curve", "MLP.q_star", "MLP.chi", "MLP.depth_scales", "MLP.q_map",
    "MLP.d2_moments", "simulate.wigner", "simulate.ginibre", "simulate.wishart", "simulate.haar_orthogonal",
    # density engines
    "SpectralCurve.density", "curve_density", "curve_support", "SpectralCurve.from_s_transform", "JacobianLaw.moments", "JacobianLaw.density",
    "FisherLaw.moments", "FreeMulLaw.moments", "FreeMulLaw.density", "free_mul_law",
]

_ALL, _SKIPPED = fz.build_targets()
_BY_ID = {t.id: t for t in _ALL}


def test_targets_exist():
    # the slice names real public targets (a rename must update the slice)
    missing = [t for t in TARGETS if t not in _BY_ID]
    assert not missing, f"fuzz targets not in the public API any more: {missing}"


@pytest.fixture(scope="module")
def pool():
    with fz.WorkerPool(1, timeout=CALL_TIMEOUT) as p:
        yield p


def _value(param):
    """Mostly the adversarial pool, sometimes the valid value, and for numbers
    also hypothesis' own floats (any bit pattern, NaN and infinities)."""
    options = [st.just(param.valid), st.sampled_from(fz.pool(param.kind))]
    if param.kind in ("real", "prob", "point"):
        options.append(st.floats(allow_nan=True, allow_infinity=True))
    if param.kind in ("size", "dps"):
        options.append(st.integers(-3, 12))
    return st.one_of(*options)


def _case(target):
    return st.fixed_dictionaries({p.name: _value(p) for p in target.params}).map(
        lambda values: fz.make_case(target, values))


_OUTCOMES = {}


def _run(pool, case):
    # hypothesis replays a failing example once more to report it; the
    # outcome is remembered so a hang costs one time limit, not two
    key = repr((case.target, case.args, case.kwargs))
    if key not in _OUTCOMES:
        _OUTCOMES[key] = pool.call(case)
    return _OUTCOMES[key]


def _check(outcome, case):
    category, detail, seconds = outcome
    assert category in fz.GOOD, (
        f"{category}: {case.describe(400)}\n    -> {detail}  ({seconds:.1f} s; area: "
        f"{_BY_ID[case.target].area if case.target in _BY_ID else 'partitions/CLI'})")


@pytest.mark.parametrize("target_id", TARGETS)
@FUZZ
@given(data=st.data())
def test_public_api_fuzz(pool, target_id, data):
    target = _BY_ID[target_id]
    case = data.draw(_case(target), label="case")
    _check(_run(pool, case), case)


# --- the command line, in process (parser and handlers) ---------------------

_CLI_VALUES = ["nan", "inf", "-inf", "-1", "0", "1e300", "1e-300", "1e400", "abc", "", "1/0", "2",
               "1.5", "sqrt(2)", *fz.INJECTIONS]
_CLI_OPTIONS = {
    "--sigma-w": _CLI_VALUES, "--sigma-b": _CLI_VALUES, "--q-in": _CLI_VALUES,
    "--depth": ["0", "-1", "2", "3", "1000000", "99999999999999999999", "2.5", "abc"],
    "--activation": ["relu", "tanh", "hardtanh", "nosuch", "", "x**", *fz.INJECTIONS],
    "--kind": ["free", "boolean", "classical", "nosuch"],
}
_CLI_COMMANDS = {
    "cumulants": [], "moments": ["tr(J J^T)"], "meanfield": [], "latex": ["tr(J J^T)"],
    "spectrum": [], "fim": [],
}


@st.composite
def _argv(draw):
    cmd = draw(st.sampled_from(sorted(_CLI_COMMANDS)))
    argv = [cmd]
    if cmd == "cumulants":
        argv += draw(st.lists(st.sampled_from(_CLI_VALUES), min_size=1, max_size=4))
    else:
        argv += draw(st.sampled_from([_CLI_COMMANDS[cmd], ["tr((J J^T)^2)"], ["tr("], fz.INJECTIONS[:1]]))
    opts = draw(st.lists(st.sampled_from(sorted(_CLI_OPTIONS)), max_size=3, unique=True))
    if cmd in ("spectrum", "fim", "latex") and "--depth" not in opts:
        argv += ["--depth", "2"]
    for opt in opts:
        argv += [opt, draw(st.sampled_from(_CLI_OPTIONS[opt]))]
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@settings(FUZZ, max_examples=30)
@given(argv=_argv())
def test_cli_fuzz(pool, argv):
    # main(argv) in the worker: exit 0 or a one-line error with status 2;
    # no other exception, no traceback, no nan/inf printed, no injection
    case = fz.cli_case(argv)
    _check(_run(pool, case), case)


# --- string arguments are data, never code ---------------------------------

#: a word is a sequence of letters, not parsed: a payload there is just a
#: 50-letter word, whose cost (a sum over NC(50)) is a size question that the
#: survey covers; it is left out here to keep this test's time bounded
_UNPARSED = {("moment_from_cumulants", "word"), ("cumulant_from_moments", "word")}
_STRING_PARAMS = [(t.id, p.name) for t in _ALL for p in t.params
                  if p.kind in ("name", "word") and (t.id, p.name) not in _UNPARSED]


def test_string_arguments_are_not_executed(pool):
    # every string parameter of every public target (activation names,
    # R/S-transform and curve expressions, words, letter names ...) gets the
    # injection payloads; a payload must be refused or treated as data
    injected, escaped = [], []
    cases = [fz.make_case(_BY_ID[tid], {name: payload})
             for tid, name in _STRING_PARAMS for payload in fz.INJECTIONS[:2]]
    for idx, (category, detail, _) in pool.map(cases):
        line = f"{category}: {cases[idx].describe(200)} -> {detail[:160]}"
        (injected if category == "injection" else escaped if category not in fz.GOOD else []).append(line)
    assert not (injected or escaped), (
        "string arguments executed as code:\n" + "\n".join(sorted(injected))
        + "\nother outcomes that are not a FreealgError:\n" + "\n".join(sorted(escaped)))


# --- compiled (numba) entry points, each in its own interpreter -------------

_COMPILED = {
    "kreweras_complements": fz.MALFORMED_PARTITION_LISTS,
    "kreweras_complement": fz.MALFORMED_PARTITIONS,
    "is_noncrossing": fz.MALFORMED_PARTITIONS,
    "moebius": fz.MALFORMED_PARTITIONS,
    "noncrossing_partitions": [-1, 0, 40, 10**6, 2**63, 10**30, 2.5, None, "3"],
    "noncrossing_sum": [(4, []), (4, [1, 2]), (-1, [1]), (40, [1] * 40), (2**63, [1]), (4, ["a"] * 4),
                        (4, [1e308] * 4), (4, None)],
}

_SCRIPT = textwrap.dedent("""
    import sys
    import freealg
    from freealg.errors import FreealgError
    fn = getattr(freealg, sys.argv[1])
    star = sys.argv[1] == "noncrossing_sum"
    for arg in {cases!r}:
        print("CALL", repr(arg)[:120], flush=True)
        try:
            fn(*arg) if star else fn(arg)
        except FreealgError:
            pass
        except Exception as exc:
            print("ESCAPED", type(exc).__name__, str(exc)[:120], flush=True)
    print("DONE", flush=True)
""")


@pytest.mark.parametrize("name", sorted(_COMPILED))
def test_compiled_entry_points_in_subprocess(name, tmp_path):
    # a malformed row must be refused before it reaches the compiled kernel
    # (a kernel indexing out of bounds is a segfault, not an exception)
    script = _SCRIPT.format(cases=_COMPILED[name])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [_repo_root(), *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]))
    proc = subprocess.run([sys.executable, "-c", script, name], capture_output=True, text=True,
                          timeout=180, cwd=tmp_path, env=env)
    calls = [ln for ln in proc.stdout.splitlines() if ln.startswith("CALL")]
    assert proc.returncode == 0 and "DONE" in proc.stdout, (
        f"{name} killed the interpreter (exit {proc.returncode}) at {calls[-1] if calls else '?'}:"
        f" {proc.stderr.strip()[-300:]}")
    lines = proc.stdout.splitlines()
    escaped = [f"{lines[i - 1]} -> {ln}" for i, ln in enumerate(lines) if ln.startswith("ESCAPED")]
    assert not escaped, f"{name}: non-FreealgError exceptions:\n" + "\n".join(escaped)


def _repo_root():
    import freealg

    return os.path.dirname(os.path.dirname(os.path.abspath(freealg.__file__)))


# --- code injection through the real console entry point --------------------

_INJECTION_LINES = [
    ["meanfield", "--sigma-w", fz.INJECTIONS[0]],
    ["spectrum", "--depth", "2", "--sigma-b", fz.INJECTIONS[2]],
    ["fim", "--depth", "2", "--sigma-w", fz.INJECTIONS[1]],
    ["meanfield", "--activation", fz.INJECTIONS[3]],
    ["moments", fz.INJECTIONS[0], "--depth", "2"],
    ["latex", fz.INJECTIONS[3], "--depth", "2"],
    ["cumulants", "1", fz.INJECTIONS[0]],
]


@pytest.mark.parametrize("argv", _INJECTION_LINES, ids=lambda a: " ".join(a[:1] + a[-2:-1])[:40])
def test_cli_injection_subprocess(argv, tmp_path):
    category, code, out, err, _ = fz.run_cli_line(argv, str(tmp_path), timeout=120)
    assert not (tmp_path / fz.SENTINEL).exists()
    assert category in fz.CLI_GOOD, f"{category} (exit {code}): freealg {argv}\n{err.strip()[-400:]}"


# --- the walker itself (so a broken walker cannot pass everything) ----------


def test_walker_finds_nonfinite_values():
    import mpmath
    import numpy as np
    import sympy

    assert fz.find_nonfinite([1, 2.5, {"a": (3, 4j)}]) is None
    for bad in [float("nan"), [1, float("inf")], {"k": np.array([1.0, np.nan])}, complex(1, float("inf")),
                mpmath.mpf("nan"), sympy.zoo + sympy.Symbol("x"), (np.float64(-np.inf),)]:
        assert fz.find_nonfinite(bad) is not None, bad
    # the density convention: +inf (hard edge) allowed, nan only at an atom
    assert fz.find_nonfinite(np.array([0.5, np.inf]), density=True) is None
    assert fz.find_nonfinite(np.array([0.5, np.nan]), density=True, atom_x=[1.0], x=np.array([0.0, 1.0])) is None
    assert fz.find_nonfinite(np.array([np.nan, 0.5]), density=True, atom_x=[1.0], x=np.array([0.0, 1.0]))


def test_cli_classifier():
    assert fz.classify_cli_subprocess(2, "", "freealg: error: sigma_w must be > 0; got -1\n", False, False) \
        == "error-one-line"
    assert fz.classify_cli_subprocess(1, "", "Traceback (most recent call last):\n  ...", False, False) \
        == "traceback"
    assert fz.classify_cli_subprocess(0, "chi   nan\n", "", False, False) == "nonfinite-output"
    assert fz.classify_cli_subprocess(0, "information: 1\n", "", False, False) == "ok"
    assert fz.classify_cli_subprocess(-11, "", "", False, False) == "crash"


def test_no_parameter_executes_text(pool):
    # sympy's subs/sympify evaluate a string as Python, and any parameter can reach
    # them (Law.s_transform(w) substituted a string w and ran it). One payload goes
    # into every parameter of every public target; only "injection" (the sentinel file
    # appeared) fails here: the other outcomes are judged by the tests above.
    cases = [fz.make_case(t, {p.name: fz.INJECTIONS[0]}) for t in _ALL for p in t.params]
    injected = [f"{cases[idx].describe(200)} -> {detail[:160]}"
                for idx, (category, detail, _) in pool.map(cases) if category == "injection"]
    assert injected == [], "text executed as code:\n" + "\n".join(sorted(injected))
