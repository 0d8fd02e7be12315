"""Convolution layers (torch.nn.modules.conv), made from dimension, direction and laziness.

All twelve public classes are one layer: options normalised to per-dimension tuples, a
weight of shape (out, in/groups, *kernel) -- (in, out/groups, *kernel) when transposed --
and an optional bias, initialised the way torch does.  ``_declare`` builds each class from
an argument table (torch's constructor order differs between Conv and ConvTranspose), and
the Lazy variants are the same class with in_channels learnt from the first input.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._spec import bind
from .lazy import LazyModuleMixin, UninitializedParameter
from .module import Module
from .utils import _ntuple

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
]

_Dims = tuple[int, ...]  # one entry per spatial dimension
_PADDING_STRINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _check_options(in_ch: int, out_ch: int, groups: int, stride, padding, mode: str) -> None:
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    for label, count in (("in_channels", in_ch), ("out_channels", out_ch)):
        if count % groups:
            raise ValueError(f"{label} must be divisible by groups")
    if isinstance(padding, str):
        if padding not in _PADDING_STRINGS:
            choices = set(_PADDING_STRINGS)  # torch's message shows a set
            raise ValueError(f"Invalid padding string {padding!r}, should be one of {choices}")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if mode not in _PADDING_MODES:
        raise ValueError(
            f"padding_mode must be one of {set(_PADDING_MODES)}, but got padding_mode='{mode}'"
        )


def _explicit_padding(padding, kernel_size: tuple, dilation: tuple) -> list[int] | tuple:
    """F.pad's argument for the non-zero padding modes: last dimension first, two per dim.

    'same' splits each dimension's total d*(k-1) with the odd element after; 'valid' is
    none.  (torch keeps a list for the string forms and a tuple otherwise.)
    """
    if not isinstance(padding, str):
        return tuple(x for p in reversed(padding) for x in (p, p))
    if padding == "valid":
        return [0] * (2 * len(kernel_size))
    totals = [d * (k - 1) for d, k in zip(dilation, kernel_size, strict=True)]
    return [part for t in reversed(totals) for part in (t // 2, t - t // 2)]


class _ConvNd(Module):
    """torch.nn.modules.conv._ConvNd: the state and initialisation every convolution shares."""

    __constants__ = [
        "stride",
        "padding",
        "dilation",
        "groups",
        "padding_mode",
        "output_padding",
        "in_channels",
        "out_channels",
        "kernel_size",
    ]

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Dims,
        stride: _Dims,
        padding: _Dims | str,
        dilation: _Dims,
        transposed: bool,
        output_padding: _Dims,
        groups: int,
        bias: bool,
        padding_mode: str,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__()
        _check_options(in_channels, out_channels, groups, stride, padding, padding_mode)
        options = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "kernel_size": kernel_size,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "transposed": transposed,
            "output_padding": output_padding,
            "groups": groups,
            "padding_mode": padding_mode,
        }
        for name, value in options.items():
            setattr(self, name, value)
        self._reversed_padding_repeated_twice = _explicit_padding(padding, kernel_size, dilation)
        where = {"device": device, "dtype": dtype}
        self.weight = Parameter(torch.empty(self._weight_shape(), **where))
        if bias:
            self.bias = Parameter(torch.empty(out_channels, **where))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _weight_shape(self) -> tuple[int, ...]:
        rows, cols = (self.out_channels, self.in_channels)
        if self.transposed:
            rows, cols = cols, rows
        return (rows, cols // self.groups, *self.kernel_size)

    def reset_parameters(self) -> None:
        # a=sqrt(5) makes the weight bound 1/sqrt(fan_in); the bias takes that same bound
        with torch.no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in = init._calculate_fan_in_and_fan_out(self.weight)[0]
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = len(self.kernel_size)
        shown = [
            f"{self.in_channels}, {self.out_channels}",
            f"kernel_size={self.kernel_size}",
            f"stride={self.stride}",
        ]
        # options that appear only when they differ from these values
        quiet = (
            ("padding", self.padding, (0,) * n),
            ("dilation", self.dilation, (1,) * n),
            ("output_padding", self.output_padding, (0,) * n),
            ("groups", self.groups, 1),
            ("bias", self.bias is not None, True),
            ("padding_mode", self.padding_mode, "zeros"),
        )
        shown += [f"{name}={value}" for name, value, usual in quiet if value != usual]
        return ", ".join(shown)


class _ConvTransposeNd(_ConvNd):
    """torch.nn.modules.conv._ConvTransposeNd: the output_size handling of transposed convs."""

    def _output_padding(
        self,
        input: Tensor,
        output_size: list[int] | None,
        stride: Sequence[int],
        padding: Sequence[int],
        kernel_size: Sequence[int],
        num_spatial_dims: int,
        dilation: Sequence[int] | None = None,
    ) -> Sequence[int]:
        """The output_padding that makes the output ``output_size`` (spatial, or full)."""
        if output_size is None:
            return tuple(self.output_padding)
        n = num_spatial_dims
        lead = 2 if input.dim() == n + 2 else 1
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} "
                f"or {lead + n} elements (got {len(output_size)})"
            )
        if dilation is None:
            dilation = (1,) * n
        # a transposed conv reaches sizes smallest .. smallest + stride - 1
        dims = zip(input.shape[lead:], stride, padding, dilation, kernel_size, strict=False)
        smallest = [(i - 1) * s - 2 * p + d * (k - 1) + 1 for i, s, p, d, k in dims]
        largest = [lo + s - 1 for lo, s in zip(smallest, stride, strict=True)]
        if not all(
            lo <= want <= hi for want, lo, hi in zip(output_size, smallest, largest, strict=True)
        ):
            raise ValueError(
                f"requested an output size of {output_size}, but valid sizes range "
                f"from {smallest} to {largest} (for an input of {input.size()[2:]})"
            )
        return [want - lo for want, lo in zip(output_size, smallest, strict=True)]


def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    conv = getattr(F, f"conv{len(self.kernel_size)}d")
    if self.padding_mode == "zeros":
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)
    # F.conv pads with zeros only; other modes pad explicitly, then convolve unpadded
    padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
    return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)


def _conv_call(self, input: Tensor) -> Tensor:
    return self._conv_forward(input, self.weight, self.bias)


def _transposed_call(self, input: Tensor, output_size: list[int] | None = None) -> Tensor:
    n = len(self.kernel_size)
    if self.padding_mode != "zeros":
        raise ValueError(f"Only `zeros` padding mode is supported for ConvTranspose{n}d")
    extra = self._output_padding(
        input, output_size, self.stride, self.padding, self.kernel_size, n, self.dilation
    )
    conv = getattr(F, f"conv_transpose{n}d")
    return conv(
        input, self.weight, self.bias, self.stride, self.padding, extra, self.groups, self.dilation
    )


class _LazyConvXdMixin(LazyModuleMixin):
    """torch.nn.modules.conv._LazyConvXdMixin: in_channels is read off the first input."""

    def reset_parameters(self) -> None:
        # construction runs this before any shape is known; there is nothing to draw yet
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._channels_of(input)
        if self.in_channels % self.groups:
            raise ValueError("in_channels must be divisible by groups")
        self.weight.materialize(self._weight_shape())
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _channels_of(self, input: Tensor) -> int:
        """The input's channel count, once its rank is checked."""
        n = len(self.kernel_size)
        if input.dim() not in (n + 1, n + 2):
            raise RuntimeError(
                f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )
        return input.shape[-n - 1]  # the channel axis, batched or not


