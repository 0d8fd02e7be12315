"""Tensor: a Storage plus an optional View, torch's autograd fields, and the Python protocol.

Ops are not defined here: op family modules attach their functions as methods and dunders
through the registry.  What lives here is what every tensor is, not what it can compute.
"""

from __future__ import annotations

import math
import operator

import jax
import numpy as np

from . import dtypes as _dt
from . import views as _views
from .device import from_jax, traced_device
from .storage import Storage, bind_numpy
from .tracing import GraphBreak

_Tracer = jax.core.Tracer
_NEEDS_VALUE = "it needs a concrete Python value"


class Size(tuple):
    """torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        return math.prod(self)

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


_NP_TO_DT = _dt._BY_NP


def _no_constructor(cls, args, kwargs):
    raise RuntimeError("torchlike's creation ops are not loaded")


_constructor = [_no_constructor]


def register_constructor(fn) -> None:
    """Install what ``torch.Tensor(...)`` calls: ``fn(cls, args, kwargs)`` (see _ops.creation)."""
    _constructor[0] = fn


class Tensor:
    """torch.Tensor on a jax.Array."""

    # Hot fields are slots; rare ones (_grad, _hooks, _cache, ...) default on the class and
    # land in __dict__ only when set, so creating a tensor writes five fields.
    __slots__ = ("_storage", "_view", "_dtype", "_requires_grad", "grad_fn", "__dict__",
                 "__weakref__")

    _grad = None
    _hooks = None
    _retains_grad = False
    _cache = None
    _cbase = None
    _output_nr = 0
    _is_param = False
    _post_accumulate_hooks = None

    # ------------------------------------------------------------ construction

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(data) / torch.Tensor(*sizes): default-dtype tensors.  The creation ops
        # install the constructor (register_constructor), so _core imports nothing from _ops.
        return _constructor[0](cls, args, kwargs)

    @staticmethod
    def _make(arr, dt=None) -> Tensor:
        t = object.__new__(Tensor)
        t._storage = Storage(arr)
        t._view = None
        t._dtype = dt if dt is not None else _NP_TO_DT.get(arr.dtype)
        t._requires_grad = False
        t.grad_fn = None
        return t

    # ------------------------------------------------------------ data access

    @property
    def _data(self):
        v = self._view
        if v is None:
            return self._storage.array
        arr = self._storage.array
        if self._cbase is not arr:
            k = v.kernel
            if k is None:
                k = v.kernel = _views._resolve(v)
            self._cache = k(arr)
            self._cbase = arr
        return self._cache

    def jax(self) -> jax.Array:
        """The tensor's value as a jax.Array (zero-copy)."""
        return self._data

    @property
    def data(self) -> Tensor:
        t = object.__new__(Tensor)
        t._storage, t._view, t._dtype = self._storage, self._view, self._dtype
        t._requires_grad = False
        t.grad_fn = None
        return t

    @data.setter
    def data(self, other: Tensor) -> None:
        if not isinstance(other, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(other).__name__}")
        self._storage, self._view, self._dtype = other._storage, other._view, other._dtype
        self.__dict__.pop("_cache", None)
        self.__dict__.pop("_cbase", None)

    # ------------------------------------------------------------ metadata

    @property
    def shape(self) -> Size:
        v = self._view
        return Size(self._storage.array.shape if v is None else v.shape)

    def size(self, dim: int | None = None):
        """torch.Tensor.size."""
        shape = self._storage.array.shape if self._view is None else self._view.shape
        if dim is None:
            return Size(shape)
        return shape[_wrap_dim(dim, len(shape))]

    @property
    def dtype(self) -> _dt.dtype:
        return self._dtype

    @property
    def device(self):
        arr = self._storage.array
        if isinstance(arr, jax.core.Tracer):  # under jit / compile: tracers have no devices;
            return traced_device()  # the program runs on JAX's default device
        devs = arr.devices()
        # A sharded array (DataParallel, DTensor) is named by its first device.
        return from_jax(next(iter(devs)) if len(devs) == 1 else min(devs, key=lambda d: d.id))

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = "torch.strided"

    def dim(self) -> int:
        """torch.Tensor.dim."""
        return len(self._storage.array.shape if self._view is None else self._view.shape)

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self.dim()

    def numel(self) -> int:
        """torch.Tensor.numel."""
        return math.prod(self._storage.array.shape if self._view is None else self._view.shape)

    nelement = numel

    def element_size(self) -> int:
        """torch.Tensor.element_size."""
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self._dtype.itemsize * self.numel()

    def stride(self, dim: int | None = None):
        """torch.Tensor.stride (of the element layout torch would have)."""
        v = self._view
        st = _views.contiguous_strides(self._storage.array.shape) if v is None else v.strides
        return st if dim is None else st[_wrap_dim(dim, len(st))]

    def storage_offset(self) -> int:
        """torch.Tensor.storage_offset."""
        return 0 if self._view is None else self._view.offset

    def is_contiguous(self, memory_format=None) -> bool:
        """torch.Tensor.is_contiguous."""
        v = self._view
        return v is None or _views.is_contiguous_strides(v.shape, v.strides)

    def is_floating_point(self) -> bool:
        """torch.Tensor.is_floating_point."""
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        """torch.Tensor.is_complex."""
        return self._dtype.is_complex

    def is_signed(self) -> bool:
        return self._dtype.is_signed

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    def data_ptr(self) -> int:
        """An id of the storage plus the offset (the same for aliases, as in torch)."""
        return id(self._storage) * 16 + self.storage_offset() * self._dtype.itemsize

    def untyped_storage(self):
        return self._storage

    def _is_view(self) -> bool:
        v = self._view
        return v is not None and not v.pad

    @property
    def _version(self) -> int:
        return self._storage.version

    # ------------------------------------------------------------ autograd fields

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """torch.Tensor.requires_grad_."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you "
                               "want to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if requires_grad and not (self._dtype.is_floating_point or self._dtype.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._dtype is not self._dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    def detach(self) -> Tensor:
        """torch.Tensor.detach: shares storage, no history."""
        return self.data

    def detach_(self) -> Tensor:
        """torch.Tensor.detach_."""
        if self._view is not None and self.grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # backward, register_hook, retain_grad and the .grad warning come from torchlike.autograd.

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    # ------------------------------------------------------------ Python protocol

    def item(self):
        """torch.Tensor.item."""
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        if isinstance(self._storage.array, _Tracer):
            raise GraphBreak("Tensor.item", _NEEDS_VALUE)
        return np.asarray(self._data).reshape(()).item() if self._dtype is not _dt.bfloat16 \
            else float(np.asarray(self._data, dtype=np.float32).reshape(()))

    def _item(self, what: str):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        if isinstance(self._storage.array, _Tracer):
            raise GraphBreak(what, _NEEDS_VALUE)
        return np.asarray(self._data).reshape(()).item() if self._dtype is not _dt.bfloat16 \
            else float(np.asarray(self._data, dtype=np.float32).reshape(()))

    def tolist(self):
        """torch.Tensor.tolist."""
        if isinstance(self._storage.array, _Tracer):
            raise GraphBreak("Tensor.tolist", _NEEDS_VALUE)
        a = np.asarray(self._data)
        if self._dtype in (_dt.bfloat16, _dt.float16):
            a = a.astype(np.float32) if self._dtype is _dt.bfloat16 else a
        return a.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """torch.Tensor.numpy: on CPU a writable array sharing memory with the tensor."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._dtype is _dt.bfloat16 and not force:
            raise TypeError("Got unsupported ScalarType BFloat16")
        s = self._storage
        arr = s.array
        if isinstance(arr, _Tracer):
            raise GraphBreak("Tensor.numpy", "it needs concrete values")
        if (self._dtype is _dt.bfloat16 or from_jax(next(iter(arr.devices()))).type != "cpu"):
            # Off the CPU JAX owns the memory: a read-only host copy is all NumPy can get.
            return np.asarray(self._data)
        buf = bind_numpy(s)
        v = self._view
        if v is None:
            return buf.view(np.ndarray)
        return _numpy_view(buf, v)

    def __array__(self, dtype=None, copy=None):
        # As in torch, np.asarray(t) of a CPU tensor shares its memory.
        if isinstance(self._storage.array, _Tracer):
            raise GraphBreak("Tensor.__array__", "it needs concrete values")
        if (copy is not True and not self._requires_grad
                and (dtype is None or np.dtype(dtype) == self._dtype.np)):
            return self.numpy(force=True)
        a = np.asarray(self._data)
        if dtype is not None:
            a = a.astype(dtype)
        elif copy:
            a = a.copy()
        return a

    # NumPy functions and ufuncs given Tensors work on their values (through __array__, so
    # Parameters and tensors requiring grad too): libraries that take arrays (visdom,
    # matplotlib) accept Tensors unpatched. Results are ndarrays; a Tensor with Python or
    # NumPy scalars in an arithmetic ufunc keeps Tensor semantics, as the reflected dunders
    # give it (np.float64(2) * t is a float32 Tensor, as in torch).
    def __array_function__(self, func, types, args, kwargs):
        if func is np.shape or func is np.ndim:  # no host copy just to read the shape
            return func._implementation(*args, **kwargs)
        return func(*_np_values(args), **_np_values(kwargs))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            op = _UFUNC_DUNDERS.get(ufunc.__name__)
            if op is not None and all(isinstance(x, (Tensor, int, float, complex, np.generic))
                                      or (isinstance(x, np.ndarray) and x.ndim == 0)
                                      for x in inputs):
                return op(*(x if isinstance(x, Tensor) else x.item()
                            if isinstance(x, (np.generic, np.ndarray)) else x for x in inputs))
        out = kwargs.get("out")
        if out is not None and any(isinstance(o, Tensor) for o in out):
            return NotImplemented  # NumPy cannot write into a Tensor
        return getattr(ufunc, method)(*_np_values(inputs), **kwargs)

    def __jax_array__(self):
        return self._data

    def __dlpack__(self, *args, **kwargs):
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        n = self.numel()
        if n != 1:
            if n == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._item("Tensor.__bool__"))

    def __float__(self) -> float:
        return float(self._scalar("Tensor.__float__"))

    def __int__(self) -> int:
        return int(self._scalar("Tensor.__int__"))

    def __complex__(self) -> complex:
        return complex(self._scalar("Tensor.__complex__"))

    def __index__(self) -> int:
        if self._dtype.category > _dt.INT or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._item("Tensor.__index__"))

    def _scalar(self, what):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._item(what)

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None) -> str:
        from .printing import tensor_repr

        dt = self._dtype
        if isinstance(self._storage.array, _Tracer):
            raise GraphBreak("Tensor.__repr__", "printing needs concrete values")
        arr = np.asarray(self._data)
        if dt is _dt.bfloat16:
            arr = arr.astype(np.float32)
        dev = self.device
        return tensor_repr(
            arr, dt.name, default_dtype=_dt.get_default_dtype().name,
            device=None if dev.type == "cpu" else str(dev),
            requires_grad=self._requires_grad,
            grad_fn=None if self.grad_fn is None else self.grad_fn.name(),
            is_parameter=self._is_param)

    def __format__(self, spec: str) -> str:
        if self.dim() == 0:
            return self._item("Tensor.__format__").__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        if isinstance(self._storage.array, _Tracer):
            raise GraphBreak("Tensor.__reduce_ex__", "pickling needs concrete values")
        return (_rebuild, (np.asarray(self._data), self._dtype.name, self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        t = type(self).__new__(type(self)) if type(self) is not Tensor else object.__new__(Tensor)
        t._storage = Storage(self._data)
        t._view = None
        t._dtype = self._dtype
        t._requires_grad = self._requires_grad
        t.grad_fn = None
        for k, v in self.__dict__.items():
            if k not in ("_cache", "_cbase", "_grad", "_hooks"):
                t.__dict__[k] = v
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    def __copy__(self):
        raise NotImplementedError("copy.copy of a Tensor is not supported; use clone() or deepcopy")


class _HookHandle:
    """torch.utils.hooks.RemovableHandle."""

    _next = 0

    def __init__(self, hooks: dict):
        self.hooks = hooks
        self.id = _HookHandle._next
        _HookHandle._next += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _rebuild(arr, dtype_name, requires_grad):
    import jax.numpy as jnp

    t = Tensor._make(jnp.asarray(arr, dtype=_dt._BY_NAME[dtype_name].np))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _numpy_view(buf: np.ndarray, v) -> np.ndarray:
    """The elements view ``v`` covers, as a writable NumPy view of its storage's buffer."""
    it = buf.dtype.itemsize
    if buf.flags.c_contiguous:
        start = buf.reshape(-1)[v.offset:]
        strides = tuple(st * it for st in v.strides)
    elif not math.prod(v.shape):
        return np.empty(v.shape, buf.dtype)
    else:
        # A buffer NumPy laid out with other strides (from_numpy of a transposed or sliced
        # array): map the view's positions to byte offsets and check they step evenly.
        pos = np.full(v.shape, v.offset, dtype=np.int64)
        for k, st in enumerate(v.strides):
            shape = [1] * len(v.shape)
            shape[k] = v.shape[k]
            pos = pos + np.arange(v.shape[k], dtype=np.int64).reshape(shape) * st
        idx = np.unravel_index(pos, buf.shape)
        byte = sum(i * bst for i, bst in zip(idx, buf.strides, strict=True))
        strides = []
        for k, n in enumerate(v.shape):
            if n < 2:
                strides.append(it)
                continue
            d = np.diff(byte, axis=k)
            if (d != d.flat[0]).any():
                raise NotImplementedError(
                    "numpy() of this view of a tensor made from a non-contiguous NumPy array "
                    "cannot share memory in torchlike; call .contiguous() or .clone() first")
            strides.append(int(d.flat[0]))
        start = buf[tuple(slice(int(i.flat[0]), None) for i in idx)]
        strides = tuple(strides)
    return np.lib.stride_tricks.as_strided(start, shape=v.shape, strides=strides, writeable=True)


def _np_values(x):
    """Tensors (also inside lists, tuples, dicts) as ndarrays, for NumPy's own functions."""
    if isinstance(x, Tensor):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_np_values(e) for e in x) if type(x) in (list, tuple) else x
    if isinstance(x, dict):
        return {k: _np_values(v) for k, v in x.items()}
    return x


# Ufuncs that, given a Tensor and scalars, go to Tensor's own operators.
_UFUNC_DUNDERS = {
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "divide": operator.truediv, "floor_divide": operator.floordiv, "remainder": operator.mod,
    "power": operator.pow, "less": operator.lt, "less_equal": operator.le,
    "greater": operator.gt, "greater_equal": operator.ge, "equal": operator.eq,
    "not_equal": operator.ne, "bitwise_and": operator.and_, "bitwise_or": operator.or_,
    "bitwise_xor": operator.xor, "negative": operator.neg, "absolute": operator.abs,
}


def _wrap_dim(dim: int, ndim: int) -> int:
    """torch's dim wrapping with its IndexError for out-of-range dims."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
                         f"got {dim})")
    return dim + n if dim < 0 else dim


# ---------------------------------------------------------------- pytree

def _flatten(t: Tensor):
    return (t._data,), t._dtype


def _unflatten(dt, children):
    (arr,) = children
    t = object.__new__(Tensor)
    t._storage = Storage(arr)
    t._view = None
    t._dtype = dt if getattr(arr, "dtype", None) is None else _NP_TO_DT.get(arr.dtype, dt)
    t._requires_grad = False
    t.grad_fn = None
    return t


jax.tree_util.register_pytree_node(Tensor, _flatten, _unflatten)
