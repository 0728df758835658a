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
    "network_title",
    "PALETTE",
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


def network_title(obj):
    """``"hardtanh, orthogonal, σ_w = 1.0089, σ_b = 0.05, L = 8"`` for a
    network law (an object with ``.net``, an :class:`freealg.MLP`), else
    ``None``.

    Parameters
    ----------
    obj : object
        Anything; a law or result whose ``.net`` is an MLP specification
        gives a title.

    Returns
    -------
    str or None
        Activation, init, ``σ_w``, ``σ_b`` and depth, or None when ``obj``
        has no ``.net`` with an ``activation``.

    Raises
    ------
    AttributeError
        If ``obj.net`` has an ``activation`` but lacks ``init``, ``sigma_w``,
        ``sigma_b`` or ``depth`` (not an MLP specification).

    Examples
    --------
    >>> import freealg
    >>> from freealg.plot import network_title
    >>> network_title(freealg.MLP(3, "relu", sigma_w=2 ** 0.5).jacobian_law())
    'relu, orthogonal init, σ_w = 1.41421, σ_b = 0, L = 3'
    """
    net = getattr(obj, "net", None)
    if net is None or not hasattr(net, "activation"):
        return None
    act = net.activation
    name = act.name if getattr(act, "name", "custom") != "custom" else str(getattr(act, "expr", act))
    return (f"{name}, {net.init} init, σ_w = {float(net.sigma_w):.6g}, "
            f"σ_b = {float(net.sigma_b):.6g}, L = {net.depth}")


