r"""Safe parsing of numbers and one-variable expressions typed by a user.

Text from the command line (``--sigma-w "sqrt(2)"``) or given to
:func:`freealg.get_activation` (``"tanh(x) + x/10"``) is never handed to
``eval``, ``exec``, ``sympy.sympify`` or ``parse_expr``: those run Python
code (``__import__('os').system(...)``) and can be made to work forever
(``10**10**10``).  Instead a small tokenizer and a recursive-descent parser
accept exactly this grammar::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom (("^" | "**") unary)?          # right associative
    atom    := NUMBER | CONST | VAR | FUNC "(" expr ("," expr)* ")" | "(" expr ")"
    NUMBER  := 12 | 0.25 | .5 | 1e-3 | 2.5E+4
    CONST   := pi | e
    FUNC    := sqrt                                 (numbers)
             | sqrt exp log tanh sinh cosh sin cos atan erf abs max min
                                                    (expressions in x)

and builds the value with sympy objects directly.  The work is bounded:
the text is at most :data:`MAX_LENGTH` characters, parentheses and unary
signs nest at most :data:`MAX_DEPTH` deep, an exponent is at most
:data:`MAX_EXPONENT` in absolute value, no exact integer or rational grows
beyond :data:`MAX_BITS` bits, and a decimal exponent (``1e400``) is at most
:data:`MAX_DECIMAL_EXPONENT`.  Breaking a bound raises
:class:`~freealg.errors.TooLargeError` at once, before the work.

Numeric kinds follow the project rule: ``"3"`` is the int 3, ``"3/10"`` the
exact ``Fraction(3, 10)``, ``"sqrt(2)"`` the exact sympy number
``sqrt(2)``, and any decimal literal (``"0.3"``, ``"2.5e-1"``) makes the
result a float (never silently rationalised).

Examples
--------
>>> from freealg._utils.safeparse import parse_number, parse_function
>>> parse_number("3"), parse_number("3/10"), parse_number("0.3"), parse_number("2.5e-1")
(3, Fraction(3, 10), 0.3, 0.25)
>>> parse_number("2*sqrt(2)/3")
2*sqrt(2)/3
>>> parse_number("__import__('os')", "sigma_w")
Traceback (most recent call last):
...
freealg.errors.InvalidArgumentError: sigma_w: cannot parse "__import__('os')": unexpected character '_' at position 0; allowed are numbers (3, 0.25, 1e-3, 3/10), pi, e, sqrt(...), + - * / ^ and parentheses
>>> parse_number("10**10**10", "sigma_w")
Traceback (most recent call last):
...
freealg.errors.TooLargeError: sigma_w: the exponent 10000000000 in "10**10**10" is larger than the supported maximum 10000 in absolute value
>>> parse_function("tanh(x) + x/10")
x/10 + tanh(x)
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

__all__ = [
    "parse_symbolic",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_BITS",
    "MAX_DECIMAL_EXPONENT",
    "parse_number",
    "parse_function",
]

#: Longest accepted text (characters).
MAX_LENGTH = 1000
#: Deepest nesting of parentheses, function calls and unary signs.
MAX_DEPTH = 50
#: Largest absolute value of a numeric exponent in ``a^b``.
MAX_EXPONENT = 10_000
#: Largest exact integer / numerator / denominator produced (bits).
MAX_BITS = 10_000
#: Largest absolute decimal exponent of a literal such as ``1e400``.
MAX_DECIMAL_EXPONENT = 10_000

_NUMBER_FUNCS = ("sqrt",)
_EXPR_FUNCS = ("sqrt", "exp", "log", "tanh", "sinh", "cosh", "sin", "cos", "atan", "erf",
               "abs", "max", "min")
_CONSTS = ("pi", "e")

_TOKEN = re.compile(
    r"(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9]*)"
    r"|(?P<op>\*\*|[-+*/^(),])"
    r"|(?P<space>\s+)"
)


def _quote(text):
    return '"' + text + '"' if '"' not in text else repr(text)


class _DescentParser:
    """What the safe recursive-descent parsers share (this module's and the
    noncommutative-expression parser of :mod:`freealg.nc.parser`): sums, the
    nesting guard (at most :data:`MAX_DEPTH` levels), unary signs, and a
    parenthesised sub-expression.  A subclass provides ``peek()`` and
    ``take()`` (a token's text is its item 1), ``term()``, ``power()`` and
    ``nesting_error()`` (the TooLargeError to raise); it may override
    ``check_size()`` (applied to every partial sum)."""

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.nesting_error()

    def group(self, close=")"):
        """The expression up to ``close`` (taken), one nesting level deeper."""
        self.enter()
        inner = self.expr()
        self.take(close)
        self.depth -= 1
        return inner

    def unary(self):
        if self.peek()[1] in ("-", "+"):
            op = self.take()[1]
            self.enter()
            val = self.unary()
            self.depth -= 1
            return -val if op == "-" else val
        return self.power()

    def expr(self):
        val = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.term()
            val = self.check_size(val + rhs if op == "+" else val - rhs)
        return val

    def check_size(self, value):
        """The value of a sum, checked against the parser's size bounds (none here)."""
        return value


class _Parser(_DescentParser):
    def __init__(self, text, name, variable, funcs, symbols=None):
        self.symbols = symbols  # symbolic mode (parse_symbolic): name -> Symbol
        self.text = text
        self.name = name
        self.variable = variable
        self.funcs = funcs
        self.depth = 0
        self.has_float = False
        self.toks = self._tokenize()
        self.i = 0

    # -- errors -----------------------------------------------------------
    def _allowed(self):
        if self.variable is None:
            return "numbers (3, 0.25, 1e-3, 3/10), pi, e, sqrt(...), + - * / ^ and parentheses"
        if getattr(self, "symbols", None) is not None:
            return (f"numbers, pi, e, symbols named by letters and digits, the functions "
                    f"{', '.join(self.funcs)}, + - * / ^ and parentheses")
        return (f"numbers, pi, e, the variable {self.variable}, the functions "
                f"{', '.join(self.funcs)}, + - * / ^ and parentheses")

    def error(self, why, cls=InvalidArgumentError):
        return cls(f"{self.name}: cannot parse {_quote(self.text)}: {why}; allowed are {self._allowed()}")

    def too_large(self, why):
        return TooLargeError(f"{self.name}: {why}")

    # -- tokens -----------------------------------------------------------
    def _tokenize(self):
        out = []
        pos = 0
        text = self.text
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise self.error(f"unexpected character {text[pos]!r} at position {pos}")
            kind = m.lastgroup
            if kind != "space":
                out.append((kind, m.group(kind), pos))
            pos = m.end()
        return out

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, len(self.text))

    def take(self, value=None):
        kind, val, pos = self.peek()
        if kind is None:
            raise self.error("unexpected end of input" + (f" (expected {value!r})" if value else ""))
        if value is not None and val != value:
            raise self.error(f"expected {value!r} at position {pos}, got {val!r}")
        self.i += 1
        return kind, val, pos

    def nesting_error(self):
        return self.too_large(f"{_quote(self.text[:60])} nests deeper than {MAX_DEPTH} levels "
                              "(parentheses, function calls and signs)")

    # -- grammar ----------------------------------------------------------
    def parse(self):
        if not self.toks:
            raise self.error("empty input")
        val = self.expr()
        kind, val2, pos = self.peek()
        if kind is not None:
            raise self.error(f"unexpected {val2!r} at position {pos}")
        return val

    def term(self):
        val = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            rhs = self.unary()
            if op == "*":
                val = val * rhs
            else:
                if rhs == 0:
                    raise self.error("division by zero")
                val = val / rhs
            val = self.check_size(val)
        return val

    def power(self):
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            self.take()
            self.enter()
            exponent = self.unary()  # right associative: 2^3^2 = 2^9
            self.depth -= 1
            return self.pow(base, exponent)
        return base

    def atom(self):
        import sympy as sp

        kind, val, pos = self.take()
        if kind == "num":
            return self.number(val)
        if kind == "name":
            if val == self.variable:
                return self.symbol
            symbols = getattr(self, "symbols", None)
            if symbols is not None and val not in self.funcs and val not in _CONSTS:
                # symbolic mode: any plain name is a sympy Symbol (names cannot hold
                # '_', '.', quotes or brackets, so nothing here can reach Python code)
                if val not in symbols:
                    symbols[val] = sp.Symbol(val)
                return symbols[val]
            if val == "pi":
                return sp.pi
            if val == "e":
                return sp.E
            if val in self.funcs:
                return self.call(val)
            raise self.error(f"unknown name {val!r} at position {pos}")
        if val == "(":
            return self.group()
        raise self.error(f"unexpected {val!r} at position {pos}")

    def call(self, fname):
        import sympy as sp

        self.take("(")
        self.enter()
        args = [self.expr()]
        while self.peek()[1] == ",":
            self.take()
            args.append(self.expr())
        self.take(")")
        self.depth -= 1
        arity = 2 if fname in ("max", "min") else 1
        if (arity == 1 and len(args) != 1) or len(args) < arity:
            raise self.error(f"{fname}() takes {'one argument' if arity == 1 else 'two or more arguments'}; "
                             f"got {len(args)}")
        fn = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sinh": sp.sinh,
              "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "atan": sp.atan, "erf": sp.erf,
              "abs": sp.Abs, "max": sp.Max, "min": sp.Min}[fname]
        if fname in ("exp", "sinh", "cosh") and args[0].is_number:
            # exp(10**4) is fine exactly, but its float is inf: let the caller's
            # finiteness check catch it; refuse only an astronomically large argument
            self.check_exponent(args[0], f"{fname}()")
        return fn(*args)

    # -- values -----------------------------------------------------------
    def number(self, text):
        import sympy as sp

        mant, _, exp = text.lower().partition("e")
        if exp and abs(int(exp)) > MAX_DECIMAL_EXPONENT:
            raise self.too_large(f"the decimal exponent of {text} in {_quote(self.text[:60])} is "
                                 f"larger than {MAX_DECIMAL_EXPONENT} in absolute value")
        if "." in mant or exp:
            self.has_float = True
            # 53 bits: the same correctly rounded value as float(text)
            return sp.Float(text, precision=53) if self.variable is None else sp.Float(text)
        return self.check_size(sp.Integer(int(mant)))

    def check_exponent(self, exponent, where):
        if not exponent.is_number:
            return
        try:
            mag = abs(complex(exponent.evalf(20)))
        except (TypeError, ValueError):  # pragma: no cover - defensive
            raise self.error(f"cannot evaluate the exponent {exponent}") from None
        if mag > MAX_EXPONENT:
            shown = int(exponent) if exponent.is_Integer and mag < 1e30 else f"{mag:.6g}"
            raise self.too_large(f"the exponent {shown} in {_quote(self.text[:60])} is larger "
                                 f"than the supported maximum {MAX_EXPONENT} in absolute value"
                                 if where == "^" else
                                 f"the argument {shown} of {where} in {_quote(self.text[:60])} is "
                                 f"larger than the supported maximum {MAX_EXPONENT} in absolute value")

    def pow(self, base, exponent):
        self.check_exponent(exponent, "^")
        if base.is_Rational and exponent.is_Rational:
            if base == 0 and exponent < 0:
                raise self.error("0 raised to a negative power (division by zero)")
            bits = math.log2(max(abs(int(base.p)), int(base.q)))
            if bits * abs(float(exponent)) > MAX_BITS:
                raise self.too_large(f"a power in {_quote(self.text[:60])} would have about "
                                     f"{int(bits * abs(float(exponent)))} bits, more than the "
                                     f"supported {MAX_BITS}")
        return self.check_size(base ** exponent)

    def check_size(self, value):
        if getattr(value, "is_Rational", False):
            if max(int(value.p).bit_length(), int(value.q).bit_length()) > MAX_BITS:
                raise self.too_large(f"an intermediate value of {_quote(self.text[:60])} has more than "
                                     f"{MAX_BITS} bits")
        return value


