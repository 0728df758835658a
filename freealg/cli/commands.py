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

from .._version import __version__
from ..errors import FloatRangeError, FreealgError

__all__ = ["main", "build_parser"]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

#: Largest network width ``verify`` simulates (a width-N float64 matrix takes
#: 8 N^2 bytes and a check keeps several per layer and trial).
MAX_WIDTH = 4096
#: Largest number of sampled networks per width in ``verify``.
MAX_TRIALS = 10_000


class _UsageError(Exception):
    """A command-line usage error (argparse's or a command's own)."""


class _NonFiniteError(Exception):
    """A result to be printed is NaN or infinite."""


def parse_number(text, name="value"):
    """Parse a number typed on the command line (no code is ever evaluated).

    ``3`` is an int, ``-1/2`` an exact ``Fraction``, ``0.25`` / ``1e-3`` a
    float, ``sqrt(2)`` an exact sympy number; see
    :func:`freealg._utils.safeparse.parse_number` for the grammar and bounds.

    Examples
    --------
    >>> parse_number("-1/2"), parse_number("1e-3")
    (Fraction(-1, 2), 0.001)
    """
    from .._utils.safeparse import parse_number as _parse

    return _parse(text, name)


def _parse_int(text, name, minimum, maximum, hint=""):
    """An integer option: ``12``, also an integral ``1e3`` (exactly 1000)."""
    from .._utils.validate import check_int

    value = parse_number(text, name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    return check_int(value, name, minimum=minimum, maximum=maximum, hint=hint)


def _parse_real(text, name, **bounds):
    from .._utils.validate import check_real

    return check_real(parse_number(text, name), name, **bounds)


def _convert_args(args):
    """Turn the raw text of every numeric option into a checked number.

    Every numeric option is declared ``type=str`` and converted here, in one
    place, by the whitelisted parser: bad text raises
    :class:`~freealg.errors.InvalidArgumentError`, a size that would not
    finish :class:`~freealg.errors.TooLargeError`, before any work.
    """
    from .._utils.validate import MAX_DEPTH

    depth_hint = f"networks deeper than {MAX_DEPTH} layers are not supported"
    conv = {
        "depth": lambda t: _parse_int(t, "--depth", 1, MAX_DEPTH, depth_hint),
        "sigma_w": lambda t: _parse_real(t, "--sigma-w", positive=True),
        "sigma_b": lambda t: _parse_real(t, "--sigma-b", nonnegative=True),
        "q_in": lambda t: _parse_real(t, "--q-in", nonnegative=True),
        "moments": lambda ts: [_parse_real(t, f"m_{i + 1}") for i, t in enumerate(ts)],
        "cumulants": lambda ts: [_parse_real(t, f"kappa_{i + 1}") for i, t in enumerate(ts)],
        "widths": lambda ts: [_parse_int(t, "--widths", 1, MAX_WIDTH,
                                         f"a width-N simulation stores N x N float64 matrices "
                                         f"({MAX_WIDTH} x {MAX_WIDTH} is 128 MiB each); use "
                                         "widths up to a few thousand and read the convergence rate")
                              for t in ts],
        "trials": lambda t: _parse_int(t, "--trials", 1, MAX_TRIALS),
        "jobs": lambda t: _parse_int(t, "--jobs", -1, 4096),
        "depths": lambda ts: [_parse_int(t, "--depths", 1, MAX_DEPTH, depth_hint) for t in ts],
        "seed": lambda t: _parse_int(t, "--seed", 0, 2**128 - 1),
        "q0": lambda t: _parse_real(t, "--q0", nonnegative=True),
        "n_moments": lambda t: _parse_int(t, "--n-moments", 1, 200,
                                          "high empirical moments are dominated by the largest "
                                          "eigenvalue"),
    }
    for dest, fn in conv.items():
        raw = getattr(args, dest, None)
        if isinstance(raw, str) or (isinstance(raw, list) and raw and isinstance(raw[0], str)):
            setattr(args, dest, fn(raw))


def _check_output_path(path, option="--plot"):
    """Refuse an output file that cannot be written, before any work."""
    import os

    from ..errors import InvalidArgumentError

    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise InvalidArgumentError(f"{option} {path!r} is a directory; give a file name such as plot.png")
    if not os.path.isdir(folder):
        raise InvalidArgumentError(
            f"{option} {path!r}: the directory {folder!r} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK) or (os.path.exists(target)
                                                   and not os.access(target, os.W_OK)):
        raise InvalidArgumentError(f"{option} {path!r} is not writable (permission denied)")
    ext = os.path.splitext(target)[1].lstrip(".").lower()
    from matplotlib.figure import Figure

    formats = Figure().canvas.get_supported_filetypes()
    if ext not in formats:
        raise InvalidArgumentError(
            f"{option} {path!r}: unknown image format {ext!r}; use one of "
            f"{', '.join(sorted(formats))} (e.g. plot.png)")


def _finite(v, where=""):
    if isinstance(v, float) and not math.isfinite(v):
        raise _NonFiniteError(
            f"the result{' ' + where if where else ''} is {v}, not a finite number: the "
            "computation overflowed or is undefined for these inputs (try smaller or exact "
            "inputs, e.g. 1/2 instead of 0.5)")
    return v


def _fmt(v, inner=False):
    v = _scalar(v)
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, float):
        return repr(_finite(v)) if inner else f"{_finite(v):.15g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x, True) for x in v) + "]"
    return str(v)


