"""Record torchvision 0.28's classification models for tests/test_vision_models.py.

Run by hand with the Python that has torch 2.13 and torchvision 0.28 (the CUDA wheel, loaded
through the CPU shim in /work/shared/tools; see its README):

    PYTHONPATH=/work/shared/tools /path/to/torch-venv/bin/python \\
        compat_tests/record/record_vision_models.py

Writes compat_tests/fixtures/vision_models/:

- ``models.json.gz``: per builder (num_classes=10; vit_b_16 at image_size=32), its kwargs, the
  ordered state_dict keys with shapes, the input size, and the eval-mode logits after every
  parameter and buffer was filled by ``fill()`` below (a numpy generator seeded by the key's
  crc32, tiled for big tensors, fan-in scaled; the test reimplements it). Full-size state_dicts
  are far too big to commit; this records what loading one must reproduce.
- ``mobilenet_v3_small_w01.pth``: a real ``torch.save`` of a narrow torchvision model's
  state_dict (width_mult=0.1, reduced_tail=True, num_classes=10, torch.manual_seed(0) init, BN
  statistics from two training-mode batches), with its logits in models.json.gz under
  ``"saved"``.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import zlib

import numpy as np
import torch
import torchvision_cpu_shim  # noqa: F401  (must come before torchvision)

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "vision_models")

# builder: (extra kwargs, input side)
MODELS = {
    "resnet18": ({}, 32), "resnet34": ({}, 32), "resnet50": ({}, 32), "resnet101": ({}, 32),
    "vgg11": ({}, 32), "vgg11_bn": ({}, 32), "vgg16": ({}, 32), "vgg16_bn": ({}, 32),
    "alexnet": ({}, 64), "mobilenet_v2": ({}, 32), "mobilenet_v3_small": ({}, 32),
    "mobilenet_v3_large": ({}, 32), "squeezenet1_0": ({}, 32), "squeezenet1_1": ({}, 32),
    "densenet121": ({}, 32), "efficientnet_b0": ({}, 32), "vit_b_16": ({"image_size": 32}, 32),
}
BLOCK = 4093  # values drawn per key; bigger tensors repeat them


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
    record: dict = {}
    for name, (kw, side) in MODELS.items():
        model = getattr(tvm, name)(num_classes=10, **kw).eval()
        sd = model.state_dict()
        model.load_state_dict({k: torch.from_numpy(fill(k, tuple(t.shape))) for k, t in sd.items()})
        with torch.no_grad():
            logits = model(torch.from_numpy(image(side)))
        record[name] = {"kwargs": {"num_classes": 10, **kw}, "side": side,
                        "keys": [[k, list(t.shape)] for k, t in sd.items()],
                        "logits": logits[0].tolist()}
        print(name, len(sd), [round(x, 4) for x in logits[0].tolist()[:3]])

    torch.manual_seed(0)
    kw = {"num_classes": 10, "width_mult": 0.1, "reduced_tail": True}
    small = tvm.mobilenet_v3_small(**kw)
    with torch.no_grad():
        for seed in (1, 2):  # give the BN running statistics non-default values
            small(torch.from_numpy(image(32, seed, batch=4)) * 2.0 + 0.5)
        small.eval()
        logits = small(torch.from_numpy(image(32, 3)))
    torch.save(small.state_dict(), os.path.join(OUT, "mobilenet_v3_small_w01.pth"))
    record["saved"] = {"builder": "mobilenet_v3_small", "kwargs": kw, "file":
                       "mobilenet_v3_small_w01.pth", "side": 32, "seed": 3,
                       "logits": logits[0].tolist()}
    with gzip.open(os.path.join(OUT, "models.json.gz"), "wt") as f:
        json.dump(record, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
