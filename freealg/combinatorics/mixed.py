r"""Multivariate moment–cumulant formulas: mixed moments and joint free
cumulants of words in non-commuting variables.

Conventions (docs/theory.md §2)
---------------------------------
* ``phi(a_1 ... a_n) = sum_{pi in NC(n)} prod_{B in pi} kappa(a_B)``, computed
  by the first-block recursion, and its Möbius inversion for ``kappa_n``.
"""

from __future__ import annotations

from .._utils.validate import describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._kinds import _is_sympy

__all__ = ["moment_from_cumulants", "cumulant_from_moments"]


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
    >>> from freealg.cumulants import free_cumulants
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