def _scalar(v):
    """numpy / mpmath / sympy numbers as Python numbers (exact kinds kept)."""
    if isinstance(v, (bool, int, float, str, Fraction)) or v is None:
        return v
    try:
        import sympy

        if isinstance(v, sympy.Basic):
            if v.is_number:
                if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                    return _finite(float("nan"))
                if v.is_Integer:
                    return int(v)
                if v.is_Rational:
                    return Fraction(int(v.p), int(v.q))
            return v
    except ImportError:  # pragma: no cover
        pass
    from .._utils.mpctx import mpmath
    if isinstance(v, mpmath.mpf):
        return _finite(float(v)) if mpmath.isfinite(v) else _finite(float("nan"))
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        return _scalar(v.item())
    return v


def _jsonable(v):
    v = _scalar(v)
    if isinstance(v, Fraction):
        return _fmt(v)
    if isinstance(v, float):
        return _finite(v)
    if isinstance(v, (int, str, bool)) or v is None:
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


#: Version of the ``--json`` document layout (docs/cli.md, "JSON output").
#: Bumped on any incompatible change of keys or value shapes.
SCHEMA_VERSION = 1

_SNAKE = None


def _snake_key(key):
    """A JSON key in snake_case: ``"1/N^2"`` -> ``"inv_n2"``, ``"finite_N"``
    -> ``"finite_n"`` (the report keys are mapped, display strings are
    never keys)."""
    import re

    global _SNAKE
    if _SNAKE is None:
        _SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
    key = str(key)
    if _SNAKE.match(key):
        return key
    special = {"1/N": "inv_n", "1/N^2": "inv_n2"}
    if key in special:
        return special[key]
    out = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    if not out or not out[0].isalpha():
        out = "k_" + out
    return out


def _value(v, note=None):
    """A number in the JSON schema: ``{"exact": str | null, "float": number | null}``.

    ``exact`` is the exact value as text (``"3"``, ``"-1/2"``, ``"sqrt(2)"``,
    a symbolic expression) when the value is exact, else null; ``float`` is
    its float64 value when it is a finite real number, else null.  ``"oo"``
    is +infinity (a depth scale at the edge of chaos).  A quantity that does
    not exist is ``{"exact": null, "float": null, "note": why}``.

    Examples
    --------
    >>> _value(Fraction(1, 2)), _value(0.25)
    ({'exact': '1/2', 'float': 0.5}, {'exact': None, 'float': 0.25})
    """
    if note is not None:
        return {"exact": None, "float": None, "note": str(note)}
    if isinstance(v, str):
        if v.startswith(("undefined", "none")):
            return {"exact": None, "float": None, "note": v}
        return {"exact": v, "float": None}
    v = _scalar_exact(v)
    if isinstance(v, bool):
        return {"exact": str(v).lower(), "float": None}
    if isinstance(v, (int, Fraction)):
        try:
            f = float(v)
        except OverflowError:  # exact, beyond float64: the exact text is the value
            f = None
        return {"exact": _fmt(v), "float": f}
    if isinstance(v, float):
        if math.isinf(v) and v > 0:
            return {"exact": "oo", "float": None}
        return {"exact": None, "float": _finite(v)}
    try:
        import sympy

        if isinstance(v, sympy.Basic):
            if v.has(sympy.nan, sympy.zoo, -sympy.oo):
                _finite(float("nan"))
            if v == sympy.oo:
                return {"exact": "oo", "float": None}
            if v.is_number and v.is_real is not False:
                try:
                    f = float(v)
                except (TypeError, OverflowError):
                    f = None
                return {"exact": str(v), "float": f if f is None or math.isfinite(f) else None}
            return {"exact": str(v), "float": None}
    except ImportError:  # pragma: no cover
        pass
    return {"exact": str(v), "float": None}


