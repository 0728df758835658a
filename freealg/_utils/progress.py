"""Progress bars (tqdm, the optional ``progress`` extra) and parallel task maps
(local processes, or any executor with ``submit`` — a
``concurrent.futures`` executor or a ``dask.distributed.Client``).

``progress``: ``None`` (default) shows a bar when standard error is a
terminal and tqdm is installed; ``True`` asks for one (an ``ImportError``
saying how to install tqdm if it is missing); ``False`` never; a callable is
called as ``progress(done, total)`` after each step (no bar).
"""

from __future__ import annotations

import os
import sys

from .validate import check_int, describe

__all__ = ["Progress", "ProgressCallback", "map_tasks", "cached_call", "check_progress", "check_jobs",
           "check_cache_dir", "progress_scope", "stage"]


def check_progress(progress, name="progress"):
    """Validate a ``progress`` argument (None, a bool or a callable)."""
    from ..errors import InvalidArgumentTypeError

    if progress is None or isinstance(progress, bool) or callable(progress):
        return progress
    raise InvalidArgumentTypeError(
        f"{name} must be None (a bar in a terminal), True, False or a callable "
        f"progress(done, total); got {describe(progress)} of type {type(progress).__name__}")


def check_jobs(n_jobs, executor=None):
    """``n_jobs``: a positive int, or ``-1`` for every core; ``executor``: None or
    an object with ``submit`` (``concurrent.futures`` executor, dask Client)."""
    from ..errors import InvalidArgumentError, InvalidArgumentTypeError

    n = check_int(n_jobs, "n_jobs", minimum=-1, maximum=4096)
    if n == 0:
        raise InvalidArgumentError("n_jobs must be a positive number of processes or -1 (every core); got 0")
    if n == -1:
        n = os.cpu_count() or 1
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InvalidArgumentTypeError(
            "executor must have a submit(fn, *args) method (a concurrent.futures executor or a "
            f"dask.distributed.Client); got {describe(executor)} of type {type(executor).__name__}")
    return n


class Progress:
    """A progress bar over ``total`` steps (a no-op when switched off).

    Examples
    --------
    >>> with Progress(3, "demo", progress=False) as bar:
    ...     for _ in range(3):
    ...         bar.update()
    >>> bar.done
    3
    """

    def __init__(self, total, desc="", progress=None, delay=0.0):
        progress = check_progress(progress)
        self.total = int(total)
        self.done = 0
        self._callback = progress if callable(progress) and not isinstance(progress, bool) else None
        self._bar = None
        want = progress is True or (progress is None and _stderr_is_tty())
        if want and self._callback is None:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                if progress is True:
                    raise ImportError(
                        "progress=True needs tqdm: pip install 'freealg-dnn[progress]'") from None
                tqdm = None
            if tqdm is not None:
                # delay: a bar appears only for work that lasts longer
                self._bar = tqdm(total=self.total, desc=desc, leave=True, file=sys.stderr,
                                 delay=float(delay))

    def update(self, n=1):
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(self.done, self.total)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class ProgressCallback:
    """A ``progress(done, total)`` callable that drives a tqdm bar created on
    its first call (when the total is known); for APIs that report progress
    through a callback.  ``progress`` as in :class:`Progress`.

    Examples
    --------
    >>> cb = ProgressCallback("demo", progress=False)
    >>> cb(1, 2); cb(2, 2)
    >>> cb.done
    2
    """

    def __init__(self, desc="", progress=None):
        self.desc = desc
        self.progress = check_progress(progress)
        self._bar = None
        self.done = 0

    def __call__(self, done, total):
        if self._bar is None:
            self._bar = Progress(total, self.desc, self.progress)
        self._bar.update(done - self.done)
        self.done = done
        if done >= total:
            self._bar.close()


import contextvars

# the bar of the single computation under way (see progress_scope); a context
# variable, so that threads computing at the same time do not share it
_CURRENT = contextvars.ContextVar("freealg_progress_bar", default=None)


class progress_scope:
    """A bar over the ``total`` stages of one long computation (a certified
    density: engine, grid values, polishing, special points, mass, moments,
    atoms), advanced by :func:`stage` from inside the computation.  It shows
    only when the work lasts more than ``delay`` seconds (2 s: a fast call
    prints nothing), in a terminal by default (``progress`` as in
    :class:`Progress`).  A computation inside another keeps the outer bar.

    Examples
    --------
    >>> with progress_scope(2, "demo", progress=False) as bar:
    ...     stage(); stage()
    >>> bar.done
    2
    """

    def __init__(self, total, desc="", progress=None, delay=2.0):
        self.bar = None if _CURRENT.get() is not None else Progress(total, desc, progress, delay=delay)
        self._token = None

    def __enter__(self):
        if self.bar is not None:
            self._token = _CURRENT.set(self.bar)
        return self.bar if self.bar is not None else _CURRENT.get()

    def __exit__(self, *exc):
        if self.bar is not None:
            if exc[0] is None and self.bar.done < self.bar.total:
                self.bar.update(self.bar.total - self.bar.done)
            self.bar.close()
            _CURRENT.reset(self._token)
        return False


def stage(n=1):
    """Advance the bar of the computation under way (a no-op without one)."""
    bar = _CURRENT.get()
    if bar is not None and bar.done + n <= bar.total:
        bar.update(n)


