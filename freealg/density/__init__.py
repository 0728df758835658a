"""Public namespace of ``freealg.density`` (the implementation lives in ``freealg.density.curve``)."""
from .curve import *  # noqa: F401,F403
from .curve import __all__  # noqa: F401
