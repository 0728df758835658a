r"""Free multiplicative convolutions of arbitrary laws on ``[0, oo)``: the
law of ``⊠_j mu_j^{⊠ L_j}`` from the factors' S- or Cauchy transforms.

No spectral curve is needed (a curve of ``MP^{⊠L}`` has degree ``L + 1``; the
law of ``tanh'(sqrt(q) z)^2`` has none), and the cost does not grow with the
powers ``L_j``: ``L = 10^4`` costs what ``L = 1`` does.

Equation.  With ``w = z G(z) - 1 = psi(1/z)`` the product satisfies
``z w S(w) = 1 + w``, ``S = prod_j S_j^{L_j}`` (docs/theory.md §1).  It is
solved in logarithmic form,

    lg(1 + w) - lg(z w) - sum_j L_j log S_j(w) = 0,

with ``lg(u) = Log(i u) - i pi/2`` (branch cut on the positive imaginary
axis).  For measures on ``[0, oo)`` and ``Im z >= 0`` the numbers ``1 + w = zG``,
``z w`` and the factors' ``(1 + w)/S_j(w) = zeta_j w`` (``zeta_j`` the
subordination point of factor ``j``, in the upper half plane) all lie in the
closed lower half plane, so these logarithms are continuous along the branch
and the equation holds exactly, not modulo ``2 pi i``: the spurious roots of
``(1 + w)^{L+1} = z w`` are not solutions.  A factor without a closed
S-transform enters through its Cauchy transform: an extra unknown ``zeta_j``
with ``lg(zeta_j G_j(zeta_j)) = lg(1 + w)`` and ``log S_j = lg(1 + w) -
lg(zeta_j w)``.

Method.  The same vertical predictor-corrector continuation as for curves
(:mod:`freealg.density.continuation`): from ``x + i Y0`` (``w`` from the moment
series) down to ``x + i y`` or the real axis, Newton with an iteration cap,
a basin check (the correction must stay within a quarter of
``|F_w / F_ww|``) and branch guards (``1 + w``, ``z w`` and ``zeta_j w`` in the
closed lower half plane, ``zeta_j`` in the upper half plane).  Where the
float64 error bound exceeds ``1e-12`` relative (near edges) and every factor
has an S-transform that accepts mpmath numbers, the value is polished with
mpmath Newton.  Every density carries the evidence of
:func:`freealg.density.curve_density`, with the exact moments of the product
(from the factors' moment sequences, always available).

Factor protocol: ``moments(n)`` (exact or float, ``m_1..m_n``), ``cauchy(z)``
(vectorised complex), ``atoms()`` (list of ``(location, mass)``), and
optionally ``s_transform(w)`` (vectorised; used when present),
``s_transform_derivative(w)`` and ``cauchy_derivative(z)`` (used for Newton's
method when present, else numerical differentiation), ``cauchy_boundary(x)``
(``(G(x + i0), error)`` at real ``x``), ``cauchy_error(z)`` and
``psi_and_derivative(z)`` (``(zG - 1, (zG)', error, zG)`` summed without the
cancellation of ``zG - 1`` far from the factor's support; used for the
subordination equation when present).

Pushforwards.  When one factor without an S-transform has power 1 and every
other factor is a point mass ``delta_a``, the product is that factor rescaled
by ``c = prod a^L`` and its subordination point is ``zeta = z/c``, which
reaches the real axis with ``z``: there the equation needs the factor's
boundary values, which a Cauchy transform known off the axis does not supply.
Such a law is evaluated directly, ``G(z) = G_mu(z/c)/c``, with
``cauchy_boundary`` on the axis (required; TransformUndefinedError otherwise),
and certified like any other density.

Examples
--------
A small factor class (any object with these methods works, e.g. the laws of
:mod:`freealg.laws`): Marchenko-Pastur of ratio 1, ``S(w) = 1/(1 + w)``.

>>> import numpy as np
>>> from fractions import Fraction
>>> from math import comb
>>> class MP:
...     def moments(self, n):
...         return [Fraction(comb(2 * k, k), k + 1) for k in range(1, n + 1)]
...     def cauchy(self, z):
...         z = np.asarray(z, complex)
...         return (z - np.sqrt(z) * np.sqrt(z - 4)) / (2 * z)
...     def s_transform(self, w):
...         return 1 / (1 + w)
...     def atoms(self):
...         return []
>>> law = free_mul_law([MP()], powers=[2])          # MP ⊠ MP
>>> law.moments(4)                                   # Fuss-Catalan
[1, 3, 12, 55]
>>> res = law.density([1.0, 7.0])
>>> res.support, res.evidence.ok
([(0.0, 6.75...)], True)
"""

from __future__ import annotations

from ..laws.interface import LawMethods
from .._utils.symbolic import sympify_safe
import math
from fractions import Fraction

import numpy as np

from . import certify as _certify
from .._utils import series as _series
from .continuation import EPS, descend
from ..errors import InvalidArgumentError, InvalidLawError, TransformUndefinedError

__all__ = ["free_mul_law", "FreeMulLaw"]

_MP_DPS = 30  # digits of the mpmath continuation next to branch points
_MP_FALLBACK_MAX = 64  # most points continued in mpmath per call


def _lg(u):
    """Logarithm with its cut on the positive imaginary axis (continuous on
    the closed lower half plane), ``lg(1) = 0``."""
    return np.log(1j * u) - 0.5j * np.pi


def _circle_derivs(f, w, h):
    """First and second derivative of an analytic ``f`` by the 4-point rule
    on a circle of radius ``h`` (errors ``O(h^4)``, ``O(h^2)``)."""
    f0 = f(w)
    fp, fm = f(w + h), f(w - h)
    fi, fmi = f(w + 1j * h), f(w - 1j * h)
    d1 = ((fp - fm) - 1j * (fi - fmi)) / (4 * h)
    d2 = ((fp + fm) - (fi + fmi)) / (2 * h * h)
    return f0, d1, d2


class _Closed:
    """A factor entering through its S-transform.

    When ``s_transform`` accepts a sympy symbol, ``S`` is rewritten in
    ``u = 1 + w`` and differentiated exactly (no cancellation near ``w = -1``,
    where ``S`` of a law without an atom at 0 is singular and which the branch
    approaches at a hard edge at 0); otherwise ``S`` is evaluated as given and
    differentiated numerically.
    """

    def __init__(self, law, power):
        self.law = law
        self.L = power
        self.has_deriv = callable(getattr(law, "s_transform_derivative", None))
        self.sym = None
        self.expr_u = None
        self.sym_exact = False
        self._symbolic()

    def _symbolic(self):
        import sympy

        wsym, usym = sympy.symbols("w_s u_s")
        try:
            expr = sympify_safe(self.law.s_transform(wsym))
        except (TypeError, ValueError, AttributeError, sympy.SympifyError):
            return
        if not isinstance(expr, sympy.Expr) or not expr.free_symbols <= {wsym}:
            return
        e_u = sympy.cancel(expr.subs(wsym, usym - 1))
        d1 = sympy.diff(e_u, usym)
        d2 = sympy.diff(d1, usym)
        self.expr_u = e_u
        # no float constants: the mpmath form is exact at any precision
        self.sym_exact = not e_u.atoms(sympy.Float)
        self.sym = tuple(sympy.lambdify(usym, e, "numpy") for e in (e_u, d1, d2))
        from .._utils.mpctx import lambdify_modules

        # S, S', S'' in u = 1 + w for mpmath (the derivatives serve Newton's
        # method and the basin radius of the mpmath continuation)
        self.sym_mp = tuple(sympy.lambdify(usym, e, lambdify_modules()) for e in (e_u, d1, d2))

    def S(self, w):
        return np.asarray(self.law.s_transform(w), dtype=complex)

    def eval(self, w, u):
        """``S, S'/S, (S'/S)'`` at ``w`` (``u = 1 + w`` given accurately)."""
        with np.errstate(all="ignore"):
            if self.sym is not None:
                f0, f1, f2 = self.sym
                ones = np.ones_like(u)
                S = f0(u) * ones
                dl = f1(u) * ones / S
                ddl = f2(u) * ones / S - dl * dl
                return S, dl, ddl
            if self.has_deriv:
                S = self.S(w)
                dS = np.asarray(self.law.s_transform_derivative(w), dtype=complex)
                h = 1e-4 * np.maximum(np.abs(S / dS), 1e-300)
                _, _, d2 = _circle_derivs(self.S, w, h)
            else:
                # radius adapted to the distance |S/S'| to the nearest zero or
                # pole of S (a tiny first radius cannot jump over a pole)
                h = 1e-8 * (1.0 + np.abs(w))
                for _ in range(2):
                    S, dS, d2 = _circle_derivs(self.S, w, h)
                    hn = 1e-3 * np.minimum(np.abs(S / dS), 1.0 + np.abs(w))
                    h = np.where(np.isfinite(hn) & (hn > 0), hn, h)
                S, dS, d2 = _circle_derivs(self.S, w, h)
            dl = dS / S
            ddl = d2 / S - dl * dl
        return S, dl, ddl

    def S_mp(self, w):
        """``S`` at an mpmath ``w``: the law's own ``s_transform`` when it
        returns an mpmath number (its parameters at the working precision:
        the symbolic form may hold them rounded to doubles, which moves a
        density near an edge by ~1e-16 / distance), else the symbolic form.
        A symbolic form without float constants is exact at any precision
        and used directly (a law's own ``s_transform`` may recompute its
        parameters on every call)."""
        from .._utils.mpctx import mpmath
        if self.sym_exact:
            return mpmath.mpmathify(self.sym_mp[0](1 + w))
        try:
            v = self.law.s_transform(w)
        except (TypeError, ValueError, AttributeError, ZeroDivisionError):
            v = None
        if v is not None and type(v).__module__.startswith("mpmath"):
            return v
        if self.sym is not None:
            return mpmath.mpmathify(self.sym_mp[0](1 + w))
        return mpmath.mpmathify(self.law.s_transform(w))


