"""Thread safety of freealg's precision and global state (issue 10).

mpmath keeps its working precision in one process-global context; freealg
computes in a private context whose precision is per thread
(freealg/_utils/mpctx.py).  The tests run representative mpmath computations
from 4 threads at different precisions and check that

- every result is bit for bit the one of a serial run, and as accurate as the
  requested digits against a closed form;
- the caller's global state is untouched, also transiently: mpmath's global
  precision is never *written* (a recording setter is installed on it), and
  ``numpy.geterr()``, numpy's and Python's random states, sympy's generator and
  the SIGALRM handler and timer are the same afterwards;
- no module of freealg can reintroduce the global context (an AST check).
"""

from __future__ import annotations

import ast
import pathlib
import random
import signal
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import mpmath
import numpy as np
import pytest
import sympy
from sympy.core import random as srandom

import freealg
from freealg import MLP, activation_derivative_law, curve_density, gaussian_expectation
from freealg._utils import mpctx
from freealg.errors import InvalidArgumentError

z, G = sympy.symbols("z G")
SEMI = G**2 - z * G + 1  # semicircle of variance 1
DPS = (15, 40, 60, 25)  # one precision per thread


def _semicircle(d):
    return list(curve_density(SEMI, z, G, [0.3, 1.7], dps=d).density_mp)


def _nu_moments(d):
    # moments of phi'(sqrt(q) Z)^2 for tanh: mpmath quadrature at d digits
    return activation_derivative_law("tanh", 1, dps=d).moments(2)


def _jacobian_moments(d):
    return MLP(2, "tanh", sigma_w=1.5, sigma_b=0.1).jacobian_law(dps=d).moments(2)


def _q_star(d):
    return MLP(3, "erf", sigma_w=2.0, sigma_b=0.0).q_star(dps=d)


def _cos_expectation(d):
    # the caller's own (global) mpmath.cos as the integrand
    return gaussian_expectation(mpmath.cos, 2, dps=d)


def _free_product_density(d):
    # a curve with irrational edges (roots of the discriminant), shared caches
    R = sympy.Rational
    law = freealg.free_mul(freealg.MarchenkoPastur(R(1, 3)), freealg.MarchenkoPastur(R(1, 2)))
    return list(law.density([0.3, 1.5], dps=d).density_mp)


TASKS = (_semicircle, _nu_moments, _jacobian_moments, _q_star, _cos_expectation, _free_product_density)


def _bits(v):
    """The exact binary value of a result (mpf, mpc or a list of them)."""
    if isinstance(v, (list, tuple)):
        return tuple(_bits(x) for x in v)
    if hasattr(v, "_mpf_"):
        return ("mpf", v._mpf_)
    if hasattr(v, "_mpc_"):
        return ("mpc", v._mpc_)
    raise AssertionError(f"not an mpmath result: {v!r}")


def _run_all(d):
    return [_bits(task(d)) for task in TASKS]


class _GlobalWrites:
    """Install recording setters for ``prec`` and ``dps`` on mpmath's global
    context class: any write, from any thread, is recorded with its thread."""

    def __init__(self):
        self.writes = []

    def __enter__(self):
        import inspect

        cls = type(mpmath.mp)
        prec_p = inspect.getattr_static(mpmath.mp, "prec")
        dps_p = inspect.getattr_static(mpmath.mp, "dps")
        self.cls, self.own = cls, {k: cls.__dict__[k] for k in ("prec", "dps") if k in cls.__dict__}
        rec = self.writes

        def set_prec(ctx, n):
            if ctx is mpmath.mp:
                rec.append(("prec", n, threading.current_thread().name))
            prec_p.fset(ctx, n)

        def set_dps(ctx, n):
            if ctx is mpmath.mp:
                rec.append(("dps", n, threading.current_thread().name))
            dps_p.fset(ctx, n)

        cls.prec = property(prec_p.fget, set_prec)
        cls.dps = property(dps_p.fget, set_dps)
        return self

    def __exit__(self, *exc):
        for k in ("prec", "dps"):
            if k in self.own:
                setattr(self.cls, k, self.own[k])
            else:
                delattr(self.cls, k)


