"""torch.backends.cuda: whether a GPU backend is built, and the cuBLAS matmul flags.

``matmul.allow_tf32`` is torch's float32 matmul precision in another spelling: True is
'high' (TF32 on GPUs), False 'highest' (full float32, JAX's Precision.HIGHEST).
"""

from __future__ import annotations

from ._precision import get_float32_matmul_precision, set_float32_matmul_precision

__all__ = ["is_built", "matmul", "preferred_linalg_library"]


def is_built() -> bool:
    """torch.backends.cuda.is_built: whether this jaxlib has a GPU backend."""
    from ..cuda import is_available

    return is_available()


class cuBLASModule:
    """torch.backends.cuda.matmul: allow_tf32 and the reduced-precision reduction flags."""

    _reduced = {"allow_fp16_reduced_precision_reduction": True,
                "allow_bf16_reduced_precision_reduction": True,
                "allow_fp16_accumulation": False}

    def __getattr__(self, name):
        if name == "allow_tf32":
            return get_float32_matmul_precision() != "highest"
        if name in self._reduced:
            return self._reduced[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            set_float32_matmul_precision("high" if value else "highest")
        elif name in self._reduced:
            # XLA picks its own accumulation for half types; the flags are recorded only.
            self._reduced[name] = bool(value)
        else:
            raise AttributeError(f"Unknown attribute {name}")


matmul = cuBLASModule()


def preferred_linalg_library(backend=None) -> str:
    """torch.backends.cuda.preferred_linalg_library: XLA chooses its solvers ('default')."""
    if backend not in (None, "default"):
        raise NotImplementedError("XLA picks its own GPU linear-algebra library; only "
                                  "'default' is available")
    return "default"
