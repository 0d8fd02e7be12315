"""torch.distributed.distributed_c10d: process groups and collectives on JAX's runtime.

Every collective is one jitted program over a Mesh with one device per process: each rank's
tensor becomes its shard of a global (world_size, ...) array and XLA inserts the transport
(gloo on CPU, NCCL on GPU).  No sockets are written here.
"""

from __future__ import annotations

import datetime
import enum
import os
import socket

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from .._core import views as _views
from .._core.tensor import Tensor

_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")
_DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)


class RedOpType(enum.Enum):
    """torch.distributed.ReduceOp.RedOpType."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9

    def __repr__(self) -> str:
        return f"<RedOpType.{self.name}: {self.value}>"


class ReduceOp:
    """torch.distributed.ReduceOp."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM
    UNUSED = RedOpType.UNUSED


class Backend(str):
    """torch.distributed.Backend: a validated, lower-cased backend name."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {name}")
        value = name.lower()
        if value not in ("gloo", "nccl", "mpi", "undefined"):
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)


def _reduce(op, x, n: int):
    """Reduce the stacked per-rank values ``x`` over axis 0 with torch's ReduceOp ``op``."""
    dt = x.dtype
    if op is RedOpType.SUM:
        return jnp.sum(x, 0, dtype=dt)
    if op is RedOpType.AVG:
        return (jnp.sum(x, 0, dtype=dt) / n).astype(dt)
    if op is RedOpType.PRODUCT:
        return jnp.prod(x, 0, dtype=dt)
    if op is RedOpType.MIN:
        return jnp.min(x, 0)
    if op is RedOpType.MAX:
        return jnp.max(x, 0)
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR):
        if not (jnp.issubdtype(dt, jnp.integer) or dt == jnp.bool_):
            raise RuntimeError(f"Cannot use ReduceOp.{op.name} with non-integral dtype")
        fn = {RedOpType.BAND: jnp.bitwise_and, RedOpType.BOR: jnp.bitwise_or,
              RedOpType.BXOR: jnp.bitwise_xor}[op]
        out = x[0]
        for i in range(1, n):
            out = fn(out, x[i])
        return out
    raise NotImplementedError(f"ReduceOp.{op.name} is not supported by torchlike.distributed")


class ProcessGroup:
    """torch.distributed.ProcessGroup: the world of processes and the mesh its collectives use."""

    def __init__(self, backend: str, rank: int, size: int, device, mesh: Mesh):
        self._backend = backend
        self._rank = rank
        self._size = size
        self._device = device
        self._mesh = mesh
        self._stacked = NamedSharding(mesh, P("rank"))
        self._programs: dict = {}

    def rank(self) -> int:
        return self._rank

    def size(self) -> int:
        return self._size

    def name(self) -> str:
        return self._backend

    def __repr__(self) -> str:
        return f"ProcessGroup(backend={self._backend!r}, rank={self._rank}, size={self._size})"

    # -- the machinery every collective shares

    def _program(self, key, make, out_spec):
        k = self._programs.get(key)
        if k is None:
            k = self._programs[key] = _Collective(
                key[0], jax.jit(make(), out_shardings=NamedSharding(self._mesh, out_spec)))
        return k

    def _global(self, arr):
        """This rank's array as its row of a (world_size, ...) array spanning the processes."""
        if isinstance(arr, jax.core.Tracer):
            raise RuntimeError("torchlike.distributed collectives cannot run inside "
                               "torchlike.compile: call them outside the compiled function")
        arr = jax.device_put(arr, self._device)
        return jax.make_array_from_single_device_arrays(
            (self._size,) + arr.shape, self._stacked, [arr[None]])


class _Collective:
    """A jitted collective whose transport failures surface as torch's RuntimeError."""

    __slots__ = ("fn", "name")

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __call__(self, g):
        try:
            return self.fn(g)
        except (ValueError, RuntimeError) as e:
            if "Gloo" not in str(e) and "NCCL" not in str(e) and "UNAVAILABLE" not in str(e):
                raise
            raise RuntimeError(f"{self.name} failed: the transport to another rank broke (did a "
                               f"rank exit or crash?): {e}") from None


