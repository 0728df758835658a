"""Public namespace of ``freealg.cli`` (the implementation lives in ``freealg.cli.commands``;
imported on first access)."""
from .._utils.lazy import lazy_attributes

__all__ = ["main", "build_parser"]

# public name -> submodule that defines it (imported on first access)
_LAZY = {"main": "commands", "build_parser": "commands"}

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
