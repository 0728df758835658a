"""Scalars, letters, words, cyclic canonical forms and printing helpers of
the noncommutative polynomials (private; see :mod:`freealg.ncpoly`)."""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

from .._utils.validate import describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, NCPolynomialError


class _CoefficientTypeError(NCPolynomialError, InvalidArgumentTypeError):
    """A coefficient of the wrong type (a string, None, a bool): an
    :class:`NCPolynomialError` and an :class:`InvalidArgumentTypeError`."""


def _is_nc_object(x):
    """True for NCPoly and Trace instances (without importing them)."""
    return getattr(type(x), "_freealg_kind", None) in ("ncpoly", "trace")


# ---------------------------------------------------------------------------
# scalars
# ---------------------------------------------------------------------------


def _is_sympy(x):
    return type(x).__module__.startswith("sympy")


def _is_mpmath(x):
    return type(x).__module__.startswith("mpmath")


def _norm_scalar(c):
    """Canonical form of a coefficient (int, Fraction, float, complex, mpmath
    or an expanded sympy expression); sympy rationals become int/Fraction so
    that equal coefficients hash equally."""
    if type(c) is int:
        return c
    if isinstance(c, Fraction):
        return c.numerator if c.denominator == 1 else c
    if _is_sympy(c):
        import sympy

        c = sympy.expand(c)
        if c.is_Rational:
            return int(c) if c.is_Integer else Fraction(int(c.p), int(c.q))
        return c
    return c


def _as_scalar(c, what="coefficient"):
    """Validate a scalar coefficient or raise :class:`NCPolynomialError`."""
    if isinstance(c, bool) or c is None or isinstance(c, (str, bytes)):
        raise _CoefficientTypeError(
            f"{what} must be a number or a sympy expression; got {describe(c)} of type "
            f"{type(c).__name__}"
        )
    if _is_nc_object(c):
        raise NCPolynomialError(f"{what} must be a scalar; got the polynomial {c}")
    if _is_sympy(c):
        import sympy

        if not isinstance(c, sympy.Expr):
            raise NCPolynomialError(
                f"{what} must be a scalar sympy expression; got {c!r} "
                f"of type {type(c).__name__}"
            )
        if c.is_commutative is False:
            raise NCPolynomialError(
                f"{what} {c} contains noncommutative sympy symbols; use "
                "freealg.nc_symbols for matrix letters and keep sympy for scalars"
            )
        if c.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise InvalidArgumentError(f"{what} {c} is not finite")
        return _norm_scalar(c)
    if _is_mpmath(c):
        return c
    if isinstance(c, numbers.Integral):
        return int(c)
    if isinstance(c, numbers.Rational):
        return _norm_scalar(Fraction(c))
    if isinstance(c, numbers.Number):
        z = complex(c)
        if not (math.isfinite(z.real) and math.isfinite(z.imag)):
            raise InvalidArgumentError(f"{what} {c!r} is not finite")
        return float(c) if isinstance(c, numbers.Real) else z
    raise _CoefficientTypeError(
        f"{what} must be a number (int, Fraction, float) or a sympy expression; "
        f"got {describe(c)} of type {type(c).__name__}"
    )


def _lift(a, b):
    """Bring a Fraction to sympy when the other operand is a sympy object."""
    if isinstance(a, Fraction) and _is_sympy(b):
        import sympy

        return sympy.Rational(a.numerator, a.denominator), b
    if isinstance(b, Fraction) and _is_sympy(a):
        import sympy

        return a, sympy.Rational(b.numerator, b.denominator)
    return a, b


def _sadd(a, b):
    a, b = _lift(a, b)
    return _norm_scalar(a + b)


def _smul(a, b):
    a, b = _lift(a, b)
    return _norm_scalar(a * b)


def _sdiv(a, b):
    if b == 0:
        raise ZeroDivisionError("division of a polynomial by zero")
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
        return _norm_scalar(Fraction(a) / Fraction(b))
    a, b = _lift(a, b)
    return _norm_scalar(a / b)


def _is_zero(c):
    return c == 0


# ---------------------------------------------------------------------------
# letters and words
# ---------------------------------------------------------------------------


