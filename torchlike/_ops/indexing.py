"""Indexing: __getitem__/__setitem__, index_select, gather, scatter, masked ops, take, nonzero,
index_put, copy_, fill_, zero_."""

from __future__ import annotations

import weakref

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core import ragged as _ragged
from .._core import views as _views
from .._core.device import onto
from .._core.grad_mode import GRAD_ENABLED
from .._core.kernel_cache import register as _bounded
from .._core.registry import (
    Op,
    broadcast_shapes,
    export,
    inplace,
    method,
    operand,
    run,
    set_out,
    wrap_dim,
)
from .._core.tensor import Tensor
from .._core.tracing import GraphBreak
from .shape import index_view, index_view_parts, view_tensor

_make = Tensor._make


def concrete(arr, opname: str):
    """The value of ``arr`` as numpy; GraphBreak(opname) when it is traced (under compile)."""
    if isinstance(arr, jax.core.Tracer):
        raise GraphBreak(opname)
    return np.asarray(arr)


def _int_index(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._dtype not in (_dt.int64, _dt.int32, _dt.int16, _dt.int8, _dt.uint8):
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    return index._data


# The (min, max) of an index array, computed by one small kernel and read in one host transfer.
_minmax = jax.jit(lambda i: jnp.stack([jnp.min(i).astype(jnp.int64), jnp.max(i).astype(jnp.int64)]))
_bounded({"minmax": _minmax})  # one executable per index shape, bounded like the others

# id(index array) -> (weak reference, min, max): an index tensor reused call after call (the
# usual ``x[idx]`` in a loop) is read once.  jax arrays are immutable, and an in-place write to
# an index tensor replaces its array, so identity is enough; the weak reference guards against
# a reused id.
_SEEN: dict = {}
_SEEN_LIMIT = 1024


def _index_range(idx):
    hit = _SEEN.get(id(idx))
    if hit is not None and hit[0]() is idx:
        return hit[1], hit[2]
    lo, hi = np.asarray(_minmax(idx)).tolist()
    if len(_SEEN) >= _SEEN_LIMIT:
        _SEEN.clear()
    _SEEN[id(idx)] = (weakref.ref(idx), lo, hi)
    return lo, hi


def _bounds(idx, size, fmt, exc=IndexError, lowest=None):
    """Raise ``exc`` when an index is outside [lowest, size) (lowest: -size, negatives wrap)."""
    if isinstance(idx, jax.core.Tracer) or idx.size == 0:
        return
    lo, hi = _index_range(idx)
    if lo < (-size if lowest is None else lowest) or hi >= size:
        raise exc(fmt.format(index=hi if hi >= size else lo, size=size))


# ---------------------------------------------------------------- __getitem__


_adv_get = Op("index", "IndexBackward0")


def _is_basic(e):
    return (e is None or e is Ellipsis
            or isinstance(e, (int, slice, np.integer)) and not isinstance(e, bool))


def _expand_ellipsis(idx, ndim):
    consumed = 0
    for e in idx:
        if e is None or e is Ellipsis:
            continue
        if isinstance(e, Tensor) and e._dtype is _dt.bool or isinstance(e, (bool, np.bool_)):
            consumed += e.dim() if isinstance(e, Tensor) else 0
        elif isinstance(e, np.ndarray) and e.dtype == np.bool_:
            consumed += e.ndim
        else:
            consumed += 1
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out = []
    seen = False
    for e in idx:
        if e is Ellipsis:
            if seen:
                raise IndexError("an index can only have a single ellipsis ('...')")
            seen = True
            out.extend([slice(None)] * (ndim - consumed))
        else:
            out.append(e)
    return out


def _basic_spec(self, idx):
    shape = self.shape
    spec, d = [], 0
    for e in idx:
        if e is None:
            spec.append(("n",))
            continue
        size = shape[d]
        if isinstance(e, slice):
            if e.step is not None and int(e.step) <= 0:
                raise ValueError("step must be greater than zero")
            start, stop, step = e.indices(size)
            length = len(range(start, stop, step))
            if length == size and step == 1:
                spec.append(("f",))
            else:
                spec.append(("s", start, length, step))
        else:
            i = int(e)
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {d} with size {size}")
            spec.append(("i", i + size if i < 0 else i))
        d += 1
    return spec


def _as_tuple(idx) -> tuple:
    """torch's treatSequenceAsTuple: x[[0, slice(None)]] means x[0, :]; x[[0, 1]] stays a list."""
    if isinstance(idx, tuple):
        return idx
    if isinstance(idx, list) and len(idx) < 32 and any(
            e is None or e is Ellipsis or isinstance(e, (slice, list, tuple, Tensor)) for e in idx):
        return tuple(idx)
    return (idx,)


def _is_int(e) -> bool:
    return isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_)) or (
        isinstance(e, Tensor) and e.dim() == 0 and e._dtype.category == _dt.INT and
        not isinstance(e._data, jax.core.Tracer))


