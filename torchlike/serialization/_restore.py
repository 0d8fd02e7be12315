"""Loading machinery for torchlike.serialization: what a checkpoint's names stand for, the
safe-globals registry, storage records, rebuilding tensors (sharing storage as views), and
``map_location``.  Public names are re-exported by ``torchlike.serialization``.
"""

from __future__ import annotations

import math
import sys
from collections import OrderedDict
from pickle import UnpicklingError

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import views as _views
from .._core.device import device as _device
from .._core.device import to_jax as _to_jax
from .._core.storage import Storage
from .._core.tensor import Size, Tensor
from . import _pickle as _sp

# ---------------------------------------------------------------- torch's names

_STORAGE_NAMES = {
    _dt.float64: "DoubleStorage", _dt.float32: "FloatStorage", _dt.float16: "HalfStorage",
    _dt.bfloat16: "BFloat16Storage", _dt.complex128: "ComplexDoubleStorage",
    _dt.complex64: "ComplexFloatStorage", _dt.int64: "LongStorage", _dt.int32: "IntStorage",
    _dt.int16: "ShortStorage", _dt.int8: "CharStorage", _dt.uint8: "ByteStorage",
    _dt.bool: "BoolStorage",
}
# torch dtypes (and storages) torchlike has no counterpart for: named in a clear error.
_MISSING_DTYPES = ("uint16", "uint32", "uint64", "complex32", "float8_e5m2", "float8_e4m3fn",
                   "float8_e5m2fnuz", "float8_e4m3fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2",
                   "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2", "qint8", "qint32",
                   "quint8", "quint4x2", "quint2x4", "int1", "int2", "int3", "int4", "int5",
                   "int6", "int7", "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7")
_MISSING_STORAGES = ("QInt8Storage", "QInt32Storage", "QUInt8Storage", "QUInt4x2Storage",
                     "QUInt2x4Storage")
_DTYPE_ALIASES = {"half": "float16", "float": "float32", "double": "float64",
                  "cfloat": "complex64", "cdouble": "complex128", "short": "int16",
                  "int": "int32", "long": "int64"}


class StorageType:
    """What a file's ``torch.FloatStorage`` (etc.) global stands for: a dtype."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype):
        self.name = name
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"StorageType(dtype={self.dtype})"


_STORAGE_TYPES = {name: StorageType(name, d) for d, name in _STORAGE_NAMES.items()}
_UNTYPED = StorageType("UntypedStorage", _dt.uint8)

def _parameter_class():
    from ..nn import Parameter

    return Parameter


# ---------------------------------------------------------------- safe globals

_user_safe_globals: set = set()


def add_safe_globals(safe_globals: list) -> None:
    """torch.serialization.add_safe_globals: allow these (or ``(obj, "module.name")``) in
    ``weights_only`` loads."""
    global _user_safe_globals
    _user_safe_globals = _user_safe_globals | set(safe_globals)


def get_safe_globals() -> list:
    """torch.serialization.get_safe_globals."""
    return list(_user_safe_globals)


def clear_safe_globals() -> None:
    """torch.serialization.clear_safe_globals."""
    global _user_safe_globals
    _user_safe_globals = set()


def _remove_safe_globals(globals_to_remove) -> None:
    global _user_safe_globals
    _user_safe_globals = _user_safe_globals - set(globals_to_remove)


class safe_globals:
    """torch.serialization.safe_globals: a context manager adding safe globals for its body."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _remove_safe_globals(self.safe_globals)


