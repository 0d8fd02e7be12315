"""Building blocks the torchvision models share (torchvision.ops.misc, ops.stochastic_depth and
transforms._presets.ImageClassification), with torchvision's names, arguments, state_dict keys."""

from __future__ import annotations

from collections.abc import Callable

from ... import empty, nn

__all__ = ["Conv2dNormActivation", "SqueezeExcitation", "MLP", "StochasticDepth",
           "stochastic_depth", "ImageClassification"]


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """Round a channel count to the nearest multiple of divisor, never dropping more than 10%."""
    floor = divisor if min_value is None else min_value
    r = max(floor, int(v + divisor / 2) // divisor * divisor)
    return r + divisor if r < 0.9 * v else r


class Conv2dNormActivation(nn.Sequential):
    """torchvision.ops.misc.Conv2dNormActivation: Conv2d, then a norm layer, then an activation.

    Children are numbered 0, 1, 2 (those left out shift the rest), so state_dict keys are
    ``<prefix>.0.weight``, ``<prefix>.1.running_mean``, ... as torchvision writes them.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple = 3,
                 stride: int | tuple = 1, padding: int | tuple | str | None = None, groups: int = 1,
                 norm_layer: Callable[..., nn.Module] | None = nn.BatchNorm2d,
                 activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
                 dilation: int | tuple = 1, inplace: bool | None = True,
                 bias: bool | None = None) -> None:
        if padding is None:  # "same" size for odd kernels at stride 1, per spatial dim
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                k = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
                d = (dilation,) * 2 if isinstance(dilation, int) else tuple(dilation)
                padding = tuple((ki - 1) // 2 * di for ki, di in zip(k, d, strict=True))
        layers: list[nn.Module] = [nn.Conv2d(
            in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
            groups=groups, bias=norm_layer is None if bias is None else bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            kw = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**kw))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    """torchvision.ops.SqueezeExcitation: x * sigma(fc2(delta(fc1(avgpool(x)))))."""

    def __init__(self, input_channels: int, squeeze_channels: int,
                 activation: Callable[..., nn.Module] = nn.ReLU,
                 scale_activation: Callable[..., nn.Module] = nn.Sigmoid) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input):
        s = self.activation(self.fc1(self.avgpool(input)))
        return self.scale_activation(self.fc2(s))

    def forward(self, input):
        return self._scale(input) * input


class MLP(nn.Sequential):
    """torchvision.ops.MLP: (Linear, [norm], activation, Dropout) per hidden size, then Linear,
    Dropout."""

    def __init__(self, in_channels: int, hidden_channels: list[int],
                 norm_layer: Callable[..., nn.Module] | None = None,
                 activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
                 inplace: bool | None = None, bias: bool = True, dropout: float = 0.0) -> None:
        kw = {} if inplace is None else {"inplace": inplace}
        layers: list[nn.Module] = []
        width = in_channels
        for h in hidden_channels[:-1]:
            layers.append(nn.Linear(width, h, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(h))
            layers += [activation_layer(**kw), nn.Dropout(dropout, **kw)]
            width = h
        layers += [nn.Linear(width, hidden_channels[-1], bias=bias), nn.Dropout(dropout, **kw)]
        super().__init__(*layers)


def stochastic_depth(input, p: float, mode: str, training: bool = True):
    """torchvision.ops.stochastic_depth: drop whole residual branches ('batch') or rows ('row')."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ("batch", "row"):
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    keep = 1.0 - p
    shape = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = empty(shape, dtype=input.dtype, device=input.device).bernoulli_(keep)
    if keep > 0.0:
        noise = noise / keep
    return input * noise


class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth: the module form of stochastic_depth."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"


class ImageClassification(nn.Module):
    """torchvision.transforms._presets.ImageClassification: the preprocessing of pretrained
    classifiers (resize, center crop, to float in [0, 1], normalize), through
    torchlike.vision.transforms.functional."""

    def __init__(self, *, crop_size: int, resize_size: int = 256,
                 mean: tuple[float, ...] = (0.485, 0.456, 0.406),
                 std: tuple[float, ...] = (0.229, 0.224, 0.225),
                 interpolation: object = "bilinear", antialias: bool | None = True) -> None:
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias

    def forward(self, img):
        try:
            from ..transforms import functional as F
        except ImportError as e:
            raise NotImplementedError("weights.transforms() needs torchlike.vision.transforms, "
                                      "which is not available in this build") from e
        from ... import Tensor, float32

        img = F.resize(img, self.resize_size, interpolation=self.interpolation,
                       antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        img = F.convert_image_dtype(img, float32)
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self) -> str:
        fields = (f"crop_size={self.crop_size}", f"resize_size={self.resize_size}",
                  f"mean={self.mean}", f"std={self.std}", f"interpolation={self.interpolation}")
        return self.__class__.__name__ + "(\n    " + "\n    ".join(fields) + "\n)"

    def describe(self) -> str:
        return (f"Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image "
                f"``torch.Tensor`` objects. The images are resized to ``resize_size="
                f"{self.resize_size}`` using ``interpolation={self.interpolation}``, followed by a "
                f"central crop of ``crop_size={self.crop_size}``. Finally the values are first "
                f"rescaled to ``[0.0, 1.0]`` and then normalized using ``mean={self.mean}`` and "
                f"``std={self.std}``.")


def _interpolation(mode: object) -> object:
    """The transforms' InterpolationMode member for a mode name, when transforms are installed."""
    if not isinstance(mode, str):
        return mode
    try:
        from ..transforms import InterpolationMode
    except ImportError:
        return mode
    return InterpolationMode(mode)


def _image_classification(**kw) -> Callable[[], ImageClassification]:
    """The transforms factory a Weights entry carries (called by ``weights.transforms()``)."""
    import functools

    return functools.partial(ImageClassification, **kw)
