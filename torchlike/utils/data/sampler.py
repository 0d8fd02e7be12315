"""torch.utils.data samplers: Sequential, Random, SubsetRandom, WeightedRandom, Batch.

Index streams come from torchlike's generators, so shuffled orders differ from torch's; the
counts, lengths, validation and which generator is consumed follow torch.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Generic, TypeVar

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]

_T_co = TypeVar("_T_co", covariant=True)


def _require(ok: bool, name: str, kind: str, value, error: type[Exception] = ValueError) -> None:
    if not ok:
        raise error(f"{name} should be a {kind} value, but got {name}={value}")


def _is_count(value, allow_bool: bool = False) -> bool:
    """A positive int; torch lets ``True`` through only for RandomSampler's num_samples."""
    if isinstance(value, bool) and not allow_bool:
        return False
    return isinstance(value, int) and value > 0


def _draw_sizes(total: int, step: int) -> list[int]:
    """torch draws in whole ``step``-sized pieces, then one (possibly empty) remainder."""
    whole, rest = divmod(total, step)
    return [step] * whole + [rest]


def _own_generator(generator):
    # torch's RandomSampler seeds a private Generator from the global stream per epoch, so
    # one seeded global stream still gives a different order each epoch.
    if generator is not None:
        return generator
    from ... import randint
    from ..._ops.random import Generator

    return Generator().manual_seed(int(randint(0, 2 ** 62, ()).item()))


class Sampler(Generic[_T_co]):
    """torch.utils.data.Sampler.

    Unlike torch 2.13, ``Sampler(data_source)`` is still accepted (and ignored), so subclasses
    written for older torch that call ``super().__init__(data_source)`` keep working.
    """

    def __init__(self, data_source=None) -> None:
        del data_source

    def __iter__(self) -> Iterator[_T_co]:
        raise NotImplementedError


class _IndexSampler(Sampler[int]):
    """Shared shape of the index samplers: ``_count()`` indices from ``_indices()``."""

    def __len__(self) -> int:
        return self._count()

    def __iter__(self) -> Iterator[int]:
        # random variants draw inside generator functions: at the first next(), as torch does
        return self._indices()

    def _count(self) -> int:
        raise NotImplementedError

    def _indices(self) -> Iterator[int]:
        raise NotImplementedError


class SequentialSampler(_IndexSampler):
    """torch.utils.data.SequentialSampler."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _count(self) -> int:
        return len(self.data_source)

    def _indices(self) -> Iterator[int]:
        return iter(range(self._count()))


class RandomSampler(_IndexSampler):
    """torch.utils.data.RandomSampler."""

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._requested = num_samples
        self.generator = generator
        _require(isinstance(replacement, bool), "replacement", "boolean", replacement, TypeError)
        count = self.num_samples
        _require(_is_count(count, allow_bool=True), "num_samples", "positive integer", count)

    @property
    def num_samples(self) -> int:
        # read on each use: the data source may grow or shrink between epochs
        return len(self.data_source) if self._requested is None else self._requested

    def _count(self) -> int:
        return self.num_samples

    def _indices(self) -> Iterator[int]:
        from ... import randint, randperm

        n = len(self.data_source)
        gen = _own_generator(self.generator)
        if self.replacement:
            for size in _draw_sizes(self.num_samples, 32):
                yield from randint(0, n, (size,), generator=gen).tolist()
        else:
            for size in _draw_sizes(self.num_samples, n):
                yield from randperm(n, generator=gen).tolist()[:size]


class SubsetRandomSampler(_IndexSampler):
    """torch.utils.data.SubsetRandomSampler."""

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def _count(self) -> int:
        return len(self.indices)

    def _indices(self) -> Iterator[int]:
        from ... import randperm

        for k in randperm(self._count(), generator=self.generator).tolist():
            yield self.indices[k]


class WeightedRandomSampler(_IndexSampler):
    """torch.utils.data.WeightedRandomSampler."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        from ... import as_tensor, float64

        _require(_is_count(num_samples), "num_samples", "positive integer", num_samples)
        _require(isinstance(replacement, bool), "replacement", "boolean", replacement)
        self.weights = as_tensor(weights, dtype=float64)
        if self.weights.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(self.weights.shape)}")
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _count(self) -> int:
        return self.num_samples

    def _indices(self) -> Iterator[int]:
        from ... import multinomial

        picks = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        yield from picks.tolist()


class BatchSampler(Sampler):
    """torch.utils.data.BatchSampler."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        _require(_is_count(batch_size), "batch_size", "positive integer", batch_size)
        _require(isinstance(drop_last, bool), "drop_last", "boolean", drop_last)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __len__(self) -> int:
        # rounds down when the short tail is dropped, up when it is kept
        pad = 0 if self.drop_last else self.batch_size - 1
        return (len(self.sampler) + pad) // self.batch_size

    def __iter__(self) -> Iterator[list[int]]:
        source = iter(self.sampler)
        while chunk := list(itertools.islice(source, self.batch_size)):
            if self.drop_last and len(chunk) < self.batch_size:
                return
            yield chunk