def _select_ints_first(self, idx):
    """torch applies integer indices as selects before advanced indexing, so x[0, :, [1, 2]] is
    (x[0])[:, [1, 2]] of shape (3, 2), not numpy's (2, 3).  Returns (view, remaining index)."""
    idx = _expand_ellipsis(idx, self.dim())
    if not any(_is_int(e) for e in idx):
        return self, idx
    basic, rest = [], []
    for e in idx:
        if _is_int(e):
            basic.append(int(e))
        elif e is None:
            rest.append(None)
        else:
            if isinstance(e, (bool, np.bool_)):
                k = 0
            elif isinstance(e, Tensor) and e._dtype in (_dt.bool, _dt.uint8):
                k = e.dim()
            elif isinstance(e, np.ndarray) and e.dtype == np.bool_:
                k = e.ndim
            else:
                k = 1
            basic.extend([slice(None)] * k)
            rest.append(e)
    return index_view(self, _basic_spec(self, basic), "index"), rest


# Basic indexing of base tensors, by (shape, index): the (step, dyn, View) to reuse.  Views
# are immutable, so x[1:3] in a loop makes one View and one read kernel.
_BASIC_CACHE: dict = {}


def _idx_key(idx):
    """A hashable key for an index of Python ints, slices, None and Ellipsis; else None."""
    t = type(idx)
    if t is slice:
        a, b, c = idx.start, idx.stop, idx.step
        if (a is None or type(a) is int) and (b is None or type(b) is int) and (
                c is None or type(c) is int):
            return ((a, b, c),)
        return None
    if t is int:
        return idx
    if t is not tuple:
        return None
    key = []
    for e in idx:
        t = type(e)
        if t is int or e is None or e is Ellipsis:
            key.append(e)
        elif t is slice:
            a, b, c = e.start, e.stop, e.step
            if not ((a is None or type(a) is int) and (b is None or type(b) is int) and (
                    c is None or type(c) is int)):
                return None
            key.append((a, b, c))
        else:
            return None
    return tuple(key)


_ONE_ARR = (("arr",),)
_INT_INDEX = frozenset((_dt.int64, _dt.int32, _dt.int16, _dt.int8))


def _one_arr_build():
    return lambda a, i: a[i]


def _getitem(self, idx):
    if type(idx) is Tensor and idx._dtype is _dt.bool:
        r = _ragged.masked_rows(self, idx)
        if r is not None:
            return r
    if type(idx) is Tensor and idx._dtype in _INT_INDEX:
        # x[idx] with one integer index tensor: the common gather, without the general
        # normalisation (same kernel key as _advanced_index gives it).
        shape = self.shape
        if shape:
            arr = idx._data
            _bounds(arr, shape[0], "index {index} is out of bounds for dimension 0 with size "
                    "{size}")
            return run(_adv_get, _ONE_ARR, _one_arr_build, (self._data, arr), (self, None),
                       self._dtype)
    if self._view is None:
        k = _idx_key(idx)
        if k is not None:
            key = (self._storage.array.shape, k)
            hit = _BASIC_CACHE.get(key)
            if hit is None:
                if len(_BASIC_CACHE) > 4096:
                    _BASIC_CACHE.clear()
                hit = _BASIC_CACHE[key] = _basic_parts(self, _as_tuple(idx))
            return view_tensor(self, "index", *hit)
    idx = _as_tuple(idx)
    if all(_is_basic(e) for e in idx):
        return view_tensor(self, "index", *_basic_parts(self, idx))
    src, idx = _select_ints_first(self, idx)
    return _advanced_get(src, idx)


