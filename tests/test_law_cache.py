"""``law.density(x, cache_dir=...)``: one on-disk cache (the one of the
verification sweeps), keyed by the law's exact parameters, the points, the
arguments and the package version."""

from __future__ import annotations

import os

import numpy as np
import pytest

import freealg as fa
from freealg.errors import InvalidArgumentTypeError
from freealg.functional import free_mul_law


def _files(d):
    return sorted(f for _, _, fs in os.walk(d) for f in fs)


def _boom(*args, **kwargs):
    raise AssertionError("recomputed instead of read from the cache")


@pytest.mark.parametrize("make", [
    lambda: free_mul_law([fa.MarchenkoPastur(1)], [2]),
    lambda: fa.MarchenkoPastur(1).curve(),
    lambda: fa.Semicircle(0, 1),
], ids=["FreeMulLaw", "SpectralCurve", "Semicircle"])
def test_second_call_reads_the_cache_bit_for_bit(make, tmp_path, monkeypatch):
    x = np.linspace(0.2, 3.5, 17)
    first = make().density(x, cache_dir=tmp_path)
    assert len(_files(tmp_path)) == 1
    law = make()  # a new, equal law: same key
    # the computation itself is switched off: the result must come from disk
    monkeypatch.setattr(type(law).density, "__wrapped__", _boom)
    again = law.density(x, cache_dir=tmp_path)
    for name in ("x", "density", "error", "cauchy", "at_atom"):
        a, b = getattr(first, name), getattr(again, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    assert again.evidence.summary() == first.evidence.summary()
    assert len(_files(tmp_path)) == 1


def test_key_changes_with_parameters_points_arguments_and_version(tmp_path, monkeypatch):
    x = np.array([0.5, 1.0])
    fa.MarchenkoPastur(1).density(x, cache_dir=tmp_path)
    fa.MarchenkoPastur(2).density(x, cache_dir=tmp_path)          # other parameters
    fa.MarchenkoPastur(1.0).density(x, cache_dir=tmp_path)        # a float law is another law
    fa.MarchenkoPastur(1).density(x + 2 ** -40, cache_dir=tmp_path)  # other points
    fa.MarchenkoPastur(1).density(x, dps=20, cache_dir=tmp_path)  # other arguments
    assert len(_files(tmp_path)) == 5
    import freealg._version as version

    monkeypatch.setattr(version, "__version__", "0.0.0-test")
    fa.MarchenkoPastur(1).density(x, cache_dir=tmp_path)          # other package version
    assert len(_files(tmp_path)) == 6
    assert os.path.isdir(tmp_path / "freealg-0.0.0-test")


def test_network_laws_are_keyed_by_their_exact_parameters(tmp_path):
    x = np.linspace(0.5, 6.5, 5)
    a = fa.MLP(3, "relu", sigma_w=2 ** 0.5).fim_law()
    r1 = a.density(x, cache_dir=tmp_path)
    r2 = fa.MLP(3, "relu", sigma_w=2 ** 0.5).fim_law().density(x, cache_dir=tmp_path)
    assert r1.density.tobytes() == r2.density.tobytes() and len(_files(tmp_path)) == 1
    fa.MLP(3, "relu", sigma_w=2 ** 0.5 + 2 ** -50).fim_law().density(x, cache_dir=tmp_path)
    assert len(_files(tmp_path)) == 2


def test_bad_cache_dir():
    with pytest.raises(InvalidArgumentTypeError, match="cache_dir"):
        fa.Semicircle().density([0.0], cache_dir=3)


def test_density_progress_reports_every_stage(capsys):
    # a callable sees each stage of the certified density, ending at total
    seen = []
    law = free_mul_law([fa.MarchenkoPastur(1)], [2])
    res = law.density(np.linspace(0.5, 3.0, 9), progress=lambda done, total: seen.append((done, total)))
    assert res.evidence.ok
    total = seen[-1][1]
    assert seen[-1] == (total, total) and [d for d, _ in seen] == list(range(1, total + 1))
    # not a terminal (pytest captures stderr): no bar by default, nothing printed
    law.density(np.linspace(0.5, 3.0, 9))
    assert capsys.readouterr().err == ""
    with pytest.raises(InvalidArgumentTypeError, match="progress"):
        law.density([1.0], progress="yes")
