"""Checkpointing a training run (the tutorial's §19/§21), written as for PyTorch.

Trains a small regression MLP, saves model and optimizer state every N iterations with
``torch.save`` (torch's own zip checkpoint format: real PyTorch can read these files),
then builds a fresh model and optimizer, loads the last checkpoint and trains on: the loss
continues from where the first run stopped instead of starting over.

Run: python examples/checkpoint.py [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import torchlike as torch
from torchlike import nn

SAVE_EVERY = 25


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))


def train(model, opt, x, y, start: int, steps: int, ckpt_dir: str | None) -> list[float]:
    losses = []
    for it in range(start, start + steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if ckpt_dir is not None and (it + 1) % SAVE_EVERY == 0:
            path = os.path.join(ckpt_dir, f"ckpt_{it + 1:04d}.pt")
            torch.save({"iteration": it + 1, "model": model.state_dict(),
                        "optimizer": opt.state_dict(), "loss": loss.item()}, path)
            print(f"iter {it + 1:4d}  loss {loss.item():.5f}  saved {os.path.basename(path)}")
    return losses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default=None, help="where to keep checkpoints (default: temp)")
    args = parser.parse_args()

    torch.manual_seed(0)
    x = torch.randn(128, 3)
    y = (x @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3).sin()

    with tempfile.TemporaryDirectory() as tmp:
        ckpt_dir = args.dir or tmp
        os.makedirs(ckpt_dir, exist_ok=True)

        model = make_model()
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        first = train(model, opt, x, y, 0, 100, ckpt_dir)

        # A new process would start here: fresh objects, state from the last checkpoint.
        last = sorted(f for f in os.listdir(ckpt_dir) if f.startswith("ckpt_"))[-1]
        state = torch.load(os.path.join(ckpt_dir, last))  # weights_only=True by default
        model2 = make_model()
        opt2 = torch.optim.Adam(model2.parameters(), lr=1e-2)
        model2.load_state_dict(state["model"])
        opt2.load_state_dict(state["optimizer"])
        print(f"resumed from {last} (iteration {state['iteration']}, loss {state['loss']:.5f})")
        with torch.no_grad():
            resumed_loss = nn.functional.mse_loss(model2(x), y).item()
        print(f"loss of the reloaded model: {resumed_loss:.5f}  (first run ended at "
              f"{first[-1]:.5f}, started at {first[0]:.5f})")
        second = train(model2, opt2, x, y, state["iteration"], 50, None)
        print(f"after 50 more iterations: loss {second[-1]:.5f}")
        # Resuming continues the run: no jump back up to the untrained loss.
        assert resumed_loss < first[0] / 2 and second[-1] < resumed_loss


if __name__ == "__main__":
    main()
