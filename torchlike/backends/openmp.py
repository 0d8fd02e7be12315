"""torch.backends.openmp: not used by torchlike (XLA brings its own CPU kernels)."""

from __future__ import annotations


def is_available() -> bool:
    """torch.backends.openmp.is_available: False, as XLA does not call it."""
    return False