def _user_allowed() -> dict:
    rc = {}
    for f in _user_safe_globals:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full path), "
                                 f"but got tuple of length: {len(f)}")
            if type(f[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full path, "
                                f"but got: {type(f[1])}")
            rc[f[1]] = f[0]
        else:
            rc[f"{f.__module__}.{f.__qualname__}"] = f
    return rc


# ---------------------------------------------------------------- load: storages


class _StorageRef:
    """A storage named by the file: its dtype, size, location, raw bytes, and (once the first
    tensor on it is built) the torchlike Storage all its tensors share."""

    __slots__ = ("key", "dtype", "numel", "location", "device", "raw", "flat", "box",
                 "base_shape", "pending", "parent")

    def __init__(self, key, dtype, numel, location):
        self.key, self.dtype, self.numel, self.location = key, dtype, numel, location
        self.device = None
        self.raw = None
        self.flat = None
        self.box = None
        self.base_shape = None
        self.pending = []
        self.parent = None

    def __repr__(self) -> str:
        return f"<storage {self.key!r} of {self.numel} {self.dtype} on {self.location}>"


class _StorageView:
    """A legacy-format view of a storage (offset and size in elements)."""

    __slots__ = ("ref", "offset", "numel")

    def __init__(self, ref, offset, numel):
        self.ref, self.offset, self.numel = ref, offset, numel


class _MapStorage:
    """What a callable ``map_location(storage, location)`` receives: a stand-in for torch's
    CPU storage whose ``cuda()``/``cpu()``/``to()`` say where the data should go."""

    def __init__(self, ref, dev=None):
        self._ref = ref
        self._dev = dev

    @property
    def device(self):
        return self._dev if self._dev is not None else _device("cpu")

    @property
    def dtype(self):
        return self._ref.dtype

    def nbytes(self) -> int:
        return self._ref.numel * self._ref.dtype.itemsize

    def size(self) -> int:
        return self._ref.numel

    def cpu(self):
        return _MapStorage(self._ref, _device("cpu"))

    def cuda(self, device=None, non_blocking=False):
        if isinstance(device, int) or device is None:
            return _MapStorage(self._ref, _device("cuda", device or 0))
        return _MapStorage(self._ref, _device(device))

    def to(self, device=None, *args, **kwargs):
        return _MapStorage(self._ref, _device(device))


_CUDA_MISSING = ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                 "is False. If you are running on a CPU-only machine, please use torch.load with "
                 "map_location=torch.device('cpu') to map your storages to the CPU.")


def _have(platform: str) -> bool:
    try:
        return bool(jax.devices(platform))
    except RuntimeError:
        return False


def _explicit_device(d):
    d = d if isinstance(d, _device) else _device(d.decode() if isinstance(d, bytes) else d)
    if d.type == "cuda" and not _have("gpu"):
        raise RuntimeError(_CUDA_MISSING)
    if d.type not in ("cpu", "meta"):
        _to_jax(d)  # validates the index
    return _device("cpu") if d.type == "meta" else d


def _default_restore(location):
    """torch's default_restore_location: 'cpu' keeps torchlike's default placement."""
    if isinstance(location, _device):
        location = str(location)
    if not isinstance(location, str):
        raise RuntimeError(f"don't know how to restore data location of a storage (tagged with "
                           f"{location!r})")
    if location == "cpu":
        return None
    if location == "cuda" or location.startswith("cuda:") or location.startswith("tpu") or \
            location == "meta":
        return _explicit_device(location)
    raise RuntimeError("don't know how to restore data location of torch.storage.UntypedStorage "
                       f"(tagged with {location})")


def _flat_array(ref, raw, byteorder: str):
    """The storage's values as a flat native-order numpy array (viewing ``raw`` if it can)."""
    dt, n = ref.dtype, ref.numel
    if dt is _dt.bool:
        return np.frombuffer(raw, dtype=np.uint8, count=n) != 0
    if byteorder == sys.byteorder or dt.itemsize == 1:
        return np.frombuffer(raw, dtype=dt.np, count=n)
    order = ">" if byteorder == "big" else "<"
    if dt is _dt.bfloat16:
        return np.frombuffer(raw, dtype=order + "u2", count=n).astype(np.uint16).view(dt.np)
    return np.frombuffer(raw, dtype=dt.np.newbyteorder(order), count=n).astype(dt.np)


# ---------------------------------------------------------------- load: the context


def _contiguous(size, stride) -> bool:
    return tuple(stride) == _views.contiguous_strides(size)


