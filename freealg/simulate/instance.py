r"""Random matrix ensembles and finite-width random networks (numpy only).

Every sampler takes a numpy :class:`numpy.random.Generator` ``rng`` (e.g.
``numpy.random.default_rng(0)``), so that every simulation is reproducible.
The normalisations are chosen so that the large-``n`` limits are the free
objects of docs/theory.md §2 with the normalised trace ``tr = (1/n) Tr``:

=========================  =====================================  ==========================
sampler                    finite ``n``                           limit
=========================  =====================================  ==========================
:func:`haar_orthogonal`    Haar measure on O(n)                   Haar unitary ``u``
:func:`haar_unitary`       Haar measure on U(n)                   Haar unitary ``u``
:func:`ginibre`            i.i.d. entries ``N(0, v/n)``           circular element, variance ``v``
:func:`wigner`             GOE / GUE, ``E|H_ij|² = v/n``          semicircle of variance ``v``
:func:`wishart`            ``X Xᵀ``, ``X`` ``n × m`` Ginibre      free Poisson, rate ``m/n``, jump ``v``
=========================  =====================================  ==========================

Finite-width multilayer perceptrons (docs/theory.md §1): :func:`sample_network`
draws the weights and biases of an :class:`freealg.MLP` specification at a
given width and returns a :class:`NetworkInstance`, which runs the forward
pass ``h_ℓ = W_ℓ x_{ℓ−1} + b_ℓ``, ``x_ℓ = φ(h_ℓ)`` and gives the actual
``D_ℓ = diag(φ'(h_ℓ))``, the input–output Jacobian (seed or PSG convention),
the one-sample Fisher information / NTK matrix ``Θ_L`` (docs/theory.md §6) and the
explicit parameter Jacobian.

Examples
--------
>>> import numpy as np
>>> from freealg import simulate
>>> rng = np.random.default_rng(0)
>>> O = simulate.haar_orthogonal(5, rng)
>>> np.allclose(O @ O.T, np.eye(5))
True
>>> X = simulate.ginibre(400, rng, variance=2.0)
>>> round(float(np.trace(X @ X.T)) / 400, 1)       # tr(c c*) = variance = 2
2.0
"""

from __future__ import annotations

import math

import numpy as np

from ._utils.validate import check_choice, check_finite_array, check_int, check_real, describe
from .errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

__all__ = [
    "haar_orthogonal",
    "haar_unitary",
    "ginibre",
    "wigner",
    "wishart",
    "random_input",
    "sample_network",
    "NetworkInstance",
    "ForwardPass",
]


# ---------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------


#: Largest memory (bytes) a single sampler call may allocate; larger requests
#: raise :class:`~freealg.errors.TooLargeError` before anything is allocated.
MAX_BYTES = 4 * 2**30
#: Largest matrix size or width accepted at all (before the memory estimate).
MAX_SIZE = 2**31


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise InvalidArgumentTypeError(
            f"rng must be a numpy Generator; got {describe(rng)} of type {type(rng).__name__}. "
            "Use rng = numpy.random.default_rng(seed)."
        )
    return rng


def _check_size(n, name="n"):
    try:
        return check_int(n, name, minimum=1, maximum=MAX_SIZE,
                         hint="no simulation of that size fits in memory; the infinite-width "
                              "limits are computed exactly by the theory modules")
    except TooLargeError:
        raise
    except InvalidArgumentTypeError:
        raise InvalidArgumentTypeError(
            f"{name} must be a positive integer (a matrix size); got {describe(n)} of type "
            f"{type(n).__name__}"
        ) from None
    except InvalidArgumentError:
        raise InvalidArgumentError(f"{name} must be a positive integer (a matrix size); got {n}") from None


def _check_bytes(nbytes, what):
    """Refuse, before allocating, a request above :data:`MAX_BYTES`."""
    if nbytes > MAX_BYTES:
        raise TooLargeError(
            f"{what} needs about {nbytes / 2**30:.3g} GiB, more than the {MAX_BYTES / 2**30:g} GiB "
            "a simulation may allocate; use smaller sizes (the infinite-width limits are "
            "computed exactly by the theory modules, and moments converge like 1/N)"
        )


def _check_real(x, name, *, positive=False, nonnegative=False):
    """A finite real number, as a float (the shared checker)."""
    return float(check_real(x, name, positive=positive, nonnegative=nonnegative))


def _check_field(field):
    return check_choice(field, "field", ("real", "complex"))


# ---------------------------------------------------------------------------
# ensembles
# ---------------------------------------------------------------------------


