"""torchlike.utils.data: datasets, samplers, DataLoader, default_collate (values as torch gives)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import torchlike as torch
from torchlike.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _ds(n=5):
    return TensorDataset(torch.arange(2.0 * n).reshape(n, 2), torch.arange(n))


def test_tensor_dataset():
    ds = _ds()
    assert len(ds) == 5
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 3
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(torch.zeros(3), torch.zeros(4))


def test_dataloader_sequential_batches():
    dl = DataLoader(_ds(), batch_size=2)
    batches = list(dl)
    assert len(dl) == 3 and len(batches) == 3
    assert batches[0][0].shape == (2, 2) and batches[0][1].tolist() == [0, 1]
    assert batches[2][1].tolist() == [4]
    assert batches[0][1].dtype == torch.int64
    assert len(DataLoader(_ds(), batch_size=2, drop_last=True)) == 2
    assert [b.tolist() for b in DataLoader(range(7), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]


def test_dataloader_shuffle_generator_reproducible():
    def order(seed):
        dl = DataLoader(range(10), batch_size=4, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
        return [i for b in dl for i in b.tolist()]

    a, b = order(3), order(3)
    assert a == b and sorted(a) == list(range(10))
    assert a != list(range(10))
    dl = DataLoader(range(10), batch_size=10, shuffle=True,
                    generator=torch.Generator().manual_seed(3))
    assert isinstance(dl.sampler, RandomSampler)


def test_dataloader_samplers_and_errors():
    dl = DataLoader(range(6), batch_sampler=BatchSampler(SequentialSampler(range(6)), 4, False))
    assert [b.tolist() for b in dl] == [[0, 1, 2, 3], [4, 5]]
    assert dl.batch_size is None
    dl = DataLoader(range(6), sampler=[5, 4, 3], batch_size=2)
    assert [b.tolist() for b in dl] == [[5, 4], [3]]
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(range(3), sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(range(3), batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="non-negative"):
        DataLoader(range(3), num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option should be non-negative"):
        DataLoader(range(3), num_workers=2, prefetch_factor=-1)
    with pytest.raises(ValueError, match="positive integer"):
        BatchSampler(range(3), 0, False)


def test_dataloader_no_batching_converts_numpy():
    out = list(DataLoader(np.arange(4.0).reshape(2, 2), batch_size=None))
    assert out[0].dtype == torch.float64 and out[1].tolist() == [2.0, 3.0]


class _Iter(IterableDataset):
    def __iter__(self):
        return iter(range(7))

    def __len__(self):
        return 7


def test_iterable_dataset():
    assert [b.tolist() for b in DataLoader(_Iter(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(_Iter(), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(_Iter(), batch_size=3)) == 3
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(_Iter(), shuffle=True)


def test_default_collate_types():
    assert default_collate([1, 2]).dtype == torch.int64
    f = default_collate([1.5, 2.0])
    assert f.dtype == torch.float64 and f.tolist() == [1.5, 2.0]
    assert default_collate([True, False]).dtype == torch.bool
    assert default_collate([np.float32(1.5), np.float32(2)]).dtype == torch.float32
    out = default_collate([(1, "a"), (2, "b")])  # tuples become lists, as in torch
    assert isinstance(out, list) and out[0].tolist() == [1, 2] and out[1] == ("a", "b")
    P = collections.namedtuple("P", "x y")
    p = default_collate([P(1, 2.0), P(3, 4.0)])
    assert isinstance(p, P) and p.x.tolist() == [1, 3] and p.y.dtype == torch.float64
    d = default_collate([{"a": np.zeros(2, np.float32)}, {"a": np.ones(2, np.float32)}])
    assert d["a"].shape == (2, 2) and d["a"].dtype == torch.float32
    lst = default_collate([[1, 2], [3, 4]])
    assert [t.tolist() for t in lst] == [[1, 3], [2, 4]]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])


def test_random_split_and_subset():
    parts = random_split(range(10), [0.34, 0.33, 0.33], generator=torch.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [4, 3, 3]
    seen = sorted(i for p in parts for i in (p[k] for k in range(len(p))))
    assert seen == list(range(10))
    a, b = random_split(range(5), [2, 3])
    assert isinstance(a, Subset) and len(b) == 3
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(5), [2, 2])
    s = Subset(list("abcdef"), [4, 0])
    assert s[0] == "e" and len(s) == 2


def test_concat_dataset():
    c = ConcatDataset([range(3), range(10, 12)])
    assert len(c) == 5 and c[3] == 10 and c[-1] == 11 and c.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError, match="absolute value of index"):
        c[-6]

    class D(Dataset):
        def __getitem__(self, i):
            return i

        def __len__(self):
            return 2

    assert len(D() + D()) == 4
