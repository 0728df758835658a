"""Density results, their evidence, and the engine-agnostic certified
density (private; the public names live in :mod:`freealg.density`).

Conventions (docs/theory.md §1): ``rho(x) = -Im G(x + i0) / pi``, atoms
``lim i eps G(a + i eps)``, ``G ~ 1/z`` at infinity.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import certify as _certify
from ..errors import CertificationError, CertificationWarning, InvalidArgumentError
from .._utils.progress import stage as _stage

__all__ = ["DensityEvidence", "DensityResult", "certified_density"]

_TARGET_REL = 1e-12  # default relative accuracy of the bulk density
_POLISH_DPS = 30  # working precision of the default mpmath polishing
_CERT_RTOL = 1e-8  # a value is certified when its error bound is below this relative ...
_CERT_GTOL = 1e-12  # ... or below this fraction of |G(x + i0)| / pi (the scale of Im G)

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
        Largest estimated relative error ``error / density`` over every
        finite non-zero grid value (bulk, edges and special points alike,
        after mpmath polishing).
    max_abs_error : float
        Largest error bound of a finite grid value.
    n_negative : int
        Grid values below ``-error`` (each a failure; a value in
        ``[-error, 0)`` is zero within its bound and reported as ``0``).
    n_uncertified : int
        Grid values whose error bound exceeds ``1e-8`` relative and
        ``1e-12 |G(x + i0)| / pi`` after polishing (each a failure).
    atom_points : list of tuple
        ``(location, mass, count)`` for every atom hit by ``count`` grid
        points: the density is undefined there (``nan``, flagged in
        :attr:`DensityResult.at_atom`), which is not a failure.
    refined : int
        Number of grid points polished with mpmath.
    tracking_failures : int
        Points where the continuation failed (their density is not trusted).
    notes : list of str
        Information that is not a failure (for example an inconclusive atom
        residue extrapolation).

    Parameters
    ----------
    **kw
        Values of the attributes above (plus ``method``, ``n_points`` and
        ``dps``); a field not given is ``None``.  Built by the density
        engines, not by users.

    Raises
    ------
    None
        The constructor stores the values without checking them.

    Examples
    --------
    >>> import sympy
    >>> from freealg.density import curve_density
    >>> z, G = sympy.symbols("z G")
    >>> ev = curve_density(G**2 - z*G + 1, z, G, [0.0]).evidence
    >>> ev.ok, ev.n_negative, round(float(ev.mass_continuous), 9)
    (True, 0, 1.0)
    """

    _FIELDS = (
        "ok", "failures", "method", "n_points", "max_residual", "residual_tol",
        "im_sign_ok", "max_im", "mass_continuous", "mass_atoms", "mass_error",
        "mass_tol", "mass_quadrature_error", "moments_exact", "moments_contour",
        "moment_errors", "moment_tol", "atom_checks", "max_rel_error",
        "max_abs_error", "n_negative", "n_uncertified", "atom_points",
        "refined", "dps", "tracking_failures", "notes",
    )

    def __init__(self, **kw):
        for k in self._FIELDS:
            setattr(self, k, kw.get(k))

    def summary(self):
        """Multi-line human-readable summary.

        Returns
        -------
        str
            One line per check (residual, ``Im G`` sign, mass, moments,
            atoms, grid), then the failures and notes.

        Examples
        --------
        >>> import sympy
        >>> from freealg.density import curve_density
        >>> z, G = sympy.symbols("z G")
        >>> ev = curve_density(G**2 - z*G + 1, z, G, [0.0]).evidence
        >>> print(ev.summary().splitlines()[0])
        DensityEvidence (algebraic curve, ...): ok
        """
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
        for loc, mass, cnt in self.atom_points or []:
            lines.append(f"  grid hits atom at {loc:.6g} (mass {mass:.6g}) at {cnt} points: density nan")
        for f in self.failures or []:
            lines.append(f"  FAILED: {f}")
        for n in self.notes or []:
            lines.append(f"  note: {n}")
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()

    def _repr_html_(self):
        import html

        colour = "#1b7837" if self.ok else "#b2182b"  # colour-blind-safe green / red
        return (f"<div><b style='color:{colour}'>evidence {'ok' if self.ok else 'FAILED'}</b>"
                f"<pre>{html.escape(self.summary())}</pre></div>")


