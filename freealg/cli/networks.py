"""The ``freealg`` subcommands on networks: ``meanfield``, ``spectrum`` (the law of
``J Jᵀ``), ``fim`` (the one-sample Fisher information) and ``verify`` (finite-width
simulation against the limit)."""

from __future__ import annotations

import math
from fractions import Fraction

from ..errors import FloatRangeError, FreealgError
from ._args import _UsageError, _float_or_exact, _net_from_args
from ._output import (_atoms_json, _document, _dumps, _fmt, _num, _num_keep, _scalar, _scalar_exact, _value,
                      _values, print_pairs)


#: the note on a number computed numerically (where the CLI has no closed form for it)
_NUMERICAL = "numerical: computed in floating point, no closed form used"


def _is_inf(v):
    import sympy

    return v == sympy.oo or (isinstance(v, float) and v == math.inf)


def _exact_phase(chi):
    """The phase from an exact ``χ`` (no tolerance needed)."""
    return "critical" if chi == 1 else ("ordered" if chi < 1 else "chaotic")


def _cmd_meanfield(args):
    from ..dnn.meanfield import meanfield_closed_form

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

    # exact closed forms (positively homogeneous activation, exact parameters);
    # otherwise the library's floats, marked numerical where no closed form exists
    exact = meanfield_closed_form(net) or {}
    closed = net.activation.positively_homogeneous
    numerical = set()

    def quantity(key, fn):
        if exact.get(key) is not None:
            return exact[key]
        v = attempt(fn)
        if not closed and not isinstance(v, str):
            numerical.add(key)
        return v

    scales = attempt(net.depth_scales)
    scale = (lambda k: quantity(k, lambda: getattr(scales, k))) if not isinstance(scales, str) else \
        (lambda k: exact.get(k, scales))
    rows = [
        ("activation", args.activation),
        ("sigma_w", _num_keep(net.sigma_w)),
        ("sigma_b", _num_keep(net.sigma_b)),
        ("q_star", _num_keep(quantity("q_star", net.q_star))),
        ("chi", _num_keep(quantity("chi", net.chi))),
        ("phase", _exact_phase(exact["chi"]) if exact else attempt(net.phase)),
        ("c_star", _num_keep(quantity("c_star", net.c_star))),
        # a depth scale is infinite at the edge of chaos: that is the result, said in words
        ("xi_q", _num_keep(scale("xi_q"))),
        ("xi_c", _num_keep(scale("xi_c"))),
    ]
    try:
        from ..dnn import critical_sigma_w

        crit = critical_sigma_w(args.activation, _float_or_exact(args.sigma_b))
        if not closed and isinstance(_scalar_exact(crit), float):
            numerical.add("critical_sigma_w")
        rows.append(("critical_sigma_w", _num_keep(crit)))
    except FreealgError as exc:
        rows.append(("critical_sigma_w", f"none ({str(exc).splitlines()[0]})"))
    if args.plot:
        rows.append(("plot", _meanfield_plot(args, net)))
    _print_meanfield(rows, numerical, args.json)
    return 0


def _meanfield_plot(args, net):
    """The order/chaos phase diagram with the network marked, saved to ``args.plot``."""
    import numpy as np

    from .. import plot
    from ..dnn import critical_line

    top = float(args.sigma_b) if float(args.sigma_b) > 0 else 1.0
    grid = np.linspace(0.0, 2.0 * top, 41)
    data = critical_line(args.activation, grid)
    ok = data["exists"]
    if not ok.any():
        raise _UsageError(f"meanfield --plot: {args.activation} has no edge of chaos on sigma_b in [0, {2 * top}]")
    ax = plot.plot_phase_diagram(data["sigma_b"], data["sigma_w"], label=f"{args.activation}: chi = 1",
                                 sigma_w_max=max(3.0, 1.5 * float(np.nanmax(data["sigma_w"])), 1.1 * float(net.sigma_w)),
                                 activation=args.activation)
    ax.plot([float(net.sigma_w)], [float(net.sigma_b)], "k*", ms=10)
    ax.set_title(f"{args.activation}: order/chaos phases; ★ = this network "
                 f"(σ_w = {float(net.sigma_w):.6g}, σ_b = {float(net.sigma_b):.6g})", fontsize="small")
    plot.savefig(ax, args.plot)
    return args.plot


