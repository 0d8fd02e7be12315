"""Shape ops: views (view, reshape, transpose, permute, squeeze, expand, diagonal, select,
narrow, unbind, chunk, split, ...) and joins (cat, stack)."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from .._core import views as _views
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import (
    Op,
    as_shape,
    export,
    kernel,
    record,
    result_type_of,
    run,
    set_out,
    wrap_dim,
    wrap_dims,
)
from .._core.tensor import Size, Tensor

_VIEW_OPS: dict = {}


def _view_op(name: str, grad_name: str | None) -> Op:
    op = _VIEW_OPS.get((name, grad_name))
    if op is None:
        op = _VIEW_OPS[name, grad_name] = Op(name, grad_name, saved=None)
    return op


def make_view(t: Tensor, opname: str, step, dyn, shape, strides, offset,
              grad_name: str | None = None) -> Tensor:
    """A tensor sharing t's storage through one more view step (records autograd)."""
    v = _views.derive(t, step, dyn, shape, strides, offset)
    _CAPTURE[0] = (opname, step, dyn, v, grad_name)
    return view_tensor(t, opname, step, dyn, v, grad_name)


# The view ops' Python work (dim wrapping, strides, chain collapsing) costs more than a kernel
# call, so each (input layout, op, int arguments) remembers the View it made: a repeated
# ``w.t()`` or ``x.view(n, -1)`` is then one dict lookup and a Tensor.  Views are immutable, so
# sharing them is safe.  A base tensor's layout is its shape (global memo); a view's is its
# View object (a small memo on it).
_CAPTURE: list = [None]
_BASE_MEMO: dict = {}
_MEMO_LIMIT = 4096
_VIEW_MEMO_LIMIT = 64


def _int_args(args) -> bool:
    for a in args:
        ta = type(a)
        if ta is tuple:
            for e in a:
                if type(e) is not int:
                    return False
        elif ta is not int:
            return False
    return True


def _memo_view(fn):
    def memoized(input, *args, **kwargs):
        if kwargs or type(input) is not Tensor or not _int_args(args):
            return fn(input, *args, **kwargs)
        v = input._view
        if v is None:
            memo, key = _BASE_MEMO, (input._storage.array.shape, fn, args)
        else:
            memo, key = v.derived, (fn, args)
            if memo is None:
                memo = v.derived = {}
        hit = memo.get(key)
        if hit is not None:
            return view_tensor(input, *hit)
        _CAPTURE[0] = None
        r = fn(input, *args)
        cap = _CAPTURE[0]
        _CAPTURE[0] = None
        if cap is not None and r._view is cap[3] and r._storage is input._storage:
            if len(memo) >= (_MEMO_LIMIT if v is None else _VIEW_MEMO_LIMIT):
                memo.clear()
            memo[key] = cap
        return r

    memoized.__name__ = memoized.__qualname__ = fn.__name__
    memoized.__doc__ = fn.__doc__
    memoized.__wrapped__ = fn
    return memoized


def view_tensor(t: Tensor, opname: str, step, dyn, view, grad_name: str | None = None) -> Tensor:
    """A tensor of t's storage seen through ``view`` (t's chain + step); records autograd.
    ``grad_name`` overrides the grad_fn name derived from ``opname`` (torch's overload names)."""
    r = object.__new__(Tensor)
    r._storage = t._storage
    r._view = view
    r._dtype = t._dtype
    r._requires_grad = False
    r.grad_fn = None
    r.__dict__["_base"] = t.__dict__.get("_base", t)
    if GRAD_ENABLED[0] and t._requires_grad:
        op = _view_op(opname, grad_name)
        entry = kernel(op, step, lambda: (lambda a, *d: _views._apply((step,), a, d)))
        record(op, step, entry, (t._data,) + tuple(dyn), (t,) + (None,) * len(dyn), (r,))
    return r


Tensor._base = None


