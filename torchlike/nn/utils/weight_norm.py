"""torch.nn.utils.weight_norm: ``w = g * v / ||v||`` recomputed before every forward.

The module's ``<name>`` parameter becomes two, ``<name>_g`` (the norms) and ``<name>_v``
(the direction), and a forward pre-hook (a WeightNorm) writes the plain attribute
``<name>`` from them.  torch deprecates this in favour of parametrizations.weight_norm.
"""

from __future__ import annotations

import warnings
from typing import TypeVar

from ..._core.tensor import Tensor
from ..modules.module import Module
from ..parameter import Parameter
from ._reparam import WeightHook, _weight_norm, norm_except_dim

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


class WeightNorm(WeightHook):
    """torch.nn.utils.weight_norm's forward pre-hook."""

    name: str
    dim: int
    stored = ("_g", "_v")
    label, process = "weight_norm", "weight normalization"

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim  # None: one norm over the whole tensor

    def compute_weight(self, module: Module) -> Tensor:
        """g * v / ||v|| from the module's ``<name>_g`` and ``<name>_v``."""
        g, v = (getattr(module, self.name + s) for s in self.stored)
        return _weight_norm(v, g, dim=self.dim)

    def _value(self, module: Module, training: bool) -> Tensor:
        return self.compute_weight(module)

    @staticmethod
    def apply(module, name: str, dim: int) -> WeightNorm:
        """Split ``module.<name>`` into ``<name>_g`` and ``<name>_v`` and add the hook."""
        warnings.warn(
            "`torch.nn.utils.weight_norm` is deprecated in favor of "
            "`torch.nn.utils.parametrizations.weight_norm`.",
            FutureWarning,
            stacklevel=3,
        )
        WeightNorm.refuse_second(module, name)
        hook = WeightNorm(name, dim)
        weight = getattr(module, name)
        WeightNorm.refuse_lazy(weight)
        del module._parameters[name]
        module.register_parameter(f"{name}_g", Parameter(norm_except_dim(weight, 2, hook.dim).data))
        module.register_parameter(f"{name}_v", Parameter(weight.data))
        hook(module, ())
        module.register_forward_pre_hook(hook)
        return hook


T_module = TypeVar("T_module", bound=Module)


def weight_norm(module: T_module, name: str = "weight", dim: int = 0) -> T_module:
    """torch.nn.utils.weight_norm (deprecated in torch for parametrizations.weight_norm)."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """torch.nn.utils.remove_weight_norm."""
    WeightNorm.detach_from(module, name)
    return module
