"""The deep-network layer: MLP specifications, mean-field theory and
infinite-width kernels (docs/theory.md §1, §4, §6, §7).

* :class:`MLP` (:mod:`freealg.dnn.mlp`): the architecture and its conventions;
* :mod:`freealg.dnn.meanfield`: q-map, ``q*``, ``χ``, c-map, depth scales,
  backprop norms, the law of ``D²``;
* :mod:`freealg.dnn.criticality`: the critical ``σ_w`` and phase-diagram data;
* :mod:`freealg.dnn.kaa`: the Karakida–Akaho–Amari mean-field FIM;
* :mod:`freealg.dnn.kernels`: NNGP / NTK kernels, GP posterior, NTK
  gradient flow, Fan–Wang conjugate-kernel moments;
* :mod:`freealg.dnn.ck_law`: the Fan–Wang conjugate-kernel law
  (:class:`ConjugateKernelLaw`);
* :mod:`freealg.dnn.ntk_law`: the Fan–Wang multi-sample NTK law
  (:class:`NTKLaw`);
* :mod:`freealg.dnn.jacobian`: the law of ``J Jᵀ`` (:class:`JacobianLaw`,
  dynamical-isometry summary);
* :mod:`freealg.dnn.fisher`: the one-sample FIM/NTK spectrum
  (:class:`FisherLaw`: top atom, ``λ_max``, learning-rate bound);
* :mod:`freealg.dnn.depth_limit`: the infinite-depth limit of critical
  Jacobian spectra (:func:`depth_limit_law`, a ⊠-infinitely divisible law);
* :mod:`freealg.dnn.ngd`: natural-gradient dynamics in the NTK regime
  (isotropy constant :func:`ngd_alpha`, :func:`ngd_train_predictions`).

Examples
--------
>>> from freealg.dnn import MLP, critical_sigma_w
>>> critical_sigma_w("relu", 0)
sqrt(2)
"""

from .._utils.lazy import lazy_attributes

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "MLP": "mlp",
    "JACOBIAN_CONVENTIONS": "mlp",
    "INITS": "mlp",
    "critical_sigma_w": "criticality",
    "critical_line": "criticality",
    "KAAResult": "kaa",
    "conjugate_kernel_moments": "kernels",
    "mp_moments": "kernels",
    "ConjugateKernelLaw": "ck_law",
    "conjugate_kernel_law": "ck_law",
    "NTKLaw": "ntk_law",
    "neural_tangent_kernel_law": "ntk_law",
    "JacobianLaw": "jacobian",
    "IsometrySummary": "jacobian",
    "jacobian_law": "jacobian",
    "FisherLaw": "fisher",
    "fim_law": "fisher",
    "DepthLimitLaw": "depth_limit",
    "depth_limit_law": "depth_limit",
    "NGDPrediction": "ngd",
    "ngd_alpha": "ngd",
    "ngd_converges": "ngd",
    "ngd_optimal_eta": "ngd",
    "ngd_train_predictions": "ngd",
}

__all__ = [
    "MLP",
    "JACOBIAN_CONVENTIONS",
    "INITS",
    "critical_sigma_w",
    "critical_line",
    "KAAResult",
    "conjugate_kernel_moments",
    "mp_moments",
    "ConjugateKernelLaw",
    "conjugate_kernel_law",
    "NTKLaw",
    "neural_tangent_kernel_law",
    "JacobianLaw",
    "IsometrySummary",
    "jacobian_law",
    "FisherLaw",
    "fim_law",
    "DepthLimitLaw",
    "depth_limit_law",
    "NGDPrediction",
    "ngd_alpha",
    "ngd_converges",
    "ngd_optimal_eta",
    "ngd_train_predictions",
]

__getattr__, __dir__ = lazy_attributes(__name__, globals(), _LAZY)
