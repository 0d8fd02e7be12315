"""Record the compat checker's fixtures: examples/tour.py and compat_tests/compat_scripts/*.

Run with a Python that has real torch installed (jax is not needed):

    python compat_tests/record/record_compat_examples.py

Each program runs under torch through ``torchlike.testing.compat record`` (started by path, so
torchlike's engine is not imported) and its checks and stdout land in
``compat_tests/fixtures/compat_examples/<name>.npz`` + ``<name>.json``;
tests/test_compat_checker.py verifies torchlike against them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "compat_tests" / "fixtures" / "compat_examples"
PROGRAMS = [ROOT / "examples" / "tour.py",
            *sorted((ROOT / "compat_tests" / "compat_scripts").glob("*.py"))]


def main() -> None:
    tool = ROOT / "torchlike" / "testing" / "compat"
    for program in PROGRAMS:
        subprocess.run([sys.executable, str(tool), "record", "-q", "--out",
                        str(OUT / program.stem), str(program)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
