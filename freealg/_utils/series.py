"""Truncated power series over any field-like element type (private).

A series is a Python list ``[c0, c1, ..., c_{N-1}]`` of coefficients; every
routine takes the truncation length ``N`` explicitly.  Elements may be
``int``/``Fraction``, sympy expressions, mpmath numbers, floats, or elements
of a sympy domain or polynomial ring: only
``+ - * /`` are used, so exact inputs stay exact.  Division is only by
elements the caller guarantees non-zero (the constant or linear coefficient)
and by small integers; for ``int`` inputs the caller passes ``Fraction``
elements where a division can occur.
"""

from __future__ import annotations

__all__ = ["mul", "inv", "power", "reverse"]


def mul(a, b, N):
    """Product of two series, truncated to ``N`` terms."""
    zero = a[0] * 0
    out = [zero] * N
    la, lb = len(a), len(b)
    for i in range(min(la, N)):
        ai = a[i]
        if ai == 0:
            continue
        for j in range(min(lb, N - i)):
            out[i + j] = out[i + j] + ai * b[j]
    return out


def inv(a, N):
    """Reciprocal ``1/a`` (requires ``a[0] != 0``), truncated to ``N`` terms."""
    a0 = a[0]
    out = [a0 * 0] * N
    if N == 0:
        return out
    # (a0 * 0 + 1) is the unit of a0's own kind: sympy domain elements (ANP) refuse 1 / a0
    out[0] = (a0 * 0 + 1) / a0 if not _is_exact_int(a0) else _frac(1, a0)
    la = len(a)
    for n in range(1, N):
        s = a0 * 0
        for k in range(1, min(n, la - 1) + 1):
            s = s + a[k] * out[n - k]
        out[n] = -s * out[0]
    return out


def power(a, alpha, N):
    """``a**alpha`` for a series with ``a[0] != 0`` (J.C.P. Miller recurrence).

    ``alpha`` may be any number; the caller is responsible for ``a[0]**alpha``
    being the intended branch (it is ``1`` in all internal uses when
    ``a[0] == 1``)."""
    a0 = a[0]
    out = [a0 * 0] * N
    if N == 0:
        return out
    out[0] = a0**alpha if a0 != 1 else a0
    la = len(a)
    for k in range(1, N):
        s = a0 * 0
        for j in range(1, min(k, la - 1) + 1):
            s = s + ((alpha + 1) * j - k) * a[j] * out[k - j]
        out[k] = s / (k * a0) if not _is_exact_int(a0) else s * _frac(1, k * a0)
    return out


def reverse(f, N):
    """Compositional inverse ``g`` of ``f`` (``f[0] == 0``, ``f[1] != 0``).

    Returns ``[0, g1, ..., g_{N-1}]`` with ``f(g(w)) = w + O(w^N)``, by
    Lagrange inversion ``g_n = (1/n) [z^{n-1}] (z/f(z))^n``.
    """
    if len(f) < 2 or f[1] == 0:
        raise ZeroDivisionError("series reversion needs f[1] != 0")
    zero = f[1] * 0
    out = [zero] * N
    if N <= 1:
        return out
    h = inv(list(f[1:N]), N - 1)  # z / f(z)
    for n in range(1, N):
        hn = power(h, n, n)
        c = hn[n - 1]
        out[n] = c / n if not _is_exact_int(c) else _frac(c, n)
    return out


def _is_exact_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _frac(p, q):
    from fractions import Fraction

    return Fraction(p, q)
