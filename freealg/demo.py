"""``freealg demo``: derivations run end to end, each with its independent check.

Each step prints a result and the second route that confirms it; the demo
exits non-zero if any check fails, so it doubles as a smoke test of a fresh
install.
"""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction

__all__ = ["run_demo"]


def _kreweras_mul_moments(ma, mb, n):
    """phi((ab)^n) = sum_{pi in NC(n)} kappa_pi[a] m_{K(pi)}[b] by enumeration."""
    import numpy as np

    from .cumulants import free_cumulants
    from .partitions import kreweras_complements, noncrossing_partitions

    ka = free_cumulants(ma[:n])
    mb0 = [1] + list(mb[:n])
    out = []
    for k in range(1, n + 1):
        P = noncrossing_partitions(k)
        K = kreweras_complements(P)
        total = 0
        for p, q in zip(P, K):
            term = 1
            for s in np.bincount(p.astype(np.int64)).tolist():
                term *= ka[s - 1]
            for s in np.bincount(q.astype(np.int64)).tolist():
                term *= mb0[s]
            total += term
        out.append(total)
    return out


def _step_mp_cumulants(report):
    import sympy

    from .cumulants import free_cumulants, moments_from_free_cumulants

    lam = sympy.Symbol("lambda", positive=True)
    n = 6
    # Marchenko–Pastur (free Poisson) moments are the Narayana polynomials
    narayana = [
        sum(sympy.Rational(math.comb(k, j) * math.comb(k, j - 1), k) * lam**j for j in range(1, k + 1))
        for k in range(1, n + 1)
    ]
    kappa = free_cumulants(narayana)
    ok = all(sympy.simplify(k - lam) == 0 for k in kappa)
    back = moments_from_free_cumulants(kappa)
    ok = ok and all(sympy.expand(a - b) == 0 for a, b in zip(back, narayana))
    report.append(
        {
            "title": "Free cumulants of Marchenko–Pastur (rate lambda) from its Narayana moments",
            "result": [str(k) for k in kappa],
            "check": "all kappa_n = lambda, and the moments are recovered exactly",
            "ok": bool(ok),
        }
    )


def _step_fuss_catalan(report):
    from .cumulants import free_mul_moments

    n = 8
    cat = [math.comb(2 * k, k) // (k + 1) for k in range(1, n + 1)]
    s_route = free_mul_moments(cat, cat)
    nc_route = _kreweras_mul_moments(cat, cat, n)
    closed = [math.comb(3 * k, k) // (2 * k + 1) for k in range(1, n + 1)]
    ok = s_route == nc_route == closed
    report.append(
        {
            "title": "Moments of MP ⊠ MP: S-transform series vs Kreweras sum over NC(n)",
            "result": s_route,
            "check": "equal to the Kreweras route and to binom(3n, n)/(2n + 1) exactly",
            "ok": bool(ok),
        }
    )


def _step_projections(report):
    import sympy

    from .cumulants import free_mul_moments

    a, b = sympy.symbols("alpha beta", positive=True)
    m2 = free_mul_moments([a, a], [b, b])[1]
    expected = a * b**2 + a**2 * b - a**2 * b**2
    report.append(
        {
            "title": "tr(pqpq) for free projections of traces alpha, beta",
            "result": str(sympy.factor(m2)),
            "check": "equals alpha beta^2 + alpha^2 beta - alpha^2 beta^2",
            "ok": sympy.expand(m2 - expected) == 0,
        }
    )


_STEPS = [_step_mp_cumulants, _step_fuss_catalan, _step_projections]


def run_demo(json_output=False, out=None):
    """Run every demo step; return 0 if all checks pass, 1 otherwise."""
    out = out or sys.stdout
    report = []
    for step in _STEPS:
        step(report)
    if json_output:
        print(json.dumps(report, default=str), file=out)
    else:
        for i, item in enumerate(report, 1):
            print(f"[{i}] {item['title']}", file=out)
            res = item["result"]
            if isinstance(res, list):
                res = ", ".join(str(r) if not isinstance(r, Fraction) else f"{r}" for r in res)
            print(f"    result: {res}", file=out)
            print(f"    check:  {item['check']}: {'PASS' if item['ok'] else 'FAIL'}", file=out)
        npass = sum(1 for r in report if r["ok"])
        print(f"{npass} of {len(report)} checks passed", file=out)
    return 0 if all(r["ok"] for r in report) else 1
