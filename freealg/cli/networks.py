"""The ``freealg`` subcommands on networks: ``meanfield``, ``spectrum`` (the law of
``J Jᵀ``), ``fim`` (the one-sample Fisher information) and ``verify`` (finite-width
simulation against the limit)."""

from __future__ import annotations

import math
from fractions import Fraction

from ..errors import FloatRangeError, FreealgError
from ._args import _UsageError, _float_or_exact, _net_from_args
from ._output import _document, _dumps, _num, _num_keep, _scalar, _scalar_exact, _value, print_pairs, _atoms_json, _values


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
        ax = plot.plot_phase_diagram(data["sigma_b"], data["sigma_w"], label=f"{args.activation}: chi = 1",
                                     sigma_w_max=max(3.0, 1.5 * float(np.nanmax(data["sigma_w"])), 1.1 * float(net.sigma_w)),
                                     activation=args.activation)
        ax.plot([float(net.sigma_w)], [float(net.sigma_b)], "k*", ms=10)
        ax.set_title(f"{args.activation}: order/chaos phases; ★ = this network "
                     f"(σ_w = {float(net.sigma_w):.6g}, σ_b = {float(net.sigma_b):.6g})", fontsize="small")
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
            ax = plot.plot_density(res, label=f"J Jᵀ, L = {net.depth}", title=plot.network_title(law))
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
