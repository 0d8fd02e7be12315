"""Pointwise math beyond the core: trig, exp/log, rounding, special functions, complex helpers.

Complex helpers return copies, not views: ``real``/``imag``/``view_as_real``/``view_as_complex``
of a complex tensor cannot alias its storage (a Storage holds one jax array of one dtype), so
writing into their result does not change the source.  ``x.real = v`` / ``x.imag = v`` do write
into ``x``.  ``conj`` of a complex tensor is materialised at once (torchlike has no lazy conjugate
bit), so ``is_conj()`` is always False and ``resolve_conj``/``resolve_neg`` return their input.
"""

from __future__ import annotations

import builtins
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy import special as _sp

from .. import return_types as _rt
from .._core import dtypes as _dt
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import (
    DEFAULT,
    INT_TO_FLOAT,
    Op,
    binary,
    export,
    inplace,
    method,
    operand,
    record,
    result_type_of,
    run,
    set_out,
    torch_grad,
    unary,
)
from .._core.tensor import Tensor
from .._core.tracing import GraphBreak, is_traced
from .pointwise import _real_pow

_make = Tensor._make

# ---------------------------------------------------------------- helpers


def _to_float(dt):
    """INT_TO_FLOAT: integral and bool results become the default float dtype."""
    return dt if dt.category >= _dt.FLOAT else _dt.get_default_dtype()


def _same(dt):
    return dt


def _to_bool(dt):
    return _dt.bool


# caffe2 TypeMeta names, as torch's dtype-mismatch messages print them.
_META_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
               "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
               "bool": "bool", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
               "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _not_impl(kernel: str, dt) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{dt._tag}\'')


def _tensor_arg(fname: str, argname: str, pos: int, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _unary(name: str, body, result=_to_float, *, compute=None, check=None,
           differentiable: bool = True, has_inplace: bool = True, method_: bool = True,
           saved: str | None = "in", grad_name: str | None = None, export_: bool = True,
           strict_out: bool = False):
    """A unary elementwise op whose result dtype is ``result(src)``.

    Unlike registry.unary the input is cast only to ``compute(src)`` (when given), so predicates
    (isnan, signbit) see their real input.  ``check(src)`` raises for unsupported dtypes;
    with ``strict_out`` an ``out=`` tensor must have the result dtype exactly (torch's rule for
    ops that keep the input dtype, such as floor or sign).
    """
    op = Op(name, grad_name, differentiable, saved)
    kernels = op.kernels

    def build(src):
        if check is not None:
            check(src)
        odt = result(src)
        on = odt.np
        cn = compute(src).np if compute is not None else None

        def f(a):
            if cn is not None and a.dtype != cn:
                a = a.astype(cn)
            r = body(a)
            return r if r.dtype == on else r.astype(on)

        entry = kernels[src] = (jax.jit(f), f, odt)
        return entry

    def fn(input, *, out=None):
        try:
            a = input._data
            src = input._dtype
        except AttributeError:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}") from None
        entry = kernels.get(src)
        if entry is None:
            entry = build(src)
        r = _make(entry[0](a), entry[2])
        if GRAD_ENABLED[0] and input._requires_grad:
            record(op, src, entry, (a,), (input,), (r,))
        if out is not None:
            if strict_out and isinstance(out, Tensor) and out._dtype is not entry[2]:
                if entry[2] is _dt.bool:
                    raise RuntimeError(f"{name} does not support non-boolean outputs.")
                raise RuntimeError(f"Found dtype {out._dtype._tag} but expected {entry[2]._tag}")
            return set_out(out, r)
        return r

    def fn_(self):
        return inplace(self, fn(self))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}."
    fn_.__name__ = name + "_"
    fn_.__doc__ = f"torch.Tensor.{name}_ (in place)."
    if export_:
        export(fn, name, method=method_, inplace=fn_ if has_inplace else None)
    fn.op = op
    fn.inplace = fn_
    return fn


def _float_only(kernel: str):
    def check(dt):
        if not dt.is_floating_point:
            raise _not_impl(kernel, dt)

    return check


def _no_complex(msg: str, exc=RuntimeError):
    def check(dt):
        if dt.is_complex:
            raise exc(msg)

    return check


def _tensors_binary(name: str, body, promote=INT_TO_FLOAT, *, check=None,
                    differentiable: bool = True, has_inplace: bool = True):
    """A binary op torch accepts only on two Tensors, with torch's argument errors."""
    b = binary(name, body, promote, method_=False, has_inplace=False, check=check,
               differentiable=differentiable)
    impl = b.impl

    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            _tensor_arg(name, "input", 1, input)
        if not isinstance(other, Tensor):
            _tensor_arg(name, "other", 2, other)
        return impl(input, other, out)

    def fn_(self, other):
        if not isinstance(other, Tensor):
            _tensor_arg(name + "_", "other", 1, other)
        return inplace(self, impl(self, other, None))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}."
    fn_.__name__ = name + "_"
    export(fn, name, inplace=fn_ if has_inplace else None)
    fn.op = b.op
    fn.impl = impl
    fn.inplace = fn_
    return fn


def _real_args(name: str, exc=NotImplementedError, msg=None):
    def check(a, b, rt):
        if rt.is_complex:
            raise exc(msg) if msg else _not_impl(f"{name}_cpu", rt)

    return check


def _alias(fn, name: str):
    """Export ``fn`` (and its in-place variant) under torch's alias ``name``."""
    export(fn, name, inplace=getattr(fn, "inplace", None) or getattr(Tensor, fn.__name__ + "_"))
    return fn


# ---------------------------------------------------------------- trig and hyperbolic

