"""Security and resource-bound tests (issue 10).

User text (command-line numbers, activation text, trace expressions) must
never be evaluated as Python: every payload below would create a file if it
reached ``eval``/``sympify``; the tests assert that the file never appears
and that the command exits with status 2 and a one-line message.  Inputs
built to take forever (``10**10**10``) must be refused at once.
"""

import ast
import json
import os
import subprocess
import sys
import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings, strategies as st
import freealg

from freealg._utils import safeparse
from freealg._utils.safeparse import parse_function, parse_number
from freealg.cli import main
from freealg.errors import InvalidArgumentError, TooLargeError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _payloads(target):
    t = str(target)
    return [
        f"__import__('os').system('touch {t}')",
        f'__import__("os").system("touch {t}")',
        f"(lambda: __import__('os').system('touch {t}'))()",
        f"[__import__('os').system('touch {t}') for _ in (1,)]",
        f"().__class__.__base__.__subclasses__()",
        f"sqrt(2).__class__.__init__.__globals__['os'].system('touch {t}')",
        f"__builtins__['exec']('import os; os.system(\"touch {t}\")')",
        f"f\"{{__import__('os').system('touch {t}')}}\"",
        f"exec('open(\"{t}\", \"w\")')",
        f"eval(\"open('{t}', 'w')\")",
        f"open('{t}', 'w')",
        f"Function('f')(1) or open('{t}', 'w')",
        "x.__dict__",
        "1 if 1 else 2",
        "import os",
        "1" * 5000,
        "(" * 500 + "1" + ")" * 500,
        "10**10**10",
        "2^(10^9)",
        "9**9**9**9",
        "1e999999999",
    ]


# every numeric option of every command, as (argv prefix, argv suffix)
_OPTIONS = [
    (["spectrum", "--depth", "2", "--sigma-w"], []),
    (["spectrum", "--depth", "2", "--sigma-b"], []),
    (["spectrum", "--depth", "2", "--q-in"], []),
    (["spectrum", "--depth"], []),
    (["fim", "--depth", "2", "--sigma-w"], []),
    (["meanfield", "--sigma-b"], []),
    (["meanfield", "--activation"], []),
    (["moments", "tr(J J^T)", "--depth", "2", "--sigma-w"], []),
    (["moments", "--cumulants", "1"], []),
    (["cumulants", "1"], []),
    (["verify", "freeness", "--widths"], []),
    (["verify", "freeness", "--trials"], []),
    (["verify", "jacobian", "--depths"], []),
    (["verify", "freeness", "--seed"], []),
]


