"""Draw the figures of the plotting gallery (docs/plotting.md).

Each figure is computed by freealg and drawn by freealg.plot; the script
checks every density it draws (``evidence.ok``) and exits 1 otherwise.

Usage: ``python examples/plot_gallery.py docs/gallery`` redraws the docs'
figures (PNG, plus PDF with ``--pdf``); without OUTDIR the files go to a new
temporary directory; ``--quick`` draws fewer depths.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

import freealg
from freealg import plot


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", nargs="?", default=None,
                    help="output directory (default: a new temporary directory)")
    ap.add_argument("--pdf", action="store_true", help="also write vector PDF files")
    ap.add_argument("--quick", action="store_true", help="fewer depths (a fast run)")
    args = ap.parse_args(argv)
    if args.outdir is None:
        import tempfile

        args.outdir = tempfile.mkdtemp(prefix="freealg_gallery_")
    out = pathlib.Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    ok = True

    def save(ax, name):
        plot.savefig(ax, out / f"{name}.png", dpi=110)
        if args.pdf:
            plot.savefig(ax, out / f"{name}.pdf")
        import matplotlib.pyplot as plt

        plt.close(ax.figure)
        print(f"wrote {out / name}.png")

    # 1. one critical hard-tanh network: density, atoms (own axis), edges
    sw = float(freealg.critical_sigma_w("hardtanh", sigma_b=0.05))
    law = freealg.MLP(8, "hardtanh", sigma_w=sw, sigma_b=0.05, init="gaussian").jacobian_law()
    top = float(law.support()[-1][1])
    res = law.density(np.linspace(0, 1.02 * top, 600))
    ok &= bool(res.evidence.ok)
    ax = plot.plot_density(res, label="J Jᵀ (certified)")
    ax.set_title(plot.network_title(law), fontsize="small")
    save(ax, "density_hardtanh_L8")

    # 2. the depth figure: one critical network at several depths
    results = {}
    for L in ((2, 8) if args.quick else (2, 8, 32, 128)):
        lw = freealg.MLP(L, "hardtanh", sigma_w=sw, sigma_b=0.05).jacobian_law()
        hi = float(lw.support()[-1][1]) if lw.support() else 2.0
        r = lw.density(np.geomspace(1e-4 * hi, hi, 500)) if lw.support() else lw
        ok &= bool(getattr(getattr(r, "evidence", None), "ok", True))
        results[L] = r
    ax = plot.plot_spectra_across_depths(results, title=plot.network_title(lw).rsplit(", L", 1)[0])
    save(ax, "spectra_across_depths")

    # 3. FIM across depths (ReLU, critical): atoms at λ = 1 on their own axis
    fres = {}
    for L in ((2, 3) if args.quick else (2, 3, 4, 6)):
        fl = freealg.MLP(L, "relu", sigma_w=2 ** 0.5).fim_law()
        if not fl.support():  # purely atomic at this depth: drawn by its atoms
            fres[L] = fl
            continue
        lo, hi = fl.support()[0]
        r = fl.density(np.linspace(float(lo), float(hi), 400)[1:-1])
        ok &= bool(r.evidence.ok)
        fres[L] = r
    ax = plot.plot_fim_across_depths(fres, title="relu, σ_w = √2, σ_b = 0 (one-sample FIM)")
    save(ax, "fim_across_depths")

    # 4. phase diagrams: tanh (a critical line) and ReLU (one critical point)
    sb = np.linspace(0.0, 1.0, 21)
    swc = np.array([float(freealg.critical_sigma_w("tanh", sigma_b=b)) for b in sb])
    ax = plot.plot_phase_diagram(sb, swc, label="tanh: χ = 1", activation="tanh")
    ax.set_title("tanh", fontsize="small")
    save(ax, "phase_tanh")
    swr = np.array([float(freealg.critical_sigma_w("relu", 0.0))] + [np.nan] * (sb.size - 1))
    ax = plot.plot_phase_diagram(sb, swr, sigma_w_max=3.0, label="relu: χ = 1 only at σ_b = 0",
                                 activation="relu")
    ax.set_title("relu", fontsize="small")
    save(ax, "phase_relu")
    # the theory drawn is right only if every density passed its checks
    print("agreement: yes (every density drawn passed its certification)" if ok
          else "agreement: NO (a density failed its checks)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
