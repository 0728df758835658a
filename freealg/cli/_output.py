"""Output of ``freealg``: aligned tables and the versioned JSON schema (snake_case
keys, every number as ``{"exact": ..., "float": ...}``); a NaN or infinite result
is refused, never printed."""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction



class _NonFiniteError(Exception):
    """A result to be printed is NaN or infinite."""


def _finite(v, where=""):
    if isinstance(v, float) and not math.isfinite(v):
        raise _NonFiniteError(
            f"the result{' ' + where if where else ''} is {v}, not a finite number: the "
            "computation overflowed or is undefined for these inputs (try smaller or exact "
            "inputs, e.g. 1/2 instead of 0.5)")
    return v


def _fmt(v, inner=False):
    v = _scalar(v)
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, float):
        return repr(_finite(v)) if inner else f"{_finite(v):.15g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x, True) for x in v) + "]"
    return str(v)


def _scalar(v):
    """numpy / mpmath / sympy numbers as Python numbers (exact kinds kept)."""
    if isinstance(v, (bool, int, float, str, Fraction)) or v is None:
        return v
    try:
        import sympy

        if isinstance(v, sympy.Basic):
            if v.is_number:
                if v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                    return _finite(float("nan"))
                if v.is_Integer:
                    return int(v)
                if v.is_Rational:
                    return Fraction(int(v.p), int(v.q))
            return v
    except ImportError:  # pragma: no cover
        pass
    from .._utils.mpctx import mpmath
    if isinstance(v, mpmath.mpf):
        return _finite(float(v)) if mpmath.isfinite(v) else _finite(float("nan"))
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        return _scalar(v.item())
    return v


def _jsonable(v):
    v = _scalar(v)
    if isinstance(v, Fraction):
        return _fmt(v)
    if isinstance(v, float):
        return _finite(v)
    if isinstance(v, (int, str, bool)) or v is None:
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


#: Version of the ``--json`` document layout (docs/cli.md, "JSON output").
#: Bumped on any incompatible change of keys or value shapes.
SCHEMA_VERSION = 1


_SNAKE = None


def _snake_key(key):
    """A JSON key in snake_case: ``"1/N^2"`` -> ``"inv_n2"``, ``"finite_N"``
    -> ``"finite_n"`` (the report keys are mapped, display strings are
    never keys)."""
    import re

    global _SNAKE
    if _SNAKE is None:
        _SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
    key = str(key)
    if _SNAKE.match(key):
        return key
    special = {"1/N": "inv_n", "1/N^2": "inv_n2"}
    if key in special:
        return special[key]
    out = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    if not out or not out[0].isalpha():
        out = "k_" + out
    return out


def _value(v, note=None):
    """A number in the JSON schema: ``{"exact": str | null, "float": number | null}``.

    ``exact`` is the exact value as text (``"3"``, ``"-1/2"``, ``"sqrt(2)"``,
    a symbolic expression) when the value is exact, else null; ``float`` is
    its float64 value when it is a finite real number, else null.  ``"oo"``
    is +infinity (a depth scale at the edge of chaos).  A quantity that does
    not exist is ``{"exact": null, "float": null, "note": why}``.

    Examples
    --------
    >>> _value(Fraction(1, 2)), _value(0.25)
    ({'exact': '1/2', 'float': 0.5}, {'exact': None, 'float': 0.25})
    """
    if note is not None:
        return {"exact": None, "float": None, "note": str(note)}
    if isinstance(v, str):
        if v.startswith(("undefined", "none")):
            return {"exact": None, "float": None, "note": v}
        return {"exact": v, "float": None}
    v = _scalar_exact(v)
    if isinstance(v, bool):
        return {"exact": str(v).lower(), "float": None}
    if isinstance(v, (int, Fraction)):
        try:
            f = float(v)
        except OverflowError:  # exact, beyond float64: the exact text is the value
            f = None
        return {"exact": _fmt(v), "float": f}
    if isinstance(v, float):
        if math.isinf(v) and v > 0:
            return {"exact": "oo", "float": None}
        return {"exact": None, "float": _finite(v)}
    try:
        import sympy

        if isinstance(v, sympy.Basic):
            if v.has(sympy.nan, sympy.zoo, -sympy.oo):
                _finite(float("nan"))
            if v == sympy.oo:
                return {"exact": "oo", "float": None}
            from .._utils.numbers import is_exact

            if v.is_number and not is_exact(v):  # a float input: a float, not an exact value
                try:
                    return {"exact": None, "float": _finite(float(v))}
                except TypeError:  # complex
                    return {"exact": None, "float": None, "note": f"not real: {v}"}
            if v.is_number and v.is_real is not False:
                try:
                    f = float(v)
                except (TypeError, OverflowError):
                    f = None
                return {"exact": str(v), "float": f if f is None or math.isfinite(f) else None}
            return {"exact": str(v), "float": None}
    except ImportError:  # pragma: no cover
        pass
    return {"exact": str(v), "float": None}


