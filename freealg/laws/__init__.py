"""Probability laws: the ``Law`` base, the named laws, the activation-derivative law
``ν``, spectral curves and the operations on them."""
from .._utils.lazy import lazy_attributes

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "Law": "base",
    "Atomic": "discrete",
    "Bernoulli": "discrete",
    "PointMass": "discrete",
    "MarchenkoPastur": "continuous",
    "Semicircle": "continuous",
    "FussCatalan": "fuss_catalan",
    "Arcsine": "arcsine",
    "ActivationDerivativeLaw": "activation",
    "activation_derivative_law": "activation",
}

__all__ = ["Law", "Semicircle", "MarchenkoPastur", "PointMass", "Atomic", "Bernoulli", "FussCatalan",
           "Arcsine", "ActivationDerivativeLaw", "activation_derivative_law"]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
