"""dtypes: objects and aliases, promotion (promote_types, result_type, can_cast, with tensor /
zero-dim / Python-scalar operands), finfo/iinfo, and conversions.  Checked against torch 2.13."""

from __future__ import annotations

import pickle
import re

import pytest

import torchlike as torch


def raises(exc, match):
    return pytest.raises(exc, match=re.escape(match))


def test_aliases():
    assert torch.float is torch.float32 and torch.double is torch.float64
    assert torch.long is torch.int64 and torch.int is torch.int32
    assert torch.half is torch.float16 and torch.short is torch.int16
    assert torch.cfloat is torch.complex64 and torch.cdouble is torch.complex128


def test_dtype_objects():
    assert repr(torch.float32) == str(torch.float32) == "torch.float32"
    assert repr(torch.bfloat16) == "torch.bfloat16" and repr(torch.bool) == "torch.bool"
    assert isinstance(torch.float32, torch.dtype)
    assert torch.float32 == torch.float and torch.float32 != torch.float64
    assert hash(torch.float32) == hash(torch.float)
    assert pickle.loads(pickle.dumps(torch.int16)) is torch.int16
    assert torch.float32.is_floating_point and not torch.int64.is_floating_point
    assert torch.complex64.is_complex and not torch.float64.is_complex
    assert torch.int32.is_signed and not torch.uint8.is_signed and not torch.bool.is_signed
    assert torch.float32.itemsize == 4 and torch.bfloat16.itemsize == 2
    assert torch.complex128.itemsize == 16


def test_is_floating_point_and_complex():
    assert not torch.is_floating_point(torch.tensor([1]))
    assert torch.is_floating_point(torch.tensor([1.]))
    assert torch.tensor([1.], dtype=torch.bfloat16).is_floating_point()
    assert torch.is_complex(torch.tensor([1j])) and not torch.is_complex(torch.tensor([1.]))


@pytest.mark.parametrize("a, b, r", [
    (torch.int64, torch.float32, torch.float32),
    (torch.uint8, torch.int8, torch.int16),
    (torch.bool, torch.int32, torch.int32),
    (torch.float16, torch.bfloat16, torch.float32),
    (torch.int64, torch.complex64, torch.complex64),
    (torch.float64, torch.complex64, torch.complex128),
    (torch.int16, torch.uint8, torch.int16),
    (torch.int32, torch.float16, torch.float16),
    (torch.uint8, torch.bool, torch.uint8),
    (torch.int8, torch.int64, torch.int64),
    (torch.bfloat16, torch.float64, torch.float64),
    (torch.float32, torch.float32, torch.float32),
], ids=lambda v: None)
def test_promote_types(a, b, r):
    assert torch.promote_types(a, b) is r and torch.promote_types(b, a) is r


def T(values, dtype=None):  # noqa: N802 - reads like a type in the tables below
    return torch.tensor(values, dtype=dtype)


@pytest.mark.parametrize("a, b, r", [
    (lambda: T([1]), 2.5, torch.float32),                     # int64 tensor + Python float
    (lambda: T([1.], torch.float32), lambda: T(1., torch.float64), torch.float32),  # 0-dim is weak
    (lambda: T([1], torch.int32), lambda: T(1), torch.int32),
    (lambda: T(1, torch.int32), lambda: T(1.), torch.float32),  # both 0-dim: float wins
    (lambda: T([1], torch.uint8), 300, torch.uint8),
    (lambda: T([True]), 2, torch.int64),
    (lambda: T([True]), True, torch.bool),
    (2, 2.5, torch.float32),
    (lambda: T([1.], torch.float16), 2.5, torch.float16),
    (lambda: T([1]), 1j, torch.complex64),
    (lambda: T([1.], torch.float64), 1j, torch.complex128),
    (lambda: T(1, torch.int8), lambda: T([1], torch.uint8), torch.uint8),
    (lambda: T(1.), lambda: T([1], torch.int32), torch.float32),   # 0-dim float over int tensor
    (lambda: T(1., torch.float64), lambda: T([1], torch.float16), torch.float16),
    (lambda: T(1j), lambda: T([1.], torch.float64), torch.complex128),
    (lambda: T(1), 2.5, torch.float32),
], ids=lambda v: None)
def test_result_type(a, b, r):
    a = a() if callable(a) else a
    b = b() if callable(b) else b
    assert torch.result_type(a, b) is r


