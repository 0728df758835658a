"""The ⊠ density engine (private): the adapter of a
:class:`~freealg.density.subordination.FreeMulLaw` to
:func:`~freealg.density.result.certified_density` (float continuation, the
mpmath continuation next to branch points and polishing, support edges), and
the direct engine of a pushforward.
"""

from __future__ import annotations

import numpy as np

from . import certify as _certify
from .continuation import EPS, START_FAILED, descend
from .mul_equation import _MulProblem, _rational_problem
from .mul_exact import _product_moments
from .mul_factors import _lg
from ..errors import TransformUndefinedError

_MP_DPS = 30  # digits of the mpmath continuation next to branch points
_MP_FALLBACK_MAX = 64  # most points continued in mpmath per call


class _MulEngine:
    """Adapter of a :class:`FreeMulLaw` to ``certified_density``."""

    def __init__(self, law):
        law._numeric()
        self.law = law
        self.scale = law._scale
        self.problem = _MulProblem(law)
        # the continuation's problem: compiled for rational S-transforms, in
        # lg(u - c) for an atom of mass c at 0 (_RationalMulProblem); the
        # numpy _MulProblem (v = log u) otherwise and for the edge solver
        self.walk = _rational_problem(law) or self.problem
        self._residues = law._residues

    def _walk(self, x, y):
        """The vertical continuation at ``x + i y``: ``(u, err_u, radius_u,
        track)`` with ``u = zG`` and its absolute error and basin radius."""
        # the compiled problem (rational S) starts 16 moment scales up (the
        # moment series of the start value converges like (scale/|z|)^11
        # there); points whose start is not certified (a scale that
        # underestimates the support) start 16 times higher.  The numpy
        # problem keeps 64 scales: with a transcendental S (the depth limit's
        # exp(1/u - 1)) the walk from 16 scales reached a wrong value at
        # quadrature points (caught by the mass check, but not by the walk)
        top = 16.0 if self.walk is not self.problem else 64.0
        Y0 = top * max(self.scale, float(np.max(np.abs(x), initial=0.0)) * 1e-3)
        tr = descend(self.walk, x, y, Y0=Y0, xscale=self.scale)
        again = np.nonzero(tr.status == START_FAILED)[0]
        if again.size:
            tr2 = descend(self.walk, x[again], y[again], Y0=16.0 * Y0, xscale=self.scale)
            for name in ("U", "err", "resid", "radius", "status", "y", "steps", "rejected"):
                getattr(tr, name)[again] = getattr(tr2, name)
        if self.walk is self.problem:
            with np.errstate(all="ignore"):
                u = np.exp(tr.U[:, 0])
            du = np.abs(u)
        else:
            u, du = self.walk.to_u(tr.U[:, 0])
        return u, tr.err * du, tr.radius * du, tr

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        u, eu, ru, tr = self._walk(x, y)
        z = x + 1j * y
        with np.errstate(all="ignore"):
            G = u / z
            err = eu / np.abs(z)
            rad = ru / np.abs(z)
        ok = tr.ok.copy()
        resid = tr.resid.copy()
        # on the real axis next to a branch point (within ~1e-13 relative of a
        # support edge) float64 cannot separate the two coalescing solutions:
        # continue from the last certified float state in mpmath
        retry = np.nonzero(~ok & (y == 0) & (x != 0) & np.isfinite(tr.y) & (tr.y > 0)
                           & (tr.status != 1))[0][:_MP_FALLBACK_MAX]
        if retry.size and self._mp_form():
            for k in retry:
                w0 = complex(u[k] - 1.0)
                g, r = self._mp_descend(float(x[k]), float(tr.y[k]), w0)
                if g is not None:
                    G[k] = complex(g)
                    # mpmath error plus the rounding of the float copy
                    err[k] = abs(G[k]) * 10.0 ** -_MP_DPS + EPS * abs(G[k].imag)
                    rad[k] = r
                    resid[k] = 0.0
                    ok[k] = True
        return G, err, resid, ok, rad

    def _mp_form(self):
        """Every factor has an S-transform that accepts mpmath numbers."""
        if self.law._viac:
            return False
        from .._utils.mpctx import mpmath
        test = mpmath.mpc(0.1, -0.1)
        for f in self.law._closed:
            if f.sym is not None:
                continue
            try:
                f.S_mp(test)
            except (TypeError, ValueError, AttributeError):
                return False
        return True

    def _mp_F(self):
        from .._utils.mpctx import mpmath

        def lg(u):
            # Log(i u) - i pi/2 = Log(u), less 2 pi i where arg u lies in
            # (pi/2, pi] (one mpmath log, no products with i and pi)
            out = mpmath.log(u)
            if u.real < 0 and u.imag >= 0:
                out -= 2j * mpmath.pi
            return out

        def F(w, z):
            # lg(1 + w) - lg(z w) - sum_j L_j (lg(1 + w) - lg((1 + w)/S_j)),
            # with lg(1 + w) evaluated once (the logarithms are the cost)
            u = 1 + w
            lu = lg(u)
            out = -lg(z * w)
            tot = 1
            for f in self.law._closed:
                out += f.L * lg(u / f.S_mp(w))
                tot -= f.L
            return out + tot * lu

        return F

    def _branch_counts(self, z, u):
        """For each point, the integer ``n`` with ``F = Log(P) + 2 pi i n``,
        ``P = exp(F) = u^(1 - sum L) (z w)^-1 prod (u/S_j)^L_j = u/(z w prod
        S_j^L_j)`` (one
        logarithm per evaluation of ``F`` instead of one per term), from the
        float values; ``None`` where a term or ``P`` is within ``1e-6`` of a
        cut (the count is then not certain; the terms are taken apart)."""
        from .mul_factors import _lg
        n = z.size
        out = [None] * n
        with np.errstate(all="ignore"):
            w = u - 1.0
            terms = [(-1, _lg(z * w))]
            tot = 1
            for f in self.law._closed:
                try:
                    terms.append((f.L, _lg(u / f.S(w))))
                except (TypeError, ValueError, ArithmeticError):
                    return out  # no float S here: the terms are taken apart
                tot -= f.L
            terms.append((tot, _lg(u)))
            im = np.zeros(n)
            safe = np.ones(n, bool)
            for cf, t in terms:
                a = t.imag
                safe &= np.isfinite(a) & (np.abs(a - 0.5 * np.pi) > 1e-6) & (np.abs(a + 1.5 * np.pi) > 1e-6)
                im = im + cf * a
            arg = np.angle(np.exp(1j * im))
            safe &= np.isfinite(arg) & (np.abs(arg) < np.pi - 1e-6)
            cnt = np.round((im - arg) / (2 * np.pi))
        for k in np.nonzero(safe)[0]:
            out[k] = int(cnt[k])
        return out

    def _mp_F_one(self, n):
        """``F`` with one mpmath logarithm: ``Log(P) + 2 pi i n``
        (:meth:`_branch_counts`)."""
        from .._utils.mpctx import mpmath
        closed = self.law._closed

        def F(w, z):
            # P = u^(1 - sum L) (z w)^-1 prod (u/S)^L = u / (z w prod S^L)
            Q = z * w
            for f in closed:
                Q *= f.S_mp(w) ** f.L
            return mpmath.log((1 + w) / Q) + 2j * mpmath.pi * n

        return F

    def _mp_dF(self):
        """``dF(w, order)``: ``F_w`` (order 1) or ``F_ww`` (order 2) of the
        mpmath equation, analytic from the symbolic ``S', S''`` (``d/dw
        lg((1 + w)/S) = 1/(1 + w) − S'/S``; ``F_z = -1/z`` does not enter);
        ``None`` when a factor has no symbolic S-transform."""
        if not all(f.sym is not None for f in self.law._closed):
            return None
        from .._utils.mpctx import mpmath

        def dF(w, order):
            u = 1 + w
            if order == 1:
                out = 1 / u - 1 / w
                for f in self.law._closed:
                    S = mpmath.mpmathify(f.sym_mp[0](u))
                    out -= f.L * mpmath.mpmathify(f.sym_mp[1](u)) / S
                return out
            out = -1 / u**2 + 1 / w**2
            for f in self.law._closed:
                S = mpmath.mpmathify(f.sym_mp[0](u))
                d1 = mpmath.mpmathify(f.sym_mp[1](u)) / S
                d2 = mpmath.mpmathify(f.sym_mp[2](u)) / S
                out -= f.L * (d2 - d1 * d1)
            return out

        return dF

    def _mp_descend(self, x, y0, w0, *, kappa=0.25, max_steps=400):
        """Vertical continuation of ``w = z G - 1`` in mpmath from ``x + i y0``
        (where ``w0`` is the certified float value) to the real axis: Newton
        at ``_MP_DPS + 10`` digits, each step accepted only within ``kappa``
        times the basin radius ``|F_w / F_ww|`` of the new root (the float
        engine's test) and with ``Im G <= 0``; a jump to the axis once the
        predicted change is below a hundredth of the radius.  Returns
        ``(G(x + i0), radius of G)`` or ``(None, 0)``."""
        from .._utils.mpctx import mpmath
        F = self._mp_F()
        with mpmath.workdps(_MP_DPS + 10):
            tol = mpmath.mpf(10) ** (-_MP_DPS)
            xm = mpmath.mpf(x)

            dFa = self._mp_dF()

            def dF(w, z, order):
                """``F_w`` (order 1) or ``F_ww`` (order 2): analytic
                (:meth:`_mp_dF`), else by mpmath's numerical differentiation."""
                if dFa is None:
                    return mpmath.diff(lambda t: F(t, z), w, order)
                return dFa(w, order)

            def newton(w, z):
                dprev = mpmath.inf
                for _ in range(60):
                    Fw = dF(w, z, 1)
                    if Fw == 0:
                        return w, False
                    d = F(w, z) / Fw
                    w -= d
                    # converged, or stalled at the rounding level of F
                    if abs(d) <= tol * abs(w) or (abs(d) >= 0.5 * dprev and abs(d) <= 1e3 * tol * abs(w)):
                        return w, True
                    dprev = abs(d)
                return w, False

            def radius(w, z):
                Fw = dF(w, z, 1)
                Fww = dF(w, z, 2)
                return abs(Fw / Fww) if Fww != 0 else mpmath.inf, Fw

            y = mpmath.mpf(y0)
            z = mpmath.mpc(xm, y)
            w, conv = newton(mpmath.mpc(w0), z)
            if not conv:
                return None, 0.0
            r, Fw = radius(w, z)
            f = mpmath.mpf(4)
            for _ in range(max_steps):
                dwdz = 1 / (z * Fw)  # F_z = -1/z
                if abs(dwdz) * y <= 0.01 * kappa * r:
                    z1 = mpmath.mpc(xm, 0)
                    pred = w - dwdz * 1j * y
                else:
                    z1 = mpmath.mpc(xm, y / f)
                    pred = w + dwdz * (z1 - z)
                w1, conv = newton(pred, z1)
                if conv:
                    r1, Fw1 = radius(w1, z1)
                    g1 = (1 + w1) / z1
                if conv and abs(w1 - pred) <= kappa * r1 and mpmath.im(g1) <= 10 * tol * abs(g1):
                    w, z, r, Fw = w1, z1, r1, Fw1
                    y = mpmath.im(z1)
                    if y == 0:
                        return (1 + w) / z, float(r / abs(z))
                    f = min(f * f, mpmath.mpf(1000))
                else:
                    f = mpmath.sqrt(f)
                    if f < 1 + mpmath.mpf(10) ** -6:
                        break
        return None, 0.0

    def is_real(self, x, G, err, radius):
        return (np.abs(G.imag) <= err + 8 * EPS * np.abs(G)) & (radius > 4 * err)

    def refine(self, x, G, err, radius, dps):
        if not self._mp_form():
            return None
        from .._utils.mpctx import mpmath
        work = dps + 10
        Gmp, Gf, ef, ok = [], np.array(G, complex), np.array(err, float), np.zeros(len(x), bool)
        with mpmath.workdps(work):
            F = self._mp_F()  # evaluates at the precision in effect when called

            tol = mpmath.mpf(10) ** (-(dps + 4))
            # chord iterations w -= F(w)/d1 with a fixed derivative d1: the
            # analytic F_w at the float start when every factor has a symbolic
            # S (the error after one step is ~(1e-12)^2: two evaluations of F
            # per point), else F_w from float64 (relative accuracy ~1e-10:
            # each iteration gains ~10 digits)
            dFa = self._mp_dF()

            def nrm(c):
                return max(abs(c.real), abs(c.imag))

            z_f = np.asarray(x, float).astype(complex)
            u_f = z_f * np.asarray(G, complex)
            with np.errstate(all="ignore"):
                Fw = self.problem._parts(np.log(1j * u_f)[:, None] - 0.5j * np.pi, z_f)[7] / u_f
            branch = self._branch_counts(z_f, u_f)
            F_sep = F
            for k in range(len(x)):
                z = mpmath.mpf(float(x[k]))
                w = z * mpmath.mpc(complex(G[k])) - 1
                F = F_sep if branch[k] is None else self._mp_F_one(branch[k])
                d1 = dFa(w, 1) if dFa is not None else mpmath.mpc(complex(Fw[k]))
                conv = False
                dprev = None
                for _ in range(12):
                    d = F(w, z) / d1
                    w -= d
                    # max-norms (|c| / sqrt 2 <= nrm(c) <= |c|; no square roots)
                    ad = nrm(d)
                    if 2 * ad <= tol * nrm(w):
                        conv = True
                        break
                    if dprev is not None and ad <= 1e-3 * dprev:
                        # contraction ratio rho ~ |d_k|/|d_{k-1}| of the chord
                        # iteration: the remaining error is <= rho |d|/(1 - rho)
                        # (taken 8 times: 4, and 2 for the norms), relative to
                        # both w and 1 + w = z G
                        if 8 * (ad / dprev) * ad <= tol * min(nrm(w), nrm(1 + w)):
                            conv = True
                            break
                    dprev = ad
                g = (1 + w) / z
                good = conv and abs(complex(g) - complex(G[k])) <= max(0.25 * radius[k], 10 * err[k])
                ok[k] = good
                Gmp.append(+g if good else None)
                if good:
                    Gf[k] = complex(g)
                    ef[k] = float(abs(g)) * 10.0 ** (-dps) + EPS * abs(Gf[k].imag)
        return Gmp, Gf, ef, ok

    def singular(self):
        return [0.0]

    def special(self):
        """Support edges and atom locations (the mass quadrature's break points)."""
        return [p for iv in self.support() for p in iv] + [a for a, _ in self.atoms()[1]]

    def limit_points(self):
        """Points where the density is taken as a limit: none besides ``x =
        0`` (:meth:`singular`).  The support edges come from a numerical scan
        (``1e-13`` relative), so a grid point there is an ordinary point whose
        boundary value is computed (and polished) at ``x`` itself; atoms are
        flagged by the density engine."""
        return []

    def exact_moments(self, K):
        """The first ``K`` moments of the product for the contour check, from
        the S-series of the factors in 60-digit mpmath (independent of the
        contour; exact Fractions of float-derived data at depth 500 have
        ~10^5 digits and take minutes, for a check done in float64)."""
        return _product_moments(self.law.factors, self.law.powers, K, numeric_dps=60)

    def atoms(self):
        ex = self.law.atoms()
        return ex, [(float(a), float(m)) for a, m in ex]

    def _positive(self, xs):
        G, err, _, ok, rad = self.values(xs, np.zeros_like(xs))
        self._scan_values = (np.array(xs, float), G, ok)  # the edge solver starts from these
        return ok & ~self.is_real(xs, G, err, rad) & (G.imag < 0)

    def _axis_values(self, xs):
        """``(G, ok)`` on the real axis, reusing the support scan's last
        values where ``xs`` are among its points (one continuation fewer)."""
        sv = getattr(self, "_scan_values", None)
        if sv is not None and sv[0].size:
            order = np.argsort(sv[0])
            xsorted = sv[0][order]
            pos = np.clip(np.searchsorted(xsorted, xs), 0, xsorted.size - 1)
            hit = xsorted[pos] == xs
            if np.all(hit):
                return sv[1][order][pos], sv[2][order][pos]
        G, _, _, ok, _ = self.values(xs, np.zeros_like(xs))
        return G, ok

    def _edges(self, a, b, left_pos):
        """Edge of each bracket from ``d F / d w = 0`` on the real ``w`` axis
        (the inverse map ``x(w) = (1 + w)/(w S(w))`` is stationary at an edge);
        closed-form factors only."""
        if self.law._viac:
            return self._edges_via_cauchy(a, b, left_pos)
        gap_end = np.where(left_pos, b, a)
        G, ok = self._axis_values(gap_end)
        # v = lg(zG) on the gap side: real part free, imaginary part 0 or -pi
        v = _lg((gap_end * G).real.astype(complex))
        for _ in range(60):
            _, _, Fvv, _, _, _, _, Feff, _ = self.problem._parts(v[:, None], gap_end.astype(complex))
            with np.errstate(all="ignore"):
                d = (Feff / Fvv).real
            v = v - d
            if np.all(~np.isfinite(d) | (np.abs(d) <= 1e-15 * np.abs(v))):
                break
        w = np.expm1(v).real
        with np.errstate(all="ignore"):
            # x = (1 + w)/(w S) in logarithmic form: S = prod S_j^{L_j} itself
            # under- or overflows at depth (MP(2)^{⊠2048} has S ~ 2^-2048)
            wc = w.astype(complex)
            lx = np.log1p(wc) - np.log(wc)
            for f in self.law._closed:
                lx = lx - f.L * np.log(f.S(wc))
            xc = np.exp(lx)
            x = np.where(np.abs(xc.imag) <= 1e-8 * np.abs(xc.real), xc.real, np.nan)
        return np.where(ok & np.isfinite(x), x, np.nan)

    def _edges_via_cauchy(self, a, b, left_pos):
        """Edges for products with factors entering through their Cauchy
        transform: on the real axis beside a gap, ``w`` and the subordination
        points ``zeta_j`` are real, and the edge is the stationary point of
        ``x(w)``, i.e. the zero of the total derivative ``F_eff = F_v +
        sum_j F_zeta_j / a_j`` (``zeta_j`` eliminated through ``zeta_j
        G_j(zeta_j) = 1 + w``), which does not depend on ``z``.  Secant
        iterations on ``Re v`` (``Im v`` is 0 or ``-pi`` on the gap side), an
        inner Newton iteration for each ``zeta_j``, and ``x`` from ``F = 0``
        solved for ``z``.  ``nan`` where an iteration fails; the caller keeps
        an edge only when the density changes sign across it."""
        out = np.full(a.size, np.nan)
        gap_end = np.where(left_pos, b, a)
        Y0 = 64.0 * max(self.scale, float(np.max(np.abs(gap_end), initial=0.0)) * 1e-3)
        tr = descend(self.problem, gap_end, np.zeros_like(gap_end), Y0=Y0, xscale=self.scale)
        viac = self.law._viac
        for k in np.nonzero(tr.ok)[0]:
            v0 = tr.U[k, 0]
            vim = -np.pi if v0.imag < -0.5 * np.pi else 0.0
            zetas = [complex(t.real) for t in tr.U[k, 1:]]

            def zeta_of(vr, zetas):
                """Real zeta_j with zeta_j G_j(zeta_j) = exp(v) (Newton)."""
                with np.errstate(all="ignore"):
                    target = np.exp(vr + 1j * vim).real
                if not np.isfinite(target):
                    return None
                new = []
                for f, zt in zip(viac, zetas):
                    for _ in range(60):
                        G, dG = f.eval(np.array([zt]))
                        r = (zt * G[0]).real - target
                        slope = (G[0] + zt * dG[0]).real
                        d = r / slope
                        if not np.isfinite(d):
                            return None
                        zt -= d
                        # converged, or at the rounding level of zeta G (far
                        # from nu's range (zeta G)' ~ -m_1/zeta^2 is small and
                        # the step cannot fall below ~eps |zeta G / slope|)
                        if abs(d) <= 4 * EPS * max(abs(zt), abs(target / slope)):
                            break
                    else:
                        return None
                    new.append(zt)
                return new

            def feff(vr, zetas):
                zs = zeta_of(vr, zetas)
                if zs is None:
                    return np.nan, None
                U = np.array([[vr + 1j * vim] + [complex(t) for t in zs]])
                return float(self.problem._parts(U, np.array([complex(gap_end[k])]))[7][0].real), zs

            x0 = v0.real
            f0, zetas = feff(x0, zetas)
            if zetas is None or not np.isfinite(f0):
                continue
            x1 = x0 + 1e-3 * (1 + abs(x0))
            f1, z1 = feff(x1, zetas)
            if z1 is None:
                continue
            zetas = z1
            for _ in range(60):
                if not (np.isfinite(f1) and f1 != f0):
                    break
                x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
                f2, z2 = feff(x2, zetas)
                if z2 is None:
                    break
                x0, f0, x1, f1, zetas = x1, f1, x2, f2, z2
                if abs(x1 - x0) <= 1e-15 * (1 + abs(x1)):
                    break
            else:
                continue
            if z2 is None or not np.isfinite(f1):
                continue
            # x from F = 0: lg(z w) = v - sum_c L log S_c - sum_j L (v - lg(zeta_j w))
            v = x1 + 1j * vim
            w = np.expm1(v)
            with np.errstate(all="ignore"):
                lzw = v
                for f in self.law._closed:
                    S = f.S(np.array([w]))[0]
                    lzw = lzw - f.L * (v - _lg(np.exp(v) / S))
                for f, zt in zip(viac, zetas):
                    lzw = lzw - f.L * (v - _lg(zt * w))
                x = (np.exp(lzw) / w)
            if np.isfinite(x.real) and abs(x.imag) <= 1e-8 * abs(x.real):
                out[k] = x.real
        return out

    def support(self):
        if self.law._support is None and self.law._purely_atomic():
            # no continuous part (e.g. the depth-2 hard-tanh Jacobian with
            # orthogonal weights, delta_a ⊠ Bernoulli): scanning Im G next to
            # its atoms would cost ~0.5 s of mpmath descents to find nothing
            self.law._support = []
        if self.law._support is None:
            hi = 4.0 * self.scale
            self.law._support = _certify.scan_support(
                self._positive, 0.0, hi, logscan_from=1e-14 * hi, n=400,
                edge_solver=self._edges,
            )
        return list(self.law._support)


