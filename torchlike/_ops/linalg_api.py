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


_REMOVED = "This function was deprecated since version 1.9 and is now removed. "
_REMOVED_MSG = {
    "eig": _REMOVED + "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` "
    "rather than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be "
    "replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, "
    "eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)",
    "lstsq": _REMOVED + "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
    "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the "
    "returned tuple (although it returns other information about the problem).\n\nTo get the QR "
    "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` "
    "stored the residuals of the solution in the last m - n columns of the returned value "
    "whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the "
    "returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A)"
    ".solution[:A.size(1)]\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution",
    "symeig": _REMOVED + "The default behavior has changed from using the upper triangular "
    "portion of the matrix by default to using the lower triangular portion.\n\nL, _ = "
    "torch.symeig(A, upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, "
    "UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) should "
    "be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "matrix_rank": "This function was deprecated since version 1.9 and is now removed.\nPlease "
    "use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed "
    "in `torch.linalg.matrix_rank()` to 'hermitian'.",
}


def _removed(name):
    def fn(*args, **kwargs):
        raise RuntimeError(_REMOVED_MSG[name])

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: removed in torch (raises RuntimeError with torch's advice)."
    return fn


def _norm_method(self: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.Tensor.norm (its fourth positional argument is dtype, not out)."""
    return _nm.norm_legacy(self, p, dim, keepdim, dtype=dtype)


# name -> (function, also a Tensor method)
LEGACY = {
    "det": (_la.det, True), "logdet": (_la.logdet, True), "slogdet": (slogdet, True),
    "inverse": (_la.inverse, True), "pinverse": (_dc.pinverse, True),
    "matrix_exp": (_dc.matrix_exp, True), "svd": (_dc.svd_legacy, True),
    "qr": (_dc.qr_legacy, True), "lu": (lu, True), "lu_unpack": (_la.lu_unpack, False),
    "lu_solve": (_la.lu_solve, True), "cholesky": (_la.cholesky, True),
    "cholesky_solve": (_la.cholesky_solve, True), "cholesky_inverse": (_la.cholesky_inverse, True),
    "triangular_solve": (_la.triangular_solve, True), "geqrf": (_dc.geqrf, True),
    "ormqr": (_dc.ormqr, True), "orgqr": (_dc.orgqr, True), "norm": (_nm.norm_legacy, False),
    "dist": (_nm.dist, True), "svd_lowrank": (_dc.svd_lowrank, False),
    "pca_lowrank": (_dc.pca_lowrank, False), "frobenius_norm": (_nm.frobenius_norm, False),
    "nuclear_norm": (_nm.nuclear_norm, False),
    "eig": (_removed("eig"), True), "lstsq": (_removed("lstsq"), True),
    "symeig": (_removed("symeig"), True), "matrix_rank": (_removed("matrix_rank"), False),
}

for _name, (_fn, _method) in LEGACY.items():
    if _fn.__name__.endswith("_legacy"):
        _fn.__name__ = _fn.__qualname__ = _name
    export(_fn, _name, method=_method)
export(_nm.renorm, "renorm", inplace=_nm.renorm_)
export(_norm_method, "norm", function=False)

TOP_LEVEL = {**{k: v[0] for k, v in LEGACY.items()}, "renorm": _nm.renorm}