@pytest.mark.parametrize("make, dtype", [
    (lambda: T([1]) + 2.5, torch.float32),
    (lambda: T([1.]) + T(1., torch.float64), torch.float32),
    (lambda: T([1]) / T([2]), torch.float32),
    (lambda: T([1], torch.int32) * 2, torch.int32),
    (lambda: T([1], torch.uint8) + T([1], torch.int8), torch.int16),
    (lambda: T([True]) + True, torch.bool),
    (lambda: T([True]) + 1, torch.int64),
    (lambda: T([1.], torch.float16) * 2.5, torch.float16),
    (lambda: 2 ** T([2]), torch.int64),
    (lambda: T([2]) ** 0.5, torch.float32),
    (lambda: T([1]) // 2, torch.int64),
    (lambda: T([1, 2]).sqrt(), torch.float32),
    (lambda: T([1, 2]).sum(), torch.int64),
    (lambda: T([1, 2], torch.int32).sum(), torch.int64),
    (lambda: T([True, True]).sum(), torch.int64),
    (lambda: T([1, 2], torch.uint8).prod(), torch.int64),
    (lambda: T([1, 2]).clamp(min=1.5), torch.float32),
    (lambda: torch.cat([T([1, 1]), T([1., 1.])]), torch.float32),
], ids=lambda v: None)
def test_op_result_dtypes(make, dtype):
    assert make().dtype is dtype


def test_int_div_values():
    assert (T([1, 3]) / T([2, 2])).tolist() == [0.5, 1.5]
    assert (T([7]) // 2).tolist() == [3] and (T([-7]) // 2).tolist() == [-4]


@pytest.mark.parametrize("a, b, ok", [
    (torch.float64, torch.int32, False),
    (torch.int32, torch.float16, True),
    (torch.int64, torch.int8, True),
    (torch.bool, torch.uint8, True),
    (torch.uint8, torch.bool, False),
    (torch.complex64, torch.float64, False),
    (torch.float32, torch.complex64, True),
    (torch.float64, torch.float16, True),
], ids=lambda v: None)
def test_can_cast(a, b, ok):
    assert torch.can_cast(a, b) is ok


# ---------------------------------------------------------------- finfo / iinfo


@pytest.mark.parametrize("dtype, eps, max_, tiny, bits, resolution", [
    (torch.float32, 1.1920928955078125e-07, 3.4028234663852886e+38, 1.1754943508222875e-38, 32,
     1e-06),
    (torch.float16, 0.0009765625, 65504.0, 6.103515625e-05, 16, 0.001),
    (torch.bfloat16, 0.0078125, 3.3895313892515355e+38, 1.1754943508222875e-38, 16, 0.01),
    (torch.float64, 2.220446049250313e-16, 1.7976931348623157e+308, 2.2250738585072014e-308, 64,
     1e-15),
], ids=lambda v: None)
def test_finfo(dtype, eps, max_, tiny, bits, resolution):
    f = torch.finfo(dtype)
    assert (f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.bits, f.resolution) == \
        (eps, max_, -max_, tiny, tiny, bits, resolution)
    assert str(f.dtype) == str(dtype).removeprefix("torch.")


def test_finfo_misc():
    assert torch.finfo().bits == 32 and torch.finfo().eps == torch.finfo(torch.float32).eps
    c = torch.finfo(torch.complex64)
    assert c.bits == 32 and str(c.dtype) == "float32"
    assert torch.finfo(torch.float32) == torch.finfo(torch.float32)
    assert repr(torch.finfo(torch.float32)) == (
        "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, "
        "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)")
    assert repr(torch.finfo(torch.float16)) == (
        "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, "
        "smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)")


@pytest.mark.parametrize("dtype, lo, hi, bits", [
    (torch.int32, -2 ** 31, 2 ** 31 - 1, 32),
    (torch.uint8, 0, 255, 8),
    (torch.int8, -128, 127, 8),
    (torch.int64, -2 ** 63, 2 ** 63 - 1, 64),
], ids=lambda v: None)
def test_iinfo(dtype, lo, hi, bits):
    i = torch.iinfo(dtype)
    assert (i.min, i.max, i.bits) == (lo, hi, bits)
    assert type(i.max) is int and str(i.dtype) == str(dtype).removeprefix("torch.")


def test_iinfo_repr():
    assert repr(torch.iinfo(torch.int8)) == "iinfo(min=-128, max=127, dtype=int8)"
    assert repr(torch.iinfo(torch.int64)) == "iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)"


# ---------------------------------------------------------------- conversions


def test_cast_methods():
    x = torch.tensor([1.7, -2.3])
    cases = [
        (x.float(), torch.float32, [1.7000000476837158, -2.299999952316284]),
        (x.long(), torch.int64, [1, -2]),
        (x.int(), torch.int32, [1, -2]),
        (x.short(), torch.int16, [1, -2]),
        (x.char(), torch.int8, [1, -2]),
        (x.bool(), torch.bool, [True, True]),
        (x.double(), torch.float64, [1.7000000476837158, -2.299999952316284]),
        (x.half(), torch.float16, [1.7001953125, -2.30078125]),
        (x.to(torch.int64), torch.int64, [1, -2]),
        (x.to(dtype=torch.float64), torch.float64, [1.7000000476837158, -2.299999952316284]),
        (torch.tensor([1., 2.]).to(torch.bfloat16), torch.bfloat16, [1.0, 2.0]),
        (torch.tensor([300]).to(torch.uint8), torch.uint8, [44]),
        (torch.tensor([float("nan")]).to(torch.bool), torch.bool, [True]),
        (torch.tensor([0.1, 0.]).bool(), torch.bool, [True, False]),
        (torch.tensor([1, 2]).float(), torch.float32, [1.0, 2.0]),
        (torch.tensor([1, 2]).double(), torch.float64, [1.0, 2.0]),
    ]
    for t, dtype, values in cases:
        assert t.dtype is dtype and t.tolist() == values


def test_to_returns_self_when_nothing_changes():
    x = torch.tensor([1.7, -2.3])
    assert x.to(torch.float32) is x and x.float() is x and x.to("cpu") is x and x.cpu() is x
    assert x.to(torch.device("cpu")) is x
    c = x.to(torch.float32, copy=True)
    assert c is not x and c.tolist() == x.tolist()
    c[0] = 0
    assert x[0].item() != 0
    d = x.to(torch.device("cpu"), torch.float64)
    assert d.dtype is torch.float64


def test_to_other_and_type_as():
    x = torch.tensor([1.7, -2.3])
    y = torch.tensor([1], dtype=torch.int32)
    assert x.to(y).dtype is torch.int32 and x.to(y).tolist() == [1, -2]
    assert x.type_as(y).dtype is torch.int32


def test_cast_is_a_copy():
    x = torch.tensor([1., 2.])
    y = x.double()
    y[0] = 9
    assert x.tolist() == [1, 2]


def test_type_strings():
    assert torch.tensor([1.]).type() == "torch.FloatTensor"
    assert torch.tensor([1]).type() == "torch.LongTensor"
    assert torch.tensor([True]).type() == "torch.BoolTensor"
    assert torch.tensor([1.], dtype=torch.float64).type() == "torch.DoubleTensor"
    assert torch.tensor([1], dtype=torch.uint8).type() == "torch.ByteTensor"
    assert torch.tensor([1], dtype=torch.int32).type() == "torch.IntTensor"
    assert torch.tensor([1j]).type() == "torch.ComplexFloatTensor"
    assert torch.tensor([1.]).type(torch.int64).dtype is torch.int64
    t = torch.tensor([1.5]).type("torch.LongTensor")
    assert t.dtype is torch.int64 and t.tolist() == [1]
    assert torch.tensor([1.]).type(torch.float64).dtype is torch.float64
    with pytest.raises((ValueError, RuntimeError)):
        torch.tensor([1.]).type("torch.Nope")


def test_float_to_int_casts_wrap_like_torch():
    nan, inf = float("nan"), float("inf")
    x = torch.tensor([nan, inf, -inf, 3e9, -2.5, 300.7, -129.5])
    assert x.to(torch.int64).tolist() == [-2 ** 63] * 3 + [3000000000, -2, 300, -129]
    assert x.to(torch.int32).tolist() == [-2 ** 31] * 4 + [-2, 300, -129]
    assert x.to(torch.int16).tolist() == [0, 0, 0, 0, -2, 300, -129]
    assert x.to(torch.int8).tolist() == [0, 0, 0, 0, -2, 44, 127]
    assert x.byte().tolist() == [0, 0, 0, 0, 254, 44, 127]
    assert x.double().to(torch.uint8).tolist() == [0, 0, 0, 0, 254, 44, 127]
    u = torch.zeros(2, dtype=torch.uint8)
    u.copy_(torch.tensor([-1.5, 256.]))
    assert u.tolist() == [255, 0]
