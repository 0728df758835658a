r"""Named probability laws with exact moments, transforms and spectral curves.

Every law follows one protocol (shared with :class:`freealg.SpectralCurve`):

``moments(n)``
    ``m_1, ..., m_n`` (exact sympy numbers/expressions when the parameters are
    exact or symbolic).
``free_cumulants(n)``, ``mean()``, ``variance()``
``cauchy(z, dps=None)``
    ``G(z) = ∫ dμ(x) / (z − x)`` on the physical branch (``G ~ 1/z`` at ∞,
    ``Im G < 0`` for ``Im z > 0``), vectorised over numpy arrays; with ``dps``
    the values are mpmath numbers at that precision.
``density(x, dps=None)``
    Density of the absolutely continuous part.
``support()``, ``atoms()``
    Intervals ``(a, b)`` of the absolutely continuous part and
    ``(location, mass)`` pairs of the atoms.
``curve()``
    The algebraic spectral curve ``P(z, G) = 0`` (:class:`SpectralCurve`).
``s_transform(w)``, ``r_transform(w)``
    ``S`` and ``R`` of docs/theory.md §1; with ``w`` omitted, a sympy expression in
    the symbol ``w``.

Conventions (docs/theory.md §1): ``G`` is the Cauchy transform (users of the
Stieltjes transform ``m = −G`` must convert); ``R`` satisfies
``G(R(w) + 1/w) = w``; ``S(w) = χ(w)(1 + w)/w`` with ``χ`` the inverse of
``ψ(z) = Σ m_n z^n``.

Number kinds: exact input stays exact, a float stays a float, a symbol stays
a symbol.  Ints, ``Fraction`` and sympy numbers (rationals, ``sqrt(2)``, ...)
give exact results.  A law with a Python, numpy or sympy float parameter is a
*float law*: it keeps the float as given (``repr`` shows
``MarchenkoPastur(rate=0.3, jump=1)``), and its ``moments``,
``free_cumulants``, ``mean``, ``variance``, ``support``, ``atoms``,
``cauchy`` and ``density`` are floats (mpmath numbers with ``dps``).  They are
computed from the exact binary value of each float (``0.3`` is
``5404319552844595/2**54``) and rounded once at the end, so they are the
correctly rounded values of the law at the parameters actually passed; the
float is never replaced by a nearby decimal fraction.  The exact spectral
curve of a float law is built only on request: ``curve(exact=True)`` (the
curve of the law with parameters ``sympy.Rational(float)``, the exact dyadic
values); ``curve()`` raises and names that option.  A law with symbolic
parameters keeps them symbolic; numeric methods (``cauchy``, ``density``,
...) then need numbers: substitute first with :meth:`Law.subs`.

Examples
--------
>>> from freealg import Semicircle, MarchenkoPastur, Bernoulli
>>> Semicircle().moments(6)
[0, 1, 0, 2, 0, 5]
>>> MarchenkoPastur(rate=2).moments(3)          # Narayana polynomials at 2
[2, 6, 22]
>>> Bernoulli(sympy.Rational(1, 3)).s_transform()
(w + 1)/(w + 1/3)
"""

from __future__ import annotations

from .interface import LawMethods
from .._utils.symbolic import sympify_safe
import math
import numbers
from fractions import Fraction

import numpy as np
import sympy

from .._utils import detsympy as _ds
from .._utils.validate import MAX_DPS, MAX_MOMENT_ORDER, check_dps, check_finite_array, check_int, check_mp_entries, check_point, describe
from .._utils.validate import _array_of
from .._utils.validate import describe as _describe
from ..errors import FreealgError, InvalidArgumentError, InvalidArgumentTypeError, InvalidLawError, NotAlgebraicError, TransformUndefinedError

__all__ = [
    "Law",
    "PointMass",
    "Atomic",
    "Bernoulli",
]

W = sympy.Symbol("w")


# ---------------------------------------------------------------------------
# exact parameters and numeric evaluation helpers
# ---------------------------------------------------------------------------