class _ViaCauchy:
    """A factor entering through its Cauchy transform (extra unknown zeta)."""

    def __init__(self, law, power):
        self.law = law
        self.L = power
        self.has_deriv = callable(getattr(law, "cauchy_derivative", None))
        self.has_both = callable(getattr(law, "cauchy_and_derivative", None))
        # psi(zeta) = zeta G - 1, psi' and its error, summed without cancellation
        self.has_psi = callable(getattr(law, "psi_and_derivative", None))

    def G(self, z):
        return np.asarray(self.law.cauchy(z), dtype=complex)

    def rel_error(self, zeta):
        """Relative accuracy of ``G`` at ``zeta``: the law's
        ``cauchy_rel_error(zeta)`` when it has one, else ``16 eps`` (a
        closed-form Cauchy transform in float64)."""
        fn = getattr(self.law, "cauchy_rel_error", None)
        if callable(fn):
            return np.asarray(fn(zeta), float)
        return 16 * EPS

    def eval(self, zeta):
        """``G, G'`` at ``zeta``: ``cauchy_and_derivative`` (one pass) or
        ``cauchy_derivative`` when the law has them, else a central difference
        with step ``1e-7 |zeta|`` (relative error ~1e-9, enough for Newton's
        method; the solution itself does not depend on it)."""
        with np.errstate(all="ignore"):
            if self.has_both:
                G, dG = self.law.cauchy_and_derivative(zeta)
                return np.asarray(G, dtype=complex), np.asarray(dG, dtype=complex)
            G = self.G(zeta)
            if self.has_deriv:
                return G, np.asarray(self.law.cauchy_derivative(zeta), dtype=complex)
            h = 1e-7 * np.abs(zeta)
            dG = (self.G(zeta + h) - self.G(zeta - h)) / (2 * h)
        return G, dG


def _log1p(w):
    """``log(1 + w)`` accurate for small complex ``w`` (Kahan's trick)."""
    u = 1.0 + w
    with np.errstate(all="ignore"):
        out = np.log(u) * (w / (u - 1.0))
    return np.where(u == 1.0, w, out)


