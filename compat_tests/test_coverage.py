"""Coverage bookkeeping: every op_db entry has a status (compat_tests/coverage.py), and every
public torchlike name is tested, by op_db fixtures or by a test that names it."""

from __future__ import annotations

import re

import pytest

from compat_tests import coverage
from compat_tests._fixtures import all_metas, covers, import_torchlike

tl = import_torchlike()
pytestmark = pytest.mark.skipif(tl is None, reason="torchlike is not importable")
TEST_FILES = sorted([*coverage.ROOT.glob("tests/test_*.py"),
                     *coverage.ROOT.glob("compat_tests/test_*.py")])


def test_every_entry_has_a_status():
    rows = coverage.table(tl)
    assert [r[0] for r in rows] == sorted(all_metas())
    for key, status, reason in rows:
        assert status in ("covered", "no-samples", "skipped", "missing"), key
        if status == "skipped":
            assert reason.strip(), f"{key}: skipped without a reason"


def test_not_planned_entries_are_not_implemented():
    metas = all_metas()
    stale = [k for k in coverage.NOT_PLANNED if k in metas and covers(tl, metas[k])
             and not metas[k]["random"]]
    assert not stale, f"implemented now, drop from coverage.NOT_PLANNED: {stale}"


def _opdb_names() -> set[str]:
    names = set()
    for m in all_metas().values():
        names.add(m["name"])
        names.update(a.removeprefix("torch.") for a in m["aliases"])
    return names


def test_every_public_name_is_tested():
    """A public function or Tensor method that op_db does not record must be named by a test."""
    names = _opdb_names()
    corpus = "\n".join(p.read_text() for p in TEST_FILES)
    untested = []
    for full in sorted(coverage.public_names(tl)):
        bare = full.removeprefix("Tensor.")
        if {bare, bare.rstrip("_"), "nn.functional." + bare.rstrip("_")} & names:
            continue
        short = bare.rsplit(".", 1)[-1]
        if not re.search(r"\b" + re.escape(short) + r"\b", corpus):
            untested.append(full)
    assert not untested, f"public names with neither op_db fixtures nor a test: {untested}"
