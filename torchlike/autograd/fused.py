"""Whole-graph backward: run a repeated graph's backward pass as one cached jitted program.

A training loop rebuilds the same graph every step.  Per node, the engine pays a jitted vjp
call (~5-15 µs) plus Python bookkeeping; XLA can do the whole backward in one call and fuse
across nodes.  The graph's structure (ops, static keys, edges, output metadata) is the cache
key; the nodes' saved arrays and the root gradients are the arguments.  A structure is
compiled on its second sighting, so one-off graphs never pay a whole-graph compile; a graph
already seen at other shapes (a training loop whose batch size changes) is compiled at its
first sighting, saving the per-node backward kernels it would otherwise compile.  Graphs
with hooks, retain_grad, custom Functions or create_graph take the per-node path.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core.kernel_cache import register as _bounded
from .graph import AccumulateGrad, Node, _check_versions

_seen: dict = {}      # signature -> sightings
# signature -> jitted program; bounded by _core/kernel_cache.py
_compiled: dict = _bounded({})
_MAX = 512


def _add(a, b):
    return b if a is None else a + b


def _program(nodes, roots, captures, vjps):
    """The traced backward: ``nodes`` is the signature's per-node part."""

    def run(all_args, root_grads):
        buffers: dict = {}
        for (i, nr), g in zip(roots, root_grads, strict=False):
            slot = buffers.setdefault(i, {})
            slot[nr] = _add(slot.get(nr), g)
        leaf_grads, captured = [], {}
        k = 0
        for i, entry in enumerate(nodes):
            slot = buffers.pop(i, None)
            for nr in captures.get(i, ()):
                captured[(i, nr)] = None if slot is None else slot.get(nr)
            if entry is None:  # a leaf
                leaf_grads.append(None if slot is None else slot.get(0))
                continue
            args = all_args[k]
            fn = vjps[k]
            k += 1
            if slot is None:
                continue
            _op, _key, _diff, outs, edges, _multi = entry
            cts = []
            for nr, (shape, dt, ok) in enumerate(outs):
                if ok:
                    g = slot.get(nr)
                    cts.append(jnp.zeros(shape, dt.np) if g is None else g)
            grads = fn(*args, *cts)
            for (ti, tnr), g in zip(edges, grads, strict=False):
                tslot = buffers.setdefault(ti, {})
                tslot[tnr] = _add(tslot.get(tnr), g)
        return leaf_grads, [captured[(i, nr)] for i in sorted(captures) for nr in captures[i]]

    return run


def try_fused(order, root_edges, root_grads, capture_keys):
    """Run the backward of ``order`` in one program, or return None to use the per-node path.

    ``capture_keys`` are (node id, output_nr) pairs.  Returns (leaf grads aligned with the
    AccumulateGrad nodes of ``order``, {capture key: grad}, the nodes that ran).
    """
    index = {id(n): i for i, n in enumerate(order)}
    nodes, all_args, live = [], [], []
    for node in order:
        if type(node) is AccumulateGrad:
            t = node.variable
            if node._hooks or node._pre_hooks or t._hooks or t._post_accumulate_hooks:
                return None
            nodes.append(None)
            continue
        if (not isinstance(node, Node) or node._fn is None or node._released
                or node._tensor_hooks or node._retain or node._pre_hooks or node._hooks):
            return None
        outs = node._outs
        edges = tuple((index[id(e[0])], e[1]) for e in node._edges)
        nodes.append((node._op, node._key, node._diff, tuple(outs), edges, isinstance(outs, list)))
        all_args.append(node._args)
        live.append(node)
    roots = tuple((index[id(n)], nr) for n, nr in root_edges)
    captures: dict = {}
    for nid, nr in capture_keys:
        if nid not in index:
            return None
        captures.setdefault(index[nid], []).append(nr)
    sig = (tuple(nodes), roots, tuple((i, tuple(v)) for i, v in captures.items()))
    entry = _compiled.get(sig)
    if entry is None:
        # sightings are counted per structure without shapes
        loose = (tuple(None if n is None else (n[0], n[2], tuple(o[1:] for o in n[3]), n[4],
                                               n[5]) for n in sig[0]),) + sig[1:]
        n = _seen.get(loose, 0) + 1
        if len(_seen) > 4 * _MAX:
            _seen.clear()
        _seen[loose] = n
        if n < 2:
            return None
        if len(_compiled) > _MAX:
            _compiled.clear()
        vjps = tuple(node._vjp_kernel()[1] for node in live)
        entry = _compiled[sig] = jax.jit(_program(sig[0], roots, captures, vjps))
    for node in live:
        _check_versions(node)
    leaf_grads, captured = entry(tuple(all_args), tuple(root_grads))
    keys = [(id(order[i]), nr) for i in sorted(captures) for nr in captures[i]]
    return leaf_grads, dict(zip(keys, captured, strict=False)), live
