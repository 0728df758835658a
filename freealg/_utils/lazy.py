"""Lazy package namespaces (PEP 562): a name is imported on first access.

Every package ``__init__`` of freealg declares its public names as a map
``name -> submodule`` (``_LAZY``) and calls :func:`lazy_attributes`, which
builds the module-level ``__getattr__`` and ``__dir__``.  Importing the
package then imports none of its submodules; ``package.name`` imports the
submodule that defines ``name`` once and caches the value in the package
namespace, so later accesses are plain attribute lookups.

The maps are literal dicts of strings on purpose: ``tests/test_layout.py``
reads them with ``ast`` and counts each entry as an import of the package, so
the layer and cycle rules see a lazy package exactly as an eager one.

Examples
--------
>>> import sys, types
>>> from freealg._utils.lazy import lazy_attributes
>>> pkg = types.ModuleType("freealg.demo_pkg")
>>> pkg.__getattr__, pkg.__dir__ = lazy_attributes(
...     "freealg", vars(pkg), {"catalan": "partitions"}, modules=())
>>> pkg.catalan(4)
14
>>> "catalan" in vars(pkg)          # cached after the first access
True
>>> pkg.nothing
Traceback (most recent call last):
...
AttributeError: module 'freealg.demo_pkg' has no attribute 'nothing'
"""

from __future__ import annotations

import importlib
import importlib.util

__all__ = ["lazy_attributes"]


def lazy_attributes(package, namespace, names, modules=None):
    """The ``__getattr__`` and ``__dir__`` of a lazy package namespace.

    Parameters
    ----------
    package : str
        The package whose submodules ``names`` refers to (``__name__`` of the
        calling ``__init__``).
    namespace : dict
        The namespace to fill on first access (``globals()`` of the caller).
        Its ``__name__`` names the module in error messages.
    names : dict of str to str
        Each lazily imported attribute mapped to the submodule that defines
        it, relative to ``package`` (``"mlp"``, ``"laws.curves"``).
    modules : collection of str or None, optional
        The submodules reachable as attributes without an explicit import.
        ``None`` (the default) allows every submodule whose name has no
        leading underscore.

    Returns
    -------
    getattr_ : callable
        The module ``__getattr__``: imports, caches and returns a name of
        ``names`` or a submodule; raises ``AttributeError`` naming the module
        for any other name.
    dir_ : callable
        The module ``__dir__``: the namespace, ``names`` and ``__all__``.

    Raises
    ------
    AttributeError
        From ``getattr_``, for a name that is neither in ``names`` nor an
        allowed submodule.

    Examples
    --------
    >>> import types
    >>> pkg = types.ModuleType("demo")
    >>> getattr_, dir_ = lazy_attributes("freealg", vars(pkg), {"catalan": "partitions"})
    >>> getattr_("catalan")(3)
    5
    >>> "catalan" in dir_()
    True
    """
    names = dict(names)
    allowed = None if modules is None else frozenset(modules)
    owner = namespace.get("__name__", package)

    def __getattr__(name):
        if name in names:
            value = getattr(importlib.import_module(f".{names[name]}", package), name)
        elif _is_submodule(package, name, allowed):
            value = importlib.import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {owner!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(names) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__


def _is_submodule(package, name, allowed):
    """Whether ``package.name`` is a submodule that may be imported on access."""
    if allowed is not None:
        return name in allowed
    if not name.isidentifier() or name.startswith("_"):
        return False
    return importlib.util.find_spec(f"{package}.{name}") is not None