def _check_text(text, name, limit=MAX_LENGTH):
    if not isinstance(text, str):
        raise InvalidArgumentTypeError(f"{name} must be a string; got {type(text).__name__}")
    if len(text) > limit:
        raise TooLargeError(f"{name}: the text is {len(text)} characters long, more than the "
                            f"supported {limit}; write the number more compactly")
    # the Unicode minus sign is a minus; nothing else outside ASCII is accepted
    return text.replace("\u2212", "-").strip()


def parse_number(text, name="value"):
    """Parse a real number typed by a user, keeping its numeric kind.

    Parameters
    ----------
    text : str
        A number or a small exact expression: ``3``, ``-1/2``, ``0.25``,
        ``1e-3``, ``sqrt(2)``, ``2*pi``, ``(1 + sqrt(5))/2``, ``2^-3``.
    name : str
        The parameter's public name, used in error messages.

    Returns
    -------
    int, fractions.Fraction, float or sympy.Expr
        ``int`` for an integer, ``Fraction`` for an exact rational, ``float``
        as soon as a decimal literal appears, otherwise an exact real sympy
        number (``sqrt(2)``).

    Raises
    ------
    InvalidArgumentError
        Text outside the grammar, division by zero, a non-real value
        (``sqrt(-1)``) or a value that is not finite as a float.
    TooLargeError
        Text longer than :data:`MAX_LENGTH`, nesting deeper than
        :data:`MAX_DEPTH`, an exponent beyond :data:`MAX_EXPONENT`, an exact
        value beyond :data:`MAX_BITS` bits.

    Examples
    --------
    >>> parse_number("-1/2"), parse_number("1e-3"), parse_number("2^-3")
    (Fraction(-1, 2), 0.001, Fraction(1, 8))
    >>> parse_number("(1 + sqrt(5))/2")
    1/2 + sqrt(5)/2
    """
    import sympy as sp

    clean = _check_text(text, name)
    p = _Parser(clean, name, None, _NUMBER_FUNCS)
    value = p.parse()
    if not value.is_number:  # pragma: no cover - the grammar has no symbols here
        raise p.error("not a number")
    if value.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
        raise p.error("the value is not finite")
    if p.has_float:
        try:
            out = complex(value.evalf(17))
        except (TypeError, ValueError, OverflowError):
            raise p.error("the value cannot be evaluated as a float") from None
        if out.imag != 0:
            raise InvalidArgumentError(f"{name} must be real; {_quote(clean)} = {out}")
        if out.real != out.real or out.real in (float("inf"), float("-inf")):
            raise InvalidArgumentError(
                f"{name}: {_quote(clean)} is not finite as a float (about "
                f"{sp.Float(value, 5)}); floats go up to about 1.8e308")
        return out.real
    if value.is_Integer:
        return int(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    if value.is_real is not True:
        raise InvalidArgumentError(f"{name} must be real; {_quote(clean)} = {value}")
    f = float(value.evalf(17))
    if f != f or f in (float("inf"), float("-inf")):
        raise InvalidArgumentError(f"{name}: {_quote(clean)} is not finite as a float "
                                   "(floats go up to about 1.8e308)")
    return value


def parse_function(text, variable="x", name="expression"):
    """Parse a real function of one variable, e.g. an activation ``"tanh(x) + x/10"``.

    The grammar is that of :func:`parse_number` plus the variable and the
    functions ``sqrt exp log tanh sinh cosh sin cos atan erf abs max min``;
    decimal literals become sympy ``Float`` (not rationalised).

    Parameters
    ----------
    text : str
    variable : str
        The name of the variable (default ``x``).
    name : str
        The parameter's public name, used in error messages.

    Returns
    -------
    sympy.Expr
        An expression whose only free symbol (if any) is ``Symbol(variable)``.

    Examples
    --------
    >>> parse_function("max(0, x) - 0.1*min(0, x)")
    Max(0, x) - 0.1*Min(0, x)
    >>> parse_function("x^2 + __class__")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: expression: cannot parse "x^2 + __class__": unexpected character '_' at position 6; allowed are numbers, pi, e, the variable x, the functions sqrt, exp, log, tanh, sinh, cosh, sin, cos, atan, erf, abs, max, min, + - * / ^ and parentheses
    """
    import sympy as sp

    clean = _check_text(text, name)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", variable or "") or variable in _EXPR_FUNCS \
            or variable in _CONSTS:
        raise InvalidArgumentError(f"variable must be a plain name other than a function or "
                                   f"constant; got {variable!r}")
    p = _Parser(clean, name, variable, _EXPR_FUNCS)
    p.symbol = sp.Symbol(variable)
    value = p.parse()
    if value.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
        raise p.error("the expression is not finite")
    return value


def parse_symbolic(text, name="expression", symbols=None):
    """Parse a symbolic expression, e.g. a curve ``"z*G^2 - z*G + 1"``.

    The grammar is that of :func:`parse_function`, with every other plain name
    (letters and digits) read as a sympy ``Symbol``; the names in ``symbols``
    map to the given ``Symbol`` objects (so that assumptions are kept).
    Nothing is evaluated as Python.

    Parameters
    ----------
    text : str
    name : str
        The parameter's public name, used in error messages.
    symbols : dict of str to sympy.Symbol, optional

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> parse_symbolic("z*G^2 - z*G + 1")
    G**2*z - G*z + 1
    >>> parse_symbolic("__import__('os')")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: expression: cannot parse "__import__('os')": unexpected character '_' at position 0; allowed are numbers, pi, e, symbols named by letters and digits, the functions sqrt, exp, log, tanh, sinh, cosh, sin, cos, atan, erf, abs, max, min, + - * / ^ and parentheses
    """
    import sympy as sp

    clean = _check_text(text, name)
    p = _Parser(clean, name, "", _EXPR_FUNCS, symbols=dict(symbols or {}))
    p.symbol = None
    value = p.parse()
    if value.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
        raise p.error("the expression is not finite")
    return value