def _resolve(obj, x):
    """Return (x, density, atoms, support) from a law-like object or a result."""
    dens_attr = getattr(obj, "density", None)
    if dens_attr is None:
        raise InvalidArgumentTypeError(
            f"obj must be a law (with density(x)) or a density result; cannot plot "
            f"{describe(obj)} of type {type(obj).__name__}: it has no density"
        )
    if callable(dens_attr):
        support = _call(obj, "support") or []
        atoms = _call(obj, "atoms") or []
        if not support and atoms:
            # purely atomic (e.g. a point-mass Jacobian law): nothing to evaluate
            pts = [float(np.real(a)) for a, _ in atoms]
            lo, hi = min(pts), max(pts)
            pad = 0.05 * (hi - lo or max(1.0, abs(hi)))
            xs = np.asarray(x, float) if x is not None else np.linspace(lo - pad, hi + pad, 3)
            return xs, np.zeros(xs.shape), atoms, []
        if x is None:
            pts = [p for iv in support for p in iv] + [a for a, _ in atoms]
            if not pts:
                raise InvalidArgumentError("pass x=...: the object has no support to choose a grid from")
            lo, hi = min(float(np.real(p)) for p in pts), max(float(np.real(p)) for p in pts)
            pad = 0.05 * (hi - lo or 1.0)
            x = np.linspace(lo - pad, hi + pad, 1001)
        res = dens_attr(np.asarray(x, dtype=float))
        if hasattr(res, "density"):  # a density result
            return _resolve(res, None)
        return np.asarray(x, float), np.asarray(res, float), atoms, support
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
                 show_atoms=True, show_edges=True, ylog=False, title=None):
    """Density (line), atoms (stems at height = mass on their own right-hand
    axis, labelled with the mass) and support edges (dashed), optionally
    over a histogram of simulated eigenvalues.

    The histogram is normalised so that it is comparable with the continuous
    part: the eigenvalues at an atom location (within 1e-8 relative) are set
    aside and the histogram area equals the continuous mass.  The y-range
    comes from the bulk (``1.15 ×`` the 99 % quantile of the density), so a
    divergent edge does not flatten the figure; the legend then says where
    the density is clipped.  ``ylog=True`` shows the whole range on a log
    scale instead.  ``title`` defaults to the network's parameters for
    Jacobian and Fisher laws (:func:`network_title`).

    Parameters
    ----------
    obj : law or density result
        An object with a callable ``density(x)`` (and optionally
        ``support()`` and ``atoms()``), or a result with attributes ``x``,
        ``density``, ``atoms`` and ``support``.
    x : array_like of float, optional
        Grid for a law; default 1001 points over the support and atoms
        (padded by 5 %).  Ignored for a density result (its own ``x``).
    samples : array_like of float, optional
        Simulated eigenvalues to histogram underneath.
    bins : int, str or array_like, default 80
        Histogram bins: a count ``1..100000``, a numpy rule name
        (``"auto"``, ``"fd"``, ...) or bin edges.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new 6 x 4 in figure.
    label : str, optional
        Legend label of the density line (default ``"theory"``).
    color : matplotlib color, optional
        Colour of the line and atoms (default the first of :data:`PALETTE`).
    show_atoms, show_edges : bool, default True
        Draw the atom stems / the dashed support edges.
    ylog : bool, default False
        Log-scale y-axis over the whole range instead of the bulk view.
    title : str, optional
        Axes title (default :func:`network_title` of ``obj``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidArgumentTypeError
        If ``obj`` has no ``density``, ``ax`` is not an Axes, ``label`` or
        ``title`` is not a str, ``color`` is not a colour, a flag is not a
        bool, or ``x``/``samples``/``bins`` are not numeric.
    InvalidArgumentError
        If ``x``, ``samples`` or bin edges have non-finite entries, ``bins <
        1``, or ``x`` is needed but the law has no support or atoms.
    TooLargeError
        If ``bins > 100000``.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> class Uniform:                   # any object with density/atoms/support
    ...     def __init__(self, b): self.b = b
    ...     def density(self, x): return np.where((x > 0) & (x < self.b), 1.0 / self.b, 0.0)
    ...     def support(self): return [(0.0, self.b)]
    ...     def atoms(self): return []
    >>> ax = plot_density(Uniform(2.0), x=np.linspace(-0.5, 2.5, 61),
    ...                   samples=np.random.default_rng(0).uniform(0, 2, 500), bins=10)
    >>> float(ax.lines[0].get_ydata().max())              # the density 1/2
    0.5
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
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
    _check_label(title, "title")
    if color is not None:
        import matplotlib.colors

        if not matplotlib.colors.is_color_like(color):
            raise InvalidArgumentTypeError(
                f"color must be a matplotlib color (a name, '#rrggbb' or an RGB(A) tuple); got "
                f"{describe(color)}")
    _check_bool(show_atoms, "show_atoms")
    _check_bool(show_edges, "show_edges")
    _check_bool(ylog, "ylog")
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
    (line,) = ax.plot(xs, rho, color=color or _colour(0), label=label or "theory")
    if show_edges:
        for lo, hi in support:
            for e in (lo, hi):
                ax.axvline(float(np.real(e)), ls="--", lw=0.8, color="0.3")
    _set_ylim(ax, [rho], ylog)
    if show_atoms:
        _draw_atoms(ax, atoms, line.get_color())
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density of the continuous part")
    ax.legend(loc="upper right", fontsize="small")
    title = title if title is not None else network_title(obj)
    if title:
        ax.set_title(title, fontsize="small")
    return ax


def _across_depths(results, ax, scale_of, cmap_name, xlabel, ylog, title, per_log_x=False):
    ax = _ax(ax)
    plt = _plt()
    cmap = plt.get_cmap(cmap_name)  # perceptually uniform, colour-blind safe
    depths = sorted(results)
    rhos = []
    for i, L in enumerate(depths):
        xs, rho, atoms, _ = _resolve(results[L], None)
        sc = scale_of(L)
        c = cmap(0.9 * i / max(1, len(depths) - 1))
        if np.any(rho != 0):
            y = rho * sc
            if per_log_x:  # x rho(x): the density of log x, whose area is the mass
                with np.errstate(invalid="ignore"):
                    y = np.where(rho == 0, 0.0, xs * rho)
            ax.plot(xs / sc, y, color=c, label=f"L = {L}")
            rhos.append(y)
        else:  # purely atomic at this depth
            ax.plot([], [], color=c, label=f"L = {L} (atoms only)")
        _draw_atoms(ax, atoms, c, scale=sc, series=i)
    _set_ylim(ax, rhos, ylog)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("x · density (per unit log x)" if per_log_x else "density of the continuous part")
    ax.legend(fontsize="x-small", ncol=2, loc="upper left")
    if title is None:
        title = network_title(results[depths[0]])
        if title:
            title = title.rsplit(", L = ", 1)[0]
    if title:
        ax.set_title(title, fontsize="small")
    return ax


def plot_spectra_across_depths(results, *, ax=None, logx=True, ylog=False, title=None, per_log_x=False):
    """Overlay densities for several depths (the Pennington–Schoenholz–Ganguli
    figure): ``results`` maps depth -> law or density result.

    Atoms are stems on their own axis (labelled with their masses); the
    y-range comes from the bulk, with the clipping said in the legend (see
    :func:`plot_density`); the title gives the network's parameters when the
    results are network laws.  ``per_log_x=True`` draws ``x ρ(x)``, the
    density of ``log x``, whose area on a log axis is the mass (the natural
    picture when the spectrum spans many decades).

    Parameters
    ----------
    results : dict
        Non-empty ``{depth: law or density result}`` (depths real ``> 0``);
        each value as in :func:`plot_density`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    logx : bool, default True
        Logarithmic eigenvalue axis.
    ylog : bool, default False
        Logarithmic density axis.
    title : str, optional
        Axes title (default from :func:`network_title`, without the depth).
    per_log_x : bool, default False
        Draw ``x ρ(x)`` instead of ``ρ(x)``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidArgumentTypeError
        If ``results`` is not a non-empty mapping, a flag is not a bool,
        ``title`` is not a str, ``ax`` is not an Axes, or a value has no
        ``density``.
    InvalidArgumentError
        If a depth key is not a finite real ``> 0``, or a law has neither
        support nor atoms.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> class Uniform:                   # any object with density/atoms/support
    ...     def __init__(self, b): self.b = b
    ...     def density(self, x): return np.where((x > 0) & (x < self.b), 1.0 / self.b, 0.0)
    ...     def support(self): return [(0.0, self.b)]
    ...     def atoms(self): return []
    >>> from freealg.plot import plot_spectra_across_depths
    >>> ax = plot_spectra_across_depths({1: Uniform(1.0), 2: Uniform(4.0)})
    >>> [line.get_label() for line in ax.lines][:2], ax.get_xscale()
    (['L = 1', 'L = 2'], 'log')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    _check_results(results)
    _check_bool(logx, "logx")
    _check_bool(ylog, "ylog")
    _check_label(title, "title")
    _check_bool(per_log_x, "per_log_x")
    ax = _across_depths(results, ax, lambda L: 1, "viridis", "eigenvalue of J Jᵀ", ylog, title,
                        per_log_x=per_log_x)
    if logx:
        ax.set_xscale("log")
    return ax


