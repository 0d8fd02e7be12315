"""The autograd graph and engine: nodes recorded by the registry, backward by cached jitted vjps.

Each differentiable op call with an input that requires grad records a Node holding the op's
pure JAX function, the arrays it ran on, and an edge per differentiable input.  Backward runs a
cached ``jax.jit`` of ``jax.vjp(fn)`` per (op, static key, differentiable inputs); with
``create_graph=True`` that backward kernel is itself run as a recorded op, so derivatives of
any order work with no extra rules.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import dtypes as _dt
from .._core import registry as _reg
from .._core import views as _views
from .._core.grad_mode import GRAD_ENABLED
from .._core.kernel_cache import register as _bounded
from .._core.tensor import Tensor

_make = Tensor._make

RELEASED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class Node:
    """A grad_fn: the backward of one recorded op call."""

    __slots__ = ("_op", "_key", "_fn", "_args", "_diff", "_edges", "_outs", "_versions",
                 "_released", "_tensor_hooks", "_retain", "_hooks", "_pre_hooks", "metadata",
                 "_seq", "_nodiff", "__weakref__")

    _counter = [0]

    def __init__(self, op, key, fn, args, diff, edges, outs, versions):
        self._op = op
        self._key = key
        self._fn = fn
        self._args = args
        self._diff = diff          # arg positions that receive gradients
        self._edges = edges        # per diff position: (node, output_nr)
        self._outs = outs          # per output: (shape, dtype, differentiable)
        self._versions = versions  # ((storage, version), ...) of saved tensors
        self._released = False
        self._tensor_hooks = None  # output_nr -> [hook]
        self._retain = None        # output_nr -> tensor whose .grad to fill
        self._hooks = None
        self._pre_hooks = None
        self.metadata = {}
        self._nodiff = ()          # arg positions of float tensors that do not require grad
        Node._counter[0] += 1
        self._seq = Node._counter[0]

    def name(self) -> str:
        return self._op.grad_name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def next_functions(self) -> tuple:
        """One (node, output_nr) per differentiable input, (None, 0) where it needs no grad."""
        edges = [(i, e if e is not None else (None, 0))
                 for i, e in zip(self._diff, self._edges, strict=False)]
        edges += [(i, (None, 0)) for i in self._nodiff]
        return tuple(e for _, e in sorted(edges, key=lambda p: p[0]))

    def _full_grads(self, grads_in) -> tuple:
        """grads per next_functions entry (None where no grad flows), for node hooks."""
        pos = sorted(tuple(self._diff) + tuple(self._nodiff))
        by = dict(zip(self._diff, grads_in, strict=False))
        return tuple(by.get(i) for i in pos)

    def _apply(self, grads_out, create_graph: bool):
        return _apply_node(self, grads_out, create_graph)

    def _release(self) -> None:
        self._released = True
        self._args = None

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) after this node ran."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _ListHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) before this node runs; may return replacement grads."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _ListHandle(self._pre_hooks, fn)

    # The backward of this node: cotangents (arrays, one per output) → grads per diff input.
    def _vjp_kernel(self):
        op, key = self._op, self._key
        diff = self._diff
        mask = tuple(m[2] for m in self._outs)
        vkey = (key, diff, mask, isinstance(self._outs, list))
        entry = op.vjps.get(vkey)
        if entry is None:
            fn = self._fn
            multi = isinstance(self._outs, list)

            def bwd(args, cts):
                def f(*d):
                    full = list(args)
                    for i, v in zip(diff, d, strict=False):
                        full[i] = v
                    r = fn(*full)
                    if not multi:
                        return r
                    return tuple(x for x, m in zip(r, mask, strict=False) if m)

                _, vjp = jax.vjp(f, *(args[i] for i in diff))
                # torch's gradients are conjugate Wirtinger derivatives: conj ∘ JAX's vjp ∘ conj
                # (a no-op for real tensors).
                cts = tuple(_conj(c) for c in cts)
                return tuple(_conj(g) for g in vjp(cts[0] if not multi else cts))

            n = len(self._args)

            def bwd_flat(*flat):
                return bwd(flat[:n], flat[n:])

            # (jitted, raw, [per-output input dependencies, computed on first create_graph use])
            entry = op.vjps[vkey] = (jax.jit(bwd_flat), bwd_flat, [None])
        return entry


_NODE_CLASSES: dict = {}


def node_class(grad_name: str, base=None):
    """The Node subclass named as torch names this grad_fn's type (``type(y.grad_fn).__name__``)."""
    cls = _NODE_CLASSES.get((grad_name, base))
    if cls is None:
        cls = _NODE_CLASSES[(grad_name, base)] = type(grad_name.rsplit("::", 1)[-1],
                                                       (base or Node,), {"__slots__": ()})
    return cls


