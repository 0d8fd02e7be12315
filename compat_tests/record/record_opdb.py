"""Record torch's OpInfo database (``op_db``) as replayable fixtures.

Run with a Python that has real torch and ``expecttest`` installed:

    python compat_tests/record/record_opdb.py --all
    python compat_tests/record/record_opdb.py --ops add,mul,linalg.svd

For every OpInfo (key ``name`` or ``name.variant_test_name``) and every dtype of
``DTYPES`` it supports on CPU, keeps up to ``MAX_SAMPLES`` small sample inputs,
calls the op the way OpInfo does and records inputs, outputs (or the exception
torch raised) and, for differentiable float samples, input gradients for a seeded
random cotangent.  A few of the op's ``error_inputs`` are recorded too.

Each op is written to ``compat_tests/fixtures/opdb/<key>.npz``: arrays ``a0``,
``a1``, ... plus ``__meta__``, a 0-d unicode array holding the JSON description
(format in ``compat_tests/README.md``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import multiprocessing
import re
import shutil
import signal
import sys
import time
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.testing._internal.common_methods_invocations import op_db
from torch.testing._internal.opinfo.core import SampleInput

FORMAT_VERSION = 1
OUT_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "opdb"

DTYPES = (torch.float32, torch.float64, torch.int64, torch.bool)
# Ops supporting none of DTYPES (imag, view_as_real, ...) are recorded in the first of these.
FALLBACK_DTYPES = (torch.complex64, torch.float16)
MAX_SAMPLES = 3  # kept samples per (op, dtype)
MAX_ELEMS = 300  # total tensor elements in a sample's inputs
FALLBACK_MAX_ELEMS = 4000  # if no sample fits MAX_ELEMS, try the smallest two below this
# ops whose every op_db sample is larger (slice_scatter's are all 20x20x20 inputs)
FALLBACK_OVERRIDES = {"slice_scatter": 10000}
MAX_OUT_ELEMS = 6000  # total tensor elements in a sample's output
MAX_EXAMINED = 80  # samples looked at per (op, dtype) before giving up
MAX_ERROR_INPUTS = 4
MSG_LEN = 400  # exception messages are truncated to this
OP_TIMEOUT_S = 180

# The reference set (``fixtures/opdb_ref/``): extra samples from ``op.reference_inputs`` (which
# is ``sample_inputs`` where an OpInfo defines no reference generator) that add edge cases the
# main set lacks (empty tensors, non-finite or zero values, negative arguments, 0-d inputs,
# argument values not seen yet), deduplicated against the main samples and each other.
REF_OUT_DIR = OUT_DIR.parent / "opdb_ref"
REF_DTYPES = (torch.float64, torch.int64)
REF_MAX_ELEMS = 120  # smaller than MAX_ELEMS: the set is replayed on top of the main one
REF_MAX_OUT_ELEMS = 1200
REF_MAX_EXAMINED = 1500  # pooling ops generate ~1000 argument combinations
# kept reference samples per (op, dtype): FOCUS ops (issue 12's misses and their families)
# get more, every other op only its samples with edge features
REF_MAX_SAMPLES = {torch.float64: 1, torch.int64: 0}
REF_FOCUS_MAX_SAMPLES = {torch.float64: 3, torch.int64: 1}
REF_FOCUS = {
    "nn.functional.pad", "nn.functional.batch_norm", "nn.functional.max_pool1d",
    "nn.functional.max_pool2d", "nn.functional.max_pool3d", "gather", "linalg.solve",
    "linalg.solve_ex", "zero_", "i0", "special.i0e", "special.i1", "special.i1e", "linalg.norm",
    "linalg.vector_norm", "linalg.matrix_norm", "norm", "linalg.lstsq", "abs", "sgn", "sign",
    "dist", "cdist", "nn.functional.pdist", "renorm", "atan2", "hypot", "copysign", "logit",
    "pow", "clamp",
}

# Ops whose output values are not reproducible (random or uninitialised memory).
# Anything else whose output changes with the seed is detected at record time.
RANDOM_NAMES = {
    "bernoulli", "cauchy", "exponential", "geometric", "log_normal", "multinomial",
    "normal", "uniform", "rand_like", "randn", "randn_like", "randint", "randint_like",
    "nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
    "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout",
    "nn.functional.rrelu", "nn.functional.fractional_max_pool2d",
    "nn.functional.fractional_max_pool3d", "svd_lowrank", "pca_lowrank",
    "empty", "empty_like", "empty_strided", "empty_permuted", "new_empty",
    "new_empty_strided",
}

_DEFAULT_PROCESS_CODE = SampleInput(torch.empty(0)).output_process_fn_grad.__code__


class Unencodable(Exception):
    """A value that the fixture format cannot hold."""


def dtype_name(dt: torch.dtype) -> str:
    return str(dt).removeprefix("torch.")


def op_key(op) -> str:
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


# ---------------------------------------------------------------------------
# inspecting values


_SCALARS = (type(None), bool, int, float, complex, str)


def check_value(v: Any) -> int:
    """Raise Unencodable for values the format can't hold; return the tensor element count."""
    if isinstance(v, torch.Tensor):
        if v.layout != torch.strided:
            raise Unencodable(f"layout {v.layout}")
        if v.is_quantized or v.is_nested or v.is_meta:
            raise Unencodable("quantized/nested/meta tensor")
        if type(v) not in (torch.Tensor, torch.nn.Parameter):
            raise Unencodable(f"tensor subclass {type(v).__name__}")
        if v.dtype.is_floating_point and v.dtype.itemsize == 1:
            raise Unencodable(f"dtype {v.dtype}")
        if v.dtype in (torch.quint8, torch.qint8, torch.qint32, torch.quint4x2):
            raise Unencodable(f"dtype {v.dtype}")
        return v.numel()
    if isinstance(v, _SCALARS) or v is Ellipsis:
        if isinstance(v, str) and len(v) > 200:
            raise Unencodable("long string")
        return 0
    if isinstance(v, (torch.dtype, torch.device, torch.memory_format)):
        return 0
    if isinstance(v, slice):
        return sum(check_value(x) for x in (v.start, v.stop, v.step))
    if isinstance(v, (tuple, list)):
        if isinstance(v, tuple) and type(v) not in (tuple, torch.Size) and not _is_namedtuple(v):
            raise Unencodable(f"tuple subclass {type(v).__name__}")
        return sum(check_value(x) for x in v)
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise Unencodable("dict with non-str keys")
        return sum(check_value(x) for x in v.values())
    raise Unencodable(type(v).__name__)


