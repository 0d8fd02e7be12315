"""Fused JAX kernels behind the tensor transforms (one compiled kernel per transform).

Each function is a torchlike op (interop.torch_op): static arguments key the compiled
kernel, array arguments (factors, sampling grids, blur kernels, fill values) are inputs, so
random parameters never trigger a recompile, and autograd reaches through every kernel.
Arithmetic follows torchvision's tensor backend in float32 (the dtype torch computes in).
The kernels compile without LLVM's optimisations: at higher levels LLVM contracts a*b + c
into fused multiply-adds, whose single rounding moves uint8 results across an integer
boundary (off by one against torch, which rounds after every operation).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from torchlike._core import dtypes as _dt
from torchlike._core import registry as _reg
from torchlike._core.grad_mode import GRAD_ENABLED
from torchlike._core.tensor import Tensor
from torchlike.interop import split_arrays

_F32 = jnp.float32
_EXACT = {"xla_backend_optimization_level": 0}


def torch_op(*, name):
    """interop.torch_op for flat positional arguments, compiled with `_EXACT` options."""

    def deco(fn):
        op = _reg.Op(name)

        def wrapper(*args):
            pos, arrays, inputs, static = split_arrays(args)
            key = (len(args), tuple(pos), tuple(static))
            entry = op.kernels.get(key)
            if entry is None:
                template = [None] * len(args)
                for i, x in static:
                    template[i] = x

                def raw(*arrs):
                    full = list(template)
                    for i, a in zip(pos, arrs, strict=True):
                        full[i] = a
                    return (fn(*full),)

                entry = op.kernels[key] = (jax.jit(raw, compiler_options=_EXACT), raw)
            res = entry[0](*arrays)[0]
            outs = (Tensor._make(res, _dt._BY_NP.get(res.dtype)),)
            if GRAD_ENABLED[0] and any(t is not None and t._requires_grad for t in inputs):
                rec = _reg._RECORD[0]
                if rec is not None:
                    rec(op, key, entry[1], tuple(arrays), tuple(inputs), outs, True)
            return outs[0]

        wrapper.__name__ = wrapper.__qualname__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        wrapper.op = op
        return wrapper

    return deco


def _cdt(dtype):
    # torch computes a uint8/int image's float arithmetic in float32
    return jnp.dtype(dtype).type if jnp.issubdtype(dtype, jnp.floating) else _F32


def _cast_back(x, dtype, bound):
    # the .clamp(0, bound).to(dtype) that ends torchvision's blends (truncation toward zero)
    return jnp.clip(x, 0, bound).astype(dtype)


def _gray(img):
    c = _cdt(img.dtype)
    r, g, b = (img[..., i, :, :].astype(c) for i in range(3))
    return (c(0.2989) * r + c(0.587) * g + c(0.114) * b).astype(img.dtype)[..., None, :, :]


@torch_op(name="vision_rgb_to_grayscale")
def rgb_to_grayscale(img, num_output_channels):
    out = _gray(img)
    if num_output_channels == 3:
        out = jnp.broadcast_to(out, img.shape)
    return out


@torch_op(name="vision_blend")
def blend(img, other, ratio, bound, kind):
    """ratio * img + (1 - ratio) * other, for the blends of adjust_brightness & co.

    kind picks `other`: 'given', 'zeros', 'gray' (grayscale of img), 'mean' (mean gray level).
    """
    c = _cdt(img.dtype)
    if kind == "zeros":
        other = jnp.zeros_like(img)
    elif kind == "gray":
        other = _gray(img)
    elif kind == "mean":
        g = _gray(img) if img.shape[-3] == 3 else img
        other = jnp.mean(g.astype(c), axis=(-3, -2, -1), keepdims=True)
    # ratio holds (ratio, 1 - ratio), both formed in double precision as Python does
    r, r1 = ratio[0].astype(c), ratio[1].astype(c)
    return _cast_back(r * img.astype(c) + r1 * other.astype(c), img.dtype, bound)


def _to_float01(img, bound, keep_float=False):
    # torchvision's convert_image_dtype(img, float32); gamma keeps a float image's dtype
    if jnp.issubdtype(img.dtype, jnp.floating):
        return img if keep_float else img.astype(_F32)
    return img.astype(_F32) / _F32(bound)


def _from_float01(x, dtype, bound):
    if jnp.issubdtype(dtype, jnp.floating):
        return x.astype(dtype)
    return (x * _F32(bound + 1.0 - 1e-3)).astype(dtype)


@torch_op(name="vision_adjust_hue")
def adjust_hue(img, factor, bound):
    x = _to_float01(img, bound)
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc = jnp.max(x, axis=-3)
    minc = jnp.min(x, axis=-3)
    flat = maxc == minc
    span = maxc - minc
    one = jnp.ones_like(maxc)
    s = span / jnp.where(flat, one, maxc)
    div = jnp.where(flat, one, span)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    is_b = (maxc != g) & ~is_r
    h = is_r * (bc - gc) + is_g * (2.0 + rc - bc) + is_b * (4.0 + gc - rc)
    h = jnp.fmod(h / _F32(6.0) + _F32(1.0), _F32(1.0))
    h = jnp.remainder(h + factor.astype(_F32), _F32(1.0))
    v = maxc
    i = jnp.floor(h * _F32(6.0))
    f = h * _F32(6.0) - i
    i = i.astype(jnp.int32) % 6
    p = jnp.clip(v * (1.0 - s), 0.0, 1.0)
    q = jnp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = jnp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [jnp.stack(row) for row in ((v, q, p, p, t, v), (t, v, v, q, p, p),
                                        (p, p, t, v, v, q))]
    pick = [jnp.take_along_axis(tb, i[None], axis=0)[0] for tb in table]
    return _from_float01(jnp.stack(pick, axis=-3), img.dtype, bound)


@torch_op(name="vision_adjust_gamma")
def adjust_gamma(img, gamma, gain, bound):
    x = _to_float01(img, bound, keep_float=True)
    out = jnp.clip(gain.astype(x.dtype) * jnp.power(x, gamma.astype(x.dtype)), 0, 1)
    return _from_float01(out, img.dtype, bound)


def _depthwise(x, kernel, pad_mode):
    # x (N, C, H, W) float, kernel (kh, kw): the same kernel on every channel
    kh, kw = kernel.shape
    if pad_mode is not None:
        x = jnp.pad(x, ((0, 0), (0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2)), mode=pad_mode)
    c = x.shape[1]
    w = jnp.broadcast_to(kernel.astype(x.dtype), (c, 1, kh, kw))
    return jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", feature_group_count=c,
                                        precision=jax.lax.Precision.HIGHEST)


def _batched(img):
    shape = img.shape
    return img.reshape((-1,) + shape[-3:]), shape


def _round_back(x, dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return x.astype(dtype)
    return jnp.round(x).astype(dtype)


@torch_op(name="vision_gaussian_blur")
def gaussian_blur(img, kernel):
    x, shape = _batched(img)
    c = _cdt(img.dtype)
    out = _depthwise(x.astype(c), kernel, "reflect")
    return _round_back(out, img.dtype).reshape(shape)


@torch_op(name="vision_adjust_sharpness")
def adjust_sharpness(img, factor, bound):
    x, shape = _batched(img)
    c = _cdt(img.dtype)
    k = jnp.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], dtype=c) / c(13.0)
    smooth = _round_back(_depthwise(x.astype(c), k, None), img.dtype)
    degenerate = x.at[:, :, 1:-1, 1:-1].set(smooth)
    r, r1 = factor[0].astype(c), factor[1].astype(c)
    out = _cast_back(r * x.astype(c) + r1 * degenerate.astype(c), img.dtype, bound)
    return out.reshape(shape)


@torch_op(name="vision_autocontrast")
def autocontrast(img, bound):
    c = _cdt(img.dtype)
    lo = jnp.min(img, axis=(-2, -1), keepdims=True).astype(c)
    hi = jnp.max(img, axis=(-2, -1), keepdims=True).astype(c)
    # torchvision writes bound / (hi - lo); torch evaluates a scalar over a tensor as
    # reciprocal(tensor) * scalar, which rounds differently from a true division
    scale = (c(1.0) / (hi - lo)) * c(bound)
    bad = ~jnp.isfinite(scale)
    lo = jnp.where(bad, c(0), lo)
    scale = jnp.where(bad, c(1), scale)
    return jnp.clip((img.astype(c) - lo) * scale, 0, bound).astype(img.dtype)


@torch_op(name="vision_equalize")
def equalize(img):
    x, shape = _batched(img)
    flat = x.reshape(x.shape[0] * x.shape[1], -1).astype(jnp.int32)

    def one(ch):
        hist = jnp.bincount(ch, length=256)
        # the last non-zero bin is left out of the step (torchvision's rule)
        last = 255 - jnp.argmax(hist[::-1] > 0)
        step = (jnp.sum(hist) - hist[last]) // 255
        safe = jnp.maximum(step, 1)
        lut = (jnp.cumsum(hist) + step // 2) // safe
        lut = jnp.clip(jnp.concatenate([jnp.zeros(1, lut.dtype), lut[:-1]]), 0, 255)
        return jnp.where(step == 0, ch, lut[ch])

    out = jax.vmap(one)(flat).astype(jnp.uint8)
    return out.reshape(shape)


@torch_op(name="vision_normalize")
def normalize(img, mean, std):
    mean = mean.astype(img.dtype)
    std = std.astype(img.dtype)
    if mean.ndim == 1:
        mean = mean[:, None, None]
    if std.ndim == 1:
        std = std[:, None, None]
    return (img - mean) / std


@torch_op(name="vision_grid_sample")
def grid_sample(img, grid, fill, mode, has_fill):
    """Sample NCHW-ised img at grid (1, oh, ow, 2) in [-1, 1] (align_corners=False, zero
    padding); outside pixels take `fill` through a sampled ones-mask, as torchvision does."""
    x, shape = _batched(img)
    n, c, h, w = x.shape
    gdt = grid.dtype
    xf = x.astype(gdt)
    if has_fill:
        xf = jnp.concatenate([xf, jnp.ones((n, 1, h, w), gdt)], axis=1)
    gx = ((grid[0, ..., 0] + 1) * w - 1) / 2
    gy = ((grid[0, ..., 1] + 1) * h - 1) / 2

    def tap(yi, xi):
        ok = (yi >= 0) & (yi <= h - 1) & (xi >= 0) & (xi <= w - 1)
        v = xf[:, :, jnp.clip(yi, 0, h - 1), jnp.clip(xi, 0, w - 1)]
        return jnp.where(ok, v, 0)

    if mode == "nearest":
        out = tap(jnp.round(gy).astype(jnp.int32), jnp.round(gx).astype(jnp.int32))
    else:
        x0f, y0f = jnp.floor(gx), jnp.floor(gy)
        x0, y0 = x0f.astype(jnp.int32), y0f.astype(jnp.int32)
        wx1, wy1 = gx - x0f, gy - y0f
        wx0, wy0 = 1 - wx1, 1 - wy1
        out = (tap(y0, x0) * (wy0 * wx0) + tap(y0, x0 + 1) * (wy0 * wx1)
               + tap(y0 + 1, x0) * (wy1 * wx0) + tap(y0 + 1, x0 + 1) * (wy1 * wx1))
    if has_fill:
        mask = out[:, -1:]
        out = out[:, :-1]
        fv = jnp.broadcast_to(fill.astype(gdt).reshape(1, -1, 1, 1), out.shape)
        if mode == "nearest":
            out = jnp.where(mask < 0.5, fv, out)
        else:
            out = out * mask + (1.0 - mask) * fv
    out = _round_back(out, img.dtype)
    return out.reshape(shape[:-2] + out.shape[-2:])


def linspace32(start, end, steps):
    """torch.linspace in float32 (torch fills the two halves from either end)."""
    start, end = np.float32(start), np.float32(end)
    if steps == 1:
        return np.array([start], np.float32)
    step = (end - start) / np.float32(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    return np.where(i < half, start + step * i.astype(np.float32),
                    end - step * (steps - 1 - i).astype(np.float32)).astype(np.float32)


def affine_grid(matrix, w, h, ow, oh, dtype=np.float32):
    """torchvision's affine sampling grid (1, oh, ow, 2), computed on the host."""
    theta = np.asarray(matrix, dtype=dtype).reshape(2, 3)
    xs = linspace32(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow).astype(dtype)
    ys = linspace32(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh).astype(dtype)
    base = np.empty((oh, ow, 3), dtype=dtype)
    base[..., 0] = xs[None, :]
    base[..., 1] = ys[:, None]
    base[..., 2] = 1
    scaled = theta.T / np.array([0.5 * w, 0.5 * h], dtype=dtype)
    return (base.reshape(oh * ow, 3) @ scaled).reshape(1, oh, ow, 2)


