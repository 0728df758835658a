"""Moment expansions over non-crossing partitions (private; the classes are
re-exported by :mod:`freealg.freeness`)."""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
from fractions import Fraction

__all__ = ["combine", "ExpansionTerm", "MomentExpansion"]


def combine(vals, kind):
    """``Σ c_i v_i`` with coefficient and value kinds merged (exact stays exact;
    any sympy gives an expanded sympy expression)."""
    from ..nc.base import _is_sympy

    if kind == "sympy" or any(_is_sympy(c) or _is_sympy(v) for c, v in vals):
        import sympy

        def sy(x):
            if isinstance(x, Fraction):
                return sympy.Rational(x.numerator, x.denominator)
            return sympify_safe(x)

        return sympy.expand(sum((sy(c) * sy(v) for c, v in vals), sympy.Integer(0)))
    flat = [x for cv in vals for x in cv]
    if kind == "exact" and all(isinstance(x, (int, Fraction)) for x in flat):
        total = Fraction(0)
        for c, v in vals:
            total += Fraction(c) * Fraction(v)
        return total.numerator if total.denominator == 1 else total
    # floats / mpmath: Fractions are converted, never the other way round
    total = 0
    for c, v in vals:
        if isinstance(c, Fraction):
            c = _to_inexact(c, v)
        if isinstance(v, Fraction):
            v = _to_inexact(v, c)
        total = total + c * v
    return total


def _to_inexact(fr, other):
    if type(other).__module__.startswith("mpmath"):
        from .._utils.mpctx import mpmath

        return mpmath.mpf(fr.numerator) / fr.denominator
    return fr.numerator / fr.denominator


class ExpansionTerm:
    """One non-crossing partition in a :class:`MomentExpansion`.

    Attributes
    ----------
    word : tuple
        The (canonical) word of the trace this term belongs to.
    coefficient
        The coefficient of that word in the trace.
    partition : tuple of tuple of int
        Blocks of 1-based positions in the word.
    cumulants : tuple of (str, value)
        The cumulant of each block: a label such as ``kappa_2(W1,W1.T)`` or
        ``kappa_3(D1)`` and its value.
    value
        ``coefficient * prod(cumulant values)``.
    """

    __slots__ = ("word", "coefficient", "partition", "cumulants", "value")

    def __init__(self, word, coefficient, partition, cumulants, value):
        self.word = word
        self.coefficient = coefficient
        self.partition = partition
        self.cumulants = cumulants
        self.value = value

    def partition_str(self):
        if not self.partition:
            return "{}"
        return "".join("{" + ",".join(map(str, B)) + "}" for B in self.partition)

    def __str__(self):
        from ..nc.base import _term_str

        cum = " * ".join(lbl for lbl, _ in self.cumulants) or "1"
        coeff = "" if self.coefficient == 1 else _term_str(self.coefficient, "", True) + " * "
        return f"{self.partition_str()}: {coeff}{cum} = {self.value}"

    __repr__ = __str__

    def _latex(self, printer=None):
        from ..printing import law_symbol_latex, latex

        body = r"\,".join(law_symbol_latex(lbl) for lbl, _ in self.cumulants) or "1"
        if self.coefficient != 1:
            body = latex(self.coefficient) + r"\," + body
        return body

    def _repr_latex_(self):
        return "$" + self._latex() + "$"


class MomentExpansion:
    """The moment of a trace as a sum over non-crossing partitions
    (from :meth:`FreeModel.expand`).  Iterable over its
    :class:`ExpansionTerm` s; ``.value`` is the total.

    Built by :meth:`FreeModel.expand`; users do not construct it.

    Parameters
    ----------
    trace : Trace
        The expanded trace (stored as ``.trace``).
    terms : iterable of ExpansionTerm
        One term per contributing partition of each word (stored as the
        list ``.terms``).
    kind : {"exact", "float", "mpmath", "sympy"}
        Number kind of the values; ``.value`` is their sum in that kind
        (exact stays exact, any sympy value gives an expanded expression).

    Raises
    ------
    TypeError
        If ``terms`` is not iterable.
    AttributeError
        If a term has no ``value`` attribute.  There is no validation beyond
        that: the only caller is :meth:`FreeModel.expand`.

    Examples
    --------
    The semicircle's ``m_4 = 2`` comes from the two non-crossing pairings:

    >>> from freealg import FreeModel, nc_symbols, tr
    >>> A = nc_symbols("A", selfadjoint=True)
    >>> e = FreeModel().selfadjoint(A, cumulants=[0, 1, 0, 0]).expand(tr(A**4))
    >>> len(e), e.value, [t.partition_str() for t in e]
    (2, 2, ['{1,2}{3,4}', '{1,4}{2,3}'])
    """

    def __init__(self, trace, terms, kind):
        self.trace = trace
        self.terms = list(terms)
        self.value = combine([(1, x.value) for x in self.terms], kind)

    def __iter__(self):
        return iter(self.terms)

    def __len__(self):
        return len(self.terms)

    def __str__(self):
        n = len(self.terms)
        lines = [f"{self.trace} = sum over {n} non-crossing partition{'s' if n != 1 else ''}:"]
        lines += [f"  {x}" for x in self.terms]
        if len(self.trace._terms) > 1 or any(c != 1 for c in self.trace._terms.values()):
            lines.append(f"  total = {self.value}")
        return "\n".join(lines) + "\n"

    __repr__ = __str__

    def _latex(self, printer=None):
        from ..printing import latex

        if not self.terms:
            rhs = "0"
        else:
            rhs = " + ".join(x._latex() for x in self.terms).replace("+ -", "- ")
        return f"{latex(self.trace)} = {rhs} = {latex(self.value)}"

    def _repr_latex_(self):
        return "$" + self._latex() + "$"
