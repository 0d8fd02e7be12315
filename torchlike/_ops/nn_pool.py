"""torch.nn.functional pooling: max/avg/lp pools, adaptive pools, max_unpool, fractional max pool.

Each call is one fused kernel (gradients from its vjp).  Max and sum windows run on
``lax.reduce_window``; pools that return torch's flat indices (and adaptive/fractional max
pools, whose windows vary) gather every window into a (positions, window) table built once per
shape, take the element torch picks (first maximum, last NaN), and gather the value back, so
the gradient goes to that element too.  Plain max pools differentiate the same way where JAX's
own rule would not (dilation, NaN, padded all -inf windows).  Averaging divisors (torch's
count_include_pad / ceil_mode rules) are constants computed per shape.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._core import dtypes as _dt
from .._core.registry import Op
from .._core.tensor import Tensor
from . import random as _random
from .nn_activation import check_tensor, fused

__all__ = ["avg_pool1d", "avg_pool2d", "avg_pool3d", "max_pool1d", "max_pool2d", "max_pool3d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "lp_pool1d", "lp_pool2d", "lp_pool3d", "fractional_max_pool2d",
           "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

def _per_nd(name: str, grad: str, dims=(1, 2, 3)) -> dict:
    # torch runs the 1D pools through the 2D kernels and squeezes: their grad_fn is a Squeeze
    return {n: Op(f"{name}{n}d", "SqueezeBackward1" if n == 1 else grad.format(n))
            for n in dims}


_maxpool = _per_nd("max_pool", "MaxPool{}DWithIndicesBackward0")
_avgpool = _per_nd("avg_pool", "AvgPool{}DBackward0")
_lppool = Op("lp_pool", "PowBackward0")
_op_adaptive_avg = _per_nd("adaptive_avg_pool", "AdaptiveAvgPool{}DBackward0")
_op_adaptive_max = _per_nd("adaptive_max_pool", "AdaptiveMaxPool{}DBackward0")
_unpool = _per_nd("max_unpool", "MaxUnpool{}DBackward0")
_op_fractional = _per_nd("fractional_max_pool", "FractionalMaxPool{}DBackward0", (2, 3))


def _tuple(v, n: int, name: str = "kernel_size") -> tuple:
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        v = tuple(int(e) for e in v)
        if len(v) == 1:
            return v * n
        if len(v) != n:
            raise RuntimeError(f"{name} must either be a single int, or a tuple of {n} ints")
        return v
    return (int(v),) * n


def _lowest(npdt):
    if jnp.issubdtype(npdt, jnp.floating):
        return -jnp.inf
    if npdt == jnp.bool_:
        return False
    return jnp.iinfo(npdt).min


def _check_input(fname, input, nd):
    check_tensor(input, fname)
    if input.dim() not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[-nd - 1:]):
        raise RuntimeError(f"{fname}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{list(input.shape)}")


def _out_size(L, k, p, s, d, ceil):
    num = L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    o = num // s + 1
    if ceil and (o - 1) * s >= L + p:
        o -= 1
    return o


def _window_params(fname, input, nd, kernel_size, stride, padding, dilation, ceil_mode,
                   max_pool: bool):
    _check_input(fname, input, nd)
    k = _tuple(kernel_size, nd)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _tuple(stride, nd, "stride")
    p = _tuple(padding, nd, "padding")
    d = _tuple(dilation, nd, "dilation")
    if any(e <= 0 for e in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel: {list(k)}")
    if any(e <= 0 for e in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride: {list(s)}")
    if any(e <= 0 for e in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation: {list(d)}")
    for i in range(nd):
        if p[i] < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p[i]}")
        lim = ((k[i] - 1) * d[i] + 1) // 2 if max_pool else k[i] // 2
        if p[i] > lim:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p[i]}, kernel_size={k[i]} and dilation={d[i]}")
    if max_pool and any(p[i] > k[i] // 2 for i in range(nd)):
        # torch's kernels then also bound the padding by half the undilated kernel
        if nd == 1:
            msg = (f"max_pool1d() padding should be at most half of kernel size, but got "
                   f"padding={p[0]} and kernel_size={k[0]}" if max_pool == "plain" else
                   f"pad should be smaller than or equal to half of kernel size, but got padW = "
                   f"{p[0]}, padH = 0, kW = {k[0]}, kH = 1")
        elif nd == 2:
            msg = (f"pad should be smaller than or equal to half of kernel size, but got padW = "
                   f"{p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
        else:
            msg = (f"pad should be smaller than or equal to half of kernel size, but got kT: "
                   f"{k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
        raise RuntimeError(msg)
    L = tuple(input.shape[-nd:])
    o = tuple(_out_size(L[i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(nd))
    if any(e <= 0 for e in o):
        got = "x".join(map(str, input.shape[-nd - 1:]))
        want = "x".join(map(str, tuple(input.shape[-nd - 1:-nd]) + o))
        raise RuntimeError(f"Given input size: ({got}). Calculated output size: ({want}). "
                           "Output size is too small")
    return k, s, p, d, L, o


def _rw_padding(L, k, s, p, d, o):
    # Right padding reaches the last (ceil_mode) window; extra is never read.
    return tuple((0, 0) for _ in range(2)) + tuple(
        (p[i], max((o[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - L[i] - p[i], 0))
        for i in range(len(L)))


# ---------------------------------------------------------------- window tables


def _flat_table(tables, L):
    """Per-dim (O_d, K_d) input positions (-1 = none) -> flat (prod O, prod K) positions,
    prod(L) where any dim has none."""
    nd = len(tables)
    strides = [math.prod(L[i + 1:]) for i in range(nd)]
    flat = np.zeros((), np.int64)
    bad = np.zeros((), bool)
    for i, t in enumerate(tables):
        # axes: O_0..O_{nd-1}, K_0..K_{nd-1}
        shape = [1] * (2 * nd)
        shape[i], shape[nd + i] = t.shape
        tt = t.reshape(shape)
        flat = flat + tt * strides[i]
        bad = bad | (tt < 0)
    flat = np.where(bad, math.prod(L), flat)
    n_out = math.prod(t.shape[0] for t in tables)
    K = math.prod(t.shape[1] for t in tables)
    return np.broadcast_to(flat, tuple(t.shape[0] for t in tables)
                           + tuple(t.shape[1] for t in tables)).reshape(n_out, K)


def _gather_max(x, flat, nd, out_sp):
    """Max over each row of ``flat`` (positions into x's flattened last nd dims): (values,
    flat indices), picking the element torch's kernels pick."""
    lead = x.shape[:-nd]
    P = math.prod(x.shape[-nd:])
    xf = x.reshape(lead + (P,))
    xf = jnp.concatenate([xf, jnp.full(lead + (1,), _lowest(x.dtype), x.dtype)], -1)
    g = jnp.take(xf, jnp.asarray(flat), axis=-1)  # lead + (O, K)
    valid = jnp.asarray(flat < P)
    # The first valid element equal to the max wins ties (an all -inf window included); the
    # padding slots never win.
    m = jnp.max(jnp.where(valid, g, _lowest(x.dtype)), -1, keepdims=True)
    j = jnp.argmax(valid & (g == m), -1)
    if jnp.issubdtype(x.dtype, jnp.floating):
        # torch takes every NaN it meets: the window's last NaN.
        nan = jnp.isnan(g)
        K = g.shape[-1]
        j = jnp.where(nan.any(-1), K - 1 - jnp.argmax(nan[..., ::-1], -1), j)
    idx = jnp.take_along_axis(jnp.broadcast_to(jnp.asarray(flat), g.shape), j[..., None],
                              -1)[..., 0]
    vals = jnp.take_along_axis(xf, idx.reshape(lead + (-1,)), -1)
    return vals.reshape(lead + out_sp), idx.reshape(lead + out_sp).astype(jnp.int64)


