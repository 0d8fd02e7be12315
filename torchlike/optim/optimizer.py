"""torch.optim.Optimizer and the fused (foreach-style) update machinery of the built-in ones.

Every built-in optimizer updates all parameters of a param group in one cached ``jax.jit``
kernel: the group's parameter, gradient and state arrays go in as a pytree, the per-parameter
update (a transcription of torch's ``_single_tensor_*`` function) is unrolled inside the
kernel, and the results are written back into the tensors' storages in place.  Options that
change the computation's structure (``amsgrad``, ``nesterov``, ``weight_decay != 0``, ...) key
the kernel cache; hyperparameters a scheduler may change between steps (``lr``, betas, eps,
...) are traced float64 arguments, so changing them never recompiles.

Scalar arithmetic that torch does in Python doubles (bias corrections, step sizes) is done in
float64 inside the kernel and cast to the parameter's dtype where torch passes the scalar to a
tensor op, so the numbers match torch's.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from copy import deepcopy
from itertools import chain
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from .._core import views as _views
from .._core.grad_mode import enable_grad
from .._core.kernel_cache import register as _bounded
from .._core.tensor import Tensor, _HookHandle

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(x) -> str:
    if isinstance(x, Tensor):
        return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor",
                           "int64": "LongTensor"}.get(x.dtype.name if hasattr(x.dtype, "name")
                                                      else "", "Tensor")
    t = type(x)
    return t.__qualname__ if t.__module__ in ("builtins", "__builtin__") else \
        f"{t.__module__}.{t.__qualname__}"


def _scalar_tensor(value: float) -> Tensor:
    """A 0-dim float32 tensor (torch keeps ``step``, ``eta``, ``mu`` ... as float32 scalars)."""
    return Tensor._make(jnp.asarray(value, dtype=jnp.float32))


_global_step_pre_hooks: OrderedDict = OrderedDict()
_global_step_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> _HookHandle:
    """torch.optim.optimizer.register_optimizer_step_pre_hook (every optimizer)."""
    h = _HookHandle(_global_step_pre_hooks)
    _global_step_pre_hooks[h.id] = hook
    return h


def register_optimizer_step_post_hook(hook: Callable) -> _HookHandle:
    """torch.optim.optimizer.register_optimizer_step_post_hook (every optimizer)."""
    h = _HookHandle(_global_step_post_hooks)
    _global_step_post_hooks[h.id] = hook
    return h


def _with_hooks(step):
    """``step`` running the global and per-optimizer step hooks around it (torch's order:
    global pre-hooks first, global post-hooks last); a pre-hook may replace the arguments."""
    @functools.wraps(step)
    def hooked_step(self, *args, **kwargs):
        pre = chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values())
        for hook in pre:
            replaced = hook(self, args, kwargs)
            if replaced is None:
                continue
            if not (isinstance(replaced, tuple) and len(replaced) == 2):
                raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                   f"new_kwargs), but got {replaced}.")
            args, kwargs = replaced
        out = step(self, *args, **kwargs)
        self._opt_called = True  # read by lr_scheduler's step-order warning
        post = chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values())
        for hook in post:
            hook(self, args, kwargs)
        return out

    hooked_step._hooked = True
    return hooked_step


def _fold_hooks(hooks: OrderedDict, value, *args):
    """Run ``hook(*args, value)`` in order; a hook returning non-None replaces ``value``."""
    for hook in hooks.values():
        changed = hook(*args, value)
        if changed is not None:
            value = changed
    return value


class Optimizer:
    """torch.optim.Optimizer: param groups, per-parameter state, state_dict in torch's layout."""

    param_groups: list[dict[str, Any]]

    def __init_subclass__(cls, **kwargs):
        # every subclass's own step runs the step hooks
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("step")
        if own is not None and not getattr(own, "_hooked", False):
            cls.step = _with_hooks(own)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups = []
        given = list(params)
        if not given:
            raise ValueError("optimizer got an empty parameter list")
        # a plain iterable of tensors is one group
        for spec in given if isinstance(given[0], dict) else [{"params": given}]:
            self.add_param_group(spec)

    # ------------------------------------------------------------ pickling and repr

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        # Groups saved by older versions lack newer options: fill them from the defaults.
        optional = {k: v for k, v in self.defaults.items() if v is not required}
        for g in self.param_groups:
            for k, v in optional.items():
                g.setdefault(k, v)
        for p_state in self.state.values():
            if isinstance(p_state, dict) and "step" in p_state and \
                    not isinstance(p_state["step"], Tensor) and self._tensor_step:
                p_state["step"] = _scalar_tensor(float(p_state["step"]))

    _tensor_step = True

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, g in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {k}: {g[k]}\n" for k in sorted(g) if k != "params")
        return text + ")"

    # ------------------------------------------------------------ groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """torch.optim.Optimizer.add_param_group."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        spec = param_group
        given = spec["params"]
        if isinstance(given, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use "
                            "a list instead.")
        entries = [given] if isinstance(given, Tensor) else list(given)
        # entries may be (name, tensor) pairs, as from named_parameters()
        named = [e for e in entries if isinstance(e, tuple)]
        spec["params"] = tensors = [e[1] if isinstance(e, tuple) else e for e in entries]
        if named and len(named) != len(tensors):
            raise ValueError("all optimizer params should be with/without names. Some param "
                             "names are missing")
        if named:
            spec["param_names"] = [e[0] for e in named]
        leaf_only = not self.defaults.get("differentiable", None)
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(t))
            if leaf_only and not (t.is_leaf or t.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for key, value in self.defaults.items():
            if value is required and key not in spec:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 f"parameter {key}")
            spec.setdefault(key, value)
        ids = [id(t) for t in tensors]
        if len(set(ids)) < len(ids):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        taken: set = set()
        for other in self.param_groups:
            taken.update(id(t) for t in other["params"])
            if ("param_names" in spec) != ("param_names" in other):
                txt = "with names" if "param_names" in spec else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not taken.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(spec)

    # ------------------------------------------------------------ gradients

    def zero_grad(self, set_to_none: bool = True) -> None:
        """torch.optim.Optimizer.zero_grad."""
        with_grad = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
        for p in with_grad:
            if set_to_none:
                p.grad = None
                continue
            grad = p.grad
            if grad.grad_fn is None:
                grad.requires_grad_(False)
            else:
                grad.detach_()
            _views.write(grad, jnp.zeros(grad.shape, grad.dtype.np), overlap_ok=True)

    def step(self, closure: Callable | None = None):
        """torch.optim.Optimizer.step (subclasses implement it)."""
        raise NotImplementedError

    # ------------------------------------------------------------ hooks

    def register_step_pre_hook(self, hook: Callable) -> _HookHandle:
        """torch.optim.Optimizer.register_step_pre_hook: ``hook(optimizer, args, kwargs)``."""
        h = _HookHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[h.id] = hook
        return h

    def register_step_post_hook(self, hook: Callable) -> _HookHandle:
        """torch.optim.Optimizer.register_step_post_hook: ``hook(optimizer, args, kwargs)``."""
        h = _HookHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[h.id] = hook
        return h

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> _HookHandle:
        """torch.optim.Optimizer.register_state_dict_pre_hook."""
        return self._add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> _HookHandle:
        """torch.optim.Optimizer.register_state_dict_post_hook."""
        return self._add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable,
                                          prepend: bool = False) -> _HookHandle:
        """torch.optim.Optimizer.register_load_state_dict_pre_hook."""
        return self._add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable,
                                           prepend: bool = False) -> _HookHandle:
        """torch.optim.Optimizer.register_load_state_dict_post_hook."""
        return self._add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    @staticmethod
    def _add_hook(hooks: OrderedDict, hook, prepend: bool) -> _HookHandle:
        h = _HookHandle(hooks)
        hooks[h.id] = hook
        if prepend:
            hooks.move_to_end(h.id, last=False)
        return h

    # ------------------------------------------------------------ state_dict

    def state_dict(self) -> dict[str, Any]:
        """torch.optim.Optimizer.state_dict: params replaced by their integer positions."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        # a parameter's index is its position counted over all groups; one met again in a
        # later group keeps its first index
        index: dict[int, int] = {}
        packed_groups = []
        for g in self.param_groups:
            at = sum(len(q["params"]) for q in packed_groups)
            index.update({id(p): at + i for i, p in enumerate(g["params"]) if id(p) not in index})
            packed_groups.append({**{k: v for k, v in g.items() if k != "params"},
                                  "params": [index[id(p)] for p in g["params"]]})
        packed_state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        sd = {"state": packed_state, "param_groups": packed_groups}
        return _fold_hooks(self._optimizer_state_dict_post_hooks, sd, self)

    @staticmethod
    def _cast_state(param: Tensor, value, key=None):
        if isinstance(value, Tensor):
            if key == "step":
                return value
            if param.is_floating_point() and value.dtype != param.dtype:
                return value.to(dtype=param.dtype)
            return value
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, v, k) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            return type(value)(Optimizer._cast_state(param, v) for v in value)
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """torch.optim.Optimizer.load_state_dict (also accepts a state_dict saved by torch)."""
        sd = _fold_hooks(self._optimizer_load_state_dict_pre_hooks, state_dict.copy(), self)
        mine, saved = self.param_groups, deepcopy(sd["param_groups"])
        if len(saved) != len(mine):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(a["params"]) != len(b["params"]) for a, b in zip(mine, saved, strict=True)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                             "size of optimizer's group")
        # saved integer index -> our tensor, position by position
        owner = dict(zip(chain.from_iterable(b["params"] for b in saved),
                         chain.from_iterable(a["params"] for a in mine), strict=True))
        state: defaultdict = defaultdict(dict)
        for k, v in sd["state"].items():
            p = owner.get(k)
            state[k if p is None else p] = v if p is None else self._cast_state(p, _copy_state(v))
        for a, b in zip(mine, saved, strict=True):
            b["params"] = a["params"]
            if "param_names" in a:
                b.setdefault("param_names", a["param_names"])
        self.__setstate__({"state": state, "param_groups": saved})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _copy_state(v):
    """Loaded state must not alias the state_dict's tensors (torch deep-copies it)."""
    if isinstance(v, Tensor):
        return Tensor._make(v._data, v.dtype)
    if isinstance(v, dict):
        return {k: _copy_state(x) for k, x in v.items()}
    if isinstance(v, (tuple, list)):
        return type(v)(_copy_state(x) for x in v)
    return v


