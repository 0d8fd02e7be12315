"""torch.nn.DataParallel on JAX sharding: one program, the batch split over a device mesh.

torch copies the module to every device, scatters input chunks, runs the replicas in
threads and gathers the outputs.  Here the parameters are laid out replicated over a
one-axis ``jax.sharding.Mesh`` and the inputs are split along ``dim`` with a
``NamedSharding``; every kernel torchlike runs on such arrays is partitioned by XLA, which
inserts the reductions (the gradient all-reduce included).  The output is the whole batch
as one array that stays split over the devices, so a loss computed from it is split too.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from ..._core.device import _PLATFORM, _TYPE_OF_PLATFORM, from_jax
from ..._core.device import device as _device
from ..._core.tensor import Tensor
from ..._ops.sharding import place
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]

_Tracer = jax.core.Tracer


def _backend_devices() -> list:
    """The local devices of JAX's default backend (torch: all visible GPUs)."""
    return list(jax.local_devices())


def _device_index(d: Any, devices: list) -> int:
    """torch's _get_device_index for an entry of ``device_ids``: an int or a device."""
    if isinstance(d, (Tensor, bool)):
        raise ValueError("Expected a torch.device with a specified index or an integer, but "
                         f"got:{d}")
    if isinstance(d, str):
        d = _device(d)
    if isinstance(d, _device):
        if _PLATFORM.get(d.type) != devices[0].platform and not (
                d.type == "cuda" and devices[0].platform == "gpu"):
            raise ValueError(f"Expected a {_TYPE_OF_PLATFORM.get(devices[0].platform)} device, "
                             f"but got: {d}")
        d = 0 if d.index is None else d.index
    if not isinstance(d, int) or not 0 <= d < len(devices):
        raise RuntimeError(f"Invalid device id {d}: {len(devices)} devices are available")
    return d


@functools.cache
def _mesh(devices: tuple) -> Mesh:
    return Mesh(np.array(devices, dtype=object), ("batch",))


class DataParallel(Module):
    """torch.nn.DataParallel(module, device_ids=None, output_device=None, dim=0)."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        devices = _backend_devices()
        self.dim = dim
        self.module = module
        if device_ids is None:
            device_ids = list(range(len(devices)))
        if len(device_ids) == 0:
            raise RuntimeError("no available devices were found")
        self.device_ids = [_device_index(d, devices) for d in device_ids]
        self.output_device = _device_index(
            self.device_ids[0] if output_device is None else output_device, devices)
        self.src_device_obj = from_jax(devices[self.device_ids[0]])
        chosen = tuple(devices[i] for i in self.device_ids)
        if len(chosen) == 1:
            self._mesh = None
            self._replicated = None
            return
        self._mesh = _mesh(chosen)
        self._replicated = NamedSharding(self._mesh, P())
        self._replicate_state()

    # ------------------------------------------------------------ placement

    def _replicate_state(self) -> None:
        rep = self._replicated
        self.module._apply(lambda t: t if t._data.sharding == rep else place(t.detach(), rep))

    def _state_off_mesh(self) -> bool:
        rep = self._replicated
        return any(not isinstance(t._storage.array, _Tracer) and t._storage.array.sharding != rep
                   for t in itertools.chain(self.module.parameters(), self.module.buffers()))

    def _split(self, obj: Any) -> Any:
        """Lay out every tensor in ``obj`` (nested tuples, lists, dicts) split along ``dim``."""
        if isinstance(obj, Tensor):
            n = len(self.device_ids)
            dim = self.dim if self.dim >= 0 else self.dim + obj.dim()
            if 0 <= dim < obj.dim() and obj.shape[dim] % n == 0:
                spec = P(*([None] * dim), "batch")
            else:
                # XLA shards evenly only: a batch the devices do not divide (torch would give
                # the last device a smaller chunk) runs replicated, with the same values.
                spec = P()
            return place(obj, NamedSharding(self._mesh, spec))
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*(self._split(o) for o in obj))
        if isinstance(obj, (tuple, list)):
            return type(obj)(self._split(o) for o in obj)
        if isinstance(obj, dict):
            return type(obj)((k, self._split(v)) for k, v in obj.items())
        return obj

    # ------------------------------------------------------------ torch API

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._mesh is None:
            return self.module(*inputs, **kwargs)
        if self._state_off_mesh():
            # Moved (.to, load_state_dict of committed arrays) since wrapping: replicate again.
            self._replicate_state()
        return self.module(*self._split(inputs), **self._split(kwargs))

    def _apply(self, fn, recurse: bool = True) -> Module:
        super()._apply(fn, recurse)
        if self._mesh is not None:
            self._replicate_state()
        return self


def data_parallel(module: Module, inputs: Any, device_ids=None, output_device=None,
                  dim: int = 0, module_kwargs: Any = None) -> Any:
    """torch.nn.parallel.data_parallel: ``module(*inputs)`` with the batch split over devices.
    """
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if module_kwargs is None:
        module_kwargs = {}
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **module_kwargs)
