r"""Moments and cumulants: free, boolean and classical; free convolutions of
moment sequences; multivariate moment-cumulant formulas.

Conventions (docs/theory.md §2)
---------------------------------
* Sequences start at order one: moments ``m_1, ..., m_n`` (``m_0 = 1``
  implicit) and cumulants ``kappa_1, ..., kappa_n``.
* ``M(z) = sum_{n >= 0} m_n z^n``.  Free cumulants ``C(z) = 1 + sum kappa_n z^n``
  satisfy ``M(z) = C(z M(z))``, i.e.
  ``m_n = sum_{s=1}^n kappa_s [z^{n-s}] M(z)^s``.
* Boolean cumulants: ``1 / (1 - B(z)) = M(z)``, ``B(z) = sum b_n z^n``.
* Classical cumulants: ``m_n = sum_{k=1}^n binom(n-1, k-1) c_k m_{n-k}``.
* ``psi(z) = M(z) - 1``, ``chi = psi^{<-1>}``, S-transform
  ``S(w) = chi(w) (1 + w) / w``, and ``S_{a ⊠ b} = S_a S_b``.

Number kinds are kept (docs/conventions.md): exact inputs (``int``,
``fractions.Fraction``, sympy numbers and symbols) give exact outputs, mpmath
inputs give mpmath numbers, floats give floats.  Integer inputs give ``int``
outputs when every output is an integer, else ``Fraction``.
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import functools
import math
import numbers
from fractions import Fraction

from .. import _series
from .._utils.validate import MAX_MOMENT_ORDER, check_choice, describe
from ..errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidLawError,
    InvalidSequenceError,
    TooLargeError,
    TransformUndefinedError,
)

__all__ = [
    "free_cumulants",
    "moments_from_free_cumulants",
    "boolean_cumulants",
    "moments_from_boolean_cumulants",
    "classical_cumulants",
    "moments_from_classical_cumulants",
    "moment_from_cumulants",
    "cumulant_from_moments",
    "free_add_moments",
    "free_mul_moments",
    "s_transform_coefficients",
    "check_moment_sequence",
]


# ---------------------------------------------------------------------------
# number kinds
# ---------------------------------------------------------------------------


def _is_sympy(x):
    return type(x).__module__.startswith("sympy")


def _is_mpmath(x):
    return type(x).__module__.startswith("mpmath")


def _kind_of(values):
    """Classify a list of scalars: 'sympy', 'mpmath', 'float' or 'exact'."""
    kind = "exact"
    for v in values:
        if _is_sympy(v):
            return "sympy"
        if _is_mpmath(v):
            kind = "mpmath"
        elif kind == "exact" and (
            isinstance(v, (float, complex))
            or (hasattr(v, "dtype") and v.dtype.kind in "fc")
        ):
            kind = "float"
    return kind


class _EntryTypeError(InvalidSequenceError, InvalidArgumentTypeError):
    """A sequence entry of the wrong type: an :class:`InvalidSequenceError`
    and an :class:`InvalidArgumentTypeError` (hence also a ``TypeError``)."""


def _check_scalar(v, name, i):
    if _is_sympy(v) or _is_mpmath(v) or (
        isinstance(v, numbers.Number) and not isinstance(v, bool)
        and type(v).__name__ != "bool_"
    ):
        return
    raise _EntryTypeError(
        f"{name}[{i}] (order {i + 1}) must be a number (int, Fraction, float, "
        f"mpmath or sympy); got {describe(v)} of type {type(v).__name__}"
    )


def _overflow_message(func, what, size, order):
    where = f" at order {order}" if order is not None else ""
    return (
        f"overflow in {func}: {what} of size {size} exceed the float64 range{where}; "
        "pass exact ints/Fractions (or mpmath numbers) or rescale the law "
        "(moments of c·X are c^k m_k)"
    )


def _size(seqs):
    """The largest absolute entry of the input sequences, for messages."""
    best, huge = 0.0, None
    for seq in seqs:
        if not isinstance(seq, (list, tuple)):
            continue
        for v in seq:
            try:
                best = max(best, abs(complex(v)))
            except OverflowError:  # an int (or Fraction) beyond the float range
                digits = len(str(abs(int(v)))) - 1
                huge = digits if huge is None else max(huge, digits)
            except (TypeError, ValueError):
                continue
    return f"~1e{huge}" if huge is not None else f"{best:.3g}"


def _float_guard(what):
    """Decorator: float arithmetic that overflows raises
    :class:`InvalidSequenceError` (Python floats overflow silently to ``inf``
    and then ``nan``; an ``int`` too large for a float raises OverflowError)."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                out = fn(*args, **kwargs)
            except OverflowError:
                raise InvalidSequenceError(
                    _overflow_message(fn.__name__, what, _size(args[:2]), None)
                ) from None
            for k, v in enumerate(out):
                if isinstance(v, (float, complex)) and not (
                    math.isfinite(v.real) and math.isfinite(v.imag)
                ):
                    raise InvalidSequenceError(
                        _overflow_message(fn.__name__, what, _size(args[:2]), k + 1)
                    )
            return out

        return wrapper

    return deco