def _basic_parts(self, idx):
    """(step, dyn, View, grad_fn name) for a basic index (ints, slices, None, Ellipsis)."""
    if self.dim() == 0 and not all(e is None or e is Ellipsis for e in idx):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    return index_view_parts(self, _basic_spec(self, _expand_ellipsis(idx, self.dim()))) + (
        _basic_grad_name(idx),)


def _basic_grad_name(idx) -> str:
    """torch applies a basic index entry by entry; the result's grad_fn is the last one's."""
    for e in reversed(idx):
        if e is not Ellipsis:
            return ("UnsqueezeBackward0" if e is None else
                    "SliceBackward0" if isinstance(e, slice) else "SelectBackward0")
    return "AliasBackward0"


def _advanced_index(self, idx):
    """Normalise an advanced index to (static structure, dynamic index arrays)."""
    idx = _expand_ellipsis(idx, self.dim())
    shape = self.shape
    struct, arrays, d = [], [], 0
    for e in idx:
        if e is None:
            struct.append(None)
            continue
        if isinstance(e, slice):
            struct.append(("slice", e.start, e.stop, e.step))
            if e.step is not None and int(e.step) <= 0:
                raise ValueError("step must be greater than zero")
            d += 1
            continue
        if isinstance(e, (bool, np.bool_)):  # a new axis of size 1 (True) or 0 (False)
            struct.append(("const", bool(e)))
            continue
        if isinstance(e, (list, tuple, np.ndarray, int, np.integer)):
            from .creation import tensor

            e = tensor(e)
        if isinstance(e, str):
            raise TypeError("new(): invalid data type 'str'")
        if not isinstance(e, Tensor):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "or bool tensors are valid indices (got " + type(e).__name__ + ")")
        if e._dtype in (_dt.bool, _dt.uint8):
            m = concrete(e._data, "Tensor.__getitem__ (boolean mask)")
            for k in range(m.ndim):
                if d + k >= len(shape) or m.shape[k] != shape[d + k]:
                    raise IndexError(f"The shape of the mask {list(m.shape)} at index {k} does not "
                                     f"match the shape of the indexed tensor {list(shape)} at "
                                     f"index {d + k}")
            if m.ndim == 0:
                struct.append(("const", bool(m)))
                continue
            for nz in np.nonzero(m):
                struct.append(("arr",))
                arrays.append(jnp.asarray(nz))
            d += m.ndim
            continue
        if e._dtype.category != _dt.INT:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        _bounds(e._data, shape[d], "index {index} is out of bounds for dimension " + str(d) +
                " with size {size}")
        struct.append(("arr",))
        arrays.append(e._data)
        d += 1
    return tuple(struct), arrays


def _jax_index(struct, arrays):
    out, it = [], iter(arrays)
    for s in struct:
        if s is None:
            out.append(None)
        elif s[0] == "slice":
            out.append(slice(s[1], s[2], s[3]))
        elif s[0] == "const":
            out.append(s[1])
        else:
            out.append(next(it))
    return tuple(out)


def _advanced_get(self, idx):
    struct, arrays = _advanced_index(self, idx)

    def build():
        return lambda a, *ix: a[_jax_index(struct, ix)]

    return run(_adv_get, struct, build, (self._data, *arrays), (self,) + (None,) * len(arrays),
               self._dtype)


# ---------------------------------------------------------------- __setitem__


_index_put = Op("index_put", "IndexPutBackward0")


def _value_array(self, value):
    v, dv, kv = operand(value, "value")
    return v


_SCALARS = (bool, int, float, complex, np.number, np.bool_)