def haar_orthogonal(n, rng):
    r"""A Haar-distributed ``n × n`` orthogonal matrix.

    QR decomposition ``Z = QR`` of a matrix ``Z`` with i.i.d. ``N(0, 1)``
    entries, followed by the sign correction ``O = Q diag(sign R_ii)`` (so that
    the triangular factor has ``R_ii > 0``; without it the law of ``Q``
    depends on the QR implementation and is not Haar).  The law is invariant,
    ``U O V ~ O`` for fixed orthogonal ``U, V``; as ``n → ∞``, ``O`` is a Haar
    unitary element: ``tr(O^k) → 0`` for ``k ≥ 1`` (at finite ``n``,
    ``E Tr(O^k) = 1`` for even ``k`` and ``0`` for odd ``k``, so the
    correction to ``tr`` is ``O(1/n)``).

    Parameters
    ----------
    n : int >= 1
        Matrix size.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of shape (n, n), float64

    Raises
    ------
    InvalidArgumentTypeError
        If a size is not an integer or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If a size is ``< 1``.
    TooLargeError
        If a size exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> O = haar_orthogonal(4, np.random.default_rng(1))
    >>> np.allclose(O.T @ O, np.eye(4)), round(float(abs(np.linalg.det(O))), 12)
    (True, 1.0)

    References
    ----------
    F. Mezzadri, How to generate random matrices from the classical compact
    groups, Notices AMS 54 (2007).
    """
    n = _check_size(n)
    rng = _check_rng(rng)
    _check_bytes(4 * 8 * n * n, f"haar_orthogonal(n={n})")
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    d = np.diagonal(r)
    return q * np.where(d < 0, -1.0, 1.0)


