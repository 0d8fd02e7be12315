"""torchlike.testing.compat: record/verify, checked against recordings made with torch 2.13.

compat_tests/fixtures/compat_examples/ holds what real torch printed and checked for
examples/tour.py and compat_tests/compat_scripts/*.py (compat_tests/record/
record_compat_examples.py); verify replays them on torchlike in this process. One small
subprocess (no jax in it) records a program through the command line run by path.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import torchlike
import torchlike.testing.compat as compat
from torchlike.testing.compat import _tool

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "compat_tests" / "fixtures" / "compat_examples"
PROGRAMS = {"tour": ROOT / "examples" / "tour.py",
            "tensor_basics": ROOT / "compat_tests" / "compat_scripts" / "tensor_basics.py",
            "linear_regression": ROOT / "compat_tests" / "compat_scripts" / "linear_regression.py"}


def _env(**extra):
    env = dict(os.environ, JAX_PLATFORMS="cpu", **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_verify_recorded_programs(name):
    report, before = io.StringIO(), sys.modules.get("torch")
    rc = _tool.verify(str(PROGRAMS[name]), [], str(FIXTURES / name), report=report)
    text = report.getvalue()
    assert rc == 0, text
    assert "MISMATCH" not in text and text.rstrip().endswith("all match"), text
    assert sys.modules.get("torch") is before  # the import hook's aliases are gone afterwards


def test_check_is_a_noop_outside_sessions():
    value = {"a": [1, 2.5]}
    assert compat.check("v", value) is value


SCRIPT = """\
import numpy as np
import torch  # torchlike under verify; a stand-in module when recording below
from torchlike.testing.compat import check

