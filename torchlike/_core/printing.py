"""Tensor printing: a port of torch's ``torch/_tensor_str.py`` onto numpy arrays.

Everything here works on plain numpy values plus a torch dtype name, so the
output matches ``repr(torch_tensor)`` character for character without torch or
jax.  Values are canonicalised up front (rounded to the tensor's dtype, then
widened to float64/complex128/int) so formatting sees exactly the numbers
torch's ``.item()``/``.tolist()`` would hand to Python's ``format``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import ml_dtypes
import numpy as np

__all__ = [
    "PRINT_OPTS",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
    "tensor_repr",
    "tensor_str",
]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing (``torch.set_printoptions``).

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: element count above which output is summarised (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``; explicit options win.
        sci_mode: force (True) or forbid (False) scientific notation; None
            lets the formatter decide.
    """
    if profile is not None:
        # Unknown profile names are silently ignored, as torch does.
        for name, value in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # torch always assigns sci_mode, so any call without it resets it to None.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current print options, as kwargs accepted by :func:`set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change print options; takes :func:`set_printoptions` kwargs."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------
# dtype handling
# ---------------------------------------------------------------------------

# Storage dtype per torch dtype name; values are rounded through it so that
# e.g. float32 input for a bfloat16 tensor prints like torch's bfloat16 values.
_STORAGE = {
    "float16": np.float16,
    "bfloat16": ml_dtypes.bfloat16,
    "float32": np.float32,
    "float64": np.float64,
    "complex64": np.complex64,
    "complex128": np.complex128,
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "bool": np.bool_,
    "float8_e4m3fn": ml_dtypes.float8_e4m3fn,
    "float8_e5m2": ml_dtypes.float8_e5m2,
    "float8_e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
    "float8_e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
}


def _dtype_name(dtype: Any) -> str:
    name = getattr(dtype, "name", dtype)
    name = str(name)
    return name[len("torch."):] if name.startswith("torch.") else name


def _is_floating(name: str) -> bool:
    return name.startswith(("float", "bfloat"))


def _is_complex(name: str) -> bool:
    return name.startswith("complex")


def _canonical(arr: Any, name: str) -> np.ndarray:
    """Round ``arr`` to the dtype's storage type, then widen it losslessly.

    Floats become float64 and complex becomes complex128, so ``.tolist()``
    yields the same Python numbers torch would produce for that dtype.
    """
    arr = np.asarray(arr)
    storage = _STORAGE.get(name)
    if _is_complex(name):
        return arr.astype(storage or np.complex128).astype(np.complex128)
    if _is_floating(name):
        if storage is not None and arr.dtype != storage:
            if np.iscomplexobj(arr):
                arr = arr.real
            arr = arr.astype(storage)
        # ml_dtypes types convert reliably through float32; that is exact.
        if arr.dtype.itemsize < 4:
            arr = arr.astype(np.float32)
        return arr.astype(np.float64)
    if storage is not None:
        return arr.astype(storage)
    return arr


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def _extremes(values: np.ndarray) -> list:
    """Values whose formatted width bounds that of every value in ``values``.

    For ``str(int)``, ``.Nf`` and ``.Ne`` formats the string length grows
    monotonically with magnitude (and the exponent's digit count peaks at the
    largest or smallest magnitude), separately for each sign.  So checking the
    min/max of each sign gives the same max width as torch's per-element loop,
    without a Python loop over the whole tensor.
    """
    if values.dtype == np.bool_:
        return [bool(values.min()), bool(values.max())]
    if values.dtype.kind in "iu":
        return [values.min().item(), values.max().item()]
    out = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            out += [part.min().item(), part.max().item()]
    return out


