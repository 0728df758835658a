"""freealg's private mpmath context, with one working precision per thread.

mpmath keeps its working precision in one process-global object,
``mpmath.mp``: ``mpmath.workdps(40)`` in one thread changes the precision of
every other thread, and two overlapping blocks restore each other's values,
so that results computed in a :class:`concurrent.futures.ThreadPoolExecutor`
came back at the wrong precision and the caller's ``mpmath.mp.dps`` was left
changed.  freealg therefore never uses ``mpmath.mp``.  Every module does ::

    from ._utils.mpctx import mpmath

and keeps writing ``mpmath.mpf``, ``mpmath.workdps(dps)``, ``mpmath.mp.dps``,
``mpmath.quad``, ``mpmath.polyroots``, ...: the name ``mpmath`` is then
:data:`mpmath`, one :class:`mpmath.ctx_mp.MPContext` private to freealg
whose precision is *thread-local*:

- ``mpmath.workdps``, ``mpmath.workprec``, ``mpmath.extradps``, assignments to
  ``mpmath.mp.dps`` / ``mpmath.mp.prec`` and every mpmath function called
  through it change the precision of the calling thread only;
- a thread in which freealg has not set a precision *inherits* the caller's
  global precision ``mpmath.mp.prec`` (read, never written), so functions
  documented as working "at the current mpmath precision" still follow the
  caller's ``mpmath.mp.dps``; saving a precision and assigning it back (as
  ``workdps`` does on exit) restores that inheritance.

Numbers.  The context's ``mpf``, ``mpc`` and ``constant`` classes are
subclasses of mpmath's global ones (``isinstance(x, mpmath.mpf)`` holds for
the values freealg returns, ``type(x).__module__`` starts with ``mpmath``,
sympy converts them, they pickle as global mpmath numbers).  The arithmetic of
a value uses the precision of the thread doing the arithmetic, so a returned
value behaves in the caller's code exactly like a global ``mpmath.mpf``; a
value shared between threads (a cache of quadrature nodes) is safe.  In the
other direction, ``isinstance(x, mpmath.mpf)`` inside freealg (``mpmath``
being this context) accepts the caller's global ``mpf`` too; convert such an
input with ``mpmath.mpf(x)`` / ``mpmath.mpmathify(x)`` before arithmetic,
because an operation whose *left* operand is a global ``mpf`` runs at the
global precision.

sympy.  ``sympy.lambdify(..., "mpmath")`` binds mpmath's global functions;
use ``modules=mpctx.lambdify_modules()`` instead.  (sympy's own numerical
evaluation of some special functions, ``Function._eval_evalf``, still wraps
itself in ``mpmath.workprec`` of the global context; that is sympy's code.)

Design.  One context with a thread-local precision rather than one context
per thread: an mpf does its arithmetic at the precision of its *class*'s
context, so with a context per thread a number created in one thread (a
cached quadrature node, a moment cached on a law object shared by two
threads, a value returned to the caller) would compute, in another thread, at
whatever precision its creator thread happens to be using.  Here every number
reads the precision of the thread doing the arithmetic.  The price is one
thread-local lookup per operation (C-level; about +250 ns on a 1.3 µs mpf
multiplication, 10-20 % on mpmath-heavy paths, nothing on float paths).

Examples
--------
>>> import mpmath as global_mpmath
>>> from freealg._utils.mpctx import mpmath
>>> global_mpmath.mp.dps
15
>>> with mpmath.workdps(40):
...     x = mpmath.sqrt(2)
...     global_mpmath.mp.dps                  # the caller's precision is untouched
15
>>> global_mpmath.nstr(x, 40)
'1.41421356237309504880168872420969807857'
>>> isinstance(x, global_mpmath.mpf)
True
>>> mpmath.mp.dps                             # inherits the caller's precision again
15
"""

from __future__ import annotations

import functools
import threading

import mpmath as _mpmath
from mpmath.ctx_mp import MPContext as _MPContext
from mpmath.ctx_mp_python import _mpc, _mpf
from mpmath.libmp import dps_to_prec, prec_to_dps, round_nearest

__all__ = ["mpmath", "lambdify_modules", "user_function"]

_GLOBAL = _mpmath.mp
_new = object.__new__


class _ThreadState(threading.local):
    """Working precision of the calling thread.  The class attributes are the
    defaults every thread starts from: *inherit* the global context's
    precision (``pr`` is the global context's own ``[prec, rounding]`` list,
    which mpmath updates in place, so it is always current).  A thread in which
    freealg sets a precision gets its own ``pr`` list and the matching
    ``_ctxdata`` lists of the number classes (``mpf_data``, ``mpc_data``),
    read by mpmath at every arithmetic operation through C-level attribute
    lookups (see ``_thread_attr``)."""

    inherit = True
    pr = _GLOBAL._prec_rounding
    dps = None
    mpf_data = None  # set once the classes exist (ThreadLocalContext._make_classes)
    mpc_data = None


