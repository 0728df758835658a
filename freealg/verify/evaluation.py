r"""Evaluation of a noncommutative polynomial or a trace on given matrices
(normalised trace ``tr = (1/n) Tr``, docs/theory.md §1), and the empirical
moments of one sampled matrix.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError, UnknownSymbolError
from ._common import _to_float


def _terms_of(expr):
    """``(kind, {word: coeff})`` with ``kind`` 'trace' or 'poly'.  A word is a
    tuple of atoms ``(Letter, transposed)`` (the ncpoly storage; ncpoly has no
    public word-iteration API yet)."""
    from ..nc.ncpoly import NCPoly, Trace

    if isinstance(expr, Trace):
        return "trace", expr._terms
    if isinstance(expr, NCPoly):
        return "poly", expr._terms
    raise InvalidArgumentError(
        f"expected a trace tr(p) or a polynomial p built from freealg.nc_symbols; got {expr!r}"
    )


def _matrix_table(matrices):
    """name -> ('d', vector) or ('m', matrix)."""
    if not isinstance(matrices, dict):
        raise InvalidArgumentError(
            f"matrices must be a dict letter -> numpy array; got {type(matrices).__name__}"
        )
    table = {}
    for key, val in matrices.items():
        if isinstance(key, str):
            name = key
        else:
            letter = getattr(key, "letter", None)
            name = getattr(letter, "name", None) or getattr(key, "name", None)
            if not isinstance(name, str):
                raise InvalidArgumentError(
                    f"matrix keys must be letter names or letters from nc_symbols; got {key!r}"
                )
        arr = np.asarray(val)
        if arr.ndim == 1:
            table[name] = ("d", arr)
        elif arr.ndim == 2:
            table[name] = ("m", arr)
        else:
            raise InvalidArgumentError(
                f"the value for {name} has shape {arr.shape}; give a matrix, or a vector "
                "for a diagonal matrix"
            )
    return table


def _atom_operand(atom, table):
    letter, transposed = atom
    try:
        kind, arr = table[letter.name]
    except KeyError:
        known = ", ".join(sorted(table)) or "none"
        raise UnknownSymbolError(
            f"no matrix given for the letter {letter.name} (given: {known})"
        ) from None
    if transposed:
        arr = arr.conj() if kind == "d" else arr.conj().T
    return kind, arr


def _size(op, side):
    kind, arr = op
    return arr.shape[0] if (kind == "d" or side == 0) else arr.shape[1]


def _mul(a, b, where):
    if _size(a, 1) != _size(b, 0):
        raise InvalidArgumentError(
            f"shape mismatch in the word {where}: {_size(a, 1)} columns times {_size(b, 0)} rows"
        )
    (ka, xa), (kb, xb) = a, b
    if ka == "d" and kb == "d":
        return "d", xa * xb
    if ka == "d":
        return "m", xa[:, None] * xb
    if kb == "d":
        return "m", xa * xb[None, :]
    return "m", xa @ xb


def _trace_of_product(a, b, where):
    """``tr(a b) = (1/n) Tr(a b)`` without forming ``a b``."""
    if _size(a, 1) != _size(b, 0) or _size(a, 0) != _size(b, 1):
        raise InvalidArgumentError(
            f"the word {where} is not square: cannot take its trace"
        )
    (ka, xa), (kb, xb) = a, b
    n = _size(a, 0)
    if ka == "d" and kb == "d":
        s = np.sum(xa * xb)
    elif ka == "d":
        s = np.sum(xa * np.diagonal(xb))
    elif kb == "d":
        s = np.sum(np.diagonal(xa) * xb)
    else:
        s = np.sum(xa * xb.T)
    return s / n


def _word_str(word):
    return "*".join(a[0].name + (".T" if a[1] else "") for a in word)


def _prod_cache(table):
    cache = {}

    def prod(word):
        if word in cache:
            return cache[word]
        if len(word) == 1:
            val = _atom_operand(word[0], table)
        else:
            val = _mul(prod(word[:-1]), _atom_operand(word[-1], table), _word_str(word))
        cache[word] = val
        return val

    return prod


def _primitive_root(word):
    """``(u, k)`` with ``word == u * k`` and ``k`` maximal."""
    n = len(word)
    for p in range(1, n // 2 + 1):
        if n % p == 0 and word[:p] * (n // p) == word:
            return word[:p], n // p
    return word, 1


def _eval_trace(terms, table):
    prod = _prod_cache(table)
    total = 0.0
    for word, c in terms.items():
        coeff = _to_float(c, "coefficient")
        root, k = _primitive_root(word) if len(word) > 1 else (word, 1)
        if k > 1:
            # tr(P^k), P the product of the primitive root: binary powering of
            # P^(k-1), then the trace trick for the last factor
            base = prod(root) if len(root) > 1 else _atom_operand(root[0], table)
            if _size(base, 0) != _size(base, 1):
                raise InvalidArgumentError(f"the word {_word_str(word)} is not square")
            acc, sq, e = None, base, k - 1
            while e:
                if e & 1:
                    acc = sq if acc is None else _mul(acc, sq, _word_str(word))
                e >>= 1
                if e:
                    sq = _mul(sq, sq, _word_str(word))
            val = _trace_of_product(acc, base, _word_str(word))
        elif not word:
            val = 1.0
        elif len(word) == 1:
            op = _atom_operand(word[0], table)
            if _size(op, 0) != _size(op, 1):
                raise InvalidArgumentError(f"the word {_word_str(word)} is not square")
            val = (np.sum(op[1]) if op[0] == "d" else np.trace(op[1])) / _size(op, 0)
        else:
            val = _trace_of_product(prod(word[:-1]), _atom_operand(word[-1], table),
                                    _word_str(word))
        total = total + coeff * val
    if np.iscomplexobj(total) or isinstance(total, complex):
        total = complex(total)
        return total.real if total.imag == 0 else total
    return float(total)


def _eval_poly(terms, table):
    if not terms:
        raise InvalidArgumentError("the zero polynomial has no size: evaluate tr(p) instead")
    prod = _prod_cache(table)
    acc = []
    for word, c in terms.items():
        coeff = _to_float(c, "coefficient")
        if not word:
            acc.append((coeff, None))
        else:
            k, arr = prod(word)
            acc.append((coeff, np.diag(arr) if k == "d" else arr))
    size = next((t.shape[0] for _, t in acc if t is not None), None)
    if size is None:
        raise InvalidArgumentError(
            "a polynomial that is a multiple of I has no size: evaluate tr(p) instead"
        )
    out = None
    for coeff, term in acc:
        t = coeff * (np.eye(size) if term is None else term)
        out = t if out is None else out + t
    return out


def evaluate(expr, matrices):
    r"""Evaluate a trace ``tr(p)`` (a number) or a polynomial ``p`` (a matrix)
    on given matrices.

    ``tr`` is the normalised trace ``(1/n) Tr`` of the ``n × n`` product
    (docs/theory.md §1).  A transposed letter ``W.T`` is evaluated as the adjoint
    ``W*`` (the transpose for real matrices), matching the ncpoly convention
    that ``.T`` is the adjoint.  A 1-D array stands for the diagonal matrix
    with that diagonal (cheap for the ``D_ℓ`` of a network).  Coefficients
    must be numeric (substitute symbols first).

    Parameters
    ----------
    expr : Trace or NCPoly
    matrices : dict
        Letter name (or letter) -> numpy matrix, or vector for a diagonal.

    Returns
    -------
    float or complex (for a trace) or ndarray (for a polynomial)

    Raises
    ------
    UnknownSymbolError
        A letter of ``expr`` has no matrix.
    InvalidArgumentError
        Shapes do not multiply, a symbolic coefficient, a bad key.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg import nc_symbols, tr
    >>> A, B = nc_symbols("A B")
    >>> m = {"A": np.array([[1.0, 2.0], [0.0, 1.0]]), "B": np.array([3.0, 5.0])}
    >>> evaluate(tr(A * B * A.T), m)                # ((3 + 4*5) + 5) / 2
    14.0
    >>> evaluate(A * B - 2 * A, m)
    array([[1., 6.],
           [0., 3.]])
    """
    kind, terms = _terms_of(expr)
    table = _matrix_table(matrices)
    return _eval_trace(terms, table) if kind == "trace" else _eval_poly(terms, table)


def _empirical_moments(op, kmax):
    kind, arr = op
    if kind == "d":
        v = arr.real if np.iscomplexobj(arr) else arr
        out, p = [], np.ones_like(v, dtype=float)
        for _ in range(kmax):
            p = p * v
            out.append(float(np.mean(p)))
        return out
    out, p = [], np.eye(arr.shape[0])
    for _ in range(kmax):
        p = p @ arr
        out.append(float(np.trace(p).real) / arr.shape[0])
    return out
