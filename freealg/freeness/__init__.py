"""Public namespace of ``freealg.freeness`` (the implementation lives in ``freealg.freeness.model``)."""
from .model import *  # noqa: F401,F403
from .model import __all__  # noqa: F401
