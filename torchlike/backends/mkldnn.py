"""torch.backends.mkldnn: not used by torchlike (XLA brings its own CPU kernels)."""

from __future__ import annotations


def is_available() -> bool:
    """torch.backends.mkldnn.is_available: False, as XLA does not call it."""
    return False
