"""Layout ops: flips, rolls, repeats, splits and stacks, triangles and diagonals, meshgrid, unfold,
scatters into views (diagonal/select/slice/as_strided_scatter), *_copy variants, resize_.

Notes on views: torch's ``Tensor.unfold`` and ``as_strided`` return views.  torchlike's view
chains (see ``_core/views.py``) cannot express overlapping sliding windows or arbitrary strides,
so both return copies here: reading is the same, writing into their result does not reach the
input (documented in docs/differences.md).  ``as_strided`` reads the flat positions of the
input's storage, as torch does.
"""

from __future__ import annotations

import itertools
import math

import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from .._core import dtypes as _dt
from .._core import views as _views
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import (
    Op,
    as_shape,
    broadcast_shapes,
    export,
    inplace,
    result_type_of,
    run,
    set_out,
    wrap_dim,
    wrap_dims,
)
from .._core.tensor import Size, Tensor
from .._core.tracing import GraphBreak, concrete_or_break
from . import shape as _sh

_INT_TYPES = (int, np.integer)


def _need_tensor(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _is_int(x) -> bool:
    return isinstance(x, _INT_TYPES) and not isinstance(x, (bool, np.bool_))


def _int_list(x, fname, arg, pos):
    """An int or a sequence of ints (torch's IntArrayRef) → a tuple of ints."""
    if _is_int(x):
        return (int(x),)
    if isinstance(x, Tensor) and x.dim() <= 1 and x._dtype.category == _dt.INT:
        concrete_or_break(fname, x)  # sizes from a tensor's values
        return tuple(int(v) for v in np.asarray(x._data).reshape(-1))
    if isinstance(x, (tuple, list, Size)):
        out = []
        for v in x:
            if isinstance(v, Tensor) and v.numel() == 1 and v._dtype.category == _dt.INT:
                v = int(v)
            if not _is_int(v):
                raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of "
                                f"ints, but found element of type {type(v).__name__} at pos "
                                f"{len(out)}")
            out.append(int(v))
        return tuple(out)
    raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                    f"{type(x).__name__}")


def _varargs_ints(args, kw, kwname, fname):
    """Sizes/dims given as f(1, 2), f((1, 2)), f([1, 2]) or f(name=(1, 2))."""
    if kwname in kw:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument '{kwname}'")
        return _int_list(kw.pop(kwname), fname, kwname, 2)
    if kw:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kw))}'")
    if len(args) == 1 and not _is_int(args[0]):
        return _int_list(args[0], fname, kwname, 2)
    return _int_list(list(args), fname, kwname, 2)


def _unary_op(op, key, build, input):
    return run(op, key, build, (input._data,), (input,), input._dtype)


# ---------------------------------------------------------------- flip / roll / rot90


_flip_op = Op("flip", saved=None)
_FLIP_DIMS: dict = {}  # (dims as given, ndim) → normalised dims, for tuples of ints


def flip(input, dims) -> Tensor:
    """torch.flip: reverse the order of elements along dims."""
    _need_tensor(input, "flip")
    ds = _FLIP_DIMS.get((dims, input.dim())) if type(dims) is tuple and \
        all(type(d) is int for d in dims) else None
    if ds is not None:
        return _flip(input, ds)
    if _is_int(dims):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    key = dims if type(dims) is tuple and all(type(d) is int for d in dims) else None
    dims = _int_list(dims, "flip", "dims", 2)
    ds = wrap_dims(dims, input.dim()) if input.dim() else (wrap_dims(dims, 0) and ())
    if key is not None:
        _FLIP_DIMS[(key, input.dim())] = ds
    return _flip(input, ds)


def _tensor_flip(self, *dims, **kw):
    """torch.Tensor.flip: dims as varargs or one sequence."""
    dims = _varargs_ints(dims, kw, "dims", "flip")
    ds = wrap_dims(dims, self.dim()) if self.dim() else (wrap_dims(dims, 0) and ())
    return _flip(self, ds)


def _flip(input, ds):
    if not ds:
        return _sh.clone(input)
    return _unary_op(_flip_op, ds, lambda: (lambda a: jnp.flip(a, ds)), input)


def fliplr(input) -> Tensor:
    """torch.fliplr: flip along dim 1."""
    _need_tensor(input, "fliplr")
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return _flip(input, (1,))


def flipud(input) -> Tensor:
    """torch.flipud: flip along dim 0."""
    _need_tensor(input, "flipud")
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return _flip(input, (0,))


_roll_op = Op("roll", saved=None)


