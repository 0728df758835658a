"""The checks of a certified density, one function per check (private).

:func:`freealg.density.result.certified_density` runs them in order on a
``_Grid`` (the grid and its boundary values): classify the points (atoms,
limit points), compute and polish the boundary values, take the limits at
special points, then the gate of every value (:func:`certify_grid`), the
backward residual, the total mass, the contour moments, the atom residues
and the sign of ``Im G``.  Each check appends its failures (and notes) to the
lists it is given; the messages are the evidence's.

Conventions (docs/theory.md §1): ``rho(x) = -Im G(x + i0) / pi``, atoms
``lim i eps G(a + i eps)``, ``G ~ 1/z`` at infinity.
"""

from __future__ import annotations

import numpy as np

from . import certify as _certify

_TARGET_REL = 1e-12  # default relative accuracy of the bulk density
_POLISH_DPS = 30  # working precision of the default mpmath polishing
_CERT_RTOL = 1e-8  # a value is certified when its error bound is below this relative ...
_CERT_GTOL = 1e-12  # ... or below this fraction of |G(x + i0)| / pi (the scale of Im G)
_RESIDUAL_TOL = 1e-10  # largest backward residual of a certified boundary value


def _local_aux(engine, a):
    """``values`` near ``a`` returning ``(G, err, ok)`` (failures are the
    caller's business: residue extrapolation uses the points it reached)."""
    vals = engine.local(a) if hasattr(engine, "local") else engine.values

    def aux(xx, yy):
        G, err, _, ok, _ = vals(np.asarray(xx, float), np.asarray(yy, float))
        return G, err, ok

    return aux


def _polished_aux(engine, a, *, translated=False):
    """``_local_aux`` whose boundary values are polished in mpmath where their
    float error bound exceeds the target (the samples of a limit next to a
    branch point, where float64 loses about half its digits).
    ``translated``: ``engine`` is already the translated engine (offsets
    from ``a`` are passed as ``x``)."""
    vals = engine.values if translated else (engine.local(a) if hasattr(engine, "local") else engine.values)

    def aux(xx, yy):
        xx = np.asarray(xx, float)
        yy = np.asarray(yy, float)
        G, err, _, ok, rad = vals(xx, yy)
        with np.errstate(all="ignore"):
            need = ok & (yy == 0) & ~engine.is_real(xx, G, err, rad) & (err > _TARGET_REL * np.abs(G.imag))
        if need.any():
            idx = np.nonzero(need)[0]
            out = engine.refine(xx[idx], G[idx], err[idx], rad[idx], _POLISH_DPS)
            if out is not None:
                _, Gf, ef, okf = out
                G, err = G.copy(), err.copy()
                G[idx[okf]] = Gf[okf]
                err[idx[okf]] = ef[okf]
        with np.errstate(all="ignore"):
            real = ok & (yy == 0) & engine.is_real(xx, G, err, rad)
        if real.any():
            # an isolated root (basin radius > 4 err) of the conjugation-symmetric
            # equation that is real within its error is real: its density is 0
            # with no error, as at regular grid points (certified_density)
            G, err = G.copy(), err.copy()
            G[real] = G[real].real
            err[real] = 0.0
        return G, err, ok

    return aux


def _residue(engine, a, s):
    """Cached residue extrapolation ``lim i eps G(a + i eps)`` at ``a``."""
    cache = engine.__dict__.setdefault("_residues", {})
    if a not in cache:
        cache[a] = _certify.atom_residue(_local_aux(engine, a), a, s)
    return cache[a]


def _near(flat, pts):
    """Grid points equal to one of ``pts`` to double precision (``1e-15``
    relative; exactly for ``0``)."""
    hit = np.zeros(flat.size, bool)
    for p in pts:
        hit |= (flat == p) | (np.abs(flat - p) <= 1e-15 * abs(p))
    return hit


