"""Devices, torch.cuda, torch.backends, torch.accelerator and threads (issue 15, "Devices").

Expected answers and messages were recorded from torch 2.13's CPU build.  Several devices are
tested on XLA's forced host devices ('cpu:N', docs/devices.md) in one subprocess.
"""

import json
import os
import pathlib
import subprocess
import sys
import warnings

import pytest

import torchlike as torch
from torchlike import nn

NO_CUDA = "Torch not compiled with CUDA enabled"
NO_ACCEL = "Cannot access accelerator device when none is available."
cpu_only = pytest.mark.skipif(torch.cuda.is_available(), reason="recorded without CUDA")
ROOT = pathlib.Path(__file__).resolve().parents[1]


@cpu_only
@pytest.mark.parametrize("make", [
    lambda: torch.zeros(1, device="cuda"),
    lambda: torch.zeros(1).cuda(),
    lambda: torch.zeros(1).to("cuda:1"),
    lambda: nn.Linear(1, 1).to("cuda"),
], ids=["factory", "cuda", "to", "module"])
def test_cuda_on_a_cpu_build_raises_torchs_assertion(make):
    with pytest.raises(AssertionError, match=NO_CUDA):
        make()


@cpu_only
def test_bare_index_is_an_accelerator():
    for make in (lambda: torch.zeros(1, device=0), lambda: torch.zeros(1).cuda(0)):
        with pytest.raises(RuntimeError, match=NO_ACCEL):
            make()


def test_cpu_index_names_the_one_host():
    # torch accepts any CPU index and reports device('cpu'); with one JAX CPU device so do we.
    assert torch.device("cpu:1") == torch.device("cpu", 1)
    x = torch.zeros(1, device="cpu:1")
    assert x.device == torch.device("cpu") and x.to("cpu:0").device == torch.device("cpu")
    y = torch.ones(2)
    assert y.to("cpu") is y and y.cpu() is y


@cpu_only
def test_default_device():
    assert torch.get_default_device() == torch.device("cpu")
    try:
        torch.set_default_device("cpu:1")
        assert torch.get_default_device() == torch.device("cpu", 1)
        assert torch.zeros(1).device == torch.device("cpu")
        torch.set_default_device("cuda")  # accepted; using it raises, as torch's CPU build
        with pytest.raises(AssertionError, match=NO_CUDA):
            torch.zeros(1)
        with pytest.raises(AssertionError, match=NO_CUDA):
            torch.get_default_device()
    finally:
        torch.set_default_device(None)
    assert torch.get_default_device() == torch.device("cpu")


@cpu_only
def test_cuda_namespace_on_a_cpu_build():
    c = torch.cuda
    assert (c.memory_allocated(), c.max_memory_allocated(), c.memory_reserved(),
            c.max_memory_reserved()) == (0, 0, 0, 0)
    assert c.memory_stats() == {} and c.empty_cache() is None
    assert c.manual_seed(0) is None and c.manual_seed_all(0) is None
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        c.set_device("cpu")
    with pytest.raises(AssertionError, match=NO_CUDA):
        c.set_device(0)  # torch's CPU build: an AttributeError from its C module (see docs)
    with pytest.raises(AssertionError, match=NO_CUDA):
        c.reset_peak_memory_stats()
    with pytest.raises(AssertionError, match=NO_CUDA):
        c.get_device_properties(0)
    ctx = c.device("cuda:0")
    with pytest.raises(RuntimeError, match="PyTorch was compiled without CUDA support"):
        ctx.__enter__()
    with c.device(-1):
        pass
    with c.device_of(torch.zeros(1)):
        pass
    with pytest.raises(RuntimeError, match="Tried to instantiate dummy base class Event"):
        c.Event(enable_timing=True)
    with pytest.raises(RuntimeError, match="torch.cuda.Stream requires CUDA support"):
        c.Stream()
    with pytest.raises(AssertionError, match=NO_CUDA):
        c.current_stream()
    with c.stream(None) as s:
        assert s is None
    assert c.get_arch_list() == [] and torch.version.cuda is None and torch.version.hip is None


