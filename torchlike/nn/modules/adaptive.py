"""torch.nn.AdaptiveLogSoftmaxWithLoss (Grave et al., efficient softmax for GPUs).

Classes below ``cutoffs[0]`` (the shortlist) are scored by the head directly; every later
band of classes is one cluster: the head scores the cluster as a whole, and a small
two-layer tail (in_features -> in_features // div_value**(i+1) -> band size) scores the
classes inside it.  A class's log-probability is head(cluster) + tail(class | cluster).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence

import torchlike as torch

from ..._core.tensor import Tensor
from ..._core.tracing import is_traced
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


def _valid_cutoffs(cutoffs: list, n_classes: int) -> bool:
    # strictly increasing inside (0, n_classes) covers sorted, unique, positive and in range
    steps = [0, *cutoffs, n_classes]
    increasing = all(a < b for a, b in zip(steps, steps[1:], strict=False))
    return increasing and all(int(c) == c for c in cutoffs)


class AdaptiveLogSoftmaxWithLoss(Module):
    """torch.nn.AdaptiveLogSoftmaxWithLoss."""

    in_features: int
    n_classes: int
    cutoffs: list[int]
    div_value: float
    head_bias: bool
    head: Linear
    tail: ModuleList

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if not cutoffs:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if not _valid_cutoffs(cutoffs, n_classes):
            raise ValueError(
                "cutoffs should be a sequence of unique, positive integers sorted in an "
                "increasing order, where each value is between 1 and n_classes-1"
            )
        where = {"device": device, "dtype": dtype}
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = [*cutoffs, n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = cutoffs[0]
        self.n_clusters = len(cutoffs)
        self.head_size = cutoffs[0] + len(cutoffs)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **where)
        bands = zip(self.cutoffs, self.cutoffs[1:], strict=False)
        self.tail = ModuleList(
            Sequential(
                Linear(in_features, hidden, bias=False, **where),
                Linear(hidden, hi - lo, bias=False, **where),
            )
            for hidden, (lo, hi) in zip(self._hidden_sizes(), bands, strict=True)
        )

    def _hidden_sizes(self) -> list[int]:
        return [int(self.in_features // self.div_value ** (i + 1)) for i in range(self.n_clusters)]

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for layer in (m for seq in self.tail for m in seq):
            layer.reset_parameters()

    @staticmethod
    def _as_batch(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
        if target.dim() == 1:
            if input.size(0) != target.size(0):
                raise RuntimeError(
                    "Input and target should have the same size in the batch dimension."
                )
            if input.dim() != 2:
                raise RuntimeError(
                    "1D target tensor expects 2D input tensors, but found inputs with size "
                    f"{input.size()}"
                )
            return input, target, True
        if target.dim() == 0:
            if input.dim() != 1:
                raise RuntimeError(
                    "0D target tensor expects 1D input tensors, but found inputs with size "
                    f"{input.size()}"
                )
            return input.unsqueeze(0), target.unsqueeze(0), False
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        input, target, batched = self._as_batch(input_, target_)
        # Validation only: skipped for traced targets (docs/differences.md).
        if not is_traced(target) and bool(((target < 0) | (target >= self.n_classes)).any()):
            raise RuntimeError(
                f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                f"[{target.min().item()}, {target.max().item()}] were found. "
            )
        # cluster 0 is the shortlist; cluster i >= 1 holds classes cutoffs[i-1]..cutoffs[i]-1
        cluster = sum((target >= c).long() for c in self.cutoffs[:-1])
        slot = torch.where(cluster == 0, target, cluster + (self.shortlist_size - 1))
        head_logprob = F.log_softmax(self.head(input), dim=1)
        inside = input.new_zeros(target.size(0))
        for i, tail in enumerate(self.tail, start=1):
            rows = (cluster == i).nonzero().squeeze(1)
            if rows.numel() == 0:
                continue
            local = target.index_select(0, rows) - self.cutoffs[i - 1]
            logprob = F.log_softmax(tail(input.index_select(0, rows)), dim=1)
            inside = inside.index_copy(0, rows, logprob.gather(1, local.unsqueeze(1)).squeeze(1))
        output = inside + head_logprob.gather(1, slot.unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        head = F.log_softmax(head_output, dim=1)
        short = self.shortlist_size
        pieces = [head[:, :short]]
        for i, tail in enumerate(self.tail):
            cluster_logprob = head[:, short + i].unsqueeze(1)
            pieces.append(F.log_softmax(tail(input), dim=1) + cluster_logprob)
        return torch.cat(pieces, dim=1)

    def log_prob(self, input: Tensor) -> Tensor:
        """torch.nn.AdaptiveLogSoftmaxWithLoss.log_prob: log-probabilities of all classes."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """torch.nn.AdaptiveLogSoftmaxWithLoss.predict: the most likely class per row."""
        head_output = self.head(input)
        best = torch.argmax(head_output, dim=1)
        deep = best >= self.shortlist_size
        if is_traced(deep):  # no host branch: every row's full distribution, picked by deep
            full = torch.argmax(self._get_full_log_prob(input, head_output), dim=1)
            return torch.where(deep, full, best)
        if not bool(deep.any()):
            return best
        if bool(deep.all()):
            return torch.argmax(self._get_full_log_prob(input, head_output), dim=1)
        # only rows whose best head slot is a cluster need the full distribution
        full = self._get_full_log_prob(input[deep], head_output[deep])
        best[deep] = torch.argmax(full, dim=1)
        return best
