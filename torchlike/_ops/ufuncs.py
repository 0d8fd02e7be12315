"""Pointwise math beyond the core: trig, exp/log family, rounding, special functions, complex helpers, float predicates."""

from __future__ import annotations

__all__: list = []
