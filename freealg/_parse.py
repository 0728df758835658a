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
ones.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .errors import InvalidArgumentError

__all__ = ["parse_expression"]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
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


class _Parser:
    def __init__(self, text, names):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.names = names

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

    def expr(self):
        val = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.term()
            val = val + rhs if op == "+" else val - rhs
        return val

    def _starts_atom(self):
        kind, v = self.peek()
        return kind in ("num", "name") or v == "("

    def term(self):
        val = self.unary()
        while True:
            if self.peek()[1] == "*":
                self.take()
                val = val * self.unary()
            elif self.peek()[1] == "/":
                self.take()
                den = self.unary()
                if not isinstance(den, (int, Fraction)) and not _is_sympy_scalar(den):
                    raise InvalidArgumentError(
                        f"cannot parse {self.text!r}: only division by a number is allowed"
                    )
                val = val * (Fraction(1) / den if isinstance(den, (int, Fraction)) else 1 / den)
            elif self._starts_atom():
                val = val * self.unary()
            else:
                return val

    def unary(self):
        if self.peek()[1] == "-":
            self.take()
            return -self.unary()
        if self.peek()[1] == "+":
            self.take()
            return self.unary()
        return self.power()

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
                val = val ** int(v)
            else:
                raise InvalidArgumentError(
                    f"cannot parse {self.text!r}: exponent must be a non-negative integer or T; got {v!r}"
                )
        return val

    def atom(self):
        kind, v = self.take()
        if kind == "num":
            num = Fraction(v) if ("." in v or "e" in v.lower()) else int(v)
            return num
        if kind == "name":
            if v == "tr" and self.peek()[1] == "(":
                from .ncpoly import tr

                self.take("(")
                inner = self.expr()
                self.take(")")
                return tr(inner)
            if v not in self.names:
                known = ", ".join(sorted(self.names)) or "(none)"
                raise InvalidArgumentError(
                    f"unknown name {v!r} in {self.text!r}; known names: {known}"
                )
            return self.names[v]
        if v == "(":
            inner = self.expr()
            self.take(")")
            return inner
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
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError(f"expected a non-empty expression string; got {text!r}")
    return _Parser(text, dict(names)).parse()
