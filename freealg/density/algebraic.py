"""Algebraic spectral curves ``P(z, G) = 0``: parsing, series at infinity,
numeric branch tracking, mpmath polishing, support candidates and atoms
(private engine behind :mod:`freealg.density`).

Conventions (docs/theory.md §1): ``G(z) = int dmu(x)/(z - x)``, ``G ~ 1/z``
at infinity, ``Im G < 0`` for ``Im z > 0``.
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import functools
import math
from fractions import Fraction

import numpy as np

from .._utils import series as _series
from .continuation import EPS
from ..errors import BranchError, InvalidArgumentError
from .._utils import detsympy as _ds

__all__ = ["curve_engine"]

_SEP = (5.0 - math.sqrt(17.0)) / 4.0  # root separation constant (BCSS, ch. 8)
_EXACT_DISC_MAX_DEGREE = 64  # exact discriminant up to this degree in G (any sparsity)
_EXACT_DISC_MAX_SPARSE = 2048  # ... and up to this degree for curves with <= 8 terms


class _RepeatedBranch(BranchError):
    """Several branches ~ 1/z at infinity (or a repeated physical factor)."""


def _log_coefficient(c):
    """Principal ``log c`` of a non-zero real sympy number, without overflow
    (``math.log`` of a Python int is exact in range for any size)."""
    from .._utils.mpctx import mpmath
    import sympy

    if c.is_Rational:
        p, q = int(c.p), int(c.q)
        return complex(math.log(abs(p)) - math.log(q), math.pi if p < 0 else 0.0)
    with mpmath.workdps(20):
        return complex(mpmath.log(mpmath.mpmathify(sympy.N(c, 20))))


def _translated_moments(moments, a):
    """Moments ``E (X - a)^k``, ``k = 1..len(moments)``, from ``m_k = E X^k``
    (binomial expansion; exact for exact moments and rational ``a``)."""
    m = [1] + list(moments)
    if getattr(a, "is_Rational", False) and all(isinstance(v, (int, Fraction)) for v in m):
        a = Fraction(int(a.p), int(a.q))
    out = []
    for k in range(1, len(m)):
        v = sum(math.comb(k, j) * m[j] * (-a) ** (k - j) for j in range(k + 1))
        if isinstance(v, Fraction) and v.denominator == 1:
            v = int(v)
        out.append(v)
    return out


def _to_exact(c):
    """sympy number -> Fraction when rational, else the sympy number."""
    if c.is_Rational:
        return Fraction(int(c.p), int(c.q))
    return c


class _AlgebraicCurve:
    """Everything freealg needs about one curve, computed once and cached."""

    def __init__(self, expr, z, G, _translate=None):
        import sympy

        self.z, self.G = z, G
        if _translate is not None:
            # P(a + z, G) of a curve already normalised: translation by a
            # rational ``a`` is an automorphism of Q[z][G], so the result is
            # again content-free, square-free and has the same factors; the
            # (costly, for the huge rationals of a float-derived atom location)
            # factorisation and series of _normalise are not repeated
            parent, a = _translate
            poly = sympy.Poly(sympy.expand(parent.expr.subs(z, z + a)), G, z)
            lc = poly.LC()
            if lc.is_Rational and lc < 0:
                poly = -poly
        else:
            poly = _normalise(expr, z, G)
        if _translate is None and poly.degree(G) > 64:
            try:
                _series_at_infinity(
                    [(int(e), int(i), c) for (e, i), c in poly.terms()], 1, poly.as_expr()
                )
            except _RepeatedBranch:
                poly = _normalise(expr, z, G, squarefree=True)
        self.poly = poly  # sympy Poly in (G, z), content-free, square-free
        self.expr = poly.as_expr()
        self.degree = poly.degree(G)
        terms = poly.terms()
        self.exact_terms = [(int(e), int(i), c) for (e, i), c in terms]
        self.is_rational = all(c.is_Rational for _, _, c in self.exact_terms)
        self.e = np.array([t[0] for t in self.exact_terms], dtype=np.int64)
        self.i = np.array([t[1] for t in self.exact_terms], dtype=np.int64)
        # logarithms taken from the exact coefficients: a coefficient beyond
        # the float range (e.g. |c| ~ 1e400 after translating a curve with
        # float-derived rational data to an atom) would otherwise become inf
        # and every evaluation NaN
        self.logc = np.array([_log_coefficient(c) for _, _, c in self.exact_terms], dtype=complex)
        self.groups = np.array(sorted(set(self.e.tolist())), dtype=np.int64)
        self.gid = np.searchsorted(self.groups, self.e)
        emax = int(self.groups[-1])
        self.lgam = np.array([math.lgamma(k + 1.0) for k in range(emax + 2)])
        self._moments = None
        self._mp_coeffs = {}
        self._candidates = None
        self._atoms = None
        self._support = None
        if _translate is not None:
            if parent._moments is not None:
                self._moments = _translated_moments(parent._moments, a)
            if parent._candidates is not None:
                self._candidates = [sympy.Integer(0) if v == a else v - a for v in parent._candidates]
        else:
            # exact check of the branch G ~ 1/z at infinity (raises BranchError)
            _series_at_infinity(self.exact_terms, 1, self.expr)
        # float moments for start guesses and the scale, from the series at
        # infinity in mpmath (the exact series is computed when asked for: with
        # the huge rationals of float-derived data it costs seconds to minutes)
        mf = _float_moments(self.exact_terms, 24)
        est = max(abs(m) ** (1.0 / k) for k, m in enumerate(mf, 1) if m != 0) if any(mf) else 1.0
        self.moment_scale = est
        self.start_moments = np.array(mf[:10])
        self.scale = est  # refined once support candidates are known

    # ------------------------------------------------------------------ exact
    def moments(self, n):
        """Exact moments ``m_1..m_n`` from the series of ``G`` at infinity."""
        if self._moments is None or len(self._moments) < n:
            self._moments = _series_at_infinity(self.exact_terms, n, self.expr)
        return self._moments[:n]

    def leading_coefficient(self):
        import sympy

        return sympy.Poly(self.poly.as_expr(), self.G).LC()

    # ---------------------------------------------------------------- numeric
    def _terms(self, z, G):
        with np.errstate(all="ignore"):
            lz = np.log(z.astype(complex))[:, None]
            lG = np.log(G.astype(complex))[:, None]
            e = self.e[None, :]
            i = self.i[None, :]
            lt = self.logc[None, :] + np.where(i > 0, i * lz, 0) + np.where(e > 0, e * lG, 0)
            S = lt.real.max(axis=1, keepdims=True)
            S = np.where(np.isfinite(S), S, 0.0)
            t = np.exp(lt - S)
        return t, S[:, 0]

    def evaluate(self, z, G):
        """Scaled ``P, P_G, P_z`` and ``sum |terms|`` at (z, G) (common scale)."""
        t, S = self._terms(z, G)
        with np.errstate(all="ignore"):
            P = t.sum(axis=1)
            PG = (self.e[None, :] * t).sum(axis=1) / G
            Pz = (self.i[None, :] * t).sum(axis=1) / z
        A = np.abs(t).sum(axis=1)
        return P, PG, Pz, A, t, S

    def separation(self, z, G):
        """``0.219 / gamma(P(z, .), G)``: a lower bound on the distance from
        the root near ``G`` to any other root (Smale's gamma; BCSS ch. 8).

        The Taylor coefficients ``f_k = sum_e binom(e, k) A_e(z) G^(e-k)`` are
        summed with their cancellations; ``|f_k|`` is bounded above by the
        computed modulus plus the rounding bound ``8 eps e_max sum |terms|``.
        """
        t, S = self._terms(z, G)
        n = z.size
        emax = int(self.groups[-1])
        if emax < 2:
            return np.full(n, np.inf)
        with np.errstate(all="ignore"):
            PG = (self.e[None, :] * t).sum(axis=1) / G
            lPG = np.log(np.abs(PG))
            lG = np.log(G)
            ks = np.arange(2, emax + 1)
            groups = []
            shift = np.full((n, ks.size), -np.inf)
            for g, eg in enumerate(self.groups):
                if eg < 2:
                    continue
                ltg = np.log(t[:, self.gid == g].sum(axis=1))
                kk = ks[ks <= eg]
                lb = self.lgam[eg] - self.lgam[kk] - self.lgam[eg - kk]
                val = lb[None, :] + ltg[:, None] - kk[None, :] * lG[:, None]
                groups.append((kk.size, val))
                shift[:, : kk.size] = np.maximum(shift[:, : kk.size], val.real)
            sh = np.where(np.isfinite(shift), shift, 0.0)
            tot = np.zeros((n, ks.size), complex)
            absum = np.zeros((n, ks.size))
            for m, val in groups:
                ev = np.exp(val - sh[:, :m])
                tot[:, :m] += ev
                absum[:, :m] += np.abs(ev)
            bound = np.abs(tot) + 8 * EPS * emax * absum
            lsum = np.log(bound) + sh
            lg = (lsum - lPG[:, None]) / (ks[None, :] - 1)
            sep = _SEP * np.exp(-np.max(lg, axis=1))
        return np.where(np.isfinite(sep), sep, 0.0)

    # ----------------------------------------------------------------- mpmath
    def mp_coeffs(self, dps):
        from .._utils.mpctx import mpmath
        import sympy

        if dps not in self._mp_coeffs:
            with mpmath.workdps(dps):
                cs = []
                for _, _, c in self.exact_terms:
                    if c.is_Rational:
                        cs.append(mpmath.mpf(int(c.p)) / int(c.q))
                    else:
                        cs.append(mpmath.mpmathify(sympy.N(c, dps + 5)))
            self._mp_coeffs[dps] = cs
        return self._mp_coeffs[dps]

    def mp_polish(self, z, G0, dps):
        """Newton in mpmath at working precision ``dps`` from ``G0``.

        Returns ``(G, converged, |P|/sum|terms|)``.
        """
        from .._utils.mpctx import mpmath

        work = dps + 10
        cs = self.mp_coeffs(work)
        with mpmath.workdps(work):
            zz = mpmath.mpmathify(z)
            G = mpmath.mpc(G0)
            zp = {}
            for i in set(int(v) for v in self.i):
                zp[i] = zz**i
            tol = mpmath.mpf(10) ** (-(dps + 4))
            conv = False
            for _ in range(80):
                P = mpmath.mpc(0)
                PG = mpmath.mpc(0)
                for (e, i, _), c in zip(self.exact_terms, cs):
                    if e == 0:
                        P += c * zp[i]
                    else:
                        ge1 = G ** (e - 1)
                        P += c * zp[i] * ge1 * G
                        PG += e * c * zp[i] * ge1
                if PG == 0:
                    break
                d = P / PG
                G -= d
                if abs(d) <= tol * abs(G):
                    conv = True
                    break
            A = mpmath.mpf(0)
            P = mpmath.mpc(0)
            for (e, i, _), c in zip(self.exact_terms, cs):
                term = c * zp[i] * G**e
                P += term
                A += abs(term)
            res = abs(P) / A if A else mpmath.mpf(0)
        return G, conv, res

    # -------------------------------------------------------- support, atoms
    def candidates(self):
        """Exact real roots of the discriminant and of the leading coefficient
        (``None`` when the degree is too high for the exact discriminant)."""
        if self._candidates is None:
            self._candidates = _exact_candidates(self)
        return self._candidates


def _normalise(P, z, G, squarefree=False):
    """Validate and reduce the curve to a content-free, square-free Poly."""
    import sympy

    if not isinstance(z, sympy.Symbol) or not isinstance(G, sympy.Symbol):
        raise InvalidArgumentError(
            f"z and G must be sympy Symbols; got {z!r} and {G!r}"
        )
    if z == G:
        raise InvalidArgumentError(f"z and G must be different symbols; got {z} twice")
    expr = sympify_safe(P)
    if isinstance(expr, sympy.Equality):
        expr = expr.lhs - expr.rhs
    extra = expr.free_symbols - {z, G}
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        raise InvalidArgumentError(
            f"the curve P(z, G) has free symbols {names} besides {z} and {G}; "
            f"substitute numbers first, e.g. P.subs({{{names.split(', ')[0]}: 2}})"
        )
    num, _den = sympy.fraction(sympy.together(expr))
    num = sympy.expand(num)
    if G not in num.free_symbols:
        raise InvalidArgumentError(
            f"the curve P = {expr} does not involve {G}; pass P(z, G) with G the "
            "Cauchy transform variable"
        )
    poly = sympy.Poly(num, G, z)
    for c in poly.coeffs():
        if not c.is_number:
            raise InvalidArgumentError(f"coefficient {c} of P is not a number")
        if c.is_real is False or (c.is_real is None and abs(complex(sympy.N(c)).imag) > 0):
            raise InvalidArgumentError(
                f"coefficient {c} of P is not real; the curve of a probability "
                "measure has real coefficients (up to a common factor)"
            )
    # content in z (a factor without G vanishes identically at its zeros)
    pG = sympy.Poly(poly.as_expr(), G)
    cont = functools.reduce(sympy.gcd, pG.coeffs())
    if cont.free_symbols:
        poly = sympy.Poly(sympy.cancel(poly.as_expr() / cont), G, z)
    # repeated factors (for high degree only when the series at infinity
    # shows a repeated physical branch: the bivariate gcd is expensive)
    if poly.degree(G) <= 64 or squarefree:
        g = sympy.gcd(poly, poly.diff(G))
        if g.degree(G) > 0:
            poly = sympy.Poly(sympy.quo(poly, g), G, z)
    # split off factors without a branch ~ 1/z (only when cheap)
    if poly.degree(G) <= 24:
        _, facs = _ds.factor_list(poly.as_expr())
        withG = [f for f, _ in facs if G in f.free_symbols]
        if len(withG) > 1:
            good = [f for f in withG if _has_physical_branch(sympy.Poly(f, G, z))]
            if len(good) == 1:
                poly = sympy.Poly(good[0], G, z)
            elif not good:
                raise BranchError(
                    f"no factor of P = {expr} has a branch G ~ 1/z at infinity; it is "
                    "not the spectral curve of a probability measure"
                )
            else:
                raise BranchError(
                    f"several factors of P = {expr} have a branch G ~ 1/z at infinity: "
                    f"{good}; pass the factor of the law you mean"
                )
    # normalise the sign/scale: leading coefficient (in lexicographic order) positive
    lc = poly.LC()
    if lc.is_Rational and lc < 0:
        poly = -poly
    return poly


def _has_physical_branch(poly):
    terms = [(int(e), int(i), c) for (e, i), c in poly.terms()]
    a = max(i - e for e, i, _ in terms)
    q0 = sum(c for e, i, c in terms if a + e - i == 0)
    return q0 == 0


def _float_moments(terms, N):
    """Moments ``m_1..m_N`` as floats: the Newton iteration of
    :func:`_series_at_infinity` in mpmath at 40, 80, 160, 320 digits until two
    precisions agree to ``1e-14`` (relative to ``R^k``, ``R`` the moment
    scale); the exact series is the fallback.  Assumes the branch at infinity
    was checked exactly."""
    from .._utils.mpctx import mpmath
    import sympy

    prev = None
    for dps in (40, 80, 160, 320):
        with mpmath.workdps(dps):
            conv = [mpmath.mpf(int(c.p)) / int(c.q) if c.is_Rational
                    else mpmath.mpmathify(sympy.N(c, dps + 5)) for _, _, c in terms]
            M = _series_newton([(e, i, v) for (e, i, _), v in zip(terms, conv)], N,
                               mpmath.mpf(0), mpmath.mpf(1))
            vals = [float(v) for v in M[1:]]
        if prev is not None:
            nz = [abs(v) ** (1.0 / k) for k, v in enumerate(vals, 1) if v != 0]
            R = max(nz) if nz else 1.0
            if all(abs(v - w) <= 1e-14 * R**k for k, (v, w) in enumerate(zip(vals, prev), 1)):
                return [0.0 if abs(v) <= 1e-25 * R**k else v for k, v in enumerate(vals, 1)]
        prev = vals
    return [float(m) for m in _series_at_infinity(terms, N, None)]  # pragma: no cover


def _series_groups(terms, N, zero, conv=None):
    """Coefficient series ``q_e(t)`` (``e`` = power of ``M``, ``N + 1`` terms) of
    ``Q(t, M) = t^a P(1/t, t M) = Σ_e q_e(t) M^e`` (see :func:`_series_at_infinity`)."""
    a = max(i - e for e, i, _ in terms)
    groups = {}
    for e, i, c in terms:
        k = a + e - i
        if k <= N:
            q = groups.setdefault(e, [zero] * (N + 1))
            q[k] = q[k] + (conv(c) if conv is not None else c)
    return groups


def _series_residual(groups, M, N, zero):
    """``Q(t, M(t))`` and ``∂Q/∂M (t, M(t))`` to order ``N``."""
    Q = [zero] * (N + 1)
    QM = [zero] * (N + 1)
    for e, q in groups.items():
        if e == 0:
            Q = [x + y for x, y in zip(Q, q)]
            continue
        Me1 = _series.power(M, e - 1, N + 1)
        Me = _series.mul(Me1, M, N + 1)
        Q = [x + y for x, y in zip(Q, _series.mul(q, Me, N + 1))]
        QM = [x + e * y for x, y in zip(QM, _series.mul(q, Me1, N + 1))]
    return Q, QM


def _series_newton(terms, N, zero, one, groups=None):
    """``M = 1 + m_1 t + ... + m_N t^N`` solving ``Q(t, M) = 0`` (see
    :func:`_series_at_infinity`) by Newton's iteration on power series
    (doubling the number of correct terms per step)."""
    if groups is None:
        groups = _series_groups(terms, N, zero)
    M = [one] + [zero] * N
    for _ in range(max(1, math.ceil(math.log2(N + 1))) + 1):
        Q, QM = _series_residual(groups, M, N, zero)
        delta = _series.mul(Q, _series.inv(QM, N + 1), N + 1)
        M = [x - y for x, y in zip(M, delta)]
    return M


def _series_at_infinity(terms, N, expr):
    """Moments ``m_1..m_N`` from ``Q(t, M) = t^a P(1/t, t M) = 0``, ``M(0) = 1``.

    ``G(z) = M(1/z)/z`` with ``M(t) = 1 + m_1 t + m_2 t^2 + ...``; Newton
    iteration on power series, exact for exact coefficients.
    """
    a = max(i - e for e, i, _ in terms)
    exact = all(c.is_Rational for _, _, c in terms)
    zero = Fraction(0) if exact else 0
    one = Fraction(1) if exact else 1
    groups = _series_groups(terms, N, zero, _to_exact if exact else None)
    q0 = sum((q[0] for q in groups.values()), zero)
    dq0 = sum((e * q[0] for e, q in groups.items()), zero)
    if q0 != 0:
        raise BranchError(
            f"the curve P = {expr} has no branch with G ~ 1/z at infinity "
            f"(P(1/t, t M) t^{a} at t = 0, M = 1 is {q0}, not 0); it is not the "
            "spectral curve of a probability measure in the convention G ~ 1/z"
        )
    if dq0 == 0:
        raise _RepeatedBranch(
            f"the curve P = {expr} has several branches with G ~ 1/z at infinity; "
            "factor it and pass the factor of the law you mean"
        )
    M = _series_newton(terms, N, zero, one, groups=groups)
    if exact:
        Q, _ = _series_residual(groups, M, N, zero)
        if any(v != 0 for v in Q):
            raise BranchError(  # pragma: no cover - Newton on series is exact
                f"series of G at infinity for P = {expr} did not converge"
            )
    out = M[1:]
    if exact:
        out = [int(v) if v.denominator == 1 else v for v in out]
    else:
        import sympy

        out = [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else _ds.simplify(v)
               for v in out]
    return out


def _exact_candidates(curve):
    """Sorted exact real roots of disc_G(P) and of the leading coefficient."""
    import sympy

    z, G = curve.z, curve.G
    sparse = len(curve.exact_terms) <= 8
    if curve.degree > (_EXACT_DISC_MAX_SPARSE if sparse else _EXACT_DISC_MAX_DEGREE):
        return None
    if curve.expr.has(sympy.Float):
        return None  # inexact coefficients: no exact discriminant, use the numeric scan
    pG = sympy.Poly(curve.expr, G)
    roots = set()
    disc = sympy.discriminant(pG)
    lead = pG.LC()
    for q in (disc, lead):
        q = sympy.Poly(sympy.expand(q), z)
        if q.degree() <= 0:
            continue
        (k,), rest = q.terms_gcd()
        if k > 0:
            roots.add(sympy.Integer(0))
        if rest.degree() > 0:
            rest = rest.sqf_part()
            for r in rest.real_roots():
                roots.add(r)
    return sorted(roots, key=lambda r: float(sympy.N(r, 30)))


@functools.lru_cache(maxsize=64)
def curve_engine(P, z, G):
    """Cached :class:`_AlgebraicCurve` for ``(P, z, G)``."""
    return _AlgebraicCurve(P, z, G)


@functools.lru_cache(maxsize=64)
def translated_curve(curve, a):
    """Cached :class:`_AlgebraicCurve` of ``P(a + z, G)`` for a curve and a
    sympy ``Rational`` ``a``: moments and exact candidates are translated
    from ``curve`` instead of recomputed (exact either way)."""
    return _AlgebraicCurve(None, curve.z, curve.G, _translate=(curve, a))
