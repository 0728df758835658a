"""Fuzz survey of the public API and the ``freealg`` command line.

Calls every public callable (functions and classes in ``freealg.__all__``
and in ``freealg.simulate`` / ``verify`` / ``dnn`` / ``plot``, and the
public methods of a few valid instances: the named laws, a spectral curve,
``MLP``, ``JacobianLaw``, ``FisherLaw``, ``FreeModel``, ``NCPoly``...) with
adversarial arguments (wrong types, extreme numbers, huge sizes, empty and
malformed sequences and partitions, code-injection strings), one parameter
at a time with the others valid, plus seeded random multi-parameter
combinations.  Each call runs in a child process with a time limit, so a
hang is counted as ``timeout`` and a segfault as ``crash``.  Then it runs
about 120 ``freealg`` command lines as subprocesses.

The case list and its (shuffled) order are fixed by ``--seed``.  Cases are
dispatched in that order until the time budget is spent, so the cases run
are always a prefix of the same list; the report says how many ran.  To
compare a run after a fix with one before it call for call, pass the
earlier run's count as ``--max-calls`` (and ``--compare BEFORE_JSON`` to
print both tables side by side).

Usage::

    python benchmarks/fuzz_survey.py --quick            # a few hundred calls, < 2 min
    python benchmarks/fuzz_survey.py                    # everything, <= ~15 min on 2 cores
    python benchmarks/fuzz_survey.py --json counts.json --list 5
    python benchmarks/fuzz_survey.py --max-calls 2700 --compare before.json

Categories (API calls): ok, freealg-error (wanted), other:<Type> (an
exception that is not a FreealgError), nonfinite (NaN/inf returned),
timeout, crash, injection.  Categories (command lines): ok (exit 0/1),
error-one-line (exit 2, one stderr line), error-multi-line (exit 2, argparse
usage + message), traceback, nonfinite-output, timeout, crash, injection,
exit-<n>.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
sys.path.insert(0, os.path.dirname(HERE))

import _fuzz_support as fz  # noqa: E402  (shared with tests/test_fuzz.py)

BAD_API = lambda cat: cat not in fz.GOOD  # noqa: E731
#: full mode: generic wrong-type values kept per parameter (of 10), and
#: seeded multi-parameter cases per target; sized for ~12 min on 2 cores
WRONG_TYPES_FULL = 5
RANDOM_FULL = 3


def api_cases(targets, quick, seed):
    rng = random.Random(seed)
    cases = []
    for t in targets:
        if quick:
            single = fz.single_fault_cases(t)
            cases.append(rng.choice(single[1:]) if len(single) > 1 else single[0])
        else:
            cases.extend(fz.single_fault_cases(t, rng, wrong_types=WRONG_TYPES_FULL))
            cases.extend(fz.random_cases(t, rng, RANDOM_FULL))
    rng.shuffle(cases)  # spread the slow targets over the run
    return cases


def run_api(cases, workers, timeout, budget, progress):
    results = [None] * len(cases)
    t0 = time.monotonic()
    done = 0
    with fz.WorkerPool(workers, timeout=timeout) as pool:
        for idx, res in pool.map(cases, budget=budget):
            results[idx] = res
            done += 1
            if progress and done % 500 == 0:
                print(f"  ... {done}/{len(cases)} calls, {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return results


def run_cli(lines, workers, timeout):
    tmp = tempfile.TemporaryDirectory(prefix="freealg-fuzz-cli-")
    try:
        def one(i):
            d = os.path.join(tmp.name, str(i))  # one directory per line: sentinels are attributed
            os.makedirs(d, exist_ok=True)
            return fz.run_cli_line(lines[i], d, timeout)

        with ThreadPoolExecutor(workers) as ex:
            return list(ex.map(one, range(len(lines))))
    finally:
        tmp.cleanup()


def table(title, counter, total=None):
    rows = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max([len(k) for k, _ in rows] + [8])
    print(f"\n{title}")
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v:6d}")
    if total is not None:
        print(f"  {'total'.ljust(width)}  {total:6d}")


def compare(title, before, after):
    keys = sorted(set(before) | set(after), key=lambda k: (k not in fz.GOOD and k not in fz.CLI_GOOD, k))
    width = max([len(k) for k in keys] + [8])
    print(f"\n{title}: before / after")
    for k in keys:
        print(f"  {k.ljust(width)}  {before.get(k, 0):6d}  {after.get(k, 0):6d}")


def main(argv=None):
    import signal

    # a SIGTERM ends the run through the normal exit path, so the worker
    # processes are shut down (they also exit on their own once orphaned)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one case per target and 24 command lines (< 2 min)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the case selection (default 0)")
    ap.add_argument("--workers", type=int, default=2, help="child processes (default 2)")
    ap.add_argument("--timeout", type=float, default=6.0,
                    help="per-call time limit in seconds (default 6; the slowest valid call of the "
                         "catalogue takes ~3 s on an idle core)")
    ap.add_argument("--cli-timeout", type=float, default=None,
                    help="per-command-line time limit in seconds, interpreter start included "
                         "(default 20)")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds for the API section (default 60 quick, 660 full); cases left are reported")
    ap.add_argument("--max-calls", type=int, default=None, metavar="N",
                    help="run only the first N cases of the (seeded) case order: to compare two runs "
                         "call for call, give the later one the earlier one's number of calls run")
    ap.add_argument("--no-cli", action="store_true", help="skip the command-line section")
    ap.add_argument("--json", metavar="FILE", help="write the counts and every bad outcome to FILE")
    ap.add_argument("--list", type=int, default=3, metavar="N", help="print N examples per bad category")
    ap.add_argument("--compare", metavar="BEFORE_JSON",
                    help="print the counts of an earlier --json run next to these (before / after)")
    args = ap.parse_args(argv)
    budget = args.budget if args.budget is not None else (60.0 if args.quick else 660.0)

    t_start = time.monotonic()
    import freealg

    print(f"freealg {freealg.__version__} from {os.path.dirname(freealg.__file__)}")
    print(f"mode {'quick' if args.quick else 'full'}, seed {args.seed}, {args.workers} workers, "
          f"timeout {args.timeout:g} s/call, API budget {budget:g} s")
    targets, skipped = fz.build_targets()
    cases = api_cases(targets, args.quick, args.seed)
    if args.max_calls is not None:
        cases = cases[: args.max_calls]
    print(f"{len(targets)} targets ({len(skipped)} public names skipped: "
          f"{', '.join(t for t, _ in skipped)}), {len(cases)} API calls")

    t0 = time.monotonic()
    results = run_api(cases, args.workers, args.timeout, budget, progress=not args.quick)
    api_secs = time.monotonic() - t0
    by_target = {t.id: t for t in targets}
    counts, by_area, bad = collections.Counter(), collections.Counter(), []
    cost = collections.Counter()
    not_run = 0
    for case, res in zip(cases, results):
        if res is None:
            not_run += 1
            continue
        cat, detail, secs = res
        counts[cat] += 1
        cost[case.target] += secs
        if BAD_API(cat):
            area = by_target[case.target].area
            by_area[f"{area} / {cat.split(':')[0]}"] += 1
            bad.append({"target": case.target, "area": area, "call": case.describe(300), "category": cat,
                        "detail": detail, "seconds": round(secs, 3)})
    run = len(cases) - not_run
    table(f"API calls ({run} run, {not_run} not run within the budget; {api_secs:.0f} s)", counts, run)
    summary = collections.Counter()
    for k, v in counts.items():
        summary["other exception (not FreealgError)" if k.startswith("other:") else k] += v
    table("API summary", summary, run)
    table("API bad outcomes by area", by_area)
    print("\nslowest targets (worker seconds, all their calls): " + ", ".join(
        f"{t} {s:.0f}" for t, s in cost.most_common(8)))
    bad_targets = collections.Counter((b["target"], b["category"]) for b in bad)
    print(f"\n{len({b['target'] for b in bad})} of {len(targets)} targets have a bad outcome")
    if args.list:
        seen = collections.Counter()
        print("\nexamples:")
        for b in sorted(bad, key=lambda b: (b["category"], b["target"])):
            if seen[b["category"]] < args.list:
                seen[b["category"]] += 1
                print(f"  [{b['category']}] {b['call']}\n      -> {b['detail'][:160]}")

    cli_report = None
    if not args.no_cli:
        lines = fz.cli_command_lines()
        if args.quick:
            lines = fz.seeded_sample(lines, 24, args.seed)
        t0 = time.monotonic()
        cli_timeout = args.cli_timeout or 20.0
        out = run_cli(lines, args.workers, cli_timeout)
        cli_secs = time.monotonic() - t0
        cli_counts = collections.Counter(r[0] for r in out)
        table(f"command lines ({len(lines)} run; {cli_secs:.0f} s)", cli_counts, len(lines))
        cli_bad = [{"argv": argv, "category": r[0], "returncode": r[1], "stderr_tail": r[3].strip()[-300:],
                    "stdout_head": r[2][:200], "seconds": round(r[4], 2)}
                   for argv, r in zip(lines, out) if r[0] not in fz.CLI_GOOD]
        if args.list:
            seen = collections.Counter()
            print("\nexamples:")
            for b in cli_bad:
                if seen[b["category"]] < args.list:
                    seen[b["category"]] += 1
                    tail = b["stderr_tail"].splitlines()[-1] if b["stderr_tail"] else b["stdout_head"][:100]
                    print(f"  [{b['category']}] freealg {' '.join(map(repr, b['argv']))}\n      -> {tail[:160]}")
        cli_report = {"counts": dict(cli_counts), "run": len(lines), "seconds": round(cli_secs, 1),
                      "bad": cli_bad}

    total = time.monotonic() - t_start
    print(f"\ntotal {total:.0f} s")
    if args.compare:
        with open(args.compare) as fh:
            before = json.load(fh)
        compare("API summary", before["api"]["summary"], summary)
        compare("API calls", before["api"]["counts"], counts)
        if cli_report is not None and before.get("cli"):
            compare("command lines", before["cli"]["counts"], cli_report["counts"])
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"mode": "quick" if args.quick else "full", "seed": args.seed, "timeout": args.timeout,
                       "freealg": freealg.__version__,
                       "api": {"counts": dict(counts), "summary": dict(summary), "by_area": dict(by_area),
                               "run": run, "not_run": not_run, "targets": len(targets),
                               "skipped": skipped, "seconds": round(api_secs, 1),
                               "bad_targets": sorted(f"{t} {c}" for t, c in bad_targets), "bad": bad},
                       "cli": cli_report, "seconds": round(total, 1)}, fh, indent=1, default=repr)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
