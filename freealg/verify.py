r"""Theory against simulation: limit moments, spectra and the claims of the
source documents, with error bars and width scaling.

* :func:`evaluate` -- a noncommutative polynomial or a trace evaluated on
  matrices (normalised trace ``tr = (1/N) Tr``, docs/theory.md §1).
* :func:`moments` -- the limit ``φ(p)`` from :class:`freealg.FreeModel`
  against ``E tr p`` at several widths: mean, standard error, z-score, and
  the measured rate at which the error vanishes (``1/N`` or ``1/N²``).
* :func:`spectrum` -- Kolmogorov distance between a law's CDF (density plus
  atoms) and empirical eigenvalues, and a moment comparison.
* Ready checks of the source documents' claims, each sampling *actual*
  networks (:mod:`freealg.simulate`): :func:`check_asymptotic_freeness`,
  :func:`check_jacobian_spectrum`, :func:`check_fim_spectrum`,
  :func:`check_two_layer_fim`.

Statistics
----------
For every width ``N`` the ``T`` trials are independent; the standard error
is ``SE = s/√T`` (``s`` the sample standard deviation) and the z-score
``z = (mean − predicted)/SE``.  The error ``e_N = mean − predicted`` is fitted
by weighted least squares (weights ``1/SE²``, the SE widened so that a
Student-t statistic with ``T − 1`` degrees of freedom has the tail of a
normal one, which keeps the fits honest for few trials) to ``c/N``, ``c/N²`` and
``c₁/N + c₂/N²``; a model is *acceptable* when its χ² p-value exceeds 1%.
The free slope of ``log|e_N|`` against ``log N`` is fitted on the widths
where the error is resolved (``|z| ≥ 2``), with weights ``(e_N/SE)²`` (the
delta method).  The reported ``rate`` says which of ``1/N`` and ``1/N²`` the
data support -- it is measured, never assumed.  As a rule, for real
ensembles (Haar orthogonal, real Gaussian) the first correction to a limit
trace is ``O(1/N)``, for complex ones (Haar unitary, GUE) ``O(1/N²)``; the
fluctuations of ``tr p`` are ``O(1/N)``, so at fixed ``T`` a ``1/N`` bias has
a width-independent z-score and a ``1/N²`` bias a z-score decaying like
``1/N``.

Verdicts.  The ready checks return a :class:`CheckReport` whose verdict
follows one rule, :func:`decide`, stated in the report: each of the ``m``
compared quantities is a test whose p-value is that of "its error vanishes
like a power of ``1/N``" (:attr:`MomentCheck.p_value`); the report agrees iff
every ``p ≥ 0.0027/m`` (``|z| ≤ Φ⁻¹(1 − 0.0027/(2m))``, Bonferroni at the
level of one two-sided 3σ test) and every exact finite-``N`` identity holds.

Examples
--------
``tr(O²) → 0`` for Haar orthogonal ``O``; at finite ``N``, ``E tr(O²) = 1/N``
exactly (Diaconis–Shahshahani), an ``O(1/N)`` correction:

>>> import numpy as np
>>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
>>> O = nc_symbols("O")
>>> model = FreeModel().haar_orthogonal(O)
>>> res = verify.moments(tr(O * O), model, lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
...                      widths=[8, 16, 32, 64], trials=400, rng=1)
>>> res.predicted, res.rate
(0.0, '1/N')
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ._utils.progress import check_jobs, check_progress, map_tasks
from ._utils.validate import MAX_DEPTH, MESSAGE_EXPR_LIMIT, check_choice, check_int, check_real, describe
from .errors import (
    CertificationWarning,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    TooLargeError,
    InvalidLawError,
    UnknownSymbolError,
)

__all__ = [
    "evaluate",
    "moments",
    "MomentCheck",
    "MomentChecks",
    "spectrum",
    "SpectrumCheck",
    "network_letters",
    "network_model",
    "network_sampler",
    "check_asymptotic_freeness",
    "check_jacobian_spectrum",
    "check_fim_spectrum",
    "check_two_layer_fim",
    "CheckReport",
    "decide",
    "Decision",
]

#: p-value below which a fitted model of the error is rejected (names the rate
#: of one :class:`MomentCheck`; the verdict of a report uses :func:`decide`).
P_ACCEPT = 0.01
#: Family-wise false-alarm rate of a check report's verdict: that of one
#: two-sided 3-sigma test, ``2(1 − Φ(3)) = 0.0027`` (:func:`decide`).
FAMILY_ALPHA = 0.0027
#: |z| from which the error at one width counts as resolved.
Z_RESOLVED = 2.0
#: Relative size below which an error is floating-point rounding.
ROUNDING = 1e-12
#: Largest width a check samples (an N x N float64 matrix and O(N^3) work per trial).
MAX_WIDTH = 20_000
#: Largest number of trials per width.
MAX_TRIALS = 100_000
#: Largest number of compared moments / quadrature nodes.
MAX_MOMENTS = 200
MAX_GRID = 1_000_000


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def _rng(rng):
    """A private Generator (never numpy's or Python's global random state)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(check_int(rng, "rng", minimum=0))
    raise InvalidArgumentTypeError(
        f"rng must be a numpy Generator or an integer seed >= 0; got {describe(rng)} of type "
        f"{type(rng).__name__}"
    )


def _check_count(value, name, minimum, maximum, hint):
    """A bounded integer argument (the shared checker), resource bound first."""
    return check_int(value, name, minimum=minimum, maximum=maximum, hint=hint)


def _check_callable(f, name, what):
    if f is not None and not callable(f):
        raise InvalidArgumentTypeError(f"{name} must be {what}; got {describe(f)} of type {type(f).__name__}")
    return f


def _to_float(c, what="value"):
    """A number (int, Fraction, float, mpmath, numeric sympy) as a Python float
    or complex; a symbolic value is an error naming its symbols."""
    if isinstance(c, bool):
        raise InvalidArgumentTypeError(f"{what} must be a number; got {c!r}")
    if isinstance(c, (numbers.Real, np.floating, np.integer)):
        return float(c)
    if isinstance(c, (complex, np.complexfloating)):
        return complex(c)
    mod = type(c).__module__
    if mod.startswith("mpmath"):
        return complex(c) if hasattr(c, "imag") and c.imag != 0 else float(c)
    if mod.startswith("sympy"):
        free = getattr(c, "free_symbols", set())
        if free:
            names = ", ".join(sorted(str(s) for s in free))
            raise InvalidArgumentError(
                f"{what} {c} is symbolic (free symbols: {names}); substitute numbers first, "
                f"e.g. expr.subs({{{sorted(str(s) for s in free)[0]}: 1.0}})"
            )
        v = complex(c.evalf(17))
        return v.real if v.imag == 0 else v
    try:
        return float(c)
    except (TypeError, ValueError):
        raise InvalidArgumentTypeError(
            f"{what} must be a number; got {describe(c)} of type {type(c).__name__}") from None


def _chi2_sf(x, dof):
    """Survival function of the chi-square law (regularised upper gamma)."""
    if dof <= 0:
        return float("nan")
    from ._utils.mpctx import mpmath

    return float(mpmath.gammainc(dof / 2.0, x / 2.0, mpmath.inf, regularized=True))


# ---------------------------------------------------------------------------
# evaluation of noncommutative polynomials on matrices
# ---------------------------------------------------------------------------


def _terms_of(expr):
    """``(kind, {word: coeff})`` with ``kind`` 'trace' or 'poly'.  A word is a
    tuple of atoms ``(Letter, transposed)`` (the ncpoly storage; ncpoly has no
    public word-iteration API yet)."""
    from .ncpoly import NCPoly, Trace

    if isinstance(expr, Trace):
        return "trace", expr._terms
    if isinstance(expr, NCPoly):
        return "poly", expr._terms
    raise InvalidArgumentError(
        f"expected a trace tr(p) or a polynomial p built from freealg.nc_symbols; got {expr!r}"
    )


def _matrix_table(matrices):
    """name -> ('d', vector) or ('m', matrix)."""
    if not isinstance(matrices, dict):
        raise InvalidArgumentError(
            f"matrices must be a dict letter -> numpy array; got {type(matrices).__name__}"
        )
    table = {}
    for key, val in matrices.items():
        if isinstance(key, str):
            name = key
        else:
            letter = getattr(key, "letter", None)
            name = getattr(letter, "name", None) or getattr(key, "name", None)
            if not isinstance(name, str):
                raise InvalidArgumentError(
                    f"matrix keys must be letter names or letters from nc_symbols; got {key!r}"
                )
        arr = np.asarray(val)
        if arr.ndim == 1:
            table[name] = ("d", arr)
        elif arr.ndim == 2:
            table[name] = ("m", arr)
        else:
            raise InvalidArgumentError(
                f"the value for {name} has shape {arr.shape}; give a matrix, or a vector "
                "for a diagonal matrix"
            )
    return table


def _atom_operand(atom, table):
    letter, transposed = atom
    try:
        kind, arr = table[letter.name]
    except KeyError:
        known = ", ".join(sorted(table)) or "none"
        raise UnknownSymbolError(
            f"no matrix given for the letter {letter.name} (given: {known})"
        ) from None
    if transposed:
        arr = arr.conj() if kind == "d" else arr.conj().T
    return kind, arr


def _size(op, side):
    kind, arr = op
    return arr.shape[0] if (kind == "d" or side == 0) else arr.shape[1]


def _mul(a, b, where):
    if _size(a, 1) != _size(b, 0):
        raise InvalidArgumentError(
            f"shape mismatch in the word {where}: {_size(a, 1)} columns times {_size(b, 0)} rows"
        )
    (ka, xa), (kb, xb) = a, b
    if ka == "d" and kb == "d":
        return "d", xa * xb
    if ka == "d":
        return "m", xa[:, None] * xb
    if kb == "d":
        return "m", xa * xb[None, :]
    return "m", xa @ xb


def _trace_of_product(a, b, where):
    """``tr(a b) = (1/n) Tr(a b)`` without forming ``a b``."""
    if _size(a, 1) != _size(b, 0) or _size(a, 0) != _size(b, 1):
        raise InvalidArgumentError(
            f"the word {where} is not square: cannot take its trace"
        )
    (ka, xa), (kb, xb) = a, b
    n = _size(a, 0)
    if ka == "d" and kb == "d":
        s = np.sum(xa * xb)
    elif ka == "d":
        s = np.sum(xa * np.diagonal(xb))
    elif kb == "d":
        s = np.sum(np.diagonal(xa) * xb)
    else:
        s = np.sum(xa * xb.T)
    return s / n


def _word_str(word):
    return "*".join(a[0].name + (".T" if a[1] else "") for a in word)


def _prod_cache(table):
    cache = {}

    def prod(word):
        if word in cache:
            return cache[word]
        if len(word) == 1:
            val = _atom_operand(word[0], table)
        else:
            val = _mul(prod(word[:-1]), _atom_operand(word[-1], table), _word_str(word))
        cache[word] = val
        return val

    return prod


