"""torchvision.transforms (v1): image transforms on PIL images and tensors.

`transforms.v2` is not provided (see docs/vision.md).
"""

from . import functional  # noqa: F401
from .transforms import *  # noqa: F401,F403
from .transforms import __all__  # noqa: F401
