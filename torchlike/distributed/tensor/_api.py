"""DTensor on JAX sharding: a Tensor whose array is laid out over a DeviceMesh.

A DTensor is an ordinary torchlike Tensor holding the *global* value as one sharded
``jax.Array`` (``NamedSharding`` over the mesh's ``jax.sharding.Mesh``), plus the mesh it
belongs to.  Ops run through torchlike's engine unchanged: each kernel is a jitted function
and XLA partitions it and chooses the result's layout; ``placements`` is read back from that
layout, so it is always what the array really is.  Methods and operators called on a DTensor
give DTensors; torchlike.* functions give Tensors holding the same sharded arrays.
"""

from __future__ import annotations

import inspect
import math
import warnings
from typing import Any

import jax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from ..._core.tensor import Tensor, _wrap_dim
from ..._ops.sharding import place
from ...nn.parameter import Parameter
from ..device_mesh import DeviceMesh, init_device_mesh
from .placement_types import Partial, Replicate, Shard

__all__ = ["DTensor", "distribute_tensor", "distribute_module"]

_Tracer = jax.core.Tracer

# The mesh torch would call "current" when none is passed: one dimension over every device
# of JAX's default backend.
_DEFAULT_MESH: list = []


def _default_mesh() -> DeviceMesh:
    if not _DEFAULT_MESH:
        plat = jax.devices()[0].platform
        _DEFAULT_MESH.append(init_device_mesh({"gpu": "cuda"}.get(plat, plat),
                                              (len(jax.devices()),)))
    return _DEFAULT_MESH[0]


# ---------------------------------------------------------------- placements <-> shardings


def _check_placements(placements, mesh: DeviceMesh, ndim: int, what: str) -> tuple:
    if placements is None:
        return (Replicate(),) * mesh.ndim
    placements = tuple(placements)
    if len(placements) != mesh.ndim:
        raise ValueError(
            f"`placements` must have the same length as `device_mesh.ndim`! Found placements "
            f"length: {len(placements)}, and device_mesh.ndim: {mesh.ndim}.")
    out = []
    for p in placements:
        if isinstance(p, Shard):
            out.append(Shard(_wrap_dim(p.dim, ndim)))
        elif isinstance(p, Replicate):
            out.append(p)
        elif isinstance(p, Partial):
            raise NotImplementedError(
                f"{what} to {p}: XLA reduces partial results inside its programs, so "
                "torchlike's DTensors are only Shard or Replicate")
        else:
            raise RuntimeError(f"Trying to distribute tensor with unsupported placements {p}")
    return tuple(out)


def _sharding(mesh: DeviceMesh, placements: tuple, shape: tuple) -> NamedSharding:
    jm = mesh._jax_mesh
    axes = [[] for _ in shape]
    for i, p in enumerate(placements):
        if isinstance(p, Shard):
            axes[p.dim].append(jm.axis_names[i])
    for d, names in enumerate(axes):
        n = math.prod(jm.shape[a] for a in names)
        if shape[d] % n:
            raise NotImplementedError(
                f"Sharding dimension {d} of size {shape[d]} over {n} devices: JAX shards only "
                "evenly (torch would give the last devices smaller pieces); pad the tensor or "
                "choose a mesh that divides it")
    spec = [None if not a else a[0] if len(a) == 1 else tuple(a) for a in axes]
    return NamedSharding(jm, P(*spec))


def _placements_of(arr, mesh: DeviceMesh):
    """The placements an array's layout means on ``mesh``, or None if it is not on it."""
    s = arr.sharding
    jm = mesh._jax_mesh
    if isinstance(s, NamedSharding) and s.mesh == jm:
        out = [Replicate()] * mesh.ndim
        for d, entry in enumerate(s.spec):
            for a in (entry if isinstance(entry, tuple) else (entry,)):
                if a is not None:
                    out[jm.axis_names.index(a)] = Shard(d)
        return tuple(out)
    if s.is_fully_replicated and s.device_set == set(jm.devices.flat):
        return (Replicate(),) * mesh.ndim
    return None


def _adopt(obj: Any, mesh: DeviceMesh, placements: tuple | None = None) -> Any:
    """Make the plain Tensors in ``obj`` whose arrays lie on ``mesh`` DTensors, in place."""
    if type(obj) is Tensor:
        arr = obj._data
        if isinstance(arr, _Tracer) or _placements_of(arr, mesh) is not None:
            obj.__class__ = DTensor
            d = obj.__dict__
            d["_dmesh"] = mesh
            d["_dplacements"] = placements
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            _adopt(o, mesh)
    elif isinstance(obj, dict):
        for o in obj.values():
            _adopt(o, mesh)
    return obj


def _new_dtensor(t: Tensor, mesh: DeviceMesh, placements: tuple) -> DTensor:
    return _adopt(t, mesh, placements)


