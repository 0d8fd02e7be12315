"""torchvision.ops box utilities: nms, IoUs, conversions."""

from __future__ import annotations

import numpy as np

import torchlike as torch


def _upcast(t):
    # products of small dtypes overflow: compute areas in float32/int32 at least
    if t.is_floating_point():
        return t if t.dtype in (torch.float32, torch.float64) else t.float()
    return t if t.dtype in (torch.int32, torch.int64) else t.int()


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


def clip_boxes_to_image(boxes, size):
    """torchvision.ops.clip_boxes_to_image: clamp xyxy boxes to an image of size (h, w)."""
    height, width = size
    bx = boxes[..., 0::2].clamp(min=0, max=width)
    by = boxes[..., 1::2].clamp(min=0, max=height)
    return torch.stack((bx, by), dim=boxes.dim()).reshape(boxes.shape)


def _xywh_to_xyxy(b):
    x, y, w, h = b.unbind(-1)
    return torch.stack([x, y, x + w, y + h], dim=-1)


def _cxcywh_to_xyxy(b):
    cx, cy, w, h = b.unbind(-1)
    return torch.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), dim=-1)


def _xyxy_to_xywh(b):
    x1, y1, x2, y2 = b.unbind(-1)
    return torch.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)


def _xyxy_to_cxcywh(b):
    x1, y1, x2, y2 = b.unbind(-1)
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


_TO_XYXY = {"xyxy": lambda b: b, "xywh": _xywh_to_xyxy, "cxcywh": _cxcywh_to_xyxy}
_FROM_XYXY = {"xyxy": lambda b: b, "xywh": _xyxy_to_xywh, "cxcywh": _xyxy_to_cxcywh}
_ROTATED = ("xywhr", "cxcywhr", "xyxyxyxy")


def box_convert(boxes, in_fmt: str, out_fmt: str):
    """torchvision.ops.box_convert between 'xyxy', 'xywh' and 'cxcywh'."""
    allowed = ("xyxy", "xywh", "cxcywh") + _ROTATED
    if in_fmt not in allowed or out_fmt not in allowed:
        raise ValueError("Unsupported Bounding Box Conversions for given in_fmt "
                         f"{in_fmt} and out_fmt {out_fmt}")
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt in _ROTATED or out_fmt in _ROTATED:
        raise NotImplementedError(
            f"box_convert: rotated box formats ({in_fmt} -> {out_fmt}) are not supported by "
            "torchlike.vision")
    return _FROM_XYXY[out_fmt](_TO_XYXY[in_fmt](boxes))


def box_area(boxes, fmt: str = "xyxy"):
    """torchvision.ops.box_area."""
    if fmt not in ("xyxy", "xywh", "cxcywh"):
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}")
    boxes = _upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


def _inter_union(b1, b2, fmt="xyxy"):
    if fmt not in ("xyxy", "xywh", "cxcywh"):
        raise ValueError(f"Unsupported Box IoU Calculation for given fmt {fmt}.")
    a1, a2 = box_area(b1, fmt=fmt), box_area(b2, fmt=fmt)
    if fmt != "xyxy":
        b1, b2 = _TO_XYXY[fmt](b1), _TO_XYXY[fmt](b2)
    lt = torch.max(b1[..., None, :2], b2[..., None, :, :2])
    rb = torch.min(b1[..., None, 2:], b2[..., None, :, 2:])
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter, a1[..., None] + a2[..., None, :] - inter


def box_iou(boxes1, boxes2, fmt: str = "xyxy"):
    """torchvision.ops.box_iou: pairwise IoU, shape (N, M)."""
    if fmt in _ROTATED:
        raise NotImplementedError("box_iou: rotated boxes are not supported by torchlike.vision")
    if fmt not in ("xyxy", "xywh", "cxcywh"):
        raise ValueError(f"Unsupported format '{fmt}'. Supported axis-aligned formats: "
                         "('xyxy', 'xywh', 'cxcywh'). Supported rotated formats: "
                         "('cxcywhr', 'xywhr', 'xyxyxyxy').")
    inter, union = _inter_union(boxes1, boxes2, fmt)
    return inter / union


def _enclosing_wh(b1, b2):
    lti = torch.min(b1[..., None, :2], b2[..., None, :, :2])
    rbi = torch.max(b1[..., None, 2:], b2[..., None, :, 2:])
    return _upcast(rbi - lti).clamp(min=0)


def generalized_box_iou(boxes1, boxes2):
    """torchvision.ops.generalized_box_iou."""
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / union
    whi = _enclosing_wh(boxes1, boxes2)
    area = whi[..., 0] * whi[..., 1]
    return iou - (area - union) / area


def _diou_iou(b1, b2, eps):
    iou = box_iou(b1, b2)
    whi = _enclosing_wh(b1, b2)
    diag = whi[..., 0] ** 2 + whi[..., 1] ** 2 + eps
    xp, yp = (b1[..., 0] + b1[..., 2]) / 2, (b1[..., 1] + b1[..., 3]) / 2
    xg, yg = (b2[..., 0] + b2[..., 2]) / 2, (b2[..., 1] + b2[..., 3]) / 2
    dist = (_upcast(xp[..., None] - xg[..., None, :]) ** 2
            + _upcast(yp[..., None] - yg[..., None, :]) ** 2)
    return iou - dist / diag, iou


def distance_box_iou(boxes1, boxes2, eps: float = 1e-7):
    """torchvision.ops.distance_box_iou."""
    return _diou_iou(_upcast(boxes1), _upcast(boxes2), eps)[0]


def complete_box_iou(boxes1, boxes2, eps: float = 1e-7):
    """torchvision.ops.complete_box_iou."""
    b1, b2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _diou_iou(b1, b2, eps)
    wp, hp = b1[..., None, 2] - b1[..., None, 0], b1[..., None, 3] - b1[..., None, 1]
    wg, hg = b2[..., None, :, 2] - b2[..., None, :, 0], b2[..., None, :, 3] - b2[..., None, :, 1]
    v = 4 / torch.pi ** 2 * torch.pow(torch.atan(wp / hp) - torch.atan(wg / hg), 2)
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def masks_to_boxes(masks):
    """torchvision.ops.masks_to_boxes: the xyxy box around each mask (zeros when empty)."""
    if masks.numel() == 0:
        return torch.zeros((0, 4), dtype=torch.float32)
    _, h, w = masks.shape
    m = masks.bool()
    rows = torch.any(m, dim=2).float()
    cols = torch.any(m, dim=1).float()
    empty = ~torch.any(rows > 0, dim=1)
    y1, x1 = rows.argmax(dim=1), cols.argmax(dim=1)
    y2 = h - 1 - rows.flip(dims=[1]).argmax(dim=1)
    x2 = w - 1 - cols.flip(dims=[1]).argmax(dim=1)
    out = torch.stack([x1, y1, x2, y2], dim=1).float()
    return torch.where(empty[:, None], torch.zeros_like(out), out)
