"""Affine maps: Identity, Linear (and its Lazy and quantization-marker forms), Bilinear.

Linear and Bilinear draw every parameter from U(-1/sqrt(fan_in), 1/sqrt(fan_in)); Linear's
weight goes through ``kaiming_uniform_(a=sqrt(5))``, which is that same bound, so that a
zero-sized weight takes init's no-op path as in torch.
"""

from __future__ import annotations

import math
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._spec import fmt_fields
from .lazy import LazyModuleMixin, UninitializedParameter, is_lazy
from .module import Module

__all__ = ["Bilinear", "Identity", "LazyLinear", "Linear"]

_LEAKY_SLOPE = math.sqrt(5)  # gain sqrt(2 / (1 + 5)) makes kaiming's bound 1/sqrt(fan_in)


class _Affine(Module):
    """Linear and Bilinear: a weight of shape (out, *inputs), an optional bias of (out,)."""

    # the constructor's size arguments in order; the last one is the output size
    _sizes: tuple[str, ...] = ()

    def _build(self, sizes: tuple[int, ...], bias: bool, device: Any, dtype: Any) -> None:
        for name, size in zip(self._sizes, sizes, strict=True):
            setattr(self, name, size)
        *inputs, out = sizes
        self.weight = Parameter(torch.empty((out, *inputs), device=device, dtype=dtype))
        shift = Parameter(torch.empty(out, device=device, dtype=dtype)) if bias else None
        self.register_parameter("bias", shift)
        self.reset_parameters()

    def _init_weight(self) -> None:
        raise NotImplementedError

    def reset_parameters(self) -> None:
        self._init_weight()
        self._uniform_fan_in(self.bias)

    def _uniform_fan_in(self, *tensors: Tensor | None) -> None:
        fan_in = self.weight.size(1)
        bound = 1 / math.sqrt(fan_in) if fan_in else 0
        for t in tensors:
            if t is not None:
                init.uniform_(t, -bound, bound)

    def extra_repr(self) -> str:
        return f"{fmt_fields(self, self._sizes)}, bias={self.bias is not None}"


class Identity(Module):
    """torch.nn.Identity: returns its input; constructor arguments are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(_Affine):
    """torch.nn.Linear."""

    __constants__ = ["in_features", "out_features"]
    _sizes = ("in_features", "out_features")
    in_features: int
    out_features: int
    weight: Tensor

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        self._build((in_features, out_features), bias, device, dtype)

    def _init_weight(self) -> None:
        init.kaiming_uniform_(self.weight, a=_LEAKY_SLOPE)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)


class NonDynamicallyQuantizableLinear(Linear):
    """torch.nn.modules.linear.NonDynamicallyQuantizableLinear: a Linear marked for quantizers."""


class Bilinear(_Affine):
    """torch.nn.Bilinear."""

    __constants__ = ["in1_features", "in2_features", "out_features"]
    _sizes = ("in1_features", "in2_features", "out_features")
    in1_features: int
    in2_features: int
    out_features: int
    weight: Tensor

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self._build((in1_features, in2_features, out_features), bias, device, dtype)

    def _init_weight(self) -> None:
        if self.in1_features <= 0:
            raise ValueError(
                f"in1_features must be > 0, but got (in1_features={self.in1_features})"
            )
        self._uniform_fan_in(self.weight)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)


class LazyLinear(LazyModuleMixin, Linear):
    """torch.nn.LazyLinear: ``in_features`` is read from the first input's last dim."""

    cls_to_become = Linear
    weight: UninitializedParameter
    bias: UninitializedParameter

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        # an empty Linear with no inputs first (its init is skipped); then the placeholders
        super().__init__(0, out_features, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if self.in_features != 0 and not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        width = input.shape[-1]
        if is_lazy(self.weight) or is_lazy(self.bias):
            with torch.no_grad():
                self.in_features = width
                self.weight.materialize((self.out_features, width))
                if self.bias is not None:
                    self.bias.materialize(self.weight.shape[:1])
                self.reset_parameters()
        if self.in_features == 0:
            # the weight came materialized from a state_dict; take in_features from it
            if width != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {width} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}"
                )
            self.in_features = width
