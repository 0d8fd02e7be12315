"""torch._dynamo.utils.counters: compile statistics (``counters["stats"]["unique_graphs"]``,
``["cache_hits"]``, ``["graph_breaks"]``)."""

from .eval_frame import counters

__all__ = ["counters"]
