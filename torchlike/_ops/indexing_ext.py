"""Indexing beyond the core: index_add/copy/fill/reduce, scatter_reduce, masked_scatter,
take_along_dim, put."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import Op, broadcast_shapes, export, inplace, run, set_out, wrap_dim
from .._core.tensor import Tensor
from .indexing import _CPP_NAME, _bounds, _empty_scatter

_INDEX_DTYPES = (_dt.int64, _dt.int32)


def _need_tensor(x, fname: str, arg: str, pos: int) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _needs_grad(*ts) -> bool:
    return GRAD_ENABLED[0] and any(isinstance(t, Tensor) and t._requires_grad for t in ts)


def _scalar_value(v, dt, fname: str):
    """A Python number (or 0-dim tensor's value) cast to ``dt`` as torch casts fill values."""
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, complex) and not dt.is_complex:
        raise RuntimeError(f"{fname}(): Converting complex Scalar to non-complex type is not "
                           f"supported")
    if dt is _dt.bool:
        return bool(v)
    if dt.category == _dt.INT:
        return int(v)
    return v


def _alpha_value(alpha, dt):
    if isinstance(alpha, Tensor):
        alpha = alpha.item()
    if isinstance(alpha, complex) and not dt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAME.get(dt.name, dt.name)} "
                           f"without overflow")
    if dt.category <= _dt.INT:
        return int(alpha)
    return alpha


# ---------------------------------------------------------------- reductions into positions


def _identity(reduce, ndt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if ndt == np.bool_:
        return reduce == "amin"
    if np.issubdtype(ndt, np.integer):
        info = np.iinfo(ndt)
        return int(info.min) if reduce == "amax" else int(info.max)
    return -np.inf if reduce == "amax" else np.inf


def _reduce_into(a, at, vals, reduce, include_self):
    """Reduce ``vals`` into the positions ``at(x)`` (an ``x.at[...]`` ref) of ``a``."""
    ndt = a.dtype
    boolean = ndt == np.bool_
    vals = vals.astype(ndt)
    if reduce == "mean":
        s = a if include_self else at(a).set(0)
        s = at(s).add(vals)
        cnt = jnp.ones(a.shape, ndt)
        if not include_self:
            cnt = at(cnt).set(0)
        cnt = at(cnt).add(1)
        return jnp.floor_divide(s, cnt) if np.issubdtype(ndt, np.integer) else s / cnt
    base = a if include_self else at(a).set(jnp.asarray(_identity(reduce, ndt), ndt))
    ref = at(base)
    if reduce == "sum":
        return ref.max(vals) if boolean else ref.add(vals)
    if reduce == "prod":
        return ref.min(vals) if boolean else ref.multiply(vals)
    if reduce == "amax":
        return ref.max(vals)
    return ref.min(vals)


def _prod_dense(a, target, vals, d, include_self):
    """A differentiable scatter-multiply: ``target`` (shape of ``vals``) holds each value's
    coordinate along ``d``; the other coordinates are the value's own position.  JAX has no
    gradient for scatter-multiply with repeated indices, so the product is taken over a one-hot
    expansion (memory: vals.size * a.shape[d])."""
    n = a.shape[d]
    onehot = target[..., None] == jnp.arange(n)
    prods = jnp.prod(jnp.where(onehot, vals.astype(a.dtype)[..., None], jnp.ones((), a.dtype)),
                     axis=d)
    touched = jnp.any(onehot, axis=d)
    prods = jnp.moveaxis(prods, -1, d)
    touched = jnp.moveaxis(touched, -1, d)
    pad = [(0, a.shape[k] - prods.shape[k]) for k in range(a.ndim)]
    prods = jnp.pad(prods, pad, constant_values=1)
    touched = jnp.pad(touched, pad, constant_values=False)
    return jnp.where(touched, a * prods if include_self else prods, a)


def _check_reduce_dtype(reduce, dt, kernel):
    if reduce == "mean" and dt is _dt.bool:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


# ---------------------------------------------------------------- index_* (1-D index along dim)


def _index_common(fname, input, dim, index, source, kinds=_INDEX_DTYPES, idx_msg=None,
                  vec_exc=IndexError):
    """Validate an index_add/index_copy/index_reduce call; return (d, slice shape n, K)."""
    _need_tensor(input, fname, "input", 1)
    _need_tensor(index, fname, "index", 3)
    _need_tensor(source, fname, "source", 4)
    if index._dtype not in kinds:
        raise RuntimeError(idx_msg.format(got=index._dtype._tag))
    if index.dim() > 1:
        raise vec_exc(f"{fname}_(): Index is supposed to be a vector, but got dim: {index.dim()} "
                      f"with type: {index._dtype._tag} and size: {list(index.shape)}")
    d = wrap_dim(dim, max(input.dim(), 1))
    k = index.numel()
    ssize = source.shape[d] if d < source.dim() else 1
    if k != ssize:
        raise RuntimeError(f"{fname}_(): Number of indices ({k}) should be equal to "
                           f"source.size(dim): ({ssize}), for dim: {d}")
    return d, k


def _slice_check(input, source, d):
    xs, ss = tuple(input.shape), tuple(source.shape)
    if input.dim() != source.dim() and not (input.numel() == 1 and source.numel() == 1) and \
            not (input.dim() <= 1 and source.dim() <= 1):
        ok = False
    else:
        ok = all(xs[i] == ss[i] for i in range(min(len(xs), len(ss))) if i != d)
    if not ok:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(xs)} source.shape = "
                           f"{list(ss)}")


