"""Pieces shared by nn.utils' weight reparametrizations: the weight-norm and spectral-norm
math and the bookkeeping of their forward pre-hooks, used by the hook-based
``weight_norm`` / ``spectral_norm`` and by ``parametrizations``."""

from __future__ import annotations

from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from ..modules.lazy import UninitializedParameter
from ..modules.module import Module
from ..parameter import Parameter


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """torch.norm_except_dim: the norm over every dim but ``dim`` (-1: the whole tensor)."""
    if dim == -1:
        return torch.linalg.vector_norm(v, pow)
    others = [d for d in range(v.dim()) if d != dim]
    return torch.linalg.vector_norm(v, pow, dim=others, keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """torch._weight_norm: v * (g / ||v||) with the norm taken over every dim but ``dim``."""
    return v * (g / norm_except_dim(v, 2, dim))


def unit(x: Tensor, eps: float) -> Tensor:
    """``x / max(||x||, eps)`` for a vector."""
    return F.normalize(x, dim=0, eps=eps)


def as_matrix(weight: Tensor, dim: int) -> Tensor:
    """The matrix spectral norm works on: one row per index of ``dim`` (the output axis)."""
    return weight.movedim(dim, 0).flatten(1)


def output_dim(module: Module) -> int:
    """The weight's output axis: 1 for transposed convolutions, else 0."""
    transposed = (torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d, torch.nn.ConvTranspose3d)
    return 1 if isinstance(module, transposed) else 0


def find_hook(hooks: dict, hook_type: type, name: str):
    """The key in ``hooks`` (one of a module's hook dicts) of the ``hook_type`` hook that
    acts on the tensor called ``name``, or None."""
    for key, hook in hooks.items():
        if isinstance(hook, hook_type) and hook.name == name:
            return key
    return None


class WeightHook:
    """Base of the hook-based reparametrizations: a forward pre-hook that recomputes the
    plain attribute ``module.<name>`` from tensors the module stores as ``<name><suffix>``
    for each suffix in ``stored``."""

    name: str
    stored: tuple[str, ...] = ()
    label = ""  # the user-facing function, for messages
    process = ""  # what it does, for messages

    def _value(self, module: Module, training: bool) -> Tensor:
        raise NotImplementedError

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self._value(module, module.training))

    def remove(self, module: Module) -> None:
        """Replace the stored tensors by a plain ``<name>`` parameter of the current value."""
        with torch.no_grad():
            value = self._value(module, False)
        for suffix in ("", *self.stored):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(value.detach()))

    @classmethod
    def refuse_second(cls, module: Module, name: str) -> None:
        if find_hook(module._forward_pre_hooks, cls, name) is not None:
            raise RuntimeError(
                f"Cannot register two {cls.label} hooks on the same parameter {name}"
            )

    @classmethod
    def refuse_lazy(cls, weight: Any) -> None:
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                f"The module passed to `{cls.__name__}` can't have uninitialized parameters. "
                f"Make sure to run the dummy forward before applying {cls.process}"
            )

    @classmethod
    def detach_from(cls, module: Module, name: str) -> WeightHook:
        """Remove and return ``module``'s hook on ``name`` (torch's ValueError if none)."""
        key = find_hook(module._forward_pre_hooks, cls, name)
        if key is None:
            raise ValueError(f"{cls.label} of '{name}' not found in {module}")
        hook = module._forward_pre_hooks[key]
        hook.remove(module)
        del module._forward_pre_hooks[key]
        return hook
