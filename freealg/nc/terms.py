"""Linear combinations of words ``sum_w c_w w``: the storage rules that
:class:`~freealg.nc.ncpoly.NCPoly` and :class:`~freealg.nc.trace.Trace` share.

Both keep an immutable ``{word: coefficient}`` dict with no zero
coefficients.  This module collects like words (:func:`_collect`), compares
with a scalar, hashes and prints such a dict (the mixin
:class:`_WordCombination`), applies the shape rules of sums and products of
matrix polynomials, and refuses a power whose expansion cannot fit.

Examples
--------
>>> from freealg.nc.terms import _collect
>>> _collect({("a",): 1}, {("a",): 2, (): 5}.items(), -1)
{('a',): -1, (): -5}
"""

from __future__ import annotations

import math

from .base import _as_scalar, _fmt_shape, _is_zero, _sadd, _smul, _term_latex, _term_str, _word_key
from ..errors import InvalidArgumentError, NCPolynomialError, TooLargeError

__all__ = []


def _collect(terms, items, sign=1):
    """``terms + sign * items`` as a new dict: like words added, zeros dropped.

    ``terms`` is a ``{word: coefficient}`` dict (not changed); ``items`` an
    iterable of ``(word, coefficient)`` pairs; ``sign`` is 1 or -1."""
    out = dict(terms)
    for w, c in items:
        if sign != 1:
            c = _smul(sign, c)
        s = _sadd(out[w], c) if w in out else c
        if _is_zero(s):
            out.pop(w, None)
        else:
            out[w] = s
    return out


def _scalar_terms(c):
    """The terms of the constant ``c`` (already a normalised scalar)."""
    return {(): c} if not _is_zero(c) else {}


class _WordCombination:
    """Mixin: ordering, letters, scalar equality, hashing and printing of an
    object with an immutable ``_terms`` dict and a ``_hash`` slot.

    A subclass sets ``_HASH_TAG`` and, for printing, ``_word_body(w)`` and
    ``_word_body_latex(w)`` (the text of one word, ``""`` for the constant)."""

    __slots__ = ()
    _HASH_TAG = ""

    def _sorted(self):
        return sorted(self._terms.items(), key=lambda kv: (-len(kv[0]), _word_key(kv[0])))

    def _letters(self):
        seen = {}
        for w in self._terms:
            for letter, _ in w:
                seen[letter] = None
        return list(seen)

    def _eq_scalar(self, other):
        """``self == other`` for a scalar ``other``; NotImplemented if it is not one."""
        try:
            c = _as_scalar(other)
        except (NCPolynomialError, InvalidArgumentError):
            return NotImplemented
        return self._terms == _scalar_terms(c)

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((self._HASH_TAG, frozenset(self._terms.items()))))
        return self._hash

    def __bool__(self):
        return bool(self._terms)

    def __str__(self):
        if not self._terms:
            return "0"
        return "".join(_term_str(c, self._word_body(w), i == 0) for i, (w, c) in enumerate(self._sorted()))

    def __repr__(self):
        return self.__str__()

    def _latex(self, printer=None):
        if not self._terms:
            return "0"
        return "".join(_term_latex(c, self._word_body_latex(w), i == 0)
                       for i, (w, c) in enumerate(self._sorted()))

    def _repr_latex_(self):
        return "$" + self._latex() + "$"


# ---------------------------------------------------------------------------
# shapes of sums and products, size of powers
# ---------------------------------------------------------------------------


def _sum_shape(p, q):
    a, b = p._shape, q._shape
    if a is None and b is None:
        return None
    if a is None or b is None:
        s = a or b
        if s[0] != s[1] and ((a is None and p._terms) or (b is None and q._terms)):
            raise NCPolynomialError(
                f"cannot add a multiple of I to the non-square polynomial of shape "
                f"{_fmt_shape(s)}: the identity is square"
            )
        return s
    if a != b:
        raise NCPolynomialError(
            f"shape mismatch in a sum: {p} is {_fmt_shape(a)} but {q} is {_fmt_shape(b)}"
        )
    return a


def _prod_shape(p, q):
    a, b = p._shape, q._shape
    if a is None:
        return b
    if b is None:
        return a
    if a[1] != b[0]:
        raise NCPolynomialError(
            f"shape mismatch in a product: {p} is {_fmt_shape(a)} and {q} is "
            f"{_fmt_shape(b)}; the inner dimensions {a[1]!s} and {b[0]!s} differ "
            "(non-square use of a letter?)"
        )
    return (a[0], b[1])


#: Most words an expanded power may have (a ``(a + b)**k`` has ``2**k`` words).
_MAX_POWER_WORDS = 2**22


def _check_power_size(p, k):
    """TooLargeError, before any work, for a power whose expansion cannot fit."""
    from .._utils.validate import MAX_MOMENT_ORDER, check_int

    longest = max((len(w) for w in p._terms), default=0)
    if longest:
        check_int(k, "the exponent", minimum=0, maximum=MAX_MOMENT_ORDER // longest,
                  hint=f"{p}**k has words of length {longest}·k; keep that under "
                       f"{MAX_MOMENT_ORDER}")
    # distinct words of p**k: at most n**k (n terms) and at most the number of
    # words of length <= k*longest over the A distinct (letter, transposed) atoms
    n = len(p._terms)
    atoms = {x for w in p._terms for x in w}
    A = len(atoms)
    if n <= 1 or A <= 1:
        return
    log_words = min(k * math.log2(n), (k * longest + 1) * math.log2(A))
    if log_words > math.log2(_MAX_POWER_WORDS):
        raise TooLargeError(
            f"({p})**{k} expands to about 2**{log_words:.0f} words, more than {_MAX_POWER_WORDS}; "
            "take the trace of a product of smaller powers, or use FreeModel.moment on "
            "tr(p**j) for smaller j"
        )
