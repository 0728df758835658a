r"""Shared pieces of the spectral laws of deep networks (private).

Used by :mod:`freealg.dnn.jacobian` and :mod:`freealg.dnn.fisher`:

* :func:`freealg.dnn._layer_data.layer_data` — the per-layer mean-field data
  of an :class:`MLP`: pre-activation variances ``q^ℓ``, post-activation second
  moments ``q_ℓ = ‖x_ℓ‖²/M`` and the laws ``ν_ℓ`` of ``D_ℓ² = φ'(h_ℓ)²``,
  either at the fixed point (``q_in=None``) or along the finite-depth sequence
  from ``q_in = ‖x_0‖²/n_0``;
* :func:`numeric_factor` — the numeric adapter of a law for the
  functional-equation engine (:func:`freealg.functional.free_mul_law`) and for
  the one-sample FIM solver: vectorised Cauchy transforms (a fast
  Gauss–Legendre rule for the law of ``φ'(√q z)²`` of a smooth activation,
  :mod:`freealg.dnn._smooth_factor`) and S-transforms
  (:mod:`freealg.dnn._factors`);
* :func:`series_product_moments` — moments of ``⊠`` products by series;
* :func:`product_atoms` — the atoms of ``⊠`` products (Belinschi);
* :func:`window_mass` — ``μ([a, b])`` from boundary values of ``G``.

Number kinds (exact stays exact, a float stays a float).  Positively
homogeneous activations (relu, leaky relu, linear) with exact ``σ_w``,
``σ_b`` and ``q_in`` keep everything exact: the ``q``'s follow from the
linear q-map in exact arithmetic.  A float ``σ_w``, ``σ_b`` or ``q_in``, or an
activation whose ``q``'s come from the mean-field module as floats (hard-tanh,
smooth activations), makes the data *float kind* (:attr:`LayerData.float_kind`;
``σ_b = 0.0``, the default, is exactly zero and enters no number, so it does not):
the ``q``'s and ``σ_w²`` are held as the exact binary values of those floats
(:func:`freealg.laws._exact`, never a nearby decimal fraction), the weight
laws and the ``ν``'s are float laws (a hard-tanh ``ν`` is ``Bernoulli(p)`` with
the float ``p = erf(1/√(2q))``), and the network laws built on them return
floats.  Their exact curves are built only on request (``curve(exact=True)``).
"""

from __future__ import annotations

from ..density.mul_exact import belinschi_step
from .._utils.symbolic import sympify_safe
import math
from fractions import Fraction

import numpy as np
import sympy

from .._utils import detsympy as _ds
from .._utils.numbers import is_rational, kind as _value_kind, kind_of, to_mpf
from ..errors import InvalidArgumentError

from ._factors import _AtomicFactor, _BernoulliFactor, _MPFactor, _PointFactor
from ._layer_data import to_float
from ._smooth_factor import _SmoothNuFactor

__all__ = [
    "numeric_factor",
    "product_atoms",
    "window_mass",
]


_NU_FACTORS = {}


def numeric_factor(law):
    """The numeric adapter of a law used by the engines (see the classes)."""
    from ..laws import ActivationDerivativeLaw, Atomic, Bernoulli, MarchenkoPastur, PointMass

    if isinstance(law, Bernoulli):
        return _BernoulliFactor(law)
    if isinstance(law, PointMass):
        return _PointFactor(law)
    if isinstance(law, Atomic):
        return _AtomicFactor(law)
    if isinstance(law, MarchenkoPastur):
        return _MPFactor(law)
    if isinstance(law, ActivationDerivativeLaw):
        # one quadrature (fine rule, Gauss rules) per (activation, q, dps)
        key = law._key()
        f = _NU_FACTORS.get(key)
        if f is None:
            if len(_NU_FACTORS) > 32:
                _NU_FACTORS.clear()
            f = _NU_FACTORS[key] = _SmoothNuFactor(law)
        return f
    raise InvalidArgumentError(f"no numeric adapter for {law!r}")  # pragma: no cover


# ---------------------------------------------------------------------------
# atoms of products
# ---------------------------------------------------------------------------


def _law_atoms(law):
    from ..laws import ActivationDerivativeLaw, MarchenkoPastur

    if isinstance(law, MarchenkoPastur):
        lam = law._params["rate"]
        return [(sympy.Integer(0), 1 - lam)] if (lam - 1).is_negative else []
    if isinstance(law, ActivationDerivativeLaw):
        return []
    # the exact atoms (the binary values of a float law's floats): the network
    # laws round their atoms once, at the end
    return [(sympify_safe(a), sympify_safe(m)) for a, m in law._exact_twin().atoms() if m != 0]


