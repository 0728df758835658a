"""Public namespace of ``freealg.freeness`` (the implementation lives in ``freealg.freeness.model``;
imported on first access)."""
from .._utils.lazy import lazy_attributes

__all__ = [
    "FreeModel",
    "MomentExpansion",
    "ExpansionTerm",
    "moment_symbol",
    "cumulant_symbol",
]

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "FreeModel": "model",
    "MomentExpansion": "model",
    "ExpansionTerm": "model",
    "moment_symbol": "model",
    "cumulant_symbol": "model",
}

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
