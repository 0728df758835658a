"""A small, safe parser for noncommutative polynomial expressions (private).

Used by the command line: ``freealg moments "tr((J J^T)^3)" --depth 3``.
Nothing is evaluated with ``eval``; the grammar is::

    expr    := term (("+" | "-") term)*
    term    := unary (("*")? unary)*          # juxtaposition multiplies: "J J^T"
    unary   := "-" unary | power
    power   := atom (("^" | "**") (INT | "T") | ".T")*
    atom    := NUMBER | NUMBER "/" NUMBER | NAME | "tr" "(" expr ")" | "(" expr ")"

Names are looked up in a mapping (letters, polynomials such as ``J``, or
numbers / sympy symbols); an unknown name is an error that lists the known
ones.  A decimal literal is a float coefficient (``0.5 W``), never silently
rationalised; write ``1/2 W`` for an exact one.

The work is bounded before it is done: the text is at most
``safeparse.MAX_LENGTH`` characters and nests at most ``safeparse.MAX_DEPTH``
deep, and no power or product may create a polynomial of degree above
:data:`MAX_DEGREE` or with more than :data:`MAX_TERMS` words (the limit
moments of such traces would not finish); breaking a bound raises
:class:`~freealg.errors.TooLargeError`.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .._utils import safeparse
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

__all__ = ["parse_expression", "MAX_DEGREE", "MAX_TERMS"]

#: Largest total degree (word length) of a parsed polynomial.
MAX_DEGREE = 200
#: Largest number of words of a parsed polynomial.
MAX_TERMS = 10_000

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>\*\*|\.T|[-+*/^()]))"
)


def _tokenize(text):
    pos = 0
    out = []
    text = text.replace("ᵀ", "^T").replace("⊤", "^T")
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise InvalidArgumentError(
                f"cannot parse {text!r} at position {pos}: unexpected {text[pos:pos + 10]!r}"
            )
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _size(x):
    """(degree, number of words) of a polynomial or trace; (0, 1) for a scalar."""
    terms = getattr(x, "_terms", None)
    if isinstance(terms, dict):
        return (max((len(w) for w in terms), default=0), max(len(terms), 1))
    return (0, 1)


class _Parser(safeparse._DescentParser):
    def __init__(self, text, names):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.names = names
        self.depth = 0

    def nesting_error(self):
        return TooLargeError(
            f"{self.text[:60]!r} nests deeper than {safeparse.MAX_DEPTH} levels "
            "(parentheses, tr(...) and signs)")

    def too_big(self, deg, nterms, what):
        if deg > MAX_DEGREE or nterms > MAX_TERMS:
            raise TooLargeError(
                f"{what} in {self.text[:60]!r} would give a polynomial of degree {deg} with up to "
                f"{nterms} words; the supported maximum is degree {MAX_DEGREE} and {MAX_TERMS} "
                "words (the limit moment of a longer word does not finish in reasonable time)")

    def mul(self, a, b):
        (da, na), (db, nb) = _size(a), _size(b)
        self.too_big(da + db, na * nb, "a product")
        return a * b

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            want = repr(value) if value else "more input"
            raise InvalidArgumentError(f"cannot parse {self.text!r}: expected {want}, got {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self):
        val = self.expr()
        if self.peek()[0] is not None:
            raise InvalidArgumentError(f"cannot parse {self.text!r}: unexpected {self.peek()[1]!r}")
        return val

    def _starts_atom(self):
        kind, v = self.peek()
        return kind in ("num", "name") or v == "("

    def term(self):
        val = self.unary()
        while True:
            if self.peek()[1] == "*":
                self.take()
                val = self.mul(val, self.unary())
            elif self.peek()[1] == "/":
                self.take()
                den = self.unary()
                if not isinstance(den, (int, Fraction, float)) and not _is_sympy_scalar(den):
                    raise InvalidArgumentError(
                        f"cannot parse {self.text!r}: only division by a number is allowed"
                    )
                if den == 0:
                    raise InvalidArgumentError(f"cannot parse {self.text!r}: division by zero")
                val = val * (Fraction(1) / den if isinstance(den, (int, Fraction)) else 1 / den)
            elif self._starts_atom():
                val = self.mul(val, self.unary())
            else:
                return val

    def power(self):
        val = self.atom()
        while self.peek()[1] in ("^", "**", ".T"):
            op = self.take()[1]
            if op == ".T":
                val = val.T
                continue
            kind, v = self.take()
            if kind == "name" and v == "T":
                val = val.T
            elif kind == "num" and v.isdigit():
                k = int(v)
                deg, nterms = _size(val)
                if k > safeparse.MAX_EXPONENT:
                    raise TooLargeError(
                        f"the exponent {k if k < 10**30 else '~1e%d' % (len(v) - 1)} in "
                        f"{self.text[:60]!r} is larger than the supported maximum "
                        f"{safeparse.MAX_EXPONENT}")
                if deg or nterms > 1:
                    self.too_big(deg * k, nterms ** min(k, 64) if nterms > 1 else 1, "a power")
                if isinstance(val, (int, Fraction)) and val not in (0, 1, -1):
                    bits = max(abs(Fraction(val).numerator), Fraction(val).denominator).bit_length()
                    if bits * k > safeparse.MAX_BITS:
                        raise TooLargeError(
                            f"a power in {self.text[:60]!r} would have about {bits * k} bits, more "
                            f"than the supported {safeparse.MAX_BITS}")
                val = val ** k
            else:
                raise InvalidArgumentError(
                    f"cannot parse {self.text!r}: exponent must be a non-negative integer or T; got {v!r}"
                )
        return val

    def atom(self):
        kind, v = self.take()
        if kind == "num":
            mant, _, exp = v.lower().partition("e")
            if exp and abs(int(exp)) > 308:
                raise InvalidArgumentError(
                    f"the number {v} in {self.text[:60]!r} is not a finite float "
                    "(floats go up to about 1.8e308)")
            if "." in mant or exp:
                return float(v)  # a float coefficient stays a float
            if len(mant) > 300:
                raise TooLargeError(f"the integer literal in {self.text[:60]!r} has {len(mant)} "
                                    "digits; at most 300 are supported")
            return int(v)
        if kind == "name":
            if v == "tr" and self.peek()[1] == "(":
                from .ncpoly import tr

                self.take("(")
                return tr(self.group())
            if v not in self.names:
                known = ", ".join(sorted(self.names)) or "(none)"
                raise InvalidArgumentError(
                    f"unknown name {v!r} in {self.text!r}; known names: {known}"
                )
            return self.names[v]
        if v == "(":
            return self.group()
        raise InvalidArgumentError(f"cannot parse {self.text!r}: unexpected {v!r}")


def _is_sympy_scalar(x):
    return type(x).__module__.startswith("sympy")


def parse_expression(text, names):
    """Parse ``text`` into a polynomial, trace or number using ``names``.

    Examples
    --------
    >>> from freealg import nc_symbols
    >>> W, D = nc_symbols("W D", selfadjoint="D")
    >>> parse_expression("tr((W D W^T)^2)", {"W": W, "D": D})
    tr(D*W.T*W*D*W.T*W)
    >>> parse_expression("2 W.T - 1/2 D", {"W": W, "D": D})
    -D/2 + 2*W.T
    """
    if not isinstance(text, str):
        raise InvalidArgumentTypeError(
            f"expression must be a string; got {type(text).__name__}")
    if not text.strip():
        raise InvalidArgumentError(f"expected a non-empty expression string; got {text!r}")
    if len(text) > safeparse.MAX_LENGTH:
        raise TooLargeError(f"the expression is {len(text)} characters long, more than the "
                            f"supported {safeparse.MAX_LENGTH}")
    from ..errors import FreealgError

    try:
        return _Parser(text, dict(names)).parse()
    except FreealgError:
        raise
    except (TypeError, ArithmeticError) as exc:  # e.g. tr(W)^2: an operation the objects refuse
        raise InvalidArgumentError(f"cannot evaluate {text[:60]!r}: {exc}") from None
