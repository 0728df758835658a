"""Closed-form densities with evidence: the ``DensityResult`` of a named law's
closed-form density, checked against ``-Im G(x + i0)/pi``."""
from __future__ import annotations


import numpy as np

from .._utils.validate import MAX_DPS, describe
from ..errors import FreealgError, InvalidArgumentTypeError

from ._kinds import _at_points, _real_points

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

    from ..density.result import DensityResult
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
    reg = ~(at_atom | np.isinf(dens))
    notes, failures = [], []
    chk = _cauchy_check(law, pts, xs, dens, flat_mp, reg, support, dps, notes, failures)
    G, error = chk["G"], chk["error"]
    error[np.isinf(dens) & ~at_atom] = 0.0  # the hard-edge limit +inf is exact
    neg, bad, refined = _certify_and_polish(law, values, xs, dens, error, chk["gabs"], reg, dps, notes)
    if neg.any():
        failures.append(f"{int(neg.sum())} negative density values beyond their error bounds")
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        failures.append(f"{int(bad.sum())} values differ from -Im G(x + i0)/pi beyond the certification "
                        f"gate (first at x = {xs[reg][k]!r})")
    ev = _evidence(chk, xs, dens, error, reg, atoms, neg, bad, refined, dps, notes, failures)
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


def _boundary_float(law, xs, reg, support, notes):
    """``G(x + i0)`` in float64 at the regular points ``xs[reg]`` (in place of
    ``+inf`` elsewhere), with ``|-Im G/pi - density|`` left to the caller: exactly
    at a support edge the density value is the convention (0, or +inf at a hard
    edge), and ``G`` there is asked separately, at ``x + i eps`` when the edge is
    a branch point of the curve."""
    G = np.full(xs.shape, complex(np.inf), dtype=complex)
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
    return G


def _boundary_mp(law, pts, xs, flat_mp, reg, support, dps):
    """``G(x + i0)`` in mpmath at ``dps + 10`` digits at the (unrounded) regular
    points, and ``|-Im G/pi - density|`` against the mpmath density values
    ``flat_mp`` (on the regular points, as floats)."""
    from .._utils.mpctx import mpmath

    G = np.full(xs.shape, complex(np.inf), dtype=complex)
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
    return G, diff


def _cauchy_check(law, pts, xs, dens, flat_mp, reg, support, dps, notes, failures):
    """The second formula: the density values against ``-Im G(x + i0)/pi`` where
    the law's Cauchy transform has a closed form on the axis; returns the
    boundary values ``G``, the error bounds, ``|G|`` and the residual and
    branch-sign figures of the evidence (a dict)."""
    error = np.full(xs.shape, np.nan)
    out = {"max_residual": 0.0, "max_im": 0.0, "im_ok": True}
    if not getattr(law, "_closed_form_cauchy", True):
        error[reg] = 4 * _EPS * np.abs(dens[reg])
        notes.append("closed form without a closed-form Cauchy transform on the axis: its error "
                     "bound is a rounding estimate, not checked against a second formula")
        # no closed-form boundary value of G to report
        out.update(G=None, error=error, gabs=np.zeros(int(reg.sum())), method="closed form")
        return out
    if dps is None:
        G = _boundary_float(law, xs, reg, support, notes)
        diff = np.abs(-G[reg].imag / np.pi - dens[reg])
        unit = 4 * _EPS
    else:  # the mpmath values against G in mpmath at the same (unrounded) points
        G, diff = _boundary_mp(law, pts, xs, flat_mp, reg, support, dps)
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
    out.update(G=G, error=error, gabs=gabs, max_residual=max_residual, max_im=max_im, im_ok=im_ok,
               method="closed form, checked against -Im G(x + i0)/pi")
    return out


def _certify_and_polish(law, values, xs, dens, error, gabs, reg, dps, notes):
    """Gate the regular values (``certify_grid``: negative values, values whose
    bound exceeds the gate) and polish the float64 values that fail the gate in
    mpmath at 30 digits; ``dens`` and ``error`` are updated in place.  Returns
    the ``neg`` and ``bad`` masks and the number of polished values."""
    from ..density.result import certify_grid

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
    return neg, bad, refined


def _evidence(chk, xs, dens, error, reg, atoms, neg, bad, refined, dps, notes, failures):
    """The ``DensityEvidence`` of a closed-form density: the mass of the
    continuous part is ``1 - sum of the atoms`` (the closed forms are
    normalised); no equation residual, no contour moment check."""
    from ..density.result import DensityEvidence

    mass_a = float(sum(m for _, m in atoms))
    fin = reg & np.isfinite(dens) & (dens != 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        max_rel = float(np.max(error[fin] / np.abs(dens[fin]))) if fin.any() else 0.0
    max_abs = float(np.max(error[reg])) if reg.any() else 0.0
    atom_points = [(a, m, int(np.sum(xs == a))) for a, m in atoms if np.any(xs == a)]
    return DensityEvidence(
        ok=not failures, failures=failures, method=chk["method"], n_points=int(xs.size),
        max_residual=chk["max_residual"], residual_tol=1e-10, im_sign_ok=chk["im_ok"], max_im=chk["max_im"],
        mass_continuous=1.0 - mass_a, mass_atoms=mass_a, mass_error=0.0, mass_tol=1e-9,
        mass_quadrature_error=0.0, moments_exact=[], moments_contour=[], moment_errors=[],
        moment_tol=[], atom_checks=[], max_rel_error=max_rel, max_abs_error=max_abs,
        n_negative=int(neg.sum()), n_uncertified=int(bad.sum()), atom_points=atom_points,
        refined=refined, dps=dps, tracking_failures=0, notes=notes,
    )