class DensityResult:
    """A density on a grid with its atoms, support and evidence.

    Attributes
    ----------
    x : ndarray
        The grid (as given).
    density : ndarray
        ``rho(x) = -Im G(x + i0) / pi`` of the absolutely continuous part, in
        the project's convention: ``0`` outside the support and at a soft
        edge, ``+inf`` at a hard edge where it diverges (the limit from inside
        the support), ``nan`` exactly at an atom location (flagged in
        ``at_atom``).  No other value is ``nan``, none is negative.
    cauchy : ndarray
        Boundary values ``G(x + i0)`` (complex; ``inf`` at atoms and hard
        edges).
    error : ndarray
        Estimated absolute error of ``density`` (``nan`` at atoms).
    at_atom : ndarray of bool
        Grid points at an atom location (to double precision).
    atoms : list of (float, float)
        ``(location, mass)``.
    atoms_exact : list
        The same, exact (sympy / Fraction) when available.
    support : list of (float, float)
        Bulk intervals.
    evidence : DensityEvidence
    density_mp : list or None
        mpmath values when ``dps`` was given.

    Parameters
    ----------
    x, density, cauchy, error, atoms, atoms_exact, support, evidence, density_mp
        The attributes above, stored as given.
    at_atom : ndarray of bool, optional
        The atom mask (default: no grid point at an atom).

    Raises
    ------
    None
        The constructor stores the values without checking them; results
        are built by the density engines (:func:`freealg.curve_density`,
        ``law.density``).

    Examples
    --------
    >>> import sympy
    >>> from freealg.density import curve_density
    >>> z, G = sympy.symbols("z G")
    >>> res = curve_density(z*(z - 1)*G - (z - 1 + sympy.Rational(1, 2)), z, G, [0.0, 0.5])
    >>> res                                  # Bernoulli(1/2): all atoms
    DensityResult(2 points, support none, atoms 1/2 at 0, 1/2 at 1, evidence ok)
    >>> res.density.tolist(), res.at_atom.tolist()
    ([nan, 0.0], [True, False])
    """

    def __init__(self, x, density, cauchy, error, atoms, atoms_exact, support, evidence, density_mp=None,
                 at_atom=None):
        self.x = x
        self.at_atom = np.zeros(np.shape(density), bool) if at_atom is None else at_atom
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
        if self.atoms_exact and len(self.atoms_exact) == len(self.atoms) and all(
                _is_exact(v) for pair in self.atoms_exact for v in pair):
            at = ", ".join(f"{m} at {a}" for a, m in self.atoms_exact)  # exact values exactly
        return (
            f"DensityResult({self.x.size} points, support {sup or 'none'}, "
            f"atoms {at or 'none'}, evidence {'ok' if self.evidence.ok else 'FAILED'})"
        )

    def _repr_html_(self):
        import html

        return (f"<div><b>{html.escape(repr(self))}</b>{self.evidence._repr_html_()}</div>")


# ---------------------------------------------------------------------------
# the engine-agnostic certified density
# ---------------------------------------------------------------------------


def _is_exact(v):
    """An exact number (int, Fraction, an exact sympy number)."""
    from fractions import Fraction

    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return True
    return bool(getattr(v, "is_number", False)) and not v.has_free() and not any(
        getattr(u, "is_Float", False) for u in v.atoms()) if hasattr(v, "atoms") else False


def _check_exact_moments(values):
    """``exact_moments`` as a list of finite real numbers (exact kinds kept)."""
    from .._utils.validate import check_real, describe
    from ..errors import InvalidArgumentTypeError

    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, (list, tuple)):
        raise InvalidArgumentTypeError(
            f"exact_moments must be a list of real numbers m_1, m_2, ...; got {describe(values)} "
            f"of type {type(values).__name__}"
        )
    return [check_real(v, f"exact_moments[{i}]") for i, v in enumerate(values[:200])]


def _as_grid(x):
    from .._utils.validate import check_finite_array

    arr = check_finite_array(x, "x")  # bool, text, ragged, complex, nan/inf: refused by name
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.size == 0:
        raise InvalidArgumentError("x is empty; pass at least one grid point")
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)][0]
        raise InvalidArgumentError(f"x must be finite; got {bad}")
    return arr


def _check_dps(dps):
    """``dps`` of the density functions: ``None`` or an integer in
    ``[15, MAX_DPS]`` (the shared checker; more digits raise TooLargeError)."""
    from .._utils.validate import MAX_DPS, check_int

    if dps is None:
        return None
    return check_int(dps, "dps", minimum=15, maximum=MAX_DPS,
                     hint=f"polishing needs tens of digits (float64 has 16); pass 15 <= dps <= {MAX_DPS}")


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


