"""In-place ops: return self, bump the version counter shared by a base and its views, follow
torch's casting rules, and __setitem__ with every kind of index.  Values checked against torch."""

from __future__ import annotations

import re

import pytest

import torchlike as torch


def raises(exc, match):
    return pytest.raises(exc, match=re.escape(match))


def a34():
    return torch.arange(12.).reshape(3, 4).clone()


def bumped(x, fn):
    """Run fn(x); return (result is x, how many versions it bumped)."""
    v0 = x._version
    r = fn(x)
    return r is x, x._version - v0


# ---------------------------------------------------------------- return self + version


@pytest.mark.parametrize("fn, expected", [
    (lambda x: x.add_(1), [1, 2, 3, 4, 5]),
    (lambda x: x.add_(torch.ones(5), alpha=2), [2, 3, 4, 5, 6]),
    (lambda x: x.sub_(1, alpha=2), [-2, -1, 0, 1, 2]),
    (lambda x: x.add_(1, alpha=2), [2, 3, 4, 5, 6]),
    (lambda x: x.mul_(2), [0, 2, 4, 6, 8]),
    (lambda x: x.div_(2), [0, 0.5, 1, 1.5, 2]),
    (lambda x: x.pow_(2), [0, 1, 4, 9, 16]),
    (lambda x: x.neg_(), [0, -1, -2, -3, -4]),
    (lambda x: x.clamp_(1, 3), [1, 1, 2, 3, 3]),
    (lambda x: x.clamp_(min=2), [2, 2, 2, 3, 4]),
    (lambda x: x.clamp_(max=torch.tensor([1., 1., 1., 1., 1.])), [0, 1, 1, 1, 1]),
    (lambda x: x.zero_(), [0, 0, 0, 0, 0]),
    (lambda x: x.fill_(2.5), [2.5] * 5),
    (lambda x: x.fill_(torch.tensor(3)), [3] * 5),
    (lambda x: x.copy_(torch.tensor([9, 8, 7, 6, 5])), [9, 8, 7, 6, 5]),
    (lambda x: x.masked_fill_(x > 2, -1), [0, 1, 2, -1, -1]),
    (lambda x: x.index_put_((torch.tensor([0, 2]),), torch.tensor([10., 20.])), [10, 1, 20, 3, 4]),
    (lambda x: x.index_put_((torch.tensor([0, 0]),), torch.tensor([10., 20.]), accumulate=True),
     [30, 1, 2, 3, 4]),
    (lambda x: x.scatter_(0, torch.tensor([4, 0]), torch.tensor([7., 8.])), [8, 1, 2, 3, 7]),
], ids=["add_", "add_alpha", "sub_alpha", "add_number_alpha", "mul_", "div_", "pow_", "neg_",
        "clamp_", "clamp_min", "clamp_max_tensor", "zero_", "fill_", "fill_tensor", "copy_",
        "masked_fill_", "index_put_", "index_put_acc", "scatter_"])
def test_inplace_returns_self_and_bumps_version(fn, expected):
    x = torch.arange(5.)
    same, n = bumped(x, fn)
    assert same and n >= 1
    assert x.tolist() == expected
    assert x.dtype == torch.float32


def test_version_shared_by_view_and_base():
    x = torch.ones(2, 3)
    v = x[0]
    v0 = x._version
    v.add_(1)
    assert x._version == v._version == v0 + 1
    x.mul_(2)
    assert v._version == x._version == v0 + 2
    d = x.detach()
    d.zero_()
    assert x._version == d._version == v0 + 3


def test_fresh_tensor_version_zero_and_reads_dont_bump():
    x = torch.zeros(3)
    assert x._version == 0
    _ = x + 1, x[1], x.sum(), x.view(3, 1)
    assert x._version == 0


