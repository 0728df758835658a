"""The shared pieces of the density engines (one Newton loop, one support
refinement, one atom rule), each against an independent closed form."""

from fractions import Fraction
import math

import numpy as np

from freealg.density import certify
from freealg.density.continuation import newton_loop
from freealg.density.mul_exact import belinschi_step


def test_newton_loop_finds_square_roots_to_rounding():
    # G^2 = z: the root nearest the start, sqrt(z) (principal branch)
    z = np.array([2.0, 3.0 + 4.0j, 1e-6 + 1j, 1e6 - 1j])
    start = np.sqrt(z) * (1 + 0.1j)

    def step(Ua, za, dprev):
        G = Ua[:, 0]
        d = (G * G - za) / (2 * G)
        ad = np.abs(d)
        floor = 4 * np.finfo(float).eps * np.abs(G)
        done = (ad <= floor) | ((ad >= 0.5 * dprev) & (ad <= 1e-9 * np.abs(G)))
        return -d[:, None], ad, np.maximum(ad, floor), np.abs(G * G - za) / np.abs(za), done

    U, conv, err, resid = newton_loop(start[:, None], z, step)
    assert conv.all()
    exact = np.sqrt(z)
    assert np.all(np.abs(U[:, 0] - exact) <= 1e-15 * np.abs(exact))
    assert np.all(err < 1e-12 * np.abs(exact)) and np.all(resid < 1e-14)


def test_newton_loop_fails_a_point_whose_step_is_not_finite():
    def step(Ua, za, dprev):
        d = np.where(za.real > 0, (Ua[:, 0] - 1.0), np.nan)
        return -d[:, None], np.abs(d), np.abs(d), np.abs(d), np.abs(d) == 0

    U, conv, err, _ = newton_loop(np.array([[3.0 + 0j], [3.0 + 0j]]), np.array([1.0 + 0j, -1.0 + 0j]), step)
    assert conv.tolist() == [True, False]
    assert U[0, 0] == 1.0 and U[1, 0] == 3.0  # a failed point keeps its last finite iterate


def test_support_refinement_against_known_edges():
    # density positive on (sqrt 2, pi) and (4, 5): the edges to 1e-13
    def positive(x):
        x = np.asarray(x, float)
        return ((x > math.sqrt(2)) & (x < math.pi)) | ((x > 4) & (x < 5))

    sup = certify.scan_support(positive, 0.0, 6.0, n=50)
    assert len(sup) == 2
    for (a, b), (ea, eb) in zip(sup, [(math.sqrt(2), math.pi), (4.0, 5.0)]):
        assert abs(a - ea) <= 1e-12 * ea and abs(b - eb) <= 1e-12 * eb
    # the two shared steps on their own: brackets, then intervals
    a, b = certify.refine_brackets(positive, [1.0, 3.0], [2.0, 3.5], np.array([False, True]), tol=1e-11)
    assert abs(a[0] - math.sqrt(2)) <= 2e-11 and abs(b[1] - math.pi) <= 4e-11
    assert certify.bulk_intervals([1.5, 3.1], [False, True], None, 6.0) == [(1.5, 3.1)]
    assert certify.bulk_intervals([3.1], [True], 0.0, 6.0) == [(0.0, 3.1)]


def test_belinschi_step_on_bernoulli_laws():
    # B(p) ⊠ B(q) = the law of P Q P for free projections: atoms
    # max(1 - p, 1 - q) at 0 and max(0, p + q - 1) at 1 (Belinschi 2003)
    for p, q in [(Fraction(1, 2), Fraction(1, 2)), (Fraction(3, 4), Fraction(2, 3)), (Fraction(9, 10), Fraction(1, 5))]:
        at = belinschi_step([(0, 1 - p), (1, p)], [(0, 1 - q), (1, q)])
        expected = [(0, max(1 - p, 1 - q))] + ([(1, p + q - 1)] if p + q > 1 else [])
        assert at == expected
    # a point mass rescales: delta_2 ⊠ B(3/4)
    assert belinschi_step([(2, Fraction(1))], [(0, Fraction(1, 4)), (1, Fraction(3, 4))]) == [
        (0, Fraction(1, 4)), (2, Fraction(3, 4))]