def certified_density(engine, x, *, dps=None, strict=True, exact_moments=None,
                      n_moments=8, mass_tol=1e-9, moment_tol=1e-8, method=""):
    """Density of ``engine`` on the grid ``x`` with evidence (used by
    :func:`curve_density`, :meth:`freealg.functional.FreeMulLaw.density` and
    the FIM law).

    Points, in the project's density convention (``docs/density.md``):

    * at an atom location: ``nan``, flagged in ``at_atom`` and listed in
      ``evidence.atom_points`` (not a failure);
    * exactly at a point where the boundary value is a limit (a zero of the
      leading coefficient, ``x = 0`` for products, an exactly representable
      branch point): the limit from inside the support by
      :func:`_certify.point_density` (``0`` at a soft edge, ``inf`` at a
      divergent hard edge);
    * anywhere else (also a double next to an irrational edge): the boundary
      value at ``x`` itself, polished in mpmath when its float error bound
      exceeds ``1e-12`` relative.

    Every finite value then passes :func:`certify_grid`: a negative value
    beyond its error bound, or a value whose error bound is not small, is a
    failed check (``CertificationError`` when ``strict``).
    """
    dps = _check_dps(dps)
    from .._utils.validate import check_int, check_real

    mass_tol = check_real(mass_tol, "mass_tol", positive=True)
    moment_tol = check_real(moment_tol, "moment_tol", positive=True)
    n_moments = check_int(n_moments, "n_moments", minimum=0, maximum=200,
                          hint="the moment check needs a handful of moments")
    if not isinstance(strict, (bool, np.bool_)):
        from ..errors import InvalidArgumentTypeError

        raise InvalidArgumentTypeError(f"strict must be True or False; got {strict!r:.60}")
    if exact_moments is not None:
        exact_moments = _check_exact_moments(exact_moments)
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
    atom_locs = [float(a) for a, m in atoms if m > 0]
    at_atom = _near(flat, atom_locs)
    # points where the boundary value is taken as a limit
    if hasattr(engine, "limit_points"):
        # exact points (a double next to one is an ordinary point)
        limit_pts = engine.limit_points()
        hit_limit = np.isin(flat, np.array(limit_pts, float))
    else:
        limit_pts = engine.special()
        hit_limit = _near(flat, limit_pts)
    special = sorted(set(singular) | set(limit_pts))
    sing = (_near(flat, singular) | hit_limit) & ~at_atom
    reg = np.nonzero(~sing & ~at_atom)[0]
    G = np.zeros(n, complex)
    err = np.zeros(n)
    resid = np.zeros(n)
    Gr, er, rr, okr, rad = engine.values(flat[reg], np.zeros(reg.size))
    G[reg], err[reg], resid[reg] = Gr, er, rr
    # a failed walk at a (numerically located) support edge: the point is a
    # branch point to the resolution of the walk, even in mpmath, and the
    # density there is the limit (taken below with the special points)
    edge_pts = [p for p in engine.special() if p not in atom_locs]
    at_edge = np.zeros(reg.size, bool)
    for p in edge_pts:
        at_edge |= np.abs(flat[reg] - p) <= 1e-12 * max(abs(p), 1e-300)
    to_limit = ~okr & at_edge
    if to_limit.any():
        sing[reg[to_limit]] = True
        keep = ~to_limit
        reg, Gr, er, rr, okr, rad = reg[keep], Gr[keep], er[keep], rr[keep], okr[keep], rad[keep]
    tracked = np.zeros(n, bool)
    tracked[reg] = okr
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
    _stage()  # progress bar of the computation (freealg._utils.progress)
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
    gabs = np.abs(G)
    _stage()  # progress bar of the computation (freealg._utils.progress)
    # special points: limits (local sampling scale)
    scale = engine.scale
    others = sorted(set(special) | set(atom_locs) | set(engine.special()))
    for k in np.nonzero(sing)[0]:
        s = float(flat[k])
        loc = _local_scale(s, others, scale)
        if s != 0 and hasattr(engine, "shifted"):
            # the translated curve P(s + z, G) at z = +-delta: offsets far
            # below the spacing of doubles near s (down to 1e-24 of the local
            # scale, where a square-root edge is resolved to ~1e-18)
            aux = _polished_aux(engine.shifted(s), 0.0, translated=True)
            density[k], error[k], gabs[k] = _certify.point_density(aux, 0.0, 0.0, loc, kmax=12)
        elif s == 0 and hasattr(engine, "shifted"):
            density[k], error[k], gabs[k] = _certify.point_density(
                _polished_aux(engine, s), s, 0.0, loc, kmax=12)
        else:
            density[k], error[k], gabs[k] = _certify.point_density(_polished_aux(engine, s), s, 0.0, loc)
        if np.isnan(density[k]):
            failures.append(f"the density at the singular point x = {s:.6g} could not be computed")
        # G itself is singular there (a hard edge, a zero of the leading
        # coefficient): report the continuous part's boundary value when
        # finite, else inf
        Gc[k] = complex(np.inf) if not np.isfinite(density[k]) else -1j * np.pi * density[k]
    # atoms: undefined density (the convention), flagged, not a failure
    density[at_atom] = np.nan
    error[at_atom] = np.nan
    Gc[at_atom] = complex(np.inf)
    atom_points = []
    for a, m in atoms:
        hits = at_atom & _near(flat, [float(a)])
        if hits.any():
            atom_points.append((float(a), float(m), int(np.sum(hits))))
    # the gate every value passes: sign and size of the error bound
    checked = (tracked | sing) & ~at_atom
    density, neg, uncert = certify_grid(density, error, gabs, finite_only=checked)
    if neg.any():
        k = np.nonzero(neg)[0][0]
        failures.append(
            f"negative density at {int(np.sum(neg))} points, e.g. rho({flat[k]:.17g}) = "
            f"{density[k]:.6g} beyond its error bound {error[k]:.2e}"
        )
    if uncert.any():
        k = np.nonzero(uncert)[0][0]
        failures.append(
            f"density not certified at {int(np.sum(uncert))} points: e.g. rho({flat[k]:.17g}) = "
            f"{density[k]:.6g} +- {error[k]:.2e}, error bound above {_CERT_RTOL:.0e} relative "
            f"and {_CERT_GTOL:.0e} |G|/pi"
        )
    if dps is not None:
        from .._utils.mpctx import mpmath

        density_mp = []
        with mpmath.workdps(dps):
            for k in range(n):
                if at_atom[k]:
                    density_mp.append(mpmath.nan)
                elif k in mp_vals and mp_vals[k] is not None:
                    v = mp_vals[k]
                    density_mp.append(-mpmath.im(v) / mpmath.pi if not real[k] else mpmath.mpf(0))
                else:
                    density_mp.append(mpmath.mpf(density[k]))
    with np.errstate(all="ignore"):
        nz = checked & np.isfinite(density) & (density != 0) & np.isfinite(error)
        max_rel = float(np.max(error[nz] / np.abs(density[nz]))) if nz.any() else 0.0
        fe = checked & np.isfinite(error)
        max_abs = float(np.max(error[fe])) if fe.any() else 0.0
    # residual
    residual_tol = 1e-10
    max_residual = float(np.max(resid[reg])) if reg.size else 0.0
    if max_residual > residual_tol:
        failures.append(f"backward residual {max_residual:.2e} > {residual_tol:.0e}")
    # support, mass
    support = engine.support()
    specials = [s for s in singular if any(a <= s <= b for a, b in support)]
    _stage()
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
    _stage()  # progress bar of the computation (freealg._utils.progress)
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
    _stage()  # progress bar of the computation (freealg._utils.progress)
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
    _stage()  # progress bar of the computation (freealg._utils.progress)
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
        max_abs_error=max_abs, n_negative=int(np.sum(neg)), n_uncertified=int(np.sum(uncert)),
        atom_points=atom_points, refined=refined, dps=dps,
        tracking_failures=tracking_failures, notes=notes,
    )
    res = DensityResult(
        x=x, density=density.reshape(x.shape), cauchy=Gc.reshape(x.shape),
        error=error.reshape(x.shape), atoms=atoms, atoms_exact=atoms_exact,
        support=support, evidence=ev, density_mp=density_mp,
        at_atom=at_atom.reshape(x.shape),
    )
    if failures:
        msg = "density certification failed:\n" + ev.summary()
        if strict:
            raise CertificationError(msg)
        warnings.warn(msg, CertificationWarning, stacklevel=3)
    return res
