"""Non-crossing partitions: enumeration, streaming sums, Kreweras complement.

The public path of :mod:`freealg.combinatorics.partitions` (NC(n), Catalan
numbers, streamed sums) and :mod:`freealg.combinatorics.nc_lattice`
(restricted growth strings, Kreweras complement, Möbius function).
"""

from .combinatorics.nc_lattice import *  # noqa: F401,F403 - the public names, re-exported
from .combinatorics.partitions import *  # noqa: F401,F403 - the public names, re-exported
from .combinatorics.partitions import DEFAULT_MAX_COUNT, MAX_CATALAN_ORDER, MAX_EXACT_ORDER  # noqa: F401

__all__ = [
    "catalan",
    "noncrossing_partitions",
    "noncrossing_sum",
    "is_noncrossing",
    "kreweras_complement",
    "kreweras_complements",
    "moebius",
    "partition_blocks",
    "format_partition",
    "validate_rgs",
    "DEFAULT_MAX_BYTES",
]
