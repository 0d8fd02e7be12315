"""torch.set_num_threads and friends, mapped onto what XLA's CPU backend allows.

XLA sizes its CPU thread pool once, when JAX's backend starts, from the ``PJRT_NPROC``
environment variable (else the CPUs this process may run on).  So a count set before the
first tensor is made takes effect; a later one cannot, and says so with a warning.  XLA has
no separate inter-op pool: the inter-op count is recorded and reported only.
"""

from __future__ import annotations

import os
import warnings

_ENV = "PJRT_NPROC"
_interop: list = [None]


def _backend_started() -> bool:
    # Asking JAX for devices would itself start the backend, so look without touching it.
    try:
        from jax._src import xla_bridge
        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):
        return True


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _env_count() -> int | None:
    v = os.environ.get(_ENV, "")
    return int(v) if v.isdigit() and int(v) > 0 else None


# The pool size XLA uses (or will use): fixed at import when the backend is already up.
_effective = [_env_count() or _cpus()]


def _check(name: str, n) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{name} expects a positive integer")
    return n


def get_num_threads() -> int:
    """torch.get_num_threads: the size of XLA's CPU thread pool (or the one it will start with)."""
    if not _backend_started():
        return _env_count() or _cpus()
    return _effective[0]


def set_num_threads(n: int) -> None:
    """torch.set_num_threads: sizes XLA's CPU pool if JAX has not started yet, else warns."""
    n = _check("set_num_threads", n)
    if _backend_started():
        if n != _effective[0]:
            warnings.warn(f"torchlike.set_num_threads({n}) has no effect: XLA's CPU thread pool "
                          f"already started with {_effective[0]} threads. Call it before the "
                          f"first tensor is made, or set {_ENV}={n} in the environment.",
                          stacklevel=2)
        return
    os.environ[_ENV] = str(n)
    _effective[0] = n


def get_num_interop_threads() -> int:
    """torch.get_num_interop_threads (XLA has no separate inter-op pool: the recorded count)."""
    return _interop[0] if _interop[0] is not None else _cpus()


def set_num_interop_threads(n: int) -> None:
    """torch.set_num_interop_threads: recorded once, as torch allows (no XLA pool to size)."""
    n = _check("set_num_interop_threads", n)
    if _interop[0] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _interop[0] = n


__all__ = ["get_num_interop_threads", "get_num_threads", "set_num_interop_threads",
           "set_num_threads"]
