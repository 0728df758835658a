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
``D_ℓ = diag(φ'(h_ℓ))``, the input–output Jacobian (preactivation or PSG convention),
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

from .._utils.lazy import lazy_attributes

# public name -> submodule that defines it (imported on first access)
_LAZY = {  # MAX_BYTES, MAX_SIZE: module constants, reachable as before
    "MAX_BYTES": "_checks",
    "MAX_SIZE": "_checks",
    "ginibre": "ensembles",
    "haar_orthogonal": "ensembles",
    "haar_unitary": "ensembles",
    "wigner": "ensembles",
    "wishart": "ensembles",
    "NetworkInstance": "instance",
    "ForwardPass": "network",
    "random_input": "network",
    "sample_network": "sampling",
    "fim_batch": "batch",
}

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
    "fim_batch",
]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