def haar_unitary(n, rng):
    r"""A Haar-distributed ``n × n`` unitary matrix (complex QR with phase
    correction ``U = Q diag(R_ii / |R_ii|)``).

    At finite ``n``, ``E Tr(U^k) = 0`` for every ``k ≥ 1``; the normalised
    trace of a fixed word in ``U, U*`` and deterministic matrices has
    ``O(1/n²)`` corrections (docs/theory.md §2).

    Parameters
    ----------
    n : int >= 1
        Matrix size.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of shape (n, n), complex128

    Raises
    ------
    InvalidArgumentTypeError
        If a size is not an integer or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If a size is ``< 1``.
    TooLargeError
        If a size exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> U = haar_unitary(3, np.random.default_rng(2))
    >>> np.allclose(U.conj().T @ U, np.eye(3))
    True
    """
    n = _check_size(n)
    rng = _check_rng(rng)
    _check_bytes(5 * 16 * n * n, f"haar_unitary(n={n})")
    z = (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / math.sqrt(2.0)
    q, r = np.linalg.qr(z)
    d = np.diagonal(r)
    return q * (d / np.abs(d))


def ginibre(n, rng, variance=1.0, m=None, *, field="real"):
    r"""A Ginibre matrix: ``n × m`` with i.i.d. centred Gaussian entries of
    variance ``variance / n``.

    For ``m = n`` the limit is the circular element ``c`` of variance ``v``
    (docs/theory.md §2: the only non-zero cumulants are ``κ_2(c, c*) = κ_2(c*, c) =
    v``), e.g. ``tr(c c*) = v`` and ``tr((c c*)²) = 2v²``.  For ``m ≠ n`` the
    entries still have variance ``v/n`` (``n`` = number of rows), so that
    ``X X*`` is the Wishart matrix of :func:`wishart` (free Poisson with rate
    ``m/n`` and jump ``v``).  With ``field="complex"`` the real and imaginary
    parts are independent with variance ``v/(2n)`` each (``E|X_ij|² = v/n``).

    Parameters
    ----------
    n : int >= 1
        Number of rows.
    rng : numpy.random.Generator
        Source of randomness.
    variance : float > 0, default 1.0
        Limit variance ``v = tr(c c*)``.
    m : int >= 1, optional
        Number of columns (default ``n``).
    field : {"real", "complex"}, default "real"
        Real Gaussian or complex Gaussian entries.

    Returns
    -------
    ndarray of shape (n, m)
        float64 for ``field="real"``, complex128 otherwise.

    Raises
    ------
    InvalidArgumentTypeError
        If a size is not an integer, ``variance`` not a real number, or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If a size is ``< 1``, ``variance`` is not a finite real ``> 0``, or
        ``field`` is not ``"real"``/``"complex"``.
    TooLargeError
        If a size exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> X = ginibre(500, np.random.default_rng(0), variance=0.5)
    >>> round(float(np.mean(X**2)) * 500, 2)          # entry variance = v/n
    0.5
    """
    n = _check_size(n)
    m = n if m is None else _check_size(m, "m")
    rng = _check_rng(rng)
    v = _check_real(variance, "variance", positive=True)
    _check_field(field)
    _check_bytes((2 if field == "real" else 5) * 8 * n * m, f"ginibre(n={n}, m={m})")
    s = math.sqrt(v / n)
    if field == "real":
        return s * rng.standard_normal((n, m))
    s /= math.sqrt(2.0)
    return s * (rng.standard_normal((n, m)) + 1j * rng.standard_normal((n, m)))


def wigner(n, rng, variance=1.0, *, field="real"):
    r"""A Gaussian Wigner matrix (GOE for ``field="real"``, GUE for
    ``"complex"``) with ``E|H_ij|² = v/n`` off the diagonal.

    GOE: ``H = (G + Gᵀ)/√2`` with ``G_ij ~ N(0, v/n)``, so the diagonal has
    variance ``2v/n``.  GUE: Hermitian with ``E|H_ij|² = v/n`` for all
    ``i, j``.  The limit is the semicircle law of variance ``v``
    (``tr H² → v``, ``tr H⁴ → 2v²``); at finite ``n``
    ``E tr H⁴ = 2v² + v²/n²`` for the GUE and ``2v² + 5v²/n + 5v²/n²`` for the
    GOE (genus expansion).

    Parameters
    ----------
    n : int >= 1
        Matrix size.
    rng : numpy.random.Generator
        Source of randomness.
    variance : float > 0, default 1.0
        The semicircle variance ``v``.
    field : {"real", "complex"}, default "real"
        GOE or GUE.

    Returns
    -------
    ndarray of shape (n, n), symmetric (real) or Hermitian (complex)

    Raises
    ------
    InvalidArgumentTypeError
        If ``n`` is not an integer, ``variance`` not a real number, or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If ``n < 1``, ``variance`` is not a finite real ``> 0``, or
        ``field`` is not ``"real"``/``"complex"``.
    TooLargeError
        If a size exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> H = wigner(300, np.random.default_rng(3))
    >>> np.allclose(H, H.T), round(float(np.trace(H @ H)) / 300, 1)
    (True, 1.0)
    """
    n = _check_size(n)
    rng = _check_rng(rng)
    v = _check_real(variance, "variance", positive=True)
    _check_field(field)
    _check_bytes((4 if field == "real" else 8) * 8 * n * n, f"wigner(n={n})")
    g = ginibre(n, rng, v, field=field)
    return (g + g.conj().T) / math.sqrt(2.0)


def wishart(n, rng, rate=1.0, variance=1.0, m=None, *, field="real"):
    r"""A Wishart matrix ``X X*`` (``n × n``), with ``X`` the ``n × m``
    Ginibre matrix of :func:`ginibre` (entries of variance ``v/n``).

    The limit is the free Poisson (Marchenko–Pastur) law with rate
    ``λ = m/n`` and jump ``α = v`` (docs/theory.md §2: ``κ_k = λ α^k``; for
    ``α = 1`` the moments are the Narayana polynomials, ``tr W = λ``,
    ``tr W² = λ + λ²``), i.e. :class:`freealg.MarchenkoPastur` ``(rate=λ,
    jump=α)``.  ``m`` defaults to ``round(rate * n)``; the finite-``n`` rate is
    then ``m/n``.

    Parameters
    ----------
    n : int >= 1
        Matrix size.
    rng : numpy.random.Generator
        Source of randomness.
    rate : float > 0, default 1.0
        ``λ = m/n``, used when ``m`` is not given.
    variance : float > 0, default 1.0
        The jump ``α``.
    m : int >= 1, optional
        Number of columns of ``X`` (overrides ``rate``).
    field : {"real", "complex"}, default "real"
        Real or complex Gaussian ``X``.

    Returns
    -------
    ndarray of shape (n, n), positive semi-definite
        float64 (real) or complex128 Hermitian (complex).

    Raises
    ------
    InvalidArgumentTypeError
        If a size is not an integer, ``rate``/``variance`` not a real number, or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If a size is ``< 1``, ``rate * n`` rounds to 0 columns, ``rate`` or
        ``variance`` is not a finite real ``> 0``, or ``field`` is not
        ``"real"``/``"complex"``.
    TooLargeError
        If a size exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> W = wishart(400, np.random.default_rng(4), rate=2.0)
    >>> round(float(np.trace(W)) / 400, 1)              # tr W -> rate = 2
    2.0
    """
    n = _check_size(n)
    rng = _check_rng(rng)
    if m is None:
        lam = _check_real(rate, "rate", positive=True)
        m = int(round(lam * n))
        if m < 1:
            raise InvalidArgumentError(
                f"rate * n = {lam * n!r} rounds to 0 columns; use a larger n or rate, "
                "or give m explicitly"
            )
    else:
        m = _check_size(m, "m")
    _check_bytes((2 if field == "real" else 5) * 8 * (n * m + n * n), f"wishart(n={n}, m={m})")
    x = ginibre(n, rng, variance, m, field=field)
    return x @ x.conj().T


def random_input(width, rng, q0=1.0):
    r"""A random input ``x_0`` of dimension ``width`` with exactly
    ``‖x_0‖²/width = q0`` (a uniformly random direction, rescaled).

    Parameters
    ----------
    width : int >= 1
        Dimension ``M_0``.
    rng : numpy.random.Generator
        Source of randomness.
    q0 : float >= 0, default 1.0
        The input "variance" ``q_0 = ‖x_0‖²/M_0`` of docs/theory.md §6.

    Returns
    -------
    ndarray of shape (width,), float64
        ``x_0`` with ``x_0 @ x_0 = q0 * width`` (up to rounding).

    Raises
    ------
    InvalidArgumentTypeError
        If ``width`` is not an integer, ``q0`` not a real number, or ``rng`` is not a
        ``numpy.random.Generator``.
    InvalidArgumentError
        If ``width < 1`` or ``q0`` is negative or not finite.
    TooLargeError
        If ``width`` exceeds ``MAX_SIZE`` or the arrays would need more than
        ``MAX_BYTES`` (4 GiB), before anything is allocated.

    Examples
    --------
    >>> import numpy as np
    >>> x = random_input(10, np.random.default_rng(0), q0=2.0)
    >>> round(float(x @ x) / 10, 12)
    2.0
    """
    width = _check_size(width, "width")
    rng = _check_rng(rng)
    q0 = _check_real(q0, "q0", nonnegative=True)
    _check_bytes(2 * 8 * width, f"random_input(width={width})")
    z = rng.standard_normal(width)
    return z * math.sqrt(q0 * width / float(z @ z))


# ---------------------------------------------------------------------------
# finite-width networks
# ---------------------------------------------------------------------------


class ForwardPass:
    """The pre-activations and activations of one forward pass.

    Returned by :meth:`NetworkInstance.forward`.

    Parameters
    ----------
    h : list of ndarray
        The pre-activations ``[h_1, ..., h_L]``.
    x : list of ndarray
        The activations ``[x_0, x_1, ..., x_L]``.

    Raises
    ------
    IndexError
        Only later, from :attr:`output` when ``h`` is empty: the constructor
        stores its arguments without validation.

    Attributes
    ----------
    h : list of ndarray
        ``[h_1, ..., h_L]`` (``h[ℓ-1]`` is ``h_ℓ``).
    x : list of ndarray
        ``[x_0, x_1, ..., x_L]`` with ``x_ℓ = φ(h_ℓ)``.
    output : ndarray
        ``f = h_L``.

    Examples
    --------
    >>> import numpy as np
    >>> fp = ForwardPass([np.array([-1.0, 2.0])], [np.array([1.0]), np.array([0.0, 2.0])])
    >>> fp.output
    array([-1.,  2.])
    """

    __slots__ = ("h", "x")

    def __init__(self, h, x):
        self.h = h
        self.x = x

    @property
    def output(self):
        """The network output ``f = h_L`` (the last pre-activation)."""
        return self.h[-1]

    def __repr__(self):
        return f"ForwardPass(depth={len(self.h)}, widths={[v.shape[0] for v in self.x]})"


def _net_attr(net, name, default=None, required=True):
    if hasattr(net, name):
        return getattr(net, name)
    if required:
        raise InvalidArgumentError(
            f"net must be an MLP specification (freealg.MLP) with attribute {name!r}; "
            f"got {net!r} of type {type(net).__name__}"
        )
    return default


def _layer_widths(net, width):
    """Widths ``(M_0, ..., M_L)`` of a sample of ``net`` at input width ``width``."""
    depth = int(_net_attr(net, "depth"))
    widths = _net_attr(net, "widths", None, required=False)
    ratios = _net_attr(net, "ratios", None, required=False)
    if widths is not None:
        widths = tuple(int(w) for w in widths)
        if len(widths) != depth + 1:
            raise InvalidArgumentError(
                f"net.widths must list depth + 1 = {depth + 1} widths M_0..M_L; got {widths}"
            )
        if width is not None and _check_size(width, "width") != widths[0]:
            raise InvalidArgumentError(
                f"the MLP fixes the widths {widths}; got width={width!r}. Pass width=None, "
                "or build the MLP with ratios= (or neither) to choose the width here."
            )
        return widths
    if width is None:
        raise InvalidArgumentError(
            "width is required: the MLP specification does not fix the layer widths"
        )
    width = _check_size(width, "width")
    if ratios is not None:
        ratios = tuple(float(r) for r in ratios)
        if len(ratios) != depth + 1:
            raise InvalidArgumentError(
                f"net.ratios must list depth + 1 = {depth + 1} ratios; got {ratios}"
            )
        return tuple(max(1, int(round(r / ratios[0] * width))) for r in ratios)
    return (width,) * (depth + 1)


def _entry_law(net):
    """The sampled weight law: 'gaussian', 'orthogonal', 'glorot_uniform' or
    'glorot_normal'."""
    init = _net_attr(net, "init")
    name = getattr(init, "name", init)
    name = str(name).lower()
    if name in ("gaussian", "gauss", "normal"):
        return "gaussian"
    if name in ("orthogonal", "haar", "haar_orthogonal"):
        return "orthogonal"
    if name in ("glorot_uniform", "glorot_normal"):
        return name
    raise InvalidArgumentError(
        f"unknown init {init!r}: sample_network knows 'gaussian', 'orthogonal', "
        "'glorot_uniform' and 'glorot_normal'"
    )


def _init_name(net):
    """The universality class used by the infinite-width theory:
    'gaussian' (i.i.d. entries, including the Glorot inits) or 'orthogonal'."""
    law = _entry_law(net)
    return "orthogonal" if law == "orthogonal" else "gaussian"


def sample_network(net, width=None, rng=None):
    r"""Draw the weights and biases of a finite-width network from an MLP
    specification (docs/theory.md §1).

    Layer ``ℓ = 1..L`` maps width ``M_{ℓ−1}`` to ``M_ℓ``:

    * Gaussian init: ``(W_ℓ)_ij ~ N(0, σ_w²/M_{ℓ−1})`` (fan-in);
    * Glorot inits: i.i.d. entries of variance ``σ_w² · 2/(M_{ℓ−1} + M_ℓ)``,
      uniform on ``[−a, a]``, ``a = σ_w √(6/(M_{ℓ−1} + M_ℓ))``
      (``"glorot_uniform"``) or centred Gaussian (``"glorot_normal"``);
    * orthogonal init: ``W_ℓ = σ_w O`` with ``O`` Haar orthogonal
      (:func:`haar_orthogonal`); for a rectangular layer ``O`` is the
      ``M_ℓ × M_{ℓ−1}`` corner of a Haar matrix of size ``max(M_ℓ, M_{ℓ−1})``
      multiplied by ``sqrt(max(1, M_ℓ/M_{ℓ−1}))``, so that in both inits the
      entries have variance ``σ_w²/M_{ℓ−1}`` and the mean-field recursion is
      the same;
    * ``b_ℓ ~ N(0, σ_b²)`` (zero when ``σ_b = 0``).

    The widths are ``net.widths`` if the specification fixes them (then
    ``width`` must be None or ``M_0``), else ``M_ℓ = round(r_ℓ · width)`` with
    the relative widths ``net.ratios`` (``r_0 = 1``; all equal by default).

    Parameters
    ----------
    net : freealg.MLP
        Specification with ``depth``, ``activation`` (an
        :class:`freealg.Activation`), ``init``, ``sigma_w``, ``sigma_b`` and
        optionally ``widths``/``ratios`` and ``jacobian_convention``.
    width : int, optional
        Input width ``M_0`` (required unless ``net`` fixes the widths).
    rng : numpy.random.Generator
        Source of randomness (required despite the ``None`` default).

    Returns
    -------
    NetworkInstance

    Raises
    ------
    InvalidArgumentTypeError
        If ``rng`` is not a ``numpy.random.Generator`` (also when omitted),
        or ``width`` is not an integer.
    InvalidArgumentError
        If ``net`` lacks a needed attribute, has an unknown ``init``, negative
        ``sigma_w``/``sigma_b``, or ``widths``/``ratios`` of the wrong length;
        if ``width`` is missing (the specification fixes no widths), ``< 1``,
        or differs from fixed ``net.widths[0]``.
    TooLargeError
        If a width exceeds ``MAX_SIZE`` or the weights need more than
        ``MAX_BYTES`` (4 GiB), before anything is drawn.

    Examples
    --------
    >>> import numpy as np
    >>> import freealg
    >>> net = freealg.MLP(depth=3, activation="tanh", init="orthogonal", sigma_w=1.5, sigma_b=0.1)
    >>> inst = sample_network(net, 50, np.random.default_rng(0))
    >>> inst.widths, [W.shape for W in inst.weights]
    ((50, 50, 50, 50), [(50, 50), (50, 50), (50, 50)])
    >>> np.allclose(inst.weights[0] @ inst.weights[0].T, 1.5**2 * np.eye(50))
    True
    """
    rng = _check_rng(rng)
    widths = _layer_widths(net, width)
    depth = int(_net_attr(net, "depth"))
    init = _entry_law(net)
    sw = _check_real(_net_attr(net, "sigma_w"), "sigma_w", nonnegative=True)
    sb = _check_real(_net_attr(net, "sigma_b"), "sigma_b", nonnegative=True)
    # all weights are kept, plus the Haar/Gaussian draw of the largest layer
    big = max(max(a, b) for a, b in zip(widths[:-1], widths[1:]))
    _check_bytes(8 * sum(a * b for a, b in zip(widths[:-1], widths[1:])) + 4 * 8 * big * big,
                 f"sample_network(widths={widths if len(widths) <= 6 else widths[:3] + ('...',)})")
    weights, biases = [], []
    for ell in range(1, depth + 1):
        fan_out, fan_in = widths[ell], widths[ell - 1]
        if init == "gaussian":
            w = (sw / math.sqrt(fan_in)) * rng.standard_normal((fan_out, fan_in))
        elif init == "glorot_normal":
            w = (sw * math.sqrt(2.0 / (fan_in + fan_out))) * rng.standard_normal((fan_out, fan_in))
        elif init == "glorot_uniform":
            a = sw * math.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-a, a, (fan_out, fan_in))
        else:
            o = haar_orthogonal(max(fan_out, fan_in), rng)[:fan_out, :fan_in]
            w = sw * math.sqrt(max(1.0, fan_out / fan_in)) * o
        b = sb * rng.standard_normal(fan_out) if sb > 0 else np.zeros(fan_out)
        weights.append(w)
        biases.append(b)
    return NetworkInstance(net, weights, biases)


