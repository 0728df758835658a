"""Shared machinery of the fuzz test (``tests/test_fuzz.py``) and the fuzz
survey (``benchmarks/fuzz_survey.py``): one copy of the adversarial value
pools, the catalogue of public call targets, the result walker and the
child-process runner.

The contract being measured (docs: errors; issue 10):

- only :class:`freealg.FreealgError` subclasses escape a public call;
- no NaN / infinity is returned (except where the density convention
  allows it: ``+inf`` at a hard edge of a density, ``nan`` at a flagged
  atom point);
- no call runs over its time bound, no call crashes the interpreter;
- no string argument is evaluated as Python code.

Every call runs in a child process (:class:`WorkerPool`), so a hang is
counted as ``timeout`` and a segfault as ``crash`` instead of stopping the
run.  Outcome categories (:data:`CATEGORIES`)::

    ok              returned, every number in the result finite
    freealg-error   raised a FreealgError subclass (the wanted failure mode)
    other:<Type>    raised anything else (TypeError, OverflowError, ...)
    nonfinite       returned NaN / inf somewhere in the result
    timeout         still running after the per-call time limit
    crash           the child process died (segfault, abort, OOM kill)
    injection       a string argument was executed (the sentinel file exists)
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import os
import random
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction

GOOD = ("ok", "freealg-error")
CATEGORIES = ("ok", "freealg-error", "other", "nonfinite", "timeout", "crash", "injection")

#: File name a successful injection payload creates in the worker's cwd.
SENTINEL = "fuzz_pwned_sentinel"

# ---------------------------------------------------------------------------
# adversarial value pools
# ---------------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")


class Opaque:
    """A plain object of a type freealg cannot know (stands for ``object()``,
    but compares equal across pickling so cases are reproducible)."""

    def __repr__(self):
        return "object()"

    def __eq__(self, other):
        return isinstance(other, Opaque)

    def __hash__(self):
        return 0


BAD_TYPES = ["3", "", None, True, [1, 2], {}, {"a": 1}, 1 + 2j, Opaque(), b"1"]
EXTREME_NUMBERS = [0, -1, 1e-300, 5e-324, -5e-324, 1e154, 1e300, -1e300, 2**63, 10**30, -(10**30),
                   NAN, INF, -INF]
HUGE_SIZES = [10**6, 10**9, 2**63, 10**30, -1, 0, 2.5, 3.0]
INJECTIONS = [
    f"__import__('os').system('touch {SENTINEL}')",
    f"__import__('pathlib').Path('{SENTINEL}').touch()",
    f"open('{SENTINEL}', 'w')",
    f"(lambda: __import__('os').mknod('{SENTINEL}'))()",
]
BAD_STRINGS = ["nosuchthing", "", " ", "x**", "1/0", "exp(exp(exp(exp(x))))", "nan", "inf", "relu" * 2000,
               "\x00", "é"] + INJECTIONS
MALFORMED_PARTITIONS = [[], [1], [0, 2], [0, 5, 1], [-1], [0, 1, 0, 1], [0, 0.5], ["a"], [[0]],
                        [0, 2**40], [0, -3], [0, 1, 2**63], [None], "010", [0, 1, 2, 0, 7], [0] * 3 + [9]]
MALFORMED_PARTITION_LISTS = [[[0, 5, 1]], [[]], [[0, 1], [0]], [], [[-1, 0]], [[0, 1, 0, 1]], [[0, 2**40]],
                             [[0, 0.5]], [["a"]], [[0, 9, 9]], [[0, 1, 2]] * 3 + [[0, 50, 1]], [[1, 0]]]
BAD_SEQUENCES = [[], [NAN], [INF], [1, NAN, 3], [1e300] * 6, [1e154, 1e308], [1, -5], ["a"], [None],
                 [[1]], [2**63] * 4, [10**30, 10**60], [1 + 1j, 2], [0, 0, 0, 0], [-1, 1],
                 [5e-324, 1e-300], {"a": 1}, [1] * 100_000]
BAD_POINTS = [NAN, INF, -INF, 0, 1e-300, 1e300, -1e300, 2**63, 10**30, complex(NAN, 1), complex(1, INF),
              1e300 + 1e300j, [], [NAN, 0.0], [INF], [[0.0, 1.0], [2.0]], "0.5", None, True, Opaque()]


def pool(kind):
    """The adversarial values for a parameter of this kind."""
    return list(_POOLS[kind]) + ([] if kind in ("any",) else [v for v in BAD_TYPES if not _same(v, _POOLS[kind])])


def _same(v, values):
    return any(type(v) is type(w) and repr(v) == repr(w) for w in values)


_POOLS = {
    "size": HUGE_SIZES + [NAN, INF, 1e300, -(10**30)],
    "dps": [0, -1, 10**6, 10**30, 2.5, NAN, INF, "30"],
    "real": EXTREME_NUMBERS,
    "prob": EXTREME_NUMBERS + [1.5, 1 + 1e-15, 0.999999999999],
    "point": BAD_POINTS,
    "seq": BAD_SEQUENCES,
    "sizes": [[], [0], [-1], [10**6], [10**9, 10**9], [2.5], [NAN], ["a"], [10**30]],
    "partition": MALFORMED_PARTITIONS,
    "partitions": MALFORMED_PARTITION_LISTS,
    "name": BAD_STRINGS,
    "word": BAD_STRINGS + ["a" * 100_000, [0, 99], [-1], [NAN]],
    "law": ["semicircle", 3, NAN, [1, 2], Opaque(), None],
    "any": BAD_TYPES + [NAN, INF, -1, 0, 10**30],
    "flag": ["yes", 2, NAN, None, [True]],
}


# ---------------------------------------------------------------------------
# references to live objects (built inside the worker, never pickled)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A valid object built by name in the process that makes the call."""

    name: str

    def __repr__(self):
        return f"<{self.name}>"


def _sqrt2():
    return math.sqrt(2.0)


