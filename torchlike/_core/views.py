"""Views and in-place writes: the only module that changes a Storage's array.

A view is a chain of steps applied to its storage's array (reads are cached, jitted slices)
plus torch's (shape, strides, offset) description of the elements it covers.  Writes through
a view scatter into the flat positions ``offset + sum(i_k * stride_k)``, which handles every
chain of slicing, select, transpose, permute, reshape, expand and diagonal the same way.

Steps (hashable, static) — dynamic integers (select indices, slice starts) travel separately
so that ``x[i]`` in a loop reuses one kernel:
  ("reshape", shape) | ("permute", perm) | ("expand", shape) | ("diagonal", off, d1, d2)
  | ("index", entries) with entries of ("i",) select, ("s", length, step) slice,
    ("n",) new axis, ("f",) whole dim.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

from . import tracing as _tracing
from .kernel_cache import register as _bounded
from .storage import Storage


class View:
    """Where a view tensor's elements live in its base storage."""

    __slots__ = ("chain", "dyn", "shape", "strides", "offset", "base_shape", "kernel", "derived")
    pad = False  # ragged.PadView: a padded value-dependent result, not a torch view

    def __init__(self, chain, dyn, shape, strides, offset, base_shape):
        self.kernel = None  # the read function, resolved on first read
        self.derived = None  # views made from this one, memoized by _ops.shape
        self.chain = chain
        self.dyn = dyn
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.base_shape = base_shape

    @property
    def overlapping(self) -> bool:
        return any(st == 0 and sz > 1 for sz, st in zip(self.shape, self.strides, strict=False))


def contiguous_strides(shape) -> tuple:
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def is_contiguous_strides(shape, strides) -> bool:
    expected = 1
    for sz, st in zip(reversed(shape), reversed(strides), strict=False):
        if sz == 1:
            continue
        if sz == 0:
            return True
        if st != expected:
            return False
        expected *= sz
    return True


# ---------------------------------------------------------------- reading


def _apply(chain, a, dyn=()):
    di = 0
    for step in chain:
        kind = step[0]
        if kind == "reshape":
            a = a.reshape(step[1])
        elif kind == "permute":
            a = a.transpose(step[1])
        elif kind == "expand":
            a = jnp.broadcast_to(a, step[1])
        elif kind == "diagonal":
            a = jnp.diagonal(a, step[1], step[2], step[3])
        else:  # index
            axis = 0
            for e in step[1]:
                t = e[0]
                if t == "f":
                    axis += 1
                elif t == "n":
                    a = jnp.expand_dims(a, axis)
                    axis += 1
                elif t == "i":
                    a = lax.dynamic_index_in_dim(a, dyn[di], axis, keepdims=False)
                    di += 1
                else:
                    length, stride = e[1], e[2]
                    span = (length - 1) * stride + 1 if length else 0
                    a = lax.dynamic_slice_in_dim(a, dyn[di], span, axis)
                    if stride > 1:
                        a = lax.slice_in_dim(a, 0, span, stride, axis)
                    di += 1
                    axis += 1
    return a


_read_kernels: dict = _bounded({})  # bounded: see kernel_cache.py


# Kernels with the dynamic ints baked in as constants, for the first few values a chain sees:
# passing Python ints to a jitted call costs ~1.5 µs, so x[1:3] read repeatedly is faster
# baked; a loop over x[i] switches to the dynamic kernel after _BAKE_LIMIT values.
_baked: dict = _bounded({})  # bounded: x[:n] over many n makes a kernel per n
_baked_count: dict = {}
_BAKE_LIMIT = 8


def _call_dynamic(k, dyn, a):
    return k(a, *dyn)


def _resolve(view: View):
    chain, dyn = view.chain, view.dyn
    key = (chain, dyn)
    k = _baked.get(key)
    if k is not None:
        return k
    n = _baked_count.get(chain, 0)
    if len(_baked_count) > 8192:
        _baked_count.clear()
    if n < _BAKE_LIMIT or not dyn:
        _baked_count[chain] = n + 1
        k = _baked[key] = jax.jit(functools.partial(_apply, chain, dyn=dyn))
        return k
    k = _read_kernels.get(chain)
    if k is None:
        k = _read_kernels[chain] = jax.jit(lambda a, *d: _apply(chain, a, d))
    return functools.partial(_call_dynamic, k, dyn)


def read(view: View, array):
    k = view.kernel
    if k is None:
        k = view.kernel = _resolve(view)
    return k(array)


# ---------------------------------------------------------------- making views


def derive(t, step, dyn, shape, strides, offset):
    """A new View of tensor ``t``'s storage: ``t``'s chain followed by ``step``."""
    v = t._view
    shape = tuple(shape)
    if v is None:
        base_shape = t._storage.array.shape
        chain, alldyn = (step,), tuple(dyn)
    else:
        base_shape = v.base_shape
        chain, alldyn = v.chain + (step,), v.dyn + tuple(dyn)
    # Collapse chains that just cover the whole base contiguously, so repeated
    # view/reshape/squeeze of a tensor never grows an ever-longer chain.  Even an identity view
    # (x[:], x.view(x.shape)) stays a View: in-place writes through it must reach the base's
    # autograd history, and torch reports its strides as given (x[::2] of size 1: stride 2).
    if (offset == 0 and math.prod(shape) == math.prod(base_shape)
            and is_contiguous_strides(shape, strides)):
        chain, alldyn = (("reshape", shape),), ()
    return View(chain, alldyn, shape, tuple(strides), offset, base_shape)


def compute_view_strides(old_shape, old_strides, new_shape):
    """torch's computeStride: strides for viewing (old_shape, old_strides) as new_shape, or None."""
    numel = math.prod(old_shape)
    if not old_shape:  # a 0-dim tensor views as any all-ones shape
        return (1,) * len(new_shape)
    if numel == 0:
        if tuple(old_shape) == tuple(new_shape):
            return tuple(old_strides)
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1] if old_strides else 1
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


