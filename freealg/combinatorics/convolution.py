r"""Moment sequences as laws: the Hankel conditions, the free convolutions
⊞ and ⊠ of moment sequences, and the S-transform coefficients.

Conventions (docs/theory.md §2)
---------------------------------
* ``psi(z) = M(z) - 1``, ``chi = psi^{<-1>}``, S-transform
  ``S(w) = chi(w) (1 + w) / w``, and ``S_{a ⊠ b} = S_a S_b``.
* ⊞ adds free cumulants.

Number kinds are kept as in :mod:`freealg.combinatorics.cumulants`.
"""

from __future__ import annotations

from fractions import Fraction

from .._utils import series as _series
from .._utils.validate import check_choice
from ..errors import InvalidLawError, InvalidSequenceError, TransformUndefinedError
from ._kinds import _field, _finish, _float_guard, _is_mpmath, _one, _overflow_message, _prepare, _size
from .cumulants import free_cumulants, moments_from_free_cumulants

__all__ = ["check_moment_sequence", "free_add_moments", "s_transform_coefficients", "free_mul_moments"]


# ---------------------------------------------------------------------------
# positivity
# ---------------------------------------------------------------------------


def check_moment_sequence(moments, *, support="real", name="moments"):
    r"""Check the Hankel conditions of a (numeric) moment sequence.

    A sequence ``m_1, ..., m_n`` can be the moments of a probability measure
    on the real line only if every Hankel matrix ``H_k = [m_{i+j}]_{i,j<=k}``
    (with ``m_0 = 1``, ``2k <= n``) is positive semi-definite; for a measure
    on ``[0, inf)`` the shifted matrices ``[m_{i+j+1}]`` must be too.  The
    check is an exact (or, for floats, relative-tolerance) ``LDL^T``
    factorisation.  Symbolic sequences are not checked.

    Parameters
    ----------
    moments : sequence of numbers
        ``m_1, ..., m_n`` (``m_0 = 1`` implicit).
    support : {"real", "positive"}, default "real"
        Check for a measure on the real line, or also on ``[0, inf)``
        (shifted Hankel matrices).
    name : str, default "moments"
        Name used in the error message.

    Returns
    -------
    None
        The sequence passed (or is symbolic or complex, hence unchecked).

    Raises
    ------
    InvalidLawError
        Naming the first failing condition.
    InvalidArgumentError
        If ``support`` is not ``"real"`` or ``"positive"`` (a non-str
        raises the subclass ``InvalidArgumentTypeError``).
    InvalidSequenceError
        If the sequence is empty or has non-numeric or non-finite entries.
    TooLargeError
        If it has more than ``MAX_MOMENT_ORDER`` (2000) values.

    Examples
    --------
    >>> check_moment_sequence([0, 1, 0, 2])          # semicircle: fine
    >>> check_moment_sequence([1, 0.5])
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidLawError: moments: Hankel condition H_1 = [m_(i+j)]_(i,j<=1) fails (pivot 1 = -0.5 < 0; this pivot is the variance m_2 - m_1**2): not the moments of a probability measure
    """
    check_choice(support, "support", ("real", "positive"))
    kind, _, (m,) = _prepare(moments, names=[name])
    if kind == "sympy":
        if not all(getattr(v, "is_number", False) for v in m):
            return None
        m = [Fraction(int(v.p), int(v.q)) if v.is_Rational else complex(v) for v in m]
        kind = "exact" if all(isinstance(v, Fraction) for v in m) else "float"
    if any(isinstance(v, complex) or (_is_mpmath(v) and hasattr(v, "imag") and v.imag != 0) for v in m):
        return None
    one = _one(kind) if kind != "exact" else Fraction(1)
    seq = [one] + [Fraction(v) if kind == "exact" else v for v in m]
    _hankel_ldl(seq, 0, kind, name, "H")
    if support == "positive":
        _hankel_ldl(seq, 1, kind, name, "H'")
    return None


