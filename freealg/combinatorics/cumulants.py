r"""Moments and cumulants: free, boolean and classical; free convolutions of
moment sequences; multivariate moment-cumulant formulas.

This module holds the univariate conversions; the mixed (multivariate)
formulas are in :mod:`freealg.combinatorics.mixed` and the free convolutions
of moment sequences in :mod:`freealg.combinatorics.convolution`.

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

import math

from ._kinds import _finish, _float_guard, _one, _prepare

__all__ = [
    "free_cumulants",
    "moments_from_free_cumulants",
    "boolean_cumulants",
    "moments_from_boolean_cumulants",
    "classical_cumulants",
    "moments_from_classical_cumulants",
]


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


def _free_cumulants_of(m, one):
    """Free cumulants of the moments ``m = [m_1, ..., m_n]`` (private core).

    The one implementation of ``kappa_n = m_n - sum_{s<n} kappa_s [z^{n-s}] M(z)^s``:
    division-free, so it runs on any ring elements (int, Fraction, sympy,
    mpmath, float, sympy polynomial-ring or domain elements) given their
    unit ``one``; nothing is validated or converted.
    """
    n = len(m)
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
    return kappa


def _moments_of_free_cumulants(kappa, one):
    """Moments ``m_1, ..., m_n`` of the free cumulants ``kappa`` (private core).

    The one implementation of ``m_n = sum_{s=1}^n kappa_s [z^{n-s}] M(z)^s``,
    division-free on any ring elements with unit ``one`` (see
    :func:`_free_cumulants_of`); nothing is validated or converted.
    """
    n = len(kappa)
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
    return m


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
    return _finish(_free_cumulants_of(m, _one(kind)), kind, all_int)


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
    return _finish(_moments_of_free_cumulants(kappa, _one(kind)), kind, all_int)


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
