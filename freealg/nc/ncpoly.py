r"""Noncommutative polynomials in matrix letters, and their normalised traces.

A *letter* stands for a matrix (a weight ``W``, a diagonal ``D``, ...); a
polynomial is a finite linear combination of *words* (products of letters and
transposed letters) with scalar coefficients that are numbers or sympy
expressions (``sigma_w``, ``q_l`` stay symbolic).  The ring is free: no
relation between letters is assumed (``W * W.T`` is not the identity here;
the relations of a random-matrix model live in :class:`freealg.FreeModel`).

Conventions
-----------
* ``p.T`` is the transpose (the adjoint of a real matrix): it reverses
  products, ``(A B).T = B.T A.T``, and leaves coefficients alone (scalars are
  taken real).  A letter declared self-adjoint satisfies ``A.T == A``.
* :func:`tr` is the normalised trace ``tr = (1/N) Tr`` (docs/theory.md §1):
  linear, ``tr(I) = 1``, cyclic, and ``tr(p.T) = tr(p)`` (real matrices).  A
  trace is stored in a canonical form -- each word replaced by the least of
  its rotations and of the rotations of its transpose -- so that
  ``tr(A*B) == tr(B*A)`` and ``tr(p.T) == tr(p)`` compare equal.
* Letters have a shape ``(rows, cols)`` of dimension labels, ``("N", "N")``
  by default; products and sums check the shapes, and a trace needs a square
  polynomial.

Examples
--------
>>> from freealg import nc_symbols, tr, I
>>> W, D = nc_symbols("W1 D1", selfadjoint="D1")
>>> p = (W * D - I) ** 2
>>> p
W1*D1*W1*D1 - 2*W1*D1 + I
>>> p.degree(), p.T
(4, D1*W1.T*D1*W1.T - 2*D1*W1.T + I)
>>> tr(W * D * W.T) == tr(D * W.T * W) == tr((W * D * W.T).T)
True
>>> tr(p)
tr(D1*W1*D1*W1) - 2*tr(D1*W1) + 1
"""

from __future__ import annotations

import math
import numbers

from .base import Letter, _as_scalar, _cols, _fmt_shape, _is_sympy, _is_zero, _rows, _sadd, _sdiv, _smul, _word_t, word_latex, word_str
from .substitution import _as_letter, _as_poly, _parse_subs
from .terms import _check_power_size, _collect, _prod_shape, _scalar_terms, _sum_shape, _WordCombination
from ..errors import NCPolynomialError

__all__ = ["Letter", "NCPoly", "Trace", "tr", "I", "Id"]

# ---------------------------------------------------------------------------
# polynomials
# ---------------------------------------------------------------------------


