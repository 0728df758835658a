"""Parallel sweeps and progress: local processes and a dask LocalCluster give
results bit-identical to the serial run; the progress callback sees every
step; activations pickle by their definition."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import freealg as fa
from freealg._utils.progress import Progress, map_tasks
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError


def _square(t):
    return t * t


def test_map_tasks_serial_and_processes_agree():
    tasks = list(range(7))
    assert map_tasks(_square, tasks, progress=False) == [t * t for t in tasks]
    assert map_tasks(_square, tasks, n_jobs=2, progress=False) == [t * t for t in tasks]


def test_progress_callback_counts_every_step():
    seen = []
    map_tasks(_square, range(5), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(k, 5) for k in range(1, 6)]
    with Progress(2, progress=False) as bar:
        bar.update(2)
    assert bar.done == 2


def test_bad_jobs_and_progress_arguments():
    with pytest.raises(InvalidArgumentError, match="n_jobs"):
        map_tasks(_square, [1], n_jobs=0)
    with pytest.raises(InvalidArgumentTypeError, match="progress"):
        map_tasks(_square, [1], progress="yes")
    with pytest.raises(InvalidArgumentTypeError, match="executor"):
        map_tasks(_square, [1], executor=object())


@pytest.mark.parametrize("spec", ["tanh", "relu", ("leaky_relu", {"slope": 0.1}), "tanh(x) + x/10"])
def test_activations_pickle_by_definition(spec):
    act = fa.get_activation(spec[0], **spec[1]) if isinstance(spec, tuple) else fa.get_activation(spec)
    back = pickle.loads(pickle.dumps(act))
    x = np.linspace(-2, 2, 9)
    assert back == act and np.array_equal(back.phi(x), act.phi(x)) and np.array_equal(back.dphi(x), act.dphi(x))


def test_critical_line_in_processes_is_identical():
    sb = np.linspace(0.0, 1.0, 5)
    serial = fa.critical_line("tanh", sb, progress=False)
    par = fa.critical_line("tanh", sb, n_jobs=2, progress=False)
    for k in ("sigma_w", "q_star", "exists"):
        assert np.array_equal(serial[k], par[k])
    # the grid point at sigma_b = 0 is the known edge of chaos sigma_w = 1 of tanh
    assert serial["sigma_w"][0] == pytest.approx(1.0, abs=1e-12)


def test_critical_line_on_a_dask_local_cluster_is_identical():
    distributed = pytest.importorskip("distributed")
    sb = np.linspace(0.0, 1.0, 4)
    serial = fa.critical_line("erf", sb, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        par = fa.critical_line("erf", sb, executor=client, progress=False)
    for k in ("sigma_w", "q_star", "exists"):
        assert np.array_equal(serial[k], par[k])


def test_fim_check_in_processes_is_identical_to_serial():
    from freealg import verify

    net = fa.MLP(2, "relu", sigma_w=2 ** 0.5)
    kw = dict(widths=(12, 24), trials=3, rng=5, progress=False)
    serial = verify.check_fim_spectrum(net, **kw)
    par = verify.check_fim_spectrum(net, n_jobs=2, **kw)
    # every trial has its own seed: the same networks, the same numbers
    assert serial.to_dict() == par.to_dict()
    assert str(serial) == str(par)


def test_jacobian_check_on_a_dask_cluster_is_identical_to_serial():
    distributed = pytest.importorskip("distributed")
    from freealg import verify

    net = fa.MLP(2, "hardtanh", sigma_w=1.1, sigma_b=0.1)
    kw = dict(depths=(2, 3), widths=(10, 20), trials=3, rng=2, progress=False)
    serial = verify.check_jacobian_spectrum(net, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        par = verify.check_jacobian_spectrum(net, executor=client, **kw)
    assert serial.to_dict() == par.to_dict()


@pytest.mark.parametrize("bad", [2, float("nan"), [True], "yes"])
def test_two_layer_fim_types_with_density_before_simulating(bad):
    from freealg import verify

    with pytest.raises(InvalidArgumentTypeError, match="with_density must be True or False"):
        verify.check_two_layer_fim("relu", 2 ** 0.5, with_density=bad, widths=(8,), trials=2)


_CALLS = []


def _counted_square(t):
    _CALLS.append(t)
    return t * t


def test_cache_dir_reuses_results_and_keys_by_task(tmp_path):
    _CALLS.clear()
    assert map_tasks(_counted_square, [1, 2, 3], progress=False, cache_dir=tmp_path) == [1, 4, 9]
    assert _CALLS == [1, 2, 3]
    # a rerun reads every result from disk; a new task is the only one computed
    assert map_tasks(_counted_square, [1, 2, 3, 4], progress=False, cache_dir=tmp_path) == [1, 4, 9, 16]
    assert _CALLS == [1, 2, 3, 4]
    files = list(tmp_path.glob("freealg-*/*.pkl"))
    assert len(files) == 4 and files[0].parent.name == f"freealg-{fa.__version__}"
    with pytest.raises(InvalidArgumentTypeError, match="cache_dir"):
        map_tasks(_counted_square, [1], cache_dir=3)


def test_fim_check_with_a_cache_is_identical_and_reuses_trials(tmp_path):
    from freealg import verify

    net = fa.MLP(2, "relu", sigma_w=2 ** 0.5)
    kw = dict(widths=(12, 24), trials=3, rng=5, progress=False)
    plain = verify.check_fim_spectrum(net, **kw)
    first = verify.check_fim_spectrum(net, cache_dir=tmp_path, **kw)
    n_files = len(list(tmp_path.glob("freealg-*/*.pkl")))
    again = verify.check_fim_spectrum(net, cache_dir=tmp_path, **kw)
    assert n_files == 6  # one per sampled network (2 widths x 3 trials)
    assert len(list(tmp_path.glob("freealg-*/*.pkl"))) == 6  # the rerun computed nothing new
    assert plain.to_dict() == first.to_dict() == again.to_dict()
