"""torch.save / torch.load: the writer, the reader's entry points and checkpoint inspection."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import random
import struct
import sys
from collections import OrderedDict
from pickle import UnpicklingError
from typing import Any

import jax
import numpy as np

from .._core import dtypes as _dt
from .._core import views as _views
from .._core.device import device as _device
from .._core.device import from_jax as _from_jax
from .._core.tensor import Size, Tensor
from . import _pickle as _sp
from ._restore import (
    _STORAGE_NAMES,
    _Loader,
)
from ._zip import ZipReader, ZipWriter

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_ZIP_MAGIC = b"PK\x03\x04"

UNSAFE_MESSAGE = (
    "Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can "
    "result in arbitrary code execution. Do it only if you got the file from a trusted source.")

_G_V2 = _sp.TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_G_PARAM = _sp.TorchGlobal("torch._utils", "_rebuild_parameter")
_G_PARAM_STATE = _sp.TorchGlobal("torch._utils", "_rebuild_parameter_with_state")
_G_FROM_TYPE = _sp.TorchGlobal("torch._tensor", "_rebuild_from_type_v2")
_G_SIZE = _sp.TorchGlobal("torch", "Size")
_G_DEVICE = _sp.TorchGlobal("torch", "device")
_G_STORAGE = {d: _sp.TorchGlobal("torch", n) for d, n in _STORAGE_NAMES.items()}
_G_DTYPE = {d: _sp.TorchGlobal("torch", d.name) for d in _dt.ALL}


# ---------------------------------------------------------------- save


def _is_path(f) -> bool:
    return isinstance(f, (str, bytes, os.PathLike))


def _location(arr) -> str:
    try:
        d = _from_jax(next(iter(arr.devices())))
    except Exception:  # noqa: BLE001 - anything without a device is host memory
        return "cpu"
    if d.type == "cuda":
        return f"cuda:{d.index or 0}"
    return "cpu"  # tpu and others: torch has no tag for them; the bytes are host bytes anyway


class _StorageToken:
    __slots__ = ("entry",)

    def __init__(self, entry):
        self.entry = entry


class _Saver:
    """Pickling hooks: tensors as torch writes them, one record per torchlike Storage."""

    def __init__(self, legacy: bool):
        self.legacy = legacy
        self.entries: dict = {}  # id(Storage) -> entry
        self.records: list = []  # entries in key order: [key, array, dtype, pid-parts]
        self.keep: list = []

    def _entry(self, arr, dt, ident):
        e = self.entries.get(ident)
        if e is None:
            key = str(len(self.records))
            pid = ("storage", _G_STORAGE[dt], key, _location(arr), int(arr.size))
            if self.legacy:
                pid = pid + (None,)
            e = self.entries[ident] = [key, arr, dt, pid]
            self.records.append(e)
        return e

    def tensor_args(self, t: Tensor):
        box = t._storage
        arr = box.array
        if isinstance(arr, jax.core.Tracer):
            raise RuntimeError("torch.save: cannot save a tensor while it is being traced "
                               "(inside torchlike.compile or jax.jit); save after the call")
        dt = t._dtype
        if arr.dtype == dt.np:
            e = self._entry(arr, dt, id(box))
            self.keep.append(box)
            offset, stride = t.storage_offset(), tuple(t.stride())
        else:  # a storage seen through another dtype: write the tensor's own values
            arr = t._data
            e = self._entry(arr, dt, ("own", id(t)))
            self.keep.append(t)
            offset, stride = 0, _views.contiguous_strides(arr.shape)
        return (_StorageToken(e), offset, tuple(t.shape), stride, t._requires_grad,
                OrderedDict())

    def pid(self, obj):
        if type(obj) is _StorageToken:
            p = obj.entry[3]
            return tuple(p)  # a fresh tuple each time, with memoized parts, as torch writes
        return None

    def reduce(self, obj):
        if isinstance(obj, Tensor):
            state = _tensor_state(obj)
            if obj._is_param:
                data = obj.data
                if state:
                    return (_G_PARAM_STATE, (data, obj._requires_grad, OrderedDict(), state))
                return (_G_PARAM, (data, obj._requires_grad, OrderedDict()))
            args = self.tensor_args(obj)
            if type(obj) is Tensor and not state:
                return (_G_V2, args)
            cls = type(obj)
            return (_G_FROM_TYPE, (_G_V2, _G_TENSOR if cls is Tensor else cls, args, state))
        t = type(obj)
        if t is Size:
            return (_G_SIZE, (tuple(obj),))
        if t is _device:
            return (_G_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented


_G_TENSOR = _sp.TorchGlobal("torch", "Tensor")


def _tensor_state(t: Tensor):
    """A tensor's user attributes (``t.foo = 1``), as torch pickles a tensor's ``__dict__``;
    torchlike's own bookkeeping fields all start with an underscore and are not saved."""
    d = t.__dict__
    if not d:
        return None
    state = {k: v for k, v in d.items() if not k.startswith("_")}
    return state or None