def _need_tensor(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


# ---------------------------------------------------------------- view / reshape


def _infer_size(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
    if neg:
        rest = math.prod(s for s in shape if s != -1)
        if rest == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {shape} because "
                               "the "
                               f"unspecified dimension size -1 can be any value and is ambiguous")
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // rest
    if math.prod(shape) != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _reshape_view(self, shape, opname):
    old = tuple(self.shape)
    if shape == old:
        return make_view(self, opname, ("reshape", shape), (), shape, self.stride(),
                         self.storage_offset())
    strides = _views.compute_view_strides(old, self.stride(), shape)
    if strides is None:
        return None
    return make_view(self, opname, ("reshape", shape), (), shape, strides, self.storage_offset())


def view(self, *shape) -> Tensor:
    """torch.Tensor.view (shapes only; the dtype-reinterpreting form is not supported)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list, Size)):
        raise NotImplementedError("Tensor.view(dtype) is not supported by torchlike")
    shape = _infer_size(as_shape(shape), self.numel())
    r = _reshape_view(self, shape, "view")
    if r is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return r


_reshape_copy = Op("reshape", "UnsafeViewBackward0", saved=None)


def reshape(input, *shape) -> Tensor:
    """torch.reshape: a view when strides allow, else a copy."""
    _need_tensor(input, "reshape")
    shape = _infer_size(as_shape(shape), input.numel())
    r = _reshape_view(input, shape, "view")
    if r is not None:
        return r
    return run(_reshape_copy, shape, lambda: (lambda a: a.reshape(shape)), (input._data,), (input,),
               input._dtype)


def view_as(self, other) -> Tensor:
    """torch.Tensor.view_as."""
    return view(self, tuple(other.shape))


def reshape_as(self, other) -> Tensor:
    """torch.Tensor.reshape_as."""
    return reshape(self, tuple(other.shape))


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """torch.flatten."""
    _need_tensor(input, "flatten")
    shape = tuple(input.shape)
    if not shape:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim: int, sizes) -> Tensor:
    """torch.unflatten."""
    shape = tuple(input.shape)
    d = wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    known = math.prod(s for s in sizes if s != -1)
    if -1 in tuple(sizes) and known and shape[d] % known == 0:
        sizes = _infer_size(tuple(sizes), shape[d])
    if math.prod(sizes) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:]) if input.is_contiguous() else \
        reshape(input, shape[:d] + sizes + shape[d + 1:])


def ravel(input, order: str = "C") -> Tensor:
    """torch.ravel; ``order='F'`` (NumPy's column-major order, not in torch; visdom uses it)
    flattens the reversed dims."""
    if order == "F":
        return reshape(permute(input, tuple(range(input.dim() - 1, -1, -1))), (-1,))
    if order != "C":
        raise ValueError(f"ravel(): order must be 'C' or 'F', got {order!r}")
    return reshape(input, (-1,))


def squeeze(input, dim=None) -> Tensor:
    """torch.squeeze: all size-1 dims, or those in dim (int or tuple)."""
    _need_tensor(input, "squeeze")
    shape = tuple(input.shape)
    dims = range(len(shape)) if dim is None else wrap_dims(dim, len(shape))
    keep = [i for i in range(len(shape)) if not (i in dims and shape[i] == 1)]
    new = tuple(shape[i] for i in keep)
    st = input.stride()
    overload = 0 if dim is None else 1 if isinstance(dim, (int, np.integer)) else 2
    return make_view(input, "squeeze", ("reshape", new), (), new, tuple(st[i] for i in keep),
                     input.storage_offset(), f"SqueezeBackward{overload}")


def unsqueeze(input, dim: int) -> Tensor:
    """torch.unsqueeze."""
    _need_tensor(input, "unsqueeze")
    shape = tuple(input.shape)
    d = wrap_dim(dim, len(shape) + 1)
    st = input.stride()
    new_st = st[:d] + ((shape[d] * st[d]) if d < len(shape) else 1,) + st[d:]
    new = shape[:d] + (1,) + shape[d:]
    return make_view(input, "unsqueeze", ("reshape", new), (), new, new_st, input.storage_offset())


# ---------------------------------------------------------------- permutations


def permute(input, *dims, _grad: str | None = None) -> Tensor:
    """torch.permute."""
    _need_tensor(input, "permute")
    dims = as_shape(dims)
    n = input.dim()
    if len(dims) != n:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    perm = tuple(wrap_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    shape, st = tuple(input.shape), input.stride()
    return make_view(input, "permute", ("permute", perm), (), tuple(shape[p] for p in perm),
                     tuple(st[p] for p in perm), input.storage_offset(), _grad)


def transpose(input, dim0: int, dim1: int, _grad: str = "TransposeBackward0") -> Tensor:
    """torch.transpose (alias swapaxes, swapdims)."""
    _need_tensor(input, "transpose")
    n = input.dim()
    if n == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return make_view(input, "transpose", ("reshape", ()), (), (), (), input.storage_offset(),
                         _grad)
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    perm = list(range(n))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return permute(input, perm, _grad=_grad)


def t(input) -> Tensor:
    """torch.t: transpose of a ≤2-D tensor."""
    n = input.dim()
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return (transpose(input, 0, 1, "TBackward0") if n == 2 else
            permute(input, tuple(range(n)), _grad="TBackward0"))


def movedim(input, source, destination) -> Tensor:
    """torch.movedim (alias moveaxis)."""
    n = input.dim()
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           "dims) "
                           f"should contain the same number of dims as destination ({list(dst)} "
                           "dims)")
    src = tuple(wrap_dim(d, n) for d in src)
    dst = tuple(wrap_dim(d, n) for d in dst)
    if n == 0:  # dims 0 and -1 name the single "dim" of a 0-dim tensor
        return permute(input, ())
    order = [d for d in range(n) if d not in src]
    perm = [-1] * n
    for s, d in zip(src, dst, strict=False):
        perm[d] = s
    it = iter(order)
    perm = [p if p != -1 else next(it) for p in perm]
    return permute(input, perm)


def _matrix_transpose(self, name):
    if self.dim() < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. "
                           f"Got {self.dim()}-D tensor.")
    return transpose(self, -2, -1)


Tensor.mT = property(lambda self: _matrix_transpose(self, "mT"))
Tensor.H = property(lambda self: _conj_if_complex(Tensor.T.fget(self)))
Tensor.mH = property(lambda self: _conj_if_complex(_matrix_transpose(self, "mH")))


def _conj_if_complex(x):
    # torch's conj is a lazy view; torchlike's conj of a complex tensor is a copy (ufuncs.conj).
    return x.conj() if x._dtype.is_complex else x


# ---------------------------------------------------------------- expand / diagonal


def expand(self, *sizes) -> Tensor:
    """torch.Tensor.expand (-1 keeps a dim); a view with stride 0 on broadcast dims."""
    sizes = as_shape(sizes)
    shape, st = tuple(self.shape), self.stride()
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({self.type()}{{{list(shape)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    new, new_st = [], []
    for i, s in enumerate(sizes):
        if i < lead:
            if s == -1:
                raise RuntimeError("The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            new.append(s)
            new_st.append(0)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur == s:
            new.append(s)
            new_st.append(st[i - lead])
        elif cur == 1:
            new.append(s)
            new_st.append(0)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shape)}")
    new = tuple(new)
    return make_view(self, "expand", ("expand", new), (), new, new_st, self.storage_offset())


def expand_as(self, other) -> Tensor:
    """torch.Tensor.expand_as."""
    return expand(self, tuple(other.shape))


def broadcast_to(input, size) -> Tensor:
    """torch.broadcast_to."""
    return expand(input, tuple(size))


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """torch.diagonal: a view; the diagonal becomes the last dim."""
    n = input.dim()
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape, st = tuple(input.shape), input.stride()
    off = input.storage_offset()
    if offset >= 0:
        length = max(min(shape[d1], shape[d2] - offset), 0)
        off += offset * st[d2] if length else 0
    else:
        length = max(min(shape[d1] + offset, shape[d2]), 0)
        off -= offset * st[d1] if length else 0
    keep = [i for i in range(n) if i not in (d1, d2)]
    new = tuple(shape[i] for i in keep) + (length,)
    new_st = tuple(st[i] for i in keep) + (st[d1] + st[d2],)
    return make_view(input, "diagonal", ("diagonal", offset, d1, d2), (), new, new_st, off)


# ---------------------------------------------------------------- select / narrow / split


def index_view(t: Tensor, spec, opname: str, grad_name: str | None = None) -> Tensor:
    """A basic-indexing view of spec entries ("i", idx) | ("s", start, length, step) | ("n",) |
    ("f",)."""
    step, dyn, view = index_view_parts(t, spec)
    return view_tensor(t, opname, step, dyn, view, grad_name)


def index_view_parts(t: Tensor, spec):
    """(step, dyn, View) of a basic-indexing view of t."""
    shape, st = tuple(t.shape), t.stride()
    off = t.storage_offset()
    new, new_st, dyn, entries = [], [], [], []
    d = 0
    for e in spec:
        k = e[0]
        if k == "n":
            new.append(1)
            new_st.append(shape[d] * st[d] if d < len(shape) else 1)
            entries.append(("n",))
        elif k == "f":
            new.append(shape[d])
            new_st.append(st[d])
            entries.append(("f",))
            d += 1
        elif k == "i":
            off += e[1] * st[d]
            dyn.append(e[1])
            entries.append(("i",))
            d += 1
        else:
            _, start, length, step = e
            off += start * st[d]
            new.append(length)
            new_st.append(st[d] * step)
            dyn.append(start)
            entries.append(("s", length, step))
            d += 1
    new.extend(shape[d:])
    new_st.extend(st[d:])
    while entries and entries[-1] == ("f",):
        entries.pop()
    step = ("index", tuple(entries))
    dyn = tuple(dyn)
    return step, dyn, _views.derive(t, step, dyn, new, new_st, off)


def select(input, dim: int, index: int) -> Tensor:
    """torch.select."""
    n = input.dim()
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, n)
    size = input.shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    if index < 0:
        index += size
    return index_view(input, [("f",)] * d + [("i", index)], "select", "SelectBackward0")


def narrow(input, dim: int, start, length: int) -> Tensor:
    """torch.narrow."""
    if input.dim() == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.dim())
    size = input.shape[d]
    start = int(start)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but "
                         f"got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return index_view(input, [("f",)] * d + [("s", start, length, 1)], "narrow", "SliceBackward0")


def _slice_dim(input, d, start, length):
    return index_view(input, [("f",)] * d + [("s", start, length, 1)], "split")


def unbind(input, dim: int = 0) -> tuple:
    """torch.unbind: views of each slice along dim."""
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input.dim())
    return tuple(index_view(input, [("f",)] * d + [("i", i)], "unbind")
                 for i in range(input.shape[d]))


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """torch.split: equal chunks of split_size (last may be smaller) or the given sizes."""
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor.dim())
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step < 0 or (step == 0 and size != 0):
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if step and size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(_slice_dim(tensor, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """torch.chunk: ceil(size / chunks) per chunk; may return fewer chunks (§15)."""
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input.dim())
    size = input.shape[d]
    return split(input, max(-(-size // chunks), 1) if size else 1, d) if size else \
        tuple(_slice_dim(input, d, 0, 0) for _ in range(chunks))


# ---------------------------------------------------------------- in-place view ops


def _restride_(self, r: Tensor) -> Tensor:
    """Make ``self`` show ``r``'s view of the same storage (t_, transpose_, squeeze_, ...)."""
    if GRAD_ENABLED[0] and self._requires_grad:
        if self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        self.grad_fn = r.grad_fn
        self.__dict__.pop("_output_nr", None)
    self._view = r._view
    self.__dict__.pop("_cache", None)
    self.__dict__.pop("_cbase", None)
    return self


def t_(self) -> Tensor:
    """torch.Tensor.t_."""
    n = self.dim()
    if n > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {n}D")
    return _restride_(self, t(self))


def transpose_(self, dim0: int, dim1: int) -> Tensor:
    """torch.Tensor.transpose_ (alias swapdims_, swapaxes_)."""
    return _restride_(self, transpose(self, dim0, dim1))


def squeeze_(self, dim=None) -> Tensor:
    """torch.Tensor.squeeze_."""
    return _restride_(self, squeeze(self, dim))


def unsqueeze_(self, dim: int) -> Tensor:
    """torch.Tensor.unsqueeze_."""
    return _restride_(self, unsqueeze(self, dim))


Tensor.t_ = t_
Tensor.transpose_ = Tensor.swapdims_ = Tensor.swapaxes_ = transpose_
Tensor.squeeze_ = squeeze_
Tensor.unsqueeze_ = unsqueeze_

# ---------------------------------------------------------------- copies


_contig = Op("contiguous", "CloneBackward0", saved=None)
_clone = Op("clone", saved=None)


def contiguous(self, memory_format=None) -> Tensor:
    """torch.Tensor.contiguous: self if already contiguous, else a copy."""
    if self.is_contiguous():
        return self
    return run(_contig, None, lambda: (lambda a: a + jnp.zeros((), a.dtype)), (self._data,),
               (self,), self._dtype)


def clone(input, *, memory_format=None) -> Tensor:
    """torch.clone: a copy with its own storage."""
    _need_tensor(input, "clone")
    return run(_clone, None, lambda: (lambda a: jnp.array(a, copy=True)), (input._data,), (input,),
               input._dtype)


# ---------------------------------------------------------------- joins


_cat_op = Op("cat", saved=None)
_stack_op = Op("stack", saved=None)


def _tensors_arg(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        if fname == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{fname}(): expected a non-empty list of Tensors")
    for t_ in tensors:
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element in argument 0, but got "
                            f"{type(t_).__name__}")
    return tuple(tensors)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """torch.cat (aliases concat, concatenate): join along an existing dim (§14)."""
    tensors = _tensors_arg(tensors, "cat")
    # torch skips legacy empty 1-D tensors of shape (0,).
    parts = [t_ for t_ in tensors if not (t_.dim() == 1 and t_.shape[0] == 0)] or [tensors[0]]
    ref = parts[0]
    n = ref.dim()
    if n == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, n)
    for i, t_ in enumerate(parts):
        if t_.dim() != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and "
                               f"{t_.dim()}")
        for k in range(n):
            if k != d and t_.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {ref.shape[k]} but got size {t_.shape[k]} for tensor "
                                   f"number {i} in the list.")
    rt = result_type_of(tuple((t_._dtype, 0) for t_ in parts))
    key = (d, rt, len(parts))
    r = run(_cat_op, key, lambda: (lambda *xs: jnp.concatenate([x.astype(rt.np) for x in xs], d)),
            tuple(t_._data for t_ in parts), parts, rt)
    return r if out is None else set_out(out, r)


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """torch.stack: join along a new dim (§14)."""
    tensors = _tensors_arg(tensors, "stack")
    shape = tuple(tensors[0].shape)
    for i, t_ in enumerate(tensors):
        if tuple(t_.shape) != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t_.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    rt = result_type_of(tuple((t_._dtype, 0) for t_ in tensors))
    key = (d, rt, len(tensors))
    r = run(_stack_op, key, lambda: (lambda *xs: jnp.stack([x.astype(rt.np) for x in xs], d)),
            tuple(t_._data for t_ in tensors), tensors, rt)
    return r if out is None else set_out(out, r)