_STATE: dict = {"pg": None, "jax_dist": False}


class _WorldMeta(type):
    @property
    def WORLD(cls):  # noqa: N802 - torch's name
        return _STATE["pg"]


class GroupMember(metaclass=_WorldMeta):
    """torch.distributed.GroupMember: ``GroupMember.WORLD`` is the default group."""

    NON_GROUP_MEMBER = -100


class group(metaclass=_WorldMeta):  # noqa: N801 - torch's name
    """torch.distributed.group: ``group.WORLD`` is the default group."""


def _pg(group=None) -> ProcessGroup:
    pg = _STATE["pg"]
    if pg is None:
        raise ValueError(_NOT_INIT)
    if group is not None and group is not pg:
        raise NotImplementedError("torchlike.distributed supports only the world group")
    return pg


class Work:
    """torch.distributed.Work: the handle an ``async_op=True`` collective returns."""

    def __init__(self, arrays, tensors=()):
        self._arrays = arrays
        self._tensors = list(tensors)

    def wait(self, timeout=None) -> bool:
        jax.block_until_ready(self._arrays)
        return True

    def is_completed(self) -> bool:
        return all(a.is_ready() for a in jax.tree_util.tree_leaves(self._arrays))

    def is_success(self) -> bool:
        return self.is_completed()

    def exception(self):
        return None

    def result(self) -> list:
        self.wait()
        return self._tensors

    def synchronize(self) -> None:
        self.wait()

    def get_future(self):
        from concurrent.futures import Future

        self.wait()
        fut: Future = Future()
        fut.set_result(self._tensors)
        return fut


def _done(async_op: bool, arrays, tensors=()):
    return Work(arrays, tensors) if async_op else None


# ---------------------------------------------------------------------------- setup


def is_available() -> bool:
    """torch.distributed.is_available."""
    return True


def is_initialized() -> bool:
    """torch.distributed.is_initialized."""
    return _STATE["pg"] is not None


def is_gloo_available() -> bool:
    """torch.distributed.is_gloo_available."""
    return True


def is_nccl_available() -> bool:
    """torch.distributed.is_nccl_available (whether JAX sees a GPU)."""
    try:
        return bool(jax.devices("gpu"))
    except RuntimeError:
        return False


def is_mpi_available() -> bool:
    """torch.distributed.is_mpi_available."""
    return False


