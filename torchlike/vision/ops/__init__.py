"""torchvision.ops: box utilities, nms, RoI align/pool, focal loss."""

from .boxes import (
    batched_nms,
    box_area,
    box_convert,
    box_iou,
    clip_boxes_to_image,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
    masks_to_boxes,
    nms,
    remove_small_boxes,
)
from .focal_loss import sigmoid_focal_loss
from .losses import complete_box_iou_loss, distance_box_iou_loss, generalized_box_iou_loss
from .misc import FrozenBatchNorm2d, Permute
from .roi import RoIAlign, RoIPool, roi_align, roi_pool

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "complete_box_iou", "distance_box_iou", "generalized_box_iou", "masks_to_boxes",
           "nms", "remove_small_boxes", "sigmoid_focal_loss", "RoIAlign", "RoIPool",
           "roi_align", "roi_pool", "generalized_box_iou_loss", "distance_box_iou_loss",
           "complete_box_iou_loss", "FrozenBatchNorm2d", "Permute", "Conv2dNormActivation",
           "SqueezeExcitation", "MLP", "stochastic_depth", "StochasticDepth"]

# building blocks that live with the models (imported on first use: models imports torchlike
# nn layers only, but loading it eagerly here would make every `import torchlike.vision` pay)
_FROM_MODELS = ("Conv2dNormActivation", "SqueezeExcitation", "MLP", "stochastic_depth",
                "StochasticDepth")


def __getattr__(name):
    if name in _FROM_MODELS:
        import importlib

        return getattr(importlib.import_module("torchlike.vision.models._layers"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
