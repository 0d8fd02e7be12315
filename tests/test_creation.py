"""Creation ops: tensor() dtype inference, filled tensors, *_like, new_*, ranges, eye, and the
default dtype.  Values and dtypes checked against torch 2.13."""

from __future__ import annotations

import re

import numpy as np
import pytest

import torchlike as torch


def raises(exc, match):
    return pytest.raises(exc, match=re.escape(match))


def check(t, dtype, values, shape=None):
    assert t.dtype is dtype, t.dtype
    assert t.tolist() == values
    if shape is not None:
        assert tuple(t.shape) == shape


# ---------------------------------------------------------------- tensor()


@pytest.mark.parametrize("data, dtype, values", [
    (1, torch.int64, 1),
    (1., torch.float32, 1.0),
    (True, torch.bool, True),
    (1j, torch.complex64, 1j),
    ([1, 2.5], torch.float32, [1.0, 2.5]),
    ([True, 2], torch.int64, [1, 2]),
    ([True, False], torch.bool, [True, False]),
    ([1, 2j], torch.complex64, [1 + 0j, 2j]),
    ([[1, 2], [3, 4]], torch.int64, [[1, 2], [3, 4]]),
    ((1, 2), torch.int64, [1, 2]),
    ([(1, 2), (3, 4)], torch.int64, [[1, 2], [3, 4]]),
    ([], torch.float32, []),
    (2 ** 40, torch.int64, 2 ** 40),
    ([2 ** 63 - 1], torch.int64, [2 ** 63 - 1]),
    ([float("inf"), -float("inf")], torch.float32, [float("inf"), -float("inf")]),
], ids=lambda v: None)
def test_tensor_python_inference(data, dtype, values):
    check(torch.tensor(data), dtype, values)


@pytest.mark.parametrize("data, dtype", [
    (np.array([1., 2.]), torch.float64),
    (np.array([1., 2.], dtype=np.float32), torch.float32),
    (np.array([1, 2], dtype=np.int32), torch.int32),
    (np.array([1, 2]), torch.int64),
    (np.array([1, 2], dtype=np.uint8), torch.uint8),
    (np.array([1, 2], dtype=np.int16), torch.int16),
    (np.array(True), torch.bool),
    (np.float64(2.5), torch.float64),
    (np.float32(2.5), torch.float32),
    (np.int32(3), torch.int32),
    # numpy scalars and arrays inside lists keep their dtypes and promote with the rest
    ([np.float64(1.5), 2.], torch.float64),
    ([1, np.float64(2)], torch.float64),
    ([np.float32(1.5), 2.], torch.float32),
    ([np.int32(1), np.int32(2)], torch.int32),
    ([np.int16(1), np.int32(2)], torch.int32),
    ([np.uint8(1), np.int8(2)], torch.int16),
    ([np.int32(1), 2.5], torch.float32),
    ([np.int32(1), 2], torch.int64),
    ([np.float16(1), np.float16(2)], torch.float16),
    ([[np.float64(1)], [2.]], torch.float64),
    ([np.array([1., 2.]), np.array([3., 4.])], torch.float64),
], ids=lambda v: None)
def test_tensor_numpy_inference(data, dtype):
    assert torch.tensor(data).dtype is dtype


def test_tensor_from_tensors():
    check(torch.tensor(torch.tensor([1, 2])), torch.int64, [1, 2])
    check(torch.tensor([torch.tensor(1.), torch.tensor(2.)]), torch.float32, [1.0, 2.0])
    check(torch.tensor([torch.tensor(1), 2.5]), torch.float32, [1.0, 2.5])
    check(torch.tensor([torch.tensor(1, dtype=torch.int32), torch.tensor(2, dtype=torch.int32)]),
          torch.int32, [1, 2])
    check(torch.tensor([torch.tensor(1., dtype=torch.float64), 2.]), torch.float64, [1.0, 2.0])


def test_tensor_copies():
    a = torch.tensor([1., 2.])
    b = torch.tensor(a)
    b[0] = 5
    assert a.tolist() == [1, 2]
    n = np.array([1., 2.])
    t = torch.tensor(n)
    n[0] = 5
    assert t.tolist() == [1, 2]


def test_tensor_explicit_dtype():
    check(torch.tensor([[1, 2], [3, 4]], dtype=torch.float64), torch.float64, [[1, 2], [3, 4]])
    check(torch.tensor([1.7, -1.7], dtype=torch.int64), torch.int64, [1, -1])
    check(torch.tensor(3, dtype=torch.float32), torch.float32, 3.0)
    check(torch.tensor([0, 2], dtype=torch.bool), torch.bool, [False, True])
    check(torch.tensor([1., 2.], dtype=torch.int8), torch.int8, [1, 2])
    check(torch.tensor([1., 2.], dtype=torch.bfloat16), torch.bfloat16, [1, 2])
    check(torch.tensor([-1], dtype=torch.uint8), torch.uint8, [255])
    check(torch.tensor([1, 2.5], dtype=torch.bool), torch.bool, [True, True])
    assert torch.tensor([[1., 2.]], dtype=torch.float16).dtype is torch.float16


