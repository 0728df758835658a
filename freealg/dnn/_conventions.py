"""The two Jacobian conventions of an MLP and their validation.

* ``"preactivation"`` (default): ``J = ∂h_L/∂x_0 = W_L D_{L−1} ⋯ D_1 W_1``,
  the Jacobian of the last pre-activation, with ``L − 1`` factors ``D``;
* ``"psg"`` (Pennington–Schoenholz–Ganguli [PSG17]):
  ``J = ∂x_L/∂x_0 = D_L W_L ⋯ D_1 W_1``, the Jacobian of the last
  post-activation, with ``L`` factors ``D``.

``"seed"`` is accepted as an older spelling of ``"preactivation"``.

References
----------
.. [PSG17] J. Pennington, S. Schoenholz, S. Ganguli, "Resurrecting the sigmoid
   in deep learning through dynamical isometry", NeurIPS 2017.
"""

from __future__ import annotations

from .._utils.validate import check_choice

__all__ = ["JACOBIAN_CONVENTIONS", "check_convention"]

#: Accepted values of ``jacobian_convention`` / ``convention``.
JACOBIAN_CONVENTIONS = ("preactivation", "psg")
_ALIASES = {"seed": "preactivation"}


def check_convention(value, name="convention"):
    """The canonical name of a Jacobian convention.

    Parameters
    ----------
    value : str
        ``"preactivation"`` (``J = W_L D_{L-1} ⋯ D_1 W_1``), ``"psg"``
        (``J = D_L W_L ⋯ D_1 W_1``), case-insensitive; ``"seed"`` is read
        as ``"preactivation"``.
    name : str, optional
        Parameter name quoted in the error message.

    Returns
    -------
    str
        ``"preactivation"`` or ``"psg"``.

    Raises
    ------
    InvalidArgumentError
        If ``value`` names neither convention.
    InvalidArgumentTypeError
        If ``value`` is not a string.

    Examples
    --------
    >>> from freealg.dnn._conventions import check_convention
    >>> check_convention("PSG"), check_convention("seed")
    ('psg', 'preactivation')
    """
    if isinstance(value, str):
        value = value.lower()
        value = _ALIASES.get(value, value)
    return check_choice(value, name, JACOBIAN_CONVENTIONS)