def test_iadd_keeps_identity():
    x = torch.zeros(3)
    x0 = x
    x += 1
    assert x is x0 and x._version == 1 and x.tolist() == [1, 1, 1]
    x *= 3
    x -= 1
    x /= 2
    assert x is x0 and x._version == 4 and x.tolist() == [1, 1, 1]


def test_iadd_on_view_updates_base():
    x = a34()
    row = x[1]
    row += 100
    assert x[1].tolist() == [104, 105, 106, 107]


def test_fill_int_truncates():
    x = torch.arange(5)
    x.fill_(2.5)
    assert x.tolist() == [2, 2, 2, 2, 2] and x.dtype == torch.int64


def test_copy_broadcasts_and_casts():
    x = torch.zeros(2, 3)
    x.copy_(torch.tensor([1., 2., 3.]))
    assert x.tolist() == [[1, 2, 3], [1, 2, 3]]
    i = torch.zeros(2, 3, dtype=torch.int64)
    i.copy_(torch.full((2, 3), 2.7))
    assert i.tolist() == [[2, 2, 2], [2, 2, 2]] and i.dtype == torch.int64
    with raises(RuntimeError, "The size of tensor a (2) must match the size of tensor b (3) at "
                              "non-singleton dimension 0"):
        torch.zeros(2, 3).copy_(torch.ones(3, 3))
    with raises(RuntimeError, "output with shape [3] doesn't match the broadcast shape [1, 3]"):
        torch.zeros(3).copy_(torch.ones(1, 3))


def test_masked_fill_broadcast_mask():
    x = torch.arange(6.).reshape(2, 3)
    x.masked_fill_(torch.tensor([True, False, True]), 0.5)
    assert x.tolist() == [[0.5, 1, 0.5], [0.5, 4, 0.5]]
    i = torch.arange(5)
    i.masked_fill_(i > 2, 1.5)
    assert i.tolist() == [0, 1, 2, 1, 1]


def test_scatter_variants():
    x = torch.zeros(3, 4)
    assert x.scatter_(1, torch.tensor([[0], [2], [3]]), torch.tensor([[1.], [2.], [3.]])) is x
    assert x.tolist() == [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3]]
    y = torch.zeros(3, 4)
    y.scatter_(0, torch.tensor([[0, 1, 2, 0]]), 5.0)
    assert y.tolist() == [[5, 0, 0, 5], [0, 5, 0, 0], [0, 0, 5, 0]]
    z = torch.ones(3, 4)
    z.scatter_(0, torch.tensor([[0, 1, 2, 0]]), torch.ones(1, 4), reduce="add")
    assert z.tolist() == [[2, 1, 1, 2], [1, 2, 1, 1], [1, 1, 2, 1]]


def test_in_place_under_no_grad_on_leaf():
    x = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        x.add_(1)
    assert x.tolist() == [2, 2, 2] and x._version == 1 and x.requires_grad


def test_in_place_on_leaf_requiring_grad_raises():
    x = torch.ones(3, requires_grad=True)
    with raises(RuntimeError, "a leaf Variable that requires grad is being used in an in-place "
                              "operation."):
        x.add_(1)
    with raises(RuntimeError, "a view of a leaf Variable that requires grad is being used in an "
                              "in-place operation."):
        x[0] = 1


# ---------------------------------------------------------------- dtype rules


def test_int_add_float_raises():
    x = torch.ones(3, dtype=torch.int64)
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        x.add_(1.5)
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        x.mul_(torch.tensor(1.5))
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        x += torch.ones(3)
    with raises(RuntimeError, "result type Float can't be cast to the desired output type Long"):
        x /= 2
    with raises(RuntimeError, "result type Float can't be cast to the desired output type"):
        torch.arange(5).clamp_(0.5, 2.5)
    with raises(RuntimeError, "result type Long can't be cast to the desired output type Bool"):
        torch.ones(3, dtype=torch.bool).add_(1)
    assert x.tolist() == [1, 1, 1] and x._version == 0


