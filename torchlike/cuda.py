"""torch.cuda: whether JAX sees a GPU, and the basic queries on it.

A machine whose jaxlib has no GPU backend answers as torch's CPU build does: nothing is
available, queries that need a device raise torch's "not compiled with CUDA" error, and
seeding is a silent no-op.  Memory statistics, ``set_device`` and streams are not here yet.
"""

from __future__ import annotations

from ._core.device import _jax_devices
from ._core.device import device as _device
from ._ops.random import default_generator as _generator

__all__ = ["current_device", "device_count", "get_device_capability", "get_device_name", "init",
           "initial_seed", "is_available", "is_bf16_supported", "is_initialized", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "synchronize"]

_NO_CUDA = "Torch not compiled with CUDA enabled"


def _gpus() -> tuple:
    """JAX's GPU devices, in the order ``cuda:i`` names them (empty on a CPU-only jaxlib)."""
    return _jax_devices("gpu")


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
    """torch.cuda.current_device: always 0 (``set_device`` is not supported yet)."""
    _require()
    return 0


def synchronize(device=None) -> None:
    """torch.cuda.synchronize: wait until every computation queued on the GPU has finished."""
    gpus = _require()
    i = _index(device)
    if i >= len(gpus):
        raise RuntimeError("CUDA error: invalid device ordinal")
    # A negative index leaves the current device selected in torch.
    target = gpus[i if i >= 0 else current_device()]
    import jax
    for arr in jax.live_arrays():
        if target in arr.devices():
            arr.block_until_ready()


def get_device_name(device=None) -> str:
    """torch.cuda.get_device_name: the GPU's model name, e.g. 'NVIDIA H100 80GB HBM3'."""
    return _gpu(device).device_kind


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