def plot_phase_diagram(sigma_b, sigma_w_critical, *, ax=None, sigma_w_max=None, label=None):
    """Order/chaos phase diagram in the (σ_w, σ_b) plane: the critical line
    χ = 1, with the ordered phase (χ < 1) left of it and chaos right of it.

    Entries of ``sigma_w_critical`` that are ``nan`` have no edge of chaos;
    isolated finite entries (ReLU: only ``σ_b = 0``) are drawn as points.

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
    """
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
    if fin.sum() > iso.sum():
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


def plot_fim_across_depths(results, *, ax=None, normalise_by_depth=True, ylog=False, title=None):
    """FIM spectra for several depths; with ``normalise_by_depth`` the
    eigenvalue axis is divided by L (and the density multiplied by L),
    showing the concentration at λ ~ L.  Atoms are stems on their own axis;
    a depth whose law is purely atomic is drawn by its atoms alone.

    Parameters
    ----------
    results : dict
        Non-empty ``{depth: law or density result}`` (depths real ``> 0``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    normalise_by_depth : bool, default True
        Plot ``λ / L`` (and ``L ρ``) instead of ``λ``.
    ylog : bool, default False
        Logarithmic density axis.
    title : str, optional
        Axes title (default from :func:`network_title`, without the depth).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidArgumentTypeError
        If ``results`` is not a non-empty mapping, a flag is not a bool,
        ``title`` is not a str, ``ax`` is not an Axes, or a value has no
        ``density``.
    InvalidArgumentError
        If a depth key is not a finite real ``> 0``, or a law has neither
        support nor atoms.
    ImportError
        If matplotlib is not installed.

    Examples
    --------
    Uniform spectra on ``[0, L]`` collapse onto ``[0, 1]`` after the
    normalisation:

    >>> import numpy as np
    >>> class Uniform:                   # any object with density/atoms/support
    ...     def __init__(self, b): self.b = b
    ...     def density(self, x): return np.where((x > 0) & (x < self.b), 1.0 / self.b, 0.0)
    ...     def support(self): return [(0.0, self.b)]
    ...     def atoms(self): return []
    >>> from freealg.plot import plot_fim_across_depths
    >>> ax = plot_fim_across_depths({2: Uniform(2.0), 4: Uniform(4.0)})
    >>> [float(line.get_xdata().max()) for line in ax.lines[:2]]
    [1.05, 1.05]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    _check_results(results)
    _check_bool(normalise_by_depth, "normalise_by_depth")
    _check_bool(ylog, "ylog")
    _check_label(title, "title")
    return _across_depths(results, ax, (lambda L: L) if normalise_by_depth else (lambda L: 1),
                          "plasma", "eigenvalue / L" if normalise_by_depth else "eigenvalue",
                          ylog, title)


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
