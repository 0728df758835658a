"""The ``freealg`` command line.

Every subcommand prints a human-readable table by default and JSON with
``--json``.  Bad arguments print a one-line message to stderr and exit with
status 2 (the argparse convention); a freealg error on valid-looking input
also exits with status 2.

Examples
--------
>>> main(["cumulants", "1", "2", "5", "14"])   # doctest: +NORMALIZE_WHITESPACE
 n   m_n   kappa_n
 1     1         1
 2     2         1
 3     5         1
 4    14         1
0
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

from ._version import __version__
from .errors import FreealgError

__all__ = ["main", "build_parser"]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def parse_number(text):
    """Parse ``3``, ``-1/2`` (exact) or ``0.25``/``1e-3`` (float)."""
    t = text.strip()
    try:
        if "/" in t:
            num, den = t.split("/", 1)
            return Fraction(int(num), int(den))
        return int(t)
    except (ValueError, ZeroDivisionError):
        pass
    try:
        return float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number (use 3, -1/2 or 0.25)"
        ) from None


def _fmt(v):
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, float):
        return f"{v:.15g}"
    return str(v)


def _jsonable(v):
    if isinstance(v, Fraction):
        return _fmt(v)
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def print_table(headers, rows, out=None):
    """Print right-aligned columns."""
    out = out or sys.stdout
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for r in cells:
        print(" " + "   ".join(c.rjust(w) for c, w in zip(r, widths)), file=out)


# ---------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------

_KINDS = ("free", "boolean", "classical")


def _cmd_cumulants(args):
    from . import cumulants as C

    fn = {
        "free": C.free_cumulants,
        "boolean": C.boolean_cumulants,
        "classical": C.classical_cumulants,
    }[args.kind]
    kappa = fn(args.moments)
    if args.json:
        print(json.dumps({"kind": args.kind, "moments": _jsonable(args.moments), "cumulants": _jsonable(kappa)}))
    else:
        name = {"free": "kappa_n", "boolean": "b_n", "classical": "c_n"}[args.kind]
        print_table(["n", "m_n", name], [(i + 1, m, k) for i, (m, k) in enumerate(zip(args.moments, kappa))])
    return 0


def _cmd_moments(args):
    from . import cumulants as C

    if not args.cumulants:
        raise _UsageError("moments: give the cumulants, e.g. `freealg moments --cumulants 1 1 1 1`")
    fn = {
        "free": C.moments_from_free_cumulants,
        "boolean": C.moments_from_boolean_cumulants,
        "classical": C.moments_from_classical_cumulants,
    }[args.kind]
    moments = fn(args.cumulants)
    if args.json:
        print(json.dumps({"kind": args.kind, "cumulants": _jsonable(args.cumulants), "moments": _jsonable(moments)}))
    else:
        name = {"free": "kappa_n", "boolean": "b_n", "classical": "c_n"}[args.kind]
        print_table(["n", name, "m_n"], [(i + 1, k, m) for i, (k, m) in enumerate(zip(args.cumulants, moments))])
    return 0


def _cmd_demo(args):
    from .demo import run_demo

    return run_demo(json_output=args.json, out=sys.stdout)


class _UsageError(Exception):
    pass


def build_parser():
    """The argument parser of the ``freealg`` command."""
    p = argparse.ArgumentParser(
        prog="freealg",
        description="Free probability for deep neural networks: exact moments and "
        "cumulants, spectral curves, certified densities.",
    )
    p.add_argument("--version", action="version", version=f"freealg {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")

    c = sub.add_parser(
        "cumulants",
        parents=[common],
        help="cumulants of a moment sequence",
        description="Cumulants of the moment sequence m_1, m_2, ... (exact rationals as 1/2).",
    )
    c.add_argument("moments", nargs="+", type=parse_number, metavar="M", help="m_1 m_2 ...")
    c.add_argument("--kind", choices=_KINDS, default="free", help="which cumulants (default: free)")
    c.set_defaults(func=_cmd_cumulants)

    m = sub.add_parser(
        "moments",
        parents=[common],
        help="moments from a cumulant sequence",
        description="Moments m_1, m_2, ... from cumulants kappa_1, kappa_2, ...",
    )
    m.add_argument("--cumulants", nargs="+", type=parse_number, metavar="K", help="kappa_1 kappa_2 ...")
    m.add_argument("--kind", choices=_KINDS, default="free", help="which cumulants (default: free)")
    m.set_defaults(func=_cmd_moments)

    d = sub.add_parser(
        "demo",
        parents=[common],
        help="run the headline derivation end to end",
        description="Derive and check results end to end, printing each with the check that confirms it.",
    )
    d.set_defaults(func=_cmd_demo)
    return p


def main(argv=None):
    """Entry point of the ``freealg`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except _UsageError as exc:
        parser.exit(2, f"freealg: error: {exc}\n")
    except FreealgError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        parser.exit(2, f"freealg: error: {msg}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
