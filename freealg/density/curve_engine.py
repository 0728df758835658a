"""Adapter of an algebraic curve to the certified density (private):
numeric values of the physical branch (float continuation with an mpmath
fallback), support from the discriminant, atoms from the Newton polygon.
"""

from __future__ import annotations

import functools

import numpy as np

from . import certify as _certify
from . import curve_track as _track
from .continuation import EPS
from .checks import _POLISH_DPS, _residue
from ..errors import CertificationError
from .._utils.numbers import to_float

__all__ = []  # private: freealg.density uses _engine

_MP_FALLBACK_MAX = 64  # most vertical lines continued in mpmath per call

# ---------------------------------------------------------------------------
# algebraic curves
# ---------------------------------------------------------------------------


class _CurveEngine:
    """Adapter of an algebraic curve to :func:`certified_density`."""

    def __init__(self, curve):
        self.curve = curve  # the numeric view (density.algebraic) of one SpectralCurve
        self._support = None
        self._atoms = None
        c = self.curve
        cands = c.candidates()
        if cands:
            import sympy

            self.cands_exact = cands
            self.cands = [to_float(v) for v in cands]
            # branch points that are exactly a double: only there is a grid
            # point *at* the branch point (a double next to an irrational one
            # is an ordinary point, resolved in mpmath)
            self.exact_points = [f for f, v in zip(self.cands, cands)
                                 if v.is_Rational and sympy.Rational(f) == v]
            c.scale = max(max(abs(v) for v in self.cands), c.moment_scale, 1e-300)
        else:
            self.cands_exact = None
            self.cands = None
            self.exact_points = []
            c.scale = 4 * c.moment_scale
        self.scale = c.scale

    # numeric values of the physical branch at x + i y (y >= 0)
    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        tr = _track.track(self.curve, x, y)
        G, err, resid, ok, rad = tr.U[:, 0].copy(), tr.err.copy(), tr.resid.copy(), tr.ok.copy(), tr.radius.copy()
        # mpmath continuation from the last certified float value where
        # float64 could not go on (roots closer than its resolution)
        retry = ~ok & (tr.status != 1)
        for c in self.exact_points:
            # a branch point itself: the roots never separate there, so no
            # mpmath walk; any other point, however near (a double next to an
            # irrational edge), has distinct roots that mp_descend resolves
            # with more digits
            retry &= ~((y == 0) & (x == c))
        retry = np.nonzero(retry)[0]
        groups = {}
        for k in retry:
            groups.setdefault(float(x[k]), []).append(k)
        for xv, ks in list(groups.items())[:_MP_FALLBACK_MAX]:
            # one walk per vertical line, from the highest certified float state
            k0 = max(ks, key=lambda k: tr.y[k])
            res = _track.mp_descend(self.curve, xv, tr.y[k0], tr.U[k0, 0], [y[k] for k in ks],
                                    dps=_POLISH_DPS)
            for k, (g, good, r) in zip(ks, res):
                if good:
                    G[k] = complex(g)
                    # mpmath error plus the rounding of the float copy of Im G
                    # (the density's error; the real part's rounding is not in it)
                    err[k] = abs(G[k]) * 10.0 ** (-_POLISH_DPS) + EPS * abs(G[k].imag)
                    resid[k] = 0.0
                    rad[k] = float(r)
                    ok[k] = True
        # next to an atom (a zero of the leading coefficient a != 0) P in
        # powers of z cancels catastrophically: the translated curve P(a + z, G)
        # at z = x - a (exact for |x - a| <= |a|/2, Sterbenz) has no cancellation
        if not ok.all() and not getattr(self, "_translated", False):
            for a in self.singular():
                if a == 0:
                    continue
                near = np.nonzero(~ok & (np.abs(x - a) <= 1e-3 * abs(a)))[0]
                if near.size:
                    eng = self.shifted(a)
                    Gs, es, rs, oks, rads = eng.values(x[near] - a, y[near])
                    G[near], err[near], resid[near], ok[near], rad[near] = Gs, es, rs, oks, rads
        return G, err, resid, ok, rad

    def is_real(self, x, G, err, radius):
        return (np.abs(G.imag) <= err + 8 * EPS * np.abs(G)) & (radius > 4 * err)

    def refine(self, x, G, err, radius, dps):
        Gmp, Gf, ef, ok = [], np.array(G, complex), np.array(err, float), np.zeros(len(x), bool)
        for k in range(len(x)):
            # next to a branch point the two coalescing roots make Newton's last
            # steps ill-conditioned (about log10(|G|/separation) digits are lost),
            # so a run that stalls short of its tolerance is repeated with more digits
            for work in (dps, 2 * dps, 4 * dps):
                v, conv, _ = self.curve.mp_polish(float(x[k]), complex(G[k]), work)
                if conv:
                    break
            dist = abs(complex(v) - complex(G[k]))
            ok[k] = bool(conv) and dist <= max(0.25 * radius[k], 10 * err[k])
            Gmp.append(v if ok[k] else None)
            if ok[k]:
                Gf[k] = complex(v)
                # mpmath error plus the rounding of the float copy
                ef[k] = float(abs(v)) * 10.0 ** (-dps) + EPS * abs(Gf[k].imag)
        return Gmp, Gf, ef, ok

    def special(self):
        """Real roots of the discriminant and of the leading coefficient."""
        return list(self.cands or [])

    def limit_points(self):
        """Points where the density is a limit: the branch points that are
        exactly representable (the leading coefficient's zeros come from
        :meth:`singular`)."""
        return list(self.exact_points)

    def singular(self):
        return sorted({to_float(r) for r in self.curve.lead_roots()})

    def exact_moments(self, K):
        return self.curve.moments(K)

    def shifted(self, a, a_exact=None):
        """Engine of the translated curve ``P(a + z, G)`` (evaluating ``P`` in
        powers of ``z`` near ``a != 0`` cancels catastrophically)."""
        import sympy

        if a_exact is None:
            ex = [v for v in (self.cands_exact or []) if abs(to_float(v) - a) <= 1e-14 * abs(a)]
            # the exact binary value of the double ``a`` keeps the translated
            # curve rational (a Float shift would put it over RR, where exact
            # discriminants fail) and matches the shift ``x - a`` applied below
            a_exact = ex[0] if ex and ex[0].is_Rational else sympy.Rational(a)
        return _shifted_engine(self, sympy.Rational(a_exact))

    def local(self, a):
        """``values`` near ``x = a``, from the translated curve."""
        if a == 0:
            return self.values
        eng = self.shifted(a)

        def values(x, y):
            return eng.values(np.asarray(x, float) - a, y)

        return values

    def atoms(self, strict=True):
        """``(exact atoms, float atoms)``.  A zero of the leading coefficient
        whose candidate mass could be neither confirmed nor refuted raises
        :class:`CertificationError` (``strict=False``: it is left out and
        reported by :meth:`atom_failures`)."""
        problems = self.atom_failures()
        if problems and strict:
            raise CertificationError("atoms of the curve not certified:\n  " + "\n  ".join(problems))
        ex = self._atoms[0]
        return ex, [(float(a), float(m)) for a, m in ex]

    def atom_failures(self):
        """Messages for candidate atoms that could not be decided."""
        if self._atoms is None:
            self._atoms = _curve_atoms_impl(self)
        return list(self._atoms[1])

    def support(self):
        if self._support is None:
            self._support = _curve_support_impl(self)
        return [(float(a), float(b)) for a, b in self._support]

    def positive(self, xs):
        G, err, _, ok, rad = self.values(xs, np.zeros_like(xs))
        return ok & ~self.is_real(xs, G, err, rad) & (G.imag < 0)


