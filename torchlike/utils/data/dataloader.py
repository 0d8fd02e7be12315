"""torch.utils.data.DataLoader.

A loader is a key stream plus a fetch rule: the key stream is the batch sampler when
auto-batching (lists of indices) and the plain sampler otherwise; the fetch rule reads those
keys from a map-style dataset, or counts them off one iterator of an iterable-style dataset.
With ``num_workers=0`` the main process fetches; otherwise worker processes do
(``_multiprocess.py`` is the main side, ``_worker.py`` the workers').
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from ._collate import default_collate, default_convert
from ._worker import get_worker_info
from .dataset import Dataset, IterableDataset, fetch_many
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]

_T_co = TypeVar("_T_co", covariant=True)

# options whose reassignment would desynchronise the derived samplers (torch refuses them too)
_FIXED_AFTER_INIT = frozenset({"batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                               "persistent_workers"})


class _InfiniteConstantSampler(Sampler):
    """Endless ``None`` keys: an iterable-style dataset needs a count of samples, not indices."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> int | None:
    """torch's checks of the worker options; returns the prefetch factor (2 with workers)."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    elif prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return prefetch_factor


def _start_method_context(value, num_workers: int):
    """A multiprocessing context from ``multiprocessing_context=`` (a name or a context)."""
    if value is None:
        return None
    if num_workers == 0:
        raise ValueError("multiprocessing_context can only be used with multi-process loading "
                         f"(num_workers > 0), but got num_workers={num_workers}")
    if isinstance(value, str):
        valid = multiprocessing.get_all_start_methods()
        if value not in valid:
            raise ValueError("multiprocessing_context option should specify a valid start "
                             f"method in {valid!r}, but got multiprocessing_context={value!r}")
        value = multiprocessing.get_context(value)
    if not isinstance(value, multiprocessing.context.BaseContext):
        raise TypeError("multiprocessing_context option should be a valid context object or a "
                        "string specifying the start method, but got "
                        f"multiprocessing_context={value}")
    return value


def _plan_sampling(dataset, iterable_style: bool, batch_size: int | None, shuffle: bool | None,
                   sampler, batch_sampler, drop_last: bool, generator):
    """torch's option rules: returns (batch_size, drop_last, sampler, batch_sampler)."""
    if iterable_style:
        # the dataset orders itself, so any ordering option is an error (checked first, as
        # torch does, so users learn this before any sampler conflict)
        for name, value, unset in (("shuffle", shuffle, shuffle in (None, False)),
                                   ("sampler", sampler, sampler is None),
                                   ("batch_sampler", batch_sampler, batch_sampler is None)):
            if not unset:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                                 f"option, but got {name}={value}")
    else:
        shuffle = bool(shuffle)
    if shuffle and sampler is not None:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if drop_last or shuffle or batch_size != 1 or sampler is not None:
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                             "shuffle, sampler, and drop_last")
        batch_size, drop_last = None, False
    elif drop_last and batch_size is None:
        raise ValueError("batch_size=None option disables auto-batching and is mutually "
                         "exclusive with drop_last")
    if sampler is None:
        sampler = (_InfiniteConstantSampler() if iterable_style
                   else RandomSampler(dataset, generator=generator) if shuffle
                   else SequentialSampler(dataset))
    if batch_sampler is None and batch_size is not None:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last=drop_last)
    return batch_size, drop_last, sampler, batch_sampler


