"""Products beyond matmul: addmm family, einsum, tensordot, outer/inner/vdot, cross, cdist,
trace, kron, chain_matmul, matrix_power."""

from __future__ import annotations

import warnings

import jax.numpy as jnp
import numpy as np

from .._core import dtypes as _dt
from .._core.registry import (
    Op,
    broadcast_shapes,
    export,
    inplace,
    operand,
    result_type_of,
    run,
    set_out,
    wrap_dim,
)
from .._core.tensor import Tensor
from .._core.tracing import concrete_or_break
from . import products
from .pointwise import abs_sign

_FLOAT_CPP = {"float32": "float", "float64": "double", "int64": "int64_t", "int32": "int",
              "int16": "short", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
              "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _need_tensor(x, fname: str, arg: str, pos: int) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _prec():
    return products.PRECISION[0]


def _no_bool(dt, kernel: str) -> None:
    if dt is _dt.bool:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _expand_check(shape, target) -> None:
    """torch's expand error when ``shape`` cannot broadcast to exactly ``target``."""
    shape, target = tuple(shape), tuple(target)
    if len(shape) > len(target):
        raise RuntimeError(f"The expanded size of the tensor ({len(target)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(shape)})")
    for k in range(1, len(shape) + 1):
        if shape[-k] != 1 and shape[-k] != target[-k]:
            raise RuntimeError(f"The expanded size of the tensor ({target[-k]}) must match the "
                               f"existing size ({shape[-k]}) at non-singleton dimension "
                               f"{len(target) - k}.  Target sizes: {list(target)}.  Tensor sizes: "
                               f"{list(shape)}")


def _blas_scalar(v, dt, name: str):
    """alpha/beta of the BLAS-style ops: cast to the tensors' dtype as torch does."""
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, complex) and not dt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {_FLOAT_CPP.get(dt.name, dt.name)} "
                           f"without overflow")
    if not isinstance(v, (bool, int, float, complex)):
        raise TypeError(f"argument '{name}' must be Number, not {type(v).__name__}")
    if dt.category <= _dt.INT:
        return int(v)
    return v


# ---------------------------------------------------------------- addmm family

# torch's backward of these saves the two factors, never ``input``; Op.saved is all-or-none of
# the inputs, and saving input would make ``acc.addmm_(a, b)`` loops fail in backward.
_addmm = Op("addmm", saved=None)
_addmv = Op("addmv", saved=None)
_addr = Op("addr", saved=None)
_addbmm = Op("addbmm", saved=None)
_baddbmm = Op("baddbmm", saved=None)


def _build_blas(product, out_shape, beta_zero, alpha_zero, dt):
    ndt = dt.np

    def f(c, a, b, beta, alpha):
        if alpha_zero:  # BLAS semantics: the product is not computed (no NaN from inf * 0)
            p = jnp.zeros(out_shape, ndt)
        else:
            p = product(a, b) * jnp.asarray(alpha, ndt)
        if beta_zero:  # torch: beta=0 ignores input, NaNs included
            return jnp.broadcast_to(p, out_shape).astype(ndt)
        return (jnp.asarray(beta, ndt) * c + p).astype(ndt)

    return f


def _blas_run(op, product, input, a, b, beta, alpha, out_shape, out):
    dt = a._dtype
    beta = _blas_scalar(beta, dt, "beta")
    alpha = _blas_scalar(alpha, dt, "alpha")
    _expand_check(input.shape, out_shape)
    key = (tuple(out_shape), beta == 0, alpha == 0, dt, _prec())
    prec = _prec()
    r = run(op, key,
            lambda: _build_blas(product(prec), tuple(out_shape), beta == 0, alpha == 0, dt),
            (input._data, a._data, b._data, beta, alpha), (input, a, b, None, None), dt)
    return r if out is None else set_out(out, r)


def _mm_product(prec):
    return lambda a, b: jnp.matmul(a, b, precision=prec)


def _addbmm_product(prec):
    return lambda a, b: jnp.einsum("bij,bjk->ik", a, b, precision=prec)


