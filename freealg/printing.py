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
    from .nc.base import name_latex

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


def _round_numbers(expr, digits):
    """``expr`` with every non-integer number replaced by a Float of
    ``digits`` significant digits (integers stay integers)."""
    import sympy

    reps = {a: sympy.Float(a, digits) for a in expr.atoms(sympy.Number)
            if not a.is_Integer and (a.is_Rational or a.is_Float)}
    return expr.xreplace(reps)


def _signed(term, **kwargs):
    """``(sign, latex of |term|)`` for one sympy term (``sign`` '+' or '-')."""
    c, _ = term.as_coeff_Mul()
    neg = bool(c.is_number and c.is_extended_negative)
    return ("-" if neg else "+"), _sympy_latex(-term if neg else term, **kwargs)


def _curve_pieces(expr, **kwargs):
    """Row pieces of a curve polynomial, one per power of ``G`` (highest
    first): ``(whole, monomials)`` with ``whole`` the signed LaTeX of
    ``G^{k} (c_k(z))`` (None for the constant coefficient, printed term by
    term) and ``monomials`` the signed LaTeX of the expanded terms
    ``c z^{i} G^{k}``."""
    import sympy

    from .laws.curves import G, Z

    # collect (not Poly): Poly would turn the integer coefficients of a
    # rounded expression into floats (1 -> 1.0)
    groups = sympy.collect(expr, G, evaluate=False)
    pieces = []
    for gk in sorted(groups, key=lambda g: -sympy.degree(g, G)):
        c = sympy.expand(groups[gk])
        k = sympy.degree(gk, G)
        terms = sorted(sympy.Add.make_args(c), key=lambda t: -sympy.degree(t, Z))
        monos = [_signed(sympy.expand(t * gk), **kwargs) for t in terms]
        if k and isinstance(c, sympy.Add):
            whole = ("+", _sympy_latex(gk, **kwargs) + r" \left(" + _sympy_latex(c, **kwargs)
                     + r"\right)")
        elif k:
            whole = monos[0]
        else:
            whole = None
        pieces.append((whole, monos))
    return pieces


def _pack_rows(pieces, wrap, tail):
    """Rows of LaTeX from pieces ``(whole, monomials)`` (signed texts): each
    piece starts a new row; a piece whose ``whole`` does not fit in ``wrap``
    characters is printed monomial by monomial, packed greedily.  ``tail``
    (``" = 0"``) ends the last row, or gets a row of its own."""
    rows = []

    def lead(sign, tex):
        if not rows:
            return tex if sign == "+" else "-" + tex
        return "{}" + sign + " " + tex

    for whole, monos in pieces:
        if whole is not None:
            text = lead(*whole)
            if len(text) <= wrap:
                rows.append(text)
                continue
        cur = None
        for sign, tex in monos:
            if cur is None:
                cur = lead(sign, tex)
            elif len(cur) + len(tex) + 3 <= wrap:
                cur += " " + sign + " " + tex
            else:
                rows.append(cur)
                cur = lead(sign, tex)
        rows.append(cur)
    if len(rows[-1]) + len(tail) <= wrap:
        rows[-1] += tail
    elif tail:
        rows.append(tail.strip())
    return rows


def _aligned(rows):
    """One row as is; several as an ``aligned`` environment."""
    if len(rows) == 1:
        return rows[0]
    return "\\begin{aligned}\n" + " \\\\\n".join("&" + r for r in rows) + "\n\\end{aligned}"


