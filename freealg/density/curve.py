r"""Certified densities of algebraic spectral curves ``P(z, G) = 0``.

The physical branch of a curve is the root ``G(z)`` with ``G ~ 1/z`` at
``z = i oo``, continued analytically into the upper half plane.  It is **not**
in general the root of largest ``|Im G|`` (that rule, used by a published
tool, picks the wrong root of every curve of degree >= 4 somewhere).  This
module follows the branch itself:

* :func:`branch_cauchy` -- ``G(z)`` at points of the upper half plane;
* :func:`curve_density` -- ``rho(x) = -Im G(x + i0) / pi`` on a grid, with
  atoms, support and a :class:`DensityEvidence` object;
* :func:`curve_support` -- bulk intervals (real roots of the discriminant of
  ``P`` in ``G``, each confirmed by the density);
* :func:`curve_atoms` -- atom locations (zeros of the leading coefficient in
  ``G``) and masses (residues; exact when ``P`` has rational coefficients).

Method.  Every value comes from a walk straight down from ``x + i Y0`` (far
above the support, where the series ``G = sum_n m_n z^{-n-1}`` fixes the
physical root) to ``x + i y`` or to the real axis, by predictor-corrector
continuation: log-log predictor, Newton corrector with an iteration cap, and
a basin check on every step -- the corrected root must stay within a quarter
of ``0.219/gamma`` of the prediction, where ``gamma`` is Smale's gamma of
``P(z, .)`` (``0.219/gamma`` bounds the distance to every other root from
below).  ``Im G <= 0`` is enforced as a branch guard.  Points whose float64
error bound exceeds the target (near edges) are polished with mpmath Newton
at ``dps`` digits (default 30 for the polishing, so the bulk density is good
to ``1e-12`` relative).

Evidence (``result.evidence``): the largest backward residual, ``Im G <= 0``
at every computed point, the mass of the continuous part (quadrature on the
axis with small semicircles around edges, atoms and singular points) plus the
atoms, equal to 1 within ``mass_tol``, and the first moments from a contour
integral of ``G`` against the exact moments (from the series of ``G`` at
infinity, or ``exact_moments``).  A failed check raises
:class:`~freealg.errors.CertificationError` when ``strict=True`` (default) and
warns with :class:`~freealg.errors.CertificationWarning` otherwise; the result
then carries the failed evidence.

Conventions (docs/theory.md §1): ``G(z) = int dmu(x) / (z - x)``,
``G ~ 1/z``, ``Im G < 0`` for ``Im z > 0``, ``rho(x) = -Im G(x + i0)/pi``.

Examples
--------
The semicircle law, ``G^2 - z G + 1 = 0``: ``rho(0) = 1/pi``.

>>> import sympy
>>> from freealg.density import curve_density
>>> z, G = sympy.symbols("z G")
>>> res = curve_density(G**2 - z*G + 1, z, G, [0.0, 1.0, 3.0])
>>> [round(float(v), 10) for v in res.density]
[0.3183098862, 0.2756644477, 0.0]
>>> res.support, res.evidence.ok
([(-2.0, 2.0)], True)
"""

from __future__ import annotations

import functools

import numpy as np

from .curve_engine import _engine as _raw_engine
from .curve_routing import CURVE_MAX_DEGREE, _functional_route, _routed_density, _same_moments  # noqa: F401
from .result import DensityEvidence, DensityResult, _check_dps, certified_density
from ..errors import InvalidArgumentError

