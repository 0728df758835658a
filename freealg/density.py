r"""Certified densities of algebraic spectral curves ``P(z, G) = 0``.

The physical branch of a curve is the root ``G(z)`` with ``G ~ 1/z`` at
``z = i oo``, continued analytically into the upper half plane.  It is **not**
in general the root of largest ``|Im G|`` (that rule, used by a published
tool, picks the wrong root of every curve of degree >= 4 somewhere).  This
module follows the branch itself:

* :func:`branch_cauchy` -- ``G(z)`` at points of the upper half plane;
* :func:`curve_density` -- ``rho(x) = -Im G(x + i0) / pi`` on a grid, with
  atoms, support and a :class:`DensityEvidence` object;
* :func:`curve_support` -- bulk intervals (real roots of the discriminant of
  ``P`` in ``G``, each confirmed by the density);
* :func:`curve_atoms` -- atom locations (zeros of the leading coefficient in
  ``G``) and masses (residues; exact when ``P`` has rational coefficients).

Method.  Every value comes from a walk straight down from ``x + i Y0`` (far
above the support, where the series ``G = sum_n m_n z^{-n-1}`` fixes the
physical root) to ``x + i y`` or to the real axis, by predictor-corrector
continuation: log-log predictor, Newton corrector with an iteration cap, and
a basin check on every step -- the corrected root must stay within a quarter
of ``0.219/gamma`` of the prediction, where ``gamma`` is Smale's gamma of
``P(z, .)`` (``0.219/gamma`` bounds the distance to every other root from
below).  ``Im G <= 0`` is enforced as a branch guard.  Points whose float64
error bound exceeds the target (near edges) are polished with mpmath Newton
at ``dps`` digits (default 30 for the polishing, so the bulk density is good
to ``1e-12`` relative).

Evidence (``result.evidence``): the largest backward residual, ``Im G <= 0``
at every computed point, the mass of the continuous part (quadrature on the
axis with small semicircles around edges, atoms and singular points) plus the
atoms, equal to 1 within ``mass_tol``, and the first moments from a contour
integral of ``G`` against the exact moments (from the series of ``G`` at
infinity, or ``exact_moments``).  A failed check raises
:class:`~freealg.errors.CertificationError` when ``strict=True`` (default) and
warns with :class:`~freealg.errors.CertificationWarning` otherwise; the result
then carries the failed evidence.

Conventions (THEORY.md section 1): ``G(z) = int dmu(x) / (z - x)``,
``G ~ 1/z``, ``Im G < 0`` for ``Im z > 0``, ``rho(x) = -Im G(x + i0)/pi``.

Examples
--------
The semicircle law, ``G^2 - z G + 1 = 0``: ``rho(0) = 1/pi``.

>>> import sympy
>>> from freealg.density import curve_density
>>> z, G = sympy.symbols("z G")
>>> res = curve_density(G**2 - z*G + 1, z, G, [0.0, 1.0, 3.0])
>>> [round(float(v), 10) for v in res.density]
[0.3183098862, 0.2756644477, 0.0]
>>> res.support, res.evidence.ok
([(-2.0, 2.0)], True)
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import _certify
from ._continuation import EPS
from .errors import (
    CertificationError,
    CertificationWarning,
    InvalidArgumentError,
)

__all__ = [
    "DensityEvidence",
    "DensityResult",
    "branch_cauchy",
    "curve_density",
    "curve_support",
    "curve_atoms",
]

_TARGET_REL = 1e-12  # default relative accuracy of the bulk density
_POLISH_DPS = 30  # working precision of the default mpmath polishing
_MP_FALLBACK_MAX = 64  # most vertical lines continued in mpmath per call


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------


class DensityEvidence:
    """Checks behind a computed density (attributes, no printing).

    Attributes
    ----------
    ok : bool
        All checks passed.
    failures : list of str
        One line per failed check.
    max_residual, residual_tol : float
        Largest relative backward residual of the equation at the grid
        points (``|P| / sum |terms|`` for curves, the log-equation residual for
        functional equations) and its tolerance.
    im_sign_ok : bool
        ``Im G <= 0`` (up to rounding) at every computed point: grid,
        quadrature nodes and contour nodes.
    max_im : float
        Largest ``Im G / |G|`` seen (positive values beyond rounding fail).
    mass_continuous, mass_atoms : float
        Mass of the absolutely continuous part (quadrature, independent of the
        grid) and total mass of the atoms.
    mass_error, mass_tol : float
        ``|mass_continuous + mass_atoms - 1|`` and its tolerance.
    mass_quadrature_error : float
        Estimated quadrature error (difference of two rules).
    moments_exact, moments_contour : list of float
        ``m_1..m_K`` exact and from ``(1/2 pi i) oint z^k G dz``.
    moment_errors : list of float
        Relative errors ``|m_k^contour - m_k| / |m_k|``.
    moment_tol : list of float
        Tolerance per moment (``moment_tol`` or the rounding bound of the
        contour sum, whichever is larger).
    atom_checks : list of tuple
        ``(location, mass, residue, uncertainty)``: the residue
        ``lim i eps G(a + i eps)`` extrapolated from ``eps`` down to
        ``1e-244`` times the scale.
    max_rel_error : float
        Largest estimated relative error of the density at grid points in
        the bulk (after mpmath polishing).
    refined : int
        Number of grid points polished with mpmath.
    tracking_failures : int
        Points where the continuation failed (their density is not trusted).
    notes : list of str
        Information that is not a failure (for example an inconclusive atom
        residue extrapolation).
    """

    _FIELDS = (
        "ok", "failures", "method", "n_points", "max_residual", "residual_tol",
        "im_sign_ok", "max_im", "mass_continuous", "mass_atoms", "mass_error",
        "mass_tol", "mass_quadrature_error", "moments_exact", "moments_contour",
        "moment_errors", "moment_tol", "atom_checks", "max_rel_error",
        "refined", "dps", "tracking_failures", "notes",
    )

    def __init__(self, **kw):
        for k in self._FIELDS:
            setattr(self, k, kw.get(k))

    def summary(self):
        """Multi-line human-readable summary."""
        lines = [f"DensityEvidence ({self.method}): {'ok' if self.ok else 'FAILED'}"]
        lines.append(f"  residual      {self.max_residual:.2e} (tol {self.residual_tol:.0e})")
        lines.append(f"  Im G <= 0     {self.im_sign_ok} (max Im G/|G| = {self.max_im:.2e})")
        lines.append(
            f"  mass          {self.mass_continuous:.15f} + atoms {self.mass_atoms:.15f}"
            f" (|total - 1| = {self.mass_error:.2e}, tol {self.mass_tol:.0e})"
        )
        if self.moment_errors:
            worst = max(self.moment_errors)
            lines.append(
                f"  moments 1..{len(self.moment_errors)}  max rel. error {worst:.2e}"
                f" (tol {min(self.moment_tol):.0e})"
            )
        for loc, mass, res, unc in self.atom_checks or []:
            lines.append(f"  atom at {loc:.6g}: mass {mass:.12g}, residue {res:.12g} +- {unc:.1e}")
        lines.append(
            f"  grid          {self.n_points} points, {self.refined} polished in mpmath, "
            f"max rel. error {self.max_rel_error:.1e}, {self.tracking_failures} tracking failures"
        )
        for f in self.failures or []:
            lines.append(f"  FAILED: {f}")
        for n in self.notes or []:
            lines.append(f"  note: {n}")
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()


class DensityResult:
    """A density on a grid with its atoms, support and evidence.

    Attributes
    ----------
    x : ndarray
        The grid (as given).
    density : ndarray
        ``rho(x) = -Im G(x + i0) / pi`` of the absolutely continuous part
        (``inf`` where it is unbounded, e.g. at a hard edge).
    cauchy : ndarray
        Boundary values ``G(x + i0)`` (complex).
    error : ndarray
        Estimated absolute error of ``density``.
    atoms : list of (float, float)
        ``(location, mass)``.
    atoms_exact : list
        The same, exact (sympy / Fraction) when available.
    support : list of (float, float)
        Bulk intervals.
    evidence : DensityEvidence
    density_mp : list or None
        mpmath values when ``dps`` was given.
    """

    def __init__(self, x, density, cauchy, error, atoms, atoms_exact, support, evidence, density_mp=None):
        self.x = x
        self.density = density
        self.cauchy = cauchy
        self.error = error
        self.atoms = atoms
        self.atoms_exact = atoms_exact
        self.support = support
        self.evidence = evidence
        self.density_mp = density_mp

    def __repr__(self):
        sup = ", ".join(f"[{a:.6g}, {b:.6g}]" for a, b in self.support)
        at = ", ".join(f"{m:.6g} at {a:.6g}" for a, m in self.atoms)
        return (
            f"DensityResult({self.x.size} points, support {sup or 'none'}, "
            f"atoms {at or 'none'}, evidence {'ok' if self.evidence.ok else 'FAILED'})"
        )


# ---------------------------------------------------------------------------
# the engine-agnostic certified density
# ---------------------------------------------------------------------------


def _as_grid(x):
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.size == 0:
        raise InvalidArgumentError("x is empty; pass at least one grid point")
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)][0]
        raise InvalidArgumentError(f"x must be finite; got {bad}")
    return arr


def _check_dps(dps):
    if dps is None:
        return None
    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < 15:
        raise InvalidArgumentError(f"dps must be an integer >= 15 (decimal digits); got {dps!r}")
    return int(dps)


def _local_aux(engine, a):
    """``values`` near ``a`` returning ``(G, err, ok)`` (failures are the
    caller's business: residue extrapolation uses the points it reached)."""
    vals = engine.local(a) if hasattr(engine, "local") else engine.values

    def aux(xx, yy):
        G, err, _, ok, _ = vals(np.asarray(xx, float), np.asarray(yy, float))
        return G, err, ok

    return aux


def _residue(engine, a, s):
    """Cached residue extrapolation ``lim i eps G(a + i eps)`` at ``a``."""
    cache = engine.__dict__.setdefault("_residues", {})
    if a not in cache:
        cache[a] = _certify.atom_residue(_local_aux(engine, a), a, s)
    return cache[a]


def certified_density(engine, x, *, dps=None, strict=True, exact_moments=None,
                      n_moments=8, mass_tol=1e-9, moment_tol=1e-8, method=""):
    """Density of ``engine`` on the grid ``x`` with evidence (used by both
    :func:`curve_density` and :meth:`freealg.functional.FreeMulLaw.density`)."""
    dps = _check_dps(dps)
    x = _as_grid(x)
    flat = x.ravel()
    n = flat.size
    failures, notes = [], []
    aux_fail = []

    def aux_values(xx, yy):
        G, err, _, ok, _ = engine.values(np.asarray(xx, float), np.asarray(yy, float))
        if not np.all(ok):
            aux_fail.append(int(np.sum(~ok)))
        return G, err

    singular = engine.singular()
    atoms_exact, atoms = engine.atoms()
    # points where the boundary value is taken as a limit: zeros of the
    # leading coefficient / x = 0 (atoms, hard edges) and support edges
    special = sorted(set(singular) | set(engine.special()))
    sing = np.zeros(n, bool)
    for s in special:
        sing |= np.abs(flat - s) <= 1e-15 * abs(s)
    reg = np.nonzero(~sing)[0]
    G = np.zeros(n, complex)
    err = np.zeros(n)
    resid = np.zeros(n)
    Gr, er, rr, okr, rad = engine.values(flat[reg], np.zeros(reg.size))
    # a failure within 1e-9 of an edge (roots too close for the float
    # continuation) is evaluated as a limit as well
    near = np.zeros(reg.size, bool)
    for s in special:
        near |= np.abs(flat[reg] - s) <= 1e-9 * max(abs(s), 1e-300)
    moved = ~okr & near
    if moved.any():
        sing[reg[moved]] = True
        keep = ~moved
        reg, Gr, er, rr, okr, rad = reg[keep], Gr[keep], er[keep], rr[keep], okr[keep], rad[keep]
    G[reg], err[reg], resid[reg] = Gr, er, rr
    tracking_failures = int(np.sum(~okr))
    if tracking_failures:
        bad = flat[reg][~okr][:3]
        failures.append(
            f"continuation failed at {tracking_failures} grid points (e.g. x = "
            + ", ".join(f"{v:.6g}" for v in bad) + ")"
        )
    # certified real boundary values: density exactly 0
    real = np.zeros(n, bool)
    real[reg] = okr & engine.is_real(flat[reg], Gr, er, rad)
    # mpmath polishing
    density_mp = None
    refined = 0
    rel = np.zeros(n)
    with np.errstate(all="ignore"):
        rel[reg] = er / np.abs(Gr.imag)
    need = np.zeros(n, bool)
    if dps is not None:
        need[reg] = okr
    else:
        need[reg] = okr & ~real[reg] & (rel[reg] > _TARGET_REL)
    mp_vals = {}
    if need.any():
        idx = np.nonzero(need)[0]
        pos = np.searchsorted(reg, idx)
        out = engine.refine(flat[idx], G[idx], err[idx], rad[pos], dps or _POLISH_DPS)
        if out is None:
            notes.append(
                f"{idx.size} points near edges were not polished in mpmath "
                "(the equation has no mpmath form); their float64 error bounds are reported"
            )
        else:
            Gmp, Gf, ef, okf = out
            refined = int(np.sum(okf))
            if not np.all(okf):
                failures.append(f"mpmath polishing left its basin at {int(np.sum(~okf))} points")
            G[idx[okf]] = Gf[okf]
            err[idx[okf]] = ef[okf]
            for k, j in enumerate(idx):
                mp_vals[int(j)] = Gmp[k]
            real[idx] = okf & engine.is_real(flat[idx], Gf, ef, rad[pos]) | (real[idx] & ~okf)
    Gc = G.copy()
    Gc[real] = Gc[real].real
    density = -Gc.imag / np.pi + 0.0  # no negative zeros
    error = err / np.pi
    error[real] = 0.0
    # singular points
    scale = engine.scale
    amap = {float(a): float(m) for a, m in atoms}
    for k in np.nonzero(sing)[0]:
        s = float(flat[k])
        m = next((mm for a, mm in amap.items() if abs(a - s) <= 1e-15 * abs(s)), 0.0)
        density[k], error[k] = _certify.point_density(_local_aux(engine, s), s, m, scale)
        if np.isnan(density[k]):
            failures.append(f"the density at the singular point x = {s:.6g} could not be computed")
        # G itself is singular there (an atom or a hard edge): report the
        # continuous part's boundary value when finite, else inf
        Gc[k] = complex(np.inf) if not np.isfinite(density[k]) else -1j * np.pi * density[k]
    if dps is not None:
        import mpmath

        density_mp = []
        with mpmath.workdps(dps):
            for k in range(n):
                if k in mp_vals and mp_vals[k] is not None:
                    v = mp_vals[k]
                    density_mp.append(-mpmath.im(v) / mpmath.pi if not real[k] else mpmath.mpf(0))
                else:
                    density_mp.append(mpmath.mpf(density[k]))
    bulk = (~sing) & (~real) & np.isfinite(density)
    max_rel = float(np.max(error[bulk] / np.abs(density[bulk]))) if bulk.any() else 0.0
    # residual
    residual_tol = 1e-10
    max_residual = float(np.max(resid[reg])) if reg.size else 0.0
    if max_residual > residual_tol:
        failures.append(f"backward residual {max_residual:.2e} > {residual_tol:.0e}")
    # support, mass
    support = engine.support()
    specials = [s for s in singular if any(a <= s <= b for a, b in support)]
    mass_c, qerr, seenG = _certify.mass_quadrature(aux_values, support, atoms, specials)
    mass_a = float(sum(m for _, m in atoms))
    mass_error = abs(mass_c + mass_a - 1.0)
    if not mass_error <= mass_tol:
        failures.append(
            f"total mass {mass_c + mass_a:.15g} (continuous {mass_c:.15g} + atoms {mass_a:.15g}) "
            f"differs from 1 by {mass_error:.2e} > {mass_tol:.0e}"
        )
    # moments by contour integral
    pts = [p for iv in support for p in iv] + [a for a, _ in atoms]
    lo, hi = (min(pts), max(pts)) if pts else (-scale, scale)
    K = int(n_moments)
    if exact_moments is None:
        mex = engine.exact_moments(K)
    else:
        mex = list(exact_moments)[:K]
        K = len(mex)
    mc, bnd, Gcont = _certify.contour_moments(aux_values, lo, hi, K)
    mexf = [float(v) for v in mex]
    rad_c = max(abs(lo), abs(hi), 1e-300)
    merr, mtol = [], []
    for k in range(1, K + 1):
        ref = abs(mexf[k - 1]) if mexf[k - 1] != 0 else rad_c**k
        merr.append(abs(mc[k] - mexf[k - 1]) / ref)
        mtol.append(max(moment_tol, 10 * bnd[k] / ref))
    if abs(mc[0] - 1) > max(moment_tol, 10 * bnd[0]):
        failures.append(f"contour integral of G is {mc[0]:.15g}, not 1 (G ~ 1/z fails)")
    badm = [k + 1 for k in range(K) if not merr[k] <= mtol[k]]
    if badm:
        k = badm[0]
        failures.append(
            f"contour moment m_{k} = {mc[k]:.15g} differs from the exact {mexf[k - 1]:.15g} "
            f"(relative {merr[k - 1]:.2e} > {mtol[k - 1]:.0e})"
        )
    # atoms: residues
    atom_checks = []
    check_pts = [(a, m) for a, m in atoms]
    for s_ in singular:
        if lo - 1e-12 * abs(lo) <= s_ <= hi + 1e-12 * abs(hi) and not any(
            abs(a - s_) <= 1e-15 * abs(s_) for a, _ in atoms
        ):
            check_pts.append((s_, 0.0))
    for a, m in check_pts:
        s = max(hi - lo, abs(a), 1e-300)
        est, unc = _residue(engine, a, s)
        atom_checks.append((a, m, est, unc))
        if not np.isfinite(est) or unc > 1e-3:
            notes.append(f"atom at {a:.6g}: residue extrapolation inconclusive ({est:.6g} +- {unc:.1e})")
        elif abs(est - m) > max(1e-8, 3 * unc):
            failures.append(f"atom at {a:.6g}: mass {m:.12g} but the residue of G is {est:.12g} +- {unc:.1e}")
    # sign of Im G everywhere
    allG = [Gc[reg][np.isfinite(Gc[reg])], Gcont] + list(seenG)
    allG = np.concatenate([np.asarray(v).ravel() for v in allG])
    with np.errstate(all="ignore"):
        im_rel = allG.imag / np.abs(allG)
    im_rel = im_rel[np.isfinite(im_rel)]
    max_im = float(np.max(im_rel)) if im_rel.size else 0.0
    im_ok = max_im <= 1e-10
    if not im_ok:
        failures.append(f"Im G > 0 somewhere (max Im G/|G| = {max_im:.2e}): wrong branch")
    if aux_fail:
        failures.append(f"continuation failed at {sum(aux_fail)} quadrature/contour points")
    ev = DensityEvidence(
        ok=not failures, failures=failures, method=method, n_points=n,
        max_residual=max_residual, residual_tol=residual_tol, im_sign_ok=im_ok,
        max_im=max_im, mass_continuous=mass_c, mass_atoms=mass_a,
        mass_error=mass_error, mass_tol=mass_tol, mass_quadrature_error=qerr,
        moments_exact=mexf, moments_contour=mc[1:], moment_errors=merr,
        moment_tol=mtol, atom_checks=atom_checks, max_rel_error=max_rel,
        refined=refined, dps=dps, tracking_failures=tracking_failures, notes=notes,
    )
    res = DensityResult(
        x=x, density=density.reshape(x.shape), cauchy=Gc.reshape(x.shape),
        error=error.reshape(x.shape), atoms=atoms, atoms_exact=atoms_exact,
        support=support, evidence=ev, density_mp=density_mp,
    )
    if failures:
        msg = "density certification failed:\n" + ev.summary()
        if strict:
            raise CertificationError(msg)
        warnings.warn(msg, CertificationWarning, stacklevel=3)
    return res


# ---------------------------------------------------------------------------
# algebraic curves
# ---------------------------------------------------------------------------


class _CurveEngine:
    """Adapter of an algebraic curve to :func:`certified_density`."""

    def __init__(self, P, z, G):
        from . import _curve

        self.curve = _curve.curve_engine(P, z, G)
        self._support = None
        self._atoms = None
        c = self.curve
        cands = c.candidates()
        if cands:
            import sympy

            self.cands_exact = cands
            self.cands = [float(sympy.N(v, 30)) for v in cands]
            c.scale = max(max(abs(v) for v in self.cands), c.moment_scale, 1e-300)
        else:
            self.cands_exact = None
            self.cands = None
            c.scale = 4 * c.moment_scale
        self.scale = c.scale

    # numeric values of the physical branch at x + i y (y >= 0)
    def values(self, x, y):
        from . import _curve

        x = np.asarray(x, float)
        y = np.asarray(y, float)
        tr = _curve.track(self.curve, x, y)
        G, err, resid, ok, rad = tr.U[:, 0].copy(), tr.err.copy(), tr.resid.copy(), tr.ok.copy(), tr.radius.copy()
        # mpmath continuation from the last certified float value where
        # float64 could not go on (roots closer than its resolution)
        retry = ~ok & (tr.status != 1)
        for c in self.cands or []:
            # branch points on the axis: roots never separate, no mpmath walk
            retry &= ~((y == 0) & (np.abs(x - c) <= 1e-12 * max(abs(c), 1e-300)))
        retry = np.nonzero(retry)[0]
        groups = {}
        for k in retry:
            groups.setdefault(float(x[k]), []).append(k)
        for xv, ks in list(groups.items())[:_MP_FALLBACK_MAX]:
            # one walk per vertical line, from the highest certified float state
            k0 = max(ks, key=lambda k: tr.y[k])
            res = _curve.mp_descend(self.curve, xv, tr.y[k0], tr.U[k0, 0], [y[k] for k in ks],
                                    dps=_POLISH_DPS)
            for k, (g, good, r) in zip(ks, res):
                if good:
                    G[k] = complex(g)
                    err[k] = abs(G[k]) * (10.0 ** (-_POLISH_DPS) + EPS)
                    resid[k] = 0.0
                    rad[k] = float(r)
                    ok[k] = True
        return G, err, resid, ok, rad

    def is_real(self, x, G, err, radius):
        return (np.abs(G.imag) <= err + 8 * EPS * np.abs(G)) & (radius > 4 * err)

    def refine(self, x, G, err, radius, dps):
        Gmp, Gf, ef, ok = [], np.array(G, complex), np.array(err, float), np.zeros(len(x), bool)
        for k in range(len(x)):
            v, conv, _ = self.curve.mp_polish(float(x[k]), complex(G[k]), dps)
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

    def singular(self):
        import sympy

        lead = sympy.Poly(self.curve.leading_coefficient(), self.curve.z)
        if lead.degree() <= 0:
            return []
        out = []
        (k,), rest = lead.terms_gcd()
        if k:
            out.append(0.0)
        if rest.degree() > 0:
            out += [float(sympy.N(r, 30)) for r in rest.sqf_part().real_roots()]
        return sorted(set(out))

    def exact_moments(self, K):
        return self.curve.moments(K)

    def shifted(self, a, a_exact=None):
        """Engine of the translated curve ``P(a + z, G)`` (evaluating ``P`` in
        powers of ``z`` near ``a != 0`` cancels catastrophically)."""
        import sympy

        c = self.curve
        if a_exact is None:
            ex = [v for v in (self.cands_exact or []) if abs(float(sympy.N(v, 30)) - a) <= 1e-14 * abs(a)]
            a_exact = ex[0] if ex and ex[0].is_Rational else sympy.Float(a, 30)
        return _engine(sympy.expand(c.expr.subs(c.z, c.z + a_exact)), c.z, c.G)

    def local(self, a):
        """``values`` near ``x = a``, from the translated curve."""
        if a == 0:
            return self.values
        eng = self.shifted(a)

        def values(x, y):
            return eng.values(np.asarray(x, float) - a, y)

        return values

    def atoms(self):
        if self._atoms is None:
            self._atoms = _curve_atoms_impl(self)
        ex = self._atoms
        return ex, [(float(a), float(m)) for a, m in ex]

    def support(self):
        if self._support is None:
            self._support = _curve_support_impl(self)
        return [(float(a), float(b)) for a, b in self._support]

    def positive(self, xs):
        G, err, _, ok, rad = self.values(xs, np.zeros_like(xs))
        return ok & ~self.is_real(xs, G, err, rad) & (G.imag < 0)


import functools  # noqa: E402


@functools.lru_cache(maxsize=32)
def _engine(P, z, G):
    return _CurveEngine(P, z, G)


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
    """Atoms at real zeros of the leading coefficient, masses from residues."""
    import sympy

    from ._curve import CurveProblem

    c = eng.curve
    z, G = c.z, c.G
    lead = sympy.Poly(c.leading_coefficient(), z)
    if lead.degree() <= 0:
        return []
    roots = []
    (k0,), rest = lead.terms_gcd()
    if k0:
        roots.append(sympy.Integer(0))
    if rest.degree() > 0:
        roots += list(rest.sqf_part().real_roots())
    t, cc = sympy.symbols("t_shift c_mass")
    pG = sympy.Poly(c.expr, G)
    out = []
    for a in roots:
        cands = _atom_candidates(pG, z, a, t, cc)
        if not cands:
            continue
        af = float(sympy.N(a, 30))
        s = max(eng.scale, abs(af), 1e-300)
        loc = eng if af == 0 else eng.shifted(af, a if a.is_Rational else None)
        cf = [float(sympy.N(m, 30)) for m in cands]
        # the physical branch has a pole at a iff its residue is non-zero;
        # the residue is extrapolated from eps = s 1e-4 ... s 1e-244
        est, unc = _residue(eng, af, s)
        found = None
        if np.isfinite(est) and unc <= 1e-4:
            best = int(np.argmin([abs(est - v) for v in cf]))
            if abs(est - cf[best]) <= max(1e-6, 10 * unc):
                found = cands[best]
        else:
            # inconclusive extrapolation: is the physical branch the one with
            # G ~ c/(z - a)?  (Newton from c/(i eps) must land on it)
            eps = np.array([1e-7, 1e-10]) * s
            Gp, _, _, okp, _ = loc.values(np.zeros(2), eps)
            for m, mf in zip(cands, cf):
                z1 = 1j * eps
                U, conv, _, _ = CurveProblem(loc.curve).newton((mf / z1)[:, None], z1)
                if okp.all() and conv.all() and np.all(np.abs(U[:, 0] - Gp) <= 1e-9 * np.abs(Gp)):
                    found = m
                    break
        if found is not None:
            out.append((a, found))
    return out


def _values2(eng):
    def values(x, y):
        G, err, _, ok, _ = eng.values(np.asarray(x, float), np.asarray(y, float))
        return G, err, ok

    return values


def _atom_candidates(pG, z, a, t, cc):
    """Masses ``c`` of branches ``G ~ c/(z - a)`` (Newton polygon at ``a``)."""
    import sympy

    lows = {}
    for (e,), coeff in pG.terms():
        q = sympy.Poly(sympy.expand(coeff.subs(z, a + t)), t)
        if q.is_zero:
            continue
        terms = q.terms()
        v = min(m[0] for m, _ in terms)
        lc = [cf for m, cf in terms if m[0] == v][0]
        lows[e] = (v, lc)
    mu = min(v - e for e, (v, _) in lows.items())
    E = [e for e, (v, _) in lows.items() if v - e == mu]
    if len(E) < 2:
        return []
    edge = sympy.Poly(sum(lows[e][1] * cc ** (e - min(E)) for e in E), cc)
    masses = []
    for r in sympy.roots(edge, multiple=True) or edge.nroots():
        r = sympy.nsimplify(r) if r.is_Float else r
        if r.is_real and r != 0:
            rv = float(sympy.N(r, 30))
            if 0 < rv <= 1 + 1e-12:
                masses.append(sympy.radsimp(r))
    return masses


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def branch_cauchy(P, z, G, zs, *, dps=None):
    r"""The physical branch ``G(z)`` of the curve ``P(z, G) = 0`` at ``zs``.

    ``G`` is continued analytically from ``z = i oo`` (where ``G ~ 1/z``)
    straight down to each point; it is not the root of largest ``|Im G|``.
    Points with ``Im z < 0`` use ``G(conj z) = conj G(z)``; real points give
    the boundary value ``G(x + i0)``.

    Parameters
    ----------
    P : sympy expression (or Equality)
        Polynomial in ``z`` and ``G`` with numeric coefficients (a rational
        function is replaced by its numerator).
    z, G : sympy.Symbol
    zs : complex array_like
    dps : int, optional
        Return mpmath values polished to ``dps`` decimal digits.

    Returns
    -------
    ndarray of complex (or of ``mpmath.mpc`` when ``dps`` is given), shaped
    like ``zs``.

    Raises
    ------
    InvalidArgumentError
        Free symbols other than ``z``, ``G``; non-finite points; a real point
        where the leading coefficient in ``G`` vanishes.
    BranchError
        No branch ``G ~ 1/z`` at infinity.
    ConvergenceError
        The continuation failed at some point.

    Examples
    --------
    Marchenko-Pastur (ratio 1), ``z G^2 - z G + 1 = 0``:
    ``G(2 + 0i) = (z - sqrt(z^2 - 4z)) / (2z) = 1/2 - i/2``.

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> complex(branch_cauchy(z*G**2 - z*G + 1, z, G, [2.0])[0])
    (0.5-0.5j)

    ``MP ⊠ MP ⊠ MP`` (``(zG)^4 - z(zG - 1) = 0``) at ``x = 2``: the physical
    boundary value has ``Im G = -0.218...`` (density ``0.0694``), while the two
    roots of largest ``|Im|`` are ``-0.4367 +- 0.5778i``:

    >>> g = complex(branch_cauchy((z*G)**4 - z*(z*G - 1), z, G, [2.0])[0])
    >>> round(g.real, 10), round(g.imag, 10)
    (0.4367045799, -0.2181594489)
    """
    from .errors import ConvergenceError

    dps = _check_dps(dps)
    eng = _engine(P, z, G)
    zz = np.asarray(zs, dtype=complex)
    shape = zz.shape
    flat = zz.ravel()
    if not np.all(np.isfinite(flat)):
        raise InvalidArgumentError("zs must be finite complex numbers")
    lower = flat.imag < 0
    w = np.where(lower, flat.conj(), flat)
    for s in eng.singular():
        hit = (w.imag == 0) & (np.abs(w.real - s) <= 1e-15 * abs(s))
        if hit.any():
            raise InvalidArgumentError(
                f"z = {s:g} is a zero of the leading coefficient of P in G, where the "
                "boundary value of G is singular; evaluate at z + i*eps instead"
            )
    Gv, err, _, ok, rad = eng.values(w.real, w.imag)
    if not np.all(ok):
        bad = w[~ok][0]
        raise ConvergenceError(
            f"continuation of the physical branch failed at z = {complex(bad):.6g}"
            f" ({int(np.sum(~ok))} points)"
        )
    if dps is None:
        out = np.where(lower, Gv.conj(), Gv)
        return out.reshape(shape)
    import mpmath

    res = np.empty(flat.size, dtype=object)
    for k in range(flat.size):
        v, conv, _ = eng.curve.mp_polish(complex(w[k]), complex(Gv[k]), dps)
        if not conv or abs(complex(v) - Gv[k]) > max(0.25 * rad[k], 10 * err[k]):
            raise ConvergenceError(f"mpmath polishing failed at z = {complex(w[k]):.6g}")
        with mpmath.workdps(dps):
            v = +v
        res[k] = mpmath.conj(v) if lower[k] else v
    return res.reshape(shape)


def curve_density(P, z, G, x, *, dps=None, strict=True, exact_moments=None,
                  n_moments=8, mass_tol=1e-9, moment_tol=1e-8):
    r"""Certified density of the law whose Cauchy transform solves ``P(z, G) = 0``.

    ``rho(x) = -Im G(x + i0) / pi`` on the grid ``x``, plus atoms, support
    and :class:`DensityEvidence` (see the module docstring for the method).

    Parameters
    ----------
    P : sympy expression
        Polynomial in ``z``, ``G`` with numeric (exact) coefficients.
    z, G : sympy.Symbol
    x : array_like of float
        Grid (any shape).
    dps : int, optional
        Polish every grid value with mpmath to ``dps`` digits and return
        ``density_mp``.  Default: float64, with mpmath polishing (30 digits)
        only where the float error bound exceeds ``1e-12`` relative.
    strict : bool
        ``True``: a failed check raises :class:`CertificationError`.
        ``False``: it warns with :class:`CertificationWarning` and the result
        carries the failed evidence.
    exact_moments : sequence, optional
        ``m_1, m_2, ...`` to check the contour moments against (default: the
        series of ``G`` at infinity).
    n_moments : int
        Number of moments checked (default 8).
    mass_tol, moment_tol : float
        Tolerances of the mass and (relative) moment checks.

    Returns
    -------
    DensityResult

    Examples
    --------
    ``MP ⊠ MP`` (``(zG)^3 - z(zG - 1) = 0``) has support ``[0, 27/4]``:

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> res = curve_density((z*G)**3 - z*(z*G - 1), z, G, [1.0, 7.0])
    >>> res.support, res.evidence.ok
    ([(0.0, 6.75)], True)
    >>> float(res.density[1])
    0.0

    A Bernoulli law ``(1 - p) delta_0 + p delta_1`` is all atoms:

    >>> p = sympy.Rational(1, 3)
    >>> res = curve_density(z*(z - 1)*G - (z - 1 + p), z, G, [0.5])
    >>> res.atoms_exact
    [(0, 2/3), (1, 1/3)]
    """
    eng = _engine(P, z, G)
    return certified_density(
        eng, x, dps=dps, strict=strict, exact_moments=exact_moments,
        n_moments=n_moments, mass_tol=mass_tol, moment_tol=moment_tol,
        method="algebraic curve, vertical continuation with gamma-separated steps",
    )


def curve_support(P, z, G, *, exact=False):
    r"""Bulk intervals of the law of the curve ``P(z, G) = 0``.

    Candidate edges are the real roots of the discriminant of ``P`` in ``G``
    and of its leading coefficient; each gap between consecutive candidates
    is kept when the density at its midpoint is positive (the boundary value
    of the physical branch is not real there).  For curves of very high
    degree without a cheap discriminant, the density is scanned instead.

    Parameters
    ----------
    exact : bool
        Return exact endpoints (sympy ``Rational`` / ``CRootOf``).

    Returns
    -------
    list of (lo, hi)

    Examples
    --------
    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> curve_support((z*G)**3 - z*(z*G - 1), z, G, exact=True)
    [(0, 27/4)]
    >>> curve_support(G**2 - z*G + 1, z, G)
    [(-2.0, 2.0)]
    """
    eng = _engine(P, z, G)
    if exact:
        eng.support()
        if eng.cands is None:
            raise InvalidArgumentError(
                "exact support endpoints need the discriminant, which is too costly "
                f"for this curve (degree {eng.curve.degree} in G); use exact=False"
            )
        return list(eng._support)
    return eng.support()


def curve_atoms(P, z, G):
    r"""Atoms of the law of the curve ``P(z, G) = 0``.

    Candidate locations are the real zeros ``a`` of the leading coefficient of
    ``P`` in ``G``.  Branches ``G ~ c/(z - a)`` come from the Newton polygon of
    ``P`` at ``z = a`` (the coefficients ``c`` are roots of its slope-1 edge
    polynomial, exact for rational data); the atom is the one whose branch is
    the physical branch near ``a`` (checked numerically), its mass is ``c``.

    Returns
    -------
    list of (location, mass)
        Exact sympy numbers when ``P`` has rational coefficients.

    Examples
    --------
    ``(1 - p) delta_0 + p delta_1`` with ``p = 1/4``:

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> p = sympy.Rational(1, 4)
    >>> curve_atoms(z*(z - 1)*G - (z - 1 + p), z, G)
    [(0, 3/4), (1, 1/4)]

    Marchenko-Pastur of ratio 2 (``lambda = 1/2``) has an atom ``1/2`` at 0:

    >>> lam = sympy.Rational(1, 2)
    >>> curve_atoms(z*G**2 - (z + 1 - lam)*G + 1, z, G)
    [(0, 1/2)]
    """
    eng = _engine(P, z, G)
    return eng.atoms()[0]
