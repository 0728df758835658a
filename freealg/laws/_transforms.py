"""Moments, free cumulants and the S- and R-transforms of a law: the methods
every :class:`~freealg.laws.base.Law` shares, and the numeric evaluation of a
transform expression."""
from __future__ import annotations


import numpy as np
import sympy

from .._utils import detsympy as _ds
from .._utils.symbolic import sympify_safe
from .._utils.validate import check_finite_array, check_point
from ..errors import TransformUndefinedError

from ._kinds import W, _check_order, _finite_transform


class LawTransforms:
    """Moments, cumulants and transforms of a :class:`~freealg.laws.base.Law`."""

    def moments(self, n):
        """Moments ``m_1, ..., m_n``: exact for exact (or symbolic) parameters,
        floats when a parameter was given as a float.

        Parameters
        ----------
        n : int
            Number of moments, ``0 <= n <= 2000`` (``n = 0`` gives ``[]``).

        Returns
        -------
        list
            ``[m_1, ..., m_n]``: sympy numbers or expressions for an exact or
            symbolic law, Python floats for a float law.

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``.
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        >>> from freealg import PointMass
        >>> from freealg import MarchenkoPastur
        >>> PointMass(3).moments(3)
        [3, 9, 27]
        >>> MarchenkoPastur(0.3).moments(2)     # λ + λ² at the float 0.3 (just below 3/10)
        [0.3, 0.38999999999999996]
        >>> MarchenkoPastur(0.5).moments(2)
        [0.5, 0.75]
        """
        return self._as_kind(self._exact_moments(n))

    def _exact_moments(self, n):
        """The exact moments, whatever the kind of the parameters."""
        if type(self).moments is not LawTransforms.moments:  # a subclass with its own moments
            return self.moments(n)
        n = _check_order(n)
        if n == 0:
            return []
        return [sympy.expand(v) if isinstance(v, sympy.Basic) else v for v in self._moments(n)]

    def _moments(self, n):  # pragma: no cover - abstract
        raise NotImplementedError

    def free_cumulants(self, n):
        """Free cumulants ``κ_1, ..., κ_n`` (exact).

        Parameters
        ----------
        n : int
            Number of cumulants, ``0 <= n <= 2000``.

        Returns
        -------
        list
            ``[κ_1, ..., κ_n]``: exact sympy values (floats for a float law).

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``.
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=2, jump=3).free_cumulants(3)     # κ_n = λ α^n
        [6, 18, 54]
        """
        return self._as_kind(self._exact_free_cumulants(n))

    def _exact_free_cumulants(self, n):
        from ..cumulants import free_cumulants

        n = _check_order(n)
        if n == 0:
            return []
        return [sympy.expand(sympify_safe(v)) for v in free_cumulants(self._exact_moments(n))]

    def mean(self):
        """The mean ``m_1``.

        Returns
        -------
        sympy expression or float
            Exact (sympy) for exact or symbolic parameters, a float for a
            float law.

        Examples
        --------
        >>> from freealg import Bernoulli
        >>> Bernoulli(sympy.Rational(1, 4)).mean()
        1/4
        """
        return self.moments(1)[0]

    def variance(self):
        """``m_2 − m_1²``.

        Returns
        -------
        sympy expression or float
            The factored exact variance, or a float for a float law.

        Examples
        --------
        >>> from freealg import Arcsine
        >>> Arcsine(-2, 2).variance()
        2
        """
        m1, m2 = self._exact_moments(2)
        return self._as_kind([_ds.factor(sympy.expand(m2 - m1**2))])[0]

    # -- transforms -------------------------------------------------------------
    def _s_rational(self):
        """The S-transform as a rational sympy function of ``W``, or None."""
        return None

    def _r_rational(self):
        """The R-transform as a rational sympy function of ``W``, or None."""
        return None

    def s_transform(self, w=None):
        r"""The S-transform ``S(w) = χ(w)(1 + w)/w`` (docs/theory.md §1).

        Parameters
        ----------
        w : number, array of numbers, sympy expression, text or None
            Where to evaluate; ``None`` returns an expression in ``Symbol('w')``.
            A list or array is evaluated entrywise (a complex array back).

        Returns
        -------
        sympy expression, complex or ndarray of complex
            An expression in ``w`` for ``w=None`` or a symbolic ``w``; a
            complex number (numpy scalar or mpmath ``mpc``) for a float,
            complex or mpmath ``w``; a complex array for a list or array.
            Floats stay floats: a float law gives sympy floats.

        Raises
        ------
        TransformUndefinedError
            When ``m_1 = 0``, or at a pole of the transform.
        InvalidArgumentError
            For a non-finite ``w`` (or entry).
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur(rate=2).s_transform()
        1/(w + 2)
        """
        w = check_point(w, "w", symbols={"w": W})
        m1 = self.mean()
        if m1 == 0:
            raise TransformUndefinedError(
                f"the S-transform of {self!r} does not exist: its mean m_1 = 0. "
                "⊠ needs laws with non-zero mean (shift the law, or use moments)"
            )
        return self._transform_at("S", w)

    def _s_closed(self):
        return None

    def r_transform(self, w=None):
        r"""The R-transform, ``G(R(w) + 1/w) = w``, ``R(w) = Σ κ_n w^{n−1}``.

        Parameters
        ----------
        w : number, array of numbers, sympy expression, text or None
            Where to evaluate; ``None`` returns an expression in
            ``Symbol('w')``.  Text is parsed by the safe grammar (only ``w``
            as a symbol).

        Returns
        -------
        sympy expression or ndarray of complex
            An expression in ``w`` for ``w=None`` or a symbolic ``w``; the
            exact value at an exact scalar ``w`` (a sympy float at a float
            ``w``); a complex array for an array ``w``.

        Raises
        ------
        TransformUndefinedError
            At a pole or branch point of the closed form.
        InvalidArgumentError
            For a non-finite ``w`` (or entry); for a float law whose
            transform needs the curve (use ``law.curve(exact=True)``).
        InvalidArgumentTypeError
            For a ``bool``, bytes, a mapping, a ragged or non-numeric array.
        NotAlgebraicError
            For a law without closed form and without an algebraic curve.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle(mean=1, variance=2).r_transform()
        2*w + 1
        """
        w = check_point(w, "w", symbols={"w": W})
        return self._transform_at("R", w)

    def _transform_at(self, letter, w):
        """The S- or R-transform (``letter``) at a checked ``w``: the law's
        rational or closed form (else its curve's), as an expression for
        ``w = None``, numerically for numpy/mpmath/float points, exactly for
        exact ones."""
        low = letter.lower()
        expr = getattr(self, f"_{low}_rational")()
        if expr is None:
            expr = getattr(self, f"_{low}_closed")()
        if expr is None:
            return self._expr_kind(getattr(self._exact_twin().curve(), f"{low}_transform")(w))
        if w is None:
            return self._expr_kind(expr)
        numeric = _numeric_evaluator(self, f"_{low}_numeric", expr, w)
        if numeric is not None:
            return numeric
        return self._expr_kind(_finite_transform(sympify_safe(expr).subs(W, w), self, letter, w))

    def _r_closed(self):
        return None

    # -- curve and numerics -----------------------------------------------------