__all__ = [
    "DensityEvidence",
    "DensityResult",
    "branch_cauchy",
    "curve_density",
    "curve_support",
    "curve_atoms",
]


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def _model(P, z, G):
    """The one curve model of ``P(z, G) = 0``: ``SpectralCurve(P, z, G)``
    (cached; the branch at infinity is checked by ``_engine_curve`` once the
    coefficients are known to be real numbers, for a named error about a
    parameter or a complex coefficient), after checking the argument types
    (a dict or a complex number as ``P`` reached a cache as an unhashable
    TypeError).  A ``SpectralCurve`` given as ``P`` is used as it is."""
    import sympy

    from .._utils.symbolic import sympify_safe
    from .._utils.validate import describe
    from ..errors import InvalidArgumentTypeError
    from ..laws.curves import SpectralCurve

    if isinstance(P, SpectralCurve):
        return P
    for sym, what in ((z, "z"), (G, "G")):
        if not isinstance(sym, sympy.Symbol):
            raise InvalidArgumentTypeError(
                f"{what} must be a sympy Symbol; got {describe(sym)} of type {type(sym).__name__}"
            )
    if z == G:
        raise InvalidArgumentError(f"z and G must be different symbols; got {z} twice")
    if isinstance(P, str):
        P = sympify_safe(P, "P", {str(z): z, str(G): G})
    if not isinstance(P, (sympy.Expr, sympy.Poly, sympy.Equality)):
        raise InvalidArgumentTypeError(
            f"P must be a sympy expression (or Poly, Eq, or text) in {z} and {G}; got "
            f"{describe(P)} of type {type(P).__name__}"
        )
    return _curve_of(P, z, G)


@functools.lru_cache(maxsize=64)
def _curve_of(P, z, G):
    """Cached ``SpectralCurve(P, z, G)`` (see :func:`_model`)."""
    from ..laws.curves import SpectralCurve

    return SpectralCurve(P, z, G, check=False)


def _spectral_curve(P, z, G):
    """The curve the engine evaluates (``SpectralCurve._engine_curve``)."""
    return _model(P, z, G)._engine_curve()


def _as_triple(P, z, G):
    """``(P, z, G)`` with a ``SpectralCurve`` given as ``P`` read as its polynomial."""
    from ..laws.curves import SpectralCurve

    if isinstance(P, SpectralCurve):
        from ..laws.analysis import G as G_, Z

        return P.polynomial, Z, G_
    return P, z, G


def _engine(P, z, G):
    """The curve engine of ``P(z, G) = 0`` (see :func:`_spectral_curve`)."""
    return _raw_engine(_spectral_curve(P, z, G))


