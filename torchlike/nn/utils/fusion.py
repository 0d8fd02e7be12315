"""torch.nn.utils.fusion: fold an eval-mode BatchNorm into the conv / linear before it.

BatchNorm in eval computes ``gamma * (y - mean) / sqrt(var + eps) + beta`` per channel, an
affine map, so it folds into the layer's weight (scaled along its output-channel axis) and
bias.  Conv and Linear differ only in which axis that is and in torch's order of rounding,
kept here as two small flags of one folding routine.
"""

from __future__ import annotations

import copy
from typing import TypeVar

import torchlike as torch

from ..._core.tensor import Tensor as _Tensor
from ..modules.module import Module
from ..parameter import Parameter

__all__ = [
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]
ConvT = TypeVar("ConvT")
LinearT = TypeVar("LinearT")
_Params = tuple[Parameter, Parameter]


def _fold(w: _Tensor, b: _Tensor | None, mean: _Tensor, var: _Tensor, eps: float,
          gamma: _Tensor | None, beta: _Tensor | None, *, channel_axis: int,
          cast_scale: bool) -> _Params:
    """The folded (weight, bias) Parameters.

    ``channel_axis`` is the weight's output-channel axis (1 for transposed convs);
    ``cast_scale`` casts the per-channel scale to the weight's dtype before multiplying
    (torch's linear rule) instead of casting the product (its conv rule).
    """
    bias_dtype = w.dtype if b is None else b.dtype
    b = torch.zeros_like(mean) if b is None else b
    gamma = torch.ones_like(mean) if gamma is None else gamma
    beta = torch.zeros_like(mean) if beta is None else beta
    inv_std = torch.rsqrt(var + eps)
    scale = gamma * inv_std
    per_channel = [1] * w.dim()
    per_channel[channel_axis] = -1
    scale_w = scale.reshape(per_channel)
    if cast_scale:
        new_w = w * scale_w.to(dtype=w.dtype)
        new_b = (b - mean) * scale + beta
    else:
        new_w = (w * scale_w).to(dtype=w.dtype)
        new_b = (b - mean) * inv_std * gamma + beta
    return (Parameter(new_w, w.requires_grad),
            Parameter(new_b.to(dtype=bias_dtype), b.requires_grad))


def _fused_copy(layer, bn, fold_weights, *extra):
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(layer)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused.weight, fused.bias = fold_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        *extra,
    )
    return fused


def fuse_conv_bn_eval(conv: ConvT, bn: Module, transpose: bool = False) -> ConvT:
    """torch.nn.utils.fuse_conv_bn_eval."""
    return _fused_copy(conv, bn, fuse_conv_bn_weights, transpose)


def fuse_linear_bn_eval(linear: LinearT, bn: Module) -> LinearT:
    """torch.nn.utils.fuse_linear_bn_eval."""
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}"
        )
    return _fused_copy(linear, bn, fuse_linear_bn_weights)


def fuse_conv_bn_weights(
    conv_w: _Tensor,
    conv_b: _Tensor | None,
    bn_rm: _Tensor,
    bn_rv: _Tensor,
    bn_eps: float,
    bn_w: _Tensor | None,
    bn_b: _Tensor | None,
    transpose: bool = False,
) -> _Params:
    """torch.nn.utils.fuse_conv_bn_weights."""
    return _fold(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b,
                 channel_axis=1 if transpose else 0, cast_scale=False)


def fuse_linear_bn_weights(
    linear_w: _Tensor,
    linear_b: _Tensor | None,
    bn_rm: _Tensor,
    bn_rv: _Tensor,
    bn_eps: float,
    bn_w: _Tensor,
    bn_b: _Tensor,
) -> _Params:
    """torch.nn.utils.fuse_linear_bn_weights (a missing bn_w / bn_b counts as 1 / 0, as for
    convs; torch fails on None there)."""
    return _fold(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b,
                 channel_axis=0, cast_scale=True)
