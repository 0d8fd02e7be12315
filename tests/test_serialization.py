"""torchlike.save / torchlike.load: round trips, storage sharing, torch's zip layout,
map_location, weights_only and safe globals, atomic saves, safetensors.

Files torch itself wrote are checked in compat_tests/test_checkpoints.py; hostile files in
test_serialization_hostile.py.  Expected behaviour was checked against torch 2.13.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import pickletools
import re
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import OrderedDict
from pathlib import Path

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import torchlike as torch
from torchlike._core import views as _views
from torchlike._core.views import build_view
from torchlike.nn import Parameter
from torchlike.serialization import _zip

ROOT = Path(__file__).resolve().parents[1]


def roundtrip(obj, **save_kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **save_kwargs)
    buf.seek(0)
    return torch.load(buf)


def same(a, b) -> bool:
    """Exact equality of two tensors: dtype, shape, requires_grad and bits (NaN == NaN, -0.0)."""
    if a.dtype is not b.dtype or a.shape != b.shape or a.requires_grad != b.requires_grad:
        return False
    x, y = np.asarray(a._data), np.asarray(b._data)
    if a.dtype is torch.bfloat16:
        x, y = x.view(np.uint16), y.view(np.uint16)
    if x.dtype.kind not in "fc":
        return np.array_equal(x, y)
    return np.array_equal(x, y, equal_nan=True) and \
        np.array_equal(np.signbit(x.real), np.signbit(y.real))


FORMATS = [{}, {"_use_new_zipfile_serialization": False}, {"pickle_protocol": 4}]
FORMAT_IDS = ["zip", "legacy", "protocol4"]

SPECIAL = [0.0, -0.0, 1.5, -2.25, math.inf, -math.inf, math.nan, 1e-3]


def every_dtype():
    out = OrderedDict()
    for name in ("float32", "float64", "float16", "bfloat16"):
        out[name] = torch.tensor(SPECIAL, dtype=getattr(torch, name))
    out["complex64"] = torch.tensor([1 + 2j, -0.5j, complex(math.nan, 1)], dtype=torch.complex64)
    out["complex128"] = torch.tensor([[1 + 2j], [3 - 1j]], dtype=torch.complex128)
    out["uint8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    out["int8"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    out["int16"] = torch.tensor([-32768, 32767], dtype=torch.int16)
    out["int32"] = torch.tensor([-2 ** 31, 2 ** 31 - 1], dtype=torch.int32)
    out["int64"] = torch.tensor([-2 ** 63, 2 ** 63 - 1])
    out["bool"] = torch.tensor([[True, False], [False, True]])
    out["scalar"] = torch.tensor(3.25)
    out["empty"] = torch.zeros(0, 4)
    return out


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_every_dtype_round_trips_exactly(fmt):
    d = every_dtype()
    back = roundtrip(d, **fmt)
    assert type(back) is OrderedDict and list(back) == list(d)
    for k in d:
        assert same(back[k], d[k]), k
        assert back[k].stride() == d[k].stride()


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_plain_values_round_trip(fmt):
    od = OrderedDict(b=1, a=2)
    od._metadata = {"": {"version": 1}}
    obj = {"none": None, "bool": True, "int": 7, "big": 2 ** 100, "float": 0.1,
           "nan": math.nan, "negzero": -0.0, "str": "ünïcode", "bytes": b"\x00\xff",
           "bytearray": bytearray(b"ab"), "complex": 1 - 2j, "tuple": (1, (2,), ()),
           "list": [[], [1, [2]]], "set": {1, 2},
           "size": torch.Size([2, 3]), "dtypes": [torch.float16, torch.bfloat16, torch.bool],
           "devices": [torch.device("cpu"), torch.device("cuda", 1), torch.device("cuda")],
           "od": od, "int_keys": {3: "x", -1: "y"}}
    back = roundtrip(obj, **fmt)
    assert back.keys() == obj.keys()
    for k, v in obj.items():
        if isinstance(v, float) and math.isnan(v):
            assert math.isnan(back[k])
        else:
            assert back[k] == v and type(back[k]) is type(v), k
    assert math.copysign(1, back["negzero"]) == -1
    assert type(back["size"]) is torch.Size
    assert back["dtypes"][1] is torch.bfloat16
    assert back["od"]._metadata == {"": {"version": 1}}
    assert type(back["od"]) is OrderedDict and list(back["od"]) == ["b", "a"]


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_parameters_and_requires_grad(fmt):
    w = Parameter(torch.randn(3, 2))
    frozen = Parameter(torch.ones(2), requires_grad=False)
    x = torch.randn(2).requires_grad_()
    y = x * 2  # a non-leaf: saved as requires_grad=True with no history, like torch
    back = roundtrip({"w": w, "frozen": frozen, "x": x, "y": y, "i": torch.arange(3)}, **fmt)
    assert type(back["w"]) is Parameter and back["w"].requires_grad and back["w"].is_leaf
    assert type(back["frozen"]) is Parameter and not back["frozen"].requires_grad
    assert type(back["x"]) is torch.Tensor and back["x"].requires_grad
    assert back["y"].requires_grad and back["y"].grad_fn is None
    assert same(back["w"], w) and same(back["y"].detach(), y.detach())
    assert repr(back["w"]).startswith("Parameter containing:\ntensor(")


def test_tensor_attributes_round_trip():
    t = torch.tensor([1.0, 2.0])
    t.note = "hi"
    p = Parameter(torch.tensor([3.0]))
    p.tag = [1, 2]
    back = roundtrip({"t": t, "p": p})
    assert back["t"].note == "hi" and back["p"].tag == [1, 2]
    assert type(back["p"]) is Parameter


@pytest.mark.parametrize("how", ["str", "pathlike", "fileobj"])
def test_paths_pathlikes_and_file_objects(tmp_path, how):
    d = {"a": torch.arange(5.0)}
    p = tmp_path / "ck.pt"
    if how == "str":
        torch.save(d, str(p))
        back = torch.load(str(p))
    elif how == "pathlike":
        torch.save(d, p)
        back = torch.load(p)
    else:
        with open(p, "wb") as f:
            torch.save(d, f)
        with open(p, "rb") as f:
            back = torch.load(f)
    assert same(back["a"], d["a"])
    assert list(os.listdir(tmp_path)) == ["ck.pt"]  # no temporary file left behind


# ---------------------------------------------------------------- storage sharing


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_views_come_back_sharing_with_torchs_layout(fmt):
    base = torch.arange(48.0).reshape(6, 8).clone()
    views = {"rows": base[1:4], "cols": base[:, 2:7:2], "t": base.t(), "row": base[3],
             "elem": base[2, 3], "diag": base.diagonal(), "strided": base[::2, ::3],
             "expand": base[0:1, 0:3].expand(4, 3),
             "permute": base.view(2, 3, 8).permute(2, 0, 1), "unsq": base[:, 1].unsqueeze(0)}
    back = roundtrip({"base": base, **views, "again": base}, **fmt)
    b = back["base"]
    assert back["again"] is b
    for k, v in views.items():
        got = back[k]
        assert got._storage is b._storage, k
        assert got.shape == v.shape and got.stride() == v.stride(), k
        assert got.storage_offset() == v.storage_offset(), k
        assert torch.equal(got, v), k
    back["rows"][0, 0] = -5.0  # a write through one view reaches the base and the others
    assert b[1, 0].item() == -5.0 and back["t"][0, 1].item() == -5.0


def test_a_view_saved_alone_keeps_its_storage_offset():
    base = torch.arange(20.0).clone()
    v = base[3:17:2]
    back = roundtrip(v)
    assert back.storage_offset() == 3 and back.stride() == (2,)
    assert back._storage.array.size == 20  # the whole storage comes along, as in torch
    assert torch.equal(back, v)


def test_tied_weights_share_one_storage():
    w = Parameter(torch.randn(4, 3))
    sd = OrderedDict([("a", w), ("b", w.data), ("c", w)])
    back = roundtrip(sd)
    assert back["a"] is back["c"]
    assert back["a"]._storage is back["b"]._storage
    back["b"].mul_(0)
    assert back["a"].abs().sum().item() == 0


def test_one_record_per_storage():
    base = torch.randn(100)
    buf = io.BytesIO()
    torch.save([base, base[10:20], base[::3]], buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]


def _layout_cases():
    @st.composite
    def case(draw):
        ndim = draw(st.integers(0, 4))
        size = [draw(st.integers(0, 4)) for _ in range(ndim)]
        stride = [draw(st.integers(0, 12)) for _ in range(ndim)]
        offset = draw(st.integers(0, 10))
        need = offset + sum((s - 1) * t for s, t in zip(size, stride, strict=True)) + 1 \
            if math.prod(size) else offset
        n = need + draw(st.integers(0, 6))
        base_2d = draw(st.booleans()) and n % 2 == 0 and n > 0
        return n, (2, n // 2) if base_2d else (n,), offset, tuple(size), tuple(stride)
    return case()


@settings(max_examples=100, deadline=None)
@given(_layout_cases())
def test_build_view_reads_and_writes_what_as_strided_names(case):
    n, base_shape, offset, size, stride = case
    if not math.prod(size):
        return
    view = build_view(n, base_shape, offset, size, stride)
    flat = np.arange(n) * 10
    want = np.lib.stride_tricks.as_strided(flat[offset:], size,
                                           tuple(s * flat.itemsize for s in stride))
    overlapping = any(sz > 1 and st_ == 0 for sz, st_ in zip(size, stride, strict=True))
    if view is None:
        # only layouts whose elements cannot be a chain of slice/reshape/permute/expand
        real = sorted((t, s) for s, t in zip(size, stride, strict=True) if s > 1 and t > 0)
        assert len(real) >= 2 or not real
        return
    base = jax.numpy.asarray(flat.reshape(base_shape))
    got = np.asarray(_views._apply(view.chain, base, view.dyn))
    assert got.shape == size
    assert np.array_equal(got, want)
    assert view.shape == size and view.strides == stride and view.offset == offset
    if not overlapping:
        t = torch.from_jax(base)
        t._view = view
        t._storage = torch.Tensor._make(base)._storage
        new = np.arange(math.prod(size)).reshape(size) + 1000
        _views.write(t, jax.numpy.asarray(new))
        expect = flat.copy()
        np.lib.stride_tricks.as_strided(expect[offset:], size,
                                        tuple(s * expect.itemsize for s in stride))[...] = new
        assert np.array_equal(np.asarray(t._storage.array).reshape(-1), expect)


def test_overlapping_layouts_come_back_as_copies():
    # unfold-like windows cannot be a torchlike view: the loaded tensor is a correct copy
    assert build_view(30, (30,), 0, (14, 4), (2, 1)) is None


# ---------------------------------------------------------------- the file layout


def _records(data: bytes):
    z = zipfile.ZipFile(io.BytesIO(data))
    return z, z.infolist()


def test_zip_layout_matches_torch(tmp_path):
    p = tmp_path / "model.v2.pt"
    torch.save({"w": torch.ones(3), "b": torch.zeros(2, dtype=torch.bfloat16)}, p)
    data = p.read_bytes()
    z, infos = _records(data)
    assert [i.filename for i in infos] == [
        "model.v2/data.pkl", "model.v2/.format_version", "model.v2/.storage_alignment",
        "model.v2/byteorder", "model.v2/data/0", "model.v2/data/1", "model.v2/version",
        "model.v2/.data/serialization_id"]
    assert z.read("model.v2/version") == b"3\n"
    assert z.read("model.v2/byteorder") == sys.byteorder.encode()
    assert z.read("model.v2/.storage_alignment") == b"64"
    assert len(z.read("model.v2/.data/serialization_id")) == 40
    for info in infos:
        assert info.compress_type == zipfile.ZIP_STORED
        h = info.header_offset
        nlen, xlen = struct.unpack("<HH", data[h + 26:h + 30])
        assert (h + 30 + nlen + xlen) % 64 == 0, info.filename  # aligned records
    assert z.testzip() is None  # CRCs
    buf = io.BytesIO()
    torch.save(torch.ones(1), buf)
    assert zipfile.ZipFile(buf).namelist()[0] == "archive/data.pkl"


# opcodes torch 2.13's weights_only unpickler understands (protocol 2 subset)
TORCH_WEIGHTS_ONLY_OPS = {
    "APPEND", "APPENDS", "BINFLOAT", "BINGET", "BININT", "BININT1", "BININT2", "BINPERSID",
    "BINPUT", "BINUNICODE", "BUILD", "EMPTY_DICT", "EMPTY_LIST", "EMPTY_SET", "EMPTY_TUPLE",
    "GLOBAL", "LONG1", "LONG_BINGET", "LONG_BINPUT", "MARK", "NEWFALSE", "NEWOBJ", "NEWTRUE",
    "NONE", "PROTO", "REDUCE", "SETITEM", "SETITEMS", "SHORT_BINSTRING", "STOP", "TUPLE",
    "TUPLE1", "TUPLE2", "TUPLE3"}


def test_pickle_names_only_what_torchs_weights_only_loader_allows():
    od = OrderedDict(w=Parameter(torch.randn(2)), b=torch.randn(2).t())
    od._metadata = {"": {"version": 1}}
    obj = {"sd": od, "s": torch.Size([1]), "d": torch.float64, "dev": torch.device("cpu"),
           "set": {1}, "c": 1j, "by": b"x", "ba": bytearray(b"y"), "big": 2 ** 70,
           "bf": torch.ones(1, dtype=torch.bfloat16)}
    buf = io.BytesIO()
    torch.save(obj, buf)
    z = zipfile.ZipFile(buf)
    pkl = z.read("archive/data.pkl")
    ops, globals_ = set(), set()
    for op, arg, _ in pickletools.genops(pkl):
        ops.add(op.name)
        if op.name == "GLOBAL":
            globals_.add(arg.replace(" ", "."))
    assert ops <= TORCH_WEIGHTS_ONLY_OPS, ops - TORCH_WEIGHTS_ONLY_OPS
    assert globals_ == {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter", "torch.FloatStorage", "torch.BFloat16Storage",
        "torch.Size", "torch.float64", "torch.device", "__builtin__.set", "__builtin__.complex",
        "_codecs.encode", "__builtin__.bytearray"}


def test_zip64_records(monkeypatch):
    monkeypatch.setattr(_zip, "_ZIP64_LIMIT", 100)
    x = torch.arange(64.0)  # 256 bytes > the lowered limit
    buf = io.BytesIO()
    torch.save({"x": x, "y": torch.ones(2)}, buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    assert z.testzip() is None
    info = z.getinfo("archive/data/0")
    assert info.file_size == 256 and info.header_offset > 100
    buf.seek(0)
    back = torch.load(buf)
    assert torch.equal(back["x"], x)


def test_non_seekable_target():
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, b):
            self.parts.append(bytes(b))
            return len(b)

    s = Sink()
    torch.save({"a": torch.ones(3)}, s)
    back = torch.load(io.BytesIO(b"".join(s.parts)))
    assert torch.equal(back["a"], torch.ones(3))


# ---------------------------------------------------------------- load options


def _saved(obj, **kw) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def _with_location(monkeypatch, loc):
    from torchlike.serialization import _api as serialization

    monkeypatch.setattr(serialization, "_location", lambda arr: loc)


@pytest.mark.parametrize("ml", ["cpu", b"cpu", torch.device("cpu"), {"cpu": "cpu"},
                                lambda s, loc: s, lambda s, loc: None, lambda s, loc: s.cpu()],
                         ids=["str", "bytes", "device", "dict", "callable", "callable-none",
                              "callable-cpu"])
def test_map_location_forms(ml):
    data = _saved({"a": torch.arange(4.0)})
    back = torch.load(io.BytesIO(data), map_location=ml)
    assert torch.equal(back["a"], torch.arange(4.0))
    assert back["a"].device == torch.device("cpu") or back["a"].device.type != "cpu"


def test_map_location_dict_remaps_tags(monkeypatch):
    _with_location(monkeypatch, "cuda:0")
    data = _saved(torch.ones(2))
    back = torch.load(io.BytesIO(data), map_location={"cuda:0": "cpu"})
    assert torch.equal(back, torch.ones(2)) and back.device == torch.device("cpu")
    back = torch.load(io.BytesIO(data), map_location=torch.device("cpu"))
    assert back.device == torch.device("cpu")


def test_cuda_tagged_storage_without_a_gpu(monkeypatch):
    if any(d.platform == "gpu" for d in jax.devices()):
        pytest.skip("a GPU is present")
    _with_location(monkeypatch, "cuda:0")
    data = _saved(torch.ones(2))
    with pytest.raises(RuntimeError, match=r"map_location=torch.device\('cpu'\)"):
        torch.load(io.BytesIO(data))
    seen = []
    back = torch.load(io.BytesIO(data), map_location=lambda s, loc: seen.append(loc) or s.cpu())
    assert seen == ["cuda:0"] and torch.equal(back, torch.ones(2))


def test_bad_map_locations():
    data = _saved(torch.ones(2))
    with pytest.raises(TypeError, match="map_location"):
        torch.load(io.BytesIO(data), map_location=3.5)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        torch.load(io.BytesIO(data), map_location="nowhere")
    with pytest.raises(TypeError, match="map_location callable"):
        torch.load(io.BytesIO(data), map_location=lambda s, loc: "cpu")


def test_mmap(tmp_path):
    p = tmp_path / "m.pt"
    x = torch.randn(50, 7)
    torch.save({"x": x, "v": x[3:9, ::2]}, p)
    back = torch.load(p, mmap=True)
    assert torch.equal(back["x"], x) and back["v"]._storage is back["x"]._storage
    with pytest.raises(ValueError, match="f must be a file path"):
        torch.load(io.BytesIO(p.read_bytes()), mmap=True)
    torch.save(x, p, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used with files saved with"):
        torch.load(p, mmap=True)


class Custom:
    def __init__(self, t):
        self.t = t

    def __eq__(self, other):
        return isinstance(other, Custom) and torch.equal(self.t, other.t)


def test_weights_only_refuses_other_globals_and_safe_globals_allow_them():
    data = _saved({"c": Custom(torch.ones(2))})
    name = f"{Custom.__module__}.Custom"
    with pytest.raises(pickle.UnpicklingError,
                       match=f"GLOBAL {re.escape(name)} was not an allowed global"):
        torch.load(io.BytesIO(data))
    assert torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == [name]
    leg = _saved({"c": Custom(torch.ones(2))}, _use_new_zipfile_serialization=False)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(leg)) == [name]
    assert torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(_saved(1))) == []
    with torch.serialization.safe_globals([Custom]):
        assert Custom in torch.serialization.get_safe_globals()
        back = torch.load(io.BytesIO(data))
    assert back["c"] == Custom(torch.ones(2))
    assert Custom not in torch.serialization.get_safe_globals()
    torch.serialization.add_safe_globals([(Custom, name)])
    try:
        assert torch.load(io.BytesIO(data))["c"] == Custom(torch.ones(2))
    finally:
        torch.serialization.clear_safe_globals()
    assert torch.serialization.get_safe_globals() == []
    assert torch.load(io.BytesIO(data), weights_only=False)["c"] == Custom(torch.ones(2))
    assert torch.load(io.BytesIO(data), pickle_module=pickle)["c"] == Custom(torch.ones(2))
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        torch.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)


def test_force_weights_only_env(monkeypatch):
    data = _saved({"c": Custom(torch.ones(1))})
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(data), weights_only=False)


def test_weights_only_false_maps_torch_names_to_torchlike():
    data = _saved({"s": torch.Size([3]), "p": Parameter(torch.ones(1))})
    back = torch.load(io.BytesIO(data), weights_only=False)
    assert type(back["s"]) is torch.Size and type(back["p"]) is Parameter
    from torchlike.serialization._restore import _torchlike_equivalent

    assert _torchlike_equivalent("torch.nn.parameter", "Parameter") is Parameter
    assert _torchlike_equivalent("torch", "float32") is torch.float32
    with pytest.raises(pickle.UnpicklingError, match="no equivalent of torch.nope.Thing"):
        _torchlike_equivalent("torch.nope", "Thing")


def test_pickle_module_other_than_pickle_is_refused_on_save():
    with pytest.raises(ValueError, match="pickle_module=pickle"):
        torch.save(torch.ones(1), io.BytesIO(), pickle_module=object())


def test_saving_a_traced_tensor_raises():
    @jax.jit
    def f(a):
        torch.save(torch.from_jax(a), io.BytesIO())
        return a

    with pytest.raises(RuntimeError, match="traced"):
        f(jax.numpy.ones(2))


def test_bad_arguments():
    with pytest.raises(AttributeError, match="write"):
        torch.save(torch.ones(1), 3)
    with pytest.raises(AttributeError, match="read"):
        torch.load(3)
    with pytest.raises(EOFError, match="Ran out of input"):
        torch.load(io.BytesIO(b""))
    with pytest.raises(RuntimeError, match="Parent directory"):
        torch.save(torch.ones(1), "/nonexistent-dir-xyz/ck.pt")


# ---------------------------------------------------------------- atomic save


def test_failed_save_keeps_the_old_checkpoint(tmp_path):
    p = tmp_path / "ck.pt"
    torch.save({"v": 1}, p)
    old = p.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        torch.save({"v": 2, "f": lambda: 0}, p)
    assert p.read_bytes() == old
    assert os.listdir(tmp_path) == ["ck.pt"]


def test_killed_save_keeps_the_old_checkpoint(tmp_path):
    """A saving process killed half-way through writing leaves the previous file intact."""
    p = tmp_path / "ck.pt"
    torch.save({"step": 1, "w": torch.ones(10)}, p)
    old = p.read_bytes()
    script = textwrap.dedent(f"""
        import sys, time
        import torchlike as torch
        from torchlike.serialization import _zip as z
        orig = z.ZipWriter.write_record
        def slow(self, name, data):
            orig(self, name, data)
            if name == "data/0":  # half the checkpoint is on disk
                self.fp.flush()
                print("writing", flush=True)
                time.sleep(60)
        z.ZipWriter.write_record = slow
        torch.save({{"step": 2, "w": torch.zeros(100000), "b": torch.ones(5)}}, {str(p)!r})
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env,
                            text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "writing"
        partial = [f for f in os.listdir(tmp_path) if f != "ck.pt"]
        assert partial and os.path.getsize(tmp_path / partial[0]) > 400000
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert p.read_bytes() == old
    back = torch.load(p)
    assert back["step"] == 1 and torch.equal(back["w"], torch.ones(10))


