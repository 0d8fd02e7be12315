"""torchlike.utils.data against values recorded from torch 2.13 (collate dtypes, messages,
random_split sizes, sampler lengths, DataLoader option rules).  Random orders are checked as
permutations only: torchlike's streams are not torch's."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

import torchlike as torch
from torchlike.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)

P = collections.namedtuple("P", "x y")
COLLATE_MSG = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists"


class _It(IterableDataset):
    def __init__(self, n, reported=None):
        self.n, self.reported = n, n if reported is None else reported

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.reported

    def __repr__(self):
        return f"It({self.n})"


def _dv(t):
    return t.dtype, t.tolist()


# ---- default_collate / default_convert --------------------------------------------------------

@pytest.mark.parametrize("batch, dtype, values", [
    ([1, 2], torch.int64, [1, 2]),
    ([True, False], torch.bool, [True, False]),
    ([1.5, 2], torch.float64, [1.5, 2.0]),
    ([1, 2.5], torch.float32, [1.0, 2.5]),  # int first: inferred dtype, not float64
    ([np.float32(1.5), np.float32(2)], torch.float32, [1.5, 2.0]),
    ([np.int16(1), np.int16(2)], torch.int16, [1, 2]),
    ([np.bool_(True), np.bool_(False)], torch.bool, [True, False]),
    ([np.array([1, 2], np.int32), np.array([3, 4], np.int32)], torch.int32, [[1, 2], [3, 4]]),
])
def test_collate_leaf_dtypes(batch, dtype, values):
    assert _dv(default_collate(batch)) == (dtype, values)


def test_collate_containers():
    t = default_collate([torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])])
    assert _dv(t) == (torch.float32, [[1.0, 2.0], [3.0, 4.0]])
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]
    d = default_collate([{"a": 1, "b": 2.0}, {"a": 3, "b": 4.0}])
    assert list(d) == ["a", "b"]
    assert _dv(d["a"]) == (torch.int64, [1, 3]) and _dv(d["b"]) == (torch.float64, [2.0, 4.0])
    p = default_collate([P(1, 2.0), P(3, 4.0)])
    assert type(p) is P and _dv(p.x) == (torch.int64, [1, 3])
    nested = default_collate([{"a": (1, [2, 3])}, {"a": (4, [5, 6])}])
    first, rest = nested["a"]
    assert first.tolist() == [1, 4] and [r.tolist() for r in rest] == [[2, 5], [3, 6]]
    assert default_collate([np.str_("a"), np.str_("b")]) == ["a", "b"]


def test_collate_keeps_mapping_type():
    od = default_collate([collections.OrderedDict(b=1, a=2), collections.OrderedDict(b=3, a=4)])
    assert type(od) is collections.OrderedDict and list(od) == ["b", "a"]


@pytest.mark.parametrize("batch, error, message", [
    ([[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
    ([object(), object()], TypeError, f"{COLLATE_MSG}; found <class 'object'>"),
    ([None, None], TypeError, f"{COLLATE_MSG}; found <class 'NoneType'>"),
    ([np.array(["a"]), np.array(["b"])], TypeError, f"{COLLATE_MSG}; found <U1"),
    ([np.array([1], dtype=object), np.array([2], dtype=object)], TypeError,
     f"{COLLATE_MSG}; found object"),
])
def test_collate_errors(batch, error, message):
    with pytest.raises(error) as info:
        default_collate(batch)
    assert str(info.value) == message


def test_default_convert():
    assert _dv(default_convert(np.array([1.0, 2.0], np.float32))) == (torch.float32, [1.0, 2.0])
    assert _dv(default_convert(np.int64(3))) == (torch.int64, 3)
    out = default_convert((np.int64(3), "x", 2))
    assert isinstance(out, list) and out[0].item() == 3 and out[1:] == ["x", 2]
    p = default_convert(P(np.float64(1.0), 2))
    assert type(p) is P and p.x.dtype == torch.float64 and p.y == 2
    text = np.array(["a", "b"])
    assert default_convert(text) is text
    d = default_convert({"a": np.zeros(2), "b": [np.int32(1)]})
    assert d["a"].dtype == torch.float64 and d["b"][0].dtype == torch.int32
    assert default_convert("abc") == "abc"
    assert default_convert(range(3)) == [0, 1, 2]


# ---- random_split -----------------------------------------------------------------------------

@pytest.mark.parametrize("fractions, n, sizes", [
    ([0.34, 0.33, 0.33], 10, [4, 3, 3]),
    ([0.34, 0.33, 0.33], 7, [3, 2, 2]),
    ([0.5, 0.5], 7, [4, 3]),
    ([0.7, 0.3], 7, [5, 2]),
    ([0.3, 0.3, 0.4], 7, [3, 2, 2]),
    ([0.3, 0.3, 0.4], 3, [1, 1, 1]),
    ([0.1] * 10, 10, [1] * 10),
    ([0.05, 0.95], 3, [1, 2]),
    ([1.0], 7, [7]),
])
def test_random_split_fraction_sizes(fractions, n, sizes):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parts = random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == sizes
    assert sorted(i for p in parts for i in p.indices) == list(range(n))


@pytest.mark.parametrize("fractions, n, sizes, empty", [
    ([0.34, 0.33, 0.33], 1, [1, 0, 0], [1, 2]),
    ([0.7, 0.3], 3, [3, 0], [1]),
    ([0.999, 0.001], 10, [10, 0], [1]),
    ([0.1] * 10, 7, [1] * 7 + [0] * 3, [7, 8, 9]),
])
def test_random_split_empty_split_warns(fractions, n, sizes, empty):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(n), fractions)
    assert [len(p) for p in parts] == sizes
    assert [str(w.message) for w in caught] == [
        f"Length of split at index {i} is 0. This might result in an empty dataset."
        for i in empty]
    assert all(w.category is UserWarning and w.filename == __file__ for w in caught)


def test_random_split_errors_and_ints():
    with pytest.raises(ValueError, match="^Fraction at index 0 is not between 0 and 1$"):
        random_split(range(5), [1.2, -0.2])
    sum_msg = "^Sum of input lengths does not equal the length of the input dataset!$"
    with pytest.raises(ValueError, match=sum_msg):
        random_split(range(5), [0.5, 0.4])
    assert [len(p) for p in random_split(range(5), [0, 5])] == [0, 5]


# ---- samplers ---------------------------------------------------------------------------------

def test_sampler_lengths_and_counts():
    g = torch.Generator().manual_seed(0)
    assert len(SequentialSampler(range(4))) == 4 and list(SequentialSampler("abc")) == [0, 1, 2]
    assert len(RandomSampler(range(5))) == 5
    drawn = list(RandomSampler(range(5), num_samples=12, generator=g))
    assert len(drawn) == 12 and sorted(drawn[:5]) == sorted(drawn[5:10]) == list(range(5))
    assert len(set(drawn[10:])) == 2
    rep = RandomSampler(range(5), replacement=True, num_samples=70, generator=g)
    drawn = list(rep)
    assert len(rep) == 70 and len(drawn) == 70 and set(drawn) == set(range(5))
    assert len(RandomSampler(range(5), num_samples=True)) == 1
    sub = SubsetRandomSampler([3, 5, 9], generator=g)
    assert len(sub) == 3 and sorted(sub) == [3, 5, 9]
    w = WeightedRandomSampler([1, 2], 5)
    assert len(w) == 5 and _dv(w.weights) == (torch.float64, [1.0, 2.0])
    assert sorted(WeightedRandomSampler([1, 2, 3], 3, replacement=False)) == [0, 1, 2]
    assert set(WeightedRandomSampler([0.0, 1.0, 0.0], 20)) == {1}


def test_random_sampler_fresh_order_each_epoch():
    torch.manual_seed(0)
    s = RandomSampler(range(50))
    a, b = list(s), list(s)
    assert sorted(a) == sorted(b) == list(range(50)) and a != b
    g = RandomSampler(range(50), generator=torch.Generator().manual_seed(4))
    assert list(g) != list(g)  # the given generator advances too


@pytest.mark.parametrize("make, error, message", [
    (lambda: RandomSampler(range(5), replacement=1), TypeError,
     "replacement should be a boolean value, but got replacement=1"),
    (lambda: RandomSampler(range(5), num_samples=0), ValueError,
     "num_samples should be a positive integer value, but got num_samples=0"),
    (lambda: RandomSampler(range(5), num_samples=2.0), ValueError,
     "num_samples should be a positive integer value, but got num_samples=2.0"),
    (lambda: RandomSampler([]), ValueError,
     "num_samples should be a positive integer value, but got num_samples=0"),
    (lambda: WeightedRandomSampler([1, 2], True), ValueError,
     "num_samples should be a positive integer value, but got num_samples=True"),
    (lambda: WeightedRandomSampler([1, 2], 3, replacement=None), ValueError,
     "replacement should be a boolean value, but got replacement=None"),
    (lambda: WeightedRandomSampler([[1, 2]], 3), ValueError,
     "weights should be a 1d sequence but given weights have shape (1, 2)"),
    (lambda: BatchSampler(range(3), True, False), ValueError,
     "batch_size should be a positive integer value, but got batch_size=True"),
    (lambda: BatchSampler(range(3), 2.0, False), ValueError,
     "batch_size should be a positive integer value, but got batch_size=2.0"),
    (lambda: BatchSampler(range(3), 2, 0), ValueError,
     "drop_last should be a boolean value, but got drop_last=0"),
])
def test_sampler_errors(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize("size, drop, length", [
    (1, False, 10), (1, True, 10), (3, False, 4), (3, True, 3), (4, False, 3), (4, True, 2),
    (10, True, 1), (11, False, 1), (11, True, 0),
])
def test_batch_sampler(size, drop, length):
    s = BatchSampler(range(10), size, drop)
    batches = list(s)
    assert len(s) == len(batches) == length
    flat = [i for b in batches for i in b]
    assert flat == list(range(len(flat)))
    assert all(len(b) == size for b in batches[:-1] if b)
    if drop:
        assert all(len(b) == size for b in batches)


def test_generic_subscripts():
    assert Dataset[int].__origin__ is Dataset and Sampler[int].__origin__ is Sampler
    assert DataLoader[int].__origin__ is DataLoader


# ---- datasets ---------------------------------------------------------------------------------

def test_stack_dataset():
    assert StackDataset([1, 2], "ab")[1] == (2, "b")
    kw = StackDataset(x=[1, 2], y="ab")
    assert kw[0] == {"x": 1, "y": "a"} and len(kw) == 2
    assert StackDataset(a=[1]).datasets == {"a": [1]}
    assert StackDataset(Subset([5, 6, 7], [2, 0, 1]), "abc").__getitems__([0, 2]) == \
        [(7, "a"), (6, "c")]
    assert StackDataset(a=Subset([5, 6, 7], [2, 0, 1]), b="abc").__getitems__([1, 2]) == \
        [{"a": 5, "b": "b"}, {"a": 6, "b": "c"}]

    class Short:
        def __getitems__(self, idx):
            return [0]

        def __len__(self):
            return 3

    for make, message in [
        (lambda: StackDataset([1], y=[2]), "Supported either ``tuple``- (via ``args``) or``dict``- "
                                           "(via ``kwargs``) like input/output, but both types "
                                           "are given."),
        (lambda: StackDataset(), "At least one dataset should be passed"),
        (lambda: StackDataset([1], [1, 2]), "Size mismatch between datasets"),
        (lambda: StackDataset(a=[1], b=[1, 2]), "Size mismatch between datasets"),
        (lambda: StackDataset(Short(), "abc").__getitems__([0, 2]),
         "Nested dataset's output size mismatch. Expected 2, got 1"),
    ]:
        with pytest.raises(ValueError) as info:
            make()
        assert str(info.value) == message


def test_concat_and_chain():
    c = ConcatDataset([[1, 2], "abc"])
    assert (len(c), c.cumulative_sizes, c[0], c[2], c[-3], c[4]) == (5, [2, 5], 1, "a", "a", "c")
    assert ConcatDataset([[], [7]])[0] == 7
    assert ConcatDataset.cumsum([[1, 2], "abc", []]) == [2, 5, 5]
    with pytest.raises(IndexError):
        c[5]
    with pytest.warns(FutureWarning, match="`cummulative_sizes` attribute is renamed"):
        assert c.cummulative_sizes == [2, 5]
    with pytest.raises(AssertionError, match="^datasets should not be an empty iterable$"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="^ConcatDataset does not support IterableDataset$"):
        ConcatDataset([_It(2)])
    chain = _It(2) + _It(3)
    assert type(chain) is ChainDataset and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    bad = ChainDataset([_It(2), [1]])
    for probe in (list, len):
        with pytest.raises(AssertionError, match="^ChainDataset only supports IterableDataset$"):
            probe(bad)


def test_dataset_bases_and_subset():
    with pytest.raises(NotImplementedError, match="^Subclasses of Dataset should implement"):
        Dataset()[0]
    with pytest.raises(TypeError, match="abstract"):
        IterableDataset()
    a, b = TensorDataset(torch.arange(4), torch.arange(4) * 2)[1:3]
    assert a.tolist() == [1, 2] and b.tolist() == [2, 4]
    assert Subset(np.arange(10), [3, 5, 7])[[0, 2]].tolist() == [3, 7]
    assert Subset(list("abcdef"), [4, 0, 2]).__getitems__([2, 0]) == ["c", "e"]

    class OnlyGetitem(Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError) as info:
        OnlyGetitem([1], [0])
    assert str(info.value).startswith(
        "OnlyGetitem overrides __getitem__ but not __getitems__. When subclassing Subset and "
        "overriding __getitem__, you must also override __getitems__")


# ---- DataLoader -------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=None, drop_last=True),
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in "
                              "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                              "otherwise set prefetch_factor to None."),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(multiprocessing_context="spawn"), "multiprocessing_context can only be used with "
                                            "multi-process loading (num_workers > 0), but got "
                                            "num_workers=0"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive "
                                                "with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive with "
                                              "batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive with "
                                             "batch_size, shuffle, sampler, and drop_last"),
])
def test_dataloader_option_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        DataLoader(range(3), **kwargs)
    assert str(info.value) == message


def test_dataloader_iterable_option_errors():
    for kwargs, message in [
        (dict(sampler=[0]), "DataLoader with IterableDataset: expected unspecified sampler "
                            "option, but got sampler=[0]"),
        (dict(batch_sampler=[[0]]), "DataLoader with IterableDataset: expected unspecified "
                                    "batch_sampler option, but got batch_sampler=[[0]]"),
    ]:
        with pytest.raises(ValueError) as info:
            DataLoader(_It(3), **kwargs)
        assert str(info.value) == message
    assert len(DataLoader(_It(3), shuffle=False)) == 3


def test_dataloader_frozen_attributes():
    dl = DataLoader(range(3))
    for name, value in [("batch_size", 2), ("dataset", [1]), ("sampler", None)]:
        with pytest.raises(ValueError) as info:
            setattr(dl, name, value)
        assert str(info.value) == \
            f"{name} attribute should not be set after DataLoader is initialized"
    dl.collate_fn = list
    assert dl.collate_fn is list


def test_dataloader_defaults_and_lengths():
    dl = DataLoader(range(3))
    assert (type(dl.sampler).__name__, type(dl.batch_sampler).__name__, dl.batch_size,
            dl.drop_last, dl.collate_fn.__name__, dl.prefetch_factor, dl.in_order) == \
        ("SequentialSampler", "BatchSampler", 1, False, "default_collate", None, True)
    dl = DataLoader(range(7), batch_size=None)
    assert (type(dl.sampler).__name__, dl.batch_sampler, dl.collate_fn.__name__, len(dl)) == \
        ("SequentialSampler", None, "default_convert", 7)
    dl = DataLoader(_It(3))
    assert (type(dl.sampler).__name__, type(dl.batch_sampler).__name__) == \
        ("_InfiniteConstantSampler", "BatchSampler")
    lengths = [len(DataLoader(_It(7), batch_size=b, drop_last=x))
               for b in (None, 1, 3, 7, 8) for x in ((False, True) if b else (False,))]
    assert lengths == [7, 7, 7, 3, 2, 1, 1, 1, 0]
    assert len(iter(DataLoader(range(7), batch_size=2))) == 4
    out = list(DataLoader([(1, np.float32(2))], batch_size=None))
    assert out[0][0] == 1 and _dv(out[0][1]) == (torch.float32, 2.0)
    assert list(DataLoader(_It(3), batch_size=None)) == [0, 1, 2]
    dl = DataLoader(Subset(list(range(10)), [9, 8, 7]), batch_size=2)
    assert [b.tolist() for b in dl] == [[9, 8], [7]]


def test_dataloader_iterable_length_warning():
    dl = DataLoader(_It(4, reported=2), batch_size=None)
    assert len(dl) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert list(dl) == [0, 1, 2, 3]
    assert [str(w.message) for w in caught] == [
        f"Length of IterableDataset It(4) was reported to be 2(when accessing len(dataloader)), "
        f"but {k} samples have been fetched. " for k in (3, 4)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(DataLoader(_It(4, reported=2), batch_size=None))  # len() never asked: no warning


def test_dataloader_shuffle_is_a_permutation_per_epoch():
    dl = DataLoader(range(20), batch_size=6, shuffle=True,
                    generator=torch.Generator().manual_seed(1))
    epochs = [[i for b in dl for i in b.tolist()] for _ in range(2)]
    assert all(sorted(e) == list(range(20)) for e in epochs) and epochs[0] != epochs[1]
    assert [len(b) for b in dl] == [6, 6, 6, 2]