def _local_scale(s, others, scale):
    """Sampling scale of the limit at the special point ``s``: the global
    ``scale``, but at most half the distance to the nearest other special
    point, atom or edge (the one-sided samples must not straddle it)."""
    d = [abs(s - p) for p in others if abs(s - p) > 1e-15 * max(abs(s), abs(p))]
    loc = min([scale] + [0.5 * v for v in d])
    return max(loc, 1e-300)


def certify_grid(density, error, gabs, *, finite_only, rtol=_CERT_RTOL, gtol=_CERT_GTOL):
    """The gate every computed density value passes (all engines, regular and
    special points alike; atom points are excluded by the caller).

    A finite value ``d`` with error bound ``e`` is certified when
    ``e <= rtol |d| + gtol |G| / pi`` (``|G|`` the modulus of the boundary
    value there: ``gtol |G|`` is the resolution of ``Im G`` at 12 digits of
    ``G``).  A negative value is a failed check unless ``|d| <= e`` (zero
    within its bound: reported as ``0``, which is inside the certified
    interval ``[d - e, d + e]`` and the true density is ``>= 0``).
    ``finite_only`` masks the points to check.

    Returns ``(density, negative_mask, uncertified_mask)``; the density has
    the in-bound negatives replaced by 0.
    """
    density = density.copy()
    with np.errstate(invalid="ignore"):
        fin = finite_only & np.isfinite(density) & np.isfinite(error)
        neg = fin & (density < -error)
        small_neg = fin & (density < 0) & ~neg
        density[small_neg] = 0.0
        bound = rtol * np.abs(density) + gtol * np.where(np.isfinite(gabs), gabs, 0.0) / np.pi
        bad = fin & ~neg & (error > bound)
        # a value that is not finite where one was expected (failed extrapolation)
        bad |= finite_only & ~np.isinf(density) & ~fin
    return density, neg, bad


class _Grid:
    """The flattened grid and everything computed on it (filled by the steps)."""

    def __init__(self, flat):
        n = flat.size
        self.flat = flat
        self.n = n
        self.G = np.zeros(n, complex)
        self.err = np.zeros(n)
        self.resid = np.zeros(n)
        self.real = np.zeros(n, bool)
        self.tracked = np.zeros(n, bool)
        self.mp_vals = {}
        self.refined = 0


def classify_points(engine, g, failures):
    """Atoms and limit points of the grid.

    Sets ``g.atoms_exact, g.atoms, g.atom_locs, g.at_atom`` (grid points at an
    atom: density undefined), ``g.singular`` (the engine's singular points),
    ``g.special`` (sorted limit and singular points), ``g.sing`` (grid points
    whose value is a limit) and ``g.reg`` (indices of the regular points).
    Undecided candidate atoms of the engine are appended to ``failures``.
    """
    flat = g.flat
    g.singular = engine.singular()
    if hasattr(engine, "atom_failures"):
        # undecided candidate atoms are failures of this certificate (raised
        # with the whole evidence when strict, else a warning)
        failures.extend(engine.atom_failures())
        g.atoms_exact, g.atoms = engine.atoms(strict=False)
    else:
        g.atoms_exact, g.atoms = engine.atoms()
    g.atom_locs = [float(a) for a, m in g.atoms if m > 0]
    g.at_atom = _near(flat, g.atom_locs)
    # points where the boundary value is taken as a limit
    if hasattr(engine, "limit_points"):
        # exact points (a double next to one is an ordinary point)
        limit_pts = engine.limit_points()
        hit_limit = np.isin(flat, np.array(limit_pts, float))
    else:
        limit_pts = engine.special()
        hit_limit = _near(flat, limit_pts)
    g.special = sorted(set(g.singular) | set(limit_pts))
    g.sing = (_near(flat, g.singular) | hit_limit) & ~g.at_atom
    g.reg = np.nonzero(~g.sing & ~g.at_atom)[0]


