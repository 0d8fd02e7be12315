"""Replaying recorded op_db cases against torchlike and comparing with torch's results."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from compat_tests._fixtures import Decoder, Unsupported, at_path, decode_numpy, resolve

# (rtol, atol) per output dtype; ints and bools compare exactly.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float32": (1.3e-6, 1e-5),
    "complex64": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex128": (1e-7, 1e-7),
    "float16": (1e-3, 1e-5),
    "complex32": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
}
# Gradients go through more arithmetic than the forward: a little looser.
GRAD_TOLERANCES: dict[str, tuple[float, float]] = {
    **TOLERANCES,
    "float32": (1e-5, 1e-5),
    "complex64": (1e-5, 1e-5),
}

MAX_PROBLEMS = 8  # per test item, in the failure message


def make_caller(tl: ModuleType, name: str, kind: str) -> Callable:
    """A function ``f(input, *args, **kwargs)`` calling the op the recorded way."""
    if kind == "function":
        return resolve(tl, name)
    if kind == "function_swap01":
        fn = resolve(tl, name)
        return lambda x, *a, **k: fn(a[0], x, *a[1:], **k)
    if kind == "method":
        return lambda x, *a, **k: getattr(x, name)(*a, **k)
    if kind == "property":
        return lambda x: getattr(x, name)
    if kind == "inplace_method":
        return lambda x, *a, **k: getattr(x, name + "_")(*a, **k)
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# structural comparison


class Comparison:
    """Walks a recorded output and torchlike's in parallel, collecting problems.

    Tensor leaves are collected as (path, expected array or None, actual array, dtype) so
    values can be checked afterwards (generically, or by an invariant checker).
    """

    def __init__(self, tl: ModuleType, arrays: dict[str, np.ndarray],
                 tols: dict[str, tuple[float, float]], scalar_dtype: str) -> None:
        self.tl = tl
        self.arrays = arrays
        self.tols = tols
        self.scalar_dtype = scalar_dtype
        self.problems: list[str] = []
        self.leaves: list[tuple[str, np.ndarray | None, np.ndarray, str]] = []

    def fail(self, path: str, msg: str) -> None:
        self.problems.append(f"{path}: {msg}")

    def walk(self, exp: Any, act: Any, path: str = "out") -> None:
        if isinstance(exp, dict):
            self._walk_dict(exp, act, path)
        elif isinstance(exp, list):
            if not isinstance(act, list):
                self.fail(path, f"expected a list, got {type(act).__name__}")
            else:
                self._walk_seq(exp, act, path)
        elif exp is None:
            if act is not None:
                self.fail(path, f"expected None, got {type(act).__name__}")
        elif isinstance(exp, bool) or isinstance(exp, str):
            if type(act) is not type(exp) or act != exp:
                self.fail(path, f"expected {exp!r}, got {act!r}")
        elif isinstance(exp, int):
            if type(act) is not int or act != exp:
                self.fail(path, f"expected int {exp!r}, got {act!r} ({type(act).__name__})")
        elif isinstance(exp, float):
            self._scalar(exp, act, float, path)
        else:
            raise ValueError(f"unknown encoding {exp!r}")

    def _walk_seq(self, exp: list, act: Any, path: str) -> None:
        if len(act) != len(exp):
            self.fail(path, f"expected {len(exp)} elements, got {len(act)}")
            return
        for i, (e, a) in enumerate(zip(exp, act, strict=True)):
            self.walk(e, a, f"{path}[{i}]")

    def _walk_dict(self, exp: dict, act: Any, path: str) -> None:
        if "T" in exp:
            self._tensor(exp, act, path)
        elif "f" in exp:
            self._scalar(decode_numpy(exp, {}), act, float, path)
        elif "c" in exp:
            re, im = (decode_numpy(x, {}) for x in exp["c"])
            self._scalar(complex(re, im), act, complex, path)
        elif "namedtuple" in exp:
            if not isinstance(act, tuple):
                self.fail(path, f"expected namedtuple {exp['namedtuple']}, "
                                f"got {type(act).__name__}")
                return
            cls = type(act)
            fields = getattr(cls, "_fields", None) or getattr(cls, "__match_args__", None)
            if fields is None:
                self.fail(path, f"expected namedtuple {exp['namedtuple']}{tuple(exp['fields'])}, "
                                "got a plain tuple")
            elif list(fields) != exp["fields"]:
                self.fail(path, f"expected fields {exp['fields']}, got {list(fields)}")
            self._walk_seq(exp["values"], act, path)
        elif "tuple" in exp:
            if not isinstance(act, tuple):
                self.fail(path, f"expected a tuple, got {type(act).__name__}")
            else:
                self._walk_seq(exp["tuple"], act, path)
        elif "dict" in exp:
            if not isinstance(act, dict) or set(act) != set(exp["dict"]):
                self.fail(path, f"expected dict with keys {sorted(exp['dict'])}, got {act!r}")
            else:
                for k, e in exp["dict"].items():
                    self.walk(e, act[k], f"{path}[{k!r}]")
        elif "dtype" in exp:
            if str(act) != "torch." + exp["dtype"]:
                self.fail(path, f"expected torch.{exp['dtype']}, got {act!r}")
        elif "size" in exp:
            if not isinstance(act, tuple) or list(act) != exp["size"]:
                self.fail(path, f"expected Size({exp['size']}), got {act!r}")
        elif "device" in exp:
            if str(act) != exp["device"]:
                self.fail(path, f"expected device {exp['device']!r}, got {act!r}")
        elif "slice" in exp or "ellipsis" in exp:
            if act != decode_numpy(exp, {}):
                self.fail(path, f"expected {exp!r}, got {act!r}")
        else:
            raise ValueError(f"unknown encoding {exp!r}")

    def _scalar(self, exp: float | complex, act: Any, kind: type, path: str) -> None:
        if type(act) is not kind:
            self.fail(path, f"expected Python {kind.__name__} {exp!r}, got {act!r} "
                            f"({type(act).__name__})")
            return
        rtol, atol = self.tols.get(self.scalar_dtype, (1e-7, 1e-7))
        msg = mismatch(np.asarray(exp), np.asarray(act), rtol, atol)
        if msg:
            self.fail(path, msg)

    def _tensor(self, exp: dict, act: Any, path: str) -> None:
        tensor_cls = getattr(self.tl, "Tensor", None)
        if tensor_cls is None or not isinstance(act, tensor_cls):
            self.fail(path, f"expected a Tensor, got {type(act).__name__}")
            return
        want = exp["dtype"]
        expected = None if exp["T"] is None else self.arrays[exp["T"]]
        shape = list(exp["shape"]) if expected is None else list(expected.shape)
        if str(act.dtype) != "torch." + want:
            self.fail(path, f"dtype: expected torch.{want}, got {act.dtype}")
            return
        if list(act.shape) != shape:
            self.fail(path, f"shape: expected {shape}, got {list(act.shape)}")
            return
        if expected is not None:
            self.leaves.append((path, expected, to_numpy(act), want))

    def check_values(self) -> None:
        """The generic value check: every tensor leaf within its dtype's tolerance."""
        for path, exp, act, dt in self.leaves:
            rtol, atol = self.tols.get(dt, (0.0, 0.0))
            msg = mismatch(exp, act, rtol, atol)
            if msg:
                self.fail(path, f"{dt} values: {msg}")


