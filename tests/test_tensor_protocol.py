"""Tensor attributes and the Python protocol: shape/Size, dtype, device, item, tolist, numpy,
__array__, __dlpack__, len, iter, bool, float, int, index, repr.  Values checked against torch."""

from __future__ import annotations

import copy
import operator
import pickle
import re

import numpy as np
import pytest

import torchlike as torch


def raises(exc, match):
    return pytest.raises(exc, match=re.escape(match))


DIM_2 = "Dimension out of range (expected to be in range of [-2, 1], but got 2)"


# ---------------------------------------------------------------- shape and Size


def test_shape_and_size():
    x = torch.zeros(2, 3)
    assert type(x.shape) is torch.Size and isinstance(x.shape, tuple)
    assert repr(x.shape) == "torch.Size([2, 3])" and str(x.size()) == "torch.Size([2, 3])"
    assert x.shape == (2, 3) and x.size() == torch.Size([2, 3])
    assert x.size(1) == 3 and x.size(-1) == 3 and x.size(0) == 2
    assert x.shape.numel() == 6
    with raises(IndexError, DIM_2):
        x.size(2)


def test_size_arithmetic_keeps_type():
    s = torch.Size([2, 3])
    assert repr(s[1:]) == "torch.Size([3])" and s[0] == 2
    assert repr(s + (4,)) == "torch.Size([2, 3, 4])"
    assert repr(s + torch.Size([4])) == "torch.Size([2, 3, 4])"
    assert repr(torch.Size((1,)) * 2) == "torch.Size([1, 1])"
    assert repr(torch.Size([])) == "torch.Size([])" and torch.Size([]).numel() == 1
    assert pickle.loads(pickle.dumps(s)) == s
    assert type(pickle.loads(pickle.dumps(s))) is torch.Size


def test_dim_ndim_numel():
    x = torch.zeros(2, 3)
    assert x.dim() == x.ndim == x.ndimension() == 2
    assert x.numel() == x.nelement() == torch.numel(x) == 6
    assert torch.tensor(1.).dim() == 0 and torch.tensor(1.).numel() == 1
    assert torch.zeros(0, 3).numel() == 0


def test_stride_and_sizes_of_a_base():
    x = torch.arange(6.).reshape(2, 3)
    assert x.stride() == (3, 1) and x.stride(0) == 3 and x.stride(-1) == 1
    assert x.storage_offset() == 0 and x.is_contiguous()
    assert x.nbytes == 24 and x.itemsize == 4


@pytest.mark.parametrize("dtype, size", [
    (torch.float32, 4), (torch.float64, 8), (torch.float16, 2), (torch.bfloat16, 2),
    (torch.int16, 2), (torch.int64, 8), (torch.uint8, 1), (torch.bool, 1), (torch.complex64, 8),
])
def test_element_size(dtype, size):
    assert torch.zeros(1, dtype=dtype).element_size() == size


# ---------------------------------------------------------------- dtype / device


def test_dtype_and_device():
    x = torch.zeros(1)
    assert x.dtype is torch.float32 and repr(x.dtype) == "torch.float32"
    assert str(torch.int64) == "torch.int64"
    assert repr(x.device) == "device(type='cpu')" and str(x.device) == "cpu"
    assert x.device == torch.device("cpu") and x.device.type == "cpu" and x.device.index is None
    assert x.is_cpu and not x.is_cuda and x.get_device() == -1


def test_device_objects():
    assert repr(torch.device("cuda", 1)) == "device(type='cuda', index=1)"
    assert str(torch.device("cuda:0")) == "cuda:0"
    assert torch.device("cuda:1").index == 1 and torch.device("cuda:1").type == "cuda"
    # As in torch, a device never equals a string.
    assert (torch.device("cpu") == "cpu") is False and torch.device("cpu") != "cpu"
    assert torch.device("cpu") != torch.device("cpu", 0)
    assert str(torch.device("cpu")) == "cpu"
    assert pickle.loads(pickle.dumps(torch.device("cuda", 1))) == torch.device("cuda:1")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        torch.device("nope")