def _scalar_exact(v):
    """numpy / mpmath scalars as Python numbers; sympy numbers kept (exact)."""
    if isinstance(v, (bool, int, float, str, Fraction)) or v is None:
        return v
    from .._utils.mpctx import mpmath

    if isinstance(v, mpmath.mpf):
        return float(v) if mpmath.isfinite(v) else _finite(float("nan")) if mpmath.isnan(v) else float(v)
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        return _scalar_exact(v.item())
    return v


def _values(seq):
    return [_value(v) for v in seq]


def _atoms_json(atoms):
    return [{"location": _value(a), "mass": _value(m)} for a, m in atoms]


def _schema(obj, parent=""):
    """A report dict in the schema: snake_case keys everywhere; a dict keyed
    by widths (or depths) becomes a list of objects with a ``width`` (or
    ``depth``) field; NaN is refused."""
    obj = _scalar(obj)
    if isinstance(obj, dict):
        keys = list(obj)
        if keys and all(isinstance(k, int) or (isinstance(k, str) and k.isdigit()) for k in keys):
            name = "depth" if parent == "depths" else "width"
            out = []
            for k in keys:
                item = _schema(obj[k], parent)
                out.append({name: int(k), **item} if isinstance(item, dict) else
                           {name: int(k), "value": item})
            return out
        return {_snake_key(k): _schema(x, _snake_key(k)) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_schema(x, parent) for x in obj]
    return _jsonable(obj)


def _document(command, payload):
    """The ``--json`` document: ``{"schema_version": 1, "command": ..., ...}``."""
    doc = {"schema_version": SCHEMA_VERSION, "command": command}
    doc.update(_schema(payload))
    return doc


def _dumps(obj):
    """JSON text of ``obj``; NaN and infinities are refused (never bare NaN)."""
    try:
        return json.dumps(_jsonable(obj), allow_nan=False)
    except ValueError as exc:  # pragma: no cover - _jsonable refuses them first
        raise _NonFiniteError(f"the result is not valid JSON: {exc}") from None


def print_table(headers, rows, out=None):
    """Print right-aligned columns."""
    out = out or sys.stdout
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for r in cells:
        print(" " + "   ".join(c.rjust(w) for c, w in zip(r, widths)), file=out)


def _add_net_args(p, depth_required=True):
    g = p.add_argument_group("network")
    g.add_argument("--depth", "-L", type=str, required=depth_required, metavar="L",
                   help="number of layers L")
    g.add_argument("--activation", default="relu",
                   help="linear, relu, leaky_relu, hardtanh, tanh, erf, sigmoid, silu, gelu (default relu)")
    g.add_argument("--init", choices=("orthogonal", "gaussian", "glorot_uniform", "glorot_normal"),
                   default="orthogonal",
                   help="weight initialisation (default orthogonal)")
    g.add_argument("--sigma-w", type=str, default=None, metavar="NUMBER",
                   help="weight scale sigma_w: 1.5, 3/2, sqrt(2), 2*sqrt(2)/3, 1e-3 "
                   "(default: the critical value for --sigma-b)")
    g.add_argument("--sigma-b", type=str, default=0, metavar="NUMBER",
                   help="bias scale sigma_b (default 0)")
    g.add_argument("--convention", choices=("seed", "psg"), default="seed",
                   help="Jacobian convention: seed J = W_L D_{L-1}...W_1 (default), psg J = D_L W_L...D_1 W_1")