def _count_equal(values):
    """``[[value, multiplicity]]`` of a list of sympy numbers or laws, in
    order of first appearance (equality, not hashing of huge rationals)."""
    out = []
    for v in values:
        for pair in out:
            if pair[0] == v:
                pair[1] += 1
                break
        else:
            out.append([v, 1])
    return out


def _exact_location(u, v):
    """The atom location ``u v`` of exact locations (``1`` kept as is; an
    irrational product simplified, so equal locations merge)."""
    uv = u if v == 1 else (v if u == 1 else u * v)
    return uv if uv.is_Rational else _ds.simplify(uv)


def product_atoms(laws):
    r"""Atoms of ``⊠_j μ_j`` for laws on ``[0, ∞)`` (Belinschi 2003), each
    given as a law or as its list of atoms ``[(location, mass)]``:
    ``(μ ⊠ ν)({0}) = max(μ({0}), ν({0}))`` and, for ``a > 0``,
    ``(μ ⊠ ν)({a}) = Σ_{uv = a} max(0, μ({u}) + ν({v}) − 1)``.

    Examples
    --------
    >>> from freealg import Bernoulli, PointMass
    >>> import sympy
    >>> product_atoms([Bernoulli(sympy.Rational(9, 10))] * 3 + [PointMass(2)])
    [(0, 1/10), (2, 7/10)]
    """
    cur = None
    ats = [list(law) if isinstance(law, (list, tuple)) else _law_atoms(law) for law in laws]
    # point masses delta_a (a != 0) first, as one delta at the product of the
    # a's (repeated ones by a power): multiplying the locations one layer at a
    # time costs O(L^2) digits for float-derived rationals (82 s at L = 2000)
    points = [at[0][0] for at in ats if len(at) == 1 and at[0][1] == 1 and at[0][0] != 0]
    rest = [at for at in ats if not (len(at) == 1 and at[0][1] == 1 and at[0][0] != 0)]
    if points:
        loc = sympy.Integer(1)
        for a, k in _count_equal(points):
            loc = loc * a**k
        loc = loc if loc.is_Rational else _ds.simplify(loc)
        ats = [[(loc, sympy.Integer(1))]] + rest
    prev = None
    for at in ats:
        if cur is None:
            cur = at
            continue
        if prev is not None and at == prev and all(a == 0 for a, _ in cur):
            # only the kernel is left and this factor was just applied: applying
            # it again changes nothing (max of the same masses at 0)
            continue
        prev = at
        cur = belinschi_step(cur, at, zero=sympy.Integer(0),
                             positive=lambda m: sympify_safe(m).is_positive,
                             product=_exact_location, key=to_float)
    return cur or []


# ---------------------------------------------------------------------------
# mass in a window
# ---------------------------------------------------------------------------


def window_mass(values, support, atoms, a, b):
    r"""``μ([a, b])``: the atoms inside plus the continuous mass of
    ``support ∩ [a, b]``, ``∫ ρ``, ``ρ(x) = −Im G(x + i0)/π``, by composite
    Gauss–Legendre rules on a mesh graded geometrically towards the support
    edges inside the window (square-root or power singularities of ``ρ``).

    ``values(x)`` returns boundary values ``G(x + i0)``.  Returns
    ``(mass, error_estimate)`` (difference of a 16- and a 10-node rule).
    """
    from ..density import certify as _certify

    cont_hi = cont_lo = 0.0
    for lo, hi in support:
        u, v = max(lo, a), min(hi, b)
        if not v > u:
            continue
        length = v - u
        du = 1e-13 * max(1.0, abs(u)) if u == lo else 0.25 * length
        dv = 1e-13 * max(1.0, abs(v)) if v == hi else 0.25 * length
        br = _certify._graded_breaks(u, v, du, dv)
        for n, acc in ((16, "hi"), (10, "lo")):
            x, w = _certify._panel_nodes(br, n)
            rho = -np.asarray(values(x)).imag / np.pi
            val = float(np.dot(rho, w))
            if acc == "hi":
                cont_hi += val
            else:
                cont_lo += val
    at = sum(to_float(m) for x, m in atoms if a <= to_float(x) <= b)
    return cont_hi + at, abs(cont_hi - cont_lo)


# ---------------------------------------------------------------------------
# moments of ⊠ products with rescaled arguments
# ---------------------------------------------------------------------------


def _kind(values):
    """'mpmath', 'float', 'sympy' or 'fraction' (exact rationals, sympy ones included), in that precedence."""
    kind = kind_of(values, order=("mpmath", "float", "sympy", "exact"), default="sympy",
                   classify=lambda v: "exact" if is_rational(v) else _value_kind(v))
    return "fraction" if kind == "exact" else kind