def _prepare(*seqs, names=None):
    """Validate sequences and convert them to one common number kind.

    Returns ``(kind, all_int, converted_seqs)``.
    """
    names = names or ["sequence"] * len(seqs)
    flat = []
    lists = []
    for seq, name in zip(seqs, names):
        if isinstance(seq, (str, bytes)):
            raise InvalidSequenceError(f"{name} must be a sequence of numbers; got the string {seq!r}")
        try:
            lst = list(seq)
        except TypeError:
            raise InvalidSequenceError(
                f"{name} must be a sequence of numbers starting at order 1; got {seq!r}"
            ) from None
        if not lst:
            raise InvalidSequenceError(
                f"{name} is empty; pass at least one value (order 1 first)"
            )
        if len(lst) > MAX_MOMENT_ORDER:
            raise TooLargeError(
                f"{name} has {len(lst)} values, more than the supported maximum "
                f"{MAX_MOMENT_ORDER} (the conversions cost O(n^3) operations); pass at most "
                f"{MAX_MOMENT_ORDER} orders"
            )
        for i, v in enumerate(lst):
            _check_scalar(v, name, i)
        lists.append(lst)
        flat.extend(lst)
    kind = _kind_of(flat)
    all_int = kind == "exact" and all(
        isinstance(v, int) or (hasattr(v, "dtype") and v.dtype.kind in "iu") for v in flat
    )
    conv = [_convert(lst, kind, name) for lst, name in zip(lists, names)]
    return kind, all_int, conv


def _convert(lst, kind, name):
    if kind == "sympy":
        import sympy

        return [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympify_safe(v)
                for v in lst]
    if kind == "mpmath":
        from .._utils.mpctx import mpmath

        out = []
        for v in lst:
            if isinstance(v, Fraction):
                out.append(mpmath.mpf(v.numerator) / v.denominator)
            else:
                out.append(mpmath.mpmathify(v))
        return out
    if kind == "float":
        out = []
        for i, v in enumerate(lst):
            c = complex(v)
            if not (math.isfinite(c.real) and math.isfinite(c.imag)):
                raise InvalidSequenceError(f"{name}[{i}] (order {i + 1}) is not finite: {v!r}")
            out.append(c.real if c.imag == 0 and not isinstance(v, complex) else c)
        return out
    out = []
    for v in lst:
        if isinstance(v, Fraction):
            out.append(v)
        else:
            out.append(int(v) if not isinstance(v, numbers.Rational) else Fraction(v))
    return out


def _finish(values, kind, all_int):
    """Normalise outputs: ints stay ints when possible; sympy gets expanded."""
    if kind == "sympy":
        import sympy

        return [sympy.expand(v) for v in values]
    if kind == "exact":
        fr = [Fraction(v) for v in values]
        if all_int and all(f.denominator == 1 for f in fr):
            return [int(f) for f in fr]
        return fr
    return list(values)


