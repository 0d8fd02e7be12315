"""Behaviour of the eager hot path's shortcuts (issue 14 item 1): memoized views, the cached
bounds check of index tensors, cached Python-scalar arrays.  Expected values from torch 2.13."""

import math

import pytest

import torchlike as torch


def _a():
    return torch.arange(12.).reshape(4, 3) / 4 - 1


T_EXPECTED = [[-1.0, -0.25, 0.5, 1.25], [-0.75, 0.0, 0.75, 1.5], [-0.5, 0.25, 1.0, 1.75]]


def test_memoized_views_share_layout_not_values():
    a, b = _a(), _a() * 2
    for _ in range(2):  # the second round hits the memo
        assert a.t().tolist() == T_EXPECTED
        assert a.t().stride() == (1, 3) and not a.t().is_contiguous()
        assert a.T.stride() == (1, 3)
        assert b.t().tolist() == [[2 * x for x in r] for r in T_EXPECTED]
        assert a.view(3, 4).t().shape == (4, 3)
    v = a.t()
    a.add_(1)  # a view made from the memo still sees its base's writes
    assert v[0].tolist() == [0.0, 0.75, 1.5, 2.25]
    assert a.t()[0].tolist() == [0.0, 0.75, 1.5, 2.25]


def test_memoized_views_record_autograd():
    for _ in range(2):
        w = _a().requires_grad_()
        y = w.t().t().view(3, 4).t()
        assert y.grad_fn.name() == "TBackward0" and y.stride() == (1, 4)
        (y * torch.arange(12.).reshape(4, 3)).sum().backward()
        assert w.grad.tolist() == [[0.0, 3.0, 6.0], [9.0, 1.0, 4.0], [7.0, 10.0, 2.0],
                                   [5.0, 8.0, 11.0]]


def test_index_tensor_gather_and_bounds():
    a = _a()
    i = torch.tensor([3, -1, 0])
    for _ in range(2):
        assert a[i].tolist() == [[1.25, 1.5, 1.75], [1.25, 1.5, 1.75], [-1.0, -0.75, -0.5]]
    w = _a().requires_grad_()
    r = w[i]
    assert r.grad_fn.name() == "IndexBackward0"
    r.pow(2).sum().backward()
    assert w.grad.tolist() == [[-2.0, -1.5, -1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
                               [5.0, 6.0, 7.0]]
    for bad, msg in (([4], "index 4 is out of bounds for dimension 0 with size 4"),
                     ([-5], "index -5 is out of bounds for dimension 0 with size 4")):
        with pytest.raises(IndexError, match=msg):
            a[torch.tensor(bad)]


def test_index_tensor_checked_again_after_write():
    a = _a()
    i = torch.tensor([1])
    assert a[i].tolist() == [[-0.25, 0.0, 0.25]]
    i.fill_(4)  # the checked range was remembered for the old value only
    with pytest.raises(IndexError, match="index 4 is out of bounds"):
        a[i]
    i[0] = 2
    assert a[i].tolist() == [[0.5, 0.75, 1.0]]
    with pytest.raises(IndexError, match="index out of range in self"):
        torch.arange(3.).index_select(0, torch.tensor([5]))


def test_python_scalars_keep_their_values():
    a = _a()
    pos = a * 0.0  # -0.0 for the negative entries
    neg = a * -0.0
    assert math.copysign(1, pos[0, 0].item()) == -1
    assert math.copysign(1, neg[0, 0].item()) == 1
    assert (0.0 - a)[0].tolist() == [1.0, 0.75, 0.5]
    assert (a * 2)[1].tolist() == [-0.5, 0.0, 0.5]
    assert (torch.tensor([7], dtype=torch.uint8) * 300).tolist() == [52]
    assert (torch.tensor([3]) * 2).dtype == torch.int64
    assert (torch.tensor([3]) * 2.5).tolist() == [7.5]
    assert (torch.tensor([1.0]) * True).tolist() == [1.0]
    assert (torch.tensor([2**40]) + 2**62).tolist() == [2**40 + 2**62]


def test_memoized_views_take_keyword_arguments():
    x = torch.arange(9.0).reshape(3, 3)
    assert x.diagonal(dim1=-2, dim2=-1).tolist() == [0.0, 4.0, 8.0]
    assert torch.diagonal(x, offset=1, dim1=0, dim2=1).tolist() == [1.0, 5.0]
    assert x.transpose(dim0=0, dim1=1)[0].tolist() == [0.0, 3.0, 6.0]
    assert x.select(dim=0, index=2).tolist() == [6.0, 7.0, 8.0]


def test_matmul_of_transposed_view_is_one_kernel():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = torch.tensor([[1.0, 0.0], [2.0, -1.0]])
    wt = w.t()
    r = x @ wt
    assert r.tolist() == [[1.0, 0.0], [3.0, 2.0], [5.0, 4.0]]   # torch 2.13
    assert "_cache" not in wt.__dict__       # the view itself was never materialised
    b = torch.arange(8.0).reshape(2, 2, 2)
    assert (b @ b.mT).tolist() == [[[1.0, 3.0], [3.0, 13.0]], [[41.0, 59.0], [59.0, 85.0]]]
    assert (torch.tensor([1.0, -1.0]) @ w.t()).tolist() == [1.0, 3.0]
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        torch.ones(3, 3) @ w.t()
    # under autograd torch's graph keeps TBackward0 on the view
    wg = w.clone().requires_grad_()
    out = x @ wg.t()
    assert out.grad_fn.name() == "MmBackward0"
    assert out.grad_fn.next_functions[1][0].name() == "TBackward0"
    out.sum().backward()
    assert wg.grad.tolist() == [[9.0, 12.0], [9.0, 12.0]]
