"""torchlike.compile: run torch-style Python once under a JAX trace, then replay one XLA program.

A call walks the state it reaches (``_state.walk``), keys the cache on that state's signature
and the arguments', and on a miss traces the function with every reached storage's array
swapped for a tracer (plus each fused optimizer's hyperparameters and each generator's key and
counter).  The eager engine runs unchanged on the tracers, so the whole call, autograd and
optimizer included, becomes one jaxpr; it is compiled once with the written buffers donated.
After the program runs, results go back where the traced code put them: written storages get
their new arrays, slots that got new tensors (``p.grad`` after ``zero_grad()`` +
``backward()``) get fresh tensors, Python attributes the trace changed are changed again.

What cannot be traced (a concrete value steering Python, a data-dependent shape) is a graph
break: the state is rolled back and the call runs eagerly (``fullgraph=True`` raises instead).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import sys
import traceback
import types
import warnings
import weakref
from collections import Counter, defaultdict

import jax
import jax.extend
import jax.numpy as jnp
import numpy as np

from .._core import grad_mode as _gm
from .._core import registry as _reg
from .._core import tracing as _tracing
from .._core.storage import Storage
from .._core.tensor import Tensor
from . import _state
from ._state import GRAD

Tracer = jax.core.Tracer


class _Config:
    """torch._dynamo.config's knobs that torchlike honours."""

    recompile_limit = 8

    @property
    def cache_size_limit(self) -> int:
        """The old name of recompile_limit (an alias, as in torch)."""
        return self.recompile_limit

    @cache_size_limit.setter
    def cache_size_limit(self, n: int) -> None:
        self.recompile_limit = n


config = _Config()


counters: defaultdict = defaultdict(Counter)
_ALL: list = []          # weak-ish registry of compiled functions, for reset()
_COMPILING = [0]


class Unsupported(RuntimeError):
    """torch._dynamo.exc.Unsupported: fullgraph=True met something it cannot trace."""


_BREAKS = (_tracing.GraphBreak, jax.errors.ConcretizationTypeError,
           jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError,
           jax.errors.TracerArrayConversionError)


def is_compiling() -> bool:
    """torch.compiler.is_compiling: True while torchlike.compile traces a function."""
    return _COMPILING[0] > 0


def reset() -> None:
    """torch._dynamo.reset / torch.compiler.reset: forget every compiled program."""
    for ref in _ALL:
        f = ref()
        if f is not None:
            f._cache.clear()
            f._fast = None
            f._warned = False
    counters.clear()


# ---------------------------------------------------------------- pytrees of call values


def _flatten(obj, leaves: list):
    """(structure, leaves appended): Tensors are leaves; containers and dataclasses recurse."""
    if isinstance(obj, Tensor):
        leaves.append(obj)
        return _LEAF
    if isinstance(obj, (list, tuple)):
        kids = tuple(_flatten(x, leaves) for x in obj)
        return (type(obj), kids)
    if isinstance(obj, dict):
        return (type(obj), tuple(obj.keys()), tuple(_flatten(v, leaves) for v in obj.values()))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = tuple(f.name for f in dataclasses.fields(obj))
        return (type(obj), names, tuple(_flatten(getattr(obj, n), leaves) for n in names),
                _DC)
    return (_CONST, obj)


_LEAF, _CONST, _DC = object(), object(), object()


def _unflatten(struct, it):
    if struct is _LEAF:
        return next(it)
    if struct[0] is _CONST:
        return struct[1]
    if len(struct) == 4 and struct[3] is _DC:
        cls, names, kids, _ = struct
        obj = object.__new__(cls)
        for n, k in zip(names, kids, strict=True):
            object.__setattr__(obj, n, _unflatten(k, it))
        return obj
    if len(struct) == 3:
        cls, keys, kids = struct
        vals = [_unflatten(k, it) for k in kids]
        return cls(zip(keys, vals, strict=True))
    cls, kids = struct
    vals = [_unflatten(k, it) for k in kids]
    if cls is tuple or cls is list:
        return cls(vals)
    make = getattr(cls, "_make", None)  # namedtuples; torch.return_types take one sequence
    return make(vals) if make is not None else cls(vals)


