"""Factorisation in sympy with a bounded cost per attempt (private).

sympy factors multivariate polynomials by Wang's algorithm, whose evaluation
points are drawn from sympy's global generator ``sympy.core.random.rng``.  The
factors never depend on the draws, but the running time does, wildly (sympy
issue #20456, open): the 27-term coefficient of ``G`` in the symbolic
two-hidden-layer FIM curve (7 symbols) factors in 0.1 s for most states of
the generator and does not finish within 10 s, nor 5 minutes, for about one
in five (``sympy.core.random.seed(k)`` for ``k = 0, 5, 7`` of ``0..15``).  Left
to the operating system's seed this made the test suite hang at random.

:func:`call` therefore runs a sympy function that may factor (``factor``,
``factor_list``, ``roots``, ``simplify``) with the generator seeded to
``1, 2, 3, …`` in turn (seed 0 happens to be one of the slow ones for that
FIM coefficient), each attempt limited to ``1, 2, 4, …, 32`` seconds
(``SIGALRM``; the result is the same for every seed, only the path differs),
and a last attempt without a limit.  The caller's generator state is restored
afterwards.  Where a timer cannot be used (not the main thread, no
``setitimer``, a timer already running or a ``SIGALRM`` handler of the
caller's installed), the function runs once with the generator seeded to 1,
so that at least the same input takes the same path.

Thread safety and hygiene: only the main thread ever touches ``SIGALRM``
(Python delivers signals to it alone); the caller's handler and timer are
never replaced, and ours are removed (timer first, then the previous handler
put back) however the attempt ends.  The interrupting exception derives from
``BaseException``, so that no ``except Exception`` inside sympy swallows it or
turns it into a warning; it is not raised inside a finaliser (``__del__``, a
weakref callback), where Python would print it as an "exception ignored"
warning and carry on: the timer repeats every 50 ms until the exception can be
raised at an ordinary point, and again at every repeat until the attempt has
ended (a raise that something swallowed does not leave the attempt unbounded).
"""

from __future__ import annotations

import contextlib
import signal
import threading

import sympy
from sympy.core import random as _srandom

__all__ = ["call", "factor", "factor_list", "roots", "simplify", "seeded_sympy_random"]

_LOCK = threading.RLock()
_BUDGETS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)  # seconds; geometric, so a slow but
# legitimate factorisation costs at most about twice its own time
_DEPTH = threading.local()


_REPEAT = 0.05  # seconds between alarms once the budget is spent (see _alarm)


class _Slow(BaseException):
    """Raised by the alarm handler inside an attempt that ran out of time (a
    ``BaseException``, like ``KeyboardInterrupt``: sympy's ``except Exception``
    blocks must not catch it)."""


@contextlib.contextmanager
def seeded_sympy_random(seed):
    """Run the block with sympy's global generator seeded to ``seed``; the
    previous state is restored on exit."""
    with _LOCK:
        state = _srandom.rng.getstate()
        _srandom.rng.seed(seed)
        try:
            yield
        finally:
            _srandom.rng.setstate(state)


def _can_interrupt():
    # the main thread only (signal.signal raises ValueError elsewhere and the
    # handler would run in the main thread anyway), no timer running, and the
    # default disposition: a handler of the caller's is never replaced, and
    # SIG_DFL / SIG_IGN can be put back exactly (a handler installed outside
    # Python, reported as None, could not)
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN)
    )


def _in_finaliser(frame):
    """Whether the interrupted code runs a finaliser (``__del__``, a weakref
    callback), where an exception is printed as unraisable and dropped."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename.endswith(("weakref.py", "_weakrefset.py")):
            return True
        frame = frame.f_back
    return False


def call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with reproducible, time-bounded attempts (see
    the module docstring)."""
    if getattr(_DEPTH, "n", 0) > 0:  # nested: the outer call already guards
        return fn(*args, **kwargs)
    _DEPTH.n = 1
    try:
        if not _can_interrupt():
            with seeded_sympy_random(1):
                return fn(*args, **kwargs)
        armed = [False]

        def _alarm(signum, frame):
            # raised again at every repeat until this guard disarms: a raise that
            # something swallowed (a finaliser Python does not name as one, a bare
            # except) must not leave the attempt without a limit; never inside the
            # guard's own frame, where the attempt is already being left
            if armed[0] and frame is not None and frame.f_code is not _GUARD_CODE \
                    and not _in_finaliser(frame):
                raise _Slow

        for seed, budget in enumerate(_BUDGETS, start=1):
            with seeded_sympy_random(seed):
                old = signal.signal(signal.SIGALRM, _alarm)
                try:
                    armed[0] = True
                    signal.setitimer(signal.ITIMER_REAL, budget, _REPEAT)
                    result = fn(*args, **kwargs)
                    armed[0] = False
                    return result
                except _Slow:
                    continue
                finally:
                    armed[0] = False
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, old)
        with seeded_sympy_random(len(_BUDGETS) + 1):
            return fn(*args, **kwargs)
    finally:
        _DEPTH.n = 0


_GUARD_CODE = call.__code__


def factor(expr, *gens, **args):
    """``sympy.factor`` through :func:`call`."""
    return call(sympy.factor, expr, *gens, **args)


def factor_list(expr, *gens, **args):
    """``sympy.factor_list`` through :func:`call`."""
    return call(sympy.factor_list, expr, *gens, **args)


def roots(f, *gens, **flags):
    """``sympy.roots`` through :func:`call`."""
    return call(sympy.roots, f, *gens, **flags)


def simplify(expr, **kwargs):
    """``sympy.simplify`` through :func:`call`."""
    return call(sympy.simplify, expr, **kwargs)
