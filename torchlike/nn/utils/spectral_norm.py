"""torch.nn.utils.spectral_norm: ``weight / sigma(weight)``, sigma estimated by power
iteration in a forward pre-hook.

The module keeps ``<name>_orig`` (a parameter) and the singular-vector estimates
``<name>_u`` / ``<name>_v`` (buffers); the hook writes the plain attribute ``<name>``.  Two
state_dict hooks record and read a format version, so checkpoints of the version-0 layout
(which stored ``<name>`` and no ``<name>_v``) still load.
"""

from __future__ import annotations

from typing import TypeVar

import torchlike as torch

from ..._core.tensor import Tensor
from ..modules.module import Module
from ._reparam import WeightHook, as_matrix, find_hook, output_dim, unit

__all__ = [
    "SpectralNorm",
    "SpectralNormLoadStateDictPreHook",
    "SpectralNormStateDictHook",
    "spectral_norm",
    "remove_spectral_norm",
]

_STORED = ("_orig", "_u", "_v")  # suffixes of what the module holds instead of <name>


class SpectralNorm(WeightHook):
    """torch.nn.utils.spectral_norm's forward pre-hook."""

    _version: int = 1
    name: str
    dim: int
    n_power_iterations: int
    eps: float
    stored = _STORED
    label, process = "spectral_norm", "spectral normalization"

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.name, self.dim = name, dim
        self.n_power_iterations, self.eps = n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """``weight`` as a (size(dim), -1) matrix."""
        return as_matrix(weight, self.dim)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """The normalized weight; advances u and v in place first if asked."""
        weight, u, v = (getattr(module, self.name + s) for s in _STORED)
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with torch.no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(unit(torch.mv(mat.t(), u), self.eps))
                    u.copy_(unit(torch.mv(mat, v), self.eps))
            # the buffers move on at the next call; sigma's graph must keep these values
            u, v = u.clone(), v.clone()
        return weight / torch.dot(u, torch.mv(mat, v))

    def _value(self, module: Module, training: bool) -> Tensor:
        return self.compute_weight(module, do_power_iteration=training)

    def _solve_v_and_rescale(self, weight_mat, u, target_sigma):
        # the v with W v along u (least squares), scaled so that u . W v == target_sigma
        wt = weight_mat.t()
        v = (wt.mm(weight_mat).pinverse() @ (wt @ u.unsqueeze(1))).squeeze(1)
        scale = target_sigma / torch.dot(u, torch.mv(weight_mat, v))
        return v.mul_(scale)

    @staticmethod
    def apply(
        module: Module, name: str, n_power_iterations: int, dim: int, eps: float
    ) -> SpectralNorm:
        """Move ``module.<name>`` to ``<name>_orig``, draw u and v, register the hooks."""
        SpectralNorm.refuse_second(module, name)
        hook = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        SpectralNorm.refuse_lazy(weight)
        with torch.no_grad():
            rows, cols = hook.reshape_weight_to_matrix(weight).shape
            u, v = (unit(weight.new_empty(n).normal_(0, 1), eps) for n in (rows, cols))
        delattr(module, name)
        module.register_parameter(f"{name}_orig", weight)
        setattr(module, name, weight.data)
        module.register_buffer(f"{name}_u", u)
        module.register_buffer(f"{name}_v", v)
        module.register_forward_pre_hook(hook)
        module._register_state_dict_hook(SpectralNormStateDictHook(hook))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(hook))
        return hook


class _StateDictHookBase:
    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    @property
    def name(self) -> str:
        return self.fn.name


class SpectralNormLoadStateDictPreHook(_StateDictHookBase):
    """Upgrades a version-0 spectral_norm checkpoint (``<name>`` stored, no ``<name>_v``)."""

    def __call__(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ) -> None:
        version = local_metadata.get("spectral_norm", {}).get(f"{self.name}.version")
        if version is not None and version >= 1:
            return
        key = prefix + self.name
        if version is None and key not in state_dict and all(
            key + s in state_dict for s in _STORED
        ):
            return  # the current layout, saved without metadata
        absent = [key + s for s in ("_orig", "", "_u") if key + s not in state_dict]
        if absent:
            if strict:
                missing_keys.extend(absent)
            return
        with torch.no_grad():
            weight_orig = state_dict[key + "_orig"]
            sigma = (weight_orig / state_dict.pop(key)).mean()
            state_dict[key + "_v"] = self.fn._solve_v_and_rescale(
                self.fn.reshape_weight_to_matrix(weight_orig), state_dict[key + "_u"], sigma
            )


class SpectralNormStateDictHook(_StateDictHookBase):
    """Records the spectral_norm format version in the state_dict's metadata."""

    def __call__(self, module, state_dict, prefix, local_metadata) -> None:
        versions = local_metadata.setdefault("spectral_norm", {})
        key = f"{self.name}.version"
        if key in versions:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        versions[key] = self.fn._version


T_module = TypeVar("T_module", bound=Module)


def spectral_norm(
    module: T_module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> T_module:
    """torch.nn.utils.spectral_norm (u, v start from torchlike's random stream)."""
    SpectralNorm.apply(module, name, n_power_iterations,
                       output_dim(module) if dim is None else dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """torch.nn.utils.remove_spectral_norm."""
    SpectralNorm.detach_from(module, name)
    for hooks, kind in ((module._state_dict_hooks, SpectralNormStateDictHook),
                        (module._load_state_dict_pre_hooks, SpectralNormLoadStateDictPreHook)):
        key = find_hook(hooks, kind, name)
        if key is not None:
            del hooks[key]
    return module
