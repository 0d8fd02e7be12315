"""Replay torch-recorded window, stft and istft programs (``fixtures/stft.npz``) on torchlike."""

from __future__ import annotations

import json

import numpy as np
import pytest

from compat_tests._fixtures import FIXTURES, import_torchlike
from compat_tests.stft_cases import CASES

tl = import_torchlike()
if tl is None or not hasattr(tl, "stft"):
    pytest.skip("torchlike.stft is not available", allow_module_level=True)

PATH = FIXTURES / "stft.npz"
TOLS = {"float32": (2e-5, 2e-5), "float64": (1e-10, 1e-10)}


def _load():
    with np.load(PATH, allow_pickle=False) as z:
        return json.loads(str(z["__meta__"][()])), {k: z[k] for k in z.files if k != "__meta__"}


META, ARRAYS = _load()


def _compare(exp, act, path, problems):
    if isinstance(exp, dict) and "tensor" in exp:
        if not isinstance(act, tl.Tensor):
            problems.append(f"{path}: expected a tensor, got {type(act).__name__}")
            return
        want = ARRAYS[exp["tensor"]]
        got = act.detach().numpy()
        if str(act.dtype).removeprefix("torch.") != exp["dtype"]:
            problems.append(f"{path}: dtype {act.dtype}, torch {exp['dtype']}")
        if got.shape != want.shape:
            problems.append(f"{path}: shape {got.shape}, torch {want.shape}")
            return
        rtol, atol = TOLS.get(exp["dtype"], (0, 0))
        # float32 spectra carry absolute rounding of the whole frame's magnitude
        scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
        if not np.allclose(got, want, rtol=rtol, atol=atol * scale, equal_nan=True):
            err = np.abs(got - want).max()
            problems.append(f"{path}: max abs error {err:.3g}")
    elif isinstance(exp, dict) and "seq" in exp:
        if len(act) != len(exp["seq"]):
            problems.append(f"{path}: {len(act)} elements, torch {len(exp['seq'])}")
            return
        for i, (e, a) in enumerate(zip(exp["seq"], act, strict=True)):
            _compare(e, a, f"{path}[{i}]", problems)
    elif exp != act:
        problems.append(f"{path}: {act!r}, torch {exp!r}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_stft_case(case: str) -> None:
    result = CASES[case](tl)
    expected = META["cases"][case]
    assert sorted(result) == sorted(expected)
    problems: list[str] = []
    for name, exp in expected.items():
        _compare(exp, result[name], f"{case}/{name}", problems)
    assert not problems, "\n".join(problems)
