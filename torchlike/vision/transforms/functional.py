"""torchvision.transforms.functional: each function dispatches to the PIL or the tensor backend."""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

import torchlike as torch
from torchlike import Tensor

from . import _pil as F_pil
from . import _tensor as F_t


class InterpolationMode(Enum):
    """torchvision.transforms.InterpolationMode."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer resampling constants
_FROM_PIL = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
pil_modes_mapping = {
    InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
    InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    return _FROM_PIL[i]


def _mode(interpolation, strict=True):
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if strict and not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                        "Pillow integer constant")
    return interpolation


def _is_tensor(img) -> bool:
    return isinstance(img, Tensor)


def get_dimensions(img) -> list[int]:
    """torchvision.transforms.functional.get_dimensions: [channels, height, width]."""
    if _is_tensor(img):
        return F_t.dimensions(img)
    if F_pil.is_pil_image(img):
        return F_pil.dimensions(img)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img) -> list[int]:
    """torchvision.transforms.functional.get_image_size: [width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img) -> int:
    """torchvision.transforms.functional.get_image_num_channels."""
    return get_dimensions(img)[0]


def to_tensor(pic) -> Tensor:
    """torchvision.transforms.functional.to_tensor: HWC PIL/ndarray to a CHW tensor in [0, 1]."""
    is_np = isinstance(pic, np.ndarray)
    if not (F_pil.is_pil_image(pic) or is_np):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if is_np and pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    fdtype = torch.get_default_dtype()
    if is_np:
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        return _chw_tensor(np.ascontiguousarray(arr.transpose((2, 0, 1))), fdtype)
    np_dtype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
                "F": np.float32}.get(pic.mode, np.uint8)
    arr = np.array(pic, np_dtype, copy=True)
    if pic.mode == "1":
        arr = 255 * arr
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose(2, 0, 1)
    return _chw_tensor(np.ascontiguousarray(arr), fdtype)


def _chw_tensor(arr, fdtype):
    # uint8 -> float / 255 on the host: IEEE division gives torch's values, and the sample
    # becomes a Tensor in one transfer (no kernels per image)
    if arr.dtype == np.uint8:
        npdt = np.float64 if fdtype == torch.float64 else np.float32
        out = torch.from_numpy(arr.astype(npdt) / npdt(255))
        return out if out.dtype == fdtype else out.to(fdtype)
    return torch.from_numpy(arr)


def pil_to_tensor(pic) -> Tensor:
    """torchvision.transforms.functional.pil_to_tensor: CHW tensor of the image's own dtype."""
    if not F_pil.is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(arr))


def convert_image_dtype(image: Tensor, dtype=torch.float32) -> Tensor:
    """torchvision.transforms.functional.convert_image_dtype."""
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


def to_pil_image(pic, mode=None):
    """torchvision.transforms.functional.to_pil_image."""
    if _is_tensor(pic):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = pic.numpy(force=True)
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    arr = pic
    if np.issubdtype(arr.dtype, np.floating) and mode != "F":
        arr = (arr * 255).astype(np.uint8)
    c = arr.shape[2]
    if c == 1:
        arr = arr[:, :, 0]
        expected = {np.dtype(np.uint8): "L",
                    np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(arr.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        allowed, default = {2: (["LA"], "LA"), 4: (["RGBA", "CMYK", "RGBX"], "RGBA"),
                            3: (["RGB", "YCbCr", "HSV"], "RGB")}[c]
        if mode is not None and mode not in allowed:
            what = {2: "2D", 3: "3D", 4: "4D"}[c]
            raise ValueError(f"Only modes {allowed} are supported for {what} inputs")
        if mode is None and arr.dtype == np.uint8:
            mode = default
    if mode is None:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    return F_pil.fromarray(arr, mode)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """torchvision.transforms.functional.normalize."""
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 1:
        req = size[0]
        new_short, new_long = req, int(req * long / short)
        if max_size is not None:
            if max_size <= req:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_h, new_w = size[0], size[1]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """torchvision.transforms.functional.resize."""
    interpolation = _mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, "
                             f"not a {len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller "
                "edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    _, h, w = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    out = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == out:
        return img
    if not _is_tensor(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. "
                          "Argument antialias is ignored.", stacklevel=2)
        return F_pil.resize(img, out, pil_modes_mapping[interpolation])
    return F_t.resize(img, out, interpolation.value, antialias)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """torchvision.transforms.functional.pad."""
    if not _is_tensor(img):
        return F_pil.pad(img, padding, fill, padding_mode)
    return F_t.pad(img, padding, fill, padding_mode)


def crop(img, top: int, left: int, height: int, width: int):
    """torchvision.transforms.functional.crop."""
    if not _is_tensor(img):
        return F_pil.crop(img, top, left, height, width)
    return F_t.crop(img, top, left, height, width)


def _pair(size):
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return (size[0], size[0])
    return size


def center_crop(img, output_size):
    """torchvision.transforms.functional.center_crop (pads with zeros when the crop is larger)."""
    ch, cw = _pair(output_size)
    _, h, w = get_dimensions(img)
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    return crop(img, int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0)), ch, cw)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    """torchvision.transforms.functional.resized_crop."""
    if _is_tensor(img):
        interp = _mode(interpolation)
        out_size = _compute_resized_output_size(
            (height, width), [size] if isinstance(size, int) else list(size))
        fast = F_t.resized_crop(img, top, left, height, width, out_size, interp.value,
                                antialias)
        if fast is not None:
            return fast
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    """torchvision.transforms.functional.hflip."""
    if not _is_tensor(img):
        return F_pil.hflip(img)
    F_t.check_image(img)
    return img.flip(-1)


def vflip(img):
    """torchvision.transforms.functional.vflip."""
    if not _is_tensor(img):
        return F_pil.vflip(img)
    F_t.check_image(img)
    return img.flip(-2)