def _numeric_evaluator(law, attr, expr, w):
    """Evaluate ``expr(W)`` at numeric ``w`` (numpy arrays and complex/float
    scalars vectorised through numpy, mpmath numbers through mpmath), with the
    lambdified functions cached on the law; ``None`` for symbolic ``w``."""
    import numpy as np

    from .._utils.mpctx import lambdify_modules

    is_mp = type(w).__module__.startswith("mpmath")
    # a Python int is exact for an exact law (the caller substitutes it, like a
    # Fraction or a sympy number); a float law computes in floats at any number
    kinds = (np.ndarray, np.number, complex, float) + ((int,) if getattr(law, "_float", False) else ())
    is_np = isinstance(w, kinds) and not isinstance(w, bool)
    if not (is_mp or is_np):
        return None
    expr = sympify_safe(expr)
    extra = expr.free_symbols - {W}
    if extra:
        law._require_numeric(f"numerical evaluation of {attr.strip('_')}")
    cache = law.__dict__.setdefault("_numeric_cache_fns", {})
    key = (attr, "mpmath" if is_mp else "numpy")
    if key not in cache:
        cache[key] = sympy.lambdify(W, expr, lambdify_modules() if is_mp else "numpy")
    f = cache[key]
    if is_mp:
        return f(w)
    arr = np.asarray(w, dtype=complex)
    what = attr.strip("_").replace("_numeric", "_transform")
    check_finite_array(arr, "w", dtype=complex)
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(f(arr), dtype=complex)
        out = np.broadcast_to(out, arr.shape).copy() if out.shape != arr.shape else out
    except OverflowError:  # an exact coefficient beyond the float range
        out = np.full(arr.shape, complex(np.nan, np.nan))
    bad = ~np.isfinite(out)
    if bad.any():
        # redo those entries in mpmath (no overflow in intermediate steps)
        from .._utils.mpctx import mpmath
        key = (attr, "mpmath")
        if key not in cache:
            from .._utils.mpctx import lambdify_modules

            cache[key] = sympy.lambdify(W, expr, modules=lambdify_modules())
        flat, res = arr.ravel(), out.ravel()
        with mpmath.workdps(30):
            for i in np.flatnonzero(bad.ravel()):
                try:
                    v = cache[key](mpmath.mpc(flat[i]))
                    res[i] = complex(v)
                except (ZeroDivisionError, OverflowError):
                    v = None
                if v is None or not np.isfinite(res[i]):
                    raise TransformUndefinedError(
                        f"{what} of {law!r} at w = {flat[i]} is not a finite float64 number "
                        f"(value {v}): a pole of the transform, or beyond the float64 range"
                    )
        out = res.reshape(arr.shape)
    return out if isinstance(w, np.ndarray) else complex(out)
