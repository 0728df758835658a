"""Test-session set-up.

BLAS threads: the simulations use many small matrix products and QR
factorisations; a multi-threaded OpenBLAS on a loaded 2-core machine makes a
128×128 QR take ~1 s instead of ~2 ms.  One thread per process is set before
numpy is imported (setdefault: an explicit user setting wins).

Hang watchdog: the slowest test takes about 10 s on the 2-core CI machine, so
a test still running after ``FREEALG_TEST_HANG_SECONDS`` (default 900 s, a
90× margin) is stuck.  The watchdog then prints every thread's traceback and
ends the run with exit code 1, so CI fails at once with the place of the hang
instead of running into its 90-minute limit with no trace.  Set the variable
to 0 to switch it off (e.g. under a debugger).
"""

import faulthandler
import os

import pytest

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

_HANG_SECONDS = float(os.environ.get("FREEALG_TEST_HANG_SECONDS", "900"))
_REAL_STDERR = []


def pytest_configure(config):
    # pytest's global capture is suspended between conftest loading and the
    # first test, so fd 2 is the real stderr here; keep a copy, since during a
    # test fd 2 points at the capture file that is never shown after os._exit.
    if _HANG_SECONDS > 0 and not _REAL_STDERR:
        _REAL_STDERR.append(os.fdopen(os.dup(2), "w"))


def pytest_unconfigure(config):
    while _REAL_STDERR:
        _REAL_STDERR.pop().close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    armed = bool(_REAL_STDERR)
    if armed:
        faulthandler.dump_traceback_later(_HANG_SECONDS, exit=True, file=_REAL_STDERR[0])
    try:
        yield
    finally:
        if armed:
            faulthandler.cancel_dump_traceback_later()
