"""One training step (forward, cross-entropy, backward, SGD with momentum) per model:
torchlike eager, torchlike.compile, the same step hand-written in JAX + optax, and torch eager.

Run:  python benchmarks/train_step.py [--quick] [--models mlp,lenet]
The torch column appears when ``import torch`` works (see benchmarks/README.md for a venv with
both).  Models: MLP 32-64-64-10 at batch 32, MLP 784-512-512-10 at batch 128, LeNet-5 at batch
64 (1x28x28 input), a 2-layer Transformer encoder (d=64, 4 heads, ffn 128, seq 32, batch 16,
mean-pooled into 10 classes, dropout 0).

Every column starts from the same weights and data; the script checks that compiled
torchlike and the JAX step reach the same loss after the timed steps.  Timings are the
minimum over rounds of a loop that ends by waiting for the last loss.  ``first call`` is the
compiled step's first call (trace + XLA compile).  ``RSS`` runs 500 compiled steps, and 500
steps of the JAX loop, each in a fresh process that imports torchlike, and reports each
process's peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

import torchlike  # noqa: E402

try:
    if os.environ.get("TRAIN_STEP_RSS_CHILD"):  # memory children: torchlike and JAX only
        raise ImportError
    import torch
except ImportError:
    torch = None

LR, MOMENTUM = 0.01, 0.9
HI = jax.lax.Precision.HIGHEST


# ---------------------------------------------------------------- the models, torch-style


def build(lib, name: str):
    """(model, input shape, batch) for torch or torchlike (same code for both)."""
    nn = lib.nn
    if name == "mlp-small":
        return nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                             nn.Linear(64, 10)), (32,), 32
    if name == "mlp-large":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                             nn.Linear(512, 10)), (784,), 128
    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10)), (1, 28, 28), 64
    if name == "transformer":

        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                layer = nn.TransformerEncoderLayer(64, 4, dim_feedforward=128, dropout=0.0,
                                                   batch_first=True)
                self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
                self.head = nn.Linear(64, 10)

            def forward(self, x):
                return self.head(self.enc(x).mean(1))

        return Encoder(), (32, 64), 16
    raise ValueError(name)


MODELS = ("mlp-small", "mlp-large", "lenet5", "transformer")


def step_fn(lib, model, opt):
    crit = lib.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


# ---------------------------------------------------------------- the same step in JAX + optax


def _linear(p, k, x):
    return jnp.matmul(x, p[f"{k}.weight"].T, precision=HI) + p[f"{k}.bias"]


def _conv(p, k, x, pad):
    y = jax.lax.conv_general_dilated(x, p[f"{k}.weight"], (1, 1), [(pad, pad)] * 2,
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"), precision=HI)
    return y + p[f"{k}.bias"][None, :, None, None]


def _pool(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def _ln(p, k, x):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / jnp.sqrt(v + 1e-5) * p[f"{k}.weight"] + p[f"{k}.bias"]


def _encoder_layer(p, k, x, heads=4):
    b, s, d = x.shape
    qkv = jnp.matmul(x, p[f"{k}.self_attn.in_proj_weight"].T, precision=HI) + \
        p[f"{k}.self_attn.in_proj_bias"]
    q, kk, v = (t.reshape(b, s, heads, d // heads).transpose(0, 2, 1, 3)
                for t in jnp.split(qkv, 3, -1))
    att = jax.nn.softmax(jnp.matmul(q, kk.transpose(0, 1, 3, 2), precision=HI)
                         / np.sqrt(d // heads), -1)
    o = jnp.matmul(att, v, precision=HI).transpose(0, 2, 1, 3).reshape(b, s, d)
    x = _ln(p, f"{k}.norm1", x + _linear(p, f"{k}.self_attn.out_proj", o))
    h = _linear(p, f"{k}.linear2", jax.nn.relu(_linear(p, f"{k}.linear1", x)))
    return _ln(p, f"{k}.norm2", x + h)


def jax_forward(name: str):
    if name.startswith("mlp"):
        def f(p, x):
            return _linear(p, "4", jax.nn.relu(_linear(p, "2", jax.nn.relu(_linear(p, "0", x)))))
    elif name == "lenet5":
        def f(p, x):
            x = _pool(jax.nn.relu(_conv(p, "0", x, 2)))
            x = _pool(jax.nn.relu(_conv(p, "3", x, 0))).reshape(x.shape[0], -1)
            x = jax.nn.relu(_linear(p, "7", x))
            return _linear(p, "11", jax.nn.relu(_linear(p, "9", x)))
    else:
        def f(p, x):
            for i in range(2):
                x = _encoder_layer(p, f"enc.layers.{i}", x)
            return _linear(p, "head", x.mean(1))
    return f


def jax_step(name: str):
    fwd = jax_forward(name)
    tx = optax.sgd(LR, momentum=MOMENTUM)

    def loss_fn(p, x, y):
        logits = fwd(p, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @functools_partial_donate
    def step(p, s, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        u, s = tx.update(g, s, p)
        return optax.apply_updates(p, u), s, loss

    return step, tx


def functools_partial_donate(f):
    return jax.jit(f, donate_argnums=(0, 1))


# ---------------------------------------------------------------- timing


def _time(fn, sync, n: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        r = None
        for _ in range(n):
            r = fn()
        sync(r)
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e6


def setup(name: str, seed: int = 0):
    torchlike.manual_seed(seed)
    model, shape, batch = build(torchlike, name)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *shape)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    return model, x, y


def run_one(name: str, n: int, rounds: int) -> dict:
    res = {}
    sd = None
    # torchlike eager and compiled, from the same weights
    for col in ("eager", "compiled"):
        model, x, y = setup(name)
        sd = {k: v.numpy().copy() for k, v in model.state_dict().items()}
        opt = torchlike.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        step = step_fn(torchlike, model, opt)
        xt, yt = torchlike.tensor(x), torchlike.tensor(y)
        if col == "compiled":
            step = torchlike.compile(step)
            t = time.perf_counter()
            step(xt, yt).item()
            res["first"] = time.perf_counter() - t
            step(xt, yt).item()  # the second call traces once more (momentum buffers exist)
        res[col] = _time(lambda step=step, xt=xt, yt=yt: step(xt, yt),
                         lambda r: r.item(), n, rounds)
        if col == "compiled":
            res["loss_compiled"] = step(xt, yt).item()
            res["steps_compiled"] = 3 + n * rounds
    # JAX + optax
    params = {k: jnp.asarray(v) for k, v in sd.items()}
    jstep, tx = jax_step(name)
    opt_state = tx.init(params)
    xj, yj = jnp.asarray(x), jnp.asarray(y)
    box = [params, opt_state]

    def jcall():
        box[0], box[1], loss = jstep(box[0], box[1], xj, yj)
        return loss

    for _ in range(2):
        jcall()
    res["jax"] = _time(jcall, lambda r: r.block_until_ready(), n, rounds)
    res["loss_jax"] = float(jcall())
    if torch is not None:
        tm, _, _ = build(torch, name)
        tm.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
        topt = torch.optim.SGD(tm.parameters(), lr=LR, momentum=MOMENTUM)
        tstep = step_fn(torch, tm, topt)
        xtt, ytt = torch.from_numpy(x), torch.from_numpy(y)
        res["torch"] = _time(lambda: tstep(xtt, ytt), lambda r: r.item(), n, rounds)
    return res


def rss_child(name: str, which: str, steps: int) -> None:
    """Run ``steps`` steps of one loop and print this process's peak RSS in MB."""
    model, x, y = setup(name)
    if which == "compiled":
        opt = torchlike.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
        step = torchlike.compile(step_fn(torchlike, model, opt))
        xt, yt = torchlike.tensor(x), torchlike.tensor(y)
        for _ in range(steps):
            loss = step(xt, yt)
        loss.item()
    else:
        params = {k: jnp.array(v.jax(), copy=True) for k, v in model.state_dict().items()}
        jstep, tx = jax_step(name)
        s = tx.init(params)
        xj, yj = jnp.asarray(x), jnp.asarray(y)
        for _ in range(steps):
            params, s, loss = jstep(params, s, xj, yj)
        loss.block_until_ready()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork + exec
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
    print(hwm / 1024)


