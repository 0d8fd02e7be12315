"""torch.nn basics (the tutorial's §21), written for torch and run on torchlike.

nn.Parameter and register_parameter, ParameterList / ParameterDict, nn.Sequential built
positionally and from an OrderedDict (like a pipeline), nn.ModuleList, Dropout behaving
differently in train and eval mode, and a training loop that saves the state_dict every N
iterations and reloads it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict

import torchlike as torch
from torchlike import nn
from torchlike.nn import functional as F

torch.manual_seed(0)


class Line(nn.Module):
    """y = w * x + b with hand-made parameters."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(1))  # assigned Parameters are registered
        self.register_parameter("b", nn.Parameter(torch.zeros(1)))  # or explicitly
        self.extras = nn.ParameterList([nn.Parameter(torch.ones(2)) for _ in range(2)])
        self.named = nn.ParameterDict({"scale": nn.Parameter(torch.tensor(1.0))})

    def forward(self, x):
        return (self.w * x + self.b) * self.named["scale"]


line = Line()
print("parameters of Line:", [name for name, _ in line.named_parameters()])
print(line.w)

# nn.Sequential: positional, or from an OrderedDict with names.
seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
named_seq = nn.Sequential(OrderedDict([
    ("conv", nn.Conv2d(1, 4, kernel_size=3, padding=1)),
    ("relu", nn.ReLU()),
    ("pool", nn.MaxPool2d(2)),
    ("flatten", nn.Flatten()),
    ("fc", nn.Linear(4 * 4 * 4, 3)),
]))
print(named_seq)
print("conv output:", named_seq.conv(torch.randn(1, 1, 8, 8)).shape)
print("pipeline output:", named_seq(torch.randn(2, 1, 8, 8)).shape)


class Stack(nn.Module):
    """Blocks held in a ModuleList, applied in a Python loop."""

    def __init__(self, width: int, depth: int):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.dropout = nn.Dropout(p=0.1)
        self.head = nn.Linear(width, 1)

    def forward(self, x):
        for block in self.blocks:
            x = self.dropout(F.relu(block(x)))
        return self.head(x)


model = Stack(width=16, depth=3)
print(model)
print("state_dict keys:", list(model.state_dict().keys()))

# Dropout: random zeros (and 1/(1-p) scaling) in train mode, the identity in eval mode.
drop = nn.Dropout(p=0.5)
x = torch.ones(8)
drop.train()
print("dropout train:", drop(x))
drop.eval()
print("dropout eval: ", drop(x))

# A training loop that saves the parameters every N iterations.
xs = torch.randn(256, 16)
ys = xs[:, :1] * 2.0 - xs[:, 1:2] + 0.1 * torch.randn(256, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
save_every, total = 20, 80
ckpt_dir = tempfile.mkdtemp(prefix="nn_basics_")
model.train()
for it in range(1, total + 1):
    idx = torch.randint(0, 256, (32,))
    loss = F.mse_loss(model(xs[idx]), ys[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if it % save_every == 0:
        path = os.path.join(ckpt_dir, f"model_{it:04d}.pt")
        torch.save(model.state_dict(), path)
        print(f"iteration {it}: loss {loss.item():.4f}, saved {os.path.basename(path)}")

# Reload the last checkpoint into a fresh model: same outputs in eval mode.
restored = Stack(width=16, depth=3)
print(restored.load_state_dict(torch.load(os.path.join(ckpt_dir, f"model_{total:04d}.pt"))))
model.eval()
restored.eval()
with torch.no_grad():
    same = torch.allclose(model(xs[:4]), restored(xs[:4]))
print("restored model matches:", same)
print("checkpoints:", sorted(os.listdir(ckpt_dir)))
shutil.rmtree(ckpt_dir)
