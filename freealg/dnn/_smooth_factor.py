"""Numeric adapter of the law of ``φ'(√q z)²`` of a smooth activation (private).

:class:`_SmoothNuFactor`: the pushforward of the Gaussian under ``f``, with
fast Gauss–Legendre Cauchy transforms off the axis, boundary values on the
axis (crossings, principal values) and the derivatives the solvers need.
"""

from __future__ import annotations

import math

import numpy as np

from ._factors import EPS, _cauchy_rows, _cauchy_sums
from ._layer_data import to_float


class _SmoothNuFactor:
    r"""The law ``ν`` of ``φ'(√q z)²`` of a smooth activation.

    Moments from the law (mpmath quadrature at its ``dps``).  The Cauchy
    transform ``G(ζ) = E[1/(ζ − f(z))]``, ``f(z) = φ'(√q z)²``, by composite
    Gauss–Legendre rules in ``z`` on ``[−T, T]`` (``T = 9``: the Gaussian tail
    beyond is ``< 2e-19``), 16 nodes per panel.  The integrand has poles where
    ``f(z) = ζ``, at distance ``d`` from the real ``z`` axis; a panel of width
    ``h`` has relative error about ``(2d/h + √(1 + 4d²/h²))^{−32}``.  Base
    panels have ``h = 1/8`` (enough when ``ζ`` is ``≳ 0.1 max|f'|`` away from
    the range of ``f``); otherwise, around each real point ``c`` near a pole
    (a crossing ``f(c) = Re ζ`` or a local extremum of ``f`` next to
    ``Re ζ``), the base panels within ``1/4`` are replaced by panels graded
    geometrically towards ``c`` with smallest width ``d/2``
    (``d = dist/|f'(c)|``, or ``√(2 dist/|f''(c)|)`` at an extremum), so the
    cost grows only like ``log(1/d)``.  Measured relative accuracy (against
    a uniform rule with ``h = 2^{−16}`` and, on the axis, against the
    pushforward density of ``ν``): ``~1e-13`` for ``Im ζ ≥ 1e-4``, then
    rounding-limited: the values ``f(z)`` carry a few ulps of ``max f``, and
    next to a pole they enter as ``1/(ζ − f(z))`` with ``|ζ − f| ~ Im ζ``,
    so the relative error is up to ``~4 ε max f/Im ζ`` (measured against
    mpmath: ``2.6e-9`` at ``Im ζ = 1e-8`` for tanh, bound ``8.9e-8``).

    Away from the range of ``f`` (the common case in the continuation of a
    product, where the subordination point is far from ``[min f, max f]``)
    this 2304-node rule is replaced by ``N``-point Gauss rules of the same
    discretised measure (``N = 16, 48, 128``; Jacobi matrix by Lanczos with
    full reorthogonalisation, built once per factor).  A rule is used only
    where its a-priori error bound is below ``1e-15 |G|``: for ``1/(ζ − u)``
    on ``[a, b] = [min f, max f]`` the Chebyshev coefficients are
    ``2 σ^k/(r s)`` (``r = (b − a)/2``, ``w = (ζ − (a + b)/2)/r``,
    ``s = √(w² − 1)``, ``|σ| = 1/ρ``, ``ρ = |w + s| > 1``), and a Gauss rule
    exact to degree ``2N − 1`` for a probability measure errs by at most
    twice the tail, ``4 ρ^{1−2N}/(r |s| (ρ − 1))`` (Trefethen, *Approximation
    Theory and Approximation Practice*, ch. 8 and 19).  ``|G|`` is bounded
    below by the 16-point value minus its bound.  Rounding (the rules come
    from a symmetric eigenproblem) adds a few ``1e-15 |G|`` (measured
    ``≤ 3e-15`` against the base rule, ``≤ 1e-14`` against mpmath in
    tests/test_tanh_jacobian.py).
    """

    T = 9.0
    ORDER = 16
    H = 0.125
    GAUSS_SIZES = (16, 48, 128)
    GAUSS_TOL = 1e-15

    def __init__(self, law):
        self.law = law
        self.act = law.activation
        self.q = to_float(law.parameters["q"])
        self.sq = math.sqrt(self.q)
        t, w = np.polynomial.legendre.leggauss(self.ORDER)
        self._t, self._w = t, w
        self.edges = np.arange(-self.T, self.T + self.H / 2, self.H)
        self.nodes, self.weights = self._panels(self.edges)
        self.fnodes = self.f(self.nodes)
        self.pivot, self._deficit = self._pivot()
        self.fsnodes = self.fs(self.nodes)
        norm = self.weights.sum()
        self.weights = self.weights / norm  # exact normalisation of the mass
        self._norm = norm
        u = np.linspace(-self.T, self.T, 4001)
        fu = self.f(u)
        self.u, self.fu = u, fu
        du = u[1] - u[0]
        self.slope = max(float(np.max(np.abs(np.diff(fu)) / du)), 1e-12)
        self.fmin, self.fmax = float(np.min(fu)), float(np.max(fu))
        # local extrema of f, refined by golden-section search
        d = np.diff(fu)
        ext = []
        for i in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
            a, b = u[i], u[i + 2]
            sgn = 1.0 if d[i] > 0 else -1.0
            g = (math.sqrt(5) - 1) / 2
            for _ in range(80):
                c1, c2 = b - g * (b - a), a + g * (b - a)
                if sgn * self.f(c1) > sgn * self.f(c2):
                    b = c2
                else:
                    a = c1
            c = 0.5 * (a + b)
            h = 1e-4
            curv = abs(float(self.f(c + h) - 2 * self.f(c) + self.f(c - h))) / h**2
            ext.append((c, float(self.f(c)), max(curv, 1e-12)))
        self.extrema = ext
        self._gauss = self._gauss_rules()

    def _gauss_rules(self):
        """``[(N, nodes, weights)]``: Gauss rules of the discretised measure
        ``Σ weights δ_fnodes`` for ``N`` in :attr:`GAUSS_SIZES` (Lanczos with
        full reorthogonalisation on ``diag(fnodes)``, start ``√weights``)."""
        x, w = self.fnodes, self.weights
        nmax = min(max(self.GAUSS_SIZES, default=0), np.unique(x).size // 2)
        Q = np.zeros((nmax, x.size))
        q = np.sqrt(w)
        q = q / np.linalg.norm(q)
        alpha, beta = np.zeros(nmax), np.zeros(nmax)
        qprev, b = np.zeros_like(q), 0.0
        for j in range(nmax):
            Q[j] = q
            v = x * q - b * qprev
            alpha[j] = q @ v
            v = v - alpha[j] * q
            for _ in range(2):
                v = v - Q[:j + 1].T @ (Q[:j + 1] @ v)
            b = float(np.linalg.norm(v))
            beta[j] = b
            if not b > 0:
                nmax = j + 1
                break
            qprev, q = q, v / b
        rules = []
        for N in self.GAUSS_SIZES:
            if N > nmax:
                break
            T = np.diag(alpha[:N]) + np.diag(beta[:N - 1], 1) + np.diag(beta[:N - 1], -1)
            th, V = np.linalg.eigh(T)
            rules.append((N, th, V[0] ** 2))
        self._ga, self._gb = float(np.min(x)), float(np.max(x))
        return rules

    def _gauss_bound(self, z, N):
        """A-priori error bound of the ``N``-point Gauss rule for ``G(z)``
        (see the class docstring); ``inf`` on ``[min f, max f]``."""
        lrho, pre = self._bound_parts(z)
        with np.errstate(all="ignore"):
            return np.where(lrho > 0, pre * np.exp(-(2 * N - 1) * lrho), np.inf)

    def _bound_parts(self, z):
        """``(log ρ, 4/(r |s| (ρ − 1)))`` of the Gauss-rule bound at ``z``."""
        r = 0.5 * (self._gb - self._ga)
        w = (z - 0.5 * (self._ga + self._gb)) / r
        s = np.sqrt(w - 1) * np.sqrt(w + 1)
        s = np.where(np.abs(w + s) >= np.abs(w - s), s, -s)
        rho = np.abs(w + s)
        with np.errstate(all="ignore"):
            return np.log(rho), 4 / (r * np.abs(s) * (rho - 1))

    def _gauss_need(self, flat):
        """``(g0, d0, log ρ, pre, need)``: the smallest rule's sums and the
        selection data of the Gauss rules (a rule of ``N`` nodes meets its
        bound ``pre ρ^{−(2N − 1)}`` where ``(2N − 1) log ρ >= need``), from a
        lower bound of ``|G|`` by the smallest rule."""
        N0, t0, w0 = self._gauss[0]
        g0, d0 = _cauchy_sums(flat, t0, w0)
        lrho, pre = self._bound_parts(flat)
        with np.errstate(all="ignore"):
            lower = np.abs(g0) - np.where(lrho > 0, pre * np.exp(-(2 * N0 - 1) * lrho), np.inf)
            # bound_N <= tol |G|  <=>  (2N - 1) log rho >= log(pre / (tol lower))
            need = np.where(lower > 0, np.log(pre / (self.GAUSS_TOL * lower)), np.inf)
        return g0, d0, lrho, pre, need

    def _gauss_sums(self, flat):
        """``(G, G', done)``: Gauss-rule values where their bound is below
        ``GAUSS_TOL |G|`` (``done``), else untouched zeros."""
        G = np.zeros(flat.shape, complex)
        dG = np.zeros(flat.shape, complex)
        done = np.zeros(flat.shape, bool)
        if not self._gauss or flat.size == 0:
            return G, dG, done
        N0 = self._gauss[0][0]
        g0, d0, lrho, _, need = self._gauss_need(flat)
        for N, t, w in self._gauss:
            sel = ~done & (lrho > 0) & ((2 * N - 1) * lrho >= need)
            if not sel.any():
                continue
            if N == N0:
                G[sel], dG[sel] = g0[sel], d0[sel]
            else:
                G[sel], dG[sel] = _cauchy_sums(flat[sel], t, w)
            done |= sel
        return G, dG, done

    def f(self, z):
        return np.asarray(self.act.dphi(self.sq * np.asarray(z, float)), float) ** 2

    def _pivot(self):
        """``(p, d)``: ``p = max f`` and ``d(z) = p − f(z)`` computed to full
        relative accuracy, where the activation has such a form (tanh:
        ``1 − sech⁴ = tanh² (1 + sech²)``; erf: ``−(4/π) expm1(−2h²)``);
        ``(0, None)`` otherwise.  Next to the top of the range, ``ζ − f(z)``
        is then ``(ζ − p) + d(z)`` without cancellation (else ``f`` carries
        ``ε`` absolute error against a difference of size ``|ζ − p|``, which
        the subordination point of a deep product approaches to ~1e-8)."""
        name = getattr(self.act, "name", None)
        if name == "tanh":
            def d(z):
                h = self.sq * np.asarray(z, float)
                t = np.tanh(h)
                return t * t * (1 + 1 / np.cosh(h) ** 2)
            return 1.0, d
        if name == "erf":
            def d(z):
                h = self.sq * np.asarray(z, float)
                return -(4 / math.pi) * np.expm1(-2 * h * h)
            return 4 / math.pi, d
        return 0.0, None

    def fs(self, z):
        """``f(z) − p`` (accurately next to ``p``, see :meth:`_pivot`)."""
        if self._deficit is None:
            return self.f(z)
        return -self._deficit(z)

    def _panels(self, breaks):
        a, b = breaks[:-1, None], breaks[1:, None]
        z = (0.5 * (b - a) * self._t[None, :] + 0.5 * (a + b)).ravel()
        w = (0.5 * (b - a) * self._w[None, :]).ravel() * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return z, w

    def moments(self, n):
        return self.law.moments(n)

    def atoms(self):
        return []

    def _centers(self, zeta, dist):
        """Real points near the poles of ``1/(ζ_j − f(z))`` with pole distances,
        for an array of ``ζ_j``: a list (one per ``ζ_j``) of ``[(c, d)]``.
        The crossings ``f(c) = Re ζ_j`` come from :meth:`_crossings`."""
        r = zeta.real
        m = r.size
        out = [[] for _ in range(m)]
        jj, c = self._crossings(r)
        if jj.size:
            rr = r[jj]
            h = 1e-6
            der = np.abs(self.f(c + h) - self.f(c - h)) / (2 * h)
            with np.errstate(divide="ignore"):
                dd = np.where(der > 0, dist[jj] / der, np.inf)
            for ce, fe, curv in self.extrema:  # a crossing next to an extremum
                near = np.abs(ce - c) < 0.25
                alt = np.sqrt(2 * np.maximum(np.abs(fe - rr), dist[jj]) / curv)
                dd = np.where(near, np.minimum(dd, alt), dd)
            for j, cc, d in zip(jj, c, dd):
                out[j].append((float(cc), float(d)))
        for ce, fe, curv in self.extrema:
            gap = np.abs(fe - r)
            for j in np.nonzero(gap < self.slope * 2 * self.H)[0]:
                out[j].append((ce, math.sqrt(2 * max(gap[j], dist[j]) / curv)))
        return out

    def _breaks(self, cs):
        """Removed base panels and graded breaks for one ``ζ``'s centres."""
        e = self.edges
        remove = np.zeros(e.size - 1, bool)
        for c, d in cs:
            remove |= (e[1:] > c - 2 * self.H) & (e[:-1] < c + 2 * self.H)
        brs = []
        idx = np.nonzero(remove)[0]
        if idx.size:
            starts = idx[np.r_[True, np.diff(idx) > 1]]
            ends = idx[np.r_[np.diff(idx) > 1, True]]
            for i0, i1 in zip(starts, ends):
                A, B = e[i0], e[i1 + 1]
                pts = [A, B]
                for c, d in cs:
                    if A < c < B:
                        pts.append(c)
                        h = max(0.5 * d, 1e-13)
                        k = h
                        while c - k > A:
                            pts.append(c - k)
                            k *= 2
                        k = h
                        while c + k < B:
                            pts.append(c + k)
                            k *= 2
                brs.append(np.unique(np.array(pts)))
        return remove, brs

    def _sums(self, z):
        z = np.asarray(z, complex)
        flat = z.ravel()
        re = flat.real
        gap = np.maximum(np.maximum(self.fmin - re, re - self.fmax), 0.0)
        dist = np.maximum(np.abs(flat.imag), gap)
        step = max(1, 2_000_000 // self.fnodes.size)
        with np.errstate(all="ignore"):
            G, dG, far = self._gauss_sums(flat)
            rest = np.nonzero(~far)[0]
            for i in range(0, rest.size, step):
                k = rest[i:i + step]
                G[k], dG[k] = _cauchy_sums(flat[k] - self.pivot, self.fsnodes, self.weights)
            fj = np.nonzero((dist < self.slope * self.H) & ~far)[0]
            if fj.size:
                # near a pole: subtract the base panels around it and add
                # graded panels, all points at once (rows padded with weight 0)
                cents = self._centers(flat[fj], dist[fj])
                rem_idx, add_z, add_w = [], [], []
                for cs in cents:
                    cs = [(c, d) for c, d in cs if d < self.H]
                    remove, brs = self._breaks(cs)
                    rem_idx.append(np.nonzero(np.repeat(remove, self.ORDER))[0])
                    zs = [self._panels(br) for br in brs]
                    add_z.append(np.concatenate([a for a, _ in zs]) if zs else np.zeros(0))
                    add_w.append(np.concatenate([b for _, b in zs]) / self._norm if zs else np.zeros(0))
                nr = max(v.size for v in rem_idx)
                na = max(v.size for v in add_z)
                m = fj.size
                if nr:
                    R = np.zeros((m, nr), int)
                    WR = np.zeros((m, nr))
                    for k, v in enumerate(rem_idx):
                        R[k, :v.size] = v
                        WR[k, :v.size] = self.weights[v]
                    g, dg = _cauchy_rows(flat[fj] - self.pivot, self.fsnodes[R], WR)
                    G[fj] -= g
                    dG[fj] -= dg
                if na:
                    Z = np.zeros((m, na))
                    WA = np.zeros((m, na))
                    for k, (a, b) in enumerate(zip(add_z, add_w)):
                        Z[k, :a.size] = a
                        WA[k, :b.size] = b
                    g, dg = _cauchy_rows(flat[fj] - self.pivot, self.fs(Z.ravel()).reshape(Z.shape), WA)
                    G[fj] += g
                    dG[fj] += dg
        return G.reshape(z.shape), dG.reshape(z.shape)

    def cauchy(self, z):
        return self._sums(z)[0]

    #: relative accuracy where the Gauss rules of ``ν`` are used: their a-priori
    #: bound (``GAUSS_TOL``) plus rounding (measured ``≤ 3e-15`` against the
    #: base rule and ``≤ 1e-14`` against mpmath in tests/test_tanh_jacobian.py)
    GAUSS_REL = 1e-14

    def cauchy_rel_error(self, z):
        """Relative error bound of :meth:`cauchy` off the axis (without
        evaluating it): ``GAUSS_REL`` where a Gauss rule of ``ν`` meets its
        bound (the selection of :meth:`_gauss_sums`), else ``2e-13 +
        4 ε max f/d`` with ``d`` the distance of ``ζ`` to the range
        ``[min f, max f]`` (the accuracy of the class docstring: discretisation
        error, then rounding of ``f`` next to a pole)."""
        z = np.asarray(z, complex)
        flat = z.ravel()
        gap = np.maximum(np.maximum(self.fmin - flat.real, flat.real - self.fmax), 0.0)
        d = np.hypot(flat.imag, gap)
        with np.errstate(divide="ignore"):
            rel = 2e-13 + 4 * EPS * self.fmax / d
        if self._gauss and flat.size:
            _, _, lrho, _, need = self._gauss_need(flat)
            Nmax = self._gauss[-1][0]
            rel = np.where((lrho > 0) & ((2 * Nmax - 1) * lrho >= need), self.GAUSS_REL, rel)
        return rel.reshape(z.shape)

    def cauchy_error(self, z):
        """Error bound of :meth:`cauchy` off the axis: ``|G|`` times
        :meth:`cauchy_rel_error`."""
        z = np.asarray(z, complex)
        return np.abs(self.cauchy(z)) * self.cauchy_rel_error(z)

    def _crossings(self, r):
        """Real solutions ``c`` of ``f(c) = r_j`` in ``[−T, T]`` (sign changes
        of ``f − r_j`` on the scan grid, bisected to rounding): ``(jj, c)``."""
        s = self.fu[None, :] - r[:, None]
        neg = s < 0
        jj, ii = np.nonzero(neg[:, :-1] != neg[:, 1:])
        a, b = self.u[ii].copy(), self.u[ii + 1].copy()
        rr = r[jj]
        fa = self.f(a) - rr
        for _ in range(60):
            mid = 0.5 * (a + b)
            fm = self.f(mid) - rr
            left = (fa < 0) != (fm < 0)
            b = np.where(left, mid, b)
            a = np.where(left, a, mid)
            fa = np.where(left, fa, fm)
        return jj, 0.5 * (a + b)

    def _fprime(self, c):
        """``f'(c)`` by Richardson-extrapolated 5-point differences, with an
        error estimate (difference of the two stencils plus rounding)."""
        h = 2e-3 / max(1.0, self.sq)

        def d5(h):
            return (self.f(c - 2 * h) - 8 * self.f(c - h) + 8 * self.f(c + h) - self.f(c + 2 * h)) / (12 * h)

        d1, d2 = d5(h), d5(h / 2)
        d = d2 + (d2 - d1) / 15
        err = np.abs(d2 - d1) / 15 + 8 * EPS * np.abs(self.f(c)) / h
        return d, err

    def cauchy_boundary(self, x):
        r"""Boundary value ``(G(x + i0), error)`` at real ``x`` (1-D).

        ``Im G(x + i0) = −π ρ(x)`` with the pushforward density ``ρ(x) =
        Σ_{f(c) = x} ϕ(c)/|f'(c)|`` (crossings bisected to rounding, ``f'`` by
        extrapolated differences).  ``Re G`` is the principal value
        ``PV ∫ ϕ(z)/(x − f(z)) dz``: on ``[c − r, c + r]`` around each
        crossing the symmetric pairs ``g(c + t) + g(c − t)`` (analytic in
        ``t``: the poles' residues cancel), ``r`` at most ``0.4`` times the
        distance to the other crossings, extrema and ``±T``; elsewhere
        Gauss–Legendre panels graded geometrically towards the excluded
        intervals (width ``r 2^k`` at distance ``r 2^k``) and towards
        extrema whose value is near ``x``.  The error is the difference of
        16- and 12-node rules plus rounding and the error of ``f'``; it is
        ``1e-14 … 1e-11 |G|`` in the bulk, growing near the critical
        values (measured against the mpmath pushforward density and, for
        ``Re G``, against polynomial extrapolation of the off-axis values to
        ``y = 0``, in tests/test_functional.py).  ``G`` is infinite where ``f'(c) = 0``
        (an edge of the support at a critical value of ``f``).
        """
        x = np.asarray(x, float).ravel()
        n = x.size
        G = np.zeros(n, complex)
        err = np.zeros(n)
        if n == 0:
            return G, err
        jj, cc = self._crossings(x)
        fp, fperr = self._fprime(cc) if cc.size else (cc, cc)
        phic = np.exp(-0.5 * cc * cc) / math.sqrt(2 * math.pi) / self._norm
        with np.errstate(all="ignore"):
            dens = phic / np.abs(fp)
            derr = phic * fperr / fp**2 + 4 * EPS * dens
        rules = ((self._t, self._w), np.polynomial.legendre.leggauss(12))
        ext = np.array([e[0] for e in self.extrema])
        with np.errstate(all="ignore"):
            for j in range(n):
                xj = x[j]
                sel = jj == j
                cs = cc[sel]
                rho = float(np.sum(dens[sel]))
                rerr = float(np.sum(derr[sel]))
                rs = self._exclusion_radii(cs, ext)
                a, b = self._pv_panels(xj, cs, rs)
                vals = [self._pv_sum(xj, a, b, cs, rs, t, w) for t, w in rules]
                c0 = 1 / (math.sqrt(2 * math.pi) * self._norm)
                re = vals[0][0] * c0
                G[j] = complex(re, -math.pi * rho)
                err[j] = (abs(vals[0][0] - vals[1][0]) + 64 * EPS * vals[0][1]) * c0 + math.pi * rerr
        return G, err

    def _exclusion_radii(self, cs, ext):
        """Radii ``r`` of the symmetric intervals ``[c − r, c + r]`` around the
        crossings ``cs``: at most ``H``, and ``0.4`` times the distance to
        ``±T``, to the other crossings and to the extrema ``ext``."""
        rs = []
        for k, c in enumerate(cs):
            d = [self.H, 0.4 * (self.T - abs(c))]
            others = np.delete(cs, k)
            if others.size:
                d.append(0.4 * float(np.min(np.abs(others - c))))
            if ext.size:
                d.append(0.4 * float(np.min(np.abs(ext - c))))
            rs.append(max(min(d), 0.0))
        return rs

    def _pv_panels(self, xj, cs, rs):
        """Gauss–Legendre panels ``[a_i, b_i]`` of the principal value at
        ``xj`` outside the excluded intervals: graded geometrically towards
        them and towards extrema whose value is near ``xj``."""
        pts = [self.edges]
        for c, r in zip(cs, rs):
            if r <= 0:
                continue
            k = r
            g = []
            while k < 4 * self.H:
                g += [c - k, c + k]
                k *= 2
            pts.append(np.array(g))
        for ce, fe, curv in self.extrema:
            gap = abs(fe - xj)
            if gap < self.slope * 2 * self.H:
                h = max(0.5 * math.sqrt(2 * gap / curv), 1e-13)
                g, k = [ce], h
                while k < 2 * self.H:
                    g += [ce - k, ce + k]
                    k *= 2
                pts.append(np.array(g))
        br = np.unique(np.clip(np.concatenate(pts), -self.T, self.T))
        keep = np.ones(br.size, bool)
        for c, r in zip(cs, rs):
            keep &= ~((br > c - r) & (br < c + r))
        br = br[keep]
        mid = 0.5 * (br[:-1] + br[1:])
        use = np.ones(mid.size, bool)
        for c, r in zip(cs, rs):
            use &= ~((mid > c - r) & (mid < c + r))
        return br[:-1][use], br[1:][use]

    def _pv_sum(self, xj, a, b, cs, rs, t, w):
        """``(Σ, Σ|terms|)`` of the unnormalised principal value
        ``PV ∫ e^{−z²/2}/(xj − f(z)) dz`` with the rule ``(t, w)``: the panels
        ``[a, b]`` plus the symmetric pairs ``g(c + t) + g(c − t)`` on each
        excluded interval (the poles' residues cancel)."""
        z = (0.5 * (b - a)[:, None] * t[None, :] + 0.5 * (a + b)[:, None]).ravel()
        wz = (0.5 * (b - a)[:, None] * w[None, :]).ravel() * np.exp(-0.5 * z * z)
        terms = wz / (xj - self.f(z))
        tot, mag = float(np.sum(terms)), float(np.sum(np.abs(terms)))
        for c, r in zip(cs, rs):
            if r <= 0:
                continue
            tt = np.concatenate([0.25 * r * (t + 1), 0.25 * r * (t + 3)])
            wt = np.concatenate([0.25 * r * w, 0.25 * r * w])
            zp, zm = c + tt, c - tt
            pair = wt * (np.exp(-0.5 * zp * zp) / (xj - self.f(zp))
                         + np.exp(-0.5 * zm * zm) / (xj - self.f(zm)))
            tot += float(np.sum(pair))
            mag += float(np.sum(np.abs(wt * np.exp(-0.5 * zp * zp) / (xj - self.f(zp))))) * 2
        return tot, mag

    def cauchy_derivative(self, z):
        return self._sums(z)[1]

    def cauchy_and_derivative(self, z):
        return self._sums(z)

    def psi_and_derivative(self, z):
        r"""``(ψ, ψ', error of ψ, ζ G)`` with ``ψ(ζ) = ζ G(ζ) − 1 = E[f/(ζ − f)]``
        (``ζ G`` itself is returned too: where it is small, ``1 + ψ`` would
        cancel).

        Far from the range of ``f`` (where a Gauss rule of ``ν`` is used)
        ``ψ ≈ m_1/ζ`` is small and ``ζ G − 1`` would lose ``log10|ζ/m_1|``
        digits to cancellation; there ``ψ`` and ``ψ' = −E[f/(ζ − f)²]`` are
        summed directly with the weights ``w_k t_k`` (positive terms, no
        cancellation).  Error: the rule's a-priori bound times ``|ζ|`` (the
        integrand is ``−1 + ζ/(ζ − u)``) plus rounding ``(N + 4) ε Σ|terms|``.
        Elsewhere ``ζ G − 1`` with the error ``(2e-13 + 4 ε) |ζ G|``: the
        discretisation accuracy of the class docstring; its rounding term
        ``4 ε max f/d`` next to a pole (a worst case that weights every node
        alike, while the poles near the ends of the range sit in the Gaussian
        tail) is not propagated, as before this error term existed.
        """
        z = np.asarray(z, complex)
        flat = z.ravel()
        G, dG = self._sums(flat)
        with np.errstate(all="ignore"):
            psi = flat * G - 1
            dpsi = G + flat * dG
            err = (2e-13 + 4 * EPS) * np.abs(flat * G)
        if self._gauss and flat.size:
            _, _, lrho, pre, need = self._gauss_need(flat)
            done = np.zeros(flat.size, bool)
            for N, t, w in self._gauss:
                sel = ~done & (lrho > 0) & ((2 * N - 1) * lrho >= need)
                if not sel.any():
                    continue
                zs = flat[sel]
                p_, dp_ = _cauchy_sums(zs, t, w * t)
                with np.errstate(all="ignore"):
                    mag = (1 / np.abs(zs[:, None] - t[None, :])) @ (w * np.abs(t))
                    bnd = np.abs(zs) * pre[sel] * np.exp(-(2 * N - 1) * lrho[sel])
                psi[sel], dpsi[sel] = p_, dp_
                err[sel] = bnd + (N + 4) * EPS * mag
                done |= sel
        zG = np.where(np.abs(psi) < 0.5, 1 + psi, flat * G)
        return psi.reshape(z.shape), dpsi.reshape(z.shape), err.reshape(z.shape), zG.reshape(z.shape)

    def __repr__(self):
        return f"_SmoothNuFactor({self.law!r})"
