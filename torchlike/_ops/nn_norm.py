"""torch.nn.functional normalization: batch/instance/layer/group/rms norm, local response norm,
normalize.  One fused kernel per call; running statistics are updated in place (no autograd)
by a second small kernel, as torch's batch_norm does."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core.grad_mode import no_grad
from .._core.registry import Op, export, run, wrap_dim
from .._core.registry import inplace as _inplace
from .._core.tensor import Tensor
from .._core.tracing import is_traced
from .nn_activation import check_tensor, dtypes_of, float_of, fused, opmath

_make = Tensor._make


def _affine(y, w, b, shape):
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    return y


# ---------------------------------------------------------------- batch / instance norm

_batch_norm = Op("batch_norm", "NativeBatchNormBackward0")
_stats_update = Op("batch_norm_update_stats", differentiable=False)


def _bn_stats_update(input, running_mean, running_var, momentum, axes, n):
    """Write torch's momentum update of the running stats (unbiased variance) in place."""
    dt_in = input._dtype
    key = (dt_in, running_mean._dtype if running_mean is not None else None,
           running_var._dtype if running_var is not None else None, axes, float(momentum), n)
    has_m, has_v = running_mean is not None, running_var is not None

    def build():
        cdt = opmath(dt_in)

        def f(x, rm, rv):
            x = x.astype(cdt)
            mean = jnp.mean(x, axis=axes)
            var = jnp.var(x, axis=axes) * (n / (n - 1) if n > 1 else math.nan)
            new_m = None if rm is None else ((1 - momentum) * rm + momentum * mean).astype(rm.dtype)
            new_v = None if rv is None else ((1 - momentum) * rv + momentum * var).astype(rv.dtype)
            return new_m, new_v

        return f

    entry = _stats_update.kernels.get(key)
    if entry is None:
        f = build()
        entry = _stats_update.kernels[key] = (jax.jit(f), f)
    nm, nv = entry[0](input._data, running_mean._data if has_m else None,
                      running_var._data if has_v else None)
    with no_grad():
        if has_m:
            _inplace(running_mean, _make(nm, running_mean._dtype))
        if has_v:
            _inplace(running_var, _make(nv, running_var._dtype))


def _bn_core(input, running_mean, running_var, weight, bias, use_stats: bool, eps: float,
             op: Op, per_instance: bool = False):
    nd = input.dim()
    dt = input._dtype
    if per_instance:
        axes = tuple(range(2, nd))
    else:
        axes = (0,) + tuple(range(2, nd))
    cshape = (1, -1) + (1,) * (nd - 2)
    key = (dt, nd, use_stats, float(eps), per_instance,
           dtypes_of(running_mean, running_var, weight, bias))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, rm, rv, w, b):
            x = x.astype(cdt)
            if use_stats:
                mean = jnp.mean(x, axis=axes, keepdims=True)
                var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
            else:
                mean = rm.astype(cdt).reshape(cshape)
                var = rv.astype(cdt).reshape(cshape)
            y = (x - mean) / jnp.sqrt(var + eps)
            w = None if w is None else w.astype(cdt)
            b = None if b is None else b.astype(cdt)
            return _affine(y, w, b, cshape).astype(onp)

        return f

    return fused(op, key, build, (input, running_mean, running_var, weight, bias), dt,
                 nodiff=() if not use_stats else (1, 2))


def _empty_affine(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  repeats: int = 1) -> Tensor:
    """torch's batch_norm on a zero-size input: a copy scaled by weight[0], shifted by bias[0]."""
    # A fresh tensor (not the input itself) so that the graph still reaches the input and the
    # affine parameters, as torch's does; ``repeats`` is instance_norm's tiling of them.
    out = input.clone()
    for t in (weight, bias):
        if t is not None and t.numel() * repeats == 0:
            raise IndexError("select(): index 0 out of range for tensor of size [0] at "
                             "dimension 0")
    if weight is not None:
        out = out * weight.reshape(-1)[0]
    if bias is not None:
        out = out + bias.reshape(-1)[0]
    return out


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.batch_norm: running stats are updated in place when training."""
    check_tensor(input, "batch_norm")
    shape = tuple(input.shape)
    if training:
        if not shape:
            raise IndexError("tuple index out of range")
        if shape[0] * math.prod(shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    if input.numel() == 0:
        # torch skips every other check and leaves the running stats alone here.
        return _empty_affine(input, weight, bias)
    if not training:
        for name, t in (("running_mean", running_mean), ("running_var", running_var)):
            if t is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    c = shape[1] if len(shape) > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if len(shape) < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    out = _bn_core(input, running_mean, running_var, weight, bias, training, eps, _batch_norm)
    if training and (running_mean is not None or running_var is not None):
        n = math.prod(shape) // c
        axes = (0,) + tuple(range(2, input.dim()))
        _bn_stats_update(input, running_mean, running_var, momentum, axes, n)
    return out


_instance_norm = Op("instance_norm", "NativeBatchNormBackward0")


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.instance_norm: per-sample, per-channel statistics."""
    check_tensor(input, "instance_norm")
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.dim()}D input)")
    if use_input_stats:
        spatial = math.prod(input.shape[2:])
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {list(input.shape)}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    if input.numel() == 0:
        if use_input_stats and input.shape[0] == 0:
            # torch averages the per-sample copies of the stats back: over no samples, NaN.
            with no_grad():
                for t in (running_mean, running_var):
                    if t is not None:
                        t.fill_(math.nan)
        return _empty_affine(input, weight, bias, input.shape[0])
    if use_input_stats:
        out = _bn_core(input, None, None, weight, bias, True, eps, _instance_norm,
                       per_instance=True)
        if running_mean is not None or running_var is not None:
            _in_stats_update(input, running_mean, running_var, momentum)
        return out
    return _bn_core(input, running_mean, running_var, weight, bias, False, eps, _instance_norm)