def _print_meanfield(rows, numerical, as_json):
    """The ``meanfield`` rows as JSON or as a table; the ``numerical`` keys
    are marked.  An infinite q* (unbounded activation in the chaotic phase)
    or depth scale (at the edge of chaos) is the answer: ``"oo"`` in JSON,
    said in words in the table; NaN is refused."""
    if as_json:
        out = {}
        for k, v in rows:
            out[k] = v if k in ("activation", "phase", "plot") else _value(v)
        print(_dumps(_document("meanfield", _note_numerical(out, numerical))))
        return
    names = {"q_star": "q*", "c_star": "c*", "critical_sigma_w": "critical sigma_w"}
    # in the table an infinite value says what it means (a bare "inf" reads like an overflow)
    rows = _mark_numerical([(k, "∞ (diverges)" if _is_inf(v) else v) for k, v in rows], numerical)
    print_pairs([(names.get(k, k), v) for k, v in rows])


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
    from ..dnn.meanfield import meanfield_closed_form
    from ..errors import InvalidArgumentError, NotAlgebraicError

    net = _net_from_args(args)
    law = net.jacobian_law(q_in=args.q_in)
    n = 4
    exact_moments = law.moments(n)
    num = _text_valuer(net, args.q_in)
    moments = [num(v) for v in exact_moments]
    mf = meanfield_closed_form(net, q_in=args.q_in if args.q_in is not None else 1)
    rows = [("network", repr(net)), ("convention", net.jacobian_convention),
            ("chi", num(mf["chi"]) if mf else num(net.chi())),
            ("phase", _exact_phase(mf["chi"]) if mf else net.phase())]
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
        elif law.float_kind and not args.exact_curve:
            # float data (decimal options, hard-tanh's erf q's): an exact curve exists only
            # for the floats' exact binary values, with ~100-digit coefficients; on request
            curve = None
            out["curve"] = ("not printed for float parameters: pass --exact-curve for the curve of "
                            "their exact binary values, or give exact numbers (13/10, sqrt(2))")
        else:
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
        out["lambda_max"] = _exact_top(law, net, args.q_in)
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

            hi = float(out["lambda_max"])
            res = law.density(np.linspace(1e-6 * hi, hi * (1 - 1e-6), 400), strict=False)
            ax = plot.plot_density(res, label=f"J Jᵀ, L = {net.depth}", title=plot.network_title(law))
            plot.savefig(ax, args.plot)
            out["plot"] = args.plot
            out["evidence ok"] = bool(res.evidence.ok)
    numerical = {"chi"} if not net.activation.positively_homogeneous else set()
    if not _exact_activation(net) and "lambda_max" in out:
        numerical.add("lambda_max")
    if args.json:
        doc = _spectrum_json(out, law, exact_moments, net, args.q_in)
        print(_dumps(_document("spectrum", _note_numerical(doc, numerical))))
    else:
        print_pairs(_mark_numerical(out.items(), numerical))
    return 0


def _mark_numerical(rows, keys):
    """Table rows with `` (numerical)`` after the values of ``keys`` (floats
    computed where no closed form exists)."""
    return [(k, f"{_fmt(v)} (numerical)" if k in keys else v) for k, v in rows]


def _note_numerical(doc, keys):
    """The JSON number objects of ``keys`` with the note that they are numerical."""
    for k in keys:
        if isinstance(doc.get(k), dict):
            doc[k]["note"] = _NUMERICAL
    return doc


