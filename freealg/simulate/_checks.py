"""Argument checks of the samplers: the generator, matrix sizes, the memory
budget (refused before allocating), reals and the field."""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_choice, check_int, check_real, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, TooLargeError

# ---------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------

#: Largest memory (bytes) a single sampler call may allocate; larger requests
#: raise :class:`~freealg.errors.TooLargeError` before anything is allocated.
MAX_BYTES = 4 * 2**30
#: Largest matrix size or width accepted at all (before the memory estimate).
MAX_SIZE = 2**31


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise InvalidArgumentTypeError(
            f"rng must be a numpy Generator; got {describe(rng)} of type {type(rng).__name__}. "
            "Use rng = numpy.random.default_rng(seed)."
        )
    return rng


def _check_size(n, name="n"):
    try:
        return check_int(n, name, minimum=1, maximum=MAX_SIZE,
                         hint="no simulation of that size fits in memory; the infinite-width "
                              "limits are computed exactly by the theory modules")
    except TooLargeError:
        raise
    except InvalidArgumentTypeError:
        raise InvalidArgumentTypeError(
            f"{name} must be a positive integer (a matrix size); got {describe(n)} of type "
            f"{type(n).__name__}"
        ) from None
    except InvalidArgumentError:
        raise InvalidArgumentError(f"{name} must be a positive integer (a matrix size); got {n}") from None


def _check_bytes(nbytes, what):
    """Refuse, before allocating, a request above :data:`MAX_BYTES`."""
    if nbytes > MAX_BYTES:
        raise TooLargeError(
            f"{what} needs about {nbytes / 2**30:.3g} GiB, more than the {MAX_BYTES / 2**30:g} GiB "
            "a simulation may allocate; use smaller sizes (the infinite-width limits are "
            "computed exactly by the theory modules, and moments converge like 1/N)"
        )


def _check_real(x, name, *, positive=False, nonnegative=False):
    """A finite real number, as a float (the shared checker)."""
    return float(check_real(x, name, positive=positive, nonnegative=nonnegative))


def _check_field(field):
    return check_choice(field, "field", ("real", "complex"))


