"""torch.signal: signal-processing helpers (the windows submodule)."""

from . import windows  # noqa: F401

__all__ = ["windows"]
