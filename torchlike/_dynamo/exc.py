"""torch._dynamo.exc: the errors torchlike.compile raises."""

from .._core.tracing import GraphBreak
from .eval_frame import Unsupported
from .module import InvalidBackend

__all__ = ["GraphBreak", "InvalidBackend", "Unsupported"]
