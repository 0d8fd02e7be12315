"""torchlike's type promotion against ``fixtures/promotion.json`` (recorded from torch).

One item per (function, operand kinds); each checks every dtype pair and lists the
pairs that differ.  See ``record/record_promotion.py`` for the table layout.
"""

from __future__ import annotations

import builtins
import json
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from compat_tests import skiplist
from compat_tests._fixtures import FIXTURES, Decoder, Unsupported, import_torchlike

tl = import_torchlike()
if tl is None:
    pytest.skip("torchlike is not importable yet (no package)", allow_module_level=True)

DATA = json.loads((FIXTURES / "promotion.json").read_text())
OPS = {"add": operator.add, "div": operator.truediv, "mul": operator.mul, "lt": operator.lt}
MAX_LINES = 12
_dec = Decoder(tl, {})


def _scalar(kind: str) -> Any:
    v = DATA["scalars"][kind]
    return complex(*v) if kind == "complex" else v


def _operand(kind: str, dtype_name: str | None) -> Any:
    if kind in DATA["scalars"]:
        return _scalar(kind)
    shape = (2,) if kind == "tensor" else ()
    return tl.tensor(np.ones(shape), dtype=_dec.dtype(dtype_name))


def _outcome(fn: Callable, a: Any, b: Any) -> Any:
    try:
        r = fn(a, b)
    except Unsupported:
        raise
    except Exception as e:  # noqa: BLE001
        return e
    return str(r if not hasattr(r, "dtype") else r.dtype).removeprefix("torch.")


def _check(expected: Any, got: Any) -> str | None:
    """None when torchlike's outcome matches torch's; else a description."""
    if isinstance(expected, dict):  # torch raised
        if isinstance(got, BaseException):
            want = getattr(builtins, expected["error"], Exception)
            if isinstance(got, want):
                return None
            return f"raised {type(got).__name__}: {got}; torch raised {expected['error']}"
        return f"gave {got}; torch raised {expected['error']}: {expected['message']}"
    if isinstance(got, BaseException):
        if expected == "complex32" and isinstance(got, NotImplementedError):
            return None  # documented: torchlike has no complex32 and refuses to invent one
        return f"raised {type(got).__name__}: {str(got)[:150]}; torch gave {expected}"
    return None if got == expected else f"gave {got}; torch gave {expected}"


def _run_table(fn: Callable, kinds: str, table: dict) -> list[str]:
    ka, kb = kinds.split(",")
    scalars = DATA["scalars"]
    problems = []
    for a, row in table.items():
        if ka in scalars or kb in scalars:  # one tensor operand: `a` is its dtype
            cells = {None: row}
        else:
            cells = row
        for b, expected in cells.items():
            try:
                if ka in scalars:
                    x, y = _operand(ka, None), _operand(kb, a)
                elif kb in scalars:
                    x, y = _operand(ka, a), _operand(kb, None)
                else:
                    x, y = _operand(ka, a), _operand(kb, b)
                msg = _check(expected, _outcome(fn, x, y))
            except Unsupported as e:
                msg = f"unsupported: {e}"
            if msg:
                pair = a if b is None else f"{a}, {b}"
                problems.append(f"({pair}): {msg}")
    return problems


def _fail(problems: list[str], what: str) -> None:
    reason = skiplist.SKIP.get(f"promotion:{what}")
    if problems and reason:
        pytest.skip(f"skiplist: {reason}")
    if problems:
        more = f"\n... and {len(problems) - MAX_LINES} more" if len(problems) > MAX_LINES else ""
        pytest.fail(f"{what}: {len(problems)} mismatch(es)\n" + "\n".join(problems[:MAX_LINES])
                    + more, pytrace=False)


def _need(name: str) -> Callable:
    fn = getattr(tl, name, None)
    if fn is None:
        pytest.skip(f"torchlike.{name} does not exist yet")
    return fn


def test_promote_types() -> None:
    fn = _need("promote_types")
    problems = []
    for a, row in DATA["promote_types"].items():
        for b, expected in row.items():
            msg = _check(expected, _outcome(fn, _dec.dtype(a), _dec.dtype(b)))
            if msg:
                problems.append(f"promote_types({a}, {b}): {msg}")
    _fail(problems, "promote_types")


def test_can_cast() -> None:
    fn = _need("can_cast")
    problems = []
    for a, row in DATA["can_cast"].items():
        for b, expected in row.items():
            try:
                got = fn(_dec.dtype(a), _dec.dtype(b))
            except Exception as e:  # noqa: BLE001
                got = e
            if got is not expected:
                problems.append(f"can_cast({a}, {b}): gave {got!r}; torch gave {expected}")
    _fail(problems, "can_cast")


@pytest.mark.parametrize("kinds", list(DATA["result_type"]))
def test_result_type(kinds: str) -> None:
    fn = _need("result_type")
    _fail(_run_table(fn, kinds, DATA["result_type"][kinds]), f"result_type [{kinds}]")


@pytest.mark.parametrize(("op", "kinds"), [(op, k) for op in DATA["ops"] for k in DATA["ops"][op]])
def test_binary_op_dtype(op: str, kinds: str) -> None:
    _fail(_run_table(OPS[op], kinds, DATA["ops"][op][kinds]), f"a {op} b [{kinds}]")
