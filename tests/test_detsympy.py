"""Tests of the time-bounded, reproducible sympy factorisation (freealg._utils.detsympy)."""

from __future__ import annotations

import threading
import time

import sympy
from sympy.core import random as srandom

import freealg
from freealg._utils import detsympy as _detsympy
from freealg.curves import G


def _fim_coefficient():
    # the 27-term coefficient of G^1 in the symbolic two-hidden-layer FIM curve: sympy's
    # Wang factorisation does not finish within 10 s for the generator seeded to 0, 5 or 7
    poly = sympy.Poly(freealg.fim_two_layer_curve().polynomial, G)
    return poly.coeffs()[1]


def test_factor_is_exact_whatever_the_callers_generator_state():
    c = _fim_coefficient()
    results = []
    for s in (0, 5, 7):  # states for which plain sympy.factor stalls on this input
        srandom.seed(s)
        before = srandom.rng.getstate()
        f = _detsympy.factor(c)
        assert srandom.rng.getstate() == before  # the caller's state is restored
        results.append(f)
    assert results[0] == results[1] == results[2]
    f = results[0]
    assert sympy.expand(f - c) == 0  # a factorisation of c
    # (z - q_2) splits off and the cofactor is irreducible (19 terms)
    names = {str(v): v for v in c.free_symbols}
    z, q2 = names["z"], names["q_2"]
    factors = [b for b in sympy.Mul.make_args(f) if b.free_symbols]
    assert len(factors) == 2
    assert any(sympy.expand(b - (z - q2)) == 0 or sympy.expand(b + (z - q2)) == 0 for b in factors)


def test_slow_attempt_is_abandoned_for_the_next_seed(monkeypatch):
    # an "algorithm" that stalls for the state of seed 1 and is instant otherwise
    monkeypatch.setattr(_detsympy, "_BUDGETS", (0.2, 0.2, 0.2))
    srandom.seed(1)
    stall_draw = srandom.rng.random()
    seen = []

    def fn(x):
        draw = srandom.rng.random()
        seen.append(draw)
        if draw == stall_draw:
            while True:  # interrupted by the alarm
                time.sleep(0.01)
        return x + 1

    assert _detsympy.call(fn, 41) == 42
    assert len(seen) == 2 and seen[0] == stall_draw != seen[1]


def test_exceptions_propagate_and_leave_no_timer():
    import signal

    def boom():
        raise ValueError("inside")

    try:
        _detsympy.call(boom)
    except ValueError as e:
        assert str(e) == "inside"
    else:  # pragma: no cover
        raise AssertionError("the exception was swallowed")
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


def test_outside_the_main_thread_runs_once_with_a_fixed_seed():
    out = {}

    def work():
        x, y = sympy.symbols("x y")
        out["f"] = _detsympy.factor(x**2 - y**2)
        out["draws"] = _detsympy.call(lambda: srandom.rng.random())

    t = threading.Thread(target=work)
    t.start()
    t.join()
    x, y = sympy.symbols("x y")
    assert out["f"] == (x - y) * (x + y)
    with _detsympy.seeded_sympy_random(1):
        assert out["draws"] == srandom.rng.random()


def _stall_on_seed_1():
    """An "algorithm" that stalls for the generator state of seed 1 (calling
    ``stall``) and is instant otherwise; returns (fn, seen draws)."""
    srandom.seed(1)
    stall_draw = srandom.rng.random()
    seen = []

    def make(stall):
        def fn(x):
            draw = srandom.rng.random()
            seen.append(draw)
            if draw == stall_draw:
                stall()
            return x + 1

        return fn

    return make, seen, stall_draw


def _no_unraisable():
    import sys

    caught = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: caught.append(u)
    return caught, lambda: setattr(sys, "unraisablehook", old)


def test_sympy_style_except_exception_does_not_swallow_the_timeout(monkeypatch):
    monkeypatch.setattr(_detsympy, "_BUDGETS", (0.2, 0.2, 0.2))
    make, seen, stall_draw = _stall_on_seed_1()

    def stall():
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # what sympy does in places
                pass

    assert _detsympy.call(make(stall), 41) == 42
    assert len(seen) == 2 and seen[0] == stall_draw != seen[1]


def test_an_alarm_inside_a_finaliser_is_deferred_not_printed(monkeypatch):
    import gc
    import warnings

    monkeypatch.setattr(_detsympy, "_BUDGETS", (0.2, 0.2, 0.2))
    make, seen, stall_draw = _stall_on_seed_1()

    class Slow:
        def __del__(self):
            time.sleep(0.4)  # the budget runs out in here

    def stall():
        s = Slow()
        s.cycle = s
        del s
        gc.collect()  # runs __del__, which outlives the budget
        while True:  # the deferred alarm ends the attempt here
            time.sleep(0.01)

    caught, restore = _no_unraisable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert _detsympy.call(make(stall), 41) == 42
    finally:
        restore()
    assert caught == []  # nothing was printed as "Exception ignored in ..."
    assert len(seen) == 2 and seen[0] == stall_draw != seen[1]


def test_the_callers_handler_and_timer_are_left_alone():
    import signal

    fired = []

    def mine(signum, frame):
        fired.append(signum)

    old = signal.signal(signal.SIGALRM, mine)
    try:
        out = _detsympy.call(lambda: srandom.rng.random())
        assert signal.getsignal(signal.SIGALRM) is mine
        with _detsympy.seeded_sympy_random(1):  # ran once, unguarded, with seed 1
            assert out == srandom.rng.random()
        signal.setitimer(signal.ITIMER_REAL, 100.0)  # a timer of the caller's, running
        _detsympy.call(lambda: None)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 90.0 < remaining <= 100.0
        assert signal.getsignal(signal.SIGALRM) is mine
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert fired == []


def test_guarded_main_thread_and_four_worker_threads(monkeypatch):
    import signal
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(_detsympy, "_BUDGETS", (0.2, 0.2, 0.2))
    make, seen, stall_draw = _stall_on_seed_1()

    def stall():
        while True:
            time.sleep(0.01)

    x, y = sympy.symbols("x y")
    handler, timer = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    caught, restore = _no_unraisable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with ThreadPoolExecutor(max_workers=4) as pool:
                futs = [pool.submit(_detsympy.factor, x**2 - k**2 * y**2) for k in range(1, 9)]
                assert _detsympy.call(make(stall), 41) == 42  # the main thread, guarded
                out = [f.result() for f in futs]
    finally:
        restore()
    assert out == [(x - k * y) * (x + k * y) for k in range(1, 9)]
    assert caught == []
    assert signal.getsignal(signal.SIGALRM) == handler
    assert signal.getitimer(signal.ITIMER_REAL) == timer


def test_a_swallowed_timeout_is_raised_again(monkeypatch):
    # the first _Slow is swallowed (as a C-level finaliser or a bare except would); the
    # repeating alarm raises it again, so the attempt still ends; before, the alarm disarmed
    # itself on the first raise and the attempt ran without a limit (a hang in the full suite)
    monkeypatch.setattr(_detsympy, "_BUDGETS", (0.2, 0.2, 0.2))
    make, seen, stall_draw = _stall_on_seed_1()
    swallowed = []

    def stall():
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5.0:
            try:
                time.sleep(0.01)
            except BaseException:
                if swallowed:  # the second one is let through
                    raise
                swallowed.append(time.monotonic() - t0)
        raise AssertionError("the timeout was not raised again within 5 s")

    assert _detsympy.call(make(stall), 41) == 42
    assert len(swallowed) == 1 and len(seen) == 2 and seen[0] == stall_draw != seen[1]