def is_torchelastic_launched() -> bool:
    """torch.distributed.is_torchelastic_launched."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def _env(name: str) -> str:
    v = os.environ.get(name)
    if v is None:
        raise ValueError("Error initializing torch.distributed using env:// rendezvous: "
                         f"environment variable {name} expected, but not set")
    return v


def _check_port_free(host: str, port: int) -> None:
    # JAX's coordinator crashes the process (no exception) when its port is taken: check first.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("", port))
    except OSError as e:
        raise RuntimeError(
            f"The server socket has failed to listen on any local network address. port: {port}, "
            f"host: {host}: address already in use ({e.strerror}); pick another MASTER_PORT"
        ) from None
    finally:
        s.close()


def _backend_started() -> bool:
    from jax._src import xla_bridge

    return bool(xla_bridge._backends)


def _restart_backend() -> None:
    # JAX's multi-process runtime must start before its backend, but torch programs may build
    # tensors (a model) first.  Drop the started backend: arrays made on it stay readable and
    # move to the new devices on their next use; torchlike's device tables are rebuilt.
    import jax.extend.backend

    from .._core import device as _device

    jax.extend.backend.clear_backends()
    _device._jax_devices.cache_clear()
    _device.from_jax.cache_clear()


def init_process_group(backend=None, init_method=None, timeout=None, world_size: int = -1,
                       rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """torch.distributed.init_process_group on jax.distributed.initialize."""
    if _STATE["pg"] is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if store is not None:
        raise NotImplementedError("torchlike.distributed rendezvous through JAX's coordinator; "
                                  "pass init_method (env:// or tcp://host:port), not a store")
    if backend is None:
        backend = "gloo"
    elif isinstance(backend, str) and ":" in backend:  # "cpu:gloo,cuda:nccl"
        backend = "nccl" if "cuda:nccl" in backend and is_nccl_available() else "gloo"
    backend = Backend(backend)
    if backend not in ("gloo", "nccl"):
        raise NotImplementedError(f"backend {backend!r}: torchlike.distributed supports 'gloo' "
                                  "(CPU) and 'nccl' (GPU) through JAX's runtime")
    if init_method is None:
        init_method = "env://"
    if init_method.startswith("env://"):
        if rank == -1:
            rank = int(_env("RANK"))
        if world_size == -1:
            world_size = int(_env("WORLD_SIZE"))
        addr, port = _env("MASTER_ADDR"), int(_env("MASTER_PORT"))
    elif init_method.startswith("tcp://"):
        if rank == -1:
            raise ValueError("rank parameter missing")
        if world_size == -1:
            raise ValueError("world_size parameter missing")
        addr, _, port = init_method[len("tcp://"):].split("/")[0].rpartition(":")
        port = int(port)
    else:
        raise NotImplementedError(f"init_method {init_method!r}: torchlike.distributed supports "
                                  "'env://' and 'tcp://host:port'")
    rank, world_size = int(rank), int(world_size)
    if world_size < 1:
        raise ValueError(f"world_size must be positive, got {world_size}")
    if not 0 <= rank < world_size:
        raise ValueError(f"Invalid rank {rank}: expected 0 <= rank < world_size ({world_size})")
    if timeout is None:
        timeout = _DEFAULT_TIMEOUT
    secs = max(1, int(timeout.total_seconds() if hasattr(timeout, "total_seconds") else timeout))
    platform = "gpu" if backend == "nccl" else "cpu"
    if world_size > 1 and not _STATE["jax_dist"]:
        if _backend_started():
            _restart_backend()
        if platform == "cpu":
            jax.config.update("jax_cpu_collectives_implementation", "gloo")
        if rank == 0:
            _check_port_free(addr, port)
        local = None
        if platform == "gpu":
            local = [int(device_id.index if hasattr(device_id, "index") else device_id)
                     if device_id is not None else int(os.environ.get("LOCAL_RANK", 0))]
        try:
            jax.distributed.initialize(f"{addr}:{port}", num_processes=world_size,
                                       process_id=rank, local_device_ids=local,
                                       initialization_timeout=secs,
                                       heartbeat_timeout_seconds=min(secs, 100))
        except Exception as e:  # JAX raises several kinds; torch raises a RuntimeError subclass
            raise RuntimeError(
                f"init_process_group: rank {rank} of {world_size} could not reach the other "
                f"processes at {addr}:{port} within {secs} s ({type(e).__name__}: {e})") from e
        _STATE["jax_dist"] = True
    if platform == "gpu" and not is_nccl_available():
        raise RuntimeError("ProcessGroupNCCL is only supported with GPUs, no GPUs found!")
    devs = jax.devices(platform)
    if world_size > 1 and jax.process_count() != world_size:
        raise RuntimeError(f"world_size {world_size} differs from the {jax.process_count()} "
                           "processes of JAX's runtime")
    per_process = {}
    for d in sorted(devs, key=lambda d: d.id):
        per_process.setdefault(d.process_index, d)
    if world_size > 1:
        mesh_devs = [per_process[p] for p in range(world_size)]
        me = per_process[jax.process_index()]
    else:
        me = jax.local_devices(backend=platform)[0]
        mesh_devs = [me]
    mesh = Mesh(np.array(mesh_devs), ("rank",))
    _STATE["pg"] = ProcessGroup(str(backend), rank, world_size, me, mesh)


def destroy_process_group(group=None) -> None:
    """torch.distributed.destroy_process_group (also shuts JAX's runtime down)."""
    pg = _STATE["pg"]
    if pg is None:
        raise AssertionError("Process group cannot be None")
    _pg(group)
    _STATE["pg"] = None
    if _STATE["jax_dist"]:
        jax.distributed.shutdown()


def get_rank(group=None) -> int:
    """torch.distributed.get_rank."""
    return _pg(group)._rank


def get_world_size(group=None) -> int:
    """torch.distributed.get_world_size."""
    return _pg(group)._size


def get_backend(group=None) -> str:
    """torch.distributed.get_backend."""
    return _pg(group)._backend


def get_process_group_ranks(group) -> list:
    """torch.distributed.get_process_group_ranks."""
    return list(range(_pg(group)._size))


def get_global_rank(group, group_rank: int) -> int:
    """torch.distributed.get_global_rank (the world group maps ranks to themselves)."""
    _pg(group)
    return group_rank


def get_group_rank(group, global_rank: int) -> int:
    """torch.distributed.get_group_rank."""
    _pg(group)
    return global_rank


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None):
    """torch.distributed.new_group: only the world group (every rank, in order) is supported."""
    pg = _pg()
    if ranks is not None and sorted(ranks) != list(range(pg._size)):
        raise NotImplementedError("torchlike.distributed.new_group supports only the world group "
                                  f"(all {pg._size} ranks); got ranks={list(ranks)}")
    return pg


