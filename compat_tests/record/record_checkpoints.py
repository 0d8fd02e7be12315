"""Record checkpoint files written by real torch, for compat_tests/test_checkpoints.py.

Run with a Python that has torch 2.13 (and, for the safetensors fixture, ``safetensors``):

    python compat_tests/record/record_checkpoints.py

Writes into ``compat_tests/fixtures/checkpoints/``:

* ``<name>.pt``: files ``torch.save`` wrote (zip format, a legacy-format file, a protocol-4
  pickle) holding state_dicts of torch.nn layers, optimizer state, every dtype, tensors
  sharing storage, plain Python values, tensors with Python attributes;
* ``tensors.safetensors``: written by ``safetensors.torch.save_file``;
* ``expected.json`` + ``expected.npz``: what each file holds, torch-free.  Every file's
  object is encoded as JSON (see ``encode``); each tensor becomes ``{"T": id}`` with its
  dtype, shape, stride, storage_offset, requires_grad, whether it is a Parameter and a
  storage group (tensors sharing one storage in torch have the same group) in
  ``tensors[id]``, and its values in ``expected.npz`` under ``id`` (bfloat16 as its uint16
  bits).

Everything is seeded; the files are small (the directory stays well under 1 MB).
"""

from __future__ import annotations

import collections
import json
import shutil
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "compat_tests" / "fixtures" / "checkpoints"


# ---------------------------------------------------------------- encoding


class Encoder:
    def __init__(self, prefix: str, arrays: dict, tensors: dict):
        self.prefix = prefix
        self.arrays = arrays
        self.tensors = tensors
        self.groups: dict = {}
        self.seen: dict = {}

    def tensor(self, t: torch.Tensor):
        if id(t) in self.seen:  # the same object twice: the same id
            return {"T": self.seen[id(t)]}
        key = f"{self.prefix}/{len(self.seen)}"
        self.seen[id(t)] = key
        ptr = t.untyped_storage().data_ptr()
        group = self.groups.setdefault(ptr, len(self.groups)) if t.numel() else None
        a = t.detach()
        if a.is_conj():
            a = a.resolve_conj()
        if a.is_neg():
            a = a.resolve_neg()
        if a.dtype == torch.bfloat16:
            arr = a.contiguous().view(torch.int16).numpy().view(np.uint16)
        else:
            arr = a.numpy()
        self.arrays[key] = np.array(arr, order="C", copy=True)  # (keeps 0-d arrays 0-d)
        self.tensors[key] = {
            "dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape),
            "stride": list(t.stride()), "offset": t.storage_offset(),
            "requires_grad": t.requires_grad, "param": isinstance(t, torch.nn.Parameter),
            "group": group, "storage_numel": t.untyped_storage().nbytes() // t.element_size(),
            "attrs": {k: self.encode(v) for k, v in t.__dict__.items()},
        }
        return {"T": key}

    def encode(self, v):
        if isinstance(v, torch.Tensor):
            return self.tensor(v)
        if isinstance(v, np.generic):
            return {"np": str(v.dtype), "value": repr(v.item())}
        if isinstance(v, np.ndarray):
            return {"ndarray": str(v.dtype), "value": v.tolist()}
        if isinstance(v, torch.Size):
            return {"Size": list(v)}
        if isinstance(v, torch.dtype):
            return {"dtype": str(v).removeprefix("torch.")}
        if isinstance(v, torch.device):
            return {"device": str(v)}
        if isinstance(v, (dict, collections.OrderedDict)):
            return {"D": [[self.encode(k), self.encode(x)] for k, x in v.items()],
                    "ordered": type(v) is collections.OrderedDict,
                    "attrs": {k: self.encode(x) for k, x in getattr(v, "__dict__", {}).items()}}
        if isinstance(v, list):
            return {"L": [self.encode(x) for x in v]}
        if isinstance(v, tuple):
            return {"U": [self.encode(x) for x in v]}
        if isinstance(v, (set, frozenset)):
            return {"S": sorted((self.encode(x) for x in v), key=json.dumps)}
        if isinstance(v, bytes):
            return {"bytes": v.hex()}
        if isinstance(v, bytearray):
            return {"bytearray": v.hex()}
        if isinstance(v, complex):
            return {"C": [repr(v.real), repr(v.imag)]}
        if isinstance(v, float):
            return {"F": repr(v)}
        if v is None or isinstance(v, (bool, int, str)):
            return v
        raise TypeError(f"cannot encode {type(v).__name__}")


