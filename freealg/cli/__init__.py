"""Public namespace of ``freealg.cli`` (the implementation lives in ``freealg.cli.commands``)."""
from .commands import *  # noqa: F401,F403
from .commands import __all__  # noqa: F401
