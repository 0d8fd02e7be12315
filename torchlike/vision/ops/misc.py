"""torchvision.ops.misc: FrozenBatchNorm2d and Permute here; the model building blocks
(Conv2dNormActivation, SqueezeExcitation, MLP) come from torchlike.vision.models."""

from __future__ import annotations

import importlib

import torchlike as torch
from torchlike.nn import Module

_FROM_MODELS = ("Conv2dNormActivation", "SqueezeExcitation", "MLP")


class FrozenBatchNorm2d(Module):
    """torchvision.ops.FrozenBatchNorm2d: batch norm with fixed statistics and affine terms."""

    def __init__(self, num_features: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(num_features))
        self.register_buffer("bias", torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        # a BatchNorm2d's state_dict loads: its step counter has no place here
        state_dict.pop(prefix + "num_batches_tracked", None)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def forward(self, x):
        def per_channel(t):
            return t.reshape(1, -1, 1, 1)

        # the affine map of eval-mode batch norm, folded into one scale and one shift
        gain = per_channel(self.weight) * torch.rsqrt(per_channel(self.running_var) + self.eps)
        return x * gain + (per_channel(self.bias) - per_channel(self.running_mean) * gain)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.weight.shape[0]}, eps={self.eps})"


class Permute(Module):
    """torchvision.ops.Permute."""

    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(*self.dims)


def __getattr__(name):
    if name in _FROM_MODELS:
        layers = importlib.import_module("torchlike.vision.models._layers")
        return getattr(layers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
