"""torch.nn.utils.stateless.functional_call: call a module with substituted parameters/buffers."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from ..._core.tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]


def _untie_named_tensors_map(module: Module, parameters_and_buffers: dict[str, Tensor]):
    all_named: dict[str, Tensor] = {}
    all_named.update(module.named_parameters(remove_duplicate=False))
    all_named.update(module.named_buffers(remove_duplicate=False))
    tied: dict[int, set[str]] = {}
    for name, tensor in all_named.items():
        tied.setdefault(id(tensor), set()).add(name)
    tied_names_map = {n: names for names in tied.values() if len(names) > 1 for n in names}
    given = set(parameters_and_buffers)
    given_tied = {n for n in given if n in tied_names_map}
    for name in given_tied:
        names = tied_names_map[name]
        if (len(names & given_tied) > 1
                and len({id(parameters_and_buffers[n]) for n in names & given}) != 1):
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(parameters_and_buffers)
    for name in given_tied:
        for tied_name in tied_names_map[name]:
            untied[tied_name] = parameters_and_buffers[name]
    return untied


def _swap(module: Module, name: str, value):
    """Put ``value`` at dotted ``name`` (bypassing Module's type checks); returns the old one."""
    prefix, _, attr = name.rpartition(".")
    mod = module.get_submodule(prefix)
    if attr in mod._parameters:
        old = mod._parameters[attr]
        mod._parameters[attr] = value
    elif attr in mod._buffers:
        old = mod._buffers[attr]
        mod._buffers[attr] = value
    else:
        old = getattr(mod, attr, None)
        if value is None:
            if hasattr(mod, attr):
                delattr(mod, attr)
        else:
            setattr(mod, attr, value)
    return old


@contextlib.contextmanager
def _reparametrize_module(module: Module, parameters_and_buffers: dict[str, Tensor],
                          tie_weights: bool = False, strict: bool = False,
                          stack_weights: bool = False):
    params = (_untie_named_tensors_map(module, parameters_and_buffers) if tie_weights
              else parameters_and_buffers)
    if strict:
        known = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        known |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing = sorted(known - set(params))
        unexpected = sorted(set(params) - known)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(msgs)))
    originals: dict[str, Any] = {}
    try:
        for name, value in params.items():
            originals[name] = _swap(module, name, value)
        yield
    finally:
        items = list(originals.items())
        if stack_weights:
            items.reverse()
        for name, value in reversed(items):
            _swap(module, name, value)


def _functional_call(module: Module, parameters_and_buffers: dict[str, Tensor],
                     args: Any = None, kwargs: dict[str, Any] | None = None, *,
                     tie_weights: bool = True, strict: bool = False):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)


def functional_call(module: Module, parameters_and_buffers: dict[str, Tensor], args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False):
    """torch.nn.utils.stateless.functional_call (deprecated in torch for torch.func's)."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and "
                  "will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
