"""freealg: free probability for deep neural networks.

Exact moments and cumulants over non-crossing partitions, a freeness engine
for noncommutative polynomials in layerwise Jacobians, algebraic spectral
curves ``P(z, G) = 0`` with certified densities, and the deep-network layer
(mean-field theory, Jacobian and Fisher-information spectra, NNGP/NTK).

Conventions (docs/theory.md §1): ``tr = (1/N) Tr``; the Cauchy transform is
``G(z) = ∫ dmu(x) / (z - x)`` with ``G ~ 1/z`` at infinity and
``Im G < 0`` for ``Im z > 0``; moment sequences start at ``m_1``.

The public names below are imported lazily on first access, so
``import freealg`` is cheap and compiles nothing.

Examples
--------
>>> import freealg
>>> freealg.free_cumulants([1, 2, 5, 14])
[1, 1, 1, 1]
>>> freealg.catalan(5)
42
"""

from __future__ import annotations

from . import errors as _errors_module
from ._utils.lazy import lazy_attributes
from ._version import __version__
from .errors import (
    BranchError,
    CertificationError,
    CertificationWarning,
    ConvergenceError,
    FloatRangeError,
    FreealgError,
    ImmutableLawError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidLawError,
    InvalidPartitionError,
    InvalidSequenceError,
    ModelError,
    NCPolynomialError,
    NotAlgebraicError,
    TooLargeError,
    TransformUndefinedError,
    UnknownActivationError,
    UnknownSymbolError,
)

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    # partitions
    "catalan": "partitions",
    "noncrossing_partitions": "partitions",
    "noncrossing_sum": "partitions",
    "is_noncrossing": "partitions",
    "kreweras_complement": "partitions",
    "kreweras_complements": "partitions",
    "moebius": "partitions",
    "partition_blocks": "partitions",
    "format_partition": "partitions",
    # cumulants
    "free_cumulants": "cumulants",
    "moments_from_free_cumulants": "cumulants",
    "boolean_cumulants": "cumulants",
    "moments_from_boolean_cumulants": "cumulants",
    "classical_cumulants": "cumulants",
    "moments_from_classical_cumulants": "cumulants",
    "moment_from_cumulants": "cumulants",
    "cumulant_from_moments": "cumulants",
    "free_add_moments": "cumulants",
    "free_mul_moments": "cumulants",
    "s_transform_coefficients": "cumulants",
    "check_moment_sequence": "cumulants",
    # --- ncpoly / freeness / latex (issue 3) ---
    "nc_symbols": "nc.symbols",
    "tr": "nc.ncpoly",
    "I": "nc.ncpoly",
    "Id": "nc.ncpoly",
    "NCPoly": "nc.ncpoly",
    "Trace": "nc.ncpoly",
    "Letter": "nc.ncpoly",
    "FreeModel": "freeness.model",
    "MomentExpansion": "freeness.model",
    "moment_symbol": "freeness.model",
    "cumulant_symbol": "freeness.model",
    "latex": "printing",
    # --- activations (issue 6, low level) ---
    "Activation": "activations",
    "get_activation": "activations",
    "gaussian_expectation": "activations",
    # --- laws / curves (issue 4) ---
    "Law": "laws",
    "Semicircle": "laws",
    "MarchenkoPastur": "laws",
    "PointMass": "laws",
    "Atomic": "laws",
    "Bernoulli": "laws",
    "FussCatalan": "laws",
    "Arcsine": "laws",
    "ActivationDerivativeLaw": "laws",
    "activation_derivative_law": "laws",
    "SpectralCurve": "laws.curves",
    "free_add": "laws.elimination",
    "free_mul": "laws.elimination",
    "free_power": "laws.elimination",
    "jacobian_curve": "dnn.curves",
    "fim_curve": "dnn.curves",
    "fim_two_layer_curve": "dnn.curves",
    "weight_law": "dnn.curves",
    # --- density engine (issue 5) ---
    "DensityEvidence": "density.curve",
    "DensityResult": "density.curve",
    "branch_cauchy": "density.curve",
    "curve_density": "density.curve",
    "curve_support": "density.curve",
    "curve_atoms": "density.curve",
    "free_mul_law": "density.subordination",
    "FreeMulLaw": "density.subordination",
    # --- dnn layer (issue 6) ---
    "MLP": "dnn",
    "critical_sigma_w": "dnn",
    "critical_line": "dnn",
    "conjugate_kernel_moments": "dnn",
    "JacobianLaw": "dnn",
    "FisherLaw": "dnn",
    "IsometrySummary": "dnn",
    # --- simulation / verification (issue 7) ---
}

# submodules reachable as attributes, e.g. ``freealg.simulate.ginibre``
_SUBMODULES = {"partitions", "cumulants", "errors", "plot", "simulate", "verify", "dnn"}

# public modules reachable as attributes in a fresh interpreter (``freealg.activations``)
# without being star-exported
_MODULES = {"activations", "laws", "curves", "closed_forms", "density", "functional",
            "ncpoly", "freeness", "cli", "demo"}

_ERRORS = list(_errors_module.__all__)  # every exception and warning class

__all__ = ["__version__", *_ERRORS, *sorted(_LAZY), *sorted(_SUBMODULES)]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY, modules=_SUBMODULES | _MODULES)
