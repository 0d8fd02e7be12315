"""Record torch's results of the window/stft/istft programs (compat_tests/stft_cases.py).

Run with a Python that has real torch installed:

    python compat_tests/record/record_stft.py

Writes ``compat_tests/fixtures/stft.npz`` in the format of ``record_autograd.py``: one array
per returned tensor and a JSON ``__meta__`` mapping case → name → encoded value.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "compat_tests" / "fixtures" / "stft.npz"
sys.path.insert(0, str(ROOT))

from compat_tests.record.record_autograd import encode  # noqa: E402
from compat_tests.stft_cases import CASES  # noqa: E402


def main() -> None:
    torch.set_default_dtype(torch.float32)
    arrays: dict = {}
    meta: dict = {"torch_version": torch.__version__, "cases": {}}
    for cname, fn in CASES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(torch)
        meta["cases"][cname] = {k: encode(v, f"{cname}/{k}", arrays) for k, v in result.items()}
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta)), **arrays)
    n = sum(len(v) for v in meta["cases"].values())
    print(f"wrote {OUT.relative_to(ROOT)}: {len(CASES)} cases, {n} values")


if __name__ == "__main__":
    main()
