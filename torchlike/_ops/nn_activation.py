"""torch.nn.functional activations: relu family, elu family, gelu, shrinkers, softmax family.

Each op is one fused jnp body run as a cached jitted kernel (``registry.run``); autograd comes
from its vjp.  Scalar parameters (slopes, thresholds) are baked into the kernel key: models use
a handful of fixed values.  float16/bfloat16 inputs compute in float32 and round once, as torch's
CPU kernels do (their opmath type).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _dt
from .._core.registry import Op, export, run, wrap_dim
from .._core.registry import inplace as _inplace
from .._core.tensor import Tensor
from . import random as _random
from .pointwise import relu as _torch_relu
from .pointwise import sigmoid as _torch_sigmoid
from .pointwise import tanh as _torch_tanh

# ---------------------------------------------------------------- helpers shared by nn_* modules


def check_tensor(x, fname: str, name: str = "input", pos: int = 1) -> Tensor:
    """Raise torch's TypeError unless ``x`` is a Tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def opmath(dt: _dt.dtype):
    """The numpy dtype torch computes ``dt`` in (half types in float32)."""
    if dt is _dt.float16 or dt is _dt.bfloat16:
        return jnp.float32
    return dt.np


def float_of(dt: _dt.dtype) -> _dt.dtype:
    """Floating and complex dtypes stay; integers and bool become the default float dtype."""
    return dt if dt.is_floating_point or dt.is_complex else _dt.get_default_dtype()


def fused(op: Op, key, build, tensors, out_dt, extra=(), *, multi: bool = False, nodiff=()):
    """Run ``op``'s kernel on the arrays of ``tensors`` (None allowed) plus non-tensor ``extra``
    args; ``key`` must name everything ``build`` bakes in (dtypes, shapes it branches on).
    Tensors at positions ``nodiff`` get no gradient (torch's graph does not reach them)."""
    args = tuple(None if t is None else t._data for t in tensors) + tuple(extra)
    inputs = tuple(None if i in nodiff else t for i, t in enumerate(tensors))
    inputs += (None,) * len(extra)
    return run(op, key, build, args, inputs, out_dt, multi=multi)


def dtypes_of(*tensors) -> tuple:
    return tuple(None if t is None else t._dtype for t in tensors)


# ---------------------------------------------------------------- elementwise activations


def _unary_act(op: Op, input, params: tuple, body, fname: str, *, keep_int: bool = False,
               complex_ok: bool = False, inplace_: bool = False) -> Tensor:
    check_tensor(input, fname)
    src = input._dtype
    if src is _dt.bool or (src.is_complex and not complex_ok):
        raise NotImplementedError(f'"{fname}" not implemented for \'{src._tag}\'')
    if not keep_int and not (src.is_floating_point or src.is_complex):
        if inplace_:
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{src._tag}")
        dst = _dt.get_default_dtype()
    else:
        dst = src
    key = (src, dst, params)

    def build():
        cdt = opmath(dst) if dst.is_floating_point or dst.is_complex else dst.np
        onp = dst.np

        def f(a):
            return body(a.astype(cdt), *params).astype(onp)

        return f

    r = run(op, key, build, (input._data,), (input,), dst)
    return _inplace(input, r) if inplace_ else r


def _declare(name: str, body, *, grad_name: str | None = None, keep_int: bool = False,
             complex_ok: bool = False, saved: str | None = "in"):
    op = Op(name, grad_name, saved=saved)

    def call(input, params=(), inplace_=False, fname=name):
        return _unary_act(op, input, params, body, fname, keep_int=keep_int,
                          complex_ok=complex_ok, inplace_=inplace_)

    return call


def _hardtanh_body(x, lo, hi):
    # Boundary points get zero gradient, as in torch's hardtanh_backward (x > lo) & (x < hi).
    return jnp.where(x <= lo, jnp.asarray(lo, x.dtype),
                     jnp.where(x >= hi, jnp.asarray(hi, x.dtype), x))


def _elu_body(x, alpha, scale, input_scale):
    # torch's test is x <= 0 (NaN takes the linear slope); the exp branch sees no positive x,
    # so its dead gradient at +inf is 0, not 0 * inf
    neg_side = x <= 0
    neg = alpha * jnp.expm1(jnp.where(neg_side, x, 0) * input_scale)
    return jnp.where(neg_side, neg * scale, x * scale)