@functools.lru_cache(maxsize=32)
def _engine(spectral):
    """The engine of a :class:`~freealg.SpectralCurve` in engine form
    (``curve._engine_curve()``)."""
    from . import algebraic as _curve

    return _CurveEngine(_curve.curve_engine(spectral))


@functools.lru_cache(maxsize=32)
def _shifted_engine(eng, a):
    from . import algebraic as _curve

    out = _CurveEngine(_curve.translated_curve(eng.curve, a))
    out._translated = True
    return out


def _curve_support_impl(eng):
    """Support intervals with exact endpoints when the discriminant is known."""
    if eng.cands is None:
        return _certify.scan_support(eng.positive, -eng.scale, eng.scale, n=600)
    cf = eng.cands
    if len(cf) == 0:
        return []
    width = max(cf[-1] - cf[0], max(abs(v) for v in cf), 1.0)
    mids = np.array([0.5 * (a + b) for a, b in zip(cf[:-1], cf[1:])])
    outside = np.array([cf[0] - 0.5 * width, cf[-1] + 0.5 * width])
    pos = eng.positive(np.concatenate([mids, outside])) if mids.size else eng.positive(outside)
    pm = pos[: mids.size]
    if pos[mids.size:].any():
        raise CertificationError(
            "the density is positive outside all real roots of the discriminant; "
            "the curve or its physical branch is inconsistent"
        )
    out = []
    k = 0
    while k < pm.size:
        if pm[k]:
            j = k
            while j + 1 < pm.size and pm[j + 1]:
                j += 1
            out.append((eng.cands_exact[k], eng.cands_exact[j + 1]))
            k = j + 1
        else:
            k += 1
    return out


