"""Lazy package namespaces and public module paths.

* Every package ``__init__`` imports its public names on first access
  (``freealg/_utils/lazy.py``): a fresh ``import freealg.dnn`` loads none of
  the dnn modules (checked in ``sys.modules`` of a new interpreter), every
  name of ``__all__`` still resolves, ``dir()`` lists it, and an unknown name
  raises ``AttributeError`` naming the package.
* Every public class, function and method reports a public ``__module__``
  (no ``_private`` segment), through which ``pickle`` finds it again
  (``freealg/_utils/public.py``).
"""

import importlib
import inspect
import json
import pickle
import subprocess
import sys
import types

import pytest

import freealg
from freealg._utils.lazy import lazy_attributes
from freealg._utils.public import is_private_path, public_methods

# the packages with a lazy namespace, and the public module paths whose ``__all__`` is API
PACKAGES = ["activations", "cli", "density", "dnn", "freeness", "laws", "plot", "simulate", "verify"]
EMPTY_PACKAGES = ["combinatorics", "nc", "_utils"]
API_MODULES = ["freealg", *(f"freealg.{p}" for p in PACKAGES),
               "freealg.partitions", "freealg.cumulants", "freealg.curves", "freealg.functional",
               "freealg.closed_forms", "freealg.ncpoly", "freealg.errors"]

# what ``import freealg.<package>`` may load of freealg: the package, the root and the
# few small modules the root itself imports (errors, version, the lazy helper)
_ROOT_MODULES = {"freealg", "freealg._version", "freealg.errors", "freealg._utils", "freealg._utils.lazy"}
_HEAVY = ("numba", "numpy", "sympy", "mpmath", "scipy", "matplotlib")


