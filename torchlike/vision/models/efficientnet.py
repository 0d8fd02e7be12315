"""torchvision.models.efficientnet: EfficientNet-B0 (MBConv stages from a table)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from ... import flatten, nn
from ._api import WeightsEnum, _override, builder, load_weights
from ._layers import Conv2dNormActivation, SqueezeExcitation, StochasticDepth, _make_divisible
from ._meta import _acc, _weights
from .mobilenetv2 import _init_mobilenet


def _uniform_linear(m: nn.Linear) -> None:
    r = 1.0 / math.sqrt(m.out_features)
    nn.init.uniform_(m.weight, -r, r)

__all__ = ["EfficientNet", "EfficientNet_B0_Weights", "efficientnet_b0"]


@dataclass
class _MBConvConfig:
    expand_ratio: float
    kernel: int
    stride: int
    input_channels: int
    out_channels: int
    num_layers: int
    block: Callable[..., nn.Module]

    @staticmethod
    def adjust_channels(channels: int, width_mult: float, min_value: int | None = None) -> int:
        return _make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    """torchvision.models.efficientnet.MBConvConfig: one stage, scaled by width and depth."""

    def __init__(self, expand_ratio: float, kernel: int, stride: int, input_channels: int,
                 out_channels: int, num_layers: int, width_mult: float = 1.0,
                 depth_mult: float = 1.0, block: Callable[..., nn.Module] | None = None) -> None:
        super().__init__(expand_ratio, kernel, stride,
                         self.adjust_channels(input_channels, width_mult),
                         self.adjust_channels(out_channels, width_mult),
                         self.adjust_depth(num_layers, depth_mult), block or MBConv)

    @staticmethod
    def adjust_depth(num_layers: int, depth_mult: float) -> int:
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    """torchvision.models.efficientnet.FusedMBConvConfig (EfficientNetV2's fused stages)."""

    def __init__(self, expand_ratio: float, kernel: int, stride: int, input_channels: int,
                 out_channels: int, num_layers: int,
                 block: Callable[..., nn.Module] | None = None) -> None:
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         block or FusedMBConv)


class _Residual(nn.Module):
    """A block whose output, when shapes allow, is stochastic-depth(branch) + input."""

    def forward(self, input):
        out = self.block(input)
        if self.use_res_connect:
            out = self.stochastic_depth(out) + input
        return out


