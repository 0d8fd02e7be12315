"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp (reverse mode, via grad).

Follows torch's own implementation (torch/autograd/functional.py) on top of autograd.grad, with
its argument checks, strict-mode errors and outputs; ``vectorize`` and forward-mode strategies
compute the same values by the reverse-mode loop.
"""

from __future__ import annotations

from .._core.grad_mode import GRAD_ENABLED, enable_grad, set_grad_enabled
from .._core.tensor import Tensor


def _as_tuple(inp, arg_name, fn_name):
    is_tuple = isinstance(inp, tuple)
    inp = inp if is_tuple else (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but the {where} has type {type(el)}.")
    return is_tuple, inp


def _unpack(res, is_tuple):
    return res if is_tuple else res[0]


def _preprocess(inputs, create_graph, need_graph):
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in inputs)


def _postprocess(xs, create_graph):
    if isinstance(xs[0], Tensor):
        return xs if create_graph else tuple(x.detach() for x in xs)
    return tuple(_postprocess(x, create_graph) for x in xs)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other, strict=False)):
        if a.shape != b.shape:
            pre = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(f"{pre}v has invalid size: should be {b.shape} but got {a.shape}.")


def _v(v, fn_name, create_graph, refs, refs_tuple, what):
    if v is not None:
        v = _preprocess(_as_tuple(v, "v", fn_name)[1], create_graph, False)
        _validate_v(v, refs, refs_tuple)
    elif len(refs) != 1 or refs[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with a "
                           "single element.")
    return v


_INDEPENDENT = {
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is thrice differentiable and that the hessian depends on the "
                "inputs."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is not "
                 "allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of the "
                    "user-provided function. This is not allowed in strict mode."),
    "outputs": ("Output {i} of the user-provided function does not require gradients. The outputs "
                "must be computed in a differentiable manner from the input when running in "
                "strict mode."),
}


def _check_requires_grad(xs, kind, strict):
    if not strict:
        return
    for i, x in enumerate(xs):
        if x is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")
        if not x.requires_grad:
            raise RuntimeError(_INDEPENDENT[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs, strict=False)
             if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(tuple(p[0] for p in pairs), inputs, tuple(p[1] for p in pairs),
                retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


_STAGE = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in "
                         "the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    from .._ops.creation import zeros_like

    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STAGE[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode when create_graph=True.")
        res.append(g)
    return tuple(res)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.vjp: (func(inputs), v^T J)."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _preprocess(inputs, create_graph, True)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _v(v, "vjp", create_graph, outputs, out_tuple, "user-provided function returns")
    with set_grad_enabled(create_graph or GRAD_ENABLED[0]):
        res = _fill_in_zeros(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph,
                             "back")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.jvp: (func(inputs), J v), by the double-backward trick."""
    from .._ops.creation import zeros_like

    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _preprocess(inputs, create_graph, True)
        v = _v(v, "jvp", create_graph, inputs, in_tuple, "input to the user-provided function is")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        grad_outputs = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else GRAD_ENABLED[0]):
        res = _fill_in_zeros(_grad(grad_inputs, grad_outputs, v, create_graph), outputs, strict,
                             create_graph, "back_trick")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), out_tuple))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """torch.autograd.functional.jacobian: one row of grads per output element."""
    from .._ops.creation import zeros, zeros_like
    from .._ops.shape import stack

    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, "forward-mode" '
                             'tends to be more performant. Otherwise, prefer to use '
                             '"reverse-mode".')
    if strict and (vectorize or strategy == "forward-mode"):
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _preprocess(inputs, create_graph, True)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        jac = []
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)
            flat = out.reshape(-1)
            for j in range(out.numel()):
                vj = _grad((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (row, g, x) in enumerate(zip(rows, vj, inputs, strict=False)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {k}. This is not allowed in "
                                               "strict mode.")
                        g = zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed in "
                                           "strict mode when create_graph=True.")
                    row.append(g)
            jac.append(tuple(
                (stack(row) if row else zeros((0,) + tuple(x.shape), dtype=x.dtype)).view(
                    tuple(out.shape) + tuple(x.shape))
                for row, x in zip(rows, inputs, strict=False)))
        jac = _postprocess(tuple(jac), create_graph)
    jac = jac if in_tuple else tuple(j[0] for j in jac)
    return _unpack(jac, out_tuple)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """torch.autograd.functional.hessian of a function with a single-element output."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def single_output(*inp):
        out = func(*inp)
        is_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        j = jacobian(single_output, inp, create_graph=True)
        _check_requires_grad(j, "jacobian", strict)
        return j

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict)
    res = res if in_tuple else tuple(r[0] for r in res)
    return _unpack(res, in_tuple)


def _second_order(name, func, inputs, v, create_graph, strict):
    """(outputs, v^T H) of a single-element function: vhp, and hvp (H is symmetric)."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _preprocess(inputs, create_graph, True)
        v = _v(v, name, create_graph, inputs, in_tuple, "input to the user-provided function is")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       name)
        _check_requires_grad(outputs, "outputs", strict)
        if out_tuple:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should "
                               "contain a single element")
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(True if create_graph else GRAD_ENABLED[0]):
        res = _fill_in_zeros(_grad(jac, inputs, v, create_graph), inputs, strict, create_graph,
                             "double_back")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), in_tuple))


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.vhp: (func(inputs), v^T H)."""
    return _second_order("vhp", func, inputs, v, create_graph, strict)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """torch.autograd.functional.hvp: (func(inputs), H v)."""
    return _second_order("hvp", func, inputs, v, create_graph, strict)