def test_inplace_keeps_own_dtype():
    x = torch.ones(3, dtype=torch.float32)
    x += torch.ones(3, dtype=torch.float64)
    assert x.dtype == torch.float32 and x.tolist() == [2, 2, 2]
    i = torch.ones(3, dtype=torch.int32)
    i.add_(torch.ones(3, dtype=torch.int64))
    assert i.dtype == torch.int32 and i.tolist() == [2, 2, 2]
    c = torch.arange(5)
    c.clamp_(1, 3)
    assert c.tolist() == [1, 1, 2, 3, 3] and c.dtype == torch.int64


def test_inplace_broadcast_rules():
    x = torch.ones(2, 3)
    x.add_(torch.ones(3))
    assert x.tolist() == [[2, 2, 2], [2, 2, 2]]
    with raises(RuntimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]"):
        torch.ones(3).add_(torch.ones(2, 3))


# ---------------------------------------------------------------- __setitem__


@pytest.mark.parametrize("idx, value, expected", [
    (1, 5, [[0, 1, 2, 3], [5, 5, 5, 5], [8, 9, 10, 11]]),
    (-1, 5, [[0, 1, 2, 3], [4, 5, 6, 7], [5, 5, 5, 5]]),
    ((-1, slice(1, 3)), torch.tensor([1., 2.]), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 1, 2, 11]]),
    ((None, 0), 1, [[1, 1, 1, 1], [4, 5, 6, 7], [8, 9, 10, 11]]),
    ((Ellipsis, 2), 3, [[0, 1, 3, 3], [4, 5, 3, 7], [8, 9, 3, 11]]),
    ((slice(None, None, 2), slice(None, None, 3)), 4, [[4, 1, 2, 4], [4, 5, 6, 7], [4, 9, 10, 4]]),
    (torch.tensor([0, 2]), 1, [[1, 1, 1, 1], [4, 5, 6, 7], [1, 1, 1, 1]]),
    ((torch.tensor([0, 2]), torch.tensor([1, 3])), torch.tensor([7., 8.]),
     [[0, 7, 2, 3], [4, 5, 6, 7], [8, 9, 10, 8]]),
    ([0, 2], torch.tensor([1., 2., 3., 4.]), [[1, 2, 3, 4], [4, 5, 6, 7], [1, 2, 3, 4]]),
    (([0, 1], [1, 2]), 9, [[0, 9, 2, 3], [4, 5, 9, 7], [8, 9, 10, 11]]),
    ([0, -3], 0, [[0, 0, 0, 0], [4, 5, 6, 7], [8, 9, 10, 11]]),
    (torch.tensor([True, False, True]), -1, [[-1, -1, -1, -1], [4, 5, 6, 7], [-1, -1, -1, -1]]),
    ((slice(None), torch.tensor([True, False, True, False])), 0,
     [[0, 1, 0, 3], [0, 5, 0, 7], [0, 9, 0, 11]]),
    ((slice(1, None), [0, 3]), 0, [[0, 1, 2, 3], [0, 5, 6, 0], [0, 9, 10, 0]]),
    ((torch.tensor([0, 2]), slice(1, 3)), torch.tensor([[1., 2.], [3., 4.]]),
     [[0, 1, 2, 3], [4, 5, 6, 7], [8, 3, 4, 11]]),
    ((Ellipsis, torch.tensor([0])), 100, [[100, 1, 2, 3], [100, 5, 6, 7], [100, 9, 10, 11]]),
    ((None, torch.tensor([1])), 100, [[0, 1, 2, 3], [100, 100, 100, 100], [8, 9, 10, 11]]),
    (torch.tensor(1), 100, [[0, 1, 2, 3], [100, 100, 100, 100], [8, 9, 10, 11]]),
    (torch.tensor([[0, 1], [2, 0]]), 0, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),
    ((1, torch.tensor([0, 3])), torch.tensor(5.), [[0, 1, 2, 3], [5, 5, 6, 5], [8, 9, 10, 11]]),
    (0, torch.ones(1, 4), [[1, 1, 1, 1], [4, 5, 6, 7], [8, 9, 10, 11]]),
    (slice(None), torch.ones(1, 3, 4), [[1] * 4] * 3),
    ((0, 0), torch.ones(1, 1), [[1, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
    (torch.tensor([0, 1]), torch.ones(1, 2, 4), [[1] * 4, [1] * 4, [8, 9, 10, 11]]),
    (0, torch.tensor(7, dtype=torch.int64), [[7, 7, 7, 7], [4, 5, 6, 7], [8, 9, 10, 11]]),
    (0, True, [[1, 1, 1, 1], [4, 5, 6, 7], [8, 9, 10, 11]]),
    ((0, [1, 2]), -1, [[0, -1, -1, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
    (([0, 1], 0), -2, [[-2, 1, 2, 3], [-2, 5, 6, 7], [8, 9, 10, 11]]),
    (True, 0, [[0] * 4] * 3),
    ([0, slice(None)], 5, [[5, 5, 5, 5], [4, 5, 6, 7], [8, 9, 10, 11]]),
    ((torch.tensor(2), [0, 3]), 0, [[0, 1, 2, 3], [4, 5, 6, 7], [0, 9, 10, 0]]),
], ids=lambda v: None)
def test_setitem(idx, value, expected):
    x = a34()
    x[idx] = value
    assert x.tolist() == expected
    assert x._version == 1 and x.dtype == torch.float32


def test_setitem_false_is_a_no_op():
    x = a34()
    x[False] = 0
    assert x.tolist() == a34().tolist()


def test_setitem_ints_select_first():
    y = torch.arange(24.).reshape(2, 3, 4).clone()
    y[0, :, [1, 2]] = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])  # value shape (3, 2), as torch
    assert y[0].tolist() == [[0, 1, 2, 3], [4, 3, 4, 7], [8, 5, 6, 11]]
    assert y[1, 0].tolist() == [12, 13, 14, 15] and y._version == 1


def test_setitem_bool_masks():
    x = a34()
    x[x > 5] = 0
    assert x.tolist() == [[0, 1, 2, 3], [4, 5, 0, 0], [0, 0, 0, 0]] and x._version == 1
    y = a34()
    y[y > 8] = torch.tensor([-1., -2., -3.])
    assert y.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, -1, -2, -3]]
    z = a34()
    z[z > 7] = torch.zeros(4)
    assert z.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [0, 0, 0, 0]]
    w = a34()
    w[w > 5] = torch.tensor(7., dtype=torch.float64)
    assert w.tolist() == [[0, 1, 2, 3], [4, 5, 7, 7], [7, 7, 7, 7]] and w.dtype == torch.float32