def _same_dtype_mm(fname, input, m1, m2, n1="mat1", n2="mat2"):
    if input._dtype is not m2._dtype:
        raise RuntimeError(f"self and {n2} must have the same dtype, but got {input._dtype._tag} "
                           f"and {m2._dtype._tag}")
    if m1._dtype is not m2._dtype:
        raise RuntimeError(f"{n1} and {n2} must have the same dtype, but got {m1._dtype._tag} and "
                           f"{m2._dtype._tag}")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """torch.addmm: beta * input + alpha * (mat1 @ mat2)."""
    for x, n, p in ((input, "input", 1), (mat1, "mat1", 2), (mat2, "mat2", 3)):
        _need_tensor(x, "addmm", n, p)
    for m, n in ((mat1, "mat1"), (mat2, "mat2")):
        if m.dim() != 2:
            raise RuntimeError(f"{n} must be a matrix, got {m.dim()}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x"
                           f"{mat1.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    _same_dtype_mm("addmm", input, mat1, mat2)
    _no_bool(input._dtype, "addmm_impl_cpu_")
    return _blas_run(_addmm, _mm_product, input, mat1, mat2, beta, alpha,
                     (mat1.shape[0], mat2.shape[1]), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """torch.addmv: beta * input + alpha * (mat @ vec)."""
    for x, n, p in ((input, "input", 1), (mat, "mat", 2), (vec, "vec", 3)):
        _need_tensor(x, "addmv", n, p)
    if mat.dim() != 2 or vec.dim() != 1 or input.dim() > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, "
                           f"{vec.dim()}")
    n, m = mat.shape
    if vec.shape[0] != m or (input.dim() == 1 and input.shape[0] not in (n, 1)):
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.dim() else 1}), "
                           f"mat ({n}x{m}), vec ({vec.shape[0]})")
    if not input._dtype is mat._dtype is vec._dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{input._dtype._tag}, {mat._dtype._tag}, and {vec._dtype._tag}")
    _no_bool(input._dtype, "addmv_impl_cpu")
    return _blas_run(_addmv, _mm_product, input, mat, vec, beta, alpha, (n,), out)


def _check_batches(b1, b2, fname):
    for x, n in ((b1, "batch1"), (b2, "batch2")):
        if x.dim() != 3:
            raise RuntimeError(f"{n} must be a 3D tensor")
    if b1.shape[0] != b2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{b1.shape[0]} and {b2.shape[0]}")
    if b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
                           f"{b2.shape[1]}x{b2.shape[2]})")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """torch.addbmm: beta * input + alpha * sum_b(batch1[b] @ batch2[b])."""
    for x, n, p in ((input, "input", 1), (batch1, "batch1", 2), (batch2, "batch2", 3)):
        _need_tensor(x, "addbmm", n, p)
    _check_batches(batch1, batch2, "addbmm")
    _same_dtype_mm("addbmm", input, batch1, batch2)
    _no_bool(input._dtype, "addmm_impl_cpu_")
    return _blas_run(_addbmm, _addbmm_product, input, batch1, batch2, beta, alpha,
                     (batch1.shape[1], batch2.shape[2]), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """torch.baddbmm: beta * input + alpha * bmm(batch1, batch2)."""
    for x, n, p in ((input, "input", 1), (batch1, "batch1", 2), (batch2, "batch2", 3)):
        _need_tensor(x, "baddbmm", n, p)
    _check_batches(batch1, batch2, "baddbmm")
    if input._dtype is not batch1._dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input "
                           f"{_FLOAT_CPP.get(input._dtype.name, input._dtype.name)}, batch1: "
                           f"{_FLOAT_CPP.get(batch1._dtype.name, batch1._dtype.name)}, batch2: "
                           f"{_FLOAT_CPP.get(batch2._dtype.name, batch2._dtype.name)}")
    if batch2._dtype is not batch1._dtype:
        raise RuntimeError(f"expected scalar type {batch1._dtype._tag} but found "
                           f"{batch2._dtype._tag}")
    _no_bool(input._dtype, "baddbmm")
    return _blas_run(_baddbmm, _mm_product, input, batch1, batch2, beta, alpha,
                     (batch1.shape[0], batch1.shape[1], batch2.shape[2]), out)


