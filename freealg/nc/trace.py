"""Normalised traces of noncommutative polynomials (private; ``Trace`` and
``tr`` are public through :mod:`freealg.ncpoly`)."""

from __future__ import annotations

import math

from .base import _as_scalar, _cols, _fmt_shape, _is_zero, _rows, _sdiv, _smul, cyclic_canonical, word_latex, word_str
from .terms import _collect, _scalar_terms, _WordCombination
from ..errors import NCPolynomialError

__all__ = ["Trace", "tr"]


def _poly():
    from .ncpoly import NCPoly

    return NCPoly


# ---------------------------------------------------------------------------
# traces
# ---------------------------------------------------------------------------


class Trace(_WordCombination):
    """A linear combination ``sum_w c_w tr(w)`` of normalised traces of words,
    each word in cyclic canonical form (see :func:`tr`).  The empty word
    stands for ``tr(I) = 1``, i.e. a constant.

    Supports ``+ -``, scalar ``*`` and ``/``, ``==``, hashing, :meth:`subs`,
    text and LaTeX printing.

    Parameters
    ----------
    terms : dict or None, default None
        Internal form ``{word: coefficient}``, each word a tuple of
        ``(Letter, transposed)`` atoms already in cyclic canonical form
        (``()`` is the constant).  None gives the zero trace.  Build traces
        with :func:`tr` rather than by hand.

    Raises
    ------
    InvalidArgumentTypeError
        If ``terms`` is neither None nor a dict keyed by tuples.

    Examples
    --------
    >>> from freealg import nc_symbols, tr
    >>> A, B = nc_symbols("A B")
    >>> t = tr(A * B) + tr(B * A) + 3
    >>> t
    2*tr(A*B) + 3
    >>> t.words()
    [A*B, I]
    """

    __slots__ = ("_terms", "_hash")
    _freealg_kind = "trace"
    _HASH_TAG = "Trace"

    def __init__(self, terms=None):
        if terms is not None and not (isinstance(terms, dict)
                                      and all(isinstance(w, tuple) for w in terms)):
            from .._utils.validate import describe
            from ..errors import InvalidArgumentTypeError

            raise InvalidArgumentTypeError(
                f"terms must be None or a dict {{word (a tuple of letters): coefficient}}; got "
                f"{describe(terms)} of type {type(terms).__name__} (build traces with tr(...))")
        object.__setattr__(self, "_terms", dict(terms or {}))
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, key, value):
        raise AttributeError("Trace is immutable")

    def __reduce__(self):
        return (Trace, (self._terms,))

    @classmethod
    def _from_poly(cls, p):
        return cls(_collect({}, ((cyclic_canonical(w), c) for w, c in p._terms.items())))

    def words(self):
        """The canonical words, as monomial polynomials (``I`` for a constant).

        Returns
        -------
        list of NCPoly
            One monomial per term, longest words first.

        Examples
        --------
        >>> from freealg import nc_symbols, tr
        >>> A, B = nc_symbols("A B")
        >>> (tr(B * A) - 2).words()
        [A*B, I]
        """
        return [_poly()._make({w: 1}, None if not w else (_rows(w[0]), _cols(w[-1])))
                for w, _ in self._sorted()]

    def terms(self):
        """``[(coefficient, word_monomial), ...]``.

        Returns
        -------
        list of tuple
            ``(coefficient, monomial)`` pairs in the order of :meth:`words`.

        Examples
        --------
        >>> from freealg import nc_symbols, tr
        >>> A, B = nc_symbols("A B")
        >>> (3 * tr(B * A) - 2).terms()
        [(3, A*B), (-2, I)]
        """
        return [(c, m) for (w, c), m in zip(self._sorted(), self.words())]

    def degree(self):
        """Length of the longest word (``-inf`` for the zero trace).

        Returns
        -------
        int or float
            The degree (``0`` for a constant), or ``-math.inf`` for zero.

        Examples
        --------
        >>> from freealg import nc_symbols, tr
        >>> A, B = nc_symbols("A B")
        >>> (tr(A * B * A) + 1).degree()
        3
        """
        return max((len(w) for w in self._terms), default=-math.inf)

    def as_dict(self):
        """``{canonical word: coefficient}``, words as in :meth:`NCPoly.as_dict`.

        Returns
        -------
        dict
            ``{tuple of (letter_name, transposed): coefficient}``; the empty
            tuple is the constant ``tr(I) = 1``.

        Examples
        --------
        >>> from freealg import nc_symbols, tr
        >>> A, B = nc_symbols("A B")
        >>> (tr(B * A) + 5).as_dict()
        {(('A', False), ('B', False)): 1, (): 5}
        """
        return {tuple((a[0].name, a[1]) for a in w): c for w, c in self._sorted()}

    def _combine(self, other, sign):
        if isinstance(other, Trace):
            oterms = other._terms
        elif getattr(type(other), "_freealg_kind", None) == "ncpoly":
            raise NCPolynomialError(
                f"cannot add the matrix polynomial {other} to the trace {self}; take tr() of it"
            )
        else:
            oterms = _scalar_terms(_as_scalar(other))
        return Trace(_collect(self._terms, oterms.items(), sign))

    def __add__(self, other):
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(other, -1)

    def __rsub__(self, other):
        return (-self)._combine(other, 1)

    def __neg__(self):
        return Trace({w: _smul(-1, c) for w, c in self._terms.items()})

    def __mul__(self, other):
        if isinstance(other, Trace):
            raise NCPolynomialError(
                f"products of traces ({self})*({other}) are not supported; compute each "
                "moment with FreeModel.moment and multiply the numbers"
            )
        if getattr(type(other), "_freealg_kind", None) == "ncpoly":
            raise NCPolynomialError(
                f"cannot multiply the trace {self} by the matrix polynomial {other}; "
                "put scalars (numbers, sympy expressions) in front of traces"
            )
        c = _as_scalar(other)
        if _is_zero(c):
            return Trace({})
        return Trace({w: _smul(v, c) for w, v in self._terms.items()})

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Trace) or getattr(type(other), "_freealg_kind", None) == "ncpoly":
            raise NCPolynomialError(f"cannot divide by {other}; divide traces by scalars only")
        c = _as_scalar(other, "divisor")
        return Trace({w: _sdiv(v, c) for w, v in self._terms.items()})

    def subs(self, *args):
        """Substitute letters (inside the traces) and coefficient symbols;
        same arguments as :meth:`NCPoly.subs`.

        Parameters
        ----------
        *args
            A mapping ``{old: new}``, an iterable of ``(old, new)`` pairs, or
            ``old, new``; keys are letters, letter names or sympy symbols
            (see :meth:`NCPoly.subs`).

        Returns
        -------
        Trace
            The trace of the substituted words, re-canonicalised.

        Raises
        ------
        NCPolynomialError
            For malformed arguments or a replacement of the wrong shape (as
            in :meth:`NCPoly.subs`), or if a substituted word is no longer
            square.

        Examples
        --------
        >>> from freealg import nc_symbols, tr, I
        >>> A, B = nc_symbols("A B")
        >>> tr(A * B).subs(A, B + I)
        tr(B**2) + tr(B)
        """
        out = Trace({})
        for w, c in self._terms.items():
            p = _poly()._make({w: c}, None if not w else (_rows(w[0]), _cols(w[-1])))
            out = out + tr(p.subs(*args))
        return out

    def __eq__(self, other):
        if isinstance(other, Trace):
            return self._terms == other._terms
        if getattr(type(other), "_freealg_kind", None) == "ncpoly":
            return False
        return self._eq_scalar(other)

    __hash__ = _WordCombination.__hash__  # defining __eq__ would otherwise unset it

    def _word_body(self, w):
        return f"tr({word_str(w)})" if w else ""

    def _word_body_latex(self, w):
        return (r"\operatorname{tr}\left(" + word_latex(w) + r"\right)") if w else ""


