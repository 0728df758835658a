r"""Per-layer mean-field data of an MLP for its spectral laws (private).

:func:`layer_data` gives the pre-activation variances ``q^ℓ``, the
post-activation second moments ``q_ℓ = ‖x_ℓ‖²/M`` and the laws ``ν_ℓ`` of
``D_ℓ² = φ'(h_ℓ)²``, either at the fixed point (``q_in=None``) or along the
finite-depth sequence from ``q_in = ‖x_0‖²/n_0``; :func:`to_float` (re-exported from
:mod:`freealg._utils.numbers`) converts a real number of any kind.  Used by :mod:`freealg.dnn.jacobian`,
:mod:`freealg.dnn.fisher` and the numeric adapters of
:mod:`freealg.dnn._spectra`; the number kinds are described there.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .._utils.symbolic import sympify_safe
from .._utils import detsympy as _ds
from .._utils.numbers import to_float
from ..errors import InvalidArgumentError

__all__ = ["LayerData", "layer_data", "to_float"]




def _exact(v, name):
    from ..laws._kinds import _exact as ex

    return ex(v, name)


def _float_out(v, what, law):
    """A number of a float-kind law as a Python float (overflow raises)."""
    return to_float(v, f"{what} of {law!r}")


def _is_float(v):
    return isinstance(v, (float, np.floating))


# ---------------------------------------------------------------------------
# per-layer mean-field data
# ---------------------------------------------------------------------------


class LayerData:
    """Mean-field data of a network along its depth.

    Attributes
    ----------
    pre : list
        ``[q^1, …, q^L]``, pre-activation variances (exact sympy numbers;
        ``sympy.oo`` when the fixed point diverges).
    post : list
        ``[q_0, …, q_L]``, ``q_ℓ = E φ(h_ℓ)² = lim ‖x_ℓ‖²/M`` (``q_0`` the input).
    nus : list of Law
        ``[ν_1, …, ν_L]``, the law of ``φ'(h_ℓ)²``.
    fixed_point : bool
        Every layer at ``q*`` (``q_in=None``).
    sigma_w2 : sympy number
        ``σ_w²`` (exact; the binary value of the float ``σ_w**2`` for a float σ_w).
    float_kind : bool
        The data come from floats (module docstring) and every ``ν`` is
        atomic: laws built on them return floats.  (With a smooth activation
        the ``ν``'s are mpmath laws and the numbers stay mpmath at ``dps``.)
    """

    def __init__(self, pre, post, nus, fixed_point, sigma_w2, q_in, float_kind=False):
        self.pre = pre
        self.post = post
        self.nus = nus
        self.fixed_point = fixed_point
        self.sigma_w2 = sigma_w2
        self.q_in = q_in
        self.float_kind = float_kind

    def __repr__(self):
        return (f"LayerData(pre={self.pre}, post={self.post}, nus={self.nus}, "
                f"fixed_point={self.fixed_point})")


def _square(v, name):
    """``v²`` exact; a float is squared in floating point first (a float
    parameter ``σ_w²``, held as its exact binary value)."""
    if _is_float(v):
        try:
            return _exact(float(v) ** 2, name + "^2")
        except OverflowError:
            from ..errors import FloatRangeError

            raise FloatRangeError(
                f"{name} = {v!r}: its square overflows float64; pass an exact number "
                "(Fraction, sympy.Rational) or a value below 1e154") from None
    return _exact(v, name) ** 2


def _check_q_in(q_in):
    if q_in is None:
        return None
    if isinstance(q_in, bool):
        raise InvalidArgumentError(f"q_in must be a real number >= 0 (‖x_0‖²/n_0); got {q_in!r}")
    try:
        v = to_float(q_in)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"q_in must be a real number >= 0 (‖x_0‖²/n_0); got {q_in!r}") from exc
    if not math.isfinite(v) or v < 0:
        raise InvalidArgumentError(
            f"q_in must be a finite real number >= 0 (‖x_0‖²/n_0); got {q_in!r}")
    return q_in


def _nu_piecewise(act, q):
    """Law of φ'(h)², h ~ N(0, q), for a piecewise-linear activation: exact when
    the activation is positively homogeneous (the law does not depend on q) or
    q = 0, else a float law (the probabilities are floats of the float q)."""
    from ..laws import Atomic, Bernoulli, PointMass

    if act.positively_homogeneous:
        law = act.dphi_values_probabilities(sympy.Integer(1))
        vals = [_exact(v, "phi'^2 value") if not isinstance(v, sympy.Basic) else v for v, _ in law]
        probs = [sympify_safe(p) for _, p in law]
    else:
        qf = to_float(q)
        if qf == 0:
            law = act.dphi_values_probabilities(sympy.Integer(0))
            vals = [sympify_safe(v) for v, _ in law]
            probs = [sympify_safe(p) for _, p in law]
        else:
            law = act.dphi_values_probabilities(qf)
            vals = [to_float(v) for v, _ in law]
            probs = [to_float(p) for _, p in law]
    pairs = [(v, p) for v, p in zip(vals, probs) if p != 0]
    if len(pairs) == 1:
        return PointMass(pairs[0][0])
    if len(pairs) == 2 and pairs[0][0] == 0 and pairs[1][0] == 1:
        return Bernoulli(pairs[1][1])
    return Atomic([v for v, _ in pairs], [p for _, p in pairs])


def _nu(act, q, dps):
    from ..laws import activation_derivative_law

    if act.piecewise_linear:
        return _nu_piecewise(act, q)
    return activation_derivative_law(act, q, dps=dps)


def layer_data(net, q_in=None, *, dps=30, need_finite=False):
    r"""Per-layer ``q^ℓ``, ``q_ℓ`` and ``ν_ℓ`` of ``net`` (module docstring).

    ``q_in=None``: every layer at the fixed point ``q*`` of the q-map, with the
    input at the fixed point too (``σ_w² q_0 + σ_b² = q*``, i.e. ``q_0 = q̂*``).
    Otherwise ``q^1 = σ_w² q_in + σ_b²``, ``q^{ℓ+1} = σ_w² q_ℓ + σ_b²``,
    ``q_ℓ = E φ(√q^ℓ z)²``.

    ``need_finite``: raise when some ``q`` is infinite or when all ``q_ℓ``
    vanish (the FIM needs them).
    """
    act = net.activation
    L = net.depth
    q_in = _check_q_in(q_in)
    # σ_b = 0.0 (the default) is exactly zero and enters no number
    float_kind = (_is_float(net.sigma_w) or (_is_float(net.sigma_b) and net.sigma_b != 0)
                  or _is_float(q_in))
    sw2 = _square(net.sigma_w, "sigma_w")
    sb2 = _square(net.sigma_b, "sigma_b")
    if act.positively_homogeneous:
        c2 = sympify_safe(act.gaussian_expectation("phi2", sympy.Integer(1)))
        slope = sw2 * c2  # the q-map is q -> slope q + sb2
        # a float sigma_w (e.g. float(critical_sigma_w("relu"))) is critical
        # within rounding: follow the mean-field module's phase (tol 1e-9)
        critical = _ds.simplify(slope - 1) == 0 or (
            (_is_float(net.sigma_w) or _is_float(net.sigma_b)) and net.phase() == "critical")
        if q_in is None:
            if sb2 == 0:
                if critical:
                    qs = sw2  # q* = q^1 from the default input q_in = 1 (MLP.q_star)
                elif (slope - 1).is_negative:
                    qs = sympy.Integer(0)
                else:
                    qs = sympy.oo
            else:
                qs = sb2 / (1 - slope) if (slope - 1).is_negative and not critical else sympy.oo
            pre = [qs] * L
            post = [c2 * qs if qs is not sympy.oo else sympy.oo] * (L + 1)
        else:
            q0 = _exact(q_in, "q_in")
            pre, post = [], [q0]
            for _ in range(L):
                v = sw2 * post[-1] + sb2
                pre.append(v if v.is_Rational else _ds.simplify(v))
                post.append(c2 * pre[-1])
    else:
        if q_in is None:
            qs = net.q_star(dps=None)
            qs_f = to_float(qs)
            if not math.isfinite(qs_f):
                pre = [sympy.oo] * L
                post = [sympy.oo] * (L + 1)
            else:
                qh = to_float(act.gaussian_expectation("phi2", qs_f))
                pre = [_exact(qs_f, "q*")] * L
                post = [_exact(qh, "q̂*")] * (L + 1)
        else:
            qf = [to_float(v) for v in net.q_sequence(to_float(q_in))]
            qhf = [to_float(v) for v in net.qhat_sequence(to_float(q_in))]
            pre = [_exact(v, "q") if math.isfinite(v) else sympy.oo for v in qf]
            post = [_exact(q_in, "q_in")] + [_exact(v, "q") if math.isfinite(v) else sympy.oo
                                              for v in qhf[1:]]
    if any(v is sympy.oo for v in pre) and not act.positively_homogeneous:
        raise InvalidArgumentError(
            f"the forward variance of {net!r} diverges (q* = oo: chaotic phase of an unbounded "
            "activation), so the law of D^2 is undefined; pass q_in= to follow a finite-depth "
            "sequence from a given input"
        )
    if need_finite:
        if any(v is sympy.oo for v in post):
            raise InvalidArgumentError(
                f"the forward variance of {net!r} diverges (q* = oo: the q-map slope "
                f"σ_w² E[φ(z)²] >= 1 with σ_b > 0, or > 1); the FIM law needs finite "
                "q_ℓ = ‖x_ℓ‖²/M: pass q_in= to follow a finite-depth sequence"
            )
        if all(v == 0 for v in post[:L]):
            raise InvalidArgumentError(
                f"every q_ℓ = ‖x_ℓ‖²/M of {net!r} is 0 (the fixed point is q* = 0), so the "
                "one-sample FIM Θ_L vanishes; pass q_in= > 0 to follow a finite-depth sequence"
            )
    # the q's of other activations are floats from the mean field: their ν's take them as floats
    nus = [_nu(act, (pre[ell] if act.positively_homogeneous else to_float(pre[ell]))
               if pre[ell] is not sympy.oo else 1, dps) for ell in range(L)]
    float_kind = float_kind or any(nu._float for nu in nus)
    # a smooth activation's ν is an mpmath law (moments at dps digits): laws built
    # on it keep returning mpmath numbers at the requested dps
    from ..laws import ActivationDerivativeLaw

    float_kind = float_kind and not any(isinstance(nu, ActivationDerivativeLaw) for nu in nus)
    return LayerData(pre, post, nus, q_in is None, sw2, q_in, float_kind)
