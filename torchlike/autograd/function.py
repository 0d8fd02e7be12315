"""torch.autograd.Function: user-written forward/backward with a ctx (§20)."""

from __future__ import annotations

import functools

from .._core.grad_mode import GRAD_ENABLED, no_grad
from .._core.tensor import Tensor
from .graph import RELEASED_MSG, Node, _check_versions, _grad_ok, _refresh, edge_of


class FunctionCtx:
    """The ``ctx`` of a custom Function: saves tensors and flags between forward and backward."""

    def __init__(self):
        self._saved = ()
        self._saved_versions = ()
        self._released = False
        self.needs_input_grad = ()
        self._non_differentiable = set()
        self._dirty = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else (t._storage, t._storage.version)
                                     for t in tensors)

    def save_for_forward(self, *tensors) -> None:
        self._saved_forward = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(RELEASED_MSG)
        for t, sv in zip(self._saved, self._saved_versions):
            if sv is not None and sv[0].version != sv[1]:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t._dtype} {list(t.shape)}], is at version "
                    f"{sv[0].version}; expected version {sv[1]} instead.")
        return self._saved

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors) -> None:
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class _PyOp:
    """What the engine reads off a node's op: its name and whether it saves tensors."""

    __slots__ = ("grad_name", "saved", "name")

    def __init__(self, name: str):
        self.name = name
        self.grad_name = name + "Backward"
        self.saved = "in"


class BackwardCFunction(Node):
    """The grad_fn of a custom Function's outputs."""

    __slots__ = ("_ctx", "_cls", "_arg_pos")

    def __init__(self, cls, ctx, edges, arg_pos, outs):
        super().__init__(_PyOp(cls.__name__), None, None, (), tuple(range(len(edges))), edges,
                         outs, [])
        self._ctx = ctx
        self._cls = cls
        self._arg_pos = arg_pos  # forward-arg index of each edge

    def _release(self) -> None:
        self._released = True
        self._ctx._released = True

    def _apply(self, grads_out, create_graph: bool):
        _check_versions(self)
        ctx = self._ctx
        gts = []
        for g, (shape, dt, ok) in zip(grads_out, self._outs):
            if g is None and ctx.materialize_grads:
                from .._ops.creation import zeros

                g = zeros(shape, dtype=dt)
            elif g is not None and not isinstance(g, Tensor):
                g = Tensor._make(g, dt)
            gts.append(g)
        result = self._cls.backward(ctx, *gts)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(ctx.needs_input_grad)
        if len(result) < n_args:
            if len(result) != n_args:
                raise RuntimeError(f"function {self._cls.__name__}Backward returned an incorrect "
                                   f"number of gradients (expected {n_args}, got {len(result)})")
        grads = []
        for pos in self._arg_pos:
            g = result[pos] if pos < len(result) else None
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"function {self._cls.__name__}Backward returned a gradient "
                                f"different than None at position {pos + 1}, but the "
                                f"corresponding forward input was not a Variable")
            grads.append(g if g is None or create_graph else g._data)
        return grads


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._new_style = "setup_context" in ns or any(
            getattr(b, "_new_style", False) for b in bases if b is not Function)


class Function(metaclass=_FunctionMeta):
    """torch.autograd.Function: subclass with static forward/backward; call ``Cls.apply``."""

    _new_style = False

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are "
                      "all static, so you should invoke them on the class itself.", DeprecationWarning,
                      stacklevel=2)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad and GRAD_ENABLED[0]
                                     for a in args)
        with no_grad():
            if cls._new_style and cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not any(ctx.needs_input_grad):
            return out
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        edges, pos = [], []
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a._requires_grad:
                edges.append(edge_of(a))
                pos.append(i)
        metas = [(o.shape, o._dtype, _grad_ok(o._dtype) and id(o) not in ctx._non_differentiable)
                 if isinstance(o, Tensor) else ((), None, False) for o in outs]
        node = BackwardCFunction(cls, ctx, tuple(edges), tuple(pos), metas)
        node._versions = [sv for sv in ctx._saved_versions if sv is not None]
        new_outs = []
        input_ids = {id(a) for a in args if isinstance(a, Tensor)}
        for k, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            if id(o) in input_ids and id(o) not in ctx._dirty:
                o = o.view_as(o)  # an input returned as-is becomes a fresh alias, as in torch
            if id(o) in ctx._dirty and o.grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            if metas[k][2]:
                o._requires_grad = True
                o.grad_fn = node
                if k:
                    o._output_nr = k
                if id(o) in ctx._dirty:
                    _refresh(node, o._storage)
            new_outs.append(o)
        return new_outs[0] if single else tuple(new_outs)


def once_differentiable(fn):
    """torch.autograd.function.once_differentiable: run backward without recording a graph."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


NestedIOFunction = Function
