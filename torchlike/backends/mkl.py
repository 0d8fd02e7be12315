"""torch.backends.mkl: not used by torchlike (XLA brings its own CPU kernels)."""

from __future__ import annotations


def is_available() -> bool:
    """torch.backends.mkl.is_available: False, as XLA does not call it."""
    return False
