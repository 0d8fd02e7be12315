"""Reductions and scans beyond the core.

logsumexp, cumulative ops, median/mode/quantile, statistics, diff/trapezoid, cov, histograms.
"""

from __future__ import annotations

import builtins
import math

import jax
import jax.numpy as jnp
from jax import lax

from .. import return_types
from .._core import dtypes as _dt
from .._core.registry import Op, export, inplace, run, set_out, wrap_dim
from .._core.tensor import Tensor
from .reduction import _check, _dims, _reduce, _std_sqrt

_make = Tensor._make


def _float_of(dt: _dt.dtype) -> _dt.dtype:
    """The dtype an int-to-float op computes in: floating/complex stay, the rest → default."""
    return dt if dt.is_floating_point or dt.is_complex else _dt.get_default_dtype()


def _tensor_arg(x, fname: str, name: str = "input", pos: int = 1) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def _set_outs(out, results, rtype=None):
    for o, r in zip(out, results, strict=True):
        set_out(o, r)
    return rtype(out) if rtype is not None else tuple(out)


# ---------------------------------------------------------------- logsumexp

_logsumexp = Op("logsumexp")


def _lse_body(a, d, k):
    return jax.nn.logsumexp(a, axis=d, keepdims=k)


def logsumexp(input, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """torch.logsumexp: log(sum(exp(x))) over ``dim``; integers compute in the default float."""
    _check(input, "logsumexp")
    dims = _dims(dim, input.dim())
    dt = _float_of(input._dtype)
    return _reduce(_logsumexp, input, dims, keepdim, _lse_body, dt, dt, out)


# ---------------------------------------------------------------- cumulative sums and products

_cumsum, _cumprod = Op("cumsum", saved=None), Op("cumprod")
_logcumsumexp = Op("logcumsumexp", saved="both")


def _cum_build(jfn, d, dst):
    npdt = dst.np

    def f(a):
        a = a.astype(npdt)
        return jfn(a, axis=d) if a.ndim else a

    return f


def _cumulative(op, jfn, input, dim, dtype, out):
    d = wrap_dim(dim, input.dim())
    src = input._dtype
    dst = dtype if dtype is not None else (_dt.int64 if src.category <= _dt.INT else src)
    r = run(op, (d, src, dst), lambda: _cum_build(jfn, d, dst), (input._data,), (input,), dst)
    return r if out is None else set_out(out, r)


def cumsum(input, dim, *, dtype=None, out=None) -> Tensor:
    """torch.cumsum: integer and bool inputs accumulate in int64 (or ``dtype``)."""
    _check(input, "cumsum")
    return _cumulative(_cumsum, jnp.cumsum, input, dim, dtype, out)


def cumprod(input, dim, *, dtype=None, out=None) -> Tensor:
    """torch.cumprod: integer and bool inputs accumulate in int64 (or ``dtype``)."""
    _check(input, "cumprod")
    return _cumulative(_cumprod, jnp.cumprod, input, dim, dtype, out)


def _cum_inplace(fn, name):
    def f_(self, dim, *, dtype=None):
        if dtype is not None and dtype is not self._dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {self._dtype} and output "
                               f"tensor dtype {dtype} should match")
        return inplace(self, fn(self, dim, dtype=self._dtype))

    f_.__name__ = name + "_"
    f_.__doc__ = f"torch.Tensor.{name}_ (in place)."
    return f_


def logcumsumexp(input, dim, *, out=None) -> Tensor:
    """torch.logcumsumexp: floating and complex inputs only."""
    _check(input, "logcumsumexp")
    d = wrap_dim(dim, input.dim())
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{dt._tag}'")
    r = run(_logcumsumexp, (d, dt), lambda: _cum_build(lax.cumlogsumexp, d, dt), (input._data,),
            (input,), dt)
    return r if out is None else set_out(out, r)


# ---------------------------------------------------------------- cummax / cummin

_cummax, _cummin = Op("cummax", saved="both"), Op("cummin", saved="both")


def _cumext_build(d, is_max):
    def comb(x, y):
        # y covers later positions than x: NaN beats numbers, later NaN beats earlier NaN,
        # a number beats the running extreme when it reaches it (torch keeps the last index).
        (xv, xn, xi), (yv, yn, yi) = x, y
        better = (yv >= xv) if is_max else (yv <= xv)
        take = yn | (~xn & better)
        return jnp.where(take, yv, xv), jnp.where(take, yn, xn), jnp.where(take, yi, xi)

    def f(a):
        if a.ndim == 0 or a.size == 0:
            return a, jnp.zeros(a.shape, jnp.int64)
        v = lax.stop_gradient(a)
        nan = jnp.isnan(v) if jnp.issubdtype(v.dtype, jnp.inexact) else jnp.zeros(v.shape, bool)
        idx = lax.broadcasted_iota(jnp.int64, a.shape, d)
        _, _, ii = lax.associative_scan(comb, (v, nan, idx), axis=d)
        return jnp.take_along_axis(a, ii, axis=d), ii

    return f


def _cumext(op, name, rtype, is_max, input, dim, out):
    _check(input, name)
    d = wrap_dim(dim, input.dim())
    dt = input._dtype
    if dt.is_complex:
        raise RuntimeError(f"{name}(): does not support complex input")
    res = run(op, (d, dt), lambda: _cumext_build(d, is_max), (input._data,), (input,),
              (dt, _dt.int64), multi=True)
    return rtype(res) if out is None else _set_outs(out, res, rtype)


