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
    package before its submodules).

    A package ``__init__`` imports its public names lazily (PEP 562,
    ``freealg/_utils/lazy.py``): the literal maps it hands to
    ``lazy_attributes`` (:data:`LAZY_MAPS`) count as module-level imports of
    the submodules they name, exactly as the eager ``from .x import y`` they
    replace, so the layer and cycle rules see the package as it behaves once
    its names are used."""
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

        tree = ast.parse(path.read_text(encoding="utf-8"))
        visit(tree, False)
        if is_package:
            for node in lazy_map_imports(tree):
                top[name].update(targets(name, is_package, node))
    return modules, top, lazy


# the module-level literals of a package ``__init__`` that name its lazily
# imported submodules: ``_LAZY`` maps a public name to the submodule defining
# it; ``_SUBMODULES`` and ``_MODULES`` (the package root) list submodules
# reachable as attributes
LAZY_MAPS = ("_LAZY", "_SUBMODULES", "_MODULES")


def lazy_map_imports(tree):
    """The lazy maps of a package ``__init__`` as the equivalent ``from .x import y`` nodes."""
    nodes = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in LAZY_MAPS):
            continue
        value = ast.literal_eval(stmt.value)  # a map that is not a literal fails here, loudly
        if isinstance(value, dict):
            nodes += [ast.ImportFrom(module=module, names=[ast.alias(name=attr)], level=1)
                      for attr, module in value.items()]
        else:
            nodes += [ast.ImportFrom(module=None, names=[ast.alias(name=module)], level=1)
                      for module in value]
    return nodes


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


# Imports inside functions that point up the layers or close a cycle: the
# documented façades (docs/architecture.md, "Allowed upward calls").  Every
# other import, at module level or inside a function, points down.  A stale
# entry fails the test, so the list stays exact.
FACADES = {
    ("freealg.laws.discrete", "freealg.laws.curves"): "Law.curve(): a law builds its spectral curve",
    ("freealg.laws.continuous", "freealg.laws.curves"): "the named laws' curve()",
    ("freealg.laws.fuss_catalan", "freealg.laws.curves"): "the named laws' curve()",
    ("freealg.laws.arcsine", "freealg.laws.curves"): "the named laws' curve()",
    ("freealg.laws.curves", "freealg.laws.elimination"): "SpectralCurve's + and * (free_add, free_mul)",
    ("freealg.laws.curve_model", "freealg.density"): "SpectralCurve.density and support: the density engine",
    ("freealg.laws.curve_model", "freealg.density.curve"): "SpectralCurve.density and support: the density engine",
    ("freealg.nc.base", "freealg.printing"): "_repr_latex_ of letters and words: the one printer",
    ("freealg.laws.curves", "freealg.printing"): "SpectralCurve.latex: the one printer",
    ("freealg.freeness.expansion", "freealg.printing"): "MomentExpansion.latex: the one printer",
    ("freealg.laws._cdf", "freealg.density"): "Law.cdf: the certified quadrature of the density layer",
    ("freealg.laws._cdf", "freealg.density.certify"): "Law.cdf: the certified quadrature of the density layer",
    ("freealg.laws._closed", "freealg.density"): "closed-form densities return the engine's DensityResult",
    ("freealg.laws._closed", "freealg.density.result"): "closed-form densities return the engine's DensityResult",
    ("freealg.nc.trace", "freealg.nc.ncpoly"): "tr(p) coerces its argument to an NCPoly",
    ("freealg._utils.symbolic", "freealg._utils.validate"): "error messages describe the bad value",
    ("freealg.dnn._mf_engine", "freealg.dnn.mlp"): "isinstance check of the net argument",
    ("freealg.dnn.jacobian", "freealg.dnn.mlp"): "isinstance check of the net argument",
    ("freealg.dnn.fisher", "freealg.dnn.mlp"): "isinstance check of the net argument",
    ("freealg.dnn._mlp_kernels", "freealg.dnn.ck_law"): "the MLP methods",
    ("freealg.dnn._mlp_kernels", "freealg.dnn.kernels"): "the MLP methods",
    ("freealg.dnn._mlp_kernels", "freealg.dnn.ntk_law"): "the MLP methods",
    ("freealg.dnn._mlp_meanfield", "freealg.dnn.meanfield"): "the MLP methods",
    ("freealg.dnn._mlp_spectra", "freealg.dnn.fisher"): "the MLP methods",
    ("freealg.dnn._mlp_spectra", "freealg.dnn.jacobian"): "the MLP methods",
    ("freealg.dnn._mlp_spectra", "freealg.dnn.kaa"): "the MLP methods",
    ("freealg.dnn._mlp_spectra", "freealg.dnn.meanfield"): "the MLP methods",
    ("freealg.dnn.empirical_fim", "freealg.simulate"): "empirical_fim_eigenvalues: a finite-width simulation",
    ("freealg.activations.core", "freealg.activations.registry"): "Activation.__reduce__: a pickle rebuilds through the registry",
}


# The layers of docs/architecture.md, lowest first.  A module imports at module
# level only from its own layer or lower ones (an upward call is an import
# inside the function that needs it).
LAYERS = [
    ("utilities", "_utils _utils.detsympy _utils.lazy _utils.mpctx _utils.numbers _utils.progress _utils.public _utils.safeparse _utils.series "
                 "_utils.symbolic _utils.validate _version errors"),
    ("combinatorics", "combinatorics combinatorics._kinds combinatorics._nc_kernels combinatorics._reference "
                     "combinatorics.convolution combinatorics.cumulants combinatorics.mixed "
                     "combinatorics.nc_lattice combinatorics.partitions cumulants partitions"),
    ("NC algebra", "nc nc.base nc.ncpoly nc.parser nc.substitution nc.symbols nc.terms nc.trace ncpoly"),
    ("freeness", "freeness freeness.declarations freeness.engine freeness.expansion freeness.families "
                "freeness.model"),
    ("activations", "activations activations._numbers activations.closed_forms activations.core "
                   "activations.expectations activations.named activations.quadrature activations._quad_kernels "
                   "activations.quadrature_np activations.registry"),
    ("laws", "curves laws laws._cdf laws._closed laws._kinds laws._transforms laws.activation "
            "laws.activation_numerics laws.analysis laws.arcsine laws.base laws.continuous "
            "laws.convolution_moments laws.curve_model laws.curve_polynomial laws.curve_series laws.curve_transforms "
            "laws.curves laws.discrete laws.elimination laws.frozen laws.fuss_catalan laws.interface"),
    ("density", "density density._mul_kernels density.algebraic density.certify density.checks density.continuation "
               "density.curve density.curve_engine density.curve_routing density.curve_track "
               "density.mul_engine density.mul_equation density.mul_exact density.mul_factors "
               "density.result density.subordination functional"),
    ("deep networks", "closed_forms dnn dnn._backprop dnn._conventions dnn._correlation dnn._factors dnn._fisher_chain "
                     "dnn._fisher_kernels dnn._fisher_solver dnn._fisher_spectrum dnn._fisher_system "
                     "dnn._jacobian_spectrum dnn._layer_data dnn._mf_engine dnn._mlp_kernels "
                     "dnn._mlp_meanfield dnn._mlp_spectra dnn._ntk_solver dnn._ntk_spectrum dnn._qmap dnn._records "
                     "dnn._smooth_factor dnn._spectra dnn.ck_law dnn.ck_moments dnn.criticality dnn.curves "
                     "dnn.depth_limit dnn.empirical_fim dnn.fisher dnn.isometry dnn.jacobian dnn.kaa "
                     "dnn.kernels dnn.meanfield dnn.mlp dnn.ngd dnn.ntk_law dnn.polynomials"),
    ("simulation, verification", "simulate simulate._checks simulate.batch simulate.ensembles simulate.instance "
                                "simulate.network simulate.sampling verify verify._common verify._lawtools "
                                "verify.asymptotic verify.batch verify.evaluation verify.fim verify.jacobian "
                                "verify.limit_moments verify.limits verify.momentcheck verify.network verify.report "
                                "verify.spectra verify.trials verify.two_layer"),
    ("front ends", "freealg cli cli.__main__ cli._args cli._output cli.algebra cli.commands cli.demo "
                  "cli.networks demo plot plot.density plot.phase plot.style printing"),
]


def _layer_of():
    return {("freealg." + m if m != "freealg" else m): (i, title)
            for i, (title, names) in enumerate(LAYERS) for m in names.split()}


def test_imports_go_down_the_layers():
    modules, top, lazy = import_graph()
    layer = _layer_of()
    unplaced = sorted(set(modules) - set(layer))
    assert not unplaced, (f"place these modules in a layer (LAYERS in tests/test_layout.py and the "
                          f"table of docs/architecture.md): {unplaced}")
    upward = [f"{m} ({layer[m][1]}) -> {t} ({layer[t][1]})"
              for m in sorted(top) for t in sorted(top[m]) if layer[t][0] > layer[m][0]]
    assert not upward, ("module-level imports of a higher layer; move the shared code down:\n"
                        + "\n".join(upward))
    upward = [f"{m} ({layer[m][1]}) -> {t} ({layer[t][1]})"
              for m in sorted(lazy) for t in sorted(lazy[m])
              if layer[t][0] > layer[m][0] and (m, t) not in FACADES]
    assert not upward, ("imports of a higher layer inside functions that are not documented façades "
                        "(FACADES here and docs/architecture.md); move the shared code down:\n"
                        + "\n".join(upward))


def test_facade_list_is_exact():
    _, _, lazy = import_graph()
    stale = sorted(edge for edge in FACADES if edge[1] not in lazy.get(edge[0], ()))
    assert not stale, f"these façade imports are gone: remove them from FACADES: {stale}"


def test_import_graph_sees_known_edges():
    # the parser must find imports of each kind, or the cycle test below passes vacuously
    modules, top, lazy = import_graph()
    assert {"freealg.laws", "freealg.curves", "freealg.dnn.fisher", "freealg._utils.validate"} <= set(modules)
    assert "freealg.laws.base" in top["freealg.laws.curves"]  # from .base import Law, ...
    assert "freealg.laws.curves" in lazy["freealg.laws.discrete"]  # PointMass.curve(): from .curves import SpectralCurve
    assert "freealg._utils.validate" in top["freealg.dnn.mlp"]  # from .._utils.validate import ...
    assert "freealg._utils" in top["freealg.dnn.mlp"]  # ... which runs freealg/_utils/__init__.py
    assert "freealg.dnn" not in top["freealg.dnn.mlp"]  # its own package: not an edge
    # the lazy maps of the package inits: ``"MLP": "mlp"``, ``"SpectralCurve": "laws.curves"``, ``"dnn"``
    assert {"freealg.dnn.mlp", "freealg.dnn.fisher"} <= top["freealg.dnn"]
    assert {"freealg.laws.curves", "freealg.dnn", "freealg.partitions"} <= top["freealg"]
    assert "freealg.simulate.batch" in top["freealg.simulate"]
    # a cycle is found when there is one
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_every_lazy_package_has_a_readable_map():
    # a package init that builds its namespace lazily must declare it in a literal the
    # graph reads (LAZY_MAPS), or its imports would be invisible to the layer rules
    for path in sorted(PACKAGE.rglob("__init__.py")):
        text = path.read_text(encoding="utf-8")
        if "lazy_attributes(" not in text:
            continue
        tree = ast.parse(text)
        declared = [stmt for stmt in tree.body if isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in stmt.targets)]
        assert declared, f"{path.relative_to(ROOT)}: declare the lazy names in a literal _LAZY dict"
        lazy_map_imports(tree)  # the maps are literals (literal_eval raises otherwise)


def test_no_import_cycles():
    _, top, lazy = import_graph()
    graph = {m: top[m] | {t for t in lazy[m] if (m, t) not in FACADES} for m in top}
    found = [sorted(c) for c in cycles(graph)]
    assert not found, (f"import cycles (module level, or through an import inside a function that is "
                       f"not a documented façade): {found}; move the shared code down")


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
