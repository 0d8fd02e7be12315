"""Hostile checkpoints, built here: each must give a clear error, run nothing from the file,
allocate nothing huge and never crash the interpreter.

Payloads that would run code try to create a sentinel file; every test checks that it does
not exist afterwards.  "Clear error" means one of the exceptions torch raises for bad files
(``pickle.UnpicklingError`` for refused globals and malformed pickles, ``RuntimeError`` for
inconsistent archives/storages, ``EOFError``/``ValueError`` as torch does), never a stray
``KeyError``/``IndexError``/``AttributeError`` from deep inside.
"""

from __future__ import annotations

import builtins
import io
import operator
import os
import pickle
import struct
import subprocess
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import torchlike as torch
from torchlike.serialization._zip import ZipWriter

CLEAR = (pickle.UnpicklingError, RuntimeError, EOFError, ValueError)
SENTINEL = Path(os.environ.get("TMPDIR", "/tmp")) / f"torchlike-hostile-{os.getpid()}"


@pytest.fixture(autouse=True)
def no_sentinel():
    if SENTINEL.exists():
        SENTINEL.unlink()
    yield
    assert not SENTINEL.exists(), "a payload from a hostile file ran"


# ---------------------------------------------------------------- builders


def archive(pkl: bytes, records: dict | None = None, root: str = "archive") -> bytes:
    buf = io.BytesIO()
    w = ZipWriter(buf, root)
    w.write_record("data.pkl", pkl)
    for name, data in (records or {}).items():
        w.write_record(name, data)
    w.write_record("version", b"3\n")
    w.finish()
    return buf.getvalue()


def legacy(pkl: bytes, keys: list, storages: list[tuple[int, bytes]]) -> bytes:
    out = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001,
                                                   "little_endian": True, "type_sizes": {}}):
        pickle.dump(header, out, protocol=2)
    out.write(pkl)
    pickle.dump(keys, out, protocol=2)
    for numel, data in storages:
        out.write(struct.pack("<q", numel) + data)
    return out.getvalue()


def load(data: bytes, **kw):
    return torch.load(io.BytesIO(data), **kw)


def G(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def U(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def I(n: int) -> bytes:  # noqa: E743
    if -2 ** 31 <= n < 2 ** 31:
        return b"J" + struct.pack("<i", n)
    b = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(b)]) + b  # LONG1