# ---------------------------------------------------------------- the checkpoints


def model_state():
    torch.manual_seed(0)
    m = torch.nn.ModuleDict({
        "fc": torch.nn.Linear(4, 3),
        "conv": torch.nn.Conv2d(2, 3, 3, padding=1),
        "bn": torch.nn.BatchNorm1d(3),
        "ln": torch.nn.LayerNorm(3),
        "emb": torch.nn.Embedding(5, 2),
        "nobias": torch.nn.Linear(3, 2, bias=False),
    })
    m["bn"](torch.randn(6, 3))  # running stats and num_batches_tracked move
    return m.state_dict()


def tied_model_state():
    torch.manual_seed(1)
    emb = torch.nn.Embedding(6, 4)
    head = torch.nn.Linear(4, 6, bias=False)
    head.weight = emb.weight  # tied weights: one storage, two state_dict entries
    m = torch.nn.ModuleDict({"emb": emb, "head": head})
    return m.state_dict()


def optimizer_state():
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99))
    sgd_model = torch.nn.Linear(2, 2)
    sgd = torch.optim.SGD(sgd_model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        sgd.zero_grad()
        sgd_model(torch.randn(4, 2)).sum().backward()
        sgd.step()
    return {"epoch": 3, "loss": 0.125, "model": model.state_dict(),
            "optimizer": opt.state_dict(), "sgd": sgd.state_dict(),
            "history": [1.5, 0.75, float("nan")], "tag": "run-α"}


def all_dtypes():
    torch.manual_seed(3)
    out = collections.OrderedDict()
    base = torch.tensor([0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), float("nan"), 3e38])
    for dt in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        out[str(dt)] = base.to(dt)
    out["complex64"] = torch.complex(torch.randn(3), torch.randn(3))
    out["complex128"] = torch.complex(torch.randn(2, 2, dtype=torch.float64),
                                      torch.randn(2, 2, dtype=torch.float64))
    out["uint8"] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    out["int8"] = torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8)
    out["int16"] = torch.tensor([-32768, 0, 32767], dtype=torch.int16)
    out["int32"] = torch.tensor([-2 ** 31, 0, 2 ** 31 - 1], dtype=torch.int32)
    out["int64"] = torch.tensor([-2 ** 63, -1, 0, 2 ** 63 - 1], dtype=torch.int64)
    out["bool"] = torch.tensor([[True, False], [False, True]])
    out["scalar"] = torch.tensor(2.5)
    out["scalar_int"] = torch.tensor(7)
    out["empty"] = torch.zeros(0, 3)
    out["requires_grad"] = torch.randn(2, 3, requires_grad=True)
    out["param_frozen"] = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    out["param"] = torch.nn.Parameter(torch.randn(3, dtype=torch.float64))
    out["big"] = torch.randn(8, 16)
    return out


def views():
    base = torch.arange(48, dtype=torch.float32).reshape(6, 8)
    flat = torch.arange(30, dtype=torch.int64)
    alone = torch.arange(20.0)
    return {
        "base": base,
        "rows": base[1:4],
        "cols": base[:, 2:7:2],
        "t": base.t(),
        "row": base[3],
        "col": base[:, 5],
        "elem": base[2, 3],
        "diag": base[:6, :6].diagonal(),
        "expand": base[0:1, 0:3].expand(4, 3),
        "permute": base.view(2, 3, 8).permute(2, 0, 1),
        "strided": base[::2, ::3],
        "unfold": flat.unfold(0, 4, 2),  # overlapping windows
        "narrow": flat.narrow(0, 5, 10),
        "flat_view": flat.view(5, 6)[1:, ::2],
        "alone": alone[3:17:2],  # only a view is saved: the whole storage comes along
        "same": [base, base],  # the same tensor object twice
        "unsqueezed": base[:, 1].unsqueeze(0),
    }