class _MulProblem:
    """Continuation problem for ``v = log(z G) = lg(1 + w)`` (and the zetas).

    The primary unknown is ``v`` rather than ``w``: ``w = expm1(v)`` and
    ``1 + w = exp(v)`` are then both accurate, at infinity (``w -> 0``) and at
    a hard edge at 0 (``1 + w = zG -> 0``).
    """

    def __init__(self, law):
        self.law = law
        self.closed = law._closed
        self.viac = law._viac
        self.nvar = 1 + len(self.viac)

    def _parts(self, U, z, err=None):
        """F, dF/dv (reduced), d2F/dv2 (approx.), rounding scale, the zeta
        equations and the branch guards at ``U = [v, zeta...]``."""
        v = U[:, 0]
        e = 0.0 if err is None else err
        with np.errstate(all="ignore"):
            u = np.exp(v)
            w = np.expm1(v)
            lzw = _lg(z * w)
            F = v - lzw
            Fv = 1 - u / w
            Fvv = u / w**2
            Fabs = 2 + np.abs(v) + np.abs(lzw)
            # branch guards (up to rounding and the error e of v): 1 + w and
            # z w in the closed lower half plane
            guard = (v.imag <= 1e-12 * np.abs(v) + e) & (v.imag >= -np.pi - e) & (
                np.imag(z * w) <= np.abs(z * w) * (1e-12 + e * np.abs(u / w))
            )
            for f in self.closed:
                S, dl, ddl = f.eval(w, u)
                q = u / S
                logS = v - _lg(q)
                F = F - f.L * logS
                Fv = Fv - f.L * dl * u
                Fvv = Fvv - f.L * (ddl * u * u + dl * u)
                Fabs = Fabs + f.L * (2 + np.abs(logS))
                guard &= np.imag(q) <= np.abs(q) * (1e-12 + e * np.abs(1 - dl * u))
            E, a, Fz = [], [], []
            self._eerr = []
            for j, f in enumerate(self.viac):
                zeta = U[:, 1 + j]
                F = F - f.L * (v - _lg(zeta * w))
                Fv = Fv - f.L * (1 - u / w)
                Fvv = Fvv - f.L * u / w**2
                Fabs = Fabs + f.L * (2 + np.abs(v) + np.abs(_lg(zeta * w)))
                if f.has_psi:
                    # zeta G - 1 summed directly: far from the factor's range
                    # zeta G = 1 + O(m_1/zeta) and lg(zeta G) would cancel
                    psi, dpsi, perr, zG = f.law.psi_and_derivative(zeta)
                    small = np.abs(psi) < 0.5
                    E.append(np.where(small, _log1p(psi), _lg(zG)) - v)
                    a.append(dpsi / zG)
                    self._eerr.append(perr / np.abs(zG) + 4 * EPS * (np.where(small, np.abs(psi), 1.0)
                                                                   + np.abs(v)))
                else:
                    G, dG = f.eval(zeta)
                    E.append(_lg(zeta * G) - v)
                    a.append(1 / zeta + dG / G)
                    self._eerr.append(4 * EPS + f.rel_error(zeta))
                Fz.append(f.L / zeta)
                guard &= np.imag(zeta) >= -np.abs(zeta) * (1e-12 + e * np.abs(u / w))
            Feff = Fv.copy()
            for j in range(len(self.viac)):
                Feff = Feff + Fz[j] / a[j]
        return F, Fv, Fvv, Fabs, E, a, Fz, Feff, guard

    # -- interface
    def start(self, z):
        law = self.law
        u = 1.0 / z
        w = np.zeros_like(z)
        for mk in law._mom_float[:10][::-1]:
            w = (w + mk) * u
        cols = [_log1p(w)]
        for f in self.viac:
            S = np.zeros_like(w)
            for c in f.s_series[::-1]:
                S = S * w + c
            cols.append((1 + w) / (w * S))
        return np.stack(cols, axis=1)

    def newton(self, U, z, maxit=40):
        U = U.copy()
        n = U.shape[0]
        conv = np.zeros(n, bool)
        failed = np.zeros(n, bool)
        err = np.full(n, np.inf)
        resid = np.full(n, np.inf)
        dprev = np.full(n, np.inf)
        act = np.arange(n)
        for _ in range(maxit):
            if act.size == 0:
                break
            Ua, za = U[act], z[act]
            F, _, _, Fabs, E, a, Fz, Feff, _ = self._parts(Ua, za)
            with np.errstate(all="ignore"):
                num = F.copy()
                for j in range(len(E)):
                    num = num - Fz[j] * E[j] / a[j]
                dv = -num / Feff
                steps = [dv]
                for j in range(len(E)):
                    steps.append(-(E[j] - dv) / a[j])
                D = np.stack(steps, axis=1)
                ad = np.abs(dv)
                v = Ua[:, 0]
                floor = 4 * EPS * Fabs / np.abs(Feff) + 2 * EPS * np.abs(v)
                for j in range(len(self.viac)):
                    # error of the zeta equation (rounding and the factor's own
                    # accuracy) through the elimination: dv = Fz dE/(a Feff)
                    floor = floor + np.abs(Fz[j] / a[j]) * self._eerr[j] / np.abs(Feff)
                res = np.abs(F) / Fabs
                for j in range(len(E)):
                    res = np.maximum(res, np.abs(E[j]))
            adv = ad
            if len(E):
                # the zetas must settle too (relative steps; this decides
                # convergence only: the error of v is its own step, far from
                # nu's range zeta is ill-conditioned (relative error ~ eps
                # |zeta|/m_1) while v is not)
                zrel = np.max(np.abs(D[:, 1:]) / np.abs(Ua[:, 1:]), axis=1)
                ad = np.maximum(ad, np.where(zrel <= 4 * EPS, 0.0, zrel * (1 + np.abs(v))))
            bad = ~np.all(np.isfinite(D), axis=1)
            ok = ~bad
            U[act[ok]] = Ua[ok] + D[ok]
            done = ok & ((ad <= floor) | ((ad >= 0.5 * dprev[act]) & (ad <= 1e-9 * (1 + np.abs(v)))))
            err[act] = np.maximum(adv, floor)
            resid[act] = res
            dprev[act] = ad
            conv[act[done]] = True
            failed[act[bad]] = True
            act = act[~(done | bad)]
        return U, conv & ~failed, err, resid

    def log_tangent(self, U, z):
        _, _, _, _, _, a, _, Feff, _ = self._parts(U, z)
        v = U[:, 0]
        with np.errstate(all="ignore"):
            cols = [1 / (v * Feff)]
            for j in range(len(a)):
                cols.append(1 / (Feff * a[j] * U[:, 1 + j]))
        return np.stack(cols, axis=1)

    def radius(self, U, z):
        return self.assess(U, z, None)[0]

    def guard(self, U, z, err):
        return self._parts(U, z, err)[-1]

    def assess(self, U, z, err):
        """``(radius, guard)`` from one evaluation; the radius is
        ``|F_v / F_vv|`` (distance to the nearest other root of the local
        quadratic model)."""
        _, _, Fvv, _, _, a, _, Feff, guard = self._parts(U, z, err)
        with np.errstate(all="ignore"):
            if self.viac:
                # the total second derivative where it is numerically resolved
                # (two difference steps agree to 10%); else the explicit part
                # alone (a smaller radius: slower, never less safe)
                F1, F2 = Fvv, Fvv
                for j, f in enumerate(self.viac):
                    c1, c2 = self._zeta_curvature(f, U[:, 1 + j], a[j], 1e-3)
                    F1, F2 = F1 + c1, F2 + c2
                good = np.isfinite(F1) & (np.abs(F1 - F2) <= 0.1 * np.abs(F1))
                Fvv = np.where(good, F1, Fvv)
            r = np.abs(Feff / Fvv)
        return np.where(np.isfinite(r), r, np.inf), guard

    @staticmethod
    def _zeta_curvature(f, zeta, a, step):
        """The part of the total ``d^2 F / dv^2`` that comes from ``zeta(v)``
        (``zeta G(zeta) = e^v``, ``dzeta/dv = 1/a``): ``F_eff`` holds
        ``L/B`` with ``B = zeta a = 1 + zeta G'/G``, whose derivative is
        ``-L B'(zeta)/(a B^2)``, ``B' = G'/G + zeta (G''/G - (G'/G)^2)``.
        Without it the basin radius ``|F_eff/F_vv|`` of a deep product is
        ~L times too small (the explicit ``-L u/w^2`` nearly cancels against
        it) and the continuation takes ~L times too many steps.  ``G''`` by
        central differences of ``G'`` with steps ``h = step |G/G'|`` and
        ``2h`` (a small fraction of the distance to the nearest
        singularity), Richardson-extrapolated.  Returns the term from the
        extrapolated ``G''`` and from the step ``h`` alone (their difference
        is the caller's error estimate)."""
        G, dG = f.eval(zeta)
        h = step * np.abs(G / dG)
        d2 = []
        for hh in (h, 2 * h):
            _, dGp = f.eval(zeta + hh)
            _, dGm = f.eval(zeta - hh)
            d2.append((dGp - dGm) / (2 * hh))
        r1 = dG / G
        B = 1 + zeta * r1
        out = []
        for d2G in ((4 * d2[0] - d2[1]) / 3, d2[0]):
            dB = r1 + zeta * (d2G / G - r1 * r1)
            out.append(-f.L * dB / (a * B * B))
        return out


# ---------------------------------------------------------------------------
# exact side: moments and atoms of the product
# ---------------------------------------------------------------------------


def _exactify(values):
    """Common exact type for moment lists (Fraction when rational)."""
    out = []
    for v in values:
        if isinstance(v, bool):
            raise InvalidLawError(f"moment {v!r} is not a number")
        if isinstance(v, (int, Fraction)):
            out.append(Fraction(v))
        elif type(v).__module__.startswith("sympy") and getattr(v, "is_Rational", False):
            out.append(Fraction(int(v.p), int(v.q)))
        else:
            return None
    return out


def _product_moments(factors, powers, n, numeric_dps=None):
    """Moments of ``⊠ mu_j^{⊠ L_j}`` from the S-series (exact for exact data).

    ``numeric_dps``: compute in mpmath at that precision instead (the float
    moments for scales and start values: with float-derived rational data the
    exact numbers of a depth-500 product have ~10^5 digits and Fraction
    arithmetic on them takes minutes)."""
    from ..combinatorics.convolution import _moments_of_s_series
    from ..cumulants import s_transform_coefficients

    seqs = [list(f.moments(n)) for f in factors]
    exact = [_exactify(s) for s in seqs] if numeric_dps is None else [None]
    if numeric_dps is not None:
        from .._utils.mpctx import mpmath
        with mpmath.workdps(numeric_dps):
            def conv1(v):
                if isinstance(v, Fraction):
                    return mpmath.mpf(v.numerator) / v.denominator
                if getattr(v, "is_Rational", False):
                    return mpmath.mpf(int(v.p)) / int(v.q)
                if type(v).__module__.startswith("sympy") and not getattr(v, "is_Float", False):
                    import sympy

                    # an exact irrational (sqrt(2), pi): its value at the working precision
                    v = sympy.N(v, numeric_dps + 10)
                return mpmath.mpmathify(v)

            conv = [[conv1(v) for v in s] for s in seqs]
            return _product_moments([_Seq(s) for s in conv], powers, n)
    if all(e is not None for e in exact):
        seqs = exact
        one, zero = Fraction(1), Fraction(0)
    else:
        kinds = {type(v).__module__.split(".")[0] for s in seqs for v in s}
        if "sympy" in kinds:
            import sympy

            seqs = [[sympify_safe(v) for v in s] for s in seqs]
            one, zero = sympy.Integer(1), sympy.Integer(0)
        elif "mpmath" in kinds:
            from .._utils.mpctx import mpmath

            seqs = [[mpmath.mpmathify(v) for v in s] for s in seqs]
            one, zero = mpmath.mpf(1), mpmath.mpf(0)
        else:
            seqs = [[float(v) for v in s] for s in seqs]
            one, zero = 1.0, 0.0
    S = [one] + [zero] * (n - 1)
    for seq, L in zip(seqs, powers):
        s = s_transform_coefficients(seq[:n])
        if isinstance(one, Fraction):
            s = [Fraction(v) for v in s]
        S = _series.mul(S, _series.power(s, L, n), n)
    out = _moments_of_s_series(S, n)
    if isinstance(one, Fraction):
        out = [int(v) if v.denominator == 1 else v for v in out]
    return out


class _Seq:
    """A fixed moment sequence posing as a factor (for :func:`_product_moments`)."""

    def __init__(self, seq):
        self.seq = list(seq)

    def moments(self, n):
        return self.seq[:n]