def _curve_atoms_impl(eng):
    """Atoms at real zeros of the leading coefficient, masses from residues.

    Returns ``(atoms, problems)``: ``problems`` names every zero of the
    leading coefficient with a candidate mass that could be neither confirmed
    nor refuted (such a candidate is never dropped silently).

    Each candidate mass ``c`` (Newton polygon) is tested against the physical
    branch on the vertical line ``a + i eps``:

    * refuted when ``f(eps) = Re(i eps G(a + i eps)) = ∫ eps²/((x - a)² + eps²) dμ``
      is below ``c`` at some certified ``eps``: ``f`` decreases to ``μ({a})``
      as ``eps -> 0``, so ``f(eps) >= μ({a})`` for every ``eps`` (rigorous);
    * confirmed when the extrapolated residue ``lim f(eps)`` matches ``c`` and
      no other option (another candidate, or no atom) within its tolerance;
      no atom when it matches ``0`` alone;
    * else confirmed when Newton from ``c/(i eps)`` lands on the physical
      value at two heights (the physical branch is the pole branch).
    """
    c = eng.curve
    roots = c.lead_roots()
    if not roots:
        return [], []
    out, problems = [], []
    for a in roots:
        cands = _atom_candidates(c.spectral, a)
        if not cands:
            continue
        found, problem = _decide_atom(eng, a, cands)
        if found is not None:
            out.append((a, found))
        elif problem:
            problems.append(problem)
    return out, problems


# heights (relative to the scale) of the rigorous upper bound f(eps) >= mass
_BOUND_EPS = 10.0 ** -np.arange(4.0, 17.0, 2.0)


def _decide_atom(eng, a, cands):
    """``(mass or None, problem or None)`` for the zero ``a`` of the leading
    coefficient with candidate masses ``cands`` (see :func:`_curve_atoms_impl`)."""
    from .curve_track import CurveProblem

    af = to_float(a)
    s = max(eng.scale, abs(af), 1e-300)
    loc = eng if af == 0 else eng.shifted(af, a if a.is_Rational else None)
    cf = [to_float(m) for m in cands]
    # upper bound on the atom: f(eps) plus its error, at certified heights
    eps = _BOUND_EPS * s
    Gb, eb, _, okb, _ = loc.values(np.zeros(eps.size), eps)
    fb = (1j * eps * Gb).real + eps * eb
    bound = float(np.min(fb[okb])) if okb.any() else np.inf
    alive = [k for k, v in enumerate(cf) if v <= bound * (1 + 1e-12) + 1e-15]
    if not alive:
        return None, None  # every candidate exceeds f(eps) >= mass: no atom
    # the residue extrapolated from eps = s 1e-4 ... s 1e-244
    est, unc = _residue(eng, af, s)
    if np.isfinite(est) and unc <= 1e-4:
        tol = max(1e-6, 10 * unc)
        opts = [(abs(est - cf[k]), k) for k in alive] + [(abs(est), None)]
        opts.sort(key=lambda o: o[0])
        if opts[0][0] <= tol and (len(opts) == 1 or opts[1][0] > tol):
            k = opts[0][1]
            return (cands[k] if k is not None else None), None
        # a conclusive residue that singles out no option contradicts the
        # Newton polygon: reported, not overruled by the Newton test below
        left = ", ".join(f"{cf[k]:.12g}" for k in alive)
        return None, (
            f"zero x = {af:.15g} of the leading coefficient: candidate atom mass(es) {left} "
            f"(Newton polygon) neither confirmed nor refuted: the extrapolated residue "
            f"{est:.12g} +- {unc:.1e} " + ("matches several of" if opts[0][0] <= tol else "matches none of")
            + f" them and 0 (tolerance {tol:.1e})"
        )
    if np.isfinite(est):
        why = f"the residue extrapolation is inconclusive ({est:.6g} +- {unc:.1e})"
    else:
        why = "the residue extrapolation failed (the physical branch was not reached near the point)"
    # is the physical branch the one with G ~ c/(z - a)?  (Newton from
    # c/(i eps) must land on it at two heights)
    eps2 = np.array([1e-7, 1e-10]) * s
    Gp, _, _, okp, _ = loc.values(np.zeros(2), eps2)
    if okp.all():
        z1 = 1j * eps2
        for k in alive:
            U, conv, _, _ = CurveProblem(loc.curve).newton((cf[k] / z1)[:, None], z1)
            if conv.all() and np.all(np.abs(U[:, 0] - Gp) <= 1e-9 * np.abs(Gp)):
                return cands[k], None
        why += "; the physical branch is not the pole branch of any candidate at eps = 1e-7, 1e-10 (relative)"
    else:
        why += "; the physical branch could not be computed at eps = 1e-7, 1e-10 (relative)"
    left = ", ".join(f"{cf[k]:.12g}" for k in alive)
    return None, (
        f"zero x = {af:.15g} of the leading coefficient: candidate atom mass(es) {left} "
        f"(Newton polygon) neither confirmed nor refuted: {why}; the bound "
        f"mu({{x}}) <= Re(i eps G(x + i eps)) gives {bound:.6g}"
    )


def _atom_candidates(spectral, a):
    """Masses ``c`` in ``(0, 1]`` of branches ``G ~ c/(z - a)`` (the curve's
    Newton polygon at ``a``, ``SpectralCurve._atom_masses``)."""
    import sympy

    masses = []
    for r in spectral._atom_masses(a):
        if r.is_real:
            rv = to_float(r)
            if 0 < rv <= 1 + 1e-12:
                r = sympy.radsimp(r)
                if r not in masses:
                    masses.append(r)
    return masses