def _hankel_ldl(seq, shift, kind, name, label):
    n = len(seq) - 1
    size = (n - shift) // 2 + 1
    if size < 1:
        return
    H = [[seq[i + j + shift] for j in range(size)] for i in range(size)]
    scale = max(abs(H[i][i]) for i in range(size)) or 1
    tol = 0 if kind == "exact" else 1e-10 * scale
    for k in range(size):
        p = H[k][k]
        if p < -tol:
            if shift == 0 and k == 1:
                what = "; this pivot is the variance m_2 - m_1**2"
            elif shift == 1 and k == 0:
                what = "; this pivot is m_1"
            else:
                what = ""
            idx = "i+j+1" if shift else "i+j"
            pos = " on [0, inf)" if shift else ""
            raise InvalidLawError(
                f"{name}: Hankel condition {label}_{k} = [m_({idx})]_(i,j<={k}) "
                f"fails (pivot {k} = {_fmt(p)} < 0{what}): not the moments of a "
                f"probability measure{pos}"
            )
        if abs(p) <= tol:
            for j in range(k + 1, size):
                if abs(H[k][j]) > tol * 10 + (0 if kind == "exact" else 1e-10):
                    raise InvalidLawError(
                        f"{name}: Hankel matrix {label}_{j} is not positive semi-definite "
                        f"(zero pivot {k} with non-zero off-diagonal entry): not the "
                        "moments of a probability measure"
                    )
            continue
        for i in range(k + 1, size):
            f = H[i][k] / p
            for j in range(k + 1, size):
                H[i][j] = H[i][j] - f * H[k][j]


def _fmt(v):
    if isinstance(v, Fraction):
        return str(v)
    return f"{float(v):.6g}"


# ---------------------------------------------------------------------------
# free convolutions of moment sequences
# ---------------------------------------------------------------------------


@_float_guard("moments")
def free_add_moments(ma, mb, *, check=True):
    r"""Moments of ``mu_a ⊞ mu_b`` (free cumulants add).

    The result has ``min(len(ma), len(mb))`` terms.

    Parameters
    ----------
    ma, mb : sequence
        Moment sequences starting at ``m_1``.
    check : bool, default True
        Check the Hankel conditions of both inputs (numeric inputs only).

    Returns
    -------
    list
        Moments ``m_1, ..., m_n`` of the free sum, ``n = min(len(ma),
        len(mb))``, in the common number kind of the inputs.

    Raises
    ------
    InvalidSequenceError
        If ``ma`` or ``mb`` is a string, not iterable or empty, has a
        non-numeric entry (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    InvalidLawError
        If ``check`` is true and an input fails a Hankel condition (it
        cannot be the moment sequence of a probability measure).
    TooLargeError
        If a sequence has more than ``MAX_MOMENT_ORDER`` (2000) orders.

    Examples
    --------
    Two standard semicircles add to a semicircle of variance 2
    (``m_4 = 2 * 2**2 = 8``):

    >>> free_add_moments([0, 1, 0, 2], [0, 1, 0, 2])
    [0, 2, 0, 8]
    """
    kind, all_int, (a, b) = _prepare(ma, mb, names=["ma", "mb"])
    if check:
        check_moment_sequence(a, name="ma")
        check_moment_sequence(b, name="mb")
    n = min(len(a), len(b))
    ka = free_cumulants(a[:n])
    kb = free_cumulants(b[:n])
    res = moments_from_free_cumulants([x + y for x, y in zip(ka, kb)])
    return _finish(res, kind, all_int)


@_float_guard("moments")
def s_transform_coefficients(moments):
    r"""Coefficients ``s_0, ..., s_{n-1}`` of the S-transform series
    ``S(w) = sum_k s_k w^k`` of a law with the given moments.

    ``S(w) = chi(w) (1 + w) / w`` with ``chi`` the compositional inverse of
    ``psi(z) = sum_{n>=1} m_n z^n``.  Requires ``m_1 != 0``.

    Parameters
    ----------
    moments : sequence of numbers
        Moments ``m_1, ..., m_n``, ``m_1 != 0``, starting at order one.  Entries may be ``int``,
        ``fractions.Fraction``, float, mpmath or sympy numbers/symbols.

    Returns
    -------
    list
        ``s_0, ..., s_{n-1}`` (``s_0 = 1 / m_1``); exact input gives
        ``Fraction`` entries (``int`` only if all are integral), otherwise
        the input's number kind.

    Raises
    ------
    InvalidSequenceError
        If ``moments`` is a string, not iterable or empty, has a non-numeric entry
        (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    TransformUndefinedError
        If ``m_1 = 0`` (a law of mean zero has no S-transform).
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    Free Poisson of rate ``lam`` (moments from Narayana polynomials) has
    ``S(w) = 1 / (lam + w)``; at ``lam = 2``: ``1/2 - w/4 + w^2/8 - ...``

    >>> s_transform_coefficients([2, 6, 22])
    [Fraction(1, 2), Fraction(-1, 4), Fraction(1, 8)]
    """
    kind, all_int, (m,) = _prepare(moments, names=["moments"])
    if m[0] == 0:
        raise TransformUndefinedError(
            "the S-transform needs m_1 != 0; got m_1 = 0. Free multiplicative "
            "convolution with a law of mean zero has no S-transform route."
        )
    n = len(m)
    f = _field(m, kind)
    zero = f[0] * 0
    psi = [zero] + f  # n + 1 terms
    chi = _series.reverse(psi, n + 1)  # chi_0 = 0
    # S(w) = (1 + w) chi(w) / w
    c = chi[1:]  # chi(w)/w, n terms
    s = [c[0]] + [c[k] + c[k - 1] for k in range(1, n)]
    return _finish(s, kind, all_int)