def _one(kind):
    if kind == "sympy":
        import sympy

        return sympy.Integer(1)
    if kind == "mpmath":
        from .._utils.mpctx import mpmath

        return mpmath.mpf(1)
    if kind == "float":
        return 1.0
    return 1


def _field(values, kind):
    """Elements that support exact division (ints become Fractions)."""
    if kind == "exact":
        return [Fraction(v) for v in values]
    return list(values)


# ---------------------------------------------------------------------------
# univariate conversions
# ---------------------------------------------------------------------------


class _PowerTable:
    """Coefficients ``T[s][k] = [z^k] M(z)^s`` for ``s + k <= N``, filled one
    column ``k`` at a time as the moments ``m_k`` become known."""

    def __init__(self, N, one):
        self.N = N
        self.one = one
        zero = one * 0
        # T[s] is a list of coefficients of M^s, s = 0..N
        self.T = [[one] + [zero] * N for _ in range(N + 1)]
        self.m = [one] + [zero] * N

    def add_moment(self, k, mk):
        """Record ``m_k`` and fill column ``k`` for all ``s`` with ``s + k <= N``."""
        self.m[k] = mk
        T, m = self.T, self.m
        for s in range(1, self.N - k + 1):
            prev = T[s - 1]
            acc = prev[k]  # j = 0 term: m_0 = 1
            for j in range(1, k + 1):
                if m[j] != 0:
                    acc = acc + prev[k - j] * m[j]
            T[s][k] = acc

    def coef(self, s, k):
        return self.T[s][k]


@_float_guard("moments")
def free_cumulants(moments):
    r"""Free cumulants ``kappa_1, ..., kappa_n`` of a moment sequence.

    Uses ``kappa_n = m_n - sum_{s=1}^{n-1} kappa_s [z^{n-s}] M(z)^s``
    (``O(n^3)`` operations, no loop over NC(n)).

    Parameters
    ----------
    moments : sequence
        ``m_1, ..., m_n``.  Exact, symbolic, mpmath or float entries.

    Returns
    -------
    list
        ``kappa_1, ..., kappa_n`` of the same number kind.

    Raises
    ------
    InvalidSequenceError
        If the sequence is empty or has non-numeric (also an
        ``InvalidArgumentTypeError``) or non-finite entries, or if float
        arithmetic overflows.
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    Catalan numbers are the moments of the free Poisson law of rate one, all
    of whose free cumulants are one:

    >>> free_cumulants([1, 2, 5, 14])
    [1, 1, 1, 1]

    The standard semicircle (moments ``0, 1, 0, 2``) has only ``kappa_2``:

    >>> free_cumulants([0, 1, 0, 2])
    [0, 1, 0, 0]
    """
    kind, all_int, (m,) = _prepare(moments, names=["moments"])
    n = len(m)
    one = _one(kind)
    table = _PowerTable(n, one)
    kappa = []
    for k in range(1, n + 1):
        if k >= 2:
            # column k-1 of the table needs m_{k-1}; kappa_k uses columns <= k-1
            table.add_moment(k - 1, m[k - 2])
        acc = m[k - 1]
        for s in range(1, k):
            c = table.coef(s, k - s)
            if c != 0 and kappa[s - 1] != 0:
                acc = acc - kappa[s - 1] * c
        kappa.append(acc)
    return _finish(kappa, kind, all_int)