def _arg_key(struct):
    """The cache key of a structure from _flatten (constants by value where hashable)."""
    if struct is _LEAF:
        return 0
    if struct[0] is _CONST:
        return (_CONST, _state._static(struct[1]))
    if len(struct) == 2:
        return (struct[0], tuple(_arg_key(k) for k in struct[1]))
    return (struct[0], struct[1], tuple(_arg_key(k) for k in struct[2]))


# ---------------------------------------------------------------- one compiled entry


class _Entry:
    """One traced program and the plan to read its inputs from / write outputs to the state."""

    eager = False        # a graph break: run the function eagerly for this key
    replayable = True    # False: the trace created containers, run it once and retrace


def _slot_get(container, key, kind):
    if kind == GRAD:
        return container._grad
    return container.get(key) if isinstance(container, dict) else getattr(container, key, None)


def _slot_set(container, key, kind, value) -> None:
    if kind == GRAD:
        container._grad = value
    elif isinstance(container, dict):
        container[key] = value
    else:
        setattr(container, key, value)


_SCALARS = (bool, int, float, str, type(None))


def _attr_effects(snap_objs, w: _state.Walk) -> list:
    """Scalar attributes the trace changed on walked objects: (object index, name, how, value);
    numbers changed by a delta replay as counters (+delta), other values are set again."""
    out = []
    for oi, (obj, before) in enumerate(snap_objs):
        for k, v in obj.__dict__.items():
            if not isinstance(v, _SCALARS):
                continue
            old = before.get(k, _MISSING)
            if old is v or (type(old) is type(v) and old == v):
                continue
            if type(old) in (int, float) and type(v) is type(old):
                out.append((oi, k, "add", v - old))
            else:
                out.append((oi, k, "set", v))
    return out


_MISSING = object()


def _user_frame(tb) -> str:
    """'file:line in fn' of the innermost frame of ``tb`` outside torchlike and jax."""
    where = "?"
    for fs in traceback.extract_tb(tb):
        f = os.path.abspath(fs.filename)
        if not f.startswith(_PKG) and f"{os.sep}jax" not in f:
            where = f"{fs.filename}:{fs.lineno} in {fs.name}"
    return where


def _break_op(exc) -> str:
    if isinstance(exc, _tracing.GraphBreak):
        return exc.op
    for fs in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(fs.filename).startswith(_PKG):
            return fs.name
    return "?"


_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SERIALS = itertools.count()
_EXPLAIN: list = []   # break reasons, read by explain()
_COMPILED_OP = _reg.Op("compiled_function", "CompiledFunctionBackward", saved="in")


def _default_generator():
    from .._ops.random import default_generator

    return default_generator


def _donatable(arr, refs: int) -> bool:
    return not isinstance(arr, Tracer) and sys.getrefcount(arr) <= refs


# ---------------------------------------------------------------- the compiled function


