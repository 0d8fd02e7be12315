"""torch.testing: assert_close, make_tensor, assert_allclose; the compat checker in .compat.

The names load on first use so that ``torchlike.testing.compat`` (whose recorder runs under
real torch, possibly without jax) can be imported without loading the engine.
"""

from __future__ import annotations

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

_HOME = {"assert_close": "_comparison", "assert_allclose": "_comparison",
         "make_tensor": "_creation"}


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'torchlike.testing' has no attribute '{name}'")
    import importlib
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_HOME])
