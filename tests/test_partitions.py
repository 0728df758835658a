"""Tests of freealg.partitions against independent truths:
closed-form counts, brute-force filtering of all set partitions, a naive
4-point crossing test, and the Kreweras complement from its definition."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import freealg
from freealg.combinatorics import _reference as ref
from freealg.errors import (
    FreealgError,
    InvalidArgumentError,
    InvalidPartitionError,
    TooLargeError,
)


def test_catalan_closed_form_and_recurrence():
    # Cat_{n+1} = sum_i Cat_i Cat_{n-i}  (independent of the binomial formula)
    cats = [1]
    for n in range(30):
        cats.append(sum(cats[i] * cats[n - i] for i in range(n + 1)))
    assert [freealg.catalan(n) for n in range(31)] == cats
    assert freealg.catalan(18) == 477638700


@pytest.mark.parametrize("bad", [-1, 2.5, "3", None, True])
def test_catalan_bad_input(bad):
    with pytest.raises(InvalidArgumentError) as exc:
        freealg.catalan(bad)
    assert repr(bad) in str(exc.value) or str(bad) in str(exc.value)


@pytest.mark.parametrize("n", range(0, 15))
def test_counts_are_catalan(n):
    P = freealg.noncrossing_partitions(n)
    assert P.shape == (math.comb(2 * n, n) // (n + 1), n)
    assert P.dtype == np.int8
    # rows distinct
    assert len({r.tobytes() for r in P}) == len(P)


@pytest.mark.parametrize("n", range(1, 11))
def test_rows_are_valid_noncrossing_rgs_by_naive_check(n):
    P = freealg.noncrossing_partitions(n)
    for row in P:
        t = tuple(int(v) for v in row)
        freealg.partitions.validate_rgs(t)  # raises if not an RGS
        assert not ref.is_crossing_naive(t)


@pytest.mark.parametrize("n", range(0, 9))
def test_equals_bruteforce_filter_of_all_set_partitions(n):
    brute = sorted(p for p in ref.set_partitions(n) if not ref.is_crossing_naive(p))
    P = [tuple(int(v) for v in r) for r in freealg.noncrossing_partitions(n)]
    # documented order: increasing lexicographic
    assert P == brute


def test_pure_python_reference_agrees():
    for n in range(0, 10):
        P = [tuple(int(v) for v in r) for r in freealg.noncrossing_partitions(n)]
        assert P == ref.noncrossing_partitions_py(n)


def test_too_large_points_to_streaming():
    with pytest.raises(TooLargeError) as exc:
        freealg.noncrossing_partitions(18)
    assert "noncrossing_sum" in str(exc.value)
    assert "8.0 GiB" in str(exc.value)  # 477638700 * 18 bytes
    with pytest.raises(TooLargeError):
        freealg.noncrossing_partitions(10, max_bytes=1000)


@pytest.mark.parametrize("bad", [-3, 1.5, "7"])
def test_enumeration_bad_n(bad):
    with pytest.raises(InvalidArgumentError):
        freealg.noncrossing_partitions(bad)


def test_streaming_sum_counts_and_moments():
    for n in range(0, 15):
        assert freealg.noncrossing_sum(n, [1] * max(n, 1)) == freealg.catalan(n)
    # weights = free cumulants  ->  moments (moment-cumulant formula, second algorithm)
    from fractions import Fraction

    rng = np.random.default_rng(1)
    for n in range(1, 13):
        w = rng.normal(size=n)
        exact = freealg.moments_from_free_cumulants([Fraction(float(v)) for v in w])[-1]
        # Rigorous float64 bound for recursive summation of Cat_n products of <= n
        # factors: |error| <= (Cat_n + n) eps * sum |terms|, and sum |terms| is the same
        # NC sum with |w|.  (Observed errors are ~1e-3 of this bound.)
        scale = freealg.noncrossing_sum(n, np.abs(w))
        bound = (freealg.catalan(n) + n) * np.finfo(float).eps * scale
        assert abs(freealg.noncrossing_sum(n, w) - float(exact)) <= bound
    # integer weights are summed exactly: equality with the exact recursion
    for n in range(1, 13):
        w = [int(v) for v in rng.integers(-4, 5, size=n)]
        assert freealg.noncrossing_sum(n, w) == freealg.moments_from_free_cumulants(w)[-1]
    # exact integer weights: Narayana polynomial at lambda = 3, n = 6
    lam, n = 3, 6
    narayana = sum(math.comb(n, k) * math.comb(n, k - 1) // n * lam**k for k in range(1, n + 1))
    assert freealg.noncrossing_sum(n, [lam] * n) == narayana
    # complex weights
    z = freealg.noncrossing_sum(4, np.array([1j, 1, 1, 1]))
    assert z == pytest.approx(complex(ref.nc_block_sum_py(4, [1j, 1, 1, 1])))


def test_streaming_sum_matches_pure_python_reference():
    w = [0.5, -1.25, 2.0, 0.75, 1.5, -0.5, 0.25, 1.0, 3.0]
    for n in range(1, 10):
        assert freealg.noncrossing_sum(n, w) == pytest.approx(ref.nc_block_sum_py(n, w), rel=1e-13)


def test_streaming_sum_bad_input():
    with pytest.raises(InvalidArgumentError):
        freealg.noncrossing_sum(5, [1, 2])  # too few weights
    with pytest.raises(InvalidArgumentError):
        freealg.noncrossing_sum(3, [1.0, np.nan, 1.0])
    with pytest.raises(InvalidArgumentError):
        freealg.noncrossing_sum(3, ["a", "b", "c"])
    with pytest.raises(InvalidArgumentError):
        freealg.noncrossing_sum(3, [True, False, True])
    with pytest.raises(TooLargeError):  # float sum overflowing float64 is raised, not inf
        freealg.noncrossing_sum(3, [1e300] * 3)
    with pytest.raises(TooLargeError):  # |NC(40)| = 2.6e21 partitions: refused before work
        freealg.noncrossing_sum(40, [1.0] * 40)
    with pytest.raises(TooLargeError):  # exact route beyond its O(n^3) bound
        freealg.noncrossing_sum(10**6, [2**70] * 10**6)


def _narayana_sum(n, lam):
    """sum_k N(n, k) lam^k: the NC(n) sum with weight lam per block (closed form)."""
    return sum(math.comb(n, k) * math.comb(n, k - 1) // n * lam**k for k in range(1, n + 1))


def test_integer_sum_beyond_int64_is_exact():
    # issue 10: [2**63] * 3 became uint64 -> int64 and wrapped to -2**63
    w = 2**63
    assert freealg.noncrossing_sum(3, [w] * 3) == w + 3 * w**2 + w**3
    assert freealg.noncrossing_sum(3, np.array([w] * 3, dtype=np.uint64)) == w + 3 * w**2 + w**3
    # int64 enumeration would overflow here (was TooLargeError): exact result instead
    assert freealg.noncrossing_sum(20, [10**6] * 20) == _narayana_sum(20, 10**6)
    assert freealg.noncrossing_sum(12, [-(2**70)] * 12) == _narayana_sum(12, -(2**70))
    # arbitrary exact weights against the pure-Python enumeration (second algorithm)
    from fractions import Fraction

    rng = np.random.default_rng(5)
    for n in range(1, 9):
        w = [int(v) * 2**61 + 1 for v in rng.integers(-9, 9, size=n)]
        assert freealg.noncrossing_sum(n, w) == ref.nc_block_sum_py(n, w)
        f = [Fraction(int(v), 7) for v in rng.integers(-9, 9, size=n)]
        assert freealg.noncrossing_sum(n, f) == ref.nc_block_sum_py(n, f)


def test_noncrossing_partitions_huge_n_refused_fast():
    import time

    t0 = time.perf_counter()
    with pytest.raises(TooLargeError, match="noncrossing_sum"):
        freealg.noncrossing_partitions(10**6)  # Cat_{10^6} alone took ~20 s before the check
    with pytest.raises(TooLargeError):
        freealg.noncrossing_partitions(10**12)
    assert time.perf_counter() - t0 < 2.0
    with pytest.raises(TooLargeError):
        freealg.catalan(10**7)
    with pytest.raises(InvalidArgumentError):
        freealg.noncrossing_partitions(5, max_bytes=-1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=9))
def test_is_noncrossing_matches_naive(raw):
    # turn an arbitrary list into an RGS by relabelling in order of appearance
    labels = {}
    rgs = []
    for v in raw:
        labels.setdefault(v, len(labels))
        rgs.append(labels[v])
    assert freealg.is_noncrossing(rgs) == (not ref.is_crossing_naive(tuple(rgs)))


@pytest.mark.parametrize("bad", [[1, 0], [0, 2], [0, -1], [[0, 1]], [0, 0.5], ["a"]])
def test_invalid_rgs(bad):
    with pytest.raises(InvalidPartitionError):
        freealg.is_noncrossing(bad)


def test_kreweras_matches_definition_small_n():
    for n in range(1, 7):
        for row in freealg.noncrossing_partitions(n):
            p = tuple(int(v) for v in row)
            k = tuple(int(v) for v in freealg.kreweras_complement(p))
            assert k == ref.kreweras_brute_force(p), p


@pytest.mark.parametrize("n", range(1, 11))
def test_kreweras_bijection_and_sizes(n):
    P = freealg.noncrossing_partitions(n)
    K = freealg.kreweras_complements(P)
    assert len({r.tobytes() for r in K}) == len(P)  # injective on a finite set
    Pset = {r.tobytes() for r in P}
    assert all(r.tobytes() in Pset for r in K)  # lands in NC(n)
    nb_p = P.max(axis=1).astype(int) + 1
    nb_k = K.max(axis=1).astype(int) + 1
    assert np.all(nb_p + nb_k == n + 1)
    # K(0_n) = 1_n
    assert np.all(freealg.kreweras_complement(np.arange(n)) == 0)
    # K(K(pi)) = pi rotated by one position (as a partition)
    KK = freealg.kreweras_complements(K)
    for p, kk in zip(P, KK):
        blocks_p = {frozenset((i + 1) % n for i in b) for b in freealg.partition_blocks(p)}
        blocks_kk = {frozenset(b) for b in freealg.partition_blocks(kk)}
        # rotation direction: K(K(pi)) = gamma^{-1} P_pi gamma
        blocks_p_other = {frozenset((i - 1) % n for i in b) for b in freealg.partition_blocks(p)}
        assert blocks_kk in (blocks_p, blocks_p_other)
        assert blocks_kk == blocks_p_other  # the documented direction


def test_kreweras_rejects_crossing():
    with pytest.raises(InvalidPartitionError) as exc:
        freealg.kreweras_complement([0, 1, 0, 1])
    assert "{1,3}{2,4}" in str(exc.value)


def _crash_free(code):
    """Run ``code`` in a fresh interpreter; a segfault must not take pytest down."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_kreweras_complements_invalid_rows_do_not_crash():
    # issue 10: [[0, 5, 1]] indexed out of bounds in the numba kernel (SIGSEGV)
    res = _crash_free(
        "import numpy as np\n"
        "from freealg.errors import InvalidPartitionError\n"
        "from freealg.partitions import kreweras_complements\n"
        "bad = [[[0, 5, 1]], [[0, 1, 0, 1]], [[1, 0]], [[0, -1]], [[0, 2**70, 1]], [[0, 127, 1]],\n"
        "       np.array([[0, 2**63, 1]], dtype=np.uint64), [[0.5, 0]], [[True, False]],\n"
        "       np.array([[0, -128, 1]], dtype=np.int8), [[0, 1, 3]], [1, 2]]\n"
        "for b in bad:\n"
        "    try:\n"
        "        kreweras_complements(b)\n"
        "    except InvalidPartitionError:\n"
        "        print('refused')\n"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["refused"] * 12


@pytest.mark.parametrize("n", range(0, 8))
def test_kreweras_complements_checks_every_row(n):
    # every RGS of length n: accepted iff non-crossing by the naive 4-point test,
    # and then equal to the checked single-row kreweras_complement
    for r in ref.set_partitions(n):
        if not ref.is_crossing_naive(r):
            got = freealg.kreweras_complements(np.array([r], dtype=np.int64).reshape(1, n))
            assert got[0].tolist() == freealg.kreweras_complement(list(r)).tolist()
            if 0 < n <= 6:
                assert tuple(got[0].tolist()) == tuple(ref.kreweras_brute_force(r))
        else:
            with pytest.raises(InvalidPartitionError, match="crossing"):
                freealg.kreweras_complements([list(r)])
    if n >= 4:  # a crossing row hidden among valid ones names its index
        P = freealg.noncrossing_partitions(n).astype(np.int64)
        bad = np.vstack([P, [0, 1, 0, 1] + [0] * (n - 4)])
        with pytest.raises(InvalidPartitionError, match=rf"parts\[{len(P)}\]"):
            freealg.kreweras_complements(bad)


def test_moebius_values_and_sum_rule():
    for n in range(1, 9):
        assert freealg.moebius(list(range(n))) == (-1) ** (n - 1) * freealg.catalan(n - 1)
        assert freealg.moebius([0] * n) == 1
        total = sum(freealg.moebius(r) for r in freealg.noncrossing_partitions(n))
        assert total == (1 if n == 1 else 0)  # sum_{pi <= 1_n} mu(pi, 1_n) = delta_{n,1}


def test_moebius_inversion_gives_free_cumulants():
    # second algorithm: the Möbius sum over NC(n) (brute-force Kreweras)
    moments = [1, 3, 11, 45, 197]  # an arbitrary positive sequence
    assert ref.free_cumulants_mobius(moments) == freealg.free_cumulants(moments)


def test_blocks_and_format():
    assert freealg.partition_blocks([0, 1, 1, 0, 2]) == [(0, 3), (1, 2), (4,)]
    assert freealg.format_partition([0, 1, 1, 0, 2]) == "{1,4}{2,3}{5}"
    assert freealg.format_partition([]) == "{}"
    assert freealg.format_partition([0, 0, 0]) == "{1,2,3}"


def test_errors_are_freealg_errors():
    for exc in (InvalidArgumentError, InvalidPartitionError, TooLargeError):
        assert issubclass(exc, FreealgError)
        assert issubclass(exc, ValueError)


def test_validate_rgs_huge_labels_do_not_wrap():
    # a uint64 / Python label beyond int64 used to be cast (wrapping) before the check
    for bad in ([0, 2**70], np.array([0, 2**63], dtype=np.uint64), [0, 2**64 + 1]):
        with pytest.raises(InvalidPartitionError, match="0..1"):
            freealg.partitions.validate_rgs(bad)
        with pytest.raises(InvalidPartitionError):
            freealg.kreweras_complement(bad)
