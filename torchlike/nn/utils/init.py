"""torch.nn.utils.skip_init."""

from __future__ import annotations

import inspect

import torchlike as torch


def skip_init(module_cls, *args, **kwargs):
    """torch.nn.utils.skip_init: a module whose parameters are left uninitialised (empty)."""
    if not issubclass(module_cls, torch.nn.Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    # torch builds on the meta device; torchlike has none, so the (cheap) init runs and
    # to_empty then discards its values, as torch's result holds uninitialised memory.
    return module_cls(*args, **kwargs).to_empty(device=final_device)