def _fields(v: Any) -> tuple[str, ...] | None:
    """Field names of a namedtuple or a torch.return_types structseq, else None."""
    if not isinstance(v, tuple):
        return None
    t = type(v)
    if hasattr(t, "_fields"):
        return tuple(t._fields)
    if t.__module__ == "torch.return_types":
        return tuple(t.__match_args__)
    return None


def _is_namedtuple(v: Any) -> bool:
    return _fields(v) is not None


def count_elems(v: Any) -> int:
    if isinstance(v, torch.Tensor):
        return v.numel()
    if isinstance(v, (tuple, list)):
        return sum(count_elems(x) for x in v)
    if isinstance(v, dict):
        return sum(count_elems(x) for x in v.values())
    return 0


def tree_map_tensors(fn, v: Any) -> Any:
    """Apply ``fn`` to each tensor in a nested tuple/list/dict structure."""
    if isinstance(v, torch.Tensor):
        return fn(v)
    if isinstance(v, torch.Size):
        return v
    if _is_namedtuple(v):
        vals = [tree_map_tensors(fn, x) for x in v]
        return type(v)(*vals) if hasattr(type(v), "_fields") else type(v)(vals)
    if isinstance(v, (tuple, list)):
        return type(v)(tree_map_tensors(fn, x) for x in v)
    if isinstance(v, dict):
        return {k: tree_map_tensors(fn, x) for k, x in v.items()}
    return v


def fresh(t: torch.Tensor) -> torch.Tensor:
    """A contiguous, conj/neg-resolved, grad-free copy (what the replay will rebuild)."""
    return t.detach().resolve_conj().resolve_neg().clone(memory_format=torch.contiguous_format)


def clone_sample(inp, args, kwargs):
    return (tree_map_tensors(fresh, inp), tree_map_tensors(fresh, args),
            tree_map_tensors(fresh, kwargs))


def same(a: Any, b: Any, values: bool = True) -> bool:
    """Exact equality of op results (NaN equals NaN); shapes/dtypes only if not ``values``."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if not values:
            return True
        a, b = fresh(a), fresh(b)
        if a.dtype.is_floating_point or a.dtype.is_complex:
            a, b = torch.view_as_real(a) if a.is_complex() else a, \
                torch.view_as_real(b) if b.is_complex() else b
            both_nan = a.isnan() & b.isnan()
            return bool(((a == b) | both_nan).all())
        return bool(torch.equal(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y, values) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], values) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b or not values


# ---------------------------------------------------------------------------
# encoding


class Encoder:
    """Turns torch values into JSON-able structures, collecting arrays as ``a0``, ``a1``..."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, t: torch.Tensor) -> tuple[str, str]:
        name = dtype_name(t.dtype)
        t = fresh(t)
        if t.dtype in (torch.float16, torch.bfloat16):
            arr = t.float().numpy()
        elif t.dtype == torch.complex32:
            arr = t.to(torch.complex64).numpy()
        else:
            arr = t.numpy()
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.array(arr, order="C", copy=True)  # keeps 0-d shape
        return key, name

    def encode(self, v: Any, values: bool = True) -> Any:
        """JSON form of ``v``; with ``values=False`` tensors keep only shape and dtype."""
        if isinstance(v, torch.Tensor):
            if not values:
                return {"T": None, "dtype": dtype_name(v.dtype), "shape": list(v.shape)}
            key, name = self.array(v)
            return {"T": key, "dtype": name}
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return v
        if isinstance(v, float):
            if math.isnan(v):
                return {"f": "nan"}
            if math.isinf(v):
                return {"f": "inf" if v > 0 else "-inf"}
            return v
        if isinstance(v, complex):
            return {"c": [self.encode(v.real), self.encode(v.imag)]}
        if v is Ellipsis:
            return {"ellipsis": True}
        if isinstance(v, torch.dtype):
            return {"dtype": dtype_name(v)}
        if isinstance(v, torch.device):
            return {"device": str(v)}
        if isinstance(v, torch.memory_format):
            return {"memory_format": str(v).removeprefix("torch.")}
        if isinstance(v, torch.Size):
            return {"size": list(v)}
        if isinstance(v, slice):
            return {"slice": [self.encode(v.start), self.encode(v.stop), self.encode(v.step)]}
        if _is_namedtuple(v):
            return {"namedtuple": type(v).__name__, "fields": list(_fields(v)),
                    "values": [self.encode(x, values) for x in v]}
        if isinstance(v, tuple):
            return {"tuple": [self.encode(x, values) for x in v]}
        if isinstance(v, list):
            return [self.encode(x, values) for x in v]
        if isinstance(v, dict):
            return {"dict": {k: self.encode(x, values) for k, x in v.items()}}
        raise Unencodable(type(v).__name__)


