"""The documentation site builds with no warning, and its API reference covers
every public name.

The site is Sphinx (``docs/conf.py``): the Markdown pages of ``docs/`` read by
myst-parser, and ``docs/api/index.rst``, whose autosummary tables generate a
page for each name in ``freealg.__all__`` from its numpydoc docstring.  The
build runs as a reader would run it, ``sphinx-build -W --keep-going -b html``
(every warning is an error), on a copy of ``docs/`` in a temporary directory,
so that the generated stubs do not land in the source tree.  It needs the
``docs`` extra (``pip install -e '.[docs]'``) and is skipped without it.
"""

import inspect
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import freealg

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BUILD_TIMEOUT = 900  # seconds; the build takes ~45 s on the 2-core machine


def _autosummary_names(text):
    """Entries of the ``.. autosummary::`` directives of an rst page."""
    names, in_directive = [], False
    for line in text.splitlines():
        if line.startswith(".. autosummary::"):
            in_directive = True
        elif in_directive and line.strip() and not line.startswith("   "):
            in_directive = False
        elif in_directive and line.strip() and not line.strip().startswith(":"):
            names.append(line.strip())
    return names


def test_api_index_mirrors_all():
    names = _autosummary_names((DOCS / "api" / "index.rst").read_text(encoding="utf-8"))
    assert len(names) == len(set(names)), "docs/api/index.rst lists a name twice"
    missing = sorted(set(freealg.__all__) - set(names))
    extra = sorted(set(names) - set(freealg.__all__))
    assert not missing, f"add to an autosummary table of docs/api/index.rst: {missing}"
    assert not extra, f"docs/api/index.rst lists names not in freealg.__all__: {extra}"


def _public_methods(cls):
    """Public callables and properties a class page must document (its own and inherited)."""
    out = set()
    for klass in cls.__mro__[:-1]:  # without ``object``
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if inspect.isfunction(value) or isinstance(value, (property, staticmethod, classmethod)):
                out.add(name)
    return out


def test_docs_build(tmp_path):
    for module in ("sphinx", "numpydoc", "myst_parser"):
        pytest.importorskip(module, reason="the docs extra is not installed: pip install -e '.[docs]'")
    src = tmp_path / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("_build", "generated", "__pycache__"))
    out = tmp_path / "html"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    start = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(src), str(out)],
        capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT)
    elapsed = time.perf_counter() - start
    problems = [line for line in (res.stdout + res.stderr).splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b", line)
                or "Traceback" in line or "Exception" in line]
    assert res.returncode == 0, (f"sphinx-build failed after {elapsed:.0f} s:\n"
                                 + ("\n".join(problems) or res.stderr[-3000:]))

    # the pages a reader looks for
    for page in ("index", "theory", "benchmarks", "api", "api/index", "contents"):
        assert (out / f"{page}.html").is_file(), page
    # one page per public name, and on each class page an entry per public method
    for name in freealg.__all__:
        page = out / "api" / "generated" / f"freealg.{name}.html"
        assert page.is_file(), f"no API page for freealg.{name}"
        obj = getattr(freealg, name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            html = page.read_text(encoding="utf-8")
            undocumented = sorted(m for m in _public_methods(obj)
                                  if f'id="freealg.{name}.{m}"' not in html)
            assert not undocumented, f"freealg.{name} page lacks {undocumented}"
