"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp (reverse mode, via grad)."""

from __future__ import annotations

from .._core.grad_mode import enable_grad
from .._core.tensor import Tensor


def _grad(outputs, inputs, grad_outputs, create_graph):
    from . import grad

    return grad(outputs, inputs, grad_outputs, retain_graph=True, create_graph=create_graph,
                allow_unused=True)


def _prep(inputs, create_graph):
    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    for x in xs:
        if not isinstance(x, Tensor):
            raise TypeError(f"The inputs given to the function must be either a Tensor or a tuple of "
                            f"Tensors but the given argument has type {type(x).__name__}")
    prepared = tuple(x.detach().requires_grad_(True) if not create_graph or not x._requires_grad
                     else x.view_as(x) for x in xs)
    return single, prepared


def _zeros_if_none(gs, refs):
    from .._ops.creation import zeros_like

    return tuple(zeros_like(r) if g is None else g for g, r in zip(gs, refs))


def _finish(t, create_graph):
    return t if create_graph else t.detach()


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.vjp: (func(inputs), v^T J)."""
    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        outs = (out,) if isinstance(out, Tensor) else tuple(out)
        vs = None if v is None else ((v,) if isinstance(v, Tensor) else tuple(v))
        gs = _zeros_if_none(_grad(outs, xs, vs, create_graph), xs)
    out = _finish(out, create_graph) if isinstance(out, Tensor) else tuple(
        _finish(o, create_graph) for o in out)
    gs = tuple(_finish(g, create_graph) for g in gs)
    return out, (gs[0] if single else gs)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.jvp: (func(inputs), J v), by the double-vjp trick as torch does."""
    from .._ops.creation import zeros_like

    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        outs = (out,) if isinstance(out, Tensor) else tuple(out)
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        gs = _grad(outs, xs, us, True)
        vs = (v,) if isinstance(v, Tensor) else tuple(v) if v is not None else tuple(
            zeros_like(x) + 1 for x in xs)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
        jv = _grad(tuple(p[0] for p in pairs), us, tuple(p[1] for p in pairs), create_graph)
        jv = _zeros_if_none(jv, outs)
    res_out = _finish(out, create_graph) if isinstance(out, Tensor) else tuple(
        _finish(o, create_graph) for o in out)
    jv = tuple(_finish(j, create_graph) for j in jv)
    return res_out, (jv[0] if isinstance(out, Tensor) else jv)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """torch.autograd.functional.jacobian: one row of grads per output element."""
    from .._ops.creation import zeros, zeros_like
    from .._ops.shape import stack

    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        single_out = isinstance(out, Tensor)
        outs = (out,) if single_out else tuple(out)
        result = []
        for o in outs:
            flat = o.reshape(-1)
            rows = [[] for _ in xs]
            for i in range(flat.numel()):
                gs = _grad((flat[i],), xs, None, create_graph) if o._requires_grad else (None,) * len(xs)
                for k, (g, x) in enumerate(zip(gs, xs)):
                    rows[k].append(zeros_like(x) if g is None else g)
            per_input = []
            for k, x in enumerate(xs):
                shape = tuple(o.shape) + tuple(x.shape)
                j = stack(rows[k]).reshape(shape) if rows[k] else zeros(shape, dtype=x.dtype)
                per_input.append(_finish(j, create_graph))
            result.append(per_input[0] if single else tuple(per_input))
    return result[0] if single_out else tuple(result)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """torch.autograd.functional.hessian of a scalar function."""
    single = isinstance(inputs, Tensor)

    def jac_fn(*xs):
        j = jacobian(func, xs[0] if single else xs, create_graph=True)
        return j

    return jacobian(jac_fn, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.vhp: (func(inputs), v^T H)."""
    with enable_grad():
        single, xs = _prep(inputs, create_graph)
        out = func(*xs)
        gs = _grad((out,), xs, None, True)
        vs = (v,) if isinstance(v, Tensor) else tuple(v)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
        hv = _zeros_if_none(_grad(tuple(p[0] for p in pairs), xs, tuple(p[1] for p in pairs),
                                  create_graph), xs)
    hv = tuple(_finish(h, create_graph) for h in hv)
    return _finish(out, create_graph), (hv[0] if single else hv)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.hvp: (func(inputs), H v) (H is symmetric, so as vhp)."""
    return vhp(func, inputs, v, create_graph, strict)
