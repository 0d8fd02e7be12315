"""torch.backends.mps: Apple's Metal backend, which torchlike does not run on."""

from __future__ import annotations


def is_available() -> bool:
    """torch.backends.mps.is_available: always False (no Metal backend in JAX here)."""
    return False


def is_built() -> bool:
    """torch.backends.mps.is_built: always False."""
    return False