def _addr_scalar(v, dt, name):
    if isinstance(v, Tensor):
        v = v.item()
    if isinstance(v, np.generic):
        v = v.item()
    if dt is _dt.bool:
        if isinstance(v, (float, complex)):
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                               f"floating point number.")
        return bool(v)
    if isinstance(v, bool):
        raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
    if dt.category == _dt.INT and isinstance(v, (float, complex)):
        raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating "
                           f"point number.")
    if isinstance(v, complex) and not dt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {_FLOAT_CPP.get(dt.name, dt.name)} "
                           f"without overflow")
    return v


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """torch.addr: beta * input + alpha * outer(vec1, vec2) (promoting; bool: or/and)."""
    for x, n, p in ((input, "input", 1), (vec1, "vec1", 2), (vec2, "vec2", 3)):
        _need_tensor(x, "addr", n, p)
    for v, n in ((vec1, "vec1"), (vec2, "vec2")):
        if v.dim() != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {n}, but got {v.dim()}-D")
    dt = result_type_of(tuple(operand(x)[1:] for x in (input, vec1, vec2)))
    beta = _addr_scalar(beta, dt, "beta")
    alpha = _addr_scalar(alpha, dt, "alpha")
    shape = (vec1.shape[0], vec2.shape[0])
    _expand_check(input.shape, shape)
    bz = beta is False or beta == 0
    key = (shape, bz, dt)

    def build():
        ndt = dt.np

        def f(c, a, b, beta, alpha):
            a, b, c = a.astype(ndt), b.astype(ndt), c.astype(ndt)
            if ndt == np.bool_:
                p = jnp.outer(a, b) & jnp.asarray(alpha, ndt)
                return p if bz else (c & jnp.asarray(beta, ndt)) | p
            p = jnp.outer(a, b) * jnp.asarray(alpha, ndt)
            if bz:
                return jnp.broadcast_to(p, shape)
            return jnp.asarray(beta, ndt) * c + p

        return f

    r = run(_addr, key, build, (input._data, vec1._data, vec2._data, beta, alpha),
            (input, vec1, vec2, None, None), dt)
    return r if out is None else set_out(out, r)


# ---------------------------------------------------------------- vector products

_outer = Op("outer")


def outer(input, vec2, *, out=None) -> Tensor:
    """torch.outer (alias torch.ger): input[i] * vec2[j], promoting."""
    _need_tensor(input, "outer", "input", 1)
    _need_tensor(vec2, "outer", "vec2", 2)
    for v, n in ((input, "self"), (vec2, "vec2")):
        if v.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {n}, but got {v.dim()}-D")
    dt = result_type_of((operand(input)[1:], operand(vec2)[1:]))

    def build():
        ndt = dt.np

        def f(a, b):
            a, b = a.astype(ndt), b.astype(ndt)
            return (a[:, None] & b[None, :]) if ndt == np.bool_ else a[:, None] * b[None, :]

        return f

    r = run(_outer, dt, build, (input._data, vec2._data), (input, vec2), dt)
    return r if out is None else set_out(out, r)


def ger(input, vec2, *, out=None) -> Tensor:
    """torch.ger: deprecated alias of torch.outer."""
    return outer(input, vec2, out=out)


_inner = Op("inner")


def inner(input, other, *, out=None) -> Tensor:
    """torch.inner: sum over the last dims (a product when either is 0-dim)."""
    _need_tensor(input, "inner", "input", 1)
    _need_tensor(other, "inner", "other", 2)
    if input.dim() == 0 or other.dim() == 0:
        from .pointwise import mul

        return mul(input, other, out=out)
    if input._dtype is not other._dtype:
        raise RuntimeError("both inputs should have same dtype")
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    _no_bool(input._dtype, "dot" if input.dim() == other.dim() == 1 else "addmm_impl_cpu_")
    prec = _prec()
    dt = input._dtype
    r = run(_inner, (dt, prec), lambda: (lambda a, b: jnp.inner(a, b, precision=prec)),
            (input._data, other._data), (input, other), dt)
    return r if out is None else set_out(out, r)


_vdot = Op("vdot")