_MEMOIZED = (reshape, flatten, squeeze, unsqueeze, permute, transpose, t, diagonal, select,
             narrow, view, expand)
for _f in (reshape, flatten, unflatten, ravel, squeeze, unsqueeze, permute, transpose, t, movedim,
           diagonal, select, narrow, unbind, split, chunk, clone, broadcast_to):
    export(_memo_view(_f) if _f in _MEMOIZED else _f)
for _f in (view, view_as, reshape_as, expand, expand_as, contiguous):
    export(_memo_view(_f) if _f in _MEMOIZED else _f, function=False)
_T = _memo_view(permute)
Tensor.T = property(lambda self: _T(self, tuple(range(self.dim() - 1, -1, -1))))
for _f in (cat, stack):
    export(_f, method=False)
export(cat, "concat", method=False)
export(cat, "concatenate", method=False)
export(transpose, "swapaxes")
export(transpose, "swapdims")
export(movedim, "moveaxis")

concat = concatenate = cat
swapaxes = swapdims = transpose
moveaxis = movedim

__all__ = ["reshape", "flatten", "unflatten", "ravel", "squeeze", "unsqueeze", "permute",
           "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis", "diagonal", "select",
           "narrow", "unbind", "split", "chunk", "clone", "broadcast_to", "cat", "concat",
           "concatenate", "stack"]
