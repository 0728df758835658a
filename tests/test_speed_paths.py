"""Correctness of the fast paths of the ⊠ engine on the workloads of the
speed benchmarks (``benchmarks/bench_mp_power.py``,
``benchmarks/bench_critical_line.py``): the compiled kernels for rational
S-transforms, the unknown ``lg(u - c)`` next to an atom at 0, the power-fit
predictor and the atom shortcut.  Every check is against an independent
truth (Haagerup-Moller, the numpy problem, an mpmath continuation,
Belinschi's rule applied step by step), never against wall time.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import freealg
from freealg._utils.mpctx import mpmath
from freealg.density import continuation as C
from freealg.density.mul_engine import _MulEngine
from freealg.density.mul_equation import _MulProblem, _RationalMulProblem
from freealg.density.mul_exact import _product_atoms, belinschi_step
from freealg.functional import free_mul_law


def hm_grid(L, n=1000):
    """(x, rho, bulk) of MP^{⊠L} on the benchmark's Haagerup-Moller theta grid."""
    s = L + 1
    theta = np.pi / s * (np.arange(n) + 0.5) / n
    xs, rs = [], []
    with mpmath.workdps(30):
        for t in theta:
            t = mpmath.mpf(t)
            xs.append(float(mpmath.sin(s * t) ** s / (mpmath.sin(t) * mpmath.sin((s - 1) * t) ** (s - 1))))
            rs.append(float(mpmath.sin(t) ** 2 * mpmath.sin((s - 1) * t) ** (s - 2)
                            / mpmath.sin(s * t) ** (s - 1) / mpmath.pi))
    x, rho = np.array(xs), np.array(rs)
    bulk = (theta * s / np.pi > 0.01) & (theta * s / np.pi < 0.99) & (x > 1e-300)
    return x, rho, bulk


@pytest.mark.parametrize("L", [2, 32, 10000])
def test_mp_power_benchmark_grid_against_haagerup_moller(L):
    x, rho, bulk = hm_grid(L)
    law = free_mul_law([freealg.MarchenkoPastur(1)], [L])
    assert isinstance(law._engine().walk, _RationalMulProblem)  # the compiled path
    res = law.density(x)
    assert res.evidence.ok
    rel = np.abs(res.density[bulk] / rho[bulk] - 1)
    # (the reference is at the exact x(theta), the grid at its double: next to
    # the edges that rounding alone moves rho by ~1e-13 relative)
    assert np.max(rel) < 1e-11


def _relu_law(L=2):
    net = freealg.MLP(L, activation="relu", init="gaussian", sigma_w=float(np.sqrt(2.0)), sigma_b=0.0)
    return net.jacobian_law()._backend_obj()


def _mp_reference(law, x, y=0.0):
    """G(x + i y) by an mpmath continuation of ``w = zG - 1`` from far above
    (the engine's mpmath walk, started from the moment series, 40 digits):
    independent of the float kernels and of the ``lg(u - c)`` unknown."""
    eng = law._engine()
    y0 = 64.0 * eng.scale
    m = [float(v) for v in law.moments(12)]
    z = complex(x, y0)
    w0 = sum(mk / z ** (k + 1) for k, mk in enumerate(m))
    g, _ = eng._mp_descend(float(x), y0, w0)
    if y:
        pytest.skip("reference on the axis only")
    return complex(g)


def test_relu_critical_line_next_to_the_atom_without_mpmath(monkeypatch):
    """ReLU/Gaussian at the critical line, depth 2: an atom 1/2 at 0
    (Bernoulli(1/2) factor, Belinschi) and a gap up to ~0.113.  Next to
    the atom ``u = zG -> 1/2`` where the Bernoulli S has its pole; the walk
    in ``lg(u - 1/2)`` resolves it in float64 (the support scan used to fall
    back to an mpmath continuation at ~50 points)."""
    law = _relu_law(2)
    assert [(float(a), float(m)) for a, m in law.atoms()] == [(0.0, 0.5)]  # Belinschi: Bernoulli(1/2)
    eng = law._engine()
    assert isinstance(eng.walk, _RationalMulProblem) and eng.walk.c == 0.5
    calls = []
    monkeypatch.setattr(_MulEngine, "_mp_descend", lambda self, *a, **k: calls.append(a) or (None, 0.0))
    sup = law.support()
    assert not calls
    assert len(sup) == 1 and 0.1 < sup[0][0] < 0.12
    # boundary values in the gap next to the atom against an mpmath continuation
    monkeypatch.undo()
    xs = eng.scale * np.array([1e-13, 1e-10, 1e-7, 1e-4])
    G, err, _, ok, _ = eng.values(xs, np.zeros_like(xs))
    assert ok.all()
    for k, xv in enumerate(xs):
        ref = _mp_reference(law, xv)
        assert abs(G[k] - ref) <= 1e-13 * abs(ref) + err[k]
        assert abs(G[k].imag) <= err[k] + 8 * C.EPS * abs(G[k])  # real: the gap
    # the atom's residue is its Belinschi mass
    res = law.density(np.linspace(0.0, 1.05 * sup[0][1], 1000))
    ev = res.evidence
    assert ev.ok
    (loc, mass, residue, unc), = ev.atom_checks
    assert loc == 0 and mass == 0.5 and abs(residue - 0.5) <= 1e-12 and unc <= 1e-12
    assert abs(ev.mass_continuous - 0.5) <= 1e-12