tan = unary("tan", jnp.tan, INT_TO_FLOAT, saved="out")
asin = unary("asin", jnp.arcsin, INT_TO_FLOAT)
acos = unary("acos", jnp.arccos, INT_TO_FLOAT)
atan = unary("atan", jnp.arctan, INT_TO_FLOAT)
sinh = unary("sinh", jnp.sinh, INT_TO_FLOAT)
cosh = unary("cosh", jnp.cosh, INT_TO_FLOAT)
asinh = unary("asinh", jnp.arcsinh, INT_TO_FLOAT)
acosh = unary("acosh", jnp.arccosh, INT_TO_FLOAT)
atanh = unary("atanh", jnp.arctanh, INT_TO_FLOAT)
def _atan2_tangent(p, t, r):
    # torch's rule: the gradient is 0 at y = x = 0, where 1 / (x^2 + y^2) is infinite
    (y, x), (ty, tx) = p, t
    recip = 1 / (x * x + y * y)
    return (x * ty - y * tx) * jnp.where(jnp.isinf(recip), 0, recip)


_atan2 = torch_grad(jnp.arctan2, _atan2_tangent)


atan2 = _tensors_binary("atan2", _atan2, check=_real_args("atan2"))

# ---------------------------------------------------------------- exp / log family

exp2 = unary("exp2", jnp.exp2, INT_TO_FLOAT)
expm1 = unary("expm1", jnp.expm1, INT_TO_FLOAT, saved="out")
log2 = unary("log2", jnp.log2, INT_TO_FLOAT)
log10 = unary("log10", jnp.log10, INT_TO_FLOAT)
log1p = unary("log1p", jnp.log1p, INT_TO_FLOAT)
rsqrt = unary("rsqrt", lax.rsqrt, INT_TO_FLOAT, saved="out")
reciprocal = unary("reciprocal", lambda a: 1 / a, INT_TO_FLOAT, saved="out")


def _square_result(dt):
    return _dt.int64 if dt is _dt.bool else dt


square = _unary("square", jnp.square, _square_result, compute=_square_result,
                grad_name="PowBackward0")

# ---------------------------------------------------------------- sign family


def _sign_body(a):
    if a.dtype == jnp.bool_:
        return a
    if jnp.issubdtype(a.dtype, jnp.floating):  # torch: sign(nan) = 0
        return jnp.where(jnp.isnan(a), jnp.zeros_like(a), jnp.sign(a))
    return jnp.sign(a)


def _sgn_body(a):
    if jnp.iscomplexobj(a):
        mag = jnp.abs(a)
        safe = jnp.where(mag == 0, 1, mag).astype(a.dtype)
        return jnp.where(mag == 0, jnp.zeros_like(a), a / safe)
    return _sign_body(a)


sign = _unary("sign", _sign_body, _same, saved=None, strict_out=True, check=_no_complex(
    "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn "
    "instead.", NotImplementedError))
sgn = _unary("sgn", _sgn_body, _same, strict_out=True)


def _signbit_body(a):
    if a.dtype == jnp.bool_:
        return jnp.zeros(a.shape, jnp.bool_)
    if jnp.issubdtype(a.dtype, jnp.integer):
        return a < 0
    return jnp.signbit(a)


signbit = _unary("signbit", _signbit_body, _to_bool, differentiable=False, has_inplace=False,
                 strict_out=True,
                 check=_no_complex("signbit is not implemented for complex tensors.",
                                   NotImplementedError))

# ---------------------------------------------------------------- rounding


def _rounding_check(name: str, vml: bool = True):
    kernel = f"{name}_vml_cpu" if vml else f"{name}_cpu"

    def check(dt):
        if dt is _dt.bool:
            raise _not_impl(kernel, dt)
        if dt.is_complex:
            raise NotImplementedError(f"{name} is not supported for complex inputs")

    return check


def _keep_int(f):
    return lambda a: a if jnp.issubdtype(a.dtype, jnp.integer) else f(a)


floor = _unary("floor", _keep_int(jnp.floor), _same, check=_rounding_check("floor"), saved=None,
                 strict_out=True)
ceil = _unary("ceil", _keep_int(jnp.ceil), _same, check=_rounding_check("ceil"), saved=None,
                 strict_out=True)
trunc = _unary("trunc", _keep_int(jnp.trunc), _same, check=_rounding_check("trunc"), saved=None,
                 strict_out=True)
fix = _alias(trunc, "fix")


def _round_check(dt):
    if dt is _dt.bool or dt.is_complex:
        raise _not_impl("round_vml_cpu", dt)


_round0 = _unary("round", _keep_int(jnp.round), _same, check=_round_check, saved=None,
                 export_=False, strict_out=True)
_round_dec_op = Op("round", "RoundBackward1", saved=None)


def round(input, *, decimals: int = 0, out=None):  # noqa: A001 - torch's name
    """torch.round: round half to even, optionally to ``decimals`` decimal places."""
    if decimals == 0:
        return _round0(input, out=out)
    _tensor_arg("round", "input", 1, input)
    dt = input._dtype
    if not dt.is_floating_point:
        raise _not_impl("round_cpu", dt)
    decimals = int(decimals)
    key = (dt, decimals)

    def build():
        n = dt.np
        neg = decimals < 0
        scale = 10.0 ** abs(decimals)

        def f(a):
            s = jnp.asarray(scale, n)
            return jnp.round(a / s) * s if neg else jnp.round(a * s) / s

        return f

    r = run(_round_dec_op, key, build, (input._data,), (input,), dt)
    return r if out is None else set_out(out, r)


def _round_(self, *, decimals: int = 0):
    return inplace(self, round(self, decimals=decimals))


_round_.__doc__ = "torch.Tensor.round_ (in place)."
export(round, inplace=_round_)

frac = _unary("frac", lambda a: a - jnp.trunc(a), _same, check=_float_only("frac_cpu"),
              saved=None, strict_out=True)

# ---------------------------------------------------------------- positive


def positive(input):
    """torch.positive: returns ``input`` itself (bool tensors raise, as in torch)."""
    _tensor_arg("positive", "input", 1, input)
    if input._dtype is _dt.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


export(positive)

# ---------------------------------------------------------------- special functions

_no_cplx = {"complex_ok": False}
erf = unary("erf", _sp.erf, INT_TO_FLOAT, **_no_cplx)
erfc = unary("erfc", _sp.erfc, INT_TO_FLOAT, **_no_cplx)
erfinv = unary("erfinv", _sp.erfinv, INT_TO_FLOAT, **_no_cplx)
lgamma = unary("lgamma", lax.lgamma, INT_TO_FLOAT, **_no_cplx)


