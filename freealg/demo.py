"""Compatibility path: ``freealg.demo`` re-exports ``freealg.cli.demo``."""
from .cli.demo import *  # noqa: F401,F403
from .cli.demo import __all__  # noqa: F401
