"""Plot functions draw exactly what they are given (numbers read back from
the matplotlib artists)."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from freealg import plot  # noqa: E402
from freealg.errors import InvalidArgumentError  # noqa: E402


class HalfUniformHalfAtom:
    """0.75 * uniform[0, 1] + 0.25 * delta_2."""

    def density(self, x):
        return np.where((x > 0) & (x < 1), 0.75, 0.0)

    def atoms(self):
        return [(2.0, 0.25)]

    def support(self):
        return [(0.0, 1.0)]


def test_density_line_atoms_and_histogram_mass():
    law = HalfUniformHalfAtom()
    rng = np.random.default_rng(0)
    n = 4000
    samples = np.where(rng.random(n) < 0.25, 2.0, rng.random(n))
    x = np.linspace(-0.5, 2.5, 301)
    ax = plot.plot_density(law, x=x, samples=samples, bins=20)
    line = ax.lines[0]
    assert np.allclose(line.get_xdata(), x)
    assert np.allclose(line.get_ydata(), law.density(x))
    # histogram area = fraction of samples off the atom (~0.75 within 4 binomial sd)
    area = sum(p.get_width() * p.get_height() for p in ax.patches)
    frac = np.mean(samples != 2.0)
    assert area == pytest.approx(frac, rel=1e-12)
    assert abs(frac - 0.75) < 4 * np.sqrt(0.75 * 0.25 / n)
    # the atom is a stem of height 0.25 at x = 2 on the twin axis
    ax2 = [a for a in ax.figure.axes if a is not ax][0]
    seg = ax2.collections[0].get_segments()[0]
    assert np.allclose(seg, [[2.0, 0.0], [2.0, 0.25]])
    # support edges drawn as vertical lines at 0 and 1
    vlines = [ln.get_xdata()[0] for ln in ax.lines[1:]]
    assert sorted(vlines) == [0.0, 1.0]


def test_density_result_object_and_grid_choice():
    class Result:
        x = np.array([0.0, 0.5, 1.0])
        density = np.array([0.0, 2.0, 0.0])
        atoms = []
        support = [(0.0, 1.0)]

    ax = plot.plot_density(Result())
    assert np.allclose(ax.lines[0].get_ydata(), [0, 2, 0])
    ax = plot.plot_density(HalfUniformHalfAtom())  # grid from support and atoms
    xs = ax.lines[0].get_xdata()
    assert xs.min() < 0 and xs.max() > 2


def test_phase_diagram_and_errors():
    sb = np.linspace(0, 1, 5)
    sw = np.sqrt(2) + sb
    ax = plot.plot_phase_diagram(sb, sw)
    assert np.allclose(ax.lines[0].get_xdata(), sw)
    with pytest.raises(InvalidArgumentError):
        plot.plot_phase_diagram(sb, sw[:3])
    with pytest.raises(InvalidArgumentError):
        plot.plot_density(object())


def test_across_depths_and_savefig(tmp_path):
    law = HalfUniformHalfAtom()

    class R:
        def __init__(self, L):
            self.x = np.linspace(0.1, L, 50)
            self.density = np.full(50, 1.0 / L)
            self.atoms = [(L, 0.0)]
            self.support = [(0.1, L)]

    ax = plot.plot_spectra_across_depths({2: R(2), 8: R(8)})
    assert len(ax.lines) == 2
    ax = plot.plot_fim_across_depths({2: R(2), 4: R(4)})
    # normalised by depth: x / L and density * L
    assert np.allclose(ax.lines[1].get_xdata(), np.linspace(0.1, 4, 50) / 4)
    assert np.allclose(ax.lines[1].get_ydata(), 1.0)
    out = plot.savefig(plot.plot_density(law, x=np.linspace(0, 3, 10)), tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000 and out == tmp_path / "f.png"
