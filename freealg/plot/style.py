"""Shared drawing pieces of :mod:`freealg.plot`: the lazy matplotlib loader,
the argument checks, the colour palette, the bulk y-range, atom stems on
their own axis, and :func:`savefig`.

Examples
--------
>>> from freealg.plot.style import PALETTE
>>> len(PALETTE)
8
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from .._utils.validate import check_int, check_real, describe
from ..errors import InvalidArgumentTypeError

__all__ = ["PALETTE", "savefig"]


def _plt():
    try:
        import matplotlib

        if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
            import os

            if not os.environ.get("DISPLAY"):
                matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "freealg plotting needs matplotlib: pip install 'freealg-dnn[plot]'"
        ) from exc
    return plt


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentTypeError(
            f"{name} must be True or False; got {describe(value)} of type {type(value).__name__}")
    return bool(value)


def _check_label(value, name):
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentTypeError(
            f"{name} must be a string or None; got {describe(value)} of type {type(value).__name__}")
    return value


def _check_results(results):
    if not isinstance(results, Mapping) or not results:
        raise InvalidArgumentTypeError(
            f"results must be a non-empty dict depth -> law or density result; got "
            f"{describe(results)} of type {type(results).__name__}")
    for L in results:
        check_real(L, "a depth key of results", positive=True)
    return results


def _ax(ax):
    if ax is not None:
        if not (hasattr(ax, "plot") and hasattr(ax, "figure")):
            raise InvalidArgumentTypeError(
                f"ax must be a matplotlib Axes or None; got {describe(ax)} of type {type(ax).__name__}")
        return ax
    plt = _plt()
    _, ax = plt.subplots(figsize=(6, 4))
    return ax


# Okabe-Ito: distinguishable under the common colour-vision deficiencies
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def _colour(i):
    return PALETTE[i % len(PALETTE)]


def _bulk_top(rhos, quantile=0.99):
    """Upper y-limit from the bulk: ``1.15 ×`` the ``quantile`` of the finite
    positive values of all curves, so that a divergent edge (``+inf``) or a
    spike does not flatten everything else.  Returns ``(top, clipped)``."""
    vals = np.concatenate([np.asarray(r, float).ravel() for r in rhos]) if rhos else np.zeros(0)
    fin = vals[np.isfinite(vals) & (vals > 0)]
    if fin.size == 0:
        return 1.0, False
    top = 1.15 * float(np.quantile(fin, quantile))
    top = max(top, 1.15 * float(np.median(fin)), np.finfo(float).tiny)
    clipped = bool(np.any(vals[~np.isnan(vals)] > top))
    return top, clipped


def _set_ylim(ax, rhos, ylog):
    top, clipped = _bulk_top(rhos)
    if ylog:
        vals = np.concatenate([np.asarray(r, float).ravel() for r in rhos])
        fin = vals[np.isfinite(vals) & (vals > 0)]
        ax.set_yscale("log")
        if fin.size:
            ax.set_ylim(float(np.min(fin)) / 2, float(np.max(fin)) * 2)
        return None
    ax.set_ylim(0, top)
    if clipped:
        # say so in the legend: the view is cut at the bulk, not the data
        ax.plot([], [], " ", label=f"density clipped above {top:.3g}")
    return top


def _atom_axis(ax):
    """The twin axis for atom masses (one per Axes, created on first use)."""
    tw = getattr(ax, "_freealg_atom_axis", None)
    if tw is None:
        tw = ax.twinx()
        tw.set_ylim(0, 1.08)
        tw.set_ylabel("atom mass")
        ax._freealg_atom_axis = tw
    return tw


def _draw_atoms(ax, atoms, color, scale=1.0, series=0):
    """Stems of height = mass on the atom axis, each labelled with its mass
    (labels of successive series are staggered vertically)."""
    atoms = [(float(np.real(a)) / scale, float(np.real(w))) for a, w in atoms if float(np.real(w)) > 0]
    if not atoms:
        return None
    tw = _atom_axis(ax)
    for a, w in atoms:
        tw.vlines(a, 0, w, color=color, lw=2)
        tw.plot([a], [w], "o", color=color)
        tw.annotate(f"{w:.3g}", (a, w), textcoords="offset points", xytext=(4, 4 + 9 * series),
                    fontsize="x-small", color=color)
    return tw


def savefig(ax, path, dpi=120):
    """Save the figure that holds ``ax`` to ``path``; the format follows the
    extension (``.png``, or vector ``.pdf`` / ``.svg``).

    The layout is tightened first.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Any axes of the figure to save.
    path : str or os.PathLike
        Output file.
    dpi : int, default 120
        Resolution for raster formats, ``1..2400``.

    Returns
    -------
    str or os.PathLike
        ``path``, unchanged.

    Raises
    ------
    InvalidArgumentTypeError
        If ``path`` is not a str/PathLike, ``dpi`` not an integer, or ``ax``
        has no ``figure``.
    InvalidArgumentError
        If ``dpi < 1``.
    TooLargeError
        If ``dpi > 2400``.

    Examples
    --------
    >>> import os, tempfile
    >>> from freealg.plot import plot_phase_diagram, savefig
    >>> ax = plot_phase_diagram([0.0, 1.0], [1.0, 2.0])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = savefig(ax, os.path.join(d, "phase.svg"))
    ...     os.path.getsize(p) > 0
    True
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentTypeError(
            f"path must be a str or os.PathLike; got {describe(path)} of type {type(path).__name__}")
    dpi = check_int(dpi, "dpi", minimum=1, maximum=2400, hint="screen and print need <= 600 dpi")
    if not hasattr(ax, "figure"):
        raise InvalidArgumentTypeError(
            f"ax must be a matplotlib Axes; got {describe(ax)} of type {type(ax).__name__}")
    fig = ax.figure
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    return path
