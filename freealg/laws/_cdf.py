r"""The CDF of a law (private; used by :class:`~freealg.laws.interface.LawMethods`):
the plan of axis panels and edge semicircles, the batched Gauss–Legendre jobs
with two rules, and the mass of an interval (the method is described in the
docstring of :mod:`freealg.laws.interface` and in docs/density.md, "CDF and
quantiles")."""

from __future__ import annotations

import numpy as np

from .._utils.numbers import to_float
from ..errors import CertificationError

_N_HI, _N_LO = 16, 10  # Gauss-Legendre points per axis panel (two rules)


def _as_float(v):
    return to_float(v, "a support edge or atom")


class _Plan:
    """Structure of a law used by the CDF: merged support intervals, atoms and
    the radius of the semicircle around every edge."""

    def __init__(self, law, discs=True):
        ivs = sorted((_as_float(a), _as_float(b)) for a, b in law.support())
        merged = []
        for a, b in ivs:
            if not b > a:
                continue
            if merged and a <= merged[-1][1] + 1e-13 * max(1.0, abs(a)):
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        self.intervals = merged
        self.atoms = sorted((_as_float(a), _as_float(m)) for a, m in law.atoms())
        self.atom_loc = np.array([a for a, _ in self.atoms], float)
        self.atom_mass = np.array([m for _, m in self.atoms], float)
        edges = [p for iv in merged for p in iv]
        specials = sorted(set(edges) | set(self.atom_loc.tolist()))
        self.radius = {}
        for a, b in merged:
            for c in (a, b):
                near = [abs(c - p) for p in specials if abs(c - p) > 1e-13 * max(1.0, abs(c))]
                r = 0.1 * min(near) if near else 0.1 * (b - a)
                self.radius[c] = min(r, 0.1 * (b - a))
        # interior atoms split the axis mesh (the density is integrated
        # through them; the two rules' difference guards the result)
        self.inner = {iv: [p for p in self.atom_loc.tolist() if iv[0] < p < iv[1]] for iv in merged}
        self.tables = {}
        self.disc = {}
        if not discs:  # a law with its own distribution function needs no edge discs
            return
        # continuous mass of every edge disc (two rules), from one cauchy call
        job = _CdfJob()
        handles = {c: job.arc(c, r) for c, r in self.radius.items()}
        job.run(law)
        self.tables = {}
        self.disc = {}
        for c, h in handles.items():
            at = float(self.atom_mass[np.abs(self.atom_loc - c) <= 1e-12 * max(1.0, abs(c))].sum())
            # the semicircle mass includes the atom at its centre
            self.disc[c] = tuple(m - at for m in job.arc_mass(h))


def _plan(law):
    """The law's :class:`_Plan`, built once and kept privately."""
    plan = getattr(law, "_cdf_plan_cache", None)
    if plan is None:
        plan = _Plan(law)
        try:
            object.__setattr__(law, "_cdf_plan_cache", plan)
        except (AttributeError, TypeError):
            pass
    return plan


def _arc_nodes(c, r, n):
    from ..density.certify import _gl

    t, w = _gl(n)
    theta = 0.5 * np.pi * (t + 1.0)
    z = c + r * np.exp(1j * theta)
    # dz = i r e^{i theta} d theta
    wz = 0.5 * np.pi * w * 1j * r * np.exp(1j * theta)
    return z, wz


