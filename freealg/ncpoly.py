"""Compatibility path: ``freealg.ncpoly`` re-exports ``freealg.nc.ncpoly`` and ``freealg.nc.symbols``."""
from .nc.ncpoly import *  # noqa: F401,F403
from .nc.symbols import nc_symbols  # noqa: F401

__all__ = ["Letter", "NCPoly", "Trace", "nc_symbols", "tr", "I", "Id"]
