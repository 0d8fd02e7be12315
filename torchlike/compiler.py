"""torch.compiler: reset the compile caches, ask whether a trace is running."""

from ._dynamo.eval_frame import is_compiling, reset

__all__ = ["is_compiling", "reset"]