def _raw_bytes(arr, little: bool = False):
    """A storage array's bytes (native order, or little-endian when ``little``)."""
    a = np.ascontiguousarray(np.asarray(arr)).reshape(-1)
    if little and sys.byteorder == "big" and a.dtype.itemsize > 1:
        a = a.byteswap()
    return a.view(np.uint8)


def _check_pickle_module(pickle_module) -> None:
    if pickle_module is not pickle:
        raise ValueError("torchlike.save writes torch's format with its own pickler and supports "
                         "only pickle_module=pickle")


def _serialization_id() -> str:
    return "".join(random.choice("0123456789") for _ in range(40))


def _save_zip(obj, fp, archive: str, protocol: int, disable_byteorder: bool) -> None:
    saver = _Saver(legacy=False)
    buf = io.BytesIO()
    _sp.TorchPickler(buf, protocol, saver.reduce, saver.pid,
                     {_dt.dtype: lambda d: _G_DTYPE[d]}).dump(obj)
    w = ZipWriter(fp, archive)
    w.write_record("data.pkl", buf.getvalue())
    w.write_record(".format_version", b"1")
    w.write_record(".storage_alignment", b"64")
    if not disable_byteorder:
        w.write_record("byteorder", sys.byteorder)
    for key, arr, _dtype, _pid in saver.records:
        w.write_record(f"data/{key}", _raw_bytes(arr))
    w.write_record("version", b"3\n")
    w.write_record(".data/serialization_id", _serialization_id())
    w.finish()