@_float_guard("cumulants")
def moments_from_free_cumulants(cumulants):
    r"""Moments ``m_1, ..., m_n`` from free cumulants ``kappa_1, ..., kappa_n``.

    ``m_n = sum_{s=1}^n kappa_s [z^{n-s}] M(z)^s``, ``O(n^3)``.

    Parameters
    ----------
    cumulants : sequence of numbers
        Free cumulants ``kappa_1, ..., kappa_n``, starting at order one.  Entries may be ``int``,
        ``fractions.Fraction``, float, mpmath or sympy numbers/symbols.

    Returns
    -------
    list
        Moments ``m_1, ..., m_n``, as many as given, of the input's number kind: ``int`` when
        all inputs are ints and all outputs integral, else ``Fraction`` for
        exact input; float, mpmath or (expanded) sympy otherwise.

    Raises
    ------
    InvalidSequenceError
        If ``cumulants`` is a string, not iterable or empty, has a non-numeric entry
        (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    All free cumulants equal to one give the Catalan numbers:

    >>> moments_from_free_cumulants([1, 1, 1, 1, 1])
    [1, 2, 5, 14, 42]

    Symbolic cumulants stay symbolic:

    >>> import sympy
    >>> k1, k2 = sympy.symbols("kappa1 kappa2")
    >>> moments_from_free_cumulants([k1, k2, 0])[2]
    kappa1**3 + 3*kappa1*kappa2
    """
    kind, all_int, (kappa,) = _prepare(cumulants, names=["cumulants"])
    n = len(kappa)
    one = _one(kind)
    table = _PowerTable(n, one)
    m = []
    for k in range(1, n + 1):
        if k >= 2:
            table.add_moment(k - 1, m[k - 2])
        acc = one * 0
        for s in range(1, k + 1):
            if kappa[s - 1] != 0:
                c = table.coef(s, k - s)
                if c != 0:
                    acc = acc + kappa[s - 1] * c
        m.append(acc)
    return _finish(m, kind, all_int)


@_float_guard("moments")
def boolean_cumulants(moments):
    r"""Boolean cumulants ``b_1, ..., b_n``: ``M(z) = 1 / (1 - B(z))``.

    Computed by ``b_n = m_n - sum_{k=1}^{n-1} b_k m_{n-k}`` (``O(n^2)``).

    Parameters
    ----------
    moments : sequence of numbers
        Moments ``m_1, ..., m_n`` (``m_0 = 1`` implicit), starting at order one.  Entries may be ``int``,
        ``fractions.Fraction``, float, mpmath or sympy numbers/symbols.

    Returns
    -------
    list
        Boolean cumulants ``b_1, ..., b_n``, as many as given, of the input's number kind: ``int`` when
        all inputs are ints and all outputs integral, else ``Fraction`` for
        exact input; float, mpmath or (expanded) sympy otherwise.

    Raises
    ------
    InvalidSequenceError
        If ``moments`` is a string, not iterable or empty, has a non-numeric entry
        (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    Catalan moments have boolean cumulants ``Cat_{n-1}``:

    >>> boolean_cumulants([1, 2, 5, 14])
    [1, 1, 2, 5]
    """
    kind, all_int, (m,) = _prepare(moments, names=["moments"])
    n = len(m)
    # 1 - B = 1/M  =>  b_n = m_n - sum_{k=1}^{n-1} b_k m_{n-k}
    b = []
    for k in range(1, n + 1):
        acc = m[k - 1]
        for j in range(1, k):
            acc = acc - b[j - 1] * m[k - j - 1]
        b.append(acc)
    return _finish(b, kind, all_int)


@_float_guard("cumulants")
def moments_from_boolean_cumulants(cumulants):
    r"""Moments from boolean cumulants: ``m_n = sum_{k=1}^n b_k m_{n-k}``.

    Inverse of :func:`boolean_cumulants`.

    Parameters
    ----------
    cumulants : sequence of numbers
        Boolean cumulants ``b_1, ..., b_n``, starting at order one.  Entries may be ``int``,
        ``fractions.Fraction``, float, mpmath or sympy numbers/symbols.

    Returns
    -------
    list
        Moments ``m_1, ..., m_n``, as many as given, of the input's number kind: ``int`` when
        all inputs are ints and all outputs integral, else ``Fraction`` for
        exact input; float, mpmath or (expanded) sympy otherwise.

    Raises
    ------
    InvalidSequenceError
        If ``cumulants`` is a string, not iterable or empty, has a non-numeric entry
        (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    >>> moments_from_boolean_cumulants([1, 1, 2, 5])
    [1, 2, 5, 14]
    """
    kind, all_int, (b,) = _prepare(cumulants, names=["cumulants"])
    one = _one(kind)
    m = [one]
    for k in range(1, len(b) + 1):
        acc = one * 0
        for j in range(1, k + 1):
            acc = acc + b[j - 1] * m[k - j]
        m.append(acc)
    return _finish(m[1:], kind, all_int)


