"""The numeric view of an algebraic spectral curve ``P(z, G) = 0`` (private
engine behind :mod:`freealg.density`): float64 and mpmath coefficient arrays,
evaluation with a common scale, Smale's root separation, mpmath Newton
polishing.

The curve itself is the one exact model :class:`freealg.SpectralCurve`: the
normal form of ``P``, its series at infinity (moments), the exact candidate
edges and atoms and the translated curves are read from it (computed once,
cached on the curve); nothing here normalises ``P`` or expands series.

Conventions (docs/theory.md §1): ``G(z) = int dmu(x)/(z - x)``, ``G ~ 1/z``
at infinity, ``Im G < 0`` for ``Im z > 0``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .continuation import EPS

__all__ = ["curve_engine"]

_SEP = (5.0 - math.sqrt(17.0)) / 4.0  # root separation constant (BCSS, ch. 8)


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


class _AlgebraicCurve:
    """The numeric view of one :class:`~freealg.SpectralCurve` (its engine
    form): coefficient arrays, scaled evaluation, separation, mpmath polishing;
    the exact data (moments, candidates) are read from the curve."""

    def __init__(self, spectral):
        self.spectral = spectral  # the SpectralCurve (engine form: numeric, physical part)
        poly = spectral.poly  # sympy Poly in (G, z), content-free, square-free
        self.degree = spectral.degree
        self.exact_terms = [(int(e), int(i), c) for (e, i), c in poly.terms()]
        self.e = np.array([t[0] for t in self.exact_terms], dtype=np.int64)
        self.i = np.array([t[1] for t in self.exact_terms], dtype=np.int64)
        self._i_list = [t[1] for t in self.exact_terms]
        self._g_needed = sorted({e for e, _, _ in self.exact_terms}
                                | {e - 1 for e, _, _ in self.exact_terms if e})
        # logarithms taken from the exact coefficients: a coefficient beyond
        # the float range (e.g. |c| ~ 1e400 after translating a curve with
        # float-derived rational data to an atom) would otherwise become inf
        # and every evaluation NaN
        self.logc = np.array([_log_coefficient(c) for _, _, c in self.exact_terms], dtype=complex)
        self.groups = np.array(sorted(set(self.e.tolist())), dtype=np.int64)
        self.gid = np.searchsorted(self.groups, self.e)
        emax = int(self.groups[-1])
        self.lgam = np.array([math.lgamma(k + 1.0) for k in range(emax + 2)])
        self._mp_coeffs = {}
        # float moments for start guesses and the scale (the curve's series
        # at infinity in mpmath; the exact series is computed when asked for)
        mf = spectral._float_moments(24)
        est = max(abs(m) ** (1.0 / k) for k, m in enumerate(mf, 1) if m != 0) if any(mf) else 1.0
        self.moment_scale = est
        self.start_moments = np.array(mf[:10])
        self.scale = est  # refined once support candidates are known

    # ------------------------------------------------------------------ exact
    def moments(self, n):
        """Exact moments ``m_1..m_n`` (the curve's series at infinity)."""
        return self.spectral.moments(n)

    def candidates(self):
        """Exact real roots of the discriminant and of the leading coefficient
        (``None`` when the degree is too high for the exact discriminant)."""
        return self.spectral._real_candidates()

    def lead_roots(self):
        """Exact real zeros of the leading coefficient in ``G``."""
        return self.spectral._lead_real_roots()

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

    def mp_powers(self, zz):
        """``{i: zz**i}`` for the powers of ``z`` in ``P`` (for :meth:`mp_eval`)."""
        return {i: zz**i for i in set(self._i_list)}

    def mp_eval(self, cs, zz, G, zp=None, full=True):
        """``P, P_G, z P_z`` and ``sum |terms|`` at ``(zz, G)`` in mpmath, with
        the coefficients ``cs`` of :meth:`mp_coeffs` (at the working precision)
        and the powers ``zp`` of :meth:`mp_powers` (computed when not given);
        with ``full=False`` only ``P, P_G`` (a Newton step)."""
        from .._utils.mpctx import mpmath

        if zp is None:
            zp = self.mp_powers(zz)
        gp = {k: G**k for k in self._g_needed}
        P = PG = mpmath.mpc(0)
        if not full:
            for (e, i, _), c in zip(self.exact_terms, cs):
                u = c * zp[i]
                P += u * gp[e]
                if e:
                    PG += e * u * gp[e - 1]
            return P, PG
        zPz = mpmath.mpc(0)
        A = mpmath.mpf(0)
        for (e, i, _), c in zip(self.exact_terms, cs):
            u = c * zp[i]
            t = u * gp[e]
            if e:
                PG += e * u * gp[e - 1]
            P += t
            A += abs(t)
            if i:
                zPz += i * t
        return P, PG, zPz, A

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
            zp = self.mp_powers(zz)
            tol = mpmath.mpf(10) ** (-(dps + 4))
            conv = False
            for _ in range(80):
                P, PG = self.mp_eval(cs, zz, G, zp, full=False)
                if PG == 0:
                    break
                d = P / PG
                G -= d
                if abs(d) <= tol * abs(G):
                    conv = True
                    break
            P, _, _, A = self.mp_eval(cs, zz, G, zp)
            res = abs(P) / A if A else mpmath.mpf(0)
        return G, conv, res


@functools.lru_cache(maxsize=64)
def curve_engine(spectral):
    """Cached :class:`_AlgebraicCurve` of a :class:`~freealg.SpectralCurve`
    (its engine form, ``spectral._engine_curve()``)."""
    return _AlgebraicCurve(spectral)


def translated_curve(curve, a):
    """:class:`_AlgebraicCurve` of ``P(a + z, G)`` for a sympy ``Rational``
    ``a`` (the curve's translate, exact candidates carried over)."""
    return curve_engine(curve.spectral._shifted(a))