class CompiledFunction:
    """What torchlike.compile returns for a function or method (see the module doc)."""

    def __init__(self, fn, fullgraph: bool = False):
        self._fn = fn
        self._fullgraph = fullgraph
        self._cache: dict = {}
        self._extra: list[Storage] = []   # storages the trace wrote though the walk missed them
        self._warned = False
        self._traces = 0
        self._fast = None
        self._last_leaves: list = []
        functools.update_wrapper(self, fn, updated=())
        self._name = getattr(fn, "__qualname__", type(fn).__name__)
        _ALL.append(weakref.ref(self))

    def __get__(self, obj, objtype=None):
        return self if obj is None else types.MethodType(self, obj)

    def _roots(self, args_kwargs, leaves=()) -> _state.Walk:
        w = _state.Walk()
        for t in leaves:
            w.tensor(t)
        w.visit(args_kwargs)
        w.visit(self._fn)
        return w

    def _walk(self, args, kwargs):
        leaves: list = []
        struct = _flatten((args, kwargs), leaves)
        w = self._roots((args, kwargs), leaves)
        self._last_leaves = leaves
        for s in self._extra:
            if id(s) not in w.sindex:
                w.sindex[id(s)] = len(w.storages)
                w.storages.append(s)
                w.sig.append((s.array.shape, s.array.dtype))
        w.visit(_default_generator())
        key = (_arg_key(struct), tuple(w.tindex[id(t)] for t in leaves), _gm.GRAD_ENABLED[0],
               tuple(w.sig))
        return w, key

    def __call__(self, *args, **kwargs):
        if _COMPILING[0] or _traced_args(args, kwargs):
            # called while tracing (a compiled function, torchlike.func, jax.jit): inline it,
            # the enclosing trace compiles it anyway
            return self._fn(*args, **kwargs)
        fast = self._fast
        if fast is not None:
            w = fast.enter(args, kwargs)
            if w is not None:
                counters["stats"]["cache_hits"] += 1
                return self._run(fast.entry, w, None, fast)
            self._fast = None
        w, key = self._walk(args, kwargs)
        entry = self._cache.get(key)
        if entry is not None:
            if entry.eager:
                return self._fn(*args, **kwargs)
            counters["stats"]["cache_hits"] += 1
            out = self._run(entry, w, None)
        elif self._traces >= config.recompile_limit:
            if not self._warned:
                self._warned = True
                warnings.warn(
                    f"torchlike.compile hit config.recompile_limit ({config.recompile_limit}) "
                    f"for {self._name}: it runs eagerly from now on for new input "
                    "signatures (torch._dynamo.config.recompile_limit)", stacklevel=2)
            return self._fn(*args, **kwargs)
        else:
            out = self._trace(key, w, args, kwargs)
        self._fast = _Fast.arm(self, args, kwargs)
        return out

    # ------------------------------------------------------------ tracing

    def _trace(self, key, w: _state.Walk, args, kwargs):
        from ..optim import optimizer as _opt

        snap = w.snapshot()
        snap_objs = [(o, dict(o.__dict__)) for o in w.objects]
        entry_arrays = [s.array for s in w.storages]
        entry_versions = [s.version for s in w.storages]
        entry_slots = [_slot_get(c, k, kind) for c, k, kind, _ in w.slots]
        gens = w.gens
        gen_entry = [(g._key, g._counter) for g in gens]
        hyper = [(g, list(o._hyper(g).items())) for o, g in w.groups]
        unknown: dict[int, tuple] = {}
        box: dict = {}
        draws: dict[int, int] = {}
        box["draws"] = draws

        def on_write(s: Storage) -> None:
            if id(s) not in w.sindex and id(s) not in unknown:
                unknown[id(s)] = (s, s.array, s.version)

        def program(state_arrays, hp_arrays, gen_keys, gen_counters):
            for s, a in zip(w.storages, state_arrays, strict=True):
                s.array = a
            it = iter(hp_arrays)
            for g, items in hyper:
                _opt.TRACED_HYPER[id(g)] = {
                    k: v._data.reshape(()) if isinstance(v, Tensor) else next(it)
                    for k, v in items}
            for g, k, c in zip(gens, gen_keys, gen_counters, strict=True):
                g._key, g._counter = k, c
            _tracing.ON_WRITE[0] = on_write
            _COMPILING[0] += 1
            G = type(_default_generator())
            plain_next = G.__dict__["_next"]

            def counting_next(gen):  # draws per generator: counters advance on the host
                draws[id(gen)] = draws.get(id(gen), 0) + 1
                return plain_next(gen)

            G._next = counting_next
            try:
                out = self._fn(*args, **kwargs)
            finally:
                G._next = plain_next
                _COMPILING[0] -= 1
                _tracing.ON_WRITE[0] = None
                _opt.TRACED_HYPER.clear()
            return self._collect(out, (args, kwargs), w, state_arrays, entry_slots, unknown,
                                 box)

        hp_in = [np.float64(v) for _, items in hyper for _, v in items
                 if not isinstance(v, Tensor)]
        box["hp"] = hp_in
        gen_keys = [jnp.asarray(g._key) for g in gens]
        gen_counters = [jnp.asarray(g._counter, jnp.int64) for g in gens]

        def put_back():
            for s, a, v in zip(w.storages, entry_arrays, entry_versions, strict=True):
                s.array = a
                s.version = v
            for s, a, v in unknown.values():
                s.array = a
                s.version = v
            for g, (k, c) in zip(gens, gen_entry, strict=True):
                g._key, g._counter = k, c

        try:
            closed = jax.make_jaxpr(program)(entry_arrays, hp_in, gen_keys, gen_counters)
        except _BREAKS as exc:
            put_back()
            _state.restore(snap)
            return self._graph_break(key, exc, args, kwargs)
        except BaseException:
            put_back()
            _state.restore(snap)
            raise
        put_back()  # the trace's Python effects stay; its tracers leave the storages
        self._traces += 1
        counters["stats"]["unique_graphs"] += 1
        e = self._build(closed, w, box, snap, snap_objs)
        if e.replayable:
            self._cache[key] = e
        return self._run(e, w, box)

    def _collect(self, out, roots, w, state_in, entry_slots, unknown, box) -> list:
        """After the traced call: the program's outputs, and the plan to write them back."""
        leaves: list = []
        box["struct"] = _flatten(out, leaves)
        box["leaves"] = leaves
        written = [i for i, s in enumerate(w.storages) if s.array is not state_in[i]]
        outs = [w.storages[i].array for i in written]
        plan, new_ids, new = [], {}, []
        for si, ((c, k, kind, _), before) in enumerate(zip(w.slots, entry_slots, strict=True)):
            v = _slot_get(c, k, kind)
            if v is before:
                continue
            if v is None:
                plan.append((si, "none", None))
            elif id(v) in w.tindex:
                plan.append((si, "old", w.tindex[id(v)]))
            elif _tracing.is_traced(v):
                j = new_ids.setdefault(id(v), len(new))
                if j == len(new):
                    new.append(v)
                plan.append((si, "new", j))
            else:
                plan.append((si, "foreign", v))
        # every tensor the trace left reachable on a storage it created: slots first
        exit_walk = self._roots(roots)
        for t in exit_walk.tensors:
            if id(t._storage) not in w.sindex and _tracing.is_traced(t) and \
                    id(t) not in new_ids:
                new_ids[id(t)] = len(new)
                new.append(t)
        sidx: dict = {}
        new_storages = []
        for t in new:
            if id(t._storage) not in sidx:
                sidx[id(t._storage)] = len(new_storages)
                new_storages.append(t._storage)
        box["new_layout"] = [(sidx[id(t._storage)], t._view, t._dtype,
                              t._requires_grad and t.grad_fn is None) for t in new]
        box["new_storages"] = new_storages
        outs += [st.array for st in new_storages]
        unk = list(unknown.values())
        outs += [s.array for s, _, _ in unk]
        used = [(i, box["draws"][id(g)]) for i, g in enumerate(w.gens) if id(g) in box["draws"]]
        outs += [t._data for t in leaves]
        box.update(written=written, plan=plan, new=new, unknown=unk, gen_used=used)
        return outs

    def _graph_break(self, key, exc, args, kwargs):
        op, where = _break_op(exc), _user_frame(exc.__traceback__)
        counters["stats"]["graph_breaks"] += 1
        first = str(exc).splitlines()[0] if str(exc) else ""
        reason = f"{op} at {where} ({type(exc).__name__}: {first})"
        _EXPLAIN.append(reason)
        if self._fullgraph:
            raise Unsupported(
                f"torchlike.compile(fullgraph=True) cannot trace {self._name}: "
                f"{op} at {where} needs a concrete value ({type(exc).__name__}). Move that "
                "code out of the compiled function, or compile with fullgraph=False to run "
                "this function eagerly for such inputs.") from exc
        e = _Entry()
        e.eager = True
        self._cache[key] = e
        warnings.warn(f"torchlike.compile: graph break in {reason}; {self._name} "
                      "runs eagerly for these inputs", stacklevel=3)
        return self._fn(*args, **kwargs)

    def _build(self, closed, w: _state.Walk, box: dict, snap, snap_objs) -> _Entry:
        e = _Entry()
        e.written = box["written"]
        e.plan = box["plan"]
        e.plan_fixed = [p for p in e.plan if p[1] != "new"]
        e.new_layout = box["new_layout"]
        e.n_new_storages = len(box["new_storages"])
        e.n_unknown = len(box["unknown"])
        e.gen_used = box["gen_used"]
        e.struct = box["struct"]
        e.rets = [(w.tindex.get(id(t)), t._dtype, t._requires_grad) for t in box["leaves"]]
        e.attrs = _attr_effects(snap_objs, w)
        # The trace made new containers (an optimizer's state on its first step): replaying
        # could not recreate them, so this trace runs once and the next call retraces.
        # Nor can it replay new Python values put into containers (a scheduler stepping inside
        # the call writes group["lr"]): such a call is traced again each time.
        e.replayable = not box["unknown"] and all(
            live.keys() == copy.keys() and all(
                live[k] is v or isinstance(v, Tensor) or live[k] == v for k, v in copy.items())
            for live, copy in snap
            if isinstance(live, dict) and not any(live is o.__dict__ for o in w.objects)
            and not any(live is t.__dict__ for t in w.tensors))
        for s, _, _ in box["unknown"]:
            self._extra.append(s)
        # A call that ran backward itself (it wrote a .grad) returns plain values; one that
        # did not records one autograd node over the whole program (a compiled forward).
        e.train_step = any(w.slots[si][2] == GRAD for si, _, _ in e.plan) or any(
            t._grad is not None and t._grad._storage is w.storages[i]
            for i in e.written for t in w.tensors)
        jaxpr, consts = closed.jaxpr, closed.consts

        def run(*flat):
            return _inline_eval(jaxpr, consts, flat)

        e.pure = run
        e.run_keep = jax.jit(run)
        e.run_donate = jax.jit(run, donate_argnums=tuple(e.written)) if e.written else e.run_keep
        # outputs that need an autograd node when grad mode is on (see _record)
        e.grad_out = not e.train_step and any(r[0] is None and r[2] for r in e.rets)
        e.jaxpr_eqns = closed.jaxpr.eqns
        # keys the compiled node's backward kernels (never reused, unlike id(e))
        e.serial = next(_SERIALS)
        return e

    # ------------------------------------------------------------ running

    def _run(self, e: _Entry, w: _state.Walk, box: dict | None, fast=None):
        """Run ``e``'s program on the state ``w`` reached and write its results back; ``box``
        is the trace's record on the call that traced (its Python effects already happened)."""
        state = [s.array for s in w.storages]
        gens = w.gens
        # numpy scalars: jit's C++ path takes them without a Python-side device put
        if box is None:
            hp = [np.float64(v) for o, g in w.groups for v in o._hyper(g).values()
                  if not isinstance(v, Tensor)]
        else:  # the traced call may have changed them (a scheduler's step): the entry values
            hp = box["hp"]
        keys = [g._key for g in gens]
        ctrs = [np.int64(g._counter) for g in gens]
        grad_on = e.grad_out and _gm.GRAD_ENABLED[0]
        if grad_on:
            outs = e.run_keep(*state, *hp, *keys, *ctrs)
        else:
            for i in e.written:
                if not _donatable(state[i], 4):
                    state[i] = jnp.array(state[i], copy=True)
            outs = e.run_donate(*state, *hp, *keys, *ctrs)
        it = iter(outs)
        for i in e.written:
            s = w.storages[i]
            s.array = next(it)
            s.version += 1
        new_arrays = [next(it) for _ in range(e.n_new_storages)]
        if box is not None:  # the traced objects are in place: give their storages values
            for st, a in zip(box["new_storages"], new_arrays, strict=True):
                st.array = a
            new = box["new"]
            for t in new:
                t.grad_fn = None
                t.__dict__.pop("_cache", None)
                t.__dict__.pop("_cbase", None)
            for s, _, _ in box["unknown"]:
                s.array = next(it)
                s.version += 1
        else:
            if fast is not None and fast.reuse(new_arrays):
                new = None
            else:
                stores = [Storage(a) for a in new_arrays]
                new = [_rebuild(stores[j], view, dt, rg) for j, view, dt, rg in e.new_layout]
                self._fast = None
            for si, how, v in (e.plan if new is not None else e.plan_fixed):
                c, k, kind, _ = w.slots[si]
                _slot_set(c, k, kind, None if how == "none" else new[v] if how == "new"
                          else w.tensors[v] if how == "old" else v)
            for oi, name, how, v in e.attrs:
                d = w.objects[oi].__dict__
                d[name] = d.get(name, 0) + v if how == "add" else v
        for i, k in e.gen_used:
            gens[i]._counter += k
        if box is not None:
            new = box["new"]
        rets = []
        new_ids = {id(t): j for j, t in enumerate(box["new"])} if box is not None else {}
        for k, (ti, dt, _) in enumerate(e.rets):
            a = next(it)
            if ti is not None:
                rets.append(w.tensors[ti])
            elif new_ids and id(box["leaves"][k]) in new_ids:
                rets.append(new[new_ids[id(box["leaves"][k])]])
            else:
                rets.append(_fresh(a, dt, False))
        if grad_on:
            self._record(e, w, state, hp, keys, ctrs, rets)
        return _unflatten(e.struct, iter(rets))

    def _record(self, e, w, state, hp, keys, ctrs, rets) -> None:
        """One autograd node over the whole program: backward runs jax.vjp of it."""
        owners: list = [None] * len(state)
        where = {id(s): i for i, s in enumerate(w.storages)}
        for t in w.tensors:
            i = where[id(t._storage)]
            if t._view is None and owners[i] is None:
                owners[i] = t
        outs = [t for (ti, _, rg), t in zip(e.rets, rets, strict=True) if ti is None and rg]
        pos = [k for k, (ti, _, rg) in enumerate(e.rets) if ti is None and rg]
        n_rest = len(hp) + len(keys) + len(ctrs)
        first_ret = len(e.written) + e.n_new_storages + e.n_unknown
        pure = e.pure

        def fn(*flat):
            r = pure(*flat)
            return tuple(r[first_ret + k] for k in pos)

        args = tuple(state) + tuple(hp) + tuple(keys) + tuple(ctrs)
        inputs = tuple(owners) + (None,) * n_rest
        _reg._RECORD[0](_COMPILED_OP, ("compiled", e.serial), fn, args, inputs, outs, multi=True)