class NCPoly(_WordCombination):
    """A noncommutative polynomial: ``sum_w c_w w`` over words ``w``.

    Immutable and hashable.  Build polynomials from :func:`nc_symbols` letters
    and the identity :data:`I` with ``+ - *``, integer powers and scalar
    coefficients; ``NCPoly(c)`` is ``c * I``.

    Parameters
    ----------
    value : NCPoly or scalar, default 0
        A polynomial (copied) or a scalar coefficient: int, Fraction, float,
        complex, mpmath number or commutative sympy expression, giving
        ``value * I``.

    Raises
    ------
    NCPolynomialError
        If ``value`` is not a scalar (a trace, a noncommutative sympy
        expression, a string, None or a bool -- the last three also raise an
        ``InvalidArgumentTypeError``).
    InvalidArgumentError
        If ``value`` is a non-finite number.

    Attributes
    ----------
    shape : tuple or None
        ``(rows, cols)`` dimension labels, or None for multiples of ``I``
        (which adapt to any square shape).

    Examples
    --------
    >>> from freealg import nc_symbols, I
    >>> A, B = nc_symbols("A B")
    >>> (A + B) ** 2
    A**2 + A*B + B*A + B**2
    >>> ((A + B) ** 2).coeff(A * B), (A - A) == 0
    (1, True)
    """

    __slots__ = ("_terms", "_shape", "_hash")
    _freealg_kind = "ncpoly"

    def __init__(self, value=0):
        if isinstance(value, NCPoly):
            terms, shape = dict(value._terms), value._shape
        else:
            c = _as_scalar(value)
            terms, shape = _scalar_terms(c), None
        object.__setattr__(self, "_terms", terms)
        object.__setattr__(self, "_shape", shape)
        object.__setattr__(self, "_hash", None)

    @classmethod
    def _make(cls, terms, shape):
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_terms", terms)
        object.__setattr__(obj, "_shape", shape)
        object.__setattr__(obj, "_hash", None)
        return obj

    def __setattr__(self, key, value):
        raise AttributeError("NCPoly is immutable")

    def __reduce__(self):
        return (_rebuild, (self._terms, self._shape))

    # -- basic properties ---------------------------------------------------

    @property
    def shape(self):
        """``(rows, cols)`` dimension labels, or None for multiples of ``I``."""
        return self._shape

    @property
    def letter(self):
        """The :class:`Letter` if this polynomial is a single plain letter
        (coefficient one, not transposed), else None."""
        if len(self._terms) == 1:
            (w, c), = self._terms.items()
            if len(w) == 1 and not w[0][1] and c == 1:
                return w[0][0]
        return None

    @property
    def is_zero(self):
        """True for the zero polynomial."""
        return not self._terms

    @property
    def is_scalar(self):
        """True for multiples of the identity (including zero)."""
        return all(not w for w in self._terms)

    def letters(self):
        """The letters occurring in the polynomial, as one-letter polynomials
        sorted by name.

        Returns
        -------
        tuple of NCPoly
            One plain (untransposed) letter per distinct letter, ``()`` for a
            scalar polynomial.

        Examples
        --------
        >>> from freealg import nc_symbols
        >>> W, D = nc_symbols("W D")
        >>> (W.T * D * W).letters()
        (D, W)
        """
        return tuple(_letter_poly(x) for x in sorted(self._letters(), key=lambda x: x._key))

    def terms(self):
        """``[(coefficient, monomial), ...]`` in printing order.

        Returns
        -------
        list of tuple
            ``(coefficient, monomial)`` pairs, the monomial an
            :class:`NCPoly` word with coefficient one (``I`` for the constant
            term); longest words first.  ``[]`` for zero.

        Examples
        --------
        >>> from freealg import nc_symbols, I
        >>> A = nc_symbols("A")
        >>> (2 * A**2 - I).terms()
        [(2, A**2), (-1, I)]
        """
        return [(c, NCPoly._make({w: 1}, self._shape if w else None)) for w, c in self._sorted()]

    def as_dict(self):
        """``{word: coefficient}`` with each word a tuple of
        ``(letter_name, transposed)`` pairs (the empty tuple is ``I``).

        Returns
        -------
        dict
            ``{tuple of (str, bool): coefficient}``, in printing order.

        Examples
        --------
        >>> from freealg import nc_symbols, I
        >>> W = nc_symbols("W")
        >>> (3 * W.T * W + I).as_dict()
        {(('W', True), ('W', False)): 3, (): 1}
        """
        return {tuple((a[0].name, a[1]) for a in w): c for w, c in self._sorted()}

    def coeff(self, monomial):
        """Coefficient of a word (given as a monomial polynomial); 0 if absent.

        Parameters
        ----------
        monomial : NCPoly
            A single word with coefficient one, e.g. ``A * B.T`` (or ``I``
            for the constant term).

        Returns
        -------
        scalar
            The coefficient (int, Fraction, float, sympy expression, ...), or
            ``0`` if the word does not occur.

        Raises
        ------
        NCPolynomialError
            If ``monomial`` is not a single word with coefficient one.

        Examples
        --------
        >>> from freealg import nc_symbols, I
        >>> A, B = nc_symbols("A B")
        >>> p = 3 * A * B - B * A + 5
        >>> p.coeff(A * B), p.coeff(B * A), p.coeff(I), p.coeff(A)
        (3, -1, 5, 0)
        """
        m = _as_poly(monomial, NCPoly)
        if len(m._terms) != 1:
            raise NCPolynomialError(f"coeff() needs a single word; got {m}")
        (w, c), = m._terms.items()
        if c != 1:
            raise NCPolynomialError(f"coeff() needs a word with coefficient 1; got {m}")
        return self._terms.get(w, 0)

    def degree(self, letter=None):
        """Total degree (the longest word), or the degree in one letter
        (occurrences of the letter or its transpose).  The zero polynomial
        has degree ``-inf``.

        Parameters
        ----------
        letter : NCPoly or Letter, optional
            A single letter (from :func:`nc_symbols`); None (default) gives
            the total degree.

        Returns
        -------
        int or float
            The degree, an int; ``-math.inf`` for the zero polynomial.

        Raises
        ------
        NCPolynomialError
            If ``letter`` is not a single letter.

        Examples
        --------
        >>> from freealg import nc_symbols, I
        >>> W, D = nc_symbols("W D")
        >>> p = W * D * W.T + 3 * I
        >>> p.degree(), p.degree(W), I.degree()
        (3, 2, 0)
        """
        if not self._terms:
            return -math.inf
        if letter is None:
            return max(len(w) for w in self._terms)
        lt = _as_letter(letter, "degree")
        return max(sum(1 for a in w if a[0] == lt) for w in self._terms)

    # -- arithmetic -----------------------------------------------------------

    def __add__(self, other):
        other = _coerce(other)
        shape = _sum_shape(self, other)
        return NCPoly._make(_collect(self._terms, other._terms.items()), shape)

    def __radd__(self, other):
        other = _coerce(other)
        return other.__add__(self)

    def __neg__(self):
        return NCPoly._make({w: _smul(-1, c) for w, c in self._terms.items()}, self._shape)

    def __pos__(self):
        return self

    def __sub__(self, other):
        other = _coerce(other)
        return self.__add__(-other)

    def __rsub__(self, other):
        other = _coerce(other)
        return other.__add__(-self)

    def __mul__(self, other):
        other = _coerce(other)
        shape = _prod_shape(self, other)
        terms = {}
        for w1, c1 in self._terms.items():
            for w2, c2 in other._terms.items():
                w = w1 + w2
                c = _smul(c1, c2)
                if w in terms:
                    c = _sadd(terms[w], c)
                if _is_zero(c):
                    terms.pop(w, None)
                else:
                    terms[w] = c
        return NCPoly._make(terms, shape)

    def __rmul__(self, other):
        other = _coerce(other)
        return other.__mul__(self)

    def __truediv__(self, other):
        if isinstance(other, NCPoly):
            if other.is_scalar and other._terms:
                other = other._terms[()]
            else:
                raise NCPolynomialError(
                    f"division by the polynomial {other} is not defined: inverses of "
                    "letters are not noncommutative polynomials; divide by scalars only"
                )
        if _is_trace(other):
            return NotImplemented
        c = _as_scalar(other, "divisor")
        if _is_zero(c):
            raise ZeroDivisionError(f"division of {self} by zero")
        return NCPoly._make({w: _sdiv(v, c) for w, v in self._terms.items()}, self._shape)

    def __rtruediv__(self, other):
        raise NCPolynomialError(
            f"{other!r} / ({self}) is not a polynomial: a letter has no inverse in the "
            "noncommutative polynomial ring; rewrite without dividing by letters"
        )

    def __pow__(self, k):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise NCPolynomialError(
                f"power {k!r} of {self} is not allowed: only integer powers k >= 0 stay "
                "polynomials"
            )
        k = int(k)
        if k < 0:
            raise NCPolynomialError(
                f"negative power {k} of {self} is not a polynomial (a letter has no "
                "inverse in the noncommutative polynomial ring); use k >= 0"
            )
        _check_power_size(self, k)
        if self._shape is not None and self._shape[0] != self._shape[1]:
            raise NCPolynomialError(
                f"power {k} of the non-square polynomial {self} (shape "
                f"{_fmt_shape(self._shape)}) is undefined; powers need a square polynomial"
            )
        result = NCPoly._make({(): 1}, None)
        base = self
        while k:
            if k & 1:
                result = result * base
            k >>= 1
            if k:
                base = base * base
        return result

    @property
    def T(self):
        """The transpose: products reversed, letters transposed."""
        shape = None if self._shape is None else (self._shape[1], self._shape[0])
        return NCPoly._make({_word_t(w): c for w, c in self._terms.items()}, shape)

    def transpose(self):
        """The transpose, same as :attr:`T`.

        Returns
        -------
        NCPoly
            Products reversed, letters transposed (self-adjoint letters
            unchanged); the shape is swapped.

        Examples
        --------
        >>> from freealg import nc_symbols
        >>> A, B = nc_symbols("A B")
        >>> (A * B).transpose()
        B.T*A.T
        """
        return self.T

    def expand(self):
        """The polynomial itself: polynomials are stored expanded, with like
        words collected (returned for API symmetry with sympy).

        Returns
        -------
        NCPoly
            ``self``.

        Examples
        --------
        >>> from freealg import nc_symbols
        >>> A, B = nc_symbols("A B")
        >>> (A * (A + B)).expand()
        A**2 + A*B
        """
        return self

    def subs(self, *args):
        """Substitute letters by polynomials (or scalars) and sympy symbols in
        the coefficients, simultaneously.

        ``p.subs({W: q, sigma: 2})``, ``p.subs(W, q)`` or ``p.subs([(W, q)])``.
        A transposed occurrence ``W.T`` becomes ``q.T``.  Letters may also be
        given by name.

        Parameters
        ----------
        *args
            Either one mapping ``{old: new}``, one iterable of ``(old, new)``
            pairs, or two arguments ``old, new``.  ``old`` is a letter (a
            one-letter polynomial or a :class:`Letter`), a transposed letter
            ``W.T`` (then ``W`` becomes ``new.T``), a letter name (str) or a
            sympy symbol of the coefficients.  ``new`` is a polynomial of the
            letter's shape, or a scalar (square letters only).

        Returns
        -------
        NCPoly
            The substituted polynomial (expanded, like words collected).

        Raises
        ------
        NCPolynomialError
            For a wrong number of arguments, a key that is not a letter, name or
            sympy symbol, a replacement of the wrong shape, or a scalar for a
            non-square letter.

        Examples
        --------
        >>> from freealg import nc_symbols, I
        >>> A, B, C = nc_symbols("A B C")
        >>> (A * B.T).subs({B: C + I})
        A*C.T + A
        """
        letter_map, sym_map = _parse_subs(args, NCPoly)
        out = NCPoly._make({}, self._shape)
        for w, c in self._terms.items():
            if sym_map and _is_sympy(c):
                c = _as_scalar(c.subs(sym_map))
            term = NCPoly._make({(): c}, None) if not _is_zero(c) else None
            if term is None:
                continue
            for atom in w:
                rep = letter_map.get(atom[0])
                if rep is None:
                    factor = NCPoly._make({(atom,): 1}, (_rows(atom), _cols(atom)))
                else:
                    factor = rep.T if (atom[1] and not atom[0].selfadjoint) else rep
                term = term * factor
            out = out + term
        return out

    # -- comparison, hashing, printing -----------------------------------------

    def __eq__(self, other):
        if isinstance(other, NCPoly):
            if self._shape is not None and other._shape is not None and self._shape != other._shape:
                return False
            return self._terms == other._terms
        if _is_trace(other):
            return NotImplemented
        return self._eq_scalar(other)

    __hash__ = _WordCombination.__hash__  # defining __eq__ would otherwise unset it

    def _word_body(self, w):
        return word_str(w)

    def _word_body_latex(self, w):
        return word_latex(w)


def _rebuild(terms, shape):
    """Unpickling helper."""
    return NCPoly._make(dict(terms), shape)


def _letter_poly(letter):
    return NCPoly._make({((letter, False),): 1}, letter.shape)


def _coerce(other):
    if isinstance(other, NCPoly):
        return other
    if _is_trace(other):
        raise NCPolynomialError(
            f"cannot combine the trace {other} with a matrix polynomial; a trace is a "
            "scalar-valued expression: take tr() of the whole polynomial instead"
        )
    c = _as_scalar(other)
    return NCPoly._make(_scalar_terms(c), None)


#: The identity matrix (any square size); ``tr(I) = 1``.
I = NCPoly._make({(): 1}, None)
#: Alias of :data:`I` that does not clash with ``sympy.I``.
Id = I


def _is_trace(x):
    return getattr(type(x), "_freealg_kind", None) == "trace"


from .trace import Trace, tr  # noqa: E402  (Trace needs NCPoly defined first)
