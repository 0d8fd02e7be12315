"""Batch normalisation layers (BatchNorm1d/2d/3d, their Lazy forms, SyncBatchNorm).

``_NormBase`` holds the state every batch and instance norm shares (affine parameters,
running statistics and their counter); ``_BatchNorm`` adds the batch-statistics forward.
The classes per dimension differ only in the input ranks they accept, so they are made
from the ``_BATCH_NORMS`` table by ``declare_norms`` (instancenorm.py uses it too).
"""

from __future__ import annotations

import sys
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from ..parameter import Parameter
from .lazy import LazyModuleMixin, UninitializedBuffer, UninitializedParameter, is_lazy
from .module import Module
from .normalization import reset_scale_shift

__all__ = [
    "BatchNorm1d",
    "LazyBatchNorm1d",
    "BatchNorm2d",
    "LazyBatchNorm2d",
    "BatchNorm3d",
    "LazyBatchNorm3d",
    "SyncBatchNorm",
]

_STATE = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


class _NormBase(Module):
    """Affine parameters and running statistics of the batch and instance norms."""

    # version 2 added num_batches_tracked; older checkpoints lack it
    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]
    # accepted input ranks, set per class by declare_norms
    _ranks: tuple[int, ...] = ()
    num_features: int
    eps: float
    momentum: float | None
    affine: bool
    track_running_stats: bool

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        where = {"device": device, "dtype": dtype}
        for name, on in (("weight", affine), ("bias", affine and bias)):
            self.register_parameter(name, self._vector(name, where) if on else None)
        for name in ("running_mean", "running_var"):
            self.register_buffer(name, self._vector(name, where) if track_running_stats else None)
        counter = torch.tensor(0, dtype=torch.long, device=device)
        self.register_buffer("num_batches_tracked", counter if track_running_stats else None)
        self.reset_parameters()

    def _vector(self, name: str, where: dict) -> Tensor:
        """A fresh per-feature tensor for state ``name`` (values come from reset_parameters)."""
        t = torch.empty(self.num_features, **where)
        return Parameter(t) if name in ("weight", "bias") else t

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            reset_scale_shift(self)

    def _check_input_dim(self, input: Tensor) -> None:
        if not self._ranks:
            raise NotImplementedError
        if input.dim() not in self._ranks:
            wanted = " or ".join(f"{r}D" for r in self._ranks)
            raise ValueError(f"expected {wanted} input (got {input.dim()}D input)")

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *rest) -> None:
        key = prefix + "num_batches_tracked"
        old = (local_metadata.get("version") or 0) < 2
        if old and self.track_running_stats and key not in state_dict:
            own = self.num_batches_tracked
            usable = own is not None and own.device.type != "meta"
            state_dict[key] = own if usable else torch.tensor(0, dtype=torch.long)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *rest)


class _BatchNorm(_NormBase):
    """Normalise with this batch's statistics in training, the running ones in eval."""

    def _average_factor(self) -> float:
        # counts the batch first, so that momentum=None gives the cumulative mean 1/n
        counter = self.num_batches_tracked
        if self.training and self.track_running_stats and counter is not None:
            counter.add_(1)
            if self.momentum is None:
                return 1.0 / float(counter)
        return 0.0 if self.momentum is None else self.momentum

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = self._average_factor()
        mean, var = self.running_mean, self.running_var
        batch_stats = self.training or (mean is None and var is None)
        if self.training and not self.track_running_stats:
            mean = var = None
        return F.batch_norm(input, mean, var, self.weight, self.bias, batch_stats, factor, self.eps)


class _LazyNormBase(LazyModuleMixin, _NormBase):
    """A norm whose ``num_features`` is read from the first input's dim 1."""

    weight: UninitializedParameter
    bias: UninitializedParameter

    def __init__(
        self,
        eps=1e-05,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
        *,
        bias=True,
    ) -> None:
        super().__init__(0, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _vector(self, name: str, where: dict) -> Tensor:
        if name in ("weight", "bias"):
            return UninitializedParameter(**where)
        return UninitializedBuffer(**where)

    def reset_parameters(self) -> None:
        if self.num_features != 0 and not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if not self.has_uninitialized_params():
            return
        features = input.shape[1]
        self.num_features = features
        for t in (*self._parameters.values(), *self._buffers.values()):
            if is_lazy(t):
                t.materialize((features,))
        self.reset_parameters()


def declare_norms(table: dict[str, tuple[int, ...]], base: type, module: str) -> dict[str, type]:
    """Make ``<name>`` and ``Lazy<name>`` for each ``name: accepted ranks`` of ``table``."""
    made: dict[str, type] = {}
    for name, ranks in table.items():
        common = {"_ranks": ranks, "__module__": module}
        eager = type(name, (base,), {**common, "__doc__": f"torch.nn.{name}."})
        lazy_doc = f"torch.nn.Lazy{name}."
        made[name] = eager
        made[f"Lazy{name}"] = type(
            f"Lazy{name}",
            (_LazyNormBase, base),
            {**common, "__doc__": lazy_doc, "cls_to_become": eager},
        )
    return made


_BATCH_NORMS = {"BatchNorm1d": (2, 3), "BatchNorm2d": (4,), "BatchNorm3d": (5,)}
_made = declare_norms(_BATCH_NORMS, _BatchNorm, __name__)
BatchNorm1d = _made["BatchNorm1d"]
BatchNorm2d = _made["BatchNorm2d"]
BatchNorm3d = _made["BatchNorm3d"]
LazyBatchNorm1d = _made["LazyBatchNorm1d"]
LazyBatchNorm2d = _made["LazyBatchNorm2d"]
LazyBatchNorm3d = _made["LazyBatchNorm3d"]


def _world_size(group: Any) -> int:
    # no initialized process group (or no torchlike.distributed loaded) means one process
    dist = sys.modules.get("torchlike.distributed")
    if dist is None or not getattr(dist, "is_available", lambda: False)():
        return 1
    if not dist.is_initialized():
        return 1
    return dist.get_world_size(group) if group else dist.get_world_size()


class SyncBatchNorm(_BatchNorm):
    """torch.nn.SyncBatchNorm: BatchNorm whose batch statistics span the process group.

    In a single process (no initialized process group) it is BatchNorm, as in torch; the
    cross-process reduction is not implemented yet and raises.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any | None = None,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        options = (eps, momentum, affine, track_running_stats, device, dtype)
        super().__init__(num_features, *options, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def forward(self, input: Tensor) -> Tensor:
        if self.training and _world_size(self.process_group) > 1:
            raise NotImplementedError(
                "torchlike: SyncBatchNorm across several processes is not implemented yet"
            )
        return super().forward(input)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """torch.nn.SyncBatchNorm.convert_sync_batchnorm: BatchNorm*d to SyncBatchNorm.

        The new layers share the old ones' parameters and buffers.
        """
        out = module
        if isinstance(module, _BatchNorm):
            out = SyncBatchNorm(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
                bias=module.bias is not None,
            )
            with torch.no_grad():
                for name in _STATE:
                    setattr(out, name, getattr(module, name))
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        # a snapshot: add_module below replaces entries of this same dict
        for name, child in list(module.named_children()):
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