def cummax(input, dim, *, out=None):
    """torch.cummax: running maximum and the index where it was reached (values, indices)."""
    return _cumext(_cummax, "cummax", return_types.cummax, True, input, dim, out)


def cummin(input, dim, *, out=None):
    """torch.cummin: running minimum and the index where it was reached (values, indices)."""
    return _cumext(_cummin, "cummin", return_types.cummin, False, input, dim, out)


# ---------------------------------------------------------------- median / nanmedian / mode

_median_all, _median_dim = Op("median", "MedianBackward0"), Op("median", "MedianBackward1")
_nanmedian_all = Op("nanmedian", "NanmedianBackward0")
_nanmedian_dim = Op("nanmedian", "NanmedianBackward1")


def _is_float(a) -> bool:
    return jnp.issubdtype(a.dtype, jnp.inexact)


def _median_all_body(ignore_nan):
    def f(a):
        flat = a.reshape(-1)
        n = flat.shape[0]
        if n == 0:
            if _is_float(a):
                return jnp.asarray(jnp.nan, a.dtype)
            return jnp.asarray(jnp.iinfo(a.dtype).min, a.dtype)
        v = lax.stop_gradient(flat)
        s = jnp.sort(v)  # NaN sorts last
        if _is_float(a):
            nan = jnp.isnan(v)
            if ignore_nan:
                k = jnp.maximum(n - jnp.sum(nan) - 1, 0) // 2
                m = s[k]
            else:
                m = jnp.where(jnp.any(nan), jnp.nan, s[(n - 1) // 2]).astype(a.dtype)
            # torch's backward spreads the gradient evenly over the elements equal to the
            # result (the NaNs when it is NaN): a zero-valued term carrying that gradient.
            mask = jnp.where(jnp.isnan(m), nan, v == m)
            spread = jnp.sum(jnp.where(mask, flat - v, 0)) / jnp.maximum(jnp.sum(mask), 1)
            return m + spread.astype(a.dtype)
        return s[(n - 1) // 2]

    return f


def _median_dim_build(d, keepdim, ignore_nan):
    def f(a):
        if a.ndim == 0:
            return a, jnp.zeros((), jnp.int64)
        v = lax.stop_gradient(a)
        n = a.shape[d]
        order = jnp.argsort(v, axis=d, stable=True).astype(jnp.int64)
        shape = list(a.shape)
        shape[d] = 1
        if _is_float(a):
            nan = jnp.isnan(v)
            cnt = jnp.sum(nan, axis=d, keepdims=True)
            if ignore_nan:
                k = jnp.maximum(n - cnt - 1, 0) // 2
            else:
                k = jnp.where(cnt > 0, n - cnt, (n - 1) // 2)  # the first NaN in sorted order
            idx = jnp.take_along_axis(order, k, axis=d)
            if not ignore_nan:
                first_nan = jnp.argmax(nan, axis=d, keepdims=True).astype(jnp.int64)
                idx = jnp.where(cnt > 0, first_nan, idx)
        else:
            idx = lax.slice_in_dim(order, (n - 1) // 2, (n - 1) // 2 + 1, axis=d)
        val = jnp.take_along_axis(a, idx, axis=d)
        if not keepdim:
            val, idx = jnp.squeeze(val, d), jnp.squeeze(idx, d)
        return val, idx

    return f


def _median(name, ops, rtype, ignore_nan, input, dim, keepdim, out):
    _check(input, name)
    dt = input._dtype
    if dt.is_complex:
        raise RuntimeError(f"{name}() does not support complex inputs")
    if dim is None:
        r = run(ops[0], dt, lambda: _median_all_body(ignore_nan), (input._data,), (input,), dt)
        return r if out is None else set_out(out, r)
    d = wrap_dim(dim, input.dim())
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    keepdim = bool(keepdim)
    res = run(ops[1], (d, keepdim, dt), lambda: _median_dim_build(d, keepdim, ignore_nan),
              (input._data,), (input,), (dt, _dt.int64), multi=True)
    return rtype(res) if out is None else _set_outs(out, res, rtype)


def median(input, dim=None, keepdim: bool = False, *, out=None):
    """torch.median: the lower median; with ``dim``, (values, indices). NaN propagates."""
    return _median("median", (_median_all, _median_dim), return_types.median, False, input, dim,
                   keepdim, out)


def nanmedian(input, dim=None, keepdim: bool = False, *, out=None):
    """torch.nanmedian: the lower median ignoring NaNs; with ``dim``, (values, indices)."""
    return _median("nanmedian", (_nanmedian_all, _nanmedian_dim), return_types.nanmedian, True,
                   input, dim, keepdim, out)


_mode = Op("mode")


def _mode_build(d, keepdim):
    def f(a):
        if a.ndim == 0:
            return a, jnp.zeros((), jnp.int64)
        v = jnp.moveaxis(lax.stop_gradient(a), d, -1)
        n = v.shape[-1]
        order = jnp.argsort(v, axis=-1, stable=True).astype(jnp.int64)
        s = jnp.take_along_axis(v, order, axis=-1)
        pos = jnp.arange(n, dtype=jnp.int64)
        edge = jnp.ones(s.shape[:-1] + (1,), bool)
        step = s[..., 1:] != s[..., :-1]
        first = jnp.concatenate([edge, step], -1)
        last = jnp.concatenate([step, edge], -1)
        start = lax.cummax(jnp.where(first, pos, 0), axis=s.ndim - 1)
        score = jnp.where(last, pos - start + 1, 0)
        best = jnp.argmax(score, axis=-1, keepdims=True)  # most frequent; smallest on ties
        idx = jnp.moveaxis(jnp.take_along_axis(order, best, axis=-1), -1, d)
        val = jnp.take_along_axis(a, idx, axis=d)
        if not keepdim:
            val, idx = jnp.squeeze(val, d), jnp.squeeze(idx, d)
        return val, idx

    return f


def mode(input, dim=-1, keepdim: bool = False, *, out=None):
    """torch.mode: the most frequent value along ``dim`` (smallest on ties) and its last index."""
    _check(input, "mode")
    d = wrap_dim(dim, input.dim())
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    keepdim = bool(keepdim)
    dt = input._dtype
    res = run(_mode, (d, keepdim, dt), lambda: _mode_build(d, keepdim), (input._data,), (input,),
              (dt, _dt.int64), multi=True)
    return return_types.mode(res) if out is None else _set_outs(out, res, return_types.mode)


# ---------------------------------------------------------------- quantile / nanquantile

_quantile, _nanquantile = Op("quantile"), Op("nanquantile")
_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _lerp(a, b, w):
    return jnp.where(w < 0.5, a + w * (b - a), b - (b - a) * (1 - w))


def _quantile_build(dims, keepdim, interp, ignore_nan, q_vec, q_scalar):
    def f(a, *qs):
        q = jnp.asarray(q_scalar, a.dtype) if not qs else qs[0]
        if dims is None:
            x = a.reshape(-1)
            out_shape = (1,) * a.ndim if keepdim else ()
        else:
            d = dims[0]
            x = jnp.moveaxis(a.reshape(1) if a.ndim == 0 else a, d, -1)
            shp = list(a.shape)
            if a.ndim:
                if keepdim:
                    shp[d] = 1
                else:
                    del shp[d]
            out_shape = tuple(shp)
        s = jnp.sort(x, axis=-1)
        s = s.reshape(-1, s.shape[-1])
        n = s.shape[-1]
        qv = q.reshape(-1)
        nan = jnp.isnan(s)
        if ignore_nan:
            ranks = qv[None, :] * (jnp.sum(~nan, axis=-1, keepdims=True) - 1).astype(a.dtype)
            ranks = jnp.where(ranks < 0, 0, ranks)
        else:
            ranks = jnp.where(jnp.any(nan, axis=-1, keepdims=True), jnp.asarray(n - 1, a.dtype),
                              qv[None, :] * jnp.asarray(n - 1, a.dtype))
        if interp == "lower":
            ranks = jnp.floor(ranks)
        elif interp == "higher":
            ranks = jnp.ceil(ranks)
        elif interp == "nearest":
            ranks = jnp.round(ranks)
        below = ranks.astype(jnp.int64)
        vals = jnp.take_along_axis(s, below, axis=-1)
        if interp in ("linear", "midpoint"):
            w = jnp.full_like(ranks, 0.5) if interp == "midpoint" else ranks - below.astype(a.dtype)
            above = jnp.take_along_axis(s, jnp.ceil(ranks).astype(jnp.int64), axis=-1)
            vals = _lerp(vals, above, w)
        vals = jnp.moveaxis(vals, -1, 0)  # (nq, rows)
        if q_vec:
            return vals.reshape((qv.shape[0],) + out_shape)
        return vals.reshape(out_shape)

    return f


def _quantile_impl(op, name, ignore_nan, input, q, dim, keepdim, interpolation, out):
    _check(input, name)
    dt = input._dtype
    if dt not in (_dt.float32, _dt.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERP:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest, but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._dtype is not dt:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._data
        if not isinstance(qa, jax.core.Tracer) and qa.size and (
                bool(jnp.any(qa < 0)) or bool(jnp.any(qa > 1))):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        args, inputs, key_q = (input._data, qa), (input, None), (q.dim() == 1, None)
    else:
        q = float(q)
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        args, inputs, key_q = (input._data,), (input,), (False, q)
    dims = None if dim is None else (wrap_dim(dim, input.dim()),)
    keepdim = bool(keepdim)
    key = (dims, keepdim, interpolation, dt, key_q)
    r = run(op, key, lambda: _quantile_build(dims, keepdim, interpolation, ignore_nan, *key_q),
            args, inputs, dt)
    return r if out is None else set_out(out, r)


def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
             out=None) -> Tensor:
    """torch.quantile: q-th quantiles along ``dim`` (flattened when None); NaN propagates."""
    return _quantile_impl(_quantile, "quantile", False, input, q, dim, keepdim, interpolation, out)


def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
                out=None) -> Tensor:
    """torch.nanquantile: quantile ignoring NaNs."""
    return _quantile_impl(_nanquantile, "nanquantile", True, input, q, dim, keepdim, interpolation,
                     out)


# ---------------------------------------------------------------- simple statistics

_nanmean = Op("nanmean")
_count_nonzero = Op("count_nonzero", differentiable=False)
_aminmax = Op("aminmax")


def _nanmean_body(a, d, k):
    keep = ~jnp.isnan(a)
    total = jnp.sum(jnp.where(keep, a, 0), axis=d, keepdims=k)
    return total / jnp.sum(keep, axis=d, keepdims=k).astype(total.real.dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """torch.nanmean: the mean of the non-NaN elements."""
    _check(input, "nanmean")
    dt = dtype or input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but "
                           f"got {dt._tag}")
    return _reduce(_nanmean, input, _dims(dim, input.dim()), keepdim, _nanmean_body, dt, dt, out)


def count_nonzero(input, dim=None) -> Tensor:
    """torch.count_nonzero: int64 count of nonzero elements over ``dim`` (all when None)."""
    _check(input, "count_nonzero")
    dims = _dims(dim, input.dim())
    return _reduce(_count_nonzero, input, dims, False,
                   lambda a, d, k: jnp.sum(a != 0, axis=d, keepdims=k), input._dtype, _dt.int64)


def _aminmax_build(dims, keepdim):
    def f(a):
        if a.ndim == 0:
            return a, a
        if dims is None and keepdim:
            ax = tuple(range(a.ndim))
        else:
            ax = dims
        return jnp.min(a, axis=ax, keepdims=keepdim), jnp.max(a, axis=ax, keepdims=keepdim)

    return f


def aminmax(input, *, dim=None, keepdim: bool = False, out=None):
    """torch.aminmax: (min, max) over ``dim`` (all elements when None)."""
    _check(input, "aminmax")
    dt = input._dtype
    if dt.is_complex:
        raise RuntimeError("aminmax(): does not support complex input")
    dims = None if dim is None else (wrap_dim(dim, input.dim()),)
    if input.numel() == 0 and (dims is None or input.shape[dims[0]] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    keepdim = bool(keepdim)
    res = run(_aminmax, (dims, keepdim, dt), lambda: _aminmax_build(dims, keepdim),
              (input._data,), (input,), (dt, dt), multi=True)
    return return_types.aminmax(res) if out is None else _set_outs(out, res,
                                                                     return_types.aminmax)


_var_mean, _std_mean = Op("var_mean", "VarMeanBackward0"), Op("std_mean", "StdMeanBackward0")


def _moments_build(dims, keepdim, corr, root, src, dst):
    def f(a):
        m = jnp.mean(a, axis=dims, keepdims=True)
        dev = a - m
        sq = (dev * jnp.conj(dev)).real if jnp.iscomplexobj(a) else dev * dev
        n = a.size if dims is None else math.prod(a.shape[i] for i in dims)
        v = jnp.sum(sq, axis=dims, keepdims=keepdim) / jnp.maximum(n - corr, 0)
        if not keepdim:
            m = jnp.squeeze(m, dims) if dims is not None else m.reshape(())
        # _std_sqrt: a zero gradient where the std is 0, as torch (not jnp.sqrt's NaN)
        return (_std_sqrt(v) if root else v).astype(dst.np), m.astype(src.np)

    return f


def _moments_mean(op, name, input, dim, unbiased, keepdim, correction, out, root):
    _check(input, name)
    if isinstance(dim, bool):  # legacy var_mean(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{name}: can't specify both unbiased and correction")
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    dims = _dims(dim, input.dim())
    if dims is not None and input.dim() == 0:
        dims = None
    keepdim = bool(keepdim)
    corr = float(correction)
    res = run(op, (dims, keepdim, corr, dt),
              lambda: _moments_build(dims, keepdim, corr, root, dt, dt.to_real()),
              (input._data,), (input,), (dt.to_real(), dt), multi=True)
    return res if out is None else _set_outs(out, res)


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """torch.var_mean: the plain tuple (var, mean); default correction=1."""
    return _moments_mean(_var_mean, "var_mean", input, dim, unbiased, keepdim, correction, out,
                         False)


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None):
    """torch.std_mean: the plain tuple (std, mean); default correction=1."""
    return _moments_mean(_std_mean, "std_mean", input, dim, unbiased, keepdim, correction, out,
                         True)


# ---------------------------------------------------------------- diff / trapezoid

_diff = Op("diff", saved=None)


def _diff_build(n, d, dt, npre, napp):
    def f(a, *extra):
        parts = [x.astype(dt) for x in ((extra[0],) if npre else ()) + (a,)
                 + ((extra[-1],) if napp else ())]
        x = jnp.concatenate(parts, axis=d) if len(parts) > 1 else parts[0].astype(dt)
        for _ in range(n):
            m = x.shape[d]
            if m == 0:
                break
            hi, lo = lax.slice_in_dim(x, 1, m, axis=d), lax.slice_in_dim(x, 0, m - 1, axis=d)
            x = (hi != lo) if x.dtype == jnp.bool_ else hi - lo
        return x

    return f


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """torch.diff: the n-th forward difference along ``dim`` (logical xor for bool)."""
    _check(input, "diff")
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.dim())
    args, inputs, dts = [input._data], [input], [input._dtype]
    for name, t in (("prepend", prepend), ("append", append)):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
        if t.dim() != input.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i in range(input.dim()):
            if i != d and t.shape[i] != input.shape[i]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {input.shape[i]} but got size {t.shape[i]} for tensor "
                                   f"number 1 in the list.")
        args.append(t._data)
        inputs.append(t)
        dts.append(t._dtype)
    dt = dts[0]
    for x in dts[1:]:
        dt = _dt.promote_types(dt, x)
    if prepend is not None and append is not None:
        args = [args[0], args[1], args[2]]
    npre, napp = prepend is not None, append is not None
    key = (n, d, dt, npre, napp)
    return run(_diff, key, lambda: _diff_build(n, d, dt.np, npre, napp), tuple(args),
               tuple(inputs), dt)


_trapezoid = Op("trapezoid")
_cumtrapz = Op("cumulative_trapezoid")


def _trap_build(d, cum, x_ndim, y_ndim, dx, odt):
    def f(y, *xs):
        m = y.shape[d]
        left, right = lax.slice_in_dim(y, 0, m - 1, axis=d), lax.slice_in_dim(y, 1, m, axis=d)
        if xs:
            x = xs[0]
            if x_ndim == 1:
                shp = [1] * y_ndim
                shp[d] = x.shape[0]
                x = x.reshape(shp)
            elif x_ndim < y_ndim:
                x = x.reshape((1,) * (y_ndim - x_ndim) + x.shape)
            k = x.shape[d]
            step = lax.slice_in_dim(x, 1, k, axis=d) - lax.slice_in_dim(x, 0, k - 1, axis=d)
            prod_ = (left + right) * step
            acc = jnp.cumsum(prod_, axis=d) if cum else jnp.sum(prod_, axis=d)
            return (acc.astype(odt) if acc.dtype != odt else acc) / 2
        left, right = left.astype(odt), right.astype(odt)
        if cum:
            return jnp.cumsum((dx / 2) * (left + right), axis=d)
        ys = y.astype(odt)
        return jnp.sum(ys, axis=d) * dx - (lax.index_in_dim(ys, 0, d, False)
                                           + lax.index_in_dim(ys, m - 1, d, False)) * (dx / 2)

    return f


def _trap(op, name, cum, y, x, dx, dim):
    _tensor_arg(y, name, "y")
    if y.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, y.dim())
    if x is not None and not isinstance(x, Tensor):
        dx, x = x, None
    if y._dtype is _dt.bool or (x is not None and x._dtype is _dt.bool):
        which = "y" if y._dtype is _dt.bool else "x"
        raise RuntimeError(f"{name}: received a bool input for `{which}`, but bool is not "
                           "supported")
    if x is not None:
        if x.dim() == 1 and x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        rt = _dt.promote_types(y._dtype, x._dtype)
        odt = _float_of(rt)
        args, inputs = (y._data, x._data), (y, x)
        key = (d, x.dim(), y.dim(), None, rt)
        cdt = rt.np
        build = lambda: _trap_build_cast(d, cum, x.dim(), y.dim(), cdt, odt.np)  # noqa: E731
    else:
        dx = 1.0 if dx is None else dx
        if isinstance(dx, (bool, complex)):
            raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")
        dx = float(dx)
        odt = _float_of(y._dtype)
        args, inputs = (y._data,), (y,)
        key = (d, None, y.dim(), dx, y._dtype)
        build = lambda: _trap_build(d, cum, 0, y.dim(), dx, odt.np)  # noqa: E731
    if y.shape[d] == 0:
        shp = list(y.shape)
        if cum:
            return _make(jnp.zeros(tuple(shp), odt.np), odt)
        del shp[d]
        return _make(jnp.zeros(tuple(shp), odt.np), odt)
    return run(op, key, build, args, inputs, odt)


def _trap_build_cast(d, cum, x_ndim, y_ndim, cdt, odt):
    inner = _trap_build(d, cum, x_ndim, y_ndim, None, odt)
    return lambda y, x: inner(y.astype(cdt), x.astype(cdt))


def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.trapezoid: the trapezoidal rule along ``dim`` (samples at ``x``, or spacing ``dx``)."""
    return _trap(_trapezoid, "trapezoid", False, y, x, dx, dim)


def trapz(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.trapz: alias of torch.trapezoid."""
    return _trap(_trapezoid, "trapezoid", False, y, x, dx, dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.cumulative_trapezoid: the running trapezoidal rule along ``dim``."""
    return _trap(_cumtrapz, "cumulative_trapezoid", True, y, x, dx, dim)


# ---------------------------------------------------------------- cov / corrcoef

_cov, _corrcoef = Op("cov"), Op("corrcoef")


def _cov_body(x, fw, aw, corr, cdt):
    """torch's cov (ATen Correlation.cpp) on jax arrays; x is (variables, observations)."""
    x = x.astype(cdt)
    n = x.shape[1]
    w = None
    if fw is not None:
        w = fw
    if aw is not None:
        w = aw if w is None else w * aw
    if w is not None:
        w = w.astype(cdt) if not jnp.issubdtype(w.dtype, jnp.inexact) else w
    w_sum = jnp.sum(w) if w is not None else jnp.asarray(n, cdt)
    avg = jnp.sum(x * w if w is not None else x, axis=1) / w_sum
    if w is not None and aw is not None and corr != 0:
        norm = w_sum - corr * jnp.sum(w * aw) / w_sum
    else:
        norm = w_sum - corr
    norm = jnp.where(norm <= 0, jnp.zeros_like(norm), norm)
    xc = x - avg[:, None]
    c = jnp.matmul(xc, jnp.conj(xc * w if w is not None else xc).T, precision="highest")
    return jnp.squeeze((c / norm).astype(cdt))


def _cov_prep(input, name):
    _check(input, name)
    if input.dim() > 2:
        raise RuntimeError(f"{name}(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    if input._dtype is _dt.bool:
        raise RuntimeError(f"{name}(): bool dtype is not supported for input")
    shape = tuple(input.shape)
    return (1, math.prod(shape)) if len(shape) < 2 else shape


def _check_weights(w, kind, nobs):
    if w is None:
        return None
    _tensor_arg(w, "cov", kind)
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got {kind} "
                           f"with {w.dim()} dimensions")
    if kind == "fweights" and w._dtype.category != _dt.INT:
        raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with "
                           f"{w._dtype._tag} dtype")
    if kind == "aweights" and not w._dtype.is_floating_point:
        raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                           f"aweights with {w._dtype._tag} dtype")
    if w.numel() != nobs:
        raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {nobs}")
    a = w._data
    if nobs and not isinstance(a, jax.core.Tracer) and bool(jnp.min(a) < 0):
        raise RuntimeError(f"cov(): {kind} cannot be negative")
    return w