def _as_int(x, what: str) -> int:
    if type(x) is bool or not isinstance(x, (int, np.integer)):
        raise RuntimeError(f"invalid checkpoint: {what} must be an int, got {type(x).__name__}")
    return int(x)


def _as_ints(xs, what: str) -> tuple:
    if not isinstance(xs, (tuple, list, Size)):
        raise RuntimeError(f"invalid checkpoint: {what} must be a tuple of ints, got "
                           f"{type(xs).__name__}")
    if len(xs) > 64:
        raise RuntimeError(f"invalid checkpoint: {what} has {len(xs)} dimensions (at most 64)")
    return tuple(_as_int(x, what) for x in xs)


_INT64_MAX = (1 << 63) - 1


def _unsupported(name: str):
    def f(*args, **kwargs):
        raise RuntimeError(f"torchlike.load: this checkpoint holds a tensor rebuilt by "
                           f"torch._utils.{name} (sparse, quantized, nested, meta or wrapper "
                           "subclass tensors), which torchlike does not support")
    f.__name__ = name
    return f


def _get_layout(name):
    if name == "torch.strided":
        return "torch.strided"
    raise RuntimeError(f"torchlike.load: layout {name} is not supported (only torch.strided)")


def _make_size(*args):
    if len(args) != 1:
        raise UnpicklingError("torch.Size takes one tuple")
    return Size(_as_ints(args[0], "torch.Size"))


def _make_device(*args):
    if not 1 <= len(args) <= 2 or not isinstance(args[0], str) or \
            (len(args) == 2 and args[1] is not None and not isinstance(args[1], int)):
        raise UnpicklingError("torch.device takes a type string and an optional index")
    return _device(*args)