def _inline_eval(jaxpr, consts, args) -> list:
    """jax.core.eval_jaxpr with every nested jit (one per eager kernel) inlined: XLA then gets
    one flat computation, which compiles about a third faster than ~100 nested ones."""
    env: dict = {}
    for v, a in zip(jaxpr.constvars, consts, strict=True):
        env[v] = a
    for v, a in zip(jaxpr.invars, args, strict=True):
        env[v] = a

    def read(v):
        return v.val if isinstance(v, _Literal) else env[v]

    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        prim = eqn.primitive
        if prim.name in _JIT_PRIMS:
            inner = eqn.params["jaxpr"]
            outs = _inline_eval(inner.jaxpr, inner.consts, ins)
        else:
            outs = prim.bind(*ins, **prim.get_bind_params(eqn.params))
            if not prim.multiple_results:
                outs = [outs]
        for v, o in zip(eqn.outvars, outs, strict=True):
            env[v] = o
    return [read(v) for v in jaxpr.outvars]


_JIT_PRIMS = ("pjit", "jit")
_Literal = jax.extend.core.Literal


def _traced_args(args, kwargs) -> bool:
    for a in args:
        if isinstance(a, Tensor) and isinstance(a._storage.array, Tracer):
            return True
    for a in kwargs.values():
        if isinstance(a, Tensor) and isinstance(a._storage.array, Tracer):
            return True
    return False