def rss(name: str, which: str) -> float:
    out = subprocess.run([sys.executable, __file__, "--rss-child", name, which],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "TRAIN_STEP_RSS_CHILD": "1"})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--rss-child", nargs=2)
    a = ap.parse_args()
    if a.rss_child:
        rss_child(*a.rss_child, steps=500)
        return
    n, rounds = (20, 3) if a.quick else (50, 7)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, jax {jax.__version__}"
          + (f", torch {torch.__version__}" if torch else ", torch not installed"))
    print("# µs per step (min over rounds); ratios: compiled / jax, torch / compiled")
    hdr = (f"{'model':12} {'eager':>9} {'compiled':>9} {'jax+optax':>9} {'torch':>9} "
           f"{'cmp/jax':>8} {'torch/cmp':>9} {'1st call':>9} {'RSS cmp':>8} {'RSS jax':>8}")
    print(hdr)
    print("-" * len(hdr))
    for name in a.models.split(","):
        r = run_one(name, n, rounds)
        tr = r.get("torch")
        rc, rj = ("", "") if a.no_rss else (rss(name, "compiled"), rss(name, "jax"))
        print(f"{name:12} {r['eager']:9.0f} {r['compiled']:9.0f} {r['jax']:9.0f} "
              f"{tr if tr else float('nan'):9.0f} {r['compiled'] / r['jax']:7.2f}x "
              f"{(tr / r['compiled']) if tr else float('nan'):8.2f}x {r['first']:8.2f}s "
              + (f"{rc:7.0f}M {rj:7.0f}M" if rc else ""))
        drift = abs(r["loss_compiled"] - r["loss_jax"]) / max(abs(r["loss_jax"]), 1e-6)
        if drift > 1e-2:
            print(f"#   note: losses differ after the timed steps: compiled "
                  f"{r['loss_compiled']:.6f} vs jax {r['loss_jax']:.6f}")


if __name__ == "__main__":
    main()
