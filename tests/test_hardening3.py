"""Regressions from the end-of-session fuzz survey (issue 10): each call raises
a FreealgError naming the parameter, or returns the right number."""

from __future__ import annotations

import multiprocessing

import pytest

import freealg as fa
from freealg import verify
from freealg._utils.progress import map_tasks
from freealg.dnn import mp_moments
from freealg.errors import FloatRangeError, InvalidArgumentError, InvalidArgumentTypeError


def test_r_transform_at_a_tiny_float_is_the_mean():
    # R(w) = kappa_1 + kappa_2 w + ...: at w = 1e-300 the value is kappa_1 = mean = 1/2
    # (it raised AttributeError from the private mpmath context)
    assert complex(fa.Atomic([0, 1], [0.5, 0.5]).r_transform(w=1e-300)) == pytest.approx(0.5, abs=1e-15)


def test_float_overflow_is_named():
    with pytest.raises(FloatRangeError, match="gamma"):
        mp_moments(4, 1e154)
    with pytest.raises(FloatRangeError, match="sigma_b"):
        verify.check_two_layer_fim(sigma_b=1e300, widths=[8, 16], trials=2, with_density=False)


def test_points_and_options_are_typed():
    with pytest.raises(InvalidArgumentTypeError, match="z must be"):
        fa.MarchenkoPastur(1).curve().evaluate(None, 0.5)
    with pytest.raises(InvalidArgumentTypeError, match="tol"):
        fa.Bernoulli(0.5).quantile([0.0, 1.0], tol={})
    with pytest.raises(InvalidArgumentError, match="rng"):
        fa.Bernoulli(0.5).sample(4, rng=-1)
    with pytest.raises(InvalidArgumentTypeError, match="return_error"):
        fa.Bernoulli(0.5).cdf([0.0], return_error=[1, 2])


def _square(t):
    return t * t


def _in_daemon(_):
    return map_tasks(_square, [1, 2, 3], n_jobs=2, progress=False)


def test_processes_inside_a_daemonic_worker_fall_back_to_serial():
    # a multiprocessing.Pool worker cannot start processes; n_jobs then runs serially
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(1) as pool:
        assert pool.map(_in_daemon, [0]) == [[1, 4, 9]]


def test_huge_python_int_points_are_numbers():
    # 10**30 is far outside the support [0, 27/4] of FussCatalan(2): density 0
    # (it raised TypeError: an int beyond int64 made an object array)
    law = fa.FussCatalan(2)
    assert law.pdf(10**30) == 0.0
    assert law.pdf([10**30, 1])[0] == 0.0 and law.pdf([10**30, 1])[1] == law.pdf(1.0)


def test_curve_builders_name_wrong_types():
    # a nu that is not a law, and weights that are not a string, are type errors
    # (they were InvalidArgumentError, unlike fim_curve's)
    import freealg
    from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError

    with pytest.raises(InvalidArgumentTypeError, match="nu must be a freealg law"):
        freealg.jacobian_curve(2, 0.5)
    with pytest.raises(InvalidArgumentTypeError, match="weights"):
        freealg.weight_law(3)
    with pytest.raises(InvalidArgumentError, match="weights must be one of"):
        freealg.weight_law("uniform")
    assert freealg.weight_law("orthogonal", 2) == freealg.PointMass(4)
