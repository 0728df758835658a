r"""Exact and numeric analysis of a spectral curve: discriminant, closed-form
support edges and atoms, and the numerics delegated to the density engine
(private mixin of :class:`freealg.SpectralCurve`, split from
:mod:`freealg.curves` for size)."""

from __future__ import annotations

from .._utils.symbolic import sympify_safe
import sympy

from ..errors import BranchError
from .._utils import detsympy as _ds

Z = sympy.Symbol("z")
G = sympy.Symbol("G")


class _CurveAnalysis:
    """Methods of :class:`SpectralCurve` that analyse ``P``; see there."""

    # -- discriminant, edges, atoms --------------------------------------------
    def discriminant(self, factor=True):
        r"""Discriminant of ``P`` in ``G``, a polynomial in ``z`` (and parameters).

        Support edges are among its real roots (docs/theory.md §3).

        Parameters
        ----------
        factor : bool, optional
            ``True`` (default): the product of the factors involving ``z``
            (constants and pure-parameter factors dropped); ``False``: the
            full expanded discriminant.

        Returns
        -------
        sympy expression
            A polynomial in ``z`` (and the parameters); ``1`` for a curve of
            degree 1 in ``G``.

        Raises
        ------
        None
            ``factor`` is used only for its truth value; nothing is raised
            for a valid curve.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> MarchenkoPastur().curve().discriminant()
        z*(z - 4)
        """
        if self.degree < 2:
            return sympy.Integer(1)
        if "discriminant" not in self._numeric_cache:
            d = self._poly.discriminant()
            d = d.as_expr() if hasattr(d, "as_expr") else sympify_safe(d)
            self._numeric_cache["discriminant"] = sympy.expand(d)
        expr = self._numeric_cache["discriminant"]
        if not factor:
            return expr
        c, fs = _ds.factor_list(expr)
        out = sympy.Integer(1)
        for f, k in fs:
            if f.has(Z):
                out *= f**k
        return out

    def leading_coefficient(self):
        """The coefficient of ``G^degree`` (atoms are among its zeros).

        Returns
        -------
        sympy expression
            The factored coefficient, a polynomial in ``z`` and the
            parameters.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> import sympy
        >>> MarchenkoPastur(sympy.Rational(1, 2)).curve().leading_coefficient()   # atom at 0
        2*z
        """
        return _ds.factor(sympy.Poly(self.polynomial, G).LC())

    def edge_candidates(self):
        r"""Exact candidate support edges: the roots in ``z`` of the discriminant
        (radicals for factors of degree ≤ 4, ``CRootOf`` otherwise; only real
        roots when the parameters are numeric).

        Returns
        -------
        list of sympy expressions
            Distinct candidate edges, sorted when numeric.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> Semicircle(variance=2).curve().edge_candidates()
        [-2*sqrt(2), 2*sqrt(2)]
        """
        out = []
        _, fs = _ds.factor_list(self.discriminant(factor=False))
        for f, _ in fs:
            if not f.has(Z):
                continue
            out.extend(_roots_in_z(f, real=not self.free_symbols))
        return _unique_sorted(out)

    def atom_candidates(self):
        r"""Exact candidate atoms ``(location, [possible masses])``.

        A pole ``G ~ c/(z − a)`` can only occur at a zero ``a`` of the leading
        coefficient; ``c`` then solves the lowest-order equation of
        ``P(a + t, c/t)`` as ``t → 0``.  Which candidate (if any) is taken by
        the physical branch depends on the parameters; :meth:`atoms` with
        ``exact=True`` decides for numeric parameters.

        Returns
        -------
        list of tuple
            ``[(location, [mass, ...]), ...]``: exact candidate locations
            (zeros of the leading coefficient) with their non-zero candidate
            masses; ``[]`` when the leading coefficient is free of ``z``.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> import sympy
        >>> MarchenkoPastur(rate=sympy.Rational(1, 3)).curve().atom_candidates()
        [(0, [2/3])]
        """
        lc = sympy.Poly(self.polynomial, G).LC()
        out = []
        if not lc.has(Z):
            return out
        _, fs = _ds.factor_list(lc)
        locs = []
        for f, _ in fs:
            if f.has(Z):
                locs.extend(_roots_in_z(f, real=not self.free_symbols))
        for a in _unique_sorted(locs):
            masses = [_ds.simplify(m) for m in self._atom_masses(a)]
            if masses:
                out.append((a, masses))
        return out

    def _atom_masses(self, a):
        """Distinct non-zero ``c`` of the branches ``G ~ c/(z − a)`` at a zero
        ``a`` of the leading coefficient: the roots of the edge polynomial of
        slope 1 of the Newton polygon of ``P(a + t, G)`` (exact where
        ``roots`` finds them, else numeric roots made exact by ``nsimplify``).
        Cached on the curve; the density engine keeps those in ``(0, 1]``."""
        key = ("atom_masses", a)
        if key not in self._numeric_cache:
            self._numeric_cache[key] = _newton_polygon_masses(self.polynomial, a)
        return list(self._numeric_cache[key])

    # -- numerics (density engine; the model it reads: laws/curve_model.py) ------
    def cauchy(self, z, dps=None):
        r"""``G(z)`` on the physical branch (density engine ``branch_cauchy``).

        Parameters
        ----------
        z : complex or array_like of complex
            Points; ``Im z < 0`` uses ``G(conj z) = conj G(z)``, real points
            give the boundary value ``G(x + i0)``.
        dps : int or None, optional
            ``None`` (default) for complex128 values; ``15 <= dps <= 1000``
            for mpmath values polished to that many digits.

        Returns
        -------
        ndarray
            Complex values shaped like ``z`` (0-d for a scalar), or an
            object array of mpmath ``mpc`` with ``dps``.

        Raises
        ------
        InvalidArgumentError
            For a non-finite ``z``, symbolic parameters (substitute first), a
            real ``z`` at a zero of the leading coefficient (evaluate at
            ``z + i·ε``), or ``dps < 15``.
        InvalidArgumentTypeError
            For a non-numeric ``z`` or a non-integer ``dps``.
        TooLargeError
            If ``dps > 1000``.
        ConvergenceError
            If the continuation or the mpmath polishing fails at a point.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> g = complex(Semicircle().curve().cauchy(2.5))     # (2.5 − 1.5)/2
        >>> round(g.real, 12), abs(g.imag) < 1e-12
        (0.5, True)
        """
        from .._utils.validate import check_finite_array

        check_finite_array(z, "z", dtype=complex)  # named here, before the engine's zs
        eng = self._engine()
        return eng.branch_cauchy(self._engine_curve(), Z, G, z, dps=dps)

    def density(self, x, dps=None, strict=True, n_moments=8):
        r"""Certified density on ``x`` (density engine ``curve_density``): a
        ``DensityResult`` with ``x``, ``density``, ``atoms``, ``support`` and
        ``evidence``; the first ``n_moments`` exact moments are passed for
        certification.

        Parameters
        ----------
        x : float or array_like of float
            Grid (any shape, at least one point, finite).
        dps : int or None, optional
            ``None``: float64 values (polished in mpmath only where needed);
            ``15 <= dps <= 1000``: every value polished to ``dps`` digits
            (``result.density_mp``).
        strict : bool, optional
            ``True`` (default): a failed check raises
            :class:`~freealg.errors.CertificationError`; ``False``: it warns
            (:class:`~freealg.errors.CertificationWarning`) and the result
            carries the failed evidence.
        n_moments : int, optional
            Number of exact moments checked against contour integrals
            (default 8).

        Returns
        -------
        DensityResult
            ``density`` follows the project convention: 0 outside the
            support, ``+inf`` at a divergent hard edge, ``nan`` at an atom
            (flagged in ``at_atom``).

        Raises
        ------
        InvalidArgumentError
            For an empty or non-finite grid, symbolic parameters, ``dps < 15``
            or ``n_moments < 0``.
        InvalidArgumentTypeError
            For a non-numeric grid or a non-integer ``dps``/``n_moments``.
        TooLargeError
            If ``dps > 1000`` or ``n_moments > 2000``.
        CertificationError
            With ``strict=True``, if a check fails (residual, ``Im G`` sign,
            total mass, moments, negative or uncertified values).

        Examples
        --------
        >>> from freealg import Semicircle
        >>> res = Semicircle().curve().density([0.0, 3.0])
        >>> [round(float(v), 10) for v in res.density], res.evidence.ok
        ([0.3183098862, 0.0], True)
        """
        eng = self._engine()
        ms = self.moments(n_moments)
        if self._numeric_polynomial() is not self.polynomial:
            ms = [sympy.Float(sympy.N(m, 30), 30) for m in ms]
        return eng.curve_density(self._engine_curve(), Z, G, x, dps=dps, strict=strict,
                                 exact_moments=ms, n_moments=n_moments)

    def support(self, exact=False):
        r"""Intervals of the absolutely continuous part (density engine).

        With ``exact=True`` the endpoints are replaced by the matching exact
        roots of the discriminant (:meth:`edge_candidates`).

        Parameters
        ----------
        exact : bool, optional
            Return exact sympy endpoints instead of floats (default False).

        Returns
        -------
        list of tuple
            Sorted intervals ``[(a, b), ...]`` (floats, or sympy numbers
            with ``exact=True``).

        Raises
        ------
        InvalidArgumentError
            If the curve has symbolic parameters (substitute first).
        BranchError
            With ``exact=True``, if a numerical edge matches no exact root
            of the discriminant.
        CertificationError
            If the density engine finds the support inconsistent with the
            discriminant.

        Examples
        --------
        >>> from freealg import MarchenkoPastur
        >>> c = MarchenkoPastur(2).curve()
        >>> c.support(exact=True)
        [(3 - 2*sqrt(2), 2*sqrt(2) + 3)]
        >>> [round(v, 12) for v in c.support()[0]]
        [0.171572875254, 5.828427124746]
        """
        if "support" not in self._numeric_cache:
            eng = self._engine()
            sup = eng.curve_support(self._engine_curve(), Z, G)
            self._numeric_cache["support"] = [(float(a), float(b)) for a, b in sup]
        sup = self._numeric_cache["support"]
        if not exact:
            return list(sup)
        cands = [(complex(sympy.N(e, 30)), e) for e in self.edge_candidates()]
        out = []
        for a, b in sup:
            out.append((_match(a, cands, "support edge"), _match(b, cands, "support edge")))
        return out

    def atoms(self, exact=False):
        r"""Atoms ``(location, mass)`` (density engine); with ``exact=True``
        location and mass are the matching closed forms of
        :meth:`atom_candidates`.

        Parameters
        ----------
        exact : bool, optional
            Return the matching closed forms (default False: the engine's
            values, exact sympy numbers already for rational coefficients).

        Returns
        -------
        list of tuple
            ``[(location, mass), ...]``.

        Raises
        ------
        InvalidArgumentError
            If the curve has symbolic parameters (substitute first).
        BranchError
            With ``exact=True``, if a numerical atom matches no exact
            candidate.
        CertificationError
            If the atoms cannot be certified by the density engine.

        Examples
        --------
        >>> import sympy
        >>> from freealg import Bernoulli
        >>> Bernoulli(sympy.Rational(1, 3)).curve().atoms()
        [(0, 2/3), (1, 1/3)]
        """
        if "atoms" not in self._numeric_cache:
            eng = self._engine()
            ats = eng.curve_atoms(self._engine_curve(), Z, G)
            if self._numeric_polynomial() is not self.polynomial:
                ats = [(float(a), float(m)) for a, m in ats]
            self._numeric_cache["atoms"] = ats
        ats = self._numeric_cache["atoms"]
        if not exact:
            return list(ats)
        cands = self.atom_candidates()
        out = []
        for loc, mass in ats:
            lc = [(complex(sympy.N(a, 30)), a) for a, _ in cands]
            a = _match(loc, lc, "atom location")
            ms = dict(cands)[a] if a in dict(cands) else []
            m = _match(mass, [(complex(sympy.N(v, 30)), v) for v in ms], "atom mass")
            out.append((a, m))
        return out


    def report(self, n_moments=4):
        r"""A LaTeX block: the equation, the discriminant, the support edges and
        the atoms in closed form, and the first moments.

        For numeric parameters the edges and atoms are the ones actually taken
        by the physical branch (density engine + exact matching); for symbolic
        parameters the candidates are listed.

        Parameters
        ----------
        n_moments : int, optional
            Number of exact moments listed, ``0 <= n_moments <= 2000``
            (default 4).

        Returns
        -------
        str
            LaTeX lines joined by ``\\`` and newlines.

        Raises
        ------
        InvalidArgumentTypeError
            If ``n_moments`` is not an integer.
        InvalidArgumentError
            If ``n_moments < 0``.
        TooLargeError
            If ``n_moments > 2000``.
        BranchError
            If a numerical edge or atom matches no exact candidate.

        Examples
        --------
        >>> from freealg import Semicircle
        >>> print(Semicircle().curve().report(2))
        G^{2} - G z + 1 = 0 \\
        \operatorname{disc}_G P = \left(z - 2\right) \left(z + 2\right) \\
        \operatorname{supp} = \left[-2, 2\right] \\
        \text{atoms: } \text{none} \\
        m_{1..2} = 0, 1
        """
        from ._kinds import _check_order

        n_moments = _check_order(n_moments, "n_moments")
        lines = [self.latex()]
        lines.append(r"\operatorname{disc}_G P = " + sympy.latex(self.discriminant()))
        if not self.free_symbols:
            sup = self.support(exact=True)
            ats = self.atoms(exact=True)
            lines.append(r"\operatorname{supp} = " + r" \cup ".join(
                rf"\left[{sympy.latex(a)}, {sympy.latex(b)}\right]" for a, b in sup) if sup else
                r"\text{no continuous part}")
            lines.append(r"\text{atoms: } " + (", ".join(
                rf"{sympy.latex(m)}\,\delta_{{{sympy.latex(a)}}}" for a, m in ats) if ats else r"\text{none}"))
        else:
            lines.append(r"\text{edges among } " + ", ".join(sympy.latex(e) for e in self.edge_candidates()))
            lines.append(r"\text{atom candidates: } " + (", ".join(
                rf"{sympy.latex(a)}\ (\text{{mass}} \in \{{{', '.join(sympy.latex(m) for m in ms)}\}})"
                for a, ms in self.atom_candidates()) or r"\text{none}"))
        lines.append(r"m_{1..%d} = " % n_moments + ", ".join(sympy.latex(m) for m in self.moments(n_moments)))
        return " \\\\\n".join(lines)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------



