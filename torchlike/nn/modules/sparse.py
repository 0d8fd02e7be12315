"""Lookup tables: Embedding and EmbeddingBag.

Both are a ``(num_embeddings, embedding_dim)`` weight drawn from N(0, 1) with an optional
zeroed padding row, built by ``_LookupTable``; they differ in their forward, their options
and which options their repr lists (``_optional``: name, and when it is left out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Embedding", "EmbeddingBag"]

_Rule = tuple[str, Callable[[Any], bool]]


def _is_none(v: Any) -> bool:
    return v is None


def _is_false(v: Any) -> bool:
    return v is False


def _is_two(v: Any) -> bool:
    return v == 2


def _never(v: Any) -> bool:
    return False


class _LookupTable(Module):
    """Weight table, padding row and repr shared by Embedding and EmbeddingBag."""

    # torch spells the padding_idx range error with a capital in Embedding only
    _padding_word = "padding_idx"
    _optional: tuple[_Rule, ...] = ()
    num_embeddings: int
    embedding_dim: int
    padding_idx: int | None
    weight: Tensor

    def _table(
        self,
        rows: int,
        cols: int,
        padding_idx: int | None,
        given: Tensor | None,
        trainable: bool,
        where: dict,
    ) -> None:
        self.num_embeddings = rows
        self.embedding_dim = cols
        if padding_idx is not None:
            # 0 is always accepted, even by an empty table
            if padding_idx != 0 and not -rows <= padding_idx < rows:
                raise AssertionError(f"{self._padding_word} must be within num_embeddings")
            if padding_idx < 0:
                padding_idx += rows
        self.padding_idx = padding_idx
        if given is None:
            empty = torch.empty((rows, cols), **where)
            self.weight = Parameter(empty, requires_grad=trainable)
            self.reset_parameters()
            return
        if list(given.shape) != [rows, cols]:
            raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
        self.weight = Parameter(given, requires_grad=trainable)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        row = self.padding_idx
        if row is not None:
            with torch.no_grad():
                self.weight[row].zero_()

    def _show(self, name: str, value: Any) -> str:
        return str(value)

    def extra_repr(self) -> str:
        parts = [self._show("", self.num_embeddings), self._show("", self.embedding_dim)]
        for name, left_out in self._optional:
            value = getattr(self, name)
            if not left_out(value):
                parts.append(f"{name}={self._show(name, value)}")
        return ", ".join(parts)

    @classmethod
    def _pretrained(cls, embeddings: Tensor, **options: Any) -> Any:
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, **options)


class Embedding(_LookupTable):
    """torch.nn.Embedding."""

    __constants__ = [
        "num_embeddings",
        "embedding_dim",
        "padding_idx",
        "max_norm",
        "norm_type",
        "scale_grad_by_freq",
        "sparse",
    ]
    _padding_word = "Padding_idx"
    _optional = (
        ("padding_idx", _is_none),
        ("max_norm", _is_none),
        ("norm_type", _is_two),
        ("scale_grad_by_freq", _is_false),
        ("sparse", _is_false),
    )
    max_norm: float | None
    norm_type: float
    scale_grad_by_freq: bool
    freeze: bool
    sparse: bool

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        where = {"device": device, "dtype": dtype}
        self._table(num_embeddings, embedding_dim, padding_idx, _weight, not _freeze, where)

    def _show(self, name: str, value: Any) -> str:
        return "True" if name == "sparse" else str(value)

    def forward(self, input: Tensor) -> Tensor:
        options = (self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse)
        return F.embedding(input, self.weight, self.padding_idx, *options)

    @classmethod
    def from_pretrained(
        cls,
        embeddings,
        freeze=True,
        padding_idx=None,
        max_norm=None,
        norm_type=2.0,
        scale_grad_by_freq=False,
        sparse=False,
    ):
        """torch.nn.Embedding.from_pretrained: wrap a 2-D tensor (frozen by default)."""
        return cls._pretrained(
            embeddings, _freeze=freeze, padding_idx=padding_idx, max_norm=max_norm,
            norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
        )  # fmt: skip


class EmbeddingBag(_LookupTable):
    """torch.nn.EmbeddingBag."""

    __constants__ = [
        "num_embeddings",
        "embedding_dim",
        "max_norm",
        "norm_type",
        "scale_grad_by_freq",
        "mode",
        "sparse",
        "include_last_offset",
        "padding_idx",
    ]
    _optional = (
        ("max_norm", _is_none),
        ("norm_type", _is_two),
        ("scale_grad_by_freq", _is_false),
        ("mode", _never),
        ("padding_idx", _is_none),
    )
    max_norm: float | None
    norm_type: float
    scale_grad_by_freq: bool
    mode: str
    sparse: bool
    include_last_offset: bool

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Tensor | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.mode = scale_grad_by_freq, mode
        self.sparse, self.include_last_offset = sparse, include_last_offset
        where = {"device": device, "dtype": dtype}
        self._table(num_embeddings, embedding_dim, padding_idx, _weight, True, where)

    def _show(self, name: str, value: Any) -> str:
        return repr(value)

    def forward(
        self, input: Tensor, offsets: Tensor | None = None, per_sample_weights: Tensor | None = None
    ) -> Tensor:
        return F.embedding_bag(
            input, self.weight, offsets, self.max_norm, self.norm_type,
            self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
            self.include_last_offset, self.padding_idx,
        )  # fmt: skip

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """torch.nn.EmbeddingBag.from_pretrained: wrap a 2-D tensor (frozen by default)."""
        bag = cls._pretrained(
            embeddings, max_norm=max_norm, norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
            include_last_offset=include_last_offset, padding_idx=padding_idx,
        )  # fmt: skip
        bag.weight.requires_grad = not freeze
        return bag
