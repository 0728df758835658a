"""Package layout: what the sources cite, the import graph, and law reprs.

* Citations: the package, its docs and examples cite papers and the numbered
  sections of ``docs/theory.md``, never the project's private working notes
  (a theory sheet and the seed notes it was distilled from), which do not ship.
* Import cycles: the module graph of ``freealg`` is built from the sources with
  ``ast`` (every ``import`` of a freealg module, at module level and inside
  functions) and checked for cycles among the module-level imports.  Imports
  inside functions are the documented way for a lower module to call an upper
  one (a façade method such as ``Law.curve()``); they are listed by
  ``python tests/test_layout.py`` but not failed on.
* ``repr`` of every named law evaluates back to an equal law with exact
  parameters (``from freealg import *`` and ``from sympy import *``).
"""

import ast
import re
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "freealg"

# ---------------------------------------------------------------------------
# citations
# ---------------------------------------------------------------------------

# the private notes: the theory sheet (by file name or as "THEORY §N") and the
# numbered seed documents ("seed 002", "seeds 000, 001")
_PRIVATE = re.compile(r"THEORY\.md|\bTHEORY\s*(?:§|section)|\bseeds? 00\d|DESIGN\.md")
_TEXT_SUFFIXES = {".py", ".md", ".rst", ".txt", ".toml", ".cfg", ".ini"}


def _cited_files():
    files = [ROOT / "README.md"]
    for top in ("freealg", "docs", "examples", "tests"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in _TEXT_SUFFIXES or "_build" in path.parts or "generated" in path.parts:
                continue
            if path == Path(__file__).resolve():  # this file names the patterns
                continue
            files.append(path)
    return files


def test_no_citation_of_private_notes():
    hits = []
    for path in _cited_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _PRIVATE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()[:100]}")
    assert not hits, ("cite a paper or a numbered section of docs/theory.md ('docs/theory.md §5') "
                      "instead of the private notes:\n" + "\n".join(hits))


def test_the_pattern_catches_what_it_should():
    # the check above must not pass vacuously: it sees each citation style once used
    for text in ("(THEORY.md §6)", "THEORY §5: m_1 = chi^L", "(THEORY.md section 2)",
                 "(seed 004)", "seeds 002 and 004", "seed 003/004", "DESIGN.md"):
        assert _PRIVATE.search(text), text
    for text in ("docs/theory.md §6", "the theory sheet", 'convention "seed"', "rng seeds", "seed=0"):
        assert not _PRIVATE.search(text), text


def test_theory_sections_cited_exist():
    # every "docs/theory.md §N" in the package and docs names a section of the page
    page = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
    sections = {int(n) for n in re.findall(r"^## §(\d+) ", page, flags=re.M)}
    assert sections == set(range(1, max(sections) + 1)), sections
    cited = {}
    cite = re.compile(r"(?:docs/theory\.md|\[theory) §(\d+)(?:[–-]§?(\d+))?")
    for path in _cited_files():
        for m in cite.finditer(path.read_text(encoding="utf-8")):
            for n in filter(None, m.groups()):
                cited.setdefault(int(n), str(path.relative_to(ROOT)))
    assert len(cited) >= 6  # the citations were found at all
    missing = {n: where for n, where in cited.items() if n not in sections}
    assert not missing, f"docs/theory.md has no section for these citations: {missing}"


