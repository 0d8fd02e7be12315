"""torch.nn.functional convolutions: conv1d/2d/3d and conv_transpose1d/2d/3d.

One fused kernel per call (``lax.conv_general_dilated`` plus the bias), its gradient from the
kernel's vjp.  Float convolutions run at the matmul precision setting (full float32 by
default, as torch CPU computes).  A transposed convolution is the gradient of a convolution:
an input-dilated convolution with the flipped, group-transposed weight.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from .._core import dtypes as _dt
from .._core.registry import Op
from .._core.tensor import Tensor
from . import products as _products
from .nn_activation import check_tensor, fused

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "conv_tbc"]

_conv = Op("convolution", "ConvolutionBackward0")
_conv_tbc = Op("conv_tbc", "ConvTbcBackward0")

# torch's C++ scalar type names, as its dtype-mismatch messages print them.
_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}
_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
           "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
           "uint8": "ByteTensor", "bool": "BoolTensor", "float16": "HalfTensor",
           "bfloat16": "BFloat16Tensor", "complex64": "ComplexFloatTensor",
           "complex128": "ComplexDoubleTensor"}


def _dname(dt: _dt.dtype) -> str:
    return str(dt).split(".")[-1]


def ntuple(v, n: int, name: str) -> tuple:
    """An int or a sequence of ints as an n-tuple (torch's _single/_pair/_triple)."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        v = tuple(int(e) for e in v)
        if len(v) == 1:
            return v * n
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}")
        return v
    return (int(v),) * n


