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

Modules: :mod:`~freealg.verify.evaluate` (words on matrices),
:mod:`~freealg.verify.moments` and :mod:`~freealg.verify.momentcheck` (limit
moments, rate fits), :mod:`~freealg.verify.spectrum` (CDF distances),
:mod:`~freealg.verify.network` (the free model of an MLP, samplers),
:mod:`~freealg.verify.report` (reports, :func:`decide`),
:mod:`~freealg.verify.asymptotic`, :mod:`~freealg.verify.jacobian`,
:mod:`~freealg.verify.fim` and :mod:`~freealg.verify.two_layer` (the ready
checks), with :mod:`~freealg.verify.limits` (their limit laws) and
:mod:`~freealg.verify.trials` (one sampled network per task).

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

from .._utils.lazy import lazy_attributes

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "evaluate": "evaluation",
    "MomentCheck": "momentcheck",
    "MomentChecks": "momentcheck",
    "moments": "limit_moments",
    "SpectrumCheck": "spectra",
    "spectrum": "spectra",
    "network_letters": "network",
    "network_model": "network",
    "network_sampler": "network",
    "CheckReport": "report",
    "Decision": "report",
    "decide": "report",
    "check_asymptotic_freeness": "asymptotic",
    "check_jacobian_spectrum": "jacobian",
    "check_fim_spectrum": "fim",
    "check_two_layer_fim": "two_layer",
    "check_batch_fim": "batch",
}


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
    "check_batch_fim",
    "CheckReport",
    "decide",
    "Decision",
]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
