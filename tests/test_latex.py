"""LaTeX output: snapshots of small expressions (checked by hand against the
conventions of the issue: ``W_{1}^{\\top} D_{1}``, ``\\operatorname{tr}``,
``\\kappa_{2}(D_{1})``), the dispatcher rules, and compilation with a TeX
engine when one is installed."""

import shutil
import subprocess
from fractions import Fraction

import pytest
import sympy

import freealg
from freealg import FreeModel, I, latex, moment_symbol, nc_symbols, tr
from freealg.errors import FreealgError, InvalidArgumentError

W1, D1 = nc_symbols("W1 D1", selfadjoint="D1")
q, s = sympy.symbols("q_1 sigma_w")


def test_polynomial_snapshots():
    assert latex(W1.T * D1) == r"W_{1}^{\top} D_{1}"
    assert latex(W1.T ** 2 * D1 ** 3) == r"\left(W_{1}^{\top}\right)^{2} D_{1}^{3}"
    assert latex(q * I + s ** 2 * W1 * D1 * W1.T) == r"\sigma_{w}^{2} W_{1} D_{1} W_{1}^{\top} + q_{1} I"
    # terms are ordered by degree, then by letter name (a canonical order)
    assert latex(W1 - Fraction(1, 2) * D1 + 2 * I) == r"-\frac{1}{2} D_{1} + W_{1} + 2 I"
    assert latex((q + 1) * W1) == r"\left(q_{1} + 1\right) W_{1}"
    assert latex(W1 - W1) == "0"


def test_trace_snapshots():
    assert latex(tr(W1 * W1.T)) == r"\operatorname{tr}\left(W_{1} W_{1}^{\top}\right)"
    assert latex(2 * tr(D1) - 1) == r"2 \operatorname{tr}\left(D_{1}\right) - 1"


def test_expansion_snapshot():
    model = FreeModel().haar_orthogonal(W1).diagonal([D1])
    e = model.expand(tr(W1 * D1 * W1.T * D1 ** 2))
    assert latex(e) == (
        r"\operatorname{tr}\left(D_{1}^{2} W_{1} D_{1} W_{1}^{\top}\right) = "
        r"\kappa_{1}(D_{1})\,\kappa_{1}(D_{1})\,\kappa_{2}(W_{1}, W_{1}^{\top})\,\kappa_{1}(D_{1})"
        r" + \kappa_{2}(D_{1})\,\kappa_{2}(W_{1}, W_{1}^{\top})\,\kappa_{1}(D_{1})"
        r" = m_{1}(D_{1}) m_{2}(D_{1})"
    )
    assert e._repr_latex_() == "$" + latex(e) + "$"


def test_law_symbols_and_sympy():
    assert latex(moment_symbol(D1, 2) ** 2) == r"m_{2}(D_{1})^{2}"
    assert latex(sympy.Symbol("kappa_4(W1,W1.T,W1,W1.T)")) == (
        r"\kappa_{4}(W_{1}, W_{1}^{\top}, W_{1}, W_{1}^{\top})"
    )
    assert latex(s ** 2 * q) == sympy.latex(s ** 2 * q)


def test_numbers_and_sequences():
    assert latex(Fraction(-3, 4)) == r"-\frac{3}{4}"
    assert latex(Fraction(4, 2)) == "2"
    assert latex(7) == "7"
    assert latex(0.25) == "0.25"
    assert latex([1, Fraction(1, 2)]) == r"\left[ 1, \  \frac{1}{2}\right]"


def test_dispatch_to_latex_method_and_errors():
    class Curve:  # what another module's objects look like
        def _latex(self):
            return r"P(z, G) = 0"

    assert latex(Curve()) == "P(z, G) = 0"
    with pytest.raises(InvalidArgumentError, match="dict") as info:
        latex({})
    assert isinstance(info.value, FreealgError)


def test_latex_stays_a_function_after_submodule_imports():
    # the implementation lives in the module freealg.printing (not freealg.latex), so
    # importing submodules can never rebind freealg.latex to a module object
    import freealg.freeness.expansion  # noqa: F401
    import freealg.printing

    assert callable(freealg.latex) and not isinstance(freealg.latex, type(freealg))
    assert freealg.latex(W1) == "W_{1}" == freealg.printing.latex(W1)
    assert freealg.latex.__module__ == "freealg.printing"  # a public path in the API page


def test_repr_latex():
    assert (W1 * D1)._repr_latex_() == r"$W_{1} D_{1}$"
    assert tr(W1)._repr_latex_() == r"$\operatorname{tr}\left(W_{1}\right)$"


_ENGINES = [e for e in ("pdflatex", "lualatex", "xelatex", "tectonic") if shutil.which(e)]


@pytest.mark.skipif(not _ENGINES, reason="no TeX engine installed")
def test_latex_compiles(tmp_path):
    model = FreeModel().haar_orthogonal(W1, scale=s).diagonal([D1])
    body = [latex(q * I + s ** 2 * W1 * D1 * W1.T), latex(tr(W1 * D1 * W1.T * D1)),
            latex(model.expand(tr(W1 * D1 * W1.T * D1)))]
    doc = ("\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n"
           + "\n".join(f"\\[{b}\\]" for b in body) + "\n\\end{document}\n")
    (tmp_path / "t.tex").write_text(doc)
    engine = _ENGINES[0]
    cmd = [engine, "t.tex"] if engine == "tectonic" else [engine, "-interaction=nonstopmode", "-halt-on-error", "t.tex"]
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout[-2000:]