def _setitem(self, idx, value):
    idx = _as_tuple(idx)
    if isinstance(value, Tensor):
        # torch drops the value's leading size-1 dims: x[0] = torch.ones(1, 4) is fine.
        n = 0
        while n < value.dim() and value.shape[n] == 1:
            n += 1
        if n:
            from .shape import reshape

            value = reshape(value, tuple(value.shape[n:]))
    elif not isinstance(value, _SCALARS):
        kind = type(value)
        name = kind.__name__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        raise TypeError(f"can't assign a {name} to a {self.type()}")
    if all(_is_basic(e) for e in idx):
        if self.dim() == 0 and all(e is None or e is Ellipsis for e in idx):
            return copy_(self, value)
        target = index_view(self, _basic_spec(self, _expand_ellipsis(idx, self.dim())), "index")
        if isinstance(value, Tensor) and value.shape != target.shape:
            from .shape import expand

            value = expand(value, tuple(target.shape))  # torch's errors for a bad value shape
        copy_(target, value)
        return
    # One boolean mask and one value is torch's masked_fill_ (which casts the value); for a
    # full-shape mask that is a where(): no data-dependent shapes, so it also compiles.
    one_mask = len(idx) == 1 and isinstance(idx[0], Tensor) and idx[0]._dtype is _dt.bool
    if one_mask and isinstance(value, Tensor) and _ragged.assign_rows(self, idx[0], value):
        return
    if one_mask and not (isinstance(value, Tensor) and value.dim() > 0):
        if tuple(idx[0].shape) == tuple(self.shape):
            from .pointwise import where

            v = value if isinstance(value, Tensor) else _scalar_for(self, value)
            inplace(self, where(idx[0], v, self).to(self._dtype))
            return
        if isinstance(value, Tensor) and value._dtype is not self._dtype:
            from .convert import _cast

            value = _cast(value, self._dtype)
    # Otherwise a tensor value must have self's dtype (index_put_ raises torch's error).
    target, idx = _select_ints_first(self, idx)
    index_put_(target, idx, value if isinstance(value, Tensor) else _scalar_for(self, value))


def _scalar_for(self, value):
    from .creation import tensor

    device = self.device if self.device.type != "cpu" else None
    return tensor(value, dtype=self._dtype, device=device)


def index_put(input, indices, values, accumulate: bool = False) -> Tensor:
    """torch.index_put: out-of-place ``input[indices] = values`` (or += with accumulate)."""
    if not isinstance(values, Tensor):
        values = _scalar_for(input, values)
    elif values._dtype is not input._dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input._dtype._tag} for the destination and {values._dtype._tag} for "
                           f"the source.")
    struct, arrays = _advanced_index(input, tuple(indices))
    key = (struct, bool(accumulate), input._dtype)

    def build():
        def f(a, v, *ix):
            ref = a.at[_jax_index(struct, ix)]
            v = v.astype(a.dtype)
            if not accumulate:
                return ref.set(v)
            if a.dtype == jnp.bool_:  # accumulating bools is a logical or, as in torch
                return ref.max(v)
            return ref.add(v)

        return f

    try:
        return run(_index_put, key, build, (input._data, values._data, *arrays),
                   (input, values) + (None,) * len(arrays), input._dtype)
    except (ValueError, TypeError):
        got = jax.eval_shape(lambda a, *ix: a[_jax_index(struct, ix)], input._data, *arrays).shape
        try:
            broadcast_shapes(tuple(values.shape), tuple(got))
            ok = len(values.shape) <= len(got)
        except RuntimeError:
            ok = False
        if ok:
            raise
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(got)}") from None


def index_put_(self, indices, values, accumulate: bool = False) -> Tensor:
    """torch.Tensor.index_put_."""
    return inplace(self, index_put(self, indices, values, accumulate))


Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem

# ---------------------------------------------------------------- copy / fill


_copy = Op("copy_", "CopyBackwards", saved=None)