def roll(input, shifts, dims=None) -> Tensor:
    """torch.roll: shift elements circularly along dims (the flattened tensor if dims is None)."""
    _need_tensor(input, "roll")
    shifts = _int_list(shifts, "roll", "shifts", 2)
    dims = () if dims is None else _int_list(dims, "roll", "dims", 3)
    if not shifts:
        raise RuntimeError("`shifts` required")
    n = input.dim()
    if not dims and len(shifts) == 1:
        key = (None, shifts[0])
        if input.numel() == 0:
            return _sh.clone(input)
        return _unary_op(_roll_op, key,
                         lambda: (lambda a: jnp.roll(a.reshape(-1), shifts[0]).reshape(a.shape)),
                         input)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    if n == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    ds = tuple(wrap_dim(d, n) for d in dims)
    shape = tuple(input.shape)
    sh = tuple(s % shape[d] if shape[d] else 0 for s, d in zip(shifts, ds, strict=False))
    key = (ds, sh)
    return _unary_op(_roll_op, key, lambda: (lambda a: jnp.roll(a, sh, ds)), input)


_rot90_op = Op("rot90", saved=None)


def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:
    """torch.rot90: rotate by 90° k times in the plane of dims (first towards second)."""
    _need_tensor(input, "rot90")
    dims = _int_list(dims, "rot90", "dims", 3)
    n = input.dim()
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == n:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    k = int(k) % 4
    if k == 0:
        return _sh.clone(input)
    key = (k, d0, d1)
    return _unary_op(_rot90_op, key, lambda: (lambda a: jnp.rot90(a, k, (d0, d1))), input)


# ---------------------------------------------------------------- repeat / tile / repeat_interleave


_repeat_op = Op("repeat", saved=None)


def repeat(self, *sizes, **kw) -> Tensor:
    """torch.Tensor.repeat: tile the tensor sizes[i] times along each dim."""
    reps = _varargs_ints(sizes, kw, "repeats", "repeat")
    shape = tuple(self.shape)
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    padded = (1,) * (len(reps) - len(shape)) + shape
    out = tuple(p * r for p, r in zip(padded, reps, strict=False))
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(out)}")
    key = (padded, reps)
    return _unary_op(_repeat_op, key, lambda: (lambda a: jnp.tile(a.reshape(padded), reps)), self)


def tile(input, dims) -> Tensor:
    """torch.tile: repeat, with dims padded by leading ones to the input's rank."""
    _need_tensor(input, "tile")
    dims = _int_list(dims, "tile", "dims", 2)
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return repeat(input, dims)


def _tensor_tile(self, *dims):
    return tile(self, dims[0] if len(dims) == 1 and not _is_int(dims[0]) else dims)


_ri_op = Op("repeat_interleave", saved=None)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """torch.repeat_interleave: repeat each element (int or per-element tensor repeats)."""
    _need_tensor(input, "repeat_interleave")
    if repeats is None:
        # torch.repeat_interleave(repeats): indices 0..n-1 repeated repeats[i] times.
        reps = input
        if reps.dim() != 1 and reps.dim() != 0:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if reps._dtype.category != _dt.INT:
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                      f"'{reps._dtype._tag}'")
        r = np.asarray(_concrete(reps._data, "repeat_interleave")).reshape(-1)
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        idx = np.repeat(np.arange(r.size, dtype=np.int64), r)
        if output_size is not None and output_size != idx.size:
            raise RuntimeError("allocated size does not match required size")
        return Tensor._make(jnp.asarray(idx.astype(reps._dtype.np)), reps._dtype)
    x = input
    if dim is None:
        x = _sh.reshape(input, (-1,))
        d = 0
    else:
        d = wrap_dim(dim, input.dim())
        if x.dim() == 0:  # torch rejects a dim for 0-dim inputs
            if isinstance(repeats, Tensor):
                raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but "
                             "got 1)")
    size = x.shape[d]
    if isinstance(repeats, Tensor):
        if repeats.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if repeats._dtype.category != _dt.INT:
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                      f"'{repeats._dtype._tag}'")
        if repeats.numel() == 1:
            repeats = int(repeats)
        else:
            if repeats.shape[0] != size:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                                   f"repeats.size(0) = {repeats.shape[0]} and input.size({d}) = "
                                   f"{size}")
            rarr = repeats._data
            if output_size is None:
                r = np.asarray(_concrete(rarr, "repeat_interleave"))
                if (r < 0).any():
                    raise RuntimeError("repeats can not be negative")
                total = int(r.sum())
            else:
                total = int(output_size)
                r = None if _traced(rarr) else np.asarray(rarr)
                if r is not None and (r < 0).any():
                    raise RuntimeError("repeats can not be negative")
                if r is not None and int(r.sum()) != total:
                    raise RuntimeError("allocated size does not match required size")
            key = ("t", d, total)
            return run(_ri_op, key,
                       lambda: (lambda a, rp: jnp.repeat(a, rp, axis=d, total_repeat_length=total)),
                       (x._data, rarr), (x, None), x._dtype)
    if not _is_int(repeats):
        raise TypeError(f"repeat_interleave(): argument 'repeats' must be Tensor or int, not "
                        f"{type(repeats).__name__}")
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != size * repeats:
        raise RuntimeError("allocated size does not match required size")
    key = ("i", d, repeats)
    return _unary_op(_ri_op, key, lambda: (lambda a: jnp.repeat(a, repeats, axis=d)), x)


