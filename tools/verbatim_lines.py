"""Share of each torchlike file's code lines that occur verbatim in torch's sources.

Run with a Python that has torch (and optionally torchvision) installed; torchlike need
not be importable:

    /path/to/torch-venv/bin/python tools/verbatim_lines.py [--all] [--max-file 0.33]

A code line counts when, stripped, it is longer than 30 characters, is not a comment and
carries no string literal (messages, reprs and keys are facts we must match) and is not an
import.  Lines inside
docstrings count.  Exits nonzero when a file's share exceeds --max-file or the package's
exceeds --max-total.
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import sys


def _code_lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) <= 30 or line.startswith("#"):
            continue
        if line.startswith(("import ", "from ")) and " import " in f" {line}":
            continue  # names of modules and classes are facts, like messages
        if "'" in line or '"' in line:
            continue
        out.append(line)
    return out


def _reference_lines(packages: list[str]) -> set[str]:
    ref: set[str] = set()
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        root = pathlib.Path(spec.origin).parent
        for path in root.rglob("*.py"):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            ref.update(_code_lines(text))
    return ref


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", default="torchlike")
    ap.add_argument("--all", action="store_true", help="list every file, not only >5%%")
    ap.add_argument("--show", metavar="FILE", help="print the matching lines of FILE")
    ap.add_argument("--max-file", type=float, default=1 / 3)
    ap.add_argument("--max-total", type=float, default=0.06)
    args = ap.parse_args()

    ref = _reference_lines(["torch", "torchvision"])
    if not ref:
        print("torch is not installed in this Python", file=sys.stderr)
        return 2
    total = hits = 0
    worst = []
    rows = []
    for path in sorted(pathlib.Path(args.root).rglob("*.py")):
        lines = _code_lines(path.read_text(encoding="utf-8"))
        same = [ln for ln in lines if ln in ref]
        total += len(lines)
        hits += len(same)
        share = len(same) / len(lines) if lines else 0.0
        rows.append((share, len(same), len(lines), str(path)))
        if share > args.max_file:
            worst.append(str(path))
        if args.show and str(path).endswith(args.show):
            print("\n".join(same))
    for share, n, m, path in sorted(rows, reverse=True):
        if args.all or share > 0.05:
            print(f"{share:6.1%}  {n:4d}/{m:<4d}  {path}")
    pkg = hits / total if total else 0.0
    print(f"package: {pkg:.1%} ({hits}/{total} code lines verbatim)")
    if worst or pkg > args.max_total:
        print(f"over the limit: {', '.join(worst) or 'package total'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
