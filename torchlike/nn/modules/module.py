"""torch.nn.Module: parameter/buffer/submodule registration, state_dict, hooks, repr.

A Module keeps three name -> value tables (``_parameters``, ``_buffers``, ``_modules``)
and a set of ordered hook tables keyed by handle id.  The pieces that torch spells out
once per table here are driven by small declarations:

* ``_SLOTS`` describes each table (its attribute, what it accepts, its global
  registration hooks), so one ``_register`` serves register_parameter/register_buffer/
  add_module and one ``__getattr__`` looks in all three;
* ``_hook`` files a callable into a hook table (plus its flag tables) and returns the
  ``RemovableHandle``; every ``register_*_hook`` is one call to it;
* ``_walk`` enumerates named members of a module tree; parameters, buffers and
  modules are views of it.
"""

from __future__ import annotations

import functools
import warnings
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..._core.grad_mode import is_grad_enabled, no_grad
from ..._core.tensor import Tensor
from ..parameter import Buffer, Parameter, is_lazy

__all__ = [
    "Module",
    "register_module_forward_pre_hook",
    "register_module_forward_hook",
    "register_module_buffer_registration_hook",
    "register_module_module_registration_hook",
    "register_module_parameter_registration_hook",
]

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"

# Process-wide hook tables (torch.nn.modules.module.register_module_*); same names as torch's.
_global_forward_pre_hooks: OrderedDict = OrderedDict()
_global_forward_hooks: OrderedDict = OrderedDict()
_global_forward_hooks_always_called: OrderedDict = OrderedDict()
_global_forward_hooks_with_kwargs: OrderedDict = OrderedDict()
_global_buffer_registration_hooks: OrderedDict = OrderedDict()
_global_module_registration_hooks: OrderedDict = OrderedDict()
_global_parameter_registration_hooks: OrderedDict = OrderedDict()

# Per-instance hook tables, created empty by __init__ (and by __setstate__ for old pickles).
_HOOK_TABLES = (
    "_backward_pre_hooks",
    "_backward_hooks",
    "_forward_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called",
    "_forward_pre_hooks",
    "_forward_pre_hooks_with_kwargs",
    "_state_dict_hooks",
    "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)


class RemovableHandle:
    """torch.utils.hooks.RemovableHandle."""

    next_id: int = 0

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        # Weak references: a handle must not keep a dead module's tables alive.
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id = self.id + 1
        extras = [] if extra_dict is None else extra_dict
        self.extra_dict_ref = tuple(map(weakref.ref, extras if isinstance(extras, list)
                                        else [extras]))

    def remove(self) -> None:
        """Drop the hook (and its flags) from every table it was filed in."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            table = ref()
            if table is not None:
                table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _hook(table: OrderedDict, fn: Callable, *, prepend: bool = False,
          flags: tuple = ()) -> RemovableHandle:
    """File ``fn`` in ``table``; ``flags`` pairs (flag table, on?) share the handle's id."""
    handle = RemovableHandle(table, extra_dict=[f for f, _ in flags])
    table[handle.id] = fn
    if prepend:
        table.move_to_end(handle.id, last=False)
    for flag_table, on in flags:
        if on:
            flag_table[handle.id] = True
    return handle


def _typename(obj: Any) -> str:
    """torch.typename."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") or hasattr(obj, "__name__") else type(obj)
    qual = getattr(named, "__qualname__", None) or named.__name__
    where = getattr(named, "__module__", "") or ""
    return qual if where in ("", "builtins") else f"{where}.{qual}"


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first of a nested repr."""
    head, sep, rest = text.partition("\n")
    if not sep:
        return text
    pad = " " * spaces
    return head + "\n" + "\n".join(pad + line for line in rest.split("\n"))


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self) -> str:
        if self.missing_keys or self.unexpected_keys:
            return super().__repr__()
        return "<All keys matched successfully>"

    __str__ = __repr__


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """torch.nn.modules.module.register_module_forward_pre_hook."""
    return _hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable, *, with_kwargs: bool = False, always_call: bool = False
) -> RemovableHandle:
    """torch.nn.modules.module.register_module_forward_hook."""
    flags = ((_global_forward_hooks_always_called, always_call),
             (_global_forward_hooks_with_kwargs, with_kwargs))
    return _hook(_global_forward_hooks, hook, flags=flags)