class AccumulateGrad:
    """The edge into a leaf: accumulates into ``variable.grad``."""

    __slots__ = ("variable", "_hooks", "_pre_hooks", "metadata", "__weakref__")

    def __init__(self, variable: Tensor):
        self.variable = variable
        self._hooks = None
        self._pre_hooks = None
        self.metadata = {}

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    next_functions = ()
    register_hook = Node.register_hook
    register_prehook = Node.register_prehook


class _ListHandle:
    def __init__(self, lst, item):
        self.lst, self.item = lst, item

    def remove(self):
        if self.item in self.lst:
            self.lst.remove(self.item)


def _conj(x):
    return jnp.conj(x) if jnp.iscomplexobj(x) else x


def accumulator(t: Tensor) -> AccumulateGrad:
    acc = t.__dict__.get("_accum")
    if acc is None:
        acc = t.__dict__["_accum"] = AccumulateGrad(t)
    return acc


def edge_of(t: Tensor):
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    return (accumulator(t), 0)


def _grad_ok(dt) -> bool:
    return dt.is_floating_point or dt.is_complex


def record(op, key, fn, args, inputs, outs, multi: bool = False) -> None:
    """Registry hook: give ``outs`` a grad_fn for this call."""
    diff, edges, versions, nodiff = [], [], [], None
    saved_in = op.saved in ("in", "both")
    for i, t in enumerate(inputs):
        if t is None:
            continue
        if t._requires_grad:
            diff.append(i)
            edges.append(edge_of(t))
        elif _grad_ok(t._dtype):
            nodiff = (nodiff or ()) + (i,)
        if saved_in:
            versions.append((t._storage, t._storage.version, i))
    if not diff:
        return
    # A list marks an op whose function returns a tuple (even of one element).
    metas = [(o.shape, o._dtype, _grad_ok(o._dtype)) for o in outs]
    cls = _NODE_CLASSES.get((op.grad_name, None)) or node_class(op.grad_name)
    node = cls(op, key, fn, args, tuple(diff), tuple(edges), metas if multi else tuple(metas),
               versions)
    if nodiff:
        node._nodiff = nodiff
    for k, o in enumerate(outs):
        if _grad_ok(o._dtype):
            o._requires_grad = True
            o.grad_fn = node
            if k:
                o._output_nr = k
    if op.saved in ("out", "both"):
        for k, o in enumerate(outs):
            versions.append((o._storage, o._storage.version, -1 - k))


_reg._RECORD[0] = record


# ---------------------------------------------------------------- in-place history


def _copy_slices_op():
    return _reg.Op("copy_slices", "torch::autograd::CopySlices", saved=None)


_COPY_SLICES = _copy_slices_op()
_AS_STRIDED = _reg.Op("as_strided", "AsStridedBackward0", saved=None)


def rebase(self: Tensor, result: Tensor) -> None:
    """An in-place op under autograd: write result into self and move self's history onto it."""
    arr = result._data
    ss = tuple(self.shape)
    if arr.shape != ss:
        arr = jnp.broadcast_to(arr, ss)
    if not GRAD_ENABLED[0] or not (result._requires_grad or self._requires_grad):
        _views.write(self, arr)
        return
    base = self._base if self._view is not None else None
    if base is None:
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        _views.write(self, arr)
        _adopt(self, result)
        return
    if base.grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    # The base's new value is "old base with the view's elements replaced": a differentiable op
    # of (old base, result), recorded so gradients reach both.
    v = self._view
    key = (v.base_shape, v.shape, v.strides)

    def build():
        return lambda b, r, off: _views._scatter(key[0], key[1], key[2], b, r, off)

    if arr.shape != tuple(result.shape):
        from .._ops.shape import expand

        result = expand(result, ss)
    if v.overlapping:
        raise RuntimeError(_views.OVERLAP_MSG)
    node = result.grad_fn
    new_base = _reg.run(_COPY_SLICES, key, build, (base._data, result._data, v.offset),
                        (base, result, None), base._dtype)
    _views.write(base, new_base._data)
    _adopt(base, new_base)
    _refresh(node, base._storage)
    # self now reads through the new base's history.
    chain = v.chain
    new_view = _reg.run(_AS_STRIDED, chain,
                        lambda: (lambda b, *d: _views._apply(chain, b, d)),
                        (base._data,) + tuple(v.dyn), (base,) + (None,) * len(v.dyn), self._dtype)
    self._requires_grad = True
    self.grad_fn = new_view.grad_fn
    self.__dict__.pop("_output_nr", None)


