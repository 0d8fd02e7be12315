"""torchvision.ops roi_align / roi_pool and their modules, in torchlike ops (differentiable)."""

from __future__ import annotations

import math

import torchlike as torch
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


def _bilinear(feat, y, x, height, width):
    """Sample feat (K, C, H, W) at y (K, PH, GH) x x (K, PW, GW): (K, C, PH, PW, GH, GW).

    The rules of torchvision's kernels: a point more than one pixel outside the map reads 0;
    coordinates are clamped to the last row/column otherwise.
    """
    yy = y[:, :, None, :, None]
    xx = x[:, None, :, None, :]
    outside = (yy < -1.0) | (yy > height) | (xx < -1.0) | (xx > width)
    y = y.clamp(min=0)
    x = x.clamp(min=0)
    y_low = y.to(torch.int64)
    x_low = x.to(torch.int64)
    y_top = y_low >= height - 1
    x_top = x_low >= width - 1
    y_high = torch.where(y_top, height - 1, y_low + 1)
    y_low = torch.where(y_top, height - 1, y_low)
    y = torch.where(y_top, y_low.to(y.dtype), y)
    x_high = torch.where(x_top, width - 1, x_low + 1)
    x_low = torch.where(x_top, width - 1, x_low)
    x = torch.where(x_top, x_low.to(x.dtype), x)
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    k = torch.arange(feat.shape[0])[:, None, None, None, None]

    def at(yi, xi):
        # (K, PH, PW, GH, GW, C) -> (K, C, PH, PW, GH, GW)
        v = feat.permute(0, 2, 3, 1)[k, yi[:, :, None, :, None], xi[:, None, :, None, :]]
        return v.permute(0, 5, 1, 2, 3, 4)

    def w(a, b):
        return (a[:, :, None, :, None] * b[:, None, :, None, :])[:, None]

    val = (w(hy, hx) * at(y_low, x_low) + w(hy, lx) * at(y_low, x_high)
           + w(ly, hx) * at(y_high, x_low) + w(ly, lx) * at(y_high, x_high))
    return torch.where(outside[:, None], torch.zeros_like(val), val)


def roi_align(input, boxes, output_size, spatial_scale: float = 1.0, sampling_ratio: int = -1,
              aligned: bool = False):
    """torchvision.ops.roi_align: average of bilinear samples in each output bin."""
    rois = _rois(boxes)
    ph_n, pw_n = _pair(output_size)
    _, _, height, width = input.shape
    dtype = input.dtype
    rois = rois.to(dtype)
    off = 0.5 if aligned else 0.0
    sw = rois[:, 1] * spatial_scale - off
    sh = rois[:, 2] * spatial_scale - off
    rw = rois[:, 3] * spatial_scale - off - sw
    rh = rois[:, 4] * spatial_scale - off - sh
    if not aligned:
        rw, rh = rw.clamp(min=1.0), rh.clamp(min=1.0)
    bh, bw = rh / ph_n, rw / pw_n
    if sampling_ratio > 0:
        gh = torch.full_like(bh, float(sampling_ratio))
        gw = torch.full_like(bw, float(sampling_ratio))
        n_gh = n_gw = sampling_ratio
    else:
        gh, gw = torch.ceil(rh / ph_n), torch.ceil(rw / pw_n)
        # the adaptive grid differs per roi: sample on the largest and mask the rest
        n_gh = max(int(gh.max()), 1) if rois.shape[0] else 1
        n_gw = max(int(gw.max()), 1) if rois.shape[0] else 1
    iy = torch.arange(n_gh, dtype=dtype)
    ix = torch.arange(n_gw, dtype=dtype)
    ph = torch.arange(ph_n, dtype=dtype)
    pw = torch.arange(pw_n, dtype=dtype)
    y = sh[:, None, None] + ph[None, :, None] * bh[:, None, None] + \
        (iy[None, None, :] + 0.5) * (bh / gh)[:, None, None]
    x = sw[:, None, None] + pw[None, :, None] * bw[:, None, None] + \
        (ix[None, None, :] + 0.5) * (bw / gw)[:, None, None]
    feat = input[rois[:, 0].to(torch.int64)]
    val = _bilinear(feat, y, x, height, width)
    mask = ((iy[None, :] < gh[:, None])[:, None, None, None, :, None]
            & (ix[None, :] < gw[:, None])[:, None, None, None, None, :])
    val = torch.where(mask, val, torch.zeros_like(val))
    count = (gh * gw).clamp(min=1)
    return val.sum((-1, -2)) / count[:, None, None, None]


def roi_pool(input, boxes, output_size, spatial_scale: float = 1.0):
    """torchvision.ops.roi_pool: max over the integer-rounded bins of each roi (0 if empty)."""
    rois = _rois(boxes)
    ph_n, pw_n = _pair(output_size)
    _, _, height, width = input.shape
    r = rois.detach().numpy().astype("float64")
    # box corners round half away from zero, as std::round does
    def rnd(v):
        return math.floor(abs(v) + 0.5) * (1 if v >= 0 else -1)

    rows, cols = [], []
    for k in range(r.shape[0]):
        x0, y0 = rnd(r[k, 1] * spatial_scale), rnd(r[k, 2] * spatial_scale)
        x1, y1 = rnd(r[k, 3] * spatial_scale), rnd(r[k, 4] * spatial_scale)
        rh, rw = max(y1 - y0 + 1, 1), max(x1 - x0 + 1, 1)
        rows.append(_bin_masks(ph_n, rh / ph_n, y0, height))
        cols.append(_bin_masks(pw_n, rw / pw_n, x0, width))
    rmask = torch.tensor(rows, dtype=torch.bool).reshape(-1, ph_n, height)
    cmask = torch.tensor(cols, dtype=torch.bool).reshape(-1, pw_n, width)
    feat = input[rois[:, 0].to(torch.int64)]
    neg = torch.tensor(float("-inf"), dtype=input.dtype)
    a = torch.where(rmask[:, None, :, :, None], feat[:, :, None, :, :], neg).amax(3)
    b = torch.where(cmask[:, None, None, :, :], a[:, :, :, None, :], neg).amax(-1)
    empty = ~(rmask.any(-1)[:, :, None] & cmask.any(-1)[:, None, :])
    return torch.where(empty[:, None], torch.zeros_like(b), b)


def _bin_masks(n, size, start, limit):
    out = []
    for p in range(n):
        lo = min(max(math.floor(p * size) + start, 0), limit)
        hi = min(max(math.ceil((p + 1) * size) + start, 0), limit)
        out.append([lo <= i < hi for i in range(limit)])
    return out


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