def test_save_through_a_symlink_replaces_the_target(tmp_path):
    real = tmp_path / "real.pt"
    link = tmp_path / "link.pt"
    torch.save(1, real)
    link.symlink_to(real)
    torch.save(2, link)
    assert link.is_symlink() and torch.load(real) == 2


# ---------------------------------------------------------------- nn.Parameter


def test_parameter_basics():
    x = torch.arange(3.0)
    p = Parameter(x)
    assert p.requires_grad and p.is_leaf and p._storage is x._storage
    assert repr(p) == "Parameter containing:\ntensor([0., 1., 2.], requires_grad=True)"
    assert repr(Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"
    with pytest.raises(RuntimeError, match="floating point and complex"):
        Parameter(torch.arange(3))
    assert not Parameter(torch.arange(3), requires_grad=False).requires_grad
    assert type(pickle.loads(pickle.dumps(p))) is Parameter
    assert isinstance(p, torch.Tensor)


# ---------------------------------------------------------------- safetensors


def test_safetensors_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    from torchlike.utils import safetensors as sft

    d = {k: v for k, v in every_dtype().items() if k != "complex128"}
    p = tmp_path / "t.safetensors"
    sft.save_file(d, p, metadata={"k": "v"})
    back = sft.load_file(p)
    assert sorted(back) == sorted(d)
    for k in d:
        assert same(back[k], d[k]), k
    assert sorted(sft.load(sft.save(d))) == sorted(d)
    assert sorted(torch.load(p)) == sorted(d)  # torch.load dispatches on the extension
    import safetensors

    with safetensors.safe_open(str(p), framework="np") as f:
        assert f.metadata() == {"k": "v"}


def test_safetensors_errors(tmp_path):
    pytest.importorskip("safetensors")
    from torchlike.utils import safetensors as sft

    base = torch.randn(4, 4)
    with pytest.raises(RuntimeError, match="Some tensors share memory"):
        sft.save({"a": base, "b": base[0]})
    with pytest.raises(ValueError, match="non contiguous tensor: `t`"):
        sft.save({"t": base.t()})
    with pytest.raises(ValueError, match="expected torch.Tensor"):
        sft.save({"x": 1})
    with pytest.raises(TypeError, match="complex128"):
        sft.save({"c": torch.zeros(1, dtype=torch.complex128)})
    assert sorted(sft.load(sft.save({"a": base[:2].contiguous(), "b": base[2:]}))) == ["a", "b"]


class _Model:
    """Just enough of nn.Module for save_model/load_model."""

    def __init__(self, sd):
        self.sd = sd

    def state_dict(self):
        return OrderedDict(self.sd)

    def load_state_dict(self, sd, strict=True):
        missing = [k for k in self.sd if k not in sd]
        unexpected = [k for k in sd if k not in self.sd]
        for k in sd:
            if k in self.sd:
                self.sd[k].copy_(sd[k])
        return missing, unexpected


def test_safetensors_save_and_load_model_with_tied_weights(tmp_path):
    pytest.importorskip("safetensors")
    from torchlike.utils import safetensors as sft

    w = torch.randn(3, 2)
    m = _Model({"emb.weight": w, "head.weight": w, "bias": torch.zeros(3)})
    p = tmp_path / "m.safetensors"
    sft.save_model(m, p)
    import safetensors

    with safetensors.safe_open(str(p), framework="np") as f:
        assert sorted(f.keys()) == ["bias", "emb.weight"]
        assert f.metadata() == {"head.weight": "emb.weight"}
    fresh = torch.zeros(3, 2)
    m2 = _Model({"emb.weight": fresh, "head.weight": fresh, "bias": torch.ones(3)})
    missing, unexpected = sft.load_model(m2, p)
    assert not missing and not unexpected
    assert torch.equal(m2.sd["emb.weight"], w) and torch.equal(m2.sd["bias"], torch.zeros(3))
    m3 = _Model({"other": torch.zeros(1)})
    with pytest.raises(RuntimeError, match=r"Missing key\(s\) in state_dict: \"other\""):
        sft.load_model(m3, p)


def test_load_is_quick_for_many_small_tensors():
    sd = OrderedDict((f"layer{i}.weight", torch.ones(4)) for i in range(300))
    data = _saved(sd)
    t0 = time.perf_counter()
    back = torch.load(io.BytesIO(data))
    assert len(back) == 300
    assert time.perf_counter() - t0 < 30