@pytest.mark.parametrize("prefix", [o[0] for o in _OPTIONS], ids=lambda p: " ".join(p))
def test_no_payload_is_evaluated_by_any_numeric_option(prefix, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "pwned"
    for payload in _payloads(target):
        argv = prefix + [payload]
        t0 = time.perf_counter()
        with pytest.raises(SystemExit) as exc:
            main(argv + ["--json"])
        elapsed = time.perf_counter() - t0
        out, err = capsys.readouterr()
        assert exc.value.code == 2, (argv, out, err)
        assert not target.exists(), argv
        assert err.startswith("freealg: error: ") and err.count("\n") == 1, (argv, err)
        assert "Traceback" not in err
        error = json.loads(out)["error"]
        assert error["type"] in ("InvalidArgumentError", "InvalidArgumentTypeError", "TooLargeError",
                                 "UsageError", "UnknownActivationError", "UnknownSymbolError")
        assert elapsed < 5.0, (argv, elapsed)
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize("command", ["moments", "latex"])
def test_no_payload_is_evaluated_in_trace_expressions(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "pwned"
    payloads = [p for p in _payloads(target) if p not in ("10**10**10", "9**9**9**9")]
    payloads += ["9**9999**9999", "tr(J^99999999999)", "tr((W1 + D1 + W2)^40)", "tr(J)^2",
                 "tr(J / 0)", "tr(" * 100 + "J" + ")" * 100]
    for payload in payloads:
        t0 = time.perf_counter()
        with pytest.raises(SystemExit) as exc:
            main([command, payload, "--depth", "2", "--json"])
        out, err = capsys.readouterr()
        assert exc.value.code == 2 and not target.exists(), (payload, out, err)
        assert err.startswith("freealg: error: ") and err.count("\n") == 1, (payload, err)
        assert "error" in json.loads(out)
        assert time.perf_counter() - t0 < 5.0, payload
    assert sorted(os.listdir(tmp_path)) == []


def test_exact_payload_through_the_console_script(tmp_path):
    target = tmp_path / "pwned"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for opt in ("--sigma-w", "--sigma-b"):
        res = subprocess.run(
            [sys.executable, "-m", "freealg.cli", "spectrum", "--depth", "2", opt,
             f"__import__('os').system('touch {target}')"],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
        assert res.returncode == 2
        assert not target.exists()
        assert res.stderr.count("\n") == 1 and "cannot parse" in res.stderr
        assert res.stdout == ""


def test_huge_powers_are_refused_quickly():
    for text in ("10**10**10", "2^(10^9)", "10^10^10^10", "(2^5000)^5000", "9^9^9",
                 "2^1e9", "sqrt(2)^(10^9)"):
        t0 = time.perf_counter()
        with pytest.raises(TooLargeError, match="sigma_w"):
            parse_number(text, "sigma_w")
        assert time.perf_counter() - t0 < 1.0, text
    with pytest.raises(TooLargeError):
        parse_number("1" * (safeparse.MAX_LENGTH + 1))
    with pytest.raises(TooLargeError):
        parse_number("-" * (safeparse.MAX_DEPTH + 1) + "1")
    with pytest.raises(TooLargeError):
        parse_function("x^(10^6)")
    with pytest.raises(TooLargeError):
        parse_function("exp(10^9 * 1)")


def test_kind_rule():
    assert parse_number("0.3") == 0.3 and type(parse_number("0.3")) is float
    assert type(parse_number("2.5e-1")) is float and parse_number("2.5e-1") == 0.25
    assert parse_number("1e-3") == 0.001
    assert parse_number("3/10") == Fraction(3, 10) and type(parse_number("3/10")) is Fraction
    assert parse_number("1/2") == Fraction(1, 2)
    assert parse_number("4") == 4 and type(parse_number("4")) is int
    assert parse_number("6/3") == 2 and type(parse_number("6/3")) is int
    r2 = parse_number("sqrt(2)")
    assert isinstance(r2, sympy.Basic) and r2 == sympy.sqrt(2)
    assert parse_number("sqrt(8)/2") == sympy.sqrt(2)
    assert parse_number("(1 + sqrt(5))/2") == (1 + sympy.sqrt(5)) / 2
    assert parse_number("2*pi") == 2 * sympy.pi and parse_number("e") == sympy.E
    assert parse_number("\u22123/4") == Fraction(-3, 4)  # the Unicode minus sign
    # a decimal anywhere makes the whole value a float
    assert type(parse_number("sqrt(2) * 0.5")) is float
    assert parse_number("sqrt(2) * 0.5") == pytest.approx(2**0.5 / 2, rel=1e-15)
    # decimal literals are the correctly rounded float of their text
    for text in ("0.1", "0.7", "123.456e-7", "1.7976931348623157e308", "5e-324", ".5", "5."):
        assert parse_number(text) == float(text)


@pytest.mark.parametrize("text, why", [
    ("", "empty"), ("1/0", "division by zero"), ("sqrt(-1)", "real"), ("1e400", "not finite"),
    ("2 3", "unexpected"), ("2e", "unexpected"), ("(1", "end of input"), ("x", "unknown name"),
    ("exp(1)", "unknown name"), ("1_000", "unexpected character"), ("٣", "unexpected character"),
    ("0^-1", "division by zero"), ("(-8)^(1/3)", "real"),
])
def test_number_errors_say_why(text, why):
    with pytest.raises(InvalidArgumentError, match="sigma_b") as exc:
        parse_number(text, "sigma_b")
    assert why in str(exc.value)


# independent truth for the grammar: random expression trees evaluated with
# Fraction arithmetic by the test itself, rendered to text for the parser
_leaf = st.integers(min_value=0, max_value=10**6).map(lambda k: (str(k), Fraction(k)))


def _combine(children):
    def build(args):
        op, (ta, va), (tb, vb) = args
        if op == "/" and vb == 0:
            return (f"({ta})+({tb})", va + vb)
        val = {"+": va + vb, "-": va - vb, "*": va * vb, "/": va / vb if vb else None}[op]
        return (f"({ta}){op}({tb})", val)

    neg = children.map(lambda c: (f"-({c[0]})", -c[1]))
    small_pow = st.tuples(children, st.integers(0, 3)).filter(
        lambda a: not (a[0][1] == 0 and a[1] == 0)).map(
        lambda a: (f"({a[0][0]})^{a[1]}", a[0][1] ** a[1]))
    return st.one_of(st.tuples(st.sampled_from("+-*/"), children, children).map(build), neg,
                     small_pow)


_exprs = st.recursive(_leaf, _combine, max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(_exprs)
def test_parser_matches_fraction_arithmetic(expr):
    text, value = expr
    try:
        got = parse_number(text)
    except TooLargeError:
        return  # an intermediate beyond MAX_BITS: refusing is the documented behaviour
    assert Fraction(got) == value
    assert type(got) is (int if value.denominator == 1 else Fraction)


def test_function_grammar():
    x = sympy.Symbol("x")
    assert parse_function("tanh(x) + x/10") == sympy.tanh(x) + x / 10
    assert parse_function("max(0, x)") == sympy.Max(0, x)
    assert parse_function("x^2^3") == x**8  # right associative like Python's **
    assert parse_function("-x^2") == -(x**2)
    assert parse_function("erf(x/sqrt(2))") == sympy.erf(x / sympy.sqrt(2))
    assert parse_function("abs(x) - 0.5*x") == sympy.Abs(x) - sympy.Float("0.5") * x
    for bad in ("y", "x.real", "__import__('os')", "x; import os", "lambda x: x", "tanh(x, 2)"):
        with pytest.raises(InvalidArgumentError):
            parse_function(bad)


def test_activation_text_goes_through_the_parser(tmp_path, monkeypatch):
    from freealg.activations import get_activation
    from freealg.errors import UnknownActivationError

    monkeypatch.chdir(tmp_path)
    act = get_activation("tanh(x)")
    named = get_activation("tanh")
    for q in (Fraction(1, 2), 2):
        assert float(act.gaussian_expectation("dphi", q)) == pytest.approx(
            float(named.gaussian_expectation("dphi", q)), rel=1e-12)
    with pytest.raises(UnknownActivationError):
        get_activation("__import__('os').system('touch pwned')")
    with pytest.raises(TooLargeError):
        get_activation("x^(10^9)")
    assert not (tmp_path / "pwned").exists()


def test_no_eval_of_user_text_in_the_parsing_modules():
    # a guard against regressions: these modules turn user text into values
    for rel in ("freealg/cli/commands.py", "freealg/nc/parser.py", "freealg/_utils/safeparse.py"):
        src = open(os.path.join(ROOT, rel), encoding="utf-8").read()
        calls = set()
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Name):
                    calls.add(f.id)
                elif isinstance(f, ast.Attribute) and not (
                        isinstance(f.value, ast.Name) and f.value.id == "re"):
                    calls.add(f.attr)
        assert not calls & {"eval", "exec", "compile", "__import__", "sympify", "parse_expr",
                            "S", "literal_eval"}, (rel, calls)


def test_sympify_only_through_the_safe_door():
    # sympy.sympify / parse_expr of a string evaluates it as Python. Every conversion of
    # a user value to sympy goes through freealg/_utils/symbolic.py:sympify_safe, which
    # parses text with the whitelisted grammar; no other module may call sympify,
    # parse_expr, S(...) of a string, eval or exec.
    import ast
    from pathlib import Path

    root = Path(freealg.__file__).parent
    allowed = {root / "_utils" / "symbolic.py"}
    bad = []
    for path in root.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            builtin_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if name in {"sympify", "parse_expr"} or (builtin_call and name in {"eval", "exec", "compile"}):
                bad.append(f"{path.relative_to(root)}:{node.lineno}: {name}(...)")
            if isinstance(node, ast.ImportFrom) and any(a.name in {"sympify", "parse_expr", "S"} for a in node.names):
                bad.append(f"{path.relative_to(root)}:{node.lineno}: imports {[a.name for a in node.names]}")
    assert bad == []


@pytest.mark.parametrize("entry", ["SpectralCurve", "from_r_transform", "from_s_transform", "from_stieltjes",
                                   "curve_density", "law_subs", "curve_subs"])
def test_text_reaching_sympy_is_parsed_not_run(entry, tmp_path):
    # the fuzz pass found SpectralCurve(str) and its constructors running the text as
    # Python; a curve or a substitution given as text must be parsed by the whitelisted
    # grammar: the payload is refused (InvalidArgumentError) and the file never appears.
    import sympy

    from freealg import MarchenkoPastur, Semicircle, SpectralCurve, curve_density

    sentinel = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {sentinel}')"
    z, G = sympy.symbols("z G")
    calls = {
        "SpectralCurve": lambda: SpectralCurve(payload),
        "from_r_transform": lambda: SpectralCurve.from_r_transform(payload),
        "from_s_transform": lambda: SpectralCurve.from_s_transform(payload),
        "from_stieltjes": lambda: SpectralCurve.from_stieltjes(payload, z, sympy.Symbol("m")),
        "curve_density": lambda: curve_density(payload, z, G, [1.0]),
        "law_subs": lambda: Semicircle(variance=sympy.Symbol("v", positive=True)).subs("v", payload),
        "curve_subs": lambda: MarchenkoPastur(1).curve().subs("z", payload),
    }
    with pytest.raises(freealg.FreealgError):
        calls[entry]()
    assert not sentinel.exists()


def test_law_repr_never_evaluates_symbol_names(tmp_path):
    # repr checks its short form round-trips; it once did so with eval, and a Symbol's
    # name is arbitrary text
    import sympy

    from freealg import Semicircle

    sentinel = tmp_path / "pwned"
    evil = sympy.Symbol(f"__import__('os').system('touch {sentinel}')", positive=True)
    text = repr(Semicircle(variance=evil))
    assert not sentinel.exists()
    assert "Symbol(" in text  # fell back to srepr, which quotes the name


def test_curves_from_text_equal_curves_from_sympy():
    # the safe parser gives the same curve as the sympy expression (independent route)
    import sympy

    from freealg import SpectralCurve

    w = sympy.Symbol("w")
    assert SpectralCurve("z*G^2 - z*G + 1") == SpectralCurve(sympy.sympify(0) + SpectralCurve.from_r_transform(1 / (1 - w), w).polynomial)
    assert SpectralCurve.from_r_transform("1/(1 - w)") == SpectralCurve.from_r_transform(1 / (1 - w), w)


def test_both_parsers_share_one_nesting_bound():
    # one guard (safeparse._DescentParser) for the number parser and the NC
    # expression parser: exactly MAX_DEPTH levels of parentheses pass, one more
    # is refused before any work, in both
    from freealg import nc_symbols, tr
    from freealg.nc.parser import parse_expression

    d = safeparse.MAX_DEPTH
    assert parse_number("(" * d + "7" + ")" * d) == 7
    A = nc_symbols("A")
    assert parse_expression("(" * d + "A" + ")" * d, {"A": A}) == A
    assert parse_expression("tr(" + "(" * (d - 1) + "A" + ")" * d, {"A": A}) == tr(A)
    with pytest.raises(TooLargeError, match="nests deeper"):
        parse_number("(" * (d + 1) + "7" + ")" * (d + 1))
    with pytest.raises(TooLargeError, match="nests deeper"):
        parse_expression("(" * (d + 1) + "A" + ")" * (d + 1), {"A": A})
    with pytest.raises(TooLargeError, match="nests deeper"):
        parse_expression("tr(" + "(" * d + "A" + ")" * (d + 1), {"A": A})