def boundary_values(engine, g, failures):
    """Boundary values ``G(x + i0)`` at the regular points.

    A failed walk at a (numerically located) support edge moves the point to
    the limit points; any other failed walk is a failure.  Sets ``g.G,
    g.err, g.resid`` there, ``g.okr, g.rad`` (per regular point),
    ``g.tracked``, ``g.tracking_failures`` and ``g.real`` (certified real
    values: density exactly 0).
    """
    flat = g.flat
    reg = g.reg
    Gr, er, rr, okr, rad = engine.values(flat[reg], np.zeros(reg.size))
    g.G[reg], g.err[reg], g.resid[reg] = Gr, er, rr
    # a failed walk at a (numerically located) support edge: the point is a
    # branch point to the resolution of the walk, even in mpmath, and the
    # density there is the limit (taken below with the special points)
    edge_pts = [p for p in engine.special() if p not in g.atom_locs]
    at_edge = np.zeros(reg.size, bool)
    for p in edge_pts:
        at_edge |= np.abs(flat[reg] - p) <= 1e-12 * max(abs(p), 1e-300)
    to_limit = ~okr & at_edge
    if to_limit.any():
        g.sing[reg[to_limit]] = True
        keep = ~to_limit
        reg, Gr, er, rr, okr, rad = reg[keep], Gr[keep], er[keep], rr[keep], okr[keep], rad[keep]
    g.reg, g.okr, g.rad = reg, okr, rad
    g.tracked[reg] = okr
    g.tracking_failures = int(np.sum(~okr))
    if g.tracking_failures:
        bad = flat[reg][~okr][:3]
        failures.append(
            f"continuation failed at {g.tracking_failures} grid points (e.g. x = "
            + ", ".join(f"{v:.6g}" for v in bad) + ")"
        )
    g.real[reg] = okr & engine.is_real(flat[reg], Gr, er, rad)


def polish(engine, g, dps, failures, notes):
    """Polish boundary values in mpmath: all of them when ``dps`` is given,
    else those whose float error bound exceeds ``_TARGET_REL`` relative.

    Updates ``g.G, g.err, g.real`` and sets ``g.mp_vals`` (index -> mpmath
    value) and ``g.refined``; an engine without an mpmath form is a note, a
    polished value that left its basin a failure.
    """
    reg, okr, flat = g.reg, g.okr, g.flat
    rel = np.zeros(g.n)
    with np.errstate(all="ignore"):
        rel[reg] = g.err[reg] / np.abs(g.G[reg].imag)
    need = np.zeros(g.n, bool)
    if dps is not None:
        need[reg] = okr
    else:
        need[reg] = okr & ~g.real[reg] & (rel[reg] > _TARGET_REL)
    if not need.any():
        return
    idx = np.nonzero(need)[0]
    pos = np.searchsorted(reg, idx)
    out = engine.refine(flat[idx], g.G[idx], g.err[idx], g.rad[pos], dps or _POLISH_DPS)
    if out is None:
        notes.append(
            f"{idx.size} points near edges were not polished in mpmath "
            "(the equation has no mpmath form); their float64 error bounds are reported"
        )
        return
    Gmp, Gf, ef, okf = out
    g.refined = int(np.sum(okf))
    if not np.all(okf):
        failures.append(f"mpmath polishing left its basin at {int(np.sum(~okf))} points")
    g.G[idx[okf]] = Gf[okf]
    g.err[idx[okf]] = ef[okf]
    for k, j in enumerate(idx):
        g.mp_vals[int(j)] = Gmp[k]
    g.real[idx] = okf & engine.is_real(flat[idx], Gf, ef, g.rad[pos]) | (g.real[idx] & ~okf)


def to_density(g):
    """``g.Gc`` (boundary values, certified real ones made real), ``g.density
    = -Im G / pi``, ``g.error`` and ``g.gabs = |G|``."""
    g.Gc = g.G.copy()
    g.Gc[g.real] = g.Gc[g.real].real
    g.density = -g.Gc.imag / np.pi + 0.0  # no negative zeros
    g.error = g.err / np.pi
    g.error[g.real] = 0.0
    g.gabs = np.abs(g.G)


