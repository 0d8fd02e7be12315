"""torchvision.transforms (v1) classes.

Most transforms here are one functional call on stored settings: they are declared as
`_Apply` subclasses naming the functional, the settings it takes and how the repr shows
them.  Random transforms add a `get_params` that draws from torchlike's global generator
with the same calls, in the same order, as torchvision (torch.rand / torch.randint /
Tensor.uniform_ / torch.randperm), so a program consumes the stream as it does under torch.
RandomOrder and RandomChoice use Python's `random`, as torchvision does.
"""

from __future__ import annotations

import math
import numbers
import random
import warnings
from collections.abc import Sequence

import torchlike as torch
from torchlike import Tensor
from torchlike.nn import Module

from . import functional as F
from .functional import InterpolationMode, _interpolation_modes_from_int

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "ToPILImage", "Normalize",
    "Resize", "CenterCrop", "Pad", "Lambda", "RandomApply", "RandomChoice", "RandomOrder",
    "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop",
    "FiveCrop", "TenCrop", "LinearTransformation", "ColorJitter", "RandomRotation",
    "RandomAffine", "Grayscale", "RandomGrayscale", "RandomPerspective", "RandomErasing",
    "GaussianBlur", "InterpolationMode", "RandomInvert", "RandomPosterize", "RandomSolarize",
    "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "ElasticTransform",
]

_SIZE_MSG = "Please provide only two dimensions (h, w) for size."
_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


# ---------------------------------------------------------------- helpers


def _interp(mode):
    """Pillow's integer constants are accepted wherever an InterpolationMode is."""
    return _interpolation_modes_from_int(mode) if isinstance(mode, int) else mode


def _pair_size(size, error_msg=_SIZE_MSG):
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, Sequence) and len(size) == 1:
        return (size[0], size[0])
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _want_sequence(x, name, lengths):
    spelled = str(lengths[0]) if len(lengths) < 2 else " or ".join(map(str, lengths))
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {spelled}.")
    if len(x) not in lengths:
        raise ValueError(f"{name} should be a sequence of length {spelled}.")


def _symmetric_range(x, name, lengths=(2,)):
    """A number d means [-d, d]; a sequence is taken as given (as floats)."""
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return [-float(x), float(x)]
    _want_sequence(x, name, lengths)
    return [float(v) for v in x]


def _checked_fill(fill):
    if fill is None:
        return 0
    if isinstance(fill, (Sequence, numbers.Number)):
        return fill
    raise TypeError("Fill should be either a sequence or a number.")


def _tensor_fill(img, fill):
    # tensor images take one fill value per channel
    if not isinstance(img, Tensor):
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * F.get_dimensions(img)[0]
    return [float(f) for f in fill]


def _uniform(lo, hi) -> float:
    """One torch.empty(1).uniform_(lo, hi) draw, as a float."""
    return torch.empty(1).uniform_(lo, hi).item()


def _randint(lo, hi) -> int:
    """One torch.randint(lo, hi, size=(1,)) draw, as an int."""
    return torch.randint(lo, hi, size=(1,)).item()


def _coin(p) -> bool:
    """torchvision's `torch.rand(1) < p`."""
    return bool(torch.rand(1) < p)


def _listing(name, items, head=""):
    body = "".join(f"\n    {t}" for t in items)
    return f"{name}({head}{body}\n)"


def _show(value):
    return value.value if isinstance(value, InterpolationMode) else value


class _Apply(Module):
    """A transform that calls `F.<_fn>(img, *settings)`; the repr lists `_shown` settings."""

    _fn = ""
    _takes: tuple = ()
    _shown: tuple | None = None  # None: the same as _takes

    def _keep(self, **settings):
        for key, val in settings.items():
            setattr(self, key, val)

    def forward(self, img):
        return getattr(F, self._fn)(img, *(getattr(self, k) for k in self._takes))

    def __repr__(self) -> str:
        keys = self._takes if self._shown is None else self._shown
        inner = ", ".join(f"{k}={_show(getattr(self, k))}" for k in keys)
        return f"{type(self).__name__}({inner})"


