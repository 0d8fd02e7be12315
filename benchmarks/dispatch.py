"""Eager dispatch overhead: µs per call of the ops a tutorial-style program uses, torchlike vs
a jit-cached JAX call of the same computation (vs torch eager).

The rows (issue 14): arithmetic with tensors and Python scalars, comparisons, clamp/where,
in-place ops, views (t, view, slicing, select, expand), indexing with an index tensor, matmul
and linear on a transposed view, reductions, an op under ``no_grad`` and ops that record
autograd (``grad:`` rows, ``w`` requires grad).  Operands are 64x32 float32 (``x`` 16x32, an
index of 5 ints).  Columns, in one process:

  torchlike   the torch-style call (the same source text runs on torch: ``_torch_style``)
  jax.jit     one already-compiled ``jax.jit`` function of the same computation, JAX's floor
              (a view is computed; a ``grad:`` row returns ``jax.vjp``'s function too)
  torch       torch eager, when ``import torch`` works in this interpreter

and the ratio torchlike / jax.jit against the target: <= 1.5x, <= 2x for ``grad:`` rows.
Each figure is the minimum over several rounds of a timed loop that ends by waiting for the
last result (``block_until_ready``; for a view that reads its value once), so asynchronous
dispatch cannot hide work; rounds visit every cell in turn, so load from elsewhere on the
machine hits all columns alike.

Run from a clone's root:  python benchmarks/dispatch.py [--quick]
Columns are skipped when their library is not importable here (torchlike needs jax).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

try:
    import jax
    import jax.numpy as jnp

    import torchlike
except ImportError as e:  # e.g. the torch-only venv
    print(f"# jax/torchlike unavailable ({e}); only torch is timed")
    jax = jnp = torchlike = None

try:
    import torch
except ImportError:
    torch = None

TARGET = 1.5
GRAD_TARGET = 2.0


def _noop(r):
    return r


def _block_jax(r):
    return jax.block_until_ready(r)


def _block_tl(r):
    # A torchlike result is a pytree (leaf = its array); flattening reads a view's value.
    return jax.block_until_ready(r)


def calibrate(fn, block, budget: float) -> int:
    """Warm ``fn`` up (compile, caches) and pick a loop count whose run takes ~``budget`` s."""
    for _ in range(20):
        r = fn()
    block(r)
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            r = fn()
        block(r)
        dt = time.perf_counter() - t0
        if dt >= budget / 4 or number >= 1 << 22:
            break
        number *= 2
    return max(1, int(number * budget / max(dt, 1e-9)))


def timed(fn, block, number: int) -> float:
    """µs per call of one run: ``number`` calls, then wait for the last result."""
    t0 = time.perf_counter()
    for _ in range(number):
        r = fn()
    block(r)
    return (time.perf_counter() - t0) / number * 1e6


def _run(cell: _Cell, what, *args):
    if not cell.no_grad:
        return what(cell.fn, cell.block, *args)
    with cell.lib.no_grad():
        return what(cell.fn, cell.block, *args)


def measure_all(table, cols, *, repeat: int, budget: float) -> dict:
    """Min over ``repeat`` rounds per cell; each round visits every cell once (interleaved, so
    a burst of load from elsewhere on the machine hits all columns alike)."""
    numbers = {(n, c): _run(table[n][c], calibrate, budget) for n in table for c in cols
               if c in table[n]}
    best = {k: math.inf for k in numbers}
    gcold = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for (n, c), number in numbers.items():
                best[n, c] = min(best[n, c], _run(table[n][c], timed, number))
    finally:
        if gcold:
            gc.enable()
    return best


def _torch_style(T, F):
    """name -> (setup, call) for a torch-like module ``T`` (torch or torchlike): the same code
    runs on both.  64x32 float32 operands; ``w`` requires grad."""
    g = T.Generator().manual_seed(0)
    a = T.randn(64, 32, generator=g)
    b = T.randn(64, 32, generator=g)
    c = T.randn(64, 32, generator=g)
    x = T.randn(16, 32, generator=g)
    v = T.randn(1, 32, generator=g)
    m = a > 0
    idx = T.tensor([3, 0, 7, 63, 12])
    w = T.randn(64, 32, generator=g).requires_grad_()
    return {
        "a + b": lambda: a + b,
        "a + 1.5": lambda: a + 1.5,
        "a * 2": lambda: a * 2,
        "a > 0": lambda: a > 0,
        "a > b": lambda: a > b,
        "a.clamp(min=0)": lambda: a.clamp(min=0),
        "where(m, a, b)": lambda: T.where(m, a, b),
        "c.add_(b)": lambda: c.add_(b),
        "c.mul_(-1.0)": lambda: c.mul_(-1.0),
        "a.t()": lambda: a.t(),
        "a.view(32, 64)": lambda: a.view(32, 64),
        "a[2:10]": lambda: a[2:10],
        "a[3]": lambda: a[3],
        "v.expand(64, 32)": lambda: v.expand(64, 32),
        "a[idx]": lambda: a[idx],
        "x @ a.t()": lambda: x @ a.t(),
        "F.linear(x, a)": lambda: F.linear(x, a),
        "a.sum()": lambda: a.sum(),
        "a.mean(0)": lambda: a.mean(0),
        "no_grad: w * 2": ("no_grad", lambda: w * 2),
        "grad: w * 2": lambda: w * 2,
        "grad: x @ w.t()": lambda: x @ w.t(),
        "grad: F.linear(x, w)": lambda: F.linear(x, w),
    }


# Rows that record autograd: their target is 2x, the others 1.5x.
GRAD_ROWS = {"grad: w * 2", "grad: x @ w.t()", "grad: F.linear(x, w)"}


def _jax_style():
    """name -> call: the same computation as one already-compiled jax.jit call (JAX's floor).
    Views are computed (JAX has none); an in-place op returns the new array."""
    hi = jax.lax.Precision.HIGHEST
    k = jax.random.split(jax.random.key(0), 6)
    a, b, c, w = (jax.random.normal(k[i], (64, 32), jnp.float32) for i in range(4))
    x = jax.random.normal(k[4], (16, 32), jnp.float32)
    v = jax.random.normal(k[5], (1, 32), jnp.float32)
    m = a > 0
    idx = jnp.asarray([3, 0, 7, 63, 12])
    j = jax.jit
    add, gt = j(lambda p, q: p + q), j(lambda p, q: p > q)
    adds, mul2, gt0 = j(lambda p: p + 1.5), j(lambda p: p * 2), j(lambda p: p > 0)
    clamp, where = j(lambda p: jnp.maximum(p, 0)), j(jnp.where)
    mulh = j(lambda p: p * -1.0)
    tr, vw = j(lambda p: p.T), j(lambda p: p.reshape(32, 64))
    sl, sel = j(lambda p: p[2:10]), j(lambda p: p[3])
    ex, gat = j(lambda p: jnp.broadcast_to(p, (64, 32))), j(lambda p, i: p[i])
    mmt = j(lambda p, q: jnp.matmul(p, q.T, precision=hi))
    sm, mean0 = j(jnp.sum), j(lambda p: p.mean(0))

    def fwd_vjp(f):
        # A forward that also returns its vjp function: what recording autograd must do.
        return j(lambda *xs: jax.vjp(f, *xs))

    gmul = fwd_vjp(lambda p: p * 2)
    gmm = fwd_vjp(lambda p, q: jnp.matmul(p, q.T, precision=hi))
    return {
        "a + b": lambda: add(a, b),
        "a + 1.5": lambda: adds(a),
        "a * 2": lambda: mul2(a),
        "a > 0": lambda: gt0(a),
        "a > b": lambda: gt(a, b),
        "a.clamp(min=0)": lambda: clamp(a),
        "where(m, a, b)": lambda: where(m, a, b),
        "c.add_(b)": lambda: add(c, b),
        "c.mul_(-1.0)": lambda: mulh(c),
        "a.t()": lambda: tr(a),
        "a.view(32, 64)": lambda: vw(a),
        "a[2:10]": lambda: sl(a),
        "a[3]": lambda: sel(a),
        "v.expand(64, 32)": lambda: ex(v),
        "a[idx]": lambda: gat(a, idx),
        "x @ a.t()": lambda: mmt(x, a),
        "F.linear(x, a)": lambda: mmt(x, a),
        "a.sum()": lambda: sm(a),
        "a.mean(0)": lambda: mean0(a),
        "no_grad: w * 2": lambda: mul2(w),
        "grad: w * 2": lambda: gmul(w),
        "grad: x @ w.t()": lambda: gmm(x, w),
        "grad: F.linear(x, w)": lambda: gmm(x, w),
    }


class _Cell:
    """One timed callable: a zero-argument ``fn``, the wait for its result, and the grad mode
    it runs under (``no_grad`` rows switch grad off around their timed loop)."""

    def __init__(self, fn, block, lib=None, no_grad=False):
        self.fn, self.block, self.lib, self.no_grad = fn, block, lib, no_grad


def cases():
    """name -> {column: _Cell}."""
    out: dict[str, dict] = {}
    libs = []
    if torchlike is not None:
        import torchlike.nn.functional as tlF

        libs.append(("torchlike", torchlike, tlF, _block_tl))
        for n, fn in _jax_style().items():
            out.setdefault(n, {})["jax.jit"] = _Cell(fn, _block_jax)
    if torch is not None:
        import torch.nn.functional as tF

        libs.append(("torch", torch, tF, _noop))
    for col, T, F, block in libs:
        for n, fn in _torch_style(T, F).items():
            ng = isinstance(fn, tuple)
            out.setdefault(n, {})[col] = _Cell(fn[1] if ng else fn, block, T, ng)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per cell (min is kept)")
    ap.add_argument("--only", default=None, help="rows whose name contains this text")
    args = ap.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 15)
    budget = 0.01 if args.quick else 0.05

    print(f"# {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    vers = []
    if jax is not None:
        vers.append(f"jax {jax.__version__} ({jax.default_backend()})")
        vers.append(f"torchlike {torchlike.__version__}")
    if torch is not None:
        vers.append(f"torch {torch.__version__}")
    print("# " + ", ".join(vers))
    print(f"# µs per call, min of {repeat} repeats; float32 64x32 (x: 16x32, idx: 5 ints)")
    print(f"# target: torchlike / jax.jit <= {TARGET}x, <= {GRAD_TARGET}x for rows recording "
          "autograd (grad:)")

    cols = [c for c in ("torchlike", "jax.jit", "torch")
            if (c == "torch" and torch is not None) or (c != "torch" and jax is not None)]
    head = f"{'op':<22}" + "".join(f"{c:>11}" for c in cols)
    if jax is not None:
        head += f"{'tl/jit':>9}  target"
    print(head)
    print("-" * len(head))
    misses = 0
    table = cases()
    if args.only:
        table = {k: v for k, v in table.items() if args.only in k}
    best = measure_all(table, cols, repeat=repeat, budget=budget)
    for name in table:
        res = {c: best[name, c] for c in cols}
        line = f"{name:<22}" + "".join(f"{res[c]:>11.2f}" for c in cols)
        if jax is not None:
            target = GRAD_TARGET if name in GRAD_ROWS else TARGET
            ratio = res["torchlike"] / res["jax.jit"]
            ok = ratio <= target
            misses += not ok
            line += f"{ratio:>8.2f}x  {'ok' if ok else 'MISS'} (<={target}x)"
        print(line, flush=True)
    if jax is not None:
        print(f"# {misses} op(s) over target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