class _CdfJob:
    """Collects every axis node and arc node needed for a set of queries, so
    that one ``density`` call and one ``cauchy`` call serve them all."""

    def __init__(self):
        self.ax_x, self.arc_z = [], []

    def axis(self, breaks):
        """Register the panels ``breaks`` (two rules); returns a handle."""
        from ..density.certify import _gl

        out = []
        for n in (_N_HI, _N_LO):
            t, w = _gl(n)
            lo, hi = breaks[:-1, None], breaks[1:, None]
            x = (0.5 * (hi - lo) * t[None, :] + 0.5 * (lo + hi))
            ww = 0.5 * (hi - lo) * w[None, :]
            start = sum(v.size for v in self.ax_x)
            self.ax_x.append(x.ravel())
            out.append((start, x.shape, ww))
        return out

    def arc(self, c, r):
        out = []
        for n in (2 * _N_HI, 2 * _N_LO):
            z, wz = _arc_nodes(c, r, n)
            start = sum(v.size for v in self.arc_z)
            self.arc_z.append(z)
            out.append((start, wz))
        return out

    def run(self, law, extra=None):
        """One ``density`` call on every axis node (and on ``extra``, whose
        values are kept in ``self.extra``) and one ``cauchy`` call on every
        arc node."""
        parts = list(self.ax_x) + ([] if extra is None else [np.asarray(extra, float)])
        xs = np.concatenate(parts) if parts else np.zeros(0)
        zs = np.concatenate(self.arc_z) if self.arc_z else np.zeros(0, complex)
        if xs.size:
            rho, rerr = _density_with_error(law, xs)
        else:
            rho, rerr = xs, xs
        n_extra = 0 if extra is None else np.asarray(extra).size
        self.extra = rho[rho.size - n_extra:]
        self.rho = rho[: rho.size - n_extra]
        self.rho_err = rerr[: rerr.size - n_extra]
        xs = xs[: xs.size - n_extra]
        if zs.size:
            self.G = np.asarray(law.cauchy(zs), complex).reshape(zs.shape)
        else:
            self.G = zs
        bad = ~np.isfinite(self.rho)
        if bad.any():
            raise CertificationError(
                f"the density is not finite at the quadrature node x = {xs[bad][0]!r} "
                "of the CDF (an atom or a divergence inside the support that the law "
                "does not report)"
            )
        if not np.all(np.isfinite(self.G)):
            raise CertificationError("the Cauchy transform is not finite on a CDF contour")

    def panels(self, handle):
        """Per-panel integrals ``(hi rule, lo rule)``; the bound on the error
        that the density's own error bounds contribute is added to the
        difference of the two rules by :meth:`value_error`."""
        out = []
        for start, shape, ww in handle:
            vals = self.rho[start:start + ww.size].reshape(shape)
            out.append(np.sum(vals * ww, axis=1))
        return out

    def value_error(self, handle):
        """Per-panel ``Σ w |error of ρ|`` of the high rule."""
        start, shape, ww = handle[0]
        return np.sum(self.rho_err[start:start + ww.size].reshape(shape) * np.abs(ww), axis=1)

    def arc_mass(self, handle):
        out = []
        for start, wz in handle:
            g = self.G[start:start + wz.size]
            out.append(float(np.sum(g * wz).imag) / np.pi)
        return out


def _pdf_values(law, x):
    fast = getattr(law, "_density_values", None)  # a closed form: the formula itself
    vals = fast(x) if fast is not None else law.density(x).density
    return np.asarray(vals, dtype=float).reshape(np.shape(x))


def _density_with_error(law, x):
    """Density values and their error bounds at quadrature nodes.

    Certified engines are called with ``strict=False``: a node whose value
    could not be certified to ``1e-8`` (a few nodes within ~1e-8 of a hard
    edge) keeps its value and its error bound, which enters the CDF's error
    estimate.  The law-wide checks (residual, ``Im G`` sign, total mass,
    moments, no negative value, no tracking failure) must still pass.
    """
    import warnings

    from ..errors import CertificationWarning

    if getattr(type(law).density, "_values", None) is not None:
        # a closed form (freealg.laws._closed_form): the formula, rounding only
        vals = np.asarray(law._density_values(x), dtype=float).reshape(np.shape(x))
        return vals, 4 * np.finfo(float).eps * np.where(np.isfinite(vals), np.abs(vals), 0.0)
    with warnings.catch_warnings():
        # per-point failures are accounted for below, law-wide ones raise
        warnings.simplefilter("ignore", CertificationWarning)
        res = law.density(x, strict=False)
    ev = res.evidence
    bad = []
    if not ev.max_residual <= ev.residual_tol:
        bad.append(f"residual {ev.max_residual:.2e} above {ev.residual_tol:.0e}")
    if not ev.im_sign_ok:
        bad.append("Im G > 0 somewhere")
    if not ev.mass_error <= ev.mass_tol:
        bad.append(f"total mass off by {ev.mass_error:.2e}")
    if ev.moment_errors and any(not e <= t for e, t in zip(ev.moment_errors, ev.moment_tol)):
        bad.append("moments disagree with the exact ones")
    if ev.n_negative or ev.tracking_failures:
        bad.append(f"{ev.n_negative} negative values, {ev.tracking_failures} tracking failures")
    if bad:
        raise CertificationError("the density behind the CDF failed its checks: " + "; ".join(bad)
                                 + "\n" + ev.summary())
    err = np.asarray(res.error, dtype=float)
    return np.asarray(res.density, dtype=float), np.where(np.isfinite(err), err, np.inf)


