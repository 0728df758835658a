"""The public surface: every name in __all__ resolves, import is cheap and
compiles nothing, and errors derive from FreealgError."""

import subprocess
import sys

import freealg


def test_all_names_resolve():
    for name in freealg.__all__:
        assert getattr(freealg, name) is not None, name


def test_all_is_sorted_unique():
    assert len(set(freealg.__all__)) == len(freealg.__all__)


def test_error_classes():
    for name in freealg.__all__:
        obj = getattr(freealg, name)
        if isinstance(obj, type) and issubclass(obj, Warning):
            assert issubclass(obj, UserWarning), name
        elif isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, freealg.FreealgError), name


def test_import_is_lazy():
    # importing freealg must not import numba, sympy or the compiled kernels
    code = (
        "import sys, freealg; "
        "print(sorted(m for m in ('numba', 'sympy', 'freealg.partitions') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_unknown_attribute():
    try:
        freealg.no_such_name
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_api_page_mirrors_all():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
    missing = [name for name in freealg.__all__ if f"| `{name}` |" not in text]
    assert not missing, f"docs/api.md lacks {missing}"


def test_public_modules_are_attributes_in_a_fresh_interpreter():
    # issue: ``freealg.activations`` raised AttributeError until something imported it
    import subprocess
    import sys

    code = ("import freealg; "
            "print(freealg.activations.get_activation('relu').name, freealg.laws.Semicircle.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["relu", "Semicircle"]
