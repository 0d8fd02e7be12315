"""Reductions: sum, mean, prod, max/min (with indices), argmax/argmin, amax/amin, all/any,
std/var."""

from __future__ import annotations

import builtins
import math

import jax
import jax.numpy as jnp

from .. import return_types
from .._core import dtypes as _dt
from .._core import ragged as _ragged
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import Op, as_shape, export, method, record, run, set_out, wrap_dim, wrap_dims
from .._core.tensor import Tensor

_make = Tensor._make


def _check(input, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _dims(dim, n):
    """None / [] → reduce all (None); otherwise a sorted tuple of dims."""
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return None
    return wrap_dims(dim, n)


def _build(body, dims, keepdim, src, dst):
    s, d = src.np, dst.np

    def f(a):
        return body(a.astype(s), dims, keepdim).astype(d)

    return f


def _reduce(op: Op, input, dims, keepdim, body, src: _dt.dtype, dst: _dt.dtype, out=None, extra=()):
    """Run a one-input reduction ``body(array, dims, keepdim)``; the op's kernels are keyed on
    (dims, keepdim, src, dst, *extra), so each Op must have a single body."""
    keepdim = bool(keepdim)
    key = (dims, keepdim, src, dst, *extra)
    v = input._view
    if v is not None and v.pad and not input._requires_grad:
        r = _ragged.reduce(op, input, dims, keepdim, body, src, dst, key)
        if r is not None:
            return r if out is None else set_out(out, r)
    a = input._data
    if dims is not None and a.ndim == 0:
        dims = None  # dim 0 / -1 of a 0-dim tensor: torch reduces over nothing
        key = (dims, keepdim, src, dst, *extra)
    entry = op.kernels.get(key)
    if entry is None:
        f = _build(body, dims, keepdim, src, dst)
        entry = op.kernels[key] = (jax.jit(f), f)
    r = _make(entry[0](a), dst)
    if GRAD_ENABLED[0] and input._requires_grad:
        record(op, key, entry, (a,), (input,), (r,))
    return r if out is None else set_out(out, r)


def _acc_dtype(dt: _dt.dtype, dtype) -> _dt.dtype:
    if dtype is not None:
        return dtype
    return _dt.int64 if dt.category <= _dt.INT else dt


_sum_all, _sum_dim = Op("sum", "SumBackward0", saved=None), Op("sum", "SumBackward1", saved=None)


def _sum_body(a, d, k):
    return jnp.sum(a, axis=d, keepdims=k)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:  # noqa: A001
    """torch.sum: integer and bool inputs accumulate in int64."""
    _check(input, "sum")
    dims = None if dim is None else _dims(dim, input.dim())
    dt = _acc_dtype(input._dtype, dtype)
    return _reduce(_sum_all if dims is None else _sum_dim, input, dims, keepdim, _sum_body, dt, dt,
                   out)


def sum_to_size(self, *size) -> Tensor:
    """torch.Tensor.sum_to_size: sum the dims that ``size`` broadcasts, to shape ``size``."""
    size = as_shape(size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or builtins.any(s != 1 and s != t for s, t in zip(size, shape[lead:], strict=True)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size)
                                      if s == 1 and shape[lead + i] != 1)
    dt = _acc_dtype(self._dtype, None)
    r = _reduce(_sum_dim, self, dims, True, _sum_body, dt, dt, None)
    return r.reshape(size) if lead else r


_nansum = Op("nansum", saved=None)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """torch.nansum."""
    dims = _dims(dim, input.dim())
    dt = _acc_dtype(input._dtype, dtype)
    return _reduce(_nansum, input, dims, keepdim,
                   lambda a, d, k: jnp.nansum(a, axis=d, keepdims=k), dt, dt, out)


_mean_all = Op("mean", "MeanBackward0", saved=None)
_mean_dim = Op("mean", "MeanBackward1", saved=None)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """torch.mean: floating or complex input only (or an explicit dtype)."""
    _check(input, "mean")
    dt = dtype or input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: " + dt._tag)
    dims = _dims(dim, input.dim())
    return _reduce(_mean_all if dims is None else _mean_dim, input, dims, keepdim,
                   lambda a, d, k: jnp.mean(a, axis=d, keepdims=k), dt, dt, out)


_prod_all, _prod_dim = Op("prod", "ProdBackward0"), Op("prod", "ProdBackward1")


def prod(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """torch.prod: a single int dim, or all elements."""
    _check(input, "prod")
    if isinstance(dim, (list, tuple)):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    dims = None if dim is None else (wrap_dim(dim, input.dim()),)
    dt = _acc_dtype(input._dtype, dtype)
    return _reduce(_prod_all if dims is None else _prod_dim, input, dims, keepdim,
                   lambda a, d, k: jnp.prod(a, axis=d, keepdims=k), dt, dt, out)


# ---------------------------------------------------------------- max / min


_max_all, _max_dim = Op("max", "MaxBackward1"), Op("max", "MaxBackward0")
_min_all, _min_dim = Op("min", "MinBackward1"), Op("min", "MinBackward0")
_amax, _amin = Op("amax"), Op("amin")


def _extreme(name, jfn, jarg, op_all, op_dim, rtype, input, dim, keepdim, other, out):
    _check(input, name)
    if isinstance(dim, Tensor) and other is None:
        dim, other = None, dim
    if other is not None:
        from .pointwise import maximum, minimum

        return (maximum if name == "max" else minimum)(input, other)
    dt = input._dtype
    if dt.is_complex:
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               f"input.numel() == 0. Specify the reduction dim with the 'dim' "
                               f"argument.")
        return _reduce(op_all, input, None, False, lambda a, d, k: jfn(a), dt, dt, out)
    n = input.dim()
    d = wrap_dim(dim, n)
    if n and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    key = (d, bool(keepdim), dt)

    def build():
        def f(a):
            ax = d if a.ndim else None
            idx = jarg(a, axis=ax, keepdims=keepdim) if a.ndim else jnp.zeros((), jnp.int64)
            val = jfn(a, axis=ax, keepdims=keepdim) if a.ndim else a
            return val, idx.astype(jnp.int64)

        return f

    vals, idx = run(op_dim, key, build, (input._data,), (input,), (dt, _dt.int64), multi=True)
    if out is not None:
        set_out(out[0], vals)
        set_out(out[1], idx)
        return rtype(out)
    return rtype((vals, idx))


def max(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """torch.max: the maximum; with dim, a (values, indices) named tuple; with a tensor, maximum."""
    return _extreme("max", jnp.max, jnp.argmax, _max_all, _max_dim, return_types.max, input, dim,
                    keepdim, None, out)


def min(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """torch.min: the minimum; with dim, a (values, indices) named tuple; with a tensor, minimum."""
    return _extreme("min", jnp.min, jnp.argmin, _min_all, _min_dim, return_types.min, input, dim,
                    keepdim, None, out)


def _no_identity(name, input, dims):
    shape = tuple(input.shape)
    if input.numel() == 0 and (dims is None or any(shape[d] == 0 for d in dims)):
        if dims is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               f"input.numel() == 0. Specify the reduction dim with the 'dim' "
                               f"argument.")
        raise IndexError(f"{name}(): Expected reduction dim {dims[0]} to have non-zero size.")


def _amax_body(a, d, k):
    return jnp.max(a, axis=d, keepdims=k)


def _amin_body(a, d, k):
    return jnp.min(a, axis=d, keepdims=k)


def _extreme_values(op, name, body, input, dim, keepdim, out):
    _check(input, name)
    dims = _dims(dim, input.dim())
    _no_identity(name, input, dims)
    return _reduce(op, input, dims, keepdim, body, input._dtype, input._dtype, out)


def amax(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """torch.amax."""
    return _extreme_values(_amax, "amax", _amax_body, input, dim, keepdim, out)


def amin(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """torch.amin."""
    return _extreme_values(_amin, "amin", _amin_body, input, dim, keepdim, out)


_argmax, _argmin = Op("argmax", differentiable=False), Op("argmin", differentiable=False)


def _arg(op, name, jfn, input, dim, keepdim):
    _check(input, name)
    if dim is None:
        if input.numel() == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0.")
        body = lambda a, d, k: jfn(a.reshape(-1)).reshape((1,) * a.ndim if k else ())  # noqa: E731
        return _reduce(op, input, None, keepdim, body, input._dtype, _dt.int64)
    d = wrap_dim(dim, input.dim())
    body = lambda a, dd, k: jfn(a, axis=d, keepdims=k) if a.ndim else jnp.zeros((), jnp.int64)  # noqa: E731
    # extra: a 0-dim input's dims become None in _reduce, the dim=None key of another body
    return _reduce(op, input, (d,), keepdim, body, input._dtype, _dt.int64, extra=("dim",))


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """torch.argmax (first occurrence; over the flattened input when dim is None)."""
    return _arg(_argmax, "argmax", jnp.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """torch.argmin."""
    return _arg(_argmin, "argmin", jnp.argmin, input, dim, keepdim)


# ---------------------------------------------------------------- all / any

_all, _any = Op("all", differentiable=False), Op("any", differentiable=False)


def _logical(op, jfn, input, dim, keepdim, out):
    dims = _dims(dim, input.dim())
    dst = _dt.uint8 if input._dtype is _dt.uint8 else _dt.bool
    body = lambda a, d, k: jfn(a != 0, axis=d, keepdims=k)  # noqa: E731
    return _reduce(op, input, dims, keepdim, body, input._dtype, dst, out)


def all(input, dim=None, keepdim: bool = False, *, out=None) -> Tensor:  # noqa: A001
    """torch.all (bool result; uint8 for uint8 input, as torch)."""
    _check(input, "all")
    return _logical(_all, jnp.all, input, dim, keepdim, out)


def any(input, dim=None, keepdim: bool = False, *, out=None) -> Tensor:  # noqa: A001
    """torch.any."""
    _check(input, "any")
    return _logical(_any, jnp.any, input, dim, keepdim, out)


# ---------------------------------------------------------------- std / var

_std, _var = Op("std", "StdBackward0"), Op("var", "VarBackward0")


def _moments(op, name, input, dim, unbiased, keepdim, correction, out, root):
    _check(input, name)
    if isinstance(dim, bool):  # legacy std(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{name}: can't specify both unbiased and correction")
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _dims(dim, input.dim())
    corr = float(correction)

    def body(a, d, k):
        m = jnp.mean(a, axis=d, keepdims=True)
        dev = a - m
        sq = (dev * jnp.conj(dev)).real if jnp.iscomplexobj(a) else dev * dev
        n = a.size if d is None else math.prod(a.shape[i] for i in d)
        v = jnp.sum(sq, axis=d, keepdims=k) / jnp.maximum(n - corr, 0)
        return _std_sqrt(v) if root else v

    return _reduce(op, input, dims, keepdim, body, dt, dt.to_real(), out, extra=(corr,))


@jax.custom_jvp
def _std_sqrt(v):
    return jnp.sqrt(v)


@_std_sqrt.defjvp
def _std_sqrt_jvp(primals, tangents):
    # torch's std backward is 0 where std is 0 (a constant slice), not inf * 0 = NaN
    (v,), (t,) = primals, tangents
    r = jnp.sqrt(v)
    return r, jnp.where(r == 0, 0, t / (2 * jnp.where(r == 0, 1, r)))


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
        out=None) -> Tensor:
    """torch.std (default correction=1, unlike numpy)."""
    return _moments(_std, "std", input, dim, unbiased, keepdim, correction, out, True)


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None,
        out=None) -> Tensor:
    """torch.var (default correction=1, unlike numpy)."""
    return _moments(_var, "var", input, dim, unbiased, keepdim, correction, out, False)


method(sum_to_size)
for _f in (sum, nansum, mean, prod, max, min, amax, amin, argmax, argmin, all, any, std, var):
    export(_f)

__all__ = ["sum", "nansum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "all",
           "any", "std", "var"]