# ---------------------------------------------------------------- writing


def _positions(shape, strides, offset):
    pos = jnp.full(shape, offset, dtype=jnp.int64)
    for k, st in enumerate(strides):
        if st:
            pos = pos + lax.broadcasted_iota(jnp.int64, shape, k) * st
    return pos.reshape(-1)


def _scatter(base_shape, shape, strides, base, new, offset, unique=True):
    pos = _positions(shape, strides, offset)
    flat = base.reshape(-1).at[pos].set(new.reshape(-1).astype(base.dtype), unique_indices=unique,
                                        mode="promise_in_bounds")
    return flat.reshape(base_shape)


_write_kernels: dict = _bounded({})  # bounded: see kernel_cache.py

OVERLAP_MSG = ("unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the operation.")


def _note_write(s: Storage) -> None:
    # torchlike.compile, while tracing, learns of writes to storages it did not lift
    hook = _tracing.ON_WRITE[0]
    if hook is not None and not isinstance(s.array, _tracing.Tracer):
        hook(s)


def replace(s: Storage, new) -> None:
    """Give storage ``s`` a new array of any shape (``resize_``, an ``out=`` resized): every
    tensor on it sees the change; torchlike.compile is told as for ``write``."""
    _note_write(s)
    s.array = new
    s.version += 1


def write(t, new, overlap_ok: bool = False) -> None:
    """Store ``new`` (an array of t's shape; cast to t's dtype) as t's value, seen by every alias.

    Writing through a view where several elements share one location (``expand``) raises, as
    torch does, unless ``overlap_ok`` (torch's ``fill_``/``zero_``/``masked_fill_``, where every
    element aliasing one location gets the same value).
    """
    s: Storage = t._storage
    v = t._view
    _note_write(s)
    if new.dtype != t._dtype.np:
        new = new.astype(t._dtype.np)
    if v is None:
        if new.shape != s.array.shape:
            new = jnp.broadcast_to(new, s.array.shape)
        s.array = new
    else:
        unique = True
        if v.overlapping:
            if not overlap_ok:
                raise RuntimeError(OVERLAP_MSG)
            unique = False
        key = (v.base_shape, v.shape, v.strides, unique)
        k = _write_kernels.get(key)
        if k is None:
            k = _write_kernels[key] = jax.jit(
                lambda base, new, off, _k=key: _scatter(_k[0], _k[1], _k[2], base, new, off, _k[3]))
        s.array = k(s.array, new, v.offset)
        if unique:
            t._cache = new
            t._cbase = s.array
    s.version += 1


def build_view(n: int, base_shape, offset: int, size, stride):
    """A View reading (size, stride, offset) of a flat storage of ``n`` elements whose array has
    ``base_shape``, or None when no chain of torchlike view steps can express it."""
    size, stride = tuple(size), tuple(stride)
    chain, dyn = [], []
    if tuple(base_shape) != (n,):
        chain.append(("reshape", (n,)))
    real = sorted(((stride[i], size[i], i) for i in range(len(size))
                   if size[i] > 1 and stride[i] > 0), key=lambda e: -e[0])
    k = len(real)
    for j in range(k - 1):
        if real[j][0] == real[j + 1][0]:
            return None  # two dims stepping alike overlap
    if k == 0:
        chain.append(("index", (("s", 1, 1),)))
        dyn.append(offset)
        cur = (1,)
    elif k == 1:
        s1, n1, _ = real[0]
        chain.append(("index", (("s", n1, s1),)))
        dyn.append(offset)
        cur = (n1,)
    else:
        s1, n1, _ = real[0]
        for j in range(k - 2):
            if real[j][0] % real[j + 1][0]:
                return None  # the grid below must split each stride exactly
        sk, nk, _ = real[k - 1]
        last_len = real[k - 2][0]
        found = None
        # The storage (from element c on) seen as a grid of rows of s1 elements, each split by
        # the next strides, the innermost axis contiguous; try a few row phases c.
        for c in dict.fromkeys((offset % s1, 0, n % s1)):
            if c > offset:
                continue
            g = (n - c) // s1
            q1, r = divmod(offset - c, s1)
            if q1 + n1 > g:
                continue
            starts = [q1]
            for j in range(1, k - 1):
                q, r = divmod(r, real[j][0])
                if q + real[j][1] > real[j - 1][0] // real[j][0]:
                    break
                starts.append(q)
            else:
                if r + (nk - 1) * sk + 1 <= last_len:
                    found = (c, g, starts + [r])
                    break
        if found is None:
            return None
        c, g, starts = found
        grid = (g,) + tuple(real[j][0] // real[j + 1][0] for j in range(k - 2)) + (last_len,)
        chain.append(("index", (("s", g * s1, 1),)))
        dyn.append(c)
        chain.append(("reshape", grid))
        chain.append(("index", tuple(("s", real[j][1], 1) for j in range(k - 1)) +
                      (("s", nk, sk),)))
        dyn.extend(starts)
        cur = tuple(e[1] for e in real)
    order = [e[2] for e in real]
    perm = tuple(sorted(range(k), key=lambda m: order[m]))
    if perm != tuple(range(k)):
        chain.append(("permute", perm))
        cur = tuple(cur[p] for p in perm)
    real_dims = {e[2] for e in real}
    squeezed = tuple(size[i] if i in real_dims else 1 for i in range(len(size)))
    if squeezed != cur:
        chain.append(("reshape", squeezed))
    if squeezed != size:
        chain.append(("expand", size))
    return View(tuple(chain), tuple(dyn), size, stride, offset, tuple(base_shape))