def branch_cauchy(P, z, G, zs, *, dps=None):
    r"""The physical branch ``G(z)`` of the curve ``P(z, G) = 0`` at ``zs``.

    ``G`` is continued analytically from ``z = i oo`` (where ``G ~ 1/z``)
    straight down to each point; it is not the root of largest ``|Im G|``.
    Points with ``Im z < 0`` use ``G(conj z) = conj G(z)``; real points give
    the boundary value ``G(x + i0)``.

    Parameters
    ----------
    P : sympy expression, Poly, Equality, text or SpectralCurve
        Polynomial in ``z`` and ``G`` with numeric coefficients (a rational
        function is replaced by its numerator); it is read as the
        :class:`~freealg.SpectralCurve` ``SpectralCurve(P, z, G)``, whose
        normal form, series at infinity and exact candidates the engine uses.
        A ``SpectralCurve`` is used as it is (``z``, ``G`` are then ignored).
    z, G : sympy.Symbol
    zs : complex array_like
    dps : int, optional
        Return mpmath values polished to ``dps`` decimal digits.

    Returns
    -------
    ndarray of complex (or of ``mpmath.mpc`` when ``dps`` is given), shaped
    like ``zs``.

    Raises
    ------
    InvalidArgumentError
        Free symbols other than ``z``, ``G``; non-finite points; a real point
        where the leading coefficient in ``G`` vanishes; ``dps < 15``.
    InvalidArgumentTypeError
        ``z`` or ``G`` not a Symbol, ``P`` not an expression, non-numeric
        points, a non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.
    BranchError
        No branch ``G ~ 1/z`` at infinity.
    ConvergenceError
        The continuation (or the mpmath polishing) failed at some point.

    Examples
    --------
    Marchenko-Pastur (ratio 1), ``z G^2 - z G + 1 = 0``:
    ``G(2 + 0i) = (z - sqrt(z^2 - 4z)) / (2z) = 1/2 - i/2``.

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> complex(branch_cauchy(z*G**2 - z*G + 1, z, G, [2.0])[0])
    (0.5-0.5j)

    ``MP ⊠ MP ⊠ MP`` (``(zG)^4 - z(zG - 1) = 0``) at ``x = 2``: the physical
    boundary value has ``Im G = -0.218...`` (density ``0.0694``), while the two
    roots of largest ``|Im|`` are ``-0.4367 +- 0.5778i``:

    >>> g = complex(branch_cauchy((z*G)**4 - z*(z*G - 1), z, G, [2.0])[0])
    >>> round(g.real, 10), round(g.imag, 10)
    (0.4367045799, -0.2181594489)
    """
    from ..errors import ConvergenceError

    dps = _check_dps(dps)
    eng = _engine(P, z, G)
    from .._utils.validate import check_finite_array

    zz = check_finite_array(zs, "zs", dtype=complex)
    shape = zz.shape
    flat = zz.ravel()
    if not np.all(np.isfinite(flat)):
        raise InvalidArgumentError("zs must be finite complex numbers")
    lower = flat.imag < 0
    w = np.where(lower, flat.conj(), flat)
    for s in eng.singular():
        hit = (w.imag == 0) & (np.abs(w.real - s) <= 1e-15 * abs(s))
        if hit.any():
            raise InvalidArgumentError(
                f"z = {s:g} is a zero of the leading coefficient of P in G, where the "
                "boundary value of G is singular; evaluate at z + i*eps instead"
            )
    Gv, err, _, ok, rad = eng.values(w.real, w.imag)
    if not np.all(ok):
        bad = w[~ok][0]
        raise ConvergenceError(
            f"continuation of the physical branch failed at z = {complex(bad):.6g}"
            f" ({int(np.sum(~ok))} points)"
        )
    if dps is None:
        out = np.where(lower, Gv.conj(), Gv)
        return out.reshape(shape)
    from .._utils.mpctx import mpmath

    res = np.empty(flat.size, dtype=object)
    for k in range(flat.size):
        v, conv, _ = eng.curve.mp_polish(complex(w[k]), complex(Gv[k]), dps)
        if not conv or abs(complex(v) - Gv[k]) > max(0.25 * rad[k], 10 * err[k]):
            raise ConvergenceError(f"mpmath polishing failed at z = {complex(w[k]):.6g}")
        with mpmath.workdps(dps):
            v = +v
        res[k] = mpmath.conj(v) if lower[k] else v
    return res.reshape(shape)


