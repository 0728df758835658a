"""Density results, their evidence, and the engine-agnostic certified
density (private; the public names live in :mod:`freealg.density`).

Conventions (docs/theory.md §1): ``rho(x) = -Im G(x + i0) / pi``, atoms
``lim i eps G(a + i eps)``, ``G ~ 1/z`` at infinity.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import checks as _checks
from .checks import certify_grid  # noqa: F401  (public name, importable from here as before)
from .._utils.numbers import is_exact as _is_exact
from ..errors import CertificationError, CertificationWarning, InvalidArgumentError
from .._utils.progress import stage as _stage

__all__ = ["DensityEvidence", "DensityResult", "certified_density"]


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


def _check_options(dps, strict, exact_moments, n_moments, mass_tol, moment_tol):
    """The options of :func:`certified_density`, checked (shared checkers);
    returns ``(dps, exact_moments, n_moments, mass_tol, moment_tol)``."""
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
    return dps, exact_moments, n_moments, mass_tol, moment_tol


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
      :func:`freealg.density.certify.point_density` (``0`` at a soft edge, ``inf`` at a
      divergent hard edge);
    * anywhere else (also a double next to an irrational edge): the boundary
      value at ``x`` itself, polished in mpmath when its float error bound
      exceeds ``1e-12`` relative.

    Every finite value then passes :func:`certify_grid`: a negative value
    beyond its error bound, or a value whose error bound is not small, is a
    failed check (``CertificationError`` when ``strict``).
    """
    dps, exact_moments, n_moments, mass_tol, moment_tol = _check_options(
        dps, strict, exact_moments, n_moments, mass_tol, moment_tol)
    x = _as_grid(x)
    g = _checks._Grid(x.ravel())
    failures, notes = [], []
    aux_fail = []

    def aux_values(xx, yy):
        G, err, _, ok, _ = engine.values(np.asarray(xx, float), np.asarray(yy, float))
        if not np.all(ok):
            aux_fail.append(int(np.sum(~ok)))
        return G, err

    _checks.classify_points(engine, g, failures)
    _checks.boundary_values(engine, g, failures)
    _stage()  # progress bar of the computation (freealg._utils.progress)
    _checks.polish(engine, g, dps, failures, notes)
    _checks.to_density(g)
    _stage()
    _checks.special_limits(engine, g, failures)
    _checks.flag_atoms(g)
    _checks.check_values(g, failures)
    density_mp = _checks.mp_density(g, dps)
    max_residual = _checks.check_residual(g, failures)
    atoms, singular = g.atoms, g.singular
    support = engine.support()
    specials = [s for s in singular if any(a <= s <= b for a, b in support)]
    _stage()
    mass_c, mass_a, mass_error, qerr, seenG = _checks.check_mass(
        aux_values, support, atoms, specials, mass_tol, failures)
    _stage()
    pts = [p for iv in support for p in iv] + [a for a, _ in atoms]
    lo, hi = (min(pts), max(pts)) if pts else (-engine.scale, engine.scale)
    K = int(n_moments)
    if exact_moments is None:
        mex = engine.exact_moments(K)
    else:
        mex = list(exact_moments)[:K]
        K = len(mex)
    mexf, mc, merr, mtol, Gcont = _checks.check_moments(aux_values, mex, K, lo, hi, moment_tol, failures)
    _stage()
    atom_checks = _checks.check_atoms(engine, atoms, singular, lo, hi, failures, notes)
    _stage()
    Greg = g.Gc[g.reg]
    im_ok, max_im = _checks.check_im_sign([Greg[np.isfinite(Greg)], Gcont] + list(seenG), failures)
    if aux_fail:
        failures.append(f"continuation failed at {sum(aux_fail)} quadrature/contour points")
    ev = DensityEvidence(
        ok=not failures, failures=failures, method=method, n_points=g.n,
        max_residual=max_residual, residual_tol=_checks._RESIDUAL_TOL, im_sign_ok=im_ok,
        max_im=max_im, mass_continuous=mass_c, mass_atoms=mass_a,
        mass_error=mass_error, mass_tol=mass_tol, mass_quadrature_error=qerr,
        moments_exact=mexf, moments_contour=mc[1:], moment_errors=merr,
        moment_tol=mtol, atom_checks=atom_checks, max_rel_error=g.max_rel,
        max_abs_error=g.max_abs, n_negative=int(np.sum(g.neg)), n_uncertified=int(np.sum(g.uncert)),
        atom_points=g.atom_points, refined=g.refined, dps=dps,
        tracking_failures=g.tracking_failures, notes=notes,
    )
    res = DensityResult(
        x=x, density=g.density.reshape(x.shape), cauchy=g.Gc.reshape(x.shape),
        error=g.error.reshape(x.shape), atoms=atoms, atoms_exact=g.atoms_exact,
        support=support, evidence=ev, density_mp=density_mp,
        at_atom=g.at_atom.reshape(x.shape),
    )
    _report_failures(ev, strict, stacklevel=3)
    return res


def _report_failures(ev, strict, *, stacklevel):
    """A failed certificate (``ev.failures`` not empty) raises
    ``CertificationError`` with the whole evidence when ``strict``, else
    warns (``CertificationWarning`` at ``stacklevel`` of the caller)."""
    if ev.failures:
        msg = "density certification failed:\n" + ev.summary()
        if strict:
            raise CertificationError(msg)
        warnings.warn(msg, CertificationWarning, stacklevel=stacklevel + 1)