def _interval_cdf(job, plan, iv, qs):
    """Schedule the continuous mass of ``[a, q]`` for the sorted queries
    ``qs`` inside ``iv = (a, b)`` and of the whole interval; returns a
    function of the job giving ``(masses, errors, total, total_error)``."""
    from ..density.certify import _graded_breaks as _graded  # the mesh of the mass quadrature

    a, b = iv
    ra, rb = plan.radius[a], plan.radius[b]
    u, v = a + ra, b - rb
    inner = plan.inner[iv]
    near_a = qs < u
    near_b = qs > v
    mid = ~(near_a | near_b)
    # the axis mesh of [u, v], graded towards the edge discs and interior atoms
    brk = [u, v]
    stops = [u] + inner + [v]
    for s0, s1 in zip(stops[:-1], stops[1:]):
        d0 = ra if s0 == u else max(1e-12 * max(1.0, abs(s0)), 0.0)
        d1 = rb if s1 == v else max(1e-12 * max(1.0, abs(s1)), 0.0)
        if s0 in inner:
            d0 = 1e-3 * (s1 - s0)
        if s1 in inner:
            d1 = 1e-3 * (s1 - s0)
        brk.extend(_graded(s0, s1, d0, d1).tolist())
    brk = np.unique(np.concatenate([np.array(brk), qs[mid]]))
    axis = job.axis(brk)
    # queries inside an edge disc: mass(a, q) = disc(a) - int_q^u rho and
    # mass(q, b) = disc(b) - int_v^q rho, on meshes graded towards the edge
    # beyond q (no second, tiny semicircle: the continuation of a Cauchy
    # transform within ~1e-13 of a soft edge is not reliable)
    side_a = [job.axis(_graded(q, u, q - a, u - q)) for q in qs[near_a]]
    side_b = [job.axis(_graded(v, q, q - v, b - q)) for q in qs[near_b]]

    def finish(job):
        hi_p, lo_p = job.panels(axis)
        ve = job.value_error(axis)  # the density's own error bounds, integrated
        (A_hi, A_lo), (B_hi, B_lo) = plan.disc[a], plan.disc[b]
        c_hi = np.concatenate([[0.0], np.cumsum(hi_p)])
        c_lo = np.concatenate([[0.0], np.cumsum(lo_p)])
        c_ve = np.concatenate([[0.0], np.cumsum(ve)])
        total = A_hi + c_hi[-1] + B_hi
        total_err = abs(A_hi - A_lo) + abs(c_hi[-1] - c_lo[-1]) + c_ve[-1] + abs(B_hi - B_lo)
        m = np.zeros(qs.size)
        e = np.zeros(qs.size)
        idx = np.searchsorted(brk, qs[mid])
        m[mid] = A_hi + c_hi[idx]
        e[mid] = abs(A_hi - A_lo) + np.abs(c_hi[idx] - c_lo[idx]) + c_ve[idx]
        for k, h in zip(np.flatnonzero(near_a), side_a):
            s_hi, s_lo = (float(np.sum(t)) for t in job.panels(h))
            m[k] = A_hi - s_hi
            e[k] = abs(A_hi - A_lo) + abs(s_hi - s_lo) + float(np.sum(job.value_error(h)))
        for k, h in zip(np.flatnonzero(near_b), side_b):
            s_hi, s_lo = (float(np.sum(t)) for t in job.panels(h))
            m[k] = total - (B_hi - s_hi)
            e[k] = total_err + abs(B_hi - B_lo) + abs(s_hi - s_lo) + float(np.sum(job.value_error(h)))
        return m, e, total, total_err

    return finish
