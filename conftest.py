"""Test-session settings shared by tests/ and compat_tests/ (loaded before either imports jax).

The suite compiles thousands of tiny XLA kernels, one per (op, shape, dtype); on CPU most of
its time is XLA compiling them, so two settings cut it (users' programs keep JAX's defaults):
- LLVM's cheap pipeline: tests run kernels on a few elements, optimisation buys nothing.
- One persistent compilation cache for the session, shared by the xdist workers (the
  controller makes it before the workers start and removes it at the end), so a kernel one
  worker compiled is loaded, not compiled again, by the other.
"""

import os
import shutil
import tempfile

_FAST_COMPILE = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"
os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FAST_COMPILE}".strip()

_OWN_CACHE = "JAX_COMPILATION_CACHE_DIR" not in os.environ
if _OWN_CACHE:
    os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="torchlike-xla-cache-")
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"


def pytest_unconfigure(config):
    if _OWN_CACHE and not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ["JAX_COMPILATION_CACHE_DIR"], ignore_errors=True)