check("array", np.arange(6, dtype=np.float32).reshape(2, 3) / 3)
check("nested", {"n": 3, "f": [0.5, "text"], "flag": True})
check("ints", np.array([1, 2, 3]))
print("loss 0.123456 after 3 steps")
print("done")
"""


def _record_without_jax(tmp_path: Path) -> Path:
    """Records SCRIPT through the command line run by path, with jax unimportable."""
    script = tmp_path / "prog.py"
    script.write_text(SCRIPT)
    (tmp_path / "fake" / "torch").mkdir(parents=True)
    (tmp_path / "fake" / "torch" / "__init__.py").write_text("__version__ = 'stand-in'\n")
    block_jax = ("import runpy, sys; sys.modules['jax'] = None; sys.argv = sys.argv[1:]; "
                 "runpy.run_path(sys.argv[0], run_name='__main__')")
    proc = subprocess.run(
        [sys.executable, "-c", block_jax, str(ROOT / "torchlike" / "testing" / "compat"),
         "record", "-q", "--out", str(tmp_path / "rec"), str(script)],
        env=_env(PYTHONPATH=str(tmp_path / "fake")), capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "record: 3 checks and 2 stdout lines" in proc.stderr
    return script


def test_record_without_jax_then_verify_and_report_mismatches(tmp_path):
    script = _record_without_jax(tmp_path)
    manifest = json.loads((tmp_path / "rec.json").read_text())
    assert manifest["torch"] == "stand-in" and manifest["stdout"][1] == "done"
    assert [c["name"] for c in manifest["checks"]] == ["array", "nested", "ints"]

    report = io.StringIO()
    assert _tool.verify(str(script), [], str(tmp_path / "rec"), report=report) == 0
    assert report.getvalue().rstrip().endswith("3 checks, 2 stdout lines: all match")

    # A deliberately wrong recording: one value, one number, one dtype, one printed line.
    with np.load(tmp_path / "rec.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["a0"] = arrays["a0"].copy()
    arrays["a0"][1, 2] += 0.5
    checks = manifest["checks"]
    checks[1]["value"]["items"][0]["v"] = 4
    checks[2]["value"]["dtype"] = "int32"
    manifest["stdout"][0] = "loss 0.124456 after 3 steps"
    np.savez(tmp_path / "bad.npz", **arrays)
    (tmp_path / "bad.json").write_text(json.dumps(manifest))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # what `python -m torchlike.testing.compat` runs
        rc = _tool.main(["verify", "--recording", str(tmp_path / "bad"), str(script)])
    assert rc == 1
    out = out.getvalue()
    assert ("  check 'array': MISMATCH\n    value: max abs error 0.5 at index (1, 2), max rel "
            "error 0.231; 1 of 6 elements differ (allowed rtol=0.0001, atol=1e-05)\n") in out
    assert "  check 'nested': MISMATCH\n    ['n']: got 3, recorded 4\n" in out
    assert "    value: dtype mismatch: got int64, recorded int32\n" in out
    assert ("  stdout line 1: MISMATCH (number 1: 0.123456 vs 0.124456, abs error 0.001 "
            "(allowed rtol=0.0001, atol=1e-05))\n"
            "    got:      'loss 0.123456 after 3 steps'\n"
            "    recorded: 'loss 0.124456 after 3 steps'\n") in out
    assert "  stdout line 2: match\n" in out
    assert out.rstrip().endswith("3 checks, 2 stdout lines: 4 mismatch(es)")


def _node(value):
    arrays = {}
    return _tool.encode(value, arrays), arrays


def test_compare_structures():
    t = torchlike.tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()  # a leaf requiring grad: its .grad is part of the snapshot
    got, ga = _node({"w": t, "steps": [1, 2], "name": "sgd"})
    want, wa = _node({"w": t, "steps": [1, 2, 3], "name": "adam"})
    assert _tool.compare(got, want, ga, wa, (None, None)) == [
        "['steps']: length mismatch: got 2, recorded 3", "['name']: got 'sgd', recorded 'adam'"]
    wa[want["items"][0]["grad"]["k"]] = np.array([2.0, 4.5], dtype=np.float32)
    assert _tool.compare(got["items"][0], want["items"][0], ga, wa, (None, None)) == [
        "grad: max abs error 0.5 at index (1,), max rel error 0.111; 1 of 2 elements "
        "differ (allowed rtol=0.0001, atol=1e-05)"]
    assert _tool.compare(_node({"a": 1})[0], _node({"b": 1})[0], {}, {}, (None, None)) == [
        "value: keys mismatch: missing ['b'], extra ['a']"]
    assert _tool.compare(_node(1.0)[0], _node([1.0])[0], {}, {}, (None, None)) == [
        "value: type mismatch: got float, recorded sequence"]
    assert _tool.compare(_node(1.00001)[0], _node(1.0)[0], {}, {}, (None, None)) == []
    assert _tool.compare(_node(1.1)[0], _node(1.0)[0], {}, {}, (0.2, 0.0)) == []


@pytest.mark.parametrize("got,recorded,why", [
    ("loss 0.1235", "loss 0.1234", None),  # one unit in the last printed place
    ("tensor([1.0000e-05, 2.5000e+00])", "tensor([1.0001e-05, 2.5000e+00])", None),
    ("loss 0.1299", "loss 0.1234", "number 1: 0.1299 vs 0.1234, abs error 0.0065 "
                                    "(allowed rtol=0.0001, atol=1e-05)"),
    ("epoch 3", "epoch 4", "number 1 differs: 3 vs 4"),
    ("tensor([1., 2.])", "tensor([1., 3.])", "number 2: 2. vs 3., abs error 1 "
                                             "(allowed rtol=0.0001, atol=1e-05)"),
    ("torch.float32", "torch.float64", "number 1 differs: 32 vs 64"),
    ("Loss: nan", "loss: nan", "text differs"),
])
def test_compare_stdout_lines(got, recorded, why):
    assert _tool.compare_line(got, recorded, (None, None)) == why


def test_import_hook_names_missing_modules():
    hook = _tool._Alias({"torch": "torchlike"})
    spec = hook.find_spec("torch.nn.functional")
    assert spec.origin == "torchlike.nn.functional"
    assert hook.find_spec("numpy") is None
    with pytest.raises(ModuleNotFoundError, match=r"No module named 'torch\.no_such' "
                                                  r"\(torchlike\.no_such does not exist\)"):
        hook.find_spec("torch.no_such")
