"""torchvision.models.vgg: VGG-11/16 with and without batch norm, built from a config table."""

from __future__ import annotations

from typing import Any

from ... import flatten, nn
from ._api import WeightsEnum, _override, builder, load_weights
from ._meta import _acc, _weights

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights",
           "vgg11", "vgg11_bn", "vgg16", "vgg16_bn"]


class VGG(nn.Module):
    """torchvision.models.VGG: a feature stack, a 7x7 adaptive pool and a 3-layer classifier."""

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


def make_layers(cfg: list[str | int], batch_norm: bool = False) -> nn.Sequential:
    """The feature stack of a config: an int is a 3x3 conv (+BN) + ReLU, 'M' a 2x2 max pool."""
    layers: list[nn.Module] = []
    channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        channels = v
    return nn.Sequential(*layers)


cfgs: dict[str, list[str | int]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}

_URL = "https://download.pytorch.org/models/"
_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg"


def _meta(num_params, top1, top5, ops, size, recipe=_RECIPE):
    return {"min_size": (32, 32), "recipe": recipe, "num_params": num_params,
            "_metrics": _acc(top1, top5), "_ops": ops, "_file_size": size}


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "vgg11-8a719046.pth",
                             _meta(132863336, 69.02, 88.628, 7.609, 506.84), crop_size=224)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "vgg11_bn-6002323d.pth",
                             _meta(132868840, 70.37, 89.81, 7.609, 506.881), crop_size=224)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "vgg16-397923af.pth",
                             _meta(138357544, 71.592, 90.382, 15.47, 527.796), crop_size=224)
    # SSD's feature extractor: no classifier categories, inputs in [0, 255] (std 1/255)
    IMAGENET1K_FEATURES = _weights(
        _URL + "vgg16_features-amdegroot-88682ab5.pth",
        _meta(138357544, float("nan"), float("nan"), 15.47, 527.802,
              recipe="https://github.com/amdegroot/ssd.pytorch#training-ssd"),
        imagenet=False, crop_size=224, mean=(0.48235, 0.45882, 0.40784),
        std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0))
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "vgg16_bn-6c64b313.pth",
                             _meta(138365992, 73.36, 91.516, 15.47, 527.866), crop_size=224)
    DEFAULT = IMAGENET1K_V1


# name: (config, batch norm, weights enum)
_ARCHS = {
    "vgg11": ("A", False, VGG11_Weights),
    "vgg11_bn": ("A", True, VGG11_BN_Weights),
    "vgg16": ("D", False, VGG16_Weights),
    "vgg16_bn": ("D", True, VGG16_BN_Weights),
}


def _builder(name: str):
    cfg, bn, enum_cls = _ARCHS[name]

    def make(weights, progress, kwargs: dict[str, Any]):
        if weights is not None:
            kwargs["init_weights"] = False  # the checkpoint overwrites every parameter
            if weights.meta["categories"] is not None:
                _override(kwargs, "num_classes", len(weights.meta["categories"]))
        return load_weights(VGG(make_layers(cfgs[cfg], batch_norm=bn), **kwargs), weights,
                            progress)

    title = name.replace("vgg", "VGG-").replace("_bn", " with batch normalization")
    return builder(name, enum_cls, make, f"{title} from `Very Deep Convolutional Networks for "
                   f"Large-Scale Image Recognition` (torchvision.models.{name}); kwargs go to VGG.",
                   legacy=enum_cls.IMAGENET1K_V1)


vgg11 = _builder("vgg11")
vgg11_bn = _builder("vgg11_bn")
vgg16 = _builder("vgg16")
vgg16_bn = _builder("vgg16_bn")
