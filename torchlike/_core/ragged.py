"""Value-dependent sizes (``x[mask]``, ``masked_select``, ``nonzero``) without a compile per size.

XLA kernels are shape-specialised, so an output whose length depends on the data would make
every op after it compile again for each new length (~30 ms an op) and keep the executables.
Such an output lives instead in a storage padded to a size bucket (a power of two, at most
the input's size) behind a ``PadView``: the contiguous view of its first ``n`` rows.  To torch
code it is an ordinary tensor of ``n`` rows (not a view: ``_is_view()`` is False).

Elementwise ops and reductions whose operands line up with the padding run on the padded
array (one kernel per bucket; a reduction over the rows masks the padding and gets ``n`` as
data) and give a padded result or an exact one.  Everything else reads the view, which cuts
the ``n`` rows out, so results never depend on the padding.  Only tensors that take no part
in autograd are padded or computed padded: the registry falls back to the exact array when an
operand requires grad.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from . import dtypes as _dt
from . import views as _views
from .grad_mode import GRAD_ENABLED
from .kernel_cache import register as _bounded
from .tensor import Tensor
from .views import View, contiguous_strides

_make = Tensor._make
_Tracer = jax.core.Tracer
_MIN_BUCKET = 16


class PadView(View):
    """The first ``shape[0]`` rows of a storage padded past them (see the module docstring)."""

    __slots__ = ()
    pad = True


_slicers: dict = _bounded({})


def _slicer(n: int):
    k = _slicers.get(n)
    if k is None:
        k = _slicers[n] = jax.jit(lambda a: lax.slice_in_dim(a, 0, n, axis=0))
    return k


def bucket(n: int, cap: int) -> int:
    """The padded length for ``n`` rows out of at most ``cap``."""
    if n <= _MIN_BUCKET:
        return min(cap, _MIN_BUCKET)
    return min(cap, 1 << (n - 1).bit_length())


def padded(arr, n: int, dt) -> Tensor:
    """A tensor of ``arr``'s first ``n`` rows (``arr`` itself when nothing is padded)."""
    t = _make(arr, dt)
    if arr.shape[0] != n:
        shape = (n,) + arr.shape[1:]
        v = PadView((("index", (("s", n, 1),)),), (0,), shape, contiguous_strides(shape), 0,
                    arr.shape)
        v.kernel = _slicer(n)
        t._view = v
    return t


def _whole(t: Tensor) -> Tensor:
    """A plain tensor on ``t``'s padded array."""
    return _make(t._storage.array, t._dtype)


def _rows(t) -> tuple | None:
    """(n, padded length) when ``t`` is a padded tensor outside autograd, else None."""
    if isinstance(t, Tensor):
        v = t._view
        if v is not None and v.pad and not t._requires_grad:
            return v.shape[0], t._storage.array.shape[0]
    return None


def write_rows(self: Tensor, result: Tensor) -> bool:
    """An in-place op's write of a padded result over a padded tensor alike: the whole padded
    array is replaced (the padding is never read).  False when they do not line up."""
    rv = result._view
    new = result._storage.array
    if rv is None or not rv.pad or rv.shape != self._view.shape or \
            new.shape != self._storage.array.shape:
        return False
    if new.dtype != self._dtype.np:
        new = new.astype(self._dtype.np)
    _views.replace(self._storage, new)
    return True


def unary(fn, input: Tensor) -> Tensor:
    """``fn`` of a padded tensor, computed on the padded array."""
    r = fn(_whole(input))
    return padded(r._storage.array, input._view.shape[0], r._dtype)


def binary(impl, input, other, out):
    """``impl(input, other)`` on the padded arrays when the operands line up, else None."""
    lead = input if _rows(input) is not None else other
    n, length = _rows(lead) or (None, None)
    if n is None:
        return None
    nd = lead.dim()
    args = []
    for x in (input, other):
        if isinstance(x, Tensor):
            if x._requires_grad and GRAD_ENABLED[0]:
                return None
            r = _rows(x)
            if r is not None:
                if r != (n, length) or x.dim() != nd:
                    return None
                x = _whole(x)
            elif x.dim() > nd or (x.dim() == nd and x.shape[0] != 1):
                return None  # it has rows of its own: use the exact array
        args.append(x)
    r = impl(args[0], args[1], None)
    r = padded(r._storage.array, n, r._dtype)
    if out is not None:
        from .registry import set_out

        return set_out(out, r)
    return r


# Reductions that can ignore padded rows by filling them with the reduction's identity.
def _fill(name: str, np_dtype):
    if name in ("sum", "nansum", "mean", "any", "count_nonzero"):
        return 0
    if name in ("prod", "all"):
        return 1
    if name in ("amax", "max", "amin", "min"):
        hi = name in ("amin", "min")
        if np.issubdtype(np_dtype, np.floating):
            return np.inf if hi else -np.inf
        if np_dtype == np.bool_:
            return hi
        info = np.iinfo(np_dtype)
        return info.max if hi else info.min
    return None


_reduce_kernels: dict = _bounded({})


