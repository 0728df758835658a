r"""Laws of activation derivatives ``ν = law of φ'(√q z)²`` (private;
re-exported by :mod:`freealg.laws`).
"""

from __future__ import annotations

import numpy as np

from .._utils.symbolic import sympify_safe
import sympy

from .._utils.validate import check_dps
from ..errors import InvalidArgumentError, NotAlgebraicError
from .base import Law
from .discrete import Atomic, Bernoulli, PointMass
from ._kinds import _check_order, _exact, _is_float_kind, _to_float, _src, _sign
from .activation_numerics import ActivationLawNumerics

__all__ = ["ActivationDerivativeLaw", "activation_derivative_law"]


# ---------------------------------------------------------------------------
# laws of activation derivatives
# ---------------------------------------------------------------------------

_MOMENTS = {}  # law key -> moments (mpmath), shared by equal laws (e.g. L = 8 and 64)


def _trapezoid_moments(f, q, n, dps, *, max_level=10):
    r"""``E[f(√q z)^k]``, ``k = 1..n``, ``z ~ N(0, 1)``, in one pass: the
    trapezoid rule on the real line (step ``h``, nodes ``|z| ≤ Z`` with
    ``e^{−Z²/2} < 10^{−dps−15}``), with the values ``f(√q z_j)`` computed once
    for all ``k``.

    For an integrand analytic in the strip ``|Im z| < d`` the error is
    ``O(e^{−2π d/h})`` (Trefethen & Weideman, SIAM Review 56 (2014) §5), so
    halving ``h`` squares it: ``h`` is halved from ``1/2`` until two
    successive sums agree to ``10^{−dps}`` relative for every ``k`` (the
    finer sum is then correct to about twice as many digits).  Returns
    ``None`` when that does not happen by ``h = 2^{−max_level}`` (e.g. a
    kink: the error is then only ``O(h²)``) or when the Gaussian tail at
    ``|z| = Z`` is not negligible against a moment; the caller then uses
    adaptive quadrature per moment.
    """
    from .._utils.mpctx import mpmath

    with mpmath.workdps(dps + 10):
        tol = mpmath.mpf(10) ** (-dps)
        s = mpmath.sqrt(q)
        Z = mpmath.sqrt(2 * (dps + 15) * mpmath.log(10))

        def block(nodes):
            """``Σ_j f_j^k e^{−z_j²/2}`` for k = 1..n over the given nodes."""
            acc = [mpmath.mpf(0)] * n
            for z in nodes:
                fz = f(s * z)
                t = mpmath.exp(-z * z / 2)
                for k in range(n):
                    t = t * fz
                    acc[k] += t
            return acc

        h = mpmath.mpf(1) / 2
        J = int(mpmath.floor(Z / h))
        sums = block([h * j for j in range(-J, J + 1)])
        prev = None
        norm = 1 / mpmath.sqrt(2 * mpmath.pi)
        for level in range(1, max_level + 1):
            h = h / 2
            J = int(mpmath.floor(Z / h))
            new = block([h * j for j in range(-J, J + 1, 2)] if J % 2 else
                        [h * j for j in range(-J + 1, J + 1, 2)])
            sums = [a + b for a, b in zip(sums, new)]
            vals = [h * v * norm for v in sums]
            if prev is not None and all(
                    abs(v - p) <= tol * abs(v) for v, p in zip(vals, prev)) and level >= 3:
                tail = [abs(f(s * Z)), abs(f(-s * Z))]
                w = mpmath.exp(-Z * Z / 2)
                if all(max(tail) ** k * w <= tol * abs(v) for k, v in enumerate(vals, 1)):
                    return vals
                return None
            prev = vals
    return None



def _no_closed_transform(letter, doc_hint, message_hint):
    """The ``s_transform`` / ``r_transform`` method of
    :class:`ActivationDerivativeLaw` (``letter`` ``"S"`` or ``"R"``): it always
    raises, since the law has no closed-form transform; ``doc_hint`` and
    ``message_hint`` say where its series comes from."""
    name = f"{letter.lower()}_transform"

    def transform(self, w=None):
        raise NotAlgebraicError(f"{self!r} has no closed-form {letter}-transform; {message_hint}")

    transform.__name__ = name
    transform.__qualname__ = f"ActivationDerivativeLaw.{name}"
    transform.__doc__ = f"""Always raises: no closed-form {letter}-transform.

        Parameters
        ----------
        w : object, optional
            Ignored (the transform has no closed form).

        Returns
        -------
        None
            Never returns.

        Raises
        ------
        NotAlgebraicError
            Always; {doc_hint}.

        Examples
        --------
        >>> nu = activation_derivative_law("erf", 1, dps=15)
        >>> nu.{name}()
        Traceback (most recent call last):
        ...
        freealg.errors.NotAlgebraicError: ActivationDerivativeLaw('erf', q=1, dps=15) has no closed-form {letter}-transform...
        """
    return transform