def to_numpy(t: Any) -> np.ndarray:
    """A torchlike tensor's values (bfloat16 read as float32)."""
    if hasattr(t, "detach"):
        t = t.detach()
    try:
        arr = np.asarray(t.numpy())
    except (TypeError, RuntimeError):
        arr = np.asarray(t.float().numpy())
    if arr.dtype.kind == "V" or arr.dtype.name == "bfloat16":
        arr = arr.astype(np.float32)
    return arr


def mismatch(exp: np.ndarray, act: np.ndarray, rtol: float, atol: float) -> str | None:
    """None if ``act`` matches ``exp`` (NaN == NaN); else a short description."""
    exp = np.asarray(exp)
    act = np.asarray(act)
    if exp.dtype.kind in "biu" or (rtol == 0 and atol == 0):
        try:
            act_c = act.astype(exp.dtype)
        except (TypeError, ValueError):
            return f"cannot read {act.dtype} as {exp.dtype}"
        bad = ~((act_c == exp) | (_isnan(exp) & _isnan(act_c)))
    else:
        act_c = act.astype(exp.dtype) if exp.dtype.kind == "c" else act.astype(np.float64)
        e = exp if exp.dtype.kind == "c" else exp.astype(np.float64)
        if e.dtype.kind == "c":
            bad = _bad_float(e.real, act_c.real, rtol, atol) | _bad_float(e.imag, act_c.imag,
                                                                          rtol, atol)
        else:
            bad = _bad_float(e, act_c, rtol, atol)
    if not bad.any():
        return None
    idx = np.argwhere(bad)[0] if bad.ndim else ()
    n = int(bad.sum())
    diff = ""
    if exp.dtype.kind in "fc":
        with np.errstate(invalid="ignore"):
            d = np.abs(act_c.astype(exp.dtype) - exp)
        finite = d[np.isfinite(d)]
        if finite.size:
            diff = f", max abs diff {finite.max():.3g}"
    at = tuple(int(i) for i in idx)
    return (f"{n}/{bad.size} elements differ{diff} (first at {at}: expected "
            f"{exp[at].item()!r}, got {act_c[at].item()!r}; rtol={rtol:g} atol={atol:g})")


