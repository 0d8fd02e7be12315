"""Whether values are being traced (torchlike.compile, torchlike.func, jax.jit over torch code).

Eager torchlike checks some arguments on the host (index bounds, class targets, division by
zero), as torch does.  A traced value has no host copy: such checks are skipped for it (the
compiled program clamps/wraps as XLA does; see docs/differences.md), while ops whose output
*shape* depends on values (``nonzero``, boolean masks, ``unique``) raise ``GraphBreak`` so that
``torchlike.compile`` can fall back to eager for that function.
"""

from __future__ import annotations

import jax

Tracer = jax.core.Tracer

# While torchlike.compile traces: a callable told of every storage written whose array was
# still concrete (state the compiler did not lift; see _core/views.write).
ON_WRITE: list = [None]


def is_traced(*values) -> bool:
    """Whether any of ``values`` (jax arrays, Tensors or Python values) is a JAX tracer."""
    for v in values:
        if isinstance(v, Tracer):
            return True
        st = getattr(v, "_storage", None)
        if st is not None and isinstance(st.array, Tracer):
            return True
    return False


class GraphBreak(RuntimeError):
    """An op needs concrete values (a data-dependent shape or a Python value) while traced."""

    def __init__(self, op: str, why: str = "its output shape depends on the input's values"):
        super().__init__(f"{op}: {why}, so it cannot run inside a traced (compiled) program")
        self.op = op


def concrete_or_break(op: str, *values) -> None:
    """Raise GraphBreak for ``op`` if any of ``values`` is traced."""
    if is_traced(*values):
        raise GraphBreak(op)
