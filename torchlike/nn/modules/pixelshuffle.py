"""torch.nn.modules.pixelshuffle: PixelShuffle and PixelUnshuffle as table entries."""

from __future__ import annotations

from ._oplayer import op_layer

__all__ = ["PixelShuffle", "PixelUnshuffle"]

PixelShuffle, PixelUnshuffle = (
    op_layer(name, op, [factor], repr=[factor], module=__name__)
    for name, op, factor in (
        ("PixelShuffle", "pixel_shuffle", "upscale_factor"),
        ("PixelUnshuffle", "pixel_unshuffle", "downscale_factor"),
    )
)
