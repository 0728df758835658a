"""The one converter of number kinds (``freealg/_utils/numbers.py``).

Truths: ``float(Fraction)`` is correctly rounded (Python's own algorithm),
``math.sqrt``/``math.pi``/``math.e`` are the correctly rounded floats of
``sqrt(2)``, ``pi`` and ``e``, and mpmath at 60 digits gives the
reference of the mpmath conversion.  The classifiers are compared with the
per-module implementations they replaced (kept below as references), so the
consolidation changed no kind decision.
"""

import math
from fractions import Fraction

import mpmath as _reference_mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from freealg._utils import numbers as nb
from freealg.errors import InvalidArgumentError, InvalidArgumentTypeError

# ---------------------------------------------------------------------------
# to_float
# ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**400, max_value=10**400), st.integers(min_value=1, max_value=10**400))
def test_rationals_round_correctly(p, q):
    exact = Fraction(p, q)
    try:
        expected = float(exact)  # Python's correctly rounded division
    except OverflowError:
        with pytest.raises(InvalidArgumentError, match="beyond the float64 range"):
            nb.to_float(sympy.Rational(p, q), "x")
        return
    for v in (sympy.Rational(p, q), exact):
        assert nb.to_float(v) == expected
    if q == 1:
        assert nb.to_float(p) == expected


def test_irrationals_round_to_the_nearest_float():
    assert nb.to_float(sympy.sqrt(2)) == math.sqrt(2)
    assert nb.to_float(sympy.pi) == math.pi
    assert nb.to_float(sympy.E) == math.e
    with _reference_mpmath.workdps(60):
        ref = float(_reference_mpmath.sqrt(2) * _reference_mpmath.pi)  # one rounding at 60 digits
    assert nb.to_float(sympy.sqrt(2) * sympy.pi) == ref


def test_other_kinds():
    assert nb.to_float(np.float32(0.5)) == 0.5 and type(nb.to_float(np.float32(0.5))) is float
    assert nb.to_float(np.int64(-3)) == -3.0
    assert nb.to_float(_reference_mpmath.mpf("0.25")) == 0.25
    assert nb.to_float(sympy.Float(0.1)) == 0.1  # the float's own value, not 0.1 decimal
    assert nb.to_float(sympy.Integer(3) + 0 * sympy.I) == 3.0
    assert nb.to_float(1 + 2 * sympy.I, complex_ok=True) == 1 + 2j
    assert nb.to_float(_reference_mpmath.mpc(1, 2), complex_ok=True) == 1 + 2j
    assert nb.to_float(3 + 0j) == 3.0 and type(nb.to_float(3 + 0j)) is float


@pytest.mark.parametrize("value, error, message", [
    (sympy.Symbol("s") * 2, InvalidArgumentError, r"^x 2\*s is symbolic \(free symbols: s\); substitute"),
    (sympy.Integer(10) ** 400, InvalidArgumentError, r"(?i)^x 1\.0+e\+400 is beyond the float64 range"),
    (-Fraction(10**400, 3), InvalidArgumentError, "beyond the float64 range"),
    (10**400, InvalidArgumentError, "beyond the float64 range"),
    (float("nan"), InvalidArgumentError, r"^x must be finite; got nan$"),
    (np.float64("inf"), InvalidArgumentError, "must be finite"),
    (sympy.oo, InvalidArgumentError, "^x must be finite; got oo$"),
    (sympy.zoo, InvalidArgumentError, "^x must be finite; got zoo$"),
    (_reference_mpmath.mpf("1e400"), InvalidArgumentError, "beyond the float64 range"),
    (1 + 2 * sympy.I, InvalidArgumentError, r"is not real \(imaginary part 2\.0\)"),
    (True, InvalidArgumentTypeError, "^x must be a number; got True$"),
    ("0.5", InvalidArgumentTypeError, "^x must be a number; got '0.5' of type str$"),
    (None, InvalidArgumentTypeError, "must be a number"),
    (sympy.Matrix([1]), InvalidArgumentTypeError, "must be a number"),
])
def test_bad_values_raise_named_errors(value, error, message):
    with pytest.raises(error, match=message):
        nb.to_float(value, "x")


# ---------------------------------------------------------------------------
# to_mpf, to_sympy, to_plain
# ---------------------------------------------------------------------------


def test_to_mpf_rounds_once_at_the_working_precision():
    from freealg._utils.mpctx import mpmath

    with mpmath.workdps(50):
        third = nb.to_mpf(sympy.Rational(1, 3))
        root = nb.to_mpf(sympy.sqrt(2))
        assert third == mpmath.mpf(1) / 3
        assert root == mpmath.sqrt(2)
        assert nb.to_mpf(Fraction(2, 7)) == mpmath.mpf(2) / 7
        assert nb.to_mpf(0.1) == mpmath.mpf(0.1)  # a float is its binary value
        assert nb.to_mpf(np.int64(5)) == 5
        with _reference_mpmath.workdps(80):
            ref = _reference_mpmath.nstr(_reference_mpmath.exp(1) * _reference_mpmath.sqrt(3), 75)
        assert abs(nb.to_mpf(sympy.E * sympy.sqrt(3)) - mpmath.mpf(ref)) < mpmath.mpf(10) ** -49
    with pytest.raises(InvalidArgumentError, match="symbolic"):
        nb.to_mpf(sympy.Symbol("q"), "q")
    with pytest.raises(InvalidArgumentTypeError):
        nb.to_mpf(True)


