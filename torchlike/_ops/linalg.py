"""torch.linalg factorizations, inverses, determinants and solvers on jax.lax.linalg (§10–11).

Gradients come from JAX's own rules for lu / cholesky / qr / eigh / svd / triangular_solve;
LAPACK-style ``info`` codes are computed inside the kernels so ``_ex`` variants never sync.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .. import return_types as _rt
from .._core import dtypes as _dt
from .._core.registry import Op, broadcast_shapes, run, set_out
from .._core.tensor import Tensor
from . import products

_I32 = _dt.int32


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a linear algebra routine failed (singular or non-PD input)."""


# torch.linalg.LinAlgError is torch._C._LinAlgError: tracebacks print that name.
LinAlgError.__module__ = "torch._C"
LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"


# ---------------------------------------------------------------- helpers


def _prec():
    return products.PRECISION[0]


def need_tensor(x, fname: str, arg: str = "input", pos: int = 1) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def check_float(x: Tensor, fname: str, arg: str = "input") -> None:
    """torch's dtype checks for LAPACK-backed ops: float32/64 or complex only."""
    dt = x._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {dt._tag}")
    if dt in (_dt.float16, _dt.bfloat16):
        raise RuntimeError(f"{fname}: Low precision dtypes not supported. Got {dt._tag}")


def check_matrix(x: Tensor, fname: str, arg: str = "A", square: bool = True,
                 dtype: bool = True) -> None:
    need_tensor(x, fname.replace("torch.", "").replace(".", "_"), arg)
    if dtype:
        check_float(x, fname, arg)
    if x.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor {arg} must have at least 2 dimensions.")
    if square and x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{fname}: {arg} must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")


def same_dtype(a: Tensor, b: Tensor, fname: str, an: str = "A", bn: str = "B") -> None:
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{fname}: Expected {an} and {bn} to have the same dtype, but found "
                           f"{an} of type {a._dtype._tag} and {bn} of type {b._dtype._tag} "
                           "instead")


def go(op: Op, key, f, tensors, out_dt, multi: bool = False):
    """Run ``f`` (a pure function of the tensors' arrays) as ``op``'s cached kernel at ``key``."""
    return run(op, key, lambda: f, tuple(t._data for t in tensors), tuple(tensors), out_dt,
               multi=multi)


def mH(x):
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def mT(x):
    return jnp.swapaxes(x, -1, -2)


def mm(a, b):
    return jnp.matmul(a, b, precision=_prec())


def outs(result, out):
    """Write a (tuple) result into ``out=`` tensors when given."""
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"out must be a tuple of {len(result)} tensors")
        vals = tuple(set_out(o, r) for o, r in zip(out, result, strict=True))
        return type(result)(vals) if hasattr(type(result), "_fields") else vals
    return set_out(out, result)


def batch_message(info: Tensor, fname: str, msg) -> None:
    """Raise torch's LinAlgError for the first non-zero ``info`` (eager check: one host sync)."""
    if isinstance(info._data, jax.core.Tracer):
        return  # under torchlike.compile the check cannot run (see docs/differences.md)
    arr = np.asarray(info._data)
    if not arr.size or not arr.any():
        return
    flat = arr.reshape(-1)
    i = int(np.flatnonzero(flat)[0])
    where = f"(Batch element {i}): " if arr.ndim else ""
    raise LinAlgError(f"{fname}: {where}{msg(int(flat[i]))}")


def lu_info(lu):
    """getrf's info: 1-based index of the first zero on U's diagonal, else 0."""
    d = jnp.diagonal(lu, axis1=-2, axis2=-1)
    zero = d == 0
    if d.shape[-1] == 0:
        return jnp.zeros(d.shape[:-1], jnp.int32)
    return jnp.where(zero.any(-1), jnp.argmax(zero, -1) + 1, 0).astype(jnp.int32)


