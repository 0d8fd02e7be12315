"""Pooling layers (torch.nn.modules.pooling), declared per family and dimension.

A family is a base holding what its dimensions share (the repr, and the constructor where
torch's base has one) plus one ``layer`` entry per dimension naming the functional it
calls.  Which options are normalised to n-tuples at construction follows torch family by
family (MaxUnpool, AvgPool1d and FractionalMaxPool do; the others keep what was given),
since the stored values show in reprs and state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..._core.tensor import Tensor
from .. import functional as F
from ._oplayer import op_forward
from ._spec import Arg, layer
from .module import Module
from .utils import _ntuple

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
]


def _names(args: Sequence[Arg | str]) -> list[str]:
    return [a if isinstance(a, str) else a.name for a in args]


def _stride_defaults_to_kernel(self: Module) -> None:
    # resolved at construction, so the repr shows the effective stride
    if self.stride is None:
        self.stride = self.kernel_size


def _maybe(tup: Callable[[Any], tuple]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else tup(v)


def _base(name: str, args: Sequence[Arg | str] = (), *, repr: Sequence[str], **extra: Any) -> type:
    """A family base; with ``args`` it has torch's base constructor, else Module's."""
    return layer(
        name,
        args,
        repr=repr,
        doc=f"torch.nn.modules.pooling.{name}.",
        module=__name__,
        **extra,
    )


def _by_dimension(
    stem: str,
    base: type,
    args: Callable[[int], Sequence[Arg | str]],
    forward: Callable[[int], Callable[..., Any]],
    *,
    inherit: bool,
    **extra: Any,
) -> tuple[type, ...]:
    """One class per dimension; ``inherit`` hands every argument to the base constructor."""
    classes = []
    for n in (1, 2, 3):
        declared = args(n)
        classes.append(
            layer(
                f"{stem}{n}d",
                declared,
                forward(n),
                base=base,
                base_args=_names(declared) if inherit else (),
                module=__name__,
                **extra,
            )
        )
    return tuple(classes)


# -- max pooling: the options are stored as given ----------------------------------------
_MAX = [
    "kernel_size",
    Arg("stride", None),
    Arg("padding", 0),
    Arg("dilation", 1),
    Arg("return_indices", False),
    Arg("ceil_mode", False),
]
_MaxPoolNd = _base(
    "_MaxPoolNd",
    _MAX,
    repr=["kernel_size", "stride", "padding", "dilation", "ceil_mode"],
    check=_stride_defaults_to_kernel,
    __constants__=_names(_MAX),
)
MaxPool1d, MaxPool2d, MaxPool3d = _by_dimension(
    "MaxPool",
    _MaxPoolNd,
    lambda n: _MAX,
    lambda n: op_forward(f"max_pool{n}d", options=_names(_MAX)),
    inherit=True,
)


# -- max unpooling: n-tuples -------------------------------------------------------------
def _unpool_args(n: int) -> list[Arg]:
    tup = _ntuple(n)
    return [Arg("kernel_size", store=tup), Arg("stride", None, _maybe(tup)), Arg("padding", 0, tup)]


def _unpooler(n: int) -> Callable[..., Tensor]:
    def forward(self, input: Tensor, indices: Tensor, output_size: list[int] | None = None):
        unpool = getattr(F, f"max_unpool{n}d")
        return unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    return forward


_MaxUnpoolNd = _base("_MaxUnpoolNd", repr=["kernel_size", "stride", "padding"])
MaxUnpool1d, MaxUnpool2d, MaxUnpool3d = _by_dimension(
    "MaxUnpool",
    _MaxUnpoolNd,
    _unpool_args,
    _unpooler,
    inherit=False,
    check=_stride_defaults_to_kernel,
)


# -- average pooling: 1d takes n-tuples and no divisor_override, 2d/3d keep what is given -
def _avg_args(n: int) -> list[Arg]:
    store = _ntuple(1) if n == 1 else None
    args = [
        Arg("kernel_size", store=store),
        Arg("stride", None, store and _maybe(store)),
        Arg("padding", 0, store),
        Arg("ceil_mode", False),
        Arg("count_include_pad", True),
    ]
    return args if n == 1 else [*args, Arg("divisor_override", None)]


def _avg_restore(self: Module, state: dict) -> None:
    # pickles older than these options meant their defaults
    Module.__setstate__(self, state)
    for key, default in (("padding", 0), ("ceil_mode", False), ("count_include_pad", True)):
        self.__dict__.setdefault(key, default)


_AvgPoolNd = _base(
    "_AvgPoolNd",
    repr=["kernel_size", "stride", "padding"],
    __constants__=_names(_avg_args(2)),
)
AvgPool1d, AvgPool2d, AvgPool3d = _by_dimension(
    "AvgPool",
    _AvgPoolNd,
    _avg_args,
    lambda n: op_forward(f"avg_pool{n}d", options=_names(_avg_args(n))),
    inherit=False,
    check=_stride_defaults_to_kernel,
    __setstate__=_avg_restore,
)


# -- fractional max pooling --------------------------------------------------------------
def _positive_kernel(kernel_size: Any) -> bool:
    if isinstance(kernel_size, int):
        return kernel_size > 0
    if isinstance(kernel_size, (tuple, list)):
        return all(k > 0 for k in kernel_size)
    return True


def _fractional_setup(self: Module) -> None:
    # Validation reads the options as given (the messages quote them), then they become
    # n-tuples.  torch checks the kernel of the 3d layer only.
    n, kernel, size, ratio = self._ndim, self.kernel_size, self.output_size, self.output_ratio
    if n == 3 and not _positive_kernel(kernel):
        raise ValueError(f"kernel_size must be greater than 0, but got {kernel}")
    tup = _maybe(_ntuple(n))
    self.kernel_size, self.output_size, self.output_ratio = tup(kernel), tup(size), tup(ratio)
    self.register_buffer("_random_samples", self.__dict__.pop("_random_samples_arg")[0])
    if size is None and ratio is None:
        raise ValueError(
            f"FractionalMaxPool{n}d requires specifying either an output size, or a pooling ratio"
        )
    if size is not None and ratio is not None:
        raise ValueError("only one of output_size and output_ratio may be specified")
    if ratio is not None and not all(0 < r < 1 for r in self.output_ratio[:n]):
        raise ValueError(f"output_ratio must be between 0 and 1 (got {ratio})")


_FRACTIONAL = [
    "kernel_size",
    Arg("output_size", None),
    Arg("output_ratio", None),
    Arg("return_indices", False),
    # held in a list so a tensor is not taken for an attribute before it becomes a buffer
    Arg("_random_samples", None, lambda t: [t], attr="_random_samples_arg"),
]
FractionalMaxPool2d, FractionalMaxPool3d = (
    layer(
        f"FractionalMaxPool{n}d",
        _FRACTIONAL,
        op_forward(
            f"fractional_max_pool{n}d", options=[*_names(_FRACTIONAL)[:4], "_random_samples"]
        ),
        check=_fractional_setup,
        module=__name__,
        _ndim=n,
        __constants__=_names(_FRACTIONAL)[:4],
    )
    for n in (2, 3)
)


# -- power-average pooling ---------------------------------------------------------------
_LP = ["norm_type", "kernel_size", Arg("stride", None), Arg("ceil_mode", False)]


def _lp_pooler(n: int) -> Callable[..., Tensor]:
    def forward(self, input: Tensor) -> Tensor:
        lp_pool = getattr(F, f"lp_pool{n}d")
        return lp_pool(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    return forward


_LPPoolNd = _base("_LPPoolNd", _LP, repr=_names(_LP), __constants__=_names(_LP))
LPPool1d, LPPool2d, LPPool3d = _by_dimension(
    "LPPool", _LPPoolNd, lambda n: _LP, _lp_pooler, inherit=True
)


# -- adaptive pooling --------------------------------------------------------------------
_ADAPTIVE_MAX = ["output_size", Arg("return_indices", False)]
_AdaptiveMaxPoolNd = _base(
    "_AdaptiveMaxPoolNd", _ADAPTIVE_MAX, repr=["output_size"], __constants__=_names(_ADAPTIVE_MAX)
)
AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d = _by_dimension(
    "AdaptiveMaxPool",
    _AdaptiveMaxPoolNd,
    lambda n: _ADAPTIVE_MAX,
    lambda n: op_forward(f"adaptive_max_pool{n}d", options=["output_size", "return_indices"]),
    inherit=True,
)

_AdaptiveAvgPoolNd = _base(
    "_AdaptiveAvgPoolNd", ["output_size"], repr=["output_size"], __constants__=["output_size"]
)
AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d = _by_dimension(
    "AdaptiveAvgPool",
    _AdaptiveAvgPoolNd,
    lambda n: ["output_size"],
    lambda n: op_forward(f"adaptive_avg_pool{n}d", options=["output_size"]),
    inherit=True,
)
