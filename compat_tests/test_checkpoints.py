"""Checkpoints written by real torch 2.13 load in torchlike with exact values.

The files and what they hold (``expected.json`` / ``expected.npz``) were recorded by
``compat_tests/record/record_checkpoints.py``; torch is not needed here.  Every tensor is
compared bit for bit (NaNs, -0.0, bfloat16 bits), with torch's dtype, shape, strides,
storage_offset, requires_grad, Parameter-ness and Python attributes; tensors that share a
storage in torch share one torchlike Storage; the same object saved twice loads as one object.
Then each file is written back by torchlike and read again, with the same checks.
"""

from __future__ import annotations

import io
import json
import math
import pickle
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torchlike")
from torchlike._core.views import build_view  # noqa: E402
from torchlike.nn import Parameter  # noqa: E402

DIR = Path(__file__).resolve().parent / "fixtures" / "checkpoints"
META = json.loads((DIR / "expected.json").read_text())
ARRAYS = np.load(DIR / "expected.npz")
PT_FILES = sorted(n for n in META["files"] if n.endswith(".pt"))
NUMPY_FILE = "numpy_values.pt"


def _values(t) -> np.ndarray:
    a = np.asarray(t._data)
    if t.dtype is torch.bfloat16:
        return a.view(np.uint16)
    return a


class Checker:
    def __init__(self, name: str):
        self.name = name
        self.objects: dict = {}  # tensor key -> loaded object
        self.groups: dict = {}  # torch storage group -> [(key, tensor)]

    def tensor(self, v, key: str, path: str):
        assert isinstance(v, torch.Tensor), f"{path}: expected a tensor, got {type(v).__name__}"
        if key in self.objects:
            assert self.objects[key] is v, f"{path}: the same tensor saved twice loads as two"
            return
        self.objects[key] = v
        m = META["tensors"][key]
        assert v.dtype.name == m["dtype"], path
        assert list(v.shape) == m["shape"], path
        n = m["storage_numel"]
        if math.prod(m["shape"]) and build_view(n, (n,), m["offset"], m["shape"], m["stride"]):
            assert list(v.stride()) == m["stride"], (path, v.stride(), m["stride"])
            assert v.storage_offset() == m["offset"], path
        # else: a layout torchlike views cannot express (overlapping windows): a contiguous copy
        assert v.requires_grad == m["requires_grad"], path
        assert isinstance(v, Parameter) == m["param"], path
        assert v.grad_fn is None and v.is_leaf, path
        expected = ARRAYS[key]
        got = _values(v)
        assert got.shape == expected.shape and got.dtype == expected.dtype, (path, got.dtype)
        assert np.array_equal(got, expected, equal_nan=got.dtype.kind in "fc"), path
        if got.dtype.kind in "f" and got.size:
            assert np.array_equal(np.signbit(got), np.signbit(expected)), path  # -0.0
        attrs = {k: x for k, x in v.__dict__.items() if not k.startswith("_")}
        assert sorted(attrs) == sorted(m["attrs"]), path
        for k, enc in m["attrs"].items():
            self.check(attrs[k], enc, f"{path}.{k}")
        if m["group"] is not None:
            self.groups.setdefault(m["group"], []).append((key, v))

    def check(self, v, enc, path: str = "") -> None:
        if not isinstance(enc, dict):
            assert type(v) is type(enc) and v == enc, f"{path}: {v!r} != {enc!r}"
            return
        (tag, *_) = enc
        if "T" in enc:
            return self.tensor(v, enc["T"], path)
        if "D" in enc:
            assert isinstance(v, dict), path
            assert (type(v) is OrderedDict) == enc["ordered"], f"{path}: {type(v)}"
            assert len(v) == len(enc["D"]), path
            for (k, x), (ek, ex) in zip(v.items(), enc["D"], strict=True):
                self.check(k, ek, f"{path}[{k!r}] key")
                self.check(x, ex, f"{path}[{k!r}]")
            attrs = getattr(v, "__dict__", {})
            assert sorted(attrs) == sorted(enc["attrs"]), path
            for k, ex in enc["attrs"].items():
                self.check(attrs[k], ex, f"{path}.{k}")
            return
        if "L" in enc or "U" in enc:
            items = enc.get("L", enc.get("U"))
            assert type(v) is (list if "L" in enc else tuple), f"{path}: {type(v)}"
            assert len(v) == len(items), path
            for i, (x, ex) in enumerate(zip(v, items, strict=True)):
                self.check(x, ex, f"{path}[{i}]")
            return
        if "S" in enc:
            assert type(v) is set and len(v) == len(enc["S"]), path
            assert sorted(v) == sorted(enc["S"]), path  # (plain values only in fixtures)
            return
        if "Size" in enc:
            assert type(v) is torch.Size and list(v) == enc["Size"], path
            return
        if "dtype" in enc and len(enc) == 1:
            assert v is getattr(torch, enc["dtype"]), path
            return
        if "device" in enc:
            assert isinstance(v, torch.device) and str(v) == enc["device"], path
            return
        if "bytes" in enc:
            assert type(v) is bytes and v.hex() == enc["bytes"], path
            return
        if "bytearray" in enc:
            assert type(v) is bytearray and v.hex() == enc["bytearray"], path
            return
        if "C" in enc:
            assert type(v) is complex and [repr(v.real), repr(v.imag)] == enc["C"], path
            return
        if "F" in enc:
            assert type(v) is float and repr(v) == enc["F"], path
            return
        if "np" in enc:
            assert isinstance(v, np.generic) and str(v.dtype) == enc["np"], path
            assert repr(v.item()) == enc["value"], path
            return
        if "ndarray" in enc:
            assert isinstance(v, np.ndarray) and str(v.dtype) == enc["ndarray"], path
            assert v.tolist() == enc["value"], path
            return
        raise AssertionError(f"{path}: unknown encoding {tag}")

    def check_sharing(self) -> None:
        """Tensors sharing a storage in torch share one torchlike Storage, unless their layout
        is one no torchlike view chain expresses (then they are copies)."""
        for group, members in self.groups.items():
            shared = []
            for key, t in members:
                m = META["tensors"][key]
                n = m["storage_numel"]
                if build_view(n, (n,), m["offset"], m["shape"], m["stride"]) is not None:
                    shared.append(t)
            assert len({id(t._storage) for t in shared}) <= 1, \
                f"{self.name}: storage group {group} split over several torchlike Storages"