def _product_atoms(factors, powers):
    """Atoms by Belinschi's rule: ``(mu ⊠ nu)({0}) = max(mu({0}), nu({0}))``,
    and for ``a > 0``: ``mu({u}) + nu({v}) - 1`` at ``a = u v`` when positive."""
    cur = None
    for f, L in zip(factors, powers):
        at = [(a, m) for a, m in f.atoms() if m != 0]
        if len(at) == 1 and at[0][1] == 1 and at[0][0] != 0:
            # a point mass: delta_a^{⊠L} = delta_{a^L} (one power instead of
            # L products of ever longer rationals)
            at, L = [(at[0][0] ** L, at[0][1])], 1
        for _ in range(L):
            if cur is None:
                cur = list(at)
                continue
            zero = max([m for a, m in cur if a == 0] + [m for a, m in at if a == 0] + [0])
            new = {}
            for u, mu in cur:
                if u == 0:
                    continue
                for v, mv in at:
                    if v == 0:
                        continue
                    mass = mu + mv - 1
                    if mass > 0:
                        new[u * v] = new.get(u * v, 0) + mass
            cur = ([(0, zero)] if zero else []) + sorted(new.items(), key=lambda t: t[0])
    return cur or []


# ---------------------------------------------------------------------------
# the law
# ---------------------------------------------------------------------------


