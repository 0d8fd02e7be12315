"""torchvision.models.densenet: DenseNet-121 (DenseNet-BC) from its block table."""

from __future__ import annotations

import re
from collections import OrderedDict

from ... import Tensor, cat, flatten, nn
from ...nn import functional as F
from ._api import WeightsEnum, _override, builder, load_weights
from ._meta import _acc, _weights

__all__ = ["DenseNet", "DenseNet121_Weights", "densenet121"]


class _DenseLayer(nn.Module):
    """torchvision's _DenseLayer: BN-ReLU-1x1 conv bottleneck, then BN-ReLU-3x3 conv to growth_rate
    new channels."""

    def __init__(self, num_input_features: int, growth_rate: int, bn_size: int, drop_rate: float,
                 memory_efficient: bool = False) -> None:
        super().__init__()
        width = bn_size * growth_rate
        # (norm, relu, conv) twice: a 1x1 bottleneck to width, a 3x3 to growth_rate channels
        for i, (cin, cout, k) in enumerate(((num_input_features, width, 1),
                                            (width, growth_rate, 3)), start=1):
            self.add_module(f"norm{i}", nn.BatchNorm2d(cin))
            self.add_module(f"relu{i}", nn.ReLU(inplace=True))
            self.add_module(f"conv{i}", nn.Conv2d(cin, cout, kernel_size=k, stride=1,
                                                  padding=k // 2, bias=False))
        self.drop_rate = float(drop_rate)
        # torchvision recomputes the bottleneck in backward to save memory; the values are the
        # same, so this flag is kept for the API and the plain path runs
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs):
        """The bottleneck applied to the concatenation of all earlier feature maps."""
        return self.conv1(self.relu1(self.norm1(cat(inputs, 1))))

    def forward(self, input):
        prev = [input] if isinstance(input, Tensor) else input
        new = self.conv2(self.relu2(self.norm2(self.bn_function(prev))))
        if self.drop_rate > 0:
            new = F.dropout(new, p=self.drop_rate, training=self.training)
        return new


class _DenseBlock(nn.ModuleDict):
    """torchvision's _DenseBlock: each layer sees the concatenation of all earlier outputs."""

    _version = 2

    def __init__(self, num_layers: int, num_input_features: int, bn_size: int, growth_rate: int,
                 drop_rate: float, memory_efficient: bool = False) -> None:
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"denselayer{i + 1}", _DenseLayer(
                num_input_features + i * growth_rate, growth_rate=growth_rate, bn_size=bn_size,
                drop_rate=drop_rate, memory_efficient=memory_efficient))

    def forward(self, init_features):
        features = [init_features]
        for layer in self.values():
            features.append(layer(features))
        return cat(features, 1)


class _Transition(nn.Sequential):
    """torchvision's _Transition: BN, ReLU, 1x1 conv and a 2x2 average pool between blocks."""

    def __init__(self, num_input_features: int, num_output_features: int) -> None:
        super().__init__(OrderedDict([
            ("norm", nn.BatchNorm2d(num_input_features)),
            ("relu", nn.ReLU(inplace=True)),
            ("conv", nn.Conv2d(num_input_features, num_output_features, 1, 1, bias=False)),
            ("pool", nn.AvgPool2d(2, 2)),
        ]))


class DenseNet(nn.Module):
    """torchvision.models.DenseNet (Densely Connected Convolutional Networks, BC variant)."""

    def __init__(self, growth_rate: int = 32,
                 block_config: tuple[int, int, int, int] = (6, 12, 24, 16),
                 num_init_features: int = 64, bn_size: int = 4, drop_rate: float = 0,
                 num_classes: int = 1000, memory_efficient: bool = False) -> None:
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3,
                                bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        n = num_init_features
        for i, depth in enumerate(block_config):
            self.features.add_module(f"denseblock{i + 1}", _DenseBlock(
                num_layers=depth, num_input_features=n, bn_size=bn_size,
                growth_rate=growth_rate, drop_rate=drop_rate, memory_efficient=memory_efficient))
            n += depth * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(n, n // 2))
                n //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(n))
        self.classifier = nn.Linear(n, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.relu(self.features(x))
        return self.classifier(flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1))


# checkpoints from before module names could not hold dots spell norm1 as 'norm.1' etc.
_OLD_KEY = re.compile(
    r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def _remap_old_keys(state_dict: dict) -> dict:
    """Rename published checkpoints' old 'denselayerN.norm.1.weight' keys to 'norm1.weight'."""
    for key in list(state_dict):
        m = _OLD_KEY.match(key)
        if m:
            state_dict[m.group(1) + m.group(2)] = state_dict.pop(key)
    return state_dict


class DenseNet121_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        "https://download.pytorch.org/models/densenet121-a639ec97.pth",
        {"min_size": (29, 29), "recipe": "https://github.com/pytorch/vision/pull/116",
         "num_params": 7978856, "_metrics": _acc(74.434, 91.972), "_ops": 2.834,
         "_file_size": 30.845}, crop_size=224)
    DEFAULT = IMAGENET1K_V1


# name: (growth rate, layers per block, stem width, weights enum)
_ARCHS = {"densenet121": (32, (6, 12, 24, 16), 64, DenseNet121_Weights)}


def _builder(name: str):
    growth, blocks, stem, enum_cls = _ARCHS[name]

    def make(weights, progress, kwargs):
        if weights is not None:
            _override(kwargs, "num_classes", len(weights.meta["categories"]))
        return load_weights(DenseNet(growth, blocks, stem, **kwargs), weights, progress,
                            remap=_remap_old_keys)

    return builder(name, enum_cls, make, f"DenseNet-{name[8:]} from `Densely Connected "
                   f"Convolutional Networks` (torchvision.models.{name}); kwargs go to DenseNet.")


densenet121 = _builder("densenet121")
