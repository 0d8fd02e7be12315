"""torch.nn.modules.upsampling: Upsample and its two fixed-mode 2d variants."""

from __future__ import annotations

from typing import Any

from ._oplayer import op_layer
from ._spec import Arg, layer
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]

_OPTIONS = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")


def _as_scale(factor: Any) -> Any:
    # Factors are kept as floats; a falsy one (None or 0) means "no factor", as in torch.
    if isinstance(factor, tuple):
        return tuple(map(float, factor))
    return float(factor) if factor else None


def _describe(self: Module) -> str:
    shown = "scale_factor" if self.scale_factor is not None else "size"
    return f"{shown}={getattr(self, shown)!r}, mode={self.mode!r}"


def _restore(self: Module, state: dict) -> None:
    # Pickles older than recompute_scale_factor got the recomputing behaviour.
    state.setdefault("recompute_scale_factor", True)
    Module.__setstate__(self, state)


def _record_name(self: Module) -> None:
    self.name = type(self).__name__


Upsample = op_layer(
    "Upsample",
    "interpolate",
    [
        Arg("size", None),
        Arg("scale_factor", None, _as_scale),
        Arg("mode", "nearest"),
        Arg("align_corners", None),
        Arg("recompute_scale_factor", None),
    ],
    repr=_describe,
    check=_record_name,
    module=__name__,
    __setstate__=_restore,
    constants=["name", *_OPTIONS],
)


def _bilinear_with_corners(self: Module) -> None:
    self.mode, self.align_corners = "bilinear", True


def _fixed_mode(name: str, check: Any = None) -> type:
    return layer(
        name,
        [Arg("size", None), Arg("scale_factor", None)],
        base=Upsample,
        base_args=["size", "scale_factor"],
        check=check,
        module=__name__,
    )


UpsamplingNearest2d = _fixed_mode("UpsamplingNearest2d")
UpsamplingBilinear2d = _fixed_mode("UpsamplingBilinear2d", _bilinear_with_corners)