class NetworkInstance:
    r"""One finite-width random network: weights ``W_1..W_L``, biases
    ``b_1..b_L`` and the activation of an MLP specification.

    Built by :func:`sample_network` (or directly from given weights, e.g. for
    finite-difference checks).  All methods are exact linear algebra on the
    sampled matrices (no autograd); docs/theory.md §1 conventions:
    ``h_ℓ = W_ℓ x_{ℓ−1} + b_ℓ``, ``x_ℓ = φ(h_ℓ)``, output ``f = h_L``,
    ``D_ℓ = diag(φ'(h_ℓ))``.

    Parameters
    ----------
    net : freealg.MLP
        The specification (for the activation and the Jacobian convention).
    weights, biases : lists of ndarray
        ``W_ℓ`` of shape ``(M_ℓ, M_{ℓ−1})`` and ``b_ℓ`` of shape ``(M_ℓ,)``.

    Raises
    ------
    InvalidArgumentTypeError
        If a weight or bias is not a numeric array.
    InvalidArgumentError
        If an entry is not finite, the numbers of weights and biases differ
        or are zero, shapes do not chain (``W_ℓ`` must be ``(M_ℓ, M_{ℓ−1})``,
        ``b_ℓ`` ``(M_ℓ,)``), or ``net`` has no ``activation``.
    UnknownActivationError
        If ``net.activation`` is an unknown name.

    Attributes
    ----------
    net, weights, biases, widths (``(M_0, ..., M_L)``), depth, width
    (``= M_0``), activation.

    Examples
    --------
    A two-layer ReLU network small enough to check by hand:

    >>> import numpy as np, freealg
    >>> from freealg.simulate import NetworkInstance
    >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
    >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
    >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
    >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
    >>> inst.widths, inst.output(x)
    ((2, 2, 1), array([2.]))
    """

    def __init__(self, net, weights, biases):
        weights = [check_finite_array(w, f"weights[{i}]") for i, w in enumerate(weights)]
        biases = [check_finite_array(b, f"biases[{i}]") for i, b in enumerate(biases)]
        if len(weights) != len(biases) or not weights:
            raise InvalidArgumentError(
                f"need one bias per weight matrix and at least one layer; got "
                f"{len(weights)} weights and {len(biases)} biases"
            )
        if weights[0].ndim != 2:
            raise InvalidArgumentError(
                f"W_1 has shape {weights[0].shape}; a weight matrix is 2-d, (M_1, M_0)"
            )
        widths = [weights[0].shape[1]]
        for ell, (w, b) in enumerate(zip(weights, biases), start=1):
            if w.ndim != 2 or w.shape[1] != widths[-1]:
                raise InvalidArgumentError(
                    f"W_{ell} has shape {w.shape}; expected (M_{ell}, {widths[-1]})"
                )
            if b.shape != (w.shape[0],):
                raise InvalidArgumentError(
                    f"b_{ell} has shape {b.shape}; expected ({w.shape[0]},)"
                )
            widths.append(w.shape[0])
        self.net = net
        self.weights = weights
        self.biases = biases
        self.widths = tuple(int(v) for v in widths)
        self.depth = len(weights)
        self.width = self.widths[0]
        act = _net_attr(net, "activation")
        if isinstance(act, str):
            from .activations import get_activation

            act = get_activation(act)
        self.activation = act

    def __repr__(self):
        return (
            f"NetworkInstance(depth={self.depth}, widths={self.widths}, "
            f"activation={getattr(self.activation, 'name', self.activation)!r})"
        )

    # -- helpers ---------------------------------------------------------------

    def _input(self, x, batch=False):
        x = check_finite_array(x, "x")
        ok = (x.ndim == 1 or (batch and x.ndim == 2)) and x.shape[0] == self.widths[0]
        if not ok:
            want = f"({self.widths[0]},)" + (f" or ({self.widths[0]}, B)" if batch else "")
            raise InvalidArgumentError(f"input x has shape {x.shape}; expected {want}")
        if not np.all(np.isfinite(x)):
            raise InvalidArgumentError("input x has non-finite entries")
        return x

    def _convention(self, convention):
        if convention is None:
            convention = getattr(self.net, "jacobian_convention", "seed") or "seed"
        if not isinstance(convention, str):
            raise InvalidArgumentTypeError(
                f"convention must be 'seed' or 'psg'; got {describe(convention)} of type "
                f"{type(convention).__name__}")
        if convention not in ("seed", "psg"):
            raise InvalidArgumentError(
                f"convention must be 'seed' (J = dh_L/dx_0 = W_L D_(L-1)...D_1 W_1) or "
                f"'psg' (J = dx_L/dx_0 = D_L W_L...D_1 W_1); got {convention!r}"
            )
        return convention

    # -- forward pass -----------------------------------------------------------

    def forward(self, x):
        r"""Forward pass: all ``h_ℓ`` and ``x_ℓ``.

        Parameters
        ----------
        x : ndarray of shape ``(M_0,)`` or ``(M_0, B)`` (a batch of columns)
            Finite float inputs.

        Returns
        -------
        ForwardPass
            ``.h = [h_1..h_L]``, ``.x = [x_0..x_L]``, ``.output = h_L``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` has the wrong shape or non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> fp = inst.forward(x)
        >>> fp.h[0], fp.x[1], fp.output
        (array([-1.,  2.]), array([0., 2.]), array([2.]))
        """
        x = self._input(x, batch=True)
        hs, xs = [], [x]
        phi = self.activation.phi
        for w, b in zip(self.weights, self.biases):
            h = w @ xs[-1] + (b if x.ndim == 1 else b[:, None])
            hs.append(h)
            xs.append(np.asarray(phi(h), dtype=float))
        return ForwardPass(hs, xs)

    def output(self, x):
        """The network output ``f(x) = h_L``.

        Parameters
        ----------
        x : array_like of shape ``(M_0,)`` or ``(M_0, B)``
            The input ``x_0`` (finite floats).

        Returns
        -------
        ndarray
            ``h_L``, shape ``(M_L,)`` (or ``(M_L, B)`` for a batch).

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.output(x)
        array([2.])
        """
        return self.forward(x).output

    def dphi(self, x):
        """The diagonals ``[φ'(h_1), ..., φ'(h_L)]`` along the forward pass of ``x``.

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0`` (finite floats).

        Returns
        -------
        list of ndarray
            ``φ'(h_ℓ)``, float64 vectors of length ``M_ℓ``, ``ℓ = 1..L``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.dphi(x)
        [array([0., 1.]), array([1.])]
        """
        fp = self.forward(self._input(x))
        return [np.asarray(self.activation.dphi(h), dtype=float) for h in fp.h]

    def D(self, x, *, as_matrix=True):
        r"""The actual ``D_ℓ = diag(φ'(h_ℓ))``, ``ℓ = 1..L``, along the forward
        pass of ``x`` (``D_L`` enters only the PSG Jacobian).

        Parameters
        ----------
        x : ndarray of shape ``(M_0,)``
            The input ``x_0``.
        as_matrix : bool
            Return dense diagonal matrices (default) or their diagonals.

        Returns
        -------
        list of ndarray
            ``L`` arrays: ``(M_ℓ, M_ℓ)`` matrices, or length-``M_ℓ`` vectors.

        Raises
        ------
        InvalidArgumentTypeError
            If ``as_matrix`` is not a bool or ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` has the wrong shape or non-finite entries.
        TooLargeError
            If the dense matrices would need more than ``MAX_BYTES``.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.D(x)[0]
        array([[0., 0.],
               [0., 1.]])
        """
        if not isinstance(as_matrix, (bool, np.bool_)):
            raise InvalidArgumentTypeError(f"as_matrix must be True or False; got {describe(as_matrix)}")
        if as_matrix:
            _check_bytes(8 * sum(m * m for m in self.widths[1:]), "D(x, as_matrix=True)")
        diags = self.dphi(x)
        return [np.diag(d) for d in diags] if as_matrix else diags

    def q(self, x):
        r"""``q_ℓ = ‖x_ℓ‖²/M_ℓ`` for ``ℓ = 0..L−1`` (docs/theory.md §6).

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0`` (finite floats).

        Returns
        -------
        list of float
            ``[q_0, ..., q_{L−1}]``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        ``q_0 = (1 + 4)/2``, ``q_1 = (0 + 4)/2``:

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.q(x)
        [2.5, 2.0]
        """
        fp = self.forward(self._input(x))
        return [float(v @ v) / v.shape[0] for v in fp.x[:-1]]

    # -- Jacobians --------------------------------------------------------------

    def input_jacobian(self, x, convention=None):
        r"""The input–output Jacobian at ``x``.

        ``convention="seed"``: ``J = ∂h_L/∂x_0 = W_L D_{L−1} ⋯ D_1 W_1``;
        ``"psg"`` (Pennington–Schoenholz–Ganguli): ``J = ∂x_L/∂x_0 =
        D_L W_L ⋯ D_1 W_1``.  Default: ``net.jacobian_convention`` (else
        ``"seed"``).

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0``.
        convention : {"seed", "psg"} or None, default None
            Which Jacobian (see above); None uses the specification's.

        Returns
        -------
        ndarray of shape ``(M_L, M_0)``

        Raises
        ------
        InvalidArgumentTypeError
            If ``convention`` is not a str or ``x`` is not numeric.
        InvalidArgumentError
            If ``convention`` is not ``"seed"``/``"psg"``, or ``x`` has the
            wrong shape or non-finite entries.

        Examples
        --------
        ``J = W_2 D_1 W_1 = (0, 1) W_1``:

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.input_jacobian(x)
        array([[2., 0.]])
        """
        convention = self._convention(convention)
        diags = self.dphi(x)
        j = self.weights[0]
        for ell in range(1, self.depth):
            j = self.weights[ell] @ (diags[ell - 1][:, None] * j)
        if convention == "psg":
            j = diags[-1][:, None] * j
        return j

    def _backward_factors(self, diags):
        """``B_ℓ = ∂h_L/∂h_ℓ = W_L D_{L−1} ⋯ W_{ℓ+1} D_ℓ`` for ``ℓ = 1..L``."""
        L = self.depth
        bs = [None] * L
        bs[L - 1] = np.eye(self.widths[L])
        for ell in range(L - 1, 0, -1):  # 1-based layer ell, index ell-1
            bs[ell - 1] = (bs[ell] @ self.weights[ell]) * diags[ell - 1][None, :]
        return bs

    def parameter_jacobian(self, x, *, biases=False):
        r"""The explicit Jacobian ``J_θ = ∂h_L/∂θ`` of the output with respect
        to the parameters (no autograd).

        With ``B_ℓ = ∂h_L/∂h_ℓ = W_L D_{L−1} W_{L−1} ⋯ W_{ℓ+1} D_ℓ`` (``B_L =
        I``): ``∂h_L/∂(W_ℓ)_ij = (B_ℓ)_{:,i} (x_{ℓ−1})_j`` and ``∂h_L/∂b_ℓ =
        B_ℓ``.  Columns are ordered ``vec(W_1), ..., vec(W_L)`` (row-major,
        entry ``(i, j)`` of ``W_ℓ`` at offset ``i·M_{ℓ−1} + j``), then
        ``b_1, ..., b_L`` if ``biases``; the same order as
        :meth:`flat_parameters`.  The parameters are the raw entries of
        ``W_ℓ`` (standard parametrisation, not the NTK one).

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0``.
        biases : bool, default False
            Also differentiate with respect to the biases (appended columns).

        Returns
        -------
        ndarray of shape ``(M_L, P)``
            ``P`` = number of weight entries (plus bias entries if ``biases``).

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.
        TooLargeError
            If the matrix would need more than ``MAX_BYTES``.

        Examples
        --------
        ``B_1 = W_2 D_1 = (0, 1)`` times ``x_0 = (1, 2)``, then ``x_1 = (0, 2)``:

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.parameter_jacobian(x)
        array([[0., 0., 1., 2., 0., 2.]])
        """
        x = self._input(x)
        n_par = sum(w.size for w in self.weights) + (sum(b.size for b in self.biases) if biases else 0)
        _check_bytes(2 * 8 * self.widths[-1] * n_par,
                     f"parameter_jacobian ({self.widths[-1]} x {n_par} matrix)")
        fp = self.forward(x)
        diags = [np.asarray(self.activation.dphi(h), dtype=float) for h in fp.h]
        bs = self._backward_factors(diags)
        blocks = []
        for ell in range(self.depth):
            blocks.append((bs[ell][:, :, None] * fp.x[ell][None, None, :]).reshape(bs[ell].shape[0], -1))
        if biases:
            blocks.extend(bs)
        return np.concatenate(blocks, axis=1)

    def fim_one_sample(self, x, *, biases=False):
        r"""The one-sample Fisher information / NTK matrix ``Θ_L``
        (docs/theory.md §6, Hayase–Karakida).

        ``Θ_1 = q_0 I``, ``Θ_{ℓ+1} = q_ℓ I + W_{ℓ+1} D_ℓ Θ_ℓ D_ℓ W_{ℓ+1}ᵀ``
        with ``q_ℓ = ‖x_ℓ‖²/M_ℓ``.  Unrolled,
        ``Θ_L = Σ_ℓ q_{ℓ−1} B_ℓ B_ℓᵀ``, while the parameter Jacobian of the
        weights (:meth:`parameter_jacobian`, ``biases=False``) gives
        ``J_θ J_θᵀ = Σ_ℓ ‖x_{ℓ−1}‖² B_ℓ B_ℓᵀ``.  Hence **``M Θ_L = J_θ J_θᵀ``
        exactly when ``θ`` are the weight entries only (standard
        parametrisation) and all widths ``M_0..M_{L−1}`` equal ``M``**.  The
        biases add ``Σ_ℓ B_ℓ B_ℓᵀ``, a relative ``O(1/M)`` correction; with
        ``biases=True`` this method uses ``q_ℓ + 1/M_ℓ`` instead of ``q_ℓ``, so
        that ``M Θ_L = J_θ J_θᵀ`` holds with the biases included.  The non-zero
        spectrum of the conditional FIM ``J_θᵀ J_θ`` is that of ``M Θ_L``.

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0``.
        biases : bool, default False
            Include the biases (``q_ℓ + 1/M_ℓ`` in the recursion).

        Returns
        -------
        ndarray of shape ``(M_L, M_L)``

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        ``Θ_2 = q_1 + q_0 (W_2 D_1)(W_2 D_1)ᵀ = 2 + 2.5``, and ``M Θ_2 = J_θ J_θᵀ
        = 9`` (``M = 2``):

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.fim_one_sample(x)
        array([[4.5]])
        >>> J = inst.parameter_jacobian(x)
        >>> J @ J.T
        array([[9.]])
        """
        x = self._input(x)
        fp = self.forward(x)
        diags = [np.asarray(self.activation.dphi(h), dtype=float) for h in fp.h]
        qs = [float(v @ v) / v.shape[0] for v in fp.x[:-1]]
        if biases:
            qs = [q + 1.0 / v.shape[0] for q, v in zip(qs, fp.x[:-1])]
        theta = qs[0] * np.eye(self.widths[1])
        for ell in range(1, self.depth):
            w = self.weights[ell]
            d = diags[ell - 1]
            a = w * d[None, :]
            theta = qs[ell] * np.eye(w.shape[0]) + a @ theta @ a.T
        return theta

    # -- parameters as one vector (for finite differences) --------------------

    def flat_parameters(self, *, biases=False):
        """All weights (row-major, layer by layer), then the biases if
        ``biases``: the column order of :meth:`parameter_jacobian`.

        Parameters
        ----------
        biases : bool, default False
            Append the biases ``b_1, ..., b_L``.

        Returns
        -------
        ndarray of shape ``(P,)``
            A new float64 vector (a copy).

        Raises
        ------
        None
            Nothing is validated or raised: ``biases`` is only tested for
            truth.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.flat_parameters()
        array([ 1., -1.,  2.,  0.,  1.,  1.])
        """
        parts = [w.ravel() for w in self.weights]
        if biases:
            parts.extend(self.biases)
        return np.concatenate(parts)

    def with_parameters(self, theta, *, biases=False):
        """A new instance with the parameters replaced by the flat vector
        ``theta`` (same layout as :meth:`flat_parameters`).

        Parameters
        ----------
        theta : array_like of shape ``(P,)``
            The new parameters, finite floats.
        biases : bool, default False
            Whether ``theta`` also holds the biases (else they are copied).

        Returns
        -------
        NetworkInstance
            A new instance with the same specification.

        Raises
        ------
        InvalidArgumentTypeError
            If ``theta`` is not numeric.
        InvalidArgumentError
            If ``theta`` has the wrong length or non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> new = inst.with_parameters(np.arange(6.0))
        >>> new.weights[1], new.output(x)      # h_1 = x_1 = (2, 8), 4*2 + 5*8
        (array([[4., 5.]]), array([48.]))
        """
        theta = check_finite_array(theta, "theta")
        n = sum(w.size for w in self.weights) + (sum(b.size for b in self.biases) if biases else 0)
        if theta.shape != (n,):
            raise InvalidArgumentError(f"theta must have shape ({n},); got {theta.shape}")
        weights, pos = [], 0
        for w in self.weights:
            weights.append(theta[pos:pos + w.size].reshape(w.shape))
            pos += w.size
        if biases:
            new_b = []
            for b in self.biases:
                new_b.append(theta[pos:pos + b.size].copy())
                pos += b.size
        else:
            new_b = [b.copy() for b in self.biases]
        return NetworkInstance(self.net, weights, new_b)
