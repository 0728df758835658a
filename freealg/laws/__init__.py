"""Probability laws: the ``Law`` base, the named laws, the activation-derivative law
``ν``, spectral curves and the operations on them."""
from .base import Law
from .discrete import Atomic, Bernoulli, PointMass
from .continuous import MarchenkoPastur, Semicircle
from .fuss_catalan import FussCatalan
from .arcsine import Arcsine
from .activation import ActivationDerivativeLaw, activation_derivative_law

__all__ = ["Law", "Semicircle", "MarchenkoPastur", "PointMass", "Atomic", "Bernoulli", "FussCatalan",
           "Arcsine", "ActivationDerivativeLaw", "activation_derivative_law"]
