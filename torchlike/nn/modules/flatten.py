"""torch.nn.Flatten and torch.nn.Unflatten, declared over the Tensor methods."""

from __future__ import annotations

from typing import Any

from ..._core.tensor import Size
from ._oplayer import infer_hints
from ._spec import Arg, layer
from .module import Module

__all__ = ["Flatten", "Unflatten"]


def _check_sizes(self: Module) -> None:
    sizes: Any = self.unflattened_size
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(
            f"unflattened_size must be a tuple of ints, but found type {type(sizes).__name__}"
        )
    for pos, size in enumerate(sizes):
        if not isinstance(size, int):
            raise TypeError(
                "unflattened_size must be tuple of ints, but found element of type "
                f"{type(size).__name__} at pos {pos}"
            )


Flatten = infer_hints(layer(
    "Flatten", [Arg("start_dim", 1), Arg("end_dim", -1)],
    lambda self, input: input.flatten(self.start_dim, self.end_dim),
    repr=["start_dim", "end_dim"], module=__name__, __constants__=["start_dim", "end_dim"],
))
Unflatten = infer_hints(layer(
    "Unflatten", [Arg("dim"), Arg("unflattened_size")],
    lambda self, input: input.unflatten(self.dim, self.unflattened_size),
    repr=["dim", "unflattened_size"], check=_check_sizes, module=__name__,
    __constants__=["dim", "unflattened_size"],
), dim=int, unflattened_size=Size | list[int] | tuple[int, ...])
