"""Public module paths for the methods a public class assembles from private mixins.

A large public class is written as private mixins (``MLP`` from
``freealg.dnn._mlp_meanfield._MeanFieldMethods``, ...): the methods then
report the private module and mixin in ``__module__`` and ``__qualname__``,
which ``help()``, tracebacks and the API reference show to the user.  The
class decorator :func:`public_methods` gives each such method the module and
qualified name of the public class instead (``freealg.dnn.mlp``,
``MLP.q_star``).  The function objects are renamed in place, never copied:
identity checks such as ``type(self).moments is LawTransforms.moments`` keep
their meaning, and ``pickle`` finds a method by its new path.

Examples
--------
>>> from freealg.dnn import MLP
>>> MLP.q_star.__module__, MLP.q_star.__qualname__
('freealg.dnn.mlp', 'MLP.q_star')
"""

from __future__ import annotations

import inspect

__all__ = ["public_methods", "is_private_path"]


def is_private_path(module):
    """Whether a dotted module path has a private segment (one starting with ``_``).

    Parameters
    ----------
    module : str or None
        A dotted module path (``"freealg.dnn._mlp_spectra"``).

    Returns
    -------
    bool
        True when some segment starts with an underscore; ``None`` counts as
        not private.

    Examples
    --------
    >>> is_private_path("freealg.dnn._mlp_spectra"), is_private_path("freealg.dnn.mlp")
    (True, False)
    """
    return any(part.startswith("_") for part in (module or "").split("."))


def public_methods(cls):
    """Class decorator: the public methods of ``cls`` from private modules report ``cls``'s path.

    Every public attribute of ``cls`` and of its bases (functions,
    properties, static and class methods) whose function lives in a private
    module gets ``__module__ = cls.__module__`` and ``__qualname__ =
    "<cls.__qualname__>.<name>"``.  A method already on a public path is
    left alone, so a mixin shared by a base and its subclasses reports the
    first public class decorated.

    Parameters
    ----------
    cls : type
        A public class defined in a public module.

    Returns
    -------
    type
        ``cls`` itself.

    Raises
    ------
    ValueError
        If ``cls`` itself is defined in a private module (there is no public
        path to give its methods).

    Examples
    --------
    >>> from freealg.dnn import JacobianLaw
    >>> JacobianLaw.density.__module__
    'freealg.dnn.jacobian'
    """
    if is_private_path(cls.__module__):
        raise ValueError(f"public_methods: {cls.__module__}.{cls.__qualname__} is in a private module; "
                         f"define the public class in a public module")
    for klass in cls.__mro__[:-1]:  # without ``object``
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            for function in _functions(value):
                if is_private_path(getattr(function, "__module__", None)):
                    function.__module__ = cls.__module__
                    function.__qualname__ = f"{cls.__qualname__}.{name}"
    return cls


def _functions(value):
    """The plain functions behind a class attribute (a property has up to three)."""
    if isinstance(value, property):
        return [f for f in (value.fget, value.fset, value.fdel) if inspect.isfunction(f)]
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    return [value] if inspect.isfunction(value) else []