def _adopt(self: Tensor, result: Tensor) -> None:
    """self takes result's grad_fn; versions saved by that node for self's storage are current."""
    node = result.grad_fn
    if node is None:
        return
    self._requires_grad = True
    self.grad_fn = node
    if result._output_nr:
        self._output_nr = result._output_nr
    else:
        self.__dict__.pop("_output_nr", None)
    _refresh(node, self._storage)


def _refresh(node, st) -> None:
    """The node of an in-place op saw its target before the write: that is not a modification."""
    if isinstance(node, Node):
        node._versions = [(s, st.version if s is st else v, w) for s, v, w in node._versions]


_reg._REBASE[0] = rebase


# ---------------------------------------------------------------- engine


def _topo(roots):
    """Nodes reachable from roots, in an order where each node precedes its inputs."""
    order, seen = [], set()
    stack = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if isinstance(node, Node):
            for e in node._edges:
                if e is not None and id(e[0]) not in seen:
                    stack.append((e[0], False))
    order.reverse()
    return order


def _zeros(shape, dt):
    return jnp.zeros(shape, dt.np)


_add_kernels: dict = _bounded({})  # bounded: see _core/kernel_cache.py


def _acc(a, b):
    if a is None:
        return b
    if isinstance(a, Tensor):
        return a + b
    k = _add_kernels.get(None)
    if k is None:
        k = _add_kernels[None] = jax.jit(jnp.add)
    return k(a, b)


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None,
                 capture=None, allow_unused=False):
    """Run the engine from (tensor, grad) roots.

    ``capture`` maps (node id, output_nr) → slot for autograd.grad: those grads are returned
    instead of accumulated into leaves.  With ``inputs`` (backward(inputs=...)) only those
    leaves accumulate.
    """
    buffers: dict = {}
    root_nodes = []
    for t, g in zip(roots, root_grads, strict=False):
        node, nr = edge_of(t)
        key = id(node)
        slot = buffers.setdefault(key, {})
        slot[nr] = _acc(slot.get(nr), g)
        root_nodes.append(node)
    order = _topo(root_nodes)
    accumulate_only = None if inputs is None else {id(edge_of(t)[0]) for t in inputs}
    # With targets (autograd.grad's inputs, backward's inputs) run only the nodes on a path to
    # one of them, as torch does: the others keep their saved tensors.
    run = None
    targets = {k[0] for k in capture} if capture is not None else accumulate_only
    if targets is not None:
        run = set()
        needed = set(targets)
        for node in reversed(order):
            if isinstance(node, Node) and any(e is not None and id(e[0]) in needed
                                              for e in node._edges):
                run.add(id(node))
                needed.add(id(node))
        if len(run) == sum(isinstance(n, Node) for n in order):
            run = None
    if not create_graph and run is None:
        from .fused import try_fused

        res = try_fused(order, [edge_of(t) for t in roots], root_grads, capture or ())
        if res is not None:
            leaf_grads, captured, ran = res
            if capture is None:
                leaves = [n for n in order if type(n) is AccumulateGrad]
                for node, g in zip(leaves, leaf_grads, strict=False):
                    if g is not None and (accumulate_only is None or id(node) in accumulate_only):
                        _accumulate_leaf(node, g, False)
            if not retain_graph:
                for node in ran:
                    if node._op.saved is not None:
                        node._release()
            return captured
    captured: dict = {}
    with _grad_mode(create_graph):
        for node in order:
            slot = buffers.pop(id(node), None)
            if slot is None:
                continue
            if isinstance(node, AccumulateGrad):
                g = slot.get(0)
                if capture is not None:
                    if (id(node), 0) in capture:
                        captured[(id(node), 0)] = g
                    continue
                if accumulate_only is not None and id(node) not in accumulate_only:
                    continue
                _accumulate_leaf(node, g, create_graph)
                continue
            if run is not None and id(node) not in run:
                _node_outputs(node, slot, capture, captured, create_graph)
                continue
            if node._released:
                raise RuntimeError(RELEASED_MSG)
            grads_out = _node_outputs(node, slot, capture, captured, create_graph)
            if grads_out is None:
                continue
            grads_in = node._apply(grads_out, create_graph)
            if node._hooks:
                gi = tuple(_as_tensors(node._full_grads(grads_in)))
                go = tuple(_as_tensors(grads_out, node._outs))
                for h in node._hooks:
                    h(gi, go)
            if not retain_graph and node._op.saved is not None:
                node._release()
            for e, g in zip(node._edges, grads_in, strict=False):
                if e is None or g is None:
                    continue
                nslot = buffers.setdefault(id(e[0]), {})
                nslot[e[1]] = _acc(nslot.get(e[1]), g)
    return captured


