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

* ``"preactivation"`` (default, docs/theory.md §1): ``J = ∂h_L/∂x_0 = W_L D_{L-1} ⋯ D_1 W_1``
  (``L − 1`` factors ``D``);
* ``"psg"`` (Pennington–Schoenholz–Ganguli): ``J = ∂x_L/∂x_0 =
  D_L W_L ⋯ D_1 W_1`` (``L`` factors ``D``).

The mean-field quantities (docs/theory.md §4, :mod:`freealg.dnn.meanfield`) and
the infinite-width kernels (docs/theory.md §7, :mod:`freealg.dnn.kernels`) are
methods of the object; they are computed on demand and cached.

The class is assembled from one mixin per concept, each a module of thin
delegates: ``_mlp_meanfield`` (q-map, ``q*``, ``χ``, c-map, depth scales),
``_mlp_spectra`` (backprop norms, the law of ``D²``, the Jacobian and FIM
laws) and ``_mlp_kernels`` (NNGP / NTK kernels and laws); this module holds
the specification and its validation.

Adding spectral methods later
-----------------------------
Spectral laws (``jacobian_law``, ``fim_law``) live in their own modules
(``freealg/dnn/jacobian.py``, ``freealg/dnn/fisher.py``) as functions whose
first argument is the net; the method on the mixin is a two-line delegate
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
('preactivation', (1, 2))
>>> round(net.chi(), 12)
1.0
"""

from __future__ import annotations

from fractions import Fraction

from .._utils.public import public_methods
from .._utils.validate import MAX_DEPTH, check_choice, check_int, check_real, describe
from ..activations import get_activation
from ..errors import InvalidArgumentError, InvalidArgumentTypeError
from ._conventions import JACOBIAN_CONVENTIONS, check_convention
from ._mlp_kernels import _KernelMethods
from ._mlp_meanfield import _MeanFieldMethods
from ._mlp_spectra import _SpectraMethods


__all__ = ["MLP", "JACOBIAN_CONVENTIONS", "INITS"]

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


@public_methods
class MLP(_MeanFieldMethods, _SpectraMethods, _KernelMethods):
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
    jacobian_convention : {'preactivation', 'psg'}
        Which ``D`` factors the input–output Jacobian contains (module
        docstring).  Default ``'preactivation'``.

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
                 widths=None, ratios=None, *, jacobian_convention="preactivation"):
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
        self._convention = check_convention(jacobian_convention, "jacobian_convention")
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
        """``'preactivation'`` (``J = W_L D_{L-1} ⋯ D_1 W_1``) or ``'psg'``
        (``J = D_L W_L ⋯ D_1 W_1``)."""
        return self._convention

    @property
    def d_layers(self):
        """Layers ``ℓ`` whose ``D_ℓ`` appears in the Jacobian: ``(1..L−1)``
        for ``'preactivation'``, ``(1..L)`` for ``'psg'``."""
        last = self._depth - 1 if self._convention == "preactivation" else self._depth
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
        if self._convention != "preactivation":
            s += f", jacobian_convention={self._convention!r}"
        return s + ")"

    def replace(self, **changes):
        """A copy with some parameters changed, e.g. ``net.replace(sigma_w=1.2)``.

        The other parameters are kept, widths (or ratios) included unless
        ``widths`` or ``ratios`` is changed.  A new ``depth`` without
        ``widths``/``ratios`` keeps equal widths equal; unequal widths or
        ratios do not fit the new depth and are refused (pass ``widths`` or
        ``ratios`` with the new depth).

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
            A changed value that the :class:`MLP` constructor refuses; a new
            ``depth`` for a net with unequal widths or ratios.

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
            if self._widths is not None and len(set(self._widths)) > 1:
                raise InvalidArgumentError(
                    f"replace(depth={changes['depth']!r}) on a net with unequal widths="
                    f"{list(self._widths)}: the widths do not fit the new depth; pass widths= "
                    "(one per layer boundary) together with depth")
            kw.pop("widths", None)
            if self.is_square:
                kw.pop("ratios", None)
        return MLP(**kw)

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