def tup(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


PROTO = b"\x80\x02"
STOP = b"."


def storage_pid(key="0", numel=4, stype=("torch", "FloatStorage"), location="cpu") -> bytes:
    return tup(U("storage"), G(*stype), U(key), U(location), I(numel)) + b"Q"


def rebuild(pid: bytes, offset=0, size=(4,), stride=(1,), rg=False) -> bytes:
    return (G("torch._utils", "_rebuild_tensor_v2") +
            tup(pid, I(offset), tup(*map(I, size)), tup(*map(I, stride)),
                b"\x88" if rg else b"\x89", G("collections", "OrderedDict") + b")R") + b"R")


def tensor_file(offset=0, size=(4,), stride=(1,), numel=4, record_bytes=16, **pid) -> bytes:
    pkl = PROTO + rebuild(storage_pid(numel=numel, **pid), offset, size, stride) + STOP
    return archive(pkl, {"data/0": b"\x00" * record_bytes})


class Reduce:
    """An object whose pickle calls ``func(*args)`` on load."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def touch_cmd() -> str:
    return f"touch {SENTINEL}"


def payload(obj, protocol=2) -> bytes:
    return archive(pickle.dumps(obj, protocol=protocol))


# ---------------------------------------------------------------- code execution


RCE = {
    "os.system": Reduce(os.system, touch_cmd()),
    "posix.system": Reduce(os.system, touch_cmd()),
    "subprocess.Popen": Reduce(subprocess.Popen, ["touch", str(SENTINEL)]),
    "subprocess.check_output": Reduce(subprocess.check_output, ["touch", str(SENTINEL)]),
    "builtins.eval": Reduce(builtins.eval, f"open({str(SENTINEL)!r}, 'w')"),
    "builtins.exec": Reduce(builtins.exec, f"open({str(SENTINEL)!r}, 'w')"),
    "builtins.open": Reduce(builtins.open, str(SENTINEL), "w"),
    "builtins.getattr": Reduce(getattr, Reduce(__import__, "os"), "system"),
    "builtins.__import__": Reduce(__import__, "os"),
    "builtins.compile": Reduce(compile, "1", "x", "eval"),
    "operator.attrgetter": Reduce(operator.attrgetter("system"), Reduce(__import__, "os")),
    "pickle.loads": Reduce(pickle.loads, pickle.dumps(Reduce(os.system, touch_cmd()))),
    "functools.partial": Reduce(__import__("functools").partial(os.system, touch_cmd())),
    "importlib.import_module": Reduce(__import__("importlib").import_module, "os"),
    "codecs.decode": Reduce(__import__("codecs").decode, b"x", "zlib"),
}


@pytest.mark.parametrize("name", list(RCE))
@pytest.mark.parametrize("protocol", [2, 4])
def test_reduce_payloads_are_refused(name, protocol):
    data = payload({"state": torch.ones(1), "x": RCE[name]}, protocol)
    with pytest.raises(pickle.UnpicklingError) as e:
        load(data)
    msg = str(e.value)
    assert "GLOBAL" in msg  # names the refused global
    # and the legacy format
    with pytest.raises(pickle.UnpicklingError):
        load(legacy(pickle.dumps(RCE[name], protocol=protocol), [], []))


def test_blocked_modules_stay_blocked_even_when_allowlisted():
    data = payload(Reduce(os.system, touch_cmd()))
    with torch.serialization.safe_globals([os.system, builtins.eval]):
        with pytest.raises(pickle.UnpicklingError, match="is blocked"):
            load(data)
        with pytest.raises(pickle.UnpicklingError, match="is blocked"):
            load(payload(Reduce(builtins.eval, "1")))
    assert torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == \
        [f"{os.system.__module__}.system"]


TORCH_GLOBALS = [
    ("torch.storage", "_load_from_bytes"), ("torch.serialization", "load"), ("torch", "load"),
    ("torch.jit", "load"), ("torch._C", "_jit_pass_lower_all_tuples"), ("torch", "_C"),
    ("torch.nn.modules.module", "Module"), ("torch._ops", "ops"), ("torch", "from_numpy"),
    ("torch._utils", "_import_dotted_name"), ("torch.serialization", "_get_restore_location"),
    ("torch", "Tensor.__reduce_ex__"), ("torch.hub", "load"), ("torch.package", "PackageImporter"),
]


@pytest.mark.parametrize("module,name", TORCH_GLOBALS)
def test_torch_globals_outside_the_allowlist_are_refused(module, name):
    pkl = PROTO + G(module, name) + tup(U("x")) + b"R" + STOP
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {module}.{name} was not"):
        load(archive(pkl))


def test_calling_torch_classes_directly_is_refused():
    # torch.Tensor(10**12) would allocate what the file says
    for target in (("torch", "Tensor"), ("torch.nn.parameter", "Parameter")):
        pkl = PROTO + G(*target) + tup(I(10 ** 9)) + b"R" + STOP
        with pytest.raises(pickle.UnpicklingError, match="unrecognized function"):
            load(archive(pkl))


@pytest.mark.parametrize("name", ["_rebuild_qtensor", "_rebuild_sparse_tensor",
                                  "_rebuild_nested_tensor", "_rebuild_wrapper_subclass",
                                  "_rebuild_meta_tensor_no_storage"])
def test_unsupported_rebuilds_raise_clearly(name):
    pkl = PROTO + G("torch._utils", name) + tup(I(1)) + b"R" + STOP
    with pytest.raises(RuntimeError, match="does not support"):
        load(archive(pkl))


def test_rebuild_from_type_only_calls_rebuild_functions():
    od = G("collections", "OrderedDict")
    pkl = PROTO + G("torch._tensor", "_rebuild_from_type_v2") + tup(
        od, G("torch", "Tensor"), b")", b"}") + b"R" + STOP
    with pytest.raises(pickle.UnpicklingError, match="may only call torch's tensor rebuild"):
        load(archive(pkl))
    inner = rebuild(storage_pid())
    pkl = PROTO + G("torch._tensor", "_rebuild_from_type_v2") + tup(
        G("torch._utils", "_rebuild_tensor_v2"), od, inner[len(G("torch._utils",
                                                                   "_rebuild_tensor_v2")):-1],
        b"}") + b"R" + STOP
    with pytest.raises(CLEAR):
        load(archive(pkl, {"data/0": b"\x00" * 16}))


@pytest.mark.parametrize("key", ["__class__", "data", "_storage_missing", "__dict__"])
def test_tensor_state_cannot_reach_dunders_or_properties(key):
    state = b"}" + U(key) + I(1) + b"s"
    pkl = PROTO + G("torch._utils", "_rebuild_parameter_with_state") + tup(
        rebuild(storage_pid()), b"\x88", G("collections", "OrderedDict") + b")R", state) + \
        b"R" + STOP
    data = archive(pkl, {"data/0": b"\x00" * 16})
    if key.startswith("__") or key == "data":
        with pytest.raises(pickle.UnpicklingError, match="refusing to set"):
            load(data)
    else:  # a plain attribute is just stored
        assert getattr(load(data), key) == 1


@pytest.mark.parametrize("args", [tup(U("x"), U("zlib")), tup(U("x"), U("rot13")),
                                  tup(I(5)), tup(U("x"), U("hex"))])
def test_codecs_encode_only_encodes_text(args):
    pkl = PROTO + G("_codecs", "encode") + args + b"R" + STOP
    with pytest.raises(pickle.UnpicklingError):
        load(archive(pkl))


def test_bytearray_of_a_huge_size_is_refused_without_allocating():
    pkl = PROTO + G("__builtin__", "bytearray") + tup(I(10 ** 12)) + b"R" + STOP
    with pytest.raises(pickle.UnpicklingError, match="bytearray"):
        load(archive(pkl))


@pytest.mark.parametrize("code", [
    b"(" + b"i" + b"os\nsystem\n",  # INST
    b"(" + G("collections", "OrderedDict") + b"o",  # OBJ
    b"\x82\x01",  # EXT1
    b"P1\n",  # PERSID (text)
    b"\x97",  # NEXT_BUFFER
], ids=["INST", "OBJ", "EXT1", "PERSID", "NEXT_BUFFER"])
def test_unsupported_opcodes(code):
    with pytest.raises(pickle.UnpicklingError):
        load(archive(PROTO + code + STOP))


def test_build_only_on_allowed_types():
    pkl = PROTO + G("__builtin__", "set") + tup(b"]") + b"R" + b"}" + U("a") + I(1) + b"s" + \
        b"b" + STOP
    with pytest.raises(pickle.UnpicklingError, match="Can only build"):
        load(archive(pkl))
    pkl = PROTO + G("collections", "OrderedDict") + b")R" + b"}" + U("__class__") + I(1) + \
        b"s" + b"b" + STOP
    with pytest.raises(pickle.UnpicklingError, match="BUILD of an OrderedDict"):
        load(archive(pkl))


def test_persistent_ids_must_be_storages():
    pkl = PROTO + tup(U("module"), U("x")) + b"Q" + STOP
    with pytest.raises(pickle.UnpicklingError, match="Only persistent_load of storage"):
        load(archive(pkl))
    pkl = PROTO + tup(U("storage"), G("collections", "OrderedDict"), U("0"), U("cpu"), I(1)) + \
        b"Q" + STOP
    with pytest.raises(pickle.UnpicklingError, match="not a storage type"):
        load(archive(pkl, {"data/0": b"\0\0\0\0"}))
    pkl = PROTO + I(5) + b"Q" + STOP
    with pytest.raises(pickle.UnpicklingError, match="must be a tuple"):
        load(archive(pkl))


# ---------------------------------------------------------------- storages and tensors


@pytest.mark.parametrize("kw,match", [
    ({"numel": -1}, "negative size"),
    ({"numel": 10 ** 15}, "record data/0 holds 16 bytes"),
    ({"numel": 5}, "record data/0 holds 16 bytes"),
    ({"record_bytes": 12}, "record data/0 holds 12 bytes"),
    ({"offset": 1}, "out of bounds"),
    ({"offset": -1}, "negative"),
    ({"size": (5,)}, "out of bounds"),
    ({"size": (2,), "stride": (4,)}, "out of bounds"),
    ({"size": (2, 2), "stride": (2,)}, "different lengths"),
    ({"size": (-2,)}, "negative"),
    ({"stride": (-1,)}, "negative strides"),
    ({"size": (2 ** 40, 2 ** 40), "stride": (0, 0)}, "more than 2\\*\\*63"),
    ({"key": "../../etc/passwd"}, "bad storage key"),
    ({"key": "1"}, "failed locating file data/1"),
    ({"stype": ("torch", "QInt8Storage")}, "does not support"),
    ({"stype": ("torch", "UInt16Storage")}, "not an allowed global"),
    ({"location": "mps"}, "don't know how to restore"),
])
def test_bad_storages_and_layouts(kw, match):
    with pytest.raises(CLEAR, match=match):
        load(tensor_file(**kw))


def test_huge_expanded_tensor_is_a_lazy_view():
    t = load(tensor_file(size=(2 ** 30, 2 ** 20), stride=(0, 0), numel=4))
    assert t.shape == (2 ** 30, 2 ** 20) and t.stride() == (0, 0)
    assert t._storage.array.size == 4  # nothing was materialised


def test_non_int_sizes():
    pkl = PROTO + rebuild(storage_pid()).replace(tup(I(4)), tup(U("4")), 1) + STOP
    with pytest.raises(RuntimeError, match="must be an int"):
        load(archive(pkl, {"data/0": b"\0" * 16}))


def test_storage_described_twice_differently():
    a = rebuild(storage_pid(numel=4))
    b = rebuild(storage_pid(numel=2))
    pkl = PROTO + tup(a, b) + STOP
    with pytest.raises(RuntimeError, match="described twice"):
        load(archive(pkl, {"data/0": b"\0" * 16}))


def test_requires_grad_on_an_integer_storage():
    pkl = PROTO + rebuild(storage_pid(stype=("torch", "LongStorage")), rg=True) + STOP
    with pytest.raises(RuntimeError, match="floating point"):
        load(archive(pkl, {"data/0": b"\0" * 32}))


# ---------------------------------------------------------------- archives


def good_zip() -> bytes:
    buf = io.BytesIO()
    torch.save(OrderedDict(w=torch.arange(30.0).reshape(5, 6), b=torch.ones(3)), buf)
    return buf.getvalue()


def good_legacy() -> bytes:
    buf = io.BytesIO()
    torch.save(OrderedDict(w=torch.arange(30.0), b=torch.ones(3)), buf,
               _use_new_zipfile_serialization=False)
    return buf.getvalue()


@pytest.mark.parametrize("which", ["zip", "legacy"])
def test_truncated_files(which):
    data = good_zip() if which == "zip" else good_legacy()
    for cut in list(range(1, 200, 7)) + list(range(200, len(data), max(1, len(data) // 60))):
        with pytest.raises(CLEAR):
            load(data[:cut])


def test_corrupted_record_fails_its_crc():
    data = bytearray(good_zip())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("archive/data/0")
    h = info.header_offset
    nlen, xlen = struct.unpack("<HH", data[h + 26:h + 30])
    data[h + 30 + nlen + xlen + 10] ^= 0xFF  # inside storage 0's bytes
    with pytest.raises(RuntimeError, match="CRC|crc"):
        load(bytes(data))


@pytest.mark.parametrize("name", ["archive/../../evil.pkl", "/etc/passwd", "archive\\data.pkl",
                                  "archive/./x/../../y"])
def test_unsafe_zip_paths(name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", PROTO + b"N" + STOP)
        zi = zipfile.ZipInfo(name)
        z.writestr(zi, b"x")
    with pytest.raises(RuntimeError, match="unsafe path"):
        load(buf.getvalue())


def test_duplicate_zip_entries():
    buf = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("archive/data.pkl", PROTO + b"N" + STOP)
            z.writestr("archive/data.pkl", PROTO + b"K\x01" + STOP)
    with pytest.raises(RuntimeError, match="appears twice"):
        load(buf.getvalue())


def test_deflate_bomb_claims_are_refused():
    from torchlike.serialization._zip import ZipReader

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", PROTO + b"N" + STOP)
        z.writestr("archive/data/0", b"\0" * 1000)
    data = bytearray(buf.getvalue())
    # raise the claimed uncompressed size of data/0 in the central directory to ~4 GB
    cd = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFF0)
    reader = ZipReader(io.BytesIO(bytes(data)), len(data))
    with pytest.raises(RuntimeError, match="impossible size"):
        reader.read("data/0")
    # and a checkpoint pointing at it says the sizes disagree before reading anything
    pkl = PROTO + rebuild(storage_pid(numel=1000)) + STOP
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/data/0", b"\0" * 4000)
    data = bytearray(buf.getvalue())
    cd = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFF0)
    with pytest.raises(RuntimeError, match="holds 4294967280 bytes"):
        load(bytes(data))
    # an honest deflated checkpoint loads (torch's reader accepts compressed records too)
    with zipfile.ZipFile(buf := io.BytesIO(), "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/data/0", b"\0" * 4000)
    assert load(buf.getvalue()).shape == (4,)


def test_archives_that_are_not_checkpoints():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/other.txt", b"x")
    with pytest.raises(RuntimeError, match="failed locating file data.pkl"):
        load(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.pkl", PROTO + b"N" + STOP)
    with pytest.raises(RuntimeError, match="not inside an archive folder"):
        load(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m/data.pkl", PROTO + b"N" + STOP)
        z.writestr("m/constants.pkl", PROTO + b"N" + STOP)
    with pytest.raises(RuntimeError, match="TorchScript"):
        load(buf.getvalue())
    with pytest.raises(RuntimeError, match="failed finding central directory"):
        load(b"PK\x03\x04" + b"\0" * 100)


@pytest.mark.parametrize("data,match", [
    (b"hello world", "Invalid magic number"),
    (b"\x80\x02\x8a\x0a" + b"\0" * 10 + b".", "Invalid magic number"),
    (pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(999, protocol=2),
     "Invalid protocol version: 999"),
    (b"\0" * 257 + b"ustar" + b"\0" * 300, "tar"),
    (b"\xff" * 64, "Invalid magic number"),
])
def test_wrong_magic(data, match):
    with pytest.raises(RuntimeError, match=match):
        load(data)


def test_legacy_storage_records_must_match():
    pkl = PROTO + rebuild(tup(U("storage"), G("torch", "FloatStorage"), U("k"), U("cpu"), I(4),
                              b"N") + b"Q") + STOP
    with pytest.raises(RuntimeError, match="wrong size"):
        load(legacy(pkl, ["k"], [(5, b"\0" * 20)]))
    with pytest.raises(RuntimeError, match="truncated"):
        load(legacy(pkl, ["k"], [(4, b"\0" * 8)]))
    with pytest.raises(RuntimeError, match="not used by the pickle"):
        load(legacy(pkl, ["k", "z"], [(4, b"\0" * 16)]))
    with pytest.raises(RuntimeError, match="have no data"):
        load(legacy(pkl, [], []))
    assert load(legacy(pkl, ["k"], [(4, b"\0" * 16)])).shape == (4,)


# ---------------------------------------------------------------- pickle bombs


def test_deep_nesting_does_not_crash():
    depth = 200_000
    pkl = PROTO + b"]" * depth + b"a" * (depth - 1) + STOP
    out = load(archive(pkl))
    assert isinstance(out, list)
    del out


def test_billion_laughs_is_linear():
    # 30 levels of 10 references to the previous level: 10**30 leaves, 300 references
    pkl = PROTO + U("lol") + b"q\x00"
    for i in range(30):
        pkl += b"(" + (b"h" + bytes([i])) * 10 + b"lq" + bytes([i + 1])
    pkl += STOP
    out = load(archive(pkl))
    assert len(out) == 10


@pytest.mark.parametrize("pkl", [
    PROTO + b"X\xff\xff\xff\x7f" + b"abc" + STOP,  # BINUNICODE claims 2 GB
    PROTO + b"\x8e" + struct.pack("<Q", 2 ** 62) + b"ab" + STOP,  # BINBYTES8 claims 4 EB
    PROTO + b"\x8b" + struct.pack("<i", 2 ** 31 - 1) + STOP,  # LONG4
    PROTO + b"\x95" + struct.pack("<Q", 2 ** 40) + b"N" + STOP,  # FRAME
    PROTO + b"L" + b"9" * 100_000 + b"L\n" + STOP,  # a 100k-digit int
    PROTO + b"h\x07" + STOP,  # BINGET of nothing
    PROTO + b"(" + STOP,  # unbalanced MARK
    PROTO + STOP,  # empty stack
    PROTO + b"a" + STOP,  # APPEND on nothing
    PROTO + b"N]" + b"s" + STOP,  # SETITEM on a list
    PROTO + b"NN}" + b"u" + STOP,  # SETITEMS without MARK
    PROTO + b"\x94" + STOP,  # MEMOIZE on empty stack
    PROTO + b"N",  # no STOP
    b"\x80\x09N.",  # protocol 9
], ids=["binunicode", "binbytes8", "long4", "frame", "longtext", "binget", "mark", "empty",
        "append", "setitem", "setitems", "memoize", "nostop", "proto9"])
def test_malformed_pickles(pkl):
    with pytest.raises(pickle.UnpicklingError):
        load(archive(pkl))


def test_hostile_file_in_a_subprocess_does_not_crash_the_interpreter(tmp_path):
    """The deepest bombs run in a child so a crash would show as a signal, not kill pytest."""
    p = tmp_path / "bomb.pt"
    p.write_bytes(archive(PROTO + b"(" * 500_000 + b"N" + b"t" * 500_000 + STOP))
    code = (f"import torchlike, pickle\n"
            f"try:\n    torchlike.load({str(p)!r})\nexcept pickle.UnpicklingError:\n    pass\n"
            f"print('ok')")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "JAX_PLATFORMS": "cpu"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


# ---------------------------------------------------------------- fuzzing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_checkpoints_fail_clearly(data):
    base = bytearray(data.draw(st.sampled_from([good_zip(), good_legacy()])))
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(base) - 1))
        base[i] = data.draw(st.integers(0, 255))
    try:
        load(bytes(base))
    except CLEAR:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_random_pickles_fail_clearly(blob):
    try:
        load(archive(PROTO + blob + STOP))
    except CLEAR:
        pass


def _good_parts():
    z = zipfile.ZipFile(io.BytesIO(good_zip()))
    return z.read("archive/data.pkl"), {n[len("archive/"):]: z.read(n) for n in z.namelist()
                                         if "/data/" in n}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_pickles_in_valid_archives_fail_clearly(data):
    """Mutations of data.pkl inside an archive with correct CRCs reach the unpickler itself."""
    pkl, records = _good_parts()
    pkl = bytearray(pkl)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(2, len(pkl) - 1))
        if data.draw(st.booleans()):
            pkl[i] = data.draw(st.integers(0, 255))
        else:
            del pkl[i]
    try:
        load(archive(bytes(pkl), records))
    except CLEAR:
        pass
