"""torch.masked: reductions and normalizations that ignore masked-out elements.

As in torch (torch/masked/_ops.py) each op replaces the masked-out elements of the input by the
identity of the reduction (0 for sum, -inf for amax, NaN for median, ...) and runs the ordinary
op, so results, dtypes and gradients follow the ordinary ops.  Only strided tensors with a
boolean (or castable) ``mask`` are supported; torch's MaskedTensor and sparse layouts are not.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from .._core import dtypes as _dt
from .._core.registry import Op, run
from .._core.tensor import Tensor
from . import nn_activation as _act
from . import reduction as _red
from . import scans as _scans
from .creation import ones, tensor
from .pointwise import maximum as _maximum
from .pointwise import where
from .shape import broadcast_to
from .ufuncs import logaddexp as _logaddexp

_SMALL_INTS = (_dt.uint8, _dt.bool, _dt.int8, _dt.int16, _dt.int32)


def _canonical_dim(dim, ndim: int) -> tuple:
    if dim == ():
        dim = None
    if dim is None:
        return tuple(range(ndim))
    ndim = max(ndim, 1)
    dims: list = []
    for d in ((dim,) if isinstance(dim, int) else dim):
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if d >= ndim or d < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, "
                             f"{ndim - 1}], but got {d})")
        dims.append(d % ndim)
    return tuple(sorted(dims))


def _identity(op_name: str, input: Tensor, *args):
    """torch.masked's fill value for the masked-out elements of ``op_name``'s input."""
    dt = input.dtype
    fp = dt.is_floating_point
    if op_name in ("sum", "cumsum"):
        return tensor(0, dtype=dt)
    if op_name in ("prod", "cumprod"):
        return tensor(1, dtype=dt)
    if op_name in ("amax", "argmax", "logaddexp", "logsumexp"):
        if fp or (op_name == "logsumexp" and dt.is_complex):
            return tensor(-math.inf, dtype=dt)
        if dt is not _dt.bool and not dt.is_complex:
            return tensor(_dt.iinfo(dt).min, dtype=dt)
    if op_name in ("amin", "argmin"):
        if fp:
            return tensor(math.inf, dtype=dt)
        if dt is not _dt.bool and not dt.is_complex:
            return tensor(_dt.iinfo(dt).max, dtype=dt)
    if op_name == "norm":
        ord = args[0] if args else 2
        if ord == -math.inf:
            return tensor(math.inf, dtype=dt)
        return tensor(0, dtype=dt)
    if op_name == "median":
        return tensor(math.nan, dtype=dt if fp else _dt.float32)
    raise NotImplementedError(f"identity of {op_name} on {dt} input")


def _input_mask(input: Tensor, mask) -> Tensor:
    if not isinstance(mask, Tensor):
        raise TypeError(f"mask must be a Tensor, not {type(mask).__name__}")
    if tuple(mask.shape) != tuple(input.shape):
        if mask.dim() > input.dim():
            raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality "
                             "higher than of the input)")
        mask = broadcast_to(mask, input.shape)
    return mask.to(dtype=_dt.bool)


def _combine(op_name: str, input: Tensor, mask, *args) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"masked {op_name}(): input must be a Tensor, not "
                        f"{type(input).__name__}")
    if mask is None:
        return input
    return where(_input_mask(input, mask), input, _identity(op_name, input, *args))


def _int64_for_small(input: Tensor, dtype):
    if dtype is None:
        return _dt.int64 if input.dtype in _SMALL_INTS else input.dtype
    return dtype


def sum(input: Tensor, dim=None, *, keepdim: bool | None = False, dtype=None,  # noqa: A001
        mask: Tensor | None = None) -> Tensor:
    """torch.masked.sum: the sum of the unmasked elements (0 where all are masked)."""
    dtype = _int64_for_small(input, dtype)
    dims = _canonical_dim(dim, input.dim())
    return _red.sum(_combine("sum", input, mask), dims, bool(keepdim), dtype=dtype)


def prod(input: Tensor, dim=None, *, keepdim: bool | None = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    """torch.masked.prod: the product of the unmasked elements (1 where all are masked)."""
    dtype = _int64_for_small(input, dtype)
    dims = _canonical_dim(dim, input.dim())
    r = _combine("prod", input, mask).to(dtype=dtype)
    for d in reversed(dims):
        r = _red.prod(r, d, bool(keepdim))
    return r


def cumsum(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.cumsum: masked-out elements count as 0."""
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _scans.cumsum(_combine("sum", input, mask), d, dtype=dtype).to(dtype=dtype)


