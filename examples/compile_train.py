"""The tutorial's MLP trained twice from the same start: eagerly, then with torchlike.compile.

Written as a PyTorch program (with ``import torch`` it is torch code).  The whole training
step (zero_grad, forward, loss, backward, Adam step) becomes one XLA program; the scheduler
changes the learning rate between epochs without recompiling.  Both runs print the same
losses; the wall time of each is printed at the end.
"""

from __future__ import annotations

import time

import torchlike as torch
from torchlike import nn
from torchlike.utils.data import DataLoader, TensorDataset


def make_data(n_per_class: int = 200):
    torch.manual_seed(0)
    centers = torch.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    xs = [c + 0.8 * torch.randn(n_per_class, 2) for c in centers]
    ys = [torch.full((n_per_class,), k, dtype=torch.int64) for k in range(3)]
    return TensorDataset(torch.cat(xs), torch.cat(ys))


def train(compiled: bool, epochs: int = 6):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 3))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loader = DataLoader(make_data(), batch_size=40, shuffle=True, drop_last=True,
                        generator=torch.Generator().manual_seed(2))

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    if compiled:
        step = torch.compile(step)
    losses = []
    start = time.perf_counter()
    for _ in range(epochs):
        total = torch.zeros(())
        for x, y in loader:
            total += step(x, y).detach()
        losses.append(total.item() / len(loader))
        sched.step()
    return losses, time.perf_counter() - start


def main():
    eager, t_eager = train(compiled=False)
    comp, t_comp = train(compiled=True)
    for epoch, (a, b) in enumerate(zip(eager, comp, strict=True)):
        print(f"epoch {epoch}: eager loss {a:.6f}   compiled loss {b:.6f}")
    worst = max(abs(a - b) for a, b in zip(eager, comp, strict=True))
    print(f"largest difference: {worst:.2e}")
    print(f"wall time: eager {t_eager:.2f} s, compiled {t_comp:.2f} s "
          "(compiled includes tracing and compiling the step)")
    assert worst < 1e-4, "compiled training diverged from eager"


if __name__ == "__main__":
    main()
