"""torch.nn.utils.convert_parameters: parameters_to_vector, vector_to_parameters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import torchlike as torch

from ..._core.tensor import Tensor
from ..modules.module import _typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _on_one_device(parameters: Iterable[Tensor]) -> Iterator[Tensor]:
    """Pass the parameters through, raising torch's TypeError at the first one that sits on
    another device than the first (a CUDA index, or -1 for every non-CUDA device)."""
    first = None
    for p in parameters:
        where = p.get_device() if p.is_cuda else -1
        if first is None:
            first = where
        elif where != first:
            raise TypeError(
                "Found two parameters on different devices, this is currently not supported."
            )
        yield p


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """torch.nn.utils.parameters_to_vector: every parameter flattened, concatenated
    (differentiable)."""
    return torch.cat([p.view(-1) for p in _on_one_device(parameters)])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """torch.nn.utils.vector_to_parameters: consecutive slices of ``vec`` become the
    parameters' ``.data``."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    start = 0
    for p in _on_one_device(parameters):
        stop = start + p.numel()
        p.data = vec[start:stop].view_as(p).data
        start = stop
