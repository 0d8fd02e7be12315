"""Layout ops: flips, rolls, repeats, splits and stacks, triangles and diagonals, meshgrid, unfold, *_copy variants."""

from __future__ import annotations

__all__: list = []
