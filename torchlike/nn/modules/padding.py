"""Padding layers (torch.nn.modules.padding), declared per mode and dimension.

Every layer stores ``padding`` as the 2n-tuple F.pad takes (a (before, after) pair per
padded dimension, last dimension first) and calls F.pad with its mode.  Constant* also
keep ``value``; Zero* are Constant* with the value fixed at 0.0; Circular* check the input
rank first, because F.pad's circular mode would accept a wrong rank silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..._core.tensor import Tensor
from .. import functional as F
from ._spec import Arg, fmt_fields, layer
from .module import Module
from .utils import _ntuple

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]

_BARE = ["=padding"]  # torch shows the padding tuple alone, without a name


def _padder(mode: str) -> Callable[[Module, Tensor], Tensor]:
    def forward(self, input: Tensor) -> Tensor:
        if mode == "constant":
            return F.pad(input, self.padding, mode, self.value)
        if mode == "circular":
            self._check_input_dim(input)
        return F.pad(input, self.padding, mode)

    return forward


def _check_rank(self, input: Tensor) -> None:
    n = self._ndim
    if input.dim() not in (n + 1, n + 2):
        raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")


def _base(name: str, mode: str, args: Sequence[str] = (), **extra: object) -> type:
    return layer(
        name,
        args,
        _padder(mode),
        repr=["padding", *args] if args else _BARE,
        doc=f"torch.nn.modules.padding.{name}.",
        module=__name__,
        __constants__=["padding", *args],
        **extra,
    )


_ConstantPadNd = _base("_ConstantPadNd", "constant", ["value"])
_ReflectionPadNd = _base("_ReflectionPadNd", "reflect")
_ReplicationPadNd = _base("_ReplicationPadNd", "replicate")
_CircularPadNd = _base("_CircularPadNd", "circular", _check_input_dim=_check_rank)


def _by_dimension(kind: str, base: type, args: Sequence[str] = ()) -> tuple[type, ...]:
    return tuple(
        layer(
            f"{kind}Pad{n}d",
            [Arg("padding", store=_ntuple(2 * n)), *args],
            base=base,
            base_args=args,
            module=__name__,
            _ndim=n,
        )
        for n in (1, 2, 3)
    )


def _zero(constant: type) -> type:
    def __init__(self, padding) -> None:
        constant.__init__(self, padding, 0.0)

    name = constant.__name__.replace("Constant", "Zero")
    __init__.__qualname__ = f"{name}.__init__"
    namespace = {
        "__init__": __init__,
        "__doc__": f"torch.nn.{name}.",
        "__module__": __name__,
        # the value goes without saying, so the repr is the bare tuple
        "extra_repr": lambda self: fmt_fields(self, _BARE),
    }
    return type(name, (constant,), namespace)


ConstantPad1d, ConstantPad2d, ConstantPad3d = _by_dimension("Constant", _ConstantPadNd, ["value"])
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = _by_dimension("Reflection", _ReflectionPadNd)
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = _by_dimension(
    "Replication", _ReplicationPadNd
)
CircularPad1d, CircularPad2d, CircularPad3d = _by_dimension("Circular", _CircularPadNd)
ZeroPad1d, ZeroPad2d, ZeroPad3d = map(_zero, (ConstantPad1d, ConstantPad2d, ConstantPad3d))
