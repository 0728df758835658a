"""Matrix letters: :func:`nc_symbols` creates the letters (one-letter
:class:`~freealg.nc.ncpoly.NCPoly`) of the noncommutative polynomial ring.

Examples
--------
>>> from freealg.nc.symbols import nc_symbols
>>> W, D = nc_symbols("W D", selfadjoint="D")
>>> (W * D).shape
('N', 'N')
"""

from __future__ import annotations

import re

from .base import Letter, _fmt_shape
from .ncpoly import _letter_poly
from ..errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["nc_symbols"]

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED = {"I", "Id", "tr", "T"}


def nc_symbols(names, *, selfadjoint=False, shape=None):
    """Create matrix letters (one-letter polynomials).

    Parameters
    ----------
    names : str or sequence of str
        Names separated by spaces or commas, e.g. ``"W1 W2 D1 D2"``.  A name
        starts with a letter and contains letters, digits and ``_``; ``I``,
        ``Id``, ``T`` and ``tr`` are reserved.
    selfadjoint : bool, str or sequence of str
        True makes every letter self-adjoint (``A.T == A``); a string or
        sequence of names makes only those letters self-adjoint.
    shape : (rows, cols), optional
        Dimension labels of every letter; default ``("N", "N")``.  Products
        and traces check them.

    Returns
    -------
    NCPoly or tuple of NCPoly
        One letter for one name (like ``sympy.symbols``), else a tuple.

    Raises
    ------
    InvalidArgumentError
        For an invalid, reserved or repeated name, a self-adjoint name
        that is not among ``names``, a ``shape`` that is not a pair, or a
        self-adjoint letter with a non-square shape.
    InvalidArgumentTypeError
        If ``selfadjoint`` is not a bool, a string or a sequence of names.

    Examples
    --------
    >>> from freealg import nc_symbols
    >>> W1, W2, D1 = nc_symbols("W1 W2 D1", selfadjoint="D1")
    >>> D1.T == D1, W1.T == W1
    (True, False)
    >>> X = nc_symbols("X", shape=("N", "M"))
    >>> (X * X.T).shape
    ('N', 'N')
    """
    if isinstance(names, str):
        parts = [s for s in re.split(r"[\s,]+", names.strip()) if s]
    else:
        try:
            parts = list(names)
        except TypeError:
            raise InvalidArgumentError(
                f"names must be a string like 'W1 W2 D1' or a sequence of strings; got {names!r}"
            ) from None
    if not parts:
        raise InvalidArgumentError("nc_symbols() needs at least one name; got none")
    seen = set()
    for s in parts:
        if not isinstance(s, str) or not _NAME_RE.match(s):
            raise InvalidArgumentError(
                f"invalid letter name {s!r}: use a letter followed by letters, digits or '_'"
            )
        if s in _RESERVED:
            raise InvalidArgumentError(
                f"letter name {s!r} is reserved (I and Id are the identity, T the "
                "transpose, tr the trace); choose another name"
            )
        if s in seen:
            raise InvalidArgumentError(f"letter name {s!r} given twice in {names!r}")
        seen.add(s)
    if isinstance(selfadjoint, bool):
        sa = set(parts) if selfadjoint else set()
    elif not isinstance(selfadjoint, str) and (
            not hasattr(selfadjoint, "__iter__") or not all(isinstance(n, str) for n in selfadjoint)):
        raise InvalidArgumentTypeError(
            f"selfadjoint must be True, False, a string of names or a sequence of names; got "
            f"{selfadjoint!r:.60} of type {type(selfadjoint).__name__}"
        )
    else:
        sa = set(re.split(r"[\s,]+", selfadjoint.strip())) if isinstance(selfadjoint, str) else set(selfadjoint)
        sa.discard("")
        unknown = sa - set(parts)
        if unknown:
            raise InvalidArgumentError(
                f"selfadjoint names {sorted(unknown)} are not among the letters {parts}"
            )
    if shape is None:
        shape = ("N", "N")
    else:
        if not (isinstance(shape, (tuple, list)) and len(shape) == 2):
            raise InvalidArgumentError(f"shape must be a pair (rows, cols); got {shape!r}")
        shape = tuple(str(s) for s in shape)
    letters = []
    for s in parts:
        if s in sa and shape[0] != shape[1]:
            raise InvalidArgumentError(
                f"letter {s} cannot be self-adjoint with the non-square shape {_fmt_shape(shape)}"
            )
        letters.append(_letter_poly(Letter(s, s in sa, shape)))
    return letters[0] if len(letters) == 1 else tuple(letters)
