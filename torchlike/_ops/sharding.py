"""Placing a tensor's array on a JAX sharding (DataParallel's batch split, DTensor layouts).

One differentiable op: its kernel constrains the array to a ``NamedSharding``; the backward
is JAX's transpose of that constraint, so gradients come back laid out as the forward was.
XLA inserts whatever collectives the move needs.
"""

from __future__ import annotations

import jax

from .._core.registry import Op, requires_grad_any, run
from .._core.tensor import Tensor

_place_op = Op("_place", "RedistributeBackward", saved=None)
_Tracer = jax.core.Tracer


def _build(sharding):
    return lambda: (lambda a: jax.lax.with_sharding_constraint(a, sharding))


def place(t: Tensor, sharding) -> Tensor:
    """``t`` with its array laid out by ``sharding`` (a differentiable, torchlike.compile-safe
    move; no DTensor counterpart is public in torch under this name)."""
    arr = t._data
    if not isinstance(arr, _Tracer):
        # Eagerly, device_put moves arrays committed to other devices, which a sharding
        # constraint inside a jitted kernel refuses (and costs ~100 us even when the layout
        # already fits, so that case is skipped).
        if arr.sharding != sharding:
            arr = jax.device_put(arr, sharding)
        if not requires_grad_any((t,)):
            return Tensor._make(arr, t._dtype)
    return run(_place_op, sharding, _build(sharding), (arr,), (t,), t._dtype)
