"""Combinatorics of non-crossing partitions and moment–cumulant relations.

Submodules (imported on demand; this package imports none of them, so
``import freealg.combinatorics.cumulants`` does not load numba):

* :mod:`freealg.combinatorics.partitions` -- NC(n): Catalan numbers,
  enumeration and streamed sums over NC(n).
* :mod:`freealg.combinatorics.nc_lattice` -- restricted growth strings, the
  Kreweras complement and the Möbius function of NC(n).
* :mod:`freealg.combinatorics.cumulants` -- moments ↔ free / Boolean /
  classical cumulants.
* :mod:`freealg.combinatorics.mixed` -- multivariate (mixed) moments and free
  cumulants of words.
* :mod:`freealg.combinatorics.convolution` -- Hankel checks of moment
  sequences, ⊞ and ⊠ on moment sequences, S-transform coefficients.

The public names stay importable from :mod:`freealg.partitions` and
:mod:`freealg.cumulants`.
"""

from .._utils.lazy import lazy_attributes

# no names of its own: the submodules are reached as attributes on first access
_LAZY = {}

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