def _refs(obj) -> int:
    return sys.getrefcount(obj)


class _Fast:
    """The fast path of a compiled function: the last walk, valid while its guard edges hold.

    Armed after a call that used a cached entry (a fresh walk of the state as the call left
    it); a later call checks the edges and its arguments' metadata instead of walking again.
    Slots that get new tensors each call (``p.grad`` after ``zero_grad()``) reuse last call's
    tensor and storage when nothing but the slot references them (counted once at arming),
    so the guards keep holding; a tensor someone kept gets a fresh successor, as in torch.
    """

    __slots__ = ("fn", "entry", "w", "akey", "n_args", "arg_meta", "arg_slots", "state_sids",
                 "shapes", "grad_on", "reusable", "news", "counts", "guard")

    @staticmethod
    def arm(cf: CompiledFunction, args, kwargs):
        w, key = cf._walk(args, kwargs)
        e = cf._cache.get(key)
        leaves = cf._last_leaves
        if e is None or e.eager or not e.replayable or len({id(t) for t in leaves}) != \
                len(leaves) or len(w.tensors) < len(leaves):
            return None
        f = _Fast()
        f.entry, f.w, f.akey, f.grad_on = e, w, key[0], key[2]
        n_args = len(leaves)
        f.guard = _state.compile_guard(  # the arguments are checked apart, each call
            [ed for ed in w.edges if not any(ed[1] is t for t in w.tensors[:n_args])])
        n = f.n_args = len(leaves)
        arg_sids = {id(t._storage) for t in leaves}
        if len(arg_sids) != n or any(t._grad is not None for t in leaves):
            return None
        for t in w.tensors[n:]:
            if id(t._storage) in arg_sids:
                return None
        for _, _, _, v in w.slots:
            if v is not None and any(v is t for t in leaves):
                return None
        f.arg_meta = [_arg_meta(t) for t in leaves]
        f.arg_slots = [(i, k) for i, (c, _, _, _) in enumerate(w.slots)
                       for k, t in enumerate(leaves) if c is t]
        f.state_sids = set()
        for s in w.storages:
            if id(s) not in arg_sids:
                f.state_sids.add(id(s))
        f.shapes = [(s, s.array.shape) for s in w.storages if id(s) not in arg_sids]
        # slots the program fills with new tensors: the tensors there now, and their refcounts
        f.news = _news(e, w)
        f.reusable = all(x is not None for x in f.news) and \
            len({id(x[0]) for x in f.news}) == len(f.news)
        if f.reusable:
            f.counts = f._counts()
        return f

    def _counts(self) -> list:
        # measured the same way at arming and at each reuse: equal unless someone else kept a
        # reference to the tensor or its storage (e.g. ``g = p.grad`` or ``p.grad.data``)
        return [(_refs(t), _refs(t._storage)) for t, _ in self.news]

    def enter(self, args, kwargs):
        """The walk to run with, if this call reaches exactly the state of the armed one."""
        if _gm.GRAD_ENABLED[0] is not self.grad_on:
            return None
        leaves: list = []
        struct = _flatten((args, kwargs), leaves)
        if len(leaves) != self.n_args or _arg_key(struct) != self.akey:
            return None
        for t, m in zip(leaves, self.arg_meta, strict=True):
            if _arg_meta(t) != m or id(t._storage) in self.state_sids or t._grad is not None:
                return None
        for s, shape in self.shapes:
            if s.array.shape != shape:
                return None
        w = self.w
        if not self.guard():
            return None
        for i, t in enumerate(leaves):
            w.tensors[i] = t
            w.storages[i] = t._storage
        for i, k in self.arg_slots:
            _, key, kind, v = w.slots[i]
            w.slots[i] = (leaves[k], key, kind, v)
        return w

    def reuse(self, arrays) -> bool:
        """Put the new slot values into last call's tensors, when nobody else holds them."""
        if not self.reusable:
            return False
        if self._counts() != self.counts:
            return False
        for t, j in self.news:
            t._storage.array = arrays[j]
        return True


def _news(e: _Entry, w: _state.Walk) -> list:
    """Per slot the program fills with a new tensor: (the tensor there now, its output index),
    or None where that tensor could not take the new value in place."""
    out = []
    for si, how, j in e.plan:
        if how == "new":
            c, k, kind, _ = w.slots[si]
            t = _slot_get(c, k, kind)
            _, view, dt, rg = e.new_layout[j]
            ok = (type(t) is Tensor and t._view is None and view is None and
                  type(t._storage) is Storage and t._dtype is dt and t.grad_fn is None
                  and t._requires_grad == rg)
            out.append((t, j) if ok else None)
    return out


def _arg_meta(t: Tensor) -> tuple:
    a = t._storage.array
    v = t._view
    return (a.shape, a.dtype, t._dtype, t._requires_grad, None if v is None else v.shape)


def _fresh(arr, dt, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, dt)
    t._requires_grad = requires_grad
    return t


def _rebuild(storage: Storage, view, dt, requires_grad: bool) -> Tensor:
    t = object.__new__(Tensor)
    t._storage, t._view, t._dtype = storage, view, dt
    t._requires_grad = requires_grad
    t.grad_fn = None
    return t
