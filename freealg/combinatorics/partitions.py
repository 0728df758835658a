r"""Non-crossing partitions NC(n): Catalan numbers, enumeration and streamed sums.

A partition is stored as a *restricted growth string* (RGS, see
:mod:`freealg.combinatorics.nc_lattice`).  A partition is *non-crossing* when
there are no ``a < b < c < d`` with ``a, c`` in one block and ``b, d`` in
another.

Conventions (docs/theory.md §2)
---------------------------------
* ``|NC(n)| = Cat_n = binom(2n, n) / (n + 1)``.

The enumeration kernels (:mod:`freealg.combinatorics._nc_kernels`) are
compiled with numba (``cache=True``) on first use; importing this module
compiles nothing.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._utils.validate import check_int, check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError
from ._nc_kernels import _enumerate_nc, _nc_block_sum, _rgs_dtype
from .cumulants import _moments_of_free_cumulants

__all__ = [
    "catalan",
    "noncrossing_partitions",
    "noncrossing_sum",
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
        # the sum is the moment m_n of the free cumulants w(1), ..., w(n)
        return _moments_of_free_cumulants(exact, 0 * exact[0] + 1)[n - 1]
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
