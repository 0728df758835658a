r"""Solver of the one-sample FIM recursion (private; the law is
:mod:`freealg.dnn.fisher`).

Two routes to ``G_{μ_L}(z)``:

* **the explicit chain** (every factor with a closed S-transform: Bernoulli
  ``ν`` of relu / hard-tanh / step, point masses, ``MP`` for Gaussian weights).
  Read bottom-up, the subordination system is one explicit map
  ``x = X(ξ_1)`` of the subordination point ``ξ_1`` of ``μ_1 = δ_{q_0}``
  (:class:`freealg.dnn._fisher_chain._Chain`), so ``G(z)`` needs one complex unknown at any depth:
  ``X(ξ_1) = z`` is continued from ``z = x + i∞`` by
  :func:`freealg.density.continuation.descend` with the numba kernels below (the
  layer loop inside the kernel, first and second derivatives by forward
  propagation, Herglotz guards at every level).  The support edges are the
  real critical values of ``X`` and ``λ_max`` is the first of them met from
  ``ξ_1 = +∞`` (:meth:`_FimEngine.lambda_max`: a bracketed root of ``X'``).
* **the coupled system** (a smooth ``ν`` enters through its Cauchy
  transform; one to two unknowns per layer,
  :class:`freealg.dnn._fisher_system._FimProblem`), solved by
  Newton's method on the whole system.

References: Hayase and Karakida, "The spectrum of Fisher information of deep
networks achieving dynamical isometry", AISTATS 2021 (arXiv:2006.07814);
Belinschi and Bercovici, "A new approach to subordination results in free
probability", J. Anal. Math. 101 (2007) (subordination for ⊠).
"""

from __future__ import annotations

import math

import numpy as np

from ..density import certify as _certify
from ..density.continuation import EPS, descend
from ..errors import CertificationError
from ._fisher_chain import _Chain, _ChainProblem
from ._layer_data import to_float
from ._spectra import numeric_factor


