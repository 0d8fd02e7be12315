"""torch.autograd.Function: user-written forward/backward with a ctx (§20)."""

from __future__ import annotations

import functools

from .._core.grad_mode import GRAD_ENABLED, no_grad
from .._core.tensor import Tensor
from .graph import RELEASED_MSG, Node, _check_versions, _grad_ok, edge_of


class FunctionCtx:
    """The ``ctx`` of a custom Function: saves tensors and flags between forward and backward.

    As in torch, the ctx of a call that records a graph is its outputs' grad_fn.
    """

    def __init__(self):
        self._saved = ()
        self._versions = []
        self._released = False
        self.needs_input_grad = ()
        self._non_differentiable = set()
        self._dirty = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self._saved = tensors

    def save_for_forward(self, *tensors) -> None:
        self._saved_forward = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(RELEASED_MSG)
        _check_versions(self)
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


class BackwardCFunction(Node, FunctionCtx):
    """The grad_fn (and ctx) of a custom Function's outputs; one subclass per Function,
    named ``<Function>Backward`` as in torch."""

    _forward_cls = None

    def _release(self) -> None:
        self._released = True

    def _apply(self, grads_out, create_graph: bool):
        _check_versions(self)
        cls = self._forward_cls
        gts = []
        for g, (shape, dt, _ok) in zip(grads_out, self._outs, strict=False):
            if g is None and self.materialize_grads and dt is not None:
                from .._ops.creation import zeros

                g = zeros(shape, dtype=dt)
            elif g is not None and not isinstance(g, Tensor):
                g = Tensor._make(g, dt)
            gts.append(g)
        result = cls.backward(self, *gts)
        if not isinstance(result, tuple):
            result = (result,)
        n, name = len(self.needs_input_grad), self.name()
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]
        if len(result) != n:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(result)})")
        for i, (g, is_t) in enumerate(zip(result, self._tensor_args, strict=False)):
            if g is not None and not is_t:
                raise RuntimeError(f"function {name} returned a gradient different than None at "
                                   f"position {i + 1}, but the corresponding forward input was not "
                                   f"a Variable")
        grads = []
        for pos, (shape, dt) in zip(self._arg_pos, self._in_meta, strict=False):
            g = result[pos]
            if g is not None:
                if tuple(g.shape) != shape:
                    g = _sum_to(g, shape, name, pos)
                if g._dtype is not dt:
                    g = g.to(dt)
            grads.append(g if g is None or create_graph else g._data)
        return grads


def _sum_to(g, shape, name, pos):
    """A custom backward's gradient of a broadcast shape, summed to the input's (torch's rule)."""
    gs = tuple(g.shape)
    lead = len(gs) - len(shape)
    if lead < 0 or any(s != 1 and s != d for s, d in zip(shape, gs[lead:], strict=False)):
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {pos} - got "
                           f"{list(gs)} but expected shape compatible with {list(shape)}")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and gs[lead + i] != 1)
    return (g.sum(dims, keepdim=True) if dims else g).reshape(shape)


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._new_style = "setup_context" in ns or any(
            getattr(b, "_new_style", False) for b in bases if b is not Function)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._op = _PyOp(name)


class Function(metaclass=_FunctionMeta):
    """torch.autograd.Function: subclass with static forward/backward; call ``Cls.apply``."""

    _new_style = False

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are "
                      "all static, so you should invoke them on the class itself.",
                      DeprecationWarning, stacklevel=2)

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
        bcls = cls._backward_cls
        ctx = bcls.__new__(bcls)
        FunctionCtx.__init__(ctx)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with no_grad():
            if cls._new_style and cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if not GRAD_ENABLED[0] or not any(ctx.needs_input_grad):
            return out
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        edges, pos, in_meta = [], [], []
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a._requires_grad:
                edges.append(edge_of(a))
                pos.append(i)
                in_meta.append((tuple(a.shape), a._dtype))
        metas = [(o.shape, o._dtype, _grad_ok(o._dtype) and id(o) not in ctx._non_differentiable)
                 if isinstance(o, Tensor) else ((), None, False) for o in outs]
        Node.__init__(ctx, cls._op, None, None, (), tuple(range(len(edges))), tuple(edges), metas,
                      [])
        ctx._arg_pos, ctx._in_meta = tuple(pos), tuple(in_meta)
        ctx._tensor_args = tuple(isinstance(a, Tensor) for a in args)
        new_outs = []
        input_ids = {id(a) for a in args if isinstance(a, Tensor)}
        for k, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            dirty = id(o) in ctx._dirty
            if id(o) in input_ids and not dirty:
                o = o.view_as(o)  # an input returned as-is becomes a fresh alias, as in torch
            if dirty:
                if o.grad_fn is None and o._requires_grad:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                       "in-place operation.")
                o._storage.version += 1  # torch bumps a dirty tensor's version once more
            if metas[k][2]:
                o._requires_grad = True
                o.grad_fn = ctx
                o.__dict__.pop("_output_nr", None)
                if k:
                    o._output_nr = k
            new_outs.append(o)
        # Versions (and torch's description for the error) of the saved tensors, after forward.
        out_nr = {id(o): k for k, o in enumerate(new_outs) if isinstance(o, Tensor)}
        out_nr.update({id(o): k for k, o in enumerate(outs) if isinstance(o, Tensor)})
        for t in ctx._saved:
            if t is not None:
                k = out_nr.get(id(t))
                fn, nr = (ctx, k) if k is not None else (t.grad_fn, t._output_nr)
                ctx._versions.append((t._storage, t._storage.version,
                                      (t._dtype, tuple(t.shape), fn, nr)))
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
