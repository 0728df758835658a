"""Named-tuple result records of :mod:`freealg.dnn` with their numpydoc
docstrings (the sections every record shares are written here once)."""

from __future__ import annotations

import sys
from collections import namedtuple

_RAISES = """Raises
------
TypeError
    A missing or unknown field (the named-tuple constructor checks nothing
    else).
"""


def result_record(name, fields, head, examples, *, built_by=None):
    """A named tuple ``name`` with ``fields`` and its docstring.

    ``head`` is the summary and the ``Attributes`` (or ``Parameters``)
    section; with ``built_by`` (a function name) a ``Parameters`` section
    naming the fields in order is added; then the shared ``Raises`` section
    and ``examples`` (the text of the ``Examples`` section).
    """
    # the record belongs to the calling module (doctests, pickling, the API page)
    cls = namedtuple(name, fields, module=sys._getframe(1).f_globals["__name__"])
    parts = [head.rstrip("\n") + "\n"]
    if built_by is not None:
        parts.append("Parameters\n----------\n" + ", ".join(fields) + "\n"
                     f"    The fields above, in this order (a named tuple built by\n    :func:`{built_by}`).\n")
    parts += [_RAISES, "Examples\n--------\n" + examples.strip("\n") + "\n"]
    cls.__doc__ = "\n".join(parts)
    return cls
