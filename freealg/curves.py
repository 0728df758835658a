"""Compatibility path: ``freealg.curves`` re-exports ``freealg.laws.curves``."""
from .laws.curves import *  # noqa: F401,F403
from .laws.curves import __all__  # noqa: F401
