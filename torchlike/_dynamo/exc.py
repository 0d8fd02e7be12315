"""torch._dynamo.exc: the errors torchlike.compile raises."""

from .._core.tracing import GraphBreak
from .eval_frame import Unsupported

__all__ = ["GraphBreak", "Unsupported"]
