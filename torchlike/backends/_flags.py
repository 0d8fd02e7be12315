"""A module whose attributes are flags with setters (torch.backends.cudnn.benchmark = True)."""

from __future__ import annotations

import contextlib
import types


class FlagModule(types.ModuleType):
    """Module type whose ``_flags`` dict backs attribute reads and writes; a flag's hook
    (``_on_<name>``) runs when it is set."""

    def __getattr__(self, name):
        flags = self.__dict__.get("_flags", {})
        if name in flags:
            return flags[name]
        raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")

    def __setattr__(self, name, value):
        flags = self.__dict__.get("_flags")
        if flags is not None and name in flags:
            hook = self.__dict__.get("_on_" + name)
            if hook is not None:
                hook(value)
            flags[name] = value
            return
        super().__setattr__(name, value)


@contextlib.contextmanager
def set_flags(mod, **values):
    """Set some of ``mod``'s flags inside a with block (None leaves one as it is)."""
    old = {k: getattr(mod, k) for k, v in values.items() if v is not None}
    try:
        for k in old:
            setattr(mod, k, values[k])
        yield
    finally:
        for k, v in old.items():
            setattr(mod, k, v)
