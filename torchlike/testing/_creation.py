"""torch.testing.make_tensor: random test tensors with torch's per-dtype ranges and checks."""

from __future__ import annotations

import collections.abc
import math
import warnings

from .._core import dtypes as _dt

__all__ = ["make_tensor"]

_INTEGRAL = (_dt.uint8, _dt.int8, _dt.int16, _dt.int32, _dt.int64)
_BOOL_OR_INTEGRAL = (_dt.bool, *_INTEGRAL)
_FLOATING = (_dt.float16, _dt.bfloat16, _dt.float32, _dt.float64)
_COMPLEX = (_dt.complex64, _dt.complex128)


def _bounds(dtype, low, high, lowest, highest, default_low, default_high):
    """Applies the defaults, validates and clamps [low, high) as torch does."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got {low=} and {high=}")
    if low == high and dtype in (*_FLOATING, *_COMPLEX):
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. "
                      "Use `torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest}, {highest})")
    low = min(max(low, lowest), highest)
    high = min(max(high, lowest), highest)
    if dtype in _BOOL_OR_INTEGRAL:
        # randint's upper bound is exclusive: both ends round up to stay inside [low, high).
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False, memory_format=None):
    """torch.testing.make_tensor."""
    import torchlike as torch

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got {noncontiguous=} and {memory_format=}")
    if requires_grad and dtype in _BOOL_OR_INTEGRAL:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got {dtype=}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        # Twice as wide in the last dim, then every other element from offset 1.
        shape = (*shape[:-1], 2 * shape[-1])

    if dtype is _dt.bool:
        low, high = _bounds(dtype, low, high, 0, 2, 0, 2)
        result = torch.randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _INTEGRAL:
        info = torch.iinfo(dtype)
        # randint cannot draw int64's maximum (its bound is exclusive and must fit int64).
        highest = info.max + (1 if dtype is not _dt.int64 else 0)
        low, high = _bounds(dtype, low, high, info.min, highest, -9, 10)
        result = torch.randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _FLOATING or dtype in _COMPLEX:
        info = torch.finfo(dtype)
        low, high = _bounds(dtype, low, high, info.min, info.max, -9, 9)
        real = dtype.to_real()
        draw_shape = (*shape, 2) if dtype in _COMPLEX else shape
        result = torch.empty(draw_shape, device=device, dtype=real)
        if high - low >= info.max:  # uniform_ needs high - low to be finite
            result.uniform_(low / 2, high / 2).mul_(2)
        else:
            result.uniform_(low, high)
        if dtype in _COMPLEX:
            result = torch.view_as_complex(result)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")

    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)

    if exclude_zero:
        fill = 1 if dtype in _BOOL_OR_INTEGRAL else torch.finfo(dtype).tiny
        result.masked_fill_(result == 0, fill)

    if dtype in _FLOATING or dtype in _COMPLEX:
        result.requires_grad_(requires_grad)
    return result
