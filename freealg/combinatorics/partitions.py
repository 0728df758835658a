r"""Non-crossing partitions: enumeration, streaming sums, Kreweras complement.

A set partition of ``{1, ..., n}`` is stored as a *restricted growth string*
(RGS): a length-``n`` integer row ``p`` with ``p[0] = 0`` and
``p[i] <= max(p[:i]) + 1``; two positions share a block iff they carry the
same label, and labels are numbered ``0, 1, 2, ...`` in order of first
appearance.  A partition is *non-crossing* when there are no
``a < b < c < d`` with ``a, c`` in one block and ``b, d`` in another.

Conventions (docs/theory.md §2)
---------------------------------
* ``|NC(n)| = Cat_n = binom(2n, n) / (n + 1)``.
* Kreweras complement: interleave ``1 1' 2 2' ... n n'``; ``K(pi)`` is the
  largest partition of the primed points with ``pi ∪ K(pi)`` non-crossing.
  As permutations (each block a cycle in increasing order) this is
  ``K(pi) = P_pi^{-1} ∘ gamma`` with ``gamma = (1 2 ... n)``.  Hence
  ``K(0_n) = 1_n``, ``|pi| + |K(pi)| = n + 1``, and ``K(K(pi))`` is ``pi``
  rotated by one step.
* Möbius function: ``mu(pi, 1_n) = prod_{B in K(pi)} (-1)^{|B|-1} Cat_{|B|-1}``.

The enumeration kernels are compiled with numba (``cache=True``) on first
use; importing this module compiles nothing.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import numba

from .._utils.validate import check_int, check_real, describe
from ..errors import (InvalidArgumentError, InvalidArgumentTypeError, InvalidPartitionError,
                     TooLargeError)

__all__ = [
    "catalan",
    "noncrossing_partitions",
    "noncrossing_sum",
    "is_noncrossing",
    "kreweras_complement",
    "kreweras_complements",
    "moebius",
    "partition_blocks",
    "format_partition",
    "validate_rgs",
    "DEFAULT_MAX_BYTES",
]

#: Largest array (in bytes) :func:`noncrossing_partitions` builds by default.
DEFAULT_MAX_BYTES = 4 * 2**30


#: Largest order :func:`catalan` computes exactly (``Cat_n`` has about
#: ``0.6 n`` decimal digits; ``n = 10**6`` already takes tens of seconds).
MAX_CATALAN_ORDER = 100_000
#: Largest ``|NC(n)|`` :func:`noncrossing_sum` enumerates by default (about a
#: minute of single-core work; ``Cat_20 = 6.6e9``).
DEFAULT_MAX_COUNT = 10**10
#: Largest ``n`` of the exact (big-integer / Fraction) route of
#: :func:`noncrossing_sum`, an ``O(n^3)`` recursion.
MAX_EXACT_ORDER = 100


def _as_order(n, name="n", maximum=None, hint=""):
    """Return ``n`` as a non-negative Python int or raise."""
    return check_int(n, name, minimum=0, maximum=maximum, hint=hint)


def catalan(n):
    r"""Catalan number ``Cat_n = binom(2n, n) / (n + 1)``, exact.

    ``Cat_n`` counts the non-crossing partitions of ``n`` points.

    Parameters
    ----------
    n : int
        Non-negative order.

    Returns
    -------
    int

    Raises
    ------
    InvalidArgumentError
        If ``n`` is negative or not an integer (a non-integer raises the
        subclass ``InvalidArgumentTypeError``).
    TooLargeError
        If ``n > MAX_CATALAN_ORDER`` (100000), before any work.

    Examples
    --------
    >>> [catalan(n) for n in range(8)]
    [1, 1, 2, 5, 14, 42, 132, 429]
    >>> catalan(18)
    477638700
    """
    n = _as_order(n, maximum=MAX_CATALAN_ORDER,
                  hint="Cat_n ~ 4**n / (sqrt(pi) * n**1.5); use math.comb(2*n, n) // (n + 1) "
                       "directly if you really need all its digits")
    return math.comb(2 * n, n) // (n + 1)


# ---------------------------------------------------------------------------
# numba kernels
# ---------------------------------------------------------------------------
#
# Depth-first enumeration.  While a prefix p[0..i-1] is fixed, the blocks that
# position i may join without creating a crossing form a stack (ordered by
# label): joining block stack[j] closes every block above it; opening a new
# block pushes it.  Choices in lexicographic order are stack[0], ..., stack[top],
# new.  Each level keeps its own copy of the stack so that backtracking is free.


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
        if c < sl:
            lab = stacks[i, c]
            newlen = c + 1
            nb = nblocks[i]
        else:
            lab = nblocks[i]
            newlen = sl + 1
            nb = nblocks[i] + 1
        cur[i] = lab
        # descend
        for k in range(newlen - 1):
            stacks[i + 1, k] = stacks[i, k]
        stacks[i + 1, newlen - 1] = lab
        slen[i + 1] = newlen
        nblocks[i + 1] = nb
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
        if c < sl:
            lab = stacks[i, c]
            newlen = c + 1
            nb = nblocks[i]
        else:
            lab = nblocks[i]
            newlen = sl + 1
            nb = nblocks[i] + 1
        lab_at[i] = lab
        size[lab] += 1
        for k in range(newlen - 1):
            stacks[i + 1, k] = stacks[i, k]
        stacks[i + 1, newlen - 1] = lab
        slen[i + 1] = newlen
        nblocks[i + 1] = nb
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


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def _rgs_dtype(n):
    """Smallest signed integer dtype holding the labels ``0..n-1``."""
    for dt in (np.int8, np.int16, np.int32):
        if n - 1 <= np.iinfo(dt).max:
            return dt
    return np.int64


def noncrossing_partitions(n, *, max_bytes=DEFAULT_MAX_BYTES):
    r"""All non-crossing partitions of ``n`` points as restricted growth strings.

    Row ``k`` is a partition; entry ``[k, i]`` is the block label of point
    ``i + 1`` (labels ``0, 1, ...`` by first appearance).  Rows come in
    increasing lexicographic order, so the first row is ``1_n`` (all zeros)
    and the last is ``0_n`` (``0, 1, ..., n - 1``).

    Parameters
    ----------
    n : int
        Number of points, ``n >= 0``.
    max_bytes : int, optional
        Refuse to build an array larger than this (default 4 GiB).  For sums
        over NC(n) at large ``n`` use :func:`noncrossing_sum`, which streams.

    Returns
    -------
    numpy.ndarray
        Shape ``(catalan(n), n)``, dtype ``int8``.

    Raises
    ------
    InvalidArgumentError
        If ``n`` is negative or not an integer.
    TooLargeError
        If the array would exceed ``max_bytes`` (checked before anything is
        computed, also before ``Cat_n`` itself).

    Examples
    --------
    >>> noncrossing_partitions(3)
    array([[0, 0, 0],
           [0, 0, 1],
           [0, 1, 0],
           [0, 1, 1],
           [0, 1, 2]], dtype=int8)

    The crossing partition ``{1,3}{2,4}`` (RGS ``0101``) is absent:

    >>> P = noncrossing_partitions(4)
    >>> len(P), any((row == [0, 1, 0, 1]).all() for row in P)
    (14, False)
    """
    n = _as_order(n)
    max_bytes = check_real(max_bytes, "max_bytes", positive=True)
    dtype = _rgs_dtype(n)
    itemsize = np.dtype(dtype).itemsize
    # Cat_k grows like 4**k: walk k = 0, 1, ... and stop at the first k whose
    # array is too big, so a huge n is refused after a few steps, before
    # Cat_n (hundreds of thousands of digits for n = 10**6) is computed.
    count = 1
    for k in range(n):
        count = count * 2 * (2 * k + 1) // (k + 2)  # Cat_{k+1}
        if count * n * itemsize > max_bytes:
            if k + 1 < n:
                raise TooLargeError(
                    f"NC({n}) is too large to store: already NC({k + 1}) has {count} partitions "
                    f"and the array for n = {n} would exceed max_bytes = "
                    f"{max_bytes / 2**30:.1f} GiB. Use freealg.noncrossing_sum(n, block_weights) "
                    f"(streaming, small n) or freealg.moments_from_free_cumulants (a recursion, "
                    f"any n) instead."
                )
            nbytes = count * n * itemsize
            raise TooLargeError(
                f"NC({n}) has {count} partitions; the array would take "
                f"{nbytes / 2**30:.1f} GiB > max_bytes = {max_bytes / 2**30:.1f} GiB. "
                f"Use freealg.noncrossing_sum(n, block_weights) to reduce over NC({n}) "
                f"without storing it, or raise max_bytes."
            )
    out = np.empty((count, n), dtype=dtype)
    if n == 0:
        return out
    got = _enumerate_nc(n, out)
    if got != count:  # pragma: no cover - internal consistency guard
        raise AssertionError(f"enumerated {got} partitions of NC({n}), expected {count}")
    return out


def _exact_block_sum(n, w):
    """``sum_{pi in NC(n)} prod_B w[|B| - 1]`` in exact arithmetic, O(n^3).

    First-block decomposition: the block of point 1 has some size ``s`` and
    cuts the other points into ``s`` independent non-crossing pieces, so
    ``m_k = sum_s w(s) [z^(k-s)] M(z)^s`` with ``M = sum_j m_j z^j``;
    ``P[s][j] = [z^j] M^s`` is filled column by column as the ``m_j`` appear.
    """
    zero = 0 * w[0]
    m = [zero + 1]
    P = [[zero + 1] + [zero] * n] + [[zero] * (n + 1) for _ in range(n)]
    for k in range(1, n + 1):
        j = k - 1  # m_0 .. m_{k-1} are known: fill column j of every power
        for s in range(1, n - j + 1):  # only s + j <= n is ever used
            P[s][j] = sum((m[i] * P[s - 1][j - i] for i in range(j + 1)), zero)
        m.append(sum((w[s - 1] * P[s][k - s] for s in range(1, k + 1)), zero))
    return m[n]


def _exact_weights(w, n):
    """The first ``n`` weights as Python ints/Fractions, or None if not exact."""
    out = []
    for v in w[:n]:
        if isinstance(v, (bool, np.bool_)):
            return None
        if isinstance(v, (int, np.integer)):
            out.append(int(v))
        elif isinstance(v, Fraction):
            out.append(v)
        else:
            return None
    return out


def noncrossing_sum(n, block_weights, *, max_count=DEFAULT_MAX_COUNT):
    r"""Stream ``sum_{pi in NC(n)} prod_{B in pi} w(|B|)`` without storing NC(n).

    Parameters
    ----------
    n : int
        Number of points.
    block_weights : sequence
        ``w(1), ..., w(n)``: the weight of a block of each size (length at
        least ``n``).  Exact weights (Python or numpy integers, ``Fraction``)
        give the exact result: an ``int64`` enumeration when the result
        provably fits in ``int64``, otherwise an exact ``O(n^3)`` recursion on
        Python integers / fractions (no wrap-around, any size).  Float
        weights are summed in ``float64`` and complex weights in
        ``complex128``; a sum that overflows raises.
    max_count : int, optional
        Refuse (before any work) to enumerate more than this many partitions
        with float or complex weights (default ``10**10``, about ``n = 20``).

    Returns
    -------
    int, Fraction, float or complex

    Raises
    ------
    InvalidArgumentError
        For a negative ``n``, too few or non-finite weights.
    InvalidArgumentTypeError
        For weights that are not numbers (or are booleans).
    TooLargeError
        If ``|NC(n)| > max_count`` (float / complex weights), or if the float
        sum overflows ``float64``.

    Notes
    -----
    With ``w(k) = kappa_k`` this is the moment ``m_n`` of the law with free
    cumulants ``kappa`` (moment-cumulant formula), which is how the result
    can be checked; :func:`freealg.moments_from_free_cumulants` computes the
    same number by an ``O(n^3)`` recursion and is the right tool for large
    ``n``.  This function exists for reductions over NC(n) that have no
    recursion, and as a fast enumeration benchmark.

    Examples
    --------
    All weights one count the partitions:

    >>> noncrossing_sum(10, [1] * 10) == catalan(10)
    True

    Weight ``lam`` per block gives the Narayana polynomial (free Poisson
    moments); at ``lam = 2`` and ``n = 3``: ``lam + 3 lam^2 + lam^3 = 22``.

    >>> noncrossing_sum(3, [2, 2, 2])
    22

    Integers beyond ``int64`` stay exact (``w + 3 w^2 + w^3`` at ``w = 2**63``):

    >>> w = 2**63
    >>> noncrossing_sum(3, [w] * 3) == w + 3 * w**2 + w**3
    True
    """
    n = _as_order(n)
    max_count = check_int(max_count, "max_count", minimum=1)
    if isinstance(block_weights, (str, bytes)) or not hasattr(block_weights, "__len__"):
        raise InvalidArgumentTypeError(
            f"block_weights must be a sequence of numbers w(1), ..., w(n); got "
            f"{describe(block_weights)} of type {type(block_weights).__name__}"
        )
    w = np.asarray(block_weights, dtype=object) if not isinstance(block_weights, np.ndarray) \
        else block_weights
    if w.ndim != 1 or len(w) < n:
        raise InvalidArgumentError(
            f"block_weights must be a 1-d sequence with at least n = {n} entries "
            f"w(1), ..., w(n); got shape {w.shape}"
        )
    if w.dtype.kind == "b":
        raise InvalidArgumentTypeError(
            f"block_weights must be numbers, not booleans; got {describe(w[:n].tolist())}"
        )
    exact = _exact_weights(w[:n].tolist(), n) if w.dtype.kind in "iuO" else None
    if exact is not None:
        if n == 0:
            return 1
        if all(isinstance(v, int) for v in exact):
            bound = max(1, max(abs(v) for v in exact))
            # |sum| <= Cat_n * bound**n; only then is int64 enumeration safe.
            # Cat_n < 4**n, so compare without computing Cat_n for large n.
            if 4**n * bound**n < 2**63 and catalan(n) <= max_count:
                arr = np.array([0] + exact, dtype=np.int64)
                return int(_nc_block_sum(n, arr))
        if n > MAX_EXACT_ORDER:
            raise TooLargeError(
                f"n = {n} is larger than {MAX_EXACT_ORDER} for an exact sum over NC(n) with "
                "weights beyond int64 (an O(n^3) big-integer recursion); use "
                "freealg.moments_from_free_cumulants, or float weights for small n"
            )
        return _exact_block_sum(n, exact)
    if w.dtype.kind == "O":
        try:
            w = np.asarray(w.tolist())
        except (TypeError, ValueError):
            w = np.asarray([], dtype=object)
        if w.dtype.kind in "OUSb" or w.ndim != 1:
            raise InvalidArgumentTypeError(
                f"block_weights must be numbers (int, Fraction, float or complex); got "
                f"{describe(list(block_weights)[:n])}. For symbolic weights use "
                "freealg.moments_from_free_cumulants."
            )
    if w.dtype.kind not in "fc":
        raise InvalidArgumentTypeError(
            f"block_weights must be numeric (int, Fraction, float or complex); got dtype "
            f"{w.dtype}. For exact or symbolic weights use freealg.moments_from_free_cumulants."
        )
    dtype = np.float64 if w.dtype.kind == "f" else np.complex128
    arr = np.concatenate([np.zeros(1, dtype), w[:n].astype(dtype)])
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise InvalidArgumentError(f"block_weights must be finite; w({bad}) = {arr[bad]}")
    if n == 0:
        return float(1) if dtype is np.float64 else complex(1)
    count = 1
    for k in range(n):  # Cat_k, stopping as soon as it passes max_count
        count = count * 2 * (2 * k + 1) // (k + 2)
        if count > max_count:
            raise TooLargeError(
                f"noncrossing_sum would enumerate more than max_count = {max_count} partitions "
                f"(|NC({k + 1})| = {count} already, n = {n}); use "
                "freealg.moments_from_free_cumulants (an O(n^3) recursion) or exact integer / "
                "Fraction weights, or raise max_count"
            )
    with np.errstate(over="ignore", invalid="ignore"):
        total = _nc_block_sum(n, arr)
    if not np.isfinite(total):
        raise TooLargeError(
            f"the sum over NC({n}) overflows {np.dtype(dtype).name} (the weights are up to "
            f"{float(np.max(np.abs(arr))):.3g}); pass exact integer or Fraction weights for an "
            "exact result"
        )
    return float(total) if dtype is np.float64 else complex(total)


def validate_rgs(p):
    """Check that ``p`` is a restricted growth string and return it as an array.

    Parameters
    ----------
    p : sequence of int

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    InvalidPartitionError
        If ``p`` is not 1-d, has non-integer entries, or breaks the RGS rule
        ``p[0] == 0`` and ``p[i] <= max(p[:i]) + 1``.

    Examples
    --------
    >>> validate_rgs([0, 1, 0])
    array([0, 1, 0])
    >>> validate_rgs([1, 0])
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidPartitionError: not a restricted growth string: p[0] must be 0; got [1, 0]
    """
    arr = np.asarray(p)
    if arr.ndim != 1:
        raise InvalidPartitionError(
            f"a partition must be a 1-d restricted growth string; got shape {arr.shape}"
        )
    if arr.size and arr.dtype.kind in "uO":
        # labels beyond int64 (uint64, Python ints) would wrap when cast below
        vals = arr.tolist()
        if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            if max(vals) > arr.size or min(vals) < 0:
                raise InvalidPartitionError(
                    f"not a restricted growth string: labels must lie in 0..{arr.size - 1}; "
                    f"got {describe(vals)}")
            arr = np.asarray(vals, dtype=np.int64)
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise InvalidPartitionError(
                f"a partition must have integer block labels; got {list(arr)!r}"
            )
    arr = arr.astype(np.int64)
    if arr.size == 0:
        return arr
    if arr[0] != 0:
        raise InvalidPartitionError(
            f"not a restricted growth string: p[0] must be 0; got {arr.tolist()}"
        )
    mx = 0
    for i in range(1, arr.size):
        v = int(arr[i])
        if v < 0 or v > mx + 1:
            raise InvalidPartitionError(
                f"not a restricted growth string: p[{i}] = {v} must lie in "
                f"0..{mx + 1} (one more than the largest earlier label); got {arr.tolist()}"
            )
        mx = max(mx, v)
    return arr


def is_noncrossing(p):
    """Whether the partition ``p`` (an RGS) is non-crossing.

    Parameters
    ----------
    p : sequence of int
        A restricted growth string.

    Returns
    -------
    bool

    Raises
    ------
    InvalidPartitionError
        If ``p`` is not a valid RGS.

    Examples
    --------
    >>> is_noncrossing([0, 1, 1, 0]), is_noncrossing([0, 1, 0, 1])
    (True, False)
    """
    arr = validate_rgs(p)
    # Scan left to right with a stack of open blocks (blocks that have a later
    # element).  A point of block b must find b on top of the stack after
    # popping the blocks that are finished.
    n = arr.size
    last = {}
    for i in range(n):
        last[int(arr[i])] = i
    stack = []
    for i in range(n):
        b = int(arr[i])
        if stack and stack[-1] == b:
            if last[b] == i:
                stack.pop()
            continue
        if b in stack:
            return False
        # b is new (first occurrence) — any label seen before would be on the stack
        if last[b] != i:
            stack.append(b)
    return True


def _require_nc(p):
    arr = validate_rgs(p)
    if not is_noncrossing(arr):
        raise InvalidPartitionError(
            f"partition {format_partition(arr)} (RGS {arr.tolist()}) is crossing; "
            "the Kreweras complement and the NC Möbius function need a non-crossing partition"
        )
    return arr


def kreweras_complement(p):
    r"""Kreweras complement ``K(pi)`` of a non-crossing partition (RGS in, RGS out).

    Convention: ``K(pi) = P_pi^{-1} ∘ gamma`` as permutations, i.e. the
    primed point ``i'`` sits between ``i`` and ``i + 1``.  Then
    ``K(0_n) = 1_n``, ``|pi| + |K(pi)| = n + 1`` and ``K(K(pi))`` is ``pi``
    rotated by one position.

    Parameters
    ----------
    p : sequence of int
        A non-crossing partition as an RGS.

    Returns
    -------
    numpy.ndarray of int8

    Raises
    ------
    InvalidPartitionError
        If ``p`` is not an RGS or is crossing.

    Examples
    --------
    ``K({1,3}{2}) = {1',2'}{3'}``:

    >>> kreweras_complement([0, 1, 0])
    array([0, 0, 1], dtype=int8)
    >>> kreweras_complement([0, 1, 2, 3])     # K(0_4) = 1_4
    array([0, 0, 0, 0], dtype=int8)
    """
    arr = _require_nc(p)
    n = arr.size
    out = np.empty((1, n), dtype=_rgs_dtype(n))
    if n:
        _kreweras_rows(arr.reshape(1, n), out)
    return out[0]


def _check_rgs_rows(parts, name="parts"):
    """Validate the rows of a 2-d array as restricted growth strings (numpy only).

    Returns an ``int64`` copy whose labels lie in ``0..n-1`` and obey the RGS
    rule, so a compiled kernel indexing arrays of length ``n`` by label is
    memory safe.  Raises :class:`InvalidPartitionError` naming the first bad row.
    """
    try:
        arr = np.asarray(parts)
    except (TypeError, ValueError):
        raise InvalidPartitionError(f"{name} must be a 2-d array of RGS rows; got "
                                    f"{describe(parts)}") from None
    if arr.ndim != 2:
        raise InvalidPartitionError(f"{name} must be a 2-d array of RGS rows; got shape {arr.shape}")
    m, n = arr.shape
    if arr.size == 0:
        return np.zeros((m, n), dtype=np.int64)
    kind = arr.dtype.kind
    if kind == "f":
        if not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))):
            raise InvalidPartitionError(f"{name} must have integer block labels; got {describe(arr)}")
    elif kind == "O":
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                   for v in arr.ravel().tolist()):
            raise InvalidPartitionError(f"{name} must have integer block labels; got {describe(arr)}")
    elif kind not in "iu":
        raise InvalidPartitionError(
            f"{name} must have integer block labels; got dtype {arr.dtype} ({describe(arr)})")
    # range check on the original values (no int64 wrap-around of huge labels)
    lo = np.array([min(r) for r in arr.tolist()]) if kind == "O" else arr.min(axis=1)
    hi = np.array([max(r) for r in arr.tolist()]) if kind == "O" else arr.max(axis=1)
    bad = np.flatnonzero((lo < 0) | (hi > n - 1))
    if bad.size:
        r = int(bad[0])
        raise InvalidPartitionError(
            f"{name}[{r}] = {describe(arr[r].tolist())} is not a restricted growth string: "
            f"labels must lie in 0..{n - 1}")
    a = arr.astype(np.int64)
    prefmax = np.maximum.accumulate(a, axis=1)
    bad_first = a[:, 0] != 0
    bad_step = (a[:, 1:] > prefmax[:, :-1] + 1).any(axis=1)
    bad = np.flatnonzero(bad_first | bad_step)
    if bad.size:
        r = int(bad[0])
        raise InvalidPartitionError(
            f"{name}[{r}] = {a[r].tolist()} is not a restricted growth string "
            "(p[0] must be 0 and each label at most one more than the largest earlier label)")
    return a


def _crossing_rows(a):
    """Indices of the rows of a valid RGS array that are crossing (numpy only).

    A partition is non-crossing iff its arcs ``(i, next(i))`` (consecutive
    elements of a block) do not cross: there are no ``i < j < next(i) <
    next(j)``.
    """
    m, n = a.shape
    if m == 0 or n < 4:
        return np.zeros(0, dtype=np.int64)
    rows = np.arange(m)
    nxt = np.full((m, n), n, dtype=np.int64)
    seen = np.full((m, n), n, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        lab = a[:, i]
        nxt[:, i] = seen[rows, lab]
        seen[rows, lab] = i
    crossing = np.zeros(m, dtype=bool)
    cols = np.arange(n)
    for i in range(n - 3):
        ni = nxt[:, i:i + 1]
        hit = (cols > i) & (cols < ni) & (ni < nxt) & (nxt < n)
        crossing |= hit.any(axis=1)
    return np.flatnonzero(crossing)


def kreweras_complements(parts):
    """Kreweras complements of many partitions at once (rows of an array).

    Every row is checked (vectorised, before the compiled kernel sees it) to
    be a restricted growth string of a non-crossing partition, as produced by
    :func:`noncrossing_partitions`.

    Parameters
    ----------
    parts : array_like, shape (m, n)
        Rows are non-crossing partitions as RGS.

    Returns
    -------
    numpy.ndarray, shape (m, n)

    Raises
    ------
    InvalidPartitionError
        If the array is not 2-d, or a row is not an RGS or is crossing (the
        message names the first bad row).

    Examples
    --------
    >>> P = noncrossing_partitions(3)
    >>> kreweras_complements(P)[[0, -1]]
    array([[0, 1, 2],
           [0, 0, 0]], dtype=int8)
    >>> kreweras_complements([[0, 1, 0, 1]])
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidPartitionError: parts[0] = [0, 1, 0, 1] = {1,3}{2,4} is crossing; the Kreweras complement needs non-crossing partitions
    """
    a = _check_rgs_rows(parts)
    bad = _crossing_rows(a)
    if bad.size:
        r = int(bad[0])
        raise InvalidPartitionError(
            f"parts[{r}] = {a[r].tolist()} = {format_partition(a[r])} is crossing; "
            "the Kreweras complement needs non-crossing partitions")
    m, n = a.shape
    out = np.empty((m, n), dtype=_rgs_dtype(n))
    if m and n:
        _kreweras_rows(a, out)
    return out


def partition_blocks(p):
    """Blocks of a partition as tuples of 0-based positions, ordered by label.

    Parameters
    ----------
    p : sequence of int
        A set partition as a restricted growth string (any, crossing or not).

    Returns
    -------
    list of tuple of int
        One tuple of increasing positions per block, blocks in label
        order (``[]`` for the empty partition).

    Raises
    ------
    InvalidPartitionError
        If ``p`` is not 1-d, has non-integer labels or breaks the RGS rule.

    Examples
    --------
    >>> partition_blocks([0, 1, 1, 0, 2])
    [(0, 3), (1, 2), (4,)]
    """
    arr = validate_rgs(p)
    blocks = {}
    for i, b in enumerate(arr.tolist()):
        blocks.setdefault(b, []).append(i)
    return [tuple(blocks[b]) for b in sorted(blocks)]


def format_partition(p):
    """Pretty-print a partition in 1-based block notation.

    Parameters
    ----------
    p : sequence of int
        A set partition as a restricted growth string.

    Returns
    -------
    str
        The blocks as ``{i,j,...}`` groups of 1-based positions, in label
        order; ``'{}'`` for the empty partition.

    Raises
    ------
    InvalidPartitionError
        If ``p`` is not 1-d, has non-integer labels or breaks the RGS rule.

    Examples
    --------
    >>> format_partition([0, 1, 1, 0, 2])
    '{1,4}{2,3}{5}'
    >>> format_partition([])
    '{}'
    """
    blocks = partition_blocks(p)
    if not blocks:
        return "{}"
    return "".join("{" + ",".join(str(i + 1) for i in b) + "}" for b in blocks)


def moebius(p):
    r"""Möbius function ``mu(pi, 1_n)`` of the lattice NC(n).

    ``mu(pi, 1_n) = prod_{B in K(pi)} (-1)^{|B|-1} Cat_{|B|-1}``, so
    ``mu(0_n, 1_n) = (-1)^{n-1} Cat_{n-1}`` and ``mu(1_n, 1_n) = 1``.

    Parameters
    ----------
    p : sequence of int
        A non-crossing partition ``pi`` of ``{1, ..., n}`` as a restricted
        growth string.

    Returns
    -------
    int
        ``mu(pi, 1_n)`` (exact Python int; ``1`` for the empty partition).

    Raises
    ------
    InvalidPartitionError
        If ``p`` is not a valid RGS or is crossing (the Möbius function
        here is that of the non-crossing lattice).

    Examples
    --------
    >>> moebius([0, 1, 2, 3])          # (-1)^3 Cat_3
    -5
    >>> moebius([0, 0, 0])
    1
    """
    arr = _require_nc(p)
    if arr.size == 0:
        return 1
    k = kreweras_complement(arr)
    sizes = np.bincount(k.astype(np.int64))
    out = 1
    for s in sizes.tolist():
        out *= (-1) ** (s - 1) * catalan(s - 1)
    return out
