"""torch.nn.modules.lazy: LazyModuleMixin (shapes inferred from the first input).

A lazy module starts with UninitializedParameter/UninitializedBuffer placeholders.  Two
hooks carry it to its final form: a forward pre-hook that calls
``initialize_parameters(*input)`` once (then removes both hooks and switches the class to
``cls_to_become``), and a load_state_dict pre-hook that gives placeholders the shapes of
the checkpoint's tensors so the ordinary copy can proceed.
"""

from __future__ import annotations

from typing import Any

from ..._core.grad_mode import no_grad
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy

__all__ = ["LazyModuleMixin", "UninitializedParameter", "UninitializedBuffer"]


class LazyModuleMixin:
    """torch.nn.modules.lazy.LazyModuleMixin."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # torch's attribute names: user code and _infer_parameters remove them by name.
        on_load = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        on_first_call = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)
        self._load_hook, self._initialize_hook = on_load, on_first_call

    def _lazy_tensors(self) -> list[tuple[str, Any]]:
        return [*self._parameters.items(), *self._buffers.items()]

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        # As Module's, but placeholders go in as they are (they cannot be detached).
        for key, value in self._state_entries():
            keep = keep_vars or is_lazy(value)
            destination[prefix + key] = value if keep else value.detach()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs) -> None:
        for key, mine in self._lazy_tensors():
            incoming = state_dict.get(prefix + key)
            if mine is None or incoming is None:
                continue
            if is_lazy(mine) and not is_lazy(incoming):
                with no_grad():
                    mine.materialize(incoming.shape)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Give every placeholder its shape from the first input (each lazy class says how)."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}"
        )

    def has_uninitialized_params(self) -> bool:
        """Whether any parameter or buffer is still a placeholder."""
        return any(is_lazy(t) for _, t in self._lazy_tensors())

    def _infer_parameters(self, module: Any, args: tuple, kwargs: dict | None = None) -> None:
        # ``module`` is ``self``: the hook was registered as a bound method.
        self.initialize_parameters(*args, **(kwargs or {}))
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        for hook_attr in ("_initialize_hook", "_load_hook"):
            getattr(self, hook_attr).remove()
            delattr(self, hook_attr)
        final = self.cls_to_become
        if final is not None:
            self.__class__ = final

    def _replicate_for_data_parallel(self) -> Any:
        raise RuntimeError(
            "Modules with uninitialized parameters can't be used with `DataParallel`. Run "
            "a dummy forward pass to correctly initialize the modules"
        )
