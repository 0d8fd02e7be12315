"""torch.linalg decompositions: qr, eig(h), svd and what builds on them (pinv, matrix_rank,
lstsq, matrix_exp), Householder products, geqrf/ormqr, low-rank SVD/PCA, LDL (§10–11)."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
from jax import lax

try:  # LAPACK's geqrf is not re-exported by jax.lax.linalg
    from jax._src.lax.linalg import geqrf as _geqrf_lapack
except ImportError:  # pragma: no cover - older/newer JAX layouts
    _geqrf_lapack = None

from .. import return_types as _rt
from .._core import dtypes as _dt
from .._core.registry import Op, broadcast_shapes, requires_grad_any
from .._core.tensor import Tensor
from .._core.tracing import GraphBreak
from .linalg import (
    batch_message,
    bexpand,
    check_float,
    check_matrix,
    go,
    herm_lower,
    mH,
    mm,
    need_tensor,
    outs,
    same_dtype,
)

# ---------------------------------------------------------------- QR


_qr = Op("linalg_qr", "LinalgQrBackward0")
_QR_MODES = ("reduced", "complete", "r")


def _qr_kernel(mode):
    def f(a):
        m, n = a.shape[-2:]
        k = min(m, n)
        if a.size == 0:
            qc = m if mode == "complete" else k
            q = jnp.broadcast_to(jnp.eye(m, qc, dtype=a.dtype), a.shape[:-2] + (m, qc))
            r = jnp.zeros(a.shape[:-2] + (qc, n), a.dtype)
            return (jnp.zeros((0,), a.dtype) if mode == "r" else q), r
        if mode == "r":
            return jnp.zeros((0,), a.dtype), jnp.linalg.qr(a, mode="r")
        q, r = jnp.linalg.qr(a, mode=mode)
        return q, r

    return f


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """torch.linalg.qr: (Q, R) with mode 'reduced' | 'complete' | 'r' (Q empty)."""
    check_matrix(A, "linalg.qr", square=False)
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    dt = A._dtype
    m, n = A.shape[-2:]
    if requires_grad_any((A,)) and (mode == "r" or (mode == "complete" and m > n)):
        # torch records these and raises when backward reaches them
        msg = ("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
               "through linalg.qr." if mode == "r" else "The QR decomposition is not "
               "differentiable when mode='complete' and nrows > ncols.")
        return outs(_rt.linalg_qr(_no_backward(A, msg, lambda t: tuple(qr(t, mode)))), out)
    return outs(_rt.linalg_qr(go(_qr, (dt, mode), _qr_kernel(mode), (A,), (dt, dt), multi=True)),
                out)


def _no_backward(A, msg, compute, exc=RuntimeError, name="LinalgQrBackward0", others=()):
    """Outputs of ``compute(A, *others)`` whose backward raises ``exc(msg)``, as torch's does."""
    from ..autograd import Function

    class NoBackward(Function):
        @staticmethod
        def forward(ctx, *ts):
            return compute(*(t.detach() for t in ts))

        @staticmethod
        def backward(ctx, *grads):
            raise exc(msg)

    NoBackward.__name__ = NoBackward.__qualname__ = name
    return NoBackward.apply(A, *others)


def qr_legacy(input: Tensor, some: bool = True, *, out=None):
    """torch.qr (deprecated): some=True is mode 'reduced', some=False 'complete'."""
    r = qr(input, "reduced" if some else "complete")
    return outs(_rt.qr(tuple(r)), out)


# ---------------------------------------------------------------- eigen


_eig = Op("linalg_eig", "LinalgEigBackward0")
_eigh = Op("linalg_eigh", "LinalgEighBackward0")


def _eig_kernel(vectors):
    def f(a):
        if a.size == 0:
            cd = (a + 0j).dtype if not jnp.iscomplexobj(a) else a.dtype
            w = jnp.zeros(a.shape[:-1], cd)
            return (w, jnp.zeros(a.shape, cd)) if vectors else w
        if vectors:
            # torch differentiates eigenvectors (for gauge-invariant losses) as well
            w, v = lax.linalg.eig(a, compute_left_eigenvectors=False, enable_eigvec_derivs=True)
            return w, v
        return jnp.linalg.eigvals(a)

    return f


