"""The GPU check (issue 15): torchlike on a GPU, against its own CPU results and torch CUDA.

Run:  python benchmarks/gpu_check.py [--skip-compat] [--steps N]
      python benchmarks/gpu_check.py --dry-run-cpu   # the same checks with the CPU as target

On a machine without a GPU it says so and exits 0.  With one it prints one table:
- compat: a fast subset of compat_tests (op_db cases of matmul/softmax/conv2d/addmm/
  layer_norm/cross_entropy, and the dtype promotion table) run by pytest with JAX's default
  device the GPU, as pass/fail counts;
- precision: float32 matmul (512x512) and conv2d (8x16x32x32, 3x3) on the GPU against the same
  inputs on the CPU, largest relative difference, with ``backends.cuda.matmul.allow_tf32``
  False (full float32) and True (TF32);
- speed: one SGD training step of an MLP 784-512-512-10 at batch 128, eager and
  ``torchlike.compile``d, at each precision, with torch CUDA's eager step when torch with CUDA
  is importable.  Timings are the median of ``--steps`` steps after warm-up, each ending by
  waiting for the loss.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

import jax  # noqa: E402

import torchlike  # noqa: E402

COMPAT_K = "matmul or softmax or conv2d or addmm or layer_norm or cross_entropy"


def _gpus():
    try:
        return jax.devices("gpu")
    except RuntimeError:
        return []


def compat_subset(timeout: int) -> str:
    """Pass/fail counts of the compat subset, run in a fresh process on JAX's default device."""
    cmd = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-rf", "-p", "no:xdist",
           "-p", "no:randomly",
           "compat_tests/test_opdb.py", "compat_tests/test_promotion.py", "-k",
           f"({COMPAT_K}) or test_promotion"]
    try:
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout} s"
    except OSError as e:
        return f"could not run pytest: {e}"
    out = r.stdout + r.stderr
    # pytest's summary line ("12 passed, 1 failed in 3.2s"), not compat_tests' coverage notes.
    summary = next((ln for ln in reversed(out.splitlines())
                    if re.search(r"\d+ (passed|failed|error).* in [\d.]+s", ln)), "")
    passed = sum(int(n) for n in re.findall(r"(\d+) passed", summary))
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", summary))
    if not summary:
        return f"pytest gave no summary (exit {r.returncode}): {out[-300:]!r}"
    fails = [ln.split(" - ")[0] for ln in out.splitlines() if ln.startswith("FAILED")][:5]
    s = f"{passed} passed, {failed} failed"
    return s + (" (" + "; ".join(fails) + ")" if fails else "")


def _rel(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def precision_rows(target: str) -> list[tuple[str, str]]:
    """Largest relative GPU-vs-CPU difference of matmul and conv2d at each TF32 setting."""
    t = torchlike
    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 512), dtype=np.float32)
    b = rng.standard_normal((512, 512), dtype=np.float32)
    x = rng.standard_normal((8, 16, 32, 32), dtype=np.float32)
    w = rng.standard_normal((32, 16, 3, 3), dtype=np.float32)
    # On a GPU machine JAX's default device is the GPU: the reference is placed on the CPU.
    ref_mm = (t.tensor(a, device="cpu") @ t.tensor(b, device="cpu")).numpy()
    ref_conv = t.nn.functional.conv2d(t.tensor(x, device="cpu"), t.tensor(w, device="cpu"),
                                      padding=1).numpy()
    rows = []
    for tf32 in (False, True):
        t.backends.cuda.matmul.allow_tf32 = tf32
        t.backends.cudnn.allow_tf32 = tf32
        try:
            mm = (t.tensor(a, device=target) @ t.tensor(b, device=target)).cpu().numpy()
            cv = t.nn.functional.conv2d(t.tensor(x, device=target), t.tensor(w, device=target),
                                        padding=1).cpu().numpy()
        finally:
            t.backends.cuda.matmul.allow_tf32 = False
            t.backends.cudnn.allow_tf32 = True
        tag = "tf32 on " if tf32 else "tf32 off"
        rows.append((f"matmul 512x512 f32, {tag}", f"max rel diff vs CPU {_rel(mm, ref_mm):.2e}"))
        rows.append((f"conv2d 8x16x32x32 f32, {tag}",
                     f"max rel diff vs CPU {_rel(cv, ref_conv):.2e}"))
    return rows


def _mlp(lib, device):
    nn = lib.nn
    lib.manual_seed(0)
    m = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                      nn.Linear(512, 10)).to(device)
    opt = lib.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((128, 784), dtype=np.float32), device=device)
    y = lib.tensor(rng.integers(0, 10, 128), device=device)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _time(step, sync, steps: int) -> float:
    for _ in range(3):
        sync(step())
    ts = []
    for _ in range(steps):
        t0 = time.perf_counter()
        sync(step())
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


def speed_rows(target: str, steps: int) -> list[tuple[str, str]]:
    t = torchlike
    rows = []

    def wait(loss):
        loss._data.block_until_ready()

    for tf32 in (False, True):
        t.backends.cuda.matmul.allow_tf32 = tf32
        try:
            tag = "tf32 on " if tf32 else "tf32 off"
            eager = _time(_mlp(t, target), wait, steps)
            compiled = _time(t.compile(_mlp(t, target)), wait, steps)
        finally:
            t.backends.cuda.matmul.allow_tf32 = False
        rows.append((f"MLP step, torchlike eager, {tag}", f"{eager:.3f} ms"))
        rows.append((f"MLP step, torchlike.compile, {tag}", f"{compiled:.3f} ms"))
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and torch.cuda.is_available():
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            ms = _time(_mlp(torch, "cuda"), lambda loss: torch.cuda.synchronize(), steps)
            rows.append((f"MLP step, torch CUDA eager, {'tf32 on ' if tf32 else 'tf32 off'}",
                         f"{ms:.3f} ms"))
        torch.backends.cuda.matmul.allow_tf32 = False
    else:
        rows.append(("MLP step, torch CUDA eager", "torch with CUDA not importable"))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-compat", action="store_true", help="skip the compat subset")
    ap.add_argument("--steps", type=int, default=20, help="timed steps per cell")
    ap.add_argument("--compat-timeout", type=int, default=300)
    ap.add_argument("--dry-run-cpu", action="store_true",
                    help="run every check with the CPU as the target (checks the script)")
    args = ap.parse_args()
    gpus = _gpus()
    if not gpus and not args.dry_run_cpu:
        print("gpu_check: no GPU present (JAX found none); nothing to check.")
        return 0
    target = "cpu" if args.dry_run_cpu else "cuda"
    name = gpus[0].device_kind if gpus and not args.dry_run_cpu else "CPU (dry run)"
    rows = [("device", f"{name}; jax {jax.__version__}")]
    if not args.skip_compat:
        rows.append(("compat subset on the default device", compat_subset(args.compat_timeout)))
    rows += precision_rows(target)
    rows += speed_rows(target, args.steps)
    w = max(len(k) for k, _ in rows)
    print(f"{'check':<{w}} | result")
    print("-" * w + "-|-" + "-" * 40)
    for k, v in rows:
        print(f"{k:<{w}} | {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
