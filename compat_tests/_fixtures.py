"""Loading recorded torch fixtures and decoding them into torchlike values.

No torch here: fixtures are ``.npz`` files (arrays ``a0``, ``a1``, ... plus a JSON
``__meta__``) written by ``compat_tests/record/record_opdb.py``.  The JSON value
encoding is described in ``compat_tests/README.md``.
"""

from __future__ import annotations

import functools
import importlib
import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OPDB_DIR = FIXTURES / "opdb"
# the reference set: extra edge-case samples of some ops, same format (record_opdb.py --ref)
OPDB_REF_DIR = FIXTURES / "opdb_ref"


class Unsupported(Exception):
    """A recorded value torchlike has no counterpart for (e.g. a dtype it lacks)."""


def import_torchlike() -> ModuleType | None:
    """torchlike, or None when the package is absent (no module / no ``__init__.py`` yet).

    Any other import failure (a bug inside torchlike) propagates.
    """
    try:
        import torchlike
    except ModuleNotFoundError as e:
        if e.name == "torchlike":
            return None
        raise
    if getattr(torchlike, "__file__", None) is None:  # bare namespace package
        return None
    return torchlike


# ---------------------------------------------------------------------------
# reading fixture files


def opdb_paths(ref: bool = False) -> list[Path]:
    return sorted((OPDB_REF_DIR if ref else OPDB_DIR).glob("*.npz"))


def read_meta(path: Path) -> dict:
    """The JSON description of one fixture file (arrays are not read)."""
    with np.load(path, allow_pickle=False) as z:
        return json.loads(str(z["__meta__"][()]))


@functools.cache
def all_metas(ref: bool = False) -> dict[str, dict]:
    """key -> meta for every recorded op (of the reference set if ``ref``), sorted by key."""
    metas = (read_meta(p) for p in opdb_paths(ref))
    return {m["key"]: m for m in sorted(metas, key=lambda m: m["key"])}


