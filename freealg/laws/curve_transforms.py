"""The S- and R-transforms of a spectral curve: building a curve from a
rational transform (:meth:`SpectralCurve.from_r_transform`,
:meth:`SpectralCurve.from_s_transform`), the S- and R-curves ``Q(w, ·) = 0``,
and the transforms themselves (exact when rational, a series-selected root of
the transform curve otherwise).  :class:`SpectralCurve` inherits these methods.

Examples
--------
>>> from freealg import SpectralCurve
>>> SpectralCurve.from_r_transform("w").moments(4)        # the semicircle
[0, 1, 0, 2]
"""

from __future__ import annotations

import numpy as np
import sympy

from .._utils import detsympy as _ds
from .._utils.symbolic import sympify_safe
from .._utils.validate import check_point
from .._utils.numbers import to_mpf
from ..errors import ConvergenceError, InvalidArgumentError, InvalidArgumentTypeError, TransformUndefinedError
from .analysis import G, Z
from ._kinds import W, _finite_transform
from .curve_polynomial import R_SYM, S_SYM, _factored_subs, _split_one_plus_w, _strip_monovariate, _transform_expr

__all__ = []


def _numeric_w(w):
    try:
        wv = complex(w)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"w must be a number or None; got {w!r} of type {type(w).__name__}"
        ) from None
    if not (np.isfinite(wv.real) and np.isfinite(wv.imag)):
        raise InvalidArgumentError(f"w must be finite; got {w!r}")
    return wv


def _finite_complex(value, which, w):
    out = complex(value)
    if not (np.isfinite(out.real) and np.isfinite(out.imag)):
        raise InvalidArgumentError(
            f"the {which}-transform at w = {w} is {sympy.N(value, 6) if isinstance(value, sympy.Basic) else value}, "
            "beyond the float64 range; rescale the law (or use the exact expression at w = None)"
        )
    return out