def test_relu_density_against_mpmath_continuation():
    law = _relu_law(2)
    xs = np.array([0.2, 1.0, 5.0, 12.0, 17.0])
    res = law.density(xs)
    for k, xv in enumerate(xs):
        ref = -_mp_reference(law, xv).imag / np.pi
        assert abs(res.density[k] - ref) <= 1e-12 * abs(ref)


@pytest.mark.parametrize("case", ["mp2", "mp32", "relu2", "relu32", "hardtanh8", "hardtanh32"])
def test_kernels_solve_the_numpy_equation(case):
    """The compiled problem (started 16 scales up, power-fit predictor) and
    the numpy ``_MulProblem`` (a second implementation of the same
    equation, unknown ``log u``, started 64 scales up, log-log predictor)
    walk to the same ``G`` on the axis, next to it and off it, also close
    to 0 (where the numpy walk may fail next to an atom: compared where
    both succeed)."""
    kind, L = case.rstrip("0123456789"), int(case.lstrip("abcdefghijklmnopqrstuvwxyz"))
    if kind == "mp":
        law = free_mul_law([freealg.MarchenkoPastur(1)], [L])
    elif kind == "relu":
        law = _relu_law(L)
    else:
        sw = float(freealg.critical_sigma_w("hardtanh", sigma_b=0.05))
        law = freealg.MLP(L, activation="hardtanh", init="orthogonal", sigma_w=sw,
                          sigma_b=0.05).jacobian_law()._backend_obj()
    eng = law._engine()
    assert isinstance(eng.walk, _RationalMulProblem)
    top = eng.support()[-1][1]
    grid = np.concatenate([np.linspace(0.02, 1.2, 40), np.geomspace(1e-9, 1e-2, 15)]) * top
    x = np.concatenate([grid, grid, grid])
    y = np.concatenate([np.zeros(grid.size), 1e-6 * grid, np.full(grid.size, 0.1 * top)])
    G, err, _, ok, _ = eng.values(x, y)
    tr = C.descend(_MulProblem(law), x, y, Y0=64.0 * eng.scale, xscale=eng.scale)
    Gn = np.exp(tr.U[:, 0]) / (x + 1j * y)
    both = ok & tr.ok
    assert both.sum() >= 0.8 * x.size
    assert np.all(np.abs(G[both] - Gn[both]) <= 1e-10 * np.abs(Gn[both]))


def _atoms_stepwise(factors, powers):
    """Belinschi's rule applied once per power (no shortcut)."""
    cur = None
    for f, L in zip(factors, powers):
        at = [(a, m) for a, m in f.atoms() if m != 0]
        for _ in range(L):
            cur = list(at) if cur is None else belinschi_step(cur, at)
    return cur or []


@pytest.mark.parametrize("p,L", [(sympy.Rational(1, 3), 7), (sympy.Rational(3, 4), 9),
                                 (sympy.Rational(9, 10), 12)])
def test_atoms_shortcut_is_belinschi(p, L):
    factors = [freealg.Bernoulli(p), freealg.MarchenkoPastur(1)]
    assert _product_atoms(factors, [L, 3]) == _atoms_stepwise(factors, [L, 3])


def test_hard_tanh_critical_line_atoms_are_belinschi():
    sw = float(freealg.critical_sigma_w("hardtanh", sigma_b=0.05))
    law = freealg.MLP(32, activation="hardtanh", init="orthogonal", sigma_w=sw,
                      sigma_b=0.05).jacobian_law()
    top = law.support()[-1][1]
    res = law.density(np.linspace(0.0, 1.05 * top, 1000))
    ev = res.evidence
    assert ev.ok
    b = law._backend_obj()
    exact = _atoms_stepwise(b.factors, b.powers)
    assert len(ev.atom_checks) == len(exact)
    for (loc, mass, residue, unc), (a, m) in zip(ev.atom_checks, exact):
        assert loc == pytest.approx(float(a), rel=1e-15) and mass == pytest.approx(float(m), rel=1e-15)
        assert abs(residue - float(m)) <= max(3 * unc, 1e-8)


@pytest.mark.parametrize("p,L", [(sympy.Rational(1, 2), 3), (sympy.Rational(3, 4), 5)])
def test_free_projection_powers_within_their_error_bounds(p, L):
    """Powers of a free projection: an atom of mass ``c = 1 - p`` at 0, the
    Bernoulli S-transform with its pole at ``u = c``, walked in ``lg(u -
    c)``: every value (bulk and next to the top edge) is within its error
    bound of an mpmath continuation (40 digits, unknown ``w``)."""
    law = free_mul_law([freealg.Bernoulli(p)], [L])
    top = law.support()[-1][1]
    x = np.linspace(0, 1.1 * top, 301)
    res = law.density(x)
    assert res.evidence.ok
    inside = np.nonzero((x > 0) & (x < top))[0]
    for k in np.concatenate([inside[-12:], inside[::40]]):
        ref = -_mp_reference(law, x[k]).imag / np.pi
        assert abs(res.density[k] - ref) <= res.error[k] + 4 * C.EPS * abs(ref)
