"""Exceptions and warnings raised by freealg.

Every error raised on bad input is a :class:`FreealgError`.  Each subclass
also derives from the built-in exception it refines, so ``except ValueError``
keeps working for callers that do not know about freealg.

A message names the bad value, says why it is bad, and says what to do
instead, e.g.::

    moments must start with m_1; got 4 values with m_2 < m_1**2
    (variance -0.5 < 0): not a probability measure

Examples
--------
>>> from freealg.errors import FreealgError, InvalidArgumentError
>>> issubclass(InvalidArgumentError, ValueError)
True
>>> try:
...     raise InvalidArgumentError("n must be >= 0; got -1")
... except FreealgError as exc:
...     print(exc)
n must be >= 0; got -1
"""

from __future__ import annotations

__all__ = [
    "FreealgError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "FloatRangeError",
    "InvalidPartitionError",
    "TooLargeError",
    "InvalidSequenceError",
    "InvalidLawError",
    "ImmutableLawError",
    "TransformUndefinedError",
    "NotAlgebraicError",
    "UnknownSymbolError",
    "ModelError",
    "NCPolynomialError",
    "UnknownActivationError",
    "BranchError",
    "ConvergenceError",
    "CertificationError",
    "CertificationWarning",
]


class FreealgError(Exception):
    """Base class of every exception raised by freealg."""


class InvalidArgumentError(FreealgError, ValueError):
    """An argument has the right type but a value outside its domain.

    Examples: a negative order ``n``, a non-positive width or depth,
    ``sigma_w <= 0``, a non-finite parameter.
    """


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type (a string where a number is needed, a
    float where an integer is needed).  It is an :class:`InvalidArgumentError`
    and also a ``TypeError``, so both ``except`` clauses catch it."""


class FloatRangeError(InvalidArgumentError):
    """A float64 computation left the float range (overflow to inf, or an
    ``inf - inf = nan``); raised instead of returning the non-finite value.
    The message names the parameters and the workable range.  The mpmath
    paths (``dps=...``, or an ``mpmath.mpf`` argument) have no such limit.

    Examples
    --------
    >>> from freealg.activations import get_activation
    >>> get_activation("gelu").gaussian_expectation_np("phi2", 1e308)
    Traceback (most recent call last):
    ...
    freealg.errors.FloatRangeError: E[phi2] of Activation('gelu') at the variance q = 1e+308 is inf in float64 ...
    """


class InvalidPartitionError(FreealgError, ValueError):
    """A row is not a valid restricted growth string (or not non-crossing
    where a non-crossing partition is required)."""


class TooLargeError(FreealgError, ValueError):
    """The requested object would not fit in memory (or time); the message
    points to the streaming or recursive alternative."""


class InvalidSequenceError(FreealgError, ValueError):
    """A moment or cumulant sequence is empty or has non-numeric entries."""


class InvalidLawError(FreealgError, ValueError):
    """Data that cannot describe a probability measure: weights that do not
    sum to one or are negative, a moment sequence failing a Hankel
    (positivity) condition, a density with negative mass."""


class ImmutableLawError(FreealgError, AttributeError):
    """A law's public attribute was assigned after construction: laws and curves
    are immutable values (build a new one, e.g. ``law.subs(...)`` or the class
    with other parameters)."""


class TransformUndefinedError(FreealgError, ValueError):
    """A transform does not exist for this law, e.g. the S-transform of a law
    with ``m_1 = 0``."""


class NotAlgebraicError(FreealgError, TypeError):
    """A spectral curve was requested for a law that is not algebraic (for
    example the law of ``tanh'(sqrt(q) z)**2``)."""


class UnknownSymbolError(FreealgError, LookupError):
    """A word uses a letter the free model does not know."""


class ModelError(FreealgError, ValueError):
    """An inconsistent free model: a letter declared in two families, a
    non-square use, a family without the data it needs."""


class NCPolynomialError(FreealgError, TypeError):
    """An operation that would leave the noncommutative polynomial ring
    (negative power, division by a letter, a non-scalar coefficient)."""


class UnknownActivationError(FreealgError, ValueError):
    """An activation name that freealg does not know."""


class BranchError(FreealgError, ArithmeticError):
    """No valid physical branch of a spectral curve could be found or
    continued (for instance a curve with no root behaving like ``1/z``)."""


class ConvergenceError(FreealgError, ArithmeticError):
    """An iteration (Newton continuation, fixed-point search) did not
    converge within its caps."""


class CertificationError(FreealgError, ArithmeticError):
    """A computed density failed one of its checks (residual, sign of
    ``Im G``, total mass, moments) under ``strict=True``."""


class CertificationWarning(UserWarning):
    """A computed density failed a check under ``strict=False``; the result
    is returned together with the failed evidence."""