@functools.lru_cache(maxsize=4)
def load_op(key: str, ref: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of one recorded op (its reference set if ``ref``)."""
    with np.load((OPDB_REF_DIR if ref else OPDB_DIR) / f"{key}.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != "__meta__"}
        meta = json.loads(str(z["__meta__"][()]))
    return meta, arrays


# ---------------------------------------------------------------------------
# resolving names in torchlike


def resolve(tl: ModuleType, dotted: str) -> Any:
    """``torchlike.<dotted>``, importing subpackages as needed; None if absent."""
    obj: Any = tl
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        nxt = getattr(obj, part, None)
        if nxt is None and isinstance(obj, ModuleType):
            modname = ".".join([tl.__name__, *parts[: i + 1]])
            try:
                nxt = importlib.import_module(modname)
            except ModuleNotFoundError as e:
                if e.name is None or not modname.startswith(e.name):
                    raise
                return None
        if nxt is None:
            return None
        obj = nxt
    return obj


def tensor_has(tl: ModuleType, name: str) -> bool:
    cls = getattr(tl, "Tensor", None)
    return cls is not None and "." not in name and hasattr(cls, name)


def has_function(tl: ModuleType, name: str) -> bool:
    fn = resolve(tl, name)
    return callable(fn) and not isinstance(fn, type) and not _is_dtype(tl, fn)


def _is_dtype(tl: ModuleType, obj: Any) -> bool:
    dt = getattr(tl, "dtype", None)
    return isinstance(dt, type) and isinstance(obj, dt)


def call_kind_available(tl: ModuleType, name: str, kind: str) -> bool:
    """Whether torchlike offers the way of calling ``name`` that a case recorded."""
    if kind in ("function", "function_swap01"):
        return has_function(tl, name)
    if kind in ("method", "property"):
        return tensor_has(tl, name)
    if kind == "inplace_method":
        return tensor_has(tl, name + "_")
    return False


def pick_call(tl: ModuleType, name: str, kinds: list[str]) -> str | None:
    """The first recorded call kind torchlike supports, or None."""
    return next((k for k in kinds if call_kind_available(tl, name, k)), None)


def covers(tl: ModuleType | None, meta: dict) -> bool:
    """torchlike has the op's public function or Tensor method/property."""
    if tl is None:
        return False
    name = meta["name"]
    return ((meta["public_function"] and has_function(tl, name))
            or ((meta["tensor_method"] or meta["tensor_property"]) and tensor_has(tl, name)))


def replayable_dtypes(tl: ModuleType | None, meta: dict) -> list[str]:
    """Case groups (dtype names, 'errors') with at least one case torchlike can call."""
    if tl is None:
        return []
    return [dt for dt, cases in meta["cases"].items()
            if any(pick_call(tl, meta["name"], c["calls"]) for c in cases)]


# ---------------------------------------------------------------------------
# decoding values


_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class Decoder:
    """Decodes the JSON value encoding into torchlike values."""

    def __init__(self, tl: ModuleType, arrays: dict[str, np.ndarray]) -> None:
        self.tl = tl
        self.arrays = arrays

    def dtype(self, name: str):
        dt = getattr(self.tl, name, None)
        if dt is None or not _is_dtype(self.tl, dt):
            raise Unsupported(f"torchlike has no dtype {name}")
        return dt

    def tensor(self, enc: dict):
        if enc["T"] is None:
            raise Unsupported("tensor recorded without values")
        arr = self.arrays[enc["T"]]
        return self.tl.tensor(arr, dtype=self.dtype(enc["dtype"]))

    def value(self, enc: Any) -> Any:
        if isinstance(enc, list):
            return [self.value(x) for x in enc]
        if not isinstance(enc, dict):
            return enc
        if "T" in enc:
            return self.tensor(enc)
        if "f" in enc:
            return _FLOATS[enc["f"]]
        if "c" in enc:
            re, im = (self.value(x) for x in enc["c"])
            return complex(re, im)
        if "tuple" in enc:
            return tuple(self.value(x) for x in enc["tuple"])
        if "dict" in enc:
            return {k: self.value(x) for k, x in enc["dict"].items()}
        if "dtype" in enc:
            return self.dtype(enc["dtype"])
        if "size" in enc:
            return getattr(self.tl, "Size", tuple)(enc["size"])
        if "slice" in enc:
            return slice(*(self.value(x) for x in enc["slice"]))
        if "ellipsis" in enc:
            return Ellipsis
        if "memory_format" in enc:
            fmt = getattr(self.tl, enc["memory_format"], None)
            if fmt is None:
                raise Unsupported(f"memory_format {enc['memory_format']}")
            return fmt
        if "device" in enc:
            dev = getattr(self.tl, "device", None)
            return dev(enc["device"]) if dev is not None else enc["device"]
        if "namedtuple" in enc:
            return tuple(self.value(x) for x in enc["values"])
        raise ValueError(f"unknown encoding {enc!r}")

    def sample(self, case: dict) -> tuple[Any, tuple, dict]:
        """(input, args, kwargs) of a recorded case."""
        return (self.value(case["input"]), tuple(self.value(a) for a in case["args"]),
                {k: self.value(v) for k, v in case["kwargs"].items()})


def decode_numpy(enc: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Like Decoder.value, but tensors become numpy arrays (for invariant checks)."""
    if isinstance(enc, list):
        return [decode_numpy(x, arrays) for x in enc]
    if isinstance(enc, dict):
        if "T" in enc:
            return None if enc["T"] is None else arrays[enc["T"]]
        if "tuple" in enc:
            return tuple(decode_numpy(x, arrays) for x in enc["tuple"])
        if "f" in enc:
            return _FLOATS[enc["f"]]
    return enc


def at_path(inp: Any, args: tuple, kwargs: dict, path: list) -> Any:
    """The value at a recorded path like ``["args", 0, 2]`` or ``["kwargs", "weight"]``."""
    root = {"input": inp, "args": args, "kwargs": kwargs}[path[0]]
    for p in path[1:]:
        root = root[p]
    return root