# ---------------------------------------------------------------- conversions


class Compose:
    """torchvision.transforms.Compose."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for step in self.transforms:
            img = step(img)
        return img

    def __repr__(self) -> str:
        return _listing(type(self).__name__, self.transforms)


class _Stateless:
    _fn = ""

    def __call__(self, pic):
        return getattr(F, self._fn)(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToTensor(_Stateless):
    """torchvision.transforms.ToTensor."""

    _fn = "to_tensor"


class PILToTensor(_Stateless):
    """torchvision.transforms.PILToTensor."""

    _fn = "pil_to_tensor"


class ConvertImageDtype(_Apply):
    """torchvision.transforms.ConvertImageDtype."""

    _fn, _takes = "convert_image_dtype", ("dtype",)

    def __init__(self, dtype) -> None:
        super().__init__()
        self._keep(dtype=dtype)

    __repr__ = Module.__repr__


class ToPILImage:
    """torchvision.transforms.ToPILImage."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'' if self.mode is None else f'mode={self.mode}'})"


class Normalize(_Apply):
    """torchvision.transforms.Normalize."""

    _fn, _takes, _shown = "normalize", ("mean", "std", "inplace"), ("mean", "std")

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self._keep(mean=mean, std=std, inplace=inplace)


class Lambda:
    """torchvision.transforms.Lambda."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# ---------------------------------------------------------------- geometry


class Resize(_Apply):
    """torchvision.transforms.Resize."""

    _fn, _takes = "resize", ("size", "interpolation", "max_size", "antialias")

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True):
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self._keep(size=size, max_size=max_size, interpolation=_interp(interpolation),
                   antialias=antialias)


class CenterCrop(_Apply):
    """torchvision.transforms.CenterCrop."""

    _fn, _takes = "center_crop", ("size",)

    def __init__(self, size):
        super().__init__()
        self._keep(size=_pair_size(size))


class FiveCrop(CenterCrop):
    """torchvision.transforms.FiveCrop."""

    _fn = "five_crop"


class TenCrop(_Apply):
    """torchvision.transforms.TenCrop."""

    _fn, _takes = "ten_crop", ("size", "vertical_flip")

    def __init__(self, size, vertical_flip=False):
        super().__init__()
        self._keep(size=_pair_size(size), vertical_flip=vertical_flip)


class Pad(_Apply):
    """torchvision.transforms.Pad."""

    _fn, _takes = "pad", ("padding", "fill", "padding_mode")

    def __init__(self, padding, fill=0, padding_mode="constant"):
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in _PAD_MODES:
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, "
                             f"not a {len(padding)} element tuple")
        self._keep(padding=padding, fill=fill, padding_mode=padding_mode)


class Grayscale(_Apply):
    """torchvision.transforms.Grayscale."""

    _fn, _takes = "rgb_to_grayscale", ("num_output_channels",)

    def __init__(self, num_output_channels=1):
        super().__init__()
        self._keep(num_output_channels=num_output_channels)


class LinearTransformation(Module):
    """torchvision.transforms.LinearTransformation: flatten, subtract the mean, multiply."""

    def __init__(self, transformation_matrix, mean_vector):
        super().__init__()
        mat, vec = transformation_matrix, mean_vector
        if mat.size(0) != mat.size(1):
            raise ValueError("transformation_matrix should be square. Got "
                             f"{tuple(mat.size())} rectangular matrix.")
        if vec.size(0) != mat.size(0):
            raise ValueError(
                f"mean_vector should have the same length {vec.size(0)} as any one of the "
                f"dimensions of the transformation_matrix [{tuple(mat.size())}]")
        if mat.dtype != vec.dtype:
            raise ValueError(f"Input tensors should have the same dtype. Got {mat.dtype} and "
                             f"{vec.dtype}")
        self.transformation_matrix, self.mean_vector = mat, vec

    def forward(self, tensor):
        c, h, w = tensor.shape[-3:]
        dim = self.transformation_matrix.shape[0]
        if c * h * w != dim:
            raise ValueError("Input tensor and transformation matrix have incompatible shape."
                             f"[{c} x {h} x {w}] != {dim}")
        rows = tensor.reshape(-1, c * h * w) - self.mean_vector
        return torch.mm(rows, self.transformation_matrix.to(rows.dtype)).view(tensor.shape)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(transformation_matrix="
                f"{self.transformation_matrix.tolist()}, mean_vector={self.mean_vector.tolist()})")


# ---------------------------------------------------------------- random choice of transforms


class RandomTransforms:
    """torchvision.transforms.RandomTransforms: base of RandomOrder and RandomChoice."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError()

    def __repr__(self) -> str:
        return _listing(type(self).__name__, self.transforms)


