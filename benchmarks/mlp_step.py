"""Eager forward+backward+SGD step of a 32-64-64-10 MLP at batch 32: torchlike vs torch vs JAX.

Run: python benchmarks/mlp_step.py   (torch column appears when torch is importable)

The model is ``nn.Sequential`` of ``nn.Linear``/``nn.ReLU`` with ``F.mse_loss`` and
``optim.SGD``: the same function body runs on torchlike and torch.  JAX's
columns are the same step written functionally: ``jax.grad`` un-jitted (what eager JAX
costs) and one ``jax.jit`` of the whole step (the compiled floor torchlike.compile aims at).
"""

from __future__ import annotations

import platform
import time

import numpy as np

SIZES = (32, 64, 64, 10)
BATCH = 32
LR = 0.01


def _model(lib, rng):
    """nn.Sequential of Linear/ReLU with weights drawn from ``rng`` (same for both libraries)."""
    nn = lib.nn
    layers = []
    for k, (i, o) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        lin = nn.Linear(i, o)
        bound = 1 / np.sqrt(i)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(rng.uniform(-bound, bound, (o, i)).astype(np.float32)))
            lin.bias.copy_(lib.tensor(rng.uniform(-bound, bound, (o,)).astype(np.float32)))
        layers.append(lin)
        if k < len(SIZES) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    return model, lib.optim.SGD(model.parameters(), lr=LR)


def eager_step(lib, model, opt, x, y):
    """One training step, torch-style, for torch or torchlike."""
    opt.zero_grad()
    loss = lib.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss


def _time(fn, n=200, rounds=7):
    fn()
    fn()
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e6


def main() -> None:
    import jax
    import jax.numpy as jnp

    import torchlike

    rng = np.random.default_rng(0)
    xn = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    yn = rng.standard_normal((BATCH, SIZES[-1])).astype(np.float32)
    results = {}

    model, opt = _model(torchlike, np.random.default_rng(1))
    x, y = torchlike.tensor(xn), torchlike.tensor(yn)
    results["torchlike eager"] = _time(
        lambda: eager_step(torchlike, model, opt, x, y).jax().block_until_ready())

    try:
        import torch

        torch.set_num_threads(1)
        tmodel, topt = _model(torch, np.random.default_rng(1))
        tx, ty = torch.tensor(xn), torch.tensor(yn)
        results["torch eager"] = _time(lambda: eager_step(torch, tmodel, topt, tx, ty))
    except ImportError:
        pass

    def loss_fn(params, x, y):
        h = x
        for k in range(0, len(params), 2):
            h = jnp.matmul(h, params[k].T, precision="highest") + params[k + 1]
            if k < len(params) - 2:
                h = jax.nn.relu(h)
        return jnp.mean((h - y) ** 2)

    def step(params, x, y):
        g = jax.grad(loss_fn)(params, x, y)
        return [p - LR * gp for p, gp in zip(params, g, strict=False)]

    jps = [p.detach().jax() for p in _model(torchlike, np.random.default_rng(1))[0].parameters()]
    jx, jy = jnp.asarray(xn), jnp.asarray(yn)
    results["jax eager (jax.grad, no jit)"] = _time(
        lambda: jax.block_until_ready(step(jps, jx, jy)), n=20, rounds=3)
    jstep = jax.jit(step)
    results["jax.jit whole step"] = _time(lambda: jax.block_until_ready(jstep(jps, jx, jy)))

    print(f"# {platform.platform()}, {platform.machine()}, Python {platform.python_version()}")
    print(f"# MLP {'-'.join(map(str, SIZES))}, batch {BATCH}: µs per forward+backward+SGD step")
    for k, v in results.items():
        print(f"{k:32s} {v:10.1f}")
    if "torch eager" in results:
        r = results["torchlike eager"] / results["torch eager"]
        print(f"torchlike / torch eager: {r:.2f}x  (target <= 1.5x: "
              f"{'ok' if r <= 1.5 else 'MISS'})")
    print("torchlike / jax.jit step: "
          f"{results['torchlike eager'] / results['jax.jit whole step']:.1f}x")


if __name__ == "__main__":
    main()