def vdot(input, other, *, out=None) -> Tensor:
    """torch.vdot: dot product conjugating the first argument."""
    _need_tensor(input, "vdot", "input", 1)
    _need_tensor(other, "vdot", "other", 2)
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D "
                           "tensors")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input._dtype._tag} and {other._dtype._tag}")
    if input.shape[0] != other.shape[0]:
        n, m = input.shape[0], other.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have "
                           f"the same number of elements, but got {n} and {m} elements "
                           "respectively")
    _no_bool(input._dtype, "dot")
    prec = _prec()
    dt = input._dtype
    r = run(_vdot, (dt, prec), lambda: (lambda a, b: jnp.vdot(a, b, precision=prec)),
            (input._data, other._data), (input, other), dt)
    return r if out is None else set_out(out, r)


_kron = Op("kron")


def kron(input, other, *, out=None) -> Tensor:
    """torch.kron: Kronecker product (promoting; the lower-rank operand gains leading dims)."""
    _need_tensor(input, "kron", "input", 1)
    _need_tensor(other, "kron", "other", 2)
    dt = result_type_of((operand(input)[1:], operand(other)[1:]))

    def build():
        ndt = dt.np

        def f(a, b):
            if ndt == np.bool_:
                return jnp.kron(a.astype(np.uint8), b.astype(np.uint8)).astype(np.bool_)
            return jnp.kron(a.astype(ndt), b.astype(ndt))

        return f

    r = run(_kron, dt, build, (input._data, other._data), (input, other), dt)
    return r if out is None else set_out(out, r)


_trace = Op("trace", saved=None)


def trace(input) -> Tensor:
    """torch.trace: sum of a matrix's main diagonal (integers sum to int64)."""
    _need_tensor(input, "trace", "input", 1)
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    dt = input._dtype
    _no_bool(dt, "trace")
    odt = _dt.int64 if dt.category == _dt.INT else dt
    r = run(_trace, odt, lambda: (lambda a: jnp.trace(a, dtype=odt.np)), (input._data,), (input,),
            odt)
    return r


# ---------------------------------------------------------------- cross

_cross = Op("cross", "LinalgCrossBackward0")


def _cross_impl(input, other, dim, fname):
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._tag} but found "
                           f"{other._dtype._tag}")
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    _no_bool(input._dtype, "cross")
    shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
    d = wrap_dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    dt = input._dtype

    def build():
        def f(a, b):
            a = jnp.broadcast_to(a, shape)
            b = jnp.broadcast_to(b, shape)
            return jnp.cross(a, b, axis=d)

        return f

    return run(_cross, (shape, d), build, (input._data, other._data), (input, other), dt)


def cross(input, other, dim=None, *, out=None) -> Tensor:
    """torch.cross: 3-vector cross product along dim (default: the first dim of size 3)."""
    _need_tensor(input, "cross", "input", 1)
    _need_tensor(other, "cross", "other", 2)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        sizes = list(input.shape)
        if 3 not in sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes.index(3)
    r = _cross_impl(input, other, dim, "cross")
    return r if out is None else set_out(out, r)


def linalg_cross(input, other, *, dim: int = -1, out=None) -> Tensor:
    """torch.linalg.cross (for the linalg namespace to re-export)."""
    _need_tensor(input, "linalg_cross", "input", 1)
    _need_tensor(other, "linalg_cross", "other", 2)
    r = _cross_impl(input, other, dim, "linalg.cross")
    return r if out is None else set_out(out, r)


# ---------------------------------------------------------------- einsum / tensordot

_einsum = Op("einsum")