def curve_density(P, z, G, x, *, dps=None, strict=True, exact_moments=None,
                  n_moments=8, mass_tol=1e-9, moment_tol=1e-8, engine="auto"):
    r"""Certified density of the law whose Cauchy transform solves ``P(z, G) = 0``.

    ``rho(x) = -Im G(x + i0) / pi`` on the grid ``x``, plus atoms, support
    and :class:`DensityEvidence` (see the module docstring for the method).

    Parameters
    ----------
    P : sympy expression, Poly, Equality, text or SpectralCurve
        Polynomial in ``z``, ``G`` with numeric (exact) coefficients, read as
        ``SpectralCurve(P, z, G)`` (a ``SpectralCurve`` is used as it is).
    z, G : sympy.Symbol
    x : array_like of float
        Grid (any shape).
    dps : int, optional
        Polish every grid value with mpmath to ``dps`` digits and return
        ``density_mp``.  Default: float64, with mpmath polishing (30 digits)
        only where the float error bound exceeds ``1e-12`` relative.
    strict : bool
        ``True``: a failed check raises :class:`CertificationError`.
        ``False``: it warns with :class:`CertificationWarning` and the result
        carries the failed evidence.
    exact_moments : sequence, optional
        ``m_1, m_2, ...`` to check the contour moments against (default: the
        series of ``G`` at infinity).
    n_moments : int
        Number of moments checked (default 8).
    mass_tol, moment_tol : float
        Tolerances of the mass and (relative) moment checks.
    engine : {"auto", "curve", "functional"}
        ``"curve"`` follows the branch of ``P`` itself.  ``"auto"`` (default)
        does so up to degree :data:`CURVE_MAX_DEGREE` in ``G``; a curve of
        higher degree that is of S-transform form (degree 1 in ``z`` once
        ``G = (1 + w)/z``, as every ⊠ product of laws with rational
        S-transforms, e.g. the Jacobian curves of ReLU and hard-tanh
        networks) goes to the functional-equation engine of
        :mod:`freealg.functional` with ``S`` read off the curve, which does
        not slow down with the degree.  ``"functional"`` forces that route.
        ``result.evidence.engine`` says which engine ran, and a note why.

    Returns
    -------
    DensityResult
        ``density`` in the project convention: 0 outside the support and at
        soft edges, ``+inf`` at a divergent hard edge, ``nan`` exactly at an
        atom (flagged in ``at_atom``; not a failure).

    Raises
    ------
    InvalidArgumentTypeError
        If ``z`` or ``G`` is not a sympy Symbol, or ``P`` is not a sympy
        expression, ``Poly``, ``Eq`` or text.
    InvalidArgumentError
        If ``P`` has free symbols other than ``z`` and ``G``, a non-numeric
        coefficient, or does not involve ``G``.
    BranchError
        If ``P`` has no branch ``G ~ 1/z`` at infinity.
    InvalidArgumentError
        Also for an empty or non-finite grid ``x``, or ``dps < 15``.
    TooLargeError
        If ``dps > 1000``.
    CertificationError
        With ``strict=True``, when a check fails (see
        :class:`DensityEvidence`).

    Examples
    --------
    ``MP ⊠ MP`` (``(zG)^3 - z(zG - 1) = 0``) has support ``[0, 27/4]``:

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> res = curve_density((z*G)**3 - z*(z*G - 1), z, G, [1.0, 7.0])
    >>> res.support, res.evidence.ok
    ([(0.0, 6.75)], True)
    >>> float(res.density[1])
    0.0

    A Bernoulli law ``(1 - p) delta_0 + p delta_1`` is all atoms:

    >>> p = sympy.Rational(1, 3)
    >>> res = curve_density(z*(z - 1)*G - (z - 1 + p), z, G, [0.5])
    >>> res.atoms_exact
    [(0, 2/3), (1, 1/3)]
    """
    from .._utils.validate import check_choice

    engine = check_choice(engine, "engine", ("auto", "curve", "functional"))
    if engine != "curve":
        routed = _functional_route(*_as_triple(P, z, G), force=engine == "functional",
                                   moments=lambda n: _model(P, z, G).moments(n))
        if routed is not None and exact_moments is not None and not _same_moments(
                routed[0].moments(len(exact_moments)), exact_moments):
            routed = None  # the given moments are not the curve's: certify the curve itself
        if routed is not None:
            return _routed_density(routed, x, dps=dps, strict=strict, exact_moments=exact_moments,
                                   n_moments=n_moments, mass_tol=mass_tol, moment_tol=moment_tol)
    eng = _engine(P, z, G)
    res = certified_density(
        eng, x, dps=dps, strict=strict, exact_moments=exact_moments,
        n_moments=n_moments, mass_tol=mass_tol, moment_tol=moment_tol,
        method="algebraic curve, vertical continuation with gamma-separated steps",
    )
    res.evidence.engine = "curve"
    return res


