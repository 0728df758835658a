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
import math
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


def parse_param(text):
    """A real parameter: a number (``1.5``, ``3/2``) or an exact expression
    such as ``sqrt(2)`` (kept exact)."""
    try:
        return parse_number(text)
    except argparse.ArgumentTypeError:
        pass
    import sympy

    try:
        val = sympy.sympify(text, locals={}, rational=True)
    except (sympy.SympifyError, TypeError, SyntaxError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or exact expression (e.g. sqrt(2))") from None
    if not (val.is_number and val.is_real):
        raise argparse.ArgumentTypeError(f"{text!r} is not a real number")
    return val


def _add_net_args(p, depth_required=True):
    g = p.add_argument_group("network (THEORY.md §1)")
    g.add_argument("--depth", "-L", type=int, required=depth_required, help="number of layers L")
    g.add_argument("--activation", default="relu",
                   help="linear, relu, leaky_relu, hardtanh, tanh, erf, sigmoid, silu, gelu (default relu)")
    g.add_argument("--init", choices=("orthogonal", "gaussian"), default="orthogonal",
                   help="weight initialisation (default orthogonal)")
    g.add_argument("--sigma-w", type=parse_param, default=None,
                   help="weight scale sigma_w (default: the critical value for --sigma-b)")
    g.add_argument("--sigma-b", type=parse_param, default=0, help="bias scale sigma_b (default 0)")
    g.add_argument("--convention", choices=("seed", "psg"), default="seed",
                   help="Jacobian convention: seed J = W_L D_{L-1}...W_1 (default), psg J = D_L W_L...D_1 W_1")


def _net_from_args(args):
    from .dnn import MLP, critical_sigma_w

    sw = args.sigma_w
    if sw is None:
        sw = critical_sigma_w(args.activation, _float_or_exact(args.sigma_b))
    return MLP(args.depth, args.activation, init=args.init, sigma_w=_float_or_exact(sw),
               sigma_b=_float_or_exact(args.sigma_b), jacobian_convention=args.convention)


def _float_or_exact(v):
    if isinstance(v, Fraction):
        return float(v) if v.denominator != 1 else int(v)
    return v


def _num(v):
    """JSON/table friendly scalar: exact sympy numbers stay exact strings when
    they are not integers, floats are floats."""
    try:
        import sympy
    except ImportError:  # pragma: no cover
        sympy = None
    if sympy is not None and isinstance(v, sympy.Basic):
        if v.is_Integer:
            return int(v)
        if v.is_Rational:
            return Fraction(int(v.p), int(v.q))
        if v.is_number:
            return float(v)
        return str(v)
    if hasattr(v, "item"):
        return v.item()
    try:
        from ._utils.mpctx import mpmath

        if isinstance(v, mpmath.mpf):
            return float(v)
    except ImportError:  # pragma: no cover
        pass
    return v


def print_pairs(rows, out=None):
    """Print ``name  value`` lines with the names aligned."""
    out = out or sys.stdout
    width = max(len(str(k)) for k, _ in rows)
    for k, v in rows:
        print(f"{str(k).ljust(width)}  {_fmt(v)}", file=out)


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


def _cmd_meanfield(args):
    import math

    from .dnn import critical_line

    net = _net_from_args(args)

    def attempt(fn):
        # a quantity that does not exist for this network (e.g. c* exactly at
        # the edge of chaos of relu) is reported with its reason, not hidden
        try:
            return fn()
        except FreealgError as exc:
            return f"undefined: {str(exc).splitlines()[0]}"

    scales = attempt(net.depth_scales)
    rows = [
        ("activation", args.activation),
        ("sigma_w", _num(net.sigma_w)),
        ("sigma_b", _num(net.sigma_b)),
        ("q*", _num(attempt(net.q_star))),
        ("chi", _num(attempt(net.chi))),
        ("phase", attempt(net.phase)),
        ("c*", _num(attempt(net.c_star))),
        ("xi_q", _num(scales.xi_q) if not isinstance(scales, str) else scales),
        ("xi_c", _num(scales.xi_c) if not isinstance(scales, str) else scales),
    ]
    try:
        from .dnn import critical_sigma_w

        rows.append(("critical sigma_w", _num(critical_sigma_w(args.activation, _float_or_exact(args.sigma_b)))))
    except FreealgError as exc:
        rows.append(("critical sigma_w", f"none ({str(exc).splitlines()[0]})"))
    if args.plot:
        import numpy as np

        from . import plot

        top = float(args.sigma_b) if float(args.sigma_b) > 0 else 1.0
        grid = np.linspace(0.0, 2.0 * top, 41)
        data = critical_line(args.activation, grid)
        ok = data["exists"]
        if not ok.any():
            raise _UsageError(f"meanfield --plot: {args.activation} has no edge of chaos on sigma_b in [0, {2 * top}]")
        ax = plot.plot_phase_diagram(data["sigma_b"][ok], data["sigma_w"][ok], label=f"{args.activation}: chi = 1")
        ax.plot([float(net.sigma_w)], [float(net.sigma_b)], "k*", ms=10)
        plot.savefig(ax, args.plot)
        rows.append(("plot", args.plot))
    if args.json:
        print(json.dumps({k: _jsonable(v if not (isinstance(v, float) and math.isinf(v)) else "inf")
                          for k, v in rows}))
    else:
        print_pairs(rows)
    return 0


def _cmd_moments(args):
    from . import cumulants as C

    if args.expression is not None:
        return _cmd_moment_expression(args)
    if not args.cumulants:
        raise _UsageError(
            "moments: give an expression and a network (`freealg moments \"tr((J J^T)^3)\" --depth 3`) "
            "or cumulants (`freealg moments --cumulants 1 1 1 1`)"
        )
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


def _model_and_names(args):
    if args.depth is None:
        raise _UsageError("moments EXPRESSION needs --depth (the network the letters J, W1.., D1.. refer to)")
    from .dnn.polynomials import free_model

    net = _net_from_args(args)
    return net, *free_model(net, q_in=args.q_in, symbolic=args.symbolic)


def _cmd_moment_expression(args):
    from ._latex import latex
    from ._parse import parse_expression
    from .ncpoly import Trace

    net, model, names = _model_and_names(args)
    expr = parse_expression(args.expression, names)
    if not isinstance(expr, Trace):
        raise _UsageError(f"{args.expression!r} is not a trace; wrap it in tr(...)")
    value = model.moment(expr)
    out = {"expression": args.expression, "network": repr(net), "value": _num(value)}
    try:
        out["float"] = float(value)
    except (TypeError, ValueError):
        pass
    if args.latex:
        out["latex"] = f"{latex(expr)} = {latex(value)}"
    if args.json:
        print(json.dumps(_jsonable(out)))
    else:
        print_pairs(list(out.items()))
    return 0


def _cmd_latex(args):
    from ._latex import latex
    from ._parse import parse_expression

    net, model, names = _model_and_names(args)
    expr = parse_expression(args.expression, names)
    text = latex(expr)
    if args.value:
        text = f"{text} = {latex(model.moment(expr))}"
    if args.json:
        print(json.dumps({"expression": args.expression, "latex": text}))
    else:
        print(text)
    return 0


class _Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal or
    ``--progress`` is given)."""

    def __init__(self, enabled, label):
        self.enabled = enabled
        self.label = label

    def __call__(self, done, total):
        if not self.enabled or not total:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _cmd_verify(args):
    from . import verify

    widths = tuple(args.widths)
    if any(w <= 0 for w in widths):
        raise _UsageError(f"--widths must be positive integers; got {list(widths)}")
    if args.trials <= 0:
        raise _UsageError(f"--trials must be a positive integer; got {args.trials}")
    progress = _Progress(args.progress or sys.stderr.isatty(), f"verify {args.claim}")
    sw = None if args.sigma_w is None else float(args.sigma_w)
    sb = float(args.sigma_b)
    if args.claim == "freeness":
        if sw is None:
            from .dnn import critical_sigma_w

            sw = float(critical_sigma_w(args.activation, sb))
        report = verify.check_asymptotic_freeness(
            args.init, args.activation, sigma_w=sw, sigma_b=sb, depth=args.depth or 2,
            widths=widths, trials=args.trials, rng=args.seed, progress=progress)
    elif args.claim == "two-layer-fim":
        if sw is None:
            from .dnn import critical_sigma_w

            sw = float(critical_sigma_w(args.activation, sb))
        report = verify.check_two_layer_fim(
            args.activation, sw, sb, init=args.init, widths=widths, trials=args.trials,
            rng=args.seed, progress=progress)
    else:
        if args.depth is None:
            args.depth = 2
        net = _net_from_args(args)
        if args.claim == "jacobian":
            report = verify.check_jacobian_spectrum(
                net, depths=tuple(args.depths or (net.depth,)), widths=widths, trials=args.trials,
                rng=args.seed, progress=progress)
        else:
            report = verify.check_fim_spectrum(net, widths=widths, trials=args.trials,
                                               rng=args.seed, progress=progress)
    if args.json:
        print(json.dumps(_jsonable(report.to_dict())))
    else:
        print(report)
    return 0 if report.passed else 1


def _cmd_spectrum(args):
    from .errors import InvalidArgumentError, NotAlgebraicError

    net = _net_from_args(args)
    law = net.jacobian_law(q_in=args.q_in)
    n = 4
    moments = [float(v) for v in law.moments(n)]
    rows = [("network", repr(net)), ("convention", net.jacobian_convention),
            ("chi", _num(net.chi())), ("phase", net.phase())]
    rows += [(f"m_{k + 1}", v) for k, v in enumerate(moments)]
    rows.append(("variance", float(law.variance())))
    rows.append(("variance, closed form (THEORY.md §5)", float(law.variance_closed_form())))
    rows.append(("atoms", [[float(a), float(m)] for a, m in law.atoms()]))
    out = dict(rows)
    try:
        curve = law.curve()
    except NotAlgebraicError:
        curve = None
        out["curve"] = (f"none: the law of {args.activation}'(h)^2 is continuous, not algebraic; "
                        "the moments above are exact up to quadrature and the density comes from "
                        "the functional-equation engine")
    if curve is not None:
        out["curve"] = f"{curve.polynomial} = 0"
        out["curve degree"] = curve.degree
        if args.latex:
            out["latex"] = curve.latex()
    if args.density or args.plot:
        out["support"] = [[float(a), float(b)] for a, b in law.support()]
        out["lambda_max"] = float(law.lambda_max())
        try:
            iso = law.isometry()
        except InvalidArgumentError as exc:
            out["dynamical isometry"] = f"none: {exc}"
        else:
            out["mass within 0.1 of 1"] = iso.mass_near_center
            out["atom at 0 (kernel of J)"] = iso.atom_at_zero
        if args.plot:
            import numpy as np

            from . import plot

            hi = out["lambda_max"]
            res = law.density(np.linspace(1e-6 * hi, hi * (1 - 1e-6), 400), strict=False)
            ax = plot.plot_density(res, label=f"J Jᵀ, L = {net.depth}")
            plot.savefig(ax, args.plot)
            out["plot"] = args.plot
            out["evidence ok"] = bool(res.evidence.ok)
    if args.json:
        print(json.dumps(_jsonable(out)))
    else:
        print_pairs(list(out.items()))
    return 0


def _cmd_fim(args):
    from .errors import NotAlgebraicError, TooLargeError
    from .laws import Bernoulli

    net = _net_from_args(args)
    law = net.fim_law(q_in=args.q_in)
    n = 4
    rows = [("network", repr(net)), ("q_l = |x_l|^2/M", [float(v) for v in law.q])]
    if all(isinstance(v, Bernoulli) for v in law.nus):
        rows.append(("alpha_l (active fraction)", [float(v.p) for v in law.nus]))
    else:
        rows.append(("E phi'(h_l)^2", [float(v.moments(1)[0]) for v in law.nus]))
    rows += [(f"m_{k + 1}", float(v)) for k, v in enumerate(law.moments(n))]
    rows.append(("mean", float(law.mean())))
    top = law.top_atom()
    if top is not None and top[1] != 0:
        rows += [("top atom", float(top[0])), ("top atom mass", float(top[1]))]
    else:
        why = ("Gaussian weights or a smooth activation" if top is None
               else "mass 1 - (L-1)(1-alpha) <= 0")
        rows.append(("top atom", f"none ({why}): lambda_max is a support edge"))
    rows.append(("atoms", [[float(a), float(m)] for a, m in law.atoms()]))
    rows.append(("support", [[float(a), float(b)] for a, b in law.support()]))
    lam = law.lambda_max()
    rows += [("lambda_max", lam), ("learning-rate bound 2/lambda_max", 2 / lam)]
    if args.latex:
        try:
            rows.append(("latex", law.curve().latex()))
        except (NotAlgebraicError, TooLargeError) as exc:
            rows.append(("latex", f"none: {exc}"))
    if args.json:
        print(json.dumps(_jsonable(dict(rows))))
    else:
        print_pairs(rows)
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
        help="limit moment of a trace in a network's Jacobians, or moments from cumulants",
        description="Either the large-width limit of a normalised trace of a polynomial in the "
        "network's letters J, W1..WL, D1..DL, Theta (one-sample FIM with symbolic q_l), I "
        "(e.g. `freealg moments \"tr((J J^T)^3)\" --depth 3 --activation hardtanh`), "
        "or moments m_1, m_2, ... from cumulants (`--cumulants 1 1 1`).",
    )
    m.add_argument("expression", nargs="?", default=None, help='a trace, e.g. "tr((J J^T)^2)"')
    m.add_argument("--cumulants", nargs="+", type=parse_number, metavar="K", help="kappa_1 kappa_2 ...")
    m.add_argument("--kind", choices=_KINDS, default="free", help="which cumulants (default: free)")
    m.add_argument("--q-in", type=float, default=None, help="input variance (default: every layer at q*)")
    m.add_argument("--symbolic", action="store_true", help="keep the laws of the D's symbolic (m_k(D1), ...)")
    m.add_argument("--latex", action="store_true", help="also print the identity in LaTeX")
    _add_net_args(m, depth_required=False)
    m.set_defaults(func=_cmd_moments)

    mf = sub.add_parser(
        "meanfield",
        parents=[common],
        help="mean-field theory: q*, chi, c*, depth scales, edge of chaos",
        description="Mean-field quantities of a random MLP (THEORY.md §4): the fixed point q*, "
        "chi (slope of the c-map at c = 1; order < 1 < chaos), c*, the depth scales and the "
        "critical sigma_w for the given sigma_b.",
    )
    _add_net_args(mf, depth_required=False)
    mf.set_defaults(depth=1)
    mf.add_argument("--plot", metavar="PNG", help="draw the order/chaos phase diagram to this file")
    mf.set_defaults(func=_cmd_meanfield)

    lx = sub.add_parser(
        "latex",
        parents=[common],
        help="LaTeX of a polynomial or trace in a network's letters",
        description="Print LaTeX for an expression in J, W1..WL, D1..DL, Theta, I.",
    )
    lx.add_argument("expression", help='e.g. "tr(Theta^2)"')
    lx.add_argument("--value", action="store_true", help="append = <its limit value>")
    lx.add_argument("--q-in", type=float, default=None, help=argparse.SUPPRESS)
    lx.add_argument("--symbolic", action="store_true", help="keep the laws of the D's symbolic")
    _add_net_args(lx, depth_required=True)
    lx.set_defaults(func=_cmd_latex)

    sp = sub.add_parser(
        "spectrum",
        parents=[common],
        help="spectrum of J Jᵀ for a network: curve, moments, support, atoms, density plot",
        description="The limit spectrum of J Jᵀ (THEORY.md §5; freealg.MLP.jacobian_law): the "
        "exact moments of the free multiplicative convolution of the layer laws, the variance "
        "against its closed form, the atoms, for relu / hard-tanh the algebraic curve "
        "P(z, G) = 0, and with --density / --plot the support, lambda_max, the "
        "dynamical-isometry summary and a certified density (functional-equation engine).",
    )
    _add_net_args(sp, depth_required=True)
    sp.add_argument("--q-in", type=float, default=None, help="input variance (default: every layer at q*)")
    sp.add_argument("--latex", action="store_true", help="print the curve in LaTeX")
    sp.add_argument("--density", action="store_true", help="also compute support and atoms (slower for deep nets)")
    sp.add_argument("--plot", metavar="PNG", help="draw the certified density to this file")
    sp.set_defaults(func=_cmd_spectrum)

    fm = sub.add_parser(
        "fim",
        parents=[common],
        help="one-sample Fisher information spectrum: moments, top atom, learning-rate bound",
        description="The non-zero spectrum of the one-sample conditional FIM, mu_{l+1} = "
        "(q_l + sigma_w^2 .)_*(nu_l ⊠ mu_l) (THEORY.md §6; freealg.MLP.fim_law), for any "
        "activation: exact moments, the mean, the atoms, the top atom t_L = q_{L-1} + "
        "sigma_w^2 t_{L-1} with mass 1 - (L-1)(1-alpha) (orthogonal relu / hard-tanh), the "
        "support, lambda_max and the learning-rate bound 2/lambda_max.",
    )
    _add_net_args(fm, depth_required=True)
    fm.add_argument("--q-in", type=float, default=None, help="q_0 = |x_0|^2/M (default: input at the fixed point)")
    fm.add_argument("--latex", action="store_true",
                    help="print the spectral curve (relu / hard-tanh; the closed form at depth 3)")
    fm.set_defaults(func=_cmd_fim)

    v = sub.add_parser(
        "verify",
        parents=[common],
        help="check a theoretical claim against finite-width simulation",
        description="Sample finite-width networks and compare with the free-probability "
        "prediction, with standard errors, z-scores and the fitted rate of convergence in "
        "the width. Exit status 1 if the check fails.",
    )
    v.add_argument("claim", choices=("freeness", "jacobian", "fim", "two-layer-fim"),
                   help="asymptotic freeness of layerwise Jacobians (mixed moments of W's and D's "
                   "from actual networks), Jacobian spectrum, one-sample FIM spectrum and top atom, "
                   "or the two-hidden-layer FIM closed form")
    v.add_argument("--widths", type=int, nargs="+", default=[50, 100, 200], help="network widths N")
    v.add_argument("--trials", type=int, default=8, help="networks sampled per width")
    v.add_argument("--depths", type=int, nargs="+", default=None, help="depths (jacobian claim)")
    v.add_argument("--seed", type=int, default=0, help="random seed")
    v.add_argument("--progress", action="store_true", help="show a progress bar even when not on a terminal")
    _add_net_args(v, depth_required=False)
    v.set_defaults(func=_cmd_verify)

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
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        sys.stderr.close()
        return 0
    except _UsageError as exc:
        parser.exit(2, f"freealg: error: {exc}\n")
    except FreealgError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        parser.exit(2, f"freealg: error: {msg}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
