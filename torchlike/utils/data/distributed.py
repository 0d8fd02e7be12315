"""torch.utils.data.distributed.DistributedSampler: each rank's share of a dataset.

Shuffled orders come from torchlike's generator seeded with ``seed + epoch`` (as torch seeds
its own), so they differ from torch's orders; the unshuffled assignment, padding and
drop_last match torch index for index.
"""

from __future__ import annotations

from collections.abc import Iterator

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """torch.utils.data.distributed.DistributedSampler."""

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from ... import distributed as dist

            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available")
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        n = len(dataset)
        # every rank gets the same count: drop_last cuts the tail, otherwise the order wraps
        per_rank = n // num_replicas if drop_last else -(-n // num_replicas)
        vars(self).update(dataset=dataset, num_replicas=num_replicas, rank=rank, epoch=0,
                          drop_last=drop_last, num_samples=per_rank,
                          total_size=per_rank * num_replicas, shuffle=shuffle, seed=seed)

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            from ... import randperm
            from ..._ops.random import Generator

            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            order = randperm(n, generator=g).tolist()
        else:
            order = list(range(n))
        if n:  # cyclic: the padding repeats the order from its start
            order = (order * -(-self.total_size // n))[:self.total_size]
        return iter(order[self.rank::self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Reseed the shuffle for ``epoch`` (call it before each epoch's iteration)."""
        self.epoch = epoch
