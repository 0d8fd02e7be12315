"""Sorting and searching: sort, argsort, topk, unique, searchsorted, bucketize, isin."""

from __future__ import annotations

__all__: list = []