def test_autograd_fields():
    x = torch.zeros(2)
    assert x.is_leaf and not x.requires_grad and x.grad is None and x.grad_fn is None
    assert x.is_floating_point() and not x.is_complex() and x.is_signed()
    assert torch.zeros(2, dtype=torch.int64).requires_grad is False
    with raises(RuntimeError, "only Tensors of floating point dtype can require gradients"):
        torch.zeros(2, dtype=torch.int64).requires_grad_()
    assert torch.zeros(2, dtype=torch.complex64).requires_grad_().requires_grad


# ---------------------------------------------------------------- item / tolist / numpy


def test_item():
    assert torch.tensor(3.5).item() == 3.5
    assert type(torch.tensor(3).item()) is int and type(torch.tensor(3.).item()) is float
    assert torch.tensor([True]).item() is True
    assert torch.tensor([[7]]).item() == 7
    assert torch.tensor(0.1).item() == 0.10000000149011612  # the float32 value, as a Python float
    with raises(RuntimeError, "a Tensor with 2 elements cannot be converted to Scalar"):
        torch.tensor([1, 2]).item()


def test_tolist():
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert torch.tensor(2.5).tolist() == 2.5
    assert torch.tensor([True, False]).tolist() == [True, False]
    assert type(torch.tensor([1.5]).tolist()[0]) is float
    assert type(torch.tensor([1]).tolist()[0]) is int
    assert torch.tensor([1.5], dtype=torch.bfloat16).tolist() == [1.5]
    assert torch.zeros(0, 2).tolist() == []


def test_numpy():
    a = torch.tensor([1., 2.]).numpy()
    assert type(a) is np.ndarray and a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
    assert torch.tensor([1, 2]).numpy().dtype == np.int64
    assert torch.tensor([True]).numpy().dtype == np.bool_
    assert torch.arange(6.).reshape(2, 3).t().numpy().tolist() == [[0, 3], [1, 4], [2, 5]]
    with raises(RuntimeError, "Can't call numpy() on Tensor that requires grad. Use "
                              "tensor.detach().numpy() instead."):
        torch.ones(2, requires_grad=True).numpy()
    assert torch.ones(2, requires_grad=True).detach().numpy().tolist() == [1, 1]


@pytest.mark.torchlike_only
def test_array_protocol():
    t = torch.tensor([[1., 2.]])
    a = np.asarray(t)
    assert a.dtype == np.float32 and a.shape == (1, 2) and a.tolist() == [[1, 2]]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(torch.arange(6.).reshape(2, 3).t()).tolist() == [[0, 3], [1, 4], [2, 5]]
    assert t.__array__().tolist() == [[1, 2]]


def test_dlpack():
    t = torch.tensor([1., 2.])
    assert np.from_dlpack(t).tolist() == [1.0, 2.0]
    assert np.from_dlpack(torch.arange(4).view(2, 2)).tolist() == [[0, 1], [2, 3]]
    assert t.__dlpack_device__() == (1, 0)  # kDLCPU, device 0


# ---------------------------------------------------------------- len / iter / bool / numbers


