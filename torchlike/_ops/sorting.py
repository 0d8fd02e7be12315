"""Sorting and searching: sort, argsort, topk, unique, searchsorted, bucketize, isin."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .. import return_types
from .._core import dtypes as _dt
from .._core.registry import Op, export, operand, run, set_out, wrap_dim
from .._core.tensor import Tensor
from .._core.tracing import is_traced
from .indexing import concrete

_make = Tensor._make


def _check(input, fname: str, name: str = "input", pos: int = 1) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(input).__name__}")


def _no_complex(input, name: str) -> None:
    if input._dtype.is_complex:
        raise RuntimeError(f"{name}(): Sort does not support complex dtypes on CPU")


def _set_outs(out, results, rtype=None):
    for o, r in zip(out, results, strict=True):
        set_out(o, r)
    return rtype(out) if rtype is not None else tuple(out)


def _order(a, d, descending):
    """Stable sort order of ``a`` along ``d`` (NaN largest, as torch); int64 indices."""
    return jnp.argsort(lax.stop_gradient(a), axis=d, stable=True,
                       descending=descending).astype(jnp.int64)


# ---------------------------------------------------------------- sort / argsort / msort

_sort = Op("sort", saved=None)
_argsort = Op("argsort", differentiable=False)
_msort = Op("msort", "SortBackward0", saved=None)


def _sort_build(d, descending):
    def f(a):
        if a.ndim == 0:
            return a, jnp.zeros((), jnp.int64)
        idx = _order(a, d, descending)
        return jnp.take_along_axis(a, idx, axis=d), idx

    return f


def sort(input, dim=-1, descending: bool = False, *, stable: bool = False, out=None):
    """torch.sort: (values, indices); always stable here (torch's unstable order is unspecified)."""
    _check(input, "sort")
    _no_complex(input, "sort")
    d = wrap_dim(dim, input.dim())
    key = (d, bool(descending), input._dtype)
    res = run(_sort, key, lambda: _sort_build(d, bool(descending)), (input._data,), (input,),
              (input._dtype, _dt.int64), multi=True)
    return return_types.sort(res) if out is None else _set_outs(out, res, return_types.sort)


def argsort(input, dim=-1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """torch.argsort: the indices that sort ``input`` along ``dim``."""
    _check(input, "argsort")
    _no_complex(input, "argsort")
    d = wrap_dim(dim, input.dim())
    desc = bool(descending)

    def build():
        return lambda a: _order(a, d, desc) if a.ndim else jnp.zeros((), jnp.int64)

    return run(_argsort, (d, desc), build, (input._data,), (input,), _dt.int64)


def msort(input, *, out=None) -> Tensor:
    """torch.msort: ``sort(input, dim=0).values``."""
    _check(input, "msort")
    _no_complex(input, "msort")

    def build():
        return lambda a: _sort_build(0, False)(a)[0]

    r = run(_msort, input._dtype, build, (input._data,), (input,), input._dtype)
    return r if out is None else set_out(out, r)


# ---------------------------------------------------------------- topk / kthvalue

_topk = Op("topk", saved=None)
_kthvalue = Op("kthvalue", saved=None)


def topk(input, k, dim=-1, largest: bool = True, sorted: bool = True, *, out=None):  # noqa: A002
    """torch.topk: the ``k`` largest (or smallest) elements along ``dim`` (values, indices)."""
    _check(input, "topk")
    _no_complex(input, "topk")
    d = wrap_dim(dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    k = int(k)
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    largest = bool(largest)

    def build():
        def f(a):
            if a.ndim == 0:
                return a, jnp.zeros((), jnp.int64)
            idx = lax.slice_in_dim(_order(a, d, largest), 0, k, axis=d)
            return jnp.take_along_axis(a, idx, axis=d), idx

        return f

    res = run(_topk, (d, k, largest, input._dtype), build, (input._data,), (input,),
              (input._dtype, _dt.int64), multi=True)
    return return_types.topk(res) if out is None else _set_outs(out, res, return_types.topk)


def kthvalue(input, k, dim=-1, keepdim: bool = False, *, out=None):
    """torch.kthvalue: the k-th smallest element along ``dim`` (values, indices).

    On ties the index is the first of the equal elements; torch CPU reports the one its
    unstable quickselect lands on (both point at the same value)."""
    _check(input, "kthvalue")
    _no_complex(input, "kthvalue")
    d = wrap_dim(dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    k = int(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    keepdim = bool(keepdim)

    def build():
        def f(a):
            if a.ndim == 0:
                return a, jnp.zeros((), jnp.int64)
            idx = lax.slice_in_dim(_order(a, d, False), k - 1, k, axis=d)
            val = jnp.take_along_axis(a, idx, axis=d)
            if not keepdim:
                val, idx = jnp.squeeze(val, d), jnp.squeeze(idx, d)
            return val, idx

        return f

    res = run(_kthvalue, (d, k, keepdim, input._dtype), build, (input._data,), (input,),
              (input._dtype, _dt.int64), multi=True)
    return return_types.kthvalue(res) if out is None else _set_outs(out, res,
                                                                      return_types.kthvalue)


# ---------------------------------------------------------------- unique

def _pack(out, inverse, counts, return_inverse, return_counts):
    res = [out]
    if return_inverse:
        res.append(inverse)
    if return_counts:
        res.append(counts)
    return res[0] if len(res) == 1 else tuple(res)


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """torch.unique: the sorted distinct elements (or slices along ``dim``); eager only."""
    _check(input, "unique")
    dt = input._dtype
    a = jnp.asarray(concrete(input._data, "unique"))
    if dim is None:
        vals, inv, cnt = jnp.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                    equal_nan=False)
        inv = inv.reshape(a.shape)
    else:
        d = wrap_dim(dim, input.dim())
        if a.ndim == 0:
            a = a.reshape(1)
        if a.shape[d] == 0:
            vals, inv, cnt = a, jnp.zeros((0,), jnp.int64), jnp.zeros((0,), jnp.int64)
        else:
            vals, inv, cnt = jnp.unique(a, return_inverse=True, return_counts=True, axis=d,
                                        equal_nan=False)
            inv = inv.reshape(-1)
    return _pack(_make(vals.astype(dt.np), dt), _make(inv.astype(jnp.int64), _dt.int64),
                 _make(cnt.astype(jnp.int64), _dt.int64), return_inverse, return_counts)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):
    """torch.unique_consecutive: drop consecutive repeats (of elements, or slices along ``dim``)."""
    _check(input, "unique_consecutive")
    dt = input._dtype
    a = jnp.asarray(concrete(input._data, "unique_consecutive"))
    if dim is None:
        x = a.reshape(-1)
        d = 0
    else:
        d = wrap_dim(dim, input.dim())
        x = a.reshape(1) if a.ndim == 0 else a
    n = x.shape[d]
    if n == 0:
        empty = jnp.zeros((0,), jnp.int64)
        return _pack(_make(x.astype(dt.np), dt), _make(empty if dim is not None else
                                                       jnp.zeros(a.shape, jnp.int64), _dt.int64),
                     _make(empty, _dt.int64), return_inverse, return_counts)
    moved = jnp.moveaxis(x, d, 0).reshape(n, -1)
    change = jnp.any(moved[1:] != moved[:-1], axis=1)
    starts = jnp.concatenate([jnp.ones((1,), bool), change])
    keep = np.flatnonzero(np.asarray(starts))
    vals = jnp.take(x, jnp.asarray(keep), axis=d)
    inv = jnp.cumsum(starts.astype(jnp.int64)) - 1
    if dim is None:
        inv = inv.reshape(a.shape)
    cnt = jnp.diff(jnp.asarray(np.append(keep, n)).astype(jnp.int64))
    return _pack(_make(vals.astype(dt.np), dt), _make(inv.astype(jnp.int64), _dt.int64),
                 _make(cnt, _dt.int64), return_inverse, return_counts)


# ---------------------------------------------------------------- searchsorted / bucketize / isin

_searchsorted = Op("searchsorted", differentiable=False)
_bucketize = Op("bucketize", differentiable=False)
_isin = Op("isin", differentiable=False)


def _common(da, db):
    return _dt.promote_types(da, db)


def _search_build(side, out_np, cdt, nd, has_sorter):
    def f(seq, vals, *sorter):
        seq = seq.astype(cdt)
        vals = vals.astype(cdt)
        if has_sorter:
            seq = jnp.take_along_axis(seq, sorter[0], axis=-1)
        if nd <= 1:
            r = jnp.searchsorted(seq, vals, side=side)
        else:
            lead = seq.shape[:-1]
            s2 = seq.reshape(-1, seq.shape[-1])
            v2 = vals.reshape(s2.shape[0], -1)
            r = jax.vmap(lambda s, v: jnp.searchsorted(s, v, side=side))(s2, v2)
            r = r.reshape(lead + vals.shape[-1:])
        return r.astype(out_np)

    return f


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side=None, out=None, sorter=None) -> Tensor:
    """torch.searchsorted: where ``input`` would insert into ``sorted_sequence``'s last dim."""
    _check(sorted_sequence, "searchsorted", "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    vals, vdt, kind = operand(input, "input")
    if kind == 2:
        vals = jnp.asarray(vals, vdt.np)
    seq = sorted_sequence._data
    sshape, vshape = tuple(seq.shape), tuple(vals.shape)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if seq.ndim != 1 and (kind == 2 or sshape[:-1] != vshape[:-1] or vals.ndim != seq.ndim):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           "first N-1 dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor {list(sshape)} and input value "
                           f"tensor {list(vshape)}")
    args = [seq, vals]
    if sorter is not None:
        _check(sorter, "searchsorted", "sorter")
        if tuple(sorter.shape) != sshape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, "
                               f"but got boundary tensor {list(sshape)}and got sorter tensor "
                               f"{list(sorter.shape)}")
        if sorter._dtype is not _dt.int64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {sorter._dtype}")
        # Validation only: a traced sorter is not checked (XLA clamps the gather).
        s = None if not sorter.numel() or is_traced(sorter) else np.asarray(sorter._data)
        n = sshape[-1]
        if s is not None and (s.min() < 0 or s.max() >= n):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        args.append(sorter._data)
    cdt = _common(sorted_sequence._dtype, vdt)
    odt = _dt.int32 if out_int32 else _dt.int64
    side_s = "right" if right else "left"
    key = (side_s, odt, cdt, seq.ndim, sorter is not None)
    r = run(_searchsorted, key,
            lambda: _search_build(side_s, odt.np, cdt.np, seq.ndim, sorter is not None),
            tuple(args), (None,) * len(args), odt)
    return r if out is None else set_out(out, r)


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False,
              out=None) -> Tensor:
    """torch.bucketize: the bucket of each input element given 1-D ``boundaries``."""
    _check(boundaries, "bucketize", "boundaries", 2)
    if boundaries.dim() != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries.dim()})")
    vals, vdt, kind = operand(input, "input")
    if kind == 2:
        vals = jnp.asarray(vals, vdt.np)
    cdt = _common(boundaries._dtype, vdt)
    odt = _dt.int32 if out_int32 else _dt.int64
    side = "right" if right else "left"
    r = run(_bucketize, (side, odt, cdt), lambda: _search_build(side, odt.np, cdt.np, 1, False),
            (boundaries._data, vals), (None, None), odt)
    return r if out is None else set_out(out, r)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """torch.isin: whether each of ``elements`` occurs in ``test_elements``."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected at least one Tensor")
    a, da, ka = operand(elements, "elements")
    b, db, kb = operand(test_elements, "test_elements")
    cdt = _common(da, db).np
    inv = bool(invert)

    def build():
        return lambda x, y: jnp.isin(jnp.asarray(x, cdt), jnp.asarray(y, cdt).reshape(-1),
                                     invert=inv)

    return run(_isin, (cdt, inv, ka == 2, kb == 2), build, (a, b), (None, None), _dt.bool)


__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive",
           "searchsorted", "bucketize", "isin"]

for _f in (sort, argsort, msort, topk, kthvalue, unique, unique_consecutive):
    export(_f)
for _f in (searchsorted, bucketize, isin):
    export(_f, method=False)
