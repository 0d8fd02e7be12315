"""torchvision.models.resnet: ResNet-18/34/50/101, built from one block table."""

from __future__ import annotations

from collections.abc import Callable

from ... import flatten, nn
from ._api import WeightsEnum, _override, builder, load_weights
from ._meta import _acc, _weights

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "ResNet18_Weights", "ResNet34_Weights",
           "ResNet50_Weights", "ResNet101_Weights", "resnet18", "resnet34", "resnet50",
           "resnet101"]


def _conv(k: int, cin: int, cout: int, stride: int, groups: int = 1,
          dilation: int = 1) -> nn.Conv2d:
    # ResNet convs carry no bias (a norm layer follows each) and keep the size before striding
    return nn.Conv2d(cin, cout, kernel_size=k, stride=stride, padding=dilation * (k // 2),
                     groups=groups, bias=False, dilation=dilation)


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1,
            dilation: int = 1) -> nn.Conv2d:
    """torchvision.models.resnet.conv3x3: a bias-free, size-keeping 3x3 convolution."""
    return _conv(3, in_planes, out_planes, stride, groups, dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """torchvision.models.resnet.conv1x1: a bias-free 1x1 convolution."""
    return _conv(1, in_planes, out_planes, stride)


class BasicBlock(nn.Module):
    """torchvision.models.resnet.BasicBlock: two 3x3 convolutions and a shortcut."""

    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        if (groups, base_width) != (1, 64):
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class Bottleneck(nn.Module):
    """torchvision.models.resnet.Bottleneck (ResNet v1.5: the stride sits on the 3x3 conv)."""

    expansion: int = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        scale = base_width / 64.0
        width = int(planes * scale) * groups
        convs = (conv1x1(inplanes, width), conv3x3(width, width, stride, groups, dilation),
                 conv1x1(width, planes * self.expansion))
        for i, conv in enumerate(convs, start=1):  # conv1, bn1, conv2, bn2, conv3, bn3
            setattr(self, f"conv{i}", conv)
            setattr(self, f"bn{i}", norm_layer(conv.out_channels))
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    """torchvision.models.ResNet: a stem, four stages of residual blocks, global pool and fc."""

    def __init__(self, block: type[BasicBlock | Bottleneck], layers: list[int],
                 num_classes: int = 1000, zero_init_residual: bool = False, groups: int = 1,
                 width_per_group: int = 64, replace_stride_with_dilation: list[bool] | None = None,
                 norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        dilate = ([False] * 3 if replace_stride_with_dilation is None
                  else replace_stride_with_dilation)
        if len(dilate) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, "
                             f"got {dilate}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)  # the 7x7/2 stem
        self.bn1 = norm_layer(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        # stage i: (planes, stride, dilate instead of striding, blocks)
        stages = zip((64, 128, 256, 512), (1, 2, 2, 2), [False, *dilate], layers[:4], strict=True)
        for i, (planes, stride, dil, n) in enumerate(stages):
            setattr(self, f"layer{i + 1}", self._make_layer(block, planes, n, stride, dil))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(self.inplanes, num_classes)  # inplanes is now 512 * expansion

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:  # each residual branch starts as the identity
            for m in self.modules():
                last_bn = {Bottleneck: "bn3", BasicBlock: "bn2"}.get(type(m))
                if last_bn is not None and getattr(m, last_bn).weight is not None:
                    nn.init.constant_(getattr(m, last_bn).weight, 0)

    def _make_layer(self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int,
                    stride: int = 1, dilate: bool = False) -> nn.Sequential:
        norm_layer = self._norm_layer
        first_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        out = planes * block.expansion
        downsample = None  # a projection shortcut where the shape changes
        if stride != 1 or self.inplanes != out:
            downsample = nn.Sequential(conv1x1(self.inplanes, out, stride), norm_layer(out))
        seq = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                     first_dilation, norm_layer)]
        self.inplanes = out
        seq += [block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                      dilation=self.dilation, norm_layer=norm_layer) for _ in range(1, blocks)]
        return nn.Sequential(*seq)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(flatten(self.avgpool(x), 1))

    def forward(self, x):
        return self._forward_impl(x)


_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#resnet"
_NEW_RECIPE = "https://github.com/pytorch/vision/issues/3995"
_URL = "https://download.pytorch.org/models/"


def _meta(num_params, recipe, top1, top5, ops, size):
    return {"min_size": (1, 1), "num_params": num_params, "recipe": recipe,
            "_metrics": _acc(top1, top5), "_ops": ops, "_file_size": size}


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "resnet18-f37072fd.pth",
                             _meta(11689512, _RECIPE, 69.758, 89.078, 1.814, 44.661), crop_size=224)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "resnet34-b627a593.pth",
                             _meta(21797672, _RECIPE, 73.314, 91.42, 3.664, 83.275), crop_size=224)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "resnet50-0676ba61.pth",
                             _meta(25557032, _RECIPE, 76.13, 92.862, 4.089, 97.781), crop_size=224)
    IMAGENET1K_V2 = _weights(_URL + "resnet50-11ad3fa6.pth",
                             _meta(25557032, _NEW_RECIPE + "#issuecomment-1013906621", 80.858,
                                   95.434, 4.089, 97.79), crop_size=224, resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights(_URL + "resnet101-63fe2227.pth",
                             _meta(44549160, _RECIPE, 77.374, 93.546, 7.801, 170.511),
                             crop_size=224)
    IMAGENET1K_V2 = _weights(_URL + "resnet101-cd907fc2.pth",
                             _meta(44549160, _NEW_RECIPE + "#new-recipe", 81.886, 95.78, 7.801,
                                   170.53), crop_size=224, resize_size=232)
    DEFAULT = IMAGENET1K_V2


# name: (block, blocks per stage, weights enum)
_ARCHS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2], ResNet18_Weights),
    "resnet34": (BasicBlock, [3, 4, 6, 3], ResNet34_Weights),
    "resnet50": (Bottleneck, [3, 4, 6, 3], ResNet50_Weights),
    "resnet101": (Bottleneck, [3, 4, 23, 3], ResNet101_Weights),
}


def _builder(name: str) -> Callable[..., ResNet]:
    block, layers, enum_cls = _ARCHS[name]

    def make(weights, progress, kwargs):
        if weights is not None:
            _override(kwargs, "num_classes", len(weights.meta["categories"]))
        return load_weights(ResNet(block, layers, **kwargs), weights, progress)

    depth = name[len("resnet"):]
    return builder(name, enum_cls, make, f"ResNet-{depth} from `Deep Residual Learning for Image "
                   f"Recognition` (torchvision.models.{name}); kwargs go to ResNet.",
                   legacy=enum_cls.IMAGENET1K_V1)


resnet18 = _builder("resnet18")
resnet34 = _builder("resnet34")
resnet50 = _builder("resnet50")
resnet101 = _builder("resnet101")
