"""torch.utils.data datasets: Dataset, IterableDataset, TensorDataset, StackDataset,
ConcatDataset, ChainDataset, Subset and random_split."""

from __future__ import annotations

import bisect
import collections.abc
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from ..._core.tensor import Tensor

__all__ = ["ChainDataset", "ConcatDataset", "Dataset", "IterableDataset", "StackDataset", "Subset",
           "TensorDataset", "random_split"]

_T_co = TypeVar("_T_co", covariant=True)


def fetch_many(dataset: Any, indices: Sequence) -> list:
    """Samples at ``indices``, through the dataset's batched ``__getitems__`` when it has one."""
    batched = getattr(dataset, "__getitems__", None)
    if callable(batched):
        return batched(indices)
    return [dataset[i] for i in indices]


class Dataset(Generic[_T_co]):
    """torch.utils.data.Dataset."""

    def __getitem__(self, index) -> _T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[_T_co]) -> ConcatDataset[_T_co] | ChainDataset:
        """``a + b``: a ConcatDataset, or a ChainDataset when ``a`` is an IterableDataset."""
        joined = ChainDataset if isinstance(self, IterableDataset) else ConcatDataset
        return joined([self, other])


class IterableDataset(Dataset[_T_co], collections.abc.Iterable):
    """torch.utils.data.IterableDataset (abstract: subclasses define ``__iter__``)."""


class TensorDataset(Dataset):
    """torch.utils.data.TensorDataset."""

    def __init__(self, *tensors: Tensor) -> None:
        rows = tensors[0].size(0)
        if any(t.size(0) != rows for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __len__(self) -> int:
        return self.tensors[0].size(0)

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)


class StackDataset(Dataset):
    """torch.utils.data.StackDataset: positional datasets give tuples, keyword ones dicts."""

    datasets: tuple | dict

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        if not (args or kwargs):
            raise ValueError("At least one dataset should be passed")
        self.datasets = args or kwargs
        self._keys = tuple(kwargs) if kwargs else None
        self._parts = list(kwargs.values()) if kwargs else list(args)
        self._length = len(self._parts[0])
        if any(len(part) != self._length for part in self._parts):
            raise ValueError("Size mismatch between datasets")

    def _pack(self, values: Iterable):
        return tuple(values) if self._keys is None else dict(zip(self._keys, values, strict=True))

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        return self._pack(part[index] for part in self._parts)

    def __getitems__(self, indices: list) -> list:
        columns = []
        for part in self._parts:
            column = fetch_many(part, indices)
            if len(column) != len(indices):
                raise ValueError("Nested dataset's output size mismatch. "
                                 f"Expected {len(indices)}, got {len(column)}")
            columns.append(column)
        return [self._pack(row) for row in zip(*columns, strict=True)]


class ConcatDataset(Dataset[_T_co]):
    """torch.utils.data.ConcatDataset."""

    datasets: list[Dataset[_T_co]]
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence: Iterable) -> list[int]:
        """Running totals of the members' lengths (each member's end offset)."""
        return list(itertools.accumulate(len(member) for member in sequence))

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        if any(isinstance(member, IterableDataset) for member in self.datasets):
            raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        total = len(self)
        if idx < 0:
            if -idx > total:
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += total
        # ends are sorted; bisect_right skips empty members that end at idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]

    @property
    def cummulative_sizes(self) -> list[int]:
        """Deprecated spelling of ``cumulative_sizes`` (FutureWarning, as in torch)."""
        warnings.warn("`cummulative_sizes` attribute is renamed to `cumulative_sizes`",
                      FutureWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """torch.utils.data.ChainDataset."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def _members(self):
        # checked lazily, member by member, as torch does (datasets may be a generator)
        for member in self.datasets:
            if not isinstance(member, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield member

    def __iter__(self):
        for member in self._members():
            yield from member

    def __len__(self) -> int:
        return sum(len(member) for member in self._members())


class Subset(Dataset[_T_co]):
    """torch.utils.data.Subset."""

    dataset: Dataset[_T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[_T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        cls = type(self)
        # the DataLoader batches through __getitems__, which would bypass the override
        if cls.__getitem__ is not Subset.__getitem__ and cls.__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{cls.__name__} overrides __getitem__ but not __getitems__. When subclassing "
                "Subset and overriding __getitem__, you must also override __getitems__ to ensure "
                "DataLoader works correctly with your custom logic. A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]")

    def _outer(self, positions: Iterable[int]) -> list:
        return [self.indices[p] for p in positions]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, idx):
        # a list of positions is forwarded as one list key, for datasets that batch-index
        return self.dataset[self._outer(idx) if isinstance(idx, list) else self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[_T_co]:
        return fetch_many(self.dataset, self._outer(indices))


def _lengths_from_fractions(total: int, fractions: Sequence[float]) -> list[int]:
    """floor(total * f) each, then the leftover handed out one by one from the front."""
    for i, frac in enumerate(fractions):
        if not 0 <= frac <= 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
    sizes = [math.floor(total * frac) for frac in fractions]
    for turn in range(total - sum(sizes)):
        sizes[turn % len(sizes)] += 1
    for i in (i for i, size in enumerate(sizes) if size == 0):
        warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                      stacklevel=3)
    return sizes


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator=None) -> list[Subset]:
    """torch.utils.data.random_split (lengths, or fractions that sum to 1).

    ``generator=None`` means the default generator.  The permutation comes from torchlike's
    random stream, not torch's (see docs/differences.md).
    """
    from ... import randperm

    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _lengths_from_fractions(len(dataset), lengths)
        total = sum(lengths)
    if total != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(total, generator=generator).tolist()
    bounds = itertools.pairwise(itertools.accumulate(lengths, initial=0))
    return [Subset(dataset, order[lo:hi]) for lo, hi in bounds]