def encode_exception(e: BaseException) -> dict:
    builtin = next(c.__name__ for c in type(e).__mro__ if c.__module__ == "builtins")
    msg = str(e)
    return {"type": type(e).__name__, "builtin": builtin, "message": msg[:MSG_LEN]}


# ---------------------------------------------------------------------------
# resolving how to call an op


def resolve_public(name: str):
    """``torch.<name>`` for a dotted public name, or None."""
    obj: Any = torch
    for part in name.split("."):
        if part.startswith("_"):
            return None
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    if not callable(obj) or isinstance(obj, (type, torch.dtype)):
        return None
    return obj


def tensor_attr(name: str) -> tuple[bool, bool]:
    """(is a callable Tensor method, is a non-callable Tensor attribute/property)."""
    if "." in name or not hasattr(torch.Tensor, name):
        return False, False
    attr = inspect.getattr_static(torch.Tensor, name)
    is_prop = isinstance(attr, (property, types.GetSetDescriptorType))
    return not is_prop, is_prop


def op_source(fn) -> str | None:
    try:
        src = inspect.getsource(fn).strip()
    except (OSError, TypeError):
        return None
    return src[:300]


def _run(fn, inp, args, kwargs, seed: int = 0):
    """Call ``fn`` on fresh copies of the sample; return ("ok", out) or ("error", exc)."""
    inp, args, kwargs = clone_sample(inp, args, kwargs)
    torch.manual_seed(seed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(inp, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - any torch error is data here
        return "error", e


def same_result(a: tuple, b: tuple, values: bool) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return type(a[1]) is type(b[1])
    return same(a[1], b[1], values)


class Callers:
    """The ways a replay may call an op, each checked against ``op.op`` per sample.

    Call kinds (the replay implements the same list):
      function         torch.<name>(input, *args, **kwargs)
      method           input.<name>(*args, **kwargs)
      property         input.<name>                      (T, mT, H, ...)
      inplace_method   input.<name>_(*args, **kwargs)    (tried only if none above works)
      function_swap01  torch.<name>(args[0], input, *args[1:], **kwargs)  (einsum, polygamma)
    """

    def __init__(self, op) -> None:
        self.op = op
        self.fn = resolve_public(op.name)
        self.has_method, self.has_prop = tensor_attr(op.name)
        inplace_attr = getattr(torch.Tensor, op.name + "_", None)
        self.has_inplace = "." not in op.name and callable(inplace_attr)
        name = op.name
        fn = self.fn

        def method(x, *a, **k):
            return getattr(x, name)(*a, **k)

        def prop(x, *a, **k):
            if a or k:
                raise TypeError("property takes no arguments")
            return getattr(x, name)

        def inplace(x, *a, **k):
            return getattr(x, name + "_")(*a, **k)

        def swap01(x, *a, **k):
            if not a:
                raise TypeError("needs a positional argument")
            return fn(a[0], x, *a[1:], **k)

        self.variants: list[tuple[str, Any]] = []
        self.fallbacks: list[tuple[str, Any]] = []
        if fn is not None:
            self.variants.append(("function", fn))
            self.fallbacks.append(("function_swap01", swap01))
        if self.has_method:
            self.variants.append(("method", method))
        if self.has_prop:
            self.variants.append(("property", prop))
        if self.has_inplace:
            self.fallbacks.insert(0, ("inplace_method", inplace))

    def calls(self, inp, args, kwargs, ref: tuple, values: bool) -> list[str]:
        out = self._try(self.variants, inp, args, kwargs, ref, values)
        return out or self._try(self.fallbacks, inp, args, kwargs, ref, values)[:1]

    def _try(self, variants, inp, args, kwargs, ref: tuple, values: bool) -> list[str]:
        out = []
        for kind, fn in variants:
            if kind == "function" and self.op.op is self.fn:
                out.append(kind)
                continue
            needs_tensor = kind in ("method", "property", "inplace_method")
            if needs_tensor and not isinstance(inp, torch.Tensor):
                continue
            if same_result(ref, _run(fn, inp, args, kwargs), values):
                out.append(kind)
        return out


# ---------------------------------------------------------------------------
# gradients


def grad_leaves(inp, args, kwargs) -> list[tuple[list, torch.Tensor]]:
    """(path, tensor) for every floating tensor in the sample, in replay order."""
    found: list[tuple[list, torch.Tensor]] = []

    def walk(v, path):
        if isinstance(v, torch.Tensor):
            if v.dtype.is_floating_point:
                found.append((path, v))
        elif isinstance(v, (tuple, list)) and not isinstance(v, torch.Size):
            for i, x in enumerate(v):
                walk(x, path + [i])
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, path + [k])

    walk(inp, ["input"])
    walk(args, ["args"])
    walk(kwargs, ["kwargs"])
    return found


def flat_tensors(v: Any) -> list:
    """Output leaves in order: tensors and non-tensor values (as None)."""
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, (tuple, list)) and not isinstance(v, torch.Size):
        return [t for x in v for t in flat_tensors(x)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in flat_tensors(x)]
    return [None]