def _primitive_root(word):
    """``(u, k)`` with ``word == u * k`` and ``k`` maximal."""
    n = len(word)
    for p in range(1, n // 2 + 1):
        if n % p == 0 and word[:p] * (n // p) == word:
            return word[:p], n // p
    return word, 1


def _eval_trace(terms, table):
    prod = _prod_cache(table)
    total = 0.0
    for word, c in terms.items():
        coeff = _to_float(c, "coefficient")
        root, k = _primitive_root(word) if len(word) > 1 else (word, 1)
        if k > 1:
            # tr(P^k), P the product of the primitive root: binary powering of
            # P^(k-1), then the trace trick for the last factor
            base = prod(root) if len(root) > 1 else _atom_operand(root[0], table)
            if _size(base, 0) != _size(base, 1):
                raise InvalidArgumentError(f"the word {_word_str(word)} is not square")
            acc, sq, e = None, base, k - 1
            while e:
                if e & 1:
                    acc = sq if acc is None else _mul(acc, sq, _word_str(word))
                e >>= 1
                if e:
                    sq = _mul(sq, sq, _word_str(word))
            val = _trace_of_product(acc, base, _word_str(word))
        elif not word:
            val = 1.0
        elif len(word) == 1:
            op = _atom_operand(word[0], table)
            if _size(op, 0) != _size(op, 1):
                raise InvalidArgumentError(f"the word {_word_str(word)} is not square")
            val = (np.sum(op[1]) if op[0] == "d" else np.trace(op[1])) / _size(op, 0)
        else:
            val = _trace_of_product(prod(word[:-1]), _atom_operand(word[-1], table),
                                    _word_str(word))
        total = total + coeff * val
    if np.iscomplexobj(total) or isinstance(total, complex):
        total = complex(total)
        return total.real if total.imag == 0 else total
    return float(total)


def _eval_poly(terms, table):
    if not terms:
        raise InvalidArgumentError("the zero polynomial has no size: evaluate tr(p) instead")
    prod = _prod_cache(table)
    acc = []
    for word, c in terms.items():
        coeff = _to_float(c, "coefficient")
        if not word:
            acc.append((coeff, None))
        else:
            k, arr = prod(word)
            acc.append((coeff, np.diag(arr) if k == "d" else arr))
    size = next((t.shape[0] for _, t in acc if t is not None), None)
    if size is None:
        raise InvalidArgumentError(
            "a polynomial that is a multiple of I has no size: evaluate tr(p) instead"
        )
    out = None
    for coeff, term in acc:
        t = coeff * (np.eye(size) if term is None else term)
        out = t if out is None else out + t
    return out


def evaluate(expr, matrices):
    r"""Evaluate a trace ``tr(p)`` (a number) or a polynomial ``p`` (a matrix)
    on given matrices.

    ``tr`` is the normalised trace ``(1/n) Tr`` of the ``n × n`` product
    (docs/theory.md §1).  A transposed letter ``W.T`` is evaluated as the adjoint
    ``W*`` (the transpose for real matrices), matching the ncpoly convention
    that ``.T`` is the adjoint.  A 1-D array stands for the diagonal matrix
    with that diagonal (cheap for the ``D_ℓ`` of a network).  Coefficients
    must be numeric (substitute symbols first).

    Parameters
    ----------
    expr : Trace or NCPoly
    matrices : dict
        Letter name (or letter) -> numpy matrix, or vector for a diagonal.

    Returns
    -------
    float or complex (for a trace) or ndarray (for a polynomial)

    Raises
    ------
    UnknownSymbolError
        A letter of ``expr`` has no matrix.
    InvalidArgumentError
        Shapes do not multiply, a symbolic coefficient, a bad key.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg import nc_symbols, tr
    >>> A, B = nc_symbols("A B")
    >>> m = {"A": np.array([[1.0, 2.0], [0.0, 1.0]]), "B": np.array([3.0, 5.0])}
    >>> evaluate(tr(A * B * A.T), m)                # ((3 + 4*5) + 5) / 2
    14.0
    >>> evaluate(A * B - 2 * A, m)
    array([[1., 6.],
           [0., 3.]])
    """
    kind, terms = _terms_of(expr)
    table = _matrix_table(matrices)
    return _eval_trace(terms, table) if kind == "trace" else _eval_poly(terms, table)


# ---------------------------------------------------------------------------
# moments: limit against finite-width traces
# ---------------------------------------------------------------------------


def _fit_rates(widths, err, se):
    """Weighted fits of the error against ``c/N``, ``c/N²``, ``c1/N + c2/N²``
    and zero, plus the free slope of ``log|err|`` on resolved widths."""
    n = np.asarray(widths, dtype=float)
    err = np.asarray(err, dtype=float)
    se = np.asarray(se, dtype=float)
    k = len(n)
    w = 1.0 / se**2
    z = err / se
    out = {}
    chi0 = float(np.sum(z**2))
    out["zero"] = {"chi2": chi0, "dof": k, "p": _chi2_sf(chi0, k)}
    for name, p in (("1/N", 1.0), ("1/N^2", 2.0)):
        x = n ** (-p)
        c = float(np.sum(w * x * err) / np.sum(w * x * x))
        c_se = float(1.0 / math.sqrt(np.sum(w * x * x)))
        chi = float(np.sum(w * (err - c * x) ** 2))
        out[name] = {"c": c, "c_stderr": c_se, "chi2": chi, "dof": k - 1,
                     "p": _chi2_sf(chi, k - 1)}
    if k >= 3:
        x = np.stack([1.0 / n, 1.0 / n**2], axis=1)
        a = x.T @ (w[:, None] * x)
        coef = np.linalg.solve(a, x.T @ (w * err))
        cov = np.linalg.inv(a)
        chi = float(np.sum(w * (err - x @ coef) ** 2))
        out["1/N+1/N^2"] = {"c": [float(coef[0]), float(coef[1])],
                            "c_stderr": [float(math.sqrt(cov[0, 0])), float(math.sqrt(cov[1, 1]))],
                            "chi2": chi, "dof": k - 2, "p": _chi2_sf(chi, k - 2)}
    resolved = np.abs(z) >= Z_RESOLVED
    slope = slope_se = None
    if np.count_nonzero(resolved) >= 2:
        xs = np.log(n[resolved])
        ys = np.log(np.abs(err[resolved]))
        ws = z[resolved] ** 2
        xm = np.sum(ws * xs) / np.sum(ws)
        sxx = np.sum(ws * (xs - xm) ** 2)
        if sxx > 0:
            ym = np.sum(ws * ys) / np.sum(ws)
            slope = float(np.sum(ws * (xs - xm) * (ys - ym)) / sxx)
            slope_se = float(1.0 / math.sqrt(sxx))
    out["slope"] = slope
    out["slope_stderr"] = slope_se
    out["resolved"] = [int(v) for v in n[resolved]]
    return out


def _classify(fit):
    """(rate, verdict) from the fits."""
    if fit["zero"]["p"] > P_ACCEPT:
        return ("not resolved",
                "the errors are within statistical noise at every width (chi2/dof = "
                f"{fit['zero']['chi2'] / fit['zero']['dof']:.2f}); the limit agrees, but the "
                "rate needs more trials or smaller widths")
    ok1 = fit["1/N"]["p"] > P_ACCEPT
    ok2 = fit["1/N^2"]["p"] > P_ACCEPT
    slope, sse = fit["slope"], fit["slope_stderr"]
    if ok1 and not ok2:
        return "1/N", "the error vanishes like 1/N (c/N fits, c/N^2 is rejected)"
    if ok2 and not ok1:
        return "1/N^2", "the error vanishes like 1/N^2 (c/N^2 fits, c/N is rejected)"
    if ok1 and ok2:
        if slope is not None and sse is not None:
            if abs(slope + 1) <= 2 * sse < abs(slope + 2):
                return "1/N", "both fits acceptable; the free slope favours 1/N"
            if abs(slope + 2) <= 2 * sse < abs(slope + 1):
                return "1/N^2", "both fits acceptable; the free slope favours 1/N^2"
        return ("1/N or 1/N^2",
                "the error vanishes, but 1/N and 1/N^2 both fit: use more trials or a wider "
                "range of widths to tell them apart")
    two = fit.get("1/N+1/N^2")
    if two is not None and two["p"] > P_ACCEPT:
        c1, s1 = two["c"][0], two["c_stderr"][0]
        if abs(c1) > 3 * s1:
            return "1/N", "the error vanishes like 1/N, with a visible 1/N^2 correction"
        return "1/N^2", "the error vanishes like 1/N^2 (the 1/N coefficient is consistent with 0)"
    msg = "neither c/N nor c/N^2 fits the errors"
    if slope is not None:
        msg += f" (free slope {slope:.2f} ± {sse:.2f})"
    return "no fit", msg + ": the prediction may be wrong, or higher-order terms dominate"


class MomentCheck:
    """Result of :func:`moments` for one expression: a table of widths with
    the predicted value, mean, standard error, error and z-score, and the
    measured convergence rate.

    Attributes
    ----------
    expr : str
    predicted : float or None
        The limit; None for a plug-in check (the prediction then depends on
        the sample, see ``rows[i]["predicted"]``).
    exact : object
        The prediction as the model returned it (a sympy expression in the
        law symbols for a plug-in check).
    rows : list of dict
        ``width, trials, mean, predicted, stderr, error, z`` per width.
    fit : dict
        The weighted fits (``"zero"``, ``"1/N"``, ``"1/N^2"``,
        ``"1/N+1/N^2"``, ``"slope"``, ``"slope_stderr"``).
    rate : str
        ``"1/N"``, ``"1/N^2"``, ``"1/N or 1/N^2"``, ``"not resolved"``
        (errors within noise), ``"exact"`` (errors at rounding level) or
        ``"no fit"`` (the errors do not vanish like a power of ``1/N``).
    verdict : str
        One sentence explaining ``rate``.
    expected_rate : str or None
    plugin : tuple of str
        Letters whose law was replaced by the empirical one in each trial.

    Parameters
    ----------
    expr : str
        The expression, as printed.
    predicted : float or None
        The limit (None for a plug-in check).
    exact : object
        The prediction as the model returned it.
    rows : list of dict
        One row per width with at least the keys ``width``, ``trials``,
        ``mean``, ``predicted``, ``stderr``, ``error`` and ``z`` (optionally
        ``stderr_eff``, the Student-t-widened SE used by the fits, and
        ``exact``, true when the error is at rounding level).
    expected_rate : {"1/N", "1/N^2"} or None, default None
        The rate :attr:`consistent` tests against.
    plugin : iterable of str, default ()
        Letters whose law was replaced by the empirical one.

    Raises
    ------
    KeyError
        If a row lacks ``width``, ``error`` or ``stderr``.  Built by
        :func:`moments`, which fills every key; nothing else is validated.

    Examples
    --------
    ``O Oᵀ = I`` exactly for a Haar orthogonal ``O``, so the check finds an
    identity at finite ``N`` (no statistics, no p-value):

    >>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
    >>> O = nc_symbols("O")
    >>> res = verify.moments(tr(O * O.T), FreeModel().haar_orthogonal(O),
    ...                      lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
    ...                      widths=[4, 8], trials=3)
    >>> res.predicted, res.rate, res.p_value, res.consistent
    (1.0, 'exact', None, True)
    """

    def __init__(self, expr, predicted, exact, rows, expected_rate=None, plugin=()):
        self.expr = expr
        self.predicted = predicted
        self.exact = exact
        self.rows = rows
        self.expected_rate = expected_rate
        self.plugin = tuple(plugin)
        self.fit = _fit_rates([r["width"] for r in rows], [r["error"] for r in rows],
                              [r.get("stderr_eff", r["stderr"]) for r in rows])
        if rows and all(r.get("exact") for r in rows):
            self.rate = "exact"
            self.verdict = ("the trace equals the prediction up to rounding at every width "
                            "(an identity at finite N)")
        else:
            self.rate, self.verdict = _classify(self.fit)

    @property
    def slope(self):
        """Fitted slope of ``log|error|`` against ``log N`` (None if fewer than
        two widths resolve the error)."""
        return self.fit["slope"]

    @property
    def p_value(self):
        """The p-value of the hypothesis "the error vanishes as ``N → ∞``":
        the largest χ² p-value among the vanishing models ``0``, ``c/N``,
        ``c/N²`` and ``c₁/N + c₂/N²`` (models with no degree of freedom left
        are skipped).  None when the rate is ``"exact"`` (an identity at
        finite ``N``, no statistics).  This is the number :func:`decide`
        compares with its threshold."""
        if self.rate == "exact":
            return None
        ps = [self.fit[k]["p"] for k in ("zero", "1/N", "1/N^2", "1/N+1/N^2")
              if k in self.fit and self.fit[k]["dof"] >= 1]
        ps = [p for p in ps if p == p]
        return max(ps) if ps else 1.0

    @property
    def consistent(self):
        """True if the errors fit the expected rate (or, without one, if some
        vanishing rate fits)."""
        if self.rate == "no fit":
            return False
        if self.expected_rate is None or self.rate in ("not resolved", "exact"):
            return True
        key = self.expected_rate
        return self.fit[key]["p"] > P_ACCEPT or self.rate == key

    def to_dict(self):
        """A JSON-serialisable dict of the table and the fits.

        Returns
        -------
        dict
            Keys ``expr``, ``predicted``, ``exact`` (as a string),
            ``plugin``, ``rows``, ``fit``, ``rate``, ``verdict``,
            ``expected_rate`` and ``consistent``.

        Examples
        --------
        >>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
        >>> O = nc_symbols("O")
        >>> res = verify.moments(tr(O * O.T), FreeModel().haar_orthogonal(O),
        ...                      lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
        ...                      widths=[4, 8], trials=3)
        >>> d = res.to_dict()
        >>> d["rate"], [r["width"] for r in d["rows"]]
        ('exact', [4, 8])
        """
        return {
            "expr": self.expr,
            "predicted": self.predicted,
            "exact": str(self.exact),
            "plugin": list(self.plugin),
            "rows": [dict(r) for r in self.rows],
            "fit": self.fit,
            "rate": self.rate,
            "verdict": self.verdict,
            "expected_rate": self.expected_rate,
            "consistent": self.consistent,
        }

    def __str__(self):
        if self.plugin:
            lines = [f"{self.expr}: predicted {self.exact}, with the empirical law of "
                     f"{', '.join(self.plugin)} in each trial"]
        else:
            lines = [f"{self.expr}: predicted {self.exact} = {self.predicted:.10g}"]
        lines.append(f"{'width':>7} {'trials':>7} {'mean':>14} {'predicted':>14} {'stderr':>10} "
                     f"{'error':>11} {'z':>7}")
        for r in self.rows:
            lines.append(
                f"{r['width']:>7d} {r['trials']:>7d} {r['mean']:>14.8g} {r['predicted']:>14.8g} "
                f"{r['stderr']:>10.3g} {r['error']:>+11.3e} {r['z']:>7.2f}"
            )
        f = self.fit
        parts = []
        if f["slope"] is not None:
            parts.append(f"|error| ~ N^({f['slope']:.2f} ± {f['slope_stderr']:.2f})")
        for key in ("1/N", "1/N^2"):
            d = max(f[key]["dof"], 1)
            parts.append(f"c{key[1:]}: chi2/dof = {f[key]['chi2'] / d:.2f} (p = {f[key]['p']:.2g})")
        lines.append("fit: " + "; ".join(parts))
        lines.append(f"rate: {self.rate} -- {self.verdict}")
        if self.expected_rate is not None:
            lines.append(f"expected {self.expected_rate}: "
                         + ("consistent" if self.consistent else "NOT consistent"))
        return "\n".join(lines)

    def __repr__(self):
        pred = "plug-in" if self.predicted is None else f"{self.predicted:.6g}"
        return f"<MomentCheck {self.expr}: predicted {pred}, rate {self.rate}>"


class MomentChecks(list):
    """A list of :class:`MomentCheck` (one per expression) that prints as one
    report.

    Returned by :func:`moments` for a list of expressions.

    Parameters
    ----------
    iterable : iterable of MomentCheck, optional
        The checks (as for ``list``); empty by default.

    Raises
    ------
    TypeError
        If ``iterable`` is not iterable (as for ``list``).

    Examples
    --------
    >>> from freealg import FreeModel, nc_symbols, tr, simulate, verify
    >>> O = nc_symbols("O")
    >>> res = verify.moments([tr(O * O.T), tr(O * O.T * O * O.T)], FreeModel().haar_orthogonal(O),
    ...                      lambda n, rng: {"O": simulate.haar_orthogonal(n, rng)},
    ...                      widths=[4, 8], trials=3)
    >>> type(res).__name__, [c.rate for c in res], len(res.rows)
    ('MomentChecks', ['exact', 'exact'], 4)
    """

    @property
    def rows(self):
        """All rows of all checks, each with an added ``expr`` key."""
        return [dict(r, expr=c.expr) for c in self for r in c.rows]

    def to_dict(self):
        """A JSON-serialisable dict ``{"checks": [check.to_dict(), ...]}``.

        Returns
        -------
        dict
            One :meth:`MomentCheck.to_dict` per check, under ``"checks"``.

        Examples
        --------
        >>> from freealg.verify import MomentChecks
        >>> MomentChecks().to_dict()
        {'checks': []}
        """
        return {"checks": [c.to_dict() for c in self]}

    def __str__(self):
        return "\n\n".join(str(c) for c in self)


def _check_widths(widths):
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise InvalidArgumentTypeError(
            f"widths must be a list of positive integers; got {describe(widths)} of type "
            f"{type(widths).__name__}")
    widths = list(widths)
    if len(widths) > 100:
        raise TooLargeError(f"widths lists {len(widths)} widths; at most 100 are supported")
    try:
        widths = [_check_count(w, f"widths[{i}]", 1, MAX_WIDTH,
                               f"a check samples N x N matrices with O(N^3) work per trial; use "
                               f"widths <= {MAX_WIDTH} (the error fits need only a few widths)")
                  for i, w in enumerate(widths)]
    except (InvalidArgumentTypeError, TooLargeError):
        raise
    except InvalidArgumentError:
        raise InvalidArgumentError(f"widths must be a non-empty list of positive integers; got {widths!r}") from None
    if not widths:
        raise InvalidArgumentError(f"widths must be a non-empty list of positive integers; got {widths!r}")
    if len(set(widths)) != len(widths):
        raise InvalidArgumentError(f"widths must be distinct; got {widths!r}")
    return widths


def _check_trials(trials, widths):
    hint = f"use trials <= {MAX_TRIALS} (the standard error falls like 1/sqrt(trials))"
    if isinstance(trials, (numbers.Integral, np.integer)) and not isinstance(trials, (bool, np.bool_)):
        trials = [_check_count(trials, "trials", None, MAX_TRIALS, hint)] * len(widths)
    else:
        if isinstance(trials, (str, bytes)) or not hasattr(trials, "__iter__"):
            raise InvalidArgumentTypeError(
                f"trials must be an integer or one integer per width; got {describe(trials)} of "
                f"type {type(trials).__name__}")
        trials = [_check_count(t, f"trials[{i}]", None, MAX_TRIALS, hint)
                  for i, t in enumerate(trials)]
        if len(trials) != len(widths):
            raise InvalidArgumentError(
                f"trials has {len(trials)} entries for {len(widths)} widths; give one per width"
            )
    if any(t < 2 for t in trials):
        raise InvalidArgumentError(
            f"trials must be >= 2 per width (a standard error needs two samples); got {trials}"
        )
    return trials


_LAW_SYMBOL = None


def _law_symbol_re():
    global _LAW_SYMBOL
    if _LAW_SYMBOL is None:
        import re

        _LAW_SYMBOL = re.compile(r"^(m|kappa)_(\d+)\(([A-Za-z][A-Za-z0-9_]*)\)$")
    return _LAW_SYMBOL


class _Prediction:
    """A constant prediction, or a plug-in one: a sympy expression in the law
    symbols ``m_k(X)`` / ``kappa_k(X)``, evaluated per trial at the empirical
    moments ``tr(X^k)`` of the sampled ``X``."""

    def __init__(self, expr, model, predicted, plugin):
        self.plugin = ()
        if predicted is not None:
            self.value = _to_float(predicted, "predicted")
            self.exact = predicted
            return
        if model is None:
            raise InvalidArgumentError(
                "give a FreeModel (model=...) or a known limit (predicted=...)"
            )
        exact = model.moment(expr)
        self.exact = exact
        free = getattr(exact, "free_symbols", set()) if type(exact).__module__.startswith("sympy") else set()
        if not free:
            val = _to_float(exact, f"the predicted limit of {expr}")
            if isinstance(val, complex):
                raise InvalidArgumentError(f"the predicted limit of {expr} is complex: {exact}")
            self.value = val
            return
        if not plugin:
            names = ", ".join(sorted(str(x) for x in free))
            raise InvalidArgumentError(
                f"the prediction {exact} of {expr} is symbolic (symbols {names}); give the "
                "laws to the model, substitute numbers, or use plugin=True to insert the "
                "empirical laws of the sampled matrices"
            )
        import sympy

        pat = _law_symbol_re()
        syms, needs = [], []
        for sym in sorted(free, key=str):
            m = pat.match(str(sym))
            if m is None:
                raise InvalidArgumentError(
                    f"the prediction of {expr} contains the symbol {sym}, which is not a law "
                    "symbol m_k(X) or kappa_k(X): substitute a number for it first"
                )
            syms.append(sym)
            needs.append((m.group(1), int(m.group(2)), m.group(3)))
        self.value = None
        self.syms = syms
        self.needs = needs
        self.plugin = tuple(sorted({x for _, _, x in needs}))
        self.fun = sympy.lambdify(syms, exact, modules="math")

    def __call__(self, table):
        if self.value is not None:
            return self.value
        cache = {}
        args = []
        for kind, k, name in self.needs:
            if name not in table:
                raise UnknownSymbolError(
                    f"plug-in prediction needs the empirical law of {name}, but the sampler "
                    f"gave no matrix for it (given: {', '.join(sorted(table))})"
                )
            mom = cache.get(name)
            kmax = max(kk for _, kk, nn in self.needs if nn == name)
            if mom is None:
                mom = cache[name] = _empirical_moments(table[name], kmax)
            if kind == "m":
                args.append(mom[k - 1])
            else:
                from .cumulants import free_cumulants

                args.append(float(free_cumulants(list(mom))[k - 1]))
        return float(self.fun(*args))


def _empirical_moments(op, kmax):
    kind, arr = op
    if kind == "d":
        v = arr.real if np.iscomplexobj(arr) else arr
        out, p = [], np.ones_like(v, dtype=float)
        for _ in range(kmax):
            p = p * v
            out.append(float(np.mean(p)))
        return out
    out, p = [], np.eye(arr.shape[0])
    for _ in range(kmax):
        p = p @ arr
        out.append(float(np.trace(p).real) / arr.shape[0])
    return out


def moments(expr, model=None, sampler=None, widths=(25, 50, 100, 200), trials=20, rng=None, *,
            predicted=None, plugin=False, expected_rate=None, progress=None):
    r"""Compare the limit ``φ(p)`` of the freeness engine with the empirical
    ``tr p`` at several widths.

    For each width ``N`` and each of ``T`` trials, ``sampler(N, rng)`` draws a
    dict ``letter name -> matrix`` (or vector, for a diagonal) and
    :func:`evaluate` computes ``tr p`` (its real part: the canonical form of a
    trace identifies ``tr w`` with ``tr w* = conj tr w``).  The table gives
    the mean, its standard error ``s/√T``, the error ``mean − φ(p)`` and
    ``z = error/SE``; the fits give the rate at which the error vanishes
    (see the module docstring).

    *Plug-in mode* (``plugin=True``): letters declared in the model without a
    law (symbolic ``m_k(X)``, ``kappa_k(X)``) get, in each trial, the
    empirical moments ``tr(X^k)`` of the sampled ``X``; the statistic is then
    ``tr p − φ(p)|_{empirical marginals}``.  This tests freeness itself,
    separately from the convergence of the marginal laws: the trace of a
    diagonal matrix with i.i.d. entries fluctuates like ``N^{-1/2}``, which
    otherwise hides the ``O(1/N)`` freeness corrections.

    Parameters
    ----------
    expr : Trace or NCPoly, or a list of them
        ``tr(p)`` (a polynomial is traced).  With a list, every expression is
        evaluated on the same samples and a :class:`MomentChecks` is returned.
    model : FreeModel, optional
        Gives the prediction ``model.moment(expr)``.
    sampler : callable ``(width, rng) -> dict``
    widths : sequence of int
    trials : int or sequence of int (one per width)
    rng : numpy Generator or int seed (default seed 0: reproducible)
    predicted : number, optional
        A known limit, used instead of ``model`` (with a list of expressions,
        a list of limits).
    plugin : bool
        Insert the empirical laws of symbolically declared letters.
    expected_rate : {"1/N", "1/N^2"}, optional
        If given, :attr:`MomentCheck.consistent` says whether the data fit it.
    progress : callable ``(done, total)``, optional
        Called after every trial (e.g. to drive a progress bar).

    Returns
    -------
    MomentCheck or MomentChecks

    Raises
    ------
    InvalidArgumentTypeError
        If ``sampler`` or ``progress`` is not callable, ``widths``/``trials``
        are not integers (or lists of them), ``rng`` is neither a Generator
        nor an int seed, or ``expr`` is not a trace or polynomial.
    InvalidArgumentError
        If ``widths`` is empty, has a width ``< 1`` or repeated widths;
        ``trials < 2`` or not one per width; ``expr`` is an empty list;
        neither ``model`` nor ``predicted`` is given; the prediction is
        symbolic without ``plugin=True`` (or has symbols that are not law
        symbols) or complex; ``expected_rate`` is invalid; a matrix shape
        does not fit; or the sampler gives non-finite traces.
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH`` (20000) or
        more than ``MAX_TRIALS`` (100000) trials, before any sampling.
    UnknownSymbolError
        If a letter of ``expr`` (or of a plug-in law) has no matrix in the
        sampler's dict, or is not declared in ``model``.

    Examples
    --------
    Real Wishart: ``E tr W² = λ² + λ + λ/N`` (the ``1/N`` is the real-Gaussian
    correction), limit ``λ² + λ = 2`` for ``λ = 1``:

    >>> import numpy as np
    >>> from freealg import FreeModel, nc_symbols, tr, simulate
    >>> X = nc_symbols("X")
    >>> model = FreeModel().ginibre(X)
    >>> res = moments(tr((X * X.T) ** 2), model, lambda n, rng: {"X": simulate.ginibre(n, rng)},
    ...               widths=[5, 10, 20, 40], trials=400, rng=3)
    >>> res.predicted, res.rate
    (2.0, '1/N')
    """
    _check_callable(progress, "progress", "a callable (done, total) or None")
    _check_trials(trials, _check_widths(widths))  # cheap checks before any model work
    _rng(rng)
    if sampler is None or not callable(sampler):
        raise InvalidArgumentTypeError(
            "sampler must be a callable (width, rng) -> dict of matrices; got "
            f"{sampler!r}"
        )
    single = not isinstance(expr, (list, tuple))
    exprs = [expr] if single else list(expr)
    if not exprs:
        raise InvalidArgumentError("expr is an empty list")
    from .ncpoly import NCPoly, tr as _tr

    exprs = [_tr(e) if isinstance(e, NCPoly) else e for e in exprs]
    for e in exprs:
        _terms_of(e)
    if predicted is not None and not single:
        if len(predicted) != len(exprs):
            raise InvalidArgumentError("predicted must have one value per expression")
        preds = [_Prediction(e, model, p, plugin) for e, p in zip(exprs, predicted)]
    else:
        preds = [_Prediction(e, model, predicted, plugin) for e in exprs]
    if expected_rate not in (None, "1/N", "1/N^2"):
        raise InvalidArgumentError(f"expected_rate must be '1/N', '1/N^2' or None; got {expected_rate!r}")
    out = _run_moments(exprs, [preds], sampler, widths, trials, rng, expected_rate, progress)[0]
    return out[0] if single else out


def _row(n, v, pv):
    """One table row from the per-trial values ``v`` and predictions ``pv``."""
    v = np.asarray(v, dtype=float)
    pv = np.asarray(pv, dtype=float)
    t = v.size
    diff = v - pv
    se = float(np.std(diff, ddof=1) / math.sqrt(t))
    err = float(np.mean(diff))
    # rounding floor: float64 products of ~N^3 flops carry relative errors
    # ~1e-15; an error below 1e-12 of the scale is rounding (e.g.
    # tr(J J^T) = s^4 tr(D^2) exactly for orthogonal W)
    floor = ROUNDING * max(1.0, float(np.mean(np.abs(v))))
    exact = abs(err) <= floor and se <= floor
    se = max(se, floor)
    z = err / se
    return {"width": int(n), "trials": int(t), "mean": float(np.mean(v)),
            "predicted": float(np.mean(pv)), "stderr": se, "error": err, "z": z,
            "stderr_eff": se * _t_inflation(z, t - 1), "exact": exact}


def _t_inflation(z, dof):
    """Factor ``|z| / |z_eff|`` mapping a Student-t statistic with ``dof``
    degrees of freedom (the standard error is itself estimated from the
    trials) to the normal quantile of the same tail probability, so that the
    chi-square fits stay valid for few trials."""
    if dof >= 200 or z == 0 or not math.isfinite(z):
        return 1.0
    from ._utils.mpctx import mpmath

    t2 = z * z
    p = mpmath.betainc(dof / 2.0, 0.5, 0, dof / (dof + t2), regularized=True)  # P(|T| > |z|)
    if p <= 0:
        return 1.0
    z_eff = float(mpmath.sqrt(2) * mpmath.erfinv(1 - p))
    if z_eff <= 0:
        return 1.0
    return max(1.0, abs(z) / z_eff)


def _run_moments(exprs, variants, sampler, widths, trials, rng, expected_rate, progress):
    """Evaluate ``exprs`` on shared samples against several prediction sets
    (``variants``: lists of :class:`_Prediction`, one per expression)."""
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    rng = _rng(rng)
    total = sum(trials)
    done = 0
    nv, ne = len(variants), len(exprs)
    data = []
    for n, t in zip(widths, trials):
        vals = np.empty((ne, t))
        pvals = np.empty((nv, ne, t))
        for i in range(t):
            table = _matrix_table(sampler(n, rng))
            for j, e in enumerate(exprs):
                v = _eval_trace(_terms_of(e)[1], table)
                vals[j, i] = v.real if isinstance(v, complex) else v
                for a, preds in enumerate(variants):
                    pvals[a, j, i] = preds[j](table)
            done += 1
            if progress is not None:
                progress(done, total)
        if not (np.all(np.isfinite(vals)) and np.all(np.isfinite(pvals))):
            raise InvalidArgumentError(
                f"the sampler produced non-finite traces at width {n}: check its scaling"
            )
        data.append((n, t, vals, pvals))
    results = []
    for a, preds in enumerate(variants):
        checks = MomentChecks()
        for j, (e, pred) in enumerate(zip(exprs, preds)):
            rows = []
            for n, t, vals, pvals in data:
                rows.append(_row(n, vals[j], pvals[a, j]))
            checks.append(MomentCheck(str(e), pred.value, pred.exact, rows, expected_rate,
                                      pred.plugin))
        results.append(checks)
    return results


# ---------------------------------------------------------------------------
# spectra
# ---------------------------------------------------------------------------


_EDGE_ORDER = 6


def _smoothstep(u, k=_EDGE_ORDER):
    """``s(u) = I_u(k, k)`` (regularised incomplete beta, a polynomial for
    integer ``k``): maps [0, 1] onto itself with ``s ~ u^k`` at 0 and
    ``1 − s ~ (1 − u)^k`` at 1."""
    return sum(math.comb(2 * k - 1, j) * u**j * (1 - u) ** (2 * k - 1 - j) for j in range(k, 2 * k))


def _smoothstep_d(u, k=_EDGE_ORDER):
    return (u * (1 - u)) ** (k - 1) * (math.factorial(2 * k - 1) / math.factorial(k - 1) ** 2)


def _law_name(law):
    """A law's ``repr`` for a message, capped (a curve's coefficients can have
    90 digits); the whole polynomial is ``law.polynomial``."""
    inner = law._law if isinstance(law, _CachedLaw) else law
    how = "its .polynomial attribute" if hasattr(inner, "polynomial") else "repr(law)"
    return describe(inner, MESSAGE_EXPR_LIMIT, how=how)


class _TheoryCDF:
    """CDF of a law: atoms plus the density integrated on its support
    intervals.

    The substitution ``x = a + (b − a) s(u)``, ``s(u) = I_u(6, 6)``, clusters
    the nodes at both edges like ``(x − a) ~ u⁶``, so edge singularities up to
    ``(x − a)^{−5/6}`` (square-root edges, inverse square roots, the
    ``x^{−L/(L+1)}`` of Fuss–Catalan laws at 0 for ``L ≤ 5``) give a bounded
    integrand; the midpoint rule on ``u`` then converges (and never
    evaluates the density at an edge)."""

    def __init__(self, law, n_grid=513):
        self.law = law
        self.evidence_ok = True
        self.evidence_text = []
        cdf = getattr(law, "cdf", None)
        from ._law_api import LawMethods

        if getattr(type(getattr(law, "_law", law)), "cdf", None) is LawMethods.cdf:
            # the generic quadrature CDF of every law: this class tabulates its
            # own (one density call, then interpolation for many eigenvalues)
            cdf = None
        self._cdf = cdf if callable(cdf) else None
        atoms = [(float(_to_float(a, "atom location")), float(_to_float(m, "atom mass")))
                 for a, m in (law.atoms() if hasattr(law, "atoms") else [])]
        self.atoms = sorted(a for a in atoms if a[1] > 0)
        self.pieces = []
        ac_mass = 0.0
        if self._cdf is None:
            support = law.support() if hasattr(law, "support") else []
            for a, b in support:
                a, b = float(_to_float(a)), float(_to_float(b))
                if b <= a:
                    continue
                u = np.linspace(0.0, 1.0, int(n_grid))
                x = a + (b - a) * _smoothstep(u)
                um = 0.5 * (u[1:] + u[:-1])  # midpoint rule: never evaluates an edge
                xm = a + (b - a) * _smoothstep(um)
                rho = self._density(law, xm)
                integrand = rho * (b - a) * _smoothstep_d(um)
                self._edge_nodes(law, a, b, xm, rho, integrand, np.diff(u))
                if np.any(rho < -1e-10):
                    raise InvalidLawError(
                        f"the density of {_law_name(law)} is negative on ({a}, {b}) "
                        f"(min {rho.min():.3g}): not a probability density"
                    )
                cum = np.concatenate([[0.0], np.cumsum(integrand * np.diff(u))])
                self.pieces.append((a, b, x, cum))
                ac_mass += float(cum[-1])
        self.ac_mass = ac_mass
        self.mass = ac_mass + sum(m for _, m in self.atoms) if self._cdf is None else 1.0

    def _edge_nodes(self, law, a, b, xm, rho, integrand, du):
        """Give the nodes where the density is ``+inf`` at an edge the
        integrand's edge value, 0 (in place), or raise.

        The density is ``+inf`` at a hard edge (the project's convention),
        and the engines return that value at a double within rounding of
        the edge.  The outermost midpoint nodes sit within about ``1e-15 (b −
        a)`` of the edges (``s(u) ~ 462 u⁶``), so they can be such doubles.
        After the substitution the integrand ``ρ(x(u)) x'(u)`` tends to 0 at
        the edge for every singularity weaker than ``(x − a)^{−5/6}`` (class
        docstring), so 0 is its value there; the dropped cells carry at most
        as much mass as the adjacent finite cell (the integrand increases
        away from the edge), which must be below ``1e-6`` (far below the
        ``1e-3`` mass check of :func:`spectrum` and the distances of order
        ``1/N`` it compares), else the edge is too singular for this
        quadrature and the CDF is refused.  A ``+inf``
        or ``nan`` anywhere else is an error.
        """
        bad = ~np.isfinite(rho)
        if not bad.any():
            return
        n = bad.size
        lo = int(np.argmin(bad)) if not bad.all() else n
        hi = int(np.argmin(bad[::-1])) if not bad.all() else n
        inner = bad.copy()
        inner[:lo] = False
        inner[n - hi:] = False
        ends_inf = np.all(np.isposinf(rho[:lo])) and np.all(np.isposinf(rho[n - hi:]))
        if inner.any() or not ends_inf or lo + hi >= n // 4:
            k = int(np.nonzero(inner)[0][0]) if inner.any() else (0 if lo else n - 1)
            raise InvalidLawError(
                f"the density of {_law_name(law)} is {rho[k]} at x = {xm[k]!r}, inside its "
                f"support ({a}, {b}) (not at an edge): not a finite density there")
        bound = 0.0
        if lo:
            bound += lo * abs(integrand[lo] * du[lo])
        if hi:
            bound += hi * abs(integrand[n - hi - 1] * du[n - hi - 1])
        if bound > 1e-6:
            raise InvalidLawError(
                f"the density of {_law_name(law)} is +inf at {lo + hi} quadrature nodes next to "
                f"the edges of ({a}, {b}) and the adjacent cells carry mass {bound:.2g}: the edge "
                "singularity is too strong for the CDF quadrature (it handles (x - a)^(-5/6))")
        integrand[:lo] = 0.0
        integrand[n - hi:] = 0.0
        self.edge_nodes = getattr(self, "edge_nodes", 0) + lo + hi
        self.edge_mass_bound = getattr(self, "edge_mass_bound", 0.0) + bound

    def _density(self, law, x):
        """Density values; a certified-density result object (``.density``,
        ``.evidence``) is unpacked, computed with ``strict=False`` so that a
        failed check is recorded (``self.evidence_ok``) instead of raised."""
        import inspect

        fun = law._law.density if isinstance(law, _CachedLaw) else law.density
        try:
            params = inspect.signature(fun).parameters
        except (TypeError, ValueError):
            params = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CertificationWarning)
            res = fun(x, strict=False) if "strict" in params else fun(x)
        ev = getattr(res, "evidence", None)
        if ev is not None:
            ok = bool(getattr(ev, "ok", True))
            self.evidence_ok = self.evidence_ok and ok
            if not ok:
                text = ev.summary() if hasattr(ev, "summary") else str(ev)
                failed = [ln.strip() for ln in str(text).splitlines() if "FAILED:" in ln]
                self.evidence_text.extend(failed or [str(text)[:300]])
        return np.asarray(getattr(res, "density", res), dtype=float)

    def __call__(self, x, left=False):
        """F(x) (right-continuous) or F(x−) with ``left``."""
        x = np.asarray(x, dtype=float)
        if self._cdf is not None:
            out = np.asarray(self._cdf(x), dtype=float)
            if left:
                for a, m in self.atoms:
                    out = out - m * (x == a)
            return out
        out = np.zeros_like(x)
        for a, m in self.atoms:
            out += m * ((x > a) if left else (x >= a))
        for a, b, xs, cum in self.pieces:
            inside = (x > a) & (x < b)
            out[inside] += np.interp(x[inside], xs, cum)
            out[x >= b] += cum[-1]
        return out


def _eigen_samples(samples):
    """List of 1-D float arrays, one per trial."""
    if isinstance(samples, np.ndarray):
        if samples.ndim == 1:
            trials = [samples]
        elif samples.ndim == 2:
            trials = list(samples)
        else:
            raise InvalidArgumentError(
                f"samples must be eigenvalues: a 1-D array, a (trials, n) array or a list of "
                f"1-D arrays; got shape {samples.shape}"
            )
    else:
        if isinstance(samples, (str, bytes, dict)) or not hasattr(samples, "__iter__"):
            raise InvalidArgumentTypeError(
                f"samples must be eigenvalues: a 1-D array, a (trials, n) array or a list of 1-D "
                f"arrays; got {describe(samples)} of type {type(samples).__name__}")
        trials = [np.asarray(s) for s in samples]
        if trials and all(t.ndim == 0 for t in trials):  # a flat list of eigenvalues
            trials = [np.asarray(samples)]
    out = []
    for s in trials:
        s = np.asarray(s)
        if s.dtype.kind not in "biufc":
            raise InvalidArgumentTypeError(
                f"samples must hold real numbers (eigenvalues); got an array of dtype {s.dtype}")
        if s.ndim != 1 or s.size == 0:
            raise InvalidArgumentError(
                "every trial must be a non-empty 1-D array of eigenvalues; use "
                "numpy.linalg.eigvalsh(matrix) to get them"
            )
        if np.iscomplexobj(s):
            if np.any(np.abs(s.imag) > 1e-8 * max(1.0, float(np.abs(s).max()))):
                raise InvalidArgumentError("eigenvalues must be real (a self-adjoint matrix)")
            s = s.real
        s = s.astype(float)
        if not np.all(np.isfinite(s)):
            raise InvalidArgumentError("eigenvalues must be finite")
        out.append(s)
    if not out:
        raise InvalidArgumentError("samples is empty")
    return out


class SpectrumCheck:
    """Result of :func:`spectrum`.

    Attributes
    ----------
    ks : float
        Kolmogorov distance ``sup_x |F_emp(x) − F_law(x)|``.
    levy : float
        Lévy distance (robust to small shifts of atoms, which at finite
        ``N`` sit at sample-dependent locations; the Kolmogorov distance
        jumps by the atom's mass for any shift).
    n : int
        Number of eigenvalues (all trials pooled).
    trials : int
    rows : list of dict
        Moment comparison ``k, theory, mean, stderr, error, z`` (``stderr``
        and ``z`` are None with a single trial).
    mass : float
        Total mass of the theory law as integrated (atoms + density): 1 up to
        the quadrature error.
    atoms : list of (location, theory mass, empirical mass)
    certified : bool
        False if the law's density came with failed evidence (certified
        densities of spectral curves); ``certification`` lists the failures.

    Parameters
    ----------
    law : law
        The theory law compared (stored as ``.law``).
    ks : float
        Kolmogorov distance.
    n : int
        Number of pooled eigenvalues.
    trials : int
        Number of matrices.
    rows : list of dict
        The moment comparison.
    mass : float
        Integrated theory mass.
    atoms : list of tuple
        ``(location, theory mass, empirical mass)`` per atom.
    levy : float or None, default None
        Lévy distance.

    Raises
    ------
    None
        The constructor stores its arguments without validation; results
        come from :func:`spectrum`.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg import simulate, verify
    >>> from freealg.laws import MarchenkoPastur
    >>> ev = np.linalg.eigvalsh(simulate.wishart(50, np.random.default_rng(0)))
    >>> res = verify.spectrum(MarchenkoPastur(), ev, n_moments=2)
    >>> type(res).__name__, res.n, res.trials, [r["theory"] for r in res.rows]
    ('SpectrumCheck', 50, 1, [1.0, 2.0])
    """

    def __init__(self, law, ks, n, trials, rows, mass, atoms, levy=None):
        self.law = law
        self.ks = ks
        self.levy = levy
        self.certified = True
        self.certification = []
        self.n = n
        self.trials = trials
        self.rows = rows
        self.mass = mass
        self.atoms = atoms

    def to_dict(self):
        """A JSON-serialisable dict of the distances, moments and atoms.

        Returns
        -------
        dict
            Keys ``law`` (its repr), ``ks``, ``levy``, ``n``, ``trials``,
            ``mass``, ``moments`` (the rows) and ``atoms``.

        Examples
        --------
        >>> import numpy as np
        >>> from freealg import simulate, verify
        >>> from freealg.laws import MarchenkoPastur
        >>> ev = np.linalg.eigvalsh(simulate.wishart(50, np.random.default_rng(0)))
        >>> d = verify.spectrum(MarchenkoPastur(), ev, n_moments=2).to_dict()
        >>> sorted(d), d["n"]
        (['atoms', 'ks', 'law', 'levy', 'mass', 'moments', 'n', 'trials'], 50)
        """
        return {"law": repr(self.law), "ks": self.ks, "levy": self.levy, "n": self.n,
                "trials": self.trials,
                "mass": self.mass, "moments": [dict(r) for r in self.rows],
                "atoms": [list(a) for a in self.atoms]}

    def __str__(self):
        lines = [f"spectrum vs {self.law!r}: {self.n} eigenvalues in {self.trials} trial(s)",
                 f"Kolmogorov distance {self.ks:.4g}, Lévy distance {self.levy:.4g}   "
                 f"(theory mass {self.mass:.6f})"]
        for loc, mt, me in self.atoms:
            lines.append(f"atom at {loc:.6g}: theory mass {mt:.6g}, empirical {me:.6g}")
        lines.append(f"{'k':>3} {'theory':>14} {'empirical':>14} {'stderr':>10} {'rel.err':>10} {'z':>7}")
        for r in self.rows:
            se = "" if r["stderr"] is None else f"{r['stderr']:.3g}"
            z = "" if r["z"] is None else f"{r['z']:.2f}"
            rel = r["error"] / r["theory"] if r["theory"] != 0 else float("nan")
            lines.append(f"{r['k']:>3d} {r['theory']:>14.8g} {r['mean']:>14.8g} {se:>10} "
                         f"{rel:>+10.2e} {z:>7}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<SpectrumCheck ks={self.ks:.4g} n={self.n}>"


def spectrum(law, samples, *, n_moments=4, atol=None, n_grid=513, _cdf=None):
    r"""Kolmogorov and Lévy distances between a law and empirical
    eigenvalues, and a moment comparison.

    The theory CDF is ``F(x) = Σ_{a ≤ x} μ({a}) + ∫_{-∞}^x ρ``: atoms from
    ``law.atoms()`` and the density ``law.density`` integrated over each
    interval of ``law.support()`` (or ``law.cdf`` if the object has one).
    Eigenvalues within ``atol`` of an atom are placed on it (an exact atom of
    the limit is an exactly repeated eigenvalue at finite ``N``, up to
    rounding).  The Kolmogorov distance is ``sup_x |F_N(x) − F(x)|`` over both
    one-sided limits at the sample points, so atoms are compared correctly.
    For eigenvalues of one ``N × N`` matrix it typically decreases like
    ``1/N`` up to logarithms (eigenvalues are rigid), much faster than the
    ``1/√n`` of i.i.d. samples.

    Parameters
    ----------
    law : a freealg law (laws.py / SpectralCurve / dnn laws)
        With ``moments(n)``, ``atoms()``, ``support()`` and ``density(x)``.
    samples : array or list of arrays
        Eigenvalues: a 1-D array, a ``(trials, n)`` array or a list of 1-D
        arrays (one per independent matrix; then the moments get standard
        errors).
    n_moments : int
        Number of moments compared (``m_1 .. m_k``).
    atol : float, optional
        Snapping tolerance for atoms; default ``1e-8 · max(1, max|λ|)``.
    n_grid : int
        Quadrature nodes per support interval (midpoint rule after the
        substitution ``x = a + (b − a) I_u(6, 6)``, which makes edge
        singularities up to ``(x − a)^{−5/6}`` bounded).
    _cdf : object, optional
        Internal: a theory CDF already tabulated for ``law`` (the ready
        checks reuse one across widths).  Leave it None.

    Returns
    -------
    SpectrumCheck

    Raises
    ------
    InvalidArgumentTypeError
        If ``law`` has neither ``cdf`` nor ``density``, or lacks
        ``moments`` while ``n_moments > 0``; if ``samples`` is not an array
        or list of arrays of real numbers; if ``n_moments``/``n_grid`` are
        not integers or ``atol`` not a real number.
    InvalidArgumentError
        If ``samples`` is empty, has an empty trial, non-finite or complex
        eigenvalues, or more than two dimensions; if ``n_moments < 0``,
        ``n_grid < 3`` or ``atol < 0`` (or not finite); if a law moment is
        symbolic.
    TooLargeError
        If ``n_moments > 200`` or ``n_grid > 1000000``.
    InvalidLawError
        If the law's density is negative on its support.

    Warns
    -----
    CertificationWarning
        If the law's certified density failed a check, or the law does not
        integrate to 1 (within 1e-3): the distances are then unreliable.

    Examples
    --------
    >>> import numpy as np
    >>> from freealg import simulate
    >>> from freealg.laws import MarchenkoPastur
    >>> rng = np.random.default_rng(0)
    >>> ev = [np.linalg.eigvalsh(simulate.wishart(200, rng, rate=0.5)) for _ in range(5)]
    >>> res = spectrum(MarchenkoPastur(rate=0.5), ev)
    >>> res.ks < 0.02, res.atoms[0][:2]                    # atom of mass 1/2 at 0
    (True, (0.0, 0.5))
    >>> [r["theory"] for r in res.rows]
    [0.5, 0.75, 1.375, 2.8125]
    """
    if _cdf is None and not any(callable(getattr(law, m, None)) for m in ("cdf", "density")):
        raise InvalidArgumentTypeError(
            f"law must be a law object with cdf(x) or density(x) (and atoms(), support(), "
            f"moments(n)); got "
            f"{describe(law)} of type {type(law).__name__}")
    n_moments = _check_count(n_moments, "n_moments", 0, MAX_MOMENTS,
                             "high empirical moments are dominated by the largest eigenvalue")
    if n_moments and not callable(getattr(law, "moments", None)):
        raise InvalidArgumentTypeError(
            f"law has no moments(n) method ({type(law).__name__}); pass n_moments=0 to compare "
            "only the distribution functions")
    n_grid = _check_count(n_grid, "n_grid", 3, MAX_GRID, "a few thousand nodes suffice")
    if atol is not None:
        check_real(atol, "atol", nonnegative=True)
    trials = _eigen_samples(samples)
    allv = np.concatenate(trials)
    cdf = _TheoryCDF(law, n_grid=n_grid) if _cdf is None else _cdf
    if not cdf.evidence_ok:
        warnings.warn(
            f"the density of {_law_name(law)} failed its certification ({'; '.join(cdf.evidence_text)}); "
            "the distances use the values anyway",
            CertificationWarning,
            stacklevel=2,
        )
    if abs(cdf.mass - 1.0) > 1e-3:
        warnings.warn(
            f"the law {_law_name(law)} integrates to {cdf.mass:.6f} (atoms + density), not 1; the "
            "Kolmogorov distance is unreliable",
            CertificationWarning,
            stacklevel=2,
        )
    scale = max(1.0, float(np.abs(allv).max()))
    tol = 1e-8 * scale if atol is None else float(atol)
    snapped = allv.copy()
    atoms_out = []
    for a, m in cdf.atoms:
        near = np.abs(snapped - a) <= tol
        snapped[near] = a
        atoms_out.append((a, m, float(np.count_nonzero(near)) / allv.size))
    s = np.sort(snapped)
    n = s.size
    uniq, first = np.unique(s, return_index=True)
    last = np.append(first[1:], n)  # F_n(x) = last/n, F_n(x-) = first/n
    fr = cdf(uniq)
    fl = cdf(uniq, left=True)
    ks = float(max(np.max(np.abs(last / n - fr)), np.max(np.abs(first / n - fl))))
    levy = _levy_distance(uniq, first / n, last / n, cdf)
    rows = []
    if n_moments:
        theory = [_to_float(v, "moment") for v in law.moments(int(n_moments))]
        per = np.array([[np.mean(t**k) for k in range(1, n_moments + 1)] for t in trials])
        for k in range(1, n_moments + 1):
            mean = float(np.mean(per[:, k - 1]))
            if len(trials) >= 2:
                se = float(np.std(per[:, k - 1], ddof=1) / math.sqrt(len(trials)))
                z = (mean - theory[k - 1]) / se if se > 0 else None
            else:
                se = z = None
            rows.append({"k": k, "theory": theory[k - 1], "mean": mean, "stderr": se,
                         "error": mean - theory[k - 1], "z": z})
    out = SpectrumCheck(law, ks, n, len(trials), rows, cdf.mass, atoms_out, levy)
    out.certified = cdf.evidence_ok
    out.certification = list(cdf.evidence_text)
    return out


def _levy_distance(u, g_left, g_right, cdf, iters=48):
    """Lévy distance ``inf{ε: F(x−ε)−ε ≤ F_N(x) ≤ F(x+ε)+ε ∀x}`` between the
    empirical CDF (values ``g_left = F_N(u−)``, ``g_right = F_N(u)`` at the
    sorted distinct samples ``u``) and the theory CDF, by bisection (the
    condition is monotone in ε; it suffices to test it at the samples)."""

    def ok(eps):
        if np.any(g_right > cdf(u + eps) + eps + 1e-15):
            return False
        return not np.any(g_left < cdf(u - eps, left=True) - eps - 1e-15)

    lo, hi = 0.0, 1.0
    if ok(0.0):
        return 0.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


# ---------------------------------------------------------------------------
# networks: mean field, the free model of an MLP, samplers
# ---------------------------------------------------------------------------


def _net_activation(net):
    act = getattr(net, "activation", None)
    if act is None:
        raise InvalidArgumentTypeError(
            f"net must be an MLP specification (freealg.MLP); got {describe(net)} of type "
            f"{type(net).__name__}")
    if isinstance(act, str):
        from .activations import get_activation

        act = get_activation(act)
    return act


def _net_params(net):
    from .simulate.network import _init_name

    act = _net_activation(net)
    sw = _to_float(getattr(net, "sigma_w"), "sigma_w")
    sb = _to_float(getattr(net, "sigma_b"), "sigma_b")
    return act, _init_name(net), float(sw), float(sb), int(getattr(net, "depth"))


def _net_with(net, **changes):
    """A copy of the MLP spec with some fields changed (depth, ...)."""
    for meth in ("replace", "with_params", "copy"):
        f = getattr(net, meth, None)
        if callable(f):
            try:
                return f(**changes)
            except TypeError:
                continue
    import dataclasses

    if dataclasses.is_dataclass(net):
        return dataclasses.replace(net, **changes)
    kwargs = {}
    for key in ("depth", "activation", "init", "sigma_w", "sigma_b", "jacobian_convention"):
        if hasattr(net, key):
            kwargs[key] = getattr(net, key)
    kwargs.update(changes)
    return type(net)(**kwargs)


def _uniform_widths(net, what):
    if getattr(net, "widths", None) is not None:
        raise InvalidArgumentError(
            f"{what} sweeps the width, but the MLP fixes widths={net.widths}; build it "
            "without widths="
        )
    ratios = getattr(net, "ratios", None)
    if ratios is not None and len(set(float(r) for r in ratios)) != 1:
        raise InvalidArgumentError(
            f"{what} needs an MLP with equal layer widths; got ratios "
            f"{tuple(str(r) for r in ratios)} (the free model here is the square N x N one)"
        )


def _meanfield(net, q0):
    r"""Layer variances of the mean-field theory for an input with
    ``‖x_0‖²/M = q0`` (docs/theory.md §4, §6).

    ``q^1 = σ_w² q_0 + σ_b²``, ``q^{ℓ+1} = σ_w² E[φ(h)²] + σ_b²`` with
    ``h ~ N(0, q^ℓ)``; and ``q_ℓ = lim ‖x_ℓ‖²/M = E[φ(h_ℓ)²]`` (``q_0 =
    q0``), the ``q_ℓ`` of the FIM recursion.

    Returns
    -------
    (qh, qx) : lists of float
        ``qh = [q^1, ..., q^L]`` (pre-activation variances),
        ``qx = [q_0, ..., q_{L−1}]``.

    Examples
    --------
    ReLU with ``σ_w² = 2``, ``σ_b = 0`` keeps the variance: ``E relu(h)² = q/2``.

    >>> import freealg
    >>> net = freealg.MLP(depth=3, activation="relu", init="gaussian", sigma_w=2**0.5, sigma_b=0)
    >>> qh, qx = _meanfield(net, 1.5)
    >>> [round(v, 12) for v in qh], [round(v, 12) for v in qx]
    ([3.0, 3.0, 3.0], [1.5, 1.5, 1.5])
    """
    act, _, sw, sb, depth = _net_params(net)
    q0 = _to_float(q0, "q0")
    if q0 < 0:
        raise InvalidArgumentError(f"q0 = ||x_0||^2/M must be >= 0; got {q0}")
    if hasattr(net, "q_sequence") and hasattr(net, "qhat_sequence"):
        # the mean-field module of the dnn layer (same recursion)
        qh = [float(v) for v in net.q_sequence(q0)]
        qx = [float(v) for v in net.qhat_sequence(q0)][:depth]
        return qh, qx
    qh, qx = [], [float(q0)]
    for ell in range(1, depth + 1):
        qh.append(sw * sw * qx[-1] + sb * sb)
        if ell < depth:
            qx.append(float(act.gaussian_expectation("phi2", float(qh[-1]))))
    return qh, qx


def _fixed_point_q0(net):
    """``q0`` with ``σ_w² q0 + σ_b² = q*`` (the input sits at the fixed point)."""
    act, _, sw, sb, _ = _net_params(net)
    q = 1.0
    for _ in range(2000):
        new = sw * sw * float(act.gaussian_expectation("phi2", q)) + sb * sb
        if not math.isfinite(new) or new > 1e12:
            break
        if abs(new - q) <= 1e-13 * max(1.0, q):
            return (new - sb * sb) / (sw * sw)
        q = new
    from .errors import ConvergenceError

    raise ConvergenceError(
        f"the variance map of {net!r} has no attracting fixed point q* reachable from q = 1 "
        "(the forward pass explodes or converges too slowly); pass q0 explicitly"
    )


_DMOM_CACHE = {}


def _d_moments(act, q, n):
    """``E[φ'(h)^k]``, ``k = 1..n``, ``h ~ N(0, q)`` (floats, cached).

    Exact for piecewise-linear activations with ``φ' ≥ 0`` (the law of ``φ'``
    is atomic), mpmath quadrature otherwise."""
    from .activations import gaussian_expectation

    key = (act.name, repr(sorted(getattr(act, "params", {}).items())), float(q))
    have = _DMOM_CACHE.get(key, [])
    if len(have) >= n:
        return have[:n]
    if act.piecewise_linear and np.all(np.asarray(act.dphi(np.linspace(-10, 10, 2001))) >= 0):
        law = [(math.sqrt(float(v)), float(p)) for v, p in act.dphi_values_probabilities(float(q))]
        new = [sum(p * v**k for v, p in law) for k in range(1, n + 1)]
    else:
        dphi = act.dphi_mp
        new = list(have)
        for k in range(len(have) + 1, n + 1):
            new.append(float(gaussian_expectation(lambda h, k=k: dphi(h) ** k, float(q),
                                                  breakpoints=act.breakpoints)))
    _DMOM_CACHE[key] = new
    return new[:n]


class _LazyMoments:
    """``k -> E[φ'(h)^k]`` computed on demand (for FreeModel.diagonal)."""

    def __init__(self, act, q):
        self.act, self.q = act, q

    def __call__(self, k):
        return _d_moments(self.act, self.q, int(k))[int(k) - 1]


def network_letters(depth):
    """The letters ``W1..WL`` and (self-adjoint) ``D1..DL`` used by
    :func:`network_model` and :func:`network_sampler`, as two tuples.

    Parameters
    ----------
    depth : int
        Number of layers ``L``, ``1 <= depth <= MAX_DEPTH`` (100000).

    Returns
    -------
    tuple of tuple of NCPoly
        ``((W1, ..., WL), (D1, ..., DL))``; the ``D``'s are self-adjoint.

    Raises
    ------
    InvalidArgumentTypeError
        If ``depth`` is not an integer.
    InvalidArgumentError
        If ``depth < 1``.
    TooLargeError
        If ``depth > MAX_DEPTH``.

    Examples
    --------
    >>> network_letters(2)
    ((W1, W2), (D1, D2))
    """
    from .ncpoly import nc_symbols

    depth = check_int(depth, "depth", minimum=1, maximum=MAX_DEPTH,
                      hint="a network has one W and one D letter per layer")

    ws = nc_symbols(" ".join(f"W{i}" for i in range(1, depth + 1)))
    ds = nc_symbols(" ".join(f"D{i}" for i in range(1, depth + 1)), selfadjoint=True)
    ws = ws if isinstance(ws, tuple) else (ws,)
    ds = ds if isinstance(ds, tuple) else (ds,)
    return tuple(ws), tuple(ds)


def network_model(net, q0=1.0, *, symbolic_d=False):
    r"""The free model of an MLP at initialisation (the asymptotic-freeness
    claim, docs/theory.md §5).

    ``W_ℓ``: Haar orthogonal scaled by ``σ_w`` (orthogonal init) or Ginibre of
    variance ``σ_w²`` (Gaussian init), free from each other and from the
    ``D``'s; ``D_1..D_L``: one commuting diagonal family with independent
    entries, ``tr(D_ℓ^k) = E[φ'(h_ℓ)^k]``, ``h_ℓ ~ N(0, q^ℓ)`` with the
    mean-field variances of :func:`meanfield_variances`.  With
    ``symbolic_d=True`` the ``D`` laws are left symbolic (``m_k(D1)``, ...),
    for the plug-in mode of :func:`moments`.

    Parameters
    ----------
    net : freealg.MLP
        The network specification (depth, activation, init, ``σ_w``,
        ``σ_b``); Gaussian and Glorot inits give Ginibre letters.
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M`` that starts the mean-field recursion.
    symbolic_d : bool, default False
        Leave the laws of the ``D``'s symbolic.

    Returns
    -------
    FreeModel
        With the letters of :func:`network_letters` ``(net.depth)``.

    Raises
    ------
    InvalidArgumentTypeError
        If ``net`` is not an MLP specification (no ``activation``), ``q0``
        is not a real number, or ``symbolic_d`` is not a bool.
    InvalidArgumentError
        If ``q0`` is negative or not finite, or ``net`` has an unknown init.
    UnknownActivationError
        If ``net.activation`` is an unknown name.

    Examples
    --------
    ReLU, orthogonal weights: ``tr(J Jᵀ) = σ_w⁴ E[φ'(h_1)²] = σ_w⁴/2`` for
    ``J = W_2 D_1 W_1``:

    >>> import freealg
    >>> from freealg import tr
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=2, sigma_b=0)
    >>> (W1, W2), (D1, D2) = network_letters(2)
    >>> J = W2 * D1 * W1
    >>> network_model(net).moment(tr(J * J.T))
    8.0
    """
    _check_q0(q0)
    if not isinstance(symbolic_d, (bool, np.bool_)):
        raise InvalidArgumentTypeError(f"symbolic_d must be True or False; got {describe(symbolic_d)}")
    from .freeness import FreeModel

    act, init, sw, _, depth = _net_params(net)
    qh, _ = _meanfield(net, q0)
    ws, ds = network_letters(depth)
    model = FreeModel()
    for w in ws:
        if init == "orthogonal":
            model = model.haar_orthogonal(w, scale=sw)
        else:
            model = model.ginibre(w, variance=sw * sw)
    if symbolic_d:
        return model.diagonal(list(ds))
    return model.diagonal(list(ds), moments={d: _LazyMoments(act, q) for d, q in zip(ds, qh)})


def network_sampler(net, q0=1.0):
    r"""A sampler for :func:`moments`: ``(width, rng) -> {"W1": W_1, ...,
    "D1": φ'(h_1), ...}`` from an *actual* network and forward pass.

    Each call samples a network (:func:`freealg.simulate.sample_network`) and an
    input ``x_0`` with ``‖x_0‖²/M = q0``, runs the forward pass and returns the
    weights and the diagonals of the ``D_ℓ`` (as vectors), so the ``D``'s carry
    their true dependence on the ``W``'s.

    Parameters
    ----------
    net : freealg.MLP
        The network specification; it must not fix the widths (the sampler
        takes the width as its argument).
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M``.

    Returns
    -------
    callable
        ``sampler(width, rng) -> dict`` mapping ``"W1".."WL"`` to the weight
        matrices and ``"D1".."DL"`` to the vectors ``φ'(h_ℓ)``.

    Raises
    ------
    InvalidArgumentTypeError
        If ``net`` is not an MLP specification (no ``activation``), or
        ``q0`` is not a real number.
    InvalidArgumentError
        If ``q0`` is negative or not finite, or ``net`` has an unknown init.
    UnknownActivationError
        If ``net.activation`` is an unknown name.

    Examples
    --------
    ReLU derivatives are 0 or 1, and ``W_1`` is orthogonal:

    >>> import numpy as np
    >>> import freealg
    >>> from freealg.verify import network_sampler
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    >>> m = network_sampler(net)(4, np.random.default_rng(0))
    >>> sorted(m), set(m["D1"].tolist()) <= {0.0, 1.0}, np.allclose(m["W1"] @ m["W1"].T, np.eye(4))
    (['D1', 'D2', 'W1', 'W2'], True, True)
    """
    _check_q0(q0)
    from .simulate import random_input, sample_network

    _net_params(net)

    def sampler(width, rng):
        inst = sample_network(net, width, rng)
        x0 = random_input(inst.widths[0], rng, q0)
        out = {f"W{i}": w for i, w in enumerate(inst.weights, start=1)}
        out.update({f"D{i}": d for i, d in enumerate(inst.dphi(x0), start=1)})
        return out

    return sampler


# ---------------------------------------------------------------------------
# ready checks of the source documents' claims
# ---------------------------------------------------------------------------


def _z_of_p(p):
    """Two-sided normal quantile ``|z|`` with tail ``p`` (``inf`` for ``p = 0``)."""
    if p >= 1:
        return 0.0
    if p <= 0:
        return math.inf
    from ._utils.mpctx import mpmath

    # 1 - p must keep p's digits: enough precision for tiny tails
    with mpmath.workdps(20 + int(max(0.0, -math.log10(p)))):
        return float(mpmath.sqrt(2) * mpmath.erfinv(1 - mpmath.mpf(p)))


class Decision:
    """The verdict of a check report under the rule of :func:`decide`.

    Attributes
    ----------
    passed : bool
    m : int
        Number of statistical tests (rows of the report that carry a
        p-value).
    alpha : float
        Family-wise level (:data:`FAMILY_ALPHA`).
    p_threshold : float
        ``alpha / m`` (Bonferroni).
    z_threshold : float
        ``Φ⁻¹(1 − alpha/(2m))``: a test fails when its ``|z| >`` this.
    tests : list of (label, p, abs_z)
    identities : list of (label, bool)
        Deterministic finite-``N`` identities (no statistics): each must hold.
    failed : list of str
        Labels of the failed tests and identities.
    worst : (label, p, abs_z) or None
        The test with the smallest p-value.

    Parameters
    ----------
    tests : iterable of (label, p)
        Statistical tests with their two-sided p-values in ``[0, 1]``.
    identities : iterable of (label, bool)
        Exact finite-``N`` identities and whether each holds.
    alpha : float
        Family-wise level in ``(0, 1)``.

    Raises
    ------
    TypeError, ValueError
        If a p-value cannot be converted with ``float``.  The constructor
        does not check ranges: use :func:`decide`, which validates.

    Examples
    --------
    One test at ``p = 0.01 >= 0.0027``: the threshold is the 3-sigma one.

    >>> from freealg.verify import Decision
    >>> d = Decision([("m_1", 0.01)], [("O O^T = I", True)], 0.0027)
    >>> d.passed, d.m, round(d.z_threshold, 2)
    (True, 1, 3.0)
    """

    def __init__(self, tests, identities, alpha):
        self.tests = [(str(lab), float(p), _z_of_p(float(p))) for lab, p in tests]
        self.identities = [(str(lab), bool(ok)) for lab, ok in identities]
        self.alpha = float(alpha)
        self.m = len(self.tests)
        self.p_threshold = self.alpha / max(self.m, 1)
        self.z_threshold = _z_of_p(self.p_threshold)
        self.failed = ([lab for lab, p, _ in self.tests if p < self.p_threshold]
                       + [lab for lab, ok in self.identities if not ok])
        self.passed = not self.failed
        self.worst = min(self.tests, key=lambda t: t[1]) if self.tests else None

    @property
    def rule(self):
        """The decision rule, in words, with this report's numbers."""
        return (f"decision rule: AGREES iff each of the m = {self.m} statistical tests has two-sided "
                f"p >= {self.alpha:g}/m = {self.p_threshold:.3g} (|z| <= {self.z_threshold:.2f}; "
                f"Bonferroni, family-wise level {self.alpha:g} = one 3-sigma test) and each of the "
                f"{len(self.identities)} exact identities holds. A test per compared quantity (each "
                "'rate' line): the chi-square fit of its errors at all widths to 0, c/N, c/N^2 or "
                "c1/N + c2/N^2 (row z-scores are Student-t with trials - 1 degrees of freedom and "
                "enter through the fit)")

    def __str__(self):
        lines = [self.rule]
        if self.worst is not None:
            lab, p, z = self.worst
            lines.append(f"smallest p: {p:.3g} (|z| = {z:.2f}) for {lab}")
        if self.failed:
            lines.append("failed: " + "; ".join(self.failed))
        return "\n".join(lines)

    def to_dict(self):
        """A JSON-serialisable dict of the decision.

        Returns
        -------
        dict
            Keys ``passed``, ``m``, ``alpha``, ``p_threshold``,
            ``z_threshold``, ``tests``, ``identities`` and ``failed``.

        Examples
        --------
        >>> from freealg.verify import decide
        >>> d = decide([("a", 0.5)], [("b", False)]).to_dict()
        >>> d["passed"], d["m"], d["failed"]
        (False, 1, ['b'])
        """
        return {"passed": self.passed, "m": self.m, "alpha": self.alpha,
                "p_threshold": self.p_threshold, "z_threshold": self.z_threshold,
                "tests": [list(t) for t in self.tests],
                "identities": [list(t) for t in self.identities], "failed": list(self.failed)}

    def __repr__(self):
        return (f"<Decision {'AGREES' if self.passed else 'DISAGREES'}: m = {self.m}, "
                f"|z| <= {self.z_threshold:.2f}, {len(self.failed)} failed>")


def decide(tests, identities=(), *, alpha=FAMILY_ALPHA):
    r"""The verdict of a check report: one rule for every ready check.

    A report holds ``m`` statistical tests, each reduced to a two-sided
    p-value (for a :class:`MomentCheck`: :attr:`MomentCheck.p_value`, the
    χ² p-value of "the error vanishes like a power of ``1/N``"; a single
    z-score ``z`` gives ``p = 2(1 − Φ(|z|))``), and deterministic identities
    that hold exactly at finite ``N``.  It AGREES iff every test has
    ``p ≥ alpha/m`` -- equivalently ``|z| ≤ Φ⁻¹(1 − alpha/(2m))`` -- and every
    identity holds.  With ``alpha = 0.0027`` (the two-sided tail of one
    3-sigma test) this is a Bonferroni correction: when the theory is right,
    a report of any size DISAGREES with probability at most 0.27%.  The
    threshold is 3.00 for ``m = 1``, 3.46 for ``m = 5``, 3.64 for ``m = 10``
    and 3.82 for ``m = 20``.

    Parameters
    ----------
    tests : iterable of (label, p) or MomentCheck
        A MomentCheck counts with its :attr:`~MomentCheck.p_value` (an
        ``"exact"`` check counts as an identity).
    identities : iterable of (label, bool), default ()
        Exact identities; each must hold.
    alpha : float in (0, 1), default ``FAMILY_ALPHA`` (0.0027)
        Family-wise level.

    Returns
    -------
    Decision

    Raises
    ------
    InvalidArgumentTypeError
        If ``alpha`` or a p-value is not a real number.
    InvalidArgumentError
        If ``alpha`` is not in ``(0, 1)`` or a p-value not in ``[0, 1]``.
    TypeError, ValueError
        If a test is neither a :class:`MomentCheck` nor a pair.

    Examples
    --------
    Four tests: the threshold is ``Φ⁻¹(1 − 0.0027/8) = 3.40``, so ``|z| = 3.2``
    (``p = 0.0014``) passes and ``|z| = 3.5`` (``p = 0.00047``) would not:

    >>> from freealg import verify
    >>> d = verify.decide([("a", 0.5), ("b", 0.2), ("c", 0.9), ("d", 0.0014)])
    >>> d.passed, round(d.z_threshold, 2), round(d.p_threshold, 6)
    (True, 3.4, 0.000675)
    >>> verify.decide([("a", 0.5), ("b", 0.2), ("c", 0.9), ("d", 0.00047)]).failed
    ['d']
    >>> verify.decide([("a", 0.5)], [("multiplicity = N - #zeros", False)]).passed
    False
    """
    a = check_real(alpha, "alpha", positive=True)
    if not 0 < float(a) < 1:
        raise InvalidArgumentError(f"alpha must be a probability in (0, 1); got {alpha!r}")
    ts, ids = [], list(identities)
    for t in tests:
        if isinstance(t, MomentCheck):
            p = t.p_value
            if p is None:
                ids.append((f"{t.expr} (exact at finite N)", True))
            else:
                label = t.expr + (" [plug-in]" if t.plugin else "")
                ts.append((label, p))
        else:
            lab, p = t
            p = float(check_real(p, f"p-value of {lab}", nonnegative=True))
            if p > 1:
                raise InvalidArgumentError(f"p-value of {lab} must be in [0, 1]; got {p!r}")
            ts.append((lab, p))
    return Decision(ts, ids, float(a))


class CheckReport:
    """Result of a ready check: a title, the claim, tables, a summary and a
    verdict.

    Attributes
    ----------
    title, claim : str
    parts : list
        :class:`MomentCheck`, :class:`SpectrumCheck` or dict tables.
    summary : list of str
    passed : bool
    decision : Decision or None
        How ``passed`` was decided (:func:`decide`: the rule, the number of
        tests, the threshold, the worst test); printed with the verdict.
    data : dict
        Machine-readable figures (used by :meth:`to_dict`).
    missing : list of str
        Parts that could not be checked because a dependency is missing.

    Parameters
    ----------
    title, claim : str
        Heading and the claim checked.
    parts : list
        The tables (see the attribute).
    summary : list of str
        Summary lines.
    passed : bool or Decision
        The verdict; a :class:`Decision` is kept as ``decision`` and gives
        ``passed``.
    data : dict, optional
        Machine-readable figures (default empty).
    missing : iterable of str, default ()
        Parts not checked.

    Raises
    ------
    None
        The constructor stores its arguments without validation; reports
        come from the ready checks.

    Examples
    --------
    >>> from freealg.verify import CheckReport, decide
    >>> rep = CheckReport("demo", "a claim", [], ["one line"], decide([("t", 0.5)]))
    >>> rep.passed, rep.decision.m, rep.to_dict()["summary"]
    (True, 1, ['one line'])
    """

    def __init__(self, title, claim, parts, summary, passed, data=None, missing=()):
        self.title = title
        self.claim = claim
        self.parts = parts
        self.summary = summary
        self.decision = passed if isinstance(passed, Decision) else None
        self.passed = self.decision.passed if self.decision is not None else bool(passed)
        self.data = data or {}
        self.missing = list(missing)

    @property
    def rows(self):
        """The table rows of all parts, concatenated."""
        out = []
        for p in self.parts:
            if hasattr(p, "rows"):
                out.extend(p.rows if isinstance(p.rows, list) else [])
            elif isinstance(p, dict):
                out.extend(p.get("rows", []))
        return out

    def to_dict(self):
        """A JSON-serialisable dict of the whole report.

        Returns
        -------
        dict
            Keys ``title``, ``claim``, ``passed``, ``decision`` (a dict or
            None), ``summary``, ``missing``, ``data`` and ``parts`` (each
            part through its own ``to_dict`` when it has one).

        Examples
        --------
        >>> from freealg.verify import CheckReport
        >>> d = CheckReport("demo", "a claim", [{"text": "t", "rows": []}], [], True).to_dict()
        >>> d["passed"], d["decision"], d["parts"]
        (True, None, [{'text': 't', 'rows': []}])
        """
        parts = []
        for p in self.parts:
            parts.append(p.to_dict() if hasattr(p, "to_dict") else p)
        return {"title": self.title, "claim": self.claim, "passed": self.passed,
                "decision": None if self.decision is None else self.decision.to_dict(),
                "summary": list(self.summary), "missing": self.missing,
                "data": self.data, "parts": parts}

    def __str__(self):
        bar = "=" * len(self.title)
        lines = [self.title, bar, self.claim, ""]
        for p in self.parts:
            lines.append(p["text"] if isinstance(p, dict) else str(p))
            lines.append("")
        lines.extend(self.summary)
        for m in self.missing:
            lines.append(f"not checked: {m}")
        if self.decision is not None:
            lines.append(str(self.decision))
        lines.append("verdict: " + ("AGREES" if self.passed else "DISAGREES"))
        return "\n".join(lines)

    def __repr__(self):
        return f"<CheckReport {self.title!r}: {'agrees' if self.passed else 'disagrees'}>"


def _check_q0(q0):
    """The input variance ``q0 = ||x_0||^2/M``: a finite real >= 0."""
    return check_real(q0, "q0", nonnegative=True)


def _check_depths(depths):
    if isinstance(depths, (str, bytes)) or not hasattr(depths, "__iter__"):
        raise InvalidArgumentTypeError(
            f"depths must be a list of positive integers; got {describe(depths)} of type "
            f"{type(depths).__name__}")
    depths = list(depths)
    if not depths or len(depths) > 100:
        raise InvalidArgumentError(f"depths must list 1 to 100 depths; got {len(depths)}")
    return [_check_count(L, f"depths[{i}]", 1, MAX_DEPTH,
                         "each trial multiplies depth many N x N matrices")
            for i, L in enumerate(depths)]


def _make_net(net, init, activation, sigma_w, sigma_b, depth):
    if net is not None:
        return net
    import freealg

    return freealg.MLP(depth=depth, activation=activation, init=init, sigma_w=sigma_w,
                       sigma_b=sigma_b)


def check_asymptotic_freeness(init="orthogonal", activation="hardtanh", sigma_w=1.0, sigma_b=0.0,
                              depth=2, *, net=None, q0=1.0, words=None,
                              widths=(25, 50, 100, 200), trials=40, rng=0, progress=None):
    r"""Asymptotic freeness of the layerwise Jacobian factors (PSG; proved
    for Haar orthogonal weights by Collins–Hayase, docs/theory.md §5).

    Samples actual networks: the ``D_ℓ = diag(φ'(h_ℓ))`` come from the
    forward pass of an input with ``‖x_0‖²/M = q0`` through the sampled
    weights (they depend on the ``W``'s), and compares mixed moments of
    ``W_ℓ`` and ``D_ℓ`` with the prediction of :func:`network_model` (``W``'s
    and the ``D`` family free) at several widths, with the convergence rate.

    Parameters
    ----------
    init : {"orthogonal", "gaussian", "glorot_uniform", "glorot_normal"}, default "orthogonal"
        Weight initialisation of the MLP built when ``net`` is None.
    activation : str, sympy expression or Activation, default "hardtanh"
        Its activation (see :func:`freealg.get_activation`).
    sigma_w : real > 0, default 1.0
        Its weight scale ``σ_w``.
    sigma_b : real >= 0, default 0.0
        Its bias standard deviation ``σ_b``.
    depth : int, default 2
        Its number of weight layers ``L >= 1``.
    net : freealg.MLP, optional
        The network instead of the five parameters above (which are then
        ignored); it must have equal layer widths (no ``widths=``, equal
        ``ratios``).
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M``.
    words : list of Trace or NCPoly, optional
        Traces in the letters of :func:`network_letters` (a polynomial is
        traced); default: moments of ``J Jᵀ`` (seed and PSG conventions) and
        two words in which ``D_ℓ`` meets the ``W_ℓ`` it depends on.
    widths : sequence of int, default (25, 50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.
    progress : callable or None, default None
        ``progress(done, total)``, called after every trial.

    Returns
    -------
    CheckReport
        ``parts`` is a :class:`MomentChecks`; ``passed`` by the rule of
        :func:`decide` over every word's :attr:`MomentCheck.p_value` (limit
        and plug-in).

    Raises
    ------
    InvalidArgumentError
        If an MLP parameter is out of range (``σ_w <= 0``, ``σ_b < 0``,
        ``depth < 1``, unknown init), ``net`` fixes unequal widths, ``q0 <
        0``, ``trials < 2``, or ``widths`` is empty, repeats a width or has
        one ``< 1``; if a word's prediction is symbolic or complex.
    InvalidArgumentTypeError
        If an argument has the wrong type (a non-integer width, trial count
        or ``n_moments``, a ``net`` that is not an MLP specification, an
        ``rng`` that is neither a Generator nor a seed, a ``progress`` that is
        not allowed, ...).
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH``, more than
        ``MAX_TRIALS`` trials or ``MAX_MOMENTS`` moments, before any
        sampling.
    UnknownActivationError
        For an unknown activation name.
    UnknownSymbolError
        If a word uses a letter beyond the network's depth.

    Examples
    --------
    ReLU derivatives are Bernoulli(1/2); if the ``D``'s are free from the
    orthogonal ``W``'s, ``tr(W D Wᵀ D) -> tr(D)² = 1/4``, and with the
    sample's own law of ``D`` (plug-in) ``m_1(D1)²``:

    >>> from freealg import tr, verify
    >>> (W1, W2), (D1, D2) = verify.network_letters(2)
    >>> rep = verify.check_asymptotic_freeness(activation="relu", widths=(8, 16), trials=3,
    ...                                        words=[tr(W1 * D1 * W1.T * D1)])
    >>> rep.parts[0].predicted, rep.parts[1].exact
    (0.25, 1.0*m_1(D1)**2)
    """
    from .ncpoly import tr as _tr

    net = _make_net(net, init, activation, sigma_w, sigma_b, depth)
    act, init, sw, sb, depth = _net_params(net)
    _check_q0(q0)
    _check_callable(progress, "progress", "a callable (done, total) or None")
    if words is not None and (isinstance(words, (str, bytes)) or not hasattr(words, "__iter__")):
        raise InvalidArgumentTypeError(
            f"words must be a list of traces; got {describe(words)} of type {type(words).__name__}")
    _uniform_widths(net, "check_asymptotic_freeness")
    ws, ds = network_letters(depth)
    if words is None:
        J = ws[0]
        for ell in range(1, depth):
            J = ws[ell] * ds[ell - 1] * J
        P = ds[depth - 1] * J
        words = [_tr(J * J.T), _tr((J * J.T) ** 2), _tr((J * J.T) ** 3),
                 _tr(P * P.T), _tr((P * P.T) ** 2),
                 _tr(ws[0] * ds[0] * ws[0].T * ds[0])]
        if depth >= 2:
            words.append(_tr(ws[1] * ds[0] * ws[1].T * ds[1] * ws[1] * ds[0] * ws[1].T * ds[1]))
    from .ncpoly import NCPoly

    words = [_tr(w) if isinstance(w, NCPoly) else w for w in words]
    limit_model = network_model(net, q0)
    plug_model = network_model(net, q0, symbolic_d=True)
    variants = [[_Prediction(w, limit_model, None, False) for w in words],
                [_Prediction(w, plug_model, None, True) for w in words]]
    limit, plug = _run_moments(words, variants, network_sampler(net, q0), widths, trials, rng,
                               None, progress)
    summary = [f"{'word':<44} {'limit':>10} {'err(Nmax)':>10} {'z':>6} {'rate':>13} | "
               f"{'plug-in err':>11} {'z':>6} {'rate':>13}"]
    for c, d in zip(limit, plug):
        lc, ld = c.rows[-1], d.rows[-1]
        name = c.expr if len(c.expr) <= 44 else c.expr[:41] + "..."
        summary.append(
            f"{name:<44} {c.predicted:>10.6g} {lc['error']:>+10.2e} {lc['z']:>6.1f} {c.rate:>13} | "
            f"{ld['error']:>+11.2e} {ld['z']:>6.1f} {d.rate:>13}"
        )
    passed = decide(list(limit) + list(plug))
    claim = (f"{init} weights (sigma_w = {sw}), {act.name}, sigma_b = {sb}, depth {depth}, "
             f"q0 = {q0}: the D's of the forward pass are asymptotically free from the W's.\n"
             "First tables: tr p against its limit. Second tables (plug-in): tr p against the "
             "free prediction with the empirical laws of the D's of the same sample, which "
             "isolates the freeness error from the O(N^-1/2) fluctuation of the D laws.")
    return CheckReport("asymptotic freeness of W and D", claim, list(limit) + list(plug), summary,
                       passed, data={"limit": limit.to_dict(), "plugin": plug.to_dict()})


def _w_law_moments(init, s2, n):
    """Moments of ``μ_{WᵀW}``: ``δ_{σ_w²}`` (orthogonal) or ``σ_w² MP(1)``
    (Gaussian: Catalan numbers)."""
    if init == "orthogonal":
        return [s2**k for k in range(1, n + 1)]
    return [s2**k * math.comb(2 * k, k) / (k + 1) for k in range(1, n + 1)]


def _jac_moments(w_list, nu_list, n):
    """Moments of ``⊠_ℓ μ_{W_ℓᵀW_ℓ} ⊠ ⊠_ℓ ν_ℓ`` from moment sequences."""
    from .cumulants import free_mul_moments

    moms = list(w_list[0][:n])
    try:
        for seq in list(w_list[1:]) + list(nu_list):
            moms = free_mul_moments(moms, seq[:n], check=False)
        out = [float(v) for v in moms]
    except OverflowError:
        out = [math.inf]
    return _finite_moments(out, "Jacobian", "sigma_w or the depth")


def _fim_moments(q_list, w_list, nu_list, n):
    """Moments of ``μ_L``: ``μ_1 = δ_{q_0}``, ``μ_{ℓ+1} = q_ℓ + μ_{W_{ℓ+1}ᵀW_{ℓ+1}}
    ⊠ ν_ℓ ⊠ μ_ℓ``."""
    from .cumulants import free_mul_moments

    try:
        mu = [q_list[0] ** k for k in range(1, n + 1)]
        for ell in range(1, len(q_list)):
            prod = free_mul_moments(free_mul_moments(mu, nu_list[ell - 1][:n], check=False),
                                    w_list[ell][:n], check=False)
            q = q_list[ell]
            mu = [sum(math.comb(k, j) * q ** (k - j) * (prod[j - 1] if j else 1.0)
                      for j in range(k + 1)) for k in range(1, n + 1)]
        out = [float(v) for v in mu]
    except OverflowError:  # float ** raises where * gives inf
        out = [math.inf]
    return _finite_moments(out, "FIM", f"the input variance q0 (here q_0 = {q_list[0]:.3g})")


def _finite_moments(values, what, knob):
    """``values`` (float moments of a limit law) if all finite, else
    :class:`FloatRangeError` instead of an inf/nan table."""
    from .errors import FloatRangeError

    if all(math.isfinite(v) for v in values):
        return values
    raise FloatRangeError(
        f"the limit moments of the {what} spectrum exceed the float64 range; reduce {knob} "
        "(the spectrum scales with it) or ask for fewer moments (n_moments)"
    )


def _empirical_w_moments(w, init, s2, n):
    if init == "orthogonal" and w.shape[0] == w.shape[1]:
        return [s2**k for k in range(1, n + 1)]
    a = w.T @ w
    return _empirical_moments(("m", a), n)


def _empirical_d2_moments(d, n):
    d2 = d * d
    out, p = [], np.ones_like(d2)
    for _ in range(n):
        p = p * d2
        out.append(float(np.mean(p)))
    return out


def _spectral_moments(ev, n):
    out, p = [], np.ones_like(ev)
    for _ in range(n):
        p = p * ev
        out.append(float(np.mean(p)))
    return out


def _compact_table(title, limit_checks, plug_checks):
    lines = [title,
             f"{'k':>3} {'width':>6} {'trials':>6} {'empirical':>13} {'limit':>13} {'rel.err':>10} "
             f"{'z':>6} | {'plug-in rel.err':>15} {'z':>6}"]
    for k, (c, d) in enumerate(zip(limit_checks, plug_checks), start=1):
        for r, q in zip(c.rows, d.rows):
            rel = r["error"] / c.predicted if c.predicted else float("nan")
            prel = q["error"] / q["predicted"] if q["predicted"] else float("nan")
            lines.append(f"{k:>3d} {r['width']:>6d} {r['trials']:>6d} {r['mean']:>13.7g} "
                         f"{c.predicted:>13.7g} {rel:>+10.2e} {r['z']:>6.1f} | {prel:>+15.2e} "
                         f"{q['z']:>6.1f}")
        lines.append(f"    rate vs limit: {c.rate}; vs plug-in: {d.rate}")
    return "\n".join(lines)


def _checks_from(label, widths, emp, plug, limit, plugin_letters):
    """MomentCheck lists (limit, plug-in) for moments k = 1..n from per-width
    arrays ``emp[N]``, ``plug[N]`` of shape (trials, n)."""
    n = len(limit)
    lim, pl = MomentChecks(), MomentChecks()
    for k in range(n):
        rows_l = [_row(N, emp[N][:, k], np.full(emp[N].shape[0], limit[k])) for N in widths]
        rows_p = [_row(N, emp[N][:, k], plug[N][:, k]) for N in widths]
        lim.append(MomentCheck(label(k + 1), limit[k], limit[k], rows_l))
        pl.append(MomentCheck(label(k + 1), None, "free prediction with the empirical layer laws",
                              rows_p, plugin=plugin_letters))
    return lim, pl


def _jacobian_curve(net, L, q0, convention):
    """The exact spectral curve of ``μ_{JJᵀ}`` at the fixed point for a
    piecewise-linear activation: ``σ_w^{2L} · (MP^{⊠L} ⊠) ν^{⊠n_D}`` with ``ν``
    the (Bernoulli) law of ``φ'(h)²`` (free powers and products of curves)."""
    from ._elimination import affine, free_mul, free_power
    from .laws import FussCatalan, PointMass, activation_derivative_law

    act, init, sw, _, _ = _net_params(net)
    qh, _ = _meanfield(_net_with(net, depth=int(L)), q0)
    if max(qh) - min(qh) > 1e-9 * max(qh):
        raise InvalidArgumentError(
            "the automatic Jacobian law needs the input at the fixed point (all q^l equal); "
            "use q0=None"
        )
    if not act.piecewise_linear:
        raise InvalidArgumentError(
            f"no algebraic Jacobian law for the smooth activation {act.name}"
        )
    n_d = L if convention == "psg" else L - 1
    nu = _exact_law(_numeric_law(activation_derivative_law(act, float(qh[0]))))
    law = free_power(nu, n_d) if n_d >= 2 else (nu if n_d == 1 else PointMass(1))
    if init == "gaussian":
        fc = FussCatalan(L) if L >= 2 else None
        from .laws import MarchenkoPastur

        w = fc if fc is not None else MarchenkoPastur()
        law = w if (n_d == 0 or isinstance(law, PointMass)) else free_mul(law, w)
    from sympy import Rational

    return affine(law, shift=0, scale=Rational(float(sw) ** (2 * L)))


def check_jacobian_spectrum(net=None, depths=(2, 8, 32), *, widths=(50, 100, 200), trials=40,
                            q0=None, convention=None, n_moments=4, law=None, rng=0, progress=None,
                            n_jobs=1, executor=None, cache_dir=None):
    r"""Spectrum of ``J Jᵀ`` of sampled networks at several depths against
    the free-probability prediction (docs/theory.md §5, PSG).

    For each depth ``L`` and width ``N``, ``trials`` networks are sampled
    with an input at the fixed point (``q0=None``: ``σ_w² q0 + σ_b² = q*``) or
    with ``‖x_0‖²/M = q0``, and the moments ``tr((J Jᵀ)^k)`` are compared with

    * the limit ``⊠_ℓ μ_{W_ℓᵀW_ℓ} ⊠ ⊠_ℓ ν_ℓ`` (S-transform products on
      moment sequences; ``ν_ℓ`` the law of ``φ'(h_ℓ)²`` at the mean-field
      variance ``q^ℓ`` of layer ``ℓ``);
    * the same free product with the *empirical* laws of each sample's
      ``D_ℓ²`` and ``W_ℓᵀW_ℓ`` (plug-in), which isolates the freeness error
      from the ``O(N^{-1/2})`` fluctuations of the layer laws;
    * the Kolmogorov and Lévy distances to ``law(L)`` when a callable
      ``law`` returning a law with a density is given, or with
      ``law="auto"`` to the exact spectral curve ``σ_w^{2L} (MP^{⊠L} ⊠)
      ν^{⊠n_D}`` (piecewise-linear activations at the fixed point; the
      certified density of a deep curve is expensive: minutes at ``L = 32``).

    Each moment gets the rate analysis of :func:`moments`.

    Parameters
    ----------
    net : freealg.MLP
        The network (required despite the ``None`` default), with equal
        layer widths (no ``widths=``, equal ``ratios``); its ``depth`` is
        replaced by each of ``depths``.
    depths : sequence of int, default (2, 8, 32)
        1 to 100 depths ``L``, each ``1 <= L <= MAX_DEPTH``.
    widths : sequence of int, default (50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    q0 : real >= 0 or None, default None
        Input variance ``‖x_0‖²/M``; None puts the input at the fixed point
        ``σ_w² q0 + σ_b² = q*`` of the variance map.
    convention : {"seed", "psg"} or None, default None
        Jacobian convention (``J = W_L D_{L−1} ⋯ W_1`` or ``D_L W_L ⋯ W_1``);
        None takes ``net.jacobian_convention`` (else ``"seed"``).
    n_moments : int, default 4
        Number of moments ``tr(X^k)``, ``k = 1..n_moments``, compared;
        ``1 <= n_moments <= MAX_MOMENTS`` (200).
    law : None, "auto" or callable, default None
        Also compute Kolmogorov / Lévy distances: ``law(L)`` returns a law
        with a density; ``"auto"`` builds the exact spectral curve
        (piecewise-linear activations at the fixed point; a depth where it
        cannot is listed in ``missing``).
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.

    Returns
    -------
    CheckReport
        ``passed`` by the rule of :func:`decide` over the moments' rate
        fits (:attr:`MomentCheck.p_value`), for the limit and the plug-in
        predictions, at every depth.

    Other Parameters
    ----------------
    n_jobs : int, optional
        Local processes for the sampled networks (``-1``: every core).
    executor : concurrent.futures executor or dask.distributed.Client, optional
        Run the sampled networks there.  Every trial has its own seed drawn
        from ``rng``, so the report is identical for any ``n_jobs`` or
        executor.
    progress : None, bool or callable, optional
        A tqdm bar (``None``: when standard error is a terminal), or a
        callable ``progress(done, total)``.
    cache_dir : str or path, optional
        Keep each sampled network's result on disk and reuse it on a rerun
        with the same parameters and seed (pickles, keyed by the task and the
        package version; use a directory only you write to).

    Raises
    ------
    InvalidArgumentError
        If ``net`` is None or fixes unequal widths; if a depth, width or
        trial count is out of range (see above), ``q0 < 0``, ``convention``
        or ``law`` is not one of the allowed values, or ``n_jobs = 0``.
    InvalidArgumentTypeError
        If an argument has the wrong type (a non-integer width, trial count
        or ``n_moments``, a ``net`` that is not an MLP specification, an
        ``rng`` that is neither a Generator nor a seed, a ``progress`` that is
        not allowed, ...).
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH``, more than
        ``MAX_TRIALS`` trials or ``MAX_MOMENTS`` moments, before any
        sampling.
    UnknownActivationError
        For an unknown activation name.
    ConvergenceError
        If ``q0=None`` and the variance map has no attracting fixed point
        (pass ``q0`` explicitly).

    Examples
    --------
    ReLU, orthogonal ``σ_w = 2``, ``L = 2`` (seed convention): ``J Jᵀ`` has
    the law of ``σ_w⁴ D_1²``, so the limit moments are ``16^k / 2``:

    >>> import freealg
    >>> from freealg import verify
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=2.0, sigma_b=0.0)
    >>> rep = verify.check_jacobian_spectrum(net, depths=(2,), widths=(8, 16), trials=3,
    ...                                      q0=1.0, n_moments=2, progress=False)
    >>> [c["predicted"] for c in rep.data["depths"][2]["limit"]["checks"]]
    [8.0, 128.0]
    """
    if net is None:
        raise InvalidArgumentError("check_jacobian_spectrum needs an MLP specification net=")

    act, init, sw, sb, _ = _net_params(net)
    depths = _check_depths(depths)
    if q0 is not None:
        _check_q0(q0)
    check_progress(progress)
    check_jobs(n_jobs, executor)
    if convention is not None:
        check_choice(convention, "convention", ("seed", "psg"))
    _uniform_widths(net, "check_jacobian_spectrum")
    convention = convention or getattr(net, "jacobian_convention", None) or "seed"
    if convention not in ("seed", "psg"):
        raise InvalidArgumentError(f"convention must be 'seed' or 'psg'; got {convention!r}")
    if q0 is None:
        q0 = _fixed_point_q0(net)
    rng = _rng(rng)
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    n = _check_count(n_moments, "n_moments", 1, MAX_MOMENTS,
                     "high empirical moments are dominated by the largest eigenvalue")
    s2 = sw * sw
    parts, summary, data, missing = [], [], {"depths": {}}, []
    tests = []
    total = len(depths) * sum(trials)
    done = 0
    for L in depths:
        netL = _net_with(net, depth=int(L))
        qh, _ = _meanfield(netL, q0)
        n_d = L if convention == "psg" else L - 1
        wl = _w_law_moments(init, s2, n)
        limit = _jac_moments([wl] * L, [[float(v) for v in act.dphi2_moments(float(q), n)]
                                        for q in qh[:n_d]], n)
        lawL = None
        if law == "auto":
            try:
                lawL = _CachedLaw(_jacobian_curve(net, int(L), q0, convention))
            except (InvalidArgumentError, ImportError) as exc:
                missing.append(f"L = {L}: no automatic law ({exc})")
        elif callable(law):
            lawL = law(L)
        elif law is not None:
            raise InvalidArgumentError(f"law must be None, 'auto' or a callable L -> law; got {law!r}")
        cdfL = _TheoryCDF(lawL) if lawL is not None else None
        emp, plug, ks = {}, {}, {}
        tasks = [(netL, N, seed, q0, convention, init, s2, n, n_d)
                 for N, seed in zip([N for N, T in zip(widths, trials) for _ in range(T)],
                                    _trial_seeds(rng, sum(trials)))]
        results = iter(map_tasks(_jacobian_trial, tasks, n_jobs=n_jobs, executor=executor,
                                 progress=_Offset(progress, done, total), desc=f"verify jacobian L={L}",
                                 cache_dir=cache_dir))
        done += len(tasks)
        for N, T in zip(widths, trials):
            e_rows, p_rows, evs = [], [], []
            for _ in range(T):
                ev, e_row, p_row = next(results)
                evs.append(ev)
                e_rows.append(e_row)
                p_rows.append(p_row)
            emp[N], plug[N] = np.array(e_rows), np.array(p_rows)
            if lawL is not None:
                sc = spectrum(lawL, evs, n_moments=0, _cdf=cdfL)
                ks[N] = {"ks": sc.ks, "levy": sc.levy}
        lim, pl = _checks_from(lambda k, L=L: f"L={L}: tr((J J^T)^{k})", widths, emp, plug,
                               limit, ("D", "W^T W"))
        text = _compact_table(f"L = {L}: moments of J J^T ({convention} convention)", lim, pl)
        if ks:
            text += "\nKolmogorov / Lévy distance to the limit law: " + ", ".join(
                f"{ks[N]['ks']:.3g} / {ks[N]['levy']:.3g} (N={N})" for N in widths)
        parts.append({"text": text, "rows": lim.rows})
        tests.extend(list(lim) + list(pl))
        data["depths"][int(L)] = {"limit": lim.to_dict(), "plugin": pl.to_dict(), "ks": ks}
        rel = [max(abs(c.rows[i]["error"] / c.predicted) for c in lim) for i in range(len(widths))]
        summary.append(f"L = {L}: max relative moment error "
                       + ", ".join(f"{r:.2e} (N={N})" for r, N in zip(rel, widths))
                       + f"; rates vs limit {[c.rate for c in lim]}, vs plug-in {[c.rate for c in pl]}")
    if law is None:
        missing.append("Kolmogorov distance (no law with a density given; pass law='auto' "
                       "or law=lambda L: ...)")
    claim = (f"{init} weights, {act.name}, sigma_w = {sw}, sigma_b = {sb}, q0 = {q0:.6g}, "
             f"{convention} convention: mu_JJ^T = free product of the layer laws")
    return CheckReport("Jacobian spectrum across depth", claim, parts, summary, decide(tests), data,
                       missing)


def _top_atom(net, q0):
    """Top atom (location, mass) of ``μ_L`` for orthogonal weights and
    ``φ'² ∈ {0, 1}``, else None."""
    act, init, sw, _, depth = _net_params(net)
    if init != "orthogonal" or not act.piecewise_linear:
        return None
    qh, qx = _meanfield(net, q0)
    s2 = sw * sw
    loc, mass = qx[0], 1.0
    for ell in range(1, depth):
        vals = act.dphi_values_probabilities(float(qh[ell - 1]))
        if any(float(v) not in (0.0, 1.0) for v, _ in vals):
            return None
        p = sum(float(pr) for v, pr in vals if float(v) == 1.0)
        loc, mass = qx[ell] + s2 * loc, mass + p - 1.0
    return loc, max(mass, 0.0)


def _trial_seeds(rng, count):
    """Independent seeds for ``count`` trials drawn from ``rng`` (one call):
    each trial has its own generator, so the results are the same whether the
    trials run serially, in processes or on a cluster, in any order."""
    root = np.random.SeedSequence([int(v) for v in rng.integers(0, 2**63, size=4)])
    return root.spawn(count)


class _Offset:
    """``progress(done, total)`` seen through an offset (several task maps
    reporting to one callback)."""

    def __new__(cls, progress, offset, total):
        if progress is None or isinstance(progress, bool):
            return progress
        self = super().__new__(cls)
        self.progress, self.offset, self.total = progress, offset, total
        return self

    def __call__(self, done, _total):
        self.progress(self.offset + done, self.total)


def _jacobian_trial(task):
    """One sampled network of :func:`check_jacobian_spectrum` (module level,
    picklable): eigenvalues of ``J Jᵀ``, their moments, the plug-in moments."""
    from .simulate import random_input, sample_network

    net, N, seed, q0, convention, init, s2, n, n_d = task
    rng = np.random.default_rng(seed)
    inst = sample_network(net, N, rng)
    x0 = random_input(N, rng, q0)
    diags = inst.dphi(x0)
    sv = np.linalg.svd(inst.input_jacobian(x0, convention), compute_uv=False)
    ev = sv**2
    return (ev, _spectral_moments(ev, n),
            _jac_moments([_empirical_w_moments(w, init, s2, n) for w in inst.weights],
                         [_empirical_d2_moments(d, n) for d in diags[:n_d]], n))


def _fim_trial(task):
    """One sampled network of :func:`check_fim_spectrum` (module level,
    picklable): eigenvalues of ``Θ_L``, their moments, the plug-in moments and
    the finite-N top atom ``(location, multiplicity, N − #zeros(D))``."""
    from .simulate import random_input, sample_network

    net, N, seed, q0, init, s2, n, depth, with_atom = task
    rng = np.random.default_rng(seed)
    inst = sample_network(net, N, rng)
    x0 = random_input(N, rng, q0)
    ev = np.linalg.eigvalsh(inst.fim_one_sample(x0))
    qs = inst.q(x0)
    diags = inst.dphi(x0)
    e_row = _spectral_moments(ev, n)
    p_row = _fim_moments(qs, [_empirical_w_moments(w, init, s2, n) for w in inst.weights],
                         [_empirical_d2_moments(d, n) for d in diags[:-1]], n)
    atom_row = None
    if with_atom:
        loc, zeros = qs[0], 0
        for ell in range(1, depth):
            loc = qs[ell] + s2 * loc
            zeros += int(np.count_nonzero(diags[ell - 1] == 0))
        mult = int(np.count_nonzero(np.abs(ev - loc) <= 1e-9 * max(1.0, abs(loc))))
        atom_row = (loc, mult, max(0, N - zeros))
    return ev, e_row, p_row, atom_row


def check_fim_spectrum(net=None, *, widths=(50, 100, 200), trials=40, q0=1.0, n_moments=4,
                       law=None, rng=0, progress=None, n_jobs=1, executor=None, cache_dir=None):
    r"""Spectrum of the one-sample FIM / NTK ``Θ_L`` of sampled networks
    against the spectral recursion of docs/theory.md §6, and its top atom.

    * Moments of ``μ_L`` (``μ_1 = δ_{q_0}``, ``μ_{ℓ+1} = q_ℓ + μ_{W_{ℓ+1}ᵀW_{ℓ+1}}
      ⊠ ν_ℓ ⊠ μ_ℓ``; ``μ_{WᵀW} = δ_{σ_w²}`` for orthogonal weights, as in
      docs/theory.md §6, and ``σ_w² MP(1)`` for Gaussian ones) against the
      eigenvalues of ``Θ_L``, with the limit ``q_ℓ``, ``ν_ℓ`` and with the
      empirical ones of each sample (plug-in), each with the rate analysis of
      :func:`moments`.
    * For orthogonal weights and ``φ'² ∈ {0, 1}`` (ReLU, hard-tanh): the top
      atom of ``μ_L`` at ``a_L = Σ_ℓ σ_w^{2(L−1−ℓ)} q_ℓ`` with mass
      ``1 − Σ_{ℓ<L} (1 − p_ℓ)`` (atoms of ``⊠``: ``μ({a}) + ν({1}) − 1``).  At
      finite ``N`` it is an exactly repeated eigenvalue: its location is the
      same sum with the empirical ``q̂_ℓ = ‖x_ℓ‖²/M`` and its multiplicity is
      ``N − Σ_ℓ #{i: (D_ℓ)_ii = 0}`` (an intersection of subspaces in general
      position); both are checked exactly, and the mass against the limit.
    * The Kolmogorov distance to ``law`` if given (an object with a density).

    Parameters
    ----------
    net : freealg.MLP
        The network (required despite the ``None`` default), with equal
        layer widths (no ``widths=``, equal ``ratios``).
    widths : sequence of int, default (50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    q0 : real >= 0, default 1.0
        Input variance ``‖x_0‖²/M``.
    n_moments : int, default 4
        Number of moments ``tr(X^k)``, ``k = 1..n_moments``, compared;
        ``1 <= n_moments <= MAX_MOMENTS`` (200).
    law : law or None, default None
        A law of ``Θ_L`` with ``density`` (and ``atoms``/``support``) for
        the Kolmogorov / Lévy distances, e.g. ``net.fim_law(q_in=q0)``.
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.

    Returns
    -------
    CheckReport

    Other Parameters
    ----------------
    n_jobs : int, optional
        Local processes for the sampled networks (``-1``: every core).
    executor : concurrent.futures executor or dask.distributed.Client, optional
        Run the sampled networks there.  Every trial has its own seed drawn
        from ``rng``, so the report is identical for any ``n_jobs`` or
        executor.
    progress : None, bool or callable, optional
        A tqdm bar (``None``: when standard error is a terminal), or a
        callable ``progress(done, total)``.
    cache_dir : str or path, optional
        Keep each sampled network's result on disk and reuse it on a rerun
        with the same parameters and seed (pickles, keyed by the task and the
        package version; use a directory only you write to).

    Raises
    ------
    InvalidArgumentError
        If ``net`` is None or fixes unequal widths; if a width or trial
        count is out of range (see above), ``q0 < 0`` or ``n_jobs = 0``.
    InvalidArgumentTypeError
        If an argument has the wrong type (a non-integer width, trial count
        or ``n_moments``, a ``net`` that is not an MLP specification, an
        ``rng`` that is neither a Generator nor a seed, a ``progress`` that is
        not allowed, ...).
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH``, more than
        ``MAX_TRIALS`` trials or ``MAX_MOMENTS`` moments, before any
        sampling.
    UnknownActivationError
        For an unknown activation name.
    InvalidLawError
        If ``law``'s density is negative on its support.

    Examples
    --------
    ReLU, orthogonal ``σ_w = 1``, ``L = 2``, ``q_0 = 1``: ``q_1 = 1/2`` and
    ``μ_2 = q_1 + ν_1`` with ``ν_1`` Bernoulli(1/2), i.e. atoms of mass 1/2
    at 0.5 and 1.5 (moments 1 and 1.25):

    >>> import freealg
    >>> from freealg import verify
    >>> net = freealg.MLP(depth=2, activation="relu", init="orthogonal", sigma_w=1.0, sigma_b=0.0)
    >>> rep = verify.check_fim_spectrum(net, widths=(8, 16), trials=3, n_moments=2, progress=False)
    >>> rep.data["top_atom"], rep.data["theory_moments"]
    ((1.5, 0.5), [1.0, 1.25])
    """
    if net is None:
        raise InvalidArgumentError("check_fim_spectrum needs an MLP specification net=")

    act, init, sw, sb, depth = _net_params(net)
    _uniform_widths(net, "check_fim_spectrum")
    _check_q0(q0)
    rng = _rng(rng)
    widths = _check_widths(widths)
    trials = _check_trials(trials, widths)
    n = _check_count(n_moments, "n_moments", 1, MAX_MOMENTS,
                     "high empirical moments are dominated by the largest eigenvalue")
    check_progress(progress)
    check_jobs(n_jobs, executor)
    s2 = sw * sw
    qh, qx = _meanfield(net, q0)
    wl = _w_law_moments(init, s2, n)
    limit = _fim_moments(qx, [wl] * depth,
                         [[float(v) for v in act.dphi2_moments(float(q), n)] for q in qh[:-1]], n)
    atom = _top_atom(net, q0)
    parts, summary, missing = [], [], []
    data = {"theory_moments": limit, "top_atom": atom, "widths": {}}
    emp, plug, ks, masses, exact_ok = {}, {}, {}, {}, True
    cdf_law = None
    tasks = [(net, N, seed, q0, init, s2, n, depth, atom is not None)
             for N, seed in zip([N for N, T in zip(widths, trials) for _ in range(T)],
                                _trial_seeds(rng, sum(trials)))]
    results = iter(map_tasks(_fim_trial, tasks, n_jobs=n_jobs, executor=executor,
                             progress=progress, desc="verify fim", cache_dir=cache_dir))
    for N, T in zip(widths, trials):
        e_rows, p_rows, evs, mass_n, fin = [], [], [], [], []
        for _ in range(T):
            ev, e_row, p_row, atom_row = next(results)
            evs.append(ev)
            e_rows.append(e_row)
            p_rows.append(p_row)
            if atom_row is not None:
                loc, mult, want = atom_row
                fin.append(atom_row)
                # with want = 0 an eigenvalue may still sit at loc by accident of rounding: allow 1
                exact_ok = exact_ok and (mult == want or (want == 0 and mult <= 1))
                mass_n.append(mult / N)
        emp[N], plug[N] = np.array(e_rows), np.array(p_rows)
        if law is not None:
            if cdf_law is None:
                cdf_law = _TheoryCDF(law)
            sc = spectrum(law, evs, n_moments=0, _cdf=cdf_law)
            ks[N] = {"ks": sc.ks, "levy": sc.levy}
        if atom is not None:
            masses[N] = (float(np.mean(mass_n)), float(np.std(mass_n, ddof=1) / math.sqrt(T)), fin,
                         list(mass_n))
    lim, pl = _checks_from(lambda k: f"tr(Theta_{depth}^{k})", widths, emp, plug, limit,
                           ("q", "D", "W^T W"))
    text = _compact_table(f"moments of Theta_L (L = {depth})", lim, pl)
    tests, identities = list(lim) + list(pl), []
    if atom is not None:
        # the empirical mass against the limit, with the rate analysis of the
        # moments: it must approach the limit like a power of 1/N
        atom_check = MomentCheck("top atom mass", atom[1], atom[1],
                                 [_row(N, masses[N][3], np.full(len(masses[N][3]), atom[1]))
                                  for N in widths])
        tests.append(atom_check)
        identities.append(("finite-N top-atom location and multiplicity N - #zeros(D)", exact_ok))
        text += f"\ntop atom: limit mass {atom[1]:.6g} at {atom[0]:.6g}"
        for N, r in zip(widths, atom_check.rows):
            mm, se, fin = masses[N][:3]
            hits = sum(m == w for _, m, w in fin)
            text += (f"\n  N = {N}: empirical mass {mm:.5g} ± {se:.2g} (z = {r['z']:.1f}); finite-N "
                     f"location and multiplicity N - #zeros(D) exact in {hits}/{len(fin)} trials")
        text += f"\n  rate of the mass vs limit: {atom_check.rate}"
    if ks:
        text += ("\nKolmogorov / Lévy distance to the law (atoms of Theta_L sit at the "
                 "sample's q-hat, so Kolmogorov jumps by their mass; Lévy does not): "
                 + ", ".join(f"{ks[N]['ks']:.3g} / {ks[N]['levy']:.3g} (N={N})" for N in widths))
    parts.append({"text": text, "rows": lim.rows})
    rel = [max(abs(c.rows[i]["error"] / c.predicted) for c in lim) for i in range(len(widths))]
    summary.append("max relative moment error " + ", ".join(f"{r:.2e} (N={N})" for r, N in zip(rel, widths))
                   + f"; rates vs limit {[c.rate for c in lim]}, vs plug-in {[c.rate for c in pl]}")
    if atom is not None:
        summary.append(f"top atom: limit mass {atom[1]:.6g} at {atom[0]:.6g}; finite-N "
                       "location/multiplicity identity " + ("holds" if exact_ok else "FAILS"))
        data["top_atom_empirical"] = {N: {"mass": masses[N][0], "stderr": masses[N][1],
                                          "finite_N": [list(f) for f in masses[N][2]]}
                                      for N in widths}
    if law is None:
        missing.append("Kolmogorov distance (no law with a density given)")
    data["limit"], data["plugin"], data["ks"] = lim.to_dict(), pl.to_dict(), ks
    claim = (f"{init} weights, {act.name}, sigma_w = {sw}, sigma_b = {sb}, depth {depth}, "
             f"q0 = {q0}: spectrum of the one-sample FIM Theta_L")
    return CheckReport("one-sample FIM spectrum", claim, parts, summary, decide(tests, identities),
                       data, missing)


def _two_layer_fim_curve(net, q0):
    """The spectral curve of ``μ_3`` (two hidden layers; [HK21],
    docs/theory.md, "Deep networks") built from exact laws with
    :mod:`freealg.curves` (⊠ and affine maps):
    ``μ_1 = δ_{q_0}``, ``μ_{ℓ+1} = q_ℓ + μ_{WᵀW} ⊠ ν_ℓ ⊠ μ_ℓ`` with ``ν_ℓ``
    the exact (Bernoulli) law of ``φ'(h_ℓ)²``.

    The parameters are the exact layer data of :meth:`freealg.MLP.fim_law`:
    an exact ``σ_w`` (``sqrt(2)``, ``3/2``) and ``q0`` stay exact, so that
    coincident special points of the curve (a hard edge on a zero of the
    leading coefficient) stay coincident; a float enters at its exact binary
    value (``sympy.Rational(float)``).  Building the
    curve from ``float(σ_w)² = 2.0000000000000004`` instead gave coefficients
    of 90 digits and edges split by 1e-15 from the poles they sit on."""
    from ._elimination import affine, free_mul
    from .laws import MarchenkoPastur, PointMass

    law = net.fim_law(q_in=q0)
    s2 = law.sigma_w2
    w_law = PointMass(s2) if law.init == "orthogonal" else MarchenkoPastur(rate=1, jump=s2)
    mu = PointMass(law.q[0])
    for ell in range(1, net.depth):
        nu = _numeric_law(law.nus[ell - 1])
        # float laws (hard-tanh's q-dependent nu) enter at their binary values
        prod = free_mul(free_mul(_exact_law(nu), _exact_law(mu)), _exact_law(w_law))
        mu = affine(prod, shift=law.q[ell], scale=1)
    return mu


def _binary(x):
    """The exact binary value of a float (a curve takes exact numbers only)."""
    from sympy import Rational

    return Rational(float(x))


def _exact_law(law):
    """A float law as the exact law at its floats' binary values (curves are
    built from exact laws only)."""
    from .laws import Law

    return law._exact_twin() if isinstance(law, Law) else law


def _numeric_law(law):
    """A Bernoulli/Atomic law with exact irrational parameters (erf(...))
    replaced by floats (float laws: exact curves only with ``curve(exact=True)``)."""
    from .laws import Atomic, Bernoulli, PointMass

    if isinstance(law, Bernoulli):
        if _is_rational(law.p):
            return law  # exact stays exact
        return Bernoulli(float(_to_float(law.p)))
    if isinstance(law, PointMass):
        return law
    if isinstance(law, Atomic):
        return Atomic([float(_to_float(v)) for v in law.points],
                      [float(_to_float(w)) for w in law.weights])
    return law


def _is_rational(v):
    import sympy

    from fractions import Fraction

    return isinstance(v, (int, Fraction)) or (isinstance(v, sympy.Basic) and v.is_Rational)


class _CachedLaw:
    """A law proxy that computes ``atoms()``, ``support()`` and ``moments(n)``
    once (they can be expensive for a spectral curve)."""

    def __init__(self, law):
        self._law = law
        self._atoms = self._support = None
        self._moments = {}

    def atoms(self):
        if self._atoms is None:
            self._atoms = self._law.atoms()
        return self._atoms

    def support(self):
        if self._support is None:
            self._support = self._law.support()
        return self._support

    def moments(self, n):
        if n not in self._moments:
            self._moments[n] = self._law.moments(n)
        return self._moments[n]

    def density(self, x, **kwargs):
        return self._law.density(x, **kwargs)

    def __getattr__(self, name):
        return getattr(self._law, name)

    def __repr__(self):
        return repr(self._law)


def _display_polynomial(poly):
    """``P(z, G)`` divided by its leading coefficient, with 8-digit float
    coefficients (the exact curve has rationals with long decimals)."""
    if poly is None:
        return "?"
    import sympy

    from .curves import G, Z

    try:
        lc = sympy.Poly(poly, G, Z).LC()
    except sympy.PolynomialError:
        return str(poly)
    return str(sympy.N(sympy.expand(poly / lc), 8))


def _param_text(v):
    """A network parameter for a claim line: exact values as typed
    (``sqrt(2)``, ``3/2``), floats with repr."""
    return str(v) if not isinstance(v, float) else repr(v)


def check_two_layer_fim(activation="hardtanh", sigma_w=1.0, sigma_b=0.0, *, init="orthogonal",
                        net=None, q0=1.0, widths=(50, 100, 200), trials=40, n_moments=4, rng=0,
                        with_density=True, progress=None, n_jobs=1, executor=None, cache_dir=None):
    r"""The two-hidden-layer (``L = 3``) closed form of the one-sample FIM
    spectrum (docs/theory.md §6) against sampled networks.

    For hard-tanh / ReLU the theory law is the exact spectral curve of
    ``μ_3`` built with :mod:`freealg.curves` (``ν_1, ν_2`` Bernoulli, ``μ_2``
    two atoms, ``μ_3`` algebraic of low degree) from the exact layer data of
    :meth:`freealg.MLP.fim_law` (an exact ``sigma_w`` such as
    ``sympy.sqrt(2)`` stays exact).  Compared: its exact moments against the
    S-transform recursion in floats (two independent algorithms) and against
    the eigenvalues of ``Θ_3`` at each width (via :func:`check_fim_spectrum`,
    with the top atom), and -- when the density engine
    (:mod:`freealg.density`) is available and ``with_density`` -- its atoms
    against the atom rule of free products and its certified density through
    the Kolmogorov and Lévy distances (a few seconds).

    For a smooth activation (tanh, erf, ...) the law of ``φ'(h)²`` is
    continuous and ``μ_3`` has no algebraic curve: the check is then that of
    :func:`check_fim_spectrum` at depth 3 (moments of the spectral recursion
    against the eigenvalues, limit and plug-in), and the report says that
    the closed form and the distance to a density were not checked.

    Parameters
    ----------
    activation : str, sympy expression or Activation, default "hardtanh"
        ``"hardtanh"``, ``"relu"`` (closed form), or a smooth activation.
    sigma_w : real > 0, default 1.0
        Weight scale; an exact value (``sympy.sqrt(2)``, ``Fraction(3, 2)``)
        stays exact in the curve.
    sigma_b : real >= 0, default 0.0
        Bias standard deviation, exact values kept likewise.
    init : {"orthogonal", "gaussian"}, default "orthogonal"
        Weight initialisation.
    net : freealg.MLP, optional
        A depth-3 network instead of the four parameters above.
    q0 : real >= 0, default 1.0
        ``‖x_0‖²/M`` of the input.
    widths : sequence of int, default (50, 100, 200)
        The widths ``N`` compared: 1 to 100 distinct integers, each
        ``1 <= N <= MAX_WIDTH`` (20000).  Every trial samples ``N x N``
        matrices (``O(N³)`` work), and the error fits need at least two.
    trials : int or sequence of int, default 40
        Networks sampled per width: one integer for every width, or one per
        width; each ``2 <= trials <= MAX_TRIALS`` (100000).  The standard
        errors fall like ``1/√trials``.
    n_moments : int, default 4
        Number of moments ``tr(X^k)``, ``k = 1..n_moments``, compared;
        ``1 <= n_moments <= MAX_MOMENTS`` (200).
    rng : numpy.random.Generator or int, default 0
        A Generator or an integer seed ``>= 0`` (None also means seed 0);
        never the global random state, so reports are reproducible.
    with_density : bool, default True
        Also compare the certified density (Kolmogorov / Lévy distances) and
        the atoms of the curve (a few seconds).
    progress : None, bool or callable, default None
        A tqdm bar (``None``: when standard error is a terminal), or a
        callable ``progress(done, total)``.
    n_jobs : int, default 1
        Local processes for the sampled networks (``-1``: every core).
    executor : concurrent.futures executor or dask.distributed.Client, optional
        Run the sampled networks there (same results as serially).
    cache_dir : str or path, optional
        Reuse sampled results stored on disk (see :func:`check_fim_spectrum`).

    Returns
    -------
    CheckReport
        ``report.data["curve"]`` is the whole polynomial ``P(z, G)`` (the
        report prints it with rounded coefficients).

    Raises
    ------
    InvalidArgumentError
        If ``depth`` of ``net`` is not 3, ``net`` fixes unequal widths, an
        MLP parameter, width, trial count or ``q0`` is out of range, or
        ``n_jobs = 0``.
    InvalidArgumentTypeError
        If an argument has the wrong type (a non-integer width, trial count
        or ``n_moments``, a ``net`` that is not an MLP specification, an
        ``rng`` that is neither a Generator nor a seed, a ``progress`` that is
        not allowed, a ``with_density`` that is not a bool, ...).
    TooLargeError
        For more than 100 widths, a width above ``MAX_WIDTH``, more than
        ``MAX_TRIALS`` trials or ``MAX_MOMENTS`` moments, before any
        sampling.
    UnknownActivationError
        For an unknown activation name.

    Examples
    --------
    >>> import sympy
    >>> rep = check_two_layer_fim("relu", sympy.sqrt(2), 0, widths=(16, 32), trials=2,
    ...                           with_density=False)
    >>> rep.data["curve"]
    'G**2*z**4 - 12*G**2*z**3 + 42*G**2*z**2 - 52*G**2*z + 21*G**2 - G*z**3 + 11*G*z**2 - 31*G*z + 21*G - 2*z + 5'
    >>> rep.data["curve_moments"]
    [3.0, 14.0, 78.0, 466.0]
    """
    net = _make_net(net, init, activation, sigma_w, sigma_b, 3)
    act, init, sw, sb, depth = _net_params(net)
    n_moments = _check_count(n_moments, "n_moments", 1, MAX_MOMENTS,
                             "high empirical moments are dominated by the largest eigenvalue")
    _check_q0(q0)
    if not isinstance(with_density, (bool, np.bool_)):
        raise InvalidArgumentTypeError(
            f"with_density must be True or False; got {describe(with_density)} of type "
            f"{type(with_density).__name__}")
    check_progress(progress)
    check_jobs(n_jobs, executor)
    if depth != 3:
        raise InvalidArgumentError(f"the two-hidden-layer check needs depth 3; got depth {depth}")
    params = (f"{init} weights, {act.name}, sigma_w = {_param_text(net.sigma_w)}, sigma_b = "
              f"{_param_text(net.sigma_b)}, q0 = {_param_text(q0)}")
    if not act.piecewise_linear:
        rep = check_fim_spectrum(net, widths=widths, trials=trials, q0=q0, n_moments=n_moments,
                                 rng=rng, progress=progress, n_jobs=n_jobs, executor=executor,
                                 cache_dir=cache_dir)
        note = (f"no closed form: the law of {act.name}'(h)^2 is continuous, so mu_3 is not "
                "algebraic (the curve exists for hard-tanh and ReLU only); checked: the moments of "
                "the spectral recursion against the eigenvalues of Theta_3")
        missing = [f"closed-form curve and distance to the density ({act.name} is smooth; the "
                   "density of mu_3 is freealg.MLP(3, activation, ...).fim_law(q_in=q0).density(x), "
                   "the functional-equation engine, about a minute)"]
        claim = f"{params}: the two-hidden-layer FIM spectrum mu_3 (spectral recursion)"
        return CheckReport("two-hidden-layer FIM spectrum", claim,
                           [{"text": note, "rows": []}] + rep.parts, [note] + rep.summary,
                           rep.decision if rep.decision is not None else rep.passed,
                           dict(rep.data, curve=None), missing + [
                               m for m in rep.missing if "no law" not in m
                               and "Kolmogorov" not in m])
    curve = _two_layer_fim_curve(net, q0)
    exact = [_to_float(v, "moment") for v in curve.moments(n_moments)]
    qh, qx = _meanfield(net, q0)
    s2 = sw * sw
    rec = _fim_moments(qx, [_w_law_moments(init, s2, n_moments)] * 3,
                       [[float(v) for v in act.dphi2_moments(float(q), n_moments)] for q in qh[:2]],
                       n_moments)
    rel = max(abs(a - b) / abs(b) for a, b in zip(exact, rec))
    missing, law, atom_text, atoms_ok = [], None, "", True
    try:
        import importlib

        importlib.import_module(".density", __package__)
    except ImportError:
        missing.append("density and atoms of the closed form (freealg.density, the density "
                       "engine, is not available): Kolmogorov distance not computed")
    else:
        if not with_density:
            missing.append("density, atoms and Kolmogorov/Lévy distance of the closed form "
                           "(with_density=False)")
    if with_density and not missing:
        law = _CachedLaw(curve)
        atoms = [(float(_to_float(a)), float(_to_float(m))) for a, m in law.atoms()]
        support = [(float(_to_float(a)), float(_to_float(b))) for a, b in law.support()]
        atom_text = ("curve atoms: " + ", ".join(f"{m:.6g} at {a:.6g}" for a, m in atoms)
                     + "; support " + ", ".join(f"[{a:.6g}, {b:.6g}]" for a, b in support))
        top = _top_atom(net, q0)
        if top is not None and top[1] > 0:
            near = [(a, m) for a, m in atoms if abs(a - top[0]) <= 1e-9 * max(1.0, abs(top[0]))]
            atoms_ok = bool(near) and abs(near[0][1] - top[1]) <= 1e-9
            atom_text += (f"\ntop atom of the curve vs the atom rule of free products "
                          f"(mass {top[1]:.10g} at {top[0]:.10g}): "
                          + ("agree" if atoms_ok else "DISAGREE"))
    rep = check_fim_spectrum(net, widths=widths, trials=trials, q0=q0, n_moments=n_moments,
                             law=law, rng=rng, progress=progress, n_jobs=n_jobs, executor=executor,
                             cache_dir=cache_dir)
    poly = getattr(curve, "polynomial", None)
    shown = _display_polynomial(poly)
    header = {"text": f"closed form (coefficients rounded for display): {shown} = 0\n"
                      f"exact moments of the curve {[f'{v:.10g}' for v in exact]}\n"
                      f"S-transform recursion      {[f'{v:.10g}' for v in rec]}\n"
                      f"max relative difference {rel:.2e}",
              "rows": []}
    if atom_text:
        header["text"] += "\n" + atom_text
    agree = rel < 1e-9 and atoms_ok
    summary = [f"curve moments vs S-transform recursion: max relative difference {rel:.2e}"
               + (" (agree)" if agree else " (DISAGREE)")] + rep.summary
    data = dict(rep.data, curve=str(poly), curve_moments=exact, recursion_moments=rec)
    claim = f"{params}: the two-hidden-layer FIM spectrum mu_3 is algebraic (closed form below)"
    verdict = decide([t[:2] for t in rep.decision.tests], rep.decision.identities + [
        ("curve moments = S-transform recursion (rel. 1e-9)", rel < 1e-9),
        ("top atom of the curve = atom rule of free products", atoms_ok)])
    return CheckReport("two-hidden-layer FIM closed form", claim, [header] + rep.parts, summary,
                       verdict, data, missing + [m for m in rep.missing if "no law" not in m])