def _traced(arr) -> bool:
    import jax

    return isinstance(arr, jax.core.Tracer)


def _concrete(arr, opname):
    if _traced(arr):
        raise GraphBreak(opname, "its output shape depends on the repeats' values (pass "
                                 "output_size= to trace it)")
    return np.asarray(arr)


# ---------------------------------------------------------------- broadcast / atleast


def _tensor_list(tensors, fname):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t_).__name__}")
    return tuple(tensors)


def broadcast_tensors(*tensors) -> tuple:
    """torch.broadcast_tensors: expand every tensor to the common broadcast shape (views)."""
    for i, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t_).__name__}")
    shape = broadcast_shapes(*(tuple(t_.shape) for t_ in tensors))
    return tuple(_sh.expand(t_, shape) for t_ in tensors)


def _atleast(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return fn(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return tuple(fn(t_) for t_ in tensors)


def _al1(t_):
    _need_tensor(t_, "atleast_1d")
    return _sh.reshape(t_, (1,)) if t_.dim() == 0 else t_


def _al2(t_):
    _need_tensor(t_, "atleast_2d")
    n = t_.dim()
    if n == 0:
        return _sh.reshape(t_, (1, 1))
    return _sh.unsqueeze(t_, 0) if n == 1 else t_


def _al3(t_):
    _need_tensor(t_, "atleast_3d")
    n = t_.dim()
    if n == 0:
        return _sh.reshape(t_, (1, 1, 1))
    if n == 1:
        return _sh.unsqueeze(_sh.unsqueeze(t_, 0), -1)
    return _sh.unsqueeze(t_, -1) if n == 2 else t_


def atleast_1d(*tensors):
    """torch.atleast_1d: views with at least one dim (a tuple for several inputs)."""
    return _atleast(tensors, _al1)


def atleast_2d(*tensors):
    """torch.atleast_2d: views with at least two dims."""
    return _atleast(tensors, _al2)


def atleast_3d(*tensors):
    """torch.atleast_3d: views with at least three dims."""
    return _atleast(tensors, _al3)


# ---------------------------------------------------------------- stacks


def _stack_list(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{fname} expects a non-empty TensorList")
    for t_ in tensors:
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element in argument 0, but got "
                            f"{type(t_).__name__}")
    return tuple(tensors)


def hstack(tensors, *, out=None) -> Tensor:
    """torch.hstack: concatenate along dim 1 (dim 0 for 1-D inputs)."""
    ts = [_al1(t_) for t_ in _stack_list(tensors, "hstack")]
    return _sh.cat(ts, 0 if ts[0].dim() == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    """torch.vstack (alias row_stack): concatenate atleast_2d views along dim 0."""
    ts = [_al2(t_) for t_ in _stack_list(tensors, "vstack")]
    return _sh.cat(ts, 0, out=out)


def row_stack(tensors, *, out=None) -> Tensor:
    """torch.row_stack: alias of torch.vstack."""
    ts = [_al2(t_) for t_ in _stack_list(tensors, "row_stack")]
    return _sh.cat(ts, 0, out=out)


def dstack(tensors, *, out=None) -> Tensor:
    """torch.dstack: concatenate atleast_3d views along dim 2."""
    ts = [_al3(t_) for t_ in _stack_list(tensors, "dstack")]
    return _sh.cat(ts, 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    """torch.column_stack: 0-D/1-D inputs become columns; concatenate along dim 1."""
    ts = [_sh.reshape(t_, (t_.numel(), 1)) if t_.dim() <= 1 else t_
          for t_ in _stack_list(tensors, "column_stack")]
    return _sh.cat(ts, 1, out=out)


# ---------------------------------------------------------------- splits


def _split_at(input, d, bounds):
    """Views of input between consecutive (start, stop) pairs along d."""
    return tuple(_sh._slice_dim(input, d, s, e - s) for s, e in bounds)


def _sections(size, sections):
    q, r = divmod(size, sections)
    bounds, start = [], 0
    for i in range(sections):
        n = q + (1 if i < r else 0)
        bounds.append((start, start + n))
        start += n
    return bounds


def _index_bounds(size, indices):
    bounds, prev = [], 0
    for idx in list(indices) + [None]:
        s, e, _ = slice(prev, idx).indices(size)
        bounds.append((s, max(e, s)))
        prev = idx
    return bounds


def tensor_split(input, indices_or_sections=None, dim: int = 0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None) -> tuple:
    """torch.tensor_split: views split into n near-equal sections or at the given indices."""
    _need_tensor(input, "tensor_split")
    arg = next((a for a in (indices_or_sections, sections, indices, tensor_indices_or_sections)
                if a is not None), None)
    if arg is None:
        raise TypeError("tensor_split() missing required argument 'indices_or_sections'")
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    if isinstance(arg, Tensor):
        if arg._dtype is not _dt.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of "
                               f"long, but got {arg._dtype._tag}")
        if arg.dim() > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor with "
                               f"{arg.dim()} dims")
        concrete_or_break("tensor_split", arg)
        vals = np.asarray(arg._data)
        arg = int(vals) if arg.dim() == 0 else [int(v) for v in vals]
    d = wrap_dim(dim, input.dim())
    size = input.shape[d]
    if _is_int(arg):
        if arg <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {arg}")
        return _split_at(input, d, _sections(size, int(arg)))
    if not isinstance(arg, (list, tuple, Size)):
        raise TypeError(f"tensor_split(): argument 'indices' must be tuple of ints, not "
                        f"{type(arg).__name__}")
    return _split_at(input, d, _index_bounds(size, _int_list(arg, "tensor_split", "indices", 2)))


def _dir_split(input, indices_or_sections, fname, mindim, dimfn):
    _need_tensor(input, fname)
    if input.dim() < mindim:
        if mindim == 1:
            raise RuntimeError(f"torch.{fname} requires a tensor with at least 1 dimension, but "
                               f"got a tensor with {input.dim()} dimensions!")
        raise RuntimeError(f"torch.{fname} requires a tensor with at least {mindim} dimension, but "
                           f"got a tensor with {input.dim()} dimensions!")
    d = dimfn(input.dim())
    if _is_int(indices_or_sections):
        s = int(indices_or_sections)
        size = input.shape[d]
        if s == 0 or size % s:
            raise RuntimeError(f"torch.{fname} attempted to split along dimension {d}, but the "
                               f"size of the dimension {size} is not divisible by the split_size "
                               f"{s}!")
        return tensor_split(input, s, d)
    if not isinstance(indices_or_sections, (list, tuple, Size)):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(indices_or_sections).__name__}), but expected one of:\n"
                        f" * (Tensor input, int sections)\n"
                        f" * (Tensor input, tuple of ints indices)")
    return tensor_split(input, list(indices_or_sections), d)


