"""torchlike.func: torch.func's composable transforms (grad, vjp, jvp, jacrev, jacfwd, hessian,
vmap, functional_call, stack_module_state) on JAX's transforms.

Each transform flattens the user's arguments to jax arrays, runs the matching JAX transform on a
function that wraps the traced arrays back into Tensors and calls the user's torch-style code
(every eager op is a jitted kernel, which JAX traces through), then wraps the results.  The
transforms therefore nest with each other (grad of grad, vmap of grad, jacfwd of jacrev, ...).
When an argument requires grad in the surrounding eager autograd, the whole transform is
recorded as one graph node whose backward is JAX's vjp of it, so torch-style ``backward()``
reaches through it (tensors captured by closure are constants, not graph inputs).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp

from ._core import dtypes as _dt
from ._core import registry as _reg
from ._core.grad_mode import GRAD_ENABLED, enable_grad
from ._core.tensor import Tensor
from ._ops import random as _random

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "linearize", "stack_module_state", "vjp", "vmap"]

_make = Tensor._make


# ---------------------------------------------------------------- torch's pytrees


class _Spec:
    """A pytree structure as torch.utils._pytree.TreeSpec: type, context, children."""

    __slots__ = ("type", "context", "children", "n")

    def __init__(self, type_, context, children):
        self.type, self.context, self.children = type_, context, children
        self.n = 1 if type_ is None else sum(c.n for c in children)

    def __eq__(self, other):
        return (isinstance(other, _Spec) and self.type is other.type
                and self.context == other.context and self.children == other.children)

    __hash__ = None

    def __repr__(self, indent: int = 0) -> str:
        if self.type is None:
            return "*"
        s = f"TreeSpec({self.type.__name__}, {self.context}, ["
        if self.children:
            indent += 2
            s += self.children[0].__repr__(indent) + ("," if len(self.children) > 1 else "")
            s += ",".join("\n" + " " * indent + c.__repr__(indent) for c in self.children[1:])
        return s + "])"


_LEAF = _Spec(None, None, ())


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _flatten(tree, leaves=None):
    """(leaves, spec): tuples, lists, dicts and namedtuples are nodes; all else is a leaf."""
    if leaves is None:
        leaves = []
        return leaves, _flatten(tree, leaves)
    t = type(tree)
    if t is tuple or t is list or _is_namedtuple(tree):
        return _Spec(t, None, [_flatten(c, leaves) for c in tree])
    if isinstance(tree, dict):
        keys = list(tree)
        return _Spec(t, keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return _LEAF


def _unflatten(spec: _Spec, leaves):
    it = iter(leaves)

    def build(s):
        if s.type is None:
            return next(it)
        kids = [build(c) for c in s.children]
        if s.type is tuple or s.type is list:
            return s.type(kids)
        if s.context is None:  # namedtuple
            return s.type(*kids)
        return s.type(zip(s.context, kids, strict=True))

    return build(spec)


class _Star:
    def __repr__(self) -> str:
        return "*"


def _pprint(spec: _Spec) -> str:
    """torch.utils._pytree.treespec_pprint."""
    return repr(_unflatten(spec, [_Star()] * spec.n))


def _broadcast_to_flat(prefix, spec: _Spec):
    """``prefix`` (an in_dims/out_dims tree) repeated over ``spec``'s leaves, or None."""
    if _flatten(prefix)[1].type is None:  # a leaf of the prefix covers a whole subtree
        return [prefix] * spec.n
    if spec.type is None:
        return None
    pspec = _flatten(prefix)[1]
    if pspec.type is not spec.type or pspec.context != spec.context \
            or len(pspec.children) != len(spec.children):
        return None
    kids = prefix.values() if isinstance(prefix, dict) else prefix
    out = []
    for p, s in zip(kids, spec.children, strict=True):
        r = _broadcast_to_flat(p, s)
        if r is None:
            return None
        out += r
    return out


# ---------------------------------------------------------------- helpers


def _name(func) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return repr(func)


def _wrap(arrays, dts):
    return [_make(a, d) for a, d in zip(arrays, dts, strict=True)]


