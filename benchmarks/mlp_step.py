"""Eager training steps of small MLPs (issue 14 item 2): torchlike vs torch eager vs JAX.

Run: python benchmarks/mlp_step.py [--repeat N]   (torch column when torch is importable)

Three steps, each one source text run on both torch and torchlike:

- ``small nn+optim``: 32-64-64-10 ``nn.Sequential`` of Linear/ReLU, batch 32, ``F.mse_loss``,
  ``optim.SGD(momentum=0.9)``;
- ``small raw``: the same MLP written with raw tensors (``x @ w.t() + b``, ``relu``) and a
  hand-written SGD-momentum update under ``no_grad`` (the tutorial's §20 style);
- ``large nn+optim``: 784-512-512-10 at batch 64, as the first.

JAX's column is one ``jax.jit`` of the whole step (the compiled floor).  Each cell is the best
of ``--repeat`` rounds of ~0.2 s; rounds visit every cell in turn, so load from elsewhere hits
all columns alike.  Targets: torchlike/torch <= 1.5x for the small steps, <= 1.0x for large.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

LR, MOMENTUM = 0.01, 0.9
CASES = {"small nn+optim": ((32, 64, 64, 10), 32, "nn", 1.5),
         "small raw": ((32, 64, 64, 10), 32, "raw", 1.5),
         "large nn+optim": ((784, 512, 512, 10), 64, "nn", 1.0)}


def _weights(sizes, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1 / np.sqrt(i)
        out.append((rng.uniform(-bound, bound, (o, i)).astype(np.float32),
                    rng.uniform(-bound, bound, (o,)).astype(np.float32)))
    return out


def make_step(lib, sizes, style, x, y):
    """A zero-argument training step on ``lib`` (torch or torchlike), returning the loss."""
    nn, F = lib.nn, lib.nn.functional
    ws = _weights(sizes)
    if style == "nn":
        layers = []
        for k, (w, b) in enumerate(ws):
            lin = nn.Linear(w.shape[1], w.shape[0])
            with lib.no_grad():
                lin.weight.copy_(lib.tensor(w))
                lin.bias.copy_(lib.tensor(b))
            layers.append(lin)
            if k < len(ws) - 1:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        opt = lib.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

        def step():
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return step
    params = []
    for w, b in ws:
        params += [lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)]
    bufs = [lib.zeros_like(p) for p in params]

    def step():
        h = x
        for k in range(0, len(params), 2):
            h = h @ params[k].t() + params[k + 1]
            if k < len(params) - 2:
                h = h.relu()
        loss = ((h - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for p, buf in zip(params, bufs, strict=True):
                buf.mul_(MOMENTUM).add_(p.grad)
                p.sub_(LR * buf)
                p.grad.zero_()
        return loss

    return step


def jax_step(sizes, xn, yn):
    import jax
    import jax.numpy as jnp

    params = [jnp.asarray(a) for wb in _weights(sizes) for a in wb]
    bufs = [jnp.zeros_like(p) for p in params]

    def loss_fn(params, x, y):
        h = x
        for k in range(0, len(params), 2):
            h = jnp.matmul(h, params[k].T, precision="highest") + params[k + 1]
            if k < len(params) - 2:
                h = jax.nn.relu(h)
        return jnp.mean((h - y) ** 2)

    @jax.jit
    def step(params, bufs, x, y):
        loss, g = jax.value_and_grad(loss_fn)(params, x, y)
        bufs = [MOMENTUM * b + gp for b, gp in zip(bufs, g, strict=True)]
        return [p - LR * b for p, b in zip(params, bufs, strict=True)], bufs, loss

    state = [params, bufs]
    x, y = jnp.asarray(xn), jnp.asarray(yn)

    def run():
        state[0], state[1], loss = step(state[0], state[1], x, y)
        return loss

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    import jax

    import torchlike

    try:
        import torch  # default threads, as jax's CPU backend uses all cores too
    except ImportError:
        torch = None
    cells = {}
    for name, (sizes, batch, style, _) in CASES.items():
        rng = np.random.default_rng(0)
        xn = rng.standard_normal((batch, sizes[0])).astype(np.float32)
        yn = rng.standard_normal((batch, sizes[-1])).astype(np.float32)
        tl = make_step(torchlike, sizes, style, torchlike.tensor(xn), torchlike.tensor(yn))
        cells[name, "torchlike"] = lambda f=tl: f().jax().block_until_ready()
        if torch is not None:
            cells[name, "torch"] = make_step(torch, sizes, style, torch.tensor(xn),
                                             torch.tensor(yn))
        js = jax_step(sizes, xn, yn)
        cells[name, "jax.jit"] = lambda f=js: jax.block_until_ready(f())
    best = dict.fromkeys(cells, float("inf"))
    counts = {}
    for key, fn in cells.items():  # warm up, and size each cell's loop to ~0.2 s
        for _ in range(3):
            fn()
        t = time.perf_counter()
        fn()
        counts[key] = max(5, int(0.2 / max(time.perf_counter() - t, 1e-6)))
    for _ in range(args.repeat):
        for key, fn in cells.items():
            n = counts[key]
            t = time.perf_counter()
            for _ in range(n):
                fn()
            best[key] = min(best[key], (time.perf_counter() - t) / n * 1e6)
    print(f"# {platform.platform()}, {platform.machine()}, Python {platform.python_version()},"
          f" jax {jax.__version__}" + (f", torch {torch.__version__}" if torch else ""))
    print("# µs per training step (forward, backward, SGD-momentum update)")
    print(f"{'step':18s} {'torchlike':>10s} {'torch':>10s} {'jax.jit':>10s} {'tl/torch':>9s}"
          f" {'tl/jit':>7s}  target")
    for name, (*_, target) in CASES.items():
        tl, jj = best[name, "torchlike"], best[name, "jax.jit"]
        th = best.get((name, "torch"))
        ratio = f"{tl / th:8.2f}x" if th else f"{'-':>9s}"
        verdict = ("ok" if tl / th <= target else "MISS") if th else "-"
        print(f"{name:18s} {tl:10.1f} {th if th else float('nan'):10.1f} {jj:10.1f} {ratio}"
              f" {tl / jj:6.2f}x  {verdict} (<= {target}x torch)")


if __name__ == "__main__":
    main()