_REF_BUILDERS = {
    # laws
    "Semicircle": lambda fa: fa.Semicircle(0, 1),
    "MarchenkoPastur": lambda fa: fa.MarchenkoPastur(0.5),
    "PointMass": lambda fa: fa.PointMass(1),
    "Atomic": lambda fa: fa.Atomic([0, 1], [Fraction(1, 2), Fraction(1, 2)]),
    "Bernoulli": lambda fa: fa.Bernoulli(0.3),
    "FussCatalan": lambda fa: fa.FussCatalan(2),
    "Arcsine": lambda fa: fa.Arcsine(),
    "ActivationDerivativeLaw": lambda fa: fa.activation_derivative_law("tanh", 1.0),
    "SpectralCurve": lambda fa: fa.MarchenkoPastur(Fraction(1, 2)).curve(),
    "FreeMulLaw": lambda fa: fa.free_mul_law([fa.MarchenkoPastur(1), fa.MarchenkoPastur(1)]),
    # networks
    "MLP": lambda fa: fa.MLP(3, "relu", sigma_w=_sqrt2()),
    "MLP_tanh": lambda fa: fa.MLP(2, "hardtanh", sigma_w=1.0, sigma_b=0.1),
    "JacobianLaw": lambda fa: fa.MLP(3, "relu", sigma_w=_sqrt2()).jacobian_law(),
    "FisherLaw": lambda fa: fa.MLP(3, "relu", sigma_w=_sqrt2()).fim_law(),
    "Activation": lambda fa: fa.get_activation("tanh"),
    # noncommutative polynomials
    "FreeModel": lambda fa: fa.FreeModel(),
    "FreeModel_ab": lambda fa: fa.FreeModel().selfadjoint(_letters(fa)[0], [0, 1, 0, 2])
    .selfadjoint(_letters(fa)[1], [1, 2, 5, 14]),
    "a": lambda fa: _letters(fa)[0],
    "b": lambda fa: _letters(fa)[1],
    "W": lambda fa: fa.nc_symbols("W"),
    "NCPoly": lambda fa: _letters(fa)[0] * _letters(fa)[1] + 1,
    "Trace": lambda fa: fa.tr(_letters(fa)[0] * _letters(fa)[1] * _letters(fa)[0] * _letters(fa)[1]),
    "rng": lambda fa: __import__("numpy").random.default_rng(0),
    "DensityResult": lambda fa: fa.Semicircle().curve().density([0.0, 1.0]),
    "sympy_z": lambda fa: __import__("sympy").Symbol("z"),
    "sympy_G": lambda fa: __import__("sympy").Symbol("G"),
    "sc_poly": lambda fa: fa.Semicircle().curve().polynomial,
    "semicircle_samples": lambda fa: __import__("numpy").random.default_rng(0).standard_normal(50),
    "kappa_fn": lambda fa: (lambda block: 1 if len(block) == 2 else 0),
    "phi_fn": lambda fa: (lambda word: 1 if len(word) % 2 == 0 else 0),
    "tanh_fn": lambda fa: __import__("mpmath").tanh,
    "ab_word": lambda fa: _letters(fa)[0] * _letters(fa)[1],
    "two_matrices": lambda fa: {_letters(fa)[0]: __import__("numpy").eye(3), _letters(fa)[1]: __import__("numpy").eye(3)},
}


def _letters(fa):
    return fa.nc_symbols("a b", selfadjoint=True)


_REF_CACHE = {}