@cpu_only
def test_backends_and_accelerator_on_a_cpu_build():
    b = torch.backends
    assert (b.cuda.matmul.allow_tf32, b.cudnn.enabled, b.cudnn.benchmark, b.cudnn.deterministic,
            b.cudnn.allow_tf32) == (False, True, False, False, True)
    assert (b.cuda.is_built(), b.cudnn.is_available(), b.cudnn.version()) == (False, False, None)
    assert (b.mps.is_available(), b.mps.is_built()) == (False, False)
    assert b.cpu.get_cpu_capability() in ("AVX512", "AVX2", "DEFAULT")
    assert b.cuda.matmul.allow_fp16_reduced_precision_reduction is True
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        b.cuda.matmul.foo = 1
    a = torch.accelerator
    assert (a.is_available(), a.device_count(), a.current_accelerator()) == (False, 0, None)
    with pytest.raises(RuntimeError, match=NO_ACCEL):
        a.current_device_index()
    with pytest.raises(RuntimeError, match=NO_ACCEL):
        a.synchronize()


def test_tf32_flag_is_the_float32_matmul_precision():
    from torchlike._ops import products

    b = torch.backends
    assert torch.get_float32_matmul_precision() == "highest"
    try:
        b.cuda.matmul.allow_tf32 = True
        assert torch.get_float32_matmul_precision() == "high"
        assert str(products.PRECISION[0]) != "HIGHEST"
        torch.set_float32_matmul_precision("medium")
        assert b.cuda.matmul.allow_tf32 is True
        torch.set_float32_matmul_precision("highest")
        assert b.cuda.matmul.allow_tf32 is False
        with pytest.warns(UserWarning, match="x is not one of 'highest', 'high', or 'medium'"):
            torch.set_float32_matmul_precision("x")
        assert torch.get_float32_matmul_precision() == "highest"
    finally:
        torch.set_float32_matmul_precision("highest")
    assert str(products.PRECISION[0]) == "HIGHEST"
    with pytest.warns(UserWarning, match="only before JAX starts"):
        b.cudnn.deterministic = True
    b.cudnn.deterministic = False
    with b.cudnn.flags(enabled=False, benchmark=True):
        assert (b.cudnn.enabled, b.cudnn.benchmark) == (False, True)
    assert (b.cudnn.enabled, b.cudnn.benchmark) == (True, False)


def test_threads_after_start():
    for f, name in ((torch.set_num_threads, "set_num_threads"),
                    (torch.set_num_interop_threads, "set_num_interop_threads")):
        with pytest.raises(RuntimeError, match=f"{name} expects a positive integer"):
            f(0)
        with pytest.raises(RuntimeError, match=f"{name} expects an int, but got float"):
            f(2.0)
    n = torch.get_num_threads()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.set_num_threads(n)  # the size it has: nothing to say
    with pytest.warns(UserWarning, match="has no effect"):
        torch.set_num_threads(n + 1)
    assert torch.get_num_threads() == n


