r"""The numeric spectrum of the one-sample FIM law (private).

:class:`_FisherSpectrum` holds the methods of :class:`freealg.dnn.fisher.FisherLaw`
that evaluate its spectrum numerically through the solver of
:mod:`freealg.dnn._fisher_solver`: the Cauchy transform, the density, the
support, the extreme nonzero eigenvalues, the condition number and the
learning-rate bound.  The law itself (moments, atoms, exact curve) is in
:mod:`freealg.dnn.fisher`.
"""

from __future__ import annotations

from .._utils.symbolic import sympify_safe

import numpy as np
import sympy

from ..errors import CertificationError, ConvergenceError, InvalidArgumentError
from ._fisher_system import _FimProblem, _Level
from ._layer_data import to_float
from ._spectra import numeric_factor



class _FisherSpectrum:
    """Numeric spectrum of :class:`freealg.dnn.fisher.FisherLaw` (a mixin:
    ``net``, ``atoms``, ``_engine``, ``_numeric_levels``, ``_factor_laws``,
    ``_c`` and ``_qf`` come from the law)."""

    # --------------------------------------------------------------- numerics
    @property
    def purely_atomic(self):
        """True when the atoms carry all the mass (``L <= 2`` with orthogonal
        weights and atomic ``ν``)."""
        self.atoms()
        return sum(m for _, m in self._atoms) == 1

    def _problem(self, moments=True):
        """The levels of the recursion (top first); ``moments=False`` skips
        the numeric level moments (start values of the coupled system only:
        the explicit chain does not need them)."""
        c = to_float(self._c())
        L = self.net.depth
        P = self._numeric_levels()[1] if moments else None
        levels = []
        for k in range(L - 1, 0, -1):
            closed, via = [], None
            for law in self._factor_laws(k):
                f = numeric_factor(law)
                if hasattr(f, "s_transform"):
                    closed.append(f)
                else:
                    via = f
            levels.append(_Level(k, closed, via, self._qf[k - 1], c,
                                 np.array([to_float(v) for v in P[k - 1][:24]]) if moments else None))
        return _FimProblem(levels, self._qf[-1], c)

    def _check_numeric(self, what):
        if self.net.depth == 1 or self.purely_atomic:
            raise InvalidArgumentError(
                f"{what}: μ_L of {self.net!r} is purely atomic ({self.atoms()}); it has no "
                "continuous part. Use atoms()."
            )

    def cauchy(self, z):
        r"""``G(z)`` of ``μ_L`` at complex ``z`` (vectorised; lower half plane by
        conjugation; real ``z`` off the atoms gives ``G(x + i0)``).

        Parameters
        ----------
        z : complex or array_like of complex
            Evaluation points.

        Returns
        -------
        numpy.ndarray of complex
            Of the shape of ``z``.

        Raises
        ------
        InvalidArgumentTypeError
            A non-numeric ``z``.
        InvalidArgumentError
            A non-finite ``z``.  (A purely atomic law does not refuse ``z``
            at an atom: the value there is ``inf + nan j``.)
        ConvergenceError
            Where the numerical continuation fails.

        Examples
        --------
        Atoms ``1/2`` and ``3/2`` of mass ``1/2``:
        ``G(2) = (1/2)/(3/2) + (1/2)/(1/2) = 4/3``:

        >>> import freealg
        >>> law = freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1)
        >>> complex(law.cauchy(2.0))
        (1.3333333333333333+0j)
        """
        from .._utils.validate import check_finite_array

        zz = check_finite_array(z, "z", dtype=complex)
        if self.net.depth == 1 or self.purely_atomic:
            out = np.zeros_like(zz)
            for a, m in self.atoms():
                out = out + to_float(m) / (zz - to_float(a))
            return out
        flat = zz.ravel()
        lower = flat.imag < 0
        w = np.where(lower, flat.conj(), flat)
        G, _, _, ok, _ = self._engine().values(w.real, w.imag)
        if not np.all(ok):
            raise ConvergenceError(
                f"continuation failed at z = {complex(w[~ok][0]):.6g} ({int(np.sum(~ok))} points)")
        return np.where(lower, G.conj(), G).reshape(zz.shape)

    def density(self, x, *, strict=True, n_moments=8, mass_tol=1e-9, moment_tol=1e-8):
        r"""Certified density of the continuous part on ``x``
        (:class:`freealg.density.DensityResult` with evidence: residual,
        ``Im G <= 0``, total mass with the exact atoms, contour moments against
        :meth:`moments`, atom residues).

        Parameters
        ----------
        x : real or array_like of reals
            Grid points.
        strict : bool, optional
            Raise on a failed check (default ``True``); else warn and flag it.
        n_moments : int, optional
            Contour moments checked against :meth:`moments` (``0..200``,
            default 8).
        mass_tol : real > 0, optional
            Tolerance of the total-mass check (default ``1e-9``).
        moment_tol : real > 0, optional
            Tolerance of the moment check (default ``1e-8``).

        Returns
        -------
        DensityResult
            The density of the continuous part (``nan`` at atoms), with
            ``atoms``, ``support`` and ``evidence``.

        Raises
        ------
        InvalidArgumentError
            A purely atomic law (no continuous part: use :meth:`atoms`), an
            empty or non-finite ``x``, or non-positive tolerances.
        InvalidArgumentTypeError
            A non-numeric ``x`` or a non-bool ``strict``.
        CertificationError
            A check fails and ``strict`` is true.
        TooLargeError
            ``n_moments > 200``.

        Examples
        --------
        >>> import sympy, freealg
        >>> law = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law()   # critical relu
        >>> res = law.density([5.0])
        >>> bool(res.evidence.ok), bool(res.density[0] > 0)
        (True, True)
        """
        from ..density.curve import certified_density

        self._check_numeric("density")
        return certified_density(
            self._engine(), x, strict=strict, n_moments=n_moments, mass_tol=mass_tol,
            moment_tol=moment_tol,
            method="one-sample FIM recursion (subordination system), vertical continuation")

    def support(self):
        r"""Intervals of the continuous part (scan of the density sign, edges
        refined by bisection).

        Returns
        -------
        list of (float, float)
            Empty for a purely atomic law.

        Examples
        --------
        >>> import sympy, freealg
        >>> law = freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law()   # critical relu
        >>> [(round(a, 10), round(b, 10)) for a, b in law.support()]    # the bulk [3, 7]
        [(3.0, 7.0)]
        """
        if self.net.depth == 1 or self.purely_atomic:
            return []
        return self._engine().support()

    def lambda_max(self):
        r"""``λ_max(Θ_L)`` in the limit: the right edge of the support or the
        largest atom, whichever is larger (float).  The FIM ``J_θᵀJ_θ`` of a
        width-``M`` network has ``λ_max = M λ_max(Θ_L)``.

        With Bernoulli ``ν`` (relu, hard-tanh) or point-mass factors the
        recursion is one explicit map ``x = X(ξ_1)`` of the bottom
        subordination point, and the right edge is the critical value at the
        largest critical point of ``X`` (a bracketed root of ``X'``, at any
        depth in well under a second); otherwise the support is scanned.

        Returns
        -------
        float

        Raises
        ------
        CertificationError
            No support interval and no atom was found (a failure of the
            numerics).

        Examples
        --------
        >>> import sympy, freealg
        >>> round(freealg.MLP(3, "relu", sigma_w=sympy.sqrt(2)).fim_law().lambda_max(), 10)
        7.0
        """
        if self.net.depth > 1 and not self.purely_atomic:
            eng = self._engine()
            if eng.chain is not None:
                return eng.lambda_max()
        pts = [b for _, b in self.support()] + [to_float(a) for a, m in self.atoms() if m != 0]
        if not pts:
            raise CertificationError(
                f"lambda_max of the FIM law of {self.net!r}: no support interval and no atom was "
                "found (the density scan found no point where the density is certifiably positive); "
                "the spectrum cannot be empty, so this is a failure of the numerics, not a result"
            )
        return max(pts)

    def learning_rate_bound(self, M=None):
        r"""The largest stable gradient-descent step near a global minimum,
        ``η < 2/λ_max`` (LeCun–Kanter–Solla 1991; docs/theory.md §6).

        ``M=None``: the loss ``(1/2M) ‖f − y‖²`` of Karakida–Akaho–Amari (Hessian =
        ``M⁻¹ J_θᵀJ_θ``, non-zero spectrum that of ``Θ_L``), bound
        ``2/λ_max(Θ_L)``.  ``M`` given: the loss ``½‖f − y‖²`` (Hessian =
        the FIM), bound ``2/(M λ_max(Θ_L))``.

        Parameters
        ----------
        M : int >= 1, optional
            The width, for the unnormalised loss; default ``None``.

        Returns
        -------
        float

        Raises
        ------
        InvalidArgumentError
            ``M`` not a positive integer.
        CertificationError
            From :meth:`lambda_max`.

        Examples
        --------
        Two relu layers, ``σ_w = 1``, ``q_0 = 1``: ``λ_max = 3/2``:

        >>> import freealg
        >>> law = freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1)
        >>> law.learning_rate_bound(), law.learning_rate_bound(M=100)
        (1.3333333333333333, 0.013333333333333334)
        """
        lm = self.lambda_max()
        if M is None:
            return 2.0 / lm
        if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
            raise InvalidArgumentError(f"M must be a positive integer width; got {M!r}")
        return 2.0 / (int(M) * lm)

    # ------------------------------------------- spectral range (self-contained)
    def _nonzero_extremes(self):
        """``(λ_min⁺, λ_max, exact)`` over the non-zero spectrum of ``μ_L``:
        atoms of positive mass at non-zero locations and the continuous
        support (:meth:`atoms`, :meth:`support`); ``exact`` when both come from
        atoms of a purely atomic law."""
        pts = [(a, True) for a, m in self.atoms() if m != 0 and a != 0]
        if self.net.depth > 1 and not self.purely_atomic:
            for lo, hi in self.support():
                pts += [(lo, False), (hi, False)]
        pts = [(a, e) for a, e in pts if to_float(a) > 0]
        if not pts:
            raise CertificationError(
                f"the FIM law of {self.net!r}: no non-zero atom and no support interval was "
                "found; the spectrum cannot be empty, so this is a failure of the numerics")
        lo = min(pts, key=lambda t: to_float(t[0]))
        hi = max(pts, key=lambda t: to_float(t[0]))
        return lo[0], hi[0], self.purely_atomic

    def lambda_min(self):
        r"""The smallest non-zero point ``λ_min⁺`` of the spectrum of ``Θ_L`` in
        the limit: the lowest non-zero atom or the left edge of the lowest
        support interval, whichever is smaller.

        The FIM ``J_θᵀJ_θ`` (``P × P``, ``P ≫ M``) has the eigenvalue 0 with
        multiplicity at least ``P − M``; its non-zero eigenvalues are ``M``
        times those of ``Θ_L``, so ``M λ_min⁺`` is its smallest non-zero
        eigenvalue.

        Returns
        -------
        sympy number (purely atomic law: exact) or float (a continuous part:
        the edges are numerical)

        Raises
        ------
        CertificationError
            No non-zero atom and no support interval was found (a failure of
            the numerics, never an empty spectrum).

        Examples
        --------
        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).lambda_min()   # atoms 1/2, 3/2
        1/2
        >>> law = freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law()
        >>> law.atoms(), law.lambda_min()      # atom 1 below the bulk [3, 7]
        ([(1, 1/2)], 1.0)
        """
        lo, _, exact = self._nonzero_extremes()
        return lo if exact else to_float(lo)

    def condition_number(self):
        r"""Condition number ``κ = λ_max / λ_min⁺`` of the limit spectrum of
        ``Θ_L`` over its non-zero part (``κ >= 1``).

        Convention: zero eigenvalues are excluded (the FIM ``J_θᵀJ_θ`` is
        singular, with the non-zero spectrum ``M · spec(Θ_L)``, so ``κ`` is the
        same for ``Θ_L``, the NTK ``J_θJ_θᵀ = MΘ_L`` and the FIM, and does not
        depend on ``M``); ``λ_min⁺`` and ``λ_max`` range over the atoms of
        positive mass and the continuous support (:meth:`lambda_min`,
        :meth:`lambda_max`).  ``1/κ = λ_min⁺/λ_max`` is the ratio of the
        slowest to the fastest rate of gradient flow on the loss
        ``(1/2M)‖f − y‖²`` near a global minimum.

        Returns
        -------
        sympy number (purely atomic law: exact) or float

        Raises
        ------
        CertificationError
            As :meth:`lambda_min`.

        Examples
        --------
        Two layers, ReLU, ``σ_w = 1``, ``q_0 = 1``: atoms ``q_1 = 1/2`` and
        ``q_1 + σ_w² q_0 = 3/2``, so ``κ = 3``.  Critical ReLU with two hidden
        layers: an atom at ``q̂* = 1`` and the bulk ``[3, 7]``, so ``κ = 7``.

        >>> import sympy, freealg
        >>> freealg.MLP(2, "relu", sigma_w=1).fim_law(q_in=1).condition_number()
        3
        >>> law = freealg.MLP(3, "relu", "orthogonal", sympy.sqrt(2)).fim_law()
        >>> round(law.condition_number(), 10)
        7.0
        """
        lo, hi, exact = self._nonzero_extremes()
        if exact:
            r = sympify_safe(hi) / sympify_safe(lo)
            return sympy.nsimplify(r) if r.is_Rational else r
        return to_float(hi) / to_float(lo)