@_float_guard("moments")
def classical_cumulants(moments):
    r"""Classical cumulants: ``m_n = sum_{k=1}^n binom(n-1, k-1) c_k m_{n-k}``.

    Parameters
    ----------
    moments : sequence of numbers
        Moments ``m_1, ..., m_n`` (``m_0 = 1`` implicit), starting at order one.  Entries may be ``int``,
        ``fractions.Fraction``, float, mpmath or sympy numbers/symbols.

    Returns
    -------
    list
        Classical cumulants ``c_1, ..., c_n``, as many as given, of the input's number kind: ``int`` when
        all inputs are ints and all outputs integral, else ``Fraction`` for
        exact input; float, mpmath or (expanded) sympy otherwise.

    Raises
    ------
    InvalidSequenceError
        If ``moments`` is a string, not iterable or empty, has a non-numeric entry
        (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    The standard Gaussian (moments ``0, 1, 0, 3, 0, 15``) has only ``c_2``:

    >>> classical_cumulants([0, 1, 0, 3, 0, 15])
    [0, 1, 0, 0, 0, 0]
    """
    kind, all_int, (m,) = _prepare(moments, names=["moments"])
    one = _one(kind)
    mm = [one] + list(m)
    c = []
    for n in range(1, len(m) + 1):
        acc = mm[n]
        for k in range(1, n):
            acc = acc - math.comb(n - 1, k - 1) * c[k - 1] * mm[n - k]
        c.append(acc)
    return _finish(c, kind, all_int)


@_float_guard("cumulants")
def moments_from_classical_cumulants(cumulants):
    r"""Moments from classical cumulants (inverse of :func:`classical_cumulants`).

    Parameters
    ----------
    cumulants : sequence of numbers
        Classical cumulants ``c_1, ..., c_n``, starting at order one.  Entries may be ``int``,
        ``fractions.Fraction``, float, mpmath or sympy numbers/symbols.

    Returns
    -------
    list
        Moments ``m_1, ..., m_n``, as many as given, of the input's number kind: ``int`` when
        all inputs are ints and all outputs integral, else ``Fraction`` for
        exact input; float, mpmath or (expanded) sympy otherwise.

    Raises
    ------
    InvalidSequenceError
        If ``cumulants`` is a string, not iterable or empty, has a non-numeric entry
        (that error is also an ``InvalidArgumentTypeError``) or a non-finite
        float entry, or if float arithmetic overflows (pass exact ints or
        Fractions, or mpmath numbers, instead).
    TooLargeError
        If more than ``MAX_MOMENT_ORDER`` (2000) orders are passed.

    Examples
    --------
    The Poisson law of mean one has all cumulants one and Bell-number moments:

    >>> moments_from_classical_cumulants([1, 1, 1, 1, 1])
    [1, 2, 5, 15, 52]
    """
    kind, all_int, (c,) = _prepare(cumulants, names=["cumulants"])
    one = _one(kind)
    mm = [one]
    for n in range(1, len(c) + 1):
        acc = one * 0
        for k in range(1, n + 1):
            acc = acc + math.comb(n - 1, k - 1) * c[k - 1] * mm[n - k]
        mm.append(acc)
    return _finish(mm[1:], kind, all_int)


# ---------------------------------------------------------------------------
# multivariate
# ---------------------------------------------------------------------------


