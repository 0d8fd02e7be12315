"""Smoke tests: every program in examples/ runs to completion and prints something.

The tour is also checked line by line against what real torch 2.13 prints for the same
program (recorded once by running examples/tour.py with ``import torch``; torch is not
needed here).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def _run(path: pathlib.Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # Importable from the checkout even when torchlike is not pip-installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("JAX_PLATFORMS", "cpu")
    return subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def tour_output() -> str:
    proc = _run(ROOT / "examples" / "tour.py")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_examples_exist():
    assert any(p.name == "tour.py" for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path, tour_output):
    if path.name == "tour.py":
        out = tour_output
    else:
        proc = _run(path)
        assert proc.returncode == 0, f"{path.name} failed:\n{proc.stderr[-4000:]}"
        out = proc.stdout
    assert out.strip(), f"{path.name} printed nothing"


# Lines printed by real torch 2.13.0 for the same program (import swapped to `import torch`).
TORCH_LINES = [
    "a.clamp(2, 10) = tensor([ 2,  2,  4,  6,  8, 10, 10, 10])",
    "clamp(f, min=-1.0, max=1.0) = tensor([-1.0000, -1.0000, -0.5000,  0.0000,  0.5000,  "
    "1.0000,  1.0000])",
    "dim=1: tensor([[[ 8,  5,  2, 11]],",
    "as_tuple: (tensor([0, 1, 2]), tensor([2, 1, 0]))",
    "stack dim=-1: torch.Size([3, 32, 32, 2])",
    "split [2, 3, 5]: (tensor([0, 1]), tensor([2, 3, 4]), tensor([5, 6, 7, 8, 9]))",
    "reshape of the transpose: tensor([0, 3, 1, 4, 2, 5])",
    "torch.float32 torch.int64",
]

# Multi-line blocks, also as torch prints them.
TORCH_BLOCKS = [
    # index_select rows 0, 3, 2 of arange(16).view(4, 4)
    "tensor([[ 0,  1,  2,  3],\n"
    "        [12, 13, 14, 15],\n"
    "        [ 8,  9, 10, 11]])",
    # torch.full((2, 3), 3.14)
    "tensor([[3.1400, 3.1400, 3.1400],\n"
    "        [3.1400, 3.1400, 3.1400]])",
    # writes through .view(-1) and .t()[0] reach the base
    "written through views: tensor([[1., 0., 0.],\n"
    "        [1., 7., 0.]])",
]


@pytest.mark.parametrize("line", TORCH_LINES)
def test_tour_line_matches_torch(tour_output, line):
    assert line in tour_output.splitlines()


@pytest.mark.parametrize("block", TORCH_BLOCKS)
def test_tour_block_matches_torch(tour_output, block):
    assert block in tour_output