def lu_solve_perm(lu, perm, b, adjoint: bool = False):
    """Solve A X = B (or A^H X = B) from A's packed LU and row permutation (A[perm] = L U)."""
    if not adjoint:
        pb = jnp.take_along_axis(b, perm[..., :, None], axis=-2)
        y = lax.linalg.triangular_solve(lu, pb, left_side=True, lower=True, unit_diagonal=True)
        return lax.linalg.triangular_solve(lu, y, left_side=True, lower=False)
    z = lax.linalg.triangular_solve(lu, b, left_side=True, lower=False, transpose_a=True,
                                    conjugate_a=True)
    w = lax.linalg.triangular_solve(lu, z, left_side=True, lower=True, unit_diagonal=True,
                                    transpose_a=True, conjugate_a=True)
    inv = jnp.argsort(perm, axis=-1)
    return jnp.take_along_axis(w, inv[..., :, None], axis=-2)


def bexpand(t: Tensor, batch: tuple, core: int = 2) -> Tensor:
    """``t`` expanded to batch dims ``batch`` (its last ``core`` dims kept); itself if equal."""
    shape = tuple(t.shape)
    lead = shape[:len(shape) - core] if core else shape
    if lead == tuple(batch):
        return t
    return t.expand(*batch, *shape[len(shape) - core:]) if core else t.expand(*batch)


def _eye_like(a):
    n = a.shape[-1]
    return jnp.broadcast_to(jnp.eye(n, dtype=a.dtype), a.shape)


# ---------------------------------------------------------------- inverse, det


_inv = Op("linalg_inv_ex", "LinalgInvExBackward0")


def _inv_kernel(a):
    if a.shape[-1] == 0 or a.size == 0:
        return a, jnp.zeros(a.shape[:-2], jnp.int32)
    lu, _, perm = lax.linalg.lu(a)
    return lu_solve_perm(lu, perm, _eye_like(a)), lu_info(lu)


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """torch.linalg.inv_ex: (inverse, info); info > 0 marks a singular matrix instead of raising."""
    check_matrix(A, "linalg.inv")
    r = go(_inv, A._dtype, _inv_kernel, (A,), (A._dtype, _I32), multi=True)
    if check_errors:
        _inv_raise(r[1], "linalg.inv_ex")
    return outs(_rt.linalg_inv_ex(r), out)


def _inv_raise(info, fname="linalg.inv"):
    batch_message(info, fname, lambda i: (
        f"The diagonal element {i} is zero, the inversion could not be completed because the "
        "input matrix is singular."))


