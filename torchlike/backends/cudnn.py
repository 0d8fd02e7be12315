"""torch.backends.cudnn: cuDNN's flags, as far as XLA lets them mean something.

``deterministic`` sets XLA's ``--xla_gpu_deterministic_ops`` when set before JAX starts
(after, a warning says it cannot); ``enabled`` and ``benchmark`` are recorded (XLA always
uses cuDNN where it helps, and autotunes on its own); ``allow_tf32`` is recorded and read by
convolutions that honour it (docs/devices.md).
"""

from __future__ import annotations

import os
import sys
import warnings

from ._flags import FlagModule, set_flags

_flags = {"enabled": True, "benchmark": False, "deterministic": False, "allow_tf32": True,
          "benchmark_limit": 10}


def _on_deterministic(value) -> None:
    from .._core.threads import _backend_started

    flag = "--xla_gpu_deterministic_ops=true"
    if bool(value) == bool(_flags["deterministic"]):
        return
    if _backend_started():
        if not value:
            return
        warnings.warn("torchlike.backends.cudnn.deterministic changes XLA's GPU kernels only "
                      "before JAX starts; set it before the first tensor is made (or "
                      f"XLA_FLAGS={flag}).", stacklevel=3)
        return
    cur = os.environ.get("XLA_FLAGS", "").split()
    cur = [f for f in cur if not f.startswith("--xla_gpu_deterministic_ops")]
    if value:
        cur.append(flag)
    os.environ["XLA_FLAGS"] = " ".join(cur)


def is_available() -> bool:
    """torch.backends.cudnn.is_available: True where JAX has a CUDA GPU (XLA links cuDNN)."""
    from ..cuda import is_available as cuda_ok

    return cuda_ok()


def version():
    """torch.backends.cudnn.version: cuDNN's version number, None without a GPU."""
    if not is_available():
        return None
    try:
        from jax._src.lib import cuda_versions

        return int(cuda_versions.cudnn_get_version())
    except Exception:  # noqa: BLE001 - a jaxlib without the query
        return None


def is_acceptable(tensor) -> bool:
    """torch.backends.cudnn.is_acceptable: cuDNN could run on this tensor (a GPU float one)."""
    return bool(_flags["enabled"] and is_available() and tensor.device.type == "cuda"
                and tensor.dtype.is_floating_point)


def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True):
    """torch.backends.cudnn.flags: set the flags inside a with block."""
    return set_flags(sys.modules[__name__], enabled=enabled, benchmark=benchmark,
                     benchmark_limit=benchmark_limit, deterministic=deterministic,
                     allow_tf32=allow_tf32)


sys.modules[__name__].__class__ = FlagModule
