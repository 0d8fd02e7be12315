"""Norms and small products of torch.linalg: vector/matrix norms, torch.norm, dist, renorm,
cond, vecdot, vander (§10)."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.registry import (
    Op,
    broadcast_shapes,
    inplace,
    requires_grad_any,
    result_type_of,
    run,
    wrap_dim,
)
from .._core.tensor import Tensor
from .linalg import check_matrix, go, inv_ex, need_tensor, outs
from .pointwise import abs_sign

_INF = math.inf


# ---------------------------------------------------------------- the p-norm core


def _coeff(a, n, p, axes):
    """d norm / d a (a = |x| >= 0, n the keepdims norm) with torch's subgradients at zero."""
    if p == 0:
        return jnp.zeros_like(a)
    if p == 1:
        return jnp.ones_like(a)
    safe = jnp.where(n == 0, 1, n)
    if math.isinf(p):
        mask = (a == n).astype(a.dtype)
        return mask / jnp.sum(mask, axes, keepdims=True)
    if p == 2:
        return jnp.where(n == 0, 0, a / safe)
    if p < 1:
        return jnp.where(a == 0, 0, a ** (p - 1)) * n ** (1 - p)
    if p < 2:
        return a ** (p - 1) * jnp.where(n == 0, 0, 1 / safe ** (p - 1))
    return a * a ** (p - 2) * jnp.where(n == 0, 0, 1 / safe ** (p - 1))


def _norm_value(a, p, axes):
    if p == _INF:
        return jnp.max(a, axes, keepdims=True)
    if p == -_INF:
        return jnp.min(a, axes, keepdims=True)
    if p == 0:
        return jnp.sum((a != 0).astype(a.dtype), axes, keepdims=True)
    if p == 1:
        return jnp.sum(a, axes, keepdims=True)
    if p == 2:
        return jnp.sqrt(jnp.sum(a * a, axes, keepdims=True))
    return jnp.sum(a ** p, axes, keepdims=True) ** (1 / p)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _abs_norm(a, p, axes):
    return _norm_value(a, p, axes)


@_abs_norm.defjvp
def _abs_norm_jvp(p, axes, primals, tangents):
    (a,), (t,) = primals, tangents
    n = _norm_value(a, p, axes)
    c = _coeff(a, n, p, axes)
    return n, jnp.sum(c * t, axes, keepdims=True)


def pnorm(x, p, axes, keepdim):
    """||x||_p over ``axes`` (a tuple) computed on |x| with torch's gradient conventions."""
    a = abs_sign(x)
    if not axes:
        return a if p != 0 else (a != 0).astype(a.dtype)
    n = _abs_norm(a, float(p), axes)
    return n if keepdim else jnp.squeeze(n, axes)


# ---------------------------------------------------------------- vector / matrix norms


_vnorm = Op("linalg_vector_norm", "LinalgVectorNormBackward0")
# torch composes matrix norms from other ops: its grad_fn names follow the last one.
_MNORM_OPS = {
    "fro": Op("linalg_matrix_norm", "LinalgVectorNormBackward0"),
    "nuc": Op("linalg_matrix_norm", "SumBackward1"),
    "max": Op("linalg_matrix_norm", "AmaxBackward0"),
    "min": Op("linalg_matrix_norm", "AminBackward0"),
}


def _ord_value(ord, fname):
    if isinstance(ord, Tensor):
        ord = ord.item()
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"{fname}(): argument 'ord' must be Number, not {type(ord).__name__}")
    return float(ord)


def _float_only(x: Tensor, fname):
    # Norms (unlike LAPACK-backed ops) also take float16/bfloat16, as in torch.
    dt = x._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {dt._tag}")


