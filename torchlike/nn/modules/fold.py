"""Sliding-window layers (torch.nn.modules.fold): Fold and Unfold as table entries."""

from __future__ import annotations

from ._oplayer import op_layer
from ._spec import Arg

__all__ = ["Fold", "Unfold"]

# Unfold's options are Fold's without output_size; both keep them as given.
_WINDOW = ["kernel_size", Arg("dilation", 1), Arg("padding", 0), Arg("stride", 1)]
_WINDOW_FIELDS = ["kernel_size", "dilation", "padding", "stride"]

Fold = op_layer(
    "Fold",
    "fold",
    ["output_size", *_WINDOW],
    repr=["output_size", *_WINDOW_FIELDS],
    module=__name__,
)
Unfold = op_layer("Unfold", "unfold", _WINDOW, repr=_WINDOW_FIELDS, module=__name__)