def resolve(value, fa, fresh=False):
    """Replace every :class:`Ref` inside ``value`` by its live object."""
    if isinstance(value, Ref):
        if fresh or value.name not in _REF_CACHE:
            _REF_CACHE[value.name] = _REF_BUILDERS[value.name](fa)
        return _REF_CACHE[value.name]
    if isinstance(value, list):
        return [resolve(v, fa) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve(v, fa) for v in value)
    if isinstance(value, dict):
        return {resolve(k, fa): resolve(v, fa) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------
# catalogue of call targets
# ---------------------------------------------------------------------------

#: parameter name -> (kind, valid value) used when the target gives nothing better
PARAM_DEFAULTS = {
    "n": ("size", 4), "k": ("size", 2), "L": ("size", 3), "depth": ("size", 3), "width": ("size", 8),
    "trials": ("size", 2), "n_moments": ("size", 4), "max_terms": ("size", 20000), "n_grid": ("size", 65),
    "bins": ("size", 10), "max_degree": ("size", 16), "max_bytes": ("size", 2**20), "T": ("size", 3),
    "M": ("size", 3),
    "dps": ("dps", None),
    "x": ("point", [0.0, 0.5, 1.0]), "z": ("point", 1 + 1j), "w": ("point", Fraction(1, 10)),
    "zs": ("point", [1j, 2 + 1j]), "c": ("real", 0.5), "q": ("real", 1.0), "q_in": ("real", 1.0),
    "q0": ("real", 1.0), "sigma_w": ("real", 1.5), "sigma_b": ("real", 0.0), "variance": ("real", 1),
    "mean": ("real", 0), "shift": ("real", 1), "scale": ("real", 2), "rate": ("real", 0.5),
    "jump": ("real", 1), "a": ("real", 1), "alpha": ("real", 0.5), "gamma": ("real", 0.5), "b": ("real", 0.1),
    "tol": ("real", 1e-9), "window": ("real", 0.1), "center": ("real", 1), "noise": ("real", 0.0),
    "eta": ("real", 1.0), "t": ("real", 1.0), "q_in_st": ("real", 0.0), "mass_tol": ("real", 1e-9),
    "moment_tol": ("real", 1e-8), "atol": ("real", None), "sigma_w_max": ("real", None), "dpi": ("size", 50),
    "s11": ("real", 1.0), "s12": ("real", 0.5), "s22": ("real", 1.0),
    "p": ("partition", [0, 1, 0]), "parts": ("partitions", [[0, 1, 0], [0, 0, 1]]),
    "moments": ("seq", [1, 2, 5, 14]), "cumulants": ("seq", [1, 1, 1, 1]), "ma": ("seq", [1, 2, 5]),
    "mb": ("seq", [1, 2, 5]), "gammas": ("seq", [0.5, 1.0]), "block_weights": ("seq", [1, 1, 1, 1]),
    "points": ("seq", [0, 1]), "weights": ("seq", [0.5, 0.5]), "widths": ("sizes", [8, 16]),
    "depths": ("sizes", [2, 3]), "ratios": ("seq", None), "breakpoints": ("seq", ()),
    "activation": ("name", "relu"), "name_or_expr": ("name", "tanh"), "init": ("name", "orthogonal"),
    "convention": ("name", None), "jacobian_convention": ("name", "preactivation"), "strategy": ("name", "auto"),
    "symbolic": ("name", "moments"), "field": ("name", "real"), "which": ("name", "phi2"),
    "kind": ("name", "free"), "names": ("name", "x y"), "claim": ("name", "freeness"),
    "word": ("word", "a b"), "expr": ("word", Ref("Trace")), "t": ("word", Ref("Trace")),
    "strict": ("flag", True), "check": ("flag", True), "exact": ("flag", False), "full_cov": ("flag", False),
    "selfadjoint": ("flag", False), "compact": ("flag", True), "factor": ("flag", True),
    "require_critical": ("flag", False), "progress": ("flag", None), "plugin": ("flag", False),
    "symbolic_d": ("flag", False), "with_density": ("flag", False), "logx": ("flag", True),
    "law": ("law", Ref("Semicircle")), "net": ("law", Ref("MLP")), "laws": ("law", [Ref("Semicircle")]),
    "factors": ("law", [Ref("MarchenkoPastur"), Ref("MarchenkoPastur")]), "powers": ("sizes", None),
    "nu": ("law", Ref("Bernoulli")), "nus": ("law", [Ref("Bernoulli"), Ref("Bernoulli")]),
    "rng": ("any", Ref("rng")), "mu0": ("seq", None), "P": ("any", Ref("sc_poly")),
    "G": ("any", Ref("sympy_G")), "obj": ("law", Ref("Semicircle")), "A": ("word", Ref("a")),
    "W": ("word", Ref("W")), "letters": ("word", [Ref("a")]), "monomial": ("word", Ref("NCPoly")),
    "polynomial": ("word", Ref("sc_poly")), "samples": ("seq", Ref("semicircle_samples")),
    "matrices": ("any", Ref("two_matrices")), "exact_moments": ("seq", None), "X": ("seq", [[1.0, 0.0], [0.0, 1.0]]),
    "X2": ("seq", None), "Y": ("seq", [1.0, -1.0]), "Xstar": ("seq", [[0.5, 0.5]]), "f": ("any", "tanh"),
}

#: per-target overrides: target id -> {param: (kind, valid)}
OVERRIDES = {
    "Bernoulli": {"p": ("prob", 0.3)},
    "PointMass": {"a": ("real", 1)},
    "Atomic": {"weights": ("seq", [Fraction(1, 2), Fraction(1, 2)])},
    "FussCatalan": {"L": ("size", 2)},
    "Arcsine": {"a": ("real", -2), "b": ("real", 2)},
    "MLP": {"depth": ("size", 3), "sigma_w": ("real", 1.5)},
    "moebius": {"p": ("partition", [0, 1, 0])},
    "noncrossing_sum": {"n": ("size", 4)},
    "noncrossing_partitions": {"n": ("size", 5)},
    "catalan": {"n": ("size", 5)},
    "moment_from_cumulants": {"word": ("word", "ab"), "kappa": ("any", Ref("kappa_fn"))},
    "cumulant_from_moments": {"word": ("word", "ab"), "phi": ("any", Ref("phi_fn"))},
    "moment_symbol": {"A": ("word", Ref("a")), "k": ("size", 2)},
    "cumulant_symbol": {"A": ("word", "A"), "k": ("size", 3)},
    "tr": {"p": ("word", Ref("NCPoly"))},
    "latex": {"obj": ("law", Ref("Trace"))},
    "jacobian_curve": {"L": ("size", 2), "nu": ("law", Ref("Bernoulli")), "weights": ("name", "gaussian")},
    "fim_curve": {"q": ("seq", [1, 1, 1]), "weights": ("name", "orthogonal")},
    "fim_two_layer_curve": {"activation": ("name", "relu"), "sigma_w": ("real", 1.5),
                            "q": ("seq", (1.0, 1.0, 1.0))},
    "weight_law": {"weights": ("name", "gaussian"), "sigma_w": ("real", 1)},
    "gaussian_expectation": {"f": ("any", Ref("tanh_fn")), "q": ("real", 1.0)},
    "conjugate_kernel_moments": {"n": ("size", 3), "b": ("real", 0.1)},
    "activation_derivative_law": {"activation": ("name", "tanh"), "q": ("real", 1.0)},
    "ActivationDerivativeLaw": {"activation": ("name", "tanh"), "q": ("real", 1.0)},
    "free_power": {"a": ("law", Ref("MarchenkoPastur")), "L": ("size", 3)},
    "get_activation": {"name_or_expr": ("name", "tanh")},
    "nc_symbols": {"names": ("name", "x y"), "shape": ("any", None), "selfadjoint": ("flag", False)},
    "Letter": {"name": ("name", "x"), "selfadjoint": ("flag", False), "shape": ("any", ("N", "N"))},
    "branch_cauchy": {"P": ("any", Ref("sc_poly")), "z": ("any", Ref("sympy_z")), "G": ("any", Ref("sympy_G")),
                      "zs": ("point", [1j, 2 + 1j])},
    "curve_density": {"P": ("any", Ref("sc_poly")), "z": ("any", Ref("sympy_z")), "G": ("any", Ref("sympy_G")),
                      "x": ("point", [0.0, 1.0])},
    "curve_support": {"P": ("any", Ref("sc_poly")), "z": ("any", Ref("sympy_z")), "G": ("any", Ref("sympy_G"))},
    "curve_atoms": {"P": ("any", Ref("sc_poly")), "z": ("any", Ref("sympy_z")), "G": ("any", Ref("sympy_G"))},
    "SpectralCurve": {"polynomial": ("word", Ref("sc_poly")), "z": ("any", Ref("sympy_z")),
                      "G": ("any", Ref("sympy_G")), "check": ("flag", True)},
    "critical_sigma_w": {"activation": ("name", "tanh"), "sigma_b": ("real", 0.1)},
    "critical_line": {"activation": ("name", "tanh"), "sigma_b": ("real", 0.1)},
    "JacobianLaw": {"net": ("law", Ref("MLP"))},
    "FisherLaw": {"net": ("law", Ref("MLP"))},
    "simulate.haar_orthogonal": {"n": ("size", 4)},
    "simulate.haar_unitary": {"n": ("size", 4)},
    "simulate.ginibre": {"n": ("size", 4), "m": ("size", None)},
    "simulate.wigner": {"n": ("size", 4)},
    "simulate.wishart": {"n": ("size", 4), "m": ("size", None), "rate": ("real", 0.5)},
    "simulate.random_input": {"width": ("size", 4)},
    "simulate.sample_network": {"net": ("law", Ref("MLP_tanh")), "width": ("size", 8), "rng": ("any", Ref("rng"))},
    "verify.evaluate": {"expr": ("word", Ref("Trace")), "matrices": ("any", Ref("two_matrices"))},
    "verify.spectrum": {"law": ("law", Ref("Semicircle")), "samples": ("seq", Ref("semicircle_samples"))},
    "verify.network_letters": {"depth": ("size", 2)},
    "verify.network_model": {"net": ("law", Ref("MLP_tanh")), "q0": ("real", 1.0)},
    "verify.network_sampler": {"net": ("law", Ref("MLP_tanh")), "q0": ("real", 1.0)},
    "verify.check_asymptotic_freeness": {"widths": ("sizes", [8, 16]), "trials": ("size", 2),
                                         "depth": ("size", 2)},
    "verify.check_jacobian_spectrum": {"net": ("law", Ref("MLP_tanh")), "depths": ("sizes", [2]),
                                       "widths": ("sizes", [8, 16]), "trials": ("size", 2)},
    "verify.check_fim_spectrum": {"net": ("law", Ref("MLP_tanh")), "widths": ("sizes", [8, 16]),
                                  "trials": ("size", 2)},
    "verify.check_two_layer_fim": {"widths": ("sizes", [8, 16]), "trials": ("size", 2),
                                   "with_density": ("flag", False)},
    "dnn.mp_moments": {"n": ("size", 4), "gamma": ("real", 0.5)},
    "plot.plot_density": {"obj": ("law", Ref("Semicircle")), "bins": ("size", 10)},
    "plot.plot_phase_diagram": {"sigma_b": ("seq", [0.0, 0.1]), "sigma_w_critical": ("seq", [1.0, 1.1])},
    "MLP.c_map": {"c": ("real", 0.5)},
    "MLP.q_map": {"q": ("real", 1.0)},
    "MLP.q_sequence": {"q_in": ("real", 1.0)},
    "MLP.qhat_sequence": {"q_in": ("real", 1.0)},
    "MLP.d2_moments": {"n": ("size", 3), "layer": ("size", None)},
    "MLP.d2_atoms": {"layer": ("size", None)},
    "MLP.conjugate_kernel_moments": {"n": ("size", 3), "gammas": ("seq", [0.5, 0.5])},
    "MLP.fim_meanfield": {"T": ("size", 3)},
    "MLP.ntk_predict": {"t": ("real", 1.0)},
    "MLP.replace": {},
    "Activation.gaussian_expectation": {"which": ("name", "phi2"), "q": ("real", 1.0)},
    "Activation.gaussian_expectation_np": {"which": ("name", "phi2"), "q": ("real", 1.0)},
    "Activation.gaussian_expectation_2d": {"which": ("name", "phi")},
    "Activation.phi": {"x": ("point", 0.5)},
    "Activation.dphi": {"x": ("point", 0.5)},
    "Activation.phi_mp": {"x": ("point", 0.5)},
    "Activation.dphi_mp": {"x": ("point", 0.5)},
    "Activation.dphi2_moments": {"q": ("real", 1.0), "n": ("size", 3)},
    "Activation.dphi_values_probabilities": {"q": ("real", 1.0)},
    "FreeModel.selfadjoint": {"A": ("word", Ref("a")), "moments": ("seq", [0, 1, 0, 2])},
    "FreeModel.deterministic": {"A": ("word", Ref("a")), "moments": ("seq", [1, 2])},
    "FreeModel.diagonal": {"letters": ("word", [Ref("a")]), "moments": ("seq", [1, 2])},
    "FreeModel.ginibre": {"W": ("word", Ref("W")), "variance": ("real", 1)},
    "FreeModel.haar_orthogonal": {"W": ("word", Ref("W")), "scale": ("real", 1)},
    "FreeModel_ab.moment": {"t": ("word", Ref("Trace"))},
    "FreeModel_ab.expand": {"t": ("word", Ref("Trace")), "max_terms": ("size", 20000)},
    "SpectralCurve.evaluate": {"z": ("point", 1 + 1j), "g": ("point", 0.5)},
    "SpectralCurve.matches_moments": {"moments": ("seq", [Fraction(1, 2)])},
    "SpectralCurve.from_r_transform": {"R": ("word", "1/(1-w)"), "w": ("any", None)},
    "SpectralCurve.from_s_transform": {"S": ("word", "1/(1+w)"), "w": ("any", None)},
    "SpectralCurve.from_stieltjes": {"polynomial": ("word", "m**2+x*m+1"), "z": ("word", "x"),
                                     "m": ("word", "m")},
    "NCPoly.coeff": {"monomial": ("word", Ref("ab_word"))},
    "NCPoly.degree": {"letter": ("word", None)},
    "FisherLaw.learning_rate_bound": {"M": ("size", None)},
    "JacobianLaw.isometry": {"center": ("real", 1)},
    "FreeMulLaw.s_transform": {"w": ("point", 0.1)},
}

#: instance owners whose public methods are fuzzed (owner key -> Ref name)
OWNERS = ["Semicircle", "MarchenkoPastur", "PointMass", "Atomic", "Bernoulli", "FussCatalan", "Arcsine",
          "ActivationDerivativeLaw", "SpectralCurve", "FreeMulLaw", "MLP", "JacobianLaw", "FisherLaw",
          "Activation", "FreeModel", "FreeModel_ab", "NCPoly", "Trace"]
#: owners mutated by their methods: rebuilt for every call
FRESH_OWNERS = {"FreeModel", "FreeModel_ab"}

#: data holders (plain records built by freealg itself): their constructors
#: store what they are given and are not input boundaries
RECORD_TYPES = {"DensityEvidence", "DensityResult", "IsometrySummary", "MomentExpansion", "KAAResult",
                "MomentCheck", "MomentChecks", "SpectrumCheck", "CheckReport", "NetworkInstance",
                "ForwardPass", "Law", "CertificationWarning"}
#: methods that are not input boundaries of their own
SKIP_METHODS = {"MLP.replace"} | {f"{o}.subs" for o in OWNERS}


_NO_DEFAULT = object()


def _is_default(valid, default):
    try:
        return valid is default or (type(valid) is type(default) and bool(valid == default))
    except Exception:  # numpy arrays and the like
        return False


@dataclass
class Param:
    name: str
    kind: str
    valid: object
    keyword: bool  # pass by keyword (it has a default or is keyword-only)
    default: object = None  # the signature's default (a keyword equal to it is not passed)


@dataclass
class Target:
    id: str          # "catalan", "simulate.wigner", "Semicircle.density"
    owner: str       # "" for module level, else an OWNERS key
    module: str      # "freealg", "freealg.simulate", ...
    attr: str
    params: list = field(default_factory=list)
    varargs: str = ""  # name of a *args parameter (laws, args)
    area: str = ""


def _area(target_id, module):
    name = target_id.split(".")[-1]
    owner = target_id.split(".")[0] if "." in target_id else ""
    if module.endswith("partitions") or target_id in (
            "catalan", "noncrossing_partitions", "noncrossing_sum", "is_noncrossing", "kreweras_complement",
            "kreweras_complements", "moebius", "partition_blocks", "format_partition") or target_id.startswith("cli"):
        return "partitions/CLI"
    density_names = {"density", "cauchy", "support", "atoms", "lambda_max", "isometry", "branch_cauchy",
                     "curve_density", "curve_support", "curve_atoms", "free_mul_law", "FreeMulLaw"}
    if name in density_names or owner in ("FreeMulLaw",):
        return "density engines"
    if owner in ("MLP", "JacobianLaw", "FisherLaw", "Activation") or target_id.split(".")[0] in (
            "simulate", "verify", "dnn", "plot") or name in (
            "MLP", "JacobianLaw", "FisherLaw", "Activation", "get_activation", "gaussian_expectation",
            "critical_sigma_w", "critical_line", "conjugate_kernel_moments", "activation_derivative_law",
            "ActivationDerivativeLaw", "jacobian_curve", "fim_curve", "fim_two_layer_curve", "weight_law"):
        return "dnn/activations/simulate"
    return "laws/cumulants"


def _params_of(target_id, func, skip_first=False):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None, ""
    over = OVERRIDES.get(target_id, {})
    params, varargs = [], ""
    for i, p in enumerate(sig.parameters.values()):
        if p.name.startswith("_"):
            continue
        if p.kind is p.VAR_KEYWORD:
            continue
        if p.kind is p.VAR_POSITIONAL:
            varargs = p.name
            continue
        has_default = p.default is not p.empty
        if p.name in over:
            kind, valid = over[p.name]
        elif p.name in PARAM_DEFAULTS:
            kind, valid = PARAM_DEFAULTS[p.name]
            if has_default:
                valid = p.default
        elif has_default:
            kind, valid = "any", p.default
        else:
            return None, ""  # a required parameter we do not know how to fill
        if has_default and p.name not in over and p.name not in PARAM_DEFAULTS:
            valid = p.default
        params.append(Param(p.name, kind, valid, keyword=has_default or p.kind is p.KEYWORD_ONLY,
                            default=p.default if has_default else _NO_DEFAULT))
    return params, varargs


def build_targets():
    """Every public callable: functions and classes in ``freealg.__all__`` and
    in the public submodules, and the public methods of :data:`OWNERS`.
    Returns ``(targets, skipped)`` (skipped: ids with the reason)."""
    import freealg as fa

    targets, skipped = [], []
    errors = set(fa.errors.__all__)
    sources = [("", fa, [n for n in fa.__all__ if n not in errors and n != "__version__"])]
    for sub in ("simulate", "verify", "dnn", "plot"):
        mod = getattr(fa, sub)
        sources.append((sub + ".", mod, [n for n in mod.__all__ if n not in fa.__all__]))
    for prefix, mod, names in sources:
        for name in names:
            obj = getattr(mod, name)
            tid = prefix + name
            if inspect.ismodule(obj) or not callable(obj):
                continue
            if name in RECORD_TYPES or (inspect.isclass(obj) and issubclass(obj, BaseException)):
                skipped.append((tid, "record type / exception"))
                continue
            params, varargs = _params_of(tid, obj)
            if params is None:
                skipped.append((tid, "no valid value known for a required parameter"))
                continue
            if name in ("I", "Id"):
                continue
            t = Target(tid, "", mod.__name__, name, params, varargs)
            t.area = _area(tid, mod.__name__)
            targets.append(t)
    for owner in OWNERS:
        inst = resolve(Ref(owner), fa)
        for name in dir(inst):
            if name.startswith("_"):
                continue
            if isinstance(inspect.getattr_static(inst, name, None), property):
                continue
            meth = getattr(inst, name)
            tid = f"{owner}.{name}"
            if not callable(meth) or tid in SKIP_METHODS or inspect.isclass(meth):
                continue
            params, varargs = _params_of(tid, meth)
            if params is None:
                skipped.append((tid, "no valid value known for a required parameter"))
                continue
            t = Target(tid, owner, "", name, params, varargs)
            t.area = _area(tid, type(inst).__module__)
            targets.append(t)
    return targets, skipped


# ---------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------


@dataclass
class Case:
    target: str
    owner: str
    module: str
    attr: str
    args: tuple
    kwargs: dict
    note: str = ""  # which parameter was made adversarial

    def describe(self, limit=160):
        parts = [_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        text = f"{self.target}({', '.join(parts)})"
        return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(v, limit=40):
    text = repr(v)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def make_case(target, values):
    """A case calling ``target`` with ``values`` (param name -> value);
    missing parameters take their valid value."""
    args, kwargs = [], {}
    for p in target.params:
        v = values.get(p.name, p.valid)
        if p.keyword:
            if p.name in values or not _is_default(p.valid, p.default):
                kwargs[p.name] = v
        else:
            args.append(v)
    if target.varargs and "*" in values:
        args.extend(values["*"])
    note = ",".join(sorted(values))
    return Case(target.id, target.owner, target.module, target.attr, tuple(args), kwargs, note)


def valid_case(target):
    if target.varargs and not target.params:
        return make_case(target, {"*": VARARGS_VALID.get(target.id, [])})
    return make_case(target, {})


VARARGS_VALID = {"free_add": [Ref("Semicircle"), Ref("Semicircle")],
                 "free_mul": [Ref("MarchenkoPastur"), Ref("MarchenkoPastur")]}
VARARGS_BAD = [[], [NAN], ["semicircle"], [None, None], [Ref("Semicircle"), 3], [Opaque()],
               [Ref("PointMass"), Ref("PointMass")], [Ref("Semicircle")] * 40]


def single_fault_cases(target, rng=None, wrong_types=None):
    """One case per (parameter, adversarial value), the other parameters valid;
    plus the valid call itself.  With ``rng`` and ``wrong_types``, only that
    many of the generic wrong-type values (:data:`BAD_TYPES`) are kept per
    parameter, chosen by ``rng`` (they all exercise the same type check; the
    kind-specific values are always kept)."""
    out = [valid_case(target)]
    for p in target.params:
        values = pool(p.kind)
        if rng is not None and wrong_types is not None:
            generic = [v for v in values if _same(v, BAD_TYPES) and not _same(v, _POOLS[p.kind])]
            keep = rng.sample(generic, min(wrong_types, len(generic)))
            values = [v for v in values if not any(v is g for g in generic) or any(v is k for k in keep)]
        for v in values:
            out.append(make_case(target, {p.name: v}))
    if target.varargs:
        for v in VARARGS_BAD:
            out.append(make_case(target, {"*": v}))
    return out


def random_cases(target, rng, count):
    """``count`` multi-fault cases: each parameter independently adversarial
    with probability 1/2 (seeded ``random.Random``)."""
    out = []
    for _ in range(count):
        values = {}
        for p in target.params:
            if rng.random() < 0.5:
                values[p.name] = rng.choice(pool(p.kind))
        if values:
            out.append(make_case(target, values))
    return out


# ---------------------------------------------------------------------------
# result walker
# ---------------------------------------------------------------------------


def _documented_infinity(case, owner, result):
    """``+inf`` is the documented answer of a few mean-field quantities where the
    theory says they diverge: the depth scales of a network at the edge of chaos
    (xi = -1/log chi with chi = 1), and q* of a network whose variance grows without
    bound (the chaotic phase of an unbounded activation).  Anything else non-finite,
    and NaN always, is a defect.  The phase is read from the network itself."""
    import numpy as np

    if case.attr not in ("depth_scales", "q_star") or owner is None:
        return False
    vals = np.asarray(result if isinstance(result, (tuple, list)) else [result], dtype=float)
    if np.isnan(vals).any() or (vals == -np.inf).any():
        return False
    try:
        phase = owner.phase()
    except Exception:  # noqa: BLE001 -- no phase, no excuse
        return False
    return phase == ("critical" if case.attr == "depth_scales" else "chaotic")


def find_nonfinite(obj, *, density=False, atom_x=(), x=None, _path="result", _depth=0, _seen=None):
    """Path and value of the first non-finite number in ``obj``, or ``None``.

    Walks floats, complex, numpy scalars and arrays, mpmath numbers, sympy
    expressions (``nan``, ``oo``, ``zoo``), lists / tuples / sets / dicts and
    the attributes of freealg objects (laws, curves, results).

    ``density=True`` applies the density convention to the returned values of
    a ``density`` method: ``+inf`` is allowed (a hard edge), ``nan`` is allowed
    where ``x`` is an atom location (``atom_x``).  A ``DensityResult`` is
    checked the same way, its ``at_atom`` mask (when present) marking the
    atom points.
    """
    import numpy as np

    if _seen is None:
        _seen = set()
    if _depth > 6:
        return None
    if obj is None or isinstance(obj, (bool, int, str, bytes, Fraction, np.bool_, np.integer)):
        return None
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        if math.isfinite(v) or (density and v == INF) or (density and math.isnan(v) and _at_atom(x, atom_x)):
            return None
        return f"{_path} = {v!r}"
    if isinstance(obj, (complex, np.complexfloating)):
        c = complex(obj)
        if math.isfinite(c.real) and math.isfinite(c.imag):
            return None
        return f"{_path} = {c!r}"
    if isinstance(obj, np.ndarray):
        return _check_array(obj, _path, density, atom_x, x, _depth, _seen)
    mod = type(obj).__module__ or ""
    if mod.startswith("mpmath"):
        import mpmath

        try:
            if isinstance(obj, mpmath.mpc):
                bad = not (mpmath.isfinite(obj.real) and mpmath.isfinite(obj.imag))
            elif isinstance(obj, mpmath.mpf):
                bad = not mpmath.isfinite(obj)
                if bad and density and (obj == mpmath.inf or (mpmath.isnan(obj) and _at_atom(x, atom_x))):
                    bad = False
            elif isinstance(obj, mpmath.matrix):
                return find_nonfinite(obj.tolist(), density=density, _path=_path, _depth=_depth + 1, _seen=_seen)
            else:
                return None
        except Exception:  # an mpmath object of another shape
            return None
        return f"{_path} = {obj}" if bad else None
    if mod.startswith("sympy"):
        import sympy

        try:
            if obj.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
                return f"{_path} = {_short(obj, 80)}"
        except Exception:
            return None
        return None
    if id(obj) in _seen:
        return None
    _seen.add(id(obj))
    if isinstance(obj, dict):
        for k, v in list(obj.items())[:2000]:
            r = (find_nonfinite(k, _path=f"{_path} key", _depth=_depth + 1, _seen=_seen)
                 or find_nonfinite(v, density=density, atom_x=atom_x, _path=f"{_path}[{k!r}]",
                                   _depth=_depth + 1, _seen=_seen))
            if r:
                return r
        return None
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)[:20000]
        xs = list(x) if (x is not None and isinstance(obj, (list, tuple)) and _sized(x) == len(items)) else None
        for i, v in enumerate(items):
            r = find_nonfinite(v, density=density, atom_x=atom_x, x=(xs[i] if xs else None),
                               _path=f"{_path}[{i}]", _depth=_depth + 1, _seen=_seen)
            if r:
                return r
        return None
    if mod.startswith("freealg"):
        if type(obj).__name__ == "DensityResult":
            return _check_density_result(obj, _path, _depth, _seen)
        attrs = _attributes(obj)
        for k, v in attrs:
            r = find_nonfinite(v, _path=f"{_path}.{k}", _depth=_depth + 1, _seen=_seen)
            if r:
                return r
    return None


def _sized(x):
    try:
        return len(x)
    except TypeError:
        return -1


def _at_atom(x, atom_x):
    if x is None:
        return False
    try:
        return any(float(x) == float(a) for a in atom_x)
    except (TypeError, ValueError, OverflowError):
        return False


def _attributes(obj):
    out = []
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict):
        out.extend(d.items())
    for cls in type(obj).__mro__:
        for k in getattr(cls, "__slots__", ()):
            if hasattr(obj, k):
                out.append((k, getattr(obj, k)))
    return [(k, v) for k, v in out if not (inspect.isfunction(v) or inspect.ismethod(v))]


