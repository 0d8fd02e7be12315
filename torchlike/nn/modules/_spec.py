"""Layer classes from declarations: a name, constructor arguments, a forward, a repr.

Most of torch's layer classes hold a few constructor options and call one functional op.
``layer`` builds such a class from a declaration instead of a hand-written class body, so a
family (losses, activations, pooling by dimension, ...) is a table of one-line entries.
The class it returns is an ordinary Module subclass with torch's name, ``__init__``
signature (visible to ``inspect.signature``), attributes, ``extra_repr`` and docstring.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from .module import Module

__all__ = ["REQUIRED", "Arg", "annotate", "bind", "fmt_fields", "layer"]

REQUIRED = inspect.Parameter.empty
_POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
_KW = inspect.Parameter.KEYWORD_ONLY


class Arg:
    """One constructor argument: its name, default and how the stored attribute is made.

    ``store`` maps the given value to the attribute (e.g. ``_pair`` for a kernel size);
    ``attr=None`` keeps the argument out of the instance (a base class consumes it).
    """

    __slots__ = ("name", "default", "store", "attr", "kw_only", "hint")

    def __init__(
        self,
        name: str,
        default: Any = REQUIRED,
        store: Callable[[Any], Any] | None = None,
        *,
        attr: str | None | bool = True,
        kw_only: bool = False,
        hint: Any = REQUIRED,
    ) -> None:
        self.name = name
        self.default = default
        self.store = store
        self.attr = name if attr is True else attr
        self.kw_only = kw_only
        self.hint = hint


def as_arg(a: Arg | str | tuple) -> Arg:
    """An ``Arg`` from its short forms: a name, or a ``(name, default[, store])`` tuple."""
    if isinstance(a, Arg):
        return a
    if isinstance(a, str):
        return Arg(a)
    return Arg(*a)


def bind(signature: inspect.Signature, owner: str, *args: Any, **kwargs: Any) -> dict:
    """The arguments of a call to ``owner`` bound to ``signature``, defaults applied.

    A bad call raises ``TypeError`` naming ``owner`` (``"Conv2d.__init__() missing ..."``).
    """
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{owner}() {e}") from None
    bound.apply_defaults()
    return bound.arguments


def annotate(cls: type, hints: dict[str, Any]) -> type:
    """Give ``cls.__init__``'s signature type hints, so ``inspect.signature`` reads as torch's."""
    init = cls.__init__
    signature = inspect.signature(init)
    params = [p.replace(annotation=hints.get(p.name, p.annotation))
              for p in signature.parameters.values()]
    init.__signature__ = signature.replace(parameters=params, return_annotation=None)
    return cls


def fmt_fields(module: Module, fields: Sequence[str]) -> str:
    """``extra_repr`` from a field list.

    ``"k"`` gives ``k=value``; ``"k?"`` gives ``k=value`` only when the value is truthy
    (torch's ``inplace=True`` style); ``"=k"`` gives the bare value.
    """
    parts = []
    for f in fields:
        if f.startswith("="):
            parts.append(f"{getattr(module, f[1:])}")
        elif f.endswith("?"):
            value = getattr(module, f[:-1])
            if value:
                parts.append(f"{f[:-1]}={value}")
        else:
            parts.append(f"{f}={getattr(module, f)}")
    return ", ".join(parts)


def layer(
    name: str,
    args: Sequence[Arg | str | tuple] = (),
    forward: Callable[..., Any] | None = None,
    *,
    base: type = Module,
    repr: Sequence[str] | Callable[[Any], str] | None = None,
    doc: str | None = None,
    module: str | None = None,
    base_args: Sequence[str] = (),
    check: Callable[[Any], None] | None = None,
    **namespace: Any,
) -> type:
    """Make the Module subclass ``name``.

    ``args`` declares ``__init__``'s parameters in order; the generated ``__init__`` calls
    ``base.__init__`` with the arguments named in ``base_args`` (by keyword), stores the
    others as attributes, then runs ``check(self)`` (validation, derived state).
    ``forward(self, *inputs)`` is the forward.  ``repr`` is a field list for
    :func:`fmt_fields` or a function of the module.  Extra keyword arguments become class
    attributes (methods, ``__constants__``, flags read by a base class).
    """
    spec = [as_arg(a) for a in args]
    params = [inspect.Parameter("self", _POS)]
    params += [
        inspect.Parameter(a.name, _KW if a.kw_only else _POS, default=a.default,
                          annotation=a.hint)
        for a in spec
    ]
    hinted = any(a.hint is not REQUIRED for a in spec)
    signature = inspect.Signature(params, return_annotation=None if hinted else REQUIRED)
    passed = set(base_args)
    owner = f"{name}.__init__"

    def __init__(self, *a: Any, **kw: Any) -> None:
        values = bind(signature, owner, self, *a, **kw)
        base.__init__(self, **{k: values[k] for k in base_args})
        for s in spec:
            if s.name in passed or s.attr is None:
                continue
            value = values[s.name]
            setattr(self, s.attr, s.store(value) if s.store is not None else value)
        if check is not None:
            check(self)

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = owner
    body: dict[str, Any] = {"__init__": __init__, "__doc__": doc or f"torch.nn.{name}."}
    if module is not None:
        body["__module__"] = module
    if forward is not None:
        body["forward"] = forward
    if repr is not None:
        fields = repr
        body["extra_repr"] = fields if callable(fields) else (lambda self: fmt_fields(self, fields))
    body.update(namespace)
    return type(name, (base,), body)
