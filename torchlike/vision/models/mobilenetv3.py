"""torchvision.models.mobilenetv3: MobileNetV3 small and large from their bneck tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ... import flatten, nn
from ._api import WeightsEnum, _override, builder, load_weights
from ._layers import Conv2dNormActivation, _make_divisible
from ._layers import SqueezeExcitation as SElayer
from ._meta import _acc, _weights
from .mobilenetv2 import _init_mobilenet

__all__ = ["MobileNetV3", "MobileNet_V3_Large_Weights", "MobileNet_V3_Small_Weights",
           "mobilenet_v3_large", "mobilenet_v3_small"]


class InvertedResidualConfig:
    """torchvision.models.mobilenetv3.InvertedResidualConfig: one bneck row of the paper."""

    def __init__(self, input_channels: int, kernel: int, expanded_channels: int,
                 out_channels: int, use_se: bool, activation: str, stride: int, dilation: int,
                 width_mult: float) -> None:
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.kernel = kernel
        self.expanded_channels = self.adjust_channels(expanded_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation

    @staticmethod
    def adjust_channels(channels: int, width_mult: float) -> int:
        return _make_divisible(channels * width_mult, 8)


class InvertedResidual(nn.Module):
    """torchvision.models.mobilenetv3.InvertedResidual: expand, depthwise, [SE], project."""

    def __init__(self, cnf: InvertedResidualConfig, norm_layer: Callable[..., nn.Module],
                 se_layer: Callable[..., nn.Module] = partial(
                     SElayer, scale_activation=nn.Hardsigmoid)) -> None:
        super().__init__()
        if not 1 <= cnf.stride <= 2:
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        act = nn.Hardswish if cnf.use_hs else nn.ReLU
        exp = cnf.expanded_channels
        layers: list[nn.Module] = []
        if exp != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, exp, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=act))
        layers.append(Conv2dNormActivation(
            exp, exp, kernel_size=cnf.kernel, stride=1 if cnf.dilation > 1 else cnf.stride,
            dilation=cnf.dilation, groups=exp, norm_layer=norm_layer, activation_layer=act))
        if cnf.use_se:
            layers.append(se_layer(exp, _make_divisible(exp // 4, 8)))
        layers.append(Conv2dNormActivation(exp, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.out_channels = cnf.out_channels
        self._is_cn = cnf.stride > 1

    def forward(self, input):
        out = self.block(input)
        return out + input if self.use_res_connect else out


class MobileNetV3(nn.Module):
    """torchvision.models.MobileNetV3."""

    def __init__(self, inverted_residual_setting: list[InvertedResidualConfig], last_channel: int,
                 num_classes: int = 1000, block: Callable[..., nn.Module] | None = None,
                 norm_layer: Callable[..., nn.Module] | None = None, dropout: float = 0.2,
                 **kwargs: Any) -> None:
        super().__init__()
        setting = inverted_residual_setting
        if not setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(setting, Sequence)
                and all(isinstance(s, InvertedResidualConfig) for s in setting)):
            raise TypeError("The inverted_residual_setting should be List[InvertedResidualConfig]")
        block = block or InvertedResidual
        norm_layer = norm_layer or partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        layers: list[nn.Module] = [Conv2dNormActivation(
            3, setting[0].input_channels, kernel_size=3, stride=2, norm_layer=norm_layer,
            activation_layer=nn.Hardswish)]
        layers += [block(cnf, norm_layer) for cnf in setting]
        last_in = setting[-1].out_channels
        last_out = 6 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(last_out, last_channel), nn.Hardswish(inplace=True),
            nn.Dropout(p=dropout, inplace=True), nn.Linear(last_channel, num_classes))
        _init_mobilenet(self)

    def _forward_impl(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))

    def forward(self, x):
        return self._forward_impl(x)


# input, kernel, expanded, output, SE, activation (RE: ReLU, HS: hardswish), stride; the last
# three rows ("C4" onward) are narrowed by reduced_tail and dilated by dilated=True
_LARGE = [(16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2),
          (24, 3, 72, 24, False, "RE", 1), (24, 5, 72, 40, True, "RE", 2),
          (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
          (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1),
          (80, 3, 184, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
          (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1),
          (112, 5, 672, 160, True, "HS", 2), (160, 5, 960, 160, True, "HS", 1),
          (160, 5, 960, 160, True, "HS", 1)]
_SMALL = [(16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2),
          (24, 3, 88, 24, False, "RE", 1), (24, 5, 96, 40, True, "HS", 2),
          (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
          (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1),
          (48, 5, 288, 96, True, "HS", 2), (96, 5, 576, 96, True, "HS", 1),
          (96, 5, 576, 96, True, "HS", 1)]
_TABLES = {"mobilenet_v3_large": (_LARGE, 1280), "mobilenet_v3_small": (_SMALL, 1024)}


def _mobilenet_v3_conf(arch: str, width_mult: float = 1.0, reduced_tail: bool = False,
                       dilated: bool = False, **kwargs: Any):
    """The bneck configs and last channel count of an architecture."""
    if arch not in _TABLES:
        raise ValueError(f"Unsupported model type {arch}")
    rows, last = _TABLES[arch]
    div = 2 if reduced_tail else 1
    tail = len(rows) - 3
    setting = []
    for i, (cin, k, exp, cout, se, act, s) in enumerate(rows):
        if i >= tail:  # the C4 stage: the last stage's input/expanded/output may be halved
            cin = cin if i == tail else cin // div
            exp, cout = (exp, cout // div) if i == tail else (exp // div, cout // div)
        setting.append(InvertedResidualConfig(cin, k, exp, cout, se, act, s,
                                              2 if dilated and i >= tail else 1, width_mult))
    return setting, _make_divisible(last // div * width_mult, 8)


class MobileNet_V3_Large_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        "https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth",
        {"min_size": (1, 1), "num_params": 5483032,
         "recipe": "https://github.com/pytorch/vision/tree/main/references/classification"
                   "#mobilenetv3-large--small",
         "_metrics": _acc(74.042, 91.34), "_ops": 0.217, "_file_size": 21.114}, crop_size=224)
    IMAGENET1K_V2 = _weights(
        "https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth",
        {"min_size": (1, 1), "num_params": 5483032,
         "recipe": "https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning",
         "_metrics": _acc(75.274, 92.566), "_ops": 0.217, "_file_size": 21.107},
        crop_size=224, resize_size=232)
    DEFAULT = IMAGENET1K_V2


class MobileNet_V3_Small_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        "https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth",
        {"min_size": (1, 1), "num_params": 2542856,
         "recipe": "https://github.com/pytorch/vision/tree/main/references/classification"
                   "#mobilenetv3-large--small",
         "_metrics": _acc(67.668, 87.402), "_ops": 0.057, "_file_size": 9.829}, crop_size=224)
    DEFAULT = IMAGENET1K_V1


def _builder(arch: str, enum_cls):
    def make(weights, progress, kwargs):
        setting, last_channel = _mobilenet_v3_conf(arch, **kwargs)
        if weights is not None:
            _override(kwargs, "num_classes", len(weights.meta["categories"]))
        model = MobileNetV3(setting, last_channel, **kwargs)
        return load_weights(model, weights, progress)

    size = arch.rsplit("_", 1)[1]
    return builder(arch, enum_cls, make, f"MobileNetV3 {size} from `Searching for MobileNetV3` "
                   f"(torchvision.models.{arch}); kwargs go to MobileNetV3 and its config "
                   "(width_mult, reduced_tail, dilated).", legacy=enum_cls.IMAGENET1K_V1)


mobilenet_v3_large = _builder("mobilenet_v3_large", MobileNet_V3_Large_Weights)
mobilenet_v3_small = _builder("mobilenet_v3_small", MobileNet_V3_Small_Weights)
