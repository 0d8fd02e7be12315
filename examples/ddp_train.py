"""Train a small regression model with DistributedDataParallel over several processes.

Run with torchlike's launcher (torchrun's interface), 2 CPU processes on this machine:

    python -m torchlike.distributed.run --nproc-per-node 2 examples/ddp_train.py

Run directly (``python examples/ddp_train.py``) it launches itself that way on a free port.
Each process trains on its DistributedSampler share of the data; DDP averages the gradients
after every backward(), so every rank ends with the same weights as one process trained on
the whole batch.  The same script runs unchanged under torch's torchrun.
"""

import os
import subprocess
import sys

if __name__ == "__main__" and "RANK" not in os.environ:
    # not started by a launcher: start 2 ranks through torchlike's (torchrun's) launcher
    sys.exit(subprocess.call([sys.executable, "-m", "torchlike.distributed.run", "--standalone",
                              "--nproc-per-node", "2", __file__]))

import torchlike as torch  # noqa: E402
import torchlike.distributed as dist  # noqa: E402
from torchlike import nn  # noqa: E402
from torchlike.nn.parallel import DistributedDataParallel as DDP  # noqa: E402
from torchlike.utils.data import DataLoader, TensorDataset  # noqa: E402
from torchlike.utils.data.distributed import DistributedSampler  # noqa: E402


def main() -> None:
    dist.init_process_group("gloo")  # reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
    rank, world = dist.get_rank(), dist.get_world_size()

    torch.manual_seed(0)  # the same data on every rank
    x = torch.randn(64, 4)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1
    data = TensorDataset(x, y)
    sampler = DistributedSampler(data, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=16, sampler=sampler)

    torch.manual_seed(rank)  # different initial weights: DDP broadcasts rank 0's
    model = DDP(nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(5):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
        total = loss.detach().clone()
        dist.all_reduce(total, op=dist.ReduceOp.AVG)
        if rank == 0:
            print(f"epoch {epoch}: mean loss over {world} ranks {total.item():.4f}")

    # every rank holds the same weights
    w = model.module.weight.detach().clone()
    gathered = [torch.zeros_like(w) for _ in range(world)]
    dist.all_gather(gathered, w)
    assert all(torch.equal(g, gathered[0]) for g in gathered)
    if rank == 0:
        print("weights", [round(v, 3) for v in w.flatten().tolist()])
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