def _isnan(a: np.ndarray) -> np.ndarray:
    return np.isnan(a) if a.dtype.kind in "fc" else np.zeros(a.shape, bool)


def _bad_float(e: np.ndarray, a: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    return ~ok


# ---------------------------------------------------------------------------
# invariant checks for ops defined only up to sign / order


def _leaves(cmp: Comparison) -> list[np.ndarray]:
    return [a for _, _, a, _ in cmp.leaves]


def _expected(cmp: Comparison) -> list[np.ndarray]:
    return [e for _, e, _, _ in cmp.leaves]


def _close(cmp: Comparison, what: str, exp: np.ndarray, act: np.ndarray, dt: str,
           scale: float = 1.0) -> None:
    rtol, atol = cmp.tols.get(dt, (1e-7, 1e-7))
    mag = float(np.max(np.abs(exp))) if exp.size else 0.0
    msg = mismatch(exp, act, rtol * scale, atol * scale + rtol * scale * mag)
    if msg:
        cmp.fail(what, msg)


def _recon_svd(u: np.ndarray, s: np.ndarray, vh: np.ndarray) -> np.ndarray:
    k = s.shape[-1]
    return (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]


def check_svd(cmp: Comparison, case: dict, inputs: Any, returns_v: bool) -> None:
    """U, S, V(h): singular values match and U diag(S) Vh reconstructs the same matrix."""
    if len(cmp.leaves) != 3:
        cmp.check_values()
        return
    (eu, es, ev), (au, as_, av) = _expected(cmp), _leaves(cmp)
    dt = cmp.leaves[1][3]
    _close(cmp, "out.S", es, as_, dt)
    if not eu.size or not np.any(eu):  # compute_uv=False: U and V are zero-filled
        cmp.leaves = [cmp.leaves[0], cmp.leaves[2]]
        cmp.check_values()
        return
    if returns_v:
        ev, av = np.swapaxes(ev, -1, -2).conj(), np.swapaxes(av, -1, -2).conj()
    _close(cmp, "out (U diag(S) Vh)", _recon_svd(eu, es, ev), _recon_svd(au, as_, av),
           cmp.leaves[0][3], scale=10.0)


def check_eigh(cmp: Comparison, case: dict, inputs: Any) -> None:
    """(L, Q): eigenvalues match and Q diag(L) Q^H reconstructs the same matrix."""
    if len(cmp.leaves) != 2:
        cmp.check_values()
        return
    (el, eq), (al, aq) = _expected(cmp), _leaves(cmp)
    _close(cmp, "out.eigenvalues", el, al, cmp.leaves[0][3])

    def recon(q, w):
        return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2).conj()

    _close(cmp, "out (Q diag(L) Q^H)", recon(eq, el), recon(aq, al), cmp.leaves[1][3],
           scale=10.0)


def _match_eigenvalues(cmp: Comparison, path: str, exp: np.ndarray, act: np.ndarray,
                       dt: str) -> None:
    """Eigenvalues in any order: sort both along the last axis by (real, imag)."""
    def srt(a):
        if a.size == 0:
            return a
        a = a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1)
        keys = np.round(a.real, 4) + 0j + 1j * np.round(a.imag, 4)
        return np.take_along_axis(a, np.argsort(keys, axis=-1), axis=-1)

    _close(cmp, path + " (sorted)", srt(exp), srt(act), dt, scale=10.0)


