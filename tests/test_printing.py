"""Tensor repr must match torch's character for character.

Cases come from ``compat_tests/fixtures/repr.json``, recorded from real torch
by ``compat_tests/record/record_repr.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from torchlike._core.printing import (
    get_printoptions,
    printoptions,
    set_printoptions,
    tensor_repr,
    tensor_str,
)

FIXTURE = Path(__file__).resolve().parents[1] / "compat_tests" / "fixtures" / "repr.json"
CASES = json.loads(FIXTURE.read_text())["cases"]

# bfloat16 goes in as float32 (how torchlike's Tensor.__repr__ passes it);
# float16 in its own dtype, exercising both input paths.
NP_DTYPES = {
    "float32": np.float32, "float64": np.float64, "float16": np.float16,
    "bfloat16": np.float32, "complex64": np.complex64, "complex128": np.complex128,
    "uint8": np.uint8, "int8": np.int8, "int16": np.int16, "int32": np.int32,
    "int64": np.int64, "bool": np.bool_,
}


def _dec_float(x):
    return float(x) if isinstance(x, str) else x


def _decode(v, is_complex: bool):
    if isinstance(v, list) and not (is_complex and len(v) == 2 and not isinstance(v[0], list)):
        return [_decode(x, is_complex) for x in v]
    if is_complex:
        return complex(_dec_float(v[0]), _dec_float(v[1]))
    return _dec_float(v)


def _array(case) -> np.ndarray:
    dtype = case["dtype"]
    values = _decode(case["values"], dtype.startswith("complex"))
    return np.array(values, dtype=NP_DTYPES[dtype]).reshape(case["shape"])


def _opts(case) -> dict:
    return {k: (math.inf if v == "inf" else v) for k, v in case["printoptions"].items()}


@pytest.fixture(autouse=True)
def _restore_printoptions():
    old = get_printoptions()
    yield
    set_printoptions(**old)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_repr_matches_torch(case):
    set_printoptions(**_opts(case))
    got = tensor_repr(
        _array(case), case["dtype"],
        default_dtype=case["default_dtype"],
        requires_grad=case["requires_grad"],
        grad_fn=case["grad_fn"],
        is_parameter=case["is_parameter"],
    )
    assert got == case["repr"]


def test_printoptions_defaults_and_profiles():
    set_printoptions(profile="default")
    assert get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3,
                                      linewidth=80, sci_mode=None)
    set_printoptions(profile="short", precision=3)
    assert get_printoptions()["precision"] == 3
    assert get_printoptions()["edgeitems"] == 2
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    # Like torch, a call without sci_mode resets it.
    set_printoptions(precision=4)
    assert get_printoptions()["sci_mode"] is None


def test_printoptions_context_restores():
    before = get_printoptions()
    with printoptions(precision=1, sci_mode=False):
        assert tensor_repr(np.array([1.25, 2.5], np.float32), "float32") == "tensor([1.2, 2.5])"
    assert get_printoptions() == before


def test_device_suffix():
    arr = np.array([1.0, 2.0], np.float32)
    assert tensor_repr(arr, "float32", device="cuda:0") == "tensor([1., 2.], device='cuda:0')"
    assert tensor_repr(arr, "float32", device="cpu") == "tensor([1., 2.])"
    assert (tensor_repr(np.array([1, 2], np.int32), "int32", device="cuda:1",
                        grad_fn="AddBackward0")
            == "tensor([1, 2], device='cuda:1', dtype=torch.int32, grad_fn=<AddBackward0>)")


def test_prefix_sets_indent():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert tensor_repr(arr, "float32", prefix="MyTensor(") == (
        "MyTensor([[0., 1., 2.],\n          [3., 4., 5.]])")


def test_low_precision_given_as_float32_is_rounded():
    # 1.2345 is not representable in bfloat16/float16; torch rounds it first.
    arr = np.array([1.2345, 3.0], np.float32)
    assert tensor_repr(arr, "bfloat16") == "tensor([1.2344, 3.0000], dtype=torch.bfloat16)"
    assert tensor_repr(arr, "float16") == "tensor([1.2344, 3.0000], dtype=torch.float16)"
    bf = arr.astype(ml_dtypes.bfloat16)
    assert tensor_repr(bf, "bfloat16") == tensor_repr(arr, "bfloat16")


def test_tensor_contents_and_tensor_str():
    arr = np.array([1, 2], np.int64)
    assert tensor_repr(arr, "int64", tensor_contents="[...]") == "tensor([...])"
    assert tensor_str(arr, "int64") == "[1, 2]"


def test_large_array_is_summarised_quickly():
    # Formatting must only touch the printed edge items.
    arr = np.arange(10_000_000, dtype=np.float32)
    assert tensor_repr(arr, "float32") == (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.0000e+07, 1.0000e+07,\n"
        "        1.0000e+07])")
