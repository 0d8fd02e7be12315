"""torch.nn.parameter: Parameter, Buffer and the uninitialized (lazy) placeholders."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from .._core.tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


def _alias(cls: type, data: Tensor, requires_grad: bool) -> Tensor:
    """A leaf of class ``cls`` sharing ``data``'s storage (torch's ``_make_subclass``)."""
    t = object.__new__(cls)
    t._storage, t._view, t._dtype = data._storage, data._view, data._dtype
    t.grad_fn = None
    t._requires_grad = False
    if requires_grad:
        if not (data._dtype.is_floating_point or data._dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


def _fresh(device: Any = None, dtype: Any = None) -> Tensor:
    from .. import empty

    return empty(0, device=device, dtype=dtype)


def _as_data(data: Any, what: str) -> Tensor:
    if data is None:
        return _fresh()
    if not isinstance(data, Tensor):
        raise TypeError(f"{what}(): argument 'data' must be Tensor, not {type(data).__name__}")
    return data


class Parameter(Tensor):
    """torch.nn.Parameter(data=None, requires_grad=True): shares ``data``'s storage."""

    _is_param = True

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        return _alias(cls, _as_data(data, "Parameter"), requires_grad)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __reduce_ex__(self, proto: int) -> tuple:
        return (_rebuild_parameter, (self.data, self.requires_grad, OrderedDict()))


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any = None) -> Parameter:
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    # Buffer(t) returns a plain Tensor carrying a mark, as torch's does; isinstance reads it.
    def __instancecheck__(cls, instance: Any) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and bool(getattr(instance, "_is_buffer", False))
        return type.__instancecheck__(cls, instance)


class Buffer(metaclass=_BufferMeta):
    """torch.nn.Buffer(data, *, persistent=True): marks a tensor as a buffer when assigned."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Tensor:
        base = _as_data(data, "Buffer")
        marked = base.detach().requires_grad_(base.requires_grad)
        marked.persistent = persistent
        marked._is_buffer = True
        return marked


class UninitializedTensorMixin:
    """torch.nn.parameter.UninitializedTensorMixin: shape unknown until ``materialize``."""

    cls_to_become: type = Tensor

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the placeholder real (uninitialised) storage and its final class."""
        from .. import empty

        now = self.data
        self.data = empty(shape, device=now.device if device is None else device,
                          dtype=now.dtype if dtype is None else dtype)
        final = self.cls_to_become
        self.__class__ = final

    @property
    def shape(self) -> Any:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This "
            "error usually happens in `load_state_dict` when trying to load an "
            "uninitialized parameter into an initialized one. Call `forward` to "
            "initialize the parameters before accessing their attributes."
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, proto: int) -> tuple:
        return (type(self), (self.requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """torch.nn.UninitializedParameter."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        return _alias(cls, _fresh(device, dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """torch.nn.UninitializedBuffer."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                persistent: bool = True) -> UninitializedBuffer:
        t = _alias(cls, _fresh(device, dtype), False)
        t._requires_grad = bool(requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                 persistent: bool = True) -> None:
        pass


def is_lazy(param: Any) -> bool:
    """torch.nn.parameter.is_lazy."""
    return isinstance(param, UninitializedTensorMixin)
