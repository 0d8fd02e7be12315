"""The compatibility checker: record a torch program's results, replay it on torchlike.

``check("name", value)`` marks a value to compare. Outside ``record``/``verify`` it does
nothing and returns ``value``, so a script runs unchanged under plain torch::

    python -m torchlike.testing.compat record script.py [args]   # where torch is installed
    python -m torchlike.testing.compat verify script.py [args]   # torch bound to torchlike

See docs/testing.md. This module imports only the standard library (numpy when a session is
active): the recorder runs under real torch, where jax may be missing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check"]

# The active record/verify session (set by the command line tool), or None.
_SESSION = None


def check(name: str, value: Any, *, rtol: float | None = None, atol: float | None = None):
    """Marks ``value`` (tensor, array, number, string or nested list/tuple/dict of them) for
    comparison under ``name``; tolerances override the defaults for this check. Returns value."""
    if _SESSION is not None:
        _SESSION.add(name, value, rtol, atol)
    return value
