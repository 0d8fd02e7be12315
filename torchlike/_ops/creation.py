"""Creation ops: tensor, zeros/ones/empty/full (+ _like, new_), ranges, eye, interop."""

from __future__ import annotations

import builtins
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax._src import core as _jcore

from .._core import dtypes as _dt
from .._core import views as _views
from .._core.device import default_device, to_jax
from .._core.device import device as _device
from .._core.kernel_cache import register as _bounded
from .._core.registry import as_shape, export, method
from .._core.storage import NumpyStorage
from .._core.tensor import Tensor, register_constructor

_make = Tensor._make
_NUMBER = (builtins.bool, builtins.int, builtins.float, builtins.complex, np.number, np.bool_)


def _check_dtype(dtype) -> _dt.dtype | None:
    if dtype is None or isinstance(dtype, _dt.dtype):
        return dtype
    if isinstance(dtype, str):  # tolerate 'float32' and 'torch.float32'
        d = _dt._BY_NAME.get(dtype.removeprefix("torch."))
        if d is not None:
            return d
    if isinstance(dtype, type) and dtype in (builtins.float, builtins.int, builtins.bool,
                                             builtins.complex):
        return {builtins.float: _dt.float64, builtins.int: _dt.int64, builtins.bool: _dt.bool,
                builtins.complex: _dt.complex128}[dtype]
    try:
        return _dt.from_np(np.dtype(dtype))
    except TypeError:
        raise TypeError(f"dtype must be torch.dtype, not {type(dtype).__name__}") from None


def _place(arr, device):
    if device is None:
        device = default_device()
        if device is None:
            return arr
    jdev = to_jax(device)  # validates the name even where the array stays put
    if isinstance(arr, jax.core.Tracer):  # traced: placement is the compiled program's
        return arr
    return jax.device_put(arr, jdev)


def _device_of(t: Tensor):
    """The device a *_like / new_* result takes from ``t``: None (the default device) unless
    ``t`` was placed on a device explicitly (its array is committed)."""
    arr = t._storage.array
    if isinstance(arr, jax.core.Tracer):  # traced: placement is the compiled program's
        return None
    if not getattr(arr, "committed", False) or len(arr.devices()) != 1:
        return None  # unplaced, or sharded over several devices (JAX lays the result out)
    return t.device


def _finish(arr, dt, device, requires_grad) -> Tensor:
    if requires_grad and not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    t = _make(_place(arr, device), dt)
    if requires_grad:
        t.requires_grad_(True)
    return t


# ---------------------------------------------------------------- from data


def _infer_dtype(data) -> _dt.dtype | None:
    """torch's dtype inference for tensor(data): each leaf's own type, promoted together.

    Python bool/int/float/complex give bool/int64/default/default-complex; numpy scalars and
    arrays, tensors and other array-likes keep their dtype (so [np.float64(1), 2.] is float64).
    None for an empty sequence.
    """
    default = _dt.get_default_dtype()
    py = {builtins.bool: _dt.bool, builtins.int: _dt.int64, builtins.float: default,
          builtins.complex: _dt.default_complex()}
    dt = None
    level = [data]
    while level:
        nxt = []
        for x in level:
            d = py.get(type(x))
            if d is None:
                if isinstance(x, (list, tuple)):
                    nxt.extend(x)
                    continue
                d = _leaf_dtype(x)
            if dt is not d:
                dt = d if dt is None else _dt.promote_types(dt, d)
        level = nxt
    return dt


