"""torchvision.models.alexnet: AlexNet (the one-weird-trick variant torchvision ships)."""

from __future__ import annotations

from ... import flatten, nn
from ._api import WeightsEnum, _override, builder, load_weights
from ._meta import _acc, _weights

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]

# (out channels, kernel, stride, padding, max pool after) per conv layer
_FEATURES = [(64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False),
             (256, 3, 1, 1, False), (256, 3, 1, 1, True)]


class AlexNet(nn.Module):
    """torchvision.models.AlexNet: five convolutions, a 6x6 adaptive pool, three linear layers."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for out, k, s, p, pool in _FEATURES:
            layers += [nn.Conv2d(channels, out, kernel_size=k, stride=s, padding=p),
                       nn.ReLU(inplace=True)]
            if pool:
                layers.append(nn.MaxPool2d(kernel_size=3, stride=2))
            channels = out
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(
        "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
        {"num_params": 61100840, "min_size": (63, 63),
         "recipe": "https://github.com/pytorch/vision/tree/main/references/classification"
                   "#alexnet-and-vgg",
         "_metrics": _acc(56.522, 79.066), "_ops": 0.714, "_file_size": 233.087},
        crop_size=224)
    DEFAULT = IMAGENET1K_V1


def _make(weights, progress, kwargs):
    if weights is not None:
        _override(kwargs, "num_classes", len(weights.meta["categories"]))
    return load_weights(AlexNet(**kwargs), weights, progress)


alexnet = builder("alexnet", AlexNet_Weights, _make,
                  "AlexNet from `One weird trick for parallelizing convolutional neural networks` "
                  "(torchvision.models.alexnet); kwargs go to AlexNet.")