# ---------------------------------------------------------------- fused updates


def _hp_value(v):
    """A hyperparameter as a traced kernel argument (tensor lrs pass their array)."""
    if isinstance(v, Tensor):
        if v.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        return v._data.reshape(())
    return float(v)


def _as_real(a):
    return jnp.stack([a.real, a.imag], axis=-1) if jnp.iscomplexobj(a) else a


def _as_complex_like(a, like):
    return lax.complex(a[..., 0], a[..., 1]) if jnp.iscomplexobj(like) else a


def _group_kernel(update, static, hp, params, grads, states):
    """The whole group's update: ``update`` (one parameter's) unrolled over the group."""
    hp = {k: jnp.asarray(v, jnp.float64) for k, v in hp.items()}
    new_params, new_states = [], []
    for p, g, st in zip(params, grads, states, strict=True):
        # torch updates complex parameters through view_as_real: real and imaginary parts are
        # separate elements (e.g. Adam's second moment is re^2 and im^2, not |z|^2).
        rs = {k: _as_real(v) for k, v in st.items()}
        np_, ns = update(static, hp, _as_real(p), _as_real(g), rs)
        new_params.append(_as_complex_like(np_, p).astype(p.dtype))
        new_states.append({k: (_as_complex_like(v, st[k]).astype(st[k].dtype) if k in st else v)
                           for k, v in ns.items()})
    return new_params, new_states