def _leaf_dtype(x) -> _dt.dtype:
    if isinstance(x, Tensor):
        return x._dtype
    if isinstance(x, np.generic):  # before float/complex: np.float64 subclasses float
        return _dt.from_np(x.dtype)
    if isinstance(x, builtins.bool):
        return _dt.bool
    if isinstance(x, builtins.int):
        return _dt.int64
    if isinstance(x, builtins.float):
        return _dt.get_default_dtype()
    if isinstance(x, builtins.complex):
        return _dt.default_complex()
    if isinstance(x, str):
        raise TypeError("new(): invalid data type 'str'")
    npdt = getattr(x, "dtype", None)  # numpy scalars and arrays, jax arrays
    if npdt is not None:
        return _dt.from_np(np.dtype(npdt))
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _to_numpy(data, dt: _dt.dtype) -> np.ndarray:
    """``data`` as a numpy array of ``dt``, with torch's overflow errors for Python ints."""
    try:
        return np.asarray(data, dtype=dt.np)
    except OverflowError:
        pass
    try:
        a = np.asarray(data, dtype=np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if dt.category == _dt.INT:
        info = np.iinfo(dt.np)
        lo = -builtins.int(info.max) if info.min == 0 else builtins.int(info.min)
        if a.size and (builtins.int(a.min()) < lo or builtins.int(a.max()) > info.max):
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    return a.astype(dt.np)


def _check_ragged(data, dim=0):
    if not data or not isinstance(data[0], (list, tuple)):
        return
    n = len(data[0])
    for d in data:
        if not isinstance(d, (list, tuple)) or len(d) != n:
            got = len(d) if isinstance(d, (list, tuple)) else type(d).__name__
            raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {got})")
    for d in data:
        _check_ragged(d, dim + 1)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """torch.tensor: copy data (nested lists, scalars, numpy arrays, tensors) into a new tensor."""
    dtype = _check_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        if dtype is not None and dtype is not data._dtype:
            arr = arr.astype(dtype.np)
        return _finish(arr, dtype or data._dtype, device, requires_grad)
    if isinstance(data, np.ndarray):
        dt = _dt.from_np(data.dtype)
        a = data
    else:
        if isinstance(data, (list, tuple)):
            _check_ragged(data)
        dt = _infer_dtype(data) or _dt.get_default_dtype()
        a = _to_numpy(data, dtype or dt)
    dt = dtype or dt
    return _finish(jnp.array(a, dtype=dt.np, copy=True), dt, device, requires_grad)


def _shares(arr: np.ndarray, dtype, device) -> bool:
    """Whether torch would alias ``arr`` for a tensor of ``dtype`` on ``device`` (a CPU one)."""
    if dtype is not None and dtype.np != arr.dtype:
        return False
    if device is None:
        d = default_device()
        return d is None or d.type == "cpu"
    # An explicit CPU device shares only where JAX's default device is the CPU: NumPy-bound
    # storages live on the default device (uncommitted, as every other tensor).
    return _device(device).type == "cpu" and jax.default_backend() == "cpu"


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """torch.as_tensor: no copy when data already is a tensor (or a NumPy array) of that dtype
    and device."""
    dtype = _check_dtype(dtype)
    if isinstance(data, Tensor):
        if (dtype is None or dtype is data._dtype) and (device is None or
                                                         data.device == _device(device)):
            return data
        return data.to(device=device, dtype=dtype)
    if type(data) is np.ndarray and _shares(data, dtype, device):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """torch.asarray."""
    dtype = _check_dtype(dtype)
    if isinstance(obj, Tensor) and not copy:
        t = as_tensor(obj, dtype, device)
    elif isinstance(obj, jax.Array):
        t = from_jax(obj)
        if dtype is not None:
            t = t.to(dtype)
    elif type(obj) is np.ndarray and not copy and _shares(obj, dtype, device):
        t = from_numpy(obj)
    else:
        if copy is False and isinstance(obj, np.ndarray) and dtype is not None:
            raise ValueError(f"can't alias tensor with dtype '{_dt.from_np(obj.dtype)._tag}' "
                             f"into dtype '{dtype._tag}'.")
        t = tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


