"""Pointwise ops: arithmetic, math, comparisons, logical and bitwise ops, clamp, where."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax
from jax.custom_derivatives import SymbolicZero

from .._core import dtypes as _dt
from .._core.grad_mode import GRAD_ENABLED
from .._core.registry import (
    ALWAYS_BOOL,
    COMPLEX_TO_FLOAT,
    INT_TO_FLOAT,
    Op,
    binary,
    export,
    inplace,
    operand,
    record,
    result_type_of,
    run,
    scalar_array,
    set_out,
    torch_grad,
    unary,
)
from .._core.tensor import Tensor

_make = Tensor._make

# ---------------------------------------------------------------- arithmetic


def _no_bool_sub(a, b, rt):
    if rt is _dt.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")


def _int_zero_check(a, b, rt):
    # JAX returns garbage for integer division by zero; torch raises.  Skipped under compile.
    if rt.category > _dt.INT:
        return
    if isinstance(b, (bool, int, float)):
        zero = b == 0
    elif isinstance(b, jax.core.Tracer):
        return
    else:
        zero = bool(jnp.any(b == 0))
    if zero:
        raise RuntimeError("ZeroDivisionError")


def _trunc_div(a, b):
    if jnp.issubdtype(a.dtype, jnp.integer):
        return lax.div(*jnp.broadcast_arrays(a, b))
    return jnp.trunc(a / b)


def _floor_div(a, b):
    if a.dtype == jnp.bool_:
        return jnp.logical_and(a, b)
    return jnp.floor_divide(a, b)


def _bool_add(a, b):
    return jnp.logical_or(a, b) if a.dtype == jnp.bool_ else jnp.add(a, b)


def _bool_mul(a, b):
    return jnp.logical_and(a, b) if a.dtype == jnp.bool_ else jnp.multiply(a, b)


_add2 = binary("_add", _bool_add, grad_name="AddBackward0", method_=False, saved=None,
               scalar_self=True)
_sub2 = binary("_sub", jnp.subtract, grad_name="SubBackward0", method_=False, check=_no_bool_sub,
               saved=None, scalar_self=True)
mul = binary("mul", _bool_mul, dunders=("__mul__",), rdunders=("__rmul__",), idunder="__imul__",
             doc="torch.mul.", scalar_self=True)
multiply = export(mul, "multiply", method=True)


def _alpha_check(other, alpha, dt_input):
    if isinstance(alpha, float) and not isinstance(alpha, bool):
        d = dt_input
        if d.category <= _dt.INT:
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                               "point number.")


def _scaled(input, other, alpha):
    """``alpha * other`` for add/sub's alpha argument (a Python product for numbers)."""
    if isinstance(input, Tensor):
        _alpha_check(other, alpha, input._dtype)
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """torch.add: ``input + alpha * other``."""
    return _add2(input, other if alpha == 1 else _scaled(input, other, alpha), out=out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """torch.sub: ``input - alpha * other``."""
    return _sub2(input, other if alpha == 1 else _scaled(input, other, alpha), out=out)


def _add_(self, other, *, alpha=1):
    return inplace(self, add(self, other, alpha=alpha))


def _sub_(self, other, *, alpha=1):
    return inplace(self, sub(self, other, alpha=alpha))


export(add, inplace=_add_, dunders=("__add__",))
export(sub, inplace=_sub_, dunders=("__sub__",))
export(sub, "subtract", inplace=_sub_)
Tensor.__radd__ = lambda self, other: add(other, self)


def rsub(input, other, *, alpha=1) -> Tensor:
    """torch.rsub: ``other - alpha * input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"rsub() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
                        f" * (Tensor input, Tensor other, *, Number alpha = 1)\n"
                        f" * (Tensor input, Number other, Number alpha = 1)")
    return sub(other, input, alpha=alpha)


export(rsub, method=False)
Tensor.__rsub__ = lambda self, other: sub(other, self)
Tensor.__iadd__ = _add_
Tensor.__isub__ = _sub_

def _exact_div(a, b):
    # XLA rewrites a division by a broadcast scalar as a product with its reciprocal, 1 ulp
    # off torch's correctly rounded quotient (arange(24) / 23: 6 of 24 differ); behind a
    # barrier the divisor is an array and each element is divided.
    shape = jnp.broadcast_shapes(jnp.shape(a), jnp.shape(b))
    if jnp.shape(b) != shape and jnp.issubdtype(jnp.result_type(b), jnp.inexact):
        b = lax.optimization_barrier(jnp.broadcast_to(b, shape))
    return jnp.true_divide(a, b)


_true_div = binary("_true_div", _exact_div, INT_TO_FLOAT, grad_name="DivBackward0",
                   method_=False, scalar_self=True)
_trunc_divide = binary("_trunc_div", _trunc_div, grad_name="DivBackward0", method_=False,
                       check=_int_zero_check, scalar_self=True)
_floor_divide = binary("floor_divide", _floor_div, grad_name="DivBackward0", check=_int_zero_check,
                       dunders=("__floordiv__",), rdunders=("__rfloordiv__",),
                       idunder="__ifloordiv__", scalar_self=True)


def div(input, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """torch.div: true division, or rounded with rounding_mode 'trunc' / 'floor'."""
    if rounding_mode is None:
        return _true_div(input, other, out=out)
    if rounding_mode == "trunc":
        return _trunc_divide(input, other, out=out)
    if rounding_mode == "floor":
        return _floor_divide(input, other, out=out)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


def _div_(self, other, *, rounding_mode=None):
    return inplace(self, div(self, other, rounding_mode=rounding_mode))


export(div, inplace=_div_, dunders=("__truediv__",))
export(div, "divide", inplace=_div_)
export(_true_div, "true_divide", inplace=lambda self, other: inplace(self, _true_div(self, other)))
Tensor.__rtruediv__ = Tensor.__rdiv__ = lambda self, other: div(other, self)
Tensor.__itruediv__ = _div_

def _torch_floor_quotient(a, b):
    """floor(a / b) the way torch's floating div(rounding_mode='floor') rounds it: through fmod,
    so a large quotient is not off by one as floor of the rounded a / b can be."""
    a, b = jnp.broadcast_arrays(a, b)
    mod = lax.rem(a, b)
    q = (a - mod) / b
    q = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), q - 1, q)
    f = jnp.floor(q)
    f = jnp.where(q - f > 0.5, f + 1, f)
    f = jnp.where(q == 0, jnp.copysign(jnp.zeros_like(f), a / b), f)
    return jnp.where(b == 0, a / b, f)


# torch's divisor gradient is -floor_divide(a, b); JAX's rem rule rounds a / b first
_float_remainder = torch_grad(
    jnp.remainder, lambda p, t, r: t[0] - t[1] * _torch_floor_quotient(p[0], p[1]))


def _remainder(a, b):
    return _float_remainder(a, b) if jnp.issubdtype(a.dtype, jnp.floating) else jnp.remainder(a, b)


remainder = binary("remainder", _remainder, check=_int_zero_check, dunders=("__mod__",),
                   rdunders=("__rmod__",), idunder="__imod__", scalar_self=True)
fmod = binary("fmod", jnp.fmod, check=_int_zero_check)


def _pow_check(a, b, rt):
    if rt.category == _dt.INT and isinstance(b, int) and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _power(a, b):
    if a.dtype == jnp.bool_:
        return jnp.logical_or(a, jnp.logical_not(b))
    if jnp.issubdtype(a.dtype, jnp.integer):
        # torch: a ** (negative b) is 1 for a == 1, ±1 for a == -1, else 0.
        neg = b < 0
        p = jnp.power(a, jnp.where(neg, 0, b))
        odd = jnp.remainder(b, 2) == 1
        small = jnp.where(a == 1, 1, jnp.where(a == -1, jnp.where(odd, -1, 1), 0)).astype(a.dtype)
        return jnp.where(neg, small, p)
    if jnp.iscomplexobj(a) or jnp.iscomplexobj(b):
        return jnp.power(a, b)
    return _real_pow(a, b)


@jax.custom_jvp
def _real_pow(a, b):
    return jnp.power(a, b)


def _real_pow_jvp(primals, tangents):
    # torch's rules: d/da is 0 where b == 0 (even at a == 0), d/db is 0 where a == 0 and b >= 0
    # (jax gives NaN at both); a symbolic-zero tangent adds nothing (no 0 * NaN)
    (a, b), (ta, tb) = primals, tangents
    r = jnp.power(a, b)
    out = jnp.zeros_like(r)
    if not isinstance(ta, SymbolicZero):
        out = out + jnp.where(b == 0, 0, b * jnp.power(a, b - 1)) * ta
    if not isinstance(tb, SymbolicZero):
        out = out + jnp.where((a == 0) & (b >= 0), 0, r * jnp.log(a)) * tb
    return r, out


_real_pow.defjvp(_real_pow_jvp, symbolic_zeros=True)


pow = binary("pow", _power, check=_pow_check, dunders=("__pow__",), rdunders=("__rpow__",),  # noqa: A001
             idunder="__ipow__", scalar_self=True)

def _negate(a):
    if a.dtype == jnp.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return jnp.negative(a)


neg = unary("neg", _negate, saved=None)
negative = export(neg, "negative", inplace=lambda self: inplace(self, neg(self)))
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
# torch's slope is sgn(x), which is 0 at NaN too (jnp.sign(nan) is NaN)
_abs_real = torch_grad(
    jnp.abs, lambda p, t, r: jnp.where(jnp.isnan(p[0]), 0, jnp.sign(p[0])).astype(r.dtype) * t[0])


def abs_sign(x):
    """|x| on jax arrays whose derivative at 0 is torch's subgradient sign(0) = 0 (JAX's is 1);
    norms, dist, cdist and renorm take |x| through it."""
    return jnp.abs(x) if jnp.iscomplexobj(x) else _abs_real(x)


abs = unary("abs", abs_sign, COMPLEX_TO_FLOAT)  # noqa: A001
export(abs, "absolute", inplace=lambda self: inplace(self, abs(self)))
Tensor.__abs__ = abs

exp = unary("exp", jnp.exp, INT_TO_FLOAT, saved="out")
log = unary("log", jnp.log, INT_TO_FLOAT)
sqrt = unary("sqrt", jnp.sqrt, INT_TO_FLOAT, saved="out")
sin = unary("sin", jnp.sin, INT_TO_FLOAT)
cos = unary("cos", jnp.cos, INT_TO_FLOAT)
tanh = unary("tanh", jnp.tanh, INT_TO_FLOAT, saved="out")
sigmoid = unary("sigmoid", jax.nn.sigmoid, INT_TO_FLOAT, saved="out")
def _relu(x):
    # torch's slope is 1 where x > 0 or x is NaN (its backward masks result <= 0), else 0
    return jnp.where((x > 0) | jnp.isnan(x), x, lax.stop_gradient(jax.nn.relu(x)))


relu = unary("relu", _relu, bool_ok=False, saved="out", doc="torch.relu.")


def _extreme_tangent(a, b, ta, tb, a_wins):
    # torch: half to each side on a tie, the full gradient to both where either side is NaN
    ordered = (a < b) | (a > b)
    return jnp.where(a == b, (ta + tb) / 2,
                     jnp.where(a_wins, ta, jnp.where(ordered, tb, ta + tb)))


_maximum_float = torch_grad(jnp.maximum,
                            lambda p, t, r: _extreme_tangent(*p, *t, p[0] > p[1]))
_minimum_float = torch_grad(jnp.minimum,
                            lambda p, t, r: _extreme_tangent(*p, *t, p[0] < p[1]))


def _maximum(a, b):
    return _maximum_float(a, b) if jnp.issubdtype(a.dtype, jnp.floating) else jnp.maximum(a, b)


def _minimum(a, b):
    return _minimum_float(a, b) if jnp.issubdtype(a.dtype, jnp.floating) else jnp.minimum(a, b)


maximum = binary("maximum", _maximum, tensor_other=True)
minimum = binary("minimum", _minimum, tensor_other=True)

# ---------------------------------------------------------------- comparisons and logic

eq = binary("eq", jnp.equal, ALWAYS_BOOL)
ne = binary("ne", jnp.not_equal, ALWAYS_BOOL)


def _ordered(name):
    def check(a, b, rt):
        if rt.is_complex:
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{rt._tag}\'')

    return check


lt = binary("lt", jnp.less, ALWAYS_BOOL, dunders=("__lt__",), check=_ordered("lt"))
le = binary("le", jnp.less_equal, ALWAYS_BOOL, dunders=("__le__",), check=_ordered("le"))
gt = binary("gt", jnp.greater, ALWAYS_BOOL, dunders=("__gt__",), check=_ordered("gt"))
ge = binary("ge", jnp.greater_equal, ALWAYS_BOOL, dunders=("__ge__",), check=_ordered("ge"))
for _alias, _fn in (("greater", gt), ("greater_equal", ge), ("less", lt), ("less_equal", le),
                    ("not_equal", ne)):
    export(_fn, _alias, inplace=_fn.inplace)


def _cmp_dunder(fn):
    def dunder(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented

    return dunder


Tensor.__eq__ = _cmp_dunder(eq)
Tensor.__ne__ = _cmp_dunder(ne)
Tensor.__hash__ = object.__hash__
Tensor.__array_priority__ = 1000  # numpy scalars on the left defer to Tensor's reflected ops


def _truth(x):
    return x if x.dtype == jnp.bool_ else x != 0


logical_and = binary("logical_and", lambda a, b: jnp.logical_and(_truth(a), _truth(b)), ALWAYS_BOOL,
                     tensor_other=True,
                     differentiable=False)
logical_or = binary("logical_or", lambda a, b: jnp.logical_or(_truth(a), _truth(b)), ALWAYS_BOOL,
                     tensor_other=True,
                    differentiable=False)
logical_xor = binary("logical_xor", lambda a, b: jnp.logical_xor(_truth(a), _truth(b)), ALWAYS_BOOL,
                     tensor_other=True,
                     differentiable=False)
logical_not = unary("logical_not", lambda a: jnp.logical_not(_truth(a)), ALWAYS_BOOL,
                    differentiable=False)


def _int_only(name):
    def check(a, b, rt):
        if rt.category >= _dt.FLOAT:
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{rt._tag}\'')

    return check


bitwise_and = binary("bitwise_and", jnp.bitwise_and, check=_int_only("bitwise_and"),
                     differentiable=False, dunders=("__and__",), rdunders=("__rand__",),
                     idunder="__iand__", scalar_self=True)
bitwise_or = binary("bitwise_or", jnp.bitwise_or, check=_int_only("bitwise_or"),
                    differentiable=False, dunders=("__or__",), rdunders=("__ror__",),
                    idunder="__ior__", scalar_self=True)
bitwise_xor = binary("bitwise_xor", jnp.bitwise_xor, check=_int_only("bitwise_xor"),
                     differentiable=False, dunders=("__xor__",), rdunders=("__rxor__",),
                     idunder="__ixor__", scalar_self=True)
bitwise_not = unary("bitwise_not", jnp.invert, differentiable=False, complex_ok=False,
                    float_ok=False)


def _invert(self):
    if self._dtype.category >= _dt.FLOAT:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


Tensor.__invert__ = _invert
bitwise_left_shift = binary("bitwise_left_shift", jnp.left_shift,
                            check=_int_only("bitwise_left_shift"), differentiable=False,
                            dunders=("__lshift__",), rdunders=("__rlshift__",),
                            idunder="__ilshift__")
bitwise_right_shift = binary("bitwise_right_shift", jnp.right_shift,
                             check=_int_only("bitwise_right_shift"), differentiable=False,
                             dunders=("__rshift__",), rdunders=("__rrshift__",),
                             idunder="__irshift__")

# ---------------------------------------------------------------- clamp and where

_clamp_op = Op("clamp")


# (input dtype, type(min), type(max)) -> (kernel key, result dtype) for Python-number bounds:
# ``x.clamp(min=0)`` in a loop skips the promotion and argument work below.
_CLAMP_FAST: dict = {}
_NUMBER_BOUNDS = frozenset((int, float, type(None)))


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002 - torch's names
    """torch.clamp (alias clip) with scalar or tensor bounds; promotes like torch."""
    if out is None and type(input) is Tensor:
        fast = _CLAMP_FAST.get((input._dtype, type(min), type(max)))
        if fast is not None and (entry := _clamp_op.kernels.get(fast[0])) is not None:
            args = (input._data,) + tuple(scalar_array(b) for b in (min, max) if b is not None)
            r = _make(entry[0](*args), fast[1])
            if GRAD_ENABLED[0] and input._requires_grad:
                record(_clamp_op, fast[0], entry, args, (input,) + (None,) * (len(args) - 1),
                       (r,))
            return r
    if not isinstance(input, Tensor):
        raise TypeError(f"clamp() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, ...), but expected (Tensor input, ...)")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    a, da, ka = operand(input, "input")
    pairs = [(da, ka)]
    args, inputs, kinds = [a], [input], []
    for bound in (min, max):
        if bound is None:
            kinds.append(None)
            continue
        b, db, kb = operand(bound, "min")
        pairs.append((db, kb))
        args.append(b)
        inputs.append(bound if kb != 2 else None)
        kinds.append(kb == 2)
    rt = result_type_of(tuple(pairs))
    if rt.is_complex:
        raise RuntimeError("clamp is not supported for complex types")
    key = (rt, tuple(kinds))

    def build():
        n = rt.np
        has_lo, has_hi = kinds[0] is not None, kinds[1] is not None

        inexact = jnp.issubdtype(n, jnp.inexact)

        # a NaN bound gives NaN as maximum/minimum would
        def value(x, lo, hi):
            if has_lo:
                x = jnp.where((x < lo) | jnp.isnan(lo) if inexact else x < lo, lo, x)
            if has_hi:
                x = jnp.where((x > hi) | jnp.isnan(hi) if inexact else x > hi, hi, x)
            return x

        @jax.custom_jvp
        def core(x, lo, hi):
            return value(x, lo, hi)

        @core.defjvp
        def core_jvp(primals, tangents):
            # torch's masks: x's gradient where lo <= x <= hi (so none at a NaN anywhere), a
            # bound's only where x is strictly beyond it (hi's also where hi < lo)
            (x, lo, hi), (tx, tlo, thi) = primals, tangents
            keep, to_lo, to_hi = True, False, False
            if has_lo:
                keep = x >= lo
                to_lo = x < lo
            if has_hi:
                keep = keep & (x <= hi)
                to_hi = x > hi
                if has_lo:
                    to_lo = to_lo & (lo < hi)
                    to_hi = to_hi | (hi < lo)
            zero = jnp.zeros((), n)
            t = jnp.where(keep, tx, zero)
            if has_lo:
                t = t + jnp.where(to_lo, tlo, zero)
            if has_hi:
                t = t + jnp.where(to_hi, thi, zero)
            return value(x, lo, hi), t

        def f(x, *bounds):
            x = x.astype(n)
            lo = jnp.asarray(bounds[0]).astype(n) if has_lo else jnp.zeros((), n)
            hi = jnp.asarray(bounds[1 if has_lo else 0]).astype(n) if has_hi else jnp.zeros((), n)
            return core(x, lo, hi) if jnp.issubdtype(n, jnp.floating) else value(x, lo, hi)

        return f

    r = run(_clamp_op, key, build, tuple(args), tuple(inputs), rt)
    if type(min) in _NUMBER_BOUNDS and type(max) in _NUMBER_BOUNDS and type(input) is Tensor:
        _CLAMP_FAST[(input._dtype, type(min), type(max))] = (key, rt)
    return r if out is None else set_out(out, r)


def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002
    """torch.Tensor.clamp_."""
    return inplace(self, clamp(self, min, max))


def clamp_min(input, min) -> Tensor:  # noqa: A002
    """torch.clamp_min."""
    return clamp(input, min=min)


def clamp_max(input, max) -> Tensor:  # noqa: A002
    """torch.clamp_max."""
    return clamp(input, max=max)


export(clamp, inplace=clamp_)
export(clamp, "clip", inplace=clamp_)
export(clamp_min, inplace=lambda self, min: inplace(self, clamp(self, min=min)))
export(clamp_max, inplace=lambda self, max: inplace(self, clamp(self, max=max)))

_where_op = Op("where")


def where(condition, input=None, other=None, *, out=None):
    """torch.where(condition, input, other); torch.where(condition) is nonzero(as_tuple=True)."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    if condition._dtype is not _dt.bool:
        if condition._dtype is _dt.uint8:
            pass  # torch accepts (deprecated) uint8 masks
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                               f"with dtype {condition._dtype._tag}")
    a, da, ka = operand(input, "input")
    b, db, kb = operand(other, "other")
    rt = result_type_of(((da, ka), (db, kb)))
    key = (rt, ka == 2, kb == 2)

    def build():
        n = rt.np
        return lambda c, x, y: jnp.where(c.astype(bool), jnp.asarray(x).astype(n),
                                         jnp.asarray(y).astype(n))

    try:
        r = run(_where_op, key, build, (condition._data, a, b),
                (None, input if ka != 2 else None, other if kb != 2 else None), rt)
    except (TypeError, ValueError) as e:
        from .._core.registry import _shape_error

        _shape_error(e, condition._data, a, b)
    return r if out is None else set_out(out, r)


export(where)
Tensor.where = lambda self, condition, y: where(condition, self, y)

__all__ = [
    "relu", "add", "sub", "rsub", "subtract", "mul", "multiply", "div", "divide",
    "true_divide", "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs",
    "absolute", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "eq", "ne", "lt",
    "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "clamp",
    "clip", "clamp_min", "clamp_max", "where", "maximum", "minimum",
]
negative = neg
absolute = abs
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
subtract, divide = sub, div
true_divide = _true_div
clip = clamp
floor_divide = _floor_divide
