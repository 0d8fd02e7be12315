"""Record torchvision 0.28's classification models for tests/test_vision_models.py.

Run by hand with the Python that has torch 2.13 and torchvision 0.28 (the CUDA wheel, loaded
through the CPU shim in /work/shared/tools; see its README):

    PYTHONPATH=/work/shared/tools /path/to/torch-venv/bin/python \\
        compat_tests/record/record_vision_models.py

Writes compat_tests/fixtures/vision_models/:

- ``models.json.gz``: ``archs``: per builder (num_classes=10), its kwargs, the ordered
  state_dict keys with shapes and the sha256 of the model's repr; ``logits``: for one model
  per class (``logit_models``), keys and the eval-mode logits on a 1x3x32x32 input after every
  parameter and buffer was filled by ``fill()`` below (a numpy generator seeded by the key's
  crc32, tiled for big tensors, fan-in scaled; the test reimplements it). Full-size
  state_dicts are far too big to commit; this records what loading one must reproduce.
- ``mobilenet_v3_tiny.pth``: a real ``torch.save`` of a 3-block torchvision MobileNetV3's
  state_dict (torch.manual_seed(0) init, BN statistics from two training-mode batches), with
  its logits in models.json.gz under ``"saved"``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import zlib

import numpy as np
import torch
import torchvision_cpu_shim  # noqa: F401  (must come before torchvision)

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "vision_models")

# every builder, for its keys and shapes (vit_b_16 at image_size=32: 4 patches)
ARCHS = {name: {"num_classes": 10} for name in (
    "resnet18", "resnet34", "resnet50", "resnet101", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn",
    "alexnet", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "squeezenet1_0",
    "squeezenet1_1", "densenet121", "efficientnet_b0", "vit_b_16")}
ARCHS["vit_b_16"]["image_size"] = 32
BLOCK = 4093  # values drawn per key; bigger tensors repeat them


def logit_models(M) -> dict:
    """Models whose logits are compared: one per model class, short configurations where the
    class takes one (each distinct layer shape costs a kernel compile in the test). Mirrored in
    tests/test_vision_models.py; M is torchvision.models or torchlike.vision.models."""
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
    """A 3-block MobileNetV3 (SE, hardswish, a residual block) for the torch.save'd file."""
    cfg = M.mobilenetv3.InvertedResidualConfig
    setting = [cfg(16, 3, 16, 16, True, "RE", 2, 1, 0.5),
               cfg(16, 3, 72, 24, False, "RE", 2, 1, 0.5),
               cfg(24, 5, 88, 24, True, "HS", 1, 1, 0.5)]
    return M.mobilenetv3.MobileNetV3(setting, last_channel=64, num_classes=10)


def fill(key: str, shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic test values for one state_dict entry (mirrored in the test)."""
    leaf = key.rsplit(".", 1)[-1]
    if leaf == "num_batches_tracked":
        return np.array(7, dtype=np.int64)
    n = math.prod(shape)
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    v = np.resize(rng.standard_normal(min(n, BLOCK), dtype=np.float32), n).reshape(shape)
    if leaf == "running_var":
        return 1.0 + 0.1 * np.abs(v)
    if leaf == "running_mean":
        return 0.1 * v
    if len(shape) >= 2:
        return v / np.float32(math.sqrt(math.prod(shape[1:])))
    return 1.0 + 0.1 * v if leaf == "weight" else 0.1 * v


def image(side: int, seed: int = 0, batch: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((batch, 3, side, side), dtype=np.float32)


def main() -> None:
    import torchvision.models as tvm

    os.makedirs(OUT, exist_ok=True)
    record: dict = {"archs": {}, "logits": {}}
    for name, kw in ARCHS.items():
        model = getattr(tvm, name)(**kw)
        sd = model.state_dict()
        record["archs"][name] = {"kwargs": kw, "keys": [[k, list(t.shape)] for k, t in sd.items()],
                                 "repr_sha256": hashlib.sha256(repr(model).encode()).hexdigest()}
    for name, make in logit_models(tvm).items():
        model = make().eval()
        sd = model.state_dict()
        model.load_state_dict({k: torch.from_numpy(fill(k, tuple(t.shape))) for k, t in sd.items()})
        with torch.no_grad():
            logits = model(torch.from_numpy(image(32)))
        record["logits"][name] = {"keys": [[k, list(t.shape)] for k, t in sd.items()],
                                  "logits": logits[0].tolist()}
        print(name, len(sd), [round(x, 4) for x in logits[0].tolist()[:3]])

    torch.manual_seed(0)
    small = tiny_mobilenet_v3(tvm)
    with torch.no_grad():
        for seed in (1, 2):  # give the BN running statistics non-default values
            small(torch.from_numpy(image(32, seed, batch=4)) * 2.0 + 0.5)
        small.eval()
        logits = small(torch.from_numpy(image(32, 3)))
    torch.save(small.state_dict(), os.path.join(OUT, "mobilenet_v3_tiny.pth"))
    record["saved"] = {"file": "mobilenet_v3_tiny.pth", "seed": 3, "logits": logits[0].tolist()}
    with gzip.open(os.path.join(OUT, "models.json.gz"), "wt") as f:
        json.dump(record, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