class Letter:
    """A matrix letter: a name, a self-adjointness flag and a shape.

    Users do not build letters directly; :func:`nc_symbols` returns
    one-letter polynomials, whose :attr:`NCPoly.letter` is the letter.
    Letters are immutable and hashable; equal name, flag and shape mean
    equal letters.

    Parameters
    ----------
    name : str
        Non-empty letter name (``"W1"``, ``"D_2"``, ...); also used for LaTeX.
    selfadjoint : bool, default False
        Whether ``X.T == X`` (then the shape should be square).
    shape : pair of (str or int), default ``("N", "N")``
        ``(rows, cols)``: dimension names (symbolic sizes; traces are
        normalised by the row dimension of the word's first letter) or
        positive ints.

    Raises
    ------
    InvalidArgumentTypeError
        If ``name`` is not a non-empty str, ``selfadjoint`` is not a bool, or
        ``shape`` is not a pair of dimension names / positive ints.

    Examples
    --------
    >>> from freealg import nc_symbols
    >>> nc_symbols("W").letter
    Letter('W', selfadjoint=False, shape=('N', 'N'))
    """

    __slots__ = ("name", "selfadjoint", "shape", "_key")

    def __init__(self, name, selfadjoint=False, shape=("N", "N")):
        if not isinstance(name, str) or not name:
            raise InvalidArgumentTypeError(f"name must be a non-empty str; got {describe(name)}")
        if not isinstance(selfadjoint, bool):
            raise InvalidArgumentTypeError(
                f"selfadjoint must be True or False; got {describe(selfadjoint)} of type "
                f"{type(selfadjoint).__name__}")
        if not (isinstance(shape, (tuple, list)) and len(shape) == 2
                and all(isinstance(d, str) or (isinstance(d, int) and not isinstance(d, bool) and d >= 1)
                        for d in shape)):
            raise InvalidArgumentTypeError(
                f"shape must be a pair (rows, cols) of dimension names or positive ints, e.g. "
                f"('N', 'M'); got {describe(shape)} of type {type(shape).__name__}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "selfadjoint", bool(selfadjoint))
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "_key", (name, bool(selfadjoint), tuple(map(str, shape))))

    def __setattr__(self, key, value):
        raise AttributeError("Letter is immutable")

    def __reduce__(self):
        return (Letter, (self.name, self.selfadjoint, self.shape))

    def __eq__(self, other):
        return isinstance(other, Letter) and self._key == other._key

    def __hash__(self):
        return hash(("Letter",) + self._key)

    def __lt__(self, other):
        return self._key < other._key

    def __repr__(self):
        return f"Letter({self.name!r}, selfadjoint={self.selfadjoint}, shape={self.shape!r})"

    @property
    def is_square(self):
        """Whether the row and column dimensions are the same name or size."""
        return self.shape[0] == self.shape[1]

    def _latex(self, printer=None):
        return name_latex(self.name)


# An atom is a pair (letter, transposed); a word is a tuple of atoms.


def _atom_t(atom):
    letter, t = atom
    return atom if letter.selfadjoint else (letter, not t)


def _word_t(word):
    return tuple(_atom_t(a) for a in reversed(word))


def _atom_key(atom):
    return (atom[0].name, atom[1], atom[0]._key)


def _word_key(word):
    return tuple(_atom_key(a) for a in word)


def _rows(atom):
    letter, t = atom
    return letter.shape[1] if t else letter.shape[0]


def _cols(atom):
    letter, t = atom
    return letter.shape[0] if t else letter.shape[1]


def cyclic_canonical(word):
    """The least rotation of ``word`` or of its transpose (the canonical
    representative of ``tr(word)``).

    Only rotations that keep the outer dimension are allowed: for rectangular
    letters ``tr(Xᵀ X) = (1/M) Tr(XᵀX)`` and ``tr(X Xᵀ) = (1/N) Tr(XXᵀ)`` are
    different normalised traces, so a word is never rotated to start at a
    letter with another row dimension."""
    if not word:
        return word
    n = len(word)
    dim0 = _rows(word[0])
    best = None
    best_key = None
    for w in (word, _word_t(word)):
        for i in range(n):
            r = w[i:] + w[:i]
            if _rows(r[0]) != dim0:
                continue
            k = _word_key(r)
            if best_key is None or k < best_key:
                best, best_key = r, k
    return best


_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}


def _base_latex(base):
    if base in _GREEK:
        return "\\" + base
    if len(base) == 1:
        return base
    return r"\mathrm{" + base + "}"