@_float_guard("moments")
def free_mul_moments(ma, mb, *, check=True):
    r"""Moments of ``mu_a ⊠ mu_b`` via the S-transform, ``S_{a⊠b} = S_a S_b``.

    Both laws need ``m_1 != 0``.  With ``check=True`` both sequences must
    pass the Hankel conditions and at least one must be the moment sequence
    of a measure on ``[0, inf)`` (where ⊠ of measures is defined).

    Parameters
    ----------
    ma, mb : sequence
        Moment sequences starting at ``m_1``; the result has
        ``min(len(ma), len(mb))`` terms.
    check : bool, default True
        Check the Hankel conditions of both inputs (numeric inputs only).

    Returns
    -------
    list
        Moments ``m_1, ..., m_n`` of ``mu_a ⊠ mu_b``, ``n = min(len(ma),
        len(mb))``, in the common number kind of the inputs.

    Raises
    ------
    TransformUndefinedError
        If ``m_1 = 0`` for either law.
    InvalidLawError
        If ``check`` fails.
    InvalidSequenceError
        If an input is empty or has a non-numeric or non-finite entry, or if
        float arithmetic overflows.
    TooLargeError
        If a sequence has more than ``MAX_MOMENT_ORDER`` (2000) orders.

    Examples
    --------
    ``MP ⊠ MP`` has the Fuss–Catalan moments ``binom(3n, n) / (2n + 1)``:

    >>> free_mul_moments([1, 2, 5, 14, 42], [1, 2, 5, 14, 42])
    [1, 3, 12, 55, 273]

    Two free projections of traces ``alpha``, ``beta`` (Bernoulli laws):
    ``phi((pq)^2) = alpha beta^2 + alpha^2 beta - alpha^2 beta^2``.

    >>> import sympy
    >>> a, b = sympy.symbols("alpha beta", positive=True)
    >>> free_mul_moments([a, a], [b, b])[1]
    -alpha**2*beta**2 + alpha**2*beta + alpha*beta**2
    """
    kind, all_int, (a, b) = _prepare(ma, mb, names=["ma", "mb"])
    for name, seq in (("ma", a), ("mb", b)):
        if seq[0] == 0:
            raise TransformUndefinedError(
                f"{name} has m_1 = 0, so its S-transform does not exist; "
                "free_mul_moments needs both means non-zero"
            )
    if check:
        check_moment_sequence(a, name="ma")
        check_moment_sequence(b, name="mb")
        errors = []
        for name, seq in (("ma", a), ("mb", b)):
            try:
                check_moment_sequence(seq, support="positive", name=name)
            except InvalidLawError as exc:
                errors.append(str(exc))
        if len(errors) == 2:
            raise InvalidLawError(
                "free multiplicative convolution needs at least one law on [0, inf); "
                + "; ".join(errors)
            )
    n = min(len(a), len(b))
    sa = s_transform_coefficients(a[:n])
    sb = s_transform_coefficients(b[:n])
    if kind == "exact":
        sa = [Fraction(v) for v in sa]
        sb = [Fraction(v) for v in sb]
    s = _series.mul(sa, sb, n)
    if s[0] == 0:  # s_0 = 1/(m_1(a) m_1(b)) underflowed: the product's mean overflows
        raise InvalidSequenceError(
            _overflow_message("free_mul_moments", "moments", _size([ma, mb]), 1)
        )
    return _finish(_moments_of_s_series(s, n), kind, all_int)


def _moments_of_s_series(S, n):
    """Moments ``m_1, ..., m_n`` of the law whose S-transform has the series
    ``S = [s_0, ..., s_{n-1}]`` (private core, ``s_0 != 0``).

    The one implementation of the way back from an S-transform:
    ``chi(w) = w S(w) / (1 + w)`` and ``psi = chi^{<-1>}``, whose
    coefficients are the moments.  Element-generic (``Fraction``, sympy,
    mpmath, float: see :mod:`freealg._utils.series`); nothing is validated.
    """
    zero = S[0] * 0
    one = zero + 1
    geo = [one if k % 2 == 0 else -one for k in range(n)]  # 1/(1+w)
    chi = [zero] + _series.mul(S, geo, n)  # n + 1 terms, chi_0 = 0
    psi = _series.reverse(chi, n + 1)
    return psi[1:]
