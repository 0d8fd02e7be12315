"""Op registry: declaration, kernel caches, torch promotion per op, binding, autograd recording.

An op family module declares each op once with ``Op`` and a small public function built by
the helpers here (``unary``, ``binary``) or written by hand on top of ``run``.  ``export``
then installs it as the namespace function, the Tensor method, the in-place variant and its
dunders.  Every kernel is a cached ``jax.jit`` of a pure function on jax arrays, keyed by the
op's static arguments and operand dtypes; JAX's own C++ dispatch then caches on shapes.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax._src import core as _jcore

from . import dtypes as _dt
from . import ragged as _ragged
from . import views as _views
from .device import mixed_devices
from .grad_mode import GRAD_ENABLED
from .kernel_cache import register as _bounded
from .tensor import Size, Tensor, _wrap_dim

_make = Tensor._make
result_type_of = _dt.result_type_of
scalar_dtype = _dt.scalar_dtype

# Autograd installs its recorder here (torchlike.autograd.graph.record).
_RECORD = [None]

# Promotion kinds (torch._prims_common.ELEMENTWISE_TYPE_PROMOTION_KIND).
DEFAULT, INT_TO_FLOAT, ALWAYS_BOOL, COMPLEX_TO_FLOAT, BOOL_TO_LONG, KEEP = range(6)


ALL_OPS: list = []


def _clear_kernels() -> None:
    # Kernels bake in the default dtype (int → float results): drop them when it changes.
    for op in ALL_OPS:
        op.kernels.clear()


_dt._ON_DEFAULT_CHANGE.append(_clear_kernels)


class Op:
    """One declared op: its torch name, autograd node name and kernel cache."""

    __slots__ = ("name", "grad_name", "kernels", "vjps", "differentiable", "saved")

    def __init__(self, name: str, grad_name: str | None = None, differentiable: bool = True,
                 saved: str | None = "in"):
        self.name = name
        self.grad_name = grad_name or _default_grad_name(name)
        # Bounded (kernel_cache.py): beyond the executable limit, old kernels are dropped.
        self.kernels: dict = _bounded({})
        self.vjps: dict = _bounded({})
        self.differentiable = differentiable
        # What torch's backward of this op saves ("in", "out", "both" or None): in-place
        # writes to saved tensors make backward raise, as in torch.
        self.saved = saved
        ALL_OPS.append(self)

    def __repr__(self) -> str:
        return f"Op({self.name})"


def _default_grad_name(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.strip("_").split("_")) + "Backward0"


def kernel(op: Op, key, build):
    """The cached (jitted, raw) pair for ``op`` at ``key``; ``build()`` makes the raw function."""
    entry = op.kernels.get(key)
    if entry is None:
        fn = build()
        entry = op.kernels[key] = (jax.jit(fn), fn)
    return entry


def torch_grad(fn, tangent):
    """``fn`` on jax arrays with the derivative torch uses where it differs from JAX's own rule:
    ``tangent(primals, tangents, result)`` gives the output tangent."""
    f = jax.custom_jvp(fn)

    def jvp(primals, tangents):
        r = fn(*primals)
        return r, tangent(primals, tangents, r)

    f.defjvp(jvp)
    return f


def record(op: Op, key, entry, args, inputs, outs) -> None:
    """Attach a grad_fn to ``outs`` when grad mode is on and an input requires grad."""
    if GRAD_ENABLED[0] and op.differentiable:
        for t in inputs:
            if t is not None and t._requires_grad:
                rec = _RECORD[0]
                if rec is not None:
                    rec(op, key, entry[1], args, inputs, outs)
                return


def requires_grad_any(inputs) -> bool:
    if not GRAD_ENABLED[0]:
        return False
    for t in inputs:
        if t is not None and t._requires_grad:
            return True
    return False


# ---------------------------------------------------------------- operands


def operand(x, name: str = "other"):
    """(value passed to the kernel, torch dtype, kind): kind 0 dim tensor, 1 zero-dim, 2 scalar."""
    if isinstance(x, Tensor):
        a = x._data
        return a, x._dtype, 0 if a.ndim else 1
    if isinstance(x, (bool, int, float, complex, np.number, np.bool_)):
        if isinstance(x, np.generic):
            x = x.item()
        return x, scalar_dtype(x), 2
    raise TypeError(f"{name} must be Tensor or Number, not {type(x).__name__}")


# Python scalar -> a weakly typed device array holding it.  A jitted call converts a Python
# scalar argument into a new device array on every call; the scalars a program uses (``x * 2``,
# ``p.mul_(0.9)``, ``clamp(min=0)``) repeat, so each is converted once.  ``jnp.asarray`` keeps
# the scalar's weak type, so kernels promote exactly as they do with the Python value.
# Bounded: a loop over many values clears it now and then instead of growing.
_SCALARS: dict = {}
_SCALARS_LIMIT = 1024
_SCALAR_TYPES = frozenset((bool, int, float, complex))
_I64 = (-(1 << 63), (1 << 63) - 1)


def scalar_array(x):
    """The cached device array for Python scalar ``x`` (``x`` itself where none fits)."""
    t = type(x)
    # 0.0 == -0.0 (and 0 == False) hash alike: zeros key on their repr too.
    key = (t, x) if x else (t, x, repr(x))
    arr = _SCALARS.get(key)
    if arr is None:
        if t not in _SCALAR_TYPES or (t is int and not _I64[0] <= x <= _I64[1]):
            return x
        if not _jcore.trace_state_clean():
            # inside a trace (jax.jit, torchlike.compile) jnp.asarray gives a tracer: caching
            # it would leak it into later calls
            return x
        if len(_SCALARS) >= _SCALARS_LIMIT:
            _SCALARS.clear()
        arr = _SCALARS[key] = jnp.asarray(x)
    return arr


def _scalar_args(args):
    """``args`` with Python scalars replaced by their cached arrays (``args`` when none)."""
    for x in args:
        if type(x) in _SCALAR_TYPES:
            return tuple(scalar_array(y) if type(y) in _SCALAR_TYPES else y for y in args)
    return args


def out_dtype(kind: int, rt: _dt.dtype) -> _dt.dtype:
    """The result dtype of an elementwise op of promotion ``kind``, operands promoting to ``rt``."""
    if kind == DEFAULT or kind == KEEP:
        return rt
    if kind == INT_TO_FLOAT:
        return rt if rt.category >= _dt.FLOAT else _dt.get_default_dtype()
    if kind == ALWAYS_BOOL:
        return _dt.bool
    if kind == COMPLEX_TO_FLOAT:
        return rt.to_real()
    if kind == BOOL_TO_LONG:
        return _dt.int64 if rt.category <= _dt.INT else rt
    raise ValueError(kind)


def cast(x, npdt):
    """Cast an array or a Python scalar to ``npdt`` inside a kernel."""
    if isinstance(x, (bool, int, float, complex)):
        return jnp.asarray(x, npdt)
    return x if x.dtype == npdt else x.astype(npdt)


def broadcast_shapes(*shapes) -> tuple:
    """torch.broadcast_shapes with torch's error message."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, d in enumerate(s):
            j = ndim - len(s) + i
            if out[j] == 1:
                out[j] = d
            elif d != 1 and d != out[j]:
                raise RuntimeError(f"The size of tensor a ({out[j]}) must match the size of tensor "
                                   f"b ({d}) at non-singleton dimension {i}")
    return tuple(out)