# ---------------------------------------------------------------------------- collectives


def _check(t, name="tensor"):
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor but got {type(t)} instead.")


def _rank_arg(pg, r, name):
    if not 0 <= r < pg._size:
        raise ValueError(f"Invalid {name} rank {r} for a group of size {pg._size}")


def _local(out):
    return out.addressable_data(0)


def _op(op):
    if isinstance(op, RedOpType):
        return op
    raise TypeError(f"op must be a torch.distributed.ReduceOp, got {op!r}")


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """torch.distributed.all_reduce (in place)."""
    _check(tensor)
    pg = _pg(group)
    op = _op(op)
    n = pg._size
    k = pg._program(("all_reduce", op), lambda: lambda g: _reduce(op, g, n), P())
    out = _local(k(pg._global(tensor._data)))
    _views.write(tensor, out)
    return _done(async_op, out, [tensor])


def reduce(tensor, dst: int = 0, op=ReduceOp.SUM, group=None, async_op: bool = False,
           group_dst=None):
    """torch.distributed.reduce (the result lands in ``tensor`` on rank ``dst``)."""
    _check(tensor)
    pg = _pg(group)
    dst = dst if group_dst is None else group_dst
    _rank_arg(pg, dst, "dst")
    op = _op(op)
    n = pg._size
    k = pg._program(("all_reduce", op), lambda: lambda g: _reduce(op, g, n), P())
    out = _local(k(pg._global(tensor._data)))
    if pg._rank == dst:
        _views.write(tensor, out)
    return _done(async_op, out, [tensor])


def broadcast(tensor, src: int = 0, group=None, async_op: bool = False, group_src=None):
    """torch.distributed.broadcast (in place)."""
    _check(tensor)
    pg = _pg(group)
    src = src if group_src is None else group_src
    _rank_arg(pg, src, "src")
    k = pg._program(("broadcast", src), lambda: lambda g: g[src], P())
    out = _local(k(pg._global(tensor._data)))
    if pg._rank != src:
        _views.write(tensor, out)
    return _done(async_op, out, [tensor])


def _gathered(pg, tensor):
    n = pg._size
    k = pg._program(("all_gather",), lambda: lambda g: tuple(g[i] for i in range(n)), P())
    return [_local(o) for o in k(pg._global(tensor._data))]


def _check_list(pg, lst, like, name):
    if not isinstance(lst, (list, tuple)) or len(lst) != pg._size:
        raise ValueError(f"{name} must be a list of {pg._size} tensors (the world size)")
    for t in lst:
        _check(t, name)
        if tuple(t.shape) != tuple(like.shape):
            raise RuntimeError(f"{name}: every tensor must have the input's shape "
                               f"{tuple(like.shape)}, got {tuple(t.shape)}")


