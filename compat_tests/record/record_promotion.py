"""Record torch's type promotion rules for the promotion compat fixture.

Run with a Python that has real torch installed:

    python compat_tests/record/record_promotion.py

Writes ``compat_tests/fixtures/promotion.json``:

- ``promote_types[a][b]``, ``can_cast[a][b]``: dtype names / bools for all 12 x 12 pairs.
- ``result_type[kinds]``: for operand kinds ``"tensor,tensor"`` (1-d / 1-d), ``"tensor,0dim"``,
  ``"0dim,tensor"``, ``"0dim,0dim"`` a nested ``[a][b]`` table; for a tensor/0-dim operand
  with a Python scalar (``"tensor,int"``, ``"0dim,float"``, ``"int,tensor"``, ...) a
  ``[a]`` table over the tensor's dtype.
- ``ops[op][kinds]``: the same tables for the result dtype of ``a + b``, ``a / b``,
  ``a * b``, ``a < b``, over the representative dtypes ``op_dtypes``.
  An entry that raised is ``{"error": cls, "message": msg}``.

Tensors hold ones (1-d: shape [2]); the Python scalars are ``SCALARS`` below.
"""

from __future__ import annotations

import json
import operator
import warnings
from pathlib import Path
from typing import Any

import torch

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "promotion.json"

DTYPES = [
    torch.float16, torch.bfloat16, torch.float32, torch.float64,
    torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool,
]
# The binary-op tables use a representative subset (each cell costs torchlike a compile).
OP_DTYPES = [
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64,
    torch.uint8, torch.int64, torch.bool,
]
TENSOR_KINDS = ("tensor", "0dim")
SCALARS: dict[str, Any] = {"int": 2, "float": 2.5, "bool": True, "complex": 1.5 + 2j}
OPS = {"add": operator.add, "div": operator.truediv, "mul": operator.mul, "lt": operator.lt}


def name(dt: torch.dtype) -> str:
    return str(dt).removeprefix("torch.")


def operand(kind: str, dt: torch.dtype | None):
    if kind == "tensor":
        return torch.ones(2, dtype=dt)
    if kind == "0dim":
        return torch.ones((), dtype=dt)
    return SCALARS[kind]


def outcome(fn, a, b) -> Any:
    """The result dtype name of ``fn(a, b)``, or the error it raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ComplexHalf is "experimental"
            r = fn(a, b)
    except Exception as e:  # noqa: BLE001 - errors are part of the fixture
        return {"error": type(e).__name__, "message": str(e).splitlines()[0][:300]}
    return name(r if isinstance(r, torch.dtype) else r.dtype)


def kind_pairs() -> list[tuple[str, str]]:
    pairs = [(a, b) for a in TENSOR_KINDS for b in TENSOR_KINDS]
    for t in TENSOR_KINDS:
        for s in SCALARS:
            pairs += [(t, s), (s, t)]
    return pairs


def table(fn, ka: str, kb: str, dtypes: list[torch.dtype]) -> dict:
    """Outcomes of ``fn`` over the dtypes of whichever operands are tensors."""
    if ka in SCALARS:  # scalar on the left: vary the right operand's dtype
        return {name(d): outcome(fn, SCALARS[ka], operand(kb, d)) for d in dtypes}
    if kb in SCALARS:
        return {name(d): outcome(fn, operand(ka, d), SCALARS[kb]) for d in dtypes}
    return {name(a): {name(b): outcome(fn, operand(ka, a), operand(kb, b)) for b in dtypes}
            for a in dtypes}


def count(t: Any) -> int:
    """Number of recorded outcomes (dtype names or errors) in a nested table."""
    if isinstance(t, str) or "error" in t:
        return 1
    return sum(count(v) for v in t.values())


def main() -> None:
    names = [name(d) for d in DTYPES]
    data: dict[str, Any] = {
        "torch_version": torch.__version__,
        "dtypes": names,
        "op_dtypes": [name(d) for d in OP_DTYPES],
        "scalars": {k: (v if not isinstance(v, complex) else [v.real, v.imag])
                    for k, v in SCALARS.items()},
        "promote_types": {name(a): {name(b): outcome(torch.promote_types, a, b) for b in DTYPES}
                          for a in DTYPES},
        "can_cast": {name(a): {name(b): torch.can_cast(a, b) for b in DTYPES} for a in DTYPES},
        "result_type": {},
        "ops": {op: {} for op in OPS},
    }
    for ka, kb in kind_pairs():
        kinds = f"{ka},{kb}"
        data["result_type"][kinds] = table(torch.result_type, ka, kb, DTYPES)
        for op, fn in OPS.items():
            data["ops"][op][kinds] = table(fn, ka, kb, OP_DTYPES)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=0, sort_keys=False) + "\n")
    n = count(data["result_type"]) + count(data["ops"])
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB, {n} operand-pair entries)")


if __name__ == "__main__":
    main()
