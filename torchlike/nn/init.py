"""torch.nn.init: in-place initialisers (under no_grad) using torchlike's generators.

Every initialiser reduces to one of three fills (a constant, a uniform range, a normal law)
once its scale is known, so the public functions below only work out that scale: a gain
from ``_GAIN``, a fan from the tensor's shape, and the Glorot / He formulas.  Random
streams are torchlike's own; the laws (bounds, mean, std) are torch's.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from typing import Literal, ParamSpec, TypeVar

import torchlike as torch

from .._core.tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
]

_NonlinearityType = Literal[
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]
_FanMode = Literal["fan_in", "fan_out"]
_Gen = torch.Generator | None

# Gains that take no parameter; leaky_relu's depends on its slope (see calculate_gain).
# Layers without a nonlinearity (and sigmoid) keep the variance: gain 1, an int as in torch.
_GAIN: dict[str, float] = {
    **dict.fromkeys(("linear", "sigmoid", "conv1d", "conv2d", "conv3d",
                     "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"), 1),
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,  # torch's empirical value for self-normalising nets
}
_DEFAULT_LEAKY_SLOPE = 0.01


def calculate_gain(nonlinearity: _NonlinearityType, param: int | float | None = None) -> float:
    """torch.nn.init.calculate_gain."""
    if nonlinearity == "leaky_relu":
        slope = _DEFAULT_LEAKY_SLOPE if param is None else param
        # bool is an int subclass, yet torch rejects True/False as a slope
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if isinstance(nonlinearity, str) and nonlinearity in _GAIN:
        return _GAIN[nonlinearity]
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


# ---- the three fills ----------------------------------------------------------------------

def _fill(tensor: Tensor, method: str, *args: float, generator: _Gen = None) -> Tensor:
    """Run ``tensor.<method>_(*args)`` without recording it for autograd."""
    kwargs = {} if generator is None else {"generator": generator}
    with torch.no_grad():
        return getattr(tensor, method)(*args, **kwargs)


def _uniform_with_std(tensor: Tensor, std: float, generator: _Gen) -> Tensor:
    # U(-b, b) has standard deviation b / sqrt(3)
    bound = math.sqrt(3.0) * std
    return _fill(tensor, "uniform_", -bound, bound, generator=generator)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: _Gen = None) -> Tensor:
    """torch.nn.init.uniform_."""
    return _fill(tensor, "uniform_", a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: _Gen = None
) -> Tensor:
    """torch.nn.init.normal_."""
    return _fill(tensor, "normal_", mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """torch.nn.init.constant_."""
    return _fill(tensor, "fill_", val)


def ones_(tensor: Tensor) -> Tensor:
    """torch.nn.init.ones_."""
    return _fill(tensor, "fill_", 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """torch.nn.init.zeros_."""
    return _fill(tensor, "zero_")


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: _Gen = None,
) -> Tensor:
    """torch.nn.init.trunc_normal_.

    Sampled by inverting the normal CDF on the uniform slice [Phi(a), Phi(b)] (torch 2.13
    rejects and redraws); the law is the same, one draw per element.
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        # torch's warning points into nn.init itself, not at the caller
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
            "distribution of values may be incorrect.",
            stacklevel=1,
        )

    def cdf_as_erf(x: float) -> float:
        # erf((x - mean) / (std * sqrt 2)) = 2 * Phi(z) - 1: the range erfinv maps back
        return math.erf((x - mean) / std / math.sqrt(2.0))

    _fill(tensor, "uniform_", cdf_as_erf(a), cdf_as_erf(b), generator=generator)
    with torch.no_grad():
        tensor.erfinv_().mul_(std * math.sqrt(2.0)).add_(mean)
        return tensor.clamp_(min=a, max=b)


# ---- deterministic structures -------------------------------------------------------------

def _require_ndim(tensor: Tensor, allowed: tuple[int, ...], what: str) -> None:
    if tensor.ndimension() not in allowed:
        raise ValueError(f"Only tensors with {what} dimensions are supported")


