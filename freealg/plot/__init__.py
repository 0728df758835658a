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

from .._utils.lazy import lazy_attributes

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "plot_density": "density",
    "plot_spectra_across_depths": "density",
    "plot_fim_across_depths": "density",
    "network_title": "density",
    "plot_phase_diagram": "phase",
    "savefig": "style",
    "PALETTE": "style",
}

__all__ = [
    "plot_density",
    "plot_spectra_across_depths",
    "plot_phase_diagram",
    "plot_fim_across_depths",
    "savefig",
    "network_title",
    "PALETTE",
]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
