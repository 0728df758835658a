"""Test-session set-up.

BLAS threads: the simulations use many small matrix products and QR
factorisations; a multi-threaded OpenBLAS on a loaded 2-core machine makes a
128×128 QR take ~1 s instead of ~2 ms.  One thread per process is set before
numpy is imported (setdefault: an explicit user setting wins).
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