def _dtype_of(a):
    return _dt._BY_NP.get(a.dtype)


def _conj(a):
    return jnp.conj(a) if jnp.iscomplexobj(a) else a


def _check_argnums(argnums, n: int):
    """torch's argnum validation: a wrapped int or tuple of ints."""
    def one(a):
        if not isinstance(a, int):
            raise RuntimeError(f"argnum must be int, got: {type(a)}")
        if 0 <= a < n:
            return a
        if -n <= a < 0:
            return a + n
        raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")

    if isinstance(argnums, int):
        return one(argnums)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    nums = tuple(one(a) for a in argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    if len(set(nums)) != len(nums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return nums


def _diff_leaves(args, argnums):
    """The differentiated arguments' Tensors (torch's errors for non-Tensors and int dtypes)."""
    diff = args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)
    leaves, spec = _flatten(diff)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if not (x._dtype.is_floating_point or x._dtype.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return leaves, spec


def _replace(args, argnums, new_diff):
    args = list(args)
    if isinstance(argnums, int):
        args[argnums] = new_diff
    else:
        for i, v in zip(argnums, new_diff, strict=True):
            args[i] = v
    return tuple(args)


def _aux_arrays(api: str, aux):
    """Flatten ``aux`` (Tensors only, as torch requires) to arrays plus what rebuilds it."""
    leaves, spec = _flatten(aux)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    return [x._data for x in leaves], (spec, [x._dtype for x in leaves])


def _aux_tensors(arrays, info):
    spec, dts = info
    return _unflatten(spec, _wrap(arrays, dts))


def _split_aux(api: str, out, has_aux: bool):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return out


def _tensor_outputs(api: str, out):
    leaves, spec = _flatten(out)
    if (len(leaves) == 1 and leaves[0] is None) or not leaves:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got "
                           f"output = {leaves})")
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
    return leaves, spec


class _NoCache(dict):
    """A kernel/vjp cache that keeps nothing: each recorded transform call has its own function."""

    def __setitem__(self, key, value):
        pass


def _transform_op(name: str) -> _reg.Op:
    op = _reg.Op(name, name.capitalize() + "Backward0", saved="in")
    op.kernels, op.vjps = _NoCache(), _NoCache()
    from .autograd import graph as _graph

    bwd = _graph._backward_op(op)
    bwd.kernels, bwd.vjps = _NoCache(), _NoCache()
    return op


_OPS: dict = {}


def _run(name: str, pure, inputs, out_dts=None):
    """``pure(*arrays) -> tuple of arrays`` on the inputs' arrays, as Tensors.

    When grad mode is on and an input requires grad, the call is recorded as one autograd node
    whose backward is JAX's vjp of ``pure`` (so eager ``backward()`` reaches the inputs).
    """
    args = tuple(t._data for t in inputs)
    res = pure(*args)
    outs = tuple(_make(r, _dtype_of(r) if out_dts is None else d)
                 for r, d in zip(res, out_dts or res, strict=True))
    if GRAD_ENABLED[0] and any(t._requires_grad for t in inputs):
        op = _OPS.get(name)
        if op is None:
            op = _OPS[name] = _transform_op(name)
        rec = _reg._RECORD[0]
        if rec is not None:
            # A fresh key per call: no cache (whole-graph backward included) may mistake this
            # call's function for another's.
            rec(op, object(), pure, args, tuple(inputs), outs, True)
    return outs


# ---------------------------------------------------------------- grad / vjp


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """torch.func.grad_and_value."""
    api = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _check_argnums(argnums, len(args))
        leaves, spec = _diff_leaves(args, nums)
        dts = [x._dtype for x in leaves]
        box = {}

        def f(arrs):
            with enable_grad():
                out = func(*_replace(args, nums, _unflatten(spec, _wrap(arrs, dts))), **kwargs)
            out, aux = _split_aux(api, out, has_aux)
            if not isinstance(out, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim()} dims. Maybe you wanted to use the "
                                   "vjp or jacrev APIs instead?")
            if not out._dtype.is_floating_point:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out._dtype}")
            box["out"] = out._dtype
            auxa = None
            if has_aux:
                auxa, box["aux"] = _aux_arrays(api, aux)
            return out._data, auxa

        def pure(*arrs):
            (val, auxa), g = jax.value_and_grad(f, has_aux=True)(list(arrs))
            return (*[_conj(x) for x in g], val, *(auxa or ()))

        outs = _run("grad", pure, leaves)
        n = len(leaves)
        g = _unflatten(spec, outs[:n])
        val = outs[n]
        if has_aux:
            return g, (val, _aux_tensors([o._data for o in outs[n + 1:]], box["aux"]))
        return g, val

    return wrapper


