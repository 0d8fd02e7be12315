"""torchlike.vision.models against torchvision 0.28 (fixtures from
compat_tests/record/record_vision_models.py).

Every builder is checked for torchvision's ordered state_dict keys and shapes; a subset covering
each model family loads deterministic values and must give torchvision's logits; a state_dict
file written by torchvision's ``torch.save`` loads and reproduces its logits.
"""

from __future__ import annotations

import gzip
import hashlib
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

ARCHS = RECORD["archs"]


@pytest.fixture
def cheap_init(monkeypatch):
    """Build models without compiling one fill/sample kernel per parameter shape.

    Construction eagerly compiles ~3 small kernels per distinct parameter shape (tens of
    seconds for all the architectures); the structure and logits tests overwrite every value, so
    here empty/zeros and the random fills are numpy zeros (one per shape: JAX arrays are
    immutable and in-place writes replace a storage's array). test_mobilenet_init checks a
    real init.
    """
    cache: dict = {}

    def filled(shape, dt, value):
        key = (shape, dt, value)
        if key not in cache:
            cache[key] = jax.device_put(np.full(shape, value, dt.np))
        return cache[key]

    monkeypatch.setattr(creation, "_filled", filled)
    monkeypatch.setattr(random, "_sample", lambda kind, shape, dt, generator, *p, static=():
                        filled(shape, dt, 0))


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
    """The recorder's input: standard normal, 1x3xsidexside."""
    return torch.from_numpy(
        np.random.default_rng(seed).standard_normal((1, 3, side, side), dtype=np.float32))


def keys_and_shapes(model) -> list:
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def logit_models(M) -> dict:
    """The recorder's models for the logits test (one per model class, short where the class
    takes a configuration)."""
    mb = M.efficientnet.MBConvConfig
    return {
        "resnet18": lambda: M.resnet18(num_classes=10),
        "resnet_bottleneck_short": lambda: M.ResNet(M.resnet.Bottleneck, [1, 1, 1, 1],
                                                    num_classes=10),
        "squeezenet1_1": lambda: M.squeezenet1_1(num_classes=10),
        "mobilenet_v2_short": lambda: M.MobileNetV2(
            num_classes=10, width_mult=0.5,
            inverted_residual_setting=[[1, 16, 1, 1], [6, 24, 2, 2]]),
        "efficientnet_short": lambda: M.EfficientNet(
            [mb(1, 3, 1, 32, 16, 1, 0.5), mb(6, 5, 2, 16, 24, 2, 0.5)], dropout=0.2,
            num_classes=10),
        "densenet_short": lambda: M.DenseNet(growth_rate=8, block_config=(2, 2),
                                             num_init_features=16, bn_size=2, num_classes=10),
        "vit_short": lambda: M.VisionTransformer(image_size=32, patch_size=16, num_layers=2,
                                                 num_heads=4, hidden_dim=64, mlp_dim=128,
                                                 num_classes=10),
    }


def tiny_mobilenet_v3(M):
    """The recorder's 3-block MobileNetV3 (SE, hardswish, a residual block)."""
    cfg = M.mobilenetv3.InvertedResidualConfig
    setting = [cfg(16, 3, 16, 16, True, "RE", 2, 1, 0.5),
               cfg(16, 3, 72, 24, False, "RE", 2, 1, 0.5),
               cfg(24, 5, 88, 24, True, "HS", 1, 1, 0.5)]
    return M.mobilenetv3.MobileNetV3(setting, last_channel=64, num_classes=10)


# the VGG classifier (25088x4096 + 4096x4096) is most of VGG's construction time and is the same
# Linear stack in all four; vgg11_bn is built whole, the others' feature stacks from their table
VGG_FEATURES = {"vgg11": ("A", False), "vgg16": ("D", False), "vgg16_bn": ("D", True)}


@pytest.mark.parametrize("name", list(ARCHS))
def test_state_dict_keys_and_shapes(name, cheap_init):
    rec = ARCHS[name]
    if name in VGG_FEATURES:
        cfg, bn = VGG_FEATURES[name]
        feats = models.vgg.make_layers(models.vgg.cfgs[cfg], batch_norm=bn)
        got = [["features." + k, s] for k, s in keys_and_shapes(feats)]
        assert got == [ks for ks in rec["keys"] if ks[0].startswith("features.")]
        rest = [ks for ks in rec["keys"] if not ks[0].startswith("features.")]
        assert rest == [ks for ks in ARCHS["vgg11_bn"]["keys"]
                        if not ks[0].startswith("features.")]
        return
    model = getattr(models, name)(**rec["kwargs"])
    assert keys_and_shapes(model) == rec["keys"]
    # print(model) is torchvision's, line for line (recorded as a hash: the reprs are long)
    assert hashlib.sha256(repr(model).encode()).hexdigest() == rec["repr_sha256"]


