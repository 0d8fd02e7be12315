"""Storage: the one mutable box a tensor and all its views share."""

from __future__ import annotations


class Storage:
    """Holds the current jax.Array of a base tensor and a version counter bumped by every write.

    jax arrays are immutable, so "writing" replaces ``array``; views notice by identity.
    ``torchlike.compile`` swaps tracers into ``array`` while tracing and writes results back.
    """

    __slots__ = ("array", "version", "__weakref__")

    def __init__(self, array):
        self.array = array
        self.version = 0

    def nbytes(self) -> int:
        return self.array.size * self.array.dtype.itemsize
