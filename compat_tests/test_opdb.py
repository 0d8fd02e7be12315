"""Replay torch's OpInfo samples (``fixtures/opdb/*.npz``) against torchlike.

One test item per (op key, dtype group): the group is a dtype name, or ``errors``
for the op's recorded ``error_inputs``.  Items are generated only for ops torchlike
has (the recorded way of calling them exists); the rest are counted in the summary
printed at the end of the run (see ``conftest.py``).  ``test_opdb_ref*`` replay the
reference set (``fixtures/opdb_ref/``: edge-case samples beyond the main ones); their
skiplist selectors use the key ``<key>.ref``.
"""

from __future__ import annotations

import pytest

from compat_tests import skiplist
from compat_tests._fixtures import (
    Unsupported,
    all_metas,
    import_torchlike,
    load_op,
    pick_call,
    replayable_dtypes,
    resolve,
)
from compat_tests._replay import GRAD_TOLERANCES, MAX_PROBLEMS, TOLERANCES, run_case, run_grad_case

tl = import_torchlike()
if tl is None:
    pytest.skip("torchlike is not importable yet (no package)", allow_module_level=True)

GRAD_DTYPES = ("float32", "float64")


def _forward_items(ref: bool = False) -> list:
    items = []
    for key, meta in all_metas(ref).items():
        for dt in replayable_dtypes(tl, meta):
            reason = skiplist.skip_reason(key + ".ref" if ref else key, dt)
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            items.append(pytest.param(key, dt, id=f"{key}-{dt}", marks=marks))
    return items


def _grad_case_ok(meta: dict, case: dict) -> bool:
    return ("grad" in case and not case.get("output_process_fn_grad")
            and pick_call(tl, meta["name"], case["calls"]) is not None)


def _grad_items(ref: bool = False) -> list:
    if resolve(tl, "autograd.grad") is None:
        return [pytest.param(None, None, id="unavailable", marks=pytest.mark.skip(
            reason="torchlike.autograd.grad does not exist yet"))]
    items = []
    for key, meta in all_metas(ref).items():
        for dt in GRAD_DTYPES:
            if any(_grad_case_ok(meta, c) for c in meta["cases"].get(dt, ())):
                reason = skiplist.skip_reason(key + ".ref" if ref else key, dt, grad=True)
                marks = [pytest.mark.skip(reason=reason)] if reason else []
                items.append(pytest.param(key, dt, id=f"{key}-{dt}", marks=marks))
    return items


def _report(problems: list[str], ran: int, unsupported: set[str], what: str) -> None:
    if problems:
        extra = len(problems) - MAX_PROBLEMS
        more = f"\n... and {extra} more" if extra > 0 else ""
        pytest.fail(f"{what}: {len(problems)} problem(s)\n" + "\n".join(problems[:MAX_PROBLEMS])
                    + more, pytrace=False)
    if not ran:
        pytest.skip("no replayable sample: " + "; ".join(sorted(unsupported)))


@pytest.mark.parametrize(("key", "dtype"), _forward_items())
def test_opdb(key: str, dtype: str) -> None:
    _replay_forward(key, dtype, ref=False)


@pytest.mark.parametrize(("key", "dtype"), _forward_items(ref=True))
def test_opdb_ref(key: str, dtype: str) -> None:
    _replay_forward(key, dtype, ref=True)


@pytest.mark.parametrize(("key", "dtype"), _grad_items())
def test_opdb_grad(key: str, dtype: str) -> None:
    _replay_grad(key, dtype, ref=False)


@pytest.mark.parametrize(("key", "dtype"), _grad_items(ref=True))
def test_opdb_ref_grad(key: str, dtype: str) -> None:
    _replay_grad(key, dtype, ref=True)


def _tolerances(base: dict, extra: dict, key: str, ref: bool) -> dict:
    # the reference set takes its op's tolerances, then its own ("<key>.ref") on top
    return {**base, **extra.get(key, {}), **(extra.get(key + ".ref", {}) if ref else {})}


def _replay_forward(key: str, dtype: str, ref: bool) -> None:
    meta, arrays = load_op(key, ref)
    tols = _tolerances(TOLERANCES, skiplist.TOLERANCES, key, ref)
    problems: list[str] = []
    unsupported: set[str] = set()
    ran = 0
    for i, case in enumerate(meta["cases"][dtype]):
        kind = pick_call(tl, meta["name"], case["calls"])
        if kind is None:
            continue
        label = f"sample {i} ({kind}{', ' + case['name'] if case.get('name') else ''})"
        try:
            found = run_case(tl, meta, case, arrays, kind, dtype, tols)
        except Unsupported as e:
            unsupported.add(str(e))
            continue
        ran += 1
        problems += [f"{label}: {p}" for p in found]
    _report(problems, ran, unsupported, f"{key}{'.ref' if ref else ''} [{dtype}]")


def _replay_grad(key: str, dtype: str, ref: bool) -> None:
    meta, arrays = load_op(key, ref)
    tols = _tolerances(GRAD_TOLERANCES, skiplist.GRAD_TOLERANCES, key, ref)
    problems: list[str] = []
    unsupported: set[str] = set()
    ran = 0
    for i, case in enumerate(meta["cases"][dtype]):
        if not _grad_case_ok(meta, case):
            continue
        kind = pick_call(tl, meta["name"], case["calls"])
        try:
            found = run_grad_case(tl, meta, case, arrays, kind, tols)
        except Unsupported as e:
            unsupported.add(str(e))
            continue
        ran += 1
        problems += [f"sample {i} ({kind}): {p}" for p in found]
    _report(problems, ran, unsupported, f"{key}{'.ref' if ref else ''} [{dtype}] gradients")