def _check_file(name: str, value) -> Checker:
    c = Checker(name)
    c.check(value, META["files"][name]["value"], name)
    c.check_sharing()
    return c


@pytest.mark.parametrize("name", [n for n in PT_FILES if n != NUMPY_FILE])
def test_torch_checkpoint_loads_exactly(name):
    value = torch.load(DIR / name)  # weights_only=True, the default
    _check_file(name, value)


@pytest.mark.parametrize("name", [n for n in PT_FILES if n != NUMPY_FILE])
def test_torch_checkpoint_round_trips_through_torchlike(name):
    value = torch.load(DIR / name, map_location="cpu")
    for legacy in (False, True):
        buf = io.BytesIO()
        torch.save(value, buf, _use_new_zipfile_serialization=not legacy)
        buf.seek(0)
        again = torch.load(buf)
        _check_file(name, again)


@pytest.mark.parametrize("name", ["model_state.pt", "legacy.pt", "views.pt"])
def test_torch_checkpoint_loads_from_file_objects_and_mmap(name):
    data = (DIR / name).read_bytes()
    _check_file(name, torch.load(io.BytesIO(data)))
    if name != "legacy.pt":
        _check_file(name, torch.load(DIR / name, mmap=True))
        _check_file(name, torch.load(DIR / name, weights_only=False))


def test_views_share_storage_with_the_base():
    v = torch.load(DIR / "views.pt")
    base = v["base"]
    for k in ("rows", "cols", "t", "row", "col", "elem", "diag", "expand", "permute", "strided",
              "unsqueezed"):
        assert v[k]._storage is base._storage, k
    assert v["same"][0] is base and v["same"][1] is base
    assert v["narrow"]._storage is v["flat_view"]._storage
    # a write through one view is seen by the base and the other views, as in torch
    v["rows"][0, 0] = -1.0
    assert base[1, 0].item() == -1.0 and v["t"][0, 1].item() == -1.0
    assert v["alone"].storage_offset() == 3 and v["alone"].stride() == (2,)


def test_tied_weights_share_one_storage():
    sd = torch.load(DIR / "tied_model_state.pt")
    a, b = sd["emb.weight"], sd["head.weight"]
    assert a._storage is b._storage
    a.mul_(2.0)
    assert torch.equal(a, b)


def test_optimizer_state_structure():
    ck = torch.load(DIR / "optimizer_state.pt")
    opt = ck["optimizer"]
    assert sorted(opt["state"]) == [0, 1, 2, 3]
    st = opt["state"][0]
    assert set(st) == {"step", "exp_avg", "exp_avg_sq"}
    assert st["step"].dtype is torch.float32 and st["step"].dim() == 0 and st["step"].item() == 3
    group = opt["param_groups"][0]
    assert group["params"] == [0, 1, 2, 3] and group["betas"] == (0.8, 0.99)
    assert ck["sgd"]["param_groups"][0]["nesterov"] is True


def test_numpy_values_need_allowlisting():
    path = DIR / NUMPY_FILE
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        torch.load(path)
    assert sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path)) == \
        META["files"][NUMPY_FILE]["unsafe_globals"]
    allowed = [np._core.multiarray._reconstruct, np.ndarray, np.dtype,
               np._core.multiarray.scalar, type(np.dtype(np.int32)), type(np.dtype(np.float64))]
    with torch.serialization.safe_globals(allowed):
        _check_file(NUMPY_FILE, torch.load(path))
    assert not any(g in torch.serialization.get_safe_globals() for g in allowed)
    _check_file(NUMPY_FILE, torch.load(path, weights_only=False))


def test_safetensors_fixture_from_safetensors_torch():
    st = pytest.importorskip("safetensors")
    del st
    from torchlike.utils.safetensors import load, load_file

    name = "tensors.safetensors"
    got = load_file(DIR / name)
    enc = META["files"][name]["value"]
    # safetensors has no key order guarantee: compare as a dict by key
    c = Checker(name)
    for k, ex in enc["D"]:
        c.check(got[k], ex, k)
    assert len(got) == len(enc["D"])
    got2 = load((DIR / name).read_bytes())
    assert sorted(got2) == sorted(got)
    # torch.load dispatches .safetensors paths to safetensors, as torch 2.13 does
    got3 = torch.load(DIR / name)
    assert sorted(got3) == sorted(got)