class RandomApply(Module):
    """torchvision.transforms.RandomApply: all of `transforms`, with probability p."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms, self.p = transforms, p

    def forward(self, img):
        # torchvision skips when p < rand, i.e. applies when rand <= p
        if self.p < torch.rand(1):
            return img
        return Compose(self.transforms)(img)

    def __repr__(self) -> str:
        return _listing(type(self).__name__, self.transforms, head=f"\n    p={self.p}")


class RandomOrder(RandomTransforms):
    """torchvision.transforms.RandomOrder."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        return Compose([self.transforms[k] for k in order])(img)


class RandomChoice(RandomTransforms):
    """torchvision.transforms.RandomChoice."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        self.p = p

    def __call__(self, *args):
        return random.choices(self.transforms, weights=self.p)[0](*args)

    def __repr__(self) -> str:
        return f"{super().__repr__()}(p={self.p})"


# ---------------------------------------------------------------- random geometry


class _Coin(_Apply):
    """Apply the functional with probability p (one torch.rand(1) draw per call)."""

    _shown = ("p",)

    def __init__(self, *settings, p=0.5):
        super().__init__()
        self._keep(**dict(zip(self._takes, settings, strict=True)), p=p)

    def forward(self, img):
        return super().forward(img) if _coin(self.p) else img


class RandomHorizontalFlip(_Coin):
    """torchvision.transforms.RandomHorizontalFlip."""

    _fn = "hflip"

    def __init__(self, p=0.5):
        super().__init__(p=p)


class RandomVerticalFlip(RandomHorizontalFlip):
    """torchvision.transforms.RandomVerticalFlip."""

    _fn = "vflip"


class RandomCrop(Module):
    """torchvision.transforms.RandomCrop."""

    @staticmethod
    def get_params(img, output_size):
        _, height, width = F.get_dimensions(img)
        th, tw = output_size
        if height < th or width < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size "
                             f"{(height, width)}")
        if (height, width) == (th, tw):
            return 0, 0, height, width
        top = _randint(0, height - th + 1)
        return top, _randint(0, width - tw + 1), th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        super().__init__()
        self.size = tuple(_pair_size(size))
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def forward(self, img):
        def padded(im, amount):
            return F.pad(im, amount, self.fill, self.padding_mode)

        if self.padding is not None:
            img = padded(img, self.padding)
        want_h, want_w = self.size
        if self.pad_if_needed:
            if F.get_dimensions(img)[2] < want_w:
                img = padded(img, [want_w - F.get_dimensions(img)[2], 0])
            if F.get_dimensions(img)[1] < want_h:
                img = padded(img, [0, want_h - F.get_dimensions(img)[1]])
        return F.crop(img, *self.get_params(img, self.size))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomPerspective(Module):
    """torchvision.transforms.RandomPerspective."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR,
                 fill=0):
        super().__init__()
        self.p, self.distortion_scale = p, distortion_scale
        self.interpolation = _interp(interpolation)
        self.fill = _checked_fill(fill)

    def forward(self, img):
        _, height, width = F.get_dimensions(img)
        fill = _tensor_fill(img, self.fill)
        if not _coin(self.p):
            return img
        start, end = self.get_params(width, height, self.distortion_scale)
        return F.perspective(img, start, end, self.interpolation, fill)

    @staticmethod
    def get_params(width, height, distortion_scale):
        dx = int(distortion_scale * (width // 2))
        dy = int(distortion_scale * (height // 2))
        near_x, far_x = (0, dx + 1), (width - dx - 1, width)
        near_y, far_y = (0, dy + 1), (height - dy - 1, height)
        # corners in torchvision's draw order: tl, tr, br, bl; x before y in each
        corners = [(near_x, near_y), (far_x, near_y), (far_x, far_y), (near_x, far_y)]
        end = [[int(_randint(*xr)), int(_randint(*yr))] for xr, yr in corners]
        start = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return start, end

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


def _area_box(height, width, scale, ratio, accept):
    """torchvision's rejection sampling of a box by area fraction and log-uniform ratio.

    Each try gives (a, b) = (sqrt(area * ratio), sqrt(area / ratio)), rounded; the caller's
    `accept(a, b)` says whether it fits (RandomResizedCrop reads it as (w, h),
    RandomErasing as (h, w)).  None after ten misses."""
    area = height * width
    log_lo, log_hi = torch.log(torch.tensor(ratio))
    for _ in range(10):
        target = area * _uniform(scale[0], scale[1])
        aspect = torch.exp(torch.empty(1).uniform_(log_lo, log_hi)).item()
        a = int(round(math.sqrt(target * aspect)))
        b = int(round(math.sqrt(target / aspect)))
        if accept(a, b):
            return a, b
    return None


class RandomResizedCrop(Module):
    """torchvision.transforms.RandomResizedCrop."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.size = _pair_size(size)
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        self.interpolation = _interp(interpolation)
        self.antialias, self.scale, self.ratio = antialias, scale, ratio

    @staticmethod
    def get_params(img, scale, ratio):
        _, height, width = F.get_dimensions(img)
        wh = _area_box(height, width, scale, ratio,
                       lambda w, h: 0 < w <= width and 0 < h <= height)
        if wh is not None:
            w, h = wh
            return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        # ten misses: the whole image, trimmed to the nearest allowed aspect ratio, centred
        aspect = float(width) / float(height)
        h, w = height, width
        if aspect < min(ratio):
            h = int(round(width / min(ratio)))
        elif aspect > max(ratio):
            w = int(round(height * max(ratio)))
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        box = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, *box, self.size, self.interpolation,
                              antialias=self.antialias)

    def __repr__(self) -> str:
        def rounded(v):
            return tuple(round(x, 4) for x in v)

        return (f"{type(self).__name__}(size={self.size}, scale={rounded(self.scale)}, "
                f"ratio={rounded(self.ratio)}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias})")


class RandomRotation(Module):
    """torchvision.transforms.RandomRotation."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0):
        super().__init__()
        self.degrees = _symmetric_range(degrees, "degrees")
        if center is not None:
            _want_sequence(center, "center", (2,))
        self.interpolation = _interp(interpolation)
        self.center, self.expand = center, expand
        self.fill = _checked_fill(fill)

    @staticmethod
    def get_params(degrees):
        return float(_uniform(float(degrees[0]), float(degrees[1])))

    def forward(self, img):
        fill = _tensor_fill(img, self.fill)
        return F.rotate(img, self.get_params(self.degrees), self.interpolation, self.expand,
                        self.center, fill)

    def __repr__(self) -> str:
        parts = [f"degrees={self.degrees}", f"interpolation={self.interpolation.value}",
                 f"expand={self.expand}"]
        if self.center is not None:
            parts.append(f"center={self.center}")
        if self.fill is not None:
            parts.append(f"fill={self.fill}")
        return f"{type(self).__name__}({', '.join(parts)})"


class RandomAffine(Module):
    """torchvision.transforms.RandomAffine."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None):
        super().__init__()
        self.degrees = _symmetric_range(degrees, "degrees")
        if translate is not None:
            _want_sequence(translate, "translate", (2,))
            if any(not 0.0 <= t <= 1.0 for t in translate):
                raise ValueError("translation values should be between 0 and 1")
        if scale is not None:
            _want_sequence(scale, "scale", (2,))
            if any(s <= 0 for s in scale):
                raise ValueError("scale values should be positive")
        self.translate, self.scale = translate, scale
        self.shear = None if shear is None else _symmetric_range(shear, "shear", (2, 4))
        self.interpolation = _interp(interpolation)
        self.fill = _checked_fill(fill)
        if center is not None:
            _want_sequence(center, "center", (2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        angle = float(_uniform(float(degrees[0]), float(degrees[1])))
        shift = (0, 0)
        if translate is not None:
            bx, by = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
            shift = (int(round(_uniform(-bx, bx))), int(round(_uniform(-by, by))))
        zoom = 1.0
        if scale_ranges is not None:
            zoom = float(_uniform(scale_ranges[0], scale_ranges[1]))
        sx = sy = 0.0
        if shears is not None:
            sx = float(_uniform(shears[0], shears[1]))
            if len(shears) == 4:
                sy = float(_uniform(shears[2], shears[3]))
        return angle, shift, zoom, (sx, sy)

    def forward(self, img):
        fill = _tensor_fill(img, self.fill)
        _, height, width = F.get_dimensions(img)
        params = self.get_params(self.degrees, self.translate, self.scale, self.shear,
                                 [width, height])
        return F.affine(img, *params, interpolation=self.interpolation, fill=fill,
                        center=self.center)

    def __repr__(self) -> str:
        parts = [f"degrees={self.degrees}"]
        for key in ("translate", "scale", "shear"):
            if getattr(self, key) is not None:
                parts.append(f"{key}={getattr(self, key)}")
        if self.interpolation != InterpolationMode.NEAREST:
            parts.append(f"interpolation={self.interpolation.value}")
        if self.fill != 0:
            parts.append(f"fill={self.fill}")
        if self.center is not None:
            parts.append(f"center={self.center}")
        return f"{type(self).__name__}({', '.join(parts)})"


# ---------------------------------------------------------------- colour


class ColorJitter(Module):
    """torchvision.transforms.ColorJitter."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0) -> None:
        super().__init__()
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5),
                                     clip_first_on_zero=False)

    def _check_input(self, value, name, center=1, bound=(0, float("inf")),
                     clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            lo, hi = center - float(value), center + float(value)
            if clip_first_on_zero:
                lo = max(lo, 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            lo, hi = float(value[0]), float(value[1])
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= lo <= hi <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {[lo, hi]}.")
        # a range that is just the identity factor means "leave this property alone"
        return None if lo == hi == center else (lo, hi)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        order = torch.randperm(4)
        factors = [None if r is None else float(torch.empty(1).uniform_(r[0], r[1]))
                   for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def forward(self, img):
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation,
                                          self.hue)
        steps = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for k in order.tolist():
            if factors[k] is not None:
                img = steps[k](img, factors[k])
        return img

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class RandomGrayscale(Module):
    """torchvision.transforms.RandomGrayscale (keeps the channel count)."""

    def __init__(self, p=0.1):
        super().__init__()
        self.p = p

    def forward(self, img):
        channels = F.get_dimensions(img)[0]
        return F.rgb_to_grayscale(img, num_output_channels=channels) if _coin(self.p) else img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class GaussianBlur(Module):
    """torchvision.transforms.GaussianBlur: one sigma drawn per call."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = _pair_size(kernel_size,
                                      "Kernel size should be a tuple/list of two integers")
        if any(k <= 0 or k % 2 == 0 for k in self.kernel_size):
            raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif not (isinstance(sigma, Sequence) and len(sigma) == 2):
            raise ValueError("sigma should be a single number or a list/tuple with length 2.")
        elif not 0.0 < sigma[0] <= sigma[1]:
            raise ValueError("sigma values should be positive and of the form (min, max).")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        return _uniform(sigma_min, sigma_max)

    def forward(self, img):
        s = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [s, s])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


class RandomErasing(Module):
    """torchvision.transforms.RandomErasing."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        super().__init__()
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if not (0 <= scale[0] and scale[1] <= 1):
            raise ValueError("Scale should be between 0 and 1")
        if not 0 <= p <= 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        c, height, width = img.shape[-3:]
        hw = _area_box(height, width, scale, ratio, lambda h, w: h < height and w < width)
        if hw is None:
            return 0, 0, height, width, img
        h, w = hw
        if value is None:
            patch = torch.empty([c, h, w], dtype=torch.float32).normal_()
        else:
            patch = torch.tensor(value)[:, None, None]
        return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w, patch

    def forward(self, img):
        if not _coin(self.p):
            return img
        v = self.value
        if isinstance(v, (int, float)):
            value = [float(v)]
        elif isinstance(v, str):
            value = None
        elif isinstance(v, (list, tuple)):
            value = [float(x) for x in v]
        else:
            value = v
        channels = img.shape[-3]
        if value is not None and len(value) not in (1, channels):
            raise ValueError("If value is a sequence, it should have either a single value or "
                             f"{channels} (number of input channels)")
        box = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
        return F.erase(img, *box, self.inplace)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")


class _RandomOp(_Coin):
    """torchvision's Random<Op> family: F.<op>(img, *settings) with probability p.

    Their repr separates the last setting from p by a bare comma."""

    def forward(self, img):
        # these draw torch.rand(1).item(), a float comparison
        if torch.rand(1).item() < self.p:
            return _Apply.forward(self, img)
        return img

    def __repr__(self) -> str:
        inner = "".join(f"{k}={getattr(self, k)}," for k in self._takes)
        return f"{type(self).__name__}({inner}p={self.p})"


def _random_op(name, fn, takes=()):
    doc = f"torchvision.transforms.{name}."
    cls = type(name, (_RandomOp,), {"_fn": fn, "_takes": tuple(takes), "__doc__": doc})
    cls.__module__ = __name__
    return cls


RandomInvert = _random_op("RandomInvert", "invert")
RandomPosterize = _random_op("RandomPosterize", "posterize", ("bits",))
RandomSolarize = _random_op("RandomSolarize", "solarize", ("threshold",))
RandomAdjustSharpness = _random_op("RandomAdjustSharpness", "adjust_sharpness",
                                   ("sharpness_factor",))
RandomAutocontrast = _random_op("RandomAutocontrast", "autocontrast")
RandomEqualize = _random_op("RandomEqualize", "equalize")


class ElasticTransform(Module):
    """torchvision.transforms.ElasticTransform: a smoothed random displacement field."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        for name, v in (("alpha", alpha), ("sigma", sigma)):
            if not isinstance(v, (float, Sequence)):
                raise TypeError(f"{name} should be float or a sequence of floats. Got {type(v)}")
            if isinstance(v, Sequence) and len(v) != 2:
                raise ValueError(f"If {name} is a sequence its length should be 2. Got {len(v)}")
        self.alpha = [float(alpha)] * 2 if isinstance(alpha, float) else alpha
        self.sigma = [float(sigma)] * 2 if isinstance(sigma, float) else sigma
        self.interpolation = _interp(interpolation)
        self.fill = _checked_fill(fill)

    @staticmethod
    def get_params(alpha, sigma, size):
        fields = []
        for axis in (0, 1):
            d = torch.rand([1, 1] + size) * 2 - 1
            if sigma[axis] > 0.0:
                k = int(8 * sigma[axis] + 1)
                k += k % 2 == 0  # an odd kernel
                d = F.gaussian_blur(d, [k, k], list(sigma))
            fields.append(d * alpha[axis] / size[axis])
        return torch.cat(fields, 1).permute([0, 2, 3, 1])

    def forward(self, img):
        _, height, width = F.get_dimensions(img)
        field = self.get_params(self.alpha, self.sigma, [height, width])
        return F.elastic_transform(img, field, self.interpolation, self.fill)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(alpha={self.alpha}, sigma={self.sigma}, "
                f"interpolation={self.interpolation}, fill={self.fill})")