def _net_from_args(args):
    from ..dnn import MLP, critical_sigma_w

    sw = args.sigma_w
    if sw is None:
        sw = critical_sigma_w(args.activation, _float_or_exact(args.sigma_b))
    return MLP(args.depth, args.activation, init=args.init, sigma_w=_float_or_exact(sw),
               sigma_b=_float_or_exact(args.sigma_b), jacobian_convention=args.convention)


def _float_or_exact(v):
    """Exact input stays exact: an integral Fraction becomes an int, other
    Fractions are kept (the library takes them), floats stay floats."""
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
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
        from .._utils.mpctx import mpmath

        if isinstance(v, mpmath.mpf):
            return float(v)
    except ImportError:  # pragma: no cover
        pass
    return v


def _num_keep(v):
    """Like :func:`_num`, but an exact sympy number (``sqrt(2)``) is kept for
    the JSON ``exact`` field (tables print it through :func:`_num`)."""
    try:
        import sympy
    except ImportError:  # pragma: no cover
        sympy = None
    if sympy is not None and isinstance(v, sympy.Basic) and v.is_number and not v.is_Rational:
        return v
    return _num(v)


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


def _depth_scale(v):
    v = _num(v)
    return "inf" if isinstance(v, float) and v == math.inf else v


def _cmd_meanfield(args):
    from ..dnn import critical_line

    net = _net_from_args(args)

    def attempt(fn):
        # a quantity that does not exist for this network (e.g. c* exactly at
        # the edge of chaos of relu) is reported with its reason, not hidden
        try:
            return fn()
        except FloatRangeError:
            raise  # the inputs are out of the float range: an error, not an undefined value
        except FreealgError as exc:
            return f"undefined: {str(exc).splitlines()[0]}"

    scales = attempt(net.depth_scales)
    rows = [
        ("activation", args.activation),
        ("sigma_w", _num_keep(net.sigma_w)),
        ("sigma_b", _num_keep(net.sigma_b)),
        ("q*", _num_keep(attempt(net.q_star))),
        ("chi", _num_keep(attempt(net.chi))),
        ("phase", attempt(net.phase)),
        ("c*", _num_keep(attempt(net.c_star))),
        # a depth scale is infinite at the edge of chaos: that is the result, said in words
        ("xi_q", _num(scales.xi_q) if not isinstance(scales, str) else scales),
        ("xi_c", _num(scales.xi_c) if not isinstance(scales, str) else scales),
    ]
    try:
        from ..dnn import critical_sigma_w

        rows.append(("critical sigma_w", _num_keep(critical_sigma_w(args.activation,
                                                                      _float_or_exact(args.sigma_b)))))
    except FreealgError as exc:
        rows.append(("critical sigma_w", f"none ({str(exc).splitlines()[0]})"))
    if args.plot:
        import numpy as np

        from .. import plot

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
    # an infinite q* (unbounded activation in the chaotic phase) or depth scale
    # (at the edge of chaos) is the answer, printed as the word "inf"; NaN is refused
    if args.json:
        keys = {"q*": "q_star", "c*": "c_star", "critical sigma_w": "critical_sigma_w"}
        out = {}
        for k, v in rows:
            key = keys.get(k, k)
            out[key] = v if key in ("activation", "phase", "plot") else _value(v)
        print(_dumps(_document("meanfield", out)))
        return 0
    rows = [(k, _depth_scale(v)) for k, v in rows]
    # in the table an infinite value says what it means (a bare "inf" reads like an overflow)
    print_pairs([(k, "∞ (diverges)" if v == "inf" else v) for k, v in rows])
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


