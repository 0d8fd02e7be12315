"""torch.multiprocessing: the standard library's multiprocessing plus spawn/start_processes.

Tensors cross process boundaries by pickling (their values are copied); torch's shared-memory
tensor transport has no JAX counterpart.
"""

import multiprocessing as _mp
from multiprocessing import *  # noqa: F403 - torch.multiprocessing re-exports the stdlib API

from .spawn import (
    ProcessContext,
    ProcessExitedException,
    ProcessRaisedException,
    SpawnContext,
    spawn,
    start_processes,
)

__all__ = [*_mp.__all__, "ProcessContext", "ProcessExitedException", "ProcessRaisedException",
           "SpawnContext", "get_all_sharing_strategies", "get_sharing_strategy",
           "set_sharing_strategy", "spawn", "start_processes"]

_STRATEGIES = {"file_system", "file_descriptor"}
_strategy = ["file_descriptor"]


def set_sharing_strategy(new_strategy: str) -> None:
    """torch.multiprocessing.set_sharing_strategy (recorded; tensors are pickled either way)."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"unknown sharing strategy {new_strategy!r}")
    _strategy[0] = new_strategy


def get_sharing_strategy() -> str:
    """torch.multiprocessing.get_sharing_strategy."""
    return _strategy[0]


def get_all_sharing_strategies() -> set:
    """torch.multiprocessing.get_all_sharing_strategies."""
    return set(_STRATEGIES)