def _newton_polygon_masses(expr, a):
    """See :meth:`_CurveAnalysis._atom_masses`."""
    t, c = sympy.symbols("t_shift c_mass")
    lows = {}
    for (e,), coeff in sympy.Poly(expr, G).terms():
        q = sympy.Poly(sympy.expand(coeff.subs(Z, a + t)), t)
        if q.is_zero:
            continue
        v = min(m[0] for m in q.monoms())
        lows[e] = (v, q.coeff_monomial(t**v))
    if not lows:
        return []
    mu = min(v - e for e, (v, _) in lows.items())
    E = [e for e, (v, _) in lows.items() if v - e == mu]
    if len(E) < 2:
        return []
    edge = sympy.Poly(sum(lows[e][1] * c ** (e - min(E)) for e in E), c)
    found = list(_ds.roots(edge, multiple=True))
    if len(found) < edge.degree() and not (edge.free_symbols - {c}):
        # roots not found in closed form: the numeric ones, made exact
        near = [complex(sympy.N(r, 30)) for r in found]
        found += [sympy.nsimplify(r) for r in edge.nroots()
                  if all(abs(complex(r) - v) > 1e-12 * max(1.0, abs(v)) for v in near)]
    out = []
    for r in found:
        if r != 0 and r not in out:  # a repeated root of the edge polynomial
            out.append(r)
    return out


