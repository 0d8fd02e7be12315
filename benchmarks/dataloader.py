"""One DataLoader epoch over items that cost ~10 ms of numpy work: 0 vs 2 worker processes,
torchlike vs torch.

Run: python benchmarks/dataloader.py   (torch rows appear when torch is importable)

The dataset is the same class for both libraries (numpy in, numpy out); the batches are
collated by each library's default_collate.  An epoch includes starting the workers (no
persistent_workers), as a training loop's epoch does.  Before timing, the main process has
run a tensor op, as a program that built a model has: torchlike's JAX runtime is up.
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np

ITEMS = 96
BATCH = 8
ITEM_MS = 10.0
REPEATS = 4


def _work(reps: int, seed: int) -> np.ndarray:
    """Elementwise numpy (single-threaded, unlike BLAS) whose cost scales with ``reps``."""
    x = np.random.default_rng(seed).random(20000, dtype=np.float32)
    for _ in range(reps):
        x = np.sin(x) * 0.5 + np.cos(x) * 0.5
    return x[:3072].reshape(3, 32, 32)


def _calibrate() -> int:
    """Repetitions of ``_work`` that take about ITEM_MS."""
    reps = 16
    while True:
        start = time.perf_counter()
        _work(reps, 0)
        ms = (time.perf_counter() - start) * 1e3
        if ms > 2:
            return max(1, round(reps * ITEM_MS / ms))
        reps *= 2


class CostlyDataset:
    """Map-style dataset: item i is an image-shaped float32 array and an int label."""

    def __init__(self, reps: int) -> None:
        self.reps = reps

    def __len__(self) -> int:
        return ITEMS

    def __getitem__(self, i: int):
        return _work(self.reps, i), i % 10


def epoch_seconds(lib, dataset, workers: int) -> tuple[float, float]:
    """(first, best) of REPEATS epochs, each starting its own workers; the first also pays
    what happens once per process (torchlike: starting the fork server)."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        n = 0
        for _images, labels in lib.utils.data.DataLoader(dataset, batch_size=BATCH,
                                                        num_workers=workers):
            n += labels.shape[0]
        times.append(time.perf_counter() - start)
        assert n == ITEMS and _images.dtype == lib.float32 and labels.dtype == lib.int64
    return times[0], min(times)


def main() -> None:
    import torchlike

    libs = [("torchlike", torchlike)]
    try:
        import torch

        libs.append(("torch", torch))
    except ImportError:
        pass
    reps = _calibrate()
    dataset = CostlyDataset(reps)
    start = time.perf_counter()
    for i in range(8):
        dataset[i]
    item_ms = (time.perf_counter() - start) / 8 * 1e3
    for _, lib in libs:
        (lib.ones(4) * 2).sum().item()  # the runtime is up, as after building a model
    print(f"DataLoader epoch: {ITEMS} items of ~{item_ms:.1f} ms numpy work, batch {BATCH}; "
          f"python {sys.version.split()[0]}, {platform.machine()}, "
          f"{len(os.sched_getaffinity(0))} cores")
    rows = {}
    for name, lib in libs:
        for workers in (0, 2):
            rows[name, workers] = epoch_seconds(lib, dataset, workers)
    print(f"{'library':<10} {'workers':>7} {'first s':>8} {'best s':>8} {'best vs 0 workers':>18}")
    for (name, workers), (first, best) in rows.items():
        print(f"{name:<10} {workers:>7} {first:>8.3f} {best:>8.3f} "
              f"{rows[name, 0][1] / best:>17.2f}x")
    if ("torch", 2) in rows:
        ratio = rows["torchlike", 2][1] / rows["torch", 2][1]
        print(f"torchlike 2-worker epoch / torch 2-worker epoch (best): {ratio:.2f}")


if __name__ == "__main__":
    main()