def grad(func, argnums=0, has_aux: bool = False):
    """torch.func.grad."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, val = gv(*args, **kwargs)
        return (g, val[1]) if has_aux else g

    return wrapper


def _primals(api: str, primals):
    leaves, spec = _flatten(primals)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    return leaves, spec


def vjp(func, *primals, has_aux: bool = False):
    """torch.func.vjp: (output, vjp_fn[, aux]); vjp_fn(cotangents) gives one grad per primal."""
    api = "vjp(f, *primals)"
    leaves, spec = _primals(api, primals)
    dts = [x._dtype for x in leaves]
    box = {}

    def f(*arrs):
        with enable_grad():
            out = func(*_unflatten(spec, _wrap(arrs, dts)))
        out, aux = _split_aux(api, out, has_aux)
        outs, ospec = _tensor_outputs(api, out)
        for o in outs:
            if not (o._dtype.is_floating_point or o._dtype.is_complex):
                raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or "
                                   f"complex Tensors, got Tensor with dtype {o._dtype}")
        box["spec"], box["dts"] = ospec, [o._dtype for o in outs]
        auxa = None
        if has_aux:
            auxa, box["aux"] = _aux_arrays(api, aux)
        return [o._data for o in outs], auxa

    out_arrays, fn, auxa = jax.vjp(f, *(x._data for x in leaves), has_aux=True)
    ospec, odts = box["spec"], box["dts"]
    out = _unflatten(ospec, _wrap(out_arrays, odts))

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph=None):
        cts, cspec = _flatten(cotangents)
        if cspec != ospec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree "
                               "structure of outputs to the function. cotangents: "
                               f"{_pprint(cspec)}, primal output: {_pprint(ospec)}")
        arrs = []
        for c, d in zip(cts, odts, strict=True):
            a = c._data if isinstance(c, Tensor) else jnp.asarray(c)
            arrs.append(_conj(a.astype(d.np) if a.dtype != d.np else a))
        g = fn(arrs)
        return _unflatten(spec, [_make(_conj(a), d) for a, d in zip(g, dts, strict=True)])

    if has_aux:
        return out, vjp_fn, _aux_tensors(auxa, box["aux"])
    return out, vjp_fn


# ---------------------------------------------------------------- forward mode

_JVP = "jvp(f, primals, tangents)"


def _jvp_check(primals, tangents):
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    pl, ps = _flatten(primals)
    tl, ts = _flatten(tangents)
    if ps != ts:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, tangents "
                           f"also must be. Got primals with structure {ps} and tangents with "
                           f"structure {ts}")
    for leaves, what in ((pl, "primals"), (tl, "tangents")):
        if not leaves:
            raise RuntimeError(f"{_JVP}: Expected {what} to contain at least one Tensor.")
        for x in leaves:
            if not isinstance(x, Tensor):
                raise RuntimeError(f"{_JVP}: Expected {what} to only contain Tensors, got "
                                   f"{type(x)}")
    for p, t in zip(pl, tl, strict=True):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError("Trying to set a forward gradient that has a different size than "
                               "that of the original Tensor, this is not supported. Tensor is of "
                               f"size {list(p.shape)} while the given forward gradient is of size "
                               f"{list(t.shape)}.")
    return pl, ps, tl


def _traced_by(a, ref) -> bool:
    """Whether ``a`` is a tracer of the same JAX trace as ``ref`` (depends on that level)."""
    tr = getattr(ref, "_trace", None)
    return tr is not None and getattr(a, "_trace", None) is tr


def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """torch.func.jvp: (output, jvp_out[, aux])."""
    pl, ps, tl = _jvp_check(primals, tangents)
    dts = [x._dtype for x in pl]
    box = {}

    def f(*arrs):
        with enable_grad():
            out = func(*_unflatten(ps, _wrap(arrs, dts)))
        out, aux = _split_aux(_JVP, out, has_aux)
        outs, ospec = _tensor_outputs(_JVP, out)
        if strict and not any(_traced_by(o._data, arrs[0]) for o in outs):
            raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is "
                               "independent of the inputs. This is not allowed with strict=True.")
        box["spec"], box["dts"] = ospec, [o._dtype for o in outs]
        auxa = None
        if has_aux:
            auxa, box["aux"] = _aux_arrays(_JVP, aux)
        return [o._data for o in outs], auxa

    def pure(*arrs):
        n = len(pl)
        tans = [t.astype(p.dtype) for p, t in zip(arrs[:n], arrs[n:], strict=True)]
        out, tout, auxa = jax.jvp(lambda *a: f(*a), tuple(arrs[:n]), tuple(tans), has_aux=True)
        return (*out, *tout, *(auxa or ()))

    outs = _run("jvp", pure, pl + tl)
    ospec = box["spec"]
    k = ospec.n
    res = (_unflatten(ospec, outs[:k]), _unflatten(ospec, outs[k:2 * k]))
    if has_aux:
        return res + (_aux_tensors([o._data for o in outs[2 * k:]], box["aux"]),)
    return res


def linearize(func, *primals):
    """torch.func.linearize: (output, jvp_fn) with jvp_fn(*tangents) the linear map."""
    leaves, spec = _primals("linearize", primals)
    dts = [x._dtype for x in leaves]
    box = {}

    def f(*arrs):
        out = func(*_unflatten(spec, _wrap(arrs, dts)))
        outs, ospec = _tensor_outputs("linearize", out)
        box["spec"], box["dts"] = ospec, [o._dtype for o in outs]
        return [o._data for o in outs]

    out_arrays, lin = jax.linearize(f, *(x._data for x in leaves))
    ospec, odts = box["spec"], box["dts"]

    def jvp_fn(*tangents):
        tl, ts = _flatten(tangents)
        if ts != spec:
            raise RuntimeError(f"linearize: Expected tangents to have the same structure as the "
                               f"primals, got {ts} and {spec}")
        return _unflatten(ospec, _wrap(lin(*(t._data.astype(d.np) for t, d in zip(
            tl, dts, strict=True))), odts))

    return _unflatten(ospec, _wrap(out_arrays, odts)), jvp_fn


# ---------------------------------------------------------------- jacobians


def _error_if_complex(api: str, leaves, is_input: bool):
    for i, x in enumerate(leaves):
        if isinstance(x, Tensor) and x._dtype.is_complex:
            what = "inputs" if is_input else "outputs"
            raise RuntimeError(f"{api}: Expected all {what} to be real but received complex "
                               f"tensor at flattened input idx: {i}")


def _jacobian(api, func, argnums, has_aux, chunk_size, randomness, forward):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _check_argnums(argnums, len(args))
        leaves, spec = _diff_leaves(args, nums)
        _error_if_complex(api, leaves, True)
        dts = [x._dtype for x in leaves]
        box = {}

        def f(*arrs):
            with enable_grad():
                out = func(*_replace(args, nums, _unflatten(spec, _wrap(arrs, dts))), **kwargs)
            # torch builds jacfwd on jvp and jacrev on vjp, and reports their errors.
            base = _JVP if forward else "vjp(f, *primals)"
            out, aux = _split_aux(base, out, has_aux)
            outs, ospec = _tensor_outputs(base, out)
            _error_if_complex(api, outs, False)
            box["spec"], box["dts"] = ospec, [o._dtype for o in outs]
            auxa = None
            if has_aux:
                auxa, box["aux"] = _aux_arrays(api, aux)
            return [o._data for o in outs], auxa

        def pure(*arrs):
            if forward:
                jac, auxa = _jacfwd_arrays(f, arrs, randomness)
            else:
                jac, auxa = _jacrev_arrays(f, arrs, chunk_size)
            return (*[j for row in jac for j in row], *(auxa or ()))

        outs = _run(api, pure, leaves)
        ospec = box["spec"]
        n = len(leaves)
        rows = [_unflatten(spec, outs[k * n:(k + 1) * n]) for k in range(ospec.n)]
        jac = _unflatten(ospec, rows)
        if has_aux:
            return jac, _aux_tensors([o._data for o in outs[ospec.n * n:]], box["aux"])
        return jac

    return wrapper


def _basis(out_arrays, rows):
    """Rows ``rows`` of the identity over the flattened outputs, split per output."""
    sizes = [o.size for o in out_arrays]
    total = sum(sizes)
    eye = jnp.eye(total, dtype=jnp.float32)[rows[0]:rows[1]]
    parts, start = [], 0
    for o, s in zip(out_arrays, sizes, strict=True):
        parts.append(eye[:, start:start + s].reshape((-1,) + o.shape).astype(o.dtype))
        start += s
    return parts


def _jacrev_arrays(f, arrs, chunk_size):
    out, fn, auxa = jax.vjp(f, *arrs, has_aux=True)
    total = sum(o.size for o in out)
    step = total if chunk_size is None else chunk_size
    chunks = []
    for s in range(0, total, max(step, 1)):
        cts = _basis(out, (s, min(s + step, total)))
        chunks.append(jax.vmap(lambda *c: fn(list(c)))(*cts))
    if not chunks:  # no output elements: empty jacobians
        grads = [jnp.zeros((0,) + a.shape, a.dtype) for a in arrs]
    else:
        grads = [jnp.concatenate([c[i] for c in chunks]) if len(chunks) > 1 else chunks[0][i]
                 for i in range(len(arrs))]
    jac = []
    start = 0
    for o in out:
        jac.append([_conj(g[start:start + o.size]).reshape(o.shape + a.shape)
                    for g, a in zip(grads, arrs, strict=True)])
        start += o.size
    return jac, auxa


def _jacfwd_arrays(f, arrs, randomness):
    sizes = [a.size for a in arrs]
    total = sum(sizes)
    eye = jnp.eye(total, dtype=jnp.float32)
    tangents, start = [], 0
    for a, s in zip(arrs, sizes, strict=True):
        tangents.append(eye[:, start:start + s].reshape((total,) + a.shape).astype(a.dtype))
        start += s
    box = {}

    def push(*tans):
        out, tout, auxa = jax.jvp(f, tuple(arrs), tuple(tans), has_aux=True)
        box["out"] = [(o.shape, o.dtype) for o in out]
        return tout, auxa

    idx = jnp.arange(total, dtype=jnp.uint32)

    def body(i, *tans):
        with _rng_mode(randomness, i):
            return push(*tans)

    tout, auxa = jax.vmap(body, out_axes=(-1, 0))(idx, *tangents)
    if auxa is not None:
        auxa = [a[0] for a in auxa]
    jac = []
    for t, (shape, _) in zip(tout, box["out"], strict=True):
        row, start = [], 0
        for a, s in zip(arrs, sizes, strict=True):
            row.append(t[..., start:start + s].reshape(shape + a.shape))
            start += s
        jac.append(row)
    return jac, auxa


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size: int | None = None,
           _preallocate_and_copy: bool = False):
    """torch.func.jacrev: the Jacobian by reverse mode (``chunk_size`` rows at a time)."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian("jacrev", func, argnums, has_aux, chunk_size, "error", False)


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """torch.func.jacfwd: the Jacobian by forward mode."""
    _check_randomness_arg(randomness)
    return _jacobian("jacfwd", func, argnums, has_aux, None, randomness, True)


