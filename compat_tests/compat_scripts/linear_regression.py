"""Linear regression (nn.Linear, MSELoss, SGD with momentum, a DataLoader) for the compat checker.

The weights start from fixed values (not torch's random init) so torch and torchlike begin
at the same point; runs under plain torch.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

try:
    from torchlike.testing.compat import check
except ImportError:  # plain torch without torchlike: checks do nothing
    def check(name, value, **tolerances):
        return value

X = torch.linspace(-2.0, 2.0, 24).reshape(8, 3)
y = X @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.25

model = nn.Linear(3, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3]]))
    model.bias.fill_(0.0)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.MSELoss()

loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=False)
for epoch in range(10):
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    if epoch % 3 == 0:
        print(f"epoch {epoch}  loss {loss.item():.6f}")
        check("loss", loss)

check("params", dict(model.named_parameters()))  # with their .grad
check("momentum", [opt.state[p]["momentum_buffer"] for p in model.parameters()])
print("weight:", model.weight.data)
print(model)
