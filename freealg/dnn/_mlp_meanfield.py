r"""The mean-field methods of :class:`freealg.dnn.MLP` (docs/theory.md §4).

Thin delegates to :mod:`freealg.dnn.meanfield` (q-map, ``q*``, ``χ``, phase,
c-map, depth scales); :class:`MLP` inherits them from this mixin.
"""

from __future__ import annotations

__all__ = []


class _MeanFieldMethods:
    """Mixin: the q-map, ``q*``, ``χ``, phase, c-map and depth scales of an MLP."""

    # -- mean field (freealg.dnn.meanfield) ---------------------------------------
    def q_map(self, q, *, dps=None):
        """``σ_w² E[phi(√q z)²] + σ_b²`` (see :func:`freealg.dnn.meanfield.q_map`).

        Parameters
        ----------
        q : real >= 0
            Pre-activation variance of the previous layer.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        float or mpmath.mpf
            The next layer's pre-activation variance.

        Raises
        ------
        InvalidArgumentError
            ``q < 0`` or not finite, ``dps < 1``.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        ReLU: ``σ_w² q / 2 + σ_b²``:

        >>> import freealg
        >>> freealg.MLP(3, "relu", sigma_w=1.0, sigma_b=0.5).q_map(2.0)
        1.25
        """
        from . import meanfield
        return meanfield.q_map(self, q, dps=dps)

    def q_sequence(self, q_in, *, dps=None):
        """``[q^1, …, q^L]`` from the input ``q_in = ‖x‖²/n_0``.

        ``q^1 = σ_w² q_in + σ_b²`` and ``q^ℓ = q_map(q^{ℓ−1})``
        (:func:`freealg.dnn.meanfield.q_sequence`).

        Parameters
        ----------
        q_in : real >= 0
            ``‖x_0‖²/n_0`` of the input.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        list of float or mpmath.mpf
            The ``L`` pre-activation variances.

        Raises
        ------
        InvalidArgumentError
            ``q_in < 0`` or not finite, ``dps < 1``.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        ReLU with ``σ_w = 1``, ``σ_b = 0`` halves the variance per layer:

        >>> import freealg
        >>> freealg.MLP(3, "relu", sigma_w=1.0).q_sequence(1.0)
        [1.0, 0.5, 0.25]
        """
        from . import meanfield
        return meanfield.q_sequence(self, q_in, dps=dps)

    def qhat_sequence(self, q_in, *, dps=None):
        """``[q̂^0, …, q̂^L]``, ``q̂^ℓ = ‖x_ℓ‖²/n_ℓ`` (post-activation).

        ``q̂^0 = q_in`` and ``q̂^ℓ = E[phi(√q^ℓ z)²]``
        (:func:`freealg.dnn.meanfield.qhat_sequence`).

        Parameters
        ----------
        q_in : real >= 0
            ``‖x_0‖²/n_0`` of the input.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        list of float or mpmath.mpf
            The ``L + 1`` post-activation second moments.

        Raises
        ------
        InvalidArgumentError
            ``q_in < 0`` or not finite, ``dps < 1``.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        >>> import freealg
        >>> freealg.MLP(3, "relu", sigma_w=1.0).qhat_sequence(1.0)   # q̂^ℓ = q^ℓ/2 for relu
        [1.0, 0.5, 0.25, 0.125]
        """
        from . import meanfield
        return meanfield.qhat_sequence(self, q_in, dps=dps)
    def q_star(self, *, q_in=1, dps=None):
        """Fixed point ``q*`` of the q-map (:func:`freealg.dnn.meanfield.q_star`).

        The special cases (``q* = inf`` for a variance growing without
        bound, ``q* = 0``, every ``q`` fixed at criticality for relu-like
        activations) are those of :func:`freealg.dnn.meanfield.q_star`.
        Cached per ``(q_in, dps)``.

        Parameters
        ----------
        q_in : real >= 0, optional
            Input ``‖x_0‖²/n_0`` the iteration starts from (default 1); it
            matters only when the q-map has several attractors.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        float or mpmath.mpf
            ``q*``; ``inf`` when the variance grows without bound.

        Raises
        ------
        InvalidArgumentError
            ``q_in < 0`` or not finite, ``dps < 1``.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        ReLU, ``σ_w = σ_b = 1``: ``q* = σ_b²/(1 − σ_w²/2) = 2``:

        >>> import freealg
        >>> freealg.MLP(3, "relu", sigma_w=1.0, sigma_b=1.0).q_star()
        2.0
        """
        from . import meanfield
        return meanfield.q_star(self, q_in=q_in, dps=dps)

    def chi(self, *, q=None, dps=None):
        """``χ = σ_w² E[phi'(√q* z)²]`` (:func:`freealg.dnn.meanfield.chi`).

        Parameters
        ----------
        q : real >= 0, optional
            Variance at which ``χ`` is evaluated; default ``q*``.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        float or mpmath.mpf
            ``χ`` (< 1 ordered, 1 critical, > 1 chaotic).

        Raises
        ------
        InvalidArgumentError
            ``q < 0`` or not finite, ``dps < 1``.
        ConvergenceError
            ``q = None`` and ``q*`` is infinite for an activation that is not
            positively homogeneous (``χ`` at the fixed point is undefined).
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        ReLU: ``χ = σ_w²/2`` at any ``q``:

        >>> import freealg
        >>> net = freealg.MLP(3, "relu", sigma_w=1.0)
        >>> net.chi(), net.chi(q=5.0)
        (0.5, 0.5)
        """
        from . import meanfield
        return meanfield.chi(self, q=q, dps=dps)

    def phase(self, *, tol=1e-9):
        """``'ordered'`` (χ < 1), ``'critical'`` (``|χ − 1| <= tol``) or ``'chaotic'``.

        Parameters
        ----------
        tol : real >= 0, optional
            Tolerance on ``|χ − 1|`` (float ``χ``) read as critical; default ``1e-9``.

        Returns
        -------
        str
            ``'ordered'``, ``'critical'`` or ``'chaotic'``.

        Raises
        ------
        InvalidArgumentTypeError
            A non-numeric ``tol``.
        InvalidArgumentError
            ``tol < 0`` or not finite.
        ConvergenceError
            ``q*`` is infinite for an activation that is not positively
            homogeneous (``χ`` is undefined).
        FloatRangeError
            The float engine would overflow.

        Examples
        --------
        >>> import freealg
        >>> freealg.MLP(2, "relu", sigma_w=1.0).phase()
        'ordered'
        >>> freealg.MLP(2, "relu", sigma_w=2 ** 0.5).phase()     # χ = σ_w²/2 = 1
        'critical'
        """
        from . import meanfield
        return meanfield.phase(self, tol=tol)

    def c_map(self, c, *, q=None, dps=None):
        """The correlation map at ``q`` (default ``q*``).

        ``c ↦ (σ_w² E[phi(u_1) phi(u_2)] + σ_b²)/q_map(q)`` for a centred
        Gaussian pair of variances ``q`` and correlation ``c``
        (:func:`freealg.dnn.meanfield.c_map`).

        Parameters
        ----------
        c : real in [-1, 1]
            Input correlation.
        q : real >= 0, optional
            Variance of both inputs; default ``q*``.
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        float or mpmath.mpf
            The output correlation.

        Raises
        ------
        InvalidArgumentError
            ``c`` outside ``[-1, 1]``, ``q < 0``, ``q*`` infinite (pass
            ``q``), or ``q_map(q) = 0`` (``q = 0`` with ``σ_b = 0``).
        ConvergenceError
            ``q = None`` and ``q*`` is infinite for an activation that is not
            positively homogeneous.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        Critical ReLU maps ``c = 1`` to 1 and ``c = 0`` to ``1/π``:

        >>> import freealg
        >>> net = freealg.MLP(3, "relu", sigma_w=2 ** 0.5)
        >>> net.c_map(1.0, q=1.0), round(net.c_map(0.0, q=1.0), 15)
        (1.0, 0.318309886183791)
        """
        from . import meanfield
        return meanfield.c_map(self, c, q=q, dps=dps)

    def c_star(self, *, dps=None):
        """Stable fixed point ``c*`` of the c-map.

        ``c* = 1`` for ``χ <= 1``; in the chaotic phase the largest root of
        ``c_map(c) = c`` in ``[0, 1)`` (:func:`freealg.dnn.meanfield.c_star`).
        Cached per ``dps``.

        Parameters
        ----------
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        float or mpmath.mpf

        Raises
        ------
        InvalidArgumentError
            ``q*`` is infinite (no c-map fixed point), or ``dps < 1``.
        ConvergenceError
            ``q*`` is infinite for an activation that is not positively
            homogeneous (raised by :meth:`chi`).
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        >>> import freealg
        >>> freealg.MLP(3, "tanh", sigma_w=0.8, sigma_b=0.1).c_star()     # ordered
        1.0
        >>> freealg.MLP(3, "erf", sigma_w=2.0).c_star()     # chaotic, odd phi, σ_b = 0
        0.0
        """
        from . import meanfield
        return meanfield.c_star(self, dps=dps)

    def depth_scales(self, *, dps=None):
        """``(ξ_q, ξ_c)`` of Schoenholz et al. (:func:`freealg.dnn.meanfield.depth_scales`).

        Parameters
        ----------
        dps : int or None, optional
            ``None`` (default): float engine, the result is a ``float``; an
            integer ``1..1000``: mpmath at that many digits, the result is an
            ``mpmath.mpf``.

        Returns
        -------
        DepthScales
            Named tuple ``(xi_q, xi_c, chi_q, chi_c)``: the slopes of the
            q-map at ``q*`` and of the c-map at ``c*``, and
            ``ξ = −1/ln(slope)`` (``inf`` for a slope ``>= 1``).

        Raises
        ------
        InvalidArgumentError
            ``dps < 1``.
        ConvergenceError
            ``q*`` is infinite for an activation that is not positively
            homogeneous.
        InvalidArgumentTypeError
            A non-numeric argument or a non-integer ``dps``.
        TooLargeError
            ``dps > 1000``.
        FloatRangeError
            The float engine (``dps=None``) would overflow (e.g. ``σ_w = 1e300``,
            or a variance beyond ``1e308``); pass ``dps=30``.

        Examples
        --------
        ReLU with ``σ_b > 0``: both slopes are ``χ = σ_w²/2``:

        >>> import freealg
        >>> ds = freealg.MLP(3, "relu", sigma_w=1.0, sigma_b=0.3).depth_scales()
        >>> ds.chi_q, ds.chi_c, round(ds.xi_q, 12)       # ξ = 1/ln 2
        (0.5, 0.5, 1.442695040889)
        """
        from . import meanfield
        return meanfield.depth_scales(self, dps=dps)