def _sublist_label(n) -> str:
    if n is Ellipsis:
        return "..."
    if isinstance(n, (int, np.integer)) and 0 <= n < 26:
        return chr(ord("A") + int(n))
    if isinstance(n, (int, np.integer)) and 26 <= n < 52:
        return chr(ord("a") + int(n) - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def _einsum_args(args):
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or "
                        "at least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq, ops = args[0], args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
        return eq, tuple(ops)
    # sublist format: op1, sub1, op2, sub2, ..., [sub_out]
    ops, terms = args[0::2], args[1::2]
    out = None
    if len(args) % 2 == 1:
        ops, out = args[0:-1:2], args[-1]
    eq = ",".join("".join(_sublist_label(n) for n in t) for t in terms)
    if out is not None:
        eq += "->" + "".join(_sublist_label(n) for n in out)
    return eq, tuple(ops)


def _einsum_check(eq, ops):
    eq = eq.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(ops):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(ops):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    seen = set()
    pos = 0
    for i, (t, op) in enumerate(zip(terms, ops, strict=False)):
        if not isinstance(op, Tensor):
            raise TypeError(f"einsum(): expected Tensor operands, got {type(op).__name__}")
        ell = "..." in t
        labels = t.replace("...", "")
        for k, ch in enumerate(labels):
            if not ch.isascii() or not ch.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {pos + k} in the "
                                   f"equation string, subscripts must be in [a-zA-Z]")
        seen.update(labels)
        pos += len(t) + 1
        if not ell and len(labels) != op.dim():
            raise RuntimeError("einsum(): the number of subscripts in the equation "
                               f"({len(labels)}) "
                               f"does not match the number of dimensions ({op.dim()}) for operand "
                               f"{i} and no ellipsis was given")
        if ell and len(labels) > op.dim():
            raise RuntimeError("einsum(): the number of subscripts in the equation "
                               f"({len(labels)}) "
                               f"is more than the number of dimensions ({op.dim()}) for operand "
                               f"{i}")
    if arrow:
        out_labels = rhs.replace("...", "")
        for ch in out_labels:
            if ch not in seen:
                raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the "
                                   f"equation for any input operand")
            if out_labels.count(ch) > 1:
                raise RuntimeError(f"einsum(): output subscript {ch} appears more than once in the "
                                   f"output")
        summed = bool(seen - set(out_labels))
    else:
        summed = any(lhs.count(ch) > 1 for ch in seen)  # implicit output: labels seen once
    return eq, summed


def einsum(*args) -> Tensor:
    """torch.einsum: equation + tensors (or a list of them), or the sublist format."""
    eq, ops = _einsum_args(args)
    eq, summed = _einsum_check(eq, ops)
    dt = ops[0]._dtype
    for op in ops[1:]:
        if op._dtype is not dt:
            raise RuntimeError(f"expected scalar type {dt._tag} but found {op._dtype._tag}")
    odt, cdt = dt, dt
    if len(ops) == 1 and summed and dt.category <= _dt.INT:
        odt = cdt = _dt.int64  # a one-operand einsum that sums is torch.sum: ints → int64
    elif dt is _dt.bool:
        if summed:
            raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
        cdt = _dt.uint8
    prec = _prec()
    key = (eq, len(ops), cdt, odt, prec)

    def build():
        cn, on = cdt.np, odt.np

        def f(*arrays):
            r = jnp.einsum(eq, *(a.astype(cn) for a in arrays), precision=prec)
            return r.astype(on)

        return f

    try:
        return run(_einsum, key, build, tuple(op._data for op in ops), ops, odt)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None


_tensordot = Op("tensordot")


