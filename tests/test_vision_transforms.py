"""torchlike.vision.transforms against torchvision 0.28 (compat_tests/fixtures/vision).

The cases live in compat_tests/vision_cases.py and were recorded by
compat_tests/record/record_vision.py; random transforms replay torchvision's recorded draws
(call kinds, arguments and values) so parameter sampling order and outputs are both checked.
"""

from __future__ import annotations

import json
import pathlib
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import torchlike as torch  # noqa: E402
import torchlike.vision as tv  # noqa: E402
from compat_tests import vision_cases as C  # noqa: E402

FIX = pathlib.Path(__file__).resolve().parents[1] / "compat_tests" / "fixtures" / "vision"
META = json.loads((FIX / "vision.json").read_text())
ARR = dict(np.load(FIX / "vision.npz"))
NS = SimpleNamespace(torch=torch, F=tv.transforms.functional, T=tv.transforms, ops=tv.ops,
                     utils=tv.utils, datasets=tv.datasets, Image=Image)


def kind(x):
    if isinstance(x, (tuple, list)):
        return kind(x[0])
    if hasattr(x, "getbands"):
        return "PIL:" + x.mode
    return str(x.dtype).replace("torch.", "")


def check(got, want):
    got = C.as_np(got)
    assert got.shape == want.shape
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", list(C.TENSOR_CASES) + list(C.PIL_CASES))
def test_functional(name):
    fn = {**C.TENSOR_CASES, **C.PIL_CASES}[name]
    out = fn(NS)
    assert kind(out) == META["transforms"][name]
    check(out, ARR[f"tf__{name}"])


def test_reprs():
    assert [repr(t) for t in C.repr_cases(NS)] == META["reprs"]


class _Replay:
    """Stand-ins for torchlike's random draws that return torchvision's recorded values."""

    def __init__(self, log):
        self.log = list(log)

    def take(self, kind, args):
        want_kind, want_args, values = self.log.pop(0)
        assert kind == want_kind
        np.testing.assert_allclose(args, want_args, rtol=1e-6)
        return values

    def install(self, monkeypatch):
        rp = self

        def rand(*size, **kw):
            shape = list(size[0]) if len(size) == 1 and isinstance(size[0], (list, tuple)) \
                else list(size)
            return torch.tensor(rp.take("rand", shape), dtype=torch.float32).reshape(shape)

        def randint(low, high, size, **kw):
            return torch.tensor(rp.take("randint", [low, high]), dtype=torch.int64).reshape(size)

        def randperm(n, **kw):
            return torch.tensor(rp.take("randperm", [n]), dtype=torch.int64)

        def uniform_(self, a=0.0, b=1.0, **kw):
            vals = rp.take("uniform_", [float(a), float(b)])
            return torch.tensor(vals, dtype=self.dtype).reshape(self.shape)

        def normal_(self, mean=0.0, std=1.0, **kw):
            vals = rp.take("normal_", list(self.shape))
            return torch.tensor(vals, dtype=self.dtype).reshape(self.shape)

        monkeypatch.setattr(torch, "rand", rand)
        monkeypatch.setattr(torch, "randint", randint)
        monkeypatch.setattr(torch, "randperm", randperm)
        monkeypatch.setattr(torch.Tensor, "uniform_", uniform_)
        monkeypatch.setattr(torch.Tensor, "normal_", normal_)


@pytest.mark.parametrize("case", C.RANDOM_CASES, ids=[c[0] for c in C.RANDOM_CASES])
def test_random_transform_draws(case, monkeypatch):
    name, factory, inp, calls = case
    t = factory(NS)
    replay = _Replay(META["random"][name])
    replay.install(monkeypatch)
    for i in range(calls):
        check(t(C.random_input(NS, inp)), ARR[f"rnd__{name}__{i}"])
    assert replay.log == []


def test_random_transforms_use_torchlike_generator():
    # same seed, same parameters: the draws come from torchlike's global generator
    img = C.u8(NS)
    torch.manual_seed(3)
    a = [tv.transforms.RandomCrop.get_params(img, (3, 4)) for _ in range(3)]
    torch.manual_seed(3)
    assert [tv.transforms.RandomCrop.get_params(img, (3, 4)) for _ in range(3)] == a


def test_errors():
    F = NS.F
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(C.f32(NS), [0.5] * 3, [0.1, 0.0, 0.2])
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        F.normalize(C.u8(NS), [0.5], [0.5])
    with pytest.raises(ValueError, match="Requested crop size"):
        F.five_crop(C.u8(NS), 9)
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]"):
        F.adjust_hue(C.f32(NS), 0.7)
    with pytest.raises(ValueError, match="Required crop size"):
        tv.transforms.RandomCrop(20)(C.u8(NS))
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(C.f32(NS), torch.int64)


def test_no_v2():
    # transforms.v2 is not provided (docs/vision.md)
    with pytest.raises(ImportError):
        import torchlike.vision.transforms.v2  # noqa: F401
