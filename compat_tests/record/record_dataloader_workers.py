"""Records torch 2.13's DataLoader worker behaviour asserted in tests/test_dataloader_workers.py.

Run under the torch venv: /work/tvenv/bin/python compat_tests/record/record_dataloader_workers.py
It prints batch dtypes and order, worker_info fields and seeds for Generator seed 0, torch's
numpy seed state per worker, IterableDataset sharding orders and the error messages.
"""

import os
import random
import signal
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info
from torch.utils.data._utils.worker import _generate_state


class Mixed(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        return {"i": i, "f": i / 2, "a": np.arange(2, dtype=np.float32) + i, "s": str(i),
                "b": i % 2 == 0, "w": -1 if info is None else info.id, "n": np.int16(i)}


class Info(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        w = get_worker_info()
        return (w.id, w.num_workers, w.seed, type(w.dataset).__name__, random.random(),
                np.random.random(), torch.initial_seed(), repr(w)[:40])


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
        return 4

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
        time.sleep(3)
        return i


def _error(**kw):
    try:
        list(DataLoader(batch_size=None, **kw))
    except Exception as e:  # noqa: BLE001 - recording whatever torch raises
        return f"{type(e).__name__}: {e}"


def main():
    print("main worker_info:", get_worker_info())
    for b in DataLoader(Mixed(), batch_size=4, num_workers=2):
        print({k: (v.dtype, v.tolist()) if torch.is_tensor(v) else v for k, v in b.items()})
    rows = list(DataLoader(Info(), batch_size=None, num_workers=2,
                           generator=torch.Generator().manual_seed(0)))
    print("worker rows:", rows)
    for wid in range(2):
        print("numpy seed state", wid, _generate_state(rows[wid][2] - wid, wid))
    print("shard b2:", [b.tolist() for b in DataLoader(Shard(), batch_size=2, num_workers=2)])
    print("shard none:", list(DataLoader(Shard(), batch_size=None, num_workers=2)))
    print("dup b2:", [b.tolist() for b in DataLoader(Dup(), batch_size=2, num_workers=2)])
    print(_error(dataset=Faulty(), sampler=[0, 1], num_workers=2))
    print(_error(dataset=Faulty(), sampler=[2], num_workers=1))
    print(_error(dataset=Faulty(), sampler=[3], num_workers=1))
    print(_error(dataset=Stuck(), num_workers=1, timeout=0.5))
    for kw in (dict(prefetch_factor=-1), dict(multiprocessing_context="nope"),
               dict(multiprocessing_context=3)):
        try:
            DataLoader(Mixed(), num_workers=2, **kw)
        except Exception as e:  # noqa: BLE001
            print(kw, type(e).__name__, e)
    print("default prefetch_factor:", DataLoader(Mixed(), num_workers=2).prefetch_factor)


if __name__ == "__main__":
    main()
