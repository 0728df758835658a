r"""Dynamical isometry of a Jacobian law: :class:`IsometrySummary` and the
:meth:`freealg.dnn.jacobian.JacobianLaw.isometry` method that builds it
(Pennington, Schoenholz and Ganguli, "Resurrecting the sigmoid in deep
learning through dynamical isometry", NIPS 2017).
"""

from __future__ import annotations

from ..errors import InvalidArgumentError
from ._layer_data import to_float
from ._spectra import window_mass

__all__ = ["IsometrySummary"]


class IsometrySummary:
    r"""Dynamical-isometry summary of a Jacobian law (attributes, no printing).

    Attributes
    ----------
    depth, convention, init, activation
    chi : float
        ``χ`` at the fixed point.
    mean, variance : float
        ``m_1`` and ``m_2 − m_1²`` of ``μ_{JJᵀ}`` (exact values converted).
    lambda_max : float
        Largest point of the spectrum: the right support edge, or the top atom
        when it lies beyond.
    lambda_min_nonzero : float
        Smallest non-zero point of the spectrum (left edge of the bulk or
        smallest non-zero atom).
    atom_at_zero : float
        Mass of the kernel (``J`` is singular on it).
    center, window : float
        The window ``[center − window, center + window]``.
    mass_near_center : float
        ``μ_{JJᵀ}([center − window, center + window])`` (atoms included).
    mass_error : float
        Estimated quadrature error of ``mass_near_center``.
    critical : bool
        ``|χ − 1| <= tol`` at the fixed point.

    Parameters
    ----------
    **kw
        The attributes above by name (normally filled by
        :meth:`JacobianLaw.isometry`); a missing one is ``None``, an unknown
        one is ignored.

    Raises
    ------
    TypeError
        Not by the constructor (it checks nothing), but :meth:`summary`
        raises it when a numeric field was left ``None``.

    Examples
    --------
    Orthogonal linear net with ``σ_w = 1``: ``J`` is orthogonal:

    >>> import freealg
    >>> s = freealg.MLP(3, "linear", sigma_w=1, jacobian_convention="psg").jacobian_law().isometry()
    >>> s.mean, s.variance, s.lambda_max, s.critical
    (1.0, 0.0, 1.0, True)
    """

    _FIELDS = ("depth", "convention", "init", "activation", "chi", "mean", "variance",
               "lambda_max", "lambda_min_nonzero", "atom_at_zero", "center", "window",
               "mass_near_center", "mass_error", "critical")

    def __init__(self, **kw):
        for k in self._FIELDS:
            setattr(self, k, kw.get(k))

    def as_dict(self):
        """The fields as a dict.

        Returns
        -------
        dict
            ``{name: value}`` for every attribute, in the documented order.

        Examples
        --------
        >>> import freealg
        >>> s = freealg.MLP(3, "linear", sigma_w=1, jacobian_convention="psg").jacobian_law().isometry()
        >>> d = s.as_dict()
        >>> d["depth"], d["convention"], d["atom_at_zero"]
        (3, 'psg', 0.0)
        """
        return {k: getattr(self, k) for k in self._FIELDS}

    def summary(self):
        """Multi-line text.

        Returns
        -------
        str
            Depth, convention, ``χ``, mean and variance, the spectral range,
            the kernel mass and the mass in the window (also the ``repr``).

        Examples
        --------
        >>> import freealg
        >>> s = freealg.MLP(3, "linear", sigma_w=1, jacobian_convention="psg").jacobian_law().isometry()
        >>> print(s.summary())
        dynamical isometry, depth 3 (psg convention, orthogonal init, linear), chi = 1
          mean 1, variance 0
          spectrum in [1, 1] plus mass 0 at 0
          mass in [0.9, 1.1]: 1.0000000000 (+- 0.0e+00)
        """
        lo, hi = self.center - self.window, self.center + self.window
        return "\n".join([
            f"dynamical isometry, depth {self.depth} ({self.convention} convention, {self.init} "
            f"init, {self.activation}), chi = {self.chi:.12g}" + ("" if self.critical else " (NOT critical)"),
            f"  mean {self.mean:.12g}, variance {self.variance:.12g}",
            f"  spectrum in [{self.lambda_min_nonzero:.6g}, {self.lambda_max:.6g}] "
            f"plus mass {self.atom_at_zero:.6g} at 0",
            f"  mass in [{lo:.6g}, {hi:.6g}]: {self.mass_near_center:.10f} (+- {self.mass_error:.1e})",
        ])

    def __repr__(self):
        return self.summary()