# ---------------------------------------------------------------------------
# import graph
# ---------------------------------------------------------------------------


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph():
    """``(modules, top, lazy)``: for each freealg module, the freealg modules it
    imports at module level (``top``) and inside functions (``lazy``).

    ``from .x import y`` counts ``freealg.x.y`` when that is a module, else
    ``freealg.x``; importing ``a.b.c`` also imports the package ``a.b``.  Edges
    to the importer's own parent packages are left out (Python initialises a
    package before its submodules; ``freealg/__init__.py`` imports lazily)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}

    def resolve(current, is_package, node):
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = current.split(".") if is_package else current.split(".")[:-1]
        if node.level:
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        return [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem for a in node.names]

    def targets(current, is_package, node):
        out = set()
        for name in resolve(current, is_package, node):
            parts = name.split(".")
            if parts[0] != "freealg":
                continue
            for i in range(2, len(parts) + 1):
                target = ".".join(parts[:i])
                if target in modules and target != current and not current.startswith(target + "."):
                    out.add(target)
        return out

    top, lazy = {}, {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        top[name], lazy[name] = set(), set()

        def visit(node, in_function, name=name, is_package=is_package):
            for child in ast.iter_child_nodes(node):
                inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    (lazy if inside else top)[name].update(targets(name, is_package, child))
                visit(child, inside)

        visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return modules, top, lazy


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for v in sorted(graph):
            if v not in index:
                strong(v)
    finally:
        sys.setrecursionlimit(limit)
    return found


# Module-level cycles that need a file move to break, with the reason.  Remove an
# entry when the cycle is gone (the test says so).
ALLOWED_MODULE_CYCLES = {
    frozenset({"freealg.laws", "freealg._continuous_laws", "freealg._activation_law"}):
        "the named laws of _continuous_laws/_activation_law subclass Law (laws.py), which "
        "re-exports them at its end; breaking it moves Law and its helpers to a base module",
}


# The layers of docs/architecture.md, lowest first.  A module imports at module
# level only from its own layer or lower ones (an upward call is an import
# inside the function that needs it).
LAYERS = [
    ("utilities", "errors _version _utils _utils.validate _utils.safeparse _utils.symbolic _utils.mpctx _utils.progress "
                  "_detsympy _series _continuation"),
    ("combinatorics", "partitions cumulants combinatorics combinatorics._reference combinatorics._kinds "
                      "combinatorics._nc_kernels combinatorics.partitions combinatorics.nc_lattice "
                      "combinatorics.cumulants combinatorics.mixed combinatorics.convolution"),
    ("NC algebra", "_ncbase _trace ncpoly _parse _latex"),
    ("freeness", "_families _engine _expansion freeness"),
    ("activations, laws", "activations activations._numbers activations.quadrature_np activations.closed_forms "
                          "activations.quadrature activations.named activations.expectations activations.core "
                          "activations.registry laws _continuous_laws _activation_law _law_api"),
    ("curves", "_curve_analysis curves _elimination closed_forms"),
    ("density", "_certify _result _curve _curve_engine density functional"),
    ("deep networks", "dnn dnn.mlp dnn.meanfield dnn.criticality dnn.kaa dnn.kernels dnn._spectra "
                      "dnn.jacobian dnn.fisher dnn._fisher_solver dnn._fisher_kernels dnn.polynomials dnn.depth_limit dnn.ngd dnn.ck_law dnn.ntk_law"),
    ("simulation, verification", "simulate simulate._checks simulate.ensembles simulate.network "
                                 "simulate.instance simulate.sampling verify verify._common verify._lawtools verify.evaluation "
                                 "verify.momentcheck verify.limit_moments verify.spectra verify.network "
                                 "verify.report verify.limits verify.trials verify.asymptotic verify.jacobian "
                                 "verify.fim verify.two_layer"),
    ("front ends", "cli demo plot freealg"),
]


def _layer_of():
    return {("freealg." + m if m != "freealg" else m): (i, title)
            for i, (title, names) in enumerate(LAYERS) for m in names.split()}


def test_module_level_imports_go_down_the_layers():
    modules, top, _ = import_graph()
    layer = _layer_of()
    unplaced = sorted(set(modules) - set(layer))
    assert not unplaced, (f"place these modules in a layer (LAYERS in tests/test_layout.py and the "
                          f"table of docs/architecture.md): {unplaced}")
    upward = [f"{m} ({layer[m][1]}) -> {t} ({layer[t][1]})"
              for m in sorted(top) for t in sorted(top[m]) if layer[t][0] > layer[m][0]]
    assert not upward, ("module-level imports of a higher layer; import inside the function that "
                        "needs it, or move the shared code down:\n" + "\n".join(upward))


def test_import_graph_sees_known_edges():
    # the parser must find imports of each kind, or the cycle test below passes vacuously
    modules, top, lazy = import_graph()
    assert {"freealg.laws", "freealg.curves", "freealg.dnn.fisher", "freealg._utils.validate"} <= set(modules)
    assert "freealg.laws" in top["freealg.curves"]  # from .laws import Law, ...
    assert "freealg.curves" in lazy["freealg.laws"]  # Law.curve(): from .curves import SpectralCurve
    assert "freealg._utils.validate" in top["freealg.dnn.mlp"]  # from .._utils.validate import ...
    assert "freealg._utils" in top["freealg.dnn.mlp"]  # ... which runs freealg/_utils/__init__.py
    assert "freealg.dnn" not in top["freealg.dnn.mlp"]  # its own package: not an edge
    # a cycle is found when there is one
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_no_import_cycles():
    _, top, _ = import_graph()
    found = set(cycles(top))
    new = [sorted(c) for c in found if c not in ALLOWED_MODULE_CYCLES]
    assert not new, (f"module-level import cycles: {new}; make the upward import a lazy import "
                     "inside the function that needs it, or move the shared code down")
    gone = [sorted(c) for c in ALLOWED_MODULE_CYCLES if c not in found]
    assert not gone, f"these cycles are gone: remove them from ALLOWED_MODULE_CYCLES: {gone}"


# ---------------------------------------------------------------------------
# repr of the named laws
# ---------------------------------------------------------------------------


def _named_law_cases():
    import sympy
    from sympy import Rational, sqrt

    from freealg import laws
    from freealg.activations import get_activation

    u = sympy.Symbol("u")
    return [
        laws.Semicircle(),
        laws.Semicircle(mean=Rational(-1, 3), variance=Rational(2, 5)),
        laws.MarchenkoPastur(Rational(1, 3)),
        laws.MarchenkoPastur(rate=2, jump=Rational(3, 7)),
        laws.MarchenkoPastur(rate=sqrt(2), jump=Fraction(1, 2)),
        laws.PointMass(Rational(1, 3)),
        laws.PointMass(sqrt(3) / 2),
        laws.Atomic([0, Rational(1, 3), 2], [Rational(1, 4), Rational(1, 2), Rational(1, 4)]),
        laws.Bernoulli(Rational(1, 3)),
        laws.activation_derivative_law("hardtanh", 2),  # Bernoulli(erf(1/2))
        laws.FussCatalan(3),
        laws.Arcsine(-2, Rational(5, 2)),
        laws.ActivationDerivativeLaw("tanh", Rational(1, 3)),
        laws.ActivationDerivativeLaw("gelu", sqrt(2), dps=20),
        laws.ActivationDerivativeLaw(get_activation("leaky_relu", slope=Rational(1, 5)), 2),
        laws.ActivationDerivativeLaw(get_activation(sympy.tanh(u) + u / 10), 1),
    ]


def _eval_namespace():
    namespace = {}
    exec("from sympy import *\nfrom freealg import *", namespace)  # noqa: S102 - test of repr
    return namespace


@pytest.mark.parametrize("index", range(len(_named_law_cases())))
def test_named_law_repr_round_trips_exact_parameters(index):
    law = _named_law_cases()[index]
    text = repr(law)
    back = eval(text, _eval_namespace())  # noqa: S307 - the point of the test
    assert type(back) is type(law)
    assert back == law, text
    assert repr(back) == text
    # the parameters are the same exact numbers, not approximations of them
    for key, value in law._params.items():
        assert back._params[key] == value, (text, key)
        assert type(back._params[key]) is type(value), (text, key)
    if type(law).__name__ != "ActivationDerivativeLaw":  # that one's moments are quadratures
        assert back.moments(4) == law.moments(4)


def test_repr_cases_cover_every_named_law():
    from freealg import laws

    named = {getattr(laws, n) for n in laws.__all__ if isinstance(getattr(laws, n), type)} - {laws.Law}
    covered = {type(law) for law in _named_law_cases()}
    assert named <= covered, f"add repr cases for {sorted(c.__name__ for c in named - covered)}"


if __name__ == "__main__":  # print the import cycles, module-level and with function-level imports
    _, _top, _lazy = import_graph()
    _both = {m: _top[m] | _lazy[m] for m in _top}
    for title, graph in (("module level", _top), ("with imports inside functions", _both)):
        print(f"cycles, {title}:")
        for component in sorted(cycles(graph), key=sorted):
            print("  " + ", ".join(sorted(component)))
            for a in sorted(component):
                for b in sorted(graph[a] & component):
                    print(f"    {a} -> {b}" + ("" if b in _top[a] else "  (inside a function)"))