class _FimEngine:
    """Adapter of a :class:`FisherLaw` to :func:`freealg.density.certified_density`."""

    def __init__(self, law):
        self.law = law
        self._residues = law._residues
        self.push = self._find_pushforward()
        problem = law._problem(moments=False)
        self.chain = (_Chain.from_levels(problem.levels, problem.q_top, problem.c_top)
                      if problem.explicit and self.push is None else None)
        if self.chain is not None:
            # the explicit chain: no level moments, and the length scale is
            # λ_max itself (a bracketed root of X', no density scan)
            self.problem = problem
            self.cproblem = _ChainProblem(self.chain)
            self.scale = self.lambda_max()
            # a square-root fold is an ordinary point: the boundary value there
            # is the real value of the chain at the fold (the density is 0),
            # not a limit; only atoms, q_{L-1} and divergent folds are limits
            self.limit_points = self._base_singular
        else:
            self.problem = law._problem()
            self.cproblem = None
            self.scale = law._scale

    # -- the real structure of the explicit chain --------------------------
    _NGRID = 20000

    def _side_grid(self, side):
        """``ξ_1 − q_0 = side · t`` with ``t`` geometric from the affine regime
        of ``X`` (``d log|X| / d log t = 1`` to 1%) down to ``1e-12`` (scaled)."""
        ch = self.chain
        s0 = max(1.0, abs(ch.q0))
        top = 1e8
        while top < 1e250:
            X, dX = ch.x_real(np.array([ch.q0 + side * top * s0]))
            a = side * dX[0] * top * s0 / X[0] if X[0] != 0 else np.nan
            if np.isfinite(a) and abs(a - 1) <= 1e-2:
                break
            top *= 1e8
        return s0 * np.geomspace(top, 1e-12, self._NGRID + int(round(np.log10(top / 1e8))) * 1000)

    def _scan_side(self, side, first=False):
        """Fold brackets and near-fold points on one side of ``q_0``, from the
        far end inwards, in chunks; ``first``: stop at the first chunk with a
        fold (the right edge, :meth:`lambda_max`).  Returns ``(brackets,
        near)`` with ``brackets = (lo, hi)`` arrays (``X'`` changes sign on
        each) and ``near`` the points ``ξ_1`` of near-folds."""
        ch = self.chain
        t = self._side_grid(side)
        g = ch.q0 + side * t
        m, chunk = 1, 2000
        lo, hi, near = [], [], []
        gr = (math.sqrt(5) - 1) / 2
        for start in range(0, g.size - 1, chunk):
            # the chunk with m points of overlap on each side (window of the minima)
            i0, i1 = max(start - m, 0), min(start + chunk + m + 1, g.size)
            gg, tt = g[i0:i1], t[i0:i1]
            X, dX = ch.x_real(gg)
            fin = np.isfinite(X) & np.isfinite(dX)
            sg = np.sign(dX)
            own = np.zeros(gg.size - 1, bool)
            own[start - i0: min(start + chunk, g.size - 1) - i0] = True
            i = np.nonzero(own & fin[:-1] & fin[1:] & (sg[:-1] * sg[1:] < 0))[0]
            clo, chi = list(gg[i]), list(gg[i + 1])
            # local minima of |X'| (per log step, relative to X) deeper than
            # rounding (a fold pair inside one cell shows as one), searched by
            # golden section for a sign change of X'
            with np.errstate(all="ignore"):
                rel = np.abs(dX) * tt / np.abs(X)
            j = np.arange(1, gg.size - 1)
            j = j[own[j]]
            okj = (fin[j - 1] & fin[j] & fin[j + 1] & (sg[j - 1] == sg[j]) & (sg[j] == sg[j + 1]) & (sg[j] != 0)
                   & (rel[j] <= (1 - 1e-6) * np.minimum(rel[j - 1], rel[j + 1])))
            j = j[okj]
            if j.size:
                a_, b_ = gg[j - 1].copy(), gg[j + 1].copy()
                sgn = sg[j]
                for _ in range(100):
                    c1, c2 = b_ - gr * (b_ - a_), a_ + gr * (b_ - a_)
                    left = sgn * ch.x_real(c1)[1] < sgn * ch.x_real(c2)[1]
                    b_ = np.where(left, c2, b_)
                    a_ = np.where(left, a_, c1)
                xm = 0.5 * (a_ + b_)
                pair = sgn * ch.x_real(xm)[1] < 0
                for k in np.nonzero(pair)[0]:
                    clo += [gg[j[k] - 1], xm[k]]
                    chi += [xm[k], gg[j[k] + 1]]
                near += list(xm[~pair])
            lo += clo
            hi += chi
            if first and clo:
                break
        return np.array(lo, float), np.array(hi, float), np.array(near, float)

    def _close_brackets(self, lo, hi):
        """Roots of ``X'`` in the brackets (vectorised bisection): ``(ξ, X(ξ))``."""
        ch = self.chain
        if lo.size == 0:
            return []
        flo = np.sign(ch.x_real(lo)[1])
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            same = np.sign(ch.x_real(mid)[1]) == flo
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        xs = 0.5 * (lo + hi)
        Xs = ch.x_real(xs)[0]
        return [(float(a), float(b)) for a, b in zip(xs, Xs) if np.isfinite(b)]

    def _real_scan(self):
        """Real critical points of ``X`` (folds: support-edge candidates,
        ``[(ξ, X(ξ))]``) and the values of ``X`` at real near-folds, on both
        sides of the pole ``ξ_1 = q_0`` (cached; :meth:`_scan_side`)."""
        if getattr(self, "_scan", None) is not None:
            return self._scan
        folds, near = [], []
        for side in (1.0, -1.0):
            lo, hi, nr = self._scan_side(side)
            folds += self._close_brackets(lo, hi)
            if nr.size:
                Xn = self.chain.x_real(nr)[0]
                near += [float(v) for v in Xn[np.isfinite(Xn)]]
        self._scan = (sorted(folds, key=lambda t: -t[0]), sorted(near))
        return self._scan

    def _chain_edges(self):
        """``[(x_e, G(x_e))]`` at the folds of the explicit chain."""
        ch = self.chain
        out = []
        bound = 1e6 * max(1.0, abs(ch.qtop)) * (1 + ch.c) ** max(ch.K.size, 1)
        for xi, e in self._real_scan()[0]:
            if not (math.isfinite(e) and abs(e) < bound):
                continue
            if any(abs(e - u) <= 1e-9 * max(1.0, abs(e)) for u, _ in out):
                continue
            w = ch.eval(np.array([xi + 0j]))[3][0].real
            out.append((e, (1 + w) / (e - ch.qtop)))
        return sorted(out)

    def edge_candidates(self):
        """Real critical values of ``X`` (the folds: candidate support edges),
        ``[(x_e, G(x_e))]``."""
        if self.chain is None:
            return []
        if getattr(self, "_edges", None) is None:
            self._edges = self._chain_edges()
        return list(self._edges)

    def near_folds(self):
        r"""Real shadows of complex folds close to the axis: ``X(ξ_1)`` at the
        genuine local minima of ``|X'|`` on the real line where ``X`` keeps its
        direction.  A fold ``X(ξ_c)`` with ``ξ_c`` just off the real axis is a
        branch point of the boundary value at distance ``≈ |Im X(ξ_c)|``: the
        density is analytic there but varies on that scale, so the mass
        quadrature is graded towards it."""
        if self.chain is None:
            return []
        out = []
        folds = [e for e, _ in self.edge_candidates()]
        for e in self._real_scan()[1]:
            if not any(abs(e - u) <= 1e-9 * max(1.0, abs(e)) for u in out + folds):
                out.append(e)
        return out

    def lambda_max(self):
        r"""``λ_max``: the largest of the bulk's right edge and the atoms.

        On ``(λ_max, ∞)`` the physical ``ξ_1(x)`` is real and increasing with
        ``ξ_1 → +∞`` as ``x → ∞`` (``G ~ 1/x``), so the right edge is the
        critical value ``X(ξ*)`` at the largest critical point ``ξ* > q_0``
        of ``X`` (the first fold met from ``+∞``: a bracketed root of ``X'``,
        :meth:`_real_scan`).  With no critical point above ``q_0``, ``X``
        decreases to the top atom ``X(q_0^+) = t_L``, which is then the
        largest point of the spectrum."""
        if getattr(self, "_lmax", None) is not None:
            return self._lmax
        ch = self.chain
        # the first chunks from +oo down to the first fold (or the whole side)
        lo, hi, _ = self._scan_side(1.0, first=True)
        up = self._close_brackets(lo, hi)
        atoms = [to_float(a) for a, m in self.law.atoms() if m != 0]
        cands = list(atoms)
        if up:
            xi, e = max(up)
            cands.append(e)
        else:
            t = float(ch.x_real(np.array([ch.q0 + 1e-12 * max(1.0, abs(ch.q0))]))[0][0])
            if not any(abs(t - a) <= 1e-6 * max(1.0, abs(a)) for a in atoms):
                raise CertificationError(
                    f"lambda_max of the FIM law of {self.law.net!r}: X(xi_1) has no critical point "
                    f"above q_0 = {ch.q0:.6g} and its limit {t:.6g} at q_0 is not an atom of the law "
                    f"({atoms}); the numerics failed, this is not a result")
        self._lmax = float(max(cands))
        return self._lmax

    def _find_pushforward(self):
        """``(factor, c, q)`` when ``μ_L`` is the affine image ``q + c ν`` of a
        smooth ``ν``: depth 2 with orthogonal weights, ``μ_2 = q_1 + σ_w² q_0 ν_1``.
        The subordination point of ``ν_1`` is then ``(z − q_1)/c`` itself and
        reaches the real axis with ``z``, where the quadrature Cauchy transform
        of ``ν`` has no boundary value; ``G(z) = G_ν((z − q)/c)/c`` is evaluated
        directly with ``ν``'s boundary values.  ``None`` otherwise."""
        from ..laws import ActivationDerivativeLaw

        law = self.law
        if law.net.depth != 2 or law.init != "orthogonal" or not isinstance(law.nus[0], ActivationDerivativeLaw):
            return None
        f = numeric_factor(law.nus[0])
        c = to_float(law.sigma_w2) * law._qf[0]
        return f, c, law._qf[1]

    def _push_values(self, x, y):
        f, c, q = self.push
        G = np.zeros(x.shape, complex)
        err = np.zeros(x.shape)
        on = y == 0
        if np.any(~on):
            zeta = (x[~on] - q + 1j * y[~on]) / c
            g = np.asarray(f.cauchy(zeta), complex)
            e = np.asarray(f.cauchy_error(zeta), float)
            G[~on], err[~on] = g / c, e / c
        if np.any(on):
            g, e = f.cauchy_boundary((x[on] - q) / c)
            with np.errstate(all="ignore"):
                G[on], err[on] = np.asarray(g, complex) / c, np.asarray(e, float) / c
        with np.errstate(all="ignore"):
            ok = np.isfinite(G) & np.isfinite(err)
        # no equation is solved: residual 0, basin radius infinite
        return G, err, np.zeros(x.shape), ok, np.full(x.shape, np.inf)

    def _edge_values(self, x, y, ok, G_edge):
        """Points exactly at a support edge (a fold of the system, where the
        Newton matrix is singular): ``G`` from the explicit real
        parametrisation there, a finite fold value or a divergent
        (arcsine-type) edge; marks them ``ok`` (in place)."""
        edges = self.edge_candidates()
        for i in np.nonzero(~ok & (y == 0))[0]:
            for e, g in edges:
                if abs(x[i] - e) <= 1e-12 * max(1.0, abs(e)):
                    G_edge[int(i)] = g if abs(g) * self.scale <= 1e6 else complex(0.0, -np.inf)
                    ok[i] = True

    def _descend(self, problem, x, y):
        """Continue ``problem`` (the coupled system, or the chain's one unknown
        ``ξ_1``) down to ``x + i y``: ``(w, err, resid, ok, radius, z, extra,
        G_edge)`` with ``w`` the first unknown.  With the chain, points exactly
        at a support edge take their values from :meth:`_edge_values`
        (``G_edge``).  A point on the axis where the walk fails is at a
        square-root edge to the resolution of the walk (a fold of the system:
        the Newton matrix is singular there): its value is taken at
        ``x + i eps``, ``eps = 1e-14 scale`` (``z`` moved there), with the
        a-priori error ``O(sqrt(eps))`` of a square-root edge in ``extra``."""
        Y0 = 256.0 * max(self.scale, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
        tr = descend(problem, x, y, Y0=Y0, xscale=self.scale)
        z = x + 1j * y
        w, terr, resid, ok, trad = tr.U[:, 0].copy(), tr.err.copy(), tr.resid.copy(), tr.ok.copy(), tr.radius.copy()
        extra = np.zeros(x.size)
        G_edge = {}
        if self.chain is not None and np.any(~ok & (y == 0)):
            self._edge_values(x, y, ok, G_edge)
        retry = np.nonzero(~ok & (y == 0))[0]
        if retry.size:
            eps = 1e-14 * self.scale
            tr2 = descend(problem, x[retry], np.full(retry.size, eps), Y0=Y0, xscale=self.scale)
            good = tr2.ok
            idx = retry[good]
            w[idx], terr[idx], resid[idx], trad[idx] = (tr2.U[good, 0], tr2.err[good], tr2.resid[good],
                                                        tr2.radius[good])
            ok[idx] = True
            z[idx] = x[idx] + 1j * eps
            extra[idx] = 1e-7
        return w, terr, resid, ok, trad, z, extra, G_edge

    def _chain_values(self, x, y):
        """Boundary values by the explicit chain (one unknown ``ξ_1``)."""
        ch = self.chain
        xi, terr, resid, ok, trad, z, extra, G_edge = self._descend(self.cproblem, x, y)
        _, _, _, W, dW, _ = ch.eval(xi)
        qt = ch.qtop
        with np.errstate(all="ignore"):
            G = (1 + W) / (z - qt)
            dG = np.abs(dW) / np.abs(z - qt)
            # error of ξ_1 carried to G, plus the rounding of the chain
            # (about one unit per level in w_top)
            err = dG * terr + (8.0 * EPS * ch.K.size) * np.abs(1 + W) / np.abs(z - qt) + extra * np.abs(G)
            rad = dG * trad
        G = np.where(ok, G, np.nan)
        return _with_edges(G, err, resid, ok, rad, extra, G_edge)

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if self.push is not None:
            return self._push_values(x, y)
        if self.chain is not None:
            return self._chain_values(x, y)
        w, terr, resid, ok, trad, z, extra, G_edge = self._descend(self.problem, x, y)
        qt = self.law._qf[-1]
        with np.errstate(all="ignore"):
            G = (1 + w) / (z - qt)
            err = terr / np.abs(z - qt) + extra * np.abs(G)
            rad = trad / np.abs(z - qt)
        return _with_edges(G, err, resid, ok, rad, extra, G_edge)

    def is_real(self, x, G, err, radius):
        with np.errstate(invalid="ignore"):
            return np.isfinite(G) & (np.abs(G.imag) <= err + 8 * EPS * np.abs(G)) & (radius > 4 * err)

    def refine(self, x, G, err, radius, dps):
        return None

    def _base_singular(self):
        pts = {float(to_float(a)) for a, _ in self.law.atoms()} | {float(self.law._qf[-1])}
        if self.chain is not None:
            # folds where G diverges (arcsine-type edges): the density is infinite there
            pts |= {float(e) for e, g in self.edge_candidates() if abs(g) * self.scale > 1e6}
        return sorted(pts)

    def singular(self):
        """Atoms, ``q_{L−1}`` and divergent folds.  (The near-folds,
        :meth:`near_folds`, are not singular: the density is analytic there,
        and the mass quadrature halves its panels where its two rules
        disagree, :func:`freealg.density.certify.mass_quadrature`.)"""
        return self._base_singular()

    def special(self):
        """Support edges, atom locations and folds: boundary values there are
        taken as limits by the density engine."""
        pts = {p for iv in self.support() for p in iv} | set(self.singular())
        if self.chain is not None:
            pts |= {float(e) for e, _ in self.edge_candidates()}
        return sorted(pts)

    def exact_moments(self, K):
        """Reference moments of the certificate: mpmath at 30 digits
        (:meth:`FisherLaw._moments_mp`), the exact ones when already computed."""
        return self.law._moments_mp(K)

    def atoms(self):
        ex = self.law.atoms()
        return ex, [(to_float(a), to_float(m)) for a, m in ex]

    def _positive(self, xs):
        G, err, _, ok, rad = self.values(xs, np.zeros_like(xs))
        return ok & ~self.is_real(xs, G, err, rad) & (G.imag < 0)

    def support(self):
        """Bulk intervals: sign scan of the density on 400 points, each sign
        change resolved by the unique fold of the explicit real
        parametrisation inside it (closed factors) or by 64-section to
        ``1e-11`` relative."""
        if self.law._support is not None:
            return list(self.law._support)
        sing = np.array(self._base_singular())
        hi = 4.0 * self.scale

        def positive(xs):
            xs = np.asarray(xs, float)
            near = np.any(np.abs(xs[:, None] - sing[None, :]) <= 1e-12 * np.maximum(1.0, np.abs(sing)), axis=1)
            xs = np.where(near, xs * (1 + 1e-11), xs)
            return self._positive(xs)

        cands = [e for e, _ in self.edge_candidates()] if self.chain is not None else []
        grid = np.linspace(0.0, hi, 401 if self.chain is not None else 201)[1:]
        if cands:
            # every edge is a fold value: the density has one sign between
            # consecutive candidates, so test one point in each gap as well
            pts = sorted(set([0.0] + [e for e in cands if 0 < e < hi] + [hi]))
            mids = [0.5 * (a + b) for a, b in zip(pts[:-1], pts[1:]) if b > a]
            grid = np.union1d(grid, np.array(mids))
        pos = positive(grid)
        ch = np.nonzero(pos[:-1] != pos[1:])[0]
        a, b, lp = grid[ch], grid[ch + 1], pos[ch].astype(bool)
        done = np.zeros(ch.size, bool)
        for k in range(ch.size):
            inside = [e for e in cands if a[k] <= e <= b[k]]
            if len(inside) == 1:
                a[k] = b[k] = inside[0]
                done[k] = True
        a, b = _certify.refine_brackets(positive, a, b, lp, tol=1e-11, rounds=8, done=done)
        out = _certify.bulk_intervals(0.5 * (a + b), lp, 0.0 if pos[0] else None, hi)
        self.law._support = [(float(u), float(v)) for u, v in out]
        return list(self.law._support)


def _with_edges(G, err, resid, ok, rad, extra, G_edge):
    """Boundary values finished: a value taken at ``x + i eps`` (``extra > 0``)
    keeps ``Im G <= 0``; the exact edge values ``G_edge`` replace theirs."""
    shifted = extra > 0
    if shifted.any():
        G[shifted] = G[shifted].real + 1j * np.minimum(G[shifted].imag, 0.0)
    for i, g in G_edge.items():
        G[i] = g
        err[i] = 1e-8 * abs(g) if np.isfinite(g) else 0.0
        resid[i] = 0.0
        rad[i] = np.inf
    return G, err, resid, ok, rad
