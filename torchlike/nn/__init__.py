"""torch.nn: Module, Parameter, the layer classes, functional, init and utils."""

from . import (
    functional,
    init,
    parallel,
    utils,  # noqa: E402
)
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .modules.lazy import UninitializedBuffer, UninitializedParameter
from .modules.module import Buffer
from .parallel import DataParallel
from .parameter import Parameter

__all__ = [
    "Buffer",
    "DataParallel",
    "Parameter",
    "UninitializedBuffer",
    "UninitializedParameter",
    "functional",
    "init",
    "parallel",
    "utils",
    *_modules_all,
]
