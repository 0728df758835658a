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

from .._version import __version__
from ..errors import FreealgError
from ._args import MAX_WIDTH, _UsageError, _add_net_args, _check_output_path, _convert_args, _is_fraction
from ._output import SCHEMA_VERSION, _NonFiniteError, _document, _dumps, _value
from . import algebra, networks
from .algebra import _KINDS

__all__ = ["main", "build_parser"]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------


def _cmd_demo(args):
    import io

    from .demo import run_demo

    if not args.json:
        return run_demo(json_output=False, out=sys.stdout)
    buf = io.StringIO()
    code = run_demo(json_output=True, out=buf)
    steps = json.loads(buf.getvalue())
    for step in steps:
        res = step.get("result")
        # a result is a LaTeX/text string or a list of exact values (as text)
        if isinstance(res, list):
            step["result"] = [_value(Fraction(r) if isinstance(r, str) and _is_fraction(r) else r)
                              if not isinstance(r, str) or _is_fraction(r) else {"exact": r, "float": None}
                              for r in res]
    print(_dumps(_document("demo", {"steps": steps, "passed": code == 0})))
    return code


def _arg(*flags, **options):
    """One row of an argument table: the ``add_argument`` flags and options."""
    return flags, options


#: Marker rows: the network options (:func:`_add_net_args`), ``--depth``
#: optional or required.
_NET_OPTIONAL, _NET_REQUIRED = "network, --depth optional", "network, --depth required"

_DEBUG_HELP = "on an internal error, print its traceback (also FREEALG_DEBUG=1)"
_Q_IN_HELP = "input variance (default: every layer at q*)"

