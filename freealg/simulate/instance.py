"""A sampled finite-width network, :class:`NetworkInstance`: the forward pass,
the actual ``D_ℓ``, the input–output and parameter Jacobians and the one-sample
Fisher information / NTK matrix."""

from __future__ import annotations

import numpy as np

from .._utils.validate import check_finite_array, describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._checks import _check_bytes
from .network import ForwardPass, _net_attr


class NetworkInstance:
    r"""One finite-width random network: weights ``W_1..W_L``, biases
    ``b_1..b_L`` and the activation of an MLP specification.

    Built by :func:`sample_network` (or directly from given weights, e.g. for
    finite-difference checks).  All methods are exact linear algebra on the
    sampled matrices (no autograd); docs/theory.md §1 conventions:
    ``h_ℓ = W_ℓ x_{ℓ−1} + b_ℓ``, ``x_ℓ = φ(h_ℓ)``, output ``f = h_L``,
    ``D_ℓ = diag(φ'(h_ℓ))``.

    Parameters
    ----------
    net : freealg.MLP
        The specification (for the activation and the Jacobian convention).
    weights, biases : lists of ndarray
        ``W_ℓ`` of shape ``(M_ℓ, M_{ℓ−1})`` and ``b_ℓ`` of shape ``(M_ℓ,)``.

    Raises
    ------
    InvalidArgumentTypeError
        If a weight or bias is not a numeric array.
    InvalidArgumentError
        If an entry is not finite, the numbers of weights and biases differ
        or are zero, shapes do not chain (``W_ℓ`` must be ``(M_ℓ, M_{ℓ−1})``,
        ``b_ℓ`` ``(M_ℓ,)``), or ``net`` has no ``activation``.
    UnknownActivationError
        If ``net.activation`` is an unknown name.

    Attributes
    ----------
    net, weights, biases, widths (``(M_0, ..., M_L)``), depth, width
    (``= M_0``), activation.

    Examples
    --------
    A two-layer ReLU network small enough to check by hand:

    >>> import numpy as np, freealg
    >>> from freealg.simulate import NetworkInstance
    >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
    >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
    >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
    >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
    >>> inst.widths, inst.output(x)
    ((2, 2, 1), array([2.]))
    """

    def __init__(self, net, weights, biases):
        weights = [check_finite_array(w, f"weights[{i}]") for i, w in enumerate(weights)]
        biases = [check_finite_array(b, f"biases[{i}]") for i, b in enumerate(biases)]
        if len(weights) != len(biases) or not weights:
            raise InvalidArgumentError(
                f"need one bias per weight matrix and at least one layer; got "
                f"{len(weights)} weights and {len(biases)} biases"
            )
        if weights[0].ndim != 2:
            raise InvalidArgumentError(
                f"W_1 has shape {weights[0].shape}; a weight matrix is 2-d, (M_1, M_0)"
            )
        widths = [weights[0].shape[1]]
        for ell, (w, b) in enumerate(zip(weights, biases), start=1):
            if w.ndim != 2 or w.shape[1] != widths[-1]:
                raise InvalidArgumentError(
                    f"W_{ell} has shape {w.shape}; expected (M_{ell}, {widths[-1]})"
                )
            if b.shape != (w.shape[0],):
                raise InvalidArgumentError(
                    f"b_{ell} has shape {b.shape}; expected ({w.shape[0]},)"
                )
            widths.append(w.shape[0])
        self.net = net
        self.weights = weights
        self.biases = biases
        self.widths = tuple(int(v) for v in widths)
        self.depth = len(weights)
        self.width = self.widths[0]
        act = _net_attr(net, "activation")
        if isinstance(act, str):
            from ..activations import get_activation

            act = get_activation(act)
        self.activation = act

    def __repr__(self):
        return (
            f"NetworkInstance(depth={self.depth}, widths={self.widths}, "
            f"activation={getattr(self.activation, 'name', self.activation)!r})"
        )

    # -- helpers ---------------------------------------------------------------

    def _input(self, x, batch=False):
        x = check_finite_array(x, "x")
        ok = (x.ndim == 1 or (batch and x.ndim == 2)) and x.shape[0] == self.widths[0]
        if not ok:
            want = f"({self.widths[0]},)" + (f" or ({self.widths[0]}, B)" if batch else "")
            raise InvalidArgumentError(f"input x has shape {x.shape}; expected {want}")
        if not np.all(np.isfinite(x)):
            raise InvalidArgumentError("input x has non-finite entries")
        return x

    def _convention(self, convention):
        from ..dnn._conventions import check_convention

        if convention is None:
            convention = getattr(self.net, "jacobian_convention", "preactivation") or "preactivation"
        return check_convention(convention)

    # -- forward pass -----------------------------------------------------------

    def forward(self, x):
        r"""Forward pass: all ``h_ℓ`` and ``x_ℓ``.

        Parameters
        ----------
        x : ndarray of shape ``(M_0,)`` or ``(M_0, B)`` (a batch of columns)
            Finite float inputs.

        Returns
        -------
        ForwardPass
            ``.h = [h_1..h_L]``, ``.x = [x_0..x_L]``, ``.output = h_L``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` has the wrong shape or non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> fp = inst.forward(x)
        >>> fp.h[0], fp.x[1], fp.output
        (array([-1.,  2.]), array([0., 2.]), array([2.]))
        """
        x = self._input(x, batch=True)
        hs, xs = [], [x]
        phi = self.activation.phi
        for w, b in zip(self.weights, self.biases):
            h = w @ xs[-1] + (b if x.ndim == 1 else b[:, None])
            hs.append(h)
            xs.append(np.asarray(phi(h), dtype=float))
        return ForwardPass(hs, xs)

    def output(self, x):
        """The network output ``f(x) = h_L``.

        Parameters
        ----------
        x : array_like of shape ``(M_0,)`` or ``(M_0, B)``
            The input ``x_0`` (finite floats).

        Returns
        -------
        ndarray
            ``h_L``, shape ``(M_L,)`` (or ``(M_L, B)`` for a batch).

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.output(x)
        array([2.])
        """
        return self.forward(x).output

    def dphi(self, x):
        """The diagonals ``[φ'(h_1), ..., φ'(h_L)]`` along the forward pass of ``x``.

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0`` (finite floats).

        Returns
        -------
        list of ndarray
            ``φ'(h_ℓ)``, float64 vectors of length ``M_ℓ``, ``ℓ = 1..L``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.dphi(x)
        [array([0., 1.]), array([1.])]
        """
        fp = self.forward(self._input(x))
        return [np.asarray(self.activation.dphi(h), dtype=float) for h in fp.h]

    def D(self, x, *, as_matrix=True):
        r"""The actual ``D_ℓ = diag(φ'(h_ℓ))``, ``ℓ = 1..L``, along the forward
        pass of ``x`` (``D_L`` enters only the PSG Jacobian).

        Parameters
        ----------
        x : ndarray of shape ``(M_0,)``
            The input ``x_0``.
        as_matrix : bool
            Return dense diagonal matrices (default) or their diagonals.

        Returns
        -------
        list of ndarray
            ``L`` arrays: ``(M_ℓ, M_ℓ)`` matrices, or length-``M_ℓ`` vectors.

        Raises
        ------
        InvalidArgumentTypeError
            If ``as_matrix`` is not a bool or ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` has the wrong shape or non-finite entries.
        TooLargeError
            If the dense matrices would need more than ``MAX_BYTES``.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.D(x)[0]
        array([[0., 0.],
               [0., 1.]])
        """
        if not isinstance(as_matrix, (bool, np.bool_)):
            raise InvalidArgumentTypeError(f"as_matrix must be True or False; got {describe(as_matrix)}")
        if as_matrix:
            _check_bytes(8 * sum(m * m for m in self.widths[1:]), "D(x, as_matrix=True)")
        diags = self.dphi(x)
        return [np.diag(d) for d in diags] if as_matrix else diags

    def q(self, x):
        r"""``q_ℓ = ‖x_ℓ‖²/M_ℓ`` for ``ℓ = 0..L−1`` (docs/theory.md §6).

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0`` (finite floats).

        Returns
        -------
        list of float
            ``[q_0, ..., q_{L−1}]``.

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        ``q_0 = (1 + 4)/2``, ``q_1 = (0 + 4)/2``:

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.q(x)
        [2.5, 2.0]
        """
        fp = self.forward(self._input(x))
        return [float(v @ v) / v.shape[0] for v in fp.x[:-1]]

    # -- Jacobians --------------------------------------------------------------

    def input_jacobian(self, x, convention=None):
        r"""The input–output Jacobian at ``x``.

        ``convention="preactivation"``: ``J = ∂h_L/∂x_0 = W_L D_{L−1} ⋯ D_1 W_1``;
        ``"psg"`` (Pennington–Schoenholz–Ganguli): ``J = ∂x_L/∂x_0 =
        D_L W_L ⋯ D_1 W_1``.  Default: ``net.jacobian_convention`` (else
        ``"preactivation"``).

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0``.
        convention : {"preactivation", "psg"} or None, default None
            Which Jacobian (see above); None uses the specification's.

        Returns
        -------
        ndarray of shape ``(M_L, M_0)``

        Raises
        ------
        InvalidArgumentTypeError
            If ``convention`` is not a str or ``x`` is not numeric.
        InvalidArgumentError
            If ``convention`` is not ``"preactivation"``/``"psg"``, or ``x`` has the
            wrong shape or non-finite entries.

        Examples
        --------
        ``J = W_2 D_1 W_1 = (0, 1) W_1``:

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.input_jacobian(x)
        array([[2., 0.]])
        """
        convention = self._convention(convention)
        diags = self.dphi(x)
        j = self.weights[0]
        for ell in range(1, self.depth):
            j = self.weights[ell] @ (diags[ell - 1][:, None] * j)
        if convention == "psg":
            j = diags[-1][:, None] * j
        return j

    def _backward_factors(self, diags):
        """``B_ℓ = ∂h_L/∂h_ℓ = W_L D_{L−1} ⋯ W_{ℓ+1} D_ℓ`` for ``ℓ = 1..L``."""
        L = self.depth
        bs = [None] * L
        bs[L - 1] = np.eye(self.widths[L])
        for ell in range(L - 1, 0, -1):  # 1-based layer ell, index ell-1
            bs[ell - 1] = (bs[ell] @ self.weights[ell]) * diags[ell - 1][None, :]
        return bs

    def parameter_jacobian(self, x, *, biases=False):
        r"""The explicit Jacobian ``J_θ = ∂h_L/∂θ`` of the output with respect
        to the parameters (no autograd).

        With ``B_ℓ = ∂h_L/∂h_ℓ = W_L D_{L−1} W_{L−1} ⋯ W_{ℓ+1} D_ℓ`` (``B_L =
        I``): ``∂h_L/∂(W_ℓ)_ij = (B_ℓ)_{:,i} (x_{ℓ−1})_j`` and ``∂h_L/∂b_ℓ =
        B_ℓ``.  Columns are ordered ``vec(W_1), ..., vec(W_L)`` (row-major,
        entry ``(i, j)`` of ``W_ℓ`` at offset ``i·M_{ℓ−1} + j``), then
        ``b_1, ..., b_L`` if ``biases``; the same order as
        :meth:`flat_parameters`.  The parameters are the raw entries of
        ``W_ℓ`` (standard parametrisation, not the NTK one).

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0``.
        biases : bool, default False
            Also differentiate with respect to the biases (appended columns).

        Returns
        -------
        ndarray of shape ``(M_L, P)``
            ``P`` = number of weight entries (plus bias entries if ``biases``).

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.
        TooLargeError
            If the matrix would need more than ``MAX_BYTES``.

        Examples
        --------
        ``B_1 = W_2 D_1 = (0, 1)`` times ``x_0 = (1, 2)``, then ``x_1 = (0, 2)``:

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.parameter_jacobian(x)
        array([[0., 0., 1., 2., 0., 2.]])
        """
        x = self._input(x)
        n_par = sum(w.size for w in self.weights) + (sum(b.size for b in self.biases) if biases else 0)
        _check_bytes(2 * 8 * self.widths[-1] * n_par,
                     f"parameter_jacobian ({self.widths[-1]} x {n_par} matrix)")
        fp = self.forward(x)
        diags = [np.asarray(self.activation.dphi(h), dtype=float) for h in fp.h]
        bs = self._backward_factors(diags)
        blocks = []
        for ell in range(self.depth):
            blocks.append((bs[ell][:, :, None] * fp.x[ell][None, None, :]).reshape(bs[ell].shape[0], -1))
        if biases:
            blocks.extend(bs)
        return np.concatenate(blocks, axis=1)

    def fim_one_sample(self, x, *, biases=False):
        r"""The one-sample Fisher information / NTK matrix ``Θ_L``
        (docs/theory.md §6, Hayase–Karakida).

        ``Θ_1 = q_0 I``, ``Θ_{ℓ+1} = q_ℓ I + W_{ℓ+1} D_ℓ Θ_ℓ D_ℓ W_{ℓ+1}ᵀ``
        with ``q_ℓ = ‖x_ℓ‖²/M_ℓ``.  Unrolled,
        ``Θ_L = Σ_ℓ q_{ℓ−1} B_ℓ B_ℓᵀ``, while the parameter Jacobian of the
        weights (:meth:`parameter_jacobian`, ``biases=False``) gives
        ``J_θ J_θᵀ = Σ_ℓ ‖x_{ℓ−1}‖² B_ℓ B_ℓᵀ``.  Hence **``M Θ_L = J_θ J_θᵀ``
        exactly when ``θ`` are the weight entries only (standard
        parametrisation) and all widths ``M_0..M_{L−1}`` equal ``M``**.  The
        biases add ``Σ_ℓ B_ℓ B_ℓᵀ``, a relative ``O(1/M)`` correction; with
        ``biases=True`` this method uses ``q_ℓ + 1/M_ℓ`` instead of ``q_ℓ``, so
        that ``M Θ_L = J_θ J_θᵀ`` holds with the biases included.  The non-zero
        spectrum of the conditional FIM ``J_θᵀ J_θ`` is that of ``M Θ_L``.

        Parameters
        ----------
        x : array_like of shape ``(M_0,)``
            The input ``x_0``.
        biases : bool, default False
            Include the biases (``q_ℓ + 1/M_ℓ`` in the recursion).

        Returns
        -------
        ndarray of shape ``(M_L, M_L)``

        Raises
        ------
        InvalidArgumentTypeError
            If ``x`` is not numeric.
        InvalidArgumentError
            If ``x`` does not have shape ``(M_0,)`` or has non-finite entries.

        Examples
        --------
        ``Θ_2 = q_1 + q_0 (W_2 D_1)(W_2 D_1)ᵀ = 2 + 2.5``, and ``M Θ_2 = J_θ J_θᵀ
        = 9`` (``M = 2``):

        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.fim_one_sample(x)
        array([[4.5]])
        >>> J = inst.parameter_jacobian(x)
        >>> J @ J.T
        array([[9.]])
        """
        x = self._input(x)
        fp = self.forward(x)
        diags = [np.asarray(self.activation.dphi(h), dtype=float) for h in fp.h]
        qs = [float(v @ v) / v.shape[0] for v in fp.x[:-1]]
        if biases:
            qs = [q + 1.0 / v.shape[0] for q, v in zip(qs, fp.x[:-1])]
        theta = qs[0] * np.eye(self.widths[1])
        for ell in range(1, self.depth):
            w = self.weights[ell]
            d = diags[ell - 1]
            a = w * d[None, :]
            theta = qs[ell] * np.eye(w.shape[0]) + a @ theta @ a.T
        return theta

    # -- parameters as one vector (for finite differences) --------------------

    def flat_parameters(self, *, biases=False):
        """All weights (row-major, layer by layer), then the biases if
        ``biases``: the column order of :meth:`parameter_jacobian`.

        Parameters
        ----------
        biases : bool, default False
            Append the biases ``b_1, ..., b_L``.

        Returns
        -------
        ndarray of shape ``(P,)``
            A new float64 vector (a copy).

        Raises
        ------
        None
            Nothing is validated or raised: ``biases`` is only tested for
            truth.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> inst.flat_parameters()
        array([ 1., -1.,  2.,  0.,  1.,  1.])
        """
        parts = [w.ravel() for w in self.weights]
        if biases:
            parts.extend(self.biases)
        return np.concatenate(parts)

    def with_parameters(self, theta, *, biases=False):
        """A new instance with the parameters replaced by the flat vector
        ``theta`` (same layout as :meth:`flat_parameters`).

        Parameters
        ----------
        theta : array_like of shape ``(P,)``
            The new parameters, finite floats.
        biases : bool, default False
            Whether ``theta`` also holds the biases (else they are copied).

        Returns
        -------
        NetworkInstance
            A new instance with the same specification.

        Raises
        ------
        InvalidArgumentTypeError
            If ``theta`` is not numeric.
        InvalidArgumentError
            If ``theta`` has the wrong length or non-finite entries.

        Examples
        --------
        >>> import numpy as np, freealg
        >>> from freealg.simulate import NetworkInstance
        >>> net = freealg.MLP(depth=2, activation="relu", sigma_w=1.0, sigma_b=0.0)
        >>> W1, W2 = np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[1.0, 1.0]])
        >>> inst = NetworkInstance(net, [W1, W2], [np.zeros(2), np.zeros(1)])
        >>> x = np.array([1.0, 2.0])      # h_1 = (-1, 2), x_1 = (0, 2), h_2 = 2
        >>> new = inst.with_parameters(np.arange(6.0))
        >>> new.weights[1], new.output(x)      # h_1 = x_1 = (2, 8), 4*2 + 5*8
        (array([[4., 5.]]), array([48.]))
        """
        theta = check_finite_array(theta, "theta")
        n = sum(w.size for w in self.weights) + (sum(b.size for b in self.biases) if biases else 0)
        if theta.shape != (n,):
            raise InvalidArgumentError(f"theta must have shape ({n},); got {theta.shape}")
        weights, pos = [], 0
        for w in self.weights:
            weights.append(theta[pos:pos + w.size].reshape(w.shape))
            pos += w.size
        if biases:
            new_b = []
            for b in self.biases:
                new_b.append(theta[pos:pos + b.size].copy())
                pos += b.size
        else:
            new_b = [b.copy() for b in self.biases]
        return NetworkInstance(self.net, weights, new_b)