def copy_(self, src, non_blocking: bool = False) -> Tensor:
    """torch.Tensor.copy_: broadcast src into self, cast to self's dtype."""
    if not isinstance(src, Tensor):
        src = _scalar_for(self, src)
    ss, ds = tuple(self.shape), tuple(src.shape)
    if ss != ds and broadcast_shapes(ss, ds) != ss:
        raise RuntimeError(f"output with shape {list(ss)} doesn't match the broadcast shape "
                           f"{list(broadcast_shapes(ss, ds))}")
    dt = self._dtype
    sa = onto(src._data, self._storage.array)  # copy_ keeps self's device, as torch
    if GRAD_ENABLED[0] and self._requires_grad:
        # self's old value is an input whose gradient is zero: the write cuts its history.
        r = run(_copy, (ss, dt, True),
                lambda: (lambda s, old: _dt.astype(jnp.broadcast_to(s, ss), dt)),
                (sa, self._data), (src, self), dt)
    else:
        r = run(_copy, (ss, dt), lambda: (lambda s: _dt.astype(jnp.broadcast_to(s, ss), dt)),
                (sa,), (src,), dt)
    return inplace(self, r)


_fill = Op("fill_", "FillBackward0", saved=None)


def fill_(self, value) -> Tensor:
    """torch.Tensor.fill_ (value: a number or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        return copy_(self, value)
    v, dv, _ = operand(value, "value")
    shape, dt = tuple(self.shape), self._dtype
    if GRAD_ENABLED[0] and self._requires_grad:  # as in copy_: self's history is cut
        r = run(_fill, (shape, dt, True), lambda: (lambda x, old: jnp.full(shape, x, dt.np)),
                (v, self._data), (None, self), dt)
    else:
        r = run(_fill, (shape, dt), lambda: (lambda x: jnp.full(shape, x, dt.np)), (v,), (None,),
                dt)
    return _uniform_inplace(self, r)


def _uniform_inplace(self, r):
    """``inplace`` for fill_/masked_fill_, which torch lets write through expanded views."""
    v = self._view
    if v is not None and v.overlapping and not (self._requires_grad or r._requires_grad):
        _views.write(self, r._data, overlap_ok=True)
        return self
    return inplace(self, r)


def zero_(self) -> Tensor:
    """torch.Tensor.zero_."""
    return fill_(self, 0)


def fill(input, value) -> Tensor:
    """torch.fill: a filled copy."""
    from .shape import clone

    return fill_(clone(input), value)


method(copy_)
method(fill_)
method(zero_)
export(fill, method=False)

# ---------------------------------------------------------------- selection ops

_index_select = Op("index_select")


def index_select(input, dim: int, index, *, out=None) -> Tensor:
    """torch.index_select (§13)."""
    ix = _int_index(index, "index_select")
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = wrap_dim(dim, input.dim())
    size = input.shape[d] if input.dim() else 1
    if input.dim() == 0 and index.numel() != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{index.numel()} value(s)")
    if not isinstance(ix, jax.core.Tracer) and ix.size:
        if int(jnp.min(ix)) < 0 or int(jnp.max(ix)) >= size:
            raise IndexError("index out of range in self")
    key = (d, input.dim() == 0)

    def build():
        def f(a, i):
            if a.ndim == 0:  # a 0-dim input gives a 0-dim result
                return a
            return jnp.take(a, i.reshape(-1), axis=d)

        return f

    r = run(_index_select, key, build, (input._data, ix), (input, None), input._dtype)
    return r if out is None else _set_out_same_dtype(out, r)


def _set_out_same_dtype(out, r):
    """set_out for ops whose out= must already have the result's dtype (gather, index_select)."""
    if isinstance(out, Tensor) and out._dtype is not r._dtype:
        want, got = (_CPP_NAME.get(t._dtype.name, t._dtype.name) for t in (r, out))
        raise RuntimeError(f"Expected out tensor to have dtype {want}, but got {got} instead")
    return set_out(out, r)


_gather = Op("gather")