def _gelu_body(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1.0 + jnp.tanh(k * (x + 0.044715 * x * x * x)))
    return x * 0.5 * (1.0 + lax.erf(x * (1.0 / math.sqrt(2.0))))


def _softplus_body(x, beta, threshold):
    bx = x * beta
    big = bx > threshold
    # the log branch never sees the linear region, so its dead gradient at +inf is 0, not NaN
    return jnp.where(big, x, jnp.log1p(jnp.exp(jnp.where(big, 0, bx))) / beta)


def _leaky_body(x, slope):
    return jnp.where(x > 0, x, x * slope)


def _threshold_body(x, th, value):
    # NaN passes through (with its gradient), as torch's x <= th test is false for it
    return jnp.where((x > th) | jnp.isnan(x), x, jnp.asarray(value).astype(x.dtype))


def _hardshrink_body(x, lambd):
    return jnp.where((x >= -lambd) & (x <= lambd), jnp.zeros((), x.dtype), x)


def _softshrink_body(x, lambd):
    # NaN passes through with slope 1, as in torch
    inner = jnp.where(jnp.isnan(x), x, jnp.zeros((), x.dtype))
    return jnp.where(x > lambd, x - lambd, jnp.where(x < -lambd, x + lambd, inner))


def _silu_body(x):
    return x / (1 + jnp.exp(-x))


def _mish_body(x):
    return x * jnp.tanh(jax.nn.softplus(x))


def _hardsigmoid_body(x):
    # torch's slope is 1/6 only strictly inside (-3, 3): none at NaN, which still gives NaN
    inside = (x > -3) & (x < 3)
    mid = jnp.where(inside, x, lax.stop_gradient(x)) / 6 + 0.5
    return jnp.where(x <= -3, jnp.zeros((), x.dtype), jnp.where(x >= 3, jnp.ones((), x.dtype), mid))


def _hardswish_body(x):
    return jnp.where(x <= -3, jnp.zeros((), x.dtype), jnp.where(x >= 3, x, x * (x + 3) / 6))


def _logsigmoid_body(x):
    return -jax.nn.softplus(-x)


def _softsign_body(x):
    return x / (1 + jnp.abs(x))


def _tanhshrink_body(x):
    return x - jnp.tanh(x)


