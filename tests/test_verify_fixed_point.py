"""The default input variance of the verify checks sits at the mean-field fixed
point: ``σ_w² q0 + σ_b² = q*`` with ``q*`` the fixed point of
``q ↦ σ_w² E[φ(√q z)²] + σ_b²`` that the forward pass reaches from
``‖x_0‖²/n_0 = 1``.  verify takes ``q*`` from :func:`freealg.dnn.meanfield.q_star`
(one implementation); the values here are independent: closed forms of the
q-map solved or bounded with mpmath."""
import pytest

import freealg
from freealg._utils.mpctx import mpmath
from freealg.errors import ConvergenceError
from freealg.verify.network import _fixed_point_q0, _meanfield


def test_erf_fixed_point_matches_the_closed_form_q_map():
    # E[erf(√q z)²] = (2/π) asin(2q/(1 + 2q)); the map is concave and increasing
    # with one fixed point above σ_b² (attracting from q^1 = σ_w² + σ_b²)
    sw, sb = 2.0, 0.3
    with mpmath.workdps(40):
        def g(q):
            return sw**2 * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)) + sb**2 - q

        qstar = mpmath.findroot(g, (mpmath.mpf(sb) ** 2 + mpmath.mpf("1e-6"), 20), solver="anderson")
        expected = float((qstar - mpmath.mpf(sb) ** 2) / sw**2)
    q0 = _fixed_point_q0(freealg.MLP(3, "erf", sigma_w=sw, sigma_b=sb))
    assert q0 == pytest.approx(expected, rel=1e-12)


def test_relu_at_criticality_keeps_the_unit_input():
    # E relu(√q z)² = q/2, so σ_w = √2, σ_b = 0 fixes every q: the forward pass
    # from ‖x_0‖²/n_0 = 1 stays at q^ℓ = 2, and the input already sits there
    net = freealg.MLP(3, "relu", sigma_w=2**0.5, sigma_b=0.0)
    q0 = _fixed_point_q0(net)
    assert q0 == pytest.approx(1.0, rel=1e-14)
    qh, qx = _meanfield(net, q0)
    assert qh == pytest.approx([2.0, 2.0, 2.0], rel=1e-14)


def test_hardtanh_at_unit_slope_decays_to_zero():
    # q − E[htanh(√q z)²] = E[(x² − 1) 1{|x| > 1}] = 2(q − 1)Φ(−a) + 2√q φ(a),
    # a = 1/√q (x ~ N(0, q)), is > 0 for every q > 0: with σ_w = 1, σ_b = 0 the
    # only fixed point is 0 and the forward pass decays to it (slowly: the gap is
    # ~ e^{−1/2q} and the slope at 0 is 1, which a plain iteration cannot resolve)
    with mpmath.workdps(50):
        for k in range(-12, 13):
            q = mpmath.mpf(10) ** (mpmath.mpf(k) / 4)
            a = 1 / mpmath.sqrt(q)
            gap = 2 * (q - 1) * mpmath.ncdf(-a) + 2 * mpmath.sqrt(q) * mpmath.npdf(a)
            assert gap > 0
    net = freealg.MLP(3, "hardtanh", sigma_w=1.0, sigma_b=0.0)
    assert _fixed_point_q0(net) == 0.0


def test_an_exploding_forward_pass_is_refused():
    # relu with χ = σ_w²/2 > 1 and σ_b > 0: q^ℓ grows without bound
    net = freealg.MLP(3, "relu", sigma_w=2.0, sigma_b=0.5)
    with pytest.raises(ConvergenceError, match="pass q0 explicitly"):
        _fixed_point_q0(net)


def test_check_jacobian_spectrum_default_q0_at_hardtanh_unit_slope():
    # the default q0 of the check used to raise ConvergenceError here
    from freealg import verify

    net = freealg.MLP(2, "hardtanh", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    rep = verify.check_jacobian_spectrum(net, depths=(2,), widths=(8, 16), trials=2,
                                         n_moments=2, progress=False, rng=0)
    assert "q0 = 0," in rep.claim
    # D = φ'(0) = 1 at q = 0: J Jᵀ = W2 W1 W1ᵀ W2ᵀ, orthogonal: every moment is 1
    assert [c["predicted"] for c in rep.data["depths"][2]["limit"]["checks"]] == pytest.approx([1.0, 1.0])