def _roots_in_z(f, real):
    """Exact roots of ``f`` in ``z``: radicals up to degree 2 (with the
    discriminant factored, so edges read naturally), ``roots`` up to degree 4,
    ``CRootOf`` otherwise; only the real ones when ``real``."""
    poly = sympy.Poly(f, Z)
    deg = poly.degree()
    if deg <= 0:
        return []
    numeric = not (poly.free_symbols - {Z})
    if deg == 1:
        a, b = poly.all_coeffs()
        rts = [sympy.cancel(-b / a)]
    elif deg == 2:
        a, b, c = poly.all_coeffs()
        centre = _ds.factor(sympy.cancel(-b / (2 * a)))
        half = sympy.sqrt(_ds.factor(sympy.cancel((b**2 - 4 * a * c) / (4 * a**2))))
        rts = [centre - half, centre + half]
    else:
        found = _ds.roots(poly, multiple=True)
        if len(found) == deg and (deg <= 4 or not numeric):
            rts = [_ds.simplify(r) for r in found]
        elif numeric:
            rts = list(poly.real_roots()) if real else list(poly.all_roots())
            return rts
        else:
            rts = [sympy.RootOf(poly, i) for i in range(deg)]
    if real and numeric:
        out = []
        for r in rts:
            v = complex(sympy.N(r, 50))
            if abs(v.imag) <= 1e-40 * max(1.0, abs(v.real)):
                out.append(r)
        return out
    return rts


def _unique_sorted(values):
    out = []
    for v in values:
        if not any(_ds.simplify(v - u) == 0 for u in out):
            out.append(v)
    try:
        out.sort(key=lambda v: float(sympy.N(v)))
    except TypeError:
        pass
    return out


def _match(value, candidates, what):
    best = None
    for num, exact in candidates:
        d = abs(complex(value) - num)
        if best is None or d < best[0]:
            best = (d, exact)
    scale = max(1.0, abs(complex(value)))
    if best is None or best[0] > 1e-6 * scale:
        raise BranchError(
            f"the numerical {what} {value} matches no exact candidate "
            f"{[str(e) for _, e in candidates]}; the density engine and the exact algebra disagree"
        )
    return best[1]


# the operations are defined in _elimination and re-exported for convenience
