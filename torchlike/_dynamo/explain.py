"""torch._dynamo.explain: how a function compiles (graphs, breaks and why)."""

from __future__ import annotations

import dataclasses

from . import eval_frame as _ef


@dataclasses.dataclass
class ExplainOutput:
    """torch._dynamo.backends.debugging.ExplainOutput's fields that apply here."""

    graph_count: int
    graph_break_count: int
    break_reasons: list
    op_count: int

    def __str__(self) -> str:
        lines = [f"Graph Count: {self.graph_count}",
                 f"Graph Break Count: {self.graph_break_count}",
                 f"Op Count: {self.op_count}", "Break Reasons:"]
        lines += [f"  Break Reason {i + 1}: {r}" for i, r in enumerate(self.break_reasons)]
        return "\n".join(lines)


def explain(fn, *extra_args, **extra_kwargs):
    """torch._dynamo.explain(fn)(*args): compile ``fn`` afresh, call it once, report."""

    def run(*args, **kwargs):
        cf = _ef.CompiledFunction(fn)
        start = len(_ef._EXPLAIN)
        before = _ef.counters["stats"]["unique_graphs"]
        cf(*args, **kwargs)
        reasons = _ef._EXPLAIN[start:]
        graphs = _ef.counters["stats"]["unique_graphs"] - before
        ops = sum(len(e.jaxpr_eqns) for e in cf._cache.values() if not e.eager)
        return ExplainOutput(graphs, len(reasons), list(reasons), ops)

    if extra_args or extra_kwargs:
        return run(*extra_args, **extra_kwargs)
    return run
