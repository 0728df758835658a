"""Numpydoc lint for freealg's public surface (used by ``tests/test_docstrings.py``).

Run ``python tests/_doclint.py [public-name-prefix ...] [--module=defining.module ...]`` to list
what is missing, e.g. ``python tests/_doclint.py freealg.dnn`` or
``python tests/_doclint.py --module=freealg.laws --module=freealg.laws.continuous``.

The rule (``docs/architecture.md``, "Docstrings"):

* every public function, class and method has a numpydoc docstring that parses;
* ``Parameters`` whenever the callable takes arguments (for a class: its constructor's), naming
  exactly the signature's parameters (numpydoc checks ``PR01`` missing / ``PR02`` unknown);
* ``Returns`` (or ``Yields``) whenever a function or method returns a value (numpydoc ``RT01``);
* ``Raises`` whenever the callable takes arguments (they are validated) or can fail;
* ``Examples`` on every public function, class and method.

Exception and warning classes need only a summary line; properties need a summary line.
Public means: the names in ``freealg.__all__`` and in the ``__all__`` of the public submodules
(``dnn``, ``verify``, ``simulate``, ``plot``, ``partitions``, ``cumulants``, ``activations``), and
every public method (no leading underscore, plus ``__call__``) that a public class defines or
inherits from a freealg class.
"""
from __future__ import annotations

import importlib
import inspect
import sys

SUBMODULES = ("dnn", "verify", "simulate", "plot", "partitions", "cumulants", "activations")
CODES = {"GL08", "PR01", "PR02", "RT01", "EX01"}


def _public_objects():
    import freealg

    seen: dict[int, tuple[str, object, str]] = {}

    def add(qual, obj, kind):
        key = id(obj)
        if key not in seen:
            seen[key] = (qual, obj, kind)

    tops = []
    for name in freealg.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(freealg, name)
        if inspect.ismodule(obj):
            continue
        tops.append((f"freealg.{name}", obj))
    for modname in SUBMODULES:
        mod = importlib.import_module(f"freealg.{modname}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.ismodule(obj):
                continue
            tops.append((f"freealg.{modname}.{name}", obj))
    for qual, obj in tops:
        if inspect.isclass(obj):
            kind = "exception" if issubclass(obj, (BaseException, Warning)) else "class"
            add(qual, obj, kind)
            if kind == "exception":
                continue
            names = set()
            for klass in obj.__mro__:
                if not klass.__module__.startswith("freealg"):
                    continue
                names.update(vars(klass))
            for m in sorted(names):
                if m.startswith("_") and m != "__call__":
                    continue
                raw = inspect.getattr_static(obj, m)
                if isinstance(raw, property):
                    add(f"{qual}.{m}", raw, "property")
                elif isinstance(raw, (staticmethod, classmethod)):
                    add(f"{qual}.{m}", raw.__func__, "method")
                elif inspect.isfunction(raw):
                    add(f"{qual}.{m}", raw, "method")
        elif callable(obj):
            add(qual, obj, "function")
    return sorted(seen.values(), key=lambda t: t[0])


def _inherited(qual, func):
    """The nearest base-class function of the same name that has a docstring, if any."""
    import freealg

    owner_name = qual.rsplit(".", 1)[0]
    parts = owner_name.split(".")[1:]
    owner = freealg
    for p in parts:
        owner = getattr(owner, p)
    for klass in owner.__mro__[1:]:
        raw = vars(klass).get(func.__name__)
        if raw is None:
            continue
        raw = getattr(raw, "__func__", raw)
        if getattr(raw, "__doc__", None):
            return raw
    return None


def _takes_arguments(obj, kind):
    target = obj.__init__ if kind == "class" else obj
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return False
    params = [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
    return bool(params)


def _defining_module(obj, kind):
    target = obj.fget if kind == "property" else obj
    return getattr(target, "__module__", "") or ""


def problems(prefixes=(), modules=()):
    """Return ``[(qualified name, [messages])]`` for every public object failing the rule.

    ``prefixes`` filters by public name, ``modules`` by the module that defines the object.
    """
    from numpydoc.docscrape import NumpyDocString
    from numpydoc.docscrape import get_doc_object
    from numpydoc.validate import validate

    out = []
    for qual, obj, kind in _public_objects():
        if prefixes and not any(qual.startswith(p) for p in prefixes):
            continue
        if modules and _defining_module(obj, kind) not in modules:
            continue
        target = obj.fget if kind == "property" else obj
        if kind == "method" and target.__doc__ is None:
            # an override without its own docstring shows the parent's (help(), Sphinx autodoc)
            target = _inherited(qual, target) or target
        doc = inspect.getdoc(target) or ""
        msgs = []
        if not doc.strip():
            out.append((qual, ["no docstring"]))
            continue
        if kind in ("exception", "property"):
            continue
        try:
            parsed = NumpyDocString(doc)
        except Exception as exc:  # numpydoc raises ValueError/UserWarning subclasses
            out.append((qual, [f"docstring does not parse: {exc}"]))
            continue
        try:
            res = validate(get_doc_object(target))
            msgs += [f"{c}: {m}" for c, m in res["errors"] if c in CODES]
        except Exception as exc:  # pragma: no cover - numpydoc internals
            msgs.append(f"numpydoc validate failed: {exc}")
        if kind == "class":
            # RT01 does not apply to classes
            msgs = [m for m in msgs if not m.startswith("RT01")]
        if _takes_arguments(obj, kind) and not parsed["Raises"]:
            msgs.append("no Raises section")
        if msgs:
            out.append((qual, sorted(set(msgs))))
    return out


def main(argv):
    modules = tuple(a.split("=", 1)[1] for a in argv if a.startswith("--module="))
    argv = [a for a in argv if not a.startswith("--module=")]
    bad = problems(tuple(argv), modules)
    for qual, msgs in bad:
        print(qual)
        for m in msgs:
            print("    " + m)
    total = len([q for q in _public_objects()
                 if (not argv or any(q[0].startswith(p) for p in argv))
                 and (not modules or _defining_module(q[1], q[2]) in modules)])
    print(f"{len(bad)} of {total} public objects fail the docstring rule")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
