"""torchlike.vision.models: torchvision.models' classification builders, weights enums and
registry (torchvision 0.28 names, arguments and state_dict keys)."""

from . import (
    densenet,
    efficientnet,
    mobilenet,
    mobilenetv2,
    mobilenetv3,
    resnet,
    squeezenet,
    vgg,
    vision_transformer,
)
from ._api import (
    Weights,
    WeightsEnum,
    get_model,
    get_model_builder,
    get_model_weights,
    get_weight,
    list_models,
)
from .alexnet import *  # noqa: F403  (as in torchvision, the name alexnet is the builder)
from .densenet import *  # noqa: F403
from .efficientnet import *  # noqa: F403
from .mobilenet import *  # noqa: F403
from .resnet import *  # noqa: F403
from .squeezenet import *  # noqa: F403
from .vgg import *  # noqa: F403
from .vision_transformer import *  # noqa: F403

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models", "densenet", "efficientnet", "mobilenet", "mobilenetv2",
           "mobilenetv3", "resnet", "squeezenet", "vgg", "vision_transformer",
           "AlexNet", "AlexNet_Weights", "alexnet",  # noqa: F405
           *densenet.__all__, *efficientnet.__all__, *mobilenet.__all__, *resnet.__all__,
           *squeezenet.__all__, *vgg.__all__, *vision_transformer.__all__]