def test_setitem_through_view_reaches_base():
    x = a34()
    v = x[1:]
    v[v > 8] = -1
    assert x.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, -1, -1, -1]]
    v[:, [0, 2]] = 0
    assert x.tolist() == [[0, 1, 2, 3], [0, 5, 0, 7], [0, -1, 0, -1]]


def test_setitem_value_dtype_rules():
    x = torch.zeros(3, dtype=torch.int64)
    x[0] = 2.7  # numbers and basic indexing (copy_) cast
    x[1:2] = torch.tensor([3.9])
    x[torch.tensor([2])] = 4.5
    assert x.tolist() == [2, 3, 4] and x.dtype == torch.int64
    x[x > 2] = torch.tensor([7.5])  # one mask + one value is masked_fill_: casts
    assert x.tolist() == [2, 7, 7]
    y = a34()
    y[y > 9] = torch.tensor([2.], dtype=torch.float64)
    assert y[2].tolist() == [8, 9, 2, 2]
    msg = "Index put requires the source and destination dtypes match, got Long for the " \
          "destination and Float for the source."
    with raises(RuntimeError, msg):
        x[torch.tensor([1])] = torch.tensor([3.9])
    with raises(RuntimeError, msg):
        x[[0]] = torch.tensor(1.5)
    with raises(RuntimeError, "got Float for the destination and Double for the source."):
        z = a34()
        z[z > 5] = torch.ones(6, dtype=torch.float64)
    assert x.tolist() == [2, 7, 7]


