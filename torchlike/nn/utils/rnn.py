"""torch.nn.utils.rnn: PackedSequence and the pack/pad helpers for variable-length batches.

A packed batch is the padded (T, B, *) batch with its padded slots dropped, read step by step
(time-major).  Every conversion here is one gather: a host-side table gives, for each slot of
the padded layout, its row in the packed data (or -1 for padding), so packing gathers the
live slots of the flattened padded batch and padding gathers packed rows plus one fill row.
Autograd flows through the gathers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import torchlike as torch

from ..._core.tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def _retyped(name: str, dtype: Any):
    def convert(self: PackedSequence) -> PackedSequence:
        return self.to(dtype=dtype)

    convert.__name__ = name
    convert.__doc__ = f"torch.nn.utils.rnn.PackedSequence.{name}."
    return convert


class PackedSequence(PackedSequence_):
    """torch.nn.utils.rnn.PackedSequence: time-major packed data plus per-step batch sizes."""

    def __new__(
        cls,
        data: Tensor,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if batch_sizes is None:
            # the (data, batch_sizes) pair form
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never "
                "be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence"
            )
        restore = unsorted_indices
        if restore is None:
            restore = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, restore)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """torch.nn.utils.rnn.PackedSequence.to: converts ``data``; the index tensors follow
        its device, ``batch_sizes`` stays on the CPU."""
        moved = self.data.to(*args, **kwargs)
        if moved is self.data:
            return self
        follow = [None if t is None else t.to(moved.device) for t in self[2:]]
        return type(self)(moved, self.batch_sizes, *follow)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """torch.nn.utils.rnn.PackedSequence.cpu."""
        return self.to("cpu", *args, **kwargs)

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """torch.nn.utils.rnn.PackedSequence.cuda."""
        return self.to("cuda", *args, **kwargs)

    def pin_memory(self) -> PackedSequence:
        """torch.nn.utils.rnn.PackedSequence.pin_memory (host memory is not pinned here)."""
        return self

    double = _retyped("double", torch.float64)
    float = _retyped("float", torch.float32)
    half = _retyped("half", torch.float16)
    long = _retyped("long", torch.int64)
    int = _retyped("int", torch.int32)
    short = _retyped("short", torch.int16)
    char = _retyped("char", torch.int8)
    byte = _retyped("byte", torch.uint8)

    @property
    def is_cuda(self) -> bool:
        """torch.nn.utils.rnn.PackedSequence.is_cuda."""
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        """torch.nn.utils.rnn.PackedSequence.is_pinned."""
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """torch.nn.utils.rnn.invert_permutation."""
    if permutation is None:
        return None
    ranks = torch.arange(permutation.numel(), dtype=permutation.dtype)
    return torch.empty_like(permutation).scatter_(0, permutation, ranks)


def _slot_table(batch_sizes: Sequence[int], steps: int) -> np.ndarray:
    """(steps, B) int64 table: the packed row of each padded slot, -1 for padding."""
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    live = np.arange(sizes[0])[None, :] < sizes[:, None]
    table = np.full((steps, int(sizes[0])), -1, dtype=np.int64)
    table[: len(sizes)][live] = np.arange(int(live.sum()))
    return table


def _index(rows: np.ndarray) -> Tensor:
    return torch.as_tensor(np.ascontiguousarray(rows, dtype=np.int64))


_UNSORTED = (
    "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
    "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
    "requirement if you do not need ONNX exportability."
)


def pack_padded_sequence(
    input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """torch.nn.utils.rnn.pack_padded_sequence."""
    if not isinstance(lengths, Tensor):
        lengths = torch.as_tensor(lengths)
    lengths = lengths.to(torch.int64)
    order = None
    if not enforce_sorted:
        lengths, order = torch.sort(lengths, descending=True)
        input = input.index_select(int(not batch_first), order)
    if batch_first:
        input = input.transpose(0, 1)
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    steps, batch = input.shape[0], input.shape[1]
    lens = np.asarray(lengths.tolist(), dtype=np.int64).reshape(-1)
    if lens.size != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
            f"(batch_size={batch})"
        )
    if np.any(lens[1:] > lens[:-1]):
        raise RuntimeError(_UNSORTED)
    if lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    longest = int(lens[0])
    if longest > steps:
        # torch reads past the end of the input here; we refuse instead
        raise RuntimeError(
            f"Expected sequence length to be larger than or equal to the largest length in "
            f"lengths, but got {steps} and {longest}"
        )
    sizes = (lens[None, :] > np.arange(longest)[:, None]).sum(1)
    live = np.flatnonzero(_slot_table(sizes, longest).reshape(-1) >= 0)
    flat = input[:longest].reshape(longest * batch, *input.shape[2:])
    data = flat.index_select(0, _index(live))
    return PackedSequence(data, _index(sizes), order, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """torch.nn.utils.rnn.pad_packed_sequence: (padded, lengths) in the original batch order."""
    sizes = [int(b) for b in sequence.batch_sizes.tolist()]
    steps = len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    table = _slot_table(sizes, steps)
    data = sequence.data
    # padded slots point one past the packed rows, at the fill row appended below
    table[table < 0] = data.shape[0]
    fill = data.new_full((1, *data.shape[1:]), padding_value)
    source = torch.cat([data, fill], 0)
    if batch_first:
        table = table.T
    padded = source.index_select(0, _index(table.reshape(-1))).view(*table.shape,
                                                                    *data.shape[1:])
    lengths = _index((np.arange(sizes[0])[:, None] < np.asarray(sizes)[None, :]).sum(1))
    restore = sequence.unsorted_indices
    if restore is not None:
        padded = padded.index_select(int(not batch_first), restore)
        lengths = lengths[restore.cpu()]
    return padded, lengths


def pad_sequence(
    sequences: Tensor | list[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """torch.nn.utils.rnn.pad_sequence: stack variable-length (L_i, *) tensors, padded."""
    if not hasattr(sequences, "__iter__"):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    seqs = tuple(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in seqs)
    rows = []
    for s in seqs:
        gap = longest - s.shape[0]
        if gap:
            filler = s.new_full((gap, *s.shape[1:]), padding_value)
            s = torch.cat((s, filler) if padding_side == "right" else (filler, s))
        rows.append(s)
    return torch.stack(rows, int(not batch_first))


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False
) -> list[Tensor]:
    """torch.nn.utils.rnn.unpad_sequence: the list of unpadded sequences."""
    per_item = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [per_item[b, : int(n)] for b, n in enumerate(lengths)]


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """torch.nn.utils.rnn.pack_sequence."""
    sizes = torch.as_tensor([s.shape[0] for s in sequences])
    return pack_padded_sequence(pad_sequence(sequences), sizes, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """torch.nn.utils.rnn.unpack_sequence."""
    return unpad_sequence(*pad_packed_sequence(packed_sequences, batch_first=True), True)
