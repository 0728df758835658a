"""The ``freealg`` subcommands on moment sequences and traces: ``cumulants``,
``moments`` (from cumulants, or the limit moment of a trace in a network) and
``latex``."""

from __future__ import annotations
from ._args import _UsageError, _net_from_args
from ._output import _document, _dumps, _num, _value, _values, print_pairs, print_table




_KINDS = ("free", "boolean", "classical")


#: per kind: the name of the cumulants in the table, and the two conversions
_CONVERSIONS = {
    "free": ("kappa_n", "free_cumulants", "moments_from_free_cumulants"),
    "boolean": ("b_n", "boolean_cumulants", "moments_from_boolean_cumulants"),
    "classical": ("c_n", "classical_cumulants", "moments_from_classical_cumulants"),
}


def _convert(args, given, to_cumulants):
    """Print the cumulants of the moments ``given`` (``to_cumulants``), or the
    moments of the cumulants ``given``, of ``args.kind``: a table, or JSON."""
    from .. import cumulants as C

    name, forward, backward = _CONVERSIONS[args.kind]
    result = getattr(C, forward if to_cumulants else backward)(given)
    src, dst = ("moments", "cumulants") if to_cumulants else ("cumulants", "moments")
    if args.json:
        print(_dumps(_document(dst, {"kind": args.kind, src: _values(given), dst: _values(result)})))
    else:
        heads = ["m_n", name] if to_cumulants else [name, "m_n"]
        print_table(["n", *heads], [(i + 1, a, b) for i, (a, b) in enumerate(zip(given, result))])
    return 0


def _cmd_cumulants(args):
    return _convert(args, args.moments, True)


def _cmd_moments(args):
    if args.expression is not None:
        return _cmd_moment_expression(args)
    if not args.cumulants:
        raise _UsageError(
            "moments: give an expression and a network (`freealg moments \"tr((J J^T)^3)\" --depth 3`) "
            "or cumulants (`freealg moments --cumulants 1 1 1 1`)"
        )
    return _convert(args, args.cumulants, False)


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