def eig(A: Tensor, *, out=None):
    """torch.linalg.eig: complex (eigenvalues, eigenvectors), vectors of unit norm (LAPACK geev)."""
    check_matrix(A, "linalg.eig")
    cd = A._dtype.to_complex()
    r = go(_eig, (A._dtype, True), _eig_kernel(True), (A,), (cd, cd), multi=True)
    return outs(_rt.linalg_eig(r), out)


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.eigvals: complex eigenvalues."""
    check_matrix(A, "linalg.eigvals")
    cd = A._dtype.to_complex()
    return outs(go(_eig, (A._dtype, False), _eig_kernel(False), (A,), cd), out)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def _eigh_kernel(uplo, vectors):
    def f(a):
        rd = jnp.real(a).dtype
        if a.size == 0:
            w = jnp.zeros(a.shape[:-1], rd)
            return (w, jnp.zeros(a.shape, a.dtype)) if vectors else w
        w, v = jnp.linalg.eigh(herm_lower(a, uplo), symmetrize_input=False)
        return (w, v) if vectors else w

    return f


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors) from one triangle of A."""
    check_matrix(A, "linalg.eigh")
    uplo = _check_uplo(UPLO)
    dt = A._dtype
    r = go(_eigh, (dt, uplo, True), _eigh_kernel(uplo, True), (A,), (dt.to_real(), dt),
           multi=True)
    return outs(_rt.linalg_eigh(r), out)


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """torch.linalg.eigvalsh."""
    check_matrix(A, "linalg.eigh")
    uplo = _check_uplo(UPLO)
    dt = A._dtype
    return outs(go(_eigh, (dt, uplo, False), _eigh_kernel(uplo, False), (A,), dt.to_real()), out)


# ---------------------------------------------------------------- SVD


_svd = Op("linalg_svd", "LinalgSvdBackward0")


def _svd_kernel(full, uv):
    def f(a):
        m, n = a.shape[-2:]
        k = min(m, n)
        rd = jnp.real(a).dtype
        if a.size == 0:
            s = jnp.zeros(a.shape[:-2] + (k,), rd)
            if not uv:
                return s
            um, vn = (m, n) if full else (k, k)
            u = jnp.broadcast_to(jnp.eye(m, um, dtype=a.dtype), a.shape[:-2] + (m, um))
            vh = jnp.broadcast_to(jnp.eye(vn, n, dtype=a.dtype), a.shape[:-2] + (vn, n))
            return u, s, vh
        if not uv:
            return jnp.linalg.svd(a, compute_uv=False)
        if full and m != n:
            return _svd_full(a)
        u, s, vh = jnp.linalg.svd(a, full_matrices=full)
        return u, s, vh

    return f


@jax.custom_jvp
def _svd_full(a):
    u, s, vh = jnp.linalg.svd(a, full_matrices=True)
    return u, s, vh


@_svd_full.defjvp
def _svd_full_jvp(primals, tangents):
    # JAX differentiates only the reduced SVD.  As torch does, the extra columns of a full U
    # (rows of Vh) get no gradient; the first k follow JAX's reduced-SVD rule.
    (a,), (da,) = primals, tangents
    uf, s, vhf = _svd_full(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    u, vt = uf[..., :, :k], vhf[..., :k, :]
    v = mH(vt)
    sd = s[..., None, :]
    ds_mat = mm(mm(mH(u), da), v)
    ds = jnp.real(jnp.diagonal(ds_mat, axis1=-2, axis2=-1))
    eye = jnp.eye(k, dtype=s.dtype)
    diffs = (sd + jnp.swapaxes(sd, -1, -2)) * (sd - jnp.swapaxes(sd, -1, -2))
    f = 1 / (diffs + eye) - eye
    sdc = sd.astype(a.dtype)
    dss = sdc * ds_mat
    sds = jnp.swapaxes(sdc, -1, -2) * ds_mat
    zeros = (s == 0).astype(s.dtype)
    s_inv = 1 / (s + zeros) - zeros
    diag_term = 0.5 * (ds_mat - mH(ds_mat)) * (s_inv[..., None, :] * eye).astype(a.dtype)
    du = mm(u, f.astype(a.dtype) * (dss + mH(dss)) + diag_term)
    dv = mm(v, f.astype(a.dtype) * (sds + mH(sds)))
    if m > n:
        dav = mm(da, v)
        du = du + (dav - mm(u, mm(mH(u), dav))) / sdc
    if n > m:
        dahu = mm(mH(da), u)
        dv = dv + (dahu - mm(v, mm(vt, dahu))) / sdc
    du_full = jnp.concatenate([du, jnp.zeros(uf.shape[:-1] + (m - k,), a.dtype)], -1)
    dvh_full = jnp.concatenate([mH(dv), jnp.zeros(vhf.shape[:-2] + (n - k, n), a.dtype)], -2)
    return (uf, s, vhf), (du_full, ds, dvh_full)


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None, out=None):
    """torch.linalg.svd: (U, S, Vh); ``driver`` (a CUDA-only choice in torch) is accepted."""
    check_matrix(A, "linalg.svd", square=False)
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    dt = A._dtype
    r = go(_svd, (dt, bool(full_matrices), True), _svd_kernel(bool(full_matrices), True), (A,),
           (dt, dt.to_real(), dt), multi=True)
    return outs(_rt.linalg_svd(r), out)


