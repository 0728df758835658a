"""The one door from user values to sympy: text is parsed safely, never evaluated.

``sympy.sympify`` of a string evaluates it as Python.  Every public entry point
that accepts an expression converts it with :func:`sympify_safe`.
"""

from __future__ import annotations

from .safeparse import parse_symbolic

__all__ = ["sympify_safe"]


def sympify_safe(value, name="expression", symbols=None):
    """``sympy.sympify(value)``, except that text goes through :func:`parse_symbolic`.

    ``sympy.sympify`` of a string evaluates it as Python (``sympify("__import__('os')
    .system(...)")`` runs the command); every public entry point that accepts an
    expression converts it with this function instead.

    Examples
    --------
    >>> from freealg._utils.symbolic import sympify_safe
    >>> sympify_safe("1/(1 - w)")
    1/(1 - w)
    >>> sympify_safe(0.5)
    0.500000000000000
    """
    import sympy as sp

    if isinstance(value, (str, bytes)):
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        return parse_symbolic(value, name, symbols)
    if isinstance(value, (list, tuple, set, dict)):
        # sympify converts containers element by element; keep that, safely
        return type(value)(sympify_safe(v, name, symbols) for v in value) \
            if not isinstance(value, dict) else \
            {sympify_safe(k, name, symbols): sympify_safe(v, name, symbols) for k, v in value.items()}
    if getattr(value, "dtype", None) is not None and getattr(value.dtype, "kind", "") in "USOV":
        # sympify converts a numpy array of strings (or objects) element by element
        # with eval; such arrays are not expressions freealg accepts
        from ..errors import InvalidArgumentTypeError

        raise InvalidArgumentTypeError(
            f"{name} must be a number, a sympy expression or text; got a numpy array of "
            f"dtype {value.dtype}"
        )
    try:
        return sp.sympify(value)
    except sp.SympifyError:
        from ..errors import InvalidArgumentTypeError
        from .validate import describe

        raise InvalidArgumentTypeError(
            f"{name} must be a number, a sympy expression or text; got {describe(value)} of "
            f"type {type(value).__name__}"
        ) from None


def text_to_sympy(value, name, symbols=None):
    """``value`` unchanged unless it is text, which is parsed by the safe grammar.

    For the point arguments of transforms (``w``, ``z``, ``g``): a number, an array or
    a sympy object passes through untouched (its kind kept); a string would otherwise
    reach ``sympy``'s ``subs``, which evaluates it as Python.

    Examples
    --------
    >>> from freealg._utils.symbolic import text_to_sympy
    >>> text_to_sympy("1/2", "w")
    1/2
    >>> text_to_sympy(0.5, "w")
    0.5
    """
    if isinstance(value, (str, bytes)):
        return sympify_safe(value, name, symbols)
    return value