def cumprod(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.cumprod: masked-out elements count as 1."""
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _scans.cumprod(_combine("prod", input, mask), d, dtype=dtype).to(dtype=dtype)


def amax(input: Tensor, dim=None, *, keepdim: bool | None = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    """torch.masked.amax: the maximum of the unmasked elements (-inf where all are masked)."""
    dtype = input.dtype if dtype is None else dtype
    x = _combine("amax", input, mask)
    return _red.amax(x, _canonical_dim(dim, x.dim()), bool(keepdim)).to(dtype=dtype)


def amin(input: Tensor, dim=None, *, keepdim: bool | None = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    """torch.masked.amin: the minimum of the unmasked elements (inf where all are masked)."""
    dtype = input.dtype if dtype is None else dtype
    x = _combine("amin", input, mask)
    return _red.amin(x, _canonical_dim(dim, x.dim()), bool(keepdim)).to(dtype=dtype)


def argmax(input: Tensor, dim: int | None = None, *, keepdim: bool | None = False, dtype=None,
           mask: Tensor | None = None) -> Tensor:
    """torch.masked.argmax: as torch, the index is returned in ``dtype`` (the input's)."""
    dtype = input.dtype if dtype is None else dtype
    return _red.argmax(_combine("argmax", input, mask), dim, bool(keepdim)).to(dtype=dtype)


def argmin(input: Tensor, dim: int | None = None, *, keepdim: bool | None = False, dtype=None,
           mask: Tensor | None = None) -> Tensor:
    """torch.masked.argmin: as torch, the index is returned in ``dtype`` (the input's)."""
    dtype = input.dtype if dtype is None else dtype
    return _red.argmin(_combine("argmin", input, mask), dim, bool(keepdim)).to(dtype=dtype)


def mean(input: Tensor, dim=None, *, keepdim: bool | None = False, dtype=None,
         mask: Tensor | None = None) -> Tensor:
    """torch.masked.mean: sum of the unmasked elements / their count (NaN where none)."""
    source = "Optional"
    if dtype is None:
        dtype = input.dtype
        source = "Input"
    if not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"mean(): Could not infer output dtype. {source} dtype must be either "
                         f"a floating point or complex dtype. Got: {dtype}")
    if mask is None:
        count = sum(ones(input.shape, dtype=_dt.int64), dim, keepdim=keepdim)
        total = sum(input, dim, keepdim=keepdim, dtype=dtype)
    else:
        inmask = _input_mask(input, mask)
        count = inmask.sum(dim=dim, keepdim=bool(keepdim))
        total = sum(input, dim, keepdim=keepdim, dtype=dtype, mask=inmask)
    return total / count


def median(input: Tensor, dim: int = -1, *, keepdim: bool = False, dtype=None,
           mask: Tensor | None = None) -> Tensor:
    """torch.masked.median: nanmedian of the unmasked elements (NaN where all are masked)."""
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    is_float = input.dtype.is_floating_point
    if not is_float:
        input = input.to(dtype=_dt.float32)
    out = _scans.nanmedian(_combine("median", input, mask), d, keepdim).values
    if is_float:
        return out
    if not bool(out.isnan().any()):
        return out.to(dtype=dtype)
    raise ValueError("masked median expects no fully masked out rows if dtype is not floating "
                     "point")


def logsumexp(input: Tensor, dim=None, *, keepdim: bool = False, dtype=None,
              mask: Tensor | None = None) -> Tensor:
    """torch.masked.logsumexp: masked-out elements count as -inf."""
    dtype = input.dtype if dtype is None else dtype
    dims = _canonical_dim(dim, input.dim())
    return _scans.logsumexp(_combine("logsumexp", input, mask), dims,
                            keepdim=keepdim).to(dtype=dtype)


def logaddexp(input: Tensor, other: Tensor, *, dtype=None, input_mask: Tensor | None = None,
              other_mask: Tensor | None = None) -> Tensor:
    """torch.masked.logaddexp: masked-out elements of either side count as -inf."""
    dtype = input.dtype if dtype is None else dtype
    a = _combine("logaddexp", input, input_mask)
    b = _combine("logaddexp", other, other_mask)
    return _logaddexp(a, b).to(dtype=dtype)


# ---------------------------------------------------------------- norms

_vector_norm_op = Op("masked_norm", "LinalgVectorNormBackward0")


def _norm_body(x, ord, dims, keepdim):
    a = jnp.abs(x)
    if a.ndim == 0:  # torch accepts dim 0 / -1 on a 0-dim tensor
        dims, keepdim = None, False
    if ord == math.inf:
        return jnp.max(a, axis=dims, keepdims=keepdim, initial=0.0)
    if ord == -math.inf:
        return jnp.min(a, axis=dims, keepdims=keepdim, initial=math.inf)
    if ord == 0:
        return jnp.sum((a != 0).astype(a.dtype), axis=dims, keepdims=keepdim)
    if ord == 1:
        return jnp.sum(a, axis=dims, keepdims=keepdim)
    s = jnp.sum(a * a if ord == 2 else a ** ord, axis=dims, keepdims=keepdim)
    # torch's gradient of a zero norm is 0: keep the root off zero on that branch
    zero = s == 0
    safe = jnp.where(zero, 1.0, s)
    r = jnp.sqrt(safe) if ord == 2 else safe ** (1.0 / ord)
    return jnp.where(zero, 0.0, r)


def _vector_norm(x: Tensor, ord, dims: tuple, keepdim: bool, dtype) -> Tensor:
    src = x.dtype
    cdt = dtype if dtype is not None else src
    out = cdt.to_real() if cdt.is_complex else cdt
    if not (out.is_floating_point):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {src._tag}")
    ord = float(ord)
    key = (src, cdt, ord, dims, keepdim)

    def build():
        def f(a):
            return _norm_body(a.astype(cdt.np), ord, dims, keepdim).astype(out.np)

        return f

    return run(_vector_norm_op, key, build, (x._data,), (x,), out)


def norm(input: Tensor, ord: float | None = 2.0, dim=None, *, keepdim: bool | None = False,
         dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.norm: the vector ``ord``-norm of the unmasked elements."""
    dtype = input.dtype if dtype is None else dtype
    x = _combine("norm", input, mask, ord)
    dims = _canonical_dim(dim, input.dim())
    return _vector_norm(x, 2.0 if ord is None else ord, dims, bool(keepdim), dtype)


def normalize(input: Tensor, ord: float, dim: int, *, eps: float = 1e-12, dtype=None,
              mask: Tensor | None = None) -> Tensor:
    """torch.masked.normalize: input / max(norm(input), eps) (masked-out elements become 0)."""
    dtype = input.dtype if dtype is None else dtype
    x = _combine("sum", input, mask)
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    denom = _maximum(nrm, nrm.new_full([], eps))
    return x / denom


# ---------------------------------------------------------------- variance


def _std_var(input, dim, unbiased, correction_opt, keepdim, dtype, mask, take_sqrt):
    if unbiased is not None and correction_opt is not None:
        raise RuntimeError("Only one of unbiased and correction may be given")
    correction = 1.0
    if unbiased is not None:
        correction = 1.0 if unbiased else 0.0
    if correction_opt is not None:
        correction = float(correction_opt)
    if dtype is None:
        dtype = input.dtype
        if not (dtype.is_floating_point or dtype.is_complex):
            dtype = _dt.float32
    compute = dtype if (dtype.is_floating_point or dtype.is_complex) else _dt.float32
    if mask is None:
        count = sum(ones(input.shape, dtype=_dt.int64), dim, keepdim=True)
        total0 = sum(input, dim, keepdim=True, dtype=dtype)
        inmask = None
    else:
        inmask = _input_mask(input, mask)
        count = inmask.sum(dim=dim, keepdim=True)
        total0 = sum(input, dim, keepdim=True, dtype=dtype, mask=inmask)
    x = input - total0 / count
    total = sum(x * x.conj(), dim, keepdim=keepdim, dtype=compute, mask=inmask)
    if not keepdim:
        count = count.reshape(total.shape)
    if correction != 0:
        real = compute.to_real() if compute.is_complex else compute
        count = count.to(dtype=real) - correction
        count = _maximum(count, count.new_zeros([]))
    out = (total / count).to(dtype=dtype)
    return out.sqrt() if take_sqrt else out


def var(input: Tensor, dim=None, unbiased: bool | None = None, *, correction=None,
        keepdim: bool | None = False, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.var: the variance of the unmasked elements (correction 1 by default)."""
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, False)


def std(input: Tensor, dim=None, unbiased: bool | None = None, *, correction=None,
        keepdim: bool | None = False, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.std: the standard deviation of the unmasked elements."""
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, True)


# ---------------------------------------------------------------- normalizations


def softmax(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.softmax: masked-out elements get probability 0 (NaN rows if all masked)."""
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _act.softmax(_combine("amax", input, mask), d, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.log_softmax: masked-out elements get -inf."""
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _act.log_softmax(_combine("amax", input, mask), d, dtype=dtype)


def softmin(input: Tensor, dim: int, *, dtype=None, mask: Tensor | None = None) -> Tensor:
    """torch.masked.softmin: softmax of -input over the unmasked elements."""
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _act.softmin(_combine("amin", input, mask), d, dtype=dtype)


__all__ = ["amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "log_softmax", "logaddexp",
           "logsumexp", "mean", "median", "norm", "normalize", "prod", "softmax", "softmin",
           "std", "sum", "var"]
