"""torch.nn.parallel: DataParallel (device mesh sharding) and DistributedDataParallel."""

from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]

_UNSUPPORTED = ("replicate", "scatter", "gather", "parallel_apply")


def __getattr__(name: str):
    # DistributedDataParallel lives in .distributed (the multi-process runtime); importing it
    # lazily keeps jax.distributed out of programs that only use DataParallel.
    if name == "DistributedDataParallel":
        from .distributed import DistributedDataParallel

        return DistributedDataParallel
    if name in _UNSUPPORTED:
        raise NotImplementedError(
            f"torch.nn.parallel.{name} copies a module per device and runs the copies in "
            "threads; torchlike runs one program whose arrays are sharded over the devices "
            "instead, so it has no per-replica step to expose. Use nn.DataParallel.")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
