r"""The numeric spectrum of the multi-sample NTK law (private).

:class:`_NTKSpectrum` holds the methods of :class:`freealg.dnn.ntk_law.NTKLaw`
that evaluate its spectrum on the real axis: the density with its evidence,
the support, and the quadrature checks of mass and moments.  The law itself
is :mod:`freealg.dnn.ntk_law`, the recursion solver
:mod:`freealg.dnn._ntk_solver`.

Reference: Fan and Wang, "Spectra of the conjugate kernel and neural tangent
kernel for linear-width neural networks", NeurIPS 2020.
"""

from __future__ import annotations

import math
import numpy as np

from ..errors import CertificationError, CertificationWarning
from ._ntk_solver import _solve


class _NTKSpectrum:
    """Numeric spectrum of :class:`freealg.dnn.ntk_law.NTKLaw` (a mixin:
    ``gammas``, ``r``, ``r_plus``, ``_system``, ``_sf``, ``_shift``,
    ``_cache``, ``_s``, ``atoms`` and ``moments`` come from the law)."""

    def _rho(self, x):
        """Density of the unscaled law at real ``x`` (shifted by ``r_+``)."""
        s, err, ok = self._s(np.asarray(x, float) - float(self.r_plus))
        return s.imag / np.pi, err / np.pi, ok, s

    def _bounds(self):
        lo = self._shift
        g = [float(v) for v in self.gammas]
        up, cap = 0.0, 1.0
        for k in range(1, len(g) + 1):
            cap *= (1 + math.sqrt(g[k - 1])) ** 2
            up += float(self.r[k]) * cap
        return lo, lo + up

    def _support_unscaled(self):
        if "support" in self._cache:
            return self._cache["support"]
        lo, hi = self._bounds()
        span = hi - lo
        xs = lo + span * np.linspace(0, 1, 801)[1:]
        rho, err, ok, _ = self._rho(xs)
        if np.mean(ok) < 0.9:
            raise CertificationError("the NTK recursion failed on the support scan grid")
        rho = np.where(ok, rho, 0.0)
        top = float(np.max(rho))
        thr = 1e-9 * top

        ins = rho > thr
        # brackets [out, in] of every edge; all refined together by 16-section
        brackets = []  # (outside point, inside point)
        runs = []
        k = 0
        while k < xs.size:
            if not ins[k]:
                k += 1
                continue
            j = k
            while j + 1 < xs.size and ins[j + 1]:
                j += 1
            runs.append(len(brackets))
            brackets.append([xs[k - 1] if k > 0 else lo, xs[k]])
            brackets.append([xs[j + 1] if j + 1 < xs.size else hi, xs[j]])
            k = j + 1
        br = np.array(brackets, float).reshape(-1, 2)
        frac = np.arange(1, 16) / 16.0
        for _ in range(14):  # 16^-14 of the grid step: below 1e-15 relative
            if br.size == 0 or np.all(np.abs(br[:, 1] - br[:, 0]) <= 1e-14 * np.maximum(1.0, np.abs(br[:, 1]))):
                break
            pts = br[:, :1] + frac[None, :] * (br[:, 1:] - br[:, :1])  # from outside to inside
            r, e, o, _ = self._rho(pts.ravel())
            # a point where Newton fails is next to an edge (a square-root
            # branch point, rho < thr there): it counts as outside
            inn = (o & (r > thr)).reshape(pts.shape)
            for i in range(br.shape[0]):
                row = inn[i]
                first = int(np.argmax(row)) if row.any() else 15
                lo_pt = br[i, 0] if first == 0 else pts[i, first - 1]
                hi_pt = br[i, 1] if first == 15 else pts[i, first]
                br[i] = (lo_pt, hi_pt)
        ivs = [(float(br[i, 1]), float(br[i + 1, 1])) for i in runs]
        self._cache["support"] = ivs
        return ivs

    def support(self):
        """Intervals of the absolutely continuous part, found by a scan on
        a grid of 800 points over a bound of the spectrum, refined by
        16-section to the points where Newton's method still converges at
        ``y = 0`` (about ``1e-9`` relative of a square-root edge; an
        interval narrower than the grid step may be missed).

        Returns
        -------
        list of (float, float)

        Raises
        ------
        CertificationError
            The recursion failed during the scan.

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> [(round(a, 9), round(b, 9)) for a, b in neural_tangent_kernel_law([0.5], 0.5, 0.5).support()]
        [(0.585786438, 3.414213562)]
        """
        return [(a * self._sf, b * self._sf) for a, b in self._support_unscaled()]

    def _checks(self):
        """Quadrature of the density on the support: mass and moments."""
        if "checks" in self._cache:
            return self._cache["checks"]
        ivs = self._support_unscaled()
        K = 4
        ok = True
        # θ ∈ [0, π] with x = a + (b − a)(1 − cos θ)/2 (square-root edges become
        # smooth), panels graded geometrically towards both edges (an edge can
        # be steep on a small scale) and split adaptively where two
        # Gauss–Legendre rules (24 and 16 points) differ (the density can
        # have narrow features, e.g. a near-gap); the sum of the remaining
        # differences is the quadrature error estimate
        half = 0.5 * np.pi * 2.0 ** -np.arange(0, 20)[::-1]
        edges = np.concatenate([[0.0], half[:-1], [0.5 * np.pi], np.pi - half[::-1][1:], [np.pi]])
        edges = np.unique(np.concatenate([edges, np.linspace(0, np.pi, 9)]))
        rules = [np.polynomial.legendre.leggauss(n) for n in (24, 16)]
        mom = np.zeros(K + 1)
        qerr = 0.0
        for a, b in ivs:
            panels = np.c_[edges[:-1], edges[1:]]
            for _round in range(12):
                vals = []
                for t, w in rules:
                    mid, hw = panels.mean(axis=1)[:, None], 0.5 * (panels[:, 1] - panels[:, 0])[:, None]
                    th, wt = mid + hw * t, hw * w
                    x = a + 0.5 * (b - a) * (1 - np.cos(th))
                    jac = 0.5 * (b - a) * np.sin(th) * wt
                    rho, err, good, _ = self._rho(x.ravel())
                    rho, good = rho.reshape(x.shape), good.reshape(x.shape)
                    # Newton may fail within ~1e-9 of an edge (a branch point),
                    # where rho ~ 1e-4 and the node weight ~ sin θ ~ 1e-5:
                    # such nodes count 0 (their mass is below 1e-12)
                    near = (np.minimum(x - a, b - x) <= 1e-8 * (b - a)) & ~good
                    ok &= bool(np.all(good | near))
                    rho = np.where(near, 0.0, rho)
                    vals.append(np.stack([np.sum(jac * rho * x ** k, axis=1) for k in range(K + 1)], 1))
                diff = np.abs(vals[0][:, 0] - vals[1][:, 0])
                split = diff > 1e-12
                keep = ~split | (_round == 11)
                mom += vals[0][keep].sum(axis=0)
                qerr += float(diff[keep].sum())
                if not np.any(~keep):
                    break
                if np.sum(~keep) > 512:  # not converging (e.g. a hard edge): stop, the error stays
                    mom += vals[0][~keep].sum(axis=0)
                    qerr += float(diff[~keep].sum())
                    break
                p = panels[~keep]
                m = p.mean(axis=1)
                panels = np.r_[np.c_[p[:, 0], m], np.c_[m, p[:, 1]]]
        atoms = [(loc / self._sf, m) for loc, m in self.atoms()]
        matoms = sum(m for _, m in atoms)
        for loc, m in atoms:
            mom[1:] += m * loc ** np.arange(1, K + 1)
        mom[0] += matoms
        exact = [float(v) / self._sf ** (k + 1) for k, v in enumerate(self.moments(K))]
        merr = [abs(mom[k + 1] - exact[k]) / abs(exact[k]) for k in range(K)]
        out = dict(mass_c=float(mom[0] - matoms), mass_atoms=matoms, mass_err=abs(mom[0] - 1),
                   qerr=qerr, moments_exact=exact, moments_quad=[float(v) for v in mom[1:]],
                   merr=merr, ok=ok)
        self._cache["checks"] = out
        return out

    def density(self, x, *, strict=True, mass_tol=1e-8, moment_tol=1e-7):
        r"""Density of the absolutely continuous part, with evidence.

        ``0`` outside the support and at its (soft) edges, ``nan`` exactly at
        the atom (flagged in ``at_atom``).  The evidence holds the largest
        residual, the branch guards, the error bounds, and the total mass
        and moments ``m_1..m_4`` from a quadrature of the density against
        the exact moments.

        Parameters
        ----------
        x : float or array_like of float
        strict : bool
            Raise :class:`~freealg.errors.CertificationError` when a check
            fails (else a :class:`~freealg.errors.CertificationWarning` and
            ``evidence.ok = False``).
        mass_tol, moment_tol : float
            Tolerances of the mass and of the relative moment errors.

        Returns
        -------
        DensityResult

        Raises
        ------
        CertificationError
            A failed check under ``strict``.

        Examples
        --------
        >>> from freealg.dnn import neural_tangent_kernel_law
        >>> res = neural_tangent_kernel_law([0.5, 0.5], 0.6, 0.5).density([2.0, 100.0])
        >>> bool(res.evidence.ok), bool(res.density[0] > 0), float(res.density[1])
        (True, True, 0.0)
        """
        import warnings

        from ..density.result import DensityEvidence, DensityResult, _as_grid

        xg = _as_grid(x)
        flat = xg.ravel() / self._sf
        rho, err, ok, s = self._rho(flat)
        ivs = self._support_unscaled()
        inside = np.zeros(flat.size, bool)
        for a, b in ivs:
            inside |= (flat > a) & (flat < b)
        atoms = self.atoms()
        at_atom = np.zeros(flat.size, bool)
        for loc, _m in atoms:
            at_atom |= flat == loc / self._sf
        failures = []
        notes = ["moments_contour holds the quadrature moments of the density plus atoms"]
        retry = inside & ~ok & ~at_atom
        if retry.any():
            self._edge_retry(flat, retry, rho, err, s, ok, notes)
        n_track = int(np.sum(~ok & ~at_atom))
        if n_track:
            failures.append(f"{n_track} points where Newton's method did not converge on the physical branch")
        dens, e, neg, unc = self._checked_values(flat, ivs, inside, at_atom, rho, err, ok, s, failures)
        dens = np.where(at_atom, np.nan, dens / self._sf)
        e = np.where(at_atom, np.nan, e / self._sf)
        ch = self._checks()
        if not ch["ok"]:
            failures.append("the recursion failed at a quadrature node")
        if not ch["mass_err"] <= mass_tol:
            failures.append(f"total mass off by {ch['mass_err']:.2e} (tol {mass_tol:g})")
        if not max(ch["merr"]) <= moment_tol:
            failures.append(f"quadrature moments off by {max(ch['merr']):.2e} relative (tol {moment_tol:g})")
        G = np.where(at_atom, np.inf + 0j, -s / self._sf)
        fin = dens[np.isfinite(dens) & (dens > 0)]
        efin = e[np.isfinite(dens) & (dens > 0)]
        ev = DensityEvidence(
            ok=not failures, failures=failures, method="ntk-recursion (Newton continuation)",
            n_points=int(flat.size), max_residual=0.0, residual_tol=1e-12, im_sign_ok=not neg.any(),
            max_im=0.0, mass_continuous=ch["mass_c"], mass_atoms=ch["mass_atoms"],
            mass_error=ch["mass_err"], mass_tol=mass_tol, mass_quadrature_error=ch["qerr"],
            moments_exact=ch["moments_exact"], moments_contour=ch["moments_quad"],
            moment_errors=ch["merr"], moment_tol=[moment_tol] * len(ch["merr"]), atom_checks=[],
            max_rel_error=float(np.max(efin / fin)) if fin.size else 0.0,
            max_abs_error=float(np.max(efin)) if efin.size else 0.0, n_negative=int(neg.sum()),
            n_uncertified=int(unc.sum()),
            atom_points=[(loc, m, int(np.sum(at_atom))) for loc, m in atoms if np.any(at_atom)],
            refined=0, dps=None, tracking_failures=n_track, notes=notes)
        if failures:
            msg = "NTK density failed its checks: " + "; ".join(failures)
            if strict:
                raise CertificationError(msg)
            warnings.warn(msg, CertificationWarning, stacklevel=2)
        return DensityResult(xg, dens.reshape(xg.shape), G.reshape(xg.shape), e.reshape(xg.shape),
                             atoms, atoms, self.support(), ev, at_atom=at_atom.reshape(xg.shape))

    def _edge_retry(self, flat, retry, rho, err, s, ok, notes):
        """Re-evaluate the points ``retry`` next to a square-root edge, where
        Newton at ``y = 0`` may not converge: the value is ``Im s(x + iη)/π`` at
        ``η = 1e-10 × scale``, with the error bound ``2|Im s(x + iη) − Im s(x + 2iη)|/π``
        (the ``O(η)`` smoothing).  Updates ``rho``, ``err``, ``s``, ``ok`` and
        ``notes`` in place."""
        lo, hi = self._bounds()
        eta = 1e-10 * max(1.0, hi)
        z = flat[retry] - float(self.r_plus)
        s1, _e1, o1 = _solve(self._system, z + 1j * eta)
        s2, _e2, o2 = _solve(self._system, z + 2j * eta)
        good = o1 & o2
        idx = np.flatnonzero(retry)[good]
        rho[idx] = s1[good].imag / np.pi
        err[idx] = 2 * np.abs((s1[good] - s2[good]).imag) / np.pi
        s[idx] = s1[good]
        ok[idx] = True
        if idx.size:
            notes.append(f"{idx.size} points next to an edge evaluated at Im z = {eta:.1e}")

    @staticmethod
    def _checked_values(flat, ivs, inside, at_atom, rho, err, ok, s, failures):
        """The density and its error bound on the support (0 outside), with
        the checks of the values appended to ``failures``: no negative value
        beyond its bound, error bounds below ``1e-8`` relative, and a real
        boundary value outside the support.  Returns ``(dens, e, neg, unc)``
        (``neg``, ``unc``: the masks of negative and uncertified values)."""
        dens = np.where(inside, rho, 0.0)
        e = np.where(inside, err, 0.0)
        neg = inside & (dens < -e)
        if neg.any():
            failures.append(f"{int(neg.sum())} negative density values beyond their error bound")
        dens = np.where(inside & (dens < 0), 0.0, dens)
        unc = inside & ok & (e > 1e-8 * np.abs(dens)) & (e > 1e-12 * np.abs(s) / np.pi)
        if unc.any():
            failures.append(f"{int(unc.sum())} values with error bound above 1e-8 relative")
        # outside the support the boundary value must be real
        outs = ~inside & ok & ~at_atom
        span = max((b - a for a, b in ivs), default=1.0)
        for a, b in ivs:  # the edges are numerical (~1e-9 relative): not checked next to them
            outs &= (np.abs(flat - a) > 1e-6 * span) & (np.abs(flat - b) > 1e-6 * span)
        if np.any(rho[outs] > 1e-9 * max(1.0, float(np.max(rho, initial=0.0)))):
            failures.append("Im s > 0 outside the computed support (an interval was missed)")
        return dens, e, neg, unc
