"""Engine settings: the bound on compiled kernels and the persistent compilation cache.

Both are described for users in docs/caches.md.  Environment variables are read once, at
import; the functions here change the settings afterwards.

- ``TORCHLIKE_KERNEL_CACHE_SIZE``: how many compiled executables (one per kernel and input
  shapes) eager mode keeps alive; least recently compiled kernels are dropped beyond it.
- ``TORCHLIKE_CACHE_DIR``: where JAX's persistent compilation cache lives (default
  ``$XDG_CACHE_HOME/torchlike/jax``, i.e. ``~/.cache/torchlike/jax``); ``0`` turns it off.
  A ``JAX_COMPILATION_CACHE_DIR`` already set (by the user or a test harness) wins.
- ``TORCHLIKE_CACHE_MAX_BYTES``: size bound of that directory (JAX evicts least recently
  used files beyond it; needs the ``filelock`` package, else the directory is unbounded).
"""

from __future__ import annotations

import os

DEFAULT_KERNEL_CACHE_SIZE = 512
DEFAULT_CACHE_MAX_BYTES = 2 << 30


def _env_int(name: str, default: int) -> int:
    v = os.environ.get(name, "").strip()
    if not v:
        return default
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {v!r}") from None


# Executables kept alive by eager mode's kernel caches (see _core/kernel_cache.py).
KERNEL_CACHE_SIZE = [_env_int("TORCHLIKE_KERNEL_CACHE_SIZE", DEFAULT_KERNEL_CACHE_SIZE)]


def get_kernel_cache_size() -> int:
    """The most compiled executables eager kernel caches keep (no torch counterpart)."""
    return KERNEL_CACHE_SIZE[0]


def set_kernel_cache_size(n: int) -> None:
    """Bound eager kernel caches to ``n`` compiled executables (no torch counterpart)."""
    n = int(n)
    if n < 1:
        raise ValueError(f"kernel cache size must be at least 1, got {n}")
    KERNEL_CACHE_SIZE[0] = n
    from . import kernel_cache

    kernel_cache.sweep()


def default_cache_dir() -> str:
    """The persistent compilation cache's default directory (XDG cache dir based)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "torchlike", "jax")


def cache_dir() -> str | None:
    """The directory torchlike asks JAX to keep compiled programs in, or None when off."""
    v = os.environ.get("TORCHLIKE_CACHE_DIR")
    if v is None:
        return default_cache_dir()
    v = v.strip()
    if v.lower() in ("", "0", "off", "false", "no"):
        return None
    return os.path.expanduser(v)


def _has_filelock() -> bool:
    import importlib.util

    return importlib.util.find_spec("filelock") is not None


def setup_persistent_cache() -> str | None:
    """Turn on JAX's persistent compilation cache (run once by ``import torchlike``)."""
    import jax

    # A cache the user (or a test harness) configured for JAX directly is left alone.
    if os.environ.get("JAX_COMPILATION_CACHE_DIR") or jax.config.jax_compilation_cache_dir:
        return jax.config.jax_compilation_cache_dir
    path = cache_dir()
    if path is None:
        return None
    bounded = "JAX_COMPILATION_CACHE_MAX_SIZE" not in os.environ and _has_filelock()
    if not bounded:
        # JAX's LRU pruning reads an access-time file beside every entry, which JAX writes
        # only when pruning is on: entries written without it (here) would make every later
        # write of a pruning process fail.  Keep them apart.
        path = os.path.join(path, "unpruned")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        # A read-only home must not stop the import: run without the cache.
        return None
    jax.config.update("jax_compilation_cache_dir", path)
    # Eager kernels are tiny and compile in milliseconds: JAX's defaults (cache only programs
    # that took over a second) would store none of them.
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    if "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES" not in os.environ:
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    # JAX bounds the directory (LRU over files) only with the filelock package installed.
    if bounded:
        jax.config.update("jax_compilation_cache_max_size",
                          _env_int("TORCHLIKE_CACHE_MAX_BYTES", DEFAULT_CACHE_MAX_BYTES))
    return path
