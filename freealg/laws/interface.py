r"""One law interface (private; mixed into every law class).

Every law of freealg — the named laws, spectral curves, ⊠-products
(:class:`freealg.functional.FreeMulLaw`), Jacobian and Fisher laws — offers
the scipy.stats-style methods of :class:`LawMethods` on top of its own
``density``, ``cauchy``, ``support``, ``atoms`` and ``moments``:

* ``pdf(x)``: the density of the absolutely continuous part as a float
  ndarray (a float for a scalar ``x``), certified where the law's density is
  (a failed check raises :class:`freealg.errors.CertificationError`);
* ``cdf(x)``: ``μ((−∞, x])``, continuous part plus atoms (right-continuous);
* ``quantile(p)``: ``inf{x : cdf(x) ≥ p}``;
* ``sample(n, rng)``: draws by inverse-CDF sampling of the limit law;
* ``var()``: the variance (alias of ``variance()`` where the law has it).

``density(x, ..., cache_dir=path)`` keeps the result on disk, keyed by the
law's exact parameters, the points, the arguments and the package version
(the cache of the verification sweeps, :mod:`freealg._utils.progress`): a
second call with the same key reads it back instead of recomputing.

One return type per method on every law: ``density(x)`` is a
:class:`~freealg.density.DensityResult` (closed forms carry evidence too:
their formula checked against ``−Im G(x + i0)/π``); ``pdf(x)`` its values;
``support()`` a list of ``(a, b)``, ``atoms()`` a list of
``(location, mass)``, ``moments(n)`` a list of ``n`` numbers.  Numbers come
in the kind the law determines them in: exact (sympy, ``Fraction``, ``int``)
when known in closed form from exact parameters, Python floats when located
numerically or for a float law, mpmath numbers for quadrature moments
(docs/density.md, "One law interface").

How the CDF is computed (docs/density.md, "CDF and quantiles").  With
``ρ(x) = −Im G(x + i0)/π`` and the support intervals ``[a, b]``, the mass of
``[a, x]`` is integrated on the axis with Gauss–Legendre panels graded
towards the edges, except in a neighbourhood ``(a − r, a + r)`` of each edge,
whose mass comes from the Cauchy transform on the upper semicircle
``z = a + r e^{iθ}``:

    μ((a − r, a + r)) = (1/π) Im ∫_{semicircle} G(z) dz

(for ``t`` inside the disc the integral of ``1/(z − t)`` has imaginary part
``π``, outside ``0``).  A hard edge, where ``ρ`` diverges like a power (the
edge at 0 of ``MP^{⊠L}`` behaves like ``x^{−L/(L+1)}``), is never sampled on
the axis.  Each integral is done with two rules (16 and 10 points per panel);
their difference is the reported error, and a CDF whose error exceeds
``tol`` raises :class:`freealg.errors.CertificationError`.
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_finite_array, check_int, check_real
from ..errors import CertificationError, FreealgError, InvalidArgumentError, InvalidArgumentTypeError
from .frozen import Immutable

__all__ = ["LawMethods"]

_N_HI, _N_LO = 16, 10  # Gauss-Legendre points per axis panel (two rules)
_CDF_TOL = 1e-9  # default bound on the estimated absolute error of cdf values
_EXACT_SAMPLE = 4096  # up to this many draws, each is an exact quantile
_DENSITY_STAGES = 6  # stages of a certified density reported to its progress bar (_result)


def _as_float(v):
    return float(v)


class _Plan:
    """Structure of a law used by the CDF: merged support intervals, atoms and
    the radius of the semicircle around every edge."""

    def __init__(self, law):
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


# the exact parameters of the network and product laws, for cache keys
# (named laws, curves, activations and networks have an exact ``_key()``)
_CACHE_FIELDS = {
    "JacobianLaw": ("net", "q_in", "convention", "dps"),
    "FisherLaw": ("net", "q_in", "dps"),
    "FreeMulLaw": ("factors", "powers"),
    "ConjugateKernelLaw": ("gammas", "bs", "mu0", "scale"),
    "DepthLimitLaw": ("v", "jumps", "mean_value"),
}


def _identity(v):
    """Exact text that identifies a law or a parameter (a cache key): floats
    by their hex digits, exact numbers by their exact text, laws by their
    exact parameters.  Raises :class:`InvalidArgumentError` for an object with
    no exact identity (nothing is cached then)."""
    import hashlib
    from fractions import Fraction

    import sympy

    if v is None or isinstance(v, (bool, str)):
        return repr(v)
    if isinstance(v, (int, np.integer)):
        return f"int:{int(v)}"
    if isinstance(v, (float, np.floating)):
        return f"float:{float(v).hex()}"
    if isinstance(v, (complex, np.complexfloating)):
        return f"complex:{complex(v).real.hex()},{complex(v).imag.hex()}"
    if isinstance(v, Fraction):
        return f"Fraction:{v}"
    if isinstance(v, sympy.Basic):
        return "sympy:" + sympy.srepr(v)
    if isinstance(v, np.ndarray):
        if v.dtype == object:
            return f"array{v.shape}:" + _identity(v.ravel().tolist())
        return f"array:{v.dtype.str}{v.shape}:" + hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_identity(u) for u in v) + "]"
    if type(v).__module__.startswith("mpmath"):
        return "mpmath:" + repr(v)
    key = getattr(v, "_key", None)
    if callable(key):
        return f"{type(v).__qualname__}:" + _identity(key())
    fields = _CACHE_FIELDS.get(type(v).__name__)
    if fields is not None:
        return (f"{type(v).__qualname__}(" + ",".join(f"{f}={_identity(getattr(v, f))}" for f in fields)
                + ")")
    raise InvalidArgumentError(
        f"cache_dir: {type(v).__name__} has no exact identity to key a cache on (the cache is keyed "
        "by the exact parameters); compute without cache_dir")


def _cached_density(method):
    """``density`` with the optional ``cache_dir=`` of every law: the result
    is kept on disk by :func:`freealg._utils.progress.cached_call` (the cache
    of the verification sweeps), keyed by the law's class and exact
    parameters, the points, the other arguments and the package version."""
    import functools

    @functools.wraps(method)
    def density(self, x, *args, cache_dir=None, progress=None, **kwargs):
        from .._utils.progress import cached_call, check_cache_dir, check_progress, progress_scope

        fn = density.__wrapped__
        check_progress(progress)

        def compute():
            # a bar over the stages of the certified density, shown when the
            # call lasts more than 2 s (in a terminal, or with progress=True)
            with progress_scope(_DENSITY_STAGES, f"{type(self).__name__}.density", progress):
                return fn(self, x, *args, **kwargs)

        if cache_dir is None:
            return compute()
        check_cache_dir(cache_dir)
        task = (type(self).__qualname__, _identity(self), _identity(np.asarray(x)), _identity(list(args)),
                _identity(sorted(kwargs.items())))
        return cached_call(method, task, cache_dir, compute=compute)

    density._cache_wrapped = True
    return density


class LawMethods(Immutable):
    """scipy.stats-style methods shared by every law (see the module
    docstring of :mod:`freealg.laws.interface` and docs/density.md)."""

    def __init_subclass__(cls, **kwargs):
        # every law's density takes cache_dir= (one cache implementation)
        super().__init_subclass__(**kwargs)
        dens = getattr(cls, "density", None)
        if callable(dens) and not getattr(dens, "_cache_wrapped", False):
            cls.density = _cached_density(dens)

    # ------------------------------------------------------------------ pdf
    def pdf(self, x):
        r"""Density of the absolutely continuous part at ``x``, as floats.

        The values of :meth:`density` (certified where the law's density is
        certified: a failed check raises
        :class:`~freealg.errors.CertificationError`) in the project's
        convention: ``0`` outside the support, ``+inf`` at a divergent hard
        edge, ``nan`` exactly at an atom location (see :meth:`atoms`).

        Parameters
        ----------
        x : float or array_like of float
            Real points.

        Returns
        -------
        float or ndarray of float
            A float for a scalar ``x``.

        Raises
        ------
        InvalidArgumentError
            If ``x`` holds NaN or infinities.
        InvalidArgumentTypeError
            If ``x`` is not numeric (text, ``bool``, a ragged or complex
            array).
        CertificationError
            If the density fails its checks.

        Examples
        --------
        The semicircle law of variance 1 has density ``√(4 − x²)/(2π)``,
        ``1/π`` at 0:

        >>> import freealg
        >>> round(freealg.Semicircle(0, 1).pdf(0.0) * 3.141592653589793, 12)
        1.0
        """
        arr = check_finite_array(x, "x")
        vals = _pdf_values(self, arr.ravel()).reshape(arr.shape)
        return float(vals) if arr.ndim == 0 else vals

    # ------------------------------------------------------------------ cdf
    def cdf(self, x, *, tol=_CDF_TOL, return_error=False):
        r"""``F(x) = μ((−∞, x])``: the continuous part plus every atom at or
        left of ``x`` (right-continuous).

        The continuous mass is integrated on the axis away from the support
        edges (a point within ``1e-12`` relative of a numerically computed
        edge is taken at the edge) and by the Cauchy transform on a semicircle around each edge
        (module docstring of :mod:`freealg.laws.interface`; docs/density.md), with
        two quadrature rules whose difference is the error estimate.

        Parameters
        ----------
        x : float or array_like of float
            Real points.
        tol : float, optional
            Largest accepted error estimate (absolute, default ``1e-9``).
        return_error : bool, optional
            Also return the error estimates.

        Returns
        -------
        float or ndarray of float
            (and the error estimates when ``return_error``).

        Raises
        ------
        InvalidArgumentError
            If ``x`` holds NaN or infinities, or ``tol`` is not positive.
        InvalidArgumentTypeError
            If ``x`` or ``tol`` is not numeric, or ``return_error`` is not a
            bool.
        CertificationError
            If an error estimate exceeds ``tol``, or the law's density or
            Cauchy transform fails.

        Examples
        --------
        The semicircle is symmetric, so ``F(0) = 1/2``; a Bernoulli law has
        ``F = 1 − p`` between its atoms:

        >>> import freealg
        >>> round(freealg.Semicircle(0, 1).cdf(0.0), 12)
        0.5
        >>> freealg.Bernoulli(0.25).cdf([-1.0, 0.5, 1.0]).tolist()
        [0.0, 0.75, 1.0]
        """
        tol = float(check_real(tol, "tol", positive=True))
        if not isinstance(return_error, (bool, np.bool_)):
            raise InvalidArgumentTypeError(
                f"return_error must be True or False; got {return_error!r:.60} of type "
                f"{type(return_error).__name__}")
        arr = check_finite_array(x, "x")
        flat = arr.ravel()
        F, err = self._cdf_flat(flat)
        bad = err > tol
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise CertificationError(
                f"cdf at x = {flat[k]!r}: quadrature error estimate {err[k]:.2e} exceeds "
                f"tol = {tol:g} ({int(bad.sum())} of {flat.size} points); pass a larger tol "
                "or evaluate farther from the support edges and atoms"
            )
        F = F.reshape(arr.shape)
        err = err.reshape(arr.shape)
        if arr.ndim == 0:
            F, err = float(F), float(err)
        return (F, err) if return_error else F

    def _cdf_flat(self, xs, with_pdf=False):
        plan = _plan(self)
        job = _CdfJob()
        F = np.zeros(xs.size)
        err = np.zeros(xs.size)
        # atoms at or left of x
        if plan.atom_loc.size:
            F += (plan.atom_mass[None, :] * (plan.atom_loc[None, :] <= xs[:, None])).sum(axis=1)
        finishers = []
        for iv in plan.intervals:
            a, b = iv
            # the support edges are numerical (~1e-13 relative): a query within
            # 1e-12 relative of one is taken at the edge (an edge at 0 is exact)
            sa, sb = 1e-12 * abs(a), 1e-12 * abs(b)
            inside = (xs > a + sa) & (xs < b - sb)
            order = np.argsort(xs[inside])
            qs = xs[inside][order]
            finishers.append((iv, inside, order, _interval_cdf(job, plan, iv, qs)))
        job.run(self, xs if with_pdf else None)
        for (a, b), inside, order, fin in finishers:
            m, e, total, total_err = fin(job)
            right = xs >= b - sb
            F[right] += total
            err[right] += total_err
            idx = np.flatnonzero(inside)[order]
            F[idx] += m
            err[idx] += e
        return (F, err, job.extra) if with_pdf else (F, err)

    # ------------------------------------------------------------- quantile
    def quantile(self, p, *, tol=_CDF_TOL):
        r"""``Q(p) = inf{x : F(x) ≥ p}`` (the generalised inverse of :meth:`cdf`).

        An atom at ``a`` is the quantile of every ``p`` in
        ``[F(a−), F(a)]``.  Inside the support the root of ``F(x) = p`` is
        found by Newton's method on ``F`` (with ``F' = ρ``) safeguarded by a
        bracket from a table of :meth:`cdf`, to ``1e-12`` relative.

        Parameters
        ----------
        p : float or array_like of float in [0, 1]
            Probabilities.
        tol : float, optional
            Passed to :meth:`cdf`.

        Returns
        -------
        float or ndarray of float
            A float for a scalar ``p``.

        Raises
        ------
        InvalidArgumentError
            If some ``p`` is outside ``[0, 1]`` or not finite, ``tol`` is not
            positive, or the law has neither support nor atoms.
        InvalidArgumentTypeError
            If ``p`` or ``tol`` is not numeric.
        CertificationError
            If the CDF table behind the quantiles fails (see :meth:`cdf`).

        Examples
        --------
        The median of a symmetric law is its centre; the 0.5-quantile of
        Bernoulli(1/4) is its atom at 0:

        >>> import freealg
        >>> abs(freealg.Semicircle(0, 1).quantile(0.5)) < 1e-12
        True
        >>> freealg.Bernoulli(0.25).quantile([0.5, 0.9]).tolist()
        [0.0, 1.0]
        """
        tol = float(check_real(tol, "tol", positive=True))
        arr = check_finite_array(p, "p")
        if np.any((arr < 0) | (arr > 1)):
            bad = arr.ravel()[(arr.ravel() < 0) | (arr.ravel() > 1)][0]
            raise InvalidArgumentError(f"p must lie in [0, 1]; got {bad!r}")
        out = self._quantile_flat(arr.ravel(), tol).reshape(arr.shape)
        return float(out) if arr.ndim == 0 else out

    def _quantile_table(self, tol):
        plan = _plan(self)
        pts = set(plan.atom_loc.tolist())
        for a, b in plan.intervals:
            ra, rb = plan.radius[a], plan.radius[b]
            pts.update(np.linspace(a, b, 65).tolist())
            pts.update((a + ra * np.geomspace(1e-6, 1.0, 13)).tolist())
            pts.update((b - rb * np.geomspace(1e-6, 1.0, 13)).tolist())
        xs = np.array(sorted(pts))
        key = ("quantile_table", tol)
        if key not in plan.tables:
            plan.tables[key] = self.cdf(xs, tol=tol)
        return plan, xs, plan.tables[key]

    def _quantile_flat(self, ps, tol):
        plan, xs, Fs = self._quantile_table(tol)
        if xs.size == 0:
            raise InvalidArgumentError(f"{self!r} has neither support nor atoms")
        out = np.empty(ps.size)
        # left limits F(x-) at the table points (atoms at them removed)
        atom_at = np.array([plan.atom_mass[plan.atom_loc == t].sum() for t in xs])
        Fleft = Fs - atom_at
        # Q(p) = smallest table point with F >= p, unless p is reached inside
        # the continuous part before it
        k = np.searchsorted(Fs, ps - 1e-15, side="left")
        k = np.minimum(k, xs.size - 1)
        at_point = (k == 0) | (ps >= Fleft[k] - 1e-15)
        out[at_point] = xs[k[at_point]]
        todo = np.flatnonzero(~at_point)
        if todo.size:
            lo = xs[k[todo] - 1].copy()
            hi = xs[k[todo]].copy()
            Flo = Fs[k[todo] - 1].copy()
            Fhi = Fleft[k[todo]].copy()
            target = ps[todo]
            x = lo + (hi - lo) * np.clip((target - Flo) / np.where(Fhi > Flo, Fhi - Flo, 1.0), 0, 1)
            for _ in range(60):
                F, _, rho = self._cdf_flat(x, with_pdf=True)
                below = F < target
                lo = np.where(below, x, lo)
                hi = np.where(below, hi, x)
                with np.errstate(all="ignore"):
                    xn = x - (F - target) / rho
                ok = np.isfinite(xn) & (xn > lo) & (xn < hi)
                xn = np.where(ok, xn, 0.5 * (lo + hi))
                done = np.abs(xn - x) <= 1e-12 * np.maximum(np.abs(x), 1e-300) + 1e-300
                x = xn
                if np.all(done | (hi - lo <= 4e-16 * np.maximum(np.abs(hi), 1e-300))):
                    break
            out[todo] = x
        return out

    # --------------------------------------------------------------- sample
    def sample(self, n, rng=None):
        r"""``n`` independent draws from the law by inverse-CDF sampling.

        Up to 4096 draws each draw is the exact :meth:`quantile` of a
        uniform variable.  Beyond that ``x`` is interpolated linearly in a
        table of certified CDF values ``(x_i, F(x_i))`` whose cells each carry
        mass at most ``1/4096`` (float64; built once per law); each draw
        then stays in its exact cell, so the law of the sample is within
        ``1/4096`` of this law in Kolmogorov distance (far below the
        sampling error ``~1/√n`` of such a sample).

        Parameters
        ----------
        n : int >= 0
            Number of draws (at most ``10**8``).
        rng : numpy.random.Generator, int or None
            A generator, or a non-negative seed for
            :func:`numpy.random.default_rng` (``None``: fresh entropy).

        Returns
        -------
        ndarray of float, shape (n,)

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer, or ``rng`` is neither a
            ``numpy.random.Generator``, an int nor ``None``.
        InvalidArgumentError
            If ``n`` or the seed ``rng`` is negative.
        TooLargeError
            If ``n > 10**8`` (raised before any draw).
        CertificationError
            If the quantiles behind the draws fail their checks (see
            :meth:`cdf`).

        Examples
        --------
        >>> import freealg
        >>> s = freealg.Bernoulli(0.25).sample(1000, rng=0)
        >>> sorted(set(s.tolist()))
        [0.0, 1.0]
        """
        n = check_int(n, "n", minimum=0, maximum=10**8)
        if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
            rng = np.random.default_rng(None if rng is None else check_int(rng, "rng", minimum=0))
        elif not isinstance(rng, np.random.Generator):
            raise InvalidArgumentTypeError(
                f"rng must be a numpy.random.Generator, an int seed or None; got {type(rng).__name__}"
            )
        u = rng.random(n)
        if n <= _EXACT_SAMPLE:
            return self.quantile(u) if n else np.zeros(0)
        Fp, xp = self._sample_table(_CDF_TOL)
        return np.interp(u, Fp, xp)

    def _sample_table(self, tol):
        """A table ``(F_i, x_i)`` of certified CDF values (:meth:`cdf`, error
        ``<= tol``) whose cells each carry mass ``<= 1/4096``: the quantile
        table of :meth:`quantile` refined by splitting every heavier cell
        (one vectorised ``cdf`` call per round).  An atom ``a`` appears twice,
        ``(F(a−), a)`` and ``(F(a), a)``, so that interpolating ``x`` in ``F``
        sends the whole jump to ``a``.  Kept with the law's CDF plan."""
        plan, xs, Fs = self._quantile_table(tol)
        key = ("sample_table", tol)
        if key in plan.tables:
            return plan.tables[key]
        if xs.size == 0:
            raise InvalidArgumentError(f"{self!r} has neither support nor atoms")
        cap = 1.0 / _EXACT_SAMPLE

        def left(x, F):
            at = np.array([plan.atom_mass[plan.atom_loc == t].sum() for t in x])
            return F - at

        for _ in range(60):
            Fl = left(xs, Fs)
            heavy = (Fl[1:] - Fs[:-1] > cap) & (xs[1:] - xs[:-1] > 4e-16 * np.maximum(np.abs(xs[1:]), 1e-300))
            if not heavy.any():
                break
            lo, hi = xs[:-1][heavy], xs[1:][heavy]
            mid = 0.5 * (lo + hi)
            new = np.setdiff1d(mid, xs)
            if new.size == 0:
                break
            xs = np.concatenate([xs, new])
            Fs = np.concatenate([Fs, self.cdf(new, tol=tol)])
            order = np.argsort(xs, kind="stable")
            xs, Fs = xs[order], Fs[order]
        Fs = np.maximum.accumulate(Fs)  # monotone to the rounding of the values
        Fl = np.minimum(left(xs, Fs), Fs)
        Fp = np.column_stack([Fl, Fs]).ravel()
        xp = np.repeat(xs, 2)
        Fp = np.concatenate([[0.0], Fp, [1.0]])
        xp = np.concatenate([[xs[0]], xp, [xs[-1]]])
        plan.tables[key] = (Fp, xp)
        return Fp, xp

    # -------------------------------------------------------------- display
    def _repr_html_(self):
        """Notebook display: the law, its formula, atoms, support, mean and
        variance (a field that cannot be computed shows its error message)."""
        import html

        def field(fn):
            try:
                return html.escape(str(fn()))
            except FreealgError as exc:  # display only: the message is shown, not hidden
                return f"<i>unavailable: {html.escape(type(exc).__name__ + ': ' + str(exc))[:300]}</i>"

        rows = []
        lat = getattr(self, "_latex", None)
        if callable(lat):
            rows.append(("formula", field(lambda: f"${lat()}$")))
        rows += [("atoms", field(self.atoms)), ("support", field(self.support)),
                 ("mean", field(self.mean)), ("variance", field(self.variance))]
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
                       for k, v in rows)
        return f"<div><b>{html.escape(repr(self))}</b><table>{body}</table></div>"

    # ------------------------------------------------------- mean, variance
    def mean(self):
        """The first moment ``m_1`` (exact when the law's moments are).

        Returns
        -------
        sympy expression or float
            ``moments(1)[0]``: exact (sympy) for exact or symbolic
            parameters, a float for a float law.

        Examples
        --------
        >>> import freealg
        >>> freealg.MarchenkoPastur(2).mean()
        2
        """
        return self.moments(1)[0]

    def variance(self):
        """``m_2 − m_1²`` (exact when the law's moments are).

        Returns
        -------
        sympy expression or float
            Of the same kind as :meth:`moments`.

        Examples
        --------
        >>> import freealg
        >>> freealg.MarchenkoPastur(2).variance()
        2
        """
        m1, m2 = self.moments(2)
        return m2 - m1 * m1

    def var(self):
        """The variance (``variance()``), as scipy.stats names it.

        Returns
        -------
        sympy expression or float
            ``self.variance()``.

        Examples
        --------
        >>> import freealg
        >>> freealg.Semicircle(0, 4).var()
        4
        """
        return self.variance()
