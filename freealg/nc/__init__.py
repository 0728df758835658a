"""Noncommutative polynomials: letters, words, ``NCPoly``, ``Trace`` and the expression parser."""

from .._utils.lazy import lazy_attributes

# no names of its own: the submodules are reached as attributes on first access
_LAZY = {}

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