def _norm_dtype(x: Tensor, dtype, fname):
    _float_only(x, fname)
    if dtype is None:
        return x._dtype, x._dtype.to_real()
    if x._dtype.is_complex and not dtype.is_complex:
        raise RuntimeError(f"{fname}: dtype should be complex for complex inputs. Got "
                           f"{dtype._tag}")
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{fname}: dtype should be floating point or complex. Got "
                           f"{dtype._tag}")
    return dtype, dtype.to_real()


def _dims(dim, nd):
    if dim is None:
        return tuple(range(nd))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(dim, max(nd, 1)) if nd else 0,)
    ds = tuple(wrap_dim(d, max(nd, 1)) for d in dim)
    if len(set(ds)) != len(ds):
        raise RuntimeError(f"dim {ds[0]} appears multiple times in the list of dims")
    return ds if ds or nd == 0 else tuple(range(nd))


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """torch.linalg.vector_norm; gradients use torch's subgradients at zero."""
    need_tensor(x, "linalg_vector_norm", "input")
    p = _ord_value(ord, "linalg_vector_norm")
    cdt, odt = _norm_dtype(x, dtype, "linalg.vector_norm")
    nd = x.dim()
    axes = _dims(dim, nd) if nd else ()
    if (p < 0 or math.isinf(p)) and any(x.shape[d] == 0 for d in axes):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                           "because the operation does not have an identity")
    if not nd and dim not in (None, 0, -1, (), [], (0,), (-1,), [0], [-1]):
        wrap_dim(dim if isinstance(dim, int) else dim[0], 0)

    def f(a):
        return pnorm(a.astype(cdt.np), p, axes, keepdim).astype(odt.np)

    if p == 0 and requires_grad_any((x,)):
        # torch's backward of the 0-"norm" yields no gradient at all (None), not zeros.
        from ..autograd import Function

        class LinalgVectorNorm(Function):
            @staticmethod
            def forward(ctx, t):
                return go(_vnorm, (x._dtype, cdt, p, axes, bool(keepdim)), f, (t,), odt)

            @staticmethod
            def backward(ctx, g):
                return None

        return outs(LinalgVectorNorm.apply(x), out)
    return outs(go(_vnorm, (x._dtype, cdt, p, axes, bool(keepdim)), f, (x,), odt), out)


def _matrix_norm_body(a, ord, d0, d1, keepdim):
    """Matrix norm of ``a`` over dims (d0, d1) (both non-negative)."""
    if ord == "fro":
        return pnorm(a, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2.0, -2.0):
        m = jnp.moveaxis(a, (d0, d1), (-2, -1))
        s = jnp.linalg.svd(m, compute_uv=False)
        # amax/amin as torch: tied singular values (a zero matrix) share the gradient
        r = jnp.sum(s, -1) if ord == "nuc" else (jnp.max(s, -1) if ord == 2 else jnp.min(s, -1))
        if keepdim:
            r = jnp.expand_dims(r, tuple(sorted((d0, d1))))
        return r
    absa = abs_sign(a)
    if ord in (1.0, -1.0):
        s = jnp.sum(absa, d0, keepdims=True)
        red = d1
    else:
        s = jnp.sum(absa, d1, keepdims=True)
        red = d0
    r = jnp.max(s, red, keepdims=True) if ord > 0 else jnp.min(s, red, keepdims=True)
    return r if keepdim else jnp.squeeze(r, (d0, d1))