def _dims_list(x, pos):
    if isinstance(x, Tensor):
        concrete_or_break("tensordot", x)
        return [int(v) for v in np.asarray(x._data).reshape(-1)]
    if isinstance(x, (int, np.integer)):
        raise TypeError(f"tensordot(): argument '{'dims_self' if pos == 0 else 'dims_other'}' "
                        f"(position {3 + pos}) must be tuple of ints, not int")
    return [int(v) for v in x]


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """torch.tensordot: contract dims (an int n: a's last n with b's first n; or two lists)."""
    _need_tensor(a, "tensordot", "a", 1)
    _need_tensor(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        concrete_or_break("tensordot", dims)
        dims = int(dims) if dims.numel() == 1 and dims.dim() == 0 else \
            [[int(v) for v in row] for row in np.asarray(dims._data)]
    if isinstance(dims, (int, np.integer)):
        n = int(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > a.dim() or n > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        da, db = list(range(-n, 0)), list(range(n))
    else:
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be a pair of lists")
        da, db = _dims_list(dims[0], 0), _dims_list(dims[1], 1)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a._dtype is not b._dtype:
        raise RuntimeError("both inputs should have same dtype")
    wa = tuple(wrap_dim(d, a.dim()) for d in da)
    wb = tuple(wrap_dim(d, b.dim()) for d in db)
    for x, y, i, j in zip(da, db, wa, wb, strict=False):
        if a.shape[i] != b.shape[j] and a.shape[i] != 1 and b.shape[j] != 1:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {x} and second has size {b.shape[j]} in dim "
                               f"{y}")
    _no_bool(a._dtype, "addmm_impl_cpu_")
    prec = _prec()
    dt = a._dtype
    # A size-1 contracted dim broadcasts: torch sums the other operand over it first.
    sa = tuple(i for i, j in zip(wa, wb, strict=False) if b.shape[j] == 1 and a.shape[i] != 1)
    sb = tuple(j for i, j in zip(wa, wb, strict=False) if a.shape[i] == 1 and b.shape[j] != 1)

    def build():
        def f(x, y):
            if sa:
                x = jnp.sum(x, axis=sa, keepdims=True)
            if sb:
                y = jnp.sum(y, axis=sb, keepdims=True)
            return jnp.tensordot(x, y, axes=(wa, wb), precision=prec)

        return f

    r = run(_tensordot, (wa, wb, sa, sb, dt, prec), build, (a._data, b._data), (a, b), dt)
    return r if out is None else set_out(out, r)


# ---------------------------------------------------------------- chain_matmul / matrix_power

def chain_matmul(*matrices, out=None) -> Tensor:
    """torch.chain_matmul (deprecated): the product of 2-D matrices, in the cheapest order."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        _need_tensor(m, "chain_matmul", "matrices", 1)
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        from .shape import clone

        r = clone(matrices[0])
        return r if out is None else set_out(out, r)
    r = multi_dot(matrices)
    return r if out is None else set_out(out, r)


_multi_dot = Op("multi_dot", "LinalgMultiDotBackward0")


def multi_dot(tensors, *, out=None) -> Tensor:
    """torch.linalg.multi_dot (for the linalg namespace to re-export)."""
    tensors = tuple(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    dt = tensors[0]._dtype
    for i, t in enumerate(tensors):
        _need_tensor(t, "multi_dot", "tensors", 1)
        if t._dtype is not dt:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 "
                               f"is {dt} and tensor {i} {t._dtype}")
        if 0 < i < len(tensors) - 1 and t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    if tensors[0].dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{tensors[0].dim()}D")
    if tensors[-1].dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{tensors[-1].dim()}D")
    for i in range(len(tensors) - 1):
        x, y = tensors[i], tensors[i + 1]
        if x.shape[-1] != y.shape[0]:
            sx = list(x.shape) if x.dim() == 2 else [1, x.shape[0]]
            sy = list(y.shape) if y.dim() == 2 else [y.shape[0], 1]
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {sx[0]}x{sx[1]} "
                               f"and {sy[0]}x{sy[1]} cannot be multiplied")
    _no_bool(dt, "addmm_impl_cpu_")
    prec = _prec()
    r = run(_multi_dot, (len(tensors), dt, prec),
            lambda: (lambda *xs: jnp.linalg.multi_dot(xs, precision=prec)),
            tuple(t._data for t in tensors), tensors, dt)
    return r if out is None else set_out(out, r)


_matrix_power = Op("matrix_power", "LinalgMatrixPowerBackward0")


def matrix_power(input, n: int) -> Tensor:
    """torch.matrix_power (= torch.linalg.matrix_power): integer power of square matrices."""
    _need_tensor(input, "matrix_power", "input", 1)
    if input.dim() < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices, but they "
                           f"are {input.shape[-2]} by {input.shape[-1]} matrices")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    n = int(n)
    dt = input._dtype
    if n < 0 and dt.category != _dt.FLOAT and not dt.is_complex:
        raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as input. Got "
                           f"{dt._tag}")
    _no_bool(dt, "addmm_impl_cpu_")
    prec = _prec()

    def build():
        def f(a):
            if n == 0:
                return jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape)
            if n < 0:
                a = jnp.linalg.inv(a)
            m = abs(n)
            result, z = None, a
            while m:  # binary powering, as torch does; every product at full precision
                if m & 1:
                    result = z if result is None else jnp.matmul(result, z, precision=prec)
                m >>= 1
                if m:
                    z = jnp.matmul(z, z, precision=prec)
            return result

        return f

    return run(_matrix_power, (n, dt, prec), build, (input._data,), (input,), dt)


# ---------------------------------------------------------------- cdist

_cdist = Op("cdist", "CdistBackward0")

_CDIST_MODES = {None: 0, "use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def _cdist_direct(p):
    def f(x1, x2):
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        a = abs_sign(diff)
        if p == 0:
            return jnp.sum(a != 0, axis=-1).astype(x1.dtype)
        if p == 1:
            return jnp.sum(a, axis=-1)
        if p == float("inf"):
            return jnp.max(a, axis=-1, initial=0) if a.shape[-1] == 0 else jnp.max(a, axis=-1)
        if p == 2:
            s = jnp.sum(diff * diff, axis=-1)
        else:
            zero = a == 0  # safe powers: zero gradient where torch's backward gives zero
            s = jnp.sum(jnp.where(zero, 0, jnp.where(zero, 1, a) ** p), axis=-1)
        z = s == 0
        safe = jnp.where(z, 1, s)
        return jnp.where(z, 0, jnp.sqrt(safe) if p == 2 else safe ** (1.0 / p))

    return f


def _cdist_mm(prec):
    def f(x1, x2):  # torch's _euclidean_dist
        x1n = jnp.sum(x1 * x1, axis=-1, keepdims=True)
        x2n = jnp.sum(x2 * x2, axis=-1, keepdims=True)
        a = jnp.concatenate([-2 * x1, x1n, jnp.ones_like(x1n)], axis=-1)
        b = jnp.concatenate([x2, jnp.ones_like(x2n), x2n], axis=-1)
        r = jnp.matmul(a, jnp.swapaxes(b, -1, -2), precision=prec)
        return jnp.sqrt(jnp.maximum(r, 1e-30))

    return f


def cdist(x1, x2, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """torch.cdist: p-norm distances between the rows of x1 and of x2 (batched)."""
    _need_tensor(x1, "cdist", "x1", 1)
    _need_tensor(x2, "cdist", "x2", 2)
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _CDIST_MODES[compute_mode]
    for x, n in ((x1, "X1"), (x2, "X2")):
        if x.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {n} got: {x.dim()}D")
    for x, n in ((x1, "X1"), (x2, "X2")):
        if not x._dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {n} got: "
                               f"{x._dtype._tag}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    p = float(p)
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f"expected scalar type {x1._dtype._tag} but found {x2._dtype._tag}")
    r1, r2 = x1.shape[-2], x2.shape[-2]
    batch = broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    use_mm = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    prec = _prec()
    dt = x1._dtype
    key = (p, use_mm, batch, prec)

    def build():
        inner_fn = _cdist_mm(prec) if use_mm else _cdist_direct(p)

        def f(a, b):
            a = jnp.broadcast_to(a, batch + a.shape[-2:])
            b = jnp.broadcast_to(b, batch + b.shape[-2:])
            return inner_fn(a, b).astype(a.dtype)

        return f

    return run(_cdist, key, build, (x1._data, x2._data), (x1, x2), dt)


# ---------------------------------------------------------------- export

def _make_inplace(fn):
    def fn_(self, *args, beta=1, alpha=1):
        return inplace(self, fn(self, *args, beta=beta, alpha=alpha))

    fn_.__name__ = fn.__name__ + "_"
    fn_.__doc__ = f"torch.Tensor.{fn.__name__}_ (in place)."
    return fn_


for _f in (addmm, addmv, addr, addbmm, baddbmm):
    export(_f, inplace=_make_inplace(_f))
for _f in (outer, ger, inner, vdot, kron, trace, cross, matrix_power):
    export(_f)
for _f in (einsum, tensordot, chain_matmul, cdist):
    export(_f, method=False)

__all__ = ["addmm", "addmv", "addr", "addbmm", "baddbmm", "outer", "ger", "inner", "vdot", "kron",
           "trace", "cross", "einsum", "tensordot", "chain_matmul", "matrix_power", "cdist"]
