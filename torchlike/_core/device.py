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

# The index a bare 'cuda' names; torchlike.cuda.set_device changes it.
_current_cuda = [0]


@functools.cache
def _jax_devices(platform: str):
    """Every JAX device of ``platform``, of all processes (a DeviceMesh spans them)."""
    try:
        return tuple(jax.devices(platform))
    except RuntimeError:
        return ()


@functools.cache
def _local_devices(platform: str):
    """This process's JAX devices of ``platform``: 'cuda:i' is local GPU i, as in torch."""
    try:
        return tuple(jax.local_devices(backend=platform))
    except RuntimeError:
        return ()


def to_jax(d: device | str | int | None):
    """The jax.Device for a torch device (None → JAX's default device).

    'cpu:N' names JAX's CPU device N where JAX has several (XLA's forced host devices);
    with one CPU device every index names it, as every index names the one host in torch.
    'meta' has no JAX counterpart: it is placed on the CPU (docs/devices.md).
    """
    if d is None:
        return None
    j = _to_jax_memo.get(d) if type(d) in (str, device) else None
    if j is not None:
        return j
    j = _to_jax(d)
    if type(d) in (str, device) and not (j.platform != "cpu" and device(d).index is None):
        _to_jax_memo[d] = j  # a bare accelerator type follows set_device: not memoised
    return j


_to_jax_memo: dict = {}


def _to_jax(d):
    if not isinstance(d, device):
        if type(d) is int and not _local_devices("gpu"):  # torch: a bare index is an accelerator
            raise RuntimeError("Cannot access accelerator device when none is available.")
        d = device(d)
    t = d.type
    devs = _local_devices(_PLATFORM[t])
    if not devs:
        if t == "cuda":
            raise AssertionError("Torch not compiled with CUDA enabled")  # torch's message
        raise RuntimeError(f"no JAX devices of type '{t}' are available")
    idx = d.index
    if idx is None:
        idx = _current_cuda[0] if t == "cuda" else 0
    elif t in ("cpu", "meta") and len(devs) == 1:
        idx = 0
    if idx >= len(devs):
        if t == "cuda":
            raise RuntimeError("CUDA error: invalid device ordinal")
        raise RuntimeError(f"{t}:{idx} does not exist: JAX has {len(devs)} {t} devices")
    return devs[idx]


@functools.cache
def from_jax(jdev) -> device:
    """The torch device naming a jax.Device: JAX's first CPU device is 'cpu', the others 'cpu:N'."""
    t = _TYPE_OF_PLATFORM.get(jdev.platform, jdev.platform)
    local = _local_devices(_PLATFORM.get(t, jdev.platform))
    i = local.index(jdev) if jdev in local else jdev.id
    if t == "cpu":
        return device("cpu") if i == 0 else device("cpu", i)
    return device(t, i)


CPU = device("cpu")


@functools.cache
def traced_device() -> device:
    """What a traced tensor reports as its device: JAX's default device."""
    return from_jax(jax.devices()[0])


# torch.set_default_device's choice, under any `with device(...)` blocks.
_base_default: list = [None]


def default_device() -> device | None:
    return _default_device[-1] if _default_device else _base_default[0]


def set_default_device(d) -> None:
    """torch.set_default_device: where factories put tensors without device= (None: JAX's
    default device)."""
    _base_default[0] = None if d is None else device(d)


def get_default_device() -> device:
    """torch.get_default_device: the device factories use now."""
    d = default_device()
    if d is None:
        return from_jax(jax.devices()[0])
    if d.type == "cuda" and d.index is None:
        return from_jax(to_jax(d))
    return d


def _devices_of(a):
    devs = getattr(a, "devices", None)
    if devs is None or isinstance(a, jax.core.Tracer):
        return None
    ds = devs()
    return next(iter(ds)) if len(ds) == 1 else None


def mixed_devices(err: ValueError, args):
    """Handle JAX's 'incompatible devices' error for an op's ``args``.

    JAX raises it only when committed arrays sit on different devices, so the common
    single-device path pays nothing.  As torch lets a 0-dim CPU tensor join an accelerator
    op, those are moved and the new args returned; otherwise torch's RuntimeError is raised.
    Any other ValueError is re-raised unchanged.
    """
    if "incompatible devices" not in str(err):
        raise err
    found = [(a, _devices_of(a)) for a in args]
    accel = [d for _, d in found if d is not None and d.platform != "cpu"]
    if accel:
        target = accel[0]
        if all(d is None or d == target or (d.platform == "cpu" and a.ndim == 0)
               for a, d in found):
            return [jax.device_put(a, target) if d is not None and d != target else a
                    for a, d in found]
    seen = []
    for _, d in found:
        if d is not None and d not in seen:
            seen.append(d)
    names = " and ".join(str(from_jax(d)) for d in seen[:2]) if len(seen) > 1 else "several"
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                       f"devices, {names}!") from None


def onto(src, dst):
    """``src`` (a jax.Array) on ``dst``'s device when either was placed explicitly and they
    differ: torch's copy_ keeps the destination's device."""
    if isinstance(src, jax.core.Tracer) or isinstance(dst, jax.core.Tracer):
        return src
    if not (getattr(src, "committed", False) or getattr(dst, "committed", False)):
        return src
    if not (hasattr(src, "devices") and hasattr(dst, "devices")):
        return src
    dd = dst.devices()
    if src.devices() == dd or len(dd) != 1:
        return src
    return jax.device_put(src, next(iter(dd)))