class MBConv(_Residual):
    """torchvision.models.efficientnet.MBConv: expand 1x1, depthwise kxk, SE, project 1x1."""

    def __init__(self, cnf: MBConvConfig, stochastic_depth_prob: float,
                 norm_layer: Callable[..., nn.Module],
                 se_layer: Callable[..., nn.Module] = SqueezeExcitation) -> None:
        super().__init__()
        if not 1 <= cnf.stride <= 2:
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        exp = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        layers: list[nn.Module] = []
        if exp != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, exp, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=nn.SiLU))
        layers += [
            Conv2dNormActivation(exp, exp, kernel_size=cnf.kernel, stride=cnf.stride, groups=exp,
                                 norm_layer=norm_layer, activation_layer=nn.SiLU),
            se_layer(exp, max(1, cnf.input_channels // 4),
                     activation=partial(nn.SiLU, inplace=True)),
            Conv2dNormActivation(exp, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                                 activation_layer=None),
        ]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels


class FusedMBConv(_Residual):
    """torchvision.models.efficientnet.FusedMBConv: a full kxk conv instead of expand+depthwise."""

    def __init__(self, cnf: FusedMBConvConfig, stochastic_depth_prob: float,
                 norm_layer: Callable[..., nn.Module]) -> None:
        super().__init__()
        if not 1 <= cnf.stride <= 2:
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        exp = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if exp != cnf.input_channels:
            layers = [Conv2dNormActivation(cnf.input_channels, exp, kernel_size=cnf.kernel,
                                           stride=cnf.stride, norm_layer=norm_layer,
                                           activation_layer=nn.SiLU),
                      Conv2dNormActivation(exp, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None)]
        else:
            layers = [Conv2dNormActivation(cnf.input_channels, cnf.out_channels,
                                           kernel_size=cnf.kernel, stride=cnf.stride,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU)]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels


class EfficientNet(nn.Module):
    """torchvision.models.EfficientNet (V1 and V2 share this body)."""

    def __init__(self, inverted_residual_setting: Sequence[MBConvConfig | FusedMBConvConfig],
                 dropout: float, stochastic_depth_prob: float = 0.2, num_classes: int = 1000,
                 norm_layer: Callable[..., nn.Module] | None = None,
                 last_channel: int | None = None) -> None:
        super().__init__()
        setting = inverted_residual_setting
        if not setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(setting, Sequence) and all(isinstance(s, _MBConvConfig)
                                                      for s in setting)):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        norm_layer = norm_layer or nn.BatchNorm2d
        layers: list[nn.Module] = [Conv2dNormActivation(
            3, setting[0].input_channels, kernel_size=3, stride=2, norm_layer=norm_layer,
            activation_layer=nn.SiLU)]
        total = sum(cnf.num_layers for cnf in setting)
        done = 0
        for cnf in setting:
            stage: list[nn.Module] = []
            for j in range(cnf.num_layers):
                c = copy.copy(cnf)
                if j:  # later blocks of a stage keep the width and the resolution
                    c.input_channels, c.stride = c.out_channels, 1
                # drop probability grows linearly with depth over all blocks
                stage.append(c.block(c, stochastic_depth_prob * float(done) / total, norm_layer))
                done += 1
            layers.append(nn.Sequential(*stage))
        last_in = setting[-1].out_channels
        last_out = last_channel if last_channel is not None else 4 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True),
                                        nn.Linear(last_out, num_classes))
        _init_mobilenet(self, linear=_uniform_linear)

    def _forward_impl(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))

    def forward(self, x):
        return self._forward_impl(x)


# expand ratio, kernel, stride, input channels, output channels, repeats (B0 before scaling)
_B_STAGES = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2),
             (6, 3, 2, 40, 80, 3), (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4),
             (6, 3, 1, 192, 320, 1)]


def _efficientnet_conf(arch: str, **kwargs):
    """The stage configs (and last channel) of an architecture: B-series scale the B0 table."""
    if not arch.startswith("efficientnet_b"):
        raise NotImplementedError(f"{arch}: torchlike.vision builds efficientnet_b0 only")
    width, depth = kwargs.pop("width_mult"), kwargs.pop("depth_mult")
    return [MBConvConfig(*row, width_mult=width, depth_mult=depth) for row in _B_STAGES], None


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        "https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth",
        {"min_size": (1, 1), "recipe": "https://github.com/pytorch/vision/tree/main/references/"
                                       "classification#efficientnet-v1",
         "num_params": 5288548, "_metrics": _acc(77.692, 93.532), "_ops": 0.386,
         "_file_size": 20.451}, crop_size=224, resize_size=256, interpolation="bicubic")
    DEFAULT = IMAGENET1K_V1


# name: (width multiplier, depth multiplier, dropout, weights enum)
_ARCHS = {"efficientnet_b0": (1.0, 1.0, 0.2, EfficientNet_B0_Weights)}


def _builder(name: str):
    width, depth, default_dropout, enum_cls = _ARCHS[name]

    def make(weights, progress, kwargs):
        setting, last = _efficientnet_conf(name, width_mult=width, depth_mult=depth)
        if weights is not None:
            _override(kwargs, "num_classes", len(weights.meta["categories"]))
        model = EfficientNet(setting, kwargs.pop("dropout", default_dropout), last_channel=last,
                             **kwargs)
        return load_weights(model, weights, progress)

    return builder(name, enum_cls, make, f"EfficientNet {name[13:].upper()} from `EfficientNet: "
                   "Rethinking Model Scaling for Convolutional Neural Networks` "
                   f"(torchvision.models.{name}); kwargs go to EfficientNet.")


efficientnet_b0 = _builder("efficientnet_b0")
