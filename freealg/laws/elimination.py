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

from .curves import G, R_SYM, S_SYM, Z, SpectralCurve, _normalise
from ..errors import BranchError, InvalidArgumentError, InvalidArgumentTypeError, InvalidLawError, TransformUndefinedError
from .._utils.validate import MAX_DEPTH, describe
from .base import Law
from .discrete import PointMass
from ._kinds import W, _any_float, _check_int, _exact
from .._utils import detsympy as _ds

__all__ = ["free_add", "free_mul", "free_power", "affine", "invert", "physical_factor"]

_T = sympy.Symbol("T")
_N_CHECK = 8  # moments compared for every numeric result
_N_SYMBOLIC = 5  # moments compared as functions of symbolic parameters


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


def _moments(law, n):
    """Exact moments of a law (whatever its parameters' kind) or a curve."""
    return law._exact_moments(n) if isinstance(law, Law) else law.moments(n)


# ---------------------------------------------------------------------------
# the independent route: ⊞ / ⊠ on exact moment sequences
# ---------------------------------------------------------------------------


def _all_rational(seqs):
    return all(isinstance(v, sympy.Basic) and v.is_Rational for s in seqs for v in s)


# Division-free exact arithmetic: moments live in a polynomial ring over QQ
# whose generators are the parameters (and constants such as erf(1/2), which
# are treated as free generators: the final conversion back to sympy is a ring
# homomorphism, so identities proved in the free ring hold after it).  The only
# division of the S-route, by the mean m_1, is replaced by a generator
# mu = 1/m_1 that is eliminated exactly at the end.


def _ring(seqs, n_mu=0):
    mus = [sympy.Dummy(f"mu{i}") for i in range(n_mu)]
    flat = [sympify_safe(v) for s in seqs for v in s]
    R, elems = sympy.polys.rings.sring(flat + mus, domain=sympy.QQ)
    out, k = [], 0
    for s in seqs:
        out.append(elems[k:k + len(s)])
        k += len(s)
    return R, out, elems[k:]


def _eliminate_mu(E, mu, m1):
    """Reduce ``E`` modulo ``mu·m1 − 1`` (the result is free of ``mu``)."""
    e = E.degree(mu)
    if e <= 0:
        return E
    num = sum((E.coeff_wrt(mu, k) * m1 ** (e - k) for k in range(e + 1)), E.ring.zero)
    return num.exquo(m1**e)


def add_moments(seqs, n):
    """Exact moments ``m_1..m_n`` of the ⊞ of laws with moment sequences ``seqs``."""
    from ..combinatorics.cumulants import _free_cumulants_of, _moments_of_free_cumulants
    from ..cumulants import free_add_moments

    seqs = [[sympify_safe(v) for v in s[:n]] for s in seqs]
    if _all_rational(seqs):
        out = seqs[0]
        for s in seqs[1:]:
            out = free_add_moments(out, s, check=False)
        return [sympify_safe(v) for v in out]
    R, conv, _ = _ring(seqs)
    kap = [R.zero] * n
    for m in conv:
        kap = [x + y for x, y in zip(kap, _free_cumulants_of(list(m[:n]), R.one))]
    return [sympy.expand(v.as_expr()) for v in _moments_of_free_cumulants(kap, R.one)]


def mul_moments(seqs, n, powers=None):
    """Exact moments ``m_1..m_n`` of ``⊠_i law_i^{⊠k_i}`` (S-route, division-free)."""
    from .._utils import series as _series
    from ..combinatorics.convolution import _moments_of_s_series
    from ..cumulants import free_mul_moments

    seqs = [[sympify_safe(v) for v in s[:n]] for s in seqs]
    powers = list(powers or [1] * len(seqs))
    if _all_rational(seqs) and all(p == 1 for p in powers):
        out = seqs[0]
        for s in seqs[1:]:
            out = free_mul_moments(out, s, check=True)
        return [sympify_safe(v) for v in out]
    R, conv, mus = _ring(seqs, len(seqs))
    T = [R.one] + [R.zero] * (n - 1)
    for m, mu, k in zip(conv, mus, powers):
        phi = [R.zero, R.one] + [m[j - 1] * mu**j for j in range(2, n + 1)]
        inv = _series.reverse(phi, n + 1)          # phi^{-1}(w)
        ti = [inv[j + 1] + (inv[j] if j else R.zero) for j in range(n)]   # (1 + w) phi^{-1}(w)/w
        for _ in range(k):
            T = _series.mul(T, ti, n)
    g = [R.zero] + _moments_of_s_series(T, n)      # reverse of w T(w)/(1 + w)
    c_inv = R.one
    for m, k in zip(conv, powers):
        c_inv *= m[0] ** k                          # 1/c = Π m1^k
    out = []
    for j in range(1, n + 1):
        E = g[j] * c_inv**j
        for m, mu in zip(conv, mus):
            E = _eliminate_mu(E, mu, m[0])
        out.append(sympy.expand(E.as_expr()))
    return out


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
    pg = sympy.Poly(expr, G)
    if not pg.domain.is_EX:
        _, pg = pg.primitive()
    pz = sympy.Poly(pg.as_expr(), Z)
    if not pz.domain.is_EX:
        _, pz = pz.primitive()
    return sympy.expand(pz.as_expr())