def inv(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.inv; a singular input raises torch.linalg.LinAlgError as in torch."""
    check_matrix(A, "linalg.inv")
    r, info = go(_inv, A._dtype, _inv_kernel, (A,), (A._dtype, _I32), multi=True)
    _inv_raise(info)
    return outs(r, out)


def inverse(input: Tensor, *, out=None) -> Tensor:
    """torch.inverse (alias of torch.linalg.inv)."""
    return inv(input, out=out)


_det = Op("linalg_det", "LinalgDetBackward0")
_slogdet = Op("linalg_slogdet", "LinalgSlogdetBackward0")
_logdet = Op("logdet", "WhereBackward0")


def _det_kernel(a):
    if a.shape[-1] == 0:
        return jnp.ones(a.shape[:-2], a.dtype)
    return jnp.linalg.det(a)


def det(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.det (= torch.det)."""
    check_matrix(A, "linalg.det")
    return outs(go(_det, A._dtype, _det_kernel, (A,), A._dtype), out)


def _slogdet_kernel(a):
    if a.shape[-1] == 0:
        return jnp.ones(a.shape[:-2], a.dtype), jnp.zeros(a.shape[:-2], jnp.real(a).dtype)
    sign, logabs = jnp.linalg.slogdet(a)
    return sign.astype(a.dtype), logabs


def slogdet(A: Tensor, *, out=None):
    """torch.linalg.slogdet: (sign, logabsdet); sign is 0 and logabsdet -inf when singular."""
    check_matrix(A, "linalg.slogdet")
    r = go(_slogdet, A._dtype, _slogdet_kernel, (A,), (A._dtype, A._dtype.to_real()), multi=True)
    return outs(_rt.linalg_slogdet(r), out)


def _logdet_kernel(a):
    sign, logabs = _slogdet_kernel(a)
    if jnp.iscomplexobj(a):
        return jnp.log(sign) + logabs
    return jnp.where(sign < 0, jnp.nan, logabs).astype(a.dtype)


def logdet(input: Tensor) -> Tensor:
    """torch.logdet: log(det(A)); NaN for a negative determinant, -inf for a singular matrix."""
    check_matrix(input, "linalg.slogdet")
    return go(_logdet, input._dtype, _logdet_kernel, (input,), input._dtype)


# ---------------------------------------------------------------- cholesky


_chol = Op("linalg_cholesky_ex", "LinalgCholeskyExBackward0")


def herm_lower(a, uplo: str = "L"):
    """The Hermitian matrix LAPACK sees in one triangle of ``a``, with torch's gradient: the
    value reads that triangle only, the gradient is that of the Hermitian part of ``a``."""
    t = jnp.tril(a, -1) if uplo == "L" else jnp.triu(a, 1)
    d = jnp.real(jnp.diagonal(a, axis1=-2, axis2=-1)).astype(a.dtype)
    low = t + mH(t) + d[..., None] * jnp.eye(a.shape[-1], dtype=a.dtype)
    sym = (a + mH(a)) / 2
    return lax.stop_gradient(low - sym) + sym


def _chol_info(a):
    """potrf's info: order of the first leading minor that is not positive definite."""
    n = a.shape[-1]
    idx = jnp.arange(n)

    def body(k, state):
        m, info = state
        d = jnp.real(m[..., k, k])
        bad = ~(d > 0)
        info = jnp.where((info == 0) & bad, k + 1, info)
        col = m[..., :, k] / jnp.sqrt(jnp.where(bad, 1, d))[..., None].astype(m.dtype)
        col = jnp.where(idx > k, col, 0)
        m = m - col[..., :, None] * jnp.conj(col)[..., None, :]
        return m, info

    return lax.fori_loop(0, n, body, (a, jnp.zeros(a.shape[:-2], jnp.int32)))[1]


def _chol_kernel(upper):
    def f(a):
        if a.shape[-1] == 0 or a.size == 0:
            return a, jnp.zeros(a.shape[:-2], jnp.int32)
        low = herm_lower(a)
        L = lax.linalg.cholesky(low, symmetrize_input=False)
        failed = jnp.isnan(L).any()
        info = lax.cond(failed, lambda: _chol_info(low), lambda: jnp.zeros(a.shape[:-2], jnp.int32))
        L = jnp.tril(L)
        return (mH(L) if upper else L), info

    return f


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """torch.linalg.cholesky_ex: (L, info); reads only the lower triangle, as LAPACK does."""
    check_matrix(A, "linalg.cholesky")
    r = go(_chol, (A._dtype, bool(upper)), _chol_kernel(bool(upper)), (A,), (A._dtype, _I32),
           multi=True)
    if check_errors:
        _chol_raise(r[1], "linalg.cholesky_ex")
    return outs(_rt.linalg_cholesky_ex(r), out)


def _chol_raise(info, fname="linalg.cholesky"):
    batch_message(info, fname, lambda i: (
        "The factorization could not be completed because the input is not positive-definite "
        f"(the leading minor of order {i} is not positive-definite)."))


def linalg_cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """torch.linalg.cholesky; a non positive-definite input raises torch.linalg.LinAlgError."""
    L, info = cholesky_ex(A, upper=upper)
    _chol_raise(info)
    return outs(L, out)


def cholesky(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """torch.cholesky (deprecated in torch in favour of torch.linalg.cholesky)."""
    check_matrix(input, "cholesky")
    L, info = cholesky_ex(input, upper=upper)
    _chol_raise(info, "cholesky")
    return outs(L, out)


_chol_solve = Op("cholesky_solve", "CholeskySolveBackward0")
_chol_inv = Op("cholesky_inverse", "CholeskyInverseBackward0")


def _potrs(b, f_, upper):
    """A^-1 b with A = L L^H (or U^H U), reading only the factor's triangle, as LAPACK's potrs."""
    if upper:
        f_ = mH(f_)
    y = lax.linalg.triangular_solve(f_, b, left_side=True, lower=True)
    return lax.linalg.triangular_solve(f_, y, left_side=True, lower=True, transpose_a=True,
                                       conjugate_a=True)


@functools.partial(jax.custom_jvp, nondiff_argnums=(2,))
def _chol_solve_core(b, f_, upper):
    return _potrs(b, f_, upper)


@_chol_solve_core.defjvp
def _chol_solve_jvp(upper, primals, tangents):
    # torch's cholesky_solve / cholesky_inverse backward differentiate A = L L^H (U^H U) with the
    # factor taken as a full matrix, while the solves read its triangle only.
    b, f_ = primals
    db, df = tangents
    x = _potrs(b, f_, upper)
    da = mm(mH(df), f_) + mm(mH(f_), df) if upper else mm(df, mH(f_)) + mm(f_, mH(df))
    return x, _potrs(db - mm(da, x), f_, upper)


def _chol_solve_kernel(upper):
    def f(b, f_):
        return _chol_solve_core(b, f_, upper)

    return f


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """torch.cholesky_solve: solve A X = B given A's Cholesky factor."""
    check_matrix(input, "cholesky_solve", "input", square=False)
    check_matrix(input2, "cholesky_solve", "input2")
    same_dtype(input2, input, "cholesky_solve", "input2", "input")
    if input.shape[-2] != input2.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{input2.shape[-1]} by {input2.shape[-1]} but each b matrix is "
                           f"{input.shape[-2]} by {input.shape[-1]}")
    batch = broadcast_shapes(input.shape[:-2], input2.shape[:-2])
    b = bexpand(input, batch)
    u = bexpand(input2, batch)
    r = go(_chol_solve, (input._dtype, bool(upper)), _chol_solve_kernel(bool(upper)), (b, u),
           input._dtype)
    return outs(r, out)


def cholesky_inverse(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """torch.cholesky_inverse: inverse of A from its Cholesky factor."""
    check_matrix(input, "cholesky_inverse", "input")
    solve = _chol_solve_kernel(bool(upper))
    r = go(_chol_inv, (input._dtype, bool(upper)), lambda u: solve(_eye_like(u), u), (input,),
           input._dtype)
    return outs(r, out)


# ---------------------------------------------------------------- LU


_lu_factor = Op("linalg_lu_factor_ex", "LinalgLuFactorExBackward0")
_lu = Op("linalg_lu", "LinalgLuBackward0")
_lu_solve = Op("linalg_lu_solve", "LinalgLuSolveBackward0")
_lu_unpack = Op("lu_unpack", "LuUnpackBackward0")


def _lu_kernel(a):
    k = min(a.shape[-2:])
    if a.size == 0:
        return a, jnp.ones(a.shape[:-2] + (k,), jnp.int32), jnp.zeros(a.shape[:-2], jnp.int32)
    lu, piv, _ = lax.linalg.lu(a)
    return lu, (piv + 1).astype(jnp.int32), lu_info(lu)


def _check_pivot(pivot, fname):
    if not pivot:
        raise RuntimeError(f"{fname}: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """torch.linalg.lu_factor_ex: (LU, pivots, info) with 1-based LAPACK pivots."""
    check_matrix(A, "torch.linalg.lu_factor_ex", square=False)
    _check_pivot(pivot, "linalg.lu_factor")
    r = go(_lu_factor, A._dtype, _lu_kernel, (A,), (A._dtype, _I32, _I32), multi=True)
    if check_errors:
        _lu_raise(r[2], "torch.linalg.lu_factor_ex")
    return outs(_rt.linalg_lu_factor_ex(r), out)


def _lu_raise(info, fname="torch.linalg.lu_factor"):
    # torch raises a plain RuntimeError here, not LinAlgError.
    try:
        _lu_raise_linalg(info, fname)
    except LinAlgError as e:
        raise RuntimeError(str(e)) from None


def _lu_raise_linalg(info, fname):
    batch_message(info, fname, lambda i: (
        f"U[{i},{i}] is zero and using it on lu_solve would result in a division by zero. If you "
        "still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
        "linalg.lu_factor_ex(A, pivot)"))


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """torch.linalg.lu_factor: (LU, pivots); raises on an exactly singular matrix, as torch."""
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    _lu_raise(info)
    return outs(_rt.linalg_lu_factor((LU, piv)), out)


def _perm_matrix(perm, dtype):
    # P with A = P L U, where A[perm] = L U: P[perm[i], i] = 1.
    m = perm.shape[-1]
    return jnp.swapaxes(jnp.eye(m, dtype=dtype)[perm], -1, -2)


def _unpack(lu, perm):
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = jnp.tril(lu[..., :, :k], -1) + jnp.eye(m, k, dtype=lu.dtype)
    U = jnp.triu(lu[..., :k, :])
    return _perm_matrix(perm, lu.dtype), L, U


def _plu_kernel(a):
    m = a.shape[-2]
    if a.size == 0:
        perm = jnp.broadcast_to(jnp.arange(m, dtype=jnp.int32), a.shape[:-2] + (m,))
        return _unpack(a, perm)
    lu, _, perm = lax.linalg.lu(a)
    return _unpack(lu, perm)


def linalg_lu(A: Tensor, *, pivot: bool = True, out=None):
    """torch.linalg.lu: (P, L, U) with A = P L U."""
    check_matrix(A, "linalg.lu", square=False)
    _check_pivot(pivot, "linalg.lu_factor")
    dt = A._dtype
    return outs(_rt.linalg_lu(go(_lu, dt, _plu_kernel, (A,), (dt, dt, dt), multi=True)), out)


def _perm_from_pivots(piv, m):
    return lax.linalg.lu_pivots_to_permutation(piv - 1, m)


def _check_pivots(LU, pivots, fname):
    need_tensor(pivots, fname, "pivots", 2)
    if pivots._dtype is not _dt.int32:
        raise RuntimeError(f"{fname}: pivots should be a Tensor of scalar type torch.int32")
    if tuple(pivots.shape) != tuple(LU.shape[:-2]) + (min(LU.shape[-2:]),):
        raise RuntimeError(f"{fname}: Expected pivots of shape {list(LU.shape[:-2])} + "
                           f"[{min(LU.shape[-2:])}], got {list(pivots.shape)}")


def linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
                    adjoint: bool = False, out=None) -> Tensor:
    """torch.linalg.lu_solve: solve A X = B (left) or X A = B from A's LU factorization."""
    check_matrix(LU, "linalg.lu_solve", "LU")
    check_matrix(B, "linalg.lu_solve", "B", square=False)
    same_dtype(LU, B, "linalg.lu_solve", "LU", "B")
    _check_pivots(LU, pivots, "linalg.lu_solve")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    batch = broadcast_shapes(LU.shape[:-2], B.shape[:-2])
    lu_t = bexpand(LU, batch)
    piv_t = bexpand(pivots, batch, 1)
    b_t = bexpand(B, batch)

    def f(lu, piv, b):
        perm = _perm_from_pivots(piv, lu.shape[-1])
        if left:
            return lu_solve_perm(lu, perm, b, adjoint)
        # X A = B  <=>  A^H X^H = B^H
        return mH(lu_solve_perm(lu, perm, mH(b), not adjoint))

    r = go(_lu_solve, (LU._dtype, left, adjoint), f, (lu_t, piv_t, b_t), LU._dtype)
    return outs(r, out)


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out=None) -> Tensor:
    """torch.lu_solve (deprecated form of torch.linalg.lu_solve(LU, pivots, B))."""
    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True, *, out=None):
    """torch.lu_unpack: (P, L, U) from lu_factor's output; skipped parts are empty tensors."""
    need_tensor(LU_data, "lu_unpack", "LU_data", 1)
    _check_pivots(LU_data, LU_pivots, "lu_unpack")
    dt = LU_data._dtype

    def f(lu, piv):
        m = lu.shape[-2]
        if piv.size:
            perm = _perm_from_pivots(piv, m)
        else:
            perm = jnp.broadcast_to(jnp.arange(m, dtype=jnp.int32), piv.shape[:-1] + (m,))
        P, L, U = _unpack(lu, perm)
        e = jnp.zeros((0,), lu.dtype)
        return (P if unpack_pivots else e, L if unpack_data else e, U if unpack_data else e)

    r = go(_lu_unpack, (dt, unpack_data, unpack_pivots), f, (LU_data, LU_pivots), (dt, dt, dt),
           multi=True)
    return outs(_rt.lu_unpack(r), out)


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """torch.lu (deprecated): (A_LU, pivots[, infos]) as torch.linalg.lu_factor_ex gives them."""
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    r = _rt._lu_with_info((LU, piv, info)) if get_infos else (LU, piv)
    return outs(r, out)


# ---------------------------------------------------------------- solve


_solve = Op("linalg_solve_ex", "LinalgSolveExBackward0")


def _solve_impl(A, B, left, fname):
    check_matrix(A, fname)
    need_tensor(B, fname, "B", 2)
    same_dtype(A, B, fname)
    n = A.shape[-1]
    vec = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    # torch makes a vector B a column whatever ``left`` says, and names solve in both entries
    Bm = B.unsqueeze(-1) if vec else B
    if (Bm.shape[-2] if left else Bm.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{Bm.shape[-2]}x{Bm.shape[-1]})")
    if vec and not left:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                           "supported for left=False. In this case linalg.solve is equivalent "
                           "to B / A.squeeze(-1)")
    bt = bexpand(Bm, broadcast_shapes(A.shape[:-2], Bm.shape[:-2]))

    def f(a, b):
        # A is factored once over its own batch (info has A's batch shape, as in torch) and
        # the factors are broadcast over B's
        if not left:
            a, b = mT(a), mT(b)
        if a.size:
            lu, _, perm = lax.linalg.lu(a)
            info = lu_info(lu)
        else:
            info = jnp.zeros(a.shape[:-2], jnp.int32)
        if a.size == 0 or b.size == 0:
            x = jnp.zeros(b.shape, b.dtype)
        else:
            bb = b.shape[:-2]
            x = lu_solve_perm(jnp.broadcast_to(lu, bb + lu.shape[-2:]),
                              jnp.broadcast_to(perm, bb + perm.shape[-1:]), b)
        if vec:
            x = x[..., 0]
        elif not left:
            x = mT(x)
        return x, info

    return go(_solve, (A._dtype, left, vec), f, (A, bt), (A._dtype, _I32), multi=True)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """torch.linalg.solve_ex: (result, info)."""
    r = _solve_impl(A, B, left, "linalg.solve_ex")
    if check_errors:
        _solve_raise(r[1], "torch.linalg.solve_ex")
    return outs(_rt.linalg_solve_ex(r), out)


