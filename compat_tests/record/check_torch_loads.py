"""Check that real torch loads the files torchlike writes, with exact values.

Run by hand with the Python that has torch 2.13, naming the Python that has torchlike:

    /path/to/torch-venv/bin/python compat_tests/record/check_torch_loads.py \\
        --torchlike-python /path/to/torchlike-venv/bin/python [--keep DIR]

Step 1 (torchlike's Python, ``write`` mode): torchlike builds a set of objects (state_dicts
of Parameters, an optimizer-style nested dict, every dtype with NaN/inf/-0.0, views sharing a
storage, tied weights, plain Python values, tensors with attributes, a large tensor) and
``torchlike.save``s each, in the zip format and in the legacy format, plus what each holds
(``expected.json``/``expected.npz``, same encoding as ``record_checkpoints.py``).

Step 2 (torch's Python): ``torch.load`` (default ``weights_only=True``; and ``mmap=True`` for
zip files) reads every file; each tensor must have the recorded dtype, shape, strides,
storage_offset, requires_grad, Parameter-ness, values (bit for bit) and Python attributes;
tensors torchlike wrote on one storage must share one torch storage; containers and plain
values must match.  torch then saves what it loaded and torchlike (step 3) reads it back and
compares again.  Prints one line per file and exits non-zero on any mismatch.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]


# ---------------------------------------------------------------- shared encoding


def _is_tensor(torch, v):
    return isinstance(v, torch.Tensor)


class Encoder:
    """Encodes a torch or torchlike object tree (see record_checkpoints.py)."""

    def __init__(self, torch, prefix, arrays, tensors, storage_id):
        self.torch, self.prefix, self.arrays, self.tensors = torch, prefix, arrays, tensors
        self.storage_id = storage_id
        self.seen: dict = {}
        self.groups: dict = {}

    def tensor(self, t):
        if id(t) in self.seen:
            return {"T": self.seen[id(t)]}
        key = f"{self.prefix}/{len(self.seen)}"
        self.seen[id(t)] = key
        group = self.groups.setdefault(self.storage_id(t), len(self.groups)) if t.numel() else None
        a = t.detach()
        if a.dtype == self.torch.bfloat16:
            arr = np.asarray(a.float().numpy()).astype(np.float32)  # exact: bf16 -> f32
        else:
            arr = np.asarray(a.numpy(force=True) if hasattr(a, "numpy") else a)
        self.arrays[key] = np.array(arr, order="C", copy=True)
        attrs = {k: self.encode(v) for k, v in t.__dict__.items() if not k.startswith("_")}
        self.tensors[key] = {
            "dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape),
            "stride": list(t.stride()), "offset": t.storage_offset(),
            "requires_grad": bool(t.requires_grad),
            "param": type(t).__name__ == "Parameter", "group": group, "attrs": attrs}
        return {"T": key}

    def encode(self, v):
        torch = self.torch
        if _is_tensor(torch, v):
            return self.tensor(v)
        if isinstance(v, torch.Size):
            return {"Size": list(v)}
        if isinstance(v, torch.dtype):
            return {"dtype": str(v).removeprefix("torch.")}
        if isinstance(v, torch.device):
            return {"device": str(v)}
        if isinstance(v, dict):
            return {"D": [[self.encode(k), self.encode(x)] for k, x in v.items()],
                    "ordered": type(v) is collections.OrderedDict,
                    "attrs": {k: self.encode(x) for k, x in getattr(v, "__dict__", {}).items()}}
        if isinstance(v, list):
            return {"L": [self.encode(x) for x in v]}
        if isinstance(v, tuple):
            return {"U": [self.encode(x) for x in v]}
        if isinstance(v, set):
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


def compare(expected_enc, got_enc, exp_tensors, got_tensors, exp_arrays, got_arrays, path,
            errors):
    """Compare two encodings (tensor keys may differ; values are compared through them)."""
    if isinstance(expected_enc, dict) and "T" in expected_enc:
        if not (isinstance(got_enc, dict) and "T" in got_enc):
            errors.append(f"{path}: expected a tensor")
            return
        em, gm = exp_tensors[expected_enc["T"]], got_tensors[got_enc["T"]]
        for field in ("dtype", "shape", "stride", "offset", "requires_grad", "param"):
            if em[field] != gm[field]:
                errors.append(f"{path}: {field} {gm[field]} != {em[field]}")
        a, b = exp_arrays[expected_enc["T"]], got_arrays[got_enc["T"]]
        if a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(
                a, b, equal_nan=a.dtype.kind in "fc") or (
                a.dtype.kind == "f" and not np.array_equal(np.signbit(a), np.signbit(b))):
            errors.append(f"{path}: values differ")
        compare({"D": sorted(em["attrs"].items())}, {"D": sorted(gm["attrs"].items())},
                exp_tensors, got_tensors, exp_arrays, got_arrays, path + ".attrs", errors)
        return
    if isinstance(expected_enc, dict) and isinstance(got_enc, dict) and \
            set(expected_enc) == set(got_enc):
        for k in expected_enc:
            compare(expected_enc[k], got_enc[k], exp_tensors, got_tensors, exp_arrays,
                    got_arrays, f"{path}.{k}", errors)
        return
    if isinstance(expected_enc, list) and isinstance(got_enc, list) and \
            len(expected_enc) == len(got_enc):
        for i, (x, y) in enumerate(zip(expected_enc, got_enc, strict=True)):
            compare(x, y, exp_tensors, got_tensors, exp_arrays, got_arrays, f"{path}[{i}]",
                    errors)
        return
    if type(expected_enc) is not type(got_enc) or expected_enc != got_enc:
        errors.append(f"{path}: {got_enc!r} != {expected_enc!r}")


def sharing_ok(exp_tensors, got_tensors, pairs) -> bool:
    """Tensors sharing a storage on one side share on the other (same partition)."""
    e = {}
    g = {}
    for ek, gk in pairs:
        if exp_tensors[ek]["group"] is None:
            continue
        e.setdefault(exp_tensors[ek]["group"], set()).add(gk)
        g.setdefault(got_tensors[gk]["group"], set()).add(gk)
    return sorted(map(sorted, e.values())) == sorted(map(sorted, g.values()))


def tensor_pairs(exp, got, out):
    if isinstance(exp, dict) and "T" in exp and isinstance(got, dict) and "T" in got:
        out.append((exp["T"], got["T"]))
    elif isinstance(exp, dict) and isinstance(got, dict):
        for k in exp:
            if k in got:
                tensor_pairs(exp[k], got[k], out)
    elif isinstance(exp, list) and isinstance(got, list):
        for x, y in zip(exp, got, strict=False):
            tensor_pairs(x, y, out)
    return out


# ---------------------------------------------------------------- step 1: torchlike writes


def build_objects(torch):
    from torchlike.nn import Parameter

    rng = np.random.default_rng(0)

    def randn(*shape, dtype=None):
        return torch.tensor(rng.standard_normal(shape).astype(np.float32), dtype=dtype)

    sd = collections.OrderedDict()
    sd["fc.weight"] = Parameter(randn(3, 4))
    sd["fc.bias"] = Parameter(randn(3))
    sd["bn.running_mean"] = randn(3)
    sd["bn.num_batches_tracked"] = torch.tensor(5)
    sd._metadata = collections.OrderedDict({"": {"version": 1}, "bn": {"version": 2}})

    tied_w = Parameter(randn(6, 4))
    tied = collections.OrderedDict([("emb.weight", tied_w), ("head.weight", tied_w.data),
                                    ("head2.weight", tied_w)])

    params = [randn(4, 3), randn(4)]
    opt = {"state": {i: {"step": torch.tensor(3.0), "exp_avg": p * 0.1,
                         "exp_avg_sq": p * p} for i, p in enumerate(params)},
           "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-08,
                             "weight_decay": 0, "amsgrad": False, "maximize": False,
                             "foreach": None, "capturable": False, "differentiable": False,
                             "fused": None, "params": [0, 1]}]}

    special = [0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), float("nan"), 3e38]
    dtypes = collections.OrderedDict()
    for name in ("float32", "float64", "float16", "bfloat16"):
        dtypes[name] = torch.tensor(special, dtype=getattr(torch, name))
    dtypes["complex64"] = torch.tensor([1 + 2j, -0.5j, float("nan")], dtype=torch.complex64)
    dtypes["complex128"] = torch.tensor([[1 + 2j, 3 - 1j]], dtype=torch.complex128)
    dtypes["uint8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    dtypes["int8"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    dtypes["int16"] = torch.tensor([-32768, 32767], dtype=torch.int16)
    dtypes["int32"] = torch.tensor([-2 ** 31, 2 ** 31 - 1], dtype=torch.int32)
    dtypes["int64"] = torch.tensor([-2 ** 63, 2 ** 63 - 1], dtype=torch.int64)
    dtypes["bool"] = torch.tensor([[True, False]])
    dtypes["scalar"] = torch.tensor(2.5)
    dtypes["empty"] = torch.zeros(0, 3)
    dtypes["requires_grad"] = randn(2, 2).requires_grad_()
    x = randn(3).requires_grad_()
    dtypes["non_leaf"] = x * 2  # saved with requires_grad=True and no history, as torch does

    base = torch.arange(48, dtype=torch.float32).reshape(6, 8)
    flat = torch.arange(30)
    views = {"base": base, "rows": base[1:4], "cols": base[:, 2:7:2], "t": base.t(),
             "row": base[3], "elem": base[2, 3], "diag": base[:6, :6].diagonal(),
             "expand": base[0:1, 0:3].expand(4, 3), "strided": base[::2, ::3],
             "permute": base.view(2, 3, 8).permute(2, 0, 1), "same": [base, base],
             "narrow": flat.narrow(0, 5, 10), "flat_view": flat.view(5, 6)[1:, ::2],
             "alone": torch.arange(20.0)[3:17:2]}

    t = torch.tensor([1.0, 2.0])
    t.note = "hello"
    p = Parameter(torch.tensor([3.0]))
    p.tag = 7
    plain = {"none": None, "true": True, "int": 123, "bigint": 2 ** 100, "float": 0.1,
             "nan": float("nan"), "negzero": -0.0, "str": "unicode ✓", "bytes": b"\x00\xffab",
             "bytearray": bytearray(b"xyz"), "complex": 1.5 - 2j, "tuple": (1, (2, 3), []),
             "set": {1, 2, 3}, "size": torch.Size([2, 3]),
             "dtypes": [torch.float32, torch.bool, torch.bfloat16],
             "devices": [torch.device("cpu"), torch.device("cuda", 1)],
             "nested": {"a": [{"b": (torch.ones(2),)}]}, "int_keys": {0: "a", 7: "b"},
             "with_attr": t, "param_attr": p}

    big = {"big": torch.tensor(rng.standard_normal((512, 520)).astype(np.float32)),
           "small": torch.ones(3)}
    return {"state_dict": sd, "tied": tied, "optimizer": opt, "dtypes": dtypes,
            "views": views, "plain": plain, "big": big}


def storage_id_torchlike(t):
    return id(t._storage)


def write(out: Path) -> None:
    import torchlike as torch

    arrays, tensors, files = {}, {}, {}
    for name, obj in build_objects(torch).items():
        for fmt in ("zip", "legacy"):
            fname = f"{name}.{fmt}.pt"
            torch.save(obj, out / fname, _use_new_zipfile_serialization=fmt == "zip")
            enc = Encoder(torch, fname, arrays, tensors, storage_id_torchlike)
            files[fname] = enc.encode(obj)
    (out / "expected.json").write_text(json.dumps({"files": files, "tensors": tensors}))
    np.savez(out / "expected.npz", **arrays)


def reread(out: Path) -> None:
    """Step 3: torchlike reads what torch wrote back, and encodes it."""
    import torchlike as torch

    arrays, tensors, files = {}, {}, {}
    for p in sorted(out.glob("back_*.pt")):
        obj = torch.load(p)
        enc = Encoder(torch, p.name, arrays, tensors, storage_id_torchlike)
        files[p.name] = enc.encode(obj)
    (out / "reread.json").write_text(json.dumps({"files": files, "tensors": tensors}))
    np.savez(out / "reread.npz", **arrays)


# ---------------------------------------------------------------- step 2: torch reads


def check(out: Path, torchlike_python: str) -> int:
    import torch

    meta = json.loads((out / "expected.json").read_text())
    exp_arrays = dict(np.load(out / "expected.npz"))
    failures = 0

    def storage_id(t):
        return t.untyped_storage().data_ptr()

    for fname, exp_enc in meta["files"].items():
        modes = [{}] + ([{"mmap": True}] if ".zip." in fname else [])
        for kw in modes:
            arrays, tensors = {}, {}
            try:
                obj = torch.load(out / fname, **kw)  # weights_only=True: torch's default
            except Exception as e:  # noqa: BLE001
                print(f"FAIL {fname} {kw}: torch.load raised {type(e).__name__}: {e}")
                failures += 1
                continue
            got_enc = Encoder(torch, fname, arrays, tensors, storage_id).encode(obj)
            errors: list = []
            compare(exp_enc, got_enc, meta["tensors"], tensors, exp_arrays, arrays, fname,
                    errors)
            pairs = tensor_pairs(exp_enc, got_enc, [])
            if not sharing_ok(meta["tensors"], tensors, pairs):
                errors.append("storage sharing differs")
            n = len(pairs)
            if errors:
                failures += 1
                print(f"FAIL {fname} {kw}: " + "; ".join(errors[:8]))
            else:
                print(f"ok   {fname} {kw or ''} ({n} tensors, values exact)")
            if not kw:
                torch.save(obj, out / f"back_{fname}")

    # step 3: torchlike reads torch's re-save of each file
    subprocess.run([torchlike_python, str(HERE), "reread", str(out)], check=True,
                   cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)})
    back = json.loads((out / "reread.json").read_text())
    back_arrays = dict(np.load(out / "reread.npz"))
    for fname, exp_enc in meta["files"].items():
        got_enc = back["files"][f"back_{fname}"]
        errors = []
        compare(exp_enc, got_enc, meta["tensors"], back["tensors"], exp_arrays, back_arrays,
                fname, errors)
        if not sharing_ok(meta["tensors"], back["tensors"], tensor_pairs(exp_enc, got_enc, [])):
            errors.append("storage sharing differs")
        if errors:
            failures += 1
            print(f"FAIL torch re-save of {fname} read by torchlike: " + "; ".join(errors[:8]))
        else:
            print(f"ok   torch re-save of {fname} read back by torchlike")
    return failures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", nargs="?", default="check", choices=["check", "write", "reread"])
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--torchlike-python", default=os.environ.get("TORCHLIKE_PYTHON"))
    ap.add_argument("--keep", help="write the files here instead of a temporary directory")
    args = ap.parse_args()
    if args.mode == "write":
        write(Path(args.dir))
        return
    if args.mode == "reread":
        reread(Path(args.dir))
        return
    if not args.torchlike_python:
        sys.exit("--torchlike-python (or TORCHLIKE_PYTHON) must name torchlike's Python")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run([args.torchlike_python, str(HERE), "write", str(out)], check=True,
                       cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)})
        failures = check(out, args.torchlike_python)
    print("all files load in torch with exact values" if not failures else
          f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
