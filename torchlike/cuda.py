"""torch.cuda: whether JAX sees a GPU, and the basic queries on it.

A machine whose jaxlib has no GPU backend answers as torch's CPU build does: nothing is
available, queries that need a device raise torch's "not compiled with CUDA" error, and
seeding is a silent no-op and memory statistics are zero.  With a GPU, memory statistics
come from XLA's allocator (``jax.Device.memory_stats``).  XLA runs each GPU's work in one
order of its own, so every Stream is that order, and Events time it from the host after
waiting for the GPU (docs/devices.md).
"""

from __future__ import annotations

import collections

from ._core.device import _current_cuda, _local_devices
from ._core.device import device as _device
from ._ops.random import default_generator as _generator

__all__ = ["Event", "Stream", "StreamContext", "current_stream", "default_stream", "stream",
           "current_device", "device", "device_count", "device_of", "empty_cache",
           "get_arch_list", "get_device_capability", "get_device_name", "get_device_properties",
           "init", "initial_seed", "is_available", "is_bf16_supported", "is_initialized",
           "manual_seed", "manual_seed_all", "max_memory_allocated", "max_memory_reserved",
           "mem_get_info", "memory_allocated", "memory_reserved", "memory_stats",
           "reset_max_memory_allocated", "reset_peak_memory_stats", "seed", "seed_all",
           "set_device", "synchronize"]

_NO_CUDA = "Torch not compiled with CUDA enabled"


def _gpus() -> tuple:
    """JAX's GPU devices, in the order ``cuda:i`` names them (empty on a CPU-only jaxlib)."""
    return _local_devices("gpu")


def _require() -> tuple:
    # torch's CPU build raises this from every query that has to initialise CUDA.
    gpus = _gpus()
    if not gpus:
        raise AssertionError(_NO_CUDA)
    return gpus


def _backends_up() -> bool:
    # Asking JAX for devices would itself start its backends, so look without touching them.
    try:
        from jax._src import xla_bridge
        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):
        return True


def _index(dev) -> int:
    """The device index ``dev`` names (None, or 'cuda' without an index: the current one)."""
    if isinstance(dev, int):
        return dev
    if isinstance(dev, str):
        dev = _device(dev)
    if isinstance(dev, _device):
        if dev.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {dev}")
        return current_device() if dev.index is None else dev.index
    if dev is None:
        return current_device()
    raise ValueError("Expected a torch.device with a specified index or an integer, but got:"
                     f"{dev}")


def _gpu(dev):
    gpus = _require()
    i = _index(dev)
    if not 0 <= i < len(gpus):
        raise AssertionError("Invalid device id")
    return gpus[i]


def is_available() -> bool:
    """torch.cuda.is_available: whether JAX has at least one GPU."""
    return bool(_gpus())


def device_count() -> int:
    """torch.cuda.device_count: the number of GPUs JAX sees (0 without any)."""
    return len(_gpus())


def is_initialized() -> bool:
    """torch.cuda.is_initialized: a GPU exists and JAX's backends have started."""
    return _backends_up() and is_available()


def init() -> None:
    """torch.cuda.init: start the GPU backend (raises without a GPU, as torch's CPU build)."""
    _require()


def current_device() -> int:
    """torch.cuda.current_device: the index ``set_device`` chose (0 at start)."""
    _require()
    return _current_cuda[0]


def set_device(device) -> None:
    """torch.cuda.set_device: the GPU a bare 'cuda' names (a negative index is a no-op)."""
    i = _index(device) if device is not None else -1
    if i < 0:
        return
    gpus = _require()
    if i >= len(gpus):
        raise RuntimeError("CUDA error: invalid device ordinal")
    _current_cuda[0] = i


class device:
    """torch.cuda.device: a context manager selecting the current GPU inside it."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:
            return
        if not is_available():
            raise RuntimeError("PyTorch was compiled without CUDA support")  # torch's message
        self.prev_idx = current_device()
        if self.prev_idx != self.idx:
            set_device(self.idx)

    def __exit__(self, *exc):
        if self.prev_idx >= 0 and self.prev_idx != self.idx:
            set_device(self.prev_idx)
        return False


class device_of(device):
    """torch.cuda.device_of: select the GPU a tensor lives on (no-op for a CPU tensor)."""

    def __init__(self, obj):
        d = obj.device
        super().__init__(d.index if d.type == "cuda" else -1)


def synchronize(device=None) -> None:
    """torch.cuda.synchronize: wait until every computation queued on the GPU has finished."""
    gpus = _require()
    i = _index(device)
    if i >= len(gpus):
        raise RuntimeError("CUDA error: invalid device ordinal")
    # A negative index leaves the current device selected in torch.
    target = gpus[i if i >= 0 else current_device()]  # negative: the current one
    import jax
    for arr in jax.live_arrays():
        if target in arr.devices():
            arr.block_until_ready()


def get_device_name(device=None) -> str:
    """torch.cuda.get_device_name: the GPU's model name, e.g. 'NVIDIA H100 80GB HBM3'."""
    return _gpu(device).device_kind


