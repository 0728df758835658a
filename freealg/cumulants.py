r"""Moments and cumulants: free, boolean and classical; free convolutions of
moment sequences; multivariate moment-cumulant formulas.

The public path of :mod:`freealg.combinatorics.cumulants` (univariate
conversions), :mod:`freealg.combinatorics.mixed` (words in non-commuting
variables) and :mod:`freealg.combinatorics.convolution` (⊞, ⊠ and the
S-transform of moment sequences, Hankel checks).
"""

from fractions import Fraction  # noqa: F401 - reached as freealg.cumulants.Fraction in examples

from .combinatorics.convolution import *  # noqa: F401,F403 - the public names, re-exported
from .combinatorics.cumulants import *  # noqa: F401,F403 - the public names, re-exported
from .combinatorics.mixed import *  # noqa: F401,F403 - the public names, re-exported
from .combinatorics.mixed import MAX_WORD_CUMULANT, MAX_WORD_MOMENT  # noqa: F401

__all__ = [
    "free_cumulants",
    "moments_from_free_cumulants",
    "boolean_cumulants",
    "moments_from_boolean_cumulants",
    "classical_cumulants",
    "moments_from_classical_cumulants",
    "moment_from_cumulants",
    "cumulant_from_moments",
    "free_add_moments",
    "free_mul_moments",
    "s_transform_coefficients",
    "check_moment_sequence",
]