_READONLY_WARNED = [False]


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """torch.from_numpy: a tensor sharing the array's memory (writes show on both sides)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if any(st < 0 for st in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.")
    dt = _dt.from_np(ndarray.dtype)
    if not ndarray.flags.writeable:
        if not _READONLY_WARNED[0]:
            _READONLY_WARNED[0] = True
            import warnings

            warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                          "non-writable tensors. This means writing to this tensor will result "
                          "in undefined behavior. You may want to copy the array to protect its "
                          "data or make it writable before converting it to a tensor. This type "
                          "of warning will be suppressed for the rest of this program.",
                          UserWarning, stacklevel=2)
        # Nothing can be written through a read-only array: a private copy behaves the same.
        return _make(jnp.asarray(np.array(ndarray)), dt)
    t = _make(None, dt)
    t._storage = NumpyStorage(ndarray)
    return t


def from_jax(array) -> Tensor:
    """Wrap a jax.Array as a Tensor without copying."""
    return _make(array, _dt.from_np(array.dtype))


# ---------------------------------------------------------------- filled


_fill_kernels: dict = _bounded({})  # bounded: see _core/kernel_cache.py


_fill_seen: dict = {}


def _filled(shape, dt: _dt.dtype, value):
    key = (shape, dt)
    k = _fill_kernels.get(key)
    if isinstance(value, np.generic):
        value = value.item()
    if k is None:
        if key not in _fill_seen and _host_fill_ok():
            # First sight of a shape (building a model makes each parameter shape once or
            # twice): fill on the host rather than compile a kernel; a shape seen again gets
            # its kernel.
            if len(_fill_seen) > 4096:
                _fill_seen.clear()
            _fill_seen[key] = True
            try:
                return jax.device_put(np.full(shape, value, dtype=dt.np))
            except (OverflowError, ValueError, TypeError):
                pass  # the kernel's conversion rules decide
        n = dt.np
        k = _fill_kernels[key] = jax.jit(lambda v: jnp.full(shape, v, dtype=n))
    return k(value)


def _host_fill_ok() -> bool:
    # On the CPU backend a host fill is a copy in the same memory; elsewhere it would cross
    # the bus.  Inside a trace (torchlike.compile, jax.jit) the fill must be traced.
    return jax.default_backend() == "cpu" and _jcore.trace_state_clean()


def _shape_arg(size, name):
    shape = as_shape(size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def _filled_tensor(size, value, dtype, device, requires_grad, out, name):
    shape = _shape_arg(size, name)
    dt = _check_dtype(dtype) or (out._dtype if out is not None else _dt.get_default_dtype())
    t = _finish(_filled(shape, dt, value), dt, device, requires_grad)
    if out is not None:
        from .._core.registry import set_out

        return set_out(out, t)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """torch.zeros."""
    return _filled_tensor(size, 0, dtype, device, requires_grad, out, "zeros")


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """torch.ones."""
    return _filled_tensor(size, 1, dtype, device, requires_grad, out, "ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """torch.empty (zero-filled: JAX has no uninitialised memory)."""
    return _filled_tensor(size, 0, dtype, device, requires_grad, out, "empty")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:
    """torch.full: dtype inferred from fill_value when not given (§17)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None and out is None:
        dtype = _dt.scalar_dtype(fill_value)
    if isinstance(fill_value, (builtins.complex, np.complexfloating)) and fill_value.imag and \
            dtype is not None and not _check_dtype(dtype).is_complex:
        name = {"float32": "float", "float64": "double"}.get(_check_dtype(dtype).name,
                                                             _check_dtype(dtype).name)
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return _filled_tensor((size,), fill_value, dtype, device, requires_grad, out, "full")