def test_to_sympy_keeps_the_kind():
    assert nb.to_sympy(Fraction(1, 3)) == sympy.Rational(1, 3)
    assert nb.to_sympy(np.int64(4)) == 4 and nb.to_sympy(np.int64(4)).is_Integer
    half = nb.to_sympy(0.5)
    assert half.is_Float and half == 0.5
    expr = sympy.sqrt(2)
    assert nb.to_sympy(expr) is expr


def test_to_plain():
    assert nb.to_plain(sympy.Integer(7)) == 7 and type(nb.to_plain(sympy.Integer(7))) is int
    assert nb.to_plain(sympy.Rational(2, 3)) == Fraction(2, 3)
    assert nb.to_plain(sympy.sqrt(2)) == math.sqrt(2)
    assert nb.to_plain(sympy.Symbol("a") + 1) == "a + 1"
    assert nb.to_plain(1 + sympy.I) == "1 + I"
    assert nb.to_plain(np.float64(0.5)) == 0.5 and type(nb.to_plain(np.float64(0.5))) is float
    assert nb.to_plain(_reference_mpmath.mpf(0.25)) == 0.25
    assert nb.to_plain("text") == "text" and nb.to_plain(None) is None


# ---------------------------------------------------------------------------
# classifiers: the shared one against the per-module ones it replaced
# ---------------------------------------------------------------------------


def _old_combinatorics_kind_of(values):
    kind = "exact"
    for v in values:
        if type(v).__module__.startswith("sympy"):
            return "sympy"
        if type(v).__module__.startswith("mpmath"):
            kind = "mpmath"
        elif kind == "exact" and (isinstance(v, (float, complex))
                                  or (hasattr(v, "dtype") and v.dtype.kind in "fc")):
            kind = "float"
    return kind


def _old_spectra_kind(values):
    kinds = set()
    for v in values:
        if type(v).__module__.startswith("mpmath"):
            kinds.add("mpmath")
        elif isinstance(v, (int, Fraction, np.integer)) or (isinstance(v, sympy.Basic) and v.is_Rational):
            kinds.add("fraction")
        elif isinstance(v, (float, np.floating)):
            kinds.add("float")
        else:
            kinds.add("sympy")
    for k in ("mpmath", "float", "sympy"):
        if k in kinds:
            return k
    return "fraction"


def _old_activation_kind(q):
    if isinstance(q, sympy.Basic) or isinstance(q, (int, Fraction, np.integer)):
        return "exact"
    if isinstance(q, _reference_mpmath.mpf):
        return "mp"
    return "float"


_SAMPLES = [3, Fraction(1, 3), np.int64(2), 0.5, np.float64(0.25), sympy.Rational(1, 2), sympy.Integer(4),
            sympy.sqrt(2), sympy.Float(0.5), sympy.Symbol("s"), _reference_mpmath.mpf(1)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(range(len(_SAMPLES))), max_size=4))
def test_classifiers_decide_as_before(indices):
    from freealg.activations._numbers import _kind as activation_kind
    from freealg.combinatorics._kinds import _kind_of as combinatorics_kind_of
    from freealg.dnn._spectra import _kind as spectra_kind

    values = [_SAMPLES[i] for i in indices]
    assert combinatorics_kind_of(values) == _old_combinatorics_kind_of(values), values
    assert spectra_kind(values) == _old_spectra_kind(values), values
    for v in values:
        assert activation_kind(v) == _old_activation_kind(v), v


def test_kind_and_exactness():
    assert [nb.kind(v) for v in (1, Fraction(1, 2), 0.5, 1j, sympy.Integer(1), _reference_mpmath.mpf(1), "x")] \
        == ["exact", "exact", "float", "float", "sympy", "mpmath", None]
    assert nb.kind_of([]) == "exact"
    assert [nb.is_rational(v) for v in (2, Fraction(1, 2), np.int8(1), sympy.Rational(1, 3), sympy.sqrt(2), 0.5,
                                        True)] == [True, True, True, True, False, False, False]
    assert [nb.is_exact(v) for v in (sympy.sqrt(2), sympy.pi + 1, sympy.Float(0.5) + sympy.sqrt(2),
                                      sympy.Symbol("s"), 0.5)] == [True, True, False, False, False]


def test_the_callers_use_the_one_converter():
    # the former copies are now the shared functions (no second implementation to drift)
    from freealg.dnn import _layer_data
    from freealg.laws import _kinds
    from freealg.verify import _common

    assert _layer_data.to_float is nb.to_float
    assert _kinds._to_float is nb.to_float
    with pytest.raises(InvalidArgumentError, match="symbolic"):
        _common._to_float(sympy.Symbol("t"), "coefficient")
    assert _common._to_float(sympy.sqrt(-1)) == 1j