def gather(input, dim: int, index, *, sparse_grad: bool = False, out=None) -> Tensor:
    """torch.gather: ``out[i][j][k] = input[index[i][j][k]][j][k]`` for dim 0 (§13)."""
    if isinstance(index, Tensor) and index.numel() == 0:
        # torch checks only dim for an empty index (not its rank, sizes or dtype)
        d = wrap_dim(dim, max(input.dim(), 1))
        ishape = tuple(index.shape)
        r = run(_gather, (d, ishape, "empty"),
                lambda: (lambda a: jnp.zeros(ishape, a.dtype)), (input._data,), (input,),
                input._dtype)
        return r if out is None else _set_out_same_dtype(out, r)
    ix = _int_index(index, "gather")
    n = max(input.dim(), 1)
    d = wrap_dim(dim, n)
    if index.dim() != input.dim() and not (index.dim() <= 1 and input.dim() <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    ishape, xshape = tuple(index.shape), tuple(input.shape) or (1,)
    for k in range(len(ishape)):
        if k != d and ishape[k] > xshape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{list(ishape)} to be no larger than self {list(xshape)} apart "
                               f"from dimension {d}")
    _bounds(ix, xshape[d], "index {index} is out of bounds for dimension " + str(d) +
            " with size {size}", RuntimeError, 0)
    key = (d, ishape)

    def build():
        def f(a, i):
            sh = a.shape
            a = a.reshape(sh or (1,))
            i = i.reshape(ishape or (1,))
            sl = tuple(slice(0, i.shape[k]) if k != d else slice(None) for k in range(a.ndim))
            return jnp.take_along_axis(a[sl], i, axis=d).reshape(ishape)

        return f

    r = run(_gather, key, build, (input._data, ix), (input, None), input._dtype)
    return r if out is None else _set_out_same_dtype(out, r)


_scatter = Op("scatter")


def _empty_scatter(input, src, dim, op):
    """A scatter with an empty index: a copy of input (torch checks only dim and dtypes)."""
    d = wrap_dim(dim, max(input.dim(), 1))
    if isinstance(src, Tensor):
        if src._dtype is not input._dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        return run(op, (d, "empty", True), lambda: (lambda a, s: a), (input._data, src._data),
                   (input, src), input._dtype)
    return run(op, (d, "empty", False), lambda: (lambda a: a), (input._data,), (input,),
               input._dtype)


def _scatter_impl(input, dim, index, src, reduce, opname):
    if isinstance(index, Tensor) and index.numel() == 0:
        return _empty_scatter(input, src, dim, _scatter)
    ix = _int_index(index, opname)
    d = wrap_dim(dim, max(input.dim(), 1))
    xshape = tuple(input.shape)
    ishape = tuple(index.shape)
    if index.dim() != input.dim() and index.numel() > 1:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    scalar_src = not isinstance(src, Tensor)
    if not scalar_src:
        if src._dtype is not input._dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if index.dim() != src.dim() and index.numel() > 1:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    elif isinstance(src, (complex, np.complexfloating)) and not input._dtype.is_complex:
        raise RuntimeError(f"value cannot be converted to type "
                           f"{_CPP_NAME.get(input._dtype.name, input._dtype.name)} without "
                           "overflow")
    for k in range(len(ishape)):
        if (k != d and xshape and ishape[k] > xshape[k]) or \
                (not scalar_src and ishape[k] > (src.shape or (1,))[k]):
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self "
                               f"{list(xshape)} apart from dimension {d} and to be no larger "
                               f"size than src {list(src.shape) if not scalar_src else []}")
    _bounds(ix, (xshape or (1,))[d], "index {index} is out of bounds for dimension " + str(d) +
            " with size {size}", RuntimeError, 0)
    sv = operand(src, "src")[0]
    key = (d, ishape, reduce, input._dtype, scalar_src)

    def build():
        def f(a, i, s):
            sh = a.shape
            a = a.reshape(sh or (1,))
            i = i.reshape(ishape or (1,))
            if scalar_src:
                vals = jnp.full(i.shape, s, a.dtype)
            else:
                s = s.reshape(s.shape or (1,))
                vals = s[tuple(slice(0, n) for n in i.shape)].astype(a.dtype)
            grids = list(jnp.indices(i.shape, sparse=True))
            grids[d] = i
            ref = a.at[tuple(grids)]
            boolean = a.dtype == jnp.bool_  # add is a logical or, multiply an and, as in torch
            if reduce in ("add", "sum"):
                r = ref.max(vals) if boolean else ref.add(vals)
            elif reduce in ("multiply", "prod"):
                r = ref.min(vals) if boolean else ref.multiply(vals)
            else:
                r = ref.set(vals)
            return r.reshape(sh)

        return f

    return run(_scatter, key, build, (input._data, ix, sv),
               (input, None, None if scalar_src else src), input._dtype)


