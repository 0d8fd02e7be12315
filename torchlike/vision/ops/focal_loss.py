"""torchvision.ops.sigmoid_focal_loss (one fused, differentiable kernel)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from torchlike.interop import torch_op


@torch_op(name="vision_sigmoid_focal_loss")
def _focal(inputs, targets, alpha, gamma, reduction):
    p = jax.nn.sigmoid(inputs)
    # binary_cross_entropy_with_logits, in its overflow-safe form
    ce = jnp.maximum(inputs, 0) - inputs * targets + jnp.log1p(jnp.exp(-jnp.abs(inputs)))
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def sigmoid_focal_loss(inputs, targets, alpha: float = 0.25, gamma: float = 2,
                       reduction: str = "none"):
    """torchvision.ops.sigmoid_focal_loss (RetinaNet's loss)."""
    if not 0 <= alpha <= 1 and alpha != -1:
        raise ValueError(
            f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] or -1 for ignore.")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported "
                         "reduction modes: 'none', 'mean', 'sum'")
    return _focal(inputs, targets, float(alpha), float(gamma), reduction)