_MATRIX_ORDS = ("fro", "nuc", _INF, -_INF, 1.0, -1.0, 2.0, -2.0)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """torch.linalg.matrix_norm: ord 'fro' | 'nuc' | inf | -inf | 1 | -1 | 2 | -2."""
    need_tensor(A, "linalg_matrix_norm", "input")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not isinstance(ord, str):
        ord = _ord_value(ord, "linalg_matrix_norm")
    if ord not in _MATRIX_ORDS:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        raise RuntimeError(f"linalg.matrix_norm: Order {ord:g} not supported.")
    cdt, odt = _norm_dtype(A, dtype, "linalg.matrix_norm")
    dim = tuple(dim) if isinstance(dim, (list, tuple)) else dim
    if not isinstance(dim, tuple) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(str(d) for d in dim) if isinstance(dim, tuple) else dim}")
    nd = A.dim()
    d0, d1 = wrap_dim(dim[0], nd), wrap_dim(dim[1], nd)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if ord != "fro" and (A.shape[d0] == 0 or A.shape[d1] == 0) and ord not in ("nuc",) and \
            not (ord in (1.0, _INF) or ord == "fro"):
        raise RuntimeError("linalg.matrix_norm: The norm of an empty matrix is not defined for "
                           "this order")

    def f(a):
        return _matrix_norm_body(a.astype(cdt.np), ord, d0, d1, keepdim).astype(odt.np)

    op = _MNORM_OPS[ord if isinstance(ord, str) else "max" if ord > 0 else "min"]
    return outs(go(op, (A._dtype, cdt, ord, d0, d1, bool(keepdim)), f, (A,), odt), out)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, out=None,
         dtype=None) -> Tensor:
    """torch.linalg.norm: a vector or matrix norm depending on ``ord`` and ``dim``."""
    need_tensor(A, "linalg_norm", "input")
    if dim is not None:
        if isinstance(dim, (int, np.integer)):
            dim = (int(dim),)
        dim = tuple(dim)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype,
                               out=out)
        if len(dim) != 1:
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dim)}")
    elif ord is not None:
        if A.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.dim()}D.")
        if A.dim() == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def norm_legacy(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None,
                dtype=None) -> Tensor:
    """torch.norm (deprecated in favour of torch.linalg.*_norm), dispatched as torch does."""
    need_tensor(input, "norm", "input")
    _dim = [dim] if isinstance(dim, (int, np.integer)) else dim
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, (int, np.integer)) or len(dim) <= 2):
            return vector_norm(input, 2, _dim, keepdim, dtype=dtype, out=out)
        if _dim is None:
            _dim = list(range(input.dim()))
        return matrix_norm(input, p, _dim, keepdim, dtype=dtype, out=out)
    return vector_norm(input, 2.0 if p is None else p, _dim, keepdim, dtype=dtype, out=out)


def frobenius_norm(input: Tensor, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """torch.frobenius_norm (deprecated in torch): linalg.vector_norm(input, 2, dim, keepdim)."""
    return vector_norm(input, 2, dim, keepdim, out=out)


def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """torch.nuclear_norm (deprecated in torch): linalg.matrix_norm(input, 'nuc', ...)."""
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim) overload
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, out=out)


# ---------------------------------------------------------------- dist, renorm, cond


_dist = Op("dist", "DistBackward0")


def dist(input: Tensor, other: Tensor, p=2) -> Tensor:
    """torch.dist: the p-norm of input - other (broadcast)."""
    need_tensor(input, "dist", "input")
    need_tensor(other, "dist", "other", 2)
    pv = _ord_value(p, "dist")
    dt = result_type_of(((input._dtype, 0), (other._dtype, 0)))
    _float_only(Tensor._make(jnp.zeros((), dt.np), dt), "linalg.vector_norm")
    shape = broadcast_shapes(input.shape, other.shape)
    axes = tuple(range(len(shape)))

    def f(a, b):
        d = jnp.broadcast_to(a.astype(dt.np), shape) - jnp.broadcast_to(b.astype(dt.np), shape)
        return pnorm(d, pv, axes, False).astype(dt.to_real().np)

    key = (input._dtype, other._dtype, pv, shape)
    return go(_dist, key, f, (input, other), dt.to_real())


_renorm = Op("renorm", "RenormBackward0")