def get_arch_list() -> list[str]:
    """torch.cuda.get_arch_list: the 'sm_XY' architectures of the GPUs present ([] without)."""
    if not is_available():
        return []
    archs = []
    for i in range(device_count()):
        try:
            major, minor = get_device_capability(i)
        except NotImplementedError:
            continue
        arch = f"sm_{major}{minor}"
        if arch not in archs:
            archs.append(arch)
    return archs


def get_device_capability(device=None) -> tuple[int, int]:
    """torch.cuda.get_device_capability: (major, minor) CUDA compute capability."""
    cc = getattr(_gpu(device), "compute_capability", None)
    if cc is None:
        raise NotImplementedError("this JAX GPU backend does not report a compute capability")
    major, _, minor = str(cc).partition(".")
    return int(major), int(minor or 0)


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """torch.cuda.is_bf16_supported: False without a GPU; else capability >= 8.0 or emulated."""
    if not is_available():
        return False
    try:
        if get_device_capability()[0] >= 8:
            return True
    except NotImplementedError:  # a GPU (e.g. ROCm) without a CUDA capability: XLA has bf16
        return True
    # XLA lowers bfloat16 on older GPUs through float32, which is torch's "emulation".
    return bool(including_emulation)


# torchlike draws on every device from one generator, so on a GPU machine seeding CUDA
# seeds it (docs/differences.md); torch's CPU build ignores CUDA seeds, and so do we.
def manual_seed(seed: int) -> None:
    """torch.cuda.manual_seed: seed the generator GPU tensors draw from (no-op without a GPU)."""
    seed = int(seed)
    if is_available():
        _generator.manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """torch.cuda.manual_seed_all: as manual_seed (one generator serves every GPU)."""
    manual_seed(seed)


def seed() -> None:
    """torch.cuda.seed: a fresh random seed for the GPU generator (no-op without a GPU)."""
    if is_available():
        _generator.seed()


def seed_all() -> None:
    """torch.cuda.seed_all: as seed."""
    seed()


def initial_seed() -> int:
    """torch.cuda.initial_seed: the GPU generator's seed (raises without a GPU)."""
    _require()
    return _generator.initial_seed()


# ---------------------------------------------------------------- memory
# XLA's allocator keeps its own peak, which cannot be reset: after reset_peak_memory_stats the
# peak is known exactly once XLA's peak grows past the one seen at the reset; until then the
# larger of the in-use bytes at the reset and now is the best lower bound (docs/devices.md).
_peak_base: dict = {}


def _stats(dev) -> dict:
    """XLA's allocator statistics for a GPU ({} without a GPU, as torch's CPU build)."""
    if not is_available():
        return {}
    return _gpu(dev).memory_stats() or {}


def memory_stats(device=None) -> collections.OrderedDict:
    """torch.cuda.memory_stats: the allocator's counters under torch's key names."""
    st = _stats(device)
    if not st:
        return collections.OrderedDict()
    out = collections.OrderedDict()
    out["allocated_bytes.all.current"] = st.get("bytes_in_use", 0)
    out["allocated_bytes.all.peak"] = max_memory_allocated(device)
    out["reserved_bytes.all.current"] = st.get("bytes_reserved", st.get("pool_bytes", 0))
    out["reserved_bytes.all.peak"] = st.get("peak_bytes_reserved",
                                            st.get("peak_pool_bytes", 0))
    out["num_alloc_retries"] = 0
    out["num_ooms"] = st.get("num_ooms", 0)
    out["largest_alloc_size"] = st.get("largest_alloc_size", 0)
    out["bytes_limit"] = st.get("bytes_limit", 0)
    return out


def memory_allocated(device=None) -> int:
    """torch.cuda.memory_allocated: bytes of GPU memory held by live arrays (0 without a GPU)."""
    return int(_stats(device).get("bytes_in_use", 0))


def max_memory_allocated(device=None) -> int:
    """torch.cuda.max_memory_allocated: peak bytes in use since start or the last reset."""
    st = _stats(device)
    if not st:
        return 0
    peak = int(st.get("peak_bytes_in_use", 0))
    base = _peak_base.get(_index(device))
    if base is None:
        return peak
    base_peak, base_in_use = base
    return peak if peak > base_peak else max(base_in_use, int(st.get("bytes_in_use", 0)))


def memory_reserved(device=None) -> int:
    """torch.cuda.memory_reserved: bytes XLA's allocator holds (0 without a GPU)."""
    st = _stats(device)
    return int(st.get("bytes_reserved", st.get("pool_bytes", st.get("bytes_in_use", 0))))


def max_memory_reserved(device=None) -> int:
    """torch.cuda.max_memory_reserved: the allocator's peak holding (0 without a GPU)."""
    st = _stats(device)
    return int(st.get("peak_bytes_reserved", st.get("peak_pool_bytes",
                                                     st.get("peak_bytes_in_use", 0))))


