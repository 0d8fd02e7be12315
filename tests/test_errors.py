"""Bad input raises torch's exception class with torch's message, never a raw JAX error.

Each case: a call, the class torch 2.13 raises, and (a fragment of) its message.
"""

from __future__ import annotations

import re

import pytest

import torchlike as torch

X = torch.ones(2, 3)
I2 = torch.tensor([1, 2])

CASES = [
    # broadcasting
    ("add_shapes", lambda: X + torch.ones(2, 4), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ("mul_shapes", lambda: X * torch.ones(4), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"),
    ("sub_shapes", lambda: torch.ones(5, 3) - torch.ones(4, 1), RuntimeError,
     "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0"),
    ("pow_shapes", lambda: torch.ones(2).pow(torch.ones(3)), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ("where_shapes",
     lambda: torch.where(torch.tensor([True, False]), torch.ones(3), torch.zeros(2)), RuntimeError,
     "must match the size of tensor b"),
    ("masked_fill_shapes", lambda: torch.ones(2).masked_fill(torch.tensor([True, False, True]), 0.),
     RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    # dims out of range
    ("sum_dim", lambda: X.sum(2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("sum_neg_dim", lambda: X.sum(-3), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
    ("mean_dim", lambda: X.mean(dim=5), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ("argmax_dim", lambda: X.argmax(2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("max_dim", lambda: X.max(2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("std_dim", lambda: X.std(dim=3), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
    ("transpose_dim", lambda: X.transpose(0, 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("unsqueeze_dim", lambda: X.unsqueeze(3), IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
    ("squeeze_dim", lambda: X.squeeze(2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("flatten_dim", lambda: X.flatten(0, 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("cat_dim", lambda: torch.cat([X, X], dim=2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("stack_dim", lambda: torch.stack([X, X], dim=3), IndexError,
     "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
    ("split_dim", lambda: X.split([1, 1, 1], dim=2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("size_dim", lambda: X.size(2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("repeated_dim", lambda: X.sum(dim=(0, 0)), RuntimeError,
     "dim 0 appears multiple times in the list of dims"),
    # indices out of bounds
    ("int_index", lambda: X[2], IndexError, "index 2 is out of bounds for dimension 0 with size 2"),
    ("int_index_dim1", lambda: X[:, 3], IndexError,
     "index 3 is out of bounds for dimension 1 with size 3"),
    ("too_many", lambda: X[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    ("tensor_index", lambda: X[torch.tensor([0, 2])], IndexError,
     "index 2 is out of bounds for dimension 0 with size 2"),
    ("tensor_index_neg", lambda: X[torch.tensor([0, -3])], IndexError,
     "index -3 is out of bounds for dimension 0 with size 2"),
    ("tensor_index_dim1", lambda: X[:, torch.tensor([3])], IndexError,
     "index 3 is out of bounds for dimension"),
    ("float_index", lambda: X[torch.tensor([0.])], IndexError,
     "tensors used as indices must be long, int, byte or bool tensors"),
    ("str_index", lambda: X["a"], TypeError, "new(): invalid data type 'str'"),
    ("mask_shape", lambda: X[torch.tensor([True, False, True])], IndexError,
     "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] "
     "at index 0"),
    ("index_select_oob", lambda: torch.arange(6).index_select(0, torch.tensor([6])), IndexError,
     "index out of range in self"),
    ("index_select_2d", lambda: X.index_select(0, torch.tensor([[0]])), IndexError,
     "index_select(): Index is supposed to be a vector"),
    ("index_select_float", lambda: X.index_select(0, torch.tensor([0.])), RuntimeError,
     "index_select(): Expected dtype int32 or int64 for index"),
    ("gather_oob", lambda: torch.arange(6).gather(0, torch.tensor([6])), RuntimeError,
     "index 6 is out of bounds for dimension 0 with size 6"),
    ("gather_ndim", lambda: X.gather(1, torch.tensor([0, 1])), RuntimeError,
     "Index tensor must have the same number of dimensions as input tensor"),
    ("take_oob", lambda: torch.arange(6).take(torch.tensor([6])), IndexError,
     "out of range: tried to access index 6 on a tensor of 6 elements."),
    ("select_oob", lambda: X.select(1, 3), IndexError, "select(): index 3 out of range"),
    ("narrow_oob", lambda: X.narrow(0, 1, 2), RuntimeError,
     "start (1) + length (2) exceeds dimension size (2)."),
    # integer division by zero
    ("floordiv_zero_tensor", lambda: I2 // torch.tensor([0, 1]), RuntimeError, "ZeroDivisionError"),
    ("floordiv_zero_scalar", lambda: I2 // 0, RuntimeError, "ZeroDivisionError"),
    ("div_trunc_zero", lambda: I2.div(0, rounding_mode="trunc"), RuntimeError, "ZeroDivisionError"),
    ("div_floor_zero", lambda: I2.div(torch.tensor(0), rounding_mode="floor"), RuntimeError,
     "ZeroDivisionError"),
    ("mod_zero", lambda: I2 % 0, RuntimeError, "ZeroDivisionError"),
    ("remainder_zero", lambda: I2.remainder(torch.tensor([0, 1])), RuntimeError,
     "ZeroDivisionError"),
    ("int_neg_pow", lambda: torch.tensor([2]) ** -1, RuntimeError,
     "Integers to negative integer powers are not allowed."),
    # bad dtypes
    ("mean_int", lambda: I2.mean(), RuntimeError,
     "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
     "dtype. Got: Long"),
    ("mean_int_dim", lambda: I2.mean(0), RuntimeError, "could not infer output dtype"),
    ("mean_bool", lambda: torch.tensor([True]).mean(), RuntimeError, "Got: Bool"),
    ("std_int", lambda: I2.std(), RuntimeError,
     "std and var only support floating point and complex dtypes"),
    ("var_int", lambda: I2.var(), RuntimeError,
     "std and var only support floating point and complex dtypes"),
    ("bool_sub", lambda: torch.tensor([True, False]) - torch.tensor([True, True]), RuntimeError,
     "Subtraction, the `-` operator, with two bool tensors is not supported."),
    ("masked_fill_int_mask", lambda: torch.ones(2).masked_fill(torch.tensor([1, 0]), 0.),
     RuntimeError, "masked_fill_ only supports boolean masks, but got mask with dtype long int"),
    ("int_requires_grad", lambda: torch.zeros(2, dtype=torch.int64).requires_grad_(), RuntimeError,
     "only Tensors of floating point dtype can require gradients"),
    ("int_factory_requires_grad", lambda: torch.zeros(2, dtype=torch.int64, requires_grad=True),
     RuntimeError, "Only Tensors of floating point and complex dtype can require gradients"),
    ("inplace_cast", lambda: torch.ones(3, dtype=torch.int64).add_(1.5), RuntimeError,
     "result type Float can't be cast to the desired output type Long"),
    ("matmul_dtypes", lambda: X.matmul(torch.ones(3, 2, dtype=torch.int64)), RuntimeError,
     "expected m1 and m2 to have the same dtype"),
    # joins
    ("cat_sizes", lambda: torch.cat([X, torch.ones(2, 4)]), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor "
     "number 1 in the list."),
    ("cat_ndim", lambda: torch.cat([X, torch.ones(3)]), RuntimeError,
     "Tensors must have same number of dimensions: got 2 and 1"),
    ("cat_empty", lambda: torch.cat([]), ValueError,
     "torch.cat(): expected a non-empty list of Tensors"),
    ("cat_tensor", lambda: torch.cat(torch.ones(2)), TypeError,
     "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"),
    ("cat_zero_dim", lambda: torch.cat([torch.tensor(1.), torch.tensor(2.)]), RuntimeError,
     "zero-dimensional tensor (at position 0) cannot be concatenated"),
    ("stack_sizes", lambda: torch.stack([X, torch.ones(3, 2)]), RuntimeError,
     "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1"),
    ("stack_empty", lambda: torch.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    # shapes
    ("view_numel", lambda: X.view(4), RuntimeError, "shape '[4]' is invalid for input of size 6"),
    ("view_infer", lambda: X.view(-1, 4), RuntimeError,
     "shape '[-1, 4]' is invalid for input of size 6"),
    ("reshape_numel", lambda: X.reshape(4, 2), RuntimeError,
     "shape '[4, 2]' is invalid for input of size 6"),
    ("reshape_two_infer", lambda: X.reshape(-1, -1), RuntimeError,
     "only one dimension can be inferred"),
    ("view_negative", lambda: X.view(-2, 3), RuntimeError,
     "invalid shape dimension -2 at index 0 of shape [-2, 3]"),
    ("view_zero_numel_infer", lambda: torch.ones(0, 3).view(-1, 0), RuntimeError,
     "cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension "
     "size -1 can be any value and is ambiguous"),
    ("view_noncontiguous", lambda: X.t().view(6), RuntimeError,
     "view size is not compatible with input tensor's size and stride"),
    ("expand_size", lambda: X.expand(3, 3), RuntimeError,
     "The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
     "dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]"),
    ("permute_len", lambda: X.permute(0, 1, 2), RuntimeError,
     "number of dimensions in the tensor input does not match the length of the desired ordering"),
    ("matmul_shapes", lambda: X @ torch.ones(2, 3), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ("mm_vector", lambda: torch.mm(X, torch.ones(3)), RuntimeError, "mat2 must be a matrix"),
    ("dot_sizes", lambda: torch.ones(3).dot(torch.ones(4)), RuntimeError,
     "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
     "elements"),
    # arguments
    ("item_many", lambda: torch.ones(2).item(), RuntimeError,
     "a Tensor with 2 elements cannot be converted to Scalar"),
    ("add_str", lambda: torch.add(torch.ones(2), "a"), TypeError, None),
    ("add_str_dunder", lambda: torch.ones(2) + "a", TypeError, None),
    ("add_none_dunder", lambda: torch.ones(2) + None, TypeError, None),
    ("exp_float", lambda: torch.exp(3.0), TypeError,
     "exp(): argument 'input' (position 1) must be Tensor, not float"),
    ("clamp_nothing", lambda: X.clamp(), RuntimeError,
     "torch.clamp: At least one of 'min' or 'max' must not be None"),
    ("max_empty", lambda: torch.tensor([]).max(), RuntimeError,
     "max(): Expected reduction dim to be specified for input.numel() == 0."),
    ("to_bad_device", lambda: X.to("nope"), RuntimeError,
     "device type at start of device string: nope"),
    ("to_bad_dtype", lambda: X.to(dtype="float99"), TypeError, None),
    # creation
    ("ones_negative", lambda: torch.ones(-1), RuntimeError,
     "Trying to create tensor with negative dimension -1: [-1]"),
    ("zeros_negative", lambda: torch.zeros(2, -3), RuntimeError, None),
    ("arange_zero_step", lambda: torch.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
    ("arange_sign", lambda: torch.arange(10, 0, 1), RuntimeError,
     "upper bound and lower bound inconsistent with step sign"),
    ("linspace_negative", lambda: torch.linspace(0, 1, -1), RuntimeError,
     "number of steps must be non-negative"),
    ("eye_negative", lambda: torch.eye(-1), RuntimeError,
     "n must be greater or equal to 0, got -1"),
    ("ragged", lambda: torch.tensor([[1, 2], [3]]), ValueError,
     "expected sequence of length 2 at dim 1 (got 1)"),
    ("str_data", lambda: torch.tensor([1, "a"]), TypeError, "new(): invalid data type 'str'"),
    ("none_data", lambda: torch.tensor([1, None]), RuntimeError,
     "Could not infer dtype of NoneType"),
    ("int_overflow", lambda: torch.tensor([2 ** 63]), ValueError,
     "Overflow when unpacking long long"),
    ("uint8_overflow", lambda: torch.tensor([300], dtype=torch.uint8), RuntimeError,
     "value cannot be converted to type uint8 without overflow"),
    ("set_default_int", lambda: torch.set_default_dtype(torch.int64), TypeError,
     "only floating-point types are supported as the default type"),
    ("finfo_int", lambda: torch.finfo(torch.int32), TypeError,
     "torch.finfo() requires a floating point input type."),
    ("iinfo_float", lambda: torch.iinfo(torch.float32), TypeError,
     "torch.iinfo() requires an integer input type."),
    ("iinfo_bool", lambda: torch.iinfo(torch.bool), TypeError,
     "torch.bool is not supported by torch.iinfo"),
    ("unbind_0d", lambda: torch.tensor(1.).unbind(), IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    ("split_0d", lambda: torch.tensor(1.).split(1), RuntimeError,
     "split expects at least a 1-dimensional tensor"),
    ("chunk_0d", lambda: torch.tensor(1.).chunk(1), RuntimeError,
     "chunk expects at least a 1-dimensional tensor"),
    ("narrow_0d", lambda: torch.tensor(1.).narrow(0, 0, 1), RuntimeError,
     "narrow() cannot be applied to a 0-dim tensor."),
    ("narrow_negative_length", lambda: torch.zeros(3).narrow(0, 0, -1), RuntimeError,
     "narrow(): length must be non-negative."),
    ("narrow_start", lambda: torch.zeros(3).narrow(0, -4, 1), IndexError,
     "start out of range (expected to be in range of [-3, 3], but got -4)"),
    ("index_select_0d_many", lambda: torch.tensor(5.).index_select(0, torch.tensor([0, 0])),
     RuntimeError, "index_select(): Index to scalar can have only 1 value, got 2 value(s)"),
    ("gather_out_dtype", lambda: torch.gather(torch.ones(2, 2), 1, torch.tensor([[0, 0], [1, 0]]),
                                              out=torch.ones(2, 2, dtype=torch.float64)),
     RuntimeError, "Expected out tensor to have dtype float, but got double instead"),
    ("gather_index_size", lambda: torch.zeros(2, 2).gather(0, torch.tensor([[0, 1, 1]])),
     RuntimeError, "Size does not match at dimension 1 expected index [1, 3] to be no larger than "
                   "self [2, 2] apart from dimension 0"),
    ("scatter_index_size", lambda: torch.zeros(2, 2).scatter(0, torch.tensor([[0, 1, 1]]),
                                                            torch.ones(2, 2)),
     RuntimeError, "Expected index [1, 3] to be no larger than self [2, 2] apart from dimension 0 "
                   "and to be no larger size than src [2, 2]"),
    ("scatter_dtypes", lambda: torch.zeros(2, 2).scatter(0, torch.tensor([[0, 1]]),
                                                        torch.ones(1, 2, dtype=torch.float64)),
     RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"),
    ("masked_fill_complex", lambda: torch.ones(2).masked_fill(torch.tensor([True, False]), 1j),
     RuntimeError, "value cannot be converted to type float without overflow"),
    ("full_complex", lambda: torch.full((2,), 1.5j, dtype=torch.float32), RuntimeError,
     "value cannot be converted to type float without overflow"),
    ("unflatten_sizes", lambda: torch.zeros(2, 12).unflatten(1, (5, -1)), RuntimeError,
     "unflatten: Provided sizes [5, -1] don't multiply up to the size of dim 1 (12) in the input "
     "tensor"),
    ("broadcast_shapes", lambda: torch.broadcast_shapes((2, 3), (4,)), RuntimeError,
     "Attempting to broadcast a dimension of length 4 at -1! Mismatching argument at index 1 had "
     "(4,); but expected shape should be broadcastable to [2, 3]"),
    ("broadcast_shapes_negative", lambda: torch.broadcast_shapes((2, -1)), ValueError,
     "Attempting to broadcast a dimension with negative length!"),
    ("logspace_float_steps", lambda: torch.logspace(0, 3, 1.0), TypeError, None),
    ("neg_bool", lambda: -torch.tensor([True]), RuntimeError,
     "Negation, the `-` operator, on a bool tensor is not supported."),
    ("and_float", lambda: torch.tensor([1.]) & torch.tensor([1.]), NotImplementedError,
     "\"bitwise_and_cpu\" not implemented for 'Float'"),
    ("argmax_empty", lambda: torch.tensor([]).argmax(), IndexError,
     "argmax(): Expected reduction dim to be specified for input.numel() == 0."),
    ("invert_float", lambda: ~torch.tensor([1.5]), TypeError,
     "~ (operator.invert) is only implemented on integer and Boolean-type tensors"),
]

# torchlike bugs in files owned elsewhere (pointwise.py): strict xfail until fixed.
XFAIL: dict = {}
XFAIL_CASES: list = []

_JAXISH = re.compile(r"\bjax|jnp|XlaRuntime|\blax\b|Traceback|Tracer|dtype float32\.")


def _params():
    out = [pytest.param(*c[1:], id=c[0]) for c in CASES]
    for c in XFAIL_CASES:
        out.append(pytest.param(*c[1:], id=c[0],
                                marks=pytest.mark.xfail(reason=XFAIL[c[0]], strict=True)))
    return out


@pytest.mark.parametrize("call, exc, msg", _params())
def test_error(call, exc, msg):
    with pytest.raises(Exception) as info:
        call()
    e = info.value
    assert type(e) is exc, f"{type(e).__name__}: {e}"
    if msg is not None:
        assert msg in str(e)
    assert not _JAXISH.search(str(e)), f"JAX leaks into the message: {e}"


def test_failed_ops_leave_operands_unchanged():
    x = torch.ones(2, 3)
    for bad in (lambda: x.add_(torch.ones(4)), lambda: x.copy_(torch.ones(3, 3)),
                lambda: x.mul_(torch.ones(2, 1, 3))):
        with pytest.raises(RuntimeError):
            bad()
    assert x.tolist() == [[1, 1, 1], [1, 1, 1]] and x._version == 0


def test_float_division_by_zero_is_inf():
    assert (torch.tensor([1, 2]) / 0).tolist() == [float("inf")] * 2
    assert (torch.tensor([1., -2.]) // 0).tolist() == [float("inf"), float("-inf")]
