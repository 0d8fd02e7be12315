"""torchlike.masked: masked-out elements take the reduction's identity, as in torch 2.13
(expected values printed by torch)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torchlike as torch
import torchlike.masked as M

X = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
MASK = [[True, False, True], [False, False, False]]


def _x():
    return torch.tensor(X)


def _m():
    return torch.tensor(MASK)


def _eq(t, want):
    np.testing.assert_allclose(np.asarray(t.tolist(), float), np.asarray(want, float),
                               rtol=1e-6, equal_nan=True)


def test_reductions():
    x, m = _x(), _m()
    _eq(M.sum(x, 1, mask=m), [4.0, 0.0])
    _eq(M.mean(x, 1, mask=m), [2.0, math.nan])
    _eq(M.amax(x, 1, mask=m), [3.0, -math.inf])
    a = M.argmax(x, 1, mask=m)
    assert a.dtype == torch.float32 and a.tolist() == [2.0, 0.0]  # torch casts to input dtype
    _eq(M.var(x, 1, mask=m), [2.0, math.nan])
    _eq(M.norm(x, 2.0, 1, mask=m), [3.1622776985168457, 0.0])
    _eq(M.median(x, 1, mask=m), [1.0, math.nan])
    _eq(M.prod(x, 1, mask=m[0]), [3.0, -24.0])  # a mask broadcasts over the input
    r = M.sum(torch.tensor([1, 2, 3], dtype=torch.int8), mask=torch.tensor([True, False, True]))
    assert r.dtype == torch.int64 and r.item() == 4


def test_normalizations():
    x, m = _x(), _m()
    _eq(M.softmax(x, 1, mask=m), [[0.11920291185379028, 0.0, 0.8807970285415649],
                                  [math.nan] * 3])
    _eq(M.cumsum(x, 1, mask=m), [[1.0, 1.0, 4.0], [0.0, 0.0, 0.0]])
    _eq(M.normalize(x, 2.0, 1, mask=m), [[0.3162277638912201, 0.0, 0.9486832618713379],
                                         [0.0, 0.0, 0.0]])


def test_gradients_skip_masked_elements():
    x = _x().requires_grad_()
    (g,) = torch.autograd.grad(M.sum(x, mask=_m()), (x,))
    assert g.tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    (g,) = torch.autograd.grad(M.norm(x, 2.0, 1, mask=_m()).sum(), (x,))
    _eq(g, [[0.3162277638912201, 0.0, 0.9486832618713379], [0.0, 0.0, 0.0]])


def test_errors():
    with pytest.raises(ValueError, match="Could not infer output dtype"):
        M.mean(torch.tensor([1, 2]))
    with pytest.raises(IndexError):
        M.sum(_x(), 2)
    with pytest.raises(ValueError, match="fully masked out rows"):
        M.median(torch.tensor([[1, 2], [3, 4]]), 1, mask=torch.tensor([[True, True],
                                                                        [False, False]]))
