"""torch dtypes and torch's type promotion, in one place."""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np

# Promotion categories, ordered as torch orders them.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """torch.dtype: a named element type backed by a numpy/jax dtype."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "category", "bits", "_tag")

    def __init__(self, name: str, npdt, category: int, is_signed: bool, tag: str):
        self.name = name
        self.np = np.dtype(npdt)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == FLOAT
        self.is_complex = category == COMPLEX
        self.is_signed = is_signed
        self.bits = self.itemsize * 8
        self._tag = tag  # torch's ScalarType name, used in error messages ("Float", "Long")

    def __repr__(self) -> str:
        return "torch." + self.name

    __str__ = __repr__

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_complex(self) -> dtype:
        return {float16: complex64, bfloat16: complex64, float32: complex64,
                float64: complex128}.get(self, self)

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64}.get(self, self)


float16 = half = dtype("float16", np.float16, FLOAT, True, "Half")
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, FLOAT, True, "BFloat16")
float32 = float = dtype("float32", np.float32, FLOAT, True, "Float")
float64 = double = dtype("float64", np.float64, FLOAT, True, "Double")
complex64 = cfloat = dtype("complex64", np.complex64, COMPLEX, True, "ComplexFloat")
complex128 = cdouble = dtype("complex128", np.complex128, COMPLEX, True, "ComplexDouble")
uint8 = dtype("uint8", np.uint8, INT, False, "Byte")
int8 = dtype("int8", np.int8, INT, True, "Char")
int16 = short = dtype("int16", np.int16, INT, True, "Short")
int32 = int = dtype("int32", np.int32, INT, True, "Int")
int64 = long = dtype("int64", np.int64, INT, True, "Long")
bool = dtype("bool", np.bool_, BOOL, False, "Bool")  # noqa: A001 - torch's name

ALL = (float16, bfloat16, float32, float64, complex64, complex128,
       uint8, int8, int16, int32, int64, bool)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_np(npdt) -> dtype:
    """The torchlike dtype of a numpy/jax dtype (raises TypeError for unsupported ones)."""
    try:
        return _BY_NP[npdt]
    except KeyError:
        d = np.dtype(npdt)
        if d in _BY_NP:
            return _BY_NP[d]
        # uint16/32/64 have no full torch counterpart; map to the nearest signed type torch
        # uses when it reads such numpy arrays is an error, so say so.
        raise TypeError(f"can't convert np.ndarray of type numpy.{d.name}. The only supported "
                        "types "
                        "are: float64, float32, float16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.") from None


# ---------------------------------------------------------------- defaults

_default = [float32]
_ON_DEFAULT_CHANGE: list = []


def get_default_dtype() -> dtype:
    """torch.get_default_dtype."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """torch.set_default_dtype: only float32/float64 (and half types) are allowed."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d
    _promote_cache.clear()
    for hook in _ON_DEFAULT_CHANGE:
        hook()


def default_complex() -> dtype:
    return complex128 if _default[0] is float64 else complex64


# ---------------------------------------------------------------- promotion

_FLOAT_RANK = {float16: 1, bfloat16: 1, float32: 2, float64: 3}


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types."""
    if a is b:
        return a
    ca, cb = a.category, b.category
    if ca < cb:
        a, b, ca, cb = b, a, cb, ca
    if cb == BOOL:
        return a
    if ca == INT:  # both integral
        if a.is_signed == b.is_signed:
            return a if a.itemsize >= b.itemsize else b
        s, u = (a, b) if a.is_signed else (b, a)
        if s.itemsize > u.itemsize:
            return s
        return int16  # only uint8 exists, so the signed side is int8
    if ca == FLOAT:
        if cb == INT:
            return a
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if _FLOAT_RANK[a] >= _FLOAT_RANK[b] else b
    # complex
    if cb == INT:
        return a
    if cb == FLOAT:
        return complex128 if (a is complex128 or b is float64) else complex64
    return complex128 if complex128 in (a, b) else complex64


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """torch's combine_categories: a higher tier wins unless the lower has a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        if higher is float16:
            raise NotImplementedError("this result would be torch.complex32 (ComplexHalf), which "
                                      "torchlike does not support; cast the float16 operand to "
                                      "float32 first")
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