def special_limits(engine, g, failures):
    """The density at the limit points (``g.sing``) as the limit from inside
    the support (:func:`freealg.density.certify.point_density`, sampled at a
    local scale); a limit that cannot be computed is a failure."""
    flat = g.flat
    scale = engine.scale
    others = sorted(set(g.special) | set(g.atom_locs) | set(engine.special()))
    for k in np.nonzero(g.sing)[0]:
        s = float(flat[k])
        loc = _local_scale(s, others, scale)
        if s != 0 and hasattr(engine, "shifted"):
            # the translated curve P(s + z, G) at z = +-delta: offsets far
            # below the spacing of doubles near s (down to 1e-24 of the local
            # scale, where a square-root edge is resolved to ~1e-18)
            aux = _polished_aux(engine.shifted(s), 0.0, translated=True)
            val = _certify.point_density(aux, 0.0, 0.0, loc, kmax=12)
        elif s == 0 and hasattr(engine, "shifted"):
            val = _certify.point_density(_polished_aux(engine, s), s, 0.0, loc, kmax=12)
        else:
            val = _certify.point_density(_polished_aux(engine, s), s, 0.0, loc)
        g.density[k], g.error[k], g.gabs[k] = val
        if np.isnan(g.density[k]):
            failures.append(f"the density at the singular point x = {s:.6g} could not be computed")
        # G itself is singular there (a hard edge, a zero of the leading
        # coefficient): report the continuous part's boundary value when
        # finite, else inf
        g.Gc[k] = complex(np.inf) if not np.isfinite(g.density[k]) else -1j * np.pi * g.density[k]


def flag_atoms(g):
    """Atom points: undefined density (the convention), flagged, not a
    failure.  Sets ``g.atom_points`` (location, mass, number of grid hits)."""
    g.density[g.at_atom] = np.nan
    g.error[g.at_atom] = np.nan
    g.Gc[g.at_atom] = complex(np.inf)
    g.atom_points = []
    for a, m in g.atoms:
        hits = g.at_atom & _near(g.flat, [float(a)])
        if hits.any():
            g.atom_points.append((float(a), float(m), int(np.sum(hits))))


def check_values(g, failures):
    """The gate every value passes (:func:`certify_grid`): sign and size of
    the error bound.  Sets ``g.checked, g.neg, g.uncert`` and the largest
    relative and absolute errors ``g.max_rel, g.max_abs``."""
    flat = g.flat
    g.checked = (g.tracked | g.sing) & ~g.at_atom
    g.density, g.neg, g.uncert = certify_grid(g.density, g.error, g.gabs, finite_only=g.checked)
    density, error = g.density, g.error
    if g.neg.any():
        k = np.nonzero(g.neg)[0][0]
        failures.append(
            f"negative density at {int(np.sum(g.neg))} points, e.g. rho({flat[k]:.17g}) = "
            f"{density[k]:.6g} beyond its error bound {error[k]:.2e}"
        )
    if g.uncert.any():
        k = np.nonzero(g.uncert)[0][0]
        failures.append(
            f"density not certified at {int(np.sum(g.uncert))} points: e.g. rho({flat[k]:.17g}) = "
            f"{density[k]:.6g} +- {error[k]:.2e}, error bound above {_CERT_RTOL:.0e} relative "
            f"and {_CERT_GTOL:.0e} |G|/pi"
        )
    with np.errstate(all="ignore"):
        nz = g.checked & np.isfinite(density) & (density != 0) & np.isfinite(error)
        g.max_rel = float(np.max(error[nz] / np.abs(density[nz]))) if nz.any() else 0.0
        fe = g.checked & np.isfinite(error)
        g.max_abs = float(np.max(error[fe])) if fe.any() else 0.0


