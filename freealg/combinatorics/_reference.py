"""Slow pure-Python reference implementations (private).

Used by the tests as an independent second algorithm and by the benchmarks
as the pure-Python baseline.  Nothing in the library calls these.
"""

from __future__ import annotations

from itertools import combinations


def set_partitions(n):
    """All set partitions of ``n`` points as RGS tuples (Bell(n) of them)."""
    if n == 0:
        yield ()
        return

    def rec(prefix, mx):
        if len(prefix) == n:
            yield tuple(prefix)
            return
        for lab in range(mx + 2):
            prefix.append(lab)
            yield from rec(prefix, max(mx, lab))
            prefix.pop()

    yield from rec([0], 0)


def is_crossing_naive(p):
    """True if some ``a < b < c < d`` have ``p[a] == p[c] != p[b] == p[d]``."""
    n = len(p)
    for a, b, c, d in combinations(range(n), 4):
        if p[a] == p[c] and p[b] == p[d] and p[a] != p[b]:
            return True
    return False


def noncrossing_partitions_py(n):
    """NC(n) by the same stack rule as the numba kernel, in pure Python.

    This is the benchmark baseline: a reasonable pure-Python enumerator,
    not a deliberately slow one.
    """
    out = []
    if n == 0:
        return [()]
    cur = [0] * n

    def rec(i, stack, nblocks):
        if i == n:
            out.append(tuple(cur))
            return
        for j, lab in enumerate(stack):
            cur[i] = lab
            rec(i + 1, stack[: j + 1], nblocks)
        cur[i] = nblocks
        rec(i + 1, stack + [nblocks], nblocks + 1)

    rec(1, [0], 1)
    return out


def nc_block_sum_py(n, w):
    """Pure-Python streamed sum over NC(n) of prod_B w[|B| - 1]."""
    total = 0
    for p in noncrossing_partitions_py(n):
        sizes = {}
        for lab in p:
            sizes[lab] = sizes.get(lab, 0) + 1
        prod = 1
        for s in sizes.values():
            prod *= w[s - 1]
        total += prod
    return total


def kreweras_brute_force(p):
    """Kreweras complement from its definition (tiny n only).

    Interleave ``1 1' 2 2' ... n n'``; among all partitions ``s`` of the
    primed points such that ``p ∪ s`` is non-crossing, return the coarsest
    (fewest blocks; it is unique).  Returned as an RGS tuple.
    """
    n = len(p)
    best = None
    for s in set_partitions(n):
        merged = []
        for i in range(n):
            merged.append(("u", p[i]))
            merged.append(("b", s[i]))
        if is_crossing_naive(merged):
            continue
        if best is None or len(set(s)) < len(set(best)):
            best = s
    return best


def free_cumulants_mobius(moments):
    """Free cumulants by the Möbius-function sum over NC(n) (tiny n only).

    ``kappa_n = sum_{pi in NC(n)} mu(pi, 1_n) prod_{B in pi} m_{|B|}`` with
    ``mu(pi, 1_n) = prod_{B in K(pi)} (-1)^{|B|-1} Cat_{|B|-1}``, using the
    brute-force Kreweras complement above.
    """
    from math import comb

    def cat(k):
        return comb(2 * k, k) // (k + 1)

    out = []
    for n in range(1, len(moments) + 1):
        total = 0
        for p in noncrossing_partitions_py(n):
            k = kreweras_brute_force(p)
            mu = 1
            for lab in set(k):
                s = k.count(lab)
                mu *= (-1) ** (s - 1) * cat(s - 1)
            prod = 1
            for lab in set(p):
                prod *= moments[p.count(lab) - 1]
            total += mu * prod
        out.append(total)
    return out
