"""torchvision.ops generalized/distance/complete box IoU losses (one fused kernel each)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from torchlike.interop import torch_op


def _float(b):
    return b if b.dtype in (jnp.float32, jnp.float64) else b.astype(jnp.float32)


@torch_op(name="vision_box_iou_loss")
def _loss(b1, b2, kind, reduction, eps):
    b1, b2 = _float(b1), _float(b2)
    x1, y1, x2, y2 = (b1[..., i] for i in range(4))
    x1g, y1g, x2g, y2g = (b2[..., i] for i in range(4))
    xk1, yk1 = jnp.maximum(x1, x1g), jnp.maximum(y1, y1g)
    xk2, yk2 = jnp.minimum(x2, x2g), jnp.minimum(y2, y2g)
    overlap = (yk2 > yk1) & (xk2 > xk1)
    inter = jnp.where(overlap, (xk2 - xk1) * (yk2 - yk1), 0)
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    xc1, yc1 = jnp.minimum(x1, x1g), jnp.minimum(y1, y1g)
    xc2, yc2 = jnp.maximum(x2, x2g), jnp.maximum(y2, y2g)
    if kind == "giou":
        iou = inter / (union + eps)
        area_c = (xc2 - xc1) * (yc2 - yc1)
        loss = 1 - (iou - (area_c - union) / (area_c + eps))
    else:
        # torchvision's complete loss calls the distance part with its default eps
        e = eps if kind == "diou" else 1e-7
        iou = inter / (union + e)
        diag = (xc2 - xc1) ** 2 + (yc2 - yc1) ** 2 + e
        dist = ((x2 + x1) / 2 - (x1g + x2g) / 2) ** 2 + ((y2 + y1) / 2 - (y1g + y2g) / 2) ** 2
        loss = 1 - iou + dist / diag
        if kind == "ciou":
            v = 4 / math.pi ** 2 * (jnp.arctan((x2g - x1g) / (y2g - y1g))
                                    - jnp.arctan((x2 - x1) / (y2 - y1))) ** 2
            alpha = jax.lax.stop_gradient(v / (1 - iou + v + eps))
            loss = loss + alpha * v
    if reduction == "mean":
        return loss.mean() if loss.size > 0 else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported "
                         "reduction modes: 'none', 'mean', 'sum'")


def generalized_box_iou_loss(boxes1, boxes2, reduction: str = "none", eps: float = 1e-7):
    """torchvision.ops.generalized_box_iou_loss (matched box pairs)."""
    _check(reduction)
    return _loss(boxes1, boxes2, "giou", reduction, float(eps))


def distance_box_iou_loss(boxes1, boxes2, reduction: str = "none", eps: float = 1e-7):
    """torchvision.ops.distance_box_iou_loss (matched box pairs)."""
    _check(reduction)
    return _loss(boxes1, boxes2, "diou", reduction, float(eps))


def complete_box_iou_loss(boxes1, boxes2, reduction: str = "none", eps: float = 1e-7):
    """torchvision.ops.complete_box_iou_loss (matched box pairs)."""
    _check(reduction)
    return _loss(boxes1, boxes2, "ciou", reduction, float(eps))