def tr(p):
    r"""Normalised trace ``tr = (1/N) Tr`` of a polynomial, as a :class:`Trace`.

    Linear, ``tr(I) = 1``; each word is stored in cyclic canonical form (the
    least rotation of the word or of its transpose), so ``tr(A*B) == tr(B*A)``
    and ``tr(p.T) == tr(p)`` (valid for real matrices).  The trace is a formal
    object; :meth:`freealg.FreeModel.moment` evaluates its large-N limit.

    Parameters
    ----------
    p : NCPoly or scalar
        A square polynomial, or a scalar ``c`` (read as ``c * I``, so
        ``tr(c) = c``).

    Returns
    -------
    Trace
        The formal trace, linear combination of canonical words.

    Raises
    ------
    NCPolynomialError
        If ``p`` is not square (``tr`` of an ``N x M`` polynomial) or not a
        polynomial (e.g. already a :class:`Trace`).

    Examples
    --------
    >>> from freealg import nc_symbols, tr, I
    >>> W, D = nc_symbols("W D", selfadjoint="D")
    >>> tr(W * D * W.T) == tr(D * W.T * W)
    True
    >>> tr(2 * I + W.T * W)
    tr(W*W.T) + 2
    """
    if isinstance(p, Trace):
        raise NCPolynomialError(f"tr() of a trace {p} is not defined; it is already a scalar")
    from .ncpoly import _coerce

    p = _coerce(p)
    if p._shape is not None and p._shape[0] != p._shape[1]:
        raise NCPolynomialError(
            f"trace of the non-square polynomial {p} (shape {_fmt_shape(p._shape)}) is "
            "undefined; multiply by a transpose first, e.g. tr(X * X.T)"
        )
    return Trace._from_poly(p)
