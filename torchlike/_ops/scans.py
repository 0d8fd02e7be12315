"""Reductions and scans beyond the core: logsumexp, cumulative ops, median/mode/quantile, statistics, histograms."""

from __future__ import annotations

__all__: list = []
