"""Density figures of :mod:`freealg.plot`: one law or density result
(:func:`plot_density`), several depths overlaid
(:func:`plot_spectra_across_depths`, :func:`plot_fim_across_depths`), and the
network title of a law (:func:`network_title`).

Examples
--------
>>> from freealg.plot.density import network_title
>>> network_title(object()) is None
True
"""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_finite_array, check_int, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from .style import _ax, _check_bool, _check_label, _check_results, _colour, _draw_atoms, _plt, _set_ylim

__all__ = ["plot_density", "plot_spectra_across_depths", "plot_fim_across_depths", "network_title"]


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