def _solve_raise(info, fname="torch.linalg.solve"):
    batch_message(info, fname, lambda i: (
        "The solver failed because the input matrix is singular."))


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """torch.linalg.solve; a singular A raises torch.linalg.LinAlgError."""
    x, info = _solve_impl(A, B, left, "linalg.solve")
    _solve_raise(info)
    return outs(x, out)


_solve_tri = Op("linalg_solve_triangular", "LinalgSolveTriangularBackward0")
_tri_solve = Op("triangular_solve", "TriangularSolveBackward0")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """torch.linalg.solve_triangular: only A's upper (or lower) triangle is read."""
    check_matrix(A, "linalg.solve_triangular")
    check_matrix(B, "linalg.solve_triangular", "B", square=False)
    same_dtype(A, B, "linalg.solve_triangular")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    batch = broadcast_shapes(A.shape[:-2], B.shape[:-2])
    at, bt = bexpand(A, batch), bexpand(B, batch)

    def f(a, b):
        if b.size == 0:
            return jnp.zeros(b.shape, b.dtype)
        return lax.linalg.triangular_solve(a, b, left_side=left, lower=not upper,
                                           unit_diagonal=unitriangular)

    key = (A._dtype, bool(upper), bool(left), bool(unitriangular))
    return outs(go(_solve_tri, key, f, (at, bt), A._dtype), out)


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out=None):
    """torch.triangular_solve (deprecated): (solution, cloned_coefficient) of op(A) X = b."""
    check_matrix(b, "torch.triangular_solve", "self", square=False)
    check_matrix(A, "torch.triangular_solve", "A")
    same_dtype(A, b, "torch.triangular_solve", "A", "self")
    n = A.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f"torch.triangular_solve: Incompatible matrix sizes for "
                           f"triangular_solve: each A matrix is {n} by {n} but each b matrix is "
                           f"{b.shape[-2]} by {b.shape[-1]}")
    batch = broadcast_shapes(A.shape[:-2], b.shape[:-2])
    at, bt = bexpand(A, batch), bexpand(b, batch)

    def f(bb, a):
        x = jnp.zeros(bb.shape, bb.dtype) if bb.size == 0 else lax.linalg.triangular_solve(
            a, bb, left_side=True, lower=not upper, transpose_a=transpose,
            unit_diagonal=unitriangular)
        return x, a

    key = (A._dtype, bool(upper), bool(transpose), bool(unitriangular))
    r = go(_tri_solve, key, f, (bt, at), (A._dtype, A._dtype), multi=True)
    return outs(_rt.triangular_solve(r), out)