def _keep_grad_layout(leaf: Tensor) -> None:
    """Lay out the gradients reaching ``leaf`` as ``leaf`` is (torch's DTensor grads have
    their parameter's placements; XLA would otherwise put a gradient computed from a
    single-device cotangent on one device)."""
    sharding = leaf._data.sharding
    leaf.register_hook(lambda g: place(g, sharding))


# ---------------------------------------------------------------- DTensor


class DTensor(Tensor):
    """torch.distributed.tensor.DTensor: made by distribute_tensor, from_local, redistribute
    or an op on DTensors."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any):
        if args or kwargs:
            raise TypeError("DTensor is made by distribute_tensor, DTensor.from_local, "
                            "redistribute or an op on DTensors, not by its constructor")
        return object.__new__(cls)  # copy.deepcopy's blank instance

    @property
    def device_mesh(self) -> DeviceMesh:
        return self.__dict__["_dmesh"]

    @property
    def placements(self) -> tuple:
        arr = self._data
        if isinstance(arr, _Tracer):
            known = self.__dict__.get("_dplacements")
            if known is None:
                raise RuntimeError("DTensor.placements inside a traced program: XLA chooses "
                                   "this layout when it compiles the program")
            return known
        got = _placements_of(arr, self.device_mesh)
        if got is None:
            raise RuntimeError(f"this DTensor's array is no longer laid out on its mesh "
                               f"({arr.sharding})")
        return got

    # -------------------------------------------------------- conversions

    def _local_index(self) -> tuple:
        """The slice of the global value held by this process's first device of the mesh."""
        mesh = self.device_mesh
        pos = mesh._own_position()
        shape = self.shape
        idx = [slice(None)] * len(shape)
        spans = [(0, 1)] * len(shape)  # (flat index among chunks, chunk count) per dim
        for i, p in enumerate(self.placements):
            if isinstance(p, Shard):
                k, n = spans[p.dim]
                spans[p.dim] = (k * mesh.shape[i] + pos[i], n * mesh.shape[i])
        for d, (k, n) in enumerate(spans):
            if n > 1:
                step = shape[d] // n
                idx[d] = slice(k * step, (k + 1) * step)
        return tuple(idx)

    def to_local(self, *, grad_placements: Any = None) -> Tensor:
        """torch DTensor.to_local: the shard this process's first mesh device holds (device 0's
        with one process: what torch's rank 0 gets)."""
        arr = self._data
        if isinstance(arr, _Tracer) or self._requires_grad:
            return Tensor.__getitem__(self, self._local_index())
        dev = self.device_mesh._jax_mesh.devices[self.device_mesh._own_position()]
        for s in arr.addressable_shards:
            if s.device == dev:
                return Tensor._make(s.data, self._dtype)
        raise RuntimeError("to_local: this process holds no shard of the DTensor")

    def full_tensor(self, *, grad_placements: Any = None) -> Tensor:
        """torch DTensor.full_tensor: the whole value, replicated over the mesh (a Tensor)."""
        return place(self, NamedSharding(self.device_mesh._jax_mesh, P()))

    def redistribute(self, device_mesh: DeviceMesh | None = None, placements: Any = None, *,
                     async_op: bool = False, forward_dtype: Any = None,
                     backward_dtype: Any = None) -> DTensor:
        """torch DTensor.redistribute: the same value laid out by new placements (XLA moves
        the data; differentiable)."""
        mesh = device_mesh or self.device_mesh
        if placements is None:
            raise RuntimeError("placements is needed for redistribute!")
        if backward_dtype is not None:
            raise NotImplementedError("DTensor.redistribute(backward_dtype=...): gradients keep "
                                      "the forward dtype in torchlike")
        placements = _check_placements(placements, mesh, self.ndim, "redistribute")
        src = self if forward_dtype is None else self.to(forward_dtype)
        r = place(src, _sharding(mesh, placements, tuple(self.shape)))
        return _new_dtensor(r, mesh, placements)

    @staticmethod
    def from_local(local_tensor: Tensor, device_mesh: DeviceMesh | None = None,
                   placements: Any = None, *, run_check: bool = False, shape: Any = None,
                   stride: Any = None) -> DTensor:
        """torch DTensor.from_local.  One program drives every device here, so the same
        ``local_tensor`` is every device's piece: the global value is its copies laid side by
        side along the Shard dimensions."""
        if isinstance(local_tensor, DTensor):
            raise RuntimeError("the local_tensor argument only accepts torch.Tensor but got "
                               f"{type(local_tensor)} value.")
        mesh = device_mesh or _default_mesh()
        placements = _check_placements(placements, mesh, local_tensor.ndim, "from_local")
        reps = [1] * local_tensor.ndim
        for i, p in enumerate(placements):
            if isinstance(p, Shard):
                reps[p.dim] *= mesh.shape[i]
        whole = local_tensor.repeat(*reps) if any(r > 1 for r in reps) else local_tensor
        if shape is not None and tuple(shape) != tuple(whole.shape):
            raise NotImplementedError(
                f"DTensor.from_local with shape={tuple(shape)}: uneven shards are not supported "
                f"(the even global shape is {tuple(whole.shape)})")
        r = place(whole, _sharding(mesh, placements, tuple(whole.shape)))
        return _new_dtensor(r, mesh, placements)

    # -------------------------------------------------------- printing, grads

    def __repr__(self) -> str:
        return (f"DTensor(local_tensor={self.to_local().detach()!r}, "
                f"device_mesh={self.device_mesh!r}, placements={self.placements!r})")

    @property
    def grad(self):
        g = Tensor.grad.__get__(self)
        return g if g is None else _adopt(g, self.device_mesh)

    @grad.setter
    def grad(self, value) -> None:
        Tensor.grad.__set__(self, value)

    @grad.deleter
    def grad(self) -> None:
        Tensor.grad.__delete__(self)


