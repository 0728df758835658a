r"""The MLP specification: architecture, initialisation and conventions.

An :class:`MLP` is an immutable description of a random fully-connected
network (docs/theory.md §1)::

    h_ℓ = W_ℓ x_{ℓ-1} + b_ℓ,   x_ℓ = phi(h_ℓ),   ℓ = 1..L,   output f = h_L,

with widths ``n_0, …, n_L``, ``b_ℓ ~ N(0, σ_b²)`` and one of

* Gaussian init: ``(W_ℓ)_ij ~ N(0, σ_w² / n_{ℓ-1})`` (fan-in variance);
* orthogonal init: ``W_ℓ = σ_w O`` with ``O`` Haar orthogonal;
* Glorot (Xavier) init, Glorot & Bengio (2010): i.i.d. entries of variance
  ``σ_w² · 2 / (n_{ℓ-1} + n_ℓ)`` (``σ_w`` is the gain, 1 by default), uniform
  on ``[−a, a]`` with ``a = σ_w √(6 / (n_{ℓ-1} + n_ℓ))`` for
  ``"glorot_uniform"``, centred Gaussian for ``"glorot_normal"``.  Glorot
  inits need equal widths (then the variance is ``σ_w² / n``, as in the
  Gaussian init); the infinite-width theory uses the Gaussian law of the same
  variance (universality of i.i.d. weights with finite moments: the spectra
  of ``JJᵀ`` and of the FIM depend on the entry law only through its
  variance), so :attr:`MLP.weight_family` is ``"gaussian"``, while
  :func:`freealg.simulate.sample_network` draws the stated entries.

``D_ℓ = diag(phi'(h_ℓ))``.  The input–output Jacobian follows a named
convention, stored as :attr:`MLP.jacobian_convention`:

* ``"seed"`` (default, docs/theory.md §1): ``J = ∂h_L/∂x_0 = W_L D_{L-1} ⋯ D_1 W_1``
  (``L − 1`` factors ``D``);
* ``"psg"`` (Pennington–Schoenholz–Ganguli): ``J = ∂x_L/∂x_0 =
  D_L W_L ⋯ D_1 W_1`` (``L`` factors ``D``).

The mean-field quantities (docs/theory.md §4, :mod:`freealg.dnn.meanfield`) and
the infinite-width kernels (docs/theory.md §7, :mod:`freealg.dnn.kernels`) are
methods of the object; they are computed on demand and cached.

Adding spectral methods later
-----------------------------
Spectral laws (``jacobian_law``, ``fim_law``) live in their own modules
(``freealg/dnn/jacobian.py``, ``freealg/dnn/fisher.py``) as functions whose
first argument is the net; the method on this class is a two-line delegate
(same pattern as :meth:`MLP.q_star` → :func:`freealg.dnn.meanfield.q_star`).
They need only the public primitives of this class: :attr:`d_layers`,
:meth:`d2_moments` / :meth:`d2_atoms` (the law ``nu`` of ``D²``),
:meth:`q_star`, :meth:`chi`, :meth:`q_sequence`, :meth:`qhat_sequence`,
:attr:`weight_s1` and :attr:`layer_ratios`.

Examples
--------
>>> import freealg
>>> net = freealg.MLP(3, "relu", init="gaussian", sigma_w=2 ** 0.5, sigma_b=0.0)
>>> net
MLP(depth=3, activation='relu', init='gaussian', sigma_w=1.4142135623730951, sigma_b=0.0)
>>> net.jacobian_convention, net.d_layers
('seed', (1, 2))
>>> round(net.chi(), 12)
1.0
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

from .._utils.mpctx import mpmath
import numpy as np

from .._utils.validate import MAX_DEPTH, check_choice, check_int, check_real, describe
from ..activations import get_activation
from ..errors import InvalidArgumentError, InvalidArgumentTypeError

__all__ = ["MLP", "JACOBIAN_CONVENTIONS", "INITS"]

#: Accepted values of ``jacobian_convention``.
JACOBIAN_CONVENTIONS = ("seed", "psg")
#: Accepted values of ``init``.
INITS = ("orthogonal", "gaussian", "glorot_uniform", "glorot_normal")
#: Universality class (law used by the infinite-width theory) of each init.
_WEIGHT_FAMILY = {"orthogonal": "orthogonal", "gaussian": "gaussian",
                  "glorot_uniform": "gaussian", "glorot_normal": "gaussian"}
#: Largest layer width accepted in ``widths`` (only the ratios enter the
#: infinite-width theory; :mod:`freealg.simulate` bounds memory separately).
MAX_WIDTH = 10**12


def _check_real(value, name, *, positive=False, nonnegative=False):
    """A finite real number (int, Fraction, float, mpmath, sympy number),
    checked by :func:`freealg._utils.validate.check_real` (one checker for
    the package); the message says what a standard deviation must be."""
    try:
        return check_real(value, name, positive=positive, nonnegative=nonnegative)
    except InvalidArgumentTypeError:
        raise
    except InvalidArgumentError as exc:
        extra = ""
        if "finite" in str(exc):
            pass
        elif name == "sigma_w" and positive:
            extra = (". sigma_w is a standard deviation: use sigma_w > 0 (a network with "
                     "sigma_w = 0 is constant)")
        elif nonnegative:
            extra = f". It is a standard deviation; pass |{name}|."
        raise InvalidArgumentError(f"{exc}{extra}") from None


def _check_widths_or_ratios(values, name, L):
    """A sequence of L + 1 entries (not a string or a scalar)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InvalidArgumentTypeError(
            f"{name} must be a sequence of {L + 1} numbers (n_0, ..., n_L); got {describe(values)} "
            f"of type {type(values).__name__}"
        )
    values = tuple(values)
    if len(values) != L + 1:
        what = "n_0, ..., n_L" if name == "widths" else "n_0 : ... : n_L"
        raise InvalidArgumentError(
            f"{name} must list {what} ({L + 1} numbers for depth {L}); got {len(values)}"
        )
    return values


