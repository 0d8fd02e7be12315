"""torch.nn.utils.skip_init."""

from __future__ import annotations

import inspect
from typing import Any


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Any:
    """torch.nn.utils.skip_init: a module whose parameters hold uninitialised (empty) values.

    torch builds the module on the meta device; torchlike has none, so the usual (cheap)
    initialisation runs and ``to_empty`` then discards its values.
    """
    from ..modules.module import Module

    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    target = kwargs.pop("device", "cpu")
    return module_cls(*args, **kwargs).to_empty(device=target)