def register_module_buffer_registration_hook(hook: Callable) -> RemovableHandle:
    """torch.nn.modules.module.register_module_buffer_registration_hook."""
    return _hook(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook: Callable) -> RemovableHandle:
    """torch.nn.modules.module.register_module_module_registration_hook."""
    return _hook(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook: Callable) -> RemovableHandle:
    """torch.nn.modules.module.register_module_parameter_registration_hook."""
    return _hook(_global_parameter_registration_hooks, hook)


def _through_registration_hooks(table: Mapping, owner: Module, name: str, value: Any) -> Any:
    for fn in table.values():
        replaced = fn(owner, name, value)
        value = value if replaced is None else replaced
    return value


# ---------------------------------------------------------------- full backward hooks


def _spread(positions: list[int], values, arity: int) -> tuple:
    """Place ``values`` at ``positions`` of an ``arity``-long tuple of Nones."""
    slots: list[Any] = [None] * arity
    for at, v in zip(positions, values, strict=True):
        slots[at] = v
    return tuple(slots)


@functools.cache
def _grad_tap_function():
    from ...autograd import Function

    class BackwardHookFunction(Function):
        """Identity whose backward hands the incoming grads to a callback (torch's name)."""

        @staticmethod
        def forward(ctx, callback, *tensors):
            ctx.callback = callback
            ctx.mark_non_differentiable(*(t for t in tensors if not t.requires_grad))
            return tuple(t.view_as(t) for t in tensors)

        @staticmethod
        def backward(ctx, *grads):
            return (None, *ctx.callback(grads))

    return BackwardHookFunction


class _GradTap:
    """One call's full backward (pre-)hooks (torch.utils.hooks.BackwardHook).

    Identity Functions wrap the call's tensor inputs and outputs.  The outputs' backward
    runs first: it records grad_output and lets the pre-hooks replace it; the inputs'
    backward then gives (grad_input, grad_output) to the hooks, which may replace
    grad_input.
    """

    def __init__(self, module: Module) -> None:
        self.module = module
        self.hooks = list(module._backward_hooks.values())
        self.pre_hooks = list(module._backward_pre_hooks.values())
        self.grad_out: tuple | None = None
        self.in_arity = self.out_arity = -1
        self.in_at: list[int] | None = None
        self.out_at: list[int] | None = None

    @staticmethod
    def _wrap(values: tuple, callback: Callable) -> tuple[tuple, list[int] | None]:
        at = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not is_grad_enabled() or not any(values[i].requires_grad for i in at):
            return values, None
        tapped = _grad_tap_function().apply(callback, *(values[i] for i in at))
        if isinstance(tapped, Tensor):
            tapped = (tapped,)
        merged = list(values)
        for i, t in zip(at, tapped, strict=True):
            merged[i] = t
        return (tuple(merged) if type(values) is tuple else type(values)(*merged)), at

    def wrap_inputs(self, args: tuple) -> tuple:
        self.in_arity = len(args)
        args, self.in_at = self._wrap(args, self._on_input_grads)
        return args

    def wrap_outputs(self, result: Any) -> Any:
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        self.out_arity = len(outs)
        outs, self.out_at = self._wrap(outs, self._on_output_grads)
        return outs[0] if single else outs

    def _on_output_grads(self, grads: tuple) -> tuple:
        self.grad_out = _spread(self.out_at, grads, self.out_arity)
        for fn in self.pre_hooks:
            new = fn(self.module, self.grad_out)
            if new is None:
                continue
            if len(new) != len(self.grad_out):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, "
                    f"got {len(new)}, but expected {len(self.grad_out)}"
                )
            self.grad_out = new
        passed_on = self.grad_out
        if self.in_at is None:
            # No input needs a gradient, so the input side never fires: call the hooks now.
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                stacklevel=5,
            )
            nothing = (None,) * self.in_arity
            for fn in self.hooks:
                got = fn(self.module, nothing, self.grad_out)
                if got is not None and not (isinstance(got, tuple)
                                            and all(g is None for g in got)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires "
                        "gradient should always return None or None for all "
                        "gradients."
                    )
            self.grad_out = None
        return tuple(passed_on[i] for i in self.out_at)

    def _on_input_grads(self, grads: tuple) -> tuple:
        if self.grad_out is None:
            return grads
        grad_in = _spread(self.in_at, grads, self.in_arity)
        for fn in self.hooks:
            new = fn(self.module, grad_in, self.grad_out)
            if new is None:
                continue
            if len(new) != len(grad_in):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(new)}, but expected {len(grad_in)}"
                )
            grad_in = new
        self.grad_out = None
        return tuple(grad_in[i] for i in self.in_at)