class _Loader:
    """One load: storage records, the rebuild functions the pickle calls, and the tensors
    still waiting for their storage's bytes (legacy files put the bytes after the pickle)."""

    def __init__(self, map_location, weights_only: bool, legacy: bool, reader=None,
                 byteorder: str = "little"):
        self.map_location = map_location
        self.weights_only = weights_only
        self.legacy = legacy
        self.reader = reader  # ZipReader or None
        self.byteorder = byteorder
        self.storages: dict = {}
        self.typed: dict = {}
        self.pending_ids: set = set()
        self.deferred: list = []
        self.table = self._torch_table()
        # (bound methods are made afresh on each attribute access: keep the table's objects)
        self.rebuilders = {id(self.table[f"torch._utils.{n}"]) for n in (
            "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
            "_rebuild_parameter_with_state", "_rebuild_device_tensor_from_cpu_tensor",
            "_rebuild_device_tensor_from_numpy")}

    # -- names
    def _torch_table(self) -> dict:
        Parameter = _parameter_class()
        t = {
            "torch._utils._rebuild_tensor": self.rebuild_tensor,
            "torch._utils._rebuild_tensor_v2": self.rebuild_tensor_v2,
            "torch._utils._rebuild_tensor_v3": self.rebuild_tensor_v3,
            "torch._utils._rebuild_parameter": self.rebuild_parameter,
            "torch._utils._rebuild_parameter_with_state": self.rebuild_parameter_with_state,
            "torch._utils._rebuild_device_tensor_from_cpu_tensor":
                self.rebuild_device_tensor_from_cpu_tensor,
            "torch._utils._rebuild_device_tensor_from_numpy": self.rebuild_device_tensor_from_numpy,
            "torch._utils._rebuild_xla_tensor": self.rebuild_device_tensor_from_numpy,
            "torch._tensor._rebuild_from_type_v2": self.rebuild_from_type_v2,
            "torch.Size": _make_size,
            "torch.device": _make_device,
            "torch.Tensor": Tensor,
            "torch.nn.parameter.Parameter": Parameter,
            "torch.serialization._get_layout": _get_layout,
            "torch.UntypedStorage": _UNTYPED,
            "torch.storage.UntypedStorage": _UNTYPED,
        }
        for name in ("_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_nested_tensor",
                     "_rebuild_wrapper_subclass", "_rebuild_meta_tensor_no_storage",
                     "_rebuild_sparse_csr_tensor"):
            t["torch._utils." + name] = _unsupported(name)
        for d in _dt.ALL:
            t["torch." + d.name] = d
        for alias, name in _DTYPE_ALIASES.items():
            t["torch." + alias] = _dt._BY_NAME[name]
        for name, st in _STORAGE_TYPES.items():
            t["torch." + name] = st
            t["torch.cuda." + name] = st
        return t

    def _missing(self, full: str):
        short = full.rsplit(".", 1)[-1]
        if full.startswith("torch.") and (short in _MISSING_DTYPES or short in _MISSING_STORAGES):
            raise RuntimeError(f"torchlike.load: the checkpoint uses {full}, a dtype torchlike "
                               "does not support")

    def find_restricted(self, module: str, name: str):
        module, name = _sp.normalize_global(module, name)
        if module == "torch.tensor":
            module = "torch._tensor"
        full = f"{module}.{name}"
        top = module.split(".", 1)[0]
        if top in _sp.BLOCKED_MODULES or (module == "builtins" and name in _sp.BLOCKED_BUILTINS):
            raise UnpicklingError(f"Trying to load unsupported GLOBAL {full} whose module "
                                  f"{module} is blocked.")
        obj = self.table.get(full)
        if obj is not None:
            return obj
        obj = _sp.PLAIN_GLOBALS.get(full)
        if obj is not None:
            return obj
        self._missing(full)
        user = _user_allowed()
        if full in user:
            return user[full]
        if module == "torch" or module.startswith("torch."):
            alt = "torchlike" + full[len("torch"):]
            if alt in user:
                return user[alt]
        raise UnpicklingError(_sp.refused_global_message(full))

    def find_full(self, module, name, default):
        module, name = _sp.normalize_global(module, name)
        if module == "torch.tensor":
            module = "torch._tensor"
        full = f"{module}.{name}"
        obj = self.table.get(full)
        if obj is not None:
            return obj
        if module == "torch" or module.startswith("torch."):
            self._missing(full)
            return _torchlike_equivalent(module, name)
        return default(module, name)

    def restricted_callables(self) -> set:
        """What REDUCE may call: the rebuild functions and checked constructors (not the Tensor
        or Parameter classes themselves: ``torch.Tensor(n)`` would allocate what the file says)."""
        classes = (Tensor, _parameter_class())
        objs = [o for o in self.table.values() if callable(o) and o not in classes]
        objs += list(_sp.PLAIN_GLOBALS.values()) + list(_user_allowed().values())
        self._keep = objs
        return {id(o) for o in objs}

    def restricted_newobj(self) -> dict:
        Parameter = _parameter_class()
        new = {c: (lambda cls, *a, **k: cls(*a, **k)) for c in _sp.PLAIN_NEWOBJ}
        new[Parameter] = lambda cls, *a, **k: self._new_parameter(*a, **k)
        for obj in _user_allowed().values():
            if isinstance(obj, type):
                new[obj] = lambda cls, *a, **k: cls.__new__(cls, *a, **k)
        return new

    def restricted_build(self, inst, state):
        t = type(inst)
        if t is OrderedDict:
            if not isinstance(state, dict) or not all(isinstance(k, str) and
                                                      not k.startswith("__") for k in state):
                raise UnpicklingError("BUILD of an OrderedDict takes a dict of attribute names")
            inst.__dict__.update(state)
            return
        if isinstance(inst, Tensor):
            if state:
                raise UnpicklingError("BUILD with state on a Tensor is not supported")
            return
        if t in {o for o in _user_allowed().values() if isinstance(o, type)}:
            setstate = getattr(inst, "__setstate__", None)
            if setstate is not None:
                setstate(state)
                return
            slotstate = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slotstate = state
            if state:
                inst.__dict__.update(state)
            if slotstate:
                for k, v in slotstate.items():
                    setattr(inst, k, v)
            return
        raise UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types "
                              f"allowlisted via `add_safe_globals`, but got {t}")

    # -- storages
    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise UnpicklingError(f"persistent_load id must be a tuple, but got "
                                  f"{type(pid).__name__}")
        typename = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if typename == "module" and self.legacy and not self.weights_only and len(pid) >= 2:
            return pid[1]  # legacy whole-module saves name the module class here
        if typename != "storage":
            raise UnpicklingError(f"Only persistent_load of storage is allowed, but got "
                                  f"{typename!r}")
        data = pid[1:]
        if len(data) != (5 if self.legacy else 4):
            raise UnpicklingError(f"malformed storage id of length {len(pid)}")
        stype, key, location, numel = data[:4]
        if not isinstance(stype, StorageType):
            raise UnpicklingError(f"a storage id names {stype!r}, not a storage type")
        if isinstance(key, bytes):
            key = key.decode("ascii")
        if isinstance(location, bytes):
            location = location.decode("ascii")
        if not isinstance(key, str) or not key or "/" in key or key in (".", "..") or \
                len(key) > 256:
            raise RuntimeError(f"invalid checkpoint: bad storage key {key!r}")
        if not isinstance(location, str):
            raise RuntimeError(f"invalid checkpoint: bad storage location {location!r}")
        numel = _as_int(numel, "storage size")
        if numel < 0:
            raise RuntimeError(f"invalid checkpoint: storage {key} has negative size {numel}")
        dt = stype.dtype
        ref = self.storages.get(key)
        if ref is None:
            ref = _StorageRef(key, dt, numel, location)
            ref.device = self._restore(ref)
            if self.reader is not None:
                nbytes = numel * dt.itemsize
                raw = self.reader.read(f"data/{key}", expected=nbytes)
                self.set_raw(ref, raw)
            self.storages[key] = ref
        elif ref.dtype is not dt or ref.numel != numel:
            raise RuntimeError(f"invalid checkpoint: storage {key} is described twice with "
                               "different types or sizes")
        if self.legacy and data[4] is not None:
            vm = data[4]
            if not isinstance(vm, tuple) or len(vm) != 3:
                raise RuntimeError("invalid checkpoint: malformed storage view")
            off, size = _as_int(vm[1], "storage view offset"), _as_int(vm[2], "storage view size")
            if off < 0 or size < 0 or off + size > numel:
                raise RuntimeError("invalid checkpoint: a storage view lies outside its storage")
            return _StorageView(ref, off, size)
        return ref

    def set_raw(self, ref, raw) -> None:
        ref.raw = raw
        ref.flat = _flat_array(ref, raw, self.byteorder)

    def _restore(self, ref):
        ml = self.map_location
        loc = ref.location
        if ml is None:
            return _default_restore(loc)
        if isinstance(ml, dict):
            return _default_restore(ml.get(loc, loc))
        if isinstance(ml, (str, bytes, _device)):
            return _explicit_device(ml)
        if callable(ml):
            res = ml(_MapStorage(ref), loc)
            if res is None:
                return _default_restore(loc)
            if isinstance(res, _MapStorage):
                return None if res._dev is None else _explicit_device(res._dev)
            err = TypeError("map_location callable must return None or the storage it was "
                            "given (optionally moved with .cpu()/.cuda()/.to()), got "
                            f"{type(res).__name__}")
            err.user_error = True
            raise err
        raise TypeError("map_location should be a string, a torch.device, a dict or a callable, "
                        f"got {type(ml).__name__}")

    def _typed_ref(self, ref, dt):
        """The storage ``ref`` (bytes) read as dtype ``dt`` (``_rebuild_tensor_v3``)."""
        if ref.dtype is dt:
            return ref
        key = (ref.key, dt.name)
        r = self.typed.get(key)
        if r is None:
            nbytes = ref.numel * ref.dtype.itemsize
            if nbytes % dt.itemsize:
                raise RuntimeError(f"invalid checkpoint: a storage of {nbytes} bytes cannot hold "
                                   f"{dt} elements")
            r = _StorageRef(f"{ref.key}:{dt.name}", dt, nbytes // dt.itemsize, ref.location)
            r.device = ref.device
            r.parent = ref
            if ref.raw is not None:
                self.set_raw(r, ref.raw)
            self.typed[key] = r
        return r

    # -- tensors
    def _tensor(self, cls, storage, storage_offset, size, stride, requires_grad, metadata,
                dtype=None):
        extra, limit = 0, None
        if isinstance(storage, _StorageView):
            extra, limit = storage.offset, storage.offset + storage.numel
            storage = storage.ref
        if not isinstance(storage, _StorageRef):
            raise RuntimeError(f"invalid checkpoint: a tensor is rebuilt from "
                               f"{type(storage).__name__}, not a storage")
        if dtype is not None:
            if not isinstance(dtype, _dt.dtype):
                raise RuntimeError("invalid checkpoint: _rebuild_tensor_v3 needs a dtype")
            storage = self._typed_ref(storage, dtype)
        offset = _as_int(storage_offset, "storage_offset") + extra
        size = _as_ints(size, "size")
        stride = _as_ints(stride, "stride")
        if len(size) != len(stride):
            raise RuntimeError(f"invalid checkpoint: size {list(size)} and stride {list(stride)} "
                               "have different lengths")
        if offset < 0 or any(s < 0 for s in size):
            raise RuntimeError(f"invalid checkpoint: negative size {list(size)} or storage offset "
                               f"{offset}")
        if any(s < 0 for s in stride):
            raise RuntimeError(f"invalid checkpoint: negative strides {list(stride)} are not "
                               "supported")
        numel = math.prod(size)
        if numel > _INT64_MAX:
            raise RuntimeError(f"invalid checkpoint: a tensor of size {list(size)} has more than "
                               "2**63 elements")
        bound = storage.numel if limit is None else limit
        if numel:
            need = offset + sum((s - 1) * st for s, st in zip(size, stride, strict=True)) + 1
            if need > bound:
                raise RuntimeError(
                    f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                    f"{offset}, and itemsize {storage.dtype.itemsize} requiring a storage size of "
                    f"{need * storage.dtype.itemsize} are out of bounds for storage of size "
                    f"{storage.numel * storage.dtype.itemsize}")
        if type(requires_grad) is not bool:
            raise RuntimeError("invalid checkpoint: requires_grad must be a bool")
        dt = storage.dtype
        if requires_grad and not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        conj = neg = False
        if metadata:
            if not isinstance(metadata, dict):
                raise RuntimeError("invalid checkpoint: tensor metadata must be a dict")
            conj, neg = bool(metadata.get("conj", False)), bool(metadata.get("neg", False))
        obj = object.__new__(cls)
        obj._storage = None
        obj._view = None
        obj._dtype = dt
        obj._requires_grad = requires_grad
        obj.grad_fn = None
        spec = (obj, offset, size, stride, conj, neg)
        if storage.flat is not None:
            self._fill(storage, spec)
        else:
            storage.pending.append(spec)
            self.pending_ids.add(id(obj))
        return obj

    def rebuild_tensor(self, storage, storage_offset, size, stride):
        return self._tensor(Tensor, storage, storage_offset, size, stride, False, None)

    def rebuild_tensor_v2(self, storage, storage_offset, size, stride, requires_grad=False,
                          backward_hooks=None, metadata=None):
        return self._tensor(Tensor, storage, storage_offset, size, stride, requires_grad,
                            metadata)

    def rebuild_tensor_v3(self, storage, storage_offset, size, stride, requires_grad,
                          backward_hooks, dtype, metadata=None):
        return self._tensor(Tensor, storage, storage_offset, size, stride, requires_grad,
                            metadata, dtype=dtype)

    def _after(self, deps, fn) -> None:
        """Run ``fn`` now, or after the tensors in ``deps`` get their storage."""
        if any(id(d) in self.pending_ids for d in deps):
            self.deferred.append(fn)
        else:
            fn()

    def _derived(self, cls, src: Tensor, requires_grad, finish=None):
        """A new object of ``cls`` sharing ``src``'s storage, made now or once src is filled."""
        if not isinstance(src, Tensor):
            raise RuntimeError(f"invalid checkpoint: expected a tensor, got {type(src).__name__}")
        if type(requires_grad) is not bool:
            raise RuntimeError("invalid checkpoint: requires_grad must be a bool")
        if requires_grad and not (src._dtype.is_floating_point or src._dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        obj = object.__new__(cls)
        obj._storage, obj._view, obj._dtype = None, None, src._dtype
        obj._requires_grad = requires_grad
        obj.grad_fn = None
        pending = id(src) in self.pending_ids
        if pending:
            self.pending_ids.add(id(obj))

        def fill():
            obj._storage, obj._view, obj._dtype = src._storage, src._view, src._dtype
            if finish is not None:
                finish(obj)
            self.pending_ids.discard(id(obj))

        self._after([src], fill)
        return obj

    def _new_parameter(self, data=None, requires_grad=True):
        if data is None:
            from .._ops.creation import empty

            data = empty(0)
        return self._derived(_parameter_class(), data, bool(requires_grad))

    def rebuild_parameter(self, data, requires_grad, backward_hooks=None):
        return self._derived(_parameter_class(), data, requires_grad)

    def rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        return self._derived(_parameter_class(), data, requires_grad,
                             finish=lambda p: self._set_state(p, state))

    def rebuild_from_type_v2(self, func, new_type, args, state):
        if id(func) not in self.rebuilders:
            raise UnpicklingError(f"_rebuild_from_type_v2 may only call torch's tensor rebuild "
                                  f"functions, got {func!r}")
        if not isinstance(args, tuple):
            raise UnpicklingError("_rebuild_from_type_v2 arguments must be a tuple")
        ret = func(*args)
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise UnpicklingError(f"_rebuild_from_type_v2 can only make tensors, got {new_type!r}")
        if type(ret) is new_type:
            if state:
                self._after([ret], lambda: self._set_state(ret, state))
            return ret
        return self._derived(new_type, ret, ret._requires_grad,
                             finish=(lambda o: self._set_state(o, state)) if state else None)

    def _set_state(self, obj, state) -> None:
        if isinstance(state, tuple):
            if len(state) != 2:
                raise RuntimeError(f"Invalid serialized state: {state}")
            items = [state[0] or {}, state[1] or {}]
        else:
            items = [state or {}]
        for part in items:
            if not isinstance(part, dict):
                raise RuntimeError("invalid checkpoint: tensor state must be a dict")
            for k, v in part.items():
                if not isinstance(k, str) or k.startswith("__"):
                    raise UnpicklingError(f"refusing to set attribute {k!r} of a tensor")
                descr = getattr(type(obj), k, None)
                if hasattr(descr, "__set__"):
                    if self.weights_only:
                        raise UnpicklingError(f"refusing to set tensor property {k!r} from a "
                                              "weights_only checkpoint")
                    setattr(obj, k, v)
                else:
                    obj.__dict__[k] = v

    def rebuild_device_tensor_from_cpu_tensor(self, data, dtype, device, requires_grad):
        return self._moved(data, dtype, device, requires_grad)

    def rebuild_device_tensor_from_numpy(self, data, dtype, device, requires_grad):
        if not isinstance(data, np.ndarray):
            raise RuntimeError("invalid checkpoint: expected a numpy array")
        from .._ops.creation import from_numpy

        return self._moved(from_numpy(data), dtype, device, requires_grad)

    def _moved(self, data, dtype, device, requires_grad):
        if not isinstance(dtype, _dt.dtype):
            raise RuntimeError("invalid checkpoint: expected a dtype")
        loc = str(device) if isinstance(device, _device) else device
        fake = _StorageRef("moved", dtype, 0, loc)
        dev = self._restore(fake)

        def finish(obj):
            t = obj.to(dtype)
            if dev is not None:
                t = t.to(dev)
            obj._storage, obj._view, obj._dtype = t._storage, t._view, t._dtype

        return self._derived(Tensor, data, requires_grad, finish=finish)

    # -- materialising
    def _box(self, ref, base_shape) -> Storage:
        if ref.box is None:
            arr = jnp.array(ref.flat.reshape(base_shape), copy=True)
            if ref.device is not None:
                arr = jax.device_put(arr, _to_jax(ref.device))
            ref.box = Storage(arr)
            ref.base_shape = tuple(base_shape)
        return ref.box

    def _fill(self, ref, spec) -> None:
        obj, offset, size, stride, conj, neg = spec
        n = ref.numel
        numel = math.prod(size)
        if numel and not (conj or neg):
            if ref.box is None:
                full = offset == 0 and numel == n and _contiguous(size, stride)
                box = self._box(ref, size if full else (n,))
            else:
                box = ref.box
            if tuple(size) == ref.base_shape and offset == 0 and _contiguous(size, stride):
                obj._storage, obj._view = box, None
                return
            view = _views.build_view(n, ref.base_shape, offset, size, stride)
            if view is not None:
                obj._storage, obj._view = box, view
                return
        # a copy: empty tensors, conj/neg bits, layouts no torchlike view chain expresses
        flat = ref.flat
        nbytes = numel * ref.dtype.itemsize
        if nbytes > max(1 << 30, 16 * flat.nbytes):
            raise RuntimeError(f"torchlike.load: a tensor of size {list(size)} with strides "
                               f"{list(stride)} over a storage of {n} elements would need a "
                               f"{nbytes}-byte copy; refusing")
        if numel:
            item = flat.itemsize
            a = np.lib.stride_tricks.as_strided(flat[offset:], shape=size,
                                                strides=tuple(s * item for s in stride))
            a = np.array(a)
        else:
            a = np.zeros(size, dtype=flat.dtype)
        if conj:
            a = np.conj(a)
        if neg:
            a = -a
        arr = jnp.array(a, copy=True)
        if ref.device is not None:
            arr = jax.device_put(arr, _to_jax(ref.device))
        obj._storage, obj._view = Storage(arr), None

    def finish(self):
        """Build every tensor still waiting for its storage, then everything derived from one."""
        for r in self.typed.values():
            if r.flat is None and r.parent.raw is not None:
                self.set_raw(r, r.parent.raw)
        for ref in list(self.storages.values()) + list(self.typed.values()):
            specs, ref.pending = ref.pending, []
            if not specs:
                continue
            if ref.flat is None:
                raise RuntimeError(f"invalid checkpoint: storage {ref.key} has no data")
            if ref.box is None:
                # the base: a tensor covering its whole storage contiguously, when there is one
                for s in specs:
                    if s[1] == 0 and ref.numel and math.prod(s[2]) == ref.numel and \
                            _contiguous(s[2], s[3]) and not (s[4] or s[5]):
                        self._box(ref, s[2])
                        break
            for s in specs:
                self._fill(ref, s)
                self.pending_ids.discard(id(s[0]))
        for fn in self.deferred:
            fn()
        self.deferred = []

    def close(self) -> None:
        """Drop every reference into the file's bytes (so a mapped file can be unmapped) and
        the reference cycle through the rebuild functions."""
        for ref in list(self.storages.values()) + list(self.typed.values()):
            ref.raw = ref.flat = None
            ref.pending = []
        self.table = {}
        self.deferred = []
        self._keep = []


def _torchlike_equivalent(module: str, name: str):
    """torch.a.b.Name -> torchlike.a.b.Name (or the nearest torchlike namespace holding Name)."""
    import importlib

    parts = module.split(".")
    parts[0] = "torchlike"
    for i in range(len(parts), 0, -1):
        try:
            mod = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        obj = mod
        try:
            for attr in name.split("."):
                obj = getattr(obj, attr)
        except AttributeError:
            continue
        return obj
    raise UnpicklingError(f"torchlike has no equivalent of {module}.{name}, which this "
                          "checkpoint needs")