def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """torch.renorm: rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm``."""
    need_tensor(input, "renorm", "input")
    pv = _ord_value(p, "renorm")
    if input.dim() < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} "
                           "dimensions")
    if pv <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    mx = float(maxnorm)
    if mx < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {mx:g}")
    _float_only(input, "renorm")
    d = wrap_dim(dim, input.dim())
    axes = tuple(i for i in range(input.dim()) if i != d)

    def f(a):
        n = pnorm(a, pv, axes, True)
        factor = jnp.where(n > mx, mx / (n + 1e-7), 1.0).astype(a.dtype)
        return a * factor

    return go(_renorm, (input._dtype, input.dim(), pv, d, mx), f, (input,), input._dtype)


def renorm_(self: Tensor, p, dim: int, maxnorm) -> Tensor:
    """torch.Tensor.renorm_ (in place)."""
    return inplace(self, renorm(self, p, dim, maxnorm))


def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """torch.linalg.cond: condition number; p None/2/-2 from singular values, else
    norm(A) * norm(inv(A)) (inf for singular matrices)."""
    need_tensor(A, "linalg_cond", "input")
    if p is not None and not isinstance(p, str):
        p = _ord_value(p, "linalg_cond")
    if p not in (None, "fro", "nuc", _INF, -_INF, 1.0, -1.0, 2.0, -2.0):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    square = p in ("fro", "nuc", _INF, -_INF, 1.0, -1.0)
    check_matrix(A, f"linalg.cond(ord={p if isinstance(p, str) else format(p, 'g')})"
                 if square else "linalg.cond", square=square)
    if p in (None, 2.0, -2.0):
        from .linalg_decomp import svdvals
        s = svdvals(A)
        if A.numel() == 0:
            r = s.sum(-1) * 0
        else:
            r = s[..., 0] / s[..., -1] if p != -2.0 else s[..., -1] / s[..., 0]
        return outs(r, out)
    Ainv, info = inv_ex(A)
    r = matrix_norm(A, p) * matrix_norm(Ainv, p)
    return outs(r.masked_fill(info > 0, math.inf), out)


# ---------------------------------------------------------------- vecdot, vander


_vecdot = Op("linalg_vecdot", "SumBackward1")


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """torch.linalg.vecdot: sum(conj(x) * y) over ``dim`` with broadcasting."""
    need_tensor(x, "linalg_vecdot", "x")
    need_tensor(y, "linalg_vecdot", "y", 2)
    if x._dtype is not y._dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {x._dtype._tag} and y of type {y._dtype._tag} instead")
    shape = broadcast_shapes(x.shape, y.shape)
    d = wrap_dim(dim, max(len(shape), 1))

    def f(a, b):
        return jnp.sum(jnp.conj(a) * b, axis=d).astype(a.dtype)

    return outs(go(_vecdot, (x._dtype, d), f, (x, y), x._dtype), out)


_vander = Op("linalg_vander", "CatBackward0")


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """torch.linalg.vander: increasing powers x^0 ... x^(N-1) along a new last dim."""
    need_tensor(x, "linalg_vander", "x")
    if x._dtype is _dt.bool:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           "but got Bool")
    xs = x.reshape(1) if x.dim() == 0 else x
    n = xs.shape[-1] if N is None else int(N)
    if N is not None and n <= 1:
        raise RuntimeError("N must be greater than 1.")
    dt = x._dtype if x._dtype.category != _dt.INT else _dt.int64

    def f(a):
        a = a.astype(dt.np)
        ones = jnp.ones(a.shape + (1,), dt.np)
        if n <= 1:
            return ones[..., :n]
        rep = jnp.broadcast_to(a[..., None], a.shape + (n - 1,))
        return jnp.concatenate([ones, jnp.cumprod(rep, -1)], -1)

    return run(_vander, (x._dtype, n), lambda: f, (xs._data,), (xs,), dt)


__all__ = ["vector_norm", "matrix_norm", "norm", "norm_legacy", "frobenius_norm", "nuclear_norm",
           "dist", "renorm", "renorm_", "cond", "vecdot", "vander", "pnorm"]
