"""torch.accelerator: the machine's accelerator, whichever JAX found (CUDA GPU or TPU)."""

from __future__ import annotations

from ._core.device import _current_cuda, _local_devices
from ._core.device import device as _device

__all__ = ["current_accelerator", "current_device_idx", "current_device_index", "device_count",
           "is_available", "set_device_idx", "set_device_index", "synchronize"]

_NONE = "Cannot access accelerator device when none is available."


def _kind() -> str | None:
    if _local_devices("gpu"):
        return "cuda"
    if _local_devices("tpu"):
        return "tpu"
    return None


def is_available() -> bool:
    """torch.accelerator.is_available: whether JAX has a GPU or TPU."""
    return _kind() is not None


def device_count() -> int:
    """torch.accelerator.device_count: this process's accelerators (0 without any)."""
    k = _kind()
    return len(_local_devices("gpu" if k == "cuda" else "tpu")) if k else 0


def current_accelerator(check_available: bool = False):
    """torch.accelerator.current_accelerator: device('cuda') or device('tpu'), else None."""
    k = _kind()
    return _device(k) if k else None


def current_device_index() -> int:
    """torch.accelerator.current_device_index: the accelerator a bare device type names."""
    if _kind() is None:
        raise RuntimeError(_NONE)
    return _current_cuda[0] if _kind() == "cuda" else 0


def set_device_index(device) -> None:
    """torch.accelerator.set_device_index: select the current accelerator."""
    k = _kind()
    if k is None:
        raise RuntimeError(_NONE)
    if k == "cuda":
        from .cuda import set_device

        set_device(device)
    elif (device.index if isinstance(device, _device) else device) not in (None, 0, -1):
        raise NotImplementedError("selecting a TPU other than the first is not supported")


def synchronize(device=None) -> None:
    """torch.accelerator.synchronize: wait for the accelerator's queued work."""
    k = _kind()
    if k is None:
        raise RuntimeError(_NONE)
    import jax

    for arr in jax.live_arrays():
        arr.block_until_ready()


current_device_idx = current_device_index
set_device_idx = set_device_index
