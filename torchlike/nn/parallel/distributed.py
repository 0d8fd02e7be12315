"""torch.nn.parallel.DistributedDataParallel on torchlike.distributed's process group.

Each process runs the module on its share of the batch.  At construction the parameters and
buffers of rank 0 are broadcast; after ``backward()`` every parameter's gradient is averaged
over the ranks in one collective per dtype (one bucket): the last parameter whose gradient is
accumulated triggers it, through post-accumulate-grad hooks.
"""

from __future__ import annotations

import contextlib
from typing import Any

import jax.numpy as jnp

from ... import distributed as dist
from ..._core import views as _views
from ..._core.grad_mode import is_grad_enabled
from ..._core.tensor import Tensor
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


def _flat_broadcast(tensors: list, pg, src: int = 0) -> None:
    """Broadcast ``tensors`` from ``src`` in one collective per dtype, writing them in place."""
    by_dtype: dict = {}
    for t in tensors:
        by_dtype.setdefault(t._dtype, []).append(t)
    for dt, ts in by_dtype.items():
        flat = Tensor._make(jnp.concatenate([t._data.ravel() for t in ts]), dt)
        dist.broadcast(flat, src, pg)
        _unflatten(flat._data, ts)


def _unflatten(flat, tensors: list) -> None:
    pos = 0
    for t in tensors:
        n = t.numel()
        _views.write(t, flat[pos:pos + n].reshape(tuple(t.shape)))
        pos += n


def _reachable_params(outputs) -> set:
    """ids of the leaf tensors reachable from the grad_fns of ``outputs`` (find_unused)."""
    from ...autograd.graph import AccumulateGrad

    seen, found, stack = set(), set(), []
    for o in outputs:
        if isinstance(o, Tensor) and o.grad_fn is not None:
            stack.append(o.grad_fn)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            found.add(id(node.variable))
            continue
        for e in getattr(node, "_edges", ()):
            if e is not None:
                stack.append(e[0])
    return found


def _tensors_in(obj) -> list:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors_in(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors_in(o)]
    return []


class DistributedDataParallel(Module):
    """torch.nn.parallel.DistributedDataParallel: gradients averaged over the process group."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params: bool = False):
        super().__init__()
        if device_mesh is not None:
            raise NotImplementedError("DistributedDataParallel(device_mesh=...): pass "
                                      "process_group or use the default group")
        if mixed_precision is not None:
            raise NotImplementedError("DistributedDataParallel(mixed_precision=...) is not "
                                      "supported")
        self.process_group = dist.distributed_c10d._pg(process_group)
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._params = params
        self._pending: set = set()
        self._armed = False
        if init_sync:
            _flat_broadcast([p.data for p in module.parameters()]
                            + [b for b in module.buffers()], self.process_group)
        self._handles = [p.register_post_accumulate_grad_hook(self._grad_ready)
                         for p in params]

    def _grad_ready(self, p: Tensor) -> None:
        if not self._armed:
            return
        self._pending.discard(id(p))
        if not self._pending:
            self._armed = False
            self._all_reduce_grads()

    def _all_reduce_grads(self) -> None:
        """Average every parameter's .grad over the ranks: one all_reduce per dtype."""
        pg = self.process_group
        n = pg.size()
        by_dtype: dict = {}
        for p in self._params:
            by_dtype.setdefault(p._dtype, []).append(p)
        for dt, ps in by_dtype.items():
            parts = [p.grad._data.ravel() if p.grad is not None
                     else jnp.zeros((p.numel(),), dt.np) for p in ps]
            flat = Tensor._make(jnp.concatenate(parts), dt)
            dist.all_reduce(flat, dist.ReduceOp.SUM, pg)
            avg = flat._data / n
            pos = 0
            for p in ps:
                k = p.numel()
                g = avg[pos:pos + k].reshape(tuple(p.shape))
                pos += k
                if p.grad is None:
                    p.grad = Tensor._make(g.astype(dt.np), dt)
                else:
                    _views.write(p.grad, g)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._armed and self._pending and not self.find_unused_parameters:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`.")
        if self.broadcast_buffers and self.require_forward_param_sync:
            bufs = list(self.module.buffers())
            if bufs and self.process_group.size() > 1:
                _flat_broadcast(bufs, self.process_group)
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self._armed = True
            if self.find_unused_parameters:
                used = _reachable_params(_tensors_in(out))
                self._pending = {id(p) for p in self._params if id(p) in used}
                if not self._pending:  # nothing reached: reduce now, as torch marks all ready
                    self._armed = False
                    self._all_reduce_grads()
            else:
                self._pending = {id(p) for p in self._params}
        else:
            self._armed = False
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """torch's DDP.no_sync: gradients accumulate locally until the next synced backward."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def register_comm_hook(self, state, hook) -> None:
        raise NotImplementedError("DistributedDataParallel.register_comm_hook is not supported")

    def join(self, *args, **kwargs):
        raise NotImplementedError("DistributedDataParallel.join (uneven inputs) is not "
                                  "supported")