def all_gather(tensor_list, tensor, group=None, async_op: bool = False):
    """torch.distributed.all_gather (into a list of world_size tensors)."""
    _check(tensor)
    pg = _pg(group)
    _check_list(pg, tensor_list, tensor, "tensor_list")
    outs = _gathered(pg, tensor)
    for t, o in zip(tensor_list, outs, strict=True):
        _views.write(t, o)
    return _done(async_op, outs, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op: bool = False):
    """torch.distributed.all_gather_into_tensor (stacked or concatenated along dim 0)."""
    _check(output_tensor, "output_tensor")
    _check(input_tensor, "input_tensor")
    pg = _pg(group)
    shape = tuple(output_tensor.shape)
    if output_tensor.numel() != pg._size * input_tensor.numel():
        raise ValueError("output tensor size must be equal to world_size times input tensor size")
    k = pg._program(("all_gather_into", shape), lambda: lambda g: g.reshape(shape), P())
    out = _local(k(pg._global(input_tensor._data)))
    _views.write(output_tensor, out)
    return _done(async_op, out, [output_tensor])


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """torch.distributed.reduce_scatter_tensor (rank r gets chunk r of the reduced input)."""
    _check(output, "output")
    _check(input, "input")
    pg = _pg(group)
    op = _op(op)
    n = pg._size
    shape = tuple(output.shape)
    if input.numel() != n * output.numel():
        raise ValueError("input tensor must be the same size as output size times world size")
    k = pg._program(("reduce_scatter", op, shape),
                    lambda: lambda g: _reduce(op, g, n).reshape((n,) + shape), P("rank"))
    out = _local(k(pg._global(input._data)))[0]
    _views.write(output, out)
    return _done(async_op, out, [output])


def gather(tensor, gather_list=None, dst: int = 0, group=None, async_op: bool = False,
           group_dst=None):
    """torch.distributed.gather (into ``gather_list`` on rank ``dst``)."""
    _check(tensor)
    pg = _pg(group)
    dst = dst if group_dst is None else group_dst
    _rank_arg(pg, dst, "dst")
    if pg._rank == dst:
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_list(pg, gather_list, tensor, "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                         "ranks.")
    outs = _gathered(pg, tensor)
    if pg._rank == dst:
        for t, o in zip(gather_list, outs, strict=True):
            _views.write(t, o)
    return _done(async_op, outs, gather_list or [])


def scatter(tensor, scatter_list=None, src: int = 0, group=None, async_op: bool = False,
            group_src=None):
    """torch.distributed.scatter (rank r receives ``scatter_list[r]`` of rank ``src``)."""
    _check(tensor)
    pg = _pg(group)
    src = src if group_src is None else group_src
    _rank_arg(pg, src, "src")
    n = pg._size
    if pg._rank == src:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list(pg, scatter_list, tensor, "scatter_list")
        rows = jnp.stack([t._data for t in scatter_list]).astype(tensor._dtype.np)
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source "
                             "ranks.")
        rows = jnp.zeros((n,) + tuple(tensor.shape), tensor._dtype.np)
    k = pg._program(("scatter", src), lambda: lambda g: g[src], P("rank"))
    out = _local(k(pg._global(rows)))[0]
    _views.write(tensor, out)
    return _done(async_op, out, [tensor])


