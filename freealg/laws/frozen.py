"""Immutable law objects: public attributes are set in the constructor only.

A law is a value: its parameters define it, its ``repr`` evaluates back to an
equal law, and results (moments, curves, densities) are cached on it.  Letting
``law.rate = 5`` rebind a parameter after construction would leave those
caches and the ``repr`` describing another law, so it raises
:class:`~freealg.errors.ImmutableLawError`.  Private attributes (a leading
underscore: caches, set once by the law's own methods) stay assignable.
"""

from __future__ import annotations

import functools

from ..errors import ImmutableLawError

__all__ = ["Immutable"]


class Immutable:
    """Mixin: public attributes may be set only while a constructor runs.

    Examples
    --------
    >>> from freealg import MarchenkoPastur
    >>> law = MarchenkoPastur(1)
    >>> try:
    ...     law.rate = 5
    ... except AttributeError as exc:
    ...     print(type(exc).__name__)
    ImmutableLawError
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or getattr(init, "_frozen_wrapped", False):
            return

        @functools.wraps(init)
        def __init__(self, *args, **kw):
            depth = self.__dict__.get("_init_depth", 0)
            object.__setattr__(self, "_init_depth", depth + 1)
            try:
                init(self, *args, **kw)
            finally:
                object.__setattr__(self, "_init_depth", depth)

        __init__._frozen_wrapped = True
        cls.__init__ = __init__

    def __setattr__(self, name, value):
        if name.startswith("_") or self.__dict__.get("_init_depth", 0) > 0:
            object.__setattr__(self, name, value)
            return
        raise ImmutableLawError(
            f"{type(self).__name__} is immutable: cannot set {name!r} after construction; build a "
            f"new law instead (e.g. {type(self).__name__}(...) with other parameters, or .subs())")

    def __delattr__(self, name):
        if name.startswith("_"):
            object.__delattr__(self, name)
            return
        raise ImmutableLawError(f"{type(self).__name__} is immutable: cannot delete {name!r}")
