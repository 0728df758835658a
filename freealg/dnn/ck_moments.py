r"""The Fan–Wang conjugate-kernel recursion on moment sequences (docs/theory.md §7).

Fan & Wang (2020): the limit spectrum of the conjugate kernel ``X_ℓᵀ X_ℓ`` of a
random MLP is obtained layer by layer by an affine map of a moment sequence and a
free multiplicative convolution with a Marchenko–Pastur law (:func:`mp_moments`).
:func:`conjugate_kernel_moments` runs the recursion for given layer parameters,
:func:`mlp_conjugate_kernel_moments` reads them from an :class:`~freealg.MLP`;
both are also importable from :mod:`freealg.dnn.kernels`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._utils.validate import MAX_MOMENT_ORDER, check_int, check_real, describe
from ..activations import FloatRangeError
from ..cumulants import free_mul_moments
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError
from ._mf_engine import _KERNEL_HINT, _Eng, _check_net, _guarded, _range_error, _sig, _sig_float

__all__ = ["conjugate_kernel_moments", "mlp_conjugate_kernel_moments", "mp_moments"]


def _is_exact(v):
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool) or type(v).__module__.startswith("sympy")


def mp_moments(n, gamma):
    r"""Moments ``m_1..m_n`` of the Marchenko–Pastur law ``MP_γ`` (ratio γ,
    variance 1): the limit spectrum of ``(1/d) GᵀG`` for ``G`` of size
    ``d × n`` with i.i.d. standard entries and ``n/d → γ``.
    ``m_k = Σ_{j=1}^k N(k, j) γ^{j−1}`` (Narayana numbers); it is the free
    Poisson law of rate ``1/γ`` and jump ``γ`` (docs/theory.md §2).

    Parameters
    ----------
    n : int, 1 <= n <= 2000
        Number of moments.
    gamma : real > 0
        The ratio ``γ``; exact (int, ``Fraction``, sympy) input gives exact
        moments, a float gives floats.

    Returns
    -------
    list
        ``[m_1, …, m_n]`` in the kind of ``gamma`` (``m_1 = 1``).

    Raises
    ------
    InvalidArgumentTypeError
        A non-integer ``n`` or a non-numeric ``gamma``.
    InvalidArgumentError
        ``n < 1``, or ``gamma <= 0`` or not finite.
    TooLargeError
        ``n > 2000``.
    FloatRangeError
        The float moments overflow (large float ``gamma`` and ``n``); pass
        ``gamma`` as an exact number.

    Examples
    --------
    >>> from fractions import Fraction
    >>> mp_moments(4, 1)
    [1, 2, 5, 14]
    >>> mp_moments(3, Fraction(1, 2))
    [Fraction(1, 1), Fraction(3, 2), Fraction(11, 4)]
    """
    n = _check_n(n)
    g = gamma
    try:
        check_real(g, "gamma", positive=True)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"gamma = n_samples/width must be finite and > 0; got {gamma!r}") from None
    out = []
    try:
        for k in range(1, n + 1):
            s = 0
            for j in range(1, k + 1):
                s = s + (math.comb(k, j) * math.comb(k, j - 1) // k) * g ** (j - 1)
            out.append(s)
    except OverflowError:
        raise FloatRangeError(
            f"the Marchenko-Pastur moments with gamma = {gamma!r} overflow float64 at order {k}; "
            "pass gamma as an exact number (Fraction, sympy.Rational) for exact moments") from None
    return out


def _check_n(n):
    """The number of moments: a positive int, bounded (the recursions are O(n^2)+)."""
    try:
        return check_int(n, "n", minimum=1, maximum=MAX_MOMENT_ORDER,
                         hint="the moment recursions are quadratic in n; ask for fewer moments")
    except (InvalidArgumentTypeError, TooLargeError):
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(f"n must be a positive integer; got {n!r}") from None


def _seq(values, name):
    """A scalar or a 1-D sequence of real numbers, as a list (kinds kept)."""
    if isinstance(values, (str, bytes)):
        raise InvalidArgumentTypeError(
            f"{name} must be a real number or a sequence of them; got {describe(values)} of type str")
    vals = list(values) if np.ndim(values) else [values]
    return [check_real(v, f"{name}[{i}]") for i, v in enumerate(vals)]


def _affine_moments(m, a, s):
    """Moments of a + s X from those of X (m_0 = 1 implicit)."""
    full = [1] + list(m)
    out = []
    for k in range(1, len(m) + 1):
        out.append(sum(math.comb(k, j) * a ** (k - j) * s ** j * full[j] for j in range(k + 1)))
    return out


def conjugate_kernel_moments(n, gammas, b, mu0=None):
    r"""Moments of the conjugate-kernel spectra by the Fan–Wang recursion.

    Fan & Wang (NeurIPS 2020, Thm 3.4): for ``X_ℓ = σ(W_ℓ X_{ℓ−1})/√d_ℓ``
    with standard Gaussian ``W_ℓ`` (``d_ℓ × d_{ℓ−1}``), ``n`` inputs whose
    columns are (approximately) orthonormal-norm, ``n/d_ℓ → γ_ℓ``, and
    ``σ`` normalised (``E σ(ξ) = 0``, ``E σ(ξ)² = 1``), the spectrum of the
    ``n × n`` conjugate kernel ``X_ℓᵀX_ℓ`` converges to::

        μ_ℓ = MP_{γ_ℓ} ⊠ ((1 − b²) + b² μ_{ℓ−1}),    b = E σ'(ξ),

    where ``μ_0`` is the input Gram spectrum.  The moments are computed
    exactly from moment sequences: the affine pushforward
    ``m_k(a + sX) = Σ_j C(k,j) a^{k−j} s^j m_j(X)`` and
    :func:`freealg.free_mul_moments`.  Exact inputs (int, Fraction, sympy)
    give exact moments.

    Parameters
    ----------
    n : int
        Number of moments.
    gammas : sequence of positive reals (one per layer) or a scalar
        Ratios ``γ_ℓ = n_samples / d_ℓ``.
    b : real or sequence (one per layer)
        ``b_ℓ = E σ_ℓ'(ξ)``, ``b² <= 1``.
    mu0 : sequence, optional
        Moments ``m_1..m_n`` of ``μ_0``; default ``δ_1`` (orthonormal inputs).

    Returns
    -------
    list of lists
        ``[moments of μ_1, …, moments of μ_L]``.

    Raises
    ------
    InvalidArgumentTypeError
        A non-integer ``n`` or non-numeric ``gammas``, ``b`` or ``mu0``.
    InvalidArgumentError
        ``n < 1``; an empty ``gammas`` or a ``γ <= 0``; ``b`` of another
        length than ``gammas``; ``b² > 1`` or a non-finite ``b``; ``mu0``
        with fewer than ``n`` moments, non-finite moments or ``m_1 <= 0``.
    TooLargeError
        ``n > 2000`` or more than 100000 layers.

    Examples
    --------
    ``b = 1`` (linear) and ``γ = 1``: ``MP^{⊠ℓ}`` with Fuss–Catalan moments:

    >>> conjugate_kernel_moments(4, [1, 1], 1)
    [[1, 2, 5, 14], [1, 3, 12, 55]]

    ``b = 0``: each layer forgets its input and is ``MP_γ``:

    >>> conjugate_kernel_moments(3, [2, 2], 0)[1] == mp_moments(3, 2)
    True
    """
    n = _check_n(n)
    gl = _seq(gammas, "gammas")
    if not gl:
        raise InvalidArgumentError("gammas must list at least one layer")
    for i, g in enumerate(gl):
        check_real(g, f"gammas[{i}]", positive=True)
    if len(gl) > 100_000:
        raise TooLargeError(f"gammas lists {len(gl)} layers, more than the supported maximum 100000")
    bl = _seq(b, "b")
    if not np.ndim(b):
        bl = bl * len(gl)
    if len(bl) != len(gl):
        raise InvalidArgumentError(f"b has {len(bl)} entries but gammas has {len(gl)}")
    for i, bb in enumerate(bl):
        bf = float(bb)
        if not math.isfinite(bf) or bf * bf > 1 + 1e-12:
            raise InvalidArgumentError(
                f"b_{i + 1} = E sigma'(xi) must be finite with b^2 <= 1 (normalised activation); got {bb!r}"
            )
    if mu0 is None:
        mu = [1] * n
    else:
        mu = _seq(mu0, "mu0")
        if len(mu) < n:
            raise InvalidArgumentError(f"mu0 needs at least n = {n} moments; got {len(mu)}")
        mu = mu[:n]
        if not all(math.isfinite(float(v)) for v in mu) or float(mu[0]) <= 0:
            raise InvalidArgumentError("mu0 must be finite moments of a law on [0, inf) with m_1 > 0")
    out = []
    for g, bb in zip(gl, bl):
        b2 = bb * bb
        shifted = _affine_moments(mu, 1 - b2, b2)
        exact = all(_is_exact(v) for v in [g, bb] + list(mu))
        mu = free_mul_moments(mp_moments(n, g), shifted, check=exact)
        out.append(mu)
    return out


def _ck_parameters(net, *, gammas, n_samples, q_in, dps, centre):
    """``(γ_ℓ, b_ℓ, q̂_ℓ)`` of the hidden layers ``ℓ = 1..L−1`` for the Fan–Wang
    recursion (shared by the moments and :mod:`freealg.dnn.ck_law`).

    ``centre=False``: the activation must be centred (``E phi(h_ℓ) = 0``),
    else InvalidArgumentError.  ``centre=True``: every layer uses the centred
    activation ``phi(h) − E phi(h_ℓ)`` (Fan & Wang 2020, Assumption 3.2), so
    ``q^{ℓ+1} = σ_w² Var phi(h_ℓ)``, ``q̂^ℓ = Var phi(h_ℓ)`` and
    ``b_ℓ = √q^ℓ E phi'(h_ℓ)/√q̂^ℓ`` (the derivative is unchanged by the shift).
    """
    from . import meanfield

    _check_net(net)
    if not isinstance(centre, (bool, np.bool_)):
        raise InvalidArgumentTypeError(
            f"centre must be True or False; got {describe(centre)} of type {type(centre).__name__}")
    if dps is not None:
        _Eng(dps)  # checks dps
    L = net.depth
    if L < 2:
        raise InvalidArgumentError("a depth-1 net has no hidden layer, hence no conjugate kernel")
    if float(net.sigma_b) != 0:
        raise InvalidArgumentError(
            f"the Fan–Wang recursion assumes no biases; got sigma_b = {net.sigma_b!r}"
        )
    if float(check_real(q_in, "q_in")) <= 0:
        raise InvalidArgumentError(f"q_in must be > 0; got {q_in!r}")
    if gammas is None:
        if n_samples is None or net.widths is None:
            raise InvalidArgumentError("give gammas (N / n_ell per hidden layer), or n_samples with net widths")
        gammas = [Fraction(check_int(n_samples, "n_samples", minimum=1), w) for w in net.widths[1:L]]
    gl = _seq(gammas, "gammas")
    if not np.ndim(gammas):
        gl = gl * (L - 1)
    if len(gl) != L - 1:
        raise InvalidArgumentError(f"gammas needs one entry per hidden layer ({L - 1}); got {len(gl)}")
    act = net.activation
    kw = {"dps": dps + 5} if dps is not None else {}
    if centre:
        sw2 = _sig_float(net)[0] if dps is None else _sig(net, _Eng(dps))[0]
        q = sw2 * q_in if dps is not None else float(sw2) * float(q_in)
        qs = []
        for ell in range(1, L):
            qs.append(q)
            qv = q if dps is not None else float(q)
            var = (act.gaussian_expectation("phi2", qv, **kw)
                   - act.gaussian_expectation("phi", qv, **kw) ** 2)
            q = sw2 * var
            if not math.isfinite(float(q)):
                raise _range_error(net, f"q^{ell + 1} overflows float64", hint=_KERNEL_HINT)
    else:
        qs = meanfield.q_sequence(net, q_in, dps=dps)[: L - 1]
    bs, scale = [], []
    for q in qs:
        qv = q if dps is not None else float(q)
        e1 = act.gaussian_expectation("phi", qv, **kw)
        e2 = act.gaussian_expectation("phi2", qv, **kw)
        ed = act.gaussian_expectation("dphi", qv, **kw)
        if centre:
            e2 = e2 - e1 * e1
            e1 = 0 * e1
        if e2 == 0 or float(e2) <= 0:
            raise InvalidArgumentError("the features vanish (Var phi(h) = 0): no conjugate kernel")
        if abs(float(e1)) > 1e-10 * math.sqrt(float(e2)):
            raise InvalidArgumentError(
                f"{act!r} is not centred at q = {float(q):.6g}: E phi(h) = {float(e1):.6g} != 0. "
                "The Fan–Wang recursion needs E phi(h) = 0: use an odd activation such as "
                "tanh/erf, or centre=True for the network with centred activations "
                "phi(h) - E phi(h) (Fan & Wang 2020, Assumption 3.2)"
            )
        bs.append(q ** 0.5 * ed / e2 ** 0.5)
        scale.append(e2)
    if dps is None:
        bs = [float(v) for v in bs]
        scale = [float(v) for v in scale]
    return gl, bs, scale


@_guarded
def mlp_conjugate_kernel_moments(net, n, *, gammas=None, n_samples=None, mu0=None, q_in=1, dps=None,
                                 centre=False):
    r"""Moments of the conjugate-kernel spectra of the hidden layers of an MLP.

    The layer-``ℓ`` conjugate kernel is the ``N × N`` Gram matrix
    ``CK_ℓ = (1/n_ℓ) Φ_ℓᵀ Φ_ℓ`` of the features ``x_ℓ = phi(h_ℓ)`` of
    ``N`` inputs with equal norms ``‖x‖²/n_0 = q_in`` (``ℓ = 1..L−1``,
    Gaussian weights, ``σ_b = 0``).  Writing ``h_ℓ = √q^ℓ ξ`` and
    ``σ_ℓ(ξ) = phi(√q^ℓ ξ)/√q̂^ℓ`` (normalised), the Fan–Wang recursion
    applies with ``b_ℓ = √q^ℓ E[phi'(h_ℓ)]/√q̂^ℓ`` and
    ``CK_ℓ = q̂^ℓ × (Fan–Wang kernel)``, so the k-th moment is
    ``(q̂^ℓ)^k m_k(μ_ℓ)``.

    Parameters
    ----------
    net : MLP
        Needs ``σ_b = 0`` and a centred activation (``E phi(h) = 0``, e.g.
        tanh, erf, hardtanh, linear); relu is not centred (its kernel has a
        rank-one spike outside this recursion).
    n : int
        Number of moments.
    gammas : sequence of L − 1 positive reals, or a scalar
        ``γ_ℓ = N / n_ℓ``.  Alternatively give ``n_samples = N`` and use the
        net's ``widths``.
    mu0 : moments of the spectrum of the normalised input Gram matrix
        (default ``δ_1``: orthonormal inputs).
    q_in : real > 0
    dps : None or int (precision of ``b_ℓ`` and ``q̂^ℓ``)
    centre : bool, optional
        ``True``: the moments of the network whose activation is centred at
        every layer, ``phi(h) − E phi(h_ℓ)`` (Fan & Wang 2020, Assumption
        3.2; any activation, e.g. relu); then ``q̂^ℓ = Var phi(h_ℓ)`` and
        ``q^{ℓ+1} = σ_w² q̂^ℓ``.  Default ``False``: the activation itself
        must be centred.
    n_samples : int >= 1, optional
        ``N``, with the net's ``widths``, when ``gammas`` is not given.

    Returns
    -------
    list of L − 1 moment lists.

    Raises
    ------
    InvalidArgumentError
        ``depth = 1`` (no hidden layer), ``σ_b != 0``, ``q_in <= 0``, an
        activation that is not centred with ``centre=False``, vanishing
        features, neither ``gammas`` nor ``n_samples`` with widths,
        ``gammas`` of the wrong length or not positive, or a bad ``mu0``.
    InvalidArgumentTypeError
        ``net`` not an :class:`MLP`, a non-bool ``centre`` or non-numeric
        parameters.
    TooLargeError
        ``n > 2000`` or ``dps > 1000``.
    FloatRangeError
        A forward variance overflows float64.

    Examples
    --------
    Linear net, ``σ_w = 1``, ``γ = 1``: Fuss–Catalan moments:

    >>> import freealg
    >>> freealg.MLP(3, "linear", init="gaussian").conjugate_kernel_moments(3, gammas=1)
    [[1.0, 2.0, 5.0], [1.0, 3.0, 12.0]]
    """
    n = _check_n(n)
    gl, bs, scale = _ck_parameters(net, gammas=gammas, n_samples=n_samples, q_in=q_in, dps=dps,
                                   centre=centre)
    normalised = conjugate_kernel_moments(n, gl, bs, mu0)
    return [[s ** (k + 1) * m for k, m in enumerate(ms)] for s, ms in zip(scale, normalised)]