def _scalar_exact(v):
    """numpy / mpmath scalars as Python numbers; sympy numbers kept (exact)."""
    if isinstance(v, (bool, int, float, str, Fraction)) or v is None:
        return v
    from .._utils.mpctx import mpmath

    if isinstance(v, mpmath.mpf):
        return float(v) if mpmath.isfinite(v) else _finite(float("nan")) if mpmath.isnan(v) else float(v)
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        return _scalar_exact(v.item())
    return v


def _values(seq, value=None):
    """``[value(v) for v in seq]``; ``value`` defaults to :func:`_value` (the
    ``spectrum`` and ``fim`` documents pass their exact valuer)."""
    value = value or _value
    return [value(v) for v in seq]


def _atoms_json(atoms, value=None):
    """Atoms as ``{"location": ..., "mass": ...}`` objects (``value`` as in :func:`_values`)."""
    value = value or _value
    return [{"location": value(a), "mass": value(m)} for a, m in atoms]


def _schema(obj, parent=""):
    """A report dict in the schema: snake_case keys everywhere; a dict keyed
    by widths (or depths) becomes a list of objects with a ``width`` (or
    ``depth``) field; NaN is refused."""
    obj = _scalar(obj)
    if isinstance(obj, dict):
        keys = list(obj)
        if keys and all(isinstance(k, int) or (isinstance(k, str) and k.isdigit()) for k in keys):
            name = "depth" if parent == "depths" else "width"
            out = []
            for k in keys:
                item = _schema(obj[k], parent)
                out.append({name: int(k), **item} if isinstance(item, dict) else
                           {name: int(k), "value": item})
            return out
        return {_snake_key(k): _schema(x, _snake_key(k)) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_schema(x, parent) for x in obj]
    return _jsonable(obj)


def _document(command, payload):
    """The ``--json`` document: ``{"schema_version": 1, "command": ..., ...}``."""
    doc = {"schema_version": SCHEMA_VERSION, "command": command}
    doc.update(_schema(payload))
    return doc


def _dumps(obj):
    """JSON text of ``obj``; NaN and infinities are refused (never bare NaN)."""
    try:
        return json.dumps(_jsonable(obj), allow_nan=False)
    except ValueError as exc:  # pragma: no cover - _jsonable refuses them first
        raise _NonFiniteError(f"the result is not valid JSON: {exc}") from None


def print_table(headers, rows, out=None):
    """Print right-aligned columns."""
    out = out or sys.stdout
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for r in cells:
        print(" " + "   ".join(c.rjust(w) for c, w in zip(r, widths)), file=out)


def _num(v):
    """JSON/table friendly scalar: exact sympy numbers stay exact strings when
    they are not integers, floats are floats (:func:`freealg._utils.numbers.to_plain`)."""
    from .._utils.numbers import to_plain

    return to_plain(v)


def _num_keep(v):
    """Like :func:`_num`, but an exact sympy number (``sqrt(2)``) is kept for
    the JSON ``exact`` field (tables print it through :func:`_num`)."""
    try:
        import sympy
    except ImportError:  # pragma: no cover
        sympy = None
    if sympy is not None and isinstance(v, sympy.Basic) and v.is_number and not v.is_Rational:
        return v
    return _num(v)


def print_pairs(rows, out=None):
    """Print ``name  value`` lines with the names aligned."""
    out = out or sys.stdout
    width = max(len(str(k)) for k, _ in rows)
    for k, v in rows:
        print(f"{str(k).ljust(width)}  {_fmt(v)}", file=out)
