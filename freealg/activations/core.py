"""The :class:`Activation` class: ``phi`` and ``phi'`` in three number kinds,
identity (equality, hashing, pickling by definition) and display.  The Gaussian
expectations come from :mod:`freealg.activations.expectations`."""

from __future__ import annotations

import sympy as sp

from .._utils.mpctx import mpmath
from .._utils.validate import check_real
from ._numbers import _float_array
from .expectations import _GaussianExpectations
from .named import _SPECS


_EVAL_DOCS = {
    "np": ("vectorised over a numpy float array", """x : float or array_like of float
            Finite real points.""", """numpy.ndarray or numpy.float64
            ``{f}`` in float64, of the shape of ``x``.""", """InvalidArgumentTypeError
            If ``x`` is not numeric (None, bool, text, ragged).
        InvalidArgumentError
            If an entry is NaN, infinite or complex."""),
    "mp": ("for an mpmath scalar, at the current mpmath precision", """x : mpmath.mpf or real number
            A non-mpmath real is converted with ``mpmath.mpf``.""", """mpmath.mpf
            ``{f}``.""", """InvalidArgumentTypeError
            If ``x`` is not a real number.
        InvalidArgumentError
            If ``x`` is NaN or infinite."""),
}


def _evaluator(which, kind, example, output):
    """The :class:`Activation` method evaluating ``phi`` (``which="phi"``) or
    ``phi'`` (``"dphi"``) in float64 arrays (``kind="np"``) or mpmath
    (``"mp"``): it checks ``x`` and calls the callable the registry built
    (``_phi_np``, ``_dphi_mp``, ...); ``example`` and ``output`` make the
    docstring's example."""
    attr = f"_{which}_{kind}"
    name = which if kind == "np" else f"{which}_mp"
    f = "phi(x)" if which == "phi" else "phi'(x)"
    summary, param, returns, raises = _EVAL_DOCS[kind]

    if kind == "np":
        def evaluate(self, x):
            return getattr(self, attr)(_float_array(x, "x"))
    else:
        def evaluate(self, x):
            return getattr(self, attr)(x if isinstance(x, mpmath.mpf) else mpmath.mpf(check_real(x, "x")))

    evaluate.__name__ = name
    evaluate.__qualname__ = f"Activation.{name}"
    also = "\n\n        Also the instance's ``__call__``." if name == "phi" else ""
    evaluate.__doc__ = f"""``{f}``, {summary}.{also}

        Parameters
        ----------
        {param}

        Returns
        -------
        {returns.format(f=f)}

        Raises
        ------
        {raises}

        Examples
        --------
        >>> from freealg.activations import get_activation
        >>> {example}
        {output}
        """
    return evaluate


