"""Tensor backend of torchvision.transforms.functional, written in torchlike ops."""

from __future__ import annotations

import torchlike as torch
import torchlike.nn.functional as _nnf

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
    return img[..., top:bottom, left:right]


def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    check_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3)
    else:
        gray = img.clone()
    if num_output_channels == 3:
        return gray.expand(img.shape)
    return gray


def blend(img1, img2, ratio):
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, max_value(img1.dtype)).to(img1.dtype)


def adjust_brightness(img, factor):
    if factor < 0:
        raise ValueError(f"brightness_factor ({factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [1, 3])
    return blend(img, torch.zeros_like(img), factor)


def adjust_contrast(img, factor):
    if factor < 0:
        raise ValueError(f"contrast_factor ({factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [3, 1])
    dtype = img.dtype if img.is_floating_point() else torch.float32
    src = rgb_to_grayscale(img) if dimensions(img)[0] == 3 else img
    mean = torch.mean(src.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return blend(img, mean, factor)


def adjust_saturation(img, factor):
    if factor < 0:
        raise ValueError(f"saturation_factor ({factor}) is not non-negative.")
    check_image(img)
    check_channels(img, [1, 3])
    if dimensions(img)[0] == 1:
        return img
    return blend(img, rgb_to_grayscale(img), factor)


def _rgb_to_hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.amax(img, dim=-3)
    minc = torch.amin(img, dim=-3)
    flat = maxc == minc
    span = maxc - minc
    ones = torch.ones_like(maxc)
    s = span / torch.where(flat, ones, maxc)
    div = torch.where(flat, ones, span)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    is_b = ~(maxc == g) & ~is_r
    h = is_r * (bc - gc) + is_g * (2.0 + rc - bc) + is_b * (4.0 + gc - rc)
    h = torch.fmod(h / 6.0 + 1.0, 1.0)
    return torch.stack((h, s, maxc), dim=-3)


def _hsv_to_rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(torch.int32) % 6
    p = torch.clamp(v * (1.0 - s), 0.0, 1.0)
    q = torch.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = torch.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    # sector k of the hue circle picks (r, g, b) from these six combinations
    table = torch.stack((torch.stack((v, q, p, p, t, v), dim=-3),
                         torch.stack((t, v, v, q, p, p), dim=-3),
                         torch.stack((p, p, t, v, v, q), dim=-3)), dim=-4)
    onehot = (i.unsqueeze(-3) == torch.arange(6).view(-1, 1, 1)).to(img.dtype)
    return torch.einsum("...ijk, ...xijk -> ...xjk", onehot, table)


def adjust_hue(img, factor):
    if not -0.5 <= factor <= 0.5:
        raise ValueError(f"hue_factor ({factor}) is not in [-0.5, 0.5].")
    check_image(img)
    check_channels(img, [1, 3])
    if dimensions(img)[0] == 1:
        return img
    dtype = img.dtype
    hsv = _rgb_to_hsv(convert_image_dtype(img, torch.float32))
    h, s, v = hsv.unbind(dim=-3)
    h = (h + factor) % 1.0
    rgb = _hsv_to_rgb(torch.stack((h, s, v), dim=-3))
    return convert_image_dtype(rgb, dtype)


def adjust_gamma(img, gamma, gain=1):
    check_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    dtype = img.dtype
    out = img if img.is_floating_point() else convert_image_dtype(img, torch.float32)
    out = (gain * out.pow(gamma)).clamp(0, 1)
    return convert_image_dtype(out, dtype)


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
    """grid_sample an NCHW-ised image, filling outside pixels with `fill` through a ones-mask."""
    img, cast, squeeze, out_dtype = to_batch(img, (grid.dtype,))
    if img.shape[0] > 1:
        grid = grid.expand(img.shape[0], grid.shape[1], grid.shape[2], grid.shape[3])
    if fill is not None:
        ones = torch.ones((img.shape[0], 1, img.shape[2], img.shape[3]), dtype=img.dtype)
        img = torch.cat((img, ones), dim=1)
    img = _nnf.grid_sample(img, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask = img[:, -1:, :, :]
        img = img[:, :-1, :, :]
        mask = mask.expand_as(img)
        vals = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = torch.tensor(vals, dtype=img.dtype).view(1, len(vals), 1, 1).expand_as(img)
        if mode == "nearest":
            img = torch.where(mask < 0.5, fill_img, img)
        else:
            img = img * mask + (1.0 - mask) * fill_img
    return from_batch(img, cast, squeeze, out_dtype)


def _affine_grid(theta, w, h, ow, oh):
    # output pixel centres relative to the image centre, mapped by theta and normalised
    # by the input size (so an expanded output still samples the input correctly)
    xs = torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow, dtype=theta.dtype)
    ys = torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh, dtype=theta.dtype)
    base = torch.stack((xs.expand(oh, ow), ys.unsqueeze(-1).expand(oh, ow),
                        torch.ones((oh, ow), dtype=theta.dtype)), dim=-1)
    scaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    return base.view(1, oh * ow, 3).bmm(scaled).view(1, oh, ow, 2)


def affine(img, matrix, interpolation="nearest", fill=None):
    _check_grid_args(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    dtype = img.dtype if img.is_floating_point() else torch.float32
    theta = torch.tensor(matrix, dtype=dtype).reshape(1, 2, 3)
    h, w = img.shape[-2], img.shape[-1]
    return _sample(img, _affine_grid(theta, w, h, w, h), interpolation, fill)


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
    dtype = img.dtype if img.is_floating_point() else torch.float32
    theta = torch.tensor(matrix, dtype=dtype).reshape(1, 2, 3)
    return _sample(img, _affine_grid(theta, w, h, ow, oh), interpolation, fill)


def perspective(img, coeffs, interpolation="bilinear", fill=None):
    if not isinstance(img, torch.Tensor):
        raise TypeError("Input img should be Tensor.")
    _check_grid_args(img, None, interpolation, fill, ["nearest", "bilinear"], coeffs=coeffs)
    ow, oh = img.shape[-1], img.shape[-2]
    dtype = img.dtype if img.is_floating_point() else torch.float32
    xs = torch.linspace(0.5, ow - 0.5, steps=ow, dtype=dtype)
    ys = torch.linspace(0.5, oh - 0.5, steps=oh, dtype=dtype)
    base = torch.stack((xs.expand(oh, ow), ys.unsqueeze(-1).expand(oh, ow),
                        torch.ones((oh, ow), dtype=dtype)), dim=-1).view(1, oh * ow, 3)
    t1 = torch.tensor([[coeffs[0], coeffs[1], coeffs[2]], [coeffs[3], coeffs[4], coeffs[5]]],
                      dtype=dtype).unsqueeze(0)
    t2 = torch.tensor([[coeffs[6], coeffs[7], 1.0], [coeffs[6], coeffs[7], 1.0]],
                      dtype=dtype).unsqueeze(0)
    num = base.bmm(t1.transpose(1, 2) / torch.tensor([0.5 * ow, 0.5 * oh], dtype=dtype))
    den = base.bmm(t2.transpose(1, 2))
    grid = (num / den - 1.0).view(1, oh, ow, 2)
    return _sample(img, grid, interpolation, fill)


def _gaussian_kernel1d(size, sigma, dtype):
    half = (size - 1) * 0.5
    x = torch.linspace(-half, half, steps=size, dtype=dtype)
    pdf = torch.exp(-0.5 * (x / sigma).pow(2))
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma):
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    check_image(img)
    dtype = img.dtype if img.is_floating_point() else torch.float32
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    kernel = torch.mm(ky[:, None], kx[None, :])
    kernel = kernel.expand(img.shape[-3], 1, kernel.shape[0], kernel.shape[1])
    img, cast, squeeze, out_dtype = to_batch(img, (kernel.dtype,))
    p = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
    img = _nnf.pad(img, p, mode="reflect")
    img = _nnf.conv2d(img, kernel, groups=img.shape[-3])
    return from_batch(img, cast, squeeze, out_dtype)


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
    dtype = img.dtype if img.is_floating_point() else torch.float32
    kernel = torch.tensor([[1.0, 1.0, 1.0], [1.0, 5.0, 1.0], [1.0, 1.0, 1.0]], dtype=dtype) / 13.0
    kernel = kernel.expand(img.shape[-3], 1, 3, 3)
    tmp, cast, squeeze, out_dtype = to_batch(img, (kernel.dtype,))
    tmp = _nnf.conv2d(tmp, kernel, groups=tmp.shape[-3])
    tmp = from_batch(tmp, cast, squeeze, out_dtype)
    # the smoothed image keeps the original border pixels
    degenerate = img.clone()
    degenerate[..., 1:-1, 1:-1] = tmp
    return blend(img, degenerate, factor)


def autocontrast(img):
    check_image(img)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    check_channels(img, [1, 3])
    bound = max_value(img.dtype)
    dtype = img.dtype if img.is_floating_point() else torch.float32
    lo = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    hi = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    scale = bound / (hi - lo)
    flat = ~torch.isfinite(scale)
    lo = torch.where(flat, torch.zeros_like(lo), lo)
    scale = torch.where(flat, torch.ones_like(scale), scale)
    return ((img - lo) * scale).clamp(0, bound).to(img.dtype)


def _equalize_channel(chan):
    hist = torch.bincount(chan.reshape(-1).to(torch.int64), minlength=256)
    nonzero = hist[hist != 0]
    step = int(torch.div(nonzero[:-1].sum(), 255, rounding_mode="floor"))
    if step == 0:
        return chan
    lut = torch.div(torch.cumsum(hist, 0) + step // 2, step, rounding_mode="floor")
    lut = _nnf.pad(lut, [1, 0])[:-1].clamp(0, 255)
    return lut[chan.to(torch.int64)].to(torch.uint8)


def equalize(img):
    check_image(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != torch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    check_channels(img, [1, 3])

    def one(x):
        return torch.stack([_equalize_channel(x[c]) for c in range(x.size(0))])

    if img.ndim == 3:
        return one(img)
    return torch.stack([one(x) for x in img])


def normalize(tensor, mean, std, inplace=False):
    check_image(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    dtype = tensor.dtype
    mean = torch.as_tensor(mean, dtype=dtype)
    std = torch.as_tensor(std, dtype=dtype)
    if bool((std == 0).any()):
        raise ValueError(
            f"std evaluated to zero after conversion to {dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean).div_(std)
    return (tensor - mean) / std


def erase(img, i, j, h, w, v, inplace=False):
    check_image(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def elastic_transform(img, displacement, interpolation="bilinear", fill=None):
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    size = list(img.shape[-2:])
    axes = [torch.linspace((-s + 1) / s, (s - 1) / s, s) for s in size]
    gy, gx = torch.meshgrid(axes, indexing="ij")
    grid = torch.stack([gx, gy], -1).unsqueeze(0) + displacement
    return _sample(img, grid, interpolation, fill)
