"""Letters inside polynomials, and the arguments of ``subs()``: reading a
single letter (or a transposed letter ``W.T``) out of a one-letter
polynomial, and turning ``subs`` arguments into a letter map and a sympy
symbol map with the replacements checked against the letters' shapes.

Examples
--------
>>> from freealg import nc_symbols
>>> from freealg.nc.substitution import _single_letter, _transposed_letter
>>> W = nc_symbols("W")
>>> _single_letter(W).name, _transposed_letter(W.T).name, _transposed_letter(W)
('W', 'W', None)
"""

from __future__ import annotations

from .base import Letter, _fmt_shape, _is_sympy
from ..errors import NCPolynomialError

__all__ = []


def _is_poly(x):
    return getattr(type(x), "_freealg_kind", None) == "ncpoly"


def _as_poly(x, poly):
    return x if isinstance(x, poly) else poly(x)


def _single_letter(x):
    """The :class:`Letter` ``x`` is (a Letter, or a polynomial that is one
    plain letter), else None."""
    if isinstance(x, Letter):
        return x
    return x.letter if _is_poly(x) else None


def _transposed_letter(x):
    """The letter ``W`` if the polynomial ``x`` is exactly ``W.T`` (coefficient
    one, transposed), else None."""
    if _is_poly(x) and len(x._terms) == 1:
        (w, c), = x._terms.items()
        if len(w) == 1 and w[0][1] and c == 1:
            return w[0][0]
    return None


def _as_letter(x, what):
    lt = _single_letter(x)
    if lt is not None:
        return lt
    raise NCPolynomialError(f"{what}: expected a single letter from nc_symbols; got {x!r}")


def _parse_subs(args, poly):
    """``(letter_map, sym_map)`` from the arguments of ``subs()``; ``poly`` is
    the polynomial class that replacements are coerced to."""
    if len(args) == 2:
        items = [(args[0], args[1])]
    elif len(args) == 1:
        m = args[0]
        items = list(m.items()) if isinstance(m, dict) else list(m)
    else:
        raise NCPolynomialError("subs() takes a mapping, a list of pairs, or (old, new)")
    letter_map, sym_map = {}, {}
    by_name = {}
    for old, new in items:
        if isinstance(old, str):
            by_name[old] = new
            continue
        if isinstance(old, (poly, Letter)):
            tl = _transposed_letter(old)
            if tl is not None:
                # substituting W.T by q means W -> q.T
                letter_map[tl] = _as_poly(new, poly).T
                continue
            lt = _as_letter(old, "subs")
            letter_map[lt] = _check_rep(lt, new, poly)
        elif _is_sympy(old):
            sym_map[old] = new
        else:
            raise NCPolynomialError(
                f"subs(): cannot substitute {old!r}; keys must be letters, letter names "
                "or sympy symbols"
            )
    if by_name:
        letter_map["__names__"] = by_name
    return _resolve_names(letter_map, poly), sym_map


def _resolve_names(letter_map, poly):
    by_name = letter_map.pop("__names__", None)
    if not by_name:
        return letter_map

    class _ByName(dict):
        def get(self, letter, default=None):
            if letter in self:
                return dict.get(self, letter)
            if letter.name in by_name:
                return _check_rep(letter, by_name[letter.name], poly)
            return default

    return _ByName(letter_map)


def _check_rep(letter, new, poly):
    rep = _as_poly(new, poly)
    if rep._shape is None:
        if not letter.is_square:
            raise NCPolynomialError(
                f"cannot replace the non-square letter {letter.name} "
                f"({_fmt_shape(letter.shape)}) by the scalar {rep}"
            )
    elif rep._shape != letter.shape:
        raise NCPolynomialError(
            f"cannot replace {letter.name} ({_fmt_shape(letter.shape)}) by {rep} of shape "
            f"{_fmt_shape(rep._shape)}"
        )
    return rep