def _convert(v, kind):
    if kind == "fraction":
        if isinstance(v, sympy.Basic):
            return Fraction(int(v.p), int(v.q))
        return Fraction(v)
    if kind == "mpmath":
        return to_mpf(v)
    if kind == "float":
        return to_float(v)
    return sympy.nsimplify(v) if isinstance(v, Fraction) else sympify_safe(v)


def _back(v, kind):
    if kind == "fraction":
        return sympy.Rational(v.numerator, v.denominator)
    if kind == "sympy":
        return sympy.expand(v)
    return v


#: exact moments with more (estimated) digits than this are computed in mpmath
_MAX_EXACT_DIGITS = 4000


def _digits(v):
    """Decimal digits of numerator plus denominator of an exact rational (0
    for anything else)."""
    if isinstance(v, sympy.Basic) and v.is_Rational:
        p, q = int(v.p), int(v.q)
    elif isinstance(v, (int, np.integer)):
        p, q = int(v), 1
    else:
        return 0
    return 0.30103 * (abs(p).bit_length() + q.bit_length())


def _exact_digits(specs, n):
    """Estimated digits of the exact moment ``m_n`` of ``Π_j S_j^{L_j}``:
    ``n`` times the sum of ``L_j`` times the digits of the factors' data."""
    return n * sum(L * max([_digits(v) for v in list(m[:n]) + [c]] + [0]) for m, L, c in specs)


def series_product_moments(specs, n):
    r"""Moments ``m_1..m_n`` of the law with S-transform
    ``S(w) = Π_j S_j(c_j w)^{L_j}``.

    ``specs`` is a list of ``(moments_j, L_j, c_j)`` with ``moments_j`` the
    moments ``m_1..m_n`` of the law ``j``.  ``c_j = 1`` is the ⊠-power
    ``μ_j^{⊠ L_j}``; ``c_j ≠ 1`` enters rectangular layers.  Exact inputs
    (ints, Fractions, sympy rationals) give sympy rationals; mpmath gives
    mpmath; other sympy expressions stay symbolic.
    """
    from .._utils import series as _series
    from ..combinatorics.convolution import _moments_of_s_series
    from ..cumulants import s_transform_coefficients

    allv = [v for m, _, c in specs for v in list(m[:n]) + [c]]
    kind = _kind(allv)
    one = _convert(1, kind)
    zero = one * 0
    S = [one] + [zero] * (n - 1)
    for m, L, c in specs:
        seq = [_convert(v, kind) for v in m[:n]]
        s = s_transform_coefficients(seq)
        s = [_convert(v, kind) if kind == "fraction" else v for v in s]
        cc = _convert(c, kind)
        if cc != one:
            s = [v * cc**k for k, v in enumerate(s)]
        S = _series.mul(S, _series.power(s, L, n) if L != 1 else s, n)
    return [_back(v, kind) for v in _moments_of_s_series(S, n)]  # χ(w) = w S(w)/(1 + w), ψ = χ^{<-1>}


def _bernoulli_compression(m, alpha, n):
    r"""Moments of ``Bernoulli(α) ⊠ μ`` from those of ``μ`` (same number kind):
    the law of ``p a p`` with ``p`` a projection of trace ``α`` free from
    ``a``, whose compression to ``p`` has free cumulants ``α^{k−1} κ_k(μ)``
    (Nica–Speicher, Lectures on the Combinatorics of Free Probability,
    Thm. 14.10), so ``m_k = α m_k(compression)``.  ``O(n^2)`` operations a
    level instead of the S-transform series reversions."""
    from ..cumulants import free_cumulants, moments_from_free_cumulants

    kap = free_cumulants(list(m[:n]))
    comp = moments_from_free_cumulants([alpha**k * kap[k] for k in range(n)])
    return [alpha * v for v in comp]


def _shift_scale_moments(m, q, c, n):
    """Moments of ``q + c X`` from those of ``X`` (same number kind as ``m``)."""
    if any(type(v).__module__.startswith("mpmath") for v in m[:n]):
        if isinstance(q, sympy.Basic):
            q = to_mpf(q)
        if isinstance(c, sympy.Basic):
            c = to_mpf(c)
    out = []
    for k in range(1, n + 1):
        tot = q**k
        for j in range(1, k + 1):
            tot = tot + math.comb(k, j) * q ** (k - j) * c**j * m[j - 1]
        out.append(sympy.expand(tot) if isinstance(tot, sympy.Basic) else tot)
    return out
