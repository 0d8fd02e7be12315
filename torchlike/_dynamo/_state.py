"""What a compiled call reaches: the tensors, slots, generators and optimizer scalars it reads.

``walk(roots)`` visits the call's arguments, the function's closure and the globals its code
names, and, through them, Modules (parameters, buffers, submodules, plain tensor attributes),
Optimizers (parameter groups and state), schedulers, Generators, containers, dataclasses and
plain user objects.  Every storage it finds becomes an input of the compiled program; every
*slot* (a place holding a tensor or None: ``p.grad``, ``module._buffers['x']``,
``optimizer.state[p]['exp_avg']``) is remembered so the program's results can be put back
where the traced code put them.  The signature it builds keys the compiled-program cache.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import types

from .._core.storage import Storage
from .._core.tensor import Tensor

ITEM, GRAD = 0, 1  # slot kinds: container[key], tensor._grad

# Objects of these modules are never walked into (their state is not the user's).
# (torchlike's own functions and helper objects hold no user state; Modules, Optimizers,
# schedulers and Generators have rules of their own, whatever module defines them.)
_OPAQUE = ("builtins", "jax", "jaxlib", "numpy", "functools", "typing", "collections", "abc",
           "torchlike", "optax", "flax")
_MAX_DEPTH = 6
_SCALARS = (bool, int, float, complex, str, type(None))


def _opaque(mod: str | None) -> bool:
    if not mod:
        return True
    return mod.startswith(_OPAQUE) or mod in sys.stdlib_module_names


# Guard edges: (kind, a, b, expected), re-read by ``check`` to tell cheaply that a later call
# would walk the same state (the fast path of a compiled call).
E_GET, E_ATTR, E_LEN, E_ITEM, E_CELL, E_CALL = range(6)
_MISSING = object()


def compile_guard(edges: list):
    """One Python function that is True while every edge still reads its expected value
    (identity; E_CALL by equality): generated code, so a guard of a few hundred edges costs a
    few microseconds."""
    consts: dict = {"_M": _MISSING}
    terms = []

    def c(v) -> str:
        name = f"c{len(consts)}"
        consts[name] = v
        return name

    for kind, a, b, exp in edges:
        if kind == E_GET:
            terms.append(f"{c(a)}.get({c(b)}, _M) is {c(exp)}")
        elif kind == E_ATTR:
            terms.append(f"{c(a)}.{b} is {c(exp)}")  # every E_ATTR name exists on its object
        elif kind == E_LEN:
            terms.append(f"len({c(a)}) == {exp}")
        elif kind == E_ITEM:
            terms.append(f"{c(a)}[{b}] is {c(exp)}")
        elif kind == E_CELL:
            terms.append(f"{c(a)}.cell_contents is {c(exp)}")
        else:
            terms.append(f"{c(a)}({c(b)}) == {c(exp)}")
    src = "def guard():\n    return (" + "\n            and ".join(terms or ["True"]) + ")\n"
    exec(compile(src, "<torchlike.compile guard>", "exec"), consts)  # noqa: S102
    return consts["guard"]


class Walk:
    """The state one call reaches (see the module doc)."""

    __slots__ = ("storages", "sindex", "tensors", "tindex", "slots", "containers", "sig",
                 "gens", "groups", "objects", "seen", "edges", "slot_edges")

    def __init__(self):
        self.storages: list[Storage] = []
        self.sindex: dict[int, int] = {}
        self.tensors: list[Tensor] = []
        self.tindex: dict[int, int] = {}
        self.slots: list = []           # (container, key, kind, value)
        self.slot_edges: list = []      # per slot: its edge's index in ``edges``
        self.containers: dict[int, object] = {}
        self.sig: list = []
        self.gens: list = []
        self.groups: list = []          # (optimizer, group) of fused optimizers
        self.objects: list = []         # objects whose __dict__ a trace may change
        self.seen: set[int] = set()
        self.edges: list = []

    # ------------------------------------------------------------ visiting

    def tensor(self, t: Tensor) -> int:
        i = self.tindex.get(id(t))
        if i is not None:
            return i
        s = t._storage
        si = self.sindex.get(id(s))
        if si is None:
            si = self.sindex[id(s)] = len(self.storages)
            self.storages.append(s)
            a = s.array
            self.sig.append((a.shape, a.dtype))
        i = self.tindex[id(t)] = len(self.tensors)
        self.tensors.append(t)
        v = t._view
        self.sig.append((si, t._dtype, t._requires_grad, None if v is None else v.shape))
        e = self.edges
        e.append((E_ATTR, t, "_storage", s))
        e.append((E_ATTR, t, "_view", v))
        e.append((E_ATTR, t, "_requires_grad", t._requires_grad))
        e.append((E_ATTR, t, "_dtype", t._dtype))
        self.slot(t, "grad", GRAD, t._grad)
        return i

    def slot(self, container, key, kind: int, value) -> None:
        self.containers[id(container)] = container
        self.slot_edges.append(len(self.edges))
        self.edges.append((E_ATTR, container, "_grad", value) if kind == GRAD
                          else (E_GET, container, key, value))
        self.slots.append((container, key, kind, value))
        if value is None:
            self.sig.append(None)
        else:
            self.sig.append(self.tensor(value))

    def items(self, d: dict) -> None:
        """A dict of tensors (parameters, buffers, optimizer state): every entry is a slot."""
        self.containers[id(d)] = d
        self.edges.append((E_LEN, d, None, len(d)))
        for k, v in d.items():
            if v is None or isinstance(v, Tensor):
                self.slot(d, k, ITEM, v)
            else:
                self.edges.append((E_GET, d, k, v))
                self.sig.append((k, _static(v)))

    def attr(self, obj, name: str):
        """obj.name, remembered as a guard edge."""
        v = obj.__dict__[name]
        self.edges.append((E_GET, obj.__dict__, name, v))
        return v

    def visit(self, obj, depth: int = 0) -> None:
        if isinstance(obj, Tensor):
            self.tensor(obj)
            return
        if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
            return
        if depth > _MAX_DEPTH or id(obj) in self.seen:
            return
        self.seen.add(id(obj))
        d = depth + 1
        e = self.edges
        if isinstance(obj, (list, tuple)):
            if isinstance(obj, list):
                e.append((E_LEN, obj, None, len(obj)))
                e.extend((E_ITEM, obj, i, x) for i, x in enumerate(obj))
            for x in obj:
                self.visit(x, d)
            return
        if isinstance(obj, dict):
            e.append((E_LEN, obj, None, len(obj)))
            for k, x in obj.items():
                e.append((E_GET, obj, k, x))
                self.visit(x, d)
            return
        if isinstance(obj, types.FunctionType):
            self.function(obj, d)
            return
        if isinstance(obj, types.MethodType):
            self.visit(obj.__self__, d)
            self.function(obj.__func__, d)
            return
        rule = _RULES.get(type(obj))
        if rule is None:
            rule = _rule_for(type(obj))
        if rule is not None:
            rule(self, obj, d)

    def function(self, fn, depth: int) -> None:
        if _opaque(getattr(fn, "__module__", None)):
            return
        e = self.edges
        e.append((E_ATTR, fn, "__defaults__", fn.__defaults__))
        for v in fn.__defaults__ or ():
            self.visit(v, depth)
        kwd = fn.__kwdefaults__
        e.append((E_ATTR, fn, "__kwdefaults__", kwd))
        if kwd:
            self.visit(kwd, depth)
        for cell in fn.__closure__ or ():
            try:
                v = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            e.append((E_CELL, cell, None, v))
            self.visit(v, depth)
        g = fn.__globals__
        for name in _names(fn.__code__):
            if name in g:
                v = g[name]
                if not isinstance(v, types.ModuleType):
                    e.append((E_GET, g, name, v))
                    self.visit(v, depth)
                    if isinstance(v, (bool, int, float, str)):
                        self.sig.append((name, v))

    def add_generator(self, g) -> None:
        if g not in self.gens:
            self.gens.append(g)

    # ------------------------------------------------------------ snapshots

    def snapshot(self) -> list:
        """Shallow copies of every container and object __dict__ a trace may change."""
        snap = []
        for c in self.containers.values():
            if isinstance(c, dict):
                snap.append((c, dict(c)))
            elif isinstance(c, list):
                snap.append((c, list(c)))
            elif hasattr(c, "__dict__"):
                snap.append((c.__dict__, dict(c.__dict__)))
        for o in self.objects:
            snap.append((o.__dict__, dict(o.__dict__)))
        return snap


def restore(snap: list) -> None:
    for live, copy in snap:
        if isinstance(live, list):
            live[:] = copy
        else:
            live.clear()
            live.update(copy)


def _static(v):
    """A hashable stand-in for a non-tensor value in a signature."""
    try:
        hash(v)
        return v
    except TypeError:
        if isinstance(v, (list, tuple)):
            return tuple(_static(x) for x in v)
        return type(v).__name__


_NAMES: dict = {}


def _names(code) -> tuple:
    """Global names a code object (and the functions nested in it) may read."""
    r = _NAMES.get(code)
    if r is None:
        out = list(code.co_names)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                out.extend(_names(c))
        r = _NAMES[code] = tuple(dict.fromkeys(out))
    return r


# ---------------------------------------------------------------- rules per kind of object


def _module(w: Walk, m, depth: int) -> None:
    w.sig.append(("M", type(m), w.attr(m, "training")))
    w.objects.append(m)
    w.edges.append((E_LEN, m.__dict__, None, len(m.__dict__)))
    for k, v in m.__dict__.items():  # hyperparameters the traced code may branch on (p, eps..)
        if k[:1] != "_" and k != "training" and isinstance(v, _SCALARS):
            w.edges.append((E_GET, m.__dict__, k, v))
            w.sig.append((k, v))
    w.items(w.attr(m, "_parameters"))
    w.items(w.attr(m, "_buffers"))
    for k, v in m.__dict__.items():
        if isinstance(v, Tensor):
            w.slot(m.__dict__, k, ITEM, v)
    mods = w.attr(m, "_modules")
    w.edges.append((E_LEN, mods, None, len(mods)))
    for k, sub in mods.items():
        w.edges.append((E_GET, mods, k, sub))
        if sub is not None:
            w.visit(sub, depth)
    # forward (and helpers) may read globals: a user's module class is walked like a function
    fwd = type(m).forward
    if isinstance(fwd, types.FunctionType):
        w.function(fwd, depth)


def _hyper_sig(opt, g) -> tuple:
    return tuple((k, type(v)) for k, v in opt._hyper(g).items())


def _optimizer(w: Walk, opt, depth: int) -> None:
    from ..optim.optimizer import _FusedOptimizer

    w.objects.append(opt)
    groups = w.attr(opt, "param_groups")
    w.containers[id(groups)] = groups
    e = w.edges
    e.append((E_LEN, groups, None, len(groups)))
    fused = isinstance(opt, _FusedOptimizer)
    for i, g in enumerate(groups):
        e.append((E_ITEM, groups, i, g))
        w.containers[id(g)] = g
        ps = g["params"]
        e.append((E_GET, g, "params", ps))
        e.append((E_LEN, ps, None, len(ps)))
        for j, p in enumerate(ps):
            e.append((E_ITEM, ps, j, p))
            w.tensor(p)
        if fused:
            w.groups.append((opt, g))
            st = opt._static(g)
            e.append((E_CALL, opt._static, g, st))
            hs = _hyper_sig(opt, g)
            e.append((E_CALL, functools.partial(_hyper_sig, opt), g, hs))
            w.sig.append((st, hs))
            for v in opt._hyper(g).values():
                if isinstance(v, Tensor):
                    w.sig.append(w.tensor(v))
        else:
            for k, v in g.items():
                if k != "params":
                    e.append((E_GET, g, k, v))
                    w.visit(v, depth) if isinstance(v, Tensor) else w.sig.append((k, _static(v)))
    st = w.attr(opt, "state")
    w.containers[id(st)] = st
    e.append((E_LEN, st, None, len(st)))
    for p, s in st.items():
        e.append((E_GET, st, p, s))
        w.sig.append(w.tensor(p) if isinstance(p, Tensor) else _static(p))
        if isinstance(s, dict):
            w.items(s)


def _generator(w: Walk, g, depth: int) -> None:
    w.add_generator(g)


def _scheduler(w: Walk, s, depth: int) -> None:
    w.objects.append(s)
    w.visit(w.attr(s, "optimizer"), depth)


def _plain(w: Walk, obj, depth: int) -> None:
    if dataclasses.is_dataclass(obj) or not _opaque(type(obj).__module__):
        d = getattr(obj, "__dict__", None)
        if d is not None:
            w.objects.append(obj)
            w.edges.append((E_LEN, d, None, len(d)))
            for k, v in d.items():
                if not isinstance(v, (bool, int, float, complex, str, bytes, type(None))):
                    w.edges.append((E_GET, d, k, v))
                    w.visit(v, depth)


_RULES: dict = {}


def _rule_for(cls):
    from ..nn.modules.module import Module
    from ..optim.lr_scheduler import LRScheduler
    from ..optim.optimizer import Optimizer
    from ..random import Generator

    rule = _plain
    for base, r in ((Module, _module), (Optimizer, _optimizer), (Generator, _generator),
                    (LRScheduler, _scheduler)):
        if issubclass(cls, base):
            rule = r
            break
    _RULES[cls] = rule
    return rule