class _IsometryMethod:
    """:meth:`isometry` of :class:`freealg.dnn.jacobian.JacobianLaw` (a mixin:
    ``net``, ``q_in``, ``convention``, ``moments``, ``atoms``, ``support``,
    ``lambda_max`` and the backend come from the law)."""

    def isometry(self, *, window=0.1, center=1, tol=1e-9, require_critical=True):
        r"""Dynamical-isometry summary (:class:`IsometrySummary`): mean,
        variance, largest and smallest non-zero eigenvalue, kernel mass and
        ``μ([center − window, center + window])``.

        Dynamical isometry (PSG) is a property of a network on the critical
        line ``χ = 1``, where ``m_1 = χ^L = 1`` (psg convention; ``σ_w² χ^{L−1}``
        in the preactivation convention).  Off the critical line the spectrum
        concentrates at ``χ^L`` (it vanishes or explodes with depth), so by
        default a non-critical net raises; ``require_critical=False`` returns
        the same numbers anyway (with ``critical=False``).

        Parameters
        ----------
        window : float > 0
            Half-width of the window around ``center`` (default ``0.1``).
        center : float
            Default ``1`` (isometry).
        tol : float
            ``|χ − 1| <= tol`` counts as critical.
        require_critical : bool, optional
            Raise for a net off the critical line (default ``True``);
            ``False`` returns the numbers with ``critical=False``.

        Returns
        -------
        IsometrySummary

        Raises
        ------
        InvalidArgumentError
            For a non-critical net (unless ``require_critical=False``), or
            when the layers follow ``q_in`` (the summary is about the fixed
            point); ``window <= 0``, ``tol < 0`` or non-finite numbers.
        InvalidArgumentTypeError
            Non-numeric ``window``, ``center`` or ``tol``.

        Examples
        --------
        Orthogonal hard-tanh on the critical line at ``σ_b = 0`` (``σ_w = 1``,
        ``q* = 0``): every ``D = I`` and ``J`` is orthogonal, an exact isometry.

        >>> import freealg
        >>> s = freealg.MLP(10, "hardtanh", sigma_w=1, jacobian_convention="psg").jacobian_law().isometry()
        >>> s.mean, s.variance, s.mass_near_center
        (1.0, 0.0, 1.0)
        >>> freealg.MLP(10, "tanh", sigma_w=1.5).jacobian_law().isometry()
        Traceback (most recent call last):
        ...
        freealg.errors.InvalidArgumentError: no dynamical isometry: MLP(depth=10, activation='tanh', init='orthogonal', sigma_w=1.5, sigma_b=0.0) is not on the critical line (chi = 1.139..., chaotic phase), so the spectrum of J J^T concentrates at chi^L = 3.685... Choose sigma_w = freealg.critical_sigma_w(...) or pass require_critical=False to get the numbers anyway
        """
        if self.q_in is not None:
            raise InvalidArgumentError(
                "isometry() summarises the fixed-point law (q_in=None); this law follows q_in = "
                f"{self.q_in!r}. Use net.jacobian_law() without q_in"
            )
        from .._utils.validate import check_real

        w = float(check_real(window, "window", positive=True))
        c = float(check_real(center, "center"))
        tol = float(check_real(tol, "tol", nonnegative=True))
        chi = float(self.net.chi())
        critical = abs(chi - 1) <= tol
        if not critical and require_critical:
            phase = "ordered" if chi < 1 else "chaotic"
            raise InvalidArgumentError(
                f"no dynamical isometry: {self.net!r} is not on the critical line (chi = "
                f"{chi:.12g}, {phase} phase), so the spectrum of J J^T concentrates at chi^L "
                f"= {chi ** self.net.depth:.6g} (vanishing or exploding gradients) rather than "
                "around 1. Choose sigma_w = freealg.critical_sigma_w(...) or pass "
                "require_critical=False to get the numbers anyway"
            )
        m1, m2 = (to_float(v) for v in self.moments(2))
        atoms = [(to_float(a), to_float(m)) for a, m in self.atoms()]
        b = self._backend_obj()
        if b == "point":
            a0 = to_float(self._point_value())
            return IsometrySummary(
                depth=self.net.depth, convention=self.convention, init=self.net.init,
                activation=self.net.activation.name, chi=chi, mean=m1, variance=0.0,
                lambda_max=a0, lambda_min_nonzero=a0, atom_at_zero=0.0, center=c, window=w,
                mass_near_center=1.0 if abs(a0 - c) <= w else 0.0, mass_error=0.0,
                critical=critical)
        sup = self.support()
        mass, err = window_mass(self._values(), sup, atoms, c - w, c + w)
        pos = [a for a, m in atoms if a > 0 and m > 0]
        lo_nz = min([u if u > 0 else 0.0 for u, _ in sup] + pos)
        return IsometrySummary(
            depth=self.net.depth, convention=self.convention, init=self.net.init,
            activation=self.net.activation.name, chi=chi, mean=m1, variance=m2 - m1 * m1,
            lambda_max=self.lambda_max(), lambda_min_nonzero=lo_nz,
            atom_at_zero=sum(m for a, m in atoms if a == 0), center=c, window=w,
            mass_near_center=mass, mass_error=err, critical=critical)