def svdvals(A: Tensor, *, driver: str | None = None, out=None) -> Tensor:
    """torch.linalg.svdvals: singular values, descending."""
    check_matrix(A, "linalg.svd", square=False)
    dt = A._dtype
    return outs(go(_svd, (dt, False, False), _svd_kernel(False, False), (A,), dt.to_real()), out)


def svd_legacy(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """torch.svd (deprecated): (U, S, V) with V, not Vh; compute_uv=False zero-fills U and V."""
    check_matrix(input, "linalg.svd", square=False)
    dt = input._dtype
    if not compute_uv:
        s = svdvals(input)
        m, n = input.shape[-2:]
        z = jnp.zeros
        u = Tensor._make(z(tuple(input.shape[:-2]) + (m, m), dt.np), dt)
        v = Tensor._make(z(tuple(input.shape[:-2]) + (n, n), dt.np), dt)
        return outs(_rt.svd((u, s, v)), out)
    U, S, Vh = svd(input, full_matrices=not some)
    return outs(_rt.svd((U, S, Vh.mH)), out)


# ---------------------------------------------------------------- pinv, rank


_pinv = Op("linalg_pinv", "LinalgPinvBackward0")


def _tol_arrays(A, atol, rtol, fname):
    """(atol, rtol) as tensors (or None) the way torch defaults them."""
    rd = A._dtype.to_real()

    def conv(v):
        if v is None:
            return None
        if isinstance(v, Tensor):
            return v.to(rd) if v._dtype is not rd else v
        return Tensor._make(jnp.asarray(v, rd.np), rd)

    a, r = conv(atol), conv(rtol)
    if r is None:
        # Given any atol, the default rtol is 0 (whatever atol's values: no host read).
        if a is None:
            eps = float(np.finfo(rd.np).eps) * max(A.shape[-2:])
            r = Tensor._make(jnp.asarray(eps, rd.np), rd)
        else:
            r = Tensor._make(jnp.asarray(0.0, rd.np), rd)
    if a is None:
        a = Tensor._make(jnp.asarray(0.0, rd.np), rd)
    return a, r


def _pinv_value(x, atol, rtol, hermitian):
    if hermitian:
        w, v = jnp.linalg.eigh(herm_lower(x), symmetrize_input=False)
        aw = jnp.abs(w)
        smax = jnp.max(aw, -1, keepdims=True)
        tol = jnp.maximum(atol[..., None], rtol[..., None] * smax)
        winv = jnp.where(aw > tol, 1 / jnp.where(aw > tol, w, 1), 0).astype(x.dtype)
        return mm(v * winv[..., None, :], mH(v))
    u, s, vh = jnp.linalg.svd(x, full_matrices=False)
    tol = jnp.maximum(atol[..., None], rtol[..., None] * s[..., :1])
    sinv = jnp.where(s > tol, 1 / jnp.where(s > tol, s, 1), 0).astype(x.dtype)
    return mm(mH(vh) * sinv[..., None, :], mH(u))


@functools.partial(jax.custom_jvp, nondiff_argnums=(3,))
def _pinv_core(x, atol, rtol, hermitian):
    return _pinv_value(x, atol, rtol, hermitian)


@_pinv_core.defjvp
def _pinv_jvp(hermitian, primals, tangents):
    # torch's pinv_backward: the constant-rank derivative of A^+ for a general A (also used
    # when hermitian=True), dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P.
    x, atol, rtol = primals
    dx = tangents[0]
    p = _pinv_core(x, atol, rtol, hermitian)
    dxh = mH(dx)
    ph = mH(p)
    i_m = jnp.eye(x.shape[-2], dtype=x.dtype)
    i_n = jnp.eye(x.shape[-1], dtype=x.dtype)
    dp = (-mm(mm(p, dx), p) + mm(mm(mm(p, ph), dxh), i_m - mm(x, p))
          + mm(mm(mm(i_n - mm(p, x), dxh), ph), p))
    return p, dp


def _pinv_kernel(hermitian):
    def f(x, atol, rtol):
        m, n = x.shape[-2:]
        if x.size == 0:
            return jnp.zeros(x.shape[:-2] + (n, m), x.dtype)
        return _pinv_core(x, atol, rtol, hermitian)

    return f


def pinv(A: Tensor, rcond=None, hermitian: bool = False, *, atol=None, rtol=None,
         out=None) -> Tensor:
    """torch.linalg.pinv (``rcond`` is the deprecated name of ``rtol``)."""
    need_tensor(A, "linalg_pinv", "input")
    if A.dim() < 2 or not (A._dtype in (_dt.float32, _dt.float64) or A._dtype.is_complex):
        raise RuntimeError(f"linalg.pinv({A._dtype._tag}{{{list(A.shape)}}}): expected a tensor "
                           "with 2 or more dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        rtol = rcond
    a, r = _tol_arrays(A, atol, rtol, "linalg.pinv")
    batch = broadcast_shapes(A.shape[:-2], a.shape, r.shape)
    At = bexpand(A, batch)
    a, r = bexpand(a, batch, 0), bexpand(r, batch, 0)
    return outs(go(_pinv, (A._dtype, bool(hermitian)), _pinv_kernel(bool(hermitian)), (At, a, r),
                   A._dtype), out)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


_rank = Op("linalg_matrix_rank", differentiable=False)


def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None,
                out=None) -> Tensor:
    """torch.linalg.matrix_rank: count of singular values above max(atol, rtol * smax)."""
    check_matrix(A, "torch.linalg.matrix_rank", "input", square=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    a, r = _tol_arrays(A, atol, rtol, "linalg.matrix_rank")
    batch = broadcast_shapes(A.shape[:-2], a.shape, r.shape)
    At = bexpand(A, batch)
    a, r = bexpand(a, batch, 0), bexpand(r, batch, 0)

    def f(x, atol_, rtol_):
        if x.size == 0:
            return jnp.zeros(x.shape[:-2], jnp.int64)
        s = jnp.abs(jnp.linalg.eigvalsh(herm_lower(x), symmetrize_input=False)) if hermitian \
             else jnp.linalg.svd(x, compute_uv=False)
        smax = jnp.max(s, -1, keepdims=True)
        tol_ = jnp.maximum(atol_[..., None], rtol_[..., None] * smax)
        return jnp.sum(s > tol_, -1).astype(jnp.int64)

    return outs(go(_rank, (A._dtype, bool(hermitian)), f, (At, a, r), _dt.int64), out)


# ---------------------------------------------------------------- lstsq


_lstsq = Op("linalg_lstsq", "LinalgLstsqBackward0")
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver: str | None = None):
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values) as torch's CPU drivers
    fill them (gels: neither rank nor singular values; gelsy: rank; gelsd/gelss: both)."""
    need_tensor(A, "linalg_lstsq", "self")
    need_tensor(B, "linalg_lstsq", "b", 2)
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if B.dim() < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    check_float(A, "torch.linalg.lstsq")
    same_dtype(A, B, "torch.linalg.lstsq", "input", "other")
    driver = driver or "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    m, n = A.shape[-2:]
    vec = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vec else B
    if Bm.shape[-2] != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    batch = broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    At, Bt = bexpand(A, batch), bexpand(Bm, batch)
    rd = A._dtype.to_real()
    eps = float(np.finfo(rd.np).eps)
    rc = eps * max(m, n) if rcond is None else float(rcond)

    def f(a, b):
        k = b.shape[-1]
        m, n = a.shape[-2:]
        if a.size == 0 or b.size == 0:
            x = jnp.zeros(a.shape[:-2] + (n, k), a.dtype)
            sv = jnp.zeros(a.shape[:-2] + (min(m, n),), jnp.real(a).dtype)
            rank = jnp.zeros(a.shape[:-2], jnp.int64)
            info = jnp.zeros(a.shape[:-2], jnp.int32)
        elif driver == "gels":
            if m >= n:
                q, r = jnp.linalg.qr(a)
                x = lax.linalg.triangular_solve(r, mm(mH(q), b), left_side=True, lower=False)
            else:  # minimum-norm solution through the QR of A^H
                q, r = jnp.linalg.qr(mH(a))
                y = lax.linalg.triangular_solve(r, b, left_side=True, lower=False,
                                                transpose_a=True, conjugate_a=True)
                x = mm(q, y)
                r = mH(r)
            d = jnp.diagonal(r, axis1=-2, axis2=-1)
            zero = d == 0
            info = jnp.where(zero.any(-1), jnp.argmax(zero, -1) + 1, 0).astype(jnp.int32)
            sv = rank = None
        else:
            s = jnp.linalg.svd(lax.stop_gradient(a), compute_uv=False)
            keep = s > rc * s[..., :1]
            # X = pinv(A) B with the same cutoff; pinv's derivative rule is the one torch's
            # lstsq backward uses (differentiating through the SVD's U, V loses ~1e-2 in float32)
            x = mm(jnp.linalg.pinv(a, rtol=rc), b)
            sv, rank = s, jnp.sum(keep, -1).astype(jnp.int64)
            info = jnp.zeros(a.shape[:-2], jnp.int32)
        e = jnp.zeros((0,), jnp.real(a).dtype)
        if m > n and driver != "gelsy" and a.size:
            res = jnp.sum(jnp.abs(b - mm(a, x)) ** 2, -2)
        else:
            res = e
        if vec:
            x = x[..., 0]
            if res.ndim:
                res = res[..., 0] if res.shape != (0,) else res
        if driver == "gels":
            return x, res, jnp.zeros((0,), jnp.int64), e, info
        if driver == "gelsy":
            return x, res, rank, e, info
        return x, res, rank, sv, info

    dt = A._dtype
    x, res, rank, sv, info = go(_lstsq, (dt, driver, rc, vec), f, (At, Bt),
                                (dt, rd, _dt.int64, rd, _dt.int32), multi=True)
    if driver == "gels":
        batch_message(info, "torch.linalg.lstsq", lambda i: (
            "The least squares solution could not be computed because the input matrix does not "
            f"have full rank (error code: {i})."))
    elif res.numel() and not bool((rank == min(m, n)).all()):
        # residuals exist only when every matrix has full rank (a data-dependent shape)
        res = Tensor._make(jnp.zeros((0,), rd.np), rd)
    return _rt.linalg_lstsq((x, res, rank, sv))


# ---------------------------------------------------------------- matrix_exp


_mexp = Op("linalg_matrix_exp", "LinalgMatrixExpBackward0")


def matrix_exp(A: Tensor) -> Tensor:
    """torch.linalg.matrix_exp (= torch.matrix_exp); Pade approximation (jax.scipy's expm)."""
    check_matrix(A, "linalg.matrix_exp")

    def f(a):
        if a.size == 0:
            return a
        # float32 in float64: torch's Taylor scheme and expm's Pade scheme round differently,
        # and float32 Pade drifts past float32 tolerance on large-norm inputs.
        wide = a.astype(jnp.complex128 if jnp.iscomplexobj(a) else jnp.float64)
        flat = wide.reshape((-1,) + a.shape[-2:])
        return jax.vmap(jsl.expm)(flat).reshape(a.shape).astype(a.dtype)

    return go(_mexp, A._dtype, f, (A,), A._dtype)


# ---------------------------------------------------------------- Householder


_hh = Op("linalg_householder_product", "LinalgHouseholderProductBackward0")
_ormqr = Op("ormqr", "OrmqrBackward0")
_geqrf = Op("geqrf", differentiable=False)


def _reflectors(a, tau, ncols):
    """Q = H_1 ... H_k applied to the first ``ncols`` columns of the identity."""
    m = a.shape[-2]
    k = tau.shape[-1]
    q = jnp.broadcast_to(jnp.eye(m, ncols, dtype=a.dtype), a.shape[:-2] + (m, ncols))
    rows = jnp.arange(m)
    for i in reversed(range(k)):  # H_i = I - tau_i v_i v_i^H, v_i = [0.., 1, a[i+1:, i]]
        v = jnp.where(rows == i, 1, jnp.where(rows > i, a[..., :, i], 0)).astype(a.dtype)
        w = jnp.einsum("...m,...mn->...n", jnp.conj(v), q, precision="highest")
        q = q - tau[..., i, None, None] * v[..., :, None] * w[..., None, :]
    return q


def householder_product(A: Tensor, tau: Tensor, *, out=None) -> Tensor:
    """torch.linalg.householder_product (= torch.orgqr): the first n columns of H_1 ... H_k."""
    check_matrix(A, "torch.linalg.householder_product", "input", square=False)
    need_tensor(tau, "linalg_householder_product", "tau", 2)
    same_dtype(A, tau, "torch.linalg.householder_product", "input", "tau")
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than "
                           "or equal to input.shape[-1]")
    if tau.shape[-1] > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than "
                           "or equal to tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError("torch.linalg.householder_product: Expected batch dimensions of tau to "
                           "be equal to input.shape[:-2]")
    r = go(_hh, A._dtype, lambda a, t: _reflectors(a, t, a.shape[-1]), (A, tau), A._dtype)
    return outs(r, out)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr (alias of torch.linalg.householder_product)."""
    return householder_product(input, tau)


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True, transpose: bool = False,
          *, out=None) -> Tensor:
    """torch.ormqr: multiply ``other`` by the Q of geqrf's (input, tau)."""
    need_tensor(input, "ormqr", "input")
    if input.dim() < 2:
        raise RuntimeError("torch.ormqr: input must have at least 2 dimensions.")
    need_tensor(other, "ormqr", "other", 3)
    if other.dim() < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    mq = other.shape[-2] if left else other.shape[-1]
    k = tau.shape[-1] if tau.dim() else 0
    if k > mq:
        raise RuntimeError("torch.ormqr: tau.shape[-1] must be less than or equal to "
                           f"{'other.shape[-2]' if left else 'other.shape[-1]'}")
    if k != min(other.shape[-2] if left else other.shape[-1], input.shape[-1]) and k > \
            input.shape[-1]:
        raise RuntimeError("torch.ormqr: tau.shape[-1] must be equal to min(other.shape[-2], "
                           "input.shape[-1])")
    if input.shape[-2] != mq:
        raise RuntimeError(f"torch.ormqr: input.shape[-2] must be equal to "
                           f"{'other.shape[-2]' if left else 'other.shape[-1]'}")
    check_float(input, "torch.ormqr")
    same_dtype(input, other, "torch.ormqr", "input", "other")
    same_dtype(input, tau, "torch.ormqr", "input", "tau")

    def f(a, t, c):
        q = _reflectors(a, t, a.shape[-2])
        if transpose:
            q = mH(q)
        return mm(q, c) if left else mm(c, q)

    return outs(go(_ormqr, (input._dtype, left, transpose), f, (input, tau, other),
                   input._dtype), out)


