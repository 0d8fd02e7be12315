"""torch.utils (data loading, safetensors interop)."""

from . import data  # noqa: F401