def reduce(op, input: Tensor, dims, keepdim: bool, body, src, dst, key):
    """A reduction of a padded tensor on its padded array, or None when it cannot be one."""
    n = input._view.shape[0]
    a = input._storage.array
    if dims is not None and 0 not in dims:  # the rows survive: the result stays padded
        k = _reduce_kernels.get((op, key, "rows"))
        if k is None:
            k = _reduce_kernels[(op, key, "rows")] = jax.jit(
                lambda a: body(a.astype(src.np), dims, keepdim).astype(dst.np))
        return padded(k(a), n, dst)
    name = op.name
    fill = _fill(name, src.np)
    if fill is None:
        return None
    k = _reduce_kernels.get((op, key))
    if k is None:
        def f(a, n, count):
            a = a.astype(src.np)
            live = lax.broadcasted_iota(jnp.int32, a.shape, 0) < n
            a = jnp.where(live, a, jnp.asarray(fill, a.dtype))
            if name == "mean":  # the sum over the live elements, divided by their count
                return (jnp.sum(a, axis=dims, keepdims=keepdim) / count.astype(a.dtype)
                        ).astype(dst.np)
            return body(a, dims, keepdim).astype(dst.np)

        k = _reduce_kernels[(op, key)] = jax.jit(f)
    shape = input.shape
    count = n * int(np.prod([shape[d] for d in (dims or range(len(shape))) if d != 0]))
    return _make(k(a, np.int32(n), np.int64(count)), dst)


def _live(t: Tensor) -> bool:
    return not isinstance(t._storage.array, _Tracer) and not (
        GRAD_ENABLED[0] and t._requires_grad)


_counts = jax.jit(lambda a: jnp.count_nonzero(a).astype(jnp.int64))
_bounded({"count": _counts})  # one executable per mask shape
_gathers: dict = _bounded({})


def _first_fill(idx, m):
    # The padding repeats the first selected position, so padded rows hold values the data
    # has: an op's value checks (integer division by zero) see nothing torch would not.
    live = lax.iota(jnp.int32, idx.shape[0]) < jnp.count_nonzero(m)
    return jnp.where(live, idx, idx[0])


def _count(mask_arr) -> int:
    return int(_counts(mask_arr))


def masked_rows(self: Tensor, mask: Tensor):
    """``self[mask]`` for a bool mask over ``self``'s leading dims, padded; None if not that."""
    if not (_live(self) and _live(mask)):
        return None
    ms, shape = mask.shape, self.shape
    k = len(ms)
    if k == 0 or tuple(shape[:k]) != tuple(ms):
        return None
    m_arr = mask._data
    n = _count(m_arr)
    if n == 0:
        return None
    cells = int(np.prod(ms))
    length = bucket(n, cells)
    rest = tuple(shape[k:])
    key = (tuple(shape), k, length)
    g = _gathers.get(key)
    if g is None:
        def f(a, m):
            idx = _first_fill(jnp.nonzero(m.reshape(-1), size=length, fill_value=0)[0], m)
            return a.reshape((cells,) + rest)[idx]

        g = _gathers[key] = jax.jit(f)
    return padded(g(self._data, m_arr), n, self._dtype)


def assign_rows(self: Tensor, mask: Tensor, value: Tensor) -> bool:
    """``self[mask] = value`` for a padded ``value`` (``x[m] = x[m] * 2``) without cutting it to
    size; False (nothing written) when the operands are not that case."""
    r = _rows(value)
    if r is None or not (_live(self) and _live(mask)) or self._requires_grad or \
            value._dtype is not self._dtype:
        return False
    ms, shape = tuple(mask.shape), tuple(self.shape)
    k = len(ms)
    rest = shape[k:]
    if k == 0 or shape[:k] != ms or tuple(value.shape[1:]) != rest:
        return False
    m_arr = mask._data
    if _count(m_arr) != r[0]:
        return False  # the exact path raises torch's shape mismatch
    cells = int(np.prod(ms))
    key = (shape, k, r[1], "assign")
    g = _gathers.get(key)
    if g is None:
        def f(a, m, v):
            # padding rows get an out-of-range index and are dropped
            idx = jnp.nonzero(m.reshape(-1), size=r[1], fill_value=cells)[0]
            return a.reshape((cells,) + rest).at[idx].set(v, mode="drop").reshape(shape)

        g = _gathers[key] = jax.jit(f)
    _views.write(self, g(self._data, m_arr, value._storage.array))
    return True


def nonzero(input: Tensor):
    """torch.nonzero's (n, ndim) coordinates, padded; None when ``input`` is traced."""
    if isinstance(input._storage.array, _Tracer):
        return None
    a = input._data
    n = _count(a)
    if n == 0:
        return None
    length = bucket(n, max(a.size, 1))
    key = (a.shape, "nonzero", length)
    g = _gathers.get(key)
    if g is None:
        def f(a):
            cols = jnp.nonzero(a, size=length, fill_value=0)
            return jnp.stack([_first_fill(c, a) for c in cols], axis=1).astype(jnp.int64)

        g = _gathers[key] = jax.jit(f)
    return padded(g(a), n, _dt.int64)