def _in_stats_update(input, running_mean, running_var, momentum):
    # torch runs batch_norm on a (1, N*C, ...) view with the stats repeated N times, then
    # averages the N updated copies back into the running stats.
    nd = input.dim()
    axes = tuple(range(2, nd))
    n = math.prod(input.shape[2:])
    dt = input._dtype
    # Eagerly on the host; traced, the same arithmetic on the jax values.
    host = (lambda a: a) if is_traced(input, running_mean, running_var) else np.asarray
    x = host(input._data).astype(np.dtype(opmath(dt)))
    mean = x.mean(axis=axes)
    var = x.var(axis=axes) * (n / (n - 1) if n > 1 else math.nan)
    with no_grad():
        if running_mean is not None:
            rm = host(running_mean._data)
            new = ((1 - momentum) * rm[None] + momentum * mean).mean(axis=0)
            _inplace(running_mean, _make(jnp.asarray(new.astype(rm.dtype)), running_mean._dtype))
        if running_var is not None:
            rv = host(running_var._data)
            new = ((1 - momentum) * rv[None] + momentum * var).mean(axis=0)
            _inplace(running_var, _make(jnp.asarray(new.astype(rv.dtype)), running_var._dtype))


# ---------------------------------------------------------------- layer / rms / group norm

_layer_norm = Op("layer_norm", "NativeLayerNormBackward0")
_rms_norm = Op("rms_norm", "RmsNormBackward0")
_group_norm = Op("group_norm", "NativeGroupNormBackward0")