# Constructor arguments after (in_channels, out_channels, kernel_size), in torch's order.
_TAIL = {
    False: ["stride", "padding", "dilation", "groups", "bias", "padding_mode"],
    True: ["stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode"],
}
_DEFAULTS = {
    "stride": 1,
    "padding": 0,
    "output_padding": 0,
    "dilation": 1,
    "groups": 1,
    "bias": True,
    "padding_mode": "zeros",
    "device": None,
    "dtype": None,
}


def _signature(names: list[str]) -> inspect.Signature:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("self", kind)]
    params += [
        inspect.Parameter(name, kind, default=_DEFAULTS.get(name, inspect.Parameter.empty))
        for name in names
    ]
    return inspect.Signature(params)


def _declare(n: int, transposed: bool, plain: type | None = None) -> type:
    """``Conv{n}d`` or ``ConvTranspose{n}d``; given ``plain``, its Lazy variant."""
    lazy = plain is not None
    kind = "ConvTranspose" if transposed else "Conv"
    name = f"Lazy{kind}{n}d" if lazy else f"{kind}{n}d"
    names = ["in_channels", "out_channels", "kernel_size", *_TAIL[transposed], "device", "dtype"]
    if lazy:
        names.remove("in_channels")
    signature = _signature(names)
    tup = _ntuple(n)

    def __init__(self, *positional: Any, **named: Any) -> None:
        opts = bind(signature, f"{name}.__init__", self, *positional, **named)
        del opts["self"]
        if lazy:
            _start_lazy(self, super(cls, self).__init__, opts)
            return
        padding = opts["padding"]
        if transposed or not isinstance(padding, str):
            padding = tup(padding)
        super(cls, self).__init__(
            opts["in_channels"],
            opts["out_channels"],
            tup(opts["kernel_size"]),
            tup(opts["stride"]),
            padding,
            tup(opts["dilation"]),
            transposed,
            tup(opts.get("output_padding", 0)),
            opts["groups"],
            opts["bias"],
            opts["padding_mode"],
            opts["device"],
            opts["dtype"],
        )

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{name}.__init__"
    body: dict[str, Any] = {"__init__": __init__, "__doc__": f"torch.nn.{name}."}
    body["__module__"] = __name__
    if lazy:
        cls = type(name, (_LazyConvXdMixin, plain), {**body, "cls_to_become": plain})
    elif transposed:
        cls = type(name, (_ConvTransposeNd,), {**body, "forward": _transposed_call})
    else:
        body.update(_conv_forward=_conv_forward, forward=_conv_call)
        cls = type(name, (_ConvNd,), body)
    return cls


def _start_lazy(self, plain_init: Any, options: dict) -> None:
    """Build as a zero-channel, bias-free layer, then hold shapeless parameters."""
    where = {"device": options["device"], "dtype": options["dtype"]}
    plain_init(**{**options, "in_channels": 0, "out_channels": 0, "bias": False})
    self.weight = UninitializedParameter(**where)
    self.out_channels = options["out_channels"]
    if options["bias"]:
        self.bias = UninitializedParameter(**where)


Conv1d, Conv2d, Conv3d = (_declare(n, False) for n in (1, 2, 3))
ConvTranspose1d, ConvTranspose2d, ConvTranspose3d = (_declare(n, True) for n in (1, 2, 3))
LazyConv1d, LazyConv2d, LazyConv3d = (
    _declare(n, False, plain) for n, plain in enumerate((Conv1d, Conv2d, Conv3d), 1)
)
LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d = (
    _declare(n, True, plain)
    for n, plain in enumerate((ConvTranspose1d, ConvTranspose2d, ConvTranspose3d), 1)
)
