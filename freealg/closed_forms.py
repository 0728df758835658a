"""Compatibility path: ``freealg.closed_forms`` re-exports ``freealg.dnn.curves``."""
from .dnn.curves import *  # noqa: F401,F403
from .dnn.curves import __all__  # noqa: F401
