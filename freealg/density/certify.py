"""Evidence for computed densities (private): mass by quadrature with contour
detours, moments by contour integrals, atom masses by residues, support by
scanning.  Engine-agnostic: an engine provides ``values(x, y)`` (the physical
branch at ``x + i y``, ``y >= 0``) and ``is_real(...)``.

Conventions (docs/theory.md §1): ``rho(x) = -Im G(x + i0) / pi``; an atom
at ``a`` has mass ``lim_{eps -> 0} i eps G(a + i eps)``; the moments are
``m_k = (1 / 2 pi i) oint z^k G(z) dz`` over a contour around the support.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .continuation import EPS

__all__ = [
    "mass_quadrature",
    "contour_moments",
    "atom_residue",
    "scan_support",
    "point_density",
]


@functools.lru_cache(maxsize=16)
def _gl(n):
    return np.polynomial.legendre.leggauss(n)


def _graded_breaks(u, v, du, dv):
    """Breakpoints of ``[u, v]`` graded geometrically towards both ends, for an
    integrand with singularities at distance ``du`` before ``u`` and ``dv``
    after ``v``: every piece is about as long as its distance to them."""
    mid = 0.5 * (u + v)
    pts = [u, v]
    h, p = du, u
    while p + h < mid:
        p += h
        pts.append(p)
        h *= 2.0
    h, p = dv, v
    while p - h > mid:
        p -= h
        pts.append(p)
        h *= 2.0
    return np.unique(np.array(pts))


def _panel_nodes(breaks, n):
    t, w = _gl(n)
    a, b = breaks[:-1, None], breaks[1:, None]
    x = 0.5 * (b - a) * t[None, :] + 0.5 * (a + b)
    ww = 0.5 * (b - a) * w[None, :]
    return x.ravel(), ww.ravel()


_PANEL_TOL = 1e-14  # largest difference of the two Gauss rules accepted on one panel (mass units)
_PANEL_ROUNDS = 12  # halvings of the panels where they differ more


def _panel_sums(values, panels, n_hi, n_lo):
    """Per-panel integrals of ``rho = -Im G/pi`` with ``n_hi`` and ``n_lo``
    Gauss-Legendre nodes (one ``values`` call) and the boundary values seen."""
    out = []
    xs = []
    for n in (n_hi, n_lo):
        t, w = _gl(n)
        a, b = panels[:, :1], panels[:, 1:]
        xs.append((0.5 * (b - a) * t[None, :] + 0.5 * (a + b)).ravel())
        out.append((0.5 * (b - a) * w[None, :], n))
    x = np.concatenate(xs)
    G, _ = values(x, np.zeros_like(x))
    rho = -G.imag / np.pi
    k = panels.shape[0] * n_hi
    I_hi = np.sum(rho[:k].reshape(-1, n_hi) * out[0][0], axis=1)
    I_lo = np.sum(rho[k:].reshape(-1, n_lo) * out[1][0], axis=1)
    return I_hi, I_lo, G


def mass_quadrature(values, intervals, atoms, specials=(), *, n_hi=16, n_lo=10):
    """Mass of the absolutely continuous part on ``intervals``.

    Each interval is split at its ``specials`` (endpoints, embedded atoms,
    other singular points).  Around every special point ``c`` a semicircle of
    radius ``delta`` above the axis replaces ``[c - delta, c + delta]``:
    ``mu((c - delta, c + delta)) = Im F / pi`` with ``F = int G dz`` along the
    upper semicircle (by ``G(conj z) = conj G(z)``), minus the atom at ``c``.
    Between the semicircles the density is integrated on the axis with
    Gauss-Legendre rules on a mesh graded towards the semicircles; a panel
    where the ``n_hi`` and ``n_lo`` rules disagree by more than
    ``_PANEL_TOL`` is halved, up to ``_PANEL_ROUNDS`` times (the error
    estimate is the sum of the remaining disagreements).

    Returns ``(mass, error_estimate, G_values_for_sign_check)``.
    """
    atom_locs = np.array([a for a, _ in atoms], float)
    atom_mass = np.array([m for _, m in atoms], float)
    all_points = sorted(
        set([p for iv in intervals for p in iv]) | set(atom_locs.tolist()) | set(specials)
    )
    total = 0.0
    errest = 0.0
    seen = []
    for lo, hi in intervals:
        if not hi > lo:
            continue
        length = hi - lo
        inner = [p for p in all_points if lo < p < hi]
        sp = [lo] + inner + [hi]
        deltas = []
        for k, c in enumerate(sp):
            near = [abs(c - p) for p in all_points if abs(c - p) > 1e-14 * max(1.0, abs(c))]
            d = 0.1 * min(near) if near else 0.1 * length
            deltas.append(min(d, 0.1 * length))
        panels = np.concatenate([
            np.stack([br[:-1], br[1:]], axis=1)
            for br in (_graded_breaks(sp[k] + deltas[k], sp[k + 1] - deltas[k + 1], deltas[k], deltas[k + 1])
                       for k in range(len(sp) - 1))])
        th_hi, wt_hi = _gl(2 * n_hi)
        th_lo, wt_lo = _gl(2 * n_lo)
        arcs = []
        for k, c in enumerate(sp):
            d = deltas[k]
            for th, wt in ((th_hi, wt_hi), (th_lo, wt_lo)):
                theta = 0.5 * np.pi * (th + 1.0)
                arcs.append((c, d, theta, 0.5 * np.pi * wt))
        zx = np.concatenate([c + d * np.cos(t) for c, d, t, _ in arcs])
        zy = np.concatenate([d * np.sin(t) for c, d, t, _ in arcs])
        Garc, _ = values(zx, zy)
        seen.append(Garc)
        # the axis by panels, each with the n_hi and n_lo rules; a panel whose
        # two rules differ by more than _PANEL_TOL is halved (the density is
        # analytic inside a panel but may vary on a scale far below the
        # grading towards the ends: merged bulk pieces, dips next to complex
        # branch points), at most _PANEL_ROUNDS times
        on_hi = panel_err = 0.0
        for rnd in range(_PANEL_ROUNDS + 1):
            I_hi, I_lo, Gax = _panel_sums(values, panels, n_hi, n_lo)
            seen.append(Gax)
            diff = np.abs(I_hi - I_lo)
            bad = (diff > _PANEL_TOL) if rnd < _PANEL_ROUNDS else np.zeros(diff.size, bool)
            on_hi += float(np.sum(I_hi[~bad]))
            panel_err += float(np.sum(diff[~bad]))
            if not bad.any():
                break
            a, b = panels[bad, 0], panels[bad, 1]
            m = 0.5 * (a + b)
            panels = np.concatenate([np.stack([a, m], axis=1), np.stack([m, b], axis=1)])
        # arcs
        off = 0
        arc_vals = []
        for c, d, theta, wt in arcs:
            g = Garc[off: off + theta.size]
            off += theta.size
            F = np.sum(wt * g * 1j * d * np.exp(1j * theta))
            arc_vals.append(F.imag / np.pi)
        arc_hi = arc_vals[0::2]
        arc_lo = arc_vals[1::2]
        atom_here = 0.0
        for c in sp:
            hit = np.abs(atom_locs - c) <= 1e-12 * max(1.0, abs(c))
            atom_here += float(atom_mass[hit].sum())
        total += on_hi + sum(arc_hi) - atom_here
        errest += panel_err + sum(abs(a - b) for a, b in zip(arc_hi, arc_lo))
    return total, errest, seen


def contour_moments(values, lo, hi, K, *, N=256):
    """``m_0..m_K`` from ``(1/2 pi i) oint z^k G dz`` on a circle around
    ``[lo, hi]`` (trapezoid rule, ``N`` nodes, upper half evaluated).

    Returns ``(moments, rounding_bounds, G_values)``.
    """
    c = 0.5 * (lo + hi)
    half = 0.5 * (hi - lo)
    r = 1.2 * half if half > 0 else 0.5 * max(abs(c), 1.0)
    r = max(r, 1e-3 * max(abs(lo), abs(hi)))
    theta = 2 * np.pi * (np.arange(N // 2) + 0.5) / N
    zz = c + r * np.exp(1j * theta)
    G, err = values(zz.real, zz.imag)
    fac = 2.0 * r / N * np.exp(1j * theta)
    mom, bnd = [], []
    zk = np.ones_like(zz)
    for _ in range(K + 1):
        term = zk * G * fac
        mom.append(float(np.sum(term).real))
        bnd.append(float(np.sum(np.abs(zk * fac) * (np.abs(G) * 8 * EPS * (K + 4) + err))))
        zk = zk * zz
    return mom, bnd, G


def atom_residue(values, a, s):
    """Residue ``lim i eps G(a + i eps)``, Aitken-extrapolated from the last
    three points reached of ``eps = s 10^-4, s 10^-6, ..., s 10^-40`` and, if
    that is not conclusive (uncertainty > 1e-6), of ``s 10^-60, ..., s 10^-240`` (geometric
    sequences, so a remainder ``C eps^beta`` is removed exactly).

    ``values(x, y)`` returns ``(G, err, ok)``.  Returns
    ``(estimate, uncertainty)``; the uncertainty is infinite when fewer than
    three points could be computed.
    """
    def aitken(r0, r1, r2):
        d1, d2 = r1 - r0, r2 - r1
        den = d2 - d1
        if abs(d2) <= 1e-15 * max(1.0, abs(r2)) or den == 0:
            return r2
        return r2 - d2 * d2 / den

    best = None
    seqs = (
        s * 10.0 ** (-2.0 * np.arange(2, 9)),
        s * 10.0 ** (-2.0 * np.arange(2, 21)),
        s * 10.0 ** (-60.0 - 20.0 * np.arange(10)),
    )
    cache = {}
    failed_at = 0.0  # largest eps whose continuation failed
    for eps in seqs:
        # the walk to a smaller eps passes the height where one failed (and
        # only the prefix before a failure enters the extrapolation): those
        # points are not computed (each failure costs a full descent)
        for e in eps:
            if e not in cache and e < failed_at:
                cache[e] = (complex("nan"), float("inf"), False)
        todo = np.array([e for e in eps if e not in cache])
        if todo.size:
            Gt, et, okt = values(np.full(todo.size, float(a)), todo)
            for e, g, er, o in zip(todo, Gt, et, okt):
                cache[e] = (g, er, o)
                if not o:
                    failed_at = max(failed_at, float(e))
        G = np.array([cache[e][0] for e in eps])
        gerr = np.array([cache[e][1] for e in eps])
        ok = np.array([cache[e][2] for e in eps])
        r = (1j * eps * G).real
        good = ok & np.isfinite(r)
        n = int(np.argmin(good)) if not good.all() else good.size
        if n >= 3:
            A = [aitken(*r[k: k + 3]) for k in range(n - 2)]
            with np.errstate(all="ignore"):
                q = np.diff(r[:n])[1:] / np.diff(r[:n])[:-1]  # q[k]: ratio of triple k
            for k in range(len(A)):
                # conservative: the change of the extrapolant, a tenth of the
                # distance it extrapolates (large when the convergence is
                # slow), and the values' own error bounds (times 10: Aitken
                # amplifies them); the best consecutive triple is kept
                change = abs(A[k] - A[k - 1]) if k else abs(A[k] - r[k + 2])
                valerr = 10 * float(np.max(eps[k: k + 3] * gerr[k: k + 3]))
                unc = max(change, 0.1 * abs(A[k] - r[k + 2]), valerr, 4 * EPS * max(1.0, abs(A[k])))
                # Aitken is exact for a remainder C eps^beta, i.e. a constant
                # ratio of consecutive differences.  Where the ratio drifts
                # (a remainder like 1/log(1/eps): the density of a deep
                # product near its atom at 0) the extrapolant is biased by up
                # to the whole distance it extrapolates; the uncertainty says so
                # (the tail d q/(1 - q) moves by d dq/(1 - q)^2: the drift
                # must be small against 1 - q)
                consistent = k > 0 and np.isfinite(q[k]) and np.isfinite(q[k - 1]) and (
                    abs(q[k] - q[k - 1]) <= 0.02 * max(1.0 - abs(q[k]), 0.0))
                if not consistent:
                    unc = max(unc, abs(A[k] - r[k + 2]))
                if best is None or unc < best[1]:
                    best = (float(A[k]), float(unc))
        if best is not None and best[1] <= 1e-6:
            break
    if best is None:
        return float("nan"), float("inf")
    return best


def _aitken_limit(v, ev):
    """Limit of the sequence ``v`` (geometric offsets) by Aitken's process on
    its last three values, with an uncertainty: the change from the previous
    triple's extrapolant when the ratio of consecutive differences is
    constant (the model ``v = lim + C d^beta`` holds, as at a square-root
    edge), else a tenth of the extrapolated distance."""
    def aitken(r0, r1, r2):
        d1, d2 = r1 - r0, r2 - r1
        den = d2 - d1
        return r2 if den == 0 else r2 - d2 * d2 / den

    r0, r1, r2 = v[-3:]
    d1, d2 = r1 - r0, r2 - r1
    floor = 10 * ev[-1]
    if abs(d2) <= ev[-1]:
        return r2, max(abs(d2), floor)
    lim = aitken(r0, r1, r2)
    unc = max(0.1 * abs(lim - r2) + 0.01 * abs(d2), floor)
    if v.size >= 4 and d1 != 0 and v[-3] != v[-4]:
        q1 = d2 / d1
        q0 = d1 / (v[-3] - v[-4])
        if abs(q1 - q0) <= 0.02 * max(1.0 - abs(q1), 0.0):
            prev = aitken(*v[-4:-1])
            unc = max(abs(lim - prev), floor)
    if abs(lim) <= unc:
        lim = 0.0  # a limit indistinguishable from 0 (a soft edge) is 0
    return lim, unc


def point_density(values, a, mass, s, *, kmax=7):
    """Density of the continuous part at a special point ``a`` (a zero of the
    leading coefficient, a hard edge, a support edge given exactly), as the
    limit of the boundary density ``rho(a +- delta)`` for ``delta = s 10^-4,
    ..., s 10^-14`` on each side (boundary values on the real axis contain no
    pole term, so nothing cancels).  ``s`` must be the *local* scale: below
    the distance to the nearest other special point (the caller's business;
    with the global scale the samples of an edge at ``2.5e-9`` straddle the
    singular point 0 and the "limit" is garbage).

    A side whose values keep growing (by >= 1.5 per step) diverges: the
    value is ``inf`` (the project's convention at a hard edge).  Otherwise the
    Aitken extrapolation of the last three values of a side is its limit
    (``0`` at a square-root edge).  The value is the limit from inside the
    support: the one side with a positive limit when the other is a gap (a
    jump edge), their mean when both are inside (the two agree where the
    density is continuous; their half-difference is added to the
    uncertainty otherwise).

    Returns ``(value, uncertainty, |G|)`` with ``|G|`` the modulus of the
    boundary value at the closest sample (the scale of the rounding floor);
    ``(nan, inf, nan)`` when the walks failed.
    """
    del mass  # the boundary density on the axis excludes the atom itself
    # offsets: powers of two in ratio 128 (about 10^-2.1), from ~1e-4 s down to
    # ~10^(-2 kmax) s, so that a +- d is exact in binary (a decimal offset
    # rounds, by 1% at 1e-14 of a, which breaks the geometric extrapolation)
    # (where the doubles near a are too coarse for that range, from ~1e-2 s
    # with a smaller power-of-two ratio, at least 4, over at least 5 offsets)
    top = 2.0 ** math.floor(math.log2(s * 1e-4))
    d = top * 128.0 ** -np.arange(0, kmax - 1)
    if a != 0:
        low = 4 * np.spacing(abs(a))
        d = d[d >= low]
        if d.size < 5:
            top = 2.0 ** math.floor(math.log2(s * 1e-2))
            ratio = 2.0 ** min(7, math.floor(math.log2(max(top / low, 1.0)) / 4))
            if ratio < 4:
                return float("nan"), float("inf"), float("nan")
            d = top * ratio ** -np.arange(0, 5)
    xs = np.concatenate([a + d, a - d])
    G, err, ok = values(xs, np.zeros_like(xs))
    lims, uncs, gaps, gabs = [], [], [], []
    for side in (slice(0, d.size), slice(d.size, 2 * d.size)):
        g, e, o = G[side], err[side], ok[side]
        with np.errstate(invalid="ignore"):
            v0, e0 = -g.imag / np.pi, e / np.pi
            # usable samples: computed, and zero within their error, or known
            # to 1% or to 1e-12 |G| (closer in, a factor's own boundary values
            # may lose their digits; those samples would fake a limit)
            o = o & np.isfinite(v0) & ((np.abs(v0) <= e0) | (e0 <= 1e-2 * np.abs(v0))
                                       | (e0 <= 1e-12 * np.abs(g) / np.pi))
        n = int(np.argmin(o)) if not o.all() else o.size
        if n < 3:
            # this side cannot be evaluated (e.g. beyond the range of a
            # factor's quadrature): the limit is the other side's alone
            lims.append(None)
            uncs.append(None)
            gaps.append(None)
            continue
        gabs.append(float(np.abs(g[n - 1])))
        ev = e[:n] / np.pi
        v = -g[:n].imag / np.pi
        v = np.where(np.abs(v) <= ev, 0.0, v)  # zero within its error: real boundary value
        if np.all(v[1:] >= 1.5 * v[:-1]) and v[0] > 0:
            # growing by >= 1.5 per step, every sample to 1%: a divergence
            return float("inf"), 0.0, max(gabs)
        if np.all(v == 0):
            # a gap on this side: zero, certified by the most accurate point
            lims.append(0.0)
            uncs.append(float(10 * np.min(ev)))
            gaps.append(True)
            continue
        lim, unc = _aitken_limit(v, ev)
        lims.append(lim)
        uncs.append(unc)
        gaps.append(False)
    if not gabs:
        return float("nan"), float("inf"), float("nan")
    gref = max(gabs)
    if None in lims:
        j = 1 - lims.index(None)
        return float(lims[j]), float(uncs[j]), gref
    if gaps[0] and not gaps[1]:
        return float(lims[1]), float(uncs[1]), gref
    if gaps[1] and not gaps[0]:
        return float(lims[0]), float(uncs[0]), gref
    val = 0.5 * (lims[0] + lims[1])
    return float(val), float(max(uncs) + 0.5 * abs(lims[0] - lims[1])), gref


def scan_support(density_at, lo, hi, *, logscan_from=None, n=400, rel=1e-13, edge_solver=None):
    """Support intervals in ``[lo, hi]`` from the sign of the density on a
    scan grid, refined by bisection to relative accuracy ``rel``.

    ``density_at(x)`` returns a boolean array ``rho(x) > 0`` (certified: a
    boundary value that is not real).  ``edge_solver(a, b, left_pos)``, if
    given, returns edge estimates for the brackets ``[a, b]`` (``nan`` where it
    has none); an estimate is kept when the density changes sign across it,
    checked at ``edge -+ d`` for ``d = 1e-9 |edge|`` and, where a float64
    walk cannot yet certify the density that close to a square-root edge
    (it vanishes like ``sqrt(d)`` there), at ``d = 1e-8 ... 1e-6 |edge|``.
    """
    grid = np.linspace(lo, hi, n)
    if logscan_from is not None:
        grid = np.union1d(grid, np.geomspace(logscan_from, hi, n // 2))
    grid = grid[(grid > lo) | (lo != 0)]
    pos = density_at(grid)
    a = grid[:-1][pos[:-1] != pos[1:]]
    b = grid[1:][pos[:-1] != pos[1:]]
    left_pos = pos[:-1][pos[:-1] != pos[1:]]
    done = np.zeros(a.size, bool)
    if edge_solver is not None and a.size:
        e = np.asarray(edge_solver(a, b, left_pos), float)
        okk = np.isfinite(e) & (e > a) & (e < b)
        good = np.zeros(a.size, bool)
        for rd in (1e-9, 1e-8, 1e-7, 1e-6):
            chk = okk & ~good
            if not chk.any():
                break
            d = rd * np.abs(e[chk])
            # both sides in one evaluation (one continuation instead of two)
            m = int(np.sum(chk))
            both = density_at(np.concatenate([e[chk] - d, e[chk] + d]))
            pl, pr = both[:m], both[m:]
            good[chk] = (pl == left_pos[chk]) & (pr != left_pos[chk])
        if good.any():
            a = np.where(good, e, a)
            b = np.where(good, e, b)
            done = good
    a, b = refine_brackets(density_at, a, b, left_pos, tol=8 * rel, done=done)
    start = grid[0] if pos[0] else None
    if pos[0] and logscan_from is not None:
        start = lo
    return bulk_intervals(0.5 * (a + b), left_pos, start, float(grid[-1]))


def refine_brackets(density_at, a, b, left_pos, *, tol, rounds=40, done=None):
    """Shrink sign-change brackets ``[a, b]`` of the density by
    ``(K + 1)``-section (``K = 63``: one evaluation round shrinks every
    bracket 64-fold) until ``b - a <= tol max(|a|, |b|)``.

    ``density_at(x)`` returns the boolean array ``rho(x) > 0``;
    ``left_pos[k]`` is its value at ``a[k]``; brackets flagged in ``done`` are
    left alone.  All open brackets are evaluated together (one call per
    round, at most ``rounds``).  Returns the new ``(a, b)`` (float arrays).
    """
    a = np.array(a, float)
    b = np.array(b, float)
    done = np.zeros(a.size, bool) if done is None else done
    K = 63
    frac = np.arange(1, K + 1) / (K + 1)
    for _ in range(rounds):
        todo = ~done & (b - a > tol * np.maximum(np.abs(a), np.abs(b)))
        if not todo.any():
            break
        at, bt, lt = a[todo], b[todo], left_pos[todo]
        pts = at[:, None] + (bt - at)[:, None] * frac[None, :]
        pm = density_at(pts.ravel()).reshape(pts.shape)
        # first interior point whose sign differs from the left end
        diff = pm != lt[:, None]
        j = np.where(diff.any(axis=1), np.argmax(diff, axis=1), K)
        lo_pts = np.concatenate([at[:, None], pts], axis=1)
        hi_pts = np.concatenate([pts, bt[:, None]], axis=1)
        a[todo] = lo_pts[np.arange(at.size), j]
        b[todo] = hi_pts[np.arange(at.size), j]
    return a, b


def bulk_intervals(edges, left_pos, start, end):
    """Support intervals from the sorted sign-change ``edges`` of the density
    (``left_pos``: positive on the left of the edge): an interval opens at an
    edge with the density positive on its right and closes at the next one.
    ``start`` is the left end of an interval open at the scan's start
    (``None`` if the density is 0 there); an interval still open at the end
    closes at ``end``.  Returns a list of float pairs."""
    out = []
    for e, lp in zip(edges, left_pos):
        if not lp:
            start = e
        else:
            out.append((start, e))
            start = None
    if start is not None:
        out.append((start, end))
    return [(float(u), float(v)) for u, v in out]