#: Longest word :func:`moment_from_cumulants` accepts: its first-block
#: recursion visits up to 2^(n-1) blocks per distinct sub-word (n = 16 takes
#: about a second with all letters distinct).
MAX_WORD_MOMENT = 16
#: Longest word :func:`cumulant_from_moments` accepts: its Möbius recursion
#: grows like 3^n for distinct letters (n = 13 takes about two seconds).
MAX_WORD_CUMULANT = 13


def _check_word_and_fn(word, fn, fname, maximum, what):
    """The word (a str, list or tuple of hashable letters, at most ``maximum``
    long, checked before any work) and the callable ``fn`` of the
    multivariate moment/cumulant front ends."""
    from .._utils.validate import check_int

    if not isinstance(word, (str, list, tuple)):
        raise InvalidArgumentTypeError(
            f"word must be a str or a list/tuple of letters; got {describe(word)} of type "
            f"{type(word).__name__}"
        )
    check_int(len(word), "len(word)", maximum=maximum,
              hint=f"the {what} recursion is exponential in the word length; for longer words "
                   "of free families use FreeModel(...).moment(tr(...)) (Kreweras recursion)")
    word = tuple(word)
    for i, a in enumerate(word):
        try:
            hash(a)
        except TypeError:
            raise InvalidArgumentTypeError(
                f"word[{i}] must be a hashable letter; got {describe(a)} of type {type(a).__name__}"
            ) from None
    if not callable(fn):
        raise InvalidArgumentTypeError(
            f"{fname} must be a callable taking a tuple of letters; got {describe(fn)} of type "
            f"{type(fn).__name__}"
        )
    return word


def _subsets_containing_first(length):
    """All subsets of range(length) containing 0, as sorted tuples."""
    for mask in range(1 << (length - 1)):
        yield (0,) + tuple(i + 1 for i in range(length - 1) if mask >> i & 1)


def _gaps(V, length):
    """The maximal intervals of range(length) between consecutive points of V
    (and after the last one), as (start, stop) pairs; empty ones omitted."""
    out = []
    ends = list(V) + [length]
    for a, b in zip(ends[:-1], ends[1:]):
        if b > a + 1:
            out.append((a + 1, b))
    return out


def moment_from_cumulants(word, kappa):
    r"""Mixed moment ``phi(a_1 ⋯ a_n) = sum_{pi in NC(n)} prod_{B in pi} kappa(a_B)``.

    ``kappa`` is called with a tuple of letters (the letters of a block in
    their order in the word) and returns the joint free cumulant.  The sum is
    evaluated by the first-block recursion
    ``phi(a_1...a_n) = sum_{V ∋ 1} kappa(a_V) prod_{gaps I of V} phi(a_I)``
    with memoisation on sub-words, so each cumulant is requested once per
    distinct block.

    Parameters
    ----------
    word : sequence of hashable
        The letters ``a_1, ..., a_n``.
    kappa : callable
        ``kappa(tuple_of_letters) -> number``: the joint free cumulant of the
        letters of one block (in word order).  Return ``0`` for vanishing
        (e.g. mixed) cumulants; those blocks are skipped.

    Returns
    -------
    number
        The mixed moment, of the kind ``kappa`` returns (a sympy result is
        expanded); ``1`` for the empty word.

    Examples
    --------
    Two free projections ``p, q`` with traces ``alpha, beta``: a projection
    has the free cumulants of a Bernoulli law, and mixed cumulants vanish.
    Then ``phi(pqpq) = alpha beta^2 + alpha^2 beta - alpha^2 beta^2``:

    >>> import sympy
    >>> a, b = sympy.symbols("alpha beta")
    >>> kp = free_cumulants([a] * 4)
    >>> kq = free_cumulants([b] * 4)
    >>> def kappa(block):
    ...     if set(block) == {"p"}: return kp[len(block) - 1]
    ...     if set(block) == {"q"}: return kq[len(block) - 1]
    ...     return 0
    >>> sympy.factor(moment_from_cumulants("pqpq", kappa))
    -alpha*beta*(alpha*beta - alpha - beta)

    Raises
    ------
    InvalidArgumentTypeError
        If ``word`` is not a str/list/tuple of hashable letters, or ``kappa``
        is not callable.
    TooLargeError
        For a word longer than ``MAX_WORD_MOMENT`` (16), before any work.
    """
    word = _check_word_and_fn(word, kappa, "kappa", MAX_WORD_MOMENT, "first-block")
    cache_k = {}
    cache_m = {}

    def kap(letters):
        if letters not in cache_k:
            cache_k[letters] = kappa(letters)
        return cache_k[letters]

    def mom(sub):
        if not sub:
            return 1
        if sub in cache_m:
            return cache_m[sub]
        total = 0
        L = len(sub)
        for V in _subsets_containing_first(L):
            kv = kap(tuple(sub[i] for i in V))
            if kv == 0:
                continue
            term = kv
            for a, b in _gaps(V, L):
                mg = mom(sub[a:b])
                if mg == 0:
                    term = 0
                    break
                term = term * mg
            if term != 0:
                total = total + term
        cache_m[sub] = total
        return total

    result = mom(word)
    if _is_sympy(result):
        import sympy

        result = sympy.expand(result)
    return result