def _like(input, value, dtype, device, requires_grad):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dt = _check_dtype(dtype) or input._dtype
    if device is None:
        device = _device_of(input)
    return _finish(_filled(tuple(input.shape), dt, value), dt, device, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """torch.zeros_like."""
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """torch.ones_like."""
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """torch.empty_like (zero-filled)."""
    return _like(input, 0, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """torch.full_like."""
    return _like(input, fill_value, dtype, device, requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """torch.scalar_tensor (default dtype unless given)."""
    return full((), s, dtype=dtype or _dt.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def _new(self, size, value, dtype, device, requires_grad):
    dt = _check_dtype(dtype) or self._dtype
    shape = _shape_arg(size, "new")
    if device is None:
        device = _device_of(self)
    return _finish(_filled(shape, dt, value), dt, device, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """torch.empty_strided (zero-filled); a view with the given strides where a chain of
    torchlike view steps expresses them, else contiguous."""
    shape = _shape_arg((size,), "empty_strided")
    stride = tuple(int(s) for s in stride)
    if len(stride) != len(shape):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    n = 1 + sum((s - 1) * st for s, st in zip(shape, stride, strict=True)) if all(shape) else 0
    if n and stride != _views.contiguous_strides(shape):
        view = _views.build_view(n, (n,), 0, shape, stride)
        if view is not None:
            base = _filled_tensor((n,), 0, dtype, device, False, None, "empty_strided")
            r = _make(base._storage.array, base._dtype)
            r._view = view
            return r.requires_grad_(True) if requires_grad else r
    return _filled_tensor(shape, 0, dtype, device, requires_grad, None, "empty_strided")


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False) -> Tensor:
    """torch.empty_permuted (zero-filled): dims laid out in memory in physical_layout order."""
    shape = _shape_arg((size,), "empty_permuted")
    order = tuple(int(d) for d in physical_layout)
    if len(order) != len(shape):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(shape)} is not equal to "
                           f"len(physical_layout) = {len(order)}")
    if sorted(order) != list(range(len(shape))):
        raise RuntimeError("Dimension out of range or repeated in physical_layout")
    t = _filled_tensor(tuple(shape[d] for d in order), 0, dtype, device, False, None,
                       "empty_permuted")
    r = t.permute(tuple(order.index(d) for d in range(len(order))))
    return r.requires_grad_(True) if requires_grad else r


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False) -> Tensor:
    """torch.Tensor.new_empty_strided (zero-filled)."""
    return empty_strided(size, stride, dtype=_check_dtype(dtype) or self._dtype,
                         device=device if device is not None else self.device,
                         requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:
    """torch.Tensor.new_zeros."""
    return _new(self, size, 0, dtype, device, requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False) -> Tensor:
    """torch.Tensor.new_ones."""
    return _new(self, size, 1, dtype, device, requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:
    """torch.Tensor.new_empty (zero-filled)."""
    return _new(self, size, 0, dtype, device, requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False) -> Tensor:
    """torch.Tensor.new_full."""
    return _new(self, (size,), fill_value, dtype, device, requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False) -> Tensor:
    """torch.Tensor.new_tensor: dtype and device of self unless given."""
    return tensor(data, dtype=dtype or self._dtype,
                  device=_device_of(self) if device is None else device,
                  requires_grad=requires_grad)


for _f in (new_zeros, new_ones, new_empty, new_full, new_tensor, new_empty_strided):
    method(_f)


def legacy_tensor_new(cls, args, kwargs):
    """torch.Tensor(...) called directly: data, or sizes, in the default dtype."""
    if cls is not Tensor:  # subclasses (Parameter) construct themselves
        return object.__new__(cls)
    dt = _dt.get_default_dtype()
    if kwargs.get("device") is not None:
        kwargs = dict(kwargs)
        kwargs.pop("device")
    if not args:
        return _make(jnp.zeros((0,), dt.np), dt)
    if len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer)):
        if isinstance(args[0], Tensor):
            return args[0]
        return tensor(args[0], dtype=dt)
    return zeros(*args, dtype=dt)


register_constructor(legacy_tensor_new)


# ---------------------------------------------------------------- ranges


def _num(x):
    if isinstance(x, Tensor):
        return x.item()
    return x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """torch.arange: int64 for integer arguments, the default dtype when any is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    dtype = _check_dtype(dtype)
    if dtype is None:
        if builtins.any(isinstance(v, (builtins.float, np.floating)) for v in (start, end, step)):
            dtype = _dt.get_default_dtype()
        else:
            dtype = _dt.int64
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if not builtins.all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    n = builtins.max(math.ceil((end - start) / step), 0)
    if dtype.category <= _dt.INT:
        # torch computes integer ranges in the integer type: start and step truncated.
        istart, istep = builtins.int(start), builtins.int(step)
        if istep == 0:
            raise ValueError("step must be nonzero")
        arr = istart + istep * np.arange(n, dtype=np.int64)
    else:
        arr = start + step * np.arange(n, dtype=np.float64)
    t = _finish(jnp.asarray(arr.astype(dtype.np)), dtype, device, requires_grad)
    if out is not None:
        from .._core.registry import set_out

        return set_out(out, t)
    return t


def _linspace_np(start, end, steps, npdt):
    """torch's CPU linspace kernel: halves computed from each end (both endpoints exact), in the
    result's floating type (float32 rounds each step as torch does), in float64 for integers."""
    npdt = np.dtype(npdt)
    if npdt.kind != "f":
        npdt = np.dtype(np.float64)
    start, end = npdt.type(start), npdt.type(end)
    if steps == 1:
        return np.array([start], dtype=npdt)
    step = (end - start) / npdt.type(steps - 1)
    i = np.arange(steps).astype(npdt)
    half = steps // 2
    lo = start + step * i
    hi = end - step * (npdt.type(steps - 1) - i)
    return np.where(np.arange(steps) < half, lo, hi)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """torch.linspace."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, (builtins.int, np.integer)) or isinstance(steps, builtins.bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = _check_dtype(dtype)
    if dtype is None:
        if builtins.any(isinstance(v, (builtins.complex, np.complexfloating))
                        for v in (start, end)):
            dtype = _dt.default_complex()
        else:
            dtype = _dt.get_default_dtype()
    if dtype.is_complex:
        arr = np.linspace(start, end, steps)
    else:
        if dtype.category <= _dt.INT:  # torch truncates the ends to the integer type first
            start, end = builtins.int(start), builtins.int(end)
        arr = _linspace_np(float(start), float(end), steps, dtype.np)
        if dtype.category <= _dt.INT:
            arr = np.trunc(arr)
    t = _finish(jnp.asarray(arr.astype(dtype.np)), dtype, device, requires_grad)
    if out is not None:
        from .._core.registry import set_out

        return set_out(out, t)
    return t


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:
    """torch.logspace: ``base ** linspace(start, end, steps)``."""
    start, end = _num(start), _num(end)
    dtype = _check_dtype(dtype) or _dt.get_default_dtype()
    if not isinstance(steps, (builtins.int, np.integer)) or isinstance(steps, builtins.bool):
        raise TypeError(f"logspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.power(float(base), _linspace_np(float(start), float(end), steps, np.float64))
    t = _finish(jnp.asarray(arr.astype(dtype.np)), dtype, device, requires_grad)
    if out is not None:
        from .._core.registry import set_out

        return set_out(out, t)
    return t


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """torch.eye."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = _check_dtype(dtype) or _dt.get_default_dtype()
    t = _finish(jnp.eye(n, n if m is None else m, dtype=dt.np), dt, device, requires_grad)
    if out is not None:
        from .._core.registry import set_out

        return set_out(out, t)
    return t


for _f in (tensor, as_tensor, asarray, from_numpy, from_jax, zeros, ones, empty, full, zeros_like,
           ones_like, empty_like, full_like, scalar_tensor, arange, linspace, logspace, eye):
    export(_f, method=False)

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "from_jax", "zeros", "ones", "empty",
           "full", "zeros_like", "ones_like", "empty_like", "full_like", "scalar_tensor", "arange",
           "linspace", "logspace", "eye", "empty_strided", "empty_permuted"]
