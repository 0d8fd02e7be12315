"""torchvision.ops roi_align / roi_pool and their modules, in torchlike ops (differentiable)."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

import torchlike as torch
from torchlike.interop import torch_op
from torchlike.nn import Module


def _pair(x):
    return (x, x) if isinstance(x, int) else tuple(x)


def check_roi_boxes_shape(boxes):
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.size(1) != 4:
                raise AssertionError("The shape of the tensor in the boxes list is not correct "
                                     "as List[Tensor[L, 4]]")
    elif isinstance(boxes, torch.Tensor):
        if boxes.size(1) != 5:
            raise AssertionError("The boxes tensor shape is not correct as Tensor[K, 5]")
    else:
        raise AssertionError("boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]]")


def convert_boxes_to_roi_format(boxes):
    """[Tensor[L_i, 4]] per image -> Tensor[K, 5] whose first column is the image index."""
    cat = torch.cat(list(boxes), dim=0)
    ids = torch.cat([torch.full_like(b[:, :1], i) for i, b in enumerate(boxes)], dim=0)
    return torch.cat([ids, cat], dim=1)


def _rois(boxes):
    check_roi_boxes_shape(boxes)
    return boxes if isinstance(boxes, torch.Tensor) else convert_boxes_to_roi_format(boxes)


def _sample(feat_t, y, x, height, width):
    """Bilinear samples of feat_t (K, H, W, C) at y (K, PH, GH) x x (K, PW, GW).

    The rules of torchvision's kernels: a point more than one pixel outside the map reads 0;
    coordinates are clamped to the last row/column otherwise.  -> (K, PH, PW, GH, GW, C)
    """
    yy = y[:, :, None, :, None]
    xx = x[:, None, :, None, :]
    outside = (yy < -1.0) | (yy > height) | (xx < -1.0) | (xx > width)
    y = jnp.maximum(y, 0)
    x = jnp.maximum(x, 0)
    y_low = y.astype(jnp.int32)
    x_low = x.astype(jnp.int32)
    y_top = y_low >= height - 1
    x_top = x_low >= width - 1
    y_high = jnp.where(y_top, height - 1, y_low + 1)
    y_low = jnp.where(y_top, height - 1, y_low)
    y = jnp.where(y_top, y_low.astype(y.dtype), y)
    x_high = jnp.where(x_top, width - 1, x_low + 1)
    x_low = jnp.where(x_top, width - 1, x_low)
    x = jnp.where(x_top, x_low.astype(x.dtype), x)
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    k = jnp.arange(feat_t.shape[0])[:, None, None, None, None]

    def at(yi, xi):
        return feat_t[k, yi[:, :, None, :, None], xi[:, None, :, None, :]]

    def w(a, b):
        return (a[:, :, None, :, None] * b[:, None, :, None, :])[..., None]

    val = (w(hy, hx) * at(y_low, x_low) + w(hy, lx) * at(y_low, x_high)
           + w(ly, hx) * at(y_high, x_low) + w(ly, lx) * at(y_high, x_high))
    return jnp.where(outside[..., None], 0, val)


@torch_op(name="vision_roi_align")
def _roi_align_kernel(input, rois, ph_n, pw_n, scale, ratio, aligned, n_gh, n_gw):
    _, _, height, width = input.shape
    dtype = input.dtype
    rois = rois.astype(dtype)
    off = 0.5 if aligned else 0.0
    sw = rois[:, 1] * scale - off
    sh = rois[:, 2] * scale - off
    rw = rois[:, 3] * scale - off - sw
    rh = rois[:, 4] * scale - off - sh
    if not aligned:
        rw, rh = jnp.maximum(rw, 1.0), jnp.maximum(rh, 1.0)
    bh, bw = rh / ph_n, rw / pw_n
    if ratio > 0:
        gh = jnp.full_like(bh, ratio)
        gw = jnp.full_like(bw, ratio)
    else:
        gh, gw = jnp.ceil(rh / ph_n), jnp.ceil(rw / pw_n)
    iy = jnp.arange(n_gh, dtype=dtype)
    ix = jnp.arange(n_gw, dtype=dtype)
    y = (sh[:, None, None] + jnp.arange(ph_n, dtype=dtype)[None, :, None] * bh[:, None, None]
         + (iy[None, None, :] + 0.5) * (bh / gh)[:, None, None])
    x = (sw[:, None, None] + jnp.arange(pw_n, dtype=dtype)[None, :, None] * bw[:, None, None]
         + (ix[None, None, :] + 0.5) * (bw / gw)[:, None, None])
    feat_t = jnp.transpose(input[rois[:, 0].astype(jnp.int32)], (0, 2, 3, 1))
    val = _sample(feat_t, y, x, height, width)
    # the adaptive grid differs per roi: samples past a roi's own grid count for nothing
    ok = ((iy[None, :] < gh[:, None])[:, None, None, :, None]
          & (ix[None, :] < gw[:, None])[:, None, None, None, :])
    out = jnp.where(ok[..., None], val, 0).sum((3, 4))
    out = out / jnp.maximum(gh * gw, 1)[:, None, None, None]
    return jnp.transpose(out, (0, 3, 1, 2))


def roi_align(input, boxes, output_size, spatial_scale: float = 1.0, sampling_ratio: int = -1,
              aligned: bool = False):
    """torchvision.ops.roi_align: average of bilinear samples in each output bin."""
    rois = _rois(boxes)
    ph_n, pw_n = _pair(output_size)
    if sampling_ratio > 0:
        n_gh = n_gw = int(sampling_ratio)
    else:
        # the sampling grid's size is data-dependent: read the rois once to size it
        r = rois.detach().numpy().astype(np.float64) * spatial_scale
        rh, rw = r[:, 4] - r[:, 2], r[:, 3] - r[:, 1]
        if not aligned:
            rh, rw = np.maximum(rh, 1.0), np.maximum(rw, 1.0)
        # one spare sample per axis absorbs float32-vs-float64 rounding of the ceil;
        # the kernel masks samples beyond each roi's own grid
        n_gh = max(int(np.ceil(rh / ph_n).max(initial=1)) + 1, 1)
        n_gw = max(int(np.ceil(rw / pw_n).max(initial=1)) + 1, 1)
    return _roi_align_kernel(input, rois, ph_n, pw_n, float(spatial_scale), int(sampling_ratio),
                             bool(aligned), n_gh, n_gw)


@torch_op(name="vision_roi_pool")
def _roi_pool_kernel(input, rois, rmask, cmask):
    feat = input[rois[:, 0].astype(jnp.int32)]
    neg = jnp.array(-jnp.inf, input.dtype)
    a = jnp.where(rmask[:, None, :, :, None], feat[:, :, None, :, :], neg).max(3)
    b = jnp.where(cmask[:, None, None, :, :], a[:, :, :, None, :], neg).max(-1)
    empty = ~(rmask.any(-1)[:, :, None] & cmask.any(-1)[:, None, :])
    return jnp.where(empty[:, None], 0, b)


def _round_half_away(v):
    # std::round
    return math.floor(abs(v) + 0.5) * (1 if v >= 0 else -1)


def _bin_masks(n, size, start, limit):
    idx = np.arange(limit)
    out = np.zeros((n, limit), dtype=bool)
    for p in range(n):
        lo = min(max(math.floor(p * size) + start, 0), limit)
        hi = min(max(math.ceil((p + 1) * size) + start, 0), limit)
        out[p] = (idx >= lo) & (idx < hi)
    return out


def roi_pool(input, boxes, output_size, spatial_scale: float = 1.0):
    """torchvision.ops.roi_pool: max over the integer-rounded bins of each roi (0 if empty)."""
    rois = _rois(boxes)
    ph_n, pw_n = _pair(output_size)
    _, _, height, width = input.shape
    r = rois.detach().numpy().astype(np.float64)
    rmask = np.zeros((r.shape[0], ph_n, height), dtype=bool)
    cmask = np.zeros((r.shape[0], pw_n, width), dtype=bool)
    for k in range(r.shape[0]):
        x0, y0, x1, y1 = (_round_half_away(v * spatial_scale) for v in r[k, 1:])
        rmask[k] = _bin_masks(ph_n, max(y1 - y0 + 1, 1) / ph_n, y0, height)
        cmask[k] = _bin_masks(pw_n, max(x1 - x0 + 1, 1) / pw_n, x0, width)
    return _roi_pool_kernel(input, rois, rmask, cmask)


class RoIAlign(Module):
    """torchvision.ops.RoIAlign."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int,
                 aligned: bool = False):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input, rois):
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio,
                         self.aligned)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(output_size={self.output_size}, spatial_scale="
                f"{self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
                f"aligned={self.aligned})")


class RoIPool(Module):
    """torchvision.ops.RoIPool."""

    def __init__(self, output_size, spatial_scale: float):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input, rois):
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale})")
