"""LeNet on MNIST (§23): torchvision datasets and transforms, a 2-worker DataLoader, a tqdm
progress bar, per-epoch test accuracy and a loss plot -- written for torch, run on torchlike.

    python examples/train_mnist.py [--data DIR] [--epochs N] [--workers N] [--plot PNG]

MNIST is read from ``DIR/MNIST/raw`` (torchvision's layout: the four idx files) when it is
there.  Otherwise a small stand-in set is written in the same idx format to a temporary
directory (strokes whose position and angle depend on the class, so LeNet has something to
learn) and read back by the same ``datasets.MNIST``.  tqdm and matplotlib are optional.
"""

from __future__ import annotations

import argparse
import os
import struct
import tempfile

import numpy as np

import torchlike as torch
import torchlike.nn as nn
import torchlike.nn.functional as F
import torchlike.vision as torchvision
from torchlike.utils.data import DataLoader
from torchlike.vision import transforms


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def _write_idx(path: str, array: np.ndarray) -> None:
    # idx: magic (0, 0, dtype code 0x08 = ubyte, ndim), big-endian sizes, then the bytes
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 8, array.ndim))
        f.write(struct.pack(f">{array.ndim}I", *array.shape))
        f.write(array.astype(np.uint8).tobytes())


def write_small_mnist(root: str, n_train: int = 512, n_test: int = 128, seed: int = 0) -> None:
    """A stand-in MNIST in torchvision's raw layout: one stroke per image, placed by class."""
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    yy, xx = np.mgrid[0:28, 0:28]
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n)
        angle = labels * np.pi / 10 + rng.normal(0, 0.05, n)
        cy, cx = 14 + rng.normal(0, 1.0, (2, n))
        dist = np.abs((yy[None] - cy[:, None, None]) * np.cos(angle)[:, None, None]
                      - (xx[None] - cx[:, None, None]) * np.sin(angle)[:, None, None])
        images = np.clip(255 * (1.5 - dist), 0, 255) * (np.hypot(yy[None] - 14, xx[None] - 14)
                                                         < 4 + labels[:, None, None] % 5 * 2)
        _write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte"), images)
        _write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte"), labels)


def _progress(it, desc):
    try:
        from tqdm import tqdm
    except ImportError:
        return it
    return tqdm(it, desc=desc, leave=False, mininterval=1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--plot", default=os.path.join(tempfile.gettempdir(), "mnist_loss.png"))
    args = ap.parse_args()

    torch.manual_seed(0)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    root = args.data
    try:
        train = torchvision.datasets.MNIST(root, train=True, transform=tf)
    except RuntimeError:  # "Dataset not found": use the stand-in set
        root = tempfile.mkdtemp(prefix="mnist-small-")
        write_small_mnist(root)
        train = torchvision.datasets.MNIST(root, train=True, transform=tf)
        print(f"MNIST not found under {args.data!r}: using a small stand-in set in {root}")
    test = torchvision.datasets.MNIST(root, train=False, transform=tf)
    print(train)
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True,
                        num_workers=args.workers, persistent_workers=args.workers > 0)
    test_loader = DataLoader(test, batch_size=256)

    model = LeNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for epoch in range(args.epochs):
        model.train()
        for x, y in _progress(loader, f"epoch {epoch}"):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(f"epoch {epoch}: last loss {losses[-1]:.4f}, "
              f"test accuracy {correct / len(test):.3f}")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.plot(losses)
    plt.xlabel("step")
    plt.ylabel("cross-entropy")
    plt.savefig(args.plot)
    print(f"loss curve saved to {args.plot}")


if __name__ == "__main__":
    main()