def geqrf(input: Tensor, *, out=None):
    """torch.geqrf: LAPACK's packed QR (a, tau); not differentiable, as in torch."""
    need_tensor(input, "geqrf", "input")
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    check_matrix(input, "torch.geqrf", "input", square=False)
    dt = input._dtype
    if _geqrf_lapack is None:  # pragma: no cover
        raise NotImplementedError("torch.geqrf needs jax's LAPACK geqrf, missing in this JAX")

    def f(a):
        k = min(a.shape[-2:])
        if a.size == 0:
            return a, jnp.zeros(a.shape[:-2] + (k,), a.dtype)
        return _geqrf_lapack(a)

    if requires_grad_any((input,)):
        return outs(_rt.geqrf(_no_backward(
            input, "the derivative for 'geqrf' is not implemented.",
            lambda t: tuple(geqrf(t)), NotImplementedError, "GeqrfBackward0")), out)
    return outs(_rt.geqrf(go(_geqrf, dt, f, (input,), (dt, dt), multi=True)), out)


# ---------------------------------------------------------------- low-rank


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int = 2, M: Tensor | None = None):
    """torch.svd_lowrank: (U, S, V) of rank q.  Computed by an exact SVD truncated to q, not by
    torch's randomized range finder: the result is the best rank-q approximation torch's
    randomized algorithm converges to (values differ from torch's within its approximation)."""
    need_tensor(A, "svd_lowrank", "A")
    m, n = A.shape[-2:]
    q = 6 if q is None else q
    X = A if M is None else A - M
    U, S, Vh = svd(X, full_matrices=False)
    return U[..., :q], S[..., :q], Vh.mH[..., :q]


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True, niter: int = 2):
    """torch.pca_lowrank: (U, S, V) of the (centered) data by an exact truncated SVD."""
    need_tensor(A, "pca_lowrank", "A")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    if not (0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)="
                         f"{min(m, n)}")
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    X = A - A.mean(dim=-2, keepdim=True) if center else A
    return svd_lowrank(X, q, niter)