def test_tensor_shapes():
    assert torch.tensor([[]]).shape == (1, 0)
    assert torch.tensor([[], []]).shape == (2, 0)
    assert torch.tensor(()).shape == (0,)
    assert torch.tensor(5).shape == ()
    assert torch.tensor(np.array([[1.], [2.]]).T).is_contiguous()


def test_tensor_errors():
    with raises(ValueError, "expected sequence of length 2 at dim 1 (got 1)"):
        torch.tensor([[1, 2], [3]])
    with raises(ValueError, "expected sequence of length 1 at dim 1 (got 0)"):
        torch.tensor([[1], []])
    with raises(ValueError, "expected sequence of length 1 at dim 2 (got 2)"):
        torch.tensor([[[1], [2]], [[3], [4, 5]]])
    with raises(TypeError, "new(): invalid data type 'str'"):
        torch.tensor("abc")
    with raises(RuntimeError, "Could not infer dtype of NoneType"):
        torch.tensor(None)
    with raises(RuntimeError, "Could not infer dtype of object"):
        torch.tensor(object())
    with raises(ValueError, "Overflow when unpacking long long"):
        torch.tensor(2 ** 64)
    with raises(RuntimeError, "value cannot be converted to type int8 without overflow"):
        torch.tensor([128], dtype=torch.int8)
    with raises(TypeError, "can't convert np.ndarray of type numpy."):
        torch.tensor(np.array(["a"]))


def test_requires_grad_at_creation():
    t = torch.tensor([1., 2.], requires_grad=True)
    assert t.requires_grad and t.is_leaf
    assert torch.zeros(2, requires_grad=True).requires_grad
    with raises(RuntimeError, "Only Tensors of floating point and complex dtype can require "
                              "gradients"):
        torch.tensor([1, 2], requires_grad=True)


# ---------------------------------------------------------------- filled


def test_zeros_ones_empty_size_forms():
    check(torch.zeros(2, 3), torch.float32, [[0, 0, 0]] * 2)
    check(torch.zeros((2, 3)), torch.float32, [[0, 0, 0]] * 2)
    check(torch.zeros([2]), torch.float32, [0, 0])
    assert torch.zeros(torch.Size([1, 2])).shape == (1, 2)
    check(torch.zeros(()), torch.float32, 0.0, ())
    assert torch.zeros(0).shape == (0,)
    check(torch.zeros(2, dtype=torch.int32), torch.int32, [0, 0])
    check(torch.ones(2, 2), torch.float32, [[1, 1], [1, 1]])
    check(torch.ones(3, dtype=torch.bool), torch.bool, [True] * 3)
    assert torch.empty(2, 3).shape == (2, 3) and torch.empty(2).dtype is torch.float32


def test_full_infers_dtype():
    t = torch.full((2, 3), 3.14)
    assert t.dtype is torch.float32 and t.shape == (2, 3)
    assert t[0, 0].item() == pytest.approx(3.14, rel=1e-7)
    assert t.tolist() == [[3.140000104904175] * 3] * 2
    check(torch.full((2,), 7), torch.int64, [7, 7])
    check(torch.full((2,), True), torch.bool, [True, True])
    check(torch.full((2,), 1.5, dtype=torch.float64), torch.float64, [1.5, 1.5])
    check(torch.full([2], 2j), torch.complex64, [2j, 2j])
    check(torch.full((1,), 7, dtype=torch.float32), torch.float32, [7.0])
    check(torch.full((2,), torch.tensor(2.5)), torch.float32, [2.5, 2.5])
    check(torch.full((2,), np.float64(2.5)), torch.float32, [2.5, 2.5])


def test_like():
    x = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    check(torch.zeros_like(x), torch.int32, [[0, 0], [0, 0]])
    check(torch.ones_like(x, dtype=torch.float32), torch.float32, [[1, 1], [1, 1]])
    e = torch.empty_like(x)
    assert e.shape == (2, 2) and e.dtype is torch.int32
    check(torch.full_like(x, 7), torch.int32, [[7, 7], [7, 7]])
    check(torch.full_like(x, 2.7), torch.int32, [[2, 2], [2, 2]])
    check(torch.full_like(torch.ones(2), 2.7), torch.float32, [2.700000047683716] * 2)
    y = torch.zeros_like(x)
    y[0, 0] = 5
    assert x[0, 0].item() == 1  # a new storage