def _index_at(d, idx):
    pre = (slice(None),) * d

    def at(x):
        return x.at[pre + (idx,)]

    return at


def _index_vals(src, shape0, d, k):
    """``src`` laid out as the indexed region ``a[..., idx, ...]`` (0-dim inputs: length 1)."""
    return src.reshape(shape0[:d] + (k,) + shape0[d + 1:])


_index_add = Op("index_add", saved=None)  # torch saves only the index/mask


def index_add(input, dim: int, index, source, *, alpha=1, out=None) -> Tensor:
    """torch.index_add: input with alpha * source added at ``index`` along dim."""
    d, k = _index_common("index_add", input, dim, index, source,
                         idx_msg="index_add_(): Expected dtype int32/int64 for index but "
                                 "got: {got}")
    _slice_check(input, source, d)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_add_(): self ({input._dtype._tag}) and source "
                           f"({source._dtype._tag}) must have the same scalar type")
    size = input.shape[d] if input.dim() else 1
    if input.dim() == 0:
        _bounds(index._data, size, "index out of range in self", IndexError, 0)
    else:
        _bounds(index._data, size, "index {index} is out of bounds for dimension " + str(d) +
                " with size {size}", RuntimeError, 0)
    dt = input._dtype
    alpha = _alpha_value(alpha, dt)
    shape = tuple(input.shape)
    key = (shape, d, k, dt)

    def build():
        shape0 = shape or (1,)

        def f(a, i, s, al):
            at = _index_at(d, i.reshape(-1))
            v = _index_vals(s, shape0, d, k)
            a0 = a.reshape(shape0)
            if dt is _dt.bool:
                r = at(a0).max(v & jnp.asarray(al, np.bool_))
            else:
                r = at(a0).add(v * jnp.asarray(al, dt.np))
            return r.reshape(shape)

        return f

    r = run(_index_add, key, build, (input._data, index._data, source._data, alpha),
            (input, None, source, None), dt)
    return r if out is None else set_out(out, r)


def index_add_(self, dim: int, index, source, *, alpha=1) -> Tensor:
    """torch.Tensor.index_add_."""
    return inplace(self, index_add(self, dim, index, source, alpha=alpha))


_index_copy = Op("index_copy", saved=None)  # torch saves only the index/mask


