"""torch.version: torchlike's version, and the CUDA/ROCm versions of the GPU backend JAX uses."""

from __future__ import annotations

__all__ = ["__version__", "debug", "git_version"]  # cuda and hip: module __getattr__

__version__ = "0.1.0"
hip = None  # JAX's ROCm plugin reports no HIP version here
debug = False
git_version = "Unknown"


def _cuda_version():
    """'12.8'-style CUDA runtime version of jaxlib's GPU plugin, or None without a CUDA GPU."""
    from .cuda import is_available

    if not is_available():
        return None
    try:
        from jax._src.lib import cuda_versions

        v = int(cuda_versions.cuda_runtime_get_version())
    except Exception:  # noqa: BLE001 - a GPU backend without the query (ROCm, old jaxlib)
        return None
    return f"{v // 1000}.{v % 1000 // 10}"


def __getattr__(name):
    # Asked lazily: the answer needs JAX's backends, which importing torchlike must not start.
    if name == "cuda":
        return _cuda_version()
    raise AttributeError(f"module 'torchlike.version' has no attribute '{name}'")