def _exchange(pg, rows):
    """rows (world_size, ...) per rank → rank r gets [row r of rank 0, row r of rank 1, ...]."""
    k = pg._program(("all_to_all",), lambda: lambda g: jnp.swapaxes(g, 0, 1), P("rank"))
    return _local(k(pg._global(rows)))[0]


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op: bool = False):
    """torch.distributed.all_to_all (equal shapes only)."""
    pg = _pg(group)
    if not input_tensor_list:
        raise ValueError("input_tensor_list must hold world_size tensors")
    like = input_tensor_list[0]
    _check_list(pg, input_tensor_list, like, "input_tensor_list")
    _check_list(pg, output_tensor_list, like, "output_tensor_list")
    out = _exchange(pg, jnp.stack([t._data for t in input_tensor_list]))
    for i, t in enumerate(output_tensor_list):
        _views.write(t, out[i])
    return _done(async_op, out, output_tensor_list)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op: bool = False):
    """torch.distributed.all_to_all_single (even splits of dim 0 only)."""
    _check(output, "output")
    _check(input, "input")
    pg = _pg(group)
    n = pg._size
    if output_split_sizes is not None or input_split_sizes is not None:
        sizes = {tuple(s) for s in (output_split_sizes, input_split_sizes) if s is not None}
        if any(len(set(s)) > 1 for s in sizes):
            raise NotImplementedError("all_to_all_single with uneven split sizes is not "
                                      "supported: JAX's collectives need equal shapes per rank")
    if input.dim() == 0 or input.shape[0] % n or tuple(input.shape) != tuple(output.shape):
        raise ValueError(f"all_to_all_single needs input and output of one shape whose dim 0 "
                         f"divides by the world size {n}")
    rows = input._data.reshape((n, input.shape[0] // n) + tuple(input.shape[1:]))
    out = _exchange(pg, rows).reshape(tuple(output.shape))
    _views.write(output, out)
    return _done(async_op, out, [output])


def barrier(group=None, async_op: bool = False, device_ids=None):
    """torch.distributed.barrier: a tiny all-reduce every rank waits on."""
    pg = _pg(group)
    k = pg._program(("barrier",), lambda: lambda g: jnp.sum(g), P())
    out = k(pg._global(jnp.zeros((), jnp.int32)))
    if async_op:
        return Work(out)
    out.block_until_ready()
    return None


def monitored_barrier(group=None, timeout=None, wait_all_ranks: bool = False) -> None:
    """torch.distributed.monitored_barrier (JAX's heartbeat reports dead ranks)."""
    barrier(group)


def _p2p(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(
            f"torch.distributed.{name}: JAX's runtime has collectives over a mesh of all the "
            "processes but no point-to-point transfer; use broadcast/scatter/all_to_all")
    fn.__name__ = name
    fn.__doc__ = f"torch.distributed.{name} (not supported: no point-to-point in JAX)."
    return fn


send = _p2p("send")
recv = _p2p("recv")
isend = _p2p("isend")
irecv = _p2p("irecv")
batch_isend_irecv = _p2p("batch_isend_irecv")


def broadcast_object_list(object_list, src: int = 0, group=None, device=None, group_src=None):
    """torch.distributed.broadcast_object_list (pickled through two broadcasts)."""
    import pickle

    pg = _pg(group)
    src = src if group_src is None else group_src
    from .._core.tensor import Tensor as _T

    if pg._rank == src:
        data = np.frombuffer(pickle.dumps(list(object_list)), np.uint8)
    else:
        data = np.zeros(0, np.uint8)
    size = _T._make(jnp.asarray([data.size], jnp.int64))
    broadcast(size, src, group)
    n = int(size._data[0])
    buf = np.zeros(n, np.uint8)
    buf[:data.size] = data
    t = _T._make(jnp.asarray(buf))
    broadcast(t, src, group)
    if pg._rank != src:
        object_list[:] = pickle.loads(np.asarray(t._data).tobytes())


def all_gather_object(object_list, obj, group=None) -> None:
    """torch.distributed.all_gather_object (pickled, padded to the longest)."""
    import pickle

    pg = _pg(group)
    from .._core.tensor import Tensor as _T

    data = np.frombuffer(pickle.dumps(obj), np.uint8)
    sizes = [_T._make(jnp.zeros((1,), jnp.int64)) for _ in range(pg._size)]
    all_gather(sizes, _T._make(jnp.asarray([data.size], jnp.int64)), group)
    m = max(int(s._data[0]) for s in sizes)
    buf = np.zeros(m, np.uint8)
    buf[:data.size] = data
    outs = [_T._make(jnp.zeros((m,), jnp.uint8)) for _ in range(pg._size)]
    all_gather(outs, _T._make(jnp.asarray(buf)), group)
    for i, (s, o) in enumerate(zip(sizes, outs, strict=True)):
        object_list[i] = pickle.loads(np.asarray(o._data)[:int(s._data[0])].tobytes())
