"""torchvision.models.mobilenetv2: MobileNetV2 from its (t, c, n, s) block table."""

from __future__ import annotations

from collections.abc import Callable

from ... import flatten, nn
from ...nn import functional as F
from ._api import WeightsEnum, _override, builder, load_weights
from ._layers import Conv2dNormActivation, _make_divisible
from ._meta import _acc, _weights

__all__ = ["MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2"]


class InvertedResidual(nn.Module):
    """torchvision.models.mobilenetv2.InvertedResidual: expand 1x1, depthwise 3x3, project 1x1."""

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int,
                 norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        self.stride = stride
        if stride not in (1, 2):
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        norm_layer = norm_layer or nn.BatchNorm2d
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.ReLU6))
        layers += [
            Conv2dNormActivation(hidden, hidden, stride=stride, groups=hidden,
                                 norm_layer=norm_layer, activation_layer=nn.ReLU6),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


# expansion t, output channels c, repeats n, first stride s
_SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1],
            [6, 160, 3, 2], [6, 320, 1, 1]]


class MobileNetV2(nn.Module):
    """torchvision.models.MobileNetV2."""

    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0,
                 inverted_residual_setting: list[list[int]] | None = None,
                 round_nearest: int = 8, block: Callable[..., nn.Module] | None = None,
                 norm_layer: Callable[..., nn.Module] | None = None,
                 dropout: float = 0.2) -> None:
        super().__init__()
        block = block or InvertedResidual
        norm_layer = norm_layer or nn.BatchNorm2d
        setting = _SETTING if inverted_residual_setting is None else inverted_residual_setting
        if len(setting) == 0 or len(setting[0]) != 4:
            raise ValueError("inverted_residual_setting should be non-empty or a 4-element list, "
                             f"got {setting}")
        channels = _make_divisible(32 * width_mult, round_nearest)
        self.last_channel = _make_divisible(1280 * max(1.0, width_mult), round_nearest)
        features: list[nn.Module] = [Conv2dNormActivation(
            3, channels, stride=2, norm_layer=norm_layer, activation_layer=nn.ReLU6)]
        for t, c, n, s in setting:
            out = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(block(channels, out, s if i == 0 else 1, expand_ratio=t,
                                      norm_layer=norm_layer))
                channels = out
        features.append(Conv2dNormActivation(channels, self.last_channel, kernel_size=1,
                                             norm_layer=norm_layer, activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout),
                                        nn.Linear(self.last_channel, num_classes))
        _init_mobilenet(self)

    def _forward_impl(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(flatten(x, 1))

    def forward(self, x):
        return self._forward_impl(x)


def _init_mobilenet(model: nn.Module, linear=None) -> None:
    """The MobileNet family's init: fan-out He convs, unit norms, N(0, 0.01) linear weights
    (``linear(m)`` instead where given: EfficientNet's uniform one)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            if linear is None:
                nn.init.normal_(m.weight, 0, 0.01)
            else:
                linear(m)
            nn.init.zeros_(m.bias)


_URL = "https://download.pytorch.org/models/"


def _meta(recipe, top1, top5, size):
    return {"num_params": 3504872, "min_size": (1, 1), "recipe": recipe,
            "_metrics": _acc(top1, top5), "_ops": 0.301, "_file_size": size}


class MobileNet_V2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        _URL + "mobilenet_v2-b0353104.pth",
        _meta("https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv2",
              71.878, 90.286, 13.555), crop_size=224)
    IMAGENET1K_V2 = _weights(
        _URL + "mobilenet_v2-7ebf99e0.pth",
        _meta("https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning",
              72.154, 90.822, 13.598), crop_size=224, resize_size=232)
    DEFAULT = IMAGENET1K_V2


def _make(weights, progress, kwargs):
    if weights is not None:
        _override(kwargs, "num_classes", len(weights.meta["categories"]))
    return load_weights(MobileNetV2(**kwargs), weights, progress)


mobilenet_v2 = builder("mobilenet_v2", MobileNet_V2_Weights, _make,
                       "MobileNetV2 from `MobileNetV2: Inverted Residuals and Linear Bottlenecks` "
                       "(torchvision.models.mobilenet_v2); kwargs go to MobileNetV2.",
                       legacy=MobileNet_V2_Weights.IMAGENET1K_V1)
