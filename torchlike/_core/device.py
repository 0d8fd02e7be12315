"""torch.device and its mapping onto JAX devices."""

from __future__ import annotations

import functools

import jax

# torch's device type names → JAX platform names.
_PLATFORM = {"cpu": "cpu", "cuda": "gpu", "gpu": "gpu", "tpu": "tpu", "meta": "cpu"}
_TYPE_OF_PLATFORM = {"cpu": "cpu", "gpu": "cuda", "cuda": "cuda", "rocm": "cuda", "tpu": "tpu"}


class device:
    """torch.device: ``device('cuda:1')``, ``device('cpu')``, ``device('cuda', 0)``, ``device(0)``.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _PLATFORM:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, "
                "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone, tpu device type at "
                "start of device string: " + type)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = type, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        # As in torch, a device never equals a string: device('cpu') == 'cpu' is False.
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        _default_device.append(self)
        return self

    def __exit__(self, *exc):
        _default_device.pop()


_default_device: list = []


@functools.cache
def _jax_devices(platform: str):
    try:
        return tuple(jax.devices(platform))
    except RuntimeError:
        return ()


def to_jax(d: device | str | int | None):
    """The jax.Device for a torch device (None → JAX's default device)."""
    if d is None:
        return None
    if not isinstance(d, device):
        d = device(d)
    devs = _jax_devices(_PLATFORM[d.type])
    idx = d.index or 0
    if not devs:
        if d.type == "cuda":
            raise AssertionError("Torch not compiled with CUDA enabled")  # torch's message
        raise RuntimeError(f"no JAX devices of type '{d.type}' are available")
    if idx >= len(devs):
        raise RuntimeError(f"CUDA error: invalid device ordinal ({d} of {len(devs)} devices)")
    return devs[idx]


@functools.cache
def from_jax(jdev) -> device:
    """The torch device naming a jax.Device (CPU devices print without an index, as torch does)."""
    t = _TYPE_OF_PLATFORM.get(jdev.platform, jdev.platform)
    if t == "cpu":
        return device("cpu")
    return device(t, jdev.id if t != "cuda" else _jax_devices("gpu").index(jdev))


CPU = device("cpu")


def default_device() -> device | None:
    return _default_device[-1] if _default_device else None
