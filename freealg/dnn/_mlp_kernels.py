r"""The kernel methods of :class:`freealg.dnn.MLP` (docs/theory.md §7).

Thin delegates to :mod:`freealg.dnn.kernels` (NNGP / NTK kernels, GP
posterior, NTK gradient flow, conjugate-kernel moments), :mod:`freealg.dnn.ck_law`
and :mod:`freealg.dnn.ntk_law`; :class:`MLP` inherits them from this mixin.
"""

from __future__ import annotations

__all__ = []


class _KernelMethods:
    """Mixin: NNGP / NTK kernels, GP posterior, NTK prediction and the
    conjugate-kernel and NTK laws of an MLP."""

    # -- kernels (freealg.dnn.kernels) ------------------------------------------
    def nngp_kernel(self, X, X2=None, *, progress=None):
        """NNGP kernel of the output (:func:`freealg.dnn.kernels.nngp_kernel`).

        ``Σ^1 = σ_w² x·x'/n_0 + σ_b²``, ``Σ^{ℓ+1} = σ_w² E[phi(u) phi(u')] + σ_b²``.

        Parameters
        ----------
        X : array_like, shape (n, n_0)
            Inputs as rows (a 1-D array is one input).
        X2 : array_like, shape (m, n_0), optional
            Second set of inputs; default ``X`` (the result is then symmetric).
        progress : None, bool or callable, optional
            A tqdm bar over layers x blocks of input pairs: ``None``
            (default) in a terminal when the work lasts more than 2 s,
            ``True`` always, ``False`` never, or ``progress(done, total)``.

        Returns
        -------
        numpy.ndarray, shape (n, m)
            ``Σ^L(x_i, x2_j)`` in float64.

        Raises
        ------
        InvalidArgumentTypeError
            Inputs that are not numeric arrays (e.g. a string), or
            ``progress`` not None, a bool or a callable.
        InvalidArgumentError
            Non-finite entries, an empty or non-2-D array, a number of
            columns different from ``n_0`` (when the net has widths) or
            between ``X`` and ``X2``.
        TooLargeError
            More than 20000 rows.
        FloatRangeError
            A layer's kernel overflows float64 (e.g. a large ``σ_w`` in the
            chaotic phase at depth).

        Examples
        --------
        Linear net, ``σ_w = 1``, ``σ_b = 0``: ``Σ^L = x·x'/n_0``:

        >>> import freealg, numpy as np
        >>> freealg.MLP(3, "linear", sigma_w=1.0).nngp_kernel(np.array([[1.0, 2.0], [1.0, 0.0]]))
        array([[2.5, 0.5],
               [0.5, 0.5]])
        """
        from . import kernels
        return kernels.nngp_kernel(self, X, X2, progress=progress)

    def ntk_kernel(self, X, X2=None, *, progress=None):
        """NTK of the output (:func:`freealg.dnn.kernels.ntk_kernel`).

        NTK parameterisation: ``Θ^1 = Σ^1``,
        ``Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² Θ^ℓ E[phi'(u) phi'(u')]``.

        Parameters
        ----------
        X : array_like, shape (n, n_0)
            Inputs as rows (a 1-D array is one input).
        X2 : array_like, shape (m, n_0), optional
            Second set of inputs; default ``X``.
        progress : None, bool or callable, optional
            As in :meth:`nngp_kernel`.

        Returns
        -------
        numpy.ndarray, shape (n, m)
            ``Θ^L(x_i, x2_j)`` in float64.

        Raises
        ------
        InvalidArgumentTypeError
            Inputs that are not numeric arrays (e.g. a string), or
            ``progress`` not None, a bool or a callable.
        InvalidArgumentError
            Non-finite entries, an empty or non-2-D array, a number of
            columns different from ``n_0`` (when the net has widths) or
            between ``X`` and ``X2``.
        TooLargeError
            More than 20000 rows.
        FloatRangeError
            A layer's kernel overflows float64 (e.g. a large ``σ_w`` in the
            chaotic phase at depth).

        Examples
        --------
        Linear net, ``σ_b = 0``: ``Θ^L = L σ_w^{2L} x·x'/n_0`` (here ``3 · 2.5``):

        >>> import freealg, numpy as np
        >>> freealg.MLP(3, "linear", sigma_w=1.0).ntk_kernel(np.array([[1.0, 2.0]]))
        array([[7.5]])
        """
        from . import kernels
        return kernels.ntk_kernel(self, X, X2, progress=progress)

    def nngp_posterior(self, X, Y, Xstar, *, noise=0.0, full_cov=False):
        """GP posterior mean and variance (:func:`freealg.dnn.kernels.nngp_posterior`).

        ``mean = k* K⁻¹ Y`` and ``var = Σ^L(x*, x*) − k* K⁻¹ k*ᵀ`` with
        ``K = Σ^L(X, X) + noise·I`` and ``k* = Σ^L(X*, X)``.

        Parameters
        ----------
        X : array_like, shape (n, n_0)
            Training inputs (rows).
        Y : array_like, shape (n,) or (n, k)
            Training targets.
        Xstar : array_like, shape (m, n_0)
            Test inputs.
        noise : real >= 0, optional
            Observation-noise variance added to the diagonal (default 0).
        full_cov : bool, optional
            Return the ``m × m`` posterior covariance instead of its diagonal.

        Returns
        -------
        mean : numpy.ndarray, shape (m,) or (m, k)
        var : numpy.ndarray, shape (m,) or (m, m)
            Up to rounding (``~1e-15`` negative values at training inputs
            when ``noise = 0``).

        Raises
        ------
        InvalidArgumentTypeError
            Non-numeric arrays or ``noise``, or a non-bool ``full_cov``.
        InvalidArgumentError
            ``noise < 0`` or not finite, non-finite or mis-shaped arrays, or
            ``K`` not positive definite (duplicate inputs with ``noise = 0``:
            use ``noise > 0``).
        TooLargeError
            More than 20000 rows in ``X`` or ``Xstar``.
        FloatRangeError
            A kernel overflows float64.

        Examples
        --------
        With ``noise = 0`` the posterior interpolates the training data:

        >>> import freealg, numpy as np
        >>> net = freealg.MLP(2, "erf", sigma_w=1.5, sigma_b=0.1)
        >>> X = np.array([[1.0, 0.0], [0.6, 0.8]])
        >>> mean, var = net.nngp_posterior(X, np.array([1.0, -1.0]), X[:1])
        >>> np.round(mean, 10), bool(abs(var[0]) < 1e-12)
        (array([1.]), True)
        """
        from . import kernels
        return kernels.nngp_posterior(self, X, Y, Xstar, noise=noise, full_cov=full_cov)

    def ntk_predict(self, X, Y, t, *, Xstar=None, eta=1.0, f0=None, f0_star=None):
        """NTK gradient-flow predictions (:func:`freealg.dnn.kernels.ntk_predict`).

        Squared loss, learning rate ``η``:
        ``f_t(X) = f_0(X) + (I − e^{−ηΘt})(Y − f_0(X))`` with ``Θ = Θ^L(X, X)``.

        Parameters
        ----------
        X : array_like, shape (n, n_0)
            Training inputs (rows).
        Y : array_like, shape (n,) or (n, k)
            Training targets.
        t : real >= 0, ``inf``, or 1-D array of such times
            ``inf`` gives NTK kernel (ridgeless) regression.
        Xstar : array_like, shape (m, n_0), optional
            Test inputs.
        eta : real > 0, optional
            Learning rate (default 1).
        f0, f0_star : array_like, optional
            Initial outputs on ``X`` and ``Xstar`` (default 0, the mean over
            initialisations); ``f0_star`` is required when ``f0`` and
            ``Xstar`` are given.

        Returns
        -------
        NTKPrediction
            ``(train, test)``; an array ``t`` adds a leading time axis;
            ``test`` is ``None`` without ``Xstar``.

        Raises
        ------
        InvalidArgumentTypeError
            Non-numeric arrays, times or ``eta``.
        InvalidArgumentError
            ``eta <= 0``, negative or non-finite times other than ``inf``,
            mis-shaped arrays, ``f0`` without ``f0_star``, or ``t = inf``
            with a singular NTK and test inputs.
        TooLargeError
            More than 100000 times (or 4 GiB of predictions), or more than
            20000 inputs.
        FloatRangeError
            A kernel or the prediction overflows float64.

        Examples
        --------
        At ``t = 0`` nothing has moved; at ``t = inf`` the training data are fitted:

        >>> import freealg, numpy as np
        >>> net = freealg.MLP(3, "relu", sigma_w=1.4, sigma_b=0.1)
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> p = net.ntk_predict(X, np.array([1.0, 0.0, -1.0]), [0.0, np.inf])
        >>> np.round(p.train, 10) + 0.0
        array([[ 0.,  0.,  0.],
               [ 1.,  0., -1.]])
        """
        from . import kernels
        return kernels.ntk_predict(self, X, Y, t, Xstar=Xstar, eta=eta, f0=f0, f0_star=f0_star)

    def conjugate_kernel_moments(self, n, *, gammas=None, n_samples=None, mu0=None, q_in=1, dps=None,
                                 centre=False):
        """Moments of the conjugate-kernel spectra (Fan–Wang), see
        :func:`freealg.dnn.kernels.mlp_conjugate_kernel_moments`.

        The layer-``ℓ`` conjugate kernel is ``(1/n_ℓ) Φ_ℓᵀ Φ_ℓ`` (``N × N``)
        for hidden layers ``ℓ = 1..L−1`` (Gaussian weights, ``σ_b = 0``).

        Parameters
        ----------
        n : int, 1 <= n <= 2000
            Number of moments.
        gammas : positive real or sequence of L − 1 positive reals, optional
            ``γ_ℓ = N / n_ℓ`` (samples over width) per hidden layer; a scalar
            is used for every layer.
        n_samples : int >= 1, optional
            ``N``: with the net's ``widths`` gives ``γ_ℓ = N/n_ℓ`` (when
            ``gammas`` is not given).
        mu0 : sequence of reals, optional
            Moments ``m_1..m_n`` of the normalised input Gram spectrum
            (default ``δ_1``: orthonormal inputs).
        q_in : real > 0, optional
            ``‖x‖²/n_0`` of every input (default 1).
        dps : int or None, optional
            Precision of ``b_ℓ`` and ``q̂^ℓ``: ``None`` floats, an int mpmath digits.
        centre : bool, optional
            ``True``: the network with the activation centred at every layer,
            ``phi(h) − E phi(h_ℓ)`` (any activation, e.g. relu); default
            ``False``: the activation must be centred.

        Returns
        -------
        list of L − 1 lists
            ``[m_1, …, m_n]`` of each hidden layer's conjugate kernel.

        Raises
        ------
        InvalidArgumentError
            ``depth = 1`` (no hidden layer), ``σ_b != 0``, ``q_in <= 0``, an
            activation that is not centred with ``centre=False``, vanishing
            features, neither ``gammas`` nor ``n_samples`` with widths, or
            ``gammas`` of the wrong length or not positive.
        InvalidArgumentTypeError
            A non-bool ``centre`` or non-numeric parameters.
        FloatRangeError
            A forward variance overflows float64.
        TooLargeError
            ``n > 2000`` or ``dps > 1000``.

        Examples
        --------
        Linear net, ``σ_w = 1``, ``γ = 1``: Fuss–Catalan moments:

        >>> import freealg
        >>> freealg.MLP(3, "linear", init="gaussian").conjugate_kernel_moments(3, gammas=1)
        [[1.0, 2.0, 5.0], [1.0, 3.0, 12.0]]
        """
        from . import kernels
        return kernels.mlp_conjugate_kernel_moments(self, n, gammas=gammas, n_samples=n_samples,
                                                    mu0=mu0, q_in=q_in, dps=dps, centre=centre)

    def conjugate_kernel_law(self, gammas=None, n_samples=None, mu0=None, q_in=1, *, centre=False):
        """Limit spectrum of the last hidden layer's conjugate kernel (Fan–Wang
        law), see :func:`freealg.dnn.ck_law.mlp_conjugate_kernel_law`.

        Parameters
        ----------
        gammas : positive real or sequence of L − 1 positive reals, optional
            ``γ_ℓ = N / n_ℓ`` (samples over width) per hidden layer; a scalar
            is used for every layer.
        n_samples : int >= 1, optional
            ``N``: with the net's ``widths`` gives ``γ_ℓ = N/n_ℓ`` (when
            ``gammas`` is not given).
        mu0 : law, optional
            Spectrum of the normalised input Gram matrix: an object with
            ``moments(n)``, ``cauchy(z)`` and ``atoms()`` (default ``δ_1``).
        q_in : real > 0, optional
            ``‖x‖²/n_0`` of every input (default 1).
        centre : bool, optional
            ``True``: the network with centred activations (any activation);
            default ``False``: the activation must be centred.

        Returns
        -------
        ConjugateKernelLaw
            Scaled by ``q̂^{L−1}``.

        Raises
        ------
        InvalidArgumentError
            ``depth = 1`` (no hidden layer), ``σ_b != 0``, ``q_in <= 0``, an
            activation that is not centred with ``centre=False``, vanishing
            features, neither ``gammas`` nor ``n_samples`` with widths, or
            ``gammas`` of the wrong length or not positive; a ``mu0`` whose
            mean is not positive.
        InvalidArgumentTypeError
            A non-bool ``centre``, non-numeric parameters, or a ``mu0`` that
            is a sequence or lacks ``moments``, ``cauchy`` or ``atoms``.
        FloatRangeError
            A forward variance overflows float64.

        Examples
        --------
        Linear net, ``σ_w = 1``, ``γ = 1``: the second layer is ``MP^{⊠2}``:

        >>> import freealg
        >>> law = freealg.MLP(3, "linear", init="gaussian").conjugate_kernel_law(gammas=1)
        >>> law.moments(3)
        [1.0, 3.0, 12.0]
        """
        from . import ck_law
        return ck_law.mlp_conjugate_kernel_law(self, gammas=gammas, n_samples=n_samples, mu0=mu0,
                                               q_in=q_in, centre=centre)

    def ntk_law(self, gammas=None, n_samples=None, q_in=1, *, centre=False):
        """Limit spectrum of the multi-sample NTK (Fan–Wang), see
        :func:`freealg.dnn.ntk_law.mlp_ntk_law`.

        NTK parametrisation, Gaussian weights, ``σ_b = 0``, scalar output, on
        ``N`` orthonormal inputs of equal norm ``‖x‖²/n_0 = q_in``.

        Parameters
        ----------
        gammas : positive real or sequence of L − 1 positive reals, optional
            ``γ_ℓ = N / n_ℓ`` (samples over width) per hidden layer; a scalar
            is used for every layer.
        n_samples : int >= 1, optional
            ``N``: with the net's ``widths`` gives ``γ_ℓ = N/n_ℓ`` (when
            ``gammas`` is not given).
        q_in : real > 0, optional
            ``‖x‖²/n_0`` of every input (default 1).
        centre : bool, optional
            ``True``: the network with centred activations ``φ − E φ(h_ℓ)``
            (any activation, relu included); default ``False``: the
            activation must be centred (tanh, erf, linear).

        Returns
        -------
        NTKLaw
            Exact moments, support, the atom, and a certified density.

        Raises
        ------
        InvalidArgumentError
            Biases, an uncentred activation without ``centre=True``, a depth-1
            net, bad ``gammas``, a non-Gaussian init.
        TooLargeError
            More than 200 hidden layers (checked first).

        Examples
        --------
        The mean eigenvalue is the diagonal of the infinite-width NTK:

        >>> import freealg, numpy as np
        >>> net = freealg.MLP(3, "tanh", init="gaussian", sigma_w=1.5)
        >>> law = net.ntk_law(gammas=0.5)
        >>> X = np.eye(4) * 2.0                      # ‖x‖²/n_0 = 1
        >>> round(float(law.mean()), 10) == round(float(net.ntk_kernel(X)[0, 0]), 10)
        True
        """
        from . import ntk_law
        return ntk_law.mlp_ntk_law(self, gammas=gammas, n_samples=n_samples, q_in=q_in, centre=centre)
