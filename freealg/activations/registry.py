"""Look-up of activations: :func:`get_activation` by name (the table of
:mod:`freealg.activations.named`), from a sympy expression or from the text of
one (the whitelisted parser)."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from .._utils.mpctx import lambdify_modules, mpmath
from .._utils.validate import describe
from ..errors import InvalidArgumentError, InvalidArgumentTypeError, UnknownActivationError
from ._numbers import _X
from .core import Activation
from .named import _ALIASES, _SPECS, ACTIVATION_NAMES


def _custom(expr, breakpoints=None, name=None):
    free = sorted(expr.free_symbols, key=str)
    if len(free) != 1:
        raise InvalidArgumentError(
            f"a custom activation must be a sympy expression in exactly one variable; "
            f"{expr} has free symbols {free}. Substitute numbers for parameters first."
        )
    x0 = free[0]
    # differentiate along the real line: a plain Symbol would give
    # d|x|/dx in terms of re(x), im(x)
    x = sp.Symbol(x0.name, real=True)
    expr = expr.subs(x0, x)
    dexpr = sp.diff(expr, x)
    phi_np = sp.lambdify(x, expr, modules="numpy")
    dphi_np_raw = sp.lambdify(x, dexpr, modules="numpy")
    phi_mp = sp.lambdify(x, expr, modules=lambdify_modules())
    dphi_mp = sp.lambdify(x, dexpr, modules=lambdify_modules())

    def dphi_np(v):
        out = dphi_np_raw(v)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(v)).copy()

    def phi_np_b(v):
        out = phi_np(v)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(v)).copy()

    # sanity: real and finite at a few points
    for t in (-1.5, -0.3, 0.7, 2.0):
        try:
            val = complex(expr.subs(x, t).evalf())
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"custom activation {expr} cannot be evaluated at x = {t}: {exc}"
            ) from exc
        if val.imag != 0 or not math.isfinite(val.real):
            raise InvalidArgumentError(
                f"custom activation {expr} must be real and finite on the real line; "
                f"at x = {t} it is {val}"
            )
    bps = tuple(breakpoints or ())
    for b in bps:
        if not math.isfinite(float(b)):
            raise InvalidArgumentError(f"breakpoints must be finite; got {b!r}")
    act = Activation(
        "custom", expr, x, phi_np=phi_np_b, dphi_np=dphi_np,
        phi_mp=lambda v: _real_mp(phi_mp(v), expr),
        dphi_mp=lambda v: _real_mp(dphi_mp(v), dexpr),
        breakpoints=bps,
    )
    if name is not None:
        act.label = str(name)
    return act


def _real_mp(v, expr):
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise InvalidArgumentError(f"custom activation {expr} took the complex value {v}")
        return v.real
    return mpmath.mpf(v)


def _rebuild_activation(name_or_expr, params):
    return get_activation(name_or_expr, **params)


def get_activation(name_or_expr, **params):
    r"""Return an :class:`Activation` by name or from a sympy expression.

    Definitions: ``gelu(x) = x Φ(x)`` (exact, with the normal cdf, not the tanh
    approximation); ``silu(x) = x sigmoid(x)``; ``hardtanh = clip(x, -1, 1)``.

    Parameters
    ----------
    name_or_expr : str, sympy.Expr or Activation
        One of ``linear``, ``relu``, ``leaky_relu``, ``hardtanh``, ``tanh``,
        ``erf``, ``sigmoid``, ``silu`` (alias ``swish``), ``gelu`` (case
        insensitive); or a sympy expression in one variable (``phi'`` is
        derived symbolically and both are lambdified for numpy and mpmath),
        or the text of one in ``x`` (``"tanh(x) + x/10"``; numbers, ``pi``,
        ``e``, ``+ - * / ^``, ``sqrt exp log tanh sinh cosh sin cos atan erf
        abs max min``);
        an :class:`Activation` is returned unchanged.
    **params
        ``slope`` for ``leaky_relu`` (default ``0.01``).  For a sympy
        expression: ``breakpoints`` (kinks, used to split quadratures) and
        ``name`` (a label).

    Returns
    -------
    Activation
        The activation (the same object if an :class:`Activation` is given).

    Raises
    ------
    UnknownActivationError
        For an unknown name (the message lists the valid names), or text that
        does not parse as an expression in ``x``.
    TooLargeError
        For expression text beyond the parser's size limits (e.g. a huge
        exponent), raised before any work.
    InvalidArgumentTypeError
        If ``name_or_expr`` is not a str, sympy expression or Activation.
    InvalidArgumentError
        For unexpected or invalid parameters, or an expression that is not in
        exactly one variable.

    Examples
    --------
    >>> import sympy
    >>> from freealg.activations import get_activation
    >>> x = sympy.Symbol("x")
    >>> cube = get_activation(x + x**3 / 3)
    >>> cube.dexpr
    x**2 + 1
    >>> cube.gaussian_expectation("dphi", 1)         # E[1 + h^2] = 2
    mpf('2.0')
    >>> get_activation("softmax")
    Traceback (most recent call last):
    ...
    freealg.errors.UnknownActivationError: unknown activation 'softmax'; valid names: linear, relu, leaky_relu, hardtanh, tanh, erf, sigmoid, silu, swish, gelu (or pass a sympy expression in one variable, or text such as 'tanh(x) + x/10')

    Text that is not a name is read as a function of ``x`` by a whitelisted
    parser (never ``eval``/``sympify``):

    >>> get_activation("tanh(x) + x/10").dexpr
    11/10 - tanh(x)**2
    """
    if not isinstance(name_or_expr, (str, Activation, sp.Basic)):
        raise InvalidArgumentTypeError(
            f"activation must be a name (str), a sympy expression in one variable or an "
            f"Activation; got {describe(name_or_expr)} of type {type(name_or_expr).__name__}. "
            f"Valid names: {_valid_names()}"
        )
    if isinstance(name_or_expr, Activation):
        if params:
            raise InvalidArgumentError(
                f"parameters {sorted(params)} given with an Activation object {name_or_expr!r}"
            )
        return name_or_expr
    if isinstance(name_or_expr, sp.Basic):
        extra = set(params) - {"breakpoints", "name"}
        if extra:
            raise InvalidArgumentError(
                f"unexpected parameters {sorted(extra)} for a sympy activation; "
                "allowed: breakpoints, name"
            )
        return _custom(name_or_expr, **params)
    if not isinstance(name_or_expr, str):
        raise UnknownActivationError(
            f"an activation is a name (str) or a sympy expression; got {name_or_expr!r} "
            f"of type {type(name_or_expr).__name__}. Valid names: {_valid_names()}"
        )
    key = name_or_expr.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ACTIVATION_NAMES:
        return _from_text(name_or_expr, params)
    return _build_named(key, params)


def _from_text(text, params):
    """The activation written as text of a function of ``x``, read by the
    whitelisted parser (never sympify/eval); text that is neither a name nor
    an expression is an UnknownActivationError listing the valid names."""
    if not (any(c in text for c in "()+-*/^") or text.strip() == "x"):
        raise UnknownActivationError(
            f"unknown activation {text!r}; valid names: {_valid_names()} "
            "(or pass a sympy expression in one variable, or text such as 'tanh(x) + x/10')"
        )
    from .._utils.safeparse import parse_function
    from ..errors import TooLargeError

    extra = set(params) - {"breakpoints", "name"}
    if extra:
        raise InvalidArgumentError(
            f"unexpected parameters {sorted(extra)} for an activation expression; "
            "allowed: breakpoints, name"
        )
    try:
        expr = parse_function(text, "x", name="activation")
    except TooLargeError:
        raise
    except InvalidArgumentError as exc:
        raise UnknownActivationError(
            f"{text!r} is neither an activation name ({_valid_names()}) nor an "
            f"expression in x: {exc}"
        ) from None
    params.setdefault("name", text.strip())
    return _custom(expr, **params)


def _build_named(key, params):
    """The named activation ``key`` of the table, its parameters checked."""
    spec = _SPECS[key]
    allowed = [p for p, _, _ in spec.params]
    extra = set(params) - set(allowed)
    if extra:
        raise InvalidArgumentError(
            f"unexpected parameters {sorted(extra)} for activation {key!r}; "
            + ("it takes only " + ", ".join(repr(p) for p in allowed) if allowed else "it takes none")
        )
    params = spec.check_params(params)
    return Activation(key, spec.expr(_X, params), _X, **spec.activation_kwargs(params))


def _valid_names():
    names = []
    for key in ACTIVATION_NAMES:
        names.append(key)
        names.extend(a for a in _ALIASES if _ALIASES[a] == key)
    return ", ".join(names)