def _node_outputs(node: Node, slot, capture, captured, create_graph):
    grads = []
    for nr, (_shape, dt, _ok) in enumerate(node._outs):
        g = slot.get(nr)
        if node._tensor_hooks and nr in node._tensor_hooks and g is not None:
            for h in list(node._tensor_hooks[nr]):
                gt = g if isinstance(g, Tensor) else _make(g, dt)
                r = h(gt)
                if r is not None:
                    g = r if create_graph else r._data
        if node._retain and nr in node._retain and g is not None:
            t = node._retain[nr]()
            if t is not None:
                gt = g if isinstance(g, Tensor) else _make(g, dt)
                t._grad = gt if t._grad is None else t._grad + gt
        if capture is not None and (id(node), nr) in capture:
            captured[(id(node), nr)] = g
        grads.append(g)
    if node._pre_hooks:
        for h in node._pre_hooks:
            r = h(tuple(_as_tensors(grads, node._outs)))
            if r is not None:
                grads = [g if g is None or create_graph else g._data for g in r]
    if all(g is None for g in grads):
        return None
    return grads


def _as_tensors(grads, metas=None):
    """Grads (arrays, Tensors or None) as Tensors, for hooks."""
    return [g if g is None or isinstance(g, Tensor) else
            _make(g, metas[k][1] if metas else _dt.from_np(g.dtype)) for k, g in enumerate(grads)]


def _check_versions(node: Node):
    for st, v, what in node._versions:
        if st.version != v:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {_describe_saved(node, what)} is at version {st.version}; "
                f"expected version {v} instead. Hint: enable anomaly detection to find the "
                f"operation that failed to compute its gradient, with "
                f"torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _describe_saved(node: Node, what) -> str:
    """torch's "[torch.FloatTensor [2]], which is output 0 of Sigmoid," for a saved tensor.

    ``what``: an arg position of the node's op, ``-1 - k`` for its output k, or
    (dtype, shape, grad_fn, output_nr) for a custom Function's saved tensor.
    """
    from .._ops.convert import _NAME_OF

    if isinstance(what, tuple):
        dt, shape, fn, nr = what
    elif what >= 0:
        arr = node._args[what]
        dt, shape = _dt.from_np(arr.dtype), arr.shape
        fn, nr = node._edges[node._diff.index(what)] if what in node._diff else (None, 0)
    else:
        shape, dt, _ = node._outs[-1 - what]
        fn, nr = node, -1 - what
    s = f"[{_NAME_OF.get(dt, dt)} {list(shape)}]"
    if fn is None or isinstance(fn, AccumulateGrad):
        return s
    name = fn.name()
    name = name[:name.rindex("Backward")] if "Backward" in name else name
    return f"{s}, which is output {nr} of {name},"


