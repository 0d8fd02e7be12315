"""A deterministic torch program for the compat checker: ops, dtypes, autograd, printing.

Runs under plain torch; ``record``/``verify`` (torchlike.testing.compat) compare what it
checks and prints. No random numbers: torch's and torchlike's random streams differ.
"""

import torch

try:
    from torchlike.testing.compat import check
except ImportError:  # plain torch without torchlike: checks do nothing
    def check(name, value, **tolerances):
        return value

x = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 7
print("x =", x)
check("softmax", torch.softmax(x, dim=1))
top = x.max(dim=1)
check("max", {"values": top.values, "indices": top.indices, "numel": x.numel()})
check("sorted", torch.sort(-x[1]))
i = torch.arange(10)
check("ints", (i // 3, i % 4, i.cumsum(0), (i > 4).sum().item(), i.dtype))
print("int division:", i // 3)
print("mean:", x.mean().item(), "std:", f"{x.std().item():.6f}")

w = torch.linspace(-1.0, 1.0, 4, requires_grad=True)
y = (torch.sin(x @ w) * 2 + w.pow(2).sum()).sum()
y.backward()
check("w", w)  # w requires grad: w.grad is compared too
check("y", y.item())
print("y:", y)
print("grad:", w.grad)