def cov(input, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """torch.cov: covariance of the rows (variables) over the columns (observations)."""
    shape2 = _cov_prep(input, "cov")
    nobs = shape2[1]
    fw = _check_weights(fweights, "fweights", nobs)
    aw = _check_weights(aweights, "aweights", nobs)
    cdt = _float_of(input._dtype)
    if aw is not None:
        cdt = _dt.promote_types(cdt, aw._dtype)
    corr = int(correction)
    args, inputs = [input._data], [input]
    for w in (fw, aw):
        if w is not None:
            args.append(w._data)
            inputs.append(w)
    has_f, has_a = fw is not None, aw is not None

    def build():
        def f(x, *ws):
            ws = list(ws)
            fwa = ws.pop(0).reshape(-1) if has_f else None
            awa = ws.pop(0).reshape(-1) if has_a else None
            return _cov_body(x.reshape(shape2), fwa, awa, corr, cdt.np)

        return f

    return run(_cov, (shape2, corr, has_f, has_a, input._dtype, cdt), build, tuple(args),
               tuple(inputs), cdt)


def corrcoef(input) -> Tensor:
    """torch.corrcoef: Pearson correlation coefficients of the rows, clipped to [-1, 1]."""
    shape2 = _cov_prep(input, "corrcoef")
    cdt = _float_of(input._dtype)

    def build():
        def f(x):
            c = _cov_body(x.reshape(shape2), None, None, 1, cdt.np)
            if c.ndim == 0:
                return c / c
            dg = jnp.diagonal(c)
            sd = jnp.sqrt(dg.real if jnp.iscomplexobj(dg) else dg)
            c = c / sd[:, None]
            c = c / sd[None, :]
            if jnp.iscomplexobj(c):
                return lax.complex(jnp.clip(c.real, -1, 1), jnp.clip(c.imag, -1, 1))
            return jnp.clip(c, -1, 1)

        return f

    return run(_corrcoef, (shape2, input._dtype), build, (input._data,), (input,), cdt)


# ---------------------------------------------------------------- histograms

_histc = Op("histc", differentiable=False)
_histogram = Op("histogram", differentiable=False)
_bincount = Op("bincount", differentiable=False)


def _linspace(lo, hi, n, npdt):
    """torch's linspace: from both ends towards the middle."""
    i = jnp.arange(n, dtype=npdt)
    # A barrier keeps XLA from turning the division by a constant into an inexact multiply
    # by its reciprocal (1 ulp off torch's edges, which moves samples between bins).
    step = (hi - lo) / lax.optimization_barrier(jnp.asarray(n - 1, npdt))
    return jnp.where(jnp.arange(n) < n // 2, lo + step * i, hi - step * (n - 1 - i)).astype(npdt)


def _hist_counts(x, edges, w, nbins, npdt):
    """Counts (or weight sums) per bin; the last bin includes its right edge, as torch."""
    x = x.reshape(-1)
    lo, hi = edges[0], edges[-1]
    inside = (x >= lo) & (x <= hi)
    pos = jnp.searchsorted(edges, x, side="right") - 1
    pos = jnp.clip(pos, 0, nbins - 1)
    vals = jnp.ones_like(x, dtype=npdt) if w is None else w.reshape(-1).astype(npdt)
    return jnp.zeros((nbins,), npdt).at[pos].add(jnp.where(inside, vals, 0))


def histc(input, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """torch.histc: equal-width histogram over [min, max] (the data's range when both are 0)."""
    _check(input, "histc")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{dt._tag}'")
    bins = int(bins)
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    npdt = dt.np

    def build():
        def f(a):
            if lo == hi and a.size:
                mn, mx = jnp.min(a).astype(npdt), jnp.max(a).astype(npdt)
            else:
                mn, mx = jnp.asarray(lo, npdt), jnp.asarray(hi, npdt)
            same = mn == mx
            mn, mx = jnp.where(same, mn - 1, mn), jnp.where(same, mx + 1, mx)
            return _hist_counts(a, _linspace(mn, mx, bins + 1, npdt), None, bins, npdt)

        return f

    r = run(_histc, (bins, lo, hi, dt), build, (input._data,), (None,), dt)
    return r if out is None else set_out(out, r)


def histogram(input, bins=100, *, range=None, weight=None, density: bool = False,  # noqa: A002
              out=None):
    """torch.histogram: (hist, bin_edges) for ``bins`` equal bins or the given edges."""
    _check(input, "histogram")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{dt._tag}'")
    npdt = dt.np
    density = bool(density)
    args = [input._data]
    if isinstance(bins, Tensor):
        if range is not None:
            raise TypeError("histogram() received an invalid combination of arguments - got "
                            "(Tensor, range=tuple, bins=Tensor)")
        if bins.dim() != 1:
            raise RuntimeError(f"torch.histogramdd: expected bins[0] to be a 1D tensor, but got "
                               f"{bins.dim()}D tensor")
        if bins._dtype is not dt:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the "
                               f"same dtype, but got input {dt} and bins {bins._dtype}")
        nbins = bins.shape[0] - 1
        args.append(bins._data)
        key = ("edges", nbins)
    else:
        nbins = int(bins)
        if nbins <= 0:
            raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {nbins} for "
                               f"dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                                   f"{range[0]} max {range[1]} for dimension 0")
        else:
            lo = hi = None
        key = ("count", nbins, lo, hi)
    if weight is not None:
        _tensor_arg(weight, "histogram", "weight")
        if tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, it should have "
                               "the same shape as the input tensor excluding its innermost "
                               "dimension")
        args.append(weight._data)
    has_w = weight is not None

    def build():
        def f(a, *rest):
            rest = list(rest)
            if key[0] == "edges":
                edges = rest.pop(0)
            else:
                if key[2] is None:  # torch's range for empty input is [0, 1]
                    mn = jnp.min(a).astype(npdt) if a.size else jnp.zeros((), npdt)
                    mx = jnp.max(a).astype(npdt) if a.size else jnp.ones((), npdt)
                else:
                    mn, mx = jnp.asarray(key[2], npdt), jnp.asarray(key[3], npdt)
                same = mn == mx
                mn, mx = jnp.where(same, mn - 0.5, mn), jnp.where(same, mx + 0.5, mx)
                edges = _linspace(mn, mx, nbins + 1, npdt)
            w = rest.pop(0) if has_w else None
            hist = _hist_counts(a, edges, w, nbins, npdt)
            if density:
                hist = hist / (jnp.sum(hist) * (edges[1:] - edges[:-1]))
            return hist, edges

        return f

    res = run(_histogram, key + (dt, has_w, density), build, tuple(args),
              (None,) * len(args), (dt, dt), multi=True)
    return return_types.histogram(res) if out is None else _set_outs(out, res,
                                                                       return_types.histogram)


def bincount(input, weights=None, minlength: int = 0) -> Tensor:
    """torch.bincount: occurrences (or weight sums) of each non-negative integer; eager only."""
    _check(input, "bincount")
    from .indexing import concrete

    dt = input._dtype
    if dt.category != _dt.INT:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{dt._tag}'")
    minlength = int(minlength)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    a = input._data
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    v = concrete(a, "bincount")
    if v.size and v.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    length = builtins.max(int(v.max()) + 1 if v.size else 0, minlength)
    if weights is None:
        odt = _dt.int64
        args = (a,)
    else:
        _tensor_arg(weights, "bincount", "weights", 2)
        if tuple(weights.shape) != tuple(input.shape):
            raise RuntimeError("weights should be 1-d and have the same length as input")
        odt = _dt.float32 if weights._dtype is _dt.float32 else _dt.float64
        args = (a, weights._data)
    onp = odt.np

    def build():
        def f(x, *w):
            vals = jnp.ones(x.shape, onp) if not w else w[0].astype(onp)
            return jnp.zeros((length,), onp).at[x].add(vals)

        return f

    return run(_bincount, (length, odt, len(args)), build, args, (None,) * len(args), odt)


def histogramdd(input, bins=10, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """torch.histogramdd: a D-dimensional histogram of the points input[..., :D]."""
    _check(input, "histogramdd")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{dt._tag}'")
    if input.dim() < 1:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 1 dimension, but "
                           "got 0")
    d = input.shape[-1]
    npdt = dt.np
    args = [input._data]
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        if len(bins) != d:
            raise RuntimeError(f"torch.histogramdd: expected {d} sequences of bin edges for each "
                               f"of the {d} input dimensions, but got {len(bins)} bin sequences")
        for i, b in enumerate(bins):
            if b.dim() != 1:
                raise RuntimeError(f"torch.histogramdd: expected bins[{i}] to be a 1D tensor, but "
                                   f"got {b.dim()}D tensor")
            args.append(b._data.astype(npdt))
        nbins = tuple(b.shape[0] - 1 for b in bins)
        lims = None
    else:
        nbins = (int(bins),) * d if isinstance(bins, int) else tuple(int(b) for b in bins)
        if len(nbins) != d:
            raise RuntimeError(f"torch.histogramdd: expected {d} bin counts for each of the {d} "
                               f"input dimensions, but got {len(nbins)} bin counts")
        for i, n in enumerate(nbins):
            if n <= 0:
                raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {n} for "
                                   f"dimension {i}")
        lims = None if range is None else tuple(float(v) for v in range)
        if lims is not None and len(lims) != 2 * d:
            raise RuntimeError(f"torch.histogramdd: for a {d}-dimensional histogram range should "
                               f"have {2 * d} elements, but got {len(lims)}")
    if weight is not None:
        _tensor_arg(weight, "histogramdd", "weight")
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, it should have "
                               "the same shape as the input tensor excluding its innermost "
                               "dimension")
        args.append(weight._data)
    has_w, density, edged = weight is not None, bool(density), lims is None and len(args) > 1 + (
        weight is not None)

    def build():
        def f(a, *rest):
            pts = a.reshape(-1, d)
            rest = list(rest)
            edges = []
            for k in builtins.range(d):
                if edged:
                    edges.append(rest.pop(0))
                    continue
                col = pts[:, k]
                if lims is None:  # torch's range for empty input is [0, 1]
                    mn = jnp.min(col) if col.size else jnp.zeros((), npdt)
                    mx = jnp.max(col) if col.size else jnp.ones((), npdt)
                else:
                    mn, mx = jnp.asarray(lims[2 * k], npdt), jnp.asarray(lims[2 * k + 1], npdt)
                same = mn == mx
                mn, mx = jnp.where(same, mn - 0.5, mn), jnp.where(same, mx + 0.5, mx)
                edges.append(_linspace(mn.astype(npdt), mx.astype(npdt), nbins[k] + 1, npdt))
            w = rest.pop(0).reshape(-1).astype(npdt) if has_w else jnp.ones(pts.shape[:1], npdt)
            flat = jnp.zeros(pts.shape[:1], jnp.int64)
            inside = jnp.ones(pts.shape[:1], bool)
            for k, e in enumerate(edges):
                col = pts[:, k]
                inside &= (col >= e[0]) & (col <= e[-1])
                pos = jnp.clip(jnp.searchsorted(e, col, side="right") - 1, 0, nbins[k] - 1)
                flat = flat * nbins[k] + pos
            total = math.prod(nbins)
            hist = jnp.zeros((total,), npdt).at[flat].add(jnp.where(inside, w, 0)).reshape(nbins)
            if density:
                vol = jnp.ones(nbins, npdt)
                for k, e in enumerate(edges):
                    shape = [1] * d
                    shape[k] = nbins[k]
                    vol = vol * (e[1:] - e[:-1]).reshape(shape)
                hist = hist / (jnp.sum(hist) * vol)
            return (hist, *edges)

        return f

    res = run(_histogram, ("dd", nbins, lims, edged, dt, has_w, density), build, tuple(args),
              (None,) * len(args), (dt,) * (d + 1), multi=True)
    return return_types.histogramdd((res[0], tuple(res[1:])))