class Activation(_GaussianExpectations):
    r"""An activation function ``phi`` with ``phi'`` and Gaussian expectations.

    Build one with :func:`get_activation`; do not call the constructor.

    Attributes
    ----------
    name : str
        ``'relu'``, ``'leaky_relu'``, ... or ``'custom'`` for a sympy
        expression.
    params : dict
        Parameters (``{'slope': a}`` for leaky_relu, else empty).
    symbol : sympy.Symbol
        The variable of :attr:`expr`.
    expr, dexpr : sympy.Expr
        ``phi`` and ``phi'`` as sympy expressions (``Max``/``Min``/
        ``Piecewise`` for the piecewise ones).
    piecewise_linear : bool
        True for linear, relu, leaky_relu, hardtanh: then ``phi'(h)^2`` takes
        finitely many values and :meth:`dphi_values_probabilities` gives its
        law exactly.
    breakpoints : tuple
        Kinks of ``phi`` (``(0,)`` for relu, ``(-1, 1)`` for hardtanh).
    positively_homogeneous : bool
        ``phi(c x) = c phi(x)`` for ``c > 0`` (linear, relu, leaky_relu): then
        the law of ``phi'(h)`` does not depend on ``q``, and ``q = 0`` is read
        as the limit ``q -> 0+``.

    Parameters
    ----------
    name : str
        A name of :data:`ACTIVATION_NAMES` or ``'custom'``.
    expr : sympy.Expr
        ``phi`` as a sympy expression in ``symbol``.
    symbol : sympy.Symbol
        The variable of ``expr``.
    params : dict or None, default None
        Parameters of the named activation (``{'slope': a}`` for leaky_relu).
    phi_np, dphi_np : callable
        ``phi`` and ``phi'`` on float64 arrays.
    phi_mp, dphi_mp : callable
        ``phi`` and ``phi'`` on mpmath scalars.
    breakpoints : tuple of real, default ()
        Kinks of ``phi`` (quadrature split points).
    piecewise_linear, positively_homogeneous : bool, default False
        See the attributes of the same names.
    closed : dict or None, default None
        Closed forms ``{which: f(q, backend)}`` of the Gaussian expectations
        (``which`` in ``'phi', 'phi2', 'dphi', 'dphi2'``).
    dphi2_law : callable or None, default None
        ``(q, backend) -> [(value, probability), ...]``, the law of
        ``phi'(h)^2`` for piecewise-linear activations.
    dphi2_moment : callable or None, default None
        ``(q, k, backend) -> E[phi'(h)^(2k)]`` in closed form.

    Raises
    ------
    KeyError
        If ``name`` is neither ``'custom'`` nor a built-in name.  The
        constructor validates nothing else; use :func:`get_activation`.

    Examples
    --------
    >>> from freealg.activations import get_activation
    >>> th = get_activation("tanh")
    >>> th.dphi(0.0)
    np.float64(1.0)
    >>> th.expr, th.dexpr
    (tanh(x), 1 - tanh(x)**2)
    >>> float(th.gaussian_expectation("dphi2", 0.0))
    1.0
    """

    def __init__(self, name, expr, symbol, *, params=None, phi_np=None, dphi_np=None,
                 phi_mp=None, dphi_mp=None, breakpoints=(), piecewise_linear=False,
                 positively_homogeneous=False, closed=None, dphi2_law=None,
                 dphi2_moment=None):
        self.name = name
        self.params = dict(params or {})
        self.symbol = symbol
        self.expr = expr
        self.dexpr = sp.diff(expr, symbol) if name == "custom" else _SPECS[name].dexpr(symbol, self.params)
        self.breakpoints = tuple(breakpoints)
        self.piecewise_linear = bool(piecewise_linear)
        self.positively_homogeneous = bool(positively_homogeneous)
        self._phi_np = phi_np
        self._dphi_np = dphi_np
        self._phi_mp = phi_mp
        self._dphi_mp = dphi_mp
        self._closed = dict(closed or {})
        self._dphi2_law = dphi2_law
        self._dphi2_moment = dphi2_moment

    # -- evaluation -----------------------------------------------------
    phi = _evaluator("phi", "np", 'relu = get_activation("relu")\n        >>> relu([-1.0, 2.0])',
                     "array([0., 2.])")
    __call__ = phi
    dphi = _evaluator("dphi", "np", 'get_activation("relu").dphi([-1.0, 2.0])', "array([0., 1.])")
    phi_mp = _evaluator("phi", "mp", 'get_activation("tanh").phi_mp(0)', "mpf('0.0')")
    dphi_mp = _evaluator("dphi", "mp", 'get_activation("relu").dphi_mp(2)', "mpf('1.0')")

    # -- identity -----------------------------------------------------
    def _key(self):
        if self.name == "custom":
            return ("custom", sp.srepr(self.expr), self.breakpoints)
        return (self.name, tuple(sorted((k, str(v)) for k, v in self.params.items())))

    def __eq__(self, other):
        return isinstance(other, Activation) and self._key() == other._key()

    def __reduce__(self):
        # pickled by its definition (the lambdified callables are rebuilt), so
        # that activations travel to worker processes and dask clusters
        from .registry import _rebuild_activation

        if self.name == "custom":
            params = {"breakpoints": self.breakpoints} if self.breakpoints else {}
            if getattr(self, "label", None) is not None:
                params["name"] = self.label
            return (_rebuild_activation, (self.expr, params))
        return (_rebuild_activation, (self.name, self.params))

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.name == "custom":
            return f"Activation({self.expr})"
        if self.params:
            inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
            return f"Activation('{self.name}', {inner})"
        return f"Activation('{self.name}')"

    def _repr_latex_(self):
        return f"$\\phi({sp.latex(self.symbol)}) = {sp.latex(self.expr)}$"

