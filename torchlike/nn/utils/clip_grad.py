"""torch.nn.utils.clip_grad: clip_grad_norm_, clip_grad_value_, get_total_norm,
clip_grads_with_norm_.

torch groups tensors by device and dtype to use its ``_foreach`` kernels; here every
tensor is handled in one pass, so ``foreach`` is accepted and has no effect.
"""

from __future__ import annotations

import functools
import types
import warnings
from collections.abc import Iterable

import torchlike as torch

from ..._core.grad_mode import no_grad
from ..._core.tensor import Tensor

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
]

_Tensors = Tensor | Iterable[Tensor]

# added to the total norm so an all-zero gradient does not divide by zero
_NORM_EPS = 1e-6


def _listed(tensors: _Tensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _present_grads(parameters: Iterable[Tensor]) -> list[Tensor]:
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def get_total_norm(
    tensors: _Tensors,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """torch.nn.utils.get_total_norm: the p-norm of the tensors' p-norms."""
    tensors = _listed(tensors)
    order = float(norm_type)
    if not tensors:
        return torch.tensor(0.0)
    per_tensor = torch.stack([torch.linalg.vector_norm(t, order) for t in tensors])
    total = torch.linalg.vector_norm(per_tensor, order)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(
            f"The total norm of order {order} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


@no_grad()
def clip_grads_with_norm_(
    parameters: _Tensors, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """torch.nn.utils.clip_grads_with_norm_: grads *= min(max_norm / (total_norm + 1e-6), 1)."""
    grads = _present_grads(_listed(parameters))
    if not grads:
        return
    scale = torch.clamp(float(max_norm) / (total_norm + _NORM_EPS), max=1.0)
    for g in grads:
        g.mul_(scale.to(g.dtype))


def clip_grad_norm_(
    parameters: _Tensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """torch.nn.utils.clip_grad_norm_: returns the total norm before clipping."""
    was_generator = isinstance(parameters, types.GeneratorType)
    parameters = _listed(parameters)
    if was_generator and not parameters:
        warnings.warn(
            "`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2
        )
    total = get_total_norm(_present_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


@functools.wraps(clip_grad_norm_)
def clip_grad_norm(*args, **kwargs) -> Tensor:
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(*args, **kwargs)


clip_grad_norm.__name__ = clip_grad_norm.__qualname__ = "clip_grad_norm"
clip_grad_norm.__doc__ = "torch.nn.utils.clip_grad_norm (deprecated alias of clip_grad_norm_)."


@no_grad()
def clip_grad_value_(
    parameters: _Tensors, clip_value: float, foreach: bool | None = None
) -> None:
    """torch.nn.utils.clip_grad_value_: clamp every grad to [-clip_value, clip_value]."""
    limit = float(clip_value)
    for g in _present_grads(_listed(parameters)):
        g.clamp_(min=-limit, max=limit)