# ---------------------------------------------------------------- gradient


def _grad_1d(f, axis, h, edge_order):
    """numpy's gradient along ``axis``: uniform step ``h`` (a number) or coordinates ``h``."""
    n = f.shape[axis]

    def sl(a, b):
        return lax.slice_in_dim(f, a, b, axis=axis)

    def bshape(v):
        shape = [1] * f.ndim
        shape[axis] = v.shape[0]
        return v.reshape(shape)

    if not isinstance(h, jax.Array):
        mid = (sl(2, n) - sl(0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            first = (sl(1, 2) - sl(0, 1)) / h
            last = (sl(n - 1, n) - sl(n - 2, n - 1)) / h
        else:
            first = (-1.5 * sl(0, 1) + 2.0 * sl(1, 2) - 0.5 * sl(2, 3)) / h
            last = (0.5 * sl(n - 3, n - 2) - 2.0 * sl(n - 2, n - 1) + 1.5 * sl(n - 1, n)) / h
        return jnp.concatenate([first, mid, last], axis=axis)
    dx = jnp.diff(h)
    dx1, dx2 = dx[:-1], dx[1:]
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    mid = bshape(a) * sl(0, n - 2) + bshape(b) * sl(1, n - 1) + bshape(c) * sl(2, n)
    if edge_order == 1:
        first = (sl(1, 2) - sl(0, 1)) / dx[0]
        last = (sl(n - 1, n) - sl(n - 2, n - 1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2.0 * d1 + d2) / (d1 * (d1 + d2)) * sl(0, 1) + (d1 + d2) / (d1 * d2) * sl(1, 2)
                 - d1 / (d2 * (d1 + d2)) * sl(2, 3))
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2)) * sl(n - 3, n - 2) - (d2 + d1) / (d1 * d2) * sl(n - 2, n - 1)
                + (2.0 * d2 + d1) / (d2 * (d1 + d2)) * sl(n - 1, n))
    return jnp.concatenate([first, mid, last], axis=axis)