def test_new():
    x = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    check(x.new_zeros(3), torch.int32, [0, 0, 0])
    check(x.new_ones((2, 1)), torch.int32, [[1], [1]])
    check(x.new_full((2,), 5), torch.int32, [5, 5])
    assert x.new_empty(2).dtype is torch.int32 and x.new_empty(2).shape == (2,)
    check(x.new_tensor([1.5, 2.5]), torch.int32, [1, 2])
    check(x.new_zeros(2, dtype=torch.float64), torch.float64, [0, 0])
    check(x.new_tensor([1, 2], dtype=torch.float32), torch.float32, [1, 2])
    f = torch.ones(2, dtype=torch.float64)
    check(f.new_tensor([1, 2]), torch.float64, [1, 2])
    check(f.new_tensor(3), torch.float64, 3.0)
    check(f.new_zeros(()), torch.float64, 0.0)
    check(torch.ones(2).new_full((2,), 3, dtype=torch.int64), torch.int64, [3, 3])


def test_legacy_constructor():
    check(torch.Tensor([1, 2]), torch.float32, [1, 2])
    assert torch.Tensor(2, 3).shape == (2, 3) and torch.Tensor(2, 3).dtype is torch.float32
    assert torch.Tensor().shape == (0,)
    assert torch.Tensor([[1], [2]]).dtype is torch.float32
    check(torch.scalar_tensor(3), torch.float32, 3.0)
    check(torch.scalar_tensor(True), torch.float32, 1.0)


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize("args, kwargs, dtype, values", [
    ((5,), {}, torch.int64, [0, 1, 2, 3, 4]),
    ((1, 4), {}, torch.int64, [1, 2, 3]),
    ((0, 1, 0.25), {}, torch.float32, [0, 0.25, 0.5, 0.75]),
    ((5.,), {}, torch.float32, [0, 1, 2, 3, 4]),
    ((5, 0, -1), {}, torch.int64, [5, 4, 3, 2, 1]),
    ((10, 1, -3), {}, torch.int64, [10, 7, 4]),
    ((3,), {"dtype": torch.float64}, torch.float64, [0, 1, 2]),
    ((-1., -2., -0.5), {}, torch.float32, [-1, -1.5]),
    ((2.5,), {}, torch.float32, [0, 1, 2]),
    ((0, 5, 2), {"dtype": torch.float32}, torch.float32, [0, 2, 4]),
    ((1.5, 4), {"dtype": torch.int64}, torch.int64, [1, 2, 3]),
    ((0, 5, 1.5), {"dtype": torch.int32}, torch.int32, [0, 1, 2, 3]),
    ((np.int64(3),), {}, torch.int64, [0, 1, 2]),
    ((0, 0), {}, torch.int64, []),
    ((0, 1, 0.1), {}, torch.float32,
     [0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5,
      0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421]),
    ((-1, 1, 0.3), {}, torch.float32,
     [-1.0, -0.699999988079071, -0.4000000059604645, -0.10000000149011612, 0.20000000298023224,
      0.5, 0.800000011920929]),
    ((0, 1, 0.1), {"dtype": torch.float64}, torch.float64,
     [0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8,
      0.9]),
], ids=lambda v: None)
def test_arange(args, kwargs, dtype, values):
    check(torch.arange(*args, **kwargs), dtype, values)


def test_arange_tensor_bounds():
    check(torch.arange(torch.tensor(3)), torch.int64, [0, 1, 2])
    check(torch.arange(torch.tensor(3.)), torch.float32, [0, 1, 2])


@pytest.mark.parametrize("args, kwargs, dtype, values", [
    ((0, 1, 5), {}, torch.float32, [0.0, 0.25, 0.5, 0.75, 1.0]),
    ((-1, 1, 4), {}, torch.float32, [-1.0, -0.3333333134651184, 0.3333333134651184, 1.0]),
    ((0, 10, 1), {}, torch.float32, [0.0]),
    ((0, 10, 0), {}, torch.float32, []),
    ((0, 1, 3), {"dtype": torch.float64}, torch.float64, [0.0, 0.5, 1.0]),
    ((0, 10, 4), {"dtype": torch.int64}, torch.int64, [0, 3, 6, 10]),
    ((1, 0, 5), {}, torch.float32, [1.0, 0.75, 0.5, 0.25, 0.0]),
    ((0, 1, 7), {}, torch.float32,
     [0.0, 0.1666666716337204, 0.3333333432674408, 0.5, 0.6666666269302368, 0.8333333134651184,
      1.0]),
    ((0.1, 0.7, 9), {}, torch.float32,
     [0.10000000149011612, 0.17499999701976776, 0.25, 0.32499998807907104, 0.4000000059604645,
      0.4749999940395355, 0.550000011920929, 0.625, 0.699999988079071]),
    ((3, -2.5, 6), {}, torch.float32,
     [3.0, 1.899999976158142, 0.7999999523162842, -0.2999999523162842, -1.399999976158142, -2.5]),
    ((-1, 1, 4), {"dtype": torch.float64}, torch.float64,
     [-1.0, -0.33333333333333337, 0.33333333333333337, 1.0]),
    ((0, 1, 7), {"dtype": torch.float64}, torch.float64,
     [0.0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666667, 0.8333333333333334,
      1.0]),
], ids=lambda v: None)
def test_linspace(args, kwargs, dtype, values):
    check(torch.linspace(*args, **kwargs), dtype, values)


