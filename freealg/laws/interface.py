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
from ._cdf import _CdfJob, _interval_cdf, _pdf_values, _plan

__all__ = ["LawMethods"]

_CDF_TOL = 1e-9  # default bound on the estimated absolute error of cdf values
_EXACT_SAMPLE = 4096  # up to this many draws, each is an exact quantile
_DENSITY_STAGES = 6  # stages of a certified density reported to its progress bar (_result)


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

    def _cdf_plan(self):
        """The structure (support, atoms, tables) used by cdf/quantile/sample."""
        return _plan(self)

    def _quantile_table(self, tol):
        plan = self._cdf_plan()
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
