"""DataLoader(num_workers>0): worker processes, against torch 2.13's recorded behaviour.

Expected values were recorded by running the same datasets through torch's DataLoader in
/work/tvenv (fork start method, 2 workers).  Worker start-up is the cost here, so the
datasets are tiny and each test starts as few loaders as it can.
"""

import multiprocessing
import os
import random
import re
import signal
import time
from collections import namedtuple
from dataclasses import FrozenInstanceError

import numpy as np
import pytest

import torchlike as torch
from torchlike.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    get_worker_info,
)
from torchlike.utils.data._worker import WorkerInfo, _numpy_seed

Pair = namedtuple("Pair", "x y")


class Mixed(Dataset):
    """Every leaf type default_collate knows, plus which worker fetched the item."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        return {"i": i, "f": i / 2, "a": np.arange(2, dtype=np.float32) + i, "s": str(i),
                "b": i % 2 == 0, "w": -1 if info is None else info.id,
                "n": np.int16(i), "p": Pair(i, [i * 1.5])}


class Info(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        w = get_worker_info()
        return (w.id, w.num_workers, w.seed, type(w.dataset).__name__, random.random(),
                float(np.random.random()), torch.initial_seed(), repr(w), os.getpid(),
                getattr(w.dataset, "tag", None))


class Shard(IterableDataset):
    def __iter__(self):
        w = get_worker_info()
        lo, step = (0, 1) if w is None else (w.id, w.num_workers)
        return iter(range(lo, 7, step))


class Dup(IterableDataset):
    def __iter__(self):
        return iter(range(3))


class Faulty(Dataset):
    def __len__(self):
        return 3

    def __getitem__(self, i):
        if i == 1:
            raise ValueError(f"bad index {i}")
        if i == 2:
            raise KeyError("k")
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Stuck(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(60)  # never answers within the loader's timeout; the worker is terminated


# numpy-only datasets are safe to fork even after JAX started (and fork starts fastest)
FORK = {"multiprocessing_context": "fork"}


def _tag_dataset(worker_id):
    get_worker_info().dataset.tag = f"init{worker_id}"


def _plain(batch):
    """Tensors as (dtype, values) so batches compare with ==."""
    if isinstance(batch, torch.Tensor):
        return (batch.dtype, batch.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(*map(_plain, batch)) if hasattr(batch, "_fields") else \
            type(batch)(map(_plain, batch))
    return batch


def _no_children():
    return not multiprocessing.active_children()


def test_batches_dtypes_and_order_match_torch():
    got = [_plain(b) for b in DataLoader(Mixed(), batch_size=4, num_workers=2, **FORK)]
    # torch: ints int64, Python floats float64, numpy keeps float32/int16, bools bool,
    # strings stay a list; batch k comes from worker k % 2
    assert got[0]["i"] == (torch.int64, [0, 1, 2, 3])
    assert got[0]["f"] == (torch.float64, [0.0, 0.5, 1.0, 1.5])
    assert got[1]["a"] == (torch.float32, [[4.0, 5.0], [5.0, 6.0]])
    assert got[0]["s"] == ["0", "1", "2", "3"]
    assert got[1]["b"] == (torch.bool, [True, False])
    assert got[0]["n"] == (torch.int16, [0, 1, 2, 3])
    assert [b["w"] for b in got] == [(torch.int64, [0] * 4), (torch.int64, [1] * 2)]
    assert got[1]["p"] == Pair((torch.int64, [4, 5]), [(torch.float64, [6.0, 7.5])])
    single = [_plain(b) for b in DataLoader(Mixed(), batch_size=4)]
    for b in got + single:
        b.pop("w")
    assert got == single
    # batch_size=None: default_convert in the main process, Python ints stay ints
    items = list(DataLoader(Mixed(), batch_size=None, num_workers=2, in_order=False, **FORK))
    assert sorted(b["i"] for b in items) == list(range(6))
    assert all(type(b["i"]) is int and isinstance(b["a"], torch.Tensor) for b in items)
    assert _no_children()


def test_worker_info_seeds_and_init_fn():
    assert get_worker_info() is None
    # torch's numpy seeding for base seed 900450186894289455 (torch.Generator seed 0)
    assert list(_numpy_seed(900450186894289455, 0)) == [3967694331, 3701901974, 3587100282,
                                                         1640741865]
    assert list(_numpy_seed(900450186894289455, 1)) == [547667195, 2194033725, 4002515352,
                                                        3576076656]
    assert np.random.RandomState(_numpy_seed(900450186894289455, 0)).random_sample() == \
        0.8371640508861415
    dl = DataLoader(Info(), batch_size=None, num_workers=2, persistent_workers=True,
                    generator=torch.Generator().manual_seed(0), worker_init_fn=_tag_dataset,
                    **FORK)
    first, second = list(dl), list(dl)
    base = first[0][2]
    for wid, row in enumerate(first):
        assert row[:2] == [wid, 2] and row[3] == "Info" and row[2] == base + wid
        assert row[4] == random.Random(row[2]).random()
        assert row[5] == np.random.RandomState(_numpy_seed(base, wid)).random_sample()
        assert row[6] == row[2]  # torchlike's default generator is seeded as torch's
        assert row[7].startswith(f"WorkerInfo(id={wid}, num_workers=2, seed={row[2]}, ")
        assert row[9] == f"init{wid}"
    # persistent workers: same processes, RNGs carry on instead of being re-seeded
    assert [r[8] for r in second] == [r[8] for r in first]
    assert [r[4] for r in second] != [r[4] for r in first]
    del dl  # the loader owned the persistent workers
    assert _no_children()
    # the same generator seed gives the same worker seeds
    again = list(DataLoader(Info(), batch_size=None, num_workers=1, **FORK,
                            generator=torch.Generator().manual_seed(0)))
    assert again[0][2] == base
    info = WorkerInfo(id=0, num_workers=1, seed=0, dataset=None)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'id'"):
        info.id = 3


def test_iterable_dataset_sharding():
    assert [b.tolist() for b in DataLoader(Shard(), batch_size=2, num_workers=2, **FORK)] == \
        [[0, 2], [1, 3], [4, 6], [5]]
    assert list(DataLoader(Shard(), batch_size=None, num_workers=2, **FORK)) == list(range(7))
    # an unsharded dataset is read once per worker, batches interleaved (torch's order)
    assert [b.tolist() for b in DataLoader(Dup(), batch_size=2, num_workers=2, **FORK)] == \
        [[0, 1], [0, 1], [2], [2]]
    assert _no_children()


def test_worker_errors_reraise_in_main():
    it = iter(DataLoader(Faulty(), batch_size=None, num_workers=2, **FORK))
    assert next(it) == 0
    with pytest.raises(ValueError) as err:
        next(it)
    msg = str(err.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\n"
                          "Original Traceback (most recent call last):\n")
    assert msg.endswith("ValueError: bad index 1\n") and "__getitem__" in msg
    with pytest.raises(KeyError) as err:
        next(it)  # the loader stays usable after a worker's exception, as torch's
    # printed as is, not quoted as KeyError would
    assert str(err.value).startswith("Caught KeyError in DataLoader worker process 0.\n")
    assert str(err.value).endswith("KeyError: 'k'\n")
    del it, err  # (the traceback held the iterator) dropping it ends its workers
    assert _no_children()
    with pytest.raises(RuntimeError,
                       match=r"^DataLoader worker \(pid\(s\) \d+\) exited unexpectedly$"):
        next(iter(DataLoader(Faulty(), batch_size=None, sampler=[3], num_workers=1, **FORK)))
    assert _no_children()
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0\.3 seconds$"):
        next(iter(DataLoader(Stuck(), batch_size=None, num_workers=1, timeout=0.3, **FORK)))
    assert _no_children()
    it = iter(DataLoader(Mixed(), batch_size=None, num_workers=1, **FORK))
    next(it)
    del it  # an iterator dropped mid-epoch ends its workers
    assert _no_children()


def test_options_match_torch():
    assert DataLoader(range(4), num_workers=2, **FORK).prefetch_factor == 2
    with pytest.raises(ValueError, match="^prefetch_factor option should be non-negative$"):
        DataLoader(range(4), num_workers=2, prefetch_factor=-1)
    with pytest.raises(ValueError, match=re.escape(
            "multiprocessing_context option should specify a valid start method in "
            "['fork', 'spawn', 'forkserver'], but got multiprocessing_context='nope'")):
        DataLoader(range(4), num_workers=2, multiprocessing_context="nope")
    with pytest.raises(TypeError, match=re.escape(
            "multiprocessing_context option should be a valid context object or a string "
            "specifying the start method, but got multiprocessing_context=3")):
        DataLoader(range(4), num_workers=2, multiprocessing_context=3)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(range(4), persistent_workers=True)
    with pytest.warns(UserWarning, match="This DataLoader will create 64 worker processes in "
                      "total. Our suggested max number of worker in current system is"):
        DataLoader(range(4), num_workers=64, **FORK).check_worker_number_rationality()


def test_default_start_method_after_jax_started(monkeypatch):
    x = torch.arange(12.0).reshape(6, 2) * 2  # JAX is running in this process
    data = TensorDataset(x[1:], torch.arange(5))
    want = [[[[2.0 * v for v in r] for r in ([2, 3], [4, 5], [6, 7])], [0, 1, 2]],
            [[[16.0, 18.0], [20.0, 22.0]], [3, 4]]]
    # workers come from the fork server (a fork of this process could deadlock in JAX);
    # each worker starts JAX on CPU to index the TensorDataset
    served = DataLoader(data, batch_size=3, num_workers=1, pin_memory=True, timeout=60)
    assert [[t.tolist() for t in b] for b in served] == want
    # what the fork server cannot pickle is forked, with a warning (once per process)
    monkeypatch.setattr("torchlike.utils.data._multiprocess._warned_fork", False)
    with pytest.warns(RuntimeWarning, match="cannot be pickled"):
        got = list(DataLoader(Shard(), batch_size=None, num_workers=1, timeout=60,
                              worker_init_fn=lambda wid: None))
    assert got == list(range(7))
    assert _no_children()


_EXIT_SCRIPT = """
import multiprocessing, numpy as np
from torchlike.utils.data import DataLoader
data = np.arange(40.0).reshape(20, 2)
kept = iter(DataLoader(data, batch_size=2, num_workers=2, persistent_workers=True))
left = iter(DataLoader(data, batch_size=2, num_workers=1))
next(kept), next(left)
print(*(p.pid for p in multiprocessing.active_children()))
"""


def test_no_worker_outlives_the_interpreter():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _EXIT_SCRIPT], capture_output=True, text=True,
                         timeout=120, check=True)
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 3
    for pid in pids:  # exited and reaped: no such process (a zombie would still answer)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