@pytest.mark.parametrize("name", list(RECORD["logits"]))
def test_logits_match_torchvision(name, cheap_init):
    rec = RECORD["logits"][name]
    model = logit_models(models)[name]().eval()
    assert keys_and_shapes(model) == rec["keys"]
    model.load_state_dict({k: torch.from_numpy(fill(k, tuple(s))) for k, s in rec["keys"]})
    with torch.no_grad():
        out = model(image(32))
    want = np.array(rec["logits"], dtype=np.float32)
    assert out.shape == (1, 10)
    np.testing.assert_allclose(out.numpy()[0], want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_mobilenet_init():
    """The MobileNet family's init: fan-out He convs, unit BN (eps 1e-3, momentum 0.01 in V3),
    N(0, 0.01) linears with zero bias (a one-block V3: few shapes, few init kernels)."""
    torch.manual_seed(0)
    cfg = models.mobilenetv3.InvertedResidualConfig(16, 3, 16, 16, False, "RE", 1, 1, 1.0)
    model = models.MobileNetV3([cfg], last_channel=16, num_classes=2)
    last = model.features[2]  # 1x1 conv 16 -> 96 + BN + hardswish
    w = last[0].weight.detach().numpy()
    assert abs(w.std() - math.sqrt(2.0 / 96)) < 0.1 * math.sqrt(2.0 / 96)
    bn = last[1]
    assert np.all(bn.weight.detach().numpy() == 1) and np.all(bn.bias.detach().numpy() == 0)
    assert (bn.eps, bn.momentum) == (0.001, 0.01)
    lin = model.classifier[0]  # 96 -> 16
    assert abs(lin.weight.detach().numpy().std() - 0.01) < 0.001
    assert np.all(lin.bias.detach().numpy() == 0)


def test_torchvision_saved_state_dict(cheap_init):
    """A torchvision state_dict written by torch.save loads and gives torchvision's logits."""
    rec = RECORD["saved"]
    model = tiny_mobilenet_v3(models)
    sd = torch.load(os.path.join(FIXTURES, rec["file"]))
    model.load_state_dict(sd)
    assert int(model.features[3].block[0][1].num_batches_tracked) == 2
    model.eval()
    with torch.no_grad():
        out = model(image(32, rec["seed"]))
    want = np.array(rec["logits"], dtype=np.float32)
    np.testing.assert_allclose(out.numpy()[0], want, rtol=1e-4, atol=1e-5)
    assert list(model.state_dict()) == list(sd)


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
    src = os.path.join(FIXTURES, RECORD["saved"]["file"])  # stands in for the real file
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


def test_weights_transforms_match_torchvision():
    """weights.transforms(): resize (antialiased bilinear / bicubic), center crop, scale, normalize
    through torchlike.vision.transforms; values recorded from torchvision 0.28."""
    x = torch.from_numpy((np.arange(3 * 40 * 36) * 7 % 251).astype(np.uint8).reshape(3, 40, 36))
    cases = [(models.ResNet50_Weights.DEFAULT, 0.2179999575707593,
              [0.07406462728977203, 0.9054622650146484, 1.8208280801773071],
              [2.094785451889038, -1.422969102859497, -0.4972548186779022]),
             (models.EfficientNet_B0_Weights.DEFAULT, 0.3284639534303944,
              [0.09118937700986862, 0.9229692220687866, 1.8382571935653687],
              [1.9235379695892334, -1.598039150238037, -0.6715467572212219])]
    for w, mean, mid, corner in cases:
        y = w.transforms()(x)
        assert y.shape == (3, 224, 224) and y.dtype == torch.float32
        a = y.numpy()
        np.testing.assert_allclose(a.astype(np.float64).mean(), mean, rtol=1e-5)
        np.testing.assert_allclose(a[:, 100, 100], mid, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(a[:, 0, 223], corner, rtol=1e-5, atol=1e-5)
