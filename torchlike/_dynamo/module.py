"""torch.compile's entry point and OptimizedModule, the wrapper it returns for a Module."""

from __future__ import annotations

from typing import Any

from ..nn.modules.module import Module
from .eval_frame import CompiledFunction

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
# torch._dynamo.list_backends() on a CPU build (plus the debugging ones torch accepts)
BACKENDS = ("cudagraphs", "inductor", "openxla", "tvm", "onnxrt", "eager", "aot_eager",
            "aot_eager_decomp_partition", "aot_eager_default_partitioner", "aot_ts")


class InvalidBackend(RuntimeError):
    """torch._dynamo.exc.InvalidBackend."""

    def __init__(self, name: str):
        super().__init__(f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for "
                         "available backends.")


def list_backends(exclude_tags=("debug", "experimental")) -> list[str]:
    """torch._dynamo.list_backends (a CPU build's list): every backend is XLA here."""
    return ["cudagraphs", "inductor", "openxla", "tvm"]


class OptimizedModule(Module):
    """torch._dynamo.eval_frame.OptimizedModule: calls ``_orig_mod`` through one compiled
    program; attributes, state_dict (keys prefixed ``_orig_mod.``) and train/eval pass through."""

    def __init__(self, mod: Module, compiled: CompiledFunction):
        super().__init__()
        self._orig_mod = mod
        object.__setattr__(self, "_compiled", compiled)

    def forward(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)


def optimize(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",
             mode=None, options=None, disable: bool = False):
    """torch.compile: compile a function, method or Module into one XLA program per input
    signature (see docs/compile.md).  backend/mode are accepted for compatibility: XLA does the
    work whatever they say."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if isinstance(backend, str) and backend not in BACKENDS:
        raise InvalidBackend(backend)
    if model is None:
        def deco(fn):
            return optimize(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                            mode=mode, options=options, disable=disable)
        return deco
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, CompiledFunction(model, fullgraph))
    return CompiledFunction(model, fullgraph)