def hsplit(input, indices_or_sections) -> tuple:
    """torch.hsplit: tensor_split along dim 1 (dim 0 for 1-D)."""
    return _dir_split(input, indices_or_sections, "hsplit", 1, lambda n: 1 if n > 1 else 0)


def vsplit(input, indices_or_sections) -> tuple:
    """torch.vsplit: tensor_split along dim 0 (at least 2-D)."""
    return _dir_split(input, indices_or_sections, "vsplit", 2, lambda n: 0)


def dsplit(input, indices_or_sections) -> tuple:
    """torch.dsplit: tensor_split along dim 2 (at least 3-D)."""
    return _dir_split(input, indices_or_sections, "dsplit", 3, lambda n: 2)


def split_with_sizes(input, split_sizes, dim: int = 0) -> tuple:
    """torch.split_with_sizes: views of the given sizes along dim."""
    _need_tensor(input, "split_with_sizes")
    return _sh.split(input, list(_int_list(split_sizes, "split_with_sizes", "split_sizes", 2)), dim)


def unsafe_split(input, split_size, dim: int = 0) -> tuple:
    """torch.unsafe_split: torch.split without view tracking (same values here)."""
    _need_tensor(input, "unsafe_split")
    return _sh.split(input, split_size, dim)


def unsafe_split_with_sizes(input, split_sizes, dim: int = 0) -> tuple:
    """torch.unsafe_split_with_sizes."""
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input, chunks: int, dim: int = 0) -> tuple:
    """torch.unsafe_chunk: torch.chunk without view tracking (same values here)."""
    _need_tensor(input, "unsafe_chunk")
    return _sh.chunk(input, chunks, dim)


# ---------------------------------------------------------------- diagonals and triangles


_diag_op = Op("diag", saved=None)


def diag(input, diagonal: int = 0, *, out=None) -> Tensor:
    """torch.diag: a 1-D input's diagonal matrix, or a 2-D input's diagonal (a copy)."""
    _need_tensor(input, "diag")
    n = input.dim()
    if n not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    k = int(diagonal)
    key = (n, k)
    if n == 1:
        build = lambda: (lambda a: jnp.diag(a, k))  # noqa: E731
    else:
        build = lambda: (lambda a: jnp.diagonal(a, k) + jnp.zeros((), a.dtype))  # noqa: E731
    r = _unary_op(_diag_op, key, build, input)
    return r if out is None else set_out(out, r)


