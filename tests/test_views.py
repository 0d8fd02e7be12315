"""Views share storage with their base: writes through any view are seen by every alias.

Every expected value, stride and offset below is what torch 2.13 gives.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import torchlike as torch


def raises(exc, match):
    return pytest.raises(exc, match=re.escape(match))


DIM_2 = "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
DIM_3 = "Dimension out of range (expected to be in range of [-3, 2], but got 3)"


def a34():
    """A fresh base tensor (clone: arange(...).reshape(...) would itself be a view)."""
    return torch.arange(12.).reshape(3, 4).clone()


def a234():
    return torch.arange(24.).reshape(2, 3, 4).clone()


# ---------------------------------------------------------------- view / reshape


def test_view_write_through_view():
    x = a34()
    v = x.view(4, 3)
    v[0, 0] = 100
    assert x[0, 0].item() == 100
    assert v.stride() == (3, 1) and v.storage_offset() == 0 and v.is_contiguous()


def test_view_flat_setitem_changes_base():
    x = a34()
    x.view(-1)[3] = 7
    assert x.tolist() == [[0, 1, 2, 7], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_view_shapes_and_strides():
    x = torch.arange(6.).reshape(2, 3)
    assert x.view(3, -1).shape == (3, 2)
    assert x.view(6).stride() == (1,)
    assert x.view(1, 6, 1).stride() == (6, 1, 1)


def test_view_of_zero_dim():
    x = torch.tensor(5.)
    v = x.view(1)
    v[0] = 2
    assert x.item() == 2.0
    assert x.view(1, 1).stride() == (1, 1)
    assert x.unsqueeze(0).stride() == (1,)
    assert x.reshape(()).shape == ()


def test_view_of_noncontiguous_raises():
    y = a34().t()
    with raises(RuntimeError, "view size is not compatible with input tensor's size and stride"):
        y.view(12)
    with raises(RuntimeError, "Use .reshape(...) instead."):
        torch.zeros(2, 3).t().view(6)


def test_view_of_compatible_noncontiguous_slices():
    x = a234()
    with raises(RuntimeError, "view size is not compatible"):
        x[:, 1].view(8)  # (2, 4) with strides (12, 1): dims can't merge
    with raises(RuntimeError, "view size is not compatible"):
        x[:, :, 0:2].view(2, 6)
    w = x[:, 1:3].view(2, 8)  # rows 1..2 are contiguous within each batch
    w[0, 0] = 1000
    assert x[0, 1, 0].item() == 1000
    assert w.stride() == (12, 1)


def test_reshape_is_view_when_contiguous():
    x = a34()
    y = x.reshape(4, 3)
    y[0, 0] = -1
    assert x[0, 0].item() == -1
    assert y._base is x


def test_reshape_copies_transposed():
    x = a34()
    assert x.t().reshape(4, 3)._base is x  # same shape: reshape returns the view itself
    y = x.t().reshape(2, 6)
    y[0, 0] = -1
    assert x[0, 0].item() == 0
    assert y._base is None and y.is_contiguous()
    assert y.tolist() == [[-1, 4, 8, 1, 5, 9], [2, 6, 10, 3, 7, 11]]
    z = x.t().reshape(12)
    z[0] = 99
    assert x[0, 0].item() == 0
    assert z.tolist() == [99, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]


def test_flatten_view_or_copy():
    x = torch.arange(8.).reshape(2, 4).clone()
    y = x.flatten()
    y[1] = -1
    assert x[0, 1].item() == -1 and y._base is x
    z = torch.arange(8.)
    assert z.flatten() is z
    c = x.t().flatten()
    c[1] = 50
    assert x[1, 0].item() == 4  # a copy: the base is untouched
    assert c.tolist() == [0, 50, -1, 5, 2, 6, 3, 7]


def test_unflatten_of_transposed_is_view():
    x = torch.arange(8.).reshape(2, 4).t()
    y = x.unflatten(0, (2, 2))
    y[0, 0, 0] = -1
    assert x[0, 0].item() == -1
    assert y.stride() == (2, 1, 4)


# ---------------------------------------------------------------- slicing


def test_slice_with_step_fill():
    x = a34()
    s = x[1:, ::2]
    s.fill_(-1)
    assert x.tolist() == [[0, 1, 2, 3], [-1, 5, -1, 7], [-1, 9, -1, 11]]
    assert s.stride() == (4, 2) and s.storage_offset() == 4
    assert not s.is_contiguous() and s.shape == (2, 2)


def test_ellipsis_int_index_mul():
    x = a234()
    s = x[..., 1]
    s.mul_(10)
    assert x[:, :, 1].tolist() == [[10, 50, 90], [130, 170, 210]]
    assert s.stride() == (12, 4) and s.storage_offset() == 1


def test_none_int_ellipsis_negative():
    x = a234()
    s = x[None, 1, ..., -1]
    assert s.tolist() == [[15, 19, 23]]
    assert s.stride() == (24, 4) and s.storage_offset() == 15 and s.shape == (1, 3)


def test_mixed_basic_index_zero():
    x = a234()
    s = x[:, None, -2:, 1::2]
    s.zero_()
    assert x[0].tolist() == [[0, 1, 2, 3], [4, 0, 6, 0], [8, 0, 10, 0]]
    assert x[1].tolist() == [[12, 13, 14, 15], [16, 0, 18, 0], [20, 0, 22, 0]]
    assert s.stride() == (12, 12, 4, 2) and s.storage_offset() == 5


def test_slice_strides_and_offsets():
    s = torch.zeros(4, 6)[::2, 1:5:3]
    assert s.shape == (2, 2) and s.stride() == (12, 3) and s.storage_offset() == 1
    assert not s.is_contiguous()
    s = torch.zeros(4, 6)[:, ::2]
    assert s.stride() == (6, 2) and not s.is_contiguous()
    s = torch.zeros(4, 1)[:, 0:1]
    assert s.stride() == (1, 1) and s.is_contiguous()


def test_empty_slice_offsets():
    x = torch.zeros(4, 6)
    e = x[4:]
    assert e.shape == (0, 6) and e.stride() == (6, 1) and e.is_contiguous()
    assert e.storage_offset() == 24
    assert x[2:1].storage_offset() == 12
    assert x[:, 5:2].storage_offset() == 5
    assert x[10:].storage_offset() == 24
    assert x[:, 7::2].storage_offset() == 6
    x[4:] = 1
    x[:, 6:] = 2
    assert x.sum().item() == 0


def test_negative_and_clamped_slices():
    x = torch.arange(6.)
    assert x[-3:-1].tolist() == [3, 4]
    assert x[10:].tolist() == [] and x[-100:2].tolist() == [0, 1] and x[2:1].tolist() == []


def test_none_strides():
    x = a34()
    assert x[None].stride() == (12, 4, 1)
    assert x[:, None].stride() == (4, 4, 1)
    assert x[..., None].stride() == (4, 1, 1) and x[..., None].shape == (3, 4, 1)


def test_zero_dim_indexing():
    x = torch.tensor(5.)
    assert x[None].shape == (1,) and x[...].shape == ()
    x[...] = 3
    assert x.item() == 3
    with raises(IndexError, "invalid index of a 0-dim tensor"):
        x[0]


def test_negative_step_raises():
    with raises(ValueError, "step must be greater than zero"):
        torch.arange(6.)[::-1]


def test_index_errors():
    x = a34()
    with raises(IndexError, "too many indices for tensor of dimension 2"):
        x[1, 2, 3]
    with raises(IndexError, "index 3 is out of bounds for dimension 0 with size 3"):
        x[3]
    with raises(IndexError, "index -5 is out of bounds for dimension 1 with size 4"):
        x[:, -5]


# ---------------------------------------------------------------- advanced indexing copies


def test_advanced_indexing_copies():
    x = a34()
    y = x[[0, 1]]
    y[0, 0] = 100
    m = x[x > 5]
    m[0] = 100
    assert x[0, 0].item() == 0 and x[1, 2].item() == 6
    assert y._base is None


@pytest.mark.parametrize("index, shape", [
    (lambda x: x[0, :, [1, 2]], (3, 2)),          # ints select first (numpy would give (2, 3))
    (lambda x: x[torch.tensor(0), :, [1, 2]], (3, 2)),
    (lambda x: x[[0], :, [1, 2]], (2, 3)),         # separated advanced dims go first
    (lambda x: x[:, 0, [1, 2]], (2, 2)),
    (lambda x: x[[1, 0], 0], (2, 4)),
    (lambda x: x[[1, 0], 0, [1, 2]], (2,)),
    (lambda x: x[None, 0, :, [1, 2]], (1, 3, 2)),
    (lambda x: x[0, None, :, [1, 2]], (1, 3, 2)),
    (lambda x: x[..., 0, [1, 2]], (2, 2)),
    (lambda x: x[[0, 1], ..., 0], (2, 3)),
    (lambda x: x[:, [0, 1], [1, 2]], (2, 2)),
    (lambda x: x[[0, 1], :, [1, 2]], (2, 3)),
    (lambda x: x[..., [0, 3]], (2, 3, 2)),
    (lambda x: x[True], (1, 2, 3, 4)),
    (lambda x: x[False], (0, 2, 3, 4)),
    (lambda x: x[:, True, [0, 1]], (2, 2, 4)),
    (lambda x: x[1, True], (1, 3, 4)),
    (lambda x: x[torch.tensor(True)], (1, 2, 3, 4)),
    (lambda x: x[[0, slice(1, 3)]], (2, 4)),       # a list with a slice is a tuple (as torch)
    (lambda x: x[[[0, 1], [1, 2]]], (2, 4)),       # ... and so is a list of lists
    (lambda x: x[x[:, 0, 0] > 5, 1], (1, 4)),
    (lambda x: x[1, x[0, :, 0] > 5], (1, 4)),
    (lambda x: x[0, [True, False, True]], (2, 4)),
    (lambda x: x[np.array([0, 1])], (2, 3, 4)),
    (lambda x: x[np.int64(1)], (3, 4)),
    (lambda x: x[torch.tensor([1, 0], dtype=torch.int32), 2], (2, 4)),
], ids=lambda v: None)
def test_advanced_index_shapes(index, shape):
    assert index(a234()).shape == shape


def test_advanced_index_values():
    x = a34()
    assert x[[0, 2], [1, 3]].tolist() == [1, 11]
    assert x[1:, [0, 2]].tolist() == [[4, 6], [8, 10]]
    assert x[[0, 2], 1:].tolist() == [[1, 2, 3], [9, 10, 11]]
    assert x[x > 5].tolist() == [6, 7, 8, 9, 10, 11]
    assert x[:, x[0] > 1].tolist() == [[2, 3], [6, 7], [10, 11]]
    assert x[[True, False, True]].tolist() == [[0, 1, 2, 3], [8, 9, 10, 11]]
    assert x[torch.tensor([[0, 1], [2, 0]])].shape == (2, 2, 4)
    y = a234()
    assert y[[1, 0], 0, [1, 2]].tolist() == [13, 2]


# ---------------------------------------------------------------- select / narrow


def test_select_negative_index_iadd():
    x = a34()
    s = x.select(1, -1)
    s += 5
    assert x[:, 3].tolist() == [8, 12, 16]
    assert s.stride() == (4,) and s.storage_offset() == 3


def test_select_errors():
    x = a34()
    with raises(IndexError, DIM_2):
        x.select(2, 0)
    with raises(IndexError, "select(): index 4 out of range for tensor of size [3, 4] at "
                            "dimension 1"):
        x.select(1, 4)


def test_narrow_copy_into():
    x = a34()
    s = x.narrow(1, 1, 2)
    s.copy_(torch.ones(3, 2))
    assert x.tolist() == [[0, 1, 1, 3], [4, 1, 1, 7], [8, 1, 1, 11]]
    assert s.stride() == (4, 1) and s.storage_offset() == 1 and not s.is_contiguous()
    assert x.narrow(1, -1, 1).tolist() == [[3], [7], [11]]
    with raises(RuntimeError, "start (2) + length (3) exceeds dimension size (4)."):
        x.narrow(1, 2, 3)


# ---------------------------------------------------------------- transpose / permute / t / T / mT


def test_t_add_changes_base():
    x = a34()
    y = x.t()
    assert y.stride() == (1, 4) and not y.is_contiguous() and y.storage_offset() == 0
    y.add_(1)
    assert x.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]


def test_t_add_broadcast_column():
    x = torch.ones(2, 3)
    x.t().add_(torch.tensor([1., 2., 3.]).unsqueeze(1))
    assert x.tolist() == [[2, 3, 4], [2, 3, 4]]


def test_permute_write():
    x = a234()
    p = x.permute(2, 0, 1)
    p[0] = 0
    assert x[:, :, 0].tolist() == [[0, 0, 0], [0, 0, 0]]
    assert x[1, 2].tolist() == [0, 21, 22, 23]
    assert p.stride() == (1, 12, 4) and not p.is_contiguous()


def test_T_and_mT():
    x = torch.arange(6.).reshape(2, 3)
    p = x.T
    p[0, 1] = 50
    assert x[1, 0].item() == 50 and p.stride() == (1, 3)
    y = a234()
    m = y.mT
    m[1, 0, 2] = 50
    assert y[1, 2, 0].item() == 50
    assert m.stride() == (12, 1, 4) and m.shape == (2, 4, 3)
    assert y.T.shape == (4, 3, 2)
    with raises(RuntimeError, "tensor.mT is only supported on matrices or batches of matrices. "
                              "Got 1-D tensor."):
        _ = torch.ones(3).mT


def test_transpose_permute_errors():
    x = a34()
    with raises(IndexError, DIM_2):
        x.transpose(0, 2)
    with raises(RuntimeError, "duplicate dims are not allowed"):
        x.permute(0, 0)
    with raises(RuntimeError, "number of dimensions in the tensor input does not match"):
        x.permute(0)
    with raises(RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is 3D"):
        a234().t()


def test_movedim_swapaxes():
    x = torch.arange(8.).reshape(2, 4)
    y = x.movedim(0, 1)
    y[0, 1] = -1
    assert x[1, 0].item() == -1 and y.stride() == (1, 4)
    assert x.swapaxes(0, 1).stride() == (1, 4)


def test_permute_contiguity():
    x = torch.arange(8.).reshape(2, 2, 2)
    assert not x.permute(1, 0, 2).is_contiguous()
    assert x.permute(1, 0, 2).stride() == (2, 4, 1)
    assert x[:, :1].is_contiguous() is False
    assert x[:, :, :1].is_contiguous() is False
    z = torch.zeros(0, 3)
    assert z.stride() == (3, 1) and z.view(3, 0).stride() == (1, 1)
    assert z.is_contiguous() and z.t().is_contiguous()


# ---------------------------------------------------------------- squeeze / unsqueeze


def test_squeeze_write():
    x = torch.arange(6.).reshape(2, 1, 3)
    s = x.squeeze()
    s[1, 1] = -4
    assert x[1, 0, 1].item() == -4 and s.stride() == (3, 1)


def test_unsqueeze_write_and_strides():
    x = torch.arange(6.).reshape(2, 3)
    u = x.unsqueeze(1)
    u[1, 0, 2] = -4
    assert x[1, 2].item() == -4
    assert u.stride() == (3, 3, 1) and u.shape == (2, 1, 3)
    u = x.unsqueeze(-1)
    assert u.stride() == (3, 1, 1) and u.shape == (2, 3, 1)
    assert x.squeeze(0).shape == (2, 3) and x.unsqueeze(2).shape == (2, 3, 1)
    assert x.unsqueeze(-3).shape == (1, 2, 3)
    with raises(IndexError, DIM_3):
        x.unsqueeze(3)


def test_inplace_view_ops():
    x = torch.arange(6.).reshape(2, 3)
    y = x[0]
    assert y.unsqueeze_(0) is y
    assert y.shape == (1, 3) and x.shape == (2, 3)
    y[0, 1] = 50
    assert x[0, 1].item() == 50
    x.t_()
    assert x.shape == (3, 2) and x.stride() == (1, 3)
    x.transpose_(0, 1)
    assert x.shape == (2, 3) and x.stride() == (3, 1)
    z = torch.ones(1, 2, 3)
    z.squeeze_(0)
    assert z.shape == (2, 3)


# ---------------------------------------------------------------- expand


def test_expand_strides_and_reads_base():
    x = torch.arange(3.)
    e = x.expand(2, 3)
    assert e.stride() == (0, 1) and not e.is_contiguous()
    x[1] = 10
    assert e.tolist() == [[0, 10, 2], [0, 10, 2]]
    c = torch.arange(4.).view(4, 1).expand(4, 3)
    assert c.stride() == (1, 0)


def test_expand_write_raises():
    x = torch.arange(3.)
    e = x.expand(2, 3)
    msg = "unsupported operation: more than one element of the written-to tensor refers to a " \
          "single memory location. Please clone() the tensor before performing the operation."
    with raises(RuntimeError, msg):
        e.add_(1)
    with raises(RuntimeError, msg):
        e.mul_(2)
    with raises(RuntimeError, msg):
        e[:, 1] = 5
    with raises(RuntimeError, msg):
        e.copy_(torch.ones(2, 3))
    with raises(RuntimeError, msg):
        e.clamp_(0, 1)
    assert x.tolist() == [0, 1, 2]


def test_expand_writes_torch_allows():
    x = torch.arange(3.)
    e = x.expand(2, 3)
    e[0] = 5  # e[0] itself does not overlap
    assert x.tolist() == [5, 5, 5]
    e[0].add_(1)
    assert x.tolist() == [6, 6, 6]
    e.zero_()  # fill_/zero_/masked_fill_ write one value per location: torch allows them
    assert x.tolist() == [0, 0, 0]
    e.fill_(2)
    assert x.tolist() == [2, 2, 2]
    e.masked_fill_(torch.ones(2, 3, dtype=torch.bool), 1.)
    assert x.tolist() == [1, 1, 1]
    assert e.tolist() == [[1, 1, 1], [1, 1, 1]]


def test_expand_errors():
    x = a34()
    with raises(RuntimeError, "The expanded size of the tensor (5) must match the existing size "
                              "(4) at non-singleton dimension 1.  Target sizes: [3, 5].  Tensor "
                              "sizes: [3, 4]"):
        x.expand(3, 5)
    with raises(RuntimeError, "expand(torch.FloatTensor{[3, 4]}, size=[4]): the number of "
                              "sizes provided (1) must be greater or equal to the number of "
                              "dimensions in the tensor (2)"):
        x.expand(4)


# ---------------------------------------------------------------- diagonal


def test_diagonal_fill():
    x = torch.arange(9.).reshape(3, 3)
    d = x.diagonal()
    d.fill_(0)
    assert x.tolist() == [[0, 1, 2], [3, 0, 5], [6, 7, 0]]
    assert d.stride() == (4,) and d.storage_offset() == 0


def test_diagonal_offsets():
    x = a34()
    d = x.diagonal(1)
    d.mul_(-1)
    assert x.tolist() == [[0, -1, 2, 3], [4, 5, -6, 7], [8, 9, 10, -11]]
    assert d.stride() == (5,) and d.storage_offset() == 1 and d.shape == (3,)
    x = a34()
    d = x.diagonal(-1)
    d.mul_(-1)
    assert x.tolist() == [[0, 1, 2, 3], [-4, 5, 6, 7], [8, -9, 10, 11]]
    assert d.stride() == (5,) and d.storage_offset() == 4 and d.shape == (2,)
    assert x.diagonal(5).shape == (0,)
    with raises(RuntimeError, "diagonal dimensions cannot be identical 1, 1"):
        x.diagonal(0, 1, 1)


def test_diagonal_3d_and_chained():
    x = torch.arange(27.).reshape(3, 3, 3)
    d = x.diagonal(0, 0, 2)
    d[1, 1] = -9
    assert x[1, 1, 1].item() == -9
    assert d.stride() == (3, 10) and d.shape == (3, 3)
    y = torch.arange(16.).reshape(4, 4)
    y.diagonal().add_(100)
    y.t().diagonal(1).zero_()
    assert y.tolist() == [[100, 1, 2, 3], [0, 105, 6, 7], [8, 0, 110, 11], [12, 13, 0, 115]]


# ---------------------------------------------------------------- unbind / chunk / split


def test_unbind_views():
    x = torch.arange(6.).reshape(2, 3)
    a, b = x.unbind()
    b[0] = 9
    assert x.tolist() == [[0, 1, 2], [9, 4, 5]]
    assert b.stride() == (1,) and b.storage_offset() == 3
    c = x.unbind(1)[2]
    c.zero_()
    assert x.tolist() == [[0, 1, 0], [9, 4, 0]]
    assert c.stride() == (3,) and c.storage_offset() == 2


def test_chunk_views():
    x = torch.arange(10.)
    cs = x.chunk(3)
    assert [c.shape for c in cs] == [(4,), (4,), (2,)]
    assert [c.storage_offset() for c in cs] == [0, 4, 8]
    cs[2].fill_(-1)
    assert x.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, -1, -1]
    y = a34()
    c1 = torch.chunk(y, 2, dim=1)[1]
    c1[0, 0] = -1
    assert y[0, 2].item() == -1 and c1.stride() == (4, 1)
    assert [c.tolist() for c in torch.arange(6.).chunk(4)] == [[0, 1], [2, 3], [4, 5]]
    assert [c.tolist() for c in torch.arange(5.).chunk(4)] == [[0, 1], [2, 3], [4]]


def test_split_views():
    x = torch.arange(10.)
    cs = x.split([2, 3, 5])
    cs[1].add_(100)
    assert x.tolist() == [0, 1, 102, 103, 104, 5, 6, 7, 8, 9]
    assert [c.storage_offset() for c in cs] == [0, 2, 5]
    cs = x.split(4)
    assert [c.shape for c in cs] == [(4,), (4,), (2,)]
    cs[-1][0] = 0
    assert x[8].item() == 0


def test_split_chunk_errors():
    x = a34()
    with raises(RuntimeError, "split_size can only be 0 if dimension size is 0"):
        x.split(0)
    with raises(RuntimeError, "split_with_sizes expects split_sizes to sum exactly to 3"):
        x.split([1, 1])
    with raises(RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"):
        x.chunk(0)


# ---------------------------------------------------------------- data / detach


def test_data_mul_changes_param():
    p = torch.ones(3, requires_grad=True)
    p.data.mul_(0.5)
    assert p.tolist() == [0.5, 0.5, 0.5]
    assert p.requires_grad and not p.data.requires_grad


def test_detach_shares_storage_and_version():
    p = torch.ones(3)
    d = p.detach()
    d[0] = 5
    assert p.tolist() == [5, 1, 1]
    assert p._version == d._version == 1


def test_data_setter_rebinds():
    x = torch.arange(4.)
    v = x.view(2, 2)
    x.data = torch.zeros(4)
    assert x.tolist() == [0, 0, 0, 0]
    assert v.tolist() == [[0, 1], [2, 3]]  # the old view keeps the old storage


def test_w0_zero():
    w = torch.ones(2, 3)
    w[0].zero_()
    assert w.tolist() == [[0, 0, 0], [1, 1, 1]]


# ---------------------------------------------------------------- chains and staleness


def test_view_of_transposed_slice():
    x = torch.arange(24.).reshape(4, 6)
    v = x.t()[1:5:2, ::3]
    v.fill_(0)
    assert x[0].tolist() == [0, 0, 2, 0, 4, 5]
    assert x[3].tolist() == [18, 0, 20, 0, 22, 23]
    assert v.stride() == (2, 18) and v.storage_offset() == 1 and v.shape == (2, 2)


def test_long_chain():
    x = torch.arange(24.).reshape(4, 6)
    v = x[1:, 2:].t().unsqueeze(0)[0, 1]
    v.fill_(-7)
    assert x[:, 3].tolist() == [3, -7, -7, -7]
    assert v.stride() == (6,) and v.storage_offset() == 9


def test_chain_of_views_of_views():
    x = torch.arange(6.)
    x.view(2, 3)[:, 1].add_(torch.tensor([10., 20.]))
    assert x.tolist() == [0, 11, 2, 3, 24, 5]
    z = x.view(2, 3).t()
    z[2] = torch.tensor([-1., -2.])
    assert x.tolist() == [0, 11, -1, 3, 24, -2]
    s = x[::2]
    s[:] = torch.tensor([7., 8., 9.])
    assert x.tolist() == [7, 11, 8, 3, 9, -2]


def test_transposed_strided_view_of_view():
    x = torch.arange(16.).reshape(4, 4)
    w = x[::2, ::2].t()
    w[0, 1] = -5
    assert x[2, 0].item() == -5
    assert w.stride() == (2, 8) and w.storage_offset() == 0


def test_old_view_sees_base_writes():
    x = a34()
    v = x[0]
    x.add_(1)
    assert v.tolist() == [1, 2, 3, 4]
    assert v._version == x._version
    x[0, 0] = 55
    x.mul_(2)
    assert v.tolist() == [110, 4, 6, 8]
    x.copy_(torch.zeros(3, 4))
    assert v.tolist() == [0, 0, 0, 0]


def test_sibling_views_see_each_other():
    x = a34()
    row, col = x[1], x[:, 1]
    row[1] = 100
    assert col.tolist() == [1, 100, 9]


def test_iteration_rows_are_views():
    x = torch.arange(6.).reshape(2, 3)
    rows = list(x)
    rows[0][0] = 99
    assert x[0, 0].item() == 99


# ---------------------------------------------------------------- contiguous


def test_contiguous_copy_or_self():
    x = a34()
    assert x.contiguous() is x
    y = a234().transpose(1, 2)
    c = y.contiguous()
    assert c.tolist()[1] == [[12, 16, 20], [13, 17, 21], [14, 18, 22], [15, 19, 23]]
    c[0, 0, 0] = 1000
    assert y[0, 0, 0].item() == 0
    assert c.is_contiguous() and c.stride() == (12, 3, 1)


# ---------------------------------------------------------------- random chains vs numpy


def _np_diagonal(a, offset, d1, d2):
    """A writable numpy view of np.diagonal(a, offset, d1, d2) (numpy's own is read-only)."""
    import numpy as np

    idx = [slice(None)] * a.ndim
    if offset >= 0:
        idx[d2] = slice(offset, None)
    else:
        idx[d1] = slice(-offset, None)
    a = a[tuple(idx)]
    n = max(min(a.shape[d1], a.shape[d2]), 0)
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in keep) + (n,)
    strides = tuple(a.strides[i] for i in keep) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides)


