"""torch.backends: the flags torch programs set for CUDA, cuDNN, MPS and the CPU.

On JAX they map onto XLA's matmul precision (``allow_tf32``) and XLA flags (cuDNN's
``deterministic``, which takes effect only before JAX starts); the rest are recorded.
See docs/devices.md.
"""

from __future__ import annotations

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp
from ._precision import get_float32_matmul_precision, set_float32_matmul_precision

__all__ = ["cpu", "cuda", "cudnn", "get_float32_matmul_precision", "mkl", "mkldnn", "mps",
           "openmp", "set_float32_matmul_precision"]