_hardtanh = _declare("hardtanh", _hardtanh_body, keep_int=True)
_elu = _declare("elu", _elu_body)
_celu = _declare("celu", _elu_body, grad_name="EluBackward0")
_selu = _declare("selu", _elu_body, grad_name="EluBackward0")
_gelu = _declare("gelu", _gelu_body)
_softplus = _declare("softplus", _softplus_body)
_leaky = _declare("leaky_relu", _leaky_body)
_rrelu_eval = _declare("rrelu", _leaky_body, grad_name="LeakyReluBackward0")
_threshold = _declare("threshold", _threshold_body, keep_int=True)
_hardshrink = _declare("hardshrink", _hardshrink_body)
_softshrink = _declare("softshrink", _softshrink_body)
_silu = _declare("silu", _silu_body, complex_ok=True)
_mish = _declare("mish", _mish_body)
_hardsigmoid = _declare("hardsigmoid", _hardsigmoid_body)
_hardswish = _declare("hardswish", _hardswish_body)
_logsigmoid = _declare("log_sigmoid", _logsigmoid_body, grad_name="LogSigmoidBackward0")
_softsign = _declare("softsign", _softsign_body, grad_name="DivBackward0")
_tanhshrink = _declare("tanhshrink", _tanhshrink_body, grad_name="SubBackward0")

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.relu."""
    check_tensor(input, "relu")
    return input.relu_() if inplace else _torch_relu(input)


def relu_(input: Tensor) -> Tensor:
    """torch.nn.functional.relu_ (in place)."""
    return relu(input, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardtanh (integer inputs keep their dtype)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _hardtanh(input, (min_val, max_val), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """torch.nn.functional.hardtanh_ (in place)."""
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.relu6: hardtanh(input, 0, 6)."""
    return _hardtanh(input, (0, 6), inplace, "relu6")


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """torch.nn.functional.elu."""
    return _elu(input, (float(alpha), 1.0, 1.0), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """torch.nn.functional.elu_ (in place)."""
    return elu(input, alpha, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """torch.nn.functional.celu."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _celu(input, (float(alpha), 1.0, 1.0 / float(alpha)), inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """torch.nn.functional.celu_ (in place)."""
    return celu(input, alpha, True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.selu."""
    return _selu(input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def selu_(input: Tensor) -> Tensor:
    """torch.nn.functional.selu_ (in place)."""
    return selu(input, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """torch.nn.functional.gelu (approximate='none' or 'tanh')."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _gelu(input, (approximate,))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """torch.nn.functional.softplus."""
    return _softplus(input, (beta, threshold))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """torch.nn.functional.leaky_relu."""
    return _leaky(input, (negative_slope,), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """torch.nn.functional.leaky_relu_ (in place)."""
    return leaky_relu(input, negative_slope, True)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """torch.nn.functional.threshold: ``value`` where input <= threshold."""
    return _threshold(input, (threshold, value), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """torch.nn.functional.threshold_ (in place)."""
    return _threshold(input, (threshold, value), True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """torch.nn.functional.hardshrink."""
    return _hardshrink(input, (lambd,))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """torch.nn.functional.softshrink."""
    check_tensor(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{input._dtype._tag}, but found {lambd}")
    return _softshrink(input, (lambd,))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.silu (complex inputs too)."""
    return _silu(input, (), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.mish."""
    return _mish(input, (), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardsigmoid."""
    return _hardsigmoid(input, (), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """torch.nn.functional.hardswish."""
    return _hardswish(input, (), inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """torch.nn.functional.logsigmoid."""
    return _logsigmoid(input, (), False, "log_sigmoid_forward")


def softsign(input: Tensor) -> Tensor:
    """torch.nn.functional.softsign: input / (1 + |input|)."""
    return _softsign(input, ())


def tanhshrink(input: Tensor) -> Tensor:
    """torch.nn.functional.tanhshrink: input - tanh(input)."""
    return _tanhshrink(input, ())


def sigmoid(input: Tensor) -> Tensor:
    """torch.nn.functional.sigmoid (torch.sigmoid)."""
    return _torch_sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """torch.nn.functional.tanh (torch.tanh)."""
    return _torch_tanh(input)


# ---------------------------------------------------------------- prelu, rrelu, glu

_prelu = Op("prelu", "PreluKernelBackward0")


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """torch.nn.functional.prelu: the weight broadcasts along dim 1 (channels)."""
    check_tensor(input, "prelu")
    check_tensor(weight, "prelu", "weight", 2)
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight.dim()}")
    n = weight.numel()
    if input.dim() == 0 and n != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    ch = input.shape[1] if input.dim() >= 2 else 1
    if n != 1 and n != ch:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {n} and channel size = {ch}.")
    if input._dtype is not weight._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._tag} but found "
                           f"{weight._dtype._tag}")
    dt = input._dtype
    nd = input.dim()

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, w):
            x = x.astype(cdt)
            w = w.astype(cdt).reshape(-1)
            if w.shape[0] != 1 and nd >= 2:
                w = w.reshape((1, -1) + (1,) * (nd - 2))
            else:
                w = w.reshape(())
            return jnp.where(x > 0, x, w * x).astype(onp)

        return f

    return fused(_prelu, (dt, nd, n), build, (input, weight), dt)


_rrelu_train = Op("rrelu_with_noise", "RreluWithNoiseBackward0")


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """torch.nn.functional.rrelu: random negative slopes in [lower, upper] when training
    (JAX's random stream, not torch's), their mean otherwise."""
    check_tensor(input, "rrelu")
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _rrelu_eval(input, ((lower + upper) / 2,), inplace)
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f'"rrelu_with_noise" not implemented for \'{dt._tag}\'')
    words, counter = _random.default_generator._next()
    lo, hi = float(lower), float(upper)

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x, w, c):
            k = jax.random.fold_in(jax.random.wrap_key_data(w, impl="threefry2x32"), c)
            x = x.astype(cdt)
            slope = jax.random.uniform(k, x.shape, cdt, lo, hi)
            return jnp.where(x >= 0, x, x * slope).astype(onp)

        return f

    r = fused(_rrelu_train, (dt, lo, hi), build, (input,), dt, (words, counter))
    return _inplace(input, r) if inplace else r


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """torch.nn.functional.rrelu_ (in place)."""
    return rrelu(input, lower, upper, training, True)


_glu = Op("glu")


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """torch.nn.functional.glu: first half * sigmoid(second half) along ``dim``."""
    check_tensor(input, "glu")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.dim())
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f'"glu" not implemented for \'{dt._tag}\'')

    def build():
        cdt, onp = opmath(dt), dt.np

        def f(x):
            a, b = jnp.split(x.astype(cdt), 2, axis=d)
            return (a * jax.nn.sigmoid(b)).astype(onp)

        return f

    return fused(_glu, (dt, d), build, (input,), dt)