# Operand kinds: 0 = tensor with dims, 1 = zero-dim tensor, 2 = Python scalar ("wrapped").
_promote_cache: dict = {}


def scalar_dtype(v) -> dtype:
    """The dtype torch gives a Python scalar as a wrapped number."""
    t = type(v)
    if t is builtins.bool or isinstance(v, (np.bool_,)):
        return bool
    if t is builtins.int or isinstance(v, np.integer):
        return int64
    if t is builtins.float or isinstance(v, np.floating):
        return _default[0]
    if t is builtins.complex or isinstance(v, np.complexfloating):
        return default_complex()
    raise TypeError(f"unsupported scalar type {t.__name__}")


def result_type_of(pairs) -> dtype:
    """torch.result_type over (dtype, kind) pairs (kind: 0 dim tensor, 1 zero-dim, 2 scalar)."""
    key = tuple(pairs)
    r = _promote_cache.get(key)
    if r is None:
        tiers: list = [None, None, None]
        for d, k in key:
            tiers[k] = d if tiers[k] is None else promote_types(tiers[k], d)
        r = _promote_cache[key] = _combine(tiers[0], _combine(tiers[1], tiers[2]))
    return r


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """torch.can_cast: no downcast across categories (complex→real, float→int, non-bool→bool)."""
    return from_.category <= to.category


def finfo_np(d: dtype):
    return ml_dtypes.finfo(d.np) if d is bfloat16 else np.finfo(d.np)


class finfo:
    """torch.finfo."""

    def __init__(self, type: dtype | None = None):  # noqa: A002 - torch's name
        type = type or _default[0]
        if not (type.is_floating_point or type.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        real = type.to_real()
        fi = finfo_np(real)
        self.dtype = real.name
        self.bits = real.bits
        self.eps = builtins.float(fi.eps)
        self.max = builtins.float(fi.max)
        self.min = builtins.float(fi.min)
        self.tiny = self.smallest_normal = builtins.float(fi.tiny)
        self.resolution = 10.0 ** -builtins.int(fi.precision)  # torch: exactly 1e-06 for float32

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")

    __str__ = __repr__

    def __eq__(self, other) -> builtins.bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self) -> builtins.int:
        return hash(("finfo", self.dtype))


class iinfo:
    """torch.iinfo."""

    def __init__(self, type: dtype):  # noqa: A002 - torch's name
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category != INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        ii = np.iinfo(type.np)
        self.dtype = type.name
        self.bits = type.bits
        self.max = builtins.int(ii.max)
        self.min = builtins.int(ii.min)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__

    def __eq__(self, other) -> builtins.bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self) -> builtins.int:
        return hash(("iinfo", self.dtype))


def astype(a, to: dtype):
    """Cast a jax array to ``to`` as torch's CPU kernels do (use inside jitted kernels).

    Floating -> integer casts truncate; NaN, infinities and values outside int32/int64 give
    INT_MIN (x86's conversion result), and narrower integers wrap through int32, so
    ``tensor([-2.5]).byte()`` is 254 and ``tensor([300.7]).to(int8)`` is 44, as in torch, where
    XLA's own conversion would saturate.
    """
    import jax.numpy as jnp

    src = a.dtype
    if to.category != INT or not jnp.issubdtype(src, jnp.floating):
        return a.astype(to.np)
    wide = np.int64 if to is int64 else np.int32
    lim = builtins.float(2 ** (np.iinfo(wide).bits - 1))
    bad = ~jnp.isfinite(a) | (a >= lim) | (a < -lim)
    r = jnp.where(bad, np.iinfo(wide).min, jnp.where(bad, 0, a).astype(wide))
    return r if r.dtype == to.np else r.astype(to.np)