def _wrapped_latex(obj, wrap, digits, kwargs):
    """The ``wrap`` / ``digits`` path of :func:`latex` (spectral curves and
    sympy expressions)."""
    import sympy

    from ._utils.validate import MAX_DPS, check_int
    from .laws.curves import G, Z, SpectralCurve

    if wrap is not None:
        wrap = check_int(wrap, "wrap", minimum=16, maximum=10**6,
                         hint="wrap is the largest number of LaTeX characters per row")
    if digits is not None:
        digits = check_int(digits, "digits", minimum=1, maximum=MAX_DPS,
                           hint="digits is the number of significant digits of each coefficient")
    if isinstance(obj, SpectralCurve):
        expr = sympy.expand(obj.polynomial)
        if digits is not None:
            # scale P so that its leading term (top power of G, then of z) has
            # coefficient 1: the normalised integer P of a curve with float
            # parameters has huge integer coefficients, its scaled form floats
            lead = sympy.LT(expr, G, Z, order="lex").as_coeff_Mul()[0]
            if lead.is_number and lead != 0:
                expr = sympy.expand(expr / lead)
            expr = _round_numbers(expr, digits)
        one = _sympy_latex(sympy.collect(expr, G), **kwargs) + " = 0"
        if wrap is None or len(one) <= wrap:
            return one
        return _aligned(_pack_rows(_curve_pieces(expr, **kwargs), wrap, " = 0"))
    if type(obj).__module__.startswith("sympy"):
        expr = obj if digits is None else _round_numbers(obj, digits)
        one = _sympy_latex(expr, **kwargs)
        if wrap is None or len(one) <= wrap or not isinstance(expr, sympy.Add):
            return one
        pieces = [(None, [_signed(t, **kwargs)]) for t in expr.as_ordered_terms()]
        # a sum that is not a curve: terms packed greedily, not one per row
        merged = [(None, [m for _, ms in pieces for m in ms])]
        return _aligned(_pack_rows(merged, wrap, ""))
    raise InvalidArgumentError(
        f"latex(wrap=..., digits=...) renders spectral curves (freealg.SpectralCurve) and sympy "
        f"expressions; got an object of type {type(obj).__name__}. Call latex(obj) without "
        "wrap/digits, or pass obj.curve() for a law with a spectral curve"
    )


def latex(obj, *, wrap=None, digits=None, **kwargs):
    r"""LaTeX source for a freealg object, a sympy expression or a number.

    Parameters
    ----------
    obj : object
        Anything with a ``_latex()`` method, a sympy object, a number, or a
        list/tuple of those.
    wrap : int, optional
        Largest number of LaTeX characters per row (spectral curves and
        sympy sums).  A longer expression is broken into the rows of an
        ``aligned`` environment (``&``-aligned, ``\\`` between rows, binary
        signs written ``{}+``).  For a :class:`~freealg.SpectralCurve` the rows
        follow the powers of ``G``, highest first: ``G^{k} (c_k(z))`` on one
        row when it fits, else the monomials ``c z^{i} G^{k}`` of that power
        packed into consecutive rows; ``= 0`` ends the last row.  A single
        monomial longer than ``wrap`` gets a row of its own (the only rows
        that may exceed the budget).  Unwrapped curves print ``P``
        collected in powers of ``G``.
    digits : int, optional
        Print every non-integer coefficient as a float with this many
        significant digits (curves of networks with float parameters carry
        long exact rationals); integers stay integers.
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

    A long curve is broken into rows by powers of ``G`` (here
    ``P = 4G²(z − 1)²(z − 2)(z − 3) − 4G(z − 1)(z − 2)(z − 3) − 3z + 5``, the
    two-hidden-layer FIM curve of ReLU at ``σ_w = 1``, ``q = (1, 1, 1)``):

    >>> import freealg
    >>> r = freealg.fim_two_layer_curve("relu", sigma_w=1, q=(1, 1, 1))
    >>> print(latex(r, wrap=44))
    \begin{aligned}
    &4 G^{2} z^{4} - 28 G^{2} z^{3} \\
    &{}+ 68 G^{2} z^{2} - 68 G^{2} z + 24 G^{2} \\
    &{}- 4 G z^{3} + 24 G z^{2} - 44 G z + 24 G \\
    &{}- 3 z + 5 = 0
    \end{aligned}

    A network with float parameters (``σ_w = 1.1``; the curve of its exact
    binary value, ``curve(exact=True)``, has integer coefficients of many
    digits): the equation scaled to a leading coefficient 1, coefficients at
    4 significant digits:

    >>> law = freealg.MLP(3, "relu", "orthogonal", 1.1, 0).fim_law(q_in=1)
    >>> print(latex(law.curve(exact=True), digits=4))
    G^{2} \left(z^{4} - 4.392 z^{3} + 5.627 z^{2} - 2.55 z + 0.3769\right) + G \left(- z^{3} + 4.026 z^{2} - 4.153 z + 1.03\right) - 0.732 z + 0.6699 = 0
    >>> latex(object())
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: latex() cannot render an object of type object: it needs a _latex() method, a sympy object, a number, or a list of those
    """
    t = type(obj)
    if wrap is not None or digits is not None:
        return _wrapped_latex(obj, wrap, digits, kwargs)
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