_diag_embed_op = Op("diag_embed", saved=None)


def _embed(a, offset, d1, d2):
    """Place the last dim of ``a`` on the ``offset`` diagonal of new dims (d1, d2)."""
    length = a.shape[-1]
    m = length + abs(offset)
    rows = np.arange(length) + max(-offset, 0)
    cols = np.arange(length) + max(offset, 0)
    out = jnp.zeros(a.shape[:-1] + (m, m), a.dtype).at[..., rows, cols].set(a)
    return jnp.moveaxis(out, (-2, -1), (d1, d2))


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.diag_embed: the last dim becomes the offset diagonal of dims (dim1, dim2)."""
    _need_tensor(input, "diag_embed")
    n = input.dim() + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = input if input.dim() else _sh.reshape(input, (1,))
    offset = int(offset)
    key = (offset, d1, d2)
    return _unary_op(_diag_embed_op, key, lambda: (lambda a: _embed(a, offset, d1, d2)), x)


def diagflat(input, offset: int = 0) -> Tensor:
    """torch.diagflat: the flattened input as the offset diagonal of a square matrix."""
    _need_tensor(input, "diagflat")
    return diag(_sh.reshape(input, (-1,)), offset)


_tril_op = Op("tril", saved=None)
_triu_op = Op("triu", saved=None)


def tril(input, diagonal: int = 0, *, out=None) -> Tensor:
    """torch.tril: zero the elements above the diagonal-th diagonal of the last two dims."""
    _need_tensor(input, "tril")
    if input.dim() < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    k = int(diagonal)
    r = _unary_op(_tril_op, k, lambda: (lambda a: jnp.tril(a, k)), input)
    return r if out is None else set_out(out, r)


def triu(input, diagonal: int = 0, *, out=None) -> Tensor:
    """torch.triu: zero the elements below the diagonal-th diagonal of the last two dims."""
    _need_tensor(input, "triu")
    if input.dim() < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    k = int(diagonal)
    r = _unary_op(_triu_op, k, lambda: (lambda a: jnp.triu(a, k)), input)
    return r if out is None else set_out(out, r)


def tril_(self, diagonal: int = 0) -> Tensor:
    """torch.Tensor.tril_."""
    return inplace(self, tril(self, diagonal))


def triu_(self, diagonal: int = 0) -> Tensor:
    """torch.Tensor.triu_."""
    return inplace(self, triu(self, diagonal))


def _tri_indices(fname, npfn, row, col, offset, dtype, device):
    from .creation import tensor as _tensor

    dt = _dt.int64 if dtype is None else dtype
    if dt.category != _dt.INT:
        raise NotImplementedError(f"\"{fname}\" not implemented for '{dt._tag}'")
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    r, c = npfn(row, offset, col)
    arr = np.stack([r, c]).astype(dt.np).reshape(2, -1)
    return _tensor(arr, dtype=dt, device=device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """torch.tril_indices: the (2, N) row/column indices of the lower triangle, row-major."""
    return _tri_indices("tril_indices", np.tril_indices, int(row), int(col), int(offset), dtype,
                        device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """torch.triu_indices: the (2, N) row/column indices of the upper triangle, row-major."""
    return _tri_indices("triu_indices", np.triu_indices, int(row), int(col), int(offset), dtype,
                        device)


_block_diag_op = Op("block_diag", saved=None)


def block_diag(*tensors) -> Tensor:
    """torch.block_diag: a block-diagonal matrix of 0-D, 1-D (as rows) and 2-D inputs."""
    mats = []
    for i, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t_).__name__}")
        n = t_.dim()
        if n > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {n} dimensions")
        mats.append(_sh.reshape(t_, (1, 1)) if n == 0 else
                    _sh.reshape(t_, (1, -1)) if n == 1 else t_)
    if not mats:
        return Tensor._make(jnp.zeros((1, 0), _dt.get_default_dtype().np))
    rt = result_type_of(tuple((m._dtype, 0) for m in mats))
    key = (rt, len(mats))
    npdt = rt.np
    return run(_block_diag_op, key,
               lambda: (lambda *xs: jsl.block_diag(*[x.astype(npdt) for x in xs])),
               tuple(m._data for m in mats), tuple(mats), rt)


# ---------------------------------------------------------------- meshgrid / products of sets


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """torch.meshgrid: expanded views forming a grid ('ij' default, or 'xy')."""
    tensors = _tensor_list(tensors, "meshgrid")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t_ in tensors:
        if t_.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t_}")
    dt = tensors[0]._dtype
    for t_ in tensors[1:]:
        if t_._dtype is not dt:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    sizes = [t_.numel() for t_ in tensors]
    n = len(tensors)
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * n
    for p, s in zip(pos, sizes, strict=False):
        shape[p] = s
    shape = tuple(shape)
    outs = []
    for t_, p, s in zip(tensors, pos, sizes, strict=False):
        view_shape = (1,) * p + (s,) + (1,) * (n - p - 1)
        outs.append(_sh.expand(_sh.reshape(t_, view_shape), shape))
    return tuple(outs)


def cartesian_prod(*tensors) -> Tensor:
    """torch.cartesian_prod: the cartesian product of 1-D tensors, one row per combination."""
    tensors = _tensor_list(tensors, "cartesian_prod")
    for t_ in tensors:
        if t_.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t_.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _sh.stack([_sh.reshape(g, (-1,)) for g in grids], 1)


_comb_op = Op("combinations", "IndexBackward0", saved=None)


def combinations(input, r: int = 2, with_replacement: bool = False) -> Tensor:
    """torch.combinations: length-r combinations of a 1-D tensor's elements (itertools order)."""
    _need_tensor(input, "combinations")
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    r = int(r)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(jnp.zeros((0,), input._dtype.np), input._dtype)
    n = input.shape[0]
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(n), r)), dtype=np.int64).reshape(-1, r)
    key = (n, r, bool(with_replacement))
    return _unary_op(_comb_op, key, lambda: (lambda a: a[idx]), input)