#: The subcommands of ``freealg``: name, handler (module, function name: looked
#: up when the parser is built), one-line help, description, argument rows (in
#: ``--help`` order) and extra defaults.
COMMANDS = (
    dict(name="cumulants", handler=(algebra, "_cmd_cumulants"), help="cumulants of a moment sequence",
         description="Cumulants of the moment sequence m_1, m_2, ... (exact rationals as 1/2).",
         args=(_arg("moments", nargs="+", type=str, metavar="M", help="m_1 m_2 ... (3, 1/2, 0.25)"),
               _arg("--kind", choices=_KINDS, default="free", help="which cumulants (default: free)"))),
    dict(name="moments", handler=(algebra, "_cmd_moments"),
         help="limit moment of a trace in a network's Jacobians, or moments from cumulants",
         description="Either the large-width limit of a normalised trace of a polynomial in the "
         "network's letters J, W1..WL, D1..DL, Theta (one-sample FIM with symbolic q_l), I "
         "(e.g. `freealg moments \"tr((J J^T)^3)\" --depth 3 --activation hardtanh`), "
         "or moments m_1, m_2, ... from cumulants (`--cumulants 1 1 1`).",
         args=(_arg("expression", nargs="?", default=None, help='a trace, e.g. "tr((J J^T)^2)"'),
               _arg("--cumulants", nargs="+", type=str, metavar="K", help="kappa_1 kappa_2 ..."),
               _arg("--kind", choices=_KINDS, default="free", help="which cumulants (default: free)"),
               _arg("--q-in", type=str, default=None, help=_Q_IN_HELP),
               _arg("--symbolic", action="store_true", help="keep the laws of the D's symbolic (m_k(D1), ...)"),
               _arg("--latex", action="store_true", help="also print the identity in LaTeX"),
               _NET_OPTIONAL)),
    dict(name="meanfield", handler=(networks, "_cmd_meanfield"),
         help="mean-field theory: q*, chi, c*, depth scales, edge of chaos",
         description="Mean-field quantities of a random MLP [PLR+16, SGGS17]: the fixed point q*, "
         "chi (slope of the c-map at c = 1; order < 1 < chaos), c*, the depth scales and the "
         "critical sigma_w for the given sigma_b.",
         args=(_NET_OPTIONAL,
               _arg("--plot", metavar="PNG", help="draw the order/chaos phase diagram to this file")),
         defaults={"depth": 1}),
    dict(name="latex", handler=(algebra, "_cmd_latex"),
         help="LaTeX of a polynomial or trace in a network's letters",
         description="Print LaTeX for an expression in J, W1..WL, D1..DL, Theta, I.",
         args=(_arg("expression", help='e.g. "tr(Theta^2)"'),
               _arg("--value", action="store_true", help="append = <its limit value>"),
               _arg("--q-in", type=str, default=None, help=argparse.SUPPRESS),
               _arg("--symbolic", action="store_true", help="keep the laws of the D's symbolic"),
               _NET_REQUIRED)),
    dict(name="spectrum", handler=(networks, "_cmd_spectrum"),
         help="spectrum of J Jᵀ for a network: curve, moments, support, atoms, density plot",
         description="The limit spectrum of J Jᵀ ([PSG17, PSG18]; freealg.MLP.jacobian_law): the "
         "exact moments of the free multiplicative convolution of the layer laws, the variance "
         "against its closed form, the atoms, for relu / hard-tanh the algebraic curve "
         "P(z, G) = 0, and with --density / --plot the support, lambda_max, the "
         "dynamical-isometry summary and a certified density (functional-equation engine).",
         args=(_NET_REQUIRED,
               _arg("--q-in", type=str, default=None, help=_Q_IN_HELP),
               _arg("--latex", action="store_true", help="print the curve in LaTeX"),
               _arg("--exact-curve", action="store_true",
                    help="with float parameters, also print the curve of their exact binary values "
                    "(large integer coefficients)"),
               _arg("--density", action="store_true", help="also compute support and atoms (slower for deep nets)"),
               _arg("--plot", metavar="PNG", help="draw the certified density to this file"))),
    dict(name="fim", handler=(networks, "_cmd_fim"),
         help="one-sample Fisher information spectrum: moments, top atom, learning-rate bound",
         description="The non-zero spectrum of the one-sample conditional FIM, mu_{l+1} = "
         "(q_l + sigma_w^2 .)_*(nu_l ⊠ mu_l) ([HK21]; freealg.MLP.fim_law), for any "
         "activation: exact moments, the mean, the atoms, the top atom t_L = q_{L-1} + "
         "sigma_w^2 t_{L-1} with mass 1 - (L-1)(1-alpha) (orthogonal relu / hard-tanh), the "
         "support, lambda_max and the learning-rate bound 2/lambda_max.",
         args=(_NET_REQUIRED,
               _arg("--q-in", type=str, default=None, help="q_0 = |x_0|^2/M (default: input at the fixed point)"),
               _arg("--latex", action="store_true",
                    help="print the spectral curve (relu / hard-tanh; the closed form at depth 3)"))),
    dict(name="verify", handler=(networks, "_cmd_verify"),
         help="check a theoretical claim against finite-width simulation",
         description="Sample finite-width networks and compare with the free-probability "
         "prediction, with standard errors, z-scores and the fitted rate of convergence in "
         "the width. Exit status 1 if the check fails.",
         args=(_arg("claim", choices=("freeness", "jacobian", "fim", "two-layer-fim"),
                    help="asymptotic freeness of layerwise Jacobians (mixed moments of W's and D's "
                    "from actual networks), Jacobian spectrum, one-sample FIM spectrum and top atom, "
                    "or the two-hidden-layer FIM closed form"),
               _arg("--widths", type=str, nargs="+", default=[50, 100, 200],
                    help=f"network widths N (at most {MAX_WIDTH})"),
               _arg("--trials", type=str, default=None,
                    help="networks sampled per width (default: the check's own, 40)"),
               _arg("--depths", type=str, nargs="+", default=None, help="depths (jacobian claim)"),
               _arg("--seed", type=str, default=0, help="random seed, an integer >= 0"),
               _arg("--q0", "--q-in", dest="q0", type=str, default=None, metavar="NUMBER",
                    help="input variance q0 = |x_0|^2/M of the sampled inputs (default 1; jacobian: "
                    "the input at the fixed point)"),
               _arg("--n-moments", type=str, default=None, metavar="K",
                    help="number of spectral moments compared (default 4; jacobian, fim, "
                    "two-layer-fim)"),
               _arg("--no-density", action="store_true",
                    help="two-layer-fim: skip the certified density, atoms and Kolmogorov/Levy "
                    "distances of the closed form (moments only)"),
               _arg("--progress", action="store_true",
                    help="show a progress bar even when not on a terminal (needs tqdm: the progress extra)"),
               _arg("--no-progress", action="store_true", help="never show a progress bar"),
               _arg("--cache-dir", default=None, metavar="DIR",
                    help="keep each sampled network's result in DIR and reuse it on a rerun "
                    "(jacobian, fim, two-layer-fim)"),
               _arg("--jobs", "-j", type=str, default=None, metavar="N",
                    help="local processes for the sampled networks of the jacobian, fim and "
                    "two-layer-fim checks (-1: every core; default 1); the report does not depend on it"),
               _NET_OPTIONAL)),
    dict(name="demo", handler=(sys.modules[__name__], "_cmd_demo"), help="run the headline derivation end to end",
         description="Derive and check results end to end, printing each with the check that confirms it.",
         args=()),
)


def _add_command(sub, common, spec):
    """Add one subcommand of :data:`COMMANDS` to the subparsers ``sub``."""
    c = sub.add_parser(spec["name"], parents=[common], help=spec["help"], description=spec["description"])
    for row in spec["args"]:
        if row in (_NET_OPTIONAL, _NET_REQUIRED):
            _add_net_args(c, depth_required=row == _NET_REQUIRED)
        else:
            flags, options = row
            c.add_argument(*flags, **options)
    module, name = spec["handler"]
    c.set_defaults(**spec.get("defaults", {}), func=getattr(module, name))
    return c