# ---------------------------------------------------------------- the call with hooks


def _forward_hooks_of(module: Module) -> list:
    return [*_global_forward_hooks.items(), *module._forward_hooks.items()]


def _flagged(module: Module, hook_id: int, local: str, shared: Mapping) -> bool:
    return hook_id in module.__dict__[local] or hook_id in shared


def _run_forward_hook(module: Module, hook_id: int, fn: Callable, args, kwargs, result):
    if _flagged(module, hook_id, "_forward_hooks_with_kwargs", _global_forward_hooks_with_kwargs):
        got = fn(module, args, kwargs, result)
    else:
        got = fn(module, args, result)
    return result if got is None else got


def _run_pre_hooks(module: Module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    wants_kwargs = module._forward_pre_hooks_with_kwargs
    for hook_id, fn in [*_global_forward_pre_hooks.items(), *module._forward_pre_hooks.items()]:
        if hook_id not in wants_kwargs:
            got = fn(module, args)
            if got is not None:
                args = got if isinstance(got, tuple) else (got,)
            continue
        got = fn(module, args, kwargs)
        if got is None:
            continue
        if not (isinstance(got, tuple) and len(got) == 2):
            raise RuntimeError(
                "forward pre-hook must return None or a tuple of "
                f"(new_args, new_kwargs), but got {got}."
            )
        args, kwargs = got
    return args, kwargs


def _hooked_call(module: Module, forward: Callable, args: tuple, kwargs: dict) -> Any:
    result = None
    done: set[int] = set()
    try:
        args, kwargs = _run_pre_hooks(module, args, kwargs)
        tap = None
        if module._backward_hooks or module._backward_pre_hooks:
            tap = _GradTap(module)
            args = tap.wrap_inputs(args)
        result = forward(*args, **kwargs)
        for hook_id, fn in _forward_hooks_of(module):
            if _flagged(module, hook_id, "_forward_hooks_always_called",
                        _global_forward_hooks_always_called):
                done.add(hook_id)
            result = _run_forward_hook(module, hook_id, fn, args, kwargs, result)
        if tap is None:
            return result
        if not isinstance(result, (Tensor, tuple)):
            warnings.warn(
                "For backward hooks to be called, module output should be a "
                f"Tensor or a tuple of Tensors but received {type(result)}",
                stacklevel=3,
            )
        return tap.wrap_outputs(result)
    except Exception:
        # always_call hooks still run when forward (or an earlier hook) raised.
        for hook_id, fn in _forward_hooks_of(module):
            if hook_id in done or not _flagged(module, hook_id, "_forward_hooks_always_called",
                                               _global_forward_hooks_always_called):
                continue
            try:
                result = _run_forward_hook(module, hook_id, fn, args, kwargs, result)
            except Exception as e:
                warnings.warn(
                    "module forward hook with ``always_call=True`` raised an "
                    "exception that was silenced as another error was raised "
                    f"in forward: {e}",
                    stacklevel=3,
                )
        raise


def _forward_unimplemented(self, *input: Any) -> None:
    raise NotImplementedError(
        f'Module [{type(self).__name__}] is missing the required "forward" function'
    )


# ---------------------------------------------------------------- registration tables


class _Slot(namedtuple("_Slot", "table kind accepts type_hint global_hooks role expected "
                                "too_early")):
    """One of a Module's named-member tables, what it accepts and how errors name it.

    ``type_hint``/``kind`` word register_*'s errors; ``role``/``expected``/``too_early``
    word attribute assignment's (torch words the two paths differently).
    """


_SLOTS = {
    "parameter": _Slot("_parameters", "parameter", Parameter, "torch.nn.Parameter",
                       _global_parameter_registration_hooks, "parameter",
                       "torch.nn.Parameter", "parameters"),
    "buffer": _Slot("_buffers", "buffer", Tensor, "torch Tensor",
                    _global_buffer_registration_hooks, "buffer",
                    "torch.nn.Buffer, torch.Tensor", "buffer"),
    # ``accepts`` is filled in once Module exists (below the class).
    "module": _Slot("_modules", "module", None, "", _global_module_registration_hooks,
                    "child module", "torch.nn.Module", "module"),
}
_LOOKUP_ORDER = ("_parameters", "_buffers", "_modules")


def _overrides(module: Module, method: str) -> bool:
    return getattr(type(module), method, None) is not getattr(Module, method)


class Module:
    """torch.nn.Module."""

    dump_patches: bool = False
    _version: int = 1
    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers_set: set[str]
    _modules: dict[str, Module | None]
    call_super_init: bool = False
    _compiled_call_impl = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not self.call_super_init and kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                f"'{next(iter(kwargs))}'"
            )
        if not self.call_super_init and args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        # Straight into __dict__: our __setattr__ needs these tables to exist first.
        state = self.__dict__
        state["training"] = True
        state["_parameters"] = {}
        state["_buffers"] = {}
        state["_non_persistent_buffers_set"] = set()
        state["_is_full_backward_hook"] = None
        state.update((table, OrderedDict()) for table in _HOOK_TABLES)
        state["_modules"] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward: Callable[..., Any] = _forward_unimplemented

    # ------------------------------------------------------------ registration

    def _register(self, slot: _Slot, name: Any, value: Any) -> Any:
        """Validate ``name``/``value`` for ``slot``, run the global hooks, store the value."""
        kind = slot.kind
        if kind == "module":
            if value is not None and not isinstance(value, Module):
                raise TypeError(f"{_typename(value)} is not a Module subclass")
        elif slot.table not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            got = f", got: {name}" if kind == "module" else ""
            raise KeyError(f'{kind} name can\'t contain "."{got}')
        if not name:
            raise KeyError(f'{kind} name can\'t be empty string ""')
        table = getattr(self, slot.table)
        if name not in table and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")
        if kind != "module" and value is not None and not isinstance(value, slot.accepts):
            raise TypeError(
                f"cannot assign '{_typename(value)}' object to {kind} '{name}' "
                f"({slot.type_hint} or None required)"
            )
        if kind == "parameter" and value is not None and value.grad_fn:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, compute "
                "the value in the forward() method."
            )
        if kind == "parameter" and value is None:
            table[name] = None  # torch runs no registration hooks for an empty slot
            return None
        table[name] = _through_registration_hooks(slot.global_hooks, self, name, value)
        return table[name]

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """torch.nn.Module.register_buffer."""
        self._register(_SLOTS["buffer"], name, tensor)
        (self._non_persistent_buffers_set.discard if persistent
         else self._non_persistent_buffers_set.add)(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """torch.nn.Module.register_parameter."""
        self._register(_SLOTS["parameter"], name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """torch.nn.Module.add_module."""
        self._register(_SLOTS["module"], name, module)

    def register_module(self, name: str, module: Module | None) -> None:
        """torch.nn.Module.register_module (alias for add_module)."""
        self.add_module(name, module)

    def get_submodule(self, target: str) -> Module:
        """torch.nn.Module.get_submodule."""
        node: Module = self
        for part in target.split(".") if target else ():
            if not hasattr(node, part):
                raise AttributeError(f"{node._get_name()} has no attribute `{part}`")
            node = getattr(node, part)
            if not isinstance(node, Module):
                raise AttributeError(f"`{part}` is not an nn.Module")
        return node

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """torch.nn.Module.set_submodule."""
        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        owner_path, _, leaf = target.rpartition(".")
        owner = self.get_submodule(owner_path)
        present = hasattr(owner, leaf)
        if strict and not present:
            raise AttributeError(f"{owner._get_name()} has no attribute `{leaf}`")
        if present and not isinstance(getattr(owner, leaf), Module):
            raise AttributeError(f"`{leaf}` is not an nn.Module")
        setattr(owner, leaf, module)

    def _resolve_member(self, target: str) -> tuple[Module, str, Any]:
        owner_path, _, leaf = target.rpartition(".")
        owner = self.get_submodule(owner_path)
        if not hasattr(owner, leaf):
            raise AttributeError(f"{owner._get_name()} has no attribute `{leaf}`")
        return owner, leaf, getattr(owner, leaf)

    def get_parameter(self, target: str) -> Parameter:
        """torch.nn.Module.get_parameter."""
        _, leaf, found = self._resolve_member(target)
        if not isinstance(found, Parameter):
            raise AttributeError(f"`{leaf}` is not an nn.Parameter")
        return found

    def get_buffer(self, target: str) -> Tensor:
        """torch.nn.Module.get_buffer."""
        owner, leaf, found = self._resolve_member(target)
        if leaf not in owner._buffers:
            raise AttributeError(f"`{leaf}` is not a buffer")
        return found

    def get_extra_state(self) -> Any:
        """torch.nn.Module.get_extra_state (override together with set_extra_state)."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. Please "
            "file an issue at "
            "https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
            "to report this bug."
        )

    def set_extra_state(self, state: Any) -> None:
        """torch.nn.Module.set_extra_state (override together with get_extra_state)."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. Please "
            "file an issue at "
            "https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
            "to report this bug."
        )

    # ------------------------------------------------------------ conversions

    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> Module:
        if recurse:
            for child in self.children():
                child._apply(fn)
        with no_grad():
            for p in [q for q in self._parameters.values() if q is not None]:
                # The Parameter object stays (optimizers hold it); only its data changes.
                p.data = fn(p)
                old_grad = p.grad
                if old_grad is not None:
                    p._grad = fn(old_grad).requires_grad_(old_grad.requires_grad)
        bufs = self._buffers
        for key in [k for k, b in bufs.items() if b is not None]:
            bufs[key] = fn(bufs[key])
        return self

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """torch.nn.Module.apply: fn on every submodule (children first), then self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _per_tensor(self, method: str, *args: Any, floating_only: bool = False) -> Module:
        """``_apply`` of one Tensor method (skipping non-floating tensors if asked)."""

        def convert(t: Tensor) -> Tensor:
            if floating_only and not t.is_floating_point():
                return t
            return getattr(t, method)(*args)

        return self._apply(convert)

    def cuda(self, device: Any = None) -> Module:
        """torch.nn.Module.cuda (raises as torch does when there is no GPU)."""
        return self._per_tensor("cuda", device)

    def ipu(self, device: Any = None) -> Module:
        """torch.nn.Module.ipu (no IPU backend)."""
        raise RuntimeError("Torch not compiled with IPU support")

    def xpu(self, device: Any = None) -> Module:
        """torch.nn.Module.xpu."""
        raise AssertionError("Torch not compiled with XPU enabled")

    def mtia(self, device: Any = None) -> Module:
        """torch.nn.Module.mtia."""
        raise AssertionError("Torch not compiled with MTIA enabled")

    def cpu(self) -> Module:
        """torch.nn.Module.cpu."""
        return self._per_tensor("cpu")

    def type(self, dst_type: Any) -> Module:
        """torch.nn.Module.type."""
        return self._per_tensor("type", dst_type)

    def float(self) -> Module:
        """torch.nn.Module.float."""
        return self._per_tensor("float", floating_only=True)

    def double(self) -> Module:
        """torch.nn.Module.double."""
        return self._per_tensor("double", floating_only=True)

    def half(self) -> Module:
        """torch.nn.Module.half."""
        return self._per_tensor("half", floating_only=True)

    def bfloat16(self) -> Module:
        """torch.nn.Module.bfloat16."""
        return self._per_tensor("bfloat16", floating_only=True)

    def to_empty(self, *, device: Any = None, recurse: bool = True) -> Module:
        """torch.nn.Module.to_empty: uninitialised storage of the same shapes on ``device``."""
        from ... import empty_like

        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """torch.nn.Module.to(device=None, dtype=None, non_blocking=False)."""
        from ..._core import dtypes as _dt
        from ..._core.device import device as _device

        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        for ignored in ("non_blocking", "memory_format"):
            kwargs.pop(ignored, None)
        if kwargs:
            raise TypeError(
                f"to() received an invalid combination of arguments - got unexpected "
                f"keyword argument '{next(iter(kwargs))}'"
            )
        for a in args:
            if isinstance(a, _dt.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, (str, _device, int)) and not isinstance(a, bool):
                device = a
            elif not isinstance(a, bool):
                raise TypeError(
                    f"to() received an invalid combination of arguments - got ({type(a).__name__})"
                )
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got "
                f"desired dtype={dtype}"
            )

        def convert(t: Tensor) -> Tensor:
            # Only floating/complex tensors change dtype; integer buffers keep theirs.
            target = [] if device is None else [device]
            if dtype is not None and (t.is_floating_point() or t.is_complex()):
                target.append(dtype)
            return t.to(*target) if target else t

        return self._apply(convert)

    # ------------------------------------------------------------ hooks

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """torch.nn.Module.register_forward_pre_hook."""
        return _hook(self._forward_pre_hooks, hook, prepend=prepend,
                     flags=((self._forward_pre_hooks_with_kwargs, with_kwargs),))

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """torch.nn.Module.register_forward_hook."""
        flags = ((self._forward_hooks_with_kwargs, with_kwargs),
                 (self._forward_hooks_always_called, always_call))
        return _hook(self._forward_hooks, hook, prepend=prepend, flags=flags)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """torch.nn.Module.register_full_backward_hook: hook(module, grad_input, grad_output)."""
        if self._is_full_backward_hook is False:
            raise RuntimeError(
                "Cannot use both regular backward hooks and full backward hooks on "
                "a single Module. Please use only one of them."
            )
        self._is_full_backward_hook = True
        return _hook(self._backward_hooks, hook, prepend=prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """torch.nn.Module.register_full_backward_pre_hook: hook(module, grad_output)."""
        return _hook(self._backward_pre_hooks, hook, prepend=prepend)

    def register_backward_hook(self, hook: Callable) -> RemovableHandle:
        """torch.nn.Module.register_backward_hook (deprecated; not implemented in torchlike)."""
        raise NotImplementedError(
            "torchlike: the deprecated Module.register_backward_hook is not "
            "implemented; use register_full_backward_hook"
        )

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError(
                "Cannot register the same function as the state dict post hook that was "
                "previously registered via register_state_dict_post_hook"
            )
        return _hook(self._state_dict_hooks, hook)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """torch.nn.Module.register_state_dict_post_hook: hook(module, state_dict, prefix,
        local_metadata), which must return None."""
        hook._from_public_api = True
        return _hook(self._state_dict_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """torch.nn.Module.register_state_dict_pre_hook: hook(module, prefix, keep_vars)."""
        return _hook(self._state_dict_pre_hooks, hook)

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """torch.nn.Module.register_load_state_dict_pre_hook: hook(module, state_dict, ...)."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(
        self, hook: Callable, with_module: bool = False
    ) -> RemovableHandle:
        bound = functools.partial(hook, self) if with_module else hook
        return _hook(self._load_state_dict_pre_hooks, bound)

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """torch.nn.Module.register_load_state_dict_post_hook: hook(module, incompatible_keys)."""
        return _hook(self._load_state_dict_post_hooks, hook)

    # ------------------------------------------------------------ calling

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        forward = self.forward
        if (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks
                or self._backward_pre_hooks or _global_forward_hooks
                or _global_forward_pre_hooks):
            return _hooked_call(self, forward, args, kwargs)
        return forward(*args, **kwargs)

    def _wrapped_call_impl(self, *args: Any, **kwargs: Any) -> Any:
        compiled = self._compiled_call_impl
        return (self._call_impl if compiled is None else compiled)(*args, **kwargs)

    __call__: Callable[..., Any] = _wrapped_call_impl

    # ------------------------------------------------------------ attributes

    def __getstate__(self) -> dict:
        return dict(self.__dict__)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for table in _HOOK_TABLES:
            self.__dict__.setdefault(table, OrderedDict())
        self.__dict__.setdefault("_non_persistent_buffers_set", set())
        self.__dict__.setdefault("_is_full_backward_hook", None)

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        for table in _LOOKUP_ORDER:
            members = state.get(table)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _forget(self, name: str, *tables: str) -> None:
        for table in tables:
            self.__dict__[table].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def _slot_for(self, name: str, value: Any) -> _Slot | None:
        """The table an assignment goes to: by the value's type, else where the name lives."""
        state = self.__dict__
        for kind, marker in (("parameter", Parameter), ("module", Module), ("buffer", Buffer)):
            slot = _SLOTS[kind]
            if isinstance(value, marker) or name in state.get(slot.table, ()):
                return slot
        return None

    def __setattr__(self, name: str, value: Any) -> None:
        slot = self._slot_for(name, value)
        if slot is None:
            object.__setattr__(self, name, value)
            return
        state = self.__dict__
        if slot.table not in state and slot.kind != "buffer":
            raise AttributeError(f"cannot assign {slot.too_early} before Module.__init__() call")
        if value is not None and not isinstance(value, slot.accepts):
            raise TypeError(
                f"cannot assign '{_typename(value)}' as {slot.role} '{name}' "
                f"({slot.expected} or None expected)"
            )
        if slot.kind == "buffer":
            keep = (value.persistent if isinstance(value, Buffer)
                    else name not in state.get("_non_persistent_buffers_set", ()))
            self.register_buffer(name, value, keep)
            return
        if value is not None:
            # A parameter or module takes the name over from a plain attribute or other table.
            state.pop(name, None)
            self._forget(name, *(t for t in _LOOKUP_ORDER if t != slot.table))
        if slot.kind == "parameter":
            self.register_parameter(name, value)
        else:
            state["_modules"][name] = _through_registration_hooks(
                slot.global_hooks, self, name, value)

    def __delattr__(self, name: str) -> None:
        for table in _LOOKUP_ORDER:
            if name in self.__dict__[table]:
                self._forget(name, table)
                return
        object.__delattr__(self, name)

    # ------------------------------------------------------------ state_dict

    def _state_entries(self) -> Iterator[tuple[str, Tensor]]:
        """(name, tensor) of the parameters and persistent buffers that are set."""
        skip = self._non_persistent_buffers_set
        yield from ((k, v) for k, v in self._parameters.items() if v is not None)
        yield from ((k, v) for k, v in self._buffers.items() if v is not None and k not in skip)

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for key, value in self._state_entries():
            destination[prefix + key] = value if keep_vars else value.detach()
        if _overrides(self, "get_extra_state"):
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Any]:
        """torch.nn.Module.state_dict."""
        if args:
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.state_dict for details.",
                FutureWarning,
                stacklevel=2,
            )
            # Positional (destination, prefix, keep_vars) only fill what kwargs left unset.
            legacy = dict(zip(("destination", "prefix", "keep_vars"), args, strict=False))
            destination = legacy.get("destination") if destination is None else destination
            prefix = legacy.get("prefix", "") if prefix == "" else prefix
            keep_vars = legacy.get("keep_vars", False) if keep_vars is False else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        meta = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = meta
        for fn in self._state_dict_pre_hooks.values():
            fn(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for key, child in self._modules.items():
            if child is not None:
                child.state_dict(destination=destination, prefix=f"{prefix}{key}.",
                                 keep_vars=keep_vars)
        for fn in self._state_dict_hooks.values():
            got = fn(self, destination, prefix, meta)
            if got is None:
                continue
            if getattr(fn, "_from_public_api", False):
                raise RuntimeError("state_dict post-hook must return None")
            destination = got
        return destination

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ) -> None:
        for fn in self._load_state_dict_pre_hooks.values():
            fn(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
               error_msgs)
        mine = dict(self._state_entries())
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, current in mine.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            problem = self._load_one(name, key, current, state_dict[key], assign)
            if problem:
                error_msgs.append(problem)
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if _overrides(self, "set_extra_state"):
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if not strict:
            return
        for key in state_dict:
            if key == extra_key or not key.startswith(prefix):
                continue
            head, dot, _ = key[len(prefix):].partition(".")
            # A dotted remainder must name a child; a plain one, a local tensor.
            if head not in (self._modules if dot else mine):
                unexpected_keys.append(key)

    def _load_one(self, name: str, key: str, current: Tensor, incoming: Any,
                  assign: bool) -> str | None:
        """Copy (or assign) one checkpoint tensor; returns an error message or None."""
        if not isinstance(incoming, Tensor):
            return (f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(incoming)}")
        lazy = is_lazy(current)
        if not lazy and current.dim() == 0 and tuple(incoming.shape) == (1,):
            incoming = incoming[0]  # checkpoints from torch 0.3 stored scalars as [1]
        if not lazy and incoming.shape != current.shape:
            return (f"size mismatch for {key}: copying a param with shape {incoming.shape} from "
                    f"checkpoint, the shape in current model is {current.shape}.")
        try:
            with no_grad():
                if not assign:
                    current.copy_(incoming)
                    return None
                if isinstance(current, Parameter):
                    if isinstance(incoming, Parameter):
                        incoming.requires_grad_(current.requires_grad)
                    else:
                        incoming = Parameter(incoming, requires_grad=current.requires_grad)
                setattr(self, name, incoming)
        except Exception as ex:
            return (f'While copying the parameter named "{key}", whose dimensions in the model '
                    f"are {current.size()} and whose dimensions in the checkpoint are "
                    f"{incoming.size()}, an exception occurred : {ex.args}.")
        return None

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """torch.nn.Module.load_state_dict."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        metadata = getattr(state_dict, "_metadata", None)
        entries = OrderedDict(state_dict)
        if metadata is not None:
            entries._metadata = metadata
        report = _IncompatibleKeys(missing, unexpected)

        def visit(module: Module, local: Mapping, prefix: str) -> None:
            meta = dict(metadata.get(prefix[:-1], {})) if metadata is not None else {}
            if assign:
                meta["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local, prefix, meta, True, missing, unexpected, errors)
            for key, child in module._modules.items():
                if child is None:
                    continue
                sub = f"{prefix}{key}."
                visit(child, {k: v for k, v in local.items() if k.startswith(sub)}, sub)
            for fn in module._load_state_dict_post_hooks.values():
                if fn(module, report) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not"
                        "expected to return new values, if incompatible_keys need to be modified,"
                        "it should be done inplace."
                    )

        visit(self, entries, "")
        if strict:
            quoted = lambda keys: ", ".join(f'"{k}"' for k in keys)  # noqa: E731
            head = [f"Missing key(s) in state_dict: {quoted(missing)}. "] if missing else []
            if unexpected:
                head.append(f"Unexpected key(s) in state_dict: {quoted(unexpected)}. ")
            errors[:0] = head
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return report

    # ------------------------------------------------------------ traversal

    def _named_members(self, get_members_fn: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """The one walker: ``get_members_fn(module)`` pairs, named by path, deduplicated."""
        owners = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                  if recurse else [(prefix, self)])
        seen: set[int] = set()
        for path, owner in owners:
            for key, member in get_members_fn(owner):
                if member is None or id(member) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(member))
                yield (f"{path}.{key}" if path else key), member

    def _walk(self, table: str, prefix: str = "", recurse: bool = True,
              remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        return self._named_members(lambda owner: owner.__dict__[table].items(), prefix,
                                   recurse, remove_duplicate)

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """torch.nn.Module.named_parameters."""
        return self._walk("_parameters", prefix, recurse, remove_duplicate)

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """torch.nn.Module.named_buffers."""
        return self._walk("_buffers", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """torch.nn.Module.parameters."""
        return (p for _, p in self._walk("_parameters", recurse=recurse))

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """torch.nn.Module.buffers."""
        return (b for _, b in self._walk("_buffers", recurse=recurse))

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """torch.nn.Module.named_children."""
        seen: set[int] = set()
        for key, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield key, child

    def children(self) -> Iterator[Module]:
        """torch.nn.Module.children."""
        return (child for _, child in self.named_children())

    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """torch.nn.Module.named_modules."""
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for key, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{key}" if prefix else key,
                                               remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """torch.nn.Module.modules."""
        return (m for _, m in self.named_modules())

    # ------------------------------------------------------------ modes and grads

    def train(self, mode: bool = True) -> Module:
        """torch.nn.Module.train."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """torch.nn.Module.eval."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """torch.nn.Module.requires_grad_."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """torch.nn.Module.zero_grad."""
        for p in self.parameters():
            g = p.grad
            if g is None:
                continue
            if set_to_none:
                p.grad = None
                continue
            if g.grad_fn is None:
                g.requires_grad_(False)
            else:
                g.detach_()
            g.zero_()

    def share_memory(self) -> Module:
        """torch.nn.Module.share_memory (a no-op: JAX arrays are not process-shared)."""
        return self

    # ------------------------------------------------------------ repr

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """torch.nn.Module.extra_repr: the module's one-line settings, shown by repr."""
        return ""

    def __repr__(self) -> str:
        own = self.extra_repr()
        own_lines = own.split("\n") if own else []
        kids = [f"({key}): {_addindent(repr(child), 2)}" for key, child in self._modules.items()]
        body = own_lines + kids
        if not body:
            return f"{self._get_name()}()"
        if not kids and len(own_lines) == 1:
            return f"{self._get_name()}({own_lines[0]})"
        return self._get_name() + "(\n  " + "\n  ".join(body) + "\n)"

    def __dir__(self) -> list[str]:
        names = [*dir(type(self)), *self.__dict__, *self._parameters, *self._modules,
                 *self._buffers]
        return sorted(n for n in names if not n[:1].isdigit())

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """torch.nn.Module.compile: route calls through torchlike.compile(self._call_impl)."""
        import torchlike

        compiler = getattr(torchlike, "compile", None)
        if compiler is None:
            raise NotImplementedError(
                "torchlike.compile is not available yet, so Module.compile() cannot be used"
            )
        self._compiled_call_impl = compiler(self._call_impl, *args, **kwargs)


_SLOTS["module"] = _SLOTS["module"]._replace(accepts=Module)