def _apply_node(node: Node, grads_out, create_graph: bool):
    _check_versions(node)
    cts = []
    for g, (shape, dt, ok) in zip(grads_out, node._outs, strict=False):
        if not ok:
            continue
        if g is None:
            g = _zeros(shape, dt)
        cts.append(g)
    entry = node._vjp_kernel()
    if not create_graph:
        cts = [c._data if isinstance(c, Tensor) else c for c in cts]
        return entry[0](*node._args, *cts)
    # Differentiable backward: the vjp kernel runs as a recorded op whose inputs are the
    # primals (carrying their original edges) and the cotangents.
    prim = []
    for i, a in enumerate(node._args):
        if i in node._diff:
            e = node._edges[node._diff.index(i)]
            t = _make(a)
            t._requires_grad = True
            t.grad_fn = e[0]
            if e[1]:
                t._output_nr = e[1]
            prim.append(t)
        else:
            prim.append(None)
    ct_t = [c if isinstance(c, Tensor) else _make(c) for c in cts]
    op = _backward_op(node._op)
    dts = tuple(_dt.from_np(node._args[i].dtype) for i in node._diff)
    key = ("bwd", node._key, node._diff, tuple(m[2] for m in node._outs))
    args = tuple(node._args) + tuple(c._data for c in ct_t)
    # As in torch, a grad that does not depend on anything requiring grad is a constant
    # (e.g. d(2x)/dx): only the kernel inputs that reach some output get edges.
    deps = entry[2][0]
    if deps is None:
        deps = entry[2][0] = _dependencies(entry[1], args)
    used = frozenset().union(*deps)
    ins = tuple(t if k in used else None for k, t in enumerate(prim + ct_t))
    outs = _reg.run(op, key, lambda: entry[1], args, ins, dts, multi=True)
    live = {k for k, t in enumerate(ins) if t is not None and t._requires_grad}
    return [o if deps[j] & live else _make(o._data, o._dtype) for j, o in enumerate(outs)]


def _dependencies(fn, args) -> tuple:
    """Per output of ``fn``, the positions of the args it depends on (traced once, cached)."""
    from jax.extend.core import Literal

    jaxpr = jax.make_jaxpr(fn)(*args).jaxpr
    # invars are the flattened leaves: None args (e.g. an absent bias) have none
    pos = [i for i, a in enumerate(args) for _ in jax.tree_util.tree_leaves(a)]
    dep = {v: frozenset((pos[j],)) for j, v in enumerate(jaxpr.invars)}
    empty = frozenset()
    for eqn in jaxpr.eqns:
        d = empty.union(*(dep.get(v, empty) for v in eqn.invars if not isinstance(v, Literal)))
        for o in eqn.outvars:
            dep[o] = d
    return tuple(empty if isinstance(v, Literal) else dep.get(v, empty) for v in jaxpr.outvars)


_BWD_OPS: dict = {}


def _backward_op(op):
    b = _BWD_OPS.get(op)
    if b is None:
        b = _BWD_OPS[op] = _reg.Op(op.name + "_backward", op.grad_name + "Backward", saved="in")
    return b


_CYCLE_WARNED = [False]


def _accumulate_leaf(acc: AccumulateGrad, g, create_graph: bool):
    t = acc.variable
    if create_graph and not _CYCLE_WARNED[0]:
        import warnings

        _CYCLE_WARNED[0] = True
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, "
            "make sure to reset the .grad fields of your parameters to None after use to break the "
            "cycle and avoid the leak.", UserWarning, stacklevel=5)
    gt = g if isinstance(g, Tensor) else _make(g, t._dtype)
    if gt._dtype is not t._dtype:
        gt = gt.to(t._dtype)
    if acc._pre_hooks:
        for h in acc._pre_hooks:
            r = h((gt,))
            if r is not None:
                gt = r[0]
    if t._hooks:
        for h in list(t._hooks.values()):
            r = h(gt)
            if r is not None:
                gt = r
    if not create_graph:
        gt = _make(gt._data, gt._dtype)  # a fresh box: later in-place accumulation aliases nothing
    if t._grad is None:
        t._grad = gt
    elif create_graph or t._grad._requires_grad:
        t._grad = t._grad + gt
    else:
        _views.write(t._grad, _acc(t._grad._data, gt._data))
    if t._post_accumulate_hooks:
        for h in list(t._post_accumulate_hooks.values()):
            h(t)
    if acc._hooks:
        for h in acc._hooks:
            h((), (gt,))


class _grad_mode:
    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.prev = GRAD_ENABLED[0]
        GRAD_ENABLED[0] = self.mode

    def __exit__(self, *exc):
        GRAD_ENABLED[0] = self.prev
