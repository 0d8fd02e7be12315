"""The main-process side of DataLoader(num_workers>0) (torch's _MultiProcessingDataLoaderIter).

Tasks (a task index and the sampler's keys) go round-robin to the workers' index queues,
at most ``prefetch_factor`` per worker ahead; results come back on one queue in any order
and are handed out in task order (``in_order=True``) or as they arrive.  Waiting on the
result queue also waits on the workers' process sentinels, so a worker that dies is noticed
at once instead of after a poll interval.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import sys
import time
import warnings
from multiprocessing import forkserver
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler

import numpy as np

from ._collate import default_collate, default_convert, materialize
from ._worker import (
    ExceptionWrapper,
    _Cargo,
    _IterableDatasetStopIteration,
    _ResumeIteration,
    _worker_loop,
)

__all__ = ["_MultiProcessingDataLoaderIter"]

# torchlike forks after JAX started only when asked to (multiprocessing_context='fork') or
# after warning itself (an unpicklable dataset); JAX's warning would repeat per worker.
_JAX_FORK_WARNING = r"os\.fork\(\) was called"
_WORKER_MODULE = "torchlike.utils.data._worker"  # imported once by the fork server
_guarded: dict[str, bool] = {}  # main script path -> has a __main__ guard
_warned_fork = False


def _jax_started() -> bool:
    bridge = sys.modules.get("jax._src.xla_bridge")
    return bridge is not None and bridge.backends_are_initialized()


def _start_method(loader, handed: tuple):
    """(multiprocessing context, cargo) for this loader's workers.

    An explicit ``multiprocessing_context`` is used as given.  By default Python's default
    start method is used, as torch does, except that fork is replaced by forkserver once
    this process has started JAX: a forked child inherits JAX's runtime without its threads,
    and a worker that then runs a torchlike op can deadlock or abort.  The fork server is
    started once per process (with torchlike imported) and forks clean workers quickly.
    When forkserver cannot work (``_fork_server_refusal``) the workers are forked, with a
    warning, since a worker that keeps to numpy is safe there.
    """
    global _warned_fork
    ctx = loader.multiprocessing_context
    if ctx is not None:
        return ctx, _Cargo(handed)
    ctx = multiprocessing.get_context()
    if ctx.get_start_method() != "fork" or not _jax_started():
        return ctx, _Cargo(handed)
    try:
        blob = bytes(ForkingPickler.dumps(handed))
        refusal = _fork_server_refusal(blob)
    except Exception as exc:  # pickling raises many kinds (PicklingError, TypeError, ...)
        refusal = f"the dataset, collate_fn or worker_init_fn cannot be pickled ({exc})"
    if refusal is None:
        return _fork_server(), _Cargo(blob=blob)
    if not _warned_fork:
        _warned_fork = True
        warnings.warn(
            f"DataLoader: {refusal}, so workers are forked from this process, whose JAX "
            "runtime is running: a worker that runs torchlike ops may deadlock (one that "
            "keeps to numpy is fine).  Define datasets and functions at module level in a "
            "script guarded by `if __name__ == '__main__':` to use the fork server, or pass "
            "multiprocessing_context='fork' to choose fork explicitly.  (Warned once.)",
            RuntimeWarning, stacklevel=5)  # the user's `for batch in loader`
    return ctx, _Cargo(handed)


def _fork_server_refusal(blob: bytes | None) -> str | None:
    """Why forkserver workers cannot run this program's loader, or None.

    A forkserver worker imports the main module (as ``__mp_main__``) to find what was
    defined there: an unguarded script would run its training again in every worker, and
    an interactive session (a notebook, ``python -c``) has no module to import.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        if blob is not None and b"__main__" in blob:
            return ("the dataset, collate_fn or worker_init_fn is defined in an interactive "
                    "session, which worker processes cannot import")
        return None
    if path not in _guarded:
        try:
            with open(path, encoding="utf-8", errors="replace") as source:
                _guarded[path] = "__main__" in source.read()
        except OSError:
            _guarded[path] = True  # nothing to judge by: let multiprocessing try
    if not _guarded[path]:
        return f"the main script {os.path.basename(path)} has no `if __name__ == '__main__':` guard"
    return None