_gradient = Op("gradient")


def gradient(input, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """torch.gradient: central differences (numpy.gradient), one tensor per dim."""
    _check(input, "gradient")
    n = input.dim()
    if dim is None:
        dims = tuple(builtins.range(n))
    else:
        dims = (wrap_dim(dim, n),) if isinstance(dim, int) else tuple(wrap_dim(d, n) for d in dim)
        for d in set(dims):
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if spacing is None:
        spacing = 1
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                               f"it's spacing and dim arguments to have the same length, but got "
                               f"a spacing argument of length {len(spacing)} and a dim argument "
                               f"of length {len(dims)}.")
        spacing = list(spacing)
    else:
        spacing = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    dt = input._dtype
    odt = dt if dt.category >= _dt.FLOAT else _dt.get_default_dtype()
    coords = [s for s in spacing if isinstance(s, Tensor)]
    steps = tuple(None if isinstance(s, Tensor) else (s.item() if hasattr(s, "item") else s)
                  for s in spacing)
    onp = odt.np

    def build():
        def f(a, *cs):
            a = a.astype(onp)
            cs = list(cs)
            return tuple(_grad_1d(a, d, cs.pop(0).astype(onp) if h is None else h, edge_order)
                         for d, h in zip(dims, steps, strict=True))

        return f

    args = (input._data,) + tuple(c._data for c in coords)
    res = run(_gradient, (dims, steps, edge_order, dt), build, args,
              (input, *coords), (odt,) * len(dims), multi=True)
    return tuple(res)


__all__ = [
    "histogramdd", "gradient", "logsumexp", "cumsum", "cumprod", "logcumsumexp", "cummax",
    "cummin", "median", "nanmedian", "mode", "quantile", "nanquantile", "nanmean",
    "count_nonzero", "aminmax", "var_mean", "std_mean", "diff", "trapezoid", "trapz",
    "cumulative_trapezoid", "cov", "corrcoef", "histc", "histogram", "bincount",
]

export(logsumexp)
export(cumsum, inplace=_cum_inplace(cumsum, "cumsum"))
export(cumprod, inplace=_cum_inplace(cumprod, "cumprod"))
export(logcumsumexp)
export(cummax)
export(cummin)
for _f in (median, nanmedian, mode, quantile, nanquantile, nanmean, count_nonzero, aminmax, diff,
           cov, corrcoef, histc, histogram, bincount):
    export(_f)
export(histogramdd, method=False)
export(gradient, method=False)
for _f in (var_mean, std_mean, trapezoid, trapz, cumulative_trapezoid):
    export(_f, method=False)
