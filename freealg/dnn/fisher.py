r"""The spectrum of the one-sample Fisher information matrix (conditional FIM,
equivalently the one-sample NTK) of a random MLP (docs/theory.md §6;
Hayase–Karakida, arXiv:2006.07814; Karakida–Akaho–Amari 2019).

Setting: square layers of width ``M``, one input ``x_0``, output
``f = h_L ∈ R^M``, parameters ``θ`` = the weight entries.  With
``q_ℓ = ‖x_ℓ‖²/M``

    Θ_1 = q_0 I,   Θ_{ℓ+1} = q_ℓ I + W_{ℓ+1} D_ℓ Θ_ℓ D_ℓ W_{ℓ+1}ᵀ,
    J_θ J_θᵀ = M Θ_L                 (J_θ = ∂f/∂θ, an M × P matrix),

so the non-zero eigenvalues of the conditional FIM ``F = J_θᵀ J_θ`` (``P × P``)
are ``M`` times those of ``Θ_L`` (:meth:`freealg.simulate.NetworkInstance.fim_one_sample`
checks this identity on sampled networks).  :func:`fim_law` returns the
limit law ``μ_L`` of the eigenvalues of ``Θ_L``, by the recursion

    μ_1 = δ_{q_0},
    μ_{ℓ+1} = (x ↦ q_ℓ + σ_w² x)_* (ν_ℓ ⊠ μ_ℓ)                (orthogonal init),
    μ_{ℓ+1} = (x ↦ q_ℓ + x)_* (MP(1, σ_w²) ⊠ ν_ℓ ⊠ μ_ℓ)       (Gaussian init),

with ``ν_ℓ`` the law of ``D_ℓ² = φ'(h_ℓ)²``.

Which ``q_ℓ`` and ``ν_ℓ``.  ``q_in=None`` (default): the input sits at the
fixed point of the mean-field recursion (``σ_w² q_0 + σ_b² = q*``), so every
layer has pre-activation variance ``q^ℓ = q*``, ``ν_ℓ = ν*`` and
``q_ℓ = q̂* = E φ(√q* z)²``.  With ``q_in = ‖x_0‖²/M``: ``q_0 = q_in`` and
``q^ℓ``, ``q_ℓ = q̂^ℓ`` follow :meth:`freealg.MLP.q_sequence` and
:meth:`freealg.MLP.qhat_sequence`, ``ν_ℓ`` at ``q^ℓ``.

Facts (all checked by the tests):

* mean: ``m_1(μ_{ℓ+1}) = q_ℓ + χ_ℓ m_1(μ_ℓ)``, ``χ_ℓ = σ_w² E φ'(h_ℓ)²``, so on
  the critical line at the fixed point ``m_1(μ_L) = Σ_{ℓ<L} q_ℓ = L q̂*``:
  linear in depth;
* atoms (orthogonal init, ``ν_ℓ`` = Bernoulli(``α_ℓ``)): Belinschi's rule for
  ⊠ gives the top atom at ``t_L``, ``t_1 = q_0``, ``t_{ℓ+1} = q_ℓ + σ_w² t_ℓ``,
  with mass ``max(0, 1 − Σ_{ℓ<L} (1 − α_ℓ))`` (``1 − (L − 1)(1 − α)`` for one
  ``α``), and ``1 − α_{L−1}`` at ``q_{L−1}`` (the kernel of ``D_{L−1}``);
* under dynamical isometry (``α → 1``, ``σ_w → 1``) the spectrum concentrates
  at ``λ_max ≈ L q̂*``, so gradient descent on the loss
  ``(1/2M) ‖f − y‖²`` is stable only for ``η < 2/λ_max(Θ_L)`` (the
  ``η ∝ 1/L`` line of Hayase–Karakida); for the unnormalised loss ``½‖f − y‖²`` the Hessian is
  ``F`` itself and the bound is ``2/(M λ_max(Θ_L))``
  (:meth:`FisherLaw.learning_rate_bound`).

Numerics.  The density, support, ``λ_max`` and Cauchy transform come from a
functional-equation solver for the whole recursion (no spectral curve: its
degree doubles with every layer).  At level ``k`` the product
``P_k = ν_k ⊠ μ_k`` (times ``MP`` for Gaussian init) is written with
subordination: ``w_k = y_k G_{P_k}(y_k) − 1``, the subordination point of
``μ_k`` is ``ξ_k = y_k Π_j S_j(w_k)`` (product over the other factors) and

    ξ_k (w_{k−1} − w_k)/(1 + w_k) + q_{k−1} = 0      (w_0 = 0),
    y_{k−1} = (ξ_k − q_{k−1})/c_{k−1},   y_{L−1} = (z − q_{L−1})/c_{L−1},

with ``c = σ_w²`` (orthogonal) or ``1`` (Gaussian); a factor without a closed
S-transform (a smooth ``ν``) adds an unknown ``ζ_k`` with
``ζ_k G_ν(ζ_k) = 1 + w_k``.  Then ``G_{μ_L}(z) = (1 + w_{L−1})/(z − q_{L−1})``.
When every factor has a closed S-transform (Bernoulli ``ν`` of relu /
hard-tanh, ``MP``) the system read bottom-up is one explicit map
``z = X(ξ_1)`` of the bottom subordination point, solved with one unknown at
any depth by numba kernels (:mod:`freealg.dnn._fisher_solver`); the support
edges are the real critical values of ``X`` (a scan resolving close pairs,
closed by bisection on ``X'``) and ``λ_max`` is the first one met from
``ξ_1 = +∞``.  With a smooth ``ν`` the coupled system (one to two unknowns
per layer) is solved by Newton's method.  Both use the vertical continuation
of the density engine from ``z = x + i∞`` (:mod:`freealg.density.continuation`),
with Herglotz guards at every level (``Im ξ_k ≥ 0``, ``Im w_k ≤ 0``,
``Im(y_k w_k) ≤ 0``); every density carries the evidence of
:func:`freealg.density.curve_density` against the moments.
For two hidden layers (``L = 3``) with Bernoulli ``ν`` the closed
form curve is :meth:`FisherLaw.curve` (:func:`freealg.fim_two_layer_curve`).

Examples
--------
Critical ReLU, orthogonal weights, input at the fixed point (``q̂* = 1``):

>>> import sympy, freealg
>>> law = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law()
>>> law.q, law.mean()                       # mean Σ q_ℓ = L q̂*
([1, 1, 1], 3)
>>> law.atoms()                             # 1/2 at q_2; the top atom has mass 1 − 2·(1/2) = 0
[(1, 1/2)]
>>> law.curve().degree                      # the two-hidden-layer closed form
2
"""