def hessian(func, argnums=0):
    """torch.func.hessian: jacfwd(jacrev(func, argnums), argnums)."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------- vmap


def _check_randomness_arg(randomness):
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either use "
                 "the 'same' or 'different' randomness flags on vmap or perform the randomness "
                 "operation out of vmap")


def _raise_next(gen):
    raise RuntimeError(_RANDOM_ERROR)


@contextlib.contextmanager
def _rng_mode(randomness: str, idx):
    """Random draws inside a vmapped function: raise ('error'), one draw for the whole batch
    ('same', JAX's default), or one key per batch element ('different': the drawing kernel's key
    words are folded with the element's index, so the sample is batched)."""
    # Every sampler takes its key words from Generator._next: swapping it for the duration of
    # the traced call is the hook (a registered hook in _ops/random.py would be cleaner).
    G = _random.Generator
    prev = G.__dict__["_next"]
    if randomness == "error":
        G._next = _raise_next
    elif randomness == "different":
        def _next(gen):
            words, c = prev(gen)
            k = jax.random.wrap_key_data(jnp.asarray(words), impl="threefry2x32")
            return jax.random.key_data(jax.random.fold_in(k, idx)), c

        G._next = _next
    try:
        yield
    finally:
        G._next = prev


def _check_out_dims(out_dims, func):
    def ok(d):
        return d is None or (isinstance(d, int) and not isinstance(d, bool))

    if isinstance(out_dims, int) or all(ok(d) for d in _flatten(out_dims)[0]):
        return
    raise ValueError(f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                     "None or a python collection of ints representing where in the outputs the "
                     "vmapped dimension should appear.")


def _process_inputs(in_dims, args, func):
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected "
                         "`in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add "
                         "inputs, or you are trying to vmap over a function with no inputs. The "
                         "latter is unsupported.")
    leaves, spec = _flatten(args)
    dims = _broadcast_to_flat(in_dims, spec)
    if dims is None:
        raise ValueError(f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                         "compatible with the structure of `inputs`. in_dims has structure "
                         f"{_flatten(in_dims)[1]} but inputs has structure {spec}.")
    pre = f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>)"
    for i, (x, d) in enumerate(zip(leaves, dims, strict=True)):
        if d is not None and (not isinstance(d, int) or isinstance(d, bool)):
            raise ValueError(f"{pre}: Got in_dim={d} for an input but in_dim must be either an "
                             "integer dimension or None.")
        if d is not None and not isinstance(x, Tensor):
            raise ValueError(f"{pre}: Got in_dim={d} for an input but the input is of type "
                             f"{type(x)}. We cannot vmap over non-Tensor arguments, please use "
                             "None as the respective in_dim")
        if d is not None:
            nd = x.dim()
            if not -nd <= d < nd:
                raise ValueError(f"{pre}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {nd} so expected in_dim to satisfy "
                                 f"-{nd} <= in_dim < {nd}.")
            dims[i] = d % nd
    sizes = [x.shape[d] for x, d in zip(leaves, dims, strict=True) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0], leaves, spec, dims


