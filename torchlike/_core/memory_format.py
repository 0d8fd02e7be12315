"""torch.memory_format values.  JAX arrays have no memory layout to choose, so ops accept these
and ignore them (a tensor's strides stay those of its view chain)."""

from __future__ import annotations


class memory_format:  # noqa: N801 - torch's name
    """torch.memory_format."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