def _exact_top(law, net, q_in):
    """``λ_max`` of a network law: the exact algebraic number (an atom, or the
    root of the discriminant of the exact spectral curve that the float
    ``law.lambda_max()`` stands for) when the network's numbers are exact
    (the criterion of :func:`_exact_valuer`), else the float."""
    import sympy

    from ..errors import NotAlgebraicError, TooLargeError

    lam = float(law.lambda_max())
    if _exact_valuer(net, q_in) is not _value:
        return lam
    tol = 1e-9 * max(1.0, abs(lam))
    near = [a for a, m in law.atoms() if m != 0 and abs(float(a) - lam) <= tol]
    if not near:
        try:
            cands = law.curve(exact=True).edge_candidates()
        except (NotAlgebraicError, TooLargeError):
            return lam
        near = [e for e in cands if abs(complex(sympy.N(e, 30)) - lam) <= tol]
    # one candidate only: the float identifies the exact number
    return near[0] if len(near) == 1 else lam


def _exact_activation(net):
    """True for an activation whose ``phi'(h)^2`` law has rational parameters
    (linear, relu): the network's spectral laws then have exact curves."""
    from ..activations import get_activation

    act = net.activation if not isinstance(net.activation, str) else get_activation(net.activation)
    return getattr(act, "name", "") in ("linear", "relu")


def _exact_valuer(net, q_in=None):
    """``_value``, or ``_value`` of the float when the network's numbers are
    not exact: a float parameter (``--sigma-w 1.2``) or an activation whose
    ``phi'(h)^2`` law has irrational parameters (hard-tanh's ``erf``, smooth
    activations), which the library carries as rationals of float64 values --
    their digits are not an exact result."""
    exact = (not any(isinstance(v, float) for v in (net.sigma_w, net.sigma_b, q_in))
             and _exact_activation(net))
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

    keys = {"variance, closed form": "variance_closed_form", "curve degree": "curve_degree",
            "dynamical isometry": "dynamical_isometry", "mass within 0.1 of 1": "mass_near_1",
            "atom at 0 (kernel of J)": "atom_at_zero", "evidence ok": "evidence_ok",
            "curve note": "curve_note"}
    doc = {}
    for k, v in out.items():
        key = keys.get(k, k)
        if key.startswith("m_"):
            doc.setdefault("moments", _values(exact_moments, _value))
        elif key == "atoms":
            doc["atoms"] = _atoms_json(law.atoms(), _value)
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
    lam = _exact_top(law, net, args.q_in)
    rows += [("lambda_max", lam), ("learning-rate bound 2/lambda_max", 2 / lam)]
    if args.latex:
        try:
            rows.append(("latex", law.curve(exact=True).latex()))
        except (NotAlgebraicError, TooLargeError) as exc:
            rows.append(("latex", f"none: {exc}"))
    numerical = set() if _exact_activation(net) else {"lambda_max", "learning-rate bound 2/lambda_max"}
    if args.json:
        doc = _fim_json(rows, law, net, args.q_in)
        print(_dumps(_document("fim", _note_numerical(doc, {"lambda_max", "learning_rate_bound"} if numerical
                                                        else set()))))
    else:
        print_pairs(_mark_numerical(rows, numerical))
    return 0


def _fim_json(rows, law, net, q_in):
    """The ``fim`` rows in the JSON schema (exact q_l, moments, atoms)."""
    _value = _exact_valuer(net, q_in)

    doc = {}
    for k, v in rows:
        if k == "network" or k == "latex":
            doc[k] = v
        elif k.startswith("q_l"):
            doc["q"] = _values(law.q, _value)
        elif k.startswith("alpha_l"):
            doc["alpha"] = _values((v.p for v in law.nus), _value)
        elif k.startswith("E phi'"):
            doc["e_dphi2"] = _values(v, _value)
        elif k.startswith("m_"):
            doc.setdefault("moments", _values(law.moments(4), _value))
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
            doc["atoms"] = _atoms_json(law.atoms(), _value)
        elif k == "support":
            doc["support"] = [[float(a), float(b)] for a, b in v]
        elif k == "lambda_max":
            doc["lambda_max"] = _value(v)
        elif k.startswith("learning-rate bound"):
            doc["learning_rate_bound"] = _value(v)
    return doc
