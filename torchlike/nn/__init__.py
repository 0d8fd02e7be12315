"""torch.nn: Module, Parameter, the layer classes, functional, init and utils."""

from . import (
    functional,
    init,
    utils,  # noqa: E402
)
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .modules.lazy import UninitializedBuffer, UninitializedParameter
from .modules.module import Buffer
from .parameter import Parameter

__all__ = [
    "Buffer",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "functional",
    "init",
    "utils",
    *_modules_all,
]
