r"""LaTeX output for every freealg object.

:func:`latex` is a generic dispatcher:

1. an object with a ``_latex()`` method (polynomials, traces, moment
   expansions, spectral curves, ...) is asked for its own LaTeX;
2. sympy objects go through ``sympy.latex``, with the law symbols of
   :class:`freealg.FreeModel` (``m_2(D1)``, ``kappa_2(D1)``) rendered as
   ``m_{2}(D_{1})`` and ``\kappa_{2}(D_{1})``;
3. numbers (``int``, ``Fraction``, ``float``, mpmath) are printed exactly
   (``\frac{1}{2}``);
4. lists and tuples are printed element by element;
5. anything else raises :class:`freealg.errors.InvalidArgumentError`.

Every object with ``_latex`` also has ``_repr_latex_`` so that notebooks
render it as mathematics.

Examples
--------
>>> from fractions import Fraction
>>> from freealg import latex, nc_symbols, tr
>>> W, D = nc_symbols("W1 D1", selfadjoint="D1")
>>> latex(W.T * D)
'W_{1}^{\\top} D_{1}'
>>> latex(tr(W * D * W.T))
'\\operatorname{tr}\\left(D_{1} W_{1}^{\\top} W_{1}\\right)'
>>> latex(Fraction(3, 4))
'\\frac{3}{4}'
>>> import sympy
>>> latex(sympy.Symbol("m_2(D1)") ** 2)
'm_{2}(D_{1})^{2}'
"""

from __future__ import annotations

from ._utils.symbolic import sympify_safe
import numbers
import re
from fractions import Fraction

from .errors import InvalidArgumentError

__all__ = ["latex"]

_LAW_SYMBOL_RE = re.compile(r"^(m|kappa)_(\d+)\((.+)\)$")


def _atom_list_latex(inner):
    from ._ncbase import name_latex

    parts = []
    for item in inner.split(","):
        item = item.strip()
        if item.endswith(".T"):
            parts.append(name_latex(item[:-2]) + r"^{\top}")
        else:
            parts.append(name_latex(item))
    return ", ".join(parts)


def law_symbol_latex(name):
    r"""LaTeX of a law symbol name, or None if ``name`` is not one.

    ``m_2(D1)`` (a moment) -> ``m_{2}(D_{1})``;
    ``kappa_4(W1,W1.T,W1,W1.T)`` (a cumulant) ->
    ``\kappa_{4}(W_{1}, W_{1}^{\top}, W_{1}, W_{1}^{\top})``.

    Examples
    --------
    >>> law_symbol_latex("kappa_3(A)")
    '\\kappa_{3}(A)'
    >>> law_symbol_latex("sigma") is None
    True
    """
    m = _LAW_SYMBOL_RE.match(name)
    if not m:
        return None
    kind, order, inner = m.groups()
    head = r"\kappa" if kind == "kappa" else "m"
    return f"{head}_{{{order}}}({_atom_list_latex(inner)})"


def _sympy_latex(obj, **kwargs):
    import sympy

    names = dict(kwargs.pop("symbol_names", {}) or {})
    free = getattr(obj, "free_symbols", set())
    for s in free:
        if isinstance(s, sympy.Symbol) and s not in names:
            tex = law_symbol_latex(s.name)
            if tex is not None:
                names[s] = tex
    return sympy.latex(obj, symbol_names=names, **kwargs)


def latex(obj, **kwargs):
    r"""LaTeX source for a freealg object, a sympy expression or a number.

    Parameters
    ----------
    obj : object
        Anything with a ``_latex()`` method, a sympy object, a number, or a
        list/tuple of those.
    **kwargs
        Passed to ``sympy.latex`` for sympy objects (e.g. ``mul_symbol``).

    Returns
    -------
    str
        LaTeX math-mode source (no surrounding ``$``).

    Raises
    ------
    InvalidArgumentError
        If ``obj`` has no LaTeX form.

    Examples
    --------
    >>> import sympy
    >>> latex(sympy.Symbol("sigma_w") ** 2)
    '\\sigma_{w}^{2}'
    >>> latex([1, 0.5])
    '\\left[ 1, \\  0.5\\right]'
    >>> latex(object())
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: latex() cannot render an object of type object: it needs a _latex() method, a sympy object, a number, or a list of those
    """
    t = type(obj)
    if t.__module__.startswith("sympy"):
        return _sympy_latex(obj, **kwargs)
    meth = getattr(obj, "_latex", None)
    if callable(meth):
        return meth()
    if isinstance(obj, bool):
        return r"\mathrm{True}" if obj else r"\mathrm{False}"
    if isinstance(obj, numbers.Integral):
        return str(int(obj))
    if isinstance(obj, Fraction):
        if obj.denominator == 1:
            return str(obj.numerator)
        sign = "-" if obj < 0 else ""
        return rf"{sign}\frac{{{abs(obj.numerator)}}}{{{obj.denominator}}}"
    if t.__module__.startswith("mpmath"):
        import sympy

        # an mpmath number: its decimal digits as a sympy Float (never sympify of text)
        re_part, im_part = obj.real, obj.imag
        value = sympy.Float(str(re_part), max(15, len(str(re_part))))
        if im_part:
            value += sympy.I * sympy.Float(str(im_part), max(15, len(str(im_part))))
        return sympy.latex(value)
    if isinstance(obj, numbers.Real):
        return repr(float(obj))
    if isinstance(obj, numbers.Complex):
        import sympy

        return sympy.latex(sympify_safe(complex(obj)))
    if isinstance(obj, (list, tuple)):
        inner = r", \  ".join(latex(x, **kwargs) for x in obj)
        return r"\left[ " + inner + r"\right]" if isinstance(obj, list) else r"\left( " + inner + r"\right)"
    raise InvalidArgumentError(
        f"latex() cannot render an object of type {t.__name__}: it needs a _latex() "
        "method, a sympy object, a number, or a list of those"
    )