# ---------------------------------------------------------------- LDL (Bunch-Kaufman)


_ALPHA = (1 + 17 ** 0.5) / 8


def _sytf2_lower(a: np.ndarray, hermitian: bool):
    """LAPACK's unblocked ?sytf2 / ?hetf2 (uplo='L'): returns (LD, 1-based pivots, info)."""
    a = a.copy()
    n = a.shape[0]
    ipiv = np.zeros(n, np.int32)
    info = 0
    conj = np.conj if hermitian else (lambda x: x)
    absr = (lambda z: abs(z.real) + abs(z.imag)) if np.iscomplexobj(a) else abs
    k = 0
    while k < n:
        kstep = 1
        absakk = absr(a[k, k].real if hermitian else a[k, k])
        if k < n - 1:
            col = np.array([absr(v) for v in a[k + 1:, k]])
            imax = k + 1 + int(np.argmax(col))
            colmax = col.max()
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0:
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                row = [absr(v) for v in a[imax, k:imax]]
                jmax = k + int(np.argmax(row))
                rowmax = row[jmax - k]
                if imax < n - 1:
                    rowmax = max(rowmax, max(absr(v) for v in a[imax + 1:, imax]))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif absr(a[imax, imax].real if hermitian else a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp = imax
                    kstep = 2
            kk = k + kstep - 1
            if kp != kk:
                if kp < n - 1:
                    a[kp + 1:, kk], a[kp + 1:, kp] = a[kp + 1:, kp].copy(), a[kp + 1:, kk].copy()
                t = conj(a[kk + 1:kp, kk]).copy()
                a[kk + 1:kp, kk] = conj(a[kp, kk + 1:kp])
                a[kp, kk + 1:kp] = t
                if hermitian:
                    a[kp, kk] = np.conj(a[kp, kk])
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1 / (a[k, k].real if hermitian else a[k, k])
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.tril(d11 * np.outer(x, conj(x)))
                    a[k + 1:, k] *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                if hermitian:
                    d11 = a[k + 1, k + 1].real / d21
                    d22 = a[k, k].real / np.conj(d21)
                    tt = 1 / (d11 * d22 - 1).real
                    d21 = tt / d21
                else:
                    d11 = a[k + 1, k + 1] / d21
                    d22 = a[k, k] / d21
                    tt = 1 / (d11 * d22 - 1)
                    d21 = tt / d21
                for j in range(k + 2, n):
                    if hermitian:
                        wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                        wkp1 = np.conj(d21) * (d22 * a[j, k + 1] - a[j, k])
                        a[j:, j] -= a[j:, k] * np.conj(wk) + a[j:, k + 1] * np.conj(wkp1)
                    else:
                        wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                        wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                        a[j:, j] -= a[j:, k] * wk + a[j:, k + 1] * wkp1
                    a[j, k] = wk
                    a[j, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return np.tril(a), ipiv, info


def _host(t: Tensor, fname: str) -> np.ndarray:
    if isinstance(t._data, jax.core.Tracer):
        raise GraphBreak(fname, "it runs LAPACK's Bunch-Kaufman pivoting on the host")
    return np.asarray(t._data)


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False, out=None):
    """torch.linalg.ldl_factor_ex: (LD, pivots, info) as LAPACK's ?sytrf (lower) gives them.

    Computed eagerly on the host (JAX has no Bunch-Kaufman LDL); not traceable."""
    check_matrix(A, "torch.linalg.ldl_factor_ex")
    if requires_grad_any((A,)):
        r = _no_backward(A, "derivative for aten::linalg_ldl_factor_ex is not implemented",
                         lambda t: tuple(ldl_factor_ex(t, hermitian=hermitian)),
                         name="LinalgLdlFactorExBackward0")
        if check_errors:
            _ldl_raise(r[2])
        return outs(_rt.linalg_ldl_factor_ex(r), out)
    a = _host(A, "linalg.ldl_factor")
    n = a.shape[-1]
    flat = a.reshape((int(np.prod(a.shape[:-2])), n, n))
    lds, pivs, infos = [], [], []
    for x in flat:
        ld, p, i = _sytf2_lower(x, hermitian and np.iscomplexobj(x))
        lds.append(ld)
        pivs.append(p)
        infos.append(i)
    bs = a.shape[:-2]
    ld = np.array(lds, a.dtype).reshape(a.shape)
    piv = np.array(pivs, np.int32).reshape(bs + (n,))
    info = np.array(infos, np.int32).reshape(bs)
    dt = A._dtype
    r = (Tensor._make(jnp.asarray(ld), dt), Tensor._make(jnp.asarray(piv), _dt.int32),
         Tensor._make(jnp.asarray(info), _dt.int32))
    if check_errors:
        _ldl_raise(r[2])
    return outs(_rt.linalg_ldl_factor_ex(r), out)


def _ldl_raise(info):
    batch_message(info, "torch.linalg.ldl_factor", lambda i: (
        f"The factorization could not be completed because the diagonal element {i} is zero."))


def ldl_factor(A: Tensor, *, hermitian: bool = False, out=None):
    """torch.linalg.ldl_factor: (LD, pivots) (Bunch-Kaufman, computed on the host)."""
    LD, piv, info = ldl_factor_ex(A, hermitian=hermitian)
    _ldl_raise(info)
    return outs(_rt.linalg_ldl_factor((LD, piv)), out)


def _sytrs_lower(ld, ipiv, b, hermitian):
    """LAPACK's ?sytrs / ?hetrs (uplo='L') on one matrix."""
    conj = np.conj if hermitian else (lambda x: x)
    n = ld.shape[0]
    b = b.copy()
    k = 0
    while k < n:  # solve L D y = P b
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k].real if hermitian else ld[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1 = ld[k, k] / (np.conj(akm1k) if hermitian else akm1k)
            ak = ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1 = b[k] / (np.conj(akm1k) if hermitian else akm1k)
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # solve L^T x = y
        if ipiv[k] > 0:
            if k < n - 1:
                b[k] -= conj(ld[k + 1:, k]) @ b[k + 1:]
            kp = ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                b[k] -= conj(ld[k + 1:, k]) @ b[k + 1:]
                b[k - 1] -= conj(ld[k + 1:, k - 1]) @ b[k + 1:]
            kp = -ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False,
              out=None) -> Tensor:
    """torch.linalg.ldl_solve (computed on the host, like ldl_factor)."""
    check_matrix(LD, "torch.linalg.ldl_solve", "LD")
    check_matrix(B, "torch.linalg.ldl_solve", "B", square=False)
    same_dtype(LD, B, "torch.linalg.ldl_solve", "LD", "B")
    need_tensor(pivots, "linalg_ldl_solve", "pivots", 2)
    if pivots._dtype is not _dt.int32:
        raise RuntimeError("torch.linalg.ldl_solve: Expected pivots to be integers. Got "
                           f"{pivots._dtype._tag}")
    if requires_grad_any((LD, B)):
        return outs(_no_backward(
            LD, "derivative for aten::linalg_ldl_solve is not implemented",
            lambda ld, b: ldl_solve(ld, pivots, b, hermitian=hermitian),
            name="LinalgLdlSolveBackward0", others=(B,)), out)
    n = LD.shape[-1]
    batch = broadcast_shapes(LD.shape[:-2], B.shape[:-2], pivots.shape[:-1])
    nb = math.prod(batch)  # explicit: a -1 cannot be inferred when n or k is 0
    ld = np.broadcast_to(_host(LD, "linalg.ldl_solve"), batch + (n, n)).reshape(nb, n, n)
    pv = np.broadcast_to(_host(pivots, "linalg.ldl_solve"), batch + (n,)).reshape(nb, n)
    b = np.broadcast_to(_host(B, "linalg.ldl_solve"), batch + tuple(B.shape[-2:]))
    flat = b.reshape((nb,) + b.shape[-2:])
    herm = hermitian and np.iscomplexobj(ld)
    x = np.array([_sytrs_lower(ld[i], pv[i], flat[i], herm) for i in range(flat.shape[0])],
                 b.dtype).reshape(b.shape)
    return outs(Tensor._make(jnp.asarray(x), LD._dtype), out)


__all__ = ["qr", "qr_legacy", "eig", "eigvals", "eigh", "eigvalsh", "svd", "svdvals",
           "svd_legacy", "pinv", "pinverse", "matrix_rank", "lstsq", "matrix_exp",
           "householder_product", "orgqr", "ormqr", "geqrf", "svd_lowrank", "pca_lowrank",
           "ldl_factor", "ldl_factor_ex", "ldl_solve"]
