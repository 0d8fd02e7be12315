"""torch.cuda without a GPU: answers and errors recorded from torch 2.13's CPU build."""

import sys

import pytest

import torchlike as torch
import torchlike.cuda
from torchlike import nn

NO_CUDA = "Torch not compiled with CUDA enabled"
cpu_only = pytest.mark.skipif(torch.cuda.is_available(), reason="recorded without CUDA")


def test_importable_as_submodule():
    assert torchlike.cuda is torch.cuda is sys.modules["torchlike.cuda"]


@cpu_only
def test_tutorial_idiom_runs_on_cpu():
    # The first lines of the official "Tensors" / "Build the Neural Network" tutorials.
    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert device == "cpu"
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with torch.no_grad():
        model[1].weight.copy_(torch.arange(12.).reshape(3, 4) / 10 - 0.5)
        model[1].bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
        model[3].weight.copy_(torch.tensor([[1., -1., 0.5], [0.25, 2., -1.]]))
        model[3].bias.fill_(0.05)
    assert model.to(device) is model
    X = torch.arange(8.).reshape(2, 2, 2).to(device)
    out = model(X)
    assert sum(out.tolist(), []) == pytest.approx([1.2, -2.25, 4.0, -7.85], abs=1e-5)
    assert out.device == torch.device("cpu") and not out.is_cuda
    assert model[1].weight.device == torch.device("cpu")
    x = torch.ones(2)
    assert x.to(device) is x and x.to(torch.device(device)) is x
    if torch.cuda.is_available():
        x = x.to("cuda")
    assert out.argmax(1).tolist() == [0, 0]


@cpu_only
def test_queries_without_cuda():
    assert torch.cuda.is_available() is False
    assert torch.cuda.device_count() == 0
    assert torch.cuda.is_initialized() is False
    assert torch.cuda.is_bf16_supported() is False
    assert torch.cuda.is_bf16_supported(including_emulation=False) is False
    assert torch.device("cuda") == torch.device("cuda")  # naming a device does not need one


@cpu_only
@pytest.mark.parametrize("call", [
    lambda: torch.cuda.current_device(),
    lambda: torch.cuda.synchronize(),
    lambda: torch.cuda.synchronize(0),
    lambda: torch.cuda.get_device_name(),
    lambda: torch.cuda.get_device_name(0),
    lambda: torch.cuda.get_device_capability(),
    lambda: torch.cuda.init(),
    lambda: torch.cuda.initial_seed(),
    lambda: torch.ones(2, device="cuda"),
    lambda: torch.zeros(2, device="cuda:1"),
    lambda: torch.tensor([1.0], device="cuda"),
    lambda: torch.ones(2).to("cuda"),
    lambda: torch.ones(2).cuda(),
    lambda: nn.Linear(2, 2).to("cuda"),
    lambda: nn.Linear(2, 2).cuda(),
], ids=["current_device", "synchronize", "synchronize0", "get_device_name", "get_device_name0",
        "get_device_capability", "init", "initial_seed", "ones", "zeros_cuda1", "tensor", "to",
        "Tensor.cuda", "Module.to", "Module.cuda"])
def test_errors_without_cuda(call):
    with pytest.raises(AssertionError, match=f"^{NO_CUDA}$"):
        call()
    assert torch.cuda.is_initialized() is False


@cpu_only
def test_seeding_is_a_silent_no_op_without_cuda():
    torch.manual_seed(3)
    a = torch.rand(2)
    torch.manual_seed(3)
    assert torch.cuda.manual_seed(5) is None
    assert torch.cuda.manual_seed_all(7) is None
    assert torch.cuda.seed() is None and torch.cuda.seed_all() is None
    assert torch.equal(torch.rand(2), a)  # the CPU stream is untouched, as in torch
    assert torch.initial_seed() == 3


class _FakeGpu:
    def __init__(self, kind, cc):
        self.device_kind, self.compute_capability = kind, cc


def test_device_arguments_with_gpus(monkeypatch):
    # No GPU to record on: the argument handling follows torch.cuda's documented rules.
    gpus = (_FakeGpu("NVIDIA H100 80GB HBM3", "9.0"), _FakeGpu("Tesla V100-SXM2-16GB", "7.0"))
    monkeypatch.setattr(torch.cuda, "_gpus", lambda: gpus)
    assert torch.cuda.is_available() and torch.cuda.device_count() == 2
    assert torch.cuda.current_device() == 0
    assert torch.cuda.get_device_name() == "NVIDIA H100 80GB HBM3"
    assert torch.cuda.get_device_name("cuda:1") == "Tesla V100-SXM2-16GB"
    assert torch.cuda.get_device_capability(torch.device("cuda", 1)) == (7, 0)
    assert torch.cuda.is_bf16_supported()
    with pytest.raises(ValueError, match="^Expected a cuda device, but got: cpu$"):
        torch.cuda.get_device_name("cpu")
    with pytest.raises(AssertionError, match="^Invalid device id$"):
        torch.cuda.get_device_name(2)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.cuda.synchronize(5)
