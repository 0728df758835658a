r"""A law against empirical eigenvalues (:func:`spectrum`): the theory CDF
(atoms plus the density integrated on its support), Kolmogorov and Lévy
distances and a moment comparison.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._utils.validate import MESSAGE_EXPR_LIMIT, check_real, describe
from ..errors import CertificationWarning, InvalidArgumentError, InvalidArgumentTypeError, InvalidLawError
from ._common import MAX_GRID, MAX_MOMENTS, _check_count, _to_float
from ._lawtools import _CachedLaw


_EDGE_ORDER = 6


def _smoothstep(u, k=_EDGE_ORDER):
    """``s(u) = I_u(k, k)`` (regularised incomplete beta, a polynomial for
    integer ``k``): maps [0, 1] onto itself with ``s ~ u^k`` at 0 and
    ``1 − s ~ (1 − u)^k`` at 1."""
    return sum(math.comb(2 * k - 1, j) * u**j * (1 - u) ** (2 * k - 1 - j) for j in range(k, 2 * k))


def _smoothstep_d(u, k=_EDGE_ORDER):
    return (u * (1 - u)) ** (k - 1) * (math.factorial(2 * k - 1) / math.factorial(k - 1) ** 2)


def _law_name(law):
    """A law's ``repr`` for a message, capped (a curve's coefficients can have
    90 digits); the whole polynomial is ``law.polynomial``."""
    inner = law._law if isinstance(law, _CachedLaw) else law
    how = "its .polynomial attribute" if hasattr(inner, "polynomial") else "repr(law)"
    return describe(inner, MESSAGE_EXPR_LIMIT, how=how)


class _TheoryCDF:
    """CDF of a law: atoms plus the density integrated on its support
    intervals.

    The substitution ``x = a + (b − a) s(u)``, ``s(u) = I_u(6, 6)``, clusters
    the nodes at both edges like ``(x − a) ~ u⁶``, so edge singularities up to
    ``(x − a)^{−5/6}`` (square-root edges, inverse square roots, the
    ``x^{−L/(L+1)}`` of Fuss–Catalan laws at 0 for ``L ≤ 5``) give a bounded
    integrand; the midpoint rule on ``u`` then converges (and never
    evaluates the density at an edge)."""

    def __init__(self, law, n_grid=513):
        self.law = law
        self.evidence_ok = True
        self.evidence_text = []
        cdf = getattr(law, "cdf", None)
        from ..laws.interface import LawMethods

        if getattr(type(getattr(law, "_law", law)), "cdf", None) is LawMethods.cdf:
            # the generic quadrature CDF of every law: this class tabulates its
            # own (one density call, then interpolation for many eigenvalues)
            cdf = None
        self._cdf = cdf if callable(cdf) else None
        atoms = [(float(_to_float(a, "atom location")), float(_to_float(m, "atom mass")))
                 for a, m in (law.atoms() if hasattr(law, "atoms") else [])]
        self.atoms = sorted(a for a in atoms if a[1] > 0)
        self.pieces = []
        ac_mass = 0.0
        if self._cdf is None:
            support = law.support() if hasattr(law, "support") else []
            for a, b in support:
                a, b = float(_to_float(a)), float(_to_float(b))
                if b <= a:
                    continue
                u = np.linspace(0.0, 1.0, int(n_grid))
                x = a + (b - a) * _smoothstep(u)
                um = 0.5 * (u[1:] + u[:-1])  # midpoint rule: never evaluates an edge
                xm = a + (b - a) * _smoothstep(um)
                rho = self._density(law, xm)
                integrand = rho * (b - a) * _smoothstep_d(um)
                self._edge_nodes(law, a, b, xm, rho, integrand, np.diff(u))
                if np.any(rho < -1e-10):
                    raise InvalidLawError(
                        f"the density of {_law_name(law)} is negative on ({a}, {b}) "
                        f"(min {rho.min():.3g}): not a probability density"
                    )
                cum = np.concatenate([[0.0], np.cumsum(integrand * np.diff(u))])
                self.pieces.append((a, b, x, cum))
                ac_mass += float(cum[-1])
        self.ac_mass = ac_mass
        self.mass = ac_mass + sum(m for _, m in self.atoms) if self._cdf is None else 1.0

    def _edge_nodes(self, law, a, b, xm, rho, integrand, du):
        """Give the nodes where the density is ``+inf`` at an edge the
        integrand's edge value, 0 (in place), or raise.

        The density is ``+inf`` at a hard edge (the project's convention),
        and the engines return that value at a double within rounding of
        the edge.  The outermost midpoint nodes sit within about ``1e-15 (b −
        a)`` of the edges (``s(u) ~ 462 u⁶``), so they can be such doubles.
        After the substitution the integrand ``ρ(x(u)) x'(u)`` tends to 0 at
        the edge for every singularity weaker than ``(x − a)^{−5/6}`` (class
        docstring), so 0 is its value there; the dropped cells carry at most
        as much mass as the adjacent finite cell (the integrand increases
        away from the edge), which must be below ``1e-6`` (far below the
        ``1e-3`` mass check of :func:`spectrum` and the distances of order
        ``1/N`` it compares), else the edge is too singular for this
        quadrature and the CDF is refused.  A ``+inf``
        or ``nan`` anywhere else is an error.
        """
        bad = ~np.isfinite(rho)
        if not bad.any():
            return
        n = bad.size
        lo = int(np.argmin(bad)) if not bad.all() else n
        hi = int(np.argmin(bad[::-1])) if not bad.all() else n
        inner = bad.copy()
        inner[:lo] = False
        inner[n - hi:] = False
        ends_inf = np.all(np.isposinf(rho[:lo])) and np.all(np.isposinf(rho[n - hi:]))
        if inner.any() or not ends_inf or lo + hi >= n // 4:
            k = int(np.nonzero(inner)[0][0]) if inner.any() else (0 if lo else n - 1)
            raise InvalidLawError(
                f"the density of {_law_name(law)} is {rho[k]} at x = {xm[k]!r}, inside its "
                f"support ({a}, {b}) (not at an edge): not a finite density there")
        bound = 0.0
        if lo:
            bound += lo * abs(integrand[lo] * du[lo])
        if hi:
            bound += hi * abs(integrand[n - hi - 1] * du[n - hi - 1])
        if bound > 1e-6:
            raise InvalidLawError(
                f"the density of {_law_name(law)} is +inf at {lo + hi} quadrature nodes next to "
                f"the edges of ({a}, {b}) and the adjacent cells carry mass {bound:.2g}: the edge "
                "singularity is too strong for the CDF quadrature (it handles (x - a)^(-5/6))")
        integrand[:lo] = 0.0
        integrand[n - hi:] = 0.0
        self.edge_nodes = getattr(self, "edge_nodes", 0) + lo + hi
        self.edge_mass_bound = getattr(self, "edge_mass_bound", 0.0) + bound

    def _density(self, law, x):
        """Density values; a certified-density result object (``.density``,
        ``.evidence``) is unpacked, computed with ``strict=False`` so that a
        failed check is recorded (``self.evidence_ok``) instead of raised."""
        import inspect

        fun = law._law.density if isinstance(law, _CachedLaw) else law.density
        try:
            params = inspect.signature(fun).parameters
        except (TypeError, ValueError):
            params = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CertificationWarning)
            res = fun(x, strict=False) if "strict" in params else fun(x)
        ev = getattr(res, "evidence", None)
        if ev is not None:
            ok = bool(getattr(ev, "ok", True))
            self.evidence_ok = self.evidence_ok and ok
            if not ok:
                text = ev.summary() if hasattr(ev, "summary") else str(ev)
                failed = [ln.strip() for ln in str(text).splitlines() if "FAILED:" in ln]
                self.evidence_text.extend(failed or [str(text)[:300]])
        return np.asarray(getattr(res, "density", res), dtype=float)

    def __call__(self, x, left=False):
        """F(x) (right-continuous) or F(x−) with ``left``."""
        x = np.asarray(x, dtype=float)
        if self._cdf is not None:
            out = np.asarray(self._cdf(x), dtype=float)
            if left:
                for a, m in self.atoms:
                    out = out - m * (x == a)
            return out
        out = np.zeros_like(x)
        for a, m in self.atoms:
            out += m * ((x > a) if left else (x >= a))
        for a, b, xs, cum in self.pieces:
            inside = (x > a) & (x < b)
            out[inside] += np.interp(x[inside], xs, cum)
            out[x >= b] += cum[-1]
        return out


def _eigen_samples(samples):
    """List of 1-D float arrays, one per trial."""
    if isinstance(samples, np.ndarray):
        if samples.ndim == 1:
            trials = [samples]
        elif samples.ndim == 2:
            trials = list(samples)
        else:
            raise InvalidArgumentError(
                f"samples must be eigenvalues: a 1-D array, a (trials, n) array or a list of "
                f"1-D arrays; got shape {samples.shape}"
            )
    else:
        if isinstance(samples, (str, bytes, dict)) or not hasattr(samples, "__iter__"):
            raise InvalidArgumentTypeError(
                f"samples must be eigenvalues: a 1-D array, a (trials, n) array or a list of 1-D "
                f"arrays; got {describe(samples)} of type {type(samples).__name__}")
        trials = [np.asarray(s) for s in samples]
        if trials and all(t.ndim == 0 for t in trials):  # a flat list of eigenvalues
            trials = [np.asarray(samples)]
    out = []
    for s in trials:
        s = np.asarray(s)
        if s.dtype.kind not in "biufc":
            raise InvalidArgumentTypeError(
                f"samples must hold real numbers (eigenvalues); got an array of dtype {s.dtype}")
        if s.ndim != 1 or s.size == 0:
            raise InvalidArgumentError(
                "every trial must be a non-empty 1-D array of eigenvalues; use "
                "numpy.linalg.eigvalsh(matrix) to get them"
            )
        if np.iscomplexobj(s):
            if np.any(np.abs(s.imag) > 1e-8 * max(1.0, float(np.abs(s).max()))):
                raise InvalidArgumentError("eigenvalues must be real (a self-adjoint matrix)")
            s = s.real
        s = s.astype(float)
        if not np.all(np.isfinite(s)):
            raise InvalidArgumentError("eigenvalues must be finite")
        out.append(s)
    if not out:
        raise InvalidArgumentError("samples is empty")
    return out


class SpectrumCheck:
    """Result of :func:`spectrum`.

    Attributes
    ----------
    ks : float
        Kolmogorov distance ``sup_x |F_emp(x) − F_law(x)|``.
    levy : float
        Lévy distance (robust to small shifts of atoms, which at finite
        ``N`` sit at sample-dependent locations; the Kolmogorov distance
        jumps by the atom's mass for any shift).
    n : int
        Number of eigenvalues (all trials pooled).
    trials : int
    rows : list of dict
        Moment comparison ``k, theory, mean, stderr, error, z`` (``stderr``
        and ``z`` are None with a single trial).
    mass : float
        Total mass of the theory law as integrated (atoms + density): 1 up to
        the quadrature error.
    atoms : list of (location, theory mass, empirical mass)
    certified : bool
        False if the law's density came with failed evidence (certified
        densities of spectral curves); ``certification`` lists the failures.

    Parameters
    ----------
    law : law
        The theory law compared (stored as ``.law``).
    ks : float
        Kolmogorov distance.
    n : int
        Number of pooled eigenvalues.
    trials : int
        Number of matrices.
    rows : list of dict
        The moment comparison.
    mass : float
        Integrated theory mass.
    atoms : list of tuple
        ``(location, theory mass, empirical mass)`` per atom.
    levy : float or None, default None
        Lévy distance.

    Raises
    ------
    None
        The constructor stores its arguments without validation; results
        come from :func:`spectrum`.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg import simulate, verify
    >>> from freealg.laws import MarchenkoPastur
    >>> ev = np.linalg.eigvalsh(simulate.wishart(50, np.random.default_rng(0)))
    >>> res = verify.spectrum(MarchenkoPastur(), ev, n_moments=2)
    >>> type(res).__name__, res.n, res.trials, [r["theory"] for r in res.rows]
    ('SpectrumCheck', 50, 1, [1.0, 2.0])
    """

    def __init__(self, law, ks, n, trials, rows, mass, atoms, levy=None):
        self.law = law
        self.ks = ks
        self.levy = levy
        self.certified = True
        self.certification = []
        self.n = n
        self.trials = trials
        self.rows = rows
        self.mass = mass
        self.atoms = atoms

    def to_dict(self):
        """A JSON-serialisable dict of the distances, moments and atoms.

        Returns
        -------
        dict
            Keys ``law`` (its repr), ``ks``, ``levy``, ``n``, ``trials``,
            ``mass``, ``moments`` (the rows) and ``atoms``.

        Examples
        --------
        >>> import numpy as np
        >>> from freealg import simulate, verify
        >>> from freealg.laws import MarchenkoPastur
        >>> ev = np.linalg.eigvalsh(simulate.wishart(50, np.random.default_rng(0)))
        >>> d = verify.spectrum(MarchenkoPastur(), ev, n_moments=2).to_dict()
        >>> sorted(d), d["n"]
        (['atoms', 'ks', 'law', 'levy', 'mass', 'moments', 'n', 'trials'], 50)
        """
        return {"law": repr(self.law), "ks": self.ks, "levy": self.levy, "n": self.n,
                "trials": self.trials,
                "mass": self.mass, "moments": [dict(r) for r in self.rows],
                "atoms": [list(a) for a in self.atoms]}

    def __str__(self):
        lines = [f"spectrum vs {self.law!r}: {self.n} eigenvalues in {self.trials} trial(s)",
                 f"Kolmogorov distance {self.ks:.4g}, Lévy distance {self.levy:.4g}   "
                 f"(theory mass {self.mass:.6f})"]
        for loc, mt, me in self.atoms:
            lines.append(f"atom at {loc:.6g}: theory mass {mt:.6g}, empirical {me:.6g}")
        lines.append(f"{'k':>3} {'theory':>14} {'empirical':>14} {'stderr':>10} {'rel.err':>10} {'z':>7}")
        for r in self.rows:
            se = "" if r["stderr"] is None else f"{r['stderr']:.3g}"
            z = "" if r["z"] is None else f"{r['z']:.2f}"
            rel = r["error"] / r["theory"] if r["theory"] != 0 else float("nan")
            lines.append(f"{r['k']:>3d} {r['theory']:>14.8g} {r['mean']:>14.8g} {se:>10} "
                         f"{rel:>+10.2e} {z:>7}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<SpectrumCheck ks={self.ks:.4g} n={self.n}>"


def spectrum(law, samples, *, n_moments=4, atol=None, n_grid=513, _cdf=None):
    r"""Kolmogorov and Lévy distances between a law and empirical
    eigenvalues, and a moment comparison.

    The theory CDF is ``F(x) = Σ_{a ≤ x} μ({a}) + ∫_{-∞}^x ρ``: atoms from
    ``law.atoms()`` and the density ``law.density`` integrated over each
    interval of ``law.support()`` (or ``law.cdf`` if the object has one).
    Eigenvalues within ``atol`` of an atom are placed on it (an exact atom of
    the limit is an exactly repeated eigenvalue at finite ``N``, up to
    rounding).  The Kolmogorov distance is ``sup_x |F_N(x) − F(x)|`` over both
    one-sided limits at the sample points, so atoms are compared correctly.
    For eigenvalues of one ``N × N`` matrix it typically decreases like
    ``1/N`` up to logarithms (eigenvalues are rigid), much faster than the
    ``1/√n`` of i.i.d. samples.

    Parameters
    ----------
    law : a freealg law (laws.py / SpectralCurve / dnn laws)
        With ``moments(n)``, ``atoms()``, ``support()`` and ``density(x)``.
    samples : array or list of arrays
        Eigenvalues: a 1-D array, a ``(trials, n)`` array or a list of 1-D
        arrays (one per independent matrix; then the moments get standard
        errors).
    n_moments : int
        Number of moments compared (``m_1 .. m_k``).
    atol : float, optional
        Snapping tolerance for atoms; default ``1e-8 · max(1, max|λ|)``.
    n_grid : int
        Quadrature nodes per support interval (midpoint rule after the
        substitution ``x = a + (b − a) I_u(6, 6)``, which makes edge
        singularities up to ``(x − a)^{−5/6}`` bounded).
    _cdf : object, optional
        Internal: a theory CDF already tabulated for ``law`` (the ready
        checks reuse one across widths).  Leave it None.

    Returns
    -------
    SpectrumCheck

    Raises
    ------
    InvalidArgumentTypeError
        If ``law`` has neither ``cdf`` nor ``density``, or lacks
        ``moments`` while ``n_moments > 0``; if ``samples`` is not an array
        or list of arrays of real numbers; if ``n_moments``/``n_grid`` are
        not integers or ``atol`` not a real number.
    InvalidArgumentError
        If ``samples`` is empty, has an empty trial, non-finite or complex
        eigenvalues, or more than two dimensions; if ``n_moments < 0``,
        ``n_grid < 3`` or ``atol < 0`` (or not finite); if a law moment is
        symbolic.
    TooLargeError
        If ``n_moments > 200`` or ``n_grid > 1000000``.
    InvalidLawError
        If the law's density is negative on its support.

    Warns
    -----
    CertificationWarning
        If the law's certified density failed a check, or the law does not
        integrate to 1 (within 1e-3): the distances are then unreliable.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg import simulate
    >>> from freealg.laws import MarchenkoPastur
    >>> rng = np.random.default_rng(0)
    >>> ev = [np.linalg.eigvalsh(simulate.wishart(200, rng, rate=0.5)) for _ in range(5)]
    >>> res = spectrum(MarchenkoPastur(rate=0.5), ev)
    >>> res.ks < 0.02, res.atoms[0][:2]                    # atom of mass 1/2 at 0
    (True, (0.0, 0.5))
    >>> [r["theory"] for r in res.rows]
    [0.5, 0.75, 1.375, 2.8125]
    """
    if _cdf is None and not any(callable(getattr(law, m, None)) for m in ("cdf", "density")):
        raise InvalidArgumentTypeError(
            f"law must be a law object with cdf(x) or density(x) (and atoms(), support(), "
            f"moments(n)); got "
            f"{describe(law)} of type {type(law).__name__}")
    n_moments = _check_count(n_moments, "n_moments", 0, MAX_MOMENTS,
                             "high empirical moments are dominated by the largest eigenvalue")
    if n_moments and not callable(getattr(law, "moments", None)):
        raise InvalidArgumentTypeError(
            f"law has no moments(n) method ({type(law).__name__}); pass n_moments=0 to compare "
            "only the distribution functions")
    n_grid = _check_count(n_grid, "n_grid", 3, MAX_GRID, "a few thousand nodes suffice")
    if atol is not None:
        check_real(atol, "atol", nonnegative=True)
    trials = _eigen_samples(samples)
    allv = np.concatenate(trials)
    cdf = _TheoryCDF(law, n_grid=n_grid) if _cdf is None else _cdf
    if not cdf.evidence_ok:
        warnings.warn(
            f"the density of {_law_name(law)} failed its certification ({'; '.join(cdf.evidence_text)}); "
            "the distances use the values anyway",
            CertificationWarning,
            stacklevel=2,
        )
    if abs(cdf.mass - 1.0) > 1e-3:
        warnings.warn(
            f"the law {_law_name(law)} integrates to {cdf.mass:.6f} (atoms + density), not 1; the "
            "Kolmogorov distance is unreliable",
            CertificationWarning,
            stacklevel=2,
        )
    scale = max(1.0, float(np.abs(allv).max()))
    tol = 1e-8 * scale if atol is None else float(atol)
    snapped = allv.copy()
    atoms_out = []
    for a, m in cdf.atoms:
        near = np.abs(snapped - a) <= tol
        snapped[near] = a
        atoms_out.append((a, m, float(np.count_nonzero(near)) / allv.size))
    s = np.sort(snapped)
    n = s.size
    uniq, first = np.unique(s, return_index=True)
    last = np.append(first[1:], n)  # F_n(x) = last/n, F_n(x-) = first/n
    fr = cdf(uniq)
    fl = cdf(uniq, left=True)
    ks = float(max(np.max(np.abs(last / n - fr)), np.max(np.abs(first / n - fl))))
    levy = _levy_distance(uniq, first / n, last / n, cdf)
    rows = []
    if n_moments:
        theory = [_to_float(v, "moment") for v in law.moments(int(n_moments))]
        per = np.array([[np.mean(t**k) for k in range(1, n_moments + 1)] for t in trials])
        for k in range(1, n_moments + 1):
            mean = float(np.mean(per[:, k - 1]))
            if len(trials) >= 2:
                se = float(np.std(per[:, k - 1], ddof=1) / math.sqrt(len(trials)))
                z = (mean - theory[k - 1]) / se if se > 0 else None
            else:
                se = z = None
            rows.append({"k": k, "theory": theory[k - 1], "mean": mean, "stderr": se,
                         "error": mean - theory[k - 1], "z": z})
    out = SpectrumCheck(law, ks, n, len(trials), rows, cdf.mass, atoms_out, levy)
    out.certified = cdf.evidence_ok
    out.certification = list(cdf.evidence_text)
    return out


def _levy_distance(u, g_left, g_right, cdf, iters=48):
    """Lévy distance ``inf{ε: F(x−ε)−ε ≤ F_N(x) ≤ F(x+ε)+ε ∀x}`` between the
    empirical CDF (values ``g_left = F_N(u−)``, ``g_right = F_N(u)`` at the
    sorted distinct samples ``u``) and the theory CDF, by bisection (the
    condition is monotone in ε; it suffices to test it at the samples)."""

    def ok(eps):
        if np.any(g_right > cdf(u + eps) + eps + 1e-15):
            return False
        return not np.any(g_left < cdf(u - eps, left=True) - eps - 1e-15)

    lo, hi = 0.0, 1.0
    if ok(0.0):
        return 0.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


# ---------------------------------------------------------------------------
# networks: mean field, the free model of an MLP, samplers