def _norm_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.layer_norm."""
    check_tensor(input, "layer_norm")
    ns = _norm_shape(normalized_shape)
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = "
                           f"{list(ns)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t.shape)} and normalized_shape = {list(ns)}")
    if tuple(input.shape[input.dim() - len(ns):]) != ns or input.dim() < len(ns):
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f'"LayerNormKernelImpl" not implemented for \'{dt._tag}\'')
    axes = tuple(range(input.dim() - len(ns), input.dim()))
    key = (dt, input.dim(), ns, float(eps), dtypes_of(weight, bias))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, w, b):
            x = x.astype(cdt)
            mean = jnp.mean(x, axis=axes, keepdims=True)
            var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
            # torch's CPU kernel form: x * rstd + (-mean * rstd), rounding included.
            rstd = 1.0 / jnp.sqrt(var + eps)
            y = x * rstd + (-mean * rstd)
            if w is not None:
                y = y * w.astype(cdt)
            if b is not None:
                y = y + b.astype(cdt)
            return y.astype(onp)

        return f

    return fused(_layer_norm, key, build, (input, weight, bias), dt)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """torch.nn.functional.rms_norm (eps=None: the dtype's machine epsilon)."""
    check_tensor(input, "rms_norm")
    ns = _norm_shape(normalized_shape)
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = "
                           f"{list(ns)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(ns)}")
    if tuple(input.shape[input.dim() - len(ns):]) != ns or input.dim() < len(ns):
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"rms_norm only supports floating-point inputs, got {dt._tag}")
    if eps is None:
        eps = float(jnp.finfo(dt.np).eps)
    axes = tuple(range(input.dim() - len(ns), input.dim()))
    key = (dt, input.dim(), ns, float(eps), dtypes_of(weight))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, w):
            x = x.astype(cdt)
            y = x * (1.0 / jnp.sqrt(jnp.mean(x * x, axis=axes, keepdims=True) + eps))
            if w is not None:
                y = y * w.astype(cdt)
            return y.astype(onp)

        return f

    return fused(_rms_norm, key, build, (input, weight), dt)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """torch.nn.functional.group_norm."""
    check_tensor(input, "group_norm")
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups="
                           f"{num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} and "
                               f"input of shape {list(input.shape)}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f'"GroupNormKernelImpl" not implemented for \'{dt._tag}\'')
    shape = tuple(input.shape)
    nd = len(shape)
    key = (dt, shape, int(num_groups), float(eps), dtypes_of(weight, bias))

    def build():
        cdt, onp = opmath(dt), dt.np
        cshape = (1, -1) + (1,) * (nd - 2)

        def f(x, w, b):
            x = x.astype(cdt)
            g = x.reshape(n, num_groups, math.prod(shape) // max(n * num_groups, 1))
            mean = jnp.mean(g, axis=-1, keepdims=True)
            var = jnp.mean(jnp.square(g - mean), axis=-1, keepdims=True)
            y = ((g - mean) / jnp.sqrt(var + eps)).reshape(shape)
            w = None if w is None else w.astype(cdt)
            b = None if b is None else b.astype(cdt)
            return _affine(y, w, b, cshape).astype(onp)

        return f

    return fused(_group_norm, key, build, (input, weight, bias), dt)


# ---------------------------------------------------------------- local response norm, normalize

_lrn = Op("local_response_norm", "DivBackward0")


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """torch.nn.functional.local_response_norm: normalise across channels (dim 1)."""
    check_tensor(input, "local_response_norm")
    nd = input.dim()
    if nd < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {nd} dimensions)")
    if input.numel() == 0:
        return input
    src = input._dtype
    dt = float_of(src)
    c = input.shape[1]
    lo, hi = size // 2, (size - 1) // 2
    key = (src, nd, c, int(size), float(alpha), float(beta), float(k))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x):
            xf = x.astype(cdt)
            integer = not jnp.issubdtype(x.dtype, jnp.inexact)
            sq = x * x if integer else xf * xf
            pad = [(0, 0)] * nd
            pad[1] = (lo, hi)
            sp = jnp.pad(sq, pad)
            acc = sum(sp[:, i:i + c] for i in range(size))
            # torch average-pools an integer input in integer arithmetic.
            acc = (acc // size).astype(cdt) if integer else acc / size
            div = (acc * alpha + k) ** beta
            return (xf / div).astype(onp)

        return f

    return run(_lrn, key, build, (input._data,), (input,), dt)


_normalize = Op("normalize", "DivBackward0")


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """torch.nn.functional.normalize: input / max(||input||_p over dim, eps)."""
    from .nn_loss import _pnorm

    check_tensor(input, "normalize")
    d = wrap_dim(dim, max(input.dim(), 1))
    dt = input._dtype
    key = (dt, d, float(p), float(eps))

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x):
            x = x.astype(cdt)
            xx = x.reshape(1) if x.ndim == 0 else x
            nrm = _pnorm(xx, p, d, keepdim=True)
            return (xx / jnp.maximum(nrm, eps)).reshape(x.shape).astype(onp)

        return f

    r = run(_normalize, key, build, (input._data,), (input,), dt)
    if out is not None:
        from .._core.registry import set_out

        return set_out(out, r)
    return r


# ---------------------------------------------------------------- torch.native_* forms


def _mean_rstd(x: Tensor, dims, eps: float, keepdim: bool):
    mean = x.mean(dims, keepdim=keepdim)
    return mean, (x.var(dims, correction=0, keepdim=keepdim) + eps).rsqrt()


def native_layer_norm(input: Tensor, normalized_shape, weight: Tensor | None,
                      bias: Tensor | None, eps: float) -> tuple:
    """torch.native_layer_norm: (output, mean, rstd), statistics with the normalized dims kept."""
    out = layer_norm(input, normalized_shape, weight, bias, eps)
    ns = _norm_shape(normalized_shape)
    dims = tuple(range(input.dim() - len(ns), input.dim()))
    return (out, *_mean_rstd(input, dims, eps, True))


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                      running_mean: Tensor | None, running_var: Tensor | None, training: bool,
                      momentum: float, eps: float) -> tuple:
    """torch.native_batch_norm: (output, save_mean, save_invstd); empty statistics in eval."""
    out = batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if training:
        return (out, *_mean_rstd(input, (0, *range(2, input.dim())), eps, False))
    empty = input.new_empty((0,))
    return out, empty, empty.clone()


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: int, C: int,
                      HxW: int, group: int, eps: float) -> tuple:
    """torch.native_group_norm: (output, mean, rstd) with statistics of shape (N, group)."""
    out = group_norm(input, group, weight, bias, eps)
    # the group size spelled out: -1 cannot be inferred for a zero-size batch
    return (out, *_mean_rstd(input.reshape(N, group, (C // group) * HxW), -1, eps, False))


__all__ = ["batch_norm", "instance_norm", "layer_norm", "rms_norm", "group_norm",
           "local_response_norm", "normalize"]
for _f in (native_layer_norm, native_batch_norm, native_group_norm):
    export(_f, method=False)
