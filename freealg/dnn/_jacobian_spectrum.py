r"""The numeric spectrum of the Jacobian law (private).

:class:`_JacobianSpectrum` holds the methods of
:class:`freealg.dnn.jacobian.JacobianLaw` that evaluate its spectrum: the
choice of numeric backend (a point mass, the functional-equation engine for
square layers, the spectral curve otherwise), the Cauchy transform, the
certified density, the support and ``λ_max``.  The law itself (moments,
atoms, exact curve) is :mod:`freealg.dnn.jacobian`.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ._layer_data import to_float
from ._spectra import _count_equal, numeric_factor


class _JacobianSpectrum:
    """Numeric spectrum of :class:`freealg.dnn.jacobian.JacobianLaw` (a mixin:
    ``net``, ``nus``, ``moments``, ``atoms``, ``curve`` and the cached data
    come from the law)."""

    def _backend_obj(self):
        if self._backend is None:
            if not self.square:
                # the exact twin of float data: numbers out are rounded to floats
                self._backend = self.curve(exact=True)
            else:
                from ..density.subordination import free_mul_law

                factors, powers = [numeric_factor(self.weight_law)], [self.net.depth]
                for nu, k in _count_equal(self.nus):
                    factors.append(numeric_factor(nu))
                    powers.append(k)
                from ..laws import PointMass

                self._point = self.net.weight_family == "orthogonal" and all(
                    isinstance(nu, PointMass) for nu in self.nus)
                if self._point:
                    self._backend = "point"
                else:
                    self._backend = free_mul_law(factors, powers)
        return self._backend

    def _point_value(self):
        return self.mean()

    def cauchy(self, z):
        r"""``G(z) = ∫ dμ(x)/(z − x)`` (vectorised complex; physical branch).

        Parameters
        ----------
        z : complex or array_like of complex
            Evaluation points (``Im z < 0`` by conjugation; real ``z`` off the
            atoms gives ``G(x + i0)``).

        Returns
        -------
        numpy.ndarray of complex
            Of the shape of ``z``.

        Raises
        ------
        InvalidArgumentTypeError
            A non-numeric ``z`` (a point-mass law, e.g. ``JJᵀ = I``, does
            not check ``z``: numpy's ``ValueError``, and ``inf``/``nan`` at
            its atom or for a ``nan`` ``z``).
        InvalidArgumentError
            A non-finite ``z`` (or ``z = 0`` for square layers).
        ConvergenceError
            Where the numerical continuation fails.
        NotAlgebraicError
            Rectangular layers with a smooth activation (the backend is the
            spectral curve).

        Examples
        --------
        Orthogonal hard-tanh at ``σ_w = 1``, ``σ_b = 0``: ``JJᵀ = I``, so
        ``G(z) = 1/(z − 1)``; ``MP`` (depth 1, Gaussian) has
        ``G(−1) = (1 − √5)/2``:

        >>> import freealg
        >>> law = freealg.MLP(4, "hardtanh", sigma_w=1, jacobian_convention="psg").jacobian_law()
        >>> complex(law.cauchy(3.0))
        (0.5+0j)
        >>> G = freealg.MLP(1, "linear", "gaussian", 1).jacobian_law().cauchy(-1.0)
        >>> round(float(G.real), 12)
        -0.61803398875
        """
        b = self._backend_obj()
        if b == "point":
            a = to_float(self._point_value())
            return 1 / (np.asarray(z, complex) - a)
        return b.cauchy(z)

    def density(self, x, *, dps=None, strict=True, n_moments=8):
        r"""Certified density of the continuous part on the grid ``x``: a
        :class:`freealg.density.DensityResult` with ``density``, ``atoms``,
        ``support`` and ``evidence`` (backward residual, ``Im G <= 0``, total
        mass, contour moments against :meth:`moments`, atom residues).

        Parameters
        ----------
        x : real or array_like of reals
            Grid points.
        dps : int, optional
            ``None`` (default) or ``15..1000``: digits of the mpmath polishing.
        strict : bool, optional
            Raise on a failed check (default ``True``); else warn and flag
            it in the evidence.
        n_moments : int, optional
            Number of contour moments checked against :meth:`moments`
            (``0..200``, default 8).

        Returns
        -------
        DensityResult
            The density of the continuous part (``nan`` at atoms), with
            ``atoms``, ``support`` and ``evidence``.

        Raises
        ------
        CertificationError
            When a check fails and ``strict`` (default).
        InvalidArgumentError
            A point-mass law (no continuous part: use :meth:`atoms`), an
            empty or non-finite ``x``, or ``dps < 15``.
        InvalidArgumentTypeError
            A non-numeric ``x`` or a non-bool ``strict``.
        TooLargeError
            ``dps > 1000`` or ``n_moments > 200``.
        NotAlgebraicError
            Rectangular layers with a smooth activation.

        Examples
        --------
        >>> import freealg
        >>> res = freealg.MLP(2, "linear", "gaussian", 1).jacobian_law().density([1.0])
        >>> bool(res.evidence.ok), bool(res.density[0] > 0)
        (True, True)
        """
        b = self._backend_obj()
        if b == "point":
            raise InvalidArgumentError(
                f"the Jacobian law of {self.net!r} is the point mass at {self._point_value()} "
                "(no continuous part): use atoms()"
            )
        res = b.density(x, dps=dps, strict=strict, n_moments=n_moments)
        if self.square:
            res.evidence.engine = "functional"
        return res

    def support(self):
        r"""Intervals ``(a, b)`` where the density of the continuous part is
        certifiably positive at double precision (floats).

        Square layers: :meth:`freealg.functional.FreeMulLaw.support` (sign of
        the certified ``Im G(x + i0)`` against its error bound); rectangular
        layers: the spectral curve's edges.  Square-root and hard edges are
        exact to ``~1e-13``.  For a smooth activation the density vanishes
        faster than any power at the left edge (``ν`` of tanh has density
        ``~exp(−arccosh(x^{−1/4})²/(2q))`` near 0): the reported left edge is
        where the density falls below its error bound (``~1e-14 |G|``) or the
        range ``σ_w⁴ f([−9, 9])`` of the quadrature of ``ν`` (Gaussian
        truncated at ``|z| = 9``, dropped mass ``< 2e-19``), and the
        mathematical support reaches down to 0.  E.g. the depth-2 tanh
        Jacobian in the preactivation convention is ``σ_w⁴ ν`` with support
        ``(0, σ_w⁴]``, reported as ``(0.018…, σ_w⁴)`` at ``σ_b = 0.05``.

        Returns
        -------
        list of (float, float)
            Empty for a point mass.

        Examples
        --------
        ``MP ⊠ MP`` (Gaussian linear, depth 2): ``[0, 27/4]``:

        >>> import freealg
        >>> [(round(a, 12), round(b, 12)) for a, b in
        ...  freealg.MLP(2, "linear", "gaussian", 1).jacobian_law().support()]
        [(0.0, 6.75)]
        """
        if self._support is None:
            b = self._backend_obj()
            self._support = [] if b == "point" else [(float(u), float(v)) for u, v in b.support()]
        return list(self._support)

    def lambda_max(self):
        r"""Largest point of the spectrum: the right support edge or the largest
        atom of positive mass, whichever is larger (float).

        Returns
        -------
        float

        Examples
        --------
        ``MP`` (Gaussian linear, depth 1, ``σ_w = 1``): right edge 4:

        >>> import freealg
        >>> round(freealg.MLP(1, "linear", "gaussian", 1).jacobian_law().lambda_max(), 12)
        4.0
        """
        pts = [v for _, v in self.support()] + [to_float(a) for a, m in self.atoms()
                                                  if to_float(m) > 0]
        return max(pts)

    def _values(self):
        b = self._backend_obj()
        if self.square:
            eng = b._engine()
        else:
            from ..density import curve as density
            from ..laws.curves import G, Z

            eng = density._engine(b.polynomial, Z, G)

        def values(x):
            x = np.asarray(x, float)
            Gv, _, _, ok, _ = eng.values(x, np.zeros_like(x))
            if not np.all(ok):
                from ..errors import ConvergenceError

                raise ConvergenceError(
                    f"continuation failed at {int(np.sum(~ok))} quadrature points of the window mass"
                )
            return Gv

        return values