def _stderr_is_tty():
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def _cache_key(fn, task):
    import hashlib
    import pickle

    from .._version import __version__

    blob = pickle.dumps((fn.__module__, fn.__qualname__, task, __version__), protocol=4)
    return hashlib.sha256(blob).hexdigest()


def _cache_paths(cache_dir, fn, tasks):
    import pathlib

    from .._version import __version__

    root = pathlib.Path(cache_dir) / f"freealg-{__version__}"
    root.mkdir(parents=True, exist_ok=True)
    return [root / f"{_cache_key(fn, t)}.pkl" for t in tasks]


def _cache_load(path):
    import pickle

    with open(path, "rb") as fh:
        return pickle.load(fh)


def _cache_store(path, value):
    import os
    import pickle

    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(value, fh, protocol=4)
    os.replace(tmp, path)  # atomic: a reader never sees half a file


def check_cache_dir(cache_dir):
    """``cache_dir``: None or a directory path (str or os.PathLike)."""
    from ..errors import InvalidArgumentTypeError

    if cache_dir is None or isinstance(cache_dir, (str, os.PathLike)):
        return cache_dir
    raise InvalidArgumentTypeError(
        f"cache_dir must be a directory path (str or os.PathLike) or None; got "
        f"{describe(cache_dir)} of type {type(cache_dir).__name__}")


def cached_call(fn, task, cache_dir, compute=None):
    """``fn(task)`` (or ``compute()``), kept on disk under
    ``cache_dir/freealg-<version>/<sha256 of (fn, task, version)>.pkl`` -- the
    same files and keys as :func:`map_tasks` with ``cache_dir`` -- and read
    back instead of recomputed when the same task comes again.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     cached_call(abs, -3, d), cached_call(abs, -3, d)
    (3, 3)
    """
    check_cache_dir(cache_dir)
    (path,) = _cache_paths(cache_dir, fn, [task])
    if path.exists():
        return _cache_load(path)
    value = fn(task) if compute is None else compute()
    _cache_store(path, value)
    return value


def map_tasks(fn, tasks, *, n_jobs=1, executor=None, progress=None, desc="", cache_dir=None):
    """``[fn(t) for t in tasks]``, serially, in ``n_jobs`` local processes, or
    on ``executor``; the results are in task order whatever the schedule.

    ``cache_dir``: keep every result on disk under
    ``cache_dir/freealg-<version>/<sha256 of (function, task, version)>.pkl``
    and reuse it when the same task comes again (a rerun of a sweep computes
    only what is new; another package version never reads it).  The files
    are pickles: use a directory only you write to.

    ``fn`` and the tasks must be picklable for processes and clusters (a
    module-level function and plain data).  Inside a daemonic process (a
    ``multiprocessing.Pool`` worker), which cannot start processes, the tasks
    run serially.  Local processes start as fresh interpreters (forkserver),
    which import the calling script again: a script that uses ``n_jobs > 1``
    needs the usual ``if __name__ == "__main__":`` guard.  Give each task its
    own seed (e.g.
    from ``numpy.random.SeedSequence.spawn``) and the results do not depend
    on where or in which order the tasks ran.

    Examples
    --------
    >>> map_tasks(abs, [-1, 2, -3], progress=False)
    [1, 2, 3]
    """
    tasks = list(tasks)
    n = check_jobs(n_jobs, executor)
    if cache_dir is not None:
        check_cache_dir(cache_dir)
        paths = _cache_paths(cache_dir, fn, tasks)
        out = [None] * len(tasks)
        todo = []
        for k, path in enumerate(paths):
            if path.exists():
                out[k] = _cache_load(path)
            else:
                todo.append(k)
        fresh = map_tasks(fn, [tasks[k] for k in todo], n_jobs=n_jobs, executor=executor,
                          progress=progress, desc=desc) if todo else []
        for k, value in zip(todo, fresh):
            _cache_store(paths[k], value)
            out[k] = value
        return out
    if executor is None and n > 1:
        import multiprocessing

        if multiprocessing.current_process().daemon:
            # a daemonic worker (e.g. inside a multiprocessing.Pool) cannot
            # start processes: run here; the results do not depend on it
            n = 1
    with Progress(len(tasks), desc, progress) as bar:
        if executor is None and n == 1:
            out = []
            for t in tasks:
                out.append(fn(t))
                bar.update()
            return out
        own = None
        if executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fresh interpreters (forkserver): a forked copy of a process that
            # holds locks (numba, mpmath, BLAS threads) can deadlock
            own = executor = ProcessPoolExecutor(
                max_workers=min(n, max(1, len(tasks))),
                mp_context=multiprocessing.get_context("forkserver"))
        try:
            futures = [executor.submit(fn, t) for t in tasks]
            index = {f: k for k, f in enumerate(futures)}
            out = [None] * len(tasks)
            for f in _as_completed(executor, futures):
                out[index[f]] = f.result()
                bar.update()
            return out
        finally:
            if own is not None:
                own.shutdown(cancel_futures=True)


def _as_completed(executor, futures):
    mod = type(executor).__module__
    if mod.startswith("distributed"):
        from distributed import as_completed

        return as_completed(futures)
    from concurrent.futures import as_completed

    return as_completed(futures)
