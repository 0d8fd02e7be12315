"""Data and tensor parallelism over several devices (the tutorial's §19), written as for PyTorch.

1. ``nn.DataParallel``: the batch is split over every device, the parameters are replicated,
   and a training run gives the same losses as the unwrapped model.
2. DTensor: a 2x2 device mesh, a tensor sharded and redistributed over it, and an MLP whose
   two layers are split Megatron-style (first weight by rows, second by columns) with
   ``distribute_module``; XLA inserts the collectives.

With no accelerator it uses 4 host CPU devices (JAX fixes the device count when it starts,
so the flag is set here before torchlike imports jax).

Run: python examples/data_parallel.py
"""

from __future__ import annotations

import copy
import os

if "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_force_host_platform_device_count=4").strip()

import torchlike as torch  # noqa: E402
import torchlike.nn.functional as F  # noqa: E402
from torchlike import nn  # noqa: E402
from torchlike.distributed.tensor import (  # noqa: E402
    Replicate,
    Shard,
    distribute_module,
    distribute_tensor,
    init_device_mesh,
)
from torchlike.nn.parallel import DataParallel  # noqa: E402


def devices_of(t) -> int:
    """How many devices hold a piece of ``t`` (its jax array's sharding)."""
    return len(t.jax().sharding.device_set)


def make_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))


def train(model: nn.Module, x, y, steps: int = 10) -> list[float]:
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def data_parallel(x, y) -> None:
    plain = make_model()
    model = DataParallel(copy.deepcopy(plain))
    print(model)
    print("device_ids:", model.device_ids, "| state_dict keys:", list(model.state_dict())[:2])
    acts = {}
    model.module[0].register_forward_hook(lambda m, i, o: acts.__setitem__("hidden", o))
    dp_losses = train(model, x, y)
    ref_losses = train(plain, x, y)
    h = acts["hidden"]
    print(f"hidden activations {tuple(h.shape)} live on {devices_of(h)} devices, "
          f"{h.jax().addressable_shards[0].data.shape[0]} rows each")
    print(f"loss {dp_losses[0]:.4f} -> {dp_losses[-1]:.4f} (unwrapped model: "
          f"{ref_losses[0]:.4f} -> {ref_losses[-1]:.4f})")
    diff = max(abs(a - b) for a, b in zip(dp_losses, ref_losses, strict=True))
    assert diff < 1e-4, diff


def dtensor(x, y) -> None:
    # 4 GPUs when there are that many, else the 4 host CPU devices
    kind = "cuda" if torch.cuda.is_available() and torch.cuda.device_count() >= 4 else "cpu"
    mesh = init_device_mesh(kind, (2, 2), mesh_dim_names=("dp", "tp"))
    print(mesh)
    a = torch.arange(16.0).reshape(4, 4)
    d = distribute_tensor(a, mesh, [Shard(0), Replicate()])
    print("distributed:", d.placements, "local piece", d.to_local().tolist())
    r = d.redistribute(mesh, [Replicate(), Shard(1)])
    print("redistributed:", r.placements, "local piece", r.to_local().tolist())
    print("(d @ r).placements:", (d @ r).placements,
          "| full value matches:", torch.equal((d @ r).full_tensor(), a @ a))

    plain = make_model()
    model = copy.deepcopy(plain)

    def megatron(name, module, mesh_1d):
        # first layer split by output features (rows), second by input features (columns)
        if name == "0":
            module.weight = nn.Parameter(distribute_tensor(module.weight, mesh_1d, [Shard(0)]))
            module.bias = nn.Parameter(distribute_tensor(module.bias, mesh_1d, [Shard(0)]))
        elif name == "2":
            module.weight = nn.Parameter(distribute_tensor(module.weight, mesh_1d, [Shard(1)]))

    tp = mesh["tp"]
    distribute_module(model, tp, megatron)
    for name, p in model.named_parameters():
        print(f"  {name:9s} {str(tuple(p.shape)):8s} {p.placements}")
    tp_losses = train(model, x, y)
    ref_losses = train(plain, x, y)
    print(f"tensor-parallel loss {tp_losses[0]:.4f} -> {tp_losses[-1]:.4f} (plain: "
          f"{ref_losses[0]:.4f} -> {ref_losses[-1]:.4f})")
    diff = max(abs(a - b) for a, b in zip(tp_losses, ref_losses, strict=True))
    assert diff < 1e-4, diff


def main() -> None:
    torch.manual_seed(1)
    x = torch.randn(64, 8)
    y = (x[:, :1] * 2 - x[:, 1:2]).tanh()
    data_parallel(x, y)
    dtensor(x, y)


if __name__ == "__main__":
    main()