_kernels: dict = _bounded({})  # bounded: see _core/kernel_cache.py

# torchlike.compile lifts each fused group's hyperparameters as traced inputs of the compiled
# program (so a scheduler's new lr never retraces): id(group) -> {name: traced scalar}.
TRACED_HYPER: dict = {}


def _run_group(update, static, hp, params, grads, states):
    key = (update, static)
    k = _kernels.get(key)
    if k is None:
        k = _kernels[key] = jax.jit(functools.partial(_group_kernel, update, static))
    return k(hp, params, grads, states)


class _FusedOptimizer(Optimizer):
    """An optimizer whose per-parameter update runs fused over each group (see module doc).

    Subclasses define ``_init_state(p, group) -> dict`` (torch's state names and values),
    ``_static(group) -> tuple`` (options that change the computation), ``_hyper(group) -> dict``
    (traced floats) and ``_update(static, hp, p, g, state) -> (p, state)`` on jax arrays.
    """

    def _init_state(self, p: Tensor, group: dict) -> dict | None:
        return {}

    def _static(self, group: dict) -> tuple:
        return ()

    def _hyper(self, group: dict) -> dict:
        return {}

    @staticmethod
    def _update(static, hp, p, g, st):
        raise NotImplementedError

    def _check_grad(self, p: Tensor, g: Tensor) -> None:
        if getattr(g, "is_sparse", False):
            raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")

    def _step_group(self, group: dict) -> None:
        params, grads, states = [], [], []
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            self._check_grad(p, g)
            st = self.state.get(p)
            if not st:
                st = self._init_state(p, group)
                if st is None:  # no state at all (e.g. SGD without momentum), as in torch
                    st = {}
                else:
                    self.state[p] = st
            params.append(p)
            grads.append(g)
            states.append(st)
        if not params:
            return
        arrays = [{k: v._data for k, v in st.items() if isinstance(v, Tensor)} for st in states]
        hp = TRACED_HYPER.get(id(group)) if TRACED_HYPER else None
        if hp is None:
            hp = {k: _hp_value(v) for k, v in self._hyper(group).items()}
        new_p, new_s = _run_group(type(self)._update, self._static(group), hp,
                                  [p._data for p in params], [g._data for g in grads], arrays)
        for p, a in zip(params, new_p, strict=True):
            _views.write(p, a)
        for st, ns in zip(states, new_s, strict=True):
            for k, a in ns.items():
                t = st.get(k)
                if isinstance(t, Tensor):
                    _views.write(t, a)
                else:
                    st[k] = Tensor._make(a)

    def step(self, closure: Callable | None = None):
        """Performs a single optimization step (torch.optim.Optimizer.step)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss


# ---------------------------------------------------------------- kernel helpers (jax arrays)


def cast(x, a):
    """A float64 scalar as torch passes it to a tensor op: cast to the tensor's dtype."""
    return x.astype(a.dtype)


def lerp(a, b, w):
    """torch's lerp with a scalar weight (its two-sided formula)."""
    w = w.astype(a.dtype)
    diff = b - a
    return jnp.where(jnp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))


def _check_nonneg(name: str, value, label: str | None = None) -> None:
    if isinstance(value, Tensor):
        value = value.item()
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label or name}: {value}")


def check_lr(lr) -> None:
    if isinstance(lr, Tensor) and not lr.numel() == 1:
        raise ValueError("Tensor lr must be 1-element")
    _check_nonneg("lr", lr, "learning rate")


def check_betas(betas) -> None:
    if isinstance(betas[0], Tensor) or isinstance(betas[1], Tensor):
        return
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def check_differentiable(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError("differentiable=True is not supported: torchlike optimizers "
                                  "update parameters in place in a fused kernel outside autograd.")