def scatter(input, dim: int, index, src=None, *, value=None, reduce: str | None = None,
            out=None) -> Tensor:
    """torch.scatter (src tensor or scalar value; reduce 'add' / 'multiply')."""
    if src is None:
        src = value
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    r = _scatter_impl(input, dim, index, src, reduce, "scatter")
    return r if out is None else set_out(out, r)


def scatter_(self, dim: int, index, src=None, *, value=None, reduce: str | None = None) -> Tensor:
    """torch.Tensor.scatter_."""
    return inplace(self, scatter(self, dim, index, src, value=value, reduce=reduce))


def scatter_add(input, dim: int, index, src) -> Tensor:
    """torch.scatter_add."""
    return _scatter_impl(input, dim, index, src, "add", "scatter_add")


_masked_select = Op("masked_select")


def masked_select(input, mask, *, out=None) -> Tensor:
    """torch.masked_select: the selected elements as a 1-D tensor (§13)."""
    if not isinstance(mask, Tensor) or mask._dtype is not _dt.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    if out is None and shape:
        r = _ragged.masked_rows(input if input.shape == shape else input.expand(shape),
                                mask if mask.shape == shape else mask.expand(shape))
        if r is not None:
            return r
    m = concrete(jnp.broadcast_to(mask._data, shape), "masked_select")
    pos = jnp.asarray(np.flatnonzero(m))
    r = run(_masked_select, shape, lambda: (lambda a, p: jnp.broadcast_to(a, shape).reshape(-1)[p]),
            (input._data, pos), (input, None), input._dtype)
    return r if out is None else set_out(out, r)


_masked_fill = Op("masked_fill")


def masked_fill(input, mask, value) -> Tensor:
    """torch.masked_fill (value: a number or 0-dim tensor)."""
    if not isinstance(mask, Tensor) or mask._dtype is not _dt.bool:
        got = _CPP_NAME.get(mask._dtype.name, mask._dtype.name) if isinstance(mask, Tensor) \
            else type(mask).__name__
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{got}")
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.dim()} dimension(s).")
    v, dv, kv = operand(value, "value")
    if dv.is_complex and not input._dtype.is_complex:
        name = input._dtype.name
        name = {"float32": "float", "float64": "double", "bool": "bool"}.get(name, name + "_t")
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    shape = broadcast_shapes(tuple(mask.shape), tuple(input.shape))
    dt = input._dtype
    if dt.category < dv.category and kv == 2:
        # torch refuses e.g. a float value for an int tensor only in-place; out-of-place it casts.
        pass
    key = (shape, dt, kv == 2)
    r = run(_masked_fill, key,
            lambda: (lambda a, m, x: jnp.where(m, jnp.asarray(x).astype(dt.np),
                                               jnp.broadcast_to(a, shape))),
            (input._data, mask._data, v), (input, None, value if kv != 2 else None), dt)
    return r


def masked_fill_(self, mask, value) -> Tensor:
    """torch.Tensor.masked_fill_."""
    return _uniform_inplace(self, masked_fill(self, mask, value))


# The C++ type names torch prints in some messages.
_CPP_NAME = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "float32": "float", "float64": "double",
             "float16": "c10::Half", "bfloat16": "c10::BFloat16"}

_take = Op("take")