def cumulant_from_moments(word, phi):
    r"""Joint free cumulant ``kappa_n(a_1, ..., a_n)`` from mixed moments.

    Möbius inversion of the moment-cumulant formula, evaluated recursively:
    ``kappa(a_1..a_n) = phi(a_1..a_n) - sum_{V ∋ 1, V != [n]} kappa(a_V) prod phi(gaps)``.

    Parameters
    ----------
    word : sequence of hashable
        The letters ``a_1, ..., a_n`` (a str, list or tuple), ``n >= 1``.
    phi : callable
        ``phi(tuple_of_letters) -> number``: the mixed moment of a word.

    Returns
    -------
    number
        The joint free cumulant, of the kind ``phi`` returns (a sympy result
        is expanded).

    Examples
    --------
    For a single variable with Catalan moments all cumulants are one:

    >>> cat = {1: 1, 2: 2, 3: 5, 4: 14}
    >>> cumulant_from_moments("aaaa", lambda w: cat[len(w)])
    1

    Raises
    ------
    InvalidArgumentTypeError
        If ``word`` is not a str/list/tuple of hashable letters, or ``phi``
        is not callable.
    InvalidArgumentError
        For the empty word (cumulants have order ``n >= 1``).
    TooLargeError
        For a word longer than ``MAX_WORD_CUMULANT`` (13), before any work.
    """
    word = _check_word_and_fn(word, phi, "phi", MAX_WORD_CUMULANT, "Möbius")
    if not word:
        raise InvalidArgumentError("word is empty; a free cumulant kappa_n needs n >= 1 letters")
    cache_phi = {}
    cache_k = {}

    def ph(letters):
        if not letters:
            return 1
        if letters not in cache_phi:
            cache_phi[letters] = phi(letters)
        return cache_phi[letters]

    def kap(letters):
        if letters in cache_k:
            return cache_k[letters]
        L = len(letters)
        total = ph(letters)
        for V in _subsets_containing_first(L):
            if len(V) == L:
                continue
            kv = kap(tuple(letters[i] for i in V))
            if kv == 0:
                continue
            term = kv
            for a, b in _gaps(V, L):
                term = term * ph(letters[a:b])
            total = total - term
        cache_k[letters] = total
        return total

    result = kap(word)
    if _is_sympy(result):
        import sympy

        result = sympy.expand(result)
    return result


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
    # chi(w) = S(w) w / (1 + w)
    zero = s[0] * 0
    one = zero + 1
    geo = [one if k % 2 == 0 else -one for k in range(n)]  # 1/(1+w)
    chi = [zero] + _series.mul(s, geo, n)  # n + 1 terms, chi_0 = 0
    psi = _series.reverse(chi, n + 1)
    return _finish(psi[1:], kind, all_int)
