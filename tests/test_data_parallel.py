"""nn.DataParallel and torchlike.distributed.tensor (DTensor) over 4 host devices.

JAX fixes its device count when it starts, so one subprocess with
XLA_FLAGS=--xla_force_host_platform_device_count=4 runs every check and prints JSON; the
expected numbers were recorded from torch 2.13 (DataParallel on CPU runs the module itself;
DTensor placements and reprs with a 4-rank fake process group).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_CHILD = r'''
import copy, json
import jax
import torchlike as torch
import torchlike.nn.functional as F
from torchlike.nn.parallel import DataParallel
from torchlike.distributed.tensor import (
    DTensor, Replicate, Shard, distribute_module, distribute_tensor, init_device_mesh)

R = {"devices": jax.device_count()}

def build():
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            v = torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.7 + i) * 0.5
            p.copy_(v.reshape(p.shape))
    return m

def ndev(t):
    return len(t.jax().sharding.device_set)

def shard_shapes(t):
    return sorted(list(s.data.shape) for s in t.jax().addressable_shards)

x = torch.cos(torch.arange(24, dtype=torch.float32) * 0.3).reshape(8, 3)
y = torch.sin(torch.arange(16, dtype=torch.float32) * 0.2).reshape(8, 2)

# ---- DataParallel: layout, values, training
m = build()
plain = copy.deepcopy(m)
dp = DataParallel(m)
R["repr"] = repr(dp)
R["keys"] = list(dp.state_dict())
R["device_ids"] = dp.device_ids
seen = {}
m[0].register_forward_hook(lambda mod, i, o: seen.__setitem__("act", o))
opt = torch.optim.SGD(dp.parameters(), lr=0.1, momentum=0.9)
popt = torch.optim.SGD(plain.parameters(), lr=0.1, momentum=0.9)
losses, plain_losses = [], []
for step in range(3):
    for mod, o, out in ((dp, opt, losses), (plain, popt, plain_losses)):
        o.zero_grad()
        loss = F.mse_loss(mod(x), y)
        loss.backward()
        if step == 0 and mod is dp:
            R["out0"] = dp(x).sum().item()
            R["g0"] = [p.grad.sum().item() for p in m.parameters()]
            R["grad_devices"] = ndev(m[0].weight.grad)
        o.step()
        out.append(loss.item())
R["losses"], R["plain_losses"] = losses, plain_losses
R["w"] = [p.sum().item() for p in m.parameters()]
R["w_diff"] = max((a - b).abs().max().item() for a, b in zip(m.parameters(), plain.parameters()))
R["act_devices"] = ndev(seen["act"])
R["act_shards"] = shard_shapes(seen["act"])
R["param_devices"] = ndev(m[0].weight)
R["param_shards"] = shard_shapes(m[0].weight)
# a batch the 4 devices do not divide runs replicated, with the plain module's values
x6 = x[:6]
R["uneven_diff"] = (dp(x6) - plain(x6)).abs().max().item()
R["uneven_devices"] = ndev(dp(x6))
R["eval"] = [dp.eval().training, m.training, dp.train().training, m.training]
R["to_is_self"] = dp.to("cpu") is dp
# dim=1: positional and keyword tensors are split along it; input gradients match too
class Scale(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = build()[0]

    def forward(self, a, *, b):
        return self.lin(a) * b

sc = Scale()
dps = DataParallel(copy.deepcopy(sc), dim=1)
xa = x.reshape(2, 4, 3).clone().requires_grad_()
xb = xa.detach().clone().requires_grad_()
bb = torch.full((2, 4, 1), 2.0)
out_dp, out_p = dps(xa, b=bb), sc(xb, b=bb)
out_dp.square().sum().backward()
out_p.square().sum().backward()
R["dim1"] = [list(out_dp.jax().sharding.spec), (out_dp - out_p).abs().max().item(),
             (xa.grad - xb.grad).abs().max().item(), shard_shapes(out_dp)]
R["after_to_devices"] = ndev(m[0].weight)
# torchlike.compile of a whole step over the sharded batch
m2 = build()
dp2 = DataParallel(m2)
opt2 = torch.optim.SGD(dp2.parameters(), lr=0.1, momentum=0.9)

@torch.compile
def train_step(a, b):
    opt2.zero_grad()
    loss = F.mse_loss(dp2(a), b)
    loss.backward()
    opt2.step()
    return loss

R["compiled_losses"] = [train_step(x, y).item() for _ in range(3)]
R["compiled_w"] = [p.sum().item() for p in m2.parameters()]

# ---- DTensor
mesh = init_device_mesh("cpu", (4,))
mesh2 = init_device_mesh("cpu", (2, 2), mesh_dim_names=("dp", "tp"))
R["mesh"] = [repr(mesh), list(mesh.shape), mesh.ndim, mesh.size(), mesh.get_local_rank(),
             mesh.mesh.tolist(), mesh.mesh_dim_names]
R["mesh2"] = [repr(mesh2), list(mesh2.shape), mesh2.size(1), list(mesh2.mesh_dim_names),
              repr(mesh2["tp"]), mesh2["dp"].mesh.tolist()]
a = torch.arange(16.).reshape(4, 4)
d = distribute_tensor(a, mesh, [Shard(0)])
R["d"] = [repr(d), type(d).__name__, d.to_local().tolist(), d.full_tensor().tolist(),
          shard_shapes(d), list(d.shape)]
d2 = distribute_tensor(a, mesh2, [Shard(0), Replicate()])
r = d2.redistribute(mesh2, [Replicate(), Shard(1)])
R["d2"] = [repr(d2.placements), d2.to_local().tolist(), repr(r.placements), r.to_local().tolist(),
           r.full_tensor().tolist(), shard_shapes(r)]
ss = distribute_tensor(a, mesh2, [Shard(0), Shard(0)])
R["ss"] = [ss.to_local().tolist(), shard_shapes(ss)]
R["ops"] = [repr((d + 1).placements), repr((d @ d.t()).placements), repr((d2 @ r).placements),
            (d * d).full_tensor().sum().item(), type(d + 1).__name__, repr(d.sum().placements)]
R["replicate"] = [repr(distribute_tensor(a, mesh).placements),
                  distribute_tensor(a, mesh2).full_tensor().sum().item()]
for bad in ([Shard(0), Shard(1)], [Shard(2)]):
    try:
        distribute_tensor(a, mesh, bad)
    except Exception as e:
        R.setdefault("errors", []).append(type(e).__name__)
fl = DTensor.from_local(torch.ones(2, 3), mesh2, [Shard(0), Replicate()])
R["from_local"] = [list(fl.shape), repr(fl.placements)]

# distribute_module: a row-wise (Shard(0)) and a column-wise (Shard(1)) Linear weight
x4 = torch.cos(torch.arange(32, dtype=torch.float32) * 0.3).reshape(8, 4)
for dim, layer, inp in ((0, 0, x), (1, 2, x4)):
    lin = build()[layer]

    def partition(name, mod, mesh_, dim=dim):
        if isinstance(mod, torch.nn.Linear):
            mod.weight = torch.nn.Parameter(distribute_tensor(mod.weight, mesh_, [Shard(dim)]))

    distribute_module(lin, mesh, partition)
    out = lin(inp)
    out.square().sum().backward()
    R[f"module{dim}"] = [repr(lin.weight.placements), repr(lin.bias.placements),
                         type(out).__name__, out.sum().item(),
                         lin.weight.grad.sum(1).tolist(), lin.bias.grad.tolist(),
                         repr(lin.weight.grad.placements), shard_shapes(lin.weight)]
print("JSON" + json.dumps(R))
'''


@pytest.fixture(scope="module")
def result():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4",
               JAX_PLATFORMS="cpu")
    p = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-4000:]
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("JSON"))
    return json.loads(line[4:])


# torch 2.13: DataParallel(model) on CPU, SGD(lr=0.1, momentum=0.9), three mse_loss steps.
TORCH_LOSSES = [0.9157685041427612, 0.6983991265296936, 0.406635046005249]
TORCH_OUT0 = -2.4073486328125
TORCH_G0 = [-0.21536004543304443, 0.42541801929473877, -1.3253732919692993, -1.549335241317749]
TORCH_W = [0.9169776439666748, 1.0957423448562622, 0.16151490807533264, 0.5832223296165466]
# torch 2.13: one Linear of that model alone, out.square().sum().backward().
TORCH_LIN = {
    0: dict(out=10.935758590698242,
            gw=[22.49437141418457, 13.695480346679688, -29.217426300048828, 20.64474105834961],
            gb=[8.178916931152344, 8.843378067016602, 3.0376744270324707, 1.8115477561950684],
            shards=[[1, 3]] * 4),
    1: dict(out=-1.5380510091781616, gw=[3.9160962104797363, -18.06145477294922],
            gb=[2.6594958305358887, -5.735597610473633], shards=[[2, 1]] * 4),
}


def test_data_parallel_layout(result):
    assert result["devices"] == 4
    assert result["repr"] == (
        "DataParallel(\n  (module): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=4, bias=True)\n    (1): Tanh()\n"
        "    (2): Linear(in_features=4, out_features=2, bias=True)\n  )\n)")
    assert result["keys"] == ["module.0.weight", "module.0.bias", "module.2.weight",
                              "module.2.bias"]
    assert result["device_ids"] == [0, 1, 2, 3]
    # the batch of 8 is split 2 rows a device; parameters and grads are whole on each device
    assert result["act_devices"] == 4 and result["act_shards"] == [[2, 4]] * 4
    assert result["param_devices"] == 4 and result["param_shards"] == [[4, 3]] * 4
    assert result["grad_devices"] == 4
    assert result["uneven_devices"] == 4 and result["uneven_diff"] < 1e-6
    assert result["eval"] == [False, False, True, True]
    assert result["to_is_self"] and result["after_to_devices"] == 4
    spec, out_diff, grad_diff, shards = result["dim1"]
    assert spec == [None, "batch"] and shards == [[2, 1, 4]] * 4
    assert out_diff < 1e-6 and grad_diff < 1e-5


def test_data_parallel_values(result):
    assert result["out0"] == pytest.approx(TORCH_OUT0, rel=1e-5)
    assert result["g0"] == pytest.approx(TORCH_G0, rel=1e-5)
    assert result["losses"] == pytest.approx(TORCH_LOSSES, rel=1e-5)
    assert result["plain_losses"] == pytest.approx(TORCH_LOSSES, rel=1e-5)
    assert result["w"] == pytest.approx(TORCH_W, rel=1e-5)
    assert result["w_diff"] < 1e-6
    assert result["compiled_losses"] == pytest.approx(TORCH_LOSSES, rel=1e-5)
    assert result["compiled_w"] == pytest.approx(TORCH_W, rel=1e-5)


def test_device_mesh(result):
    assert result["mesh"] == ["DeviceMesh((4,), 'cpu', stride=(1,))", [4], 1, 4, 0,
                              [0, 1, 2, 3], None]
    assert result["mesh2"] == ["DeviceMesh((dp=2, tp=2), 'cpu', stride=(2, 1))", [2, 2], 2,
                               ["dp", "tp"], "DeviceMesh((tp=2), 'cpu', stride=(1,))", [0, 2]]


def test_dtensor(result):
    a = [[4.0 * i + j for j in range(4)] for i in range(4)]
    rep, typ, local, full, shards, shape = result["d"]
    assert rep == ("DTensor(local_tensor=tensor([[0., 1., 2., 3.]]), device_mesh=DeviceMesh("
                   "(4,), 'cpu', stride=(1,)), placements=(Shard(dim=0),))")
    assert typ == "DTensor" and local == a[:1] and full == a and shards == [[1, 4]] * 4
    assert shape == [4, 4]
    p2, local2, pr, localr, fullr, shardsr = result["d2"]
    assert p2 == "(Shard(dim=0), Replicate())" and local2 == a[:2]
    assert pr == "(Replicate(), Shard(dim=1))" and localr == [row[:2] for row in a]
    assert fullr == a and shardsr == [[4, 2]] * 4
    assert result["ss"] == [a[:1], [[1, 4]] * 4]
    # placements XLA chose match torch's propagation (sum: torch says Partial(sum), a pending
    # reduction; XLA has reduced it already)
    assert result["ops"] == ["(Shard(dim=0),)", "(Shard(dim=0),)", "(Shard(dim=0), Shard(dim=1))",
                             sum(v * v for row in a for v in row), "DTensor", "(Replicate(),)"]
    assert result["replicate"] == ["(Replicate(),)", 120.0]
    assert result["errors"] == ["ValueError", "IndexError"]
    assert result["from_local"] == [[4, 3], "(Shard(dim=0), Replicate())"]


@pytest.mark.parametrize("dim", [0, 1])
def test_distribute_module(result, dim):
    wp, bp, typ, out, gw, gb, gp, shards = result[f"module{dim}"]
    want = TORCH_LIN[dim]
    assert wp == f"(Shard(dim={dim}),)" and bp == "(Replicate(),)" and gp == wp
    assert typ == "DTensor" and shards == want["shards"]
    assert out == pytest.approx(want["out"], rel=1e-5)
    assert gw == pytest.approx(want["gw"], rel=1e-5)
    assert gb == pytest.approx(want["gb"], rel=1e-5)


def test_one_device_is_the_module():
    # The test process has JAX's one CPU device: DataParallel then only forwards to the module.
    import jax

    import torchlike as torch
    import torchlike.nn.parallel as parallel

    if jax.device_count() != 1:
        pytest.skip("needs a single device")
    lin = torch.nn.Linear(2, 1)
    dp = parallel.DataParallel(lin)
    x = torch.ones(3, 2)
    assert dp.device_ids == [0] and dp.output_device == 0 and dp.dim == 0
    assert dp(x).jax().sharding.num_devices == 1
    assert dp(x).tolist() == lin(x).tolist()
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    with pytest.raises(NotImplementedError, match="DataParallel"):
        parallel.scatter  # noqa: B018