def mp_density(g, dps):
    """The density as mpmath numbers at ``dps`` digits (``nan`` at atoms;
    from the polished values where there are any), or ``None`` without
    ``dps``."""
    if dps is None:
        return None
    from .._utils.mpctx import mpmath

    out = []
    with mpmath.workdps(dps):
        for k in range(g.n):
            if g.at_atom[k]:
                out.append(mpmath.nan)
            elif k in g.mp_vals and g.mp_vals[k] is not None:
                v = g.mp_vals[k]
                out.append(-mpmath.im(v) / mpmath.pi if not g.real[k] else mpmath.mpf(0))
            else:
                out.append(mpmath.mpf(g.density[k]))
    return out


def check_residual(g, failures):
    """The largest backward residual of the regular values, against
    ``_RESIDUAL_TOL``; returns it."""
    max_residual = float(np.max(g.resid[g.reg])) if g.reg.size else 0.0
    if max_residual > _RESIDUAL_TOL:
        failures.append(f"backward residual {max_residual:.2e} > {_RESIDUAL_TOL:.0e}")
    return max_residual


def check_mass(aux_values, support, atoms, specials, mass_tol, failures):
    """Total mass (continuous part by quadrature plus atoms) against 1, and
    the quadrature's own error estimate against ``mass_tol``.  Returns
    ``(mass_c, mass_a, mass_error, qerr, seenG)`` (``seenG``: the boundary
    values the quadrature met, for the sign check)."""
    mass_c, qerr, seenG = _certify.mass_quadrature(aux_values, support, atoms, specials)
    mass_a = float(sum(m for _, m in atoms))
    mass_error = abs(mass_c + mass_a - 1.0)
    if not qerr <= mass_tol:
        # the quadrature's own error estimate: a mass within tolerance by luck
        # is not evidence
        failures.append(f"mass quadrature error estimate {qerr:.2e} > {mass_tol:.0e}")
    if not mass_error <= mass_tol:
        failures.append(
            f"total mass {mass_c + mass_a:.15g} (continuous {mass_c:.15g} + atoms {mass_a:.15g}) "
            f"differs from 1 by {mass_error:.2e} > {mass_tol:.0e}"
        )
    return mass_c, mass_a, mass_error, qerr, seenG


def check_moments(aux_values, mex, K, lo, hi, moment_tol, failures):
    """Moments ``m_0..m_K`` by a contour integral of ``G`` around
    ``[lo, hi]`` against the exact ``mex = [m_1..m_K]`` (relative to
    ``|m_k|``, or to ``radius^k`` for a zero moment; tolerance the larger of
    ``moment_tol`` and ten times the quadrature bound).  Returns ``(mexf,
    mc, merr, mtol, Gcont)``."""
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
    return mexf, mc, merr, mtol, Gcont


def check_atoms(engine, atoms, singular, lo, hi, failures, notes):
    """Each atom's mass against the residue ``lim i eps G(a + i eps)``, and a
    zero residue at the singular points in ``[lo, hi]`` that are not atoms.
    Returns the list of ``(location, mass, residue, uncertainty)``."""
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
    return atom_checks


def check_im_sign(values, failures):
    """``Im G <= 0`` (to ``1e-10`` relative) at every boundary value met
    (grid, contour, quadrature): the physical branch.  Returns ``(ok,
    max Im G/|G|)``."""
    allG = np.concatenate([np.asarray(v).ravel() for v in values])
    with np.errstate(all="ignore"):
        im_rel = allG.imag / np.abs(allG)
    im_rel = im_rel[np.isfinite(im_rel)]
    max_im = float(np.max(im_rel)) if im_rel.size else 0.0
    im_ok = max_im <= 1e-10
    if not im_ok:
        failures.append(f"Im G > 0 somewhere (max Im G/|G| = {max_im:.2e}): wrong branch")
    return im_ok, max_im
