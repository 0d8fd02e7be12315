"""record / verify: running a script, snapshotting checked values, comparing, reporting.

Framework-neutral on purpose: values are read through duck typing (``detach``, ``dtype``,
``shape``, ``numpy``), so the same code snapshots real torch tensors (record) and torchlike
tensors (verify), and never imports jax itself.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.util
import io
import json
import math
import os
import re
import runpy
import sys
import traceback

import numpy as np

_PKG = __name__.rpartition(".")[0]  # torchlike.testing.compat, holding _SESSION

FORMAT = "torchlike-compat/1"

# Default (rtol, atol) per dtype for checked values. Looser than assert_close's: two
# frameworks may sum in different orders. Python floats count as float32 (usually .item()).
TOLERANCES = {
    "torch.float16": (1e-3, 1e-3), "torch.bfloat16": (1.6e-2, 1e-5),
    "torch.float32": (1e-4, 1e-5), "torch.float64": (1e-7, 1e-7),
    "torch.complex64": (1e-4, 1e-5), "torch.complex128": (1e-7, 1e-7),
    "float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-7, 1e-7),
    "complex64": (1e-4, 1e-5), "complex128": (1e-7, 1e-7), "float": (1e-4, 1e-5),
    "complex": (1e-4, 1e-5),
}
STDOUT_TOLERANCE = (1e-4, 1e-5)


# ------------------------------------------------------------------------ snapshots


def _is_tensor(v) -> bool:
    return (hasattr(v, "detach") and hasattr(v, "dtype") and hasattr(v, "shape")
            and hasattr(v, "requires_grad") and not isinstance(v, np.ndarray))


def _tensor_to_numpy(t) -> np.ndarray:
    t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    try:
        arr = t.numpy()
    except (TypeError, RuntimeError):  # bfloat16 and friends have no NumPy type in torch
        arr = t.float().numpy()
    return np.array(arr, copy=True)


def encode(value, arrays: dict) -> dict:
    """A JSON-able description of ``value``; array data goes into ``arrays`` by key."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    if isinstance(value, float):
        return {"t": "float", "v": value}
    if isinstance(value, complex):
        return {"t": "complex", "v": [value.real, value.imag]}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, np.generic):
        v = value.item()
        return {"t": "npscalar", "dtype": str(value.dtype),
                "v": [v.real, v.imag] if isinstance(v, complex) else v}
    if isinstance(value, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = np.array(value, copy=True)
        return {"t": "ndarray", "k": key, "dtype": str(value.dtype), "shape": list(value.shape)}
    if _is_tensor(value):
        key = f"a{len(arrays)}"
        arrays[key] = _tensor_to_numpy(value)
        node = {"t": "tensor", "k": key, "dtype": str(value.dtype),
                "shape": [int(s) for s in value.shape],
                "requires_grad": bool(value.requires_grad)}
        if value.requires_grad and getattr(value, "is_leaf", False):
            node["grad"] = encode(value.grad, arrays)
        return node
    if isinstance(value, dict) or (hasattr(value, "keys") and hasattr(value, "__getitem__")):
        keys = list(value.keys())
        return {"t": "map", "keys": [str(k) for k in keys],
                "items": [encode(value[k], arrays) for k in keys]}
    if isinstance(value, (list, tuple)):
        return {"t": "seq", "items": [encode(v, arrays) for v in value]}
    return {"t": "repr", "type": type(value).__name__, "v": str(value)}


# ------------------------------------------------------------------------ comparison


def _describe(node) -> str:
    return {"tensor": "tensor", "ndarray": "numpy array", "seq": "sequence", "map": "mapping",
            "npscalar": "numpy scalar"}.get(node["t"], node["t"])


def _tol(dtype: str, override):
    rtol, atol = TOLERANCES.get(dtype, (0.0, 0.0))
    if override[0] is not None:
        rtol = override[0]
    if override[1] is not None:
        atol = override[1]
    return rtol, atol


def _compare_arrays(got: np.ndarray, rec: np.ndarray, dtype: str, tol) -> str | None:
    if got.dtype.kind in "fc" or rec.dtype.kind in "fc":
        rtol, atol = _tol(dtype, tol)
        g, r = got.astype(np.complex128 if "complex" in dtype else np.float64), \
            rec.astype(np.complex128 if "complex" in dtype else np.float64)
        with np.errstate(all="ignore"):
            err = np.abs(g - r)
            same_nan = np.isnan(g) & np.isnan(r)
            ok = (g == r) | same_nan | (np.isfinite(err) & (err <= atol + rtol * np.abs(r)))
            if ok.all():
                return None
            err = np.where(ok | same_nan, 0, err)
            rel = err / np.abs(r)
            rel = np.where(ok, 0, rel)
        i = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
        bad = int((~ok).sum())
        return (f"max abs error {float(err.max()):.3g} at index {tuple(int(x) for x in i)}, "
                f"max rel error {float(rel.max()):.3g}; {bad} of {ok.size} elements differ "
                f"(allowed rtol={rtol:g}, atol={atol:g})")
    ok = got == rec
    if ok.all():
        return None
    diff = np.abs(got.astype(np.int64) - rec.astype(np.int64))
    i = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    return (f"max abs error {int(diff.max())} at index {tuple(int(x) for x in i)}; "
            f"{int((~ok).sum())} of {ok.size} elements differ (exact match required)")


def compare(got: dict, rec: dict, got_arrays, rec_arrays, tol, path: str = "") -> list[str]:
    """Issues (empty when they match) between a verify-time node and a recorded one."""
    where = path or "value"
    if got["t"] != rec["t"] and {got["t"], rec["t"]} != {"int", "float"}:
        return [f"{where}: type mismatch: got {_describe(got)}, recorded {_describe(rec)}"]
    kind = rec["t"]
    if kind in ("tensor", "ndarray"):
        issues = []
        if got["dtype"] != rec["dtype"]:
            issues.append(f"{where}: dtype mismatch: got {got['dtype']}, recorded "
                          f"{rec['dtype']}")
        if got["shape"] != rec["shape"]:
            issues.append(f"{where}: shape mismatch: got {tuple(got['shape'])}, recorded "
                          f"{tuple(rec['shape'])}")
        if not issues:
            msg = _compare_arrays(got_arrays[got["k"]], rec_arrays[rec["k"]], rec["dtype"], tol)
            if msg:
                issues.append(f"{where}: {msg}")
        if kind == "tensor":
            if got.get("requires_grad") != rec.get("requires_grad"):
                issues.append(f"{where}: requires_grad mismatch: got {got.get('requires_grad')},"
                              f" recorded {rec.get('requires_grad')}")
            elif "grad" in rec:
                if "grad" not in got:
                    issues.append(f"{where}.grad: missing (not a leaf here)")
                else:
                    issues += compare(got["grad"], rec["grad"], got_arrays, rec_arrays, tol,
                                      f"{path}.grad" if path else "grad")
        return issues
    if kind in ("int", "float", "bool", "complex", "npscalar"):
        g, r = got["v"], rec["v"]
        if kind == "npscalar" and got["dtype"] != rec["dtype"]:
            return [f"{where}: dtype mismatch: got {got['dtype']}, recorded {rec['dtype']}"]
        if got["t"] != rec["t"]:
            return [f"{where}: type mismatch: got {got['t']} {g!r}, recorded {rec['t']} {r!r}"]
        if g == r:
            return []
        exact = kind in ("int", "bool") or (kind == "npscalar" and not isinstance(r, (float,
                                                                                       list)))
        if not exact:
            dtype = rec.get("dtype", kind)
            a = np.array(complex(*g) if isinstance(g, list) else g)
            b = np.array(complex(*r) if isinstance(r, list) else r)
            msg = _compare_arrays(a, b, dtype, tol)
            return [] if msg is None else [f"{where}: got {g!r}, recorded {r!r}: {msg}"]
        return [f"{where}: got {g!r}, recorded {r!r}"]
    if kind in ("str", "repr"):
        return [] if got["v"] == rec["v"] else [f"{where}: got {got['v']!r}, recorded "
                                                 f"{rec['v']!r}"]
    if kind == "none":
        return []
    if kind == "seq":
        if len(got["items"]) != len(rec["items"]):
            return [f"{where}: length mismatch: got {len(got['items'])}, recorded "
                    f"{len(rec['items'])}"]
        out = []
        for i, (g, r) in enumerate(zip(got["items"], rec["items"], strict=True)):
            out += compare(g, r, got_arrays, rec_arrays, tol, f"{path}[{i}]")
        return out
    if kind == "map":
        gk, rk = got["keys"], rec["keys"]
        if set(gk) != set(rk):
            return [f"{where}: keys mismatch: missing {sorted(set(rk) - set(gk))}, extra "
                    f"{sorted(set(gk) - set(rk))}"]
        gi = dict(zip(gk, got["items"], strict=True))
        out = []
        for k, r in zip(rk, rec["items"], strict=True):
            out += compare(gi[k], r, got_arrays, rec_arrays, tol, f"{path}[{k!r}]")
        return out
    return [f"{where}: unknown recorded kind {kind!r}"]


_NUMBER = re.compile(r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b)")


def _last_place(token: str) -> float:
    """One unit in the last printed place of a number token ("0.1234" -> 1e-4)."""
    mant, _, exp = token.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 10.0 ** (int(exp or 0) - decimals)


def compare_line(got: str, rec: str, tol) -> str | None:
    """None when two stdout lines match: text exactly, numbers within tolerance."""
    if got == rec:
        return None
    gp, rp = _NUMBER.split(got), _NUMBER.split(rec)
    if len(gp) != len(rp) or any(g != r for g, r in zip(gp[::2], rp[::2], strict=True)):
        return "text differs"
    rtol = STDOUT_TOLERANCE[0] if tol[0] is None else tol[0]
    atol = STDOUT_TOLERANCE[1] if tol[1] is None else tol[1]
    worst = None
    for n, (g, r) in enumerate(zip(gp[1::2], rp[1::2], strict=True), 1):
        if g == r:
            continue
        fg, fr = float(g), float(r)
        integral = not any(c in r for c in ".eEn")
        if integral or math.isnan(fg) or math.isnan(fr) or math.isinf(fr) or math.isinf(fg):
            return f"number {n} differs: {g} vs {r}"
        err = abs(fg - fr)
        # Values within tolerance may still print one unit apart in the last place.
        unit = max(_last_place(g), _last_place(r))
        if err <= atol + rtol * abs(fr) or (err <= unit * 1.0001
                                             and unit <= 1e-3 * max(abs(fr), 1.0)):
            continue
        if worst is None or err > worst[1]:
            worst = (n, err, g, r)
    if worst is None:
        return None
    n, err, g, r = worst
    return f"number {n}: {g} vs {r}, abs error {err:.3g} (allowed rtol={rtol:g}, atol={atol:g})"


# ------------------------------------------------------------------------ running a script


class _Tee(io.TextIOBase):
    """stdout replacement: keeps what the script prints, optionally echoing it."""

    def __init__(self, echo):
        self.buffer_ = io.StringIO()
        self.echo = echo

    def write(self, s):
        self.buffer_.write(s)
        if self.echo is not None:
            self.echo.write(s)
        return len(s)

    def flush(self):
        if self.echo is not None:
            self.echo.flush()


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An import hook binding one top-level package name to another (torch -> torchlike)."""

    def __init__(self, aliases: dict[str, str], keep: tuple[str, ...] = ()):
        self.aliases = aliases
        self.keep = keep

    def find_spec(self, fullname, path=None, target=None):
        top, _, rest = fullname.partition(".")
        base = self.aliases.get(top)
        if base is None or fullname.startswith(self.keep):
            return None
        real = base + ("." + rest if rest else "")
        if rest and importlib.util.find_spec(real) is None:
            raise ModuleNotFoundError(f"No module named '{fullname}' ({real} does not exist)",
                                      name=fullname)
        return importlib.util.spec_from_loader(fullname, self, origin=real)

    def create_module(self, spec):
        return importlib.import_module(spec.origin)

    def exec_module(self, module):
        pass


class Session:
    """Collects the values a script passes to check(), snapshotting them at call time."""

    def __init__(self):
        self.checks: list[dict] = []
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, name, value, rtol, atol):
        self.checks.append({"name": str(name), "value": encode(value, self.arrays),
                            "rtol": rtol, "atol": atol})


def run_script(script: str, args: list[str], aliases: dict[str, str], keep: tuple[str, ...],
               echo: bool):
    """Runs ``script`` as __main__ with the import aliases; returns (session, stdout, error)."""
    pkg = sys.modules[_PKG]
    session = Session()
    hook = _Alias(aliases, keep)
    saved = {k: v for k, v in sys.modules.items()
             if k.partition(".")[0] in aliases and not k.startswith(keep)}
    for k in saved:
        del sys.modules[k]
    old_argv, old_path0, old_stdout = sys.argv, list(sys.path), sys.stdout
    tee = _Tee(old_stdout if echo else None)
    error = None
    sys.meta_path.insert(0, hook)
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    sys.stdout = tee
    pkg._SESSION = session
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            error = f"SystemExit({e.code!r})"
    except BaseException as e:  # report the script's failure, then compare what was seen
        error = "".join(traceback.format_exception_only(type(e), e)).strip()
        traceback.print_exc(file=sys.stderr)
    finally:
        pkg._SESSION = None
        sys.stdout = old_stdout
        sys.argv = old_argv
        sys.path[:] = old_path0
        sys.meta_path.remove(hook)
        for k in [k for k in sys.modules if k.partition(".")[0] in aliases
                  and not k.startswith(keep)]:
            del sys.modules[k]
        sys.modules.update(saved)
    return session, tee.buffer_.getvalue(), error


def _paths(script: str, out: str | None) -> tuple[str, str]:
    if out is None:
        stem = os.path.splitext(os.path.abspath(script))[0] + ".compat"
    else:
        stem = out[:-4] if out.endswith((".npz", ".json")) else out
        if out.endswith(".json"):
            stem = out[:-5]
    return stem + ".npz", stem + ".json"


def record(script: str, args: list[str], out: str | None, echo: bool = True) -> int:
    """Runs ``script`` under real torch and stores its checks and stdout."""
    import torch  # noqa: F401 - fail early, with the usual message, where torch is missing

    # Scripts written as `import torchlike as torch` run on torch here too.
    session, stdout, error = run_script(script, args, {"torchlike": "torch"},
                                        ("torchlike.testing",), echo)
    if error is not None:
        print(f"record: {script} failed: {error}; nothing written", file=sys.stderr)
        return 1
    npz, manifest = _paths(script, out)
    os.makedirs(os.path.dirname(npz) or ".", exist_ok=True)
    np.savez_compressed(npz, **session.arrays)
    with open(manifest, "w") as f:
        json.dump({"format": FORMAT, "script": os.path.basename(script), "args": args,
                   "torch": sys.modules["torch"].__version__, "checks": session.checks,
                   "stdout": stdout.splitlines()}, f, indent=1)
        f.write("\n")
    print(f"record: {len(session.checks)} checks and {len(stdout.splitlines())} stdout lines "
          f"-> {manifest} + {os.path.basename(npz)}", file=sys.stderr)
    return 0


def verify(script: str, args: list[str], recording: str | None, rtol=None, atol=None,
           compare_stdout: bool = True, echo: bool = False, report=None) -> int:
    """Runs ``script`` on torchlike and compares it with the recording; 0 when all match."""
    report = report or sys.stdout
    npz, manifest = _paths(script, recording)
    if not os.path.exists(manifest):
        print(f"verify: no recording at {manifest} (run `record` where torch is installed)",
              file=report)
        return 2
    with open(manifest) as f:
        rec = json.load(f)
    with np.load(npz) as z:
        rec_arrays = {k: z[k] for k in z.files}
    session, stdout, error = run_script(
        script, args, {"torch": "torchlike", "torchvision": "torchlike.vision"}, (), echo)
    lines, failures = [], 0
    by_name: dict[str, list] = {}
    for c in rec["checks"]:
        by_name.setdefault(c["name"], []).append(c)
    seen: dict[str, int] = {}
    for c in session.checks:
        name = c["name"]
        i = seen.get(name, 0)
        seen[name] = i + 1
        recorded = by_name.get(name, [])
        label = f"check {name!r}" + (f" #{i + 1}" if len(recorded) > 1 or i else "")
        if i >= len(recorded):
            lines.append(f"{label}: not in the recording")
            failures += 1
            continue
        tol = (rtol if c["rtol"] is None else c["rtol"], atol if c["atol"] is None else c["atol"])
        issues = compare(c["value"], recorded[i]["value"], session.arrays, rec_arrays, tol)
        failures += bool(issues)
        lines.append(f"{label}: match" if not issues
                     else f"{label}: MISMATCH\n" + "\n".join(f"    {s}" for s in issues))
    for name, recorded in by_name.items():
        for i in range(seen.get(name, 0), len(recorded)):
            lines.append(f"check {name!r} #{i + 1}: recorded but never checked")
            failures += 1
    if compare_stdout:
        got, want = stdout.splitlines(), rec["stdout"]
        for n in range(max(len(got), len(want))):
            if n >= len(got):
                lines.append(f"stdout line {n + 1}: missing, recorded {want[n]!r}")
            elif n >= len(want):
                lines.append(f"stdout line {n + 1}: extra line {got[n]!r}")
            else:
                why = compare_line(got[n], want[n], (rtol, atol))
                if why is None:
                    lines.append(f"stdout line {n + 1}: match")
                    continue
                lines.append(f"stdout line {n + 1}: MISMATCH ({why})\n"
                             f"    got:      {got[n]!r}\n    recorded: {want[n]!r}")
            failures += 1
    if error is not None:
        lines.append(f"script raised: {error}")
        failures += 1
    head = (f"verify {os.path.basename(script)} against {os.path.basename(manifest)} "
            f"(recorded with torch {rec.get('torch', '?')})")
    if rec.get("args", []) != list(args):
        head += f"\n  note: recorded with arguments {rec.get('args')}, run with {list(args)}"
    tail = (f"{len(session.checks)} checks, {len(stdout.splitlines())} stdout lines: "
            + ("all match" if not failures else f"{failures} mismatch(es)"))
    print("\n".join([head, *("  " + s for s in lines), tail]), file=report)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    """python -m torchlike.testing.compat {record,verify} SCRIPT.py [args...]."""
    p = argparse.ArgumentParser(prog="python -m torchlike.testing.compat",
                                description="Check a torch program on torchlike against a "
                                            "recording made with real torch.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record", help="run SCRIPT under real torch and store what it checks")
    r.add_argument("--out", help="where to write PATH.npz + PATH.json (default: next to the "
                                 "script, SCRIPT.compat.npz/.json)")
    r.add_argument("-q", "--quiet", action="store_true", help="do not echo the script's output")
    v = sub.add_parser("verify", help="run SCRIPT on torchlike and compare with the recording")
    v.add_argument("--recording", help="the recording's PATH (as given to record --out)")
    v.add_argument("--rtol", type=float, help="relative tolerance for every float comparison")
    v.add_argument("--atol", type=float, help="absolute tolerance for every float comparison")
    v.add_argument("--no-stdout", action="store_true", help="compare checked values only")
    v.add_argument("--echo", action="store_true", help="echo the script's output as it runs")
    for sp in (r, v):
        sp.add_argument("script", help="the Python program (written for torch)")
        sp.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    ns = p.parse_args(argv)
    if ns.command == "record":
        return record(ns.script, ns.args, ns.out, echo=not ns.quiet)
    return verify(ns.script, ns.args, ns.recording, ns.rtol, ns.atol,
                  compare_stdout=not ns.no_stdout, echo=ns.echo)