def _check_array(arr, path, density, atom_x, x, depth, seen, allow=None):
    import numpy as np

    if arr.dtype == object:
        flat = arr.ravel()[:20000]
        xs = np.ravel(x) if x is not None and np.size(x) == arr.size else None
        for i, v in enumerate(flat):
            r = find_nonfinite(v, density=density, atom_x=atom_x, x=(xs[i] if xs is not None else None),
                               _path=f"{path}[{i}]", _depth=depth + 1, _seen=seen)
            if r:
                return r
        return None
    if arr.dtype.kind not in "fc":
        return None
    bad = ~np.isfinite(arr)
    if density and arr.dtype.kind == "f":
        bad &= ~(arr == np.inf)
        if x is not None and len(atom_x):
            try:
                xa = np.broadcast_to(np.asarray(x, dtype=float), arr.shape)
                bad &= ~(np.isnan(arr) & np.isin(xa, np.asarray(atom_x, dtype=float)))
            except (TypeError, ValueError):
                pass
    if allow is not None:
        bad &= ~allow
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        return f"{path}[{i}] = {arr.ravel()[i]!r}"
    return None


def _check_density_result(res, path, depth, seen):
    import numpy as np

    dens = np.asarray(res.density)
    at_atom = getattr(res, "at_atom", None)
    if at_atom is None:
        at_atom = np.isin(np.asarray(res.x, dtype=float), [float(a) for a, _ in (res.atoms or [])])
    at_atom = np.broadcast_to(np.asarray(at_atom, dtype=bool), dens.shape)
    hard_edge = dens == np.inf
    ok = at_atom | hard_edge
    r = _check_array(np.asarray(res.x, dtype=float), f"{path}.x", False, (), None, depth, seen)
    r = r or _check_array(dens, f"{path}.density", False, (), None, depth, seen, allow=ok)
    for name in ("cauchy", "error"):
        val = getattr(res, name, None)
        if val is not None:
            arr = np.asarray(val)
            r = r or _check_array(arr, f"{path}.{name}", False, (), None, depth, seen,
                                  allow=np.broadcast_to(ok, arr.shape) if arr.shape == dens.shape else None)
    if res.density_mp is not None:
        for i, v in enumerate(res.density_mp):
            if i < ok.size and ok.ravel()[i]:
                continue
            r = r or find_nonfinite(v, _path=f"{path}.density_mp[{i}]", _depth=depth + 1, _seen=seen)
    for name in ("atoms", "support", "evidence"):
        r = r or find_nonfinite(getattr(res, name, None), _path=f"{path}.{name}", _depth=depth + 1, _seen=seen)
    return r