class _CurveTransforms:
    """S- and R-transforms and S-/R-curves (methods of
    :class:`~freealg.laws.curves.SpectralCurve`; the curve holds the known
    rational transforms ``_s`` and ``_r``)."""

    @classmethod
    def from_r_transform(cls, R, w=None, *, law=None):
        r"""Curve of the law whose R-transform is the rational function ``R(w)``.

        With ``R = A/B``, ``G(R(w) + 1/w) = w`` gives
        ``z G B(G) − G A(G) − B(G) = 0``, linear in ``z``, hence irreducible.

        Parameters
        ----------
        R : sympy expression, number or text
            A rational function of ``w`` without a pole at ``w = 0``
            (``R(0) = m_1``).
        w : sympy.Symbol, optional
            The variable of ``R`` (default ``Symbol('w')``).
        law : Law or None, optional
            The law to attach (see the class parameters).

        Returns
        -------
        SpectralCurve
            The irreducible curve, remembering ``R``.

        Raises
        ------
        TransformUndefinedError
            If ``R`` has a pole at ``w = 0``.
        InvalidArgumentTypeError
            If ``w`` is not a Symbol or ``R`` is not an expression, number or
            text.
        BranchError
            If the resulting curve has no branch ``G ~ 1/z``.

        Examples
        --------
        Free Poisson of rate 1: ``R(w) = 1/(1 − w)``:

        >>> import sympy
        >>> from freealg import SpectralCurve
        >>> w = sympy.Symbol("w")
        >>> SpectralCurve.from_r_transform(1 / (1 - w), w)
        SpectralCurve(G**2*z - G*z + 1)
        """
        w = W if w is None else w
        R = sympy.cancel(_transform_expr(R, "R", w).subs(w, W))
        A, B = sympy.fraction(R)
        if B.subs(W, 0) == 0:
            raise TransformUndefinedError(f"R(w) = {R} has a pole at w = 0: not an R-transform")
        A, B = A.subs(W, G), B.subs(W, G)
        disp = G * A + B - Z * G * B
        return cls(sympy.expand(disp), law=law, _r=_ds.factor(R), _display=disp, _irreducible=True)

    @classmethod
    def from_s_transform(cls, S, w=None, *, law=None):
        r"""Curve of the law whose S-transform is the rational function ``S(w)``.

        With ``w = zG − 1`` (so that ``ψ(1/z) = w``) and ``S = A/B``,
        ``S = G/(zG − 1)`` gives ``G B(w) − w A(w) = 0``: one substitution.
        Factors of ``G`` (from ``(1 + w) = zG`` dividing ``A``) are removed;
        the rest is irreducible because ``(w, G) ↦ (z, G) = ((1 + w)/G, G)``
        is birational.

        Parameters
        ----------
        S : sympy expression, number or text
            A rational function of ``w``, finite and non-zero at ``w = 0``
            (``S(0) = 1/m_1``).
        w : sympy.Symbol, optional
            The variable of ``S`` (default ``Symbol('w')``).
        law : Law or None, optional
            The law to attach (see the class parameters).

        Returns
        -------
        SpectralCurve
            The irreducible curve, remembering ``S``.

        Raises
        ------
        TransformUndefinedError
            If ``S(0)`` is 0 or infinite (no law of finite non-zero mean).
        InvalidArgumentTypeError
            If ``w`` is not a Symbol or ``S`` is not an expression, number or
            text.
        BranchError
            If the resulting curve has no branch ``G ~ 1/z``.

        Examples
        --------
        ``MP^{⊠L}`` has ``S = (1 + w)^{−L}``; for ``L = 3``:

        >>> import sympy
        >>> from freealg import SpectralCurve
        >>> w = sympy.Symbol("w")
        >>> SpectralCurve.from_s_transform(1 / (1 + w)**3, w)
        SpectralCurve(G**4*z**3 - G*z + 1)
        """
        w = W if w is None else w
        S = sympy.cancel(_transform_expr(S, "S", w).subs(w, W))
        A, B = sympy.fraction(S)
        if A.subs(W, 0) == 0 or B.subs(W, 0) == 0:
            raise TransformUndefinedError(
                f"S(w) = {S} is 0 or infinite at w = 0, so it is not the S-transform of a law "
                "with finite non-zero mean"
            )
        i, Bp = _split_one_plus_w(B)
        j, Ap = _split_one_plus_w(A)
        k = min(1 + i, j)
        wz = Z * G - 1
        t1 = G ** (1 + i - k) * Z**i * _factored_subs(Bp, wz)
        t2 = wz * Z**j * G ** (j - k) * _factored_subs(Ap, wz)
        disp = t1 - t2
        return cls(sympy.expand(disp), law=law, _s=_ds.factor(S), _display=disp, _irreducible=True)

    def _s_rational(self):
        if self._s is None:
            Q = self.s_polynomial()
            if sympy.degree(Q, S_SYM) == 1:
                a, b = sympy.Poly(Q, S_SYM).all_coeffs()
                self._s = _ds.factor(sympy.cancel(-b / a))
        return self._s

    def _r_rational(self):
        if self._r is None:
            Q = self.r_polynomial()
            if sympy.degree(Q, R_SYM) == 1:
                a, b = sympy.Poly(Q, R_SYM).all_coeffs()
                self._r = _ds.factor(sympy.cancel(-b / a))
        return self._r

    def s_polynomial(self):
        r"""The S-curve ``Q(w, S) = 0`` satisfied by the S-transform: the numerator
        of ``P((1 + w)/(S w), S w)`` with factors free of ``S`` or of ``w`` removed.

        Returns
        -------
        sympy expression
            ``Q(w, S)`` in the symbols ``w`` and ``S``, leading coefficient
            in ``S`` positive.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=2).curve().s_polynomial()     # S = 1/(2 + w)
        S*w + 2*S - 1
        """
        expr = self.polynomial.subs({Z: (1 + W) / (S_SYM * W), G: S_SYM * W}, simultaneous=True)
        return _strip_monovariate(sympy.numer(sympy.together(expr)), S_SYM, W)

    def r_polynomial(self):
        r"""The R-curve ``Q(w, R) = 0``: numerator of ``P(R + 1/w, w)``.

        Returns
        -------
        sympy expression
            ``Q(w, R)`` in the symbols ``w`` and ``R``.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle(variance=2).curve().r_polynomial()     # R = 2w
        R - 2*w
        """
        expr = self.polynomial.subs({Z: R_SYM + 1 / W, G: W}, simultaneous=True)
        return _strip_monovariate(sympy.numer(sympy.together(expr)), R_SYM, W)

    def s_transform(self, w=None):
        r"""The S-transform: exact when rational; numeric (series-guided root of
        the S-curve) at a numeric ``w`` otherwise.

        Parameters
        ----------
        w : number, array, sympy expression, text or None
            ``None`` for the closed form in ``Symbol('w')`` (rational
            transforms only); a number (small ``|w|``, inside the disc where
            the 24-term series selects the branch) for a value; a list or
            array entrywise.

        Returns
        -------
        sympy expression, complex or ndarray of complex
            The rational closed form (or its exact value at an exact ``w``);
            a Python complex for a numeric ``w`` on a non-rational transform;
            a complex array for an array ``w``.

        Raises
        ------
        TransformUndefinedError
            If the mean is 0 (``S`` only); if the transform is not rational
            and ``w`` is ``None`` or symbolic (use :meth:`s_polynomial`); at
            a pole of the closed form.
        ConvergenceError
            If ``w`` is too far from 0 for the series that selects the branch.
        InvalidArgumentError
            For a non-finite ``w``, a value beyond float64, or symbolic
            parameters with a numeric ``w``.
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> from freealg import FussCatalan
        >>> FussCatalan(3).curve().s_transform()
        (w + 1)**(-3)
        """
        return self._transform(w, "S")

    def r_transform(self, w=None):
        r"""The R-transform: exact when rational; numeric otherwise (see
        :meth:`s_transform`).

        Parameters
        ----------
        w : number, array, sympy expression, text or None
            As in :meth:`s_transform`.

        Returns
        -------
        sympy expression, complex or ndarray of complex
            As in :meth:`s_transform`.

        Raises
        ------
        TransformUndefinedError
            If the transform is not rational and ``w`` is ``None`` or
            symbolic (use :meth:`r_polynomial`); at a pole of the closed form.
        ConvergenceError
            If ``w`` is too far from 0 for the series that selects the branch.
        InvalidArgumentError
            For a non-finite ``w``, a value beyond float64, or symbolic
            parameters with a numeric ``w``.
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur().curve().r_transform()
        -1/(w - 1)
        """
        return self._transform(w, "R")

    def _transform(self, w, which):
        w = check_point(w, "w", symbols={"w": W})
        if isinstance(w, np.ndarray):  # entrywise, a complex array back
            flat = [complex(self._transform(v, which)) for v in w.ravel()]
            return np.array(flat, dtype=complex).reshape(w.shape)
        rat = self._s_rational() if which == "S" else self._r_rational()
        if which == "S" and self.mean() == 0:
            raise TransformUndefinedError(
                "the S-transform does not exist: this law has mean m_1 = 0"
            )
        if rat is not None:
            return rat if w is None else _finite_transform(rat.subs(W, w), self, which, w)
        sym = S_SYM if which == "S" else R_SYM
        Q = self.s_polynomial() if which == "S" else self.r_polynomial()
        if w is None or (isinstance(w, sympy.Basic) and not w.is_number):
            raise TransformUndefinedError(
                f"the {which}-transform of this law is algebraic of degree {sympy.degree(Q, sym)}, "
                f"not rational, so it has no single closed form; use the {which}-curve "
                f"{'s_polynomial' if which == 'S' else 'r_polynomial'}() = {Q} = 0, or pass a "
                "numeric w (small |w|) to evaluate it"
            )
        self._require_numeric(f"{which}-transform")
        from .._utils.mpctx import mpmath
        from ..cumulants import free_cumulants, s_transform_coefficients

        wv = _numeric_w(w)
        if wv == 0:  # removable: R(0) = κ_1 = m_1, S(0) = 1/m_1
            m1 = sympify_safe(self.mean())
            return _finite_complex(m1 if which == "R" else 1 / m1, which, w)
        # The branch is the root of Q(w, ·) nearest the 24-term series at w.  All
        # of it runs in mpmath (30 digits, unbounded exponent), so laws of any
        # scale work; the value is converted to complex at the end.
        n = 24
        with mpmath.workdps(30):
            ms = [to_mpf(v) for v in self.moments(n)]
            coeffs = s_transform_coefficients(ms) if which == "S" else free_cumulants(ms)
            wm = mpmath.mpc(wv)
            approx = sum(c * wm**k for k, c in enumerate(coeffs))
            # a float w enters at its exact binary value (never a nearby "nice" rational)
            poly = sympy.Poly(Q.subs(W, sympy.Rational(float(w)) if isinstance(w, (float, np.floating))
                                     else w), sym)
            pc = [to_mpf(c) for c in poly.all_coeffs()]
            try:
                roots = mpmath.polyroots(pc, maxsteps=200, extraprec=60)
                best = min(roots, key=lambda r: abs(r - approx))
            except mpmath.NoConvergence:  # coefficients of wildly different sizes:
                best = approx  # Newton from the series value; checked below
            # polyroots is accurate relative to the largest root; polish the
            # chosen one (a simple root) by Newton steps on Q(w, ·)
            dpc = [c * (len(pc) - 1 - i) for i, c in enumerate(pc[:-1])]
            for _ in range(8):
                d = mpmath.polyval(dpc, best)
                if d == 0:
                    break
                best = best - mpmath.polyval(pc, best) / d
            tail = abs(coeffs[-1] * wm ** (n - 1)) + abs(coeffs[-2] * wm ** (n - 2))
            scale = max(abs(best), abs(coeffs[0]))
            if abs(best - approx) > 1e-6 * scale or tail > 1e-8 * scale:
                raise ConvergenceError(
                    f"w = {w} is too far from 0 for the series that selects the branch of the "
                    f"{which}-transform (24-term series residual {float(abs(best - approx)):.3g}); "
                    "use a smaller |w|"
                )
        return _finite_complex(best, which, w)
