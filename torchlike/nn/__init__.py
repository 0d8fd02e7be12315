"""torch.nn (so far: Parameter)."""

from .parameter import Parameter

__all__ = ["Parameter"]