def _cot_deriv(n: int, x):
    """d^n/dx^n cot(pi x), by JAX's own differentiation of cot."""
    pi = jnp.asarray(math.pi, x.dtype)

    def f(y):
        return jnp.cos(pi * y) / jnp.sin(pi * y)

    for _ in range(n):
        f = (lambda g: lambda y: jax.jvp(g, (y,), (jnp.ones_like(y),))[1])(f)
    return f(x)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def _polygamma(n: int, x):
    """polygamma(n >= 1, x) matching torch for x < 0.5 too.

    JAX's polygamma (Hurwitz zeta) is inaccurate for x < 0, so reflect:
    psi_n(x) = (-1)^n psi_n(1 - x) - pi * d^n/dx^n cot(pi x).  The reflection cancels badly in
    float32, so narrower floats are evaluated in float64 and rounded.
    """
    dt = x.dtype
    x0 = x
    if dt != jnp.float64:
        x = x.astype(jnp.float64)
    pi = jnp.asarray(math.pi, x.dtype)
    refl = x < 0.5
    t = _sp.polygamma(n, jnp.where(refl, 1 - x, x))
    if n == 1:  # as torch's trigamma: pi^2 / sin^2(pi x) - trigamma(1 - x), sin in x's dtype
        s = jnp.sin(jnp.asarray(math.pi, dt) * x0).astype(x.dtype)
        r = jnp.where(refl, (pi / s) ** 2 - t, t)
        r = jnp.where(x == jnp.inf, 0, r)  # torch's trigamma(inf) is 0 (the zeta sum gives NaN)
    else:  # torch's zeta(n + 1, q) is inf at the poles q = 0, -1, -2, ...
        r = jnp.where(refl, (-1) ** n * t - pi * _cot_deriv(n, x), t)
        pole = (x <= 0) & (x == jnp.floor(x))
        r = jnp.where(pole, jnp.asarray((-1) ** (n + 1) * jnp.inf, x.dtype), r)
    return r.astype(dt)


@_polygamma.defjvp
def _polygamma_jvp(n, primals, tangents):
    (x,), (t,) = primals, tangents
    return _polygamma(n, x), _polygamma(n + 1, x) * t


def _digamma_value(x):
    # torch: digamma(±0) = ∓inf (JAX gives nan).
    return jnp.where(x == 0, jnp.copysign(jnp.asarray(jnp.inf, x.dtype), -x), lax.digamma(x))


_digamma = torch_grad(_digamma_value, lambda p, t, r: _polygamma(1, p[0]) * t[0])


# torch: d/dinput = 1 except where input == other (the result is input itself there, and torch
# gives 0); d/dother = 0.
_nextafter = torch_grad(jnp.nextafter, lambda p, t, r: jnp.where(
    p[0] == p[1], jnp.zeros((), r.dtype), t[0]).astype(r.dtype))


digamma = unary("digamma", _digamma, INT_TO_FLOAT, **_no_cplx)
# d i0 / dx = i1(x), which is 0 at x = 0 (jax's own rule gives 1 there)
_i0 = torch_grad(_sp.i0, lambda p, t, r: _sp.i1(p[0]) * t[0])

i0 = unary("i0", _i0, INT_TO_FLOAT, **_no_cplx)
sinc = unary("sinc", jnp.sinc, INT_TO_FLOAT)
deg2rad = _unary("deg2rad", jnp.deg2rad, _to_float, compute=_to_float,
                 check=_no_complex("deg2rad is not supported for complex tensors."))
rad2deg = _unary("rad2deg", jnp.rad2deg, _to_float, compute=_to_float,
                 check=_no_complex("rad2deg is not supported for complex tensors."))

_polygamma_op = Op("polygamma")


def polygamma(n, input, *, out=None):
    """torch.polygamma(n, input): the n-th derivative of digamma."""
    _tensor_arg("polygamma", "input", 2, input)
    n = int(n)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    dt = input._dtype
    if dt.is_complex:
        raise _not_impl("polygamma", dt)
    odt = _to_float(dt)
    key = (dt, n)

    def build():
        on = odt.np
        if n == 0:
            return lambda a: _digamma(a.astype(on))
        return lambda a: _polygamma(n, a.astype(on))

    r = run(_polygamma_op, key, build, (input._data,), (input,), odt)
    return r if out is None else set_out(out, r)


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_(self, n):
    return inplace(self, polygamma(n, self))


_polygamma_method.__doc__ = "torch.Tensor.polygamma(n)."
_polygamma_.__doc__ = "torch.Tensor.polygamma_ (in place)."
export(polygamma, method=False)
method(_polygamma_method, "polygamma")
method(_polygamma_, "polygamma_")

_mvlgamma_op = Op("mvlgamma")


