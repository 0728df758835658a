"""Public namespace of ``freealg.density`` (the implementation lives in ``freealg.density.curve``;
imported on first access)."""
from .._utils.lazy import lazy_attributes

__all__ = [
    "DensityEvidence",
    "DensityResult",
    "branch_cauchy",
    "curve_density",
    "curve_support",
    "curve_atoms",
]

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "DensityEvidence": "curve",
    "DensityResult": "curve",
    "branch_cauchy": "curve",
    "curve_density": "curve",
    "curve_support": "curve",
    "curve_atoms": "curve",
}

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
