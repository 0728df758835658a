r"""The backprop and spectral methods of :class:`freealg.dnn.MLP` (docs/theory.md §4–§6).

Thin delegates to :mod:`freealg.dnn.meanfield` (backprop norms, the law of
``D²``), :mod:`freealg.dnn.kaa` (the mean-field FIM), :mod:`freealg.dnn.jacobian`
and :mod:`freealg.dnn.fisher`; :class:`MLP` inherits them from this mixin.
"""

from __future__ import annotations

__all__ = []


class _SpectraMethods:
    """Mixin: backprop norms, the law of ``D²``, the mean-field FIM and the
    Jacobian / FIM laws of an MLP."""

    # -- backprop and the law of D² (freealg.dnn.meanfield, freealg.dnn.kaa) ------
    def backprop_norms(self, *, q_in=None, dps=None):
        """``[q̃^1, …, q̃^L]`` with ``q̃^L = 1`` (:func:`freealg.dnn.meanfield.backprop_norms`).

        Parameters
        ----------
        q_in : real >= 0, optional
            Follow the forward variances from this input ``‖x_0‖²/n_0``;
            default ``None``: every layer at ``q*`` (then ``q̃^ℓ = χ^{L−ℓ}``).
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        list of float or mpmath.mpf
            The ``L`` squared gradient norms, last one 1.

        Raises
        ------
        InvalidArgumentError
            ``q_in < 0``; ``q_in=None`` with ``q*`` infinite (pass ``q_in``);
            ``dps < 1``.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        ReLU, ``σ_w = 1``: ``χ = 1/2`` per layer:

        >>> import freealg
        >>> freealg.MLP(4, "relu", sigma_w=1.0).backprop_norms()
        [0.125, 0.25, 0.5, 1.0]
        """
        from . import meanfield
        return meanfield.backprop_norms(self, q_in=q_in, dps=dps)

    def fim_meanfield(self, T, *, M=None, q_in=1, q_in_st=0, dps=None):
        """Karakida–Akaho–Amari κ₁, κ₂, λ_max (:func:`freealg.dnn.kaa.fim_meanfield`).

        Parameters
        ----------
        T : int >= 1
            Number of training inputs.
        M : int >= 1, optional
            Width; ``lambda_max`` and ``lr_bound`` of the result need it.
        q_in : real >= 0, optional
            ``q̂^0 = ‖x‖²/n_0`` (default 1, inputs with ``N(0, 1)`` entries).
        q_in_st : real, optional
            ``q̂^0_st = x(s)·x(t)/n_0``, ``|q_in_st| <= q_in`` (default 0).
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        KAAResult
            κ₁, κ₂, ``λ_max/M``, ``λ_max`` and ``2/λ_max`` (the last two
            ``None`` without ``M``) and the order parameters per layer.

        Raises
        ------
        InvalidArgumentError
            ``depth = 1`` (κ divides by ``L − 1``), ``T < 1``, ``M < 1``,
            ``q_in < 0``, ``|q_in_st| > q_in`` or ``dps < 1``.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        Linear net, ``σ_w = 1``: ``κ₁ = L/(L − 1)``, ``κ₂ = 0``, ``λ_max = L M/T``:

        >>> import freealg
        >>> r = freealg.MLP(3, "linear", sigma_w=1.0).fim_meanfield(4, M=100)
        >>> r.kappa1, r.kappa2, r.lambda_max
        (1.5, 0.0, 75.0)
        """
        from . import kaa
        return kaa.fim_meanfield(self, T, M=M, q_in=q_in, q_in_st=q_in_st, dps=dps)

    def d2_moments(self, n, *, layer=None, q_in=None, dps=None):
        """Moments ``E[phi'(h_ℓ)^{2k}]``, ``k = 1..n``, of the law ``nu`` of ``D_ℓ²``.

        ``h_ℓ ~ N(0, q)`` with ``q = q*`` (default) or ``q = q^ℓ`` of the
        sequence from ``q_in`` (:func:`freealg.dnn.meanfield.d2_moments`).

        Parameters
        ----------
        n : int, 1 <= n <= 2000
            Number of moments.
        layer : int in 1..L, optional
            Layer ``ℓ``; needed with ``q_in``.
        q_in : real >= 0, optional
            Input ``‖x_0‖²/n_0`` of the finite-depth sequence; default: the
            fixed point ``q*``.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        list of float or mpmath.mpf
            ``[μ_1, …, μ_n]``.

        Raises
        ------
        InvalidArgumentError
            ``n < 1``, ``layer`` outside ``1..L``, ``q_in`` without ``layer``,
            ``q_in < 0`` or ``dps < 1``.
        TooLargeError
            ``n > 2000`` or ``dps > 1000``.
        InvalidArgumentTypeError
            A non-integer ``n``, ``layer`` or ``dps``.
        FloatRangeError
            The float engine would overflow; pass ``dps=30``.

        Examples
        --------
        ReLU: ``D²`` is Bernoulli(1/2), every moment is 1/2:

        >>> import freealg
        >>> freealg.MLP(3, "relu", sigma_w=1.0).d2_moments(3)
        [0.5, 0.5, 0.5]
        """
        from . import meanfield
        return meanfield.d2_moments(self, n, layer=layer, q_in=q_in, dps=dps)

    def d2_atoms(self, *, layer=None, q_in=None, symbolic=False):
        """Exact law of ``D_ℓ²`` (piecewise-linear activations): ``[(value, prob)]``.

        See :func:`freealg.dnn.meanfield.d2_atoms` (relu: Bernoulli(1/2);
        hard-tanh: Bernoulli(``erf(1/√(2q))``)).

        Parameters
        ----------
        layer : int in 1..L, optional
            Layer ``ℓ``; needed with ``q_in``.
        q_in : real >= 0, optional
            Input of the finite-depth sequence; default: ``q*``.
        symbolic : bool, optional
            ``True``: the law as sympy expressions in a positive symbol ``q``
            (``layer`` and ``q_in`` are then not used).

        Returns
        -------
        list of (value, probability)
            Floats at the chosen ``q``, or sympy expressions with
            ``symbolic=True``.

        Raises
        ------
        InvalidArgumentError
            A non-piecewise-linear activation (use :meth:`d2_moments`),
            ``layer`` outside ``1..L`` or ``q_in`` without ``layer``.
        InvalidArgumentTypeError
            A non-bool ``symbolic`` or a non-integer ``layer``.

        Examples
        --------
        >>> import freealg
        >>> freealg.MLP(3, "relu", sigma_w=1.0).d2_atoms()
        [(0.0, 0.5), (1.0, 0.5)]
        >>> freealg.MLP(3, "hardtanh").d2_atoms(symbolic=True)
        [(0, 1 - erf(sqrt(2)/(2*sqrt(q)))), (1, erf(sqrt(2)/(2*sqrt(q))))]
        """
        from . import meanfield
        return meanfield.d2_atoms(self, layer=layer, q_in=q_in, symbolic=symbolic)

    # -- spectra (freealg.dnn.jacobian, freealg.dnn.fisher) ------------------------
    def jacobian_law(self, *, q_in=None, convention=None, dps=30):
        """Law of ``J Jᵀ`` (:func:`freealg.dnn.jacobian.jacobian_law`).

        Parameters
        ----------
        q_in : real >= 0, optional
            ``‖x_0‖²/n_0`` of the input: the laws ``ν_ℓ`` of ``D_ℓ²`` follow
            the finite-depth sequence ``q^ℓ``; default every layer at ``q*``.
        convention : {'preactivation', 'psg'}, optional
            Which ``D`` factors ``J`` contains; default
            :attr:`jacobian_convention`.
        dps : int, optional
            Digits (1..1000, default 30) for the moments of a smooth
            activation's ``ν``.

        Returns
        -------
        JacobianLaw

        Raises
        ------
        InvalidArgumentError
            An unknown convention, rectangular layers with orthogonal init,
            a divergent ``q*`` of an unbounded activation (pass ``q_in``), or
            a bad ``q_in``.
        TooLargeError
            ``dps > 1000``.

        Examples
        --------
        Critical relu, orthogonal weights, preactivation convention: mean ``σ_w² χ² = 2``:

        >>> import sympy, freealg
        >>> law = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).jacobian_law()
        >>> law.moments(2)
        [2, 12]
        """
        from . import jacobian
        return jacobian.jacobian_law(self, q_in=q_in, convention=convention, dps=dps)

    def fim_law(self, *, q_in=None, dps=30):
        """One-sample FIM spectrum ``μ_L`` (:func:`freealg.dnn.fisher.fim_law`).

        Parameters
        ----------
        q_in : real > 0, optional
            ``‖x_0‖²/M`` of the input; default: the input at the fixed point.
        dps : int, optional
            Digits (1..1000, default 30) for the moments of a smooth
            activation's ``ν``.

        Returns
        -------
        FisherLaw
            The law of the eigenvalues of ``Θ_L`` (the FIM's non-zero
            eigenvalues are ``M`` times these).

        Raises
        ------
        InvalidArgumentError
            Rectangular layers; a fixed point ``q* = 0`` (``Θ_L = 0``) or
            ``q* = ∞`` (pass ``q_in``); a bad ``q_in``.
        TooLargeError
            ``dps > 1000``.

        Examples
        --------
        Critical relu, orthogonal weights: mean ``L q̂* = 3``:

        >>> import sympy, freealg
        >>> freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law().mean()
        3
        """
        from . import fisher
        return fisher.fim_law(self, q_in=q_in, dps=dps)