class FreeMulLaw(LawMethods):
    r"""The free multiplicative convolution ``⊠_j mu_j^{⊠ L_j}`` of laws on
    ``[0, oo)`` (build it with :func:`free_mul_law`).

    Methods ``moments``, ``cauchy``, ``density``, ``support``, ``atoms`` (the
    law protocol of :mod:`freealg`), and ``s_transform``.

    Parameters
    ----------
    factors : law-like object or sequence of them
        Each with ``moments(n)``, ``cauchy(z)``, ``atoms()`` and optionally
        ``s_transform(w)`` (module docstring: factor protocol), with a
        positive mean.
    powers : int or sequence of int, optional
        ``L_j``, each ``1 <= L_j <= 100000`` (default all 1).

    Raises
    ------
    InvalidArgumentTypeError
        If ``factors`` is neither a law nor a sequence, or a power is not an
        integer.
    InvalidArgumentError
        If ``factors`` is empty, ``powers`` has the wrong length or an entry
        ``< 1``, a factor lacks a protocol method, or the point-mass factors
        multiply beyond float64.
    TooLargeError
        If a power exceeds 100000.
    TransformUndefinedError
        If a factor's mean is not positive.

    Examples
    --------
    >>> from freealg import MarchenkoPastur
    >>> law = FreeMulLaw([MarchenkoPastur()], powers=[2])     # MP ⊠ MP
    >>> law
    FreeMulLaw(MarchenkoPastur^2)
    >>> law.moments(4)                                        # Fuss–Catalan
    [1, 3, 12, 55]
    """

    def __init__(self, factors, powers=None):
        from .._utils.validate import MAX_DEPTH, check_int, describe
        from ..errors import InvalidArgumentTypeError

        if not callable(getattr(factors, "moments", None)) and (
                isinstance(factors, (str, bytes, dict)) or not hasattr(factors, "__iter__")):
            raise InvalidArgumentTypeError(
                f"factors must be a law or a sequence of laws; got {describe(factors)} of type "
                f"{type(factors).__name__}"
            )
        if powers is not None and (isinstance(powers, (str, bytes, dict)) or not hasattr(powers, "__iter__")):
            powers = [powers]  # one power for one factor
        factors = [factors] if callable(getattr(factors, "moments", None)) else list(factors)
        if powers is not None:
            powers = [check_int(L, f"powers[{i}]", minimum=1, maximum=MAX_DEPTH,
                                hint=f"powers up to {MAX_DEPTH} are supported")
                      for i, L in enumerate(powers)]
        if not factors:
            raise InvalidArgumentError("factors is empty; pass at least one law")
        if powers is None:
            powers = [1] * len(factors)
        powers = list(powers)
        if len(powers) != len(factors):
            raise InvalidArgumentError(
                f"powers has {len(powers)} entries but there are {len(factors)} factors"
            )
        for L in powers:
            if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 1:
                raise InvalidArgumentError(f"powers must be integers >= 1; got {L!r}")
        for k, f in enumerate(factors):
            for meth in ("moments", "cauchy", "atoms"):
                if not callable(getattr(f, meth, None)):
                    raise InvalidArgumentError(
                        f"factor {k} ({type(f).__name__}) has no method {meth}(); a factor "
                        "needs moments(n), cauchy(z), atoms() and optionally s_transform(w)"
                    )
        self.factors = factors
        self.powers = [int(L) for L in powers]
        m1 = [float(f.moments(1)[0]) for f in factors]
        for k, m in enumerate(m1):
            if not m > 0:
                raise TransformUndefinedError(
                    f"factor {k} has mean {m}; the S-transform (and ⊠ through it) needs a "
                    "law on [0, oo) with positive mean"
                )
        self._closed, self._viac = [], []
        for f, L in zip(factors, self.powers):
            if callable(getattr(f, "s_transform", None)):
                self._closed.append(_Closed(f, L))
            else:
                v = _ViaCauchy(f, L)
                from ..cumulants import s_transform_coefficients

                v.s_series = np.array([complex(c) for c in s_transform_coefficients(
                    [float(m) for m in f.moments(10)])])
                self._viac.append(v)
        self._numeric_ready = False
        self._support = None
        self._residues = {}
        self._push = self._find_pushforward()

    def _purely_atomic(self):
        """The product has no continuous part: every factor a point mass, or
        all but one, which is purely atomic (its atoms' masses sum to 1) and
        of power 1 (``delta_a ⊠ mu`` is ``mu`` rescaled; a power >= 2 of an
        atomic law, e.g. ``B^{⊠2}`` of a Bernoulli, has a continuous part)."""
        rest = []
        for f, L in zip(self.factors, self.powers):
            at = [(a, m) for a, m in f.atoms() if m != 0]
            if not (len(at) == 1 and float(at[0][1]) == 1.0):
                rest.append((f, L))
        if not rest:
            return True
        if len(rest) != 1 or rest[0][1] != 1:
            return False
        return float(sum(m for _, m in rest[0][0].atoms())) == 1.0

    def _find_pushforward(self):
        """``(factor, c)`` when the product is the pushforward of one factor
        ``mu`` without a closed S-transform under ``x -> c x``: every other
        factor a point mass ``delta_a`` (``c = prod a^L``) and ``mu`` of power
        1.  Then the subordination point is ``zeta = z/c`` itself, which
        reaches the real axis with ``z``: the equation needs ``mu``'s boundary
        values there, so ``G(z) = G_mu(z/c)/c`` is evaluated directly
        (:class:`_PushEngine`).  ``None`` otherwise."""
        log_c = 0.0  # log of the product of the point masses' powers (no overflow at L ~ 1e4)
        rest = []
        for f, L in zip(self.factors, self.powers):
            at = [(a, m) for a, m in f.atoms() if m != 0]
            if len(at) == 1 and float(at[0][1]) == 1.0 and float(at[0][0]) > 0:
                log_c += L * math.log(float(at[0][0]))
            else:
                rest.append((f, L))
        if len(rest) != 1 or rest[0][1] != 1:
            return None
        f = rest[0][0]
        if not any(v.law is f for v in self._viac):
            return None  # a closed S-transform: the equation has no zeta
        if float(sum(m for _, m in f.atoms())) == 1.0:
            return None  # purely atomic: boundary values are real sums
        c = math.exp(log_c) if log_c < 709.0 else math.inf
        if not (math.isfinite(c) and c > 0):
            raise InvalidArgumentError(
                f"the point-mass factors multiply to exp({log_c:.6g}), outside float64; rescale a factor"
            )
        return f, c

    def _numeric(self):
        """Float moments and the length scale (computed on first numeric use)."""
        if self._numeric_ready:
            return
        # float moments from the S-series in 40-digit mpmath, whatever the
        # data's kind: the exact ones can have 10^5 digits (minutes of
        # Fraction arithmetic at depth 500) and sympy arithmetic on float data
        # costs ~0.25 s even at depth 32; only scales and start values use them
        mom = self._float_moments(24)
        if mom is None:
            mom = _product_moments(self.factors, self.powers, 24, numeric_dps=40)
        logs = []
        for m in mom:
            if isinstance(m, (int, Fraction)):
                m = Fraction(m)
                logs.append(math.log(m.numerator) - math.log(m.denominator) if m > 0 else -math.inf)
            else:
                from .._utils.mpctx import mpmath
                logs.append(float(mpmath.log(m)) if m > 0 else -math.inf)
        roots = [lg / (k + 1) for k, lg in enumerate(logs)]
        ratios = [logs[k + 1] - logs[k] for k in range(23) if logs[k] > -math.inf]
        lscale = max(roots + ratios)
        if not -600 < lscale < 600:
            raise InvalidArgumentError(
                f"the product lives at the scale 10^{lscale / math.log(10):.0f}, outside "
                "float64; rescale a factor (e.g. multiply by a point mass so that m_1 = 1)"
            )
        self._scale = math.exp(lscale)
        self._mom_float = np.array([float(m) for m in mom[:10]])
        self._numeric_ready = True

    def _float_moments(self, n):
        """``m_1..m_n`` from the S-series in float64 (~1 ms, against ~20 ms in
        mpmath), or ``None`` when float64 cannot be trusted with them: a
        moment that is not finite and positive (overflow, cancellation) or a
        sequence that is not log-convex (``m_k^2 <= m_{k-1} m_{k+1}`` holds for
        every law on ``[0, oo)``).  Only scales and start values use them; a
        scale that were still wrong would show as a failed mass check."""
        try:
            seqs = [_Seq([float(v) for v in f.moments(n + 1)]) for f in self.factors]
            with np.errstate(all="raise"):
                mom = [float(v) for v in _product_moments(seqs, self.powers, n + 1)]
        except (TypeError, ValueError, OverflowError, ZeroDivisionError, FloatingPointError):
            return None
        if not all(math.isfinite(v) and v > 0 for v in mom):
            return None
        lm = [0.0] + [math.log(v) for v in mom]
        if any(2 * lm[k] > lm[k - 1] + lm[k + 1] + 1e-9 for k in range(1, n)):
            return None
        return mom[:n]

    def __repr__(self):
        parts = [
            f"{type(f).__name__}" + (f"^{L}" if L != 1 else "")
            for f, L in zip(self.factors, self.powers)
        ]
        return f"FreeMulLaw({' ⊠ '.join(parts)})"

    # ------------------------------------------------------------ exact data
    def moments(self, n):
        """Exact moments ``m_1..m_n`` of the product (S-series of the factors'
        moment sequences; exact when theirs are).

        Parameters
        ----------
        n : int
            Number of moments, ``n >= 1``.

        Returns
        -------
        list
            ``[m_1, ..., m_n]``: exact (sympy or ``Fraction``) when the
            factors' moments are exact, floats otherwise.

        Raises
        ------
        InvalidArgumentError
            If ``n`` is not an integer ``>= 1`` (a non-integer ``n`` is
            reported with this class too).

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> free_mul_law([MarchenkoPastur()], powers=[3]).moments(3)   # binom(4n, n)/(3n + 1)
        [1, 4, 22]
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidArgumentError(f"n must be an integer >= 1; got {n!r}")
        return _product_moments(self.factors, self.powers, int(n))

    def atoms(self):
        """Atoms ``[(location, mass)]`` from the factors' atoms (Belinschi's
        rule; exact when the factors' atoms are).

        Returns
        -------
        list of tuple
            ``[(location, mass), ...]``; ``[]`` when there is none.

        Examples
        --------
        Two free projections of trace 1/2: the larger mass at 0 survives:

        >>> import sympy
        >>> from freealg import Bernoulli
        >>> free_mul_law([Bernoulli(sympy.Rational(1, 2))], powers=[2]).atoms()
        [(0, 1/2)]
        """
        return _product_atoms(self.factors, self.powers)

    def s_transform(self, w):
        """``S(w) = prod_j S_j(w)^{L_j}`` (factors with ``s_transform`` only).

        Parameters
        ----------
        w : complex or array_like of complex
            Finite points.

        Returns
        -------
        ndarray of complex
            Shaped like ``w`` (0-d for a scalar).

        Raises
        ------
        TransformUndefinedError
            If a factor has no ``s_transform``.
        InvalidArgumentError
            If ``w`` holds NaN or infinities.
        InvalidArgumentTypeError
            If ``w`` is not numeric.

        Examples
        --------
        ``MP^{⊠2}`` has ``S(w) = (1 + w)^{−2}``:

        >>> from freealg import MarchenkoPastur
        >>> free_mul_law([MarchenkoPastur()], powers=[2]).s_transform([0.0, 1.0])
        array([1.  +0.j, 0.25+0.j])
        """
        if self._viac:
            raise TransformUndefinedError(
                "a factor has no closed s_transform; use cauchy() or density()"
            )
        from .._utils.validate import check_finite_array

        w = check_finite_array(w, "w", dtype=complex)
        out = np.ones_like(w)
        for f in self._closed:
            out = out * f.S(w) ** f.L
        return out

    # -------------------------------------------------------------- numerics
    def _engine(self):
        if self._push is not None:
            return _PushEngine(self)
        return _MulEngine(self)

    def cauchy(self, z):
        """``G(z)`` of the product at complex ``z`` (vectorised; ``Im z < 0``
        by conjugation, real ``z != 0`` gives the boundary value ``G(x + i0)``).

        Parameters
        ----------
        z : complex or array_like of complex
            Finite points other than 0.

        Returns
        -------
        ndarray of complex
            Shaped like ``z`` (0-d for a scalar).

        Raises
        ------
        ConvergenceError
            Where the continuation fails.
        InvalidArgumentError
            If ``z`` holds NaN, infinities or 0 (a singular point: evaluate
            at ``i·ε``), or the product's scale is outside float64.
        InvalidArgumentTypeError
            If ``z`` is not numeric.

        Examples
        --------
        ``MP^{⊠2}`` at ``z = −1``: ``G`` is the real root of
        ``z²G³ − zG + 1 = G³ + G + 1 = 0``:

        >>> from freealg import MarchenkoPastur
        >>> g = complex(free_mul_law([MarchenkoPastur()], powers=[2]).cauchy(-1.0))
        >>> round(g.real, 10), abs(g.imag) < 1e-12
        (-0.6823278038, True)
        """
        from ..errors import ConvergenceError

        from .._utils.validate import check_finite_array

        zz = check_finite_array(z, "z", dtype=complex)
        flat = zz.ravel()
        if np.any(flat == 0):
            raise InvalidArgumentError(
                "z = 0 is a singular point of the equation (hard edge or atom at 0); "
                "evaluate at z = i*eps instead"
            )
        lower = flat.imag < 0
        w = np.where(lower, flat.conj(), flat)
        G, _, _, ok, _ = self._engine().values(w.real, w.imag)
        if not np.all(ok):
            raise ConvergenceError(
                f"continuation failed at z = {complex(w[~ok][0]):.6g} ({int(np.sum(~ok))} points)"
            )
        return np.where(lower, G.conj(), G).reshape(zz.shape)

    def support(self):
        """Intervals where the density is certifiably positive at double
        precision.

        The sign of the certified boundary value ``Im G(x + i0)`` is scanned
        on a linear and a logarithmic grid up to ``4 x`` the moment scale
        (``1e-14`` of it at the low end), and every sign change is refined by
        bisection (or, for factors with closed S-transforms, by the stationary
        point of ``x(w) = (1 + w)/(w S(w))``) to ``1e-13`` relative.  A point
        counts as in the support when ``|Im G|`` exceeds its float64 error
        bound (``err + 8 eps |G|``, typically ``1e-14 |G|``).  At an edge
        where the density vanishes like a power (square-root edges, hard
        edges at 0) this is the mathematical edge to ``1e-13``; where it
        vanishes faster than any power (e.g. the law of ``tanh'(h)^2`` near 0,
        ``rho ~ exp(-c log(x)^2)``) the reported edge is where the density
        falls below its error bound, about ``1e-14 |G|``, and the
        mathematical support is larger (the missing mass is below that
        bound times the interval length).  A factor's own numerical
        representation can cut it further (the law of ``phi'(h)^2`` of
        :mod:`freealg.dnn` truncates the Gaussian at 9 standard deviations,
        dropping mass ``< 2e-19``).

        Returns
        -------
        list of tuple of float
            Sorted intervals ``[(a, b), ...]``.

        Raises
        ------
        ConvergenceError
            If the continuation fails during the scan.
        InvalidArgumentError
            If the product's scale is outside float64.

        Examples
        --------
        ``MP^{⊠2}`` lives on ``[0, 27/4]``:

        >>> from freealg import MarchenkoPastur
        >>> free_mul_law([MarchenkoPastur()], powers=[2]).support()
        [(0.0, 6.75)]
        """
        if self._support is None:
            self._support = self._engine().support()
        return list(self._support)

    def density(self, x, *, dps=None, strict=True, n_moments=8, mass_tol=1e-9, moment_tol=1e-8):
        """Certified density on the grid ``x`` (see
        :func:`freealg.density.curve_density` for the parameters and the
        evidence); the exact moments are those of :meth:`moments`.

        Parameters
        ----------
        x : float or array_like of float
            Grid (any shape, at least one finite point).
        dps : int or None, optional
            ``None``: float64 (mpmath polishing where needed);
            ``15 <= dps <= 1000``: every value polished to ``dps`` digits.
        strict : bool, optional
            ``True`` (default): a failed check raises; ``False``: it warns
            and the result carries the failed evidence.
        n_moments : int, optional
            Number of exact moments checked (default 8).
        mass_tol, moment_tol : float, optional
            Tolerances of the mass and (relative) moment checks.

        Returns
        -------
        DensityResult
            Density in the project convention (0 outside the support,
            ``+inf`` at a divergent hard edge, ``nan`` at an atom).

        Raises
        ------
        InvalidArgumentError
            For an empty or non-finite grid, or ``dps < 15``.
        InvalidArgumentTypeError
            For a non-numeric grid or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.
        CertificationError
            With ``strict=True``, if a check fails.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> res = free_mul_law([MarchenkoPastur()], powers=[2]).density([1.0, 7.0])
        >>> [round(float(v), 8) for v in res.density], res.evidence.ok
        ([0.17897913, 0.0], True)
        """
        from .result import certified_density

        return certified_density(
            self._engine(), x, dps=dps, strict=strict, n_moments=n_moments,
            mass_tol=mass_tol, moment_tol=moment_tol,
            method="functional equation (log S-transform), vertical continuation",
        )


class _MulEngine:
    """Adapter of a :class:`FreeMulLaw` to ``certified_density``."""

    def __init__(self, law):
        law._numeric()
        self.law = law
        self.scale = law._scale
        self.problem = _MulProblem(law)
        self._residues = law._residues

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        Y0 = 64.0 * max(self.scale, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
        tr = descend(self.problem, x, y, Y0=Y0, xscale=self.scale)
        v = tr.U[:, 0]
        z = x + 1j * y
        with np.errstate(all="ignore"):
            G = np.exp(v) / z
            err = tr.err * np.abs(G)
            rad = tr.radius * np.abs(G)
        ok = tr.ok.copy()
        resid = tr.resid.copy()
        # on the real axis next to a branch point (within ~1e-13 relative of a
        # support edge) float64 cannot separate the two coalescing solutions:
        # continue from the last certified float state in mpmath
        retry = np.nonzero(~ok & (y == 0) & (x != 0) & np.isfinite(tr.y) & (tr.y > 0)
                           & (tr.status != 1))[0][:_MP_FALLBACK_MAX]
        if retry.size and self._mp_form():
            for k in retry:
                w0 = complex(np.exp(tr.U[k, 0]) - 1.0)
                g, r = self._mp_descend(float(x[k]), float(tr.y[k]), w0)
                if g is not None:
                    G[k] = complex(g)
                    # mpmath error plus the rounding of the float copy
                    err[k] = abs(G[k]) * 10.0 ** -_MP_DPS + EPS * abs(G[k].imag)
                    rad[k] = r
                    resid[k] = 0.0
                    ok[k] = True
        return G, err, resid, ok, rad

    def _mp_form(self):
        """Every factor has an S-transform that accepts mpmath numbers."""
        if self.law._viac:
            return False
        from .._utils.mpctx import mpmath
        test = mpmath.mpc(0.1, -0.1)
        for f in self.law._closed:
            if f.sym is not None:
                continue
            try:
                f.S_mp(test)
            except (TypeError, ValueError, AttributeError):
                return False
        return True

    def _mp_F(self):
        from .._utils.mpctx import mpmath

        def lg(u):
            # Log(i u) - i pi/2 = Log(u), less 2 pi i where arg u lies in
            # (pi/2, pi] (one mpmath log, no products with i and pi)
            out = mpmath.log(u)
            if u.real < 0 and u.imag >= 0:
                out -= 2j * mpmath.pi
            return out

        def F(w, z):
            # lg(1 + w) - lg(z w) - sum_j L_j (lg(1 + w) - lg((1 + w)/S_j)),
            # with lg(1 + w) evaluated once (the logarithms are the cost)
            u = 1 + w
            lu = lg(u)
            out = -lg(z * w)
            tot = 1
            for f in self.law._closed:
                out += f.L * lg(u / f.S_mp(w))
                tot -= f.L
            return out + tot * lu

        return F

    def _mp_dF(self):
        """``dF(w, order)``: ``F_w`` (order 1) or ``F_ww`` (order 2) of the
        mpmath equation, analytic from the symbolic ``S', S''`` (``d/dw
        lg((1 + w)/S) = 1/(1 + w) − S'/S``; ``F_z = -1/z`` does not enter);
        ``None`` when a factor has no symbolic S-transform."""
        if not all(f.sym is not None for f in self.law._closed):
            return None
        from .._utils.mpctx import mpmath

        def dF(w, order):
            u = 1 + w
            if order == 1:
                out = 1 / u - 1 / w
                for f in self.law._closed:
                    S = mpmath.mpmathify(f.sym_mp[0](u))
                    out -= f.L * mpmath.mpmathify(f.sym_mp[1](u)) / S
                return out
            out = -1 / u**2 + 1 / w**2
            for f in self.law._closed:
                S = mpmath.mpmathify(f.sym_mp[0](u))
                d1 = mpmath.mpmathify(f.sym_mp[1](u)) / S
                d2 = mpmath.mpmathify(f.sym_mp[2](u)) / S
                out -= f.L * (d2 - d1 * d1)
            return out

        return dF

    def _mp_descend(self, x, y0, w0, *, kappa=0.25, max_steps=400):
        """Vertical continuation of ``w = z G - 1`` in mpmath from ``x + i y0``
        (where ``w0`` is the certified float value) to the real axis: Newton
        at ``_MP_DPS + 10`` digits, each step accepted only within ``kappa``
        times the basin radius ``|F_w / F_ww|`` of the new root (the float
        engine's test) and with ``Im G <= 0``; a jump to the axis once the
        predicted change is below a hundredth of the radius.  Returns
        ``(G(x + i0), radius of G)`` or ``(None, 0)``."""
        from .._utils.mpctx import mpmath
        F = self._mp_F()
        with mpmath.workdps(_MP_DPS + 10):
            tol = mpmath.mpf(10) ** (-_MP_DPS)
            xm = mpmath.mpf(x)

            dFa = self._mp_dF()

            def dF(w, z, order):
                """``F_w`` (order 1) or ``F_ww`` (order 2): analytic
                (:meth:`_mp_dF`), else by mpmath's numerical differentiation."""
                if dFa is None:
                    return mpmath.diff(lambda t: F(t, z), w, order)
                return dFa(w, order)

            def newton(w, z):
                dprev = mpmath.inf
                for _ in range(60):
                    Fw = dF(w, z, 1)
                    if Fw == 0:
                        return w, False
                    d = F(w, z) / Fw
                    w -= d
                    # converged, or stalled at the rounding level of F
                    if abs(d) <= tol * abs(w) or (abs(d) >= 0.5 * dprev and abs(d) <= 1e3 * tol * abs(w)):
                        return w, True
                    dprev = abs(d)
                return w, False

            def radius(w, z):
                Fw = dF(w, z, 1)
                Fww = dF(w, z, 2)
                return abs(Fw / Fww) if Fww != 0 else mpmath.inf, Fw

            y = mpmath.mpf(y0)
            z = mpmath.mpc(xm, y)
            w, conv = newton(mpmath.mpc(w0), z)
            if not conv:
                return None, 0.0
            r, Fw = radius(w, z)
            f = mpmath.mpf(4)
            for _ in range(max_steps):
                dwdz = 1 / (z * Fw)  # F_z = -1/z
                if abs(dwdz) * y <= 0.01 * kappa * r:
                    z1 = mpmath.mpc(xm, 0)
                    pred = w - dwdz * 1j * y
                else:
                    z1 = mpmath.mpc(xm, y / f)
                    pred = w + dwdz * (z1 - z)
                w1, conv = newton(pred, z1)
                if conv:
                    r1, Fw1 = radius(w1, z1)
                    g1 = (1 + w1) / z1
                if conv and abs(w1 - pred) <= kappa * r1 and mpmath.im(g1) <= 10 * tol * abs(g1):
                    w, z, r, Fw = w1, z1, r1, Fw1
                    y = mpmath.im(z1)
                    if y == 0:
                        return (1 + w) / z, float(r / abs(z))
                    f = min(f * f, mpmath.mpf(1000))
                else:
                    f = mpmath.sqrt(f)
                    if f < 1 + mpmath.mpf(10) ** -6:
                        break
        return None, 0.0

    def is_real(self, x, G, err, radius):
        return (np.abs(G.imag) <= err + 8 * EPS * np.abs(G)) & (radius > 4 * err)

    def refine(self, x, G, err, radius, dps):
        if not self._mp_form():
            return None
        from .._utils.mpctx import mpmath
        work = dps + 10
        Gmp, Gf, ef, ok = [], np.array(G, complex), np.array(err, float), np.zeros(len(x), bool)
        with mpmath.workdps(work):
            F = self._mp_F()  # evaluates at the precision in effect when called

            tol = mpmath.mpf(10) ** (-(dps + 4))
            # chord iterations w -= F(w)/d1 with a fixed derivative d1: the
            # analytic F_w at the float start when every factor has a symbolic
            # S (the error after one step is ~(1e-12)^2: two evaluations of F
            # per point), else F_w from float64 (relative accuracy ~1e-10:
            # each iteration gains ~10 digits)
            dFa = self._mp_dF()

            def nrm(c):
                return max(abs(c.real), abs(c.imag))

            z_f = np.asarray(x, float).astype(complex)
            u_f = z_f * np.asarray(G, complex)
            with np.errstate(all="ignore"):
                Fw = self.problem._parts(np.log(1j * u_f)[:, None] - 0.5j * np.pi, z_f)[7] / u_f
            for k in range(len(x)):
                z = mpmath.mpf(float(x[k]))
                w = z * mpmath.mpc(complex(G[k])) - 1
                d1 = dFa(w, 1) if dFa is not None else mpmath.mpc(complex(Fw[k]))
                conv = False
                dprev = None
                for _ in range(12):
                    d = F(w, z) / d1
                    w -= d
                    # max-norms (|c| / sqrt 2 <= nrm(c) <= |c|; no square roots)
                    ad = nrm(d)
                    if 2 * ad <= tol * nrm(w):
                        conv = True
                        break
                    if dprev is not None and ad <= 1e-3 * dprev:
                        # contraction ratio rho ~ |d_k|/|d_{k-1}| of the chord
                        # iteration: the remaining error is <= rho |d|/(1 - rho)
                        # (taken 8 times: 4, and 2 for the norms), relative to
                        # both w and 1 + w = z G
                        if 8 * (ad / dprev) * ad <= tol * min(nrm(w), nrm(1 + w)):
                            conv = True
                            break
                    dprev = ad
                g = (1 + w) / z
                good = conv and abs(complex(g) - complex(G[k])) <= max(0.25 * radius[k], 10 * err[k])
                ok[k] = good
                Gmp.append(+g if good else None)
                if good:
                    Gf[k] = complex(g)
                    ef[k] = float(abs(g)) * 10.0 ** (-dps) + EPS * abs(Gf[k].imag)
        return Gmp, Gf, ef, ok

    def singular(self):
        return [0.0]

    def special(self):
        """Support edges and atom locations (the mass quadrature's break points)."""
        return [p for iv in self.support() for p in iv] + [a for a, _ in self.atoms()[1]]

    def limit_points(self):
        """Points where the density is taken as a limit: none besides ``x =
        0`` (:meth:`singular`).  The support edges come from a numerical scan
        (``1e-13`` relative), so a grid point there is an ordinary point whose
        boundary value is computed (and polished) at ``x`` itself; atoms are
        flagged by the density engine."""
        return []

    def exact_moments(self, K):
        """The first ``K`` moments of the product for the contour check, from
        the S-series of the factors in 60-digit mpmath (independent of the
        contour; exact Fractions of float-derived data at depth 500 have
        ~10^5 digits and take minutes, for a check done in float64)."""
        return _product_moments(self.law.factors, self.law.powers, K, numeric_dps=60)

    def atoms(self):
        ex = self.law.atoms()
        return ex, [(float(a), float(m)) for a, m in ex]

    def _positive(self, xs):
        G, err, _, ok, rad = self.values(xs, np.zeros_like(xs))
        self._scan_values = (np.array(xs, float), G, ok)  # the edge solver starts from these
        return ok & ~self.is_real(xs, G, err, rad) & (G.imag < 0)

    def _axis_values(self, xs):
        """``(G, ok)`` on the real axis, reusing the support scan's last
        values where ``xs`` are among its points (one continuation fewer)."""
        sv = getattr(self, "_scan_values", None)
        if sv is not None and sv[0].size:
            order = np.argsort(sv[0])
            xsorted = sv[0][order]
            pos = np.clip(np.searchsorted(xsorted, xs), 0, xsorted.size - 1)
            hit = xsorted[pos] == xs
            if np.all(hit):
                return sv[1][order][pos], sv[2][order][pos]
        G, _, _, ok, _ = self.values(xs, np.zeros_like(xs))
        return G, ok

    def _edges(self, a, b, left_pos):
        """Edge of each bracket from ``d F / d w = 0`` on the real ``w`` axis
        (the inverse map ``x(w) = (1 + w)/(w S(w))`` is stationary at an edge);
        closed-form factors only."""
        out = np.full(a.size, np.nan)
        if self.law._viac:
            return self._edges_via_cauchy(a, b, left_pos)
        gap_end = np.where(left_pos, b, a)
        G, ok = self._axis_values(gap_end)
        # v = lg(zG) on the gap side: real part free, imaginary part 0 or -pi
        v = _lg((gap_end * G).real.astype(complex))
        for _ in range(60):
            _, _, Fvv, _, _, _, _, Feff, _ = self.problem._parts(v[:, None], gap_end.astype(complex))
            with np.errstate(all="ignore"):
                d = (Feff / Fvv).real
            v = v - d
            if np.all(~np.isfinite(d) | (np.abs(d) <= 1e-15 * np.abs(v))):
                break
        w = np.expm1(v).real
        with np.errstate(all="ignore"):
            # x = (1 + w)/(w S) in logarithmic form: S = prod S_j^{L_j} itself
            # under- or overflows at depth (MP(2)^{⊠2048} has S ~ 2^-2048)
            wc = w.astype(complex)
            lx = np.log1p(wc) - np.log(wc)
            for f in self.law._closed:
                lx = lx - f.L * np.log(f.S(wc))
            xc = np.exp(lx)
            x = np.where(np.abs(xc.imag) <= 1e-8 * np.abs(xc.real), xc.real, np.nan)
        return np.where(ok & np.isfinite(x), x, np.nan)

    def _edges_via_cauchy(self, a, b, left_pos):
        """Edges for products with factors entering through their Cauchy
        transform: on the real axis beside a gap, ``w`` and the subordination
        points ``zeta_j`` are real, and the edge is the stationary point of
        ``x(w)``, i.e. the zero of the total derivative ``F_eff = F_v +
        sum_j F_zeta_j / a_j`` (``zeta_j`` eliminated through ``zeta_j
        G_j(zeta_j) = 1 + w``), which does not depend on ``z``.  Secant
        iterations on ``Re v`` (``Im v`` is 0 or ``-pi`` on the gap side), an
        inner Newton iteration for each ``zeta_j``, and ``x`` from ``F = 0``
        solved for ``z``.  ``nan`` where an iteration fails; the caller keeps
        an edge only when the density changes sign across it."""
        out = np.full(a.size, np.nan)
        gap_end = np.where(left_pos, b, a)
        Y0 = 64.0 * max(self.scale, float(np.max(np.abs(gap_end), initial=0.0)) * 1e-3)
        tr = descend(self.problem, gap_end, np.zeros_like(gap_end), Y0=Y0, xscale=self.scale)
        viac = self.law._viac
        for k in np.nonzero(tr.ok)[0]:
            v0 = tr.U[k, 0]
            vim = -np.pi if v0.imag < -0.5 * np.pi else 0.0
            zetas = [complex(t.real) for t in tr.U[k, 1:]]

            def zeta_of(vr, zetas):
                """Real zeta_j with zeta_j G_j(zeta_j) = exp(v) (Newton)."""
                with np.errstate(all="ignore"):
                    target = np.exp(vr + 1j * vim).real
                if not np.isfinite(target):
                    return None
                new = []
                for f, zt in zip(viac, zetas):
                    for _ in range(60):
                        G, dG = f.eval(np.array([zt]))
                        r = (zt * G[0]).real - target
                        slope = (G[0] + zt * dG[0]).real
                        d = r / slope
                        if not np.isfinite(d):
                            return None
                        zt -= d
                        # converged, or at the rounding level of zeta G (far
                        # from nu's range (zeta G)' ~ -m_1/zeta^2 is small and
                        # the step cannot fall below ~eps |zeta G / slope|)
                        if abs(d) <= 4 * EPS * max(abs(zt), abs(target / slope)):
                            break
                    else:
                        return None
                    new.append(zt)
                return new

            def feff(vr, zetas):
                zs = zeta_of(vr, zetas)
                if zs is None:
                    return np.nan, None
                U = np.array([[vr + 1j * vim] + [complex(t) for t in zs]])
                return float(self.problem._parts(U, np.array([complex(gap_end[k])]))[7][0].real), zs

            x0 = v0.real
            f0, zetas = feff(x0, zetas)
            if zetas is None or not np.isfinite(f0):
                continue
            x1 = x0 + 1e-3 * (1 + abs(x0))
            f1, z1 = feff(x1, zetas)
            if z1 is None:
                continue
            zetas = z1
            for _ in range(60):
                if not (np.isfinite(f1) and f1 != f0):
                    break
                x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
                f2, z2 = feff(x2, zetas)
                if z2 is None:
                    break
                x0, f0, x1, f1, zetas = x1, f1, x2, f2, z2
                if abs(x1 - x0) <= 1e-15 * (1 + abs(x1)):
                    break
            else:
                continue
            if z2 is None or not np.isfinite(f1):
                continue
            # x from F = 0: lg(z w) = v - sum_c L log S_c - sum_j L (v - lg(zeta_j w))
            v = x1 + 1j * vim
            w = np.expm1(v)
            with np.errstate(all="ignore"):
                lzw = v
                for f in self.law._closed:
                    S = f.S(np.array([w]))[0]
                    lzw = lzw - f.L * (v - _lg(np.exp(v) / S))
                for f, zt in zip(viac, zetas):
                    lzw = lzw - f.L * (v - _lg(zt * w))
                x = (np.exp(lzw) / w)
            if np.isfinite(x.real) and abs(x.imag) <= 1e-8 * abs(x.real):
                out[k] = x.real
        return out

    def support(self):
        if self.law._support is None and self.law._purely_atomic():
            # no continuous part (e.g. the depth-2 hard-tanh Jacobian with
            # orthogonal weights, delta_a ⊠ Bernoulli): scanning Im G next to
            # its atoms would cost ~0.5 s of mpmath descents to find nothing
            self.law._support = []
        if self.law._support is None:
            hi = 4.0 * self.scale
            self.law._support = _certify.scan_support(
                self._positive, 0.0, hi, logscan_from=1e-14 * hi, n=400,
                edge_solver=self._edges,
            )
        return list(self.law._support)


class _PushEngine(_MulEngine):
    """``G(z) = G_mu(z/c)/c`` for a product that is the pushforward of one
    factor ``mu`` under ``x -> c x`` (:meth:`FreeMulLaw._find_pushforward`).

    Off the axis ``mu.cauchy`` is used (error ``mu.cauchy_error(zeta)`` when
    the factor has it, else ``64 eps |G|``); on the axis ``mu``'s boundary
    value ``mu.cauchy_boundary(x) -> (G(x + i0), error)``, required: a Cauchy
    transform known only off the axis does not determine the density there.
    There is no equation, so the backward residual is 0 and the basin radius
    infinite; the evidence (mass, contour moments against the exact moments
    of the product, atoms, sign of ``Im G``) is that of any other density.
    """

    def __init__(self, law):
        super().__init__(law)
        self.factor, self.c = law._push
        if not callable(getattr(self.factor, "cauchy_boundary", None)):
            raise TransformUndefinedError(
                f"{law!r} is a rescaled copy (x -> {self.c:g} x) of the factor "
                f"{type(self.factor).__name__}, which enters through its Cauchy transform but has "
                "no cauchy_boundary(x) method: its density on the real axis is not defined by "
                "values off the axis. Give the factor cauchy_boundary(x) -> (G(x + i0), error) "
                "or a closed s_transform(w)."
            )

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        c = self.c
        G = np.zeros(x.shape, complex)
        err = np.zeros(x.shape)
        on = y == 0
        if np.any(~on):
            zeta = (x[~on] + 1j * y[~on]) / c
            g = np.asarray(self.factor.cauchy(zeta), complex)
            if callable(getattr(self.factor, "cauchy_error", None)):
                e = np.asarray(self.factor.cauchy_error(zeta), float)
            else:
                e = 64 * EPS * np.abs(g)
            G[~on], err[~on] = g / c, e / c
        if np.any(on):
            g, e = self.factor.cauchy_boundary(x[on] / c)
            with np.errstate(all="ignore"):
                G[on], err[on] = np.asarray(g, complex) / c, np.asarray(e, float) / c
        with np.errstate(all="ignore"):
            ok = np.isfinite(G) & np.isfinite(err) & ((x != 0) | (y != 0))
        return G, err, np.zeros(x.shape), ok, np.full(x.shape, np.inf)

    def refine(self, x, G, err, radius, dps):
        return None

    def support(self):
        if self.law._support is None:
            hi = 4.0 * self.scale
            self.law._support = _certify.scan_support(
                self._positive, 0.0, hi, logscan_from=1e-14 * hi, n=400,
            )
        return list(self.law._support)


def free_mul_law(factors, powers=None):
    r"""The law of ``⊠_j mu_j^{⊠ L_j}`` for laws ``mu_j`` on ``[0, oo)``.

    Parameters
    ----------
    factors : sequence of law-like objects
        Each with ``moments(n)``, ``cauchy(z)``, ``atoms()`` and optionally
        ``s_transform(w)`` (``S(w) = chi(w)(1 + w)/w``, docs/theory.md §1).
    powers : sequence of int, optional
        ``L_j >= 1`` (default all 1).  The cost does not depend on them.

    Returns
    -------
    FreeMulLaw

    Raises
    ------
    InvalidArgumentTypeError
        If ``factors`` is neither a law nor a sequence, or a power is not an
        integer.
    InvalidArgumentError
        If ``factors`` is empty, ``powers`` has the wrong length or an entry
        ``< 1``, or a factor lacks ``moments``, ``cauchy`` or ``atoms``.
    TooLargeError
        If a power exceeds 100000.
    TransformUndefinedError
        If a factor's mean is not positive.

    Examples
    --------
    Free projections of trace ``1/2`` (Bernoulli, ``S = (1 + w)/(1/2 + w)``):
    ``B^{⊠ 2}`` has the atom ``1/2`` at 0 (Belinschi: the larger mass at 0).

    >>> from fractions import Fraction
    >>> import numpy as np
    >>> class Bernoulli:
    ...     def __init__(self, p):
    ...         self.p = Fraction(p)
    ...     def moments(self, n):
    ...         return [self.p] * n
    ...     def cauchy(self, z):
    ...         p = float(self.p)
    ...         return (1 - p) / np.asarray(z) + p / (np.asarray(z) - 1)
    ...     def s_transform(self, w):
    ...         return (1 + w) / (float(self.p) + w)
    ...     def atoms(self):
    ...         return [(0, 1 - self.p), (1, self.p)]
    >>> law = free_mul_law([Bernoulli(Fraction(1, 2))], powers=[2])
    >>> law.atoms()
    [(0, Fraction(1, 2))]
    >>> law.moments(3)          # m_2 = a b^2 + a^2 b - a^2 b^2 = 3/16 at a = b = 1/2
    [Fraction(1, 4), Fraction(3, 16), Fraction(5, 32)]
    """
    return FreeMulLaw(factors, powers)
