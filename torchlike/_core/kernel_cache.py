"""Bounded kernel caches: eager mode keeps at most N compiled executables alive.

Every eager kernel is a ``jax.jit`` object in some cache dict (``Op.kernels``, ``Op.vjps``,
the view-write, random and optimizer caches, ...), and each jit object holds one compiled
executable per input shape it has seen.  A program whose shapes keep changing (a varying
batch size) would otherwise keep every executable, their memory and their code mappings,
forever, until the process runs out of mappings and crashes.

The caches stay plain dicts (nothing is added to the hot path's ``dict.get``); each is
registered here once.  JAX reports every compilation (loads from the persistent cache
included) to a monitoring listener; when the count of live executables may exceed the limit
(``config.KERNEL_CACHE_SIZE``), a sweep walks the registered dicts, counts executables
exactly (``_cache_size()`` per jit object) and drops kernels until a quarter of the limit
is free: those holding the most executables first, then the least recently compiled (an LRU
on compilations).  ``clear_cache()`` frees their executables (and their code mappings) and
the entry leaves its dict, so the next use
rebuilds it (from the persistent cache when that is on).
"""

from __future__ import annotations

import jax
from jax._src import pjit as _pjit
from jax._src import util as _jax_util

from .config import KERNEL_CACHE_SIZE

_BACKEND_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"

_owners: list = []
# (id(owner), key) -> [jit, owner, key, executables at the last sweep, sweep number]; dict
# order is the LRU order (least recently compiled first).
_seen: dict = {}
# Compilations since the last sweep, and how many more may happen before the next one.
_pending = [0]
_budget = [KERNEL_CACHE_SIZE[0]]
_gen = [0]
_since_flush = [0]
STATS = {"sweeps": 0, "evicted_kernels": 0, "evicted_executables": 0, "flushes": 0}


def register(cache: dict) -> dict:
    """Count ``cache``'s jitted kernels against the bound; returns it (a long-lived dict)."""
    _owners.append(cache)
    return cache


def _jit_of(value):
    j = value[0] if type(value) is tuple and value else value
    return j if hasattr(j, "_cache_size") else None


def live_executables() -> int:
    """How many executables the registered kernel caches hold now."""
    total = 0
    for owner in _owners:
        for value in owner.values():
            j = _jit_of(value)
            if j is not None:
                total += j._cache_size()
    return total


def sweep() -> int:
    """Count live executables; beyond the limit, drop least recently compiled kernels."""
    limit = KERNEL_CACHE_SIZE[0]
    STATS["sweeps"] += 1
    gen = _gen[0] = _gen[0] + 1
    seen = _seen
    total = 0
    for owner in _owners:
        oid = id(owner)
        for key, value in owner.items():
            j = _jit_of(value)
            if j is None:
                continue
            n = j._cache_size()
            k = (oid, key)
            rec = seen.get(k)
            if rec is None or rec[0] is not j:
                seen.pop(k, None)
                seen[k] = [j, owner, key, n, gen]
            else:
                if n > rec[3]:
                    seen[k] = seen.pop(k)
                rec[3] = n
                rec[4] = gen
            total += n
    for k in [k for k, rec in seen.items() if rec[4] != gen]:
        del seen[k]
    if total > limit:
        target = limit - limit // 4
        # Kernels holding the most shapes go first: clearing one frees all its executables for
        # at most one recompile of the shape still in use (with varying shapes, the next call
        # compiles a new shape anyway); then the least recently compiled.
        order = sorted(enumerate(seen), key=lambda ik: (-seen[ik[1]][3], ik[0]))
        for _, k in order:
            if total <= target:
                break
            j, owner, key, n, _ = seen.pop(k)
            if owner.get(key) is not None and _jit_of(owner[key]) is j:
                del owner[key]
            j.clear_cache()
            total -= n
            STATS["evicted_kernels"] += 1
            STATS["evicted_executables"] += n
        # JAX's Python-level tracing/lowering/compilation caches also hold executables (of the
        # dropped kernels too); live kernels keep theirs in the jit objects' own caches, so
        # clearing these costs only re-tracing of shapes not seen yet.
        _jax_util.clear_all_caches()
    if _since_flush[0] >= limit:
        _flush()
    _pending[0] = 0
    # Sweep again once the count may pass the limit, but not more often than every
    # limit/16 compilations (a sweep walks every cached kernel).
    _budget[0] = max(limit - total, limit // 16, 1)
    return total


def _flush() -> None:
    # Executables the sweep cannot count also pile up: eager jax.numpy calls made outside
    # torchlike's kernels (jnp functions are jitted, one executable per shape) and JAX's
    # internal staging caches.  Once ``limit`` compilations have happened since the last
    # flush, JAX's executable caches are emptied (ours included: a kernel still in use is
    # recompiled, or loaded from the persistent cache, at its next call).  A program whose
    # shapes have settled compiles nothing, so it never gets here.
    _jax_util.clear_all_caches()
    _pjit._cpp_pjit_cache_fun_only.clear()
    _pjit._cpp_pjit_cache_explicit_attributes.clear()
    STATS["flushes"] += 1
    _since_flush[0] = 0


def _on_duration(event, duration, **kwargs):
    if event == _BACKEND_COMPILE_EVENT:
        _since_flush[0] += 1
        _pending[0] += 1
        if _pending[0] > _budget[0]:
            sweep()


jax.monitoring.register_event_duration_secs_listener(_on_duration)