class _Formatter:
    """Decides the common width and notation for one tensor's elements."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = values.reshape(-1)
        if not floating:
            if flat.size:
                self.max_width = max(1, *(len(f"{v}") for v in _extremes(flat)))
            return

        nonzero_finite_vals = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite_vals.size == 0:
            # no valid number, do nothing
            return

        # Values are already float64 here, matching torch's cast to double
        # before the ratio test (half would overflow at 1e8).
        nonzero_finite_abs = np.abs(nonzero_finite_vals)
        nonzero_finite_min = nonzero_finite_abs.min()
        nonzero_finite_max = nonzero_finite_abs.max()

        self.int_mode = bool(np.all(nonzero_finite_vals == np.ceil(nonzero_finite_vals)))

        with np.errstate(over="ignore"):  # the ratio may overflow to inf, as in torch
            ratio = nonzero_finite_max / nonzero_finite_min
        self.sci_mode = (
            ratio > 1000.0
            or nonzero_finite_max > 1.0e8
            or nonzero_finite_min < 1.0e-4
            if PRINT_OPTS.sci_mode is None
            else PRINT_OPTS.sci_mode
        )

        candidates = _extremes(nonzero_finite_vals)
        if self.sci_mode:
            spec, extra = f".{PRINT_OPTS.precision}e", 0
        elif self.int_mode:
            # int-valued floats get a trailing "." to show they are floats.
            spec, extra = ".0f", 1
        else:
            spec, extra = f".{PRINT_OPTS.precision}f", 0
        for value in candidates:
            self.max_width = max(self.max_width, len(format(value, spec)) + extra)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(val: complex, formatter1: _Formatter, formatter2: _Formatter) -> str:
    real_str = formatter1.format(val.real)
    imag_str = (formatter2.format(val.imag) + "j").lstrip()
    # handles negative numbers, +0.0, -0.0
    if imag_str[0] == "+" or imag_str[0] == "-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _scalar_str(self: np.ndarray, formatter1: _Formatter,
                formatter2: _Formatter | None = None) -> str:
    if formatter2 is not None:
        return _complex_str(self.item(), formatter1, formatter2)
    return formatter1.format(self.item())


def _vector_str(self: np.ndarray, indent: int, summarize: bool,
                formatter1: _Formatter, formatter2: _Formatter | None = None) -> str:
    # length includes spaces and comma between elements
    element_length = formatter1.width() + 2
    if formatter2 is not None:
        # width for imag_formatter + an extra j for complex
        element_length += formatter2.width() + 1

    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def _val_formatter(val: Any) -> str:
        if formatter2 is not None:
            return _complex_str(val, formatter1, formatter2)
        return formatter1.format(val)

    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and self.shape[0] > 2 * edge:
        data = (
            [_val_formatter(val) for val in self[:edge].tolist()]
            + [" ..."]
            + [_val_formatter(val) for val in self[-edge:].tolist()]
        )
    else:
        data = [_val_formatter(val) for val in self.tolist()]

    data_lines = [data[i:i + elements_per_line] for i in range(0, len(data), elements_per_line)]
    lines = [", ".join(line) for line in data_lines]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(self: np.ndarray, indent: int, summarize: bool,
                               formatter1: _Formatter,
                               formatter2: _Formatter | None = None) -> str:
    # formatter2 is only used for complex tensors: formatter1/formatter2 then
    # format the real and imaginary parts respectively.
    dim = self.ndim
    if dim == 0:
        return _scalar_str(self, formatter1, formatter2)
    if dim == 1:
        return _vector_str(self, indent, summarize, formatter1, formatter2)

    edge = PRINT_OPTS.edgeitems
    if summarize and self.shape[0] > 2 * edge:
        rows = [*range(edge), None, *range(len(self) - edge, len(self))]
    else:
        rows = list(range(self.shape[0]))
    slices = [
        "..." if i is None
        else _tensor_str_with_formatter(self[i], indent + 1, summarize, formatter1, formatter2)
        for i in rows
    ]
    tensor_str = ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices)
    return "[" + tensor_str + "]"


def _get_summarized_data(self: np.ndarray) -> np.ndarray:
    """Only the elements a summarised print shows, so the formatter's width
    and notation are chosen from what is actually printed."""
    dim = self.ndim
    edge = PRINT_OPTS.edgeitems
    if dim == 0:
        return self
    if dim == 1:
        if self.shape[0] > 2 * edge:
            # NB: with edge == 0, self[-0:] is the whole vector, as in torch.
            return np.concatenate((self[:edge], self[-edge:]))
        return self
    if not edge:
        return np.empty([0] * dim, dtype=self.dtype)
    if self.shape[0] > 2 * edge:
        rows = [*range(edge), *range(len(self) - edge, len(self))]
    else:
        rows = range(self.shape[0])
    return np.stack([_get_summarized_data(self[i]) for i in rows])


def _tensor_str(self: np.ndarray, name: str, indent: int) -> str:
    if self.size == 0:
        return "[]"

    summarize = self.size > PRINT_OPTS.threshold

    if _is_complex(name):
        real, imag = self.real, self.imag
        real_formatter = _Formatter(_get_summarized_data(real) if summarize else real, True)
        imag_formatter = _Formatter(_get_summarized_data(imag) if summarize else imag, True)
        return _tensor_str_with_formatter(self, indent, summarize, real_formatter, imag_formatter)
    formatter = _Formatter(_get_summarized_data(self) if summarize else self, _is_floating(name))
    return _tensor_str_with_formatter(self, indent, summarize, formatter)


def tensor_str(arr: Any, dtype: Any, indent: int = 0) -> str:
    """The bracketed body of a tensor's repr (no prefix or suffixes).

    ``indent`` is the column the opening bracket sits at, used to align
    continuation lines.
    """
    name = _dtype_name(dtype)
    return _tensor_str(_canonical(arr, name), name, indent)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int,
                  force_newline: bool) -> str:
    tensor_strs = [tensor_str]
    # Mirrors torch exactly, including its off-by-two when there is no newline.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def tensor_repr(
    arr: Any,
    dtype: Any,
    *,
    default_dtype: Any = "float32",
    prefix: str = "tensor(",
    device: str | None = None,
    requires_grad: bool = False,
    grad_fn: str | None = None,
    is_parameter: bool = False,
    tensor_contents: str | None = None,
) -> str:
    """Exactly what ``repr()`` of the equivalent torch tensor prints.

    Args:
        arr: the tensor's values (bfloat16/float16 may be given as float32).
        dtype: torch dtype name without ``torch.`` (e.g. ``"int64"``).
        default_dtype: name of ``torch.get_default_dtype()``; decides whether
            the ``dtype=`` suffix is shown.
        prefix: text before the values; its length sets the indent.
        device: device string such as ``"cuda:0"``; None/``"cpu"`` print nothing.
        requires_grad: print ``requires_grad=True`` (when there is no grad_fn).
        grad_fn: autograd node name, printed as ``grad_fn=<name>``.
        is_parameter: use ``nn.Parameter``'s ``Parameter containing:`` form.
        tensor_contents: replaces the formatted values, as in torch.
    """
    name = _dtype_name(dtype)
    default = _dtype_name(default_dtype)
    values = _canonical(arr, name)
    indent = len(prefix)
    suffixes = []

    # torch prints the device whenever it is not the default (CPU) one.
    if device is not None and str(device) != "cpu":
        suffixes.append(f"device='{device}'")

    default_complex = "complex128" if default == "float64" else "complex64"
    has_default_dtype = name in (default, default_complex, "int64", "bool")

    if values.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy.
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        # No elements to infer an int64/complex dtype from, so any
        # non-default dtype is shown.
        if name != default:
            suffixes.append(f"dtype=torch.{name}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(values.shape)}")
        if not has_default_dtype:
            suffixes.append(f"dtype=torch.{name}")
        body = None
    if tensor_contents is not None:
        body = tensor_contents
    elif body is None:
        body = _tensor_str(values, name, indent)

    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    out = _add_suffixes(prefix + body, suffixes, indent, force_newline=False)
    if is_parameter:
        out = "Parameter containing:\n" + out
    return out
