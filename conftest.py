"""Test-session settings shared by tests/ and compat_tests/ (loaded before either imports jax).

The suite compiles thousands of tiny XLA kernels, one per (op, shape, dtype); on CPU most of
its time is XLA compiling them, so two settings cut it (users' programs keep JAX's defaults):
- LLVM's cheap pipeline: tests run kernels on a few elements, optimisation buys nothing.
- A persistent compilation cache shared by the xdist workers and kept between runs, so a
  kernel one worker (or an earlier run) compiled is loaded, not compiled again.  It lives in
  the system temp dir, never the user's home (``TORCHLIKE_TEST_CACHE_DIR`` moves it;
  ``TORCHLIKE_TEST_CACHE_DIR=0`` gives each session a fresh one, removed at its end).  Entries
  are keyed on the program, the flags and the jax version, so a stale entry is never used.
"""

import os
import shutil
import tempfile

_FAST_COMPILE = ("--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true "
                 "--xla_cpu_use_fusion_emitters=false")
os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FAST_COMPILE}".strip()

_OWN_CACHE = False
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _dir = os.environ.get("TORCHLIKE_TEST_CACHE_DIR")
    if _dir is None:
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        _dir = os.path.join(tempfile.gettempdir(), f"torchlike-test-xla-cache-{uid}")
        os.makedirs(_dir, exist_ok=True)
    elif _dir.strip() in ("", "0"):
        _OWN_CACHE = True
        _dir = tempfile.mkdtemp(prefix="torchlike-xla-cache-")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _dir
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"


def pytest_unconfigure(config):
    if _OWN_CACHE and not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ["JAX_COMPILATION_CACHE_DIR"], ignore_errors=True)