def test_len_and_iter():
    assert len(torch.zeros(4, 2)) == 4 and len(torch.zeros(0)) == 0
    with raises(TypeError, "len() of a 0-d tensor"):
        len(torch.tensor(1.))
    rows = list(torch.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert [t.item() for t in torch.arange(4.)] == [0, 1, 2, 3]
    with raises(TypeError, "iteration over a 0-d tensor"):
        list(torch.tensor(1.))


def test_bool():
    assert bool(torch.tensor([1])) is True
    assert bool(torch.tensor(0.)) is False
    assert bool(torch.tensor([[True]])) is True
    with raises(RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"):
        bool(torch.tensor([1, 2]))
    with raises(RuntimeError, "Boolean value of Tensor with no values is ambiguous"):
        bool(torch.tensor([]))
    with raises(RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"):
        if torch.ones(2) > 0:
            pass


def test_float_int_complex():
    assert float(torch.tensor([2.5])) == 2.5
    assert int(torch.tensor(3.9)) == 3 and int(torch.tensor(-3.9)) == -3
    assert float(torch.tensor(3)) == 3.0 and complex(torch.tensor(2.)) == 2 + 0j
    with raises(ValueError, "only one element tensors can be converted to Python scalars"):
        float(torch.tensor([1., 2.]))
    with raises(ValueError, "only one element tensors can be converted to Python scalars"):
        int(torch.tensor([1, 2]))


def test_index():
    assert list(range(torch.tensor(3))) == [0, 1, 2]
    assert [10, 20, 30][torch.tensor(1)] == 20
    assert "abc"[torch.tensor([2])] == "c"
    assert operator.index(torch.tensor(True)) == 1
    msg = "only integer tensors of a single element can be converted to an index"
    with raises(TypeError, msg):
        [10, 20][torch.tensor(1.)]
    with raises(TypeError, msg):
        [10, 20][torch.tensor([0, 1])]


def test_format():
    assert f"{torch.tensor(2.5):.2f}" == "2.50"
    assert f"{torch.tensor(3)}" == "3"
    assert f"{torch.tensor([1., 2.])}" == "tensor([1., 2.])"


# ---------------------------------------------------------------- identity, copy, pickle


def test_hash_and_membership_are_identity():
    x = torch.arange(3.)
    assert hash(x) == hash(x) and x in [x]
    assert (x == x.clone()).tolist() == [True, True, True]


def test_deepcopy_and_pickle():
    x = torch.arange(3.)
    y = copy.deepcopy(x)
    y[0] = 5
    assert x.tolist() == [0, 1, 2] and y.tolist() == [5, 1, 2]
    z = pickle.loads(pickle.dumps(torch.arange(3, dtype=torch.int32)))
    assert z.tolist() == [0, 1, 2] and z.dtype == torch.int32
    assert repr(pickle.loads(pickle.dumps(torch.float64))) == "torch.float64"
    assert pickle.loads(pickle.dumps(torch.float64)) is torch.float64


def test_data_ptr_is_shared_by_views():
    x = torch.arange(6.).reshape(2, 3)
    assert x.data_ptr() == x.view(6).data_ptr()
    assert x[1].data_ptr() - x.data_ptr() == 12


def test_is_tensor():
    assert torch.is_tensor(torch.zeros(1)) and not torch.is_tensor(1)
    assert isinstance(torch.zeros(1), torch.Tensor)
    assert torch.is_floating_point(torch.zeros(1))
    assert not torch.is_floating_point(torch.zeros(1).long())


# ---------------------------------------------------------------- repr


@pytest.mark.parametrize("make, text", [
    (lambda: torch.tensor([1., 2.]), "tensor([1., 2.])"),
    (lambda: torch.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: torch.tensor([1.5, 2.]), "tensor([1.5000, 2.0000])"),
    (lambda: torch.tensor([1., 2.], dtype=torch.float64), "tensor([1., 2.], dtype=torch.float64)"),
    (lambda: torch.tensor([1, 2], dtype=torch.int32), "tensor([1, 2], dtype=torch.int32)"),
    (lambda: torch.tensor([1., 2.], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda: torch.tensor([]), "tensor([])"),
    (lambda: torch.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: torch.tensor(3.), "tensor(3.)"),
    (lambda: torch.tensor([True, False]), "tensor([ True, False])"),
    (lambda: torch.arange(6.).reshape(2, 3), "tensor([[0., 1., 2.],\n        [3., 4., 5.]])"),
    (lambda: torch.arange(6.).reshape(2, 3).t(),
     "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])"),
    (lambda: torch.arange(6.).reshape(2, 3)[:, 1], "tensor([1., 4.])"),
], ids=lambda v: None)
def test_repr(make, text):
    t = make()
    assert repr(t) == text and str(t) == text


def test_repr_float64_default(float64_default):
    assert repr(torch.tensor([1., 2.])) == "tensor([1., 2.])"
    assert repr(torch.tensor([1., 2.], dtype=torch.float32)) == \
        "tensor([1., 2.], dtype=torch.float32)"