def name_latex(name):
    r"""LaTeX for a letter name: ``W1 -> W_{1}``, ``D_2 -> D_{2}``,
    ``Theta3 -> \Theta_{3}``, ``sigma_w -> \sigma_{w}``.

    Examples
    --------
    >>> name_latex("W1"), name_latex("Theta_l")
    ('W_{1}', '\\Theta_{l}')
    """
    if "_" in name:
        base, sub = name.split("_", 1)
        sub_tex = _base_latex(sub) if sub in _GREEK else sub.replace("_", ",")
        return f"{_base_latex(base)}_{{{sub_tex}}}"
    m = re.match(r"^([A-Za-z]+?)(\d+)$", name)
    if m:
        return f"{_base_latex(m.group(1))}_{{{m.group(2)}}}"
    return _base_latex(name)


def _atom_str(atom):
    letter, t = atom
    return letter.name + (".T" if t else "")


def _atom_latex(atom):
    letter, t = atom
    return name_latex(letter.name) + (r"^{\top}" if t else "")


def _runs(word):
    """Group consecutive equal atoms: [(atom, power), ...]."""
    out = []
    for a in word:
        if out and out[-1][0] == a:
            out[-1][1] += 1
        else:
            out.append([a, 1])
    return out


def word_str(word):
    """Text form of a word, powers grouped: ``W1*D1**2*W1.T``; ``I`` if empty."""
    if not word:
        return "I"
    parts = []
    for a, k in _runs(word):
        s = _atom_str(a)
        parts.append(s if k == 1 else f"{s}**{k}")
    return "*".join(parts)


def word_latex(word):
    r"""LaTeX form of a word: ``W_{1} D_{1}^{2} W_{1}^{\top}``; ``I`` if empty."""
    if not word:
        return "I"
    parts = []
    for a, k in _runs(word):
        s = _atom_latex(a)
        if k > 1:
            s = (r"\left(" + s + r"\right)" if a[1] else s) + f"^{{{k}}}"
        parts.append(s)
    return " ".join(parts)


# ---------------------------------------------------------------------------
# coefficient printing
# ---------------------------------------------------------------------------


def _coeff_parts(c):
    """(negative?, abs-text, numerator-text-or-None, denominator) for printing."""
    if isinstance(c, int):
        return c < 0, str(abs(c)), None
    if isinstance(c, Fraction):
        return c < 0, str(abs(c.numerator)), abs(c.denominator)
    if isinstance(c, float):
        return c < 0, repr(abs(c)), None
    if _is_sympy(c):
        neg = c.could_extract_minus_sign()
        a = -c if neg else c
        s = str(a)
        if a.is_Add:
            s = f"({s})"
        return neg, s, None
    return False, f"({c!r})", None


def _term_str(c, wstr, first):
    neg, mag, den = _coeff_parts(c)
    if mag == "1" and wstr != "":
        body = wstr
    elif wstr == "":
        body = mag
    else:
        body = f"{mag}*{wstr}"
    if den is not None:
        body = f"{body}/{den}"
    if first:
        return ("-" if neg else "") + body
    return (" - " if neg else " + ") + body


def _scalar_latex(c):
    from ..printing import latex as _latex_dispatch

    return _latex_dispatch(c)


def _coeff_latex_parts(c):
    if isinstance(c, (int, Fraction)):
        neg = c < 0
        a = -c if neg else c
        if a == 1:
            return neg, ""
        if isinstance(a, Fraction):
            return neg, rf"\frac{{{a.numerator}}}{{{a.denominator}}}"
        return neg, str(a)
    if isinstance(c, float):
        return c < 0, repr(abs(c))
    if _is_sympy(c):
        neg = c.could_extract_minus_sign()
        a = -c if neg else c
        if a == 1:
            return neg, ""
        s = _scalar_latex(a)
        if a.is_Add:
            s = r"\left(" + s + r"\right)"
        return neg, s
    return False, _scalar_latex(c)


def _term_latex(c, body, first):
    neg, mag = _coeff_latex_parts(c)
    if body == "":
        text = mag if mag else "1"
    else:
        text = f"{mag} {body}" if mag else body
    if first:
        return ("-" if neg else "") + text
    return (" - " if neg else " + ") + text




def _fmt_shape(shape):
    return "x".join(str(s) for s in shape)
