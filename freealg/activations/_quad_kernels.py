"""numba kernel of the float 2-D Gaussian expectations (private; imported on
first use by :mod:`freealg.activations.quadrature_np`, never at
``import freealg``): the Mehler sums ``Σ_{k<=K} ρ^k α_k(s11) α_k(s22)``, one
pair at a time, each summed to the lowest order whose truncation bound is at
rounding level for that pair (module docstring of ``quadrature_np``).
"""

import math

import numba


@numba.njit(cache=True, error_model="numpy")
def mehler_sums(AT, logtails, orders, e2, i1, i2, rho, rel, absb, target, out, ok):  # pragma: no cover - compiled
    """Mehler sums for the pairs ``(i1[p], i2[p])``.

    ``AT[u, k] = α_k(s_u)``; ``logtails[u, t] = log t_{orders[t]}(s_u)``, the
    log of a bound on ``Σ_{k>orders[t]} α_k(s_u)²``.  For each pair the order
    is the lowest ``orders[t]`` whose bound ``|ρ|^{K+1} √(t(s11) t(s22))`` is
    below ``target √(E f(u)² E f(v)²)`` (else the highest); ``ok[p]`` says
    whether the bound of the order used is below ``rel`` of the value or
    ``absb`` of ``√(E f(u)² E f(v)²)``.  The sum runs as two interleaved
    Horner chains in ``ρ²`` (even and odd k).
    """
    nord = orders.size
    for p in range(rho.size):
        j1 = i1[p]
        j2 = i2[p]
        r = rho[p]
        ar = abs(r)
        scale = math.sqrt(e2[j1] * e2[j2])
        lr = math.log(ar) if ar > 0 else -math.inf
        goal = math.log(target * scale) if scale > 0 else -math.inf
        t = nord - 1
        for tt in range(nord):
            lb = (orders[tt] + 1) * lr + 0.5 * (logtails[j1, tt] + logtails[j2, tt])
            if lb <= goal:
                t = tt
                break
        K = orders[t]
        r2 = r * r
        ev = 0.0
        od = 0.0
        k = K
        if k % 2 == 1:
            od = AT[j1, k] * AT[j2, k]
            k -= 1
        ev = AT[j1, k] * AT[j2, k]
        k -= 1
        while k >= 1:
            od = od * r2 + AT[j1, k] * AT[j2, k]
            ev = ev * r2 + AT[j1, k - 1] * AT[j2, k - 1]
            k -= 2
        acc = ev + r * od
        lb = (K + 1) * lr + 0.5 * (logtails[j1, t] + logtails[j2, t])
        bound = math.exp(lb)
        out[p] = acc
        ok[p] = (bound <= rel * abs(acc)) or (bound <= absb * scale)


@numba.njit(cache=True, error_model="numpy")
def hermite_block(z, k0, prev, cur, H):  # pragma: no cover - compiled
    """Rows ``k0 .. k0 + H.shape[0] − 1`` of the table of orthonormal Hermite
    polynomials ``h_k(z)`` into ``H``; ``prev``, ``cur`` hold ``h_{k0−1}``,
    ``h_{k0}`` on entry and are advanced in place by ``H.shape[0]`` orders."""
    m, N = H.shape
    for i in range(m):
        k = k0 + i
        sk = math.sqrt(k)
        ik = 1.0 / math.sqrt(k + 1)
        for n in range(N):
            H[i, n] = cur[n]
            nxt = (z[n] * cur[n] - sk * prev[n]) * ik
            prev[n] = cur[n]
            cur[n] = nxt