def perspective_grid(coeffs, ow, oh, dtype=np.float32):
    """torchvision's perspective sampling grid (1, oh, ow, 2), computed on the host."""
    c = [float(v) for v in coeffs]
    t1 = np.array([[c[0], c[1], c[2]], [c[3], c[4], c[5]]], dtype=dtype)
    t2 = np.array([[c[6], c[7], 1.0], [c[6], c[7], 1.0]], dtype=dtype)
    xs = linspace32(0.5, ow * 1.0 + 0.5 - 1.0, ow).astype(dtype)
    ys = linspace32(0.5, oh * 1.0 + 0.5 - 1.0, oh).astype(dtype)
    base = np.empty((oh, ow, 3), dtype=dtype)
    base[..., 0] = xs[None, :]
    base[..., 1] = ys[:, None]
    base[..., 2] = 1
    base = base.reshape(oh * ow, 3)
    g1 = base @ (t1.T / np.array([0.5 * ow, 0.5 * oh], dtype=dtype))
    g2 = base @ t2.T
    return (g1 / g2 - dtype(1.0)).reshape(1, oh, ow, 2)


def gaussian_kernel(ksize, sigma, dtype=np.float32):
    """The 2-D blur kernel (ky outer kx), float32 as torchvision builds it."""
    def k1(n, s):
        half = (n - 1) * 0.5
        x = linspace32(-half, half, n).astype(dtype)
        pdf = np.exp(dtype(-0.5) * (x / dtype(s)) ** 2)
        return pdf / pdf.sum(dtype=dtype)

    kx, ky = k1(ksize[0], sigma[0]), k1(ksize[1], sigma[1])
    return (ky[:, None] * kx[None, :]).astype(dtype)


