"""Random matrix ensembles: Haar orthogonal and unitary, Ginibre, Wigner
(GOE/GUE) and Wishart, normalised so that the large-``n`` limits are the free
objects of docs/theory.md §2."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidArgumentError
from ._checks import _check_bytes, _check_field, _check_real, _check_rng, _check_size

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


