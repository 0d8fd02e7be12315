"""Products beyond matmul: addmm family, einsum, tensordot, outer/inner/vdot, cross, cdist, trace, kron."""

from __future__ import annotations

__all__: list = []