def _exact(value, name):
    """Convert a parameter to an exact sympy object.

    A float (Python, numpy or sympy ``Float``) becomes its exact binary value
    ``sympy.Rational(float)`` (``0.3 -> 5404319552844595/18014398509481984``),
    never a nearby decimal fraction; whether the law keeps the float kind is
    recorded separately (:meth:`Law._set_kind`)."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, bytes)):
        raise InvalidArgumentTypeError(
            f"{name} must be a number or a sympy expression; got {describe(value)} of type "
            f"{type(value).__name__}"
        )
    if isinstance(value, sympy.Basic):
        if value.is_number:
            if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                raise InvalidArgumentError(f"{name} must be finite; got {value}")
            if isinstance(value, sympy.Float):
                return sympy.Rational(value)
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, (int, np.integer)):
        return sympy.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise InvalidArgumentError(f"{name} must be finite; got {value!r}")
        return sympy.Rational(float(value))
    mod = type(value).__module__
    if mod.startswith("mpmath"):
        from .._utils.mpctx import mpmath

        if isinstance(value, mpmath.mpf):
            if not mpmath.isfinite(value):
                raise InvalidArgumentError(f"{name} must be finite; got {value!r}")
            man, exp = value.man_exp
            return sympy.Integer(man) * sympy.Integer(2) ** exp
    if isinstance(value, numbers.Complex):
        raise InvalidArgumentError(f"{name} must be real; got {value!r}")
    raise InvalidArgumentTypeError(
        f"{name} must be an int, Fraction, float, mpmath or sympy number/expression; "
        f"got {describe(value)} of type {type(value).__name__}"
    )


def _keeps_float_kind(method):
    """Decorator for ``affine``: the image of a float law (or by a float shift
    or scale) is a float law too."""
    import functools

    @functools.wraps(method)
    def wrapper(self, shift=0, scale=1):
        out = method(self, shift, scale)
        if isinstance(out, Law) and (self._float or _any_float(shift, scale)) and not out._float:
            out._mark_float()
        return out

    return wrapper


def _is_float_kind(v):
    """True for a Python, numpy or sympy float (a float parameter)."""
    return isinstance(v, (float, np.floating, sympy.Float))


def _any_float(*values):
    """True when one of the values (or of the entries of a sequence value) is a float."""
    for v in values:
        if isinstance(v, (list, tuple)):
            if _any_float(*v):
                return True
        elif _is_float_kind(v):
            return True
    return False


def _to_float(v, what="value"):
    """A real exact number as a Python float (correctly rounded; overflow
    raises instead of returning inf)."""
    if isinstance(v, (float, np.floating)):
        return float(v)
    try:
        if isinstance(v, sympy.Basic) and v.is_Rational:
            out = int(v.p) / int(v.q)
        else:
            out = float(sympy.N(v, 30)) if isinstance(v, sympy.Basic) else float(v)
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise InvalidArgumentError(
            f"{what} {sympy.N(v, 15) if isinstance(v, sympy.Basic) else v} is beyond the float64 "
            "range; pass exact parameters (ints, Rational) for an exact value"
        )
    return out


def _floatify(expr):
    """``expr`` with its non-integer rational numbers written as sympy floats
    (the float kind of an expression of a float law)."""
    if isinstance(expr, (list, tuple)):
        return type(expr)(_floatify(u) for u in expr)
    if not isinstance(expr, sympy.Basic):
        return expr
    if expr.is_number and expr.is_real is not False and not expr.has(sympy.I):
        try:
            return sympy.Float(_to_float(expr))
        except (TypeError, ValueError):
            pass
    return _floatify_tree(expr)


def _floatify_tree(e):
    if e.is_Rational:
        return e if e.is_Integer else sympy.Float(_to_float(e))
    if e.is_Pow:  # exponents keep their exact kind (sqrt stays sqrt)
        return sympy.Pow(_floatify_tree(e.base), e.exp)
    if e.args:
        return e.func(*[_floatify_tree(a) for a in e.args])
    return e


def _shown(raw, exact):
    """A parameter as shown by a float law: the float as given, else the exact value."""
    if isinstance(exact, tuple) and isinstance(raw, (list, tuple)) and len(raw) == len(exact):
        return tuple(_shown(r, e) for r, e in zip(raw, exact))
    if _is_float_kind(raw):
        return float(raw)
    return exact


def _float_param_error(law, what="curve()", option="curve(exact=True)"):
    """The error of an exact construction asked of a float law."""
    return InvalidArgumentError(
        f"{law!r} has float parameters, so its exact spectral curve is built only on request: "
        f"{what} needs that curve and would have to replace each float by a rational. Call "
        f"{option} to use each "
        "float's exact binary value (sympy.Rational(0.3) = 5404319552844595/18014398509481984), "
        "or build the law from exact parameters (ints, Fraction, sympy.Rational(3, 10))"
    )


def _is_numeric(expr):
    return not getattr(expr, "free_symbols", set())


def _sign(expr):
    """+1, -1, 0 for a numeric real sympy expression; None when symbolic."""
    if not _is_numeric(expr):
        return None
    if expr == 0:
        return 0
    return 1 if float(sympy.re(sympy.N(expr, 30))) > 0 else -1


def _mp(expr, dps):
    from .._utils.mpctx import mpmath

    dps = check_dps(dps)
    with mpmath.workdps(dps + 10):
        return mpmath.mpf(sympy.N(expr, dps + 10))


def _f(expr):
    return float(sympy.N(expr, 20))


def _check_int(n, name="n", minimum=1, maximum=None, hint=""):
    """An integer parameter (InvalidArgumentTypeError / InvalidArgumentError /
    TooLargeError from :func:`freealg._utils.validate.check_int`)."""
    return check_int(n, name, minimum=minimum, maximum=maximum, hint=hint)


def _check_order(n, name="n"):
    """A number of moments ``0 <= n <= MAX_MOMENT_ORDER`` (checked before any work)."""
    return check_int(n, name, minimum=0, maximum=MAX_MOMENT_ORDER,
                     hint="exact moments of higher order do not fit in time or memory; ask for "
                          f"at most {MAX_MOMENT_ORDER} (or use a float recursion on the curve)")


def _real_points(x, name="x"):
    """``x`` as a float array with finite entries (InvalidArgumentError naming
    the first non-finite entry); mpmath/object inputs are checked entrywise."""
    arr = np.asarray(x, dtype=object) if _has_mp(x) else _array_of(x, name, float)
    if arr.dtype == object:
        check_mp_entries(arr, name, "real numbers")
        if not _has_mp(x):  # Python ints beyond int64 (10**30): floats, like any number
            return arr.astype(float)
        return arr
    if arr.dtype.kind == "c":
        bad = arr.imag != 0
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            raise InvalidArgumentError(
                f"{name} must be real (density is evaluated on the real line); entry {i} is "
                f"{arr.ravel()[i]}; use cauchy(z) off the axis"
            )
        arr = arr.real
    return check_finite_array(arr, name)


def _complex_points(z, name="z"):
    """``z`` checked for finiteness (numpy complex array, or an object array of
    mpmath numbers)."""
    if _has_mp(z):
        return check_mp_entries(z, name)
    return check_finite_array(z, name, dtype=complex)


def _has_mp(x):
    if type(x).__module__.startswith("mpmath"):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype == object
    if isinstance(x, (list, tuple)):
        return any(_has_mp(v) for v in x)
    return False


def _finite_values(out, pts, law, what, special=None):
    """Raise if ``out`` has a non-finite entry outside the ``special`` mask
    (atoms and hard edges, whose ``nan``/``inf`` values are the documented
    convention): a float64 overflow of a value that exists (a law of extreme
    scale), never returned silently."""
    out = np.asarray(out)
    bad = ~np.isfinite(out)
    if special is not None:
        bad &= ~np.asarray(special, dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        p = np.asarray(pts).ravel()[i] if np.size(pts) > 1 else np.asarray(pts).ravel()[0]
        raise InvalidArgumentError(
            f"{law!r}.{what} at entry {i} ({p}) exceeds the float64 range: the law's scale is "
            "too extreme for float64 there; pass dps=30 for an mpmath value, or rescale the law "
            "(affine(0, c))"
        )
    return out


def _at_points(x, locations):
    """Boolean mask of the entries of the float array ``x`` equal to one of
    ``locations`` (atom locations, hard edges)."""
    mask = np.zeros(np.shape(x), dtype=bool)
    for loc in locations:
        mask |= np.asarray(x) == loc
    return mask


def _pole_error(law, z, what="an atom"):
    """The error for a Cauchy transform asked exactly at a pole of ``G``.

    At an atom ``a`` (mass ``m``) ``G(z) ~ m/(z − a)`` is unbounded, and at a
    hard edge ``G`` is unbounded too: there is no value, finite or infinite
    with a direction, to return (the density convention of docs/density.md
    flags such points in ``density``; ``cauchy`` refuses them, like
    :meth:`SpectralCurve.cauchy` at a zero of the leading coefficient)."""
    why = ("a pole of the Cauchy transform G (G ~ mass/(z - a))" if what == "an atom"
           else "a point where the Cauchy transform G is unbounded")
    return InvalidArgumentError(
        f"z = {z} is {what} of {law!r}: {why}, so it has no value there; evaluate at "
        "z + i*eps off the real axis (density(x) gives the absolutely continuous part, "
        "law.atoms() the atoms and their masses)"
    )


def _apply(z, dps, np_fun, mp_fun):
    """Evaluate a closed form elementwise in mpmath at ``dps`` digits (the
    numpy path, ``dps is None``, calls ``np_fun`` on a complex array)."""
    if dps is None:
        return np_fun(np.asarray(z, dtype=complex))
    from .._utils.mpctx import mpmath

    dps = check_dps(dps)
    arr = check_mp_entries(z, "z")
    with mpmath.workdps(dps):
        flat = [mp_fun(mpmath.mpmathify(v)) for v in arr.ravel()]
        res = np.empty(len(flat), dtype=object)
        res[:] = [+v for v in flat]
    if arr.ndim == 0:
        return res[0]
    return res.reshape(arr.shape)


def _sqrt_pair(xp, z, a, b):
    """``sqrt(z - a) * sqrt(z - b)``: analytic off ``[a, b]``, ``~ z`` at ∞."""
    return xp.sqrt(z - a) * xp.sqrt(z - b)


class _MPNS:
    """mpmath namespace shim for the closed forms."""

    @staticmethod
    def sqrt(x):
        from .._utils.mpctx import mpmath

        return mpmath.sqrt(x)


# ---------------------------------------------------------------------------
# closed-form densities with evidence
# ---------------------------------------------------------------------------

_EPS = np.finfo(float).eps


def _closed_form(method):
    """Decorator for a closed-form ``density(x, dps)`` that returns values:
    the public method returns a :class:`~freealg.density.DensityResult` (the
    values with their evidence, :func:`_closed_form_result`); the formula
    itself stays reachable as ``density._values`` (the fast path of ``pdf``
    and of the CDF)."""
    import functools

    @functools.wraps(method)
    def density(self, x, dps=None, *, strict=True):
        return _closed_form_result(self, x, dps, strict, method)

    density._values = method
    return density


def _closed_form_result(law, x, dps, strict, values):
    r"""The closed-form density of ``law`` on ``x`` as a ``DensityResult``.

    Evidence: where the law's Cauchy transform has a closed form at ``x + i0``
    (every named law but :class:`ActivationDerivativeLaw`, whose ``G`` is a
    quadrature off the axis: its ``cauchy`` is ``None``) the closed form is checked against
    ``−Im G(x + i0)/π``, a second, independent formula; four times their
    difference plus four units of rounding of the value is the error bound; a
    value whose bound exceeds the gate of the certified engines
    (``1e-8`` relative or ``1e-12 |G|/π``; float64 formulas next to a soft
    edge) is polished: the closed form again in mpmath at 30 digits.  The mass of the
    continuous part is ``1 − Σ atoms`` (the closed forms are normalised);
    there is no equation residual and no contour moment check.
    """
    import warnings

    from ..density.result import DensityEvidence, DensityResult, certify_grid
    from ..errors import CertificationError, CertificationWarning

    law._require_numeric("density")
    if not isinstance(strict, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"strict must be True or False; got {describe(strict)}")
    pts = _real_points(x, "x")
    raw = values(law, x, dps)
    if dps is not None:
        flat_mp = list(np.asarray(raw, dtype=object).ravel())
        dens = np.array([float(v) for v in flat_mp], dtype=float)
    else:
        flat_mp = None
        dens = np.asarray(raw, dtype=float).ravel().copy()
    xs = np.asarray(pts, dtype=float).ravel()
    grid = np.atleast_1d(np.asarray(pts, dtype=float)).copy()
    atoms_exact = list(law.atoms())  # in the law's kind: exact, or the floats of a float law
    atoms = [(float(a), float(m)) for a, m in atoms_exact]
    support = [(float(a), float(b)) for a, b in law.support()]
    at_atom = _at_points(xs, [a for a, _ in atoms])
    special = at_atom | np.isinf(dens)
    G = np.full(xs.shape, complex(np.inf), dtype=complex)
    error = np.full(xs.shape, np.nan)
    notes, failures = [], []
    max_residual, max_im, im_ok = 0.0, 0.0, True
    reg = ~special
    if getattr(law, "_closed_form_cauchy", True):
        if dps is None:
            if reg.any():
                # exactly at a support edge the value (0, or +inf at a hard
                # edge) is the convention, exact; G is asked there separately
                edge = _at_points(xs, [e for iv in support for e in iv]) & reg
                inner = reg & ~edge
                G[inner] = np.asarray(law.cauchy(xs[inner] + 0j), dtype=complex).ravel()
                for k in np.flatnonzero(edge):
                    try:
                        G[k] = complex(law.cauchy(xs[k] + 0j))
                    except FreealgError:  # a branch point of the curve: the limit from above
                        eps = 1e-30 * max(1.0, abs(xs[k]))  # G - G(x + i eps) ~ sqrt(eps) at a soft edge
                        G[k] = complex(law.cauchy(xs[k] + 1j * eps))
                        notes.append(f"G at the support edge {xs[k]!r} (a branch point) is its value "
                                     f"at x + {eps:.0e}i")
            diff = np.abs(-G[reg].imag / np.pi - dens[reg])
            unit = 4 * _EPS
        else:  # the mpmath values against G in mpmath at the same (unrounded) points
            from .._utils.mpctx import mpmath

            # exactly at a support edge the value is the convention (exact)
            edge = _at_points(xs, [e for iv in support for e in iv]) & reg
            for k in np.flatnonzero(edge):
                try:
                    G[k] = complex(law.cauchy(xs[k] + 0j))
                except FreealgError:  # a branch point: the limit from above
                    G[k] = complex(law.cauchy(xs[k] + 1e-30j * max(1.0, abs(xs[k]))))
            inner = reg & ~edge
            mp_pts = np.asarray(pts, dtype=object).ravel()[inner]
            mp_rho = [v for v, r in zip(flat_mp, inner) if r]
            with mpmath.workdps(dps + 10):  # the guard digits of the closed forms' mpmath path
                zr = np.empty(len(mp_pts), dtype=object)
                zr[:] = [mpmath.mpc(mpmath.mpmathify(v), 0) for v in mp_pts]
                Gm = law.cauchy(zr, dps=min(dps + 10, MAX_DPS)) if len(mp_pts) else []
                diff = np.zeros(xs.shape)
                diff[inner] = [float(abs(-mpmath.im(g) / mpmath.pi - r)) for g, r in zip(Gm, mp_rho)]
                diff = diff[reg]
                G[inner] = [complex(g) for g in Gm]
            unit = 10.0 ** (1 - dps)
        gabs = np.abs(G[reg])
        # four times the difference: near an edge both float evaluations lose
        # digits together (their difference undershoots the error of either)
        error[reg] = 4 * diff + unit * np.abs(dens[reg])
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.abs(dens[reg]) + gabs / np.pi
            rel = np.where(scale > 0, diff / np.where(scale > 0, scale, 1.0), 0.0)
            im_rel = np.where(gabs > 0, G[reg].imag / np.where(gabs > 0, gabs, 1.0), 0.0)
        max_residual = float(rel.max()) if rel.size else 0.0
        max_im = float(max(0.0, im_rel.max())) if im_rel.size else 0.0
        im_ok = max_im <= 1e-10
        if not im_ok:
            failures.append(f"Im G(x + i0) > 0 somewhere (max Im G/|G| = {max_im:.2e}): wrong branch")
        method = "closed form, checked against -Im G(x + i0)/pi"
    else:
        error[reg] = 4 * _EPS * np.abs(dens[reg])
        gabs = np.zeros(int(reg.sum()))
        G = None  # no closed-form boundary value of G to report
        notes.append("closed form without a closed-form Cauchy transform on the axis: its error "
                     "bound is a rounding estimate, not checked against a second formula")
        method = "closed form"
    error[np.isinf(dens) & ~at_atom] = 0.0  # the hard-edge limit +inf is exact
    cert, neg, bad = certify_grid(dens[reg], error[reg], gabs, finite_only=np.ones(int(reg.sum()), bool))
    dens[reg] = cert
    refined = 0
    if dps is None and bad.any():
        # the float formula and -Im G/pi disagree beyond the gate (next to a
        # soft edge): polish those values with the closed form in mpmath
        # (30 digits) and keep the float64 rounding as their bound
        idx = np.flatnonzero(reg)[bad]
        polished = np.array([float(v) for v in np.asarray(values(law, xs[idx], 30), dtype=object).ravel()])
        dens[idx] = polished
        error[idx] = 4 * _EPS * np.abs(polished)
        refined = int(idx.size)
        notes.append(f"{refined} values next to an edge polished in mpmath (30 digits): the float "
                     "formula and -Im G(x + i0)/pi disagreed beyond the certification gate")
        bad = np.zeros_like(bad)
    if neg.any():
        failures.append(f"{int(neg.sum())} negative density values beyond their error bounds")
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        failures.append(f"{int(bad.sum())} values differ from -Im G(x + i0)/pi beyond the certification "
                        f"gate (first at x = {xs[reg][k]!r})")
    mass_a = float(sum(m for _, m in atoms))
    fin = reg & np.isfinite(dens) & (dens != 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        max_rel = float(np.max(error[fin] / np.abs(dens[fin]))) if fin.any() else 0.0
    max_abs = float(np.max(error[reg])) if reg.any() else 0.0
    atom_points = [(a, m, int(np.sum(xs == a))) for a, m in atoms if np.any(xs == a)]
    ev = DensityEvidence(
        ok=not failures, failures=failures, method=method, n_points=int(xs.size),
        max_residual=max_residual, residual_tol=1e-10, im_sign_ok=im_ok, max_im=max_im,
        mass_continuous=1.0 - mass_a, mass_atoms=mass_a, mass_error=0.0, mass_tol=1e-9,
        mass_quadrature_error=0.0, moments_exact=[], moments_contour=[], moment_errors=[],
        moment_tol=[], atom_checks=[], max_rel_error=max_rel, max_abs_error=max_abs,
        n_negative=int(neg.sum()), n_uncertified=int(bad.sum()), atom_points=atom_points,
        refined=refined, dps=dps, tracking_failures=0, notes=notes,
    )
    res = DensityResult(
        x=grid, density=dens.reshape(grid.shape), cauchy=None if G is None else G.reshape(grid.shape),
        error=error.reshape(grid.shape), atoms=atoms, atoms_exact=atoms_exact, support=support,
        evidence=ev, density_mp=flat_mp, at_atom=at_atom.reshape(grid.shape),
    )
    if failures:
        msg = "density certification failed:\n" + ev.summary()
        if strict:
            raise CertificationError(msg)
        warnings.warn(msg, CertificationWarning, stacklevel=3)
    return res


# ---------------------------------------------------------------------------
# the base class
# ---------------------------------------------------------------------------


class Law(LawMethods):
    r"""Base class of probability laws on the real line.

    Subclasses set ``_params`` (an ordered dict of exact sympy parameters) and
    implement ``_moments(n)``; closed forms override the other methods.  The
    defaults go through :meth:`curve` (exact algebra) and the density engine
    (numerics).

    See the module docstring for the protocol and conventions.  ``Law``
    itself takes no parameters and is not instantiated: build a named law
    (:class:`Semicircle`, :class:`MarchenkoPastur`, :class:`PointMass`,
    :class:`Atomic`, :class:`Bernoulli`, :class:`FussCatalan`,
    :class:`Arcsine`, :class:`ActivationDerivativeLaw`).

    Raises
    ------
    InvalidArgumentError
        From a subclass constructor, for a parameter outside its domain (a
        non-positive variance, a rate ``<= 0``, a non-finite number).
    InvalidArgumentTypeError
        From a subclass constructor, for a parameter that is not a number or
        a sympy expression (a ``bool``, text, ``None``).

    Examples
    --------
    >>> from freealg import Law, Semicircle
    >>> isinstance(Semicircle(), Law)
    True
    >>> Semicircle().moments(4)
    [0, 1, 0, 2]
    """

    _params: dict

    # -- parameters -----------------------------------------------------------
    @property
    def parameters(self):
        """The parameters as an ordered ``{name: value}`` dict: exact sympy
        values, or the floats as given for a float law.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(0.3).parameters
        {'rate': 0.3, 'jump': 1}
        """
        return dict(self._given if self._float else self._params)

    @property
    def free_symbols(self):
        """Sympy symbols among the parameters."""
        out = set()
        for v in self._params.values():
            if isinstance(v, sympy.Basic):
                out |= v.free_symbols
            elif isinstance(v, (list, tuple)):
                for u in v:
                    out |= getattr(u, "free_symbols", set())
        return out

    @property
    def is_symbolic(self):
        """True when some parameter is a sympy symbol (numerics need ``subs``)."""
        return bool(self.free_symbols)

    def subs(self, *args, **kwargs):
        """Substitute values for symbolic parameters (sympy ``subs`` semantics).

        Parameters
        ----------
        *args
            As for :meth:`sympy.Basic.subs`: a ``{symbol: value}`` mapping,
            a list of ``(symbol, value)`` pairs, or ``symbol, value``.
        **kwargs
            Passed to :meth:`sympy.Basic.subs` (e.g. ``simultaneous=True``).

        Returns
        -------
        Law
            A new law of the same class with the substituted parameters (the
            law itself for a law without symbolic parameters, such as
            :class:`FussCatalan`).

        Raises
        ------
        InvalidArgumentError
            If a substituted parameter leaves the law's domain (e.g. a
            non-positive variance).
        InvalidLawError
            If substituted weights do not make a probability measure
            (:class:`Atomic`, :class:`Bernoulli`).
        InvalidArgumentTypeError
            If a substituted value is not a number or a sympy expression.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> import sympy
        >>> v = sympy.Symbol("v", positive=True)
        >>> Semicircle(variance=v).subs({v: 4}).moments(2)
        [0, 4]
        """
        new = {}
        for k, v in self.parameters.items():
            if isinstance(v, (list, tuple)):
                new[k] = type(v)(sympify_safe(u).subs(*sympify_safe(args), **kwargs) for u in v)
            else:
                new[k] = sympify_safe(v).subs(*sympify_safe(args), **kwargs)
        return type(self)(**new)

    def _require_numeric(self, what):
        syms = self.free_symbols
        if syms:
            names = ", ".join(sorted(str(s) for s in syms))
            raise InvalidArgumentError(
                f"{what} needs numeric parameters, but {self!r} has symbolic parameters "
                f"{{{names}}}; substitute numbers first, e.g. law.subs({{{sorted(syms, key=str)[0]}: 1}})"
            )

    # -- number kind ------------------------------------------------------------
    #: True for a float law (a parameter was given as a Python, numpy or sympy
    #: float): its numbers are floats, computed from the exact binary values of
    #: the floats kept in ``_params``; ``_given`` holds the parameters as given.
    _float = False
    _given = None

    def _set_kind(self, given):
        """Record the number kind from the parameters ``given`` by the caller
        (``{name: raw value}``; ``_params`` already holds the exact values)."""
        self._float = _any_float(*given.values())
        if self._float:
            self._given = {k: _shown(given[k], v) if k in given else v
                           for k, v in self._params.items()}
        return self

    def _mark_float(self):
        """Make this (derived) law a float law: numeric parameters shown as floats."""
        def shown(v):
            if isinstance(v, tuple):
                return tuple(shown(u) for u in v)
            f = _floatify(v)
            return float(f) if isinstance(f, sympy.Float) else f

        self._float = True
        self._given = {k: shown(v) for k, v in self._params.items()}
        return self

    def _exact_twin(self):
        """The law with the exact (binary) values of a float law's parameters."""
        if not self._float:
            return self
        return type(self)(**self._params)

    def _as_kind(self, values):
        """Floats for a float law (sympy floats in a symbolic expression), the
        exact values otherwise."""
        if not self._float:
            return values
        if self.is_symbolic:
            return [_floatify(v) for v in values]
        return [_to_float(v, f"a number of {self!r}") for v in values]

    def _pairs_kind(self, pairs):
        """``support()``/``atoms()`` pairs in the kind of the law."""
        pairs = list(pairs)
        if not self._float:
            return pairs
        return [tuple(self._as_kind(list(p))) for p in pairs]

    def _expr_kind(self, expr):
        """A transform expression in the kind of the law."""
        return _floatify(expr) if self._float else expr

    def moments(self, n):
        """Moments ``m_1, ..., m_n``: exact for exact (or symbolic) parameters,
        floats when a parameter was given as a float.

        Parameters
        ----------
        n : int
            Number of moments, ``0 <= n <= 2000`` (``n = 0`` gives ``[]``).

        Returns
        -------
        list
            ``[m_1, ..., m_n]``: sympy numbers or expressions for an exact or
            symbolic law, Python floats for a float law.

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``.
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> PointMass(3).moments(3)
        [3, 9, 27]
        >>> MarchenkoPastur(0.3).moments(2)     # λ + λ² at the float 0.3 (just below 3/10)
        [0.3, 0.38999999999999996]
        >>> MarchenkoPastur(0.5).moments(2)
        [0.5, 0.75]
        """
        return self._as_kind(self._exact_moments(n))

    def _exact_moments(self, n):
        """The exact moments, whatever the kind of the parameters."""
        if type(self).moments is not Law.moments:  # a subclass with its own moments
            return self.moments(n)
        n = _check_order(n)
        if n == 0:
            return []
        return [sympy.expand(v) if isinstance(v, sympy.Basic) else v for v in self._moments(n)]

    def _moments(self, n):  # pragma: no cover - abstract
        raise NotImplementedError

    def free_cumulants(self, n):
        """Free cumulants ``κ_1, ..., κ_n`` (exact).

        Parameters
        ----------
        n : int
            Number of cumulants, ``0 <= n <= 2000``.

        Returns
        -------
        list
            ``[κ_1, ..., κ_n]``: exact sympy values (floats for a float law).

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``.
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=2, jump=3).free_cumulants(3)     # κ_n = λ α^n
        [6, 18, 54]
        """
        return self._as_kind(self._exact_free_cumulants(n))

    def _exact_free_cumulants(self, n):
        from ..cumulants import free_cumulants

        n = _check_order(n)
        if n == 0:
            return []
        return [sympy.expand(sympify_safe(v)) for v in free_cumulants(self._exact_moments(n))]

    def mean(self):
        """The mean ``m_1``.

        Returns
        -------
        sympy expression or float
            Exact (sympy) for exact or symbolic parameters, a float for a
            float law.

        Examples
        --------
        >>> Bernoulli(sympy.Rational(1, 4)).mean()
        1/4
        """
        return self.moments(1)[0]

    def variance(self):
        """``m_2 − m_1²``.

        Returns
        -------
        sympy expression or float
            The factored exact variance, or a float for a float law.

        Examples
        --------
        >>> from freealg import Arcsine
        >>> Arcsine(-2, 2).variance()
        2
        """
        m1, m2 = self._exact_moments(2)
        return self._as_kind([_ds.factor(sympy.expand(m2 - m1**2))])[0]

    # -- transforms -------------------------------------------------------------
    def _s_rational(self):
        """The S-transform as a rational sympy function of ``W``, or None."""
        return None

    def _r_rational(self):
        """The R-transform as a rational sympy function of ``W``, or None."""
        return None

    def s_transform(self, w=None):
        r"""The S-transform ``S(w) = χ(w)(1 + w)/w`` (docs/theory.md §1).

        Parameters
        ----------
        w : number, array of numbers, sympy expression, text or None
            Where to evaluate; ``None`` returns an expression in ``Symbol('w')``.
            A list or array is evaluated entrywise (a complex array back).

        Returns
        -------
        sympy expression, complex or ndarray of complex
            An expression in ``w`` for ``w=None`` or a symbolic ``w``; a
            complex number (numpy scalar or mpmath ``mpc``) for a float,
            complex or mpmath ``w``; a complex array for a list or array.
            Floats stay floats: a float law gives sympy floats.

        Raises
        ------
        TransformUndefinedError
            When ``m_1 = 0``, or at a pole of the transform.
        InvalidArgumentError
            For a non-finite ``w`` (or entry).
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=2).s_transform()
        1/(w + 2)
        """
        w = check_point(w, "w", symbols={"w": W})
        m1 = self.mean()
        if m1 == 0:
            raise TransformUndefinedError(
                f"the S-transform of {self!r} does not exist: its mean m_1 = 0. "
                "⊠ needs laws with non-zero mean (shift the law, or use moments)"
            )
        S = self._s_rational()
        if S is None:
            S = self._s_closed()
        if S is None:
            return self._expr_kind(self._exact_twin().curve().s_transform(w))
        if w is None:
            return self._expr_kind(S)
        numeric = _numeric_evaluator(self, "_s_numeric", S, w)
        if numeric is not None:
            return numeric
        return self._expr_kind(_finite_transform(sympify_safe(S).subs(W, w), self, "S", w))

    def _s_closed(self):
        return None

    def r_transform(self, w=None):
        r"""The R-transform, ``G(R(w) + 1/w) = w``, ``R(w) = Σ κ_n w^{n−1}``.

        Parameters
        ----------
        w : number, array of numbers, sympy expression, text or None
            Where to evaluate; ``None`` returns an expression in
            ``Symbol('w')``.  Text is parsed by the safe grammar (only ``w``
            as a symbol).

        Returns
        -------
        sympy expression or ndarray of complex
            An expression in ``w`` for ``w=None`` or a symbolic ``w``; the
            exact value at an exact scalar ``w`` (a sympy float at a float
            ``w``); a complex array for an array ``w``.

        Raises
        ------
        TransformUndefinedError
            At a pole or branch point of the closed form.
        InvalidArgumentError
            For a non-finite ``w`` (or entry); for a float law whose
            transform needs the curve (use ``law.curve(exact=True)``).
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.
        NotAlgebraicError
            For a law without closed form and without an algebraic curve.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle(mean=1, variance=2).r_transform()
        2*w + 1
        """
        w = check_point(w, "w", symbols={"w": W})
        R = self._r_rational()
        if R is None:
            R = self._r_closed()
        if R is None:
            return self._expr_kind(self._exact_twin().curve().r_transform(w))
        if w is None:
            return self._expr_kind(R)
        if isinstance(w, np.ndarray):
            return _numeric_evaluator(self, "_r_numeric", R, w)
        return self._expr_kind(_finite_transform(sympify_safe(R).subs(W, w), self, "R", w))

    def _r_closed(self):
        return None

    # -- curve and numerics -----------------------------------------------------
    def curve(self, exact=False):
        """The algebraic spectral curve ``P(z, G) = 0`` of this law.

        Parameters
        ----------
        exact : bool
            Needed for a float law: its curve is that of the law with the
            exact binary values ``sympy.Rational(float)`` of its float
            parameters (``0.5 -> 1/2``, ``0.3 -> 5404319552844595/2**54``).
            Without it a float law raises (its curve would silently replace
            the floats by rationals).  Exact and symbolic laws ignore it.

        Returns
        -------
        SpectralCurve
            The curve, with this law (its exact twin for a float law)
            attached, so the curve's numerics agree with the law.

        Raises
        ------
        InvalidArgumentError
            For a float law called without ``exact=True``.
        NotAlgebraicError
            For a law without an algebraic curve (the base class).

        Examples
        --------
        >>> from freealg import Semicircle, MarchenkoPastur
        >>> Semicircle().curve()
        SpectralCurve(G**2 - G*z + 1)
        >>> MarchenkoPastur(0.5).curve(exact=True)      # 0.5 is exactly 1/2
        SpectralCurve(2*G**2*z - 2*G*z - G + 2)
        """
        raise NotAlgebraicError(f"{self!r} has no algebraic spectral curve")

    def _check_curve_kind(self, exact):
        """Raise for ``curve()`` of a float law without ``exact=True``."""
        if self._float and not exact:
            raise _float_param_error(self)

    def _numeric_curve(self):
        """The curve the default numerics go through (the exact twin's curve
        for a float law: the numbers are then rounded to floats)."""
        return self._exact_twin().curve()

    def cauchy(self, z, dps=None):
        """Cauchy transform on the physical branch (via the curve by default).

        ``G(z) = ∫ dμ(x)/(z − x)`` with ``G ~ 1/z`` at infinity and
        ``Im G < 0`` for ``Im z > 0`` (the Stieltjes transform is ``−G``).

        Parameters
        ----------
        z : complex or array_like of complex
            Points; on the real axis outside the support ``G`` is real.
        dps : int or None, optional
            ``None`` (default) for numpy complex128 values; else mpmath values
            at that many digits, ``dps <= 1000`` (``dps >= 15`` for laws
            computed through their curve, ``dps >= 1`` for closed forms).

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, a complex array for an array;
            mpmath ``mpc`` numbers (an object array) with ``dps``.

        Raises
        ------
        InvalidArgumentError
            For a non-finite ``z``; for symbolic parameters (substitute first
            with :meth:`subs`); at a pole of ``G`` (an atom, or a hard edge
            where ``G`` is unbounded), where there is no value.
        InvalidArgumentTypeError
            For a ``bool``, text or another non-numeric ``z``, or a
            non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.
        BranchError, ConvergenceError
            When the curve's physical branch cannot be followed to ``z``
            (curve-based laws).

        Examples
        --------
        >>> from freealg import FussCatalan
        >>> g = complex(FussCatalan(2).cauchy(-1.0))      # real root of G³ + G + 1 = 0
        >>> round(g.real, 12), abs(g.imag) < 1e-12
        (-0.682327803828, True)
        """
        self._require_numeric("cauchy")
        _complex_points(z, "z")
        return self._numeric_curve().cauchy(z, dps=check_dps(dps))

    def density(self, x, dps=None, *, strict=True):
        """Density of the absolutely continuous part with its evidence (via the
        curve by default; closed-form laws evaluate their formula and check it
        against ``-Im G(x + i0)/π``).  ``pdf(x)`` gives the values alone.

        The project convention (docs/density.md): 0 outside the closed
        support and at a soft edge, ``+inf`` at a hard edge where the density
        diverges, ``nan`` exactly at an atom location (:meth:`atoms`).

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` (default) for float64 values; else mpmath values at that
            many digits (``density_mp`` of the result), ``dps <= 1000``
            (``dps >= 15`` for laws computed through their curve, ``dps >= 1``
            for closed forms).
        strict : bool, optional
            ``True`` (default): raise when a value fails its certification;
            ``False``: return it flagged in the evidence.

        Returns
        -------
        DensityResult
            ``.density`` holds the float values (``pdf(x)``), ``.evidence``
            the checks, ``.density_mp`` the mpmath values with ``dps``.

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or symbolic parameters
            (substitute first with :meth:`subs`).
        InvalidArgumentTypeError
            For a non-numeric ``x``, a non-integer ``dps`` or a non-bool ``strict``.
        TooLargeError
            If ``dps > 1000``.
        CertificationError
            With ``strict=True``, when a value fails its certification checks.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle().density([0.0, 2.0, 3.0]).density     # 1/π, soft edge, outside
        array([0.31830989, 0.        , 0.        ])
        """
        self._require_numeric("density")
        _real_points(x, "x")
        return self._numeric_curve().density(x, dps=check_dps(dps), strict=strict)

    def _density_values(self, x, dps=None):
        """The density values alone (the fast path of :meth:`pdf` and the CDF):
        the closed form itself when the law has one, else ``density(x)``'s values
        (mpmath values with ``dps``)."""
        values = getattr(type(self).density, "_values", None)
        if values is not None:
            return values(self, x, dps)
        res = self.density(x, dps=dps)
        if dps is not None and res.density_mp is not None:
            out = np.empty(len(res.density_mp), dtype=object)
            out[:] = list(res.density_mp)
            return out.reshape(np.shape(res.density))
        return res.density

    def support(self):
        """Intervals of the absolutely continuous part (via the curve by default).

        Returns
        -------
        list of tuple
            ``[(a, b), ...]`` sorted intervals: exact sympy edges for an exact
            law, floats for a float law; ``[]`` for a purely atomic law.

        Raises
        ------
        InvalidArgumentError
            When the edges depend on symbolic parameters that must be numbers
            (substitute first with :meth:`subs`).

        Examples
        --------
        >>> from freealg import Semicircle, PointMass
        >>> Semicircle(0, 4).support()
        [(-4, 4)]
        >>> PointMass(2).support()
        []
        """
        self._require_numeric("support")
        return self._pairs_kind(self._numeric_curve().support())

    def atoms(self):
        """Atoms ``(location, mass)`` (via the curve by default).

        Returns
        -------
        list of tuple
            ``[(location, mass), ...]``: exact sympy values for an exact law,
            floats for a float law; ``[]`` when there is no atom.

        Raises
        ------
        InvalidArgumentError
            When whether an atom exists depends on symbolic parameters
            (substitute first with :meth:`subs`).

        Examples
        --------
        >>> import sympy
        >>> from freealg import MarchenkoPastur, Atomic, PointMass
        >>> MarchenkoPastur(sympy.Rational(1, 2)).atoms()     # mass 1 − λ at 0
        [(0, 1/2)]
        >>> Atomic([0, 2], [sympy.Rational(1, 4), sympy.Rational(3, 4)]).atoms()
        [(0, 1/4), (2, 3/4)]
        >>> PointMass(0.5).atoms()
        [(0.5, 1.0)]
        """
        self._require_numeric("atoms")
        return self._pairs_kind(self._numeric_curve().atoms())

    def affine(self, shift=0, scale=1):
        r"""Law of ``shift + scale·X``: a curve in general.

        Families closed under affine maps return a named law (``PointMass``,
        ``Atomic``, ``Semicircle``, ``Arcsine``; ``scale = 0`` gives the
        point mass at ``shift``); other laws return the
        :class:`SpectralCurve` of the image.

        Parameters
        ----------
        shift : number or sympy expression, optional
            Added after scaling (default 0).
        scale : number or sympy expression, optional
            Multiplier (default 1).

        Returns
        -------
        Law or SpectralCurve
            The image law; a float law (or a float ``shift``/``scale``) gives
            a float law.

        Raises
        ------
        InvalidArgumentError
            For a non-finite or complex ``shift``/``scale``; for a float law
            whose image must go through its curve (use
            ``law.curve(exact=True).affine(shift, scale)``).
        InvalidArgumentTypeError
            For a ``shift``/``scale`` that is not a number or a sympy
            expression.
        NotAlgebraicError
            For a law without an algebraic curve and no affine closed form
            (:class:`ActivationDerivativeLaw`).

        Examples
        --------
        >>> Bernoulli(sympy.Rational(1, 2)).affine(1, 2).moments(2)     # atoms 1, 3
        [2, 5]
        """
        if self._float:
            raise _float_param_error(self, "affine()", "law.curve(exact=True).affine(shift, scale)")
        return self.curve().affine(shift, scale)

    def invert(self):
        r"""Law of ``1/X`` as a curve (needs no atom at 0; see
        :meth:`SpectralCurve.invert`).

        Returns
        -------
        SpectralCurve
            The curve of the law of ``1/X``.

        Raises
        ------
        InvalidArgumentError
            For a float law (use ``law.curve(exact=True).invert()``), or, from
            :meth:`SpectralCurve.invert`, a law with an atom at 0.
        NotAlgebraicError
            For a law without an algebraic curve.

        Examples
        --------
        >>> PointMass(4).invert().moments(2)
        [1/4, 1/16]
        """
        if self._float:
            raise _float_param_error(self, "invert()", "law.curve(exact=True).invert()")
        return self.curve().invert()

    # -- printing and identity ------------------------------------------------
    def _key(self):
        return (type(self).__name__, self._float,
                tuple((k, _hashable(v)) for k, v in self._params.items()))

    def __eq__(self, other):
        return isinstance(other, Law) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        """Text that evaluates to the same law (``from freealg import *`` and
        ``from sympy import *``), e.g. ``MarchenkoPastur(rate=Rational(1, 3), jump=1)``;
        a float law shows its floats as given (``MarchenkoPastur(rate=0.3, jump=1)``)."""
        inner = ", ".join(f"{k}={_src(v)}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({inner})"

    def _latex_name(self, printer=None):
        lat = (printer.doprint if printer is not None else sympy.latex)
        inner = ", ".join(lat(sympify_safe(v)) if not isinstance(v, (list, tuple))
                          else "(" + ", ".join(lat(u) for u in v) + ")"
                          for v in self.parameters.values())
        return rf"\mathrm{{{type(self).__name__}}}\left({inner}\right)"

    def _latex(self, printer=None):
        return self._latex_name(printer)

    def latex(self):
        """LaTeX name of the law, e.g. ``\\mathrm{Semicircle}\\left(0, 1\\right)``.

        Returns
        -------
        str
            LaTeX source (no surrounding ``$``).

        Examples
        --------
        >>> from freealg import Semicircle
        >>> print(Semicircle().latex())
        \\mathrm{Semicircle}\\left(0, 1\\right)
        """
        return self._latex()

    def _repr_latex_(self):
        return f"${self._latex()}$"


def _atomic_cauchy(law, points, weights, z, dps):
    """``Σ w_i/(z − a_i)``; a point exactly at an atom (a pole) raises
    :class:`InvalidArgumentError` (see :func:`_pole_error`)."""
    if dps is None:
        zz = _complex_points(z, "z").astype(complex)
        out = np.zeros_like(zz)
        hit = np.zeros(zz.shape, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for p, v in zip(points, weights):
                d = zz - _f(p)
                hit |= d == 0
                out = out + _f(v) / np.where(d == 0, 1, d)
        if hit.any():
            raise _pole_error(law, zz.ravel()[int(np.flatnonzero(hit.ravel())[0])])
        out = _finite_values(out, zz, law, "cauchy")
        return out[()] if out.ndim == 0 else out
    _complex_points(z, "z")
    pm = [(_mp(p, dps), _mp(v, dps)) for p, v in zip(points, weights)]

    def f(t):
        if any(t == p for p, _ in pm):
            raise _pole_error(law, t)
        return sum(v / (t - p) for p, v in pm)

    return _apply(z, dps, None, f)


def _finite_transform(out, owner, which, w):
    """``out``, the exact transform at the (checked, finite) point ``w``, unless
    it is ``nan``/``zoo``/``oo``: a pole or branch point of the closed form,
    raised as :class:`TransformUndefinedError` instead of returned."""
    if isinstance(out, sympy.Basic) and out.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise TransformUndefinedError(
            f"the {which}-transform of {owner!r} is not defined at w = {w} (a pole or branch "
            "point of its closed form); evaluate it at another w, e.g. a smaller |w|"
        )
    return out


def _atomic_density(atoms, x, dps):
    """Zero density with ``nan`` exactly at the atom locations."""
    arr = _real_points(x, "x")
    if dps is not None:
        from .._utils.mpctx import mpmath
        dps = check_dps(dps)
        locs = [_mp(a, dps) for a, _ in atoms]
        with mpmath.workdps(dps):
            vals = [mpmath.nan if any(mpmath.mpmathify(v) == a for a in locs) else mpmath.mpf(0)
                    for v in arr.ravel()]
        out = np.empty(len(vals), dtype=object)
        out[:] = vals
        return out[0] if arr.ndim == 0 else out.reshape(arr.shape)
    out = np.where(_at_points(arr, [_f(a) for a, _ in atoms]), np.nan, 0.0)
    return out[()] if out.ndim == 0 else out


def _hashable(v):
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(u) for u in v)
    return sympy.srepr(v) if isinstance(v, sympy.Basic) else v


def _fmt(v):
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(u) for u in v) + "]"
    return str(v)


