"""Conversions: to, type, type_as, float/double/long/..., cpu, cuda."""

from __future__ import annotations

import functools

import jax

from .._core import dtypes as _dt
from .._core.device import device as _device
from .._core.device import to_jax
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import Op, method, run
from .._core.tensor import Tensor
from .creation import _check_dtype

_to_op = Op("to", "ToCopyBackward0", saved=None)


def _cast(self: Tensor, dt: _dt.dtype) -> Tensor:
    return run(_to_op, dt, lambda: (lambda a: _dt.astype(a, dt)), (self._data,), (self,), dt)


def _move(self: Tensor, jdev) -> Tensor:
    # A transfer is jax.device_put outside jit: inside a jitted kernel XLA keeps the input's
    # device.  Its backward moves the gradient back to where the input lived.
    if GRAD_ENABLED[0] and self._requires_grad:
        return _to_copy().apply(self, jdev)
    return Tensor._make(jax.device_put(self._data, jdev), self._dtype)


@functools.cache
def _to_copy():
    from ..autograd.function import Function

    class ToCopy(Function):
        @staticmethod
        def forward(ctx, x, jdev):
            arr = x._data
            ctx.src = next(iter(arr.devices())) if not isinstance(arr, jax.core.Tracer) else None
            return Tensor._make(jax.device_put(arr, jdev), x._dtype)

        @staticmethod
        def backward(ctx, g):
            if ctx.src is None:
                return g, None
            return Tensor._make(jax.device_put(g._data, ctx.src), g._dtype), None

    ToCopy._backward_cls.__name__ = ToCopy._backward_cls.__qualname__ = "ToCopyBackward0"
    ToCopy._op.grad_name = "ToCopyBackward0"
    return ToCopy


def _parse_to(args, kwargs):
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    flags = 0  # positional bools: non_blocking, then copy
    for a in args:
        if isinstance(a, bool):
            flags += 1
            if flags == 2:
                copy = a
            continue
        if isinstance(a, _dt.dtype):
            dt = a
        elif isinstance(a, Tensor):
            dt, dev = a._dtype, a.device
        elif isinstance(a, (str, _device, int)) and not isinstance(a, bool):
            dev = _device(a)
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__})")
    return dev, _check_dtype(dt), copy


def to(self, *args, **kwargs) -> Tensor:
    """torch.Tensor.to(dtype | device | tensor, ..., copy=False): self when nothing changes."""
    dev, dt, copy = _parse_to(args, dict(kwargs))
    r = self
    if dt is not None and dt is not self._dtype:
        r = _cast(r, dt)
    if dev is not None:
        jdev = to_jax(dev)
        arr = r._data
        # Same device: self, uncommitted as it was (torch returns self too).
        if isinstance(arr, jax.core.Tracer):  # traced: only an accelerator move is kept
            if jdev.platform != "cpu":
                r = _move(r, jdev)
        elif arr.devices() != {jdev}:
            r = _move(r, jdev)
    if copy and r is self:
        from .shape import clone

        r = clone(self)
    return r


def cpu(self, memory_format=None) -> Tensor:
    """torch.Tensor.cpu."""
    return to(self, "cpu")


def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    """torch.Tensor.cuda (JAX's GPU devices)."""
    if isinstance(device, int) and not isinstance(device, bool):
        to_jax(device)  # raises torch's error for an index when there is no GPU
    return to(self, _device("cuda", device if isinstance(device, int) else None)
              if not isinstance(device, (str, _device)) else device)


_TYPE_NAMES = {"torch.FloatTensor": _dt.float32, "torch.DoubleTensor": _dt.float64,
               "torch.HalfTensor": _dt.float16, "torch.BFloat16Tensor": _dt.bfloat16,
               "torch.ByteTensor": _dt.uint8, "torch.CharTensor": _dt.int8,
               "torch.ShortTensor": _dt.int16, "torch.IntTensor": _dt.int32,
               "torch.LongTensor": _dt.int64, "torch.BoolTensor": _dt.bool,
               "torch.ComplexFloatTensor": _dt.complex64,
               "torch.ComplexDoubleTensor": _dt.complex128}
_NAME_OF = {v: k for k, v in _TYPE_NAMES.items()}


def type(self, dtype=None, non_blocking: bool = False, **kwargs):  # noqa: A001 - torch's name
    """torch.Tensor.type: the type string ('torch.FloatTensor'), or a cast."""
    if dtype is None:
        name = _NAME_OF[self._dtype]
        return name if self.device.type == "cpu" else name.replace("torch.", "torch.cuda.")
    if isinstance(dtype, str):
        d = _TYPE_NAMES.get(dtype.replace("torch.cuda.", "torch."))
        if d is None:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = d
    return to(self, dtype)


def type_as(self, other) -> Tensor:
    """torch.Tensor.type_as."""
    return to(self, other._dtype)


def _caster(dt):
    def f(self, memory_format=None):
        return to(self, dt)

    f.__doc__ = f"torch.Tensor.{dt._tag.lower()}: cast to {dt}."
    return f


for _name, _d in (("float", _dt.float32), ("double", _dt.float64), ("half", _dt.float16),
                  ("bfloat16", _dt.bfloat16), ("long", _dt.int64), ("int", _dt.int32),
                  ("short", _dt.int16), ("char", _dt.int8), ("byte", _dt.uint8),
                  ("bool", _dt.bool), ("cfloat", _dt.complex64), ("cdouble", _dt.complex128)):
    method(_caster(_d), _name)

for _f in (to, cpu, cuda, type, type_as):
    method(_f)

Tensor.is_shared = lambda self: False
Tensor.share_memory_ = lambda self: self
Tensor.pin_memory = lambda self, device=None: self
Tensor.is_pinned = lambda self, device=None: False

__all__: list = []
