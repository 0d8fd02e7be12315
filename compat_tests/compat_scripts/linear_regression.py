"""Linear regression with nn.Linear, MSELoss and SGD with momentum, for the compat checker.

The weights start from fixed values (not torch's random init) so torch and torchlike begin
at the same point; runs under plain torch.
"""

import torch
from torch import nn

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

for step in range(20):
    opt.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(f"step {step:2d}  loss {loss.item():.6f}")
        check("loss", loss)

check("params", dict(model.named_parameters()))  # with their .grad
check("momentum", [opt.state[p]["momentum_buffer"] for p in model.parameters()])
print("weight:", model.weight.data)
print(model)
