"""A tour of the tutorial's sections 12-17 (clipping, indexing, joining, slicing, reshaping,
filling), written as ordinary PyTorch code.

torchlike runs it unchanged; swap the import for ``import torch`` and real PyTorch prints
the same thing.  Run from a clone's root: ``python examples/tour.py``.
"""

import torchlike as torch


def section(title):
    print()
    print(f"== {title} ==")


# ----------------------------------------------------------------------------- §12 clipping
section("12 clamp: keep values inside [2, 10]")
a = torch.arange(0, 15, 2)  # tensor([ 0,  2,  4,  6,  8, 10, 12, 14])
print("a =", a)
print("a.clamp(2, 10) =", a.clamp(2, 10))
f = torch.linspace(-1.5, 1.5, 7)
print("clamp(f, min=-1.0, max=1.0) =", torch.clamp(f, min=-1.0, max=1.0))

# ----------------------------------------------------------------------------- §13 indexing
section("13 where: binarise with a threshold")
scores = torch.tensor([[0.1, 0.7, 0.4], [0.9, 0.2, 0.6]])
binary = torch.where(scores > 0.5, torch.ones_like(scores), torch.zeros_like(scores))
print(binary)
print("where(scores > 0.5, 1, 0) =", torch.where(scores > 0.5, 1, 0))

section("13 index_select: rows 0, 3, 2 (the 1st, 4th and 3rd row)")
m = torch.arange(16).view(4, 4)
print(m)
print(torch.index_select(m, 0, torch.tensor([0, 3, 2])))

section("13 gather: index says, per output element, where to read along `dim`")
# For a 3-D input and out = torch.gather(input, dim, index), out has index's shape and
#   dim=0: out[i][j][k] = input[index[i][j][k]][j][k]
#   dim=1: out[i][j][k] = input[i][index[i][j][k]][k]
#   dim=2: out[i][j][k] = input[i][j][index[i][j][k]]
# i.e. the coordinate along `dim` is replaced by the index value; the others are kept.
t = torch.arange(24).view(2, 3, 4)
i0 = torch.tensor([[[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]]])  # [1, 3, 4], values < 2
print("dim=0:", torch.gather(t, 0, i0))
i1 = torch.tensor([[[2, 1, 0, 2]], [[0, 0, 1, 2]]])  # [2, 1, 4], values < 3
print("dim=1:", torch.gather(t, 1, i1))
i2 = torch.tensor([[[3, 0], [1, 1], [2, 0]], [[0, 3], [3, 2], [1, 0]]])  # [2, 3, 2], values < 4
print("dim=2:", torch.gather(t, 2, i2))
# A common use: pick each row's score for its label.
logits = torch.tensor([[0.1, 0.5, 0.4], [0.8, 0.1, 0.1]])
labels = torch.tensor([1, 0])
print("per-row pick:", logits.gather(1, labels.unsqueeze(1)).squeeze(1))

section("13 masked_select: a boolean mask gives a 1-D result")
x = torch.arange(12).view(3, 4)
mask = x % 3 == 0
print(mask)
print(torch.masked_select(x, mask))

section("13 take: index the tensor as if flattened to 1-D")
print(torch.take(x, torch.tensor([0, 5, 11])))

section("13 nonzero: the coordinates of the non-zero elements (a sparse layout)")
sparse = torch.tensor([[0, 0, 3], [0, 4, 0], [5, 0, 0]])
print(torch.nonzero(sparse))
coords = torch.nonzero(sparse, as_tuple=True)
print("as_tuple:", coords)
print("values:", sparse[coords])

# ----------------------------------------------------------------------------- §14 joining
section("14 cat joins along an existing dim, stack makes a new one")
p = torch.arange(6).view(2, 3)
q = torch.arange(6, 12).view(2, 3)
print("cat dim=0:", torch.cat([p, q], dim=0).shape)
print("cat dim=1:", torch.cat([p, q], dim=1))
img_a = torch.zeros(3, 32, 32)
img_b = torch.ones(3, 32, 32)
print("stack dim=0:", torch.stack([img_a, img_b], dim=0).shape)
print("stack dim=-1:", torch.stack([img_a, img_b], dim=-1).shape)
print("stack dim=1:", torch.stack([img_a, img_b], dim=1).shape)

# ----------------------------------------------------------------------------- §15 slicing
section("15 chunk: equal pieces, the last may be smaller")
c = torch.arange(10)
for piece in torch.chunk(c, 3, dim=0):
    print(piece)
print("shapes:", [tuple(piece.shape) for piece in torch.arange(10).view(2, 5).chunk(2, dim=1)])

section("15 split: by a size or by a list of sizes")
print("split 4:", torch.split(c, 4))
print("split [2, 3, 5]:", torch.split(c, [2, 3, 5]))
print("split along dim=1:", [tuple(s.shape) for s in torch.split(torch.zeros(2, 7), 3, dim=1)])

# ----------------------------------------------------------------------------- §16 reshaping
section("16 squeeze, unsqueeze, view, reshape, transpose, permute")
s = torch.arange(6).view(2, 1, 3)
print("s.shape:", s.shape)
print("squeeze:", s.squeeze().shape)
print("squeeze(1):", s.squeeze(1).shape)
print("unsqueeze(0):", s.squeeze(1).unsqueeze(0).shape)
print("unsqueeze(-1):", s.squeeze(1).unsqueeze(-1).shape)
print("view(3, 2):", s.view(3, 2))
print("view(-1):", s.view(-1))
print("reshape(3, -1):", torch.reshape(s, (3, -1)))
tt = s.squeeze(1).transpose(0, 1)
print("transpose(0, 1):", tt)
print("is_contiguous:", tt.is_contiguous())
print("reshape of the transpose:", tt.reshape(6))
b = torch.zeros(2, 3, 4, 5)
print("permute(0, 2, 3, 1):", b.permute(0, 2, 3, 1).shape)

# views share storage with their base, as in torch
base = torch.zeros(2, 3)
base.view(-1)[4] = 7
base.t()[0].add_(1)
print("written through views:", base)

# ----------------------------------------------------------------------------- §17 filling
section("17 full")
print(torch.full((2, 3), 3.14))
print(torch.tensor([[3.14, 3.14, 3.14], [3.14, 3.14, 3.14]]))
print(torch.full((2, 2), 7))
print(torch.full((2, 3), 3.14).dtype, torch.full((2, 2), 7).dtype)
