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

import numpy as np

from .errors import InvalidArgumentError

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


def _ax(ax):
    if ax is not None:
        return ax
    plt = _plt()
    _, ax = plt.subplots(figsize=(6, 4))
    return ax


def _resolve(obj, x):
    """Return (x, density, atoms, support) from a law-like object or a result."""
    dens_attr = getattr(obj, "density", None)
    if dens_attr is None:
        raise InvalidArgumentError(
            f"cannot plot {type(obj).__name__}: it has no density; pass a law or a density result"
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
    ax = _ax(ax)
    sb = np.asarray(sigma_b, float)
    sw = np.asarray(sigma_w_critical, float)
    if sb.shape != sw.shape:
        raise InvalidArgumentError(
            f"sigma_b and sigma_w_critical must have the same shape; got {sb.shape} and {sw.shape}"
        )
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
    fig = ax.figure
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    return path