def reset_peak_memory_stats(device=None) -> None:
    """torch.cuda.reset_peak_memory_stats: start a new peak (raises without a GPU)."""
    st = _gpu(device).memory_stats() or {}
    _peak_base[_index(device)] = (int(st.get("peak_bytes_in_use", 0)),
                                  int(st.get("bytes_in_use", 0)))


def reset_max_memory_allocated(device=None) -> None:
    """torch.cuda.reset_max_memory_allocated: as reset_peak_memory_stats."""
    reset_peak_memory_stats(device)


def mem_get_info(device=None) -> tuple[int, int]:
    """torch.cuda.mem_get_info: (free, total) bytes of the GPU as XLA's allocator sees it."""
    st = _gpu(device).memory_stats() or {}
    total = int(st.get("bytes_limit", 0))
    return total - int(st.get("bytes_in_use", 0)), total


def empty_cache() -> None:
    """torch.cuda.empty_cache: frees unreachable arrays now (XLA keeps its pool; no-op on CPU)."""
    if is_available():
        import gc

        gc.collect()


class _CudaDeviceProperties:
    """What torch.cuda.get_device_properties reports, from the jax.Device."""

    def __init__(self, dev):
        self.name = dev.device_kind
        cc = str(getattr(dev, "compute_capability", "0.0"))
        major, _, minor = cc.partition(".")
        self.major, self.minor = int(major or 0), int(minor or 0)
        self.total_memory = int((dev.memory_stats() or {}).get("bytes_limit", 0))
        self.multi_processor_count = int(getattr(dev, "core_count", 0) or 0)

    def __repr__(self) -> str:
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None) -> _CudaDeviceProperties:
    """torch.cuda.get_device_properties: name, capability, memory and SM count of a GPU."""
    return _CudaDeviceProperties(_gpu(device))


# ---------------------------------------------------------------- streams and events
def _wait(dev) -> None:
    target = _gpu(dev)
    import jax

    for arr in jax.live_arrays():
        if target in arr.devices():
            arr.block_until_ready()


class Stream:
    """torch.cuda.Stream: the GPU's one order of work (XLA schedules within it itself)."""

    def __init__(self, device=None, priority: int = 0, **kwargs):
        if not is_available():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")  # torch's message
        self.device = _device("cuda", _index(device))
        self.priority = priority

    def synchronize(self) -> None:
        """Wait for the GPU's queued work."""
        _wait(self.device)

    def query(self) -> bool:
        """Whether the GPU's queued work has finished."""
        import jax

        target = _gpu(self.device)
        return all(a.is_ready() for a in jax.live_arrays() if target in a.devices())

    def wait_stream(self, stream) -> None:
        """Nothing to do: every stream of a GPU is the same order."""

    def wait_event(self, event) -> None:
        """Nothing to do: the event's work precedes later work in the one order."""

    def record_event(self, event=None):
        """Record ``event`` (a new one when None) at this point of the order."""
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other) -> bool:
        return isinstance(other, Stream) and other.device == self.device

    def __hash__(self) -> int:
        return hash(self.device)

    def __repr__(self) -> str:
        return f"<torchlike.cuda.Stream device={self.device}>"


def current_stream(device=None) -> Stream:
    """torch.cuda.current_stream: the GPU's stream (raises without a GPU, as torch)."""
    _require()
    return Stream(device)


def default_stream(device=None) -> Stream:
    """torch.cuda.default_stream: the same stream as current_stream."""
    return current_stream(device)


class StreamContext:
    """torch.cuda.StreamContext: select the stream's GPU inside the block (None: no-op)."""

    def __init__(self, stream):
        self.stream = stream
        self._ctx = device(stream.device) if stream is not None else None

    def __enter__(self):
        if self._ctx is not None:
            self._ctx.__enter__()
        return self.stream

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
        return False


def stream(stream) -> StreamContext:
    """torch.cuda.stream: a StreamContext."""
    return StreamContext(stream)


class Event:
    """torch.cuda.Event: a point in the GPU's work; with enable_timing, its host time once the
    GPU got there (recording waits for the GPU, so timings include no queued work)."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False,
                 interprocess: bool = False):
        if not is_available():
            raise RuntimeError("Tried to instantiate dummy base class Event")  # torch's message
        self.enable_timing = enable_timing
        self._time = None
        self._device = None

    def record(self, stream=None) -> None:
        """Mark this point; waits for the GPU's queued work so the time is the GPU's."""
        import time

        self._device = stream.device if stream is not None else None
        _wait(self._device)
        self._time = time.perf_counter()

    def synchronize(self) -> None:
        """Wait for the work before the event (already done when it was recorded)."""

    def query(self) -> bool:
        """Whether the work before the event has finished (True once recorded)."""
        return True

    def wait(self, stream=None) -> None:
        """Nothing to do: later work already follows the event in the one order."""

    def elapsed_time(self, end_event) -> float:
        """Milliseconds between this event and ``end_event``."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if self._time is None or end_event._time is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end_event._time - self._time) * 1000.0
