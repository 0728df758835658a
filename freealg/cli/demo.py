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

    from ..cumulants import free_cumulants
    from ..partitions import kreweras_complements, noncrossing_partitions

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

    from ..cumulants import free_cumulants, moments_from_free_cumulants

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
    from ..cumulants import free_mul_moments

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

    from .._utils import detsympy as _detsympy
    from ..cumulants import free_mul_moments

    a, b = sympy.symbols("alpha beta", positive=True)
    m2 = free_mul_moments([a, a], [b, b])[1]
    expected = a * b**2 + a**2 * b - a**2 * b**2
    report.append(
        {
            "title": "tr(pqpq) for free projections of traces alpha, beta",
            "result": str(_detsympy.factor(m2)),
            "check": "equals alpha beta^2 + alpha^2 beta - alpha^2 beta^2",
            "ok": sympy.expand(m2 - expected) == 0,
        }
    )


def _step_jacobian(report):
    import sympy

    from ..dnn.curves import jacobian_curve
    from ..dnn import MLP
    from ..dnn.polynomials import free_model
    from ..laws import Bernoulli
    from ..nc.ncpoly import tr

    L = 4
    sw = sympy.sqrt(2)
    curve = jacobian_curve(L, Bernoulli(sympy.Rational(1, 2)), sigma_w=sw, weights="orthogonal")
    # second route: the freeness engine on tr((J J^T)^k) of the same network
    net = MLP(L, "relu", init="orthogonal", sigma_w=sw)
    model, names = free_model(net)
    J = names["J"]
    engine = [sympy.nsimplify(model.moment(tr((J * J.T) ** k))) for k in range(1, 5)]
    curve_m = curve.moments(4)
    import numpy as np

    res = curve.density(np.linspace(0.05, 13.45, 120))
    ok = [sympy.nsimplify(v) for v in curve_m] == engine and res.evidence.ok
    report.append(
        {
            "title": f"Jacobian spectrum of a depth-{L} ReLU network at the edge of chaos "
            "(orthogonal weights, sigma_w = sqrt 2, J = W_4 D_3 ... D_1 W_1)",
            "result": curve.report(),
            "check": "curve moments = freeness-engine tr((J J^T)^k), k <= 4, exactly; density "
            f"certified (mass error {res.evidence.mass_error:.1e}, residual {res.evidence.max_residual:.1e})",
            "ok": bool(ok),
        }
    )


def _step_mp_cubed_density(report):
    import numpy as np

    from ..laws import FussCatalan

    s = 4  # MP^{⊠3}: Haagerup–Möller parametrisation with s = L + 1
    theta = np.linspace(0.02, np.pi / s - 0.02, 60)
    x = np.sin(s * theta) ** s / (np.sin(theta) * np.sin((s - 1) * theta) ** (s - 1))
    exact = np.sin(theta) ** 2 * np.sin((s - 1) * theta) ** (s - 2) / (np.pi * np.sin(s * theta) ** (s - 1))
    curve = FussCatalan(3).curve()
    res = curve.density(x)
    err = float(np.max(np.abs(res.density - exact) / exact))
    # the published polynomial-method choice: the root of largest |Im G| at x + i0
    import sympy

    zs, Gs = sympy.Symbol("z"), sympy.Symbol("G")  # the module symbols of SpectralCurve
    poly = sympy.Poly(curve.polynomial, Gs)
    wrong = []
    for xv in x:
        cs = [complex(c.subs(zs, complex(xv, 1e-9))) for c in poly.all_coeffs()]
        r = np.roots(cs)
        wrong.append(-np.max(np.abs(r.imag)) / np.pi)
    wrong = np.abs(np.array(wrong))
    werr = float(np.max(np.abs(wrong - exact) / exact))
    report.append(
        {
            "title": "Density of MP^{⊠3} (a degree-4 curve) on 60 points against the exact "
            "Haagerup–Möller parametrisation",
            "result": f"freealg max relative error {err:.1e}; largest-|Im G| root choice: {werr:.1e}",
            "check": "freealg error <= 1e-10 and the evidence is certified",
            "ok": err <= 1e-10 and bool(res.evidence.ok),
        }
    )


def _step_fim_two_layer(report):
    import sympy

    from ..dnn.curves import fim_two_layer_curve

    a1, a2 = sympy.Rational(3, 4), sympy.Rational(2, 3)
    q = (sympy.Integer(1), sympy.Rational(1, 2), sympy.Rational(1, 3))
    curve = fim_two_layer_curve(alpha=(a1, a2), sigma_w=1, q=q)
    atoms = {sympy.nsimplify(a): sympy.nsimplify(m) for a, m in curve.atoms()}
    expected = {q[2]: 1 - a2, q[2] + q[1]: a2 - a1, q[2] + q[1] + q[0]: a1 + a2 - 1}
    expected = {k: v for k, v in expected.items() if v > 0}
    # moments against the recursion mu_{l+1} = (q_l + .)_*(nu_l ⊠ mu_l) on moment sequences
    from ..cumulants import free_mul_moments

    n = 4
    mu2 = [(1 - a1) * q[1] ** j + a1 * (q[1] + q[0]) ** j for j in range(1, n + 1)]
    prod = free_mul_moments([a2] * n, mu2)
    mu3 = [sum(sympy.binomial(j, i) * q[2] ** (j - i) * (prod[i - 1] if i else 1) for i in range(j + 1))
           for j in range(1, n + 1)]
    ok = atoms == expected and [sympy.nsimplify(v) for v in curve.moments(n)] == [sympy.nsimplify(v) for v in mu3]
    report.append(
        {
            "title": "One-sample FIM of a two-hidden-layer network [HK21], alpha = (3/4, 2/3), "
            "q = (1, 1/2, 1/3), sigma_w = 1",
            "result": curve.report(),
            "check": "atoms = {q_2: 1 - a_2, q_2 + q_1: a_2 - a_1, q_2 + q_1 + q_0: a_1 + a_2 - 1} and "
            "moments = the spectral recursion on moment sequences, exactly",
            "ok": bool(ok),
        }
    )


_STEPS = [
    _step_mp_cumulants,
    _step_fuss_catalan,
    _step_projections,
    _step_jacobian,
    _step_mp_cubed_density,
    _step_fim_two_layer,
]


def run_demo(json_output=False, out=None):
    """Run every demo step; return 0 if all checks pass, 1 otherwise."""
    out = out or sys.stdout
    report = []
    for step in _STEPS:
        step(report)
    if json_output:
        print(json.dumps(report, default=str, allow_nan=False), file=out)
    else:
        for i, item in enumerate(report, 1):
            print(f"[{i}] {item['title']}", file=out)
            res = item["result"]
            if isinstance(res, list):
                res = ", ".join(str(r) if not isinstance(r, Fraction) else f"{r}" for r in res)
            res = str(res).replace("\n", "\n            ")
            print(f"    result: {res}", file=out)
            print(f"    check:  {item['check']}: {'PASS' if item['ok'] else 'FAIL'}", file=out)
        npass = sum(1 for r in report if r["ok"])
        print(f"{npass} of {len(report)} checks passed", file=out)
    return 0 if all(r["ok"] for r in report) else 1