_STATE = _ThreadState()
_OWN = ("inherit", "pr", "dps", "mpf_data", "mpc_data")


def _thread_attr(name):
    # property whose getter is C code: getattr(_STATE, name, <instance>); the
    # default is never used because _ThreadState defines every name
    return property(functools.partial(getattr, _STATE, name))


def _set_thread_prec(prec, dps):
    pr = [prec, round_nearest]
    _STATE.pr = pr
    _STATE.dps = dps
    _STATE.mpf_data = [_ThreadState.mpf_data[0], _new, pr]
    _STATE.mpc_data = [_ThreadState.mpc_data[0], _new, pr]
    _STATE.inherit = False


def _inherit():
    d = _STATE.__dict__
    for k in _OWN:
        d.pop(k, None)


class _Inherited(int):
    """A precision read while the thread inherits the global one.  Assigning
    it back (``old = mp.prec; ...; mp.prec = old``, as mpmath's ``workprec``
    and ``workdps`` do on exit) restores the inheritance instead of pinning
    the value."""

    __slots__ = ()


class _AnyMpf(type):
    """Metaclass of the private ``mpf``: ``isinstance(x, mpmath.mpf)`` accepts
    every mpmath real (the caller's global ``mpf`` and constants included)."""

    def __instancecheck__(cls, x):
        return isinstance(x, _mpf)

    def __subclasscheck__(cls, c):
        return issubclass(c, _mpf)


class _AnyMpc(type):
    """Metaclass of the private ``mpc`` (see :class:`_AnyMpf`)."""

    def __instancecheck__(cls, x):
        return isinstance(x, _mpc)

    def __subclasscheck__(cls, c):
        return issubclass(c, _mpc)


def _rebuild(cls_name, data):
    # pickles of private numbers unpickle as the global context's numbers
    if cls_name == "mpf":
        return _GLOBAL.make_mpf(data)
    return _GLOBAL.make_mpc(data)


def _reduce_mpf(self):
    return (_rebuild, ("mpf", self._mpf_))


def _reduce_mpc(self):
    return (_rebuild, ("mpc", self._mpc_))


class ThreadLocalContext(_MPContext):
    """An mpmath context whose working precision is per thread and, where
    freealg has not set one, the global context's (see the module
    docstring).  One instance per process, :data:`mpmath` (the thread state
    and the number classes' ``_ctxdata`` live at module level)."""

    # -------------------------------------------------------------- precision
    # the base class assigns a fresh list in __init__; precision lives in _STATE
    _prec_rounding = property(functools.partial(getattr, _STATE, "pr"), lambda ctx, value: None)

    @property
    def _prec(ctx):
        return _STATE.pr[0]

    @property
    def _dps(ctx):
        return _GLOBAL._dps if _STATE.inherit else _STATE.dps

    def _set_prec(ctx, n):
        if type(n) is _Inherited:
            _inherit()
        else:
            n = max(1, int(n))
            _set_thread_prec(n, prec_to_dps(n))

    def _set_dps(ctx, n):
        if type(n) is _Inherited:
            _inherit()
        else:
            _set_thread_prec(dps_to_prec(n), max(1, int(n)))

    def _read_prec(ctx):
        return _Inherited(_GLOBAL._prec) if _STATE.inherit else _STATE.pr[0]

    def _read_dps(ctx):
        return _Inherited(_GLOBAL._dps) if _STATE.inherit else _STATE.dps

    prec = property(_read_prec, _set_prec)
    dps = property(_read_dps, _set_dps)

    # follow the caller's printing preference; never store it here
    pretty = property(lambda ctx: _GLOBAL.pretty, lambda ctx, value: None)

    def default(ctx):
        """Make the calling thread inherit the global precision again."""
        if not getattr(ctx, "_classes_ready", False):
            ctx._make_classes()
        _inherit()
        ctx.trap_complex = False

    # ---------------------------------------------------------------- classes
    def _make_classes(ctx):
        # called once from MPContext.__init__ (through default()), before the
        # constants and wrapped functions are built from these classes
        g = _GLOBAL
        mod = "mpmath.ctx_mp_python"
        ctx.mpf = _AnyMpf("mpf", (g.mpf,), {"__module__": mod, "__reduce__": _reduce_mpf})
        ctx.mpc = _AnyMpc("mpc", (g.mpc,), {"__module__": mod, "__reduce__": _reduce_mpc})
        ctx.constant = type("constant", (g.constant,), {"__module__": mod, "__reduce__": _reduce_mpf})
        _ThreadState.mpf_data = [ctx.mpf, _new, _GLOBAL._prec_rounding]
        _ThreadState.mpc_data = [ctx.mpc, _new, _GLOBAL._prec_rounding]
        ctx.mpf._ctxdata = ctx.constant._ctxdata = _thread_attr("mpf_data")
        ctx.mpc._ctxdata = _thread_attr("mpc_data")
        for cls in (ctx.mpf, ctx.mpc, ctx.constant):
            cls.context = ctx
        ctx.types = [ctx.mpf, ctx.mpc, ctx.constant]
        ctx._classes_ready = True

    def __init__(ctx):
        if getattr(_ThreadState, "mpf_data", None) is not None:
            raise RuntimeError("freealg._utils.mpctx.mpmath is the only ThreadLocalContext")
        _MPContext.__init__(ctx)
        ctx.mp = ctx  # so that ``mpmath.mp.dps`` reads this context
        ctx.mpmathify = ctx.convert

    def __repr__(ctx):
        return f"<freealg thread-local mpmath context, dps={ctx.dps} in this thread>"