# ---------------------------------------------------------------- softmax family

_softmax = Op("softmax", "SoftmaxBackward0", saved="out")
_log_softmax = Op("log_softmax", "LogSoftmaxBackward0", saved="out")
_softmin = Op("softmin", "SoftmaxBackward0")


def _legacy_softmax_dim(ndim: int) -> int:
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_call(op: Op, input, dim, dtype, fname: str, neg: bool = False) -> Tensor:
    check_tensor(input, fname)
    if dim is None:
        dim = _legacy_softmax_dim(input.dim())
    d = wrap_dim(dim, max(input.dim(), 1))
    src = input._dtype
    dst = dtype if dtype is not None else src
    if not (dst.is_floating_point or dst.is_complex):
        raise RuntimeError(f'"{fname}_lastdim_kernel_impl" not implemented for \'{dst._tag}\'')
    log = op is _log_softmax

    def build():
        cdt, onp = opmath(dst), dst.np

        def f(x):
            x = x.astype(onp).astype(cdt)
            if neg:
                x = -x
            if x.ndim == 0:
                r = jnp.zeros_like(x) if log else jnp.ones_like(x)
            else:
                r = jax.nn.log_softmax(x, axis=d) if log else jax.nn.softmax(x, axis=d)
            return r.astype(onp)

        return f

    return run(op, (src, dst, d), build, (input._data,), (input,), dst)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """torch.nn.functional.softmax (and torch.softmax / Tensor.softmax)."""
    return _softmax_call(_softmax, input, dim, dtype, "softmax")


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """torch.nn.functional.log_softmax (and torch.log_softmax / Tensor.log_softmax)."""
    return _softmax_call(_log_softmax, input, dim, dtype, "log_softmax")


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """torch.nn.functional.softmin: softmax(-input)."""
    return _softmax_call(_softmin, input, dim, dtype, "softmin", neg=True)


def _torch_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """torch.softmax / Tensor.softmax."""
    return _softmax_call(_softmax, input, dim, dtype, "softmax")


def _torch_log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """torch.log_softmax / Tensor.log_softmax."""
    return _softmax_call(_log_softmax, input, dim, dtype, "log_softmax")


_torch_softmax.__name__ = "softmax"
_torch_log_softmax.__name__ = "log_softmax"
export(_torch_softmax, "softmax")
export(_torch_log_softmax, "log_softmax")

# torch.<name> twins of these functionals that torch also has as Tensor methods.
for _f, _n in ((hardshrink, "hardshrink"), (prelu, "prelu")):
    Tensor.__dict__.get(_n) or setattr(Tensor, _n, _f)
del _f, _n


__all__ = [
    "relu", "relu_", "relu6", "elu", "elu_", "celu", "celu_", "selu", "selu_", "gelu", "glu",
    "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "leaky_relu",
    "leaky_relu_", "logsigmoid", "mish", "prelu", "rrelu", "rrelu_", "silu", "softmin",
    "softmax", "log_softmax", "softplus", "softshrink", "softsign", "tanhshrink", "threshold",
    "threshold_", "sigmoid", "tanh",
]