class _PushEngine(_MulEngine):
    """``G(z) = G_mu(z/c)/c`` for a product that is the pushforward of one
    factor ``mu`` under ``x -> c x`` (:meth:`FreeMulLaw._find_pushforward`).

    Off the axis ``mu.cauchy`` is used (error ``mu.cauchy_error(zeta)`` when
    the factor has it, else ``64 eps |G|``); on the axis ``mu``'s boundary
    value ``mu.cauchy_boundary(x) -> (G(x + i0), error)``, required: a Cauchy
    transform known only off the axis does not determine the density there.
    There is no equation, so the backward residual is 0 and the basin radius
    infinite; the evidence (mass, contour moments against the exact moments
    of the product, atoms, sign of ``Im G``) is that of any other density.
    """

    def __init__(self, law):
        super().__init__(law)
        self.factor, self.c = law._push
        if not callable(getattr(self.factor, "cauchy_boundary", None)):
            raise TransformUndefinedError(
                f"{law!r} is a rescaled copy (x -> {self.c:g} x) of the factor "
                f"{type(self.factor).__name__}, which enters through its Cauchy transform but has "
                "no cauchy_boundary(x) method: its density on the real axis is not defined by "
                "values off the axis. Give the factor cauchy_boundary(x) -> (G(x + i0), error) "
                "or a closed s_transform(w)."
            )

    def values(self, x, y):
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        c = self.c
        G = np.zeros(x.shape, complex)
        err = np.zeros(x.shape)
        on = y == 0
        if np.any(~on):
            zeta = (x[~on] + 1j * y[~on]) / c
            g = np.asarray(self.factor.cauchy(zeta), complex)
            if callable(getattr(self.factor, "cauchy_error", None)):
                e = np.asarray(self.factor.cauchy_error(zeta), float)
            else:
                e = 64 * EPS * np.abs(g)
            G[~on], err[~on] = g / c, e / c
        if np.any(on):
            g, e = self.factor.cauchy_boundary(x[on] / c)
            with np.errstate(all="ignore"):
                G[on], err[on] = np.asarray(g, complex) / c, np.asarray(e, float) / c
        with np.errstate(all="ignore"):
            ok = np.isfinite(G) & np.isfinite(err) & ((x != 0) | (y != 0))
        return G, err, np.zeros(x.shape), ok, np.full(x.shape, np.inf)

    def refine(self, x, G, err, radius, dps):
        return None

    def support(self):
        if self.law._support is None:
            hi = 4.0 * self.scale
            self.law._support = _certify.scan_support(
                self._positive, 0.0, hi, logscan_from=1e-14 * hi, n=400,
            )
        return list(self.law._support)
