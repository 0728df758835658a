r"""The lattice NC(n) on restricted growth strings: validation, crossing
tests, the Kreweras complement, blocks, pretty-printing and the Möbius function.

A set partition of ``{1, ..., n}`` is stored as a *restricted growth string*
(RGS): a length-``n`` integer row ``p`` with ``p[0] = 0`` and
``p[i] <= max(p[:i]) + 1``; two positions share a block iff they carry the
same label, and labels are numbered ``0, 1, 2, ...`` in order of first
appearance.

Conventions (docs/theory.md §2)
---------------------------------
* Kreweras complement: interleave ``1 1' 2 2' ... n n'``; ``K(pi)`` is the
  largest partition of the primed points with ``pi ∪ K(pi)`` non-crossing.
  As permutations (each block a cycle in increasing order) this is
  ``K(pi) = P_pi^{-1} ∘ gamma`` with ``gamma = (1 2 ... n)``.  Hence
  ``K(0_n) = 1_n``, ``|pi| + |K(pi)| = n + 1``, and ``K(K(pi))`` is ``pi``
  rotated by one step.
* Möbius function: ``mu(pi, 1_n) = prod_{B in K(pi)} (-1)^{|B|-1} Cat_{|B|-1}``.
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import describe
from ..errors import InvalidPartitionError
from ._nc_kernels import _kreweras_rows, _rgs_dtype
from .partitions import catalan

__all__ = [
    "is_noncrossing",
    "kreweras_complement",
    "kreweras_complements",
    "moebius",
    "partition_blocks",
    "format_partition",
    "validate_rgs",
]


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
    >>> from freealg.partitions import noncrossing_partitions
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
