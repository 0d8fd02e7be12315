"""PIL backend of torchvision.transforms.functional (Pillow is imported lazily)."""

from __future__ import annotations

import numbers
import sys

import numpy as np

_EXTRA_HINT = "pip install 'torchlike[vision]'"


def pil():
    """The PIL.Image module, or an ImportError naming the extra that installs it."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"torchlike.vision needs Pillow for PIL images and image files: {_EXTRA_HINT}") from e
    return Image


def is_pil_image(img) -> bool:
    # a PIL image can only exist if PIL was imported, so never import it just to check
    mod = sys.modules.get("PIL.Image")
    return mod is not None and isinstance(img, mod.Image)


def _check(img):
    if not is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def fromarray(arr: np.ndarray, mode: str):
    """Image.fromarray(arr, mode) with the pre-11.3 meaning (reinterpret the bytes as `mode`)."""
    Image = pil()
    from PIL import __version__ as ver

    try:
        new = tuple(int(x) for x in ver.split(".")[:2]) >= (11, 3)
    except ValueError:
        new = False
    if not new:
        return Image.fromarray(arr, mode)
    h, w = arr.shape[0], (1 if arr.ndim == 1 else arr.shape[1])
    return Image.frombuffer(mode, (w, h), np.ascontiguousarray(arr).tobytes(), "raw", mode, 0, 1)


def dimensions(img):
    _check(img)
    w, h = img.size
    return [len(img.getbands()), h, w]


def num_channels(img):
    _check(img)
    return len(img.getbands())


def hflip(img):
    _check(img)
    return img.transpose(pil().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(pil().Transpose.FLIP_TOP_BOTTOM)


def _enhance(kind, img, factor):
    _check(img)
    from PIL import ImageEnhance

    return getattr(ImageEnhance, kind)(img).enhance(factor)


def adjust_brightness(img, factor):
    return _enhance("Brightness", img, factor)


def adjust_contrast(img, factor):
    return _enhance("Contrast", img, factor)


def adjust_saturation(img, factor):
    return _enhance("Color", img, factor)


def adjust_sharpness(img, factor):
    return _enhance("Sharpness", img, factor)


def adjust_hue(img, factor):
    if not -0.5 <= factor <= 0.5:
        raise ValueError(f"hue_factor ({factor}) is not in [-0.5, 0.5].")
    _check(img)
    mode = img.mode
    if mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    hue = np.array(h, dtype=np.uint8)
    # uint8 addition wraps around, which is the rotation of the hue circle
    hue += np.int32(factor * 255).astype(np.uint8)
    return pil().merge("HSV", (fromarray(hue, "L"), s, v)).convert(mode)


def adjust_gamma(img, gamma, gain=1.0):
    _check(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    mode = img.mode
    table = [int((255 + 1 - 1e-3) * gain * pow(x / 255.0, gamma)) for x in range(256)] * 3
    return img.convert("RGB").point(table).convert(mode)


def _ltrb(padding):
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def parse_fill(fill, img, name="fillcolor"):
    c = num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and c > 1:
        fill = tuple([fill] * c)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * c
        elif len(fill) != c:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {c})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode="constant"):
    _check(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, "
                         f"not a {len(padding)} element tuple")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if padding_mode == "constant":
        from PIL import ImageOps

        opts = parse_fill(fill, img, name="fill")
        palette = img.getpalette() if img.mode == "P" else None
        out = ImageOps.expand(img, border=padding, **opts)
        if palette is not None:
            out.putpalette(palette)
        return out
    left, top, right, bottom = _ltrb(padding)
    if min(left, top, right, bottom) < 0:
        cl, ct, cr, cb = (-min(x, 0) for x in (left, top, right, bottom))
        img = img.crop((cl, ct, img.width - cr, img.height - cb))
        left, top, right, bottom = (max(x, 0) for x in (left, top, right, bottom))
    palette = img.getpalette() if img.mode == "P" else None
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + ([(0, 0)] if arr.ndim == 3 else [])
    out = pil().fromarray(np.pad(arr, widths, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def crop(img, top, left, height, width):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def affine(img, matrix, interpolation=0, fill=None):
    _check(img)
    return img.transform(img.size, pil().Transform.AFFINE, matrix, interpolation,
                         **parse_fill(fill, img))


def rotate(img, angle, interpolation=0, expand=False, center=None, fill=None):
    _check(img)
    return img.rotate(angle, interpolation, expand, center, **parse_fill(fill, img))


def perspective(img, coeffs, interpolation=3, fill=None):
    _check(img)
    return img.transform(img.size, pil().Transform.PERSPECTIVE, coeffs, interpolation,
                         **parse_fill(fill, img))


def to_grayscale(img, num_output_channels):
    _check(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        g = np.array(img.convert("L"), dtype=np.uint8)
        return fromarray(np.dstack([g, g, g]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def _ops(name):
    def fn(img, *args):
        _check(img)
        from PIL import ImageOps

        return getattr(ImageOps, name)(img, *args)

    fn.__name__ = name
    return fn


invert = _ops("invert")
posterize = _ops("posterize")
solarize = _ops("solarize")
autocontrast = _ops("autocontrast")
equalize = _ops("equalize")
