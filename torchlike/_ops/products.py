"""Products: matmul, mm, bmm, mv, dot (full float32 precision, as torch CPU computes)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _dt
from .._core.device import mixed_devices
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import Op, export, record, set_out
from .._core.tensor import Tensor

# JAX lowers float32 matmul to reduced precision on GPU/TPU by default; torch CPU is exact.
PRECISION = [lax.Precision.HIGHEST]


def _pair(fname, a, b):
    for x, pos in ((a, 1), (b, 2)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{fname}(): argument '{'input' if pos == 1 else 'other'}' (position "
                            f"{pos}) must be Tensor, not {type(x).__name__}")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a._dtype._tag} "
                           f"!= {b._dtype._tag}" if fname in ("mm", "matmul") else
                           f"expected scalar type {a._dtype._tag} but found {b._dtype._tag}")
    if a._dtype is _dt.bool:
        raise RuntimeError(f'"{fname}" not implemented for \'Bool\'')


_matmul = Op("matmul", "MmBackward0")
_make = Tensor._make
# torch's matmul decomposes by rank; its result's grad_fn is the last op of that decomposition.
_RANK_GRAD = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
              (1, 2): "SqueezeBackward4"}
_GRAD_OPS: dict = {"MmBackward0": _matmul}


def _grad_op(name: str) -> Op:
    op = _GRAD_OPS.get(name)
    if op is None:
        op = _GRAD_OPS[name] = Op("matmul", name)
    return op


def set_matmul_precision(precision) -> None:
    """Switch the precision of float matmuls (torchlike.backends flags call this)."""
    PRECISION[0] = precision
    _matmul.kernels.clear()
    for op in _GRAD_OPS.values():
        op.vjps.clear()


def _matmul_build(prec):
    def f(a, b):
        return jnp.matmul(a, b, precision=prec)

    return f


def _matmul_t_build(prec):
    def f(a, bt):
        return jnp.matmul(a, jnp.swapaxes(bt, -1, -2), precision=prec)

    return f


def _is_last_two_swap(chain) -> bool:
    """Whether a view chain is one permute swapping the last two dims (t(), mT, T of 2-D)."""
    if len(chain) != 1 or chain[0][0] != "permute":
        return False
    p = chain[0][1]
    n = len(p)
    return n >= 2 and p[-1] == n - 2 and p[-2] == n - 1 and p[:-2] == tuple(range(n - 2))


def _matmul_error(sa, sb):
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{len(sa)}D and {len(sb)}D")
    ka = sa[-1]
    kb = sb[0] if len(sb) == 1 else sb[-2]
    if ka != kb:
        if len(sa) == 1 and len(sb) == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                               f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                               f"and {sb[0]} elements respectively")
        a2 = sa if len(sa) > 1 else (1,) + sa
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a2[-2]}x{a2[-1]} and "
                           f"{kb}x{sb[-1] if len(sb) > 1 else 1})")
    from .._core.registry import broadcast_shapes

    broadcast_shapes(sa[:-2], sb[:-2])


def matmul(input, other, *, out=None, _grad: str | None = None) -> Tensor:
    """torch.matmul (the @ operator)."""
    try:
        da, db = input._dtype, other._dtype
    except AttributeError:
        _pair("matmul", input, other)
    entry = _matmul.kernels.get(da) if da is db else None
    if entry is None:
        _pair("matmul", input, other)
        f = _matmul_build(PRECISION[0])
        entry = _matmul.kernels[da] = (jax.jit(f), f)
    a = input._storage.array if input._view is None else input._data
    v = other._view
    if v is None:
        b = other._storage.array
    elif not (GRAD_ENABLED[0] and (input._requires_grad or other._requires_grad)) and \
            _is_last_two_swap(v.chain):
        # x @ w.t(): one kernel on w's own array, the transpose folded into the dot (torch's
        # graph keeps TBackward0 under autograd, so that path still reads the view)
        entry_t = _matmul.kernels.get((da, "T")) if da is db else None
        if entry_t is None:
            f = _matmul_t_build(PRECISION[0])
            entry_t = _matmul.kernels[(da, "T")] = (jax.jit(f), f)
        try:
            res = entry_t[0](a, other._storage.array)
        except (TypeError, ValueError) as e:
            _matmul_error(a.shape, tuple(v.shape))
            res = entry_t[0](*mixed_devices(e, (a, other._storage.array)))
        r = _make(res, da)
        return r if out is None else set_out(out, r)
    else:
        b = other._data
    try:
        res = entry[0](a, b)
    except (TypeError, ValueError) as e:
        _matmul_error(a.shape, b.shape)
        res = entry[0](*mixed_devices(e, (a, b)))
    r = _make(res, da)
    if GRAD_ENABLED[0] and (input._requires_grad or other._requires_grad):
        name = _grad or _RANK_GRAD.get((a.ndim, b.ndim), "UnsafeViewBackward0")
        record(_grad_op(name), da, entry, (a, b), (input, other), (r,))
    return r if out is None else set_out(out, r)


def mm(input, mat2, *, out=None) -> Tensor:
    """torch.mm: 2-D × 2-D."""
    if input.dim() != 2 or mat2.dim() != 2:
        bad = input if input.dim() != 2 else mat2
        raise RuntimeError(f"{'self' if bad is input else 'mat2'} must be a matrix")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None) -> Tensor:
    """torch.bmm: batched 3-D × 3-D."""
    if input.dim() != 3 or mat2.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.dim() != 3 else
                           "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, "
                           f"{mat2.shape[1]}].")
    return matmul(input, mat2, out=out, _grad="BmmBackward0")


def mv(input, vec, *, out=None) -> Tensor:
    """torch.mv: matrix × vector."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.dim()}, {vec.dim()}")
    return matmul(input, vec, out=out)


def dot(input, tensor, *, out=None) -> Tensor:
    """torch.dot: 1-D · 1-D, same dtype."""
    if input.dim() != 1 or tensor.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {tensor.dim()}D "
                           "tensors")
    return matmul(input, tensor, out=out)


for _f in (matmul, mm, bmm, mv, dot):
    export(_f)
Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)

__all__ = ["matmul", "mm", "bmm", "mv", "dot"]