def index_copy(input, dim: int, index, source, *, out=None) -> Tensor:
    """torch.index_copy: input with source's slices copied to ``index`` along dim."""
    _need_tensor(input, "index_copy", "input", 1)
    _need_tensor(index, "index_copy", "index", 3)
    _need_tensor(source, "index_copy", "source", 4)
    if index.dim() > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.dim()})")
    if index._dtype is not _dt.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{index._dtype._tag}")
    d = wrap_dim(dim, max(input.dim(), 1))
    k = index.numel()
    ssize = source.shape[d] if d < source.dim() else 1
    if k != ssize:
        raise IndexError(f"index_copy_(): Number of indices ({k}) should be equal to "
                         f"source.size(dim) ({ssize})")
    xs, ss = tuple(input.shape), tuple(source.shape)
    if input.dim() != source.dim() and not (input.dim() <= 1 and source.dim() <= 1):
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({source.dim()}), "
                         f"destination dimensionality ({input.dim()})")
    for i in range(min(len(xs), len(ss))):
        if i != d and xs[i] != ss[i]:
            j = i if i < d else i - 1  # numbered within the slice (dim removed)
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {xs[i]} at dimension {j} and "
                               f"source slice shape: {ss[i]} at dimension {j}.")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {input._dtype._tag} and (source) {source._dtype._tag}")
    size = input.shape[d] if input.dim() else 1
    _bounds(index._data, size, "index_copy_(): index {index} is out of bounds for dimension " +
            str(d) + " with size {size}", IndexError, 0)
    dt = input._dtype
    shape = tuple(input.shape)
    key = (shape, d, k)

    def build():
        shape0 = shape or (1,)

        def f(a, i, s):
            at = _index_at(d, i.reshape(-1))
            return at(a.reshape(shape0)).set(_index_vals(s, shape0, d, k)).reshape(shape)

        return f

    r = run(_index_copy, key, build, (input._data, index._data, source._data),
            (input, None, source), dt)
    return r if out is None else set_out(out, r)


def index_copy_(self, dim: int, index, source) -> Tensor:
    """torch.Tensor.index_copy_."""
    return inplace(self, index_copy(self, dim, index, source))


_index_fill = Op("index_fill", saved=None)  # torch saves only the index/mask


def index_fill(input, dim: int, index, value) -> Tensor:
    """torch.index_fill: input with the slices at ``index`` along dim set to value."""
    _need_tensor(input, "index_fill", "input", 1)
    _need_tensor(index, "index_fill", "index", 3)
    if index._dtype is not _dt.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.dim() > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    d = wrap_dim(dim, max(input.dim(), 1))
    size = input.shape[d] if input.dim() else 1
    _bounds(index._data, size, "index {index} is out of bounds for dimension " + str(d) +
            " with size {size}", IndexError)
    dt = input._dtype
    shape = tuple(input.shape)
    tensor_value = isinstance(value, Tensor)
    if tensor_value:
        if value._dtype.is_complex and not dt.is_complex:
            raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is "
                               "not supported")
        v = value._data
    else:
        v = _scalar_value(value, dt, "index_fill_")
    key = (shape, d, dt, tensor_value)

    def build():
        shape0 = shape or (1,)

        def f(a, i, x):
            a0 = a.reshape(shape0)
            mask = jnp.zeros((shape0[d],), np.bool_).at[i.reshape(-1)].set(True)
            mask = mask.reshape((-1,) + (1,) * (len(shape0) - d - 1))
            return jnp.where(mask, _dt.astype(jnp.asarray(x), dt), a0).reshape(shape)

        return f

    return run(_index_fill, key, build, (input._data, index._data, v),
               (input, None, value if tensor_value else None), dt)


def index_fill_(self, dim: int, index, value) -> Tensor:
    """torch.Tensor.index_fill_."""
    return inplace(self, index_fill(self, dim, index, value))


# prod/mean/amax/amin save self, source and the result in torch.
_index_reduce = Op("index_reduce", saved="both")