def test_setitem_errors():
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 3"):
        a34()[[0, 5]] = 0
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension"):
        a34()[:, [0, 5]] = 0
    x = a34()
    with raises(IndexError, "index 3 is out of bounds for dimension 0 with size 3"):
        x[3] = 1
    with raises(IndexError, "The shape of the mask [2] at index 0 does not match the shape of the "
                            "indexed tensor [3, 4] at index 0"):
        x[torch.tensor([True, False])] = 0
    with raises(RuntimeError, "The expanded size of the tensor (4) must match the existing size "
                              "(5) at non-singleton dimension 0.  Target sizes: [4].  Tensor "
                              "sizes: [5]"):
        x[0] = torch.ones(5)
    with raises(RuntimeError, "shape mismatch: value tensor of shape [3] cannot be broadcast to "
                              "indexing result of shape [2, 4]"):
        x[[0, 1]] = torch.ones(3)
    with raises(RuntimeError, "shape mismatch: value tensor of shape [3, 4] cannot be broadcast to "
                              "indexing result of shape [6]"):
        x[x > 5] = torch.zeros(3, 4)
    with raises(TypeError, "can't assign a list to a torch.FloatTensor"):
        x[0] = [1, 2, 3, 4]
    with raises(TypeError, "can't assign a NoneType to a torch.FloatTensor"):
        x[0] = None
    assert x.tolist() == a34().tolist() and x._version == 0


def test_index_put_dtype_must_match():
    with raises(RuntimeError, "Index put requires the source and destination dtypes match, got "
                              "Float for the destination and Double for the source."):
        torch.zeros(3).index_put_((torch.tensor([0]),), torch.tensor([1.], dtype=torch.float64))


def test_scatter_gather_out_of_bounds():
    with raises(RuntimeError, "index 5 is out of bounds for dimension 0 with size 3"):
        torch.zeros(3).scatter_(0, torch.tensor([5]), 1.)
    with raises(RuntimeError, "index -1 is out of bounds for dimension 0 with size 3"):
        torch.zeros(3).gather(0, torch.tensor([-1]))


# ---------------------------------------------------------------- in-place writes and autograd


def test_fill_zero_copy_cut_history():
    a = torch.ones(3, requires_grad=True)
    x = a * 2
    x.fill_(5.)
    (x * 3).sum().backward()
    assert a.grad.tolist() == [0, 0, 0] and x.requires_grad
    a = torch.ones(3, requires_grad=True)
    x = a * 2
    x[1:].zero_()
    (x * 3).sum().backward()
    assert a.grad.tolist() == [6, 0, 0]
    a = torch.ones(3, requires_grad=True)
    b = torch.full((3,), 2., requires_grad=True)
    x = a * 2
    x.copy_(b * 4)
    x.sum().backward()
    assert a.grad.tolist() == [0, 0, 0] and b.grad.tolist() == [4, 4, 4]
    a = torch.ones(3, requires_grad=True)
    torch.fill(a, 2.).sum().backward()
    assert a.grad.tolist() == [0, 0, 0]


def test_inplace_through_identity_views_reaches_base_history():
    a = torch.ones(3, requires_grad=True)
    x = a.clone()
    x[:].mul_(2)
    x.sum().backward()
    assert a.grad.tolist() == [2, 2, 2]
    b = torch.ones(2, 3, requires_grad=True)
    y = b.clone()
    y.view(2, 3).mul_(3)
    y.sum().backward()
    assert b.grad.tolist() == [[3, 3, 3], [3, 3, 3]]