# ---------------------------------------------------------------------------
# running one case (inside the worker process)
# ---------------------------------------------------------------------------

_TRACEBACK = "Traceback (most recent call last)"
_NONFINITE_TEXT = re.compile(r"(?<![A-Za-z_])(nan|-?inf|-?infinity|zoo|-?oo)(?![A-Za-z_])", re.IGNORECASE)


def nonfinite_text(text):
    """The first ``nan`` / ``inf`` token in printed output, or ``None``."""
    m = _NONFINITE_TEXT.search(text)
    return m.group(0) if m else None


def run_case(case):
    """Call one case in this process; return ``(category, detail, seconds)``."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _run_case(case)


def _run_case(case):
    import freealg as fa
    from freealg.errors import FreealgError

    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
    t0 = time.perf_counter()
    out_buf, err_buf = io.StringIO(), io.StringIO()
    try:
        owner = (resolve(Ref(case.owner), fa, fresh=case.owner in FRESH_OWNERS)
                 if case.owner and case.owner != "cli" else None)
        args = resolve(case.args, fa)
        kwargs = resolve(case.kwargs, fa)
        if case.owner == "cli":
            from freealg.cli import main

            with contextlib.redirect_stdout(out_buf), contextlib.redirect_stderr(err_buf):
                try:
                    code = main(*args)
                except SystemExit as exc:
                    code = exc.code
            result = None
        else:
            func = getattr(owner, case.attr) if owner is not None else getattr(
                sys.modules.get(case.module) or __import__(case.module, fromlist=["_"]), case.attr)
            result = func(*args, **kwargs)
            code = None
    except FreealgError as exc:
        cat, detail = "freealg-error", f"{type(exc).__name__}: {_first_line(exc)}"
    except BaseException as exc:  # noqa: BLE001 -- classifying every escape is the point
        if isinstance(exc, KeyboardInterrupt):
            raise
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" [{os.path.basename(tb[-1].filename)}:{tb[-1].lineno}]" if tb else ""
        cat, detail = f"other:{type(exc).__name__}", f"{type(exc).__name__}: {_first_line(exc)}{where}"
    else:
        if case.owner == "cli":
            cat, detail = _classify_cli_output(code, out_buf.getvalue(), err_buf.getvalue())
        else:
            density = case.attr == "density"
            atom_x = ()
            xval = None
            if density:
                xval = kwargs.get("x", args[0] if args else None)
                try:
                    atom_x = [float(a[0] if isinstance(a, (tuple, list)) else a) for a in owner.atoms()]
                except Exception:  # atoms not available: no nan is allowed
                    atom_x = ()
            try:
                bad = find_nonfinite(result, density=density, atom_x=atom_x, x=_asx(xval))
                walk_note = ""
            except Exception as exc:  # noqa: BLE001 -- the walker must not decide the category
                bad, walk_note = None, f"(result walker failed: {type(exc).__name__})"
            if bad and _documented_infinity(case, owner, result):
                bad, walk_note = None, "(documented divergence: +inf)"
            cat, detail = ("nonfinite", bad) if bad else ("ok", walk_note)
    secs = time.perf_counter() - t0
    if os.path.exists(SENTINEL):
        os.remove(SENTINEL)
        cat, detail = "injection", f"sentinel created ({detail})"
    return cat, detail[:300], secs


def _asx(x):
    import numpy as np

    if x is None:
        return None
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None


def _first_line(exc):
    text = str(exc).strip()
    return (text.splitlines()[0] if text else "")[:200]


def _classify_cli_output(code, out, err):
    """Category of an in-process ``main(argv)`` run."""
    if _TRACEBACK in err or _TRACEBACK in out:
        return "other:traceback-printed", err.strip().splitlines()[-1][:200] if err.strip() else ""
    if code in (0, None, 1):
        bad = nonfinite_text(out)
        return ("nonfinite", f"printed {bad!r}") if bad else ("ok", f"exit {code or 0}")
    if code == 2:
        return "freealg-error", (err.strip().splitlines() or [""])[-1][:200]
    return f"other:exit-{code}", err.strip()[-200:]


def cli_case(argv):
    """A case running ``freealg.cli.main(argv)`` in the worker."""
    return Case("cli.main", "cli", "freealg.cli", "main", (list(argv),), {}, note=" ".join(argv)[:80])


# ---------------------------------------------------------------------------
# worker pool: every call in a child process, with a time limit
# ---------------------------------------------------------------------------


_WARM_FLAG = "_FREEALG_FUZZ_WARM_UP"


def warm_up():
    """Import freealg, run each compiled kernel once and build every
    :class:`Ref` (run in the fork server, inherited by every worker)."""
    import warnings

    warnings.simplefilter("ignore")
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import freealg as fa

        fa.kreweras_complements([[0, 1, 0]])
        fa.noncrossing_partitions(4)
        fa.noncrossing_sum(4, [1, 1, 1, 1])
        fa.is_noncrossing([0, 1, 0])
        fa.moebius([0, 1, 0])
        fa.Semicircle().curve().density([0.0, 1.0])
        for name in _REF_BUILDERS:
            with contextlib.suppress(Exception):
                resolve(Ref(name), fa)
    except Exception:  # noqa: BLE001 -- a failed warm-up only costs time
        pass


def _worker_main(conn, cwd, mem_bytes, sys_path):
    sys.path[:0] = [p for p in sys_path if p not in sys.path]
    os.environ.setdefault("MPLBACKEND", "Agg")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if mem_bytes:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        except (ImportError, ValueError, OSError):
            pass
    os.chdir(cwd)
    import threading
    import warnings

    warnings.simplefilter("ignore")
    parent = os.getppid()

    def _orphan_watch():  # the parent was killed: do not linger in a hung call
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=_orphan_watch, daemon=True).start()
    import freealg  # noqa: F401 -- warm import before the first timed call

    conn.send("ready")
    while True:
        try:
            case = conn.recv()
        except EOFError:
            return
        if case is None:
            return
        conn.send(run_case(case))


class WorkerPool:
    """``n`` child processes, each running one case at a time.

    A case still running after ``timeout`` seconds is reported as
    ``timeout`` and its process killed; a process that dies while running a
    case is reported as ``crash``.  Either way a fresh process replaces it.
    ``mem_bytes`` caps each child's address space, so a runaway allocation
    raises MemoryError in the child instead of exhausting the machine.
    """

    def __init__(self, n=1, timeout=20.0, cwd=None, mem_bytes=4 * 2**30):
        import multiprocessing as mp
        import tempfile

        # Workers fork from a server that imported freealg, loaded the numba
        # kernels and built every Ref once (warm_up), so a worker replacing
        # one that hung starts in milliseconds with nothing left to compile:
        # the first call of a fresh worker costs what any other call costs.
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["_fuzz_support"])
        os.environ[_WARM_FLAG] = "1"
        try:
            from multiprocessing import forkserver

            forkserver.ensure_running()
        finally:
            os.environ.pop(_WARM_FLAG, None)
        self.timeout = timeout
        self.mem_bytes = mem_bytes
        self._tmp = None
        if cwd is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="freealg-fuzz-")
            cwd = self._tmp.name
        self.cwd = cwd
        self._workers = [self._spawn() for _ in range(n)]

    def _spawn(self):
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, self.cwd, self.mem_bytes, list(sys.path)),
                                 daemon=True)
        proc.start()
        child.close()
        if not parent.poll(300):
            proc.kill()
            raise RuntimeError("fuzz worker did not start within 300 s")
        assert parent.recv() == "ready"
        return [proc, parent, None, 0.0, None]  # proc, conn, case, start time, index

    def _replace(self, w):
        with contextlib.suppress(Exception):
            w[0].kill()
            w[0].join(5)
        w[1].close()
        w[:] = self._spawn()

    def call(self, case):
        """Run one case; return ``(category, detail, seconds)``."""
        return next(iter(self.map([case])))[1]

    def map(self, cases, budget=None):
        """Yield ``(index, (category, detail, seconds))`` as cases finish (in
        completion order).  With ``budget`` seconds, stop dispatching new
        cases once it is spent (the remaining ones are not yielded)."""
        from multiprocessing.connection import wait

        start = time.monotonic()
        pending = list(enumerate(cases))
        pending.reverse()
        while pending or any(w[2] is not None for w in self._workers):
            for w in self._workers:
                if w[2] is None and pending and (budget is None or time.monotonic() - start < budget):
                    idx, case = pending.pop()
                    try:
                        w[1].send(case)
                    except (BrokenPipeError, OSError):
                        self._replace(w)
                        w[1].send(case)
                    w[2], w[3], w[4] = case, time.monotonic(), idx
            busy = [w for w in self._workers if w[2] is not None]
            if not busy:
                break
            now = time.monotonic()
            wait_for = max(0.0, min(w[3] + self.timeout - now for w in busy))
            ready = wait([w[1] for w in busy] + [w[0].sentinel for w in busy], timeout=wait_for + 0.01)
            now = time.monotonic()
            for w in busy:
                if w[1] in ready:
                    try:
                        res = w[1].recv()
                    except (EOFError, OSError):
                        w[0].join(5)
                        res = ("crash", f"worker died, exit code {w[0].exitcode}", now - w[3])
                        idx = w[4]
                        self._replace(w)
                        yield idx, res
                        continue
                    idx = w[4]
                    w[2] = None
                    yield idx, res
                elif w[0].sentinel in ready or not w[0].is_alive():
                    w[0].join(5)
                    res = ("crash", f"worker died, exit code {w[0].exitcode}", now - w[3])
                    idx = w[4]
                    self._replace(w)
                    yield idx, res
                elif now - w[3] > self.timeout:
                    idx, elapsed = w[4], now - w[3]
                    self._replace(w)
                    yield idx, ("timeout", f"no result after {self.timeout:g} s", elapsed)

    def close(self):
        for w in self._workers:
            with contextlib.suppress(Exception):
                w[1].send(None)
        for w in self._workers:
            w[0].join(5)
            if w[0].is_alive():
                w[0].kill()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------
# command lines (run as real subprocesses)
# ---------------------------------------------------------------------------

BAD_CLI_NUMBERS = ["nan", "inf", "-inf", "1e400", "1e-400", "0", "-1", "1e300", "10**30", "abc", "", "1/0",
                   "5e-324", "99999999999999999999"]


def cli_command_lines(sentinel=SENTINEL):
    """The command-line survey: every subcommand with bad numbers, injection
    payloads, bad --plot paths and --json.  Returns a list of argv lists
    (without the program name)."""
    inj = [p.replace(SENTINEL, sentinel) for p in INJECTIONS]
    lines = []
    # cumulants / moments from cumulants
    for v in ["nan", "inf", "1e400", "1e308", "abc", "1/0", "10**30", inj[0]]:
        lines.append(["cumulants", "1", v, "5"])
    lines += [["cumulants", "1", "2", "--kind", "nosuch"], ["cumulants", "1", "-5", "--json"],
              ["cumulants"] + ["1e300"] * 8 + ["--kind", "classical"], ["cumulants", "0", "0", "--kind", "boolean"]]
    for v in ["nan", "1e308", "abc"]:
        lines.append(["moments", "--cumulants", "1", v, "1", "--json"])
    # network subcommands x bad numbers
    for cmd, extra in [("meanfield", []), ("spectrum", ["--depth", "2"]), ("fim", ["--depth", "2"]),
                       ("latex", ["tr(J J^T)", "--depth", "2"]), ("moments", ["tr(J J^T)", "--depth", "2"])]:
        for v in ["nan", "inf", "-1", "0", "1e300", inj[0]]:
            lines.append([cmd, *extra, "--sigma-w", v])
        for v in ["nan", inj[2]]:
            lines.append([cmd, *extra, "--sigma-b", v])
        for v in ["nosuch", inj[3]]:
            lines.append([cmd, *extra, "--activation", v])
        lines.append([cmd, *extra, "--json", "--sigma-w", "nan"])
    for cmd in ("spectrum", "fim", "latex"):
        base = ["tr(J J^T)"] if cmd == "latex" else []
        for v in ["0", "-1", "1000000", "99999999999999999999"]:
            lines.append([cmd, *base, "--depth", v])
    for cmd in ("spectrum", "fim", "moments"):
        extra = ["tr(J J^T)"] if cmd == "moments" else []
        for v in ["nan", "-1", "inf"]:
            lines.append([cmd, *extra, "--depth", "2", "--q-in", v])
    # expressions
    for e in ["tr(", "tr(X)", "tr(J^-1)", "tr((J J^T)^1000000)", inj[0], inj[3], "tr(J)" * 500]:
        lines.append(["moments", e, "--depth", "2"])
        lines.append(["latex", e, "--depth", "2"])
    # plots
    for path in ["/nonexistent-dir/x.png", "/proc/x.png", "", "out.nosuchformat", "."]:
        lines.append(["meanfield", "--plot", path])
        lines.append(["spectrum", "--depth", "2", "--plot", path])
    # verify
    for args in [["--widths", "0"], ["--widths", "-5"], ["--widths", "1000000000"], ["--trials", "0"],
                 ["--trials", "-1"], ["--depths", "0"], ["--seed", "-1"], ["--widths", "abc"],
                 ["--sigma-w", "nan"]]:
        lines.append(["verify", "jacobian", "--depth", "2", *args])
    lines += [["nosuchcommand"], [], ["--version"], ["spectrum"], ["fim", "--depth"], ["demo", "--json", "x"]]
    return lines


def classify_cli_subprocess(returncode, out, err, injected, timed_out):
    """Category of a ``freealg`` command line run as a subprocess."""
    if injected:
        return "injection"
    if timed_out:
        return "timeout"
    if returncode is not None and returncode < 0:
        return "crash"
    if _TRACEBACK in err or _TRACEBACK in out:
        return "traceback"
    if returncode in (0, 1):
        return "nonfinite-output" if nonfinite_text(out) else "ok"
    if returncode == 2:
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        return "error-one-line" if len(lines) == 1 else "error-multi-line"
    return f"exit-{returncode}"


CLI_GOOD = ("ok", "error-one-line", "error-multi-line")


def run_cli_line(argv, cwd, timeout):
    """Run ``python -m freealg.cli *argv`` in ``cwd``; return ``(category,
    returncode, stdout, stderr, seconds)``."""
    import subprocess

    sentinel = os.path.join(cwd, SENTINEL)
    if os.path.exists(sentinel):
        os.remove(sentinel)
    import freealg

    root = os.path.dirname(os.path.dirname(os.path.abspath(freealg.__file__)))
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    t0 = time.perf_counter()
    timed_out, out, err, code = False, "", "", None
    try:
        proc = subprocess.run([sys.executable, "-m", "freealg.cli", *argv], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        timed_out = True
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
    secs = time.perf_counter() - t0
    injected = os.path.exists(sentinel)
    if injected:
        os.remove(sentinel)
    return classify_cli_subprocess(code, out, err, injected, timed_out), code, out, err, secs


def seeded_sample(items, k, seed):
    """``k`` items chosen reproducibly (all of them if ``k >= len``)."""
    if k >= len(items):
        return list(items)
    rng = random.Random(seed)
    idx = sorted(rng.sample(range(len(items)), k))
    return [items[i] for i in idx]


if os.environ.get(_WARM_FLAG) == "1":  # imported as the fork server's preload
    warm_up()