def take(input, index, axis: int | None = None) -> Tensor:
    """torch.take: index into the flattened input (§13).  ``axis`` (NumPy's form, not torch's;
    visdom calls ``X.take(k, 1)`` on what it is given) takes along that dim instead."""
    if axis is not None:
        if isinstance(index, (int, np.integer)):
            return input.select(axis, int(index))
        from .creation import tensor

        return index_select(input, axis, index if isinstance(index, Tensor) else tensor(index))
    ix = _int_index(index, "take")
    n = input.numel()
    if not isinstance(ix, jax.core.Tracer) and ix.size:
        lo, hi = int(jnp.min(ix)), int(jnp.max(ix))
        if lo < -n or hi >= n:
            bad = hi if hi >= n else lo
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
    return run(_take, None, lambda: (lambda a, i: a.reshape(-1)[i]), (input._data, ix),
               (input, None), input._dtype)


def nonzero(input, *, out=None, as_tuple: bool = False):
    """torch.nonzero: an (n, ndim) int64 tensor of coordinates, or a tuple of 1-D tensors (§13)."""
    r = None
    if input.dim() and not isinstance(input._storage.array, jax.core.Tracer):
        r = _ragged.nonzero(input)
    if r is not None:
        if as_tuple:
            n, cols = r.shape[0], r._storage.array
            return tuple(_ragged.padded(cols[:, j], n, _dt.int64) for j in range(input.dim()))
        return r if out is None else set_out(out, r)
    a = concrete(input._data, "nonzero")
    if as_tuple:
        return tuple(_make(jnp.asarray(ix, dtype=jnp.int64), _dt.int64)
                     for ix in np.nonzero(np.atleast_1d(a)))
    r = _make(jnp.asarray(np.argwhere(a), dtype=jnp.int64), _dt.int64)  # (n, ndim), 0-dim too
    return r if out is None else set_out(out, r)


def nonzero_static(input, *, size: int, fill_value: int = -1) -> Tensor:
    """torch.nonzero_static: nonzero's (n, ndim) coordinates, cut or padded to ``size`` rows."""
    size = int(size)
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got "
                           f"{size}")
    n = input.dim()

    def build():
        def f(a):
            cols = jnp.nonzero(a.reshape(a.shape or (1,)), size=size, fill_value=fill_value)
            return jnp.stack(cols[:n], axis=1) if n else jnp.zeros((size, 0), jnp.int64)

        return f

    return run(_nonzero_static, (size, int(fill_value), n), build, (input._data,), (None,),
               _dt.int64)


_nonzero_static = Op("nonzero_static", differentiable=False)


def unravel_index(indices, shape) -> tuple:
    """torch.unravel_index: coordinates of flat ``indices`` in ``shape`` (one tensor per dim)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices).__name__}")
    if indices._dtype.category != _dt.INT:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices._dtype}")
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))

    def build():
        def f(a):
            # floor division and modulo, as torch: out-of-range indices wrap, no error
            out, rest = [], a.astype(jnp.int64)
            for s in reversed(shape):
                out.append(rest % s)
                rest = rest // s
            return tuple(reversed(out))

        return f

    res = run(_unravel, shape, build, (indices._data,), (None,), (_dt.int64,) * len(shape),
              multi=True)
    return tuple(res)


_unravel = Op("unravel_index", differentiable=False)


def argwhere(input) -> Tensor:
    """torch.argwhere."""
    return nonzero(input)


for _f in (index_select, gather, scatter, scatter_add, masked_select, masked_fill, take, nonzero,
           argwhere, index_put, nonzero_static):
    export(_f)
export(unravel_index, method=False)
method(scatter_)
method(masked_fill_)
method(index_put_)
Tensor.scatter_add_ = lambda self, dim, index, src: inplace(
    self, scatter_add(self, dim, index, src))

__all__ = [
    "nonzero_static", "unravel_index", "index_select", "gather", "scatter", "scatter_add",
    "masked_select", "masked_fill", "take", "nonzero", "argwhere", "index_put", "fill",
    "fill_", "zero_",
]