def _pool_tables(L, k, s, p, d, o):
    tabs = []
    for i in range(len(L)):
        pos = np.arange(o[i])[:, None] * s[i] - p[i] + np.arange(k[i])[None, :] * d[i]
        tabs.append(np.where((pos >= 0) & (pos < L[i]), pos, -1))
    return tabs


def _adaptive_tables(L, o):
    tabs = []
    for i in range(len(L)):
        st = (np.arange(o[i]) * L[i]) // o[i]
        en = -((-(np.arange(o[i]) + 1) * L[i]) // o[i])
        K = int((en - st).max()) if o[i] else 1
        pos = st[:, None] + np.arange(K)[None, :]
        tabs.append(np.where(pos < en[:, None], pos, -1))
    return tabs


# ---------------------------------------------------------------- max pool


def _unbatched(input, nd):
    return input.dim() == nd + 1


def _max_pool(fname, nd, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    k, s, p, d, L, o = _window_params(fname, input, nd, kernel_size, stride, padding, dilation,
                                      ceil_mode, "indices" if return_indices else "plain")
    dt = input._dtype
    if dt is _dt.bool or dt.is_complex:
        raise NotImplementedError(f'"{fname}" not implemented for \'{dt._tag}\'')
    key = (dt, nd, k, s, p, d, L, o, bool(return_indices))
    if return_indices:
        def build():
            flat = _flat_table(_pool_tables(L, k, s, p, d, o), L)

            def f(x):
                return _gather_max(x, flat, nd, o)

            return f

        return fused(_maxpool[nd], key, build, (input,), (dt, _dt.int64), multi=True)

    def build():
        pads = _rw_padding(L, k, s, p, d, o)

        def f(x):
            lead = x.shape[:-nd]
            x = x.reshape((-1, 1) + L)
            y = lax.reduce_window(x, np.asarray(_lowest(x.dtype), x.dtype), lax.max,
                                  (1, 1) + k, (1, 1) + s, pads, window_dilation=(1, 1) + d)
            return y.reshape(lead + o)

        if jnp.issubdtype(dt.np, jnp.integer):
            return f  # nothing to differentiate
        flat = _flat_table(_pool_tables(L, k, s, p, d, o), L)
        return _max_vjp(f, flat, nd, L, o, dilated=any(e != 1 for e in d),
                        padded=bool((flat == math.prod(L)).any()))

    return fused(_maxpool[nd], key, build, (input,), dt)


def _max_vjp(pool, flat, nd, L, o, dilated: bool, padded: bool):
    """``pool`` with torch's backward: the cotangent goes to each window's first maximum."""
    # JAX has no vjp for a dilated max reduce_window, and its undilated one spreads the
    # gradient of a NaN window over the window; the table-and-argmax scatter is exact but
    # slower, so the undilated case keeps JAX's rule unless the input needs it.
    P = math.prod(L)

    @jax.custom_vjp
    def f(x):
        return pool(x)

    def fwd(x):
        return pool(x), x

    def scatter(x, g):
        idx = _gather_max(x, flat, nd, o)[1]
        lead = g.shape[:-nd]
        B = math.prod(lead)
        gi = jnp.zeros((B, P), g.dtype).at[jnp.arange(B)[:, None], idx.reshape(B, -1)].add(
            g.reshape(B, -1), mode="drop")
        return gi.reshape(lead + L)

    def bwd(x, g):
        if dilated:
            return (scatter(x, g),)
        # JAX's rule also differs where a window holds padding and only -inf values.
        odd = jnp.isnan(x).any() | ((x == -jnp.inf).any() if padded else False)
        return (lax.cond(odd, scatter, lambda x, g: jax.vjp(pool, x)[1](g)[0], x, g),)

    f.defvjp(fwd, bwd)
    return f


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """torch.nn.functional.max_pool1d_with_indices: (values, flat indices)."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     True)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """torch.nn.functional.max_pool2d_with_indices: (values, flat indices)."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     True)


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """torch.nn.functional.max_pool3d_with_indices: (values, flat indices)."""
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     True)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """torch.nn.functional.max_pool1d (indices are flat positions in each input plane)."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """torch.nn.functional.max_pool2d (indices are flat positions in each input plane)."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """torch.nn.functional.max_pool3d (indices are flat positions in each input volume)."""
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


# ---------------------------------------------------------------- avg / lp pool


def _divisor(L, k, s, p, o, count_include_pad, divisor_override):
    if divisor_override is not None:
        return np.full(o, float(divisor_override))
    div = np.ones((), np.float64)
    for i in range(len(L)):
        st = np.arange(o[i]) * s[i] - p[i]
        en = np.minimum(st + k[i], L[i] + p[i])
        n = en - st if count_include_pad else np.minimum(en, L[i]) - np.maximum(st, 0)
        shape = [1] * len(L)
        shape[i] = o[i]
        div = div * n.reshape(shape)
    return np.broadcast_to(div, o)


def _window_sum(x, L, k, s, p, o):
    pads = _rw_padding(L, k, s, p, (1,) * len(L), o)
    lead = x.shape[:-len(L)]
    # A concrete init value lets JAX pick its differentiable sum-window primitive.
    y = lax.reduce_window(x.reshape((-1, 1) + L), np.zeros((), x.dtype), lax.add,
                          (1, 1) + k, (1, 1) + s, pads)
    return y.reshape(lead + o)


def _avg_pool(fname, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    k, s, p, _, L, o = _window_params(fname, input, nd, kernel_size, stride, padding, 1,
                                      ceil_mode, False)
    if divisor_override is not None and int(divisor_override) == 0:
        raise RuntimeError("divisor must be not zero")
    dt = input._dtype
    if dt is _dt.bool or dt.is_complex:
        raise NotImplementedError(f'"{fname}" not implemented for \'{dt._tag}\'')
    key = (dt, nd, k, s, p, L, o, bool(count_include_pad), divisor_override)

    def build():
        div = _divisor(L, k, s, p, o, count_include_pad, divisor_override)
        isint = not dt.is_floating_point

        def f(x):
            acc = _window_sum(x, L, k, s, p, o)
            if isint:
                return lax.div(acc, jnp.broadcast_to(jnp.asarray(div.astype(np.int64), acc.dtype),
                                                     acc.shape))
            return (acc / jnp.asarray(div, acc.dtype)).astype(dt.np)

        return f

    return fused(_avgpool[nd], key, build, (input,), dt)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """torch.nn.functional.avg_pool1d."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool2d."""
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool3d."""
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _lp_pool(fname, nd, input, norm_type, kernel_size, stride, ceil_mode):
    check_tensor(input, fname)
    if isinstance(norm_type, (int, float)) and abs(norm_type) == math.inf:
        # torch: max pool of |x| (or minus the max pool of -|x| for -inf)
        pool = (max_pool1d, max_pool2d, max_pool3d)[nd - 1]
        if norm_type > 0:
            return pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    k, s, p, _, L, o = _window_params(fname, input, nd, kernel_size, stride, 0, 1, ceil_mode,
                                      False)
    dt = input._dtype
    if dt.is_complex or dt is _dt.bool:
        raise NotImplementedError(f'"{fname}" not implemented for \'{dt._tag}\'')
    # torch's input.pow(norm_type): an integer input stays integer for an int norm_type (the
    # averaging then truncates), and becomes float for a float one.
    int_path = not dt.is_floating_point and isinstance(norm_type, int)
    cdt = dt if dt.is_floating_point or int_path else _dt.get_default_dtype()
    odt = dt if dt.is_floating_point else _dt.get_default_dtype()
    key = (dt, nd, k, s, L, o, norm_type, int_path)

    def build():
        div = _divisor(L, k, s, p, o, True, None)
        kprod = math.prod(k)

        def f(x):
            x = x.astype(cdt.np)
            acc = _window_sum(x ** norm_type, L, k, s, p, o)
            if int_path:
                avg = lax.div(acc, jnp.broadcast_to(jnp.asarray(div.astype(np.int64), acc.dtype),
                                                    acc.shape))
            else:
                avg = acc / jnp.asarray(div, x.dtype)
            out = (jnp.sign(avg) * jnp.maximum(jnp.abs(avg), 0) * kprod).astype(odt.np)
            return (out ** (1.0 / norm_type)).astype(odt.np)

        return f

    return fused(_lppool, key, build, (input,), odt)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool1d: (sum over the window of x^p)^(1/p)."""
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool2d: (sum over the window of x^p)^(1/p)."""
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """torch.nn.functional.lp_pool3d: (sum over the window of x^p)^(1/p)."""
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------- adaptive pools


def _adaptive_params(fname, input, nd, output_size, is_max):
    check_tensor(input, fname)
    if isinstance(output_size, Tensor):
        output_size = output_size.tolist()
    if output_size is None:
        raise TypeError("object of type 'NoneType' has no len()")
    if isinstance(output_size, (list, tuple)):
        osz = tuple(output_size)
        if nd == 1 and len(osz) != 1:
            raise RuntimeError(f"{fname}() argument 'output_size' should contain one int (got "
                               f"{len(osz)})")
        if len(osz) != nd:
            raise RuntimeError(f"{fname}(): internal error: output_size.size() must be {nd}"
                               if is_max else f"{fname}: output_size must be {nd}")
    else:
        osz = (output_size,) * nd
    if input.dim() < nd + 1:
        raise ValueError(f"Input dimension should be at least {nd + 1}")
    L = tuple(input.shape[-nd:])
    osz = tuple(L[i] if e is None else int(e) for i, e in enumerate(osz))
    if any(e < 0 for e in osz):
        if is_max:
            shape = list(input.shape[:-nd]) + list(osz)
            if input.dim() == nd + 1:
                shape = [1] + shape
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{min(osz)}: {shape}")
        sizes = ", ".join(map(str, osz)) if nd < 3 else ", ".join(map(str, osz[:2])) + "," + \
            ",".join(map(str, osz[2:]))
        name = fname if nd > 1 else "adaptive_avg_pool2d"
        if nd == 1:
            sizes = "1, " + sizes
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{sizes}}}")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fname}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    return L, osz


def _adaptive_avg(fname, nd, input, output_size):
    L, o = _adaptive_params(fname, input, nd, output_size, False)
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f'"{fname}" not implemented for \'{dt._tag}\'')
    key = (dt, nd, L, o)

    def build():
        mats = []
        for t, n in zip(_adaptive_tables(L, o), L, strict=True):
            m = np.zeros((t.shape[0], n))
            for r in range(t.shape[0]):
                cols = t[r][t[r] >= 0]
                m[r, cols] = 1.0 / len(cols)
            mats.append(m)

        def f(x):
            for i, m in enumerate(mats):
                ax = x.ndim - nd + i
                x = jnp.moveaxis(jnp.tensordot(x, jnp.asarray(m, x.dtype), ((ax,), (1,)),
                                               precision=lax.Precision.HIGHEST), -1, ax)
            return x.astype(dt.np)

        return f

    return fused(_op_adaptive_avg[nd], key, build, (input,), dt)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool1d."""
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool2d."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """torch.nn.functional.adaptive_avg_pool3d."""
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_max(fname, nd, input, output_size, return_indices):
    L, o = _adaptive_params(fname, input, nd, output_size, True)
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{fname}" not implemented for \'{dt._tag}\'')
    key = (dt, nd, L, o)

    def build():
        flat = _flat_table(_adaptive_tables(L, o), L)

        def f(x):
            return _gather_max(x, flat, nd, o)

        return f

    v, i = fused(_op_adaptive_max[nd], key, build, (input,), (dt, _dt.int64), multi=True)
    return (v, i) if return_indices else v


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool1d."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool2d."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool3d."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """torch.nn.functional.adaptive_max_pool1d_with_indices."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """torch.nn.functional.adaptive_max_pool2d_with_indices."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """torch.nn.functional.adaptive_max_pool3d_with_indices."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, True)


# ---------------------------------------------------------------- max_unpool


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _unpool_flat(xf, jf, P):
    rows = jnp.arange(xf.shape[0])[:, None]
    return jnp.zeros((xf.shape[0], P), xf.dtype).at[rows, jf].set(xf)


def _unpool_fwd(xf, jf, P):
    return _unpool_flat(xf, jf, P), jf


def _unpool_bwd(P, jf, g):
    # torch's backward gathers at every index, repeated ones included (a scatter-set's vjp
    # would give only one of the repeats a gradient).
    return jnp.take_along_axis(g, jf, -1), None


_unpool_flat.defvjp(_unpool_fwd, _unpool_bwd)


def _max_unpool(fname, nd, input, indices, kernel_size, stride, padding, output_size):
    check_tensor(input, fname)
    check_tensor(indices, fname, "indices", 2)
    k = _tuple(kernel_size, nd)
    s = k if stride is None else _tuple(stride, nd, "stride")
    p = _tuple(padding, nd, "padding")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fname}: Input to max_unpooling{nd}d should be a {nd + 1}d or "
                           f"{nd + 2}d Tensor, but got a tensor with {input.dim()} dimensions.")
    L = tuple(input.shape[-nd:])
    default = tuple((L[i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(nd))
    if output_size is None:
        o = default
    else:
        osz = [int(e) for e in output_size]
        if len(osz) == nd + 2 or (len(osz) == nd + 1 and input.dim() == nd + 1):
            osz = osz[-nd:]
        if len(osz) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(osz)}'")
        for i in range(nd):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < osz[i] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between '
                                 f'{lo} and {hi})')
        o = tuple(osz)
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    if indices._dtype is not _dt.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices._dtype}")
    P = math.prod(o)
    # Eager calls check the indices as torch does; under tracing (compile) they are not known.
    if indices.numel() and not isinstance(indices._data, jax.core.Tracer):
        ia = np.asarray(indices._data)
        bad = (ia < 0) | (ia >= P)
        if bad.any():
            raise RuntimeError(f"Found an invalid max index: {int(ia[bad].flat[0])} (output "
                               f"volumes are of size {'x'.join(map(str, o))}")
    dt = input._dtype
    key = (dt, nd, o)

    def build():
        def f(x, idx):
            lead = x.shape[:-nd]
            xf = x.reshape((-1, math.prod(x.shape[-nd:])))
            jf = idx.reshape(xf.shape)
            return _unpool_flat(xf, jf, P).reshape(lead + o)

        return f

    return fused(_unpool[nd], key, build, (input, indices), dt, nodiff=(1,))


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """torch.nn.functional.max_unpool1d."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """torch.nn.functional.max_unpool2d."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """torch.nn.functional.max_unpool3d."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size)