# Methods and operators of a DTensor give DTensors: each Tensor method is wrapped once here to
# mark its tensor results that lie on the mesh (in place: autograd keeps the same objects).
_NOT_WRAPPED = {
    "__new__", "__init__", "__init_subclass__", "__subclasshook__", "__getattribute__",
    "__getattr__", "__setattr__", "__delattr__", "__dir__", "__sizeof__", "__reduce__",
    "__reduce_ex__", "__getstate__", "__setstate__", "__repr__", "__str__", "__format__",
    "__hash__", "__deepcopy__", "__copy__", "__array__", "__jax_array__", "__dlpack__",
    "__dlpack_device__", "__len__", "__bool__", "__float__", "__int__", "__complex__",
    "__index__", "__iter__", "__class_getitem__", "__array_priority__", "jax", "numpy",
    "tolist", "item",
}


def _wrap(fn):
    def method(self, *args, **kwargs):
        return _adopt(fn(self, *args, **kwargs), self.__dict__["_dmesh"])

    method.__name__ = fn.__name__
    method.__qualname__ = "DTensor." + fn.__name__
    method.__doc__ = fn.__doc__
    return method


def _install_methods() -> None:
    for name in dir(Tensor):
        if name in _NOT_WRAPPED or name in DTensor.__dict__ or (
                name.startswith("_") and not name.startswith("__")):
            continue
        fn = inspect.getattr_static(Tensor, name)
        if inspect.isfunction(fn):
            setattr(DTensor, name, _wrap(fn))


_install_methods()


class _DTensorParameter(DTensor, Parameter):
    """An nn.Parameter whose data is laid out over a mesh (torch: a DTensor parameter)."""

    __slots__ = ()


def _adopt_parameter(p: Parameter, mesh: DeviceMesh) -> None:
    p.__class__ = _DTensorParameter
    p.__dict__["_dmesh"] = mesh
    p.__dict__["_dplacements"] = None
    if p.requires_grad and not p.__dict__.get("_dgrad_hooked"):
        _keep_grad_layout(p)
        p.__dict__["_dgrad_hooked"] = True


# ---------------------------------------------------------------- distribute_*


def distribute_tensor(tensor: Tensor, device_mesh: DeviceMesh | None = None,
                      placements: Any = None, *, src_data_rank: int | None = 0) -> DTensor:
    """torch.distributed.tensor.distribute_tensor: ``tensor`` laid out over the mesh (a leaf
    keeping requires_grad, as torch's)."""
    mesh = device_mesh or _default_mesh()
    if not tensor.is_leaf:
        raise RuntimeError("`distribute_tensor` should be used to distribute leaf tensors! but "
                           "found non-leaf tensor!")
    placements = _check_placements(placements, mesh, tensor.ndim, "distribute_tensor")
    if isinstance(tensor, DTensor):
        if tensor.device_mesh != mesh:
            raise ValueError(f"Cannot distribute a DTensor with device mesh {tensor.device_mesh} "
                             f"to a different device mesh {mesh}.")
        if tensor.placements != placements:
            raise ValueError(
                f"Cannot distribute a DTensor with placements {tensor.placements} to a "
                f"different placements {list(placements)}. do you want to call `redistribute` "
                "instead?")
        return tensor
    r = place(tensor.detach(), _sharding(mesh, placements, tuple(tensor.shape)))
    r = _new_dtensor(r, mesh, placements)
    if tensor.requires_grad:
        r.requires_grad_(True)
        _keep_grad_layout(r)
        r.__dict__["_dgrad_hooked"] = True
    return r


