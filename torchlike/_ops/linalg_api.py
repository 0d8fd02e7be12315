"""Binds the legacy top-level linear algebra names (torch.svd, torch.det, Tensor.cholesky, ...)
through the registry; the torch.linalg namespace itself lives in torchlike/linalg.py."""

from __future__ import annotations

from .. import return_types as _rt
from .._core.registry import export
from .._core.tensor import Tensor
from . import linalg as _la
from . import linalg_decomp as _dc
from . import linalg_norms as _nm
from .linalg import check_matrix, outs


def slogdet(input: Tensor, *, out=None):
    """torch.slogdet: (sign, logabsdet) as torch.return_types.slogdet."""
    check_matrix(input, "linalg.slogdet")
    return outs(_rt.slogdet(tuple(_la.slogdet(input))), out)


def lu(input: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """torch.lu / Tensor.lu (deprecated): (A_LU, pivots[, infos])."""
    return _la.lu(input, pivot, get_infos, out)


# name -> (function, also a Tensor method, has an in-place method)
LEGACY = {
    "det": (_la.det, True), "logdet": (_la.logdet, True), "slogdet": (slogdet, True),
    "inverse": (_la.inverse, True), "pinverse": (_dc.pinverse, True),
    "matrix_exp": (_dc.matrix_exp, True), "svd": (_dc.svd_legacy, True),
    "qr": (_dc.qr_legacy, True), "lu": (lu, True), "lu_unpack": (_la.lu_unpack, False),
    "lu_solve": (_la.lu_solve, True), "cholesky": (_la.cholesky, True),
    "cholesky_solve": (_la.cholesky_solve, True), "cholesky_inverse": (_la.cholesky_inverse, True),
    "triangular_solve": (_la.triangular_solve, True), "geqrf": (_dc.geqrf, True),
    "ormqr": (_dc.ormqr, True), "orgqr": (_dc.orgqr, True), "norm": (_nm.norm_legacy, True),
    "dist": (_nm.dist, True), "svd_lowrank": (_dc.svd_lowrank, False),
    "pca_lowrank": (_dc.pca_lowrank, False), "frobenius_norm": (_nm.frobenius_norm, False),
    "nuclear_norm": (_nm.nuclear_norm, False),
}

for _name, (_fn, _method) in LEGACY.items():
    export(_fn, _name, method=_method)
export(_nm.renorm, "renorm", inplace=_nm.renorm_)

TOP_LEVEL = {**{k: v[0] for k, v in LEGACY.items()}, "renorm": _nm.renorm}
