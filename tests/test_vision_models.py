"""torchlike.vision.models against torchvision 0.28 (fixtures from
compat_tests/record/record_vision_models.py).

Every builder is checked for torchvision's ordered state_dict keys and shapes; a subset covering
each model family loads deterministic values and must give torchvision's logits; a state_dict
file written by torchvision's ``torch.save`` loads and reproduces its logits.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import warnings
import zlib

import jax
import numpy as np
import pytest

import torchlike as torch
import torchlike.vision.models as models
from torchlike._ops import creation, random

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "compat_tests", "fixtures",
                        "vision_models")

with gzip.open(os.path.join(FIXTURES, "models.json.gz"), "rt") as _f:
    RECORD = json.load(_f)

ARCHS = [k for k in RECORD if k != "saved"]
# one or two per builder family; the VGG-16 / ResNet-101-sized forwards would only cost time
LOGITS = ["resnet18", "resnet50", "vgg11_bn", "alexnet", "mobilenet_v2", "mobilenet_v3_small",
          "squeezenet1_1", "densenet121", "efficientnet_b0", "vit_b_16"]


@pytest.fixture
def cheap_init(monkeypatch):
    """Build models without compiling one fill/sample kernel per parameter shape.

    Construction eagerly compiles ~3 small kernels per distinct parameter shape (tens of
    seconds for all the architectures); the structure and logits tests overwrite every value, so
    here empty/zeros and the random fills come from numpy. test_resnet_init checks the real init.
    """
    monkeypatch.setattr(creation, "_filled",
                        lambda shape, dt, value: jax.device_put(np.full(shape, value, dt.np)))
    monkeypatch.setattr(random, "_sample", lambda kind, shape, dt, generator, *p, static=():
                        jax.device_put(np.zeros(shape, dt.np)))


def fill(key: str, shape: tuple[int, ...]) -> np.ndarray:
    """The recorder's deterministic value for one state_dict entry."""
    leaf = key.rsplit(".", 1)[-1]
    if leaf == "num_batches_tracked":
        return np.array(7, dtype=np.int64)
    n = math.prod(shape)
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    v = np.resize(rng.standard_normal(min(n, 4093), dtype=np.float32), n).reshape(shape)
    if leaf == "running_var":
        return 1.0 + 0.1 * np.abs(v)
    if leaf == "running_mean":
        return 0.1 * v
    if len(shape) >= 2:
        return v / np.float32(math.sqrt(math.prod(shape[1:])))
    return 1.0 + 0.1 * v if leaf == "weight" else 0.1 * v


