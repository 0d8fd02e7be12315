"""torch.distributed.device_mesh: DeviceMesh and init_device_mesh on a ``jax.sharding.Mesh``.

A torch mesh is an n-d array of ranks, one process per device.  torchlike drives the
devices of a mesh from one program (JAX's single controller): the "ranks" of a mesh are the
indices of devices among the backend's devices (``jax.devices(platform)``), and the mesh
wraps a ``Mesh`` whose axis names are the mesh dimension names.  Where torch answers for
"this rank" (``get_local_rank``, ``get_coordinate``, slicing a submesh), torchlike answers
for this process's first device of the mesh (device 0 with one process).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh

from .._core.device import _PLATFORM, _jax_devices

__all__ = ["DeviceMesh", "init_device_mesh"]


def _devices_of(device_type: str) -> tuple:
    platform = _PLATFORM.get(device_type)
    if platform is None:
        raise RuntimeError(f"Unsupported device type {device_type!r} for a DeviceMesh")
    devs = _jax_devices(platform)
    if not devs:
        raise RuntimeError(f"no JAX devices of type '{device_type}' are available")
    return devs


class DeviceMesh:
    """torch.distributed.device_mesh.DeviceMesh(device_type, mesh, *, mesh_dim_names=None)."""

    def __init__(self, device_type: str, mesh: Any, *, mesh_dim_names: tuple | None = None,
                 backend_override: Any = None, _init_backend: bool = True) -> None:
        ranks = np.asarray(mesh.tolist() if hasattr(mesh, "tolist") else mesh, dtype=np.int64)
        if ranks.ndim == 0:
            raise ValueError("DeviceMesh expects a mesh of at least one dimension")
        devs = _devices_of(device_type)
        if ranks.size and (ranks.min() < 0 or ranks.max() >= len(devs)):
            raise RuntimeError(
                f"DeviceMesh {ranks.tolist()} names ranks outside the {len(devs)} "
                f"'{device_type}' devices JAX has")
        if len(np.unique(ranks)) != ranks.size:
            raise RuntimeError(f"DeviceMesh {ranks.tolist()} contains duplicate ranks")
        if mesh_dim_names is not None:
            mesh_dim_names = tuple(mesh_dim_names)
            if len(mesh_dim_names) != ranks.ndim:
                raise RuntimeError(
                    "mesh_dim_names must have same length as the mesh's dimensions! Found "
                    f"{len(mesh_dim_names)} names for a {ranks.ndim}-d mesh.")
            if len(set(mesh_dim_names)) != len(mesh_dim_names):
                raise RuntimeError(
                    f"Each mesh_dim_name must be unique. Found repeated mesh_dim_name in "
                    f"mesh_dim_names {mesh_dim_names}")
        self.device_type = device_type
        self._ranks = ranks
        self._mesh_dim_names = mesh_dim_names
        axis_names = mesh_dim_names or tuple(f"dim_{i}" for i in range(ranks.ndim))
        grid = np.empty(ranks.shape, dtype=object)
        for idx, r in np.ndenumerate(ranks):
            grid[idx] = devs[r]
        self._jax_mesh = Mesh(grid, axis_names)

    # ------------------------------------------------------------ torch API

    @property
    def mesh(self):
        """The ranks as an int32 tensor (torch's dtype here)."""
        from .. import tensor
        from .._core.dtypes import int32

        return tensor(self._ranks.tolist(), dtype=int32)

    @property
    def mesh_dim_names(self) -> tuple | None:
        return self._mesh_dim_names

    @property
    def shape(self) -> tuple:
        return tuple(self._ranks.shape)

    @property
    def ndim(self) -> int:
        return self._ranks.ndim

    def size(self, mesh_dim: int | None = None) -> int:
        """torch DeviceMesh.size: the number of devices, or along one mesh dimension."""
        return self._ranks.size if mesh_dim is None else self._ranks.shape[mesh_dim]

    def _dim(self, mesh_dim: int | str | None) -> int:
        if mesh_dim is None:
            if self.ndim != 1:
                raise RuntimeError(
                    f"Found the DeviceMesh have {self.ndim} dimensions. Optional kwarg `mesh_dim` "
                    "needs to be specified when device_mesh.ndim > 1.")
            return 0
        if isinstance(mesh_dim, str):
            if not self._mesh_dim_names or mesh_dim not in self._mesh_dim_names:
                raise KeyError(f"Mesh dimension '{mesh_dim}' does not exist.",
                               f"Available mesh dimensions are: mesh_dim_names="
                               f"{self._mesh_dim_names}")
            return self._mesh_dim_names.index(mesh_dim)
        return mesh_dim

    def _own_position(self) -> tuple:
        # The mesh coordinate of this process's first device in the mesh.
        me = jax.process_index()
        for idx, d in np.ndenumerate(self._jax_mesh.devices):
            if d.process_index == me:
                return idx
        return ()

    def get_coordinate(self) -> list | None:
        """torch DeviceMesh.get_coordinate: where this process's (first) device sits."""
        pos = self._own_position()
        return list(pos) if pos else None

    def get_local_rank(self, mesh_dim: int | str | None = None) -> int:
        """torch DeviceMesh.get_local_rank: this process's coordinate along ``mesh_dim``."""
        return self._own_position()[self._dim(mesh_dim)]

    def get_rank(self) -> int:
        """torch DeviceMesh.get_rank: this process's rank (0 with one process)."""
        return jax.process_index()

    def get_group(self, mesh_dim: int | str | None = None):
        """torch DeviceMesh.get_group: no process group backs a single-controller mesh."""
        raise NotImplementedError(
            "DeviceMesh.get_group: torchlike's meshes are JAX meshes driven by one program; "
            "collectives over them are inserted by XLA, so there is no per-dimension process "
            "group to return")

    def __getitem__(self, mesh_dim_names: str | tuple) -> DeviceMesh:
        if not self._mesh_dim_names:
            raise RuntimeError("Cannot slice a DeviceMesh without mesh_dim_names!")
        names = (mesh_dim_names,) if isinstance(mesh_dim_names, str) else tuple(mesh_dim_names)
        for n in names:
            if n not in self._mesh_dim_names:
                raise KeyError(f"Invalid mesh_dim_names {names} specified. Valid mesh_dim_names "
                               f"are {list(self._mesh_dim_names)}.")
        if names == self._mesh_dim_names:
            return self
        keep = [self._mesh_dim_names.index(n) for n in names]
        pos = self._own_position() or (0,) * self.ndim
        # The submesh holding this process's device, as torch gives each rank its own slice.
        index = tuple(slice(None) if i in keep else pos[i] for i in range(self.ndim))
        sub = np.transpose(self._ranks[index], np.argsort(np.argsort(keep)))
        return DeviceMesh(self.device_type, sub, mesh_dim_names=names)

    def _stride(self) -> tuple:
        # The step between neighbouring ranks along each dimension (a submesh keeps its
        # parent's steps, as torch's layouts do).
        r, shape = self._ranks, self.shape
        out = []
        for i in range(len(shape)):
            if shape[i] > 1:
                out.append(int(r.take(1, axis=i).flat[0] - r.take(0, axis=i).flat[0]))
            else:
                out.append(math.prod(shape[i + 1:]))
        return tuple(out)

    def __repr__(self) -> str:
        if self._mesh_dim_names:
            dims = ", ".join(f"{n}={s}" for n, s in zip(self._mesh_dim_names, self.shape,
                                                        strict=True))
            shape = f"({dims})"
        else:
            shape = str(self.shape)
        return f"DeviceMesh({shape}, '{self.device_type}', stride={self._stride()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeviceMesh):
            return False
        return (self.device_type == other.device_type and self._ranks.shape == other._ranks.shape
                and bool((self._ranks == other._ranks).all())
                and self._mesh_dim_names == other._mesh_dim_names)

    def __hash__(self) -> int:
        return hash((self.device_type, self._ranks.tobytes(), self._ranks.shape,
                     self._mesh_dim_names))


def init_device_mesh(device_type: str, mesh_shape: tuple, *,
                     mesh_dim_names: tuple | None = None,
                     backend_override: Any = None) -> DeviceMesh:
    """torch.distributed.device_mesh.init_device_mesh over the first prod(mesh_shape) devices
    of the backend."""
    mesh_shape = tuple(mesh_shape)
    if mesh_dim_names is not None:
        if len(set(mesh_dim_names)) != len(mesh_dim_names):
            raise RuntimeError(
                "Each mesh_dim_name must be unique. "
                f"Found repeated mesh_dim_name in mesh_dim_names {mesh_dim_names}",
            )
        if len(mesh_shape) != len(mesh_dim_names):
            raise RuntimeError(
                "mesh_shape and mesh_dim_names should have same length! "
                f"Found len(mesh_dim_names): {len(mesh_dim_names)} and len(mesh_shape):"
                f"{len(mesh_shape)}.",
            )
    if device_type and not device_type.isalpha():
        raise RuntimeError(
            f"Device type with index is not supported but got {device_type}. ",
            "If you maintained a 'torch.device' object, it's recommended to pass in "
            "'device.type'.",
        )
    n = math.prod(mesh_shape)
    devs = _devices_of(device_type)
    if n > len(devs):
        raise RuntimeError(
            f"init_device_mesh: a mesh of shape {mesh_shape} needs {n} devices but JAX has "
            f"{len(devs)} '{device_type}' devices (on CPU, set XLA_FLAGS="
            f"--xla_force_host_platform_device_count={n} before importing jax)")
    return DeviceMesh(device_type, np.arange(n).reshape(mesh_shape),
                      mesh_dim_names=mesh_dim_names)