def record_grad(op, enc: Encoder, inp, args, kwargs) -> dict | None:
    """Seeded random cotangents and the input gradients torch computes for them."""
    inp, args, kwargs = clone_sample(inp, args, kwargs)
    leaves = grad_leaves(inp, args, kwargs)
    if not leaves:
        return None
    for _, t in leaves:
        t.requires_grad_(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.manual_seed(0)
            out = op(inp, *args, **kwargs)
            outs = flat_tensors(out)
            diff = [o for o in outs if isinstance(o, torch.Tensor) and o.requires_grad]
            if not diff:
                return None
            torch.manual_seed(0)
            cots = [torch.randn_like(o) if any(o is d for d in diff) else None for o in outs]
            pairs = [(o, c) for o, c in zip(outs, cots, strict=True) if c is not None]
            grads = torch.autograd.grad([o for o, _ in pairs], [t for _, t in leaves],
                                        [c for _, c in pairs], allow_unused=True)
    except Exception:  # noqa: BLE001 - no grads recorded when backward fails
        return None
    if count_elems(list(grads)) + count_elems(cots) > MAX_OUT_ELEMS:
        return None
    return {
        "paths": [p for p, _ in leaves],
        "cotangents": [None if c is None else enc.encode(c) for c in cots],
        "grads": [None if g is None else enc.encode(g) for g in grads],
    }


# ---------------------------------------------------------------------------
# recording one op


def iter_candidates(op, dtype, skipped: dict):
    """Yield (sample, n_elems) for encodable samples; count why others were dropped."""
    try:
        gen = op.sample_inputs("cpu", dtype, requires_grad=False)
        for i, s in enumerate(gen):
            if i >= MAX_EXAMINED:
                break
            try:
                n = check_value(s.input) + check_value(s.args) + check_value(s.kwargs)
            except Unencodable as e:
                reason = "unencodable: " + str(e)
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            yield s, n
    except Exception as e:  # noqa: BLE001
        skipped["sample_inputs raised: " + type(e).__name__] = 1


def pick_samples(op, dtype, skipped: dict) -> tuple[list, list]:
    """Up to MAX_SAMPLES small samples, and (if there are none) the two smallest big ones."""
    kept, big = [], []
    for s, n in iter_candidates(op, dtype, skipped):
        if n <= MAX_ELEMS:
            kept.append(s)
            if len(kept) == MAX_SAMPLES:
                break
        else:
            skipped["too large"] = skipped.get("too large", 0) + 1
            if n <= FALLBACK_OVERRIDES.get(op.name, FALLBACK_MAX_ELEMS):
                big = sorted([*big, (n, len(big), s)], key=lambda t: t[:2])[:2]
    return kept, ([] if kept else [s for _, _, s in big])


def record_case(op, callers: Callers, enc: Encoder, s, dtype, random: bool,
                skipped: dict, max_out: int = MAX_OUT_ELEMS,
                grad: bool = True) -> tuple[dict | None, bool]:
    """Encode one sample. Returns (case or None, whether the output proved random)."""
    inp, args, kwargs = s.input, tuple(s.args), dict(s.kwargs)
    ref = _run(op, inp, args, kwargs)
    if ref[0] == "ok":
        try:
            check_value(ref[1])
        except Unencodable as e:
            reason = "unencodable output: " + str(e)
            skipped[reason] = skipped.get(reason, 0) + 1
            return None, random
        if count_elems(ref[1]) > max(max_out, FALLBACK_OVERRIDES.get(op.name, 0)):
            skipped["output too large"] = skipped.get("output too large", 0) + 1
            return None, random
        if not random and not same_result(ref, _run(op, inp, args, kwargs, seed=1), True):
            random = True
    mark = len(enc.arrays)
    try:
        case: dict[str, Any] = {
            "input": enc.encode(inp),
            "args": [enc.encode(a) for a in args],
            "kwargs": {k: enc.encode(v) for k, v in kwargs.items()},
        }
        if s.name:
            case["name"] = s.name
        case["calls"] = callers.calls(inp, args, kwargs, ref, values=not random)
        if ref[0] == "error":
            case["error"] = encode_exception(ref[1])
        else:
            case["output"] = enc.encode(ref[1], values=not random)
            if s.output_process_fn_grad.__code__ is not _DEFAULT_PROCESS_CODE:
                case["output_process_fn_grad"] = True
            if (grad and op.supports_autograd and not random
                    and dtype in (torch.float32, torch.float64)):
                grad = record_grad(op, enc, inp, args, kwargs)
                if grad is not None:
                    case["grad"] = grad
    except Unencodable as e:
        for k in list(enc.arrays)[mark:]:
            del enc.arrays[k]
        reason = "unencodable: " + str(e)
        skipped[reason] = skipped.get(reason, 0) + 1
        return None, random
    return case, random


def record_errors(op, callers: Callers, enc: Encoder) -> list[dict]:
    """Encode a few of the op's ``error_inputs`` that really raise on CPU."""
    out: list[dict] = []
    try:
        gen = op.error_inputs("cpu")
        for ei in gen:
            if len(out) >= MAX_ERROR_INPUTS:
                break
            s = ei.sample_input
            try:
                if check_value(s.input) + check_value(s.args) + check_value(s.kwargs) > MAX_ELEMS:
                    continue
            except Unencodable:
                continue
            inp, args, kwargs = s.input, tuple(s.args), dict(s.kwargs)
            ref = _run(op, inp, args, kwargs)
            if ref[0] != "error":
                continue
            mark = len(enc.arrays)
            try:
                case = {
                    "input": enc.encode(inp),
                    "args": [enc.encode(a) for a in args],
                    "kwargs": {k: enc.encode(v) for k, v in kwargs.items()},
                    "calls": callers.calls(inp, args, kwargs, ref, values=True),
                    "error": encode_exception(ref[1]),
                    "error_regex": ei.error_regex,
                }
            except Unencodable:
                for k in list(enc.arrays)[mark:]:
                    del enc.arrays[k]
                continue
            out.append(case)
    except Exception:  # noqa: BLE001 - error_inputs generators sometimes fail off-CUDA
        pass
    return out


# ---------------------------------------------------------------------------
# the reference set


def _walk_values(v: Any, out: list) -> None:
    if isinstance(v, torch.Tensor) or not isinstance(v, (tuple, list, dict)):
        out.append(v)
    elif isinstance(v, dict):
        for x in v.values():
            _walk_values(x, out)
    else:
        for x in v:
            _walk_values(x, out)


def _sig(v: Any) -> Any:
    """A hashable summary of a value: tensors by dtype and shape, the rest by repr."""
    if isinstance(v, torch.Tensor):
        return ("T", dtype_name(v.dtype), tuple(v.shape))
    if isinstance(v, (tuple, list)) and not isinstance(v, torch.Size):
        return (type(v).__name__, *(_sig(x) for x in v))
    if isinstance(v, dict):
        return ("dict", *((k, _sig(x)) for k, x in sorted(v.items())))
    return repr(v)[:80]


def sample_signature(s) -> tuple:
    """Samples with equal signatures differ only in random tensor values."""
    return (_sig(s.input), _sig(tuple(s.args)), _sig(dict(s.kwargs)))


def sample_features(s, dtype) -> set:
    """Edge features (``edge:...``) and argument features of a sample."""
    leaves: list = []
    _walk_values([s.input, list(s.args), dict(s.kwargs)], leaves)
    tensors = [t for t in leaves if isinstance(t, torch.Tensor)]
    feats: set = set()
    if any(t.numel() == 0 for t in tensors):
        feats.add("edge:empty")
    if isinstance(s.input, torch.Tensor):
        feats.add(("ndim", s.input.ndim))
        if s.input.ndim == 0:
            feats.add("edge:0d")
    if len({tuple(t.shape) for t in tensors}) > 1:
        feats.add("broadcast")
    for t in tensors:
        if (t.dtype.is_floating_point or t.dtype.is_complex) and t.numel():
            if not bool(t.isfinite().all()):
                feats.add("edge:nonfinite")
            if bool((t == 0).any()):
                feats.add("edge:zero")
    scalars = [v for v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if any(v < 0 for v in scalars):
        feats.add("edge:negative-arg")
    if any(isinstance(v, float) and not math.isfinite(v) for v in scalars):
        feats.add("edge:nonfinite-arg")
    if dtype == torch.int64:  # values at 0 are everywhere in int samples
        feats.discard("edge:zero")
    for i, a in enumerate(s.args):
        feats.add(("arg", i, _arg_feature(a)))
    for k, v in s.kwargs.items():
        feats.add(("kwarg", k, _arg_feature(v)))
    return feats


def _arg_feature(v: Any) -> Any:
    """Arguments by kind: tensors by rank, floats by sign and integrality, the rest by value."""
    if isinstance(v, torch.Tensor):
        return ("T", v.ndim)
    if isinstance(v, float):
        if not math.isfinite(v):
            return repr(v)
        return ("float", (v > 0) - (v < 0), v.is_integer())
    if isinstance(v, (tuple, list)) and not isinstance(v, torch.Size):
        return (type(v).__name__, *(_arg_feature(x) for x in v))
    return _sig(v)


def _bits(t: torch.Tensor) -> torch.Tensor:
    """int64 keys telling apart every value of a 1-d tensor (0.0 from -0.0, NaN payloads)."""
    if t.dtype == torch.float64:
        return t.view(torch.int64)
    if t.dtype == torch.float32:
        return t.view(torch.int32).to(torch.int64)
    if t.dtype.is_complex or t.dtype.is_floating_point:
        raise Unencodable("no bit keys")
    return t.to(torch.int64)


def shrink_elementwise(s, limit: int):
    """A large elementwise sample cut to its distinct value tuples, at most ``limit`` elements.

    Only for samples whose tensors are all 1-d of one length (the small-value / extremal
    tensors of elementwise reference inputs); None otherwise.
    """
    leaves: list = []
    _walk_values([s.input, list(s.args), dict(s.kwargs)], leaves)
    tensors = [t for t in leaves if isinstance(t, torch.Tensor)]
    if not tensors or any(t.ndim != 1 or t.shape != tensors[0].shape for t in tensors):
        return None
    try:
        keys = torch.stack([_bits(t) for t in tensors])
    except Unencodable:
        return None
    _, inverse = torch.unique(keys, dim=1, return_inverse=True)
    first = torch.full((int(inverse.max()) + 1,), keys.shape[1], dtype=torch.int64)
    first = first.scatter_reduce(0, inverse, torch.arange(keys.shape[1]), "amin")
    idx = first.sort().values
    per = max(1, limit // len(tensors))
    if idx.numel() > per:
        idx = idx[torch.linspace(0, idx.numel() - 1, per).round().long()]

    def cut(t):
        return t[idx].clone()

    return SampleInput(tree_map_tensors(cut, s.input), args=tree_map_tensors(cut, tuple(s.args)),
                       kwargs=tree_map_tensors(cut, dict(s.kwargs)),
                       name=(s.name + " " if s.name else "") + "(distinct values)")


def _tensor_leaves(s) -> list:
    leaves: list = []
    _walk_values([s.input, list(s.args), dict(s.kwargs)], leaves)
    return [t for t in leaves if isinstance(t, torch.Tensor)]


def merge_elementwise(a, b):
    """One sample holding the values of two 1-d elementwise samples of the same structure.

    Saves the replay a kernel: the small-value (zeros) and extremal (inf, NaN) samples of an
    elementwise op become one.  None when the structures differ.
    """
    ta, tb = _tensor_leaves(a), _tensor_leaves(b)
    if (len(ta) != len(tb) or any(t.ndim != 1 for t in ta + tb)
            or [t.dtype for t in ta] != [t.dtype for t in tb]):
        return None

    def strip(v):
        return ("T", dtype_name(v.dtype))

    if (tree_map_tensors(strip, (a.input, tuple(a.args), dict(a.kwargs)))
            != tree_map_tensors(strip, (b.input, tuple(b.args), dict(b.kwargs)))):
        return None
    rest = iter(tb)

    def cat(t):
        return torch.cat([t, next(rest)])

    return SampleInput(tree_map_tensors(cat, a.input), args=tree_map_tensors(cat, tuple(a.args)),
                       kwargs=tree_map_tensors(cat, dict(a.kwargs)), name="special values")


# Edge features in the order a non-focus op's single reference sample is chosen by.
EDGE_PRIORITY = ("edge:special", "edge:empty", "edge:negative-arg", "edge:nonfinite-arg")


def pick_reference(op, dtype, main: list, skipped: dict) -> list:
    """Reference samples adding features the main samples (and earlier picks) lack.

    Samples with zeros and with non-finite values (elementwise ops' small-value and extremal
    tensors) are cut to their distinct values and merged into one ``edge:special`` sample.
    FOCUS ops: pass 1 keeps, in generator order, samples with a new edge feature; pass 2 fills
    up to the per-dtype limit with samples having any new argument feature.  Other ops: one
    sample, the first adding the earliest feature of ``EDGE_PRIORITY``.
    """
    focus = op.name in REF_FOCUS
    limit = (REF_FOCUS_MAX_SAMPLES if focus else REF_MAX_SAMPLES)[dtype]
    if not limit:
        return []
    seen = {sample_signature(s) for s in main}
    covered: set = set().union(*(sample_features(s, dtype) for s in main)) if main else set()
    cands = []
    special: dict[str, Any] = {}
    try:
        gen = op.reference_inputs("cpu", dtype, requires_grad=False)
        for i, s in enumerate(gen):
            if i >= REF_MAX_EXAMINED:
                break
            try:
                n = check_value(s.input) + check_value(s.args) + check_value(s.kwargs)
            except Unencodable:
                continue
            feats = sample_features(s, dtype)
            kinds = [f for f in ("edge:zero", "edge:nonfinite") if f in feats]
            if kinds and all(t.ndim == 1 for t in _tensor_leaves(s)):
                if kinds[0] not in special:
                    cut = shrink_elementwise(s, REF_MAX_ELEMS // 2)
                    if cut is not None:
                        special[kinds[0]] = cut
                continue
            if n > REF_MAX_ELEMS:
                continue
            sig = sample_signature(s)
            if sig in seen:
                continue
            seen.add(sig)
            cands.append((s, feats))
    except Exception as e:  # noqa: BLE001
        skipped["reference_inputs raised: " + type(e).__name__] = 1
    if special:
        parts = list(special.values())
        merged = merge_elementwise(*parts) if len(parts) == 2 else None
        for s in [merged] if merged is not None else parts:
            cands.insert(0, (s, sample_features(s, dtype) | {"edge:special"}))
    if not focus:
        for edge in EDGE_PRIORITY:
            for s, feats in cands:
                if edge in feats and edge not in covered:
                    return [s]
        return []
    picked: list = []
    for edge_only in (True, False):
        for s, feats in cands:
            if len(picked) >= limit:
                return picked
            new = {f for f in feats - covered if not (isinstance(f, tuple) and f[0] == "ndim")}
            if edge_only:
                new = {f for f in new if isinstance(f, str) and f.startswith("edge:")}
            if new and not any(s is p for p in picked):
                picked.append(s)
                covered |= feats
    return picked


def record_reference(op) -> tuple[dict, dict[str, np.ndarray]]:
    """The meta dict and arrays of one OpInfo's reference set (no cases: nothing to add)."""
    meta, callers = _base_meta(op)
    meta["reference"] = True
    meta["reference_source"] = ("reference_inputs" if op.reference_inputs_func is not None
                                else "sample_inputs")
    enc = Encoder()
    supported = op.supported_dtypes("cpu")
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(OP_TIMEOUT_S)
    try:
        for dtype in [d for d in REF_DTYPES if d in supported]:
            skipped: dict[str, int] = {}
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                main, big = pick_samples(op, dtype, {})
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                refs = pick_reference(op, dtype, main or big[:1], skipped)
            cases = []
            for s in refs:
                # other ops' empty samples: forward only (the replay's time is kernels)
                grad = op.name in REF_FOCUS or all(t.numel() for t in _tensor_leaves(s))
                with torch.random.fork_rng(devices=[]):
                    case, meta["random"] = record_case(op, callers, enc, s, dtype,
                                                       meta["random"], skipped,
                                                       max_out=REF_MAX_OUT_ELEMS, grad=grad)
                if case is not None:
                    cases.append(case)
            if cases:
                meta["cases"][dtype_name(dtype)] = cases
            if skipped:
                meta["skipped"][dtype_name(dtype)] = skipped
    except _Timeout:
        meta["timeout"] = True
    finally:
        signal.alarm(0)
    if meta["random"]:
        _strip_random(meta, enc)
    return meta, enc.arrays


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _base_meta(op) -> tuple[dict, Callers]:
    """The op's description shared by the main and the reference fixtures (no cases yet)."""
    key = op_key(op)
    callers = Callers(op)
    supported = op.supported_dtypes("cpu")
    is_lambda = getattr(op.op, "__name__", "") == "<lambda>"
    meta: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "torch_version": torch.__version__,
        "key": key,
        "name": op.name,
        "variant_test_name": op.variant_test_name,
        "aten_name": op.aten_name,
        "aliases": [a.name for a in op.aliases],
        "public_function": callers.fn is not None,
        "tensor_method": callers.has_method,
        "tensor_property": callers.has_prop,
        "op_is_public": callers.fn is not None and op.op is callers.fn,
        "op_is_method": callers.has_method and op.op is getattr(torch.Tensor, op.name),
        "op_is_lambda": is_lambda,
        "op_qualname": f"{getattr(op.op, '__module__', '')}.{getattr(op.op, '__qualname__', '')}",
        "op_source": op_source(op.op) if is_lambda else None,
        "supports_autograd": bool(op.supports_autograd),
        "supported_dtypes": sorted(dtype_name(d) for d in supported),
        "nondeterministic_output": bool(op.has_nondeterministic_output),
        "random": op.name in RANDOM_NAMES,
        "cases": {},
        "skipped": {},
    }
    return meta, callers


def record_op(op) -> tuple[dict, dict[str, np.ndarray]]:
    """The meta dict and arrays for one OpInfo."""
    meta, callers = _base_meta(op)
    enc = Encoder()
    supported = op.supported_dtypes("cpu")
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(OP_TIMEOUT_S)
    try:
        dtypes = [d for d in DTYPES if d in supported]
        if not dtypes:
            dtypes = [d for d in FALLBACK_DTYPES if d in supported][:1]
        for dtype in dtypes:
            skipped: dict[str, int] = {}
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                samples, big = pick_samples(op, dtype, skipped)
            cases = []
            for s in samples or big:
                with torch.random.fork_rng(devices=[]):
                    case, meta["random"] = record_case(op, callers, enc, s, dtype,
                                                       meta["random"], skipped)
                if case is not None:
                    cases.append(case)
                    if not samples:  # one big sample is enough
                        break
            if cases:
                meta["cases"][dtype_name(dtype)] = cases
            if skipped:
                meta["skipped"][dtype_name(dtype)] = skipped
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            errors = record_errors(op, callers, enc)
        if errors:
            meta["cases"]["errors"] = errors
    except _Timeout:
        meta["timeout"] = True
    finally:
        signal.alarm(0)
    if meta["random"]:
        _strip_random(meta, enc)
    return meta, enc.arrays


def _strip_random(meta: dict, enc: Encoder) -> None:
    """A late-detected random op: drop values recorded for its earlier outputs."""
    for dt, cases in meta["cases"].items():
        if dt == "errors":
            continue
        for case in cases:
            case.pop("grad", None)
            if "output" in case:
                case["output"] = _values_to_shapes(case["output"], enc)
    used = set(re.findall(r'"(a\d+)"', json.dumps(meta["cases"])))
    for k in list(enc.arrays):
        if k not in used:
            del enc.arrays[k]


def _values_to_shapes(v: Any, enc: Encoder) -> Any:
    if isinstance(v, dict):
        if "T" in v:
            if v["T"] is None:
                return v
            return {"T": None, "dtype": v["dtype"], "shape": list(enc.arrays[v["T"]].shape)}
        return {k: _values_to_shapes(x, enc) for k, x in v.items()}
    if isinstance(v, list):
        return [_values_to_shapes(x, enc) for x in v]
    return v


def write_op(key: str, meta: dict, arrays: dict[str, np.ndarray], out_dir: Path) -> None:
    if not re.fullmatch(r"[\w.\-]+", key):
        raise ValueError(f"unsafe fixture key {key!r}")
    text = json.dumps(meta, separators=(",", ":"), allow_nan=False)
    np.savez_compressed(out_dir / f"{key}.npz", __meta__=np.array(text), **arrays)


def _worker(key: str) -> tuple[str, int, int, float]:
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    op = _OPS[key]
    t0 = time.perf_counter()
    if _REF[0]:
        meta, arrays = record_reference(op)
        path = _OUT[0] / f"{key}.npz"
        if not meta["cases"]:  # nothing beyond the main set: no file
            path.unlink(missing_ok=True)
            return key, 0, 0, time.perf_counter() - t0
    else:
        meta, arrays = record_op(op)
    write_op(key, meta, arrays, _OUT[0])
    n_cases = sum(len(v) for v in meta["cases"].values())
    return key, n_cases, len(arrays), time.perf_counter() - t0


_OPS = {op_key(op): op for op in op_db}
_OUT: list[Path] = [OUT_DIR]
_REF: list[bool] = [False]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--ops", help="comma-separated op names or keys (name.variant)")
    g.add_argument("--all", action="store_true", help="record every op_db entry")
    p.add_argument("--jobs", type=int, default=max(1, multiprocessing.cpu_count()))
    p.add_argument("--ref", action="store_true",
                   help="record the reference set (edge-case samples) instead of the main one")
    p.add_argument("--out", type=Path, default=None,
                   help=f"default {OUT_DIR} ({REF_OUT_DIR} with --ref)")
    ns = p.parse_args(argv)
    if ns.out is None:
        ns.out = REF_OUT_DIR if ns.ref else OUT_DIR
    _REF[0] = ns.ref

    if ns.all:
        keys = sorted(_OPS)
    else:
        wanted = {w.strip() for w in ns.ops.split(",") if w.strip()}
        keys = sorted(k for k, op in _OPS.items() if k in wanted or op.name in wanted)
        missing = wanted - set(keys) - {_OPS[k].name for k in keys}
        if missing:
            print("not in op_db:", ", ".join(sorted(missing)), file=sys.stderr)
            return 2
    _OUT[0] = ns.out
    if ns.all and ns.out.exists():
        shutil.rmtree(ns.out)
    ns.out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    total_cases = 0
    slow = []
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(ns.jobs, maxtasksperchild=50) as pool:
        for i, (key, n, n_arr, dt) in enumerate(pool.imap_unordered(_worker, keys), 1):
            total_cases += n
            slow.append((dt, key))
            if len(keys) > 20 and i % 50 == 0:
                print(f"  {i}/{len(keys)} ops, {time.perf_counter() - t0:.0f}s", flush=True)
            elif len(keys) <= 20 and (n or not ns.ref):
                print(f"  {key}: {n} cases, {n_arr} arrays, {dt:.1f}s")
    size = sum(f.stat().st_size for f in ns.out.glob("*.npz"))
    print(f"recorded {len(keys)} ops, {total_cases} cases, {size / 1e6:.2f} MB in {ns.out}, "
          f"{time.perf_counter() - t0:.0f}s")
    print("slowest:", ", ".join(f"{k} {t:.1f}s" for t, k in sorted(slow)[-5:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
