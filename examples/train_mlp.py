"""Train a small MLP classifier on synthetic data: DataLoader, CrossEntropyLoss, Adam, a scheduler.

Written as a PyTorch program (swap the import for ``import torch`` and it runs on torch too).
Three Gaussian blobs in 2-d, a 2-32-32-3 MLP, 8 epochs of mini-batch Adam.
"""

from __future__ import annotations

import torchlike as torch
from torchlike import nn
from torchlike.utils.data import DataLoader, TensorDataset, random_split

try:
    from tqdm import tqdm
except ImportError:  # plain prints without tqdm
    tqdm = None


def make_data(n_per_class: int = 200):
    torch.manual_seed(0)
    centers = torch.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    xs = [c + 0.8 * torch.randn(n_per_class, 2) for c in centers]
    ys = [torch.full((n_per_class,), k, dtype=torch.int64) for k in range(3)]
    return TensorDataset(torch.cat(xs), torch.cat(ys))


class MLP(nn.Module):
    def __init__(self, hidden: int = 32, classes: int = 3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                 nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            loss_sum += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            total += len(y)
    return loss_sum / total, correct / total


def main():
    data = make_data()
    train_set, test_set = random_split(data, [0.8, 0.2], generator=torch.Generator().manual_seed(1))
    train = DataLoader(train_set, batch_size=32, shuffle=True,
                       generator=torch.Generator().manual_seed(2))
    test = DataLoader(test_set, batch_size=120)

    model = MLP()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)

    epochs = 8
    for epoch in range(epochs):
        model.train()
        batches = tqdm(train, desc=f"epoch {epoch}", leave=False) if tqdm else train
        running = 0.0
        for x, y in batches:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            running += loss.item()
        sched.step()
        test_loss, test_acc = evaluate(model, test, loss_fn)
        print(f"epoch {epoch}: train loss {running / len(train):.4f}  test loss {test_loss:.4f}  "
              f"test acc {test_acc:.3f}  lr {sched.get_last_lr()[0]:.4g}")

    test_loss, test_acc = evaluate(model, test, loss_fn)
    print(f"final: test loss {test_loss:.4f}, test accuracy {test_acc:.3f}")
    assert test_acc > 0.85, "the MLP should separate three well-spaced blobs"


if __name__ == "__main__":
    main()