def mvlgamma(input, p, *, out=None):
    """torch.mvlgamma: the multivariate log-gamma function of dimension ``p``."""
    _tensor_arg("mvlgamma", "input", 1, input)
    p = int(p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    dt = input._dtype
    if dt is _dt.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if dt.is_complex:
        raise _not_impl("mvlgamma", dt)
    odt = _to_float(dt)

    def build():
        on = odt.np
        return lambda a: _sp.multigammaln(a.astype(on), p).astype(on)

    r = run(_mvlgamma_op, (dt, p), build, (input._data,), (input,), odt)
    return r if out is None else set_out(out, r)


export(mvlgamma, inplace=lambda self, p: inplace(self, mvlgamma(self, p)))

_logit_op = Op("logit")


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _logit_body(a, eps):
    if eps is not None:
        lo = jnp.asarray(eps, a.dtype)
        hi = jnp.asarray(1 - eps, a.dtype)
        a = jnp.where(a < lo, lo, jnp.where(a > hi, hi, a))
    return jnp.log(a / (1 - a))


@_logit_body.defjvp
def _logit_jvp(eps, primals, tangents):
    # torch's rule: 1 / (a (1 - a)) (inf at 0 and 1); outside the domain NaN, or 0 where eps
    # clamps
    (a,), (t,) = primals, tangents
    lo, hi = (0, 1) if eps is None else (eps, 1 - eps)
    out = (a < lo) | (a > hi)
    d = jnp.where(out, jnp.nan if eps is None else 0, 1 / (a * (1 - a)))
    return _logit_body(a, eps), d.astype(a.dtype) * t


def logit(input, eps=None, *, out=None):
    """torch.logit: log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    _tensor_arg("logit", "input", 1, input)
    dt = input._dtype
    if dt.is_complex:
        raise _not_impl("logit_cpu", dt)
    odt = _to_float(dt)
    eps = None if eps is None else float(eps)
    if eps is not None and eps < 0:
        eps = None  # torch treats a negative eps as no clamping
    key = (dt, eps)

    def build():
        on = odt.np
        return lambda a: _logit_body(a.astype(on), eps)

    r = run(_logit_op, key, build, (input._data,), (input,), odt)
    return r if out is None else set_out(out, r)


export(logit, inplace=lambda self, eps=None: inplace(self, logit(self, eps)))

# ---------------------------------------------------------------- binary math


def _float_args(name: str):
    def check(a, b, rt):
        if not rt.is_floating_point:
            raise _not_impl(f"{name}_cpu", rt)

    return check


def _xlogy_like(log_fn, shift):
    """x * log_fn(y), 0 where x == 0 unless y is NaN; torch's gradients: log_fn(y) for x (0 where
    x == 0 and y is at or below log_fn's domain, -shift), x / (y + shift) for y."""

    def value(x, y):
        r = x * log_fn(jnp.where(x == 0, jnp.ones((), y.dtype), y))
        return jnp.where(jnp.isnan(y), y, jnp.where(x == 0, jnp.zeros((), r.dtype), r))

    @jax.custom_jvp
    def core(x, y):
        return value(x, y)

    @core.defjvp
    def core_jvp(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        dx = jnp.where((x == 0) & (y <= -shift), jnp.zeros((), y.dtype), log_fn(y))
        return value(x, y), dx * tx + x / (y + shift) * ty

    def body(x, y):  # the ops promote to a real floating type before this
        return core(*jnp.broadcast_arrays(x, y))

    return body


_xlogy_body = _xlogy_like(jnp.log, 0)
_xlog1py_body = _xlogy_like(jnp.log1p, 1)


xlogy = binary("xlogy", _xlogy_body, INT_TO_FLOAT, scalar_self=True, check=_real_args("xlogy"))


# torch: d/da = result / a, taken as 0 at a = 0; nothing flows to b
_copysign = torch_grad(jnp.copysign, lambda p, t, r: jnp.where(
    p[0] == 0, 0, r / jnp.where(p[0] == 0, 1, p[0])) * t[0])
# torch's rule a / hypot(a, b): NaN at a = b = 0 (jax's rule is finite there)
_hypot = torch_grad(jnp.hypot, lambda p, t, r: (p[0] * t[0] + p[1] * t[1]) / r)


copysign = binary("copysign", _copysign, INT_TO_FLOAT, check=_real_args("copysign"))
hypot = _tensors_binary("hypot", _hypot, check=_float_args("hypot"))


def _inexact_args(name: str):
    def check(a, b, rt):
        if rt.category < _dt.FLOAT:
            raise _not_impl(f"{name}_cpu", rt)

    return check


# torch's weights 1 / (1 + exp(b - a)): NaN at a == b == ±inf, where JAX's rule is finite
_logaddexp_real = torch_grad(jnp.logaddexp, lambda p, t, r: (
    t[0] / (1 + jnp.exp(p[1] - p[0])) + t[1] / (1 + jnp.exp(p[0] - p[1]))))


def _logaddexp(a, b):
    return _logaddexp_real(a, b) if jnp.issubdtype(a.dtype, jnp.floating) else jnp.logaddexp(a, b)


logaddexp = _tensors_binary("logaddexp", _logaddexp, check=_inexact_args("logaddexp"),
                            has_inplace=False)
logaddexp2 = _tensors_binary("logaddexp2", jnp.logaddexp2, check=_float_args("logaddexp2"),
                             has_inplace=False)
nextafter = _tensors_binary("nextafter", _nextafter, check=_float_args("nextafter"))
ldexp = _tensors_binary("ldexp", lambda a, b: a * jnp.exp2(b))


def _igamma_body(fn, at_inf_x):
    def body(a, x):
        # torch's special cases past the a, x <= 0 ones: an infinite a gives the small end
        # (NaN if x is infinite too) whatever x is, NaN included; then an infinite x the large
        r = fn(a, x)
        early = (x < 0) | (a < 0) | (a == 0) | (x == 0)
        inf_a = jnp.where(jnp.isinf(x), jnp.nan, 1 - at_inf_x).astype(r.dtype)
        r = jnp.where(early, r, jnp.where(jnp.isinf(a), inf_a, r))
        return jnp.where(~early & ~jnp.isinf(a) & jnp.isinf(x), jnp.asarray(at_inf_x, r.dtype), r)

    return body


# torch differentiates igamma/igammac in `other` only; jax also gives the `input` gradient.
igamma = _tensors_binary("igamma", _igamma_body(_sp.gammainc, 1.0), check=_float_args("igamma"))
igammac = _tensors_binary("igammac", _igamma_body(_sp.gammaincc, 0.0),
                          check=_float_args("igammac"))


def _fmax_body(a, b):
    # As torch's forward and backward: ties and NaN ``other`` pick (and differentiate) ``input``.
    return jnp.where((a >= b) | (b != b), a, b)


def _fmin_body(a, b):
    return jnp.where((a <= b) | (b != b), a, b)


fmax = _tensors_binary("fmax", _fmax_body, DEFAULT, has_inplace=False, check=_real_args(
    "fmax", RuntimeError, "fmax not implemented for complex tensors."))
fmin = _tensors_binary("fmin", _fmin_body, DEFAULT, has_inplace=False, check=_real_args(
    "fmin", RuntimeError, "fmin not implemented for complex tensors."))


def _int_args(name: str):
    def check(a, b, rt):
        if rt.category != _dt.INT:
            raise _not_impl(f"{name}_cpu", rt)

    return check


gcd = _tensors_binary("gcd", jnp.gcd, DEFAULT, check=_int_args("gcd"), differentiable=False)
lcm = _tensors_binary("lcm", jnp.lcm, DEFAULT, check=_int_args("lcm"), differentiable=False)


def _heaviside_body(x, v):
    if x.dtype == jnp.bool_:
        return jnp.where(x, True, v)
    return jnp.where(x == 0, v, (x > 0).astype(x.dtype))


_heaviside = binary("heaviside", _heaviside_body, DEFAULT, method_=False, has_inplace=False,
                    differentiable=False, check=_real_args(
                        "heaviside", RuntimeError,
                        "heaviside is not yet implemented for complex tensors.")).impl


def heaviside(input, values, *, out=None):
    """torch.heaviside: 0 where input < 0, 1 where input > 0, ``values`` where input == 0."""
    _tensor_arg("heaviside", "input", 1, input)
    _tensor_arg("heaviside", "values", 2, values)
    if input._dtype is not values._dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _heaviside(input, values, out)


def heaviside_(self, values):
    """torch.Tensor.heaviside_ (in place)."""
    if not isinstance(values, Tensor):
        _tensor_arg("heaviside_", "values", 1, values)
    return inplace(self, heaviside(self, values))


export(heaviside, inplace=heaviside_)

_float_power_op = Op("float_power", "PowBackward1")


def float_power(input, exponent, *, out=None):
    """torch.float_power: ``input ** exponent`` computed in float64 (complex128 for complex)."""
    ti, te = isinstance(input, Tensor), isinstance(exponent, Tensor)
    if not (ti or te):
        raise TypeError(f"float_power() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__}), but expected one of:"
                        "\n * (Tensor input, Tensor exponent, *, Tensor out = None)\n"
                        " * (Number self, Tensor exponent, *, Tensor out = None)\n"
                        " * (Tensor input, Number exponent, *, Tensor out = None)")
    a, da, ka = operand(input, "input")
    b, db, kb = operand(exponent, "exponent")
    cplx = da.is_complex or db.is_complex
    odt = _dt.complex128 if cplx else _dt.float64
    if out is not None and isinstance(out, Tensor) and out._dtype is not odt:
        raise RuntimeError(f"the output given to float_power has dtype {out._dtype._tag} but the "
                           f"operation's result requires dtype {odt._tag}")
    key = (odt, ka == 2, kb == 2)

    def build():
        on = odt.np
        # real powers take pow's rule for torch's gradients at 0 ** 0 and 0 ** negative
        pw = jnp.power if cplx else _real_pow
        return lambda x, y: pw(jnp.asarray(x).astype(on), jnp.asarray(y).astype(on))

    r = run(_float_power_op, key, build, (a, b), (input if ti else None, exponent if te else None),
            odt)
    return r if out is None else set_out(out, r)


def float_power_(self, exponent):
    """torch.Tensor.float_power_ (in place; ``self`` must already be float64/complex128)."""
    cplx = self._dtype.is_complex or (isinstance(exponent, Tensor) and exponent._dtype.is_complex) \
        or isinstance(exponent, builtins.complex)
    odt = _dt.complex128 if cplx else _dt.float64
    if self._dtype is not odt:
        raise RuntimeError(f"the base given to float_power_ has dtype {self._dtype._tag} but the "
                           f"operation's result requires dtype {odt._tag}")
    return inplace(self, float_power(self, exponent))


export(float_power, inplace=float_power_)

# ---------------------------------------------------------------- lerp, addcmul, addcdiv

_lerp_op = Op("lerp")


def _lerp_body(x, e, w):
    w = jnp.asarray(w).astype(x.dtype)
    d = e - x
    return jnp.where(jnp.abs(w) < 0.5, x + w * d, e - d * (1 - w))


def lerp(input, end, weight, *, out=None):
    """torch.lerp: ``input + weight * (end - input)`` with a scalar or tensor weight."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor):
        raise TypeError(f"lerp() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(end).__name__}, {type(weight).__name__}),"
                        " but expected one of:\n * (Tensor input, Tensor end, Tensor weight, *, "
                        "Tensor out = None)\n * (Tensor input, Tensor end, Number weight, *, "
                        "Tensor out = None)")
    dt = input._dtype
    if end._dtype is not dt:
        raise RuntimeError(f"expected dtype {_META_NAMES[dt.name]} for `end` but got dtype "
                           f"{_META_NAMES[end._dtype.name]}")
    wt = isinstance(weight, Tensor)
    if wt:
        if weight._dtype is not dt:
            raise RuntimeError(f"expected dtype {_META_NAMES[dt.name]} for `weight` but got dtype "
                               f"{_META_NAMES[weight._dtype.name]}")
        w = weight._data
    else:
        w, _, _ = operand(weight, "weight")
    if dt.category < _dt.FLOAT:
        raise _not_impl("lerp_kernel_tensor" if wt else "lerp_kernel_scalar", dt)
    key = (dt, wt)
    r = run(_lerp_op, key, lambda: _lerp_body, (input._data, end._data, w),
            (input, end, weight if wt else None), dt)
    return r if out is None else set_out(out, r)


export(lerp, inplace=lambda self, end, weight: inplace(self, lerp(self, end, weight)))


def _addc(name: str, op, body, input, tensor1, tensor2, value, out):
    for pos, (arg, t) in enumerate((("input", input), ("tensor1", tensor1),
                                    ("tensor2", tensor2)), 1):
        _tensor_arg(name, arg, pos, t)
    pairs = tuple((t._dtype, 0 if t._data.ndim else 1) for t in (input, tensor1, tensor2))
    rt = result_type_of(pairs)
    if rt is _dt.bool:
        raise _not_impl(f"{name}_cpu_out", rt)
    if name == "addcdiv" and tensor1._dtype.category <= _dt.INT and \
            tensor2._dtype.category <= _dt.INT:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, builtins.complex) and not rt.is_complex:
        raise RuntimeError(f"value cannot be converted to type {rt.name} without overflow")
    if rt.category <= _dt.INT and isinstance(value, float):
        value = int(value)  # torch casts the scalar to the (integral) result type

    def build():
        n = rt.np
        return lambda x, a, b, v: body(x.astype(n), a.astype(n), b.astype(n),
                                       jnp.asarray(v).astype(n))

    r = run(op, rt, build, (input._data, tensor1._data, tensor2._data, value),
            (input, tensor1, tensor2, None), rt)
    return r if out is None else set_out(out, r)


_addcmul_op = Op("addcmul")
_addcdiv_op = Op("addcdiv")


def _addcmul_body(x, a, b, v):
    return x + v * a * b


def _addcdiv_body(x, a, b, v):
    return x + v * a / b


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """torch.addcmul: ``input + value * tensor1 * tensor2``."""
    return _addc("addcmul", _addcmul_op, _addcmul_body, input, tensor1, tensor2, value, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """torch.addcdiv: ``input + value * tensor1 / tensor2``."""
    return _addc("addcdiv", _addcdiv_op, _addcdiv_body, input, tensor1, tensor2, value, out)


export(addcmul, inplace=lambda self, tensor1, tensor2, *, value=1:
       inplace(self, addcmul(self, tensor1, tensor2, value=value)))
export(addcdiv, inplace=lambda self, tensor1, tensor2, *, value=1:
       inplace(self, addcdiv(self, tensor1, tensor2, value=value)))

# ---------------------------------------------------------------- nan_to_num, frexp

_nan_to_num_op = Op("nan_to_num")


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """torch.nan_to_num: replace NaN, +inf and -inf by finite values (default: dtype max/min)."""
    _tensor_arg("nan_to_num", "input", 1, input)
    dt = input._dtype
    if out is not None and isinstance(out, Tensor) and out._dtype is not dt:
        raise RuntimeError(f"nan_to_num: dtype of out: {out._dtype._tag} should be same as input: "
                           f"{dt._tag}")
    if dt.category <= _dt.INT:
        r = run(_nan_to_num_op, (dt, None), lambda: (lambda a: a + 0 if a.dtype != jnp.bool_
                                                     else a), (input._data,), (input,), dt)
        return r if out is None else set_out(out, r)
    fi = np.finfo(dt.to_real().np)
    args = (input._data, float(nan if nan is not None else 0.0),
            float(posinf if posinf is not None else fi.max),
            float(neginf if neginf is not None else fi.min))

    def build():
        rn = dt.to_real().np

        def f(a, n, p, m):
            n, p, m = (jnp.asarray(v).astype(rn) for v in (n, p, m))
            return jnp.nan_to_num(a, nan=n, posinf=p, neginf=m)

        return f

    r = run(_nan_to_num_op, dt, build, args, (input, None, None, None), dt)
    return r if out is None else set_out(out, r)


export(nan_to_num, inplace=lambda self, nan=0.0, posinf=None, neginf=None:
       inplace(self, nan_to_num(self, nan, posinf, neginf)))

_frexp_op = Op("frexp")


# torch: d mantissa / dx = 2 ** -exponent.
_mantissa = torch_grad(lambda x: jnp.frexp(x)[0],
                       lambda p, t, r: t[0] / jnp.exp2(jnp.frexp(p[0])[1].astype(p[0].dtype)))


def _frexp_body(x):
    # Known difference: for subnormal inputs jnp.frexp returns (0.5, min exponent) instead of
    # the normalised pair torch gives, and XLA flushes subnormals in arithmetic, so they cannot
    # be rescaled first.
    return _mantissa(x), jnp.frexp(x)[1].astype(jnp.int32)


def frexp(input, *, out=None):
    """torch.frexp: (mantissa, exponent), input = mantissa * 2**exponent, |mantissa| in [0.5, 1)."""
    _tensor_arg("frexp", "input", 1, input)
    dt = input._dtype
    if not dt.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = run(_frexp_op, dt, lambda: _frexp_body, (input._data,), (input,), (dt, _dt.int32),
               multi=True)
    if out is not None:
        set_out(out[0], m)
        set_out(out[1], e)
        return _rt.frexp((out[0], out[1]))
    return _rt.frexp((m, e))


export(frexp)

# ---------------------------------------------------------------- float predicates


def _isnan_body(a):
    if jnp.issubdtype(a.dtype, jnp.inexact):
        return jnp.isnan(a)
    return jnp.zeros(a.shape, jnp.bool_)


def _isinf_body(a):
    if jnp.issubdtype(a.dtype, jnp.inexact):
        return jnp.isinf(a)
    return jnp.zeros(a.shape, jnp.bool_)


def _isfinite_body(a):
    if jnp.issubdtype(a.dtype, jnp.inexact):
        return jnp.isfinite(a)
    return jnp.ones(a.shape, jnp.bool_)


def _isposinf_body(a):
    if jnp.issubdtype(a.dtype, jnp.floating):
        return jnp.isposinf(a)
    return jnp.zeros(a.shape, jnp.bool_)


def _isneginf_body(a):
    if jnp.issubdtype(a.dtype, jnp.floating):
        return jnp.isneginf(a)
    return jnp.zeros(a.shape, jnp.bool_)


def _isreal_body(a):
    if jnp.iscomplexobj(a):
        return jnp.imag(a) == 0
    return jnp.ones(a.shape, jnp.bool_)


_pred = {"result": _to_bool, "differentiable": False, "has_inplace": False}
isnan = _unary("isnan", _isnan_body, **_pred)
isinf = _unary("isinf", _isinf_body, **_pred)
isfinite = _unary("isfinite", _isfinite_body, **_pred)
isposinf = _unary("isposinf", _isposinf_body, check=_no_complex(
    "isposinf does not support complex inputs."), **_pred)
isneginf = _unary("isneginf", _isneginf_body, check=_no_complex(
    "isneginf does not support complex inputs."), **_pred)
isreal = _unary("isreal", _isreal_body, **_pred)

_isclose_op = Op("isclose", differentiable=False)


def _isclose_body(x, y, rtol, atol, equal_nan):
    close = x == y
    if equal_nan and jnp.issubdtype(x.dtype, jnp.inexact):
        close = close | (jnp.isnan(x) & jnp.isnan(y))
    if rtol == 0 and atol == 0:
        return close
    # torch: int tensors compare their error in the default float dtype (rtol * other is float).
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        fd = _dt.get_default_dtype().np
        x, y = x.astype(fd), y.astype(fd)
    allowed = jnp.asarray(atol, x.real.dtype) + jnp.abs(jnp.asarray(rtol, x.real.dtype) * y)
    actual = jnp.abs(x - y)
    return close | (jnp.isfinite(actual) & (actual <= allowed))


def _isclose_checks(name, input, other, rtol, atol):
    _tensor_arg(name, "input", 1, input)
    _tensor_arg(name, "other", 2, other)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{input._dtype._tag} did not match {other._dtype._tag}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")


def _isclose(input, other, rtol, atol, equal_nan):
    key = (input._dtype, float(rtol), float(atol), bool(equal_nan))
    a, b = input._data, other._data
    try:
        return run(_isclose_op, key,
                   lambda: (lambda x, y: _isclose_body(x, y, key[1], key[2], key[3])),
                   (a, b), (None, None), _dt.bool)
    except (TypeError, ValueError) as e:
        from .._core.registry import _shape_error

        _shape_error(e, a, b)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.isclose: elementwise |input - other| <= atol + rtol * |other|."""
    _isclose_checks("isclose", input, other, rtol, atol)
    return _isclose(input, other, rtol, atol, equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """torch.allclose: whether every element is close (a Python bool)."""
    _isclose_checks("allclose", input, other, rtol, atol)
    if is_traced(input, other):
        raise GraphBreak("allclose", "it returns a Python bool")
    return bool(jnp.all(_isclose(input, other, rtol, atol, equal_nan)._data))


export(isclose)
export(allclose)

_equal_op = Op("equal", differentiable=False)


def equal(input, other) -> bool:
    """torch.equal: same shape and same values (a Python bool)."""
    _tensor_arg("equal", "input", 1, input)
    _tensor_arg("equal", "other", 2, other)
    if tuple(input.shape) != tuple(other.shape):
        return False
    rt = _dt.promote_types(input._dtype, other._dtype)

    def build():
        n = rt.np
        return lambda x, y: jnp.all(x.astype(n) == y.astype(n))

    r = run(_equal_op, rt, build, (input._data, other._data), (None, None), _dt.bool)
    if isinstance(r._data, jax.core.Tracer):
        raise GraphBreak("equal", "it returns a Python bool")
    return bool(r._data)


export(equal)

# ---------------------------------------------------------------- complex helpers


def _real_fn(input):
    """torch.real: the real part (``input`` itself for real tensors; a copy for complex ones)."""
    _tensor_arg("real", "input", 1, input)
    if not input._dtype.is_complex:
        return input
    return _real_c(input)


def _imag_fn(input):
    """torch.imag: the imaginary part of a complex tensor (a copy, not a view)."""
    _tensor_arg("imag", "input", 1, input)
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _imag_c(input)


_real_c = _unary("real", jnp.real, lambda d: d.to_real(), export_=False, saved=None)
_imag_c = _unary("imag", jnp.imag, lambda d: d.to_real(), export_=False, saved=None)


def _set_part(self, value, part):
    if not isinstance(value, Tensor):
        from .creation import tensor as _tensor

        value = _tensor(value, dtype=self._dtype.to_real())
    if not self._dtype.is_complex:
        if part == "imag":
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        from .shape import expand

        inplace(self, expand(value, self.shape) if tuple(value.shape) != tuple(self.shape)
                else value + 0)
        return
    re = _real_c(self) if part == "imag" else value
    im = value if part == "imag" else _imag_c(self)
    rd = self._dtype.to_real()
    re = re if re._dtype is rd else re.to(rd)
    im = im if im._dtype is rd else im.to(rd)
    inplace(self, complex(re, im))


real = _real_fn
imag = _imag_fn
real.__name__, imag.__name__ = "real", "imag"
export(real, "real", method=False)
export(imag, "imag", method=False)
Tensor.real = property(_real_fn, lambda self, v: _set_part(self, v, "real"),
                       doc="torch.Tensor.real (a copy for complex tensors; assignable).")
Tensor.imag = property(_imag_fn, lambda self, v: _set_part(self, v, "imag"),
                       doc="torch.Tensor.imag (a copy, not a view; assignable).")


def _angle_body(a):
    if jnp.iscomplexobj(a):
        return jnp.angle(a)
    pi = jnp.asarray(math.pi, a.dtype)
    # torch's gradient of a real angle is 0 everywhere, NaN included
    return jnp.where(jnp.isnan(a), lax.stop_gradient(a), jnp.where(a < 0, pi, jnp.zeros_like(a)))


def _angle_result(dt):
    return dt.to_real() if dt.is_complex else _to_float(dt)


angle = _unary("angle", _angle_body, _angle_result, has_inplace=False,
               compute=lambda d: d if d.is_complex else _to_float(d))

_conj_c = _unary("conj_physical", jnp.conj, _same, export_=False, saved=None)


def conj(input):
    """torch.conj: the complex conjugate (``input`` itself for real tensors; a copy for complex)."""
    _tensor_arg("conj", "input", 1, input)
    return _conj_c(input) if input._dtype.is_complex else input


def conj_physical(input, *, out=None):
    """torch.conj_physical: the complex conjugate, materialised."""
    _tensor_arg("conj_physical", "input", 1, input)
    if not input._dtype.is_complex:
        return input if out is None else set_out(out, input)
    return _conj_c(input, out=out)


def _conj_physical_(self):
    return inplace(self, _conj_c(self)) if self._dtype.is_complex else self


def resolve_conj(input):
    """torch.resolve_conj: ``input`` (torchlike never holds a lazy conjugate)."""
    _tensor_arg("resolve_conj", "input", 1, input)
    return input


def resolve_neg(input):
    """torch.resolve_neg: ``input`` (torchlike never holds a lazy negation)."""
    _tensor_arg("resolve_neg", "input", 1, input)
    return input


export(conj)
export(conj_physical, inplace=_conj_physical_)
export(resolve_conj)
export(resolve_neg)
method(lambda self: False, "is_conj")
method(lambda self: False, "is_neg")
Tensor.is_conj.__doc__ = "torch.Tensor.is_conj (always False: conjugation is eager)."
Tensor.is_neg.__doc__ = "torch.Tensor.is_neg (always False)."

_view_as_real_op = Op("view_as_real")
_view_as_complex_op = Op("view_as_complex")


def view_as_real(input):
    """torch.view_as_real: a complex tensor as real pairs on a new last dim (a copy here)."""
    _tensor_arg("view_as_real", "input", 1, input)
    dt = input._dtype
    if not dt.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return run(_view_as_real_op, dt,
               lambda: (lambda a: jnp.stack([jnp.real(a), jnp.imag(a)], axis=-1)),
               (input._data,), (input,), dt.to_real())


def view_as_complex(input):
    """torch.view_as_complex: real pairs on the last dim as a complex tensor (a copy here)."""
    _tensor_arg("view_as_complex", "input", 1, input)
    dt = input._dtype
    if dt not in (_dt.float32, _dt.float64):
        raise RuntimeError(f"view_as_complex is only supported for half, float and double tensors, "
                           f"but got a tensor of scalar type: {dt._tag}")
    if input.dim() == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    odt = dt.to_complex()

    def build():
        on = odt.np
        return lambda a: lax.complex(a[..., 0], a[..., 1]).astype(on)

    return run(_view_as_complex_op, dt, build, (input._data,), (input,), odt)


export(view_as_real, method=False)
export(view_as_complex, method=False)

_complex_op = Op("complex")
_polar_op = Op("polar")


def _complex_checks(name, a, b, na, nb, out):
    _tensor_arg(name, na, 1, a)
    _tensor_arg(name, nb, 2, b)
    da, db = a._dtype, b._dtype
    floats = (_dt.float16, _dt.float32, _dt.float64)
    if da not in floats or db not in floats:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{da._tag} and {db._tag}")
    if da is not db:
        raise RuntimeError(f"Expected object of scalar type {da._tag} but got scalar type "
                           f"{db._tag} for second argument")
    if da is _dt.float16:
        raise NotImplementedError("torchlike has no complex32 (ComplexHalf) dtype")
    odt = da.to_complex()
    if out is not None and isinstance(out, Tensor) and out._dtype is not odt:
        raise RuntimeError(f"Expected object of scalar type {odt._tag} but got scalar type "
                           f"{out._dtype._tag} for argument 'out'")
    return odt


def _binary_run(op, key, build, a, b, odt):
    x, y = a._data, b._data
    try:
        return run(op, key, build, (x, y), (a, b), odt)
    except (TypeError, ValueError) as e:
        from .._core.registry import _shape_error

        _shape_error(e, x, y)


def _complex_body(x, y):
    return lax.complex(*jnp.broadcast_arrays(x, y))


def complex(real, imag, *, out=None):  # noqa: A001 - torch's name
    """torch.complex: ``real + 1j * imag`` from two float tensors of one dtype."""
    odt = _complex_checks("complex", real, imag, "real", "imag", out)
    r = _binary_run(_complex_op, odt, lambda: _complex_body, real, imag, odt)
    return r if out is None else set_out(out, r)


def _polar_value(m, t):
    return lax.complex(*jnp.broadcast_arrays(m * jnp.cos(t), m * jnp.sin(t)))


@jax.custom_jvp
def _polar_body(m, t):
    return _polar_value(m, t)


@_polar_body.defjvp
def _polar_jvp(primals, tangents):
    # torch's rule: d/dabs = sgn(result) (0 at abs == 0, -e^{it} for abs < 0, NaN where the
    # result is not finite), d/dangle = 1j * result
    (m, t), (tm, tt) = primals, tangents
    r = _polar_value(m, t)
    mag = jnp.abs(r)
    sgn = jnp.where(mag == 0, jnp.zeros((), r.dtype), r / jnp.where(mag == 0, 1, mag))
    return r, sgn * tm + 1j * r * tt


def polar(abs, angle, *, out=None):  # noqa: A002 - torch's names
    """torch.polar: ``abs * (cos(angle) + 1j * sin(angle))``."""
    odt = _complex_checks("polar", abs, angle, "abs", "angle", out)
    r = _binary_run(_polar_op, odt, lambda: _polar_body, abs, angle, odt)
    return r if out is None else set_out(out, r)


export(complex, method=False)
export(polar, method=False)

# ---------------------------------------------------------------- numpy-style aliases

arcsin = _alias(asin, "arcsin")
arccos = _alias(acos, "arccos")
arctan = _alias(atan, "arctan")
arcsinh = _alias(asinh, "arcsinh")
arccosh = _alias(acosh, "arccosh")
arctanh = _alias(atanh, "arctanh")
arctan2 = _alias(atan2, "arctan2")

__all__ = [
    "igamma", "igammac",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "atan2",
    "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2",
    "exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "reciprocal", "square",
    "sign", "sgn", "signbit", "floor", "ceil", "round", "trunc", "fix", "frac", "positive",
    "erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc", "logit",
    "deg2rad", "rad2deg", "lerp", "addcmul", "addcdiv", "float_power", "copysign", "nextafter",
    "ldexp", "frexp", "hypot", "logaddexp", "logaddexp2", "xlogy", "nan_to_num", "heaviside",
    "gcd", "lcm", "fmax", "fmin", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal",
    "isclose", "allclose", "equal", "real", "imag", "angle", "conj", "conj_physical",
    "resolve_conj", "resolve_neg", "view_as_real", "view_as_complex", "polar", "complex",
]
