"""torch.set_float32_matmul_precision on JAX's dot precision (shared by backends.cuda)."""

from __future__ import annotations

import warnings

from jax import lax

# torch's names → JAX's: 'highest' is full float32; 'high' allows TF32 and 'medium' bfloat16,
# both of which JAX's DEFAULT precision gives on GPUs (TPUs: one bfloat16 pass).  On the CPU
# every setting computes in full float32.
_TO_JAX = {"highest": lax.Precision.HIGHEST, "high": lax.Precision.DEFAULT,
           "medium": lax.Precision.DEFAULT}
_state = ["highest"]


def get_float32_matmul_precision() -> str:
    """torch.get_float32_matmul_precision: 'highest', 'high' or 'medium'."""
    return _state[0]


def set_float32_matmul_precision(precision: str) -> None:
    """torch.set_float32_matmul_precision: 'highest' (float32), 'high' (TF32), 'medium'."""
    if precision not in _TO_JAX:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    from .._ops import products

    if precision != _state[0]:
        _state[0] = precision
        products.set_matmul_precision(_TO_JAX[precision])