def _src(v):
    """Text that evaluates (with ``from sympy import *``) to the exact value:
    ``Rational(1, 3)`` rather than ``1/3``; ``srepr`` when the short form would
    not round-trip (e.g. a rational power)."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_src(u) for u in v) + "]"
    if not isinstance(v, sympy.Basic):
        return repr(v)
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Rational(self, e):
            return f"Rational({e.p}, {e.q})"

    text = _Printer().doprint(v)
    # Round-trip check without eval (a Symbol's name is arbitrary text): the plain
    # printer's output must parse back to v with the safe grammar; the Rational-style
    # text differs from it only in how rationals are spelled.
    from .._utils.safeparse import parse_symbolic

    try:
        back = parse_symbolic(str(v), "repr", {str(sym): sym for sym in v.free_symbols})
    except FreealgError:
        back = None
    if back is not None and back == v:
        return text
    return sympy.srepr(v)


# ---------------------------------------------------------------------------
# named laws
# ---------------------------------------------------------------------------


class PointMass(Law):
    r"""The point mass ``δ_a``: ``G(z) = 1/(z − a)``, ``R(w) = a``, ``S(w) = 1/a``.

    The law of ``σ²·OᵀO`` (orthogonal weights) is ``PointMass(σ²)``.

    Parameters
    ----------
    a : number or sympy expression, optional
        The location (default 0).  A float makes a float law.

    Raises
    ------
    InvalidArgumentError
        If ``a`` is not finite or not real.
    InvalidArgumentTypeError
        If ``a`` is not a number or a sympy expression.

    Examples
    --------
    >>> PointMass(2).curve()
    SpectralCurve(G*z - 2*G - 1)
    >>> complex(PointMass(2).cauchy(3.0))
    (1+0j)
    """

    def __init__(self, a=0):
        self._params = {"a": _exact(a, "a")}
        self._set_kind({"a": a})

    def _moments(self, n):
        a = self._params["a"]
        return [a**k for k in range(1, n + 1)]

    def _exact_free_cumulants(self, n):
        n = _check_order(n)
        return [self._params["a"]] + [sympy.Integer(0)] * (n - 1) if n else []

    def _s_rational(self):
        a = self._params["a"]
        return None if a == 0 else 1 / a

    def _r_rational(self):
        return self._params["a"]

    def curve(self, exact=False):
        """``G(z − a) − 1 = 0`` (``exact=True`` for a float law: see :meth:`Law.curve`).

        Parameters
        ----------
        exact : bool, optional
            Must be ``True`` for a float law (see :meth:`Law.curve`).

        Returns
        -------
        SpectralCurve
            The curve, linear in ``G``.

        Raises
        ------
        InvalidArgumentError
            For a float law without ``exact=True``.

        Examples
        --------
        >>> PointMass(3).curve()
        SpectralCurve(G*z - 3*G - 1)
        """
        from .curves import SpectralCurve

        self._check_curve_kind(exact)
        return SpectralCurve.from_r_transform(self._params["a"], law=self._exact_twin())

    def cauchy(self, z, dps=None):
        """``1/(z − a)``.

        Parameters
        ----------
        z : complex or array_like of complex
            Points off the atoms.
        dps : int or None, optional
            ``None`` for numpy complex values; ``1 <= dps <= 1000`` for
            mpmath values at that many digits.

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, else a complex array (mpmath
            ``mpc`` numbers with ``dps``).

        Raises
        ------
        InvalidArgumentError
            Exactly at the atom ``z = a``, a pole of ``G`` (evaluate at
            ``a + i·ε``; the mass is in :meth:`atoms`); for a non-finite ``z``.
        InvalidArgumentTypeError
            For a ``bool``, text or another non-numeric ``z``.

        Examples
        --------
        >>> complex(PointMass(1).cauchy(3.0))
        (0.5+0j)
        """
        self._require_numeric("cauchy")
        return _atomic_cauchy(self, [self._params["a"]], [sympy.Integer(1)], z, dps)

    @_closed_form
    def density(self, x, dps=None):
        """Zero (no absolutely continuous part), ``nan`` exactly at the atom.

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` for float64 values; ``1 <= dps <= 1000`` for mpmath
            values at that many digits.

        Returns
        -------
        float or ndarray of float
            Zeros, with ``nan`` at the atom locations (mpmath numbers with
            ``dps``).

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or symbolic parameters
            (substitute first with :meth:`subs`).
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> PointMass(1).pdf([0.0, 1.0])
        array([ 0., nan])
        """
        self._require_numeric("density")
        return _atomic_density(self._exact_twin().atoms(), x, dps)

    def support(self):
        return []

    def atoms(self):
        return self._pairs_kind([(self._params["a"], sympy.Integer(1))])

    @_keeps_float_kind
    def affine(self, shift=0, scale=1):
        return PointMass(_exact(shift, "shift") + _exact(scale, "scale") * self._params["a"])


class Atomic(Law):
    r"""A finitely supported law ``Σ_i w_i δ_{a_i}``.

    ``G(z) = Σ_i w_i / (z − a_i)``, so the curve is linear in ``G``:
    ``Π_i (z − a_i) G − Σ_i w_i Π_{j≠i}(z − a_j) = 0``.

    Parameters
    ----------
    points : sequence
        Distinct locations (repeated points are merged, their weights added).
    weights : sequence
        Non-negative, summing to one (exactly, for exact weights).  A float
        point or weight makes a float law (points and weights shown and
        returned as floats); float weights summing to one up to their
        rounding (``[0.1, 0.2, 0.7]``) are normalised exactly.

    Raises
    ------
    InvalidLawError
        If a weight is negative or the weights do not sum to one.

    Examples
    --------
    >>> mu = Atomic([0, 2], [sympy.Rational(1, 4), sympy.Rational(3, 4)])
    >>> mu.moments(3)
    [3/2, 3, 6]
    >>> Atomic([0, 1], [0.5, 0.6])
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidLawError: Atomic weights must sum to 1; got sum 1.1 (weights [0.5, 0.6]): not a probability measure. Normalise the weights (divide by their sum).
    """

    def __init__(self, points, weights):
        for arg, what in ((points, "points"), (weights, "weights")):
            if isinstance(arg, (str, bytes, dict)) or not hasattr(arg, "__iter__"):
                raise InvalidArgumentTypeError(
                    f"Atomic {what} must be a sequence of numbers; got {_describe(arg)} of type "
                    f"{type(arg).__name__}"
                )
        pts = [_exact(p, f"points[{i}]") for i, p in enumerate(points)]
        wts = [_exact(v, f"weights[{i}]") for i, v in enumerate(weights)]
        if len(pts) != len(wts) or not pts:
            raise InvalidLawError(
                f"Atomic needs as many weights as points (at least one); got {len(pts)} points "
                f"and {len(wts)} weights"
            )
        for i, v in enumerate(wts):
            s = _sign(v)
            if s is not None and s < 0:
                raise InvalidLawError(
                    f"Atomic weight weights[{i}] = {v} is negative: not a probability measure"
                )
        total = _ds.simplify(sum(wts))
        if (total != 1 and _any_float(*weights) and _is_numeric(total)
                and abs(_to_float(total - 1)) <= 4 * len(wts) * np.finfo(float).eps):
            # float weights summing to 1 up to their rounding: normalised exactly
            # (the floats shown by the law stay as given)
            wts = [v / total for v in wts]
            total = sympy.Integer(1)
        if total != 1 and (_is_numeric(total) or sympy.expand(total - 1) != 0):
            shown = (f"{_to_float(total)!r} (weights {list(weights)!r})"
                     if _any_float(*weights) and _is_numeric(total) else f"{total} (weights {_fmt(wts)})")
            raise InvalidLawError(
                f"Atomic weights must sum to 1; got sum {shown}: not a "
                "probability measure. Normalise the weights (divide by their sum)."
            )
        merged = {}
        order = []
        for p, v in zip(pts, wts):
            key = _ds.simplify(p)
            if key in merged:
                merged[key] += v
            else:
                merged[key] = v
                order.append(key)
        pts = [p for p in order if merged[p] != 0]
        wts = [merged[p] for p in pts]
        try:
            idx = sorted(range(len(pts)), key=lambda i: float(pts[i]))
            pts = [pts[i] for i in idx]
            wts = [wts[i] for i in idx]
        except TypeError:
            pass  # symbolic points keep their order
        self._params = {"points": tuple(pts), "weights": tuple(wts)}
        if _any_float(*points, *weights):
            self._mark_float()

    def subs(self, *args, **kwargs):
        pts = [sympify_safe(p).subs(*sympify_safe(args), **kwargs) for p in self.points]
        wts = [sympify_safe(v).subs(*sympify_safe(args), **kwargs) for v in self.weights]
        return Atomic(pts, wts)

    def _exact_twin(self):
        return Atomic(self._pts(), self._wts()) if self._float else self

    def _pts(self):
        """The exact locations."""
        return list(self._params["points"])

    def _wts(self):
        """The exact weights."""
        return list(self._params["weights"])

    @property
    def points(self):
        """The locations (floats for a float law)."""
        return self._as_kind(self._pts())

    @property
    def weights(self):
        """The weights (floats for a float law)."""
        return self._as_kind(self._wts())

    def _moments(self, n):
        return [sum(v * p**k for p, v in zip(self._pts(), self._wts())) for k in range(1, n + 1)]

    def curve(self, exact=False):
        """``Π(z − a_i) G − Σ w_i Π_{j≠i}(z − a_j) = 0`` (``exact=True`` for a
        float law: see :meth:`Law.curve`).

        Parameters
        ----------
        exact : bool, optional
            Must be ``True`` for a float law (see :meth:`Law.curve`).

        Returns
        -------
        SpectralCurve
            The curve, linear in ``G``.

        Raises
        ------
        InvalidArgumentError
            For a float law without ``exact=True``.

        Examples
        --------
        >>> Atomic([0, 1], [sympy.Rational(1, 2), sympy.Rational(1, 2)]).curve()
        SpectralCurve(2*G*z**2 - 2*G*z - 2*z + 1)
        """
        from .curves import SpectralCurve, Z, G

        self._check_curve_kind(exact)
        pts, wts = self._pts(), self._wts()
        lead = sympy.Mul(*[(Z - a) for a in pts])
        rest = sum(v * sympy.Mul(*[(Z - b) for j, b in enumerate(pts) if j != i])
                   for i, v in enumerate(wts))
        return SpectralCurve(lead * G - rest, law=self._exact_twin())

    def cauchy(self, z, dps=None):
        """``Σ w_i/(z − a_i)``.

        Parameters
        ----------
        z : complex or array_like of complex
            Points off the atoms.
        dps : int or None, optional
            ``None`` for numpy complex values; ``1 <= dps <= 1000`` for
            mpmath values at that many digits.

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, else a complex array (mpmath
            ``mpc`` numbers with ``dps``).

        Raises
        ------
        InvalidArgumentError
            Exactly at an atom ``a_i``, a pole of ``G`` (evaluate at
            ``a_i + i·ε``; the masses are in :meth:`atoms`); for a non-finite ``z``.
        InvalidArgumentTypeError
            For a ``bool``, text or another non-numeric ``z``.

        Examples
        --------
        >>> complex(Atomic([0, 2], [0.5, 0.5]).cauchy(1j))     # 0.5/i + 0.5/(i − 2)
        (-0.2-0.6j)
        """
        self._require_numeric("cauchy")
        pairs = [(p, v) for p, v in zip(self._pts(), self._wts()) if v != 0]
        return _atomic_cauchy(self, [p for p, _ in pairs], [v for _, v in pairs], z, dps)

    @_closed_form
    def density(self, x, dps=None):
        """Zero (no absolutely continuous part), ``nan`` exactly at the atoms
        (:meth:`atoms` lists them).

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None`` for float64 values; ``1 <= dps <= 1000`` for mpmath
            values at that many digits.

        Returns
        -------
        float or ndarray of float
            Zeros, with ``nan`` at the atom locations (mpmath numbers with
            ``dps``).

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or symbolic parameters
            (substitute first with :meth:`subs`).
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> Bernoulli(0.5).pdf([0.0, 0.5, 1.0])
        array([nan,  0., nan])
        """
        self._require_numeric("density")
        return _atomic_density(self._exact_atoms(), x, dps)

    def support(self):
        return []

    def _exact_atoms(self):
        return list(zip(self._pts(), self._wts()))

    def atoms(self):
        return self._pairs_kind(self._exact_atoms())

    @_keeps_float_kind
    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        return Atomic([s + c * p for p in self._pts()], self._wts())

    def __repr__(self):
        prm = self.parameters
        return f"Atomic(points={_src(list(prm['points']))}, weights={_src(list(prm['weights']))})"


class Bernoulli(Atomic):
    r"""The Bernoulli law ``(1 − p) δ_0 + p δ_1`` (the law of a projection of
    trace ``p``; for ReLU, ``D² ~ Bernoulli(1/2)``).

    ``S(w) = (1 + w)/(p + w)`` (docs/theory.md §2).

    Parameters
    ----------
    p : number or sympy expression
        The mass of the atom at 1, in ``[0, 1]``.  A float makes a float law.

    Raises
    ------
    InvalidLawError
        If a numeric ``p`` lies outside ``[0, 1]``.
    InvalidArgumentError
        If ``p`` is not finite or not real.
    InvalidArgumentTypeError
        If ``p`` is not a number or a sympy expression.

    Examples
    --------
    >>> import sympy
    >>> p = sympy.Symbol("p", positive=True)
    >>> Bernoulli(p).moments(3)
    [p, p, p]
    >>> Bernoulli(p).s_transform()
    (w + 1)/(p + w)
    >>> Bernoulli(p).curve()
    SpectralCurve(G*z**2 - G*z - p - z + 1)
    """

    def __init__(self, p):
        pe = _exact(p, "p")
        s0, s1 = _sign(pe), _sign(pe - 1)
        if (s0 is not None and s0 < 0) or (s1 is not None and s1 > 0):
            raise InvalidLawError(f"Bernoulli parameter p = {pe} must lie in [0, 1]")
        Law.__init__(self)
        self._params = {"p": pe}
        self._set_kind({"p": p})

    @property
    def p(self):
        """The probability of the atom at 1 (a float for a float law)."""
        return self.parameters["p"]

    def _pts(self):
        return [sympy.Integer(0), sympy.Integer(1)]

    def _wts(self):
        return [1 - self._params["p"], self._params["p"]]

    def _exact_twin(self):
        return Bernoulli(self._params["p"]) if self._float else self

    def subs(self, *args, **kwargs):
        return Bernoulli(sympify_safe(self.p).subs(*sympify_safe(args), **kwargs))

    def _moments(self, n):
        return [self._params["p"]] * n

    def _s_rational(self):
        p = self._params["p"]
        return None if p == 0 else (1 + W) / (p + W)

    def _r_closed(self):
        # R(w) = (w − 1 + √((1 − w)² + 4pw))/(2w), written without the removable
        # singularity at w = 0 (and without its cancellation for small |w|)
        p = self._params["p"]
        return 2 * p / (1 - W + sympy.sqrt((1 - W) ** 2 + 4 * p * W))

    def _exact_atoms(self):
        return [(a, m) for a, m in zip(self._pts(), self._wts()) if m != 0]

    @_keeps_float_kind
    def affine(self, shift=0, scale=1):
        s, c = _exact(shift, "shift"), _exact(scale, "scale")
        p = self._params["p"]
        return Atomic([s, s + c], [1 - p, p])

    def __repr__(self):
        return f"Bernoulli({_src(self.p)})"


# the continuous named laws and the activation laws live in private modules
# (split for size) and are re-exported here


def _numeric_evaluator(law, attr, expr, w):
    """Evaluate ``expr(W)`` at numeric ``w`` (numpy arrays and complex/float
    scalars vectorised through numpy, mpmath numbers through mpmath), with the
    lambdified functions cached on the law; ``None`` for symbolic ``w``."""
    import numpy as np

    from .._utils.mpctx import lambdify_modules

    is_mp = type(w).__module__.startswith("mpmath")
    is_np = isinstance(w, (np.ndarray, np.number, complex, float, int)) and not isinstance(w, bool)
    if not (is_mp or is_np):
        return None
    expr = sympify_safe(expr)
    extra = expr.free_symbols - {W}
    if extra:
        law._require_numeric(f"numerical evaluation of {attr.strip('_')}")
    cache = law.__dict__.setdefault("_numeric_cache_fns", {})
    key = (attr, "mpmath" if is_mp else "numpy")
    if key not in cache:
        cache[key] = sympy.lambdify(W, expr, lambdify_modules() if is_mp else "numpy")
    f = cache[key]
    if is_mp:
        return f(w)
    arr = np.asarray(w, dtype=complex)
    what = attr.strip("_").replace("_numeric", "_transform")
    check_finite_array(arr, "w", dtype=complex)
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(f(arr), dtype=complex)
        out = np.broadcast_to(out, arr.shape).copy() if out.shape != arr.shape else out
    except OverflowError:  # an exact coefficient beyond the float range
        out = np.full(arr.shape, complex(np.nan, np.nan))
    bad = ~np.isfinite(out)
    if bad.any():
        # redo those entries in mpmath (no overflow in intermediate steps)
        from .._utils.mpctx import mpmath
        key = (attr, "mpmath")
        if key not in cache:
            from .._utils.mpctx import lambdify_modules

            cache[key] = sympy.lambdify(W, expr, modules=lambdify_modules())
        flat, res = arr.ravel(), out.ravel()
        with mpmath.workdps(30):
            for i in np.flatnonzero(bad.ravel()):
                try:
                    v = cache[key](mpmath.mpc(flat[i]))
                    res[i] = complex(v)
                except (ZeroDivisionError, OverflowError):
                    v = None
                if v is None or not np.isfinite(res[i]):
                    raise TransformUndefinedError(
                        f"{what} of {law!r} at w = {flat[i]} is not a finite float64 number "
                        f"(value {v}): a pole of the transform, or beyond the float64 range"
                    )
        out = res.reshape(arr.shape)
    return out if isinstance(w, np.ndarray) else complex(out)