class ActivationDerivativeLaw(ActivationLawNumerics, Law):
    r"""The law ``ν`` of ``φ'(√q z)²``, ``z ~ N(0, 1)``, for a smooth activation.

    Not algebraic: :meth:`curve` raises :class:`NotAlgebraicError`.  Moments
    ``E[φ'(√q z)^{2k}]`` and the Cauchy transform ``E[1/(ζ − φ'(√q z)²)]`` are
    Gaussian integrals evaluated by mpmath quadrature at ``dps`` digits (closed
    forms where the activation module has them, e.g. erf).  The density is the
    pushforward ``Σ_{ζ: f(ζ)=y} ϕ(ζ)/|f'(ζ)|`` of the standard normal density
    ``ϕ`` under ``f(ζ) = φ'(√q ζ)²``, with preimages found by bisection.

    Build it with :func:`activation_derivative_law`.

    Parameters
    ----------
    activation : str or Activation
        A name understood by :func:`freealg.get_activation` (or an
        :class:`~freealg.activations.Activation`).
    q : number or sympy expression
        The pre-activation variance, ``q >= 0``.  A symbol is kept (numerics
        then need :meth:`subs`).
    dps : int, optional
        Digits of the quadratures, ``1 <= dps <= 1000`` (default 30).

    Raises
    ------
    InvalidArgumentError
        If a numeric ``q < 0``, ``q`` is not finite or not real, or
        ``dps < 1``.
    InvalidArgumentTypeError
        If ``q`` is not a number or a sympy expression, or ``dps`` is not an
        integer.
    TooLargeError
        If ``dps > 1000``.
    UnknownActivationError
        If ``activation`` names no known activation.

    Examples
    --------
    >>> nu = activation_derivative_law("erf", 0)          # φ'(0)² = 4/π: a point mass
    >>> nu
    PointMass(a=4/pi)
    >>> nu = activation_derivative_law("tanh", 1, dps=20)
    >>> round(float(nu.mean()), 10)                      # E[sech⁴ z]
    0.4644029024
    """

    _closed_form_cauchy = False  # G is a quadrature off the axis: no closed-form boundary value

    def __init__(self, activation, q, dps=30):
        from ..activations import Activation, get_activation

        act = activation if isinstance(activation, Activation) else get_activation(activation)
        self.activation = act
        self.dps = check_dps(dps)
        qe = _exact(q, "q")
        if _sign(qe) is not None and _sign(qe) < 0:
            raise InvalidArgumentError(f"q must be >= 0 (a variance); got {qe}")
        self._params = {"q": qe}
        self._q_shown = float(q) if _is_float_kind(q) else qe  # a float q shown as given
        self._cache = []

    def subs(self, *args, **kwargs):
        """Substitute a value for a symbolic ``q`` (sympy ``subs`` semantics).

        Parameters
        ----------
        *args
            As for :meth:`sympy.Basic.subs` (``{q: 1}``, pairs, or
            ``old, new``).
        **kwargs
            Passed to :meth:`sympy.Basic.subs`.

        Returns
        -------
        ActivationDerivativeLaw
            The law at the substituted ``q``, same activation and ``dps``.

        Raises
        ------
        InvalidArgumentError
            If the substituted ``q`` is negative or not finite.

        Examples
        --------
        >>> import sympy
        >>> q = sympy.Symbol("q", nonnegative=True)
        >>> ActivationDerivativeLaw("erf", q, dps=15).subs({q: 1})
        ActivationDerivativeLaw('erf', q=1, dps=15)
        """
        return ActivationDerivativeLaw(self.activation, sympify_safe(self._params["q"]).subs(*sympify_safe(args), **kwargs),
                                       dps=self.dps)

    def _key(self):
        return ("ActivationDerivativeLaw", self.activation._key(), sympy.srepr(self._params["q"]), self.dps)

    def __repr__(self):
        # text that evaluates to an equal law with ``from freealg import *`` and
        # ``from sympy import *`` (``Activation('tanh')`` would not: build it by name)
        act = self.activation
        if act.name == "custom":
            extra = f", breakpoints={_src(list(act.breakpoints))}" if act.breakpoints else ""
            spec = f"get_activation({sympy.srepr(act.expr)}{extra})"
        elif act.params:
            spec = f"get_activation({act.name!r}, " + ", ".join(f"{k}={_src(v)}" for k, v in act.params.items()) + ")"
        else:
            spec = repr(act.name)
        return f"ActivationDerivativeLaw({spec}, q={_src(self._q_shown)}, dps={self.dps})"

    def _moments(self, n):
        self._require_numeric("moments of a non-algebraic law")
        if len(self._cache) < n:
            self._cache = _MOMENTS.get(self._key(), [])
        if len(self._cache) < n:
            q = self._params["q"]
            from .._utils.mpctx import mpmath

            act = self.activation
            # a block of moments at once (the engines ask for 1, then 10, then 24)
            m = max(n, 32) if act._dphi2_moment is None else n
            with mpmath.workdps(self.dps + 5):
                qm = mpmath.mpf(sympy.N(q, self.dps + 10))
                vals = None
                if act._dphi2_moment is None and not act.breakpoints:
                    vals = _trapezoid_moments(self._f, qm, m, self.dps + 5)
                if vals is None:
                    vals = act.dphi2_moments(qm, m, dps=self.dps + 5)
            with mpmath.workdps(self.dps):
                self._cache = [+mpmath.mpf(v) for v in vals]
            if len(_MOMENTS) > 64:
                _MOMENTS.clear()
            _MOMENTS[self._key()] = self._cache
        return list(self._cache[:n])

    def moments(self, n):
        """Moments ``E[φ'(√q z)^{2k}]`` as mpmath numbers at ``dps`` digits.

        Parameters
        ----------
        n : int
            Number of values, ``0 <= n <= 2000``.

        Returns
        -------
        list of mpmath.mpf
            ``[m_1, ..., m_n]`` to ``dps`` digits.

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``, or ``q`` is symbolic (substitute first).
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        For erf, ``φ'(x)² = (4/π) e^{−2x²}``, so
        ``m_k = (4/π)^k / √(1 + 4kq)``; at ``q = 1``, ``m_1 = 4/(π√5)``:

        >>> nu = activation_derivative_law("erf", 1, dps=15)
        >>> float(nu.moments(2)[0])
        0.5694100347337...
        """
        n = _check_order(n)
        return self._moments(n) if n else []

    def free_cumulants(self, n):
        """Free cumulants ``κ_1, ..., κ_n`` from the moments, at ``dps`` digits.

        Parameters
        ----------
        n : int
            Number of values, ``0 <= n <= 2000``.

        Returns
        -------
        list of mpmath.mpf
            ``[κ_1, ..., κ_n]``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``n`` is not an integer.
        InvalidArgumentError
            If ``n < 0``, or ``q`` is symbolic (substitute first).
        TooLargeError
            If ``n > 2000`` (raised before any work).

        Examples
        --------
        ``κ_1 = m_1`` and ``κ_2 = m_2 − m_1²`` (the variance):

        >>> nu = activation_derivative_law("erf", 1, dps=15)
        >>> k1, k2 = nu.free_cumulants(2)
        >>> float(k2 - nu.variance())
        0.0
        """
        from ..cumulants import free_cumulants
        from .._utils.mpctx import mpmath

        with mpmath.workdps(self.dps):
            return free_cumulants(self.moments(n))

    def variance(self):
        """``m_2 − m_1²`` as an mpmath number at ``dps`` digits.

        Returns
        -------
        mpmath.mpf
            The variance.

        Raises
        ------
        InvalidArgumentError
            If ``q`` is symbolic (substitute first with :meth:`subs`).

        Examples
        --------
        For erf at ``q = 1``: ``16/(π²·3) − 16/(π²·5)`` ``= 32/(15π²)``:

        >>> nu = activation_derivative_law("erf", 1, dps=15)
        >>> round(float(nu.variance()) * 15 * 3.141592653589793**2 / 32, 12)
        1.0
        """
        from .._utils.mpctx import mpmath

        m1, m2 = self.moments(2)
        with mpmath.workdps(self.dps):
            return m2 - m1**2

    def curve(self, exact=False):
        """Always raises: the law has no algebraic spectral curve.

        Parameters
        ----------
        exact : bool, optional
            Ignored (accepted for the :meth:`Law.curve` protocol).

        Returns
        -------
        None
            Never returns.

        Raises
        ------
        NotAlgebraicError
            Always: ``G`` is a Gaussian integral of a transcendental function.
            Use :meth:`moments`, :meth:`cauchy`, or a piecewise-linear
            activation (whose law is atomic).

        Examples
        --------
        >>> activation_derivative_law("erf", 1, dps=15).curve()
        Traceback (most recent call last):
        ...
        freealg.errors.NotAlgebraicError: the law of phi'(sqrt(q) z)^2 for ... is not algebraic...
        """
        raise NotAlgebraicError(
            f"the law of phi'(sqrt(q) z)^2 for {self.activation!r} is not algebraic: its Cauchy "
            "transform satisfies no polynomial equation P(z, G) = 0 (it is a Gaussian integral of "
            "a transcendental function). Use moments(n) (exact-to-dps quadrature), cauchy(z), or a "
            "piecewise-linear activation (relu, hardtanh) whose law is Bernoulli."
        )

    s_transform = _no_closed_transform(
        "S", "its series comes from ``freealg.s_transform_coefficients(law.moments(n))``",
        "use freealg.s_transform_coefficients(law.moments(n)) for its series")
    r_transform = _no_closed_transform(
        "R", "its series coefficients are ``law.free_cumulants(n)``",
        "its series coefficients are law.free_cumulants(n)")

    def _f(self, t):
        return self.activation.dphi_mp(t) ** 2

    # -- the distribution function, directly ---------------------------------
    #: ``|z| <= _Z_MAX`` carries all but ``2 Φ(−9) ≈ 2e-19`` of the Gaussian mass
    _Z_MAX = 9.0
    _Z_GRID = 4001

    def _cdf_plan(self):
        """Support, atoms and tables without the generic edge discs (the
        distribution function below does not integrate the density)."""
        plan = self.__dict__.get("_light_cdf_plan")
        if plan is None:
            from ._cdf import _Plan

            plan = _Plan(self, discs=False)
            self._light_cdf_plan = plan
        return plan

    def _cdf_flat(self, xs, with_pdf=False):
        """``F(y) = P(f(Z) ≤ y)``, ``f(z) = φ'(√q z)²``, ``Z ~ N(0, 1)``, as a
        Gaussian measure: the roots of ``f = y`` on a grid of ``[−9, 9]``
        (refined by bisection to 1e-13) cut the line into intervals, and the
        ``Φ``-mass of those where ``f ≤ y`` is summed.  The error estimate is
        the root tolerance times the Gaussian density, plus the tails beyond
        ``±9``.  With ``with_pdf`` also ``ρ(y) = Σ_r φ(z_r)/|f'(z_r)|``."""
        from math import erfc, sqrt

        self._require_numeric("the distribution function of nu")
        q = float(self._params["q"])
        rq = sqrt(q)

        def f(z):
            return np.asarray(self.activation.dphi(rq * np.asarray(z, float)), float) ** 2

        zs = np.linspace(-self._Z_MAX, self._Z_MAX, self._Z_GRID)
        fz = f(zs)
        ys = np.asarray(xs, float)
        g = fz[None, :] - ys[:, None]                       # (ny, N)
        sign = np.sign(g)
        cut = np.nonzero(sign[:, :-1] * sign[:, 1:] < 0)     # strict sign changes
        iy, iz = cut
        a, b = zs[iz].copy(), zs[iz + 1].copy()
        ga = g[iy, iz]
        for _ in range(48):                                  # 0.0045 * 2^-48 < 1e-16
            m = 0.5 * (a + b)
            gm = f(m) - ys[iy]
            left = np.sign(gm) == np.sign(ga)
            a = np.where(left, m, a)
            ga = np.where(left, gm, ga)
            b = np.where(left, b, m)
        roots = 0.5 * (a + b)
        Phi = lambda t: 0.5 * np.vectorize(erfc)(-np.asarray(t, float) / sqrt(2.0))  # noqa: E731
        F = np.zeros(ys.size)
        err = np.full(ys.size, 2 * 0.5 * erfc(self._Z_MAX / sqrt(2.0)))
        for k in range(ys.size):
            r = np.sort(roots[iy == k])
            # grid points where f = y exactly are roots too (sign 0)
            zero = zs[sign[k] == 0]
            pts = np.unique(np.concatenate([[-self._Z_MAX], r, zero, [self._Z_MAX]]))
            mids = 0.5 * (pts[:-1] + pts[1:])
            keep = f(mids) <= ys[k]
            P = Phi(pts)
            F[k] = float(np.sum((P[1:] - P[:-1])[keep]))
            # tails: f at ±9 decides the mass beyond
            tail = 0.5 * erfc(self._Z_MAX / sqrt(2.0))
            F[k] += tail * (float(fz[0] <= ys[k]) + float(fz[-1] <= ys[k]))
            err[k] += r.size * 1e-13 * 0.4
        F = np.clip(F, 0.0, 1.0)
        if not with_pdf:
            return F, err
        rho = np.zeros(ys.size)
        h = 1e-6
        for k in range(ys.size):
            r = roots[iy == k]
            if r.size:
                d = (f(r + h) - f(r - h)) / (2 * h)
                with np.errstate(divide="ignore"):
                    rho[k] = float(np.sum(np.exp(-0.5 * r * r) / sqrt(2 * np.pi) / np.abs(d)))
        return F, err, rho


