"""The ``freealg`` subcommands on moment sequences and traces: ``cumulants``,
``moments`` (from cumulants, or the limit moment of a trace in a network) and
``latex``."""

from __future__ import annotations
from ._args import _UsageError, _net_from_args
from ._output import _document, _dumps, _num, _value, _values, print_pairs, print_table




_KINDS = ("free", "boolean", "classical")


def _cmd_cumulants(args):
    from .. import cumulants as C

    fn = {
        "free": C.free_cumulants,
        "boolean": C.boolean_cumulants,
        "classical": C.classical_cumulants,
    }[args.kind]
    kappa = fn(args.moments)
    if args.json:
        print(_dumps(_document("cumulants", {"kind": args.kind, "moments": _values(args.moments),
                                               "cumulants": _values(kappa)})))
    else:
        name = {"free": "kappa_n", "boolean": "b_n", "classical": "c_n"}[args.kind]
        print_table(["n", "m_n", name], [(i + 1, m, k) for i, (m, k) in enumerate(zip(args.moments, kappa))])
    return 0


def _cmd_moments(args):
    from .. import cumulants as C

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
        print(_dumps(_document("moments", {"kind": args.kind, "cumulants": _values(args.cumulants),
                                             "moments": _values(moments)})))
    else:
        name = {"free": "kappa_n", "boolean": "b_n", "classical": "c_n"}[args.kind]
        print_table(["n", name, "m_n"], [(i + 1, k, m) for i, (k, m) in enumerate(zip(args.cumulants, moments))])
    return 0


def _model_and_names(args):
    if args.depth is None:
        raise _UsageError("moments EXPRESSION needs --depth (the network the letters J, W1.., D1.. refer to)")
    from ..dnn.polynomials import free_model

    net = _net_from_args(args)
    return net, *free_model(net, q_in=args.q_in, symbolic=args.symbolic)


def _cmd_moment_expression(args):
    from ..printing import latex
    from ..nc.parser import parse_expression
    from ..nc.ncpoly import Trace

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
        doc = {"expression": args.expression, "network": repr(net), "value": _value(value)}
        if args.latex:
            doc["latex"] = out["latex"]
        print(_dumps(_document("moments", doc)))
    else:
        print_pairs(list(out.items()))
    return 0


def _cmd_latex(args):
    from ..printing import latex
    from ..nc.parser import parse_expression

    net, model, names = _model_and_names(args)
    expr = parse_expression(args.expression, names)
    text = latex(expr)
    if args.value:
        text = f"{text} = {latex(model.moment(expr))}"
    if args.json:
        print(_dumps(_document("latex", {"expression": args.expression, "latex": text})))
    else:
        print(text)
    return 0
