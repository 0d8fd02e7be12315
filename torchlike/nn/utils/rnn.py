"""torch.nn.utils.rnn: pad_sequence and unpad_sequence (PackedSequence is not implemented)."""

from __future__ import annotations

from collections.abc import Iterable

import torchlike as torch

from ..._core.tensor import Tensor

__all__ = ["pad_sequence", "unpad_sequence"]


def pad_sequence(
    sequences: Tensor | list[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """torch.nn.utils.rnn.pad_sequence: stack variable-length (L_i, *) tensors, padded."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of "
            f"type: {type(sequences)}"
        )
    sequences = tuple(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(s.size(0) for s in sequences)
    padded = []
    for s in sequences:
        n = max_len - s.size(0)
        if n == 0:
            padded.append(s)
            continue
        pad = torch.full((n, *s.shape[1:]), padding_value, dtype=s.dtype)
        padded.append(torch.cat([s, pad] if padding_side == "right" else [pad, s]))
    return torch.stack(padded, 0 if batch_first else 1)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False
) -> list[Tensor]:
    """torch.nn.utils.rnn.unpad_sequence: the list of unpadded sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[: int(length)] for seq, length in zip(padded_sequences, lengths, strict=True)]
