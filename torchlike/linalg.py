"""torch.linalg: linear algebra (§10–11).  Re-exports only; the ops live in torchlike/_ops."""

import sys as _sys

from ._ops.blas import linalg_cross as cross  # noqa: F401
from ._ops.blas import matrix_power, multi_dot  # noqa: F401
from ._ops.linalg import (  # noqa: F401
    LinAlgError,
    cholesky_ex,
    det,
    inv,
    inv_ex,
    lu_factor,
    lu_factor_ex,
    slogdet,
    solve,
    solve_ex,
    solve_triangular,
    tensorinv,
    tensorsolve,
)
from ._ops.linalg import linalg_cholesky as cholesky  # noqa: F401
from ._ops.linalg import linalg_lu as lu  # noqa: F401
from ._ops.linalg import linalg_lu_solve as lu_solve  # noqa: F401
from ._ops.linalg_api import TOP_LEVEL as _TOP_LEVEL
from ._ops.linalg_decomp import (  # noqa: F401
    eig,
    eigh,
    eigvals,
    eigvalsh,
    householder_product,
    ldl_factor,
    ldl_factor_ex,
    ldl_solve,
    lstsq,
    matrix_exp,
    matrix_rank,
    pinv,
    qr,
    svd,
    svdvals,
)
from ._ops.linalg_norms import cond, matrix_norm, norm, vander, vecdot, vector_norm  # noqa: F401
from ._ops.products import matmul  # noqa: F401
from ._ops.shape import diagonal as _diagonal


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """torch.linalg.diagonal: torch.diagonal with the last two dims as default."""
    return _diagonal(A, offset, dim1, dim2)


# The legacy top-level forms (torch.svd, torch.det, torch.norm, ...) join the torch namespace.
_top = _sys.modules[__name__.rpartition(".")[0]]
for _name, _fn in _TOP_LEVEL.items():
    setattr(_top, _name, _fn)

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor",
           "ldl_factor_ex", "ldl_solve", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
           "matmul", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot",
           "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd",
           "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]
