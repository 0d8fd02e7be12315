"""torch._dynamo's public corner: reset, config, explain, counters, exc; the compile machinery
itself lives in eval_frame.py and _state.py."""

from __future__ import annotations

from . import exc, utils
from .eval_frame import CompiledFunction, config, is_compiling, reset
from .explain import ExplainOutput, explain
from .module import OptimizedModule, list_backends, optimize

__all__ = ["CompiledFunction", "ExplainOutput", "OptimizedModule", "config", "exc", "explain",
           "is_compiling", "list_backends", "optimize", "reset", "utils"]