def _save_legacy(obj, fp, protocol: int) -> None:
    sys_info = {"protocol_version": PROTOCOL_VERSION, "little_endian": True,
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(header, fp, protocol=protocol)
    saver = _Saver(legacy=True)
    _sp.TorchPickler(fp, protocol, saver.reduce, saver.pid,
                     {_dt.dtype: lambda d: _G_DTYPE[d]}).dump(obj)
    keys = sorted(e[0] for e in saver.records)
    pickle.dump(keys, fp, protocol=protocol)
    by_key = {e[0]: e for e in saver.records}
    for key in keys:
        arr = by_key[key][1]
        fp.write(struct.pack("<q", int(arr.size)))  # torch writes the numel little-endian
        fp.write(_raw_bytes(arr, little=True))


def save(obj: object, f, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """torch.save: write ``obj`` in torch's checkpoint format.

    ``f`` is a path (``str``/``os.PathLike``) or a writable file-like object.  Saving to a path
    is atomic: the file is written beside the target and renamed over it, so a save that dies
    half-way leaves the previous checkpoint intact.
    """
    _check_pickle_module(pickle_module)

    def write(fp, archive):
        if _use_new_zipfile_serialization:
            _save_zip(obj, fp, archive, pickle_protocol, _disable_byteorder_record)
        else:
            _save_legacy(obj, fp, pickle_protocol)

    if not _is_path(f):
        if not hasattr(f, "write"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
        write(f, "archive")
        if hasattr(f, "flush"):
            f.flush()
        return
    path = os.fsdecode(os.fspath(f))
    if os.path.islink(path):
        path = os.path.realpath(path)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or parent} does not exist.")
    base = os.path.basename(path)
    archive = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    archive = archive or "archive"
    tmp = None
    for _ in range(100):
        cand = os.path.join(parent, f".{base}.{os.getpid()}.{random.getrandbits(32):08x}.tmp")
        try:
            fd = os.open(cand, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
        except FileExistsError:
            continue
        tmp = cand
        break
    if tmp is None:
        raise RuntimeError(f"torch.save: could not create a temporary file in {parent}")
    try:
        with os.fdopen(fd, "wb") as fp:
            write(fp, archive)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- load


def _unpickle(loader: _Loader, data, pos: int, pickle_module, encoding: str, **kwargs):
    """Unpickle one object from ``data[pos:]``; returns (object, end position)."""
    if loader.weights_only:
        reader = _sp.BufferReader(data, pos)
        up = _sp.RestrictedUnpickler(
            reader, find_global=loader.find_restricted, callables=loader.restricted_callables(),
            newobj=loader.restricted_newobj(), build=loader.restricted_build,
            persistent_load=loader.persistent_load, encoding=encoding)
        return up.load(), reader.pos
    bio = io.BytesIO(data)
    bio.seek(pos)
    up = _sp.full_unpickler(pickle_module or pickle, bio, loader.find_full,
                            loader.persistent_load, encoding=encoding, **kwargs)
    return up.load(), bio.tell()


def _weights_only_error(e: UnpicklingError) -> UnpicklingError:
    msg = str(e)
    return UnpicklingError(
        f"Weights only load failed. This file can still be loaded, to do so you have two options, "
        f"do those steps only if you trust the source of the checkpoint. \n\t(1) {UNSAFE_MESSAGE}"
        "\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
        f"steps in the following error message.\n\tWeightsUnpickler error: {msg}")


def _load_zip(reader: ZipReader, map_location, weights_only, pickle_module, encoding, kwargs):
    if reader.has("constants.pkl"):
        raise RuntimeError("torchlike.load cannot load TorchScript archives (torch.jit.save)")
    byteorder = "little"
    if reader.has("byteorder"):
        b = bytes(reader.read("byteorder"))
        if b not in (b"little", b"big"):
            raise ValueError("Unknown endianness type: " + b.decode("ascii", "replace"))
        byteorder = b.decode()
    data = bytes(reader.read("data.pkl"))
    loader = _Loader(map_location, weights_only, legacy=False, reader=reader,
                     byteorder=byteorder)
    try:
        obj, _ = _unpickle(loader, data, 0, pickle_module, encoding, **kwargs)
        loader.finish()
    finally:
        loader.close()
    return obj


def _load_legacy(data, map_location, weights_only, pickle_module, encoding, kwargs):
    if len(data) > 262 and data[257:262] == b"ustar":
        msg = "torchlike.load does not support the pre-0.4 tar checkpoint format"
        if weights_only:
            msg = ("Cannot use ``weights_only=True`` with files saved in the legacy .tar format. "
                   + UNSAFE_MESSAGE + " (" + msg + ")")
        raise RuntimeError(msg)
    reader = _sp.BufferReader(data)
    try:
        magic = _sp.read_simple(reader)
    except (UnpicklingError, RuntimeError):
        magic = None
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = _sp.read_simple(reader)
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    _sp.read_simple(reader)  # sys_info: storages are always little-endian in this format
    loader = _Loader(map_location, weights_only, legacy=True)
    try:
        return _load_legacy_body(loader, data, reader, pickle_module, encoding, kwargs)
    finally:
        loader.close()


def _load_legacy_body(loader, data, reader, pickle_module, encoding, kwargs):
    obj, pos = _unpickle(loader, data, reader.pos, pickle_module, encoding, **kwargs)
    reader.pos = pos
    keys = _sp.read_simple(reader)
    if not isinstance(keys, list):
        raise RuntimeError("invalid checkpoint: the storage key list is missing")
    for key in keys:
        if isinstance(key, bytes):
            key = key.decode("ascii")
        ref = loader.storages.get(key)
        if ref is None:
            raise RuntimeError(f"invalid checkpoint: storage key {key!r} is not used by the "
                               "pickle")
        if ref.flat is not None:
            raise RuntimeError(f"invalid checkpoint: storage {key!r} appears twice")
        (numel,) = struct.unpack("<q", reader.read(8)) if reader.remaining() >= 8 else (None,)
        if numel is None:
            raise RuntimeError("invalid checkpoint: the file is truncated (storage data missing)")
        if numel != ref.numel:
            raise RuntimeError(f"storage has wrong size: expected {ref.numel} got {numel}")
        nbytes = numel * ref.dtype.itemsize
        if nbytes > reader.remaining():
            raise RuntimeError(f"invalid checkpoint: the file is truncated (storage {key} needs "
                               f"{nbytes} bytes, {reader.remaining()} are left)")
        p = reader.pos
        loader.set_raw(ref, memoryview(data)[p:p + nbytes])
        reader.pos = p + nbytes
    missing = [k for k, r in loader.storages.items() if r.flat is None]
    if missing:
        raise RuntimeError(f"invalid checkpoint: storages {missing} have no data")
    loader.finish()
    return obj


def load(f, map_location=None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """torch.load: read a checkpoint written by ``torch.save`` (zip or legacy format).

    ``weights_only`` defaults to True (False when a ``pickle_module`` is given, as in torch):
    only tensors, state_dicts and plain containers/values load, anything else raises
    ``pickle.UnpicklingError``.  ``map_location``: a device string, ``torchlike.device``, a
    dict mapping location tags, or ``callable(storage, location)``.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    truthy = ("1", "y", "yes", "true")
    force_on = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in truthy
    force_off = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in truthy
    if force_on and force_off:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
                           "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set.")
    if force_on:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    extra = {} if weights_only else pickle_load_args

    if _is_path(f) and os.fsdecode(os.fspath(f)).endswith(".safetensors"):
        from ..utils import safetensors as _st

        if isinstance(map_location, dict) or callable(map_location):
            raise RuntimeError("Loading safetensors file with dict or callable map_location is "
                               "not supported. Use a device string or torch.device instead.")
        return _st.load_file(os.fspath(f), device=str(map_location or "cpu"))

    if map_location is not None and not isinstance(map_location, (str, bytes, dict, _device)) \
            and not callable(map_location):
        raise TypeError("map_location should be a string, a torch.device, a dict or a callable, "
                        f"got {type(map_location).__name__}")
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")

    with contextlib.ExitStack() as stack:
        if _is_path(f):
            fp = stack.enter_context(open(f, "rb"))
        else:
            if not hasattr(f, "read"):
                raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
            fp = f
        head = fp.read(4)
        if not head:
            raise EOFError("Ran out of input")
        is_zip = head == _ZIP_MAGIC
        try:
            if is_zip:
                if _is_path(f):
                    fp.seek(0, os.SEEK_END)
                    size = fp.tell()
                    fp.seek(0)
                    mm = None
                    if mmap and size:
                        import mmap as _mmap

                        mm = _mmap.mmap(fp.fileno(), 0, access=_mmap.ACCESS_READ)
                        stack.callback(_close_quietly, mm)
                    reader = ZipReader(fp, size, mm)
                else:
                    blob = head + fp.read()
                    reader = ZipReader(io.BytesIO(blob), len(blob))
                try:
                    return _load_zip(reader, map_location, weights_only, pickle_module, encoding,
                                     extra)
                finally:
                    reader.close()
            if mmap:
                name = f"{os.fspath(f)}, " if _is_path(f) else ""
                raise RuntimeError("mmap can only be used with files saved with "
                                   f"`torch.save({name}_use_new_zipfile_serialization=True), "
                                   "please torch.save your checkpoint with this option in order "
                                   "to use mmap.")
            data = head + fp.read()
            return _load_legacy(data, map_location, weights_only, pickle_module, encoding, extra)
        except UnpicklingError as e:
            if weights_only:
                raise _weights_only_error(e) from None
            raise


def _close_quietly(mm) -> None:
    try:
        mm.close()
    except BufferError:  # something (an exception's traceback) still views it: GC unmaps it
        pass


def get_unsafe_globals_in_checkpoint(f) -> list:
    """torch.serialization.get_unsafe_globals_in_checkpoint: the globals a ``weights_only``
    load of ``f`` would refuse (read by scanning opcodes; nothing is unpickled)."""
    import pickletools

    with contextlib.ExitStack() as stack:
        fp = stack.enter_context(open(f, "rb")) if _is_path(f) else f
        blob = fp.read()
    if blob[:4] == _ZIP_MAGIC:
        reader = ZipReader(io.BytesIO(blob), len(blob))
        streams, count = io.BytesIO(bytes(reader.read("data.pkl"))), 1
    else:  # legacy: magic number, protocol version, sys info, then the object
        streams, count = io.BytesIO(blob), 4
    loader = _Loader(None, True, legacy=False)
    found, unsafe = [], []
    strings: list = []
    try:
        for _ in range(count):
            for op, arg, _pos in pickletools.genops(streams):
                if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
                    strings.append(arg)
                if op.name == "GLOBAL":
                    found.append(tuple(arg.split(" ", 1)))
                elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                    found.append((strings[-2], strings[-1]))
                if op.name == "STOP":
                    break
    except Exception:  # noqa: BLE001 - report what was readable
        pass
    for module, name in found:
        try:
            loader.find_restricted(module, name)
        except (UnpicklingError, RuntimeError):
            full = ".".join(_sp.normalize_global(module, name))
            if full not in unsafe:
                unsafe.append(full)
    loader.close()
    return unsafe
