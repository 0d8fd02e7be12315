"""torchvision.ops box utilities: nms, IoUs, conversions."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

import torchlike as torch
from torchlike.interop import torch_op


def _nms_numpy(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    # greedy suppression in score order, the same arithmetic as torchvision's CPU kernel
    # (areas without +1, overlap strictly greater than the threshold suppresses)
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = (boxes[:, i] for i in range(4))
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    for a, i in enumerate(order):
        if suppressed[a]:
            continue
        keep.append(i)
        rest = order[a + 1:]
        xx1 = np.maximum(x1[i], x1[rest])
        yy1 = np.maximum(y1[i], y1[rest])
        xx2 = np.minimum(x2[i], x2[rest])
        yy2 = np.minimum(y2[i], y2[rest])
        zero = boxes.dtype.type(0)
        inter = np.maximum(zero, xx2 - xx1) * np.maximum(zero, yy2 - yy1)
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = inter / (areas[i] + areas[rest] - inter)
        suppressed[a + 1:] |= iou > iou_threshold
    return np.asarray(keep, dtype=np.int64)


def nms(boxes, scores, iou_threshold: float):
    """torchvision.ops.nms: indices of the kept boxes, by decreasing score.

    Runs eagerly on the host (a greedy loop over the sorted boxes); ties in score keep the
    lower index first.
    """
    if boxes.dim() != 2 or boxes.size(1) != 4:
        raise RuntimeError(
            f"boxes should be a 2d tensor of shape [N, 4], got {boxes.dim()}D tensor")
    if scores.dim() != 1:
        raise RuntimeError(f"scores should be a 1d tensor, got {scores.dim()}D tensor")
    if boxes.size(0) != scores.size(0):
        raise RuntimeError("boxes and scores should have same number of elements in dimension 0, "
                           f"got {boxes.size(0)} and {scores.size(0)}")
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    b = boxes.detach().numpy()
    s = scores.detach().numpy()
    return torch.from_numpy(_nms_numpy(b, s, float(iou_threshold)))


def batched_nms(boxes, scores, idxs, iou_threshold: float):
    """torchvision.ops.batched_nms: nms within each category of `idxs`."""
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    if boxes.numel() > 4000:
        # per-class loops keep the pairwise IoU work small on big inputs
        b, s, c = boxes.detach().numpy(), scores.detach().numpy(), idxs.detach().numpy()
        keep = np.zeros(len(s), dtype=bool)
        for cls in np.unique(c):
            where = np.nonzero(c == cls)[0]
            keep[where[_nms_numpy(b[where], s[where], float(iou_threshold))]] = True
        kept = np.nonzero(keep)[0]
        kept = kept[np.argsort(-s[kept], kind="stable")]
        return torch.from_numpy(kept.astype(np.int64))
    # shift each category's boxes apart so that boxes of different categories never overlap
    offsets = idxs.to(boxes.dtype) * (boxes.max() + torch.tensor(1).to(boxes.dtype))
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def remove_small_boxes(boxes, min_size: float):
    """torchvision.ops.remove_small_boxes: indices of boxes with both sides >= min_size."""
    ws, hs = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    return torch.where((ws >= min_size) & (hs >= min_size))[0]


# ---- fused kernels (one compiled kernel per call form, differentiable) ----

def _up(t):
    # products of small dtypes overflow: compute areas in float32/int32 at least
    if jnp.issubdtype(t.dtype, jnp.floating):
        return t if t.dtype in (jnp.float32, jnp.float64) else t.astype(jnp.float32)
    return t if t.dtype in (jnp.int32, jnp.int64) else t.astype(jnp.int32)


def _div(a, b):
    # torch's true division: integer operands give the default float dtype (float32)
    if not jnp.issubdtype(a.dtype, jnp.floating):
        a, b = a.astype(jnp.float32), b.astype(jnp.float32)
    return a / b


def _floaty(b):
    # centre formats halve coordinates: integer boxes give torch's default float32
    return b if jnp.issubdtype(b.dtype, jnp.floating) else b.astype(jnp.float32)


def _to_xyxy(b, fmt):
    if fmt == "xyxy":
        return b
    if fmt == "cxcywh":
        b = _floaty(b)
    x, y, w, h = (b[..., i] for i in range(4))
    if fmt == "xywh":
        return jnp.stack([x, y, x + w, y + h], -1)
    return jnp.stack([x - 0.5 * w, y - 0.5 * h, x + 0.5 * w, y + 0.5 * h], -1)


def _from_xyxy(b, fmt):
    if fmt == "xyxy":
        return b
    if fmt == "cxcywh":
        b = _floaty(b)
    x1, y1, x2, y2 = (b[..., i] for i in range(4))
    if fmt == "xywh":
        return jnp.stack([x1, y1, x2 - x1, y2 - y1], -1)
    return jnp.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], -1)


def _area(b, fmt):
    b = _up(b)
    if fmt == "xyxy":
        return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return b[..., 2] * b[..., 3]


@torch_op(name="vision_box_convert")
def _convert_k(boxes, in_fmt, out_fmt):
    return _from_xyxy(_to_xyxy(boxes, in_fmt), out_fmt)


@torch_op(name="vision_box_area")
def _area_k(boxes, fmt):
    return _area(boxes, fmt)


def _inter_union(b1, b2, fmt):
    a1, a2 = _area(b1, fmt), _area(b2, fmt)
    b1, b2 = _to_xyxy(b1, fmt), _to_xyxy(b2, fmt)
    lt = jnp.maximum(b1[..., None, :2], b2[..., None, :, :2])
    rb = jnp.minimum(b1[..., None, 2:], b2[..., None, :, 2:])
    wh = jnp.maximum(_up(rb - lt), 0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, a1[..., None] + a2[..., None, :] - inter


def _enclosing(b1, b2):
    lti = jnp.minimum(b1[..., None, :2], b2[..., None, :, :2])
    rbi = jnp.maximum(b1[..., None, 2:], b2[..., None, :, 2:])
    return jnp.maximum(_up(rbi - lti), 0)


@torch_op(name="vision_box_iou")
def _iou_k(b1, b2, fmt, kind, eps):
    if kind != "iou":
        b1, b2 = _up(b1), _up(b2)
    inter, union = _inter_union(b1, b2, fmt)
    iou = _div(inter, union)
    if kind == "iou":
        return iou
    whi = _enclosing(b1, b2)
    if kind == "giou":
        area = whi[..., 0] * whi[..., 1]
        return iou - _div(area - union, area)
    diag = whi[..., 0] ** 2 + whi[..., 1] ** 2 + eps
    xp, yp = (b1[..., 0] + b1[..., 2]) / 2, (b1[..., 1] + b1[..., 3]) / 2
    xg, yg = (b2[..., 0] + b2[..., 2]) / 2, (b2[..., 1] + b2[..., 3]) / 2
    dist = (_up(xp[..., None] - xg[..., None, :]) ** 2
            + _up(yp[..., None] - yg[..., None, :]) ** 2)
    diou = iou - dist / diag
    if kind == "diou":
        return diou
    wp, hp = b1[..., None, 2] - b1[..., None, 0], b1[..., None, 3] - b1[..., None, 1]
    wg, hg = b2[..., None, :, 2] - b2[..., None, :, 0], b2[..., None, :, 3] - b2[..., None, :, 1]
    v = 4 / math.pi ** 2 * (jnp.arctan(wp / hp) - jnp.arctan(wg / hg)) ** 2
    # torchvision computes alpha under no_grad
    alpha = jax.lax.stop_gradient(v / (1 - iou + v + eps))
    return diou - alpha * v


@torch_op(name="vision_clip_boxes")
def _clip_k(boxes, height, width):
    bx = jnp.clip(boxes[..., 0::2], 0, width)
    by = jnp.clip(boxes[..., 1::2], 0, height)
    return jnp.stack((bx, by), axis=boxes.ndim).reshape(boxes.shape)


def clip_boxes_to_image(boxes, size):
    """torchvision.ops.clip_boxes_to_image: clamp xyxy boxes to an image of size (h, w)."""
    height, width = size
    return _clip_k(boxes, int(height), int(width))


_ROTATED = ("xywhr", "cxcywhr", "xyxyxyxy")
_AXIS = ("xyxy", "xywh", "cxcywh")


def box_convert(boxes, in_fmt: str, out_fmt: str):
    """torchvision.ops.box_convert between 'xyxy', 'xywh' and 'cxcywh'."""
    allowed = _AXIS + _ROTATED
    if in_fmt not in allowed or out_fmt not in allowed:
        raise ValueError("Unsupported Bounding Box Conversions for given in_fmt "
                         f"{in_fmt} and out_fmt {out_fmt}")
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt in _ROTATED or out_fmt in _ROTATED:
        raise NotImplementedError(
            f"box_convert: rotated box formats ({in_fmt} -> {out_fmt}) are not supported by "
            "torchlike.vision")
    return _convert_k(boxes, in_fmt, out_fmt)


def box_area(boxes, fmt: str = "xyxy"):
    """torchvision.ops.box_area."""
    if fmt not in _AXIS:
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}")
    return _area_k(boxes, fmt)


def box_iou(boxes1, boxes2, fmt: str = "xyxy"):
    """torchvision.ops.box_iou: pairwise IoU, shape (N, M)."""
    if fmt in _ROTATED:
        raise NotImplementedError("box_iou: rotated boxes are not supported by torchlike.vision")
    if fmt not in _AXIS:
        raise ValueError(f"Unsupported format '{fmt}'. Supported axis-aligned formats: "
                         "('xyxy', 'xywh', 'cxcywh'). Supported rotated formats: "
                         "('cxcywhr', 'xywhr', 'xyxyxyxy').")
    return _iou_k(boxes1, boxes2, fmt, "iou", 0.0)


def generalized_box_iou(boxes1, boxes2):
    """torchvision.ops.generalized_box_iou."""
    return _iou_k(boxes1, boxes2, "xyxy", "giou", 0.0)


def distance_box_iou(boxes1, boxes2, eps: float = 1e-7):
    """torchvision.ops.distance_box_iou."""
    return _iou_k(boxes1, boxes2, "xyxy", "diou", float(eps))


def complete_box_iou(boxes1, boxes2, eps: float = 1e-7):
    """torchvision.ops.complete_box_iou."""
    return _iou_k(boxes1, boxes2, "xyxy", "ciou", float(eps))


@torch_op(name="vision_masks_to_boxes")
def _masks_k(masks):
    _, h, w = masks.shape
    m = masks.astype(bool)
    rows = jnp.any(m, axis=2)
    cols = jnp.any(m, axis=1)
    empty = ~jnp.any(rows, axis=1)
    y1, x1 = jnp.argmax(rows, axis=1), jnp.argmax(cols, axis=1)
    y2 = h - 1 - jnp.argmax(rows[:, ::-1], axis=1)
    x2 = w - 1 - jnp.argmax(cols[:, ::-1], axis=1)
    out = jnp.stack([x1, y1, x2, y2], axis=1).astype(jnp.float32)
    return jnp.where(empty[:, None], 0, out)


def masks_to_boxes(masks):
    """torchvision.ops.masks_to_boxes: the xyxy box around each mask (zeros when empty)."""
    if masks.numel() == 0:
        return torch.zeros((0, 4), dtype=torch.float32)
    return _masks_k(masks)
