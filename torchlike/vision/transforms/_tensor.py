"""Tensor backend of torchvision.transforms.functional, written in torchlike ops."""

from __future__ import annotations

import numpy as np

import torchlike as torch
import torchlike.nn.functional as _nnf

from . import _kernels as K

_INT_MAX = {
    torch.uint8: 255, torch.int8: 127, torch.int16: 32767, torch.int32: 2147483647,
    torch.int64: 9223372036854775807,
}
if hasattr(torch, "uint16"):
    _INT_MAX[torch.uint16] = 65535


def max_value(dtype) -> int:
    """Largest pixel value of an image dtype (1 for floating images)."""
    return _INT_MAX.get(dtype, 1)


def check_image(img) -> None:
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def dimensions(img) -> list[int]:
    check_image(img)
    c = 1 if img.ndim == 2 else img.shape[-3]
    return [c, img.shape[-2], img.shape[-1]]


def check_channels(img, allowed) -> None:
    c = dimensions(img)[0]
    if c not in allowed:
        raise TypeError(
            f"Input image tensor permitted channel values are {allowed}, but found {c}")


def _is_float_dtype(dtype) -> bool:
    return dtype.is_floating_point


def convert_image_dtype(image, dtype=torch.float32):
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if _is_float_dtype(dtype):
            return image.to(dtype)
        # float32 cannot hold every int32/int64 value, so the scaled cast would overflow
        if (image.dtype == torch.float32 and dtype in (torch.int32, torch.int64)) or (
                image.dtype == torch.float64 and dtype == torch.int64):
            raise RuntimeError(
                f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # scaling by max+1-eps maps [0, 1] evenly onto the integer bins
        return image.mul(float(max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    in_max = float(max_value(image.dtype))
    if _is_float_dtype(dtype):
        return image.to(dtype) / in_max
    out_max = float(max_value(dtype))
    if in_max > out_max:
        factor = int((in_max + 1) // (out_max + 1))
        return torch.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((out_max + 1) // (in_max + 1))
    return image.to(dtype) * factor


def to_batch(img, float_dtypes):
    """Make an image NCHW and of a float dtype; returns what `from_batch` needs to undo it."""
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(0)
    out_dtype = img.dtype
    cast = out_dtype not in float_dtypes
    if cast:
        img = img.to(float_dtypes[0])
    return img, cast, squeeze, out_dtype


def from_batch(img, cast, squeeze, out_dtype):
    if squeeze:
        img = img.squeeze(0)
    if cast:
        if not out_dtype.is_floating_point and out_dtype != torch.bool:
            img = torch.round(img)
        img = img.to(out_dtype)
    return img


def crop(img, top, left, height, width):
    check_image(img)
    _, h, w = dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], ltrb, fill=0)
    if height == h and width == w:
        return img
    return K.crop(img, np.asarray([top, left], dtype=np.int32), height, width)


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    check_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        return K.rgb_to_grayscale(img, num_output_channels)
    gray = img.clone()
    return gray.expand(img.shape) if num_output_channels == 3 else gray


def _num(x):
    return np.asarray(float(x), dtype=np.float64)


def _ratio(x):
    # (r, 1 - r) with the subtraction in double precision, as torchvision's Python does it
    return np.asarray([float(x), 1.0 - float(x)], dtype=np.float64)


def blend(img1, img2, ratio):
    return K.blend(img1, img2, _ratio(ratio), max_value(img1.dtype), "given")


def _adjust(img, factor, name, channels, other):
    # brightness/contrast/saturation: a blend of the image with a black, mean or gray image
    if factor < 0:
        raise ValueError(f"{name}_factor ({factor}) is not non-negative.")
    check_image(img)
    check_channels(img, channels)
    if other == "gray" and dimensions(img)[0] == 1:
        return img
    return K.blend(img, img, _ratio(factor), max_value(img.dtype), other)


def adjust_brightness(img, factor):
    return _adjust(img, factor, "brightness", [1, 3], "zeros")


def adjust_contrast(img, factor):
    return _adjust(img, factor, "contrast", [3, 1], "mean")


def adjust_saturation(img, factor):
    return _adjust(img, factor, "saturation", [1, 3], "gray")


def adjust_hue(img, factor):
    if not -0.5 <= factor <= 0.5:
        raise ValueError(f"hue_factor ({factor}) is not in [-0.5, 0.5].")
    check_image(img)
    check_channels(img, [1, 3])
    if dimensions(img)[0] == 1:
        return img
    return K.adjust_hue(img, _num(factor), max_value(img.dtype))


def adjust_gamma(img, gamma, gain=1):
    check_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    return K.adjust_gamma(img, _num(gamma), _num(gain), max_value(img.dtype))


def _pad_args(padding):
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _pad_symmetric(img, lrtb):
    if min(lrtb) < 0:
        cl, cr, ct, cb = (-min(x, 0) for x in lrtb)
        img = img[..., ct:img.shape[-2] - cb, cl:img.shape[-1] - cr]
        lrtb = [max(x, 0) for x in lrtb]
    left, right, top, bottom = lrtb
    h, w = img.shape[-2], img.shape[-1]
    # mirror including the edge pixel: index lists folded back into range
    xs = list(range(left - 1, -1, -1)) + list(range(w)) + [w - 1 - i for i in range(right)]
    ys = list(range(top - 1, -1, -1)) + list(range(h)) + [h - 1 - i for i in range(bottom)]
    if img.ndim not in (3, 4):
        raise RuntimeError("Symmetric padding of N-D tensors are not supported yet")
    xi = torch.tensor(xs)
    yi = torch.tensor(ys)
    return img.index_select(-2, yi).index_select(-1, xi)


def pad(img, padding, fill=0, padding_mode="constant"):
    check_image(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, "
                         f"not a {len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = _pad_args(padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, p)
    mode = "replicate" if padding_mode == "edge" else padding_mode
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(0)
    out_dtype = img.dtype
    cast = mode != "constant" and out_dtype not in (torch.float32, torch.float64)
    if cast:
        img = img.to(torch.float32)
    if mode == "constant":
        img = _nnf.pad(img, p, mode=mode, value=float(fill))
    else:
        img = _nnf.pad(img, p, mode=mode)
    if squeeze:
        img = img.squeeze(0)
    if cast:
        img = img.to(out_dtype)
    return img


def resize(img, size, interpolation="bilinear", antialias=True):
    check_image(img)
    antialias = bool(antialias) and interpolation in ("bilinear", "bicubic")
    img, cast, squeeze, out_dtype = to_batch(img, (torch.float32, torch.float64))
    align = False if interpolation in ("bilinear", "bicubic") else None
    img = _nnf.interpolate(img, size=list(size), mode=interpolation, align_corners=align,
                           antialias=antialias)
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        img = img.clamp(0, 255)
    return from_batch(img, cast, squeeze, out_dtype)


def resized_crop(img, top, left, height, width, size, interpolation, antialias):
    """crop + resize in one kernel when the crop lies inside the image (else None)."""
    H, W = img.shape[-2], img.shape[-1]
    if (interpolation not in ("bilinear", "bicubic") or img.ndim < 3 or top < 0 or left < 0
            or top + height > H or left + width > W or height <= 0 or width <= 0):
        return None
    oh, ow = size
    if [oh, ow] == [height, width]:
        return None  # resize would return the crop unchanged
    antialias = bool(antialias)
    npdt = np.float64 if img.dtype == torch.float64 else np.float32
    wy = K.resize_matrix(height, oh, top, H, interpolation, antialias, npdt)
    wx = K.resize_matrix(width, ow, left, W, interpolation, antialias, npdt)
    # torchvision clamps bicubic uint8 results before rounding them back
    return K.resized_crop(img, wy, wx, img.dtype == torch.uint8 and interpolation == "bicubic")


def _check_grid_args(img, matrix, interpolation, fill, modes, coeffs=None):
    if not isinstance(img, torch.Tensor):
        raise TypeError("Input img should be Tensor")
    check_image(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        raise TypeError("Argument fill should be either int, float, tuple or list")
    c = dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != c:
        raise ValueError(
            "The number of elements in 'fill' cannot broadcast to match the number of channels "
            f"of the image ({len(fill)} != {c})")
    if interpolation not in modes:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _sample(img, grid, mode, fill):
    """grid_sample the image (any leading dims) at a host-computed grid, filling with `fill`."""
    vals = [0.0] if fill is None else (
        [float(v) for v in fill] if isinstance(fill, (tuple, list)) else [float(fill)])
    return K.grid_sample(img, grid, np.asarray(vals, dtype=np.float64), mode, fill is not None)


def _grid_dtype(img):
    return np.float64 if img.dtype == torch.float64 else np.float32


def affine(img, matrix, interpolation="nearest", fill=None):
    _check_grid_args(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    h, w = img.shape[-2], img.shape[-1]
    return _sample(img, K.affine_grid(matrix, w, h, w, h, _grid_dtype(img)), interpolation, fill)


def _expanded_size(matrix, w, h):
    import numpy as np

    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.array(matrix, dtype=np.float32).reshape(2, 3)
    pts = corners @ theta.T
    lo = pts.min(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    hi = pts.max(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    # cut at 1e-4 so a rounding residue like 1e-15 does not add a whole pixel
    tol = np.float32(1e-4)
    cmax = np.ceil(np.trunc(hi / tol) * tol)
    cmin = np.floor(np.trunc(lo / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    _check_grid_args(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _expanded_size(matrix, w, h) if expand else (w, h)
    grid = K.affine_grid(matrix, w, h, ow, oh, _grid_dtype(img))
    return _sample(img, grid, interpolation, fill)


def perspective(img, coeffs, interpolation="bilinear", fill=None):
    if not isinstance(img, torch.Tensor):
        raise TypeError("Input img should be Tensor.")
    _check_grid_args(img, None, interpolation, fill, ["nearest", "bilinear"], coeffs=coeffs)
    ow, oh = img.shape[-1], img.shape[-2]
    grid = K.perspective_grid(coeffs, ow, oh, _grid_dtype(img))
    return _sample(img, grid, interpolation, fill)


def gaussian_blur(img, kernel_size, sigma):
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    check_image(img)
    dtype = np.float64 if img.dtype == torch.float64 else np.float32
    return K.gaussian_blur(img, K.gaussian_kernel(kernel_size, sigma, dtype))


def invert(img):
    check_image(img)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    check_channels(img, [1, 3])
    return max_value(img.dtype) - img


def posterize(img, bits):
    check_image(img)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    if img.dtype != torch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    check_channels(img, [1, 3])
    return img & -int(2 ** (8 - bits))


def solarize(img, threshold):
    check_image(img)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    check_channels(img, [1, 3])
    if threshold > max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return torch.where(img >= threshold, invert(img), img)


def adjust_sharpness(img, factor):
    if factor < 0:
        raise ValueError(f"sharpness_factor ({factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [1, 3])
    if img.size(-1) <= 2 or img.size(-2) <= 2:
        return img
    return K.adjust_sharpness(img, _ratio(factor), max_value(img.dtype))


def autocontrast(img):
    check_image(img)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    check_channels(img, [1, 3])
    return K.autocontrast(img, max_value(img.dtype))


def equalize(img):
    check_image(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != torch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    check_channels(img, [1, 3])
    return K.equalize(img)


def normalize(tensor, mean, std, inplace=False):
    check_image(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    dtype = tensor.dtype
    npdt = {torch.float32: np.float32, torch.float64: np.float64,
            torch.float16: np.float16}.get(dtype)
    if npdt is not None and not isinstance(mean, torch.Tensor) \
            and not isinstance(std, torch.Tensor):
        # plain sequences stay numpy: no per-call tensors for the constants
        mean_t, std_t = np.asarray(mean, dtype=npdt), np.asarray(std, dtype=npdt)
        std_np = std_t
    else:
        mean_t = torch.as_tensor(mean, dtype=dtype)
        std_t = torch.as_tensor(std, dtype=dtype)
        std_np = std_t.float().numpy()
    # the zero check sees std in the tensor's precision (a tiny std can round to 0)
    if (std_np == 0).any():
        raise ValueError(
            f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
    out = K.normalize(tensor, mean_t, std_t)
    if inplace:
        return tensor.copy_(out)
    return out


def _erase_value(img, i, j, h, w, v):
    """v as an array broadcastable to img for the erase kernel, or None (take the slow path)."""
    if isinstance(v, torch.Tensor):
        if v.requires_grad or img.requires_grad:
            return None
        arr = v.numpy()
    elif isinstance(v, (int, float)):
        arr = np.asarray(v)
    else:
        return None
    H, W = img.shape[-2], img.shape[-1]
    if arr.ndim >= 2 and arr.shape[-2:] == (h, w) and (h, w) != (1, 1):
        # a full patch (RandomErasing's random values): lay it out at its place
        full = np.zeros(arr.shape[:-2] + (H, W), dtype=arr.dtype)
        full[..., i:i + h, j:j + w] = arr
        arr = full
    try:
        np.broadcast_shapes(arr.shape, tuple(img.shape))
    except ValueError:
        return None
    return arr


def erase(img, i, j, h, w, v, inplace=False):
    check_image(img)
    i, j, h, w = int(i), int(j), int(h), int(w)
    H, W = img.shape[-2], img.shape[-1]
    if 0 <= i and 0 <= j and i + h <= H and j + w <= W:
        arr = _erase_value(img, i, j, h, w, v)
        if arr is not None:
            out = K.erase(img, arr, np.asarray([i, j, h, w], dtype=np.int32))
            return img.copy_(out) if inplace else out
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def elastic_transform(img, displacement, interpolation="bilinear", fill=None):
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    h, w = img.shape[-2], img.shape[-1]
    ident = np.stack(np.meshgrid(K.linspace32((-w + 1) / w, (w - 1) / w, w),
                                 K.linspace32((-h + 1) / h, (h - 1) / h, h)), -1)[None]
    grid = torch.from_numpy(ident) + displacement
    return _sample(img, grid, interpolation, fill)
