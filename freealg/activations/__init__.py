r"""Activation functions and their Gaussian expectations (low level).

An :class:`Activation` bundles ``phi`` and ``phi'`` in three number kinds
(docs/conventions.md): vectorised numpy functions for floats, mpmath functions for
high-precision quadrature, and a sympy expression in one variable.  On top it
knows the Gaussian expectations the mean-field theory needs (docs/theory.md §4):

* ``E[phi(h)]``, ``E[phi(h)^2]``, ``E[phi'(h)]``, ``E[phi'(h)^2]`` and the
  moments ``E[phi'(h)^{2k}]`` for ``h ~ N(0, q)``, i.e. ``∫Dz f(√q z)`` with
  ``Dz`` the standard Gaussian measure;
* closed forms where they exist (linear, relu, leaky_relu, hardtanh, erf) and
  mpmath quadrature otherwise, at a requested precision ``dps``;
* for piecewise-linear activations the exact law of ``phi'(h)^2``
  (docs/theory.md §4: relu gives Bernoulli(1/2), hard-tanh gives Bernoulli(p) with
  ``p = erf(1/√(2q))``), see :meth:`Activation.dphi_values_probabilities`.

Conventions at the kinks (a set of Gaussian measure zero): ``relu'(0) = 0``,
``hardtanh'(±1) = 0``, ``leaky_relu'(0) = slope``.

This module is low level: it imports nothing from freealg except
:mod:`freealg.errors`, the argument checkers of
:mod:`freealg._utils.validate` and the number kinds of
:mod:`freealg._utils.numbers`.  The package imports its modules on first
access (``import freealg.activations`` loads none of them).

Examples
--------
>>> from freealg.activations import get_activation, gaussian_expectation
>>> relu = get_activation("relu")
>>> relu.phi([-1.0, 2.0])
array([0., 2.])
>>> relu.gaussian_expectation("phi2", 3)      # E relu(h)^2 = q/2, exact
3/2
>>> relu.dphi_values_probabilities()
[(0, 1/2), (1, 1/2)]
>>> import mpmath
>>> gaussian_expectation(lambda h: h**4, 2)   # E h^4 = 3 q^2
mpf('12.0')
"""


from __future__ import annotations

from .._utils.lazy import lazy_attributes
from ..errors import FloatRangeError

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "Activation": "core",
    "get_activation": "registry",
    "gaussian_expectation": "quadrature",
    "ACTIVATION_NAMES": "named",
}

__all__ = ["Activation", "get_activation", "gaussian_expectation", "ACTIVATION_NAMES",
           "FloatRangeError"]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
