"""The order/chaos phase diagram of :mod:`freealg.plot`
(:func:`plot_phase_diagram`).

Examples
--------
>>> from freealg.plot.phase import plot_phase_diagram
>>> callable(plot_phase_diagram)
True
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_finite_array, check_real, describe
from ..errors import ConvergenceError, InvalidArgumentError, InvalidArgumentTypeError
from .style import PALETTE, _ax, _check_label

__all__ = ["plot_phase_diagram"]


def plot_phase_diagram(sigma_b, sigma_w_critical, *, ax=None, sigma_w_max=None, label=None,
                       activation=None):
    """Order/chaos phase diagram in the (σ_w, σ_b) plane: the critical line
    χ = 1, with the ordered phase (χ < 1) left of it and chaos right of it.

    Entries of ``sigma_w_critical`` that are ``nan`` have no edge of chaos;
    isolated finite entries (ReLU: only ``σ_b = 0``) are drawn as points.
    With ``activation`` the phases are shaded from ``χ = σ_w² E[φ'(h)²]``
    computed at the fixed point ``q*`` on a grid of the plane (so ReLU, whose
    edge of chaos is one point, still shows its ordered phase ``σ_w < √2``),
    and the region where ``q*`` is infinite (the pre-activation variance grows
    without bound with depth) is hatched.

    Parameters
    ----------
    sigma_b : array_like of float
        Grid of bias scales ``σ_b`` (finite).
    sigma_w_critical : array_like of float
        Critical ``σ_w`` at each ``σ_b`` (same shape), ``nan`` where there is
        no edge of chaos.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    sigma_w_max : float > 0, optional
        Right end of the ``σ_w`` axis (default 1.5 times the largest critical
        value; required when no entry is finite).
    label : str, optional
        Legend label of the critical line (default ``"edge of chaos (χ = 1)"``).
    activation : str or Activation, optional
        Shade the phases from ``χ`` on an 80 × 30 grid of ``(σ_w, σ_b)``
        (``MLP.chi`` at ``q*``) instead of from the critical line alone.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidArgumentTypeError
        If an array is not numeric, ``label`` is not a str, ``sigma_w_max``
        not a real number, or ``ax`` not an Axes.
    InvalidArgumentError
        If ``sigma_b`` is not finite, ``sigma_w_critical`` has an infinity,
        the shapes differ, ``sigma_w_max <= 0``, or no entry is finite and
        ``sigma_w_max`` is not given.
    UnknownActivationError
        If ``activation`` names no activation.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg.plot import plot_phase_diagram
    >>> sb = np.linspace(0.0, 1.0, 5)
    >>> ax = plot_phase_diagram(sb, 1.0 + sb)
    >>> [float(v) for v in ax.get_xlim()]   # 1.5 x the largest critical sigma_w
    [0.0, 3.0]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)

    ReLU: ``χ = σ_w²/2`` for every ``σ_b``, so the ordered phase is
    ``σ_w < √2`` and the edge of chaos the single point ``(√2, 0)``:

    >>> ax = plot_phase_diagram([0.0, 0.5], [2 ** 0.5, np.nan], sigma_w_max=3.0, activation="relu")
    >>> sorted(t.get_text() for t in ax.get_legend().get_texts())[:2]
    ['chaotic (χ > 1)', 'edge of chaos (χ = 1)']
    >>> plt.close(ax.figure)
    """
    if activation is not None:
        from ..activations import get_activation

        activation = get_activation(activation)
    sb = check_finite_array(sigma_b, "sigma_b")
    if isinstance(sigma_w_critical, (str, bytes)):
        raise InvalidArgumentTypeError("sigma_w_critical must be an array of floats; got a string")
    try:
        sw = np.asarray(sigma_w_critical, float)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"sigma_w_critical must be an array of floats (nan where no edge of chaos exists); "
            f"got {describe(sigma_w_critical)}") from None
    if np.any(np.isinf(sw)):
        raise InvalidArgumentError("sigma_w_critical must be finite or nan (no edge of chaos); got inf")
    if sb.shape != sw.shape:
        raise InvalidArgumentError(
            f"sigma_b and sigma_w_critical must have the same shape; got {sb.shape} and {sw.shape}"
        )
    _check_label(label, "label")
    if sigma_w_max is not None:
        check_real(sigma_w_max, "sigma_w_max", positive=True)
    elif not np.any(np.isfinite(sw)):
        raise InvalidArgumentError(
            "sigma_w_critical has no finite entry (no edge of chaos on this grid); pass "
            "sigma_w_max= to draw the axes anyway")
    ax = _ax(ax)
    top = sigma_w_max or float(np.nanmax(sw)) * 1.5
    fin = np.isfinite(sw)
    lab = label or "edge of chaos (χ = 1)"
    # a finite entry with no finite neighbour is invisible as a line: mark it
    nb = np.zeros_like(fin)
    nb[1:] |= fin[:-1]
    nb[:-1] |= fin[1:]
    iso = fin & ~nb
    ax.plot(sw, sb, color="k", lw=2, label=lab if fin.sum() > iso.sum() else None)
    if iso.any():
        ax.plot(sw[iso], sb[iso], "o", color="k", ms=7,
                label=None if fin.sum() > iso.sum() else lab)
    if activation is not None:
        _shade_from_chi(ax, activation, float(np.min(sb)), float(np.max(sb)), top)
    elif fin.sum() > iso.sum():
        ax.fill_betweenx(sb, 0, sw, where=fin, color=PALETTE[0], alpha=0.15, label="ordered (χ < 1)")
        ax.fill_betweenx(sb, sw, top, where=fin, color=PALETTE[1], alpha=0.15, label="chaotic (χ > 1)")
    ax.set_xlim(0, top)
    lo_b, hi_b = float(np.min(sb)), float(np.max(sb))
    ax.set_ylim(lo_b - 0.02 * (hi_b - lo_b or 1), hi_b + 0.02 * (hi_b - lo_b or 1))
    ax.set_xlabel("σ_w (weight standard deviation × √width)")
    ax.set_ylabel("σ_b (bias standard deviation)")
    handles, labels = ax.get_legend_handles_labels()
    seen = {}
    for h, l in zip(handles, labels):
        seen.setdefault(l, h)
    ax.legend(list(seen.values()), list(seen.keys()), fontsize="small")
    return ax


def _shade_from_chi(ax, activation, lo_b, hi_b, top, n_w=80, n_b=30):
    """Shade ordered (χ < 1) and chaotic (χ > 1) cells of a grid of the
    ``(σ_w, σ_b)`` plane from the mean-field ``χ`` at ``q*``, and hatch the
    cells where ``q*`` is infinite (left unshaded where ``χ`` needs a finite
    ``q*``, as for gelu and silu)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    from ..dnn import MLP

    ws = np.linspace(top / n_w, top, n_w)
    bs = np.linspace(lo_b, hi_b if hi_b > lo_b else lo_b + 1.0, n_b)
    chi = np.empty((n_b, n_w))
    unbounded = np.zeros((n_b, n_w), bool)
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            net = MLP(1, activation, sigma_w=float(w), sigma_b=float(b))
            q = float(net.q_star())
            unbounded[i, j] = not np.isfinite(q)
            try:  # chi at the q* just found (not solved for again)
                chi[i, j] = float(net.chi(q=q) if np.isfinite(q) else net.chi())
            except ConvergenceError:  # no finite q* to take chi at (gelu, silu): hatched only
                chi[i, j] = np.nan
    phase = np.ma.masked_invalid(np.where(np.isnan(chi), np.nan, np.where(chi < 1.0, 0.0, 1.0)))
    ax.pcolormesh(ws, bs, phase, cmap=ListedColormap([PALETTE[0], PALETTE[1]]), vmin=0, vmax=1,
                  alpha=0.15, shading="nearest", zorder=0)
    # legend entries: zero-size rectangles carrying the styles (the mesh itself has no label)
    ax.add_patch(Rectangle((0, 0), 0, 0, color=PALETTE[0], alpha=0.15, label="ordered (χ < 1)"))
    ax.add_patch(Rectangle((0, 0), 0, 0, color=PALETTE[1], alpha=0.15, label="chaotic (χ > 1)"))
    if unbounded.any():
        ax.contourf(ws, bs, unbounded.astype(float), levels=[0.5, 1.5], colors="none", hatches=["///"],
                    zorder=0)
        ax.add_patch(Rectangle((0, 0), 0, 0, facecolor="none", edgecolor="0.4", hatch="///",
                               label="q* infinite (variance grows with depth)"))
