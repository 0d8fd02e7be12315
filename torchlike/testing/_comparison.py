"""torch.testing.assert_close and assert_allclose: torch's comparison rules and messages.

The values are compared on the host with NumPy in the tensors' own dtypes (torch.isclose's
arithmetic), so the numbers in a failure message are the ones torch prints. This is a test
helper, not a hot path: no kernels are compiled for it.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core  # noqa: F401 - the engine must be loaded before its modules
from .._core import dtypes as _dt
from .._core.tensor import Tensor

__all__ = ["assert_close", "assert_allclose"]

# {dtype: (rtol, atol)} used when neither tolerance is given (torch's table).
_DEFAULT_TOLERANCES = {
    _dt.float16: (0.001, 1e-5),
    _dt.bfloat16: (0.016, 1e-5),
    _dt.float32: (1.3e-6, 1e-5),
    _dt.float64: (1e-7, 1e-7),
    _dt.complex64: (1.3e-6, 1e-5),
    _dt.complex128: (1e-7, 1e-7),
}
# Python number types stand for these dtypes when picking default tolerances.
_NUMBER_DTYPES = {int: _dt.int64, float: _dt.float64, complex: _dt.complex128}
_UNSIGNED_WIDE = {"uint16", "uint32", "uint64"}


class _Failure(Exception):
    """A comparison failure carrying the exception type, the message and the item path."""

    def __init__(self, kind: type[Exception], msg: str, path: tuple = ()):
        super().__init__(msg)
        self.kind = kind
        self.msg = msg
        self.path = path

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.msg
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([p]) for p in self.path)
        return self.kind(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """This kind of pair cannot handle the inputs; try the next one."""


def _tolerances(dtypes, rtol, atol, path):
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                   f"but got no {missing}.", path)
    if rtol is not None:
        return rtol, atol
    pairs = [_DEFAULT_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _diff_line(kind: str, diff, idx, tol, equality: bool) -> str:
    line = (f"{kind.title()} difference: {diff}" if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}")
    return line + ("" if equality else f" (up to {tol} allowed)") + "\n"


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol) -> str:
    equality = rtol == 0 and atol == 0
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += extra.strip() + "\n"
    msg += _diff_line("absolute", abs_diff, abs_idx, atol, equality)
    msg += _diff_line("relative", rel_diff, rel_idx, rtol, equality)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                         atol, rel_diff, None, rtol)


# ----------------------------------------------------------------------------- pairs


# Each pair function either raises _Unsupported (not its kind of input), raises a _Failure
# found while pairing (torch reports these without ``msg``), or returns the comparison to run.


def _compare_none(actual, expected, path, opts):
    if actual is not None and expected is not None:
        raise _Unsupported

    def compare():
        if not (actual is None and expected is None):
            raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", path)
    return compare


def _compare_bool(actual, expected, path, opts):
    if not all(isinstance(v, (bool, np.bool_)) for v in (actual, expected)):
        raise _Unsupported
    a, e = bool(actual), bool(expected)

    def compare():
        if a is not e:
            raise _Failure(AssertionError, f"Booleans mismatch: {a} is not {e}", path)
    return compare


def _compare_number(actual, expected, path, opts):
    kinds = (int, float, complex, np.number)
    if not all(isinstance(v, kinds) and not isinstance(v, bool) for v in (actual, expected)):
        raise _Unsupported
    a, e = (v.item() if isinstance(v, np.number) else v for v in (actual, expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(v)] for v in (a, e)], opts["rtol"],
                             opts["atol"], path)
    return lambda: _compare_numbers(a, e, rtol, atol, opts, path)


def _compare_numbers(a, e, rtol, atol, opts, path):
    if opts["check_dtype"] and type(a) is not type(e):
        raise _Failure(AssertionError,
                       f"The (d)types do not match: {type(a)} != {type(e)}.", path)
    if a == e:
        return
    if opts["equal_nan"] and cmath.isnan(a) and cmath.isnan(e):
        return
    diff = abs(a - e)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(e):
        return
    raise _Failure(AssertionError, _scalar_msg(a, e, rtol, atol), path)


def _as_tensor(value):
    if isinstance(value, Tensor):
        return value
    from .._ops.creation import as_tensor
    try:
        return as_tensor(value)
    except Exception:
        raise _Unsupported from None


def _host(t: Tensor) -> np.ndarray:
    return np.array(t.detach().numpy(force=True))


def _compare_tensor_like(actual, expected, path, opts):
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        raise _Unsupported
    if not opts["allow_subclasses"] and type(actual) is not type(expected):
        raise _Unsupported
    a, e = _as_tensor(actual), _as_tensor(expected)
    for t in (a, e):
        if t.layout != "torch.strided":
            raise _Failure(ValueError, f"Unsupported tensor layout {t.layout}", path)
    rtol, atol = _tolerances([a.dtype, e.dtype], opts["rtol"], opts["atol"], path)
    return lambda: _compare_tensors(a, e, rtol, atol, opts, path)


def _compare_tensors(a, e, rtol, atol, opts, path):
    def attr_mismatch(name, x, y):
        raise _Failure(AssertionError,
                       f"The values for attribute '{name}' do not match: {x} != {y}.", path)

    if a.shape != e.shape:
        attr_mismatch("shape", a.shape, e.shape)
    if opts["check_stride"] and a.stride() != e.stride():
        attr_mismatch("stride()", a.stride(), e.stride())
    if opts["check_device"] and a.device != e.device:
        attr_mismatch("device", a.device, e.device)
    if opts["check_dtype"] and a.dtype != e.dtype:
        attr_mismatch("dtype", a.dtype, e.dtype)

    dtype = a.dtype
    x, y = _host(a), _host(e)
    if a.dtype != e.dtype:
        # torch widens unsigned 16-64 bit types to int64 before promoting (no uint64 rule).
        da = _dt.int64 if a.dtype.name in _UNSIGNED_WIDE else a.dtype
        de = _dt.int64 if e.dtype.name in _UNSIGNED_WIDE else e.dtype
        dtype = _dt.promote_types(da, de)
        x, y = x.astype(dtype.np), y.astype(dtype.np)
    _compare_arrays(x, y, dtype, rtol, atol, opts["equal_nan"], path)


def _isclose(x, y, dtype, rtol, atol, equal_nan):
    """torch.isclose on host arrays, in torch's dtypes."""
    inexact = dtype.is_floating_point or dtype.is_complex
    with np.errstate(all="ignore"):
        close = x == y
        if equal_nan and inexact:
            close |= np.isnan(x) & np.isnan(y)
        if rtol == 0 and atol == 0:
            return close
        if not inexact:
            # rtol * an integer (or bool) tensor is a tensor of the default float dtype.
            fdt = _dt.get_default_dtype().np
            allowed = atol + np.abs(rtol * y.astype(fdt))
            err = np.abs(x.astype(np.int64) - y.astype(np.int64)).astype(fdt)
        else:
            allowed = atol + np.abs(rtol * y)
            err = np.abs(x - y)
        return close | (np.isfinite(err) & (err <= allowed))


