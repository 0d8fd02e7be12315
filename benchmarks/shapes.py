"""Shapes that vary (issue 14 items 3-6): time per step and resident memory over a run.

Run: ``python benchmarks/shapes.py [--sizes N] [--repeat] [--masked N] [--torch]``.

- Varying batch sizes: a small-MLP training loop where each step uses a new batch size
  (1, 2, ..., N), so every step compiles; the table shows seconds per new size, the process's
  resident memory and its count of memory mappings (compiled code pages) as the run goes,
  and, with ``--repeat``, a second pass over the same sizes (cached steps).
- Value-dependent sizes (``--masked N``): ``x = randn(1000); x[x > 0].mul(2).sum()`` on fresh
  data N times: ms per iteration and resident memory (the selection's size differs each time).

Settings such as ``TORCHLIKE_KERNEL_CACHE_SIZE`` and ``TORCHLIKE_CACHE_DIR`` apply as usual.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def maps() -> int:
    """Memory mappings of this process (each compiled executable adds a few)."""
    with open("/proc/self/maps") as f:
        return sum(1 for _ in f)


def make_step(torch, nn):
    """A 32-64-64-10 MLP trained with SGD momentum: one eager training step per call."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def run(torch, nn, sizes, every, repeat, out=print):
    """Train over batch sizes 1..sizes (one step per size); print a row every ``every`` sizes."""
    step = make_step(torch, nn)
    xs = torch.randn(sizes, 32)
    ys = torch.randint(0, 10, (sizes,))
    passes = 2 if repeat else 1
    rows = []
    for p in range(passes):
        t0 = time.perf_counter()
        for n in range(1, sizes + 1):
            step(xs[:n], ys[:n]).item()
            if n % every == 0 or n == sizes:
                dt = (time.perf_counter() - t0) / (every if n % every == 0 else n % every)
                rows.append((p, n, dt, rss_mb(), maps()))
                out(f"pass {p}  size {n:5d}  {dt * 1000:8.1f} ms/step  rss {rows[-1][3]:7.0f} MB"
                    f"  maps {rows[-1][4]:6d}")
                t0 = time.perf_counter()
    return rows


def masked(torch, iters, every=500, out=print):
    """The issue's masked loop: fresh data each iteration, so a new selection size each time."""
    t0 = time.perf_counter()
    for i in range(1, iters + 1):
        x = torch.randn(1000)
        x[x > 0].mul(2).sum().item()
        if i % every == 0 or i == iters:
            k = every if i % every == 0 else i % every
            out(f"masked  iter {i:6d}  {(time.perf_counter() - t0) / k * 1000:8.3f} ms/iter  "
                f"rss {rss_mb():7.0f} MB  maps {maps():6d}")
            t0 = time.perf_counter()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, default=200)
    ap.add_argument("--every", type=int, default=20)
    ap.add_argument("--repeat", action="store_true", help="run the sizes a second time")
    ap.add_argument("--torch", action="store_true", help="run real torch instead")
    ap.add_argument("--masked", type=int, default=0, help="iterations of the masked loop")
    a = ap.parse_args()
    if a.torch:
        import torch
        from torch import nn
    else:
        import torchlike as torch
        from torchlike import nn
    print(f"{'torch' if a.torch else 'torchlike'}: start rss {rss_mb():.0f} MB, maps {maps()}")
    t = time.perf_counter()
    if a.masked:
        masked(torch, a.masked)
    if a.sizes:
        run(torch, nn, a.sizes, a.every, a.repeat)
    print(f"total {time.perf_counter() - t:.1f} s")
    if not a.torch:
        from torchlike._core import kernel_cache
        print("kernel cache:", kernel_cache.STATS, "live executables",
              kernel_cache.live_executables())


if __name__ == "__main__":
    main()