# One subprocess with 4 host devices: threads set before the backend starts, placement,
# mixed-device errors, Module.to, training on a non-default device.
_SUB = r"""
import json, os
import torchlike as torch
from torchlike import nn
out = {}
torch.set_num_threads(1)  # before any tensor: XLA's pool starts with it
out["threads"] = [torch.get_num_threads(), os.environ.get("PJRT_NPROC")]
torch.backends.cudnn.deterministic = True  # before the backend: an XLA flag
out["xla_flags"] = os.environ["XLA_FLAGS"]
torch.set_num_interop_threads(3)
out["interop"] = torch.get_num_interop_threads()
try:
    torch.set_num_interop_threads(4)
except RuntimeError as e:
    out["interop_again"] = str(e)
x = torch.ones(2, 2, device="cpu:1")
out["placed"] = [str(x.device), str(torch.zeros(2).to("cpu:2").device),
                 str(torch.zeros_like(x).device), str(x.new_ones(1).device),
                 str((x + 1).device), str(x.cpu().device), str(torch.zeros(2).device)]
y = torch.ones(2, 2, device="cpu:3")
errs = []
for f in (lambda: x + y, lambda: x @ y, lambda: torch.cat([x, y]), lambda: x.add_(y)):
    try:
        f()
        errs.append(None)
    except RuntimeError as e:
        errs.append(str(e))
out["mixed"] = errs
c = torch.zeros(2, 2, device="cpu:1")
c.copy_(y)  # copy_ keeps the destination's device, as torch
lin = nn.Linear(2, 2).to("cpu:1")
lin.load_state_dict({k: v.to("cpu:2") for k, v in nn.Linear(2, 2).state_dict().items()})
out["copy"] = [str(c.device), c.tolist(), str(lin.weight.device)]
try:
    torch.zeros(1, device="cpu:7")
except RuntimeError as e:
    out["bad_index"] = str(e)
torch.manual_seed(0)
m = nn.Linear(2, 1)
p0 = [id(p) for p in m.parameters()]
opt = torch.optim.SGD(m.parameters(), lr=0.1)
assert m.to("cpu:3") is m
out["same_params"] = [id(p) for p in m.parameters()] == p0
out["param_devs"] = sorted({str(p.device) for p in m.parameters()})
loss = m(y).pow(2).sum()
loss.backward()
opt.step()
out["after_step"] = [str(loss.device), str(m.weight.grad.device), str(m.weight.device)]
try:
    m(x)
except RuntimeError as e:
    out["module_mixed"] = str(e)
xg = torch.ones(2, device="cpu:2", requires_grad=True)
w = xg.to("cpu:1")
z = w * 3
z.sum().backward()
out["to_grad"] = [w.grad_fn.name(), str(xg.grad.device), xg.grad.tolist()]
m2 = nn.Linear(2, 1).to("cpu:2")
opt2 = torch.optim.SGD(m2.parameters(), lr=0.1)
x2 = torch.ones(3, 2, device="cpu:2")


def step():
    opt2.zero_grad()
    loss = m2(x2).pow(2).mean()
    loss.backward()
    opt2.step()
    return loss


cstep = torch.compile(step, fullgraph=True)
losses = [cstep() for _ in range(3)]
out["compiled"] = [str(losses[-1].device), str(m2.weight.device), str(m2.weight.grad.device),
                   losses[-1].item() < losses[0].item()]
print(json.dumps(out))
"""


def test_several_host_devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4",
               PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    env.pop("PJRT_NPROC", None)
    r = subprocess.run([sys.executable, "-c", _SUB], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["threads"] == [1, "1"]
    assert out["xla_flags"] == ("--xla_force_host_platform_device_count=4 "
                                "--xla_gpu_deterministic_ops=true")
    assert out["interop"] == 3
    assert out["interop_again"] == ("Error: cannot set number of interop threads after parallel "
                                    "work has started or set_num_interop_threads called")
    assert out["placed"] == ["cpu:1", "cpu:2", "cpu:1", "cpu:1", "cpu:1", "cpu", "cpu"]
    msg = "Expected all tensors to be on the same device, but found at least two devices, "
    assert out["mixed"] == [msg + "cpu:1 and cpu:3!"] * 4
    assert out["copy"] == ["cpu:1", [[1.0, 1.0], [1.0, 1.0]], "cpu:1"]
    assert out["bad_index"] == "cpu:7 does not exist: JAX has 4 cpu devices"
    assert out["same_params"] and out["param_devs"] == ["cpu:3"]
    assert out["after_step"] == ["cpu:3"] * 3
    assert out["module_mixed"].startswith(msg)
    assert out["to_grad"] == ["ToCopyBackward0", "cpu:2", [3.0, 3.0]]
    assert out["compiled"] == ["cpu:2", "cpu:2", "cpu:2", True]
