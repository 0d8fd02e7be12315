"""torch.backends.cpu: the vector instruction set XLA's CPU code can use."""

from __future__ import annotations

import functools


@functools.cache
def get_cpu_capability() -> str:
    """torch.backends.cpu.get_cpu_capability: 'AVX512', 'AVX2' or 'DEFAULT'."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return "DEFAULT"
    if " avx512f" in flags and " avx512bw" in flags and " avx512vl" in flags:
        return "AVX512"
    if " avx2" in flags:
        return "AVX2"
    return "DEFAULT"