def index_reduce(input, dim: int, index, source, reduce: str, *, include_self: bool = True,
                 out=None) -> Tensor:
    """torch.index_reduce: reduce source's slices into ``index`` along dim (prod/mean/amax/amin)."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin "
                           f"but got {reduce}.")
    d, k = _index_common("index_reduce", input, dim, index, source,
                         idx_msg="index_reduce_(): Expected dtype int32/int64 for index but got: "
                                 "{got}")
    _slice_check(input, source, d)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_reduce_(): self ({input._dtype._tag}) and source "
                           f"({source._dtype._tag}) must have the same scalar type")
    if input._dtype is _dt.bool and not include_self:
        raise NotImplementedError("\"index_reduce_func_exclude_input_init\" not implemented for "
                                  "'Bool'")
    _check_reduce_dtype(reduce, input._dtype, "div_floor_cpu")
    size = input.shape[d] if input.dim() else 1
    _bounds(index._data, size, "index out of range in self", IndexError, 0)
    dt = input._dtype
    shape = tuple(input.shape)
    dense = reduce == "prod" and _needs_grad(input, source)
    key = (shape, d, k, reduce, bool(include_self), dense)

    def build():
        shape0 = shape or (1,)

        def f(a, i, s):
            i = i.reshape(-1)
            a0 = a.reshape(shape0)
            v = _index_vals(s, shape0, d, k)
            if dense:
                tgt = jnp.broadcast_to(i.reshape((-1,) + (1,) * (len(shape0) - d - 1)), v.shape)
                r = _prod_dense(a0, tgt, v, d, include_self)
            else:
                r = _reduce_into(a0, _index_at(d, i), v, reduce, include_self)
            return r.reshape(shape)

        return f

    r = run(_index_reduce, key, build, (input._data, index._data, source._data),
            (input, None, source), dt)
    return r if out is None else set_out(out, r)


def index_reduce_(self, dim: int, index, source, reduce: str, *,
                  include_self: bool = True) -> Tensor:
    """torch.Tensor.index_reduce_."""
    return inplace(self, index_reduce(self, dim, index, source, reduce, include_self=include_self))


# ---------------------------------------------------------------- scatter_reduce

# reduce="sum" saves only the index; the others save self, src and the result.
_scatter_reduce_sum = Op("scatter_reduce", "ScatterReduceBackward0", saved=None)
_scatter_reduce = Op("scatter_reduce", "ScatterReduceBackward0", saved="both")


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True,
                   out=None) -> Tensor:
    """torch.scatter_reduce: reduce src into input at ``index`` (sum/prod/mean/amax/amin)."""
    _need_tensor(input, "scatter_reduce", "input", 1)
    _need_tensor(index, "scatter_reduce", "index", 3)
    _need_tensor(src, "scatter_reduce", "src", 4)
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if index.numel() == 0:
        r = _empty_scatter(input, src, dim, _scatter_reduce_sum)
        return r if out is None else set_out(out, r)
    if index._dtype not in (_dt.int64, _dt.int32, _dt.int16, _dt.int8, _dt.uint8):
        raise RuntimeError("scatter_reduce(): Expected dtype int32/int64 for index")
    d = wrap_dim(dim, max(input.dim(), 1))
    xshape, ishape, sshape = tuple(input.shape), tuple(index.shape), tuple(src.shape)
    if index.dim() != input.dim() and index.numel() > 1:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if index.dim() != src.dim() and index.numel() > 1:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    xs0, ss0 = xshape or (1,), sshape or (1,)
    for k in range(len(ishape)):
        if (k != d and ishape[k] > xs0[k]) or ishape[k] > ss0[k]:
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self "
                               f"{list(xshape)} apart from dimension {d} and to be no larger size "
                               f"than src {list(sshape)}")
    _check_reduce_dtype(reduce, input._dtype, "scatter_gather_tensor_cpu_reduce_mean")
    _bounds(index._data, xs0[d], "index {index} is out of bounds for dimension " + str(d) +
            " with size {size}", RuntimeError, 0)
    dt = input._dtype
    dense = reduce == "prod" and _needs_grad(input, src)
    key = (xshape, ishape, sshape, d, reduce, bool(include_self), dense)

    def build():
        def f(a, i, s):
            a0 = a.reshape(xs0)
            i = i.reshape(ishape or (1,))
            s = s.reshape(ss0)
            vals = s[tuple(slice(0, n) for n in i.shape)]
            if dense:
                r = _prod_dense(a0, i, vals, d, include_self)
            else:
                grids = list(jnp.indices(i.shape, sparse=True))
                grids[d] = i
                grids = tuple(grids)
                r = _reduce_into(a0, lambda x: x.at[grids], vals, reduce, include_self)
            return r.reshape(xshape)

        return f

    op = _scatter_reduce_sum if reduce == "sum" else _scatter_reduce
    r = run(op, key, build, (input._data, index._data, src._data),
            (input, None, src), dt)
    return r if out is None else set_out(out, r)


def scatter_reduce_(self, dim: int, index, src, reduce: str, *,
                    include_self: bool = True) -> Tensor:
    """torch.Tensor.scatter_reduce_."""
    return inplace(self, scatter_reduce(self, dim, index, src, reduce, include_self=include_self))


# ---------------------------------------------------------------- masked_scatter

_masked_scatter = Op("masked_scatter", saved=None)  # torch saves only the index/mask


def _masked_scatter_check(input, mask, source):
    _need_tensor(input, "masked_scatter", "input", 1)
    _need_tensor(mask, "masked_scatter", "mask", 2)
    _need_tensor(source, "masked_scatter", "source", 3)
    if mask._dtype is not _dt.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{mask._dtype._tag}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{input._dtype._tag} and {source._dtype._tag}")


def _masked_scatter_impl(input, mask, source, shape):
    m = mask._data
    if not isinstance(m, jax.core.Tracer):
        count = int(jnp.sum(jnp.broadcast_to(m, shape)))
        if count > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
    dt = input._dtype

    def build():
        def f(a, mk, s):
            mk = jnp.broadcast_to(mk, shape).reshape(-1)
            flat = s.reshape(-1)
            pos = jnp.cumsum(mk.astype(np.int64)) - 1
            taken = flat[jnp.clip(pos, 0, max(flat.shape[0] - 1, 0))] if flat.shape[0] else \
                jnp.zeros(pos.shape, a.dtype)
            r = jnp.where(mk, taken, jnp.broadcast_to(a, shape).reshape(-1))
            return r.reshape(shape)

        return f

    return run(_masked_scatter, (shape, tuple(source.shape)), build,
               (input._data, m, source._data), (input, None, source), dt)


def masked_scatter(input, mask, source) -> Tensor:
    """torch.masked_scatter: input's elements where mask is True replaced by source's, in order."""
    _masked_scatter_check(input, mask, source)
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    return _masked_scatter_impl(input, mask, source, shape)


def masked_scatter_(self, mask, source) -> Tensor:
    """torch.Tensor.masked_scatter_ (mask broadcasts to self)."""
    _masked_scatter_check(self, mask, source)
    shape = tuple(self.shape)
    if mask.dim() > len(shape):
        raise RuntimeError(f"expand(CPUBoolType{{{list(mask.shape)}}}, size={list(shape)}): the "
                           f"number of sizes provided ({len(shape)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({mask.dim()})")
    if broadcast_shapes(tuple(mask.shape), shape) != shape:
        raise RuntimeError(f"The expanded size of the tensor must match the existing size: mask "
                           f"{list(mask.shape)} cannot be expanded to {list(shape)}")
    return inplace(self, _masked_scatter_impl(self, mask, source, shape))


# ---------------------------------------------------------------- take_along_dim / put

_take_along_dim = Op("take_along_dim", saved=None)  # torch saves only the index/mask


def take_along_dim(input, indices, dim=None, *, out=None) -> Tensor:
    """torch.take_along_dim: gather along dim after broadcasting (dim None: flattened input)."""
    _need_tensor(input, "take_along_dim", "input", 1)
    _need_tensor(indices, "take_along_dim", "indices", 2)
    if indices._dtype is not _dt.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices._dtype._tag}")
    dt = input._dtype
    if dim is None:
        n = input.numel()
        _bounds(indices._data, n, "index {index} is out of bounds for dimension 0 with size {size}",
                RuntimeError, 0)
        r = run(_take_along_dim, None,
                lambda: (lambda a, i: jnp.take(a.reshape(-1), i.reshape(-1), axis=0)),
                (input._data, indices._data), (input, None), dt)
        return r if out is None else set_out(out, r)
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input.dim())
    if input.dim() != indices.dim():
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {input.dim()} dimensions for input, and "
                           f"{indices.dim()} dimensions for indices")
    xs, ix = list(input.shape), list(indices.shape)
    xs[d] = ix[d] = 1
    bshape = broadcast_shapes(tuple(xs), tuple(ix))
    size = input.shape[d]
    # torch wraps negative indices here (x[..., -1] is the last); beyond [-size, size) raise.
    _bounds(indices._data, size, "index {index} is out of bounds for dimension " + str(d) +
            " with size {size}", RuntimeError)
    ashape = bshape[:d] + (input.shape[d],) + bshape[d + 1:]
    ishape = bshape[:d] + (indices.shape[d],) + bshape[d + 1:]

    def build():
        def f(a, i):
            a = jnp.broadcast_to(a, ashape)
            i = jnp.broadcast_to(i, ishape)
            i = jnp.where(i < 0, i + size, i)
            return jnp.take_along_axis(a, i, axis=d)

        return f

    r = run(_take_along_dim, (d, ashape, ishape), build, (input._data, indices._data),
            (input, None), dt)
    return r if out is None else set_out(out, r)


_put = Op("put", saved=None)  # torch saves only the index/mask


def put(input, index, source, accumulate: bool = False) -> Tensor:
    """torch.put: source written (or added) at flat positions ``index`` of input."""
    _need_tensor(input, "put", "input", 1)
    _need_tensor(index, "put", "index", 2)
    _need_tensor(source, "put", "source", 3)
    if index._dtype is not _dt.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {index._dtype._tag}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input._dtype._tag} and source.dtype = "
                           f"{source._dtype._tag}")
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, "
                         f"but got source.numel() = {source.numel()}, index.numel() = "
                         f"{index.numel()}")
    n = input.numel()
    ix = index._data
    if not isinstance(ix, jax.core.Tracer) and ix.size:
        lo, hi = int(jnp.min(ix)), int(jnp.max(ix))
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on a "
                             f"tensor of {n} elements.")
    dt = input._dtype
    shape = tuple(input.shape)
    acc = bool(accumulate)

    def build():
        def f(a, i, s):
            ref = a.reshape(-1).at[i.reshape(-1)]
            v = s.reshape(-1).astype(a.dtype)
            if acc:
                r = ref.max(v) if a.dtype == np.bool_ else ref.add(v)
            else:
                r = ref.set(v)
            return r.reshape(shape)

        return f

    return run(_put, (shape, acc), build, (input._data, ix, source._data), (input, None, source),
               dt)


def put_(self, index, source, accumulate: bool = False) -> Tensor:
    """torch.Tensor.put_."""
    return inplace(self, put(self, index, source, accumulate))


# ---------------------------------------------------------------- export

export(index_add, inplace=index_add_)
export(index_copy, inplace=index_copy_)
export(index_fill, inplace=index_fill_)
export(index_reduce, inplace=index_reduce_)
export(scatter_reduce, inplace=scatter_reduce_)
export(masked_scatter, inplace=masked_scatter_)
export(take_along_dim)
export(put, inplace=put_)

__all__ = ["index_add", "index_copy", "index_fill", "index_reduce", "scatter_reduce",
           "masked_scatter", "take_along_dim", "put"]