def _check_common(fname, input, weight, bias, nd):
    check_tensor(input, fname)
    check_tensor(weight, fname, "weight", 2)
    if bias is not None:
        check_tensor(bias, fname, "bias", 3)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{fname}, but got input of size: {list(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError("weight should have at least three dimensions" if weight.dim() < 3
                           else f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
                           f"input {list(input.shape)}, but got {weight.dim()}-dimensional weight "
                           f"of size {list(weight.shape)} instead")
    di, dw = _dname(input._dtype), _dname(weight._dtype)
    if bias is not None and bias._dtype is not input._dtype:
        raise RuntimeError(f"Input type ({_CPP_NAMES.get(di, di)}) and bias type "
                           f"({_CPP_NAMES.get(_dname(bias._dtype), '?')}) should be the same")
    if weight._dtype is not input._dtype:
        raise RuntimeError(f"Input type (torch.{_LEGACY.get(di, di)}) and weight type "
                           f"(torch.{_LEGACY.get(dw, dw)}) should be the same or input should be "
                           "a MKLDNN tensor and weight is a dense tensor")
    if input._dtype is _dt.bool:
        raise NotImplementedError('"slow_conv2d_cpu" not implemented for \'Bool\'')


def _check_params(stride, padding, dilation, groups):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _prec(dt):
    return _products.PRECISION[0] if dt.is_floating_point or dt.is_complex else None


def _dimnums(nd):
    sp = "DHW"[3 - nd:]
    return lax.conv_dimension_numbers((1, 1) + (1,) * nd, (1, 1) + (1,) * nd,
                                      ("NC" + sp, "OI" + sp, "NC" + sp))


def _run(input, weight, bias, key, build, out_dt):
    batched = key[1]
    x = input if batched else input.unsqueeze(0)
    y = fused(_conv, key, build, (x, weight, bias), out_dt)
    return y if batched else y.squeeze(0)


def _convnd(fname, nd, input, weight, bias, stride, padding, dilation, groups):
    _check_common(fname, input, weight, bias, nd)
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    groups = int(groups)
    xs = tuple(input.shape) if input.dim() == nd + 2 else (1,) + tuple(input.shape)
    ws = tuple(weight.shape)
    k = ws[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # torch puts the odd element of the total padding on the right.
            tot = [d * (kk - 1) for d, kk in zip(dilation, k, strict=False)]
            pads = tuple((t // 2, t - t // 2) for t in tot)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        _check_params(stride, (0,), dilation, groups)
    else:
        p = ntuple(padding, nd, "padding")
        _check_params(stride, p, dilation, groups)
        pads = tuple((q, q) for q in p)
    if xs[1] != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(ws)}, expected "
                           f"input{list(xs)} to have {ws[1] * groups} channels, but got {xs[1]} "
                           "channels instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size {list(ws)} instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[0]):
        raise RuntimeError(f"Given weight of size {list(ws)}, expected bias to be 1-dimensional "
                           f"with {ws[0]} elements, but got bias of size {list(bias.shape)} "
                           "instead")
    padded = tuple(xs[2 + i] + pads[i][0] + pads[i][1] for i in range(nd))
    eff = tuple(dilation[i] * (k[i] - 1) + 1 for i in range(nd))
    if any(e > q for e, q in zip(eff, padded, strict=False)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    dt = input._dtype
    prec = _prec(dt)
    key = (dt, input.dim() == nd + 2, nd, stride, pads, dilation, groups, bias is not None, prec)

    def build():
        dn = _dimnums(nd)

        def f(x, w, b):
            y = lax.conv_general_dilated(x, w, stride, pads, rhs_dilation=dilation,
                                         dimension_numbers=dn, feature_group_count=groups,
                                         precision=prec)
            if b is not None:
                y = y + b.reshape((1, -1) + (1,) * nd)
            return y.astype(dt.np)

        return f

    return _run(input, weight, bias, key, build, dt)


def _conv_transposend(fname, nd, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    _check_common(fname, input, weight, bias, nd)
    stride = ntuple(stride, nd, "stride")
    padding = ntuple(padding, nd, "padding")
    opad = ntuple(output_padding, nd, "output_padding")
    dilation = ntuple(dilation, nd, "dilation")
    groups = int(groups)
    _check_params(stride, padding, dilation, groups)
    if any(o < 0 for o in opad):
        raise RuntimeError("negative output_padding is not supported")
    xs = tuple(input.shape) if input.dim() == nd + 2 else (1,) + tuple(input.shape)
    ws = tuple(weight.shape)
    k = ws[2:]
    for i in range(nd):
        if opad[i] >= stride[i] and opad[i] >= dilation[i]:
            names = ("depth", "height", "width")[3 - max(nd, 2):]
            o = " ".join(f"output_padding_{n}: {v}" for n, v in zip(names, (0,) * (len(names)
                         - nd) + opad, strict=False))
            s = " ".join(f"stride_{n}: {v}" for n, v in zip(names, (1,) * (len(names) - nd)
                         + stride, strict=False))
            d = " ".join(f"dilation_{n}: {v}" for n, v in zip(names, (1,) * (len(names) - nd)
                         + dilation, strict=False))
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                               f"but got {o} {s} {d}")
    if xs[1] != ws[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(ws)}, expected input"
                           f"{list(xs)} to have {ws[0]} channels, but got {xs[1]} channels "
                           "instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size {list(ws)} instead")
    cout = ws[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given transposed=1, weight of size {list(ws)}, expected bias to be "
                           f"1-dimensional with {cout} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    outsz = [(xs[2 + i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + opad[i] + 1
             for i in range(nd)]
    if any(o <= 0 for o in outsz):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, xs[2:]))}). "
                           f"Calculated output size per channel: "
                           f"({' x '.join(map(str, outsz))}). Output size is too small")
    dt = input._dtype
    prec = _prec(dt)
    pads = tuple((dilation[i] * (k[i] - 1) - padding[i],
                  dilation[i] * (k[i] - 1) - padding[i] + opad[i]) for i in range(nd))
    key = (dt, input.dim() == nd + 2, nd, stride, pads, dilation, groups, bias is not None, prec,
           "T")

    def build():
        dn = _dimnums(nd)

        def f(x, w, b):
            # (Cin, Cout/g, k...) -> (Cout, Cin/g, k...), spatially flipped.
            cin, cog = w.shape[0], w.shape[1]
            w = w.reshape((groups, cin // groups, cog) + w.shape[2:])
            w = jnp.swapaxes(w, 1, 2).reshape((groups * cog, cin // groups) + w.shape[3:])
            w = jnp.flip(w, tuple(range(2, 2 + nd)))
            y = lax.conv_general_dilated(x, w, (1,) * nd, pads, lhs_dilation=stride,
                                         rhs_dilation=dilation, dimension_numbers=dn,
                                         feature_group_count=groups, precision=prec)
            if b is not None:
                y = y + b.reshape((1, -1) + (1,) * nd)
            return y.astype(dt.np)

        return f

    return _run(input, weight, bias, key, build, dt)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv1d."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv2d."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """torch.nn.functional.conv3d."""
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch.nn.functional.conv_transpose1d."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch.nn.functional.conv_transpose2d."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch.nn.functional.conv_transpose3d."""
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """torch.nn.functional.conv_tbc: 1D convolution of (time, batch, channels) input with a
    (kernel, in, out) weight."""
    check_tensor(input, "conv_tbc")
    check_tensor(weight, "conv_tbc", "weight", 2)
    check_tensor(bias, "conv_tbc", "bias", 3)
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if not (input._dtype is weight._dtype is bias._dtype):
        raise RuntimeError(f"expected scalar type {input._dtype._tag} but found "
                           f"{(weight if weight._dtype is not input._dtype else bias)._dtype._tag}")
    pad = int(pad)
    dt = input._dtype
    prec = _prec(dt)
    key = (dt, pad, prec)

    def build():
        dn = lax.conv_dimension_numbers((1, 1, 1), (1, 1, 1), ("WNC", "WIO", "WNC"))

        def f(x, w, b):
            y = lax.conv_general_dilated(x, w, (1,), ((pad, pad),), dimension_numbers=dn,
                                         precision=prec)
            return (y + b).astype(dt.np)

        return f

    return fused(_conv_tbc, key, build, (input, weight, bias), dt)