# ---------------------------------------------------------------- unfold / as_strided


_unfold_op = Op("unfold", saved=None)


def unfold(self, dimension: int, size: int, step: int) -> Tensor:
    """torch.Tensor.unfold: windows of `size` every `step` along dimension, as a new last dim.

    torch returns a view; torchlike returns a copy (overlapping windows are not a view chain).
    """
    _need_tensor(self, "unfold")
    n = self.dim()
    d = wrap_dim(dimension, n)
    length = self.shape[d] if n else 1
    size, step = int(size), int(step)
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (length - size) // step + 1
    x = self if n else _sh.reshape(self, (1,))
    idx = (np.arange(count)[:, None] * step + np.arange(size)[None, :]).astype(np.int64)
    key = (d, length, size, step)

    def build():
        def f(a):
            w = jnp.take(a, idx, axis=d)  # [..., count, size, ...]
            return jnp.moveaxis(w, d + 1, -1)

        return f

    r = _unary_op(_unfold_op, key, build, x)
    return r if n else _sh.reshape(r, (size,))


def _strided_positions(size, stride, offset):
    pos = np.full(tuple(size), offset, dtype=np.int64)
    for k, st in enumerate(stride):
        shape = [1] * len(size)
        shape[k] = size[k]
        pos = pos + (np.arange(size[k], dtype=np.int64) * st).reshape(shape)
    return pos


def _check_strided(size, stride, offset, storage_numel, itemsize):
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    if any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(s == 0 for s in size):
        need = 0
    else:
        need = 1 + sum((s - 1) * st for s, st in zip(size, stride, strict=False))
    need = (need + offset) * itemsize if need else 0
    if need > storage_numel * itemsize:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {itemsize} requiring a storage size of "
                           f"{need} are out of bounds for storage of size "
                           f"{storage_numel * itemsize}")


_as_strided_op = Op("as_strided", saved=None)


def as_strided(input, size, stride, storage_offset=None) -> Tensor:
    """torch.as_strided: elements at storage positions offset + sum(i_k * stride_k).

    A copy in torchlike (torch returns a view): reading matches; writes into the result do not
    reach the input.  Differentiable when every position read lies in the input's own elements.
    """
    _need_tensor(input, "as_strided")
    size = _int_list(size, "as_strided", "size", 2)
    stride = _int_list(stride, "as_strided", "stride", 3)
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    storage = input._storage.array
    _check_strided(size, stride, offset, int(np.prod(storage.shape)), input._dtype.itemsize)
    pos = _strided_positions(size, stride, offset)
    v = input._view
    if v is None:
        src, idx, tin = input, pos, input
    else:
        # Map storage positions to the input's own elements where the input covers them.
        own = _strided_positions(v.shape, v.strides, v.offset).reshape(-1)
        inv = np.full(int(np.prod(storage.shape)), -1, dtype=np.int64)
        inv[own] = np.arange(own.size, dtype=np.int64)
        mapped = inv[pos] if pos.size else pos
        if (mapped >= 0).all():
            src, idx, tin = input, mapped, input
        else:
            if GRAD_ENABLED[0] and input._requires_grad:
                raise NotImplementedError("as_strided reading storage outside the input view's "
                                          "elements is not differentiable in torchlike")
            src, idx, tin = None, pos, None
    arr = src._data if src is not None else storage
    geometry = None if v is None else (v.shape, v.strides, v.offset)
    key = (tuple(arr.shape), size, stride, offset, src is None, geometry)
    return run(_as_strided_op, key, lambda: (lambda a: a.reshape(-1)[idx]), (arr,), (tin,),
               input._dtype)