def check_eig(cmp: Comparison, case: dict, inputs: Any) -> None:
    """(L, V) or L: eigenvalues as a multiset; A V = V diag(L) for the eigenvectors."""
    if not cmp.leaves:
        return
    _match_eigenvalues(cmp, "out.eigenvalues", cmp.leaves[0][1], cmp.leaves[0][2],
                       cmp.leaves[0][3])
    if len(cmp.leaves) == 2 and isinstance(inputs[0], np.ndarray):
        a = inputs[0].astype(cmp.leaves[1][2].dtype)
        lam, v = cmp.leaves[0][2], cmp.leaves[1][2]
        _close(cmp, "out (A V vs V diag(L))", a @ v, v * lam[..., None, :], cmp.leaves[1][3],
               scale=100.0)


def check_eigvals(cmp: Comparison, case: dict, inputs: Any) -> None:
    for path, e, a, dt in cmp.leaves:
        _match_eigenvalues(cmp, path, e, a, dt)


# op name -> (position of `dim` in args, default dim, index of the indices output or None)
_SORT_LIKE = {"sort": (0, -1, 1), "argsort": (0, -1, 0), "topk": (1, -1, 1)}


def check_sort_like(cmp: Comparison, case: dict, inputs: Any, name: str) -> None:
    """Values exactly; indices may differ on ties but must pick the same input values."""
    pos, dim, which = _SORT_LIKE[name]
    x, args, kwargs = inputs
    if not isinstance(x, np.ndarray) or which >= len(cmp.leaves):
        cmp.check_values()
        return
    args = list(args)
    dim = kwargs.get("dim", args[pos] if len(args) > pos and isinstance(args[pos], int)
                     and not isinstance(args[pos], bool) else dim)
    others = [leaf for i, leaf in enumerate(cmp.leaves) if i != which]
    path, ei, ai, _ = cmp.leaves[which]
    cmp.leaves = others
    cmp.check_values()
    xx = x.reshape(1) if x.ndim == 0 else x
    ei_, ai_ = (ei.reshape(1), ai.reshape(1)) if x.ndim == 0 else (ei, ai)
    n = xx.shape[dim] if xx.ndim else 1
    if ai_.size and (ai_.min() < 0 or ai_.max() >= n):
        cmp.fail(path, f"indices out of range [0, {n})")
        return
    got = np.take_along_axis(xx, ai_.astype(np.int64), axis=dim)
    want = np.take_along_axis(xx, ei_.astype(np.int64), axis=dim)
    msg = mismatch(want, got, 0.0, 0.0)
    if msg:
        cmp.fail(path, "indices select different values: " + msg)


# op name -> position of `dim` in args; (values, indices) with indices into that dim
_SELECT_LIKE = {"kthvalue": 1, "median": 0, "nanmedian": 0, "mode": 0}


def check_select_like(cmp: Comparison, case: dict, inputs: Any, name: str) -> None:
    """Values exactly; on ties torch's index is its algorithm's pick, so the index only has to
    select the same input value."""
    x, args, kwargs = inputs
    if len(cmp.leaves) != 2 or not isinstance(x, np.ndarray):
        cmp.check_values()
        return
    pos = _SELECT_LIKE[name]
    args = list(args)
    dim = kwargs.get("dim", args[pos] if len(args) > pos else -1)
    keepdim = kwargs.get("keepdim", args[pos + 1] if len(args) > pos + 1 else False)
    path, _, ai, _ = cmp.leaves[1]
    cmp.leaves = cmp.leaves[:1]
    cmp.check_values()
    xx = x.reshape(1) if x.ndim == 0 else x
    dim = dim % xx.ndim
    idx = ai.reshape(ai.shape if keepdim and x.ndim else
                     np.expand_dims(ai, dim).shape if x.ndim else (1,)).astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= xx.shape[dim]):
        cmp.fail(path, f"indices out of range [0, {xx.shape[dim]})")
        return
    got = np.take_along_axis(xx, idx, axis=dim)
    want = cmp.leaves[0][1].reshape(got.shape)
    msg = mismatch(want, got, 0.0, 0.0)
    if msg:
        cmp.fail(path, "indices select different values: " + msg)


def invariant_checker(name: str) -> Callable | None:
    """A custom value check for ops whose outputs are defined only up to sign/order."""
    if name in ("svd", "linalg.svd"):
        return lambda cmp, case, inp: check_svd(cmp, case, inp, returns_v=name == "svd")
    if name == "linalg.eigh":
        return check_eigh
    if name == "linalg.eig":
        return check_eig
    if name == "linalg.eigvals":
        return check_eigvals
    if name in _SORT_LIKE:
        return lambda cmp, case, inp: check_sort_like(cmp, case, inp, name)
    if name in _SELECT_LIKE:
        return lambda cmp, case, inp: check_select_like(cmp, case, inp, name)
    return None


