"""Indexing beyond the core: index_add/copy/fill/reduce, scatter_reduce, masked_scatter, take_along_dim, put."""

from __future__ import annotations

__all__: list = []