def _fork_server():
    """The forkserver context, its server importing torchlike's worker module once."""
    server = multiprocessing.get_context("forkserver")
    preload = list(getattr(forkserver._forkserver, "_preload_modules", None) or ["__main__"])
    if _WORKER_MODULE not in preload:
        server.set_forkserver_preload([*preload, _WORKER_MODULE])
    return server


def prestart_fork_server(loader) -> None:
    """Start the fork server in the background when this loader's workers may need it, so
    its one import of torchlike overlaps what the program does before iterating (typically
    building the model, which starts JAX and so makes the workers need the server)."""
    # (get_start_method(allow_none=False) would fix the default start method for the program)
    method = multiprocessing.get_start_method(allow_none=True) or \
        multiprocessing.get_all_start_methods()[0]
    if loader.multiprocessing_context is None and method == "fork" and \
            _fork_server_refusal(None) is None:
        _fork_server()
        forkserver.ensure_running()


def _draw_base_seed(generator) -> int:
    """A 63-bit base seed that consumes one draw of the loader's generator (or the default
    one), as torch's does; derived with numpy from the draw's (key, counter), so the main
    process need not start JAX for it."""
    from ..._ops.random import default_generator

    key, counter = (generator or default_generator)._next()
    words = [*map(int, key), counter & 0xFFFFFFFF, counter >> 32]
    return int(np.random.SeedSequence(words).generate_state(1, np.uint64)[0] >> 1)


