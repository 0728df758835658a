r"""Free multiplicative convolutions of arbitrary laws on ``[0, oo)``: the
law of ``⊠_j mu_j^{⊠ L_j}`` from the factors' S- or Cauchy transforms.

No spectral curve is needed (a curve of ``MP^{⊠L}`` has degree ``L + 1``; the
law of ``tanh'(sqrt(q) z)^2`` has none), and the cost does not grow with the
powers ``L_j``: ``L = 10^4`` costs what ``L = 1`` does.

Equation.  With ``w = z G(z) - 1 = psi(1/z)`` the product satisfies
``z w S(w) = 1 + w``, ``S = prod_j S_j^{L_j}`` (docs/theory.md §1).  It is
solved in logarithmic form,

    lg(1 + w) - lg(z w) - sum_j L_j log S_j(w) = 0,

with ``lg(u) = Log(i u) - i pi/2`` (branch cut on the positive imaginary
axis).  For measures on ``[0, oo)`` and ``Im z >= 0`` the numbers ``1 + w = zG``,
``z w`` and the factors' ``(1 + w)/S_j(w) = zeta_j w`` (``zeta_j`` the
subordination point of factor ``j``, in the upper half plane) all lie in the
closed lower half plane, so these logarithms are continuous along the branch
and the equation holds exactly, not modulo ``2 pi i``: the spurious roots of
``(1 + w)^{L+1} = z w`` are not solutions.  A factor without a closed
S-transform enters through its Cauchy transform: an extra unknown ``zeta_j``
with ``lg(zeta_j G_j(zeta_j)) = lg(1 + w)`` and ``log S_j = lg(1 + w) -
lg(zeta_j w)``.

Method.  The same vertical predictor-corrector continuation as for curves
(:mod:`freealg.density.continuation`): from ``x + i Y0`` (``w`` from the moment
series) down to ``x + i y`` or the real axis, Newton with an iteration cap,
a basin check (the correction must stay within a quarter of
``|F_w / F_ww|``) and branch guards (``1 + w``, ``z w`` and ``zeta_j w`` in the
closed lower half plane, ``zeta_j`` in the upper half plane).  Where the
float64 error bound exceeds ``1e-12`` relative (near edges) and every factor
has an S-transform that accepts mpmath numbers, the value is polished with
mpmath Newton.  Every density carries the evidence of
:func:`freealg.density.curve_density`, with the exact moments of the product
(from the factors' moment sequences, always available).

Factor protocol: ``moments(n)`` (exact or float, ``m_1..m_n``), ``cauchy(z)``
(vectorised complex), ``atoms()`` (list of ``(location, mass)``), and
optionally ``s_transform(w)`` (vectorised; used when present),
``s_transform_derivative(w)`` and ``cauchy_derivative(z)`` (used for Newton's
method when present, else numerical differentiation), ``cauchy_boundary(x)``
(``(G(x + i0), error)`` at real ``x``), ``cauchy_error(z)`` and
``psi_and_derivative(z)`` (``(zG - 1, (zG)', error, zG)`` summed without the
cancellation of ``zG - 1`` far from the factor's support; used for the
subordination equation when present).

Pushforwards.  When one factor without an S-transform has power 1 and every
other factor is a point mass ``delta_a``, the product is that factor rescaled
by ``c = prod a^L`` and its subordination point is ``zeta = z/c``, which
reaches the real axis with ``z``: there the equation needs the factor's
boundary values, which a Cauchy transform known off the axis does not supply.
Such a law is evaluated directly, ``G(z) = G_mu(z/c)/c``, with
``cauchy_boundary`` on the axis (required; TransformUndefinedError otherwise),
and certified like any other density.

Examples
--------
A small factor class (any object with these methods works, e.g. the laws of
:mod:`freealg.laws`): Marchenko-Pastur of ratio 1, ``S(w) = 1/(1 + w)``.

>>> import numpy as np
>>> from fractions import Fraction
>>> from math import comb
>>> class MP:
...     def moments(self, n):
...         return [Fraction(comb(2 * k, k), k + 1) for k in range(1, n + 1)]
...     def cauchy(self, z):
...         z = np.asarray(z, complex)
...         return (z - np.sqrt(z) * np.sqrt(z - 4)) / (2 * z)
...     def s_transform(self, w):
...         return 1 / (1 + w)
...     def atoms(self):
...         return []
>>> law = free_mul_law([MP()], powers=[2])          # MP ⊠ MP
>>> law.moments(4)                                   # Fuss-Catalan
[1, 3, 12, 55]
>>> res = law.density([1.0, 7.0])
>>> res.support, res.evidence.ok
([(0.0, 6.75...)], True)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..laws.interface import LawMethods
from .mul_engine import _MulEngine, _PushEngine
from .mul_exact import _product_atoms, _product_moments, _Seq
from .mul_factors import _check_factors, _Closed, _ViaCauchy
from ..errors import InvalidArgumentError, TransformUndefinedError

__all__ = ["free_mul_law", "FreeMulLaw"]


class FreeMulLaw(LawMethods):
    r"""The free multiplicative convolution ``⊠_j mu_j^{⊠ L_j}`` of laws on
    ``[0, oo)`` (build it with :func:`free_mul_law`).

    Methods ``moments``, ``cauchy``, ``density``, ``support``, ``atoms`` (the
    law protocol of :mod:`freealg`), and ``s_transform``.

    Parameters
    ----------
    factors : law-like object or sequence of them
        Each with ``moments(n)``, ``cauchy(z)``, ``atoms()`` and optionally
        ``s_transform(w)`` (module docstring: factor protocol), with a
        positive mean.
    powers : int or sequence of int, optional
        ``L_j``, each ``1 <= L_j <= 100000`` (default all 1).

    Raises
    ------
    InvalidArgumentTypeError
        If ``factors`` is neither a law nor a sequence, or a power is not an
        integer.
    InvalidArgumentError
        If ``factors`` is empty, ``powers`` has the wrong length or an entry
        ``< 1``, a factor lacks a protocol method, or the point-mass factors
        multiply beyond float64.
    TooLargeError
        If a power exceeds 100000.
    TransformUndefinedError
        If a factor's mean is not positive.

    Examples
    --------
    >>> from freealg import MarchenkoPastur
    >>> law = FreeMulLaw([MarchenkoPastur()], powers=[2])     # MP ⊠ MP
    >>> law
    FreeMulLaw(MarchenkoPastur^2)
    >>> law.moments(4)                                        # Fuss–Catalan
    [1, 3, 12, 55]
    """

    def __init__(self, factors, powers=None):
        factors, powers = _check_factors(factors, powers)
        self.factors = factors
        self.powers = [int(L) for L in powers]
        m1 = [float(f.moments(1)[0]) for f in factors]
        for k, m in enumerate(m1):
            if not m > 0:
                raise TransformUndefinedError(
                    f"factor {k} has mean {m}; the S-transform (and ⊠ through it) needs a "
                    "law on [0, oo) with positive mean"
                )
        self._closed, self._viac = [], []
        for f, L in zip(factors, self.powers):
            if callable(getattr(f, "s_transform", None)):
                self._closed.append(_Closed(f, L))
            else:
                v = _ViaCauchy(f, L)
                from ..cumulants import s_transform_coefficients

                v.s_series = np.array([complex(c) for c in s_transform_coefficients(
                    [float(m) for m in f.moments(10)])])
                self._viac.append(v)
        self._numeric_ready = False
        self._support = None
        self._residues = {}
        self._push = self._find_pushforward()

    def _purely_atomic(self):
        """The product has no continuous part: every factor a point mass, or
        all but one, which is purely atomic (its atoms' masses sum to 1) and
        of power 1 (``delta_a ⊠ mu`` is ``mu`` rescaled; a power >= 2 of an
        atomic law, e.g. ``B^{⊠2}`` of a Bernoulli, has a continuous part)."""
        rest = []
        for f, L in zip(self.factors, self.powers):
            at = [(a, m) for a, m in f.atoms() if m != 0]
            if not (len(at) == 1 and float(at[0][1]) == 1.0):
                rest.append((f, L))
        if not rest:
            return True
        if len(rest) != 1 or rest[0][1] != 1:
            return False
        return float(sum(m for _, m in rest[0][0].atoms())) == 1.0

    def _find_pushforward(self):
        """``(factor, c)`` when the product is the pushforward of one factor
        ``mu`` without a closed S-transform under ``x -> c x``: every other
        factor a point mass ``delta_a`` (``c = prod a^L``) and ``mu`` of power
        1.  Then the subordination point is ``zeta = z/c`` itself, which
        reaches the real axis with ``z``: the equation needs ``mu``'s boundary
        values there, so ``G(z) = G_mu(z/c)/c`` is evaluated directly
        (:class:`_PushEngine`).  ``None`` otherwise."""
        log_c = 0.0  # log of the product of the point masses' powers (no overflow at L ~ 1e4)
        rest = []
        for f, L in zip(self.factors, self.powers):
            at = [(a, m) for a, m in f.atoms() if m != 0]
            if len(at) == 1 and float(at[0][1]) == 1.0 and float(at[0][0]) > 0:
                log_c += L * math.log(float(at[0][0]))
            else:
                rest.append((f, L))
        if len(rest) != 1 or rest[0][1] != 1:
            return None
        f = rest[0][0]
        if not any(v.law is f for v in self._viac):
            return None  # a closed S-transform: the equation has no zeta
        if float(sum(m for _, m in f.atoms())) == 1.0:
            return None  # purely atomic: boundary values are real sums
        c = math.exp(log_c) if log_c < 709.0 else math.inf
        if not (math.isfinite(c) and c > 0):
            raise InvalidArgumentError(
                f"the point-mass factors multiply to exp({log_c:.6g}), outside float64; rescale a factor"
            )
        return f, c

    def _numeric(self):
        """Float moments and the length scale (computed on first numeric use)."""
        if self._numeric_ready:
            return
        # float moments from the S-series in 40-digit mpmath, whatever the
        # data's kind: the exact ones can have 10^5 digits (minutes of
        # Fraction arithmetic at depth 500) and sympy arithmetic on float data
        # costs ~0.25 s even at depth 32; only scales and start values use them
        mom = self._float_moments(24)
        if mom is None:
            mom = _product_moments(self.factors, self.powers, 24, numeric_dps=40)
        logs = []
        for m in mom:
            if isinstance(m, (int, Fraction)):
                m = Fraction(m)
                logs.append(math.log(m.numerator) - math.log(m.denominator) if m > 0 else -math.inf)
            else:
                from .._utils.mpctx import mpmath
                logs.append(float(mpmath.log(m)) if m > 0 else -math.inf)
        roots = [lg / (k + 1) for k, lg in enumerate(logs)]
        ratios = [logs[k + 1] - logs[k] for k in range(23) if logs[k] > -math.inf]
        lscale = max(roots + ratios)
        if not -600 < lscale < 600:
            raise InvalidArgumentError(
                f"the product lives at the scale 10^{lscale / math.log(10):.0f}, outside "
                "float64; rescale a factor (e.g. multiply by a point mass so that m_1 = 1)"
            )
        self._scale = math.exp(lscale)
        self._mom_float = np.array([float(m) for m in mom[:10]])
        self._numeric_ready = True

    def _float_moments(self, n):
        """``m_1..m_n`` from the S-series in float64 (~1 ms, against ~20 ms in
        mpmath), or ``None`` when float64 cannot be trusted with them: a
        moment that is not finite and positive (overflow, cancellation) or a
        sequence that is not log-convex (``m_k^2 <= m_{k-1} m_{k+1}`` holds for
        every law on ``[0, oo)``).  Only scales and start values use them; a
        scale that were still wrong would show as a failed mass check."""
        try:
            seqs = [_Seq([float(v) for v in f.moments(n + 1)]) for f in self.factors]
            with np.errstate(all="raise"):
                mom = [float(v) for v in _product_moments(seqs, self.powers, n + 1)]
        except (TypeError, ValueError, OverflowError, ZeroDivisionError, FloatingPointError):
            return None
        if not all(math.isfinite(v) and v > 0 for v in mom):
            return None
        lm = [0.0] + [math.log(v) for v in mom]
        if any(2 * lm[k] > lm[k - 1] + lm[k + 1] + 1e-9 for k in range(1, n)):
            return None
        return mom[:n]

    def __repr__(self):
        parts = [
            f"{type(f).__name__}" + (f"^{L}" if L != 1 else "")
            for f, L in zip(self.factors, self.powers)
        ]
        return f"FreeMulLaw({' ⊠ '.join(parts)})"

    # ------------------------------------------------------------ exact data
    def moments(self, n):
        """Exact moments ``m_1..m_n`` of the product (S-series of the factors'
        moment sequences; exact when theirs are).

        Parameters
        ----------
        n : int
            Number of moments, ``n >= 0`` (``0`` gives ``[]``, as for every law).

        Returns
        -------
        list
            ``[m_1, ..., m_n]``: exact (sympy or ``Fraction``) when the
            factors' moments are exact, floats otherwise.

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``.
        TooLargeError
            If ``n`` is above ``MAX_MOMENT_ORDER`` (checked before any work).

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> free_mul_law([MarchenkoPastur()], powers=[3]).moments(3)   # binom(4n, n)/(3n + 1)
        [1, 4, 22]
        """
        from ..laws._kinds import _check_order

        n = _check_order(n)
        return _product_moments(self.factors, self.powers, n) if n else []

    def atoms(self):
        """Atoms ``[(location, mass)]`` from the factors' atoms (Belinschi's
        rule; exact when the factors' atoms are).

        Returns
        -------
        list of tuple
            ``[(location, mass), ...]``; ``[]`` when there is none.

        Examples
        --------
        Two free projections of trace 1/2: the larger mass at 0 survives:

        >>> import sympy
        >>> from freealg import Bernoulli
        >>> free_mul_law([Bernoulli(sympy.Rational(1, 2))], powers=[2]).atoms()
        [(0, 1/2)]
        """
        return _product_atoms(self.factors, self.powers)

    def s_transform(self, w):
        """``S(w) = prod_j S_j(w)^{L_j}`` (factors with ``s_transform`` only).

        Parameters
        ----------
        w : complex or array_like of complex
            Finite points.

        Returns
        -------
        ndarray of complex
            Shaped like ``w`` (0-d for a scalar).

        Raises
        ------
        TransformUndefinedError
            If a factor has no ``s_transform``.
        InvalidArgumentError
            If ``w`` holds NaN or infinities.
        InvalidArgumentTypeError
            If ``w`` is not numeric.

        Examples
        --------
        ``MP^{⊠2}`` has ``S(w) = (1 + w)^{−2}``:

        >>> from freealg import MarchenkoPastur
        >>> free_mul_law([MarchenkoPastur()], powers=[2]).s_transform([0.0, 1.0])
        array([1.  +0.j, 0.25+0.j])
        """
        if self._viac:
            raise TransformUndefinedError(
                "a factor has no closed s_transform; use cauchy() or density()"
            )
        from .._utils.validate import check_finite_array

        w = check_finite_array(w, "w", dtype=complex)
        out = np.ones_like(w)
        for f in self._closed:
            out = out * f.S(w) ** f.L
        return out

    # -------------------------------------------------------------- numerics
    def _engine(self):
        if self._push is not None:
            return _PushEngine(self)
        return _MulEngine(self)

    def cauchy(self, z):
        """``G(z)`` of the product at complex ``z`` (vectorised; ``Im z < 0``
        by conjugation, real ``z != 0`` gives the boundary value ``G(x + i0)``).

        Parameters
        ----------
        z : complex or array_like of complex
            Finite points other than 0.

        Returns
        -------
        ndarray of complex
            Shaped like ``z`` (0-d for a scalar).

        Raises
        ------
        ConvergenceError
            Where the continuation fails.
        InvalidArgumentError
            If ``z`` holds NaN, infinities or 0 (a singular point: evaluate
            at ``i·ε``), or the product's scale is outside float64.
        InvalidArgumentTypeError
            If ``z`` is not numeric.

        Examples
        --------
        ``MP^{⊠2}`` at ``z = −1``: ``G`` is the real root of
        ``z²G³ − zG + 1 = G³ + G + 1 = 0``:

        >>> from freealg import MarchenkoPastur
        >>> g = complex(free_mul_law([MarchenkoPastur()], powers=[2]).cauchy(-1.0))
        >>> round(g.real, 10), abs(g.imag) < 1e-12
        (-0.6823278038, True)
        """
        from ..errors import ConvergenceError

        from .._utils.validate import check_finite_array

        zz = check_finite_array(z, "z", dtype=complex)
        flat = zz.ravel()
        if np.any(flat == 0):
            raise InvalidArgumentError(
                "z = 0 is a singular point of the equation (hard edge or atom at 0); "
                "evaluate at z = i*eps instead"
            )
        lower = flat.imag < 0
        w = np.where(lower, flat.conj(), flat)
        G, _, _, ok, _ = self._engine().values(w.real, w.imag)
        if not np.all(ok):
            raise ConvergenceError(
                f"continuation failed at z = {complex(w[~ok][0]):.6g} ({int(np.sum(~ok))} points)"
            )
        return np.where(lower, G.conj(), G).reshape(zz.shape)

    def support(self):
        """Intervals where the density is certifiably positive at double
        precision.

        The sign of the certified boundary value ``Im G(x + i0)`` is scanned
        on a linear and a logarithmic grid up to ``4 x`` the moment scale
        (``1e-14`` of it at the low end), and every sign change is refined by
        bisection (or, for factors with closed S-transforms, by the stationary
        point of ``x(w) = (1 + w)/(w S(w))``) to ``1e-13`` relative.  A point
        counts as in the support when ``|Im G|`` exceeds its float64 error
        bound (``err + 8 eps |G|``, typically ``1e-14 |G|``).  At an edge
        where the density vanishes like a power (square-root edges, hard
        edges at 0) this is the mathematical edge to ``1e-13``; where it
        vanishes faster than any power (e.g. the law of ``tanh'(h)^2`` near 0,
        ``rho ~ exp(-c log(x)^2)``) the reported edge is where the density
        falls below its error bound, about ``1e-14 |G|``, and the
        mathematical support is larger (the missing mass is below that
        bound times the interval length).  A factor's own numerical
        representation can cut it further (the law of ``phi'(h)^2`` of
        :mod:`freealg.dnn` truncates the Gaussian at 9 standard deviations,
        dropping mass ``< 2e-19``).

        Returns
        -------
        list of tuple of float
            Sorted intervals ``[(a, b), ...]``.

        Raises
        ------
        ConvergenceError
            If the continuation fails during the scan.
        InvalidArgumentError
            If the product's scale is outside float64.

        Examples
        --------
        ``MP^{⊠2}`` lives on ``[0, 27/4]``:

        >>> from freealg import MarchenkoPastur
        >>> free_mul_law([MarchenkoPastur()], powers=[2]).support()
        [(0.0, 6.75)]
        """
        if self._support is None:
            self._support = self._engine().support()
        return list(self._support)

    def density(self, x, *, dps=None, strict=True, n_moments=8, mass_tol=1e-9, moment_tol=1e-8):
        """Certified density on the grid ``x`` (see
        :func:`freealg.density.curve_density` for the parameters and the
        evidence); the exact moments are those of :meth:`moments`.

        Parameters
        ----------
        x : float or array_like of float
            Grid (any shape, at least one finite point).
        dps : int or None, optional
            ``None``: float64 (mpmath polishing where needed);
            ``15 <= dps <= 1000``: every value polished to ``dps`` digits.
        strict : bool, optional
            ``True`` (default): a failed check raises; ``False``: it warns
            and the result carries the failed evidence.
        n_moments : int, optional
            Number of exact moments checked (default 8).
        mass_tol, moment_tol : float, optional
            Tolerances of the mass and (relative) moment checks.

        Returns
        -------
        DensityResult
            Density in the project convention (0 outside the support,
            ``+inf`` at a divergent hard edge, ``nan`` at an atom).

        Raises
        ------
        InvalidArgumentError
            For an empty or non-finite grid, or ``dps < 15``.
        InvalidArgumentTypeError
            For a non-numeric grid or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.
        CertificationError
            With ``strict=True``, if a check fails.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> res = free_mul_law([MarchenkoPastur()], powers=[2]).density([1.0, 7.0])
        >>> [round(float(v), 8) for v in res.density], res.evidence.ok
        ([0.17897913, 0.0], True)
        """
        from .result import certified_density

        return certified_density(
            self._engine(), x, dps=dps, strict=strict, n_moments=n_moments,
            mass_tol=mass_tol, moment_tol=moment_tol,
            method="functional equation (log S-transform), vertical continuation",
        )


def free_mul_law(factors, powers=None):
    r"""The law of ``⊠_j mu_j^{⊠ L_j}`` for laws ``mu_j`` on ``[0, oo)``.

    Parameters
    ----------
    factors : sequence of law-like objects
        Each with ``moments(n)``, ``cauchy(z)``, ``atoms()`` and optionally
        ``s_transform(w)`` (``S(w) = chi(w)(1 + w)/w``, docs/theory.md §1).
    powers : sequence of int, optional
        ``L_j >= 1`` (default all 1).  The cost does not depend on them.

    Returns
    -------
    FreeMulLaw

    Raises
    ------
    InvalidArgumentTypeError
        If ``factors`` is neither a law nor a sequence, or a power is not an
        integer.
    InvalidArgumentError
        If ``factors`` is empty, ``powers`` has the wrong length or an entry
        ``< 1``, or a factor lacks ``moments``, ``cauchy`` or ``atoms``.
    TooLargeError
        If a power exceeds 100000.
    TransformUndefinedError
        If a factor's mean is not positive.

    Examples
    --------
    Free projections of trace ``1/2`` (Bernoulli, ``S = (1 + w)/(1/2 + w)``):
    ``B^{⊠ 2}`` has the atom ``1/2`` at 0 (Belinschi: the larger mass at 0).

    >>> from fractions import Fraction
    >>> import numpy as np
    >>> class Bernoulli:
    ...     def __init__(self, p):
    ...         self.p = Fraction(p)
    ...     def moments(self, n):
    ...         return [self.p] * n
    ...     def cauchy(self, z):
    ...         p = float(self.p)
    ...         return (1 - p) / np.asarray(z) + p / (np.asarray(z) - 1)
    ...     def s_transform(self, w):
    ...         return (1 + w) / (float(self.p) + w)
    ...     def atoms(self):
    ...         return [(0, 1 - self.p), (1, self.p)]
    >>> law = free_mul_law([Bernoulli(Fraction(1, 2))], powers=[2])
    >>> law.atoms()
    [(0, Fraction(1, 2))]
    >>> law.moments(3)          # m_2 = a b^2 + a^2 b - a^2 b^2 = 3/16 at a = b = 1/2
    [Fraction(1, 4), Fraction(3, 16), Fraction(5, 32)]
    """
    return FreeMulLaw(factors, powers)