def _compare_arrays(x, y, dtype, rtol, atol, equal_nan, path):
    matches = _isclose(x, y, dtype, rtol, atol, equal_nan)
    if matches.all():
        return
    if x.ndim == 0:
        raise _Failure(AssertionError, _scalar_msg(x.item(), y.item(), rtol, atol), path)
    total = matches.size
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    xf, yf, mf = x.reshape(-1), y.reshape(-1), matches.reshape(-1)
    inexact = dtype.is_floating_point or dtype.is_complex
    if not inexact:
        xf, yf = xf.astype(np.int64), yf.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(xf - yf)
        abs_diff[mf] = 0
        denom = np.abs(yf)
        if not inexact:
            # An integer true division gives the default float dtype in torch.
            fdt = _dt.get_default_dtype().np
            rel_diff = abs_diff.astype(fdt) / denom.astype(fdt)
        else:
            rel_diff = abs_diff / denom
        rel_diff[mf] = 0
    ia, ir = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    raise _Failure(AssertionError, _mismatch_msg(
        "Tensor-likes", extra, abs_diff[ia].item(),
        tuple(int(i) for i in np.unravel_index(ia, x.shape)), atol, rel_diff[ir].item(),
        tuple(int(i) for i in np.unravel_index(ir, x.shape)), rtol), path)


_PAIRS = (_compare_none, _compare_bool, _compare_number, _compare_tensor_like)


def _pairs(actual, expected, path, opts, out):
    """Walks nested sequences and mappings, collecting (compare, actual, expected, path)."""
    seq = collections.abc.Sequence
    if (isinstance(actual, seq) and not isinstance(actual, str)
            and isinstance(expected, seq) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, "The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}", path)
        for i in range(len(actual)):
            _pairs(actual[i], expected[i], (*path, i), opts, out)
        return
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ka, ke = set(actual.keys()), set(expected.keys())
        if ka != ke:
            raise _Failure(AssertionError, "The keys of the mappings do not match:\n"
                           f"Missing keys in the actual mapping: {sorted(ke - ka)}\n"
                           f"Additional keys in the actual mapping: {sorted(ka - ke)}", path)
        keys = ka
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        for k in keys:
            _pairs(actual[k], expected[k], (*path, k), opts, out)
        return
    out.append((actual, expected, path))


def _pair(actual, expected, path, opts):
    for make in _PAIRS:
        try:
            return make(actual, expected, path, opts)
        except _Unsupported:
            continue
    raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.", path)


def _unwrap_dtensors(actual, expected):
    """Two DTensors compare by placements, mesh, then local shards; one alone is an error."""
    module = sys.modules.get("torchlike.distributed.tensor")  # no DTensor exists without it
    if module is None:
        return actual, expected
    a, e = isinstance(actual, module.DTensor), isinstance(expected, module.DTensor)
    if a and e:
        if actual.placements != expected.placements:
            raise AssertionError("DTensor placements do not match: "
                                 f"{actual.placements} != {expected.placements}")
        if actual.device_mesh != expected.device_mesh:
            raise AssertionError("DTensor device meshes do not match: "
                                 f"{actual.device_mesh} != {expected.device_mesh}")
        return actual.to_local(), expected.to_local()
    if a or e:
        raise TypeError("Comparing a DTensor to a non-DTensor is ambiguous. Call .full_tensor() "
                        "to compare the full logical tensor or .to_local() to compare the local "
                        "shard.")
    return actual, expected


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """torch.testing.assert_close."""
    __tracebackhide__ = True
    actual, expected = _unwrap_dtensors(actual, expected)
    opts = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    leaves: list = []
    try:
        _pairs(actual, expected, (), opts, leaves)
        # Failures found while pairing inputs up (structure, types, tolerances) ignore ``msg``,
        # as torch's do; only the comparisons themselves use it.
        comparisons = [_pair(a, e, path, opts) for a, e, path in leaves]
    except _Failure as failure:
        raise failure.to_error() from None
    for compare in comparisons:
        try:
            compare()
        except _Failure as failure:
            raise failure.to_error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """torch.testing.assert_allclose (deprecated: use assert_close)."""
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    from .._ops.creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        old = {_dt.float16: (1e-3, 1e-3), _dt.float32: (1e-4, 1e-5), _dt.float64: (1e-5, 1e-8)}
        pairs = [old.get(d, (0.0, 0.0)) for d in (actual.dtype, expected.dtype)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)