def curve_support(P, z, G, *, exact=False):
    r"""Bulk intervals of the law of the curve ``P(z, G) = 0``.

    Candidate edges are the real roots of the discriminant of ``P`` in ``G``
    and of its leading coefficient; each gap between consecutive candidates
    is kept when the density at its midpoint is positive (the boundary value
    of the physical branch is not real there).  For curves of very high
    degree without a cheap discriminant, the density is scanned instead.

    Parameters
    ----------
    P : sympy expression, Poly, Equality, text or SpectralCurve
        Polynomial in ``z``, ``G`` with numeric coefficients, read as
        ``SpectralCurve(P, z, G)`` (a ``SpectralCurve`` is used as it is).
    z, G : sympy.Symbol
        The variables.
    exact : bool
        Return exact endpoints (sympy ``Rational`` / ``CRootOf``).

    Returns
    -------
    list of (lo, hi)
        Sorted intervals (floats, or exact sympy numbers with ``exact``).

    Raises
    ------
    InvalidArgumentTypeError
        If ``z`` or ``G`` is not a sympy Symbol, or ``P`` is not a sympy
        expression, ``Poly``, ``Eq`` or text.
    InvalidArgumentError
        If ``P`` has free symbols other than ``z`` and ``G``, a non-numeric
        coefficient, or does not involve ``G``.
    BranchError
        If ``P`` has no branch ``G ~ 1/z`` at infinity.
    InvalidArgumentError
        Also with ``exact=True`` when the discriminant is too costly to
        compute for this curve (use ``exact=False``).
    CertificationError
        If the density is positive outside every real root of the
        discriminant (an inconsistent curve or branch).

    Examples
    --------
    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> curve_support((z*G)**3 - z*(z*G - 1), z, G, exact=True)
    [(0, 27/4)]
    >>> curve_support(G**2 - z*G + 1, z, G)
    [(-2.0, 2.0)]
    """
    eng = _engine(P, z, G)
    if exact:
        eng.support()
        if eng.cands is None:
            raise InvalidArgumentError(
                "exact support endpoints need the discriminant, which is too costly "
                f"for this curve (degree {eng.curve.degree} in G); use exact=False"
            )
        return list(eng._support)
    return eng.support()


def curve_atoms(P, z, G):
    r"""Atoms of the law of the curve ``P(z, G) = 0``.

    Candidate locations are the real zeros ``a`` of the leading coefficient of
    ``P`` in ``G``.  Branches ``G ~ c/(z - a)`` come from the Newton polygon of
    ``P`` at ``z = a`` (the coefficients ``c`` are roots of its slope-1 edge
    polynomial, exact for rational data); the atom is the one whose branch is
    the physical branch near ``a`` (checked numerically), its mass is ``c``.

    Parameters
    ----------
    P : sympy expression, Poly, Equality, text or SpectralCurve
        Polynomial in ``z``, ``G`` with numeric coefficients, read as
        ``SpectralCurve(P, z, G)`` (a ``SpectralCurve`` is used as it is).
    z, G : sympy.Symbol
        The variables.

    Returns
    -------
    list of (location, mass)
        Exact sympy numbers when ``P`` has rational coefficients.

    Raises
    ------
    InvalidArgumentTypeError
        If ``z`` or ``G`` is not a sympy Symbol, or ``P`` is not a sympy
        expression, ``Poly``, ``Eq`` or text.
    InvalidArgumentError
        If ``P`` has free symbols other than ``z`` and ``G``, a non-numeric
        coefficient, or does not involve ``G``.
    BranchError
        If ``P`` has no branch ``G ~ 1/z`` at infinity.
    CertificationError
        If an atom's mass cannot be certified against the residue of the
        physical branch.

    Examples
    --------
    ``(1 - p) delta_0 + p delta_1`` with ``p = 1/4``:

    >>> import sympy
    >>> z, G = sympy.symbols("z G")
    >>> p = sympy.Rational(1, 4)
    >>> curve_atoms(z*(z - 1)*G - (z - 1 + p), z, G)
    [(0, 3/4), (1, 1/4)]

    Marchenko-Pastur of ratio 2 (``lambda = 1/2``) has an atom ``1/2`` at 0:

    >>> lam = sympy.Rational(1, 2)
    >>> curve_atoms(z*G**2 - (z + 1 - lam)*G + 1, z, G)
    [(0, 1/2)]
    """
    eng = _engine(P, z, G)
    return eng.atoms()[0]
