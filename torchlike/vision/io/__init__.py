"""torchvision.io image functions, decoded and encoded by Pillow.

Images are uint8 (C, H, W) tensors; encoded data is a uint8 1-D tensor, as in torchvision.
Video and GPU decoding are not provided.
"""

from __future__ import annotations

import io as _io
from enum import Enum

import numpy as np

import torchlike as torch

from ..transforms._pil import pil

__all__ = ["ImageReadMode", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg",
           "encode_png", "read_file", "read_image", "write_file", "write_jpeg", "write_png"]


class ImageReadMode(Enum):
    """torchvision.io.ImageReadMode."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


def read_file(path) -> torch.Tensor:
    """torchvision.io.read_file: the file's bytes as a uint8 1-D tensor."""
    with open(str(path), "rb") as f:
        data = f.read()
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data) -> None:
    """torchvision.io.write_file: write a uint8 1-D tensor's bytes."""
    with open(str(filename), "wb") as f:
        f.write(data.numpy().astype(np.uint8).tobytes())


_CONVERT = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
            ImageReadMode.RGB_ALPHA: "RGBA"}


def _as_mode(mode):
    return ImageReadMode[mode.upper()] if isinstance(mode, str) else mode


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False):
    """torchvision.io.decode_image: encoded bytes (or a path) to a uint8 (C, H, W) tensor."""
    Image = pil()
    if not isinstance(input, torch.Tensor):
        input = read_file(str(input))
    if input.dtype != torch.uint8 or input.dim() != 1:
        raise RuntimeError("Expected a non empty 1-dimensional tensor of dtype uint8")
    mode = _as_mode(mode)
    img = Image.open(_io.BytesIO(input.numpy().tobytes()))
    if apply_exif_orientation:
        from PIL import ImageOps

        img = ImageOps.exif_transpose(img)
    if mode in _CONVERT:
        img = img.convert(_CONVERT[mode])
    elif img.mode in ("P", "1", "CMYK", "YCbCr"):
        # torchvision's decoders expand palettes and bit maps to plain channels
        has_alpha = img.mode == "P" and "transparency" in img.info
        img = img.convert({"1": "L", "CMYK": "RGB", "YCbCr": "RGB"}.get(img.mode,
                          "RGBA" if has_alpha else "RGB"))
    if img.mode in ("I;16", "I;16B", "I"):
        arr = np.array(img).astype(np.uint16 if img.mode.startswith("I;16") else np.int32)
        if hasattr(torch, "uint16") and arr.dtype == np.uint16:
            out = arr
        else:
            out = arr.astype(np.int32)
    else:
        out = np.array(img)
    if out.ndim == 2:
        out = out[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(out.transpose(2, 0, 1)))


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False):
    """torchvision.io.decode_png."""
    return decode_image(input, mode, apply_exif_orientation)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu",
                apply_exif_orientation: bool = False):
    """torchvision.io.decode_jpeg (CPU; a list of inputs gives a list)."""
    if str(device).startswith("cuda"):
        raise NotImplementedError("decode_jpeg on a GPU is not supported by torchlike.vision")
    if isinstance(input, list):
        if len(input) == 0:
            raise ValueError("Input list must contain at least one element")
        return [decode_image(t, mode, apply_exif_orientation) for t in input]
    return decode_image(input, mode, apply_exif_orientation)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False):
    """torchvision.io.read_image."""
    return decode_image(read_file(path), mode, apply_exif_orientation=apply_exif_orientation)


def _to_pil(input, what):
    if input.dtype != torch.uint8:
        raise RuntimeError("Input tensor dtype should be uint8")
    if input.dim() != 3:
        raise RuntimeError(f"Input data should be a 3-dimensional tensor, got {input.dim()}")
    c = input.shape[0]
    if c not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {c}")
    arr = np.ascontiguousarray(input.numpy().transpose(1, 2, 0))
    return pil().fromarray(arr[:, :, 0] if c == 1 else arr, "L" if c == 1 else "RGB")


def _encoded(img, fmt, **kw):
    buf = _io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return torch.from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input, compression_level: int = 6):
    """torchvision.io.encode_png: a uint8 (C, H, W) image to PNG bytes."""
    if not 0 <= compression_level <= 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    return _encoded(_to_pil(input, "png"), "PNG", compress_level=compression_level)


def write_png(input, filename, compression_level: int = 6):
    """torchvision.io.write_png."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality: int = 75):
    """torchvision.io.encode_jpeg (Pillow's libjpeg: bytes may differ from torchvision's)."""
    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, list):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is passed")
        return [encode_jpeg(t, quality) for t in input]
    return _encoded(_to_pil(input, "jpeg"), "JPEG", quality=quality)


def write_jpeg(input, filename, quality: int = 75):
    """torchvision.io.write_jpeg."""
    write_file(filename, encode_jpeg(input, quality))