@pytest.mark.parametrize("args, kwargs, dtype, values", [
    ((0, 2, 3), {}, torch.float32, [1.0, 10.0, 100.0]),
    ((0, 3, 4), {"base": 2}, torch.float32, [1.0, 2.0, 4.0, 8.0]),
    ((0, 1, 1), {}, torch.float32, [1.0]),
    ((-1, 1, 3), {"dtype": torch.float64}, torch.float64, [0.1, 1.0, 10.0]),
    ((0, 1, 7), {}, torch.float32,
     [1.0, 1.4677993059158325, 2.1544346809387207, 3.1622776985168457, 4.6415886878967285,
      6.812920570373535, 10.0]),
    ((-2, 2.5, 9), {"base": 3}, torch.float32,
     [0.1111111119389534, 0.2061285674571991, 0.38240090012550354, 0.7094137668609619,
      1.316074013710022, 2.441524028778076, 4.5294108390808105, 8.402769088745117,
      15.588457107543945]),
    ((0, 3, 4), {"dtype": torch.int64}, torch.int64, [1, 10, 100, 1000]),
], ids=lambda v: None)
def test_logspace(args, kwargs, dtype, values):
    check(torch.logspace(*args, **kwargs), dtype, values)


def test_eye():
    check(torch.eye(2), torch.float32, [[1, 0], [0, 1]])
    check(torch.eye(2, 3), torch.float32, [[1, 0, 0], [0, 1, 0]])
    check(torch.eye(3, 2, dtype=torch.int64), torch.int64, [[1, 0], [0, 1], [0, 0]])
    assert torch.eye(0).shape == (0, 0)
    check(torch.eye(2, dtype=torch.bool), torch.bool, [[True, False], [False, True]])


# ---------------------------------------------------------------- default dtype


def test_default_dtype_is_float32():
    assert torch.get_default_dtype() is torch.float32
    assert torch.tensor([1.5]).dtype is torch.float32


def test_set_default_dtype_float64(float64_default):
    assert torch.get_default_dtype() is torch.float64
    for t in (torch.tensor([1.5]), torch.zeros(1), torch.arange(2.), torch.linspace(0, 1, 2),
              torch.full((1,), 2.5), torch.eye(1), torch.Tensor([1]), torch.logspace(0, 1, 2),
              torch.scalar_tensor(1), torch.tensor([1, 2]) + 2.5):
        assert t.dtype is torch.float64, t
    assert torch.tensor(1j).dtype is torch.complex128
    assert torch.full((1,), 1 + 1j).dtype is torch.complex128
    assert torch.tensor([1, 2]).dtype is torch.int64
    assert (torch.ones(1, dtype=torch.float32) * 2.5).dtype is torch.float32
    assert (torch.tensor([1.5], dtype=torch.float32) + torch.tensor(1.0)).dtype is torch.float32
    assert torch.tensor(np.float32(1.5)).dtype is torch.float32
    assert torch.tensor([1]).float().dtype is torch.float32
    assert torch.finfo().bits == 64
    assert torch.linspace(0, 1, 7).tolist() == [0.0, 0.16666666666666666, 0.3333333333333333, 0.5,
                                                0.6666666666666667, 0.8333333333333334, 1.0]


def test_int_to_float_ops_follow_default_dtype():
    i = torch.tensor([1, 2])
    assert (i / 2).dtype is torch.float32 and i.sqrt().dtype is torch.float32  # warm the caches
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert (i / 2).dtype is torch.float64
        assert i.sqrt().dtype is torch.float64
    finally:
        torch.set_default_dtype(old)


def test_default_dtype_restored():
    # runs after (or without) the float64 test in the same process: the fixture restores.
    assert torch.get_default_dtype() is torch.float32
    assert torch.zeros(1).dtype is torch.float32