# ---------------------------------------------------------------- scatters into views


_scatter_ops = {}


def _pos_scatter(name, input, src, pos, key):
    """input with the elements at flat positions ``pos`` (shaped like the slice) replaced by src."""
    _need_tensor(input, name)
    _need_tensor(src, name, "src", 2)
    if tuple(src.shape) != pos.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(pos.shape)}")
    op = _scatter_ops.get(name)
    if op is None:
        op = _scatter_ops[name] = Op(name, saved=None)
    flat = pos.reshape(-1)
    shape = tuple(input.shape)

    def build():
        def f(a, s):
            return a.reshape(-1).at[flat].set(s.astype(a.dtype).reshape(-1)).reshape(shape)

        return f

    return run(op, (shape,) + key, build, (input._data, src._data), (input, src), input._dtype)


def _positions_of(input):
    return np.arange(input.numel(), dtype=np.int64).reshape(tuple(input.shape))


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """torch.diagonal_scatter: a copy of input with diagonal(offset, dim1, dim2) set to src."""
    _need_tensor(input, "diagonal_scatter")
    n = input.dim()
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = int(offset)
    pos = np.diagonal(_positions_of(input), offset, d1, d2)
    return _pos_scatter("diagonal_scatter", input, src, pos, (offset, d1, d2))


def select_scatter(input, src, dim: int, index: int) -> Tensor:
    """torch.select_scatter: a copy of input with select(dim, index) set to src."""
    _need_tensor(input, "select_scatter")
    n = input.dim()
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, n)
    size = input.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    index %= size
    pos = np.take(_positions_of(input), index, axis=d)
    return _pos_scatter("select_scatter", input, src, pos, (d, index))


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:
    """torch.slice_scatter: a copy of input with input[..., start:end:step, ...] set to src."""
    _need_tensor(input, "slice_scatter")
    n = input.dim()
    d = wrap_dim(dim, n) if n else 0
    step = int(step)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    sl = slice(None if start is None else int(start), None if end is None else int(end), step)
    pos = _positions_of(input)
    if n:
        size = input.shape[d]
        s, e, _ = sl.indices(size)
        pos = pos[(slice(None),) * d + (slice(s, max(e, s), step),)]
        key = (d, s, max(e, s), step)
    else:
        key = ()
    return _pos_scatter("slice_scatter", input, src, pos, key)


def as_strided_scatter(input, src, size, stride, storage_offset=None) -> Tensor:
    """torch.as_strided_scatter: a copy of input whose as_strided(size, stride, offset) is src."""
    _need_tensor(input, "as_strided_scatter")
    size = _int_list(size, "as_strided_scatter", "size", 3)
    stride = _int_list(stride, "as_strided_scatter", "stride", 4)
    offset = 0 if storage_offset is None else int(storage_offset)
    _check_strided(size, stride, offset, input.numel(), input._dtype.itemsize)
    pos = _strided_positions(size, stride, offset)
    return _pos_scatter("as_strided_scatter", input, src, pos, (size, stride, offset))


# ---------------------------------------------------------------- *_copy variants


def _copy_of(viewfn, name, doc):
    clone = _sh.clone

    def fn(input, *args, out=None, **kwargs):
        _need_tensor(input, name)
        r = viewfn(input, *args, **kwargs)
        if isinstance(r, tuple):
            return tuple(clone(x) for x in r)
        r = clone(r)
        return r if out is None else set_out(out, r)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _expand_view(input, size, *, implicit=False):
    return _sh.expand(input, size)


def _view_view(input, *size):
    return Tensor.view(input, *size)


def _slice_view(input, dim=0, start=None, end=None, step=1):
    n = input.dim()
    d = wrap_dim(dim, n)
    return input[(slice(None),) * d + (slice(start, end, step),)]


def _alias(input):
    return _sh.reshape(input, tuple(input.shape))


