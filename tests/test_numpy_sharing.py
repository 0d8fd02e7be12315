"""NumPy memory sharing on CPU: from_numpy / as_tensor / asarray / Tensor.numpy() alias both ways.

Expected values recorded from torch 2.13 (CPU).
"""

import numpy as np
import pytest

import torchlike as torch


def test_tutorial_tensor_to_numpy_and_back():
    # The official "Tensors" tutorial: a change on one side shows on the other.
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    assert n.tolist() == [2.0, 2.0, 2.0, 2.0, 2.0]
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.dtype == torch.float64 and t.tolist() == [2.0, 2.0, 2.0, 2.0, 2.0]


def test_2d_from_numpy_views_and_setitem():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = torch.from_numpy(a)
    t[0, 1] = 10
    assert a.tolist() == [[0.0, 10.0, 2.0], [3.0, 4.0, 5.0]]
    t[:, 2].mul_(2)
    assert a.tolist() == [[0.0, 10.0, 4.0], [3.0, 4.0, 10.0]]
    a[1, 0] = -1
    assert t.tolist() == [[0.0, 10.0, 4.0], [-1.0, 4.0, 10.0]]
    assert t[1].tolist() == [-1.0, 4.0, 10.0]
    assert t.t().tolist() == [[0.0, -1.0], [10.0, 4.0], [4.0, 10.0]]
    nv = t.t().numpy()  # a view of the buffer with torch's strides
    assert nv.strides == (4, 12) and nv.shape == (3, 2)
    assert np.shares_memory(nv, a) and nv.flags.writeable
    nv[0, 1] = 7
    assert t.tolist() == [[0.0, 10.0, 4.0], [7.0, 4.0, 10.0]]
    w = t[1, ::2].numpy()
    assert w.strides == (8,) and w.tolist() == [7.0, 10.0]
    w[:] = 0
    assert t.tolist() == [[0.0, 10.0, 4.0], [0.0, 4.0, 0.0]]


def test_numpy_of_view_and_versions():
    x = torch.zeros(2, 3)
    ny = x[1].numpy()
    ny[1] = 5
    assert x.tolist() == [[0.0, 0.0, 0.0], [0.0, 5.0, 0.0]]
    assert x._version == 0  # NumPy's writes are invisible to autograd, as in torch
    x.add_(1)
    assert ny.tolist() == [1.0, 6.0, 1.0] and x._version == 1
    e = torch.ones(3).expand(2, 3).numpy()
    assert e.strides == (0, 4) and e.flags.writeable
    q = np.asarray(x)
    q[0, 0] = 3
    assert x[0, 0].item() == 3.0


def test_as_tensor_asarray_share_tensor_and_clone_copy():
    a = np.zeros(3)
    t = torch.as_tensor(a)
    a[0] = 1
    assert t.tolist() == [1.0, 0.0, 0.0]
    f = torch.as_tensor(a, dtype=torch.float32)  # another dtype: a copy
    a[1] = 1
    assert f.tolist() == [1.0, 0.0, 0.0]
    s = torch.asarray(a)
    a[2] = 1
    assert s.tolist() == [1.0, 1.0, 1.0]
    c = torch.tensor(a)
    d = torch.from_numpy(a).clone()
    a[0] = 9
    assert c.tolist() == [1.0, 1.0, 1.0] and d.tolist() == [1.0, 1.0, 1.0]
    assert t.tolist() == [9.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="can't alias tensor with dtype 'Double' into dtype"):
        torch.asarray(a, copy=False, dtype=torch.float32)


def test_non_contiguous_array_and_errors():
    a = np.arange(12.0).reshape(3, 4)
    torch.from_numpy(a[:, ::2]).mul_(10)
    assert a.tolist() == [[0.0, 1.0, 20.0, 3.0], [40.0, 5.0, 60.0, 7.0],
                          [80.0, 9.0, 100.0, 11.0]]
    with pytest.raises(ValueError, match="At least one stride in the given numpy array is neg"):
        torch.from_numpy(np.ones(4)[::-1])
    with pytest.raises(TypeError, match=r"expected np.ndarray \(got list\)"):
        torch.from_numpy([1, 2])
    b = np.ones(3)
    t = torch.from_numpy(b)
    with pytest.raises(RuntimeError, match="Trying to resize storage that is not resizable"):
        t.resize_(5)


def test_inplace_on_shared_input_breaks_backward():
    a = np.ones(3, dtype=np.float32)
    t = torch.from_numpy(a)
    w = torch.ones(3, requires_grad=True)
    y = (w * t).sum()
    t.mul_(3)
    assert a.tolist() == [3.0, 3.0, 3.0]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