def _cmd_verify(args):
    from .. import verify

    widths = tuple(args.widths)
    if any(w <= 0 for w in widths):
        raise _UsageError(f"--widths must be positive integers; got {list(widths)}")
    if args.trials is not None and args.trials <= 0:
        raise _UsageError(f"--trials must be a positive integer; got {args.trials}")
    from .._utils.progress import ProgressCallback

    # tqdm bar: on in a terminal, forced by --progress, off with --no-progress
    progress = ProgressCallback(f"verify {args.claim}",
                                progress=False if args.no_progress else (True if args.progress else None))
    # exact parameters stay exact (sqrt(2), 3/2): the two-layer closed form is
    # then built from them, not from float(sqrt(2))**2 = 2.0000000000000004
    sb = _float_or_exact(args.sigma_b)
    sw = None if args.sigma_w is None else _float_or_exact(args.sigma_w)
    # q0 and n_moments only when given: each check keeps its own default
    # (q0 = 1; the Jacobian check's input at the fixed point)
    extra = {} if args.q0 is None else {"q0": _float_or_exact(args.q0)}
    if sw is None and args.claim in ("freeness", "two-layer-fim"):
        from ..dnn import critical_sigma_w

        sw = critical_sigma_w(args.activation, sb)
    common = dict(widths=widths, rng=args.seed, progress=progress)
    if args.trials is not None:
        common["trials"] = args.trials
    if args.jobs is not None:
        if args.claim == "freeness":
            raise _UsageError("--jobs applies to the jacobian, fim and two-layer-fim checks")
        common["n_jobs"] = args.jobs
    if args.cache_dir is not None:
        if args.claim == "freeness":
            raise _UsageError("--cache-dir applies to the jacobian, fim and two-layer-fim checks")
        common["cache_dir"] = args.cache_dir
    moments = {} if args.n_moments is None else {"n_moments": args.n_moments}
    if args.claim == "freeness":
        report = verify.check_asymptotic_freeness(
            args.init, args.activation, sigma_w=sw, sigma_b=sb, depth=args.depth or 2,
            **extra, **common)
    elif args.claim == "two-layer-fim":
        if args.depth not in (None, 3):
            raise _UsageError(f"verify two-layer-fim is the depth-3 network; got --depth {args.depth} "
                              "(use `verify fim --depth L` for other depths)")
        report = verify.check_two_layer_fim(
            args.activation, sw, sb, init=args.init, with_density=not args.no_density,
            **extra, **moments, **common)
    else:
        if args.depth is None:
            args.depth = 2
        net = _net_from_args(args)
        if args.claim == "jacobian":
            report = verify.check_jacobian_spectrum(
                net, depths=tuple(args.depths or (net.depth,)), **extra, **moments, **common)
        else:
            report = verify.check_fim_spectrum(net, **extra, **moments, **common)
    if args.json:
        print(_dumps(_document("verify", dict(report.to_dict(), check=args.claim))))
    else:
        print(report)
    return 0 if report.passed else 1


#: Deepest network whose algebraic Jacobian curve ``spectrum`` eliminates.
_CURVE_MAX_DEPTH = 256


def _cmd_spectrum(args):
    from ..errors import InvalidArgumentError, NotAlgebraicError

    net = _net_from_args(args)
    law = net.jacobian_law(q_in=args.q_in)
    n = 4
    exact_moments = law.moments(n)
    num = _text_valuer(net, args.q_in)
    moments = [num(v) for v in exact_moments]
    rows = [("network", repr(net)), ("convention", net.jacobian_convention),
            ("chi", num(net.chi())), ("phase", net.phase())]
    rows += [(f"m_{k + 1}", v) for k, v in enumerate(moments)]
    rows.append(("variance", num(law.variance())))
    rows.append(("variance, closed form", num(law.variance_closed_form())))
    rows.append(("atoms", [[num(a), num(m)] for a, m in law.atoms()]))
    out = dict(rows)
    try:
        if net.depth > _CURVE_MAX_DEPTH:
            # the curve's degree grows with the depth and its elimination about
            # like depth^3 (depth 400 takes ~40 s): say so instead of hanging
            out["curve"] = (f"not computed for depth {net.depth} > {_CURVE_MAX_DEPTH}: its degree grows "
                            "with the depth (the moments above do not need it)")
            curve = None
        else:
            # float data (decimal options, mean-field q's): the curve of the floats'
            # exact binary values, and the output says so
            curve = law.curve(exact=True)
            if law.float_kind:
                out["curve note"] = ("float parameters: the curve of their exact binary values "
                                     "(sympy.Rational(float)); give exact numbers (13/10, sqrt(2)) "
                                     "for the curve at those")
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

            from .. import plot

            hi = out["lambda_max"]
            res = law.density(np.linspace(1e-6 * hi, hi * (1 - 1e-6), 400), strict=False)
            ax = plot.plot_density(res, label=f"J Jᵀ, L = {net.depth}")
            plot.savefig(ax, args.plot)
            out["plot"] = args.plot
            out["evidence ok"] = bool(res.evidence.ok)
    if args.json:
        print(_dumps(_document("spectrum", _spectrum_json(out, law, exact_moments, net, args.q_in))))
    else:
        print_pairs(list(out.items()))
    return 0


