"""Queries about tensors and dtypes: is_tensor, numel, result_type, broadcast_shapes, threads."""

from __future__ import annotations

from .._core import dtypes as _dt
from .._core.registry import operand
from .._core.tensor import Size, Tensor


def is_tensor(obj) -> bool:
    """torch.is_tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """torch.is_floating_point."""
    return input._dtype.is_floating_point


def is_complex(input: Tensor) -> bool:
    """torch.is_complex."""
    return input._dtype.is_complex


def numel(input: Tensor) -> int:
    """torch.numel."""
    return input.numel()


def result_type(tensor1, tensor2) -> _dt.dtype:
    """torch.result_type: the dtype an arithmetic op on these operands gives."""
    _, d1, k1 = operand(tensor1, "tensor1")
    _, d2, k2 = operand(tensor2, "tensor2")
    return _dt.result_type_of(((d1, k1), (d2, k2)))


def broadcast_shapes(*shapes) -> Size:
    """torch.broadcast_shapes."""
    norm = []
    for s in shapes:
        if isinstance(s, int):
            s = (s,)
        for d in s:
            if d < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
        norm.append(tuple(s))
    out = [1] * max((len(s) for s in norm), default=0)
    for i, s in enumerate(norm):
        for k in range(1, len(s) + 1):
            d = s[-k]
            if out[-k] == 1:
                out[-k] = d
            elif d != 1 and d != out[-k]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {d} at {-k}! "
                                   f"Mismatching argument at index {i} had {s}; but expected shape "
                                   f"should be broadcastable to {out}")
    return Size(out)


__all__ = ["is_tensor", "is_floating_point", "is_complex", "numel", "result_type",
           "broadcast_shapes"]
