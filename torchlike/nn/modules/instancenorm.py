"""Instance normalisation layers (InstanceNorm1d/2d/3d and their Lazy forms).

They share batchnorm.py's state (``_NormBase``) and are declared from a table of the
input ranks each accepts: the smaller rank is the unbatched form, the larger the batched.
"""

from __future__ import annotations

import warnings

from ..._core.tensor import Tensor
from .. import functional as F
from .batchnorm import _NormBase, declare_norms

__all__ = [
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]

_STALE_STATS = (
    "Unexpected running stats buffer(s) {names} for {klass} with track_running_stats=False. "
    "If state_dict is a checkpoint saved before 0.4.0, this may be expected because {klass} "
    "does not track running stats by default since 0.4.0. Please remove these keys from "
    "state_dict. If the running stats are actually needed, instead set "
    "track_running_stats=True in {klass} to enable them. See the documentation of {klass} "
    "for details."
)


class _InstanceNorm(_NormBase):
    """Normalise each sample's channels over their own spatial extent."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        options = (eps, momentum, affine, track_running_stats, device, dtype)
        super().__init__(num_features, *options, bias=bias)

    def _get_no_batch_dim(self) -> int:
        return self._ranks[0]

    def _apply_instance_norm(self, input: Tensor) -> Tensor:
        use_input_stats = self.training or not self.track_running_stats
        momentum = 0.0 if self.momentum is None else self.momentum
        stats = (self.running_mean, self.running_var)
        affine = (self.weight, self.bias)
        return F.instance_norm(input, *stats, *affine, use_input_stats, momentum, self.eps)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        unbatched = input.dim() == self._get_no_batch_dim()
        channel_dim = 0 if unbatched else 1
        channels = input.size(channel_dim)
        if channels != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={channel_dim} to match num_features "
                    f"({self.num_features}), but got: {channels}."
                )
            warnings.warn(
                f"input's size at dim={channel_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False",
                stacklevel=2,
            )
        out = self._apply_instance_norm(input.unsqueeze(0) if unbatched else input)
        return out.squeeze(0) if unbatched else out

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *rest) -> None:
        # checkpoints from before instance norms stopped tracking stats carry stale buffers
        if local_metadata.get("version") is None and not self.track_running_stats:
            stale = [prefix + n for n in ("running_mean", "running_var")]
            stale = [k for k in stale if k in state_dict]
            if stale:
                names = " and ".join(f'"{k}"' for k in stale)
                error_msgs = rest[-1]
                error_msgs.append(_STALE_STATS.format(names=names, klass=type(self).__name__))
                for k in stale:
                    del state_dict[k]
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *rest)


_INSTANCE_NORMS = {"InstanceNorm1d": (2, 3), "InstanceNorm2d": (3, 4), "InstanceNorm3d": (4, 5)}
_made = declare_norms(_INSTANCE_NORMS, _InstanceNorm, __name__)
InstanceNorm1d = _made["InstanceNorm1d"]
InstanceNorm2d = _made["InstanceNorm2d"]
InstanceNorm3d = _made["InstanceNorm3d"]
LazyInstanceNorm1d = _made["LazyInstanceNorm1d"]
LazyInstanceNorm2d = _made["LazyInstanceNorm2d"]
LazyInstanceNorm3d = _made["LazyInstanceNorm3d"]