def eye_(tensor: Tensor) -> Tensor:
    """torch.nn.init.eye_."""
    _require_ndim(tensor, (2,), "2")
    with torch.no_grad():
        tensor.copy_(torch.eye(*tensor.shape, dtype=tensor.dtype))
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """torch.nn.init.dirac_."""
    _require_ndim(tensor, (3, 4, 5), "3, 4, or 5")
    out_channels, in_channels, *spatial = tensor.shape
    if out_channels % groups:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = out_channels // groups
    centre = tuple(s // 2 for s in spatial)
    with torch.no_grad():
        tensor.zero_()
        # within each group, output channel d passes input channel d through unchanged
        for g, d in itertools.product(range(groups), range(min(per_group, in_channels))):
            tensor[(g * per_group + d, d, *centre)] = 1
    return tensor


def orthogonal_(tensor: Tensor, gain: float = 1, generator: _Gen = None) -> Tensor:
    """torch.nn.init.orthogonal_."""
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    gauss = _fill(tensor.new_empty((rows, tensor.numel() // rows)), "normal_", 0, 1,
                  generator=generator)
    wide = gauss.size(0) < gauss.size(1)
    q, r = torch.linalg.qr(gauss.t() if wide else gauss)
    # fix each column's sign by R's diagonal, so Q is Haar-distributed (Mezzadri 2007)
    q = q * torch.diag(r, 0).sign()
    if wide:
        q = q.t()
    with torch.no_grad():
        tensor.view_as(q).copy_(q)
        return tensor.mul_(gain)


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: _Gen = None
) -> Tensor:
    """torch.nn.init.sparse_ (the row permutations also draw from ``generator``)."""
    _require_ndim(tensor, (2,), "2")
    rows, cols = tensor.shape
    zeros_per_column = math.ceil(sparsity * rows)
    _fill(tensor, "normal_", 0, std, generator=generator)
    with torch.no_grad():
        for col in range(cols):
            dropped = torch.randperm(rows, generator=generator)[:zeros_per_column]
            tensor[dropped, col] = 0
    return tensor


# ---- scaled by fan: Glorot (xavier) and He (kaiming) --------------------------------------

def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    # (out, in, *kernel): each input/output feature map spans the whole kernel
    kernel = math.prod(tensor.shape[2:])
    return tensor.size(1) * kernel, tensor.size(0) * kernel


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    modes = ["fan_in", "fan_out"]
    mode = mode.lower()
    if mode not in modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {modes}")
    return _calculate_fan_in_and_fan_out(tensor)[modes.index(mode)]


def _glorot_std(tensor: Tensor, gain: float) -> float:
    fans = _calculate_fan_in_and_fan_out(tensor)
    return gain * math.sqrt(2.0 / float(sum(fans)))


def _he_std(tensor: Tensor, a: float, mode: _FanMode, nonlinearity: _NonlinearityType):
    """He et al.'s std, or None (after torch's warning) for a tensor with no elements."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)  # before the gain: torch's error order
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: _Gen = None) -> Tensor:
    """torch.nn.init.xavier_uniform_."""
    return _uniform_with_std(tensor, _glorot_std(tensor, gain), generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: _Gen = None) -> Tensor:
    """torch.nn.init.xavier_normal_."""
    return _fill(tensor, "normal_", 0.0, _glorot_std(tensor, gain), generator=generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: _FanMode = "fan_in",
    nonlinearity: _NonlinearityType = "leaky_relu",
    generator: _Gen = None,
) -> Tensor:
    """torch.nn.init.kaiming_uniform_."""
    std = _he_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else _uniform_with_std(tensor, std, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: _FanMode = "fan_in",
    nonlinearity: _NonlinearityType = "leaky_relu",
    generator: _Gen = None,
) -> Tensor:
    """torch.nn.init.kaiming_normal_."""
    std = _he_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else _fill(tensor, "normal_", 0, std, generator=generator)


# ---- the pre-underscore names torch still exports -----------------------------------------

_R = TypeVar("_R")
_P = ParamSpec("_P")


def _deprecated_alias(current: Callable[_P, _R]) -> Callable[_P, _R]:
    old = current.__name__.rstrip("_")

    def alias(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        warnings.warn(
            f"`nn.init.{old}` is now deprecated in favor of `nn.init.{current.__name__}`.",
            FutureWarning,
            stacklevel=2,
        )
        return current(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"torch.nn.init.{old} (deprecated: use {current.__name__})."
    return alias


uniform = _deprecated_alias(uniform_)
normal = _deprecated_alias(normal_)
constant = _deprecated_alias(constant_)
eye = _deprecated_alias(eye_)
dirac = _deprecated_alias(dirac_)
xavier_uniform = _deprecated_alias(xavier_uniform_)
xavier_normal = _deprecated_alias(xavier_normal_)
kaiming_uniform = _deprecated_alias(kaiming_uniform_)
kaiming_normal = _deprecated_alias(kaiming_normal_)
orthogonal = _deprecated_alias(orthogonal_)
sparse = _deprecated_alias(sparse_)