def plain_values():
    t = torch.tensor([1.0, 2.0])
    t.note = "hello"  # a tensor with Python state: _rebuild_from_type_v2
    p = torch.nn.Parameter(torch.tensor([3.0]))
    p.tag = 7  # a Parameter with state: _rebuild_parameter_with_state
    od = collections.OrderedDict(b=1, a=2)
    od._metadata = {"": {"version": 1}}
    c = torch.complex(torch.tensor([1.0, 2.0]), torch.tensor([3.0, -4.0]))
    return {
        "none": None, "true": True, "int": 123, "bigint": 2 ** 100, "neg": -7,
        "float": 0.1, "nan": float("nan"), "inf": float("-inf"), "negzero": -0.0,
        "str": "unicode ✓", "bytes": b"\x00\xffabc", "bytearray": bytearray(b"xyz"),
        "complex": 1.5 - 2j, "tuple": (1, (2, 3), []), "list": [[], [1, [2, [3]]]],
        "set": {1, 2, 3}, "size": torch.Size([2, 3, 4]), "dtypes": [torch.float32, torch.bool,
                                                                    torch.bfloat16, torch.int64],
        "devices": [torch.device("cpu"), torch.device("cuda", 1), torch.device("cuda")],
        "nested": {"a": {"b": {"c": [torch.ones(2), (torch.zeros(1),)]}}},
        "int_keys": {0: "zero", 1: "one"}, "od": od,
        "with_attr": t, "param_attr": p, "conj": c.conj(),
        "negbit": torch._neg_view(torch.tensor([1.0, -2.0])),
    }


def numpy_values():
    return {"acc": np.float64(0.5), "arr": np.arange(3, dtype=np.int32), "t": torch.ones(2)}


def main() -> None:
    torch.set_default_dtype(torch.float32)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    arrays: dict = {}
    tensors: dict = {}
    files: dict = {}

    def record(name, obj, **save_kwargs):
        path = OUT / name
        torch.save(obj, path, **save_kwargs)
        enc = Encoder(name, arrays, tensors)
        files[name] = {"value": enc.encode(obj), "save_kwargs": list(save_kwargs)}
        # torch itself must read it back
        back = torch.load(path, weights_only=name not in ("numpy_values.pt", "protocol4.pt"))
        assert type(back) is type(obj), name

    record("model_state.pt", model_state())
    record("tied_model_state.pt", tied_model_state())
    record("optimizer_state.pt", optimizer_state())
    record("dtypes.pt", all_dtypes())
    record("views.pt", views())
    record("plain_values.pt", plain_values())
    record("legacy.pt", {"model": model_state(), "views": views(), "dtypes": all_dtypes()},
           _use_new_zipfile_serialization=False)
    record("protocol4.pt", {"model": tied_model_state(), "values": plain_values()},
           pickle_protocol=4)
    record("numpy_values.pt", numpy_values())

    # what torch.load(weights_only=True) says about the numpy file, for the error test
    try:
        torch.load(OUT / "numpy_values.pt")
    except Exception as e:  # noqa: BLE001
        files["numpy_values.pt"]["weights_only_error"] = type(e).__name__
    files["numpy_values.pt"]["unsafe_globals"] = sorted(
        torch.serialization.get_unsafe_globals_in_checkpoint(OUT / "numpy_values.pt"))

    from safetensors.torch import save_file

    torch.manual_seed(4)
    st = {"f32": torch.randn(3, 4), "bf16": torch.randn(5).to(torch.bfloat16),
          "f16": torch.randn(2, 2).half(), "i64": torch.arange(6).reshape(2, 3),
          "bool": torch.tensor([True, False, True]), "u8": torch.arange(4, dtype=torch.uint8),
          "c64": torch.complex(torch.randn(2), torch.randn(2)), "empty": torch.zeros(0, 2),
          "f64": torch.randn(3, dtype=torch.float64), "scalar": torch.tensor(1.25)}
    save_file(st, OUT / "tensors.safetensors", metadata={"format": "pt", "note": "fixture"})
    enc = Encoder("tensors.safetensors", arrays, tensors)
    files["tensors.safetensors"] = {"value": enc.encode(st),
                                    "metadata": {"format": "pt", "note": "fixture"}}

    meta = {"torch_version": torch.__version__, "files": files, "tensors": tensors}
    (OUT / "expected.json").write_text(json.dumps(meta, sort_keys=True, separators=(",", ":")))
    np.savez_compressed(OUT / "expected.npz", **arrays)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(files)} checkpoints, {len(tensors)} tensors, {total} bytes in "
          f"{OUT.relative_to(ROOT)}")
    assert total < 1_000_000, total


if __name__ == "__main__":
    main()
