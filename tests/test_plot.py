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


class Divergent:
    """Density 1/(2 sqrt(x)) on (0, 1] (mass 1), +inf at the hard edge 0."""

    def density(self, x):
        x = np.asarray(x, float)
        with np.errstate(divide="ignore"):
            return np.where((x >= 0) & (x <= 1), 0.5 / np.sqrt(np.abs(x)), 0.0)

    def atoms(self):
        return []

    def support(self):
        return [(0.0, 1.0)]


def test_divergent_edge_is_clipped_at_the_bulk_and_said_so():
    x = np.linspace(0, 1, 1001)
    ax = plot.plot_density(Divergent(), x=x)
    rho = Divergent().density(x)
    fin = rho[np.isfinite(rho)]
    # the y-range is 1.15 x the 99% quantile of the finite values, not inf
    assert ax.get_ylim()[1] == pytest.approx(1.15 * np.quantile(fin, 0.99))
    labels = ax.get_legend_handles_labels()[1]
    assert any(lab.startswith("density clipped above") for lab in labels)
    ax = plot.plot_density(Divergent(), x=x[1:], ylog=True)
    assert ax.get_yscale() == "log"


def test_atoms_have_their_own_axis_and_mass_labels_across_depths():
    class R:
        def __init__(self, L):
            self.x = np.linspace(0.1, L, 50)
            self.density = np.full(50, 0.5 / L)
            self.atoms = [(0.0, 0.5)]
            self.support = [(0.1, L)]

    ax = plot.plot_spectra_across_depths({2: R(2), 8: R(8)}, logx=False)
    tw = [a for a in ax.figure.axes if a is not ax]
    assert len(tw) == 1  # one atom axis shared by all depths
    segs = [c.get_segments()[0] for c in tw[0].collections]
    assert all(np.allclose(sg, [[0.0, 0.0], [0.0, 0.5]]) for sg in segs) and len(segs) == 2
    assert [t.get_text() for t in tw[0].texts] == ["0.5", "0.5"]


def test_fim_across_depths_with_a_purely_atomic_depth():
    class Atomic:
        def density(self, x):
            raise AssertionError("a purely atomic law must not be asked for a density")

        def atoms(self):
            return [(3.0, 1.0)]

        def support(self):
            return []

    class R:
        x = np.linspace(1, 4, 20)
        density = np.full(20, 1 / 3)
        atoms = []
        support = [(1.0, 4.0)]

    ax = plot.plot_fim_across_depths({1: Atomic(), 2: R()})
    labels = ax.get_legend_handles_labels()[1]
    assert "L = 1 (atoms only)" in labels and "L = 2" in labels
    tw = [a for a in ax.figure.axes if a is not ax][0]
    assert np.allclose(tw.collections[0].get_segments()[0], [[3.0, 0.0], [3.0, 1.0]])


def test_relu_phase_diagram_shows_its_single_critical_point():
    import freealg

    sb = np.array([0.0, 0.1, 0.2])
    sw = np.array([float(freealg.critical_sigma_w("relu", 0.0)), np.nan, np.nan])
    ax = plot.plot_phase_diagram(sb, sw)
    pts = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert len(pts) == 1 and np.allclose(pts[0].get_xdata(), [np.sqrt(2)])


def test_network_title_and_vector_output(tmp_path):
    import freealg

    law = freealg.MLP(3, "relu", sigma_w=2 ** 0.5).jacobian_law()
    assert plot.network_title(law) == "relu, orthogonal init, σ_w = 1.41421, σ_b = 0, L = 3"
    ax = plot.plot_density(law, x=np.linspace(0.05, 7.5, 60))
    assert ax.get_title() == plot.network_title(law)
    plot.savefig(ax, tmp_path / "f.pdf")
    plot.savefig(ax, tmp_path / "f.svg")
    assert (tmp_path / "f.pdf").read_bytes()[:4] == b"%PDF"
    assert b"<svg" in (tmp_path / "f.svg").read_bytes()[:2000]


def test_per_log_x_draws_x_times_density():
    class R:
        x = np.geomspace(1e-3, 10, 40)
        density = 1.0 / (np.geomspace(1e-3, 10, 40) * np.log(1e4))  # uniform in log x
        atoms = []
        support = [(1e-3, 10.0)]

    ax = plot.plot_spectra_across_depths({3: R()}, per_log_x=True)
    # x rho(x) of a law uniform in log x is constant 1/log(1e4)
    assert np.allclose(ax.lines[0].get_ydata(), 1 / np.log(1e4))
    assert ax.get_ylabel().startswith("x · density")


def test_relu_phase_diagram_shades_its_phases_from_chi():
    # ReLU: chi = sigma_w^2 / 2 at every sigma_b (E[relu'(h)^2] = 1/2), so the ordered cells are
    # exactly those with sigma_w < sqrt(2); q* = sigma_b^2 / (1 - sigma_w^2 / 2) is infinite
    # from sigma_w = sqrt(2) on (for sigma_b > 0), and those cells are hatched
    from matplotlib.collections import QuadMesh

    import freealg

    sb = np.array([0.0, 0.5, 1.0])
    sw = np.array([float(freealg.critical_sigma_w("relu", 0.0)), np.nan, np.nan])
    ax = plot.plot_phase_diagram(sb, sw, sigma_w_max=3.0, activation="relu")
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)][0]
    phase = np.asarray(mesh.get_array()).reshape(30, 80)
    ws = np.linspace(3.0 / 80, 3.0, 80)
    assert np.array_equal(phase, np.broadcast_to((ws >= np.sqrt(2)).astype(float), phase.shape))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ordered (χ < 1)" in labels and "q* infinite (variance grows with depth)" in labels
    with pytest.raises(freealg.UnknownActivationError):
        plot.plot_phase_diagram(sb, sw, sigma_w_max=3.0, activation="nope")


def test_phase_diagram_shading_where_q_star_is_infinite_gelu():
    # gelu grows like relu: for sigma_w > sqrt(2) the variance from q_in = 1 grows without bound,
    # chi at q* does not exist there, and those cells are hatched and left unshaded (no error)
    from matplotlib.collections import QuadMesh

    import freealg

    d = freealg.critical_line("gelu", np.linspace(0.0, 1.0, 5))
    ax = plot.plot_phase_diagram(d["sigma_b"], d["sigma_w"], sigma_w_max=3.0, activation="gelu")
    phase = [c for c in ax.collections if isinstance(c, QuadMesh)][0].get_array()
    ws = np.linspace(3.0 / 80, 3.0, 80)
    masked = np.ma.getmaskarray(phase).reshape(30, 80)
    assert masked[:, ws > 1.5].all() and not masked[:, ws < 1.3].any()
    assert "q* infinite (variance grows with depth)" in [t.get_text() for t in ax.get_legend().get_texts()]