def _shape_error(exc, *arrays):
    shapes = [getattr(a, "shape", ()) for a in arrays]
    ndim = max(len(s) for s in shapes)
    for sa, sb in zip(shapes, shapes[1:], strict=False):
        for k in range(1, ndim + 1):
            da = sa[-k] if k <= len(sa) else 1
            db = sb[-k] if k <= len(sb) else 1
            if da != db and da != 1 and db != 1:
                raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                                   f"({db}) at non-singleton dimension {ndim - k}") from None
    raise exc


def wrap_dim(dim, ndim: int) -> int:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        if isinstance(dim, Tensor) and dim.numel() == 1 and not dim.is_floating_point():
            dim = int(dim)
        else:
            raise TypeError(f"dim must be int, not {type(dim).__name__}")
    return _wrap_dim(int(dim), ndim)


def wrap_dims(dim, ndim: int) -> tuple | None:
    """Normalise a dim argument (None, int, list, tuple) to a sorted tuple of positive dims."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple, Size)):
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (wrap_dim(dim, ndim),)


def as_shape(size) -> tuple:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(Size)`` → a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be tuple of ints, but got {type(s).__name__}")
        out.append(int(s))
    return tuple(out)


# ---------------------------------------------------------------- results


def set_out(out: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into a user's ``out=`` tensor with torch's casting and resize rules."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if not _dt.can_cast(result._dtype, out._dtype):
        raise RuntimeError(f"result type {result._dtype._tag} can't be cast to the desired output "
                           f"type {out._dtype._tag}")
    if requires_grad_any((out,)) or (GRAD_ENABLED[0] and result._requires_grad):
        raise RuntimeError(f"{'an op'}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if tuple(out.shape) != tuple(result.shape):
        if out._view is not None:
            raise RuntimeError("Trying to resize storage that is not resizable")
        _views.replace(out._storage, result._data.astype(out._dtype.np))
        return out
    _views.write(out, result._data)
    return out


def inplace(self: Tensor, result: Tensor) -> Tensor:
    """Make ``result`` the new value of ``self`` (an in-place op's tail): cast, write, rebase."""
    if result._dtype is not self._dtype and not _dt.can_cast(result._dtype, self._dtype):
        raise RuntimeError(f"result type {result._dtype._tag} can't be cast to the desired output "
                           f"type {self._dtype._tag}")
    # Raw shape tuples: building two Size objects costs more than the rest of this tail.
    v = result._view
    rs = result._storage.array.shape if v is None else v.shape
    v = self._view
    ss = self._storage.array.shape if v is None else v.shape
    if rs != ss:
        if broadcast_shapes(rs, ss) != tuple(ss):
            raise RuntimeError(f"output with shape {list(ss)} doesn't match the broadcast shape "
                               f"{list(broadcast_shapes(rs, ss))}")
    if self._requires_grad or result._requires_grad:
        _REBASE[0](self, result)
    elif v is not None and v.pad and _ragged.write_rows(self, result):
        pass
    else:
        arr = result._data
        if rs != ss:
            arr = jnp.broadcast_to(arr, ss)
        _views.write(self, arr)
    return self


def _rebase_without_autograd(self: Tensor, result: Tensor) -> None:
    if GRAD_ENABLED[0] and self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    arr = result._data
    if arr.shape != tuple(self.shape):
        arr = jnp.broadcast_to(arr, self.shape)
    _views.write(self, arr)


# Autograd replaces this with its history-rebasing write.
_REBASE = [_rebase_without_autograd]


# ---------------------------------------------------------------- export

# name → function, for the public namespaces to re-export.
FUNCTIONS: dict = {}


def export(fn, name: str | None = None, *, method: bool | str = True, function: bool = True,
           inplace=None, dunders: tuple = (), rdunders: tuple = ()):
    """Install ``fn`` as torchlike.<name>, Tensor.<name>, Tensor.<name>_ and dunders."""
    name = name or fn.__name__
    if function:
        FUNCTIONS[name] = fn
    if method:
        setattr(Tensor, name if method is True else method, fn)
    if inplace is not None:
        setattr(Tensor, name + "_", inplace)
    for d in dunders:
        setattr(Tensor, d, fn)
    for d in rdunders:
        setattr(Tensor, d, _reflect(fn, d))
    return fn


def _reflect(fn, dunder):
    def reflected(self, other):
        return fn(other, self)

    reflected.__name__ = dunder
    return reflected


def method(fn, name: str | None = None):
    """Install ``fn`` as a Tensor method only."""
    setattr(Tensor, name or fn.__name__, fn)
    return fn


# ---------------------------------------------------------------- elementwise helpers


def unary(name: str, body, promote: int = DEFAULT, *, grad_name: str | None = None,
          differentiable: bool = True, doc: str = "", has_inplace: bool = True,
          method_: bool = True, int_ok: bool = True, bool_ok: bool = True,
          complex_ok: bool = True, saved: str | None = "in", float_ok: bool = True):
    """Declare a unary elementwise op from a jnp body: function, method and in-place variant."""
    op = Op(name, grad_name, differentiable, saved)
    kernels = op.kernels
    make = _make

    def build(src, dst):
        ndt = dst.np

        def f(a):
            r = body(a if a.dtype == ndt or promote == COMPLEX_TO_FLOAT else a.astype(ndt))
            return r if r.dtype == ndt else r.astype(ndt)

        return f

    def fn(input, *, out=None):
        try:
            v = input._view
            src = input._dtype
        except AttributeError:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}") from None
        if v is None:
            a = input._storage.array
        elif v.pad and not input._requires_grad:
            r = _ragged.unary(fn, input)
            return r if out is None else set_out(out, r)
        else:
            a = input._data
        entry = kernels.get(src)
        if entry is None:
            _check_unary_dtype(name, src, int_ok, bool_ok, complex_ok, float_ok)
            dst = out_dtype(promote, src)
            f = build(src, dst)
            entry = kernels[src] = (jax.jit(f), f, dst)
        r = make(entry[0](a), entry[2])
        if GRAD_ENABLED[0] and input._requires_grad:
            record(op, src, entry, (a,), (input,), (r,))
        if out is not None:
            return set_out(out, r)
        return r

    def fn_(self):
        return inplace(self, fn(self))

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = doc or f"torch.{name}."
    fn_.__name__ = name + "_"
    fn_.__doc__ = f"torch.Tensor.{name}_ (in place)."
    export(fn, name, method=method_, inplace=fn_ if has_inplace else None)
    fn.op = op
    return fn