@torch_op(name="vision_resized_crop")
def resized_crop(img, wy, wx, clamp):
    """Crop-and-resize as two matrix products: the crop offset lives in the zero columns of
    the interpolation matrices, so every crop of an image shares one compiled kernel."""
    c = _cdt(img.dtype)
    x = img.astype(c)
    hi = jax.lax.Precision.HIGHEST
    x = jnp.moveaxis(jnp.tensordot(x, wy.astype(c), ((x.ndim - 2,), (1,)), precision=hi),
                     -1, x.ndim - 2)
    x = jnp.tensordot(x, wx.astype(c), ((x.ndim - 1,), (1,)), precision=hi)
    if clamp:
        x = jnp.clip(x, 0, 255)
    return _round_back(x, img.dtype)


def resize_matrix(n_in, n_out, offset, n_full, mode, antialias, dtype):
    """The (n_out, n_full) interpolation matrix of a crop [offset, offset + n_in) of n_full."""
    from torchlike._ops import nn_sample as ns

    if antialias:
        m = ns._aa_matrix(n_in, n_out, False, None, dtype, cubic=mode == "bicubic")
    elif mode == "bicubic":
        m = ns._cubic_matrix(n_in, n_out, False, None, dtype)
    else:
        m = ns._linear_matrix(n_in, n_out, False, None, dtype)
    full = np.zeros((n_out, n_full), dtype)
    full[:, offset:offset + n_in] = m
    return full


@torch_op(name="vision_crop")
def crop(img, start, height, width):
    """img[..., top:top + height, left:left + width] with (top, left) = start as data, so
    random crops of one size share a compiled kernel (a static slice compiles per offset)."""
    lead = img.ndim - 2
    zeros = [jnp.zeros((), start.dtype)] * lead
    return jax.lax.dynamic_slice(img, zeros + [start[0], start[1]],
                                 img.shape[:lead] + (height, width))


@torch_op(name="vision_erase")
def erase(img, value, box):
    """img with the box (i, j, h, w) (data, not static) set to value (broadcast over the
    image, or laid out at the box's place), so random erasing compiles once per shape."""
    i, j, h, w = box[0], box[1], box[2], box[3]
    rows = jnp.arange(img.shape[-2])[:, None]
    cols = jnp.arange(img.shape[-1])[None, :]
    inside = (rows >= i) & (rows < i + h) & (cols >= j) & (cols < j + w)
    return jnp.where(inside, jnp.broadcast_to(value.astype(img.dtype), img.shape), img)
