"""torch.autograd: backward, grad, grad modes, Function, functional, gradcheck."""

from __future__ import annotations

import weakref

from .._core.grad_mode import (  # noqa: F401
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .._core.tensor import Tensor, _HookHandle
from . import functional, graph
from .function import Function, FunctionCtx, InplaceFunction, once_differentiable
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import AccumulateGrad, Node, edge_of, run_backward

_make = Tensor._make


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(tensors, grad_tensors, create_graph):
    out = []
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"Mismatch in number of grad_tensors ({len(grad_tensors)}) and tensors "
                           f"({len(tensors)})")
    for i, (t, g) in enumerate(zip(tensors, grad_tensors, strict=False)):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               f"grad_fn")
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t._dtype.is_floating_point:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {t._dtype}")
            from .._ops.creation import ones_like

            g = ones_like(t)
        elif not isinstance(g, Tensor):
            from .._ops.creation import tensor

            g = tensor(g, dtype=t._dtype)
        if tuple(g.shape) != tuple(t.shape):
            if g.numel() == t.numel() == 1:
                g = g.reshape(tuple(t.shape))
            else:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {t.shape}.")
        if g._dtype is not t._dtype:  # torch's engine casts grad_outputs to the output's dtype
            if g._dtype.is_complex or t._dtype.is_complex:
                raise RuntimeError(f"For complex Tensors, both grad_output and output are required "
                                   f"to have the same dtype. Mismatch in dtype: grad_output[{i}] "
                                   f"has a dtype of {g._dtype} and output[{i}] has a dtype of "
                                   f"{t._dtype}.")
            g = g.to(t._dtype)
        out.append(g if create_graph and g._requires_grad else g._data)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """torch.autograd.backward: accumulate d(tensors)/d(leaves) into the leaves' .grad."""
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grad_tensors = _as_tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(tensors, grad_tensors, create_graph)
    inputs = _as_tuple(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in inputs or ():
        if t.grad_fn is not None and not t._retains_grad:
            _retain_grad(t)  # as in torch, a non-leaf input retains its grad from now on
    run_backward(tensors, roots, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """torch.autograd.grad: the gradients of outputs with respect to inputs (not accumulated)."""
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported by torchlike")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _root_grads(outputs, _as_tuple(grad_outputs), create_graph)
    keys = []
    for t in inputs:
        node, nr = edge_of(t)
        keys.append((id(node), nr))
    captured = run_backward(outputs, roots, retain_graph, create_graph, capture=set(keys))
    result = []
    for i, (t, k) in enumerate(zip(inputs, keys, strict=False)):
        g = captured.get(k)
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                from .._ops.creation import zeros_like

                g = zeros_like(t)
            result.append(g)
            continue
        result.append(g if isinstance(g, Tensor) else _make(g, t._dtype))
    return tuple(result)


# ---------------------------------------------------------------- Tensor methods


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                     inputs=None) -> None:
    """torch.Tensor.backward."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def _register_hook(self, hook):
    """torch.Tensor.register_hook: hook(grad) runs when this tensor's grad is computed."""
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is None:
        if self._hooks is None:
            self._hooks = {}
        handle = _HookHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle
    node = self.grad_fn
    if node._tensor_hooks is None:
        node._tensor_hooks = {}
    hooks = node._tensor_hooks.setdefault(self._output_nr, [])
    hooks.append(hook)
    return graph._ListHandle(hooks, hook)


def _retain_grad(self) -> None:
    """torch.Tensor.retain_grad."""
    if not self._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is None:
        return
    node = self.grad_fn
    if node._retain is None:
        node._retain = {}
    node._retain[self._output_nr] = weakref.ref(self)
    self._retains_grad = True


def _register_post_accumulate_grad_hook(self, hook):
    """torch.Tensor.register_post_accumulate_grad_hook (leaves only)."""
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if self._post_accumulate_hooks is None:
        self._post_accumulate_hooks = {}
    handle = _HookHandle(self._post_accumulate_hooks)
    self._post_accumulate_hooks[handle.id] = hook
    return handle


def _grad_get(self):
    if self.grad_fn is not None and not self._retains_grad and self._grad is None:
        import warnings

        warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being "
                      "accessed. "
                      "Its .grad attribute won't be populated during autograd.backward(). If you "
                      "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                      ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
    return self._grad


# C++ names of the gradient's dtype in torch's "assign a gradient" error.
_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half",
        "bfloat16": "c10::BFloat16", "complex64": "c10::complex<float>",
        "complex128": "c10::complex<double>", "int64": "long", "int32": "int", "int16": "short",
        "int8": "signed char", "uint8": "unsigned char",
        "bool": "bool"}


def _grad_set(self, value):
    if value is not None:
        if not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                            f"{type(value).__name__}")
        if value._dtype is not self._dtype:
            raise RuntimeError(
                f"attempting to assign a gradient with dtype '{_CPP.get(value._dtype.name)}' to a "
                f"tensor with grad_dtype '{self._dtype._tag}'. The gradient must match the "
                "tensor's "
                "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
                "caution. Diverging the dtypes of a tensor and its gradient may break downstream "
                "systems that assume they match.")
        if tuple(value.shape) != tuple(self.shape):
            raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to "
                               f"a tensor of size '{list(self.shape)}'. Please ensure that the "
                               "gradient and the tensor are the same size")
    self._grad = value


Tensor.backward = _tensor_backward
Tensor.register_hook = _register_hook
Tensor.retain_grad = _retain_grad
Tensor.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook
Tensor.grad = property(_grad_get, _grad_set, Tensor.grad.fdel)
Tensor.output_nr = property(lambda self: self._output_nr, doc="torch.Tensor.output_nr")

__all__ = ["backward", "grad", "Node", "AccumulateGrad", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "Function", "FunctionCtx",
           "InplaceFunction", "once_differentiable", "functional", "gradcheck", "gradgradcheck",
           "GradcheckError"]
