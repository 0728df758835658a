"""Compatibility path: ``freealg.ncpoly`` re-exports ``freealg.nc.ncpoly``."""
from .nc.ncpoly import *  # noqa: F401,F403
from .nc.ncpoly import __all__  # noqa: F401