def _replicate_params_buffers(m, mesh: DeviceMesh) -> None:
    rep = (Replicate(),) * mesh.ndim
    for p in m._parameters.values():
        if p is None or isinstance(p, DTensor):
            continue
        if _placements_of(p._data, mesh) is None:
            p.data = place(p.detach(), _sharding(mesh, rep, tuple(p.shape)))
        # nn.Parameter(distribute_tensor(...)) or replicated just now: a DTensor parameter,
        # the same object (an optimizer made earlier keeps updating it).
        _adopt_parameter(p, mesh)
    for key, b in list(m._buffers.items()):
        if b is not None and not isinstance(b, DTensor):
            m._buffers[key] = (_adopt(b.detach(), mesh) if _placements_of(b._data, mesh)
                               else distribute_tensor(b.detach(), mesh, rep))


def _hook_fn(fn, kind: str):
    n = len(inspect.signature(fn).parameters)
    if n == 2:
        warnings.warn(f"Deprecating {kind} that takes two arguments (inputs, device_mesh), please "
                      f"use {kind} that takes in (module, inputs, device_mesh) instead!",
                      FutureWarning, stacklevel=3)
    elif n != 3:
        raise ValueError(f"{kind} should take in 3 arguments, but got {n} arguments!")
    return n


def distribute_module(module, device_mesh: DeviceMesh | None = None, partition_fn=None,
                      input_fn=None, output_fn=None):
    """torch.distributed.tensor.distribute_module: parameters laid out by ``partition_fn``
    (replicated otherwise), ``input_fn``/``output_fn`` installed as forward hooks."""
    if getattr(module, "_distribute_module_applied", False):
        raise RuntimeError("distribute_module should only be called once on a module, but it "
                           "has already been called on this module!")
    mesh = device_mesh or _default_mesh()
    if partition_fn is None:
        for sub in module.modules():
            _replicate_params_buffers(sub, mesh)
    else:
        for name, sub in module.named_modules():
            partition_fn(name, sub, mesh)
            _replicate_params_buffers(sub, mesh)
    if input_fn is not None:
        if _hook_fn(input_fn, "input_fn") == 2:
            module.register_forward_pre_hook(lambda _, inputs: input_fn(inputs, mesh))
        else:
            module.register_forward_pre_hook(lambda mod, inputs: input_fn(mod, inputs, mesh))
    if output_fn is not None:
        if _hook_fn(output_fn, "output_fn") == 2:
            module.register_forward_hook(lambda mod, inputs, out: output_fn(out, mesh))
        else:
            module.register_forward_hook(lambda mod, inputs, out: output_fn(mod, out, mesh))
    else:
        # torch's outputs are DTensors because every op on DTensors gives one; here the
        # functional ops inside forward give plain Tensors on the mesh: mark them.
        module.register_forward_hook(lambda mod, inputs, out: _adopt(out, mesh))
    module._distribute_module_applied = True
    return module


# ---------------------------------------------------------------- factories


def _factory(make):
    def build(*size, requires_grad: bool = False, dtype: Any = None, layout: Any = None,
              device_mesh: DeviceMesh | None = None, placements: Any = None, **kw) -> DTensor:
        t = make(*size, dtype=dtype, **kw)
        if requires_grad:
            t.requires_grad_(True)
        return distribute_tensor(t, device_mesh, placements)

    return build


def _torch():
    from ... import empty, full, ones, rand, randn, zeros

    return empty, full, ones, rand, randn, zeros


def ones(*size, **kwargs) -> DTensor:
    """torch.distributed.tensor.ones."""
    return _factory(_torch()[2])(*size, **kwargs)


def zeros(*size, **kwargs) -> DTensor:
    """torch.distributed.tensor.zeros."""
    return _factory(_torch()[5])(*size, **kwargs)


def empty(*size, **kwargs) -> DTensor:
    """torch.distributed.tensor.empty."""
    return _factory(_torch()[0])(*size, **kwargs)


def rand(*size, **kwargs) -> DTensor:
    """torch.distributed.tensor.rand (torchlike's random stream, laid out after drawing)."""
    return _factory(_torch()[3])(*size, **kwargs)


def randn(*size, **kwargs) -> DTensor:
    """torch.distributed.tensor.randn (torchlike's random stream, laid out after drawing)."""
    return _factory(_torch()[4])(*size, **kwargs)


def full(size, fill_value, *, requires_grad: bool = False, dtype: Any = None,
         layout: Any = None, device_mesh: DeviceMesh | None = None,
         placements: Any = None) -> DTensor:
    """torch.distributed.tensor.full."""
    t = _torch()[1](size, fill_value, dtype=dtype)
    if requires_grad:
        t.requires_grad_(True)
    return distribute_tensor(t, device_mesh, placements)