def _check_unary_dtype(name, dt, int_ok, bool_ok, complex_ok, float_ok):
    if (dt.category == _dt.INT and not int_ok) or (dt is _dt.bool and not bool_ok) or \
            (dt.is_complex and not complex_ok) or (dt.is_floating_point and not float_ok):
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{dt._tag}\'')


def binary(name: str, body, promote: int = DEFAULT, *, grad_name: str | None = None,
           differentiable: bool = True, doc: str = "", dunders=(), rdunders=(),
           idunder: str | None = None, has_inplace: bool = True, method_: bool = True,
           check=None, compute=None, saved: str | None = "in", scalar_self: bool = False,
           tensor_other: bool = False):
    """Declare a binary elementwise op with torch's scalar/tensor promotion.

    ``compute(result_dtype)`` may choose a different dtype to compute in (default: the promoted
    one); ``check(a, b, dtype)`` may reject operands (e.g. integer division by zero).
    ``scalar_self``: torch also accepts a Number as the first argument (``torch.add(2, t)``);
    ``tensor_other``: torch accepts only a Tensor as the second (``torch.maximum``).
    """
    op = Op(name, grad_name, differentiable, saved)
    kernels = op.kernels
    make = _make

    def build(cdt, odt, sa, sb):
        cn, on = cdt.np, odt.np

        def f(a, b):
            r = body(cast(a, cn), cast(b, cn))
            return r if r.dtype == on else r.astype(on)

        return f

    def entry_for(key, da, ka, db, kb):
        rt = result_type_of(((da, ka), (db, kb)))
        cdt = compute(rt) if compute is not None else rt
        odt = out_dtype(promote, rt) if promote != ALWAYS_BOOL else _dt.bool
        if promote == INT_TO_FLOAT:
            cdt = odt
        f = build(cdt, odt, ka == 2, kb == 2)
        entry = kernels[key] = (jax.jit(f), f, odt, rt)
        return entry

    def impl(input, other, out=None):
        # Hot path: inline operand() for tensors; same-dtype tensor pairs key on the dtype alone
        # (0-dim or not cannot change their promotion).
        if isinstance(input, Tensor):
            v = input._view
            if v is None:
                a = input._storage.array
            elif v.pad and (r := _ragged.binary(impl, input, other, out)) is not None:
                return r  # a padded value-dependent result (ragged.py)
            else:
                a = input._data
            da, ka = input._dtype, 0
        else:
            a, da, ka = operand(input, "input")
        if isinstance(other, Tensor):
            v = other._view
            if v is None:
                b = other._storage.array
            elif v.pad and (r := _ragged.binary(impl, input, other, out)) is not None:
                return r
            else:
                b = other._data
            db, kb = other._dtype, 0
        elif type(other) is float:  # x * 0.5: scalar_dtype inlined for the common scalars
            b, db, kb = other, _dt._default[0], 2
        elif type(other) is int:
            b, db, kb = other, _dt.int64, 2
        else:
            b, db, kb = operand(other)
        if da is db and ka == kb == 0:
            key = da
        else:
            if ka == 0 and a.ndim == 0:
                ka = 1
            if kb == 0 and b.ndim == 0:
                kb = 1
            key = (da, ka, db, kb)
        entry = kernels.get(key)
        if entry is None:
            entry = entry_for(key, da, ka, db, kb)
        if check is not None:
            check(a, b, entry[3])
        try:
            if kb == 2:
                res = entry[0](a, scalar_array(b))
            elif ka == 2:
                res = entry[0](scalar_array(a), b)
            else:
                res = entry[0](a, b)
        except (TypeError, ValueError) as e:
            if "incompatible devices" not in str(e):
                _shape_error(e, a, b)
            res = entry[0](*mixed_devices(e, (a, b)))
        r = make(res, entry[2])
        if GRAD_ENABLED[0] and (ka != 2 and input._requires_grad
                                or kb != 2 and other._requires_grad):
            record(op, key, entry, (a, b), (input if ka != 2 else None, other if kb != 2 else None),
                   (r,))
        if out is not None:
            return set_out(out, r)
        return r

    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor) and (not scalar_self or not isinstance(other, Tensor)):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(other).__name__}), but expected "
                            f"(Tensor input, Tensor or Number other)")
        if tensor_other and not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        return impl(input, other, out)

    def fn_(self, other):
        return inplace(self, impl(self, other))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc or f"torch.{name}."
    fn_.__name__ = name + "_"
    export(fn, name, method=method_, inplace=fn_ if has_inplace else None, dunders=dunders)
    for d in rdunders:
        setattr(Tensor, d, _reflect(impl, d))
    if idunder:
        setattr(Tensor, idunder, fn_)
    fn.op = op
    fn.inplace = fn_
    fn.impl = impl
    return fn


def run(op: Op, key, build, args, inputs, out_dt, *, multi: bool = False):
    """Run ``op``'s kernel for ``key`` on ``args``; wrap as Tensor(s) of ``out_dt``; record grad.

    ``inputs`` lists, per arg, the Tensor it came from or None.  For several outputs
    ``out_dt`` is a tuple of dtypes and a tuple of Tensors is returned.
    """
    entry = op.kernels.get(key)
    if entry is None:
        fn = build()
        entry = op.kernels[key] = (jax.jit(fn), fn)
    try:
        res = entry[0](*_scalar_args(args))
    except ValueError as e:  # JAX: committed inputs on different devices (free when they agree)
        res = entry[0](*mixed_devices(e, _scalar_args(args)))
    if multi:
        outs = tuple(_make(r, d) for r, d in zip(res, out_dt, strict=False))
    else:
        outs = (_make(res, out_dt),)
    if GRAD_ENABLED[0] and op.differentiable:
        for t in inputs:
            if t is not None and t._requires_grad:
                rec = _RECORD[0]
                if rec is not None:
                    rec(op, key, entry[1], args, inputs, outs, multi)
                break
    return outs if multi else outs[0]


def numel(shape) -> int:
    return math.prod(shape)