class MLP:
    r"""A random deep MLP: depth, activation, initialisation and widths.

    Parameters
    ----------
    depth : int
        Number of weight layers ``L >= 1`` (so ``L − 1`` hidden layers).
    activation : str, sympy expression or Activation
        See :func:`freealg.get_activation`.
    init : {'orthogonal', 'gaussian', 'glorot_uniform', 'glorot_normal'}
        Weight initialisation (module docstring).  The Glorot inits need
        equal widths.
    sigma_w : real > 0
        Weight scale; Gaussian entries have variance ``σ_w² / n_{ℓ-1}``,
        Glorot entries ``σ_w² · 2/(n_{ℓ-1} + n_ℓ)`` (``σ_w`` is the gain).
    sigma_b : real >= 0
        Bias standard deviation.
    widths : sequence of L + 1 positive ints, optional
        ``(n_0, n_1, …, n_L)``.  Only ratios matter in the infinite-width
        theory; give widths when comparing with a finite network.
    ratios : sequence of L + 1 positive reals, optional
        Relative widths ``n_0 : n_1 : … : n_L`` (any common scale; stored
        normalised so that ``n_0 = 1``).  Not together with ``widths``.
        Default: all layers of equal width.
    jacobian_convention : {'seed', 'psg'}
        Which ``D`` factors the input–output Jacobian contains (module
        docstring).  Default ``'seed'``.

    Raises
    ------
    InvalidArgumentTypeError
        An argument of the wrong type (a string depth, a float width, a
        non-numeric ``σ_w``); the message names the parameter.
    InvalidArgumentError
        Non-positive depth or width, ``σ_w <= 0``, ``σ_b < 0``,
        a non-finite parameter, an unknown ``init`` or convention, widths
        and ratios of the wrong length, or a Glorot init with unequal widths.
    TooLargeError
        ``depth > MAX_DEPTH`` (100000) or a width above ``MAX_WIDTH``,
        checked before any per-layer data is built.
    UnknownActivationError
        For an unknown activation name.

    Examples
    --------
    >>> import freealg
    >>> net = freealg.MLP(4, "tanh", sigma_w=1.5, sigma_b=0.1)
    >>> net.phase()
    'chaotic'
    >>> glorot = freealg.MLP(3, "relu", init="glorot_uniform", sigma_w=2)
    >>> glorot.weight_family, glorot.weight_variance(100, 100)
    ('gaussian', Fraction(1, 25))
    >>> freealg.MLP(0, "tanh")
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: depth must be a positive integer (the number L of weight layers); got 0
    """

    def __init__(self, depth, activation, init="orthogonal", sigma_w=1.0, sigma_b=0.0,
                 widths=None, ratios=None, *, jacobian_convention="seed"):
        # every argument is checked before any per-layer work (depth bounds the tuples below)
        try:
            self._depth = check_int(
                depth, "depth", minimum=1, maximum=MAX_DEPTH,
                hint="layer data is stored per layer; for the depth -> infinity limit use the "
                     "fixed-point quantities (q_star, chi, depth_scales) of a shallow net")
        except InvalidArgumentTypeError:
            raise
        except InvalidArgumentError:
            raise InvalidArgumentError(
                f"depth must be a positive integer (the number L of weight layers); got {depth!r}"
            ) from None
        self._activation = get_activation(activation)
        if isinstance(init, str):
            init = init.strip().lower()
        self._init = check_choice(init, "init", INITS)
        self._sigma_w = _check_real(sigma_w, "sigma_w", positive=True)
        self._sigma_b = _check_real(sigma_b, "sigma_b", nonnegative=True)
        if isinstance(jacobian_convention, str):
            jacobian_convention = jacobian_convention.lower()
        self._convention = check_choice(jacobian_convention, "jacobian_convention",
                                        JACOBIAN_CONVENTIONS)
        if widths is not None and ratios is not None:
            raise InvalidArgumentError("give widths or ratios, not both")
        L = self._depth
        if widths is not None:
            widths = _check_widths_or_ratios(widths, "widths", L)
            checked = []
            for i, n in enumerate(widths):
                try:
                    checked.append(check_int(
                        n, f"widths[{i}]", minimum=1, maximum=MAX_WIDTH,
                        hint="a layer of that width cannot be simulated; the infinite-width "
                             "theory needs only ratios= (relative widths)"))
                except InvalidArgumentTypeError:
                    raise
                except InvalidArgumentError:
                    raise InvalidArgumentError(
                        f"widths must be positive integers; got n_{i} = {n!r}"
                    ) from None
            self._widths = tuple(checked)
            self._ratios = tuple(Fraction(n, self._widths[0]) for n in self._widths)
        else:
            self._widths = None
            if ratios is None:
                self._ratios = tuple(Fraction(1) for _ in range(L + 1))
            else:
                ratios = _check_widths_or_ratios(ratios, "ratios", L)
                for i, r in enumerate(ratios):
                    _check_real(r, f"ratios[{i}]", positive=True)
                r0 = ratios[0]
                self._ratios = tuple(
                    (Fraction(r) / Fraction(r0)) if isinstance(r, (int, Fraction)) and isinstance(r0, (int, Fraction))
                    else r / r0
                    for r in ratios
                )
                for i, r in enumerate(self._ratios):
                    try:
                        rf = float(r)
                    except OverflowError:
                        rf = float("inf")
                    if not 0 < rf < float("inf"):
                        raise InvalidArgumentError(
                            f"ratios[{i}] / ratios[0] = {describe(r)} is not a positive finite "
                            f"float (ratios = {describe(ratios)}); give relative widths within "
                            "a factor 1e300 of each other, or exact ints/Fractions"
                        )
        if self._init.startswith("glorot") and not self.is_square:
            raise InvalidArgumentError(
                f"init={self._init!r} with unequal widths (relative widths "
                f"{', '.join(str(r) for r in self._ratios)}): Glorot entries have the "
                "layer-dependent variance sigma_w**2 * 2/(n_in + n_out), while the "
                "infinite-width theory here takes one sigma_w for all layers. Use equal widths, "
                "or init='gaussian' (fan-in variance sigma_w**2/n_in) for rectangular layers"
            )
        self._cache = {}

    # -- attributes -----------------------------------------------------------
    @property
    def depth(self):
        """Number ``L`` of weight layers."""
        return self._depth

    @property
    def activation(self):
        """The :class:`~freealg.activations.Activation`."""
        return self._activation

    @property
    def init(self):
        """``'orthogonal'``, ``'gaussian'``, ``'glorot_uniform'`` or
        ``'glorot_normal'``."""
        return self._init

    @property
    def weight_family(self):
        """Law of the weights in the infinite-width theory: ``'orthogonal'``
        (Haar) or ``'gaussian'`` (i.i.d. entries: the Gaussian and both
        Glorot inits, by universality).

        Examples
        --------
        >>> import freealg
        >>> freealg.MLP(2, "relu", init="glorot_normal").weight_family
        'gaussian'
        >>> freealg.MLP(2, "relu").weight_family
        'orthogonal'
        """
        return _WEIGHT_FAMILY[self._init]

    def weight_variance(self, n_in, n_out):
        r"""Variance of one entry of a weight matrix ``n_out × n_in``:
        ``σ_w²/n_in`` (Gaussian and orthogonal inits; for orthogonal init
        ``σ_w O`` with ``O`` Haar of size ``n`` has ``E O_ij² = 1/n``) or
        ``σ_w² · 2/(n_in + n_out)`` (Glorot inits).

        Parameters
        ----------
        n_in, n_out : int >= 1
            Fan-in and fan-out of the layer.

        Returns
        -------
        float
            (exact ``Fraction`` when ``σ_w²`` is an int or Fraction).

        Raises
        ------
        InvalidArgumentTypeError
            A non-integer ``n_in`` or ``n_out``.
        InvalidArgumentError
            ``n_in < 1`` or ``n_out < 1``.
        TooLargeError
            A width above ``MAX_WIDTH`` (``10**12``).

        Examples
        --------
        >>> import freealg
        >>> freealg.MLP(2, "relu", init="glorot_uniform", sigma_w=1).weight_variance(300, 100)
        Fraction(1, 200)
        >>> freealg.MLP(2, "relu", init="glorot_uniform").weight_variance(300, 100)  # sigma_w = 1.0
        0.005
        >>> freealg.MLP(2, "relu", init="gaussian", sigma_w=2).weight_variance(300, 100)
        Fraction(1, 75)
        """
        n_in = check_int(n_in, "n_in", minimum=1, maximum=MAX_WIDTH)
        n_out = check_int(n_out, "n_out", minimum=1, maximum=MAX_WIDTH)
        s2 = self._sigma_w ** 2
        denom = (n_in + n_out) if self._init.startswith("glorot") else n_in
        num = 2 if self._init.startswith("glorot") else 1
        if isinstance(s2, (int, Fraction)):
            return Fraction(s2) * num / denom
        return s2 * num / denom

    @property
    def sigma_w(self):
        """Weight scale ``σ_w`` (kept in the kind it was given: int, Fraction, float, sympy)."""
        return self._sigma_w

    @property
    def sigma_b(self):
        """Bias standard deviation ``σ_b`` (kept in the kind it was given)."""
        return self._sigma_b

    @property
    def widths(self):
        """``(n_0, …, n_L)`` or ``None`` when only ratios were given."""
        return self._widths

    @property
    def ratios(self):
        """Relative widths ``(1, n_1/n_0, …, n_L/n_0)``."""
        return self._ratios

    @property
    def layer_ratios(self):
        """Aspect ratios ``n_ℓ / n_{ℓ-1}`` of ``W_ℓ`` (``ℓ = 1..L``)."""
        r = self._ratios
        return tuple(r[i + 1] / r[i] for i in range(self._depth))

    @property
    def is_square(self):
        """True when all widths are equal."""
        return all(r == 1 for r in self._ratios)

    @property
    def jacobian_convention(self):
        """``'seed'`` (``J = W_L D_{L-1} ⋯ D_1 W_1``) or ``'psg'``
        (``J = D_L W_L ⋯ D_1 W_1``)."""
        return self._convention

    @property
    def d_layers(self):
        """Layers ``ℓ`` whose ``D_ℓ`` appears in the Jacobian: ``(1..L−1)``
        for ``'seed'``, ``(1..L)`` for ``'psg'``."""
        last = self._depth - 1 if self._convention == "seed" else self._depth
        return tuple(range(1, last + 1))

    @property
    def weight_s1(self):
        r"""First coefficient ``s_1`` of ``σ_w² S_{WᵀW}(w) = 1 + s_1 w + …``
        for square layers (docs/theory.md §5): ``−1`` Gaussian, ``0`` orthogonal."""
        return -1 if self._init == "gaussian" else 0

    # -- identity -------------------------------------------------------------
    def _key(self):
        return (self._depth, self._activation, self._init, str(self._sigma_w), str(self._sigma_b),
                self._widths, tuple(str(r) for r in self._ratios), self._convention)

    def __eq__(self, other):
        return isinstance(other, MLP) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        act = self._activation
        a = repr(act.name) if act.name != "custom" else f"'{act.expr}'"
        if act.params:
            a = repr(act)
        s = (f"MLP(depth={self._depth}, activation={a}, init={self._init!r}, "
             f"sigma_w={self._sigma_w!r}, sigma_b={self._sigma_b!r}")
        if self._widths is not None:
            s += f", widths={self._widths!r}"
        elif not self.is_square:
            s += f", ratios=({', '.join(str(r) for r in self._ratios)})"
        if self._convention != "seed":
            s += f", jacobian_convention={self._convention!r}"
        return s + ")"

    def replace(self, **changes):
        """A copy with some parameters changed, e.g. ``net.replace(sigma_w=1.2)``.

        The other parameters are kept, widths (or ratios) included unless
        ``widths`` or ``ratios`` is changed.  A new ``depth`` without
        ``widths``/``ratios`` drops given widths (the copy has equal widths)
        and keeps given unequal ratios (whose length then no longer fits:
        pass ``widths`` or ``ratios`` with the new depth).

        Parameters
        ----------
        **changes
            Keyword arguments of :class:`MLP` (``depth``, ``activation``,
            ``init``, ``sigma_w``, ``sigma_b``, ``widths``, ``ratios``,
            ``jacobian_convention``) to change.

        Returns
        -------
        MLP
            A new network (this one is immutable and unchanged).

        Raises
        ------
        TypeError
            An unknown keyword.
        InvalidArgumentTypeError, InvalidArgumentError, TooLargeError, UnknownActivationError
            A changed value that the :class:`MLP` constructor refuses.

        Examples
        --------
        >>> import freealg
        >>> net = freealg.MLP(3, "relu", sigma_w=1.0)
        >>> net.replace(sigma_w=2, depth=5)
        MLP(depth=5, activation='relu', init='orthogonal', sigma_w=2, sigma_b=0.0)
        >>> net.sigma_w
        1.0
        """
        kw = dict(depth=self._depth, activation=self._activation, init=self._init,
                  sigma_w=self._sigma_w, sigma_b=self._sigma_b,
                  jacobian_convention=self._convention)
        if "widths" not in changes and "ratios" not in changes:
            if self._widths is not None:
                kw["widths"] = self._widths
            else:
                kw["ratios"] = self._ratios
        kw.update(changes)
        if "depth" in changes and "widths" not in changes and "ratios" not in changes:
            kw.pop("widths", None)
            if self.is_square:
                kw.pop("ratios", None)
        return MLP(**kw)

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

    def _repr_html_(self):
        """Notebook display: the network and its mean-field point (``q*``,
        ``χ``, phase); a quantity that cannot be computed shows its error."""
        import html

        from ..errors import FreealgError

        def field(fn):
            try:
                return html.escape(str(fn()))
            except FreealgError as exc:  # display only: the message is shown
                return f"<i>unavailable: {html.escape(str(exc))[:300]}</i>"

        rows = [("q*", field(self.q_star)), ("χ at q*", field(self.chi)), ("phase", field(self.phase))]
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
                       for k, v in rows)
        return f"<div><b>{html.escape(repr(self))}</b><table>{body}</table></div>"

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
        convention : {'seed', 'psg'}, optional
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
        Critical relu, orthogonal weights, seed convention: mean ``σ_w² χ² = 2``:

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

    # -- kernels (freealg.dnn.kernels) ------------------------------------------
    def nngp_kernel(self, X, X2=None):
        """NNGP kernel of the output (:func:`freealg.dnn.kernels.nngp_kernel`).

        ``Σ^1 = σ_w² x·x'/n_0 + σ_b²``, ``Σ^{ℓ+1} = σ_w² E[phi(u) phi(u')] + σ_b²``.

        Parameters
        ----------
        X : array_like, shape (n, n_0)
            Inputs as rows (a 1-D array is one input).
        X2 : array_like, shape (m, n_0), optional
            Second set of inputs; default ``X`` (the result is then symmetric).

        Returns
        -------
        numpy.ndarray, shape (n, m)
            ``Σ^L(x_i, x2_j)`` in float64.

        Raises
        ------
        InvalidArgumentTypeError
            Inputs that are not numeric arrays (e.g. a string).
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
        return kernels.nngp_kernel(self, X, X2)

    def ntk_kernel(self, X, X2=None):
        """NTK of the output (:func:`freealg.dnn.kernels.ntk_kernel`).

        NTK parameterisation: ``Θ^1 = Σ^1``,
        ``Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² Θ^ℓ E[phi'(u) phi'(u')]``.

        Parameters
        ----------
        X : array_like, shape (n, n_0)
            Inputs as rows (a 1-D array is one input).
        X2 : array_like, shape (m, n_0), optional
            Second set of inputs; default ``X``.

        Returns
        -------
        numpy.ndarray, shape (n, m)
            ``Θ^L(x_i, x2_j)`` in float64.

        Raises
        ------
        InvalidArgumentTypeError
            Inputs that are not numeric arrays (e.g. a string).
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
        return kernels.ntk_kernel(self, X, X2)

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