def _fresh(code):
    """Run ``code`` in a new interpreter and return what it printed as JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


_LOADED = (
    "import json, sys\n"
    "before = set(sys.modules)\n"
    "import {target}\n"
    "new = sorted(m for m in set(sys.modules) - before)\n"
    "print(json.dumps(new))\n"
)


# ---------------------------------------------------------------------------
# importing a package loads nothing of it
# ---------------------------------------------------------------------------


def test_import_freealg_loads_only_the_root():
    new = _fresh(_LOADED.format(target="freealg"))
    assert {m for m in new if m.startswith("freealg")} == _ROOT_MODULES
    assert not [m for m in new if m.split(".")[0] in _HEAVY], new  # no numba: nothing is compiled


@pytest.mark.parametrize("package", PACKAGES + EMPTY_PACKAGES)
def test_import_of_a_package_loads_none_of_its_modules(package):
    new = _fresh(_LOADED.format(target=f"freealg.{package}"))
    loaded = {m for m in new if m.startswith("freealg")}
    assert loaded == _ROOT_MODULES | {f"freealg.{package}"}, sorted(loaded - _ROOT_MODULES)
    assert not [m for m in new if m.split(".")[0] in _HEAVY], new


def test_the_check_sees_an_eager_import():
    # the test above must not pass vacuously: an eager package does load its modules
    new = _fresh(_LOADED.format(target="freealg.dnn.mlp"))
    assert {"freealg.dnn.mlp", "freealg.dnn._mlp_spectra", "numpy"} <= set(new)


# ---------------------------------------------------------------------------
# the namespace behaves as the eager one did
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_resolves_and_is_listed(package):
    module = importlib.import_module(f"freealg.{package}")
    eager = set(module.__all__) - set(module._LAZY)
    # besides the lazy map, only the (already loaded) exception classes are bound eagerly
    assert all(vars(module)[name] is getattr(freealg.errors, name) for name in eager), eager
    listed = set(dir(module))
    for name in module.__all__:
        value = getattr(module, name)
        assert name in listed, name
        if name in eager:
            continue
        # the value is the object its defining module holds under that name
        home = importlib.import_module(f"freealg.{package}.{module._LAZY[name]}")
        assert getattr(home, name) is value, name
        assert vars(module)[name] is value, "cached in the package namespace after first access"


@pytest.mark.parametrize("package", PACKAGES + EMPTY_PACKAGES)
def test_unknown_name_raises_attribute_error_naming_the_package(package):
    module = importlib.import_module(f"freealg.{package}")
    with pytest.raises(AttributeError, match=rf"^module 'freealg\.{package}' has no attribute 'no_such_name'$"):
        module.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        module._no_such_private_name  # noqa: B018
    assert not hasattr(module, "no_such_name")
    with pytest.raises(ImportError):
        exec(f"from freealg.{package} import no_such_name", {})  # noqa: S102


def test_star_import_gives_all():
    namespace = {}
    exec("from freealg.dnn import *", namespace)  # noqa: S102
    assert set(namespace) - {"__builtins__"} == set(freealg.dnn.__all__)


def test_attributes_of_a_fresh_interpreter():
    # the root's public modules, a subpackage's public submodules and the console entry
    # point resolve without an explicit import; a private submodule does not
    code = (
        "import json, freealg, freealg.dnn\n"
        "print(json.dumps([freealg.activations.get_activation('relu').name,\n"
        "    freealg.laws.Semicircle.__name__, freealg.dnn.meanfield.__name__,\n"
        "    freealg.cli.main.__module__, hasattr(freealg.dnn, '_mlp_spectra'),\n"
        "    hasattr(freealg, 'nc'), 'freealg.nc.ncpoly' in sys.modules]))\n"
    )
    assert _fresh("import sys\n" + code) == ["relu", "Semicircle", "freealg.dnn.meanfield",
                                             "freealg.cli.commands", False, False, False]
    code = "import json, freealg.combinatorics\nprint(json.dumps(freealg.combinatorics.partitions.catalan(4)))"
    assert _fresh(code) == 14


def test_root_namespace_is_unchanged():
    # freealg.__all__: the version, the errors, the lazy names and the public submodules
    assert freealg.__all__[0] == "__version__"
    assert set(freealg.__all__) == ({"__version__"} | set(freealg.errors.__all__) | set(freealg._LAZY)
                                    | freealg._SUBMODULES)
    assert set(freealg.__all__) <= set(dir(freealg))
    with pytest.raises(AttributeError, match="^module 'freealg' has no attribute 'no_such_name'$"):
        freealg.no_such_name  # noqa: B018


def test_lazy_attributes_on_a_new_namespace():
    # the helper alone, on a namespace of its own: first access imports and caches
    module = types.ModuleType("freealg_test_namespace")
    module.__getattr__, module.__dir__ = lazy_attributes(
        "freealg", vars(module), {"catalan": "partitions"}, modules={"errors"})
    assert "catalan" not in vars(module)
    assert module.catalan(6) == 132  # C_6
    assert vars(module)["catalan"] is freealg.partitions.catalan
    assert module.errors is freealg.errors
    assert "catalan" in dir(module)
    with pytest.raises(AttributeError, match="freealg_test_namespace"):
        module.cumulants  # noqa: B018 - a submodule, but not an allowed one


# ---------------------------------------------------------------------------
# pickling: an object pickled here loads in a fresh interpreter
# ---------------------------------------------------------------------------


def test_objects_pickle_into_a_fresh_interpreter():
    from sympy import Rational

    objects = [
        freealg.laws.MarchenkoPastur(Rational(1, 3)),
        freealg.Semicircle(variance=2),
        freealg.activations.get_activation("tanh"),
        freealg.dnn.MLP(3, "relu", sigma_w=2),
        freealg.dnn.MLP,  # classes and functions pickle by reference: module + qualified name
        freealg.dnn.MLP.q_star,  # a method assembled from a private mixin
        freealg.simulate.ginibre,
        freealg.verify.decide,
    ]
    blob = pickle.dumps(objects)
    code = (
        "import json, pickle, sys\n"
        f"objs = pickle.loads({blob!r})\n"
        "print(json.dumps([repr(o) if not callable(o) or hasattr(o, 'name') else\n"
        "                  o.__module__ + ':' + o.__qualname__ for o in objs]))\n"
    )
    expected = [repr(o) if not callable(o) or hasattr(o, "name") else f"{o.__module__}:{o.__qualname__}"
                for o in objects]
    assert _fresh(code) == expected
    assert expected[5] == "freealg.dnn.mlp:MLP.q_star"


# ---------------------------------------------------------------------------
# public module paths
# ---------------------------------------------------------------------------


def _functions(value):
    if isinstance(value, property):
        return [f for f in (value.fget, value.fset, value.fdel) if f is not None]
    if isinstance(value, (staticmethod, classmethod)):
        return [value.__func__]
    return [value] if inspect.isfunction(value) else []


def _public_api():
    """``(public name, object)`` for every public class, function and method."""
    out, seen = [], set()
    for modname in API_MODULES:
        module = importlib.import_module(modname)
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            seen.add(id(obj))
            out.append((f"{modname}.{name}", obj))
            if not inspect.isclass(obj) or not obj.__module__.startswith("freealg"):
                continue
            for klass in obj.__mro__[:-1]:
                for attr, value in vars(klass).items():
                    if attr.startswith("_"):
                        continue
                    out += [(f"{modname}.{name}.{attr}", f) for f in _functions(value)]
    return out


def test_public_objects_report_public_modules():
    api = _public_api()
    assert len(api) > 400  # the walk sees the methods, or the check below passes vacuously
    assert ("freealg.MLP.jacobian_law", freealg.MLP.jacobian_law) in api
    private = sorted({f"{name}: {obj.__module__}" for name, obj in api
                      if obj.__module__.startswith("freealg") and is_private_path(obj.__module__)})
    assert not private, ("public objects reporting a private module (decorate the class with "
                         "freealg._utils.public.public_methods):\n" + "\n".join(private))


def test_public_paths_lead_back_to_the_object():
    # module + qualified name is how pickle, help() and the API reference find an object
    for name, obj in _public_api():
        if not obj.__module__.startswith("freealg") or "<locals>" in obj.__qualname__:
            continue
        found = importlib.import_module(obj.__module__)
        for part in obj.__qualname__.split("."):
            found = inspect.getattr_static(found, part)
        # the same function, or the same one under a wrapper (functools.wraps keeps the path)
        assert inspect.unwrap(obj) in [inspect.unwrap(f) for f in _functions(found) or [found]], name


def test_public_methods_renames_mixin_methods_in_place():
    private = types.ModuleType("pkg._private")
    exec("class _Mixin:\n"  # noqa: S102
         "    def shown(self): return 1\n"
         "    @property\n"
         "    def prop(self): return 2\n"
         "    def _hidden(self): return 3\n", vars(private))
    mixin = private._Mixin
    shown = mixin.shown
    cls = public_methods(type("Shown", (mixin,), {"__module__": "pkg.public"}))
    assert (shown.__module__, shown.__qualname__) == ("pkg.public", "Shown.shown")
    assert mixin.prop.fget.__module__ == "pkg.public"
    assert mixin._hidden.__module__ == "pkg._private"  # private methods keep their path
    assert cls.shown is mixin.shown is shown  # renamed, not copied: identity checks still hold
    assert cls().shown() + cls().prop == 3
    with pytest.raises(ValueError, match="private module"):
        public_methods(type("Hidden", (), {"__module__": "pkg._private"}))
