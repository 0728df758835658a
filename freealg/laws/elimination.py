r"""Operations on spectral curves: ⊞, ⊠, ⊠-powers, affine maps, inversion.

Each operation picks the cheapest exact route (docs/theory.md §3;
curves are built from closed transforms where they exist):

* both transforms rational → the result's transform is rational and the curve
  is one substitution (:meth:`SpectralCurve.from_r_transform` /
  :meth:`SpectralCurve.from_s_transform`);
* one transform rational → one substitution into the other curve
  (subordination form): ``P_a(z − R_b(G), G)`` for ⊞ and
  ``P_a(z A(w)/B(w), G B(w)/A(w))``, ``w = zG − 1``, for ⊠ with
  ``S_b = A/B``.  The change of variables is birational, so an irreducible
  ``P_a`` stays irreducible after removing the factors supported where it is
  not invertible (``B(G)``, resp. ``A(w) B(w)``);
* otherwise → one resultant in R- (⊞) or S-coordinates (⊠), ``S^L = T`` for
  powers, then exact factor selection: the irreducible factor whose series
  at ∞ reproduces the exact moments of the result, computed independently
  on moment sequences (:func:`freealg.free_add_moments`,
  :func:`freealg.free_mul_moments`).

Every result is checked against the independent moments before it is
returned.
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import sympy

from .curve_model import _branch_factors, _unique_branch_factor
from .curve_polynomial import R_SYM, S_SYM, _normalise, _strip_monovariate
from .curves import G, Z, SpectralCurve
from ..errors import BranchError, InvalidArgumentError, InvalidArgumentTypeError, InvalidLawError, TransformUndefinedError
from .._utils.validate import MAX_DEPTH, describe
from .base import Law
from .discrete import PointMass
from ._kinds import W, _any_float, _check_int, _exact
from .convolution_moments import _N_CHECK, _group, _moments, _verified, add_moments, mul_moments
from .._utils import detsympy as _ds

__all__ = ["free_add", "free_mul", "free_power", "affine", "invert", "physical_factor"]

_T = sympy.Symbol("T")

def _as_law(x, name):
    if isinstance(x, Law):
        if x._float:  # never made rational behind the caller's back
            raise InvalidArgumentError(
                f"{name} {x!r} has float parameters: a free convolution builds its exact spectral "
                "curve, which for a float law is built only on request. Pass "
                "law.curve(exact=True) (the curve at the floats' exact binary values, "
                "sympy.Rational(float)) or a law with exact parameters (sympy.Rational(3, 10))"
            )
        return x
    hint = " (for a constant c use PointMass(c))" if isinstance(x, (sympy.Basic, int, float)) else ""
    raise InvalidArgumentTypeError(
        f"{name} must be a law or a SpectralCurve; got {describe(x)} of type "
        f"{type(x).__name__}{hint}"
    )


def _curve(law):
    return law if isinstance(law, SpectralCurve) else law.curve()


# ---------------------------------------------------------------------------
# cleaning and factor selection
# ---------------------------------------------------------------------------


def _num(expr):
    return sympy.numer(sympy.together(expr))


def _remove_factor(expr, factor):
    """Divide out every power of ``factor`` (a polynomial) from ``expr``."""
    if not factor.has(Z) and not factor.has(G):
        return expr
    gens = (G, Z)
    p = sympy.Poly(expr, *gens)
    f = sympy.Poly(factor, *gens)
    while True:
        g = sympy.gcd(p, f)
        if g.total_degree() == 0:
            return p.as_expr()
        p = sympy.div(p, g)[0]


def _strip_content(expr):
    """Remove factors free of ``G`` or free of ``z``."""
    return _strip_monovariate(expr, G, Z, positive=False)


def _select(expr, exact_moments, what):
    """The irreducible factor of ``expr`` whose series at ∞ reproduces
    ``exact_moments`` (a callable ``n -> m_1..m_n``)."""
    _, cands = _branch_factors(SpectralCurve, sympy.expand(expr))
    if not cands:
        raise BranchError(
            f"{what}: no factor of the eliminated polynomial has a branch G ~ 1/z at infinity"
        )
    n = _N_CHECK
    while True:
        ms = exact_moments(n)
        keep = [c for c in cands if c.matches_moments(ms)]
        if len(keep) == 1:
            keep[0]._irreducible = True
            return keep[0]
        if not keep:
            raise BranchError(
                f"{what}: no irreducible factor of the eliminated polynomial reproduces the exact "
                f"moments {ms[:4]}...; the inputs are not the curves of the given laws"
            )
        if n >= 64:
            raise BranchError(
                f"{what}: {len(keep)} factors agree with the first {n} exact moments; cannot select"
            )
        cands = keep
        n *= 2



def physical_factor(curve):
    """The irreducible factor of ``curve`` carrying its branch ``G ~ 1/z``.

    Raises
    ------
    BranchError
        If no factor, or more than one, has such a branch (then the curve
        alone does not determine the law: select with exact moments).
    """

    _, cands = _branch_factors(SpectralCurve, curve.polynomial)
    c = _unique_branch_factor(cands, curve.polynomial)
    c._poly = _normalise(sympy.Poly(sympy.expand(_ds.simplify(c.polynomial)), G, Z))
    c._rows = None
    c._series_cache = None
    c._irreducible = True
    return c


# ---------------------------------------------------------------------------
# affine maps and inversion
# ---------------------------------------------------------------------------


def affine(law, shift=0, scale=1):
    r"""Curve of the law of ``shift + scale·X``.

    ``G_new(z) = G((z − shift)/scale)/scale``; the map is an isomorphism so
    irreducibility is preserved.  Rational transforms are carried along:
    ``R_new(w) = shift + scale·R(scale·w)``, and for ``shift = 0``
    ``S_new = S/scale``.

    ``shift`` and ``scale`` must be exact (the curve is exact): a float is
    refused rather than made rational; pass ``sympy.Rational(x)`` for the
    float's exact binary value.
    """
    for name, v in (("shift", shift), ("scale", scale)):
        if _any_float(v):
            raise InvalidArgumentError(
                f"affine {name} = {v!r} is a float, but the curve is exact: pass an exact number "
                f"(sympy.Rational(3, 10)) or sympy.Rational({v!r}) for the float's exact binary value")
    s, c = _exact(shift, "shift"), _exact(scale, "scale")
    if c == 0:
        return PointMass(s).curve()
    cur = _curve(law)
    expr = _num(cur.polynomial.subs({Z: (Z - s) / c, G: c * G}, simultaneous=True))
    r = cur._r
    s_new = cur._s / c if (cur._s is not None and s == 0) else None
    r_new = sympy.cancel(s + c * r.subs(W, c * W)) if r is not None else None
    disp = None
    if cur._display is not None:
        disp = cur._display.subs({Z: (Z - s) / c, G: c * G}, simultaneous=True)
        disp = None if sympy.denom(sympy.together(disp)) != 1 else disp
    out = SpectralCurve(expr, _s=s_new, _r=r_new, _display=disp, _irreducible=cur.irreducible)
    return out


def invert(law):
    r"""Curve of the law of ``1/X``: ``G_inv(z) = 1/z − G(1/z)/z²``.

    Raises
    ------
    InvalidLawError
        If ``X`` may have an atom at 0 (then ``1/X`` is not a law on ℝ).
    """
    cur = _curve(law)
    lc0 = sympy.Poly(cur.polynomial, G).LC().subs(Z, 0)
    if _ds.simplify(lc0) == 0:
        cands = [a for a, ms in cur.atom_candidates() if _ds.simplify(a) == 0]
        if cands:
            if cur.free_symbols:
                raise InvalidLawError(
                    "cannot invert: the law may have an atom at 0 (the leading coefficient of P "
                    "vanishes at z = 0); substitute numeric parameters to decide"
                )
            ats = cur.atoms()
            for a, m in ats:
                if abs(complex(a)) < 1e-12 and abs(complex(m)) > 1e-12:
                    raise InvalidLawError(
                        f"cannot invert: the law has an atom of mass {m} at 0, so 1/X is not a "
                        "law on the real line"
                    )
    expr = _num(cur.polynomial.subs({Z: 1 / Z, G: Z - Z**2 * G}, simultaneous=True))
    expr = _remove_factor(expr, Z)
    return SpectralCurve(_strip_content(expr), _irreducible=cur.irreducible)


# ---------------------------------------------------------------------------
# ⊞
# ---------------------------------------------------------------------------


def _laws(args, what):
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    if not args:
        raise InvalidArgumentError(f"{what} needs at least one law")
    return [_as_law(x, f"argument {i}") for i, x in enumerate(args)]


def free_add(*laws):
    r"""Curve of the free additive convolution ``a ⊞ b ⊞ …`` (``R = Σ R_i``).

    Parameters
    ----------
    *laws : Law or SpectralCurve
        Two or more laws (a single list is accepted too).

    Returns
    -------
    SpectralCurve
        Irreducible, checked against the exact moments of the result computed
        independently on moment sequences (:func:`freealg.free_add_moments`).

    Raises
    ------
    InvalidArgumentError
        If no law is given, or a law has float parameters (pass
        ``law.curve(exact=True)`` or exact parameters).
    InvalidArgumentTypeError
        If an argument is not a law or a curve (for a constant ``c`` use
        ``PointMass(c)``).
    NotAlgebraicError
        If a law has no algebraic curve (e.g. an
        :class:`ActivationDerivativeLaw`).
    BranchError
        If the exact factor selection or the moment check fails.

    Examples
    --------
    Two standard semicircles add to a semicircle of variance 2:

    >>> from freealg import Semicircle, free_add
    >>> free_add(Semicircle(), Semicircle())
    SpectralCurve(2*G**2 - G*z + 1)

    A semicircle plus a free Bernoulli (one substitution, degree 3):

    >>> import sympy
    >>> from freealg import Bernoulli
    >>> c = free_add(Semicircle(), Bernoulli(sympy.Rational(1, 2)))
    >>> c.degree, c.moments(3)
    (3, [1/2, 3/2, 2])
    """
    laws = _laws(laws, "free_add")
    if len(laws) == 1:
        return _curve(laws[0])
    rational = [x for x in laws if x._r_rational() is not None]
    other = [x for x in laws if x._r_rational() is None]
    R = sympy.cancel(sum((x._r_rational() for x in rational), sympy.Integer(0))) if rational else None
    if not other:
        return _verified(SpectralCurve.from_r_transform(R), laws, "free_add")
    cur = _curve(other[0])
    done = [other[0]]
    for x in other[1:]:
        done.append(x)
        cur = _add_two_algebraic(cur, x, done)
    if R is not None:
        A, B = sympy.fraction(R)
        A, B = A.subs(W, G), B.subs(W, G)
        expr = _num(cur.polynomial.subs(Z, Z - A / B))
        expr = _remove_factor(expr, B)
        cur = SpectralCurve(_strip_content(expr), _irreducible=cur.irreducible)
        cur = _verified(cur, laws, "free_add")
    return cur


def _eliminate_pair(qa, qb, sym, partner, exact_moments, what):
    """One resultant: the curves ``qa(w, sym) = 0`` and ``qb(w, sym) = 0`` in
    transform coordinates, combined by eliminating ``t`` (``sym`` of the first
    curve) from ``qa(w, t)`` and ``qb(w, partner(t))``; back to ``(z, G)``
    and the factor selected by ``exact_moments``."""
    t = sympy.Symbol(sym.name + "_a")
    res = sympy.resultant(sympy.expand(qa.subs(sym, t)), sympy.expand(_num(qb.subs(sym, partner(t)))), t)
    if sym == R_SYM:
        expr = _num(res.subs({W: G, R_SYM: Z - 1 / G}, simultaneous=True))
    else:
        expr = _from_s_coordinates(res)
    return _select(expr, exact_moments, what)


def _add_two_algebraic(cur, b, done):
    return _eliminate_pair(cur.r_polynomial(), _curve(b).r_polynomial(), R_SYM, lambda t: R_SYM - t,
                           lambda n: add_moments([_moments(x, n) for x in done], n), "free_add")


# ---------------------------------------------------------------------------
# ⊠
# ---------------------------------------------------------------------------


def _check_mean(law, name):
    m1 = law.mean()
    if sympify_safe(m1) == 0:
        raise TransformUndefinedError(
            f"{name} = {law!r} has mean m_1 = 0, so its S-transform does not exist and ⊠ cannot be "
            "formed through S-transforms; ⊠ needs laws with non-zero mean"
        )


def _subs_s(curve, S):
    """``P(z A(w)/B(w), G B(w)/A(w))`` with ``w = zG − 1``: ⊠ by ``S = A/B``."""
    A, B = sympy.fraction(sympy.cancel(S))
    wz = Z * G - 1
    Aw, Bw = A.subs(W, wz), B.subs(W, wz)
    expr = _num(curve.polynomial.subs({Z: Z * Aw / Bw, G: G * Bw / Aw}, simultaneous=True))
    for f in (Aw, Bw):
        if f.has(Z) or f.has(G):
            for fac, _ in _ds.factor_list(sympy.expand(f))[1]:
                expr = _remove_factor(expr, fac)
    return _strip_content(expr)


def free_mul(*laws):
    r"""Curve of the free multiplicative convolution ``a ⊠ b ⊠ …``
    (``S = Π S_i``).

    Rational S-transforms are multiplied first (one substitution); equal
    non-rational laws are grouped into ⊠-powers (:func:`free_power`); the
    rest are eliminated one resultant at a time with exact factor selection.
    Laws need a non-zero mean; with numeric rational moments the result is
    checked by :func:`freealg.free_mul_moments` (which also checks that the
    moments are those of laws, one of them on ``[0, ∞)``).

    Parameters
    ----------
    *laws : Law or SpectralCurve
        One or more laws with non-zero mean (a single list is accepted too).

    Returns
    -------
    SpectralCurve
        The curve of the product, checked against its exact moments.

    Raises
    ------
    TransformUndefinedError
        If a law has mean 0.
    InvalidArgumentError
        If no law is given, or a law has float parameters (pass
        ``law.curve(exact=True)`` or exact parameters).
    InvalidArgumentTypeError
        If an argument is not a law or a curve.
    NotAlgebraicError
        If a law has no algebraic curve.
    BranchError
        If the exact factor selection or the moment check fails.

    Examples
    --------
    ``MP ⊠ MP`` is Fuss–Catalan of order 2:

    >>> from freealg import MarchenkoPastur, free_mul, FussCatalan
    >>> free_mul(MarchenkoPastur(), MarchenkoPastur()) == FussCatalan(2).curve()
    True

    Two free projections of trace 1/2:

    >>> import sympy
    >>> from freealg import Bernoulli
    >>> c = free_mul(Bernoulli(sympy.Rational(1, 2)), Bernoulli(sympy.Rational(1, 2)))
    >>> c.moments(3)
    [1/4, 3/16, 5/32]
    """
    laws = _laws(laws, "free_mul")
    for i, x in enumerate(laws):
        _check_mean(x, f"argument {i}")
    if len(laws) == 1:
        return _curve(laws[0])
    rational = [x for x in laws if x._s_rational() is not None]
    groups = _group([x for x in laws if x._s_rational() is None])
    S = None
    if rational:
        S = sympy.Integer(1)
        for x in rational:
            S = S * x._s_rational()
        S = sympy.cancel(S)
    if not groups:
        return _verified(SpectralCurve.from_s_transform(S), laws, "free_mul")
    cur = free_power(groups[0][0], groups[0][1])
    done = [(groups[0][0], groups[0][1])]
    for x, k in groups[1:]:
        done.append((x, k))
        cur = _mul_two_algebraic(cur, free_power(x, k), done)
    if S is not None:
        cur = SpectralCurve(_subs_s(cur, S), _irreducible=cur.irreducible)
        cur = _verified(cur, laws, "free_mul")
    return cur


def _mul_two_algebraic(ca, cb, done):
    return _eliminate_pair(ca.s_polynomial(), cb.s_polynomial(), S_SYM, lambda t: S_SYM / t,
                           lambda n: mul_moments([_moments(x, n) for x, _ in done], n,
                                                 [k for _, k in done]), "free_mul")


def _from_s_coordinates(expr):
    """Back from ``(w, S)`` to ``(z, G)``: ``w = zG − 1``, ``S = G/(zG − 1)``."""
    wz = Z * G - 1
    return _num(expr.subs({W: wz, S_SYM: G / wz}, simultaneous=True))


def free_power(a, L):
    r"""Curve of the ⊠-power ``a^{⊠L}`` (``S = S_a^L``), built from ``S^L``
    directly: one substitution when ``S_a`` is rational, one resultant
    ``Res_S(Q(w, S), S^L − T)`` otherwise — never ``L`` successive
    eliminations.

    Parameters
    ----------
    a : Law or SpectralCurve
        A law with non-zero mean and exact parameters.
    L : int
        The power, ``1 <= L <= 100000``.

    Returns
    -------
    SpectralCurve
        The curve of ``a^{⊠L}`` (``a``'s own curve for ``L = 1``).

    Raises
    ------
    InvalidArgumentTypeError
        If ``a`` is not a law or a curve, or ``L`` is not an integer.
    InvalidArgumentError
        If ``L < 1``, or ``a`` has float parameters.
    TooLargeError
        If ``L > 100000``.
    TransformUndefinedError
        If ``a`` has mean 0.
    NotAlgebraicError
        If ``a`` has no algebraic curve.
    BranchError
        If the exact factor selection fails.

    Examples
    --------
    >>> from freealg import MarchenkoPastur, free_power
    >>> c = free_power(MarchenkoPastur(), 8)
    >>> c.degree, c.moments(3)                          # Fuss–Catalan of order 8
    (9, [1, 9, 117])
    """
    a = _as_law(a, "a")
    L = _check_int(L, "L", 1, maximum=MAX_DEPTH,
                   hint="one ⊠ power is one substitution, but its curve has degree ~L")
    _check_mean(a, "a")
    if L == 1:
        return _curve(a)
    sa = a._s_rational()
    if sa is not None:
        return _verified(SpectralCurve.from_s_transform(sympy.cancel(sa**L)), [(a, L)], "free_power")
    Q = _curve(a).s_polynomial()
    res = sympy.resultant(sympy.Poly(sympy.expand(Q), S_SYM),
                          sympy.Poly(S_SYM**L - _T, S_SYM))
    res = res.as_expr() if hasattr(res, "as_expr") else res
    expr = _from_s_coordinates(sympify_safe(res).subs(_T, S_SYM))
    return _select(expr, lambda n: mul_moments([_moments(a, n)], n, [L]), "free_power")