def build_parser():
    """The argument parser of the ``freealg`` command (one subcommand per row of
    :data:`COMMANDS`).

    Returns
    -------
    argparse.ArgumentParser
        The parser; its usage errors raise instead of exiting (handled by
        :func:`main`).

    Raises
    ------
    None
        Building the parser does not fail.

    Examples
    --------
    >>> args = build_parser().parse_args(["cumulants", "1", "2"])
    >>> args.command, args.moments, args.kind
    ('cumulants', ['1', '2'], 'free')
    """
    p = _Parser(
        prog="freealg",
        description="Free probability for deep neural networks: exact moments and "
        "cumulants, spectral curves, certified densities.",
    )
    p.add_argument("--version", action="version", version=f"freealg {__version__}")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true",
                        help="print JSON instead of a table (an error is then also a JSON "
                        "object {\"error\": {\"type\": ..., \"message\": ...}})")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)
    for spec in COMMANDS:
        _add_command(sub, common, spec)
    return p


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors raised (handled by :func:`main`) instead
    of printed and exited on the spot, so that they too obey ``--json``."""

    def error(self, message):
        raise _UsageError(message)


def _error_line(exc):
    """(type name, one-line message, is_bug) for an exception reaching main."""
    from .._utils.validate import shorten

    text = " ".join(str(exc).split()) if str(exc) else type(exc).__name__
    # a message quoting a whole object (a curve with 90-digit coefficients)
    # is capped; the traceback of --debug has the message in full
    text = shorten(text, 400, how="rerun with --debug for the full message")
    if isinstance(exc, _UsageError):
        return "UsageError", text, False
    if isinstance(exc, _NonFiniteError):
        return "NonFiniteResultError", text, False
    if isinstance(exc, FreealgError):
        return type(exc).__name__, text, False
    if isinstance(exc, (OverflowError, FloatingPointError)):
        return ("OverflowError",
                f"floating-point overflow ({text}): the parameters are too large for float64 "
                "arithmetic; use smaller values (or exact ones such as 3/2, sqrt(2))", False)
    if isinstance(exc, MemoryError):
        return ("MemoryError",
                f"out of memory ({text}); use smaller sizes (--widths, --depth, --trials)", False)
    if isinstance(exc, OSError):
        return type(exc).__name__, text, False
    return (type(exc).__name__,
            f"internal error, this is a bug in freealg {__version__} (please report it): "
            f"{type(exc).__name__}: {text}; rerun with --debug (or FREEALG_DEBUG=1) for the "
            "traceback", True)


def _fail(exc, want_json, debug, stdout):
    kind, message, is_bug = _error_line(exc)
    if debug:
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if want_json:
        print(json.dumps({"error": {"type": kind, "message": message}, "schema_version": SCHEMA_VERSION}),
              file=stdout)
        stdout.flush()
    print(f"freealg: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv=None):
    """Entry point of the ``freealg`` console script; returns the exit status.

    Every error, whatever raised it, is one line on stderr and exit status 2
    (``SystemExit(2)``), never a traceback; with ``--json`` the error is also
    printed on stdout as ``{"error": {"type": ..., "message": ...}}``.  An
    unexpected exception (a bug) says so; ``--debug`` or ``FREEALG_DEBUG=1``
    adds its traceback.  Numeric options are parsed by a whitelisted grammar
    (never evaluated as Python), checked against size limits before any
    work, the ``--plot`` file is checked before computing, and a result that
    is NaN or infinite is refused instead of printed.
    """
    import io
    import os
    from contextlib import redirect_stdout

    argv = list(sys.argv[1:] if argv is None else argv)
    want_json = "--json" in argv
    debug = "--debug" in argv or os.environ.get("FREEALG_DEBUG", "").strip() not in ("", "0")
    stdout = sys.stdout
    buffer = io.StringIO()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        _convert_args(args)
        if getattr(args, "plot", None):
            _check_output_path(args.plot)
        # the result is printed only once it is complete: an error half-way
        # never leaves a truncated table or half a JSON document on stdout
        with redirect_stdout(buffer):
            code = args.func(args)
        stdout.write(buffer.getvalue())
        stdout.flush()
        return code
    except SystemExit:  # --help, --version
        raise
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        try:
            sys.stderr.close()
        except Exception:  # pragma: no cover
            pass
        return 0
    except KeyboardInterrupt:
        print("freealg: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:  # noqa: BLE001 - the one place every error is reported
        _fail(exc, want_json, debug, stdout)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
