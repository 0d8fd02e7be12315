"""torchvision.models.squeezenet: SqueezeNet 1.0 and 1.1, built from a layer table."""

from __future__ import annotations

from ... import cat, flatten, nn
from ._api import WeightsEnum, _override, builder, load_weights
from ._meta import _acc, _weights

__all__ = ["SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights", "squeezenet1_0",
           "squeezenet1_1"]


class Fire(nn.Module):
    """torchvision.models.squeezenet.Fire: a 1x1 squeeze, then 1x1 and 3x3 expands concatenated."""

    def __init__(self, inplanes: int, squeeze_planes: int, expand1x1_planes: int,
                 expand3x3_planes: int) -> None:
        super().__init__()
        self.inplanes = inplanes
        # each conv is followed by its own ReLU child (<name>_activation)
        for name, cin, cout, k in (("squeeze", inplanes, squeeze_planes, 1),
                                   ("expand1x1", squeeze_planes, expand1x1_planes, 1),
                                   ("expand3x3", squeeze_planes, expand3x3_planes, 3)):
            self.add_module(name, nn.Conv2d(cin, cout, kernel_size=k, padding=k // 2))
            self.add_module(name + "_activation", nn.ReLU(inplace=True))

    def forward(self, x):
        s = self.squeeze_activation(self.squeeze(x))
        return cat([self.expand1x1_activation(self.expand1x1(s)),
                    self.expand3x3_activation(self.expand3x3(s))], 1)


# per version: the stem conv (out, kernel) and the feature stack after its ReLU + pool;
# "M" is a ceil-mode 3x3/2 max pool, (s, e) a Fire with squeeze s and both expands e
_VERSIONS = {
    "1_0": ((96, 7), [(16, 64), (16, 64), (32, 128), "M", (32, 128), (48, 192), (48, 192),
                      (64, 256), "M", (64, 256)]),
    "1_1": ((64, 3), [(16, 64), (16, 64), "M", (32, 128), (32, 128), "M", (48, 192), (48, 192),
                      (64, 256), (64, 256)]),
}


def _pool() -> nn.MaxPool2d:
    return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)


class SqueezeNet(nn.Module):
    """torchvision.models.SqueezeNet: Fire modules and a 1x1-conv classifier."""

    def __init__(self, version: str = "1_0", num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.num_classes = num_classes
        if version not in _VERSIONS:
            raise ValueError(f"Unsupported SqueezeNet version {version}: 1_0 or 1_1 expected")
        (stem, k), table = _VERSIONS[version]
        feats: list[nn.Module] = [nn.Conv2d(3, stem, kernel_size=k, stride=2),
                                  nn.ReLU(inplace=True), _pool()]
        channels = stem
        for entry in table:
            if entry == "M":
                feats.append(_pool())
            else:
                squeeze, expand = entry
                feats.append(Fire(channels, squeeze, expand, expand))
                channels = 2 * expand
        self.features = nn.Sequential(*feats)
        head = nn.Conv2d(channels, num_classes, 1)  # a 1x1 conv per class, pooled to logits
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), head, nn.ReLU(inplace=True),
                                        nn.AdaptiveAvgPool2d((1, 1)))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is head:  # the head starts small, the rest He-uniform
                    nn.init.normal_(m.weight, 0.0, 0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return flatten(self.classifier(self.features(x)), 1)


_URL = "https://download.pytorch.org/models/"
_RECIPE = "https://github.com/pytorch/vision/pull/49#issuecomment-277560717"


class SqueezeNet1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        _URL + "squeezenet1_0-b66bff10.pth",
        {"recipe": _RECIPE, "min_size": (21, 21), "num_params": 1248424,
         "_metrics": _acc(58.092, 80.42), "_ops": 0.819, "_file_size": 4.778}, crop_size=224)
    DEFAULT = IMAGENET1K_V1


class SqueezeNet1_1_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        _URL + "squeezenet1_1-b8a52dc0.pth",
        {"recipe": _RECIPE, "min_size": (17, 17), "num_params": 1235496,
         "_metrics": _acc(58.178, 80.624), "_ops": 0.349, "_file_size": 4.729}, crop_size=224)
    DEFAULT = IMAGENET1K_V1


def _builder(version: str, enum_cls):
    def make(weights, progress, kwargs):
        if weights is not None:
            _override(kwargs, "num_classes", len(weights.meta["categories"]))
        return load_weights(SqueezeNet(version, **kwargs), weights, progress)

    name = "squeezenet" + version
    return builder(name, enum_cls, make, f"SqueezeNet {version.replace('_', '.')} "
                   f"(torchvision.models.{name}); kwargs go to SqueezeNet.")


squeezenet1_0 = _builder("1_0", SqueezeNet1_0_Weights)
squeezenet1_1 = _builder("1_1", SqueezeNet1_1_Weights)