def _select(expr, exact_moments, what):
    """The irreducible factor of ``expr`` whose series at ∞ reproduces
    ``exact_moments`` (a callable ``n -> m_1..m_n``)."""
    _, factors = _ds.factor_list(sympy.expand(expr))
    cands = []
    for f, _ in factors:
        if not (f.has(G) and f.has(Z)):
            continue
        try:
            c = SpectralCurve(f, check=True)
        except BranchError:
            continue
        cands.append(c)
    if not cands:
        raise BranchError(
            f"{what}: no factor of the eliminated polynomial has a branch G ~ 1/z at infinity"
        )
    n = _N_CHECK
    while True:
        ms = exact_moments(n)
        keep = [c for c in cands if c.matches_moments(ms)]
        if len(keep) == 1:
            keep[0].irreducible = True
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


def _random_points(laws, k=2, seed=0):
    """``k`` random rational parameter points (values in (0, 1)) at which every
    law in ``laws`` is a valid law."""
    import random

    syms = set()
    for x in laws:
        syms |= x.free_symbols
    syms = sorted(syms, key=str)
    rng = random.Random(seed)
    pts = []
    for _ in range(200):
        pt = {s: sympy.Rational(rng.randrange(1, 2**20), 2**20 + rng.randrange(1, 97)) for s in syms}
        try:
            subs = [x.subs(pt) for x in laws]
        except (InvalidArgumentError, InvalidLawError):
            continue
        pts.append((pt, subs))
        if len(pts) == k:
            return pts
    raise InvalidArgumentError(
        f"could not find parameter values in (0, 1) for {syms} at which the laws are valid"
    )


def _route(what, seqs, n, powers):
    return add_moments(seqs, n) if what == "free_add" else mul_moments(seqs, n, powers)


def _verified(curve, laws, what):
    """Check a result against the moments of the result computed independently
    on moment sequences (``laws``: laws or ``(law, power)`` pairs).

    Numeric parameters: the first ``_N_CHECK`` moments, exactly.  Symbolic
    parameters: the first ``_N_SYMBOLIC`` moments exactly as functions of the
    parameters, and the first ``_N_CHECK`` exactly at two random rational
    parameter points.
    """
    pairs = []
    for x in laws:
        x, k = x if isinstance(x, tuple) else (x, 1)
        for i, (y, j) in enumerate(pairs):
            if y == x and what != "free_add":
                pairs[i] = (y, j + k)
                break
        else:
            pairs.append((x, k))
    if what == "free_add":
        powers = [1] * len(pairs)
    powers = [k for _, k in pairs]
    symbolic = any(x.free_symbols for x, _ in pairs)
    n = _N_SYMBOLIC if symbolic else _N_CHECK
    ms = _route(what, [_moments(x, n) for x, _ in pairs], n, powers)
    ok = curve.matches_moments(ms)
    if ok and symbolic:
        for pt, subs in _random_points([x for x, _ in pairs]):
            ms = _route(what, [_moments(x, _N_CHECK) for x in subs], _N_CHECK, powers)
            if not curve.subs(pt).matches_moments(ms):
                ok = False
                break
    if not ok:
        raise BranchError(
            f"{what}: the curve does not reproduce the exact moments {ms[:4]}... of the result "
            "(an input curve is probably not the curve of its law or is reducible: check it, or "
            "call curve.simplify() first)"
        )
    return curve


def physical_factor(curve):
    """The irreducible factor of ``curve`` carrying its branch ``G ~ 1/z``.

    Raises
    ------
    BranchError
        If no factor, or more than one, has such a branch (then the curve
        alone does not determine the law: select with exact moments).
    """
    _, factors = _ds.factor_list(curve.polynomial)
    cands = []
    for f, _ in factors:
        if f.has(G) and f.has(Z):
            try:
                cands.append(SpectralCurve(f))
            except BranchError:
                continue
    if len(cands) != 1:
        raise BranchError(
            f"{len(cands)} irreducible factors of {curve.polynomial} have a branch G ~ 1/z at "
            "infinity, so the curve does not determine the law; "
            + ("" if cands else "it is not the curve of a probability law")
            + ("select the factor with exact moments (SpectralCurve.matches_moments)" if cands else "")
        )
    c = cands[0]
    c._poly = _normalise(sympy.Poly(sympy.expand(_ds.simplify(c.polynomial)), G, Z))
    c._rows = None
    c._series_cache = None
    c.irreducible = True
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


def _add_two_algebraic(cur, b, done):
    Qa = cur.r_polynomial()
    Qb = _curve(b).r_polynomial()
    Ra = sympy.Symbol("R_a")
    qa = Qa.subs(R_SYM, Ra)
    qb = _num(Qb.subs(R_SYM, R_SYM - Ra))
    res = sympy.resultant(sympy.expand(qa), sympy.expand(qb), Ra)
    expr = _num(res.subs({W: G, R_SYM: Z - 1 / G}, simultaneous=True))
    return _select(expr, lambda n: add_moments([_moments(x, n) for x in done], n), "free_add")


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


def _group(laws):
    """Group equal laws: [(law, multiplicity)] in first-seen order."""
    out = []
    for x in laws:
        for i, (y, k) in enumerate(out):
            if y == x:
                out[i] = (y, k + 1)
                break
        else:
            out.append((x, 1))
    return out


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
    Qa = ca.s_polynomial()
    Qb = cb.s_polynomial()
    Sa = sympy.Symbol("S_a")
    qa = Qa.subs(S_SYM, Sa)
    qb = _num(Qb.subs(S_SYM, S_SYM / Sa))
    res = sympy.resultant(sympy.expand(qa), sympy.expand(qb), Sa)
    expr = _from_s_coordinates(res)
    return _select(expr, lambda n: mul_moments([_moments(x, n) for x, _ in done], n,
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