def _flat_vmap(func, name, bsize, leaves, spec, dims, out_dims, randomness, kwargs, box):
    """A function of the Tensor leaves' arrays giving the flat batched outputs (batch dim 0)."""
    tpos = [i for i, x in enumerate(leaves) if isinstance(x, Tensor)]
    tdims = [dims[i] for i in tpos]
    tdts = [leaves[i]._dtype for i in tpos]
    different = randomness == "different"

    def body(idx, *arrs):
        new = list(leaves)
        for i, a, d in zip(tpos, arrs, tdts, strict=True):
            new[i] = _make(a, d)
        with _rng_mode(randomness, idx):
            out = func(*_unflatten(spec, new), **kwargs)
        outs, ospec = _flatten(out)
        if isinstance(out, Tensor):
            if isinstance(out_dims, int) or out_dims is None:
                odims = [out_dims]
            elif isinstance(out_dims, tuple) and len(out_dims) == 1:
                odims = list(out_dims)
            else:
                odims = None
        else:
            odims = _broadcast_to_flat(out_dims, ospec)
        if odims is None:
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                             "compatible with the structure of `outputs`. out_dims has structure "
                             f"{_flatten(out_dims)[1]} but outputs has structure {ospec}.")
        ref = next((a for a, d in zip(arrs, tdims, strict=True) if d is not None), None)
        res, fixed = [], {}
        for k, (o, d) in enumerate(zip(outs, odims, strict=True)):
            if d is None:
                if isinstance(o, Tensor) and _traced_by(o._data, ref):
                    raise ValueError(f"vmap({name}, ...): `{name}` can not return a "
                                     "BatchedTensor when out_dim is None")
                fixed[k] = o
                continue
            if not isinstance(o, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                                 f"{type(o)}. Did you mean to set out_dims= to None for output?")
            res.append(o._data)
        box["spec"], box["odims"], box["fixed"] = ospec, odims, fixed
        box["dts"] = [o._dtype for o in outs if isinstance(o, Tensor)]
        return res

    def pure(*arrs):
        n = next(a.shape[d] for a, d in zip(arrs, tdims, strict=True) if d is not None)
        idx = jnp.arange(n, dtype=jnp.uint32) if different else None
        return jax.vmap(body, in_axes=(0 if different else None, *tdims))(idx, *arrs)

    return pure, tpos


