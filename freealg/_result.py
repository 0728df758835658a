"""Density results, their evidence, and the engine-agnostic certified
density (private; the public names live in :mod:`freealg.density`).

Conventions (THEORY.md section 1): ``rho(x) = -Im G(x + i0) / pi``, atoms
``lim i eps G(a + i eps)``, ``G ~ 1/z`` at infinity.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _certify
from .errors import CertificationError, CertificationWarning, InvalidArgumentError

__all__ = ["DensityEvidence", "DensityResult", "certified_density"]

_TARGET_REL = 1e-12  # default relative accuracy of the bulk density
_POLISH_DPS = 30  # working precision of the default mpmath polishing

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
    if hasattr(engine, "atom_failures"):
        # undecided candidate atoms are failures of this certificate (raised
        # with the whole evidence when strict, else a warning)
        failures.extend(engine.atom_failures())
        atoms_exact, atoms = engine.atoms(strict=False)
    else:
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
        from ._utils.mpctx import mpmath

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