# ---------------------------------------------------------------------------
# running cases


def _exc_name(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"


def run_case(tl: ModuleType, meta: dict, case: dict, arrays: dict[str, np.ndarray],
             kind: str, scalar_dtype: str,
             tols: dict[str, tuple[float, float]] | None = None) -> list[str]:
    """Replay one recorded case; return the problems found (empty when it matches)."""
    dec = Decoder(tl, arrays)
    inp, args, kwargs = dec.sample(case)  # may raise Unsupported
    fn = make_caller(tl, meta["name"], kind)
    if "error" in case:
        err = case["error"]
        try:
            out = fn(inp, *args, **kwargs)
        except Exception as e:  # noqa: BLE001
            want = getattr(builtins, err["builtin"], Exception)
            if not isinstance(e, want):
                return [f"raised {_exc_name(e)}; "
                        f"torch raised {err['type']}: {err['message'][:200]}"]
            return []
        return [f"returned {type(out).__name__}; torch raised {err['type']}: "
                f"{err['message'][:200]}"]
    try:
        out = fn(inp, *args, **kwargs)
    except Unsupported:
        raise
    except Exception as e:  # noqa: BLE001
        return [f"raised {_exc_name(e)}"]
    cmp = Comparison(tl, arrays, tols or TOLERANCES, scalar_dtype)
    cmp.walk(case["output"], out)
    if not cmp.problems:
        check = invariant_checker(meta["name"])
        if check is None:
            cmp.check_values()
        else:
            np_inputs = (decode_numpy(case["input"], arrays),
                         [decode_numpy(a, arrays) for a in case["args"]],
                         {k: decode_numpy(v, arrays) for k, v in case["kwargs"].items()})
            x = np_inputs if meta["name"] in _SORT_LIKE or meta["name"] in _SELECT_LIKE else (
                np_inputs[0],)
            check(cmp, case, x)
    return cmp.problems


def flat_outputs(v: Any, tensor_cls: type) -> list:
    """Output leaves in the recorder's order (non-tensors as None)."""
    if isinstance(v, tensor_cls):
        return [v]
    if isinstance(v, (tuple, list)):
        return [t for x in v for t in flat_outputs(x, tensor_cls)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in flat_outputs(x, tensor_cls)]
    return [None]


def run_grad_case(tl: ModuleType, meta: dict, case: dict, arrays: dict[str, np.ndarray],
                  kind: str, tols: dict[str, tuple[float, float]] | None = None) -> list[str]:
    """Replay a case's backward: same cotangents, compare input gradients."""
    g = case["grad"]
    dec = Decoder(tl, arrays)
    inp, args, kwargs = dec.sample(case)
    leaves = [at_path(inp, args, kwargs, p) for p in g["paths"]]
    for t in leaves:
        t.requires_grad_(True)
    fn = make_caller(tl, meta["name"], kind)
    if (kind == "inplace_method" or meta["name"].endswith("_")) and isinstance(inp, tl.Tensor):
        inp = inp.clone()  # as OpInfo does: an in-place op on a leaf that requires grad raises
    try:
        out = fn(inp, *args, **kwargs)
        outs = flat_outputs(out, tl.Tensor)
        cots = [None if c is None else dec.value(c) for c in g["cotangents"]]
        if len(outs) != len(cots):
            return [f"{len(outs)} outputs, torch had {len(cots)}"]
        pairs = [(o, c) for o, c in zip(outs, cots, strict=True) if c is not None]
        grads = tl.autograd.grad([o for o, _ in pairs], leaves, [c for _, c in pairs],
                                 allow_unused=True)
    except Unsupported:
        raise
    except Exception as e:  # noqa: BLE001
        return [f"raised {_exc_name(e)}"]
    cmp = Comparison(tl, arrays, tols or GRAD_TOLERANCES, "float64")
    if len(grads) != len(leaves):
        return [f"{len(grads)} grads for {len(leaves)} inputs"]
    for path, exp, act in zip(g["paths"], g["grads"], grads, strict=True):
        cmp.walk(exp, act, "grad[" + ".".join(map(str, path)) + "]")
    cmp.check_values()
    return cmp.problems


__all__ = ["TOLERANCES", "GRAD_TOLERANCES", "MAX_PROBLEMS", "Unsupported", "make_caller",
           "run_case", "run_grad_case", "mismatch"]
