"""latex(obj, wrap=..., digits=...): long curves broken into aligned rows
grouped by powers of G; float coefficients at a chosen number of digits.
Rows are parsed back with the project's safe parser and compared with the
curve polynomial."""

import re

import pytest
import sympy

import freealg
from freealg import latex
from freealg._utils.symbolic import sympify_safe
from freealg.curves import G, Z
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError


def _rows(tex):
    """The rows of an aligned block (text between '&' and the row break)."""
    assert tex.startswith("\\begin{aligned}\n") and tex.endswith("\n\\end{aligned}")
    body = tex[len("\\begin{aligned}\n"):-len("\n\\end{aligned}")]
    rows = body.split(" \\\\\n")
    assert all(r.startswith("&") for r in rows)
    return [r[1:] for r in rows]


def _parse_row(row):
    """A row of sympy.latex output (numbers, G, z, ^{..}, \\frac, \\left( \\right),
    \\cdot 10^{..}) back to sympy through the safe parser."""
    s = row.replace(" = 0", "").replace("{}", "")
    s = s.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\cdot", "*")
    s = re.sub(r"\^\{([^{}]*)\}", r"**(\1)", s)
    s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", s)
    s = re.sub(r"(?<=[\w.)])\s+(?=[\w(])", "*", s)   # implicit products
    assert "\\" not in s and "{" not in s, s
    return sympify_safe(s).subs({sympy.Symbol("G"): G, sympy.Symbol("z"): Z})


def test_long_exact_curve_rows_and_round_trip():
    # critical ReLU FIM at depth 4: degree 4 in G, degree 8 in z, integer coefficients
    curve = freealg.MLP(4, "relu", "orthogonal", sympy.sqrt(2)).fim_law().curve()
    one = latex(curve, wrap=10**6)
    assert len(one) > 300 and "aligned" not in one
    for budget in (40, 72, 120):
        rows = _rows(latex(curve, wrap=budget))
        assert all(len(r) <= budget for r in rows), [len(r) for r in rows]
        parsed = [_parse_row(r) for r in rows]
        assert sympy.expand(sum(parsed) - curve.polynomial) == 0
        # grouped by powers of G: each row holds one power, non-increasing down the rows
        degs = [{sympy.degree(t, G) for t in sympy.Add.make_args(sympy.expand(p))} for p in parsed]
        assert all(len(d) == 1 for d in degs)
        flat = [d.pop() for d in degs]
        assert flat == sorted(flat, reverse=True) and flat[0] == 4 and flat[-1] == 0
    assert rows[-1].endswith(" = 0")


def test_float_parameter_curve_digits():
    # two hidden layers, hard-tanh at q_in = 1: the exact curve has integer coefficients
    # of ~65 digits (from the shortest-decimal rationals of erf values)
    curve = freealg.MLP(3, "hardtanh", "orthogonal", 1, 0).fim_law(q_in=1).curve(exact=True)
    P = sympy.Poly(curve.polynomial, G, Z)
    lead = P.coeffs()[0]
    for digits in (4, 6, 10):
        tex = latex(curve, wrap=60, digits=digits)
        rows = _rows(tex)
        assert all(len(r) <= 60 for r in rows)
        back = sympy.Poly(sum(_parse_row(r) for r in rows), G, Z)
        assert back.monoms() == P.monoms()
        for c_back, c in zip(back.coeffs(), P.coeffs()):
            exact = c / lead
            # digits significant digits: relative error at most half a unit in the last place
            assert abs(float(c_back) - float(exact)) <= 0.51 * 10 ** (1 - digits) * abs(float(exact))
    # the one-line form with digits: the leading term has coefficient 1
    assert latex(curve, digits=6).startswith(r"G^{2} \left(z^{4} - 3.54355 z^{3}")


def test_short_curve_stays_one_line_and_method():
    c = freealg.Semicircle().curve()
    assert latex(c, wrap=40) == "G^{2} - G z + 1 = 0" == c.latex()
    assert c.latex(wrap=40) == latex(c, wrap=40)


def test_sympy_sum_wrap_and_digits():
    x, y = sympy.symbols("x y")
    e = x**2 / 3 + sympy.Rational(1, 7) * y + sympy.Rational(22, 7)
    assert latex(e, digits=3) == "0.333 x^{2} + 0.143 y + 3.14"
    rows = _rows(latex(e, wrap=20))
    assert all(len(r) <= 20 for r in rows)
    assert sympy.expand(sum(_parse_row(r) for r in rows) - e) == 0
    assert latex(3 * x + 1, digits=5) == "3 x + 1"       # integers stay integers


def test_wrap_errors():
    c = freealg.Semicircle().curve()
    with pytest.raises(InvalidArgumentError, match="wrap"):
        latex(c, wrap=5)
    with pytest.raises(InvalidArgumentError, match="digits"):
        latex(c, digits=0)
    with pytest.raises(InvalidArgumentTypeError, match="wrap"):
        latex(c, wrap="80")
    W = freealg.nc_symbols("W")
    with pytest.raises(InvalidArgumentError, match="spectral curves"):
        latex(W * W.T, wrap=40)