class _MultiProcessingDataLoaderIter:
    """The iterator a DataLoader with ``num_workers > 0`` returns."""

    def __init__(self, loader) -> None:
        self._dataset = loader.dataset
        self._iterable_style = loader._iterable_style
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        self._shutdown = True  # until the workers exist
        self._workers: list = []
        collate_fn = loader.collate_fn
        collate_kind = ("collate" if collate_fn is default_collate
                        else "convert" if collate_fn is default_convert else "custom")
        self._finish = {"collate": materialize, "convert": default_convert}.get(collate_kind)
        self._base_seed = _draw_base_seed(loader.generator)
        ctx, cargo = _start_method(loader, (loader.dataset, collate_fn, loader.worker_init_fn))
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues = []
        fork = ctx.get_start_method() == "fork"
        try:
            for worker_id in range(self._num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()
                proc = ctx.Process(target=_worker_loop, daemon=True, args=(
                    self._iterable_style, cargo, index_queue, self._result_queue,
                    self._done_event, loader._auto_collation, collate_kind, loader.drop_last,
                    self._base_seed, worker_id, self._num_workers))
                with warnings.catch_warnings():
                    if fork:
                        warnings.filterwarnings("ignore", _JAX_FORK_WARNING, RuntimeWarning)
                    proc.start()
                self._index_queues.append(index_queue)
                self._workers.append(proc)
                self._shutdown = False
        except BaseException:
            self._shutdown_workers()
            raise
        self._reported_len = loader._reported_len
        self._reset(first=True)

    # -- epochs ---------------------------------------------------------------------------

    def _reset(self, loader=None, first: bool = False) -> None:
        self._keys = iter(self._index_sampler)
        self._num_yielded = 0
        if loader is not None:
            self._reported_len = loader._reported_len
        self._send_idx = 0  # next task to send
        self._rcvd_idx = 0  # next task to hand out
        self._task_info: dict[int, tuple] = {}  # task -> (worker,) or (worker, data)
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._worker_tasks = [0] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        if not first:
            # a persistent worker acknowledges the new epoch; results of the last epoch's
            # unconsumed tasks that arrive before the acknowledgement are dropped
            for q in self._index_queues:
                q.put(_ResumeIteration())
            acks = self._num_workers
            while acks:
                idx, _ = self._get_data()
                acks -= isinstance(idx, _ResumeIteration)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def __iter__(self) -> _MultiProcessingDataLoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")

    # -- sending ---------------------------------------------------------------------------

    def _try_put_index(self) -> None:
        limit = self._prefetch_factor * self._num_workers
        try:
            keys = next(self._keys)
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker with room, if any
            worker = next(self._cycle)
            if self._active[worker] and (
                    self._in_order
                    or self._worker_tasks[worker] < limit // sum(self._active)):
                break
        else:
            return
        self._index_queues[worker].put((self._send_idx, keys))
        self._task_info[self._send_idx] = (worker,)
        self._worker_tasks[worker] += 1
        self._outstanding += 1
        self._send_idx += 1

    def _mark_worker_as_unavailable(self, worker: int) -> None:
        self._index_queues[worker].put(None)  # lets the worker leave its loop
        self._active[worker] = False

    # -- receiving -------------------------------------------------------------------------

    def _get_data(self):
        """The next (task, data) from any worker; raises if a worker died or on timeout."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        reader = self._result_queue._reader
        while True:
            watched = {w.sentinel: i for i, w in enumerate(self._workers) if self._active[i]}
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = wait([reader, *watched], left)
            if reader in ready or not ready:
                try:
                    return self._result_queue.get(timeout=0.05 if ready else 0)
                except queue.Empty:
                    if not ready and deadline is not None:
                        self._shutdown_workers(wait=False)
                        raise RuntimeError(
                            f"DataLoader timed out after {self._timeout} seconds") from None
                    continue
            dead = [self._workers[watched[s]] for s in ready if s in watched]
            if dead:
                for proc in dead:
                    self._active[self._workers.index(proc)] = False
                pids = ", ".join(str(proc.pid) for proc in dead)
                self._shutdown_workers(wait=False)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._reported_len is not None and self._num_yielded > self._reported_len:
            warnings.warn(
                f"Length of IterableDataset {self._dataset} was reported to be "
                f"{self._reported_len}(when accessing len(dataloader)), but "
                f"{self._num_yielded} samples have been fetched. For multiprocessing "
                "data-loading, this could be caused by not properly configuring the "
                "IterableDataset replica at each worker. Please see "
                "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset "
                "for examples.", stacklevel=2)
        return data

    def _next_data(self):
        while True:
            # skip tasks of workers that ended without answering them
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info and (len(info) == 2 or self._active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process(data, worker)
            if self._shutdown:
                raise StopIteration
            idx, data = self._get_data()
            self._outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent:
                    self._active[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx and self._in_order:
                self._task_info[idx] += (data,)
                continue
            worker = self._task_info.pop(idx)[0]
            if idx == self._rcvd_idx:
                self._rcvd_idx += 1
            return self._process(data, worker)

    def _process(self, data, worker: int):
        self._worker_tasks[worker] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data if self._finish is None else self._finish(data)

    # -- shutting down ---------------------------------------------------------------------

    def _shutdown_workers(self, wait: bool = True) -> None:
        """Stop and join every worker, terminating stragglers (at once unless ``wait``: after
        a timeout or a death the others may be stuck in a sample); safe to call twice."""
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for worker, proc in enumerate(self._workers):
                if proc.is_alive():
                    self._index_queues[worker].put(None)
            for proc in self._workers if wait else ():
                proc.join(timeout=5.0)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
            self._result_queue.cancel_join_thread()
            self._result_queue.close()
        finally:
            for proc in self._workers:
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5.0)

    def __del__(self) -> None:
        try:
            # in a forked worker the inherited copy of an iterator is not its owner
            if self._workers and self._workers[0]._parent_pid != os.getpid():
                return
            self._shutdown_workers()
        except Exception:
            pass  # at interpreter exit modules may be gone; multiprocessing ends daemons