class DataLoader(Generic[_T_co]):
    """torch.utils.data.DataLoader.

    ``num_workers > 0`` loads in worker processes started with ``multiprocessing_context``,
    by default Python's default start method as in torch, except that fork becomes
    forkserver once this process has started JAX (a forked JAX runtime can deadlock).
    Workers collate into numpy and the main process makes the Tensors, so batches equal
    those of ``num_workers=0`` and a worker whose dataset yields numpy/Python/PIL data never
    starts JAX; one that touches torchlike starts JAX on CPU in itself.  See docs/data.md.
    ``shuffle`` permutations and worker seeds come from torchlike's random stream (seeded by
    ``generator=``), not torch's.  ``pin_memory`` is accepted and has no effect.
    """

    _locked = False

    def __init__(self, dataset: Dataset[_T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor,
                                                persistent_workers)
        # plain stored options (none of them is checked or derived from another)
        vars(self).update(dataset=dataset, num_workers=num_workers, generator=generator,
                          prefetch_factor=prefetch_factor, pin_memory=pin_memory,
                          pin_memory_device=pin_memory_device, timeout=timeout,
                          worker_init_fn=worker_init_fn, in_order=in_order,
                          persistent_workers=persistent_workers)
        self.multiprocessing_context = multiprocessing_context
        self._iterable_style = isinstance(dataset, IterableDataset)
        plan = _plan_sampling(dataset, self._iterable_style, batch_size, shuffle, sampler,
                              batch_sampler, drop_last, generator)
        self.batch_size, self.drop_last, self.sampler, self.batch_sampler = plan
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._reported_len: int | None = None  # len(dataset) at the last len(loader)
        self._iterator = None  # the persistent workers' iterator, made by the first __iter__
        self._locked = True
        if num_workers > 0:
            from ._multiprocess import prestart_fork_server

            prestart_fork_server(self)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._locked and name in _FIXED_AFTER_INIT:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        if name == "multiprocessing_context":
            value = _start_method_context(value, self.num_workers)
        object.__setattr__(self, name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """The key stream: index lists when auto-batching, single keys otherwise."""
        return self.sampler if self.batch_sampler is None else self.batch_sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def _get_iterator(self):
        from ._multiprocess import _MultiProcessingDataLoaderIter

        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __len__(self) -> int:
        if not self._iterable_style:
            return len(self._index_sampler)
        # trusted as the dataset reports it; iteration warns if more samples turn up
        count = self._reported_len = len(self.dataset)
        if self.batch_size is None:
            return count
        whole, tail = divmod(count, self.batch_size)
        return whole + (1 if tail and not self.drop_last else 0)

    def check_worker_number_rationality(self) -> None:
        """torch's warning when there are more workers than CPUs this process may use."""
        if not self.num_workers:
            return
        affinity = hasattr(os, "sched_getaffinity")
        cpus = len(os.sched_getaffinity(0)) if affinity else os.cpu_count()
        if cpus is not None and self.num_workers <= cpus:
            return
        suggestion = ("DataLoader is not able to compute a suggested max number of worker in "
                      "current system." if cpus is None else
                      f"Our suggested max number of worker in current system is {cpus}"
                      f"{'' if affinity else ' (`cpuset` is not taken into account)'}, which "
                      "is smaller than what this DataLoader is going to create.")
        warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                      f"total. {suggestion} Please be aware that excessive worker creation "
                      "might get DataLoader running slow or even freeze, lower the worker "
                      "number to avoid potential slowness/freeze if necessary.", stacklevel=2)


class _IterableFetch:
    """Reads an iterable-style dataset: one iterator per epoch, consumed key by key."""

    def __init__(self, dataset, batched: bool, collate_fn: Callable, drop_last: bool) -> None:
        self._source = iter(dataset)
        self._batched = batched
        self._collate_fn = collate_fn
        self._drop_last = drop_last
        self._done = False

    def __call__(self, keys):
        if self._done:
            raise StopIteration
        if not self._batched:
            return self._collate_fn(next(self._source))
        chunk = list(itertools.islice(self._source, len(keys)))
        self._done = len(chunk) < len(keys)
        if not chunk or (self._done and self._drop_last):
            raise StopIteration
        return self._collate_fn(chunk)


def _map_fetch(dataset, batched: bool, collate_fn: Callable) -> Callable:
    if batched:
        return lambda keys: collate_fn(fetch_many(dataset, keys))
    return lambda key: collate_fn(dataset[key])


class _SingleProcessDataLoaderIter:
    """The iterator a DataLoader returns: one fetched, collated item per ``next``."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._key_source = loader._index_sampler
        self._keys = iter(self._key_source)
        batched = loader._auto_collation
        if loader._iterable_style:
            self._fetch = _IterableFetch(loader.dataset, batched, loader.collate_fn,
                                         loader.drop_last)
        else:
            self._fetch = _map_fetch(loader.dataset, batched, loader.collate_fn)
        self._reported_len = loader._reported_len
        self._num_yielded = 0

    def __iter__(self) -> _SingleProcessDataLoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._key_source)

    def __next__(self):
        item = self._fetch(next(self._keys))
        self._num_yielded += 1
        if self._reported_len is not None and self._num_yielded > self._reported_len:
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{self._reported_len}(when accessing len(dataloader)), but "
                          f"{self._num_yielded} samples have been fetched. ", stacklevel=2)
        return item
