"""Figures (optional ``plot`` extra: ``pip install 'freealg-dnn[plot]'``).

All functions take an optional matplotlib ``ax`` and return it, so figures
compose; nothing here computes theory, it only draws what the other modules
computed.  A density is passed either as a law-like object (with
``density(x)`` and optionally ``atoms()`` and ``support()``) or as a density
result with attributes ``x``, ``density``, ``atoms`` and ``support``.

Examples
--------
>>> import numpy as np
>>> from freealg.plot import plot_density
>>> class Uniform:                       # any object with density/atoms/support
...     def density(self, x): return np.where((x > 0) & (x < 1), 1.0, 0.0)
...     def atoms(self): return [(2.0, 0.25)]
...     def support(self): return [(0.0, 1.0)]
>>> ax = plot_density(Uniform(), x=np.linspace(-0.5, 2.5, 301))
>>> len(ax.lines) >= 1
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from ._utils.validate import check_finite_array, check_int, check_real, describe
from .errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = [
    "plot_density",
    "plot_spectra_across_depths",
    "plot_phase_diagram",
    "plot_fim_across_depths",
    "savefig",
]


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


def _resolve(obj, x):
    """Return (x, density, atoms, support) from a law-like object or a result."""
    dens_attr = getattr(obj, "density", None)
    if dens_attr is None:
        raise InvalidArgumentTypeError(
            f"obj must be a law (with density(x)) or a density result; cannot plot "
            f"{describe(obj)} of type {type(obj).__name__}: it has no density"
        )
    if callable(dens_attr):
        if x is None:
            support = _call(obj, "support") or []
            atoms = _call(obj, "atoms") or []
            pts = [p for iv in support for p in iv] + [a for a, _ in atoms]
            if not pts:
                raise InvalidArgumentError("pass x=...: the object has no support to choose a grid from")
            lo, hi = min(float(np.real(p)) for p in pts), max(float(np.real(p)) for p in pts)
            pad = 0.05 * (hi - lo or 1.0)
            x = np.linspace(lo - pad, hi + pad, 1001)
        res = dens_attr(np.asarray(x, dtype=float))
        if hasattr(res, "density"):  # a density result
            return _resolve(res, None)
        return np.asarray(x, float), np.asarray(res, float), _call(obj, "atoms") or [], _call(obj, "support") or []
    xs = np.asarray(getattr(obj, "x"), float)
    atoms = getattr(obj, "atoms", []) or []
    support = getattr(obj, "support", []) or []
    atoms = atoms() if callable(atoms) else atoms
    support = support() if callable(support) else support
    return xs, np.asarray(dens_attr, float), atoms, support


def _call(obj, name):
    f = getattr(obj, name, None)
    if f is None:
        return None
    return f() if callable(f) else f


def plot_density(obj, *, x=None, samples=None, bins=80, ax=None, label=None, color=None,
                 show_atoms=True, show_edges=True):
    """Density (line), atoms (stems at height = mass, right axis) and support
    edges (dashed), optionally over a histogram of simulated eigenvalues.

    The histogram is normalised so that it is comparable with the continuous
    part: the eigenvalues at an atom location (within 1e-8 relative) are set
    aside and the histogram area equals the continuous mass.
    """
    if x is not None:
        x = check_finite_array(x, "x")
    if isinstance(bins, str):  # a numpy rule name ('auto', 'fd', ...)
        pass
    elif np.ndim(bins):
        bins = check_finite_array(bins, "bins")  # bin edges
    else:
        bins = check_int(bins, "bins", minimum=1, maximum=100_000,
                         hint="a histogram needs at most a few hundred bins")
    _check_label(label, "label")
    if color is not None:
        import matplotlib.colors

        if not matplotlib.colors.is_color_like(color):
            raise InvalidArgumentTypeError(
                f"color must be a matplotlib color (a name, '#rrggbb' or an RGB(A) tuple); got "
                f"{describe(color)}")
    _check_bool(show_atoms, "show_atoms")
    _check_bool(show_edges, "show_edges")
    if samples is not None:
        samples = check_finite_array(samples, "samples")
    ax = _ax(ax)
    xs, rho, atoms, support = _resolve(obj, x)
    if samples is not None:
        s = np.asarray(samples, float).ravel()
        keep = np.ones(s.shape, bool)
        for a, _ in atoms:
            keep &= ~np.isclose(s, float(np.real(a)), rtol=1e-8, atol=1e-8)
        cont_frac = keep.mean() if s.size else 0.0
        if keep.any():
            hist, edges = np.histogram(s[keep], bins=bins, density=True)
            ax.bar(edges[:-1], hist * cont_frac, width=np.diff(edges), align="edge",
                   alpha=0.35, color="0.5", label="simulation")
    (line,) = ax.plot(xs, rho, color=color, label=label or "theory")
    if show_atoms and atoms:
        ax2 = ax.twinx()
        for a, w in atoms:
            ax2.vlines(float(np.real(a)), 0, float(np.real(w)), color=line.get_color(), lw=2)
            ax2.plot([float(np.real(a))], [float(np.real(w))], "o", color=line.get_color())
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel("atom mass")
    if show_edges:
        for lo, hi in support:
            for e in (lo, hi):
                ax.axvline(float(np.real(e)), ls="--", lw=0.8, color="0.3")
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_spectra_across_depths(results, *, ax=None, logx=True):
    """Overlay densities for several depths (the Pennington–Schoenholz–Ganguli
    figure): ``results`` maps depth -> law or density result."""
    _check_results(results)
    _check_bool(logx, "logx")
    ax = _ax(ax)
    plt = _plt()
    cmap = plt.get_cmap("viridis")
    depths = sorted(results)
    for i, L in enumerate(depths):
        xs, rho, _, _ = _resolve(results[L], None)
        ax.plot(xs, rho, color=cmap(i / max(1, len(depths) - 1)), label=f"L = {L}")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("eigenvalue of J Jᵀ")
    ax.set_ylabel("density")
    ax.legend(fontsize="small", ncol=2)
    return ax


def plot_phase_diagram(sigma_b, sigma_w_critical, *, ax=None, sigma_w_max=None, label=None):
    """Order/chaos phase diagram in the (σ_w, σ_b) plane: the critical line
    χ = 1, with the ordered phase (χ < 1) left of it and chaos right of it."""
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
    ax.plot(sw, sb, color="k", lw=2, label=label or "edge of chaos (χ = 1)")
    ax.fill_betweenx(sb, 0, sw, color="tab:blue", alpha=0.15, label="ordered (χ < 1)")
    ax.fill_betweenx(sb, sw, top, color="tab:red", alpha=0.15, label="chaotic (χ > 1)")
    ax.set_xlim(0, top)
    ax.set_xlabel("σ_w")
    ax.set_ylabel("σ_b")
    ax.legend(fontsize="small")
    return ax


def plot_fim_across_depths(results, *, ax=None, normalise_by_depth=True):
    """FIM spectra for several depths; with ``normalise_by_depth`` the
    eigenvalue axis is divided by L, showing the concentration at λ ~ L."""
    _check_results(results)
    _check_bool(normalise_by_depth, "normalise_by_depth")
    ax = _ax(ax)
    plt = _plt()
    cmap = plt.get_cmap("plasma")
    depths = sorted(results)
    for i, L in enumerate(depths):
        xs, rho, atoms, _ = _resolve(results[L], None)
        scale = L if normalise_by_depth else 1
        c = cmap(i / max(1, len(depths) - 1))
        ax.plot(xs / scale, rho * scale, color=c, label=f"L = {L}")
        for a, w in atoms:
            ax.vlines(float(np.real(a)) / scale, 0, float(np.real(w)) * max(1.0, float(np.max(rho * scale, initial=0))),
                      color=c, lw=1.5, alpha=0.8)
    ax.set_xlabel("eigenvalue / L" if normalise_by_depth else "eigenvalue")
    ax.set_ylabel("density")
    ax.legend(fontsize="small")
    return ax


def savefig(ax, path, dpi=120):
    """Save the figure that holds ``ax`` to ``path``."""
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