def image(side: int, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(
        np.random.default_rng(seed).standard_normal((1, 3, side, side), dtype=np.float32))


def keys_and_shapes(model) -> list:
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def _build(name):
    rec = RECORD[name]
    return getattr(models, name)(**rec["kwargs"])


# the VGG classifier (25088x4096 + 4096x4096) is most of VGG's construction time and is the same
# Linear stack in all four; vgg11_bn is built whole, the others' feature stacks from their table
VGG_FEATURES = {"vgg11": ("A", False), "vgg16": ("D", False), "vgg16_bn": ("D", True)}


@pytest.mark.parametrize("name", ARCHS)
def test_state_dict_keys_and_shapes(name, cheap_init):
    rec = RECORD[name]
    if name in VGG_FEATURES:
        cfg, bn = VGG_FEATURES[name]
        feats = models.vgg.make_layers(models.vgg.cfgs[cfg], batch_norm=bn)
        got = [["features." + k, s] for k, s in keys_and_shapes(feats)]
        want = [ks for ks in rec["keys"] if ks[0].startswith("features.")]
        assert got == want
        rest = [ks for ks in rec["keys"] if not ks[0].startswith("features.")]
        assert rest == [ks for ks in RECORD["vgg11_bn"]["keys"]
                        if not ks[0].startswith("features.")]
        return
    assert keys_and_shapes(_build(name)) == rec["keys"]


@pytest.mark.parametrize("name", LOGITS)
def test_logits_match_torchvision(name, cheap_init):
    rec = RECORD[name]
    model = _build(name).eval()
    sd = {k: torch.from_numpy(fill(k, tuple(s))) for k, s in rec["keys"]}
    model.load_state_dict(sd)
    with torch.no_grad():
        out = model(image(rec["side"]))
    want = np.array(rec["logits"], dtype=np.float32)
    assert out.shape == (1, 10)
    np.testing.assert_allclose(out.numpy()[0], want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_torchvision_saved_state_dict_loads():
    rec = RECORD["saved"]
    sd = torch.load(os.path.join(FIXTURES, rec["file"]))
    model = getattr(models, rec["builder"])(**rec["kwargs"])
    model.load_state_dict(sd)
    assert int(model.features[1].block[0][1].num_batches_tracked) == 2
    model.eval()
    with torch.no_grad():
        out = model(image(rec["side"], rec["seed"]))
    want = np.array(rec["logits"], dtype=np.float32)
    np.testing.assert_allclose(out.numpy()[0], want, rtol=1e-4, atol=1e-5)
    # and back out: our state_dict holds the same keys, in torchvision's order
    assert list(model.state_dict()) == list(sd)


def test_resnet_init():
    """torchvision's ResNet init: He-normal (fan_out, relu) convs, unit BN, zero_init_residual."""
    torch.manual_seed(0)
    m = models.ResNet(models.resnet.BasicBlock, [1, 1, 1, 1], num_classes=10,
                      zero_init_residual=True)
    w = m.layer3[0].conv2.weight.detach().numpy()  # 256x256x3x3: fan_out = 2304
    assert abs(w.std() - math.sqrt(2.0 / 2304)) < 0.02 * math.sqrt(2.0 / 2304)
    assert abs(w.mean()) < 1e-3
    assert np.all(m.bn1.weight.detach().numpy() == 1) and np.all(m.bn1.bias.detach().numpy() == 0)
    assert np.all(m.layer1[0].bn2.weight.detach().numpy() == 0)
    assert np.all(m.layer1[0].bn1.weight.detach().numpy() == 1)
    bound = 1 / math.sqrt(512)  # fc keeps nn.Linear's default init
    fc = m.fc.weight.detach().numpy()
    assert fc.max() <= bound and fc.min() >= -bound and fc.std() > 0.5 * bound


def test_registry_and_weights_enums():
    names = models.list_models()
    assert names == sorted(ARCHS)
    assert models.list_models(include="resnet*", exclude=["*101"]) == [
        "resnet18", "resnet34", "resnet50"]
    assert models.list_models(module=models) == names
    assert models.get_model_builder("ResNet18") is models.resnet18
    with pytest.raises(ValueError, match="Unknown model foo"):
        models.get_model("foo")
    assert models.get_model_weights("resnet50") is models.ResNet50_Weights
    assert models.get_model_weights(models.vit_b_16) is models.ViT_B_16_Weights
    W = models.ResNet50_Weights
    assert W.DEFAULT is W.IMAGENET1K_V2 and repr(W.DEFAULT) == "ResNet50_Weights.IMAGENET1K_V2"
    assert [w.name for w in W] == ["IMAGENET1K_V1", "IMAGENET1K_V2"]
    assert models.get_weight("ResNet50_Weights.DEFAULT") is W.IMAGENET1K_V2
    assert W.IMAGENET1K_V1.url == "https://download.pytorch.org/models/resnet50-0676ba61.pth"
    meta = W.IMAGENET1K_V2.meta
    assert len(meta["categories"]) == 1000 and meta["categories"][:2] == ["tench", "goldfish"]
    assert meta["num_params"] == 25557032 and meta["_metrics"]["ImageNet-1K"]["acc@1"] == 80.858
    assert models.VGG16_Weights.IMAGENET1K_FEATURES.meta["categories"] is None
    assert W.verify("IMAGENET1K_V1") is W.IMAGENET1K_V1
    assert W.verify("ResNet50_Weights.IMAGENET1K_V1") is W.IMAGENET1K_V1
    with pytest.raises(TypeError, match="expected ResNet50_Weights but received "
                                        "ResNet18_Weights"):
        models.resnet50(weights=models.ResNet18_Weights.DEFAULT)
    with pytest.raises(ValueError, match="Invalid weight name provided: 'nodot'"):
        models.get_weight("nodot")
    t = W.IMAGENET1K_V2.transforms()
    assert (t.crop_size, t.resize_size) == ([224], [232])
    assert models.get_model_weights("vit_b_16").IMAGENET1K_SWAG_E2E_V1.meta["min_size"] == (384,
                                                                                            384)


def test_pretrained_weights_from_hub_cache(tmp_path, monkeypatch, cheap_init):
    """weights= reads $TORCH_HOME/hub/checkpoints/<file from the url>, else fails fast offline."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("TORCHLIKE_HUB_OFFLINE", "1")
    W = models.MobileNet_V3_Small_Weights.IMAGENET1K_V1
    ckpt = tmp_path / "hub" / "checkpoints"
    with pytest.raises(RuntimeError, match=r"mobilenet_v3_small-047dcff4\.pth.*"
                                           + str(ckpt).replace("\\", "\\\\")):
        models.mobilenet_v3_small(weights=W)
    # a 10-class narrow checkpoint stands in for the real file: the categories meta must then
    # disagree with num_classes, which is torchvision's check
    ckpt.mkdir(parents=True)
    src = os.path.join(FIXTURES, RECORD["saved"]["file"])
    (ckpt / "mobilenet_v3_small-047dcff4.pth").write_bytes(open(src, "rb").read())
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.mobilenet_v3_small(weights=W, num_classes=10)
    sd = W.get_state_dict(progress=False)
    assert "features.0.0.weight" in sd
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="size mismatch"):
            models.mobilenet_v3_small(pretrained=True)  # legacy flag -> IMAGENET1K_V1
    assert any("'pretrained' is deprecated" in str(x.message) for x in w)
