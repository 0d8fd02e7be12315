"""Record torch's ``repr()`` output for the printing compat fixture.

Run with a Python that has real torch installed:

    python compat_tests/record/record_repr.py

Writes ``compat_tests/fixtures/repr.json``: one entry per case with the input
values (nested lists; nan/inf as strings, complex as [re, im]), dtype, shape,
the printing context and the exact ``repr()`` torch produced.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "repr.json"

ALL_DTYPES = [
    torch.float32, torch.float64, torch.float16, torch.bfloat16,
    torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool,
]


def _dtype_name(dt: torch.dtype) -> str:
    return str(dt).removeprefix("torch.")


def _enc_float(x: float):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _encode(v):
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, int):  # bools included
        return v
    if isinstance(v, complex):
        return [_enc_float(v.real), _enc_float(v.imag)]
    return _enc_float(v)


def _opts_json(opts: dict) -> dict:
    return {k: ("inf" if isinstance(v, float) and math.isinf(v) else v) for k, v in opts.items()}


def _sample(dt: torch.dtype, shape: tuple, seed: int) -> torch.Tensor:
    """Typical values for a dtype: fractions for floats, small ints, random bools."""
    g = torch.Generator().manual_seed(seed)
    if dt.is_complex:
        return torch.randn(shape, generator=g, dtype=dt)
    if dt.is_floating_point:
        return torch.randn(shape, generator=g).to(dt)
    if dt == torch.bool:
        return torch.rand(shape, generator=g) > 0.5
    lo = 0 if dt == torch.uint8 else -100
    return torch.randint(lo, 120, shape, generator=g, dtype=dt)


def build_cases() -> list[tuple[str, dict, object]]:
    """(name, context, factory) triples; factories run inside the context."""
    cases: list[tuple[str, dict, object]] = []

    def add(name, make, **ctx):
        cases.append((name, ctx, make))

    # Every dtype at every small shape.
    shapes = [(), (0,), (0, 3), (3,), (2, 3), (2, 3, 4)]
    for i, dt in enumerate(ALL_DTYPES):
        for j, shape in enumerate(shapes):
            add(f"{_dtype_name(dt)}_{'x'.join(map(str, shape)) or 'scalar'}",
                lambda dt=dt, shape=shape, s=i * 10 + j: _sample(dt, shape, s))

    f32 = torch.float32
    # Float value classes.
    for dt in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        n = _dtype_name(dt)
        add(f"{n}_intvalued", lambda dt=dt: torch.tensor([1.0, 2.0, -3.0, 100.0], dtype=dt))
        add(f"{n}_nan_inf", lambda dt=dt: torch.tensor(
            [1.5, float("nan"), float("inf"), -float("inf"), -0.0], dtype=dt))
        add(f"{n}_sci_mixed", lambda dt=dt: torch.tensor([1e-3, 1.0, 2e3, 5.0], dtype=dt))
        add(f"{n}_negzero", lambda dt=dt: torch.tensor([-0.0, 0.0, -0.0], dtype=dt))
    add("f32_only_nan", lambda: torch.tensor([float("nan"), float("inf")]))
    add("f32_zeros_nan", lambda: torch.tensor([0.0, float("nan")]))
    add("f32_zeros_2d", lambda: torch.zeros(2, 2))
    add("f32_intvalued_nan", lambda: torch.tensor([1.0, float("nan"), -2.0, float("-inf")]))
    add("f32_tiny", lambda: torch.tensor([1e-5, 2e-5, 3.5e-5]))
    add("f32_huge", lambda: torch.tensor([1e8, 2.5e8, 3e9]))
    add("f32_huge_int_sci", lambda: torch.tensor([1e9, 2e9, -3e10]))
    add("f32_magnitudes", lambda: torch.tensor([1e-5, 1e-2, 1.0, 1e3, 1e8]))
    add("f32_just_below_sci", lambda: torch.tensor([0.1234, 99.5, 123.25]))
    add("f32_rounding", lambda: torch.tensor([0.00015, 0.99996, 1234.56789]))
    add("f32_big_range", lambda: torch.tensor([[1e-30, 1e30], [-1e38, 3.0]]))
    add("f64_subnormal", lambda: torch.tensor([1e-310, 1.0, -2e300], dtype=torch.float64))
    add("f64_precise", lambda: torch.tensor([1 / 3, 2 / 3, -1e-4], dtype=torch.float64))
    add("f16_max", lambda: torch.tensor([65504.0, -0.5, 6e-5], dtype=torch.float16))
    add("bf16_large", lambda: torch.tensor([3e38, 1.0, 1e-38], dtype=torch.bfloat16))
    add("bf16_rounded", lambda: torch.tensor([1.2345, 3.14159, 100.7], dtype=torch.bfloat16))
    add("f32_scalar_sci", lambda: torch.tensor(1.5e-7))
    add("f32_scalar_int", lambda: torch.tensor(7.0))
    add("f32_scalar_nan", lambda: torch.tensor(float("nan")))
    add("f32_scalar_negzero", lambda: torch.tensor(-0.0))

    # Complex value classes.
    add("c64_intvalued", lambda: torch.tensor([1 + 2j, -3 - 4j, 5 + 0j]))
    add("c64_negzero_imag", lambda: torch.complex(torch.tensor([1.0, -1.0]),
                                                  torch.tensor([-0.0, 0.0])))
    add("c64_nan_inf", lambda: torch.complex(torch.tensor([float("nan"), 1.5, float("inf")]),
                                             torch.tensor([2.0, float("-inf"), float("nan")])))
    add("c128_sci", lambda: torch.tensor([1e-6 + 1j, 3e5 - 2.5j], dtype=torch.complex128))
    add("c64_scalar_neg", lambda: torch.tensor(-1.25 - 0.5j))
    add("c64_real_only", lambda: torch.tensor([1.5 + 0j, 2.25 + 0j]))

    # Integer / bool extremes.
    add("int64_extremes", lambda: torch.tensor([-(2**63), 2**63 - 1, 0]))
    add("int32_extremes", lambda: torch.tensor([-(2**31), 2**31 - 1], dtype=torch.int32))
    add("uint8_extremes", lambda: torch.tensor([0, 255, 7], dtype=torch.uint8))
    add("int8_negative", lambda: torch.tensor([[-128, 5], [127, -1]], dtype=torch.int8))
    add("bool_all_true", lambda: torch.ones(2, 2, dtype=torch.bool))
    add("bool_scalar_false", lambda: torch.tensor(False))

    # Summarisation and wrapping at default options.
    add("f32_1001", lambda: torch.randn(1001, generator=torch.Generator().manual_seed(1)))
    add("int64_1001", lambda: torch.arange(1001))
    add("f32_30x40", lambda: torch.randn(30, 40, generator=torch.Generator().manual_seed(2)))
    add("int16_3x1000", lambda: torch.arange(3000, dtype=torch.int16).reshape(3, 1000))
    add("c64_30x40", lambda: torch.randn(30, 40, dtype=torch.complex64,
                                          generator=torch.Generator().manual_seed(3)))
    add("bool_3x1000", lambda: torch.arange(3000).reshape(3, 1000) % 3 == 0)
    add("f32_wrap_100", lambda: torch.randn(100, generator=torch.Generator().manual_seed(4)))
    add("int64_wrap_200", lambda: torch.arange(-100, 100))
    add("f32_4d", lambda: torch.arange(24, dtype=f32).reshape(2, 1, 3, 4) / 7)
    add("f32_sci_summarized", lambda: torch.logspace(-6, 9, 1500))
    add("f16_wrap_suffix", lambda: torch.linspace(-1, 1, 22, dtype=torch.float16))

    # Autograd and Parameter forms.
    add("leaf_requires_grad", lambda: torch.tensor([[1.0, 2.5], [3.0, 4.0]], requires_grad=True))
    add("leaf_scalar_requires_grad", lambda: torch.tensor(3.0, requires_grad=True))
    add("f64_requires_grad", lambda: torch.tensor([1.5, 2.0], dtype=torch.float64,
                                                   requires_grad=True))
    add("add_backward", lambda: torch.tensor([1.0, 2.0], requires_grad=True) + 1)
    add("mul_backward", lambda: torch.tensor([[1.5, -2.0]], requires_grad=True) * 3)
    add("sum_backward", lambda: torch.tensor([1.0, 2.0, 3.5], requires_grad=True).sum())
    add("grad_fn_f16", lambda: torch.tensor([1.0, 2.0], dtype=torch.float16,
                                            requires_grad=True) * 2)
    add("grad_fn_wrap", lambda: torch.linspace(0, 1, 14, dtype=torch.float64,
                                               requires_grad=True) * 2)
    add("parameter", lambda: torch.nn.Parameter(
        torch.randn(2, 3, generator=torch.Generator().manual_seed(5))))
    add("parameter_f64", lambda: torch.nn.Parameter(torch.tensor([1.0, 2.0],
                                                                 dtype=torch.float64)))
    add("parameter_no_grad", lambda: torch.nn.Parameter(torch.ones(3), requires_grad=False))
    add("parameter_empty", lambda: torch.nn.Parameter(torch.empty(0, 2)))

    # Default dtype switched to float64.
    d64 = dict(default_dtype="float64")
    add("dd64_f32", lambda: torch.tensor([1.5, 2.0], dtype=f32), **d64)
    add("dd64_f64", lambda: torch.tensor([1.5, 2.0]), **d64)
    add("dd64_c128", lambda: torch.tensor([1.5 + 1j]), **d64)
    add("dd64_c64", lambda: torch.tensor([1.5 + 1j], dtype=torch.complex64), **d64)
    add("dd64_empty_f64", lambda: torch.empty(0), **d64)
    add("dd64_empty_f32", lambda: torch.empty(0, 2, dtype=f32), **d64)
    add("dd64_int", lambda: torch.tensor([1, 2]), **d64)

    # Non-default print options.
    g = torch.Generator
    add("prec2", lambda: torch.randn(2, 3, generator=g().manual_seed(6)),
        opts=dict(precision=2))
    add("prec2_sci", lambda: torch.tensor([1e-6, 1.0]), opts=dict(precision=2))
    add("prec0", lambda: torch.tensor([1.25, 2.75, 1e5]), opts=dict(precision=0))
    add("thresh5_int", lambda: torch.arange(10), opts=dict(threshold=5))
    add("thresh5_2d", lambda: torch.arange(64, dtype=f32).reshape(8, 8) / 3,
        opts=dict(threshold=5))
    add("thresh5_3d", lambda: torch.arange(7 * 8 * 9).reshape(7, 8, 9),
        opts=dict(threshold=5))
    add("thresh5_c64", lambda: torch.arange(10, dtype=f32).to(torch.complex64) * (1 + 0.5j),
        opts=dict(threshold=5))
    add("thresh5_edge0", lambda: torch.arange(10, dtype=f32), opts=dict(threshold=5, edgeitems=0))
    add("thresh5_edge0_2d", lambda: torch.arange(20).reshape(4, 5),
        opts=dict(threshold=5, edgeitems=0))
    add("edge0_small", lambda: torch.tensor([1.5, 2.0]), opts=dict(edgeitems=0))
    add("sci_true", lambda: torch.tensor([1.0, 2.5, 100.0]), opts=dict(sci_mode=True))
    add("sci_true_int", lambda: torch.tensor([[1, 2], [3, 4]]), opts=dict(sci_mode=True))
    add("sci_true_intfloat", lambda: torch.tensor([1.0, 200.0]), opts=dict(sci_mode=True))
    add("sci_false", lambda: torch.tensor([1e-6, 1e6]), opts=dict(sci_mode=False))
    add("sci_false_huge", lambda: torch.tensor([1.5e10, 1.0]), opts=dict(sci_mode=False))
    add("lw40_1d", lambda: torch.randn(20, generator=g().manual_seed(7)),
        opts=dict(linewidth=40))
    add("lw40_2d_suffix", lambda: torch.randn(3, 4, dtype=torch.float64,
                                              generator=g().manual_seed(8),
                                              requires_grad=True),
        opts=dict(linewidth=40))
    add("lw40_c128", lambda: torch.randn(6, dtype=torch.complex128,
                                         generator=g().manual_seed(9)),
        opts=dict(linewidth=40))
    add("lw10_tiny", lambda: torch.arange(5, dtype=torch.int8), opts=dict(linewidth=10))
    add("profile_short", lambda: torch.randn(5, 5, generator=g().manual_seed(10)),
        opts=dict(profile="short"))
    add("profile_short_summ", lambda: torch.arange(2000, dtype=f32) / 7,
        opts=dict(profile="short"))
    add("profile_full", lambda: torch.arange(1200).reshape(40, 30), opts=dict(profile="full"))
    add("profile_full_f32", lambda: torch.arange(1005, dtype=f32) * 0.5,
        opts=dict(profile="full"))
    return cases


def main() -> None:
    records = []
    for name, ctx, make in build_cases():
        opts = ctx.get("opts", {})
        default_dtype = ctx.get("default_dtype", "float32")
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(getattr(torch, default_dtype))
        try:
            torch.set_printoptions(**opts)
            t = make()
            text = repr(t)
            printopts = torch._tensor_str.get_printoptions()
        finally:
            torch.set_printoptions(profile="default")
            torch.set_default_dtype(torch.float32)
        grad_fn = None if t.grad_fn is None else type(t.grad_fn).__name__
        records.append({
            "name": name,
            "dtype": _dtype_name(t.dtype),
            "shape": list(t.shape),
            "values": _encode(t.detach().tolist()),
            "printoptions": _opts_json(printopts),
            "set_printoptions": opts,
            "default_dtype": default_dtype,
            "requires_grad": t.requires_grad,
            "grad_fn": grad_fn,
            "is_parameter": isinstance(t, torch.nn.Parameter),
            "repr": text,
        })
    names = [r["name"] for r in records]
    assert len(names) == len(set(names)), "duplicate case names"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One case per line keeps the file small and its diffs readable.
    body = ",\n".join(json.dumps(r) for r in records)
    OUT.write_text(f'{{"torch_version": {json.dumps(torch.__version__)}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(records)} cases to {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
