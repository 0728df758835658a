r"""The activation-derivative law ``ν`` on the real line: its Cauchy transform by
Gaussian quadrature, its range (the support), its atoms and its pushforward
density (the numerics of :class:`~freealg.laws.activation.ActivationDerivativeLaw`)."""
from __future__ import annotations

import numpy as np
import sympy

from .._utils.numbers import to_mpf
from .._utils.validate import check_dps
from ..errors import InvalidArgumentError
from ._kinds import _complex_points, _real_points
from ._closed import _closed_form


class ActivationLawNumerics:
    """Cauchy transform, support, atoms and density of ``ν``: the methods of
    :class:`~freealg.laws.activation.ActivationDerivativeLaw` on the real line
    (they use its ``activation``, ``_params``, ``dps`` and ``_f``)."""

    def cauchy(self, z, dps=None):
        """``E[1/(ζ − φ'(√q z)²)]`` by mpmath quadrature (accurate off the real axis).

        Parameters
        ----------
        z : complex or array_like of complex
            Points off the support ``[inf φ'², sup φ'²]`` of the real axis.
        dps : int or None, optional
            ``None``: complex128 values computed at the law's ``dps``;
            ``1 <= dps <= 1000``: mpmath values at that many digits.

        Returns
        -------
        complex or ndarray
            A complex scalar for a scalar ``z``, else a complex array (mpmath
            ``mpc`` numbers with ``dps``).

        Raises
        ------
        InvalidArgumentError
            For a real ``z`` in ``[0, sup φ'²]``, a non-finite ``z``, or a
            symbolic ``q``.
        InvalidArgumentTypeError
            For a non-numeric ``z`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> from freealg import activation_derivative_law
        >>> nu = activation_derivative_law("erf", 1, dps=15)
        >>> g = complex(nu.cauchy(2.0))           # right of the support [0, 4/π]
        >>> round(g.real, 10), g.imag
        (0.7935539385, 0.0)
        """
        self._require_numeric("cauchy")
        from ..activations import gaussian_expectation
        from .._utils.mpctx import mpmath

        work = self.dps if dps is None else check_dps(dps)
        q = self._params["q"]
        arr = np.asarray(_complex_points(z, "z"), dtype=object if dps is not None else complex)
        out = []
        with mpmath.workdps(work + 5):
            qm = to_mpf(q, dps=work)
            for v in arr.ravel():
                zv = mpmath.mpmathify(v)
                if zv.imag == 0 and (mpmath.mpf(0) <= zv.real <= self._sup_bound()):
                    raise InvalidArgumentError(
                        f"cauchy({v}) is on the support: pass a point off the real axis"
                    )
                re = gaussian_expectation(lambda t: mpmath.re(1 / (zv - self._f(t))), qm, dps=work,
                                          breakpoints=self.activation.breakpoints)
                im = gaussian_expectation(lambda t: mpmath.im(1 / (zv - self._f(t))), qm, dps=work,
                                          breakpoints=self.activation.breakpoints)
                out.append(mpmath.mpc(re, im))
        if dps is None:
            res = np.array([complex(v) for v in out], dtype=complex)
        else:
            res = np.empty(len(out), dtype=object)
            res[:] = out
        return res[0] if arr.ndim == 0 else res.reshape(arr.shape)

    def _sup_bound(self):
        lo, hi = self._range()
        return hi

    def _range(self):
        """Numerical range ``[inf f, sup f]`` of ``f(ζ) = φ'(√q ζ)²``: the
        values at ``ζ = ±40`` (the tails) and at the interior critical points
        (bracketed on a grid, bisected on the exact derivative)."""
        if getattr(self, "_range_cache", None) is not None:
            return self._range_cache
        from .._utils.mpctx import mpmath

        q = self._params["q"]
        gp = self._g_prime()
        with mpmath.workdps(30):
            s = mpmath.sqrt(to_mpf(q, dps=30))
            grid = [s * mpmath.mpf(k) / 50 for k in range(-2000, 2001)]  # ζ in [-40, 40]
            vals = [self._f(u) for u in grid]
            cands = [vals[0], vals[-1]]
            # interior extrema: sign changes of the exact derivative g' of
            # g = φ'², refined by bisection (a grid maximum is off by
            # ~g'' Δu²/8, 1e-5 relative for SiLU)
            for i in range(1, len(grid) - 1):
                if not (vals[i] - vals[i - 1]) * (vals[i + 1] - vals[i]) <= 0:
                    continue
                if vals[i] == vals[i - 1] == vals[i + 1]:
                    continue  # flat (e.g. underflow in a tail)
                a, b = grid[i - 1], grid[i + 1]
                da, db = gp(a), gp(b)
                if da == 0 or db == 0 or not da * db < 0:
                    cands.append(vals[i])
                    continue
                for _ in range(120):
                    m = (a + b) / 2
                    dm = gp(m)
                    if dm == 0 or b - a <= abs(m) * mpmath.eps * 4 + mpmath.mpf(10) ** -40:
                        break
                    if (dm > 0) == (da > 0):
                        a, da = m, dm
                    else:
                        b = m
                cands.append(self._f((a + b) / 2))
                cands.extend([vals[i], vals[i + 1]])
            lo, hi = min(cands), max(cands)
        self._range_cache = (lo, hi)
        return self._range_cache

    def support(self):
        """The range ``[inf φ'², sup φ'²]`` of ``φ'(√q ζ)²`` over ``ζ``, as floats.

        Returns
        -------
        list of tuple of float
            ``[(lo, hi)]`` (``[]`` for ``q = 0``, a point mass), found
            numerically on ``ζ ∈ [−40, 40]`` with interior extrema refined.

        Raises
        ------
        InvalidArgumentError
            If ``q`` is symbolic (substitute first with :meth:`subs`).

        Examples
        --------
        For erf the range is ``(0, 4/π]``:

        >>> from freealg import activation_derivative_law
        >>> nu = activation_derivative_law("erf", 1, dps=15)
        >>> [round(v, 12) for v in nu.support()[0]]
        [0.0, 1.273239544735]
        """
        self._require_numeric("support")
        if self._params["q"] == 0:
            return []
        lo, hi = self._range()
        return [(float(lo), float(hi))]

    def atoms(self):
        """Atoms: ``[(φ'(0)², 1)]`` at ``q = 0``, none otherwise.

        Returns
        -------
        list of tuple
            ``[]`` for ``q > 0``.

        Raises
        ------
        InvalidArgumentError
            If ``q`` is symbolic (substitute first with :meth:`subs`).

        Examples
        --------
        >>> from freealg import activation_derivative_law
        >>> activation_derivative_law("erf", 1, dps=15).atoms()
        []
        """
        self._require_numeric("atoms")
        if self._params["q"] == 0:
            from .._utils.mpctx import mpmath

            return [(self._f(mpmath.mpf(0)), sympy.Integer(1))]
        return []

    def _g_prime(self):
        """``u ↦ d/du φ'(u)²`` as an mpmath function (exact derivative: a finite
        difference loses every digit where ``g`` is flat or the scale extreme)."""
        fn = getattr(self, "_gprime_cache", None)
        if fn is None:
            act = self.activation
            expr = sympy.diff(act.dexpr**2, act.symbol)
            from .._utils.mpctx import lambdify_modules

            fn = sympy.lambdify(act.symbol, expr, modules=lambdify_modules())
            self._gprime_cache = fn
        return fn

    @_closed_form
    def density(self, x, dps=None):
        r"""Pushforward density of ``N(0, 1)`` under ``ζ ↦ φ'(√q ζ)²``.

        In the variable ``u = √q ζ``: ``ρ(y) = Σ_{g(u)=y} ϕ(u/√q)/(√q |g'(u)|)``
        with ``g = φ'²`` and ``g'`` differentiated exactly.  Preimages are
        bracketed on the union of a grid in ``ζ ∈ [−20, 20]`` and a grid in
        ``u ∈ [−20, 20]`` (so both tiny and huge ``q`` resolve the shape of
        ``g``) and found by bisection (geometric on wide brackets).

        Parameters
        ----------
        x : float or array_like of float
            Real, finite points.
        dps : int or None, optional
            ``None``: float64 values (computed at 20 digits); ``1 <= dps <=
            1000``: mpmath values at that many digits.

        Returns
        -------
        float or ndarray
            A float for a scalar ``x``, else an array of the shape of ``x``
            (an object array of mpmath numbers with ``dps``).  0 outside the
            range of ``φ'²``.

        Raises
        ------
        InvalidArgumentError
            For a non-finite or non-real ``x``, or a symbolic ``q``.
        InvalidArgumentTypeError
            For a non-numeric ``x`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.

        Examples
        --------
        >>> from freealg import activation_derivative_law
        >>> nu = activation_derivative_law("tanh", 1, dps=15)
        >>> round(nu.pdf(0.5), 6)
        0.613553
        """
        self._require_numeric("density")
        from .._utils.mpctx import mpmath

        work = 20 if dps is None else check_dps(dps)
        q = self._params["q"]
        arr = np.asarray(_real_points(x, "x"), dtype=float if dps is None else object)
        gp = self._g_prime()
        out = []
        with mpmath.workdps(work + 10):
            s = mpmath.sqrt(to_mpf(q, dps=work + 10))
            zgrid = [s * mpmath.mpf(k) / 25 for k in range(-500, 501)]  # ζ ∈ [-20, 20]
            ugrid = [mpmath.mpf(k) / 25 for k in range(-500, 501) if abs(k) <= 500 * s]
            grid = sorted(set(zgrid) | set(ugrid))
            fg = [self._f(u) for u in grid]
            iters = int(3.4 * (work + 10))
            for y in arr.ravel():
                y = mpmath.mpf(y)
                total = mpmath.mpf(0)
                for i in range(len(grid) - 1):
                    a, b = fg[i] - y, fg[i + 1] - y
                    if not (a == 0 or a * b < 0):
                        continue
                    lo, hi = grid[i], grid[i + 1]
                    flo = a
                    for _ in range(4 * iters):
                        if lo > 0 and hi > 4 * lo:
                            mid = mpmath.sqrt(lo * hi)
                        elif hi < 0 and lo < 4 * hi:
                            mid = -mpmath.sqrt(lo * hi)
                        else:
                            mid = (lo + hi) / 2
                        fm = self._f(mid) - y
                        if flo * fm <= 0:
                            hi = mid
                        else:
                            lo, flo = mid, fm
                        if hi - lo <= abs(hi) * mpmath.mpf(2) ** (-mpmath.mp.prec):
                            break
                    u = (lo + hi) / 2
                    der = gp(u)
                    if der != 0:
                        total += mpmath.npdf(u / s) / (s * abs(der))
                out.append(total)
        if dps is None:
            res = np.array([float(v) for v in out])
        else:
            with mpmath.workdps(work):
                res = np.empty(len(out), dtype=object)
                res[:] = [+v for v in out]
        return res[0] if arr.ndim == 0 else res.reshape(arr.shape)
