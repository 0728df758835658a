"""Compatibility path: ``freealg.functional`` re-exports ``freealg.density.subordination``."""
from .density.subordination import *  # noqa: F401,F403
from .density.subordination import __all__  # noqa: F401
