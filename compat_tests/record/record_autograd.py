"""Record torch's results of the autograd scenario programs (compat_tests/autograd_scenarios.py).

Run with a Python that has real torch installed:

    python compat_tests/record/record_autograd.py

Writes ``compat_tests/fixtures/autograd_scenarios.npz``: one array per returned tensor (named
``<scenario>/<name>`` or ``<scenario>/<name>/<i>`` inside a tuple) and a JSON ``__meta__``
mapping scenario → name → encoded value: ``{"tensor": array name, "dtype": ..., "shape": ...}``
for a tensor, ``{"seq": [...]}`` for a tuple or list, a JSON scalar (None, bool, int, float,
str) otherwise.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "compat_tests" / "fixtures" / "autograd_scenarios.npz"
sys.path.insert(0, str(ROOT))

from compat_tests.autograd_scenarios import SCENARIOS  # noqa: E402


def encode(value, name: str, arrays: dict):
    if isinstance(value, torch.Tensor):
        arrays[name] = value.detach().numpy()
        return {"tensor": name, "dtype": str(value.dtype).removeprefix("torch."),
                "shape": list(value.shape)}
    if isinstance(value, (tuple, list)):
        return {"seq": [encode(v, f"{name}/{i}", arrays) for i, v in enumerate(value)]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{name}: cannot record a {type(value).__name__}")


def main() -> None:
    torch.set_default_dtype(torch.float32)
    arrays: dict = {}
    meta: dict = {"torch_version": torch.__version__, "scenarios": {}}
    for sname, fn in SCENARIOS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(torch)
        meta["scenarios"][sname] = {k: encode(v, f"{sname}/{k}", arrays)
                                    for k, v in result.items()}
        assert torch.is_grad_enabled(), sname
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta)), **arrays)
    n = sum(len(v) for v in meta["scenarios"].values())
    print(f"wrote {OUT.relative_to(ROOT)}: {len(SCENARIOS)} scenarios, {n} values")


if __name__ == "__main__":
    main()
