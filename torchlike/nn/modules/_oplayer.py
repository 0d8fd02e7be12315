"""Layers that hand their stored options to one functional op (losses, activations, dropout).

``op_layer`` is :func:`._spec.layer` plus a generated forward: the layer's constructor
arguments double as the functional's keyword arguments (torch keeps the names in step), so
an entry only names the op, its tensor inputs and the arguments.  ``stateless`` makes the
option-free layers (``Sigmoid``, ``Tanh``, ...) whose constructor is ``Module``'s own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..._core.tensor import Tensor
from .. import functional as F
from ._spec import Arg, annotate, as_arg, layer
from .module import Module

__all__ = ["infer_hints", "op_forward", "op_layer", "stateless"]

_POS = inspect.Parameter.POSITIONAL_OR_KEYWORD


# hints for arguments whose default (None) does not tell their type
_NONE_HINTS: dict[str, Any] = {
    "weight": Tensor | None,
    "pos_weight": Tensor | None,
    "dim": int | None,
    "distance_function": Callable[[Tensor, Tensor], Tensor] | None,
}


def infer_hints(cls: type, **hints: Any) -> type:
    """Give a declared layer's ``__init__`` torch's type hints: the given ones, else the
    type of a scalar default, else (default None) a hint known for the argument's name."""
    out = {}
    for p in inspect.signature(cls.__init__).parameters.values():
        hint = hints.get(p.name, p.annotation)
        if hint is p.empty and p.default is None:
            hint = _NONE_HINTS.get(p.name, p.empty)
        elif hint is p.empty and type(p.default) in (bool, int, float, str):
            hint = type(p.default)
        out[p.name] = hint
    return annotate(cls, out)


def op_forward(
    op: str | Callable[..., Any],
    inputs: Sequence[str] = ("input",),
    options: Iterable[str | tuple[str, str]] = (),
    *,
    training: bool = False,
    extra: dict[str, Any] | None = None,
) -> Callable[..., Any]:
    """``forward(*inputs)`` calling ``op(*inputs, keyword=self.attr, ...)``.

    ``options`` are keyword names, or ``(keyword, attribute)`` pairs where the stored
    attribute is named otherwise (PairwiseDistance keeps ``p`` as ``norm``).  ``training``
    adds ``training=self.training``; ``extra`` adds fixed keywords.  A string ``op`` is looked
    up on ``nn.functional`` per call, so a patched functional is honoured as in torch.
    """
    pairs = tuple((o, o) if isinstance(o, str) else o for o in options)
    fixed = dict(extra or {})
    arity = len(inputs)
    signature = inspect.Signature(
        [inspect.Parameter("self", _POS)]
        + [inspect.Parameter(n, _POS, annotation=Tensor) for n in inputs],
        return_annotation=Tensor,
    )

    def forward(self: Module, *args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != arity:
            try:
                args = signature.bind(self, *args, **kwargs).args[1:]
            except TypeError as e:
                raise TypeError(f"{type(self).__name__}.forward() {e}") from None
        kw = {key: getattr(self, attr) for key, attr in pairs}
        if training:
            kw["training"] = self.training
        fn = getattr(F, op) if isinstance(op, str) else op
        return fn(*args, **kw, **fixed)

    forward.__signature__ = signature  # type: ignore[attr-defined]
    return forward


def op_layer(
    name: str,
    op: str | Callable[..., Any],
    args: Sequence[Arg | str | tuple] = (),
    *,
    inputs: Sequence[str] = ("input",),
    skip: Iterable[str] = (),
    training: bool = False,
    extra: dict[str, Any] | None = None,
    constants: Sequence[str] | None = None,
    hints: dict[str, Any] | None = None,
    **layer_kwargs: Any,
) -> type:
    """A :func:`._spec.layer` whose forward passes every argument not in ``skip`` to ``op``.

    ``constants`` defaults to the passed arguments' attribute names in declaration order,
    which is how torch spells ``__constants__`` for most of these layers.  ``hints`` are
    type hints :func:`infer_hints` cannot infer from the defaults.
    """
    spec = [as_arg(a) for a in args]
    dropped = set(skip)
    options = [(a.name, a.attr or a.name) for a in spec if a.name not in dropped]
    if constants is None:
        constants = [attr for _, attr in options]
    forward = op_forward(op, inputs, options, training=training, extra=extra)
    cls = layer(name, spec, forward, __constants__=list(constants), **layer_kwargs)
    return infer_hints(cls, **(hints or {}))


def stateless(name: str, forward: Callable[..., Any], module: str) -> type:
    """An option-free layer: ``Module``'s constructor, the given forward, no extra_repr."""
    return type(name, (Module,), {
        "__doc__": f"torch.nn.{name}.",
        "__module__": module,
        "forward": forward,
    })