def activation_derivative_law(activation, q, *, dps=30):
    r"""The law ``ν`` of ``φ'(√q z)²``, ``z ~ N(0, 1)`` (the law of ``D²``,
    docs/theory.md §4).

    * ReLU: ``Bernoulli(1/2)``; hard-tanh: ``Bernoulli(p)``,
      ``p = erf(1/√(2q))`` (exact); other piecewise-linear activations: an
      exact :class:`Atomic` law (a :class:`PointMass` when there is one value).
    * Smooth activations (tanh, erf, SiLU, ...): an
      :class:`ActivationDerivativeLaw` computed by quadrature at ``dps``
      digits, with no spectral curve (not algebraic).

    Parameters
    ----------
    activation : str or Activation
        A name understood by :func:`freealg.get_activation`.
    q : number or sympy expression
        The variance of the pre-activation (``q*`` at the fixed point).
    dps : int
        Digits for quadrature (smooth activations only), ``1 <= dps <= 1000``
        (default 30).

    Returns
    -------
    Law
        :class:`PointMass`, :class:`Bernoulli` or :class:`Atomic` (exact) for
        a piecewise-linear activation or ``q = 0``; an
        :class:`ActivationDerivativeLaw` otherwise.

    Raises
    ------
    UnknownActivationError
        If ``activation`` names no known activation.
    InvalidArgumentError
        If ``q`` is negative, not finite or not real, or ``dps < 1``.
    InvalidArgumentTypeError
        If ``q`` is not a number or a sympy expression, or ``dps`` is not an
        integer.
    TooLargeError
        If ``dps > 1000``.

    Examples
    --------
    >>> activation_derivative_law("relu", 1)
    Bernoulli(Rational(1, 2))
    >>> activation_derivative_law("hardtanh", 2)
    Bernoulli(erf(Rational(1, 2)))
    >>> activation_derivative_law("linear", 1)
    PointMass(a=1)
    """
    from ..activations import Activation, get_activation

    act = activation if isinstance(activation, Activation) else get_activation(activation)
    dps = check_dps(dps)
    if act.piecewise_linear:
        qe = _exact(q, "q")
        law = act.dphi_values_probabilities(qe)
        vals = [sympify_safe(v) for v, _ in law]
        probs = [sympify_safe(p) for _, p in law]
        if _is_float_kind(q) and not act.positively_homogeneous:
            # the law depends on q: a float q gives a float law (values at its binary value)
            vals, probs = ([_to_float(v, "phi'^2 value") for v in vals],
                           [_to_float(p, "probability") for p in probs])
        if len(vals) == 1:
            return PointMass(vals[0])
        if len(vals) == 2 and vals[0] == 0 and vals[1] == 1:
            return Bernoulli(probs[1])
        return Atomic(vals, probs)
    qe = _exact(q, "q")
    if qe == 0:
        from .._utils.mpctx import mpmath

        with mpmath.workdps(dps + 10):
            v = act.dphi_mp(mpmath.mpf(0)) ** 2
        expr = act.dexpr.subs(act.symbol, 0) ** 2
        return PointMass(expr if expr.is_number else _exact(v, "phi'(0)^2"))
    return ActivationDerivativeLaw(act, q if _is_float_kind(q) else qe, dps=dps)

