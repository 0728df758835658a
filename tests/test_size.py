"""Size rule of docs/architecture.md: no module over 600 lines, no function over
80 lines of code (its docstring excluded), unless the module's first line or the
function's first body line carries a ``# size: <reason>`` comment.

Modules and functions that break the rule today are listed below with their
current size: the list may only shrink (a listed item may not grow, and an
item that now fits must be removed from the list).  It is the open part of
issue 12, not an exemption.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "freealg"
MAX_MODULE, MAX_FUNCTION = 600, 80

# module path -> lines today (to be split; may only shrink)
OVERSIZE_MODULES = {
}
OVERSIZE_FUNCTIONS = {
}


def _size_reason(line):
    return line.strip().startswith("# size:") and len(line.strip()) > len("# size:") + 3


def measure():
    modules, functions = {}, {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if len(lines) > MAX_MODULE and not (lines and _size_reason(lines[0])):
            modules[rel] = len(lines)
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            first = body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                if len(body) == 1:
                    continue
                first = body[1]
            start = first.lineno
            if first.lineno > 1 and _size_reason(lines[first.lineno - 2]):
                continue
            n = node.end_lineno - start + 1
            if n > MAX_FUNCTION:
                functions[f"{rel}:{node.name}"] = n
    return modules, functions


def test_measure_sees_sizes():
    # the rule must not pass vacuously: the measurement finds the package and its functions
    modules, functions = measure()
    total = sum(1 for _ in PACKAGE.rglob("*.py"))
    assert total > 40


def test_no_new_oversize_module():
    modules, _ = measure()
    new = {m: n for m, n in modules.items() if m not in OVERSIZE_MODULES}
    assert not new, f"modules over {MAX_MODULE} lines (split them by concept): {new}"
    grown = {m: (OVERSIZE_MODULES[m], n) for m, n in modules.items()
             if m in OVERSIZE_MODULES and n > OVERSIZE_MODULES[m]}
    assert not grown, f"listed oversize modules grew (was, now): {grown}"
    fixed = sorted(set(OVERSIZE_MODULES) - set(modules))
    assert not fixed, f"these modules now fit: remove them from OVERSIZE_MODULES: {fixed}"


def test_no_new_oversize_function():
    _, functions = measure()
    new = {f: n for f, n in functions.items() if f not in OVERSIZE_FUNCTIONS}
    assert not new, f"functions over {MAX_FUNCTION} code lines (split them into named steps): {new}"
    grown = {f: (OVERSIZE_FUNCTIONS[f], n) for f, n in functions.items()
             if f in OVERSIZE_FUNCTIONS and n > OVERSIZE_FUNCTIONS[f]}
    assert not grown, f"listed oversize functions grew (was, now): {grown}"
    fixed = sorted(set(OVERSIZE_FUNCTIONS) - set(functions))
    assert not fixed, f"these functions now fit: remove them from OVERSIZE_FUNCTIONS: {fixed}"


if __name__ == "__main__":  # print the current lists
    m, f = measure()
    print("OVERSIZE_MODULES = {")
    for k, v in sorted(m.items(), key=lambda t: -t[1]):
        print(f'    "{k}": {v},')
    print("}\nOVERSIZE_FUNCTIONS = {")
    for k, v in sorted(f.items(), key=lambda t: -t[1]):
        print(f'    "{k}": {v},')
    print("}")
