"""The worker-process side of DataLoader(num_workers>0) (torch.utils.data._utils.worker).

A worker reads index lists from its own queue, fetches and collates the samples, and puts
``(task index, batch)`` on the shared result queue.  With the default collate the batch is
built from numpy (``_collate.numpy_collate``), so a worker whose dataset yields numpy arrays,
Python numbers or PIL images never starts a JAX backend; the main process turns the batch
into Tensors.  A worker that does touch torchlike (a dataset holding Tensors, a custom
``collate_fn`` returning Tensors) starts JAX on CPU in that worker; see ``_jax_for_worker``.
"""

from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ExceptionWrapper", "WorkerInfo", "get_worker_info"]

# how long a worker waits on its queue before checking that the main process still lives
MP_STATUS_CHECK_INTERVAL = 5.0

_worker_info: WorkerInfo | None = None
_inherited_runtime: list = []  # pieces of the parent's JAX runtime that must never be freed


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """torch.utils.data._utils.worker.WorkerInfo (frozen: fields cannot be reassigned)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """torch.utils.data.get_worker_info: this worker's WorkerInfo, None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's iterable-style dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Start a new epoch on a persistent worker (it answers with the same object)."""

    seed: int | None = None


class KeyErrorMessage(str):
    """A KeyError's message printed as is (KeyError would repr() it)."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """torch._utils.ExceptionWrapper: an exception with its traceback, sent as text."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception's class with where it came from and its traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            # exceptions whose constructor takes the text as a keyword only
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            # no exception -> traceback -> this frame -> exception cycle: the iterator whose
            # frames the traceback holds is freed (and its workers ended) with the exception
            exc = None


class _Cargo:
    """What a worker is handed: (dataset, collate_fn, worker_init_fn).

    Under fork it is the objects themselves.  Otherwise it travels as pickled bytes that
    ``get()`` unpickles inside the worker, after the worker pinned JAX to CPU, so a dataset
    holding Tensors cannot make a worker start an accelerator backend.
    """

    def __init__(self, obj: Any = None, blob: bytes | None = None) -> None:
        self._obj = obj
        self._blob = blob

    def __reduce__(self):
        blob = self._blob
        if blob is None:
            from multiprocessing.reduction import ForkingPickler

            blob = bytes(ForkingPickler.dumps(self._obj))
        return (_Cargo, (None, blob))

    def get(self) -> Any:
        if self._blob is not None:
            import pickle

            self._obj, self._blob = pickle.loads(self._blob), None
        return self._obj


def _jax_for_worker() -> bool:
    """Make JAX usable in this worker: CPU only, and never the parent's runtime.

    A forked child inherits the parent's JAX client but not its threads, so any computation
    on it deadlocks.  If the parent had started JAX, drop the inherited backends (the next
    JAX call builds a fresh CPU client here) and return True: the caller then re-homes the
    Tensors it was handed (``_rehome_tensors``).
    """
    os.environ["JAX_PLATFORMS"] = "cpu"  # for anything this worker starts
    jax_mod = sys.modules.get("jax")
    if jax_mod is None:
        return False
    from jax._src import xla_bridge

    inherited = xla_bridge.backends_are_initialized()
    if inherited:
        from jax._src import api
        from jax._src.interpreters import mlir

        _inherited_runtime.extend(xla_bridge._backends.values())
        api.clear_backends()
        # MLIR verifies on a thread pool whose threads stayed in the parent; the old pool is
        # kept referenced, as destroying it would join threads this process does not have
        _inherited_runtime.append(mlir.global_thread_pool)
        mlir.global_thread_pool = mlir.ir.ThreadPool()
    jax_mod.config.update("jax_platforms", "cpu")
    return inherited


def _rehome_tensors(root: Any) -> None:
    """Give every Storage reachable from ``root`` a copy of its array on the current client.

    ``root`` is what the worker was handed (dataset, collate_fn, worker_init_fn): a
    TensorDataset, a Subset, a custom dataset's attributes.  Tensors reachable only from
    module globals are not re-homed, and a worker computing on them would hang: datasets
    should hold numpy data or Tensors of their own (docs/data.md).
    """
    import gc
    import types

    from ..._core.storage import NumpyStorage, Storage

    slot = Storage.__dict__["array"]
    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
            types.MethodType, types.CodeType, types.FrameType)
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        if isinstance(obj, Storage):
            if isinstance(obj, NumpyStorage):
                obj._refresh()
            else:
                import jax.numpy as jnp

                old = slot.__get__(obj)
                _inherited_runtime.append(old)  # freeing it would talk to the old runtime
                slot.__set__(obj, jnp.asarray(np.asarray(old)))
            continue
        if isinstance(obj, (str, bytes, int, float, np.ndarray)):
            continue
        stack.extend(gc.get_referents(obj))


def _seed_worker(base_seed: int, worker_id: int) -> int:
    """torch's per-worker seeding: Python's random and torchlike's default generator get
    ``base_seed + worker_id``; numpy's global RNG gets a SeedSequence state of both."""
    seed = base_seed + worker_id
    random.seed(seed)
    from ..._ops.random import manual_seed

    manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


def _numpy_seed(base_seed: int, worker_id: int) -> np.ndarray:
    """torch's numpy seed for a worker: numpy's SeedSequence over the worker id and the two
    32-bit halves of the base seed, four words of state."""
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32]
    return np.random.SeedSequence(words).generate_state(4)


def _unchanged(sample):
    return sample


def _worker_loop(iterable_style: bool, cargo: _Cargo, index_queue, data_queue, done_event,
                 auto_collation: bool, collate_kind: str, drop_last: bool, base_seed: int,
                 worker_id: int, num_workers: int) -> None:
    """A worker process's body: fetch, collate and send until told to stop."""
    global _worker_info
    # the process that started this one (the main process, or the fork server, which exits
    # with it): once it is gone nobody reads the results, so the worker leaves
    parent = os.getppid()
    try:
        inherited = _jax_for_worker()  # before unpickling anything that may hold Tensors
        handed = cargo.get()
        if inherited:
            _rehome_tensors(handed)
        dataset, collate_fn, init_fn = handed
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        from ._collate import numpy_collate
        from .dataloader import _IterableFetch, _map_fetch

        # default_convert runs in the main process (it only makes Tensors)
        collate_fn = {"collate": numpy_collate, "convert": _unchanged}.get(collate_kind,
                                                                          collate_fn)
        where = f"in DataLoader worker process {worker_id}"

        def make_fetch():
            if iterable_style:
                return _IterableFetch(dataset, auto_collation, collate_fn, drop_last)
            return _map_fetch(dataset, auto_collation, collate_fn)

        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetch = make_fetch()
        except Exception:
            init_error = ExceptionWrapper(where=where)
        ended = False
        while os.getppid() == parent:
            try:
                task = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(task, _ResumeIteration):
                data_queue.put((task, None))
                ended = False
                fetch = make_fetch()
                continue
            if task is None:
                break
            if done_event.is_set() or ended:
                continue  # draining after shutdown or after this worker's dataset ended
            idx, keys = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetch(keys)
                except StopIteration:
                    if not iterable_style:
                        data = ExceptionWrapper(where=where)
                    else:
                        data, ended = _IterableDatasetStopIteration(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((idx, data))
            del data, keys, task
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C; the worker just leaves quietly
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
