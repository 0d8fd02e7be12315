"""torchlike.interop: moving values, modules and functions between torchlike and JAX.

- ``to_jax(t)`` / ``from_jax(a)``: a Tensor's jax.Array and back, without a copy.
- ``module_state(m)`` / ``load_state(m, params, buffers)``: a Module's parameters and buffers as
  dicts of jax arrays, and back into the Module.
- ``jax_fn(m)``: the Module as a pure ``(params, buffers, *args) -> out`` function on jax arrays,
  for ``jax.jit``, ``jax.grad``, ``jax.vmap``, optax and Flax.
- ``torch_op(f)``: a JAX function as a torchlike op (Tensors in, Tensors out) whose backward is
  ``jax.vjp`` of ``f``, compiled once per argument structure like every other op.

docs/interop.md shows the round trips with optax and Flax.
"""

from __future__ import annotations

import functools

import jax
import numpy as np

from ._core import dtypes as _dt
from ._core import registry as _reg
from ._core.grad_mode import GRAD_ENABLED, no_grad
from ._core.tensor import Tensor

__all__ = ["from_jax", "jax_fn", "load_state", "module_state", "to_jax", "torch_op"]

_make = Tensor._make


def to_jax(t: Tensor) -> jax.Array:
    """The tensor's value as a jax.Array (the same array, no copy, for a non-view tensor)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"to_jax() expects a Tensor, got {type(t).__name__}")
    return t._data


def from_jax(a) -> Tensor:
    """A Tensor holding the jax.Array ``a`` itself (no copy); torch's dtype for its dtype."""
    if not isinstance(a, jax.Array):
        raise TypeError(f"from_jax() expects a jax.Array, got {type(a).__name__}")
    dt = _dt._BY_NP.get(a.dtype)
    if dt is None:
        raise TypeError(f"from_jax(): no torch dtype for JAX dtype {a.dtype}")
    return _make(a, dt)


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def _to_tensors(tree):
    """jax/NumPy arrays in ``tree`` as Tensors (Tensors and other leaves kept)."""
    def conv(x):
        if isinstance(x, jax.Array):
            return from_jax(x)
        if isinstance(x, np.ndarray):
            return from_jax(jax.numpy.asarray(x))
        return x

    return jax.tree_util.tree_map(conv, tree, is_leaf=_is_tensor)


def _to_arrays(tree):
    return jax.tree_util.tree_map(lambda x: x._data if isinstance(x, Tensor) else x, tree,
                                  is_leaf=_is_tensor)


def module_state(module) -> tuple[dict, dict]:
    """(params, buffers): a Module's named parameters and buffers as dicts of jax arrays."""
    params = {k: v._data for k, v in module.named_parameters()}
    buffers = {k: v._data for k, v in module.named_buffers()}
    return params, buffers


def load_state(module, params: dict, buffers: dict | None = None) -> None:
    """Write jax arrays (from ``module_state``, optax, Flax, ...) back into the Module's tensors."""
    own = dict(module.named_parameters())
    own.update(module.named_buffers())
    with no_grad():
        for k, v in {**params, **(buffers or {})}.items():
            if k not in own:
                raise KeyError(f"load_state: {module._get_name()} has no parameter or buffer {k!r}")
            t = own[k]
            a = v._data if isinstance(v, Tensor) else jax.numpy.asarray(v)
            if tuple(a.shape) != tuple(t.shape):
                raise RuntimeError(f"load_state: size mismatch for {k}: got {list(a.shape)}, the "
                                   f"module has {list(t.shape)}")
            t.copy_(_make(a, _dt._BY_NP.get(a.dtype)))


def jax_fn(module, *, with_buffers: bool = False):
    """``module`` as a pure function ``(params, buffers, *args, **kwargs) -> out`` on jax arrays.

    ``params``/``buffers`` are dicts keyed as ``named_parameters``/``named_buffers`` (missing
    keys fall back to the module's own tensors).  Array arguments become Tensors and Tensor
    outputs become jax arrays, so the function works under ``jax.jit``, ``jax.grad``,
    ``jax.vmap`` and with optax or Flax.  ``with_buffers=True`` returns ``(out, new_buffers)``,
    the buffers as the call left them (e.g. BatchNorm's running statistics in training mode).
    The module's train/eval mode is read at each call.
    """
    from .func import functional_call

    def f(params, buffers, *args, **kwargs):
        bufs = {k: from_jax(jax.numpy.asarray(v)) for k, v in (buffers or {}).items()}
        pb = {k: from_jax(jax.numpy.asarray(v)) for k, v in (params or {}).items()}
        with no_grad():  # JAX differentiates this function; torchlike's autograd stays out
            out = functional_call(module, (pb, bufs), _to_tensors(args), _to_tensors(kwargs))
        out = _to_arrays(out)
        if with_buffers:
            return out, {k: v._data for k, v in bufs.items()}
        return out

    f.__name__ = f"jax_fn({module._get_name()})"
    return f


def split_arrays(leaves):
    """(positions, arrays, source Tensors or None, (position, value) statics) of ``leaves``:
    Tensors and arrays become kernel arguments, everything else is baked in."""
    pos, arrays, inputs, static = [], [], [], []
    for i, x in enumerate(leaves):
        if isinstance(x, Tensor):
            pos.append(i)
            arrays.append(x._data)
            inputs.append(x)
        elif isinstance(x, (jax.Array, np.ndarray)):
            pos.append(i)
            arrays.append(x)
            inputs.append(None)
        else:
            static.append((i, x))
    return pos, arrays, inputs, static


def torch_op(fn=None, *, name: str | None = None):
    """Wrap a JAX function as a torchlike op: ``torch_op(f)(tensors...) -> Tensors``.

    Tensor (and jax/NumPy array) leaves of the arguments, in any pytree, are the op's inputs;
    other leaves are static (hashable) values that key the compiled kernel.  The output may be
    any pytree of arrays.  Autograd records one node whose backward is ``jax.vjp(f)``, so
    ``backward()``, ``torch.autograd.grad``, higher-order gradients and torchlike.func
    transforms all reach through it.  Usable as a decorator, with or without ``name=``.
    """
    if fn is None:
        return functools.partial(torch_op, name=name)
    op = _reg.Op(name or getattr(fn, "__name__", "torch_op"))
    out_trees: dict = {}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_tensor)
        pos, arrays, inputs, static = split_arrays(leaves)
        key = (treedef, tuple(pos), tuple(static))
        try:
            hash(key)
        except TypeError:
            raise TypeError(f"{op.name}: non-array arguments of a torch_op must be hashable (they "
                            "key its compiled kernel); pass arrays as Tensors") from None

        template = [None] * len(leaves)
        for i, x in static:
            template[i] = x

        def build():
            def raw(*arrs):
                full = list(template)
                for i, a in zip(pos, arrs, strict=True):
                    full[i] = a
                a, k = jax.tree_util.tree_unflatten(treedef, full)
                out_leaves, out_tree = jax.tree_util.tree_flatten(fn(*a, **k))
                out_trees[key] = out_tree
                return tuple(out_leaves)

            return raw

        entry = _reg.kernel(op, key, build)
        res = entry[0](*arrays)
        outs = tuple(_make(r, _dt._BY_NP.get(r.dtype)) for r in res)
        if GRAD_ENABLED[0] and any(t is not None and t._requires_grad for t in inputs):
            rec = _reg._RECORD[0]
            if rec is not None:
                rec(op, key, entry[1], tuple(arrays), tuple(inputs), outs, True)
        return jax.tree_util.tree_unflatten(out_trees[key], outs)

    wrapper.op = op
    return wrapper
