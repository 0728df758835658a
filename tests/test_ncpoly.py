"""Noncommutative polynomials and traces.

Independent truth: every algebraic identity is checked by evaluating the
polynomials on random real matrices with numpy (a polynomial is right iff its
matrix value is), and the cyclic canonical form of a trace by comparing
numeric traces of the original and the canonical words.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import freealg
from freealg import I, Id, NCPoly, Trace, nc_symbols, tr
from freealg.errors import FreealgError, InvalidArgumentError, NCPolynomialError

A, B, C = nc_symbols("A B C")
S = nc_symbols("S", selfadjoint=True)
LETTERS = {"A": A, "B": B, "C": C, "S": S}

N = 5
_rng = np.random.default_rng(1234)
_MATS = {name: _rng.standard_normal((N, N)) for name in "ABC"}
_s = _rng.standard_normal((N, N))
_MATS["S"] = _s + _s.T


def evaluate(p, mats=_MATS):
    """Matrix value of a polynomial (numeric coefficients) on fixed matrices."""
    out = np.zeros((N, N))
    for word, c in p.as_dict().items():
        m = np.eye(N)
        for name, t in word:
            m = m @ (mats[name].T if t else mats[name])
        out = out + float(c) * m
    return out


def evaluate_trace(t, mats=_MATS):
    total = 0.0
    for word, c in t.as_dict().items():
        m = np.eye(N)
        for name, tt in word:
            m = m @ (mats[name].T if tt else mats[name])
        total += float(c) * np.trace(m) / N
    return total


atoms = st.sampled_from([A, B, C, S, A.T, B.T, C.T])
words = st.lists(atoms, min_size=0, max_size=5)
coeffs = st.one_of(st.integers(-3, 3), st.fractions(min_value=-2, max_value=2, max_denominator=4))


@st.composite
def polys(draw):
    p = NCPoly(0)
    for _ in range(draw(st.integers(0, 3))):
        w = I
        for a in draw(words):
            w = w * a
        p = p + draw(coeffs) * w
    return p


@settings(max_examples=40, deadline=None)
@given(polys(), polys(), polys())
def test_ring_axioms_against_matrices(p, q, r):
    assert np.allclose(evaluate(p * q), evaluate(p) @ evaluate(q))
    assert np.allclose(evaluate(p + q), evaluate(p) + evaluate(q))
    assert (p + q) * r == p * r + q * r
    assert p * (q * r) == (p * q) * r
    assert (p * q).T == q.T * p.T
    assert p.T.T == p
    assert np.allclose(evaluate(p.T), evaluate(p).T)
    assert p - p == 0


@settings(max_examples=40, deadline=None)
@given(polys(), polys())
def test_trace_canonical_form_matches_numeric_trace(p, q):
    # the canonical form must not change the value of the trace
    assert np.isclose(evaluate_trace(tr(p)), np.trace(evaluate(p)) / N)
    assert tr(p * q) == tr(q * p)
    assert tr(p.T) == tr(p)
    assert hash(tr(p * q)) == hash(tr(q * p))


def test_collection_and_coefficients():
    p = (A + B) ** 2
    assert len(p.terms()) == 4
    assert p.coeff(A * B) == 1 and p.coeff(A * A) == 1 and p.coeff(C) == 0
    q = A * B + 2 * A * B - Fraction(1, 2) * A * B
    assert q.coeff(A * B) == Fraction(5, 2)
    assert A ** 0 == I and A ** 3 == A * A * A
    assert (A - A) == 0 and (A - A).is_zero
    assert 2 * I == 2 and NCPoly(3) == 3 * Id
    assert (A / 2).coeff(A) == Fraction(1, 2)          # exact, not 0.5
    assert S.T == S and A.T != A


def test_symbolic_coefficients_collect_and_expand():
    q, s = sympy.symbols("q s")
    p = q * A + s * A - (q + s) * A
    assert p == 0
    p = (q + 1) * (A + I)
    assert p.coeff(A) == q + 1
    assert p.subs({q: 2}) == 3 * A + 3 * I


def test_degree():
    p = A * B.T * A + 3 * I
    assert p.degree() == 3
    assert p.degree(A) == 2 and p.degree(B) == 1 and p.degree(C) == 0
    assert NCPoly(0).degree() == float("-inf")
    assert tr(p).degree() == 3


def test_subs_against_matrices():
    p = A * B.T * C + 2 * B
    q = p.subs({B: A * C + I})
    mats = dict(_MATS)
    mats["B"] = _MATS["A"] @ _MATS["C"] + np.eye(N)
    assert np.allclose(evaluate(q), evaluate(p, mats))
    # by name, as a pair, and substituting a transpose
    assert p.subs("B", A * C + I) == q
    assert p.subs([(B, A * C + I)]) == q
    assert (A.T * B).subs(A.T, C) == C * B
    # simultaneous substitution
    assert (A * B).subs({A: B, B: A}) == B * A
    # traces
    t = tr(A * B).subs(B, A)
    assert t == tr(A * A)


def test_str_round_trip():
    q = sympy.Symbol("q")
    ns = {"A": A, "B": B, "C": C, "S": S, "I": I, "q": q}
    for p in [A * B.T * A ** 2 - Fraction(3, 4) * S + 2 * I,
              (q + 1) * A - q * B.T ** 2,
              -A, NCPoly(0), I]:
        assert eval(str(p), ns) == p
    assert str(A * B.T * B.T) == "A*B.T**2"
    assert str(tr(B * A) + 3) == "tr(A*B) + 3"


def test_repr_latex_and_letter():
    assert (A.T * S)._repr_latex_() == r"$A^{\top} S$"
    assert A.letter.name == "A" and (A * B).letter is None
    assert A.letters() == (A,) and (B * A.T).letters() == (A, B)


def test_nc_symbols_options():
    X, Y = nc_symbols(["X1", "Y_2"], selfadjoint=["Y_2"])
    assert X.T != X and Y.T == Y
    R = nc_symbols("R", shape=("N", "M"))
    assert R.shape == ("N", "M") and (R * R.T).shape == ("N", "N")
    assert (R.T * R).shape == ("M", "M")
    # tr = (1/dim) Tr: tr(Rᵀ R) is normalised by M and tr(R Rᵀ) by N, so they differ
    # (by the factor N/M) and must not be identified by a cyclic rotation
    assert tr(R.T * R) != tr(R * R.T)
    assert tr(R.T * R * R.T * R) == tr((R.T * R) ** 2)
    assert tr(R * R.T * R * R.T) == tr((R * R.T) ** 2) != tr((R.T * R) ** 2)


@pytest.mark.parametrize(
    "bad, exc",
    [
        (lambda: A ** -1, NCPolynomialError),
        (lambda: A ** 1.5, NCPolynomialError),
        (lambda: 1 / A, NCPolynomialError),
        (lambda: A / B, NCPolynomialError),
        (lambda: A * "x", NCPolynomialError),
        (lambda: A + None, NCPolynomialError),
        (lambda: tr(A) * tr(B), NCPolynomialError),
        (lambda: tr(A) + A, NCPolynomialError),
        (lambda: A * tr(B), NCPolynomialError),
        (lambda: tr(tr(A)), NCPolynomialError),
        (lambda: A * float("nan"), InvalidArgumentError),
        (lambda: nc_symbols("I"), InvalidArgumentError),
        (lambda: nc_symbols("2x"), InvalidArgumentError),
        (lambda: nc_symbols("A A"), InvalidArgumentError),
        (lambda: nc_symbols("A", selfadjoint="B"), InvalidArgumentError),
        (lambda: nc_symbols(""), InvalidArgumentError),
        (lambda: A * sympy.Symbol("x", commutative=False), NCPolynomialError),
    ],
)
def test_bad_input(bad, exc):
    with pytest.raises(exc) as info:
        bad()
    assert isinstance(info.value, FreealgError)


def test_non_square_use():
    R = nc_symbols("R", shape=("N", "M"))
    with pytest.raises(NCPolynomialError, match="shape mismatch"):
        R * R
    with pytest.raises(NCPolynomialError, match="non-square"):
        tr(R)
    with pytest.raises(NCPolynomialError, match="non-square"):
        R + I
    with pytest.raises(NCPolynomialError):
        R ** 2
    with pytest.raises(NCPolynomialError):
        A.subs(A, R)


def test_error_messages_name_the_value():
    with pytest.raises(NCPolynomialError, match=r"negative power -2"):
        (A + B) ** -2
    with pytest.raises(NCPolynomialError, match="division by the polynomial A"):
        B / A


def test_public_names():
    assert freealg.I is freealg.Id
    assert isinstance(freealg.tr(freealg.I), Trace)
    assert tr(I) == 1 and tr(3) == 3


def test_pickle_and_copy_round_trip():
    import copy
    import pickle

    q = sympy.Symbol("q")
    p = q * A * B.T + Fraction(1, 3) * S ** 2 + I
    for obj in (p, tr(p), A.letter):
        assert pickle.loads(pickle.dumps(obj)) == obj
        assert copy.deepcopy(obj) == obj
    assert hash(pickle.loads(pickle.dumps(p))) == hash(p)


def test_word_sums_share_equality_hashing_and_printing():
    # NCPoly and Trace store {word: coefficient} through one mixin (nc/terms.py):
    # values built two ways are equal and hash equally, scalars compare as
    # scalars, and both print their words in the same order
    A, B = nc_symbols("A B")
    p1, p2 = (A + B) * (A - B), A * A - A * B + B * A - B * B
    assert p1 == p2 and hash(p1) == hash(p2) and len({p1, p2}) == 1
    t1, t2 = tr(A * B) + tr(B * A), 2 * tr(A * B)
    assert t1 == t2 and hash(t1) == hash(t2) and len({t1, t2}) == 1
    assert NCPoly(3) == 3 and 3 * I == 3 and tr(3 * I) == 3 and tr(3 * I) != 4
    assert A - A == 0 and not (A - A) and tr(A) - tr(A) == 0 and not (tr(A) - tr(A))
    assert I != tr(I) and tr(I) != I          # a matrix is never a trace
    assert str(2 * A * B - 3) == "2*A*B - 3*I" and str(2 * tr(A * B) - 3) == "2*tr(A*B) - 3"
    assert (A * B)._repr_latex_() == "$A B$"
    assert tr(A * B)._repr_latex_() == r"$\operatorname{tr}\left(A B\right)$"
