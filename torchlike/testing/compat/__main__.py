"""python -m torchlike.testing.compat {record,verify} SCRIPT.py [args] (see docs/testing.md)."""

from __future__ import annotations

import os
import sys
import types


def _bootstrap() -> None:
    """Run by path (``python .../torchlike/testing/compat record ...``) where jax is missing:
    make torchlike.testing.compat importable without executing torchlike's engine."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    if sys.path and os.path.abspath(sys.path[0]) == here:
        sys.path[0] = root  # the directory itself must not shadow top-level modules
    else:
        sys.path.insert(0, root)
    try:
        import torchlike  # noqa: F401
    except ModuleNotFoundError as e:
        if e.name != "jax" and not (e.name or "").startswith("jax"):
            raise
        for k in [k for k in sys.modules if k == "torchlike" or k.startswith("torchlike.")]:
            del sys.modules[k]
        for name, path in (("torchlike", os.path.join(root, "torchlike")),
                           ("torchlike.testing", os.path.join(root, "torchlike", "testing"))):
            stub = types.ModuleType(name, "jax-free placeholder for the compat recorder")
            stub.__path__ = [path]
            sys.modules[name] = stub


if not __package__:
    _bootstrap()

from torchlike.testing.compat._tool import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