def _get_perspective_coeffs(startpoints, endpoints):
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} "
                         f"startpoints and {len(endpoints)} endpoints.")
    a = np.zeros((8, 8), dtype=np.float64)
    for i, (p1, p2) in enumerate(zip(endpoints, startpoints, strict=False)):
        a[2 * i] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]
        a[2 * i + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    sol = np.linalg.lstsq(a, b, rcond=None)[0].astype(np.float32)
    return [float(x) for x in sol]


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR,
                fill=None):
    """torchvision.transforms.functional.perspective."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _mode(interpolation)
    if not _is_tensor(img):
        return F_pil.perspective(img, coeffs, pil_modes_mapping[interpolation], fill)
    return F_t.perspective(img, coeffs, interpolation.value, fill)


def five_crop(img, size):
    """torchvision.transforms.functional.five_crop: (tl, tr, bl, br, center)."""
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, h, w = get_dimensions(img)
    ch, cw = size
    if cw > w or ch > h:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(h, w)}")
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw]))


def ten_crop(img, size, vertical_flip: bool = False):
    """torchvision.transforms.functional.ten_crop."""
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first = five_crop(img, size)
    return first + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def _dispatch(name, doc):
    pil_fn, t_fn = getattr(F_pil, name), getattr(F_t, name)

    def fn(img, *args):
        return t_fn(img, *args) if _is_tensor(img) else pil_fn(img, *args)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torchvision.transforms.functional.{name}{doc}"
    return fn


adjust_brightness = _dispatch("adjust_brightness", ".")
adjust_contrast = _dispatch("adjust_contrast", ".")
adjust_saturation = _dispatch("adjust_saturation", ".")
adjust_hue = _dispatch("adjust_hue", ".")
adjust_sharpness = _dispatch("adjust_sharpness", ".")
invert = _dispatch("invert", ".")
solarize = _dispatch("solarize", ".")
autocontrast = _dispatch("autocontrast", ".")
equalize = _dispatch("equalize", ".")


def adjust_gamma(img, gamma: float, gain: float = 1):
    """torchvision.transforms.functional.adjust_gamma."""
    if _is_tensor(img):
        return F_t.adjust_gamma(img, gamma, gain)
    return F_pil.adjust_gamma(img, gamma, gain)


def posterize(img, bits: int):
    """torchvision.transforms.functional.posterize."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    return F_t.posterize(img, bits) if _is_tensor(img) else F_pil.posterize(img, bits)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    # the forward map is T(translate) C R(angle) Sh(shear) S(scale) C^-1 about `center`
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    else:
        m = [x * scale for x in (a, b, 0.0, c, d, 0.0)]
        m[2] += m[0] * -cx + m[1] * -cy + cx + tx
        m[5] += m[3] * -cx + m[4] * -cy + cy + ty
    return m


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """torchvision.transforms.functional.rotate (counter-clockwise degrees)."""
    interpolation = _mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not _is_tensor(img):
        return F_pil.rotate(img, angle, pil_modes_mapping[interpolation], expand, center, fill)
    cf = [0.0, 0.0]
    if center is not None:
        _, h, w = get_dimensions(img)
        cf = [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h], strict=False)]
    m = _get_inverse_affine_matrix(cf, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, m, interpolation.value, expand, fill)


def affine(img, angle: float, translate, scale: float, shear,
           interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """torchvision.transforms.functional.affine."""
    interpolation = _mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    angle = float(angle)
    translate = list(translate)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, h, w = get_dimensions(img)
    if not _is_tensor(img):
        c = [w * 0.5, h * 0.5] if center is None else center
        m = _get_inverse_affine_matrix(c, angle, translate, scale, shear)
        return F_pil.affine(img, m, pil_modes_mapping[interpolation], fill)
    cf = [0.0, 0.0] if center is None else [
        1.0 * (c - s * 0.5) for c, s in zip(center, [w, h], strict=False)]
    m = _get_inverse_affine_matrix(cf, angle, [1.0 * t for t in translate], scale, shear)
    return F_t.affine(img, m, interpolation.value, fill)


def to_grayscale(img, num_output_channels=1):
    """torchvision.transforms.functional.to_grayscale (PIL only)."""
    if F_pil.is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """torchvision.transforms.functional.rgb_to_grayscale."""
    if not _is_tensor(img):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def erase(img, i: int, j: int, h: int, w: int, v, inplace: bool = False):
    """torchvision.transforms.functional.erase."""
    if not _is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace=inplace)


def gaussian_blur(img, kernel_size, sigma=None):
    """torchvision.transforms.functional.gaussian_blur (PIL images go through the tensor path)."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(
            f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(
            f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(
                f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    if _is_tensor(img):
        return F_t.gaussian_blur(img, kernel_size, sigma)
    if not F_pil.is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    out = F_t.gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(out, mode=img.mode)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """torchvision.transforms.functional.elastic_transform."""
    if isinstance(interpolation, int):
        warnings.warn("Argument interpolation should be of type InterpolationMode instead of int. "
                      "Please, use InterpolationMode enum.", stacklevel=2)
        interpolation = _interpolation_modes_from_int(interpolation)
    if not _is_tensor(displacement):
        raise TypeError("Argument displacement should be a Tensor")
    t_img = img
    if not _is_tensor(img):
        if not F_pil.is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    shape = (1,) + tuple(t_img.shape[-2:]) + (2,)
    if shape != tuple(displacement.shape):
        raise ValueError(f"Argument displacement shape should be {shape}, "
                         f"but given {displacement.shape}")
    out = F_t.elastic_transform(t_img, displacement, interpolation.value, fill)
    return out if _is_tensor(img) else to_pil_image(out, mode=img.mode)
