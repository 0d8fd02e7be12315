"""torch.nn.modules.channelshuffle: ChannelShuffle as a table entry."""

from __future__ import annotations

from ._oplayer import op_layer

__all__ = ["ChannelShuffle"]

ChannelShuffle = op_layer(
    "ChannelShuffle", "channel_shuffle", ["groups"], repr=["groups"], module=__name__
)