# ---------------------------------------------------------------- fractional max pool


def _fractional(fname, nd, input, kernel_size, output_size, output_ratio, return_indices,
                _random_samples):
    check_tensor(input, fname)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    k = _tuple(kernel_size, nd)
    L = tuple(input.shape[-nd:])
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fname} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        r = _tuple_f(output_ratio, nd)
        o = tuple(int(L[i] * r[i]) for i in range(nd))
    else:
        o = _tuple(output_size, nd, "output_size")
    for i in range(nd):
        if o[i] + k[i] - 1 > L[i]:
            raise RuntimeError(f"{fname}(): pool size {k[i]} too large relative to input size "
                               f"{L[i]}: output size {o[i]}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f'"check_uniform_bounds" not implemented for \'{dt._tag}\'')
    batched = input.dim() == nd + 2
    n = input.shape[0] if batched else 1
    c = input.shape[-nd - 1]
    if _random_samples is None:
        u = _random.rand(n, c, nd, dtype=dt)
    else:
        u = _random_samples
    key = (dt, nd, k, L, o)

    def build():
        def f(x, samples):
            lead = x.shape[:-nd]
            n, c = samples.shape[:2]
            xb = x.reshape((n, c, math.prod(L)))
            flat = jnp.zeros((n, c) + o + k, jnp.int64)
            for i in range(nd):
                ui = samples[..., i].astype(x.dtype)[:, :, None]
                if o[i] > 1:
                    alpha = (L[i] - k[i]) / (o[i] - 1)
                    j = jnp.arange(o[i] - 1, dtype=x.dtype)
                    st = (jnp.floor((j + ui) * alpha) - jnp.floor(ui * alpha)).astype(jnp.int64)
                    st = jnp.concatenate([st, jnp.full((n, c, 1), L[i] - k[i], jnp.int64)], -1)
                else:
                    st = jnp.full((n, c, 1), L[i] - k[i], jnp.int64)
                pos = st[..., None] + jnp.arange(k[i])  # (n, c, O_i, K_i)
                shape = [n, c] + [1] * (2 * nd)
                shape[2 + i], shape[2 + nd + i] = o[i], k[i]
                flat = flat + pos.reshape(shape) * math.prod(L[i + 1:])
            flat = flat.reshape((n, c, math.prod(o), math.prod(k)))
            # the window count spelled out: -1 cannot be inferred for a zero-size batch
            g = jnp.take_along_axis(xb, flat.reshape((n, c, math.prod(o) * math.prod(k))),
                                    -1).reshape(flat.shape)
            nan = jnp.isnan(g)
            # torch keeps the window's last NaN, else its first maximum.
            last_nan = g.shape[-1] - 1 - jnp.argmax(nan[..., ::-1], -1)
            j = jnp.where(nan.any(-1), last_nan, jnp.argmax(g, -1))
            idx = jnp.take_along_axis(flat, j[..., None], -1)[..., 0]
            vals = jnp.take_along_axis(xb, idx, -1)
            return vals.reshape(lead + o), idx.reshape(lead + o)

        return f

    v, i = fused(_op_fractional[nd], key, build, (input, u), (dt, _dt.int64), multi=True,
                 nodiff=(1,))
    return (v, i) if return_indices else v


def _tuple_f(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(float(e) for e in v) if len(v) == n else (float(v[0]),) * n
    return (float(v),) * n


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """torch.nn.functional.fractional_max_pool2d (window offsets drawn from JAX's stream)."""
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio,
                       return_indices, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """torch.nn.functional.fractional_max_pool3d (window offsets drawn from JAX's stream)."""
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio,
                       return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = True,
                                       _random_samples=None):
    """torch.nn.functional.fractional_max_pool2d_with_indices."""
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio,
                       True, _random_samples)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = True,
                                       _random_samples=None):
    """torch.nn.functional.fractional_max_pool3d_with_indices."""
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio,
                       True, _random_samples)