def _exact_valuer(net, q_in=None):
    """``_value``, or ``_value`` of the float when the network's numbers are
    not exact: a float parameter (``--sigma-w 1.2``) or an activation whose
    ``phi'(h)^2`` law has irrational parameters (hard-tanh's ``erf``, smooth
    activations), which the library carries as rationals of float64 values --
    their digits are not an exact result."""
    from ..activations import get_activation

    act = net.activation if not isinstance(net.activation, str) else get_activation(net.activation)
    exact = (not any(isinstance(v, float) for v in (net.sigma_w, net.sigma_b, q_in))
             and getattr(act, "name", "") in ("linear", "relu"))
    if exact:
        return _value

    def as_float(v):
        v = _scalar_exact(v)
        if isinstance(v, str):
            return _value(v)
        try:
            return _value(float(v))
        except (TypeError, ValueError):
            return _value(v)

    return as_float


def _text_valuer(net, q_in=None):
    """The text-table form of a number: exact (``81/32``, ``sqrt(2)``) when the
    network's numbers are exact (the criterion of :func:`_exact_valuer`), else
    a float -- never the float of an exact value."""
    if _exact_valuer(net, q_in) is not _value:
        return lambda v: float(v)

    def exact(v):
        v = _scalar(v)
        if isinstance(v, (list, tuple)):
            return [exact(u) for u in v]
        if isinstance(v, (int, Fraction, float)):
            return v
        return str(v) if getattr(v, "is_number", False) else v

    return exact


_TEXT_KEYS = ("network", "convention", "phase", "curve", "latex", "plot", "dynamical_isometry")


def _spectrum_json(out, law, exact_moments, net, q_in):
    """The ``spectrum`` rows in the JSON schema (exact moments and atoms)."""
    _value = _exact_valuer(net, q_in)

    def _values(seq):
        return [_value(v) for v in seq]

    def _atoms_json(atoms):
        return [{"location": _value(a), "mass": _value(m)} for a, m in atoms]

    keys = {"variance, closed form": "variance_closed_form", "curve degree": "curve_degree",
            "dynamical isometry": "dynamical_isometry", "mass within 0.1 of 1": "mass_near_1",
            "atom at 0 (kernel of J)": "atom_at_zero", "evidence ok": "evidence_ok",
            "curve note": "curve_note"}
    doc = {}
    for k, v in out.items():
        key = keys.get(k, k)
        if key.startswith("m_"):
            doc.setdefault("moments", _values(exact_moments))
        elif key == "atoms":
            doc["atoms"] = _atoms_json(law.atoms())
        elif key == "curve" and str(v).startswith(("none", "not computed")):
            doc["curve"] = None
            doc["curve_note"] = v
        elif key in _TEXT_KEYS or key in ("evidence_ok", "curve_degree", "curve_note"):
            doc[key] = v
        elif key == "support":
            doc[key] = [[float(a), float(b)] for a, b in v]
        else:
            doc[key] = _value(v)
    return doc