def _chain_step(data, t, a):
    """Apply one random view op to the torchlike tensor t and its numpy twin a (a view)."""
    from hypothesis import strategies as st

    kinds = ["slice", "transpose", "unsqueeze"]
    if t.dim():
        kinds += ["select"]
    if t.dim() >= 2:
        kinds += ["permute", "diagonal"]
    if 1 in t.shape:
        kinds += ["squeeze"]
    if t.numel():
        kinds += ["view"]
    kind = data.draw(st.sampled_from(kinds))
    n = t.dim()
    if kind == "view":
        import numpy as np

        shape = list(t.shape)
        how = data.draw(st.sampled_from(["flat", "merge", "split"]))
        if how == "merge" and n >= 2:
            d = data.draw(st.integers(0, n - 2))
            shape[d:d + 2] = [shape[d] * shape[d + 1]]
        elif how == "split" and n:
            d = data.draw(st.integers(0, n - 1))
            f = data.draw(st.sampled_from([k for k in range(1, shape[d] + 1) if shape[d] % k == 0]))
            shape[d:d + 1] = [f, shape[d] // f]
        else:
            shape = [-1]
        r = a.reshape(shape)
        if np.shares_memory(r, a) or r.size <= 1:
            return t.view(*shape), r
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            t.view(*shape)
        return t, a
    if kind == "slice" and n:
        d = data.draw(st.integers(0, n - 1))
        size = t.shape[d]
        start = data.draw(st.integers(-size - 1, size + 1))
        stop = data.draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
        step = data.draw(st.integers(1, 3))
        idx = (slice(None),) * d + (slice(start, stop, step),)
        return t[idx], a[idx]
    if kind == "select":
        d = data.draw(st.integers(0, n - 1))
        if t.shape[d] == 0:
            return t, a
        i = data.draw(st.integers(-t.shape[d], t.shape[d] - 1))
        j = i % t.shape[d]  # numpy's a[..., i] would copy a 0-d result: slice + squeeze views
        return t.select(d, i), a[(slice(None),) * d + (slice(j, j + 1),)].squeeze(d)
    if kind == "transpose" and n >= 2:
        d0, d1 = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        return t.transpose(d0, d1), a.swapaxes(d0, d1)
    if kind == "permute":
        perm = data.draw(st.permutations(range(n)))
        return t.permute(*perm), a.transpose(perm)
    if kind == "unsqueeze":
        d = data.draw(st.integers(-n - 1, n))
        import numpy as np

        return t.unsqueeze(d), np.expand_dims(a, d)
    if kind == "squeeze":
        d = t.shape.index(1)
        return t.squeeze(d), a.squeeze(d)
    if kind == "diagonal":
        d1, d2 = data.draw(st.permutations(range(n)))[:2]
        off = data.draw(st.integers(-2, 2))
        return t.diagonal(off, d1, d2), _np_diagonal(a, off, d1, d2)
    return t, a


def test_random_view_chains_match_numpy():
    """Random chains of views: values, strides and offsets match numpy's, and a write through
    the end of the chain lands in the same base elements as numpy's view writes."""
    import numpy as np
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
        base_np = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
        base = torch.tensor(base_np.copy())
        t, a = base, base_np
        for _ in range(data.draw(st.integers(1, 4))):
            t, a = _chain_step(data, t, a)
        assert tuple(t.shape) == a.shape
        assert t.tolist() == a.tolist()
        if a.size:  # numpy's strides for size-1 dims are arbitrary: compare the others
            assert [st for st, n in zip(t.stride(), a.shape, strict=True) if n > 1] == \
                [st // 4 for st, n in zip(a.strides, a.shape, strict=True) if n > 1]
            assert t.storage_offset() == (a.__array_interface__["data"][0] -
                                          base_np.__array_interface__["data"][0]) // 4
        how = data.draw(st.sampled_from(["copy_", "add_", "fill_", "mask"]))
        if how == "copy_":
            new = -1 - np.arange(a.size, dtype=np.float32).reshape(a.shape)
            t.copy_(torch.tensor(new))
            a[...] = new
        elif how == "add_":
            t.add_(100)
            a += 100
        elif how == "fill_":
            t.fill_(-3)
            a[...] = -3
        else:
            t[t > 5] = -5
            a[a > 5] = -5
        assert base.tolist() == base_np.tolist()
        assert t.tolist() == a.tolist()

    run()


def test_zero_dim_views():
    x = torch.tensor(1.)
    assert x.squeeze().shape == () and x.squeeze(0).shape == () and x.unsqueeze(-1).shape == (1,)
    assert x.flatten().shape == (1,) and x.view(-1).shape == (1,)
    assert x.reshape(1, 1).shape == (1, 1)
    assert x.transpose(0, 0).shape == () and x.t().shape == () and x.movedim(0, 0).shape == ()
    assert x.expand(3).stride() == (0,)
    x[None] = 5
    assert x.item() == 5
    x[()] = 6
    assert x.item() == 6 and x[()].shape == ()
    y = torch.tensor([1., 2.])
    y0 = y[0]
    y0.fill_(9)
    y0 += 5
    assert y.tolist() == [14, 2] and y0.shape == ()


def test_split_and_chunk_of_empty_dims():
    x = torch.zeros(0, 3)
    assert [c.shape for c in x.chunk(2)] == [(0, 3), (0, 3)]
    assert [c.shape for c in x.split(2)] == [(0, 3)]
    assert x.unbind(0) == ()
    assert [c.shape for c in x.chunk(2, 1)] == [(0, 2), (0, 1)]
    assert [c.shape for c in torch.zeros(3, 0).split(1, 1)] == [(3, 0)]
