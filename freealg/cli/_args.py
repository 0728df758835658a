"""Command-line arguments of ``freealg``: numbers parsed by a whitelisted grammar
(never evaluated), checked against size limits before any work; the network
options shared by several subcommands."""

from __future__ import annotations

from fractions import Fraction



#: Largest network width ``verify`` simulates (a width-N float64 matrix takes
#: 8 N^2 bytes and a check keeps several per layer and trial).
MAX_WIDTH = 4096


#: Largest number of sampled networks per width in ``verify``.
MAX_TRIALS = 10_000


class _UsageError(Exception):
    """A command-line usage error (argparse's or a command's own)."""


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
    g.add_argument("--convention", choices=("preactivation", "psg"), default="preactivation",
                   help="Jacobian convention: preactivation J = W_L D_{L-1}...W_1 (default), psg J = D_L W_L...D_1 W_1")


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


def _is_fraction(text):
    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    return True