def _vmap_call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs):
    _check_out_dims(out_dims, func)
    name = _name(func)
    bsize, leaves, spec, dims = _process_inputs(in_dims, args, func)
    box = {}
    pure, tpos = _flat_vmap(func, name, bsize, leaves, spec, dims, out_dims, randomness, kwargs,
                            box)
    tdims = [dims[i] for i in tpos]
    if chunk_size is not None and chunk_size < bsize:
        one = pure
        same = randomness == "same"
        state = _random.default_generator.get_state() if same else None

        def pure(*arrs):  # noqa: F811 - the chunked variant of the same function
            parts = []
            for s in range(0, bsize, chunk_size):
                if same:
                    _random.default_generator.set_state(state)
                sl = [a if d is None else jax.lax.slice_in_dim(a, s, min(s + chunk_size, bsize),
                                                               axis=d)
                      for a, d in zip(arrs, tdims, strict=True)]
                parts.append(one(*sl))
            return [jnp.concatenate(p) for p in zip(*parts, strict=True)]

    inputs = [leaves[i] for i in tpos]
    outs = _run("vmap", lambda *a: tuple(pure(*a)), inputs, None)
    ospec, odims, fixed = box["spec"], box["odims"], box["fixed"]
    flat, it = [], iter(outs)
    dts = iter(box["dts"])
    for k, d in enumerate(odims):
        if d is None:
            flat.append(fixed[k])
            if isinstance(fixed[k], Tensor):
                next(dts)
            continue
        t = next(it)
        dt = next(dts)
        if t._dtype is not dt:
            t = _make(t._data, dt)
        flat.append(t if d == 0 else t.movedim(0, d))
    return _unflatten(ospec, flat)


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size: int | None = None):
    """torch.func.vmap (also torch.vmap)."""
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return _vmap_call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs)

    return wrapped


# ---------------------------------------------------------------- modules


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """torch.func.functional_call: run ``module`` with the given parameters and buffers."""
    from .nn.utils.stateless import _functional_call

    if isinstance(parameter_and_buffer_dicts, dict):
        pb = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        seen: dict = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                seen[k] = seen.get(k, 0) + 1
        repeated = [k for k, n in seen.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        pb = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    return _functional_call(module, pb, args, kwargs, tie_weights=tie_weights, strict=strict)


def _stack_leaf(tensors, name: str):
    from ._ops.shape import stack

    req = [t.requires_grad for t in tensors]
    if any(req) and not all(req):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    out = stack(tensors)
    if all(req):
        out = out.detach().requires_grad_()
    return out


def stack_module_state(models):
    """torch.func.stack_module_state: (params, buffers) stacked along a new leading dim."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval "
                           "mode.")
    cls = type(models[0])
    if not all(type(m) is cls for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_p = [dict(m.named_parameters()) for m in models]
    all_b = [dict(m.named_buffers()) for m in models]
    params = {k: _stack_leaf(tuple(p[k] for p in all_p), k) for k in all_p[0]}
    buffers = {k: _stack_leaf(tuple(b[k] for b in all_b), k) for k in all_b[0]}
    return params, buffers
