"""torchlike.testing: assert_close, assert_allclose and make_tensor against torch 2.13.

Every expected message below was printed by torch 2.13.0 (torch.testing) for the same call.
Where torch names its own classes (``<class 'torch.Tensor'>``) the test maps them to ours.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import torchlike as torch
import torchlike.testing
from torchlike.testing import assert_close, make_tensor

t = torch.tensor
nan, inf = float("nan"), float("inf")

# (id, thunk, exception type, message recorded from torch)
CASES = [
    ("basic", lambda: assert_close(t([1., 2., 3.]), t([1., 4., 5.])), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\n"
     "Greatest absolute difference: 2.0 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.5 at index (1,) (up to 1.3e-06 allowed)"),
    ("msg_str", lambda: assert_close(t([1., 2., 3.]), t([1., 4., 5.]), msg="Argh"),
     AssertionError, "Argh"),
    ("msg_callable", lambda: assert_close(
        [t([1.]), {"a": t([1., 2.]), "b": 2.0}], [t([1.]), {"a": t([1., 2.5]), "b": 2.0}],
        msg=lambda m: f"H\n{m}\nF"), AssertionError,
     "H\nTensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)"
     "\n\nThe failure occurred for item [1]['a']\nF"),
    ("dtype", lambda: assert_close(t([1.]), t([1.], dtype=torch.float64)), AssertionError,
     "The values for attribute 'dtype' do not match: torch.float32 != torch.float64."),
    ("shape", lambda: assert_close(t([1., 2.]), t([[1., 2.]])), AssertionError,
     "The values for attribute 'shape' do not match: torch.Size([2]) != torch.Size([1, 2])."),
    ("stride", lambda: assert_close(torch.arange(6.).reshape(2, 3),
                                    torch.arange(6.).reshape(2, 3).t().contiguous().t(),
                                    check_stride=True), AssertionError,
     "The values for attribute 'stride()' do not match: (3, 1) != (1, 2)."),
    ("nan", lambda: assert_close(t([nan, 1.]), t([nan, 1.])), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: nan at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)"),
    ("scalars_equal", lambda: assert_close(1e-9, 1e-10, rtol=0, atol=0), AssertionError,
     "Scalars are not equal!\n\nExpected 1e-10 but got 1e-09.\n"
     "Absolute difference: 9.000000000000001e-10\nRelative difference: 9.0"),
    ("int_float", lambda: assert_close(1, 1.0), AssertionError,
     "The (d)types do not match: <class 'int'> != <class 'float'>."),
    ("int_float_nodtype", lambda: assert_close(1, 1.5, check_dtype=False), AssertionError,
     "Scalars are not close!\n\nExpected 1.5 but got 1.\n"
     "Absolute difference: 0.5 (up to 1e-07 allowed)\n"
     "Relative difference: 0.3333333333333333 (up to 1e-07 allowed)"),
    ("ints", lambda: assert_close(t([[1, 2], [3, 4]]), t([[1, 0], [3, 9]])), AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 2 / 4 (50.0%)\n"
     "Greatest absolute difference: 5 at index (1, 1)\n"
     "Greatest relative difference: inf at index (0, 1)"),
    ("bools", lambda: assert_close(t([True, False, True]), t([True, True, False])),
     AssertionError, "Tensor-likes are not equal!\n\nMismatched elements: 2 / 3 (66.7%)\n"
     "Greatest absolute difference: 1 at index (1,)\n"
     "Greatest relative difference: inf at index (2,)"),
    ("zero_dim", lambda: assert_close(t(1.5), t(2.0)), AssertionError,
     "Scalars are not close!\n\nExpected 2.0 but got 1.5.\n"
     "Absolute difference: 0.5 (up to 1e-05 allowed)\n"
     "Relative difference: 0.25 (up to 1.3e-06 allowed)"),
    ("length", lambda: assert_close([1, 2], [1, 2, 3], msg="ignored"), AssertionError,
     "The length of the sequences mismatch: 2 != 3"),
    ("keys", lambda: assert_close({"a": 1, "b": 2}, {"a": 1, "c": 2}), AssertionError,
     "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['c']\n"
     "Additional keys in the actual mapping: ['b']"),
    ("rtol_only", lambda: assert_close(t([1.]), t([1.]), rtol=1e-3), ValueError,
     "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    ("tensor_numpy", lambda: assert_close(t([1.]), np.array([1.])), TypeError,
     "No comparison pair was able to handle inputs of type <class 'torch.Tensor'> and "
     "<class 'numpy.ndarray'>."),
    ("numpy64", lambda: assert_close(np.array([1., 2.]), np.array([1., 2.1])), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.10000000000000009 at index (1,) (up to 1e-07 allowed)\n"
     "Greatest relative difference: 0.04761904761904766 at index (1,) (up to 1e-07 allowed)"),
    ("numpy32", lambda: assert_close(np.array([1., 2.], dtype=np.float32),
                                     np.array([1., 2.1], dtype=np.float32)), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)"),
    ("none", lambda: assert_close(None, 1), AssertionError, "None mismatch: None is not 1"),
    ("bool", lambda: assert_close(True, False), AssertionError,
     "Booleans mismatch: True is not False"),
    ("no_subclasses", lambda: assert_close(torch.nn.Parameter(t([1.])), t([1.]),
                                           allow_subclasses=False), TypeError,
     "No comparison pair was able to handle inputs of type "
     "<class 'torch.nn.parameter.Parameter'> and <class 'torch.Tensor'>."),
    ("inf", lambda: assert_close(t([inf, 0., 1.]), t([1., 1e-3, 1.])), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\n"
     "Greatest absolute difference: inf at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: inf at index (0,) (up to 1.3e-06 allowed)"),
    ("complex", lambda: assert_close(t([1 + 1j, 2 + 2j]), t([1 + 1j, 2 + 3j])), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.2773500978946686 at index (1,) (up to 1.3e-06 allowed)"),
    ("half", lambda: assert_close(t([1., 2.], dtype=torch.float16),
                                  t([1., 2.01], dtype=torch.float16)), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.009765625 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.00485992431640625 at index (1,) (up to 0.001 allowed)"),
    ("bfloat16", lambda: assert_close(t([1., 2.], dtype=torch.bfloat16),
                                      t([1., 2.1], dtype=torch.bfloat16)), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.09375 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.044677734375 at index (1,) (up to 0.016 allowed)"),
    ("2d", lambda: assert_close(t([[1., 2., 3.], [4., 5., 6.]]),
                                t([[1., 2.5, 3.], [4., 5., 0.1]])), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 2 / 6 (33.3%)\n"
     "Greatest absolute difference: 5.900000095367432 at index (1, 2) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 59.0 at index (1, 2) (up to 1.3e-06 allowed)"),
    ("tolerances", lambda: assert_close(t([1., 2.]), t([1.01, 2.]), rtol=0, atol=1e-3),
     AssertionError, "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.009999990463256836 at index (0,) (up to 0.001 allowed)\n"
     "Greatest relative difference: 0.00990098062902689 at index (0,) (up to 0 allowed)"),
    ("string", lambda: assert_close("a", "b"), TypeError,
     "No comparison pair was able to handle inputs of type <class 'str'> and <class 'str'>."),
    ("tensor_float", lambda: assert_close(t(1.), 1.), TypeError,
     "No comparison pair was able to handle inputs of type <class 'torch.Tensor'> and "
     "<class 'float'>."),
    ("numpy_scalars", lambda: assert_close(np.float32(1.0), np.float32(1.5)), AssertionError,
     "Scalars are not close!\n\nExpected 1.5 but got 1.0.\n"
     "Absolute difference: 0.5 (up to 1e-07 allowed)\n"
     "Relative difference: 0.3333333333333333 (up to 1e-07 allowed)"),
    ("tuple_list", lambda: assert_close((t([1.]), 2), [t([1.]), 3]), AssertionError,
     "Scalars are not equal!\n\nExpected 3 but got 2.\nAbsolute difference: 1\n"
     "Relative difference: 0.3333333333333333\n\nThe failure occurred for item [1]"),
    ("int_tolerance", lambda: assert_close(t([10, 20]), t([13, 20]), rtol=0.2, atol=0),
     AssertionError, "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 3 at index (0,) (up to 0 allowed)\n"
     "Greatest relative difference: 0.23076923191547394 at index (0,) (up to 0.2 allowed)"),
    ("nested_path", lambda: assert_close({"x": (1, [t([1., 2.]), t([3.])])},
                                         {"x": (1, [t([1., 2.]), t([3.5])])}), AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\n"
     "Greatest absolute difference: 0.5 at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.1428571492433548 at index (0,) (up to 1.3e-06 allowed)"
     "\n\nThe failure occurred for item ['x'][1][1]"),
    ("first_failure", lambda: assert_close([t([1.]), t([2.])], [t([9.]), t([8.])]),
     AssertionError, "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\n"
     "Greatest absolute difference: 8.0 at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.8888888955116272 at index (0,) (up to 1.3e-06 allowed)"
     "\n\nThe failure occurred for item [0]"),
]

# torch names its classes torch.Tensor / torch.nn.parameter.Parameter; ours live elsewhere.
_OUR_NAMES = {"<class 'torch.Tensor'>": repr(torch.Tensor),
              "<class 'torch.nn.parameter.Parameter'>": repr(torch.nn.Parameter)}


@pytest.mark.parametrize("thunk,kind,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_assert_close_failures(thunk, kind, message):
    for theirs, ours in _OUR_NAMES.items():
        message = message.replace(theirs, ours)
    with pytest.raises(kind) as info:
        thunk()
    assert type(info.value) is kind
    assert str(info.value) == message


def test_assert_close_passes():
    assert_close(t([1., 2.]), t([1.00001, 2.]))  # within float32's default tolerance
    assert_close(t([nan, 1.]), t([nan, 1.]), equal_nan=True)
    assert_close(t([1.]), t([1.00001], dtype=torch.float64), check_dtype=False)
    a = torch.arange(6.).reshape(2, 3)
    assert_close(a, a.t().contiguous().t())  # strides only with check_stride
    assert_close(1e-9, 1e-10)
    assert_close(np.float32(1.0), 1.0)
    assert_close(t([1., 2.], dtype=torch.float16), t([1., 2.001], dtype=torch.float16))
    assert_close(t([10, 20]), t([11, 20]), rtol=0.2, atol=0)
    assert_close(t([1., 2.]), t([1.01, 2.]), rtol=0, atol=1e-1)
    assert_close({"b": [1, (2.0, None)], "a": True}, {"a": True, "b": (1, [2.0, None])})
    assert_close(torch.nn.Parameter(t([1.])), t([1.]))


def test_assert_allclose_deprecated():
    future = ("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in "
              "a future release. Please use `torch.testing.assert_close()` instead. You can "
              "find detailed upgrade instructions in "
              "https://github.com/pytorch/pytorch/issues/61844.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torchlike.testing.assert_allclose(t([1., nan]), [1.00001, nan])  # equal_nan=True
        with pytest.raises(AssertionError) as info:
            torchlike.testing.assert_allclose(t([1., 2.]), [1.001, 2.])
        with pytest.raises(AssertionError, match="^boom$"):
            torchlike.testing.assert_allclose(t([1., 2.]), [1.001, 2.], msg="boom")
    assert [(w.category, str(w.message)) for w in caught] == [(FutureWarning, future)] * 3
    assert str(info.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 0.001000046730041504 at index (0,) (up to 1e-05 allowed)"
        "\nGreatest relative difference: 0.0009990476537495852 at index (0,) "
        "(up to 0.0001 allowed)")


MAKE_TENSOR_ERRORS = [
    (dict(dtype=torch.int64, requires_grad=True),
     "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
     "dtype=torch.int64"),
    (dict(dtype=torch.float32, low=3, high=1), "`low` must be less than `high`, but got 3 >= 1"),
    (dict(dtype=torch.float32, low=nan),
     "`low` and `high` cannot be NaN, but got low=nan and high=9"),
    (dict(dtype=torch.float32, noncontiguous=True, memory_format=torch.contiguous_format),
     "The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
     "noncontiguous=True and memory_format=torch.contiguous_format"),
    (dict(dtype=torch.uint8, low=-10, high=-5),
     "The value interval specified by `low` and `high` is [-10, -5), but torch.uint8 only "
     "supports [0, 256)"),
    (dict(dtype=torch.int8, low=200, high=300),
     "The value interval specified by `low` and `high` is [200, 300), but torch.int8 only "
     "supports [-128, 128)"),
    (dict(dtype=torch.int64, low=3, high=3), "`low` must be less than `high`, but got 3 >= 3"),
]


@pytest.mark.parametrize("kwargs,message", MAKE_TENSOR_ERRORS)
def test_make_tensor_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        make_tensor(2, 2, device="cpu", **kwargs)
    assert str(info.value) == message


def test_make_tensor():
    # Few kernels (random draws compile slowly): shapes (8,) and (2, 4), float32 and int64.
    x = make_tensor((2, 4), dtype=torch.float32, device="cpu", noncontiguous=True)
    assert (x.shape, x.is_contiguous(), x.stride()) == ((2, 4), False, (8, 2))
    assert all(-9 <= v < 9 for row in x.tolist() for v in row)
    x = make_tensor(1, 1, dtype=torch.float32, device="cpu", noncontiguous=True)
    assert (x.shape, x.is_contiguous()) == ((1, 1), True)  # fewer than two elements: ignored
    x = make_tensor(8, dtype=torch.int64, device="cpu", low=0, high=2, exclude_zero=True)
    assert (x.dtype, set(x.tolist())) == (torch.int64, {1})
    x = make_tensor([8], dtype=torch.float32, device="cpu", low=0, high=1e-30,
                    exclude_zero=True, requires_grad=True)
    assert (x.requires_grad, x.is_leaf, min(x.tolist()) > 0) == (True, True, True)
    x = make_tensor(torch.Size([8]), dtype=torch.float32, device="cpu", low=-1e39, high=1e39)
    assert all(math.isfinite(v) for v in x.tolist())  # clamped to finfo's range
    with pytest.warns(FutureWarning, match=r"Passing `low==high` to `torch.testing.make_tensor`"):
        x = make_tensor((8,), dtype=torch.float32, device="cpu", low=2, high=2)
    assert x.tolist() == [2.0] * 8
    x = make_tensor(8, dtype=torch.float32, device="cpu", memory_format=torch.contiguous_format)
    assert x.is_contiguous() and x.shape == (8,)
    with pytest.raises(TypeError, match="requested dtype 'torch.float8"):
        make_tensor(8, dtype=_Float8(), device="cpu")


class _Float8:
    """A dtype make_tensor does not know."""

    def __repr__(self):
        return "torch.float8_e4m3fn"


class _FakeDTensor:
    """Stands in for torchlike.distributed.tensor.DTensor (a real mesh costs seconds)."""

    def __init__(self, local, placements):
        self.local, self.placements, self.device_mesh = local, placements, "mesh"

    def to_local(self):
        return self.local


def test_assert_close_dtensors(monkeypatch):
    import sys
    import types
    module = types.ModuleType("torchlike.distributed.tensor")
    module.DTensor = _FakeDTensor
    monkeypatch.setitem(sys.modules, "torchlike.distributed.tensor", module)
    a = _FakeDTensor(t([1., 2.]), ("Replicate()",))
    # Messages recorded from torch 2.13 with a one-process gloo mesh.
    with pytest.raises(TypeError) as info:
        assert_close(a, t([1., 2.]))
    assert str(info.value) == (
        "Comparing a DTensor to a non-DTensor is ambiguous. Call .full_tensor() to compare the "
        "full logical tensor or .to_local() to compare the local shard.")
    with pytest.raises(AssertionError) as info:
        assert_close(a, _FakeDTensor(t([1., 2.]), ("Shard(dim=0)",)))
    assert str(info.value) == (
        "DTensor placements do not match: ('Replicate()',) != ('Shard(dim=0)',)")
    with pytest.raises(AssertionError) as info:
        assert_close(a, _FakeDTensor(t([1., 3.]), ("Replicate()",)))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.3333333432674408 at index (1,) (up to 1.3e-06 allowed)")