def _global_state():
    return (
        mpmath.mp.prec,
        mpmath.mp.dps,
        np.geterr(),
        _np_state(),
        random.getstate(),
        srandom.rng.getstate(),
        signal.getsignal(signal.SIGALRM),
        signal.getitimer(signal.ITIMER_REAL),
    )


def _np_state():
    s = np.random.get_state()
    return (s[0], s[1].tobytes(), s[2], s[3], s[4])


@pytest.fixture
def frequent_switches():
    # switch threads every microsecond so that the computations interleave
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def test_four_threads_mixed_dps_are_bit_identical_to_serial(frequent_switches):
    serial = {d: _run_all(d) for d in DPS}
    before = _global_state()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak a warning either
        with _GlobalWrites() as g, ThreadPoolExecutor(max_workers=4) as pool:
            threaded = dict(zip(DPS, pool.map(_run_all, DPS)))
    assert g.writes == []  # mpmath.mp was never written, not even for a moment
    assert _global_state() == before
    for d in DPS:
        assert threaded[d] == serial[d], f"dps={d}"


def test_threaded_results_have_the_requested_digits():
    # independent truths: the semicircle density sqrt(4 - x^2)/(2 pi) and
    # E[cos(sqrt(2) Z)] = exp(-1); each thread checks its own precision
    def check(d):
        sc = _semicircle(d)
        ce = _cos_expectation(d)
        with mpmath.workdps(d + 10):  # the test's own precision is the caller's business
            for x, v in zip((0.3, 1.7), sc):
                exact = mpmath.sqrt(4 - mpmath.mpf(x) ** 2) / (2 * mpmath.pi)
                assert abs(v - exact) <= mpmath.mpf(10) ** (2 - d) * exact
            assert abs(ce - mpmath.exp(-1)) <= mpmath.mpf(10) ** (2 - d)
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(check, DPS * 2))


def test_callers_global_precision_is_respected_and_unchanged():
    old = mpmath.mp.dps
    try:
        mpmath.mp.dps = 50
        x = _q_star(40)
        assert mpmath.mp.dps == 50
        # a returned value behaves as a global mpf: arithmetic at the caller's 50 digits
        assert isinstance(x, mpmath.mpf)
        y = x / 3
        assert y == mpmath.mp.make_mpf(x._mpf_) / 3
        # "at the current mpmath precision" still means the caller's
        act = freealg.get_activation("tanh")
        assert act.phi_mp(mpmath.mpf(1) / 3) == mpmath.tanh(mpmath.mpf(1) / 3)
        with ThreadPoolExecutor(max_workers=4) as pool:
            vals = list(pool.map(lambda _: act.phi_mp(mpmath.mpf(1) / 3), range(4)))
        assert all(v == mpmath.tanh(mpmath.mpf(1) / 3) for v in vals)
        assert mpmath.mp.dps == 50
    finally:
        mpmath.mp.dps = old


def test_private_context_precision_is_per_thread():
    ctx = mpctx.mpmath
    seen = {}
    barrier = threading.Barrier(4)

    def work(d):
        with ctx.workdps(d):
            barrier.wait()  # all four blocks are open at the same time
            v = ctx.sqrt(2)
            seen[d] = (ctx.dps, v)
            barrier.wait()
        return ctx.dps

    base = mpmath.mp.dps
    with ThreadPoolExecutor(max_workers=4) as pool:
        after = list(pool.map(work, DPS))
    assert after == [base] * 4  # each thread inherits the global precision again
    for d in DPS:
        assert seen[d][0] == d
        with mpmath.workdps(d):
            assert seen[d][1] == mpmath.sqrt(2)
    assert mpmath.mp.dps == base


def test_global_mpmath_callable_inside_freealg_precision_is_refused():
    # a user's integrand computing in the global context at 15 digits while
    # 40 are requested: an error, not silently lost digits
    with pytest.raises(InvalidArgumentError, match="global context"):
        gaussian_expectation(lambda h: mpmath.cos(h) ** 2, 1, dps=40)
    # with operators only (the argument carries the working precision) it is exact
    v = gaussian_expectation(lambda h: h**4, 1, dps=40)
    assert v == 3


def test_private_numbers_pickle_as_global_numbers():
    import pickle

    with mpctx.mpmath.workdps(30):
        x = mpctx.mpmath.sqrt(2)
    y = pickle.loads(pickle.dumps(x))
    assert type(y) is mpmath.mpf and y._mpf_ == x._mpf_