from __future__ import annotations

from ..laws.interface import LawMethods
from .._utils.numbers import to_mpf
from .._utils.public import public_methods
from .._utils.symbolic import sympify_safe

import numpy as np
import sympy

from ..errors import InvalidArgumentError, NotAlgebraicError, TooLargeError
from ._fisher_solver import _FimEngine
from ._fisher_spectrum import _FisherSpectrum
from ._layer_data import layer_data, to_float
from ._spectra import (
    _bernoulli_compression,
    _shift_scale_moments,
    product_atoms,
    series_product_moments,
)

__all__ = ["FisherLaw", "fim_law"]

@public_methods
class FisherLaw(_FisherSpectrum, LawMethods):
    r"""The law ``μ_L`` of the eigenvalues of the one-sample FIM/NTK ``Θ_L``
    (module docstring).  Build it with :meth:`freealg.MLP.fim_law`.

    Attributes
    ----------
    net : MLP
    q : list
        ``q_0, …, q_{L−1}`` (exact numbers; ``q_ℓ = ‖x_ℓ‖²/M``).
    nus : list of Law
        ``ν_1, …, ν_{L−1}``.
    sigma_w2 : sympy number
    layers : LayerData

    Parameters
    ----------
    net : MLP
        Square layers.
    q_in : real > 0, optional
        ``‖x_0‖²/M`` of the input; default: the input at the fixed point.
    dps : int, optional
        Digits (1..1000, default 30) for the moments of a smooth
        activation's ``ν``.

    Raises
    ------
    InvalidArgumentTypeError
        ``net`` is not an :class:`MLP`, or a non-integer ``dps``.
    InvalidArgumentError
        Rectangular layers; a fixed point ``q* = 0`` (``Θ_L = 0``) or
        ``q* = ∞`` (pass ``q_in``); a bad ``q_in``.
    TooLargeError
        ``dps > 1000``.

    Examples
    --------
    Two layers, relu, ``σ_w = 1``, ``q_0 = 1``: ``q_1 = 1/2``, and ``Θ_2`` has
    the atoms ``q_1 = 1/2`` and ``q_1 + σ_w² q_0 = 3/2``:

    >>> import freealg
    >>> from freealg.dnn import FisherLaw
    >>> law = FisherLaw(freealg.MLP(2, "relu", sigma_w=1), q_in=1)
    >>> law.q, law.atoms()
    ([1, 1/2], [(1/2, 1/2), (3/2, 1/2)])
    """

    def __init__(self, net, *, q_in=None, dps=30):
        from .._utils.validate import check_dps, check_instance
        from .mlp import MLP

        check_instance(net, "net", MLP, "an MLP, e.g. freealg.MLP(3, 'relu')")
        dps = check_dps(dps)
        if not net.is_square:
            raise InvalidArgumentError(
                f"{net!r} has rectangular layers (ratios {tuple(str(r) for r in net.ratios)}); the "
                "one-sample FIM recursion Θ_(l+1) = q_l I + W D Θ D Wᵀ with J_θ J_θᵀ = M Θ_L "
                "(docs/theory.md §6) is for equal widths. Use equal widths."
            )
        self.net = net
        self.dps = dps
        self.q_in = q_in
        L = net.depth
        self.layers = layer_data(net, q_in, dps=dps, need_finite=True)
        self.q = list(self.layers.post[:L])
        self.nus = list(self.layers.nus[: L - 1])
        self.sigma_w2 = self.layers.sigma_w2
        self.init = net.weight_family
        self._qf = [to_float(v) for v in self.q]
        self._moments = []
        self._atoms = None
        self._support = None
        self._residues = {}
        self._curve = None
        self._numeric = None
        self._scale_value = None
        self._engine_value = None

    def _engine(self):
        """The numeric engine (:class:`freealg.dnn._fisher_solver._FimEngine`), cached."""
        if self._engine_value is None:
            self._engine_value = _FimEngine(self)
        return self._engine_value

    @property
    def _scale(self):
        """Length scale of the support (from 24 moments)."""
        if self._scale_value is None:
            m = [float(v) for v in self._numeric_levels()[0][-1]]
            roots = [abs(m[k]) ** (1.0 / (k + 1)) for k in range(24) if m[k] > 0]
            ratios = [m[k + 1] / m[k] for k in range(23) if m[k] > 0]
            self._scale_value = float(max(roots + ratios))
        return self._scale_value

    def _numeric_levels(self):
        """24 moments of every level in mpmath (30 digits), for the numerics
        (start values of the continuation, scale): exact big rationals are
        not needed there and get slow with depth."""
        if self._numeric is None:
            self._numeric = self._levels_moments(24, numeric=True)
        return self._numeric

    def _moments_mp(self, n):
        """``m_1..m_n`` of ``μ_L`` by the same S-transform series in mpmath at 30
        digits (the reference of the density certificate: exact rationals
        derived from floats grow by about 17 digits a layer and a moment, and
        take minutes at depth 64).  The exact ones are used when cached."""
        if len(self._moments) >= n:
            return list(self._moments[:n])
        if len(getattr(self, "_mp_moments", [])) < n:
            self._mp_moments = self._levels_moments(n, numeric=True)[0][-1]
        return list(self._mp_moments[:n])

    def __repr__(self):
        return f"FisherLaw({self.net!r}" + (f", q_in={self.q_in!r}" if self.q_in is not None else "") + ")"

    # ------------------------------------------------------------ exact side
    def _factor_laws(self, k):
        """Laws multiplied at level ``k`` (besides ``μ_k``)."""
        from ..laws import MarchenkoPastur

        out = [self.nus[k - 1]]
        if self.init == "gaussian":
            out.append(MarchenkoPastur(1, self.sigma_w2))
        return out

    def _c(self):
        return self.sigma_w2 if self.init == "orthogonal" else sympy.Integer(1)

    def _levels_moments(self, n, numeric=False):
        """Moments of ``μ_1..μ_L`` and ``P_1..P_{L−1}`` (exact, or mpmath at 30
        digits when ``numeric``)."""
        from .._utils.mpctx import mpmath
        from ..laws import Bernoulli

        c = self._c()
        L = self.net.depth
        with mpmath.workdps(self.dps if not numeric else 30):
            if numeric:
                def cv(v):
                    return to_mpf(v, dps=30)
            else:
                def cv(v):
                    return v
            q = [cv(v) for v in self.q]
            c = cv(c)
            mu = [[q[0] ** k for k in range(1, n + 1)]]
            P = []
            for k in range(1, L):
                laws = self._factor_laws(k)
                if len(laws) == 1 and isinstance(laws[0], Bernoulli):
                    pk = _bernoulli_compression(mu[-1], cv(laws[0].p), n)
                else:
                    specs = [(mu[-1], 1, 1)] + [([cv(v) for v in f.moments(n)], 1, 1) for f in laws]
                    pk = series_product_moments(specs, n)
                P.append(pk)
                mu.append(_shift_scale_moments(pk, q[k], c, n))
        return mu, P

    def moments(self, n):
        r"""Exact moments ``m_1..m_n`` of ``μ_L`` (S-transform series through the
        recursion; mpmath at ``dps`` digits for smooth activations).

        Parameters
        ----------
        n : int, 1 <= n <= 2000
            Number of moments.

        Returns
        -------
        list
            ``[m_1, …, m_n]``: sympy numbers for exact data, floats for float
            data, mpmath numbers for a smooth activation.

        Raises
        ------
        InvalidArgumentTypeError
            A non-integer ``n``.
        InvalidArgumentError
            ``n < 1``.
        TooLargeError
            ``n > 2000``.

        Examples
        --------
        >>> import sympy, freealg
        >>> law = freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1)
        >>> law.q                                   # q_0 = 1, q_1 = E relu(h_1)^2 = 1/2
        [1, 1/2]
        >>> law.moments(2)                          # atoms 1/2 at q_1 and 1/2 at q_1 + q_0
        [1, 5/4]
        """
        from .._utils.validate import MAX_MOMENT_ORDER, check_int

        n = check_int(n, "n", minimum=0, maximum=MAX_MOMENT_ORDER,
                      hint="exact moment series are computed up to that order")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidArgumentError(f"n must be a positive integer; got {n!r}")
        n = int(n)
        if len(self._moments) < n:
            if self.layers.float_kind:  # float data: floats out (from 30-digit mpmath)
                mu, _ = self._levels_moments(n, numeric=True)
                self._moments = [to_float(v) for v in mu[-1]]
            else:
                mu, _ = self._levels_moments(n)
                self._moments = mu[-1]
        return list(self._moments[:n])

    def mean(self):
        r"""The mean ``m_1(μ_L) = tr Θ_L = Σ_ℓ q_ℓ Π_{k>ℓ} χ_k`` (exact);
        ``Σ_ℓ q_ℓ`` on the critical line.  The FIM ``J_θᵀJ_θ`` has trace
        ``M² m_1`` (``J_θJ_θᵀ = MΘ_L``).

        Returns
        -------
        number
            In the kind of :meth:`moments`.

        Examples
        --------
        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).mean()    # (1/2 + 3/2)/2
        1
        >>> freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law().mean()   # 3 q̂*, q̂* = 1
        3
        """
        return self.moments(1)[0]

    def mean_closed_form(self):
        r"""``Σ_{ℓ=0}^{L−1} q_ℓ Π_{k=ℓ+1}^{L−1} χ_k`` with ``χ_k = σ_w² E φ'(h_k)²``
        (from the first moments of the ``ν_k`` only).

        An independent check of :meth:`mean` (which comes from the moment
        series).

        Returns
        -------
        number
            Exact (sympy) for exact data.

        Examples
        --------
        Two relu layers, ``σ_w = 1``: ``q_1 + q_0 χ_1 = 1/2 + 1/2``:

        >>> import freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).mean_closed_form()
        1
        """
        tot = 0
        L = self.net.depth
        for ell in range(L):
            t = self.q[ell]
            for k in range(ell + 1, L):
                t = t * self.sigma_w2 * self.nus[k - 1].moments(1)[0]
            tot = tot + t
        return sympy.nsimplify(tot) if isinstance(tot, sympy.Basic) and tot.is_Rational else tot

    def variance(self):
        """``m_2 − m_1²``.

        Returns
        -------
        number
            In the kind of :meth:`moments`.

        Examples
        --------
        Atoms ``1/2`` and ``3/2`` of mass ``1/2``: variance ``1/4``:

        >>> import freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).variance()
        1/4
        """
        m1, m2 = self.moments(2)
        return m2 - m1**2

    def atoms(self):
        r"""Atoms ``(location, mass)`` of ``μ_L`` (exact), by Belinschi's rule for
        ⊠ through the recursion.

        Returns
        -------
        list of (location, mass)
            Sorted by location; sympy numbers, or floats for float data.

        Examples
        --------
        Critical relu with two hidden layers: mass 1/2 at ``q_2 = 1`` (the
        kernel of ``D_2``):

        >>> import sympy, freealg
        >>> freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law().atoms()
        [(1, 1/2)]
        """
        if self._atoms is None:
            c = self._c()
            cur = [(self.q[0], sympy.Integer(1))]
            for k in range(1, self.net.depth):
                prod = product_atoms([cur] + self._factor_laws(k))
                # an exact Rational location stays as it is (nsimplify would run
                # PSLQ on its digits: 0.1 s an atom, 22 s at depth 128)
                cur = [(self.q[k] + c * a, m) for a, m in prod]
            self._atoms = sorted(cur, key=lambda t: to_float(t[0]))
        if self.layers.float_kind:  # float data: floats out
            return [(to_float(a), to_float(m)) for a, m in self._atoms]
        return list(self._atoms)

    def top_atom(self):
        r"""The top atom predicted in closed form: ``(t_L, mass)`` with
        ``t_1 = q_0``, ``t_{ℓ+1} = q_ℓ + σ_w² v_ℓ t_ℓ`` and mass
        ``max(0, 1 − Σ_{ℓ<L} (1 − ν_ℓ({v_ℓ})))``, ``v_ℓ`` the largest atom of
        ``ν_ℓ`` (``v = 1``, ``ν({1}) = α`` for relu/hard-tanh).  ``None`` when it
        does not apply (Gaussian weights: ``MP`` has no atoms; a smooth
        ``ν``).  A mass of 0 means the atom is absent (``atoms()`` omits it).

        Returns
        -------
        tuple (location, mass) or None
            sympy numbers.

        Examples
        --------
        Two relu layers: ``t_2 = q_1 + σ_w² t_1 = 1/2 + 1``, mass
        ``1 − (1 − 1/2)``; with two hidden layers the mass ``1 − 2·(1/2)``
        is 0:

        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).top_atom()
        (3/2, 1/2)
        >>> freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law().top_atom()
        (7, 0)
        """
        from ..laws import ActivationDerivativeLaw

        if self.init != "orthogonal" or any(isinstance(v, ActivationDerivativeLaw) for v in self.nus):
            return None
        t = self.q[0]
        defect = sympy.Integer(0)
        for k in range(1, self.net.depth):
            at = [(sympify_safe(a), sympify_safe(m)) for a, m in self.nus[k - 1].atoms() if m != 0]
            v, mv = max(at, key=lambda am: to_float(am[0]))
            t = self.q[k] + self.sigma_w2 * v * t
            defect = defect + (1 - mv)
        mass = 1 - defect
        return (sympy.nsimplify(t) if t.is_Rational else t,
                mass if (mass > 0) is sympy.true or (mass.is_positive) else sympy.Integer(0))

    def curve(self, *, max_degree=16, exact=False):
        r"""The spectral curve of ``μ_L`` (:func:`freealg.fim_curve`); for
        ``L = 3`` this is the two-hidden-layer closed form
        (:func:`freealg.fim_two_layer_curve`), degree 2 in ``G`` for orthogonal
        weights.  The degree doubles with every further layer
        (``2^{L−2}`` orthogonal).

        ``exact=True`` is needed for float data (a float ``σ``, or hard-tanh
        ``ν``'s): the curve then uses the floats' exact binary values.

        Parameters
        ----------
        max_degree : int >= 1, optional
            Largest degree in ``G`` to build (default 16).
        exact : bool, optional
            Build the curve of float data from the floats' exact binary
            values (default ``False``: float data raise).

        Returns
        -------
        SpectralCurve
            ``P(z, G)``; for ``L <= 2`` the purely atomic law itself
            (:class:`freealg.PointMass` or :class:`freealg.Atomic`).

        Raises
        ------
        NotAlgebraicError
            For a smooth activation.
        InvalidArgumentError
            For float data without ``exact=True``.
        TooLargeError
            When the degree would exceed ``max_degree`` (use the numerics:
            :meth:`density`, :meth:`support`, :meth:`lambda_max`).
        InvalidArgumentTypeError
            A non-integer ``max_degree``.

        Examples
        --------
        >>> import sympy, freealg
        >>> freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law().curve().degree
        2
        """
        from ..laws import ActivationDerivativeLaw
        from .._utils.validate import check_int

        max_degree = check_int(max_degree, "max_degree", minimum=1)
        if any(isinstance(v, ActivationDerivativeLaw) for v in self.nus):
            raise NotAlgebraicError(
                f"the FIM law of {self.net!r} has no spectral curve: the law of D^2 of "
                f"{self.net.activation!r} is not algebraic. Use moments(), density(), lambda_max()."
            )
        L = self.net.depth
        deg = 2 ** max(L - 2, 0) * (1 if self.init == "orthogonal" else 2)
        if deg > max_degree:
            raise TooLargeError(
                f"the FIM curve of depth {L} has degree about {deg} in G (it doubles with every "
                f"layer), above max_degree={max_degree}; use density()/support()/lambda_max() "
                "(functional-equation solver), or raise max_degree"
            )
        if self.layers.float_kind and not exact:
            from ..laws._kinds import _float_param_error

            raise _float_param_error(self, "curve()", "curve(exact=True)")
        if self._curve is None:
            from .curves import fim_curve, fim_two_layer_curve
            from ..laws import Bernoulli

            if L == 3 and all(isinstance(v, Bernoulli) for v in self.nus):
                self._curve = fim_two_layer_curve(
                    alpha=[v._params["p"] for v in self.nus], sigma_w=sympy.sqrt(self.sigma_w2),
                    q=self.q, weights=self.init)
            else:
                self._curve = fim_curve([v._exact_twin() for v in self.nus], self.q,
                                        sigma_w=sympy.sqrt(self.sigma_w2), weights=self.init)
        return self._curve



def fim_law(net, *, q_in=None, dps=30):
    r"""The limit law of the eigenvalues of the one-sample FIM/NTK ``Θ_L``
    (:class:`FisherLaw`; module docstring).

    Parameters
    ----------
    net : freealg.MLP
        Square layers.
    q_in : real > 0, optional
        ``‖x_0‖²/M`` of the input; default: the input at the fixed point.
    dps : int
        Digits for the moments of a smooth activation's ``ν``.

    Returns
    -------
    FisherLaw

    Raises
    ------
    InvalidArgumentError
        Rectangular layers; a fixed point ``q* = 0`` (``Θ_L = 0``) or
        ``q* = ∞`` (pass ``q_in``).
    InvalidArgumentTypeError
        ``net`` is not an :class:`MLP`, or a non-integer ``dps``.
    TooLargeError
        ``dps > 1000``.

    Examples
    --------
    Critical relu, orthogonal weights, input at the fixed point
    (``q̂* = 1``): mean ``L q̂* = 3``:

    >>> import sympy, freealg
    >>> from freealg.dnn import fim_law
    >>> law = fim_law(freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)))
    >>> law.q, law.mean()
    ([1, 1, 1], 3)
    """
    return FisherLaw(net, q_in=q_in, dps=dps)
