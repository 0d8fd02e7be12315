"""torch.nn.utils.parametrize: module tensors computed from originals by parametrizations.

A parametrized ``module.<name>`` is a property on a per-instance subclass
(``Parametrized<Class>``); reading it runs ``module.parametrizations[<name>]`` (a
ParametrizationList) on the stored originals, writing it runs the chain's right inverses
and stores the result.  The originals live in the list as ``original`` (one tensor) or
``original0``, ``original1``, ... (when the first right_inverse returns a sequence), so
state_dict keys read ``parametrizations.<name>.original``.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

import torchlike as torch

from ..._core.tensor import Tensor
from ..modules.container import Module, ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = [
    "cached",
    "ParametrizationList",
    "register_parametrization",
    "is_parametrized",
    "remove_parametrizations",
    "type_before_parametrizations",
    "transfer_parametrizations_and_params",
]


class _Cache:
    """Nesting depth of ``cached()`` blocks and the values computed inside them."""

    depth = 0
    values: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached():
    """torch.nn.utils.parametrize.cached."""
    _Cache.depth += 1
    try:
        yield
    finally:
        _Cache.depth -= 1
        if _Cache.depth == 0:
            _Cache.values = {}


def _store(owner: Module, name: str, tensor: Tensor) -> None:
    """Register ``tensor`` on ``owner`` as a parameter if it is one, else as a buffer."""
    if isinstance(tensor, Parameter):
        owner.register_parameter(name, tensor)
    else:
        owner.register_buffer(name, tensor)


def _overwrite(dest: Tensor, src: Tensor) -> None:
    # torch calls dest.set_(src): dest keeps its identity (optimizers, hooks still hold it)
    # and takes src's values, shape and dtype
    dest.data = src.data


def _dtype_and_shape(t: Tensor) -> dict[str, Any]:
    return {"dtype": t.dtype, "shape": t.shape}


def _check_like(
    ref: dict[str, Any], produced: Any, not_tensor: str, mismatch: Callable[..., str]
) -> None:
    """Raise torch's ValueError unless ``produced`` is a tensor with ``ref``'s dtype and shape.

    ``not_tensor`` is formatted with the type's name, ``mismatch(attr, ref_value, value)``
    builds the message for a differing attribute.
    """
    if not isinstance(produced, Tensor):
        raise ValueError(not_tensor.format(type(produced).__name__))
    for attr, want in ref.items():
        if getattr(produced, attr) != want:
            raise ValueError(mismatch(attr, want, getattr(produced, attr)))


_MUST_RETURN_TENSOR = "A parametrization must return a tensor. Got {}."


class ParametrizationList(ModuleList):
    """torch.nn.utils.parametrize.ParametrizationList."""

    original: Tensor
    unsafe: bool

    def __init__(
        self, modules: Sequence[Module], original: Tensor | Parameter, unsafe: bool = False
    ) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        before = _dtype_and_shape(original)  # the one-tensor case overwrites original
        with torch.no_grad():
            stored = self._pull_back(original, strict=False)
        self.is_tensor = isinstance(stored, Tensor)
        if not self.is_tensor and not isinstance(stored, Sequence):
            raise ValueError(
                "'right_inverse' must return a Tensor or a Sequence of tensors (list, "
                f"tuple...). Got {type(stored).__name__}"
            )
        self.ntensors = 1 if self.is_tensor else len(stored)
        if self.is_tensor:
            for attr in ("dtype", "device"):
                if getattr(stored, attr) != getattr(original, attr):
                    raise ValueError(
                        f"When `right_inverse` outputs one tensor, it may not change the "
                        f"{attr}.\noriginal.{attr}: {getattr(original, attr)}\n"
                        f"right_inverse(original).{attr}: {getattr(stored, attr)}"
                    )
            with torch.no_grad():
                _overwrite(original, stored)
            _store(self, "original", original)
        else:
            as_parameter = isinstance(original, Parameter)
            for i, part in enumerate(stored):
                if not isinstance(part, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a Tensor or a Sequence of tensors "
                        f"(list, tuple...). Got element {i} of the sequence with type "
                        f"{type(part).__name__}."
                    )
                if as_parameter:
                    part = Parameter(part, original.requires_grad)
                _store(self, f"original{i}", part.requires_grad_(original.requires_grad))
        if not unsafe:
            _check_like(before, self(), _MUST_RETURN_TENSOR, lambda attr, want, got: (
                f"Registering a parametrization may not change the {attr} of the tensor, "
                f"unless `unsafe` flag is enabled.\nunparametrized {attr}: {want}\n"
                f"parametrized {attr}: {got}"))

    def _original_names(self) -> list[str]:
        if self.is_tensor:
            return ["original"]
        return [f"original{i}" for i in range(self.ntensors)]

    def _pull_back(self, value: Any, *, strict: bool) -> Any:
        """Run the right inverses, last parametrization first.

        At registration (``strict=False``) a parametrization without one, or whose
        right_inverse raises NotImplementedError, is passed over as the identity.
        """
        for step in reversed(self):
            inverse = getattr(step, "right_inverse", None)
            if inverse is None:
                if strict:
                    raise RuntimeError(
                        f"parametrization {type(step).__name__} does not implement right_inverse."
                    )
                continue
            try:
                value = inverse(value)
            except NotImplementedError:
                if strict:
                    raise
        return value

    def right_inverse(self, value: Tensor) -> None:
        """Store the originals that make this list produce ``value``."""
        names = self._original_names()
        with torch.no_grad():
            value = self._pull_back(value, strict=True)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(
                        f"`right_inverse` should return a tensor. Got {type(value).__name__}"
                    )
                value = [value]
            elif not isinstance(value, Sequence):
                raise ValueError(
                    "'right_inverse' must return a sequence of tensors. Got "
                    f"{type(value).__name__}."
                )
            elif len(value) != len(names):
                raise ValueError(
                    "'right_inverse' must return a sequence of tensors of length "
                    f"{len(names)}. Got a sequence of length {len(value)}."
                )
            for i, (name, part) in enumerate(zip(names, value, strict=True)):
                if not isinstance(part, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a sequence of tensors or reference-type "
                        f"opaques. Got element {i} of type {type(part).__name__}."
                    )
                current = getattr(self, name)
                if part.dtype != current.dtype:
                    which = "The tensor" if self.is_tensor else f"Tensor {i}"
                    raise ValueError(
                        f"{which} returned by `right_inverse` has dtype {part.dtype} "
                        f"while `{name}` has dtype {current.dtype}"
                    )
                _overwrite(current, part)

    def forward(self) -> Tensor:
        first, *rest = self
        out = first(*(getattr(self, n) for n in self._original_names()))
        for step in rest:
            out = step(out)
        return out


# ---- the per-instance subclass and its properties -----------------------------------------

_PICKLE_REFUSED = (
    "Serialization of parametrized modules is only supported through state_dict(). See:\n"
    "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
    "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training"
)


def _refuse_pickle(self):
    raise RuntimeError(_PICKLE_REFUSED)


def _deepcopy_by_state(self, memo):
    # copy.deepcopy would go through __getstate__, which parametrized modules refuse
    if id(self) in memo:
        return memo[id(self)]
    twin = self.__new__(type(self))
    memo[id(self)] = twin
    twin.__dict__ = deepcopy(self.__dict__, memo)
    for slot in copyreg._slotnames(type(self)):
        if hasattr(self, slot):
            setattr(twin, slot, deepcopy(getattr(self, slot), memo))
    return twin


def _parametrized_class(cls: type) -> type:
    """A fresh subclass of ``cls`` to carry this one module's properties."""
    namespace: dict[str, Any] = {"__getstate__": _refuse_pickle}
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = _deepcopy_by_state
    return type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _install_property(module: Module, name: str) -> None:
    if hasattr(module, name):
        raise AssertionError(f"Module already has an attribute named '{name}'")

    def compute(self) -> Tensor:
        chain = self.parametrizations[name]
        if not _Cache.depth:
            return chain()
        key = (id(self), name)
        if _Cache.values.get(key) is None:
            _Cache.values[key] = chain()
        return _Cache.values[key]

    def assign(self, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    setattr(type(module), name, property(compute, assign))


# ---- public functions ---------------------------------------------------------------------

def _check_appended(module: Module, name: str, parametrization: Module) -> None:
    """torch's safety checks for stacking ``parametrization`` on a parametrized tensor."""
    current = _dtype_and_shape(getattr(module, name))
    out = parametrization(getattr(module, name))
    _check_like(current, out, _MUST_RETURN_TENSOR, lambda attr, want, got: (
        f"Registering a parametrization may not change the {attr} of the tensor, unless the "
        f"`unsafe` flag is enabled.\nmodule.{name}.{attr}: {want}\n"
        f"parametrization(module.{name}).{attr}: {got}"))
    if not hasattr(parametrization, "right_inverse"):
        return
    try:
        back = parametrization.right_inverse(out)
    except NotImplementedError:
        return
    _check_like(current, back, "parametrization.right_inverse must return a tensor. Got: {}",
                lambda attr, want, got: (
                    f"The tensor returned by parametrization.right_inverse must have the same "
                    f"{attr} as module.{name}, unless the `unsafe` flag is enabled.\n"
                    f"module.{name}.{attr}: {want}\nreturned {attr}: {got}"))


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """torch.nn.utils.parametrize.register_parametrization."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_appended(module, tensor_name, parametrization)
        chain = module.parametrizations[tensor_name]
        chain.append(parametrization)
        chain.unsafe |= unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized "
            f"element with name '{tensor_name}'"
        )
    chain = ParametrizationList([parametrization], getattr(module, tensor_name), unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        module.__class__ = _parametrized_class(type(module))
        module.parametrizations = ModuleDict()
    _install_property(module, tensor_name)
    module.parametrizations[tensor_name] = chain
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """torch.nn.utils.parametrize.is_parametrized."""
    chains = getattr(module, "parametrizations", None)
    if not isinstance(chains, ModuleDict):
        return False
    return len(chains) > 0 if tensor_name is None else tensor_name in chains


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """torch.nn.utils.parametrize.remove_parametrizations."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    chain = module.parametrizations[tensor_name]
    if chain.is_tensor:
        restored = chain.original
        if leave_parametrized:
            with torch.no_grad():
                _overwrite(restored, getattr(module, tensor_name))
    elif leave_parametrized:
        value = getattr(module, tensor_name)
        restored = Parameter(value) if value.requires_grad else value
    else:
        raise ValueError(
            "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
            "parametrized in terms of a sequence of tensors."
        )
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _store(module, tensor_name, restored)
    if len(module.parametrizations) == 0:
        delattr(module, "parametrizations")
        module.__class__ = _unparametrized_class(module)
    return module


def _unparametrized_class(module: Module) -> type:
    # the injected class always derives from the module's own class alone
    return type(module).__bases__[0]


def type_before_parametrizations(module: Module) -> type:
    """torch.nn.utils.parametrize.type_before_parametrizations."""
    return _unparametrized_class(module) if is_parametrized(module) else type(module)


def transfer_parametrizations_and_params(
    from_module: Module, to_module: Module, tensor_name: str | None = None
) -> Module:
    """torch.nn.utils.parametrize.transfer_parametrizations_and_params."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        source = from_module.parametrizations[name]
        for step in source:
            register_parametrization(to_module, name, step)
        target = to_module.parametrizations[name]
        # share the very tensors, so both modules train the same originals
        for original in source._original_names():
            setattr(target, original, getattr(source, original))
    return to_module
