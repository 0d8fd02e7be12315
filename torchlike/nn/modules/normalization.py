"""Normalisation layers over features (LayerNorm, GroupNorm, RMSNorm) and across channels.

The three feature norms share one rule for their learnable state: an optional ``weight``
initialised to ones and an optional ``bias`` initialised to zeros, both of one shape
(``scale_shift`` / ``reset_scale_shift``; the batch and instance norms use them too).
"""

from __future__ import annotations

import numbers

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._spec import Arg, fmt_fields, layer
from .module import Module
from .utils import _shape_t

__all__ = ["LocalResponseNorm", "CrossMapLRN2d", "LayerNorm", "GroupNorm", "RMSNorm"]


def scale_shift(
    module: Module, shape, weight: bool, bias: bool | None, device=None, dtype=None
) -> None:
    """Register ``weight`` and ``bias`` parameters of ``shape`` on ``module``.

    ``False`` registers the name as ``None`` (torch keeps the attribute); ``None`` leaves
    the name out entirely (RMSNorm has no ``bias`` at all).
    """
    for name, wanted in (("weight", weight), ("bias", bias)):
        if wanted is not None:
            value = Parameter(torch.empty(shape, device=device, dtype=dtype)) if wanted else None
            module.register_parameter(name, value)


def reset_scale_shift(module: Module) -> None:
    """The identity transform: weight to ones, bias to zeros, for whichever exists."""
    for name, fill in (("weight", init.ones_), ("bias", init.zeros_)):
        value = getattr(module, name, None)
        if value is not None:
            fill(value)


def _as_shape(shape: _shape_t) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)


def _cross_map_lrn2d(x: Tensor, size: int, alpha: float, beta: float, k: float) -> Tensor:
    # torch's legacy kernel sums squares over a window of 2*(size-1)//2+1 channels with a
    # running sum that never drops channel 0 once it is out of the window; keep that quirk.
    if x.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {x.dim()}D instead.")
    channels = x.size(1)
    reach = int((size - 1) / 2 + 1)
    sq = x * x
    prefix = F.pad(torch.cumsum(sq, dim=1), (0, 0, 0, 0, 1, 0))
    sums = []
    for c in range(channels):
        lo, hi = max(c - reach + 1, 0), min(c + reach - 1, channels - 1)
        s = prefix[:, hi + 1] - prefix[:, lo]
        sums.append(s + sq[:, 0] if lo > 0 else s)
    scale = torch.stack(sums, dim=1) * (alpha / size) + k
    return scale.pow(-beta) * x


def _lrn_args(k_default: float) -> list[Arg]:
    return [Arg("size", hint=int), Arg("alpha", 1e-4, hint=float), Arg("beta", 0.75, hint=float),
            Arg("k", k_default, hint=float)]


LocalResponseNorm = layer(
    "LocalResponseNorm",
    _lrn_args(1.0),
    lambda self, input: F.local_response_norm(input, self.size, self.alpha, self.beta, self.k),
    repr=["=size", "alpha", "beta", "k"],
    module=__name__,
    __constants__=["size", "alpha", "beta", "k"],
)

CrossMapLRN2d = layer(
    "CrossMapLRN2d",
    _lrn_args(1),
    lambda self, input: _cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k),
    repr=["=size", "alpha", "beta", "k"],
    module=__name__,
)


class _UnitAffineNorm(Module):
    """A norm whose optional weight and bias start as the identity transform."""

    def reset_parameters(self) -> None:
        reset_scale_shift(self)


class _ShapeNorm(_UnitAffineNorm):
    """LayerNorm and RMSNorm: normalise over the trailing ``normalized_shape`` dims."""

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def _build(self, shape: _shape_t, eps, affine: bool, bias: bool | None, device, dtype) -> None:
        self.normalized_shape = _as_shape(shape)
        self.eps, self.elementwise_affine = eps, affine
        scale_shift(self, self.normalized_shape, affine, bias, device, dtype)
        self.reset_parameters()

    def extra_repr(self) -> str:
        text = fmt_fields(self, ["=normalized_shape", "eps", "elementwise_affine"])
        if "bias" not in self._parameters:
            return text
        return f"{text}, bias={self.bias is not None}"


class LayerNorm(_ShapeNorm):
    """torch.nn.LayerNorm."""

    def __init__(
        self,
        normalized_shape: _shape_t,
        eps: float = 1e-05,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        affine = elementwise_affine
        self._build(normalized_shape, eps, affine, affine and bias, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class RMSNorm(_ShapeNorm):
    """torch.nn.RMSNorm."""

    def __init__(
        self,
        normalized_shape: _shape_t,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self._build(normalized_shape, eps, elementwise_affine, None, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)


class GroupNorm(_UnitAffineNorm):
    """torch.nn.GroupNorm."""

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-05,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        scale_shift(self, num_channels, affine, affine and bias, device, dtype)
        self.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        text = fmt_fields(self, ["=num_groups", "=num_channels", "eps", "affine"])
        return f"{text}, bias={self.bias is not None}"
