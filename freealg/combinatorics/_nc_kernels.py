"""Private numba kernels of :mod:`freealg.combinatorics` (NC(n) enumeration,
streamed block sums, Kreweras complements of RGS rows).

Compiled with ``cache=True`` on first use; importing this module compiles
nothing.  The public wrappers live in :mod:`freealg.combinatorics.partitions`
and :mod:`freealg.combinatorics.nc_lattice`; they validate every argument
before calling a kernel.
"""

from __future__ import annotations

import numba
import numpy as np

# ---------------------------------------------------------------------------
# numba kernels
# ---------------------------------------------------------------------------
#
# Depth-first enumeration.  While a prefix p[0..i-1] is fixed, the blocks that
# position i may join without creating a crossing form a stack (ordered by
# label): joining block stack[j] closes every block above it; opening a new
# block pushes it.  Choices in lexicographic order are stack[0], ..., stack[top],
# new.  Each level keeps its own copy of the stack so that backtracking is free.


@numba.njit(cache=True, inline="always")
def _descend(stacks, slen, nblocks, i, c):
    """Position ``i`` takes choice ``c`` (join stack block ``c``, or open a new
    block when ``c`` is the stack length): fill level ``i + 1`` (its stack and
    block count) and return the label position ``i`` gets."""
    sl = slen[i]
    if c < sl:
        lab = stacks[i, c]
        newlen = c + 1
        nb = nblocks[i]
    else:
        lab = nblocks[i]
        newlen = sl + 1
        nb = nblocks[i] + 1
    for k in range(newlen - 1):
        stacks[i + 1, k] = stacks[i, k]
    stacks[i + 1, newlen - 1] = lab
    slen[i + 1] = newlen
    nblocks[i + 1] = nb
    return lab


@numba.njit(cache=True)
def _enumerate_nc(n, out):
    if n == 0:
        return 0
    if n == 1:
        out[0, 0] = 0
        return 1
    stacks = np.zeros((n + 1, n + 1), dtype=np.int64)
    slen = np.zeros(n + 1, dtype=np.int64)
    choice = np.zeros(n + 1, dtype=np.int64)
    nblocks = np.zeros(n + 1, dtype=np.int64)
    cur = np.zeros(n, dtype=out.dtype)
    # position 0 always opens block 0
    stacks[1, 0] = 0
    slen[1] = 1
    nblocks[1] = 1
    count = 0
    last = n - 1
    i = 1
    choice[1] = 0
    while i >= 1:
        if i == last:
            # every leaf below this prefix: join stack block j, or open a new block
            sl = slen[i]
            for j in range(sl + 1):
                for k in range(last):
                    out[count, k] = cur[k]
                if j < sl:
                    out[count, last] = stacks[i, j]
                else:
                    out[count, last] = nblocks[i]
                count += 1
            i -= 1
            if i >= 1:
                choice[i] += 1
            continue
        c = choice[i]
        sl = slen[i]
        if c > sl:
            # exhausted: backtrack
            i -= 1
            if i >= 1:
                choice[i] += 1
            continue
        cur[i] = _descend(stacks, slen, nblocks, i, c)
        i += 1
        choice[i] = 0
    return count


@numba.njit(cache=True)
def _nc_block_sum(n, w):
    """Sum over NC(n) of prod_B w[|B|]; w indexed by block size (w[0] unused).

    The last position is handled in closed form: with block sizes s_b after
    n - 1 points, the leaves are "join stack block b" (size s_b + 1) or "new
    singleton"; prefix/suffix products over blocks avoid division.
    """
    zero = w[0] - w[0]
    if n == 0:
        return zero + 1
    if n == 1:
        return w[1]
    stacks = np.zeros((n + 1, n + 1), dtype=np.int64)
    slen = np.zeros(n + 1, dtype=np.int64)
    choice = np.zeros(n + 1, dtype=np.int64)
    nblocks = np.zeros(n + 1, dtype=np.int64)
    lab_at = np.zeros(n + 1, dtype=np.int64)
    size = np.zeros(n + 1, dtype=np.int64)
    pre = np.empty(n + 2, dtype=w.dtype)
    suf = np.empty(n + 2, dtype=w.dtype)
    total = zero
    size[0] = 1
    stacks[1, 0] = 0
    slen[1] = 1
    nblocks[1] = 1
    i = 1
    choice[1] = 0
    last = n - 1
    while i >= 1:
        if i == last:
            # all leaves below the prefix of length n - 1 at once
            nb = nblocks[i]
            sl = slen[i]
            pre[0] = zero + 1
            for b in range(nb):
                pre[b + 1] = pre[b] * w[size[b]]
            suf[nb] = zero + 1
            for b in range(nb - 1, -1, -1):
                suf[b] = suf[b + 1] * w[size[b]]
            # new singleton block
            total += pre[nb] * w[1]
            for j in range(sl):
                b = stacks[i, j]
                total += pre[b] * w[size[b] + 1] * suf[b + 1]
            # backtrack
            i -= 1
            if i >= 1:
                size[lab_at[i]] -= 1
                choice[i] += 1
            continue
        c = choice[i]
        sl = slen[i]
        if c > sl:
            i -= 1
            if i >= 1:
                size[lab_at[i]] -= 1
                choice[i] += 1
            continue
        lab = _descend(stacks, slen, nblocks, i, c)
        lab_at[i] = lab
        size[lab] += 1
        i += 1
        choice[i] = 0
    return total


@numba.njit(cache=True)
def _kreweras_rows(parts, out):
    m, n = parts.shape
    nxt = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    lastpos = np.empty(n, dtype=np.int64)
    pinv = np.empty(n, dtype=np.int64)
    kperm = np.empty(n, dtype=np.int64)
    lab = np.empty(n, dtype=np.int64)
    for r in range(m):
        for b in range(n):
            first[b] = -1
            lastpos[b] = -1
        # P_pi maps each element to the next element of its block (cyclically)
        for i in range(n):
            b = parts[r, i]
            if first[b] < 0:
                first[b] = i
            else:
                nxt[lastpos[b]] = i
            lastpos[b] = i
        for b in range(n):
            if first[b] >= 0:
                nxt[lastpos[b]] = first[b]
        for i in range(n):
            pinv[nxt[i]] = i
        # K = P^{-1} o gamma, gamma(i) = i + 1 mod n
        for i in range(n):
            g = i + 1
            if g == n:
                g = 0
            kperm[i] = pinv[g]
        for i in range(n):
            lab[i] = -1
        nb = 0
        for i in range(n):
            if lab[i] < 0:
                j = i
                while lab[j] < 0:
                    lab[j] = nb
                    j = kperm[j]
                nb += 1
        for i in range(n):
            out[r, i] = lab[i]



def _rgs_dtype(n):
    """Smallest signed integer dtype holding the labels ``0..n-1``."""
    for dt in (np.int8, np.int16, np.int32):
        if n - 1 <= np.iinfo(dt).max:
            return dt
    return np.int64

