"""torch.nn.Parameter: a Tensor that a Module registers as a parameter."""

from __future__ import annotations

from collections import OrderedDict

from .._core.tensor import Tensor


class Parameter(Tensor):
    """torch.nn.Parameter(data=None, requires_grad=True).

    Shares ``data``'s storage (as torch's ``_make_subclass`` does) and is a leaf.
    """

    _is_param = True

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            from .. import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        p = object.__new__(cls)
        p._storage, p._view, p._dtype = data._storage, data._view, data._dtype
        p._requires_grad = False
        p.grad_fn = None
        if requires_grad:
            if not (data._dtype.is_floating_point or data._dtype.is_complex):
                raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                                   "gradients")
            p._requires_grad = True
        return p

    def __init__(self, data=None, requires_grad: bool = True):
        pass

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.data, self.requires_grad, OrderedDict()))


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    return Parameter(data, requires_grad)