alias_copy = _copy_of(_alias, "alias_copy", "torch.alias_copy: a copy of input.")
as_strided_copy = _copy_of(as_strided, "as_strided_copy", "torch.as_strided_copy.")
detach_copy = _copy_of(lambda x: x.detach(), "detach_copy", "torch.detach_copy.")
diagonal_copy = _copy_of(_sh.diagonal, "diagonal_copy", "torch.diagonal_copy.")
expand_copy = _copy_of(_expand_view, "expand_copy", "torch.expand_copy.")
narrow_copy = _copy_of(_sh.narrow, "narrow_copy", "torch.narrow_copy.")
permute_copy = _copy_of(_sh.permute, "permute_copy", "torch.permute_copy.")
select_copy = _copy_of(_sh.select, "select_copy", "torch.select_copy.")
slice_copy = _copy_of(_slice_view, "slice_copy", "torch.slice_copy.")
split_copy = _copy_of(_sh.split, "split_copy", "torch.split_copy.")
split_with_sizes_copy = _copy_of(split_with_sizes, "split_with_sizes_copy",
                                 "torch.split_with_sizes_copy.")
squeeze_copy = _copy_of(_sh.squeeze, "squeeze_copy", "torch.squeeze_copy.")
t_copy = _copy_of(_sh.t, "t_copy", "torch.t_copy.")
transpose_copy = _copy_of(_sh.transpose, "transpose_copy", "torch.transpose_copy.")
unbind_copy = _copy_of(_sh.unbind, "unbind_copy", "torch.unbind_copy.")
unfold_copy = _copy_of(unfold, "unfold_copy", "torch.unfold_copy.")
unsqueeze_copy = _copy_of(_sh.unsqueeze, "unsqueeze_copy", "torch.unsqueeze_copy.")
view_copy = _copy_of(_view_view, "view_copy", "torch.view_copy.")


# ---------------------------------------------------------------- resize_


def resize_(self, *sizes, memory_format=None) -> Tensor:
    """torch.Tensor.resize_: new shape keeping the flat data prefix (new elements are zeros;
    torch leaves them uninitialised)."""
    shape = as_shape(sizes)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if tuple(self.shape) == shape:
        return self
    if self._view is not None:
        raise NotImplementedError("resize_ of a view to a different shape is not supported by "
                                  "torchlike")
    flat = self._storage.array.reshape(-1)
    n, old = math.prod(shape), flat.shape[0]
    if n <= old:
        flat = flat[:n]
    else:
        flat = jnp.concatenate([flat, jnp.zeros((n - old,), flat.dtype)])
    _views.replace(self._storage, flat.reshape(shape))
    return self


def resize_as_(input, the_template, *, memory_format=None) -> Tensor:
    """torch.resize_as_: resize_ to the template's shape."""
    _need_tensor(input, "resize_as_")
    _need_tensor(the_template, "resize_as_", "the_template", 2)
    return resize_(input, tuple(the_template.shape))


# ---------------------------------------------------------------- export

export(flip, method=False)
Tensor.flip = _tensor_flip
for _f in (fliplr, flipud, roll, rot90, repeat_interleave, tensor_split, hsplit, vsplit,
           dsplit, split_with_sizes, unsafe_split, unsafe_split_with_sizes, unsafe_chunk, diag,
           diag_embed, diagflat, diagonal_scatter, select_scatter, slice_scatter,
           as_strided_scatter, as_strided, narrow_copy):
    export(_f)
export(tril, inplace=tril_)
export(triu, inplace=triu_)
export(tile, method=False)
Tensor.tile = _tensor_tile
export(repeat, function=False)
export(unfold, function=False)
export(resize_, function=False)
export(resize_as_)
for _f in (broadcast_tensors, atleast_1d, atleast_2d, atleast_3d, hstack, vstack, row_stack,
           dstack, column_stack, tril_indices, triu_indices, block_diag, meshgrid, cartesian_prod,
           combinations, alias_copy, as_strided_copy, detach_copy, diagonal_copy, expand_copy,
           permute_copy, select_copy, slice_copy, split_copy, split_with_sizes_copy, squeeze_copy,
           t_copy, transpose_copy, unbind_copy, unfold_copy, unsqueeze_copy, view_copy):
    export(_f, method=False)

__all__ = [
    "flip", "fliplr", "flipud", "roll", "rot90", "tile", "repeat_interleave", "broadcast_tensors",
    "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
    "column_stack", "tensor_split", "hsplit", "vsplit", "dsplit", "split_with_sizes",
    "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk", "diag", "diag_embed", "diagflat",
    "tril", "triu", "tril_indices", "triu_indices", "block_diag", "meshgrid", "cartesian_prod",
    "combinations", "as_strided", "diagonal_scatter", "select_scatter", "slice_scatter",
    "as_strided_scatter", "alias_copy", "as_strided_copy", "detach_copy", "diagonal_copy",
    "expand_copy", "narrow_copy", "permute_copy", "select_copy", "slice_copy", "split_copy",
    "split_with_sizes_copy", "squeeze_copy", "t_copy", "transpose_copy", "unbind_copy",
    "unfold_copy", "unsqueeze_copy", "view_copy", "resize_as_",
]