def _cmd_fim(args):
    from ..errors import NotAlgebraicError, TooLargeError
    from ..laws import Bernoulli

    net = _net_from_args(args)
    law = net.fim_law(q_in=args.q_in)
    n = 4
    num = _text_valuer(net, args.q_in)
    rows = [("network", repr(net)), ("q_l = |x_l|^2/M", [num(v) for v in law.q])]
    if all(isinstance(v, Bernoulli) for v in law.nus):
        rows.append(("alpha_l (active fraction)", [num(v.p) for v in law.nus]))
    else:
        rows.append(("E phi'(h_l)^2", [float(v.moments(1)[0]) for v in law.nus]))
    rows += [(f"m_{k + 1}", num(v)) for k, v in enumerate(law.moments(n))]
    rows.append(("mean", num(law.mean())))
    top = law.top_atom()
    if top is not None and top[1] != 0:
        rows += [("top atom", num(top[0])), ("top atom mass", num(top[1]))]
    else:
        why = ("Gaussian weights or a smooth activation" if top is None
               else "mass 1 - (L-1)(1-alpha) <= 0")
        rows.append(("top atom", f"none ({why}): lambda_max is a support edge"))
    rows.append(("atoms", [[num(a), num(m)] for a, m in law.atoms()]))
    rows.append(("support", [[float(a), float(b)] for a, b in law.support()]))
    lam = law.lambda_max()
    rows += [("lambda_max", lam), ("learning-rate bound 2/lambda_max", 2 / lam)]
    if args.latex:
        try:
            rows.append(("latex", law.curve(exact=True).latex()))
        except (NotAlgebraicError, TooLargeError) as exc:
            rows.append(("latex", f"none: {exc}"))
    if args.json:
        print(_dumps(_document("fim", _fim_json(rows, law, net, args.q_in))))
    else:
        print_pairs(rows)
    return 0


def _fim_json(rows, law, net, q_in):
    """The ``fim`` rows in the JSON schema (exact q_l, moments, atoms)."""
    _value = _exact_valuer(net, q_in)

    def _values(seq):
        return [_value(v) for v in seq]

    def _atoms_json(atoms):
        return [{"location": _value(a), "mass": _value(m)} for a, m in atoms]

    doc = {}
    for k, v in rows:
        if k == "network" or k == "latex":
            doc[k] = v
        elif k.startswith("q_l"):
            doc["q"] = _values(law.q)
        elif k.startswith("alpha_l"):
            doc["alpha"] = _values(v.p for v in law.nus)
        elif k.startswith("E phi'"):
            doc["e_dphi2"] = _values(v)
        elif k.startswith("m_"):
            doc.setdefault("moments", _values(law.moments(4)))
        elif k == "mean":
            doc["mean"] = _value(law.mean())
        elif k == "top atom":
            top = law.top_atom()
            if isinstance(v, str):
                doc["top_atom"] = None
                doc["top_atom_note"] = v
            else:
                doc["top_atom"] = {"location": _value(top[0]), "mass": _value(top[1])}
        elif k == "atoms":
            doc["atoms"] = _atoms_json(law.atoms())
        elif k == "support":
            doc["support"] = [[float(a), float(b)] for a, b in v]
        elif k == "lambda_max":
            doc["lambda_max"] = _value(v)
        elif k.startswith("learning-rate bound"):
            doc["learning_rate_bound"] = _value(v)
    return doc


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


def _is_fraction(text):
    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    return True