# ---------------------------------------------------------------- tensorinv / tensorsolve


def tensorinv(A: Tensor, ind: int = 2, *, out=None) -> Tensor:
    """torch.linalg.tensorinv."""
    need_tensor(A, "linalg_tensorinv", "input")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    s1, s2 = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    p1, p2 = int(np.prod(s1)), int(np.prod(s2))
    if p1 != p2:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {p2} != {p1}")
    r = inv(A.reshape(p1, p2)).reshape(*s2, *s1)
    return outs(r, out)


def tensorsolve(A: Tensor, B: Tensor, dims=None, *, out=None) -> Tensor:
    """torch.linalg.tensorsolve."""
    need_tensor(A, "linalg_tensorsolve", "input")
    need_tensor(B, "linalg_tensorsolve", "other", 2)
    nd = A.dim()
    if dims is not None:
        dims = [d % nd for d in dims]
        rest = [d for d in range(nd) if d not in dims]
        A = A.permute(*rest, *dims)
    bsz = B.numel()
    xshape = tuple(A.shape[B.dim():])
    psz = int(np.prod(xshape))
    if bsz != psz:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:"
                           f"]) == prod(self.shape[:other.ndim]), but got {psz} != {bsz}")
    r = solve(A.reshape(bsz, psz), B.reshape(bsz)).reshape(*xshape)
    return outs(r, out)


__all__ = ["LinAlgError", "inv", "inv_ex", "inverse", "det", "slogdet", "logdet", "cholesky",
           "cholesky_ex", "linalg_cholesky", "cholesky_solve", "cholesky_inverse", "lu_factor",
           "lu_factor_ex", "linalg_lu", "linalg_lu_solve", "lu_solve", "lu_unpack", "lu", "solve",
           "solve_ex", "solve_triangular", "triangular_solve", "tensorinv", "tensorsolve"]