def test_lambdify_modules_evaluate_at_the_threads_precision():
    x = sympy.Symbol("x")
    f = sympy.lambdify(x, sympy.erf(x) + sympy.pi * x, modules=mpctx.lambdify_modules())
    with mpctx.mpmath.workdps(50):
        v = f(mpctx.mpmath.mpf(1))
    with mpmath.workdps(50):
        assert v == mpmath.erf(1) + mpmath.pi


# ---------------------------------------------------------------------------
# no module may use mpmath's global context
# ---------------------------------------------------------------------------

PKG = pathlib.Path(freealg.__file__).parent


def _modules():
    for p in sorted(PKG.rglob("*.py")):
        if p.relative_to(PKG).as_posix() != "_utils/mpctx.py":
            yield p


def _violations(path):
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(PKG)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            out += [f"{where}: import {a.name}" for a in node.names if a.name.split(".")[0] == "mpmath"]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").split(".")[0] == "mpmath":
                out.append(f"{where}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            args = list(node.args) + [k.value for k in node.keywords]
            if name in ("import_module", "__import__") and any(
                isinstance(a, ast.Constant) and str(a.value).split(".")[0] == "mpmath" for a in args
            ):
                out.append(f"{where}: dynamic import of mpmath")
            if name == "lambdify":
                for a in ast.walk(ast.Module(body=[ast.Expr(a) for a in args], type_ignores=[])):
                    if isinstance(a, ast.Constant) and a.value == "mpmath":
                        out.append(f'{where}: lambdify with "mpmath" (binds the global context)')
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if not (isinstance(t, ast.Attribute) and t.attr in ("dps", "prec")):
                    continue
                v = t.value
                # ``mpmath.mp`` is the private context (checked below); any other ``mp``
                # or ``<x>.mp`` may be mpmath's global one
                if (isinstance(v, ast.Name) and v.id == "mp") or (
                    isinstance(v, ast.Attribute)
                    and v.attr == "mp"
                    and not (isinstance(v.value, ast.Name) and v.value.id == "mpmath")
                ):
                    out.append(f"{where}: assignment to {ast.unparse(t)}")
    return out


def _private_mpmath_name(path):
    """Every module that uses the name ``mpmath`` must bind it to the private
    context (``from ..._utils.mpctx import mpmath``)."""
    tree = ast.parse(path.read_text(), str(path))
    uses = any(isinstance(n, ast.Name) and n.id == "mpmath" for n in ast.walk(tree))
    binds = any(
        isinstance(n, ast.ImportFrom)
        and (n.module or "").endswith("mpctx")
        and any(a.name == "mpmath" and a.asname is None for a in n.names)
        for n in ast.walk(tree)
    )
    return not uses or binds


def test_no_module_uses_the_global_mpmath_context():
    bad = [v for p in _modules() for v in _violations(p)]
    bad += [f"{p.relative_to(PKG)}: uses the name mpmath without importing it from _utils.mpctx"
            for p in _modules() if not _private_mpmath_name(p)]
    assert bad == [], "\n".join(bad)


def test_the_ast_check_catches_reintroductions(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(
        "import mpmath\nfrom mpmath import mp\nimport mpmath.libmp as lm\n"
        "mp.dps = 30\nctx.mp.prec += 10\n"
        "import sympy\nf = sympy.lambdify(x, e, 'mpmath')\ng = sympy.lambdify(x, e, modules=['mpmath'])\n"
        "h = __import__('mpmath')\n"
    )
    global PKG
    old, PKG = PKG, tmp_path
    try:
        found = _violations(src)
    finally:
        PKG = old
    assert len(found) == 8, found


def test_alarm_guard_from_four_threads_leaves_no_trace():
    from freealg._utils import detsympy as _detsympy

    x, y = sympy.symbols("x y")
    before = _global_state()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ThreadPoolExecutor(max_workers=4) as pool:
            out = list(pool.map(lambda k: _detsympy.factor(x**2 - k**2 * y**2), range(1, 9)))
    assert out == [(x - k * y) * (x + k * y) for k in range(1, 9)]
    assert _global_state() == before