#: freealg's mpmath context (use it under the name ``mpmath``).
mpmath = ThreadLocalContext()


@functools.lru_cache(maxsize=1)
def _lambdify_namespace():
    import importlib

    _lam = importlib.import_module("sympy.utilities.lambdify")
    _lam._import("mpmath")
    by_id = {}
    for name, value in vars(_mpmath).items():
        by_id.setdefault(id(value), name)
    ns = {}
    for key, value in _lam.MPMATH.items():
        name = by_id.get(id(value))
        if name is None:
            continue
        ours = getattr(mpmath, name, None)
        if ours is not None and not isinstance(ours, type(_mpmath)):
            ns[key] = ours
    ns["mpmath"] = mpmath
    return ns


def lambdify_modules():
    """The ``modules`` argument for ``sympy.lambdify`` that evaluates with
    this context (at the calling thread's precision), in place of
    ``"mpmath"``, which binds the global context.

    Examples
    --------
    >>> import sympy
    >>> from freealg._utils.mpctx import lambdify_modules, mpmath
    >>> x = sympy.Symbol("x")
    >>> f = sympy.lambdify(x, sympy.erf(x) + sympy.pi, modules=lambdify_modules())
    >>> with mpmath.workdps(30):
    ...     print(mpmath.nstr(f(mpmath.mpf(1)), 30))
    3.98429344653950810780386401836
    """
    return [dict(_lambdify_namespace()), "mpmath"]


@functools.lru_cache(maxsize=1)
def _global_function_names():
    # id -> name of the callables of mpmath's namespace that this context has too
    out = {}
    for key, value in vars(_mpmath).items():
        if callable(value) and not isinstance(value, type) and callable(getattr(mpmath, key, None)):
            if not isinstance(getattr(mpmath, key), type):
                out[id(value)] = key
    return out


def user_function(f, name="f", dps=None):
    """A caller's callable, prepared to be evaluated in this context.

    freealg never raises the caller's global precision, so mpmath functions
    of the *global* context inside ``f`` compute at the caller's
    ``mpmath.mp.dps``, not at the precision freealg is working at.  Therefore:

    - a function of mpmath's global namespace passed itself (``mpmath.cos``,
      ``mpmath.erf``, ...) is replaced by this context's function of the
      same name (same algorithm, the working precision of the thread);
    - any other callable is called unchanged, but a value it returns that
      belongs to the global context (``mpmath.tanh(h) ** 2``, whose left
      operand is a global ``mpf``) while the caller's global precision is
      below the requested ``dps`` (default: the thread's working precision
      at the call) raises
      :class:`~freealg.errors.InvalidArgumentError` instead of passing
      silently lost digits on.

    Examples
    --------
    >>> import mpmath as global_mpmath
    >>> from freealg._utils.mpctx import mpmath, user_function
    >>> f = user_function(global_mpmath.cos)
    >>> with mpmath.workdps(30):
    ...     print(f(mpmath.mpf(1)))
    0.540302305868139717400936607443
    >>> g = user_function(lambda h: global_mpmath.cos(h) ** 2)
    >>> with mpmath.workdps(30):
    ...     g(mpmath.mpf(1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    freealg.errors.InvalidArgumentError: f returned ...
    """
    name_in_mpmath = _global_function_names().get(id(f))
    if name_in_mpmath is not None:
        return getattr(mpmath, name_in_mpmath)
    global_types = (_GLOBAL.mpf, _GLOBAL.mpc, _GLOBAL.constant)

    @functools.wraps(f)
    def checked(*args, **kwargs):
        v = f(*args, **kwargs)
        want = mpmath.dps if dps is None else dps
        if type(v) in global_types and _GLOBAL.dps < want:
            from ..errors import InvalidArgumentError

            raise InvalidArgumentError(
                f"{name} returned {v!r}, a number of mpmath's global context, which computes at "
                f"your mpmath.mp.dps = {_GLOBAL.dps} digits, while freealg works at "
                f"{want} digits here (freealg never changes mpmath.mp, so that threads "
                f"cannot disturb each other): write {name} with operators on its argument, "
                "pass the mpmath function itself (mpmath.cos) or a sympy expression, or set "
                f"mpmath.mp.dps to at least {want} yourself"
            )
        return v

    return checked
