"""compat_tests plumbing: keep recorders out of collection; print op_db coverage at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from compat_tests._fixtures import all_metas, covers, import_torchlike, replayable_dtypes

collect_ignore = ["record"]

_HERE = Path(__file__).resolve().parent
_OUTCOMES: dict[str, tuple[str, str, str, str]] = {}  # nodeid -> (key, group, kind, outcome)
_KINDS = {"test_opdb": "forward", "test_opdb_grad": "grad",
          "test_opdb_ref": "reference forward", "test_opdb_ref_grad": "reference grad"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tag op_db items at collection so the tag reaches reports even for skipped items
    # (and, under xdist, travels from the workers to the controller).
    for item in items:
        spec = getattr(item, "callspec", None)
        kind = _KINDS.get(getattr(item, "originalname", ""))
        if spec is None or kind is None:
            continue
        key, group = spec.params.get("key"), spec.params.get("dtype")
        if key is not None:
            item.user_properties.append(("opdb", f"{key}|{group}|{kind}"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tag = dict(report.user_properties).get("opdb")
    if not isinstance(tag, str):
        return
    key, group, kind = tag.split("|")
    prev = _OUTCOMES.get(report.nodeid, (key, group, kind, "passed"))[3]
    if report.failed:
        outcome = "failed"
    elif report.skipped:
        outcome = "skipped"
    elif report.when == "call":
        outcome = prev if prev != "passed" else "passed"
    else:
        outcome = prev
    if prev == "failed":
        outcome = "failed"
    _OUTCOMES[report.nodeid] = (key, group, kind, outcome)


def _wants_summary(config: pytest.Config) -> bool:
    if _OUTCOMES:
        return True
    for arg in config.args:
        p = Path(str(arg).split("::")[0]).resolve()
        if p == _HERE or p == _HERE / "test_opdb.py":
            return True
    return False


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _wants_summary(config):
        return
    metas = all_metas()
    tl = import_torchlike()
    names = {m["name"] for m in metas.values()}
    n_cases = sum(len(c) for m in metas.values() for c in m["cases"].values())
    covered = [k for k, m in metas.items() if covers(tl, m)]
    replayable = [k for k, m in metas.items() if replayable_dtypes(tl, m)]
    tr = terminalreporter
    tr.write_sep("=", "torchlike op_db compatibility")
    tr.write_line(f"op_db entries recorded: {len(metas)} ({len(names)} distinct names, "
                  f"{n_cases} cases)")
    if tl is None:
        tr.write_line("torchlike: not importable, nothing replayed")
        return
    tr.write_line(f"torchlike covers {len(covered)} entries (function or Tensor method exists); "
                  f"{len(replayable)} have samples it can replay")
    ref_cases = sum(len(c) for m in all_metas(ref=True).values() for c in m["cases"].values())
    tr.write_line(f"reference set (edge cases): {len(all_metas(ref=True))} entries, "
                  f"{ref_cases} cases")
    for kind in _KINDS.values():
        rows = [v for v in _OUTCOMES.values() if v[2] == kind]
        if not rows:
            continue
        count = {o: sum(1 for r in rows if r[3] == o) for o in ("passed", "failed", "skipped")}
        by_key: dict[str, set[str]] = {}
        for key, _, _, outcome in rows:
            by_key.setdefault(key, set()).add(outcome)
        full = sum(1 for s in by_key.values() if s == {"passed"})
        tr.write_line(f"{kind} items: {count['passed']} passed, {count['failed']} failed, "
                      f"{count['skipped']} skipped; entries passing all their items: "
                      f"{full}/{len(by_key)}")