def build_parser():
    """The argument parser of the ``freealg`` command."""
    p = _Parser(
        prog="freealg",
        description="Free probability for deep neural networks: exact moments and "
        "cumulants, spectral curves, certified densities.",
    )
    p.add_argument("--version", action="version", version=f"freealg {__version__}")
    debug_help = "on an internal error, print its traceback (also FREEALG_DEBUG=1)"
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true",
                        help="print JSON instead of a table (an error is then also a JSON "
                        "object {\"error\": {\"type\": ..., \"message\": ...}})")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)

    c = sub.add_parser(
        "cumulants",
        parents=[common],
        help="cumulants of a moment sequence",
        description="Cumulants of the moment sequence m_1, m_2, ... (exact rationals as 1/2).",
    )
    c.add_argument("moments", nargs="+", type=str, metavar="M", help="m_1 m_2 ... (3, 1/2, 0.25)")
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
    m.add_argument("--cumulants", nargs="+", type=str, metavar="K", help="kappa_1 kappa_2 ...")
    m.add_argument("--kind", choices=_KINDS, default="free", help="which cumulants (default: free)")
    m.add_argument("--q-in", type=str, default=None, help="input variance (default: every layer at q*)")
    m.add_argument("--symbolic", action="store_true", help="keep the laws of the D's symbolic (m_k(D1), ...)")
    m.add_argument("--latex", action="store_true", help="also print the identity in LaTeX")
    _add_net_args(m, depth_required=False)
    m.set_defaults(func=_cmd_moments)

    mf = sub.add_parser(
        "meanfield",
        parents=[common],
        help="mean-field theory: q*, chi, c*, depth scales, edge of chaos",
        description="Mean-field quantities of a random MLP [PLR+16, SGGS17]: the fixed point q*, "
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
    lx.add_argument("--q-in", type=str, default=None, help=argparse.SUPPRESS)
    lx.add_argument("--symbolic", action="store_true", help="keep the laws of the D's symbolic")
    _add_net_args(lx, depth_required=True)
    lx.set_defaults(func=_cmd_latex)

    sp = sub.add_parser(
        "spectrum",
        parents=[common],
        help="spectrum of J Jᵀ for a network: curve, moments, support, atoms, density plot",
        description="The limit spectrum of J Jᵀ ([PSG17, PSG18]; freealg.MLP.jacobian_law): the "
        "exact moments of the free multiplicative convolution of the layer laws, the variance "
        "against its closed form, the atoms, for relu / hard-tanh the algebraic curve "
        "P(z, G) = 0, and with --density / --plot the support, lambda_max, the "
        "dynamical-isometry summary and a certified density (functional-equation engine).",
    )
    _add_net_args(sp, depth_required=True)
    sp.add_argument("--q-in", type=str, default=None, help="input variance (default: every layer at q*)")
    sp.add_argument("--latex", action="store_true", help="print the curve in LaTeX")
    sp.add_argument("--density", action="store_true", help="also compute support and atoms (slower for deep nets)")
    sp.add_argument("--plot", metavar="PNG", help="draw the certified density to this file")
    sp.set_defaults(func=_cmd_spectrum)

    fm = sub.add_parser(
        "fim",
        parents=[common],
        help="one-sample Fisher information spectrum: moments, top atom, learning-rate bound",
        description="The non-zero spectrum of the one-sample conditional FIM, mu_{l+1} = "
        "(q_l + sigma_w^2 .)_*(nu_l ⊠ mu_l) ([HK21]; freealg.MLP.fim_law), for any "
        "activation: exact moments, the mean, the atoms, the top atom t_L = q_{L-1} + "
        "sigma_w^2 t_{L-1} with mass 1 - (L-1)(1-alpha) (orthogonal relu / hard-tanh), the "
        "support, lambda_max and the learning-rate bound 2/lambda_max.",
    )
    _add_net_args(fm, depth_required=True)
    fm.add_argument("--q-in", type=str, default=None, help="q_0 = |x_0|^2/M (default: input at the fixed point)")
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
    v.add_argument("--widths", type=str, nargs="+", default=[50, 100, 200],
                   help=f"network widths N (at most {MAX_WIDTH})")
    v.add_argument("--trials", type=str, default=None,
                   help="networks sampled per width (default: the check's own, 40)")
    v.add_argument("--depths", type=str, nargs="+", default=None, help="depths (jacobian claim)")
    v.add_argument("--seed", type=str, default=0, help="random seed, an integer >= 0")
    v.add_argument("--q0", "--q-in", dest="q0", type=str, default=None, metavar="NUMBER",
                   help="input variance q0 = |x_0|^2/M of the sampled inputs (default 1; jacobian: "
                   "the input at the fixed point)")
    v.add_argument("--n-moments", type=str, default=None, metavar="K",
                   help="number of spectral moments compared (default 4; jacobian, fim, "
                   "two-layer-fim)")
    v.add_argument("--no-density", action="store_true",
                   help="two-layer-fim: skip the certified density, atoms and Kolmogorov/Levy "
                   "distances of the closed form (moments only)")
    v.add_argument("--progress", action="store_true",
                   help="show a progress bar even when not on a terminal (needs tqdm: the progress extra)")
    v.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    v.add_argument("--cache-dir", default=None, metavar="DIR",
                   help="keep each sampled network's result in DIR and reuse it on a rerun "
                   "(jacobian, fim, two-layer-fim)")
    v.add_argument("--jobs", "-j", type=str, default=None, metavar="N",
                   help="local processes for the sampled networks of the jacobian, fim and "
                   "two-layer-fim checks (-1: every core; default 1); the report does not depend on it")
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
